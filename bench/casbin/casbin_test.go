package casbinbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"

	"gatehouse/bench"
	"gatehouse/model"
)

// tinyDB builds the tiny organisation in a temporary directory.
func tinyDB(t *testing.T) string {
	t.Helper()
	model.SetFastHashForTests()
	path := filepath.Join(t.TempDir(), "tiny.db")
	if _, err := bench.Build(context.Background(), bench.Tiny, path, t.Logf); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAgreement checks, for every model, that Casbin (uncached and cached)
// and Gatehouse's Checker give the same answer to every check of the
// stream over the tiny organisation, and that both answers occur often.
func TestAgreement(t *testing.T) {
	ctx := context.Background()
	g := loadGatehouse(t, ctx, tinyDB(t), 5_000)
	allowed := 0
	for _, ok := range g.want {
		if ok {
			allowed++
		}
	}
	// A stream of nearly all one answer would prove little.
	if allowed < len(g.want)/5 || allowed > len(g.want)*4/5 {
		t.Fatalf("%d of %d checks allowed: the stream should mix both answers", allowed, len(g.want))
	}
	for _, m := range Models {
		t.Run(m.Name, func(t *testing.T) {
			c := loadCasbin(t, ctx, g, m)
			if err := agree(ctx, g, c); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d checks agree (%d allowed) over %d policy lines", m.Name, len(g.want), allowed, c.policy.Lines())
		})
	}
}

// TestAgreementAfterChange checks, for every model, that a change written
// through the model (an Advisor's account toggled off) changes both
// answers once the policy is rebuilt: the comparison is not of two frozen
// snapshots.
func TestAgreementAfterChange(t *testing.T) {
	ctx := context.Background()
	svc, err := model.Open(ctx, tinyDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	var staff, account, client int64
	err = svc.DB().Read().QueryRowContext(ctx, `SELECT aa.staff_id, aa.account_id, aa.client_id FROM account_access aa JOIN staff s ON s.id = aa.staff_id
		WHERE s.role_id = 3 AND s.status = 'active' ORDER BY 1, 2 LIMIT 1`).Scan(&staff, &account, &client)
	if err != nil {
		t.Fatal(err)
	}
	ask := func(m Model) (bool, bool) {
		f, err := ReadFacts(ctx, svc.DB().Read())
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewEnforcer(m, m.Policy(f))
		if err != nil {
			t.Fatal(err)
		}
		cb, err := Enforce(e, Request{Sub: Subject(staff), Dom: Domain(client), Obj: Object(account)})
		if err != nil {
			t.Fatal(err)
		}
		ch, err := svc.NewChecker(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer ch.Close()
		gh, err := ch.CanReach(ctx, staff, account)
		if err != nil {
			t.Fatal(err)
		}
		return cb, gh
	}
	for _, m := range Models {
		if cb, gh := ask(m); !cb || !gh {
			t.Fatalf("%s, before the change: Casbin %v, Gatehouse %v; both should allow", m.Name, cb, gh)
		}
	}
	if err := svc.SetAccountAccess(ctx, model.System("test"), account, staff, false); err != nil {
		t.Fatal(err)
	}
	for _, m := range Models {
		if cb, gh := ask(m); cb || gh {
			t.Fatalf("%s, after toggling off: Casbin %v, Gatehouse %v; both should deny", m.Name, cb, gh)
		}
	}
}

// gatehouseSide is one database with Gatehouse's Checker and the stream
// asked of it.
type gatehouseSide struct {
	svc      *model.Service
	checker  *model.Checker
	stream   []bench.Check
	requests []Request
	want     []bool
	facts    *Facts
}

func loadGatehouse(tb testing.TB, ctx context.Context, path string, n int) *gatehouseSide {
	tb.Helper()
	svc, err := model.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { svc.Close() })
	g := &gatehouseSide{svc: svc}
	if g.checker, err = svc.NewChecker(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(g.checker.Close)
	if g.stream, err = bench.Stream(ctx, svc, n, bench.StreamSeed); err != nil {
		tb.Fatal(err)
	}
	// Asked four times, so that every member of the stream has had their
	// reach set read (a fresh Checker answers a member's first checks by
	// point queries): the timed stream is the warm one.
	for range 4 {
		if g.want, err = bench.Answers(ctx, g.checker, g.stream); err != nil {
			tb.Fatal(err)
		}
	}
	if g.requests, err = Requests(ctx, svc.DB().Read(), g.stream); err != nil {
		tb.Fatal(err)
	}
	if g.facts, err = ReadFacts(ctx, svc.DB().Read()); err != nil {
		tb.Fatal(err)
	}
	return g
}

// casbinSide is one model loaded over a database's facts.
type casbinSide struct {
	model     Model
	policy    *Policy
	enforcer  *casbin.CachedEnforcer
	loadTime  time.Duration
	heapBytes uint64
}

func loadCasbin(tb testing.TB, ctx context.Context, g *gatehouseSide, m Model) *casbinSide {
	tb.Helper()
	before := heapInUse()
	start := time.Now()
	c := &casbinSide{model: m, policy: m.Policy(g.facts)}
	var err error
	if c.enforcer, err = NewEnforcer(m, c.policy); err != nil {
		tb.Fatal(err)
	}
	c.loadTime = time.Since(start)
	c.heapBytes = heapInUse() - before
	return c
}

// agree asks every check of the stream of the uncached enforcer, then of
// the cached one twice (filling its cache, then from it), and compares
// each answer with Gatehouse's. It leaves the cache on and full.
func agree(ctx context.Context, g *gatehouseSide, c *casbinSide) error {
	for pass, cached := range []bool{false, true, true} {
		c.enforcer.EnableCache(cached)
		for i, r := range g.requests {
			got, err := Enforce(c.enforcer, r)
			if err != nil {
				return err
			}
			if got != g.want[i] {
				d, _ := g.checker.Explain(ctx, g.stream[i].Staff, g.stream[i].Account)
				return fmt.Errorf("%s (pass %d, cache %v): check %d: member %d, account %d (%s): Casbin says %v, Gatehouse says %v: %s",
					c.model.Name, pass, cached, i, g.stream[i].Staff, g.stream[i].Account, r.Dom, got, g.want[i], d.Reason)
			}
		}
	}
	return nil
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

var gatehouseSides = map[string]*gatehouseSide{}

// sizeGatehouse opens a cached benchmark size (building it if needed) once
// per test binary, with the whole stream asked of the Checker.
func sizeGatehouse(b *testing.B, s bench.Size) *gatehouseSide {
	b.Helper()
	if g, ok := gatehouseSides[s.Name]; ok {
		return g
	}
	ctx := context.Background()
	path, _, err := bench.Ensure(ctx, s, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	g := loadGatehouse(b, ctx, path, bench.StreamLen)
	gatehouseSides[s.Name] = g
	return g
}

func casbinSizes(b *testing.B) []bench.Size {
	// By default demo and mid; bench/run.sh names the sizes explicitly.
	v := os.Getenv("GATEHOUSE_CASBIN_SIZES")
	if v == "" {
		v = "demo,mid"
	}
	os.Setenv("GATEHOUSE_BENCH_SIZES", v)
	sizes, err := bench.SizesFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	return sizes
}

// BenchmarkCasbin asks the same stream of 100,000 checks, per size, of
// Gatehouse's Checker and of every Casbin model, uncached and through
// CachedEnforcer, one check per iteration:
//
//	BenchmarkCasbin/<size>/gatehouse/stream
//	BenchmarkCasbin/<size>/<model>/stream  (Enforcer: the matcher evaluated)
//	BenchmarkCasbin/<size>/<model>/cached  (CachedEnforcer, every request of the stream already in its cache)
//
// Before any model is timed, every one of its answers to the whole stream,
// uncached and cached, is compared with Gatehouse's. One model is loaded
// at a time (the large organisation's policies take gigabytes).
func BenchmarkCasbin(b *testing.B) {
	ctx := context.Background()
	for _, s := range casbinSizes(b) {
		b.Run(s.Name, func(b *testing.B) {
			g := sizeGatehouse(b, s)
			b.Run("gatehouse/stream", func(b *testing.B) {
				cpu := bench.StartCPU()
				defer cpu.Report(b)
				for i, j := 0, 0; i < b.N; i++ {
					c := g.stream[j]
					if j++; j == len(g.stream) {
						j = 0
					}
					if _, err := g.checker.CanReach(ctx, c.Staff, c.Account); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, m := range Models {
				c := loadCasbin(b, ctx, g, m)
				if err := agree(ctx, g, c); err != nil {
					b.Fatal(err)
				}
				b.Logf("%s %s: all %d checks agree, uncached and cached", s.Name, m.Name, len(g.requests))
				for _, cached := range []bool{false, true} {
					name := m.Name + "/stream"
					if cached {
						name = m.Name + "/cached"
					}
					b.Run(name, func(b *testing.B) {
						c.enforcer.EnableCache(cached)
						cpu := bench.StartCPU()
						for i, j := 0, 0; i < b.N; i++ {
							r := g.requests[j]
							if j++; j == len(g.requests) {
								j = 0
							}
							if _, err := Enforce(c.enforcer, r); err != nil {
								b.Fatal(err)
							}
						}
						cpu.Report(b)
						b.ReportMetric(float64(c.policy.Lines()), "policy-lines")
						b.ReportMetric(c.loadTime.Seconds(), "load-s")
						b.ReportMetric(float64(c.heapBytes)/(1<<20), "heap-MiB")
					})
				}
				c.enforcer = nil
				runtime.GC()
			}
		})
	}
}
