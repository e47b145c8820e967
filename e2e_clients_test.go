package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clientsPane is the real binary in a detached tmux session on a private
// server: the test sees and types exactly what a person would.
type clientsPane struct {
	t      *testing.T
	socket string
}

func (p *clientsPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Escape, Tab, Space) or literal text
// with the "text:" prefix.
func (p *clientsPane) keys(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		if text, ok := strings.CutPrefix(k, "text:"); ok {
			p.tmux("send-keys", "-t", "app", "-l", text)
		} else {
			p.tmux("send-keys", "-t", "app", k)
		}
	}
}

// shows waits up to d for the pane to show text.
func (p *clientsPane) shows(text string, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if strings.Contains(p.screen(), text) {
			return true
		}
	}
	return false
}

func (p *clientsPane) screen() string { return p.tmux("capture-pane", "-p", "-t", "app") }

// waitFor polls the pane until it shows every text.
func (p *clientsPane) waitFor(texts ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := p.screen()
		missing := ""
		for _, text := range texts {
			if !strings.Contains(scr, text) {
				missing = text
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the screen never showed %q:\n%s", missing, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestClientsManageAccessInTmux opens the demo, turns one account off for
// one member in a client's Manage Access grid, quits, and asks `gatehouse
// check` whether the member still reaches it: the CLI must agree with the
// grid.
func TestClientsManageAccessInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	p := &clientsPane{t: t, socket: fmt.Sprintf("gatehouse-clients-e2e-%d", os.Getpid())}
	t.Cleanup(func() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	p.tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40",
		"env", "TERM=xterm-256color", "GATEHOUSE_DB=", "XDG_DATA_HOME="+filepath.Join(testDir, "xdg"),
		binPath, "demo", "--db", dbPath)
	p.waitFor("Clients")

	p.waitFor("Staff", "Olivia Hart")
	// Tab to the Clients screen, giving each tab time to draw.
	for i := 0; !p.shows(" · sorted by ", 2*time.Second); i++ {
		if i == 8 {
			t.Fatalf("no Clients screen among the tabs:\n%s", p.screen())
		}
		p.keys("Tab")
	}
	before := runCLI(t, "--db", dbPath, "check", sara, "access", "account:Acme Ltd/Leave")
	wantCode(t, before, 0, "check before")

	p.keys("/", "text:Acme", "Enter")
	p.waitFor("1 folder ·", "Acme Ltd")
	p.keys("m")
	p.waitFor("Manage Access · Acme Ltd", "Sara Lindqvist")
	p.keys("Enter")
	p.waitFor("Manage Access per account · Acme Ltd", "Leave", "Payroll", "Timesheets")
	// Rows are members by name, columns accounts by name: move to Sara,
	// and Leave is the first column.
	for i := 0; !p.shows("› Sara Lindqvist", time.Second); i++ {
		if i == 5 {
			t.Fatalf("cannot reach Sara's row:\n%s", p.screen())
		}
		p.keys("Down")
	}
	p.keys("Space")
	p.waitFor("Sara Lindqvist: Leave turned off")
	p.keys("Escape")
	scr := p.waitFor("Manage Access · Acme Ltd")
	found := false
	for _, line := range strings.Split(scr, "\n") {
		if strings.Contains(line, sara) {
			found = true
			if !strings.Contains(line, "2 of 3") {
				t.Fatalf("the pop-up should show Sara with 2 of 3 accounts on: %q", line)
			}
		}
	}
	if !found {
		t.Fatalf("the pop-up does not list Sara:\n%s", scr)
	}
	p.keys("Escape", "q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("tmux", "-L", p.socket, "list-sessions").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "app") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", p.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}

	after := runCLI(t, "--db", dbPath, "check", sara, "access", "account:Acme Ltd/Leave")
	wantCode(t, after, 1, "check after")
	if !strings.Contains(after.stdout, "Leave is toggled off") {
		t.Errorf("check does not say why: %q", after.stdout)
	}
	still := runCLI(t, "--db", dbPath, "check", sara, "access", "account:Acme Ltd/Payroll")
	wantCode(t, still, 0, "check Payroll")
	audit := runCLI(t, "--db", dbPath, "audit", "list", "--action", "access.toggle", "--limit", "1")
	if !strings.Contains(audit.stdout, "olivia.hart@northwind.example") || !strings.Contains(audit.stdout, "Leave") {
		t.Errorf("the toggle's audit entry: %q", audit.stdout)
	}
}
