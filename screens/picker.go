package screens

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

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

// movePick moves a picker's cursor over n items when km is ↑ or ↓ (or
// ctrl+p, ctrl+n: every letter is the filter's) and reports whether it was.
func movePick(km tea.KeyMsg, cursor *int, n int) bool {
	switch {
	case key.Matches(km, keymap.PickerUp):
		*cursor = max(*cursor-1, 0)
	case key.Matches(km, keymap.PickerDown):
		*cursor = min(*cursor+1, max(n-1, 0))
	default:
		return false
	}
	return true
}

// Update handles a message while the picker is shown.
func (p *Picker) Update(msg tea.Msg) (PickerResult, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		p.filter, cmd = p.filter.Update(msg)
		return PickerBrowsing, cmd
	}
	if movePick(km, &p.cursor, len(p.items)) {
		return PickerBrowsing, nil
	}
	switch {
	case key.Matches(km, keymap.DialogCancel):
		return PickerCancelled, nil
	case key.Matches(km, keymap.SearchAfresh):
		// The key that filters lists everywhere else: pressed out of habit
		// it starts the search afresh, it is not searched for.
		if p.filter.Value() == "" {
			return PickerBrowsing, nil
		}
		p.filter.SetValue("")
		return p.queryChanged(nil)
	case key.Matches(km, keymap.DialogChoose):
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
	return p.queryChanged(cmd)
}

// queryChanged follows an edit of the query: the options are filtered
// here (Local) or the owner is told to fetch them.
func (p *Picker) queryChanged(cmd tea.Cmd) (PickerResult, tea.Cmd) {
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
	b.WriteString(th.Muted.Render(hintLine(pickerKeys...)))
	return b.String()
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
