package screens

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// FieldKind says how a form field is edited.
type FieldKind int

// The kinds of form field.
const (
	TextField     FieldKind = iota // one line of text
	PasswordField                  // one masked line
	AreaField                      // several lines (enter adds a line)
	ChoiceField                    // one of Options, ←/→ to change
	MultiField                     // any of Options, ←/→ to move, space to tick
)

// Option is one choice of a ChoiceField, MultiField or Picker. A disabled
// option is shown greyed with its reason and cannot be chosen.
type Option struct {
	Label    string
	Value    string
	ID       int64
	Detail   string
	Disabled bool
	Reason   string
}

// Field describes one field of a Form.
type Field struct {
	Key         string
	Label       string
	Kind        FieldKind
	Value       string   // initial text, or the initially chosen option's Value
	Values      []string // initially ticked options of a MultiField
	Placeholder string
	Hint        string
	Required    bool
	CharLimit   int
	Lines       int // height of an AreaField
	Options     []Option
	// Validate checks the field's value on submit; its error is shown under
	// the field.
	Validate func(string) error
}

type formField struct {
	Field
	input  textinput.Model
	area   textarea.Model
	choice int          // chosen (choice) or highlighted (multi) option
	ticked map[int]bool // multi
	err    string
}

// FormResult is what a key did to a form.
type FormResult int

// Form results.
const (
	FormEditing FormResult = iota
	FormSubmitted
	FormCancelled
)

// Form is a column of labelled fields: tab/shift+tab (or ↓/↑ outside a
// text area) move between them, enter submits (ctrl+s from a text area),
// esc cancels.
type Form struct {
	Title string
	Intro string
	theme *theme.Theme
	field []*formField
	focus int
	err   string
	busy  bool
	width int
	// compact leaves out the blank lines between fields, for a window
	// too short for the form with them.
	compact bool
}

// NewForm builds a form; the first field has the focus.
func NewForm(th *theme.Theme, title string, fields ...Field) *Form {
	f := &Form{Title: title, theme: th, width: 60}
	for _, fd := range fields {
		ff := &formField{Field: fd, ticked: map[int]bool{}}
		switch fd.Kind {
		case TextField, PasswordField:
			in := textinput.New()
			staticCursor(&in.Cursor)
			in.Prompt = ""
			in.Placeholder = fd.Placeholder
			in.CharLimit = fd.CharLimit
			if in.CharLimit == 0 {
				in.CharLimit = 300
			}
			if fd.Kind == PasswordField {
				in.EchoMode = textinput.EchoPassword
				in.EchoCharacter = '•'
			}
			in.SetValue(fd.Value)
			ff.input = in
		case AreaField:
			ta := textarea.New()
			staticCursor(&ta.Cursor)
			ta.Placeholder = fd.Placeholder
			ta.ShowLineNumbers = false
			ta.Prompt = "│ "
			ta.CharLimit = fd.CharLimit
			if ta.CharLimit == 0 {
				ta.CharLimit = 100000
			}
			ta.SetHeight(max(fd.Lines, 3))
			ta.SetValue(fd.Value)
			ff.area = ta
		case ChoiceField:
			for i, o := range fd.Options {
				if o.Value == fd.Value {
					ff.choice = i
				}
			}
		case MultiField:
			for i, o := range fd.Options {
				for _, v := range fd.Values {
					if strings.EqualFold(o.Value, v) {
						ff.ticked[i] = true
					}
				}
			}
		}
		f.field = append(f.field, ff)
	}
	f.setFocus(0)
	return f
}

// SetWidth sets the width the form draws in.
func (f *Form) SetWidth(w int) {
	f.width = max(w, 20)
	for _, ff := range f.field {
		ff.input.Width = f.width - 4
		if ff.Kind == AreaField {
			ff.area.SetWidth(f.width - 2)
		}
	}
}

// SetError shows a message for the whole form (such as the model's refusal)
// and ends the busy state; what was typed stays.
func (f *Form) SetError(msg string) {
	f.err = msg
	f.busy = false
}

