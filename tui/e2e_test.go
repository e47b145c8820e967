package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/model"
)

// tmuxSession runs the real binary in a detached tmux session on a
// private server, so that the test sees exactly what a person would.
type tmuxSession struct {
	t      *testing.T
	socket string
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
		s.tmux("send-keys", "-t", "app", "-l", text)
	}
	if len(keys) > 0 {
		s.tmux(append([]string{"send-keys", "-t", "app"}, keys...)...)
	}
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "app") }

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

var secretLine = regexp.MustCompile(`(?m)\b([A-Z2-7]{4}(?: [A-Z2-7]{1,4}){1,3})\s*$`)

func TestEndToEndFirstRunInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: builds the binary")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbPath := filepath.Join(dir, "gatehouse.db")
	s := &tmuxSession{t: t, socket: fmt.Sprintf("gatehouse-e2e-%d", os.Getpid())}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	s.tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", "env", "TERM=xterm-256color", bin, "--db", dbPath)

	s.waitFor("Welcome to Gatehouse", "Create your organisation")
	s.send("", "Enter")
	s.waitFor("Organisation name")
	for _, v := range []string{"Tmux Partners", "Tess Owner", "tess@tmux.test", testPassword, testPassword} {
		s.send(v, "Enter")
	}
	scr := s.waitFor("Set up two-factor sign-in", "2. Enter the code the app shows")

	// The secret is printed in groups of four, on two lines.
	var secret string
	for _, m := range secretLine.FindAllStringSubmatch(scr, -1) {
		secret += strings.ReplaceAll(m[1], " ", "")
	}
	if len(secret) < 26 {
		t.Fatalf("no secret on screen (found %q):\n%s", secret, scr)
	}
	code, err := model.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.send(code, "Enter")
	s.waitFor("Your recovery codes", "I have saved them")
	s.send("", "Enter")
	s.waitFor("Tmux Partners", "Tess Owner", "Owner", "Staff")
	s.send("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("tmux", "-L", s.socket, "list-sessions").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "app") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("q did not quit:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatalf("no database after first run: %v", err)
	}
}
