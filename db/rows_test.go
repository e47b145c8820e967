package db

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// The row readers return every row in order, nil for none, and close the
// rows before returning: on the single writer connection a read left open
// would make the next one wait for ever.
func TestQueryAllReadsEveryRowAndReleasesTheConnection(t *testing.T) {
	d, _ := openTemp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w := d.SQL()
	const three = `SELECT 3 UNION ALL SELECT 1 UNION ALL SELECT 2`
	for range 3 {
		got, err := queryAll(ctx, w, "numbers", scanInt64, three)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0] != 3 || got[1] != 1 || got[2] != 2 {
			t.Fatalf("got %v, want [3 1 2] in the query's order", got)
		}
	}
	none, err := queryAll(ctx, w, "none", scanInt64, `SELECT 1 WHERE 0`)
	if err != nil || none != nil {
		t.Fatalf("no rows: got %v, %v; want nil, nil", none, err)
	}
	// A scan failing half way releases the connection too.
	if _, err := queryAll(ctx, w, "bad", scanInt64, `SELECT 1 UNION ALL SELECT 'x'`); err == nil {
		t.Fatal("scanning text as an integer did not fail")
	}
	if _, err := queryAll(ctx, w, "after a failed scan", scanInt64, three); err != nil {
		t.Fatalf("the connection was not released after a failed scan: %v", err)
	}
}

// Errors say which read failed and keep their cause; eachRow hands back
// the callback's own error as it is, so a caller can stop on a sentinel.
func TestRowReadersWrapErrorsWithContext(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	_, err := queryAll(ctx, d.Read(), "list widgets", scanInt64, `SELECT id FROM no_such_table`)
	if err == nil || !strings.HasPrefix(err.Error(), "list widgets: ") || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("query error %q does not name the read and its cause", err)
	}
	_, err = queryAll(ctx, d.Read(), "list widgets", scanInt64, `SELECT 'x'`)
	if err == nil || !strings.HasPrefix(err.Error(), "list widgets: ") {
		t.Fatalf("scan error %q does not name the read", err)
	}
	stop := errors.New("stop")
	seen := 0
	err = eachRow(ctx, d.Read(), "walk", func(rowScanner) error {
		seen++
		return stop
	}, `SELECT 1 UNION ALL SELECT 2`)
	if err != stop || seen != 1 {
		t.Fatalf("eachRow returned %v after %d rows; want the callback's error as it is, after 1", err, seen)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = queryAll(cancelled, d.Read(), "list widgets", scanInt64, `SELECT 1`)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "list widgets: ") {
		t.Fatalf("cancelled read returned %v; want context.Canceled wrapped with the read's name", err)
	}
}
