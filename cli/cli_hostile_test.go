package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestListingsNeverPrintRawControls: names holding escape sequences,
// C1 controls and bidi overrides, written straight into the file (as an
// import or a hand edit could), come out of every listing, table or JSON,
// with nothing a terminal would act on; JSON still reads back to the
// stored names.
func TestListingsNeverPrintRawControls(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	const client = "Acme\x1b]52;c;cHduZWQ=\x07 Ltd\u202e\u009b2J"
	const member = "Sara \x1b[31mLind\u2066qvist\x7f"
	d := sqlDB(t, path)
	if _, err := d.Exec(`UPDATE clients SET name = ? WHERE name = 'Acme Ltd'`, client); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(`UPDATE staff SET name = ? WHERE email = ?`, member, sara); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"clients", "list"}, {"clients", "list", "--json"},
		{"staff", "list"}, {"staff", "list", "--json"},
		{"access", "list", "--staff", sara}, {"access", "list", "--staff", sara, "--json"},
		{"access", "list", "--client", client}, {"access", "list", "--client", client, "--json"},
		{"check", sara, "access", "account:" + client + "/Payroll"},
		{"access", "revoke", "--staff", sara, "--client", client, "--account", "Payroll"},
		{"audit", "list"}, {"audit", "list", "--json"},
		{"audit", "export", "--format", "json"}, {"audit", "export", "--format", "csv"},
		{"export", "--format", "json"},
	} {
		r := runCLI(t, append(args, "--db", path)...)
		for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if bad := terminalControl(out); bad != "" {
				t.Errorf("%v: %s holds %s:\n%s", args, name, bad, out)
			}
		}
		if r.code != 0 && !strings.HasPrefix(args[0], "check") {
			t.Errorf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		if args[len(args)-1] == "--json" {
			if !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, `\u202e`) && !strings.Contains(r.stdout, `\u2066`) {
				t.Errorf("%v: JSON does not carry the names escaped:\n%s", args, r.stdout)
			}
		}
	}
	// The JSON of the clients list reads back to the stored name.
	r := runCLI(t, "clients", "list", "--json", "--db", path)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		for _, v := range row {
			found = found || v == client
		}
	}
	if !found {
		t.Errorf("no row reads back as %q:\n%s", client, r.stdout)
	}
}

// terminalControl names the first thing in s a terminal would act on: an
// ESC or other C0 control but newline and tab, DEL, a C1 control, a bidi
// control, or invalid UTF-8.
func terminalControl(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return fmt.Sprintf("control U+%04X", r)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return "a bidi control"
		}
	}
	return ""
}
