package screens

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// An action's outcome is taken for the record the action was for, not for
// the one under the cursor when it arrives: the cursor moved from Amy to
// Ben while Amy's removal was on its way. Amy leaving is this session's
// doing; Ben leaving (removed elsewhere) is news, and the next key, meant
// for Ben, is refused.
func TestCursorTakesAnOutcomeForTheRecordActedOn(t *testing.T) {
	var c Cursor[int64]
	c.Sync(beginRead(), []int64{1, 2, 3}, []string{"Amy", "Ben", "Cat"})
	removeAmy := c.Record(1, true)
	c.Move(1) // Ben, while Amy's removal is on its way
	c.Acted(removeAmy, nil)
	note := statusText(t, c.Sync(beginRead(), []int64{3}, []string{"Cat"}))
	if !strings.Contains(note, "Ben is no longer in this list") || !strings.Contains(note, "moved to Cat") {
		t.Fatalf("Ben removed elsewhere under the cursor: note %q", note)
	}
	if cmd, refused := c.Vanished(); !refused || !strings.Contains(statusText(t, cmd), "Nothing done: Ben vanished") {
		t.Fatal("the key meant for Ben was not refused")
	}

	// The record acted on is released, whatever the cursor did: when the
	// cursor is back on it and it leaves, that is not news.
	c.Sync(beginRead(), []int64{4, 5, 6}, []string{"Dan", "Eve", "Fay"})
	c.To(0)
	removeDan := c.Record(4, true)
	c.Move(1)
	c.Move(-1) // back on Dan
	c.Acted(removeDan, nil)
	if cmd := c.Sync(beginRead(), []int64{5, 6}, []string{"Eve", "Fay"}); cmd != nil {
		t.Fatalf("Dan removed by this session, told as news: %q", statusText(t, cmd))
	}
	if _, refused := c.Vanished(); refused {
		t.Fatal("a key refused for a record this session removed")
	}

	// A refusal of an action on Eve, arriving once the cursor is on Fay,
	// is not Fay's answer: Fay leaving later is news, and the next key is
	// refused for her.
	c.To(0) // Eve
	toggleEve := c.Record(5, false)
	c.Move(1) // Fay
	c.Acted(toggleEve, &model.ChangedError{Name: "Eve", Gone: true})
	note = statusText(t, c.Sync(beginRead(), []int64{5}, []string{"Eve"}))
	if strings.HasPrefix(note, "Nothing done") || !strings.Contains(note, "Fay is no longer in this list") {
		t.Fatalf("Fay left after a refusal for Eve: %q", note)
	}
	if _, refused := c.Vanished(); !refused {
		t.Fatal("the key meant for Fay was not refused")
	}

	// An outcome of another list's record (same id) is not this list's.
	var other Cursor[int64]
	other.Sync(beginRead(), []int64{5}, []string{"Eve's invitation"})
	c.To(0) // Eve
	other.Acted(other.Record(5, true), nil)
	c.Acted(other.Record(5, true), nil)
	if note := statusText(t, c.Sync(beginRead(), nil, nil)); !strings.Contains(note, "Eve is no longer in this list") {
		t.Fatalf("an outcome in another list released Eve here: %q", note)
	}
}

// The same for a windowed Table: the outcome is for the record acted on.
func TestTableTakesAnOutcomeForTheRecordActedOn(t *testing.T) {
	tb := testTable(60, 6, 0)
	rows, ids := keyedRows("Amy", "Ben", "Cat")
	tb.SetKeyedRows(beginRead(), 0, 3, rows, ids)
	removeAmy := tb.Record(ids[0], true)
	tb.SetCursor(1) // Ben
	tb.Acted(removeAmy, nil)
	rows, ids = keyedRows("Cat")
	_, cmd := tb.SetKeyedRows(beginRead(), 0, 1, rows, ids)
	if note := statusText(t, cmd); !strings.Contains(note, "Ben is no longer in this list") || !strings.Contains(note, "moved to Cat") {
		t.Fatalf("Ben removed elsewhere under the cursor: note %q", note)
	}
	if cmd, refused := tb.Vanished(); !refused || !strings.Contains(statusText(t, cmd), "Nothing done: Ben vanished") {
		t.Fatal("the key meant for Ben was not refused")
	}
	// A bulk action's records are all released.
	rows, ids = keyedRows("Dan", "Eve", "Fay")
	tb.SetKeyedRows(beginRead(), 0, 3, rows, ids)
	tb.SetCursor(1) // Eve
	tb.Acted(tb.Records([]int64{ids[0], ids[1]}, true), nil)
	rows, ids = keyedRows("Fay")
	if _, cmd := tb.SetKeyedRows(beginRead(), 0, 1, rows, ids); cmd != nil {
		t.Fatalf("Eve moved by this session's bulk action, told as news: %q", statusText(t, cmd))
	}
}

