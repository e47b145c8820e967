package db

import (
	"context"
	"fmt"
)

// AuditActor is who wrote one audit entry.
type AuditActor struct {
	ID        int64
	ActorKind string
	ActorID   int64
}

// AuditActors lists every audit entry's id and actor, oldest first: what
// the engine needs to decide, entry by entry, who may see it.
func AuditActors(ctx context.Context, q Querier) ([]AuditActor, error) {
	return queryAll(ctx, q, "audit actors", func(r rowScanner) (AuditActor, error) {
		var e AuditActor
		err := r.Scan(&e.ID, &e.ActorKind, &e.ActorID)
		return e, err
	}, `SELECT id, actor_kind, COALESCE(actor_id, 0) FROM audit_log ORDER BY id`)
}

// ReachesAllInternal reports whether a member was added to the internal
// folder with every one of its accounts toggled on.
func ReachesAllInternal(ctx context.Context, q Querier, staffID int64) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM client_members cm JOIN clients c ON c.id = cm.client_id WHERE c.internal = 1 AND cm.staff_id = ?1)
		AND NOT EXISTS (SELECT 1 FROM accounts a JOIN clients c ON c.id = a.client_id
			WHERE c.internal = 1 AND a.archived_at = 0
			AND NOT EXISTS (SELECT 1 FROM account_access aa WHERE aa.account_id = a.id AND aa.staff_id = ?1))`, staffID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("internal reach of %d: %w", staffID, err)
	}
	return ok, nil
}

// Int64s runs a query that selects one integer column and returns it.
func Int64s(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	return int64s(ctx, q, query, args...)
}