// SetBusy marks the form as submitted and waiting for the model.
func (f *Form) SetBusy(b bool) { f.busy = b }

// Value is the text of a field, or the chosen option's Value.
func (f *Form) Value(k string) string {
	for _, ff := range f.field {
		if ff.Key == k {
			return ff.value()
		}
	}
	return ""
}

// Values are the ticked options of a MultiField.
func (f *Form) Values(k string) []string {
	for _, ff := range f.field {
		if ff.Key != k {
			continue
		}
		var out []string
		for i, o := range ff.Options {
			if ff.ticked[i] {
				out = append(out, o.Value)
			}
		}
		return out
	}
	return nil
}

func (ff *formField) value() string {
	switch ff.Kind {
	case AreaField:
		return ff.area.Value()
	case ChoiceField:
		if ff.choice < len(ff.Options) {
			return ff.Options[ff.choice].Value
		}
		return ""
	case MultiField:
		return ""
	}
	return ff.input.Value()
}

func (f *Form) setFocus(i int) tea.Cmd {
	if len(f.field) == 0 {
		return nil
	}
	f.focus = (i + len(f.field)) % len(f.field)
	var cmd tea.Cmd
	for j, ff := range f.field {
		ff.input.Blur()
		ff.area.Blur()
		if j != f.focus {
			continue
		}
		switch ff.Kind {
		case TextField, PasswordField:
			cmd = ff.input.Focus()
		case AreaField:
			cmd = ff.area.Focus()
		}
	}
	return cmd
}

// validate checks every field and focuses the first bad one.
func (f *Form) validate() bool {
	first := -1
	for i, ff := range f.field {
		ff.err = ""
		v := strings.TrimSpace(ff.value())
		switch {
		case ff.Kind == ChoiceField && ff.choice < len(ff.Options) && ff.Options[ff.choice].Disabled:
			ff.err = ff.Options[ff.choice].Reason
		case ff.Required && v == "" && ff.Kind != MultiField:
			ff.err = ff.Label + " is required"
		case ff.Validate != nil:
			if err := ff.Validate(ff.value()); err != nil {
				ff.err = err.Error()
			}
		}
		if ff.err != "" && first < 0 {
			first = i
		}
	}
	if first >= 0 {
		f.setFocus(first)
		return false
	}
	return true
}

// Update handles a message while the form is shown.
func (f *Form) Update(msg tea.Msg) (FormResult, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return FormEditing, f.updateFocused(msg)
	}
	if f.busy {
		return FormEditing, nil
	}
	cur := f.field[f.focus]
	lines := cur.Kind == AreaField // ↑/↓ and enter move and break its lines
	choice := cur.Kind == ChoiceField || cur.Kind == MultiField
	switch {
	case key.Matches(km, keymap.DialogCancel):
		return FormCancelled, nil
	case key.Matches(km, keymap.DialogNextField), key.Matches(km, keymap.FieldDown) && !lines:
		return FormEditing, f.setFocus(f.focus + 1)
	case key.Matches(km, keymap.DialogPrevField), key.Matches(km, keymap.FieldUp) && !lines:
		return FormEditing, f.setFocus(f.focus - 1)
	case key.Matches(km, keymap.DialogSubmitArea), key.Matches(km, keymap.DialogSubmit) && !lines:
		return f.submit()
	case choice && key.Matches(km, keymap.ChoicePrev):
		cur.step(-1, false)
		return FormEditing, nil
	case choice && key.Matches(km, keymap.ChoiceNext):
		cur.step(1, false)
		return FormEditing, nil
	case choice && key.Matches(km, keymap.ChoiceToggle):
		cur.step(1, cur.Kind == MultiField)
		return FormEditing, nil
	}
	return FormEditing, f.updateFocused(msg)
}

func (f *Form) submit() (FormResult, tea.Cmd) {
	f.err = ""
	if !f.validate() {
		return FormEditing, nil
	}
	f.busy = true
	return FormSubmitted, nil
}

