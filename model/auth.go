// Over 600 lines: sign-in in one place: password, second factor, recovery
// codes, failure counting and locks share the credentials' rules.

package model

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"gatehouse/db"
)

// Sign-in errors. ErrBadCredentials is the same for an unknown email and a
// wrong password, so that the message does not tell which emails belong to
// staff.
var (
	ErrBadCredentials = errors.New("wrong email or password")
	ErrLocked         = errors.New("account locked")
	ErrSlowDown       = errors.New("too many failed attempts")
	ErrBadCode        = errors.New("that code is not right")
)

// CodeRefusal is a refused code with what the person at the prompt needs
// to try again well; it matches ErrBadCode. A code already used is not a
// guess: it comes from the right authenticator, a moment too soon (a
// second `ssh HOST COMMAND` inside the same 30 s), so it never counts
// toward the lockout and the prompt says when the next code comes.
type CodeRefusal struct {
	// Reused: the code was right but its time step was already spent;
	// NextCodeIn is about when the authenticator shows a fresh one.
	Reused     bool
	NextCodeIn time.Duration
	// Otherwise the code was wrong: TriesLeft more failures lock the
	// account for 15 minutes (0: it is locked now, until LockedUntil), and
	// Wait is the slow-down before the next try.
	TriesLeft   int
	Wait        time.Duration
	LockedUntil time.Time
	// Recovery: the code was shaped like a recovery code.
	Recovery bool
}

func (e *CodeRefusal) Error() string {
	switch {
	case e.Reused:
		return fmt.Sprintf("that code was already used — wait for the next one, about %d s", seconds(e.NextCodeIn))
	case e.TriesLeft <= 0:
		return fmt.Sprintf("wrong code; the account is now locked for 15 minutes, until %s UTC", e.LockedUntil.UTC().Format("15:04"))
	}
	what := "wrong code"
	if e.Recovery {
		what = "wrong or used recovery code"
	}
	msg := fmt.Sprintf("%s, %d %s left before a 15-minute lock", what, e.TriesLeft, plural(e.TriesLeft, "try", "tries"))
	if e.Wait > 0 {
		msg += fmt.Sprintf("; wait %d s before the next", seconds(e.Wait))
	}
	return msg
}

func (e *CodeRefusal) Is(target error) bool { return target == ErrBadCode }

// seconds rounds a wait up to whole seconds, at least 1.
func seconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Lockout policy. Failed passwords and failed codes count together, in the
// staff row (failed_attempts, locked_until), so every process and every SSH
// session sees the same counter:
//
//   - the first 2 consecutive failures cost nothing;
//   - from the 3rd on, each failure makes the next attempt wait 2^(n-3)
//     seconds (1, 2, 4 … capped at 60 s): a person retyping barely notices,
//     a guessing program is slowed to a crawl;
//   - the 10th consecutive failure locks the account for 15 minutes; after
//     that, every further failure locks it for another 15 minutes until a
//     sign-in succeeds.
//
// An attempt made while the account is waiting or locked is refused without
// looking at the password or code, and is not counted, so a lock cannot be
// stretched forever by someone hammering it. A successful sign-in (password
// without 2FA, or the code after the password) resets the counter. A correct
// password alone does not when a code must follow, so that knowing the
// password does not buy unlimited guesses at the code.
const (
	slowDownAfter = 3
	lockAfter     = 10
	maxSlowDown   = 60 * time.Second
	lockDuration  = 15 * time.Minute
)

// failureDelay is how long the account refuses attempts after its n-th
// consecutive failure.
func failureDelay(n int) time.Duration {
	switch {
	case n < slowDownAfter:
		return 0
	case n >= lockAfter:
		return lockDuration
	}
	d := time.Second << (n - slowDownAfter)
	return min(d, maxSlowDown)
}

