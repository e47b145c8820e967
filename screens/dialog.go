package screens

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// The screens build their dialogs from a small toolkit, all behind the
// Dialog interface here: a form of labelled fields (form.go,
// form_dialog.go), a yes/no confirmation (confirm.go), a filterable picker
// (picker.go) and a result panel (result_dialog.go).

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
	// For is the record the action was for, as its list named it
	// (Cursor.Record, Table.Record): the list takes the outcome for that
	// record, wherever its cursor is now. Zero for actions on no record.
	For Record
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

// refreshDialog passes a data change to an open confirmation, which checks
// that its record is still as shown; other dialogs do not need it.
func refreshDialog(d Dialog, msg RefreshMsg) tea.Cmd {
	if cd, ok := d.(*ConfirmDialog); ok {
		_, cmd := cd.Update(msg)
		return cmd
	}
	return nil
}

// errText is how an error from the model reads on screen.
func errText(err error) string {
	var d *model.DeniedError
	if errors.As(err, &d) && !strings.Contains(err.Error(), d.Decision.Reason) {
		return model.Sanitize(err.Error() + ": " + d.Decision.Reason)
	}
	return model.Sanitize(err.Error())
}

// staticCursor stops a cursor blinking: a blinking cursor redraws the
// screen twice a second, which over SSH is traffic for nothing.
func staticCursor(c *cursor.Model) { c.SetMode(cursor.CursorStatic) }
