package screens

import (
	"errors"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// What a list's cursor needs to stay on the record the user saw while the
// list is re-read underneath it: the record an action was for, carried to
// its outcome (Record), the order of the reads (readClock, newestRead),
// and what the cursor knows of the record it is on (follow). Cursor
// (cursor.go) and Table (table.go) are the two lists built on it.

// Record is the record an action is for, by identity: the list it was
// picked from and its key there. The action's outcome carries it back
// (ActionMsg.For), so the outcome is taken for that record whatever the
// cursor did meanwhile. The zero Record is none (a create, say).
type Record struct {
	list uint64 // the id of the Cursor or Table it was picked from
	// key is the record's key in that list (K), or the keys of the
	// records of a bulk action ([]K).
	key any
	// leaves: the action may take the record out of the list (deleted,
	// archived, removed, moved away): its leaving is then expected, not
	// news.
	leaves bool
}

// listIDs names the lists that records are picked from, so that an
// outcome is taken only by the list its record came from (two lists may
// hold the same id for different things: members and invitations).
var listIDs atomic.Uint64

// readClock numbers list reads as they begin, in the command that reads,
// across every session of the process: a read with a higher number began
// later, and saw the database no earlier.
var readClock atomic.Uint64

// beginRead numbers a read as it begins; the number goes with its result.
func beginRead() uint64 { return readClock.Add(1) }

// readsBegun is the number of the last read begun: reads up to it may
// still arrive with what the database held before now.
func readsBegun() uint64 { return readClock.Load() }

// newestRead keeps a list from going back in time. Reads run concurrently
// and may arrive out of order: a result begun before the one last shown
// is older than what is on screen, and is dropped.
type newestRead struct{ shown uint64 }

// take reports whether the read numbered gen is newer than the one shown,
// and if so takes it as shown.
func (n *newestRead) take(gen uint64) bool {
	if gen <= n.shown {
		return false
	}
	n.shown = gen
	return true
}

// follow is what a list's cursor knows of the record it is on beyond its
// key: that it vanished (until the user next moves the cursor), that an
// action on it was refused, and which records this session changed in a
// way that may take them out of the list.
type follow[K comparable] struct {
	id uint64 // this list, in Records; assigned when first asked

	// gone is the record that disappeared from under the cursor, shown
	// as goneName; now is the neighbour the cursor moved to.
	gone          K
	hasGone       bool
	goneName, now string

	// answered: the last action on the record under the cursor was
	// refused by the model because the record changed or vanished, and
	// said so: if the record now leaves the list, the note says nothing
	// was done, and no further key is refused for it. Reads begun before
	// the refusal (up to answeredAt) may still show the record as it was:
	// only a read begun after it, still showing the record, ends the
	// answer.
	answered   bool
	answeredAt uint64

	// released are records this session changed in a way that may take
	// them out of the list, with the reads begun at the time: reads up to
	// then may still show them; the first read after that still does
	// ends the release.
	released map[K]uint64
}

// record names key, in this list, as the record of an action; leaves
// says the action may take it out of the list.
func (f *follow[K]) record(key K, leaves bool) Record {
	return Record{list: f.listID(), key: key, leaves: leaves}
}

// records names the records of a bulk action.
func (f *follow[K]) records(keys []K, leaves bool) Record {
	return Record{list: f.listID(), key: keys, leaves: leaves}
}

func (f *follow[K]) listID() uint64 {
	if f.id == 0 {
		f.id = listIDs.Add(1)
	}
	return f.id
}

// keysOf are the keys of r when r was picked from this list.
func (f *follow[K]) keysOf(r Record) []K {
	if f.id == 0 || r.list != f.id {
		return nil
	}
	switch k := r.key.(type) {
	case K:
		return []K{k}
	case []K:
		return k
	}
	return nil
}

// acted takes the outcome of an action on r; cur is the record under the
// cursor now (on: there is one), which need not be r's any more.
func (f *follow[K]) acted(r Record, err error, cur K, on bool) {
	keys := f.keysOf(r)
	if len(keys) == 0 {
		return
	}
	if err == nil {
		if r.leaves {
			if f.released == nil {
				f.released = map[K]uint64{}
			}
			at := readsBegun()
			for _, k := range keys {
				f.released[k] = at
			}
		}
		return
	}
	if !errors.Is(err, model.ErrChanged) {
		return
	}
	for _, k := range keys {
		if f.hasGone && f.gone == k {
			// The list showed the record gone before the refusal came:
			// the key it was meant for has had its answer, and keys
			// after it stay refused until the user moves the cursor.
			return
		}
	}
	for _, k := range keys {
		if on && k == cur {
			f.answered, f.answeredAt = true, readsBegun()
			return
		}
	}
	// A refusal for a record the cursor has left: the status line says
	// it; the record under the cursor is not concerned.
}

// shown takes note of a read numbered gen that still shows the record
// under the cursor, and of the records it holds (has; whole: the whole
// list, not a window of it).
func (f *follow[K]) shown(gen uint64, has func(K) bool, whole bool) {
	if f.answered && gen > f.answeredAt {
		// Read after the refusal, and still there: the refusal was for
		// a change the record survives, and has had its say.
		f.answered = false
	}
	f.settle(gen, has, whole)
}

// settle ends the releases a read numbered gen has answered: a record it
// still shows that was released before it began stays in the list, and
// one that a read of the whole list no longer holds has left it.
func (f *follow[K]) settle(gen uint64, has func(K) bool, whole bool) {
	for k, at := range f.released {
		switch {
		case has(k) && gen > at:
			delete(f.released, k)
		case !has(k) && whole:
			delete(f.released, k)
		}
	}
}

// quiet reports whether key, the record under the cursor, leaving the list
// was this session's doing, and ends its release.
func (f *follow[K]) quiet(key K) bool {
	_, ok := f.released[key]
	delete(f.released, key)
	return ok
}

// left is the note for the record under the cursor (key, shown as
// goneName) leaving the list, the cursor now on now. The cursor moved
// without the user moving it, so every action key is refused until they
// do: keys typed ahead, repeated or delayed on the way were meant for the
// record that vanished, never for its neighbour.
func (f *follow[K]) left(key K, goneName, now string) tea.Cmd {
	if f.quiet(key) || goneName == "" {
		f.answered = false
		return nil
	}
	answered := f.answered
	f.answered = false
	f.gone, f.hasGone, f.goneName, f.now = key, true, goneName, now
	if answered {
		text := "Nothing done: " + model.Sanitize(goneName) + " is no longer in this list (changed elsewhere)"
		if now != "" {
			text += "; the cursor moved to " + model.Sanitize(now) + moveToAct
		}
		return Status(text+".", true)
	}
	return movedNote(goneName, now)
}

// moveToAct tells how to act on the record the cursor moved to by itself.
const moveToAct = ": move the cursor to act on it"

// hiddenBy is the note of a list's cursor while child, a dialog or a view
// opened from the list, may cover it: the list is not on screen, so what
// left it is not the user's news (the grid opened from Manage Access
// shows the same member leaving, and says so itself). The cursor still
// refuses action keys after a record vanished, until the user moves it.
func hiddenBy(child Dialog, note tea.Cmd) tea.Cmd {
	if child != nil {
		return nil
	}
	return note
}

// movedNote is the status shown when the record under the cursor vanished.
func movedNote(gone, now string) tea.Cmd {
	text := model.Sanitize(gone) + " is no longer in this list (changed elsewhere)"
	if now != "" {
		text += "; the cursor moved to " + model.Sanitize(now) + moveToAct
	}
	return Status(text+".", true)
}

// take reports an action key that came after the record under the
// cursor vanished and before the user moved the cursor: the key was meant
// for the record that vanished, so nothing is done. Every such key is
// refused, not only the first: a burst, an auto-repeat or keys delayed on
// a slow link must not land on the neighbour.
func (f *follow[K]) take() (tea.Cmd, bool) {
	if !f.hasGone {
		return nil, false
	}
	text := "Nothing done: " + model.Sanitize(f.goneName) + " vanished from the list just before that key (changed elsewhere)"
	if f.now != "" {
		text += "; the cursor is now on " + model.Sanitize(f.now) + moveToAct
	}
	return Status(text+".", true), true
}

func (f *follow[K]) forgetGone() {
	var zero K
	f.gone, f.hasGone, f.goneName, f.now = zero, false, "", ""
}

// moved forgets, on a move by the user, what concerned the record the
// cursor was on: a vanished record, a refusal.
func (f *follow[K]) moved() {
	f.forgetGone()
	f.answered = false
}
