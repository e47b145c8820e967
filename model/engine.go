package model

import (
	"fmt"
	"slices"
)

// Principal kinds.
const (
	KindMember     = "member"
	KindConnection = "connection"
	KindSystem     = "system"
)

// Principal is who acts: a signed-in member, a connection, or the local
// operating-system user who holds the database file.
type Principal struct {
	Kind         string
	StaffID      int64
	ConnectionID int64
	Label        string // email, connection name, or OS user name
	Origin       string // "local terminal", "ssh SHA256:… from 10.0.0.1:5555"
	// ViewedBy, when set, is the member signed in who looks through this
	// principal at what StaffID sees (the demo's "view as", lens.go): such
	// a principal reads and never writes.
	ViewedBy int64
}

// System returns the principal for local CLI use by the OS user who holds
// the database file: they can read and write the file anyway, so they act
// with every permission, and are audited by name.
func System(osUser string) Principal {
	return Principal{Kind: KindSystem, Label: osUser, Origin: "local terminal"}
}

// Actor is what the engine knows of a principal when deciding.
type Actor struct {
	Principal
	Name     string
	Email    string
	Role     string // role name
	RoleKind RoleKind
	Status   string
	Perms    PermissionSet
	DeptIDs  []int64
	Assigned []int64 // members whose manager this actor is
	// For a connection: its own name and creator; Perms is already the
	// intersection of the connection's scope and the creator's role.
	ConnectionName string
	ConnectionOn   bool
	// Lock is an incident lock in force on the member, their role, the
	// connection or the SSH key acting (locks.go), or nil.
	Lock *Lock
}

// isOwner is true for the Owner and the local system user. A connection is
// never the Owner, even one the Owner created: it has only the permissions
// it was given, and the Owner-only acts (payment, deleting the organisation,
// transferring ownership) need the Owner in person.
func (a Actor) isOwner() bool {
	return a.Kind == KindSystem || (a.Kind == KindMember && a.RoleKind == OwnerRole)
}

// isAdmin is true for a member holding the built-in Admin role; a
// connection an Admin made acts within its scope, not as an Admin.
func (a Actor) isAdmin() bool { return a.Kind == KindMember && a.RoleKind == AdminRole }

func (a Actor) who() string {
	switch a.Kind {
	case KindSystem:
		return "Local user " + a.Label
	case KindConnection:
		return fmt.Sprintf("Connection %q (%s, created by %s)", a.ConnectionName, a.Role, a.Email)
	}
	if !a.RoleKind.Builtin() {
		return a.Role + " (custom role)"
	}
	return a.Role
}

// ClientFacts is what the engine knows of a client folder and the actor.
type ClientFacts struct {
	ID, OwnerID, DeptID int64
	Name                string
	DeptName            string
	Internal            bool
	ActorAdded          bool    // the actor was added to the folder
	OwnerDeptIDs        []int64 // departments of the folder's owner
	OwnerManagerID      int64
}

// AccountFacts is what the engine knows of an account and the actor.
type AccountFacts struct {
	ID            int64
	Name          string
	ActorToggleOn bool
}

// StaffFacts is what the engine knows of a member as a target.
type StaffFacts struct {
	ID        int64
	Name      string
	Email     string
	Role      string
	RoleKind  RoleKind
	Status    string
	DeptIDs   []int64
	ManagerID int64
	Perms     PermissionSet
}

// RoleFacts describes a role as a target (or a role being given).
type RoleFacts struct {
	ID       int64
	Name     string
	RoleKind RoleKind
	Perms    PermissionSet
	// Before is the role's grid before an update (nil on create): a
	// refusal names a cell the actor changed before one they left alone.
	Before PermissionSet
}

// changedCells is the part of the role's grid an update changes: every
// cell on create.
func (r *RoleFacts) changedCells() PermissionSet {
	if r.Before == nil {
		return r.Perms
	}
	out := PermissionSet{}
	for _, p := range r.Perms.List() {
		if r.Before.Get(p.Module, p.Verb) != p.Scope {
			out.Set(p.Module, p.Verb, p.Scope)
		}
	}
	return out
}

