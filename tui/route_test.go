package tui

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
	"gatehouse/screens"
)

// newScreensHarness opens the shell signed in as member with real screens.
func newScreensHarness(t *testing.T, svc *model.Service, clock *time.Time, member model.Member, demo bool, tabs ...Tab) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), svc: svc, clock: clock}
	h.app = newApp(h.ctx, svc, Options{SignedIn: &member, Demo: demo}, tabs)
	h.app.now = func() time.Time { return *clock }
	h.app.after = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return deferred{msg} }
	}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.feed(h.app.Init())
	return h
}

// keyNow delivers one key and returns its command unrun, as if its work
// were still going on.
func (h *harness) keyNow(k string) tea.Cmd {
	_, cmd := h.app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	return cmd
}

func TestActionResultReachesTheScreenThatAsked(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	ann := addMember(t, svc, "Ann Advisor", "ann@acme.test", "Advisor")
	h := newScreensHarness(t, svc, clock, owner, false, screens.NewStaff, screens.NewProfile)

	// Staff: open Ann and ask to deactivate her; the write is in flight.
	h.press("/")
	h.typ("ann@")
	h.press("enter", "enter")
	h.see("Ann Advisor", "deactivate")
	h.press("d")
	h.see("Deactivate Ann Advisor")
	pending := h.keyNow("y")
	if pending == nil {
		t.Fatal("confirming the deactivation started nothing")
	}

	// Meanwhile the user moves on and opens a form on Profile.
	h.press("tab", "e")
	h.see("Name")
	if !h.app.shell.screens[1].Capturing() {
		t.Fatal("the Profile form did not open")
	}

	h.feed(pending)
	if m, err := svc.GetMember(h.ctx, model.MemberPrincipal(owner, "test"), ann.ID); err != nil || m.Status != "deactivated" {
		t.Fatalf("Ann is %q (%v), want deactivated", m.Status, err)
	}
	h.see("ann@acme.test is deactivated")
	// Profile's form is still open, as it was: the result was not its.
	if !h.app.shell.screens[1].Capturing() {
		t.Fatalf("another screen's result closed the Profile form:\n%s", h.view())
	}
	h.press("esc", "tab")
	h.see("Staff", "Ann Advisor", "deactivated")
	h.notSee("Deactivate Ann Advisor?")
}

// Keys typed fast, or sent close together over SSH, can reach the app as
// one message of several characters: "/" and "ann@" arrive as "/ann@".
// Each is still a keypress: / opens the filter and the rest is typed in.
func TestKeysArrivingTogetherActOneByOne(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	addMember(t, svc, "Ann Advisor", "ann@acme.test", "Advisor")
	addMember(t, svc, "Bob Builder", "bob@acme.test", "Advisor")
	h := newScreensHarness(t, svc, clock, owner, false, screens.NewStaff)
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/ann@")})
	h.press("enter")
	h.see("filter: ann@", "Ann Advisor")
	h.notSee("Bob Builder")
	// A paste stays one message, typed into the filter whole.
	h.press("/")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("bob/"), Paste: true})
	h.see("bob/")
}

// Esc then a key, sent close together, reach the app as alt and the key:
// they are still two keypresses (back, then down), except the text
// fields' word keys alt+b, alt+f and alt+d.
func TestEscThenAKeyArrivingTogetherActOneByOne(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	addMember(t, svc, "Ann Advisor", "ann@acme.test", "Advisor")
	addMember(t, svc, "Bob Builder", "bob@acme.test", "Advisor")
	h := newScreensHarness(t, svc, clock, owner, false, screens.NewStaff)
	h.see("› Ann Advisor")
	h.press("enter")
	h.see("Ann Advisor", "Actions")
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j"), Alt: true})
	h.see("› Bob Builder")
	h.notSee("Actions")
	if keys, split := splitKeys(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("b"), Alt: true}); split {
		t.Fatalf("alt+b split into %v", keys)
	}
}

// The screens' model calls run under the session's context, which ending
// the session cancels: a call still running after sign-out stops with the
// context's error and writes nothing.
func TestEndingTheSessionCancelsItsContext(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	var sess *screens.Session
	profile := func(s *screens.Session) screens.Screen { sess = s; return screens.NewProfile(s) }
	h := newScreensHarness(t, svc, clock, owner, false, profile)
	ctx := sess.Context()
	if ctx.Err() != nil {
		t.Fatalf("the session's context ended while signed in: %v", ctx.Err())
	}
	if ctx != h.app.shell.sess.Ctx {
		t.Fatal("the screens were not given the shell's session context")
	}

	h.send(sessionEndedMsg{reason: "Signed out."})
	if ctx.Err() == nil {
		t.Fatal("ending the session did not cancel its context")
	}
	p := model.MemberPrincipal(owner, "test")
	before, err := svc.ListAudit(context.Background(), p, model.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RenameSelf(ctx, p, "Someone Else"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a rename under the ended session's context: %v, want context.Canceled", err)
	}
	after, err := svc.ListAudit(context.Background(), p, model.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	me, err := svc.GetMember(context.Background(), p, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || me.Name != owner.Name {
		t.Fatalf("the call wrote: %d audit entries, was %d; name %q", len(after), len(before), me.Name)
	}
}
