package model

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// demoDepartment finds a demo department by name.
func demoDepartment(t *testing.T, svc *Service, name string) Department {
	t.Helper()
	ds, err := svc.ListDepartments(context.Background(), System("tester"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no department %s", name)
	return Department{}
}

// demoRole finds a demo role by name.
func demoRole(t *testing.T, svc *Service, name string) Role {
	t.Helper()
	rs, err := svc.ListRoles(context.Background(), System("tester"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no role %s", name)
	return Role{}
}

// Who may not make a change is told so before anything about the state
// the change would meet: an Advisor adding a member to a department they
// are already in, or taking one out of a department they are not in, is
// refused as not allowed, not told where the member is.
func TestDepartmentMembershipAsksPermissionFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newDemo(t, DefaultDemoSeed)
	sara := MemberPrincipal(demoMember(t, svc, "sara.lindqvist"), "test")
	tax := demoDepartment(t, svc, "Tax")
	leo, amelia := demoMember(t, svc, "leo.martins"), demoMember(t, svc, "amelia.brooks")
	for _, c := range []struct {
		m    Member
		join bool
	}{{leo, true}, {amelia, false}, {leo, false}, {amelia, true}} {
		err := svc.ChangeDepartmentMembership(ctx, sara, c.m.ID, tax.ID, c.join)
		if !errors.Is(err, ErrDenied) || strings.Contains(err.Error(), " in Tax") {
			t.Fatalf("an Advisor changes %s's Tax membership (join %v): %v", c.m.Email, c.join, err)
		}
	}
	sys := System("t")
	if err := svc.ChangeDepartmentMembership(ctx, sys, leo.ID, tax.ID, true); !errors.Is(err, ErrRule) || !strings.Contains(err.Error(), "already in Tax") {
		t.Fatalf("adding a member to a department they are in: %v", err)
	}
	if err := svc.ChangeDepartmentMembership(ctx, sys, amelia.ID, tax.ID, true); err != nil {
		t.Fatal(err)
	}
	if m, _ := svc.GetMember(ctx, sys, amelia.ID); !strings.Contains(strings.Join(deptList(m), ","), "Tax") || !strings.Contains(strings.Join(deptList(m), ","), "Payroll & HR") {
		t.Fatalf("after joining Tax: %v", deptList(m))
	}
}

// Updating settings is refused as updating, never as viewing: the
// settings are read only after the permission to change them.
func TestSettingsChangeIsRefusedAsAnUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newDemo(t, DefaultDemoSeed)
	grace := MemberPrincipal(demoMember(t, svc, "grace.kim"), "test")
	on := true
	_, _, err := svc.ChangeSettings(ctx, grace, SettingsChange{Require2FA: &on})
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "update settings") || strings.Contains(err.Error(), "view") {
		t.Fatalf("a Viewer changes settings: %v", err)
	}
	before, after, err := svc.ChangeSettings(ctx, System("t"), SettingsChange{Require2FA: &on})
	if err != nil || !after.Require2FA || before.InviteTTL != after.InviteTTL {
		t.Fatalf("change one setting: %v %+v → %+v", err, before, after)
	}
}

// A member who may edit roles but edits one granting more than they hold
// is told which cell: the one they changed if it is beyond them, and
// otherwise that the role already grants what they lack, never a cell
// they did not touch as if they were granting it.
func TestRoleEditRefusalNamesTheRealReason(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newDemo(t, DefaultDemoSeed)
	sys := System("t")
	perms := []Permission{
		{Module: ModuleRoles, Verb: VerbView, Scope: ScopeAll}, {Module: ModuleRoles, Verb: VerbCreate, Scope: ScopeAll},
		{Module: ModuleRoles, Verb: VerbUpdate, Scope: ScopeAll}, {Module: ModuleRoles, Verb: VerbDelete, Scope: ScopeAll},
		{Module: ModuleStaff, Verb: VerbView, Scope: ScopeAll}, {Module: ModuleStaff, Verb: VerbUpdate, Scope: ScopeAll},
		{Module: ModuleClients, Verb: VerbView, Scope: ScopeOwn},
	}
	if _, err := svc.CreateRole(ctx, sys, "Role keeper", "", perms); err != nil {
		t.Fatal(err)
	}
	daniel := demoMember(t, svc, "daniel.okafor")
	if err := svc.SetRole(ctx, sys, daniel.ID, "Role keeper"); err != nil {
		t.Fatal(err)
	}
	p := MemberPrincipal(daniel, "test")
	viewer := demoRole(t, svc, "Viewer")
	ps, err := svc.RolePermissionSet(ctx, sys, viewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	touched := ps.Clone()
	touched.Set(ModuleStaff, VerbUpdate, ScopeAll)
	err = svc.UpdateRole(ctx, p, viewer.ID, viewer.Name, viewer.Description, touched.List())
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "may not change Viewer: it grants view clients at all scope") {
		t.Fatalf("edit Viewer's staff.update: %v", err)
	}
	err = svc.UpdateRole(ctx, p, viewer.ID, "Viewers", viewer.Description, ps.List())
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "may not change Viewer: it grants") {
		t.Fatalf("rename Viewer: %v", err)
	}
	beyond := ps.Clone()
	beyond.Set(ModuleBilling, VerbView, ScopeAll)
	err = svc.UpdateRole(ctx, p, viewer.ID, viewer.Name, viewer.Description, beyond.List())
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "may not make a role that grants view billing") {
		t.Fatalf("grant billing.view: %v", err)
	}
	admin := demoRole(t, svc, "Admin")
	err = svc.UpdateRole(ctx, p, admin.ID, "Admins", "", nil)
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "built-in roles cannot be changed") {
		t.Fatalf("rename Admin: %v", err)
	}
}
