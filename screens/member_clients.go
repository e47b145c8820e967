package screens

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/db"
	"gatehouse/keymap"
	"gatehouse/model"
)

// MemberClientsClosedMsg is sent when the member's clients view is left
// with esc, so the Staff screen that opened it can close it.
type MemberClientsClosedMsg struct{ StaffID int64 }

// memberClients is a staff member's side of access (from a staff member):
// the folders they were added to and what each lets them reach, and why;
// + Clients and Remove client.
type memberClients struct {
	id     ViewID // what its dialogs' results are addressed to
	sess   *Session
	keys   keymap.Clients
	member model.Member
	sum    model.ReachSummary
	rows   []memberClientRow
	loaded bool
	err    string
	cur    Cursor[memberClientKey] // on a folder and account, by ids
	reads  newestRead
	top    int
	child  Dialog
	width  int
	height int
}

// memberClientKey is the identity of a row: a folder and one account
// toggled on in it (0: the folder's row when none is).
type memberClientKey struct{ clientID, accountID int64 }

// memberClientRow is one folder membership and one account toggled on in
// it (or none), with the engine's reason.
type memberClientRow struct {
	clientID  int64
	accountID int64
	client    string
	internal  bool
	account   string
	why       string
	allowed   bool
	// byRole: the member's role reaches this folder's accounts whatever
	// its toggles (drawn locked; removing them from it leaves that reach).
	byRole bool
}

type memberClientsMsg struct {
	staffID int64
	read    uint64 // the read's number (beginRead)
	sum     model.ReachSummary
	rows    []memberClientRow
	err     error
}

// NewMemberClients returns the view of one member's clients. It is a
// sub-view of the Staff screen's member detail; esc sends
// MemberClientsClosedMsg.
func NewMemberClients(sess *Session, member model.Member) Screen {
	return &memberClients{id: NewViewID(), sess: sess, keys: keymap.DefaultClients(), member: member, width: 80, height: 20}
}

func (v *memberClients) Title() string { return "Clients of " + model.Sanitize(v.member.Name) }

func (v *memberClients) Init() tea.Cmd { return v.load() }

func (v *memberClients) SetSize(w, h int) { v.width, v.height = max(w, 20), max(h, 5) }

func (v *memberClients) Capturing() bool { return v.child != nil }

func (v *memberClients) isContainer() {}

func (v *memberClients) load() tea.Cmd {
	sess, id := v.sess, v.member.ID
	return func() tea.Msg {
		ctx, p, read := sess.Context(), sess.Principal, beginRead()
		sum, err := sess.Svc.ReachableBy(ctx, p, id)
		if err != nil {
			return memberClientsMsg{staffID: id, read: read, err: err}
		}
		grants, err := sess.Svc.ListGrants(ctx, p, db.GrantQuery{StaffID: id})
		if err != nil {
			return memberClientsMsg{staffID: id, read: read, err: err}
		}
		rows := memberRows(sum, grants)
		byRole := map[int64]model.Decision{}
		for _, r := range rows {
			if _, done := byRole[r.clientID]; done {
				continue
			}
			reach, err := sess.Svc.RoleReach(ctx, p, r.clientID, []int64{id})
			if err != nil {
				return memberClientsMsg{staffID: id, read: read, err: err}
			}
			byRole[r.clientID] = reach[id]
		}
		for i := range rows {
			if d := byRole[rows[i].clientID]; d.Allowed {
				rows[i].byRole, rows[i].why, rows[i].allowed = true, d.Reason, true
			}
		}
		return memberClientsMsg{staffID: id, read: read, sum: sum, rows: rows}
	}
}

// memberRows pairs each membership and toggle with the engine's reason
// from ReachableBy.
func memberRows(sum model.ReachSummary, grants []model.Grant) []memberClientRow {
	type k struct{ c, a int64 }
	why := map[k]model.Decision{}
	for _, it := range sum.Items {
		why[k{it.ClientID, it.AccountID}] = it.Decision
	}
	rows := make([]memberClientRow, 0, len(grants))
	for _, g := range grants {
		r := memberClientRow{clientID: g.ClientID, accountID: g.AccountID, client: g.ClientName, internal: g.Internal, account: g.Account}
		if d, ok := why[k{g.ClientID, g.AccountID}]; ok {
			r.why, r.allowed = d.Reason, d.Allowed
		} else if g.AccountID == 0 {
			r.account, r.why = "(none on)", "added, but every account is toggled off"
		}
		rows = append(rows, r)
	}
	return rows
}

