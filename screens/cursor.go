package screens

import (
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// Lists are re-read while they are shown: after every change, by this
// session or any other. Their cursors therefore hold the record they are
// on, by its id, never a row number (PRODUCT.md: "an action lands on the
// record the user saw"). Rows inserted or removed above the record leave
// the cursor on it; when the record itself disappears the cursor moves to
// a neighbour, the status line says so, and every action key is refused,
// naming what vanished, until the user moves the cursor: keys pressed
// before they saw the move were meant for the record that was on screen. Cursor is that mechanism for the
// lists a screen holds whole; Table has the same for windowed lists; both
// are built on follow (follow.go).

// Cursor is the selection of a list held whole, kept on a record by its
// key K (an id, or a pair of ids) across re-reads.
type Cursor[K comparable] struct {
	pos    int
	keys   []K
	labels []string
	key    K
	on     bool // key names the record the cursor is on
	follow[K]
}

// Sync puts the cursor back on its record in rows just read by the read
// numbered gen (beginRead): keys[i] is the record row i shows and
// labels[i] the name it is shown by. When the record is gone the cursor
// moves to the nearest row that followed it (or, failing that, preceded
// it) and the returned command says so. The caller drops reads older than
// the one it last showed (newestRead).
func (c *Cursor[K]) Sync(gen uint64, keys []K, labels []string) tea.Cmd {
	old, oldPos, was, wasKey, wasOn := c.keys, c.pos, c.label(), c.key, c.on
	c.keys, c.labels = keys, labels
	at := make(map[K]int, len(keys))
	for i, k := range keys {
		at[k] = i
	}
	has := func(k K) bool { _, ok := at[k]; return ok }
	if wasOn {
		if i, ok := at[c.key]; ok {
			c.pos = i
			c.shown(gen, has, true)
			return nil
		}
	}
	pick := min(max(c.pos, 0), len(keys)-1)
	if wasOn {
		pick = neighbour(old, oldPos, at, pick)
	}
	c.set(pick)
	note := tea.Cmd(nil)
	if wasOn {
		note = c.left(wasKey, was, c.label())
	} else {
		c.answered = false
	}
	c.settle(gen, has, true)
	return note
}

// neighbour is the new index of the nearest record of old around oldPos
// that is still in the rows just read (at: key → new index), after it
// first; fallback when none is.
func neighbour[K comparable](old []K, oldPos int, at map[K]int, fallback int) int {
	for j := oldPos + 1; j < len(old); j++ {
		if i, ok := at[old[j]]; ok {
			return i
		}
	}
	for j := min(oldPos-1, len(old)-1); j >= 0; j-- {
		if i, ok := at[old[j]]; ok {
			return i
		}
	}
	return fallback
}

func indexOf[K comparable](keys []K, k K) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func (c *Cursor[K]) set(i int) {
	var zero K
	if i < 0 || i >= len(c.keys) {
		c.pos, c.key, c.on = 0, zero, false
		return
	}
	c.pos, c.key, c.on = i, c.keys[i], true
}

func (c *Cursor[K]) label() string {
	if !c.on || c.pos >= len(c.labels) {
		return ""
	}
	return c.labels[c.pos]
}

// Index is the row the cursor is on (0 when the list is empty).
func (c *Cursor[K]) Index() int { return c.pos }

// Len is the number of rows.
func (c *Cursor[K]) Len() int { return len(c.keys) }

// Key is the record the cursor is on.
func (c *Cursor[K]) Key() (K, bool) { return c.key, c.on }

// Move moves the cursor by d rows, staying in the list; a move forgets a
// vanished record.
func (c *Cursor[K]) Move(d int) { c.To(c.pos + d) }

// To puts the cursor on row i, clamped to the list.
func (c *Cursor[K]) To(i int) {
	c.moved()
	c.set(min(max(i, 0), len(c.keys)-1))
}

// Record names key, a record of this list, as the one an action is for;
// leaves says the action may take it out of the list (a delete, an
// archive, a removal), so that its leaving is not news. The action's
// outcome carries it back (ActionMsg.For) to Acted.
func (c *Cursor[K]) Record(key K, leaves bool) Record { return c.record(key, leaves) }

// Records names the records of a bulk action.
func (c *Cursor[K]) Records(keys []K, leaves bool) Record { return c.records(keys, leaves) }

// Acted takes the outcome of an action on r, whatever the cursor did
// meanwhile: done, a record that may leave the list is released (its
// leaving is quiet); refused because it changed or vanished while it is
// still the record under the cursor, the refusal was the key's answer, so
// its leaving is told as nothing done and no further key is refused for
// it. Outcomes of records of other lists are ignored.
func (c *Cursor[K]) Acted(r Record, err error) { c.acted(r, err, c.key, c.on) }

// Vanished reports that the record under the cursor disappeared
// since the last move, with the status refusing the action key; callers
// check it before acting on the selected record.
func (c *Cursor[K]) Vanished() (tea.Cmd, bool) { return c.take() }

// recheck is a confirmation's Recheck for records as the user saw them.
func recheck(sess *Session, seen ...model.Seen) func() error {
	return func() error { return sess.Svc.StillAsSeen(sess.Context(), seen...) }
}
