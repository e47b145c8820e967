package model

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// newTestKey makes a fresh ed25519 public key as an authorized_keys line.
func newTestKey(t *testing.T, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " " + comment
}

func fingerprintOf(t *testing.T, line string) string {
	t.Helper()
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(pub)
}

func TestBeginTOTPStoresNothing(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	en, err := f.svc.BeginTOTP(f.ctx, f.as(ann))
	if err != nil {
		t.Fatal(err)
	}
	if en.Issuer != "Gatehouse (Acme Partners)" || en.Account != "ann@acme.test" || len(en.Secret) < 32 ||
		!strings.HasPrefix(en.URL, "otpauth://totp/") || !strings.Contains(en.URL, "secret="+en.Secret) {
		t.Fatalf("enrolment = %+v", en)
	}
	if c := f.creds(ann.ID); c.TOTPSecret != "" || c.TOTPEnabled {
		t.Fatalf("begin stored %+v", c)
	}
	// A code from elsewhere does not confirm it, and nothing is stored.
	other, _ := f.svc.BeginTOTP(f.ctx, f.as(ann))
	if _, err := f.svc.ConfirmTOTP(f.ctx, f.as(ann), en.Secret, f.wrongCode(en.Secret)); !errors.Is(err, ErrBadCode) {
		t.Fatalf("wrong code: %v", err)
	}
	if _, err := f.svc.ConfirmTOTP(f.ctx, f.as(ann), "not base32!", "123456"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad secret: %v", err)
	}
	if c := f.creds(ann.ID); c.TOTPEnabled {
		t.Fatal("failed confirmation turned 2FA on")
	}
	f.svc.ConfirmTOTP(f.ctx, f.as(ann), other.Secret, f.code(other.Secret, f.svc.Now()))
	if c := f.creds(ann.ID); !c.TOTPEnabled || c.TOTPSecret != other.Secret {
		t.Fatalf("after confirmation %+v", c)
	}
	if _, err := f.svc.BeginTOTP(f.ctx, f.as(ann)); !errors.Is(err, ErrRule) {
		t.Fatalf("begin while on: %v", err)
	}
	// The audit entry never holds the secret.
	if e := f.lastAudit(); strings.Contains(e.After+e.Before, other.Secret) {
		t.Fatalf("secret in audit: %+v", e)
	}
}

