package db

import (
	"context"
	"database/sql"
	"fmt"
)

// BulkWriter inserts generated rows fast: prepared statements inside one
// long transaction that is committed every so many rows. It is for the
// large-organisation generator only, on a database nobody else is using;
// the model's rules are upheld by the generator's construction.
type BulkWriter struct {
	d     *DB
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  int
	ctx   context.Context
	// Commit every Batch rows so the WAL stays bounded.
	Batch int
}

// NewBulkWriter starts a bulk load.
func (d *DB) NewBulkWriter(ctx context.Context) (*BulkWriter, error) {
	bw := &BulkWriter{d: d, ctx: ctx, Batch: 200_000}
	return bw, bw.begin()
}

func (bw *BulkWriter) begin() error {
	tx, err := bw.d.w.BeginTx(bw.ctx, nil)
	if err != nil {
		return fmt.Errorf("bulk: begin: %w", err)
	}
	bw.tx, bw.stmts = tx, map[string]*sql.Stmt{}
	return nil
}

// Exec runs one insert; statements are prepared once per batch.
func (bw *BulkWriter) Exec(query string, args ...any) (sql.Result, error) {
	st, ok := bw.stmts[query]
	if !ok {
		var err error
		if st, err = bw.tx.PrepareContext(bw.ctx, query); err != nil {
			return nil, fmt.Errorf("bulk: prepare: %w", err)
		}
		bw.stmts[query] = st
	}
	res, err := st.ExecContext(bw.ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("bulk: %w", err)
	}
	bw.rows++
	if bw.rows%bw.Batch == 0 {
		if err := bw.flush(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// Tx is the current transaction, for reads during the load.
func (bw *BulkWriter) Tx() *sql.Tx { return bw.tx }

func (bw *BulkWriter) flush() error {
	for _, st := range bw.stmts {
		st.Close()
	}
	if _, err := bw.tx.ExecContext(bw.ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1`); err != nil {
		return err
	}
	if err := bw.tx.Commit(); err != nil {
		return fmt.Errorf("bulk: commit: %w", err)
	}
	return bw.begin()
}

// Close commits what is left and runs ANALYZE so the planner knows the
// new table sizes.
func (bw *BulkWriter) Close() error {
	for _, st := range bw.stmts {
		st.Close()
	}
	if _, err := bw.tx.ExecContext(bw.ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1`); err != nil {
		bw.tx.Rollback()
		return err
	}
	if err := bw.tx.Commit(); err != nil {
		return fmt.Errorf("bulk: commit: %w", err)
	}
	if _, err := bw.d.w.ExecContext(bw.ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("bulk: analyze: %w", err)
	}
	_, err := bw.d.w.ExecContext(bw.ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// Abort rolls back the current batch.
func (bw *BulkWriter) Abort() {
	for _, st := range bw.stmts {
		st.Close()
	}
	bw.tx.Rollback()
}

// Rows is how many rows were written.
func (bw *BulkWriter) Rows() int { return bw.rows }

// AuditChainHead returns the id and hash of the newest audit entry.
func AuditChainHead(ctx context.Context, q Querier) (int64, string, error) {
	var id int64
	var hash string
	err := q.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &hash)
	if err == sql.ErrNoRows {
		return 0, GenesisHash, nil
	}
	return id, hash, err
}

// InsertAuditRaw writes a fully formed entry (hash already computed); for
// the generator and for import.
func (bw *BulkWriter) InsertAuditRaw(e AuditEntry) error {
	_, err := bw.Exec(`INSERT INTO audit_log (id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target, staff_id, client_id, before, after, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At.UnixNano(), e.ActorKind, nullID(e.ActorID), e.Actor, e.Origin, e.Action, e.TargetKind, nullID(e.TargetID), e.Target,
		nullID(e.StaffID), nullID(e.ClientID), e.Before, e.After, e.PrevHash, e.Hash)
	return err
}
