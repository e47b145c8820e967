package model

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gatehouse/db"
)

// OrgDeletion says what deleting the organisation removed.
type OrgDeletion struct {
	Org      string
	Rows     int64  // rows deleted, audit entries included
	Entries  int64  // audit entries the deleted log held
	HeadHash string // the deleted log's last hash, kept in the new log's first entry
}

// DeleteOrganisation removes the organisation and everything in it — staff,
// clients, access, roles, connections, invitations and the audit log — and
// compacts the file so the data is gone from the disk too. Only the Owner
// (or the OS user holding the file) may, with the Owner's password and the
// organisation's name typed to confirm. The file keeps one audit entry, the
// first of a new chain: who deleted it, when, and the old log's length and
// head hash, so that a backup or export kept elsewhere can be matched to
// it. Open sessions end, their member being gone.
func (s *Service) DeleteOrganisation(ctx context.Context, p Principal, password, confirmName string) (OrgDeletion, error) {
	var out OrgDeletion
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActDeleteOrg, Target{Module: ModuleSettings}); err != nil {
			return nil, err
		}
		org, err := db.GetOrg(ctx, tx)
		if err != nil {
			return nil, fmt.Errorf("read organisation: %w", err)
		}
		if strings.TrimSpace(confirmName) != org.Name {
			return nil, fmt.Errorf("%w: type the organisation's name, %s, exactly to confirm; nothing was deleted", ErrInvalid, Sanitize(org.Name))
		}
		ok, err := passwordReentered(ctx, tx, a, password)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: the password is not right; nothing was deleted", ErrDenied)
		}
		out.Org = org.Name
		if err := tx.QueryRowContext(ctx, `SELECT count(*), COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '') FROM audit_log`).Scan(&out.Entries, &out.HeadHash); err != nil {
			return nil, fmt.Errorf("read audit head: %w", err)
		}
		if out.Rows, err = db.DeleteOrganisation(ctx, tx); err != nil {
			return nil, err
		}
		return []change{{Action: "org.delete", TargetKind: "organisation", Target: org.Name,
			Before: map[string]any{"organisation": org.Name, "audit_entries": out.Entries, "audit_head": out.HeadHash}}}, nil
	})
	if err != nil {
		return OrgDeletion{}, fmt.Errorf("delete organisation: %w", err)
	}
	if err := s.db.Compact(ctx); err != nil {
		// The data is deleted; only the free pages remain to be cleared.
		return out, fmt.Errorf("organisation deleted, but the file was not compacted (run VACUUM on it): %w", err)
	}
	return out, nil
}
