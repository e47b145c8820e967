package screens

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// The list changes under the cursor (another session adds and removes
// rows, the screen is told by a RefreshMsg), and then the key comes: it
// acts on the member under the cursor, or is refused naming them.
func TestStaffActionsFollowTheMemberUnderTheCursor(t *testing.T) {
	e, ms := staffOrg(t)
	sys := model.System("tester")
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	// Two members sorted before Bob join, one before him leaves.
	e.member("Aaron Early", "aaron@acme.test", "Advisor")
	e.member("Abby Early", "abby@acme.test", "Advisor")
	if err := e.svc.Remove(e.ctx, sys, ms["ann"].ID, 0); err != nil {
		t.Fatal(err)
	}
	s = e.drive(s, func() tea.Msg { return RefreshMsg{} })
	if m, ok := s.(*staffScreen).selected(); !ok || m.Email != "bob@acme.test" || !strings.Contains(s.View(), "› Bob Builder") {
		t.Fatalf("cursor not on Bob after rows changed above him:\n%s", s.View())
	}
	s = e.press(s, "d", "y")
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "deactivated" {
		t.Fatalf("Bob not deactivated: %+v (%+v)", m, e.lastStatus())
	}
	if m, _ := e.memberByEmail("abby@acme.test"); m.Status != "active" {
		t.Fatal("the key landed on another member")
	}

	// A confirmation open for Cat keeps Cat, and says so when another
	// session changes her role; y is then refused and nothing is written.
	s = e.selectRow(s, "cat@acme.test")
	s = e.press(s, "d")
	if err := e.svc.SetRole(e.ctx, sys, ms["cat"].ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	s = e.drive(s, func() tea.Msg { return RefreshMsg{} })
	if v := s.View(); !strings.Contains(v, "Changed since you opened this: Cat Admin: role Admin → Advisor") {
		t.Fatalf("the open confirmation does not say Cat changed:\n%s", v)
	}
	s = e.press(s, "y")
	if m, _ := e.memberByEmail("cat@acme.test"); m.Status != "active" {
		t.Fatalf("a confirmation of a changed member was written: %+v", m)
	}
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "Cat Admin: role Admin → Advisor") {
		t.Fatalf("refusal: %+v", st)
	}

	// The member under the cursor is removed: the cursor moves on to the
	// next (Adam) and says so, and the next action key is refused naming
	// her.
	abby, _ := e.memberByEmail("abby@acme.test")
	s = e.selectRow(s, "abby@acme.test")
	if err := e.svc.Remove(e.ctx, sys, abby.ID, 0); err != nil {
		t.Fatal(err)
	}
	s = e.drive(s, func() tea.Msg { return RefreshMsg{} })
	if st := e.lastStatus(); !strings.Contains(st.Text, "Abby Early is no longer in this list (changed elsewhere); the cursor moved to Adam Admin") {
		t.Fatalf("no word of Abby leaving: %+v", st)
	}
	next, _ := s.(*staffScreen).selected()
	s = e.press(s, "d")
	if st := e.lastStatus(); !strings.Contains(st.Text, "Nothing done: Abby Early vanished") || s.(*staffScreen).dialog != nil {
		t.Fatalf("the key meant for Abby was not refused: %+v", st)
	}
	// Pressed again before the cursor moved, still refused: typed ahead,
	// it was meant for Abby too.
	s = e.press(s, "d")
	if st := e.lastStatus(); !strings.Contains(st.Text, "Nothing done: Abby Early vanished") || s.(*staffScreen).dialog != nil {
		t.Fatalf("second press landed on %s: %+v", next.Email, st)
	}
	// Once the user moves the cursor, the key is for the member shown.
	s = e.press(s, "up", "down")
	shown, _ := s.(*staffScreen).selected()
	s = e.press(s, "d")
	if d, ok := s.(*staffScreen).dialog.(*ConfirmDialog); !ok || !strings.Contains(d.Confirm.Title, shown.Email) {
		t.Fatalf("press after a move: %T", s.(*staffScreen).dialog)
	}
}

