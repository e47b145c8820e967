package model

import (
	"errors"
	"testing"
)

// A member whose custom role holds every staff permission at all scope is
// still not an Admin: the rule that stops them deactivating an Admin stops
// every other change to an Admin's record too, and the Owner's as well.
// An Admin acts on a fellow Admin as deactivation allows.
func TestOnlyOwnerAndAdminsChangeAnAdmin(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	f.createRole("Staff lead", "staff.view:all", "staff.create:all", "staff.update:all", "staff.delete:all")
	lead := f.member("Lee Lead", "lee@acme.test", "Staff lead")
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	adm2 := f.member("Abe Admin", "abe@acme.test", "Admin")
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	f.enrol(adm)
	f.enrol(ann)
	admKey, err := f.svc.AddSSHKey(f.ctx, f.as(adm), adm.ID, newTestKey(t, "ada@laptop"))
	if err != nil {
		t.Fatal(err)
	}
	annKey, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, newTestKey(t, "ann@laptop"))
	if err != nil {
		t.Fatal(err)
	}

	perMember := []struct {
		name string
		do   func(actor, target Member, keyID int64) error
	}{
		{"reset 2FA", func(a, m Member, _ int64) error { return f.svc.ResetTOTP(f.ctx, f.as(a), m.ID) }},
		{"remove an SSH key", func(a, m Member, k int64) error { return f.svc.RemoveSSHKey(f.ctx, f.as(a), m.ID, k) }},
		{"add an SSH key", func(a, m Member, _ int64) error {
			_, err := f.svc.AddSSHKey(f.ctx, f.as(a), m.ID, newTestKey(t, "planted"))
			return err
		}},
		{"deactivate", func(a, m Member, _ int64) error { return f.svc.Deactivate(f.ctx, f.as(a), m.ID) }},
	}
	for _, op := range perMember {
		if err := op.do(lead, adm, admKey.ID); !errors.Is(err, ErrDenied) {
			t.Errorf("staff lead may %s of an Admin: %v", op.name, err)
		}
		if err := op.do(lead, f.owner, 0); !errors.Is(err, ErrDenied) {
			t.Errorf("staff lead may %s of the Owner: %v", op.name, err)
		}
	}
	// Nothing of the Admin's changed.
	if c := f.creds(adm.ID); !c.TOTPEnabled {
		t.Fatalf("the Admin's 2FA was reset")
	}
	if keys, err := f.svc.ListSSHKeys(f.ctx, f.as(adm), adm.ID); err != nil || len(keys) != 1 {
		t.Fatalf("the Admin's keys = %v, %v", keys, err)
	}
	// The same lead still acts on an Advisor, and an Admin on a fellow Admin.
	if err := f.svc.RemoveSSHKey(f.ctx, f.as(lead), ann.ID, annKey.ID); err != nil {
		t.Fatalf("staff lead removes an Advisor's key: %v", err)
	}
	if err := f.svc.ResetTOTP(f.ctx, f.as(lead), ann.ID); err != nil {
		t.Fatalf("staff lead resets an Advisor's 2FA: %v", err)
	}
	if err := f.svc.ResetTOTP(f.ctx, f.as(adm2), adm.ID); err != nil {
		t.Fatalf("an Admin resets a fellow Admin's 2FA: %v", err)
	}
}
