// Over 600 lines: the command line's tests on the real binary, which share
// its build (TestMain) and helpers.

package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// The CLI tests run the real binary against a real demo database: built
// once, populated once, copied for each test.
var (
	binPath  string
	demoPath string
	testDir  string
)

const (
	sara    = "sara.lindqvist@northwind.example" // an Advisor
	marcus  = "marcus.reid@northwind.example"    // an Admin
	olivia  = "olivia.hart@northwind.example"    // the Owner
	pending = "zoe.turner@northwind.example"     // a pending invitation
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gatehouse-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testDir = dir
	binPath = filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", binPath, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build gatehouse:", err)
		return 1
	}
	demoPath = filepath.Join(dir, "demo.db")
	if out, err := gatehouseCmd("", "demo", "--db", demoPath, "--no-tui").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "create demo: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// gatehouseCmd is the binary with an environment that cannot reach the
// user's own database.
func gatehouseCmd(stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "GATEHOUSE_DB=", "XDG_DATA_HOME="+filepath.Join(testDir, "xdg"), "GATEHOUSE_PASSWORD=", "GATEHOUSE_TOKEN=")
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

type result struct {
	stdout, stderr string
	code           int
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runCLIWithEnv(t, nil, args...)
}

func runCLIWithEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := gatehouseCmd("", args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// demoCopy is a private copy of the demo database.
func demoCopy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(demoPath)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "g.db")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func sqlDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func count(t *testing.T, path, query string) int {
	t.Helper()
	var n int
	if err := sqlDB(t, path).QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// snapshot is every table's row count and the audit log's last hash: if it
// is equal before and after a command, the command changed nothing.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	d := sqlDB(t, path)
	var last string
	d.QueryRow(`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&last)
	var b strings.Builder
	for _, table := range []string{"audit_log", "staff", "invitations", "client_members", "account_access", "clients", "accounts", "ssh_keys"} {
		var n int
		if err := d.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s=%d ", table, n)
	}
	var statuses string
	d.QueryRow(`SELECT group_concat(status || role_id, ',') FROM staff`).Scan(&statuses)
	return b.String() + statuses + " " + last
}

func wantCode(t *testing.T, r result, code int, args ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, code, r.stdout, r.stderr)
	}
}

func TestCheckDeniedSaysWhy(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	args := []string{"check", sara, "view", "client:Kestrel Logistics", "--db", db}
	r := runCLI(t, args...)
	wantCode(t, r, 1, args...)
	if !strings.Contains(r.stdout, "not added to Kestrel Logistics") {
		t.Errorf("denial does not say why: %q", r.stdout)
	}
}

func TestCheckAllowed(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	for _, args := range [][]string{
		{"--db", db, "check", sara, "access", "account:Acme Ltd/Payroll"},
		{"--db", db, "check", sara, "view", "client:Acme Ltd"},
		{"--db", db, "check", marcus, "update", "client:Kestrel Logistics"},
		{"--db", db, "check", olivia, "update", "settings"},
	} {
		r := runCLI(t, args...)
		wantCode(t, r, 0, args...)
		if !strings.HasPrefix(r.stdout, "allowed: ") {
			t.Errorf("%v: %q", args, r.stdout)
		}
	}
	// A toggled-off account is refused with the reason.
	args := []string{"--db", db, "check", sara, "access", "account:Greystone Legal LLP/Bookkeeping"}
	r := runCLI(t, args...)
	wantCode(t, r, 1, args...)
	if !strings.Contains(r.stdout, "Bookkeeping") {
		t.Errorf("denial does not name the account: %q", r.stdout)
	}
}

func TestCheckUsageAndLookupErrorsExit2(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	for _, args := range [][]string{
		{"check", sara, "view"},
		{"check", sara, "fly", "client:Acme Ltd"},
		{"check", sara, "view", "planet:Mars"},
		{"check", "nobody@northwind.example", "view", "client:Acme Ltd"},
		{"check", sara, "view", "client:No Such Client"},
		{"check", sara, "access", "account:Acme Ltd/No Such Account"},
	} {
		r := runCLI(t, append(args, "--db", db)...)
		wantCode(t, r, 2, args...)
		if !strings.HasPrefix(r.stderr, "gatehouse: ") {
			t.Errorf("%v: error not prefixed: %q", args, r.stderr)
		}
	}
}

func TestRevokeThenAuditShowsWhoRevokedWhat(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	args := []string{"access", "revoke", "--staff", sara, "--db", db}
	r := runCLI(t, args...)
	wantCode(t, r, 0, args...)
	for _, c := range []string{"Acme Ltd", "Evergreen Landscaping", "Greystone Legal LLP"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("revoke output does not list %s:\n%s", c, r.stdout)
		}
	}
	if r := runCLI(t, "access", "list", "--staff", sara, "--db", db); !strings.Contains(r.stdout, "added to 0 client folder") {
		t.Errorf("access remains after revoke:\n%s", r.stdout)
	}
	r = runCLI(t, "audit", "list", "--db", db, "--limit", "3")
	wantCode(t, r, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 4 {
		t.Fatalf("audit list:\n%s", r.stdout)
	}
	me := osUserName()
	for _, l := range lines[1:4] {
		if !strings.Contains(l, me) || !strings.Contains(l, "access.remove") || !strings.Contains(l, sara) {
			t.Errorf("audit line does not say who revoked what: %q", l)
		}
	}
	// The same through --json and the filters.
	r = runCLI(t, "audit", "list", "--db", db, "--json", "--staff", sara, "--action", "access.", "--actor", me)
	wantCode(t, r, 0)
	var entries []struct{ Actor, ActorKind, Action, Target, Before, After string }
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("audit json: %v\n%s", err, r.stdout)
	}
	if len(entries) != 3 {
		t.Fatalf("want 3 revocations by %s, got %+v", me, entries)
	}
	for _, e := range entries {
		if e.Actor != me || e.Action != "access.remove" || !strings.Contains(e.Target, sara) || !strings.Contains(e.Before, "true") {
			t.Errorf("entry %+v", e)
		}
	}
	// Nothing left: a second revoke says so and changes nothing.
	before := snapshot(t, db)
	r = runCLI(t, "access", "revoke", "--staff", sara, "--db", db)
	if r.code == 0 || snapshot(t, db) != before {
		t.Errorf("second revoke: exit %d, changed: %v", r.code, snapshot(t, db) != before)
	}
}

func TestRevokeOneAccountAndGrantBack(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	r := runCLI(t, "access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--account", "payroll", "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "check", sara, "access", "account:Acme Ltd/Payroll", "--db", db)
	wantCode(t, r, 1)
	r = runCLI(t, "check", sara, "access", "account:Acme Ltd/Timesheets", "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "access", "grant", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll", "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "check", sara, "access", "account:Acme Ltd/Payroll", "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "access", "grant", "--staff", sara, "--client", "Kestrel Logistics", "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "access", "list", "--client", "Kestrel Logistics", "--db", db)
	if !strings.Contains(r.stdout, sara) || !strings.Contains(r.stdout, "Expenses, Fleet, Payroll, Timesheets") {
		t.Errorf("grant of the whole folder:\n%s", r.stdout)
	}
}

func TestAuditVerifyNamesTheEditedEntry(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	r := runCLI(t, "audit", "verify", "--db", db)
	wantCode(t, r, 0)
	n := count(t, db, `SELECT count(*) FROM audit_log`)
	var head string
	sqlDB(t, db).QueryRow(`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&head)
	if want := fmt.Sprintf("audit chain OK: %d entries\nhead hash: %s ", n, head); !strings.HasPrefix(r.stdout, want) || len(head) != 64 {
		t.Errorf("verify: %q, want %q", r.stdout, want)
	}
	if _, err := sqlDB(t, db).Exec(`UPDATE audit_log SET target = 'someone else' WHERE id = 42`); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "audit", "verify", "--db", db)
	wantCode(t, r, 1)
	if !strings.Contains(r.stderr, "entry 42") || strings.Contains(r.stdout, "OK") {
		t.Errorf("verify does not name entry 42: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

func TestAuditExport(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	n := count(t, db, `SELECT count(*) FROM audit_log`)
	out := filepath.Join(t.TempDir(), "audit.json")
	r := runCLI(t, "audit", "export", "--format", "json", "--out", out, "--db", db)
	wantCode(t, r, 0)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	// The export records itself first, so it holds one entry more.
	if err := json.Unmarshal(data, &entries); err != nil || len(entries) != n+1 {
		t.Fatalf("export json: %d entries, want %d and its own, %v", len(entries), n, err)
	}
	if last := entries[len(entries)-1]; last["action"] != "audit.export" || last["target"] != "json" {
		t.Errorf("the export's last entry is %v, want its own audit.export", last)
	}
	r = runCLI(t, "audit", "export", "--format", "csv", "--db", db)
	wantCode(t, r, 0)
	if lines := strings.Count(r.stdout, "\n"); lines < n+1 || !strings.HasPrefix(r.stdout, "id,at,") {
		t.Errorf("csv export: %d lines for %d entries", lines, n)
	}
	r = runCLI(t, "audit", "export", "--format", "xml", "--db", db)
	wantCode(t, r, 2)
}

func TestUnknownNamesChangeNothing(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	for _, args := range [][]string{
		{"staff", "set-role", "nobody@northwind.example", "Admin"},
		{"staff", "set-role", sara, "Emperor"},
		{"staff", "deactivate", "nobody@northwind.example"},
		{"staff", "reactivate", "nobody@northwind.example"},
		{"staff", "invite", "new.person@northwind.example", "--name", "New Person", "--role", "Emperor"},
		{"staff", "invite", "new.person@northwind.example", "--name", "New Person", "--department", "Astrology"},
		{"access", "grant", "--staff", "nobody@northwind.example", "--client", "Acme Ltd"},
		{"access", "grant", "--staff", sara, "--client", "No Such Client"},
		{"access", "grant", "--staff", sara, "--client", "Acme Ltd", "--account", "No Such Account"},
		{"access", "revoke", "--staff", "nobody@northwind.example"},
		{"access", "revoke", "--staff", sara, "--client", "No Such Client"},
		{"access", "list", "--client", "No Such Client"},
		{"offboard", "nobody@northwind.example"},
		{"offboard", sara, "--reassign-to", "nobody@northwind.example"},
		{"keys", "add", "nobody@northwind.example", "/nonexistent.pub"},
		{"audit", "list", "--staff", "nobody@northwind.example"},
		{"audit", "list", "--client", "No Such Client"},
		{"staff", "list", "--role", "Emperor"},
	} {
		r := runCLI(t, append(args, "--db", db)...)
		if r.code == 0 {
			t.Errorf("%v: exit 0\n%s", args, r.stdout)
		}
		if !strings.HasPrefix(r.stderr, "gatehouse: ") {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("%v changed the database:\n%s\n%s", args, before, after)
		}
	}
}

func TestInviteRefusesBadInput(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"invalid email", []string{"staff", "invite", "not-an-email", "--name", "Someone"}},
		{"email without domain dot", []string{"staff", "invite", "a@b", "--name", "Someone"}},
		{"email with escape", []string{"staff", "invite", "a\x1b[31m@example.com", "--name", "Someone"}},
		{"member differing in case", []string{"staff", "invite", strings.ToUpper(sara), "--name", "Sara Again"}},
		{"pending invitation differing in case", []string{"staff", "invite", "Zoe.Turner@Northwind.Example", "--name", "Zoe Again"}},
		{"missing name", []string{"staff", "invite", "new.person@northwind.example"}},
		{"empty name", []string{"staff", "invite", "new.person@northwind.example", "--name", ""}},
		{"blank name", []string{"staff", "invite", "new.person@northwind.example", "--name", "   "}},
		{"10 KB name", []string{"staff", "invite", "new.person@northwind.example", "--name", strings.Repeat("N", 10<<10)}},
		{"escape sequence in name", []string{"staff", "invite", "new.person@northwind.example", "--name", "Evil\x1b]0;owned\x07Name"}},
		{"control character in name", []string{"staff", "invite", "new.person@northwind.example", "--name", "Bell\x07Name"}},
		{"escape sequence in message", []string{"staff", "invite", "new.person@northwind.example", "--name", "New Person", "--message", "hi\x1b[2J"}},
		{"no email", []string{"staff", "invite", "--name", "New Person"}},
	} {
		r := runCLI(t, append(c.args, "--db", db)...)
		if r.code == 0 {
			t.Errorf("%s: accepted\n%s", c.name, r.stdout)
		}
		if !strings.HasPrefix(r.stderr, "gatehouse: ") || strings.Count(r.stderr, "\n") > 2 {
			t.Errorf("%s: stderr %q", c.name, r.stderr)
		}
		if strings.ContainsAny(r.stdout+r.stderr, "\x1b\x07") {
			t.Errorf("%s: raw control characters reached the terminal: %q", c.name, r.stderr)
		}
		if len(r.stderr) > 1000 {
			t.Errorf("%s: %d-byte error message", c.name, len(r.stderr))
		}
		if after := snapshot(t, db); after != before {
			t.Fatalf("%s changed the database", c.name)
		}
	}
}

