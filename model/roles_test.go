package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gatehouse/db"
)

// rolePermSpecs builds permissions from "module.verb:scope" strings.
func rolePermSpecs(specs ...string) []Permission {
	var out []Permission
	for _, s := range specs {
		mv, scope, _ := strings.Cut(s, ":")
		m, v, _ := strings.Cut(mv, ".")
		p, err := ParsePermission(m, v, scope)
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return out
}

// auditBeforeAfter decodes an audit entry's before and after.
func auditBeforeAfter(t *testing.T, e AuditEntry) (before, after map[string]any) {
	t.Helper()
	for _, x := range []struct {
		text string
		into *map[string]any
	}{{e.Before, &before}, {e.After, &after}} {
		if x.text == "" {
			continue
		}
		if err := json.Unmarshal([]byte(x.text), x.into); err != nil {
			t.Fatalf("audit %s: %q: %v", e.Action, x.text, err)
		}
	}
	return before, after
}

// createRole creates a custom role as the system user.
func (f *fixture) createRole(name string, specs ...string) Role {
	f.t.Helper()
	r, err := f.svc.CreateRole(f.ctx, f.sys, name, "", rolePermSpecs(specs...))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func TestCreateRoleAndValidation(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	r, err := f.svc.CreateRole(f.ctx, owner, "  Manager ", "Sees their department",
		rolePermSpecs("clients.view:department", "accounts.view:department", "staff.view:own", "staff.view:department"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Manager" || r.Builtin != "" || len(r.Permissions) != 3 {
		t.Fatalf("role = %+v", r)
	}
	e := f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "role.create" || e.TargetID != r.ID || before != nil || after["name"] != "Manager" ||
		fmt.Sprint(after["permissions"]) != "[staff.view:department clients.view:department accounts.view:department]" {
		t.Fatalf("audit = %+v / %v", e, after)
	}

	n := f.auditCount()
	bad := []struct {
		name  string
		perms []Permission
		want  error
	}{
		{"", rolePermSpecs("staff.view:all"), ErrInvalid},
		{"Evil\x1b[2J", rolePermSpecs("staff.view:all"), ErrInvalid},
		{"Bad module", []Permission{{Module: Module(99), Verb: VerbView, Scope: ScopeAll}}, ErrInvalid},
		{"Bad verb", []Permission{{Module: ModuleStaff, Verb: Verb(99), Scope: ScopeAll}}, ErrInvalid},
		{"Bad scope", []Permission{{Module: ModuleStaff, Verb: VerbView, Scope: Scope(99)}}, ErrInvalid},
		{"manager", rolePermSpecs("staff.view:all"), ErrConflict},
		{"ADMIN", rolePermSpecs("staff.view:all"), ErrConflict},
	}
	// Text is parsed where it enters: a module, verb or scope outside the
	// vocabulary never becomes a permission.
	for _, spec := range [][3]string{{"payroll", "view", "all"}, {"staff", "approve", "all"}, {"staff", "view", "everyone"}} {
		if p, err := ParsePermission(spec[0], spec[1], spec[2]); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePermission%v = %v, %v", spec, p, err)
		}
	}
	for _, b := range bad {
		_, err := f.svc.CreateRole(f.ctx, owner, b.name, "", b.perms)
		if !errors.Is(err, b.want) {
			t.Errorf("create %q %v: err = %v, want %v", b.name, b.perms, err, b.want)
		}
	}
	if _, err := f.svc.CreateRole(f.ctx, owner, "Long description", strings.Repeat("x", MaxMessageLen+1), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("long description err = %v", err)
	}
	if got := f.auditCount(); got != n {
		t.Fatalf("refused creations wrote %d audit entries", got-n)
	}
	if err := f.svc.UpdateRole(f.ctx, owner, r.ID, "Admin", "", nil); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), `"Admin" already exists`) {
		t.Fatalf("rename onto a built-in name err = %v", err)
	}
}

