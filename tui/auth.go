package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/model"
)

// Results of the model calls the sign-in steps make.
type (
	setupDoneMsg struct {
		member model.Member
		err    error
	}
	demoDoneMsg struct {
		member model.Member
		err    error
	}
	signInMsg struct {
		res model.SignInResult
		err error
	}
	codeMsg struct{ err error }
)

// Field indexes of the forms.
const (
	setupOrg = iota
	setupName
	setupEmail
	setupPassword
	setupRepeat
)

const (
	signInEmail = iota
	signInPassword
)

// chooser entries on an empty database.
var chooserEntries = []struct{ title, detail string }{
	{"Create your organisation", "Name it, become its Owner and set up two-factor sign-in."},
	{"Explore the demo organisation", "Sample staff and clients; you start as the Owner."},
}

func (a *App) newSetupForm() *form {
	return newForm(a.keys.Form).
		add("Organisation name", "Acme Partners", model.MaxNameLen, false).
		add("Your name", "Olivia Owner", model.MaxNameLen, false).
		add("Your email", "you@example.com", model.MaxEmailLen, false).
		add("Password", fmt.Sprintf("at least %d characters", model.MinPassword), 1024, true).
		add("Password again", "", 1024, true)
}

func (a *App) showSignIn(notice string) {
	a.stage, a.busy, a.notice = stageSignIn, false, notice
	a.signin = newForm(a.keys.Form).
		add("Email", "you@example.com", model.MaxEmailLen, false).
		add("Password", "", 1024, true)
}

func (a *App) showCode() {
	a.stage, a.busy = stageCode, false
	a.code = newForm(a.keys.Form).add("Code", "6 digits, or a recovery code", 64, false)
}

// updateAuth handles messages for every step before the shell; ok is false
// when the message was not for them.
func (a *App) updateAuth(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if a.busy {
			return nil, true
		}
		return a.authKey(msg), true
	case setupDoneMsg:
		return a.setupDone(msg), true
	case demoDoneMsg:
		if msg.err != nil {
			a.fail("Could not create the demo organisation: " + errText(msg.err))
			return nil, true
		}
		return a.enterShell(msg.member), true
	case signInMsg:
		return a.signedIn(msg), true
	case codeMsg:
		return a.codeChecked(msg), true
	case sessionMsg:
		return a.openShell(msg), true
	}
	if cmd, ok := a.updateJoin(msg); ok {
		return cmd, true
	}
	return a.updateEnrol(msg)
}

// authKey dispatches a key to the current step.
func (a *App) authKey(msg tea.KeyMsg) tea.Cmd {
	switch a.stage {
	case stageFailed:
		if key.Matches(msg, a.keys.Global.Quit, a.keys.Form.Back) {
			return tea.Quit
		}
	case stageChooser:
		return a.chooserKey(msg)
	case stageSetup:
		return a.setupKey(msg)
	case stageSignIn:
		return a.signInKey(msg)
	case stageCode:
		return a.codeKey(msg)
	case stageJoin:
		return a.joinKey(msg)
	case stageOfferEnrol, stageEnrol, stageRecovery:
		return a.enrolKey(msg)
	}
	return nil
}

func (a *App) chooserKey(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, a.keys.Global.Quit):
		return tea.Quit
	case key.Matches(msg, a.keys.Choice.Up):
		a.chooser = max(a.chooser-1, 0)
	case key.Matches(msg, a.keys.Choice.Down):
		a.chooser = min(a.chooser+1, len(chooserEntries)-1)
	case key.Matches(msg, a.keys.Choice.Choose):
		if a.chooser == 0 {
			a.stage, a.setup = stageSetup, a.newSetupForm()
			return nil
		}
		return a.populateDemo()
	}
	return nil
}

func (a *App) populateDemo() tea.Cmd {
	a.stage, a.busy = stageDemoLoading, true
	sys := model.System(a.opts.OSUser)
	return func() tea.Msg {
		info, err := a.svc.PopulateDemo(a.ctx, sys)
		if err != nil {
			return demoDoneMsg{err: err}
		}
		for _, m := range info.Members {
			if m.Role == "Owner" {
				owner, err := a.svc.MemberByEmail(a.ctx, sys, m.Email)
				return demoDoneMsg{member: owner, err: err}
			}
		}
		return demoDoneMsg{err: errors.New("the demo organisation has no Owner")}
	}
}

func (a *App) setupKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, a.keys.Form.Back) {
		a.stage = stageChooser
		return nil
	}
	submit, cmd := a.setup.update(msg)
	if !submit {
		return cmd
	}
	f := a.setup
	if f.value(setupPassword) != f.value(setupRepeat) {
		f.err = "The two passwords differ; type them again."
		f.clear(setupPassword)
		f.clear(setupRepeat)
		f.focusOn(setupPassword)
		return nil
	}
	f.err, a.busy = "", true
	in := model.SetupInput{OrgName: f.value(setupOrg), OwnerName: f.value(setupName), OwnerEmail: f.value(setupEmail), Password: f.value(setupPassword)}
	sys := model.System(a.opts.OSUser)
	return func() tea.Msg {
		m, err := a.svc.Setup(a.ctx, sys, in)
		return setupDoneMsg{member: m, err: err}
	}
}

func (a *App) setupDone(msg setupDoneMsg) tea.Cmd {
	a.busy = false
	if msg.err != nil {
		a.setup.err = errText(msg.err)
		return nil
	}
	// The Owner holds every key to the firm: two-factor sign-in is not
	// optional for them.
	return a.beginEnrol(msg.member, false, stageSetup)
}