func TestStaffCommands(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	r := runCLI(t, "staff", "invite", "jane.doe@northwind.example", "--name", "Jane Doe", "--role", "advisor",
		"--department", "Tax", "--message", "Welcome!", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Invitation code: ") || !strings.Contains(r.stdout, "gatehouse join ") || !strings.Contains(r.stdout, "--db "+db) {
		t.Errorf("invite output:\n%s", r.stdout)
	}
	r = runCLI(t, "staff", "set-role", sara, "Manager", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Advisor → Manager") {
		t.Errorf("set-role: %q", r.stdout)
	}
	r = runCLI(t, "staff", "set-role", sara, "Manager", "--db", db)
	if r.code == 0 {
		t.Error("setting the same role twice succeeded")
	}
	r = runCLI(t, "staff", "deactivate", olivia, "--db", db)
	if r.code == 0 || !strings.Contains(r.stderr, "not allowed") && !strings.Contains(r.stderr, "Owner") {
		t.Errorf("deactivating the Owner: exit %d %q", r.code, r.stderr)
	}
	wantCode(t, runCLI(t, "staff", "deactivate", sara, "--db", db), 0)
	r = runCLI(t, "staff", "list", "--db", db, "--status", "deactivated", "--json")
	var ms []memberJSON
	if err := json.Unmarshal([]byte(r.stdout), &ms); err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Errorf("deactivated members: %+v", ms)
	}
	wantCode(t, runCLI(t, "staff", "reactivate", sara, "--db", db), 0)
	r = runCLI(t, "offboard", sara, "--reassign-to", marcus, "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "2 client(s) reassigned to "+marcus) || !strings.Contains(r.stdout, "3 client folder") {
		t.Errorf("offboard:\n%s", r.stdout)
	}
	r = runCLI(t, "clients", "list", "--db", db, "--filter", "acme", "--json")
	var cs []clientJSON
	if err := json.Unmarshal([]byte(r.stdout), &cs); err != nil || len(cs) != 1 || cs[0].Owner != "Marcus Reid" {
		t.Errorf("acme after offboard: %+v %v", cs, err)
	}
}