func TestRoleCannotGrantMoreThanTheActorHas(t *testing.T) {
	f := newFixture(t)
	f.createRole("Role maker", "roles.view:all", "roles.create:all", "roles.update:all", "staff.view:department")
	rm := f.member("Rita Maker", "rita@acme.test", "Role maker")
	p := f.as(rm)

	_, err := f.svc.CreateRole(f.ctx, p, "Peeker", "", rolePermSpecs("clients.view:all"))
	var denied *DeniedError
	if !errors.As(err, &denied) || !strings.Contains(err.Error(), "view clients at all scope (you have none)") {
		t.Fatalf("create beyond own perms err = %v", err)
	}
	_, err = f.svc.CreateRole(f.ctx, p, "Wider", "", rolePermSpecs("staff.view:all"))
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "view staff at all scope (you have department)") {
		t.Fatalf("create with wider scope err = %v", err)
	}
	r, err := f.svc.CreateRole(f.ctx, p, "Narrow", "", rolePermSpecs("staff.view:own", "roles.view:all"))
	if err != nil {
		t.Fatalf("create within own perms: %v", err)
	}
	if err := f.svc.UpdateRole(f.ctx, p, r.ID, "Narrow", "", rolePermSpecs("staff.view:own", "billing.view:all")); !errors.Is(err, ErrDenied) {
		t.Fatalf("update beyond own perms err = %v", err)
	}
	if ps, err := f.svc.RolePermissionSet(f.ctx, f.sys, r.ID); err != nil || ps.Get(ModuleBilling, VerbView) != ScopeNone {
		t.Fatalf("refused update changed the role: %v %v", ps, err)
	}
	if err := f.svc.DeleteRole(f.ctx, p, r.ID, ""); !errors.Is(err, ErrDenied) {
		t.Fatalf("delete without roles.delete err = %v", err)
	}
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	if _, err := f.svc.CreateRole(f.ctx, f.as(adv), "Mine", "", rolePermSpecs("staff.view:own")); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor create role err = %v", err)
	}
}

func TestBuiltinRolesAreReadOnly(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	if err := f.svc.UpdateRole(f.ctx, owner, db.RoleAdmin, "Admin", "", rolePermSpecs("staff.view:all")); !errors.Is(err, ErrDenied) {
		t.Fatalf("update Admin err = %v", err)
	}
	if err := f.svc.DeleteRole(f.ctx, owner, db.RoleAdvisor, "Admin"); !errors.Is(err, ErrDenied) {
		t.Fatalf("delete Advisor err = %v", err)
	}
	ps, err := f.svc.RolePermissionSet(f.ctx, owner, db.RoleAdmin)
	if err != nil || ps.Get(ModuleBilling, VerbView) != ScopeAll || ps.Get(ModuleBilling, VerbUpdate) != ScopeNone {
		t.Fatalf("Admin permissions = %v, %v", ps, err)
	}
	roles, err := f.svc.ListRoles(f.ctx, owner)
	if err != nil || len(roles) != 3 || roles[0].Name != "Owner" || roles[0].Members != 1 {
		t.Fatalf("roles = %+v, %v", roles, err)
	}
	if _, err := f.svc.RolePermissionSet(f.ctx, owner, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown role err = %v", err)
	}
}

