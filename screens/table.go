package screens

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// Column describes one column of a Table.
type Column struct {
	Title string
	// Min is the narrowest the column may be drawn.
	Min int
	// Grow shares the width left over after every column has its Min;
	// 0 keeps the column at Min.
	Grow int
	// Drop orders which columns go first when even the minimum widths do
	// not fit: the highest Drop goes first; 0 is never dropped.
	Drop int
}

// Table is a windowed table: it knows how many rows the whole result has
// (Total) but holds only a window of them, fetched by its owner from the
// model as the cursor moves, and renders only the rows that fit.
type Table struct {
	theme   *theme.Theme
	columns []Column
	width   int
	height  int // body rows, below the header line

	total  int
	offset int        // absolute index of held[0]
	held   [][]string // the rows fetched so far, from offset on
	cursor int        // absolute index of the selected row
	top    int        // absolute index of the first visible row

	sortCol  int // -1: no sort marker
	sortDesc bool
	empty    string

	// Keyed tables (SetKeyedRows) show records: ids[i] is the record of
	// held[i], and the cursor is held as sel, the record it is on (0: none
	// yet), so that a re-read list leaves it on the same record.
	ids      []int64
	sel      int64
	selLabel string
	labelCol int // the column that names a row's record
	follow[int64]
}

// Follow is what SetKeyedRows found of the record under the cursor.
type Follow int

// What SetKeyedRows found.
const (
	// Followed: the cursor is on its record (or on a row, when none was
	// selected), or the record is known to be gone and the status says so.
	Followed Follow = iota
	// FollowLocate: the record is not among the rows read; the owner asks
	// the model where it stands now and calls Locate, or Lose when the
	// list no longer holds it.
	FollowLocate
)

// NewTable returns an empty table with the given columns.
func NewTable(th *theme.Theme, cols []Column) *Table {
	return &Table{theme: th, columns: cols, sortCol: -1, empty: "Nothing to show."}
}

// SetSize sets the width and the total height, header line included.
func (t *Table) SetSize(width, height int) {
	t.width = max(width, 10)
	t.height = max(height-1, 1)
	t.scrollToCursor()
}

// SetEmpty sets the text shown when there are no rows.
func (t *Table) SetEmpty(s string) { t.empty = s }

// SetSort marks the sorted column in the header.
func (t *Table) SetSort(col int, desc bool) { t.sortCol, t.sortDesc = col, desc }

// SetRows replaces the held window: rows are the result's rows from offset
// on, total is the size of the whole result.
func (t *Table) SetRows(offset, total int, rows [][]string) {
	t.offset, t.total, t.held, t.ids = offset, total, rows, nil
	t.clamp()
}

// SetKeyedRows is SetRows for rows that show records, ids[i] being the
// record of rows[i], read by the read numbered gen (beginRead): the cursor
// stays on the record it was on wherever its row is now. When that record
// is not among these rows and the list holds more than them, it returns
// FollowLocate; when the whole list is held and it is gone, the cursor
// stays at its row (now the next record's) and the command says what
// vanished.
func (t *Table) SetKeyedRows(gen uint64, offset, total int, rows [][]string, ids []int64) (Follow, tea.Cmd) {
	at := t.cursor
	t.SetRows(offset, total, rows)
	t.ids = ids
	held := make(map[int64]bool, len(ids))
	for _, id := range ids {
		held[id] = true
	}
	has := func(id int64) bool { return held[id] }
	whole := offset == 0 && len(ids) >= total
	if t.sel == 0 {
		t.adopt()
		t.settle(gen, has, whole)
		return Followed, nil
	}
	if i := indexOf(ids, t.sel); i >= 0 {
		t.cursor = offset + i
		t.clamp()
		t.adopt()
		t.shown(gen, has, whole)
		return Followed, nil
	}
	t.settle(gen, has, false)
	if whole {
		return Followed, t.lose(at)
	}
	return FollowLocate, nil
}

// SetLabelColumn names the column that names a row's record in messages
// (the first by default).
func (t *Table) SetLabelColumn(i int) { t.labelCol = i }

// Selected is the record the cursor is on and its index among the held
// rows; false while that row is not held (being fetched or located).
func (t *Table) Selected() (id int64, held int, ok bool) {
	if t.ids == nil || t.total == 0 {
		return 0, 0, false
	}
	if t.sel == 0 {
		return 0, 0, false
	}
	i := indexOf(t.ids, t.sel)
	return t.sel, i, i >= 0
}

// Locate puts the cursor on row i, where the model says its record stands
// now; the owner fetches the rows around it.
func (t *Table) Locate(i int) {
	t.cursor = i
	t.clamp()
}

// Lose is the model's word that the record under the cursor is no longer
// in the list: the cursor stays at its row, now the next record's, and the
// command says what vanished.
func (t *Table) Lose() tea.Cmd { return t.lose(t.cursor) }