// Target is what an action is about: a module as a whole, or a record.
type Target struct {
	Module  Module // always set
	Label   string // how to name it in reasons
	Client  *ClientFacts
	Account *AccountFacts
	Staff   *StaffFacts
	Role    *RoleFacts // the role being given (set-role, invite) or a role record
	Audit   *AuditFacts
	OwnerID int64 // for records other than clients/staff: who created them
}

// Decision is the engine's answer with the reason a person can read.
type Decision struct {
	Allowed bool
	Reason  string
}

func allow(format string, a ...any) Decision { return Decision{true, fmt.Sprintf(format, a...)} }
func deny(format string, a ...any) Decision  { return Decision{false, fmt.Sprintf(format, a...)} }

// Decide is the permission engine: every "may this actor do this" in
// Gatehouse ends here, for the screens, the CLI, the SSH server and the
// model's own checks inside each write.
func Decide(a Actor, action Action, t Target) Decision {
	if d, ok := principalGate(a); !ok {
		return d
	}
	switch action {
	case ActTransfer:
		return decideTransfer(a, t)
	case ActChangePayment, ActDeleteOrg:
		if a.isOwner() {
			return allow("%s: only the Owner may %s, and they are the Owner", a.who(), describeAction(action))
		}
		return deny("%s: only the Owner may %s", a.who(), describeAction(action))
	}
	verb, module := action.Needs(t.Module, t.Account != nil)
	if verb == VerbNone {
		return deny("unknown action %q", action)
	}
	scope := a.Perms.Get(module, verb)
	if a.isOwner() {
		scope = ScopeAll
	}
	if scope == ScopeNone {
		return deny("%s may not %s %s", a.who(), verb, module)
	}
	switch {
	case t.Audit != nil && action == ActView:
		return decideAuditEntry(a, scope, t.Audit)
	case t.Staff != nil:
		return decideStaff(a, action, verb, module, scope, t)
	case t.Client != nil && (action == ActAccess || (t.Account != nil && verb == VerbView)):
		return decideReach(a, scope, t)
	case t.Client != nil:
		return decideClient(a, action, verb, module, scope, t)
	}
	return decideModule(a, action, verb, module, scope, t)
}

func describeAction(action Action) string {
	switch action {
	case ActChangePayment:
		return "change the payment method"
	case ActDeleteOrg:
		return "delete the organisation"
	}
	return action.String()
}

// principalGate refuses locked principals, deactivated members and
// switched-off connections before anything else is looked at.
func principalGate(a Actor) (Decision, bool) {
	if a.Lock != nil && a.Kind != KindSystem {
		return deny("%s is %s", a.lockedWho(), LockNotice(*a.Lock)), false
	}
	switch a.Kind {
	case KindSystem:
		return Decision{}, true
	case KindConnection:
		if !a.ConnectionOn {
			return deny("Connection %q is switched off", a.ConnectionName), false
		}
		if a.Status != "active" {
			return deny("Connection %q: its creator %s is %s", a.ConnectionName, a.Email, a.Status), false
		}
	case KindMember:
		if a.Status != "active" {
			return deny("%s is %s and can do nothing", a.Email, a.Status), false
		}
	default:
		return deny("unknown principal"), false
	}
	return Decision{}, true
}

func decideTransfer(a Actor, t Target) Decision {
	if !a.isOwner() {
		return deny("%s: only the Owner transfers ownership", a.who())
	}
	if t.Staff == nil {
		return allow("%s may transfer ownership to an active Admin", a.who())
	}
	if t.Staff.ID == a.StaffID {
		return deny("%s already owns the organisation", t.Staff.Email)
	}
	if t.Staff.RoleKind != AdminRole {
		return deny("ownership goes only to an Admin; %s is %s", t.Staff.Email, t.Staff.Role)
	}
	if t.Staff.Status != "active" {
		return deny("ownership goes only to an active Admin; %s is %s", t.Staff.Email, t.Staff.Status)
	}
	return allow("%s may transfer ownership to %s, an active Admin", a.who(), t.Staff.Email)
}

