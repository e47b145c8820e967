package screens

import (
	"strings"
	"testing"

	"gatehouse/model"
)

func init() { sessionsRefresh = 0 }

// From the Staff screen an Admin locks the member under the cursor with a
// reason and a time to live: the list and the member's detail show it, and
// K again lifts it. An Advisor is not offered the key and is told why.
func TestStaffLockFromTheApp(t *testing.T) {
	e, ms := staffOrg(t)
	s := e.start(NewStaff(e.session(ms["admin"])), 120, 40)
	// Ann is third by name: Adam, Ann.
	s = e.press(s, "down")
	if m, _ := s.(*staffScreen).selected(); m.ID != ms["ann"].ID {
		t.Fatalf("cursor on %s", m.Email)
	}
	s = e.press(s, "K")
	if v := s.View(); !strings.Contains(v, "Lock Ann Advisor <ann@acme.test> out") || !strings.Contains(v, "Reason") {
		t.Fatalf("no lock form:\n%s", v)
	}
	s = e.press(s, "phishing reported", "tab", "2h", "enter")
	locks, err := e.svc.ListLocks(e.ctx, model.System("t"), false)
	if err != nil || len(locks) != 1 || locks[0].Label != "ann@acme.test" || locks[0].Reason != "phishing reported" || locks[0].ExpiresAt.IsZero() {
		t.Fatalf("locks: %+v %v", locks, err)
	}
	if st := e.lastStatus(); !strings.Contains(st.Text, "Lock 1: ann@acme.test is locked by adam@acme.test") {
		t.Fatalf("status: %+v", st)
	}
	if v := s.View(); !strings.Contains(v, "locked") {
		t.Fatalf("the list does not show the lock:\n%s", v)
	}
	s = e.press(s, "enter")
	v := s.View()
	if !strings.Contains(v, "Locked") || !strings.Contains(v, "phishing reported (lock 1)") || !strings.Contains(v, "K   lift lock 1") {
		t.Fatalf("the detail does not show the lock:\n%s", v)
	}
	s = e.press(s, "K", "enter")
	if locks, _ := e.svc.ListLocks(e.ctx, model.System("t"), false); len(locks) != 0 {
		t.Fatalf("not lifted: %+v", locks)
	}

	// An Advisor has no K; pressing it says why.
	a := e.start(NewStaff(e.session(ms["bob"])), 120, 40)
	if strings.Contains(a.View(), "lock out") {
		t.Fatal("an Advisor is offered the lock")
	}
	a = e.press(a, "l")
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "may not") {
		t.Fatalf("an Advisor opening the sessions: %+v", st)
	}
}

// The Sessions view lists the live sessions of every process (here, two
// recorded as the SSH server and a local app record them) and ends one
// with a reason; K there locks who is in it. The Locks view lists the
// locks in force, lifts one, and locks a role.
func TestSessionsAndLocksViews(t *testing.T) {
	e, ms := staffOrg(t)
	ann := model.MemberPrincipal(ms["ann"], "ssh SHA256:annkey from 203.0.113.7:51234")
	if _, err := e.svc.OpenSession(e.ctx, ann, model.SessionInfo{Kind: model.SessionSSH, Address: "203.0.113.7:51234", Fingerprint: "SHA256:annkey", Doing: "command: access revoke"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.OpenSession(e.ctx, model.MemberPrincipal(ms["bob"], ""), model.SessionInfo{Kind: model.SessionApp, Doing: "app"}); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(ms["admin"])), sz[0], sz[1])
		s = e.press(s, "l")
		golden(t, sizeName("staff_sessions", sz), s.View(), sz[0], sz[1])
	}
	s := e.start(NewStaff(e.session(ms["admin"])), 120, 40)
	s = e.press(s, "l")
	v := s.View()
	for _, want := range []string{"Live sessions", "ann@acme.test", "203.0.113.7:51234", "SHA256:annkey", "command: access revoke", "bob@acme.test", "local terminal", "app"} {
		if !strings.Contains(v, want) {
			t.Fatalf("sessions view lacks %q:\n%s", want, v)
		}
	}
	// End Ann's session (the first row).
	s = e.press(s, "x", "shift over", "enter")
	xs, _ := e.svc.ListSessions(e.ctx, model.System("t"))
	if len(xs) != 2 || xs[0].EndReason != "ended by adam@acme.test: shift over" {
		t.Fatalf("sessions after x: %+v", xs)
	}
	if v := s.View(); !strings.Contains(v, "ending: ended by adam@ac") {
		t.Fatalf("the view does not show the ending:\n%s", v)
	}
	// K on Bob's session locks Bob.
	s = e.press(s, "down", "K", "shared screen", "enter")
	if l, _ := e.svc.LockOn(e.ctx, model.System("t"), ms["bob"].ID); l == nil || l.Reason != "shared screen" {
		t.Fatalf("Bob's lock: %+v", l)
	}
	// esc back, then the Locks view.
	s = e.press(s, "esc", "u")
	for _, sz := range sizes {
		g := e.start(NewStaff(e.session(ms["admin"])), sz[0], sz[1])
		g = e.press(g, "u")
		golden(t, sizeName("staff_locks", sz), g.View(), sz[0], sz[1])
	}
	if v := s.View(); !strings.Contains(v, "Locks in force") || !strings.Contains(v, "member bob@acme.test") {
		t.Fatalf("locks view:\n%s", v)
	}
	// A new lock on a role; the form's kind is a choice.
	s = e.press(s, "n", "right", "tab", "Advisor", "tab", "drill", "tab", "30m", "enter")
	locks, _ := e.svc.ListLocks(e.ctx, model.System("t"), false)
	if len(locks) != 2 || locks[0].Kind != model.LockRole || locks[0].Label != "Advisor" {
		t.Fatalf("locks after n: %+v (status %+v)", locks, e.lastStatus())
	}
	// x lifts the lock under the cursor: it stayed on Bob's, by identity,
	// though the role's new lock came first in the list.
	s = e.press(s, "x", "enter")
	if locks, _ := e.svc.ListLocks(e.ctx, model.System("t"), false); len(locks) != 1 || locks[0].Kind != model.LockRole {
		t.Fatalf("locks after x: %+v", locks)
	}
	_ = s
}
