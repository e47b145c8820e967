package model

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// connectionKey returns a fresh authorized_keys line and its fingerprint.
func connectionKey(t *testing.T) (string, string) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))) + " ci@example", ssh.FingerprintSHA256(pk)
}

func TestConnectionTokenLifecycle(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	c, token, err := f.svc.CreateConnection(f.ctx, owner, "Payroll sync", "api", rolePermSpecs("staff.view:all", "clients.view:all"), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, TokenPrefix) || len(token) < 30 || !c.Enabled || c.CreatorID != f.owner.ID || len(c.Permissions) != 2 {
		t.Fatalf("connection = %+v, token %q", c, token)
	}
	e := f.lastAudit()
	_, after := auditBeforeAfter(t, e)
	if e.Action != "connection.create" || e.TargetID != c.ID || after["kind"] != "api" || after["creator"] != "owner@acme.test" {
		t.Fatalf("audit = %+v", e)
	}
	// The token is stored only as a hash, and never audited.
	var stored string
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, `SELECT token_hash FROM connections WHERE id = ?`, c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimPrefix(token, TokenPrefix)
	if stored == "" || strings.Contains(stored, secret) || stored != hashToken(token) {
		t.Fatalf("stored token = %q", stored)
	}
	var leaks int
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, `SELECT count(*) FROM audit_log WHERE before LIKE ? OR after LIKE ?`, "%"+secret+"%", "%"+secret+"%").Scan(&leaks); err != nil || leaks != 0 {
		t.Fatalf("token in audit log: %d, %v", leaks, err)
	}

	p, err := f.svc.AuthenticateToken(f.ctx, "  "+token+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindConnection || p.ConnectionID != c.ID || p.Label != "Payroll sync" || p.Origin != "api token" {
		t.Fatalf("principal = %+v", p)
	}
	if _, _, err := f.svc.ListStaff(f.ctx, p, MemberQuery{}); err != nil {
		t.Fatalf("connection lists staff: %v", err)
	}
	cs, err := f.svc.ListConnections(f.ctx, owner)
	if err != nil || len(cs) != 1 || cs[0].LastUsed.IsZero() {
		t.Fatalf("connections = %+v, %v", cs, err)
	}
	// Signing in again within the minute writes nothing.
	counter, _ := f.svc.ChangeCounter(f.ctx)
	if _, err := f.svc.AuthenticateToken(f.ctx, token); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.svc.ChangeCounter(f.ctx); again != counter {
		t.Fatalf("a second sign-in within the minute wrote %d change(s)", again-counter)
	}

	for _, bad := range []string{"", "ghc_", "ghc_" + strings.Repeat("a", 32), "not-a-token", token + "x"} {
		if _, err := f.svc.AuthenticateToken(f.ctx, bad); !errors.Is(err, ErrDenied) {
			t.Errorf("token %q: err = %v", bad, err)
		}
	}

	// Switching off is immediate, for new sign-ins and for a principal
	// already signed in.
	if err := f.svc.SetConnectionEnabled(f.ctx, owner, c.ID, false); err != nil {
		t.Fatal(err)
	}
	e = f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "connection.disable" || before["enabled"] != true || after["enabled"] != false {
		t.Fatalf("audit = %+v", e)
	}
	if _, err := f.svc.AuthenticateToken(f.ctx, token); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "switched off") {
		t.Fatalf("switched-off token err = %v", err)
	}
	if _, _, err := f.svc.ListStaff(f.ctx, p, MemberQuery{}); !errors.Is(err, ErrDenied) {
		t.Fatalf("open principal after switch-off err = %v", err)
	}
	if err := f.svc.SetConnectionEnabled(f.ctx, owner, c.ID, false); !errors.Is(err, ErrRule) {
		t.Fatalf("switching off twice err = %v", err)
	}
	if err := f.svc.SetConnectionEnabled(f.ctx, owner, c.ID, true); err != nil {
		t.Fatal(err)
	}
	if f.lastAudit().Action != "connection.enable" {
		t.Fatalf("audit = %+v", f.lastAudit())
	}
	if _, err := f.svc.AuthenticateToken(f.ctx, token); err != nil {
		t.Fatalf("switched back on: %v", err)
	}
}

