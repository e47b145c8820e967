package model

import (
	"errors"
	"testing"
)

func TestSetupAndInviteAccept(t *testing.T) {
	f := newFixture(t)
	adv := f.member("Ann Advisor", "Ann@Acme.test", "Advisor")
	if adv.Email != "ann@acme.test" || adv.RoleName != "Advisor" || adv.Status != "active" {
		t.Fatalf("member = %+v", adv)
	}
	if f.lastAudit().Action != "invitation.accept" {
		t.Fatalf("last audit = %+v", f.lastAudit())
	}
	// Same email differing only in case is a duplicate.
	_, _, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: "ANN@acme.test", Name: "Ann again"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate invite err = %v", err)
	}
}
