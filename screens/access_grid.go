package screens

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// accessGrid is "Manage Access per account": the folder's members down,
// its accounts across, a toggle in each cell. Every flip is one model call,
// saved and audited at once; the grid then re-reads what the model holds.
type accessGrid struct {
	id       ViewID // what its dialogs' results are addressed to
	sess     *Session
	keys     keymap.Clients
	clientID int64
	data     *accessData
	rows     Cursor[int64] // on a member, by id
	cols     Cursor[int64] // on an account, by id
	reads    newestRead
	top      int
	left     int
	visRows  int // from the last View
	visCols  int
	child    Dialog
}

type gridFlipMsg struct {
	clientID int64
	// members and accounts are the records the flip was for, in the rows
	// and columns.
	members, accounts Record
	status            string
	err               error
}

// newAccessGrid opens the grid of a folder with the cursor on member staffID.
func newAccessGrid(sess *Session, d *accessData, staffID int64) *accessGrid {
	g := &accessGrid{id: NewViewID(), sess: sess, keys: keymap.DefaultClients(), clientID: d.client.ID, data: d, visRows: 5, visCols: 3}
	g.reads.take(d.read)
	g.sync()
	if ids, _ := d.memberKeys(); indexOf(ids, staffID) >= 0 {
		g.rows.To(indexOf(ids, staffID))
	}
	return g
}

// sync follows the cursor's member and account in data just read.
func (g *accessGrid) sync() tea.Cmd {
	ids, names := make([]int64, len(g.data.accounts)), make([]string, len(g.data.accounts))
	for i, a := range g.data.accounts {
		ids[i], names[i] = a.ID, "account "+a.Name
	}
	mids, mnames := g.data.memberKeys()
	return tea.Batch(g.rows.Sync(g.data.read, mids, mnames), g.cols.Sync(g.data.read, ids, names))
}

func (g *accessGrid) isContainer() {}

func (g *accessGrid) load() tea.Cmd { return loadAccess(g.sess, g.clientID) }

func (g *accessGrid) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	cmd, done := routeContainer(g.id, &g.child, msg, g.load)
	if done {
		return g, cmd
	}
	switch msg := msg.(type) {
	case accessDataMsg:
		if msg.clientID == g.clientID && msg.err == nil && g.reads.take(msg.read) {
			g.data = msg.data
			return g, tea.Batch(cmd, g.sync())
		}
	case gridFlipMsg:
		if msg.clientID != g.clientID {
			return g, cmd
		}
		st := Status(msg.status, false)
		if msg.err != nil {
			st = Status(errText(msg.err), true)
			g.rows.Acted(msg.members, msg.err)
			g.cols.Acted(msg.accounts, msg.err)
		}
		return g, tea.Batch(cmd, st, g.load())
	case tea.KeyMsg:
		return g.key(msg)
	}
	return g, cmd
}

func (g *accessGrid) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := g.sess.Keys.List
	switch {
	case key.Matches(km, keymap.PopupClose):
		return nil, nil
	case key.Matches(km, lk.Up):
		g.rows.Move(-1)
	case key.Matches(km, lk.Down):
		g.rows.Move(1)
	case key.Matches(km, lk.PageUp):
		g.rows.Move(-g.visRows)
	case key.Matches(km, lk.PageDown):
		g.rows.Move(g.visRows)
	case key.Matches(km, g.keys.Left):
		g.cols.Move(-1)
	case key.Matches(km, g.keys.Right):
		g.cols.Move(1)
	case key.Matches(km, lk.Top):
		g.rows.To(0)
	case key.Matches(km, lk.Bottom):
		g.rows.To(g.rows.Len() - 1)
	case key.Matches(km, g.keys.ToggleCell), key.Matches(km, g.keys.ToggleRow), key.Matches(km, g.keys.ToggleCol), key.Matches(km, g.keys.WhoCanReach):
		// Meant for the member and account that were under the cursor:
		// if either vanished just before, nothing is done.
		if cmd, gone := g.rows.Vanished(); gone {
			return g, cmd
		}
		if cmd, gone := g.cols.Vanished(); gone {
			return g, cmd
		}
		return g, g.act(km)
	}
	return g, nil
}

// act runs an action key on the member and account under the cursor.
func (g *accessGrid) act(km tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(km, g.keys.ToggleCell):
		return g.flipCell()
	case key.Matches(km, g.keys.ToggleRow):
		return g.flipRow()
	case key.Matches(km, g.keys.ToggleCol):
		return g.flipColumn()
	}
	if acc, ok := g.account(); ok {
		r := newReach(g.sess, acc.ID, g.data.client.Name+" / "+acc.Name)
		g.child = r
		return r.load()
	}
	return nil
}

func (g *accessGrid) account() (model.Account, bool) {
	if g.cols.Len() == 0 || g.cols.Index() >= len(g.data.accounts) {
		return model.Account{}, false
	}
	return g.data.accounts[g.cols.Index()], true
}

