package model

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"gatehouse/db"
)

// mayExport requires what an export reveals: every staff member, client
// folder, account and audit entry, and the settings. The Owner sees them
// all; anyone else needs all scope on each, and the internal accounts
// toggled on for them, since those are reached only through toggles.
func mayExport(ctx context.Context, q db.Querier, a Actor) error {
	if a.isOwner() {
		return nil
	}
	for _, m := range []Module{ModuleStaff, ModuleClients, ModuleAccounts, ModuleAudit, ModuleSettings} {
		if a.Perms.Get(m, VerbView) != ScopeAll {
			return &DeniedError{Decision{false, fmt.Sprintf("%s may not export the organisation: it needs to see all %s", a.who(), m)}}
		}
	}
	ok, err := db.ReachesAllInternal(ctx, q, a.StaffID)
	if err != nil {
		return err
	}
	if !ok {
		return &DeniedError{Decision{false, fmt.Sprintf("%s may not export the organisation: it holds the internal accounts, and not all of them are toggled on for them", a.who())}}
	}
	return nil
}

// Backup writes a consistent copy of the database file to dest while the
// app stays in use. The copy includes secrets (it is the database), so it
// is created readable by the owner only.
func (s *Service) Backup(ctx context.Context, p Principal, dest string) error {
	if err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := mayExport(ctx, tx, a); err != nil {
			return nil, err
		}
		return []change{{Action: "org.backup", TargetKind: "organisation", Target: dest}}, nil
	}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return s.db.Backup(ctx, dest)
}

// Export writes the whole organisation as JSON without secrets ("your data
// is yours"). The export is itself audited, before the snapshot is taken,
// so the file records that it was made.
func (s *Service) Export(ctx context.Context, p Principal, w io.Writer) error {
	if err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := mayExport(ctx, tx, a); err != nil {
			return nil, err
		}
		return []change{{Action: "org.export", TargetKind: "organisation", Target: "json"}}, nil
	}); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return s.db.Export(ctx, SafeJSONWriter(w))
}

// Import restores an export into this empty database and returns how many
// rows it wrote. Every name, email and message in the file passes the
// same checks as when it is typed (import_checks.go), or nothing is
// imported. The audit chain comes across whole, so `audit verify` passes
// on the result.
func (s *Service) Import(ctx context.Context, r io.Reader) (int, error) {
	n, err := s.db.Import(ctx, r, checkImportRow)
	if err != nil {
		return n, err
	}
	// Exports leave the email keys out; they are computed here.
	return n, s.backfillEmailKeys(ctx)
}
