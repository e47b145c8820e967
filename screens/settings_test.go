package screens

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"gatehouse/model"
)

var tokenRE = regexp.MustCompile(`ghc_[a-z2-7]+`)

func TestSettingsGeneralAndBilling(t *testing.T) {
	e := newStaffEnv(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		suffix := fmt.Sprintf("_%dx%d", w, h)
		s := e.start(NewSettings(e.session(e.owner)), w, h)
		golden(t, "settings_general"+suffix, s.View(), w, h)
		s = e.press(s, "4")
		golden(t, "settings_billing"+suffix, s.View(), w, h)
	}
	s := e.start(NewSettings(e.session(e.owner)), 100, 30)
	s = e.press(s, "e", "right", "enter")
	st, err := e.svc.Settings(e.ctx, model.System("tester"))
	if err != nil || !st.Require2FA {
		t.Fatalf("2FA not required: %+v %v", st, err)
	}
	s = e.press(s, "4", "p", "tab")
	s = e.press(s, "e", "p", "enter") // the label field is focused; typing appends
	b, _ := e.svc.Billing(e.ctx, model.System("tester"))
	if !strings.HasSuffix(b.PaymentMethod, "ep") {
		t.Fatalf("payment method %q; statuses %v", b.PaymentMethod, e.statuses)
	}

	// An Admin sees billing but may not change the payment method.
	adm := e.member("Adam Admin", "adam@acme.test", "Admin")
	s = e.start(NewSettings(e.session(adm)), 100, 30)
	s = e.press(s, "4")
	if v := s.View(); !strings.Contains(v, "only the Owner may change the payment method") {
		t.Fatalf("admin billing:\n%s", v)
	}
	s = e.press(s, "p")
	if s.Capturing() {
		t.Fatal("an Admin got the payment form")
	}
	// An Advisor sees departments only.
	adv := e.member("Ada Advisor", "ada@acme.test", "Advisor")
	s = e.start(NewSettings(e.session(adv)), 100, 30)
	if v := s.View(); strings.Contains(v, "Billing") || strings.Contains(v, "Connections") || !strings.Contains(v, "Departments") {
		t.Fatalf("advisor sections:\n%s", v)
	}
}

func TestDepartmentsFlow(t *testing.T) {
	e := newStaffEnv(t)
	sam := e.member("Sam Support", "sam@acme.test", "Advisor")
	s := e.start(NewSettings(e.session(e.owner)), 120, 40)
	s = e.press(s, "2", "n", "Tax", "tab", "Returns and advice", "enter")
	if !strings.Contains(s.View(), "Who heads Tax?") {
		t.Fatalf("no head picker:\n%s", s.View())
	}
	s = e.press(s, "Olivia", "enter")
	ds, err := e.svc.ListDepartments(e.ctx, model.System("tester"))
	if err != nil || len(ds) != 1 || ds[0].Name != "Tax" || ds[0].HeadID != e.owner.ID {
		t.Fatalf("departments %+v %v; statuses %v", ds, err, e.statuses)
	}
	s = e.press(s, "enter", "a", "sam", "enter")
	s = e.press(s, "M", "Olivia", "enter")
	m, err := e.svc.GetMember(e.ctx, model.System("tester"), sam.ID)
	if err != nil || len(m.Departments) != 1 || m.Departments[0].Name != "Tax" || m.ManagerID != e.owner.ID {
		t.Fatalf("Sam: %+v %v; statuses %v", m, err, e.statuses)
	}
	golden(t, "departments_members_120x40", s.View(), 120, 40)
	s = e.press(s, "esc")
	golden(t, "departments_list_120x40", s.View(), 120, 40)
	s.SetSize(80, 24)
	golden(t, "departments_list_80x24", s.View(), 80, 24)
	s = e.press(s, "enter", "x")
	if m, _ := e.svc.GetMember(e.ctx, model.System("tester"), sam.ID); len(m.Departments) != 0 {
		t.Fatalf("Sam still in %v", m.Departments)
	}
	s = e.press(s, "esc", "x", "y")
	if ds, _ := e.svc.ListDepartments(e.ctx, model.System("tester")); len(ds) != 0 {
		t.Fatalf("not deleted: %+v", ds)
	}
}

