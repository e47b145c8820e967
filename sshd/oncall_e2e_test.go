package sshd

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gatehouse/internal/tmuxtest"
	"gatehouse/model"
)

// The on-call test of issue 6: an Admin with only an SSH client connects
// to the real server, passes the code prompt, finds a member, offboards
// them and sees it in the audit log, in a few keystrokes; the offboarded
// member's open session ends while they watch. Everything is real: the
// binary, the database file, OpenSSH's ssh in tmux.

// pane is one tmux pane running an ssh client.
type pane struct {
	t    *testing.T
	pane *tmuxtest.Pane
	keys int // keystrokes typed into it
}

// typeText types literal text, one keystroke per character.
func (p *pane) typeText(text string) {
	p.t.Helper()
	p.pane.Text(text)
	p.keys += len([]rune(text))
}

// press sends one named key (Enter, Escape) or one character. A key that
// changes what the next acts on (/ opening the filter) is followed by a
// wait for the screen it leads to.
func (p *pane) press(k string) {
	p.t.Helper()
	p.pane.Keys(k)
	p.keys++
}

// waitFor polls the pane until it shows every text, or fails with what
// it shows.
func (p *pane) waitFor(texts ...string) string {
	p.t.Helper()
	return p.pane.WaitFor(nil, texts...)
}

// demoMember is a member of the demo as `demo --no-tui` prints them.
type demoMember struct{ email, role, secret string }

// buildGatehouse builds the real binary into dir.
func buildGatehouse(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runGatehouse runs one CLI command of the binary and returns its output.
func runGatehouse(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("gatehouse %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// demoMembers reads the member table `demo --no-tui` prints: those with
// two-factor authentication (a member without prints "(no 2FA)", two
// fields, in place of the secret).
func demoMembers(out string) []demoMember {
	var ms []demoMember
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 5 && strings.Contains(f[0], "@") {
			ms = append(ms, demoMember{email: f[0], role: f[1], secret: f[4]})
		}
	}
	return ms
}

// writeKeyPair writes a new ed25519 key pair as OpenSSH files (private
// mode 0600, as ssh demands) and returns the private key's path.
func writeKeyPair(t *testing.T, dir, name string) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// freePort is a loopback port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServe runs `gatehouse serve` until the test ends, and waits until
// it listens.
func startServe(t *testing.T, bin, dbPath, hostKey string, port int) *syncBuffer {
	t.Helper()
	logs := &syncBuffer{}
	cmd := exec.Command(bin, "--db", dbPath, "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--host-key", hostKey)
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			// The second line says how to connect.
			if !said && strings.HasPrefix(sc.Text(), "Connect with:") {
				said = true
				listening <- sc.Text()
			}
		}
		if !said {
			listening <- ""
		}
	}()
	select {
	case line := <-listening:
		if line == "" {
			t.Fatalf("gatehouse serve stopped before listening:\n%s", logs.String())
		}
		// It runs as printed: the real address and port.
		if want := fmt.Sprintf("Connect with: ssh -p %d 127.0.0.1 ", port); !strings.HasPrefix(line, want) {
			t.Fatalf("serve printed %q, want it to start %q", line, want)
		}
	case <-time.After(tmuxtest.Wait):
		t.Fatalf("gatehouse serve did not listen:\n%s", logs.String())
	}
	return logs
}

// sshPane starts OpenSSH's client in a new tmux session on the test's
// server; when it exits, the pane says so with its exit status and stays
// for the test to read.
func sshPane(t *testing.T, server *tmuxtest.Server, name, key string, port int) *pane {
	t.Helper()
	ssh := fmt.Sprintf("ssh -tt -F /dev/null -p %d -i %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes oncall@127.0.0.1",
		port, key)
	script := "TERM=xterm-256color " + ssh + `; echo "ssh exited with status $?"; sleep 600`
	return &pane{t: t, pane: server.Start(name, 120, 36, "sh", "-c", script)}
}

