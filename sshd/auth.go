package sshd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// What an authenticated connection is, carried in its ssh.Permissions.
const (
	extKind   = "gatehouse-kind"
	extID     = "gatehouse-id"
	extFP     = "gatehouse-fingerprint"
	extOrigin = "gatehouse-origin"
	extKey    = "gatehouse-key" // authorized_keys line, for join

	kindMember     = "member"
	kindConnection = "connection"
	// kindUnknown is a key nobody registered: it may only redeem an
	// invitation (join CODE).
	kindUnknown = "unknown"
	// kindPending is a key not registered to a member, before its holder
	// has proved possession; it becomes a connection or unknown.
	kindPending = "pending"
)

// authTimeout bounds each model call made while signing in.
const authTimeout = 10 * time.Second

// identity is who a session acts as.
type identity struct {
	kind        string
	id          int64
	fingerprint string
	origin      string
	// authorizedKey is the key's authorized_keys line (set for unknown
	// keys, which join registers).
	authorizedKey string
}

func (id identity) key() string {
	if id.kind == kindUnknown {
		return kindUnknown + ":" + id.fingerprint
	}
	return id.kind + ":" + strconv.FormatInt(id.id, 10)
}

func (id identity) principal() model.Principal {
	switch id.kind {
	case kindMember:
		return model.Principal{Kind: model.KindMember, StaffID: id.id, Origin: id.origin}
	case kindConnection:
		return model.Principal{Kind: model.KindConnection, ConnectionID: id.id, Origin: id.origin}
	}
	return model.Principal{}
}

func (id identity) permissions() *gossh.Permissions {
	return &gossh.Permissions{Extensions: map[string]string{
		extKind: id.kind, extID: strconv.FormatInt(id.id, 10), extFP: id.fingerprint, extOrigin: id.origin,
		extKey: id.authorizedKey,
	}}
}

func identityOf(p *gossh.Permissions) (identity, bool) {
	if p == nil || p.Extensions == nil {
		return identity{}, false
	}
	e := p.Extensions
	id, err := strconv.ParseInt(e[extID], 10, 64)
	if err != nil {
		return identity{}, false
	}
	out := identity{kind: e[extKind], id: id, fingerprint: e[extFP], origin: e[extOrigin], authorizedKey: e[extKey]}
	switch out.kind {
	case kindMember, kindConnection, kindUnknown:
		return out, true
	}
	return identity{}, false
}

// Origin is how the audit log names an SSH session's source.
func Origin(fingerprint string, remote net.Addr) string {
	addr := "unknown address"
	if remote != nil {
		addr = remote.String()
	}
	return "ssh " + fingerprint + " from " + addr
}

// serverConfig is called for each new connection: it returns the
// authentication callbacks with that connection's own state.
//
// Only public keys are offered. A member's key leads either to success
// or, when they have 2FA, to partial success that asks for the code as
// keyboard-interactive; so plain "ssh host COMMAND" works with 2FA too.
// Passwords are never asked.
func (s *Server) serverConfig(ctx ssh.Context) *gossh.ServerConfig {
	ca := &connAuth{s: s, st: stateOf(ctx)}
	return &gossh.ServerConfig{
		// wish sets NoClientAuth when none of its own handlers is set;
		// this callback keeps the "none" method refused.
		NoClientAuthCallback: func(gossh.ConnMetadata) (*gossh.Permissions, error) {
			return nil, errors.New("public key required")
		},
		PublicKeyCallback:         ca.publicKey,
		VerifiedPublicKeyCallback: ca.verifiedKey,
		MaxAuthTries:              6,
	}
}

// connAuth is one connection's sign-in in progress.
type connAuth struct {
	s  *Server
	st *connState // the connection in the gate

	mu       sync.Mutex
	pending  *identity     // the member whose code is awaited
	pendingM *model.Member // and their record
}

func (ca *connAuth) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(ca.s.base, authTimeout)
}

