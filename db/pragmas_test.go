package db

import (
	"context"
	"path/filepath"
	"testing"
)

// The read pool reads the file without a memory map and keeps prepared
// statements; both are connection options, so a test reads them back from
// a real connection.
func TestReadPoolConnectionOptions(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var mapped int64
	if err := d.r.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&mapped); err != nil {
		t.Fatal(err)
	}
	if mapped != mmapBytes {
		t.Fatalf("read pool mmap_size = %d, want %d", mapped, mmapBytes)
	}
	var ro int
	if err := d.r.QueryRowContext(ctx, `PRAGMA query_only`).Scan(&ro); err != nil || ro != 1 {
		t.Fatalf("read pool query_only = %d, %v", ro, err)
	}
	// The same statement many times over, on a pool whose connections
	// keep it prepared, still reads what was written in between.
	for i := 0; i < 3; i++ {
		if _, err := d.w.ExecContext(ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		n, err := d.ChangeCounter(ctx)
		if err != nil || n != int64(i+1) {
			t.Fatalf("change counter after %d bumps = %d, %v", i+1, n, err)
		}
	}
}
