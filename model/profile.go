package model

import (
	"context"
	"crypto/rsa"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/ssh"

	"gatehouse/db"
)

// RecoveryCodeCount is how many recovery codes a member holds after
// enrolling or regenerating.
const RecoveryCodeCount = 10

// maxKeyComment bounds the comment kept with an SSH key.
const maxKeyComment = 100

// requireSelf lets only an active member act on their own profile: a
// connection acts for its creator but never changes their secrets.
// ErrWrongPassword is a current password that is not right: a failed
// check, not a mistake in how something was asked.
var ErrWrongPassword = errors.New("the current password is not right")

func requireSelf(a Actor, what string) error {
	if d, ok := principalGate(a); !ok {
		return &DeniedError{Decision: d}
	}
	if a.Kind != KindMember {
		return &DeniedError{Decision: deny("only a signed-in member can %s, for themselves", what)}
	}
	return nil
}

// requireSelfOrUpdate loads member staffID and lets the actor through if it
// is that member, or may update that member's record.
func requireSelfOrUpdate(ctx context.Context, tx *sql.Tx, a Actor, staffID int64) (Member, error) {
	m, sf, err := memberTarget(ctx, tx, staffID)
	if err != nil {
		return m, err
	}
	if a.Kind == KindMember && a.StaffID == staffID {
		if d, ok := principalGate(a); !ok {
			return m, &DeniedError{Decision: d}
		}
		return m, nil
	}
	return m, require(a, ActUpdate, Target{Module: ModuleStaff, Staff: sf})
}

func staffChange(action string, m Member, before, after any) change {
	return change{Action: action, TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID, Before: before, After: after}
}

// TOTPEnrolment is a secret offered to a member, not yet confirmed.
type TOTPEnrolment struct {
	Secret  string // base32, shown as text for typing into an app
	URL     string // otpauth:// URL for the QR code
	Issuer  string
	Account string
}

// BeginTOTP makes a new secret for the member to add to an authenticator
// app. Nothing is stored: the secret takes effect only when ConfirmTOTP
// sees a code made from it.
func (s *Service) BeginTOTP(ctx context.Context, p Principal) (TOTPEnrolment, error) {
	if err := refuseLens(p); err != nil {
		return TOTPEnrolment{}, err
	}
	a, err := loadActorAt(ctx, s.db.Read(), p, s.Now())
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if err := requireSelf(a, "set up two-factor authentication"); err != nil {
		return TOTPEnrolment{}, err
	}
	m, err := db.GetMember(ctx, s.db.Read(), a.StaffID)
	if err != nil {
		return TOTPEnrolment{}, notFound(err, "no staff member %d", a.StaffID)
	}
	if m.TOTPEnabled {
		return TOTPEnrolment{}, fmt.Errorf("%w: two-factor authentication is already on; reset it first to use a new app", ErrRule)
	}
	org, err := s.Org(ctx)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	// A colon separates issuer from account in the otpauth label.
	issuer := "Gatehouse (" + strings.ReplaceAll(org.Name, ":", "-") + ")"
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: m.Email})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("make two-factor secret: %w", err)
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL(), Issuer: issuer, Account: m.Email}, nil
}

// cleanTOTPSecret normalises a base32 secret and refuses one too short to
// be safe (RFC 4226 asks for at least 128 bits).
func cleanTOTPSecret(secret string) (string, error) {
	secret = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(secret), " ", ""))
	secret = strings.TrimRight(secret, "=")
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(b) < 16 {
		return "", fmt.Errorf("%w: that is not a two-factor secret made by Gatehouse", ErrInvalid)
	}
	return secret, nil
}