func TestKeysAdd(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id.pub")
	os.WriteFile(file, append(bytes.TrimSpace(ssh.MarshalAuthorizedKey(sp)), " sara@laptop\n"...), 0o600)
	r := runCLI(t, "keys", "add", sara, file, "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, ssh.FingerprintSHA256(sp)) {
		t.Errorf("keys add: %q, want fingerprint %s", r.stdout, ssh.FingerprintSHA256(sp))
	}
	if n := count(t, db, `SELECT count(*) FROM ssh_keys`); n != 1 {
		t.Errorf("%d keys stored", n)
	}
	junk := filepath.Join(t.TempDir(), "junk.pub")
	os.WriteFile(junk, []byte("not a key\n"), 0o600)
	before := snapshot(t, db)
	if r := runCLI(t, "keys", "add", sara, junk, "--db", db); r.code == 0 || snapshot(t, db) != before {
		t.Errorf("a junk key was accepted: %+v", r)
	}
}

func TestJSONOutputParses(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	for _, args := range [][]string{
		{"staff", "list", "--json"},
		{"staff", "list", "--json", "--filter", "no such person"},
		{"roles", "list", "--json"},
		{"clients", "list", "--json"},
		{"access", "list", "--staff", sara, "--json"},
		{"access", "list", "--client", "Acme Ltd", "--json"},
		{"audit", "list", "--json", "--limit", "5"},
	} {
		r := runCLI(t, append(args, "--db", db)...)
		wantCode(t, r, 0, args...)
		var v []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Errorf("%v: %v\n%s", args, err, r.stdout)
		}
		if len(v) == 0 && !strings.Contains(strings.Join(args, " "), "no such") {
			t.Errorf("%v: empty", args)
		}
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		r := runCLI(t, args...)
		wantCode(t, r, 0, args...)
		for _, c := range commands {
			if !strings.Contains(r.stdout, "  "+c.name+" ") {
				t.Errorf("%v does not list %q", args, c.name)
			}
		}
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		for _, args := range [][]string{append(words, "--help"), append([]string{"help"}, words...), append(words, "-h")} {
			r := runCLI(t, args...)
			wantCode(t, r, 0, args...)
			if !strings.Contains(r.stdout, "Usage: gatehouse "+c.name) || !strings.Contains(r.stdout, "Example:\n  ") ||
				!strings.Contains(r.stdout, "--db") {
				t.Errorf("%v:\n%s", args, r.stdout)
			}
		}
	}
	for _, group := range []string{"staff", "access", "audit", "keys", "roles", "clients"} {
		r := runCLI(t, group, "--help")
		wantCode(t, r, 0, group)
		if !strings.Contains(r.stdout, group+" ") {
			t.Errorf("%s --help:\n%s", group, r.stdout)
		}
	}
	r := runCLI(t, "frobnicate")
	wantCode(t, r, 2)
	r = runCLI(t, "staff", "frobnicate")
	wantCode(t, r, 2)
	r = runCLI(t, "staff", "list", "--frobnicate")
	wantCode(t, r, 2)
}

