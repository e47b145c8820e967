package screens

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/model"
	"gatehouse/tui/theme"
)

// This file is the small toolkit the screens build their dialogs from: a
// form of labelled fields, a yes/no confirmation, a filterable picker and a
// result panel, all behind the Dialog interface.

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
	switch km.String() {
	case "esc":
		return FormCancelled, nil
	case "tab":
		return FormEditing, f.setFocus(f.focus + 1)
	case "shift+tab":
		return FormEditing, f.setFocus(f.focus - 1)
	case "down":
		if cur.Kind != AreaField {
			return FormEditing, f.setFocus(f.focus + 1)
		}
	case "up":
		if cur.Kind != AreaField {
			return FormEditing, f.setFocus(f.focus - 1)
		}
	case "ctrl+s":
		return f.submit()
	case "enter":
		if cur.Kind != AreaField {
			return f.submit()
		}
	case "left", "right", " ", "h", "l":
		if cur.Kind == ChoiceField || cur.Kind == MultiField {
			cur.step(km.String())
			return FormEditing, nil
		}
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

func (ff *formField) step(k string) {
	n := len(ff.Options)
	if n == 0 {
		return
	}
	switch k {
	case "left", "h":
		ff.choice = (ff.choice - 1 + n) % n
	case "right", "l":
		ff.choice = (ff.choice + 1) % n
	case " ":
		if ff.Kind == MultiField {
			ff.ticked[ff.choice] = !ff.ticked[ff.choice]
		} else {
			ff.choice = (ff.choice + 1) % n
		}
	}
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
		submit := "enter submit"
		if f.hasArea() {
			submit = "ctrl+s submit"
		}
		b.WriteString(th.Muted.Render("tab next field · " + submit + " · esc cancel"))
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

// ConfirmResult is what a key did to a confirmation.
type ConfirmResult int

// Confirmation results.
const (
	ConfirmPending ConfirmResult = iota
	ConfirmYes
	ConfirmNo
)

// Confirm asks a yes/no question; y confirms, n or esc declines. Enter
// confirms only when Default is yes, so a reflexive enter on a dangerous
// question does nothing.
type Confirm struct {
	Title   string
	Body    string
	Yes     string // label of the confirming action, e.g. "Deactivate"
	Danger  bool
	Default bool
}

// Update handles a key.
func (c *Confirm) Update(msg tea.Msg) ConfirmResult {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return ConfirmPending
	}
	switch km.String() {
	case "y", "Y":
		return ConfirmYes
	case "n", "N", "esc":
		return ConfirmNo
	case "enter":
		if c.Default {
			return ConfirmYes
		}
	}
	return ConfirmPending
}

// View draws the question.
func (c *Confirm) View(th *theme.Theme, width int) string {
	title := th.Title.Render(c.Title)
	if c.Danger {
		title = th.Error.Render(c.Title)
	}
	yes := c.Yes
	if yes == "" {
		yes = "Yes"
	}
	prompt := "y " + yes + " · n cancel"
	if c.Default {
		prompt = "y/enter " + yes + " · n cancel"
	}
	return title + "\n\n" + lipgloss.NewStyle().Width(width).Render(c.Body) + "\n\n" + th.Muted.Render(prompt)
}

// PickerResult is what a message did to a picker.
type PickerResult int

// Picker results.
const (
	PickerBrowsing PickerResult = iota
	PickerChosen
	PickerCancelled
	PickerFilterChanged
)

// Picker is a list of options with a filter line on top: typing filters,
// ↑/↓ move, enter picks, esc cancels. With Local set it filters its own
// options; otherwise it reports PickerFilterChanged and its owner fetches
// the matching options (from SQL) and calls SetItems.
type Picker struct {
	Title  string
	Intro  string
	Local  bool
	theme  *theme.Theme
	filter textinput.Model
	all    []Option
	items  []Option
	cursor int
	height int
	width  int
	err    string
}

// NewPicker builds a picker over items.
func NewPicker(th *theme.Theme, title string, items []Option) *Picker {
	in := textinput.New()
	staticCursor(&in.Cursor)
	in.Prompt = "/ "
	in.Placeholder = "type to filter"
	in.CharLimit = 100
	in.Focus()
	p := &Picker{Title: title, theme: th, filter: in, height: 8, width: 60}
	p.SetItems(items)
	return p
}

// SetSize sets the picker's width and list height.
func (p *Picker) SetSize(w, listHeight int) {
	p.width = max(w, 20)
	p.height = max(listHeight, 3)
	p.filter.Width = p.width - 4
}

// SetItems replaces the options.
func (p *Picker) SetItems(items []Option) {
	p.all = items
	p.applyFilter()
}

// SetError shows a message under the list.
func (p *Picker) SetError(msg string) { p.err = msg }

// Filter is the text typed in the filter line.
func (p *Picker) Filter() string { return strings.TrimSpace(p.filter.Value()) }

// Chosen is the option under the cursor.
func (p *Picker) Chosen() (Option, bool) {
	if p.cursor < 0 || p.cursor >= len(p.items) {
		return Option{}, false
	}
	return p.items[p.cursor], true
}

func (p *Picker) applyFilter() {
	p.items = p.all
	if p.Local {
		q := strings.ToLower(p.Filter())
		p.items = nil
		for _, o := range p.all {
			if q == "" || strings.Contains(strings.ToLower(o.Label+" "+o.Detail), q) {
				p.items = append(p.items, o)
			}
		}
	}
	p.cursor = min(max(p.cursor, 0), max(len(p.items)-1, 0))
}

// Update handles a message while the picker is shown.
func (p *Picker) Update(msg tea.Msg) (PickerResult, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(msg)
		return PickerBrowsing, cmd
	}
	switch km.String() {
	case "esc":
		return PickerCancelled, nil
	case "up", "ctrl+p":
		p.cursor = max(p.cursor-1, 0)
		return PickerBrowsing, nil
	case "down", "ctrl+n":
		p.cursor = min(p.cursor+1, max(len(p.items)-1, 0))
		return PickerBrowsing, nil
	case "/":
		// The key that filters lists everywhere else: pressed out of habit
		// on an empty query, it starts the search, it is not searched for.
		if p.filter.Value() == "" {
			return PickerBrowsing, nil
		}
	case "enter":
		o, ok := p.Chosen()
		if !ok {
			return PickerBrowsing, nil
		}
		if o.Disabled {
			p.err = o.Reason
			return PickerBrowsing, nil
		}
		return PickerChosen, nil
	}
	before := p.filter.Value()
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	if p.filter.Value() == before {
		return PickerBrowsing, cmd
	}
	p.err = ""
	p.cursor = 0
	if p.Local {
		p.applyFilter()
		return PickerBrowsing, cmd
	}
	return PickerFilterChanged, cmd
}

