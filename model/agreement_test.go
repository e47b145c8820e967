// Over 600 lines: every model surface checked against Decide on the same
// generated organisations with random custom roles.

package model

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"gatehouse/db"
)

// agreementSeeds are the generated organisations every read surface is
// proven against the engine on.
var agreementSeeds = []uint64{1, 2, 3}

// agreementOrg is one generated organisation with what the engine allows
// each of its members, decided record by record.
type agreementOrg struct {
	svc     *Service
	staff   []int64
	members map[int64]Member
	folders []int64
	// accounts of each folder, all of them.
	accounts map[int64][]int64
	allowed  map[int64]Allowed
	// connections made by members, each with what the engine allows it.
	connections []agreementConnection
	grants      []Grant
	// lastAudit is the newest entry when the allowances were decided;
	// exports made by the test write entries after it, left out.
	lastAudit int64
}

func newAgreementOrg(t *testing.T, seed uint64) *agreementOrg {
	t.Helper()
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "agree.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	if _, err := svc.GenerateLarge(ctx, System("t"), AgreementOptions(seed)); err != nil {
		t.Fatal(err)
	}
	o := &agreementOrg{svc: svc, members: map[int64]Member{}, accounts: map[int64][]int64{}, allowed: map[int64]Allowed{}}
	q := svc.DB().Read()
	if o.staff, err = idsOf(ctx, q, `SELECT id FROM staff ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if o.folders, err = idsOf(ctx, q, `SELECT id FROM clients ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, f := range o.folders {
		accs, err := db.ListAccounts(ctx, q, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accs {
			o.accounts[f] = append(o.accounts[f], a.ID)
		}
	}
	for _, id := range o.staff {
		m, err := db.GetMember(ctx, q, id)
		if err != nil {
			t.Fatal(err)
		}
		o.members[id] = m
	}
	o.makeConnections(t, seed)
	for _, id := range o.staff {
		if o.allowed[id], err = svc.Allowed(ctx, MemberPrincipal(o.members[id], "agreement")); err != nil {
			t.Fatal(err)
		}
	}
	for i := range o.connections {
		c := &o.connections[i]
		if c.allowed, err = svc.Allowed(ctx, c.p); err != nil {
			t.Fatal(err)
		}
	}
	if o.grants, err = db.ListGrants(ctx, q, db.GrantQuery{}); err != nil {
		t.Fatal(err)
	}
	if err := q.QueryRowContext(ctx, `SELECT MAX(id) FROM audit_log`).Scan(&o.lastAudit); err != nil {
		t.Fatal(err)
	}
	o.checkVariety(t)
	return o
}

// agreementConnection is an API connection a member made, acting within
// part of their permissions.
type agreementConnection struct {
	creator Member
	p       Principal
	allowed Allowed
}

// makeConnections has every active member who may create connections make
// one, granted a random part of their own permissions at the same or a
// narrower scope.
func (o *agreementOrg) makeConnections(t *testing.T, seed uint64) {
	t.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 7))
	for _, id := range o.staff {
		m := o.members[id]
		a, err := o.svc.Actor(ctx, MemberPrincipal(m, "agreement"))
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != "active" || !Decide(a, ActCreate, Target{Module: ModuleConnections}).Allowed {
			continue
		}
		var perms []Permission
		for _, p := range a.Perms.List() {
			if rnd.IntN(3) > 0 {
				p.Scope = Scope(1 + rnd.IntN(int(p.Scope)))
				perms = append(perms, p)
			}
		}
		if len(perms) == 0 {
			continue
		}
		_, token, err := o.svc.CreateConnection(ctx, MemberPrincipal(m, "agreement"), fmt.Sprintf("Integration of %d", m.ID), ConnectionAPI, perms, "")
		if err != nil {
			t.Fatal(err)
		}
		p, err := o.svc.AuthenticateToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		o.connections = append(o.connections, agreementConnection{creator: m, p: p})
	}
	if len(o.connections) == 0 {
		t.Fatal("no member made a connection")
	}
}

// checkVariety fails on an organisation too plain to prove anything: some
// member must see some but not all folders, accounts, members and audit
// entries.
func (o *agreementOrg) checkVariety(t *testing.T) {
	t.Helper()
	var partial [4]bool
	for _, al := range o.allowed {
		for i, set := range []map[int64]bool{al.Folders, al.Accounts, al.Members, al.Audit} {
			n := len(IDs(set))
			partial[i] = partial[i] || (n > 0 && n < len(set))
		}
	}
	for i, what := range []string{"folders", "accounts", "members", "audit entries"} {
		if !partial[i] {
			t.Fatalf("degenerate organisation: no member sees only some %s", what)
		}
	}
}

