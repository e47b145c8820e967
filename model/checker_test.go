package model

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gatehouse/db"
)

// truth decides from freshly loaded facts, as every write does.
func truth(t *testing.T, svc *Service, staffID, accountID int64) Decision {
	t.Helper()
	ctx := context.Background()
	q := svc.DB().Read()
	a, err := loadActor(ctx, q, Principal{Kind: KindMember, StaffID: staffID})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := db.GetAccount(ctx, q, accountID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.GetClient(ctx, q, acc.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := clientFacts(ctx, q, a, c)
	if err != nil {
		t.Fatal(err)
	}
	af, err := accountFacts(ctx, q, a, acc)
	if err != nil {
		t.Fatal(err)
	}
	return Decide(a, ActAccess, Target{Module: ModuleAccounts, Client: cf, Account: af})
}

func TestCheckerAgreesWithTheEngine(t *testing.T) {
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.GenerateLarge(ctx, System("t"), GenerateOptions{Seed: 3, Staff: 60, Clients: 40, AccountsPerClient: 2, Grants: 300, Audit: 10}); err != nil {
		t.Fatal(err)
	}
	// The internal folder gets an account and one member, so that rule is walked too.
	internal, err := db.InternalClient(ctx, svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	acc, err := svc.AddAccount(ctx, System("t"), internal.ID, "Own payroll")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, System("t"), 51, internal.ID, acc.ID); err != nil {
		t.Fatal(err)
	}
	chk, err := svc.NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	var staff, accounts []int64
	rows, _ := svc.DB().Read().QueryContext(ctx, `SELECT id FROM staff`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		staff = append(staff, id)
	}
	rows.Close()
	rows, _ = svc.DB().Read().QueryContext(ctx, `SELECT id FROM accounts`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		accounts = append(accounts, id)
	}
	rows.Close()
	allowed := 0
	for _, s := range staff {
		for _, a := range accounts {
			want := truth(t, svc, s, a)
			got, err := chk.CanReach(ctx, s, a)
			if err != nil {
				t.Fatal(err)
			}
			if got != want.Allowed {
				t.Fatalf("staff %d account %d: checker %v, engine %v (%s)", s, a, got, want.Allowed, want.Reason)
			}
			exp, err := chk.Explain(ctx, s, a)
			if err != nil || exp != want {
				t.Fatalf("explain staff %d account %d = %+v, want %+v (%v)", s, a, exp, want, err)
			}
			if got {
				allowed++
			}
		}
	}
	if allowed == 0 || allowed == len(staff)*len(accounts) {
		t.Fatalf("degenerate data: %d of %d allowed", allowed, len(staff)*len(accounts))
	}
}

func TestCheckerHonoursChangesFromAnotherProcess(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	if err := f.svc.AddToClient(f.ctx, f.as(f.owner), c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	chk, err := f.svc.NewChecker(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	if ok, _ := chk.CanReach(f.ctx, adv.ID, accs[0].ID); !ok {
		t.Fatal("not reachable before revoke")
	}
	// A second Service on the same file stands for another process.
	other, err := Open(f.ctx, f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetAccountAccess(f.ctx, f.sys, accs[0].ID, adv.ID, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		ok, err := chk.CanReach(f.ctx, adv.ID, accs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("revocation by another process not honoured within a second")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := other.Deactivate(f.ctx, f.sys, adv.ID); err != nil {
		t.Fatal(err)
	}
	chk.Refresh(f.ctx)
	if ok, _ := chk.CanReach(f.ctx, adv.ID, accs[1].ID); ok {
		t.Fatal("deactivated member still reaches an account")
	}
}

// TestColdCheckerAgreesWithTheEngine walks every member × account pair as
// the first question a fresh Checker gets about that member (answered by a
// point query, before the member's reach set is read), then every pair on
// one Checker in an order that crosses from cold to warm for each member,
// and holds every answer to the engine's.
func TestColdCheckerAgreesWithTheEngine(t *testing.T) {
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.GenerateLarge(ctx, System("t"), GenerateOptions{Seed: 11, Staff: 60, Clients: 40, AccountsPerClient: 2, Grants: 300, Audit: 10}); err != nil {
		t.Fatal(err)
	}
	internal, err := db.InternalClient(ctx, svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	acc, err := svc.AddAccount(ctx, System("t"), internal.ID, "Own payroll")
	if err != nil {
		t.Fatal(err)
	}
	// Three members of different roles in the generated shape are added to
	// the internal folder, so its rule is walked cold as well.
	for _, id := range []int64{2, 21, 51} {
		if err := svc.Grant(ctx, System("t"), id, internal.ID, acc.ID); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(query string) []int64 {
		rows, err := svc.DB().Read().QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	staff, accounts := ids(`SELECT id FROM staff ORDER BY id`), ids(`SELECT id FROM accounts ORDER BY id`)
	want := map[[2]int64]bool{}
	allowed := 0
	for _, s := range staff {
		for _, a := range accounts {
			d := truth(t, svc, s, a)
			want[[2]int64{s, a}] = d.Allowed
			if d.Allowed {
				allowed++
			}
		}
	}
	if allowed == 0 || allowed == len(want) {
		t.Fatalf("degenerate data: %d of %d allowed", allowed, len(want))
	}
	ask := func(chk *Checker, s, a int64, when string) {
		t.Helper()
		got, err := chk.CanReach(ctx, s, a)
		if err != nil {
			t.Fatal(err)
		}
		if got != want[[2]int64{s, a}] {
			t.Fatalf("%s: staff %d account %d: checker %v, engine %v (%s)", when, s, a, got, !got, truth(t, svc, s, a).Reason)
		}
	}
	// Every pair as a member's first question.
	for _, a := range accounts {
		chk, err := svc.NewChecker(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range staff {
			ask(chk, s, a, "cold")
		}
		chk.Close()
	}
	// Every pair on one Checker: each member's first questions cold, the
	// rest from their reach set; then all of them again, warm.
	chk, err := svc.NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	for _, when := range []string{"cold to warm", "warm"} {
		for _, a := range accounts {
			for _, s := range staff {
				ask(chk, s, a, when)
			}
		}
	}
	// An account that does not exist is an error, cold as warm.
	fresh, err := svc.NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.CanReach(ctx, staff[len(staff)-1], accounts[len(accounts)-1]+1000); err == nil {
		t.Fatal("a fresh Checker answered for an account that does not exist")
	}
}

// TestCheckerHonoursALockRunningOut: a lock's end is a change no write
// announces. A warm Checker refuses a locked member, however often asked,
// and reaches again on the first check after the lock ran out.
func TestCheckerHonoursALockRunningOut(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	clk := f.useClock()
	if err := f.svc.AddToClient(f.ctx, f.as(f.owner), c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	chk, err := f.svc.NewChecker(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	if _, err := f.svc.Lock(f.ctx, f.as(f.owner), LockInput{Kind: LockStaff, Target: adv.Email, Reason: "incident", TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	chk.Refresh(f.ctx)
	for i := range 3 * buildAfter {
		if ok, err := chk.CanReach(f.ctx, adv.ID, accs[0].ID); err != nil || ok {
			t.Fatalf("check %d while locked: %v, %v; want refused", i, ok, err)
		}
	}
	*clk = clk.Add(2 * time.Minute)
	if ok, err := chk.CanReach(f.ctx, adv.ID, accs[0].ID); err != nil || !ok {
		t.Fatalf("after the lock ran out: %v, %v; want reachable", ok, err)
	}
}
