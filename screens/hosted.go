package screens

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// hostedScreen shows a whole screen in a dialog slot of the Clients
// screens (the audit log filtered to a folder); esc on its list closes it.
type hostedScreen struct {
	scr Screen
}

func (h *hostedScreen) isContainer()     {}
func (h *hostedScreen) fullScreen() bool { return true }
func (h *hostedScreen) capturing() bool  { return h.scr.Capturing() }
func (h *hostedScreen) help() []key.Binding {
	return h.scr.ShortHelp()
}

// Update implements Dialog.
func (h *hostedScreen) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && key.Matches(km, keymap.Default().List.Back) && closesOnBack(h.scr) {
		return nil, nil
	}
	var cmd tea.Cmd
	h.scr, cmd = h.scr.Update(msg)
	return h, cmd
}

// View implements Dialog.
func (h *hostedScreen) View(width, height int) string {
	h.scr.SetSize(width, height)
	return h.scr.View()
}

// clientAudit opens the audit log of one folder, all of it, newest first
// (the filter line shows the time range; / narrows it), or says why it
// may not.
func clientAudit(sess *Session, clientID int64) (Dialog, tea.Cmd) {
	t := model.Target{Module: model.ModuleAudit}
	if !sess.Can(model.ActView, t).Allowed {
		return nil, RefusedAction(sess, model.ActView, t)
	}
	scr := NewAuditFor(sess, model.AuditQuery{ClientID: clientID})
	return &hostedScreen{scr: scr}, scr.Init()
}

// working reports whether d is waiting for its action's result: nothing
// can be typed into it then, so the shell may keep tab, ? and q and the
// user can move on while the write finishes.
func working(d Dialog) bool {
	switch d := d.(type) {
	case *ConfirmDialog:
		return d.busy
	case *FormDialog:
		return d.Form.busy
	}
	return false
}
