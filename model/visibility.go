package model

import (
	"fmt"
	"slices"

	"gatehouse/db"
)

// Who sees and reaches what: the one definition. Decide answers every
// "may see" and "may reach" through the four functions below, and the SQL
// scopes that page lists in the database are built by scopeFor from the
// same scopes and role kind; the agreement tests prove, over generated
// organisations, that both give the same records (docs/security.md,
// "Who sees and reaches what").
//
//   - sees folder F: clients.view covers F (folderInScope); the internal
//     folder only for the Owner and the members added to it.
//   - sees account A = reaches account A.
//   - reaches account A: sees A's folder, and accounts.view covers A
//     (reachInScope). Reaching never goes past seeing.
//   - sees member M: staff.view covers M (memberInScope).
//   - sees audit entry E: audit.view covers E's actor (memberInScope on
//     the actor; entries by connections and the local user need all).

// scopeOf is the scope the actor holds for verb on module; the Owner (and
// the local system user) hold every module at all scope.
func (a Actor) scopeOf(m Module, v Verb) Scope {
	if a.isOwner() {
		return ScopeAll
	}
	return a.Perms.Get(m, v)
}

// seesFolder says whether the actor may see folder c at all, and why.
func seesFolder(a Actor, c *ClientFacts) (bool, string) {
	scope := a.scopeOf(ModuleClients, VerbView)
	if scope == ScopeNone {
		return false, fmt.Sprintf("may not view client folders, so not %s", c.Name)
	}
	return folderInScope(a, scope, c)
}

// folderInScope says whether scope, held by the actor, covers folder c.
// It is the Go half of db.Scope.clientClause; scopeFor builds that scope
// from the same facts.
func folderInScope(a Actor, scope Scope, c *ClientFacts) (bool, string) {
	if c.Internal && !a.isOwner() {
		if c.ActorAdded {
			return true, "added to " + c.Name
		}
		return false, fmt.Sprintf("not added to %s (the internal accounts are reachable only by members the Owner adds)", c.Name)
	}
	if scope == ScopeAll {
		return true, "all client folders"
	}
	if c.ActorAdded {
		return true, "added to " + c.Name
	}
	// Own scope covers folders the member is responsible for too, except
	// for a role whose kind sees only the folders it was added to (the
	// built-in Advisor: "only those they were added to").
	if a.Kind != KindSystem && c.OwnerID == a.StaffID && c.OwnerID != 0 && !a.RoleKind.SeesOnlyFoldersAddedTo() {
		return true, "owner of " + c.Name
	}
	if scope == ScopeDepartment {
		if c.DeptID != 0 && slices.Contains(a.DeptIDs, c.DeptID) {
			return true, fmt.Sprintf("%s is in %s, one of their departments", c.Name, c.DeptName)
		}
		if c.OwnerID != 0 && a.assigned(c.OwnerID) {
			return true, c.Name + " is owned by a member assigned to them"
		}
		if c.OwnerID != 0 && a.inDept(c.OwnerDeptIDs) {
			return true, c.Name + " is owned by a member of their department"
		}
		return false, fmt.Sprintf("not added to %s, and it is not in their departments", c.Name)
	}
	return false, "not added to " + c.Name
}

