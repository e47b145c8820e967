package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// A member's own profile over SSH: their name, their password (from
// standard input), two-factor authentication set up in two steps, new
// recovery codes, a reset, and their SSH keys; each change audited under
// them.
func TestProfileCommandsOverSSH(t *testing.T) {
	t.Parallel()
	const leo = "leo.martins@northwind.example" // an Advisor without 2FA
	d := newRemoteDemo(t)
	me := func() model.Principal { return d.member(leo) }

	r := d.run(me(), "profile", "show", "--json")
	wantCode(t, r, 0)
	var p profileJSON
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.Email != leo || p.TwoFactor || p.SSHKeys == nil {
		t.Fatalf("profile show --json: %v\n%s", err, r.stdout)
	}

	wantCode(t, d.run(me(), "profile", "set-name", "Leo Martins-Silva"), 0)
	wantAudit(t, d.path, "profile.rename", leo)

	// Without its input: refused before anything is read or changed.
	before := snapshot(t, d.path)
	if r := d.run(me(), "profile", "password"); r.code != 2 || !strings.Contains(r.stderr, "--password-stdin") || snapshot(t, d.path) != before {
		t.Errorf("password without --password-stdin: %+v", r)
	}
	if r := d.run(me(), "profile", "password", "--password-stdin"); r.code != 2 || !strings.Contains(r.stderr, "no standard input") || snapshot(t, d.path) != before {
		t.Errorf("password with no input: %+v", r)
	}

	r = d.run(me(), "totp", "enrol", "--json")
	wantCode(t, r, 0)
	var enrol totpJSON
	if err := json.Unmarshal([]byte(r.stdout), &enrol); err != nil || enrol.Secret == "" || !strings.HasPrefix(enrol.URI, "otpauth://") || enrol.Enabled {
		t.Fatalf("totp enrol --json: %v\n%s", err, r.stdout)
	}
	if r := d.run(me(), "totp", "enrol", "--secret", enrol.Secret, "--code", "000000"); r.code != 1 || !strings.Contains(r.stderr, "code is not right") {
		t.Errorf("a wrong code: %+v", r)
	}
	code, err := totp.GenerateCode(enrol.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = d.run(me(), "totp", "enrol", "--secret", enrol.Secret, "--code", code)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Two-factor authentication is on") || strings.Count(r.stdout, "\n  ") != model.RecoveryCodeCount {
		t.Errorf("totp enrol confirmed:\n%s", r.stdout)
	}
	wantAudit(t, d.path, "profile.2fa-enrol", leo)

	r = d.run(me(), "recovery-codes", "regenerate", "--json")
	wantCode(t, r, 0)
	var codes totpJSON
	if err := json.Unmarshal([]byte(r.stdout), &codes); err != nil || len(codes.RecoveryCodes) != model.RecoveryCodeCount {
		t.Errorf("recovery-codes regenerate --json: %v\n%s", err, r.stdout)
	}
	wantAudit(t, d.path, "profile.recovery-codes", leo)
	wantCode(t, d.run(me(), "totp", "reset"), 0)
	wantAudit(t, d.path, "profile.2fa-reset", leo)

	// SSH keys: listed, refused to another Advisor, removed by their owner.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	key, err := d.svc.AddSSHKey(d.ctx, model.System("test"), p.ID, string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	r = d.run(d.member(sara), "keys", "list", leo, "--json")
	var keys []keyJSON
	if err := json.Unmarshal([]byte(r.stdout), &keys); err != nil || len(keys) != 1 || keys[0].Fingerprint != key.Fingerprint {
		t.Errorf("keys list --json: %v\n%s", err, r.stdout)
	}
	before = snapshot(t, d.path)
	if r := d.run(d.member(sara), "keys", "remove", leo, key.Fingerprint); r.code != 1 || !strings.Contains(r.stderr, "not allowed") || snapshot(t, d.path) != before {
		t.Errorf("an Advisor removed another's key: %+v", r)
	}
	wantCode(t, d.run(me(), "keys", "remove", leo, fmt.Sprint(key.ID)), 0)
	wantAudit(t, d.path, "profile.ssh-key-remove", key.Fingerprint)

	// An Admin resets a member's 2FA for them; an Advisor may not.
	if r := d.run(d.member(sara), "totp", "reset", "--staff", marcus); r.code != 1 || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("an Advisor reset an Admin's 2FA: %+v", r)
	}
	wantCode(t, d.run(d.member(marcus), "totp", "reset", "--staff", sara), 0)
	if actor, action, target := lastAuditEntry(t, d.path); actor != marcus || action != "profile.2fa-reset" || target != sara {
		t.Errorf("the reset is audited as %s %s %s", actor, action, target)
	}
}