func TestDBFlagBeforeOrAfterTheCommand(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	a := runCLI(t, "--db", db, "staff", "list")
	b := runCLI(t, "staff", "list", "--db", db)
	c := runCLIWithEnv(t, []string{"GATEHOUSE_DB=" + db}, "staff", "list")
	wantCode(t, a, 0)
	if a.stdout != b.stdout || a.stdout != c.stdout || !strings.Contains(a.stdout, sara) {
		t.Errorf("--db positions differ:\n%s\n%s\n%s", a.stdout, b.stdout, c.stdout)
	}
	r := runCLI(t, "staff", "list", "--db", filepath.Join(t.TempDir(), "missing.db"))
	if r.code == 0 || !strings.Contains(r.stderr, "no database at") {
		t.Errorf("missing database: %+v", r)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	if _, err := sqlDB(t, db).Exec(`PRAGMA user_version = 9999`); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "staff", "list", "--db", db)
	if r.code == 0 || !strings.Contains(r.stderr, "newer") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("newer schema: exit %d %q", r.code, r.stderr)
	}
}

func TestDemoRefusesAnExistingOrganisation(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	r := runCLI(t, "demo", "--db", db, "--no-tui")
	if r.code == 0 || !strings.Contains(r.stderr, "already holds an organisation") || snapshot(t, db) != before {
		t.Errorf("demo over an organisation: %+v", r)
	}
}

