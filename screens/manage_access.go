package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/db"
	"gatehouse/keymap"
	"gatehouse/model"
)

// accessData is who was added to a folder and which of its accounts are
// toggled on for each, as the model reports it, with the engine's answer
// to "may this session manage it".
type accessData struct {
	client   model.Client
	accounts []model.Account
	members  []accessMember
	manage   model.Decision
	// byRole are the members whose role reaches every account of the
	// folder whatever its toggles, with the engine's reason: their cells
	// are locked.
	byRole map[int64]model.Decision
	// read is the number of the read that returned it (beginRead).
	read uint64
}

// keys and labels of the members, for a Cursor.
func (d *accessData) memberKeys() ([]int64, []string) {
	ids, names := make([]int64, len(d.members)), make([]string, len(d.members))
	for i, m := range d.members {
		ids[i], names[i] = m.ID, m.Name
	}
	return ids, names
}

// seenAdded is a member as the pop-up or grid showed them: added to this
// folder.
func (d *accessData) seenAdded(m accessMember) model.Seen {
	return model.SeenAdded(m.ID, m.Name, d.client.ID, d.client.Name)
}

// accessMember is one member added to the folder.
type accessMember struct {
	ID    int64
	Name  string
	Email string
	on    map[int64]bool // account id → toggled on
}

func (m accessMember) onCount(accounts []model.Account) int {
	n := 0
	for _, a := range accounts {
		if m.on[a.ID] {
			n++
		}
	}
	return n
}

type accessDataMsg struct {
	clientID int64
	read     uint64 // the read's number (beginRead)
	data     *accessData
	err      error
}

// loadAccess reads a folder, its accounts and its members' toggles.
func loadAccess(sess *Session, clientID int64) tea.Cmd {
	return func() tea.Msg {
		read := beginRead()
		d, err := readAccessAt(sess, clientID, read)
		return accessDataMsg{clientID: clientID, read: read, data: d, err: err}
	}
}

// readAccessAt reads a folder's access as loadAccess does, for the read
// numbered read.
func readAccessAt(sess *Session, clientID int64, read uint64) (*accessData, error) {
	ctx, svc, p := sess.Context(), sess.Svc, sess.Principal
	c, err := svc.GetClient(ctx, p, clientID)
	if err != nil {
		return nil, err
	}
	accounts, err := svc.VisibleAccounts(ctx, p, clientID)
	if err != nil {
		return nil, err
	}
	grants, err := svc.ListGrants(ctx, p, db.GrantQuery{ClientID: clientID})
	if err != nil {
		return nil, err
	}
	t, err := svc.ClientTarget(ctx, p, clientID)
	if err != nil {
		return nil, err
	}
	d := &accessData{client: c, accounts: accounts, manage: sess.Can(model.ActManageAccess, t), read: read}
	index := map[int64]int{}
	for _, g := range grants {
		i, ok := index[g.StaffID]
		if !ok {
			i = len(d.members)
			index[g.StaffID] = i
			d.members = append(d.members, accessMember{ID: g.StaffID, Name: g.StaffName, Email: g.StaffEmail, on: map[int64]bool{}})
		}
		if g.AccountID != 0 {
			d.members[i].on[g.AccountID] = true
		}
	}
	ids, _ := d.memberKeys()
	if d.byRole, err = svc.RoleReach(ctx, p, clientID, ids); err != nil {
		return nil, err
	}
	return d, nil
}

// routeContainer handles what every container treats alike: action
// results and engine gates go to the container that asked (self) or on
// down to the one that did, refreshes to all, keys to the open child. It reports whether msg was consumed.
func routeContainer(self ViewID, child *Dialog, msg tea.Msg, reload func() tea.Cmd) (tea.Cmd, bool) {
	_, nested := (*child).(container)
	switch m := msg.(type) {
	case ActionMsg:
		return nil, true // another screen's
	case clientsAction:
		if m.to != self {
			if !nested {
				return nil, true
			}
			var cmd tea.Cmd
			*child, cmd = (*child).Update(msg)
			return cmd, true
		}
		var cmd tea.Cmd
		*child, cmd = HandleAction(*child, m.ActionMsg)
		if m.Err == nil {
			cmd = tea.Batch(cmd, reload())
		}
		return cmd, true
	case gateMsg:
		if m.to != self {
			if !nested {
				return nil, true
			}
			var cmd tea.Cmd
			*child, cmd = (*child).Update(msg)
			return cmd, true
		}
		d, cmd := openGated(m)
		if d != nil {
			*child = d
		}
		return cmd, true
	case RefreshMsg:
		cmd := reload()
		if *child != nil {
			var c2 tea.Cmd
			*child, c2 = (*child).Update(msg)
			cmd = tea.Batch(cmd, c2)
		}
		return cmd, true
	case tea.KeyMsg:
		if *child != nil {
			var cmd tea.Cmd
			*child, cmd = (*child).Update(msg)
			return cmd, true
		}
		return nil, false
	}
	if *child != nil {
		var cmd tea.Cmd
		*child, cmd = (*child).Update(msg)
		return cmd, false
	}
	return nil, false
}

