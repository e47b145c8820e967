// Package casbinbench models Gatehouse's "may member X reach account Y"
// in Casbin from the same generated database, so that the same stream of
// checks can be asked of both. It lives in its own module so that
// Gatehouse itself never depends on Casbin.
//
// Two models are built, both the way Casbin's own guidance asks (few or no
// p lines, relations as role links, never one rule per resource):
//
//   - flat: no p lines at all. A toggle turned on is a g link from the
//     member to the account in the folder's domain; every rule that reaches
//     whole sets of folders is a path folder → group → member in g2. The
//     matcher is g(r.sub, r.obj, r.dom) || g2(r.dom, r.sub): two role
//     lookups whatever the policy's size.
//   - grouped: RBAC with domains as Casbin's documentation shows it: one p
//     line per group of folders ("reach" in that group's domain), a member
//     holding "reach" in the groups their role reaches (g), the folders
//     placed in their groups (g2), and toggles as g links as in flat. Casbin
//     evaluates the matcher once per p line, so a check costs one or two
//     role lookups per group.
//
// The groups, for both:
//   - all: every folder, the internal one included; the Owner's;
//   - external: every folder but the internal one; members whose role
//     reaches accounts at scope "all" (Admins);
//   - dept:<D>: folders of department D, or owned by a member of D;
//     members whose role has department scope (the Manager custom role)
//     and who are in D;
//   - owner:<S>: folders owned by member S; department-scope members who
//     are S or S's manager.
//
// Deactivated members, and members whose role may not view accounts, get
// no lines at all: Gatehouse refuses them before looking at anything else.
package casbinbench

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/casbin/casbin/v2"
	cmodel "github.com/casbin/casbin/v2/model"

	"gatehouse/bench"
	"gatehouse/db"
)

// A Model is one way of writing Gatehouse's reach rules in Casbin.
type Model struct {
	Name string
	Text string
	// Policy writes the model's lines from the organisation's facts.
	Policy func(f *Facts) *Policy
}

// Models are every model the benchmark and the agreement tests run.
var Models = []Model{Flat, Grouped}

// Flat is the model without p lines.
var Flat = Model{Name: "flat", Policy: flatPolicy, Text: `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, r.obj, r.dom) || g2(r.dom, r.sub)
`}

// Grouped is RBAC with domains, one p line per group of folders. The
// toggle comes first in the matcher: when it holds, Casbin's short-circuit
// skips the group lookups.
var Grouped = Model{Name: "grouped", Policy: groupedPolicy, Text: `
[request_definition]
r = sub, dom, obj

[policy_definition]
p = sub, dom

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, r.obj, r.dom) || (g2(r.dom, p.dom) && g(r.sub, p.sub, p.dom))
`}

// ModelByName finds a model.
func ModelByName(name string) (Model, error) {
	for _, m := range Models {
		if m.Name == name {
			return m, nil
		}
	}
	return Model{}, fmt.Errorf("no Casbin model %q", name)
}

// Policy is a model's lines: p lines, g lines (roles in domains) and g2
// lines (folder → group → member, or folders in groups).
type Policy struct {
	P, G, G2 [][]string
}

// Lines is the number of policy lines of every kind.
func (p *Policy) Lines() int { return len(p.P) + len(p.G) + len(p.G2) }

// Subject, domain and object names.
func Subject(staffID int64) string  { return "s" + strconv.FormatInt(staffID, 10) }
func Domain(clientID int64) string  { return "c" + strconv.FormatInt(clientID, 10) }
func Object(accountID int64) string { return "a" + strconv.FormatInt(accountID, 10) }

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Facts is what every model is written from, read once from the database.
type Facts struct {
	Members []Member // active members whose role may view accounts
	Folders []Folder
	Toggles []Toggle // toggles on, of the members above
	// ownerDepts: each member's departments (deactivated ones too: a
	// folder's owner places it in their departments whatever their status).
	ownerDepts map[int64][]int64
	manager    map[int64]int64 // member -> their manager
}

// Member is an active member with the scope at which their role reaches
// accounts: owner, all, department or own.
type Member struct {
	ID    int64
	Scope string
	Depts []int64
}

// Folder is a client folder with what places it in groups.
type Folder struct {
	ID, Dept, Owner int64
	Internal        bool
}

// Toggle is an account toggled on for a member of its folder.
type Toggle struct{ Account, Staff, Client int64 }

