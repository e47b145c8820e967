package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"gatehouse/keymap"
	"gatehouse/model"
)

// reassign is Bulk Reassign: pick the current owner, mark some
// or all of their folders (filtered in SQL), pick the new owner (or none),
// and apply in one transaction.
type reassign struct {
	id    ViewID // what its dialogs' results are addressed to
	sess  *Session
	keys  keymap.Clients
	from  Option // the current owner: ID and label
	table *Table

	held    []model.Client
	heldOff int
	read    uint64 // the number of the read they came from
	seq     int

	filter    textinput.Model
	filtering bool
	marked    map[int64]bool
	all       bool           // every matching folder is marked...
	except    map[int64]bool // ...but these
	child     Dialog
	width     int
	height    int
}

type reassignPageMsg struct {
	seq    int
	read   uint64 // the read's number (beginRead)
	offset int
	total  int
	rows   []model.Client
	err    error
}

// reassignLocateMsg is where the folder under the cursor stands after a
// re-read that did not hold its row.
type reassignLocateMsg struct {
	seq int
	pos int
	err error
}

func newReassign(sess *Session) *reassign {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "filter their clients"
	in.CharLimit = 120
	r := &reassign{id: NewViewID(), sess: sess, keys: keymap.DefaultClients(), filter: in, marked: map[int64]bool{}, except: map[int64]bool{},
		table: NewTable(sess.Theme, []Column{
			{Title: "", Min: 3},
			{Title: "Client", Min: 16, Grow: 3},
			{Title: "Department", Min: 10, Grow: 1, Drop: 2},
			{Title: "Accounts", Min: 8},
		}), width: 80, height: 20}
	r.table.SetEmpty("They own no folders that match.")
	r.table.SetSize(80, 17)
	return r
}

func (r *reassign) isContainer() {}

// setSize fits the list to the screen before the first fetch.
func (r *reassign) setSize(w, h int) { r.table.SetSize(w, h-3) }

func (r *reassign) fullScreen() bool { return true }
func (r *reassign) capturing() bool  { return r.child != nil || r.filtering }

// start opens the picker of the current owner.
func (r *reassign) start() tea.Cmd {
	pd := staffPicker(r.sess, "Bulk reassign: whose clients?", "", nil, nil)
	pd.Picker.Intro = "Pick the member who owns the folders now (deactivated members included)."
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
		r.from = o
		r.marked, r.except, r.all = map[int64]bool{}, map[int64]bool{}, false
		return nil, r.requery()
	}
	r.child = pd
	return pd.OnFilter("")
}

func (r *reassign) query(offset, limit int) model.ClientQuery {
	return model.ClientQuery{OwnerID: r.from.ID, Text: strings.TrimSpace(r.filter.Value()), Sort: "name", Limit: limit, Offset: offset}
}

func (r *reassign) fetch(offset, limit int) tea.Cmd {
	q, seq, sess := r.query(offset, limit), r.seq, r.sess
	return func() tea.Msg {
		read := beginRead()
		rows, total, err := sess.Svc.ListClients(sess.Context(), sess.Principal, q)
		return reassignPageMsg{seq: seq, read: read, offset: offset, total: total, rows: rows, err: err}
	}
}

func (r *reassign) requery() tea.Cmd {
	r.seq++
	r.table.Reset()
	r.held = nil
	return r.fetch(0, 3*r.table.PageSize())
}

// reload reads the window around the cursor again (data changed): marks
// are kept by id, the cursor stays on its folder.
func (r *reassign) reload() tea.Cmd {
	if r.from.ID == 0 {
		return nil
	}
	r.seq++
	page := r.table.PageSize()
	return r.fetch(max(r.table.Cursor()-page, 0), 3*page)
}

func (r *reassign) isMarked(id int64) bool {
	if r.all {
		return !r.except[id]
	}
	return r.marked[id]
}

// render gives the table the held folders, marked or not, and follows the
// folder under the cursor; it returns a command when that folder must be
// located or is gone.
func (r *reassign) render(read uint64, total int) tea.Cmd {
	rows := make([][]string, len(r.held))
	ids := make([]int64, len(r.held))
	for i, c := range r.held {
		box := "[ ]"
		if r.isMarked(c.ID) {
			box = "[x]"
		}
		rows[i] = []string{box, clientName(c), orNone(c.DepartmentName, "—"), fmt.Sprint(c.Accounts)}
		ids[i] = c.ID
	}
	follow, note := r.table.SetKeyedRows(read, r.heldOff, total, rows, ids)
	if follow == FollowLocate {
		id, _, _ := r.table.Selected()
		seq, q, sess := r.seq, r.query(0, 0), r.sess
		return func() tea.Msg {
			pos, err := sess.Svc.ClientPosition(sess.Context(), sess.Principal, q, id)
			return reassignLocateMsg{seq: seq, pos: pos, err: err}
		}
	}
	return note
}

