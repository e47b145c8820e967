package model

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
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

// ImportResult is what an import wrote and how it was recorded.
type ImportResult struct {
	Rows         int    // rows written, the audit log's included
	AuditEntries int    // entries of the log the file carried
	SHA256       string // of the file as read
	EntryID      int64  // the org.import entry appended after them
}

// Import restores an export into this empty database. Every name, email
// and message in the file passes the same checks as when it is typed
// (import_checks.go), or nothing is imported. The audit chain comes
// across whole, so `audit verify` passes on the result, and an org.import
// entry (who, the source's name and SHA-256, the counts) is chained after
// it in the same transaction. The chain proves the log it carries is
// intact; the rows are taken as the file gives them (docs/security.md).
// Only the local operating-system user imports: the database has no
// members yet.
func (s *Service) Import(ctx context.Context, p Principal, r io.Reader, source string) (ImportResult, error) {
	var res ImportResult
	if p.Kind != KindSystem {
		return res, fmt.Errorf("import: %w: only the operating-system user on the server's machine imports", ErrDenied)
	}
	sum := sha256.New()
	in := io.TeeReader(r, sum)
	record := func(tx *sql.Tx, rows map[string]int) error {
		// Whatever the decoder left unread belongs to the file too.
		if _, err := io.Copy(io.Discard, in); err != nil {
			return fmt.Errorf("import: read %s: %w", Sanitize(source), err)
		}
		res.SHA256 = hex.EncodeToString(sum.Sum(nil))
		res.AuditEntries = rows["audit_log"]
		a, err := loadActorAt(ctx, tx, p, s.Now())
		if err != nil {
			return err
		}
		var org string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM organisation LIMIT 1`).Scan(&org); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if err := s.audit(ctx, tx, a, s.Now(), change{Action: "org.import", TargetKind: "organisation", Target: org,
			After: map[string]any{"file": Sanitize(Truncate(source, 200)), "sha256": res.SHA256, "rows": rowsTotal(rows),
				"staff": rows["staff"], "clients": rows["clients"], "accounts": rows["accounts"], "audit_entries": rows["audit_log"]}}); err != nil {
			return fmt.Errorf("import: audit: %w", err)
		}
		_, res.EntryID, err = db.AuditBounds(ctx, tx)
		return err
	}
	rows, err := s.db.Import(ctx, in, checkImportRow, record)
	if err != nil {
		return res, err
	}
	res.Rows = rows
	// Exports leave the email keys out; they are computed here.
	return res, s.backfillEmailKeys(ctx)
}

// rowsTotal is the rows written in all.
func rowsTotal(rows map[string]int) int {
	t := 0
	for _, c := range rows {
		t += c
	}
	return t
}
