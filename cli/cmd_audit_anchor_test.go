package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatehouse/db"
)

// anchored is a demo copy with one checkpoint in an anchor file kept
// away from the database (as on another disk).
func anchored(t *testing.T) (dbPath, anchors string) {
	t.Helper()
	dbPath = demoCopy(t)
	anchors = filepath.Join(t.TempDir(), "offsite.anchors")
	r := runCLI(t, "--db", dbPath, "audit", "anchor", "--out", anchors)
	wantCode(t, r, 0, "audit anchor")
	var cp struct{ Entries int64 }
	if err := json.Unmarshal([]byte(r.stdout), &cp); err != nil || cp.Entries == 0 {
		t.Fatalf("audit anchor printed %q: %v", r.stdout, err)
	}
	if st, err := os.Stat(anchors); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("anchor file: %v %v", st, err)
	}
	if st, err := os.Stat(dbPath + ".anchor-key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("anchor key beside the database: %v %v", st, err)
	}
	// The anchor is itself in the log, and the checkpoint covers it.
	var action string
	var id int64
	sqlDB(t, dbPath).QueryRow(`SELECT id, action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&id, &action)
	if action != "audit.anchor" || id != cp.Entries {
		t.Fatalf("the newest entry is %d %q, the checkpoint is at %d; want audit.anchor, covered", id, action, cp.Entries)
	}
	return dbPath, anchors
}

// Deleting the newest 1, 20 or all entries with SQL on the file makes
// `audit verify --anchor` and `check-dbPath --anchor` exit 1 naming the
// checkpoint; without the anchor the high-water mark catches it.
func TestDeletedTailFailsVerify(t *testing.T) {
	t.Parallel()
	for _, cut := range []string{"1", "20", "all"} {
		t.Run(cut, func(t *testing.T) {
			t.Parallel()
			dbPath, anchors := anchored(t)
			del := `DELETE FROM audit_log WHERE id > (SELECT max(id) - ` + cut + ` FROM audit_log)`
			if cut == "all" {
				del = `DELETE FROM audit_log`
			}
			if _, err := sqlDB(t, dbPath).Exec(del); err != nil {
				t.Fatal(err)
			}
			checkpoint := "checkpoint " + anchors + ":1"
			r := runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", anchors)
			if r.code != 1 || !strings.Contains(r.stderr, checkpoint) || !strings.Contains(r.stderr, "shorter than") {
				t.Errorf("verify --anchor: exit %d, %s", r.code, r.stderr)
			}
			r = runCLI(t, "--db", dbPath, "check-db", "--anchor", anchors)
			if r.code != 1 || !strings.Contains(r.stdout, checkpoint) {
				t.Errorf("check-dbPath --anchor: exit %d, %s", r.code, r.stdout)
			}
			// No anchor at all: the high-water mark.
			r = runCLI(t, "--db", dbPath, "audit", "verify")
			if r.code != 1 || !strings.Contains(r.stderr, "high-water mark") {
				t.Errorf("verify without anchor: exit %d, %s", r.code, r.stderr)
			}
			r = runCLI(t, "--db", dbPath, "check-db")
			if r.code != 1 || !strings.Contains(r.stdout, "high-water mark") {
				t.Errorf("check-dbPath without anchor: exit %d, %s", r.code, r.stdout)
			}
		})
	}
}

// The anchor file beside the database is used without being named; a
// log rewritten with fresh hashes diverges from the checkpoint; a head
// hash typed in is an anchor too; and an edited checkpoint is refused.
func TestAnchorCatchesARewrite(t *testing.T) {
	t.Parallel()
	dbPath := demoCopy(t)
	r := runCLI(t, "--db", dbPath, "audit", "anchor")
	wantCode(t, r, 0, "audit anchor")
	var cp struct {
		Entries int64
		Head    string
	}
	json.Unmarshal([]byte(r.stdout), &cp)
	r = runCLI(t, "--db", dbPath, "audit", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "matches 1 of 1 checkpoint(s) in "+dbPath+".anchors") {
		t.Fatalf("verify with the default anchor file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Rewrite the newest entry and give it its proper new hash: the chain
	// alone cannot tell, the checkpoint can.
	d := sqlDB(t, dbPath)
	rewriteEntry(t, d, cp.Entries, "someone-else@northwind.example")
	if r := runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", "/nonexistent/none.anchors"); r.code == 0 {
		t.Fatalf("a missing anchor file passed")
	}
	r = runCLI(t, "--db", dbPath, "audit", "verify")
	if r.code != 1 || !strings.Contains(r.stderr, "diverges") || !strings.Contains(r.stderr, "checkpoint "+dbPath+".anchors:1") {
		t.Errorf("verify after a rewrite: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", fmt.Sprintf("%d:%s", cp.Entries, cp.Head))
	if r.code != 1 || !strings.Contains(r.stderr, "diverges") {
		t.Errorf("verify --anchor ENTRIES:HASH after a rewrite: exit %d, %s", r.code, r.stderr)
	}
	r = runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", cp.Head)
	if r.code != 1 || !strings.Contains(r.stderr, "no entry with the head hash") {
		t.Errorf("verify --anchor HASH after a rewrite: exit %d, %s", r.code, r.stderr)
	}
	// A checkpoint edited to match the rewritten log no longer matches its
	// signature.
	var newHead string
	d.QueryRow(`SELECT hash FROM audit_log WHERE id = ?`, cp.Entries).Scan(&newHead)
	data, _ := os.ReadFile(dbPath + ".anchors")
	os.WriteFile(dbPath+".anchors", []byte(strings.ReplaceAll(string(data), cp.Head, newHead)), 0o600)
	r = runCLI(t, "--db", dbPath, "check-db")
	if r.code != 1 || !strings.Contains(r.stdout, "cannot be trusted") || !strings.Contains(r.stdout, "signature") {
		t.Errorf("check-dbPath with a forged checkpoint: exit %d, %s", r.code, r.stdout)
	}
}

// rewriteEntry changes an entry's actor and stores the hash that content
// really has, as someone rewriting the log would.
func rewriteEntry(t *testing.T, d *sql.DB, id int64, actor string) {
	t.Helper()
	e, err := db.AuditEntryByID(context.Background(), d, id)
	if err != nil {
		t.Fatal(err)
	}
	e.Actor = actor
	e.Hash = db.HashEntry(e)
	if _, err := d.Exec(`UPDATE audit_log SET actor = ?, hash = ? WHERE id = ?`, e.Actor, e.Hash, id); err != nil {
		t.Fatal(err)
	}
}

// `audit prune` leaves a checkpoint entry: `audit verify` passes from it,
// the checkpoint written before pruning still holds, an export made
// before pruning verifies against it, and editing a kept entry still
// fails.
func TestPruneKeepsTheProof(t *testing.T) {
	t.Parallel()
	dbPath, anchors := anchored(t)
	export := filepath.Join(t.TempDir(), "before-prune.json")
	wantCode(t, runCLI(t, "--db", dbPath, "audit", "export", "--format", "json", "--out", export), 0, "export")
	// Entries to keep: made after the cut-off.
	cut := time.Now().UTC().Add(time.Second).Truncate(time.Second)
	time.Sleep(time.Until(cut) + 10*time.Millisecond)
	wantCode(t, runCLI(t, "--db", dbPath, "access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll"), 0, "revoke")
	wantCode(t, runCLI(t, "--db", dbPath, "access", "grant", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll"), 0, "grant")
	total := count(t, dbPath, `SELECT count(*) FROM audit_log`)

	r := runCLI(t, "--db", dbPath, "audit", "prune", "--before", cut.Format(time.RFC3339))
	wantCode(t, r, 0, "audit prune")
	// The two kept changes and the prune checkpoint remain.
	if n := count(t, dbPath, `SELECT count(*) FROM audit_log`); n != 3 {
		t.Fatalf("after pruning %d of %d entries, %d remain, want the 2 newer and the checkpoint\n%s", total-2, total, n, r.stdout)
	}
	if !strings.Contains(r.stdout, fmt.Sprintf("Pruned %d audit entries", total-2)) {
		t.Errorf("prune said %q", r.stdout)
	}
	r = runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", anchors, "--export", export)
	if r.code != 0 || !strings.Contains(r.stdout, "audit chain OK: 3 entries") || !strings.Contains(r.stdout, "were pruned; the prune checkpoint") ||
		!strings.Contains(r.stdout, "their head matches the prune checkpoint") {
		t.Fatalf("verify after prune: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantCode(t, runCLI(t, "--db", dbPath, "check-db", "--anchor", anchors), 0, "check-db after prune")
	var entry string
	sqlDB(t, dbPath).QueryRow(`SELECT action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&entry)
	if entry != "audit.prune" {
		t.Errorf("the newest entry is %q, want audit.prune", entry)
	}

	// An export edited in the pruned range does not verify against it.
	data, _ := os.ReadFile(export)
	forged := filepath.Join(t.TempDir(), "forged.json")
	os.WriteFile(forged, []byte(strings.Replace(string(data), olivia, "mallory@northwind.example", 1)), 0o600)
	if r := runCLI(t, "--db", dbPath, "audit", "verify", "--export", forged); r.code != 1 || !strings.Contains(r.stderr, "changed after it was written") {
		t.Errorf("verify --export of an edited export: exit %d, %s", r.code, r.stderr)
	}
	// Editing a kept entry still fails.
	if _, err := sqlDB(t, dbPath).Exec(`UPDATE audit_log SET actor = 'mallory' WHERE id = (SELECT min(id) FROM audit_log)`); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "--db", dbPath, "audit", "verify"); r.code != 1 || !strings.Contains(r.stderr, "changed after it was written") {
		t.Errorf("verify after editing a kept entry: exit %d, %s", r.code, r.stderr)
	}
	// Removing kept entries from the front is not a prune.
	if _, err := sqlDB(t, dbPath).Exec(`DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)`); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "--db", dbPath, "audit", "verify"); r.code != 1 || !strings.Contains(r.stderr, "no prune checkpoint") {
		t.Errorf("verify after deleting the oldest kept entry: exit %d, %s", r.code, r.stderr)
	}
}

