package main

import (
	"context"
	"encoding/json"
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
	view := func(module string) model.Permission {
		return model.Permission{Module: module, Action: "view", Scope: "all"}
	}
	_, readOnly, err := svc.CreateConnection(ctx, admin, "Reporting bot", "api", []model.Permission{view("staff"), view("clients"), view("accounts")}, "")
	if err != nil {
		t.Fatal(err)
	}
	writer, writerToken, err := svc.CreateConnection(ctx, admin, "Offboarding bot", "api", []model.Permission{
		view("staff"), view("clients"), view("accounts"),
		{Module: "access", Action: "update", Scope: "all"}, {Module: "access", Action: "delete", Scope: "all"}, {Module: "access", Action: "view", Scope: "all"},
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
