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
