// Package bench measures Gatehouse at scale: generated organisations of a
// fixed shape at several sizes, cached on disk because the large one takes
// minutes to build, and the deterministic stream of permission checks that
// both Gatehouse's benchmarks and the Casbin comparison (bench/casbin) run.
//
// Nothing here builds a database unless a benchmark or a caller asks for a
// size: plain `go test ./...` only ever builds the tiny size.
package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gatehouse/db"
	"gatehouse/model"
)

// Size is one generated organisation.
type Size struct {
	Name string
	Opts model.GenerateOptions
	// Internal is how many members are added to the internal-accounts
	// folder after generation (half of them with every account toggled
	// on), so that the internal-folder rule is exercised by the stream.
	Internal int
}

// The sizes. Demo is the large organisation at 1/100 of every dimension,
// so that growth between the two is a clean factor of 100.
var (
	Tiny  = Size{Name: "tiny", Opts: model.GenerateOptions{Seed: 7, Staff: 60, Clients: 200, AccountsPerClient: 3, Grants: 1_500, Audit: 500}, Internal: 6}
	Demo  = Size{Name: "demo", Opts: model.GenerateOptions{Seed: 7, Staff: 100, Clients: 1_000, AccountsPerClient: 3, Grants: 10_000, Audit: 50_000}, Internal: 8}
	Mid   = Size{Name: "mid", Opts: model.GenerateOptions{Seed: 7, Staff: 1_000, Clients: 10_000, AccountsPerClient: 3, Grants: 100_000, Audit: 500_000}, Internal: 16}
	Large = Size{Name: "large", Opts: model.GenerateOptions{Seed: 7, Staff: 10_000, Clients: 100_000, AccountsPerClient: 3, Grants: 1_000_000, Audit: 5_000_000}, Internal: 40}
)

// SizeByName finds a size by name.
func SizeByName(name string) (Size, error) {
	for _, s := range []Size{Tiny, Demo, Mid, Large} {
		if s.Name == name {
			return s, nil
		}
	}
	return Size{}, fmt.Errorf("no benchmark size %q (tiny, demo, mid, large)", name)
}

