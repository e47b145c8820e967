package cli

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditCSVIsSafeToPrintAndToOpen: names holding OSC 52, BEL, CSI, C1
// and bidi controls, and one that a spreadsheet would run as a formula,
// written straight into the file (as an old import or a hand edit could),
// come out of `audit export --format csv` with nothing a terminal acts on
// and the formula opened with an apostrophe. An export of that database
// cannot be imported: the import applies the input checks and names the
// first bad field.
func TestAuditCSVIsSafeToPrintAndToOpen(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	const client = "=HYPERLINK(\"http://evil.example\")\x1b]52;c;cHduZWQ=\x07\u202e\u009b2J"
	const member = "@SUM(1+1) Sara \x1b[31mLind\u2066qvist\x7f"
	d := sqlDB(t, path)
	if _, err := d.Exec(`UPDATE clients SET name = ? WHERE name = 'Acme Ltd'`, client); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE staff SET name = ? WHERE email = ?`, member, sara); err != nil {
		t.Fatal(err)
	}
	// Two changes whose entries name the hostile client.
	wantCode(t, runCLI(t, "--db", path, "access", "revoke", "--staff", sara, "--client", client, "--account", "Payroll"), 0, "revoke")
	wantCode(t, runCLI(t, "--db", path, "access", "grant", "--staff", sara, "--client", client, "--account", "Payroll"), 0, "grant")

	// A hash column written by hand is text like any other.
	if _, err := d.Exec(`UPDATE audit_log SET hash = ? WHERE id = 1`, "\x1b]52;c;aGFzaA==\x07-hash"); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "--db", path, "audit", "export", "--format", "csv")
	wantCode(t, r, 0, "audit export --format csv")
	if bad := terminalControl(r.stdout); bad != "" {
		t.Fatalf("the CSV export holds %s", bad)
	}
	// The other text outputs of the log: the table, the tail as text and
	// as JSON lines.
	for _, args := range [][]string{{"audit", "list", "--limit", "500"}, {"audit", "tail", "--since-id", "0"}, {"audit", "tail", "--since-id", "0", "--format", "jsonl"}} {
		r := runCLI(t, append([]string{"--db", path}, args...)...)
		wantCode(t, r, 0, args...)
		if bad := terminalControl(r.stdout); bad != "" {
			t.Errorf("%v holds %s", args, bad)
		}
		if !strings.Contains(r.stdout, "HYPERLINK") {
			t.Errorf("%v does not show the hostile client's entries", args)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV export does not parse: %v", err)
	}
	targets := 0
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("entry %s, column %s starts with %q: a spreadsheet runs it", row[0], rows[0][i], cell[:1])
			}
		}
		if strings.HasPrefix(row[9], "'=HYPERLINK") {
			targets++
		}
	}
	if targets < 2 {
		t.Errorf("%d entries name the client as '=HYPERLINK…, want the revoke and the grant", targets)
	}

	// The JSON export of the same log is exact, and an organisation export
	// holding those names is refused by import.
	out := filepath.Join(t.TempDir(), "org.json")
	wantCode(t, runCLI(t, "--db", path, "export", "--format", "json", "--out", out), 0, "export")
	restored := filepath.Join(t.TempDir(), "restored.db")
	r = runCLI(t, "--db", restored, "import", out)
	if r.code != 2 || !strings.Contains(r.stderr, "field name") || !strings.Contains(r.stderr, "nothing was imported") {
		t.Errorf("import of hostile names: exit %d, %s", r.code, r.stderr)
	}
	if bad := terminalControl(r.stderr); bad != "" {
		t.Errorf("the refusal holds %s: %q", bad, r.stderr)
	}
	// The file it created is removed again: a refused import leaves nothing.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if _, err := os.Stat(restored + suffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused import left %s behind (%v)", restored+suffix, err)
		}
	}
}