func (v *memberClients) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if am, ok := msg.(clientsAction); ok && am.to == v.id {
		v.cur.Acted(am.For, am.Err) // a folder they were taken out of leaves the list
	}
	if am, ok := msg.(clientsAction); ok && am.to == v.id && am.Err != nil {
		if p, ok := v.child.(*clientMultiPick); ok {
			// Keep the marks: the refusal shows in the picker and the status.
			p.busy, p.err = false, errText(am.Err)
			return v, tea.Batch(Status(p.err, true), v.load())
		}
	}
	cmd, done := routeContainer(v.id, &v.child, msg, v.load)
	if done {
		return v, cmd
	}
	switch m := msg.(type) {
	case memberClientsMsg:
		if m.staffID != v.member.ID || !v.reads.take(m.read) {
			return v, cmd
		}
		if m.err != nil {
			v.err = errText(m.err)
			return v, cmd
		}
		v.loaded, v.err, v.sum, v.rows = true, "", m.sum, m.rows
		keys, labels := make([]memberClientKey, len(v.rows)), make([]string, len(v.rows))
		for i, r := range v.rows {
			keys[i], labels[i] = memberClientKey{r.clientID, r.accountID}, r.client
			if r.accountID != 0 {
				labels[i] += " / " + r.account
			}
		}
		return v, tea.Batch(cmd, hiddenBy(v.child, v.cur.Sync(m.read, keys, labels)))
	case tea.KeyMsg:
		return v, v.key(m)
	}
	return v, cmd
}

func (v *memberClients) canManage() model.Decision {
	return v.sess.Can(model.ActManageAccess, model.Target{Module: model.ModuleAccess})
}

func (v *memberClients) key(km tea.KeyMsg) tea.Cmd {
	lk := v.sess.Keys.List
	switch {
	case key.Matches(km, lk.Back):
		id := v.member.ID
		return func() tea.Msg { return MemberClientsClosedMsg{StaffID: id} }
	case key.Matches(km, lk.Up):
		v.cur.Move(-1)
	case key.Matches(km, lk.Down):
		v.cur.Move(1)
	case key.Matches(km, lk.PageUp):
		v.cur.Move(-v.pageRows())
	case key.Matches(km, lk.PageDown):
		v.cur.Move(v.pageRows())
	case key.Matches(km, v.keys.AddClients):
		if d := v.canManage(); !d.Allowed {
			return refusal(d)
		}
		added := map[int64]bool{}
		for _, r := range v.rows {
			added[r.clientID] = true
		}
		p := newClientMultiPick(v.sess, v.member, added)
		p.to = v.id
		v.child = p
		return p.fetch()
	case key.Matches(km, v.keys.RemoveClient):
		if cmd, gone := v.cur.Vanished(); gone {
			return cmd
		}
		return v.removeClient()
	}
	return nil
}

func (v *memberClients) removeClient() tea.Cmd {
	if v.cur.Len() == 0 || v.cur.Index() >= len(v.rows) {
		return nil
	}
	row := v.rows[v.cur.Index()]
	sess, m := v.sess, v.member
	// Taken out of the folder, they lose every row of it.
	var rows []memberClientKey
	for _, r := range v.rows {
		if r.clientID == row.clientID {
			rows = append(rows, memberClientKey{r.clientID, r.accountID})
		}
	}
	rec := v.cur.Records(rows, true)
	seen := model.SeenAdded(m.ID, m.Name, row.clientID, row.client)
	return gateCmd(v.id, sess, row.clientID, model.ActManageAccess, func(model.Target) (Dialog, tea.Cmd) {
		who, client := model.Sanitize(m.Name), model.Sanitize(row.client)
		body := fmt.Sprintf("Remove %s from %s? Every account toggle of theirs in it goes too.", who, client)
		if row.byRole {
			body += fmt.Sprintf(" Their role still reaches its accounts: %s.", model.Sanitize(row.why))
		}
		return &ConfirmDialog{Theme: sess.Theme, Recheck: recheck(sess, seen), Confirm: Confirm{Title: "Remove client", Yes: "Remove", Danger: true,
			Body: body},
			OnYes: func() tea.Cmd {
				return ownActionOn(v.id, rec, "Removed "+who+" from "+client, func() error {
					return sess.Svc.RemoveFromClient(sess.seenCtx(seen), sess.Principal, row.clientID, m.ID)
				})
			}}, nil
	})
}

func (v *memberClients) pageRows() int { return max(v.height-6, 1) }

