package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"gatehouse/model"
)

// TestConnectionTokenActsAsTheConnection: with --token or GATEHOUSE_TOKEN a
// command acts as the connection, within its scope, audited under its
// name; a switched-off or unknown token is refused at once.
func TestConnectionTokenActsAsTheConnection(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	ctx := context.Background()
	svc, err := model.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.MemberByEmail(ctx, model.System("test"), marcus)
	if err != nil {
		t.Fatal(err)
	}
	admin := model.MemberPrincipal(m, "test")
	view := func(module model.Module) model.Permission {
		return model.Permission{Module: module, Verb: model.VerbView, Scope: model.ScopeAll}
	}
	_, readOnly, err := svc.CreateConnection(ctx, admin, "Reporting bot", "api", []model.Permission{view(model.ModuleStaff), view(model.ModuleClients), view(model.ModuleAccounts)}, "")
	if err != nil {
		t.Fatal(err)
	}
	writer, writerToken, err := svc.CreateConnection(ctx, admin, "Offboarding bot", "api", []model.Permission{
		view(model.ModuleStaff), view(model.ModuleClients), view(model.ModuleAccounts),
		{Module: model.ModuleAccess, Verb: model.VerbUpdate, Scope: model.ScopeAll}, {Module: model.ModuleAccess, Verb: model.VerbDelete, Scope: model.ScopeAll}, {Module: model.ModuleAccess, Verb: model.VerbView, Scope: model.ScopeAll},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	svc.Close()

	// Reading works; changing is refused, and nothing changes.
	r := runCLI(t, "--db", path, "--token", readOnly, "access", "list", "--staff", sara)
	wantCode(t, r, 0)
	before := snapshot(t, path)
	r = runCLI(t, "access", "revoke", "--staff", sara, "--db", path, "--token", readOnly)
	if r.code != 1 || !strings.Contains(r.stderr, "not allowed") {
		t.Fatalf("read-only token revoked: %+v", r)
	}
	if snapshot(t, path) != before {
		t.Fatal("a refused token changed the database")
	}

	// The environment's token works the same, and the change is audited
	// as the connection.
	r = runCLIWithEnv(t, []string{"GATEHOUSE_TOKEN=" + writerToken}, "access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--db", path)
	wantCode(t, r, 0)
	r = runCLI(t, "audit", "list", "--json", "--limit", "1", "--db", path)
	var es []model.AuditEntry
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil || len(es) != 1 {
		t.Fatalf("audit list: %v\n%s", err, r.stdout)
	}
	if e := es[0]; e.ActorKind != model.KindConnection || e.ActorID != writer.ID || e.Actor != "Offboarding bot" || !strings.HasPrefix(e.Action, "access.") {
		t.Fatalf("revoke audited as %+v", e)
	}

	// Unknown and switched-off tokens are refused before anything runs.
	r = runCLI(t, "staff", "list", "--db", path, "--token", "not-a-token")
	if r.code == 0 || !strings.Contains(r.stderr, "token") {
		t.Fatalf("bogus token: %+v", r)
	}
	svc, err = model.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetConnectionEnabled(ctx, admin, writer.ID, false); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	before = snapshot(t, path)
	r = runCLI(t, "access", "revoke", "--staff", sara, "--db", path, "--token", writerToken)
	if r.code == 0 || snapshot(t, path) != before {
		t.Fatalf("switched-off token: %+v", r)
	}

	// Commands that act as the operating-system user take no token.
	r = runCLI(t, "--token", readOnly, "--db", path, "backup", path+".copy")
	if r.code != 2 || !strings.Contains(r.stderr, "does not take --token") {
		t.Fatalf("backup with a token: %+v", r)
	}
}

// TestCommandsThatTakeNoTokenRefuseOne: a command that runs as the
// operating-system user, given a token (--token before or after its name,
// or $GATEHOUSE_TOKEN), refuses to run rather than ignore it, names where
// the token came from and lists the commands that take one; nothing is
// created or changed.
func TestCommandsThatTakeNoTokenRefuseOne(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	dir := t.TempDir()
	fresh := dir + "/new.db"
	before := snapshot(t, path)
	local := map[string][]string{
		"":                   {"--db", path},
		"init":               {"init", "--db", fresh, "--org", "X", "--name", "Y", "--email", "y@x.example"},
		"demo":               {"demo", "--db", fresh, "--no-tui"},
		"join":               {"join", "abcdef-ghijkl-mnopqr-stuvwx", "--db", path},
		"serve":              {"serve", "--db", path, "--listen", "127.0.0.1:0"},
		"keys add":           {"keys", "add", sara, "-", "--db", path},
		"backup":             {"backup", dir + "/copy.db", "--db", path},
		"import":             {"import", dir + "/none.json", "--db", fresh},
		"check-db":           {"check-db", "--db", path},
		"audit anchor":       {"audit", "anchor", "--db", path, "--out", dir + "/a.anchors"},
		"staff set-password": {"staff", "set-password", sara, "--db", path},
		"org delete":         {"org", "delete", "--confirm", "Northwind Advisory", "--db", path},
	}
	for name := range localCommands {
		if _, ok := local[name]; !ok {
			t.Fatalf("no case for the local command %q", name)
		}
	}
	for name, args := range local {
		for _, how := range []string{"env", "flag"} {
			var r result
			from := "$GATEHOUSE_TOKEN"
			if how == "env" {
				r = runCLIWithEnv(t, []string{"GATEHOUSE_TOKEN=ghc_whatever"}, args...)
			} else {
				r = runCLI(t, append(args, "--token", "ghc_whatever")...)
				from = "--token"
			}
			if r.code != 2 || !strings.Contains(r.stderr, "takes no token") && !strings.Contains(r.stderr, "does not take --token") ||
				!strings.Contains(r.stderr, "but one is set ("+from+")") || !strings.Contains(r.stderr, "Commands that take one: staff list, ") {
				t.Fatalf("%q with a token from %s: %+v", name, how, r)
			}
			if strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
				t.Fatalf("%q: more than the error and the usage hint:\n%s", name, r.stderr)
			}
		}
	}
	if _, err := os.Stat(fresh); err == nil {
		t.Fatal("a command refused for its token created a database")
	}
	if _, err := os.Stat(dir + "/copy.db"); err == nil {
		t.Fatal("a backup refused for its token was written")
	}
	if snapshot(t, path) != before {
		t.Fatal("a command refused for its token changed the database")
	}
}

// TestImportedMembersSignInAfterSetPassword: an organisation restored from
// an export has no passwords; the OS user gives the Owner one and they sign
// in, audited; a member or connection cannot.
func TestImportedMembersSignInAfterSetPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	export := dir + "/org.json"
	restored := dir + "/restored.db"
	wantCode(t, runCLI(t, "export", "--format", "json", "--out", export, "--db", demoCopy(t)), 0)
	r := runCLI(t, "import", export, "--db", restored)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "gatehouse staff set-password EMAIL --db ") {
		t.Fatalf("import does not say how members get back in:\n%s", r.stdout)
	}
	ctx := context.Background()
	signIn := func() error {
		svc, err := model.Open(ctx, restored)
		if err != nil {
			t.Fatal(err)
		}
		defer svc.Close()
		_, err = svc.SignIn(ctx, olivia, "restored passphrase", "test")
		return err
	}
	if signIn() == nil {
		t.Fatal("signed in to a restored organisation before any password was set")
	}
	r = runCLI(t, "staff", "set-password", olivia, "--db", restored)
	if r.code != 2 || !strings.Contains(r.stderr, "GATEHOUSE_PASSWORD") {
		t.Fatalf("set-password without a terminal or password: %+v", r)
	}
	r = runCLIWithEnv(t, []string{"GATEHOUSE_PASSWORD=restored passphrase"}, "staff", "set-password", olivia, "--db", restored)
	wantCode(t, r, 0)
	if err := signIn(); err != nil {
		t.Fatalf("sign in after set-password: %v", err)
	}
	r = runCLI(t, "audit", "list", "--json", "--limit", "3", "--db", restored)
	if !strings.Contains(r.stdout, `"action": "staff.password-set"`) {
		t.Fatalf("set-password not audited:\n%s", r.stdout)
	}
}
