package bench

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"runtime"
	"testing"
	"time"

	"gatehouse/db"
	"gatehouse/model"
	"gatehouse/screens"
)

// startStaff is start-up as the shell does it after sign-in: open the
// database, load the member's actor and the organisation, and produce the
// first frame of the Staff screen. Signing in itself (a memory-hard
// password hash, the same at every size) is left out.
func startStaff(ctx context.Context, path string, staffID int64) (*model.Service, string, error) {
	svc, err := model.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	sess, err := session(ctx, svc, model.Principal{Kind: model.KindMember, StaffID: staffID, Origin: "local terminal"})
	if err != nil {
		svc.Close()
		return nil, "", err
	}
	s := openScreen(sess, screenCase{open: screens.NewStaff})
	return svc, s.View(), nil
}

// heapLive is the Go heap's live bytes after a collection.
func heapLive() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkStartup is start-up to the Staff screen's first frame, per size,
// timed in a process of its own (this test binary run again): the median
// of repeated start-ups over the benchmark time is reported as ns/op. That
// process also reports its memory after one start-up: rss-anon-KiB and
// rss-file-KiB, its resident memory (anonymous: Go's heap and SQLite's
// page caches; file-backed: the binary and the database pages the read
// connections map), and process-heap-KiB, its Go heap in use. heap-KiB is
// the Go heap one start-up adds in this process (live heap after minus
// before, each after a collection).
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	perSize(b, func(b *testing.B, e *env) {
		before := heapLive()
		svc, frame, err := startStaff(ctx, e.path, e.owner.StaffID)
		if err != nil {
			b.Fatal(err)
		}
		held := heapLive() - before
		runtime.KeepAlive(svc)
		runtime.KeepAlive(frame)
		svc.Close()
		benchtime := time.Second
		if f := flag.Lookup("test.benchtime"); f != nil {
			if d, err := time.ParseDuration(f.Value.String()); err == nil {
				benchtime = d
			}
		}
		// One child per call, whatever b.N: its run takes the benchmark
		// time, so the framework asks no more.
		mem, err := startupMemory(e.path, e.owner.StaffID, benchtime)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(mem["startup-ns"], "ns/op")
		b.ReportMetric(float64(held)/1024, "heap-KiB")
		for _, k := range []string{"rss-anon-KiB", "rss-file-KiB"} {
			b.ReportMetric(mem[k], k)
		}
		b.ReportMetric(mem["heap-KiB"], "process-heap-KiB")
	})
}

