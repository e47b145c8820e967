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
	// Joining is the first sign-in: accepted, then signed in, and active
	// since.
	es, err := f.svc.ListAudit(f.ctx, f.sys, AuditQuery{Limit: 2})
	if err != nil || len(es) != 2 || es[1].Action != "invitation.accept" || es[0].Action != "auth.sign-in" || es[0].After != `{"method":"invitation"}` {
		t.Fatalf("last audit = %+v, %v", es, err)
	}
	if adv.LastActive.IsZero() {
		t.Fatal("a member who just joined was never active")
	}
	// Same email differing only in case is a duplicate.
	_, _, err = f.svc.Invite(f.ctx, f.sys, InviteInput{Email: "ANN@acme.test", Name: "Ann again"})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate invite err = %v", err)
	}
}