func (r *reassign) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if am, ok := msg.(clientsAction); ok && am.to == r.id {
		// Applied: the moved folders leave the list, and the marks go.
		r.table.Acted(am.For, am.Err)
		if am.Err == nil {
			r.marked, r.except, r.all = map[int64]bool{}, map[int64]bool{}, false
		}
	}
	cmd, done := routeContainer(r.id, &r.child, msg, r.reload)
	if r.child == nil && r.from.ID == 0 {
		return nil, cmd // the owner picker was cancelled
	}
	if done {
		return r, cmd
	}
	switch m := msg.(type) {
	case reassignPageMsg:
		if m.seq != r.seq {
			return r, cmd
		}
		if m.err != nil {
			return r, tea.Batch(cmd, Status(errText(m.err), true))
		}
		r.held, r.heldOff, r.read = m.rows, m.offset, m.read
		note := r.render(m.read, m.total)
		return r, tea.Batch(cmd, note, r.maybeFetch())
	case reassignLocateMsg:
		if m.seq != r.seq {
			return r, cmd
		}
		return r, tea.Batch(cmd, r.table.Located(m.pos, m.err), r.maybeFetch())
	case tea.KeyMsg:
		if r.filtering {
			return r, r.updateFilter(m)
		}
		return r.key(m)
	}
	return r, cmd
}

func (r *reassign) updateFilter(km tea.KeyMsg) tea.Cmd {
	if key.Matches(km, keymap.DialogCancel, keymap.FilterKeep) {
		r.filtering = false
		r.filter.Blur()
		return nil
	}
	before := r.filter.Value()
	var cmd tea.Cmd
	r.filter, cmd = r.filter.Update(km)
	if r.filter.Value() != before {
		// Marks are kept by id; "all" means all that match the new filter.
		return tea.Batch(cmd, r.requery())
	}
	return cmd
}

// maybeFetch fetches the rows the table shows but does not hold.
func (r *reassign) maybeFetch() tea.Cmd {
	if miss, off, n := r.table.Missing(); miss {
		r.seq++
		return r.fetch(off, n)
	}
	return nil
}

// selected is the folder under the cursor, by identity.
func (r *reassign) selected() (model.Client, bool) {
	_, i, ok := r.table.Selected()
	if !ok || i >= len(r.held) {
		return model.Client{}, false
	}
	return r.held[i], true
}

func (r *reassign) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := r.sess.Keys.List
	if r.table.Update(km, lk) {
		return r, r.maybeFetch()
	}
	switch {
	case key.Matches(km, keymap.PopupClose):
		return nil, nil
	case key.Matches(km, lk.Filter):
		r.filtering = true
		return r, r.filter.Focus()
	case key.Matches(km, r.keys.MarkAll):
		r.all = !r.all
		r.marked, r.except = map[int64]bool{}, map[int64]bool{}
		return r, r.render(r.read, r.table.Total())
	case key.Matches(km, r.keys.Mark):
		if cmd, gone := r.table.Vanished(); gone {
			return r, cmd
		}
		if c, ok := r.selected(); ok {
			if r.all {
				r.except[c.ID] = !r.except[c.ID]
			} else {
				r.marked[c.ID] = !r.marked[c.ID]
			}
			cmd := r.render(r.read, r.table.Total())
			r.table.SetCursor(r.table.Cursor() + 1)
			return r, tea.Batch(cmd, r.maybeFetch())
		}
	case key.Matches(km, r.keys.Apply):
		if r.count() == 0 {
			return r, Status("Mark the folders to reassign first (space, or A for all).", true)
		}
		return r, r.pickNewOwner()
	}
	return r, nil
}

// count is how many folders are marked.
func (r *reassign) count() int {
	if r.all {
		n := r.table.Total()
		for _, ex := range r.except {
			if ex {
				n--
			}
		}
		return max(n, 0)
	}
	n := 0
	for _, on := range r.marked {
		if on {
			n++
		}
	}
	return n
}