func (g *accessGrid) member() (accessMember, bool) {
	if g.rows.Len() == 0 || g.rows.Index() >= len(g.data.members) {
		return accessMember{}, false
	}
	return g.data.members[g.rows.Index()], true
}

func (g *accessGrid) flipCell() tea.Cmd {
	mem, ok1 := g.member()
	acc, ok2 := g.account()
	if !ok1 || !ok2 {
		return nil
	}
	if d, ok := g.data.byRole[mem.ID]; ok {
		return Status(lockedText(mem.Name, acc.Name, d), false)
	}
	on := !mem.on[acc.ID]
	state := map[bool]string{true: "on", false: "off"}[on]
	what := fmt.Sprintf("%s: %s turned %s", model.Sanitize(mem.Name), model.Sanitize(acc.Name), state)
	return g.flip([]model.AccessCell{{StaffID: mem.ID, AccountID: acc.ID}}, on, what, g.data.seenAdded(mem), g.seenAccount(acc))
}

func (g *accessGrid) seenAccount(acc model.Account) model.Seen {
	return model.SeenAccountOf(acc, g.data.client.Name)
}

// flipRow turns every account of the member on, or all off when all are
// on already.
func (g *accessGrid) flipRow() tea.Cmd {
	mem, ok := g.member()
	if !ok {
		return nil
	}
	if d, ok := g.data.byRole[mem.ID]; ok {
		return Status(lockedText(mem.Name, "every account", d), false)
	}
	on := mem.onCount(g.data.accounts) < len(g.data.accounts)
	var cells []model.AccessCell
	seen := []model.Seen{g.data.seenAdded(mem)}
	for _, acc := range g.data.accounts {
		if mem.on[acc.ID] != on {
			cells = append(cells, model.AccessCell{StaffID: mem.ID, AccountID: acc.ID})
			seen = append(seen, g.seenAccount(acc))
		}
	}
	state := map[bool]string{true: "on", false: "off"}[on]
	return g.flip(cells, on, fmt.Sprintf("%s: every account turned %s", model.Sanitize(mem.Name), state), seen...)
}

// flipColumn turns an account on for every member, or off for all when it
// is on for all already.
func (g *accessGrid) flipColumn() tea.Cmd {
	acc, ok := g.account()
	if !ok {
		return nil
	}
	on, locked := false, 0
	for _, mem := range g.data.members {
		if _, ok := g.data.byRole[mem.ID]; ok {
			locked++
		} else if !mem.on[acc.ID] {
			on = true
		}
	}
	if locked > 0 && locked == len(g.data.members) {
		return Status(fmt.Sprintf("Every member here reaches %s through their role; a toggle changes nothing.", model.Sanitize(acc.Name)), false)
	}
	var cells []model.AccessCell
	seen := []model.Seen{g.seenAccount(acc)}
	for _, mem := range g.data.members {
		if _, ok := g.data.byRole[mem.ID]; ok {
			continue
		}
		if mem.on[acc.ID] != on {
			cells = append(cells, model.AccessCell{StaffID: mem.ID, AccountID: acc.ID})
			seen = append(seen, g.data.seenAdded(mem))
		}
	}
	state := map[bool]string{true: "on", false: "off"}[on]
	what := fmt.Sprintf("%s turned %s for every member", model.Sanitize(acc.Name), state)
	if locked > 0 {
		what = fmt.Sprintf("%s turned %s for every member but %d who reach it through their role", model.Sanitize(acc.Name), state, locked)
	}
	return g.flip(cells, on, what, seen...)
}

// lockedText says why a toggle of a cell reached through the role
// changes nothing.
func lockedText(member, what string, d model.Decision) string {
	return fmt.Sprintf("%s reaches %s through their role, whatever the toggle: %s. Nothing changed.",
		model.Sanitize(member), model.Sanitize(what), model.Sanitize(d.Reason))
}

// flip saves the cells in one model call (one transaction, each flip
// audited in it: a row or column is never left half flipped), showing the
// new state at once; the grid re-reads the truth when it is done.
func (g *accessGrid) flip(cells []model.AccessCell, on bool, what string, seen ...model.Seen) tea.Cmd {
	if !g.data.manage.Allowed {
		return refusal(g.data.manage)
	}
	if len(cells) == 0 {
		return nil
	}
	for _, c := range cells {
		for i := range g.data.members {
			if g.data.members[i].ID == c.StaffID {
				g.data.members[i].on[c.AccountID] = on
			}
		}
	}
	sess, id := g.sess, g.clientID
	var mids, aids []int64
	for _, c := range cells {
		if !slices.Contains(mids, c.StaffID) {
			mids = append(mids, c.StaffID)
		}
		if !slices.Contains(aids, c.AccountID) {
			aids = append(aids, c.AccountID)
		}
	}
	// A toggle takes no member or account out of the grid.
	members, accounts := g.rows.Records(mids, false), g.cols.Records(aids, false)
	return func() tea.Msg {
		var err error
		ctx := sess.seenCtx(seen...)
		if len(cells) == 1 {
			err = sess.Svc.SetAccountAccess(ctx, sess.Principal, cells[0].AccountID, cells[0].StaffID, on)
		} else {
			_, err = sess.Svc.SetAccessCells(ctx, sess.Principal, id, cells, on)
		}
		return gridFlipMsg{clientID: id, members: members, accounts: accounts, status: what, err: err}
	}
}

