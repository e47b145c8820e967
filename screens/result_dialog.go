package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/theme"
)

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
	switch {
	case key.Matches(km, keymap.Dismiss):
		return nil, nil
	case key.Matches(km, keymap.DialogScrollUp):
		d.scroll--
	case key.Matches(km, keymap.DialogScrollDown):
		d.scroll++
	case key.Matches(km, keymap.DialogPageUp):
		d.scroll -= max(d.page, 1)
	case key.Matches(km, keymap.DialogPageDown):
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
	foot := hintLine(d.help()...)
	if len(lines) > d.page {
		d.scroll = min(d.scroll, len(lines)-d.page)
		end := min(d.scroll+d.page, len(lines))
		lines = lines[d.scroll:end]
		foot = fmt.Sprintf("lines %d–%d of %d · ", d.scroll+1, end, d.lines) + hintLine(append([]key.Binding{keymap.Scroll}, d.help()...)...)
	}
	return d.Theme.Title.Render(d.Title) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + d.Theme.Muted.Render(foot)
}
