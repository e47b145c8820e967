package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gatehouse/model"
)

func fileMode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestBackupExportImport(t *testing.T) {
	t.Parallel()
	src := demoCopy(t)
	dir := t.TempDir()

	bak := filepath.Join(dir, "backup.db")
	r := runCLI(t, "--db", src, "backup", bak)
	wantCode(t, r, 0, "backup")
	if m := fileMode(t, bak); m != 0o600 {
		t.Errorf("backup mode %v, want 0600", m)
	}
	if snapshot(t, bak) != snapshot(t, src) {
		t.Error("the backup differs from the database it copies")
	}
	wantCode(t, runCLI(t, "--db", bak, "check-db"), 0, "check-db on the backup")
	if r := runCLI(t, "--db", src, "backup", bak); r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup over an existing file: %+v", r)
	}

	if r := runCLI(t, "--db", src, "export"); r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Errorf("export to standard output: exit %d, valid JSON %v", r.code, json.Valid([]byte(r.stdout)))
	}
	// The file export is the last change to src: the restored database
	// must hold all of it, its own audit entry included.
	out := filepath.Join(dir, "org.json")
	wantCode(t, runCLI(t, "--db", src, "export", "--format", "json", "--out", out), 0, "export")
	if m := fileMode(t, out); m != 0o600 {
		t.Errorf("export mode %v, want 0600", m)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"password_hash", "totp_secret", "token_hash", "$argon2id$"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the export holds %q", secret)
		}
	}
	if r := runCLI(t, "--db", src, "export", "--format", "csv"); r.code != 2 {
		t.Errorf("export --format csv: %+v", r)
	}

	restored := filepath.Join(dir, "restored.db")
	r = runCLI(t, "--db", restored, "import", out)
	wantCode(t, r, 0, "import")
	if !strings.Contains(r.stdout, "Imported Northwind Advisory") {
		t.Errorf("import: %s", r.stdout)
	}
	if !strings.Contains(r.stdout, "taken as the file gives them") || !strings.Contains(r.stdout, "not for the rows") {
		t.Errorf("import claims more than the chain proves: %s", r.stdout)
	}
	wantCode(t, runCLI(t, "--db", restored, "check-db"), 0, "check-db after import")
	wantCode(t, runCLI(t, "--db", restored, "audit", "verify"), 0, "audit verify after import")
	for _, q := range []string{`SELECT count(*) FROM staff`, `SELECT count(*) FROM clients`, `SELECT count(*) FROM account_access`} {
		if a, b := count(t, src, q), count(t, restored, q); a != b {
			t.Errorf("%s: %d in the source, %d restored", q, a, b)
		}
	}
	// The log comes across whole, and the import is chained after it:
	// who imported, which file (its SHA-256), how much.
	if a, b := count(t, src, `SELECT count(*) FROM audit_log`), count(t, restored, `SELECT count(*) FROM audit_log`); b != a+1 {
		t.Errorf("audit entries: %d in the source, %d restored; want the source's and the import's", a, b)
	}
	sum := sha256.Sum256(data)
	var action, actor, after string
	sqlDB(t, restored).QueryRow(`SELECT action, actor, after FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action, &actor, &after)
	if action != "org.import" || actor == "" || !strings.Contains(after, hex.EncodeToString(sum[:])) || !strings.Contains(after, `"file":"`+out+`"`) {
		t.Errorf("the newest entry after import: %s by %q, %s", action, actor, after)
	}
	before := snapshot(t, restored)
	if r := runCLI(t, "--db", restored, "import", out); r.code == 0 || !strings.Contains(r.stderr, "already holds an organisation") {
		t.Errorf("import over an organisation: %+v", r)
	}
	if snapshot(t, restored) != before {
		t.Error("a refused import changed the database")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"format":"gatehouse-export","tables":[`), 0o600)
	empty := filepath.Join(dir, "empty.db")
	if r := runCLI(t, "--db", empty, "import", bad); r.code == 0 || !strings.HasPrefix(r.stderr, "gatehouse: ") {
		t.Errorf("import of a truncated file: %+v", r)
	}
	// The file the failed import created is removed again.
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("a failed import left %s behind (%v)", empty, err)
	}
}