// manageAccess is the Manage Access pop-up of one folder: the members with
// access, + Staff, Remove staff member, and the per-account grid.
type manageAccess struct {
	id       ViewID // what its dialogs' results are addressed to
	sess     *Session
	keys     keymap.Clients
	clientID int64
	name     string
	data     *accessData
	err      string
	cur      Cursor[int64] // on a member, by id
	reads    newestRead
	top      int
	rows     int // member rows that fit, from the last View
	child    Dialog
}

func newManageAccess(sess *Session, c model.Client) *manageAccess {
	return &manageAccess{id: NewViewID(), sess: sess, keys: keymap.DefaultClients(), clientID: c.ID, name: c.Name, rows: 8}
}

func (m *manageAccess) isContainer() {}

func (m *manageAccess) load() tea.Cmd { return loadAccess(m.sess, m.clientID) }

func (m *manageAccess) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if am, ok := msg.(clientsAction); ok && am.to == m.id {
		m.cur.Acted(am.For, am.Err) // a member taken out leaves the list
	}
	cmd, done := routeContainer(m.id, &m.child, msg, m.load)
	if done {
		return m, cmd
	}
	switch msg := msg.(type) {
	case accessDataMsg:
		if msg.clientID != m.clientID || !m.reads.take(msg.read) {
			return m, cmd
		}
		if msg.err != nil {
			m.err = errText(msg.err)
			return m, cmd
		}
		m.err, m.data, m.name = "", msg.data, msg.data.client.Name
		ids, names := m.data.memberKeys()
		return m, tea.Batch(cmd, hiddenBy(m.child, m.cur.Sync(msg.read, ids, names)))
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, cmd
}

func (m *manageAccess) selected() (accessMember, bool) {
	i := m.cur.Index()
	if m.data == nil || m.cur.Len() == 0 || i >= len(m.data.members) {
		return accessMember{}, false
	}
	return m.data.members[i], true
}

func (m *manageAccess) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := m.sess.Keys.List
	switch {
	case key.Matches(km, keymap.PopupClose):
		return nil, nil
	case key.Matches(km, lk.Up):
		m.cur.Move(-1)
	case key.Matches(km, lk.Down):
		m.cur.Move(1)
	case key.Matches(km, lk.Top):
		m.cur.To(0)
	case key.Matches(km, lk.Bottom):
		m.cur.To(m.cur.Len() - 1)
	default:
		cmd, _ := m.actions().Dispatch(km)
		return m, cmd
	}
	return m, nil
}

// actions are the pop-up's keys beyond moving and closing: adding and
// removing staff are open to a session that may manage the folder's
// access, and say why not to one that may not.
func (m *manageAccess) actions() Actions {
	manages := func() bool { return m.refused() == "" }
	refused := func() tea.Cmd { return Status(m.refused(), true) }
	return Actions{
		{Binding: m.keys.AddStaff, Enabled: manages, Refused: refused, Run: m.addStaff},
		{Binding: m.keys.RemoveStaff, Enabled: manages, Refused: refused, Run: func() tea.Cmd {
			if cmd, gone := m.cur.Vanished(); gone {
				return cmd
			}
			return m.removeStaff()
		}},
		{Binding: m.keys.Grid, Run: m.openGrid},
	}
}

// closeKey is how the pop-up is closed, as its hints say.
var closeKey = withDesc(keymap.PopupClose, "close")

// openGrid opens the per-account grid on the member under the cursor.
func (m *manageAccess) openGrid() tea.Cmd {
	if m.data == nil {
		return nil
	}
	if cmd, gone := m.cur.Vanished(); gone {
		return cmd
	}
	id, _ := m.cur.Key()
	m.child = newAccessGrid(m.sess, m.data, id)
	return nil
}

