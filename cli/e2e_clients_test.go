package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"gatehouse/internal/tmuxtest"
)

// clientsPane is the real binary in a detached tmux session on the test's
// private tmux server: the test sees and types exactly what a person
// would.
type clientsPane struct {
	t    *testing.T
	pane *tmuxtest.Pane
}

// startApp runs the binary built for the tests with args in a new tmux
// server of t's own, in a session "app" of 120×40.
func startApp(t *testing.T, args ...string) *clientsPane {
	t.Helper()
	argv := append([]string{"env", "TERM=xterm-256color", "GATEHOUSE_DB=", "XDG_DATA_HOME=" + filepath.Join(testDir, "xdg"), binPath}, args...)
	return &clientsPane{t: t, pane: tmuxtest.NewServer(t).Start("app", 120, 40, argv...)}
}

func (p *clientsPane) tmux(args ...string) string {
	p.t.Helper()
	return p.pane.Run(args...)
}

// keys sends tmux key names (Enter, Escape, Tab, Space) or literal text
// with the "text:" prefix. A key that changes what the next acts on (/,
// escape) is followed by a wait for the screen it leads to: escape and
// the next key arriving in one read are alt+key.
func (p *clientsPane) keys(keys ...string) {
	p.t.Helper()
	for _, k := range keys {
		if text, ok := strings.CutPrefix(k, "text:"); ok {
			p.pane.Text(text)
		} else {
			p.pane.Keys(k)
		}
	}
}

func (p *clientsPane) screen() string { return p.pane.Screen() }

// waitFor polls the pane until it shows every text.
func (p *clientsPane) waitFor(texts ...string) string {
	p.t.Helper()
	return p.pane.WaitFor(nil, texts...)
}

// cursorLines are the lines of scr that hold the cursor mark.
func cursorLines(scr string) string {
	var out []string
	for _, line := range strings.Split(scr, "\n") {
		if strings.Contains(line, "› ") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestClientsManageAccessInTmux opens the demo, turns one account off for
// one member in a client's Manage Access grid, quits, and asks `gatehouse
// check` whether the member still reaches it: the CLI must agree with the
// grid.
func TestClientsManageAccessInTmux(t *testing.T) {
	t.Parallel()
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	p := startApp(t, "demo", "--db", dbPath)
	p.waitFor("Clients")

	p.waitFor("Staff", "Olivia Hart")
	// Tab goes from Staff to Clients.
	p.keys("Tab")
	p.waitFor(" · sorted by ")
	before := runCLI(t, "--db", dbPath, "check", sara, "access", "account:Acme Ltd/Leave")
	wantCode(t, before, 0, "check before")

	p.keys("/")
	p.waitFor("filter by name")
	p.keys("text:Acme", "Enter")
	p.waitFor("1 folder ·", "Acme Ltd")
	p.keys("m")
	p.waitFor("Manage Access · Acme Ltd", "Sara Lindqvist")
	p.keys("Enter")
	p.waitFor("Manage Access per account · Acme Ltd", "Leave", "Payroll", "Timesheets")
	// Rows are members by name, columns accounts by name: move to Sara,
	// and Leave is the first column.
	// A key at a time, each once the screen shows the cursor moved.
	for i := 0; ; i++ {
		scr := p.screen()
		if strings.Contains(scr, "› Sara Lindqvist") {
			break
		}
		if i == 5 {
			t.Fatalf("cannot reach Sara's row:\n%s", scr)
		}
		p.keys("Down")
		p.pane.Until("cursor moved by Down", func(now string) bool { return cursorLines(now) != cursorLines(scr) })
	}
	p.keys("Space")
	p.waitFor("Sara Lindqvist: Leave turned off")
	p.keys("Escape")
	// The pop-up lists Sara with two of the three accounts on. It is read
	// until it does, not from the first frame: a frame can be caught half
	// drawn, or drawn before the pop-up has reloaded.
	p.pane.Until("Manage Access listing Sara with 2 of 3 accounts on", func(scr string) bool {
		if !strings.Contains(scr, "Manage Access · Acme Ltd") {
			return false
		}
		for _, line := range strings.Split(scr, "\n") {
			if strings.Contains(line, sara) && strings.Contains(line, "2 of 3") {
				return true
			}
		}
		return false
	})
	p.keys("Escape")
	p.pane.Until("Clients list without the pop-up", func(scr string) bool {
		return strings.Contains(scr, " · sorted by ") && !strings.Contains(scr, "Manage Access")
	})
	p.keys("q")
	p.pane.WaitGone("q")

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
