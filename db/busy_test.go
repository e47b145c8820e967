package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

// A write given up on for another writer says so in one plain line; what
// SQLite said stays inside the error, for logs.
func TestStayedBusySaysSoPlainly(t *testing.T) {
	locked := fmt.Errorf("begin: %w", sqlite3.Error{Code: sqlite3.ErrBusy})
	err := retryBusy(context.Background(), func() error { return locked })
	var busy StayedBusyError
	if !errors.As(err, &busy) || !errors.Is(err, locked) {
		t.Fatalf("retryBusy gave %v, not a StayedBusyError wrapping SQLite's", err)
	}
	if msg := err.Error(); strings.Contains(msg, "begin") || strings.Contains(msg, "locked") || !strings.Contains(msg, "nothing was changed, try again") {
		t.Fatalf("the line says %q", msg)
	}
}

// A write kept waiting by another writer calls the notice once it has
// waited a while, and still goes through when the other writer ends.
func TestAWaitingWriteGivesItsNotice(t *testing.T) {
	d, path := openTemp(t)
	defer func(was time.Duration) { waitNoticeAfter = was }(waitNoticeAfter)
	waitNoticeAfter = 100 * time.Millisecond
	other, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(600 * time.Millisecond)
		tx.Rollback()
		close(released)
	}()
	var notices atomic.Int32
	ctx := WithWaitNotice(context.Background(), func() { notices.Add(1) })
	if err := d.Write(ctx, func(*sql.Tx) error { return nil }); err != nil {
		t.Fatalf("the write after the other writer ended: %v", err)
	}
	<-released
	if n := notices.Load(); n != 1 {
		t.Fatalf("the notice was called %d times while the write waited, want once", n)
	}
	// A write that waits for nothing says nothing.
	if err := d.Write(ctx, func(*sql.Tx) error { return nil }); err != nil || notices.Load() != 1 {
		t.Fatalf("a write that did not wait: %v, %d notices", err, notices.Load())
	}
}
