package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GenesisHash is the "previous hash" of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// HashEntry computes an entry's hash over its content and prev_hash: the
// SHA-256 of each field in order, written as "len:value;" (the length in
// bytes, so no two contents hash alike). The format is fixed: every
// existing log was hashed with it.
func HashEntry(e AuditEntry) string {
	var buf [512]byte
	sum := sha256.Sum256(appendPreimage(buf[:0], e))
	return hex.EncodeToString(sum[:])
}

func appendPreimage(b []byte, e AuditEntry) []byte {
	b = appendIntField(b, e.ID)
	b = appendIntField(b, e.At.UnixNano())
	b = appendField(b, e.ActorKind)
	b = appendIntField(b, e.ActorID)
	b = appendField(b, e.Actor)
	b = appendField(b, e.Origin)
	b = appendField(b, e.Action)
	b = appendField(b, e.TargetKind)
	b = appendIntField(b, e.TargetID)
	b = appendField(b, e.Target)
	b = appendIntField(b, e.StaffID)
	b = appendIntField(b, e.ClientID)
	b = appendField(b, e.Before)
	b = appendField(b, e.After)
	return appendField(b, e.PrevHash)
}

func appendField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ';')
}

func appendIntField(b []byte, n int64) []byte {
	var digits [24]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	b = strconv.AppendInt(b, int64(len(d)), 10)
	b = append(b, ':')
	b = append(b, d...)
	return append(b, ';')
}

// AppendAudit adds an entry at the end of the chain. It must run inside the
// write transaction of the change it records. The new id follows the
// log's high-water mark (sqlite_sequence), not only its last entry: after
// the newest entries were deleted, the next entry leaves a gap where they
// were, so the deletion stays visible to verification for good.
func AppendAudit(ctx context.Context, q Querier, e AuditEntry) (AuditEntry, error) {
	var lastID, highWater int64
	var lastHash string
	err := q.QueryRowContext(ctx, `SELECT a.id, a.hash, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)
		FROM audit_log a ORDER BY a.id DESC LIMIT 1`).Scan(&lastID, &lastHash, &highWater)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		lastHash = GenesisHash
		if highWater, err = AuditHighWater(ctx, q); err != nil {
			return e, fmt.Errorf("audit: read high-water mark: %w", err)
		}
	case err != nil:
		return e, fmt.Errorf("audit: read chain head: %w", err)
	}
	e.ID = max(lastID, highWater) + 1
	e.PrevHash = lastHash
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = time.Unix(0, e.At.UnixNano()).UTC()
	e.Hash = HashEntry(e)
	_, err = q.ExecContext(ctx, `INSERT INTO audit_log (id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target, staff_id, client_id, before, after, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At.UnixNano(), e.ActorKind, nullID(e.ActorID), e.Actor, e.Origin, e.Action, e.TargetKind, nullID(e.TargetID), e.Target,
		nullID(e.StaffID), nullID(e.ClientID), e.Before, e.After, e.PrevHash, e.Hash)
	if err != nil {
		return e, fmt.Errorf("audit: append: %w", err)
	}
	return e, nil
}

// AuditHighWater is the largest audit id ever written in this file, which
// SQLite keeps (AUTOINCREMENT) when entries are deleted.
func AuditHighWater(ctx context.Context, q Querier) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

const auditSelect = `SELECT a.id, a.at, a.actor_kind, COALESCE(a.actor_id, 0), a.actor, a.origin, a.action, a.target_kind, COALESCE(a.target_id, 0), a.target,
	COALESCE(a.staff_id, 0), COALESCE(a.client_id, 0), a.before, a.after, a.prev_hash, a.hash FROM audit_log a`

func scanAudit(sc rowScanner) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	err := sc.Scan(&e.ID, &at, &e.ActorKind, &e.ActorID, &e.Actor, &e.Origin, &e.Action, &e.TargetKind, &e.TargetID, &e.Target,
		&e.StaffID, &e.ClientID, &e.Before, &e.After, &e.PrevHash, &e.Hash)
	e.At = time.Unix(0, at).UTC()
	return e, err
}

// AuditQuery filters and pages the audit log, newest first. Paging is by
// keyset (BeforeID), never OFFSET, so a page deep in the log costs what the
// first one does.
type AuditQuery struct {
	Scope     Scope
	ActorKind string
	ActorID   int64
	Actor     string  // substring of the actor label
	Action    string  // exact action, or a prefix ending in "." (e.g. "access.")
	StaffID   int64   // entries about this member
	StaffIDs  []int64 // entries about any of these members (a removed member's ids)
	ClientID  int64   // entries about this client
	Target    string  // substring of the target label
	Since     time.Time
	Until     time.Time
	BeforeID  int64 // entries older than this id; 0 for the newest
	AfterID   int64 // entries newer than this id (paging back up), oldest first
	Limit     int
}

func (aq AuditQuery) where() (string, []any) {
	clause, args := aq.Scope.auditClause()
	parts := []string{clause}
	add := func(p string, a ...any) { parts = append(parts, p); args = append(args, a...) }
	if aq.ActorKind != "" {
		add("a.actor_kind = ?", aq.ActorKind)
	}
	if aq.ActorID != 0 {
		add("a.actor_id = ?", aq.ActorID)
	}
	if aq.Actor != "" {
		add(`a.actor LIKE ? ESCAPE '\'`, likePattern(aq.Actor))
	}
	if aq.Action != "" {
		if strings.HasSuffix(aq.Action, ".") {
			add("a.action >= ? AND a.action < ?", aq.Action, aq.Action[:len(aq.Action)-1]+"/")
		} else {
			add("a.action = ?", aq.Action)
		}
	}
	if aq.StaffID != 0 {
		add("a.staff_id = ?", aq.StaffID)
	}
	if len(aq.StaffIDs) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(aq.StaffIDs)), ", ")
		ids := make([]any, len(aq.StaffIDs))
		for i, id := range aq.StaffIDs {
			ids[i] = id
		}
		add("a.staff_id IN ("+marks+")", ids...)
	}
	if aq.ClientID != 0 {
		add("a.client_id = ?", aq.ClientID)
	}
	if aq.Target != "" {
		add(`a.target LIKE ? ESCAPE '\'`, likePattern(aq.Target))
	}
	if !aq.Since.IsZero() {
		add("a.at >= ?", aq.Since.UnixNano())
	}
	if !aq.Until.IsZero() {
		add("a.at < ?", aq.Until.UnixNano())
	}
	if aq.BeforeID != 0 {
		add("a.id < ?", aq.BeforeID)
	}
	if aq.AfterID != 0 {
		add("a.id > ?", aq.AfterID)
	}
	return " WHERE " + strings.Join(parts, " AND "), args
}

