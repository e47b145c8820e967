package screens

import (
	"strings"
	"testing"

	"gatehouse/model"
)

// An Advisor may look into a department but change no one in it: the
// member list offered them add, take out and set manager, and the engine
// refused only after a picker had been filled in.
func TestDepartmentMembersViewOnlyForAdvisor(t *testing.T) {
	e := newStaffEnv(t)
	sys := model.System("tester")
	adv := e.member("Ada Advisor", "ada@acme.test", "Advisor")
	if _, err := e.svc.CreateDepartment(e.ctx, sys, "Tax", "", 0); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetDepartments(e.ctx, sys, adv.ID, []string{"Tax"}); err != nil {
		t.Fatal(err)
	}

	s := e.start(NewSettings(e.session(adv)), 100, 30)
	// Departments is their only section: nothing to switch to.
	if v := s.View(); strings.Contains(v, "switch") {
		t.Fatalf("one section, yet a switch is offered:\n%s", v)
	}
	for _, b := range s.ShortHelp() {
		if strings.Contains(b.Help().Desc, "section") {
			t.Fatalf("one section, yet the help offers %q", b.Help().Desc)
		}
	}
	s = e.press(s, "enter")
	v := s.View()
	if !strings.Contains(v, "Members of Tax") || !strings.Contains(v, "Ada Advisor") {
		t.Fatalf("the Advisor cannot see the department's members:\n%s", v)
	}
	for _, offered := range []string{"add member", "take out", "set manager"} {
		if strings.Contains(v, offered) {
			t.Fatalf("an Advisor is offered %q:\n%s", offered, v)
		}
	}
	if !strings.Contains(v, "view only: Advisor may not update staff") {
		t.Fatalf("the Advisor is not told why the list is view only:\n%s", v)
	}
	for _, k := range []string{"a", "M"} {
		s = e.press(s, k)
		if s.Capturing() || strings.Contains(s.View(), "Add to Tax") {
			t.Fatalf("%s opened a picker for an Advisor:\n%s", k, s.View())
		}
		if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "may not update staff") {
			t.Fatalf("%s: status %+v, want the engine's refusal", k, st)
		}
	}
	s = e.press(s, "x")
	m, err := e.svc.GetMember(e.ctx, sys, adv.ID)
	if err != nil || len(m.Departments) != 1 {
		t.Fatalf("x took the Advisor out: %+v %v", m.Departments, err)
	}
	for _, b := range s.ShortHelp() {
		if d := b.Help().Desc; d == "add member" || d == "take out" || d == "set manager" {
			t.Fatalf("the help offers an Advisor %q", d)
		}
	}

	// The Owner keeps every action.
	s = e.start(NewSettings(e.session(e.owner)), 100, 30)
	s = e.press(s, "2", "enter")
	if v := s.View(); !strings.Contains(v, "a add member · x take out · M set manager · esc back") {
		t.Fatalf("the Owner lost the member actions:\n%s", v)
	}
}
