package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gatehouse/db"
)

// Permission is one module × verb granted at a scope.
type Permission struct {
	Module Module `json:"module"`
	Verb   Verb   `json:"action"`
	Scope  Scope  `json:"scope"`
}

func (p Permission) String() string {
	return p.Module.String() + "." + p.Verb.String() + ":" + p.Scope.String()
}

// ModuleVerb names one cell of a permission grid.
type ModuleVerb struct {
	Module Module
	Verb   Verb
}

// PermissionSet maps each granted module × verb to the widest scope
// granted; a missing cell is ScopeNone.
type PermissionSet map[ModuleVerb]Scope

// Get returns the scope granted for module × verb (ScopeNone if none).
func (ps PermissionSet) Get(m Module, v Verb) Scope { return ps[ModuleVerb{m, v}] }

// Set grants module × verb at s; ScopeNone removes the cell.
func (ps PermissionSet) Set(m Module, v Verb, s Scope) {
	if s == ScopeNone {
		delete(ps, ModuleVerb{m, v})
		return
	}
	ps[ModuleVerb{m, v}] = s
}

// Clone is a copy of the set.
func (ps PermissionSet) Clone() PermissionSet {
	out := make(PermissionSet, len(ps))
	for k, s := range ps {
		out[k] = s
	}
	return out
}