func (r *reassign) pickNewOwner() tea.Cmd {
	sess := r.sess
	pd := staffPicker(sess, "New owner", "active",
		[]Option{{Label: "Unowned", Value: "none", Detail: "leave the folders without an owner"}}, map[int64]bool{r.from.ID: true})
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) { return r.confirm(o), nil }
	r.child = pd
	return pd.OnFilter("")
}

func (r *reassign) confirm(to Option) Dialog {
	sess, from, n := r.sess, r.from, r.count()
	toName := "no one (unowned)"
	if to.ID != 0 {
		toName = model.Sanitize(to.Label)
	}
	all, text := r.all, strings.TrimSpace(r.filter.Value())
	except := map[int64]bool{}
	for id, ex := range r.except {
		except[id] = ex
	}
	var ids []int64
	for id, on := range r.marked {
		if on {
			ids = append(ids, id)
		}
	}
	return &ConfirmDialog{Theme: sess.Theme, Confirm: Confirm{Title: "Bulk reassign", Yes: "Reassign",
		Body: fmt.Sprintf("Move %s from %s to %s, in one step?", countOf(n, "folder"), model.Sanitize(from.Label), toName)},
		OnYes: func() tea.Cmd {
			// The folders moved leave this list of the old owner's; which
			// they are is known once they are read (every match).
			moving := r.table.Records(nil, true)
			return func() tea.Msg {
				list := ids
				if all {
					// Every folder that matches the filter now, minus the exceptions.
					cs, _, err := sess.Svc.ListClients(sess.Context(), sess.Principal, model.ClientQuery{OwnerID: from.ID, Text: text})
					if err != nil {
						return clientsAction{to: r.id, ActionMsg: ActionMsg{Err: err}}
					}
					list = nil
					for _, c := range cs {
						if !except[c.ID] {
							list = append(list, c.ID)
						}
					}
					if len(list) != n {
						// The folders that match changed since the count
						// was shown: what the user confirmed is not what
						// would move.
						return clientsAction{to: r.id, ActionMsg: ActionMsg{Err: fmt.Errorf("%w: %s match now, not the %s you confirmed; nothing was moved: look again",
							model.ErrChanged, countOf(len(list), "folder"), countOf(n, "folder"))}}
					}
				}
				if len(list) == 0 {
					return clientsAction{to: r.id, ActionMsg: ActionMsg{Err: fmt.Errorf("%w: no folders to reassign", model.ErrInvalid)}}
				}
				moved, err := sess.Svc.BulkReassign(sess.Context(), sess.Principal, from.ID, to.ID, list)
				if err != nil {
					return clientsAction{to: r.id, ActionMsg: ActionMsg{Err: err}}
				}
				moving.key = list
				return clientsAction{to: r.id, ActionMsg: ActionMsg{For: moving, Status: fmt.Sprintf("Reassigned %s from %s to %s", countOf(len(moved), "folder"), model.Sanitize(from.Label), toName)}}
			}
		}}
}

func (r *reassign) View(w, h int) string {
	r.width, r.height = w, h
	th := r.sess.Theme
	var b strings.Builder
	if r.from.ID == 0 {
		if r.child != nil {
			return boxed(r.sess, r.child.View(w-4, h-2), w, h)
		}
		return ""
	}
	b.WriteString(th.Title.Render("Bulk reassign") + th.Muted.Render(" · folders owned by "+model.Sanitize(r.from.Label)) + "\n")
	line := fmt.Sprintf("%d marked of %d", r.count(), r.table.Total())
	if r.all {
		line += " (all that match)"
	}
	if r.filtering {
		line += "  " + r.filter.View()
	} else if r.filter.Value() != "" {
		line += "  filter: " + model.Sanitize(r.filter.Value())
	}
	b.WriteString(ansi.Truncate(line, w, "…") + "\n")
	r.table.SetSize(w, h-3)
	b.WriteString(r.table.View() + "\n")
	b.WriteString(th.Muted.Render(cell(hintLine(r.keysOffered()...), w)))
	base := b.String()
	if r.child != nil {
		return overlay(base, popup(r.sess, r.child, w, h), w, h)
	}
	return base
}

func (r *reassign) help() []key.Binding {
	if h, ok := r.child.(helper); ok {
		return h.help()
	}
	return r.keysOffered()
}

// keysOffered are the list's keys, for its hint line and the help.
func (r *reassign) keysOffered() []key.Binding {
	return []key.Binding{r.keys.Mark, r.keys.MarkAll, r.sess.Keys.List.Filter, r.keys.Apply, closeKey}
}
