package screens

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// rolesOf lists the roles by name.
func rolesOf(t *testing.T, e *staffEnv) map[string]model.Role {
	t.Helper()
	rs, err := e.svc.ListRoles(e.ctx, model.System("tester"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]model.Role{}
	for _, r := range rs {
		out[r.Name] = r
	}
	return out
}

// cursorTo moves a roles screen's cursor onto the named role.
func cursorTo(t *testing.T, e *staffEnv, s Screen, name string) Screen {
	t.Helper()
	rs := s.(*rolesScreen)
	for i := 0; i < len(rs.roles)+1; i++ {
		if r, ok := rs.selected(); ok && r.Name == name {
			return s
		}
		s = e.press(s, "down")
	}
	t.Fatalf("role %s not in the list", name)
	return s
}

func TestRolesGoldens(t *testing.T) {
	e := newStaffEnv(t)
	perms := []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}, {Module: model.ModuleClients, Verb: model.VerbView, Scope: model.ScopeDepartment}}
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Manager", "Sees their department", perms); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		suffix := fmt.Sprintf("_%dx%d", w, h)
		s := e.start(NewRoles(e.session(e.owner)), w, h)
		s = cursorTo(t, e, s, "Admin")
		v := s.View()
		for _, want := range []string{"only the Owner makes or unmakes Admins", "billing", "internal accounts only if the Owner adds them; changes nothing there"} {
			if h == 40 && !strings.Contains(v, want) {
				t.Errorf("Admin matrix lacks %q:\n%s", want, v)
			}
		}
		golden(t, "roles_matrix"+suffix, v, w, h)
		s = cursorTo(t, e, s, "Manager")
		s = e.press(s, "e", "down", "a")
		golden(t, "roles_editor"+suffix, s.View(), w, h)
		s = e.press(s, "s")
		golden(t, "roles_editor_confirm"+suffix, s.View(), w, h)
	}
}

// The demo: create a "Support agent" role in the editor, see what it
// grants before saving, give it to a member after previewing what they
// gain, and see their actor and the audit log change.
func TestSupportAgentRoleFlow(t *testing.T) {
	e := newStaffEnv(t)
	sam := e.member("Sam Support", "sam@acme.test", "Advisor")
	if _, err := e.svc.CreateClient(e.ctx, model.System("tester"), model.ClientInput{Name: "Harbour Bakery", Accounts: []string{"Payroll"}}); err != nil {
		t.Fatal(err)
	}
	s := e.start(NewRoles(e.session(e.owner)), 100, 30)

	s = e.press(s, "n", "Support agent", "tab", "Answers client questions", "enter")
	if _, ok := s.(*rolesScreen).dialog.(*roleEditor); !ok {
		t.Fatalf("the name form did not lead to the editor:\n%s", s.View())
	}
	// staff.view: all; clients.view: all; accounts.view: all (cycled).
	s = e.press(s, "a", "down", "a", "down", " ", " ", " ")
	s = e.press(s, "s")
	v := s.View()
	for _, want := range []string{"Create role Support agent?", "+ view staff: all", "+ view clients: all", "+ view accounts: all"} {
		if !strings.Contains(v, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, v)
		}
	}
	if _, ok := rolesOf(t, e)["Support agent"]; ok {
		t.Fatal("the role exists before it was confirmed")
	}
	s = e.press(s, "y")
	role, ok := rolesOf(t, e)["Support agent"]
	if !ok {
		t.Fatalf("role not created; statuses %v", e.statuses)
	}
	ps, _ := model.RolePermissions(role)
	if ps.Get(model.ModuleClients, model.VerbView) != model.ScopeAll || ps.Get(model.ModuleStaff, model.VerbView) != model.ScopeAll || ps.Get(model.ModuleAccounts, model.VerbView) != model.ScopeAll || len(ps) != 3 {
		t.Fatalf("role grants %v", ps)
	}

	// Give it to Sam: the preview comes first, nothing changes until y.
	s = cursorTo(t, e, s, "Support agent")
	s = e.press(s, "g", "sam", "enter")
	v = s.View()
	for _, want := range []string{"What if Sam Support were Support agent?", "Would gain access to", "all client accounts (1 more", "view clients (all)"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}
	if a, _ := e.svc.Actor(e.ctx, model.MemberPrincipal(sam, "t")); a.Role != "Advisor" {
		t.Fatalf("role changed before it was confirmed: %s", a.Role)
	}
	e.press(s, "y")
	a, err := e.svc.Actor(e.ctx, model.MemberPrincipal(sam, "t"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Role != "Support agent" || a.Perms.Get(model.ModuleClients, model.VerbView) != model.ScopeAll {
		t.Fatalf("Sam's actor is %s %v", a.Role, a.Perms)
	}
	for _, action := range []string{"role.create", "staff.set-role"} {
		es, err := e.svc.ListAudit(e.ctx, model.System("tester"), model.AuditQuery{Action: action})
		if err != nil || len(es) != 1 {
			t.Fatalf("audit %s: %v %v", action, es, err)
		}
	}
}

func TestRoleDeleteMovesMembers(t *testing.T) {
	e := newStaffEnv(t)
	perms := []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Temp", "", perms); err != nil {
		t.Fatal(err)
	}
	m := e.member("Tess Temp", "tess@acme.test", "Temp")
	s := e.start(NewRoles(e.session(e.owner)), 100, 30)
	s = cursorTo(t, e, s, "Temp")
	s = e.press(s, "x")
	if v := s.View(); !strings.Contains(v, "has 1 member;") || !strings.Contains(v, "Owner — ") {
		t.Fatalf("delete did not ask where the members go (the Owner role offered disabled):\n%s", v)
	}
	s = e.press(s, "Advisor", "enter")
	if v := s.View(); !strings.Contains(v, "move to Advisor") {
		t.Fatalf("confirmation: \n%s", v)
	}
	e.press(s, "y")
	if _, ok := rolesOf(t, e)["Temp"]; ok {
		t.Fatalf("role not deleted: %v", e.statuses)
	}
	got, err := e.svc.GetMember(e.ctx, model.System("tester"), m.ID)
	if err != nil || got.RoleName != "Advisor" {
		t.Fatalf("member is %s, %v", got.RoleName, err)
	}
}

