package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// oldHashEntry is HashEntry as every existing log was written with it:
// the format must never change.
func oldHashEntry(e AuditEntry) string {
	fields := []string{
		strconv.FormatInt(e.ID, 10), strconv.FormatInt(e.At.UnixNano(), 10),
		e.ActorKind, strconv.FormatInt(e.ActorID, 10), e.Actor, e.Origin, e.Action,
		e.TargetKind, strconv.FormatInt(e.TargetID, 10), e.Target,
		strconv.FormatInt(e.StaffID, 10), strconv.FormatInt(e.ClientID, 10),
		e.Before, e.After, e.PrevHash,
	}
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func randomText(r *rand.Rand) string {
	alphabet := []string{"a", "Z", "é", "名", "\u202e", "\x1b", ";", ":", "0", " ", "\U0001F600", "\x00"}
	var b strings.Builder
	for n := r.IntN(40); n > 0; n-- {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func randomEntry(r *rand.Rand, id int64, prev string) AuditEntry {
	return AuditEntry{ID: id, At: time.Unix(0, r.Int64N(1<<62)-1<<61).UTC(), ActorKind: randomText(r), ActorID: r.Int64N(1000) - 10,
		Actor: randomText(r), Origin: randomText(r), Action: randomText(r), TargetKind: randomText(r), TargetID: r.Int64N(1 << 40),
		Target: randomText(r), StaffID: r.Int64N(3), ClientID: r.Int64N(1 << 20), Before: randomText(r), After: randomText(r), PrevHash: prev}
}

// The faster HashEntry hashes exactly what the old one did, and SQLite's
// preimage (the fast walk) is the same bytes: existing logs verify.
func TestHashFormatIsUnchanged(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d, _ := openTemp(t)
	ctx := context.Background()
	prev := GenesisHash
	err := d.Write(ctx, func(tx *sql.Tx) error {
		for i := int64(1); i <= 300; i++ {
			e := randomEntry(r, i, prev)
			if got, want := HashEntry(e), oldHashEntry(e); got != want {
				return fmt.Errorf("entry %d: HashEntry %s, the format's %s", i, got, want)
			}
			e.Hash = oldHashEntry(e)
			if _, err := tx.Exec(`INSERT INTO audit_log (id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target, staff_id, client_id, before, after, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.At.UnixNano(), e.ActorKind, nullID(e.ActorID), e.Actor, e.Origin, e.Action,
				e.TargetKind, nullID(e.TargetID), e.Target, nullID(e.StaffID), nullID(e.ClientID), e.Before, e.After, e.PrevHash, e.Hash); err != nil {
				return err
			}
			prev = e.Hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, brk := verify(t, d); n != 300 || brk != nil {
		t.Fatalf("verify = %d, %+v", n, brk)
	}
}

// A file written before the high-water mark (schema 4, audit_log without
// AUTOINCREMENT) is migrated with its entries unchanged; its chain still
// verifies, and its high-water mark is its last entry.
func TestExistingLogVerifiesAfterMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	for _, m := range ms {
		if m.version > 4 {
			break
		}
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	if _, err := raw.Exec(`PRAGMA user_version = 4`); err != nil {
		t.Fatal(err)
	}
	prev := GenesisHash
	for i := int64(1); i <= 50; i++ {
		e := AuditEntry{ID: i, At: time.Unix(1700000000+i, 0), ActorKind: "member", ActorID: 1, Actor: "o@acme.test", Origin: "local terminal",
			Action: "access.add", TargetKind: "client", TargetID: i, Target: "Client", PrevHash: prev}
		e.Hash = oldHashEntry(e)
		if _, err := raw.Exec(`INSERT INTO audit_log (id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.At.UnixNano(), e.ActorKind, e.ActorID, e.Actor, e.Origin, e.Action, e.TargetKind, e.TargetID, e.Target, e.PrevHash, e.Hash); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	raw.Close()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, brk, err := VerifyAuditChain(ctx, d.Read(), ChainPosition{})
	if err != nil || brk != nil || st.Entries != 50 || st.HighWater != 50 || st.Head != prev {
		t.Fatalf("after migration: %+v, %+v, %v", st, brk, err)
	}
}

// Deleting the newest entries, or all of them, is caught without any
// anchor: the high-water mark remembers the last id written.
func TestHighWaterMarkCatchesADeletedTail(t *testing.T) {
	for _, cut := range []int{1, 20, 30} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			d, _ := openTemp(t)
			appendEntries(t, d, 30)
			if _, err := d.SQL().Exec(`DELETE FROM audit_log WHERE id > ?`, 30-cut); err != nil {
				t.Fatal(err)
			}
			_, brk := verify(t, d)
			if brk == nil || !strings.Contains(brk.Reason, "high-water mark") || !strings.Contains(brk.Reason, "30") {
				t.Fatalf("break = %+v, want the high-water mark named", brk)
			}
			// Entries written afterwards leave a gap where the deleted ones
			// were, instead of taking their ids.
			if cut < 30 {
				appendEntries(t, d, 40)
				if _, brk := verify(t, d); brk == nil || brk.ID != 31 || !strings.Contains(brk.Reason, "missing") {
					t.Fatalf("after new entries: break = %+v, want entry 31 after a gap", brk)
				}
			}
		})
	}
}

// An emptied log in an organisation that has members is caught even when
// the high-water mark was removed too.
func TestEmptyLogWithMembersIsCaught(t *testing.T) {
	d, _ := openTemp(t)
	appendEntries(t, d, 3)
	if _, err := d.SQL().Exec(`INSERT INTO staff (id, name, email, role_id, status, created_at) VALUES (1, 'O', 'o@acme.test', 1, 'active', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().Exec(`DELETE FROM audit_log; DELETE FROM sqlite_sequence`); err != nil {
		t.Fatal(err)
	}
	_, brk := verify(t, d)
	if brk == nil || !strings.Contains(brk.Reason, "empty") || !strings.Contains(brk.Reason, "1 members") {
		t.Fatalf("break = %+v, want an emptied log", brk)
	}
}

// benchLog is a database of n audit entries, built once and kept in the
// temporary directory between runs (it takes a while at a million).
func benchLog(b *testing.B, n int) *DB {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("gatehouse-bench-audit-v%d-%d.db", SchemaVersion(), n))
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".incomplete"
		os.Remove(tmp)
		d, err := Open(ctx, tmp)
		if err != nil {
			b.Fatal(err)
		}
		bw, err := d.NewBulkWriter(ctx)
		if err != nil {
			b.Fatal(err)
		}
		prev := GenesisHash
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := int64(1); i <= int64(n); i++ {
			e := AuditEntry{ID: i, At: base.Add(time.Duration(i) * time.Second), ActorKind: "member", ActorID: i%97 + 1,
				Actor: fmt.Sprintf("member%d@northwind.example", i%97), Origin: "local terminal", Action: "access.toggle",
				TargetKind: "client", TargetID: i%5000 + 1, Target: fmt.Sprintf("Client %d / Payroll", i%5000), StaffID: i%97 + 1, ClientID: i%5000 + 1,
				Before: `{"on":false}`, After: `{"on":true}`, PrevHash: prev}
			e.Hash = HashEntry(e)
			if err := bw.InsertAuditRaw(e); err != nil {
				b.Fatal(err)
			}
			prev = e.Hash
		}
		if err := bw.Close(); err != nil {
			b.Fatal(err)
		}
		d.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	d, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// BenchmarkAuditVerify1M walks a chain of a million entries as `audit
// verify` does ("walk"); ns/entry is the figure docs/performance.md
// reports. "before" is the walk this replaced, kept to compare: every
// column scanned into Go and hashed there, one entry after another.
func BenchmarkAuditVerify1M(b *testing.B) {
	d := benchLog(b, 1_000_000)
	ctx := context.Background()
	VerifyAuditChain(ctx, d.Read(), ChainPosition{}) // warm the page cache
	b.Run("walk", func(b *testing.B) {
		var entries int64
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			st, brk, err := VerifyAuditChain(ctx, d.Read(), ChainPosition{})
			if err != nil || brk != nil {
				b.Fatalf("%+v %v", brk, err)
			}
			entries += st.Entries
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(entries), "ns/entry")
		b.ReportMetric(float64(cpuTime()-cpu)/float64(entries), "cpu-ns/entry")
	})
	b.Run("before", func(b *testing.B) {
		var entries int64
		cpu := cpuTime()
		for i := 0; i < b.N; i++ {
			prev := GenesisHash
			err := EachAudit(ctx, d.Read(), AuditQuery{Scope: Scope{All: true}}, func(e AuditEntry) error {
				entries++
				if e.PrevHash != prev || oldHashEntry(e) != e.Hash {
					return fmt.Errorf("entry %d breaks", e.ID)
				}
				prev = e.Hash
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(entries), "ns/entry")
		b.ReportMetric(float64(cpuTime()-cpu)/float64(entries), "cpu-ns/entry")
	})
}

// cpuTime is the CPU time this process has used, user and system, on all
// its threads: on a machine shared with other work it says what a walk
// costs better than the time on the wall, which includes waiting for a
// core.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkAuditVerifyFromCheckpoint walks from a checkpoint k entries
// before the end of the same million-entry chain: the cost follows k, not
// the length of the log.
func BenchmarkAuditVerifyFromCheckpoint(b *testing.B) {
	d := benchLog(b, 1_000_000)
	ctx := context.Background()
	for _, after := range []int64{1_000, 100_000} {
		b.Run(fmt.Sprintf("after=%d", after), func(b *testing.B) {
			id := int64(1_000_000) - after
			e, err := AuditEntryByID(ctx, d.Read(), id)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				st, brk, err := VerifyAuditChain(ctx, d.Read(), ChainPosition{ID: id, Hash: e.Hash})
				if err != nil || brk != nil || st.Entries != after {
					b.Fatalf("%+v %+v %v", st, brk, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/walk")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/walk")
		})
	}
}

// The walk split over connections joins its ranges as one walk would: a
// break at a range's boundary or inside one is named the same way.
func TestParallelWalkJoinsItsRanges(t *testing.T) {
	old := parallelMin
	parallelMin = 2
	t.Cleanup(func() { parallelMin = old })
	for _, tamper := range []struct {
		sql  string
		id   int64
		says string
	}{
		{``, 0, ""},
		{`DELETE FROM audit_log WHERE id = 21`, 22, "entry 22 follows entry 20"},
		{`UPDATE audit_log SET target = 'x' WHERE id = 39`, 39, "changed"},
		{`UPDATE audit_log SET prev_hash = hash WHERE id = 2`, 2, "does not link"},
	} {
		d, _ := openTemp(t)
		appendEntries(t, d, 40)
		if tamper.sql != "" {
			if _, err := d.SQL().Exec(tamper.sql); err != nil {
				t.Fatal(err)
			}
		}
		st, brk, err := VerifyAuditChain(context.Background(), d.Read(), ChainPosition{})
		if err != nil {
			t.Fatal(err)
		}
		if tamper.sql == "" {
			if brk != nil || st.Entries != 40 || st.LastID != 40 {
				t.Fatalf("untouched: %+v %+v", st, brk)
			}
			continue
		}
		if brk == nil || brk.ID != tamper.id || !strings.Contains(brk.Reason, tamper.says) {
			t.Errorf("%s: break %+v, want entry %d: %s", tamper.sql, brk, tamper.id, tamper.says)
		}
	}
}

// Entries committed while a walk runs are not mistaken for a log cut
// short: the walk, the bounds and the high-water mark are read in one
// snapshot.
func TestVerifyWhileEntriesAreAppended(t *testing.T) {
	old := parallelMin
	parallelMin = 2
	t.Cleanup(func() { parallelMin = old })
	d, _ := openTemp(t)
	appendEntries(t, d, 20)
	done := make(chan struct{})
	go func() {
		defer close(done)
		appendEntries(t, d, 300)
	}()
	walks := 0
	for running := true; running; walks++ {
		select {
		case <-done:
			running = false
		default:
		}
		st, brk, err := VerifyAuditChain(context.Background(), d.Read(), ChainPosition{})
		if err != nil || brk != nil {
			t.Fatalf("walk %d while appending: %+v %+v %v", walks, st, brk, err)
		}
	}
	t.Logf("%d walks", walks)
}