// The per-account grid: the very case. The cursor is on Leo; a
// member sorted before him is added elsewhere; space toggles Leo's cell.
// Then Leo is taken out elsewhere: space is refused, nothing changes.
func TestAccessGridTogglesTheMemberUnderTheCursor(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	leo := e.member("Leo Martins", "leo@acme.test", "Advisor")
	hb := e.client("Harbour Bakery")
	for _, m := range []model.Member{leo, e.ms["ann"]} {
		if err := e.svc.AddToClient(e.ctx, sys, hb.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	s := e.open(NewClients(e.session(e.owner)), 120, 40)
	s = e.toClient(s, "Harbour Bakery")
	s = e.keys(s, "m", "enter", "j") // Ann, then Leo
	if !strings.Contains(s.View(), "› Leo Martins") {
		t.Fatalf("not on Leo:\n%s", s.View())
	}
	if err := e.svc.AddToClient(e.ctx, sys, hb.ID, e.ms["bob"].ID); err != nil { // Bob sorts before Leo
		t.Fatal(err)
	}
	s = e.run(s, func() tea.Msg { return RefreshMsg{} })
	before := e.lastAuditID()
	s = e.keys(s, " ")
	es := e.auditsSince(before)
	if len(es) != 1 || es[0].StaffID != leo.ID || es[0].Action != "access.toggle" {
		t.Fatalf("space after Bob was added above Leo: %+v (%s)", es, e.lastStatus().Text)
	}
	// A row toggle is one transaction: the row of Leo, all at once.
	before = e.lastAuditID()
	s = e.keys(s, "R")
	if _, on := e.toggles("Harbour Bakery", leo); len(on) != 3 {
		t.Fatalf("R: Leo has %v on (%s)", on, e.lastStatus().Text)
	}
	if got := auditActions(e.auditsSince(before)); got != "access.toggle" {
		t.Fatalf("R wrote %q", got) // the one cell that was off
	}
	// Leo taken out elsewhere: the cursor moves on, says so, and the
	// space meant for Leo is refused.
	if err := e.svc.RemoveFromClient(e.ctx, sys, hb.ID, leo.ID); err != nil {
		t.Fatal(err)
	}
	before = e.lastAuditID()
	s = e.run(s, func() tea.Msg { return RefreshMsg{} })
	e.wantStatus("Leo Martins is no longer in this list", true)
	s = e.keys(s, " ")
	e.wantStatus("Nothing done: Leo Martins vanished", true)
	if es := e.auditsSince(before); len(es) != 0 {
		t.Fatalf("the key meant for Leo wrote %s", auditActions(es))
	}
	// A toggle already on its way when Leo left: refused by the model,
	// naming Leo.
	g := newAccessGrid(e.session(e.owner), &accessData{client: hb, accounts: []model.Account{e.account("Harbour Bakery", "Leave")},
		members: []accessMember{{ID: leo.ID, Name: leo.Name, Email: leo.Email, on: map[int64]bool{}}}, manage: model.Decision{Allowed: true}}, leo.ID)
	msg := g.flipCell()().(gridFlipMsg)
	if msg.err == nil || !strings.Contains(msg.err.Error(), "Leo Martins in Harbour Bakery is no longer there") {
		t.Fatalf("a toggle on its way for a vanished member: %v", msg.err)
	}
	_ = s
}

// A key that reaches the model before the list is read again: the model
// refuses it, naming the member, and when the list then shows them gone
// the note says nothing was done; keys typed ahead stay refused until the
// user moves the cursor, and the key after the move is for the member
// then under the cursor.
func TestAccessGridKeyBeforeTheListShowsTheMemberGone(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	leo := e.member("Leo Martins", "leo@acme.test", "Advisor")
	hb := e.client("Harbour Bakery")
	for _, m := range []model.Member{leo, e.ms["ann"]} {
		if err := e.svc.AddToClient(e.ctx, sys, hb.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	s := e.open(NewClients(e.session(e.owner)), 120, 40)
	s = e.toClient(s, "Harbour Bakery")
	s = e.keys(s, "m", "enter", "j", "R") // Leo's row, all off
	if err := e.svc.RemoveFromClient(e.ctx, sys, hb.ID, leo.ID); err != nil {
		t.Fatal(err)
	}
	before := e.lastAuditID()
	s = e.keys(s, " ") // no RefreshMsg yet: the grid still shows Leo
	e.wantStatus("Nothing done: Leo Martins is no longer in this list (changed elsewhere); the cursor moved to Ann Advisor", true)
	if es := e.auditsSince(before); len(es) != 0 {
		t.Fatalf("the key meant for Leo wrote %s", auditActions(es))
	}
	s = e.keys(s, " ") // typed ahead, before the user saw the cursor move
	if es := e.auditsSince(before); len(es) != 0 {
		t.Fatalf("a key typed ahead landed on the neighbour: %s", auditActions(es))
	}
	e.wantStatus("Nothing done: Leo Martins vanished", true)
	s = e.keys(s, "k", " ") // the user moves (onto Ann, the first row), then acts
	if es := e.auditsSince(before); len(es) != 1 || es[0].StaffID != e.ms["ann"].ID {
		t.Fatalf("the key after a move, on Ann: %+v (%s)", es, e.lastStatus().Text)
	}
	_ = s
}

// A record this session acted on and kept is released for one re-read
// only: when another session removes it later, the cursor says so and the
// next key is refused.
func TestStaffReleaseLastsOneReRead(t *testing.T) {
	e, ms := staffOrg(t)
	sys := model.System("tester")
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "d", "y") // Bob deactivated, and still listed
	if m, _ := s.(*staffScreen).selected(); m.Email != "bob@acme.test" {
		t.Fatalf("cursor left Bob: %+v", m)
	}
	if err := e.svc.Remove(e.ctx, sys, ms["bob"].ID, 0); err != nil {
		t.Fatal(err)
	}
	s = e.drive(s, func() tea.Msg { return RefreshMsg{} })
	if st := e.lastStatus(); !strings.Contains(st.Text, "Bob Builder is no longer in this list") {
		t.Fatalf("Bob removed elsewhere after this session's change, without a word: %+v", st)
	}
	s = e.press(s, "d")
	if st := e.lastStatus(); !strings.Contains(st.Text, "Nothing done: Bob Builder vanished") || s.(*staffScreen).dialog != nil {
		t.Fatalf("the key meant for Bob: %+v", st)
	}
}

// A confirmation opened from rows read before a change whose re-read has
// not come yet checks its record as it opens, and says what changed.
func TestConfirmationOpenedFromStaleRowsSaysWhatChanged(t *testing.T) {
	e, ms := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	if err := e.svc.SetRole(e.ctx, model.System("tester"), ms["bob"].ID, "Admin"); err != nil {
		t.Fatal(err)
	}
	s = e.press(s, "d") // no RefreshMsg: the list still shows Bob an Advisor
	if v := s.View(); !strings.Contains(v, "Deactivate Bob Builder") || !strings.Contains(v, "Changed since you opened this: Bob Builder: role Advisor → Admin") {
		t.Fatalf("the confirmation does not say Bob changed:\n%s", v)
	}
	s = e.press(s, "y")
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatalf("a confirmation of a changed member was written: %+v", m)
	}
}

// A re-read begun before Leo was taken out elsewhere can arrive after the
// model refused the space meant for him: it still shows Leo, yet it is
// not news that he stays, and the refusal stands. When the next re-read
// shows him gone, the note says nothing was done, and the following key
// waits for the user to move the cursor, then is for the member under it.
func TestAccessGridRefusalOutlivesAReReadBegunBeforeIt(t *testing.T) {
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
	d, err := readAccess(sess, hb.ID)
	if err != nil {
		t.Fatal(err)
	}
	g := newAccessGrid(sess, d, leo.ID)
	stale := loadAccess(sess, hb.ID)() // begun while Leo is still there
	if err := e.svc.RemoveFromClient(e.ctx, sys, hb.ID, leo.ID); err != nil {
		t.Fatal(err)
	}
	before := e.lastAuditID()
	var statuses []string
	deliver := func(msg tea.Msg) (fresh []tea.Msg) {
		_, cmd := g.Update(msg)
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
				statuses = append(statuses, m.Text)
			case nil:
			default:
				fresh = append(fresh, m)
			}
		}
		return fresh
	}
	flip := deliver(keyMsg(" ")) // the toggle on its way, for Leo
	if len(flip) != 1 {
		t.Fatalf("space on Leo: %v", flip)
	}
	fresh := deliver(flip[0]) // refused by the model; a re-read follows
	deliver(stale)
	for _, m := range fresh {
		deliver(m)
	}
	if es := e.auditsSince(before); len(es) != 0 {
		t.Fatalf("the key meant for Leo wrote %s", auditActions(es))
	}
	last := statuses[len(statuses)-1]
	if !strings.Contains(last, "Nothing done: Leo Martins is no longer in this list") {
		t.Fatalf("statuses %q: the last one must say nothing was done for Leo", statuses)
	}
	// A key before the user moves is still refused; after a move, the
	// key is for Ann, now under the cursor.
	for _, m := range deliver(keyMsg(" ")) {
		deliver(m)
	}
	if es := e.auditsSince(before); len(es) != 0 {
		t.Fatalf("a key typed ahead landed on the neighbour: %s (%q)", auditActions(es), statuses)
	}
	deliver(keyMsg("k"))
	for _, m := range deliver(keyMsg(" ")) {
		deliver(m)
	}
	if es := e.auditsSince(before); len(es) != 1 || es[0].StaffID != e.ms["ann"].ID {
		t.Fatalf("the next key, on Ann: %+v (%q)", es, statuses)
	}
}

