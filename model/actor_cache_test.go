package model

import (
	"errors"
	"testing"
)

// TestReadsSeeChangesFromAnotherHandleAtOnce: the actor a read is made as
// is cached only until the next write, whichever process writes.
func TestReadsSeeChangesFromAnotherHandleAtOnce(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	other, err := Open(f.ctx, f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	read := func() error {
		_, err := f.svc.ListAudit(f.ctx, f.as(adm), AuditQuery{Limit: 1})
		return err
	}
	for range 3 { // loaded once, then from the cache
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	// Demoted elsewhere: the very next read is an Advisor's, who sees
	// only their own actions.
	if err := other.SetRole(f.ctx, MemberPrincipal(f.owner, "other process"), adm.ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	es, err := f.svc.ListAudit(f.ctx, f.as(adm), AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.ActorID != adm.ID {
			t.Fatalf("after demotion the read shows %s's entry #%d", e.Actor, e.ID)
		}
	}
	// Deactivated elsewhere: the next read is refused.
	if err := other.Deactivate(f.ctx, MemberPrincipal(f.owner, "other process"), adm.ID); err != nil {
		t.Fatal(err)
	}
	if err := read(); !errors.Is(err, ErrDenied) {
		t.Fatalf("a deactivated member read the log: %v", err)
	}
}

// TestWritesReuseTheActorOnlyWhileNothingElseChanged: a run of toggles by
// an Admin reuses the actor the first one loaded, and a demotion or a
// deactivation committed by another handle in between is honoured by the
// very next write.
func TestWritesReuseTheActorOnlyWhileNothingElseChanged(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	if err := f.svc.AddToClient(f.ctx, f.as(f.owner), c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	other, err := Open(f.ctx, f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	toggle := func(on bool) error {
		return f.svc.SetAccountAccess(f.ctx, f.as(adm), accs[0].ID, adv.ID, on)
	}
	for i := range 4 {
		if err := toggle(i%2 == 1); err != nil {
			t.Fatalf("toggle %d: %v", i, err)
		}
	}
	// The actor the last toggle kept is the cache's for the counter now.
	n, err := f.svc.ChangeCounter(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.svc.actors.get(f.as(adm), n); !ok {
		t.Fatal("a toggle did not keep its actor for the next write")
	}
	// Demoted by another process: the next toggle is an Advisor's, refused.
	if err := other.SetRole(f.ctx, MemberPrincipal(f.owner, "other process"), adm.ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	if err := toggle(false); !errors.Is(err, ErrDenied) {
		t.Fatalf("a demoted Admin toggled access: %v", err)
	}
	if err := other.SetRole(f.ctx, MemberPrincipal(f.owner, "other process"), adm.ID, "Admin"); err != nil {
		t.Fatal(err)
	}
	if err := toggle(false); err != nil {
		t.Fatalf("an Admin again: %v", err)
	}
	// Deactivated by another process: the next toggle is refused.
	if err := other.Deactivate(f.ctx, MemberPrincipal(f.owner, "other process"), adm.ID); err != nil {
		t.Fatal(err)
	}
	if err := toggle(true); !errors.Is(err, ErrDenied) {
		t.Fatalf("a deactivated Admin toggled access: %v", err)
	}
	// A write that changes members keeps no actor.
	if err := f.svc.Reactivate(f.ctx, f.as(f.owner), adm.ID); err != nil {
		t.Fatal(err)
	}
	n, _ = f.svc.ChangeCounter(f.ctx)
	if _, ok := f.svc.actors.get(f.as(f.owner), n); ok {
		t.Fatal("a reactivation kept its actor for the next write")
	}
}