// SizesFromEnv lists the sizes named in $GATEHOUSE_BENCH_SIZES
// (comma-separated), by default demo and large.
func SizesFromEnv() ([]Size, error) {
	v := os.Getenv("GATEHOUSE_BENCH_SIZES")
	if v == "" {
		v = "demo,large"
	}
	var out []Size
	for _, n := range strings.Split(v, ",") {
		s, err := SizeByName(strings.TrimSpace(n))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// generatorVersion changes whenever what Build writes changes, so that a
// stale cached file is never reused. A newer schema alone does not make a
// cached file stale: Ensure brings it up to date with Gatehouse's own
// migrations, as an upgrade would bring a firm's file, instead of spending
// minutes generating the large organisation again.
const generatorVersion = 1

// Dir is where built databases are cached: $GATEHOUSE_BENCH_DIR, else
// gatehouse-bench under the system's temporary directory.
func Dir() string {
	if d := os.Getenv("GATEHOUSE_BENCH_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "gatehouse-bench")
}

// Path is the cached database file of a size.
func (s Size) Path() string {
	return filepath.Join(Dir(), fmt.Sprintf("gatehouse-bench-%d-%s-g%d.db", s.Opts.Seed, s.Name, generatorVersion))
}

// Options are a size's generator options as recorded in BuildInfo.
type Options struct {
	Seed                                             uint64
	Staff, Clients, AccountsPerClient, Grants, Audit int
}

// BuildInfo is written beside a cached database once it is complete.
type BuildInfo struct {
	Size      string
	Schema    int // the schema the file is at now
	Generator int
	// BuiltAtSchema is the schema the file was generated at; when it is
	// older than Schema, Ensure migrated the file since.
	BuiltAtSchema int
	Opts          Options
	Rows          int
	Elapsed       time.Duration
	RowsPerSecond float64
	Stages        []model.GenerateStage
	OwnerID       int64
	InternalID    int64
}

func infoPath(dbPath string) string { return dbPath + ".json" }

var (
	buildMu sync.Mutex
	built   = map[string]BuildInfo{}
)

// Ensure returns the path of the size's database, building it first when
// no complete cached copy with the current schema exists.
func Ensure(ctx context.Context, s Size, logf func(format string, args ...any)) (string, BuildInfo, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	path := s.Path()
	if info, ok := built[path]; ok {
		return path, info, nil
	}
	if info, err := readInfo(ctx, path); err == nil {
		if info.Schema < db.SchemaVersion() {
			if info, err = migrate(ctx, path, info, logf); err != nil {
				return "", info, err
			}
		}
		built[path] = info
		return path, info, nil
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	info, err := Build(ctx, s, path, logf)
	if err != nil {
		return "", info, err
	}
	built[path] = info
	return path, info, nil
}

// readInfo accepts a cached file only if it was completed (its info file
// exists), by this generator, at a schema this Gatehouse knows.
func readInfo(ctx context.Context, path string) (BuildInfo, error) {
	var info BuildInfo
	b, err := os.ReadFile(infoPath(path))
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("read %s: %w", infoPath(path), err)
	}
	if info.Schema > db.SchemaVersion() || info.Generator != generatorVersion {
		return info, errors.New("stale cached database")
	}
	if _, err := os.Stat(path); err != nil {
		return info, err
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return info, err
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return info, err
	}
	if v != info.Schema {
		return info, fmt.Errorf("cached database at schema %d, its info says %d", v, info.Schema)
	}
	return info, nil
}

// migrate brings a cached file to the current schema by opening it
// through the model (which runs the migrations) and records it.
func migrate(ctx context.Context, path string, info BuildInfo, logf func(format string, args ...any)) (BuildInfo, error) {
	logf("migrating the cached %s organisation from schema %d to %d", info.Size, info.Schema, db.SchemaVersion())
	svc, err := model.Open(ctx, path)
	if err != nil {
		return info, fmt.Errorf("migrate %s: %w", path, err)
	}
	if _, err := svc.DB().SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		svc.Close()
		return info, fmt.Errorf("migrate %s: checkpoint: %w", path, err)
	}
	if err := svc.Close(); err != nil {
		return info, fmt.Errorf("migrate %s: %w", path, err)
	}
	if info.BuiltAtSchema == 0 {
		info.BuiltAtSchema = info.Schema
	}
	info.Schema = db.SchemaVersion()
	if err := writeInfo(path, info); err != nil {
		return info, err
	}
	return info, nil
}

func writeInfo(path string, info BuildInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", infoPath(path), err)
	}
	if err := os.WriteFile(infoPath(path), b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", infoPath(path), err)
	}
	return nil
}

// Build generates a size into path (through a temporary file renamed into
// place only when complete, so an interrupted build is never reused).
func Build(ctx context.Context, s Size, path string, logf func(format string, args ...any)) (BuildInfo, error) {
	o := s.Opts
	info := BuildInfo{Size: s.Name, Schema: db.SchemaVersion(), BuiltAtSchema: db.SchemaVersion(), Generator: generatorVersion,
		Opts: Options{Seed: o.Seed, Staff: o.Staff, Clients: o.Clients, AccountsPerClient: o.AccountsPerClient, Grants: o.Grants, Audit: o.Audit}}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", path, path + "-wal", path + "-shm", infoPath(path)} {
		os.Remove(p)
	}
	svc, err := model.Open(ctx, tmp)
	if err != nil {
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	opts := s.Opts
	lastLog := time.Now()
	opts.Progress = func(stage string, done, total int) {
		if time.Since(lastLog) > 10*time.Second || done == total {
			logf("build %s: %s %d/%d", s.Name, stage, done, total)
			lastLog = time.Now()
		}
	}
	logf("building the %s organisation into %s", s.Name, path)
	rep, err := svc.GenerateLarge(ctx, model.System("bench"), opts)
	if err != nil {
		svc.Close()
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	info.Rows, info.Elapsed, info.Stages = rep.Rows, rep.Elapsed, rep.Stages
	info.RowsPerSecond = float64(rep.Rows) / rep.Elapsed.Seconds()
	if err := addInternalMembers(ctx, svc, s, &info); err != nil {
		svc.Close()
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	if _, err := svc.DB().SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		svc.Close()
		return info, fmt.Errorf("build %s: checkpoint: %w", s.Name, err)
	}
	if err := svc.Close(); err != nil {
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	if err := writeInfo(path, info); err != nil {
		return info, fmt.Errorf("build %s: %w", s.Name, err)
	}
	logf("built %s: %d rows in %s (%.0f rows/s)", s.Name, info.Rows, info.Elapsed.Round(time.Millisecond), info.RowsPerSecond)
	return info, nil
}

// addInternalMembers adds a few Admins and Advisors to the internal
// folder through the model (audited like any grant), every other one with
// its first account toggled off, so that "internal accounts only if added,
// and only those toggled on" is in play.
func addInternalMembers(ctx context.Context, svc *model.Service, s Size, info *BuildInfo) error {
	sys := model.System("bench")
	q := svc.DB().Read()
	if err := q.QueryRowContext(ctx, `SELECT id FROM clients WHERE internal = 1`).Scan(&info.InternalID); err != nil {
		return fmt.Errorf("find internal folder: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT id FROM staff WHERE role_id = ?`, db.RoleOwner).Scan(&info.OwnerID); err != nil {
		return fmt.Errorf("find owner: %w", err)
	}
	// A few accounts for the firm itself, if the folder has none.
	accs, err := db.ListAccounts(ctx, q, info.InternalID)
	if err != nil {
		return err
	}
	if len(accs) == 0 {
		for _, name := range []string{"Firm Payroll", "Office Banking"} {
			acc, err := svc.AddAccount(ctx, sys, info.InternalID, name)
			if err != nil {
				return fmt.Errorf("add internal account: %w", err)
			}
			accs = append(accs, acc)
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM staff WHERE status = 'active' AND role_id IN (?, ?) ORDER BY id LIMIT ?`, db.RoleAdmin, db.RoleAdvisor, s.Internal*4)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	// Spread the picks over the candidates: every fourth one.
	for i := 0; i < s.Internal && i*4 < len(ids); i++ {
		id := ids[i*4]
		if err := svc.AddToClient(ctx, sys, info.InternalID, id); err != nil {
			return fmt.Errorf("add %d to the internal folder: %w", id, err)
		}
		if i%2 == 1 {
			if err := svc.SetAccountAccess(ctx, sys, accs[0].ID, id, false); err != nil {
				return fmt.Errorf("toggle off an internal account for %d: %w", id, err)
			}
		}
	}
	return nil
}
