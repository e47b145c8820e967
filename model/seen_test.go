package model

import (
	"errors"
	"strings"
	"testing"
)

// A write made with the records the user saw refuses, before writing
// anything, when one of them is gone or changed in a way that matters, and
// names it as the user saw it; unchanged, it goes through.
func TestWritesRefuseWhatChangedSinceItWasShown(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	owner := f.as(f.owner)
	other := f.member("Leo Martins", "leo@acme.test", "Advisor")
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	refused := func(err error, name, detail string) {
		t.Helper()
		if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), detail) {
			t.Fatalf("err = %v; want ErrChanged naming %q with %q", err, name, detail)
		}
	}
	n := f.auditCount()

	// Deactivated elsewhere after the screen showed them active: the
	// role change is refused, naming the change.
	shown, _ := f.svc.GetMember(f.ctx, owner, other.ID)
	if err := f.svc.Deactivate(f.ctx, f.sys, other.ID); err != nil {
		t.Fatal(err)
	}
	n++
	err := f.svc.SetRole(WithSeen(f.ctx, SeenMember(shown)), owner, other.ID, "Admin")
	refused(err, "Leo Martins", "status active → deactivated")
	if m, _ := f.svc.GetMember(f.ctx, owner, other.ID); m.RoleName != "Advisor" || f.auditCount() != n {
		t.Fatalf("a refused change wrote: role %s, audit %d → %d", m.RoleName, n, f.auditCount())
	}
	// As shown now, it goes through.
	shown, _ = f.svc.GetMember(f.ctx, owner, other.ID)
	if err := f.svc.Reactivate(WithSeen(f.ctx, SeenMember(shown)), owner, other.ID); err != nil {
		t.Fatal(err)
	}
	n++
	// Role changed elsewhere.
	if err := f.svc.SetRole(f.ctx, f.sys, other.ID, "Admin"); err != nil {
		t.Fatal(err)
	}
	n++
	refused(f.svc.Deactivate(WithSeen(f.ctx, SeenMember(shown)), owner, other.ID), "Leo Martins", "role Advisor → Admin")
	// Removed elsewhere.
	if err := f.svc.Remove(f.ctx, f.sys, other.ID, 0); err != nil {
		t.Fatal(err)
	}
	n++
	refused(f.svc.Deactivate(WithSeen(f.ctx, SeenMember(shown)), owner, other.ID), "Leo Martins", "no longer there")

	// A membership removed elsewhere: the toggle is refused by name.
	added := SeenAdded(adv.ID, adv.Name, c.ID, c.Name)
	if err := f.svc.RemoveFromClient(f.ctx, f.sys, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	n++
	refused(f.svc.RemoveFromClient(WithSeen(f.ctx, added), owner, c.ID, adv.ID), "Ann Advisor in Acme Ltd", "no longer there")
	// An account removed elsewhere.
	acc := SeenAccountOf(accs[0], c.Name)
	if err := f.svc.RemoveAccount(f.ctx, f.sys, accs[0].ID); err != nil {
		t.Fatal(err)
	}
	n++
	refused(f.svc.AddToClient(WithSeen(f.ctx, acc), owner, c.ID, adv.ID), "Acme Ltd / Payroll", "no longer there")
	// A folder archived elsewhere.
	folder, _ := f.svc.GetClient(f.ctx, owner, c.ID)
	if err := f.svc.ArchiveClient(f.ctx, f.sys, c.ID); err != nil {
		t.Fatal(err)
	}
	n++
	refused(f.svc.RenameClient(WithSeen(f.ctx, SeenFolder(folder)), owner, c.ID, "Acme Two"), "Acme Ltd", "state live → archived")
	// An invitation accepted elsewhere.
	inv, code, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: "zoe@acme.test", Role: "Advisor"})
	if err != nil {
		t.Fatal(err)
	}
	n++
	if _, err := f.svc.AcceptInvitation(f.ctx, code, "password-zoe", "test"); err != nil {
		t.Fatal(err)
	}
	n += 2
	refused(f.svc.RevokeInvitation(WithSeen(f.ctx, SeenInvitationAs(inv)), owner, inv.ID), "zoe@acme.test", "status pending → accepted")
	// A department deleted, a role deleted.
	dept, err := f.svc.CreateDepartment(f.ctx, f.sys, "Tax", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	role, err := f.svc.CreateRole(f.ctx, f.sys, "Clerk", "", []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeOwn}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteDepartment(f.ctx, f.sys, dept.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteRole(f.ctx, f.sys, role.ID, ""); err != nil {
		t.Fatal(err)
	}
	n += 4
	refused(f.svc.UpdateDepartment(WithSeen(f.ctx, SeenDepartmentAs(dept)), owner, dept.ID, "Tax", "", 0), "Tax", "no longer there")
	refused(f.svc.UpdateRole(WithSeen(f.ctx, SeenRoleAs(role)), owner, role.ID, "Clerk", "", nil), "role Clerk", "no longer there")
	// A role whose permissions another Admin changed: a rename from the
	// screen that showed the old ones would put them back; refused.
	mgr, err := f.svc.CreateRole(f.ctx, f.sys, "Manager", "", []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeDepartment}})
	if err != nil {
		t.Fatal(err)
	}
	wider := []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeAll}}
	if err := f.svc.UpdateRole(f.ctx, f.sys, mgr.ID, "Manager", "", wider); err != nil {
		t.Fatal(err)
	}
	n += 2
	mgrPerms, err := RolePermissions(mgr)
	if err != nil {
		t.Fatal(err)
	}
	refused(f.svc.UpdateRole(WithSeen(f.ctx, SeenRoleAs(mgr)), owner, mgr.ID, "Managers", "", mgrPerms.List()), "role Manager",
		"permissions clients.view:department → clients.view:all")
	// A connection switched off elsewhere: switching it off "again" from
	// the screen that showed it on is refused, not turned into an on.
	conn, _, err := f.svc.CreateConnection(f.ctx, owner, "Zapier sync", ConnectionAPI, []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeAll}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetConnectionEnabled(f.ctx, f.sys, conn.ID, false); err != nil {
		t.Fatal(err)
	}
	n += 2
	refused(f.svc.SetConnectionEnabled(WithSeen(f.ctx, SeenConnectionAs(conn)), owner, conn.ID, false), "Zapier sync", "state on → off")
	if f.auditCount() != n {
		t.Fatalf("refused writes wrote audit entries: %d, want %d", f.auditCount(), n)
	}
}

// A lock's lift made as shown is refused, naming the lock, when another
// session lifted it after the screen showed it in force.
func TestLiftRefusedWhenTheLockWasLiftedSinceShown(t *testing.T) {
	f, _, _, adv := acmeFixture(t)
	owner := f.as(f.owner)
	res, err := f.svc.Lock(f.ctx, owner, LockInput{Kind: LockStaff, Target: adv.Email, Reason: "incident"})
	if err != nil {
		t.Fatal(err)
	}
	shown := SeenLockAs(res.Lock, f.svc.Now())
	if err := f.svc.StillAsSeen(f.ctx, shown); err != nil {
		t.Fatalf("in force as shown: %v", err)
	}
	if _, err := f.svc.Unlock(f.ctx, f.sys, res.Lock.ID); err != nil {
		t.Fatal(err)
	}
	n := f.auditCount()
	_, err = f.svc.Unlock(WithSeen(f.ctx, shown), owner, res.Lock.ID)
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "state in force → lifted by") {
		t.Fatalf("lifting a lock lifted since it was shown: %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("the refused lift wrote to the audit log")
	}
}