// ListAudit returns one page of entries, newest first.
func ListAudit(ctx context.Context, q Querier, aq AuditQuery) ([]AuditEntry, error) {
	where, args := aq.where()
	limit := pageLimit(aq.Limit)
	order := " ORDER BY a.id DESC"
	if aq.AfterID != 0 {
		order = " ORDER BY a.id ASC"
	}
	out, err := queryAll(ctx, q, "list audit", scanAudit, auditSelect+where+order+" LIMIT ?", append(args, limit)...)
	if aq.AfterID != 0 {
		slices.Reverse(out)
	}
	return out, err
}

// EachAudit calls fn for every entry matching aq, oldest first, streaming
// (at most aq.Limit of them when it is set).
func EachAudit(ctx context.Context, q Querier, aq AuditQuery, fn func(AuditEntry) error) error {
	where, args := aq.where()
	limit := ""
	if aq.Limit > 0 {
		limit = " LIMIT ?"
		args = append(args, aq.Limit)
	}
	return eachRow(ctx, q, "read audit", func(r rowScanner) error {
		e, err := scanAudit(r)
		if err != nil {
			return fmt.Errorf("read audit: %w", err)
		}
		return fn(e)
	}, auditSelect+where+" ORDER BY a.id ASC"+limit, args...)
}

// FormerStaffIDs returns the ids that members no longer in the staff table
// had while their email was email (compared in lower case), from the
// entries about them that sc sees: how a removed member's history is
// found by the address they had. It reads every entry about a member.
func FormerStaffIDs(ctx context.Context, q Querier, sc Scope, email string) ([]int64, error) {
	clause, args := sc.auditClause()
	return queryAll(ctx, q, "find former member", scanInt64, `SELECT DISTINCT a.staff_id FROM audit_log a WHERE `+clause+`
		AND a.target_kind = 'staff' AND lower(a.target) = lower(?) AND a.staff_id IS NOT NULL
		AND a.staff_id NOT IN (SELECT id FROM staff) ORDER BY a.staff_id`, append(args, email)...)
}
