package screens

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

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
