package model

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// The hashing gate runs at most its slots at once, queues a bounded
// number behind them, and refuses the rest at once with ErrBusy.
func TestPasswordHashesRunUnderASmallLimit(t *testing.T) {
	g := newHashGate(2, 4)
	ctx := context.Background()
	release := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- g.do(ctx, func() { <-release })
		}()
	}
	// Six are let in (two running, four queued); fourteen are refused
	// while those wait.
	refused := 0
	for refused < 14 {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrBusy) {
				t.Fatalf("a hash beyond the queue: %v, want ErrBusy", err)
			}
			refused++
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d refused", refused)
		}
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a queued hash failed: %v", err)
		}
	}
	if p := g.peak.Load(); p != 2 {
		t.Fatalf("%d hashes ran at once, want at most 2 (and 2 reached)", p)
	}
	if n := g.hashed.Load(); n != 6 {
		t.Fatalf("%d hashes ran, want 6", n)
	}

	// A caller that gives up while queued leaves its place.
	block := make(chan struct{})
	g2 := newHashGate(1, 1)
	go g2.do(ctx, func() { <-block })
	for g2.running.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := g2.do(short, func() {}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a cancelled wait: %v", err)
	}
	close(block)
	if err := g2.do(ctx, func() {}); err != nil {
		t.Fatalf("after the cancelled wait: %v", err)
	}
}

// Redeeming an invitation hashes the new password only once the code is
// known to redeem one: a wrong, oversized, used or revoked code costs no
// hash (PRODUCT.md: nothing costly happens before identity).
func TestJoinLooksUpTheCodeBeforeHashing(t *testing.T) {
	f := newFixture(t)
	_, code, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: "new@acme.test", Name: "New", Role: "Advisor"})
	if err != nil {
		t.Fatal(err)
	}
	inv2, code2, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: "other@acme.test", Name: "Other", Role: "Advisor"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RevokeInvitation(f.ctx, f.sys, inv2.ID); err != nil {
		t.Fatal(err)
	}
	hashed := func() int64 { return passwordHashes.hashed.Load() }
	for _, c := range []struct{ name, code, want string }{
		{"unknown", "aaaaaa-bbbbbb-cccccc-dddddd", "no invitation has that code"},
		{"oversized", strings.Repeat("x", 100_000), "no invitation has that code"},
		{"revoked", code2, "revoked"},
	} {
		before := hashed()
		_, err := f.svc.AcceptInvitation(f.ctx, c.code, "a long enough password", "test")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s code: %v, want %q", c.name, err, c.want)
		}
		if strings.Contains(err.Error(), strings.Repeat("x", 80)) {
			t.Fatalf("%s code: the error echoes the code", c.name)
		}
		if n := hashed() - before; n != 0 {
			t.Fatalf("%s code: %d password hashes made before the code was known", c.name, n)
		}
	}
	before := hashed()
	if _, err := f.svc.AcceptInvitation(f.ctx, code, "a long enough password", "test"); err != nil {
		t.Fatal(err)
	}
	if n := hashed() - before; n < 1 {
		t.Fatal("a good code stored no hash")
	}
	before = hashed()
	if _, err := f.svc.AcceptInvitation(f.ctx, code, "a long enough password", "test"); err == nil || !strings.Contains(err.Error(), "accepted") {
		t.Fatalf("a used code: %v", err)
	}
	if n := hashed() - before; n != 0 {
		t.Fatalf("a used code: %d hashes", n)
	}
}

// The join command printed for an invitation runs as printed: it names
// the database unless it is the default one.
func TestJoinCommandNamesTheDatabaseUnlessDefault(t *testing.T) {
	f := newFixture(t)
	if got, want := f.svc.JoinCommand("abc"), "gatehouse join abc --db "+ShellQuote(f.svc.Path()); got != want {
		t.Fatalf("JoinCommand = %q, want %q", got, want)
	}
	t.Setenv("GATEHOUSE_DB", f.svc.Path())
	if got := f.svc.JoinCommand("abc"); got != "gatehouse join abc" {
		t.Fatalf("on the default database: %q", got)
	}
	if got := ShellQuote("/tmp/my db's/g.db"); got != `'/tmp/my db'\''s/g.db'` {
		t.Fatalf("ShellQuote = %q", got)
	}
}
