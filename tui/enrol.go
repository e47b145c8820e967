package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/model"
	"gatehouse/screens"
)

// enrolStep is TOTP enrolment: the QR code and secret, then a code from
// the app to prove it was saved.
type enrolStep struct {
	member model.Member
	// optional enrolments can be skipped (the organisation does not
	// require 2FA); the others cannot be left except back to from.
	optional  bool
	from      stage
	enrolment model.TOTPEnrolment
	qr        []string
	code      *form
}

type (
	enrolBeganMsg struct {
		enrolment model.TOTPEnrolment
		err       error
	}
	enrolDoneMsg struct {
		codes []string
		err   error
	}
)

// beginEnrol starts enrolment for m: an optional one first asks whether to
// set it up now.
func (a *App) beginEnrol(m model.Member, optional bool, from stage) tea.Cmd {
	a.pending = &m
	code := newForm(a.keys.Form).add("Code", "6 digits", 16, false)
	// A code is short; a narrow field keeps the column beside the QR code.
	code.fields[0].input.Width = 16
	a.enrol = &enrolStep{member: m, optional: optional, from: from, code: code}
	if optional {
		a.stage, a.busy = stageOfferEnrol, false
		return nil
	}
	return a.startEnrol()
}

func (a *App) startEnrol() tea.Cmd {
	a.stage, a.busy = stageEnrol, true
	p := model.MemberPrincipal(a.enrol.member, a.opts.Origin)
	return func() tea.Msg {
		e, err := a.svc.BeginTOTP(a.ctx, p)
		return enrolBeganMsg{enrolment: e, err: err}
	}
}

func (a *App) updateEnrol(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case enrolBeganMsg:
		a.busy = false
		if msg.err != nil {
			a.fail("Could not start two-factor enrolment: " + errText(msg.err))
			return nil, true
		}
		a.enrol.enrolment = msg.enrolment
		// A QR code that cannot be drawn leaves the secret, which is
		// enough to enrol by hand.
		a.enrol.qr, _ = screens.QRLines(screens.CompactOTPURL(msg.enrolment.URL))
		return nil, true
	case enrolDoneMsg:
		a.busy = false
		if msg.err != nil {
			a.enrol.code.err = errText(msg.err)
			a.enrol.code.clear(0)
			return nil, true
		}
		a.codes, a.stage = msg.codes, stageRecovery
		return nil, true
	}
	return nil, false
}

func (a *App) enrolKey(msg tea.KeyMsg) tea.Cmd {
	e := a.enrol
	switch a.stage {
	case stageOfferEnrol:
		switch {
		case key.Matches(msg, a.keys.Choice.Choose):
			return a.startEnrol()
		case key.Matches(msg, a.keys.Choice.Skip, a.keys.Form.Back):
			return a.enterShell(e.member)
		}
	case stageRecovery:
		if key.Matches(msg, a.keys.Choice.Saved) {
			a.codes = nil
			return a.enterShell(e.member)
		}
	case stageEnrol:
		if key.Matches(msg, a.keys.Form.Back) {
			switch {
			case e.optional:
				return a.enterShell(e.member)
			case e.from == stageSignIn:
				a.pending = nil
				a.showSignIn("")
			}
			return nil
		}
		submit, cmd := e.code.update(msg)
		if !submit {
			return cmd
		}
		p := model.MemberPrincipal(e.member, a.opts.Origin)
		secret, code := e.enrolment.Secret, e.code.value(0)
		e.code.err, a.busy = "", true
		return func() tea.Msg {
			codes, err := a.svc.ConfirmTOTP(a.ctx, p, secret, code)
			return enrolDoneMsg{codes: codes, err: err}
		}
	}
	return nil
}

// The column of text beside the QR code, at most and at least.
const (
	enrolTextWidth    = 36
	minEnrolTextWidth = 30
)

