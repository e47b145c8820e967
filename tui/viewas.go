package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// picker chooses the member the demo views the organisation as. The filter
// runs in SQL and only a screenful of members is loaded, so it stays quick
// on a large organisation.
type picker struct {
	keys    keymap.KeyMap
	filter  textinput.Model
	rows    int
	members []model.Member
	total   int
	cursor  int
	// seq numbers queries: a result for an older filter is dropped.
	seq int
	err string
}

type pickerMsg struct {
	seq     int
	members []model.Member
	total   int
	err     error
}

func newPicker(keys keymap.KeyMap, height int) *picker {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "filter by name or email"
	in.CharLimit = model.MaxEmailLen
	in.Width = inputWidth
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Focus()
	return &picker{keys: keys, filter: in, rows: max(height-5, 3)}
}

// load queries the members matching the filter.
func (p *picker) load(s *shell) tea.Cmd {
	p.seq++
	seq, text, limit := p.seq, strings.TrimSpace(p.filter.Value()), p.rows
	svc, ctx, self := s.app.svc, s.sess.Context(), s.self
	return func() tea.Msg {
		ms, n, err := svc.ListStaff(ctx, self, model.MemberQuery{Text: text, Status: "active", Limit: limit})
		return pickerMsg{seq: seq, members: ms, total: n, err: err}
	}
}

func (p *picker) loaded(msg pickerMsg) {
	if msg.seq != p.seq {
		return
	}
	p.err = ""
	if msg.err != nil {
		p.err = errText(msg.err)
	}
	p.members, p.total = msg.members, msg.total
	p.cursor = min(p.cursor, max(len(p.members)-1, 0))
}

func (s *shell) pickerKey(msg tea.KeyMsg) tea.Cmd {
	p := s.picker
	switch {
	case key.Matches(msg, p.keys.List.Back):
		s.picker = nil
		return nil
	case key.Matches(msg, keymap.ArrowUp):
		p.cursor = max(p.cursor-1, 0)
		return nil
	case key.Matches(msg, keymap.ArrowDown):
		p.cursor = min(p.cursor+1, max(len(p.members)-1, 0))
		return nil
	case key.Matches(msg, p.keys.Choice.Choose):
		if len(p.members) == 0 {
			return nil
		}
		m := p.members[p.cursor]
		s.picker = nil
		return s.viewAsMember(m)
	}
	before := p.filter.Value()
	if before == "" && key.Matches(msg, keymap.SearchAfresh) {
		// The filter has focus already; a / typed out of habit from the
		// other screens' filters is not part of a name.
		return nil
	}
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	if p.filter.Value() != before {
		p.cursor = 0
		return tea.Batch(cmd, p.load(s))
	}
	return cmd
}

func (p *picker) help() []key.Binding {
	// Only the arrows move: j and k are letters of the filter here.
	return []key.Binding{keymap.DialogMove, withHelp(p.keys.Choice.Choose, "view as"), withHelp(p.keys.List.Back, "cancel")}
}

func (p *picker) view(t *theme.Theme, width int) string {
	var b strings.Builder
	b.WriteString(t.Title.Render("View the organisation as…") + "\n")
	b.WriteString(p.filter.View() + "\n\n")
	if p.err != "" {
		b.WriteString(t.Error.Render(p.err) + "\n")
	}
	if len(p.members) == 0 && p.err == "" {
		b.WriteString(t.Muted.Render("No active member matches.") + "\n")
	}
	nameW := max(min(width/3, 30), 10)
	for i, m := range p.members {
		line := fmt.Sprintf("%-*s  %-*s  %s", nameW, model.Truncate(safe(m.Name), nameW), nameW, model.Truncate(safe(m.Email), nameW), safe(m.RoleName))
		line = model.Truncate(line, max(width-2, 1))
		if i == p.cursor {
			b.WriteString(t.Selected.Render("› "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	if p.total > len(p.members) {
		b.WriteString(t.Muted.Render(fmt.Sprintf("%d of %d shown; type to narrow.", len(p.members), p.total)))
	}
	return strings.TrimRight(b.String(), "\n")
}
