// Package casbinbench models Gatehouse's "may member X reach account Y"
// in Casbin (RBAC with domains) from the same generated database, so that
// the same stream of checks can be asked of both. It lives in its own
// module so that Gatehouse itself never depends on Casbin.
//
// The translation:
//   - a domain is a client folder ("c<ID>");
//   - each account is a role within its folder ("acc:<ID>") that grants
//     that one account: p, acc:<ID>, c<folder>, a<ID>, reach;
//   - a toggle turned on is the member holding that role in the folder:
//     g, s<member>, acc:<ID>, c<folder>;
//   - being added to a folder is g, s<member>, member, c<folder> (it grants
//     no account by itself, as in Gatehouse);
//   - the rules that reach whole sets of folders are roles in "group
//     domains", and each folder is placed in its groups with g2:
//     all (every folder: the Owner), external (every folder but the
//     internal one: roles whose accounts.view scope is "all", i.e. Admins),
//     dept:<D> (folders of department D), ownerdept:<D> (folders whose owner
//     is in department D), owner:<S> (folders owned by member S); a member
//     whose role has department scope (the Manager custom role) holds
//     reach-dept in dept:<D> and ownerdept:<D> for each of their departments
//     and in owner:<S> for themselves and each member assigned to them;
//   - deactivated members get no lines at all (Gatehouse refuses them
//     before looking at anything else).
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