// passCode answers the keyboard-interactive code prompt with the member's
// current TOTP code.
func passCode(t *testing.T, p *pane, m demoMember) {
	t.Helper()
	p.waitFor("Two-factor authentication for "+m.email, "Code (6 digits, or a recovery code):")
	code, err := model.TOTPCode(m.secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.pane.Text(code)
	p.pane.Keys("Enter")
}

func TestOnCallOffboardsOverSSHInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds the binary")
	}
	for _, tool := range []string{"tmux", "ssh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	bin := buildGatehouse(t, dir)
	dbPath := filepath.Join(dir, "gatehouse.db")
	var admin, advisor demoMember
	for _, m := range demoMembers(runGatehouse(t, bin, "--db", dbPath, "demo", "--no-tui")) {
		switch {
		case m.role == "Admin" && admin.email == "":
			admin = m
		case m.role == "Advisor" && advisor.email == "":
			advisor = m
		}
	}
	if admin.email == "" || advisor.email == "" {
		t.Fatal("the demo has no Admin and Advisor with two-factor authentication")
	}
	adminKey, advisorKey := writeKeyPair(t, dir, "admin_ed25519"), writeKeyPair(t, dir, "advisor_ed25519")
	runGatehouse(t, bin, "--db", dbPath, "keys", "add", admin.email, adminKey+".pub")
	runGatehouse(t, bin, "--db", dbPath, "keys", "add", advisor.email, advisorKey+".pub")
	port := freePort(t)
	logs := startServe(t, bin, dbPath, filepath.Join(dir, "host_ed25519"), port)

	server := tmuxtest.NewServer(t)
	defer func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	}()

	// Session 1: the Advisor is signed in and watching.
	adv := sshPane(t, server, "advisor", advisorKey, port)
	passCode(t, adv, advisor)
	adv.waitFor("· Advisor", "Staff")

	// Session 2: the Admin on call.
	start := time.Now()
	adm := sshPane(t, server, "admin", adminKey, port)
	passCode(t, adm, admin)
	adm.waitFor("· Admin", "Staff", "O offboard")
	signedIn := time.Now()
	// ssh sent TERM=xterm-256color and no COLORTERM: the app's colours
	// reach the terminal as 256-colour sequences, none in 24-bit.
	if kinds, _ := colourKinds(adm.pane.ScreenEscaped()); !kinds["256"] || kinds["24-bit"] {
		t.Errorf("colours in a 256-colour terminal: %v", kinds)
	}

	// Find the Advisor by part of their name.
	fragment := advisor.email[:4]
	adm.press("/")
	adm.waitFor("/ name or email")
	adm.typeText(fragment)
	adm.press("Enter")
	adm.waitFor("1 of 1", "filter: "+fragment, advisor.email[:20])
	adm.press("O")
	adm.waitFor("Offboard ", advisor.email+">?", "client folders is revoked", "y/enter offboard")
	adm.press("Enter")
	confirmed := time.Now()
	adm.waitFor("Offboarded " + advisor.email)

	// Their session ends while they watch.
	adv.waitFor("your account was deactivated; the session has ended.", "ssh exited with status")
	// Within a couple of seconds on an idle machine (sessions re-check
	// every quarter second), stretched by how loaded the machine is: a
	// bound that catches a slow re-check, not a speed target.
	ended := time.Since(confirmed)
	if bound := tmuxtest.Scaled(3 * time.Second); ended > bound {
		t.Errorf("the Advisor's session ended %s after the offboarding, want within %s (a couple of seconds at load factor %.1f)", ended, bound, tmuxtest.LoadFactor())
	}

	// Their audit log, from the list, shows the offboarding.
	adm.press("L")
	scr := adm.waitFor("Audit", "staff.offboard", "access.remove")
	if !strings.Contains(scr, advisor.email) {
		t.Errorf("the audit log is not the Advisor's:\n%s", scr)
	}
	done := time.Since(start)
	if adm.keys > 12 {
		t.Errorf("%d keystrokes after the code prompt, want about ten", adm.keys)
	}
	if bound := tmuxtest.Scaled(time.Minute); done > bound {
		t.Errorf("connect to audit entry took %s, want under %s (a minute at load factor %.1f)", done, bound, tmuxtest.LoadFactor())
	}
	t.Logf("on call: %d keystrokes after the code prompt; connected and signed in in %s; signed in to audit entry %s; advisor's session ended %s after the confirmation",
		adm.keys, signedIn.Sub(start).Round(time.Millisecond), time.Since(signedIn).Round(time.Millisecond), ended.Round(time.Millisecond))

	// The model agrees with the screen.
	listed := runGatehouse(t, bin, "--db", dbPath, "staff", "list", "--filter", fragment)
	if !strings.Contains(listed, "deactivated") {
		t.Errorf("staff list after offboarding:\n%s", listed)
	}
}
