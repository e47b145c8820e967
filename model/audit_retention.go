package model

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gatehouse/db"
)

// MayPruneAudit says whether a removes old audit entries: the Owner, or
// the operating-system user who holds the file.
func MayPruneAudit(a Actor) Decision {
	if a.isOwner() {
		return Decision{Allowed: true, Reason: a.who() + " may prune the audit log"}
	}
	return deny("%s: only the Owner (or the holder of the database file) removes audit entries", a.who())
}

// PruneResult is what PruneAudit removed.
type PruneResult = db.PruneRecord

// PruneAudit removes the audit entries older than before, in one
// transaction that appends a prune checkpoint (audit.prune) holding how
// many went, their ids and the hash the chain had at the last of them:
// the first kept entry links to that hash, so the chain verifies from the
// checkpoint on, and an export made before pruning can be checked against
// it (VerifyExport). The chain is verified first: pruning never hides a
// break. The newest entry is always kept.
func (s *Service) PruneAudit(ctx context.Context, p Principal, before time.Time) (PruneResult, error) {
	var res PruneResult
	a, err := s.readActor(ctx, p)
	if err != nil {
		return res, err
	}
	if d := MayPruneAudit(a); !d.Allowed {
		return res, &DeniedError{Decision: d}
	}
	if before.After(s.Now()) {
		return res, fmt.Errorf("%w: %s is in the future; prune keeps everything after the date given", ErrInvalid, before.Format(time.RFC3339))
	}
	st, brk, err := db.VerifyAuditChain(ctx, s.db.Read(), db.ChainPosition{})
	if err != nil {
		return res, fmt.Errorf("prune audit: %w", err)
	}
	if brk != nil {
		return res, fmt.Errorf("%w: the audit chain is broken at entry %d (%s); nothing was pruned", ErrRule, brk.ID, brk.Reason)
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if d := MayPruneAudit(a); !d.Allowed {
			return nil, &DeniedError{Decision: d}
		}
		// What was appended since the walk is walked here, where nothing
		// more can be.
		if st.LastID > 0 {
			if _, brk, err := db.VerifyAuditChain(ctx, tx, db.ChainPosition{ID: st.LastID, Hash: st.Head}); err != nil || brk != nil {
				if err == nil {
					err = fmt.Errorf("%w: the audit chain is broken at entry %d (%s); nothing was pruned", ErrRule, brk.ID, brk.Reason)
				}
				return nil, err
			}
		}
		plan, err := db.PlanPrune(ctx, tx, before)
		if err != nil {
			return nil, err
		}
		if plan.ThroughID == 0 {
			return nil, fmt.Errorf("%w: no audit entries before %s to prune (the newest entry is always kept)", ErrRule, before.Format("2006-01-02 15:04:05 MST"))
		}
		n, err := db.DeleteAuditThrough(ctx, tx, plan.ThroughID)
		if err != nil {
			return nil, err
		}
		res = PruneResult{Pruned: n, FirstID: plan.FirstID, ThroughID: plan.ThroughID, Head: plan.Head, Before: before.UTC().Format(time.RFC3339)}
		return []change{{Action: db.PruneAction, TargetKind: "audit", Target: fmt.Sprintf("entries %d to %d", plan.FirstID, plan.ThroughID), After: res}}, nil
	})
	if err != nil {
		return res, fmt.Errorf("prune audit: %w", err)
	}
	return res, nil
}

// ExportCheck is what checking an audit export against the log found.
type ExportCheck struct {
	Entries         int64
	FirstID, LastID int64
	// Covers lists the prune checkpoints whose removed entries the export
	// holds, with the head it confirms.
	Covers []db.PruneRecord
	// Overlap is how many of the export's entries are still in the log
	// (their hashes agree).
	Overlap int64
}

