package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// a is a list of arguments, to keep the table below short.
func a(args ...string) []string { return args }

// nameSlots are, per command, the ways its arguments name something: a
// member's email, a client folder, an account, a role. %E, %C, %A and %R
// stand for the name under test; @E, @C, @AC (a folder with an account the
// asker does not reach) and @R for what the asker sees, @O for the Owner.
var nameSlots = map[string][][]string{
	"access list":        {a("--staff", "%E"), a("--client", "%C")},
	"access grant":       {a("--staff", "%E", "--client", "@C"), a("--staff", "@E", "--client", "%C"), a("--staff", "@E", "--client", "@AC", "--account", "%A")},
	"access revoke":      {a("--staff", "%E"), a("--staff", "@E", "--client", "%C"), a("--staff", "@E", "--client", "@AC", "--account", "%A")},
	"check":              {a("%E", "view", "clients"), a("@E", "view", "client:%C"), a("@O", "view", "client:%C"), a("@E", "access", "account:@AC/%A"), a("@E", "view", "staff:%E"), a("@E", "view", "role:%R")},
	"audit list":         {a("--staff", "%E"), a("--client", "%C")},
	"clients reassign":   {a("--from", "%E", "--to", "@E"), a("--from", "@E", "--to", "%E"), a("--from", "@E", "--unowned", "--client", "%C")},
	"lock":               {a("--staff", "%E", "--reason", "test"), a("--role", "%R", "--reason", "test")},
	"staff list":         {a("--role", "%R")},
	"staff invite":       {a("new.person@northwind.example", "--name", "New", "--role", "%R")},
	"staff bulk-invite":  {a("--file", "-", "--role", "%R")},
	"staff set-role":     {a("%E", "Advisor"), a("@E", "%R")},
	"staff deactivate":   {a("%E")},
	"staff reactivate":   {a("%E")},
	"offboard":           {a("%E"), a("@E", "--reassign-to", "%E")},
	"staff set-password": {a("%E")},
	"staff remove":       {a("%E"), a("@E", "--reassign-to", "%E")},
	"staff set-manager":  {a("%E", "--none"), a("@E", "--manager", "%E")},
	"access who":         {a("--account", "%C/Payroll"), a("--account", "@AC/%A")},
	"keys add":           {a("%E", "key.pub")},

	"clients create":         {a("Harbour Bakery Ltd", "--owner", "%E")},
	"clients rename":         {a("%C", "--name", "Renamed Folder")},
	"clients archive":        {a("%C")},
	"clients restore":        {a("%C")},
	"clients set-owner":      {a("%C", "--none"), a("@C", "--owner", "%E")},
	"clients set-department": {a("%C", "--none")},
	"accounts add":           {a("--account", "%C/Expenses")},
	"accounts rename":        {a("--account", "%C/Payroll", "--name", "Wages"), a("--account", "@AC/%A", "--name", "Wages")},
	"accounts remove":        {a("--account", "%C/Payroll"), a("--account", "@AC/%A")},
	"staff departments":      {a("%E", "--none")},
	"org transfer-ownership": {a("--to", "%E", "--yes")},

	"roles show":         {a("%R")},
	"roles edit":         {a("%R", "--set", "clients.view:all")},
	"roles rename":       {a("%R", "Renamed role")},
	"roles delete":       {a("%R")},
	"roles give":         {a("%R", "--staff", "@E"), a("@R", "--staff", "%E")},
	"whatif role":        {a("--staff", "%E", "--role", "@R"), a("--staff", "@E", "--role", "%R")},
	"departments create": {a("Audit", "--head", "%E")},
	"departments edit":   {a("Tax", "--head", "%E")},
	"departments add":    {a("Tax", "%E")},
	"departments remove": {a("Tax", "%E")},
	"totp reset":         {a("--staff", "%E")},
	"keys list":          {a("%E")},
	"keys remove":        {a("%E", "SHA256:none")},
}

// takesName matches a usage line that names a record to look up.
var takesName = regexp.MustCompile(`\bEMAIL\b|--client NAME|--account NAME|TARGET|\bROLE\b`)

// Every command whose usage takes a member, folder, account or role is in
// nameSlots: a new one cannot escape the comparison.
func TestEveryCommandThatTakesANameIsCompared(t *testing.T) {
	for _, c := range commands {
		if takesName.MatchString(c.args) && nameSlots[c.name] == nil && c.name != "init" {
			t.Errorf("%q takes a name (%s) and is not in nameSlots", c.name, c.args)
		}
	}
	for name := range nameSlots {
		if !slices.ContainsFunc(commands, func(c *command) bool { return c.name == name }) {
			t.Errorf("nameSlots has %q, which is no command", name)
		}
	}
}

// asker is who asks, and what they see and do not.
type asker struct {
	label string
	seen  map[string]string // @E, @C, @AC, @R
	// hidden are real names the asker may not see, by slot (E, C, A, R).
	hidden map[string]string
}

var madeUp = map[string]string{"E": "made.up@northwind.example", "C": "Made Up", "A": "Made Up", "R": "Made Up"}

// fill writes a slot's arguments with name in its place.
func (k asker) fill(cmd string, slot []string, letter, name string) []string {
	out := strings.Fields(cmd)
	for _, s := range slot {
		s = strings.ReplaceAll(s, "%"+letter, name)
		for _, seen := range []string{"@AC", "@E", "@C", "@R", "@O"} {
			s = strings.ReplaceAll(s, seen, k.seen[seen])
		}
		out = append(out, s)
	}
	return out
}