// Over SSH a head hash recorded elsewhere is an anchor; an anchor file on
// the server cannot be named, and the anchor file beside the database is
// not read for a remote member.
func TestRemoteVerifyTakesAHeadHash(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	owner := d.member(olivia)
	r := d.run(owner, "audit", "verify")
	wantCode(t, r, 0, "remote verify")
	var head string
	for _, l := range strings.Split(r.stdout, "\n") {
		if h, ok := strings.CutPrefix(l, "head hash: "); ok {
			head = strings.Fields(h)[0]
		}
	}
	if r := d.run(owner, "audit", "verify", "--anchor", head); r.code != 0 || !strings.Contains(r.stdout, "matches 1 of 1") {
		t.Fatalf("remote verify --anchor HASH: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := d.run(owner, "audit", "verify", "--anchor", "/etc/passwd"); r.code != 2 || !strings.Contains(r.stderr, "over SSH") {
		t.Errorf("remote verify --anchor FILE: exit %d, %s", r.code, r.stderr)
	}
	if _, err := sqlDB(t, d.path).Exec(`DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)`); err != nil {
		t.Fatal(err)
	}
	if r := d.run(owner, "audit", "verify", "--anchor", head); r.code != 1 || !strings.Contains(r.stderr, "no entry with the head hash") {
		t.Errorf("remote verify after the head was deleted: exit %d, %s", r.code, r.stderr)
	}
}

// --from-checkpoint walks only the entries after the latest checkpoint
// that matches, and still fails on a log cut short or changed after it.
func TestVerifyFromCheckpoint(t *testing.T) {
	t.Parallel()
	dbPath, anchors := anchored(t)
	wantCode(t, runCLI(t, "--db", dbPath, "access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll"), 0, "revoke")
	wantCode(t, runCLI(t, "--db", dbPath, "audit", "anchor", "--out", anchors), 0, "second anchor")
	wantCode(t, runCLI(t, "--db", dbPath, "access", "grant", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll"), 0, "grant")
	last := count(t, dbPath, `SELECT max(id) FROM audit_log`)
	r := runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", anchors, "--from-checkpoint")
	want := fmt.Sprintf("walked from the latest, at entry %d: 1 entries after it", last-1)
	if r.code != 0 || !strings.Contains(r.stdout, "matches 2 of 2 checkpoint(s)") || !strings.Contains(r.stdout, want) {
		t.Fatalf("verify --from-checkpoint: exit %d, want %q\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	if _, err := sqlDB(t, dbPath).Exec(`UPDATE audit_log SET actor = 'mallory' WHERE id = ?`, last); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", anchors, "--from-checkpoint"); r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("entry %d was changed", last)) {
		t.Errorf("an entry changed after the checkpoint: exit %d, %s", r.code, r.stderr)
	}
}

// A checkpoint that does not hold (here one signed by another database's
// key, in the anchor file beside the database) fails verify and check-db,
// and the count they print is of the entries actually walked: the whole
// log, whose own chain is walked all the same.
func TestBrokenCheckpointCountsTheEntriesWalked(t *testing.T) {
	t.Parallel()
	dbPath := demoCopy(t)
	_, otherAnchors := anchored(t)
	data, err := os.ReadFile(otherAnchors)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dbPath+".anchors", data, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "--db", dbPath, "audit", "anchor", "--out", filepath.Join(t.TempDir(), "own.anchors"))
	wantCode(t, r, 0, "audit anchor")
	var n int64
	if err := sqlDB(t, dbPath).QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil || n < 2 {
		t.Fatalf("count: %d %v", n, err)
	}
	want := fmt.Sprintf("(%d entries checked)", n)
	r = runCLI(t, "--db", dbPath, "audit", "verify")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot be trusted") || !strings.Contains(r.stderr, want) {
		t.Errorf("verify with another database's checkpoint: exit %d, want %q in %s", r.code, want, r.stderr)
	}
	r = runCLI(t, "--db", dbPath, "check-db")
	if r.code != 1 || !strings.Contains(r.stdout, "cannot be trusted") || !strings.Contains(r.stdout, want) {
		t.Errorf("check-db with another database's checkpoint: exit %d, want %q in %s", r.code, want, r.stdout)
	}
}
