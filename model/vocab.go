package model

import (
	"fmt"
	"strings"
)

// The words of Gatehouse's permission model as small types: a module, a
// verb, a scope, an action and the kind of a role. Text from outside (a
// command line, a database row, an import, a form) is parsed into them once,
// where it enters; inside, only these values travel, so a misspelt module
// or scope cannot reach the engine.

// Module is a part of Gatehouse a custom role grants permissions on.
type Module uint8

// The modules, in the order grids and lists show them.
const (
	ModuleNone Module = iota
	ModuleStaff
	ModuleClients
	ModuleAccounts
	ModuleAccess
	ModuleRoles
	ModuleDepartments
	ModuleAudit
	ModuleBilling
	ModuleConnections
	ModuleSettings
)

// Modules lists every module (PRODUCT.md, custom roles).
var Modules = []Module{ModuleStaff, ModuleClients, ModuleAccounts, ModuleAccess, ModuleRoles, ModuleDepartments,
	ModuleAudit, ModuleBilling, ModuleConnections, ModuleSettings}

var moduleNames = [...]string{"", "staff", "clients", "accounts", "access", "roles", "departments", "audit", "billing", "connections", "settings"}

func (m Module) String() string {
	if int(m) < len(moduleNames) {
		return moduleNames[m]
	}
	return fmt.Sprintf("module(%d)", m)
}

// ParseModule reads a module name, ignoring case and surrounding space.
func ParseModule(s string) (Module, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, m := range Modules {
		if moduleNames[m] == t {
			return m, nil
		}
	}
	return ModuleNone, fmt.Errorf("%w: unknown module %q (one of %s)", ErrInvalid, Sanitize(s), ModuleList())
}

// ModuleList is every module's name, comma-separated, for messages.
func ModuleList() string { return joinNames(Modules) }