func TestInitFromFlags(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "new.db")
	r := runCLIWithEnv(t, []string{"GATEHOUSE_PASSWORD=a long passphrase"}, "init", "--org", "Acme Partners",
		"--name", "Ada Owner", "--email", "Ada@Acme.example", "--db", db)
	wantCode(t, r, 0)
	r = runCLI(t, "staff", "list", "--db", db, "--json")
	var ms []memberJSON
	if err := json.Unmarshal([]byte(r.stdout), &ms); err != nil || len(ms) != 1 || ms[0].Email != "ada@acme.example" || ms[0].Role != "Owner" {
		t.Fatalf("after init: %+v %v", ms, err)
	}
	r = runCLI(t, "audit", "list", "--db", db, "--json")
	if !strings.Contains(r.stdout, `"actor": "`+osUserName()+`"`) {
		t.Errorf("init is not audited as the OS user:\n%s", r.stdout)
	}
	before := snapshot(t, db)
	r = runCLIWithEnv(t, []string{"GATEHOUSE_PASSWORD=a long passphrase"}, "init", "--org", "Again", "--name", "B", "--email", "b@b.example", "--db", db)
	if r.code == 0 || snapshot(t, db) != before {
		t.Errorf("second init: %+v", r)
	}
	// Without a terminal, missing answers are an error, not a prompt.
	r = runCLI(t, "init", "--db", filepath.Join(t.TempDir(), "other.db"), "--org", "X")
	wantCode(t, r, 2)
	r = runCLIWithEnv(t, []string{"GATEHOUSE_PASSWORD=short"}, "init", "--org", "X", "--name", "Y", "--email", "y@y.example", "--db", filepath.Join(t.TempDir(), "weak.db"))
	if r.code == 0 || !strings.Contains(r.stderr, "password") {
		t.Errorf("weak password: %+v", r)
	}
}

