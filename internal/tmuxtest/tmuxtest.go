// Package tmuxtest drives a real program in tmux for end-to-end tests, the
// way a person at a terminal would: it types only after the screen shows
// what the key acts on, and reads the screen until it shows what is
// expected.
//
// Every test gets its own tmux server on a socket in a private directory,
// so parallel tests and parallel test binaries (other worktrees, other
// packages) never share a server, a session name or a socket, and the
// server is killed when the test ends, passed or failed.
//
// Waits are bounded by Wait, a guard against a hang and not a speed
// target: on a machine running many times more processes than it has
// cores a frame can take seconds, and a test that works never comes near
// the bound.
package tmuxtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Wait bounds each wait on a screen or a process.
var Wait = waitBound()

// waitBound is 90 s, or GATEHOUSE_E2E_WAIT (a Go duration) when set.
func waitBound() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("GATEHOUSE_E2E_WAIT")); err == nil && d > 0 {
		return d
	}
	return 90 * time.Second
}

// poll is how often a wait reads the screen again.
const poll = 50 * time.Millisecond

// LoadFactor is how many runnable processes the machine has per core over
// the last minute (from /proc/loadavg), at least 1. A latency a test
// reports as a bound (such as "a session ends within a couple of
// seconds") is multiplied by it, so that it still catches a regression on
// an idle machine without failing on a loaded one.
func LoadFactor() float64 {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 1
	}
	f := strings.Fields(string(raw))
	if len(f) == 0 {
		return 1
	}
	load, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 1
	}
	return max(1, load/float64(runtime.NumCPU()))
}

// Scaled is d stretched by LoadFactor.
func Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * LoadFactor())
}

// Server is one test's private tmux server.
type Server struct {
	t      testing.TB
	socket string
}

// NewServer makes a tmux server for t on a socket of its own; it is killed
// and its directory removed when t ends. It skips t when tmux is missing.
func NewServer(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	// A short directory of its own: a socket path has to fit in about
	// 100 bytes, which t.TempDir() under a long test name does not.
	dir, err := os.MkdirTemp("", "ghtmux-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, socket: filepath.Join(dir, "sock")}
	t.Cleanup(func() {
		exec.Command("tmux", "-S", s.socket, "kill-server").Run()
		os.RemoveAll(dir)
	})
	return s
}

// Run runs a tmux command on the server and returns its output; an error
// fails the test.
func (s *Server) Run(args ...string) string {
	s.t.Helper()
	out, err := s.try(args...)
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (s *Server) try(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// Start runs argv in a new detached session called name, in a window of
// width×height.
func (s *Server) Start(name string, width, height int, argv ...string) *Pane {
	s.t.Helper()
	args := []string{"new-session", "-d", "-s", name, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height)}
	s.Run(append(args, argv...)...)
	return &Pane{s: s, name: name}
}

// Pane is one session's only pane.
type Pane struct {
	s    *Server
	name string
}

// target names the session exactly, never by prefix.
func (p *Pane) target() string { return "=" + p.name + ":" }

// Run runs a tmux command on the pane's server.
func (p *Pane) Run(args ...string) string {
	p.s.t.Helper()
	return p.s.Run(args...)
}

// Text types text literally.
func (p *Pane) Text(text string) {
	p.s.t.Helper()
	p.s.Run("send-keys", "-t", p.target(), "-l", text)
}

// Keys presses tmux keys (Enter, Escape, Tab, Down, Space, or one
// character), in one command.
func (p *Pane) Keys(keys ...string) {
	p.s.t.Helper()
	p.s.Run(append([]string{"send-keys", "-t", p.target()}, keys...)...)
}

// Screen is what the pane shows now, as plain text.
func (p *Pane) Screen() string {
	p.s.t.Helper()
	return p.s.Run("capture-pane", "-p", "-t", p.target())
}

// ScreenEscaped is what the pane shows now, with its colour sequences.
func (p *Pane) ScreenEscaped() string {
	p.s.t.Helper()
	return p.s.Run("capture-pane", "-e", "-p", "-t", p.target())
}

// Until reads the screen until ok holds for it and returns that screen;
// after Wait it fails the test, saying what it waited for and showing the
// screen. A screen can be caught half drawn, so ok should hold only for a
// screen that has everything the caller goes on to read from it, and the
// screen is only taken once a second read finds it unchanged.
func (p *Pane) Until(what string, ok func(scr string) bool) string {
	p.s.t.Helper()
	deadline := time.Now().Add(Wait)
	for {
		scr := p.Screen()
		if ok(scr) && p.Screen() == scr {
			return scr
		}
		if time.Now().After(deadline) {
			p.s.t.Fatalf("pane %s: after %s, still no %s; it shows:\n%s", p.name, Wait, what, scr)
		}
		time.Sleep(poll)
	}
}

// WaitFor waits until the screen shows every one of texts, as norm (nil
// for none) leaves both, and returns it.
func (p *Pane) WaitFor(norm func(string) string, texts ...string) string {
	p.s.t.Helper()
	if norm == nil {
		norm = func(s string) string { return s }
	}
	return p.Until("screen with all of "+quoted(texts), func(scr string) bool {
		flat := norm(scr)
		for _, text := range texts {
			if !strings.Contains(flat, norm(text)) {
				return false
			}
		}
		return true
	})
}

// WaitAny waits until the screen shows one of texts and returns it.
func (p *Pane) WaitAny(norm func(string) string, texts ...string) string {
	p.s.t.Helper()
	if norm == nil {
		norm = func(s string) string { return s }
	}
	var found string
	p.Until("screen with any of "+quoted(texts), func(scr string) bool {
		flat := norm(scr)
		for _, text := range texts {
			if strings.Contains(flat, norm(text)) {
				found = text
				return true
			}
		}
		return false
	})
	return found
}

// Alive says whether the session still runs (tmux closes a session whose
// command exits).
func (p *Pane) Alive() bool {
	_, err := p.s.try("has-session", "-t", "="+p.name)
	return err == nil
}

// WaitGone waits until the session's program has ended; why names what
// should have ended it.
func (p *Pane) WaitGone(why string) {
	p.s.t.Helper()
	deadline := time.Now().Add(Wait)
	for p.Alive() {
		if time.Now().After(deadline) {
			p.s.t.Fatalf("%s did not end the program in %s:\n%s", why, Wait, p.Screen())
		}
		time.Sleep(poll)
	}
}

func quoted(texts []string) string {
	q := make([]string, len(texts))
	for i, t := range texts {
		q[i] = strconv.Quote(t)
	}
	return strings.Join(q, ", ")
}
