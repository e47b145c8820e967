// Over 600 lines: the Staff screen's list, paging, filter, sort and keys
// share one state; its dialogs live in staff_detail.go, staff_offboard.go and
// staff_subviews.go.

package screens

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// staffFilterDelay is how long typing in the filter pauses before the
// list is queried again, so a fast typist costs one query, not one per key.
var staffFilterDelay = 150 * time.Millisecond

// staffSorts are the columns `s` cycles through, with the table column
// that shows them.
var staffSorts = []struct {
	key string
	col int
}{{"name", 0}, {"email", 1}, {"role", 2}, {"status", 4}, {"last_active", 6}}

// staffStatuses are the status filters `f` cycles through ("" is all).
var staffStatuses = []string{"", "active", "deactivated", "invited"}

var staffColumns = []Column{
	{Title: "Name", Min: 12, Grow: 3},
	{Title: "Email", Min: 16, Grow: 4},
	{Title: "Role", Min: 8, Grow: 1},
	{Title: "Departments", Min: 10, Grow: 2, Drop: 2},
	{Title: "Status", Min: 11},
	{Title: "2FA", Min: 3},
	{Title: "Last active", Min: 11, Drop: 1},
}

// staffScreen is the Staff tab: the member table, the member detail, the
// invitations list and the dialogs of every staff operation.
type staffScreen struct {
	sess   *Session
	keys   keymap.Staff
	width  int
	height int

	table      *Table
	rows       []model.Member // the held window, parallel to the table's rows
	offset     int
	sortIdx    int
	desc       bool
	statusIdx  int
	text       string // the filter the list was queried with
	gen        int    // bumps when the query changes; older answers are dropped
	loadingGen int    // gen of the page query in flight, -1 for none
	loadErr    string

	filter    filterInput
	filtering bool
	filterSeq int

	roles []model.Role
	depts []model.Department
	// locks are the locks in force on the members, by member id.
	locks map[int64]model.Lock

	detail  *memberDetail
	invites *invitationsView
	dialog  Dialog
	// sub is a view opened from the member detail (their clients, their
	// audit log), shown in its place until esc.
	sub Screen
}

// Messages of the Staff screen.
type (
	staffPageMsg struct {
		gen     int
		read    uint64 // the read's number (beginRead)
		offset  int
		members []model.Member
		total   int
		locks   map[int64]model.Lock
		err     error
	}
	staffFilterMsg struct{ seq int }
	staffRefsMsg   struct {
		roles []model.Role
		depts []model.Department
	}
	memberMsg struct {
		id  int64
		m   model.Member
		err error
	}
	// staffLocateMsg is where the member under the cursor stands in the
	// list after a re-read that did not hold their row.
	staffLocateMsg struct {
		gen int
		id  int64
		pos int
		err error
	}
)

// NewStaff returns the Staff screen.
func NewStaff(sess *Session) Screen {
	s := &staffScreen{sess: sess, keys: keymap.DefaultStaff(), filter: newFilterInput("name or email"), loadingGen: -1, width: 80, height: 24}
	s.table = NewTable(sess.Theme, staffColumns)
	s.table.SetEmpty("Loading…")
	s.table.SetSort(staffSorts[0].col, false)
	s.layout()
	return s
}

func (s *staffScreen) Title() string { return "Staff" }

func (s *staffScreen) Init() tea.Cmd {
	return tea.Batch(s.firstPage(), s.loadRefs())
}

// firstPage reads only the rows the first frame shows. The list's rows
// are scattered over the file in name order, and a fresh connection pays
// for every page it touches: at 10,000 members the three pages reload
// holds cost 2.0 ms against 1.1 ms for one. The rows below are read when
// the cursor leaves the first page (maybeFetch), as any window is.
func (s *staffScreen) firstPage() tea.Cmd {
	s.gen++
	return s.fetch(0, s.table.PageSize())
}

func (s *staffScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.layout()
}

func (s *staffScreen) layout() {
	// Two lines above the table: the title with the count, and the filter.
	s.table.SetSize(s.width, max(s.height-2, 2))
	s.filter.Width = max(s.width-4, 10)
	if s.invites != nil {
		s.invites.setSize(s.width, s.height)
	}
	if s.sub != nil {
		s.sub.SetSize(s.width, s.height)
	}
}

func (s *staffScreen) Capturing() bool {
	return s.filtering || (s.dialog != nil && !working(s.dialog)) || (s.sub != nil && s.sub.Capturing())
}

// query is the list query for the current filter and sort.
func (s *staffScreen) query(offset, limit int) model.MemberQuery {
	return model.MemberQuery{Text: s.text, Status: staffStatuses[s.statusIdx], Sort: staffSorts[s.sortIdx].key, Desc: s.desc, Limit: limit, Offset: offset}
}

