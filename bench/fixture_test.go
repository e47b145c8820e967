package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"gatehouse/db"
	"gatehouse/model"
)

// env is one opened benchmark database with what the benchmarks need:
// the model, a bare database/sql handle on the same file for the "same SQL
// without Gatehouse's layers" counterparts, and the members and accounts
// the page queries are about.
type env struct {
	size Size
	path string
	info BuildInfo
	svc  *model.Service
	raw  *sql.DB // opened like the model's read pool, without the model

	owner   model.Principal
	advisor model.Principal // the active Advisor added to the most folders
	account int64           // the account toggled on for the most members
	member  int64           // the member whose audit entries the staff filter asks for
	oldID   int64           // an audit id near the start of the log

	streamOnce sync.Once
	stream     []Check
	answers    []bool
	checker    *model.Checker
	// checkerHeap is the Go heap the warm Checker holds: live heap after
	// the stream was asked four times, less before the Checker existed.
	checkerHeap int64
	streamErr   error
}

var (
	envMu sync.Mutex
	envs  = map[string]*env{}
)

// sizeEnv opens a size's cached database (building it first if needed)
// once per test binary. Only benchmarks call it.
func sizeEnv(b *testing.B, s Size) *env {
	b.Helper()
	envMu.Lock()
	defer envMu.Unlock()
	if e, ok := envs[s.Name]; ok {
		return e
	}
	path, info, err := Ensure(context.Background(), s, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	e, err := openEnv(context.Background(), s, path)
	if err != nil {
		b.Fatal(err)
	}
	e.info = info
	envs[s.Name] = e
	return e
}

// openRaw opens the file the way db.Open opens its read pool.
func openRaw(path string) (*sql.DB, error) {
	return sql.Open(db.ReadDriver, db.ReadPoolDSN(path))
}

func openEnv(ctx context.Context, s Size, path string) (*env, error) {
	svc, err := model.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	raw, err := openRaw(path)
	if err != nil {
		svc.Close()
		return nil, err
	}
	e := &env{size: s, path: path, svc: svc, raw: raw}
	q := svc.DB().Read()
	var ownerID, advisorID int64
	steps := []struct {
		what  string
		query string
		dest  *int64
	}{
		{"owner", `SELECT id FROM staff WHERE role_id = 1`, &ownerID},
		{"advisor", `SELECT cm.staff_id FROM client_members cm JOIN staff s ON s.id = cm.staff_id WHERE s.role_id = 3 AND s.status = 'active'
			GROUP BY cm.staff_id ORDER BY count(*) DESC, cm.staff_id LIMIT 1`, &advisorID},
		{"account", `SELECT aa.account_id FROM account_access aa JOIN clients c ON c.id = aa.client_id WHERE c.internal = 0
			GROUP BY aa.account_id ORDER BY count(*) DESC, aa.account_id LIMIT 1`, &e.account},
		{"member", `SELECT a.staff_id FROM audit_log a JOIN staff s ON s.id = a.staff_id GROUP BY a.staff_id ORDER BY count(*) DESC, a.staff_id LIMIT 1`, &e.member},
		{"old audit id", `SELECT min(id) + 1000 FROM audit_log`, &e.oldID},
	}
	for _, st := range steps {
		if err := q.QueryRowContext(ctx, st.query).Scan(st.dest); err != nil {
			e.close()
			return nil, fmt.Errorf("bench %s: find the %s: %w", s.Name, st.what, err)
		}
	}
	for _, x := range []struct {
		id int64
		p  *model.Principal
	}{{ownerID, &e.owner}, {advisorID, &e.advisor}} {
		m, err := db.GetMember(ctx, q, x.id)
		if err != nil {
			e.close()
			return nil, err
		}
		*x.p = model.MemberPrincipal(m, "local terminal")
	}
	return e, nil
}

func (e *env) close() {
	if e.checker != nil {
		e.checker.Close()
	}
	e.raw.Close()
	e.svc.Close()
}

// checks returns the stream, the Checker that answered it and the answers,
// made once per size.
func (e *env) checks(tb testing.TB) ([]Check, []bool, *model.Checker) {
	tb.Helper()
	e.streamOnce.Do(func() {
		ctx := context.Background()
		if e.stream, e.streamErr = Stream(ctx, e.svc, StreamLen, StreamSeed); e.streamErr != nil {
			return
		}
		before := heapLive()
		if e.checker, e.streamErr = e.svc.NewChecker(ctx); e.streamErr != nil {
			return
		}
		// Four times: a fresh Checker answers a member's first checks by
		// point queries before reading their reach set.
		for range 4 {
			if e.answers, e.streamErr = Answers(ctx, e.checker, e.stream); e.streamErr != nil {
				return
			}
		}
		e.checkerHeap = heapLive() - before
	})
	if e.streamErr != nil {
		tb.Fatal(e.streamErr)
	}
	return e.stream, e.answers, e.checker
}

// sizes are the sizes a benchmark runs at ($GATEHOUSE_BENCH_SIZES).
func sizes(b *testing.B) []Size {
	ss, err := SizesFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	return ss
}

// perSize runs fn as a sub-benchmark for every size.
func perSize(b *testing.B, fn func(b *testing.B, e *env)) {
	for _, s := range sizes(b) {
		b.Run(s.Name, func(b *testing.B) {
			fn(b, sizeEnv(b, s))
		})
	}
}