// MarshalText writes the module's name.
func (m Module) MarshalText() ([]byte, error) {
	if m == ModuleNone || int(m) >= len(moduleNames) {
		return nil, fmt.Errorf("%w: no such module %d", ErrInvalid, m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText parses a module's name.
func (m *Module) UnmarshalText(b []byte) error {
	v, err := ParseModule(string(b))
	*m = v
	return err
}

// Verb is what a permission lets a member do in a module.
type Verb uint8

// The verbs, in the order grids show them.
const (
	VerbNone Verb = iota
	VerbView
	VerbCreate
	VerbUpdate
	VerbDelete
)

// Verbs lists every verb.
var Verbs = []Verb{VerbView, VerbCreate, VerbUpdate, VerbDelete}

var verbNames = [...]string{"", "view", "create", "update", "delete"}

func (v Verb) String() string {
	if int(v) < len(verbNames) {
		return verbNames[v]
	}
	return fmt.Sprintf("verb(%d)", v)
}

// ParseVerb reads a verb, ignoring case and surrounding space.
func ParseVerb(s string) (Verb, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, v := range Verbs {
		if verbNames[v] == t {
			return v, nil
		}
	}
	return VerbNone, fmt.Errorf("%w: unknown action %q (one of %s)", ErrInvalid, Sanitize(s), joinNames(Verbs))
}

// MarshalText writes the verb.
func (v Verb) MarshalText() ([]byte, error) {
	if v == VerbNone || int(v) >= len(verbNames) {
		return nil, fmt.Errorf("%w: no such verb %d", ErrInvalid, v)
	}
	return []byte(v.String()), nil
}

// UnmarshalText parses a verb.
func (v *Verb) UnmarshalText(b []byte) error {
	x, err := ParseVerb(string(b))
	*v = x
	return err
}

// Scope is how far a permission reaches, narrowest first: a wider scope
// compares greater.
type Scope uint8

// The scopes. ScopeNone is "not granted".
const (
	ScopeNone Scope = iota
	// ScopeOwn: records the member owns or was added to.
	ScopeOwn
	// ScopeDepartment: also the records of their departments and of the
	// members assigned to them.
	ScopeDepartment
	// ScopeAll: every record.
	ScopeAll
)

// Scopes lists the scopes a permission can hold, narrowest first.
var Scopes = []Scope{ScopeOwn, ScopeDepartment, ScopeAll}

var scopeNames = [...]string{"none", "own", "department", "all"}

func (s Scope) String() string {
	if int(s) < len(scopeNames) {
		return scopeNames[s]
	}
	return fmt.Sprintf("scope(%d)", s)
}

// ParseScope reads a scope; "" and "none" are ScopeNone.
func ParseScope(s string) (Scope, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "", "none":
		return ScopeNone, nil
	case "dept":
		return ScopeDepartment, nil
	}
	for _, x := range Scopes {
		if scopeNames[x] == t {
			return x, nil
		}
	}
	return ScopeNone, fmt.Errorf("%w: unknown scope %q (own, department or all)", ErrInvalid, Sanitize(s))
}

// MarshalText writes the scope.
func (s Scope) MarshalText() ([]byte, error) {
	if int(s) >= len(scopeNames) {
		return nil, fmt.Errorf("%w: no such scope %d", ErrInvalid, s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a scope.
func (s *Scope) UnmarshalText(b []byte) error {
	x, err := ParseScope(string(b))
	*s = x
	return err
}

// Action is what the engine decides: the four verbs on a module or a
// record, reaching an account, and the operations with rules of their own.
type Action uint8

// The actions. The first five are what `gatehouse check` takes.
const (
	ActNone Action = iota
	ActView
	ActCreate
	ActUpdate
	ActDelete
	ActAccess // reach a client account

	ActInvite
	ActSetRole
	ActDeactivate
	ActReactivate
	ActRemove
	ActTransfer
	ActManageAccess // add, remove and toggle who reaches a client
	ActChangePayment
	ActDeleteOrg
)

// PlainActions are the actions `check` accepts.
var PlainActions = []Action{ActView, ActCreate, ActUpdate, ActDelete, ActAccess}

// Actions lists every action the engine decides.
var Actions = []Action{ActView, ActCreate, ActUpdate, ActDelete, ActAccess, ActInvite, ActSetRole, ActDeactivate,
	ActReactivate, ActRemove, ActTransfer, ActManageAccess, ActChangePayment, ActDeleteOrg}

var actionNames = [...]string{"", "view", "create", "update", "delete", "access", "invite", "set-role", "deactivate",
	"reactivate", "remove", "transfer-ownership", "manage-access", "change-payment", "delete-organisation"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", a)
}

// ParseAction reads any action the engine decides.
func ParseAction(s string) (Action, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for _, a := range Actions {
		if actionNames[a] == t {
			return a, nil
		}
	}
	return ActNone, fmt.Errorf("%w: unknown action %q (one of %s)", ErrInvalid, Sanitize(s), joinNames(PlainActions))
}

// ParsePlainAction reads one of the actions `check` takes.
func ParsePlainAction(s string) (Action, error) {
	a, err := ParseAction(s)
	if err != nil || !a.Plain() {
		return ActNone, fmt.Errorf("%w: ACTION is one of %s, not %q", ErrInvalid, joinNames(PlainActions), Sanitize(s))
	}
	return a, nil
}

// Plain reports whether a is one of view, create, update, delete, access.
func (a Action) Plain() bool { return a >= ActView && a <= ActAccess }

// Write reports whether the action changes something: everything but
// viewing and reaching.
func (a Action) Write() bool { return a != ActView && a != ActAccess && a != ActNone }

// MarshalText writes the action.
func (a Action) MarshalText() ([]byte, error) {
	if a == ActNone || int(a) >= len(actionNames) {
		return nil, fmt.Errorf("%w: no such action %d", ErrInvalid, a)
	}
	return []byte(a.String()), nil
}

// UnmarshalText parses an action.
func (a *Action) UnmarshalText(b []byte) error {
	x, err := ParseAction(string(b))
	*a = x
	return err
}

// Verb is the module verb an action is checked against; VerbNone for the
// acts that belong to the Owner alone (transfer, payment, deleting the
// organisation).
func (a Action) Verb() Verb {
	switch a {
	case ActView, ActAccess:
		return VerbView
	case ActCreate, ActInvite:
		return VerbCreate
	case ActUpdate, ActSetRole, ActDeactivate, ActReactivate, ActManageAccess:
		return VerbUpdate
	case ActDelete, ActRemove:
		return VerbDelete
	}
	return VerbNone
}

// Needs is the module permission the engine checks an action against when
// it is about module (or a record of it): reaching an account needs the
// accounts module, managing access the access module. VerbNone: the action
// is the Owner's alone.
func (a Action) Needs(module Module, onAccount bool) (Verb, Module) {
	switch {
	case a == ActAccess:
		module = ModuleAccounts
	case a == ActManageAccess:
		module = ModuleAccess
	case onAccount && module == ModuleClients:
		module = ModuleAccounts
	}
	return a.Verb(), module
}

// RoleKind tells the built-in roles apart from custom ones.
type RoleKind uint8

// The kinds of role.
const (
	CustomRole RoleKind = iota
	OwnerRole
	AdminRole
	AdvisorRole
)

var roleKindNames = [...]string{"custom", "owner", "admin", "advisor"}

func (k RoleKind) String() string {
	if int(k) < len(roleKindNames) {
		return roleKindNames[k]
	}
	return fmt.Sprintf("role-kind(%d)", k)
}

// ParseRoleKind reads the kind stored with a role: owner, admin, advisor,
// or "" (or "custom") for a custom role.
func ParseRoleKind(s string) (RoleKind, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return CustomRole, nil
	}
	for k, n := range roleKindNames {
		if n == t {
			return RoleKind(k), nil
		}
	}
	return CustomRole, fmt.Errorf("%w: unknown built-in role %q", ErrInvalid, Sanitize(s))
}

// roleKindOf reads a stored kind; the schema allows only the built-in names
// and "", so anything else is treated as the narrowest, a custom role.
func roleKindOf(s string) RoleKind {
	k, _ := ParseRoleKind(s)
	return k
}

// KindOfRole is the kind of a role as stored.
func KindOfRole(r Role) RoleKind { return roleKindOf(r.Builtin) }

// MarshalText writes the kind.
func (k RoleKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses a kind.
func (k *RoleKind) UnmarshalText(b []byte) error {
	x, err := ParseRoleKind(string(b))
	*k = x
	return err
}

// Builtin reports whether the role is one of Owner, Admin and Advisor.
func (k RoleKind) Builtin() bool { return k != CustomRole }

// Stored is the kind as the roles table keeps it ("" for custom).
func (k RoleKind) Stored() string {
	if k == CustomRole {
		return ""
	}
	return k.String()
}

// SeesOnlyFoldersAddedTo is the Advisor's rule (PRODUCT.md, built-in roles:
// "see client folders: only those they were added to"): their own scope
// over client folders means the folders they were added to, not those they
// are responsible for. A custom role's own scope covers both.
func (k RoleKind) SeesOnlyFoldersAddedTo() bool { return k == AdvisorRole }

// joinNames writes a list of named values for a message.
func joinNames[T fmt.Stringer](xs []T) string {
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = x.String()
	}
	return strings.Join(names, ", ")
}

// Action is the plain action of doing v to a module or a record.
func (v Verb) Action() Action {
	switch v {
	case VerbView:
		return ActView
	case VerbCreate:
		return ActCreate
	case VerbUpdate:
		return ActUpdate
	case VerbDelete:
		return ActDelete
	}
	return ActNone
}