// fetch queries one window of the list.
func (s *staffScreen) fetch(offset, limit int) tea.Cmd {
	s.loadingGen = s.gen
	gen, q := s.gen, s.query(offset, limit)
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		read := beginRead()
		ms, n, err := svc.ListStaff(s.sess.Context(), p, q)
		// Shown in the list; one who may not see them sees none.
		locks, _ := svc.LockedMembers(s.sess.Context(), p)
		return staffPageMsg{gen: gen, read: read, offset: offset, members: ms, total: n, locks: locks, err: err}
	}
}

// requery starts over after the filter or sort changed.
func (s *staffScreen) requery() tea.Cmd {
	s.gen++
	s.table.Reset()
	s.rows, s.offset = nil, 0
	_, off, lim := s.table.Missing()
	return s.fetch(off, lim)
}

// reload fetches the window around the cursor again (data changed).
func (s *staffScreen) reload() tea.Cmd {
	s.gen++
	top := max(s.table.top-s.table.PageSize(), 0)
	cmds := []tea.Cmd{s.fetch(top, 3*s.table.PageSize())}
	if s.detail != nil {
		cmds = append(cmds, s.fetchMember(s.detail.m.ID))
	}
	if s.invites != nil {
		cmds = append(cmds, s.invites.load())
	}
	return tea.Batch(cmds...)
}

// maybeFetch fetches when visible rows are not held and no query of this
// generation is in flight.
func (s *staffScreen) maybeFetch() tea.Cmd {
	if s.loadingGen == s.gen {
		return nil
	}
	if missing, off, lim := s.table.Missing(); missing {
		return s.fetch(off, lim)
	}
	return nil
}

func (s *staffScreen) loadRefs() tea.Cmd {
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		// Members who may not list roles or departments simply get no
		// pickers; the invite actions are hidden from them anyway.
		// Without member counts, which the pickers do not show: counting
		// grows with the staff, and these load with the first frame.
		roles, _ := svc.RoleChoices(s.sess.Context(), p)
		depts, _ := svc.DepartmentChoices(s.sess.Context(), p)
		return staffRefsMsg{roles: roles, depts: depts}
	}
}

func (s *staffScreen) fetchMember(id int64) tea.Cmd {
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		m, err := svc.GetMember(s.sess.Context(), p, id)
		return memberMsg{id: id, m: m, err: err}
	}
}

// locate asks where the member under the cursor stands now.
func (s *staffScreen) locate(id int64) tea.Cmd {
	gen, q := s.gen, s.query(0, 0)
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		pos, err := svc.StaffPosition(s.sess.Context(), p, q, id)
		return staffLocateMsg{gen: gen, id: id, pos: pos, err: err}
	}
}

// located puts the cursor on the member's new row, or on the next one
// when the list no longer holds them, and fetches the rows around it.
func (s *staffScreen) located(msg staffLocateMsg) tea.Cmd {
	if msg.gen != s.gen {
		return nil // a newer read follows the cursor itself
	}
	return tea.Batch(s.table.Located(msg.pos, msg.err), s.maybeFetch())
}

func (s *staffScreen) setPage(msg staffPageMsg) tea.Cmd {
	if msg.gen == s.loadingGen {
		s.loadingGen = -1
	}
	if msg.gen != s.gen {
		return nil
	}
	if msg.err != nil {
		s.loadErr = errText(msg.err)
		s.table.SetEmpty(s.loadErr)
		s.table.SetRows(0, 0, nil)
		s.rows = nil
		return nil
	}
	s.loadErr = ""
	s.rows, s.offset, s.locks = msg.members, msg.offset, msg.locks
	now := s.sess.Svc.Now()
	cells := make([][]string, len(msg.members))
	ids := make([]int64, len(msg.members))
	for i, m := range msg.members {
		cells[i], ids[i] = staffRow(m, now), m.ID
		if _, locked := s.locks[m.ID]; locked && m.Status == "active" {
			cells[i][4] = "locked"
		}
	}
	if s.text != "" || s.statusIdx != 0 {
		s.table.SetEmpty("No staff member matches the filter.")
	} else {
		s.table.SetEmpty("No staff members.")
	}
	follow, note := s.table.SetKeyedRows(msg.read, msg.offset, msg.total, cells, ids)
	if follow == FollowLocate {
		id, _, _ := s.table.Selected()
		return s.locate(id)
	}
	return note
}