func TestRoleChangeTakesEffectOnTheNextCheck(t *testing.T) {
	f := newFixture(t)
	r := f.createRole("Helper", "staff.view:all")
	h := f.member("Hal Helper", "hal@acme.test", "Helper")
	p := f.as(h)
	check := func() Decision {
		a, err := f.svc.Actor(f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return Decide(a, ActView, Target{Module: ModuleClients})
	}
	if check().Allowed {
		t.Fatal("helper may view clients before the change")
	}
	if _, _, err := f.svc.ListClients(f.ctx, p, ClientQuery{}); !errors.Is(err, ErrDenied) {
		t.Fatalf("list clients before err = %v", err)
	}
	if err := f.svc.UpdateRole(f.ctx, f.as(f.owner), r.ID, "Helper", "Now sees clients", rolePermSpecs("staff.view:all", "clients.view:all")); err != nil {
		t.Fatal(err)
	}
	if d := check(); !d.Allowed {
		t.Fatalf("after the change: %s", d.Reason)
	}
	if _, _, err := f.svc.ListClients(f.ctx, p, ClientQuery{}); err != nil {
		t.Fatalf("list clients after: %v", err)
	}
	e := f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "role.update" || fmt.Sprint(before["permissions"]) != "[staff.view:all]" ||
		fmt.Sprint(after["permissions"]) != "[staff.view:all clients.view:all]" || after["description"] != "Now sees clients" {
		t.Fatalf("audit = %+v", e)
	}
	// And taken away again, at once.
	if err := f.svc.UpdateRole(f.ctx, f.sys, r.ID, "Helper", "", rolePermSpecs("staff.view:all")); err != nil {
		t.Fatal(err)
	}
	if check().Allowed {
		t.Fatal("helper still views clients after the permission was removed")
	}
}

func TestDeleteRoleWithMembers(t *testing.T) {
	f := newFixture(t)
	r := f.createRole("Temp", "staff.view:all")
	m := f.member("Tim Temp", "tim@acme.test", "Temp")
	owner := f.as(f.owner)
	inv, _, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "tess@acme.test", Role: "Temp"})
	if err != nil {
		t.Fatal(err)
	}
	n := f.auditCount()
	if err := f.svc.DeleteRole(f.ctx, owner, r.ID, ""); !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), "has 1 member(s) and 1 pending invitation(s)") {
		t.Fatalf("delete with members err = %v", err)
	}
	if err := f.svc.DeleteRole(f.ctx, owner, r.ID, "temp"); !errors.Is(err, ErrRule) {
		t.Fatalf("move to itself err = %v", err)
	}
	if err := f.svc.DeleteRole(f.ctx, owner, r.ID, "Nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("move to unknown role err = %v", err)
	}
	if err := f.svc.DeleteRole(f.ctx, owner, r.ID, "Owner"); !errors.Is(err, ErrDenied) {
		t.Fatalf("move to Owner err = %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("refused deletions wrote audit entries")
	}
	members, err := f.svc.RoleMembers(f.ctx, owner, r.ID)
	if err != nil || len(members) != 1 || members[0].ID != m.ID {
		t.Fatalf("role members = %+v, %v", members, err)
	}

	if err := f.svc.DeleteRole(f.ctx, owner, r.ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.GetMember(f.ctx, owner, m.ID)
	if got.RoleName != "Advisor" {
		t.Fatalf("member role = %s", got.RoleName)
	}
	if _, err := f.svc.GetRole(f.ctx, owner, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted role still there: %v", err)
	}
	invs, err := f.svc.ListInvitations(f.ctx, owner, "pending")
	if err != nil || len(invs) != 1 || invs[0].ID != inv.ID || invs[0].RoleName != "Advisor" {
		t.Fatalf("pending invitations = %+v, %v", invs, err)
	}
	es, err := f.svc.ListAudit(f.ctx, owner, AuditQuery{Limit: 2})
	if err != nil || len(es) != 2 {
		t.Fatal(es, err)
	}
	before, after := auditBeforeAfter(t, es[0])
	if es[0].Action != "role.delete" || before["name"] != "Temp" || after["members_moved_to"] != "Advisor" ||
		after["invitations_moved"] != 1.0 || after["past_invitations_removed"] != 1.0 {
		t.Fatalf("delete entry = %+v", es[0])
	}
	before, after = auditBeforeAfter(t, es[1])
	if es[1].Action != "staff.set-role" || es[1].StaffID != m.ID || before["role"] != "Temp" || after["role"] != "Advisor" {
		t.Fatalf("move entry = %+v", es[1])
	}

	empty := f.createRole("Empty", "staff.view:own")
	if err := f.svc.DeleteRole(f.ctx, owner, empty.ID, ""); err != nil {
		t.Fatalf("delete empty role: %v", err)
	}
	if e := f.lastAudit(); e.Action != "role.delete" || e.TargetID != empty.ID {
		t.Fatalf("audit = %+v", e)
	}
}

func TestDeleteRoleMoveIsCheckedPerMember(t *testing.T) {
	f := newFixture(t)
	r := f.createRole("Temp", "staff.view:all")
	m := f.member("Tim Temp", "tim@acme.test", "Temp")
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	n := f.auditCount()
	// Only the Owner makes Admins, so an Admin cannot empty a role into Admin.
	err := f.svc.DeleteRole(f.ctx, f.as(admin), r.ID, "Admin")
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "only the Owner makes or unmakes Admins") {
		t.Fatalf("err = %v", err)
	}
	got, _ := f.svc.GetMember(f.ctx, f.sys, m.ID)
	if got.RoleName != "Temp" || f.auditCount() != n {
		t.Fatalf("refused move changed something: role %s, %d new entries", got.RoleName, f.auditCount()-n)
	}
	if err := f.svc.DeleteRole(f.ctx, f.as(admin), r.ID, "Advisor"); err != nil {
		t.Fatalf("admin moves to Advisor: %v", err)
	}
}