func TestStaffBulkInvite(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	list := filepath.Join(t.TempDir(), "hires.txt")
	os.WriteFile(list, []byte("ana@hires.example\nnot an address\nben@hires.example; ana@hires.example\n"), 0o600)
	before := count(t, path, `SELECT count(*) FROM invitations`)
	r := runCLI(t, "--db", path, "staff", "bulk-invite", "--file", list, "--role", "Advisor")
	wantCode(t, r, 1, "bulk-invite with bad lines")
	if got := count(t, path, `SELECT count(*) FROM invitations`) - before; got != 2 {
		t.Errorf("%d invitations made, want 2", got)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 || !strings.Contains(lines[0], "ana@hires.example") || !strings.Contains(lines[0], "gatehouse join ") ||
		!strings.Contains(lines[1], "line 2") || !strings.Contains(lines[1], "refused") || !strings.Contains(lines[3], "twice") ||
		lines[4] != "Invited 2 of 4 addresses." {
		t.Errorf("bulk-invite output:\n%s", r.stdout)
	}
	// The printed code redeems: the invitation it names is pending.
	code := strings.Fields(lines[0])[3]
	svc, err := model.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if inv, err := svc.PeekInvitation(context.Background(), code); err != nil || inv.Email != "ana@hires.example" {
		t.Errorf("printed code %q: %+v %v", code, inv, err)
	}

	cmd := gatehouseCmd("cy@hires.example\n", "--db", path, "staff", "bulk-invite", "--file", "-", "--role", "Nobody")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "Nobody") {
		t.Errorf("unknown role: %v %s", err, out)
	}
	if r := runCLI(t, "--db", path, "staff", "bulk-invite"); r.code != 2 {
		t.Errorf("no --file: %+v", r)
	}
}