// List returns the set as permissions, in grid order.
func (ps PermissionSet) List() []Permission {
	var out []Permission
	for k, s := range ps {
		if s == ScopeNone {
			continue
		}
		out = append(out, Permission{Module: k.Module, Verb: k.Verb, Scope: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Module != out[j].Module {
			return out[i].Module < out[j].Module
		}
		return out[i].Verb < out[j].Verb
	})
	return out
}

// Within reports whether every permission of ps is granted by other at the
// same or a wider scope, and names the first that is not.
func (ps PermissionSet) Within(other PermissionSet) (bool, string) {
	for _, p := range ps.List() {
		if have := other.Get(p.Module, p.Verb); have < p.Scope {
			return false, fmt.Sprintf("%s %s at %s scope (you have %s)", p.Verb, p.Module, p.Scope, have)
		}
	}
	return true, ""
}

// Intersect keeps, for each permission, the narrower of the two scopes.
func (ps PermissionSet) Intersect(other PermissionSet) PermissionSet {
	out := PermissionSet{}
	for k, s := range ps {
		out.Set(k.Module, k.Verb, min(s, other[k]))
	}
	return out
}

// NewPermissionSet builds a set from a list, keeping each cell's widest
// scope; it refuses values outside the vocabulary.
func NewPermissionSet(perms []Permission) (PermissionSet, error) {
	ps := PermissionSet{}
	for _, p := range perms {
		if p.Module == ModuleNone || int(p.Module) >= len(moduleNames) {
			return nil, fmt.Errorf("%w: unknown module %d (one of %s)", ErrInvalid, p.Module, ModuleList())
		}
		if p.Verb == VerbNone || int(p.Verb) >= len(verbNames) {
			return nil, fmt.Errorf("%w: unknown action %d (one of %s)", ErrInvalid, p.Verb, joinNames(Verbs))
		}
		if int(p.Scope) >= len(scopeNames) {
			return nil, fmt.Errorf("%w: unknown scope %d (own, department or all)", ErrInvalid, p.Scope)
		}
		if p.Scope > ps.Get(p.Module, p.Verb) {
			ps.Set(p.Module, p.Verb, p.Scope)
		}
	}
	return ps, nil
}

// ParsePermission reads a permission as text names it: a module, a verb
// and a scope.
func ParsePermission(module, verb, scope string) (Permission, error) {
	m, err := ParseModule(module)
	if err != nil {
		return Permission{}, err
	}
	v, err := ParseVerb(verb)
	if err != nil {
		return Permission{}, err
	}
	s, err := ParseScope(scope)
	if err != nil {
		return Permission{}, err
	}
	return Permission{Module: m, Verb: v, Scope: s}, nil
}

// permissionsFromDB parses stored permissions: the one place where rows of
// role_permissions and connection_permissions become the vocabulary.
func permissionsFromDB(rows []db.Permission) (PermissionSet, error) {
	perms := make([]Permission, 0, len(rows))
	for _, r := range rows {
		p, err := ParsePermission(r.Module, r.Action, r.Scope)
		if err != nil {
			return nil, fmt.Errorf("stored permission %s.%s: %w", Sanitize(r.Module), Sanitize(r.Action), err)
		}
		perms = append(perms, p)
	}
	return NewPermissionSet(perms)
}

// permissionsToDB is the set as the store keeps it.
func permissionsToDB(ps PermissionSet) []db.Permission {
	var out []db.Permission
	for _, p := range ps.List() {
		out = append(out, db.Permission{Module: p.Module.String(), Action: p.Verb.String(), Scope: p.Scope.String()})
	}
	return out
}

// RolePermissions is what a role as a list holds it grants: the fixed
// table of a built-in role, the stored cells of a custom one.
func RolePermissions(r Role) (PermissionSet, error) {
	if k := roleKindOf(r.Builtin); k.Builtin() {
		return BuiltinPermissions(k), nil
	}
	return permissionsFromDB(r.Permissions)
}

// everything grants every module × verb at all scope.
func everything() PermissionSet { return everythingBut() }

// everythingBut is every permission at ScopeAll except those named.
func everythingBut(except ...ModuleVerb) PermissionSet {
	ps := PermissionSet{}
	for _, m := range Modules {
		for _, v := range Verbs {
			if !slices.Contains(except, ModuleVerb{m, v}) {
				ps.Set(m, v, ScopeAll)
			}
		}
	}
	return ps
}

// BuiltinPermissions is the fixed permission table of a built-in role
// (PRODUCT.md's role table). Rules that a table cannot say (only the Owner
// makes Admins, internal accounts, never the Owner) live in the engine.
func BuiltinPermissions(k RoleKind) PermissionSet {
	switch k {
	case OwnerRole:
		return everything()
	case AdminRole:
		// Admins see billing but never change the payment method or delete
		// the organisation.
		return everythingBut(ModuleVerb{ModuleBilling, VerbCreate},
			ModuleVerb{ModuleBilling, VerbUpdate}, ModuleVerb{ModuleBilling, VerbDelete})
	case AdvisorRole:
		ps := PermissionSet{}
		ps.Set(ModuleStaff, VerbView, ScopeAll)
		ps.Set(ModuleRoles, VerbView, ScopeAll)
		ps.Set(ModuleDepartments, VerbView, ScopeAll)
		ps.Set(ModuleClients, VerbView, ScopeOwn)
		ps.Set(ModuleAccounts, VerbView, ScopeOwn)
		ps.Set(ModuleAudit, VerbView, ScopeOwn)
		return ps
	}
	return PermissionSet{}
}

// ConnectionPermissionList is what a connection as listed was given, in
// the order it is stored (cells that do not parse are left out).
func ConnectionPermissionList(c Connection) []Permission {
	var out []Permission
	for _, r := range c.Permissions {
		if p, err := ParsePermission(r.Module, r.Action, r.Scope); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// DescribePermissions says in a sentence what a permission grid grants,
// verb by verb, widest scope first: "Views all staff; views their
// departments' clients and accounts; updates their departments' clients."
// Role descriptions written from it cannot disagree with the grid.
func DescribePermissions(ps PermissionSet) string {
	var parts []string
	for _, v := range Verbs {
		for _, s := range []Scope{ScopeAll, ScopeDepartment, ScopeOwn} {
			var mods []Module
			for _, m := range Modules {
				if ps.Get(m, v) == s {
					mods = append(mods, m)
				}
			}
			if len(mods) == 0 {
				continue
			}
			whose := map[Scope]string{ScopeAll: "all", ScopeDepartment: "their departments' and assigned members'", ScopeOwn: "their own"}[s]
			parts = append(parts, fmt.Sprintf("%ss %s %s", v, whose, listWords(mods)))
		}
	}
	if len(parts) == 0 {
		return "Grants nothing."
	}
	text := strings.Join(parts, "; ") + "."
	return strings.ToUpper(text[:1]) + text[1:]
}

// listWords joins names as "a, b and c".
func listWords[T fmt.Stringer](xs []T) string {
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = x.String()
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