// step moves a choice by delta, or with tick ticks the item it is on.
func (ff *formField) step(delta int, tick bool) {
	n := len(ff.Options)
	if n == 0 {
		return
	}
	if tick {
		ff.ticked[ff.choice] = !ff.ticked[ff.choice]
		return
	}
	ff.choice = (ff.choice + delta + n) % n
}

func (f *Form) updateFocused(msg tea.Msg) tea.Cmd {
	if len(f.field) == 0 {
		return nil
	}
	ff := f.field[f.focus]
	var cmd tea.Cmd
	switch ff.Kind {
	case TextField, PasswordField:
		ff.input, cmd = ff.input.Update(msg)
	case AreaField:
		ff.area, cmd = ff.area.Update(msg)
	}
	return cmd
}

// View draws the form.
func (f *Form) View() string {
	th := f.theme
	var b strings.Builder
	b.WriteString(th.Title.Render(f.Title) + "\n")
	if f.Intro != "" {
		b.WriteString(lipgloss.NewStyle().Width(f.width).Render(f.Intro) + "\n")
	}
	for i, ff := range f.field {
		if !f.compact {
			b.WriteString("\n")
		}
		label := ff.Label
		if ff.Required {
			label += " *"
		}
		if i == f.focus {
			b.WriteString(th.Header.Render("› "+label) + "\n")
		} else {
			b.WriteString(th.Label.Render("  "+label) + "\n")
		}
		b.WriteString(f.fieldView(ff, i == f.focus) + "\n")
		if ff.err != "" {
			b.WriteString(indented(th.Error, "✗ "+model.Sanitize(ff.err), f.width) + "\n")
		} else if ff.Hint != "" && i == f.focus {
			b.WriteString(indented(th.Muted, ff.Hint, f.width) + "\n")
		}
	}
	if !f.compact {
		b.WriteString("\n")
	}
	if f.err != "" {
		b.WriteString(lipgloss.NewStyle().Width(f.width).Render(th.Error.Render(model.Sanitize(f.err))) + "\n")
	}
	if f.busy {
		b.WriteString(th.Muted.Render("Working…"))
	} else {
		b.WriteString(th.Muted.Render(hintLine(f.keys()...)))
	}
	return b.String()
}

// indented renders text two cells in, wrapped to width: a field's error
// or hint is read whole, not cut at the window's edge.
func indented(st lipgloss.Style, text string, width int) string {
	lines := strings.Split(lipgloss.NewStyle().Width(max(width-2, 10)).Render(text), "\n")
	for i, l := range lines {
		lines[i] = "  " + st.Render(strings.TrimRight(l, " "))
	}
	return strings.Join(lines, "\n")
}

func (f *Form) hasArea() bool {
	for _, ff := range f.field {
		if ff.Kind == AreaField {
			return true
		}
	}
	return false
}

func (f *Form) fieldView(ff *formField, focused bool) string {
	th := f.theme
	switch ff.Kind {
	case AreaField:
		return ff.area.View()
	case ChoiceField, MultiField:
		var parts []string
		for i, o := range ff.Options {
			label := model.Sanitize(o.Label)
			if ff.Kind == MultiField {
				box := "[ ] "
				if ff.ticked[i] {
					box = "[x] "
				}
				label = box + label
			}
			switch {
			case i == ff.choice && (focused || ff.Kind == ChoiceField):
				label = "‹" + label + "›"
				if o.Disabled {
					label = th.Muted.Render(label)
				} else {
					label = th.Selected.Render(label)
				}
			case o.Disabled:
				label = " " + th.Muted.Render(label) + " "
			default:
				label = " " + label + " "
			}
			parts = append(parts, label)
		}
		if len(parts) == 0 {
			return th.Muted.Render("  (none available)")
		}
		line := "  " + strings.Join(parts, " ")
		line = lipgloss.NewStyle().Width(f.width).Render(line)
		if focused && ff.choice < len(ff.Options) && ff.Options[ff.choice].Disabled {
			line += "\n" + indented(th.Warning, "unavailable: "+model.Sanitize(ff.Options[ff.choice].Reason), f.width)
		}
		return line
	}
	return "  " + ff.input.View()
}
