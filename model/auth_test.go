package model

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/db"
)

// useClock makes the service's clock a variable the test moves. It starts
// 7 s into a 30 s TOTP step so that ±1 step is easy to reason about.
func (f *fixture) useClock() *time.Time {
	t := time.Date(2031, 3, 4, 10, 0, 7, 0, time.UTC)
	f.svc.Now = func() time.Time { return t }
	return &t
}

func (f *fixture) creds(id int64) db.Credentials {
	f.t.Helper()
	c, err := db.GetCredentials(f.ctx, f.svc.DB().Read(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// enrol turns 2FA on for m and returns the secret and recovery codes.
func (f *fixture) enrol(m Member) (string, []string) {
	f.t.Helper()
	en, err := f.svc.BeginTOTP(f.ctx, f.as(m))
	if err != nil {
		f.t.Fatal(err)
	}
	code, err := TOTPCode(en.Secret, f.svc.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	codes, err := f.svc.ConfirmTOTP(f.ctx, f.as(m), en.Secret, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return en.Secret, codes
}

func (f *fixture) requireOrg2FA() {
	f.t.Helper()
	err := f.svc.DB().Write(f.ctx, func(tx *sql.Tx) error {
		o, err := db.GetOrg(f.ctx, tx)
		if err != nil {
			return err
		}
		o.Require2FA = true
		return db.UpdateOrg(f.ctx, tx, o)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) code(secret string, at time.Time) string {
	f.t.Helper()
	c, err := TOTPCode(secret, at)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// wrongCode is a 6-digit code that none of the accepted steps produce.
func (f *fixture) wrongCode(secret string) string {
	now := f.svc.Now()
	taken := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		taken[f.code(secret, now.Add(d))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !taken[c] {
			return c
		}
	}
	panic("unreachable: four codes cannot all be taken by three steps")
}

func wantAudit(t *testing.T, e AuditEntry, action string, actorID int64) {
	t.Helper()
	if e.Action != action || e.ActorKind != KindMember || e.ActorID != actorID {
		t.Fatalf("audit = %s by %s #%d (%q); want %s by member #%d", e.Action, e.ActorKind, e.ActorID, e.Actor, action, actorID)
	}
}

func TestSignInWithoutTwoFactor(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	res, err := f.svc.SignIn(f.ctx, "  Ann@ACME.test ", "password-ann@acme.test", "ssh from 10.0.0.9")
	if err != nil {
		t.Fatal(err)
	}
	if res.NeedCode || res.NeedEnrol || res.Member.ID != ann.ID {
		t.Fatalf("result = %+v", res)
	}
	e := f.lastAudit()
	wantAudit(t, e, "auth.sign-in", ann.ID)
	if e.Origin != "ssh from 10.0.0.9" || e.StaffID != ann.ID {
		t.Fatalf("audit = %+v", e)
	}
	m, _ := f.svc.GetMember(f.ctx, f.sys, ann.ID)
	if !m.LastActive.Equal(clk.Truncate(time.Second)) {
		t.Fatalf("last active = %v, want %v", m.LastActive, *clk)
	}
}

func TestSignInRequiredTwoFactorNeedsEnrolment(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	f.requireOrg2FA()
	res, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test")
	if err != nil || !res.NeedEnrol || res.NeedCode {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	f.enrol(ann)
	wantAudit(t, f.lastAudit(), "profile.2fa-enrol", ann.ID)
	res, err = f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test")
	if err != nil || res.NeedEnrol || !res.NeedCode {
		t.Fatalf("after enrolment res = %+v, err = %v", res, err)
	}
}

func TestWrongEmailAndWrongPasswordLookAlike(t *testing.T) {
	f := newFixture(t)
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	_, errEmail := f.svc.SignIn(f.ctx, "nobody@acme.test", "password-ann@acme.test", "test")
	unknown := f.lastAudit()
	_, errPass := f.svc.SignIn(f.ctx, "ann@acme.test", "not her password", "test")
	wrong := f.lastAudit()
	if !errors.Is(errEmail, ErrBadCredentials) || !errors.Is(errPass, ErrBadCredentials) {
		t.Fatalf("errors = %v / %v", errEmail, errPass)
	}
	if errEmail.Error() != errPass.Error() || errEmail.Error() != "wrong email or password" {
		t.Fatalf("messages differ: %q vs %q", errEmail, errPass)
	}
	if unknown.Action != "auth.failure" || unknown.ActorKind != KindMember || unknown.ActorID != 0 || unknown.Actor != "nobody@acme.test" || !strings.Contains(unknown.After, "unknown email") {
		t.Fatalf("unknown-email audit = %+v", unknown)
	}
	wantAudit(t, wrong, "auth.failure", ann.ID)
	if !strings.Contains(wrong.After, "wrong password") {
		t.Fatalf("wrong-password audit = %+v", wrong)
	}
	// The email tried is untrusted text: it reaches the log sanitized.
	f.svc.SignIn(f.ctx, "\x1b]0;owned\x07@acme.test", "whatever", "test")
	if e := f.lastAudit(); strings.ContainsAny(e.Actor, "\x1b\x07") {
		t.Fatalf("actor label not sanitized: %q", e.Actor)
	}
}

// An unknown email gets the same answers as a known one with a wrong
// password, attempt after attempt: the same slow-downs and the same lock,
// so that no answer tells which addresses belong to staff.
func TestUnknownAndKnownEmailsGetTheSameAnswers(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	f.member("Ann Advisor", "ann@acme.test", "Advisor")
	try := func() (string, string) {
		_, known := f.svc.SignIn(f.ctx, "ann@acme.test", "not her password", "test")
		_, unknown := f.svc.SignIn(f.ctx, "nobody@acme.test", "not her password", "test")
		if known == nil || unknown == nil {
			t.Fatalf("signed in: %v / %v", known, unknown)
		}
		return known.Error(), unknown.Error()
	}
	var seen []string
	for i := range lockAfter + 2 {
		known, unknown := try()
		if known != unknown {
			t.Fatalf("attempt %d: a known email gets %q, an unknown one %q", i+1, known, unknown)
		}
		seen = append(seen, known)
		// Straight away again: both are told to wait, or neither.
		known, unknown = try()
		if known != unknown {
			t.Fatalf("attempt %d again: %q vs %q", i+1, known, unknown)
		}
		*clk = clk.Add(61 * time.Second)
	}
	joined := strings.Join(seen, "\n")
	if !strings.Contains(joined, "wrong email or password") || !strings.Contains(joined, "too many failed attempts") {
		t.Fatalf("the answers never slowed down or locked:\n%s", joined)
	}
	// Any address's counters, in any case or width, are one.
	_, err := f.svc.SignIn(f.ctx, "NOBODY@acme.test", "x", "test")
	_, known := f.svc.SignIn(f.ctx, "ANN@acme.test", "x", "test")
	if err == nil || known == nil || err.Error() != known.Error() || !errors.Is(err, ErrLocked) {
		t.Fatalf("another spelling: %v / %v", err, known)
	}
}

func TestUnknownEmailCostsAsMuchAsAPassword(t *testing.T) {
	// The dummy hash checked for unknown emails uses the same argon2
	// parameters as real hashes, so it costs the same time.
	real, err := HashPassword("some password here")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(timingHash()) != params(real) {
		t.Fatalf("dummy %q vs real %q", params(timingHash()), params(real))
	}
}

func TestTwoFactorCodes(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	secret, _ := f.enrol(ann)
	// The code that confirmed enrolment is spent.
	err := f.svc.VerifyCode(f.ctx, ann.ID, f.code(secret, *clk), "test")
	if !errors.Is(err, ErrBadCode) || !strings.HasPrefix(err.Error(), "that code was already used — wait for the next one, about ") {
		t.Fatalf("enrolment code reused: %v", err)
	}

	*clk = clk.Add(time.Minute)
	res, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test")
	if err != nil || !res.NeedCode {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	code := f.code(secret, *clk)
	if err := f.svc.VerifyCode(f.ctx, ann.ID, code[:3]+" "+code[3:], "test"); err != nil {
		t.Fatalf("right code: %v", err)
	}
	wantAudit(t, f.lastAudit(), "auth.sign-in", ann.ID)
	if n := f.creds(ann.ID).FailedAttempts; n != 0 {
		t.Fatalf("failed attempts after success = %d", n)
	}

	// The same code again, 10 s into its 30 s step: refused, audited,
	// with when the next one comes, and not counted as a failure.
	*clk = time.Unix((clk.Unix()/30+2)*30+10, 0).UTC()
	code = f.code(secret, *clk)
	if err := f.svc.VerifyCode(f.ctx, ann.ID, code, "test"); err != nil {
		t.Fatalf("fresh code: %v", err)
	}
	err = f.svc.VerifyCode(f.ctx, ann.ID, code, "test")
	var refusal *CodeRefusal
	if !errors.Is(err, ErrBadCode) || !errors.As(err, &refusal) || !refusal.Reused || err.Error() != "that code was already used — wait for the next one, about 20 s" {
		t.Fatalf("replay: %v", err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "auth.failure", ann.ID)
	if !strings.Contains(e.After, "code already used") || strings.Contains(e.After, "failed_attempts") {
		t.Fatalf("replay audited as %s", e.After)
	}
	if n := f.creds(ann.ID).FailedAttempts; n != 0 {
		t.Fatalf("a reused code counted toward the lockout: %d failures", n)
	}

	other, _ := f.svc.BeginTOTP(f.ctx, f.as(f.owner))
	err = f.svc.VerifyCode(f.ctx, ann.ID, f.code(other.Secret, *clk), "test")
	if !errors.Is(err, ErrBadCode) || err.Error() != "wrong code, 9 tries left before a 15-minute lock" {
		t.Fatalf("code of another secret: %v", err)
	}

	// One step of skew either way is accepted; two are not.
	*clk = clk.Add(5 * time.Minute)
	if err := f.svc.VerifyCode(f.ctx, ann.ID, f.code(secret, clk.Add(30*time.Second)), "test"); err != nil {
		t.Fatalf("code one step ahead: %v", err)
	}
	*clk = clk.Add(5 * time.Minute)
	if err := f.svc.VerifyCode(f.ctx, ann.ID, f.code(secret, clk.Add(-30*time.Second)), "test"); err != nil {
		t.Fatalf("code one step behind: %v", err)
	}
	*clk = clk.Add(5 * time.Minute)
	if err := f.svc.VerifyCode(f.ctx, ann.ID, f.code(secret, clk.Add(-60*time.Second)), "test"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("code two steps behind: %v", err)
	}
	if n := f.creds(ann.ID).FailedAttempts; n != 1 {
		t.Fatalf("failed attempts = %d, want 1", n)
	}
}

// A wrong code says how many tries are left before the 15-minute lock,
// and from the third on how long to wait; the tenth locks and says until
// when.
func TestWrongCodesSayHowManyTriesAreLeft(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	secret, _ := f.enrol(ann)
	want := []string{
		"wrong code, 9 tries left before a 15-minute lock",
		"wrong code, 8 tries left before a 15-minute lock",
		"wrong code, 7 tries left before a 15-minute lock; wait 1 s before the next",
		"wrong code, 6 tries left before a 15-minute lock; wait 2 s before the next",
	}
	for i := range lockAfter {
		*clk = clk.Add(2 * time.Minute)
		err := f.svc.VerifyCode(f.ctx, ann.ID, f.wrongCode(secret), "test")
		switch {
		case i < len(want):
			if err == nil || err.Error() != want[i] {
				t.Fatalf("failure %d: %v, want %q", i+1, err, want[i])
			}
		case i == lockAfter-2:
			if err == nil || err.Error() != "wrong code, 1 try left before a 15-minute lock; wait 60 s before the next" {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		case i == lockAfter-1:
			if err == nil || !strings.HasPrefix(err.Error(), "wrong code; the account is now locked for 15 minutes, until ") {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
	}
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test"); !errors.Is(err, ErrLocked) {
		t.Fatalf("after ten wrong codes: %v", err)
	}
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	_, codes := f.enrol(ann)
	if len(codes) != RecoveryCodeCount || len(codes[0]) != len("abcd-efgh-ijkl") || strings.Count(codes[0], "-") != 2 {
		t.Fatalf("codes = %q", codes)
	}
	if err := f.svc.VerifyCode(f.ctx, ann.ID, codes[0], "test"); err != nil {
		t.Fatal(err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "auth.recovery-code", ann.ID)
	if !strings.Contains(e.After, `"recovery_codes_left":9`) {
		t.Fatalf("audit after = %s", e.After)
	}
	if n, err := f.svc.RecoveryCodesLeft(f.ctx, f.as(ann)); err != nil || n != 9 {
		t.Fatalf("left = %d, %v", n, err)
	}
	if err := f.svc.VerifyCode(f.ctx, ann.ID, codes[0], "test"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("second use: %v", err)
	}
	// Typed in capitals, with spaces: still the code.
	if err := f.svc.VerifyCode(f.ctx, ann.ID, " "+strings.ToUpper(codes[1])+" ", "test"); err != nil {
		t.Fatalf("capitals: %v", err)
	}
	if err := f.svc.VerifyCode(f.ctx, ann.ID, "aaaa-bbbb-cccc", "test"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("made-up code: %v", err)
	}
}

func TestFailureDelays(t *testing.T) {
	want := map[int]time.Duration{1: 0, 2: 0, 3: time.Second, 4: 2 * time.Second, 5: 4 * time.Second,
		8: 32 * time.Second, 9: 60 * time.Second, 10: 15 * time.Minute, 11: 15 * time.Minute}
	for n, d := range want {
		if got := failureDelay(n); got != d {
			t.Errorf("failureDelay(%d) = %v, want %v", n, got, d)
		}
	}
}

func TestSlowDownThenLockAcrossProcesses(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	right := "password-ann@acme.test"
	signIn := func(svc *Service, pw string) error {
		_, err := svc.SignIn(f.ctx, "ann@acme.test", pw, "test")
		return err
	}
	for i := 1; i <= 2; i++ {
		if err := signIn(f.svc, "wrong"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	// From the third failure on, each next attempt must wait.
	for n := 3; n < lockAfter; n++ {
		if err := signIn(f.svc, "wrong"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("failure %d: %v", n, err)
		}
		d := failureDelay(n)
		*clk = clk.Add(d - time.Second)
		err := signIn(f.svc, right)
		if !errors.Is(err, ErrSlowDown) || !strings.Contains(err.Error(), "wait 1 s") {
			t.Fatalf("after failure %d, %v early: %v", n, time.Second, err)
		}
		*clk = clk.Add(time.Second)
	}
	if c := f.creds(ann.ID); c.FailedAttempts != lockAfter-1 {
		t.Fatalf("refused attempts were counted: %d", c.FailedAttempts)
	}
	if err := signIn(f.svc, "wrong"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("tenth failure: %v", err)
	}
	wantAudit(t, f.lastAudit(), "auth.locked", ann.ID)
	lockedAt := *clk
	err := signIn(f.svc, right)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "try again after "+lockedAt.Add(15*time.Minute).Format("15:04")+" UTC") {
		t.Fatalf("locked: %v", err)
	}

	// A second process sees the same lock.
	other, err := Open(f.ctx, f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = f.svc.Now
	*clk = clk.Add(14 * time.Minute)
	if err := signIn(other, right); !errors.Is(err, ErrLocked) {
		t.Fatalf("second process: %v", err)
	}
	if _, _, err := other.MemberBySSHKey(f.ctx, "SHA256:none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}

	// The lock expires with time; a success resets the counter.
	*clk = lockedAt.Add(15*time.Minute + time.Second)
	if err := signIn(other, right); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if c := f.creds(ann.ID); c.FailedAttempts != 0 || !c.LockedUntil.IsZero() {
		t.Fatalf("counters after success = %+v", c)
	}
}

func TestCodeFailuresCountTowardLockout(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	secret, _ := f.enrol(ann)
	*clk = clk.Add(time.Minute)
	// A right password does not reset the counter while a code must follow.
	for i := 0; i < 3; i++ {
		if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.VerifyCode(f.ctx, ann.ID, f.wrongCode(secret), "test"); !errors.Is(err, ErrBadCode) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test"); !errors.Is(err, ErrSlowDown) {
		t.Fatalf("after three wrong codes: %v", err)
	}
	if err := f.svc.VerifyCode(f.ctx, ann.ID, f.code(secret, *clk), "test"); !errors.Is(err, ErrSlowDown) {
		t.Fatalf("code while slowed down: %v", err)
	}
}

func TestDeactivatedMemberCannotSignIn(t *testing.T) {
	f := newFixture(t)
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	key := newTestKey(t, "ann@laptop")
	if _, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, key); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Deactivate(f.ctx, f.as(f.owner), ann.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test")
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "deactivated") {
		t.Fatalf("deactivated sign-in: %v", err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "auth.failure", ann.ID)
	if !strings.Contains(e.After, "deactivated") {
		t.Fatalf("audit = %+v", e)
	}
	// A wrong password still says only that.
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", "nope", "test"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := f.svc.MemberBySSHKey(f.ctx, fingerprintOf(t, key)); !errors.Is(err, ErrDenied) {
		t.Fatalf("ssh: %v", err)
	}
	if err := f.svc.VerifyCode(f.ctx, ann.ID, "123456", "test"); !errors.Is(err, ErrDenied) {
		t.Fatalf("code: %v", err)
	}
}

func TestSSHSignIn(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	key := newTestKey(t, "ann@laptop")
	fp := fingerprintOf(t, key)
	if _, err := f.svc.AddSSHKey(f.ctx, f.as(ann), ann.ID, key); err != nil {
		t.Fatal(err)
	}
	before := f.auditCount()
	m, res, err := f.svc.MemberBySSHKey(f.ctx, fp)
	if err != nil || m.ID != ann.ID || res.NeedCode || res.NeedEnrol {
		t.Fatalf("m = %+v, res = %+v, err = %v", m, res, err)
	}
	if f.auditCount() != before {
		t.Fatal("MemberBySSHKey wrote an audit entry before the key was proved")
	}
	if err := f.svc.SSHSignIn(f.ctx, fp, "ssh "+fp+" from 10.1.1.1"); err != nil {
		t.Fatal(err)
	}
	e := f.lastAudit()
	wantAudit(t, e, "auth.sign-in", ann.ID)
	if !strings.Contains(e.After, "ssh key") || !strings.HasPrefix(e.Origin, "ssh SHA256:") {
		t.Fatalf("audit = %+v", e)
	}
	keys, _ := f.svc.ListSSHKeys(f.ctx, f.as(ann), ann.ID)
	if len(keys) != 1 || keys[0].LastUsed.IsZero() {
		t.Fatalf("keys = %+v", keys)
	}

	// With 2FA, the key still needs the code.
	f.enrol(ann)
	if _, res, err = f.svc.MemberBySSHKey(f.ctx, fp); err != nil || !res.NeedCode {
		t.Fatalf("with 2FA res = %+v, err = %v", res, err)
	}
	// A locked member is refused even with the key.
	for i := 0; i < lockAfter; i++ {
		*clk = clk.Add(2 * time.Minute)
		f.svc.VerifyCode(f.ctx, ann.ID, "abcd-abcd-abcd", "test")
	}
	if _, _, err := f.svc.MemberBySSHKey(f.ctx, fp); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked member by key: %v", err)
	}
}

func TestParallelGuessesAreSlowedToo(t *testing.T) {
	f := newFixture(t)
	f.useClock()
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	errs := make(chan error, 8)
	for i := 0; i < cap(errs); i++ {
		go func() {
			_, err := f.svc.SignIn(f.ctx, "ann@acme.test", "wrong guess", "test")
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; !errors.Is(err, ErrBadCredentials) && !errors.Is(err, ErrSlowDown) {
			t.Fatalf("parallel guess: %v", err)
		}
	}
	// Once the third failure is recorded, the others are refused however
	// they interleave: the clock does not move, so the wait never ends.
	if n := f.creds(ann.ID).FailedAttempts; n != slowDownAfter {
		t.Fatalf("failed attempts = %d, want %d", n, slowDownAfter)
	}
}