const (
	gridColW = 12 // one account column, its gap included
	gridMark = "› "
)

func (g *accessGrid) View(w, h int) string {
	if g.child != nil {
		return g.child.View(w, h)
	}
	th := g.sess.Theme
	d := g.data
	nameW := max(min(w/3, 26), 8)
	g.visCols = max((w-model.DisplayWidth(gridMark)-nameW)/gridColW, 1)
	g.visRows = max(h-7, 2)
	g.scroll()
	var b strings.Builder
	b.WriteString(th.Title.Render("Manage Access per account · "+model.Sanitize(d.client.Name)) + "\n")
	n := len(d.accounts)
	end := min(g.left+g.visCols, n)
	span := "no accounts yet"
	if n > 0 {
		span = fmt.Sprintf("accounts %d–%d of %d", g.left+1, end, n)
		if g.left > 0 {
			span = "‹ " + span
		}
		if end < n {
			span += " ›"
		}
	}
	if !d.manage.Allowed {
		span += " · view only"
	}
	b.WriteString(th.Muted.Render(span) + "\n\n")
	head := strings.Repeat(" ", model.DisplayWidth(gridMark)) + cell("Member", nameW)
	for j := g.left; j < end; j++ {
		head += "  " + cell(d.accounts[j].Name, gridColW-2)
	}
	b.WriteString(th.Header.Render(head) + "\n")
	if len(d.members) == 0 {
		b.WriteString(th.Muted.Render("  No staff added yet: press esc, then + to add.") + "\n")
	}
	for i := g.top; i < min(len(d.members), g.top+g.visRows); i++ {
		b.WriteString(g.rowView(i, nameW, end) + "\n")
	}
	if len(d.byRole) > 0 {
		// The legend of the locked cells, and the reason of the member
		// under the cursor when theirs is.
		legend := lockedBox + " reached through the role: a toggle changes nothing"
		if mem, ok := g.member(); ok {
			if why, ok := d.byRole[mem.ID]; ok {
				legend += " · " + why.Reason
			}
		}
		b.WriteString("\n" + th.Muted.Render(cell(legend, w)))
	}
	b.WriteString("\n" + th.Muted.Render(hintLine(g.help()...)))
	return b.String()
}

// lockedBox is a cell reached through the member's role.
const lockedBox = "(✓)"

func (g *accessGrid) rowView(i, nameW, end int) string {
	th := g.sess.Theme
	mem := g.data.members[i]
	mark := strings.Repeat(" ", model.DisplayWidth(gridMark))
	name := cell(mem.Name, nameW)
	row, col := g.rows.Index(), g.cols.Index()
	if i == row {
		mark = gridMark
		name = th.Header.Render(name)
	}
	line := mark + name
	_, locked := g.data.byRole[mem.ID]
	for j := g.left; j < end; j++ {
		on := mem.on[g.data.accounts[j].ID]
		box := "[ ]"
		switch {
		case locked:
			box, on = lockedBox, false
		case on:
			box = "[✓]"
		}
		// The cell under the cursor keeps its box, marked on both sides:
		// an off cell reads "›[ ]‹", never an empty "› ‹".
		switch {
		case i == row && j == col:
			box = th.Selected.Render("›" + box + "‹")
		case on:
			box = " " + th.Success.Render(box) + " "
		default:
			box = " " + box + " "
		}
		line += " " + box + strings.Repeat(" ", gridColW-1-5)
	}
	return line
}

// scroll keeps the cursor's row and column in view.
func (g *accessGrid) scroll() {
	row, col := g.rows.Index(), g.cols.Index()
	if row < g.top {
		g.top = row
	}
	if row >= g.top+g.visRows {
		g.top = row - g.visRows + 1
	}
	if col < g.left {
		g.left = col
	}
	if col >= g.left+g.visCols {
		g.left = col - g.visCols + 1
	}
	g.top, g.left = max(g.top, 0), max(g.left, 0)
}

func (g *accessGrid) help() []key.Binding {
	if h, ok := g.child.(helper); ok {
		return h.help()
	}
	out := []key.Binding{g.keys.Across, g.keys.WhoCanReach}
	if g.data.manage.Allowed {
		out = append([]key.Binding{g.keys.ToggleCell, g.keys.ToggleRow, g.keys.ToggleCol}, out...)
	}
	return append(out, keymap.PopupClose)
}
