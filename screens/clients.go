package screens

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"gatehouse/keymap"
	"gatehouse/model"
)

// clientsScreen is the Clients tab: the client folders the session may
// see, paged in SQL, with the folder actions, a folder's detail, the
// Manage Access pop-up and bulk reassign opened over it.
type clientsScreen struct {
	id    ViewID // what its dialogs' results are addressed to
	sess  *Session
	keys  keymap.Clients
	table *Table

	held    []model.Client // the rows the table holds, from heldOff on
	heldOff int

	filter    filterInput
	filtering bool
	text      string // the filter the list was queried with
	filterSeq int    // the newest pause in typing; older ones are dropped
	sortIdx   int
	desc      bool
	archived  bool

	dialog Dialog
	width  int
	height int
	seq    int // the newest list query; older answers are dropped
	loaded bool
}

// clientSorts are the orders the list cycles through with s, and the
// column each marks (-1: none shown).
var clientSorts = []struct {
	key string
	col int
}{{"name", 0}, {"owner", 1}, {"department", 2}, {"created", -1}}

// clientsFilterDelay is how long typing in the filter pauses before the
// list is queried again, as on the Staff screen: at 100,000 folders a
// filtered count takes ~100 ms, so one query per pause, not one per key.
var clientsFilterDelay = 150 * time.Millisecond

type clientsFilterMsg struct{ seq int }

type clientsPageMsg struct {
	seq    int
	read   uint64 // the read's number (beginRead)
	offset int
	total  int
	rows   []model.Client
	err    error
}

// clientsLocateMsg is where the folder under the cursor stands in the list
// after a re-read that did not hold its row.
type clientsLocateMsg struct {
	seq int
	id  int64
	pos int
	err error
}

// NewClients returns the Clients screen.
func NewClients(sess *Session) Screen {
	c := &clientsScreen{
		id: NewViewID(), sess: sess, keys: keymap.DefaultClients(), filter: newFilterInput("filter by name"),
		table: NewTable(sess.Theme, []Column{
			{Title: "Client", Min: 16, Grow: 3},
			{Title: "Owner", Min: 12, Grow: 2, Drop: 2},
			{Title: "Department", Min: 10, Grow: 1, Drop: 3},
			{Title: "Accounts", Min: 8},
			{Title: "Staff", Min: 5},
		}),
		width: 80, height: 20,
	}
	c.table.SetEmpty("No client folders match.")
	c.table.SetSort(0, false)
	c.layout()
	return c
}

func (c *clientsScreen) Title() string { return "Clients" }

func (c *clientsScreen) Init() tea.Cmd { return c.requery() }

func (c *clientsScreen) SetSize(w, h int) {
	c.width, c.height = max(w, 20), max(h, 5)
	c.layout()
}

func (c *clientsScreen) layout() {
	c.table.SetSize(c.width, c.height-1)
	c.filter.Width = max(c.width-30, 10)
}

func (c *clientsScreen) Capturing() bool {
	if cp, ok := c.dialog.(capturer); ok {
		return c.filtering || cp.capturing()
	}
	return c.filtering || c.dialog != nil
}

func (c *clientsScreen) query(offset, limit int) model.ClientQuery {
	return model.ClientQuery{Text: c.text, Archived: c.archived,
		Sort: clientSorts[c.sortIdx].key, Desc: c.desc, Limit: limit, Offset: offset}
}

func (c *clientsScreen) fetch(offset, limit int) tea.Cmd {
	return c.fetchQuery(c.query(offset, limit))
}

func (c *clientsScreen) fetchQuery(q model.ClientQuery) tea.Cmd {
	offset, seq, sess := q.Offset, c.seq, c.sess
	return func() tea.Msg {
		read := beginRead()
		rows, total, err := sess.Svc.ListClients(sess.Context(), sess.Principal, q)
		return clientsPageMsg{seq: seq, read: read, offset: offset, total: total, rows: rows, err: err}
	}
}

