package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/internal/tmuxtest"
	"gatehouse/model"
)

// tmuxSession runs the real binary in a detached tmux session on the
// test's private tmux server, so that the test sees exactly what a person
// would.
type tmuxSession struct {
	t    *testing.T
	pane *tmuxtest.Pane
}

// send types literal text, then any named keys (Enter, Tab…). A key that
// changes what the next acts on (/ opening the filter, escape closing a
// pop-up) is followed by a wait for the screen it leads to: escape and
// the next key arriving in one read are alt+key.
func (s *tmuxSession) send(text string, keys ...string) {
	s.t.Helper()
	if text != "" {
		s.pane.Text(text)
	}
	if len(keys) > 0 {
		s.pane.Keys(keys...)
	}
}

// waitFor polls the pane until it shows every text, wrapped or not, or
// fails with what it shows.
func (s *tmuxSession) waitFor(texts ...string) string {
	s.t.Helper()
	return s.pane.WaitFor(flat, texts...)
}

// waitAny polls the pane until it shows one of texts and returns it.
func (s *tmuxSession) waitAny(texts ...string) string {
	s.t.Helper()
	return s.pane.WaitAny(flat, texts...)
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

// startTmux runs argv in a new session named target on the test's private
// tmux server (killed at its end), in a window of 120×40.
func startTmux(t *testing.T, server *tmuxtest.Server, target string, argv ...string) *tmuxSession {
	t.Helper()
	args := []string{"env", "TERM=xterm-256color", "GATEHOUSE_DB=", "XDG_DATA_HOME=" + t.TempDir()}
	return &tmuxSession{t: t, pane: server.Start(target, 120, 40, append(args, argv...)...)}
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
	// The secret is printed in groups of four, on two lines; a screen
	// caught half drawn can hold only the first.
	var secret string
	s.pane.Until("enrolment screen with its whole secret", func(scr string) bool {
		if !strings.Contains(scr, "Set up two-factor sign-in") || !strings.Contains(scr, "2. Enter the code the app shows") {
			return false
		}
		secret = ""
		for _, m := range secretLine.FindAllStringSubmatch(scr, -1) {
			secret += strings.ReplaceAll(m[1], " ", "")
		}
		return len(secret) >= 26
	})
	code, err := model.TOTPCode(secret, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	s.send(code, "Enter")
	scr := s.pane.Until("recovery codes screen with a code", func(scr string) bool {
		return strings.Contains(scr, "Your recovery codes") && strings.Contains(scr, "I have saved them") &&
			recoveryCode.MatchString(scr)
	})
	s.send("", "Enter")
	return recoveryCode.FindStringSubmatch(scr)[1]
}

// waitGone waits until the session's program has ended (tmux closes a
// session whose command exits).
func (s *tmuxSession) waitGone(why string) {
	s.t.Helper()
	s.pane.WaitGone(why)
}

func TestEndToEndFirstRunInTmux(t *testing.T) {
	bin := e2eBinary(t)
	dbPath := filepath.Join(t.TempDir(), "gatehouse.db")
	s := startTmux(t, tmuxtest.NewServer(t), "app", bin, "--db", dbPath)
	firstRun(s, "Tmux Partners", "Tess Owner", "tess@tmux.test")
	s.send("q")
	s.waitGone("q")
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatalf("no database after first run: %v", err)
	}
}