// Located is the model's answer to where the record under the cursor
// stands now: its row (Locate), or err when the list no longer holds it
// (Lose).
func (t *Table) Located(pos int, err error) tea.Cmd {
	if err != nil {
		return t.Lose()
	}
	t.Locate(pos)
	return nil
}

func (t *Table) lose(at int) tea.Cmd {
	gone, goneName := t.sel, t.selLabel
	t.cursor = at
	t.clamp()
	t.sel = 0
	t.adopt()
	return t.left(gone, goneName, t.selLabel)
}

// Record names id, a record of this table, as the one an action is for,
// as Cursor.Record does.
func (t *Table) Record(id int64, leaves bool) Record { return t.record(id, leaves) }

// Records names the records of a bulk action.
func (t *Table) Records(ids []int64, leaves bool) Record { return t.records(ids, leaves) }

// Acted takes the outcome of an action on r, as Cursor.Acted does.
func (t *Table) Acted(r Record, err error) { t.acted(r, err, t.sel, t.sel != 0) }

// adopt makes the record of the cursor's row, if held, the selected one.
func (t *Table) adopt() {
	t.sel, t.selLabel = 0, ""
	j := t.cursor - t.offset
	if t.ids == nil || j < 0 || j >= len(t.ids) || j >= len(t.held) {
		return
	}
	t.sel = t.ids[j]
	if t.labelCol < len(t.held[j]) {
		t.selLabel = t.held[j][t.labelCol]
	}
}

// Vanished reports that the record under the cursor disappeared
// since the last move, with the status refusing the action key.
func (t *Table) Vanished() (tea.Cmd, bool) { return t.take() }

// Reset forgets the held rows and puts the cursor on the first row; the
// owner fetches again.
func (t *Table) Reset() {
	t.held, t.offset, t.cursor, t.top = nil, 0, 0, 0
	t.ids, t.sel, t.selLabel = nil, 0, ""
	t.follow.moved()
}

// Total is the size of the whole result.
func (t *Table) Total() int { return t.total }

// Held is how many rows the table holds now.
func (t *Table) Held() int { return len(t.held) }

// Cursor is the absolute index of the selected row.
func (t *Table) Cursor() int { return t.cursor }

// SetCursor selects a row.
func (t *Table) SetCursor(i int) {
	t.cursor = i
	t.clamp()
	t.moved()
}

// moved follows a move by the user: the record of the new row is the
// selected one, and a vanished record is forgotten.
func (t *Table) moved() {
	t.follow.moved()
	if t.ids != nil {
		t.adopt()
	}
}

// PageSize is the number of rows that fit.
func (t *Table) PageSize() int { return t.height }

// Update moves the cursor on the list keys and reports whether it used the
// key.
func (t *Table) Update(msg tea.KeyMsg, keys keymap.List) bool {
	switch {
	case key.Matches(msg, keys.Up):
		t.cursor--
	case key.Matches(msg, keys.Down):
		t.cursor++
	case key.Matches(msg, keys.PageUp):
		t.cursor -= t.height
		t.top -= t.height
	case key.Matches(msg, keys.PageDown):
		t.cursor += t.height
		t.top += t.height
	case key.Matches(msg, keys.Top):
		t.cursor = 0
	case key.Matches(msg, keys.Bottom):
		t.cursor = t.total - 1
	default:
		return false
	}
	t.clamp()
	t.moved()
	return true
}

func (t *Table) clamp() {
	t.cursor = min(t.cursor, t.total-1)
	t.cursor = max(t.cursor, 0)
	t.top = min(t.top, max(t.total-t.height, 0))
	t.top = max(t.top, 0)
	t.scrollToCursor()
}

func (t *Table) scrollToCursor() {
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+t.height {
		t.top = t.cursor - t.height + 1
	}
}

// Missing reports whether some visible row is not held, and if so the
// window to fetch: the visible rows with a page of margin on each side.
func (t *Table) Missing() (bool, int, int) {
	end := min(t.top+t.height, t.total)
	if t.top >= t.offset && end <= t.offset+len(t.held) {
		return false, 0, 0
	}
	off := max(t.top-t.height, 0)
	return true, off, 3 * t.height
}

