package cli

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// lastAuditEntry is the newest audit entry's actor, action and target.
func lastAuditEntry(t *testing.T, path string) (actor, action, target string) {
	t.Helper()
	if err := sqlDB(t, path).QueryRow(`SELECT actor, action, target FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&actor, &action, &target); err != nil {
		t.Fatal(err)
	}
	return actor, action, target
}

// wantAudit fails unless the newest audit entry is action on target.
func wantAudit(t *testing.T, path, action, target string) {
	t.Helper()
	if _, a, tg := lastAuditEntry(t, path); a != action || tg != target {
		t.Errorf("newest audit entry is %s on %q, want %s on %q", a, tg, action, target)
	}
}

// A custom role's life on the command line: created from cells, shown,
// edited a cell at a time and whole from a file, renamed, given after a
// preview, and deleted with its members moved; each change is the model's
// and leaves its audit entry.
func TestRolesCommands(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	r := runCLI(t, "roles", "create", "Support agent", "--allow", "staff.view:all,clients.view:own", "--allow", "accounts.view:own",
		"--description", "Answers clients", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Created role Support agent") || !strings.Contains(r.stdout, "+ view clients: own") {
		t.Errorf("roles create:\n%s", r.stdout)
	}
	wantAudit(t, db, "role.create", "Support agent")

	r = runCLI(t, "roles", "show", "support AGENT", "--json", "--db", db)
	wantCode(t, r, 0)
	var shown roleShowJSON
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || shown.Name != "Support agent" || shown.BuiltIn ||
		len(shown.Permissions) != 3 || shown.Members != 0 || shown.MemberEmails == nil {
		t.Errorf("roles show --json: %v\n%s", err, r.stdout)
	}

	r = runCLI(t, "roles", "edit", "Support agent", "--set", "clients.view:department", "--set", "staff.view:none", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "~ view clients: own → department") || !strings.Contains(r.stdout, "- view staff: was all") {
		t.Errorf("roles edit --set:\n%s", r.stdout)
	}
	wantAudit(t, db, "role.update", "Support agent")
	before := snapshot(t, db)
	r = runCLI(t, "roles", "edit", "Support agent", "--set", "clients.view:department", "--db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "nothing changed") || snapshot(t, db) != before {
		t.Errorf("an edit that changes nothing: %+v", r)
	}

	file := t.TempDir() + "/grid.txt"
	writeFile(t, file, "clients.view:all\naccounts.view:all, audit.view:own\n")
	r = runCLI(t, "roles", "edit", "Support agent", "--file", file, "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "roles", "show", "Support agent", "--db", db)
	if !strings.Contains(r.stdout, "audit        own") || !strings.Contains(r.stdout, "clients      all") {
		t.Errorf("the grid after --file:\n%s", r.stdout)
	}
	// The JSON 'roles show' prints goes back in as a file.
	writeFile(t, file, `[{"module":"staff","action":"view","scope":"all"}]`)
	wantCode(t, runCLI(t, "roles", "edit", "Support agent", "--file", file, "--db", db), 0)

	r = runCLI(t, "roles", "rename", "Support agent", "Client support", "--db", db)
	wantCode(t, r, 0)
	wantAudit(t, db, "role.update", "Client support")

	// give: a preview without --yes changes nothing.
	before = snapshot(t, db)
	r = runCLI(t, "roles", "give", "Client support", "--staff", sara, "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "What if Sara Lindqvist") || !strings.Contains(r.stdout, "run again with --yes") || snapshot(t, db) != before {
		t.Errorf("roles give without --yes:\n%s", r.stdout)
	}
	r = runCLI(t, "roles", "give", "Client support", "--staff", sara, "--yes", "--json", "--db", db)
	wantCode(t, r, 0)
	var given actionResult
	if err := json.Unmarshal([]byte(r.stdout), &given); err != nil || given.Command != "roles give" || len(given.IDs["member"]) != 1 ||
		!slices.Equal(auditActions(t, db, given.IDs["audit"]), []string{"staff.set-role"}) || given.Reach == nil ||
		!slices.ContainsFunc(given.Done, func(l string) bool { return strings.Contains(l, "(now Advisor)") }) {
		t.Errorf("roles give --yes --json: %v\n%s", err, r.stdout)
	}
	wantAudit(t, db, "staff.set-role", sara)

	before = snapshot(t, db)
	r = runCLI(t, "roles", "delete", "Client support", "--db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "choose a role to move them to first") || snapshot(t, db) != before {
		t.Errorf("deleting a role with a member: %+v", r)
	}
	r = runCLI(t, "roles", "delete", "Client support", "--move-members-to", "advisor", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "1 member(s) of Client support moved to Advisor") {
		t.Errorf("roles delete:\n%s", r.stdout)
	}
	wantAudit(t, db, "role.delete", "Client support")
	if n := count(t, db, `SELECT count(*) FROM audit_log WHERE action = 'staff.set-role' AND target = '`+sara+`' AND after LIKE '%deleted%'`); n != 1 {
		t.Errorf("the member's move is audited %d times", n)
	}
}

// whatif role is the preview alone: it never changes anything, and says
// what the app's Simulator says.
func TestWhatIfRole(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	r := runCLI(t, "whatif", "role", "--staff", sara, "--role", "Manager", "--json", "--db", db)
	wantCode(t, r, 0)
	var pv whatIfJSON
	if err := json.Unmarshal([]byte(r.stdout), &pv); err != nil || pv.Given || pv.From != "Advisor" || pv.To != "Manager" ||
		len(pv.Gain) == 0 || len(pv.LosePerms) == 0 || pv.Lose == nil {
		t.Errorf("whatif role --json: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, "whatif", "role", "--staff", sara, "--role", "Owner", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "all client accounts") {
		t.Errorf("whatif the Owner role:\n%s", r.stdout)
	}
	if snapshot(t, db) != before {
		t.Fatal("whatif changed the database")
	}
}

// Roles are the Owner's and the Admins' to change: an Advisor and the
// read-only Viewer are refused every change over SSH, with the engine's
// reason, and nothing changes.
func TestRolesRefusedWithoutPermission(t *testing.T) {
	t.Parallel()
	const grace = "grace.kim@northwind.example"
	d := newRemoteDemo(t)
	before := snapshot(t, d.path)
	for _, who := range []string{grace, sara} {
		for _, args := range [][]string{
			{"roles", "create", "Mine", "--allow", "clients.view:own"},
			{"roles", "edit", "Manager", "--set", "clients.view:all"},
			{"roles", "rename", "Manager", "Boss"},
			{"roles", "delete", "Viewer", "--move-members-to", "Advisor"},
			{"roles", "give", "Admin", "--staff", who, "--yes"},
		} {
			r := d.run(d.member(who), args...)
			if r.code != 1 || !strings.Contains(r.stderr, "not allowed") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s as %s: %+v", strings.Join(args, " "), who, r)
			}
		}
	}
	// An Admin may not make an Admin: only the Owner does.
	r := d.run(d.member(marcus), "roles", "give", "Admin", "--staff", sara, "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("an Admin making an Admin: %+v", r)
	}
	// A role granting more than its maker holds is refused: the Manager
	// holds no roles permission at all.
	r = d.run(d.member("tom.becker@northwind.example"), "roles", "create", "Wide", "--allow", "staff.delete:all")
	if r.code != 1 || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("a Manager minting a role: %+v", r)
	}
	if snapshot(t, d.path) != before {
		t.Fatal("refused role changes changed the database")
	}
	// Over SSH the changes are audited under the member.
	r = d.run(d.member(marcus), "roles", "create", "Night desk", "--allow", "clients.view:all")
	wantCode(t, r, 0)
	if actor, action, _ := lastAuditEntry(t, d.path); actor != marcus || action != "role.create" {
		t.Errorf("the role made over SSH is audited as %s %s", actor, action)
	}
	// --file reads the server's files: refused over SSH.
	r = d.run(d.member(marcus), "roles", "edit", "Night desk", "--file", "/etc/passwd")
	if r.code != 2 || !strings.Contains(r.stderr, "over SSH give the cells with --allow") {
		t.Errorf("--file over SSH: %+v", r)
	}
}

// Bad input gets one line and changes nothing: a cell that is no
// permission, a look-alike role name, control characters, a name over its
// limit, a grid given twice.
func TestRolesRefuseBadInput(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"roles", "create", "X", "--allow", "clients.view"}, 2, "is not a permission"},
		{[]string{"roles", "create", "X", "--allow", "clients.fly:own"}, 2, `unknown action "fly"`},
		{[]string{"roles", "create", "X", "--allow", "clients.view:galaxy"}, 2, `unknown scope "galaxy"`},
		{[]string{"roles", "create", "X"}, 2, "give the role's grid"},
		{[]string{"roles", "create", "X\x1b[31m", "--allow", "clients.view:own"}, 2, "control characters"},
		{[]string{"roles", "create", "Manager", "--allow", "clients.view:own"}, 1, "already exists"},
		{[]string{"roles", "create", strings.Repeat("r", 500), "--allow", "clients.view:own"}, 2, "characters long; at most"},
		{[]string{"roles", "create", "X", "--allow", "clients.view:own", "--file", "-"}, 2, "not both"},
		// A Cyrillic "а" in Manаger: no such role, and the real ones named.
		{[]string{"roles", "edit", "Man\u0430ger", "--set", "clients.view:all"}, 2, "no role named"},
		{[]string{"roles", "delete", "Man\u0430ger"}, 2, "no role named"},
		{[]string{"roles", "edit", "Manager"}, 2, "say what changes"},
		{[]string{"roles", "rename", "Manager", "  "}, 2, "role name is empty"},
		{[]string{"roles", "give", "Manager"}, 2, "--staff is required"},
		{[]string{"roles", "give", "Manager", "--staff", "nobody@northwind.example", "--yes"}, 2, "not found"},
		{[]string{"whatif", "role", "--staff", sara}, 2, "--role is required"},
		{[]string{"roles", "delete", "Advisor"}, 1, "not allowed"},
	} {
		r := runCLI(t, append(c.args, "--db", db)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%q: exit %d (want %d), stderr %q (want %q)", c.args, r.code, c.code, r.stderr, c.want)
		}
	}
	if snapshot(t, db) != before {
		t.Fatal("refused input changed the database")
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
