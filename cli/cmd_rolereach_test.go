package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// Revoking an Admin's access says what their role still reaches, in text
// and in --json; revoking an Advisor's says nothing of the kind.
func TestRevokeSaysWhatTheRoleStillReaches(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	r := runCLI(t, "--db", path, "access", "revoke", "--staff", "priya.nair@northwind.example")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Their role still reaches, whatever their access: Admin: reaches all client accounts.") {
		t.Errorf("revoking an Admin:\n%s", r.stdout)
	}
	r = runCLI(t, "--db", path, "access", "revoke", "--staff", marcus, "--json")
	wantCode(t, r, 0)
	var out revokeJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !strings.Contains(out.StillReachesThroughRole, "reaches all client accounts") {
		t.Errorf("revoke --json of an Admin: %v\n%s", err, r.stdout)
	}
	// Nothing left to revoke: still said.
	r = runCLI(t, "--db", path, "access", "revoke", "--staff", marcus)
	if r.code == 0 || !strings.Contains(r.stderr, "nothing to revoke; their role still reaches") {
		t.Errorf("revoking an Admin with no access left: %+v", r)
	}
	r = runCLI(t, "--db", path, "access", "revoke", "--staff", sara, "--json")
	wantCode(t, r, 0)
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.StillReachesThroughRole != "" || out.Folders == 0 {
		t.Errorf("revoke --json of an Advisor: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, "--db", path, "offboard", "tom.becker@northwind.example", "--json")
	wantCode(t, r, 0)
	var off offboardJSON
	if err := json.Unmarshal([]byte(r.stdout), &off); err != nil || !off.Deactivated || off.StillReachesThroughRole != "" {
		t.Errorf("offboard --json: %v\n%s", err, r.stdout)
	}
}
