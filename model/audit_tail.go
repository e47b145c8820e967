package model

import (
	"context"
	"time"

	"gatehouse/db"
)

// tailBatch is how many entries one read of a tail returns: a backlog is
// sent in batches, each from a short read, so a slow reader never holds
// a snapshot of the file open.
const tailBatch = 500

// TailPoll is how often a following tail looks for new entries.
var TailPoll = 200 * time.Millisecond

// TailAudit calls fn for every entry after afterID that p may see, oldest
// first, as committed; with follow it goes on with each new entry until
// ctx ends. Entries get their ids in commit order (one writer at a time
// appends at the end of the chain), so reading on from the last id seen
// misses none and repeats none: a reader that stops and starts again
// with that id (--since-id) resumes without a gap. Who p is, and what
// they may see, is read again for each batch: a member locked out or
// deactivated stops receiving entries at once.
func (s *Service) TailAudit(ctx context.Context, p Principal, afterID int64, follow bool, fn func(AuditEntry) error) error {
	for {
		n, last, err := s.tailBatch(ctx, p, afterID, fn)
		if err != nil {
			return err
		}
		afterID = last
		if n == tailBatch {
			continue
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(TailPoll):
		}
	}
}

func (s *Service) tailBatch(ctx context.Context, p Principal, afterID int64, fn func(AuditEntry) error) (int, int64, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return 0, afterID, err
	}
	sc, ok := scopeFor(a, ModuleAudit)
	if !ok {
		return 0, afterID, &DeniedError{Decide(a, ActView, Target{Module: ModuleAudit})}
	}
	sc.Internal = true
	n := 0
	last := afterID
	err = db.EachAudit(ctx, s.db.Read(), db.AuditQuery{Scope: sc, AfterID: afterID, Limit: tailBatch}, func(e db.AuditEntry) error {
		n++
		last = e.ID
		return fn(e)
	})
	return n, last, err
}

// TailStart is the id a tail without --since-id starts after: the last
// `lines` entries p may see are shown first (none with 0: only what
// comes next).
func (s *Service) TailStart(ctx context.Context, p Principal, lines int) (int64, error) {
	es, err := s.ListAudit(ctx, p, AuditQuery{Limit: max(lines, 1)})
	if err != nil || len(es) == 0 {
		return 0, err
	}
	if lines == 0 {
		return es[0].ID, nil
	}
	return es[len(es)-1].ID - 1, nil
}