// refusal says whether stored counters refuse an attempt at now, and why.
func refusal(c db.Credentials, now time.Time) error {
	if c.LockedUntil.IsZero() || !now.Before(c.LockedUntil) {
		return nil
	}
	if c.FailedAttempts >= lockAfter {
		return fmt.Errorf("%w: too many failed attempts; try again after %s UTC", ErrLocked, c.LockedUntil.UTC().Format("15:04"))
	}
	wait := c.LockedUntil.Sub(now)
	secs := int((wait + time.Second - 1) / time.Second)
	return fmt.Errorf("%w: wait %d s before trying again", ErrSlowDown, secs)
}

// hardLocked reports a 15-minute lock (not a short slow-down) at now.
func hardLocked(c db.Credentials, now time.Time) bool {
	return c.FailedAttempts >= lockAfter && now.Before(c.LockedUntil)
}

// SignInResult is what the password (or SSH key) step leads to.
type SignInResult struct {
	Member    Member
	NeedCode  bool // member has 2FA: ask the 6-digit code (or a recovery code) next
	NeedEnrol bool // organisation requires 2FA and the member has none: enrol before going further
}

var (
	dummyHashOnce sync.Once
	dummyHash     string
)

// timingHash is a real hash made with the current parameters, checked
// against when the email is unknown so that the answer takes as long as for
// a wrong password.
func timingHash() string {
	dummyHashOnce.Do(func() {
		h, err := HashPassword(newSecret(16))
		if err == nil {
			dummyHash = h
		}
	})
	return dummyHash
}

// signInActor is the member acting for themselves while signing in.
func signInActor(id int64, label, origin string) Actor {
	return Actor{Principal: Principal{Kind: KindMember, StaffID: id, Label: label, Origin: origin}}
}

// SignIn checks an email and password. On success the result says whether
// a code or an enrolment must follow; a sign-in that needs neither is
// complete and audited here.
func (s *Service) SignIn(ctx context.Context, email, password, origin string) (SignInResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || password == "" {
		return SignInResult{}, fmt.Errorf("%w: enter your email and password", ErrInvalid)
	}
	m, err := db.GetMemberByEmail(ctx, s.db.Read(), EmailKey(email))
	if errors.Is(err, db.ErrNotFound) {
		// Answered as a wrong password would be, slow-downs and locks
		// included: the counters of an address that is no member's are
		// kept too, so the answers do not tell which addresses belong
		// to staff.
		c, err := db.UnknownEmailFailures(ctx, s.db.Read(), EmailKey(email))
		if err != nil {
			return SignInResult{}, fmt.Errorf("sign in: %w", err)
		}
		if err := refusal(c, s.Now()); err != nil {
			return SignInResult{}, err
		}
		if _, err := checkPassword(ctx, timingHash(), password); err != nil {
			return SignInResult{}, err
		}
		return SignInResult{}, s.unknownEmail(ctx, email, origin)
	}
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in: %w", err)
	}
	creds, err := db.GetCredentials(ctx, s.db.Read(), m.ID)
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in: %w", err)
	}
	if err := refusal(creds, s.Now()); err != nil {
		return SignInResult{}, err
	}
	hash := creds.PasswordHash
	if hash == "" {
		hash = timingHash()
	}
	ok, err := checkPassword(ctx, hash, password)
	if err != nil {
		return SignInResult{}, err
	}
	if !ok || creds.PasswordHash == "" {
		return SignInResult{}, s.recordFailure(ctx, m, origin, "wrong password", ErrBadCredentials)
	}
	return s.passwordAccepted(ctx, m, origin)
}

// unknownEmail counts and audits a failed sign-in for an email no member
// has, as recordFailure does for a member.
func (s *Service) unknownEmail(ctx context.Context, email, origin string) error {
	label := Sanitize(Truncate(email, MaxEmailLen))
	key := EmailKey(email)
	_, err := s.countFailure(ctx, failureCount{
		read: func(tx *sql.Tx) (db.Credentials, error) { return db.UnknownEmailFailures(ctx, tx, key) },
		store: func(tx *sql.Tx, n int, until, now time.Time) error {
			return db.SetUnknownEmailFailures(ctx, tx, key, n, until, now)
		},
		actor: signInActor(0, label, origin),
		about: change{TargetKind: "staff", Target: label},
	}, "unknown email", ErrBadCredentials)
	return err
}

