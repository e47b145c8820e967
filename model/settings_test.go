package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSettings(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	st, err := f.svc.Settings(f.ctx, owner)
	if err != nil || st != (Settings{InviteTTL: 7 * 24 * time.Hour, IdleTimeout: 30 * time.Minute}) {
		t.Fatalf("defaults = %+v, %v", st, err)
	}
	want := Settings{Require2FA: true, InviteTTL: 48 * time.Hour, IdleTimeout: 15 * time.Minute}
	if err := f.svc.UpdateSettings(f.ctx, owner, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.Settings(f.ctx, owner); got != want {
		t.Fatalf("settings = %+v", got)
	}
	e := f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "settings.update" || before["require_2fa"] != false || after["require_2fa"] != true ||
		before["invite_ttl"] != "168h0m0s" || after["idle_timeout"] != "15m0s" {
		t.Fatalf("audit = %+v", e)
	}
	// Invitations use the new lifetime.
	inv, _, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "new@acme.test"})
	if err != nil || inv.ExpiresAt.Sub(inv.CreatedAt) != 48*time.Hour {
		t.Fatalf("invitation = %+v, %v", inv, err)
	}

	n := f.auditCount()
	if err := f.svc.UpdateSettings(f.ctx, owner, want); err != nil || f.auditCount() != n {
		t.Fatalf("unchanged settings: %v, %d entries", err, f.auditCount()-n)
	}
	for _, bad := range []Settings{
		{InviteTTL: 30 * time.Minute, IdleTimeout: time.Hour},
		{InviteTTL: 91 * 24 * time.Hour, IdleTimeout: time.Hour},
		{InviteTTL: 90 * time.Minute, IdleTimeout: time.Hour},
		{InviteTTL: time.Hour, IdleTimeout: 30 * time.Second},
		{InviteTTL: time.Hour, IdleTimeout: 25 * time.Hour},
		{InviteTTL: time.Hour, IdleTimeout: 90 * time.Second},
	} {
		if err := f.svc.UpdateSettings(f.ctx, owner, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err = %v", bad, err)
		}
	}
	for _, ok := range []Settings{
		{InviteTTL: time.Hour, IdleTimeout: time.Minute},
		{InviteTTL: 90 * 24 * time.Hour, IdleTimeout: 24 * time.Hour},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}

	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	if _, err := f.svc.Settings(f.ctx, f.as(adv)); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor view err = %v", err)
	}
	if err := f.svc.UpdateSettings(f.ctx, f.as(adv), Settings{InviteTTL: time.Hour, IdleTimeout: time.Hour}); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor update err = %v", err)
	}
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	if err := f.svc.UpdateSettings(f.ctx, f.as(admin), Settings{InviteTTL: time.Hour, IdleTimeout: time.Hour}); err != nil {
		t.Fatalf("admin update: %v", err)
	}
}

func TestRenameOrg(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	if err := f.svc.RenameOrg(f.ctx, owner, "  Acme & Co  "); err != nil {
		t.Fatal(err)
	}
	o, _ := f.svc.Org(f.ctx)
	if o.Name != "Acme & Co" {
		t.Fatalf("name = %q", o.Name)
	}
	e := f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "org.rename" || before["name"] != "Acme Partners" || after["name"] != "Acme & Co" {
		t.Fatalf("audit = %+v", e)
	}
	for _, bad := range []string{"", "  ", "Acme\x1b]0;pwned\a", strings.Repeat("a", MaxNameLen+1)} {
		if err := f.svc.RenameOrg(f.ctx, owner, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	if err := f.svc.RenameOrg(f.ctx, f.as(adv), "Mine"); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor rename err = %v", err)
	}
}

func TestBilling(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")

	b, err := f.svc.Billing(f.ctx, f.as(admin))
	if err != nil || b.Plan != "Partner" || b.PaymentMethod != "" || len(b.History) != 0 {
		t.Fatalf("admin billing = %+v, %v", b, err)
	}
	if _, err := f.svc.Billing(f.ctx, f.as(adv)); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor billing err = %v", err)
	}
	n := f.auditCount()
	if err := f.svc.SetPaymentMethod(f.ctx, f.as(admin), "Visa ending 4242"); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "only the Owner") {
		t.Fatalf("admin payment err = %v", err)
	}
	if err := f.svc.SetPaymentMethod(f.ctx, f.as(adv), "Visa ending 4242"); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor payment err = %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("refused payment changes were audited")
	}
	if err := f.svc.SetPaymentMethod(f.ctx, owner, "Visa ending 4242"); err != nil {
		t.Fatal(err)
	}
	e := f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "billing.payment-method" || before["payment_method"] != "" || after["payment_method"] != "Visa ending 4242" {
		t.Fatalf("audit = %+v", e)
	}
	if err := f.svc.SetPaymentMethod(f.ctx, owner, "Visa ending 4242"); !errors.Is(err, ErrRule) {
		t.Fatalf("same payment method err = %v", err)
	}
	if err := f.svc.SetPaymentMethod(f.ctx, owner, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty payment method err = %v", err)
	}
	b, err = f.svc.Billing(f.ctx, f.as(admin))
	if err != nil || b.PaymentMethod != "Visa ending 4242" || len(b.History) != 1 || b.History[0].ID != e.ID {
		t.Fatalf("billing after change = %+v, %v", b, err)
	}
}