// The operating-system user and connections have no profile: the model
// refuses them, before any password is read; bad input gets one line and
// changes nothing.
func TestProfileRefusals(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"profile", "set-name", "Root"}, 1, "only a signed-in member can change their name"},
		{[]string{"profile", "password"}, 1, "only a signed-in member can change a password"},
		{[]string{"totp", "enrol"}, 1, "only a signed-in member can set up two-factor authentication"},
		{[]string{"recovery-codes", "regenerate"}, 1, "only a signed-in member can make recovery codes"},
		{[]string{"profile", "show"}, 1, "who has no profile; run it over SSH as the member"},
		{[]string{"totp", "reset"}, 1, "who has no profile"},
		{[]string{"totp", "enrol", "--secret", "JBSWY3DPEHPK3PXP"}, 2, "give --secret and --code together"},
		{[]string{"keys", "remove", sara, "SHA256:nope"}, 2, "has no SSH key"},
		{[]string{"totp", "reset", "--staff", "s\u0430ra.lindqvist@northwind.example"}, 2, "no staff member with email"},
	} {
		r := runCLI(t, append(c.args, "--db", db)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%q: exit %d (want %d), stderr %q (want %q)", c.args, r.code, c.code, r.stderr, c.want)
		}
	}
	if snapshot(t, db) != before {
		t.Fatal("refused profile commands changed the database")
	}
	d := newRemoteDemo(t)
	before = snapshot(t, d.path)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"profile", "set-name", "Sa\x1b[31mra"}, "control characters"},
		{[]string{"profile", "set-name", strings.Repeat("n", 300)}, "characters long; at most"},
		{[]string{"totp", "enrol"}, "already on"},
		{[]string{"totp", "enrol", "--secret", "not base32!", "--code", "123456"}, "not a two-factor secret"},
	} {
		r := d.run(d.member(sara), c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%q as Sara: exit %d, stderr %q (want %q)", c.args, r.code, r.stderr, c.want)
		}
	}
	if snapshot(t, d.path) != before {
		t.Fatal("refused profile input changed the database")
	}
}

// Over a real SSH connection, profile password reads the passwords the
// client sends on standard input, as a script would pipe them: nothing
// or a weak new one is refused, a wrong current one too, and the change
// is audited under the member.
func TestProfilePasswordOverRealSSH(t *testing.T) {
	t.Parallel()
	d := newSSHDemo(t)
	const priya = "priya.nair@northwind.example"
	c := d.dial(priya)
	run := func(stdin, line string) result {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var out, errOut bytes.Buffer
		s.Stdin, s.Stdout, s.Stderr = strings.NewReader(stdin), &out, &errOut
		code := 0
		if err := s.Run(line); err != nil {
			var exit *ssh.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("%s: %v", line, err)
			}
			code = exit.ExitStatus()
		}
		return result{out.String(), errOut.String(), code}
	}
	current := d.member(priya).Password
	for _, c := range []struct {
		stdin string
		code  int
		want  string
	}{
		{"", 2, "no current password on standard input"},
		{current + "\r\nshort\r\n", 2, "at least 10 characters"},
		{"not her password\nanother long passphrase\n", 1, "the current password is not right"},
	} {
		if r := run(c.stdin, "profile password --password-stdin"); r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("stdin %q: exit %d (want %d), stderr %q (want %q)", c.stdin, r.code, c.code, r.stderr, c.want)
		}
	}
	r := run(current+"\nanother long passphrase\n", "profile password --password-stdin --json")
	if r.code != 0 || !strings.Contains(r.stdout, "Your password was changed.") {
		t.Fatalf("profile password over SSH: %+v", r)
	}
	if _, err := d.svc.SignIn(d.ctx, priya, "another long passphrase", "test"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
	var actor, action string
	if err := d.svc.DB().Read().QueryRowContext(d.ctx, `SELECT actor, action FROM audit_log WHERE action = 'profile.password' ORDER BY id DESC LIMIT 1`).Scan(&actor, &action); err != nil || actor != priya {
		t.Errorf("the change is audited as %q %q: %v", actor, action, err)
	}
}