// requery starts the list over after the filter, sort or view changed.
func (c *clientsScreen) requery() tea.Cmd {
	c.seq++
	c.table.Reset()
	c.held, c.heldOff = nil, 0
	return c.fetch(0, 3*c.table.PageSize())
}

// reload fetches the window around the cursor again (data changed).
func (c *clientsScreen) reload() tea.Cmd {
	c.seq++
	page := c.table.PageSize()
	return c.fetch(max(c.table.Cursor()-page, 0), 3*page)
}

func (c *clientsScreen) maybeFetch() tea.Cmd {
	if miss, off, n := c.table.Missing(); miss {
		c.seq++
		// Scrolling: the list was counted when it was (re)loaded.
		q := c.query(off, n)
		q.KnownTotal = true
		return c.fetchQuery(q)
	}
	return nil
}

func (c *clientsScreen) setPage(m clientsPageMsg) tea.Cmd {
	if m.seq != c.seq {
		return nil
	}
	if m.err != nil {
		return Status(errText(m.err), true)
	}
	c.loaded = true
	c.held, c.heldOff = m.rows, m.offset
	rows := make([][]string, len(m.rows))
	ids := make([]int64, len(m.rows))
	for i, cl := range m.rows {
		rows[i], ids[i] = clientRow(cl), cl.ID
	}
	total := m.total
	if total < 0 {
		total = c.table.Total()
	}
	follow, note := c.table.SetKeyedRows(m.read, m.offset, total, rows, ids)
	if follow == FollowLocate {
		id, _, _ := c.table.Selected()
		return c.locate(id)
	}
	return tea.Batch(note, c.maybeFetch())
}

// locate asks where the folder under the cursor stands now.
func (c *clientsScreen) locate(id int64) tea.Cmd {
	seq, q, sess := c.seq, c.query(0, 0), c.sess
	return func() tea.Msg {
		pos, err := sess.Svc.ClientPosition(sess.Context(), sess.Principal, q, id)
		return clientsLocateMsg{seq: seq, id: id, pos: pos, err: err}
	}
}

// located puts the cursor on the folder's new row, or on the next one when
// the list no longer holds it, and fetches the rows around it.
func (c *clientsScreen) located(m clientsLocateMsg) tea.Cmd {
	if m.seq != c.seq {
		return nil // a newer read follows the cursor itself
	}
	return tea.Batch(c.table.Located(m.pos, m.err), c.maybeFetch())
}

// clientName is how a folder's name reads in lists: the internal folder
// is marked so nobody mistakes the firm's own accounts for a client's.
func clientName(cl model.Client) string {
	if cl.Internal {
		return "◆ " + model.Sanitize(cl.Name) + " (internal)"
	}
	return model.Sanitize(cl.Name)
}

func clientRow(cl model.Client) []string {
	owner := model.Sanitize(cl.OwnerName)
	if owner == "" {
		owner = "—"
	}
	dept := model.Sanitize(cl.DepartmentName)
	if dept == "" {
		dept = "—"
	}
	return []string{clientName(cl), owner, dept, fmt.Sprint(cl.Accounts), fmt.Sprint(cl.Staff)}
}

// selected is the folder under the cursor, by identity: none while its
// row is being found again after a re-read.
func (c *clientsScreen) selected() (model.Client, bool) {
	_, i, ok := c.table.Selected()
	if !ok || i >= len(c.held) {
		return model.Client{}, false
	}
	return c.held[i], true
}

