package screens

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// hostileNames reach the database through raw SQL, as an old import or a
// careless integration might put them there.
var hostileNames = []string{
	"Evil \x1b[31mRed\x1b[0m Ltd",
	"Clip \x1b]52;c;cm0gLXJmIH4=\x07 Co",
	"Bidi \u202Egnp.exe\u202C Trading",
	strings.Repeat("W", 120),
}

func TestClientsHostileNames(t *testing.T) {
	e := clientsOrg(t)
	hb := e.client("Harbour Bakery")
	for i, n := range hostileNames {
		e.exec(`INSERT INTO clients (name, owner_id, created_at) VALUES (?, ?, 0)`, n, e.owner.ID)
		e.exec(`INSERT INTO accounts (client_id, name, created_at) VALUES (?, ?, 0)`, hb.ID, fmt.Sprintf("%d %s", i, n))
	}
	e.exec(`UPDATE staff SET name = ? WHERE id = ?`, "Ann \x1b[2J\u202E"+strings.Repeat("A", 110), e.ms["ann"].ID)
	if err := e.svc.AddToClient(e.ctx, model.System("tester"), hb.ID, e.ms["ann"].ID); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		s := e.open(NewClients(e.session(e.owner)), w, h)
		fits(t, "list", s.View(), w, h)
		if !strings.Contains(s.View(), "␛[31mRed") {
			t.Fatalf("the ESC should show as ␛:\n%s", s.View())
		}
		s = e.keys(s, "G")
		fits(t, "list bottom", s.View(), w, h)
		s = e.keys(s, "enter")
		fits(t, "detail of a hostile folder", s.View(), w, h)
		s = e.keys(s, "esc")
		s = e.toClient(s, "Harbour Bakery")
		s = e.keys(s, "enter")
		fits(t, "detail with hostile accounts", s.View(), w, h)
		s = e.keys(s, "w")
		fits(t, "who can reach", s.View(), w, h)
		s = e.keys(s, "esc", "esc", "m")
		fits(t, "pop-up", s.View(), w, h)
		s = e.keys(s, "enter")
		fits(t, "grid", s.View(), w, h)
		for i := 0; i < 8; i++ {
			s = e.keys(s, "l")
			fits(t, "grid scrolled", s.View(), w, h)
		}
		if !strings.Contains(s.View(), "‹ accounts") {
			t.Fatalf("the grid should show it scrolled right:\n%s", s.View())
		}
		s = e.keys(s, "esc", "+")
		fits(t, "staff picker", s.View(), w, h)
		mc := e.open(NewMemberClients(e.session(e.owner), e.ms["ann"]), w, h)
		fits(t, "member's clients", mc.View(), w, h)
		mc = e.keys(mc, "+")
		fits(t, "+ Clients", mc.View(), w, h)
	}
}

