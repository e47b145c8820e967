package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// clientDetail is one folder: what it is, and its accounts (add, rename,
// remove, who can reach each), with Manage Access one key away.
type clientDetail struct {
	id       ViewID // what its dialogs' results are addressed to
	sess     *Session
	keys     keymap.Clients
	clientID int64
	client   model.Client
	accounts []model.Account
	target   model.Target
	loaded   bool
	err      string
	cur      Cursor[int64] // on an account, by id
	reads    newestRead
	top      int
	child    Dialog
}

type detailMsg struct {
	clientID int64
	read     uint64 // the read's number (beginRead)
	client   model.Client
	accounts []model.Account
	target   model.Target
	err      error
}

func newClientDetail(sess *Session, c model.Client) *clientDetail {
	return &clientDetail{id: NewViewID(), sess: sess, keys: keymap.DefaultClients(), clientID: c.ID, client: c}
}

func (d *clientDetail) isContainer()     {}
func (d *clientDetail) fullScreen() bool { return true }
func (d *clientDetail) capturing() bool {
	if c, ok := d.child.(capturer); ok {
		return c.capturing()
	}
	return d.child != nil
}

func (d *clientDetail) load() tea.Cmd {
	sess, id := d.sess, d.clientID
	return func() tea.Msg {
		ctx, p, read := sess.Context(), sess.Principal, beginRead()
		c, err := sess.Svc.GetClient(ctx, p, id)
		if err != nil {
			return detailMsg{clientID: id, read: read, err: err}
		}
		accs, err := sess.Svc.VisibleAccounts(ctx, p, id)
		if err != nil {
			return detailMsg{clientID: id, read: read, err: err}
		}
		t, err := sess.Svc.ClientTarget(ctx, p, id)
		return detailMsg{clientID: id, read: read, client: c, accounts: accs, target: t, err: err}
	}
}

func (d *clientDetail) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if am, ok := msg.(clientsAction); ok && am.to == d.id {
		d.cur.Acted(am.For, am.Err) // a removed account leaves the list
	}
	cmd, done := routeContainer(d.id, &d.child, msg, d.load)
	if done {
		return d, cmd
	}
	switch m := msg.(type) {
	case detailMsg:
		if m.clientID != d.clientID || !d.reads.take(m.read) {
			return d, cmd
		}
		if m.err != nil {
			d.err = errText(m.err)
			return d, cmd
		}
		d.loaded, d.err = true, ""
		d.client, d.accounts, d.target = m.client, m.accounts, m.target
		ids, names := make([]int64, len(d.accounts)), make([]string, len(d.accounts))
		for i, a := range d.accounts {
			ids[i], names[i] = a.ID, "account "+a.Name
		}
		return d, tea.Batch(cmd, hiddenBy(d.child, d.cur.Sync(m.read, ids, names)))
	case tea.KeyMsg:
		return d.key(m)
	}
	return d, cmd
}

func (d *clientDetail) selected() (model.Account, bool) {
	if d.cur.Len() == 0 || d.cur.Index() >= len(d.accounts) {
		return model.Account{}, false
	}
	return d.accounts[d.cur.Index()], true
}

// can asks the engine about an account action on this folder.
func (d *clientDetail) can(action model.Action, acc *model.Account) model.Decision {
	if !d.loaded {
		return model.Decision{Reason: "still loading"}
	}
	t := model.Target{Module: model.ModuleAccounts, Client: d.target.Client}
	if acc != nil {
		t.Account = &model.AccountFacts{ID: acc.ID, Name: acc.Name}
	}
	return d.sess.Can(action, t)
}

func (d *clientDetail) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := d.sess.Keys.List
	switch {
	case key.Matches(km, keymap.PopupClose):
		return nil, nil
	case key.Matches(km, lk.Up):
		d.cur.Move(-1)
	case key.Matches(km, lk.Down):
		d.cur.Move(1)
	case key.Matches(km, lk.Top):
		d.cur.To(0)
	case key.Matches(km, lk.Bottom):
		d.cur.To(d.cur.Len() - 1)
	case key.Matches(km, d.keys.ManageAccess):
		ma := newManageAccess(d.sess, d.client)
		d.child = ma
		return d, ma.load()
	case key.Matches(km, keymap.AuditFor):
		child, cmd := clientAudit(d.sess, d.clientID)
		if child != nil {
			d.child = child
		}
		return d, cmd
	case key.Matches(km, d.keys.AddAccount):
		return d, d.open(d.can(model.ActCreate, nil), d.addDialog)
	}
	if !(key.Matches(km, d.keys.RenameAccount) || key.Matches(km, d.keys.RemoveAccount) || key.Matches(km, d.keys.WhoCanReach)) {
		return d, nil
	}
	if cmd, gone := d.cur.Vanished(); gone {
		return d, cmd
	}
	acc, ok := d.selected()
	if !ok {
		return d, nil
	}
	switch {
	case key.Matches(km, d.keys.RenameAccount):
		return d, d.open(d.can(model.ActUpdate, &acc), func() Dialog { return d.renameDialog(acc) })
	case key.Matches(km, d.keys.RemoveAccount):
		return d, d.open(d.can(model.ActDelete, &acc), func() Dialog { return d.removeDialog(acc) })
	case key.Matches(km, d.keys.WhoCanReach):
		r := newReach(d.sess, acc.ID, d.client.Name+" / "+acc.Name)
		d.child = r
		return d, r.load()
	}
	return d, nil
}

