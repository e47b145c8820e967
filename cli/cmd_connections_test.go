package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// A connection made on the command line: its token, printed once, acts
// within its scope; switched off, the token is refused at once; switched
// on, it works again. Each switch is audited.
func TestConnectionsCommands(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	r := runCLI(t, "connections", "create", "Nightly report", "--allow", "clients.view:all,audit.view:all", "--json", "--db", db)
	wantCode(t, r, 0)
	var c actionResult
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || !strings.HasPrefix(c.Token, "ghc_") || c.Command != "connections create" ||
		len(c.IDs["connection"]) != 1 || !slices.Equal(auditActions(t, db, c.IDs["audit"]), []string{"connection.create"}) {
		t.Fatalf("connections create --json: %v\n%s", err, r.stdout)
	}
	wantAudit(t, db, "connection.create", "Nightly report")
	if strings.Contains(snapshotAudit(t, db), c.Token) {
		t.Fatal("the token is in the audit log")
	}
	token := []string{"GATEHOUSE_TOKEN=" + c.Token}
	wantCode(t, runCLIWithEnv(t, token, "clients", "list", "--db", db), 0)
	// Beyond its scope: refused.
	if r := runCLIWithEnv(t, token, "staff", "list", "--db", db); r.code != 1 || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("the connection listed staff: %+v", r)
	}

	r = runCLI(t, "connections", "off", "nightly REPORT", "--db", db)
	wantCode(t, r, 0)
	wantAudit(t, db, "connection.disable", "Nightly report")
	if r := runCLIWithEnv(t, token, "clients", "list", "--db", db); r.code == 0 {
		t.Errorf("a connection switched off still works: %+v", r)
	}
	before := snapshot(t, db)
	if r := runCLI(t, "connections", "off", "Nightly report", "--db", db); r.code != 1 || !strings.Contains(r.stderr, "already off") || snapshot(t, db) != before {
		t.Errorf("switching off twice: %+v", r)
	}
	r = runCLI(t, "connections", "on", "1", "--db", db)
	wantCode(t, r, 0)
	wantAudit(t, db, "connection.enable", "Nightly report")
	wantCode(t, runCLIWithEnv(t, token, "clients", "list", "--db", db), 0)

	r = runCLI(t, "connections", "list", "--json", "--db", db)
	var cs []connectionJSON
	if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil || len(cs) != 1 || cs[0].Token != "" || cs[0].Creator != "Olivia Hart" ||
		cs[0].ID != c.IDs["connection"][0] || cs[0].Kind != "api" || len(cs[0].Permissions) != 2 {
		t.Errorf("connections list --json: %v\n%s", err, r.stdout)
	}

	// An ssh connection: its key, no token.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	r = runCLI(t, "connections", "create", "Sync", "--kind", "ssh", "--ssh-key", line, "--allow", "clients.view:own", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "no token") || strings.Contains(r.stdout, "ghc_") {
		t.Errorf("an ssh connection:\n%s", r.stdout)
	}
}

func snapshotAudit(t *testing.T, path string) string {
	t.Helper()
	var s string
	sqlDB(t, path).QueryRow(`SELECT group_concat(before || after, ' ') FROM audit_log`).Scan(&s)
	return s
}

// A connection never grants more than its maker holds, and one may switch
// off only the connections their role lets them change: refused over SSH
// with the engine's reason, nothing changed.
func TestConnectionsRefusedWithoutPermission(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	// An Admin holds every connections permission: Tom, a Manager, none.
	wantCode(t, d.run(d.member(marcus), "connections", "create", "Audit feed", "--allow", "audit.view:all"), 0)
	before := snapshot(t, d.path)
	for _, c := range []struct {
		who  string
		args []string
	}{
		{"tom.becker@northwind.example", []string{"connections", "create", "Mine", "--allow", "clients.view:department"}},
		{sara, []string{"connections", "off", "Audit feed"}},
		{sara, []string{"connections", "list"}},
		// Marcus holds no billing changes: a connection may not either.
		{marcus, []string{"connections", "create", "Payer", "--allow", "billing.update:all"}},
	} {
		r := d.run(d.member(c.who), c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, "not allowed") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s as %s: %+v", strings.Join(c.args, " "), c.who, r)
		}
	}
	if snapshot(t, d.path) != before {
		t.Fatal("refused connection commands changed the database")
	}
	wantCode(t, d.run(d.member(olivia), "connections", "off", "Audit feed"), 0)
	if actor, action, _ := lastAuditEntry(t, d.path); actor != olivia || action != "connection.disable" {
		t.Errorf("the switch made over SSH is audited as %s %s", actor, action)
	}
}