func TestPreviewRoleChange(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	if _, err := f.svc.CreateDepartment(f.ctx, owner, "North", "", 0); err != nil {
		t.Fatal(err)
	}
	acme, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Acme Ltd", Accounts: []string{"Payroll", "Tax"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Beta Co", Department: "North", Accounts: []string{"Books"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Gamma", Accounts: []string{"Ledger"}}); err != nil {
		t.Fatal(err)
	}
	f.createRole("North viewer", "staff.view:department", "clients.view:department", "accounts.view:department")
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	if err := f.svc.SetDepartments(f.ctx, owner, adv.ID, []string{"North"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddToClient(f.ctx, owner, acme.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	accs, _ := f.svc.Accounts(f.ctx, owner, acme.ID)
	var tax int64
	for _, a := range accs {
		if a.Name == "Tax" {
			tax = a.ID
		}
	}
	if err := f.svc.SetAccountAccess(f.ctx, owner, tax, adv.ID, false); err != nil {
		t.Fatal(err)
	}
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	n := f.auditCount()

	pv, err := f.svc.PreviewRoleChange(f.ctx, owner, adv.ID, "North viewer")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pv.Gain, []string{"Beta Co / Books"}) || len(pv.Lose) != 0 {
		t.Fatalf("advisor -> North viewer: gain %v lose %v", pv.Gain, pv.Lose)
	}
	if !slices.Contains(pv.GainPerms, Permission{Module: ModuleClients, Verb: VerbView, Scope: ScopeDepartment}) ||
		!slices.Contains(pv.LosePerms, Permission{Module: ModuleStaff, Verb: VerbView, Scope: ScopeAll}) {
		t.Fatalf("perms gain %v lose %v", pv.GainPerms, pv.LosePerms)
	}

	pv, err = f.svc.PreviewRoleChange(f.ctx, owner, adv.ID, "Admin")
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Gain) != 1 || pv.Gain[0] != "all client accounts (3 more than the 1 reached now)" || len(pv.Lose) != 0 {
		t.Fatalf("advisor -> Admin: gain %v lose %v", pv.Gain, pv.Lose)
	}

	pv, err = f.svc.PreviewRoleChange(f.ctx, owner, admin.ID, "Advisor")
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Lose) != 1 || pv.Lose[0] != "all client accounts except the 0 they would keep (4 accounts)" || len(pv.Gain) != 0 {
		t.Fatalf("admin -> Advisor: gain %v lose %v", pv.Gain, pv.Lose)
	}
	if f.auditCount() != n {
		t.Fatal("a preview wrote to the audit log")
	}
	if _, err := f.svc.PreviewRoleChange(f.ctx, f.as(adv), admin.ID, "Advisor"); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor previewing err = %v", err)
	}
}

func TestCapList(t *testing.T) {
	var xs []string
	for i := range PreviewLimit + 50 {
		xs = append(xs, fmt.Sprint(i))
	}
	got := capList(xs)
	if len(got) != PreviewLimit+1 || got[PreviewLimit] != "+50 more" || got[0] != "0" {
		t.Fatalf("capped = %d entries, last %q", len(got), got[len(got)-1])
	}
	if len(capList(xs[:3])) != 3 {
		t.Fatal("short list changed")
	}
}

func TestPreviewRoleChangeInternalAccounts(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	internal, err := f.svc.ClientByName(f.ctx, owner, InternalFolderName)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Firm bank", "Firm payroll"} {
		if _, err := f.svc.AddAccount(f.ctx, owner, internal.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	other := f.member("Ada Admin", "ada@acme.test", "Admin")
	if err := f.svc.Grant(f.ctx, owner, admin.ID, internal.ID, 0); err != nil {
		t.Fatal(err)
	}
	accs, _ := f.svc.Accounts(f.ctx, owner, internal.ID)
	for _, a := range accs {
		if a.Name == "Firm payroll" {
			if err := f.svc.SetAccountAccess(f.ctx, owner, a.ID, admin.ID, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Two roles that reach every client account differ only in the
	// internal accounts, which are listed one by one.
	pv, err := f.svc.PreviewRoleChange(f.ctx, owner, f.owner.ID, "Admin")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pv.Lose, []string{"Internal accounts / Firm bank", "Internal accounts / Firm payroll"}) || len(pv.Gain) != 0 {
		t.Fatalf("owner -> Admin: gain %v lose %v", pv.Gain, pv.Lose)
	}
	// An Admin added to the internal folder keeps the toggled account as an
	// Advisor; an Admin not added has none to lose there.
	pv, err = f.svc.PreviewRoleChange(f.ctx, owner, admin.ID, "Advisor")
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.Lose) != 1 || !strings.HasPrefix(pv.Lose[0], "all client accounts except") || len(pv.Gain) != 0 {
		t.Fatalf("added admin -> Advisor: gain %v lose %v", pv.Gain, pv.Lose)
	}
	pv, err = f.svc.PreviewRoleChange(f.ctx, owner, other.ID, "Owner")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pv.Gain, []string{"Internal accounts / Firm bank", "Internal accounts / Firm payroll"}) {
		t.Fatalf("admin -> Owner: gain %v lose %v", pv.Gain, pv.Lose)
	}
}