func TestConnectionScopeNeverExceedsCreator(t *testing.T) {
	f := newFixture(t)
	f.createRole("Integrator", "connections.view:own", "connections.create:all", "connections.update:own", "staff.view:department")
	in := f.member("Ivy Integrator", "ivy@acme.test", "Integrator")
	n := f.auditCount()
	_, _, err := f.svc.CreateConnection(f.ctx, f.as(in), "Spy", "assistant", rolePermSpecs("clients.view:all"), "")
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "view clients at all scope") {
		t.Fatalf("beyond creator err = %v", err)
	}
	_, _, err = f.svc.CreateConnection(f.ctx, f.as(in), "Wide", "assistant", rolePermSpecs("staff.view:all"), "")
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "(you have department)") {
		t.Fatalf("wider scope err = %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("refused connections were audited")
	}
	c, _, err := f.svc.CreateConnection(f.ctx, f.as(in), "Helper", "assistant", rolePermSpecs("staff.view:department"), "")
	if err != nil {
		t.Fatal(err)
	}
	// Own scope: the integrator reviews only their own connections.
	if _, _, err := f.svc.CreateConnection(f.ctx, f.sys, "Owner's", "api", rolePermSpecs("staff.view:all"), ""); err != nil {
		t.Fatal(err)
	}
	cs, err := f.svc.ListConnections(f.ctx, f.as(in))
	if err != nil || len(cs) != 1 || cs[0].ID != c.ID {
		t.Fatalf("integrator's connections = %+v, %v", cs, err)
	}
	all, err := f.svc.ListConnections(f.ctx, f.as(f.owner))
	if err != nil || len(all) != 2 {
		t.Fatalf("owner's view = %+v, %v", all, err)
	}
	if err := f.svc.SetConnectionEnabled(f.ctx, f.as(in), all[1].ID, false); !errors.Is(err, ErrDenied) {
		t.Fatalf("switching off someone else's connection err = %v", err)
	}
	if _, _, err := f.svc.CreateConnection(f.ctx, f.as(in), "helper", "api", rolePermSpecs("staff.view:own"), ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate name err = %v", err)
	}

	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	if _, _, err := f.svc.CreateConnection(f.ctx, f.as(adv), "Mine", "api", rolePermSpecs("staff.view:all"), ""); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor create err = %v", err)
	}
	if _, err := f.svc.ListConnections(f.ctx, f.as(adv)); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor list err = %v", err)
	}
}

func TestConnectionShrinksWithItsCreator(t *testing.T) {
	f := newFixture(t)
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	_, token, err := f.svc.CreateConnection(f.ctx, f.as(admin), "Reports", "api", rolePermSpecs("staff.view:all", "clients.view:all", "clients.create:all"), "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.svc.AuthenticateToken(f.ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	actor := func() Actor {
		a, err := f.svc.Actor(f.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := actor(); a.Perms.Get(ModuleClients, VerbView) != ScopeAll || !Decide(a, ActCreate, Target{Module: ModuleClients}).Allowed {
		t.Fatalf("connection perms = %v", a.Perms)
	}
	if err := f.svc.SetRole(f.ctx, f.as(f.owner), admin.ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	a := actor()
	if a.Perms.Get(ModuleClients, VerbView) != ScopeOwn || a.Perms.Get(ModuleStaff, VerbView) != ScopeAll || Decide(a, ActCreate, Target{Module: ModuleClients}).Allowed {
		t.Fatalf("after demotion: perms %v", a.Perms)
	}
	if err := f.svc.Deactivate(f.ctx, f.as(f.owner), admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(f.ctx, token); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "deactivated") {
		t.Fatalf("token of a deactivated creator err = %v", err)
	}
}

func TestSSHConnection(t *testing.T) {
	f := newFixture(t)
	key, fp := connectionKey(t)
	c, token, err := f.svc.CreateConnection(f.ctx, f.sys, "Backup robot", "ssh", rolePermSpecs("audit.view:all"), key)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" || c.Fingerprint != fp || c.Kind != "ssh" || c.CreatorID != f.owner.ID {
		t.Fatalf("connection = %+v, token %q", c, token)
	}
	p, err := f.svc.ConnectionBySSHKey(f.ctx, fp)
	if err != nil || p.ConnectionID != c.ID || p.Kind != KindConnection {
		t.Fatalf("principal = %+v, %v", p, err)
	}
	if _, err := f.svc.ConnectionBySSHKey(f.ctx, "SHA256:unknown"); !errors.Is(err, ErrDenied) {
		t.Fatalf("unknown key err = %v", err)
	}
	if _, _, err := f.svc.CreateConnection(f.ctx, f.sys, "Same key", "ssh", rolePermSpecs("audit.view:all"), key); !errors.Is(err, ErrConflict) {
		t.Fatalf("reused key err = %v", err)
	}
	for _, c := range []struct{ kind, key string }{
		{"ssh", "ssh-ed25519 not-base64"},
		{"ssh", ""},
		{"api", key},
		{"webhook", ""},
	} {
		if _, _, err := f.svc.CreateConnection(f.ctx, f.sys, "Bad "+c.kind, c.kind, rolePermSpecs("audit.view:all"), c.key); !errors.Is(err, ErrInvalid) {
			t.Errorf("kind %s key %q: err = %v", c.kind, c.key, err)
		}
	}
	if _, _, err := f.svc.CreateConnection(f.ctx, f.sys, "Nothing", "api", nil, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no permissions err = %v", err)
	}
	if err := f.svc.SetConnectionEnabled(f.ctx, f.sys, c.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConnectionBySSHKey(f.ctx, fp); !errors.Is(err, ErrDenied) {
		t.Fatalf("switched-off key err = %v", err)
	}
}