// A burst of action keys (typed ahead, auto-repeat, a slow link) after the
// member under the cursor was taken out elsewhere: none of them lands on
// the neighbour the cursor moved to; after the user moves the cursor, the
// next key acts on the member it shows.
func TestAccessGridBurstAfterAVanishNeverLandsOnTheNeighbour(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	daniel := e.member("Daniel Okafor", "daniel@acme.test", "Advisor")
	leo := e.member("Leo Martins", "leo@acme.test", "Advisor")
	hb := e.client("Harbour Bakery")
	e.account("Harbour Bakery", "Leave")
	for _, m := range []model.Member{e.ms["ann"], daniel, leo} {
		if err := e.svc.AddToClient(e.ctx, sys, hb.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	s := e.open(NewClients(e.session(e.owner)), 120, 40)
	s = e.toClient(s, "Harbour Bakery")
	s = e.keys(s, "m", "enter", "j") // Daniel's row
	if err := e.svc.RemoveFromClient(e.ctx, sys, hb.ID, daniel.ID); err != nil {
		t.Fatal(err)
	}
	s = e.run(s, func() tea.Msg { return RefreshMsg{} })
	e.wantStatus("Daniel Okafor is no longer in this list (changed elsewhere); the cursor moved to Leo Martins", true)
	before := e.lastAuditID()
	s = e.keys(s, " ", " ", " ")
	if es := e.auditsSince(before); len(es) != 0 {
		t.Fatalf("a burst meant for Daniel landed on %s", auditActions(es))
	}
	e.wantStatus("Nothing done: Daniel Okafor vanished", true)
	s = e.keys(s, "k", " ") // moved by the user onto Ann; the key is hers
	if es := e.auditsSince(before); len(es) != 1 || es[0].StaffID != e.ms["ann"].ID {
		t.Fatalf("the key after a move, on Ann: %+v (%s)", es, e.lastStatus().Text)
	}
	_ = s
}