// ModelText is the Casbin model. The matcher starts with string equality
// on each branch so that Casbin's short-circuit evaluation skips a policy
// line of another folder without calling a role lookup.
const ModelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _
g2 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && ((p.dom == r.dom && p.obj == r.obj && g(r.sub, p.sub, r.dom)) || (p.obj == "*" && g2(r.dom, p.dom) && g(r.sub, p.sub, p.dom)))
`

// Policy is the generated policy: p lines, g lines (roles in domains) and
// g2 lines (folders in groups).
type Policy struct {
	P, G, G2 [][]string
}

// Lines is the number of policy lines of every kind.
func (p *Policy) Lines() int { return len(p.P) + len(p.G) + len(p.G2) }

// Subject, domain and object names.
func Subject(staffID int64) string  { return "s" + strconv.FormatInt(staffID, 10) }
func Domain(clientID int64) string  { return "c" + strconv.FormatInt(clientID, 10) }
func Object(accountID int64) string { return "a" + strconv.FormatInt(accountID, 10) }

const act = "reach"

type member struct {
	id     int64
	scope  string // accounts.view scope: owner, all, department, own, ""
	depts  []int64
	assign []int64 // members whose manager they are
}

// BuildPolicy reads the database and writes the policy.
func BuildPolicy(ctx context.Context, q db.Querier) (*Policy, error) {
	pol := &Policy{}
	members, err := activeMembers(ctx, q)
	if err != nil {
		return nil, err
	}
	active := map[int64]bool{}
	deptScope := map[int64]bool{} // members with department scope, for owner:<S> lines
	for _, m := range members {
		active[m.id] = true
		s := Subject(m.id)
		switch m.scope {
		case "owner":
			pol.G = append(pol.G, []string{s, "owner", "all"})
		case "all":
			pol.G = append(pol.G, []string{s, "reach-all", "external"})
		case "department":
			for _, d := range m.depts {
				pol.G = append(pol.G, []string{s, "reach-dept", "dept:" + itoa(d)}, []string{s, "reach-dept", "ownerdept:" + itoa(d)})
			}
			for _, a := range append([]int64{m.id}, m.assign...) {
				pol.G = append(pol.G, []string{s, "reach-dept", "owner:" + itoa(a)})
				deptScope[a] = true
			}
		}
	}
	pol.P = append(pol.P, []string{"owner", "all", "*", act}, []string{"reach-all", "external", "*", act})
	depts, err := int64s(ctx, q, `SELECT id FROM departments ORDER BY id`)
	if err != nil {
		return nil, err
	}
	for _, d := range depts {
		pol.P = append(pol.P, []string{"reach-dept", "dept:" + itoa(d), "*", act}, []string{"reach-dept", "ownerdept:" + itoa(d), "*", act})
	}
	for _, id := range sortedKeys(deptScope) {
		pol.P = append(pol.P, []string{"reach-dept", "owner:" + itoa(id), "*", act})
	}
	if err := folderGroups(ctx, q, pol); err != nil {
		return nil, err
	}
	if err := accountLines(ctx, q, pol, active); err != nil {
		return nil, err
	}
	return pol, nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// activeMembers reads every active member with the scope at which their
// role reaches accounts.
func activeMembers(ctx context.Context, q db.Querier) ([]member, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, COALESCE(r.builtin, ''),
			COALESCE((SELECT rp.scope FROM role_permissions rp WHERE rp.role_id = s.role_id AND rp.module = 'accounts' AND rp.action = 'view'), '')
		FROM staff s JOIN roles r ON r.id = s.role_id WHERE s.status = 'active' ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("policy: members: %w", err)
	}
	var out []member
	for rows.Next() {
		var m member
		var builtin, scope string
		if err := rows.Scan(&m.id, &builtin, &scope); err != nil {
			rows.Close()
			return nil, err
		}
		switch builtin {
		case "owner":
			m.scope = "owner"
		case "admin":
			m.scope = "all"
		case "advisor":
			m.scope = "own"
		default:
			m.scope = scope
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].scope != "department" {
			continue
		}
		if out[i].depts, err = int64s(ctx, q, `SELECT department_id FROM staff_departments WHERE staff_id = ? ORDER BY 1`, out[i].id); err != nil {
			return nil, err
		}
		if out[i].assign, err = int64s(ctx, q, `SELECT id FROM staff WHERE manager_id = ? ORDER BY 1`, out[i].id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// folderGroups places every folder in its groups. The internal folder is
// only in "all": no scope but the Owner's reaches it without being added.
func folderGroups(ctx context.Context, q db.Querier, pol *Policy) error {
	ownerDepts := map[int64][]int64{}
	rows, err := q.QueryContext(ctx, `SELECT staff_id, department_id FROM staff_departments ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("policy: departments: %w", err)
	}
	for rows.Next() {
		var s, d int64
		if err := rows.Scan(&s, &d); err != nil {
			rows.Close()
			return err
		}
		ownerDepts[s] = append(ownerDepts[s], d)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, internal, COALESCE(department_id, 0), COALESCE(owner_id, 0) FROM clients ORDER BY id`)
	if err != nil {
		return fmt.Errorf("policy: clients: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, dept, owner int64
		var internal bool
		if err := rows.Scan(&id, &internal, &dept, &owner); err != nil {
			return err
		}
		c := Domain(id)
		pol.G2 = append(pol.G2, []string{c, "all"})
		if internal {
			continue
		}
		pol.G2 = append(pol.G2, []string{c, "external"})
		if dept != 0 {
			pol.G2 = append(pol.G2, []string{c, "dept:" + itoa(dept)})
		}
		if owner != 0 {
			pol.G2 = append(pol.G2, []string{c, "owner:" + itoa(owner)})
			for _, d := range ownerDepts[owner] {
				pol.G2 = append(pol.G2, []string{c, "ownerdept:" + itoa(d)})
			}
		}
	}
	return rows.Err()
}

// accountLines writes one role per account, the memberships and the
// toggles of active members.
func accountLines(ctx context.Context, q db.Querier, pol *Policy, active map[int64]bool) error {
	rows, err := q.QueryContext(ctx, `SELECT id, client_id FROM accounts ORDER BY id`)
	if err != nil {
		return fmt.Errorf("policy: accounts: %w", err)
	}
	for rows.Next() {
		var id, client int64
		if err := rows.Scan(&id, &client); err != nil {
			rows.Close()
			return err
		}
		pol.P = append(pol.P, []string{"acc:" + itoa(id), Domain(client), Object(id), act})
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT client_id, staff_id FROM client_members ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("policy: members: %w", err)
	}
	for rows.Next() {
		var client, staff int64
		if err := rows.Scan(&client, &staff); err != nil {
			rows.Close()
			return err
		}
		if active[staff] {
			pol.G = append(pol.G, []string{Subject(staff), "member", Domain(client)})
		}
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT account_id, staff_id, client_id FROM account_access ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("policy: toggles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var acc, staff, client int64
		if err := rows.Scan(&acc, &staff, &client); err != nil {
			return err
		}
		if active[staff] {
			pol.G = append(pol.G, []string{Subject(staff), "acc:" + itoa(acc), Domain(client)})
		}
	}
	return rows.Err()
}

// NewEnforcer loads a policy into a Casbin enforcer (no adapter: the lines
// go straight into the model, the fastest load Casbin offers).
func NewEnforcer(pol *Policy) (*casbin.Enforcer, error) {
	m, err := cmodel.NewModelFromString(ModelText)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
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
	rows, err := q.QueryContext(ctx, `SELECT id, client_id FROM accounts`)
	if err != nil {
		return nil, fmt.Errorf("requests: %w", err)
	}
	for rows.Next() {
		var id, client int64
		if err := rows.Scan(&id, &client); err != nil {
			rows.Close()
			return nil, err
		}
		folder[id] = client
	}
	rows.Close()
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
func Enforce(e *casbin.Enforcer, r Request) (bool, error) {
	return e.Enforce(r.Sub, r.Dom, r.Obj, act)
}

func int64s(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func sortedKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