// In a department's members: Ann is being taken out (no question asked;
// the action is on its way) when the cursor moves down to Bob, whom
// another session takes out. The outcome is Ann's: Bob leaving is news,
// and the next key, meant for Bob, is refused rather than land on Cat.
func TestDepartmentOutcomeIsForTheMemberActedOnNotTheCursors(t *testing.T) {
	e := newStaffEnv(t)
	sys := model.System("tester")
	if _, err := e.svc.CreateDepartment(e.ctx, sys, "Tax", "", 0); err != nil {
		t.Fatal(err)
	}
	var ms []model.Member
	for _, n := range []string{"Ann", "Bob", "Cat"} {
		m := e.member(n+" Tax", strings.ToLower(n)+"@tax.test", "Advisor")
		if err := e.svc.SetDepartments(e.ctx, sys, m.ID, []string{"Tax"}); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	s := e.start(NewSettings(e.session(e.owner)), 100, 30)
	s = e.press(s, "2", "enter")
	if !strings.Contains(s.View(), "› Ann Tax") {
		t.Fatalf("not on Ann:\n%s", s.View())
	}
	s, takeOut := s.Update(keyMsg("x")) // Ann taken out, on its way
	s = e.press(s, "j")
	if !strings.Contains(s.View(), "› Bob Tax") {
		t.Fatalf("not on Bob:\n%s", s.View())
	}
	if err := e.svc.SetDepartments(e.ctx, sys, ms[1].ID, nil); err != nil {
		t.Fatal(err)
	}
	s = e.settle(s, takeOut, runnable) // done; the members are read again
	if m, _ := e.svc.GetMember(e.ctx, sys, ms[0].ID); len(m.Departments) != 0 {
		t.Fatalf("Ann not taken out: %+v", m.Departments)
	}
	if !strings.Contains(strings.Join(e.statusTexts(), "\n"), "Bob Tax is no longer in this list (changed elsewhere); the cursor moved to Cat Tax") {
		t.Fatalf("no word of Bob leaving: %q", e.statusTexts())
	}
	s = e.press(s, "x") // meant for Bob
	if st := e.lastStatus(); !strings.Contains(st.Text, "Nothing done: Bob Tax vanished") {
		t.Fatalf("the key meant for Bob: %+v", st)
	}
	if m, _ := e.svc.GetMember(e.ctx, sys, ms[2].ID); len(m.Departments) != 1 {
		t.Fatalf("the key meant for Bob took Cat out: %+v", m.Departments)
	}
	_ = s
}

// statusTexts are the statuses shown so far.
func (e *staffEnv) statusTexts() []string {
	var out []string
	for _, st := range e.statuses {
		out = append(out, st.Text)
	}
	return out
}

// Re-reads run concurrently and may arrive out of order: a read begun
// before another, arriving after it, is older than what is on screen and
// is dropped. Here the Roles list read before the role Zed was made
// arrives after the one that shows Zed, with the cursor on Zed: the list
// keeps Zed, the cursor stays on it, and nothing is said.
func TestRolesReadArrivingAfterANewerOneIsDropped(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewRoles(e.session(e.owner)), 100, 30)
	older := s.(*rolesScreen).load()() // read before Zed exists
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Zed", "", nil); err != nil {
		t.Fatal(err)
	}
	newer := s.(*rolesScreen).load()()
	s = e.drive(s, func() tea.Msg { return newer })
	s = cursorTo(t, e, s, "Zed")
	n := len(e.statuses)
	s = e.drive(s, func() tea.Msg { return older })
	if r, ok := s.(*rolesScreen).selected(); !ok || r.Name != "Zed" || !strings.Contains(s.View(), "› Zed") {
		t.Fatalf("an older read took the list back:\n%s", s.View())
	}
	if len(e.statuses) != n {
		t.Fatalf("an older read said %q", e.statusTexts()[n:])
	}
}

// The same for a windowed Table (the locks in force): the read begun
// before Leo's lock, arriving last, does not take the lock off the list.
func TestLocksReadArrivingAfterANewerOneIsDropped(t *testing.T) {
	e := newStaffEnv(t)
	leo := e.member("Leo Locked", "leo@acme.test", "Advisor")
	s := e.start(newLocksView(e.session(e.owner), keymap.DefaultStaff()), 100, 30)
	older := s.(*locksView).load()()
	if _, err := e.svc.Lock(e.ctx, model.System("tester"), model.LockInput{Kind: model.LockStaff, Target: leo.Email, Reason: "incident"}); err != nil {
		t.Fatal(err)
	}
	newer := s.(*locksView).load()()
	s = e.drive(s, func() tea.Msg { return newer })
	s = e.drive(s, func() tea.Msg { return older })
	if l, ok := heldAt(s.(*locksView).table, s.(*locksView).list); !ok || !strings.Contains(l.Label, "leo@acme.test") {
		t.Fatalf("an older read took the lock off the list:\n%s", s.View())
	}
}

