package model

import "testing"

// A change to one member's access drops only that member's cached facts;
// an account renamed drops its folder's accounts; a role change drops
// everything.
func TestCheckerDropsOnlyWhatAChangeNames(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	bob := f.member("Bob Advisor", "bob@acme.test", "Advisor")
	for _, m := range []Member{adv, bob} {
		if err := f.svc.AddToClient(f.ctx, f.sys, c.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	chk, err := f.svc.NewChecker(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	chk.Close() // stop the poller: the test refreshes by hand
	reach := func(m Member, acc Account) bool {
		t.Helper()
		ok, err := chk.CanReach(f.ctx, m.ID, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !reach(adv, accs[0]) || !reach(bob, accs[0]) {
		t.Fatal("both members should reach Payroll before the change")
	}
	snap := chk.snap.Load()
	bobBefore := snap.actors[bob.ID].Load()
	accBefore := snap.accounts[accs[0].ID].Load()

	if err := f.svc.SetAccountAccess(f.ctx, f.sys, accs[0].ID, adv.ID, false); err != nil {
		t.Fatal(err)
	}
	chk.Refresh(f.ctx)
	snap = chk.snap.Load()
	if snap.actors[adv.ID].Load() != nil {
		t.Fatal("the member the change names should be dropped")
	}
	if snap.actors[bob.ID].Load() != bobBefore || snap.accounts[accs[0].ID].Load() != accBefore {
		t.Fatal("facts the change does not name should be kept")
	}
	if reach(adv, accs[0]) || !reach(bob, accs[0]) {
		t.Fatal("after the toggle: only Bob reaches Payroll")
	}

	if err := f.svc.RenameAccount(f.ctx, f.sys, accs[0].ID, "Payroll EU"); err != nil {
		t.Fatal(err)
	}
	chk.Refresh(f.ctx)
	snap = chk.snap.Load()
	if snap.accounts[accs[0].ID].Load() != nil || snap.actors[bob.ID].Load() != bobBefore {
		t.Fatal("a rename should drop the folder's accounts and keep the members")
	}
	if d, err := chk.Explain(f.ctx, bob.ID, accs[0].ID); err != nil || !d.Allowed || d != truth(t, f.svc, bob.ID, accs[0].ID) {
		t.Fatalf("explain after rename = %+v, %v", d, err)
	}

	if err := f.svc.SetRole(f.ctx, f.sys, adv.ID, "Admin"); err != nil {
		t.Fatal(err)
	}
	chk.Refresh(f.ctx)
	snap = chk.snap.Load()
	if snap.actors[bob.ID].Load() != nil || snap.accounts[accs[0].ID].Load() != nil {
		t.Fatal("a role change should drop everything")
	}
	if !reach(adv, accs[0]) {
		t.Fatal("an Admin reaches every client account")
	}
}