// widths decides each column's width for the current width; a dropped
// column gets -1.
func (t *Table) widths() []int {
	avail := t.width - model.DisplayWidth(marker)
	w := make([]int, len(t.columns))
	shown := make([]bool, len(t.columns))
	for i := range shown {
		shown[i] = true
	}
	need := func() int {
		n := 0
		for i, c := range t.columns {
			if shown[i] {
				n += c.Min + 1
			}
		}
		return n - 1
	}
	for need() > avail {
		drop := -1
		for i, c := range t.columns {
			if shown[i] && c.Drop > 0 && (drop < 0 || c.Drop > t.columns[drop].Drop) {
				drop = i
			}
		}
		if drop < 0 {
			break
		}
		shown[drop] = false
	}
	spare := max(avail-need(), 0)
	grow := 0
	for i, c := range t.columns {
		if shown[i] {
			grow += c.Grow
		}
	}
	given := 0
	last := -1
	for i, c := range t.columns {
		if !shown[i] {
			w[i] = -1
			continue
		}
		w[i] = c.Min
		if grow > 0 && c.Grow > 0 {
			extra := spare * c.Grow / grow
			w[i] += extra
			given += extra
			last = i
		}
	}
	if last >= 0 {
		w[last] += spare - given // rounding leftovers
	}
	return w
}

// marker shows the selected row on terminals without colour too.
const marker = "› "

// cell fits s into exactly w cells, cutting with "…".
func cell(s string, w int) string {
	s = model.Sanitize(s)
	if model.DisplayWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(w-model.DisplayWidth(s), 0))
}

// fitStyled fits already-styled text, whose user-typed parts were
// sanitized when it was built, into exactly w cells. Unlike cell it keeps
// the styles' escape sequences, which Sanitize would make visible.
func fitStyled(s string, w int) string {
	if model.DisplayWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", max(w-model.DisplayWidth(s), 0))
}

func (t *Table) line(cells []string, widths []int) string {
	parts := make([]string, 0, len(cells))
	for i, w := range widths {
		if w < 0 {
			continue
		}
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		parts = append(parts, cell(v, w))
	}
	return strings.Join(parts, " ")
}

// View renders the header and the visible rows only.
func (t *Table) View() string {
	widths := t.widths()
	titles := make([]string, len(t.columns))
	for i, c := range t.columns {
		titles[i] = c.Title
		if i == t.sortCol {
			if t.sortDesc {
				titles[i] += " ▼"
			} else {
				titles[i] += " ▲"
			}
		}
	}
	var b strings.Builder
	b.WriteString(t.theme.Header.Render("  " + t.line(titles, widths)))
	if t.total == 0 {
		b.WriteString("\n" + t.theme.Muted.Render(cell(t.empty, t.width)))
		return b.String()
	}
	end := min(t.top+t.height, t.total)
	for i := t.top; i < end; i++ {
		b.WriteString("\n")
		j := i - t.offset
		if j < 0 || j >= len(t.held) {
			b.WriteString(t.theme.Muted.Render(cell("…", t.width)))
			continue
		}
		row := "  " + t.line(t.held[j], widths)
		if t.isCursor(i, j) {
			row = t.theme.Selected.Render(marker + t.line(t.held[j], widths))
		}
		b.WriteString(row)
	}
	return b.String()
}

// isCursor reports whether row i (held[j]) is drawn as the selected one:
// in a keyed table the row of the selected record, wherever the cursor's
// index points while that record is being located.
func (t *Table) isCursor(i, j int) bool {
	if t.ids != nil && t.sel != 0 && j < len(t.ids) {
		return t.ids[j] == t.sel
	}
	return i == t.cursor
}

// showWhole shows a list read whole (live sessions, locks, invitations) in
// t, keyed by record so that the cursor follows its record or, when that
// one left the list, says so: the read's error in the table's place, or
// the rows row makes of the records, with empty shown when there are none.
// It returns the records t now holds and the cursor's note.
func showWhole[T any](t *Table, read uint64, list []T, err error, empty string, row func(T) ([]string, int64)) ([]T, tea.Cmd) {
	if err != nil {
		t.SetEmpty(errText(err))
		t.SetRows(0, 0, nil)
		return nil, nil
	}
	rows := make([][]string, len(list))
	ids := make([]int64, len(list))
	for i, x := range list {
		rows[i], ids[i] = row(x)
	}
	t.SetEmpty(empty)
	_, note := t.SetKeyedRows(read, 0, len(rows), rows, ids)
	return list, note
}

// heldAt is the record under t's cursor, of list, the records t holds
// whole (showWhole).
func heldAt[T any](t *Table, list []T) (T, bool) {
	_, i, ok := t.Selected()
	if !ok || i >= len(list) {
		var none T
		return none, false
	}
	return list[i], true
}

// onHeld runs act on the record under t's cursor, of list, the records t
// holds whole: refused if the one the key was meant for vanished just
// before, nothing with none.
func onHeld[T any](t *Table, list []T, act func(T) tea.Cmd) func() tea.Cmd {
	return func() tea.Cmd {
		if cmd, gone := t.Vanished(); gone {
			return cmd
		}
		if x, ok := heldAt(t, list); ok {
			return act(x)
		}
		return nil
	}
}
