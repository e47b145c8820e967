package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// sortOrder is how a paged list is ordered: the sort named key among
// sorts (by name when key is none of them), its ORDER BY expression, and
// the direction.
func sortOrder(sorts map[string]string, key string, desc bool) (sortKey, order, dir string) {
	order, ok := sorts[key]
	if !ok {
		key, order = "name", sorts["name"]
	}
	if desc {
		return key, order, "DESC"
	}
	return key, order, "ASC"
}

// pageLimit is a page's LIMIT: no limit (-1 to SQLite) when limit is not
// above 0.
func pageLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// position runs a query for where one record stands in a list (its
// row_number, from 0): ErrNotFound when the list does not hold it.
func position(ctx context.Context, q Querier, what, query string, args ...any) (int, error) {
	var pos int
	err := q.QueryRowContext(ctx, query, args...).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return pos, nil
}