// VerifyExport reads an audit export in JSON (`audit export --format
// json`, made before pruning) and checks it: its own chain, from the
// genesis hash or from where it starts; that it agrees with every prune
// checkpoint whose range it covers (the head hash at the last pruned
// entry); and that the entries it shares with the log have the same
// hashes. It is how the pruned range stays verifiable.
func (s *Service) VerifyExport(ctx context.Context, p Principal, r io.Reader) (ExportCheck, *ChainBreak, error) {
	var out ExportCheck
	a, err := s.readActor(ctx, p)
	if err != nil {
		return out, nil, err
	}
	if d := MayVerifyAudit(a); !d.Allowed {
		return out, nil, &DeniedError{Decision: d}
	}
	q := s.db.Read()
	records, err := db.PruneRecords(ctx, q)
	if err != nil {
		return out, nil, err
	}
	byThrough := map[int64]db.PruneRecord{}
	for _, r := range records {
		byThrough[r.ThroughID] = r
	}
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return out, nil, fmt.Errorf("%w: not an audit export in JSON (a list of entries)", ErrInvalid)
	}
	prevID, prev := int64(0), db.GenesisHash
	for dec.More() {
		var e db.AuditEntry
		if err := dec.Decode(&e); err != nil {
			return out, nil, fmt.Errorf("%w: audit export, after entry %d: %v", ErrInvalid, prevID, err)
		}
		out.Entries++
		if out.FirstID == 0 {
			out.FirstID = e.ID
			if e.ID != 1 {
				prevID, prev = e.ID-1, e.PrevHash
			}
		}
		switch {
		case e.ID != prevID+1:
			return out, &ChainBreak{ID: e.ID, Reason: fmt.Sprintf("in the export, entry %d follows entry %d: entries in between are missing", e.ID, prevID)}, nil
		case e.PrevHash != prev:
			return out, &ChainBreak{ID: e.ID, Reason: fmt.Sprintf("in the export, entry %d does not link to entry %d", e.ID, prevID)}, nil
		case db.HashEntry(e) != e.Hash:
			return out, &ChainBreak{ID: e.ID, Reason: fmt.Sprintf("in the export, entry %d was changed after it was written (hash differs)", e.ID)}, nil
		}
		if rec, ok := byThrough[e.ID]; ok {
			if rec.Head != e.Hash {
				return out, &ChainBreak{ID: e.ID, Reason: fmt.Sprintf("the export's entry %d has hash %s…, but the prune checkpoint recorded %s…", e.ID, shortHash(e.Hash), shortHash(rec.Head))}, nil
			}
			out.Covers = append(out.Covers, rec)
		}
		h, err := db.AuditHashAt(ctx, q, e.ID)
		if err != nil {
			return out, nil, fmt.Errorf("verify export: %w", err)
		}
		if h != "" {
			if h != e.Hash {
				return out, &ChainBreak{ID: e.ID, Reason: fmt.Sprintf("the export's entry %d differs from the log's (hash %s… against %s…)", e.ID, shortHash(e.Hash), shortHash(h))}, nil
			}
			out.Overlap++
		}
		prevID, prev = e.ID, e.Hash
		out.LastID = e.ID
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return out, nil, fmt.Errorf("%w: audit export: %v", ErrInvalid, err)
	}
	return out, nil, nil
}

// AuditRetention is the organisation's retention policy for its audit
// log, as Settings shows it: entries are kept until the Owner (or the
// file's holder) prunes them, never automatically; and the last prune.
type AuditRetention struct {
	LastPrune *db.PruneRecord
}

// String says the policy in one line.
func (r AuditRetention) String() string {
	s := "kept until the Owner prunes them (audit prune --before DATE); never automatic"
	if r.LastPrune != nil {
		s += fmt.Sprintf("; last pruned: entries %d to %d, before %s", r.LastPrune.FirstID, r.LastPrune.ThroughID, r.LastPrune.Before)
	}
	return s
}

// AuditRetention reads the retention policy, for those who see settings.
func (s *Service) AuditRetention(ctx context.Context, p Principal) (AuditRetention, error) {
	var r AuditRetention
	a, err := s.readActor(ctx, p)
	if err != nil {
		return r, err
	}
	if err := require(a, ActView, Target{Module: ModuleSettings}); err != nil {
		return r, err
	}
	recs, err := db.PruneRecords(ctx, s.db.Read())
	if err != nil {
		return r, err
	}
	if len(recs) > 0 {
		r.LastPrune = &recs[len(recs)-1]
	}
	return r, nil
}
