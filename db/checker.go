package db

import (
	"context"
	"database/sql"
	"errors"
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
