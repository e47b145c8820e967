package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

func userVersion(t *testing.T, q Querier) int {
	t.Helper()
	var v int
	if err := q.QueryRowContext(context.Background(), `PRAGMA user_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := context.Background()
	if SchemaVersion() < 1 {
		t.Fatalf("SchemaVersion = %d", SchemaVersion())
	}
	d, path := openTemp(t)
	if v := userVersion(t, d.Read()); v != SchemaVersion() {
		t.Fatalf("user_version = %d, want %d", v, SchemaVersion())
	}
	var roles int
	if err := d.Read().QueryRowContext(ctx, `SELECT count(*) FROM roles WHERE builtin IS NOT NULL`).Scan(&roles); err != nil || roles != 3 {
		t.Fatalf("built-in roles = %d, %v", roles, err)
	}
	// Data written before a re-open is still there, and migrations do
	// not run twice (they would fail on CREATE TABLE or duplicate roles).
	if err := d.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO departments (name, created_at) VALUES ('Sales', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("re-open: %v", err)
	}
	defer d2.Close()
	if v := userVersion(t, d2.Read()); v != SchemaVersion() {
		t.Fatalf("user_version after re-open = %d", v)
	}
	var n int
	if err := d2.Read().QueryRowContext(ctx, `SELECT count(*) FROM departments WHERE name = 'Sales'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("department after re-open = %d, %v", n, err)
	}
	if c, err := d2.ChangeCounter(ctx); err != nil || c != 1 {
		t.Fatalf("change counter = %d, %v", c, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	d, path := openTemp(t)
	newer := SchemaVersion() + 7
	if _, err := d.SQL().ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, newer)); err != nil {
		t.Fatal(err)
	}
	d.Close()
	_, err := Open(ctx, path)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("err = %v, want ErrSchemaTooNew", err)
	}
	for _, want := range []string{fmt.Sprint(newer), fmt.Sprint(SchemaVersion()), path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
}

func TestOpenRefusesEmptyPathAndNonDatabase(t *testing.T) {
	if _, err := Open(context.Background(), ""); err == nil {
		t.Fatal("empty path opened")
	}
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("a text file opened as a database")
	}
}

func TestFileModesAndPragmas(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	path := filepath.Join(dir, "g.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// A write makes sure the WAL file exists too.
	if err := d.Write(ctx, func(tx *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("database mode = %o, want 600", m)
	}
	if st, err := os.Stat(path + "-wal"); err == nil {
		if m := st.Mode().Perm(); m&0o077 != 0 {
			t.Errorf("WAL file mode = %o: readable by others", m)
		}
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, %v, want 700", st.Mode().Perm(), err)
	}
	for _, q := range []Querier{d.Read(), d.SQL()} {
		var mode string
		if err := q.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v", mode, err)
		}
		var fk int
		if err := q.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys = %d, %v", fk, err)
		}
	}
	// Foreign keys are enforced, not only switched on.
	err = d.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff (name, email, role_id, status, created_at) VALUES ('X', 'x@y.test', 99, 'active', 0)`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("staff with a missing role: err = %v", err)
	}
	// The read pool cannot write.
	if _, err := d.Read().ExecContext(ctx, `INSERT INTO departments (name, created_at) VALUES ('X', 0)`); err == nil {
		t.Error("the read pool wrote")
	}
}

func TestConcurrentWritersFromTwoHandles(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.SQL().ExecContext(ctx, `CREATE TABLE hits (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		h := a
		if w%2 == 1 {
			h = b
		}
		wg.Add(1)
		go func(w int, h *DB) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := h.Write(ctx, func(tx *sql.Tx) error {
					// Read then write in one transaction: the pattern that
					// fails with "database is locked" under deferred locking.
					var n int
					if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hits`).Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, `INSERT INTO hits (writer, n) VALUES (?, ?)`, w, n)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d write %d: %w", w, i, err)
				}
			}
		}(w, h)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n, distinct int
	if err := a.Read().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT n) FROM hits`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != writers*each || distinct != n {
		t.Fatalf("%d rows (%d distinct counts), want %d: writes were lost or interleaved", n, distinct, writers*each)
	}
	if c, err := b.ChangeCounter(ctx); err != nil || c != writers*each {
		t.Fatalf("change counter = %d, %v", c, err)
	}
}

func TestWriteRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	boom := errors.New("boom")
	err := d.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO departments (name, created_at) VALUES ('Sales', 0)`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := d.Read().QueryRowContext(ctx, `SELECT count(*) FROM departments`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("departments = %d, %v: a failed write left rows", n, err)
	}
	if c, _ := d.ChangeCounter(ctx); c != 0 {
		t.Fatalf("change counter = %d after a failed write", c)
	}
}