// BenchmarkToggle is one access toggle committed with its audit entry, two
// ways in the same run, per size:
//   - model: by the Owner through Service.SetAccountAccess (the actor
//     re-loaded and the change decided inside the transaction, the audit
//     entry chained, the change counter moved);
//   - sql: SQLite's floor for the same change on a bare handle opened like
//     the model's write connection: BEGIN IMMEDIATE, the toggle's row, the
//     audit entry appended to the chain (db.AppendAudit: the chain's head
//     read, the entry hashed and inserted into the indexed log), COMMIT in
//     WAL mode.
//
// Both turn an account of a folder the Advisor was added to off and on in
// turn, so the data ends as it began (an odd last step is undone untimed),
// and the chain stays whole.
func BenchmarkToggle(b *testing.B) {
	ctx := context.Background()
	perSize(b, func(b *testing.B, e *env) {
		var account, client int64
		err := e.svc.DB().Read().QueryRowContext(ctx, `SELECT account_id, client_id FROM account_access WHERE staff_id = ? ORDER BY account_id LIMIT 1`, e.advisor.StaffID).Scan(&account, &client)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("model", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := e.svc.SetAccountAccess(ctx, e.owner, account, e.advisor.StaffID, i%2 == 1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if b.N%2 == 1 {
				if err := e.svc.SetAccountAccess(ctx, e.owner, account, e.advisor.StaffID, true); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("sql", func(b *testing.B) {
			w, err := sql.Open("sqlite3", db.WritePoolDSN(e.path))
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			w.SetMaxOpenConns(1)
			toggle := func(on bool) error {
				return bareToggle(ctx, w, e, client, account, on)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := toggle(i%2 == 1); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if b.N%2 == 1 {
				if err := toggle(true); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// bareToggle is the toggle's SQL with nothing of the model around it.
func bareToggle(ctx context.Context, w *sql.DB, e *env, client, account int64, on bool) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if on {
		_, err = tx.ExecContext(ctx, `INSERT INTO account_access (account_id, staff_id, client_id) VALUES (?, ?, ?)`, account, e.advisor.StaffID, client)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM account_access WHERE account_id = ? AND staff_id = ?`, account, e.advisor.StaffID)
	}
	if err != nil {
		return err
	}
	state := map[bool]string{true: "on", false: "off"}
	_, err = db.AppendAudit(ctx, tx, db.AuditEntry{At: time.Now(), ActorKind: "member", ActorID: e.owner.StaffID, Actor: "owner@bench.example",
		Origin: "local terminal", Action: "access.toggle", TargetKind: "account", TargetID: account, Target: "Bench client / Bench account / advisor@bench.example",
		StaffID: e.advisor.StaffID, ClientID: client, Before: `{"access":"` + state[!on] + `"}`, After: `{"access":"` + state[on] + `"}`})
	if err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkOffboard offboards a member added to many folders with every
// account on (1,000 folders at every size; 5,000 where the organisation has
// that many). Each iteration's member is made untimed with plain SQL and
// deleted afterwards, so the cached database keeps its shape (its audit
// log keeps the entries offboarding wrote).
func BenchmarkOffboard(b *testing.B) {
	ctx := context.Background()
	perSize(b, func(b *testing.B, e *env) {
		for _, folders := range []int{1_000, 5_000} {
			if folders > e.size.Opts.Clients {
				continue
			}
			b.Run(fmt.Sprintf("folders=%d", folders), func(b *testing.B) {
				defer b.ReportMetric(float64(folders*e.size.Opts.AccountsPerClient), "grants")
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					id, err := memberWithFolders(ctx, e, folders, i)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					res, err := e.svc.Offboard(ctx, e.owner, id, 0)
					b.StopTimer()
					if err != nil {
						b.Fatal(err)
					}
					if res.FoldersRemoved != folders {
						b.Fatalf("offboarding removed %d folders, want %d", res.FoldersRemoved, folders)
					}
					if err := rawExec(ctx, e.svc.DB().SQL(), `DELETE FROM staff WHERE id = ?`, id); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			})
		}
	})
}

// memberWithFolders makes an Advisor added to the first n folders with
// every account toggled on, in one transaction of plain SQL.
func memberWithFolders(ctx context.Context, e *env, n, i int) (int64, error) {
	tx, err := e.svc.DB().SQL().BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	now := time.Now().Unix()
	res, err := tx.ExecContext(ctx, `INSERT INTO staff (name, email, role_id, status, created_at) VALUES (?, ?, 3, 'active', ?)`,
		"Offboard Bench", fmt.Sprintf("offboard-%d-%d@bench.example", now, i), now)
	if err != nil {
		return 0, fmt.Errorf("offboard setup: %w", err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.ExecContext(ctx, `INSERT INTO client_members (client_id, staff_id, added_at)
		SELECT id, ?, ? FROM clients WHERE internal = 0 ORDER BY id LIMIT ?`, id, now, n); err != nil {
		return 0, fmt.Errorf("offboard setup: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_access (account_id, staff_id, client_id)
		SELECT a.id, cm.staff_id, cm.client_id FROM client_members cm JOIN accounts a ON a.client_id = cm.client_id WHERE cm.staff_id = ?`, id); err != nil {
		return 0, fmt.Errorf("offboard setup: %w", err)
	}
	return id, tx.Commit()
}

// BenchmarkChangeVisible measures how long a toggle written by another
// handle on the same file (as another process would) takes to show in a
// Checker's answers: one op is one write and the wait until the Checker
// agrees with it. The target is under one second.
func BenchmarkChangeVisible(b *testing.B) {
	ctx := context.Background()
	perSize(b, func(b *testing.B, e *env) {
		other, err := model.Open(ctx, e.path)
		if err != nil {
			b.Fatal(err)
		}
		defer other.Close()
		c, err := e.svc.NewChecker(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		var account int64
		err = e.svc.DB().Read().QueryRowContext(ctx, `SELECT account_id FROM account_access WHERE staff_id = ? ORDER BY account_id LIMIT 1`, e.advisor.StaffID).Scan(&account)
		if err != nil {
			b.Fatal(err)
		}
		var worst time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			on := i%2 == 1
			start := time.Now()
			if err := other.SetAccountAccess(ctx, e.owner, account, e.advisor.StaffID, on); err != nil {
				b.Fatal(err)
			}
			for {
				got, err := c.CanReach(ctx, e.advisor.StaffID, account)
				if err != nil {
					b.Fatal(err)
				}
				if got == on {
					break
				}
				if time.Since(start) > 10*time.Second {
					b.Fatalf("the Checker still says %v ten seconds after the change", got)
				}
				time.Sleep(time.Millisecond)
			}
			worst = max(worst, time.Since(start))
		}
		b.StopTimer()
		if b.N%2 == 1 {
			if err := other.SetAccountAccess(ctx, e.owner, account, e.advisor.StaffID, true); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(worst.Seconds()*1000, "worst-ms")
	})
}

// BenchmarkAuditVerify walks the whole audit chain as `gatehouse audit
// verify` does, per size; ns/entry is the time per entry walked.
func BenchmarkAuditVerify(b *testing.B) {
	ctx := context.Background()
	perSize(b, func(b *testing.B, e *env) {
		var entries int64
		for i := 0; i < b.N; i++ {
			n, brk, err := e.svc.VerifyAudit(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if brk != nil {
				b.Fatalf("the chain breaks at entry %d: %s", brk.ID, brk.Reason)
			}
			entries += n
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(entries), "ns/entry")
		b.ReportMetric(float64(entries)/float64(b.N), "entries")
	})
}
