package model

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gatehouse/db"
)

// ListAudit returns one page of the audit log as the actor may see it:
// everything for roles with audit view at all scope, their own actions for
// Advisors. Paging is by keyset (q.BeforeID), never OFFSET.
func (s *Service) ListAudit(ctx context.Context, p Principal, q AuditQuery) ([]AuditEntry, error) {
	for _, f := range []string{q.Actor, q.Action, q.Target} {
		if err := checkFilter("audit", f); err != nil {
			return nil, err
		}
	}
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	sc, ok := scopeFor(a, ModuleAudit)
	if !ok {
		return nil, &DeniedError{Decide(a, ActView, Target{Module: ModuleAudit})}
	}
	if err := s.auditFilterVisible(ctx, p, q); err != nil {
		return nil, err
	}
	sc.Internal = true
	q.Scope = sc
	return db.ListAudit(ctx, s.db.Read(), q)
}

// auditFilterVisible refuses a filter on a member or folder the reader may
// not see, as if it did not exist.
func (s *Service) auditFilterVisible(ctx context.Context, p Principal, q AuditQuery) error {
	if q.StaffID != 0 {
		if _, err := s.GetMember(ctx, p, q.StaffID); err != nil {
			return err
		}
	}
	if q.ClientID != 0 {
		if _, err := s.GetClient(ctx, p, q.ClientID); err != nil {
			return err
		}
	}
	return nil
}

// VerifyAudit walks the whole hash chain and returns how many entries it
// checked and the first that does not match, if any. It is for the file's
// holder (the CLI run locally, check-db, import); a member's screen or SSH
// command uses VerifyAuditAs.
func (s *Service) VerifyAudit(ctx context.Context) (int64, *ChainBreak, error) {
	return db.VerifyAudit(ctx, s.db.Read())
}

// MayVerifyAudit says whether a walks the whole chain: the walk reads every
// entry and reports their number, so it is for those who see the whole log.
func MayVerifyAudit(a Actor) Decision {
	if sc, ok := scopeFor(a, ModuleAudit); ok && sc.All {
		return Decision{Allowed: true, Reason: a.who() + ", sees the whole audit log"}
	}
	return deny("%s: verifying the chain reads every entry of the audit log, and %s sees only part of it", a.who(), a.who())
}

// VerifyAuditAs is VerifyAudit for a member or connection, who must see the
// whole log.
func (s *Service) VerifyAuditAs(ctx context.Context, p Principal) (int64, *ChainBreak, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return 0, nil, err
	}
	if d := MayVerifyAudit(a); !d.Allowed {
		return 0, nil, &DeniedError{Decision: d}
	}
	return s.VerifyAudit(ctx)
}

// AuditCSVHeader is the header row of a CSV export.
var AuditCSVHeader = []string{"id", "at", "actor_kind", "actor_id", "actor", "origin", "action", "target_kind", "target_id", "target", "staff_id", "client_id", "before", "after", "prev_hash", "hash"}

// ExportAudit writes every entry matching q that the actor may see, oldest
// first, as CSV or JSON (an array), streaming so that millions of entries
// need no memory. The export is itself audited (audit.export), before the
// entries are read, so the file records that it was made.
func (s *Service) ExportAudit(ctx context.Context, p Principal, q AuditQuery, w io.Writer, format string) error {
	if format != "csv" && format != "json" {
		return fmt.Errorf("%w: export format %q (csv or json)", ErrInvalid, Sanitize(format))
	}
	var sc db.Scope
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if d, ok := principalGate(a); !ok {
			return nil, &DeniedError{Decision: d}
		}
		var ok bool
		if sc, ok = scopeFor(a, ModuleAudit); !ok {
			return nil, &DeniedError{Decide(a, ActView, Target{Module: ModuleAudit})}
		}
		scope := "own"
		switch {
		case sc.All:
			scope = "all"
		case sc.Department:
			scope = "department"
		}
		return []change{{Action: "audit.export", TargetKind: "audit", Target: format,
			After: map[string]any{"format": format, "scope": scope}}}, nil
	})
	if err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	sc.Internal = true
	q.Scope = sc
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(AuditCSVHeader); err != nil {
			return err
		}
		err := db.EachAudit(ctx, s.db.Read(), q, func(e db.AuditEntry) error {
			return cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), CSVCell(e.ActorKind), strconv.FormatInt(e.ActorID, 10),
				CSVCell(e.Actor), CSVCell(e.Origin), CSVCell(e.Action), CSVCell(e.TargetKind), strconv.FormatInt(e.TargetID, 10), CSVCell(e.Target),
				strconv.FormatInt(e.StaffID, 10), strconv.FormatInt(e.ClientID, 10), CSVCell(e.Before), CSVCell(e.After), CSVCell(e.PrevHash), CSVCell(e.Hash)})
		})
		if err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		w := SafeJSONWriter(w)
		if _, err := io.WriteString(w, "[\n"); err != nil {
			return err
		}
		first := true
		enc := json.NewEncoder(w)
		err := db.EachAudit(ctx, s.db.Read(), q, func(e db.AuditEntry) error {
			if !first {
				if _, err := io.WriteString(w, ","); err != nil {
					return err
				}
			}
			first = false
			return enc.Encode(e)
		})
		if err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		_, err = io.WriteString(w, "]\n")
		return err
	}
	return nil
}

// CSVCell makes a text cell of a CSV export safe to print and to open:
// control characters and bidi controls are made visible as on a screen
// (CSV has no escapes, and the file is often printed to a terminal), and a
// cell starting with =, +, - or @, which a spreadsheet would run as a
// formula, is opened with an apostrophe, the mark spreadsheets take for
// "text". A cell changed this way no longer hashes to its entry's hash:
// the JSON export carries the exact text.
func CSVCell(s string) string {
	s = Sanitize(s)
	if s != "" && strings.IndexByte("=+-@", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// VerifyAuditChainAs walks the whole chain for a, who must see the whole
// log, and returns what it found: entries, bounds, head, pruned range.
func (s *Service) VerifyAuditChainAs(ctx context.Context, p Principal) (db.ChainState, *ChainBreak, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return db.ChainState{}, nil, err
	}
	if d := MayVerifyAudit(a); !d.Allowed {
		return db.ChainState{}, nil, &DeniedError{Decision: d}
	}
	return db.VerifyAuditChain(ctx, s.db.Read(), db.ChainPosition{})
}

// AuditStaffIDs names, for an audit query by email, the member who has
// that email now (if p may see them) and every removed member who had it,
// found in the entries about them that p may see: a member's history
// outlives their record.
func (s *Service) AuditStaffIDs(ctx context.Context, p Principal, email string) ([]int64, error) {
	var ids []int64
	m, err := s.MemberByEmail(ctx, p, email)
	switch {
	case err == nil:
		ids = append(ids, m.ID)
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	sc, ok := scopeFor(a, ModuleAudit)
	if !ok {
		return nil, &DeniedError{Decide(a, ActView, Target{Module: ModuleAudit})}
	}
	sc.Internal = true
	former, err := db.FormerStaffIDs(ctx, s.db.Read(), sc, strings.TrimSpace(email))
	if err != nil {
		return nil, err
	}
	ids = append(ids, former...)
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no member, present or removed, with email %q in the audit log you see", ErrNotFound, Sanitize(email))
	}
	return ids, nil
}
