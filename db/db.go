// Package db owns Gatehouse's SQLite file: opening it safely, the schema and
// its migrations, and every SQL statement the model runs.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned when the file was written by a newer Gatehouse.
var ErrSchemaTooNew = errors.New("database schema is newer than this Gatehouse")

// DB is an open Gatehouse database. Writes go through a single connection that
// starts every transaction with BEGIN IMMEDIATE, so concurrent writers (in
// this process or another) queue on SQLite's busy timeout instead of failing
// with "database is locked" half way through. Reads use a separate pool.
type DB struct {
	Path string
	w    *sql.DB
	r    *sql.DB
}

// Querier is what both *sql.DB and *sql.Tx offer; query helpers take it so
// they run inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DefaultPath is $GATEHOUSE_DB, else gatehouse.db in the user's data directory.
func DefaultPath() (string, error) {
	if p := os.Getenv("GATEHOUSE_DB"); p != "" {
		return p, nil
	}
	dir, err := dataDir()
	if err != nil {
		return "", fmt.Errorf("find data directory: %w", err)
	}
	return filepath.Join(dir, "gatehouse", "gatehouse.db"), nil
}

func dataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Application Support"), nil
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return d, nil
		}
		return os.UserConfigDir()
	default:
		return filepath.Join(home, ".local", "share"), nil
	}
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. The file and its directory are created readable by the owner
// only, since they hold password hashes and TOTP secrets.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open database: create %s: %w", dir, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	f.Close()

	w, err := sql.Open("sqlite3", WritePoolDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open(ReadDriver, ReadPoolDSN(path))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	d := &DB{Path: path, w: w, r: r}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func baseDSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?_foreign_keys=on&_busy_timeout=15000&_journal_mode=WAL&_synchronous=NORMAL" +
		"&_stmt_cache_size=" + strconv.Itoa(stmtCacheSize)
}

// stmtCacheSize is how many prepared statements each connection keeps for
// reuse. database/sql prepares every query it runs on a pool, and SQLite
// plans a statement when it is prepared: for the longer ones that is most
// of their cost on a small organisation (about 180 µs to prepare the
// statement that reads who might reach an account, measured on the
// 100-member demo). Gatehouse runs a few dozen distinct statements, so
// most of them stay prepared.
const stmtCacheSize = 64

// readCacheKiB is each read connection's page cache. SQLite's default of
// 2 MB holds a sliver of a large organisation's file (2.3 GB at 100,000
// folders), so the pages one list touches (an Advisor's folders spread
// over the whole table) were read from the OS on every page: 1.96 ms for
// an Advisor's first page against 0.40 ms with 64 MB. The cache is filled
// only as pages are read, so a small organisation's file never uses more
// than its own size.
const readCacheKiB = 65536

// WritePoolDSN is the connection string of the write connection: every
// transaction begins IMMEDIATE. Benchmarks open a bare handle with it to
// measure SQLite's own cost of a write.
func WritePoolDSN(path string) string {
	return baseDSN(path) + "&_txlock=immediate"
}

// ReadPoolDSN is the connection string of the read pool: query-only, with
// the larger page cache. Benchmarks open a bare handle with it to compare
// like with like.
func ReadPoolDSN(path string) string {
	return baseDSN(path) + "&_query_only=true&_cache_size=-" + strconv.Itoa(readCacheKiB)
}

// ReadDriver is the database/sql driver of the read pool: SQLite reading
// the file through its page cache (read()), with no memory map (PRAGMA
// mmap_size = 0, set explicitly). A fresh connection (every start-up)
// maps the file anew, and on the machine the figures of
// docs/performance.md come from, each first touch of a mapped page is a
// fault that costs far more than the read() of a page (tens of
// microseconds against a few): measured interleaved in one process, a
// start-up at 10,000 members took 3.7 ms mapped and 2.3 ms read (10th
// percentile; 2.3 and 2.0 ms at 100 members). The earlier measurement
// that chose the map (5.2 ms read, 1.5 ms mapped, for the first Staff
// page at 10,000 members) did not hold on the machine as it is now.
const ReadDriver = "sqlite3-gatehouse-read"

// mmapBytes is how much of the file each read connection maps: none.
const mmapBytes = 0

func init() {
	sql.Register(ReadDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", mmapBytes), nil)
		return err
	}})
}

// Close closes both pools.
func (d *DB) Close() error {
	return errors.Join(d.r.Close(), d.w.Close())
}

// Read returns the read pool for queries outside a write transaction.
func (d *DB) Read() Querier { return d.r }

