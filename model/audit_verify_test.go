package model

import (
	"errors"
	"testing"
)

// Walking the chain reads every entry and reports their number: only those
// who see the whole log may, the Advisor (who sees their own actions) not.
func TestVerifyAuditAsNeedsTheWholeLog(t *testing.T) {
	f, _, _, adv := acmeFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	want := int64(f.auditCount())
	for _, who := range []Member{f.owner, adm} {
		n, brk, err := f.svc.VerifyAuditAs(f.ctx, f.as(who))
		if err != nil || brk != nil || n != want {
			t.Fatalf("%s: verify = %d %+v %v, want %d entries", who.Email, n, brk, err, want)
		}
	}
	n, _, err := f.svc.VerifyAuditAs(f.ctx, f.as(adv))
	if !errors.Is(err, ErrDenied) || n != 0 {
		t.Fatalf("advisor verify = %d, %v", n, err)
	}
}
