package model

import (
	"fmt"
	"sort"
	"strings"

	"gatehouse/db"
)

// Modules a permission can name (PRODUCT.md, custom roles).
var Modules = []string{"staff", "clients", "accounts", "access", "roles", "departments", "audit", "billing", "connections", "settings"}

// Verbs a permission can name.
var Verbs = []string{"view", "create", "update", "delete"}

// Scopes from narrowest to widest; "" means not granted.
const (
	ScopeNone       = ""
	ScopeOwn        = "own"
	ScopeDepartment = "department"
	ScopeAll        = "all"
)

// Permission is one module x verb at a scope.
type Permission = db.Permission

// PermissionSet maps "module.verb" to the widest scope granted.
type PermissionSet map[string]string

func permKey(module, verb string) string { return module + "." + verb }

func scopeRank(s string) int {
	switch s {
	case ScopeOwn:
		return 1
	case ScopeDepartment:
		return 2
	case ScopeAll:
		return 3
	}
	return 0
}

// Get returns the scope granted for module.verb ("" if none).
func (ps PermissionSet) Get(module, verb string) string { return ps[permKey(module, verb)] }

// List returns the set as sorted permissions.
func (ps PermissionSet) List() []Permission {
	var out []Permission
	for k, s := range ps {
		if s == ScopeNone {
			continue
		}
		m, v, _ := strings.Cut(k, ".")
		out = append(out, Permission{Module: m, Action: v, Scope: s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Module != out[j].Module {
			return moduleIndex(out[i].Module) < moduleIndex(out[j].Module)
		}
		return verbIndex(out[i].Action) < verbIndex(out[j].Action)
	})
	return out
}

func moduleIndex(m string) int {
	for i, x := range Modules {
		if x == m {
			return i
		}
	}
	return len(Modules)
}

func verbIndex(v string) int {
	for i, x := range Verbs {
		if x == v {
			return i
		}
	}
	return len(Verbs)
}

// Within reports whether every permission of ps is granted by other at the
// same or a wider scope, and names the first that is not.
func (ps PermissionSet) Within(other PermissionSet) (bool, string) {
	for _, p := range ps.List() {
		if scopeRank(other.Get(p.Module, p.Action)) < scopeRank(p.Scope) {
			have := other.Get(p.Module, p.Action)
			if have == "" {
				have = "none"
			}
			return false, fmt.Sprintf("%s %s at %s scope (you have %s)", p.Action, p.Module, p.Scope, have)
		}
	}
	return true, ""
}

// Intersect keeps, for each permission, the narrower of the two scopes.
func (ps PermissionSet) Intersect(other PermissionSet) PermissionSet {
	out := PermissionSet{}
	for k, s := range ps {
		o := other[k]
		if scopeRank(o) < scopeRank(s) {
			s = o
		}
		if s != ScopeNone {
			out[k] = s
		}
	}
	return out
}

// NewPermissionSet builds a set from a list, validating names.
func NewPermissionSet(perms []Permission) (PermissionSet, error) {
	ps := PermissionSet{}
	for _, p := range perms {
		if moduleIndex(p.Module) == len(Modules) {
			return nil, fmt.Errorf("%w: unknown module %q (one of %s)", ErrInvalid, p.Module, strings.Join(Modules, ", "))
		}
		if verbIndex(p.Action) == len(Verbs) {
			return nil, fmt.Errorf("%w: unknown action %q (one of %s)", ErrInvalid, p.Action, strings.Join(Verbs, ", "))
		}
		if p.Scope == ScopeNone {
			continue
		}
		if scopeRank(p.Scope) == 0 {
			return nil, fmt.Errorf("%w: unknown scope %q (own, department or all)", ErrInvalid, p.Scope)
		}
		if scopeRank(p.Scope) > scopeRank(ps[permKey(p.Module, p.Action)]) {
			ps[permKey(p.Module, p.Action)] = p.Scope
		}
	}
	return ps, nil
}

// BuiltinPermissions is the fixed permission table of a built-in role
// (PRODUCT.md's role table). Rules that a table cannot say (only the Owner
// makes Admins, internal accounts, never the Owner) live in the engine.
func BuiltinPermissions(builtin string) PermissionSet {
	ps := PermissionSet{}
	switch builtin {
	case "owner":
		for _, m := range Modules {
			for _, v := range Verbs {
				ps[permKey(m, v)] = ScopeAll
			}
		}
	case "admin":
		for _, m := range Modules {
			for _, v := range Verbs {
				ps[permKey(m, v)] = ScopeAll
			}
		}
		// Admins see billing but never change the payment method or delete
		// the organisation.
		ps[permKey("billing", "create")] = ScopeNone
		ps[permKey("billing", "update")] = ScopeNone
		ps[permKey("billing", "delete")] = ScopeNone
		delete(ps, permKey("billing", "create"))
		delete(ps, permKey("billing", "update"))
		delete(ps, permKey("billing", "delete"))
	case "advisor":
		ps[permKey("staff", "view")] = ScopeAll
		ps[permKey("roles", "view")] = ScopeAll
		ps[permKey("departments", "view")] = ScopeAll
		ps[permKey("clients", "view")] = ScopeOwn
		ps[permKey("accounts", "view")] = ScopeOwn
		ps[permKey("audit", "view")] = ScopeOwn
	}
	return ps
}
