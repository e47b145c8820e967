package db

import (
	"context"
	"fmt"
	"time"
)

// PrunePlan is what pruning before a time would remove: the oldest
// entries, first_id through through_id, all older than the time, and the
// hash the chain has at through_id. The newest entry is always kept, so
// that the chain goes on from it.
type PrunePlan struct {
	FirstID, ThroughID int64
	Head               string
}

// PlanPrune finds the entries older than before that pruning removes:
// the longest run from the oldest entry whose times are all before it.
func PlanPrune(ctx context.Context, q Querier, before time.Time) (PrunePlan, error) {
	var p PrunePlan
	first, last, err := AuditBounds(ctx, q)
	if err != nil {
		return p, fmt.Errorf("prune audit: %w", err)
	}
	if last == 0 {
		return p, nil
	}
	var firstNewer int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(min(id), 0) FROM audit_log WHERE at >= ?`, before.UnixNano()).Scan(&firstNewer); err != nil {
		return p, fmt.Errorf("prune audit: %w", err)
	}
	through := last - 1
	if firstNewer != 0 {
		through = min(through, firstNewer-1)
	}
	if through < first {
		return p, nil
	}
	head, err := AuditHashAt(ctx, q, through)
	if err != nil {
		return p, fmt.Errorf("prune audit: %w", err)
	}
	return PrunePlan{FirstID: first, ThroughID: through, Head: head}, nil
}

// DeleteAuditThrough removes the entries up to and including id; the
// caller appends the prune checkpoint in the same transaction.
func DeleteAuditThrough(ctx context.Context, q Querier, id int64) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM audit_log WHERE id <= ?`, id)
	if err != nil {
		return 0, fmt.Errorf("prune audit: %w", err)
	}
	return res.RowsAffected()
}