func (a *App) signInKey(msg tea.KeyMsg) tea.Cmd {
	submit, cmd := a.signin.update(msg)
	if !submit {
		return cmd
	}
	email, pw := a.signin.value(signInEmail), a.signin.value(signInPassword)
	a.signin.err, a.notice, a.busy = "", "", true
	return func() tea.Msg {
		res, err := a.svc.SignIn(a.ctx, email, pw, a.opts.Origin)
		return signInMsg{res: res, err: err}
	}
}

func (a *App) signedIn(msg signInMsg) tea.Cmd {
	a.busy = false
	if msg.err != nil {
		a.signin.err = errText(msg.err)
		a.signin.clear(signInPassword)
		a.signin.focusOn(signInPassword)
		return nil
	}
	m := msg.res.Member
	switch {
	case msg.res.NeedCode:
		a.pending = &m
		a.showCode()
		return nil
	case msg.res.NeedEnrol:
		return a.beginEnrol(m, false, stageSignIn)
	}
	return a.enterShell(m)
}

func (a *App) codeKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, a.keys.Form.Back) {
		a.pending = nil
		a.showSignIn("")
		return nil
	}
	submit, cmd := a.code.update(msg)
	if !submit || a.pending == nil {
		return cmd
	}
	id, code := a.pending.ID, a.code.value(0)
	a.code.err, a.busy = "", true
	return func() tea.Msg {
		return codeMsg{err: a.svc.VerifyCode(a.ctx, id, code, a.opts.Origin)}
	}
}

func (a *App) codeChecked(msg codeMsg) tea.Cmd {
	a.busy = false
	if msg.err != nil {
		a.code.err = errText(msg.err)
		a.code.clear(0)
		return nil
	}
	return a.enterShell(*a.pending)
}

// authView draws the steps before the shell.
func (a *App) authView(w, h int) string {
	t := a.theme
	switch a.stage {
	case stageLoading:
		return panel(t, w, h, "Gatehouse", "Opening the database…", "")
	case stageDemoLoading:
		return panel(t, w, h, "Gatehouse", "Creating the demo organisation…", "")
	case stageFailed:
		return panel(t, w, h, "Gatehouse", t.Error.Render(a.fatal), a.help.ShortHelpView([]key.Binding{a.keys.Global.Quit}))
	case stageChooser:
		return a.chooserView(w, h)
	case stageSetup:
		body := "This database has no organisation yet. You will be its Owner.\n\n" + a.setup.view(t, inputWidth+20)
		return panel(t, w, h, "Create your organisation", a.busyLine(body), a.formHelp(true))
	case stageSignIn:
		body := a.signin.view(t, inputWidth+20)
		if a.notice != "" {
			body = t.Warning.Width(inputWidth+20).Render(a.notice) + "\n\n" + body
		}
		return panel(t, w, h, "Sign in to Gatehouse", a.busyLine(body), a.formHelp(false))
	case stageCode:
		who := ""
		if a.pending != nil {
			who = " for " + model.Sanitize(a.pending.Email)
		}
		body := "Enter the 6-digit code from your authenticator app" + who + ", or one of your recovery codes.\n\n" + a.code.view(t, inputWidth+20)
		return panel(t, w, h, "Two-factor sign-in", a.busyLine(body), a.formHelp(true))
	case stageJoin:
		return a.joinView(w, h)
	case stageOfferEnrol, stageEnrol, stageRecovery:
		return a.enrolView(w, h)
	}
	return ""
}

// busyLine adds a "working" line while a model call runs.
func (a *App) busyLine(body string) string {
	if a.busy {
		return body + "\n\n" + a.theme.Muted.Render("Checking…")
	}
	return body
}

func (a *App) chooserView(w, h int) string {
	t := a.theme
	var b strings.Builder
	b.WriteString("This database has no organisation yet. How would you like to start?\n")
	for i, e := range chooserEntries {
		title, marker := t.Header.Render(e.title), "  "
		if i == a.chooser {
			title, marker = t.Focused.Render(e.title), t.Focused.Render("› ")
		}
		// The detail wraps under itself, not under the marker.
		detail := lipgloss.NewStyle().PaddingLeft(4).Width(panelInner(w)).Render(t.Muted.Render(e.detail))
		b.WriteString("\n" + marker + title + "\n" + detail + "\n")
	}
	help := a.help.ShortHelpView([]key.Binding{a.keys.Choice.Up, a.keys.Choice.Down, a.keys.Choice.Choose, a.keys.Global.Quit})
	return panel(t, w, h, "Welcome to Gatehouse", strings.TrimRight(b.String(), "\n"), help)
}

// formHelp is the key line under a form; back is offered where esc leads
// somewhere.
func (a *App) formHelp(back bool) string {
	b := []key.Binding{a.keys.Form.Next, a.keys.Form.Submit}
	if back {
		b = append(b, a.keys.Form.Back)
	}
	return a.help.ShortHelpView(append(b, a.keys.Form.Interrupt))
}

// errText turns a model error into a sentence for the screen: the
// wrapping context ("sign in: ") and sentinel labels are for logs, not
// people, and anything echoed from input is sanitised.
func errText(err error) string {
	if errors.Is(err, model.ErrBadCredentials) {
		return "Wrong email or password."
	}
	msg := err.Error()
	for trimmed := true; trimmed; {
		trimmed = false
		for _, p := range errPrefixes {
			if rest, ok := strings.CutPrefix(msg, p); ok {
				msg, trimmed = rest, true
			}
		}
	}
	msg = model.Sanitize(msg)
	if msg == "" {
		return "Something went wrong."
	}
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

var errPrefixes = []string{
	"sign in: ", "verify code: ", "accept invitation: ", "set up organisation: ", "confirm 2fa: ", "begin 2fa: ",
	"enrol 2fa: ", "invalid input: ", "not possible: ", "not found: ", "already exists: ",
}
