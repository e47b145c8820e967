package tui

import (
	"reflect"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/screens"
)

// routedMsg is a message produced by a command of one screen, addressed
// back to that screen alone: a result must reach the screen that asked even
// after the user moved to another tab, and must not close or re-status the
// dialogs of the other screens.
type routedMsg struct {
	shell int
	to    int
	msg   tea.Msg
}

// bubbleteaPkg is the package of Bubble Tea's own messages (quit, batch,
// sequence, window title…), which the program handles and must see as they
// are.
var bubbleteaPkg = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

// own wraps the messages cmd produces, in batches and sequences too, so
// that they come back addressed to screen i.
func (s *shell) own(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	id := s.id
	var wrap func(tea.Cmd) tea.Cmd
	wrap = func(c tea.Cmd) tea.Cmd {
		if c == nil {
			return nil
		}
		return func() tea.Msg {
			m := c()
			switch m := m.(type) {
			case nil:
				return nil
			case tea.BatchMsg:
				out := make(tea.BatchMsg, len(m))
				for j, x := range m {
					out[j] = wrap(x)
				}
				return out
			case screens.StatusMsg, screens.ExplainMsg, screens.RefreshMsg:
				// The shell's own business, whoever sent it.
				return m
			}
			if t := reflect.TypeOf(m); t.PkgPath() == bubbleteaPkg {
				if v := reflect.ValueOf(m); t.Kind() == reflect.Slice && t.Elem() == reflect.TypeOf(tea.Cmd(nil)) {
					// A sequence: keep the order, address each step.
					if v.Len() == 0 {
						return nil
					}
					steps := make([]tea.Cmd, v.Len())
					for j := range steps {
						steps[j] = wrap(v.Index(j).Interface().(tea.Cmd))
					}
					return tea.Sequence(steps...)()
				}
				return m
			}
			return routedMsg{shell: id, to: i, msg: m}
		}
	}
	return wrap(cmd)
}

// deliver gives a routed message to the screen it is addressed to.
func (s *shell) deliver(msg routedMsg) tea.Cmd {
	if msg.shell != s.id || msg.to < 0 || msg.to >= len(s.screens) {
		return nil
	}
	var cmd tea.Cmd
	s.screens[msg.to], cmd = s.screens[msg.to].Update(msg.msg)
	return s.own(msg.to, cmd)
}
