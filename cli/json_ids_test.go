package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Every action's --json result names the records it touched, the audit
// entries its changes wrote (ids.audit, each the entry the change made),
// and for a change of who reaches what, what is reachable afterwards:
// bulk invitations (and a partial one, whose error object says what was
// done), reassignment, the data and file commands, org delete, and the
// access and role changes.
func TestActionResultsNameTheirRecordsAndAuditEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hires.txt"), []byte("ana@hires.example\nben@hires.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "some.txt"), []byte("cai@hires.example\nnot-an-address\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := demoCopy(t)
	type want struct {
		args    []string
		actions []string // the audit entries, by action, in order
		kinds   map[string]int
		reach   string
	}
	for _, w := range []want{
		{a("staff", "bulk-invite", "--file", filepath.Join(dir, "hires.txt"), "--role", "Advisor"),
			[]string{"invitation.create", "invitation.create"}, map[string]int{"invitation": 2}, ""},
		{a("clients", "reassign", "--from", sara, "--to", marcus), []string{"client.set-owner", "client.set-owner"},
			map[string]int{"client": 2, "member": 2}, "members"},
		{a("access", "grant", "--staff", "leo.martins@northwind.example", "--client", "Acme Ltd"), nil, map[string]int{"member": 1, "client": 1}, "members"},
		{a("staff", "set-role", "leo.martins@northwind.example", "Manager"), []string{"staff.set-role"}, map[string]int{"member": 1, "role": 1}, "members"},
		{a("staff", "deactivate", "leo.martins@northwind.example"), []string{"staff.deactivate"}, map[string]int{"member": 1}, "members"},
		{a("backup", filepath.Join(dir, "copy.db")), []string{"org.backup"}, nil, ""},
		{a("export", "--out", filepath.Join(dir, "org.json")), []string{"org.export"}, nil, ""},
		{a("audit", "export", "--format", "csv", "--out", filepath.Join(dir, "audit.csv")), []string{"audit.export"}, nil, ""},
	} {
		r := runCLI(t, append(append([]string{"--json"}, w.args...), "--db", path)...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", w.args, r)
		}
		var res actionResult
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("%v: %v\n%s", w.args, err, r.stdout)
		}
		for kind, n := range w.kinds {
			if len(res.IDs[kind]) != n {
				t.Errorf("%v: ids.%s = %v, want %d of them", w.args, kind, res.IDs[kind], n)
			}
		}
		if w.actions != nil && !slices.Equal(auditActions(t, path, res.IDs["audit"]), w.actions) {
			t.Errorf("%v: ids.audit %v are %v, want %v", w.args, res.IDs["audit"], auditActions(t, path, res.IDs["audit"]), w.actions)
		}
		if w.actions == nil && len(res.IDs["audit"]) == 0 {
			t.Errorf("%v: names no audit entry: %s", w.args, r.stdout)
		}
		if w.reach == "members" && (res.Reach == nil || len(res.Reach.Members) == 0) {
			t.Errorf("%v: says nothing of what is reachable now: %s", w.args, r.stdout)
		}
	}
	// A partial bulk invitation fails, and says what it did.
	r := runCLI(t, "--json", "staff", "bulk-invite", "--file", filepath.Join(dir, "some.txt"), "--role", "Advisor", "--db", path)
	var e jsonError
	if err := json.Unmarshal([]byte(r.stderr), &e); r.code != 1 || err != nil || len(e.IDs["invitation"]) != 1 || len(e.Done) == 0 ||
		!slices.Equal(auditActions(t, path, e.IDs["audit"]), []string{"invitation.create"}) {
		t.Fatalf("a partial bulk invitation: exit %d, %v\n%s", r.code, err, r.stderr)
	}
	// An import names its org.import entry; org delete the one entry left.
	imported := filepath.Join(dir, "imported.db")
	r = runCLI(t, "--json", "import", filepath.Join(dir, "org.json"), "--db", imported)
	var res actionResult
	if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || !slices.Equal(auditActions(t, imported, res.IDs["audit"]), []string{"org.import"}) {
		t.Fatalf("import: %+v", r)
	}
	r = runCLI(t, "--json", "org", "delete", "--confirm", "Northwind Advisory", "--db", path)
	res = actionResult{}
	if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || !slices.Equal(auditActions(t, path, res.IDs["audit"]), []string{"org.delete"}) {
		t.Fatalf("org delete: %+v", r)
	}
}

// auditActions are the actions of the audit entries ids, in order.
func auditActions(t *testing.T, path string, ids []int64) []string {
	t.Helper()
	out := []string{}
	for _, id := range ids {
		var action string
		if err := sqlDB(t, path).QueryRow(`SELECT action FROM audit_log WHERE id = ?`, id).Scan(&action); err != nil {
			t.Fatalf("audit entry %d: %v", id, err)
		}
		out = append(out, action)
	}
	return out
}
