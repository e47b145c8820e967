package db

import "strings"

// Scope says which records a list may return: the engine decides it from the
// actor's role, this package turns it into SQL so that filtering and paging
// happen in the database, never over a whole table in memory.
type Scope struct {
	All        bool  // every record
	StaffID    int64 // the actor: "own" records are theirs
	Department bool  // also records of the actor's departments and of members assigned to them
	// Internal: the internal-accounts folder is listed for everyone in scope,
	// not only its members (the Owner).
	Internal bool
	// AddedOnly: "own" means folders the actor was added to, not those they
	// own (the built-in Advisor).
	AddedOnly bool
}

// deptPeers is SQL for the ids of members who share a department with the
// actor or are assigned to them; it takes the actor's id twice.
const deptPeers = `(SELECT sd2.staff_id FROM staff_departments sd2 WHERE sd2.department_id IN (SELECT sd1.department_id FROM staff_departments sd1 WHERE sd1.staff_id = ?)
	UNION SELECT m.id FROM staff m WHERE m.manager_id = ?)`

// staffClause restricts a query over staff aliased s.
func (sc Scope) staffClause() (string, []any) {
	if sc.All {
		return "1", nil
	}
	if sc.Department {
		return "(s.id = ? OR s.id IN " + deptPeers + ")", []any{sc.StaffID, sc.StaffID, sc.StaffID}
	}
	return "s.id = ?", []any{sc.StaffID}
}

// clientClause restricts a query over clients aliased c.
func (sc Scope) clientClause() (string, []any) {
	member := "c.id IN (SELECT cm.client_id FROM client_members cm WHERE cm.staff_id = ?)"
	var parts []string
	var args []any
	if sc.All {
		if sc.Internal {
			return "1", nil
		}
		return "(c.internal = 0 OR " + member + ")", []any{sc.StaffID}
	}
	parts = append(parts, member)
	args = append(args, sc.StaffID)
	if !sc.AddedOnly {
		// Responsibility for the internal folder does not show it: only
		// being added does (or being the Owner, above).
		parts = append(parts, "(c.internal = 0 AND c.owner_id = ?)")
		args = append(args, sc.StaffID)
	}
	if sc.Department {
		parts = append(parts,
			"(c.internal = 0 AND c.department_id IN (SELECT sd.department_id FROM staff_departments sd WHERE sd.staff_id = ?))",
			"(c.internal = 0 AND c.owner_id IN "+deptPeers+")")
		args = append(args, sc.StaffID, sc.StaffID, sc.StaffID)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// auditClause restricts a query over audit_log aliased a.
func (sc Scope) auditClause() (string, []any) {
	if sc.All {
		return "1", nil
	}
	if sc.Department {
		return "(a.actor_kind = 'member' AND (a.actor_id = ? OR a.actor_id IN " + deptPeers + "))", []any{sc.StaffID, sc.StaffID, sc.StaffID}
	}
	return "(a.actor_kind = 'member' AND a.actor_id = ?)", []any{sc.StaffID}
}

// likePattern escapes text for a LIKE ... ESCAPE '\' substring match.
func likePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(text) + "%"
}

// clientClauseOrNone is clientClause, or no clause for a nil scope.
func (sc *Scope) clientClauseOrNone() (string, []any) {
	if sc == nil {
		return "", nil
	}
	return sc.clientClause()
}

// staffClauseOrNone is staffClause, or no clause for a nil scope.
func (sc *Scope) staffClauseOrNone() (string, []any) {
	if sc == nil {
		return "", nil
	}
	return sc.staffClause()
}
