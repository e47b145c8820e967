package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MemberToggledAccountIDs lists every account toggled on for a member.
func MemberToggledAccountIDs(ctx context.Context, q Querier, staffID int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT account_id FROM account_access WHERE staff_id = ? ORDER BY account_id`, staffID)
}

// GetClientLite reads a folder without its account and staff counts, for
// permission checks that need only its owner, department and kind.
func GetClientLite(ctx context.Context, q Querier, id int64) (Client, error) {
	var c Client
	err := q.QueryRowContext(ctx, `SELECT c.id, c.name, COALESCE(c.owner_id, 0), COALESCE(c.department_id, 0), COALESCE(d.name, ''), c.internal, c.archived_at != 0
		FROM clients c LEFT JOIN departments d ON d.id = c.department_id WHERE c.id = ?`, id).
		Scan(&c.ID, &c.Name, &c.OwnerID, &c.DepartmentID, &c.DepartmentName, &c.Internal, &c.Archived)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// AuditChange is what the Checker needs of an audit entry to decide which
// cached facts it makes stale.
type AuditChange struct {
	ID       int64
	Action   string
	StaffID  int64
	ClientID int64
}

// AuditChangesSince lists up to limit entries after id, oldest first.
func AuditChangesSince(ctx context.Context, q Querier, afterID int64, limit int) ([]AuditChange, error) {
	return queryAll(ctx, q, "audit changes", func(r rowScanner) (AuditChange, error) {
		var c AuditChange
		err := r.Scan(&c.ID, &c.Action, &c.StaffID, &c.ClientID)
		return c, err
	}, `SELECT id, action, COALESCE(staff_id, 0), COALESCE(client_id, 0) FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

// CheckerBounds are the highest ids of the tables the Checker indexes by id,
// the newest audit entry and the internal folder's id.
type CheckerBounds struct {
	MaxStaff, MaxAccount, MaxClient, LastAudit, InternalClient int64
}

// GetCheckerBounds reads CheckerBounds in one statement.
func GetCheckerBounds(ctx context.Context, q Querier) (CheckerBounds, error) {
	var b CheckerBounds
	err := q.QueryRowContext(ctx, `SELECT (SELECT COALESCE(max(id), 0) FROM staff), (SELECT COALESCE(max(id), 0) FROM accounts),
		(SELECT COALESCE(max(id), 0) FROM clients), (SELECT COALESCE(max(id), 0) FROM audit_log),
		(SELECT COALESCE(max(id), 0) FROM clients WHERE internal = 1)`).Scan(&b.MaxStaff, &b.MaxAccount, &b.MaxClient, &b.LastAudit, &b.InternalClient)
	if err != nil {
		return b, fmt.Errorf("checker bounds: %w", err)
	}
	return b, nil
}

// MemberReachableAccountIDs lists the accounts a member reaches by being
// added to their folder with the account toggled on (the reach an Advisor
// has), ascending. The folder is the account's own, and the membership is
// read rather than assumed from the toggle, so the list is exactly "added
// and toggled on" as the engine decides it.
func MemberReachableAccountIDs(ctx context.Context, q Querier, staffID int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT aa.account_id FROM account_access aa
		JOIN accounts a ON a.id = aa.account_id
		JOIN client_members cm ON cm.client_id = a.client_id AND cm.staff_id = aa.staff_id
		WHERE aa.staff_id = ? ORDER BY aa.account_id`, staffID)
}

// MemberAccountReach is an account's folder and whether a member reaches
// the account by being added to that folder with it toggled on.
type MemberAccountReach struct {
	ClientID int64
	Toggled  bool
}

// GetMemberAccountReach reads MemberAccountReach in one statement, by the
// same rule as MemberReachableAccountIDs; ErrNotFound when the account
// does not exist.
func GetMemberAccountReach(ctx context.Context, q Querier, staffID, accountID int64) (MemberAccountReach, error) {
	var r MemberAccountReach
	err := q.QueryRowContext(ctx, `SELECT a.client_id, EXISTS (SELECT 1 FROM account_access aa
			JOIN client_members cm ON cm.client_id = a.client_id AND cm.staff_id = aa.staff_id
			WHERE aa.account_id = a.id AND aa.staff_id = ?)
		FROM accounts a WHERE a.id = ?`, staffID, accountID).Scan(&r.ClientID, &r.Toggled)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("member account reach: %w", err)
	}
	return r, nil
}
