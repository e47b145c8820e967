package cli

import (
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

// The crash test runs the real binary doing bulk work and kills it with
// SIGKILL at a random moment between its start and the time the same work
// took uninterrupted. After every kill the database must open, pass
// integrity_check, foreign_key_check and audit verify, and hold each
// operation either wholly or not at all.
//
// GATEHOUSE_CRASH_KILLS sets the number of kills in total (default 20,
// spread over the four operations); raise it for a long soak.

const (
	crashFolders = 3000 // folders the offboarded member is in, and the reassigned owner owns
	crashInvites = 500  // addresses in the bulk invitation
	amelia       = "amelia.brooks@northwind.example"
)

func crashKills(t *testing.T) int {
	n := 20
	if s := os.Getenv("GATEHOUSE_CRASH_KILLS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("GATEHOUSE_CRASH_KILLS=%q: want a positive number", s)
		}
		n = v
	}
	return n
}

// crashOp is one operation the test interrupts.
type crashOp struct {
	name string
	// prepare makes the database the operation starts from.
	prepare func(t *testing.T) string
	// fresh: the operation creates its database; each run gets a new
	// path that does not exist yet instead of a copy of prepare's.
	fresh bool
	// args is the command, run against path.
	args func(path string) []string
	// check asserts the all-or-nothing contract on path after a kill (or
	// after the operation finished); it returns whether the work was
	// applied.
	check func(t *testing.T, path string, before crashState) bool
}

// crashState is what check compares against: facts read before the run.
type crashState map[string]int

func TestCrashSafety(t *testing.T) {
	t.Parallel()
	kills := crashKills(t)
	ops := []crashOp{offboardOp(), reassignOp(), bulkInviteOp(), generatorOp()}
	for i, op := range ops {
		perOp := kills / len(ops)
		if i < kills%len(ops) {
			perOp++
		}
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			base := op.prepare(t)
			runCrashOp(t, op, base, perOp)
		})
	}
}