// recordFailure counts one failed password or code for m, audits it (and
// the lock it may cause), and returns refused: the error for the caller.
// If another attempt locked the account while this one was being checked,
// the lock's error is returned instead and nothing is counted.
func (s *Service) recordFailure(ctx context.Context, m Member, origin, reason string, refused error) error {
	_, err := s.countFailure(ctx, memberFailures(ctx, m, origin), reason, refused)
	return err
}

// codeFailure counts a wrong code like recordFailure, and says how many
// tries are left and how long the next must wait.
func (s *Service) codeFailure(ctx context.Context, m Member, origin, reason string, recovery bool) error {
	refusal := &CodeRefusal{Recovery: recovery}
	c, err := s.countFailure(ctx, memberFailures(ctx, m, origin), reason, refusal)
	if err != refusal {
		return err
	}
	refusal.TriesLeft = lockAfter - c.FailedAttempts
	if !c.LockedUntil.IsZero() {
		refusal.Wait = c.LockedUntil.Sub(s.Now())
		refusal.LockedUntil = c.LockedUntil
	}
	return refusal
}

// failureCount is where a run of failed sign-ins is counted: a member's
// own counters, or those kept for an email no member has. about is the
// audit entry's target.
type failureCount struct {
	read  func(tx *sql.Tx) (db.Credentials, error)
	store func(tx *sql.Tx, n int, until, now time.Time) error
	actor Actor
	about change
}

// memberFailures counts a member's failed sign-ins in their own row.
func memberFailures(ctx context.Context, m Member, origin string) failureCount {
	return failureCount{
		read: func(tx *sql.Tx) (db.Credentials, error) { return db.GetCredentials(ctx, tx, m.ID) },
		store: func(tx *sql.Tx, n int, until, _ time.Time) error {
			return db.SetSignInFailures(ctx, tx, m.ID, n, until)
		},
		actor: signInActor(m.ID, m.Email, origin),
		about: change{TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID},
	}
}

// countFailure counts one failed attempt where fc keeps them, audits it
// (and the lock it may cause), and returns refused, the error for the
// caller, with the counters it stored. If another attempt locked the
// account while this one was being checked, the lock's error is returned
// instead and nothing is counted.
func (s *Service) countFailure(ctx context.Context, fc failureCount, reason string, refused error) (db.Credentials, error) {
	var stored db.Credentials
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		c, err := fc.read(tx)
		if err != nil {
			return err
		}
		if err := refusal(c, now); err != nil {
			refused = err
			return nil
		}
		n := c.FailedAttempts + 1
		var until time.Time
		if d := failureDelay(n); d > 0 {
			until = ceilSecond(now.Add(d))
		}
		if err := fc.store(tx, n, until, now); err != nil {
			return err
		}
		stored.FailedAttempts, stored.LockedUntil = n, until
		failure, locked := fc.about, fc.about
		failure.Action, failure.After = "auth.failure", map[string]any{"reason": reason, "failed_attempts": n}
		if err := s.audit(ctx, tx, fc.actor, now, failure); err != nil {
			return err
		}
		if n >= lockAfter {
			locked.Action, locked.After = "auth.locked", map[string]any{"failed_attempts": n, "locked_until": until.UTC().Format(time.RFC3339)}
			return s.audit(ctx, tx, fc.actor, now, locked)
		}
		return nil
	})
	if err != nil {
		return stored, fmt.Errorf("sign in: %w", err)
	}
	return stored, refused
}

// ceilSecond rounds up to a whole second: the lock is stored in seconds and
// must not come out shorter than intended.
func ceilSecond(t time.Time) time.Time {
	if t.Nanosecond() == 0 {
		return t
	}
	return t.Truncate(time.Second).Add(time.Second)
}

