package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/screens"
)

// own addresses the messages of screen i's command to that screen's id
// (screens.Address): a result must reach the screen that asked even after
// the user moved to another tab, and must not close or re-status the
// dialogs of the other screens.
func (s *shell) own(i int, cmd tea.Cmd) tea.Cmd {
	return screens.Address(s.ids[i], cmd)
}

// deliver gives an addressed message to the screen it is addressed to; one
// addressed to no screen of this shell (an ended shell's) is dropped.
func (s *shell) deliver(msg screens.Addressed) tea.Cmd {
	for i, id := range s.ids {
		if id == msg.To {
			var cmd tea.Cmd
			s.screens[i], cmd = s.screens[i].Update(msg.Msg)
			return s.own(i, cmd)
		}
	}
	return nil
}