// inDept reports whether any of ids is one of the actor's departments.
func (a Actor) inDept(ids []int64) bool {
	for _, id := range ids {
		if slices.Contains(a.DeptIDs, id) {
			return true
		}
	}
	return false
}

func (a Actor) assigned(id int64) bool { return slices.Contains(a.Assigned, id) }

func decideStaff(a Actor, action Action, verb Verb, module Module, scope Scope, t Target) Decision {
	s := t.Staff
	who := a.who()
	self := a.Kind != KindSystem && s.ID == a.StaffID
	// Acting on a member starts with seeing them.
	if module == ModuleStaff && verb != VerbView {
		if ok, _ := memberInScope(a, a.scopeOf(ModuleStaff, VerbView), s); !ok {
			return deny("%s may not view %s, so may not %s them", who, s.Email, action)
		}
	}
	// Then scope: is this member within the actor's reach for this verb?
	ok, why := memberInScope(a, scope, s)
	if !ok {
		switch scope {
		case ScopeDepartment:
			return deny("%s may %s staff of their departments only; %s is not in one", who, verb, s.Email)
		default:
			return deny("%s may %s only their own record", who, verb)
		}
	}
	switch action {
	case ActView, ActUpdate, ActCreate:
		if action == ActUpdate && s.RoleKind == OwnerRole && !a.isOwner() {
			return deny("%s may not change or remove the Owner", who)
		}
		// An Admin is changed only by the Owner, an Admin or themselves:
		// the rule that guards deactivating one guards every other change
		// to their record too (keys, 2FA, sessions, locks, departments).
		if action == ActUpdate && s.RoleKind == AdminRole && !self && !a.isOwner() && !a.isAdmin() {
			return deny("%s may not change an Admin", who)
		}
		return allow("%s may %s %s (%s)", who, verb, module, why)
	case ActDeactivate, ActRemove, ActDelete:
		// Deleting a staff record is removing the member: same rules.
		if self {
			return deny("no one may %s themselves", action)
		}
		if s.RoleKind == OwnerRole {
			return deny("the Owner cannot be %s; transfer ownership first", pastTense(action))
		}
		if s.RoleKind == AdminRole && !a.isOwner() && !a.isAdmin() {
			return deny("%s may not %s an Admin", who, action)
		}
		return allow("%s may %s %s (%s)", who, action, s.Email, why)
	case ActReactivate:
		if self {
			return deny("no one may reactivate themselves")
		}
		// Whoever may not deactivate an Admin may not bring one back either.
		if s.RoleKind == AdminRole && !a.isOwner() && !a.isAdmin() {
			return deny("%s may not reactivate an Admin", who)
		}
		return allow("%s may reactivate %s (%s)", who, s.Email, why)
	case ActSetRole:
		if self {
			return deny("no one may change their own role")
		}
		if s.RoleKind == OwnerRole {
			return deny("the Owner's role changes only by a transfer of ownership")
		}
		r := t.Role
		if r != nil && r.RoleKind == OwnerRole {
			return deny("there is exactly one Owner; use transfer ownership instead")
		}
		if (s.RoleKind == AdminRole || (r != nil && r.RoleKind == AdminRole)) && !a.isOwner() {
			return deny("only the Owner makes or unmakes Admins")
		}
		if r != nil && !a.isOwner() {
			if ok, what := r.Perms.Within(a.Perms); !ok {
				return deny("%s may not give the role %s: it grants %s", who, r.Name, what)
			}
		}
		return allow("%s may change the role of %s (%s)", who, s.Email, why)
	case ActInvite:
		return decideInvite(a, t)
	}
	return deny("%s: %s does not apply to a staff member", who, action)
}