// refuse logs a refusal and returns an error whose message the client is
// shown (as an authentication banner) before it tries its next key.
func (ca *connAuth) refuse(conn gossh.ConnMetadata, fp, reason string, err error) error {
	ca.s.log.Warn("refused", "remote", conn.RemoteAddr().String(), "user", conn.User(), "fingerprint", fp, "reason", reason)
	msg := "Gatehouse: " + model.Sanitize(reason) + "\r\n"
	if err == nil {
		err = errors.New(reason)
	}
	return &gossh.BannerError{Err: err, Message: msg}
}

// publicKey answers whether a key may be used, before its holder has
// proved possession: it writes nothing.
func (ca *connAuth) publicKey(conn gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
	fp := gossh.FingerprintSHA256(key)
	ctx, cancel := ca.ctx()
	defer cancel()
	m, _, err := ca.s.svc.MemberBySSHKey(ctx, fp)
	switch {
	case err == nil:
		return identity{kind: kindMember, id: m.ID, fingerprint: fp}.permissions(), nil
	case errors.Is(err, model.ErrNotFound):
		// Perhaps a connection's key, perhaps a newcomer's with an
		// invitation code: decided once possession is proved.
		return identity{kind: kindPending, fingerprint: fp}.permissions(), nil
	}
	return nil, ca.refuse(conn, fp, reasonOf(err), err)
}

// verifiedKey runs once the client has signed with the key.
func (ca *connAuth) verifiedKey(conn gossh.ConnMetadata, key gossh.PublicKey, perms *gossh.Permissions, _ string) (*gossh.Permissions, error) {
	fp := gossh.FingerprintSHA256(key)
	origin := Origin(fp, conn.RemoteAddr())
	kind := ""
	if perms != nil {
		kind = perms.Extensions[extKind]
	}
	ctx, cancel := ca.ctx()
	defer cancel()
	if kind == kindMember {
		return ca.memberKey(ctx, conn, fp, origin)
	}
	p, err := ca.s.svc.ConnectionBySSHKey(ctx, fp)
	var denied *model.DeniedError
	switch {
	case err == nil:
		id := identity{kind: kindConnection, id: p.ConnectionID, fingerprint: fp, origin: origin}
		ca.s.log.Info("signed in", "remote", conn.RemoteAddr().String(), "connection", p.Label, "fingerprint", fp)
		ca.st.signedIn()
		return id.permissions(), nil
	case errors.As(err, &denied):
		return nil, ca.refuse(conn, fp, denied.Decision.Reason, err)
	case errors.Is(err, model.ErrDenied):
		if err := ca.st.unknownKey(ca.s.cfg.UnknownKeyTimeout); err != nil {
			return nil, ca.refuse(conn, fp, "this key is not registered to any staff member, and "+err.Error(), nil)
		}
		ca.s.log.Info("unknown key: may only join", "remote", conn.RemoteAddr().String(), "fingerprint", fp)
		line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key)))
		return identity{kind: kindUnknown, fingerprint: fp, origin: origin, authorizedKey: line}.permissions(), nil
	}
	ca.s.log.Error("sign-in failed", "remote", conn.RemoteAddr().String(), "fingerprint", fp, "err", err)
	return nil, ca.refuse(conn, fp, "the server could not check this key; try again", err)
}

// memberKey completes a member's key step: done, or the code next.
func (ca *connAuth) memberKey(ctx context.Context, conn gossh.ConnMetadata, fp, origin string) (*gossh.Permissions, error) {
	m, res, err := ca.s.svc.MemberBySSHKey(ctx, fp)
	if err != nil {
		return nil, ca.refuse(conn, fp, reasonOf(err), err)
	}
	id := identity{kind: kindMember, id: m.ID, fingerprint: fp, origin: origin}
	switch {
	case res.NeedEnrol:
		return nil, ca.refuse(conn, fp, fmt.Sprintf("%s: the organisation requires two-factor authentication and you have not set it up; enrol first in the terminal app (run gatehouse locally, or Profile → Two-factor authentication), then connect again", m.Email), nil)
	case res.NeedCode:
		ca.mu.Lock()
		ca.pending, ca.pendingM = &id, &m
		ca.mu.Unlock()
		ca.s.log.Info("key accepted; asking for the code", "remote", conn.RemoteAddr().String(), "member", m.Email, "fingerprint", fp)
		return nil, &gossh.PartialSuccessError{Next: gossh.ServerAuthCallbacks{KeyboardInteractiveCallback: ca.code}}
	}
	if err := ca.s.svc.SSHSignIn(ctx, fp, origin); err != nil {
		return nil, ca.refuse(conn, fp, reasonOf(err), err)
	}
	ca.s.log.Info("signed in", "remote", conn.RemoteAddr().String(), "member", m.Email, "fingerprint", fp)
	ca.st.signedIn()
	return id.permissions(), nil
}

