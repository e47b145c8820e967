package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/model"
	"gatehouse/screens"
)

// wideHelp is an expanded help of cols columns of rows keys each, with
// descriptions long enough that three columns fill 80 cells.
func wideHelp(cols, rows int) [][]key.Binding {
	var groups [][]key.Binding
	for c := 0; c < cols; c++ {
		var g []key.Binding
		for r := 0; r < rows; r++ {
			k := fmt.Sprintf("%c%d", 'a'+c, r)
			g = append(g, key.NewBinding(key.WithKeys(k), key.WithHelp(k, "a fairly long action")))
		}
		groups = append(groups, g)
	}
	return groups
}

// viewFits fails unless the whole view is exactly the window's height and
// no line is wider than it.
func viewFits(t *testing.T, h *harness, w, ht int) string {
	t.Helper()
	v := h.view()
	if got := lipgloss.Height(v); got != ht {
		t.Fatalf("the view is %d lines in a window of %d:\n%s", got, ht, v)
	}
	for _, l := range strings.Split(v, "\n") {
		if lipgloss.Width(l) > w {
			t.Fatalf("a line is %d wide in a window of %d: %q", lipgloss.Width(l), w, l)
		}
	}
	return v
}

// The expanded help of a screen with many columns used to push the
// shell's own column (help, quit) off the right edge at 80×24, and at
// 60×16 to push the header off the top.
func TestExpandedHelpKeepsShellKeysAndFits(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	h.probes[0].full = wideHelp(4, 6)
	h.press("?")
	v := viewFits(t, h, 80, 24)
	for _, want := range []string{"? help", "q quit", "d5 a fairly long action", "Gatehouse"} {
		if !strings.Contains(flat(v), want) {
			t.Fatalf("the expanded help at 80×24 lacks %q:\n%s", want, v)
		}
	}

	h.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	v = viewFits(t, h, 60, 16)
	for _, want := range []string{"? help", "q quit", "more keys", "Gatehouse"} {
		if !strings.Contains(flat(v), want) {
			t.Fatalf("the expanded help at 60×16 lacks %q:\n%s", want, v)
		}
	}
	if p := h.probes[0]; p.h < minBody {
		t.Fatalf("the help leaves the screen %d lines, want at least %d", p.h, minBody)
	}
}

// A view that opens with more keys than the one before grows the help;
// the screen is laid out again so the whole still fits the window.
func TestExpandedHelpFollowsTheOpenView(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	p := h.probes[0]
	p.full = wideHelp(1, 2)
	p.onKey = func(p *probe) { p.full = wideHelp(2, 9) }
	h.press("?")
	before := p.h
	h.press("o")
	viewFits(t, h, 80, 24)
	if p.h >= before {
		t.Fatalf("the screen kept %d lines after the help grew (was %d)", p.h, before)
	}
}

// refusedWithWhy is a refusal in the status line with its reason chain.
var refusedWithWhy = screens.StatusMsg{Text: "Advisor may not update access", Err: true,
	Why: &screens.ExplainView{Title: "Why it was refused", Decision: model.Decision{Reason: "Advisor may not update access"}}}

// While a screen captures keys (the access grid, a form), w is the
// screen's: the status line must not offer "w why" for the refusal, as
// pressing w there does something else.
func TestWhyHintOnlyWhenTheShellTakesW(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	p := h.probes[0]
	p.capturing = true
	h.send(refusedWithWhy)
	h.see("Advisor may not update access")
	h.notSee("(w why)")
	h.press("w")
	h.notSee("Why it was refused")
	if got := p.keys[len(p.keys)-1]; got != "w" {
		t.Fatalf("the capturing screen did not get w: %v", p.keys)
	}

	p.capturing = false
	h.send(refusedWithWhy)
	h.see("(w why)")
	h.press("w")
	h.see("Why it was refused")
}

// A screen's own w (here "who can reach") is taken by the shell while a
// refusal's why is offered: the help lists w once, as what it does now.
func TestHelpListsWOnceWhileWhyIsOffered(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	p := h.probes[0]
	who := key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "who can reach"))
	p.short, p.full = []key.Binding{who, probeKey}, [][]key.Binding{{who, probeKey}}
	h.see("w who can reach")
	h.send(refusedWithWhy)
	h.notSee("who can reach")
	h.see("w why refused", "x probe")
	h.press("?")
	h.notSee("who can reach")
	h.see("why refused", "x probe")
}

// A view that opens on a result rather than a key (a list of members
// arriving from the database) grows the help just the same.
func TestExpandedHelpFollowsAViewOpenedByAResult(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	p := h.probes[0]
	p.full = wideHelp(1, 2)
	h.press("?")
	before := p.h
	p.full = wideHelp(2, 9)
	h.send(screens.RefreshMsg{})
	viewFits(t, h, 80, 24)
	if p.h >= before {
		t.Fatalf("the screen kept %d lines after the help grew (was %d)", p.h, before)
	}
}