// forEachMember runs check for every member, then for every connection
// (m is then its creator), reporting who, the surface and the first
// disagreeing record.
func (o *agreementOrg) forEachMember(t *testing.T, check func(m Member, p Principal, al Allowed) (surface, problem string)) {
	t.Helper()
	for _, id := range o.staff {
		m := o.members[id]
		if surface, problem := check(m, MemberPrincipal(m, "agreement"), o.allowed[id]); problem != "" {
			t.Fatalf("member %d %s (%s, %s), %s: %s", m.ID, m.Email, m.RoleName, m.Status, surface, problem)
		}
	}
	for _, c := range o.connections {
		if surface, problem := check(c.creator, c.p, c.allowed); problem != "" {
			t.Fatalf("connection %q of %s (%s), %s: %s", c.p.Label, c.creator.Email, c.creator.RoleName, surface, problem)
		}
	}
}

func grantKeys(gs []Grant) []int64 {
	out := make([]int64, len(gs))
	for i, g := range gs {
		out[i] = g.StaffID<<40 | g.ClientID<<20 | g.AccountID
	}
	return out
}

// describeGrantKeys names the grant a problem's record key stands for.
func describeGrantKeys(problem string) string {
	var key int64
	var rest string
	if n, _ := fmt.Sscanf(problem, "record %d %s", &key, &rest); n >= 1 {
		return fmt.Sprintf("grant (staff %d, folder %d, account %d): %s", key>>40, key>>20&(1<<20-1), key&(1<<20-1), problem)
	}
	return problem
}

func (o *agreementOrg) grantsWhere(keep func(Grant) bool) []Grant {
	var out []Grant
	for _, g := range o.grants {
		if keep(g) {
			out = append(out, g)
		}
	}
	return out
}

// refused: the surface answered with an error a reader may get for a
// record they may not see.
func refused(err error) bool { return errors.Is(err, ErrNotFound) || errors.Is(err, ErrDenied) }

// The engine itself: reaching an account implies seeing its folder, and
// seeing an account is reaching it.
func TestAgreementReachImpliesSeeingTheFolder(t *testing.T) {
	t.Parallel()
	for _, seed := range agreementSeeds {
		o := newAgreementOrg(t, seed)
		o.forEachMember(t, func(m Member, p Principal, al Allowed) (string, string) {
			for _, f := range o.folders {
				for _, a := range o.accounts[f] {
					if al.Reach[a] && !al.Folders[f] {
						return "engine", fmt.Sprintf("reaches account %d in folder %d, which they cannot see", a, f)
					}
					if al.Reach[a] != al.Accounts[a] {
						return "engine", fmt.Sprintf("account %d: sees %v, reaches %v", a, al.Accounts[a], al.Reach[a])
					}
				}
			}
			return "", ""
		})
	}
}

func TestAgreementModelSurfaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, seed := range agreementSeeds {
		o := newAgreementOrg(t, seed)
		svc := o.svc
		chk, err := svc.NewChecker(ctx)
		if err != nil {
			t.Fatal(err)
		}
		o.forEachMember(t, func(m Member, p Principal, al Allowed) (string, string) {
			// Clients list.
			cs, _, err := svc.ListClients(ctx, p, ClientQuery{})
			if err != nil && !(refused(err) && !al.Views[ModuleClients]) {
				return "clients list", err.Error()
			}
			if problem := Disagreement(clientIDs(cs), IDs(al.Folders)); problem != "" {
				return "clients list", problem
			}
			// Staff list.
			ms, _, err := svc.ListStaff(ctx, p, MemberQuery{})
			if err != nil && !(refused(err) && !al.Views[ModuleStaff]) {
				return "staff list", err.Error()
			}
			if problem := Disagreement(memberIDs(ms), IDs(al.Members)); problem != "" {
				return "staff list", problem
			}
			// A role's members and a department's members: the staff scope.
			if problem := o.groupsAgree(ctx, p, al); problem != "" {
				return "members of a role or department", problem
			}
			for _, f := range o.folders {
				// A folder's accounts, as lists and the grid show them.
				var want []int64
				for _, a := range o.accounts[f] {
					if al.Accounts[a] {
						want = append(want, a)
					}
				}
				for _, surface := range []struct {
					name string
					list func(context.Context, Principal, int64) ([]Account, error)
				}{{"folder's accounts", svc.Accounts}, {"visible accounts", svc.VisibleAccounts}} {
					accs, err := surface.list(ctx, p, f)
					if problem := listAgrees(err, al.Folders[f], accountIDs(accs), want); problem != "" {
						return fmt.Sprintf("%s of folder %d", surface.name, f), problem
					}
				}
				// Access list --client.
				gs, err := svc.ListGrants(ctx, p, db.GrantQuery{ClientID: f})
				wantGrants := al.VisibleGrants(o.grantsWhere(func(g Grant) bool { return g.ClientID == f }))
				if problem := listAgrees(err, al.Folders[f], grantKeys(gs), grantKeys(wantGrants)); problem != "" {
					return fmt.Sprintf("access list --client %d", f), describeGrantKeys(problem)
				}
				// Who can reach each account; the checker.
				for _, a := range o.accounts[f] {
					rs, err := svc.WhoCanReach(ctx, p, a)
					var want []int64
					for _, s := range o.staff {
						if o.allowed[s].Reach[a] && al.Members[s] {
							want = append(want, s)
						}
					}
					if problem := listAgrees(err, al.Accounts[a], reachIDs(rs), want); problem != "" {
						return fmt.Sprintf("who can reach account %d", a), problem
					}
					ok, err := chk.CanReach(ctx, m.ID, a)
					if p.Kind == KindMember && (err != nil || ok != al.Reach[a]) {
						return "checker", fmt.Sprintf("account %d: %v (%v), engine %v", a, ok, err, al.Reach[a])
					}
					// The simulator's question.
					d, err := svc.Check(ctx, p, ActAccess, TargetRef{Kind: "account", Module: ModuleAccounts, Client: clientName(o, f), Account: accountName(o, f, a)})
					if err != nil || d.Allowed != al.Reach[a] {
						return "check access", fmt.Sprintf("account %d: %+v (%v), engine %v", a, d, err, al.Reach[a])
					}
				}
				d, err := svc.Check(ctx, p, ActView, TargetRef{Kind: "client", Module: ModuleClients, Client: clientName(o, f)})
				if err != nil || d.Allowed != al.Folders[f] {
					return "check view client", fmt.Sprintf("folder %d: %+v (%v), engine %v", f, d, err, al.Folders[f])
				}
			}
			for _, s := range o.staff {
				// Access list --staff.
				gs, err := svc.ListGrants(ctx, p, db.GrantQuery{StaffID: s})
				wantGrants := al.VisibleGrants(o.grantsWhere(func(g Grant) bool { return g.StaffID == s }))
				if problem := listAgrees(err, al.Members[s], grantKeys(gs), grantKeys(wantGrants)); problem != "" {
					return fmt.Sprintf("access list --staff %d", s), describeGrantKeys(problem)
				}
				// What they reach through their folders (access list --staff's
				// second half, the member's clients view): the account rows.
				sum, err := svc.ReachableBy(ctx, p, s)
				var items, wantItems []Grant
				for _, r := range sum.Items {
					if r.AccountID == 0 {
						continue
					}
					items = append(items, Grant{StaffID: s, ClientID: r.ClientID, AccountID: r.AccountID})
					if r.Decision.Allowed != o.allowed[s].Reach[r.AccountID] {
						return fmt.Sprintf("reachable by %d", s), fmt.Sprintf("account %d: %+v, engine %v", r.AccountID, r.Decision, o.allowed[s].Reach[r.AccountID])
					}
				}
				for _, g := range wantGrants {
					// A deactivated member reaches nothing, toggles or not.
					if g.AccountID != 0 && o.members[s].Status == "active" {
						wantItems = append(wantItems, g)
					}
				}
				if problem := listAgrees(err, al.Members[s], grantKeys(items), grantKeys(wantItems)); problem != "" {
					return fmt.Sprintf("reachable by %d", s), describeGrantKeys(problem)
				}
			}
			// The audit log, whole, exported, and by each filter.
			if problem := o.auditAgrees(ctx, p, al); problem != "" {
				return "audit", problem
			}
			// The organisation export needs sight of everything.
			var buf bytes.Buffer
			err = svc.Export(ctx, p, &buf)
			if (err == nil) != al.Everything {
				return "organisation export", fmt.Sprintf("exported: %v (%v); sees everything: %v", err == nil, err, al.Everything)
			}
			return "", ""
		})
		chk.Close()
	}
}

