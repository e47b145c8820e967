package screens

import (
	"reflect"
	"runtime"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/db"
	"gatehouse/model"
)

// clientsEnv drives the Clients screens over a real organisation. Its
// driver runs Gatehouse's own commands (and Bubble Tea's batches) to the
// end, but not the text cursors' blink timers, which would tick forever.
type clientsEnv struct {
	*staffEnv
	ms map[string]model.Member
}

// clientsOrg is a firm with an Admin, two Advisors and three folders:
// Harbour Bakery (3 accounts), Juniper Dental (2), Quarry Legal (1).
func clientsOrg(t *testing.T) *clientsEnv {
	t.Helper()
	e := &clientsEnv{staffEnv: newStaffEnv(t), ms: map[string]model.Member{}}
	e.ms["owner"] = e.owner
	e.ms["admin"] = e.member("Adam Admin", "adam@acme.test", "Admin")
	e.ms["ann"] = e.member("Ann Advisor", "ann@acme.test", "Advisor")
	e.ms["bob"] = e.member("Bob Builder", "bob@acme.test", "Advisor")
	e.exec(`INSERT INTO departments (name, created_at) VALUES ('Payroll team', 0), ('Tax team', 0)`)
	sys := model.System("tester")
	for _, c := range []model.ClientInput{
		{Name: "Harbour Bakery", OwnerID: e.ms["admin"].ID, Department: "Payroll team", Accounts: []string{"Payroll", "Timesheets", "Leave"}},
		{Name: "Juniper Dental", OwnerID: e.ms["admin"].ID, Accounts: []string{"Payroll", "Expenses"}},
		{Name: "Quarry Legal", Department: "Tax team", Accounts: []string{"Payroll"}},
	} {
		if _, err := e.svc.CreateClient(e.ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *clientsEnv) client(name string) model.Client {
	e.t.Helper()
	c, err := e.svc.ClientByName(e.ctx, model.System("tester"), name)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *clientsEnv) account(client, name string) model.Account {
	e.t.Helper()
	accs, err := e.svc.Accounts(e.ctx, model.System("tester"), e.client(client).ID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, a := range accs {
		if a.Name == name {
			return a
		}
	}
	e.t.Fatalf("%s has no account %s", client, name)
	return model.Account{}
}

// toggles are the accounts of a folder toggled on for a member, and
// whether they are in it at all.
func (e *clientsEnv) toggles(client string, m model.Member) (bool, []string) {
	e.t.Helper()
	gs, err := e.svc.ListGrants(e.ctx, model.System("tester"), db.GrantQuery{ClientID: e.client(client).ID, StaffID: m.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	var on []string
	for _, g := range gs {
		if g.AccountID != 0 {
			on = append(on, g.Account)
		}
	}
	return len(gs) > 0, on
}

// reaches asks the engine, as `gatehouse check` does, whether a member
// reaches an account.
func (e *clientsEnv) reaches(m model.Member, client, account string) bool {
	e.t.Helper()
	d, err := e.svc.Check(e.ctx, model.MemberPrincipal(m, "test"), model.ActAccess,
		model.TargetRef{Kind: "account", Module: model.ModuleAccounts, Client: client, Account: account})
	if err != nil {
		e.t.Fatal(err)
	}
	return d.Allowed
}

// audits are the actions of the audit entries written since entry id.
func (e *clientsEnv) auditsSince(id int64) []model.AuditEntry {
	e.t.Helper()
	es, err := db.ListAudit(e.ctx, e.svc.DB().Read(), db.AuditQuery{Scope: db.Scope{All: true}, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []model.AuditEntry
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].ID > id {
			out = append(out, es[i])
		}
	}
	return out
}

func (e *clientsEnv) lastAuditID() int64 {
	e.t.Helper()
	var id int64
	if err := e.svc.DB().Read().QueryRowContext(e.ctx, `SELECT COALESCE(max(id), 0) FROM audit_log`).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func auditActions(es []model.AuditEntry) string {
	var out []string
	for _, a := range es {
		out = append(out, a.Action)
	}
	return strings.Join(out, ",")
}

// runnable reports whether the driver should run a command: Gatehouse's
// own and Bubble Tea's batching, not the bubbles' blink timers.
func runnable(c tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(c).Pointer()).Name()
	return strings.HasPrefix(name, "gatehouse/") || strings.HasPrefix(name, "github.com/charmbracelet/bubbletea.")
}

// run settles cmd, leaving out commands from outside Gatehouse and Bubble
// Tea (timers that would only wait).
func (e *clientsEnv) run(s Screen, cmd tea.Cmd) Screen {
	e.t.Helper()
	return e.settle(s, cmd, runnable)
}

func (e *clientsEnv) open(s Screen, w, h int) Screen {
	s.SetSize(w, h)
	return e.run(s, s.Init())
}

func (e *clientsEnv) keys(s Screen, keys ...string) Screen {
	e.t.Helper()
	for _, k := range keys {
		msg := keyMsg(k)
		if k == "ctrl+u" {
			msg = tea.KeyMsg{Type: tea.KeyCtrlU}
		}
		var cmd tea.Cmd
		s, cmd = s.Update(msg)
		s = e.run(s, cmd)
	}
	return s
}

// toClient moves the list cursor to the folder named name.
func (e *clientsEnv) toClient(s Screen, name string) Screen {
	e.t.Helper()
	s = e.keys(s, "g")
	cs := s.(*clientsScreen)
	for i := 0; i < 200; i++ {
		if c, ok := cs.selected(); ok && c.Name == name {
			return s
		}
		s = e.keys(s, "j")
	}
	e.t.Fatalf("no row for %s", name)
	return s
}

func (e *clientsEnv) wantStatus(sub string, isErr bool) {
	e.t.Helper()
	st := e.lastStatus()
	if !strings.Contains(st.Text, sub) || st.Err != isErr {
		e.t.Fatalf("status %q (error %v), want one containing %q (error %v)", st.Text, st.Err, sub, isErr)
	}
}

// fits checks a view has no raw ESC and stays within w × h.
func fits(t *testing.T, what, view string, w, h int) {
	t.Helper()
	if strings.ContainsRune(view, '\x1b') {
		t.Errorf("%s: raw ESC in view", what)
	}
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines, more than %d", what, len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("%s: line %d is %d wide, more than %d: %q", what, i+1, lipgloss.Width(l), w, l)
		}
	}
}

func TestClientsListGolden(t *testing.T) {
	e := clientsOrg(t)
	for _, sz := range sizes {
		s := e.open(NewClients(e.session(e.owner)), sz[0], sz[1])
		s = e.keys(s, "j")
		golden(t, sizeName("clients_list", sz), s.View(), sz[0], sz[1])
	}
	s := e.open(NewClients(e.session(e.owner)), 80, 24)
	first := s.(*clientsScreen).held[0]
	if !first.Internal || !strings.Contains(s.View(), "◆ Internal accounts") {
		t.Fatalf("the internal folder is not first and marked: %+v", first)
	}
}

func TestManageAccessGolden(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	hb := e.client("Harbour Bakery")
	for _, m := range []model.Member{e.ms["ann"], e.ms["bob"]} {
		if err := e.svc.AddToClient(e.ctx, sys, hb.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.SetAccountAccess(e.ctx, sys, e.account("Harbour Bakery", "Leave").ID, e.ms["bob"].ID, false); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		s := e.open(NewClients(e.session(e.owner)), sz[0], sz[1])
		s = e.toClient(s, "Harbour Bakery")
		s = e.keys(s, "m")
		golden(t, sizeName("clients_manage_access", sz), s.View(), sz[0], sz[1])
		s = e.keys(s, "j", "enter", "l")
		golden(t, sizeName("clients_access_grid", sz), s.View(), sz[0], sz[1])
		s = e.keys(s, "w")
		golden(t, sizeName("clients_who_can_reach", sz), s.View(), sz[0], sz[1])
	}
}

// TestAccessToggleSemantics walks the Manage Access rules through the pop-up: + Staff
// turns every account on, a toggle off keeps the member in the folder,
// Remove staff member takes every toggle; each step writes its audit entry.
func TestAccessToggleSemantics(t *testing.T) {
	e := clientsOrg(t)
	ann := e.ms["ann"]
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	s = e.toClient(s, "Harbour Bakery")
	s = e.keys(s, "m")

	mark := e.lastAuditID()
	s = e.keys(s, "+", "Ann")
	if !strings.Contains(s.View(), "Ann Advisor") {
		t.Fatalf("the + Staff picker does not offer Ann:\n%s", s.View())
	}
	s = e.keys(s, "enter")
	e.wantStatus("Added Ann Advisor to Harbour Bakery with all 3 accounts on", false)
	in, on := e.toggles("Harbour Bakery", ann)
	if !in || len(on) != 3 {
		t.Fatalf("after + Staff: in folder %v, accounts on %v; want all 3", in, on)
	}
	if got := auditActions(e.auditsSince(mark)); got != "access.add" {
		t.Fatalf("+ Staff audited %q", got)
	}
	if !strings.Contains(s.View(), "3 of 3") {
		t.Fatalf("the pop-up does not show Ann's 3 of 3:\n%s", s.View())
	}

	// The picker leaves out who is added already.
	s = e.keys(s, "+")
	if strings.Contains(s.View(), "Ann Advisor") {
		t.Fatalf("the picker offers Ann again:\n%s", s.View())
	}
	s = e.keys(s, "esc")

	// The grid: Ann's row, first account column is Leave (by name).
	mark = e.lastAuditID()
	s = e.keys(s, "enter", " ")
	e.wantStatus("Ann Advisor: Leave turned off", false)
	in, on = e.toggles("Harbour Bakery", ann)
	if !in || strings.Join(on, ",") != "Payroll,Timesheets" {
		t.Fatalf("after one toggle off: in folder %v, on %v", in, on)
	}
	if e.reaches(ann, "Harbour Bakery", "Leave") || !e.reaches(ann, "Harbour Bakery", "Payroll") {
		t.Fatal("the engine disagrees with the grid")
	}
	es := e.auditsSince(mark)
	if auditActions(es) != "access.toggle" || !strings.Contains(es[0].Target, "Leave") || !strings.Contains(es[0].After, "off") {
		t.Fatalf("toggle audited %+v", es)
	}
	if !strings.Contains(s.View(), "›") || strings.Count(s.View(), "[✓]") != 2 {
		t.Fatalf("grid does not show two accounts on:\n%s", s.View())
	}

	// R turns the whole row on (one was off), then off.
	mark = e.lastAuditID()
	s = e.keys(s, "R")
	if _, on = e.toggles("Harbour Bakery", ann); len(on) != 3 {
		t.Fatalf("R should turn all on, got %v", on)
	}
	if got := auditActions(e.auditsSince(mark)); got != "access.toggle" {
		t.Fatalf("R changed one cell and should audit one toggle, got %q", got)
	}
	s = e.keys(s, "R")
	in, on = e.toggles("Harbour Bakery", ann)
	if !in || len(on) != 0 {
		t.Fatalf("R again should turn all off and keep Ann in the folder: in %v on %v", in, on)
	}
	// C turns a column on for every member.
	s = e.keys(s, "l", "C")
	if _, on = e.toggles("Harbour Bakery", ann); strings.Join(on, ",") != "Payroll" {
		t.Fatalf("C on Payroll: on %v", on)
	}

	// Remove staff member asks first; n keeps them.
	s = e.keys(s, "esc", "x")
	if !strings.Contains(s.View(), "Remove staff member") {
		t.Fatalf("no confirmation:\n%s", s.View())
	}
	s = e.keys(s, "n")
	if in, _ = e.toggles("Harbour Bakery", ann); !in {
		t.Fatal("declining removed the member")
	}
	mark = e.lastAuditID()
	s = e.keys(s, "x", "y")
	e.wantStatus("Removed Ann Advisor", false)
	if in, _ = e.toggles("Harbour Bakery", ann); in {
		t.Fatal("Remove staff member left the member in the folder")
	}
	var left int
	if err := e.svc.DB().Read().QueryRowContext(e.ctx, `SELECT count(*) FROM account_access WHERE staff_id = ?`, ann.ID).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d toggles left after removal (%v)", left, err)
	}
	if got := auditActions(e.auditsSince(mark)); got != "access.remove" {
		t.Fatalf("remove audited %q", got)
	}
	if strings.Contains(s.View(), "Ann Advisor") {
		t.Fatalf("the pop-up still lists Ann:\n%s", s.View())
	}
}

// TestAccessGridLive: a flip in one session shows in another session's
// open grid on the shell's RefreshMsg.
func TestAccessGridLive(t *testing.T) {
	e := clientsOrg(t)
	hb := e.client("Harbour Bakery")
	if err := e.svc.AddToClient(e.ctx, model.System("tester"), hb.ID, e.ms["ann"].ID); err != nil {
		t.Fatal(err)
	}
	a := e.keys(e.toClient(e.open(NewClients(e.session(e.owner)), 100, 30), "Harbour Bakery"), "m", "enter")
	b := e.keys(e.toClient(e.open(NewClients(e.session(e.ms["admin"])), 100, 30), "Harbour Bakery"), "m", "enter")
	if strings.Count(b.View(), "[✓]")+strings.Count(b.View(), "›✓‹") != 3 {
		t.Fatalf("admin's grid does not start with 3 on:\n%s", b.View())
	}
	a = e.keys(a, " ")
	_ = a
	b = e.run(b, func() tea.Msg { return RefreshMsg{} })
	if strings.Count(b.View(), "[✓]")+strings.Count(b.View(), "›✓‹") != 2 {
		t.Fatalf("admin's grid did not follow the owner's flip:\n%s", b.View())
	}
}

func TestClientsAdvisorView(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	ann := e.ms["ann"]
	hb := e.client("Harbour Bakery")
	if err := e.svc.AddToClient(e.ctx, sys, hb.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetAccountAccess(e.ctx, sys, e.account("Harbour Bakery", "Leave").ID, ann.ID, false); err != nil {
		t.Fatal(err)
	}
	s := e.open(NewClients(e.session(ann)), 100, 30)
	v := s.View()
	if !strings.Contains(v, "Harbour Bakery") || strings.Contains(v, "Juniper") || strings.Contains(v, "Quarry") || strings.Contains(v, "Internal accounts") {
		t.Fatalf("an Advisor should see only the folder they were added to:\n%s", v)
	}
	// Detail: only the accounts toggled on for them.
	s = e.keys(s, "enter")
	v = s.View()
	if !strings.Contains(v, "Payroll") || !strings.Contains(v, "Timesheets") || strings.Contains(v, "Leave") {
		t.Fatalf("the detail should show only Ann's toggled accounts:\n%s", v)
	}
	if strings.Contains(v, "n add ·") {
		t.Fatalf("an Advisor is offered to add accounts:\n%s", v)
	}
	s = e.keys(s, "n")
	e.wantStatus("may not create accounts", true)
	// The pop-up is view only, with the engine's reason.
	s = e.keys(s, "esc", "m")
	v = s.View()
	if !strings.Contains(v, "View only") || strings.Contains(v, "[+ Staff]") {
		t.Fatalf("the pop-up should be view only for an Advisor:\n%s", v)
	}
	mark := e.lastAuditID()
	s = e.keys(s, "+")
	e.wantStatus("may not update access", true)
	s = e.keys(s, "enter", " ")
	e.wantStatus("may not update access", true)
	if in, on := e.toggles("Harbour Bakery", ann); !in || len(on) != 2 {
		t.Fatalf("an Advisor's keys changed access: %v %v", in, on)
	}
	if n := len(e.auditsSince(mark)); n != 0 {
		t.Fatalf("%d audit entries from refused actions", n)
	}
	s = e.keys(s, "esc", "esc", "n")
	e.wantStatus("may not create clients", true)
}

func TestClientsFolderActions(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.ms["admin"])), 100, 30)

	// Create: name, department, accounts, then the owner.
	mark := e.lastAuditID()
	s = e.keys(s, "n", "Willow Farm", "tab", "right", "tab", "Payroll", "enter", "Harvest", "ctrl+s")
	if !strings.Contains(s.View(), "Owner of Willow Farm") {
		t.Fatalf("no owner picker after the form:\n%s", s.View())
	}
	s = e.keys(s, "Bob", "enter")
	e.wantStatus("Created Willow Farm with 2 accounts", false)
	wf := e.client("Willow Farm")
	if wf.OwnerName != "Bob Builder" || wf.DepartmentName != "Payroll team" || wf.Accounts != 2 {
		t.Fatalf("created %+v", wf)
	}

	// A name taken already: the form stays with what was typed.
	s = e.keys(s, "n", "Quarry Legal", "ctrl+s", "enter")
	if !strings.Contains(s.View(), "exists already") || !strings.Contains(s.View(), "Quarry Legal") {
		t.Fatalf("a duplicate name should keep the form with the error:\n%s", s.View())
	}
	s = e.keys(s, "esc")

	s = e.toClient(s, "Willow Farm")
	s = e.keys(s, "r", "ctrl+u", "Willow Barn", "enter")
	if _, err := e.svc.ClientByName(e.ctx, model.System("tester"), "Willow Barn"); err != nil {
		t.Fatalf("rename: %v (%s)", err, e.lastStatus().Text)
	}
	s = e.toClient(s, "Willow Barn")
	s = e.keys(s, "o", "Ann", "enter")
	s = e.keys(s, "D", "Tax", "enter")
	wf = e.client("Willow Barn")
	if wf.OwnerName != "Ann Advisor" || wf.DepartmentName != "Tax team" {
		t.Fatalf("owner and department: %+v", wf)
	}

	// Detail: add, rename and remove an account.
	// The cursor stays on Harvest when Expenses is added above it.
	s = e.keys(s, "enter", "n", "Expenses", "enter")
	s = e.keys(s, "r", "ctrl+u", "Harvest 2026", "enter")
	s = e.keys(s, "g", "x", "y")
	accs, _ := e.svc.Accounts(e.ctx, model.System("tester"), wf.ID)
	var names []string
	for _, a := range accs {
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "Harvest 2026,Payroll" {
		t.Fatalf("accounts after add/rename/remove: %v (%s)", names, e.lastStatus().Text)
	}

	// Archive, then restore from the archived view.
	s = e.keys(s, "esc")
	s = e.toClient(s, "Willow Barn")
	s = e.keys(s, "d", "y")
	if !e.client("Willow Barn").Archived || strings.Contains(s.View(), "Willow Barn") {
		t.Fatalf("archive: %+v\n%s", e.client("Willow Barn"), s.View())
	}
	s = e.keys(s, "v")
	s = e.toClient(s, "Willow Barn")
	s = e.keys(s, "d", "y")
	if e.client("Willow Barn").Archived {
		t.Fatal("restore did not restore")
	}
	want := "client.create,client.rename,client.set-owner,client.set-department,account.create,account.rename,account.remove,client.archive,client.restore"
	if got := auditActions(e.auditsSince(mark)); got != want {
		t.Fatalf("audit:\n got %s\nwant %s", got, want)
	}
	for _, a := range e.auditsSince(mark) {
		if a.Actor != "adam@acme.test" {
			t.Fatalf("audit actor %q", a.Actor)
		}
	}
}

func TestClientsInternalFolderOwnerOnly(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.ms["admin"])), 100, 30)
	if strings.Contains(s.View(), "Internal accounts") {
		t.Fatalf("an Admin not added should not see the internal folder:\n%s", s.View())
	}
	s = e.open(NewClients(e.session(e.owner)), 100, 30)
	s = e.keys(s, "g", "m", "+", "Adam", "enter")
	e.wantStatus("Added Adam Admin to Internal accounts", false)
	s = e.keys(s, "esc", "r", "enter")
	e.wantStatus("keeps its name", true)
}

func TestClientsSortAndFilter(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	s = e.keys(s, "/", "jun")
	cs := s.(*clientsScreen)
	if cs.table.Total() != 1 || cs.held[0].Name != "Juniper Dental" {
		t.Fatalf("filter: %d rows %+v", cs.table.Total(), cs.held)
	}
	s = e.keys(s, "esc")
	if cs.table.Total() != 4 {
		t.Fatalf("esc should clear the filter, %d rows", cs.table.Total())
	}
	s = e.keys(s, "S")
	if cs.held[1].Name != "Quarry Legal" || !cs.held[0].Internal {
		t.Fatalf("reverse by name: %v, %v", cs.held[0].Name, cs.held[1].Name)
	}
	s = e.keys(s, "s")
	if !strings.Contains(s.View(), "sorted by owner") {
		t.Fatalf("s should sort by owner:\n%s", s.View())
	}
}