func (d *clientDetail) open(dec model.Decision, build func() Dialog) tea.Cmd {
	if !dec.Allowed {
		return refusal(dec)
	}
	d.child = build()
	return nil
}

func (d *clientDetail) addDialog() Dialog {
	sess, id, name := d.sess, d.clientID, model.Sanitize(d.client.Name)
	form := NewForm(sess.Theme, "Add an account to "+name,
		Field{Key: "name", Label: "Account name", Required: true, CharLimit: model.MaxNameLen, Placeholder: "e.g. Payroll"})
	form.Intro = "Nobody added to the folder reaches it until it is toggled on for them."
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		v := f.Value("name")
		return nil, ownAction(d.id, "Added account "+model.Sanitize(strings.TrimSpace(v)), func() error {
			_, err := sess.Svc.AddAccount(sess.Context(), sess.Principal, id, v)
			return err
		})
	}}
}

func (d *clientDetail) renameDialog(acc model.Account) Dialog {
	sess := d.sess
	form := NewForm(sess.Theme, "Rename account "+model.Sanitize(acc.Name),
		Field{Key: "name", Label: "Account name", Required: true, Value: acc.Name, CharLimit: model.MaxNameLen})
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		v := f.Value("name")
		return nil, ownActionOn(d.id, d.cur.Record(acc.ID, false), "Renamed account to "+model.Sanitize(strings.TrimSpace(v)), func() error {
			return sess.Svc.RenameAccount(sess.seenCtx(d.seenAccount(acc)), sess.Principal, acc.ID, v)
		})
	}}
}

func (d *clientDetail) removeDialog(acc model.Account) Dialog {
	sess, name := d.sess, model.Sanitize(acc.Name)
	return &ConfirmDialog{Theme: sess.Theme, Recheck: recheck(sess, d.seenAccount(acc)), Confirm: Confirm{Title: "Remove account " + name + "?", Yes: "Remove", Danger: true,
		Body: "The account and every toggle on it go; the audit log keeps its history."},
		OnYes: func() tea.Cmd {
			return ownActionOn(d.id, d.cur.Record(acc.ID, true), "Removed account "+name, func() error {
				return sess.Svc.RemoveAccount(sess.seenCtx(d.seenAccount(acc)), sess.Principal, acc.ID)
			})
		}}
}

// seenAccount is an account as this view showed it.
func (d *clientDetail) seenAccount(acc model.Account) model.Seen {
	return model.SeenAccountOf(acc, d.client.Name)
}

func (d *clientDetail) View(w, h int) string {
	if fs, ok := d.child.(fullScreen); ok && fs.fullScreen() {
		return d.child.View(w, h)
	}
	base := d.base(w, h)
	if d.child == nil {
		return base
	}
	return overlay(base, popup(d.sess, d.child, w, h), w, h)
}

func (d *clientDetail) base(w, h int) string {
	th := d.sess.Theme
	var b strings.Builder
	b.WriteString(cell(clientName(d.client), w) + "\n")
	if d.err != "" {
		return b.String() + th.Error.Render(cell(d.err, w)) + "\n" + th.Muted.Render(hintLine(keymap.PopupClose))
	}
	if !d.loaded {
		return b.String() + th.Muted.Render("Loading…")
	}
	c := d.client
	owner, dept := orNone(c.OwnerName, "unowned"), orNone(c.DepartmentName, "none")
	facts := fmt.Sprintf("owner %s · department %s · %d staff added", owner, dept, c.Staff)
	if c.Archived {
		facts += " · archived"
	}
	b.WriteString(th.Muted.Render(cell(facts, w)) + "\n")
	if c.Internal {
		b.WriteString(th.Warning.Render(cell("The firm's own accounts: only the Owner changes them; members the Owner adds reach those on.", w)) + "\n")
	}
	b.WriteString("\n" + th.Header.Render(fmt.Sprintf("Accounts (%d)", len(d.accounts))) + "\n")
	rows, cursor := max(h-8, 1), d.cur.Index()
	if cursor < d.top {
		d.top = cursor
	}
	if cursor >= d.top+rows {
		d.top = cursor - rows + 1
	}
	if len(d.accounts) == 0 {
		b.WriteString(th.Muted.Render("  No accounts you can see.") + "\n")
	}
	for i := d.top; i < min(len(d.accounts), d.top+rows); i++ {
		name := cell(d.accounts[i].Name, w-2)
		if i == cursor {
			b.WriteString(th.Selected.Render("› "+name) + "\n")
		} else {
			b.WriteString("  " + name + "\n")
		}
	}
	b.WriteString("\n" + th.Muted.Render(cell(hintLine(d.help()...), w)))
	return b.String()
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return model.Sanitize(s)
}

func (d *clientDetail) help() []key.Binding {
	if h, ok := d.child.(helper); ok {
		return h.help()
	}
	var out []key.Binding
	if d.can(model.ActCreate, nil).Allowed {
		out = append(out, d.keys.AddAccount)
	}
	if d.can(model.ActUpdate, &model.Account{}).Allowed {
		out = append(out, d.keys.RenameAccount)
	}
	if d.can(model.ActDelete, &model.Account{}).Allowed {
		out = append(out, d.keys.RemoveAccount)
	}
	return append(out, d.keys.WhoCanReach, d.keys.ManageAccess, keymap.AuditFor, keymap.PopupClose)
}
