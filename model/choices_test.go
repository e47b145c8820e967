package model

import (
	"errors"
	"slices"
	"testing"
)

// The pickers' lists (RoleChoices, DepartmentChoices) are the full lists
// without member counts: the same records in the same order, with the same
// permissions, refused to the same members.
func TestChoicesAreTheListsWithoutCounts(t *testing.T) {
	f := newFixture(t)
	f.createRole("Reviewer", "clients.view:all", "accounts.view:own")
	adv := f.member("Ada Advisor", "ada@acme.test", "Advisor")
	adm := f.member("Abe Admin", "abe@acme.test", "Admin")
	for _, name := range []string{"Tax", "Audit"} {
		if _, err := f.svc.CreateDepartment(f.ctx, f.sys, name, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.SetDepartments(f.ctx, f.sys, adv.ID, []string{"Tax"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Member{f.owner, adm, adv} {
		p := f.as(m)
		roles, errList := f.svc.ListRoles(f.ctx, p)
		choices, errChoices := f.svc.RoleChoices(f.ctx, p)
		if (errList == nil) != (errChoices == nil) || errors.Is(errList, ErrDenied) != errors.Is(errChoices, ErrDenied) {
			t.Fatalf("%s: ListRoles says %v, RoleChoices %v", m.Email, errList, errChoices)
		}
		counted := 0
		for i := range roles {
			counted += roles[i].Members
			roles[i].Members = 0
		}
		if errList == nil && counted == 0 {
			t.Fatalf("%s: ListRoles counted no members", m.Email)
		}
		for _, r := range choices {
			if r.Members != 0 {
				t.Fatalf("%s: RoleChoices counted %d members of %s", m.Email, r.Members, r.Name)
			}
		}
		if !slices.EqualFunc(roles, choices, func(a, b Role) bool {
			return a.ID == b.ID && a.Name == b.Name && a.Builtin == b.Builtin && a.Description == b.Description && slices.Equal(a.Permissions, b.Permissions)
		}) {
			t.Fatalf("%s: RoleChoices %+v, ListRoles without counts %+v", m.Email, choices, roles)
		}
		depts, errList := f.svc.ListDepartments(f.ctx, p)
		dchoices, errChoices := f.svc.DepartmentChoices(f.ctx, p)
		if (errList == nil) != (errChoices == nil) || errors.Is(errList, ErrDenied) != errors.Is(errChoices, ErrDenied) {
			t.Fatalf("%s: ListDepartments says %v, DepartmentChoices %v", m.Email, errList, errChoices)
		}
		for i := range depts {
			depts[i].Members = 0
		}
		if !slices.Equal(depts, dchoices) {
			t.Fatalf("%s: DepartmentChoices %+v, ListDepartments without counts %+v", m.Email, dchoices, depts)
		}
	}
}