// passwordAccepted decides what follows a correct password: refusal for inactive members, a code, an enrolment, or a completed
// sign-in.
func (s *Service) passwordAccepted(ctx context.Context, m Member, origin string) (SignInResult, error) {
	res := SignInResult{Member: m}
	if m.Status != "active" {
		if err := s.auditRefusal(ctx, m, origin, "member is "+m.Status); err != nil {
			return res, err
		}
		return SignInResult{}, inactiveError(m)
	}
	if l, err := s.memberLock(ctx, m, KeyOf(origin)); err != nil {
		return SignInResult{}, fmt.Errorf("sign in: %w", err)
	} else if l != nil {
		return SignInResult{}, s.refuseLocked(ctx, m, origin, *l)
	}
	org, err := s.Org(ctx)
	if err != nil {
		return SignInResult{}, fmt.Errorf("sign in: %w", err)
	}
	switch {
	case m.TOTPEnabled:
		res.NeedCode = true
		return res, nil
	case org.Require2FA:
		res.NeedEnrol = true
	}
	if err := s.completeSignIn(ctx, m, origin, "auth.sign-in", map[string]any{"method": "password", "needs_2fa_enrolment": res.NeedEnrol}); err != nil {
		return SignInResult{}, err
	}
	return res, nil
}

func inactiveError(m Member) error {
	if m.Status == "deactivated" {
		return fmt.Errorf("%w: this account is deactivated; ask an Admin to reactivate it", ErrDenied)
	}
	return fmt.Errorf("%w: this account is %s and cannot sign in", ErrDenied, m.Status)
}

// auditRefusal records a refused sign-in that is not a guess (so it does
// not count toward the lockout).
func (s *Service) auditRefusal(ctx context.Context, m Member, origin, reason string) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, signInActor(m.ID, m.Email, origin), s.Now(), change{Action: "auth.failure", TargetKind: "staff",
			TargetID: m.ID, Target: m.Email, StaffID: m.ID, After: map[string]any{"reason": reason}})
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	return nil
}

// completeSignIn resets the failure counter, records activity and audits
// the sign-in, in one transaction. It re-checks the lock: a lock set by a
// concurrent failed attempt wins over a success checked just before it.
func (s *Service) completeSignIn(ctx context.Context, m Member, origin, action string, after map[string]any) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		c, err := db.GetCredentials(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if err := refusal(c, now); err != nil {
			return err
		}
		return s.signedIn(ctx, tx, m, origin, now, action, after)
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	return nil
}

func (s *Service) signedIn(ctx context.Context, tx *sql.Tx, m Member, origin string, now time.Time, action string, after map[string]any) error {
	if err := db.SetSignInFailures(ctx, tx, m.ID, 0, time.Time{}); err != nil {
		return err
	}
	if err := db.TouchLastActive(ctx, tx, m.ID, now); err != nil {
		return err
	}
	return s.audit(ctx, tx, signInActor(m.ID, m.Email, origin), now, change{Action: action, TargetKind: "staff",
		TargetID: m.ID, Target: m.Email, StaffID: m.ID, After: after})
}

// VerifyCode accepts a 6-digit TOTP code (RFC 6238, 30 s steps, one step of
// clock skew either way) or an unused recovery code, as the second step of
// a sign-in. A time step is accepted once. Failures count toward the same
// lockout as passwords.
func (s *Service) VerifyCode(ctx context.Context, staffID int64, code, origin string) error {
	m, err := db.GetMember(ctx, s.db.Read(), staffID)
	if err != nil {
		return notFound(err, "no staff member %d", staffID)
	}
	if m.Status != "active" {
		if err := s.auditRefusal(ctx, m, origin, "member is "+m.Status); err != nil {
			return err
		}
		return inactiveError(m)
	}
	if l, err := s.memberLock(ctx, m, KeyOf(origin)); err != nil {
		return fmt.Errorf("verify code: %w", err)
	} else if l != nil {
		return s.refuseLocked(ctx, m, origin, *l)
	}
	creds, err := db.GetCredentials(ctx, s.db.Read(), m.ID)
	if err != nil {
		return fmt.Errorf("verify code: %w", err)
	}
	if !creds.TOTPEnabled {
		return fmt.Errorf("%w: %s has no two-factor authentication to check", ErrRule, m.Email)
	}
	if err := refusal(creds, s.Now()); err != nil {
		return err
	}
	code = normalizeCode(code)
	if code == "" {
		return fmt.Errorf("%w: enter the 6-digit code from your authenticator app, or a recovery code", ErrInvalid)
	}
	if isTOTPShaped(code) {
		return s.verifyTOTP(ctx, m, creds.TOTPSecret, code, origin)
	}
	return s.verifyRecoveryCode(ctx, m, code, origin)
}

