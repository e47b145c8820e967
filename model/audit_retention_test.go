package model

import (
	"errors"
	"fmt"
	"strings"
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
	if r, err := f.svc.AuditRetention(f.ctx, f.as(f.owner)); err != nil || !strings.Contains(r.String(), "never automatic") ||
		!strings.Contains(r.String(), fmt.Sprintf("last pruned: entries 1 to %d", res.ThroughID)) {
		t.Fatalf("retention = %q, %v", r.String(), err)
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

// A removed member's history is found by the email they had, as far as
// the asker sees the log.
func TestAuditFindsARemovedMemberByEmail(t *testing.T) {
	f, _, _, adv := acmeFixture(t)
	gone := f.member("Gil Gone", "gil@acme.test", "Advisor")
	if err := f.svc.Remove(f.ctx, f.as(f.owner), gone.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.MemberByEmail(f.ctx, f.as(f.owner), "gil@acme.test"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the removed member is still found: %v", err)
	}
	ids, err := f.svc.AuditStaffIDs(f.ctx, f.as(f.owner), "GIL@acme.test")
	if err != nil || len(ids) != 1 || ids[0] != gone.ID {
		t.Fatalf("ids = %v, %v; want [%d]", ids, err, gone.ID)
	}
	es, err := f.svc.ListAudit(f.ctx, f.as(f.owner), AuditQuery{StaffIDs: ids})
	if err != nil || len(es) < 2 || es[0].Action != "staff.remove" {
		t.Fatalf("their history = %d entries (%v), want their removal first", len(es), err)
	}
	// The Advisor sees only their own actions: no entry about Gil.
	if _, err := f.svc.AuditStaffIDs(f.ctx, f.as(adv), "gil@acme.test"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the Advisor found Gil's history: %v", err)
	}
	if _, err := f.svc.AuditStaffIDs(f.ctx, f.as(f.owner), "nobody@acme.test"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unknown email: %v", err)
	}
}

// A tail without --since-id starts after the last `lines` entries the
// reader sees; with 0 lines, after the newest, so only what comes next.
func TestTailStart(t *testing.T) {
	f, _, _, _ := acmeFixture(t)
	p := f.as(f.owner)
	es, err := f.svc.ListAudit(f.ctx, p, AuditQuery{Limit: 2})
	if err != nil || len(es) != 2 {
		t.Fatal(es, err)
	}
	for lines, want := range map[int]int64{0: es[0].ID, 1: es[0].ID - 1, 2: es[1].ID - 1} {
		if got, err := f.svc.TailStart(f.ctx, p, lines); err != nil || got != want {
			t.Errorf("TailStart(%d) = %d, %v; want %d", lines, got, err, want)
		}
	}
	var got []int64
	if err := f.svc.TailAudit(f.ctx, p, es[1].ID-1, false, func(e AuditEntry) error { got = append(got, e.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != es[1].ID || got[1] != es[0].ID {
		t.Errorf("tail after %d = %v", es[1].ID-1, got)
	}
}