// View draws the filter line and the visible options.
func (p *Picker) View() string {
	th := p.theme
	var b strings.Builder
	b.WriteString(th.Title.Render(p.Title) + "\n")
	if p.Intro != "" {
		b.WriteString(lipgloss.NewStyle().Width(p.width).Render(p.Intro) + "\n")
	}
	b.WriteString("\n" + p.filter.View() + "\n")
	if len(p.items) == 0 {
		b.WriteString(th.Muted.Render("  nothing matches") + "\n")
	}
	top := max(0, p.cursor-p.height+1)
	for i := top; i < min(len(p.items), top+p.height); i++ {
		o := p.items[i]
		text := model.Sanitize(o.Label)
		if o.Detail != "" {
			text += "  " + model.Sanitize(o.Detail)
		}
		if o.Disabled {
			text = model.Sanitize(o.Label) + " — " + model.Sanitize(o.Reason)
		}
		text = cell(text, p.width-2)
		switch {
		case i == p.cursor:
			b.WriteString(th.Selected.Render("› "+text) + "\n")
		case o.Disabled:
			b.WriteString("  " + th.Muted.Render(text) + "\n")
		default:
			b.WriteString("  " + text + "\n")
		}
	}
	if p.err != "" {
		b.WriteString(th.Error.Render(model.Sanitize(p.err)) + "\n")
	}
	b.WriteString(th.Muted.Render("↑/↓ move · enter choose · esc cancel"))
	return b.String()
}

// staticCursor stops a cursor blinking: a blinking cursor redraws the
// screen twice a second, which over SSH is traffic for nothing.
func staticCursor(c *cursor.Model) { c.SetMode(cursor.CursorStatic) }

