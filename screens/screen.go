// Package screens holds the views of Gatehouse: each a small Bubble Tea
// model over the model layer, talking to it through commands that return
// messages (no I/O in View).
package screens

import (
	"context"
	"sync/atomic"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// Session is what every screen knows of who is signed in.
type Session struct {
	Svc *model.Service
	// Principal acts; in the demo's "view as" it is a lens on the member
	// being viewed (model.ViewAs): it reads as they do and the model
	// refuses its every write.
	Principal model.Principal
	// Actor is the engine's view of Principal, refreshed by the shell on
	// every change so screens offer only what is allowed now.
	Actor model.Actor
	Org   model.Org
	Theme *theme.Theme
	Keys  keymap.KeyMap
	// Ctx is the session's context (see Context).
	Ctx context.Context
}

// seenCtx is the context of a write on records as the user saw them: the
// model refuses it, naming the record, when one is gone or changed in a
// way that matters since (model.WithSeen).
func (s *Session) seenCtx(seen ...model.Seen) context.Context {
	return model.WithSeen(s.Context(), seen...)
}

// Can asks the engine whether the session may act on a target; screens use
// it to hide or disable what is not allowed, the model re-checks on write.
func (s *Session) Can(action model.Action, t model.Target) model.Decision {
	return model.Decide(s.Actor, action, t)
}

// Screen is one tab of the shell.
type Screen interface {
	Init() tea.Cmd
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	// Title is the tab's label.
	Title() string
	// SetSize gives the screen the space below the header and above the footer.
	SetSize(width, height int)
	// Capturing is true while a text input or dialog has focus, so the
	// shell passes every key (tab, q, ?) to the screen.
	Capturing() bool
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// RefreshMsg tells screens that data changed (in this or another session)
// and the session's Actor was reloaded; screens re-query what they show.
type RefreshMsg struct{}

// StatusMsg shows a line in the shell's status bar.
type StatusMsg struct {
	Text string
	Err  bool
	// Why, when set, is the reason chain of a refusal: the shell offers a
	// key to show it while the status is on screen.
	Why *ExplainView
	// made is the status's place among those made before it (NewStatus);
	// 0 for one built as a literal, which takes no part in the order.
	made uint64
}

// statusClock orders statuses as they are made. A status is decided in an
// Update but reaches the shell through a command, and commands run
// concurrently: two statuses made one after the other can arrive the
// other way round, and the older would then hide the newer (the note of
// a re-read hiding the refusal of the key that followed it).
var statusClock atomic.Uint64

// NewStatus is a status line made now, in its place after every status
// made before it.
func NewStatus(text string, isErr bool) StatusMsg {
	return StatusMsg{Text: text, Err: isErr, made: statusClock.Add(1)}
}

// Status returns a command that shows a status line, made now.
func Status(text string, isErr bool) tea.Cmd {
	msg := NewStatus(text, isErr)
	return func() tea.Msg { return msg }
}

// StatusOrder keeps a status line from going back in time: it takes a
// status only if it was made after the last one it took.
type StatusOrder struct{ last uint64 }

// Take reports whether m is to be shown: made after the last status taken,
// or made outside the order (a literal).
func (o *StatusOrder) Take(m StatusMsg) bool {
	if m.made == 0 {
		return true
	}
	if m.made < o.last {
		return false
	}
	o.last = m.made
	return true
}

// Context is the context of every model call a screen makes: the
// session's, which the shell cancels when the member signs out or the
// session ends (an SSH client that disconnects, a session ended by an
// administrator), so a call still running then stops and writes nothing.
func (s *Session) Context() context.Context {
	if s.Ctx == nil {
		return context.Background()
	}
	return s.Ctx
}
