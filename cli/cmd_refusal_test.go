package cli

import (
	"strings"
	"testing"
)

// TestEveryCommandRefusesWhatTheActorMayNot runs every command over the
// SSH path as the demo's read-only Viewer and as an Advisor, each asking
// for something their role does not allow: each is refused with a clear
// message and the database is untouched. A command added without a row
// here fails the test, so none escapes the walk.
func TestEveryCommandRefusesWhatTheActorMayNot(t *testing.T) {
	t.Parallel()
	const ethan = "ethan.wright@northwind.example"
	// refused: the args, and a word the refusal must hold ("not allowed"
	// for the engine's refusals; file and setup commands are refused over
	// SSH whoever asks).
	type attempt struct {
		args []string
		want string
		only string // just this actor (the Viewer may read what an Advisor may not)
	}
	attempts := map[string][]attempt{
		"init":                {{[]string{"init", "--org", "X"}, "gatehouse: ", ""}},
		"demo":                {{[]string{"demo"}, "gatehouse: ", ""}},
		"join":                {{[]string{"join", "aaaaaa-bbbbbb-cccccc-dddddd"}, "gatehouse: ", ""}},
		"staff list":          nil, // reads: what it shows is the engine's (TestRemoteCommandsActAsTheMember)
		"staff invite":        {{[]string{"staff", "invite", "new@northwind.example", "--name", "New", "--role", "Advisor"}, "not allowed", ""}},
		"staff set-role":      {{[]string{"staff", "set-role", sara, "Admin"}, "not allowed", ""}, {[]string{"staff", "set-role", marcus, "Advisor"}, "not allowed", ""}},
		"staff deactivate":    {{[]string{"staff", "deactivate", marcus}, "not allowed", ""}},
		"staff reactivate":    {{[]string{"staff", "reactivate", ethan}, "not allowed", ""}},
		"staff set-password":  {{[]string{"staff", "set-password", olivia}, "gatehouse: ", ""}},
		"offboard":            {{[]string{"offboard", marcus}, "not allowed", ""}},
		"keys add":            {{[]string{"keys", "add", olivia, "-"}, "gatehouse: ", ""}},
		"roles list":          nil,
		"roles show":          nil, // a read of the roles module, as the Roles tab
		"roles create":        {{[]string{"roles", "create", "Mine", "--allow", "clients.view:own"}, "not allowed", ""}},
		"roles edit":          {{[]string{"roles", "edit", "Manager", "--set", "clients.view:all"}, "not allowed", ""}},
		"roles rename":        {{[]string{"roles", "rename", "Manager", "Boss"}, "not allowed", ""}},
		"roles delete":        {{[]string{"roles", "delete", "Viewer", "--move-members-to", "Advisor"}, "not allowed", ""}},
		"roles give":          {{[]string{"roles", "give", "Admin", "--staff", sara, "--yes"}, "not allowed", ""}},
		"departments list":    nil, // a read of the departments module
		"departments show":    nil, // its members as staff list shows them (TestAgreementCommandLine)
		"departments create":  {{[]string{"departments", "create", "Audit"}, "not allowed", ""}},
		"departments edit":    {{[]string{"departments", "edit", "Tax", "--name", "Taxes"}, "not allowed", ""}},
		"departments delete":  {{[]string{"departments", "delete", "Tax"}, "not allowed", ""}},
		"departments add":     {{[]string{"departments", "add", "Tax", marcus}, "not allowed", ""}},
		"departments remove":  {{[]string{"departments", "remove", "Tax", sara}, "not allowed", ""}},
		"connections list":    {{[]string{"connections", "list"}, "not allowed", ""}},
		"connections create":  {{[]string{"connections", "create", "Mine", "--allow", "clients.view:own"}, "not allowed", ""}},
		"connections off":     {{[]string{"connections", "off", "1"}, "not allowed", ""}},
		"connections on":      {{[]string{"connections", "on", "1"}, "not allowed", ""}},
		"settings show":       {{[]string{"settings", "show"}, "not allowed", ""}},
		"settings set":        {{[]string{"settings", "set", "--require-2fa", "no"}, "not allowed", ""}},
		"org rename":          {{[]string{"org", "rename", "Mine"}, "not allowed", ""}},
		"billing show":        {{[]string{"billing", "show"}, "not allowed", ""}},
		"billing set-payment": {{[]string{"billing", "set-payment", "Visa ending 1111"}, "not allowed", ""}},
		// A member's own profile is theirs to change (TestProfileCommandsOverSSH).
		"profile show":              nil,
		"profile set-name":          nil,
		"profile password":          nil,
		"totp enrol":                nil,
		"recovery-codes regenerate": {{[]string{"recovery-codes", "regenerate"}, "need two-factor authentication", grace}},
		"totp reset":                {{[]string{"totp", "reset", "--staff", marcus}, "not allowed", ""}},
		"keys list":                 nil, // a member they see
		// Marcus has no key here: TestProfileCommandsOverSSH refuses one that exists.
		"keys remove": {{[]string{"keys", "remove", marcus, "1"}, "no SSH key", ""}},
		// The Viewer sees staff, roles and access: the preview is hers to read.
		"whatif role":  {{[]string{"whatif", "role", "--staff", marcus, "--role", "Advisor"}, "not allowed", sara}},
		"clients list": nil,
		// A folder the Advisor may not see does not exist for her.
		"access list":       {{[]string{"access", "list", "--client", "Kestrel Logistics"}, `not found: no client named "Kestrel Logistics"`, sara}},
		"access grant":      {{[]string{"access", "grant", "--staff", grace, "--client", "Kestrel Logistics"}, "not allowed", grace}, {[]string{"access", "grant", "--staff", grace, "--client", "Kestrel Logistics"}, "not found", sara}},
		"access revoke":     {{[]string{"access", "revoke", "--staff", marcus}, "not allowed", ""}, {[]string{"access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll"}, "not allowed", ""}},
		"check":             nil, // a question, not a change
		"audit list":        nil, // the Advisor's own entries only (TestRemoteCommandsActAsTheMember)
		"audit export":      {{[]string{"audit", "export", "--format", "csv", "--out", "/tmp/gatehouse-refused.csv"}, "gatehouse: ", ""}},
		"audit verify":      {{[]string{"audit", "verify"}, "not allowed", sara}},
		"audit anchor":      {{[]string{"audit", "anchor"}, "gatehouse: ", ""}},
		"audit tail":        nil, // the Advisor's own entries only (TestAuditTailOverSSH)
		"audit prune":       {{[]string{"audit", "prune", "--before", "2026-01-01"}, "not allowed", ""}},
		"backup":            {{[]string{"backup", "/tmp/gatehouse-refused.db"}, "gatehouse: ", ""}},
		"export":            {{[]string{"export", "--format", "json", "--out", "/tmp/gatehouse-refused.json"}, "gatehouse: ", ""}},
		"import":            {{[]string{"import", "/tmp/gatehouse-refused.json"}, "gatehouse: ", ""}},
		"staff bulk-invite": {{[]string{"staff", "bulk-invite", "--file", "-", "--role", "Advisor"}, "gatehouse: ", ""}},
		"clients reassign":  {{[]string{"clients", "reassign", "--from", sara, "--to", marcus}, "not allowed", ""}},
		"org delete":        {{[]string{"org", "delete", "--confirm", "Northwind Advisory"}, "gatehouse: ", ""}},
		"check-db":          {{[]string{"check-db"}, "gatehouse: ", ""}},
		"serve":             {{[]string{"serve"}, "gatehouse: ", ""}},
		"lock":              {{[]string{"lock", "--staff", marcus, "--reason", "x"}, "not allowed", ""}, {[]string{"lock", "--role", "Admin", "--reason", "x"}, "not allowed", ""}},
		"lock list":         nil, // whoever sees the staff list sees its locks
		"unlock":            {{[]string{"unlock", "1"}, "gatehouse: ", ""}},
		"sessions list":     {{[]string{"sessions", "list"}, "not allowed", ""}},
		"sessions end":      {{[]string{"sessions", "end", "1", "--reason", "x"}, "gatehouse: ", ""}},
		// An account the Advisor does not reach does not exist for her.
		"access who":         {{[]string{"access", "who", "--account", "Kestrel Logistics/Payroll"}, "not found", sara}},
		"invitations list":   nil, // a read of the staff module, as the app's invitations list
		"invitations resend": {{[]string{"invitations", "resend", pending}, "not allowed", ""}},
		"invitations revoke": {{[]string{"invitations", "revoke", pending}, "not allowed", ""}},
		"staff remove":       {{[]string{"staff", "remove", marcus}, "not allowed", ""}},
		"staff set-manager":  {{[]string{"staff", "set-manager", marcus, "--none"}, "not allowed", ""}},
		"staff departments":  {{[]string{"staff", "departments", sara, "--add", "Payroll & HR"}, "not allowed", ""}},
		// Folders they see, so that the refusal is the engine's.
		"clients create":         {{[]string{"clients", "create", "Harbour Bakery Ltd"}, "not allowed", ""}},
		"clients rename":         {{[]string{"clients", "rename", "Acme Ltd", "--name", "Acme Holdings Ltd"}, "not allowed", ""}},
		"clients archive":        {{[]string{"clients", "archive", "Acme Ltd"}, "not allowed", ""}},
		"clients restore":        {{[]string{"clients", "restore", "Acme Ltd"}, "not allowed", ""}},
		"clients set-owner":      {{[]string{"clients", "set-owner", "Acme Ltd", "--none"}, "not allowed", ""}},
		"clients set-department": {{[]string{"clients", "set-department", "Acme Ltd", "--none"}, "not allowed", ""}},
		"accounts add":           {{[]string{"accounts", "add", "--account", "Acme Ltd/Expenses"}, "not allowed", ""}},
		"accounts rename":        {{[]string{"accounts", "rename", "--account", "Acme Ltd/Payroll", "--name", "Wages"}, "not allowed", ""}},
		"accounts remove":        {{[]string{"accounts", "remove", "--account", "Acme Ltd/Payroll"}, "not allowed", ""}},
		"org transfer-ownership": {{[]string{"org", "transfer-ownership", "--to", marcus, "--yes"}, "not allowed: " + "", ""}},
	}
	// The column toggle: a folder both see, and may not manage.
	attempts["access grant"] = append(attempts["access grant"], attempt{[]string{"access", "grant", "--client", "Acme Ltd", "--account", "Payroll", "--all-members"}, "not allowed", ""})
	attempts["access revoke"] = append(attempts["access revoke"], attempt{[]string{"access", "revoke", "--client", "Acme Ltd", "--account", "Payroll", "--all-members"}, "not allowed", ""})
	for _, c := range commands {
		if _, ok := attempts[c.name]; !ok {
			t.Errorf("command %q has no refusal case in this test", c.name)
		}
	}

	d := newRemoteDemo(t)
	before := snapshot(t, d.path)
	for _, email := range []string{grace, sara} {
		p := d.member(email)
		for name, tries := range attempts {
			for _, try := range tries {
				if try.only != "" && try.only != email {
					continue
				}
				if r := d.run(p, try.args...); r.code == 0 || !strings.Contains(r.stderr, try.want) {
					t.Errorf("%s as %s: %v: exit %d, stdout %q, stderr %q", name, email, try.args, r.code, r.stdout, r.stderr)
				}
			}
		}
	}
	if after := snapshot(t, d.path); after != before {
		t.Fatalf("refused commands changed the database:\n%s\n%s", before, after)
	}
}