// SQL returns the write pool; only for tools such as backup that need it.
func (d *DB) SQL() *sql.DB { return d.w }

// Write runs fn inside one immediate transaction and commits it, bumping the
// change counter so that open sessions notice. A busy database is waited for
// (busy timeout) and retried a few times before an error reaches the caller.
func (d *DB) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retryBusy(ctx, func() error { return d.writeTx(ctx, fn, true) })
}

// WriteQuiet is Write for bookkeeping that no session needs to see at
// once (session heartbeats): it leaves the change counter alone, so open
// screens do not refresh for it.
func (d *DB) WriteQuiet(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retryBusy(ctx, func() error { return d.writeTx(ctx, fn, false) })
}

// retryBusy runs write, and again up to four times, a little later each
// time, while the database is busy.
func retryBusy(ctx context.Context, write func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = write()
		if err == nil || !IsBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return StayedBusyError{Err: err}
}

// StayedBusyError is a write given up on because another writer held the
// database throughout: its text is the line a person reads; Err, what
// SQLite said, is kept for logs.
type StayedBusyError struct{ Err error }

func (e StayedBusyError) Error() string {
	return "the database stayed busy (another process was writing to it); nothing was changed, try again"
}

func (e StayedBusyError) Unwrap() error { return e.Err }

// waitNoticeAfter is how long a write waits for another writer before the
// notice WithWaitNotice gave is called.
var waitNoticeAfter = 2 * time.Second

type waitNoticeKey struct{}

// WithWaitNotice is ctx with a notice that a write made under it calls
// (once per wait) when another writer has kept it waiting a while, so
// that a person at a terminal is not left staring at nothing.
func WithWaitNotice(ctx context.Context, notice func()) context.Context {
	return context.WithValue(ctx, waitNoticeKey{}, notice)
}

func (d *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error, bump bool) error {
	// Beginning is where another writer's lock is waited for.
	stop := func() bool { return false }
	if notice, ok := ctx.Value(waitNoticeKey{}).(func()); ok {
		stop = time.AfterFunc(waitNoticeAfter, notice).Stop
	}
	tx, err := d.w.BeginTx(ctx, nil)
	stop()
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if bump {
		if _, err := tx.ExecContext(ctx, `UPDATE change_counter SET value = value + 1 WHERE id = 1`); err != nil {
			tx.Rollback()
			return fmt.Errorf("bump change counter: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ChangeCounter returns a number that grows with every committed change made
// through Write, by any process.
func (d *DB) ChangeCounter(ctx context.Context) (int64, error) {
	return ChangeCounter(ctx, d.r)
}

// ChangeCounter reads the change counter through q; inside a write
// transaction it is the state that transaction starts from, which no other
// writer can move until it ends.
func ChangeCounter(ctx context.Context, q Querier) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM change_counter WHERE id = 1`).Scan(&v)
	return v, err
}

// IsBusy reports whether err is SQLite's "database is locked/busy".
func IsBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	return false
}

// IsUnique reports whether err is a UNIQUE constraint failure.
func IsUnique(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
	}
	return false
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: bad number", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// analyzeAfter gathers the planner's statistics again for the tables a
// migration names on a line "-- analyze: table ...", when the file has
// statistics (a generated or imported organisation: the bulk writer runs
// ANALYZE). An index a migration adds to such a file has none, and the
// planner then trusts the others' and may pass it over. A file without
// statistics is left without: statistics of a young organisation's
// nearly empty tables would mislead the planner as it grows.
func analyzeAfter(ctx context.Context, tx *sql.Tx, m migration) error {
	var tables []string
	for _, line := range strings.Split(m.sql, "\n") {
		if rest, ok := strings.CutPrefix(line, "-- analyze:"); ok {
			tables = append(tables, strings.Fields(rest)...)
		}
	}
	if len(tables) == 0 {
		return nil
	}
	var stats int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`).Scan(&stats); err != nil || stats == 0 {
		return err
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `ANALYZE "`+t+`"`); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	return nil
}

// SchemaVersion is the newest schema this binary knows.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	known := SchemaVersion()
	var current int
	if err := d.w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&current); err != nil {
		return fmt.Errorf("open database %s: %w", d.Path, err)
	}
	if current > known {
		return fmt.Errorf("%w: %s is at schema version %d, this Gatehouse knows up to %d; use a newer Gatehouse", ErrSchemaTooNew, d.Path, current, known)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		tx, err := d.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		// Another process may have migrated while we waited for the lock.
		var now int
		if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&now); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if now >= m.version {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if err := analyzeAfter(ctx, tx, m); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}