// reachInScope answers "does accounts.view at scope reach this account",
// for an actor who sees the folder: all scope every account of a client
// folder; department scope every account of the folders in their
// departments; otherwise (own scope, the internal folder, folders outside
// their departments) the accounts toggled on for them in folders they were
// added to.
func reachInScope(a Actor, scope Scope, c *ClientFacts, acc *AccountFacts) Decision {
	who := a.who()
	if a.isOwner() && a.Kind != KindConnection {
		if acc == nil {
			return allow("%s: reaches every account of %s", who, c.Name)
		}
		return allow("%s: reaches every account, %s included", who, acc.Name)
	}
	toggled := func() Decision {
		if acc == nil {
			return allow("%s, added to %s", who, c.Name)
		}
		if acc.ActorToggleOn {
			return allow("%s, added to %s, %s toggled on", who, c.Name, acc.Name)
		}
		return deny("%s, added to %s, but %s is toggled off", who, c.Name, acc.Name)
	}
	if c.Internal {
		if !c.ActorAdded {
			return deny("%s, not added to %s (the internal accounts are reachable only by members the Owner adds)", who, c.Name)
		}
		return toggled()
	}
	if scope == ScopeAll {
		return allow("%s: reaches all client accounts", who)
	}
	// Department scope reaches every account of the folders in the actor's
	// departments; being added to such a folder must not narrow that to
	// the accounts toggled on.
	if scope == ScopeDepartment {
		byDept := *c
		byDept.ActorAdded = false
		if ok, why := folderInScope(a, scope, &byDept); ok {
			return allow("%s, %s", who, why)
		}
	}
	if c.ActorAdded {
		return toggled()
	}
	return deny("%s, not added to %s", who, c.Name)
}

// memberInScope says whether scope, held by the actor, covers member s:
// all staff; at department scope themselves, the members assigned to
// them and those sharing a department; at own scope themselves. It is the
// Go half of db.Scope.staffClause.
func memberInScope(a Actor, scope Scope, s *StaffFacts) (bool, string) {
	self := a.Kind != KindSystem && s.ID == a.StaffID
	switch scope {
	case ScopeAll:
		return true, "all staff"
	case ScopeDepartment:
		switch {
		case self:
			return true, "themselves"
		case a.assigned(s.ID):
			return true, s.Email + " is assigned to them"
		case a.inDept(s.DeptIDs):
			return true, s.Email + " shares a department with them"
		}
		return false, fmt.Sprintf("%s is not in one of their departments", s.Email)
	case ScopeOwn:
		if self {
			return true, "their own record"
		}
		return false, "only their own record"
	}
	return false, "no scope"
}

// AuditFacts is what the engine knows of an audit entry: who wrote it.
type AuditFacts struct {
	ID        int64
	ActorKind string
	ActorID   int64
	// Actor is the member who acted, when the actor was a member who still
	// exists; nil otherwise.
	Actor *StaffFacts
}

// decideAuditEntry answers "may the actor see this audit entry": the
// audit.view scope over the entry's actor, as over a member.
func decideAuditEntry(a Actor, scope Scope, e *AuditFacts) Decision {
	who := a.who()
	if scope == ScopeAll {
		return allow("%s may view the whole audit log", who)
	}
	if e.ActorKind != KindMember || e.Actor == nil {
		return deny("%s sees only entries by members of their scope; entry %d is by a %s", who, e.ID, e.ActorKind)
	}
	if ok, why := memberInScope(a, scope, e.Actor); ok {
		return allow("%s may view entry %d (%s)", who, e.ID, why)
	}
	return deny("%s may not view entry %d: %s", who, e.ID, map[Scope]string{ScopeOwn: "it is not their own action", ScopeDepartment: "its actor is not in their departments"}[scope])
}

// scopeFor turns the actor's scope for module.view into the db.Scope that
// lists the same records in SQL as folderInScope, memberInScope and
// decideAuditEntry admit one by one; false when they may not view the
// module at all.
func scopeFor(a Actor, module Module) (db.Scope, bool) {
	sc := db.Scope{StaffID: a.StaffID, AddedOnly: a.RoleKind.SeesOnlyFoldersAddedTo()}
	if a.Kind == KindSystem {
		sc.StaffID = 0
	}
	// The Owner in person sees the internal folder without being added; a
	// connection the Owner made does not (it is never the Owner).
	sc.Internal = a.isOwner()
	switch a.scopeOf(module, VerbView) {
	case ScopeAll:
		sc.All = true
	case ScopeDepartment:
		sc.Department = true
	case ScopeOwn:
	default:
		return sc, false
	}
	return sc, true
}