func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

func isTOTPShaped(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// spendCode is how a second-factor code that matched is spent: in one
// write transaction the member's credentials are read again and a lock
// taken meanwhile (by guesses in another session) refuses it, before spend
// marks the code used and signs the member in.
func (s *Service) spendCode(ctx context.Context, m Member, spend func(tx *sql.Tx, now time.Time) error) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		c, err := db.GetCredentials(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if err := refusal(c, now); err != nil {
			return err
		}
		return spend(tx, now)
	})
	if err != nil {
		return fmt.Errorf("verify code: %w", err)
	}
	return nil
}

func (s *Service) verifyTOTP(ctx context.Context, m Member, secret, code, origin string) error {
	step, ok := matchTOTP(secret, code, s.Now())
	if !ok {
		return s.codeFailure(ctx, m, origin, "wrong code", false)
	}
	used := false
	err := s.spendCode(ctx, m, func(tx *sql.Tx, now time.Time) error {
		fresh, err := db.UseTOTPStep(ctx, tx, m.ID, step)
		if err != nil {
			return err
		}
		if !fresh {
			used = true
			return nil
		}
		return s.signedIn(ctx, tx, m, origin, now, "auth.sign-in", map[string]any{"method": "totp"})
	})
	if err != nil {
		return err
	}
	if used {
		// Not a guess: audited, but not counted (see CodeRefusal).
		if err := s.auditRefusal(ctx, m, origin, "code already used"); err != nil {
			return err
		}
		last, err := db.GetCredentials(ctx, s.db.Read(), m.ID)
		if err != nil {
			return fmt.Errorf("verify code: %w", err)
		}
		return &CodeRefusal{Reused: true, NextCodeIn: nextCodeIn(last.TOTPLastStep, s.Now())}
	}
	return nil
}

// nextCodeIn is how long until an authenticator shows a code whose time
// step is after lastStep, the newest one spent.
func nextCodeIn(lastStep int64, now time.Time) time.Duration {
	next := time.Unix((lastStep+1)*totpPeriod, 0)
	return max(next.Sub(now), time.Second)
}

func (s *Service) verifyRecoveryCode(ctx context.Context, m Member, code, origin string) error {
	want := hashToken(code)
	left := 0
	matched := false
	err := s.spendCode(ctx, m, func(tx *sql.Tx, now time.Time) error {
		codes, err := db.UnusedRecoveryCodes(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		var hit int64
		for _, rc := range codes {
			if subtle.ConstantTimeCompare([]byte(rc.Hash), []byte(want)) == 1 {
				hit = rc.ID
			}
		}
		if hit == 0 {
			return nil
		}
		if ok, err := db.UseRecoveryCode(ctx, tx, hit, now); err != nil || !ok {
			return err
		}
		matched, left = true, len(codes)-1
		return s.signedIn(ctx, tx, m, origin, now, "auth.recovery-code", map[string]any{"method": "recovery code", "recovery_codes_left": left})
	})
	if err != nil {
		return err
	}
	if !matched {
		return s.codeFailure(ctx, m, origin, "wrong recovery code", true)
	}
	return nil
}

// totpOpts are the RFC 6238 defaults every authenticator app uses.
var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

const totpPeriod = 30

// matchTOTP finds the time step (now, one before, or one after) whose code
// is code, so that the step can be spent.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// TOTPCode is the code of secret at t (for tests and the demo).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCode(secret, t)
}

