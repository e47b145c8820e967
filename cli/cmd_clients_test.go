package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A family case: a change the Owner makes over SSH (the same command tree
// and model calls as locally), the audit entry it leaves, the records its
// --json result names, and the same change refused to the Viewer, who
// sees every record and may change none.
type familyCase struct {
	args []string
	// audit is the action of the newest audit entry afterwards, and
	// target a part of its target.
	audit, target string
	ids           []string // kinds the --json result names in ids
	reach         string   // "members" or "accounts": the --json result says what is reachable now
}

const grace = "grace.kim@northwind.example" // the Viewer

var familyCases = map[string]familyCase{
	"clients create": {args: a("clients", "create", "Harbour Bakery Ltd", "--owner", sara, "--department", "Tax", "--account", "Payroll", "--account", "Timesheets"),
		audit: "client.create", target: "Harbour Bakery Ltd", ids: []string{"client", "account"}},
	"clients rename":  {args: a("clients", "rename", "Acme Ltd", "--name", "Acme Holdings Ltd"), audit: "client.rename", target: "Acme Holdings Ltd", ids: []string{"client"}},
	"clients archive": {args: a("clients", "archive", "Birchwood Bakery"), audit: "client.archive", target: "Birchwood Bakery", ids: []string{"client"}},
	"clients set-owner": {args: a("clients", "set-owner", "Acme Ltd", "--owner", "leo.martins@northwind.example"), audit: "client.set-owner", target: "Acme Ltd",
		ids: []string{"client", "member"}, reach: "members"},
	"clients set-department": {args: a("clients", "set-department", "Meridian Architects", "--department", "Payroll & HR"), audit: "client.set-department", target: "Meridian Architects", ids: []string{"client"}},
	"accounts add": {args: a("accounts", "add", "--account", "Acme Ltd/Expenses"), audit: "account.create", target: "Acme Ltd / Expenses",
		ids: []string{"client", "account"}, reach: "accounts"},
	"accounts rename": {args: a("accounts", "rename", "--account", "Acme Ltd/Leave", "--name", "Annual Leave"), audit: "account.rename", target: "Acme Ltd / Annual Leave", ids: []string{"client", "account"}},
	"accounts remove": {args: a("accounts", "remove", "--account", "Acme Ltd/Timesheets"), audit: "account.remove", target: "Acme Ltd / Timesheets", ids: []string{"client", "account", "member"}},
	"access grant --all-members": {args: a("access", "grant", "--client", "Fairhaven Hotel Group", "--account", "Expenses", "--all-members"),
		audit: "access.toggle", target: "Fairhaven Hotel Group", ids: []string{"client", "account", "member"}, reach: "accounts"},
	"access revoke --all-members": {args: a("access", "revoke", "--client", "Kestrel Logistics", "--account", "Fleet", "--all-members"),
		audit: "access.toggle", target: "Kestrel Logistics", ids: []string{"client", "account", "member"}, reach: "accounts"},
	"staff departments": {args: a("staff", "departments", "leo.martins@northwind.example", "--add", "Payroll & HR"), audit: "staff.set-departments",
		target: "leo.martins@northwind.example", ids: []string{"member"}, reach: "members"},
}

func TestClientFamiliesChangeAuditAndAnswerInJSON(t *testing.T) {
	t.Parallel()
	for name, c := range familyCases {
		d := newRemoteDemo(t)
		before := snapshot(t, d.path)
		if r := d.run(d.member(grace), c.args...); r.code != 1 || !strings.HasPrefix(r.stderr, "gatehouse: not allowed: ") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s as the Viewer: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if snapshot(t, d.path) != before {
			t.Fatalf("%s: the refusal changed the database", name)
		}
		r := d.run(d.member(olivia), append(c.args, "--json")...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%s as the Owner: exit %d\nstdout %s\nstderr %s", name, r.code, r.stdout, r.stderr)
		}
		var res actionResult
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, r.stdout)
		}
		if res.Command != strings.Join(c.args[:2], " ") || len(res.Done) == 0 {
			t.Errorf("%s: result %+v", name, res)
		}
		for _, kind := range c.ids {
			if len(res.IDs[kind]) == 0 {
				t.Errorf("%s: the result names no %s: %s", name, kind, r.stdout)
			}
		}
		switch c.reach {
		case "members":
			if res.Reach == nil || len(res.Reach.Members) != 1 {
				t.Errorf("%s: the result does not say what the member reaches now: %s", name, r.stdout)
			}
		case "accounts":
			if res.Reach == nil || len(res.Reach.Accounts) != 1 || len(res.Reach.Accounts[0].ReachedBy) == 0 {
				t.Errorf("%s: the result does not say who reaches the account now: %s", name, r.stdout)
			}
		}
		var action, actor, target string
		if err := sqlDB(t, d.path).QueryRow(`SELECT action, actor, target FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action, &actor, &target); err != nil {
			t.Fatal(err)
		}
		if action != c.audit || actor != olivia || !strings.Contains(target, c.target) {
			t.Errorf("%s: the newest audit entry is %s by %s on %q; want %s by %s on %q", name, action, actor, target, c.audit, olivia, c.target)
		}
	}
}

// Bad input gets one line and changes nothing: a look-alike of a folder's
// name, control characters, invisible characters, text over its limit,
// an account without its folder, a department they are not in.
func TestClientFamiliesRefuseBadInputInOneLine(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	owner := d.member(olivia)
	before := snapshot(t, d.path)
	long := strings.Repeat("x", 121)
	for _, args := range [][]string{
		{"clients", "rename", "Acme Ltd\u200b", "--name", "Acme Holdings"}, // look-alike: an invisible character
		{"clients", "rename", "Acme Ltd", "--name", "Acme\x1b[31m Holdings"},
		{"clients", "rename", "Acme Ltd", "--name", "Kestrel Logistics"},
		{"clients", "rename", "Acme Ltd"},
		{"clients", "create", "Acme\u200bLtd"},
		{"clients", "create", "Acme Ltd"},
		{"clients", "create", long},
		{"clients", "create", "New Folder", "--account", "Payroll", "--account", "payroll"},
		{"clients", "create", "New Folder", "--department", "Taxx"},
		{"clients", "archive", "Internal accounts"},
		{"clients", "restore", "Acme Ltd"},
		{"clients", "set-owner", "Acme Ltd"},
		{"clients", "set-owner", "Acme Ltd", "--owner", sara, "--none"},
		{"clients", "set-owner", "Acme Ltd", "--owner", "ethan.wright@northwind.example"}, // deactivated
		{"clients", "set-department", "Acme Ltd", "--department", "Тax"},                  // a Cyrillic T
		{"accounts", "add", "--account", "Acme Ltd"},
		{"accounts", "add", "--account", "Acme Ltd/Pay\x07roll"},
		{"accounts", "add", "--account", "Acme Ltd/" + long},
		{"accounts", "rename", "--account", "Acme Ltd/Payroll", "--name", "Leave"},
		{"accounts", "remove", "--account", "Acme Ltd/Payrol"},
		{"access", "grant", "--client", "Acme Ltd", "--all-members"},
		{"access", "grant", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll", "--all-members"},
		{"access", "revoke", "--client", "Lakeside Veterinary", "--account", "Bookkeeping", "--all-members"}, // nobody added
		{"staff", "departments", sara, "--remove", "Payroll & HR"},
		{"staff", "departments", sara, "--add", "Tax\u200b"},
		{"staff", "departments", sara},
		{"org", "transfer-ownership", "--to", marcus},
		{"org", "transfer-ownership", "--to", sara, "--yes"},
	} {
		r := d.run(owner, args...)
		if r.code == 0 || !strings.HasPrefix(r.stderr, "gatehouse: ") || r.stdout != "" {
			t.Errorf("%q: exit %d\nstdout %q\nstderr %q", args, r.code, r.stdout, r.stderr)
		}
		// One line, and a usage error's hint after it.
		if n := strings.Count(r.stderr, "\n"); n != 1 && !(n == 2 && strings.Contains(r.stderr, "--help' for its usage")) {
			t.Errorf("%q: %d lines: %q", args, n, r.stderr)
		}
		if strings.ContainsAny(r.stderr, "\x1b\x07\u200b") {
			t.Errorf("%q: printed back a control or invisible character: %q", args, r.stderr)
		}
	}
	if snapshot(t, d.path) != before {
		t.Fatal("bad input changed the database")
	}
}

// A folder archived and restored comes back as it was; restore of a
// folder not archived, and archive of one already archived, are refused.
func TestClientsArchiveAndRestore(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	owner := d.member(olivia)
	if r := d.run(owner, "clients", "archive", "Birchwood Bakery"); r.code != 0 {
		t.Fatalf("archive: %+v", r)
	}
	if r := d.run(owner, "clients", "list"); strings.Contains(r.stdout, "Birchwood Bakery") {
		t.Fatalf("an archived folder is still listed:\n%s", r.stdout)
	}
	if r := d.run(owner, "clients", "archive", "Birchwood Bakery"); r.code != 1 || !strings.Contains(r.stderr, "already archived") {
		t.Fatalf("archive twice: %+v", r)
	}
	if r := d.run(owner, "clients", "restore", "Birchwood Bakery"); r.code != 0 {
		t.Fatalf("restore: %+v", r)
	}
	if r := d.run(owner, "clients", "list"); !strings.Contains(r.stdout, "Birchwood Bakery") {
		t.Fatalf("a restored folder is not listed:\n%s", r.stdout)
	}
	var actions []string
	rows, err := sqlDB(t, d.path).Query(`SELECT action FROM audit_log WHERE target = 'Birchwood Bakery' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		actions = append(actions, s)
	}
	if !slices.Equal(actions[len(actions)-2:], []string{"client.archive", "client.restore"}) {
		t.Fatalf("audit: %v", actions)
	}
}

// staff departments --add, --remove and --set change the list as said,
// and --json says what the member reaches afterwards.
func TestStaffDepartments(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	owner := d.member(olivia)
	const leo = "leo.martins@northwind.example"
	for _, step := range []struct {
		args []string
		want string
	}{
		{a("--add", "Payroll & HR"), "is now in Tax, Payroll & HR (was in Tax)"},
		{a("--remove", "tax"), "is now in Payroll & HR (was in Tax, Payroll & HR)"},
		{a("--none"), "is now in no department (was in Payroll & HR)"},
		{a("--set", "Tax", "--set", "Payroll & HR"), "is now in"},
	} {
		r := d.run(owner, append([]string{"staff", "departments", leo}, step.args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, step.want) {
			t.Fatalf("%v: %+v", step.args, r)
		}
	}
	if r := d.run(owner, "staff", "list", "--filter", "leo", "--json"); !strings.Contains(r.stdout, `"Payroll \u0026 HR"`) || !strings.Contains(r.stdout, `"Tax"`) {
		t.Fatalf("departments after --set: %s", r.stdout)
	}
}
