package model

import (
	"errors"
	"os"
	"strings"
	"testing"

	"gatehouse/db"
)

// A lens (an Advisor viewing as the Owner) reads what the Owner sees and
// is refused every write, with nothing changed: not the data, not the
// audit log, not the viewed member's sign-in failures.
func TestLensReadsAsTheViewedMemberAndNeverWrites(t *testing.T) {
	f := newFixture(t)
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	c, err := f.svc.CreateClient(f.ctx, f.sys, ClientInput{Name: "Acme Ltd", Accounts: []string{"Payroll"}})
	if err != nil {
		t.Fatal(err)
	}
	lens := ViewAs(f.owner, f.as(adv))
	if !lens.IsLens() || lens.StaffID != f.owner.ID || lens.ViewedBy != adv.ID {
		t.Fatalf("lens principal: %+v", lens)
	}
	cs, _, err := f.svc.ListClients(f.ctx, lens, ClientQuery{Limit: 10})
	if err != nil || len(cs) != 2 { // the internal folder and Acme
		t.Fatalf("the lens reads what the Owner sees: %v %v", cs, err)
	}
	accs, err := f.svc.Accounts(f.ctx, lens, c.ID)
	if err != nil || len(accs) != 1 {
		t.Fatalf("accounts through the lens: %v %v", accs, err)
	}
	before := f.auditCount()
	writes := map[string]func() error{
		"invite": func() error {
			_, _, err := f.svc.Invite(f.ctx, lens, InviteInput{Email: "new@acme.test", Name: "New", Role: "Admin"})
			return err
		},
		"set role":     func() error { return f.svc.SetRole(f.ctx, lens, adv.ID, "Admin") },
		"deactivate":   func() error { return f.svc.Deactivate(f.ctx, lens, adv.ID) },
		"rename":       func() error { return f.svc.RenameClient(f.ctx, lens, c.ID, "Renamed") },
		"add account":  func() error { _, err := f.svc.AddAccount(f.ctx, lens, c.ID, "Tax"); return err },
		"add to":       func() error { return f.svc.AddToClient(f.ctx, lens, c.ID, adv.ID) },
		"grant":        func() error { return f.svc.Grant(f.ctx, lens, adv.ID, c.ID, accs[0].ID) },
		"rename self":  func() error { return f.svc.RenameSelf(f.ctx, lens, "Someone Else") },
		"password":     func() error { return f.svc.ChangePassword(f.ctx, lens, "wrong password!", "a new long password") },
		"2FA":          func() error { _, err := f.svc.BeginTOTP(f.ctx, lens); return err },
		"settings":     func() error { return f.svc.RenameOrg(f.ctx, lens, "Other") },
		"audit export": func() error { return f.svc.ExportAudit(f.ctx, lens, AuditQuery{}, &strings.Builder{}, "csv") },
		"session":      func() error { _, err := f.svc.OpenSession(f.ctx, lens, SessionInfo{Kind: SessionApp}); return err },
	}
	for name, write := range writes {
		err := write()
		var denied *DeniedError
		if !errors.As(err, &denied) || denied.Decision.Reason != LensRefusal {
			t.Errorf("%s through a lens: %v, want the lens refusal", name, err)
		}
	}
	if n := f.auditCount(); n != before {
		t.Errorf("the audit log grew from %d to %d entries", before, n)
	}
	m, err := f.svc.GetMember(f.ctx, f.sys, f.owner.ID)
	if err != nil || m.Name != f.owner.Name {
		t.Errorf("the Owner after the lens: %+v %v", m, err)
	}
	var failures int
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, `SELECT failed_attempts FROM staff WHERE id = ?`, f.owner.ID).Scan(&failures); err != nil || failures != 0 {
		t.Errorf("the Owner's failed sign-ins after a wrong password through a lens: %d %v", failures, err)
	}
	// The same writes as the member signed in are theirs to make or not:
	// the Advisor may rename themselves.
	if err := f.svc.RenameSelf(f.ctx, f.as(adv), "Ann A. Advisor"); err != nil {
		t.Errorf("the signed-in member's own write: %v", err)
	}
}

// RoleReach agrees with the engine: a member it locks reaches every
// account of the folder, toggled on or off; one it does not lock reaches
// only the accounts toggled on for them.
func TestRoleReachAgreesWithCheck(t *testing.T) {
	f := newFixture(t)
	svc, ctx := f.svc, f.ctx
	path := svc.Path()
	svc.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	svc, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.PopulateDemo(ctx, f.sys); err != nil {
		t.Fatal(err)
	}
	clients, _, err := svc.ListClients(ctx, f.sys, ClientQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	locked, open := 0, 0
	for _, c := range clients {
		grants, err := svc.ListGrants(ctx, f.sys, db.GrantQuery{ClientID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		on := map[int64]map[int64]bool{}
		var ids []int64
		for _, g := range grants {
			if on[g.StaffID] == nil {
				on[g.StaffID] = map[int64]bool{}
				ids = append(ids, g.StaffID)
			}
			on[g.StaffID][g.AccountID] = true
		}
		byRole, err := svc.RoleReach(ctx, f.sys, c.ID, ids)
		if err != nil {
			t.Fatal(err)
		}
		accs, err := svc.Accounts(ctx, f.sys, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			m, err := svc.GetMember(ctx, f.sys, id)
			if err != nil {
				t.Fatal(err)
			}
			_, isLocked := byRole[id]
			if isLocked {
				locked++
			} else {
				open++
			}
			for _, acc := range accs {
				d, err := svc.Check(ctx, MemberPrincipal(m, "test"), ActAccess, TargetRef{Kind: "account", Module: ModuleAccounts, Client: c.Name, Account: acc.Name})
				if err != nil {
					t.Fatal(err)
				}
				if want := isLocked || on[id][acc.ID]; d.Allowed != want && m.Status == "active" {
					t.Errorf("%s on %s/%s: locked %v, toggled %v, but the engine says %v (%s)", m.Email, c.Name, acc.Name, isLocked, on[id][acc.ID], d.Allowed, d.Reason)
				}
			}
		}
	}
	if locked == 0 || open == 0 {
		t.Errorf("the demo gave %d locked and %d open members: the test checks too little", locked, open)
	}
}