// MemberBySSHKey finds the member whose registered key has fingerprint: over
// SSH the key replaces the password. It refuses deactivated and locked
// members and says, as SignIn does, whether a code or an enrolment must
// follow. It writes nothing, since an SSH server asks about a key before
// its holder has proved possession; once the key is verified, call
// SSHSignIn (no code needed) or VerifyCode (code needed).
func (s *Service) MemberBySSHKey(ctx context.Context, fingerprint string) (Member, SignInResult, error) {
	k, err := db.SSHKeyByFingerprint(ctx, s.db.Read(), strings.TrimSpace(fingerprint))
	if errors.Is(err, db.ErrNotFound) {
		return Member{}, SignInResult{}, fmt.Errorf("%w: no staff member has registered this SSH key", ErrNotFound)
	}
	if err != nil {
		return Member{}, SignInResult{}, fmt.Errorf("ssh sign in: %w", err)
	}
	m, err := db.GetMember(ctx, s.db.Read(), k.StaffID)
	if err != nil {
		return Member{}, SignInResult{}, notFound(err, "no staff member %d", k.StaffID)
	}
	if m.Status != "active" {
		return Member{}, SignInResult{}, inactiveError(m)
	}
	creds, err := db.GetCredentials(ctx, s.db.Read(), m.ID)
	if err != nil {
		return Member{}, SignInResult{}, fmt.Errorf("ssh sign in: %w", err)
	}
	// A short slow-down guards guessing; a key is not a guess, so only the
	// 15-minute lock stops it. The code step still honours both.
	if now := s.Now(); hardLocked(creds, now) {
		return Member{}, SignInResult{}, refusal(creds, now)
	}
	// An incident lock on the member, their role or this key. The member
	// is returned with it: the refusal is audited (by SSHSignIn) once the
	// client has proved it holds the key.
	if l, err := s.memberLock(ctx, m, strings.TrimSpace(fingerprint)); err != nil {
		return Member{}, SignInResult{}, fmt.Errorf("ssh sign in: %w", err)
	} else if l != nil {
		return m, SignInResult{Member: m}, &LockedError{Who: m.Email, Lock: *l}
	}
	org, err := s.Org(ctx)
	if err != nil {
		return Member{}, SignInResult{}, fmt.Errorf("ssh sign in: %w", err)
	}
	res := SignInResult{Member: m, NeedCode: m.TOTPEnabled, NeedEnrol: !m.TOTPEnabled && org.Require2FA}
	return m, res, nil
}

// SSHSignIn is called once the SSH server has verified that the client
// holds the key: it records the key's use and, when no code is needed,
// completes and audits the sign-in. When MemberBySSHKey said NeedCode, the
// sign-in is completed (and audited) by VerifyCode.
func (s *Service) SSHSignIn(ctx context.Context, fingerprint, origin string) error {
	m, res, err := s.MemberBySSHKey(ctx, fingerprint)
	var locked *LockedError
	if errors.As(err, &locked) {
		if origin == "" {
			origin = "ssh " + strings.TrimSpace(fingerprint)
		}
		return s.refuseLocked(ctx, m, origin, locked.Lock)
	}
	if err != nil {
		return err
	}
	k, err := db.SSHKeyByFingerprint(ctx, s.db.Read(), strings.TrimSpace(fingerprint))
	if err != nil {
		return notFound(err, "no staff member has registered this SSH key")
	}
	if origin == "" {
		origin = "ssh " + k.Fingerprint
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		if err := db.TouchSSHKey(ctx, tx, k.ID, now); err != nil {
			return err
		}
		if res.NeedCode {
			// The code step audited the sign-in already.
			return nil
		}
		return s.signedIn(ctx, tx, m, origin, now, "auth.sign-in", map[string]any{"method": "ssh key", "fingerprint": k.Fingerprint, "needs_2fa_enrolment": res.NeedEnrol})
	})
	if err != nil {
		return fmt.Errorf("ssh sign in: %w", err)
	}
	return nil
}