// ReadFacts reads the organisation.
func ReadFacts(ctx context.Context, q db.Querier) (*Facts, error) {
	f := &Facts{ownerDepts: map[int64][]int64{}, manager: map[int64]int64{}}
	var err error
	if err = each(ctx, q, `SELECT staff_id, department_id FROM staff_departments ORDER BY 1, 2`, func(v []int64) {
		f.ownerDepts[v[0]] = append(f.ownerDepts[v[0]], v[1])
	}, 2); err != nil {
		return nil, err
	}
	if err = each(ctx, q, `SELECT id, manager_id FROM staff WHERE manager_id IS NOT NULL`, func(v []int64) {
		f.manager[v[0]] = v[1]
	}, 2); err != nil {
		return nil, err
	}
	if f.Members, err = activeMembers(ctx, q, f.ownerDepts); err != nil {
		return nil, err
	}
	reaching := map[int64]bool{}
	for _, m := range f.Members {
		reaching[m.ID] = true
	}
	if err = each(ctx, q, `SELECT id, internal, COALESCE(department_id, 0), COALESCE(owner_id, 0) FROM clients ORDER BY id`, func(v []int64) {
		f.Folders = append(f.Folders, Folder{ID: v[0], Internal: v[1] != 0, Dept: v[2], Owner: v[3]})
	}, 4); err != nil {
		return nil, err
	}
	if err = each(ctx, q, `SELECT account_id, staff_id, client_id FROM account_access ORDER BY 1, 2`, func(v []int64) {
		if reaching[v[1]] {
			f.Toggles = append(f.Toggles, Toggle{Account: v[0], Staff: v[1], Client: v[2]})
		}
	}, 3); err != nil {
		return nil, err
	}
	return f, nil
}