// ConfirmTOTP turns two-factor authentication on once the member shows a
// code made from secret, and returns their recovery codes (shown once; only
// their hashes are kept). The confirming code is spent: it cannot also be
// used to sign in.
func (s *Service) ConfirmTOTP(ctx context.Context, p Principal, secret, code string) ([]string, error) {
	secret, err := cleanTOTPSecret(secret)
	if err != nil {
		return nil, err
	}
	step, ok := matchTOTP(secret, normalizeCode(code), s.Now())
	if !ok {
		return nil, ErrBadCode
	}
	codes := newRecoveryCodes()
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := requireSelf(a, "set up two-factor authentication"); err != nil {
			return nil, err
		}
		m, err := db.GetMember(ctx, tx, a.StaffID)
		if err != nil {
			return nil, notFound(err, "no staff member %d", a.StaffID)
		}
		if m.TOTPEnabled {
			return nil, fmt.Errorf("%w: two-factor authentication is already on", ErrRule)
		}
		if err := db.SetTOTP(ctx, tx, m.ID, secret, true); err != nil {
			return nil, err
		}
		if _, err := db.UseTOTPStep(ctx, tx, m.ID, step); err != nil {
			return nil, err
		}
		if err := db.ReplaceRecoveryCodes(ctx, tx, m.ID, hashAll(codes)); err != nil {
			return nil, err
		}
		return []change{staffChange("profile.2fa-enrol", m, map[string]any{"2fa": "off"}, map[string]any{"2fa": "on", "recovery_codes": len(codes)})}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("turn on two-factor authentication: %w", err)
	}
	return codes, nil
}

// ResetTOTP turns a member's two-factor authentication off and drops their
// recovery codes: the member themselves, or someone who may update them
// (for a member who lost their phone). If the organisation requires 2FA,
// the member enrols again at their next sign-in.
func (s *Service) ResetTOTP(ctx context.Context, p Principal, staffID int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireSelfOrUpdate(ctx, tx, a, staffID)
		if err != nil {
			return nil, err
		}
		creds, err := db.GetCredentials(ctx, tx, m.ID)
		if err != nil {
			return nil, err
		}
		if !creds.TOTPEnabled && creds.TOTPSecret == "" {
			return nil, fmt.Errorf("%w: %s has no two-factor authentication to reset", ErrRule, m.Email)
		}
		if err := db.SetTOTP(ctx, tx, m.ID, "", false); err != nil {
			return nil, err
		}
		if err := db.ReplaceRecoveryCodes(ctx, tx, m.ID, nil); err != nil {
			return nil, err
		}
		return []change{staffChange("profile.2fa-reset", m, map[string]any{"2fa": "on"}, map[string]any{"2fa": "off"})}, nil
	})
	if err != nil {
		return fmt.Errorf("reset two-factor authentication: %w", err)
	}
	return nil
}

// RegenerateRecoveryCodes replaces the member's recovery codes with new
// ones; the old ones stop working at once.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p Principal) ([]string, error) {
	codes := newRecoveryCodes()
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := requireSelf(a, "make recovery codes"); err != nil {
			return nil, err
		}
		m, err := db.GetMember(ctx, tx, a.StaffID)
		if err != nil {
			return nil, notFound(err, "no staff member %d", a.StaffID)
		}
		if !m.TOTPEnabled {
			return nil, fmt.Errorf("%w: recovery codes need two-factor authentication; turn it on first", ErrRule)
		}
		if err := db.ReplaceRecoveryCodes(ctx, tx, m.ID, hashAll(codes)); err != nil {
			return nil, err
		}
		return []change{staffChange("profile.recovery-codes", m, nil, map[string]any{"recovery_codes": len(codes)})}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("make recovery codes: %w", err)
	}
	return codes, nil
}

// RecoveryCodesLeft counts the member's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, p Principal) (int, error) {
	a, err := loadActorAt(ctx, s.db.Read(), p, s.Now())
	if err != nil {
		return 0, err
	}
	if err := requireSelf(a, "see recovery codes"); err != nil {
		return 0, err
	}
	codes, err := db.UnusedRecoveryCodes(ctx, s.db.Read(), a.StaffID)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return len(codes), nil
}

// newRecoveryCodes makes one-use codes like "abcd-efgh-ijkl" (60 random
// bits each, enough with the lockout in front of them).
func newRecoveryCodes() []string {
	out := make([]string, RecoveryCodeCount)
	for i := range out {
		c := newSecret(8)[:12]
		out[i] = c[:4] + "-" + c[4:8] + "-" + c[8:]
	}
	return out
}

func hashAll(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = hashToken(c)
	}
	return out
}