func staffRow(m model.Member, now time.Time) []string {
	var depts []string
	for _, d := range m.Departments {
		depts = append(depts, d.Name)
	}
	tfa := "off"
	if m.TOTPEnabled {
		tfa = "on"
	}
	return []string{m.Name, m.Email, m.RoleName, strings.Join(depts, ", "), m.Status, tfa, agoText(now, m.LastActive)}
}

// selected is the member under the cursor (or open in the detail), by
// identity: none while their row is being found again after a re-read.
func (s *staffScreen) selected() (model.Member, bool) {
	if s.detail != nil {
		return s.detail.m, true
	}
	_, i, ok := s.table.Selected()
	if !ok || i >= len(s.rows) {
		return model.Member{}, false
	}
	return s.rows[i], true
}

func (s *staffScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if s.sub != nil {
		if cmd, handled := s.updateSub(msg); handled {
			return s, cmd
		}
	}
	switch msg := msg.(type) {
	case staffPageMsg:
		note := s.setPage(msg)
		return s, tea.Batch(note, s.maybeFetch())
	case staffLocateMsg:
		return s, s.located(msg)
	case staffRefsMsg:
		s.roles, s.depts = msg.roles, msg.depts
		return s, nil
	case memberMsg:
		if s.detail != nil && s.detail.m.ID == msg.id {
			if msg.err != nil {
				// Removed, or no longer visible to us.
				gone := s.detail.m.Name
				s.detail = nil
				return s, Status(model.Sanitize(gone)+" is no longer there (changed elsewhere); back to the list.", true)
			}
			s.detail.m = msg.m
		}
		return s, nil
	case invitationsMsg:
		if s.invites != nil {
			return s, s.invites.setList(msg)
		}
		return s, nil
	case staffFilterMsg:
		if msg.seq != s.filterSeq {
			return s, nil
		}
		s.text = strings.TrimSpace(s.filter.Value())
		return s, s.requery()
	case RefreshMsg:
		return s, tea.Batch(s.reload(), s.loadRefs(), refreshDialog(s.dialog, msg))
	case ActionMsg:
		var cmd tea.Cmd
		s.dialog, cmd = HandleAction(s.dialog, msg)
		// The member (or invitation) acted on may leave the list now.
		s.table.Acted(msg.For, msg.Err)
		if s.invites != nil {
			s.invites.table.Acted(msg.For, msg.Err)
		}
		return s, tea.Batch(cmd, s.reload())
	}
	if s.dialog != nil {
		var cmd tea.Cmd
		s.dialog, cmd = s.dialog.Update(msg)
		return s, cmd
	}
	if s.filtering {
		return s, s.updateFilter(msg)
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	if s.invites != nil {
		d, cmd, back := s.invites.update(km)
		if back {
			s.invites = nil
		}
		s.dialog = d
		return s, tea.Batch(cmd, checkOnOpen(d))
	}
	return s, s.updateKey(km)
}

func (s *staffScreen) updateFilter(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, keymap.DialogSubmit):
			s.filtering = false
			s.filter.Blur()
			if v := strings.TrimSpace(s.filter.Value()); v != s.text {
				s.text = v
				return s.requery()
			}
			return nil
		case key.Matches(km, keymap.DialogCancel):
			s.filtering = false
			s.filter.Blur()
			s.filter.Clear()
			if s.text != "" {
				s.text = ""
				return s.requery()
			}
			return nil
		}
	}
	before := s.filter.Value()
	cmd := s.filter.Update(msg)
	if s.filter.Value() == before {
		return cmd
	}
	s.filterSeq++
	seq := s.filterSeq
	return tea.Batch(cmd, tea.Tick(staffFilterDelay, func(time.Time) tea.Msg { return staffFilterMsg{seq: seq} }))
}

func (s *staffScreen) updateKey(km tea.KeyMsg) tea.Cmd {
	lk := s.sess.Keys.List
	if s.detail != nil && key.Matches(km, lk.Back) {
		s.detail = nil
		return nil
	}
	if d, cmd, ok := s.memberKey(km); ok {
		s.dialog = d
		return tea.Batch(cmd, checkOnOpen(d))
	}
	if cmd, ok := s.subKey(km); ok {
		return cmd
	}
	if s.detail == nil && key.Matches(km, lk.Back) && s.text != "" {
		s.text = ""
		s.filter.Clear()
		return s.requery()
	}
	browse, open := s.listActions()
	if cmd, ok := browse.Dispatch(km); ok {
		return cmd
	}
	if cmd, ok := open.Dispatch(km); ok {
		return cmd
	}
	if s.detail == nil && s.table.Update(km, lk) {
		return s.maybeFetch()
	}
	return nil
}