// errText is how an error from the model reads on screen.
func errText(err error) string {
	var d *model.DeniedError
	if errors.As(err, &d) && !strings.Contains(err.Error(), d.Decision.Reason) {
		return model.Sanitize(err.Error() + ": " + d.Decision.Reason)
	}
	return model.Sanitize(err.Error())
}

// Dialog is a modal step of a screen: while one is open the screen sends
// it every message and draws it instead of its list. Update returns the
// dialog to show next; nil closes it.
type Dialog interface {
	Update(tea.Msg) (Dialog, tea.Cmd)
	View(width, height int) string
}

// ActionMsg is what a command that changed data reports. On success the
// screen shows Status and then Next (nil: back to the list) and re-queries;
// on failure an open form keeps what was typed and shows the error.
type ActionMsg struct {
	Status string
	Err    error
	Next   Dialog
}

// HandleAction applies an ActionMsg to the open dialog and returns the
// dialog to show and the status command.
func HandleAction(cur Dialog, msg ActionMsg) (Dialog, tea.Cmd) {
	if msg.Err != nil {
		if fd, ok := cur.(*FormDialog); ok {
			fd.Form.SetError(errText(msg.Err))
			return fd, errStatus(msg.Err)
		}
		return nil, errStatus(msg.Err)
	}
	var cmd tea.Cmd
	if msg.Status != "" {
		cmd = Status(msg.Status, false)
	}
	return msg.Next, cmd
}

// FormDialog shows a form; on submit it runs OnSubmit, whose command
// answers with an ActionMsg (or OnSubmit returns the next dialog itself).
type FormDialog struct {
	Form     *Form
	OnSubmit func(f *Form) (Dialog, tea.Cmd)
}

// Update implements Dialog.
func (d *FormDialog) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	res, cmd := d.Form.Update(msg)
	switch res {
	case FormCancelled:
		return nil, nil
	case FormSubmitted:
		next, run := d.OnSubmit(d.Form)
		if next == nil {
			next = d
		}
		return next, tea.Batch(cmd, run)
	}
	return d, cmd
}

// View implements Dialog.
func (d *FormDialog) View(width, height int) string {
	d.Form.SetWidth(min(width-4, 72))
	d.Form.compact = false
	v := d.Form.View()
	if height > 0 && lipgloss.Height(v) > height {
		// Without the blank lines the last fields and the keys stay in
		// view on a short window.
		d.Form.compact = true
		v = d.Form.View()
	}
	return v
}

// ConfirmDialog asks before OnYes runs.
type ConfirmDialog struct {
	Confirm Confirm
	Theme   *theme.Theme
	OnYes   func() tea.Cmd
	// Recheck, when set, says whether the record the question is about is
	// still as it was shown (nil) or what changed; it runs whenever data
	// changes while the question is open, so that the question says so
	// before anything is written (the write refuses it as well).
	Recheck func() error
	changed string
	busy    bool
}

// checkOnOpen is the first Recheck of a confirmation just opened: the rows
// it was opened from may have been read before a change whose re-read is
// still on its way, and would then not reach it. Nil for other dialogs.
func checkOnOpen(d Dialog) tea.Cmd {
	cd, ok := d.(*ConfirmDialog)
	if !ok || cd.Recheck == nil {
		return nil
	}
	recheck := cd.Recheck
	return func() tea.Msg { return confirmRecheckMsg{d: cd, err: recheck()} }
}

// confirmRecheckMsg is the answer of a confirmation's Recheck.
type confirmRecheckMsg struct {
	d   *ConfirmDialog
	err error
}

// Update implements Dialog.
func (d *ConfirmDialog) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch m := msg.(type) {
	case RefreshMsg:
		if d.Recheck == nil || d.busy {
			return d, nil
		}
		recheck := d.Recheck
		return d, func() tea.Msg { return confirmRecheckMsg{d: d, err: recheck()} }
	case confirmRecheckMsg:
		if m.d == d {
			d.changed = ""
			var ce *model.ChangedError
			switch {
			case errors.As(m.err, &ce):
				d.changed = model.Sanitize(ce.Change())
			case m.err != nil:
				d.changed = errText(m.err)
			}
		}
		return d, nil
	}
	if d.busy {
		return d, nil
	}
	switch d.Confirm.Update(msg) {
	case ConfirmYes:
		// The write checks the record as shown (model.WithSeen) in its
		// transaction, and is refused, saying what changed, if it did.
		d.busy = true
		return d, d.OnYes()
	case ConfirmNo:
		return nil, nil
	}
	return d, nil
}