// ChangePassword replaces the member's own password; the current one must
// be given. A wrong current password counts toward the sign-in lockout, so
// an unattended open session cannot be used to guess it.
func (s *Service) ChangePassword(ctx context.Context, p Principal, oldPassword, newPassword string) error {
	// A wrong current password is counted outside write: a lens must not
	// lock the viewed member out.
	if err := refuseLens(p); err != nil {
		return err
	}
	a, err := loadActorAt(ctx, s.db.Read(), p, s.Now())
	if err != nil {
		return err
	}
	if err := requireSelf(a, "change a password"); err != nil {
		return err
	}
	if err := CheckPasswordStrength(newPassword); err != nil {
		return err
	}
	if oldPassword == newPassword {
		return fmt.Errorf("%w: the new password is the same as the current one", ErrRule)
	}
	m, err := db.GetMember(ctx, s.db.Read(), a.StaffID)
	if err != nil {
		return notFound(err, "no staff member %d", a.StaffID)
	}
	creds, err := db.GetCredentials(ctx, s.db.Read(), m.ID)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if err := refusal(creds, s.Now()); err != nil {
		return err
	}
	ok, err := checkPassword(ctx, creds.PasswordHash, oldPassword)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if creds.PasswordHash == "" || !ok {
		return s.recordFailure(ctx, m, p.Origin, "wrong current password", fmt.Errorf("%w: %w", ErrInvalid, ErrWrongPassword))
	}
	hash, err := hashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := requireSelf(a, "change a password"); err != nil {
			return nil, err
		}
		now, err := db.GetCredentials(ctx, tx, m.ID)
		if err != nil {
			return nil, err
		}
		if now.PasswordHash != creds.PasswordHash {
			return nil, fmt.Errorf("%w: the password was changed meanwhile; try again", ErrRule)
		}
		if err := db.SetPasswordHash(ctx, tx, m.ID, hash); err != nil {
			return nil, err
		}
		return []change{staffChange("profile.password", m, nil, map[string]any{"password": "changed"})}, nil
	})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return nil
}

// RenameSelf changes the member's own display name.
func (s *Service) RenameSelf(ctx context.Context, p Principal, name string) error {
	name, err := CleanName("name", name)
	if err != nil {
		return err
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := requireSelf(a, "change their name"); err != nil {
			return nil, err
		}
		m, err := db.GetMember(ctx, tx, a.StaffID)
		if err != nil {
			return nil, notFound(err, "no staff member %d", a.StaffID)
		}
		if m.Name == name {
			return nil, nil
		}
		if err := db.SetMemberName(ctx, tx, m.ID, name); err != nil {
			return nil, err
		}
		return []change{staffChange("profile.rename", m, map[string]any{"name": m.Name}, map[string]any{"name": name})}, nil
	})
	if err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	return nil
}

// ParsedSSHKey is a public key checked for registration.
type ParsedSSHKey struct {
	Key         ssh.PublicKey
	Fingerprint string // SHA256:…
	Line        string // "type base64", without comment
	Comment     string // sanitized
}

// ParseSSHKey checks one authorized_keys line (the contents of a .pub
// file) and says clearly what is wrong with anything else.
func ParseSSHKey(line string) (ParsedSSHKey, error) {
	line = strings.TrimSpace(line)
	const example = `paste one line like "ssh-ed25519 AAAA… you@laptop" (the contents of ~/.ssh/id_ed25519.pub)`
	switch {
	case line == "":
		return ParsedSSHKey{}, fmt.Errorf("%w: no key given; %s", ErrInvalid, example)
	case strings.Contains(line, "PRIVATE KEY"):
		return ParsedSSHKey{}, fmt.Errorf("%w: that is a private key, which must never leave your computer; paste the public key (the .pub file) instead", ErrInvalid)
	case strings.ContainsAny(line, "\r\n"):
		return ParsedSSHKey{}, fmt.Errorf("%w: add one key at a time, on one line", ErrInvalid)
	}
	pub, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return ParsedSSHKey{}, fmt.Errorf("%w: not an SSH public key; %s", ErrInvalid, example)
	}
	if err := checkKeyStrength(pub); err != nil {
		return ParsedSSHKey{}, err
	}
	return ParsedSSHKey{
		Key:         pub,
		Fingerprint: ssh.FingerprintSHA256(pub),
		Line:        strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
		Comment:     Sanitize(Truncate(strings.TrimSpace(comment), maxKeyComment)),
	}, nil
}

