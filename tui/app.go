// Package tui is Gatehouse's terminal program: the first run, sign-in with
// a TOTP code, redeeming an invitation, and the shell that hosts the
// screens. The root model does no I/O itself: every model call runs in a
// tea.Cmd and comes back as a message, and sizes come from
// tea.WindowSizeMsg, so the same model serves a local terminal and an SSH
// session.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/screens"
	"gatehouse/theme"
)

// Smallest window the program draws in; below it, it says so.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Options say how the program starts.
type Options struct {
	// Demo marks a demo organisation: a banner, and "view as".
	Demo bool
	// SignedIn starts the shell as this member, skipping sign-in (the demo
	// command, or an SSH session already authenticated).
	SignedIn *model.Member
	// JoinCode redeems an invitation before signing in.
	JoinCode string
	// Origin is recorded in the audit log ("local terminal", "ssh …").
	Origin string
	// OSUser is the operating-system user, the actor of the first run.
	OSUser string
	// Hosted: the live session this app runs in is recorded and watched
	// by its host (the SSH server, for its connection); otherwise the app
	// records its own in the sessions table while a member is signed in.
	Hosted bool
}

// stage is which step the program is at.
type stage int

const (
	stageLoading stage = iota
	stageFailed
	stageChooser
	stageSetup
	stageDemoLoading
	stageSignIn
	stageCode
	stageJoin
	stageOfferEnrol
	stageEnrol
	stageRecovery
	stageShell
)

// App is the root model.
type App struct {
	ctx   context.Context
	svc   *model.Service
	opts  Options
	theme *theme.Theme
	keys  keymap.KeyMap
	help  help.Model
	now   func() time.Time
	// after delivers msg once d has passed (tea.Tick); tests replace it to
	// deliver timed messages when they choose.
	after func(d time.Duration, msg tea.Msg) tea.Cmd
	tabs  []Tab

	width, height int
	stage         stage
	// busy is set while a model call runs, so a second enter does not
	// submit twice.
	busy bool
	// fatal is why the program cannot go on (shown with "q to quit").
	fatal string
	// notice is shown above the sign-in form: why a session ended.
	notice string

	chooser int
	setup   *form
	signin  *form
	code    *form
	join    *joinStep
	enrol   *enrolStep
	codes   []string

	// pending is the member who proved who they are but is not in the
	// shell yet (enrolling, or reading their recovery codes).
	pending *model.Member

	shell *shell
	// shellSeq numbers shells, so that ticks of an ended one are dropped.
	shellSeq int
}

// New returns the root model. ctx bounds every model call it makes.
func New(ctx context.Context, svc *model.Service, opts Options) tea.Model {
	return newApp(ctx, svc, opts, DefaultTabs)
}

func newApp(ctx context.Context, svc *model.Service, opts Options, tabs []Tab) *App {
	if opts.Origin == "" {
		opts.Origin = "local terminal"
	}
	if opts.OSUser == "" {
		opts.OSUser = "unknown"
	}
	h := help.New()
	return &App{ctx: ctx, svc: svc, opts: opts, theme: theme.Default(), keys: keymap.Default(), help: h,
		now: time.Now, after: tick, tabs: tabs}
}

// Run runs the program full-screen on the process's terminal.
func Run(ctx context.Context, svc *model.Service, opts Options) error {
	p := tea.NewProgram(New(ctx, svc, opts), tea.WithAltScreen(), tea.WithContext(ctx))
	final, err := p.Run()
	if app, ok := final.(*App); ok {
		app.closeSession()
		if app.shell != nil {
			app.shell.cancel()
		}
	}
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	return nil
}

func tick(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// startMsg says what the database holds when the program opens.
type startMsg struct {
	hasOrg bool
	err    error
}

// Init decides the first step.
func (a *App) Init() tea.Cmd {
	switch {
	case a.opts.SignedIn != nil:
		return a.enterShell(*a.opts.SignedIn)
	case a.opts.JoinCode != "":
		a.stage = stageJoin
		a.join = newJoinStep(a.keys.Form)
		return a.peekInvitation(a.opts.JoinCode)
	}
	return func() tea.Msg {
		ok, err := a.svc.HasOrg(a.ctx)
		return startMsg{hasOrg: ok, err: err}
	}
}

// Update routes a message to the current step.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.Width = msg.Width
		if a.shell != nil {
			a.shell.resize(msg.Width, msg.Height)
		}
		return a, nil
	case tea.KeyMsg:
		if keys, ok := splitKeys(msg); ok {
			return a, a.updateEach(keys)
		}
		if key.Matches(msg, a.keys.Form.Interrupt) {
			return a, tea.Quit
		}
	case startMsg:
		return a, a.started(msg)
	case sessionEndedMsg:
		a.endSession(msg)
		return a, nil
	}
	if a.stage == stageShell && a.shell != nil {
		return a, a.shell.update(msg)
	}
	if cmd, ok := a.updateAuth(msg); ok {
		return a, cmd
	}
	return a, nil
}

// altWordKeys are kept as they are: the text fields' word keys (alt+b,
// alt+f, alt+d), and [ and O, which begin a terminal's key sequences. No
// other binding uses alt.
const altWordKeys = "bfd[O"