func TestRoleScreenRefusesWhatTheEngineRefuses(t *testing.T) {
	e := newStaffEnv(t)
	adv := e.member("Ada Advisor", "ada@acme.test", "Advisor")
	s := e.start(NewRoles(e.session(adv)), 100, 30)
	s = e.press(s, "n")
	if s.Capturing() {
		t.Fatal("an Advisor got the new-role form")
	}
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "may not create roles") {
		t.Fatalf("status %+v", st)
	}
	s = e.press(s, "e")
	if s.Capturing() {
		t.Fatal("a built-in role opened in the editor")
	}
}

// A grid with a ceiling never goes above it: a member cannot grant what
// they do not hold.
func TestScopeGridCeiling(t *testing.T) {
	e := newStaffEnv(t)
	sess := e.session(e.owner)
	ceiling := model.PermissionSet{{Module: model.ModuleStaff, Verb: model.VerbView}: model.ScopeDepartment}
	g := newScopeGrid(sess.Theme, keymap.DefaultAdmin(), model.PermissionSet{}, ceiling)
	g.key(keyMsg("a"))
	if g.perms.Get(model.ModuleStaff, model.VerbView) != model.ScopeNone || !strings.Contains(g.note, "more than you hold") {
		t.Fatalf("set above the ceiling: %v %q", g.perms, g.note)
	}
	g.key(keyMsg("d"))
	if g.perms.Get(model.ModuleStaff, model.VerbView) != model.ScopeDepartment {
		t.Fatalf("department refused: %v", g.perms)
	}
	g.key(keyMsg(" ")) // cycling past the ceiling wraps to off
	if g.perms.Get(model.ModuleStaff, model.VerbView) != model.ScopeNone {
		t.Fatalf("cycle went above the ceiling: %v", g.perms)
	}
	g.key(keyMsg("right"))
	g.key(keyMsg(" "))
	if g.perms.Get(model.ModuleStaff, model.VerbCreate) != model.ScopeNone {
		t.Fatalf("a cell with no ceiling at all was set: %v", g.perms)
	}
}

// The shell gives every message to every screen: another screen's action
// result must not close this screen's dialog.
func TestForeignActionResultIgnored(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewRoles(e.session(e.owner)), 100, 30)
	s = e.press(s, "n")
	n := len(e.statuses)
	s = e.drive(s, func() tea.Msg { return ActionMsg{Status: "from the Staff screen"} })
	if !s.Capturing() || len(e.statuses) != n {
		t.Fatalf("a foreign result closed the form or repeated its status: %v", e.statuses[n:])
	}
}

// In the shell at 80×24 the role list has two rows above the matrix: the
// title says which of how many roles are shown.
func TestRoleListSaysWhenRolesAreOutOfView(t *testing.T) {
	e := newStaffEnv(t)
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Manager", "", []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}); err != nil {
		t.Fatal(err)
	}
	s := e.start(NewRoles(e.session(e.owner)), 80, 19)
	if v := s.View(); !strings.Contains(v, "Roles 1–2 of 4") {
		t.Fatalf("no position in a short role list:\n%s", v)
	}
	s = e.press(s, "down", "down")
	if v := s.View(); !strings.Contains(v, "Roles 2–3 of 4") {
		t.Fatalf("the position does not follow the cursor:\n%s", v)
	}
}

// The preview of giving a role keeps the member as it showed them: if
// another process changes their role or deactivates them while it is
// open, y writes nothing and says what changed.
func TestRoleGivePreviewRefusesAMemberChangedSinceShown(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(e *staffEnv, m model.Member) error
	}{
		{"role changed", func(e *staffEnv, m model.Member) error {
			return e.svc.SetRole(e.ctx, model.System("tester"), m.ID, "Admin")
		}},
		{"deactivated", func(e *staffEnv, m model.Member) error {
			return e.svc.Deactivate(e.ctx, model.System("tester"), m.ID)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newStaffEnv(t)
			perms := []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}
			if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Manager", "", perms); err != nil {
				t.Fatal(err)
			}
			sam := e.member("Sam Support", "sam@acme.test", "Advisor")
			s := e.start(NewRoles(e.session(e.owner)), 100, 30)
			s = cursorTo(t, e, s, "Manager")
			s = e.press(s, "g", "sam", "enter")
			if v := s.View(); !strings.Contains(v, "What if Sam Support were Manager?") {
				t.Fatalf("no preview:\n%s", v)
			}
			if err := tc.change(e, sam); err != nil {
				t.Fatal(err)
			}
			before, err := e.svc.ListAudit(e.ctx, model.System("tester"), model.AuditQuery{Action: "staff.set-role"})
			if err != nil {
				t.Fatal(err)
			}
			e.press(s, "y")
			after, err := e.svc.ListAudit(e.ctx, model.System("tester"), model.AuditQuery{Action: "staff.set-role"})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Fatalf("y wrote a role for a member changed since the preview: %+v", after)
			}
			if m, _ := e.memberByEmail("sam@acme.test"); m.RoleName == "Manager" {
				t.Fatalf("Sam became Manager: %+v", m)
			}
			if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "changed since") {
				t.Fatalf("status does not say Sam changed: %+v (%v)", st, e.statuses)
			}
		})
	}
}
