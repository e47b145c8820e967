package db

import (
	"context"
	"database/sql"
	"fmt"
)

// orgTables is every table that holds the organisation's data, in an order
// that deletes what points at a row before the row. The built-in roles and
// the change counter belong to the schema and stay.
var orgTables = []string{
	"sessions", "locks", "signin_failures",
	"account_access", "client_members", "accounts", "clients",
	"connection_permissions", "connections", "invitations",
	"recovery_codes", "ssh_keys", "staff_departments", "departments",
	"staff", "role_permissions", "organisation", "audit_log",
}

// DeleteOrganisation removes every row of the organisation, its audit log
// included, leaving the file as a fresh one: `init` may create a new
// organisation in it. It returns how many rows went.
func DeleteOrganisation(ctx context.Context, tx *sql.Tx) (int64, error) {
	// Members point at managers, departments at heads, clients at owners:
	// checking foreign keys at commit, when nothing is left, lets each
	// table go in one statement.
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return 0, fmt.Errorf("delete organisation: %w", err)
	}
	var total int64
	for _, t := range orgTables {
		res, err := tx.ExecContext(ctx, "DELETE FROM "+t)
		if err != nil {
			return total, fmt.Errorf("delete organisation: %s: %w", t, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	// The log starts again: its high-water mark goes with it (the
	// org.delete entry that follows records the old head).
	if _, err := tx.ExecContext(ctx, `DELETE FROM sqlite_sequence WHERE name = 'audit_log'`); err != nil {
		return total, fmt.Errorf("delete organisation: audit high-water mark: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE builtin IS NULL`)
	if err != nil {
		return total, fmt.Errorf("delete organisation: roles: %w", err)
	}
	n, _ := res.RowsAffected()
	return total + n, nil
}

// Compact rewrites the file without the free pages deleted rows leave
// behind, and empties the write-ahead log, so that deleted data is gone
// from the disk and not only from the tables.
func (d *DB) Compact(ctx context.Context) error {
	if _, err := d.w.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	if _, err := d.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("compact: checkpoint: %w", err)
	}
	return nil
}