// listActions are the Staff list's own keys, in the order its help lists
// them: browse, the keys that move about the list, and open, the keys that
// open something beside it (the keys on the member under the cursor are
// their actionsFor, listed between the two). The browsing keys and the
// invitations are the list's alone, not its member's detail's; inviting
// is offered to a role that may invite, and the live sessions to one that
// may see them, whose key otherwise says why.
func (s *staffScreen) listActions() (browse, open Actions) {
	lk := s.sess.Keys.List
	inList := func() bool { return s.detail == nil }
	mayInvite := func() bool { return inList() && s.canInvite() }
	staff := model.Target{Module: model.ModuleStaff}
	browse = Actions{
		{Binding: lk.Filter, Enabled: inList, Run: func() tea.Cmd {
			// The filter in force, selected: typing starts a new search
			// rather than adding to the last one; ←/→ edit it.
			s.filtering = true
			return s.filter.Open(s.text)
		}},
		{Binding: lk.Sort, Enabled: inList, Run: func() tea.Cmd {
			s.sortIdx = (s.sortIdx + 1) % len(staffSorts)
			s.table.SetSort(staffSorts[s.sortIdx].col, s.desc)
			return s.requery()
		}},
		{Binding: s.keys.SortDir, Enabled: inList, Run: func() tea.Cmd {
			s.desc = !s.desc
			s.table.SetSort(staffSorts[s.sortIdx].col, s.desc)
			return s.requery()
		}},
		{Binding: s.keys.StatusNext, Enabled: inList, Run: func() tea.Cmd {
			s.statusIdx = (s.statusIdx + 1) % len(staffStatuses)
			return s.requery()
		}},
		{Binding: lk.Open, Enabled: inList, Run: func() tea.Cmd {
			if cmd, gone := s.vanished(); gone {
				return cmd
			}
			if m, ok := s.selected(); ok {
				s.detail = &memberDetail{m: m}
				return s.fetchMember(m.ID)
			}
			return nil
		}},
	}
	open = Actions{
		{Binding: s.keys.Invite, Enabled: mayInvite, Run: func() tea.Cmd {
			s.dialog = s.inviteDialog()
			return nil
		}},
		{Binding: s.keys.BulkInvite, Enabled: mayInvite, Run: func() tea.Cmd {
			s.dialog = s.bulkDialog()
			return nil
		}},
		{Binding: s.keys.Invitations, Run: func() tea.Cmd {
			s.detail = nil
			s.invites = newInvitationsView(s.sess, s.keys)
			s.invites.setSize(s.width, s.height)
			return s.invites.load()
		}},
		{Binding: s.keys.Sessions, Enabled: func() bool { return canSeeSessions(s.sess).Allowed },
			Refused: func() tea.Cmd { return RefusedAction(s.sess, model.ActUpdate, staff) },
			Run:     func() tea.Cmd { return s.openSub(newSessionsView(s.sess, s.keys)) }},
		{Binding: s.keys.Locks, Run: func() tea.Cmd { return s.openSub(newLocksView(s.sess, s.keys)) }},
	}
	return browse, open
}

// memberKey runs a member action key on the selected member, if the key is
// one and the action is offered and allowed.
func (s *staffScreen) memberKey(km tea.KeyMsg) (Dialog, tea.Cmd, bool) {
	m, ok := s.selected()
	if !ok {
		return nil, nil, false
	}
	for _, a := range s.actionsFor(m) {
		if !key.Matches(km, a.binding) {
			continue
		}
		if cmd, gone := s.vanished(); gone {
			return nil, cmd, true
		}
		if !a.decision.Allowed {
			return nil, RefusedAction(s.sess, a.action, a.target), true
		}
		d, cmd := a.open(m)
		return d, cmd, true
	}
	if key.Matches(km, s.keys.Offboard) {
		// Not offered to this session at all; an on-call member who
		// reaches for it is told why rather than met with silence.
		return nil, RefusedAction(s.sess, model.ActDeactivate, model.Target{Module: model.ModuleStaff, Staff: factsOfMember(m)}), true
	}
	return nil, nil, false
}

// vanished refuses an action key pressed on the list after
// the member under the cursor disappeared from it.
func (s *staffScreen) vanished() (tea.Cmd, bool) {
	if s.detail != nil {
		return nil, false
	}
	return s.table.Vanished()
}

// canOffboard is whether the session may offboard anyone at all.
func (s *staffScreen) canOffboard() bool {
	return s.sess.Can(model.ActDeactivate, model.Target{Module: model.ModuleStaff}).Allowed
}

func (s *staffScreen) canInvite() bool {
	return s.sess.Can(model.ActInvite, model.Target{Module: model.ModuleStaff}).Allowed
}