func TestClientsReassign(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	owned := func(email string) int {
		return count(t, path, `SELECT count(*) FROM clients c JOIN staff s ON s.id = c.owner_id WHERE s.email = '`+email+`'`)
	}
	const amelia = "amelia.brooks@northwind.example"
	n, m := owned(amelia), owned(marcus)
	if n < 2 {
		t.Fatalf("amelia owns %d folders in the demo", n)
	}
	for _, args := range [][]string{
		{"clients", "reassign", "--from", amelia},
		{"clients", "reassign", "--from", amelia, "--to", marcus, "--unowned"},
		{"clients", "reassign", "--to", marcus},
	} {
		if r := runCLI(t, append([]string{"--db", path}, args...)...); r.code != 2 {
			t.Errorf("%v: %+v", args, r)
		}
	}
	before := snapshot(t, path)
	if r := runCLI(t, "--db", path, "clients", "reassign", "--from", marcus, "--unowned", "--client", "Acme Ltd"); r.code != 1 || snapshot(t, path) != before {
		t.Errorf("reassigning a folder marcus does not own: %+v", r)
	}
	r := runCLI(t, "--db", path, "clients", "reassign", "--from", amelia, "--to", marcus)
	wantCode(t, r, 0, "reassign all")
	if owned(amelia) != 0 || owned(marcus) != m+n {
		t.Errorf("after reassign amelia owns %d, marcus %d (was %d + %d)", owned(amelia), owned(marcus), m, n)
	}
	if got := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'client.set-owner'`); got < n {
		t.Errorf("%d client.set-owner entries for %d folders", got, n)
	}
}

func TestCheckDBFindsProblems(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	r := runCLI(t, "--db", path, "check-db")
	wantCode(t, r, 0, "check-db")
	for _, want := range []string{"integrity_check: ok", "foreign_key_check: ok", "audit chain: ok", "head hash "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check-db lacks %q:\n%s", want, r.stdout)
		}
	}
	d := sqlDB(t, path)
	if _, err := d.Exec(`PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`INSERT INTO client_members (client_id, staff_id, added_at) VALUES (1, 99999, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE audit_log SET actor = 'someone else' WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	r = runCLI(t, "--db", path, "check-db")
	wantCode(t, r, 1, "check-db on a damaged file")
	if !strings.Contains(r.stdout, "foreign_key_check: 1 problem") || !strings.Contains(r.stdout, "BROKEN at entry 7") {
		t.Errorf("check-db:\n%s%s", r.stdout, r.stderr)
	}
	if r := runCLI(t, "--db", filepath.Join(t.TempDir(), "none.db"), "check-db"); r.code == 0 {
		t.Errorf("check-db on a missing file: %+v", r)
	}
}

func TestRemoteFileCommandsAreRefused(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	path, as, remote := d.path, d.member, d.run
	dir := t.TempDir()
	before := snapshot(t, path)
	for _, args := range [][]string{
		{"backup", filepath.Join(dir, "b.db")},
		{"import", filepath.Join(dir, "x.json")},
		{"check-db"},
		{"export", "--out", filepath.Join(dir, "e.json")},
		{"staff", "bulk-invite", "--file", "/etc/hostname"},
		{"staff", "bulk-invite", "--file", "-"},
		{"demo", "--staff", "10"},
	} {
		if r := remote(as(olivia), args...); r.code == 0 || !strings.HasPrefix(r.stderr, "gatehouse: ") {
			t.Errorf("%v over SSH: %+v", args, r)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("remote commands wrote %v on the server", entries)
	}
	if snapshot(t, path) != before {
		t.Error("refused remote commands changed the database")
	}
	// Export to standard output is for those who may see everything.
	if r := remote(as(sara), "export"); r.code != 1 || !strings.Contains(r.stderr, "not allowed") {
		t.Errorf("an Advisor exported: %+v", r)
	}
	if r := remote(as(olivia), "export"); r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Errorf("the Owner's export over SSH: exit %d %s", r.code, r.stderr)
	}
}

func TestLargeDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sizes := []string{"--staff", "40", "--clients", "100", "--accounts-per-client", "2", "--grants", "300", "--audit", "500", "--seed", "9"}
	gen := func(name string) (string, result) {
		p := filepath.Join(dir, name)
		return p, runCLI(t, append([]string{"demo", "--db", p, "--no-tui"}, sizes...)...)
	}
	p1, r := gen("a.db")
	wantCode(t, r, 0, "large demo")
	for _, want := range []string{"staff: 39/39 (100%)", "audit history: 500/500 (100%)", "ROWS/S", "clients and accounts", "owner@partners.example"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("large demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\r") {
		t.Error("progress redraws a line when standard output is not a terminal")
	}
	if fileExists(p1 + incompleteSuffix) {
		t.Error("the incomplete file is left after a complete run")
	}
	wantCode(t, runCLI(t, "--db", p1, "check-db"), 0, "check-db on the generated file")
	p2, r := gen("b.db")
	wantCode(t, r, 0, "large demo again")
	q := `SELECT group_concat(email, ',') FROM (SELECT email FROM staff ORDER BY id)`
	var e1, e2 string
	sqlDB(t, p1).QueryRow(q).Scan(&e1)
	sqlDB(t, p2).QueryRow(q).Scan(&e2)
	if e1 == "" || e1 != e2 {
		t.Error("the same seed generated different staff")
	}
	if _, r := gen("a.db"); r.code == 0 || !strings.Contains(r.stderr, "already holds an organisation") {
		t.Errorf("large demo over an organisation: %+v", r)
	}
	if r := runCLI(t, "demo", "--db", filepath.Join(dir, "c.db"), "--no-tui", "--staff", "1"); r.code == 0 || fileExists(filepath.Join(dir, "c.db")) {
		t.Errorf("--staff 1: %+v", r)
	}
}
