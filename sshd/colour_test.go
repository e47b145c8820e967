package sshd

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// colourApp draws one word in 24-bit colour and one in bold, as the
// server's renderer does at its richest profile.
type colourApp struct{}

func (colourApp) Init() tea.Cmd                       { return nil }
func (colourApp) Update(tea.Msg) (tea.Model, tea.Cmd) { return colourApp{}, nil }
func (colourApp) View() string {
	return "\x1b[38;2;157;140;255mviolet\x1b[0m \x1b[1mbold\x1b[0m end-of-frame"
}

var sgrRE = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colourKinds says which kinds of colour the SGR sequences of out hold:
// "24-bit", "256", "16"; and whether bold survived.
func colourKinds(out string) (kinds map[string]bool, bold bool) {
	kinds = map[string]bool{}
	for _, m := range sgrRE.FindAllStringSubmatch(out, -1) {
		ps := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(ps); i++ {
			switch p := ps[i]; {
			case p == "1":
				bold = true
			case (p == "38" || p == "48") && i+1 < len(ps) && ps[i+1] == "2":
				kinds["24-bit"] = true
				i += 4
			case (p == "38" || p == "48") && i+1 < len(ps) && ps[i+1] == "5":
				kinds["256"] = true
				i += 2
			case len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9') && p[1] <= '7',
				len(p) == 3 && p[:2] == "10" && p[2] <= '7':
				kinds["16"] = true
			}
		}
	}
	return kinds, bold
}

func TestAppColoursFollowTheClientsTerminal(t *testing.T) {
	f := newFixture(t, Config{App: func(context.Context, AppSession) tea.Model { return colourApp{} }})
	_, key := f.member("ada@example.com", "Admin")
	c := f.mustDial(key)
	for _, tc := range []struct {
		name string
		term string
		env  map[string]string
		want string // the only kind of colour expected; "" for none
	}{
		{"256 colours", "xterm-256color", nil, "256"},
		{"truecolor", "xterm-256color", map[string]string{"COLORTERM": "truecolor"}, "24-bit"},
		{"16 colours", "xterm", nil, "16"},
		{"dumb terminal", "dumb", nil, ""},
		{"NO_COLOR", "xterm-256color", map[string]string{"NO_COLOR": "1", "COLORTERM": "truecolor"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for k, v := range tc.env {
				if err := s.Setenv(k, v); err != nil {
					t.Fatalf("setenv %s: %v", k, err)
				}
			}
			out := &syncBuffer{}
			s.Stdout, s.Stderr = out, out
			if err := s.RequestPty(tc.term, 24, 80, gossh.TerminalModes{}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.StdinPipe(); err != nil {
				t.Fatal(err)
			}
			if err := s.Shell(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the app's frame", 5*time.Second, func() bool { return strings.Contains(out.String(), "end-of-frame") })
			kinds, bold := colourKinds(out.String())
			for _, k := range []string{"24-bit", "256", "16"} {
				if kinds[k] != (k == tc.want) {
					t.Errorf("TERM=%s %v: %s colour sequences: %v, want only %q\n%q", tc.term, tc.env, k, kinds[k], tc.want, out.String())
				}
			}
			if !bold {
				t.Errorf("TERM=%s %v: bold was dropped with the colours: %q", tc.term, tc.env, out.String())
			}
			if !strings.Contains(out.String(), "\x1b[") {
				t.Errorf("no escape sequences at all: the app cannot draw: %q", out.String())
			}
		})
	}
}

func TestColourKindsReadsEachForm(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[38;2;1;2;3m": "24-bit", "\x1b[1;48;5;200m": "256", "\x1b[31m": "16", "\x1b[0;94m": "16", "\x1b[101m": "16",
	} {
		if kinds, _ := colourKinds(in); len(kinds) != 1 || !kinds[want] {
			t.Errorf("colourKinds(%q) = %v, want %s", in, kinds, want)
		}
	}
	if kinds, bold := colourKinds("\x1b[0m\x1b[1mx\x1b[22m"); len(kinds) != 0 || !bold {
		t.Errorf("plain bold read as %v, bold %v", kinds, bold)
	}
}
