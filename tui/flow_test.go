package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
	"gatehouse/screens"
)

func TestFirstRunCreatesOrganisationWithTwoFactor(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{OSUser: "tester"})
	h.stage(stageChooser)
	h.see("Create your organisation", "Explore the demo organisation")

	h.press("enter")
	h.stage(stageSetup)
	h.fill("Acme Partners", "Olivia Owner", "owner@acme.test", testPassword, "another password")
	h.see("The two passwords differ")
	h.stage(stageSetup)
	h.fill(testPassword, testPassword)
	h.stage(stageEnrol)

	secret := h.app.enrol.enrolment.Secret
	if secret == "" {
		t.Fatal("no secret offered")
	}
	h.see(strings.Fields(groupSecret(secret))[0], "owner@acme.test")
	h.fill("000000")
	h.see("That code is not right")
	h.fill(h.code(secret, 0))
	h.stage(stageRecovery)
	if len(h.app.codes) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(h.app.codes))
	}
	h.see(h.app.codes[0], h.app.codes[9], "I have saved them")

	h.press("enter")
	h.stage(stageShell)
	h.see("Acme Partners", "Olivia Owner", "Owner", "Staff screen")
	m, err := svc.MemberByEmail(h.ctx, model.System("tester"), "owner@acme.test")
	if err != nil || !m.TOTPEnabled {
		t.Fatalf("owner after first run: %+v, %v", m, err)
	}
	h.press("q")
	if !h.quit {
		t.Fatal("q did not quit the shell")
	}
}

func TestFirstRunSetupErrorsKeepWhatWasTyped(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{})
	h.press("enter")
	h.fill("Acme", "Olivia", "not-an-email", testPassword, testPassword)
	h.stage(stageSetup)
	h.see(`"not-an-email" is not an email address`)
	if got := h.app.setup.value(setupOrg); got != "Acme" {
		t.Fatalf("organisation name lost after an error: %q", got)
	}
	h.press("esc")
	h.stage(stageChooser)
}

func TestFirstRunDemoAndViewAs(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{OSUser: "tester"})
	h.press("down", "enter")
	h.stage(stageShell)
	h.see("DEMO", "Owner")
	owner := h.app.shell.selfActor

	advisors, _, err := svc.ListStaff(h.ctx, model.System("tester"), model.MemberQuery{Status: "active", Sort: "name", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var advisor model.Member
	for _, m := range advisors {
		if m.RoleName == "Advisor" {
			advisor = m
			break
		}
	}
	if advisor.ID == 0 {
		t.Fatal("the demo has no active Advisor")
	}

	refreshes := h.probes[0].refreshes
	h.press("V")
	h.see("View the organisation as")
	h.typ(advisor.Email)
	h.see(advisor.Name)
	h.press("enter")
	h.see("viewing as " + advisor.Name + " (Advisor)")
	sess := h.probes[0].sess
	if sess.Principal.StaffID != advisor.ID || sess.Actor.Role != "Advisor" {
		t.Fatalf("session after view as: %+v / %s", sess.Principal, sess.Actor.Role)
	}
	if h.probes[0].refreshes == refreshes || h.probes[1].refreshes == refreshes {
		t.Fatal("screens were not refreshed for the viewed member")
	}

	h.press("V")
	h.notSee("viewing as")
	if sess.Principal.StaffID != owner.StaffID || sess.Actor.Role != "Owner" {
		t.Fatalf("V did not return to yourself: %+v", sess.Principal)
	}
}

func TestViewAsOnlyInDemo(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	h.stage(stageShell)
	h.notSee("DEMO")
	h.press("V")
	if h.app.shell.picker != nil {
		t.Fatal("view as opened outside the demo")
	}
	if got := h.probes[0].keys; len(got) != 1 || got[0] != "V" {
		t.Fatalf("V outside the demo should reach the screen, got %v", got)
	}
}

func TestSignInWithPasswordAndCode(t *testing.T) {
	svc, clock := newService(t)
	_, secret, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{})
	h.stage(stageSignIn)
	h.see("Sign in to Gatehouse", "Email", "Password")

	h.fill("owner@acme.test", "wrong password!")
	h.see("Wrong email or password.")
	if h.app.signin.value(signInPassword) != "" {
		t.Fatal("a refused password was left in the field")
	}
	h.press("shift+tab", "backspace")
	h.app.signin.fields[signInEmail].input.SetValue("nobody@acme.test")
	h.press("tab")
	h.fill("wrong password!")
	h.see("Wrong email or password.")

	h.app.signin.fields[signInEmail].input.SetValue("owner@acme.test")
	h.typ(testPassword)
	h.notSee(testPassword)
	h.press("enter")
	h.stage(stageCode)
	h.see("6-digit code", "owner@acme.test")

	h.fill("123456")
	h.see("Wrong code, 8 tries left before a 15-minute lock.")
	h.fill(h.code(secret, 1))
	h.stage(stageShell)
	h.see("Olivia Owner", "Owner")
}

