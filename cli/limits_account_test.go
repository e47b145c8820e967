package cli

import (
	"strings"
	"testing"

	"gatehouse/model"
)

// CLIENT/ACCOUNT holds a folder's name and an account's, each up to its
// own limit: a folder with a long valid name is addressed like any other.
func TestAnAccountOfALongNamedFolderCanBeAddressed(t *testing.T) {
	t.Parallel()
	if accountPathLen != model.MaxNameLen+1+model.MaxNameLen {
		t.Fatalf("CLIENT/ACCOUNT is capped at %d, not a folder name, a slash and an account name", accountPathLen)
	}
	path := demoCopy(t)
	folder := strings.Repeat("L", model.MaxNameLen)
	wantCode(t, runCLI(t, "clients", "create", folder, "--account", "Payroll", "--db", path), 0)
	wantCode(t, runCLI(t, "accounts", "add", "--account", folder+"/"+strings.Repeat("E", model.MaxNameLen), "--db", path), 0)
	wantCode(t, runCLI(t, "access", "who", "--account", folder+"/Payroll", "--db", path), 0)
	// One past both limits is refused by its length, before anything runs.
	r := runCLI(t, "access", "who", "--account", folder+"L/"+strings.Repeat("E", model.MaxNameLen), "--db", path)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--account is 242 characters long; at most 241") {
		t.Fatalf("an over-long CLIENT/ACCOUNT: %+v", r)
	}
}

// A description's refusal names the description, and its limit is the
// one the README's limits table gives (that table is limits.go's:
// TestREADMECommandTableIsTheTree).
func TestDescriptionRefusalsNameTheField(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	for _, args := range [][]string{
		a("departments", "create", "Audit", "--description", "a\x1b[2Jb"),
		a("roles", "create", "Reviewer", "--allow", "clients.view:all", "--description", "a\x07b"),
	} {
		r := runCLI(t, append(args, "--db", path)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "description contains control characters") {
			t.Errorf("%q: %+v", args, r)
		}
	}
	if flagLimits["description"] != model.MaxMessageLen || !strings.Contains(limitsTable(), "`--description`") {
		t.Errorf("--description's limit %d is not the table's:\n%s", flagLimits["description"], limitsTable())
	}
}
