package model

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"gatehouse/db"
)

// argon2id parameters (RFC 9106's second recommended option, lighter on
// memory so that an SSH server signing many people in stays responsive).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	MinPassword  = 10
)

// testFastHash lowers the cost for tests only (set through
// SetFastHashForTests); it is never set in production.
var testFastHash bool

// SetFastHashForTests makes password hashing cheap. Tests of other packages
// call it, so it cannot live in a _test.go file; it refuses to run outside
// a test binary, so no production path can weaken hashing.
func SetFastHashForTests() {
	if !testing.Testing() {
		panic("model.SetFastHashForTests called outside a test")
	}
	testFastHash = true
}

// ErrBusy refuses work when the process already has as much of it queued
// as it takes: the caller tries again in a moment.
var ErrBusy = errors.New("the server is busy")

// hashGate bounds the password hashes that run at once in this process.
// Each argon2id hash takes argonMemory (64 MiB) and a core for a moment,
// so an SSH server asked for many at once (sign-ins, invitations redeemed,
// password changes) would otherwise grow by 64 MiB per request and starve
// every member's commands of CPU. Hashes beyond the slots wait in a
// bounded queue, in arrival order; beyond the queue they are refused with
// ErrBusy rather than held.
type hashGate struct {
	slots      chan struct{}
	maxWaiting int64
	waiting    atomic.Int64
	// running and peak count hashes in progress, and hashed every hash
	// made, for the tests that prove the bound and that nothing is hashed
	// before identity.
	running, peak, hashed atomic.Int64
}

func newHashGate(slots, maxWaiting int) *hashGate {
	return &hashGate{slots: make(chan struct{}, max(slots, 1)), maxWaiting: int64(maxWaiting)}
}

// HashSlots is how many password hashes run at once: one per core.
var HashSlots = runtime.NumCPU()

// maxHashQueue is how many hashes may wait for a slot.
const maxHashQueue = 64

var passwordHashes = newHashGate(HashSlots, maxHashQueue)

// do runs fn in a slot, waiting in the queue for one while ctx allows.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	if g.waiting.Add(1) > g.maxWaiting+int64(cap(g.slots)) {
		g.waiting.Add(-1)
		return fmt.Errorf("%w: too many passwords are being checked at once; try again in a moment", ErrBusy)
	}
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		g.waiting.Add(-1)
		return ctx.Err()
	}
	n := g.running.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	defer func() {
		g.running.Add(-1)
		<-g.slots
		g.waiting.Add(-1)
	}()
	g.hashed.Add(1)
	fn()
	return nil
}

// HashPassword hashes a password with argon2id and a random salt, in the
// PHC string format.
func HashPassword(pw string) (string, error) {
	return hashPassword(context.Background(), pw)
}

// hashPassword is HashPassword in one of the process's hashing slots.
func hashPassword(ctx context.Context, pw string) (string, error) {
	var out string
	var herr error
	if err := passwordHashes.do(ctx, func() { out, herr = hashPasswordNow(pw) }); err != nil {
		return "", err
	}
	return out, herr
}

func hashPasswordNow(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	t, m := uint32(argonTime), uint32(argonMemory)
	if testFastHash {
		t, m = 1, 1024
	}
	key := argon2.IDKey([]byte(pw), salt, t, m, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// checkPassword compares a password with a stored hash in constant time,
// in one of the process's hashing slots; it fails only when no slot could
// be had.
func checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	var ok bool
	err := passwordHashes.do(ctx, func() { ok = checkPasswordNow(hash, pw) })
	return ok, err
}

// passwordReentered checks the password a member acting re-entered to
// confirm a grave change (transferring ownership, deleting the
// organisation), against their credentials as the transaction reads them.
// Only a member has a password: for any other actor (the operating-system
// user at the machine, a connection) it is true, as the engine decides
// whether they may act at all.
func passwordReentered(ctx context.Context, tx *sql.Tx, a Actor, password string) (bool, error) {
	if a.Kind != KindMember {
		return true, nil
	}
	cred, err := db.GetCredentials(ctx, tx, a.StaffID)
	if err != nil {
		return false, err
	}
	return checkPassword(ctx, cred.PasswordHash, password)
}

func checkPasswordNow(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		// Burn comparable time so that unknown emails are not told apart
		// from wrong passwords by timing.
		argon2.IDKey([]byte(pw), []byte("gatehouse-dummy!"), 1, 1024, 1, argonKeyLen)
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPasswordStrength refuses passwords too weak to protect a firm.
func CheckPasswordStrength(pw string) error {
	if utf8.RuneCountInString(pw) < MinPassword {
		return fmt.Errorf("%w: the password needs at least %d characters", ErrInvalid, MinPassword)
	}
	if len(pw) > 1024 {
		return fmt.Errorf("%w: the password is longer than 1024 bytes", ErrInvalid)
	}
	return nil
}

// newSecret returns a random code of n bytes, base32 without padding, in
// groups for reading aloud.
func newSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// hashToken hashes a high-entropy secret (invitation code, API token,
// recovery code) for storage; these need no slow hash since they are random.
func hashToken(tok string) string {
	tok = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tok), "-", ""))
	sum := sha256.Sum256([]byte("gatehouse:" + tok))
	return hex.EncodeToString(sum[:])
}
