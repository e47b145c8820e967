package screens

import (
	"errors"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// Lists are re-read while they are shown: after every change, by this
// session or any other. Their cursors therefore hold the record they are
// on, by its id, never a row number (PRODUCT.md: "an action lands on the
// record the user saw"). Rows inserted or removed above the record leave
// the cursor on it; when the record itself disappears the cursor moves to
// a neighbour, the status line says so, and the next action key is
// refused once, naming what vanished: it was meant for the record that
// was on screen when it was pressed. Cursor is that mechanism for the
// lists a screen holds whole; Table has the same for windowed lists.

// vanish remembers, until the next move or action key, the record that
// disappeared from under a cursor.
type vanish struct {
	gone string // the name it was shown by
	now  string // the neighbour the cursor moved to
	// answered: the last action key on the record under the cursor was
	// refused by the model because the record changed or vanished, and
	// said so: if the record now leaves the list, the note says nothing
	// was done, and no further key is refused for it.
	answered bool
	// answeredGone: that refusal said the record is gone. A re-read that
	// still shows it began before the refusal (re-reads run concurrently
	// and may arrive out of order), so it does not end the answer: only a
	// re-read without the record, or a move, does.
	answeredGone bool
}

// refusedBy takes note of an action's refusal by the model; shown is the
// name the record under the cursor is shown by.
func (v *vanish) refusedBy(err error, shown string) {
	if !errors.Is(err, model.ErrChanged) {
		return
	}
	if v.gone != "" {
		// The list showed the record gone before the refusal came: the
		// key it was meant for has had its answer.
		v.gone, v.now = "", ""
		return
	}
	// Gone, and named as the record under the cursor is shown ("Leo
	// Martins in Acme Ltd" for the row "Leo Martins"): a refusal naming
	// another record of the action leaves this one to the re-reads.
	var ce *model.ChangedError
	gone := errors.As(err, &ce) && ce.Gone && shown != "" && strings.HasPrefix(ce.Name, model.Sanitize(shown))
	v.answered, v.answeredGone = true, gone
}

// stays takes note of a re-read that still shows the record under the
// cursor: a refusal for a change it survives has had its say, while a
// refusal saying it is gone still waits for the re-read that shows it so.
func (v *vanish) stays() {
	if !v.answeredGone {
		v.answered = false
	}
}

// left is the note for the record under the cursor leaving the list; the
// next action key is refused for it unless the last one already was.
func (v *vanish) left(gone, now string) tea.Cmd {
	if v.answered {
		v.answered, v.answeredGone = false, false
		text := "Nothing done: " + model.Sanitize(gone) + " is no longer in this list (changed elsewhere)"
		if now != "" {
			text += "; the cursor moved to " + model.Sanitize(now)
		}
		return Status(text+".", true)
	}
	v.gone, v.now = gone, now
	return movedNote(gone, now)
}

// movedNote is the status shown when the record under the cursor vanished.
func movedNote(gone, now string) tea.Cmd {
	text := model.Sanitize(gone) + " is no longer in this list (changed elsewhere)"
	if now != "" {
		text += "; the cursor moved to " + model.Sanitize(now)
	}
	return Status(text+".", true)
}

// take reports, once, an action key that came after the record under the
// cursor vanished: the key was meant for it, so nothing is done.
func (v *vanish) take() (tea.Cmd, bool) {
	if v.gone == "" {
		return nil, false
	}
	text := "Nothing done: " + model.Sanitize(v.gone) + " vanished from the list just before that key (changed elsewhere)"
	if v.now != "" {
		text += "; the cursor is now on " + model.Sanitize(v.now) + ": press the key again to act on it"
	}
	v.gone, v.now = "", ""
	return Status(text+".", true), true
}

// Cursor is the selection of a list held whole, kept on a record by its
// key K (an id, or a pair of ids) across re-reads.
type Cursor[K comparable] struct {
	pos    int
	keys   []K
	labels []string
	key    K
	on     bool // key names the record the cursor is on
	vanish
	// released is a record this session just changed: it may leave the
	// list, and then the cursor moves on without a word.
	released    K
	hasReleased bool
}

// Sync puts the cursor back on its record in rows just read: keys[i] is
// the record row i shows and labels[i] the name it is shown by. When the
// record is gone the cursor moves to the nearest row that followed it (or,
// failing that, preceded it) and the returned command says so.
func (c *Cursor[K]) Sync(keys []K, labels []string) tea.Cmd {
	old, oldPos, was, wasOn := c.keys, c.pos, c.label(), c.on
	c.keys, c.labels = keys, labels
	if wasOn {
		if i := indexOf(keys, c.key); i >= 0 {
			// Still there: a release was for this re-read.
			c.pos, c.hasReleased = i, false
			c.stays()
			return nil
		}
	}
	pick := min(max(c.pos, 0), len(keys)-1)
	if wasOn {
		pick = neighbour(old, oldPos, keys, pick)
	}
	quiet := c.hasReleased && c.released == c.key
	c.set(pick)
	if quiet {
		c.hasReleased = false
	}
	if !wasOn || was == "" || quiet {
		c.answered, c.answeredGone = false, false
		return nil
	}
	return c.left(was, c.label())
}

// neighbour is the new index of the nearest record of old around oldPos
// that is still in keys, after it first; fallback when none is.
func neighbour[K comparable](old []K, oldPos int, keys []K, fallback int) int {
	at := make(map[K]int, len(keys))
	for i, k := range keys {
		at[k] = i
	}
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
	c.vanish = vanish{}
	c.set(min(max(i, 0), len(c.keys)-1))
}

// Release says the record under the cursor was just changed by this
// session: if it leaves the list when it is read next, that is expected,
// not news.
func (c *Cursor[K]) Release() {
	c.released, c.hasReleased = c.key, c.on
}

// Acted takes an action's outcome on the record under the cursor: done
// (nil), the record may leave the list quietly (Release); refused because
// it changed or vanished, the refusal was the key's answer, so its leaving
// is told as nothing done and no further key is refused for it.
func (c *Cursor[K]) Acted(err error) {
	if err == nil {
		c.Release()
		return
	}
	c.refusedBy(err, c.label())
}

// Vanished reports, once, that the record under the cursor disappeared
// since the last move, with the status refusing the action key; callers
// check it before acting on the selected record.
func (c *Cursor[K]) Vanished() (tea.Cmd, bool) { return c.take() }

// recheck is a confirmation's Recheck for records as the user saw them.
func recheck(sess *Session, seen ...model.Seen) func() error {
	return func() error { return sess.Svc.StillAsSeen(sess.Context(), seen...) }
}
