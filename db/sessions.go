package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Session is a live session of any process on this file: the terminal app
// run locally, or an SSH connection a server holds.
type Session struct {
	ID           int64
	StaffID      int64
	ConnectionID int64
	Kind         string // app, ssh
	Origin       string
	Address      string
	Fingerprint  string
	Doing        string
	Process      string
	StartedAt    time.Time
	LastInput    time.Time
	Heartbeat    time.Time
	EndedAt      time.Time
	EndReason    string
	// Who: the member's name and email, or the connection's name.
	Name, Email string
}

const sessionSelect = `SELECT se.id, COALESCE(se.staff_id, 0), COALESCE(se.connection_id, 0), se.kind, se.origin, se.address, se.fingerprint,
	se.doing, se.process, se.started_at, se.last_input, se.heartbeat, se.ended_at, se.end_reason,
	COALESCE(s.name, c.name, ''), COALESCE(s.email, '')
	FROM sessions se LEFT JOIN staff s ON s.id = se.staff_id LEFT JOIN connections c ON c.id = se.connection_id`

func scanSession(sc rowScanner) (Session, error) {
	var x Session
	var started, last, beat, ended int64
	err := sc.Scan(&x.ID, &x.StaffID, &x.ConnectionID, &x.Kind, &x.Origin, &x.Address, &x.Fingerprint, &x.Doing, &x.Process,
		&started, &last, &beat, &ended, &x.EndReason, &x.Name, &x.Email)
	x.StartedAt, x.LastInput, x.Heartbeat, x.EndedAt = unix(started), unix(last), unix(beat), unix(ended)
	return x, err
}

// InsertSession stores a new live session and returns its id.
func InsertSession(ctx context.Context, q Querier, x Session) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO sessions (staff_id, connection_id, kind, origin, address, fingerprint, doing, process, started_at, last_input, heartbeat)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(x.StaffID), nullID(x.ConnectionID), x.Kind, x.Origin, x.Address, x.Fingerprint, x.Doing, x.Process,
		unixOf(x.StartedAt), unixOf(x.LastInput), unixOf(x.Heartbeat))
	if err != nil {
		return 0, fmt.Errorf("store session: %w", err)
	}
	return res.LastInsertId()
}

// Beat refreshes a session's heartbeat, last input and activity.
func Beat(ctx context.Context, q Querier, id int64, lastInput time.Time, doing string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE sessions SET heartbeat = ?, last_input = max(last_input, ?), doing = ? WHERE id = ?`,
		now.Unix(), unixOf(lastInput), doing, id)
	if err != nil {
		return fmt.Errorf("session heartbeat: %w", err)
	}
	return nil
}

// DeleteSession forgets a session that closed.
func DeleteSession(ctx context.Context, q Querier, id int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("forget session: %w", err)
	}
	return nil
}

// PruneSessions forgets the sessions of processes that stopped without
// closing them: no heartbeat since before.
func PruneSessions(ctx context.Context, q Querier, before time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE heartbeat < ?`, before.Unix()); err != nil {
		return fmt.Errorf("forget stale sessions: %w", err)
	}
	return nil
}

// GetSession reads one session.
func GetSession(ctx context.Context, q Querier, id int64) (Session, error) {
	x, err := scanSession(q.QueryRowContext(ctx, sessionSelect+` WHERE se.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, ErrNotFound
	}
	return x, err
}

// ListSessions lists the sessions whose heartbeat is at or after since,
// ended ones included, oldest first.
func ListSessions(ctx context.Context, q Querier, since time.Time) ([]Session, error) {
	return querySessions(ctx, q, `WHERE se.heartbeat >= ? ORDER BY se.started_at, se.id`, since.Unix())
}

// SessionsOf lists the live (not ended) sessions of the members, roles,
// connections and keys given, with a heartbeat at or after since: the
// sessions a lock ends.
func SessionsOf(ctx context.Context, q Querier, t LockTargets, since time.Time) ([]Session, error) {
	return querySessions(ctx, q, `WHERE se.ended_at = 0 AND se.heartbeat >= ?
		AND (se.staff_id = ? OR se.connection_id = ? OR se.fingerprint = ?
			OR se.staff_id IN (SELECT id FROM staff WHERE role_id = ?)
			OR se.connection_id IN (SELECT id FROM connections WHERE creator_id = ? OR creator_id IN (SELECT id FROM staff WHERE role_id = ?)))
		ORDER BY se.id`, since.Unix(), nonZero(t.StaffID), nonZero(t.ConnectionID), nonEmpty(t.Key), nonZero(t.RoleID), nonZero(t.StaffID), nonZero(t.RoleID))
}

func querySessions(ctx context.Context, q Querier, where string, args ...any) ([]Session, error) {
	return queryAll(ctx, q, "read sessions", scanSession, sessionSelect+" "+where, args...)
}

// EndSession marks a session ended with a reason; the process holding it
// closes it.
func EndSession(ctx context.Context, q Querier, id int64, reason string, at time.Time) error {
	return execOne(ctx, q, `UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at = 0`, unixOf(at), reason, id)
}

// EndedSessions returns, among ids, the sessions that were ended, and why.
func EndedSessions(ctx context.Context, q Querier, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := eachRow(ctx, q, "read ended sessions", func(r rowScanner) error {
		var id, ended int64
		var reason string
		if err := r.Scan(&id, &ended, &reason); err != nil {
			return fmt.Errorf("read ended sessions: %w", err)
		}
		out[id] = reason
		return nil
	}, `SELECT id, ended_at, end_reason FROM sessions WHERE ended_at != 0 AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
