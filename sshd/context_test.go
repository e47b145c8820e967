package sshd

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"gatehouse/db"
	"gatehouse/model"
)

// The terminal app's context ends with the SSH connection: when the
// client goes away, a model call still running for it (or started after)
// stops with the context's error and writes nothing.
func TestAppContextEndsWhenTheClientDisconnects(t *testing.T) {
	started := make(chan context.Context, 1)
	f := newFixture(t, Config{App: func(ctx context.Context, _ AppSession) tea.Model {
		started <- ctx
		return colourApp{}
	}})
	ada, key := f.member("ada@example.com", "Admin")
	c, err := f.dial(key)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	s.Stdout, s.Stderr = out, out
	if err := s.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the app's frame", 10*time.Second, func() bool { return strings.Contains(out.String(), "end-of-frame") })
	var ctx context.Context
	select {
	case ctx = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the server never started the app")
	}
	if ctx.Err() != nil {
		t.Fatalf("the app's context ended while the client was connected: %v", ctx.Err())
	}

	// The client goes away without a word: its connection closes.
	c.Close()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the app's context was not cancelled after the client disconnected")
	}

	files, err := db.Open(context.Background(), filepath.Join(f.dir, "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	before, err := db.Fingerprint(context.Background(), files.Read())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := f.svc.Invite(ctx, model.MemberPrincipal(ada, "ssh"), model.InviteInput{Email: "late@example.com", Name: "Late", Role: "Advisor"})
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a model call with the ended session's context did not return")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("invite with the ended session's context: %v, want context.Canceled", err)
	}
	after, err := db.Fingerprint(context.Background(), files.Read())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatal("a model call with the ended session's context wrote to the database")
	}
}
