package tui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sizes every golden screen is drawn at.
var sizes = [][2]int{{80, 24}, {120, 40}}

// golden compares the view at each size with testdata/name_WxH.golden.
func golden(t *testing.T, h *harness, name string) {
	t.Helper()
	for _, sz := range sizes {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		got := h.view()
		if n := strings.Count(got, "\n") + 1; n != sz[1] {
			t.Errorf("%s at %dx%d: %d lines, want exactly %d", name, sz[0], sz[1], n, sz[1])
		}
		for i, line := range strings.Split(got, "\n") {
			if lw := lipgloss.Width(line); lw > sz[0] {
				t.Errorf("%s at %dx%d: line %d is %d wide", name, sz[0], sz[1], i+1, lw)
			}
		}
		path := filepath.Join("testdata", fmt.Sprintf("%s_%dx%d.golden", name, sz[0], sz[1]))
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./tui -run %s -update)", err, t.Name())
		}
		if got != string(want) {
			t.Errorf("%s differs from %s (run with -update if the change is intended):\n--- got\n%s\n--- want\n%s", name, path, got, want)
		}
	}
}

func TestGoldenChooser(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{})
	golden(t, h, "chooser")
}

func TestGoldenSignIn(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{})
	h.fill("owner@acme.test", "wrong password!")
	golden(t, h, "signin")
}

func TestGoldenCodePrompt(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{})
	h.fill("owner@acme.test", testPassword)
	h.stage(stageCode)
	golden(t, h, "code")
}

// fixedEnrolment is a published test secret (RFC 4648's "Hello!" example
// repeated), so the QR code and the secret on screen never change.
var fixedEnrolment = model.TOTPEnrolment{
	Secret:  "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
	URL:     "otpauth://totp/Gatehouse%20%28Acme%20Partners%29:owner@acme.test?algorithm=SHA1&digits=6&issuer=Gatehouse+%28Acme+Partners%29&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
	Issuer:  "Gatehouse (Acme Partners)",
	Account: "owner@acme.test",
}

func TestGoldenEnrolment(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{})
	h.press("enter")
	h.fill("Acme Partners", "Olivia Owner", "owner@acme.test", testPassword, testPassword)
	h.stage(stageEnrol)
	h.send(enrolBeganMsg{enrolment: fixedEnrolment})
	golden(t, h, "enrol")
}

func TestGoldenRecoveryCodes(t *testing.T) {
	svc, clock := newService(t)
	h := newHarness(t, svc, clock, Options{})
	h.press("enter")
	h.fill("Acme Partners", "Olivia Owner", "owner@acme.test", testPassword, testPassword)
	h.fill(h.code(h.app.enrol.enrolment.Secret, 0))
	h.stage(stageRecovery)
	for i := range h.app.codes {
		h.app.codes[i] = fmt.Sprintf("abcd-efgh-%02d", i)
	}
	golden(t, h, "recovery")
}

func TestGoldenShell(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	h := newHarness(t, svc, clock, Options{SignedIn: &owner})
	golden(t, h, "shell")
	h.press("?")
	golden(t, h, "shell_help")
}

func TestGoldenDemoViewingAs(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	admin := addMember(t, svc, "Ada Admin", "ada@acme.test", "Admin")
	addMember(t, svc, "Rae Advisor", "rae@acme.test", "Advisor")
	h := newHarness(t, svc, clock, Options{SignedIn: &admin, Demo: true})
	h.press("V")
	golden(t, h, "viewas_picker")
	h.typ("rae")
	h.press("enter")
	golden(t, h, "viewing_as")
}

func TestGoldenJoin(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	_, code, err := svc.Invite(context.Background(), model.MemberPrincipal(owner, "test"), model.InviteInput{Email: "nia@acme.test", Name: "Nia New", Role: "Advisor", Message: "Welcome to the team!"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, svc, clock, Options{JoinCode: code})
	golden(t, h, "join")
}