// activeMembers reads every active member whose role may view accounts,
// with that scope.
func activeMembers(ctx context.Context, q db.Querier, depts map[int64][]int64) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, COALESCE(r.builtin, ''),
			COALESCE((SELECT rp.scope FROM role_permissions rp WHERE rp.role_id = s.role_id AND rp.module = 'accounts' AND rp.action = 'view'), '')
		FROM staff s JOIN roles r ON r.id = s.role_id WHERE s.status = 'active' ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("policy: members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var builtin, scope string
		if err := rows.Scan(&m.ID, &builtin, &scope); err != nil {
			return nil, err
		}
		switch builtin {
		case "owner":
			m.Scope = "owner"
		case "admin":
			m.Scope = "all"
		case "advisor":
			m.Scope = "own"
		default:
			m.Scope = scope
		}
		if m.Scope == "" {
			continue
		}
		if m.Scope == "department" {
			m.Depts = depts[m.ID]
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// groups lists, for every group, the members it holds, and for every
// folder, its groups. A group without members is left out: no path goes
// through it.
func (f *Facts) groups() (members map[string][]int64, folderGroups func(Folder) []string) {
	members = map[string][]int64{}
	for _, m := range f.Members {
		switch m.Scope {
		case "owner":
			members["all"] = append(members["all"], m.ID)
		case "all":
			members["external"] = append(members["external"], m.ID)
		case "department":
			for _, d := range m.Depts {
				members["dept:"+itoa(d)] = append(members["dept:"+itoa(d)], m.ID)
			}
		}
	}
	deptScope := map[int64]bool{}
	for _, m := range f.Members {
		if m.Scope == "department" {
			deptScope[m.ID] = true
		}
	}
	// owner:<S>: S themselves with department scope, and S's manager with
	// department scope.
	owners := map[int64]bool{}
	for _, fo := range f.Folders {
		if fo.Owner != 0 && !fo.Internal {
			owners[fo.Owner] = true
		}
	}
	for _, s := range sortedKeys(owners) {
		g := "owner:" + itoa(s)
		if deptScope[s] {
			members[g] = append(members[g], s)
		}
		if mgr, ok := f.manager[s]; ok && deptScope[mgr] && mgr != s {
			members[g] = append(members[g], mgr)
		}
	}
	folderGroups = func(fo Folder) []string {
		out := []string{"all"}
		if fo.Internal {
			// No scope but the Owner's reaches it without being added.
			return out
		}
		out = append(out, "external")
		ds := slices.Clone(f.ownerDepts[fo.Owner])
		if fo.Dept != 0 {
			ds = append(ds, fo.Dept)
		}
		slices.Sort(ds)
		for _, d := range slices.Compact(ds) {
			out = append(out, "dept:"+itoa(d))
		}
		if fo.Owner != 0 {
			out = append(out, "owner:"+itoa(fo.Owner))
		}
		kept := out[:0]
		for _, g := range out {
			if len(members[g]) > 0 {
				kept = append(kept, g)
			}
		}
		return kept
	}
	return members, folderGroups
}

func (f *Facts) toggleLines(pol *Policy) {
	for _, t := range f.Toggles {
		pol.G = append(pol.G, []string{Subject(t.Staff), Object(t.Account), Domain(t.Client)})
	}
}

// flatPolicy: g2 holds folder → group and group → member.
func flatPolicy(f *Facts) *Policy {
	pol := &Policy{}
	f.toggleLines(pol)
	members, folderGroups := f.groups()
	for _, g := range sortedStrings(members) {
		for _, m := range members[g] {
			pol.G2 = append(pol.G2, []string{g, Subject(m)})
		}
	}
	for _, fo := range f.Folders {
		for _, g := range folderGroups(fo) {
			pol.G2 = append(pol.G2, []string{Domain(fo.ID), g})
		}
	}
	return pol
}

// groupedPolicy: a p line per group, members holding "reach" in their
// groups' domains, folders in their groups.
func groupedPolicy(f *Facts) *Policy {
	pol := &Policy{}
	f.toggleLines(pol)
	members, folderGroups := f.groups()
	for _, g := range sortedStrings(members) {
		pol.P = append(pol.P, []string{"reach", g})
		for _, m := range members[g] {
			pol.G = append(pol.G, []string{Subject(m), "reach", g})
		}
	}
	for _, fo := range f.Folders {
		for _, g := range folderGroups(fo) {
			pol.G2 = append(pol.G2, []string{Domain(fo.ID), g})
		}
	}
	return pol
}

// NewEnforcer loads a policy into a Casbin CachedEnforcer (no adapter: the
// lines go straight into the model, the fastest load Casbin offers). Its
// cache is off; Cached turns it on. With the cache off, Enforce is the
// plain Enforcer's.
func NewEnforcer(m Model, pol *Policy) (*casbin.CachedEnforcer, error) {
	cm, err := cmodel.NewModelFromString(m.Text)
	if err != nil {
		return nil, fmt.Errorf("casbin model %s: %w", m.Name, err)
	}
	e, err := casbin.NewCachedEnforcer(cm)
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
	e.EnableCache(false)
	e.EnableAutoBuildRoleLinks(false)
	for _, x := range []struct {
		sec, ptype string
		rules      [][]string
	}{{"p", "p", pol.P}, {"g", "g", pol.G}, {"g", "g2", pol.G2}} {
		if len(x.rules) == 0 {
			continue
		}
		if err := e.GetModel().AddPolicies(x.sec, x.ptype, x.rules); err != nil {
			return nil, fmt.Errorf("casbin %s lines: %w", x.ptype, err)
		}
	}
	if err := e.BuildRoleLinks(); err != nil {
		return nil, fmt.Errorf("casbin role links: %w", err)
	}
	return e, nil
}

// Request is a check in Casbin's terms.
type Request struct {
	Sub, Dom, Obj string
}

// Requests turns a stream into Casbin requests; the folder of each account
// is looked up here, outside the timed loop, since Casbin's request must
// name its domain.
func Requests(ctx context.Context, q db.Querier, stream []bench.Check) ([]Request, error) {
	folder := map[int64]int64{}
	if err := each(ctx, q, `SELECT id, client_id FROM accounts`, func(v []int64) { folder[v[0]] = v[1] }, 2); err != nil {
		return nil, err
	}
	out := make([]Request, len(stream))
	for i, c := range stream {
		client, ok := folder[c.Account]
		if !ok {
			return nil, fmt.Errorf("requests: no account %d", c.Account)
		}
		out[i] = Request{Sub: Subject(c.Staff), Dom: Domain(client), Obj: Object(c.Account)}
	}
	return out, nil
}

// Enforce asks Casbin one request.
func Enforce(e casbin.IEnforcer, r Request) (bool, error) {
	return e.Enforce(r.Sub, r.Dom, r.Obj)
}

// each runs a query of n integer columns and calls fn with every row.
func each(ctx context.Context, q db.Querier, query string, fn func([]int64), n int) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	defer rows.Close()
	v := make([]int64, n)
	dest := make([]any, n)
	for i := range v {
		dest[i] = &v[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		fn(v)
	}
	return rows.Err()
}

func sortedKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedStrings[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
