package model

import (
	"errors"
	"testing"
)

func TestSetPasswordAsOperator(t *testing.T) {
	f, _, _, adv := acmeFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	// No member, not even the Owner, sets another's password.
	for _, who := range []Member{f.owner, adm, adv} {
		if err := f.svc.SetPasswordAsOperator(f.ctx, f.as(who), adv.ID, "a brand new passphrase"); !errors.Is(err, ErrDenied) {
			t.Fatalf("%s set a password: %v", who.Email, err)
		}
	}
	if err := f.svc.SetPasswordAsOperator(f.ctx, f.sys, adv.ID, "short"); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrRule) {
		t.Fatalf("weak password: %v", err)
	}
	before := f.auditCount()
	if err := f.svc.SetPasswordAsOperator(f.ctx, f.sys, adv.ID, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if e := f.lastAudit(); e.Action != "staff.password-set" || e.StaffID != adv.ID || e.ActorKind != KindSystem || f.auditCount() != before+1 {
		t.Fatalf("audited as %+v", e)
	}
	if _, err := f.svc.SignIn(f.ctx, adv.Email, "a brand new passphrase", "test"); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
}