// checkKeyStrength refuses key types OpenSSH itself has retired.
func checkKeyStrength(pub ssh.PublicKey) error {
	if _, ok := pub.(*ssh.Certificate); ok {
		return fmt.Errorf("%w: SSH certificates are not accepted; paste the plain public key", ErrInvalid)
	}
	switch pub.Type() {
	case ssh.KeyAlgoDSA:
		return fmt.Errorf("%w: DSA keys are too weak; make an ed25519 key (ssh-keygen -t ed25519)", ErrInvalid)
	case ssh.KeyAlgoRSA:
		if ck, ok := pub.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < 2048 {
				return fmt.Errorf("%w: this RSA key has %d bits; at least 2048 are needed (or make an ed25519 key: ssh-keygen -t ed25519)", ErrInvalid, rk.N.BitLen())
			}
		}
	}
	return nil
}

// AddSSHKey registers a public key with which the member signs in over SSH
// instead of a password: the member themselves, or someone who may update
// them. A key belongs to one member only.
func (s *Service) AddSSHKey(ctx context.Context, p Principal, staffID int64, authorizedKeyLine string) (SSHKey, error) {
	pk, err := ParseSSHKey(authorizedKeyLine)
	if err != nil {
		return SSHKey{}, err
	}
	var k SSHKey
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireSelfOrUpdate(ctx, tx, a, staffID)
		if err != nil {
			return nil, err
		}
		if old, err := db.SSHKeyByFingerprint(ctx, tx, pk.Fingerprint); err == nil {
			if old.StaffID == m.ID {
				return nil, fmt.Errorf("%w: %s already has this key (%s)", ErrConflict, m.Email, pk.Fingerprint)
			}
			return nil, fmt.Errorf("%w: this key (%s) is registered to another staff member; each person needs their own key", ErrConflict, pk.Fingerprint)
		}
		k = SSHKey{StaffID: m.ID, Fingerprint: pk.Fingerprint, PublicKey: pk.Line, Comment: pk.Comment, CreatedAt: s.Now()}
		if k.ID, err = db.InsertSSHKey(ctx, tx, k); err != nil {
			if db.IsUnique(err) {
				return nil, fmt.Errorf("%w: this key (%s) is already registered", ErrConflict, pk.Fingerprint)
			}
			return nil, err
		}
		return []change{{Action: "profile.ssh-key-add", TargetKind: "ssh-key", TargetID: k.ID, Target: pk.Fingerprint, StaffID: m.ID,
			After: map[string]any{"member": m.Email, "type": pk.Key.Type(), "fingerprint": pk.Fingerprint, "comment": pk.Comment}}}, nil
	})
	if err != nil {
		return SSHKey{}, fmt.Errorf("add SSH key: %w", err)
	}
	return k, nil
}

// ListSSHKeys lists a member's keys: one's own, or those of a member the
// actor may see.
func (s *Service) ListSSHKeys(ctx context.Context, p Principal, staffID int64) ([]SSHKey, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if a.Kind != KindMember || a.StaffID != staffID {
		if _, err := s.GetMember(ctx, p, staffID); err != nil {
			return nil, err
		}
	}
	keys, err := db.ListSSHKeys(ctx, s.db.Read(), staffID)
	if err != nil {
		return nil, fmt.Errorf("list SSH keys: %w", err)
	}
	return keys, nil
}

// RemoveSSHKey unregisters one of a member's keys; SSH sign-ins with it
// stop at once.
func (s *Service) RemoveSSHKey(ctx context.Context, p Principal, staffID, keyID int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireSelfOrUpdate(ctx, tx, a, staffID)
		if err != nil {
			return nil, err
		}
		keys, err := db.ListSSHKeys(ctx, tx, m.ID)
		if err != nil {
			return nil, err
		}
		var k SSHKey
		for _, x := range keys {
			if x.ID == keyID {
				k = x
			}
		}
		if k.ID == 0 {
			return nil, fmt.Errorf("%w: %s has no SSH key %d", ErrNotFound, m.Email, keyID)
		}
		if err := db.DeleteSSHKey(ctx, tx, m.ID, k.ID); err != nil {
			return nil, err
		}
		return []change{{Action: "profile.ssh-key-remove", TargetKind: "ssh-key", TargetID: k.ID, Target: k.Fingerprint, StaffID: m.ID,
			Before: map[string]any{"member": m.Email, "fingerprint": k.Fingerprint, "comment": k.Comment}}}, nil
	})
	if err != nil {
		return fmt.Errorf("remove SSH key: %w", err)
	}
	return nil
}