// View implements Dialog.
func (d *ConfirmDialog) View(width, height int) string {
	v := d.Confirm.View(d.Theme, min(width-4, 72))
	if d.changed != "" {
		v += "\n\n" + lipgloss.NewStyle().Width(min(width-4, 72)).Render(d.Theme.Warning.Render("Changed since you opened this: "+d.changed))
	}
	if d.busy {
		v += "\n" + d.Theme.Muted.Render("Working…")
	}
	return v
}

// refreshDialog passes a data change to an open confirmation, which checks
// that its record is still as shown; other dialogs do not need it.
func refreshDialog(d Dialog, msg RefreshMsg) tea.Cmd {
	if cd, ok := d.(*ConfirmDialog); ok {
		_, cmd := cd.Update(msg)
		return cmd
	}
	return nil
}

// PickerItemsMsg carries options fetched for a picker's filter text.
type PickerItemsMsg struct {
	Filter string
	Items  []Option
	Err    error
}

// PickerDialog shows a picker. OnFilter (optional) fetches options for the
// typed filter; OnPick decides what comes next.
type PickerDialog struct {
	Picker   *Picker
	OnFilter func(text string) tea.Cmd
	OnPick   func(o Option) (Dialog, tea.Cmd)
}

// Update implements Dialog.
func (d *PickerDialog) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if m, ok := msg.(PickerItemsMsg); ok {
		if m.Filter != d.Picker.Filter() {
			return d, nil // an answer to an older filter
		}
		if m.Err != nil {
			d.Picker.SetError(errText(m.Err))
			return d, nil
		}
		d.Picker.SetItems(m.Items)
		return d, nil
	}
	res, cmd := d.Picker.Update(msg)
	switch res {
	case PickerCancelled:
		return nil, nil
	case PickerChosen:
		o, _ := d.Picker.Chosen()
		next, run := d.OnPick(o)
		return next, tea.Batch(cmd, run)
	case PickerFilterChanged:
		if d.OnFilter != nil {
			return d, tea.Batch(cmd, d.OnFilter(d.Picker.Filter()))
		}
	}
	return d, cmd
}

// View implements Dialog.
func (d *PickerDialog) View(width, height int) string {
	d.Picker.SetSize(min(width-4, 72), height-9)
	return d.Picker.View()
}

// ResultDialog shows the outcome of an action (an invitation code, new
// recovery codes) until enter or esc; a long body scrolls with ↑/↓.
type ResultDialog struct {
	Title  string
	Body   string
	Theme  *theme.Theme
	scroll int
	page   int
	lines  int
}

// Update implements Dialog.
func (d *ResultDialog) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return d, nil
	}
	n := d.lines
	switch km.String() {
	case "enter", "esc", "q":
		return nil, nil
	case "up", "k":
		d.scroll--
	case "down", "j":
		d.scroll++
	case "pgup":
		d.scroll -= max(d.page, 1)
	case "pgdown", " ":
		d.scroll += max(d.page, 1)
	}
	d.scroll = max(min(d.scroll, n-max(d.page, 1)), 0)
	return d, nil
}

// View implements Dialog.
func (d *ResultDialog) View(width, height int) string {
	// Long lines wrap rather than run off the edge: codes must be read whole.
	body := lipgloss.NewStyle().Width(max(width-2, 20)).Render(d.Body)
	lines := strings.Split(body, "\n")
	d.lines = len(lines)
	d.page = max(height-5, 3)
	foot := "enter/esc close"
	if len(lines) > d.page {
		d.scroll = min(d.scroll, len(lines)-d.page)
		end := min(d.scroll+d.page, len(lines))
		lines = lines[d.scroll:end]
		foot = fmt.Sprintf("lines %d–%d of %d · ↑/↓ scroll · %s", d.scroll+1, end, d.lines, foot)
	}
	return d.Theme.Title.Render(d.Title) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + d.Theme.Muted.Render(foot)
}
