package cli

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// jsonCall is one command run with --json on a fresh demo copy: its
// arguments (DB stands for the copy's path, DIR for a scratch folder),
// its environment, and the exit code it should end with.
type jsonCall struct {
	args []string
	env  []string
	code int
}

// jsonCalls runs every registered command with --json; a command added
// without an entry here fails TestEveryCommandAnswersInJSON.
var jsonCalls = map[string][]jsonCall{
	"":                          {{args: []string{"--db", "DB"}, code: 2}},
	"init":                      {{args: []string{"init", "--org", "Acme", "--name", "Ada", "--email", "ada@acme.example", "--db", "DIR/new.db"}, env: []string{"GATEHOUSE_PASSWORD=a long passphrase"}}},
	"demo":                      {{args: []string{"demo", "--no-tui", "--db", "DIR/demo.db"}}},
	"join":                      {{args: []string{"join", "aaaaaa-bbbbbb-cccccc-dddddd", "--db", "DB"}, code: 2}},
	"serve":                     {{args: []string{"serve", "--db", "DB"}, code: 2}},
	"staff list":                {{args: []string{"staff", "list", "--db", "DB"}}},
	"staff invite":              {{args: []string{"staff", "invite", "new.person@northwind.example", "--name", "New Person", "--db", "DB"}}, {args: []string{"staff", "invite", "not-an-email", "--name", "X", "--db", "DB"}, code: 2}},
	"staff bulk-invite":         {{args: []string{"staff", "bulk-invite", "--file", "DIR/list.txt", "--role", "Advisor", "--db", "DB"}}},
	"staff set-role":            {{args: []string{"staff", "set-role", sara, "Manager", "--db", "DB"}}, {args: []string{"staff", "set-role", sara, "Emperor", "--db", "DB"}, code: 2}},
	"staff deactivate":          {{args: []string{"staff", "deactivate", sara, "--db", "DB"}}},
	"staff reactivate":          {{args: []string{"staff", "reactivate", sara, "--db", "DB"}, code: 1}},
	"staff set-password":        {{args: []string{"staff", "set-password", sara, "--db", "DB"}, env: []string{"GATEHOUSE_PASSWORD=another long passphrase"}}},
	"offboard":                  {{args: []string{"offboard", sara, "--reassign-to", marcus, "--db", "DB"}}},
	"keys add":                  {{args: []string{"keys", "add", sara, "DIR/id.pub", "--db", "DB"}}},
	"staff remove":              {{args: []string{"staff", "remove", sara, "--reassign-to", marcus, "--db", "DB"}}},
	"staff set-manager":         {{args: []string{"staff", "set-manager", sara, "--manager", marcus, "--db", "DB"}}, {args: []string{"staff", "set-manager", sara, "--db", "DB"}, code: 2}},
	"invitations list":          {{args: []string{"invitations", "list", "--db", "DB"}}},
	"invitations resend":        {{args: []string{"invitations", "resend", pending, "--db", "DB"}}},
	"invitations revoke":        {{args: []string{"invitations", "revoke", pending, "--db", "DB"}}, {args: []string{"invitations", "revoke", "nobody@northwind.example", "--db", "DB"}, code: 2}},
	"access who":                {{args: []string{"access", "who", "--account", "Acme Ltd/Payroll", "--db", "DB"}}},
	"roles list":                {{args: []string{"roles", "list", "--db", "DB"}}},
	"roles show":                {{args: []string{"roles", "show", "Manager", "--db", "DB"}}, {args: []string{"roles", "show", "Emperor", "--db", "DB"}, code: 2}},
	"roles create":              {{args: []string{"roles", "create", "Support", "--allow", "clients.view:own", "--db", "DB"}}, {args: []string{"roles", "create", "Support", "--allow", "clients.view", "--db", "DB"}, code: 2}},
	"roles edit":                {{args: []string{"roles", "edit", "Manager", "--set", "audit.view:all", "--db", "DB"}}, {args: []string{"roles", "edit", "Admin", "--set", "audit.view:own", "--db", "DB"}, code: 1}},
	"roles rename":              {{args: []string{"roles", "rename", "Manager", "Team lead", "--db", "DB"}}},
	"roles delete":              {{args: []string{"roles", "delete", "Manager", "--move-members-to", "Advisor", "--db", "DB"}}, {args: []string{"roles", "delete", "Manager", "--db", "DB"}, code: 1}},
	"roles give":                {{args: []string{"roles", "give", "Manager", "--staff", sara, "--db", "DB"}}, {args: []string{"roles", "give", "Manager", "--staff", sara, "--yes", "--db", "DB"}}},
	"departments list":          {{args: []string{"departments", "list", "--db", "DB"}}},
	"departments show":          {{args: []string{"departments", "show", "Tax", "--db", "DB"}}, {args: []string{"departments", "show", "Nowhere", "--db", "DB"}, code: 2}},
	"departments create":        {{args: []string{"departments", "create", "Audit", "--head", marcus, "--db", "DB"}}, {args: []string{"departments", "create", "Tax", "--db", "DB"}, code: 1}},
	"departments edit":          {{args: []string{"departments", "edit", "Tax", "--name", "Taxes", "--no-head", "--db", "DB"}}, {args: []string{"departments", "edit", "Tax", "--db", "DB"}, code: 2}},
	"departments delete":        {{args: []string{"departments", "delete", "Tax", "--db", "DB"}}},
	"departments add":           {{args: []string{"departments", "add", "Tax", marcus, "--db", "DB"}}, {args: []string{"departments", "add", "Tax", sara, "--db", "DB"}, code: 1}},
	"departments remove":        {{args: []string{"departments", "remove", "Tax", sara, "--db", "DB"}}},
	"connections list":          {{args: []string{"connections", "list", "--db", "DB"}}},
	"connections create":        {{args: []string{"connections", "create", "Nightly", "--allow", "clients.view:all", "--db", "DB"}}, {args: []string{"connections", "create", "Nightly", "--allow", "clients.view:all", "--kind", "ssh", "--db", "DB"}, code: 2}},
	"connections off":           {{args: []string{"connections", "off", "Nowhere", "--db", "DB"}, code: 2}},
	"connections on":            {{args: []string{"connections", "on", "Nowhere", "--db", "DB"}, code: 2}},
	"settings show":             {{args: []string{"settings", "show", "--db", "DB"}}},
	"settings set":              {{args: []string{"settings", "set", "--idle-timeout", "45m", "--db", "DB"}}, {args: []string{"settings", "set", "--idle-timeout", "soon", "--db", "DB"}, code: 2}},
	"org rename":                {{args: []string{"org", "rename", "Northwind LLP", "--db", "DB"}}},
	"billing show":              {{args: []string{"billing", "show", "--db", "DB"}}},
	"billing set-payment":       {{args: []string{"billing", "set-payment", "Visa ending 4242", "--db", "DB"}}},
	"profile show":              {{args: []string{"profile", "show", "--db", "DB"}, code: 1}},
	"profile set-name":          {{args: []string{"profile", "set-name", "Root", "--db", "DB"}, code: 1}},
	"profile password":          {{args: []string{"profile", "password", "--db", "DB"}, code: 1}},
	"totp enrol":                {{args: []string{"totp", "enrol", "--db", "DB"}, code: 1}},
	"totp reset":                {{args: []string{"totp", "reset", "--staff", sara, "--db", "DB"}}, {args: []string{"totp", "reset", "--db", "DB"}, code: 1}},
	"recovery-codes regenerate": {{args: []string{"recovery-codes", "regenerate", "--db", "DB"}, code: 1}},
	"keys list":                 {{args: []string{"keys", "list", sara, "--db", "DB"}}},
	"keys remove":               {{args: []string{"keys", "remove", sara, "SHA256:none", "--db", "DB"}, code: 2}},
	"whatif role":               {{args: []string{"whatif", "role", "--staff", sara, "--role", "Owner", "--db", "DB"}}},
	"clients list":              {{args: []string{"clients", "list", "--db", "DB"}}},
	"clients reassign":          {{args: []string{"clients", "reassign", "--from", sara, "--to", marcus, "--db", "DB"}}},
	"access list":               {{args: []string{"access", "list", "--staff", sara, "--db", "DB"}}},
	"access grant":              {{args: []string{"access", "grant", "--staff", sara, "--client", "Kestrel Logistics", "--db", "DB"}}},
	"access revoke":             {{args: []string{"access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--db", "DB"}}},
	"check": {{args: []string{"check", sara, "view", "client:Acme Ltd", "--db", "DB"}},
		{args: []string{"check", sara, "view", "client:Kestrel Logistics", "--db", "DB"}, code: 1}},
	"lock":          {{args: []string{"lock", "--staff", sara, "--reason", "laptop stolen", "--db", "DB"}}},
	"lock list":     {{args: []string{"lock", "list", "--all", "--db", "DB"}}},
	"unlock":        {{args: []string{"unlock", "999", "--db", "DB"}, code: 2}},
	"sessions list": {{args: []string{"sessions", "list", "--db", "DB"}}},
	"sessions end":  {{args: []string{"sessions", "end", "999", "--reason", "test", "--db", "DB"}, code: 2}},
	"audit list":    {{args: []string{"audit", "list", "--limit", "3", "--db", "DB"}}},
	"audit export": {{args: []string{"audit", "export", "--format", "json", "--db", "DB"}},
		{args: []string{"audit", "export", "--format", "csv", "--out", "DIR/audit.csv", "--db", "DB"}},
		{args: []string{"audit", "export", "--format", "csv", "--db", "DB"}, code: 2}},
	"audit verify": {{args: []string{"audit", "verify", "--db", "DB"}}},
	"audit anchor": {{args: []string{"audit", "anchor", "--out", "DIR/anchors", "--anchor-key", "DIR/anchor.key", "--db", "DB"}}},
	"audit prune":  {{args: []string{"audit", "prune", "--before", "not-a-date", "--db", "DB"}, code: 2}},
	"audit tail": {{args: []string{"audit", "tail", "--lines", "3", "--db", "DB"}},
		{args: []string{"audit", "tail", "--follow", "--db", "DB"}, code: 2}},
	"backup":     {{args: []string{"backup", "DIR/backup.db", "--db", "DB"}}},
	"export":     {{args: []string{"export", "--format", "json", "--db", "DB"}}, {args: []string{"export", "--out", "DIR/org.json", "--db", "DB"}}},
	"import":     {{args: []string{"import", "DIR/missing.json", "--db", "DIR/imported.db"}, code: 1}},
	"check-db":   {{args: []string{"check-db", "--db", "DB"}}},
	"org delete": {{args: []string{"org", "delete", "--confirm", "Northwind Advisory", "--db", "DB"}}},

	"clients create": {{args: []string{"clients", "create", "Harbour Bakery Ltd", "--owner", sara, "--department", "Tax", "--account", "Payroll", "--db", "DB"}},
		{args: []string{"clients", "create", "Acme Ltd", "--db", "DB"}, code: 1}},
	"clients rename":         {{args: []string{"clients", "rename", "Acme Ltd", "--name", "Acme Holdings Ltd", "--db", "DB"}}},
	"clients archive":        {{args: []string{"clients", "archive", "Birchwood Bakery", "--db", "DB"}}},
	"clients restore":        {{args: []string{"clients", "restore", "Birchwood Bakery", "--db", "DB"}, code: 1}},
	"clients set-owner":      {{args: []string{"clients", "set-owner", "Acme Ltd", "--owner", marcus, "--db", "DB"}}, {args: []string{"clients", "set-owner", "Nowhere Ltd", "--none", "--db", "DB"}, code: 2}},
	"clients set-department": {{args: []string{"clients", "set-department", "Acme Ltd", "--none", "--db", "DB"}}},
	"accounts add":           {{args: []string{"accounts", "add", "--account", "Acme Ltd/Expenses", "--db", "DB"}}},
	"accounts rename":        {{args: []string{"accounts", "rename", "--account", "Acme Ltd/Leave", "--name", "Annual Leave", "--db", "DB"}}},
	"accounts remove":        {{args: []string{"accounts", "remove", "--account", "Acme Ltd/Timesheets", "--db", "DB"}}},
	"staff departments":      {{args: []string{"staff", "departments", sara, "--add", "Payroll & HR", "--db", "DB"}}},
	"org transfer-ownership": {{args: []string{"org", "transfer-ownership", "--to", marcus, "--yes", "--db", "DB"}}, {args: []string{"org", "transfer-ownership", "--to", sara, "--yes", "--db", "DB"}, code: 1}},
}