func (c *clientsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch m := msg.(type) {
	case clientsPageMsg:
		return c, c.setPage(m)
	case clientsLocateMsg:
		return c, c.located(m)
	case clientsFilterMsg:
		return c, c.applyFilter(m.seq == c.filterSeq)
	case RefreshMsg:
		cmds := []tea.Cmd{c.reload()}
		if c.dialog != nil {
			var cmd tea.Cmd
			c.dialog, cmd = c.dialog.Update(msg)
			cmds = append(cmds, cmd)
		}
		return c, tea.Batch(cmds...)
	case gateMsg:
		if m.to == c.id {
			return c, c.gated(m)
		}
		return c, c.toNested(msg)
	case clientsAction:
		if m.to != c.id {
			return c, c.toNested(msg)
		}
		var cmd tea.Cmd
		c.dialog, cmd = HandleAction(c.dialog, m.ActionMsg)
		c.table.Acted(m.For, m.Err) // an archived or renamed folder may leave the list
		return c, tea.Batch(cmd, c.reload())
	case ActionMsg:
		return c, nil // another screen's
	}
	if c.dialog != nil {
		var cmd tea.Cmd
		c.dialog, cmd = c.dialog.Update(msg)
		if c.dialog == nil {
			cmd = tea.Batch(cmd, c.reload())
		}
		return c, cmd
	}
	if c.filtering {
		return c, c.updateFilter(msg)
	}
	if km, ok := msg.(tea.KeyMsg); ok {
		return c, c.updateKey(km)
	}
	return c, nil
}

// toNested passes a message addressed to someone else to the open
// container, which may be (or hold) its addressee.
func (c *clientsScreen) toNested(msg tea.Msg) tea.Cmd {
	if _, nested := c.dialog.(container); !nested {
		return nil
	}
	var cmd tea.Cmd
	c.dialog, cmd = c.dialog.Update(msg)
	return cmd
}

func (c *clientsScreen) updateFilter(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, keymap.DialogCancel):
			c.filtering = false
			c.filter.Blur()
			c.filter.Clear()
			return c.applyFilter(true)
		case key.Matches(km, keymap.FilterKeep):
			c.filtering = false
			c.filter.Blur()
			return c.applyFilter(true)
		}
	}
	before := c.filter.Value()
	cmd := c.filter.Update(msg)
	if c.filter.Value() == before {
		return cmd
	}
	c.filterSeq++
	seq := c.filterSeq
	return tea.Batch(cmd, tea.Tick(clientsFilterDelay, func(time.Time) tea.Msg { return clientsFilterMsg{seq: seq} }))
}

// applyFilter queries the list with the filter as typed, if now (a pause in
// typing that is still the newest, or the filter was left) and it changed.
func (c *clientsScreen) applyFilter(now bool) tea.Cmd {
	v := strings.TrimSpace(c.filter.Value())
	if !now || v == c.text {
		return nil
	}
	c.text = v
	return c.requery()
}

func (c *clientsScreen) updateKey(km tea.KeyMsg) tea.Cmd {
	lk, ck := c.sess.Keys.List, c.keys
	if c.table.Update(km, lk) {
		return c.maybeFetch()
	}
	switch {
	case key.Matches(km, lk.Back):
		c.filter.Clear()
		return c.applyFilter(true)
	case key.Matches(km, ck.SortDir):
		c.desc = !c.desc
		c.table.SetSort(clientSorts[c.sortIdx].col, c.desc)
		return c.requery()
	}
	cmd, _ := c.actions().Dispatch(km)
	return cmd
}

