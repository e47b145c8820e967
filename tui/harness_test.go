package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"gatehouse/model"
	"gatehouse/screens"
)

func init() {
	model.SetFastHashForTests()
	// No colour codes: golden files compare plain text, and any ESC byte
	// in a view is then one that came from data.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// epoch is the fixed clock of every test, so that codes, expiries and
// goldens do not depend on when the tests run.
var epoch = time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)

const testPassword = "correct horse battery"

// harness drives the root model the way Bubble Tea does, synchronously:
// each command runs and its message is fed back to Update. Timed messages
// (polls, status expiry) are held in later until the test delivers them.
type harness struct {
	t      *testing.T
	ctx    context.Context
	svc    *model.Service
	app    *App
	clock  *time.Time
	later  []tea.Msg
	quit   bool
	probes []*probe
}

// deferred is a timed message held back by the harness.
type deferred struct{ msg tea.Msg }

func newService(t *testing.T) (*model.Service, *time.Time) {
	t.Helper()
	svc, err := model.Open(context.Background(), filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	clock := epoch
	svc.Now = func() time.Time { return clock }
	return svc, &clock
}

// newHarness opens the program on svc with probe screens at 80×24.
func newHarness(t *testing.T, svc *model.Service, clock *time.Time, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), svc: svc, clock: clock}
	tabs := []Tab{h.probeTab("Staff"), h.probeTab("Profile")}
	h.app = newApp(h.ctx, svc, opts, tabs)
	h.app.now = func() time.Time { return *clock }
	h.app.after = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return deferred{msg} }
	}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.feed(h.app.Init())
	return h
}

func (h *harness) probeTab(title string) Tab {
	return func(sess *screens.Session) screens.Screen {
		p := &probe{title: title, sess: sess}
		h.probes = append(h.probes, p)
		return p
	}
}

// send delivers msg and everything its commands lead to.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			h.t.Fatal("messages keep coming: a command loop")
		}
		m := queue[0]
		queue = queue[1:]
		_, cmd := h.app.Update(m)
		queue = append(queue, h.run(cmd)...)
	}
}

func (h *harness) feed(cmd tea.Cmd) {
	for _, m := range h.run(cmd) {
		h.send(m)
	}
}

// run executes a command and returns the messages to deliver now.
func (h *harness) run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch m := cmd().(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, h.run(c)...)
		}
		return out
	case deferred:
		h.later = append(h.later, m.msg)
		return nil
	case tea.QuitMsg:
		h.quit = true
		return nil
	default:
		return []tea.Msg{m}
	}
}

// poll delivers the shell's pending poll, as if half a second passed.
func (h *harness) poll() {
	h.t.Helper()
	for i, m := range h.later {
		if _, ok := m.(pollMsg); ok {
			h.later = append(h.later[:i], h.later[i+1:]...)
			h.send(m)
			return
		}
	}
	h.t.Fatal("no poll pending: the shell stopped watching for changes")
}

// typ types text into the focused field.
func (h *harness) typ(text string) {
	h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text)})
}

// press sends named keys: enter, tab, shift+tab, esc, up, down, ctrl+c,
// or a single character.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	named := map[string]tea.KeyType{"enter": tea.KeyEnter, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown, "ctrl+c": tea.KeyCtrlC, "backspace": tea.KeyBackspace}
	for _, k := range keys {
		if t, ok := named[k]; ok {
			h.send(tea.KeyMsg{Type: t})
			continue
		}
		h.typ(k)
	}
}

// fill types each value into a field and moves on with enter.
func (h *harness) fill(values ...string) {
	for _, v := range values {
		h.typ(v)
		h.press("enter")
	}
}

// advance moves the clock of the model and the program.
func (h *harness) advance(d time.Duration) { *h.clock = h.clock.Add(d) }

func (h *harness) view() string { return h.app.View() }

// flat is a view as words: borders and line breaks (where text wrapped)
// become single spaces.
func flat(v string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ").Replace(v)), " ")
}

// see fails unless the view holds every text, wrapped or not.
func (h *harness) see(texts ...string) {
	h.t.Helper()
	v := h.view()
	for _, s := range texts {
		if !strings.Contains(flat(v), flat(s)) {
			h.t.Fatalf("the screen does not show %q:\n%s", s, v)
		}
	}
}

func (h *harness) notSee(text string) {
	h.t.Helper()
	if v := h.view(); strings.Contains(flat(v), flat(text)) {
		h.t.Fatalf("the screen shows %q:\n%s", text, v)
	}
}

func (h *harness) stage(want stage) {
	h.t.Helper()
	if h.app.stage != want {
		h.t.Fatalf("at stage %d, want %d; screen:\n%s", h.app.stage, want, h.view())
	}
}

// code is the TOTP code of secret one step after the clock: a step not yet
// spent by enrolment, still within the accepted skew.
func (h *harness) code(secret string, step int) string {
	h.t.Helper()
	c, err := model.TOTPCode(secret, h.clock.Add(time.Duration(step)*30*time.Second))
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// probe is a screen that shows where it is and records what reaches it.
type probe struct {
	title     string
	sess      *screens.Session
	w, h      int
	refreshes int
	keys      []string
	capturing bool
	// full, when set, is the expanded help instead of the probe key;
	// onKey changes it when a key arrives, as a view opening would.
	full  [][]key.Binding
	short []key.Binding
	onKey func(p *probe)
}

func (p *probe) Init() tea.Cmd { return nil }
func (p *probe) Update(msg tea.Msg) (screens.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case screens.RefreshMsg:
		p.refreshes++
	case tea.KeyMsg:
		p.keys = append(p.keys, msg.String())
		if p.onKey != nil {
			p.onKey(p)
		}
	}
	return p, nil
}
func (p *probe) View() string {
	return fmt.Sprintf("%s screen, %d×%d", p.title, p.w, p.h)
}
func (p *probe) Title() string    { return p.title }
func (p *probe) SetSize(w, h int) { p.w, p.h = w, h }
func (p *probe) Capturing() bool  { return p.capturing }
func (p *probe) ShortHelp() []key.Binding {
	if p.short != nil {
		return p.short
	}
	return []key.Binding{probeKey}
}
func (p *probe) FullHelp() [][]key.Binding {
	if p.full != nil {
		return p.full
	}
	return [][]key.Binding{{probeKey}}
}

var probeKey = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "probe"))

// owner2FA makes an organisation whose Owner has two-factor sign-in, and
// returns the Owner and their secret and recovery codes.
func owner2FA(t *testing.T, svc *model.Service, clock time.Time) (model.Member, string, []string) {
	t.Helper()
	ctx := context.Background()
	m, err := svc.Setup(ctx, model.System("tester"), model.SetupInput{OrgName: "Acme Partners", OwnerName: "Olivia Owner", OwnerEmail: "owner@acme.test", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	p := model.MemberPrincipal(m, "test")
	e, err := svc.BeginTOTP(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := model.TOTPCode(e.Secret, clock)
	codes, err := svc.ConfirmTOTP(ctx, p, e.Secret, code)
	if err != nil {
		t.Fatal(err)
	}
	return m, e.Secret, codes
}

// addMember invites and accepts a member with a role.
func addMember(t *testing.T, svc *model.Service, name, email, role string) model.Member {
	t.Helper()
	ctx := context.Background()
	_, code, err := svc.Invite(ctx, model.System("tester"), model.InviteInput{Email: email, Name: name, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	m, err := svc.AcceptInvitation(ctx, code, testPassword, "test")
	if err != nil {
		t.Fatal(err)
	}
	return m
}
