package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lock is an incident lock on a member, a role, a connection or an SSH key.
type Lock struct {
	ID        int64
	Kind      string // staff, role, connection, key
	TargetID  int64  // the member, role or connection
	TargetKey string // the key's SHA256 fingerprint
	Label     string // how the target was named when locked
	Reason    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: until lifted
	LiftedAt  time.Time
	LiftedBy  string
}

// Active reports whether the lock holds at now.
func (l Lock) Active(now time.Time) bool {
	return l.LiftedAt.IsZero() && (l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt))
}

const lockSelect = `SELECT id, kind, target_id, target_key, label, reason, created_by, created_at, expires_at, lifted_at, lifted_by FROM locks`

func scanLock(sc rowScanner) (Lock, error) {
	var l Lock
	var created, expires, lifted int64
	err := sc.Scan(&l.ID, &l.Kind, &l.TargetID, &l.TargetKey, &l.Label, &l.Reason, &l.CreatedBy, &created, &expires, &lifted, &l.LiftedBy)
	l.CreatedAt, l.ExpiresAt, l.LiftedAt = unix(created), unix(expires), unix(lifted)
	return l, err
}

func queryLocks(ctx context.Context, q Querier, where string, args ...any) ([]Lock, error) {
	return queryAll(ctx, q, "read locks", scanLock, lockSelect+" "+where, args...)
}

// InsertLock stores a lock and returns its id.
func InsertLock(ctx context.Context, q Querier, l Lock) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO locks (kind, target_id, target_key, label, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.Kind, l.TargetID, l.TargetKey, l.Label, l.Reason, l.CreatedBy, unixOf(l.CreatedAt), unixOf(l.ExpiresAt))
	if err != nil {
		return 0, fmt.Errorf("store lock: %w", err)
	}
	return res.LastInsertId()
}

// GetLock reads one lock.
func GetLock(ctx context.Context, q Querier, id int64) (Lock, error) {
	l, err := scanLock(q.QueryRowContext(ctx, lockSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	return l, err
}

// LiftLock ends a lock before its time.
func LiftLock(ctx context.Context, q Querier, id int64, by string, at time.Time) error {
	return execOne(ctx, q, `UPDATE locks SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at = 0`, unixOf(at), by, id)
}

// LockTargets is everything a principal may be locked by: the member (or
// a connection's creator), their role, the connection, the SSH key.
type LockTargets struct {
	StaffID, RoleID, ConnectionID int64
	Key                           string
}

// ActiveLocks lists the locks in force at now on any of t's targets,
// oldest first.
func ActiveLocks(ctx context.Context, q Querier, t LockTargets, now time.Time) ([]Lock, error) {
	return queryLocks(ctx, q, `WHERE lifted_at = 0 AND (expires_at = 0 OR expires_at > ?)
		AND ((kind = 'staff' AND target_id = ?) OR (kind = 'role' AND target_id = ?)
			OR (kind = 'connection' AND target_id = ?) OR (kind = 'key' AND target_key = ?))
		ORDER BY id`, now.Unix(), nonZero(t.StaffID), nonZero(t.RoleID), nonZero(t.ConnectionID), nonEmpty(t.Key))
}

// nonZero and nonEmpty keep an absent target from matching a lock.
func nonZero(id int64) int64 {
	if id == 0 {
		return -1
	}
	return id
}

func nonEmpty(s string) string {
	if s == "" {
		return "\x00"
	}
	return s
}

// ListLocks lists the locks in force at now, or with lifted also those
// lifted or expired, newest first.
func ListLocks(ctx context.Context, q Querier, now time.Time, all bool) ([]Lock, error) {
	if all {
		return queryLocks(ctx, q, `ORDER BY id DESC`)
	}
	return queryLocks(ctx, q, `WHERE lifted_at = 0 AND (expires_at = 0 OR expires_at > ?) ORDER BY id DESC`, now.Unix())
}

// ConnectionByName finds a connection by its name, ignoring case.
func ConnectionByName(ctx context.Context, q Querier, name string) (Connection, error) {
	return getConnection(ctx, q, `c.name = ? COLLATE NOCASE`, name)
}

// MembersWithRole lists the ids of the members who have a role.
func MembersWithRole(ctx context.Context, q Querier, roleID int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT id FROM staff WHERE role_id = ? ORDER BY id`, roleID)
}
