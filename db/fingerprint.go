package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Fingerprint digests every row of every table but the live sessions and
// the change counter (bookkeeping that moves while nothing is changed):
// two equal fingerprints mean nothing in the organisation changed between
// them. Tests use it to prove a refused action wrote nothing.
func Fingerprint(ctx context.Context, q Querier) (string, error) {
	tables, err := queryAll(ctx, q, "fingerprint", scanString, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT IN ('sessions', 'change_counter') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, table := range tables {
		if err := digestTable(ctx, q, table, h); err != nil {
			return "", fmt.Errorf("fingerprint %s: %w", table, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func digestTable(ctx context.Context, q Querier, table string, h interface{ Write([]byte) (int, error) }) error {
	// Some tables have no rowid: rows are ordered by every column.
	probe, err := q.QueryContext(ctx, `SELECT * FROM "`+table+`" LIMIT 0`)
	if err != nil {
		return err
	}
	cols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return err
	}
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = strconv.Itoa(i + 1)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	fmt.Fprintf(h, "%s\n", table)
	return eachRow(ctx, q, "read rows", func(r rowScanner) error {
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		fmt.Fprintf(h, "%q\n", vals)
		return nil
	}, `SELECT * FROM "`+table+`" ORDER BY `+strings.Join(order, ", "))
}