func pastTense(action Action) string {
	switch action {
	case ActDeactivate:
		return "deactivated"
	case ActRemove, ActDelete:
		return "removed"
	}
	return action.String()
}

func decideInvite(a Actor, t Target) Decision {
	r := t.Role
	if r != nil && r.RoleKind == OwnerRole {
		return deny("there is exactly one Owner; invite them as Admin and transfer ownership")
	}
	if r != nil && r.RoleKind == AdminRole && !a.isOwner() {
		return deny("only the Owner makes Admins, so only the Owner invites one")
	}
	if r != nil && !a.isOwner() {
		if ok, what := r.Perms.Within(a.Perms); !ok {
			return deny("%s may not invite with the role %s: it grants %s", a.who(), r.Name, what)
		}
	}
	return allow("%s may invite staff", a.who())
}

func decideClient(a Actor, action Action, verb Verb, module Module, scope Scope, t Target) Decision {
	c := t.Client
	// Acting on a folder starts with seeing it; then the action's scope
	// must cover it.
	ok, why := seesFolder(a, c)
	if ok {
		ok, why = folderInScope(a, scope, c)
	}
	if !ok {
		return deny("%s, %s", a.who(), why)
	}
	// The internal accounts are the Owner's to manage (PRODUCT.md: Admin and
	// Advisor reach them "only if added"): a member
	// added to the folder reaches what is toggled on for them, and changes
	// nothing in it.
	if action.Write() && c.Internal && !a.isOwner() {
		if action == ActManageAccess {
			return deny("%s: only the Owner manages who reaches the internal accounts", a.who())
		}
		return deny("%s: only the Owner changes %s and its accounts", a.who(), c.Name)
	}
	if action == ActManageAccess {
		return allow("%s may manage access to %s (%s)", a.who(), c.Name, why)
	}
	return allow("%s may %s %s (%s)", a.who(), verb, module, why)
}

// decideReach answers "may the actor reach (or see) this account", the
// question behind every access grant: they must see its folder, and their
// accounts scope must cover the account.
func decideReach(a Actor, scope Scope, t Target) Decision {
	if ok, why := seesFolder(a, t.Client); !ok {
		return deny("%s, %s", a.who(), why)
	}
	return reachInScope(a, scope, t.Client, t.Account)
}

func decideModule(a Actor, action Action, verb Verb, module Module, scope Scope, t Target) Decision {
	who := a.who()
	if action == ActInvite {
		return decideInvite(a, t)
	}
	if t.Role != nil && module == ModuleRoles && t.Role.RoleKind.Builtin() && verb != VerbView {
		return deny("built-in roles cannot be changed; create a custom role instead")
	}
	if t.Role != nil && module == ModuleRoles && (verb == VerbCreate || verb == VerbUpdate) && !a.isOwner() {
		if ok, what := t.Role.changedCells().Within(a.Perms); !ok {
			return deny("%s may not make a role that grants %s", who, what)
		}
		if ok, what := t.Role.Perms.Within(a.Perms); !ok {
			return deny("%s may not change %s: it grants %s, beyond their own permissions", who, t.Role.Name, what)
		}
	}
	if t.OwnerID != 0 && scope == ScopeOwn && t.OwnerID != a.StaffID {
		return deny("%s may %s only their own %s", who, verb, module)
	}
	what := map[Scope]string{ScopeAll: "all", ScopeDepartment: "their departments'", ScopeOwn: "their own"}[scope]
	if module == ModuleAudit && verb == VerbView && scope == ScopeOwn {
		return allow("%s may view the audit log of their own actions", who)
	}
	if module == ModuleBilling || module == ModuleSettings {
		return allow("%s may %s %s", who, verb, module)
	}
	return allow("%s may %s %s (%s)", who, verb, module, what)
}