func TestWithoutATerminal(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	for _, args := range [][]string{{"--db", db}, {"join", "aaaaaa-bbbbbb-cccccc-dddddd", "--db", db}} {
		r := runCLI(t, args...)
		if r.code == 0 || !strings.HasPrefix(r.stderr, "gatehouse: ") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	// A fresh demo without a terminal prints the guide instead of opening
	// the app, in a new temporary directory when no --db is given.
	cmd := gatehouseCmd("", "demo")
	cmd.Env = append(cmd.Env, "TMPDIR="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	for _, want := range []string{"gatehouse-demo-", sara, "demo-sara-pass", "oathtool --totp -b", "check " + sara + " view 'client:Kestrel Logistics'"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("demo guide lacks %q:\n%s", want, out)
		}
	}
}

// remoteDemo is a private demo copy open as the SSH server holds it, to run
// commands as its members would over SSH.
type remoteDemo struct {
	t    *testing.T
	ctx  context.Context
	svc  *model.Service
	path string
}

func newRemoteDemo(t *testing.T) *remoteDemo {
	t.Helper()
	path := demoCopy(t)
	ctx := context.Background()
	svc, err := model.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return &remoteDemo{t: t, ctx: ctx, svc: svc, path: path}
}

// member is the principal of the member with email, signed in over SSH.
func (d *remoteDemo) member(email string) model.Principal {
	d.t.Helper()
	m, err := d.svc.MemberByEmail(d.ctx, model.System("test"), email)
	if err != nil {
		d.t.Fatal(err)
	}
	return model.MemberPrincipal(m, "ssh SHA256:test from 192.0.2.1:5555")
}

// run runs a command as p, as the SSH server does.
func (d *remoteDemo) run(p model.Principal, args ...string) result {
	var out, errb bytes.Buffer
	code := runCommand(d.ctx, d.svc, p, args, &out, &errb)
	return result{out.String(), errb.String(), code}
}

func TestRemoteCommandsActAsTheMember(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	path, member, remote := d.path, d.member, d.run
	before := snapshot(t, path)
	r := remote(member(sara), "access", "revoke", "--staff", marcus)
	if r.code != 1 || !strings.Contains(r.stderr, "not allowed") || snapshot(t, path) != before {
		t.Errorf("an Advisor revoked over SSH: %+v", r)
	}
	for _, args := range [][]string{
		{"staff", "list", "--db", "/tmp/other.db"},
		{"keys", "add", sara, "/etc/passwd"},
		{"audit", "export", "--format", "csv", "--out", "/tmp/x.csv"},
		{"init"}, {"demo"}, {"serve"},
	} {
		if r := remote(member(olivia), args...); r.code == 0 || !strings.HasPrefix(r.stderr, "gatehouse: ") {
			t.Errorf("%v over SSH: %+v", args, r)
		}
	}
	if snapshot(t, path) != before {
		t.Fatal("refused remote commands changed the database")
	}
	r = remote(member(marcus), "access", "revoke", "--staff", sara, "--client", "Acme Ltd")
	wantCode(t, r, 0)
	r = remote(member(marcus), "audit", "list", "--json", "--limit", "1")
	var es []model.AuditEntry
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil || len(es) != 1 || es[0].Actor != marcus || !strings.HasPrefix(es[0].Origin, "ssh ") {
		t.Errorf("remote revoke audited as %+v (%v)", es, err)
	}
	// An Advisor sees only their own actions in the audit log.
	r = remote(member(sara), "audit", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &es); err != nil || len(es) == 0 {
		t.Fatalf("advisor audit: %v %+v", err, r)
	}
	for _, e := range es {
		if e.Actor != sara {
			t.Errorf("an Advisor sees %s's entry", e.Actor)
		}
	}
	if r := remote(member(sara), "help"); r.code != 0 || !strings.Contains(r.stdout, "access revoke") {
		t.Errorf("remote help: %+v", r)
	}
}
