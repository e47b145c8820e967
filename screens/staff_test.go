package screens

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/tui/theme"
)

func init() {
	model.SetFastHashForTests()
	lipgloss.SetColorProfile(termenv.Ascii)
	// Another test file of the package may define -update as well.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/")
	}
	staffFilterDelay = 5 * time.Millisecond
}

// staffNow is the fixed clock of every screen test.
var staffNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// staffEnv is an organisation on a real SQLite file, with a fixed clock,
// and a way to drive screens: commands run synchronously and their
// messages are fed back until nothing is left to do.
type staffEnv struct {
	t        *testing.T
	ctx      context.Context
	svc      *model.Service
	owner    model.Member
	statuses []StatusMsg
}

func newStaffEnv(t *testing.T) *staffEnv {
	t.Helper()
	ctx := context.Background()
	svc, err := model.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	svc.Now = func() time.Time { return staffNow }
	owner, err := svc.Setup(ctx, model.System("tester"), model.SetupInput{OrgName: "Acme Partners", OwnerName: "Olivia Owner",
		OwnerEmail: "owner@acme.test", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return &staffEnv{t: t, ctx: ctx, svc: svc, owner: owner}
}

// member adds an active member through an invitation.
func (e *staffEnv) member(name, email, role string) model.Member {
	e.t.Helper()
	_, code, err := e.svc.Invite(e.ctx, model.System("tester"), model.InviteInput{Email: email, Name: name, Role: role})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.svc.AcceptInvitation(e.ctx, code, "password-"+email, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// exec runs raw SQL, for fixtures the model would refuse to make.
func (e *staffEnv) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.svc.DB().SQL().ExecContext(e.ctx, query, args...); err != nil {
		e.t.Fatal(err)
	}
}

func (e *staffEnv) session(m model.Member) *Session {
	e.t.Helper()
	p := model.MemberPrincipal(m, "test")
	a, err := e.svc.Actor(e.ctx, p)
	if err != nil {
		e.t.Fatal(err)
	}
	org, err := e.svc.Org(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return &Session{Svc: e.svc, Principal: p, Actor: a, Org: org, Theme: theme.Default(), Keys: keymap.Default()}
}

// drive runs cmd and every command the messages it leads to return.
func (e *staffEnv) drive(s Screen, cmd tea.Cmd) Screen {
	e.t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			e.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case StatusMsg:
			e.statuses = append(e.statuses, msg)
		default:
			var next tea.Cmd
			s, next = s.Update(msg)
			queue = append(queue, next)
		}
	}
	return s
}

// start initialises and sizes a screen.
func (e *staffEnv) start(s Screen, w, h int) Screen {
	s.SetSize(w, h)
	return e.drive(s, s.Init())
}

// press sends keys: names such as "enter", "esc", "tab", or text, which is
// typed as one message.
func (e *staffEnv) press(s Screen, keys ...string) Screen {
	e.t.Helper()
	for _, k := range keys {
		var cmd tea.Cmd
		s, cmd = s.Update(keyMsg(k))
		s = e.drive(s, cmd)
	}
	return s
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "ctrl+s": tea.KeyCtrlS, " ": tea.KeySpace,
		"backspace": tea.KeyBackspace,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (e *staffEnv) lastStatus() StatusMsg {
	if len(e.statuses) == 0 {
		return StatusMsg{}
	}
	return e.statuses[len(e.statuses)-1]
}

var inviteCodeRE = regexp.MustCompile(`[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}`)

// golden compares a view with testdata/name.golden (rewritten with
// -update), after checking it fits the size it was given.
func golden(t *testing.T, name, view string, w, h int) {
	t.Helper()
	if strings.ContainsRune(view, '\x1b') {
		t.Errorf("%s: view holds a raw ESC", name)
	}
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines, more than the height %d", name, len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("%s: line %d is %d wide, more than %d: %q", name, i+1, lipgloss.Width(l), w, l)
		}
	}
	view = inviteCodeRE.ReplaceAllString(view, "XXXXXX-XXXXXX-XXXXXX-XXXXXX")
	path := filepath.Join("testdata", name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(view), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s (run go test ./screens -update to create it)", err)
	}
	if string(want) != view {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, view, want)
	}
}

// sizes are the terminal sizes of the golden tests.
var sizes = [][2]int{{80, 24}, {120, 40}}

func sizeName(name string, sz [2]int) string { return fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]) }

// staffOrg is a small organisation with fixed activity times.
func staffOrg(t *testing.T) (*staffEnv, map[string]model.Member) {
	e := newStaffEnv(t)
	ms := map[string]model.Member{"owner": e.owner}
	ms["admin"] = e.member("Adam Admin", "adam@acme.test", "Admin")
	ms["ann"] = e.member("Ann Advisor", "ann@acme.test", "Advisor")
	ms["bob"] = e.member("Bob Builder", "bob@acme.test", "Advisor")
	ms["cat"] = e.member("Cat Admin", "cat@acme.test", "Admin")
	e.exec(`INSERT INTO departments (name, created_at) VALUES ('Sales', 0), ('Support', 0)`)
	e.exec(`INSERT INTO staff_departments (staff_id, department_id) SELECT ?, id FROM departments`, ms["ann"].ID)
	e.exec(`UPDATE staff SET last_active = ? WHERE id = ?`, staffNow.Add(-3*time.Hour).Unix(), ms["ann"].ID)
	e.exec(`UPDATE staff SET last_active = ? WHERE id = ?`, staffNow.Add(-10*time.Minute).Unix(), ms["owner"].ID)
	e.exec(`UPDATE staff SET manager_id = ? WHERE id = ?`, ms["admin"].ID, ms["ann"].ID)
	e.exec(`UPDATE staff SET created_at = ?`, staffNow.Add(-40*24*time.Hour).Unix())
	return e, ms
}

func TestStaffListGolden(t *testing.T) {
	e, _ := staffOrg(t)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.press(s, "j")
		golden(t, sizeName("staff_list", sz), s.View(), sz[0], sz[1])
	}
}