func runCrashOp(t *testing.T, op crashOp, base string, kills int) {
	// One uninterrupted run measures the operation and shows that the
	// check recognises the work when it was done.
	newPath := func() string {
		if op.fresh {
			return filepath.Join(t.TempDir(), "g.db")
		}
		return copyDB(t, base)
	}
	path := newPath()
	var before crashState
	if !op.fresh {
		before = readCrashState(t, path)
	}
	start := time.Now()
	r := runCLI(t, op.args(path)...)
	took := time.Since(start)
	wantCode(t, r, 0, op.args(path)...)
	if !op.check(t, path, before) {
		t.Fatalf("%s ran to the end, but the check finds it not applied", op.name)
	}
	assertSound(t, path)
	t.Logf("%s: %v uninterrupted", op.name, took)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	applied, opened := 0, 0
	for k := 0; k < kills; k++ {
		path := newPath()
		delay := time.Duration(rng.Int64N(int64(took)))
		cmd := gatehouseCmd("", op.args(path)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		// A shared-memory file left behind means the process had opened
		// the database: the kill landed in the work, not in start-up.
		if fileExists(path+"-shm") || fileExists(path+incompleteSuffix+"-shm") {
			opened++
		}
		if !op.fresh {
			assertSound(t, path)
		}
		if op.check(t, path, before) {
			applied++
		}
	}
	t.Logf("%s: %d kills (%d after the database was opened), %d found the work applied, %d found nothing applied", op.name, kills, opened, applied, kills-applied)
}

// copyDB copies a closed database (no WAL) to a new private file.
func copyDB(t *testing.T, src string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "g.db")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertSound runs check-db: the file opens (recovering its WAL), and
// integrity_check, foreign_key_check and the audit chain are clean.
func assertSound(t *testing.T, path string) {
	t.Helper()
	r := runCLI(t, "check-db", "--db", path)
	if r.code != 0 || !strings.Contains(r.stdout, "No problems found.") {
		t.Fatalf("after a kill, check-db on %s: exit %d\n%s%s", path, r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "audit", "verify", "--db", path)
	wantCode(t, r, 0, "audit", "verify")
}

func readCrashState(t *testing.T, path string) crashState {
	t.Helper()
	st := crashState{}
	for name, q := range map[string]string{
		"sara folders":   `SELECT count(*) FROM client_members m JOIN staff s ON s.id = m.staff_id WHERE s.email = '` + sara + `'`,
		"sara toggles":   `SELECT count(*) FROM account_access a JOIN staff s ON s.id = a.staff_id WHERE s.email = '` + sara + `'`,
		"amelia owns":    `SELECT count(*) FROM clients c JOIN staff s ON s.id = c.owner_id WHERE s.email = '` + amelia + `'`,
		"marcus owns":    `SELECT count(*) FROM clients c JOIN staff s ON s.id = c.owner_id WHERE s.email = '` + marcus + `'`,
		"invitations":    `SELECT count(*) FROM invitations`,
		"audit":          `SELECT count(*) FROM audit_log`,
		"offboard audit": `SELECT count(*) FROM audit_log WHERE action = 'staff.offboard'`,
	} {
		st[name] = count(t, path, q)
	}
	return st
}

// prepareBulk is the demo with crashFolders more folders (two accounts
// each) owned by amelia, sara added to every one with both accounts on:
// written with plain SQL in one transaction, as an import would.
func prepareBulk(t *testing.T) string {
	t.Helper()
	path := copyDB(t, demoPath)
	d := sqlDB(t, path)
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) int64 {
		res, err := tx.Exec(q, args...)
		if err != nil {
			tx.Rollback()
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	var saraID, ameliaID int64
	if err := tx.QueryRow(`SELECT id FROM staff WHERE email = ?`, sara).Scan(&saraID); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(`SELECT id FROM staff WHERE email = ?`, amelia).Scan(&ameliaID); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	for i := 0; i < crashFolders; i++ {
		cid := exec(`INSERT INTO clients (name, owner_id, created_at) VALUES (?, ?, ?)`, fmt.Sprintf("Crash Test Client %04d", i), ameliaID, now)
		exec(`INSERT INTO client_members (client_id, staff_id, added_at) VALUES (?, ?, ?)`, cid, saraID, now)
		for _, acc := range []string{"Payroll", "Leave"} {
			aid := exec(`INSERT INTO accounts (client_id, name, created_at) VALUES (?, ?, ?)`, cid, acc, now)
			exec(`INSERT INTO account_access (account_id, staff_id, client_id) VALUES (?, ?, ?)`, aid, saraID, cid)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func offboardOp() crashOp {
	return crashOp{
		name:    "offboard",
		prepare: prepareBulk,
		args:    func(path string) []string { return []string{"--db", path, "offboard", sara} },
		check: func(t *testing.T, path string, before crashState) bool {
			now := readCrashState(t, path)
			var status string
			if err := sqlDB(t, path).QueryRow(`SELECT status FROM staff WHERE email = ?`, sara).Scan(&status); err != nil {
				t.Fatal(err)
			}
			if before["sara folders"] < crashFolders {
				t.Fatalf("prepared database has sara in %d folders", before["sara folders"])
			}
			removes := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'access.remove' AND staff_id = (SELECT id FROM staff WHERE email = '`+sara+`')`) -
				count(t, demoPath, `SELECT count(*) FROM audit_log WHERE action = 'access.remove' AND staff_id = (SELECT id FROM staff WHERE email = '`+sara+`')`)
			switch {
			case now["sara folders"] == before["sara folders"] && now["sara toggles"] == before["sara toggles"] &&
				status == "active" && now["audit"] == before["audit"]:
				return false
			case now["sara folders"] == 0 && now["sara toggles"] == 0 && status == "deactivated" &&
				now["offboard audit"] == before["offboard audit"]+1 && removes == before["sara folders"] &&
				now["audit"] == before["audit"]+before["sara folders"]+1:
				return true
			}
			t.Fatalf("offboard half done: folders %d of %d, toggles %d of %d, status %s, audit %d → %d, access.remove +%d",
				now["sara folders"], before["sara folders"], now["sara toggles"], before["sara toggles"], status, before["audit"], now["audit"], removes)
			return false
		},
	}
}

func reassignOp() crashOp {
	return crashOp{
		name:    "reassign",
		prepare: prepareBulk,
		args: func(path string) []string {
			return []string{"--db", path, "clients", "reassign", "--from", amelia, "--to", marcus}
		},
		check: func(t *testing.T, path string, before crashState) bool {
			now := readCrashState(t, path)
			moved := before["amelia owns"]
			if moved < crashFolders {
				t.Fatalf("prepared database has amelia owning %d folders", moved)
			}
			switch {
			case now["amelia owns"] == before["amelia owns"] && now["marcus owns"] == before["marcus owns"] && now["audit"] == before["audit"]:
				return false
			case now["amelia owns"] == 0 && now["marcus owns"] == before["marcus owns"]+moved && now["audit"] == before["audit"]+moved:
				return true
			}
			t.Fatalf("reassign half done: amelia owns %d (was %d), marcus %d (was %d), audit %d → %d",
				now["amelia owns"], before["amelia owns"], now["marcus owns"], before["marcus owns"], before["audit"], now["audit"])
			return false
		},
	}
}

func bulkInviteOp() crashOp {
	var list string
	return crashOp{
		name: "bulk invite",
		prepare: func(t *testing.T) string {
			var b strings.Builder
			for i := 0; i < crashInvites; i++ {
				fmt.Fprintf(&b, "new.hire%03d@crash.example\n", i)
			}
			list = filepath.Join(t.TempDir(), "hires.txt")
			if err := os.WriteFile(list, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			return copyDB(t, demoPath)
		},
		args: func(path string) []string {
			return []string{"--db", path, "staff", "bulk-invite", "--file", list, "--role", "Advisor"}
		},
		check: func(t *testing.T, path string, before crashState) bool {
			now := readCrashState(t, path)
			invited := count(t, path, `SELECT count(*) FROM invitations WHERE email LIKE '%@crash.example' AND status = 'pending'`)
			audited := count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'invitation.create' AND target LIKE '%@crash.example%'`)
			switch {
			case invited == 0 && audited == 0 && now["invitations"] == before["invitations"] && now["audit"] == before["audit"]:
				return false
			case invited == crashInvites && audited == crashInvites && now["audit"] == before["audit"]+crashInvites:
				return true
			}
			t.Fatalf("bulk invite half done: %d of %d invitations, %d audited, audit %d → %d", invited, crashInvites, audited, before["audit"], now["audit"])
			return false
		},
	}
}

// The generator commits in many transactions, so a killed run leaves a
// partial (but sound) organisation. Its contract: the requested path holds
// nothing or the whole generated organisation; the partial work sits under
// PATH.incomplete, and the next run removes it and starts again.
var crashGenSizes = []string{"--staff", "200", "--clients", "2000", "--accounts-per-client", "2", "--grants", "5000", "--audit", "20000"}

func generatorOp() crashOp {
	reran := false
	return crashOp{
		name:    "generator",
		prepare: func(t *testing.T) string { return "" },
		fresh:   true,
		args: func(path string) []string {
			return append([]string{"demo", "--db", path, "--no-tui", "--seed", "3"}, crashGenSizes...)
		},
		check: func(t *testing.T, path string, _ crashState) bool {
			incomplete := path + incompleteSuffix
			if _, err := os.Stat(incomplete); err == nil {
				// The partial work is sound, just not whole (it may not
				// hold an organisation yet, so audit verify is not run).
				r := runCLI(t, "check-db", "--db", incomplete)
				if r.code != 0 {
					t.Fatalf("check-db on the leftover %s: exit %d\n%s%s", incomplete, r.code, r.stdout, r.stderr)
				}
			}
			if _, err := os.Stat(path); os.IsNotExist(err) {
				if reran {
					return false
				}
				// A new run after the kill clears the leftover and finishes
				// (once per test: it takes as long as the work).
				reran = true
				r := runCLI(t, append([]string{"demo", "--db", path, "--no-tui", "--seed", "3"}, crashGenSizes...)...)
				wantCode(t, r, 0, "demo after a kill")
				if _, err := os.Stat(incomplete); err == nil {
					t.Errorf("%s is still there after a complete run", incomplete)
				}
				checkGenerated(t, path)
				return false
			}
			checkGenerated(t, path)
			return true
		},
	}
}

// checkGenerated asserts the whole generated organisation is at path.
func checkGenerated(t *testing.T, path string) {
	t.Helper()
	assertSound(t, path)
	if n := count(t, path, `SELECT count(*) FROM staff`); n != 200 {
		t.Fatalf("generated database has %d staff, want 200", n)
	}
	if n := count(t, path, `SELECT count(*) FROM clients WHERE internal = 0`); n != 2000 {
		t.Fatalf("generated database has %d clients, want 2000", n)
	}
	if n := count(t, path, `SELECT count(*) FROM audit_log`); n < 20000 {
		t.Fatalf("generated database has %d audit entries, want at least 20000", n)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
