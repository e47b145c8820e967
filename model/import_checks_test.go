package model

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// demoExport is an export of the demo organisation, with an SSH key, a
// connection and a pending invitation so that every table has rows.
func demoExport(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	sys := System("tester")
	if _, err := svc.PopulateDemo(ctx, sys); err != nil {
		t.Fatal(err)
	}
	staff, _, err := svc.ListStaff(ctx, sys, MemberQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	owner := staff[slices.IndexFunc(staff, func(m Member) bool { return m.RoleName == "Owner" })]
	keyLine := func() string {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " owner@laptop"
	}
	if _, err := svc.AddSSHKey(ctx, sys, owner.ID, keyLine()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateConnection(ctx, MemberPrincipal(owner, "test"), "Ledger sync", "ssh", rolePermSpecs("staff.view:all"), keyLine()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := svc.Export(ctx, sys, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type exportDoc struct {
	Format        string `json:"format"`
	SchemaVersion int    `json:"schema_version"`
	Tables        []struct {
		Name    string   `json:"name"`
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	} `json:"tables"`
}

// importInto imports doc into a new database and says whether it now holds
// an organisation.
func importInto(t *testing.T, doc []byte) (bool, error) {
	t.Helper()
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "restored.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	_, ierr := svc.Import(ctx, System("tester"), bytes.NewReader(doc), "export.json")
	has, err := svc.HasOrg(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return has, ierr
}

// TestImportAppliesTheInputChecks: for every text column that people type
// (and every text column of the audit log), a file whose first row holds
// an escape sequence there is refused, naming the table, the row and the
// field, and nothing is imported. The untouched export imports.
func TestImportAppliesTheInputChecks(t *testing.T) {
	t.Parallel()
	orig := demoExport(t)
	if has, err := importInto(t, orig); err != nil || !has {
		t.Fatalf("the demo's own export does not import: %v", err)
	}
	var doc exportDoc
	dec := json.NewDecoder(bytes.NewReader(orig))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	const hostile = "Acme\x1b]52;c;cHduZWQ=\x07 \u202eLtd"
	tried := 0
	for _, table := range doc.Tables {
		checks := importChecks[table.Name]
		for col := range checks {
			ci := slices.Index(table.Columns, col)
			if ci < 0 {
				t.Errorf("%s has no column %s, yet it is checked", table.Name, col)
				continue
			}
			ri := slices.IndexFunc(table.Rows, func(r []any) bool { return r[ci] != nil })
			if ri < 0 {
				t.Errorf("%s.%s: no row to try", table.Name, col)
				continue
			}
			tried++
			old := table.Rows[ri][ci]
			table.Rows[ri][ci] = hostile
			bad, err := json.Marshal(doc)
			table.Rows[ri][ci] = old
			if err != nil {
				t.Fatal(err)
			}
			has, err := importInto(t, bad)
			if err == nil || has {
				t.Errorf("%s.%s holding an escape sequence was imported (err %v)", table.Name, col, err)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, table.Name+" row ") || !strings.Contains(msg, "field "+col+":") || terminalUnsafe(msg) {
				t.Errorf("%s.%s: refusal %q does not name the field, or is unsafe to print", table.Name, col, msg)
			}
		}
	}
	for _, must := range []string{"staff.name", "staff.email", "clients.name", "accounts.name", "audit_log.target", "invitations.message", "role_permissions.action", "role_permissions.scope", "connection_permissions.action", "connection_permissions.scope"} {
		table, col, _ := strings.Cut(must, ".")
		if importChecks[table][col] == nil {
			t.Errorf("%s is not checked on import", must)
		}
	}
	if tried < 25 {
		t.Errorf("only %d fields tried", tried)
	}
}

// TestImportRefusesWhatTheCommandLineRefuses: the same text that Invite
// refuses is refused in a file, and a name that is not stored as the model
// stores it (untrimmed, an email in capitals) too.
func TestImportRefusesWhatTheCommandLineRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ col, value, says string }{
		{"name", "Zed \u200b\u202e", "control characters"},
		{"name", "Leo\u200bMartins", "invisible character (U+200B"},
		{"name", "Leo\u2060Martins", "invisible character (U+2060"},
		{"name", "  Padded  ", "not as Gatehouse stores it"},
		{"email", "Upper@Example.COM", "not as Gatehouse stores it"},
		{"email", "not an address", "not an email address"},
		{"name", strings.Repeat("x", MaxNameLen+1), "characters long"},
	} {
		if _, err := CleanName("name", tc.value); tc.col == "name" && err == nil && tc.says == "control characters" {
			t.Fatalf("CleanName accepts %q", tc.value)
		}
		err := checkImportRow("staff", []string{"id", tc.col}, []any{json.Number("7"), tc.value}, 2)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "staff row 3 (id 7), field "+tc.col) {
			t.Errorf("%s %q: %v", tc.col, tc.value, err)
		}
	}
}

// TestImportSaysWhyAValueIsNotAsStored: a value refused because it is not
// in the form Gatehouse stores names what is wrong with it. Shown made
// safe, an ESC and its stored picture look alike, so the refusal names
// the character and where it stands.
func TestImportSaysWhyAValueIsNotAsStored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ table, col, value, says string }{
		{"ssh_keys", "comment", "Ev\x1b[31mil", "holds a control character (ESC) at position 3"},
		{"ssh_keys", "comment", "Ev\u202eil", "holds a bidirectional control (U+202E) at position 3"},
		{"ssh_keys", "comment", " padded", "spaces at its start or end"},
		{"ssh_keys", "comment", strings.Repeat("c", maxKeyComment+5), fmt.Sprintf("is %d characters long; Gatehouse keeps %d", maxKeyComment+5, maxKeyComment)},
		{"staff", "email", "Upper@Example.COM", `Gatehouse stores it as "upper@example.com"`},
	} {
		err := checkImportRow(tc.table, []string{"id", tc.col}, []any{json.Number("4"), tc.value}, 0)
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), tc.table+" row 1 (id 4), field "+tc.col+":") || terminalUnsafe(err.Error()) {
			t.Errorf("%s.%s %q: %v", tc.table, tc.col, tc.value, err)
		}
	}
}

// terminalUnsafe reports an ESC, BEL or bidi override.
func terminalUnsafe(s string) bool { return strings.ContainsAny(s, "\x1b\x07\u202e\u009b") }
