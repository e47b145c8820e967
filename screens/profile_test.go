package screens

import (
	"crypto/ed25519"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// fixedKeyLine is an authorized_keys line from a fixed seed, so the
// golden files hold a stable fingerprint.
func fixedKeyLine(t *testing.T, seed byte, comment string) string {
	t.Helper()
	priv := ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), ed25519.SeedSize)))
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + comment
}

func TestProfileGolden(t *testing.T) {
	e, ms := staffOrg(t)
	ann := ms["ann"]
	if _, err := e.svc.AddSSHKey(e.ctx, model.MemberPrincipal(ann, "test"), ann.ID, fixedKeyLine(t, 1, "ann@laptop")); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		s := e.start(NewProfile(e.session(ann)), sz[0], sz[1])
		golden(t, sizeName("profile", sz), s.View(), sz[0], sz[1])
	}
}

func TestProfileRenameAndPassword(t *testing.T) {
	e, ms := staffOrg(t)
	ann := ms["ann"]
	s := e.start(NewProfile(e.session(ann)), 80, 24)
	s = e.press(s, "e")
	for range len("Ann Advisor") {
		s = e.press(s, "backspace")
	}
	s = e.press(s, "Ann Ng", "enter")
	if m, _ := e.memberByEmail("ann@acme.test"); m.Name != "Ann Ng" {
		t.Fatalf("name = %q (%+v)", m.Name, e.lastStatus())
	}
	if !strings.Contains(s.View(), "Ann Ng") {
		t.Errorf("profile not refreshed:\n%s", s.View())
	}
	// Mismatched new passwords are refused before the model is asked.
	s = e.press(s, "p", "password-ann@acme.test", "tab", "brand new password", "tab", "brand new passw0rd", "enter")
	if v := s.View(); !strings.Contains(v, "The two new passwords differ") {
		t.Fatalf("mismatch not reported:\n%s", v)
	}
	if strings.Contains(s.View(), "brand new") {
		t.Fatal("password shown in clear")
	}
	for range len("brand new passw0rd") {
		s = e.press(s, "backspace")
	}
	s = e.press(s, "brand new password", "enter")
	if st := e.lastStatus(); st.Err || st.Text != "Your password was changed" {
		t.Fatalf("status = %+v\n%s", st, s.View())
	}
	// A wrong current password keeps the form open with the model's reason.
	s = e.press(s, "p", "not my password", "tab", "another new password", "tab", "another new password", "enter")
	if v := s.View(); !strings.Contains(v, "Change your password") || !e.lastStatus().Err {
		t.Fatalf("wrong current password:\n%s\n%+v", v, e.lastStatus())
	}
}

var recoveryRE = regexp.MustCompile(`\b[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}\b`)

func TestProfileTOTP(t *testing.T) {
	e, ms := staffOrg(t)
	ann := ms["ann"]
	s := e.start(NewProfile(e.session(ann)), 120, 40)
	s = e.press(s, "t")
	if _, ok := s.(*profileScreen).dialog.(*FormDialog); !ok {
		t.Fatalf("no enrolment form: %+v", e.lastStatus())
	}
	v := s.View()
	if !strings.Contains(v, "▀") && !strings.Contains(v, "▄") {
		t.Errorf("no QR code at 120x40:\n%s", v)
	}
	secret := regexp.MustCompile(`Secret  ([A-Z2-7 ]+)`).FindStringSubmatch(v)
	if secret == nil {
		t.Fatalf("no secret shown:\n%s", v)
	}
	s = e.press(s, "000000", "enter")
	if !strings.Contains(s.View(), "6-digit code") || !e.lastStatus().Err {
		t.Fatalf("a wrong code was not refused in the form:\n%s", s.View())
	}
	code, err := totp.GenerateCode(strings.ReplaceAll(secret[1], " ", ""), staffNow)
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		s = e.press(s, "backspace")
	}
	s = e.press(s, code, "enter")
	v = s.View()
	if n := len(recoveryRE.FindAllString(v, -1)); n != model.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown:\n%s\n%+v", n, v, e.lastStatus())
	}
	s = e.press(s, "enter")
	if v := s.View(); !strings.Contains(v, "on · 10 recovery codes left") {
		t.Fatalf("profile after enrolment:\n%s", v)
	}
	s = e.press(s, "c", "y")
	if n := len(recoveryRE.FindAllString(s.View(), -1)); n != model.RecoveryCodeCount {
		t.Fatalf("regenerated codes: %d\n%s", n, s.View())
	}
	s = e.press(s, "esc", "D", "y")
	if m, _ := e.memberByEmail("ann@acme.test"); m.TOTPEnabled {
		t.Fatal("2FA still on after reset")
	}
	if !strings.Contains(s.View(), "t set up") {
		t.Errorf("profile after reset:\n%s", s.View())
	}
	// At 80x24 the QR does not fit: the secret is shown as text.
	s = e.start(NewProfile(e.session(ann)), 80, 24)
	s = e.press(s, "t")
	if v := s.View(); strings.Contains(v, "▀") || !strings.Contains(v, "Secret  ") {
		t.Errorf("small enrolment:\n%s", v)
	}
}

func TestProfileSSHKeys(t *testing.T) {
	e, ms := staffOrg(t)
	ann := ms["ann"]
	s := e.start(NewProfile(e.session(ann)), 120, 40)
	s = e.press(s, "a", "-----BEGIN OPENSSH PRIVATE KEY-----", "enter")
	if v := s.View(); !strings.Contains(v, "that is a private key") {
		t.Fatalf("private key not refused:\n%s", v)
	}
	s = e.press(s, "esc", "a", fixedKeyLine(t, 2, "ann@desk"), "enter")
	s = e.press(s, "a", fixedKeyLine(t, 3, "ann@phone"), "enter")
	keys, err := e.svc.ListSSHKeys(e.ctx, model.MemberPrincipal(ann, "t"), ann.ID)
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys = %+v, %v", keys, err)
	}
	if v := s.View(); !strings.Contains(v, "SSH keys (2)") || !strings.Contains(v, "ann@phone") {
		t.Fatalf("keys not listed:\n%s", v)
	}
	s = e.press(s, "j", "x", "y")
	keys, _ = e.svc.ListSSHKeys(e.ctx, model.MemberPrincipal(ann, "t"), ann.ID)
	if len(keys) != 1 || keys[0].Comment != "ann@desk" {
		t.Fatalf("after removing the second key: %+v", keys)
	}
}