func TestResetTOTPAndRecoveryCodes(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	bob := f.member("Bob Advisor", "bob@acme.test", "Advisor")
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")

	if _, err := f.svc.RegenerateRecoveryCodes(f.ctx, f.as(ann)); !errors.Is(err, ErrRule) {
		t.Fatalf("regenerate without 2FA: %v", err)
	}
	_, old := f.enrol(ann)
	fresh, err := f.svc.RegenerateRecoveryCodes(f.ctx, f.as(ann))
	if err != nil || len(fresh) != RecoveryCodeCount {
		t.Fatalf("regenerate: %v %q", err, fresh)
	}
	wantAudit(t, f.lastAudit(), "profile.recovery-codes", ann.ID)
	if err := f.svc.VerifyCode(f.ctx, ann.ID, old[0], "test"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("old recovery code after regenerating: %v", err)
	}
	if err := f.svc.VerifyCode(f.ctx, ann.ID, fresh[0], "test"); err != nil {
		t.Fatalf("new recovery code: %v", err)
	}

	// A peer may not reset someone's 2FA; an Admin may.
	if err := f.svc.ResetTOTP(f.ctx, f.as(bob), ann.ID); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor resets another: %v", err)
	}
	if err := f.svc.ResetTOTP(f.ctx, f.as(adm), ann.ID); err != nil {
		t.Fatal(err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "profile.2fa-reset", adm.ID)
	if e.StaffID != ann.ID {
		t.Fatalf("reset audit = %+v", e)
	}
	if c := f.creds(ann.ID); c.TOTPEnabled || c.TOTPSecret != "" {
		t.Fatalf("after reset %+v", c)
	}
	if n, _ := f.svc.RecoveryCodesLeft(f.ctx, f.as(ann)); n != 0 {
		t.Fatalf("recovery codes left after reset = %d", n)
	}
	res, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test")
	if err != nil || res.NeedCode {
		t.Fatalf("sign in after reset: %+v %v", res, err)
	}
	if err := f.svc.ResetTOTP(f.ctx, f.as(ann), ann.ID); !errors.Is(err, ErrRule) {
		t.Fatalf("reset when off: %v", err)
	}
	// Self-service reset.
	f.enrol(bob)
	if err := f.svc.ResetTOTP(f.ctx, f.as(bob), bob.ID); err != nil {
		t.Fatal(err)
	}
	wantAudit(t, f.lastAudit(), "profile.2fa-reset", bob.ID)
	// An Admin may not reset the Owner's.
	f.enrol(f.owner)
	if err := f.svc.ResetTOTP(f.ctx, f.as(adm), f.owner.ID); !errors.Is(err, ErrDenied) {
		t.Fatalf("admin resets owner: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	oldPw, newPw := "password-ann@acme.test", "a much better passphrase"
	before := f.auditCount()
	if err := f.svc.ChangePassword(f.ctx, f.as(ann), "guess", newPw); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "current password") {
		t.Fatalf("wrong old password: %v", err)
	}
	if c := f.creds(ann.ID); c.FailedAttempts != 1 {
		t.Fatalf("wrong current password not counted: %d", c.FailedAttempts)
	}
	if f.auditCount() != before+1 || f.lastAudit().Action != "auth.failure" {
		t.Fatalf("wrong current password audit = %+v", f.lastAudit())
	}
	if err := f.svc.ChangePassword(f.ctx, f.as(ann), oldPw, "short"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("weak new password: %v", err)
	}
	if err := f.svc.ChangePassword(f.ctx, f.as(ann), oldPw, newPw); err != nil {
		t.Fatal(err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "profile.password", ann.ID)
	if strings.Contains(e.After+e.Before, newPw) {
		t.Fatalf("password in audit: %+v", e)
	}
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", oldPw, "test"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("old password still works: %v", err)
	}
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", newPw, "test"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	// Only a member changes their own password.
	if err := f.svc.ChangePassword(f.ctx, f.sys, newPw, "another good passphrase"); !errors.Is(err, ErrDenied) {
		t.Fatalf("system principal: %v", err)
	}
}

func TestRenameSelf(t *testing.T) {
	f := newFixture(t)
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	if err := f.svc.RenameSelf(f.ctx, f.as(ann), "  Ann Archer "); err != nil {
		t.Fatal(err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "profile.rename", ann.ID)
	if !strings.Contains(e.Before, "Ann Advisor") || !strings.Contains(e.After, "Ann Archer") {
		t.Fatalf("audit = %+v", e)
	}
	m, _ := f.svc.GetMember(f.ctx, f.sys, ann.ID)
	if m.Name != "Ann Archer" {
		t.Fatalf("name = %q", m.Name)
	}
	if err := f.svc.RenameSelf(f.ctx, f.as(ann), "Ann\x1b[2J"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("escape in name: %v", err)
	}
	if err := f.svc.RenameSelf(f.ctx, f.as(ann), "   "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
}

func TestSSHKeys(t *testing.T) {
	f := newFixture(t)
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	bob := f.member("Bob Advisor", "bob@acme.test", "Advisor")
	line := newTestKey(t, "ann@laptop \x1b]52;c;aGk=\x07")
	k, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, line)
	if err != nil {
		t.Fatal(err)
	}
	if k.Fingerprint != fingerprintOf(t, line) || !strings.HasPrefix(k.PublicKey, "ssh-ed25519 AAAA") || strings.ContainsAny(k.Comment, "\x1b\x07") || !strings.HasPrefix(k.Comment, "ann@laptop") {
		t.Fatalf("key = %+v", k)
	}
	e := f.lastAudit()
	wantAudit(t, e, "profile.ssh-key-add", ann.ID)
	if e.Target != k.Fingerprint || e.StaffID != ann.ID {
		t.Fatalf("audit = %+v", e)
	}

	if _, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, line); !errors.Is(err, ErrConflict) {
		t.Fatalf("same key twice: %v", err)
	}
	if _, err := f.svc.AddSSHKey(f.ctx, f.as(bob), bob.ID, line); !errors.Is(err, ErrConflict) {
		t.Fatalf("same key for another member: %v", err)
	}
	for _, bad := range []struct{ line, want string }{
		{"hello world", "not an SSH public key"},
		{"", "no key given"},
		{"ssh-ed25519 AAAAnotbase64!!", "not an SSH public key"},
		{"-----BEGIN OPENSSH PRIVATE KEY-----", "private key"},
		{newTestKey(t, "a") + "\n" + newTestKey(t, "b"), "one key at a time"},
		{weakRSAKey(t), "at least 2048"},
	} {
		_, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, bad.line)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("AddSSHKey(%.30q) = %v; want %q", bad.line, err, bad.want)
		}
	}

	// An advisor may not add keys for someone else; the Owner may.
	if _, err := f.svc.AddSSHKey(f.ctx, f.as(bob), ann.ID, newTestKey(t, "x")); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor adds key for another: %v", err)
	}
	k2, err := f.svc.AddSSHKey(f.ctx, f.as(f.owner), ann.ID, newTestKey(t, "ann@desktop"))
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, f.lastAudit(), "profile.ssh-key-add", f.owner.ID)
	keys, err := f.svc.ListSSHKeys(f.ctx, f.as(ann), ann.ID)
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys = %+v, %v", keys, err)
	}

	if err := f.svc.RemoveSSHKey(f.ctx, f.as(bob), ann.ID, k.ID); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor removes another's key: %v", err)
	}
	if err := f.svc.RemoveSSHKey(f.ctx, f.as(ann), ann.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	e = f.lastAudit()
	wantAudit(t, e, "profile.ssh-key-remove", ann.ID)
	if e.Target != k.Fingerprint {
		t.Fatalf("remove audit = %+v", e)
	}
	if err := f.svc.RemoveSSHKey(f.ctx, f.as(ann), ann.ID, k.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove twice: %v", err)
	}
	if err := f.svc.RemoveSSHKey(f.ctx, f.as(bob), bob.ID, k2.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove someone else's key as one's own: %v", err)
	}
	if _, _, err := f.svc.MemberBySSHKey(f.ctx, k.Fingerprint); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed key still signs in: %v", err)
	}
	if m, _, err := f.svc.MemberBySSHKey(f.ctx, k2.Fingerprint); err != nil || m.ID != ann.ID {
		t.Fatalf("remaining key: %+v %v", m, err)
	}
	// The removed key may now be registered again, by its holder.
	if _, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, line); err != nil {
		t.Fatalf("re-add: %v", err)
	}
}

func weakRSAKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp)))
}
