package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"gatehouse/keymap"
	"gatehouse/theme"
)

// inputWidth is how many characters of a field show at once.
const inputWidth = 36

// field is one labelled text input of a form.
type field struct {
	label string
	input textinput.Model
}

// form is the small sequence of text fields the sign-in, first-run and join
// steps ask for: tab or enter moves on, enter on the last field submits.
type form struct {
	fields []field
	focus  int
	keys   keymap.Form
	// err is the last refusal, shown under the fields until the next submit.
	err string
}

func newForm(keys keymap.Form) *form { return &form{keys: keys} }

// add appends a field; masked fields echo bullets (passwords).
func (f *form) add(label, placeholder string, limit int, masked bool) *form {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = limit
	in.Width = inputWidth
	// A steady cursor: no blink ticks to redraw over a slow SSH link.
	in.Cursor.SetMode(cursor.CursorStatic)
	if masked {
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
	}
	if len(f.fields) == 0 {
		in.Focus()
	}
	f.fields = append(f.fields, field{label: label, input: in})
	return f
}

// value is the text of field i.
func (f *form) value(i int) string { return f.fields[i].input.Value() }

// clear empties field i (a refused password is not left on screen).
func (f *form) clear(i int) { f.fields[i].input.SetValue("") }

// focusOn moves the cursor to field i.
func (f *form) focusOn(i int) {
	f.fields[f.focus].input.Blur()
	f.focus = (i + len(f.fields)) % len(f.fields)
	f.fields[f.focus].input.Focus()
}

// update handles a key; it reports true when the form is submitted.
func (f *form) update(msg tea.KeyMsg) (bool, tea.Cmd) {
	switch {
	case key.Matches(msg, f.keys.Submit):
		if f.focus == len(f.fields)-1 {
			return true, nil
		}
		f.focusOn(f.focus + 1)
		return false, nil
	case key.Matches(msg, f.keys.Next):
		f.focusOn(f.focus + 1)
		return false, nil
	case key.Matches(msg, f.keys.Prev):
		f.focusOn(f.focus - 1)
		return false, nil
	}
	var cmd tea.Cmd
	f.fields[f.focus].input, cmd = f.fields[f.focus].input.Update(msg)
	return false, cmd
}

// view renders the fields, each label above its input, and the error.
func (f *form) view(t *theme.Theme, width int) string {
	var b strings.Builder
	for i, fl := range f.fields {
		label, marker := t.Label.Render(fl.label), "  "
		if i == f.focus {
			label, marker = t.Focused.Render(fl.label), t.Focused.Render("› ")
		}
		b.WriteString(label + "\n" + marker + fl.input.View() + "\n")
	}
	if f.err != "" {
		b.WriteString("\n" + t.Error.Width(width).Render(f.err))
	}
	return strings.TrimRight(b.String(), "\n")
}

// panel frames an auth step: title, body and key help in a bordered box,
// centred in the window. On a short window the blank lines go first, then
// the border, so that the fields and the keys stay in view.
func panel(t *theme.Theme, width, height int, title, body, help string) string {
	inner := panelInner(width)
	wrapped := lipgloss.NewStyle().Width(inner).Render(body)
	helpView := t.Muted.Width(inner).Render(help)
	box := t.Border.Render(lipgloss.JoinVertical(lipgloss.Left, t.Title.Render(title), "", wrapped, "", helpView))
	if lipgloss.Height(box) > height {
		content := lipgloss.JoinVertical(lipgloss.Left, t.Title.Render(title), withoutBlankLines(wrapped), helpView)
		box = t.Border.Render(content)
		if lipgloss.Height(box) > height {
			box = content
		}
	}
	return clip(width, height, lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, box))
}

// panelInner is the width of a panel's text in a window of width.
func panelInner(width int) int { return min(max(width-6, 20), 64) }

// withoutBlankLines drops the empty lines of a view.
func withoutBlankLines(view string) string {
	var out []string
	for _, l := range strings.Split(view, "\n") {
		if strings.TrimSpace(ansi.Strip(l)) != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// clip cuts a view to the window, so that content larger than it never
// wraps or scrolls the terminal.
func clip(width, height int, view string) string {
	return lipgloss.NewStyle().MaxWidth(width).MaxHeight(height).Render(view)
}
