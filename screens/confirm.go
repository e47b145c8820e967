package screens

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// ConfirmResult is what a key did to a confirmation.
type ConfirmResult int

// Confirmation results.
const (
	ConfirmPending ConfirmResult = iota
	ConfirmYes
	ConfirmNo
)

// Confirm asks a yes/no question; y confirms, n or esc declines. Enter
// confirms only when Default is yes, so a reflexive enter on a dangerous
// question does nothing.
type Confirm struct {
	Title   string
	Body    string
	Yes     string // label of the confirming action, e.g. "Deactivate"
	Danger  bool
	Default bool
}

// Update handles a key.
func (c *Confirm) Update(msg tea.Msg) ConfirmResult {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return ConfirmPending
	}
	switch {
	case key.Matches(km, keymap.DialogYes):
		return ConfirmYes
	case key.Matches(km, keymap.DialogNo):
		return ConfirmNo
	case key.Matches(km, keymap.DialogSubmit) && c.Default:
		return ConfirmYes
	}
	return ConfirmPending
}

// View draws the question.
func (c *Confirm) View(th *theme.Theme, width int) string {
	title := th.Title.Render(c.Title)
	if c.Danger {
		title = th.Error.Render(c.Title)
	}
	yes := c.Yes
	if yes == "" {
		yes = "Yes"
	}
	yesKey := keymap.DialogYes
	if c.Default {
		yesKey = keymap.DialogYesOrEnter
	}
	prompt := hintLine(withDesc(yesKey, yes), keymap.DialogNo)
	return title + "\n\n" + lipgloss.NewStyle().Width(width).Render(c.Body) + "\n\n" + th.Muted.Render(prompt)
}

// ConfirmDialog asks before OnYes runs.
type ConfirmDialog struct {
	Confirm Confirm
	Theme   *theme.Theme
	OnYes   func() tea.Cmd
	// Recheck, when set, says whether the record the question is about is
	// still as it was shown (nil) or what changed; it runs whenever data
	// changes while the question is open, so that the question says so
	// before anything is written (the write refuses it as well).
	Recheck func() error
	changed string
	busy    bool
}

// checkOnOpen is the first Recheck of a confirmation just opened: the rows
// it was opened from may have been read before a change whose re-read is
// still on its way, and would then not reach it. Nil for other dialogs.
func checkOnOpen(d Dialog) tea.Cmd {
	cd, ok := d.(*ConfirmDialog)
	if !ok || cd.Recheck == nil {
		return nil
	}
	recheck := cd.Recheck
	return func() tea.Msg { return confirmRecheckMsg{d: cd, err: recheck()} }
}

// confirmRecheckMsg is the answer of a confirmation's Recheck.
type confirmRecheckMsg struct {
	d   *ConfirmDialog
	err error
}

// Update implements Dialog.
func (d *ConfirmDialog) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch m := msg.(type) {
	case RefreshMsg:
		if d.Recheck == nil || d.busy {
			return d, nil
		}
		recheck := d.Recheck
		return d, func() tea.Msg { return confirmRecheckMsg{d: d, err: recheck()} }
	case confirmRecheckMsg:
		if m.d == d {
			d.changed = ""
			var ce *model.ChangedError
			switch {
			case errors.As(m.err, &ce):
				d.changed = model.Sanitize(ce.Change())
			case m.err != nil:
				d.changed = errText(m.err)
			}
		}
		return d, nil
	}
	if d.busy {
		return d, nil
	}
	switch d.Confirm.Update(msg) {
	case ConfirmYes:
		// The write checks the record as shown (model.WithSeen) in its
		// transaction, and is refused, saying what changed, if it did.
		d.busy = true
		return d, d.OnYes()
	case ConfirmNo:
		return nil, nil
	}
	return d, nil
}

// View implements Dialog.
func (d *ConfirmDialog) View(width, height int) string {
	v := d.Confirm.View(d.Theme, min(width-4, 72))
	if d.changed != "" {
		v += "\n\n" + lipgloss.NewStyle().Width(min(width-4, 72)).Render(d.Theme.Warning.Render("Changed since you opened this: "+d.changed))
	}
	if d.busy {
		v += "\n" + d.Theme.Muted.Render("Working…")
	}
	return v
}