func (v *memberClients) View() string {
	base := v.base()
	if v.child != nil {
		return overlay(base, popup(v.sess, v.child, v.width, v.height), v.width, v.height)
	}
	return base
}

func (v *memberClients) base() string {
	th, w := v.sess.Theme, v.width
	var b strings.Builder
	b.WriteString(th.Title.Render(cell("Clients of "+v.member.Name+" <"+v.member.Email+">", w)) + "\n")
	if v.err != "" {
		return b.String() + th.Error.Render(cell(v.err, w)) + "\n" + th.Muted.Render(hintLine(v.sess.Keys.List.Back))
	}
	if !v.loaded {
		return b.String() + th.Muted.Render("Loading…")
	}
	b.WriteString(th.Muted.Render(cell(v.sum.Reason, w)) + "\n\n")
	clientW := max(min(w/4, 30), 10)
	accW := max(min(w/5, 18), 8)
	whyW := max(w-clientW-accW-4, 10)
	b.WriteString(th.Header.Render("  "+cell("Client", clientW)+" "+cell("Account", accW)+" "+cell("Through", whyW)) + "\n")
	if len(v.rows) == 0 {
		b.WriteString(th.Muted.Render("  Not added to any client folder.") + "\n")
	}
	page, cursor := v.pageRows(), v.cur.Index()
	if cursor < v.top {
		v.top = cursor
	}
	if cursor >= v.top+page {
		v.top = cursor - page + 1
	}
	for i := v.top; i < min(len(v.rows), v.top+page); i++ {
		r := v.rows[i]
		name := r.client
		if r.internal {
			name = "◆ " + name
		}
		account := r.account
		if r.byRole {
			account = lockedBox + " " + account
		}
		line := cell(name, clientW) + " " + cell(account, accW) + " " + cell(r.why, whyW)
		if i == cursor {
			b.WriteString(th.Selected.Render("› "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	if slices.ContainsFunc(v.rows, func(r memberClientRow) bool { return r.byRole }) {
		b.WriteString("\n" + th.Muted.Render(cell(lockedBox+" reached through the role: a toggle or removal changes nothing", w)))
	}
	var keys []key.Binding
	if v.canManage().Allowed {
		keys = append(keys, v.keys.AddClients, v.keys.RemoveClient)
	}
	b.WriteString("\n" + th.Muted.Render(hintLine(append(keys, v.sess.Keys.List.Back)...)))
	return b.String()
}

func (v *memberClients) ShortHelp() []key.Binding {
	if h, ok := v.child.(helper); ok {
		return h.help()
	}
	out := []key.Binding{v.sess.Keys.List.Up, v.sess.Keys.List.Down}
	if v.canManage().Allowed {
		out = append(out, v.keys.AddClients, v.keys.RemoveClient)
	}
	return append(out, v.sess.Keys.List.Back)
}

func (v *memberClients) FullHelp() [][]key.Binding { return [][]key.Binding{v.ShortHelp()} }

// clientMultiPick is + Clients: folders filtered in SQL as one types,
// space marks (marks survive a new filter), enter adds the member to every
// marked folder with all its accounts on.
type clientMultiPick struct {
	to     ViewID // the view the result goes to
	sess   *Session
	member model.Member
	added  map[int64]bool
	filter textinput.Model
	items  []model.Client
	total  int
	marked map[int64]string
	order  []int64 // marking order, for a stable summary
	cursor int
	top    int
	seq    int
	err    string
	busy   bool
}

type multiPickMsg struct {
	seq   int
	items []model.Client
	total int
	err   error
}

const multiPickLimit = 50

func newClientMultiPick(sess *Session, m model.Member, added map[int64]bool) *clientMultiPick {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "type to filter folders"
	in.CharLimit = 120
	in.Focus()
	return &clientMultiPick{sess: sess, member: m, added: added, filter: in, marked: map[int64]string{}}
}

func (p *clientMultiPick) fetch() tea.Cmd {
	p.seq++
	sess, seq, text := p.sess, p.seq, strings.TrimSpace(p.filter.Value())
	return func() tea.Msg {
		items, total, err := sess.Svc.ListClients(sess.Context(), sess.Principal, model.ClientQuery{Text: text, Limit: multiPickLimit})
		return multiPickMsg{seq: seq, items: items, total: total, err: err}
	}
}

func (p *clientMultiPick) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch m := msg.(type) {
	case multiPickMsg:
		if m.seq == p.seq {
			p.items, p.total, p.err = m.items, m.total, ""
			if m.err != nil {
				p.err = errText(m.err)
			}
			p.cursor = min(p.cursor, max(len(p.items)-1, 0))
		}
		return p, nil
	case tea.KeyMsg:
		if p.busy {
			return p, nil
		}
		if movePick(m, &p.cursor, len(p.items)) {
			return p, nil
		}
		switch {
		case key.Matches(m, keymap.DialogCancel):
			return nil, nil
		case key.Matches(m, keymap.DialogMark):
			p.mark()
			return p, nil
		case key.Matches(m, keymap.DialogChoose):
			return p, p.apply()
		case key.Matches(m, keymap.SearchAfresh):
			if p.filter.Value() == "" {
				return p, nil // the filter key out of habit, not text to find
			}
		}
	}
	before := p.filter.Value()
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	if p.filter.Value() != before {
		p.cursor = 0
		return p, tea.Batch(cmd, p.fetch())
	}
	return p, cmd
}

func (p *clientMultiPick) mark() {
	if p.cursor >= len(p.items) {
		return
	}
	c := p.items[p.cursor]
	if p.added[c.ID] {
		p.err = model.Sanitize(p.member.Name) + " is already added to " + model.Sanitize(c.Name)
		return
	}
	p.err = ""
	if _, on := p.marked[c.ID]; on {
		delete(p.marked, c.ID)
		for i, id := range p.order {
			if id == c.ID {
				p.order = append(p.order[:i], p.order[i+1:]...)
				break
			}
		}
	} else {
		p.marked[c.ID] = c.Name
		p.order = append(p.order, c.ID)
	}
	p.cursor = min(p.cursor+1, max(len(p.items)-1, 0))
}

// apply adds the member to every marked folder in one model call: all of
// them, audited together, or none with the reason.
func (p *clientMultiPick) apply() tea.Cmd {
	if len(p.order) == 0 {
		p.err = "Mark folders with space first."
		return nil
	}
	p.busy = true
	sess, m, ids, to := p.sess, p.member, append([]int64{}, p.order...), p.to
	return func() tea.Msg {
		n, err := sess.Svc.AddToFolders(sess.Context(), sess.Principal, m.ID, ids)
		if err != nil {
			return clientsAction{to: to, ActionMsg: ActionMsg{Err: err}}
		}
		status := fmt.Sprintf("Added %s to %s, all accounts on", model.Sanitize(m.Name), countOf(n, "client folder"))
		if n < len(ids) {
			status += fmt.Sprintf(" (%d already added elsewhere meanwhile)", len(ids)-n)
		}
		return clientsAction{to: to, ActionMsg: ActionMsg{Status: status}}
	}
}

func (p *clientMultiPick) View(w, h int) string {
	th := p.sess.Theme
	var b strings.Builder
	b.WriteString(th.Title.Render("+ Clients · "+model.Sanitize(p.member.Name)) + "\n")
	b.WriteString(th.Muted.Render(fmt.Sprintf("%d marked · they get every account of each folder on", len(p.marked))) + "\n\n")
	p.filter.Width = max(w-4, 10)
	b.WriteString(p.filter.View() + "\n")
	rows := max(h-8, 3)
	if p.cursor < p.top {
		p.top = p.cursor
	}
	if p.cursor >= p.top+rows {
		p.top = p.cursor - rows + 1
	}
	if len(p.items) == 0 {
		b.WriteString(th.Muted.Render("  nothing matches") + "\n")
	}
	for i := p.top; i < min(len(p.items), p.top+rows); i++ {
		c := p.items[i]
		box := "[ ] "
		if _, on := p.marked[c.ID]; on {
			box = "[x] "
		}
		text := box + clientName(c)
		if p.added[c.ID] {
			text = "[✓] " + clientName(c) + " — already added"
		}
		text = cell(text, w-2)
		switch {
		case i == p.cursor:
			b.WriteString(th.Selected.Render("› "+text) + "\n")
		case p.added[c.ID]:
			b.WriteString("  " + th.Muted.Render(text) + "\n")
		default:
			b.WriteString("  " + text + "\n")
		}
	}
	if p.total > len(p.items) {
		b.WriteString(th.Muted.Render(fmt.Sprintf("  … %d more: type to narrow", p.total-len(p.items))) + "\n")
	}
	if p.err != "" {
		b.WriteString(th.Error.Render(cell(p.err, w)) + "\n")
	}
	foot := hintLine(keymap.DialogMark, addMarked, keymap.DialogCancel)
	if p.busy {
		foot = "Working…"
	}
	b.WriteString(th.Muted.Render(foot))
	return b.String()
}
