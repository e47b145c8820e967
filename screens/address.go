package screens

import (
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"
)

// ViewID names one view (a screen, or a view inside one, such as Manage
// Access) for as long as the program runs, as bubbles' components carry an
// id: a result of a view's command carries the id of the view that asked,
// and only that view acts on it. Ids are never reused, so a result that
// arrives after its view was closed, or for another session's view of the
// same kind, finds nobody.
type ViewID int64

var lastViewID atomic.Int64

// NewViewID returns an id no other view has.
func NewViewID() ViewID { return ViewID(lastViewID.Add(1)) }

// Addressed is a message for one view alone, the one whose id is To: the
// shell gives every screen's messages to every screen (a result must find
// its screen after the user moved to another tab), so a result a screen's
// command produced comes back addressed, and no other screen's dialog is
// closed or re-statused by it.
type Addressed struct {
	To  ViewID
	Msg tea.Msg
}

// Address makes the messages cmd produces, each of a batch's too, come
// back addressed to id. The shell's own messages (StatusMsg, ExplainMsg,
// RefreshMsg) pass as they are: the status line and the reason view are
// the shell's, whoever sent them. A view's commands are its own work,
// batched (tea.Batch) or not; Bubble Tea's commands that steer the
// program (tea.Quit, tea.Sequence, …) are the root program's alone.
func Address(id ViewID, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch m := cmd().(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(m))
			for i, c := range m {
				out[i] = Address(id, c)
			}
			return out
		case StatusMsg, ExplainMsg, RefreshMsg:
			return m
		default:
			return Addressed{To: id, Msg: m}
		}
	}
}