// refused reports why the session may not manage this folder's access,
// or "" when it may.
func (m *manageAccess) refused() string {
	if m.data == nil {
		return "still loading"
	}
	if !m.data.manage.Allowed {
		return model.Sanitize(m.data.manage.Reason)
	}
	return ""
}

func (m *manageAccess) addStaff() tea.Cmd {
	sess, id, name := m.sess, m.clientID, model.Sanitize(m.name)
	added := map[int64]bool{}
	for _, mem := range m.data.members {
		added[mem.ID] = true
	}
	n := len(m.data.accounts)
	pd := staffPicker(sess, "+ Staff · "+name, "active", nil, added)
	pd.Picker.Intro = fmt.Sprintf("Active members not yet added. They get %s on; turn some off in the grid.", allAccounts(n))
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
		return nil, ownAction(m.id, fmt.Sprintf("Added %s to %s with %s on", model.Sanitize(o.Label), name, allAccounts(n)), func() error {
			return sess.Svc.AddToClient(sess.Context(), sess.Principal, id, o.ID)
		})
	}
	m.child = pd
	return pd.OnFilter("")
}

func (m *manageAccess) removeStaff() tea.Cmd {
	mem, ok := m.selected()
	if !ok {
		return nil
	}
	sess, id, name, seen := m.sess, m.clientID, model.Sanitize(m.name), m.data.seenAdded(mem)
	who := model.Sanitize(mem.Name) + " <" + model.Sanitize(mem.Email) + ">"
	m.child = &ConfirmDialog{Theme: sess.Theme, Recheck: recheck(sess, seen), Confirm: Confirm{
		Title: "Remove staff member", Yes: "Remove", Danger: true,
		Body: fmt.Sprintf("Remove %s from %s? Every account toggle of theirs in this folder goes too.", who, name),
	}, OnYes: func() tea.Cmd {
		return ownActionOn(m.id, m.cur.Record(mem.ID, true), "Removed "+who+" from "+name, func() error {
			return sess.Svc.RemoveFromClient(sess.seenCtx(seen), sess.Principal, id, mem.ID)
		})
	}}
	return checkOnOpen(m.child)
}

func (m *manageAccess) View(w, h int) string {
	if m.child != nil {
		return m.child.View(w, h)
	}
	th := m.sess.Theme
	var b strings.Builder
	b.WriteString(th.Title.Render("Manage Access · "+model.Sanitize(m.name)) + "\n")
	if m.err != "" {
		b.WriteString(th.Error.Render(m.err) + "\n\n" + hintLine(closeKey))
		return b.String()
	}
	if m.data == nil {
		return b.String() + th.Muted.Render("Loading…")
	}
	d := m.data
	b.WriteString(th.Muted.Render(countOf(len(d.accounts), "account")+" · "+countOf(len(d.members), "staff member")+" with access") + "\n")
	if d.manage.Allowed {
		b.WriteString(th.Selected.Render("[+ Staff]") + th.Muted.Render("  press + to add") + "\n\n")
	} else {
		b.WriteString(th.Warning.Render("View only: "+model.Sanitize(d.manage.Reason)) + "\n\n")
	}
	nameW := max(min(w/3, 28), 10)
	emailW := max(w-nameW-16, 10)
	b.WriteString(th.Header.Render("  "+cell("Name", nameW)+" "+cell("Email", emailW)+" "+"Accounts on") + "\n")
	m.rows = max(h-8, 3)
	if len(d.members) == 0 {
		b.WriteString(th.Muted.Render("  No staff added yet. The Owner (and Admins, for client folders) reach it through their role.") + "\n")
	}
	cursor := m.cur.Index()
	if cursor < m.top {
		m.top = cursor
	}
	if cursor >= m.top+m.rows {
		m.top = cursor - m.rows + 1
	}
	for i := m.top; i < min(len(d.members), m.top+m.rows); i++ {
		mem := d.members[i]
		on := fmt.Sprintf("%d of %d", mem.onCount(d.accounts), len(d.accounts))
		line := cell(mem.Name, nameW) + " " + cell(mem.Email, emailW) + " " + on
		if i == cursor {
			b.WriteString(th.Selected.Render("› "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	b.WriteString("\n" + th.Muted.Render(hintLine(m.help()...)))
	return b.String()
}

func (m *manageAccess) help() []key.Binding {
	if h, ok := m.child.(helper); ok && m.child != nil {
		return h.help()
	}
	return append(m.actions().Bindings(), closeKey)
}
