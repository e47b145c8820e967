package cli

import (
	"context"
	"fmt"
	"slices"

	"gatehouse/model"
)

// The administration screens' read surfaces in the CLI agreement walk
// (checkCommands): roles, departments and the members each lists, checked
// against what the engine lets the asker see.

// rotate picks n of ids for member m, a different few for each member:
// across the members of an organisation, every role and department is
// shown to many askers, at a cost of n commands each.
func rotate(ids []int64, m model.Member, n int) []int64 {
	var out []int64
	for i := range min(n, len(ids)) {
		out = append(out, ids[(int(m.ID)*3+i)%len(ids)])
	}
	return out
}

// rolesAgree runs roles list, and roles show for two roles: the
// list is every role or refused, as the engine lets the member see roles;
// each role's members are those holding it whom the engine lets them see,
// or none with the reason when they may not see staff.
func (o *agreementOrg) rolesAgree(run runner, m model.Member, al model.Allowed) (string, string) {
	var roles []roleJSON
	if problem := runJSON(run, &roles, al.Views[model.ModuleRoles], "roles", "list", "--json"); problem != "" || !al.Views[model.ModuleRoles] {
		return "roles list", problem
	}
	all, err := o.svc.ListRoles(context.Background(), model.System("test"))
	if err != nil {
		return "roles list", err.Error()
	}
	if len(roles) != len(all) {
		return "roles list", fmt.Sprintf("%d roles listed of %d", len(roles), len(all))
	}
	byName, ids := map[int64]string{}, []int64{}
	for _, r := range roles {
		byName[r.ID] = r.Name
		ids = append(ids, r.ID)
	}
	for _, id := range rotate(ids, m, 2) {
		var shown roleShowJSON
		if problem := runJSON(run, &shown, true, "roles", "show", byName[id], "--json"); problem != "" {
			return fmt.Sprintf("roles show %d", id), problem
		}
		if problem := o.membersAgree(al, shown.MemberEmails, shown.MembersHidden, func(x model.Member) bool { return x.RoleID == id }); problem != "" {
			return fmt.Sprintf("roles show %d", id), problem
		}
	}
	return "", ""
}

// departmentsAgree runs departments list, and departments show for two
// departments: its members are those in it whom the engine lets
// the member see, or none with the reason when they may not see staff.
func (o *agreementOrg) departmentsAgree(run runner, m model.Member, al model.Allowed) (string, string) {
	var depts []departmentJSON
	if problem := runJSON(run, &depts, al.Views[model.ModuleDepartments], "departments", "list", "--json"); problem != "" || !al.Views[model.ModuleDepartments] {
		return "departments list", problem
	}
	byName, ids := map[int64]string{}, []int64{}
	for _, d := range depts {
		byName[d.ID] = d.Name
		ids = append(ids, d.ID)
	}
	for _, id := range rotate(ids, m, 2) {
		var shown departmentShowJSON
		if problem := runJSON(run, &shown, true, "departments", "show", byName[id], "--json"); problem != "" {
			return fmt.Sprintf("departments show %d", id), problem
		}
		var emails []string
		for _, m := range shown.MemberList {
			emails = append(emails, m.Email)
		}
		inDept := func(x model.Member) bool {
			return slices.ContainsFunc(x.Departments, func(d model.Department) bool { return d.ID == id })
		}
		if problem := o.membersAgree(al, emails, shown.MembersHidden, inDept); problem != "" {
			return fmt.Sprintf("departments show %d", id), problem
		}
	}
	return "", ""
}

// membersAgree compares the members a command listed (by email) with
// those that pass keep and the engine lets the member see; one who may
// not see staff must be told why and shown none.
func (o *agreementOrg) membersAgree(al model.Allowed, shown []string, hidden string, keep func(model.Member) bool) string {
	if !al.Views[model.ModuleStaff] {
		if hidden == "" || len(shown) > 0 {
			return "lists members to one who may not see staff"
		}
		return ""
	}
	ids := map[string]int64{}
	for _, x := range o.members {
		ids[x.Email] = x.ID
	}
	var got, want []int64
	for _, e := range shown {
		got = append(got, ids[e])
	}
	for _, x := range o.members {
		if keep(x) && al.Members[x.ID] {
			want = append(want, x.ID)
		}
	}
	return model.Disagreement(got, want)
}