// Bad input: one line, nothing changed.
func TestConnectionsRefuseBadInput(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	wantCode(t, runCLI(t, "connections", "create", "Feed", "--allow", "audit.view:all", "--db", db), 0)
	before := snapshot(t, db)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"connections", "create", "X"}, 2, "give the connection's scope"},
		{[]string{"connections", "create", "X", "--allow", "clients.view"}, 2, "is not a permission"},
		{[]string{"connections", "create", "X", "--allow", "clients.view:own", "--kind", "robot"}, 2, "unknown connection kind"},
		{[]string{"connections", "create", "X", "--allow", "clients.view:own", "--ssh-key", "ssh-ed25519 AAAA"}, 2, "only ssh connections take a public key"},
		{[]string{"connections", "create", "X", "--allow", "clients.view:own", "--kind", "ssh", "--ssh-key", "-----BEGIN OPENSSH PRIVATE KEY-----"}, 2, "not an SSH public key"},
		{[]string{"connections", "create", "FEED", "--allow", "clients.view:own"}, 1, "already exists"},
		{[]string{"connections", "create", "X\x07", "--allow", "clients.view:own"}, 2, "control characters"},
		{[]string{"connections", "create", "X", "--allow", "clients.view:own", "--ssh-key", strings.Repeat("A", 9000)}, 2, "characters long; at most"},
		// A Cyrillic "е" in Fееd.
		{[]string{"connections", "off", "F\u0435\u0435d"}, 2, "no connection"},
		{[]string{"connections", "on", "Feed"}, 1, "already on"},
	} {
		r := runCLI(t, append(c.args, "--db", db)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%q: exit %d (want %d), stderr %q (want %q)", c.args, r.code, c.code, r.stderr, c.want)
		}
	}
	if snapshot(t, db) != before {
		t.Fatal("refused input changed the database")
	}
}

// Settings, the organisation's name and the payment method: set, shown,
// audited; the payment method is the Owner's alone, the settings an
// Admin's too.
func TestSettingsAndBillingCommands(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	r := d.run(d.member(marcus), "settings", "set", "--require-2fa", "yes", "--invite-ttl", "48h", "--idle-timeout", "2h")
	wantCode(t, r, 0)
	wantAudit(t, d.path, "settings.update", "Northwind Advisory")
	r = d.run(d.member(marcus), "settings", "show", "--json")
	var st settingsJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || !st.Require2FA || st.InviteTTL != "2d" || st.IdleTimeout != "2h" {
		t.Errorf("settings show --json: %v\n%s", err, r.stdout)
	}
	wantCode(t, d.run(d.member(marcus), "org", "rename", "Northwind LLP"), 0)
	wantAudit(t, d.path, "org.rename", "Northwind LLP")

	before := snapshot(t, d.path)
	for _, c := range []struct {
		who  string
		args []string
		code int
		want string
	}{
		{marcus, []string{"billing", "set-payment", "Visa ending 4242"}, 1, "not allowed"},
		{sara, []string{"settings", "set", "--require-2fa", "no"}, 1, "not allowed"},
		{sara, []string{"org", "rename", "Mine"}, 1, "not allowed"},
		{sara, []string{"billing", "show"}, 1, "not allowed"},
		{olivia, []string{"settings", "set", "--invite-ttl", "100d"}, 2, "out of range"},
		{olivia, []string{"settings", "set", "--idle-timeout", "90s"}, 2, "whole number of minutes"},
		{olivia, []string{"settings", "set", "--idle-timeout", "soon"}, 2, "is not a length"},
		{olivia, []string{"settings", "set", "--require-2fa", "maybe"}, 2, "yes or no"},
		{olivia, []string{"settings", "set", "--require-2fa", "yes"}, 1, "nothing changed"},
		{olivia, []string{"settings", "set"}, 2, "say what changes"},
		{olivia, []string{"org", "rename", "North\x1b[2Jwind"}, 2, "control characters"},
		{olivia, []string{"billing", "set-payment", "  "}, 2, "payment method is empty"},
	} {
		r := d.run(d.member(c.who), c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%q as %s: exit %d (want %d), stderr %q (want %q)", c.args, c.who, r.code, c.code, r.stderr, c.want)
		}
	}
	if snapshot(t, d.path) != before {
		t.Fatal("refused settings changed the database")
	}
	wantCode(t, d.run(d.member(olivia), "billing", "set-payment", "Visa ending 4242"), 0)
	wantAudit(t, d.path, "billing.payment-method", "Northwind LLP")
	r = d.run(d.member(marcus), "billing", "show", "--json")
	var b billingJSON
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil || b.PaymentMethod != "Visa ending 4242" || len(b.History) == 0 {
		t.Errorf("billing show --json: %v\n%s", err, r.stdout)
	}
}
