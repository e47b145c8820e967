package db

import (
	"context"
	"fmt"
)

// rowScanner is what a row is read from: *sql.Row, *sql.Rows, or a wrapper
// such as withExtra. The scan functions (scanMember, scanClient, …) take it
// so that one definition reads a record from a single row or a list.
type rowScanner interface {
	Scan(dest ...any) error
}

// queryAll runs query and returns what scan makes of each row, in order.
// Every error, the query's, a row's or the cursor's, is wrapped with what,
// so a caller's message says which read failed. The rows are closed before
// it returns, so the caller may query again on the same connection.
func queryAll[T any](ctx context.Context, q Querier, what string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(ctx, q, what, func(r rowScanner) error {
		v, err := scan(r)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachRow runs query and calls fn with each row, in order, stopping at fn's
// first error, which it returns as it is. The query's and the cursor's
// errors are wrapped with what. The rows are closed before it returns.
func eachRow(ctx context.Context, q Querier, what string, fn func(rowScanner) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// scanInt64 reads a row of one integer column.
func scanInt64(r rowScanner) (int64, error) {
	var v int64
	err := r.Scan(&v)
	return v, err
}

// scanString reads a row of one text column.
func scanString(r rowScanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}