// A new connection's token is shown once, works, and stops working the
// moment the connection is switched off.
func TestConnectionTokenOnceAndSwitchOff(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewSettings(e.session(e.owner)), 120, 40)
	s = e.press(s, "3", "n", "Zapier sync", "enter")
	s = e.press(s, "a", "down", "o")
	golden(t, "connections_scope_120x40", s.View(), 120, 40)
	s = e.press(s, "s")
	v := s.View()
	token := tokenRE.FindString(v)
	if token == "" || !strings.Contains(v, "COPY IT NOW") {
		t.Fatalf("no token shown:\n%s", v)
	}
	golden(t, "connections_token_120x40", tokenRE.ReplaceAllStringFunc(v, func(t string) string { return "ghc_" + strings.Repeat("X", len(t)-4) }), 120, 40)
	if _, err := e.svc.AuthenticateToken(e.ctx, token); err != nil {
		t.Fatalf("token refused: %v", err)
	}
	s = e.press(s, "enter")
	v = s.View()
	if strings.Contains(v, token) || !strings.Contains(v, "Zapier sync") {
		t.Fatalf("list after closing:\n%s", v)
	}
	golden(t, "connections_list_120x40", v, 120, 40)
	s.SetSize(80, 24)
	golden(t, "connections_list_80x24", s.View(), 80, 24)
	s = e.press(s, " ")
	if _, err := e.svc.AuthenticateToken(e.ctx, token); err == nil {
		t.Fatal("a switched-off token still signs in")
	}
	if !strings.Contains(s.View(), "off") {
		t.Fatalf("list does not show it off:\n%s", s.View())
	}
	cs, _ := e.svc.ListConnections(e.ctx, model.System("tester"))
	if len(cs) != 1 || cs[0].Enabled {
		t.Fatalf("connections %+v", cs)
	}
}

// A member's connection grid stops at their own scope, and the model
// refuses beyond it anyway.
func TestConnectionScopeCappedAtCreator(t *testing.T) {
	e := newStaffEnv(t)
	perms := []model.Permission{{Module: model.ModuleConnections, Verb: model.VerbView, Scope: model.ScopeOwn}, {Module: model.ModuleConnections, Verb: model.VerbCreate, Scope: model.ScopeOwn},
		{Module: model.ModuleClients, Verb: model.VerbView, Scope: model.ScopeOwn}}
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Integrator", "", perms); err != nil {
		t.Fatal(err)
	}
	ivy := e.member("Ivy Integrator", "ivy@acme.test", "Integrator")
	s := e.start(NewSettings(e.session(ivy)), 120, 40)
	s = e.press(s, "n", "Ivy bot", "enter", "down", "a")
	if !strings.Contains(s.View(), "more than you hold (own)") {
		t.Fatalf("grid let a member exceed their scope:\n%s", s.View())
	}
	s = e.press(s, "o", "s")
	if tokenRE.FindString(s.View()) == "" {
		t.Fatalf("connection within scope not created:\n%s", s.View())
	}
}

// Only the Owner is offered deletion; it asks twice, wants the password
// and the name, and then the organisation is gone.
func TestSettingsDeleteOrganisation(t *testing.T) {
	e := newStaffEnv(t)
	adm := e.member("Adam Admin", "adam@acme.test", "Admin")
	s := e.start(NewSettings(e.session(adm)), 100, 30)
	if v := s.View(); strings.Contains(v, "delete the organisation") {
		t.Fatalf("an Admin is offered deletion:\n%s", v)
	}
	if s = e.press(s, "D"); s.Capturing() {
		t.Fatal("an Admin opened the deletion")
	}

	s = e.start(NewSettings(e.session(e.owner)), 100, 30)
	s = e.press(s, "D")
	if v := s.View(); !strings.Contains(v, "cannot be undone") || !strings.Contains(v, "audit log") {
		t.Fatalf("the warning:\n%s", v)
	}
	s = e.press(s, "y")
	// The wrong name first: refused, nothing deleted.
	s = e.press(s, "correct horse battery", "tab", "Acme", "enter")
	if has, _ := e.svc.HasOrg(e.ctx); !has || !strings.Contains(s.View(), "exactly to confirm") {
		t.Fatalf("deleted with the wrong name:\n%s", s.View())
	}
	s = e.press(s, "esc", "D", "y", "correct horse battery", "tab", "Acme Partners", "enter")
	if has, _ := e.svc.HasOrg(e.ctx); has {
		t.Fatalf("the organisation is still there; status %+v\n%s", e.lastStatus(), s.View())
	}
	if st := e.lastStatus(); st.Text != "Organisation deleted." {
		t.Fatalf("status %+v", st)
	}
}
