package screens

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Action is one key of a view declared whole, as lazygit's controllers
// declare theirs ({Key, Handler, Description}): its binding (keys and
// help text), when it is open and what it does. A view lists its actions
// once; its key help and its hint line are drawn from that list and its
// keys are dispatched through it, so what the help offers and what a key
// does cannot disagree.
type Action struct {
	Binding key.Binding
	// Enabled reports whether the action is open now; nil means always.
	// A closed action is left out of the help and its handler does not
	// run: its key runs Refused instead.
	Enabled func() bool
	// Refused is what the key of a closed action does: say why in the
	// status line. Nil: the key does nothing.
	Refused func() tea.Cmd
	// Run is what the key does.
	Run func() tea.Cmd
}

func (a Action) open() bool { return a.Enabled == nil || a.Enabled() }

// Actions are a view's actions, in the order its help lists them.
type Actions []Action

// Dispatch runs the first action km is a key of (its Refused, if it is
// closed) and reports whether there was one.
func (as Actions) Dispatch(km tea.KeyMsg) (tea.Cmd, bool) {
	for _, a := range as {
		if !key.Matches(km, a.Binding) {
			continue
		}
		switch {
		case a.open():
			return a.Run(), true
		case a.Refused != nil:
			return a.Refused(), true
		}
		return nil, true
	}
	return nil, false
}

// Bindings are the bindings of the open actions, for the help.
func (as Actions) Bindings() []key.Binding {
	out := make([]key.Binding, 0, len(as))
	for _, a := range as {
		if a.open() {
			out = append(out, a.Binding)
		}
	}
	return out
}

// hintLine draws bindings as a view's line of key hints, "key desc · key
// desc", through bubbles/help as the shell's key help is drawn, so a hint
// says what its binding says. The line is plain text, for the view to
// style and fit.
func hintLine(bindings ...key.Binding) string {
	return hintLineSep(" · ", bindings...)
}

// hintLineSep is hintLine with its own separator.
func hintLineSep(sep string, bindings ...key.Binding) string {
	h := help.New()
	h.ShortSeparator = sep
	plain := lipgloss.NewStyle()
	h.Styles = help.Styles{ShortKey: plain, ShortDesc: plain, ShortSeparator: plain, Ellipsis: plain}
	return h.ShortHelpView(bindings)
}