// actions are the Clients list's keys, in the order its help lists them:
// the list's own, then those on the folder under the cursor. A write the
// session's role does not allow on any folder is left out of the help;
// its key still asks the engine (about the folder, for a folder's), which
// says why in the status line.
func (c *clientsScreen) actions() Actions {
	lk, ck := c.sess.Keys.List, c.keys
	module := model.Target{Module: model.ModuleClients}
	may := func(a model.Action) func() bool {
		return func() bool { return c.sess.Can(a, module).Allowed }
	}
	refused := func(a model.Action) func() tea.Cmd {
		return func() tea.Cmd { return RefusedAction(c.sess, a, module) }
	}
	rename := c.onFolder(func(cl model.Client) tea.Cmd { return c.gate(cl.ID, model.ActUpdate, asSeen(cl, c.renameDialog)) })
	owner := c.onFolder(func(cl model.Client) tea.Cmd { return c.gate(cl.ID, model.ActUpdate, asSeen(cl, c.ownerDialog)) })
	department := c.onFolder(func(cl model.Client) tea.Cmd {
		return c.gate(cl.ID, model.ActUpdate, asSeen(cl, c.departmentDialog))
	})
	archive := c.onFolder(func(cl model.Client) tea.Cmd {
		if c.archived {
			return c.gate(cl.ID, model.ActUpdate, asSeen(cl, c.restoreDialog))
		}
		return c.gate(cl.ID, model.ActDelete, asSeen(cl, c.archiveDialog))
	})
	return Actions{
		{Binding: lk.Open, Run: c.onFolder(func(cl model.Client) tea.Cmd {
			d := newClientDetail(c.sess, cl)
			c.dialog = d
			return d.load()
		})},
		{Binding: ck.ManageAccess, Run: c.onFolder(func(cl model.Client) tea.Cmd {
			ma := newManageAccess(c.sess, cl)
			c.dialog = ma
			return ma.load()
		})},
		{Binding: keymap.AuditFor, Run: c.onFolder(func(cl model.Client) tea.Cmd {
			d, cmd := clientAudit(c.sess, cl.ID)
			if d != nil {
				c.dialog = d
			}
			return cmd
		})},
		{Binding: lk.Filter, Run: func() tea.Cmd {
			// The filter in force, selected: typing starts a new search
			// rather than adding to the last one; ←/→ edit it.
			c.filtering = true
			return c.filter.Open(c.text)
		}},
		{Binding: lk.Sort, Run: func() tea.Cmd {
			c.sortIdx = (c.sortIdx + 1) % len(clientSorts)
			c.table.SetSort(clientSorts[c.sortIdx].col, c.desc)
			return tea.Batch(c.requery(), Status("Sorted by "+clientSorts[c.sortIdx].key, false))
		}},
		{Binding: ck.New, Enabled: may(model.ActCreate), Refused: refused(model.ActCreate), Run: c.openCreate},
		{Binding: ck.Rename, Enabled: may(model.ActUpdate), Refused: rename, Run: rename},
		{Binding: ck.Owner, Enabled: may(model.ActUpdate), Refused: owner, Run: owner},
		{Binding: ck.Department, Enabled: may(model.ActUpdate), Refused: department, Run: department},
		{Binding: ck.Reassign, Enabled: may(model.ActUpdate), Refused: refused(model.ActUpdate), Run: func() tea.Cmd {
			r := newReassign(c.sess)
			r.setSize(c.width, c.height)
			c.dialog = r
			return r.start()
		}},
		{Binding: ck.Archive, Enabled: may(model.ActDelete), Refused: archive, Run: archive},
		{Binding: ck.ShowArchived, Run: func() tea.Cmd {
			c.archived = !c.archived
			return c.requery()
		}},
	}
}

// onFolder runs act on the folder under the cursor: refused if the one
// the key was meant for vanished just before, nothing with none.
func (c *clientsScreen) onFolder(act func(model.Client) tea.Cmd) func() tea.Cmd {
	return func() tea.Cmd {
		if cmd, gone := c.table.Vanished(); gone {
			return cmd
		}
		cl, ok := c.selected()
		if !ok {
			return nil
		}
		return act(cl)
	}
}

func (c *clientsScreen) View() string {
	base := c.listView()
	if c.dialog == nil {
		return base
	}
	if fs, ok := c.dialog.(fullScreen); ok && fs.fullScreen() {
		return c.dialog.View(c.width, c.height)
	}
	return overlay(base, popup(c.sess, c.dialog, c.width, c.height), c.width, c.height)
}