func TestSignInCodeReplayRefused(t *testing.T) {
	svc, clock := newService(t)
	_, secret, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{})
	code := h.code(secret, 1)
	h.fill("owner@acme.test", testPassword, code)
	h.stage(stageShell)

	again := newHarness(t, svc, clock, Options{})
	again.fill("owner@acme.test", testPassword, code)
	again.stage(stageCode)
	again.see("That code was already used — wait for the next one, about ")
}

func TestSignInRecoveryCodeWorksOnce(t *testing.T) {
	svc, clock := newService(t)
	_, _, codes := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{})
	h.fill("owner@acme.test", testPassword, codes[3])
	h.stage(stageShell)

	again := newHarness(t, svc, clock, Options{})
	again.fill("owner@acme.test", testPassword, codes[3])
	again.stage(stageCode)
	again.see("Wrong or used recovery code, 9 tries left before a 15-")
	again.press("esc")
	again.stage(stageSignIn)
}

func TestSignInLockoutMessage(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{})
	h.typ("owner@acme.test")
	h.press("enter")
	for i := 0; i < 10; i++ {
		h.fill("wrong password!")
		// Wait out each slow-down so every attempt counts.
		h.advance(2 * time.Minute)
	}
	h.fill(testPassword)
	h.stage(stageSignIn)
	h.see("Account locked", "try again after")
	h.notSee("Wrong email or password")
}

func TestSignInDeactivatedMemberRefused(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	m := addMember(t, svc, "Dan Advisor", "dan@acme.test", "Advisor")
	if err := svc.Deactivate(context.Background(), model.System("tester"), m.ID); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, svc, clock, Options{})
	h.fill("dan@acme.test", testPassword)
	h.stage(stageSignIn)
	h.see("deactivated")
}

func TestSignInEnrolsWhenOrganisationRequires2FA(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	addMember(t, svc, "Ada Admin", "ada@acme.test", "Admin")
	ctx := context.Background()
	st, err := svc.Settings(ctx, model.System("tester"))
	if err != nil {
		t.Fatal(err)
	}
	st.Require2FA = true
	if err := svc.UpdateSettings(ctx, model.System("tester"), st); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, svc, clock, Options{})
	h.fill("ada@acme.test", testPassword)
	h.stage(stageEnrol)
	h.see("Set up two-factor sign-in")
	h.fill(h.code(h.app.enrol.enrolment.Secret, 0))
	h.stage(stageRecovery)
	h.press("enter")
	h.stage(stageShell)
	h.see("Ada Admin", "Admin")
}

