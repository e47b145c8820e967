package screens

import (
	"fmt"
	"strings"
	"testing"

	"gatehouse/model"
)

func TestSimulator(t *testing.T) {
	e := newStaffEnv(t)
	e.member("Sam Support", "sam@acme.test", "Advisor")
	if _, err := e.svc.CreateClient(e.ctx, model.System("tester"), model.ClientInput{Name: "Harbour Bakery", Accounts: []string{"Payroll"}}); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		s := e.start(NewExplain(e.session(e.owner)), w, h)
		s = e.press(s, "m", "sam", "enter", "t", "account", "enter", "Harbour", "enter", "enter")
		v := s.View()
		if !strings.Contains(v, "account:Harbour Bakery/Payroll") {
			t.Fatalf("target not chosen:\n%s", v)
		}
		golden(t, fmt.Sprintf("explain_simulator_%dx%d", w, h), v, w, h)
	}
	s := e.start(NewExplain(e.session(e.owner)), 120, 40)
	s = e.press(s, "m", "sam", "enter", "t", "module", "enter", "clients", "enter")
	rows := s.(*simScreen).rows
	if len(rows) != len(simActions) {
		t.Fatalf("%d rows", len(rows))
	}
	byAction := map[string]simRow{}
	for _, r := range rows {
		byAction[r.Action.String()] = r
	}
	if !byAction["view"].Decision.Allowed || byAction["create"].Decision.Allowed || byAction["access"].NA == "" ||
		byAction["change-payment"].Decision.Allowed || !strings.Contains(byAction["change-payment"].Decision.Reason, "only the Owner") {
		t.Fatalf("decisions: %+v", rows)
	}
	// enter on "create" explains the refusal step by step.
	s = e.press(s, "down", "enter")
	v := s.View()
	for _, want := range []string{"Why: create clients", "Sam Support <sam@acme.test>, Advisor (built-in role)", "create clients", "scope none", "✗ refused"} {
		if !strings.Contains(v, want) {
			t.Errorf("explanation lacks %q:\n%s", want, v)
		}
	}
	golden(t, "explain_popup_80x24", func() string { s.SetSize(80, 24); return s.View() }(), 80, 24)

	// What if Sam were an Admin: the preview, then the change.
	s = e.press(s, "esc", "R", "Admin", "enter")
	if v := s.View(); !strings.Contains(v, "What if Sam Support were Admin?") || !strings.Contains(v, "create clients (all)") {
		t.Fatalf("what-if:\n%s", v)
	}
	s = e.press(s, "y")
	if !s.(*simScreen).rows[1].Decision.Allowed {
		t.Fatalf("after the change Sam still may not create clients: %+v", s.(*simScreen).rows[1])
	}
}

// Text typed by users and stored by others (role, department, connection
// names, audit targets) reaches the terminal with no escape sequence.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	e := newStaffEnv(t)
	sys := model.System("tester")
	hostile := "Evil\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eobal\x1b[31m"
	r, err := e.svc.CreateRole(e.ctx, sys, "Plain role", "", []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.CreateDepartment(e.ctx, sys, "Plain dept", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := e.svc.CreateConnection(e.ctx, sys, "Plain conn", "api", []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}, "")
	if err != nil {
		t.Fatal(err)
	}
	e.exec(`UPDATE roles SET name = ?, description = ? WHERE id = ?`, hostile, hostile, r.ID)
	e.exec(`UPDATE departments SET name = ?, description = ? WHERE id = ?`, hostile, hostile, d.ID)
	e.exec(`UPDATE connections SET name = ? WHERE id = ?`, hostile, c.ID)
	e.exec(`INSERT INTO audit_log (id, at, actor_kind, actor, origin, action, target_kind, target, before, after, prev_hash, hash)
		VALUES (1000, 1, 'system', ?, ?, 'role.update', 'role', ?, ?, ?, 'x', 'y')`, hostile, hostile, hostile, `{"name":"`+strings.ReplaceAll(hostile, "\x1b", `\u001b`)+`"}`, "not json "+hostile)

	check := func(name string, s Screen) {
		t.Helper()
		v := s.View()
		if strings.ContainsRune(v, '\x1b') || strings.ContainsRune(v, '\u202e') || strings.ContainsRune(v, '\x07') {
			t.Errorf("%s renders raw control text:\n%q", name, v)
		}
		if !strings.Contains(v, "Evil") {
			t.Errorf("%s does not show the hostile row at all:\n%s", name, v)
		}
	}
	sess := e.session(e.owner)
	s := e.start(NewRoles(sess), 120, 40)
	s = cursorTo(t, e, s, hostile)
	check("roles", s)
	check("roles editor", e.press(s, "e"))
	s = e.start(NewSettings(sess), 120, 40)
	check("departments", e.press(s, "2"))
	check("connections", e.press(s, "3"))
	s = e.start(NewAudit(sess), 120, 40)
	check("audit", s)
	check("audit detail", e.press(s, "enter"))
}

// An action with no meaning for the target says why plainly, not as an
// error about invalid input.
func TestSimulatorSaysPlainlyWhatDoesNotApply(t *testing.T) {
	e := newStaffEnv(t)
	e.member("Sam Support", "sam@acme.test", "Advisor")
	s := e.start(NewExplain(e.session(e.owner)), 120, 40)
	s = e.press(s, "m", "sam", "enter", "t", "staff", "enter", "sam", "enter")
	var access simRow
	for _, r := range s.(*simScreen).rows {
		if r.Action == model.ActAccess {
			access = r
		}
	}
	if access.NA == "" || strings.Contains(access.NA, "invalid input") {
		t.Fatalf("access on a staff member: %+v\n%s", access, s.View())
	}
}

// The Simulator's what-if shares the preview of Roles g: a member whose
// role changed elsewhere while it was open is not overwritten on y.
func TestSimulatorWhatIfRefusesAMemberChangedSinceShown(t *testing.T) {
	e := newStaffEnv(t)
	perms := []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Manager", "", perms); err != nil {
		t.Fatal(err)
	}
	sam := e.member("Sam Support", "sam@acme.test", "Advisor")
	s := e.start(NewExplain(e.session(e.owner)), 120, 40)
	s = e.press(s, "m", "sam", "enter", "t", "module", "enter", "clients", "enter", "R", "Admin", "enter")
	if v := s.View(); !strings.Contains(v, "What if Sam Support were Admin?") {
		t.Fatalf("what-if:\n%s", v)
	}
	if err := e.svc.SetRole(e.ctx, model.System("tester"), sam.ID, "Manager"); err != nil {
		t.Fatal(err)
	}
	e.press(s, "y")
	if m, _ := e.memberByEmail("sam@acme.test"); m.RoleName != "Manager" {
		t.Fatalf("the what-if overwrote a role changed since it was shown: %+v", m)
	}
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "changed since") {
		t.Fatalf("status: %+v", st)
	}
}
