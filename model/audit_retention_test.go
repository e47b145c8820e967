package model

import (
	"errors"
	"testing"
	"time"
)

// Only the Owner (or the file's holder) prunes; a prune is one audited
// transaction whose checkpoint lets the chain verify.
func TestPruneIsTheOwnersAndVerifies(t *testing.T) {
	f, _, _, adv := acmeFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	before := f.auditCount()
	cut := f.svc.Now().Add(time.Second)
	f.svc.Now = func() time.Time { return cut.Add(time.Minute) }
	for _, who := range []Member{adm, adv} {
		if _, err := f.svc.PruneAudit(f.ctx, f.as(who), cut); !errors.Is(err, ErrDenied) {
			t.Fatalf("%s pruned: %v", who.Email, err)
		}
	}
	if f.auditCount() != before {
		t.Fatalf("a refused prune changed the log")
	}
	res, err := f.svc.PruneAudit(f.ctx, f.as(f.owner), cut)
	if err != nil {
		t.Fatal(err)
	}
	if res.Pruned != int64(before-1) || res.FirstID != 1 || len(res.Head) != 64 {
		t.Fatalf("prune = %+v, want %d entries", res, before-1)
	}
	if n, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil || n != 2 {
		t.Fatalf("verify after prune = %d %+v %v", n, brk, err)
	}
	// The entry kept as the newest is older than the cut: now it goes,
	// and the first checkpoint with it; the second accounts for both.
	if res, err := f.svc.PruneAudit(f.ctx, f.as(f.owner), cut); err != nil || res.Pruned != 1 {
		t.Fatalf("second prune = %+v, %v", res, err)
	}
	if n, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil || n != 2 {
		t.Fatalf("verify after the second prune = %d %+v %v", n, brk, err)
	}
	if _, err := f.svc.PruneAudit(f.ctx, f.as(f.owner), cut); !errors.Is(err, ErrRule) {
		t.Fatalf("a second prune with nothing to remove: %v", err)
	}
	if _, err := f.svc.PruneAudit(f.ctx, f.as(f.owner), cut.Add(time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a prune in the future: %v", err)
	}
}