func TestJoinWithInvitation(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	ctx := context.Background()
	_, code, err := svc.Invite(ctx, model.System("tester"), model.InviteInput{Email: "nia@acme.test", Name: "Nia New", Role: "Advisor", Message: "Welcome aboard"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, svc, clock, Options{JoinCode: code})
	h.stage(stageJoin)
	h.see("Join Acme Partners", "to join Acme Partners as Advisor", "Nia New", "nia@acme.test", "Welcome aboard")

	h.fill(testPassword, "not the same password")
	h.see("The two passwords differ")
	h.fill(testPassword, testPassword)
	h.stage(stageOfferEnrol)
	h.see("Recommended")
	h.press("s")
	h.stage(stageShell)
	h.see("Nia New", "Advisor")

	again := newHarness(t, svc, clock, Options{JoinCode: code})
	again.see("This invitation cannot be redeemed", "accepted")
	again.press("q")
	if !again.quit {
		t.Fatal("q did not quit a refused invitation")
	}
}

func TestJoinEnrolsWhenRequired(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	ctx := context.Background()
	st, _ := svc.Settings(ctx, model.System("tester"))
	st.Require2FA = true
	if err := svc.UpdateSettings(ctx, model.System("tester"), st); err != nil {
		t.Fatal(err)
	}
	_, code, err := svc.Invite(ctx, model.System("tester"), model.InviteInput{Email: "nia@acme.test", Name: "Nia New", Role: "Admin"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, svc, clock, Options{JoinCode: code})
	h.see("requires two-factor sign-in")
	h.fill(testPassword, testPassword)
	h.stage(stageEnrol)
	h.press("esc")
	h.stage(stageEnrol)
	h.fill(h.code(h.app.enrol.enrolment.Secret, 0))
	h.stage(stageRecovery)
	h.press("enter")
	h.stage(stageShell)
	h.see("Nia New")
}

func TestShellTabsHelpAndCapturing(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	h.see("Staff screen, 80×19", "x probe", "tab next screen", "? help", "q quit")
	h.press("tab")
	h.see("Profile screen")
	h.press("shift+tab")
	h.see("Staff screen")
	h.press("?")
	h.see("shift+tab previous screen", "ctrl+r refresh")
	if h.probes[0].h >= 19 {
		t.Fatalf("full help did not shrink the screen: height %d", h.probes[0].h)
	}

	h.probes[0].capturing = true
	h.press("tab", "q")
	if h.quit {
		t.Fatal("q quit while the screen was capturing text")
	}
	h.see("Staff screen")
	if got := strings.Join(h.probes[0].keys, " "); got != "tab q" {
		t.Fatalf("capturing screen got keys %q, want \"tab q\"", got)
	}
	h.press("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c did not quit")
	}
}

func TestShellStatusLine(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	h.send(screens.StatusMsg{Text: "Invited nia@acme.test"})
	h.see("Invited nia@acme.test")
	for _, m := range h.later {
		if c, ok := m.(statusClearMsg); ok {
			h.send(c)
		}
	}
	h.notSee("Invited nia@acme.test")
}

// Statuses reach the shell through commands, and Bubble Tea runs commands
// concurrently: a status made before another can arrive after it. In the
// per-account grid, the note of a re-read ("Leo Martins is no longer in
// this list") was made before the refusal of the key that followed, yet
// now and then arrived after it and hid it. The older status, arriving
// late, is dropped; the newer one stays, and its clear timer is its own.
func TestShellStatusMadeEarlierArrivingLaterDoesNotHideTheNewer(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	note := screens.Status("Leo Martins is no longer in this list (changed elsewhere).", true)
	refusal := screens.Status("Nothing done: changed since it was shown: Leo Martins in Acme Ltd is no longer there.", true)
	h.send(refusal())
	h.send(note())
	h.see("changed since it was shown: Leo Martins")
	h.notSee("is no longer in this list")
	// A status made later still replaces it.
	h.send(screens.NewStatus("Saved.", false))
	h.see("Saved.")
	// A literal status takes no part in the order: it is shown.
	h.send(screens.StatusMsg{Text: "Plain."})
	h.see("Plain.")
}

func TestShellFollowsChangesMadeElsewhere(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	admin := addMember(t, svc, "Ada Admin", "ada@acme.test", "Admin")
	h := newHarness(t, svc, clock, Options{SignedIn: &admin})
	h.see("Ada Admin", "Admin")
	sys := model.System("tester")

	h.poll()
	before := h.probes[0].refreshes
	h.poll()
	if h.probes[0].refreshes != before {
		t.Fatal("screens refreshed with nothing changed")
	}

	if err := svc.SetRole(h.ctx, sys, admin.ID, "Advisor"); err != nil {
		t.Fatal(err)
	}
	h.poll()
	if got := h.probes[0].sess.Actor.Role; got != "Advisor" {
		t.Fatalf("role after a change elsewhere: %s", got)
	}
	if h.probes[0].refreshes == before || h.probes[1].refreshes == before {
		t.Fatal("screens were not told of the change")
	}
	h.see("Advisor")

	if err := svc.Deactivate(h.ctx, sys, admin.ID); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.stage(stageSignIn)
	h.see("your account was deactivated")
}

func TestShellEndsWhenMemberRemoved(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	m := addMember(t, svc, "Rae Advisor", "rae@acme.test", "Advisor")
	h := newHarness(t, svc, clock, Options{SignedIn: &m})
	if err := svc.Remove(h.ctx, model.System("tester"), m.ID, 0); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.stage(stageSignIn)
	h.see("you were removed from the organisation")
}

func TestShellStopsWhenTheOrganisationIsDeleted(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	m := addMember(t, svc, "Rae Advisor", "rae@acme.test", "Advisor")
	h := newHarness(t, svc, clock, Options{SignedIn: &m})
	if _, err := svc.DeleteOrganisation(h.ctx, model.System("tester"), "", "Acme Partners"); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.stage(stageFailed)
	h.see("The organisation was deleted")
}

func TestShellIdleTimeoutSignsOut(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	idle := h.app.shell.sess.Org.IdleTimeout
	if idle <= 0 {
		t.Fatalf("organisation has no idle timeout: %v", idle)
	}
	h.advance(idle - time.Second)
	h.press("tab")
	h.advance(idle - time.Second)
	h.poll()
	h.stage(stageShell)
	h.advance(2 * time.Second)
	h.poll()
	h.stage(stageSignIn)
	h.see("Signed out after 30 minutes without activity.")
}

func TestTooSmallWindow(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	for _, size := range [][2]int{{59, 24}, {80, 15}, {10, 3}, {1, 1}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		v := h.view()
		if size[0] >= 40 && !strings.Contains(strings.ReplaceAll(v, "\n", " "), "make the window larger") {
			t.Fatalf("%dx%d: no request to enlarge:\n%s", size[0], size[1], v)
		}
		if lines := strings.Count(v, "\n") + 1; lines > size[1] {
			t.Fatalf("%dx%d: %d lines drawn", size[0], size[1], lines)
		}
	}
	h.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	h.see("Staff screen, 60×11")
}

func TestEscapeSequencesInNamesNeverReachTheTerminal(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	ctx := context.Background()
	_, code, err := svc.Invite(ctx, model.System("tester"), model.InviteInput{Email: "eve@acme.test", Name: "Eve", Role: "Advisor"})
	if err != nil {
		t.Fatal(err)
	}
	evil := "Eve\x1b]0;owned\x07\x1b[2J\x1b[31mRed\u202e"
	for _, q := range []string{`UPDATE staff SET name = ? WHERE id = ?`} {
		if _, err := svc.DB().SQL().ExecContext(ctx, q, evil, owner.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.DB().SQL().ExecContext(ctx, `UPDATE invitations SET name = ?, message = ?`, evil, evil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DB().SQL().ExecContext(ctx, `UPDATE organisation SET name = ?`, evil); err != nil {
		t.Fatal(err)
	}

	owner.Name = evil
	h := newHarness(t, svc, clock, Options{SignedIn: &owner, Demo: true})
	h.see("Eve␛]0;owned")
	h.press("V")
	views := []string{h.view()}
	j := newHarness(t, svc, clock, Options{JoinCode: code})
	views = append(views, j.view())
	for _, v := range views {
		if strings.ContainsAny(v, "\x1b\x07\u202e") {
			t.Fatalf("a raw control character reached the view: %q", v)
		}
	}
}

// The app run locally records its live session, so another process can
// list and end it: `sessions end` from elsewhere, or a lock, signs it out
// at the next poll, saying why; signing out forgets the row.
func TestShellEndsWhenItsSessionIsEndedOrLocked(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	m := addMember(t, svc, "Rae Advisor", "rae@acme.test", "Advisor")
	sys := model.System("tester")
	h := newHarness(t, svc, clock, Options{SignedIn: &m})
	xs, err := svc.ListSessions(h.ctx, sys)
	if err != nil || len(xs) != 1 || xs[0].StaffID != m.ID || xs[0].Kind != model.SessionApp || xs[0].Doing != "app" {
		t.Fatalf("the app's session: %+v %v", xs, err)
	}
	if _, err := svc.EndSession(h.ctx, sys, xs[0].ID, "shift over"); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.stage(stageSignIn)
	h.see("Your session ended: ended by tester: shift over.")
	if xs, _ := svc.ListSessions(h.ctx, sys); len(xs) != 0 {
		t.Fatalf("the ended session is still listed: %+v", xs)
	}

	h2 := newHarness(t, svc, clock, Options{SignedIn: &m})
	if _, err := svc.Lock(h.ctx, sys, model.LockInput{Kind: model.LockStaff, Target: m.Email, Reason: "incident", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	h2.poll()
	h2.stage(stageSignIn)
	h2.see("Your session ended: you are locked by tester until", "incident")
	// Signing in is refused with the reason.
	h2.fill("rae@acme.test", testPassword)
	h2.see("incident")
	h2.stage(stageSignIn)
}
