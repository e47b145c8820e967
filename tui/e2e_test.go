package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/model"
)

// tmuxSession runs the real binary in a detached tmux session on a
// private server, so that the test sees exactly what a person would.
type tmuxSession struct {
	t      *testing.T
	socket string
	// target is the tmux session the keys go to and the screen is read
	// from; "app" when empty.
	target string
}

func (s *tmuxSession) name() string {
	if s.target == "" {
		return "app"
	}
	return s.target
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// send types literal text, then any named keys (Enter, Tab…).
func (s *tmuxSession) send(text string, keys ...string) {
	s.t.Helper()
	if text != "" {
		s.tmux("send-keys", "-t", s.name(), "-l", text)
	}
	if len(keys) > 0 {
		s.tmux(append([]string{"send-keys", "-t", s.name()}, keys...)...)
	}
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", s.name()) }

// waitFor polls the pane until it shows every text, or fails with what
// it shows.
func (s *tmuxSession) waitFor(texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		missing := ""
		for _, text := range texts {
			if !strings.Contains(flat(scr), flat(text)) {
				missing = text
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", missing, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var (
	secretLine   = regexp.MustCompile(`(?m)\b([A-Z2-7]{4}(?: [A-Z2-7]{1,4}){1,3})\s*$`)
	recoveryCode = regexp.MustCompile(`\b\d+\. ([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})\b`)
)

// built is the binary the end-to-end tests share: building it once saves
// each test the link.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// e2eBinary builds the real gatehouse binary for the end-to-end tests, or
// skips the test when tmux is missing or tests run short.
func e2eBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "gatehouse-e2e-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "gatehouse")
		build := exec.Command("go", "build", "-o", built.bin, ".")
		build.Dir = ".."
		built.out, built.err = build.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// startTmux runs argv in a new session named target on a private tmux
// server of the test (one per test, killed at its end), in a window of
// 120×40.
func startTmux(t *testing.T, socket, target string, argv ...string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{t: t, socket: socket, target: target}
	args := []string{"new-session", "-d", "-s", target, "-x", "120", "-y", "40",
		"env", "TERM=xterm-256color", "GATEHOUSE_DB=", "XDG_DATA_HOME=" + t.TempDir()}
	s.tmux(append(args, argv...)...)
	return s
}

// e2eSocket names a private tmux server for one test and kills it when
// the test ends.
func e2eSocket(t *testing.T, what string) string {
	socket := fmt.Sprintf("gatehouse-%s-%d", what, os.Getpid())
	t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	return socket
}

// firstRun creates an organisation through the first-run screens of an
// empty database, its Owner enrolling two-factor sign-in with a code
// computed from the secret on screen, and waits for the shell.
func firstRun(s *tmuxSession, org, name, email string) {
	s.t.Helper()
	s.waitFor("Welcome to Gatehouse", "Create your organisation")
	s.send("", "Enter")
	s.waitFor("Organisation name")
	for _, v := range []string{org, name, email, testPassword, testPassword} {
		s.send(v, "Enter")
	}
	s.enrolFromScreen()
	s.waitFor(org, name, "Owner", "Staff")
}

// enrolFromScreen reads the TOTP secret off the enrolment screen, enters
// the code it gives now, and returns the first recovery code shown after,
// leaving the recovery codes screen.
func (s *tmuxSession) enrolFromScreen() string {
	s.t.Helper()
	scr := s.waitFor("Set up two-factor sign-in", "2. Enter the code the app shows")
	// The secret is printed in groups of four, on two lines.
	var secret string
	for _, m := range secretLine.FindAllStringSubmatch(scr, -1) {
		secret += strings.ReplaceAll(m[1], " ", "")
	}
	if len(secret) < 26 {
		s.t.Fatalf("no secret on screen (found %q):\n%s", secret, scr)
	}
	code, err := model.TOTPCode(secret, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	s.send(code, "Enter")
	scr = s.waitFor("Your recovery codes", "I have saved them")
	m := recoveryCode.FindStringSubmatch(scr)
	if m == nil {
		s.t.Fatalf("no recovery code on screen:\n%s", scr)
	}
	s.send("", "Enter")
	return m[1]
}

// waitGone waits until the session's program has ended (tmux closes a
// session whose command exits).
func (s *tmuxSession) waitGone(why string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("tmux", "-L", s.socket, "has-session", "-t", "="+s.name()).CombinedOutput()
		if err != nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s did not quit (%s):\n%s", why, out, s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestEndToEndFirstRunInTmux(t *testing.T) {
	bin := e2eBinary(t)
	dbPath := filepath.Join(t.TempDir(), "gatehouse.db")
	s := startTmux(t, e2eSocket(t, "e2e"), "app", bin, "--db", dbPath)
	firstRun(s, "Tmux Partners", "Tess Owner", "tess@tmux.test")
	s.send("q")
	s.waitGone("q")
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatalf("no database after first run: %v", err)
	}
}
