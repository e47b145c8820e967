package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GetDepartment reads a department by id.
func GetDepartment(ctx context.Context, q Querier, id int64) (Department, error) {
	var d Department
	err := q.QueryRowContext(ctx, `SELECT d.id, d.name, d.description, COALESCE(d.head_id, 0), COALESCE(h.name, ''), (SELECT count(*) FROM staff_departments sd WHERE sd.department_id = d.id)
		FROM departments d LEFT JOIN staff h ON h.id = d.head_id WHERE d.id = ?`, id).Scan(&d.ID, &d.Name, &d.Description, &d.HeadID, &d.HeadName, &d.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, err
}

// DepartmentClientCount counts the client folders filed under a department.
func DepartmentClientCount(ctx context.Context, q Querier, id int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM clients WHERE department_id = ?`, id).Scan(&n)
	return n, err
}

// ListDepartmentMembers lists the members of a department within scope,
// by name.
func ListDepartmentMembers(ctx context.Context, q Querier, deptID int64, sc Scope) ([]Member, error) {
	clause, args := sc.staffClause()
	return queryAll(ctx, q, "list department members", scanMember, memberSelect+` WHERE s.id IN (SELECT staff_id FROM staff_departments WHERE department_id = ?) AND `+clause+
		` ORDER BY s.name COLLATE NOCASE, s.id`, append([]any{deptID}, args...)...)
}

// RoleMemberIDs lists the ids of the members holding a role.
func RoleMemberIDs(ctx context.Context, q Querier, roleID int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT id FROM staff WHERE role_id = ? ORDER BY id`, roleID)
}

// ConnectionNameTaken reports whether a connection already has this name,
// case-insensitively.
func ConnectionNameTaken(ctx context.Context, q Querier, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM connections WHERE name = ? COLLATE NOCASE`, name).Scan(&n)
	return n > 0, err
}

// ReachCandidate is one live account with the facts the permission engine
// needs to decide whether a given member reaches it.
type ReachCandidate struct {
	ClientID       int64
	ClientName     string
	OwnerID        int64
	OwnerDeptIDs   []int64
	OwnerManagerID int64
	DeptID         int64
	DeptName       string
	Internal       bool
	Added          bool // the member was added to the folder
	AccountID      int64
	AccountName    string
	ToggledOn      bool
}

// ReachQuery bounds the accounts ReachCandidates returns for a member.
type ReachQuery struct {
	StaffID int64
	// Department also returns the folders a department-scope role could
	// reach: those of the member's departments and those owned by members
	// who share a department with them or are assigned to them.
	Department bool
	// InternalOnly returns only the internal accounts (for roles that
	// already reach every client account).
	InternalOnly bool
}

// ReachCandidates lists, in one query, every live account a member could
// reach under some role with the scope rq describes: the accounts of the
// folders they were added to or own, and with Department those of their
// departments' folders. Roles with all scope are not enumerated here.
func ReachCandidates(ctx context.Context, q Querier, rq ReachQuery) ([]ReachCandidate, error) {
	folder := `(c.id IN (SELECT client_id FROM client_members WHERE staff_id = ?) OR c.owner_id = ?`
	args := []any{rq.StaffID, rq.StaffID}
	if rq.Department {
		folder += ` OR c.department_id IN (SELECT department_id FROM staff_departments WHERE staff_id = ?) OR c.owner_id IN ` + deptPeers
		args = append(args, rq.StaffID, rq.StaffID, rq.StaffID)
	}
	folder += ")"
	if rq.InternalOnly {
		folder = "c.internal = 1"
		args = nil
	}
	query := `SELECT c.id, c.name, COALESCE(c.owner_id, 0), COALESCE(o.manager_id, 0),
		COALESCE((SELECT group_concat(department_id) FROM staff_departments WHERE staff_id = c.owner_id), ''),
		COALESCE(c.department_id, 0), COALESCE(d.name, ''), c.internal,
		EXISTS (SELECT 1 FROM client_members cm WHERE cm.client_id = c.id AND cm.staff_id = ?),
		a.id, a.name,
		EXISTS (SELECT 1 FROM account_access aa WHERE aa.account_id = a.id AND aa.staff_id = ?)
		FROM clients c
		JOIN accounts a ON a.client_id = c.id AND a.archived_at = 0
		LEFT JOIN staff o ON o.id = c.owner_id
		LEFT JOIN departments d ON d.id = c.department_id
		WHERE c.archived_at = 0 AND ` + folder + `
		ORDER BY c.name COLLATE NOCASE, c.id, a.name COLLATE NOCASE, a.id`
	return queryAll(ctx, q, "list reachable accounts", scanReachCandidate, query, append([]any{rq.StaffID, rq.StaffID}, args...)...)
}

func scanReachCandidate(r rowScanner) (ReachCandidate, error) {
	var rc ReachCandidate
	var depts string
	if err := r.Scan(&rc.ClientID, &rc.ClientName, &rc.OwnerID, &rc.OwnerManagerID, &depts, &rc.DeptID, &rc.DeptName, &rc.Internal,
		&rc.Added, &rc.AccountID, &rc.AccountName, &rc.ToggledOn); err != nil {
		return rc, err
	}
	for _, d := range strings.Split(depts, ",") {
		if id, err := strconv.ParseInt(d, 10, 64); err == nil {
			rc.OwnerDeptIDs = append(rc.OwnerDeptIDs, id)
		}
	}
	return rc, nil
}

// CountClientAccounts counts the live accounts of live client folders,
// the internal accounts left out.
func CountClientAccounts(ctx context.Context, q Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM accounts a JOIN clients c ON c.id = a.client_id WHERE c.internal = 0 AND c.archived_at = 0 AND a.archived_at = 0`).Scan(&n)
	return n, err
}

// MoveLiveRoleInvitations moves the pending, unexpired invitations of one
// role to another and returns how many moved.
func MoveLiveRoleInvitations(ctx context.Context, q Querier, from, to int64, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE invitations SET role_id = ? WHERE role_id = ? AND status = 'pending' AND expires_at > ?`, to, from, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("move invitations: %w", err)
	}
	return res.RowsAffected()
}

// CountLiveRoleInvitations counts the pending, unexpired invitations with a
// role.
func CountLiveRoleInvitations(ctx context.Context, q Querier, roleID int64, now time.Time) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM invitations WHERE role_id = ? AND status = 'pending' AND expires_at > ?`, roleID, now.Unix()).Scan(&n)
	return n, err
}

// DeleteRoleInvitations deletes every invitation left with a role (those
// that can no longer be redeemed; their story stays in the audit log) and
// returns how many went.
func DeleteRoleInvitations(ctx context.Context, q Querier, roleID int64) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM invitations WHERE role_id = ?`, roleID)
	if err != nil {
		return 0, fmt.Errorf("delete invitations: %w", err)
	}
	return res.RowsAffected()
}