func (s *staffScreen) View() string {
	if s.dialog != nil {
		return s.dialog.View(s.width, s.height)
	}
	if s.sub != nil {
		return s.sub.View()
	}
	if s.invites != nil {
		return s.invites.view()
	}
	if s.detail != nil {
		return s.detailView(*s.detail)
	}
	th := s.sess.Theme
	head := th.Title.Render("Staff") + "  " + s.countText()
	var filter string
	switch {
	case s.filtering:
		filter = s.filter.View(th)
	case s.text != "":
		filter = th.Muted.Render("filter: ") + model.Sanitize(s.text) + th.Muted.Render("  ("+s.sess.Keys.List.Filter.Help().Key+" to change, "+s.sess.Keys.List.Back.Help().Key+" to clear)")
		if st := staffStatuses[s.statusIdx]; st != "" {
			filter += th.Muted.Render(" · status: " + st)
		}
	default:
		filter = th.Muted.Render(s.hints())
	}
	return head + "\n" + fitStyled(filter, s.width) + "\n" + s.table.View()
}

func (s *staffScreen) countText() string {
	n := s.table.Total()
	if n == 0 {
		return s.sess.Theme.Muted.Render("0 members")
	}
	return fmt.Sprintf("%s of %s", thousands(s.table.Cursor()+1), thousands(n))
}

// hints lists the keys of the list line under the title, the sort and
// status filter in force with theirs.
func (s *staffScreen) hints() string {
	status := staffStatuses[s.statusIdx]
	if status == "" {
		status = "all"
	}
	lk := s.sess.Keys.List
	keys := []key.Binding{lk.Filter, withDesc(lk.Sort, "sort:"+staffSorts[s.sortIdx].key), withDesc(s.keys.StatusNext, "status:"+status), lk.Open}
	if s.canInvite() {
		keys = append(keys, s.keys.Invite, s.keys.BulkInvite)
	}
	keys = append(keys, s.keys.Invitations)
	if canSeeSessions(s.sess).Allowed {
		keys = append(keys, s.keys.Sessions)
	}
	return hintLineSep("  ", append(keys, s.keys.Locks)...)
}

func (s *staffScreen) ShortHelp() []key.Binding {
	lk := s.sess.Keys.List
	if h, ok := dialogHelp(s.dialog); ok {
		return h
	}

	if s.sub != nil {
		return s.sub.ShortHelp()
	}
	if s.invites != nil {
		return s.invites.shortHelp()
	}
	if s.detail != nil {
		out := []key.Binding{lk.Back}
		for _, a := range append(s.actionsFor(s.detail.m), s.subActions()...) {
			if a.decision.Allowed {
				out = append(out, a.binding)
			}
		}
		return out
	}
	browse, open := s.listActions()
	out := browse.Bindings()
	if s.canOffboard() {
		out = append(out, s.keys.Offboard)
	}
	if s.sess.Can(model.ActView, model.Target{Module: model.ModuleAudit}).Allowed {
		out = append(out, s.keys.AuditLog)
	}
	return append(out, open.Bindings()...)
}

func (s *staffScreen) FullHelp() [][]key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return [][]key.Binding{h}
	}
	if s.filtering {
		return [][]key.Binding{filterHelp}
	}
	if s.sub != nil {
		return s.sub.FullHelp()
	}
	lk := s.sess.Keys.List
	if s.invites != nil {
		// The list's filter, sort and invite keys do nothing here.
		return [][]key.Binding{s.invites.shortHelp(), {lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top, lk.Bottom}}
	}
	if s.detail != nil {
		// A member's detail: their actions and the way back.
		return [][]key.Binding{s.ShortHelp()}
	}
	nav := []key.Binding{lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top, lk.Bottom}
	list := []key.Binding{lk.Filter, lk.Sort, s.keys.SortDir, s.keys.StatusNext, lk.Open, lk.Back, s.keys.Invitations}
	if canSeeSessions(s.sess).Allowed {
		list = append(list, s.keys.Sessions)
	}
	list = append(list, s.keys.Locks)
	var acts []key.Binding
	if s.canInvite() {
		acts = append(acts, s.keys.Invite, s.keys.BulkInvite)
	}
	if m, ok := s.selected(); ok {
		for _, a := range append(s.actionsFor(m), s.subActions()...) {
			acts = append(acts, a.binding)
		}
	}
	return [][]key.Binding{nav, list, acts}
}

// agoText says how long ago t was: "just now", "3h ago", "never".
func agoText(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	}
	return t.Format("2 Jan 2006")
}

// thousands writes n with thousands separators: 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
