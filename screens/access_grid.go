package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
)

// accessGrid is "Manage Access per account": the folder's members down,
// its accounts across, a toggle in each cell. Every flip is one model call,
// saved and audited at once; the grid then re-reads what the model holds.
type accessGrid struct {
	sess     *Session
	keys     keymap.Clients
	clientID int64
	data     *accessData
	row      int
	col      int
	top      int
	left     int
	visRows  int // from the last View
	visCols  int
	child    Dialog
}

type gridFlipMsg struct {
	clientID int64
	status   string
	err      error
}

func newAccessGrid(sess *Session, d *accessData, row int) *accessGrid {
	return &accessGrid{sess: sess, keys: keymap.DefaultClients(), clientID: d.client.ID, data: d, row: row, visRows: 5, visCols: 3}
}

func (g *accessGrid) isContainer() {}

func (g *accessGrid) load() tea.Cmd { return loadAccess(g.sess, g.clientID) }

func (g *accessGrid) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	cmd, done := routeContainer(g, &g.child, msg, g.load)
	if done {
		return g, cmd
	}
	switch msg := msg.(type) {
	case accessDataMsg:
		if msg.clientID == g.clientID && msg.err == nil {
			g.data = msg.data
			g.clamp()
		}
	case gridFlipMsg:
		if msg.clientID != g.clientID {
			return g, cmd
		}
		st := Status(msg.status, false)
		if msg.err != nil {
			st = Status(errText(msg.err), true)
		}
		return g, tea.Batch(cmd, st, g.load())
	case tea.KeyMsg:
		return g.key(msg)
	}
	return g, cmd
}

func (g *accessGrid) clamp() {
	g.row = min(max(g.row, 0), max(len(g.data.members)-1, 0))
	g.col = min(max(g.col, 0), max(len(g.data.accounts)-1, 0))
}

func (g *accessGrid) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := g.sess.Keys.List
	switch {
	case km.String() == "esc" || km.String() == "q":
		return nil, nil
	case key.Matches(km, lk.Up):
		g.row--
	case key.Matches(km, lk.Down):
		g.row++
	case key.Matches(km, lk.PageUp):
		g.row -= g.visRows
	case key.Matches(km, lk.PageDown):
		g.row += g.visRows
	case key.Matches(km, g.keys.Left):
		g.col--
	case key.Matches(km, g.keys.Right):
		g.col++
	case key.Matches(km, lk.Top):
		g.row = 0
	case key.Matches(km, lk.Bottom):
		g.row = len(g.data.members) - 1
	case key.Matches(km, g.keys.ToggleCell):
		return g, g.flipCell()
	case key.Matches(km, g.keys.ToggleRow):
		return g, g.flipRow()
	case key.Matches(km, g.keys.ToggleCol):
		return g, g.flipColumn()
	case key.Matches(km, g.keys.WhoCanReach):
		if acc, ok := g.account(); ok {
			r := newReach(g.sess, acc.ID, g.data.client.Name+" / "+acc.Name)
			g.child = r
			return g, r.load()
		}
	}
	g.clamp()
	return g, nil
}

func (g *accessGrid) account() (model.Account, bool) {
	if g.col < 0 || g.col >= len(g.data.accounts) {
		return model.Account{}, false
	}
	return g.data.accounts[g.col], true
}

func (g *accessGrid) member() (accessMember, bool) {
	if g.row < 0 || g.row >= len(g.data.members) {
		return accessMember{}, false
	}
	return g.data.members[g.row], true
}

func (g *accessGrid) flipCell() tea.Cmd {
	mem, ok1 := g.member()
	acc, ok2 := g.account()
	if !ok1 || !ok2 {
		return nil
	}
	on := !mem.on[acc.ID]
	state := map[bool]string{true: "on", false: "off"}[on]
	what := fmt.Sprintf("%s: %s turned %s", model.Sanitize(mem.Name), model.Sanitize(acc.Name), state)
	return g.flip([]model.AccessCell{{StaffID: mem.ID, AccountID: acc.ID}}, on, what)
}

// flipRow turns every account of the member on, or all off when all are
// on already.
func (g *accessGrid) flipRow() tea.Cmd {
	mem, ok := g.member()
	if !ok {
		return nil
	}
	on := mem.onCount(g.data.accounts) < len(g.data.accounts)
	var cells []model.AccessCell
	for _, acc := range g.data.accounts {
		if mem.on[acc.ID] != on {
			cells = append(cells, model.AccessCell{StaffID: mem.ID, AccountID: acc.ID})
		}
	}
	state := map[bool]string{true: "on", false: "off"}[on]
	return g.flip(cells, on, fmt.Sprintf("%s: every account turned %s", model.Sanitize(mem.Name), state))
}