// Every command takes --json: a listing prints an array, any other
// command one object saying what it did, and an error is an object on
// standard error with the exit code.
func TestEveryCommandAnswersInJSON(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		if _, ok := jsonCalls[c.name]; !ok {
			t.Errorf("%q has no --json call in jsonCalls", c.name)
		}
	}
	for name, calls := range jsonCalls {
		for _, call := range calls {
			db, dir := demoCopy(t), t.TempDir()
			prepareJSONScratch(t, dir)
			args := []string{"--json"}
			for _, a := range call.args {
				a = strings.ReplaceAll(a, "DIR", dir)
				if a == "DB" {
					a = db
				}
				args = append(args, a)
			}
			r := runCLIWithEnv(t, call.env, args...)
			if r.code != call.code {
				t.Errorf("%v: exit %d, want %d\nstdout %s\nstderr %s", call.args, r.code, call.code, r.stdout, r.stderr)
				continue
			}
			if r.code != 0 {
				var e struct {
					Error string
					Code  int
				}
				if err := json.Unmarshal([]byte(r.stderr), &e); err != nil || e.Error == "" || e.Code != r.code {
					t.Errorf("%v: stderr is no error object with code %d: %v\n%s", call.args, r.code, err, r.stderr)
				}
				if strings.TrimSpace(r.stdout) != "" {
					t.Errorf("%v: a failure printed %q on stdout", call.args, r.stdout)
				}
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Errorf("%v: stdout is not JSON: %v\n%s", call.args, err, r.stdout)
				continue
			}
			_, isArray := v.([]any)
			obj, isObject := v.(map[string]any)
			switch {
			case strings.HasSuffix(name, " list") || name == "audit tail" || name == "access who":
				if !isArray {
					t.Errorf("%v: a listing printed no array: %s", call.args, r.stdout)
				}
			case dataToStdout[name] && !slices.Contains(call.args, "--out"):
				// The export itself, as JSON.
			case nativeJSON(findCommandNamed(name)):
				if !isObject {
					t.Errorf("%v: no result object: %s", call.args, r.stdout)
				}
			default:
				if !isObject || obj["command"] != name {
					t.Errorf("%v: no result object naming the command: %s", call.args, r.stdout)
				} else if done, _ := obj["done"].([]any); len(done) == 0 {
					t.Errorf("%v: the result says nothing was done: %s", call.args, r.stdout)
				}
			}
			if strings.TrimSpace(r.stderr) != "" {
				t.Errorf("%v: stderr %q on success", call.args, r.stderr)
			}
		}
	}
}

// prepareJSONScratch writes the files the calls read: a list of
// addresses and a public key.
func prepareJSONScratch(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "list.txt"), []byte("ana@hires.example\nben@hires.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "id.pub"), bytes.TrimSpace(ssh.MarshalAuthorizedKey(sp)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func findCommandNamed(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return tuiCommand
}