// compareNotFound runs every slot of every command for k with a hidden
// name and a made-up one, and fails where the answers differ.
func compareNotFound(t *testing.T, k asker, run func(args []string) (string, string, int)) int {
	t.Helper()
	compared := 0
	for _, c := range commands {
		for _, slot := range nameSlots[c.name] {
			letter := ""
			for _, s := range slot {
				if i := strings.Index(s, "%"); i >= 0 {
					letter = s[i+1 : i+2]
				}
			}
			hidden, ok := k.hidden[letter]
			if !ok {
				continue
			}
			answers := [2]string{}
			for i, name := range []string{hidden, madeUp[letter]} {
				out, errOut, code := run(k.fill(c.name, slot, letter, name))
				r := strings.NewReplacer(name, "NAME", model.Sanitize(name), "NAME", fmt.Sprintf("%q", name), "NAME")
				answers[i] = fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", code, r.Replace(out), r.Replace(errOut))
			}
			compared++
			if answers[0] != answers[1] {
				t.Errorf("%s: %s answers a name they may not see (%q) differently from a made-up one:\n%s\n--- made up:\n%s",
					k.label, strings.Join(k.fill(c.name, slot, letter, "NAME"), " "), hidden, answers[0], answers[1])
			}
		}
	}
	return compared
}

// hiddenFrom finds names p may not see in the demo, and some it sees.
func hiddenFrom(t *testing.T, svc *model.Service, p model.Principal, label string) asker {
	t.Helper()
	ctx, sys := context.Background(), model.System("test")
	k := asker{label: label, seen: map[string]string{}, hidden: map[string]string{}}
	all, _, err := svc.ListStaff(ctx, sys, model.MemberQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.RoleBuiltin == "owner" {
			k.seen["@O"] = m.Email
		}
		if _, err := svc.MemberByEmail(ctx, p, m.Email); err != nil {
			k.hidden["E"] = m.Email
		} else if m.Email != p.Label {
			k.seen["@E"] = m.Email
		}
	}
	if k.seen["@E"] == "" {
		k.seen["@E"] = p.Label
	}
	clients, _, err := svc.ListClients(ctx, sys, model.ClientQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		if _, err := svc.ClientByName(ctx, p, c.Name); err != nil {
			k.hidden["C"] = c.Name
			continue
		}
		k.seen["@C"] = c.Name
		mine, _ := svc.Accounts(ctx, p, c.ID)
		every, _ := svc.Accounts(ctx, sys, c.ID)
		for _, acc := range every {
			if !slices.ContainsFunc(mine, func(x model.Account) bool { return x.ID == acc.ID }) {
				k.hidden["A"], k.seen["@AC"] = acc.Name, c.Name
			}
		}
	}
	k.seen["@R"] = "Advisor"
	return k
}

// Not found means not found, over SSH with a real client: an Advisor and
// a department Manager of the demo get, for a name they may not see, the
// very answer (stdout, stderr, exit code) a made-up name gets, from every
// command that takes a name.
func TestNotFoundMeansNotFoundOverSSH(t *testing.T) {
	t.Parallel()
	d := newSSHDemo(t)
	compared := 0
	for _, email := range []string{d.info.ExampleAdvisor, "tom.becker@northwind.example"} {
		m, err := d.svc.MemberByEmail(d.ctx, model.System("test"), email)
		if err != nil {
			t.Fatal(err)
		}
		k := hiddenFrom(t, d.svc, model.MemberPrincipal(m, "ssh"), m.RoleName+" "+email)
		if k.hidden["C"] == "" {
			t.Fatalf("%s sees every folder: the demo changed", email)
		}
		client := d.dial(email)
		compared += compareNotFound(t, k, func(args []string) (string, string, int) {
			s, err := client.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var out, errOut bytes.Buffer
			s.Stdout, s.Stderr = &out, &errOut
			quoted := make([]string, len(args))
			for i, arg := range args {
				quoted[i] = model.ShellQuote(arg)
			}
			err = s.Run(strings.Join(quoted, " "))
			var exit *gossh.ExitError
			code := 0
			if errors.As(err, &exit) {
				code = exit.ExitStatus()
			} else if err != nil {
				t.Fatalf("ssh %v: %v", args, err)
			}
			return out.String(), errOut.String(), code
		})
	}
	if compared < 20 {
		t.Errorf("only %d answers compared", compared)
	}
}

// And locally, through a connection's token that sees only some of the
// organisation: the binary answers the same way.
func TestNotFoundMeansNotFoundLocally(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	ctx := context.Background()
	svc, err := model.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	marcus, err := svc.MemberByEmail(ctx, model.System("test"), marcus)
	if err != nil {
		t.Fatal(err)
	}
	var perms []model.Permission
	for _, m := range []model.Module{model.ModuleStaff, model.ModuleClients, model.ModuleAccounts, model.ModuleAccess, model.ModuleAudit} {
		perms = append(perms, model.Permission{Module: m, Verb: model.VerbView, Scope: model.ScopeOwn})
	}
	// Marcus's connection reaches what he owns or was added to.
	_, token, err := svc.CreateConnection(ctx, model.MemberPrincipal(marcus, "test"), "reporting", "api", perms, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.AuthenticateToken(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	k := hiddenFrom(t, svc, p, "connection of "+marcus.Email)
	svc.Close()
	if k.hidden["C"] == "" || k.hidden["E"] == "" {
		t.Fatalf("the connection sees every folder or member: %+v", k.hidden)
	}
	os.WriteFile(filepath.Join(filepath.Dir(path), "key.pub"), nil, 0o600)
	if n := compareNotFound(t, k, func(args []string) (string, string, int) {
		r := runCLIWithEnv(t, []string{"GATEHOUSE_TOKEN=" + token}, append([]string{"--db", path}, args...)...)
		return r.stdout, r.stderr, r.code
	}); n < 10 {
		t.Errorf("only %d answers compared", n)
	}
}
