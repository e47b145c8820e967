package screens

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// The plumbing between a screen and its dialogs: a dialog on a folder opens
// only after the engine allows it (gate), a dialog's write reports back as
// an ActionMsg (runAction) or as one addressed to whoever ran it
// (ownAction), and a later step of a form can step back (backOnCancel).

// gateMsg carries the engine's decision on one folder: open runs only when
// it allows.
type gateMsg struct {
	to       ViewID // the screen or container that asked
	decision model.Decision
	err      error
	open     func(t model.Target) (Dialog, tea.Cmd)
	target   model.Target
}

func gateCmd(to ViewID, sess *Session, clientID int64, action model.Action, open func(t model.Target) (Dialog, tea.Cmd)) tea.Cmd {
	return func() tea.Msg {
		t, err := sess.Svc.ClientTarget(sess.Context(), sess.Principal, clientID)
		if err != nil {
			return gateMsg{to: to, err: err}
		}
		return gateMsg{to: to, decision: sess.Can(action, t), open: open, target: t}
	}
}

// openGated turns a gate's answer into the dialog to show, or the reason
// it may not open.
func openGated(m gateMsg) (Dialog, tea.Cmd) {
	if m.err != nil {
		return nil, Status(errText(m.err), true)
	}
	if !m.decision.Allowed {
		return nil, RefusedWith(&ExplainView{Title: "Why it was refused", Decision: m.decision})
	}
	d, cmd := m.open(m.target)
	return d, tea.Batch(cmd, checkOnOpen(d))
}

// runAction runs a model call and reports it as an ActionMsg.
func runAction(status string, fn func() error) tea.Cmd { return runActionOn(Record{}, status, fn) }

// runActionOn runs a model call on rec and reports it as an ActionMsg for
// rec.
func runActionOn(rec Record, status string, fn func() error) tea.Cmd {
	return func() tea.Msg { return outcome(rec, status, nil, fn()) }
}

// outcome is the ActionMsg of an action on rec that ended with err.
func outcome(rec Record, status string, next Dialog, err error) ActionMsg {
	if err != nil {
		return ActionMsg{Err: err, For: rec}
	}
	return ActionMsg{Status: status, Next: next, For: rec}
}

// ownAction runs a model call and reports it to the view to as a
// clientsAction.
func ownAction(to ViewID, status string, fn func() error) tea.Cmd {
	return ownActionOn(to, Record{}, status, fn)
}

// ownActionOn runs a model call on rec and reports it to the view to as a
// clientsAction for rec.
func ownActionOn(to ViewID, rec Record, status string, fn func() error) tea.Cmd {
	return func() tea.Msg { return clientsAction{to: to, ActionMsg: outcome(rec, status, nil, fn())} }
}

// clientsAction is an ActionMsg of these screens addressed to the screen
// or container whose dialog ran it: the shell gives every message to every
// screen, so a plain ActionMsg could close another screen's dialog.
type clientsAction struct {
	to ViewID
	ActionMsg
}

// backOnCancel returns to prev when its inner dialog is cancelled with
// esc, so a later step of a form does not lose what was typed.
type backOnCancel struct {
	inner Dialog
	prev  Dialog
}

func (b *backOnCancel) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	next, cmd := b.inner.Update(msg)
	if next == nil {
		if km, ok := msg.(tea.KeyMsg); ok && key.Matches(km, keymap.DialogCancel) {
			return b.prev, cmd
		}
		return nil, cmd
	}
	if next != b.inner {
		return next, cmd
	}
	return b, cmd
}

func (b *backOnCancel) View(w, h int) string { return b.inner.View(w, h) }
