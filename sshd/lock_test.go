package sshd

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// clock is a settable clock for the service (locks' time to live).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// An incident lock: `lock --staff X --ttl 1m --reason incident` ends X's
// open app session within a second and closes their shared connection;
// X's next ssh is refused with the reason; after the time to live X signs
// in again. The lock, the refusal and the sign-in are in the audit log.
func TestLockEndsSessionsRefusesThenExpires(t *testing.T) {
	f := newFixture(t, Config{})
	clk := &clock{t: time.Now().UTC()}
	f.svc.Now = clk.now
	admin, _ := f.member("ada@example.com", "Admin")
	x, key := f.member("xavier@example.com", "Advisor")

	// X has the app open, and a shared connection idle between commands.
	app := f.mustDial(key)
	_, out, errOut, done := app.shell(t)
	waitFor(t, "the app", 3*time.Second, func() bool { return strings.Contains(out.String(), "signed in as xavier@example.com") })
	shared := f.mustDial(key)
	if _, _, code := shared.run(t, "whoami"); code != 0 {
		t.Fatal("whoami on the shared connection")
	}
	sharedDone := make(chan error, 1)
	go func() { sharedDone <- shared.Wait() }()

	// Both connections are live sessions, with address, key and activity.
	waitFor(t, "two live sessions", 3*time.Second, func() bool {
		xs, err := f.svc.ListSessions(f.ctx, sys)
		return err == nil && len(xs) == 2
	})
	xs, _ := f.svc.ListSessions(f.ctx, sys)
	fp := gossh.FingerprintSHA256(key.PublicKey())
	for _, s := range xs {
		if s.Email != "xavier@example.com" || s.Fingerprint != fp || !strings.HasPrefix(s.Address, "127.0.0.1:") || s.Kind != model.SessionSSH {
			t.Fatalf("session %+v", s)
		}
	}

	start := time.Now()
	res, err := f.svc.Lock(f.ctx, model.MemberPrincipal(admin, "test"), model.LockInput{Kind: model.LockStaff, Target: "xavier@example.com", Reason: "incident", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionsEnded != 2 {
		t.Fatalf("%d sessions ended, want 2", res.SessionsEnded)
	}
	select {
	case err := <-done:
		var exit *gossh.ExitError
		if !errors.As(err, &exit) || exit.ExitStatus() == 0 {
			t.Fatalf("the app ended with %v, want a non-zero exit", err)
		}
	case <-time.After(time.Second - time.Since(start)):
		t.Fatalf("the app was still open %s after the lock", time.Since(start))
	}
	if !strings.Contains(errOut.String(), "you are locked by ada@example.com until ") || !strings.Contains(errOut.String(), "incident") {
		t.Fatalf("X was not told why: %q", errOut.String())
	}
	select {
	case <-sharedDone:
	case <-time.After(3 * time.Second):
		t.Fatal("the shared connection stayed open after the lock")
	}

	// The next ssh is refused with the reason.
	c, err := f.dial(key)
	if err == nil {
		c.Close()
		t.Fatal("a locked member signed in")
	}
	if !strings.Contains(c.banners.String(), "incident") || !strings.Contains(c.banners.String(), "locked by ada@example.com") {
		t.Fatalf("refused without the reason: %q", c.banners.String())
	}

	// After the time to live, X signs in again.
	clk.add(61 * time.Second)
	if out, errOut, code := f.mustDial(key).run(t, "whoami"); code != 0 || !strings.Contains(out, "xavier@example.com") {
		t.Fatalf("after the lock expired: exit %d, %q %q", code, out, errOut)
	}

	entries, err := f.svc.ListAudit(f.ctx, sys, model.AuditQuery{StaffID: x.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		switch {
		case e.Action == "lock.create" && strings.Contains(e.After, `"reason":"incident"`):
			got = append(got, "lock")
		case e.Action == "auth.failure" && strings.Contains(e.After, "locked: incident"):
			got = append(got, "refused")
		case e.Action == "auth.sign-in" && len(got) == 2:
			got = append(got, "signed in")
		}
	}
	if strings.Join(got, ", ") != "lock, refused, signed in" {
		t.Fatalf("audit log: %v", got)
	}
}

// `sessions end` from anywhere closes an SSH connection, all its
// sessions with it, showing who ended it and why; the member may sign in
// again (it is not a lock).
func TestEndedSessionClosesTheConnection(t *testing.T) {
	f := newFixture(t, Config{})
	admin, _ := f.member("ada@example.com", "Admin")
	_, key := f.member("ben@example.com", "Advisor")
	c := f.mustDial(key)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var errOut syncBuffer
	s.Stderr = &errOut
	cmdDone := make(chan error, 1)
	go func() { cmdDone <- s.Run("wait") }()
	var row int64
	waitFor(t, "the session row", 3*time.Second, func() bool {
		xs, _ := f.svc.ListSessions(f.ctx, sys)
		if len(xs) == 1 && xs[0].Doing == "command: wait" {
			row = xs[0].ID
			return true
		}
		return false
	})
	start := time.Now()
	if _, err := f.svc.EndSession(f.ctx, model.MemberPrincipal(admin, "test"), row, "left signed in"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cmdDone:
	case <-time.After(time.Second):
		t.Fatalf("the command was still running %s after the session was ended", time.Since(start))
	}
	if !strings.Contains(errOut.String(), "ended by ada@example.com: left signed in; the session has ended.") {
		t.Fatalf("not told why: %q", errOut.String())
	}
	waitFor(t, "the row gone", 3*time.Second, func() bool { xs, _ := f.svc.ListSessions(f.ctx, sys); return len(xs) == 0 })
	if _, _, code := f.mustDial(key).run(t, "whoami"); code != 0 {
		t.Fatal("ending a session locked the member out")
	}
}
