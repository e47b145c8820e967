package cli

import (
	"strings"
	"testing"
)

func TestOrgDeleteNeedsTheNameAndLeavesAFreshFile(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	before := snapshot(t, path)
	for _, args := range [][]string{
		{"org", "delete", "--db", path},
		{"org", "delete", "--confirm", "northwind advisory", "--db", path},
	} {
		if r := runCLI(t, args...); r.code == 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	if snapshot(t, path) != before {
		t.Fatal("a refused deletion changed the database")
	}
	r := runCLI(t, "org", "delete", "--confirm", "Northwind Advisory", "--db", path)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Deleted Northwind Advisory") || !strings.Contains(r.stdout, "head hash ") {
		t.Fatalf("deletion says %q", r.stdout)
	}
	if n := count(t, path, `SELECT count(*) FROM staff`) + count(t, path, `SELECT count(*) FROM clients`); n != 0 {
		t.Fatalf("%d staff and clients remain", n)
	}
	if n := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'org.delete'`); n != 1 || count(t, path, `SELECT count(*) FROM audit_log`) != 1 {
		t.Fatal("the log is not the one deletion entry")
	}
	r = runCLIWithEnv(t, []string{"GATEHOUSE_PASSWORD=a long passphrase"}, "init", "--org", "Fresh Start", "--name", "Fay Fresh", "--email", "fay@fresh.example", "--db", path)
	wantCode(t, r, 0)
	wantCode(t, runCLI(t, "audit", "verify", "--db", path), 0)
}
