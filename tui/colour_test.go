package tui

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"gatehouse/model"
)

// badTerminalText returns what in a view would not show as drawn: a
// control picture (the visible stand-in Sanitize puts for a control byte,
// so a style's escape sequence that went through it), a raw ESC outside a
// well-formed SGR sequence, or another raw control byte.
func badTerminalText(v string) string {
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRuneInString(v[i:])
		switch {
		case r >= 0x2400 && r <= 0x241F:
			return "control picture " + string(r) + " in …" + around(v, i)
		case r == 0x1b:
			j := i + 1
			if j >= len(v) || v[j] != '[' {
				return "ESC not starting a CSI in …" + around(v, i)
			}
			j++
			for j < len(v) && (v[j] >= '0' && v[j] <= '9' || v[j] == ';') {
				j++
			}
			if j >= len(v) || v[j] != 'm' {
				return "ESC sequence that is not SGR in …" + around(v, i)
			}
			i = j + 1
			continue
		case r < 0x20 && r != '\n', r == 0x7f:
			return "raw control byte in …" + around(v, i)
		}
		i += n
	}
	return ""
}

func around(v string, i int) string {
	from, to := max(i-40, 0), min(i+40, len(v))
	return strings.ToValidUTF8(v[from:to], "?") + "…"
}

// TestColoursNeverShowAsText walks every tab and its sub-views with a
// 256-colour profile, as a real terminal has, and fails on any escape
// sequence shown as text: styled text that went through Sanitize.
func TestColoursNeverShowAsText(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI256)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })

	svc, clock := newService(t)
	if _, err := svc.PopulateDemo(t.Context(), model.System("tester")); err != nil {
		t.Fatal(err)
	}
	ms, _, err := svc.ListStaff(t.Context(), model.System("tester"), model.MemberQuery{Status: "active", Sort: "name", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var owner, advisor model.Member
	for _, m := range ms {
		switch {
		case m.RoleBuiltin == "owner":
			owner = m
		case m.RoleName == "Advisor" && advisor.ID == 0:
			advisor = m
		}
	}
	h := newScreensHarness(t, svc, clock, owner, true, DefaultTabs...)
	coloured := false
	step := func(what string, keys ...string) {
		t.Helper()
		h.press(keys...)
		v := h.view()
		if os.Getenv("GATEHOUSE_DUMP") != "" {
			t.Logf("== %s\n%s", what, v)
		}
		if strings.Contains(v, "\x1b[") {
			coloured = true
		}
		if bad := badTerminalText(v); bad != "" {
			t.Errorf("%s: %s\n%s", what, bad, v)
		}
		for i, line := range strings.Split(v, "\n") {
			if w := lipgloss.Width(line); w > h.app.width {
				t.Errorf("%s at %dx%d: line %d is %d wide: %q", what, h.app.width, h.app.height, i+1, w, line)
			}
		}
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		// Staff: list, filter, detail, its dialogs and sub-views.
		step("staff list")
		step("staff filter", "/")
		step("staff filter typed", advisor.Email[:4], "enter")
		step("staff detail", "enter")
		step("member clients", "c")
		step("member clients back", "esc")
		step("member audit", "L")
		step("member audit detail", "enter")
		step("member audit back", "esc", "esc")
		step("deactivate dialog", "d")
		step("role dialog", "esc", "r")
		step("manager dialog", "esc", "m")
		step("departments dialog", "esc", "e")
		step("remove dialog", "esc", "x")
		step("back to list", "esc", "esc", "esc")
		step("invite form", "n")
		step("bulk invite", "esc", "b")
		step("invitations", "esc", "i")
		step("staff again", "esc")

		// Clients: list, detail, who can reach, audit, Manage Access, grid.
		step("clients", "tab")
		step("client detail", "enter")
		step("who can reach", "w")
		step("client audit", "esc", "L")
		step("client audit detail", "enter")
		step("manage access", "esc", "esc", "esc", "m")
		step("access grid", "enter")
		step("add staff picker", "esc", "+")
		step("bulk reassign", "esc", "esc", "B")
		step("client list audit", "esc", "L")
		step("clients again", "esc")

		// Roles: matrix, editor, members, why.
		step("roles", "tab")
		step("role editor", "n")
		step("role why", "esc", "w")
		step("role members", "esc", "m")
		step("roles again", "esc")

		// Audit: list, detail, filter.
		step("audit", "tab")
		step("audit detail", "enter")
		step("audit filter", "esc", "/")
		step("audit again", "esc")

		// Settings: every section.
		step("settings", "tab")
		step("departments", "]")
		step("connections", "]")
		step("billing", "]")
		step("settings again", "[", "[", "[")

		// Simulator: reasons, chain, what if.
		step("simulator", "tab")
		step("simulator why", "enter")
		step("simulator what if", "esc", "R")
		step("simulator again", "esc", "esc")

		step("profile", "tab")
		step("help", "?")
		step("help off", "?")

		// As an Advisor: a refusal, then its reason chain over the screen.
		step("view as picker", "V")
		step("view as advisor", advisor.Email, "enter")
		step("staff as advisor", "tab")
		step("advisor clients", "tab")
		step("advisor refused", "n")
		step("why overlay", "w")
		step("overlay closed", "esc", "V", "tab", "tab", "tab", "tab", "tab")
	}
	if !coloured {
		t.Fatal("the views carry no colour: the test checks nothing")
	}
}

// TestColoursBeforeSignIn checks the first run, sign-in, code prompt and
// enrolment the same way.
func TestColoursBeforeSignIn(t *testing.T) {
	lipgloss.SetColorProfile(termenv.ANSI256)
	t.Cleanup(func() { lipgloss.SetColorProfile(termenv.Ascii) })
	check := func(h *harness, what string) {
		t.Helper()
		if bad := badTerminalText(h.view()); bad != "" {
			t.Errorf("%s: %s\n%s", what, bad, h.view())
		}
	}
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{})
	check(h, "chooser")
	h.press("enter")
	check(h, "setup form")
	h.fill("Acme Partners", "Olivia Owner", "owner@acme.test", testPassword, "different password")
	check(h, "setup error")

	svc2, clock2 := newService(t)
	owner2FA(t, svc2, *clock2)
	h2 := newHarness(t, svc2, clock2, Options{})
	h2.fill("owner@acme.test", "wrong password!")
	check(h2, "sign-in error")
	h2.fill("owner@acme.test", testPassword)
	check(h2, "code prompt")
	h2.fill("000000")
	check(h2, "wrong code")
}