// splitKeys splits keys typed so fast (or sent over SSH so close together)
// that the terminal reader delivered them as one message: "/" then "leo"
// arrive as "/leo", which matches no binding, and esc then q as alt+q, so
// the keypresses would do nothing. A paste stays whole.
func splitKeys(msg tea.KeyMsg) ([]tea.KeyMsg, bool) {
	if msg.Type != tea.KeyRunes || msg.Paste {
		return nil, false
	}
	var keys []tea.KeyMsg
	switch {
	case msg.Alt && !(len(msg.Runes) == 1 && strings.ContainsRune(altWordKeys, msg.Runes[0])):
		keys = append(keys, tea.KeyMsg{Type: tea.KeyEscape})
	case msg.Alt || len(msg.Runes) < 2:
		return nil, false
	}
	for _, r := range msg.Runes {
		keys = append(keys, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return keys, true
}

// updateEach handles keys one after the other, as if typed apart.
func (a *App) updateEach(keys []tea.KeyMsg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(keys))
	for _, k := range keys {
		_, cmd := a.Update(k)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *App) started(msg startMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		a.fail(fmt.Sprintf("Could not read the database: %s", errText(msg.err)))
	case msg.hasOrg:
		a.showSignIn("")
	default:
		a.stage = stageChooser
	}
	return nil
}

// fail stops at a message; only quitting remains.
func (a *App) fail(text string) {
	a.stage, a.fatal, a.busy = stageFailed, text, false
}

// View draws the current step.
func (a *App) View() string {
	w, h := a.width, a.height
	if w == 0 || h == 0 {
		// No size yet: draw for the classic terminal until one arrives.
		w, h = 80, 24
	}
	if w < MinWidth || h < MinHeight {
		return tooSmall(a.theme, w, h)
	}
	if a.stage == stageShell && a.shell != nil {
		return a.shell.view()
	}
	return a.authView(w, h)
}

// tooSmall is what a window below the minimum shows instead of the UI.
func tooSmall(t *theme.Theme, w, h int) string {
	msg := fmt.Sprintf("Gatehouse: make the window larger (needs %d×%d, have %d×%d)", MinWidth, MinHeight, w, h)
	body := t.Warning.Width(max(w, 1)).Render(msg)
	return lipgloss.NewStyle().MaxWidth(max(w, 1)).MaxHeight(max(h, 1)).Render(body)
}

// sessionEndedMsg ends the shell and returns to sign-in with a reason; a
// final one (the organisation is gone) leaves only quitting.
type sessionEndedMsg struct {
	reason string
	final  bool
}

func (a *App) endSession(msg sessionEndedMsg) {
	a.closeSession()
	if a.shell != nil {
		a.shell.cancel()
	}
	a.shell = nil
	a.pending = nil
	if msg.final {
		a.fail(msg.reason)
		return
	}
	a.showSignIn(msg.reason)
}

// sessionMsg carries what the shell needs to open.
type sessionMsg struct {
	member model.Member
	actor  model.Actor
	org    model.Org
	count  int64
	row    int64 // the session's row in the sessions table (0: hosted)
	err    error
}

// closeSession forgets the app's own live session, if it has one open.
func (a *App) closeSession() {
	if a.shell == nil || a.shell.row == 0 {
		return
	}
	row := a.shell.row
	a.shell.row = 0
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = a.svc.CloseSession(ctx, row)
}

// enterShell loads the organisation and the member's permissions, then
// opens the shell (on sessionMsg).
func (a *App) enterShell(m model.Member) tea.Cmd {
	a.busy = true
	p := model.MemberPrincipal(m, a.opts.Origin)
	return func() tea.Msg {
		org, err := a.svc.Org(a.ctx)
		if err != nil {
			return sessionMsg{err: err}
		}
		act, err := a.svc.Actor(a.ctx, p)
		if err != nil {
			return sessionMsg{err: err}
		}
		n, err := a.svc.ChangeCounter(a.ctx)
		if err != nil {
			return sessionMsg{err: err}
		}
		var row int64
		if !a.opts.Hosted && act.Status == "active" && act.Lock == nil {
			// Recorded, so that `sessions list` shows it and `sessions
			// end` or a lock can end it from any process.
			if row, err = a.svc.OpenSession(a.ctx, p, model.SessionInfo{Kind: model.SessionApp, Doing: "app"}); err != nil {
				return sessionMsg{err: err}
			}
		}
		return sessionMsg{member: m, actor: act, org: org, count: n, row: row}
	}
}

func (a *App) openShell(msg sessionMsg) tea.Cmd {
	a.busy = false
	if msg.err != nil {
		a.showSignIn("Could not open the session: " + errText(msg.err))
		return nil
	}
	if msg.actor.Status != "active" {
		a.showSignIn(inactiveNotice(msg.actor.Status))
		return nil
	}
	if msg.actor.Lock != nil {
		a.showSignIn(lockedNotice(*msg.actor.Lock))
		return nil
	}
	sess := &screens.Session{Svc: a.svc, Principal: model.MemberPrincipal(msg.member, a.opts.Origin), Actor: msg.actor,
		Org: msg.org, Theme: a.theme, Keys: a.keys}
	a.shell = newShell(a, sess, msg.count)
	a.shell.row = msg.row
	a.stage = stageShell
	a.pending = nil
	a.shell.resize(a.width, a.height)
	return a.shell.init()
}

func lockedNotice(l model.Lock) string {
	return "Your session ended: you are " + model.LockNotice(l) + "."
}

func inactiveNotice(status string) string {
	if status == "deactivated" {
		return "Your session ended: your account was deactivated. Ask an Admin to reactivate it."
	}
	return fmt.Sprintf("Your session ended: your account is %s.", status)
}