func (a *App) enrolView(w, h int) string {
	t := a.theme
	e := a.enrol
	switch {
	case a.stage == stageOfferEnrol:
		body := "Protect your account with a 6-digit code from an authenticator app (or oathtool) as well as your password. Recommended."
		help := a.help.ShortHelpView([]key.Binding{withHelp(a.keys.Choice.Choose, "set it up now"), a.keys.Choice.Skip, a.keys.Form.Interrupt})
		return panel(t, w, h, "Two-factor sign-in", body, help)
	case a.stage == stageRecovery:
		return a.recoveryView(w, h)
	case e.enrolment.Secret == "":
		return panel(t, w, h, "Set up two-factor sign-in", "Preparing your secret…", "")
	}
	title := t.Title.Render("Set up two-factor sign-in")
	qr := strings.Join(e.qr, "\n")
	qrW := model.DisplayWidth(qr)
	// Beside the QR code the text column narrows, and the blank line
	// under the title goes, before the code is given up.
	textW := min(enrolTextWidth, w-qrW-2)
	if len(e.qr) > 0 && textW >= minEnrolTextWidth && len(e.qr)+1 <= h {
		body := lipgloss.JoinHorizontal(lipgloss.Top, t.QR.Render(qr), "  ", a.enrolText(textW))
		view := lipgloss.JoinVertical(lipgloss.Left, title, body)
		if len(e.qr)+2 <= h {
			view = lipgloss.JoinVertical(lipgloss.Left, title, "", body)
		}
		return clip(w, h, lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, view))
	}
	note := "The QR code could not be drawn; type the secret instead."
	if len(e.qr) > 0 {
		note = fmt.Sprintf("Make the window at least %d×%d to see the QR code.", qrW+2+minEnrolTextWidth, len(e.qr)+1)
	}
	noteView, text := t.Muted.Width(enrolTextWidth).Render(note), a.enrolText(enrolTextWidth)
	// On a short window the blank lines go, then the note, so that the
	// secret and the code field stay in view.
	view := lipgloss.JoinVertical(lipgloss.Left, title, "", noteView, "", text)
	if lipgloss.Height(view) > h {
		view = lipgloss.JoinVertical(lipgloss.Left, title, noteView, withoutBlankLines(text))
	}
	if lipgloss.Height(view) > h {
		view = lipgloss.JoinVertical(lipgloss.Left, title, withoutBlankLines(text))
	}
	return clip(w, h, lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, view))
}

// enrolText is the column of instructions, secret and code field.
func (a *App) enrolText(width int) string {
	t, e := a.theme, a.enrol
	col := lipgloss.NewStyle().Width(width)
	lines := []string{
		col.Render("1. Scan the QR code with your authenticator app, or type this secret into it:"),
		"",
		t.Secret.Render(secretLines(e.enrolment.Secret)),
		"",
		t.Label.Render("Account ") + model.Sanitize(model.Truncate(e.enrolment.Account, width-8)),
		t.Label.Render("Issuer  ") + model.Sanitize(model.Truncate(e.enrolment.Issuer, width-8)),
		"",
		col.Render("2. Enter the code the app shows:"),
		e.code.view(t, width),
	}
	if a.busy {
		lines = append(lines, t.Muted.Render("Checking…"))
	}
	help := []key.Binding{a.keys.Form.Submit}
	switch {
	case e.optional:
		help = append(help, withHelp(a.keys.Form.Back, "skip"))
	case e.from == stageSignIn:
		help = append(help, a.keys.Form.Back)
	}
	// The column is narrow beside the QR code: the keys wrap rather than
	// lose "ctrl+c quit" at the window's edge.
	lines = append(lines, "")
	lines = append(lines, wrapKeys(a.help, append(help, a.keys.Form.Interrupt), width)...)
	return strings.Join(lines, "\n")
}

// secretLines prints the secret in groups of four, four groups a line.
func secretLines(secret string) string {
	groups := strings.Fields(groupSecret(secret))
	var lines []string
	for len(groups) > 4 {
		lines = append(lines, strings.Join(groups[:4], " "))
		groups = groups[4:]
	}
	return strings.Join(append(lines, strings.Join(groups, " ")), "\n")
}

func (a *App) recoveryView(w, h int) string {
	t := a.theme
	var rows []string
	half := (len(a.codes) + 1) / 2
	for i := 0; i < half; i++ {
		row := fmt.Sprintf("%2d. %s", i+1, t.Secret.Render(a.codes[i]))
		if j := i + half; j < len(a.codes) {
			row += fmt.Sprintf("    %2d. %s", j+1, t.Secret.Render(a.codes[j]))
		}
		rows = append(rows, row)
	}
	body := "Each code signs you in once if you lose your authenticator app. They are shown only now: save them somewhere safe.\n\n" +
		strings.Join(rows, "\n")
	return panel(t, w, h, "Your recovery codes", body, a.help.ShortHelpView([]key.Binding{a.keys.Choice.Saved}))
}

// withHelp is b with another description, where the same key means
// something more specific on one step.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}