// maxCodePrompts bounds how often one connection is asked for a code.
const maxCodePrompts = 3

// code asks the member's TOTP code (or a recovery code) as
// keyboard-interactive, after their key was verified. A refused code is
// asked again on the same connection, with the reason as the prompt's
// instruction (a code already used and when the next comes; how many
// tries are left before the lock), since OpenSSH shows nothing else of a
// failed keyboard-interactive step than "Permission denied".
func (ca *connAuth) code(conn gossh.ConnMetadata, challenge gossh.KeyboardInteractiveChallenge) (*gossh.Permissions, error) {
	ca.mu.Lock()
	id, m := ca.pending, ca.pendingM
	ca.mu.Unlock()
	if id == nil || m == nil {
		return nil, errors.New("no key verified on this connection")
	}
	who := "Two-factor authentication for " + model.Sanitize(m.Email)
	instruction := who
	var last error
	for range maxCodePrompts {
		answers, err := challenge("Gatehouse", instruction, []string{"Code (6 digits, or a recovery code): "}, []bool{false})
		if err != nil {
			return nil, err
		}
		if len(answers) != 1 {
			return nil, ca.refuse(conn, id.fingerprint, "expected one code", nil)
		}
		ctx, cancel := ca.ctx()
		err = ca.s.svc.VerifyCode(ctx, m.ID, answers[0], id.origin)
		if err == nil {
			// Records the key's use; the code step audited the sign-in.
			err = ca.s.svc.SSHSignIn(ctx, id.fingerprint, id.origin)
			cancel()
			if err != nil {
				return nil, ca.refuse(conn, id.fingerprint, reasonOf(err), err)
			}
			ca.s.log.Info("signed in", "remote", conn.RemoteAddr().String(), "member", m.Email, "fingerprint", id.fingerprint, "method", "key and code")
			ca.st.signedIn()
			return id.permissions(), nil
		}
		cancel()
		last = err
		ca.s.log.Warn("code refused", "remote", conn.RemoteAddr().String(), "member", m.Email, "reason", err.Error())
		if !askAgain(err) {
			break
		}
		// OpenSSH shows non-ASCII in an instruction as octal escapes.
		reason := strings.ReplaceAll(model.Sanitize(reasonOf(err)), "—", "-")
		instruction = "Gatehouse: " + reason + ".\r\n" + who
	}
	return nil, ca.refuse(conn, id.fingerprint, reasonOf(last), last)
}

// askAgain reports whether a refused code leaves room for another on the
// same connection: a code already used, a wrong one before the lock, a
// slow-down, a mistyped code.
func askAgain(err error) bool {
	var refusal *model.CodeRefusal
	if errors.As(err, &refusal) {
		return refusal.Reused || refusal.TriesLeft > 0
	}
	return errors.Is(err, model.ErrSlowDown) || errors.Is(err, model.ErrInvalid)
}

// reasonOf is the part of a model error a person needs to read.
func reasonOf(err error) string {
	var denied *model.DeniedError
	if errors.As(err, &denied) {
		return denied.Decision.Reason
	}
	msg := err.Error()
	for _, prefix := range []string{"ssh sign in: ", "sign in: ", "verify code: ", "not allowed: ", "not found: ", "not possible: ", "invalid input: "} {
		msg = strings.ReplaceAll(msg, prefix, "")
	}
	return msg
}
