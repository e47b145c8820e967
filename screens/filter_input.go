package screens

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// filterInput is a list's filter line. / opens it on the filter in force,
// shown selected, as a browser's address bar does: typing replaces it (a
// new search, not more of the last), backspace clears it, and ←/→, home
// and end keep it to edit; / again starts a new search. With no filter in
// force it opens empty.
type filterInput struct {
	textinput.Model
	selected bool // the whole value is selected: the next text replaces it
}

func newFilterInput(placeholder string) filterInput {
	in := textinput.New()
	staticCursor(&in.Cursor)
	in.Prompt = "/ "
	in.Placeholder = placeholder
	in.CharLimit = model.MaxFilterLen
	return filterInput{Model: in}
}

// Open focuses the line on current, selected.
func (f *filterInput) Open(current string) tea.Cmd {
	f.SetValue(current)
	f.CursorEnd()
	f.selected = current != ""
	return f.Focus()
}

// Clear empties the line.
func (f *filterInput) Clear() {
	f.SetValue("")
	f.selected = false
}

// Update edits the line; enter and esc are the owner's.
func (f *filterInput) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if ok && key.Matches(km, keymap.SearchAfresh) {
		// The key that opened the line, pressed again: a new search, as
		// in pickers, not a "/" added to the last one.
		f.Clear()
		return nil
	}
	if f.selected && ok {
		f.selected = false
		switch km.Type {
		case tea.KeyRunes, tea.KeySpace:
			f.SetValue("") // typed over the selection
		case tea.KeyBackspace, tea.KeyDelete, tea.KeyCtrlW, tea.KeyCtrlU, tea.KeyCtrlK:
			f.SetValue("")
			return nil
		}
	}
	var cmd tea.Cmd
	f.Model, cmd = f.Model.Update(msg)
	return cmd
}

// View draws the line, a selected value reversed with how to use it.
func (f *filterInput) View(th *theme.Theme) string {
	if !f.selected {
		return f.Model.View()
	}
	return f.Prompt + lipgloss.NewStyle().Reverse(true).Render(model.Sanitize(f.Value())) +
		th.Muted.Render("  type to search afresh · ←/→ to edit · enter keeps it")
}
