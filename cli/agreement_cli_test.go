package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"gatehouse/db"
	"gatehouse/model"
	"gatehouse/sshd"
)

// agreementOrg is a generated organisation (model.AgreementOptions) with
// what the engine allows each member, decided record by record.
type agreementOrg struct {
	svc       *model.Service
	members   []model.Member
	folders   []model.Client
	accounts  map[int64][]model.Account
	allowed   map[int64]model.Allowed
	grants    []model.Grant
	lastAudit int64
	keys      map[int64]gossh.Signer
}

func newAgreementOrg(t *testing.T, seed uint64, withKeys bool) *agreementOrg {
	t.Helper()
	ctx := context.Background()
	svc, err := model.Open(ctx, filepath.Join(t.TempDir(), "agree.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	sys := model.System("test")
	if _, err := svc.GenerateLarge(ctx, sys, model.AgreementOptions(seed)); err != nil {
		t.Fatal(err)
	}
	o := &agreementOrg{svc: svc, accounts: map[int64][]model.Account{}, allowed: map[int64]model.Allowed{}, keys: map[int64]gossh.Signer{}}
	if o.members, _, err = svc.ListStaff(ctx, sys, model.MemberQuery{}); err != nil {
		t.Fatal(err)
	}
	if withKeys {
		for _, m := range o.members {
			_, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := gossh.NewSignerFromKey(priv)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddSSHKey(ctx, sys, m.ID, string(gossh.MarshalAuthorizedKey(signer.PublicKey()))); err != nil {
				t.Fatal(err)
			}
			o.keys[m.ID] = signer
		}
	}
	if o.folders, _, err = svc.ListClients(ctx, sys, model.ClientQuery{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range o.folders {
		if o.accounts[c.ID], err = svc.Accounts(ctx, sys, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range o.members {
		if o.allowed[m.ID], err = svc.Allowed(ctx, model.MemberPrincipal(m, "agreement")); err != nil {
			t.Fatal(err)
		}
	}
	q := svc.DB().Read()
	if o.grants, err = db.ListGrants(ctx, q, db.GrantQuery{}); err != nil {
		t.Fatal(err)
	}
	if err := q.QueryRowContext(ctx, `SELECT MAX(id) FROM audit_log`).Scan(&o.lastAudit); err != nil {
		t.Fatal(err)
	}
	return o
}

// runner runs one command line as a member and returns what they saw.
type runner func(args ...string) result

// sampler picks the records a per-record command is run for: every one,
// or (over SSH, where each command is a new session) a few the member
// sees and a few they do not.
type sampler func(ids []int64, visible map[int64]bool) []int64

func every(ids []int64, _ map[int64]bool) []int64 { return ids }

// checkCommands runs every read command as member m and compares each
// answer with what the engine allows; it returns the surface and the
// first disagreeing record, or "".
func (o *agreementOrg) checkCommands(m model.Member, run runner, pick sampler) (string, string) {
	al := o.allowed[m.ID]
	var clients []struct {
		ID       int64    `json:"id"`
		Accounts []string `json:"accounts"`
	}
	if problem := runJSON(run, &clients, al.Views[model.ModuleClients], "clients", "list", "--json"); problem != "" {
		return "clients list", problem
	}
	var ids []int64
	for _, c := range clients {
		ids = append(ids, c.ID)
		var want []string
		for _, a := range o.accounts[c.ID] {
			if al.Accounts[a.ID] {
				want = append(want, a.Name)
			}
		}
		if strings.Join(c.Accounts, "|") != strings.Join(want, "|") {
			return "clients list", fmt.Sprintf("folder %d shows accounts %q, the engine allows %q", c.ID, c.Accounts, want)
		}
	}
	if problem := model.Disagreement(ids, model.IDs(al.Folders)); problem != "" {
		return "clients list", problem
	}
	var staff []struct {
		ID int64 `json:"id"`
	}
	if problem := runJSON(run, &staff, al.Views[model.ModuleStaff], "staff", "list", "--json"); problem != "" {
		return "staff list", problem
	}
	ids = nil
	for _, s := range staff {
		ids = append(ids, s.ID)
	}
	if problem := model.Disagreement(ids, model.IDs(al.Members)); problem != "" {
		return "staff list", problem
	}
	// access list, both forms.
	byID := map[int64]model.Client{}
	var folderIDs, memberIDs []int64
	for _, c := range o.folders {
		byID[c.ID] = c
		folderIDs = append(folderIDs, c.ID)
	}
	emails := map[int64]string{}
	for _, s := range o.members {
		emails[s.ID] = s.Email
		memberIDs = append(memberIDs, s.ID)
	}
	for _, f := range pick(folderIDs, al.Folders) {
		want := al.VisibleGrants(o.grantsWhere(func(g model.Grant) bool { return g.ClientID == f }))
		if problem := o.grantsAgree(run, al.Folders[f], want, "access", "list", "--client", byID[f].Name, "--json"); problem != "" {
			return fmt.Sprintf("access list --client %d", f), problem
		}
		if problem := o.auditAgrees(run, al, al.Folders[f], func(e model.AuditEntry) bool { return e.ClientID == f }, "--client", byID[f].Name); problem != "" {
			return fmt.Sprintf("audit list --client %d", f), problem
		}
	}
	for _, s := range pick(memberIDs, al.Members) {
		want := al.VisibleGrants(o.grantsWhere(func(g model.Grant) bool { return g.StaffID == s }))
		if problem := o.grantsAgree(run, al.Members[s], want, "access", "list", "--staff", emails[s], "--json"); problem != "" {
			return fmt.Sprintf("access list --staff %d", s), problem
		}
		if problem := o.auditAgrees(run, al, al.Members[s], func(e model.AuditEntry) bool { return e.StaffID == s }, "--staff", emails[s]); problem != "" {
			return fmt.Sprintf("audit list --staff %d", s), problem
		}
	}
	// access who, for each account of the folders sampled: those it lists
	// are the members the engine lets reach it, of those this member sees;
	// an account they do not reach is not theirs to ask about.
	for _, f := range pick(folderIDs, al.Folders) {
		for _, acc := range o.accounts[f] {
			var rows []struct {
				StaffID int64 `json:"staff_id"`
			}
			if problem := runJSON(run, &rows, al.Accounts[acc.ID], "access", "who", "--account", byID[f].Name+"/"+acc.Name, "--json"); problem != "" {
				return fmt.Sprintf("access who, account %d", acc.ID), problem
			}
			if !al.Accounts[acc.ID] {
				continue
			}
			var got, want []int64
			for _, r := range rows {
				got = append(got, r.StaffID)
			}
			for _, x := range o.members {
				if al.Members[x.ID] && o.allowed[x.ID].Reach[acc.ID] {
					want = append(want, x.ID)
				}
			}
			if problem := model.Disagreement(got, want); problem != "" {
				return fmt.Sprintf("access who, account %d", acc.ID), problem
			}
		}
	}
	if surface, problem := o.rolesAgree(run, m, al); problem != "" {
		return surface, problem
	}
	if surface, problem := o.departmentsAgree(run, m, al); problem != "" {
		return surface, problem
	}
	// Settings, billing and connections: open to whom the engine lets see
	// the module, refused to the others.
	for _, c := range []struct {
		module model.Module
		args   []string
	}{
		{model.ModuleSettings, []string{"settings", "show", "--json"}},
		{model.ModuleBilling, []string{"billing", "show", "--json"}},
		{model.ModuleConnections, []string{"connections", "list", "--json"}},
	} {
		var v any
		if problem := runJSON(run, &v, al.Views[c.module], c.args...); problem != "" {
			return strings.Join(c.args[:2], " "), problem
		}
	}
	// audit list and export.
	if problem := o.auditAgrees(run, al, true, func(model.AuditEntry) bool { return true }); problem != "" {
		return "audit list", problem
	}
	var exported []struct {
		ID int64 `json:"id"`
	}
	if problem := runJSON(run, &exported, al.Views[model.ModuleAudit], "audit", "export", "--format", "json"); problem != "" {
		return "audit export", problem
	}
	ids = nil
	for _, e := range exported {
		if e.ID <= o.lastAudit {
			ids = append(ids, e.ID)
		}
	}
	if problem := model.Disagreement(ids, model.IDs(al.Audit)); problem != "" && al.Views[model.ModuleAudit] {
		return "audit export", problem
	}
	// audit tail, from the first entry, one JSON object a line.
	r := run("audit", "tail", "--format", "jsonl", "--since-id", "0")
	if (r.code == 0) != al.Views[model.ModuleAudit] {
		return "audit tail", fmt.Sprintf("exit %d (%s); may view the audit log: %v", r.code, firstLine(r.stderr), al.Views[model.ModuleAudit])
	}
	if r.code == 0 {
		ids = nil
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var e struct {
				ID int64 `json:"id"`
			}
			if line == "" {
				continue
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				return "audit tail", fmt.Sprintf("line %q: %v", line, err)
			}
			if e.ID <= o.lastAudit {
				ids = append(ids, e.ID)
			}
		}
		if problem := model.Disagreement(ids, model.IDs(al.Audit)); problem != "" {
			return "audit tail", problem
		}
	}
	// The organisation export.
	if r := run("export", "--format", "json"); (r.code == 0) != al.Everything {
		return "export", fmt.Sprintf("exit %d (%s); sees everything: %v", r.code, firstLine(r.stderr), al.Everything)
	}
	// check, about themselves: every folder sampled and its accounts. A
	// member who may not see staff records may not name one, theirs
	// included.
	if m.Status != "active" {
		return "", ""
	}
	if !al.Members[m.ID] {
		if r := run("check", m.Email, "view", "client:"+o.folders[0].Name); r.code == 0 {
			return "check", "answered about a member they may not see: " + firstLine(r.stdout)
		}
		return "", ""
	}
	for _, f := range pick(folderIDs, al.Folders) {
		if r := run("check", m.Email, "view", "client:"+byID[f].Name); (r.code == 0) != al.Folders[f] {
			return "check view client", fmt.Sprintf("folder %d: exit %d (%s), engine %v", f, r.code, firstLine(r.stdout+r.stderr), al.Folders[f])
		}
		for _, a := range o.accounts[f] {
			if r := run("check", m.Email, "access", "account:"+byID[f].Name+"/"+a.Name); (r.code == 0) != al.Reach[a.ID] {
				return "check access account", fmt.Sprintf("account %d: exit %d (%s), engine %v", a.ID, r.code, firstLine(r.stdout+r.stderr), al.Reach[a.ID])
			}
		}
	}
	return "", ""
}

func (o *agreementOrg) grantsWhere(keep func(model.Grant) bool) []model.Grant {
	var out []model.Grant
	for _, g := range o.grants {
		if keep(g) {
			out = append(out, g)
		}
	}
	return out
}

func grantKey(staff, client, account int64) int64 { return staff<<40 | client<<20 | account }

// grantsAgree runs an access list and compares its rows with want; a
// record the member may not see must be refused.
func (o *agreementOrg) grantsAgree(run runner, visible bool, want []model.Grant, args ...string) string {
	var rows []grantJSON
	if problem := runJSON(run, &rows, visible, args...); problem != "" || !visible {
		return problem
	}
	var got, wantKeys []int64
	for _, g := range rows {
		got = append(got, grantKey(g.StaffID, g.ClientID, g.AccountID))
	}
	for _, g := range want {
		wantKeys = append(wantKeys, grantKey(g.StaffID, g.ClientID, g.AccountID))
	}
	if problem := model.Disagreement(got, wantKeys); problem != "" {
		var key int64
		fmt.Sscanf(problem, "record %d", &key)
		return fmt.Sprintf("grant (staff %d, folder %d, account %d): %s", key>>40, key>>20&(1<<20-1), key&(1<<20-1), problem)
	}
	return ""
}

// auditAgrees runs audit list with a filter and compares the entries with
// those the engine lets the member see that pass keep; a filter on a
// record they may not see must be refused.
func (o *agreementOrg) auditAgrees(run runner, al model.Allowed, visible bool, keep func(model.AuditEntry) bool, filter ...string) string {
	visible = visible && al.Views[model.ModuleAudit]
	var entries []model.AuditEntry
	args := append([]string{"audit", "list", "--json", "--limit", "1000000"}, filter...)
	if problem := runJSON(run, &entries, visible, args...); problem != "" || !visible {
		return problem
	}
	all, err := db.ListAudit(context.Background(), o.svc.DB().Read(), db.AuditQuery{Scope: db.Scope{All: true}, BeforeID: o.lastAudit + 1})
	if err != nil {
		return err.Error()
	}
	var got, want []int64
	for _, e := range entries {
		if e.ID <= o.lastAudit {
			got = append(got, e.ID)
		}
	}
	for _, e := range all {
		if al.Audit[e.ID] && keep(e) {
			want = append(want, e.ID)
		}
	}
	return model.Disagreement(got, want)
}

// runJSON runs a command that prints JSON: when ok it must succeed and
// parse into v; otherwise it must fail.
func runJSON(run runner, v any, ok bool, args ...string) string {
	r := run(args...)
	if !ok {
		if r.code == 0 {
			return fmt.Sprintf("answered about a record they may not see: %s", firstLine(r.stdout))
		}
		return ""
	}
	if r.code != 0 {
		return fmt.Sprintf("exit %d: %s", r.code, firstLine(r.stderr))
	}
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		return fmt.Sprintf("output is not JSON: %v", err)
	}
	return ""
}

// Every command-line read surface, run as each member of three generated
// organisations the way the SSH server runs it, answers exactly what the
// engine allows.
func TestAgreementCommandLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, seed := range []uint64{1, 2, 3} {
		o := newAgreementOrg(t, seed, false)
		for _, m := range o.members {
			p := model.MemberPrincipal(m, "ssh SHA256:agreement from 192.0.2.1:5555")
			run := func(args ...string) result {
				var out, errb bytes.Buffer
				code := runCommand(ctx, o.svc, p, args, &out, &errb)
				return result{out.String(), errb.String(), code}
			}
			if surface, problem := o.checkCommands(m, run, every); problem != "" {
				t.Fatalf("seed %d, member %d %s (%s, %s), %s: %s", seed, m.ID, m.Email, m.RoleName, m.Status, surface, problem)
			}
		}
	}
}

// The same commands over a real SSH connection, signed in with each
// active member's key.
func TestAgreementOverSSH(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		o := newAgreementOrg(t, seed, true)
		svc := o.svc
		srv, err := sshd.New(svc, sshd.Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "host_key"),
			Commands: func(ctx context.Context, p model.Principal, args []string, stdout, stderr io.Writer) int {
				return runCommand(ctx, svc, p, args, stdout, stderr)
			}, Logger: log.New(io.Discard)})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		go srv.ListenAndServe()
		for _, m := range o.members {
			if m.Status != "active" {
				continue // refused at the door: sshd tests
			}
			c, err := gossh.Dial("tcp", srv.Addr().String(), &gossh.ClientConfig{User: "oncall",
				Auth: []gossh.AuthMethod{gossh.PublicKeys(o.keys[m.ID])}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
			if err != nil {
				t.Fatalf("seed %d, member %s: dial: %v", seed, m.Email, err)
			}
			run := func(args ...string) result {
				return sshRun(t, c, args)
			}
			surface, problem := o.checkCommands(m, run, model.Sample)
			c.Close()
			if problem != "" {
				t.Fatalf("seed %d, member %d %s (%s) over SSH, %s: %s", seed, m.ID, m.Email, m.RoleName, surface, problem)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(ctx)
		cancel()
	}
}

// sshRun runs one command line in a new session of an SSH connection,
// quoted as a shell would pass it.
func sshRun(t *testing.T, c *gossh.Client, args []string) result {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr = &out, &errOut
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = model.ShellQuote(a)
	}
	err = s.Run(strings.Join(quoted, " "))
	code := 0
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	case err != nil:
		t.Fatalf("ssh %q: %v", args, err)
	}
	return result{out.String(), errOut.String(), code}
}

// access revoke, on every member of three generated organisations in
// turn, in text and --json: when the engine still lets the member reach
// an account after the revoke (their role's reach, whatever their
// access), the command says so; when it says nothing, they reach nothing.
func TestAgreementRevokeSaysWhatTheRoleStillReaches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := model.System("test")
	for _, seed := range []uint64{1, 2, 3} {
		svc, err := model.Open(ctx, filepath.Join(t.TempDir(), "revoke.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close() })
		if _, err := svc.GenerateLarge(ctx, sys, model.AgreementOptions(seed)); err != nil {
			t.Fatal(err)
		}
		members, _, err := svc.ListStaff(ctx, sys, model.MemberQuery{})
		if err != nil {
			t.Fatal(err)
		}
		said := 0
		for i, m := range members {
			args := []string{"access", "revoke", "--staff", m.Email}
			asJSON := i%2 == 0
			if asJSON {
				args = append(args, "--json")
			}
			var out, errb bytes.Buffer
			code := runCommand(ctx, svc, sys, args, &out, &errb)
			var still string
			switch {
			case code != 0:
				// Nothing to revoke: the one line says it all.
				if _, after, ok := strings.Cut(errb.String(), "their role still reaches, whatever their access: "); ok {
					still = after
				}
			case asJSON:
				var r revokeJSON
				if err := json.Unmarshal(out.Bytes(), &r); err != nil {
					t.Fatalf("seed %d, member %d %s: access revoke --json: %v\n%s", seed, m.ID, m.Email, err, out.String())
				}
				still = r.StillReachesThroughRole
			default:
				if _, after, ok := strings.Cut(out.String(), "Their role still reaches, whatever their access: "); ok {
					still = after
				}
			}
			if still != "" {
				said++
			}
			al, err := svc.Allowed(ctx, model.MemberPrincipal(m, "agreement"))
			if err != nil {
				t.Fatal(err)
			}
			if reached := model.IDs(al.Reach); len(reached) > 0 && still == "" {
				t.Fatalf("seed %d, member %d %s (%s, %s), access revoke %s: says nothing of what their role still reaches, but the engine lets them reach account %d after it\nstdout: %sstderr: %s",
					seed, m.ID, m.Email, m.RoleName, m.Status, strings.Join(args[2:], " "), reached[0], out.String(), errb.String())
			}
			if gs, err := db.ListGrants(ctx, svc.DB().Read(), db.GrantQuery{StaffID: m.ID}); err != nil || len(gs) != 0 {
				t.Fatalf("seed %d, member %d %s: access revoke (exit %d) left %d grants (%v)", seed, m.ID, m.Email, code, len(gs), err)
			}
		}
		if said == 0 || said == len(members) {
			t.Fatalf("seed %d: %d of %d revokes said the role still reaches; the organisation proves nothing", seed, said, len(members))
		}
	}
}
