package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// joinStep redeems an invitation: who invited whom to what, then a
// password chosen twice.
type joinStep struct {
	inv    model.Invitation
	org    model.Org
	loaded bool
	// refused says why the code cannot be redeemed; only quitting remains.
	refused string
	form    *form
}

type (
	peekMsg struct {
		inv model.Invitation
		org model.Org
		err error
	}
	joinedMsg struct {
		member model.Member
		err    error
	}
)

const (
	joinPassword = iota
	joinRepeat
)

func newJoinStep(keys keymap.Form) *joinStep {
	return &joinStep{form: newForm(keys).
		add("Choose a password", fmt.Sprintf("at least %d characters", model.MinPassword), 1024, true).
		add("Password again", "", 1024, true)}
}

func (a *App) peekInvitation(code string) tea.Cmd {
	a.busy = true
	return func() tea.Msg {
		inv, err := a.svc.PeekInvitation(a.ctx, code)
		if err != nil {
			return peekMsg{err: err}
		}
		org, err := a.svc.Org(a.ctx)
		return peekMsg{inv: inv, org: org, err: err}
	}
}

func (a *App) updateJoin(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case peekMsg:
		a.busy = false
		if msg.err != nil {
			a.join.refused = "This invitation cannot be redeemed: " + errText(msg.err)
			return nil, true
		}
		a.join.inv, a.join.org, a.join.loaded = msg.inv, msg.org, true
		return nil, true
	case joinedMsg:
		a.busy = false
		if msg.err != nil {
			a.join.form.err = errText(msg.err)
			return nil, true
		}
		return a.beginEnrol(msg.member, !a.join.org.Require2FA, stageJoin), true
	}
	return nil, false
}

func (a *App) joinKey(msg tea.KeyMsg) tea.Cmd {
	j := a.join
	if !j.loaded {
		if key.Matches(msg, a.keys.Global.Quit, a.keys.Form.Back) {
			return tea.Quit
		}
		return nil
	}
	submit, cmd := j.form.update(msg)
	if !submit {
		return cmd
	}
	if j.form.value(joinPassword) != j.form.value(joinRepeat) {
		j.form.err = "The two passwords differ; type them again."
		j.form.clear(joinPassword)
		j.form.clear(joinRepeat)
		j.form.focusOn(joinPassword)
		return nil
	}
	code, pw := a.opts.JoinCode, j.form.value(joinPassword)
	j.form.err, a.busy = "", true
	return func() tea.Msg {
		m, err := a.svc.AcceptInvitation(a.ctx, code, pw, a.opts.Origin)
		return joinedMsg{member: m, err: err}
	}
}

func (a *App) joinView(w, h int) string {
	t, j := a.theme, a.join
	quit := a.help.ShortHelpView([]key.Binding{a.keys.Global.Quit})
	switch {
	case j.refused != "":
		return panel(t, w, h, "Join Gatehouse", t.Error.Render(j.refused), quit)
	case !j.loaded:
		return panel(t, w, h, "Join Gatehouse", "Looking up your invitation…", "")
	}
	inv := j.inv
	var b strings.Builder
	where := fmt.Sprintf("to join %s as %s.", t.Header.Render(safe(j.org.Name)), t.Header.Render(safe(inv.RoleName)))
	if inv.CreatedBy != "" {
		fmt.Fprintf(&b, "%s invited you %s\n\n", t.Header.Render(safe(inv.CreatedBy)), where)
	} else {
		fmt.Fprintf(&b, "You are invited %s\n\n", where)
	}
	fmt.Fprintf(&b, "%s %s\n%s %s\n", t.Label.Render("Name "), safe(inv.Name), t.Label.Render("Email"), safe(inv.Email))
	if !inv.ExpiresAt.IsZero() {
		fmt.Fprintf(&b, "%s %s\n", t.Label.Render("Until"), inv.ExpiresAt.Format("2 Jan 2006 15:04 MST"))
	}
	if msg := strings.TrimSpace(inv.Message); msg != "" {
		b.WriteString("\n" + t.Muted.Render("“"+safe(model.Truncate(msg, 300))+"”") + "\n")
	}
	if j.org.Require2FA {
		b.WriteString("\n" + t.Muted.Render("This organisation requires two-factor sign-in: you will set it up next.") + "\n")
	}
	b.WriteString("\n" + j.form.view(t, inputWidth+20))
	return panel(t, w, h, "Join "+safe(j.org.Name), a.busyLine(b.String()), a.formHelp(false))
}

// safe is text someone typed, made harmless for the terminal.
func safe(s string) string {
	if s == "" {
		return "—"
	}
	return model.Sanitize(s)
}