// groupsAgree lists the members of every role and every department as p
// and compares them with the members the engine lets p see.
func (o *agreementOrg) groupsAgree(ctx context.Context, p Principal, al Allowed) string {
	q := o.svc.DB().Read()
	for _, g := range []struct {
		kind, ids, members string
		list               func(context.Context, Principal, int64) ([]Member, error)
		view               Module
	}{
		{"role", `SELECT id FROM roles ORDER BY id`, `SELECT id FROM staff WHERE role_id = ?`, o.svc.RoleMembers, ModuleRoles},
		{"department", `SELECT id FROM departments ORDER BY id`, `SELECT staff_id FROM staff_departments WHERE department_id = ?`, o.svc.DepartmentMembers, ModuleDepartments},
	} {
		ids, err := idsOf(ctx, q, g.ids)
		if err != nil {
			return err.Error()
		}
		for _, id := range ids {
			got, err := g.list(ctx, p, id)
			if !al.Views[g.view] || !al.Views[ModuleStaff] {
				if err == nil {
					return fmt.Sprintf("%s %d: listed without the right to view %s and staff", g.kind, id, g.view)
				}
				continue
			}
			if err != nil {
				return fmt.Sprintf("%s %d: %v", g.kind, id, err)
			}
			all, err := idsOf(ctx, q, g.members, id)
			if err != nil {
				return err.Error()
			}
			var want []int64
			for _, m := range all {
				if al.Members[m] {
					want = append(want, m)
				}
			}
			if problem := Disagreement(memberIDs(got), want); problem != "" {
				return fmt.Sprintf("%s %d: %s", g.kind, id, problem)
			}
		}
	}
	return ""
}

// listAgrees compares a list surface for one record: when the reader may
// see the record it must answer with exactly want, otherwise refuse.
func listAgrees(err error, visible bool, got, want []int64) string {
	if !visible {
		if err == nil {
			return fmt.Sprintf("answered (%d rows) about a record they may not see", len(got))
		}
		if !refused(err) {
			return err.Error()
		}
		return ""
	}
	if err != nil {
		return err.Error()
	}
	return Disagreement(got, want)
}

func (o *agreementOrg) auditAgrees(ctx context.Context, p Principal, al Allowed) string {
	svc := o.svc
	all, err := db.ListAudit(ctx, svc.DB().Read(), db.AuditQuery{Scope: db.Scope{All: true}, BeforeID: o.lastAudit + 1})
	if err != nil {
		return err.Error()
	}
	wantWhere := func(keep func(AuditEntry) bool) []int64 {
		var out []int64
		for _, e := range all {
			if al.Audit[e.ID] && keep(e) {
				out = append(out, e.ID)
			}
		}
		return out
	}
	anyEntry := al.Views[ModuleAudit]
	got, err := svc.ListAudit(ctx, p, AuditQuery{})
	if err != nil && !(refused(err) && !anyEntry) {
		return "list: " + err.Error()
	}
	if problem := Disagreement(o.old(auditIDs(got)), wantWhere(func(AuditEntry) bool { return true })); problem != "" {
		return "list: " + problem
	}
	var buf bytes.Buffer
	if err := svc.ExportAudit(ctx, p, AuditQuery{}, &buf, "json"); err == nil {
		var exported []struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(buf.Bytes(), &exported); err != nil {
			return "export: " + err.Error()
		}
		var ids []int64
		for _, e := range exported {
			ids = append(ids, e.ID)
		}
		if problem := Disagreement(o.old(ids), wantWhere(func(AuditEntry) bool { return true })); problem != "" {
			return "export: " + problem
		}
	} else if !(refused(err) && !anyEntry) {
		return "export: " + err.Error()
	}
	for _, s := range o.staff {
		got, err := svc.ListAudit(ctx, p, AuditQuery{StaffID: s})
		if problem := listAgrees(err, al.Members[s] && anyEntry, o.old(auditIDs(got)), wantWhere(func(e AuditEntry) bool { return e.StaffID == s })); problem != "" {
			return fmt.Sprintf("--staff %d: %s", s, problem)
		}
	}
	for _, f := range o.folders {
		got, err := svc.ListAudit(ctx, p, AuditQuery{ClientID: f})
		if problem := listAgrees(err, al.Folders[f] && anyEntry, o.old(auditIDs(got)), wantWhere(func(e AuditEntry) bool { return e.ClientID == f })); problem != "" {
			return fmt.Sprintf("--client %d: %s", f, problem)
		}
	}
	for _, s := range o.staff[:5] {
		email := o.members[s].Email
		got, err := svc.ListAudit(ctx, p, AuditQuery{Actor: email})
		if err != nil && !(refused(err) && !anyEntry) {
			return fmt.Sprintf("--actor %s: %v", email, err)
		}
		if problem := Disagreement(o.old(auditIDs(got)), wantWhere(func(e AuditEntry) bool { return strings.Contains(e.Actor, email) })); problem != "" {
			return fmt.Sprintf("--actor %s: %s", email, problem)
		}
	}
	for _, action := range []string{"access.", "access.toggle", "staff.set-role", "client."} {
		got, err := svc.ListAudit(ctx, p, AuditQuery{Action: action})
		if err != nil && !(refused(err) && !anyEntry) {
			return fmt.Sprintf("--action %s: %v", action, err)
		}
		if problem := Disagreement(o.old(auditIDs(got)), wantWhere(func(e AuditEntry) bool { return actionMatches(action, e.Action) })); problem != "" {
			return fmt.Sprintf("--action %s: %s", action, problem)
		}
	}
	return ""
}