// TestClientsHundredThousand: the list pages in SQL, holds only a window
// of rows, and answers at once.
func TestClientsHundredThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("large fixture")
	}
	e := clientsOrg(t)
	e.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		INSERT INTO clients (name, owner_id, created_at) SELECT printf('Client %06d', i), ?, i FROM n`, e.ms["admin"].ID)
	start := time.Now()
	s := e.open(NewClients(e.session(e.owner)), 120, 40)
	cs := s.(*clientsScreen)
	if cs.table.Total() != 100004 {
		t.Fatalf("total %d", cs.table.Total())
	}
	if len(cs.held) > 3*cs.table.PageSize() {
		t.Fatalf("holds %d rows for a page of %d", len(cs.held), cs.table.PageSize())
	}
	s = e.keys(s, "G")
	if c, ok := cs.selected(); !ok || c.Name != "Quarry Legal" {
		t.Fatalf("bottom row %+v", c)
	}
	s = e.keys(s, "/", "099999")
	if cs.table.Total() != 1 || cs.held[0].Name != "Client 099999" {
		t.Fatalf("filter: %d", cs.table.Total())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("100,000 folders took %v", d)
	}
	fits(t, "list", s.View(), 120, 40)
}

func TestMemberClients(t *testing.T) {
	e := clientsOrg(t)
	ann := e.ms["ann"]
	s := e.open(NewMemberClients(e.session(e.ms["admin"]), ann), 100, 30)
	if !strings.Contains(s.View(), "Not added to any client folder") {
		t.Fatalf("new member:\n%s", s.View())
	}
	mark := e.lastAuditID()
	s = e.keys(s, "+", "jun")
	v := s.View()
	if strings.Contains(v, "Harbour Bakery") || !strings.Contains(v, "Juniper Dental") {
		t.Fatalf("+ Clients filter:\n%s", v)
	}
	// Marks survive a new filter.
	s = e.keys(s, " ", "backspace", "backspace", "backspace")
	if v = s.View(); !strings.Contains(v, "[x] Juniper Dental") || !strings.Contains(v, "[ ] Quarry Legal") {
		t.Fatalf("marks after clearing the filter:\n%s", v)
	}
	s = e.keys(s, " ", "enter")
	e.wantStatus("Added Ann Advisor to 2 client folders", false)
	if got := auditActions(e.auditsSince(mark)); got != "access.add,access.add" {
		t.Fatalf("audit %q", got)
	}
	v = s.View()
	if !strings.Contains(v, "added to Harbour Bakery, Leave toggled on") || !strings.Contains(v, "only the accounts toggled on") {
		t.Fatalf("the reasons should be the engine's:\n%s", v)
	}
	// Folders already added are not offered again.
	s = e.keys(s, "+", " ")
	if !strings.Contains(s.View(), "already added") {
		t.Fatalf("already added folders should say so:\n%s", s.View())
	}
	s = e.keys(s, "esc")

	// An account toggled off shows as such; the folder stays listed.
	jd := e.client("Juniper Dental")
	for _, a := range []string{"Payroll", "Expenses"} {
		if err := e.svc.SetAccountAccess(e.ctx, model.System("tester"), e.account("Juniper Dental", a).ID, ann.ID, false); err != nil {
			t.Fatal(err)
		}
	}
	s = e.run(s, func() tea.Msg { return RefreshMsg{} })
	if !strings.Contains(s.View(), "every account is toggled off") {
		t.Fatalf("a member with every account off:\n%s", s.View())
	}
	// Remove client: cursor to Juniper Dental (last row), confirm.
	s = e.keys(s, "pgdown", "x")
	if !strings.Contains(s.View(), "Remove client") {
		t.Fatalf("no confirmation:\n%s", s.View())
	}
	mark = e.lastAuditID()
	s = e.keys(s, "y")
	if in, _ := e.toggles("Juniper Dental", ann); in {
		t.Fatal("still in Juniper Dental")
	}
	if got := auditActions(e.auditsSince(mark)); got != "access.remove" {
		t.Fatalf("audit %q", got)
	}
	_ = jd
	// esc tells the Staff screen to close the view.
	_, cmd := s.Update(keyMsg("esc"))
	if msg, ok := cmd().(MemberClientsClosedMsg); !ok || msg.StaffID != ann.ID {
		t.Fatalf("esc sent %#v", msg)
	}
	// An Advisor looking at themselves may not change it.
	s = e.open(NewMemberClients(e.session(ann), ann), 100, 30)
	if strings.Contains(s.View(), "+ add clients") {
		t.Fatalf("an Advisor is offered + Clients:\n%s", s.View())
	}
	s = e.keys(s, "+")
	e.wantStatus("may not update access", true)
}

func TestClientsBulkReassign(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	mark := e.lastAuditID()
	s = e.keys(s, "B", "Adam", "enter")
	v := s.View()
	if !strings.Contains(v, "folders owned by Adam Admin") || !strings.Contains(v, "0 marked of 2") {
		t.Fatalf("the owner's folders:\n%s", v)
	}
	s = e.keys(s, "enter")
	e.wantStatus("Mark the folders", true)
	// Filter to Juniper, mark it, new owner Bob.
	s = e.keys(s, "/", "jun", "enter", " ")
	if !strings.Contains(s.View(), "1 marked of 1") {
		t.Fatalf("mark:\n%s", s.View())
	}
	s = e.keys(s, "enter", "Bob", "enter")
	if !strings.Contains(s.View(), "Move 1 folder from Adam Admin to Bob Builder") {
		t.Fatalf("confirmation:\n%s", s.View())
	}
	s = e.keys(s, "y")
	e.wantStatus("Reassigned 1 folder", false)
	if e.client("Juniper Dental").OwnerName != "Bob Builder" || e.client("Harbour Bakery").OwnerName != "Adam Admin" {
		t.Fatal("wrong folders moved")
	}
	// All (A) of the rest, to nobody.
	s = e.keys(s, "/", "ctrl+u", "enter", "A", "enter", "enter", "y")
	e.wantStatus("Reassigned 1 folder from Adam Admin to no one", false)
	if e.client("Harbour Bakery").OwnerID != 0 {
		t.Fatal("Harbour Bakery still owned")
	}
	if got := auditActions(e.auditsSince(mark)); got != "client.set-owner,client.set-owner" {
		t.Fatalf("audit %q", got)
	}
	s = e.keys(s, "esc")
	if _, ok := s.(*clientsScreen); !ok || s.(*clientsScreen).dialog != nil {
		t.Fatal("esc should close bulk reassign")
	}
}

// TestClientsIgnoreOtherScreensMessages: the shell gives every message to
// every screen; another screen's action result or engine gate must not
// close or open anything here.
func TestClientsIgnoreOtherScreensMessages(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	s = e.toClient(s, "Harbour Bakery")
	s = e.keys(s, "m")
	s = e.run(s, func() tea.Msg { return ActionMsg{Status: "another screen's"} })
	if s.(*clientsScreen).dialog == nil {
		t.Fatal("another screen's ActionMsg closed the pop-up")
	}
	s = e.keys(s, "esc")
	other := NewViewID() // another view's
	s = e.run(s, func() tea.Msg {
		return gateMsg{to: other, decision: model.Decision{Allowed: true}, open: func(model.Target) (Dialog, tea.Cmd) {
			return &ResultDialog{Title: "not ours"}, nil
		}}
	})
	if s.(*clientsScreen).dialog != nil {
		t.Fatal("a gate asked by another view opened a dialog here")
	}
}

func TestClientDetailAndMemberClientsGolden(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	hb := e.client("Harbour Bakery")
	if err := e.svc.AddToClient(e.ctx, sys, hb.ID, e.ms["ann"].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetAccountAccess(e.ctx, sys, e.account("Harbour Bakery", "Timesheets").ID, e.ms["ann"].ID, false); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		s := e.open(NewClients(e.session(e.owner)), sz[0], sz[1])
		s = e.toClient(s, "Harbour Bakery")
		s = e.keys(s, "enter")
		golden(t, sizeName("clients_detail", sz), s.View(), sz[0], sz[1])
		s = e.keys(s, "esc", "B", "Adam", "enter")
		golden(t, sizeName("clients_bulk_reassign", sz), s.View(), sz[0], sz[1])
		mc := e.open(NewMemberClients(e.session(e.owner), e.ms["ann"]), sz[0], sz[1])
		golden(t, sizeName("clients_member_clients", sz), mc.View(), sz[0], sz[1])
	}
}

// TestClientsCapturing: the shell keeps tab, q and ? on the list and a
// folder's detail, and gives every key to a pop-up, a form or the filter.
func TestClientsCapturing(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	steps := []struct {
		keys []string
		want bool
	}{
		{nil, false},
		{[]string{"/"}, true},
		{[]string{"esc", "enter"}, false}, // the detail
		{[]string{"n"}, true},             // add account form
		{[]string{"esc", "esc", "m"}, true},
		{[]string{"esc"}, false},
	}
	for _, st := range steps {
		s = e.keys(s, st.keys...)
		if got := s.Capturing(); got != st.want {
			t.Fatalf("after %v: capturing %v, want %v", st.keys, got, st.want)
		}
	}
}