// flipColumn turns an account on for every member, or off for all when it
// is on for all already.
func (g *accessGrid) flipColumn() tea.Cmd {
	acc, ok := g.account()
	if !ok {
		return nil
	}
	on := false
	for _, mem := range g.data.members {
		if !mem.on[acc.ID] {
			on = true
		}
	}
	var cells []model.AccessCell
	for _, mem := range g.data.members {
		if mem.on[acc.ID] != on {
			cells = append(cells, model.AccessCell{StaffID: mem.ID, AccountID: acc.ID})
		}
	}
	state := map[bool]string{true: "on", false: "off"}[on]
	return g.flip(cells, on, fmt.Sprintf("%s turned %s for every member", model.Sanitize(acc.Name), state))
}

// flip saves the cells in one model call (one transaction, each flip
// audited in it: a row or column is never left half flipped), showing the
// new state at once; the grid re-reads the truth when it is done.
func (g *accessGrid) flip(cells []model.AccessCell, on bool, what string) tea.Cmd {
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
	return func() tea.Msg {
		var err error
		if len(cells) == 1 {
			err = sess.Svc.SetAccountAccess(bg(), sess.Principal, cells[0].AccountID, cells[0].StaffID, on)
		} else {
			_, err = sess.Svc.SetAccessCells(bg(), sess.Principal, id, cells, on)
		}
		return gridFlipMsg{clientID: id, status: what, err: err}
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
	g.visCols = max((w-lipgloss.Width(gridMark)-nameW)/gridColW, 1)
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
	head := strings.Repeat(" ", lipgloss.Width(gridMark)) + cell("Member", nameW)
	for j := g.left; j < end; j++ {
		head += " " + cell(d.accounts[j].Name, gridColW-1)
	}
	b.WriteString(th.Header.Render(head) + "\n")
	if len(d.members) == 0 {
		b.WriteString(th.Muted.Render("  No staff added yet: press esc, then + to add.") + "\n")
	}
	for i := g.top; i < min(len(d.members), g.top+g.visRows); i++ {
		b.WriteString(g.rowView(i, nameW, end) + "\n")
	}
	hints := "space toggle · R row · C column · ←/→ accounts · w who can reach · esc back"
	if !d.manage.Allowed {
		hints = "←/→ accounts · w who can reach · esc back"
	}
	b.WriteString("\n" + th.Muted.Render(hints))
	return b.String()
}

func (g *accessGrid) rowView(i, nameW, end int) string {
	th := g.sess.Theme
	mem := g.data.members[i]
	mark := strings.Repeat(" ", lipgloss.Width(gridMark))
	name := cell(mem.Name, nameW)
	if i == g.row {
		mark = gridMark
		name = th.Header.Render(name)
	}
	line := mark + name
	for j := g.left; j < end; j++ {
		on := mem.on[g.data.accounts[j].ID]
		box := "[ ]"
		if on {
			box = "[✓]"
		}
		if i == g.row && j == g.col {
			box = "›" + box[1:len(box)-1] + "‹"
			if on {
				box = "›✓‹"
			}
			box = th.Selected.Render(box)
		} else if on {
			box = th.Success.Render(box)
		}
		line += " " + box + strings.Repeat(" ", gridColW-1-3)
	}
	return line
}

// scroll keeps the cursor's row and column in view.
func (g *accessGrid) scroll() {
	if g.row < g.top {
		g.top = g.row
	}
	if g.row >= g.top+g.visRows {
		g.top = g.row - g.visRows + 1
	}
	if g.col < g.left {
		g.left = g.col
	}
	if g.col >= g.left+g.visCols {
		g.left = g.col - g.visCols + 1
	}
	g.top, g.left = max(g.top, 0), max(g.left, 0)
}

func (g *accessGrid) help() []key.Binding {
	if h, ok := g.child.(helper); ok {
		return h.help()
	}
	out := []key.Binding{g.keys.Left, g.keys.Right, g.keys.WhoCanReach}
	if g.data.manage.Allowed {
		out = append([]key.Binding{g.keys.ToggleCell, g.keys.ToggleRow, g.keys.ToggleCol}, out...)
	}
	return append(out, g.sess.Keys.List.Back)
}