// old keeps the entries that existed when the allowances were decided.
func (o *agreementOrg) old(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id <= o.lastAudit {
			out = append(out, id)
		}
	}
	return out
}

func actionMatches(filter, action string) bool {
	if filter[len(filter)-1] == '.' {
		return len(action) >= len(filter) && action[:len(filter)] == filter
	}
	return action == filter
}

// idsOfRows maps rows to their ids.
func idsOfRows[T any](rows []T, id func(T) int64) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func clientIDs(cs []Client) []int64   { return idsOfRows(cs, func(c Client) int64 { return c.ID }) }
func memberIDs(ms []Member) []int64   { return idsOfRows(ms, func(m Member) int64 { return m.ID }) }
func accountIDs(as []Account) []int64 { return idsOfRows(as, func(a Account) int64 { return a.ID }) }
func reachIDs(rs []Reach) []int64     { return idsOfRows(rs, func(r Reach) int64 { return r.StaffID }) }
func auditIDs(es []AuditEntry) []int64 {
	return idsOfRows(es, func(e AuditEntry) int64 { return e.ID })
}

func clientName(o *agreementOrg, f int64) string {
	c, _ := db.GetClient(context.Background(), o.svc.DB().Read(), f)
	return c.Name
}

func accountName(o *agreementOrg, f, a int64) string {
	acc, _ := db.GetAccount(context.Background(), o.svc.DB().Read(), a)
	return acc.Name
}

// Issue 12, item 3: a role that sees only its own folders but reaches its
// department's accounts reaches nothing in a department folder it cannot
// see; once added to that folder it sees it, and reaches its accounts.
func TestReachingAnAccountNeedsSeeingItsFolder(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	if _, err := f.svc.CreateDepartment(f.ctx, owner, "Tax", "", 0); err != nil {
		t.Fatal(err)
	}
	perms := []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeOwn}, {Module: ModuleAccounts, Verb: VerbView, Scope: ScopeDepartment}}
	if _, err := f.svc.CreateRole(f.ctx, owner, "Narrow", "Sees own folders, reaches the department's accounts", perms); err != nil {
		t.Fatal(err)
	}
	leo := f.member("Leo Narrow", "leo@acme.test", "Narrow")
	if err := f.svc.SetDepartments(f.ctx, owner, leo.ID, []string{"Tax"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Greystone Legal LLP", Department: "Tax", Accounts: []string{"Bookkeeping"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := f.check(leo, "view", "client:Greystone Legal LLP"); d.Allowed {
		t.Fatalf("view folder: %+v", d)
	}
	if d := f.check(leo, "access", "account:Greystone Legal LLP/Bookkeeping"); d.Allowed {
		t.Fatalf("reaches an account in a folder he cannot see: %+v", d)
	}
	if sum, err := f.svc.ReachableBy(f.ctx, owner, leo.ID); err != nil || sum.AllAccounts || !strings.Contains(sum.Reason, "the only folders they see") {
		t.Fatalf("what his role reaches: %+v (%v)", sum, err)
	}
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, leo.ID); err != nil {
		t.Fatal(err)
	}
	if d := f.check(leo, "access", "account:Greystone Legal LLP/Bookkeeping"); !d.Allowed {
		t.Fatalf("added to the folder of his department: %+v", d)
	}
	// Accounts view all does not make a role that sees only its own
	// folders reach every account.
	wide := []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeOwn}, {Module: ModuleAccounts, Verb: VerbView, Scope: ScopeAll}}
	if _, err := f.svc.CreateRole(f.ctx, owner, "Wide accounts", "", wide); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRole(f.ctx, owner, leo.ID, "Wide accounts"); err != nil {
		t.Fatal(err)
	}
	if sum, err := f.svc.ReachableBy(f.ctx, owner, leo.ID); err != nil || sum.AllAccounts {
		t.Fatalf("what his role reaches: %+v (%v)", sum, err)
	}
}