func (c *clientsScreen) listView() string {
	th := c.sess.Theme
	title := "Clients"
	if c.archived {
		title = "Archived clients"
	}
	head := th.Title.Render(title) + th.Muted.Render(fmt.Sprintf(" · %s · sorted by %s", folders(c.table.Total()), clientSorts[c.sortIdx].key))
	if c.desc {
		head += th.Muted.Render(" (reversed)")
	}
	switch {
	case c.filtering:
		head += "  " + c.filter.View(th)
	case c.filter.Value() != "":
		head += "  " + th.Warning.Render("filter: "+model.Sanitize(c.filter.Value()))
	}
	head = ansi.Truncate(head, c.width, "…")
	if !c.loaded {
		return head + "\n" + th.Muted.Render("Loading…")
	}
	return head + "\n" + c.table.View()
}

// folders counts folders in words: "1 folder", "2,500 folders".
func folders(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if n == 1 {
		return s + " folder"
	}
	return s + " folders"
}

func (c *clientsScreen) ShortHelp() []key.Binding {
	if h, ok := c.dialog.(helper); ok && c.dialog != nil {
		return h.help()
	}
	if c.filtering {
		return filterHelp
	}
	return c.actions().Bindings()
}

func (c *clientsScreen) FullHelp() [][]key.Binding {
	lk := c.sess.Keys.List
	if h, ok := c.dialog.(helper); ok && c.dialog != nil {
		// The list's paging and sorting do nothing while a view is open
		// over it; ↑/↓ move in every one.
		return [][]key.Binding{h.help(), {lk.Up, lk.Down}}
	}
	if c.filtering {
		return [][]key.Binding{filterHelp}
	}
	return [][]key.Binding{c.ShortHelp(), {lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top, lk.Bottom, c.keys.SortDir, lk.Back}}
}

// container is a dialog that holds dialogs of its own (the pop-up, the
// detail, bulk reassign): action results go to it, not to HandleAction.
type container interface {
	Dialog
	isContainer()
}

// fullScreen dialogs replace the list rather than float over it.
type fullScreen interface {
	fullScreen() bool
}

// capturer dialogs say whether they need every key now; a full-screen
// view without an open input lets the shell keep tab, q and ?.
type capturer interface {
	capturing() bool
}

// helper dialogs say which keys they take.
type helper interface {
	help() []key.Binding
}

// popup draws a dialog in a bordered box that fits width × height.
func popup(sess *Session, d Dialog, width, height int) string {
	w := max(min(width-2, 100), 20)
	h := max(height-2, 5)
	inner := d.View(w-4, h-2)
	return boxed(sess, inner, w, h)
}

// boxed frames text in the theme's border, cutting lines that are too
// long or too many so the box never breaks the layout.
func boxed(sess *Session, inner string, w, h int) string {
	lines := strings.Split(inner, "\n")
	if len(lines) > h-2 {
		lines = lines[:h-2]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w-4, "…")
	}
	return sess.Theme.Border.Width(w - 2).Render(strings.Join(lines, "\n"))
}

// overlay draws fg centred over bg, both cut to width × height.
func overlay(bgText, fg string, width, height int) string {
	bl := strings.Split(bgText, "\n")
	for len(bl) < height {
		bl = append(bl, "")
	}
	bl = bl[:height]
	fl := strings.Split(fg, "\n")
	fw := model.DisplayWidth(fg)
	if fw+2 <= width {
		// A blank cell each side, so that the text behind does not run
		// into the pop-up's border.
		for i, f := range fl {
			fl[i] = " " + f + strings.Repeat(" ", max(fw-model.DisplayWidth(f), 0)) + " "
		}
		fw += 2
	}
	x := max((width-fw)/2, 0)
	y := max((height-len(fl))/2, 0)
	for i, f := range fl {
		row := y + i
		if row >= height {
			break
		}
		b := bl[row]
		left := ansi.Truncate(b, x, "")
		left += strings.Repeat(" ", max(x-model.DisplayWidth(left), 0))
		right := ""
		if model.DisplayWidth(b) > x+fw {
			right = ansi.TruncateLeft(b, x+fw, "")
		}
		line := left + f + strings.Repeat(" ", max(fw-model.DisplayWidth(f), 0)) + right
		bl[row] = ansi.Truncate(line, width, "")
	}
	return strings.Join(bl, "\n")
}
