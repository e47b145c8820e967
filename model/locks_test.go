package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A lock on a member refuses everything they would do, through the
// principal gate: sign-in by password, key or code, reads and writes, the
// connections they created; it ends their live sessions in the same
// transaction, is audited with its reason, and holds until lifted or
// until its time to live runs out (the service's clock).
func TestLockRefusesEverythingUntilLiftedOrExpired(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	admin := f.member("Ada Admin", "ada@acme.test", "Admin")
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	key := newTestKey(t, "ann@laptop")
	k, err := f.svc.AddSSHKey(f.ctx, f.sys, ann.ID, key)
	if err != nil {
		t.Fatal(err)
	}
	row, err := f.svc.OpenSession(f.ctx, f.as(ann), SessionInfo{Kind: SessionApp, Doing: "app"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.OpenSession(f.ctx, f.as(admin), SessionInfo{Kind: SessionApp, Doing: "app"})
	if err != nil {
		t.Fatal(err)
	}

	res, err := f.svc.Lock(f.ctx, f.as(admin), LockInput{Kind: LockStaff, Target: "ANN@acme.test", Reason: "incident", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionsEnded != 1 {
		t.Fatalf("%d sessions ended, want Ann's one", res.SessionsEnded)
	}
	e := f.lastAudit()
	if e.Action != "lock.create" || e.StaffID != ann.ID || !strings.Contains(e.After, `"reason":"incident"`) || !strings.Contains(e.After, `"sessions_ended":1`) {
		t.Fatalf("lock audited as %+v", e)
	}
	ended, err := f.svc.EndedSessions(f.ctx, []int64{row, other})
	if err != nil || len(ended) != 1 || !strings.Contains(ended[row], "you are locked by ada@acme.test until ") || !strings.Contains(ended[row], "incident") {
		t.Fatalf("ended sessions: %v %v", ended, err)
	}

	// Everything is refused, with the reason.
	_, err = f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test")
	var locked *LockedError
	if !errors.As(err, &locked) || !strings.Contains(err.Error(), "incident") {
		t.Fatalf("password sign-in while locked: %v", err)
	}
	if e := f.lastAudit(); e.Action != "auth.failure" || !strings.Contains(e.After, "locked: incident") {
		t.Fatalf("refused sign-in audited as %+v", e)
	}
	if _, _, err := f.svc.MemberBySSHKey(f.ctx, k.Fingerprint); !errors.As(err, &locked) {
		t.Fatalf("key while locked: %v", err)
	}
	if err := f.svc.SSHSignIn(f.ctx, k.Fingerprint, "ssh "+k.Fingerprint+" from 10.0.0.1:1"); !errors.As(err, &locked) {
		t.Fatalf("ssh sign-in while locked: %v", err)
	}
	if _, _, err := f.svc.ListStaff(f.ctx, f.as(ann), MemberQuery{}); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a read while locked: %v", err)
	}
	if err := f.svc.RenameSelf(f.ctx, f.as(ann), "Ann B"); !errors.Is(err, ErrDenied) {
		t.Fatalf("a write while locked: %v", err)
	}
	if _, err := f.svc.OpenSession(f.ctx, f.as(ann), SessionInfo{Kind: SessionApp}); !errors.Is(err, ErrDenied) {
		t.Fatalf("a new session while locked: %v", err)
	}
	locks, err := f.svc.ListLocks(f.ctx, f.as(admin), false)
	if err != nil || len(locks) != 1 || locks[0].Label != "ann@acme.test" {
		t.Fatalf("lock list: %+v %v", locks, err)
	}
	if l, err := f.svc.LockOn(f.ctx, f.as(admin), ann.ID); err != nil || l == nil || l.ID != res.Lock.ID {
		t.Fatalf("LockOn: %+v %v", l, err)
	}
	if _, err := f.svc.Lock(f.ctx, f.as(admin), LockInput{Kind: LockStaff, Target: "ann@acme.test", Reason: "again"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("a second lock on the same member: %v", err)
	}

	// After the time to live, Ann signs in again; nobody had to write.
	*clk = clk.Add(61 * time.Second)
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test"); err != nil {
		t.Fatalf("after the lock expired: %v", err)
	}
	if _, _, err := f.svc.ListStaff(f.ctx, f.as(ann), MemberQuery{}); err != nil {
		t.Fatalf("a read after the lock expired: %v", err)
	}
	if l, _ := f.svc.LockOn(f.ctx, f.as(admin), ann.ID); l != nil {
		t.Fatalf("an expired lock still shows: %+v", l)
	}

	// A lock until lifted; unlock lifts it, audited.
	res, err = f.svc.Lock(f.ctx, f.as(admin), LockInput{Kind: LockKey, Target: k.Fingerprint, Reason: "laptop stolen"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.MemberBySSHKey(f.ctx, k.Fingerprint); !errors.As(err, &locked) {
		t.Fatalf("a locked key: %v", err)
	}
	// The key is locked, not Ann: her password still works.
	if _, err := f.svc.SignIn(f.ctx, "ann@acme.test", "password-ann@acme.test", "test"); err != nil {
		t.Fatalf("password while only her key is locked: %v", err)
	}
	if _, err := f.svc.Unlock(f.ctx, f.as(admin), res.Lock.ID); err != nil {
		t.Fatal(err)
	}
	// The entry says what was lifted, not a diff of the lock to nothing.
	if e := f.lastAudit(); e.Action != "lock.lift" || e.Before != "" || !strings.Contains(e.After, "laptop stolen") ||
		!strings.Contains(e.After, `"lifted":"key lock"`) || !strings.Contains(e.After, k.Fingerprint) {
		t.Fatalf("unlock audited as %+v", e)
	}
	if _, _, err := f.svc.MemberBySSHKey(f.ctx, k.Fingerprint); err != nil {
		t.Fatalf("the key after unlock: %v", err)
	}
}

// Who may lock whom is who may deactivate whom: an Advisor locks no one,
// nobody locks the Owner or themselves (nor their own role), a member
// the actor may not see is not found; a role lock holds every member of
// the role and the connections they made.
func TestLockPermissionsAndRoles(t *testing.T) {
	f := newFixture(t)
	admin := f.member("Ada Admin", "ada@acme.test", "Admin")
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	bob := f.member("Bob Advisor", "bob@acme.test", "Advisor")
	lock := func(p Principal, kind, target string) error {
		_, err := f.svc.Lock(f.ctx, p, LockInput{Kind: kind, Target: target, Reason: "test"})
		return err
	}
	for _, c := range []struct {
		who          Principal
		kind, target string
		is           error
	}{
		{f.as(ann), LockStaff, "bob@acme.test", ErrDenied},
		{f.as(admin), LockStaff, "owner@acme.test", ErrDenied},
		{f.as(admin), LockStaff, "ada@acme.test", ErrDenied},
		{f.as(admin), LockRole, "Admin", ErrDenied},
		{f.as(admin), LockStaff, "nobody@acme.test", ErrNotFound},
		{f.as(admin), LockRole, "No Such Role", ErrNotFound},
		{f.as(admin), LockKey, "not-a-fingerprint", ErrInvalid},
		{f.as(admin), "team", "x", ErrInvalid},
	} {
		if err := lock(c.who, c.kind, c.target); !errors.Is(err, c.is) {
			t.Errorf("%s locks %s %s: %v, want %v", c.who.Label, c.kind, c.target, err, c.is)
		}
	}
	if _, err := f.svc.Lock(f.ctx, f.as(admin), LockInput{Kind: LockStaff, Target: "bob@acme.test"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a lock without a reason: %v", err)
	}
	if _, err := f.svc.Lock(f.ctx, f.as(admin), LockInput{Kind: LockStaff, Target: "bob@acme.test", Reason: "x", TTL: time.Second}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a one-second lock: %v", err)
	}
	carl := f.member("Carl Custom", "carl@acme.test", "Admin")
	conn, token, err := f.svc.CreateConnection(f.ctx, f.as(carl), "Carl's bot", ConnectionAPI, []Permission{{Module: ModuleStaff, Verb: VerbView, Scope: ScopeAll}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRole(f.ctx, f.sys, carl.ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	if err := lock(f.as(admin), LockRole, "Advisor"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []Member{ann, bob} {
		if _, _, err := f.svc.ListStaff(f.ctx, f.as(m), MemberQuery{}); !errors.Is(err, ErrDenied) {
			t.Errorf("%s under a role lock: %v", m.Email, err)
		}
	}
	if _, err := f.svc.AuthenticateToken(f.ctx, token); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("the token of a member under a role lock: %v", err)
	}
	if _, _, err := f.svc.ListStaff(f.ctx, f.as(admin), MemberQuery{}); err != nil {
		t.Fatalf("an Admin under an Advisor lock: %v", err)
	}
	locked, err := f.svc.LockedMembers(f.ctx, f.as(admin))
	if err != nil || len(locked) != 3 || locked[ann.ID].Kind != LockRole {
		t.Fatalf("locked members: %+v %v", locked, err)
	}
	// A connection of its own.
	if err := lock(f.as(admin), LockConnection, conn.Name); err != nil {
		t.Fatal(err)
	}
}

// Live sessions of any process are listed for those who may update staff,
// and ended from anywhere, audited, with the reason the holder shows; a
// row whose heartbeat stopped is not listed.
func TestLiveSessionsAreListedAndEnded(t *testing.T) {
	f := newFixture(t)
	clk := f.useClock()
	admin := f.member("Ada Admin", "ada@acme.test", "Admin")
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	annRow, err := f.svc.OpenSession(f.ctx, f.as(ann), SessionInfo{Kind: SessionSSH, Address: "10.0.0.9:5123", Fingerprint: "SHA256:abc", Doing: "command: staff list"})
	if err != nil {
		t.Fatal(err)
	}
	ownerRow, err := f.svc.OpenSession(f.ctx, f.as(f.owner), SessionInfo{Kind: SessionApp, Doing: "app"})
	if err != nil {
		t.Fatal(err)
	}
	before := f.auditCount()
	if _, err := f.svc.ListSessions(f.ctx, f.as(ann)); !errors.Is(err, ErrDenied) {
		t.Fatalf("an Advisor lists sessions: %v", err)
	}
	xs, err := f.svc.ListSessions(f.ctx, f.as(admin))
	if err != nil || len(xs) != 2 || xs[0].Email != "ann@acme.test" || xs[0].Address != "10.0.0.9:5123" || xs[0].Fingerprint != "SHA256:abc" || xs[0].Doing != "command: staff list" {
		t.Fatalf("sessions: %+v %v", xs, err)
	}
	if f.auditCount() != before {
		t.Fatal("opening or listing sessions wrote audit entries")
	}
	// An Admin may not end the Owner's session; the Owner's own may.
	if _, err := f.svc.EndSession(f.ctx, f.as(admin), ownerRow, "x"); !errors.Is(err, ErrDenied) {
		t.Fatalf("an Admin ends the Owner's session: %v", err)
	}
	if _, err := f.svc.EndSession(f.ctx, f.as(admin), annRow, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("ending without a reason: %v", err)
	}
	x, err := f.svc.EndSession(f.ctx, f.as(admin), annRow, "left signed in")
	if err != nil {
		t.Fatal(err)
	}
	if e := f.lastAudit(); e.Action != "session.end" || e.StaffID != ann.ID || !strings.Contains(e.After, "left signed in") {
		t.Fatalf("session end audited as %+v", e)
	}
	ended, _ := f.svc.EndedSessions(f.ctx, []int64{annRow, ownerRow})
	if ended[annRow] != "ended by ada@acme.test: left signed in" || len(ended) != 1 || x.EndReason != ended[annRow] {
		t.Fatalf("ended: %v", ended)
	}
	if _, err := f.svc.EndSession(f.ctx, f.as(admin), annRow, "again"); !errors.Is(err, ErrRule) {
		t.Fatalf("ending twice: %v", err)
	}
	// A heartbeat keeps a row listed; without one it goes.
	*clk = clk.Add(SessionStale - time.Second)
	if err := f.svc.BeatSessions(f.ctx, []SessionBeat{{ID: ownerRow, LastInput: *clk, Doing: "app"}}); err != nil {
		t.Fatal(err)
	}
	*clk = clk.Add(2 * time.Second)
	xs, _ = f.svc.ListSessions(f.ctx, f.as(f.owner))
	if len(xs) != 1 || xs[0].ID != ownerRow || !xs[0].LastInput.Equal(clk.Add(-2*time.Second)) {
		t.Fatalf("after a heartbeat: %+v", xs)
	}
	if err := f.svc.CloseSession(f.ctx, ownerRow); err != nil {
		t.Fatal(err)
	}
	if xs, _ = f.svc.ListSessions(f.ctx, f.as(f.owner)); len(xs) != 0 {
		t.Fatalf("a closed session is listed: %+v", xs)
	}
	if _, err := f.svc.EndSession(f.ctx, f.as(f.owner), ownerRow, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ending a closed session: %v", err)
	}
}
