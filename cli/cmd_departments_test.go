package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// Departments on the command line: created with a head, renamed and given
// another head, members added and taken out (their other departments
// kept), deleted with its members staying; each change audited.
func TestDepartmentsCommands(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	const amelia = "amelia.brooks@northwind.example" // Payroll & HR
	r := runCLI(t, "departments", "create", "Audit", "--head", marcus, "--description", "Statutory audits", "--db", db)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "Department Audit created") || !strings.Contains(r.stdout, "head Marcus Reid") {
		t.Errorf("departments create:\n%s", r.stdout)
	}
	wantAudit(t, db, "department.create", "Audit")

	r = runCLI(t, "departments", "list", "--json", "--db", db)
	wantCode(t, r, 0)
	var ds []departmentJSON
	if err := json.Unmarshal([]byte(r.stdout), &ds); err != nil || len(ds) != 3 {
		t.Fatalf("departments list --json: %v\n%s", err, r.stdout)
	}

	r = runCLI(t, "departments", "edit", "payroll & hr", "--name", "Payroll", "--head", amelia, "--db", db)
	wantCode(t, r, 0)
	wantAudit(t, db, "department.update", "Payroll")

	r = runCLI(t, "departments", "add", "Tax", amelia, "--db", db)
	wantCode(t, r, 0)
	wantAudit(t, db, "staff.set-departments", amelia)
	r = runCLI(t, "staff", "list", "--filter", "amelia", "--json", "--db", db)
	var ms []memberJSON
	if err := json.Unmarshal([]byte(r.stdout), &ms); err != nil || len(ms) != 1 || len(ms[0].Departments) != 2 {
		t.Errorf("Amelia's departments after add: %v %+v", err, ms)
	}
	before := snapshot(t, db)
	r = runCLI(t, "departments", "add", "Tax", amelia, "--db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "is already in Tax") || snapshot(t, db) != before {
		t.Errorf("adding a member twice: %+v", r)
	}
	r = runCLI(t, "departments", "remove", "Payroll", amelia, "--json", "--db", db)
	wantCode(t, r, 0)
	var res actionResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Command != "departments remove" || len(res.IDs["member"]) == 0 || len(res.IDs["department"]) == 0 {
		t.Errorf("departments remove --json: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, "departments", "show", "Tax", "--json", "--db", db)
	var shown departmentShowJSON
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || shown.Members != 5 || len(shown.MemberList) != 5 {
		t.Errorf("departments show --json: %v\n%s", err, r.stdout)
	}

	r = runCLI(t, "departments", "delete", "Tax", "--db", db)
	wantCode(t, r, 0)
	wantAudit(t, db, "department.delete", "Tax")
	if n := count(t, db, `SELECT count(*) FROM staff WHERE email = '`+sara+`'`); n != 1 {
		t.Error("deleting a department took its members with it")
	}
}

// Departments are changed by those whose role updates them: an Advisor
// and the Viewer are refused over SSH, and the change an Admin makes is
// audited under their name.
func TestDepartmentsRefusedWithoutPermission(t *testing.T) {
	t.Parallel()
	const grace = "grace.kim@northwind.example"
	d := newRemoteDemo(t)
	before := snapshot(t, d.path)
	for _, who := range []string{grace, sara} {
		for _, args := range [][]string{
			{"departments", "create", "Audit"},
			{"departments", "edit", "Tax", "--no-head"},
			{"departments", "delete", "Tax"},
			{"departments", "add", "Tax", marcus},
			{"departments", "remove", "Tax", sara},
		} {
			r := d.run(d.member(who), args...)
			if r.code != 1 || !strings.Contains(r.stderr, "not allowed") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s as %s: %+v", strings.Join(args, " "), who, r)
			}
		}
		// Reading is theirs.
		wantCode(t, d.run(d.member(who), "departments", "show", "Tax"), 0)
	}
	if snapshot(t, d.path) != before {
		t.Fatal("refused department changes changed the database")
	}
	wantCode(t, d.run(d.member(marcus), "departments", "create", "Audit"), 0)
	if actor, action, _ := lastAuditEntry(t, d.path); actor != marcus || action != "department.create" {
		t.Errorf("the department made over SSH is audited as %s %s", actor, action)
	}
}

// Bad input: one line, nothing changed.
func TestDepartmentsRefuseBadInput(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	before := snapshot(t, db)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"departments", "create", "Ta\x1bx"}, 2, "control characters"},
		{[]string{"departments", "create", "Ta\u200bx"}, 2, "invisible character"},
		{[]string{"departments", "create", strings.Repeat("d", 500)}, 2, "characters long; at most"},
		{[]string{"departments", "create", "TAX"}, 1, "already exists"},
		{[]string{"departments", "create", "Audit", "--head", "ethan.wright@northwind.example"}, 1, "deactivated"},
		{[]string{"departments", "create", "Audit", "--head", "nobody@northwind.example"}, 2, "not found"},
		// A Cyrillic "Т" in Тax.
		{[]string{"departments", "edit", "\u0422ax", "--no-head"}, 2, "no department named"},
		{[]string{"departments", "edit", "Tax", "--head", marcus, "--no-head"}, 2, "not both"},
		{[]string{"departments", "edit", "Tax"}, 2, "say what changes"},
		{[]string{"departments", "remove", "Tax", marcus}, 1, "is not in Tax"},
		{[]string{"departments", "add", "Tax"}, 2, "missing EMAIL"},
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