// The client list's SQL scope and the engine agree on every combination
// of what makes a folder seen: for a member holding each kind of role and
// each clients scope (own, department, all; the Advisor; the Admin), over
// folders unowned or owned by themselves, a member assigned to them, a
// member of their department or anyone else, in their department, another
// or none, with and without them added; and the internal folder, added
// and not, owned by them and not.
func TestFolderScopeSQLEqualsTheEngineOnEveryCombination(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	for _, d := range []string{"North", "South"} {
		if _, err := f.svc.CreateDepartment(f.ctx, owner, d, "", 0); err != nil {
			t.Fatal(err)
		}
	}
	var roles []string
	for _, s := range Scopes {
		name := "Clients " + s.String()
		perms := []Permission{{Module: ModuleClients, Verb: VerbView, Scope: s}, {Module: ModuleAccounts, Verb: VerbView, Scope: Scopes[len(Scopes)-1-int(s-ScopeOwn)]}}
		if _, err := f.svc.CreateRole(f.ctx, owner, name, "", perms); err != nil {
			t.Fatal(err)
		}
		roles = append(roles, name)
	}
	roles = append(roles, "Advisor", "Admin")
	x := f.member("Xena Actor", "x@acme.test", "Advisor")
	assigned := f.member("Yann Assigned", "y@acme.test", "Advisor")
	peer := f.member("Zoe Peer", "z@acme.test", "Advisor")
	other := f.member("Walt Other", "w@acme.test", "Advisor")
	for _, set := range []struct {
		m     Member
		depts []string
	}{{x, []string{"North"}}, {assigned, []string{"South"}}, {peer, []string{"North"}}, {other, []string{"South"}}} {
		if err := f.svc.SetDepartments(f.ctx, owner, set.m.ID, set.depts); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.SetManager(f.ctx, owner, assigned.ID, x.ID); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range []int64{0, x.ID, assigned.ID, peer.ID, other.ID} {
		for _, dept := range []string{"", "North", "South"} {
			for _, added := range []bool{false, true} {
				n++
				c, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: fmt.Sprintf("Folder %02d", n), OwnerID: o, Department: dept, Accounts: []string{"Main"}})
				if err != nil {
					t.Fatal(err)
				}
				if added {
					if err := f.svc.AddToClient(f.ctx, owner, c.ID, x.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	internal, err := db.InternalClient(f.ctx, f.svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	p := f.as(x)
	for _, internalOwner := range []int64{f.owner.ID, x.ID} {
		if err := f.svc.SetClientOwner(f.ctx, owner, internal.ID, internalOwner); err != nil {
			t.Fatal(err)
		}
		for _, inInternal := range []bool{false, true} {
			var err error
			if inInternal {
				err = f.svc.AddToClient(f.ctx, owner, internal.ID, x.ID)
			} else {
				err = f.svc.RemoveFromClient(f.ctx, owner, internal.ID, x.ID)
			}
			if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrRule) {
				t.Fatal(err)
			}
			for _, role := range roles {
				if err := f.svc.SetRole(f.ctx, owner, x.ID, role); err != nil {
					t.Fatal(err)
				}
				al, err := f.svc.Allowed(f.ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				cs, _, err := f.svc.ListClients(f.ctx, p, ClientQuery{})
				if err != nil {
					t.Fatal(err)
				}
				if problem := Disagreement(clientIDs(cs), IDs(al.Folders)); problem != "" {
					t.Fatalf("role %s, internal folder owned by %d, added to it %v: %s", role, internalOwner, inInternal, problem)
				}
				for _, c := range cs {
					if _, err := f.svc.ClientPosition(f.ctx, p, ClientQuery{}, c.ID); err != nil {
						t.Fatalf("role %s: folder %d listed but has no position: %v", role, c.ID, err)
					}
				}
			}
		}
	}
}
