package cli

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A row toggle (R in a folder's Manage Access grid) flips every account of
// one member in one transaction with its audit entries. Here it is pressed
// in the real app, in tmux, on a folder of crashRowAccounts accounts, and
// the app is killed with SIGKILL at a random moment between the key and
// the time the same toggle took uninterrupted. The member's row must then
// be all before or all after, with exactly one audit entry per flipped
// cell or none, and the file sound.

const (
	crashRowAccounts = 1500
	crashRowFolder   = "Crash Row Client"
)

// prepareRow is the demo with one more folder of crashRowAccounts
// accounts, Sara added to it with every account off.
func prepareRow(t *testing.T) string {
	t.Helper()
	path := copyDB(t, demoPath)
	d := sqlDB(t, path)
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var saraID int64
	if err := tx.QueryRow(`SELECT id FROM staff WHERE email = ?`, sara).Scan(&saraID); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	res, err := tx.Exec(`INSERT INTO clients (name, owner_id, created_at) VALUES (?, ?, ?)`, crashRowFolder, saraID, now)
	if err != nil {
		t.Fatal(err)
	}
	cid, _ := res.LastInsertId()
	if _, err := tx.Exec(`INSERT INTO client_members (client_id, staff_id, added_at) VALUES (?, ?, ?)`, cid, saraID, now); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < crashRowAccounts; i++ {
		if _, err := tx.Exec(`INSERT INTO accounts (client_id, name, created_at) VALUES (?, ?, ?)`, cid, fmt.Sprintf("Account %04d", i), now); err != nil {
			t.Fatal(err)
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

// rowState is Sara's toggles in the folder and the toggles audited there.
func rowState(t *testing.T, path string) (on, audited, total int) {
	t.Helper()
	on = count(t, path, `SELECT count(*) FROM account_access a JOIN clients c ON c.id = a.client_id
		WHERE c.name = '`+crashRowFolder+`' AND a.staff_id = (SELECT id FROM staff WHERE email = '`+sara+`')`)
	audited = count(t, path, `SELECT count(*) FROM audit_log WHERE action = 'access.toggle' AND target LIKE '`+crashRowFolder+` / %'`)
	total = count(t, path, `SELECT count(*) FROM audit_log`)
	return on, audited, total
}

// openRow signs in to the app on path as Priya and opens the grid of the
// crash folder on Sara's row; it returns the pane and the app's process.
func openRow(t *testing.T, path string) (*clientsPane, int) {
	t.Helper()
	p := startApp(t, "--db", path)
	p.waitFor("Sign in to Gatehouse")
	p.keys("text:"+priya, "Enter")
	p.waitFor("Password")
	p.keys("text:demo-priya-pass", "Enter")
	p.waitFor("Priya Nair · Admin")
	p.keys("Tab")
	p.waitFor("sorted by name", "› ◆ Internal accounts")
	// Keys sent together reach the app as one: each waits for the last.
	p.keys("/")
	p.waitFor("filter by name")
	p.keys("text:Crash Row", "Enter")
	p.waitFor("1 folder", "› "+crashRowFolder)
	p.keys("m")
	p.waitFor("Manage Access · "+crashRowFolder, "1 staff member with access")
	p.keys("Enter")
	p.waitFor("Manage Access per account · "+crashRowFolder, "› Sara Lindqvist")
	pid, err := strconv.Atoi(strings.TrimSpace(p.tmux("display-message", "-p", "-t", "app", "#{pane_pid}")))
	if err != nil {
		t.Fatal(err)
	}
	return p, pid
}

func TestCrashRowToggle(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("crash test: drives the binary in tmux")
	}
	t.Parallel()
	base := prepareRow(t)
	kills := max(crashKills(t)/4, 3)

	// Uninterrupted, the row is all after, each flip audited once.
	path := copyDB(t, base)
	p, _ := openRow(t, path)
	start := time.Now()
	p.keys("R")
	p.waitFor("Sara Lindqvist: every account turned on")
	took := time.Since(start)
	if on, audited, _ := rowState(t, path); on != crashRowAccounts || audited != crashRowAccounts {
		t.Fatalf("R ran to the end: %d of %d on, %d audited", on, crashRowAccounts, audited)
	}
	p.keys("q")
	t.Logf("row of %d accounts: %v from the key to the status", crashRowAccounts, took)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	applied := 0
	for k := 1; k <= kills; k++ {
		path := copyDB(t, base)
		_, _, before := rowState(t, path)
		p, pid := openRow(t, path)
		delay := time.Duration(rng.Int64N(int64(took)))
		p.keys("R")
		time.Sleep(delay)
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		assertSound(t, path)
		on, audited, total := rowState(t, path)
		// Signing in wrote one entry; the row, none or all of its own.
		switch {
		case on == 0 && audited == 0 && total == before+1:
			t.Logf("kill %d, %v after the key: the row all before", k, delay)
		case on == crashRowAccounts && audited == crashRowAccounts && total == before+1+crashRowAccounts:
			t.Logf("kill %d, %v after the key: the row all after", k, delay)
			applied++
		default:
			t.Fatalf("kill %d after %v: the row is half flipped: %d of %d on, %d toggles audited, audit %d → %d",
				k, delay, on, crashRowAccounts, audited, before, total)
		}
	}
	t.Logf("%d kills: %d found the row all after, %d all before", kills, applied, kills-applied)
}
