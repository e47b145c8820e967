package tui

import (
	"context"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// At the smallest window Gatehouse accepts (60×16) the first run keeps
// every field, the code field and the keys in view: the set-up form lost
// its last field and keys past the bottom edge, and enrolment its code
// field, so a person could not see what they typed.
func TestFirstRunFitsTheSmallestWindow(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{})
	h.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	// The chooser's detail wraps under itself.
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.Contains(l, "sign-in.") && !strings.Contains(l, "    sign-in.") && !strings.Contains(l, "two-factor sign-in.") {
			t.Fatalf("the chooser's detail wraps under the marker: %q\n%s", l, h.view())
		}
	}
	h.press("enter")
	h.see("Organisation name", "Password again", "enter continue")
	h.fill("Acme Partners", "Olivia Owner", "owner@acme.test", testPassword, testPassword)
	h.stage(stageEnrol)
	h.send(enrolBeganMsg{enrolment: fixedEnrolment})
	h.see("JBSW Y3DP EHPK 3PXP", "2. Enter the code the app shows", "6 digits", "enter continue")
	if n := strings.Count(h.view(), "\n") + 1; n > 16 {
		t.Fatalf("the view is %d lines in a window of 16:\n%s", n, h.view())
	}
}

// Joining at 60×16 keeps the password fields and the keys in view.
func TestJoinFitsTheSmallestWindow(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	_, code, err := svc.Invite(context.Background(), model.MemberPrincipal(owner, "test"),
		model.InviteInput{Email: "nia@acme.test", Name: "Nia New", Role: "Advisor", Message: "Welcome to the team! We are glad to have you with us."})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, svc, clock, Options{JoinCode: code})
	h.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	h.see("Choose a password", "Password again", "enter continue")
}