// The access-grid case of the status line, through the Manage Access
// pop-up that holds the grid (as in the app): the key meant for Leo is on
// its way when a re-read shows him gone, then the model refuses the key.
// The statuses travel in commands that run concurrently and may reach
// the shell in any order; in the order they were made, the one left shown
// names Leo as the key's answer. Manage Access's own list, hidden by the
// grid, says nothing (its plain "no longer in this list", made after the
// grid's, used to win the race now and then).
func TestAccessGridRefusalIsTheStatusLeftWhateverTheArrivalOrder(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	leo := e.member("Leo Martins", "leo@acme.test", "Advisor")
	hb := e.client("Harbour Bakery")
	for _, m := range []model.Member{leo, e.ms["ann"]} {
		if err := e.svc.AddToClient(e.ctx, sys, hb.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	sess := e.session(e.owner)
	var ma Dialog = newManageAccess(sess, hb)
	// update hands msg to the pop-up and runs what it returns, keeping the
	// statuses apart from the rest.
	update := func(msg tea.Msg) (statuses []StatusMsg, rest []tea.Msg) {
		var cmd tea.Cmd
		ma, cmd = ma.Update(msg)
		queue := []tea.Cmd{cmd}
		for len(queue) > 0 {
			c := queue[0]
			queue = queue[1:]
			if c == nil {
				continue
			}
			switch m := c().(type) {
			case tea.BatchMsg:
				queue = append(queue, m...)
			case StatusMsg:
				statuses = append(statuses, m)
			case nil:
			default:
				rest = append(rest, m)
			}
		}
		return statuses, rest
	}
	update(loadAccess(sess, hb.ID)())
	for _, k := range []string{"down", "enter"} { // Leo, then his grid
		update(keyMsg(k))
	}
	if v := ma.View(100, 20); !strings.Contains(v, "› Leo Martins") || !strings.Contains(v, "per account") {
		t.Fatalf("not on Leo's row of the grid:\n%s", v)
	}
	if err := e.svc.RemoveFromClient(e.ctx, sys, hb.ID, leo.ID); err != nil {
		t.Fatal(err)
	}
	_, flip := update(keyMsg(" ")) // the toggle for Leo, on its way
	if len(flip) != 1 {
		t.Fatalf("space on Leo: %v", flip)
	}
	notes, _ := update(loadAccess(sess, hb.ID)()) // a re-read: Leo gone
	refusal, reads := update(flip[0])             // the model refuses the key
	for _, m := range reads {
		more, _ := update(m)
		refusal = append(refusal, more...)
	}
	if len(notes) != 1 {
		t.Fatalf("the re-read showing Leo gone made %d statuses, want the grid's one: %+v", len(notes), notes)
	}
	all := append(notes, refusal...)
	for _, order := range [][]StatusMsg{all, reversed(all)} {
		var line StatusOrder
		var shown StatusMsg
		for _, st := range order {
			if line.Take(st) {
				shown = st
			}
		}
		if !strings.Contains(shown.Text, "changed since it was shown: Leo Martins") && !strings.Contains(shown.Text, "Nothing done: Leo Martins") {
			t.Fatalf("statuses arriving as %q: the line shows %q", texts(order), shown.Text)
		}
	}
}

func reversed[T any](xs []T) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

func texts(sts []StatusMsg) []string {
	var out []string
	for _, st := range sts {
		out = append(out, st.Text)
	}
	return out
}

// The department under the cursor, the last of the list, is deleted
// elsewhere: the list says so, and the key that follows, meant for it, is
// refused naming it, though the list is now empty (it was ignored).
func TestDepartmentKeyRefusedWhenTheListIsLeftEmpty(t *testing.T) {
	e := newStaffEnv(t)
	sys := model.System("tester")
	dept, err := e.svc.CreateDepartment(e.ctx, sys, "Advisory", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	s := e.start(NewSettings(e.session(e.owner)), 100, 30)
	s = e.press(s, "2")
	if !strings.Contains(s.View(), "› Advisory") {
		t.Fatalf("not on Advisory:\n%s", s.View())
	}
	if err := e.svc.DeleteDepartment(e.ctx, sys, dept.ID); err != nil {
		t.Fatal(err)
	}
	s = e.drive(s, func() tea.Msg { return RefreshMsg{} })
	if st := e.lastStatus(); !strings.Contains(st.Text, "department Advisory is no longer in this list") {
		t.Fatalf("no word of Advisory leaving: %+v", st)
	}
	s = e.press(s, "x")
	if st := e.lastStatus(); !strings.Contains(st.Text, "Nothing done: department Advisory vanished") {
		t.Fatalf("the key meant for Advisory: %+v", st)
	}
	_ = s
}
