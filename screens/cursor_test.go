package screens

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
)

func statusText(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	if cmd == nil {
		return ""
	}
	st, ok := cmd().(StatusMsg)
	if !ok {
		t.Fatalf("not a status: %T", cmd())
	}
	return st.Text
}

func TestCursorStaysOnItsRecord(t *testing.T) {
	var c Cursor[int64]
	c.Sync(beginRead(), []int64{10, 20, 30, 40}, []string{"Amy", "Ben", "Cat", "Dan"})
	c.Move(2) // Cat
	// Rows inserted and removed above: still Cat.
	if cmd := c.Sync(beginRead(), []int64{5, 6, 20, 30, 40}, []string{"Aa", "Ab", "Ben", "Cat", "Dan"}); cmd != nil {
		t.Fatalf("a note though Cat is there: %q", statusText(t, cmd))
	}
	if k, ok := c.Key(); !ok || k != 30 || c.Index() != 3 {
		t.Fatalf("cursor on %d (row %d), want Cat (30, row 3)", k, c.Index())
	}
	if _, refused := c.Vanished(); refused {
		t.Fatal("an action refused though the record is there")
	}
	// Cat removed (and a row inserted above): the cursor goes to Dan, the
	// record that followed, and says so.
	note := statusText(t, c.Sync(beginRead(), []int64{1, 5, 6, 20, 40}, []string{"A0", "Aa", "Ab", "Ben", "Dan"}))
	if k, _ := c.Key(); k != 40 || !strings.Contains(note, "Cat is no longer in this list") || !strings.Contains(note, "moved to Dan") {
		t.Fatalf("after Cat vanished: on %d, note %q", k, note)
	}
	// Every action key is refused, naming Cat, until the user moves the
	// cursor: a burst typed ahead never lands on Dan.
	for i := 0; i < 3; i++ {
		cmd, refused := c.Vanished()
		if !refused || !strings.Contains(statusText(t, cmd), "Nothing done: Cat vanished") || !strings.Contains(statusText(t, cmd), "move the cursor to act") {
			t.Fatalf("action %d after the vanish: %v %q", i+1, refused, statusText(t, cmd))
		}
	}
	// The last record removed: the one before it.
	c.To(4)
	c.Sync(beginRead(), []int64{1, 5, 6, 20}, []string{"A0", "Aa", "Ab", "Ben"})
	if k, _ := c.Key(); k != 20 {
		t.Fatalf("after the last row vanished: on %d, want Ben", k)
	}
	// A move forgets the vanished record.
	c.Move(-1)
	if _, refused := c.Vanished(); refused {
		t.Fatal("refused after a move")
	}
	// Everything gone.
	note = statusText(t, c.Sync(beginRead(), nil, nil))
	if _, ok := c.Key(); ok || !strings.Contains(note, "Ab is no longer in this list") {
		t.Fatalf("empty list: %q", note)
	}
}

func keyedRows(names ...string) ([][]string, []int64) {
	var rows [][]string
	var ids []int64
	for _, n := range names {
		rows = append(rows, []string{n, strings.ToLower(n) + "@x.test", ""})
		id := int64(0)
		for _, r := range n {
			id = id*31 + int64(r)
		}
		ids = append(ids, id)
	}
	return rows, ids
}

func TestKeyedTableFollowsItsRecord(t *testing.T) {
	keys := keymap.Default().List
	tb := testTable(60, 6, 0)
	rows, ids := keyedRows("Amy", "Ben", "Cat", "Dan", "Eve")
	tb.SetKeyedRows(beginRead(), 0, 5, rows, ids)
	tb.Update(keyMsg("j"), keys)
	tb.Update(keyMsg("j"), keys) // Cat
	rows, ids = keyedRows("Aaron", "Amy", "Ben", "Cat", "Dan", "Eve")
	if f, cmd := tb.SetKeyedRows(beginRead(), 0, 6, rows, ids); f != Followed || cmd != nil {
		t.Fatalf("Cat is held: %v", f)
	}
	if _, i, ok := tb.Selected(); !ok || tb.Cursor() != 3 || rows[i][0] != "Cat" || !strings.Contains(tb.View(), "› Cat") {
		t.Fatalf("cursor %d after a row above was inserted:\n%s", tb.Cursor(), tb.View())
	}
	// A window of a longer list without Cat: the owner must locate it.
	rows, ids = keyedRows("Aaron", "Amy", "Ben")
	if f, _ := tb.SetKeyedRows(beginRead(), 0, 50, rows, ids); f != FollowLocate {
		t.Fatalf("Cat not in a partial window: %v", f)
	}
	if _, _, ok := tb.Selected(); ok {
		t.Fatal("a selection while the record is being located")
	}
	if strings.Contains(tb.View(), "›") {
		t.Fatalf("a row is drawn selected while Cat is located:\n%s", tb.View())
	}
	tb.Locate(40)
	rows, ids = keyedRows("Xia", "Cat", "Yul")
	tb.SetKeyedRows(beginRead(), 39, 50, rows, ids)
	if _, i, ok := tb.Selected(); !ok || tb.Cursor() != 40 || rows[i][0] != "Cat" {
		t.Fatalf("after Locate: cursor %d", tb.Cursor())
	}
	// The whole list held and Cat gone: the next row, with a note and one
	// refused action.
	rows, ids = keyedRows("Amy", "Ben", "Dan", "Eve")
	tb.SetCursor(2)
	rows2, ids2 := keyedRows("Amy", "Ben", "Cat", "Dan", "Eve")
	tb.SetKeyedRows(beginRead(), 0, 5, rows2, ids2)
	tb.SetCursor(2)
	_, cmd := tb.SetKeyedRows(beginRead(), 0, 4, rows, ids)
	if note := statusText(t, cmd); !strings.Contains(note, "Cat is no longer in this list") || !strings.Contains(note, "moved to Dan") {
		t.Fatalf("note %q", note)
	}
	if cmd, refused := tb.Vanished(); !refused || !strings.Contains(statusText(t, cmd), "Cat vanished") {
		t.Fatal("the action after the vanish was not refused")
	}
	// Lose (the model's word) behaves alike.
	tb.SetCursor(1) // Ben
	rows, ids = keyedRows("Amy", "Dan", "Eve")
	tb.SetKeyedRows(beginRead(), 0, 50, rows, ids)
	if note := statusText(t, tb.Lose()); !strings.Contains(note, "Ben is no longer") || !strings.Contains(note, "moved to Dan") {
		t.Fatalf("Lose: %q", note)
	}
}
