package screens

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

func testTable(w, h, total int) *Table {
	t := NewTable(theme.Default(), []Column{
		{Title: "Name", Min: 8, Grow: 1},
		{Title: "Email", Min: 10, Grow: 2},
		{Title: "Notes", Min: 10, Grow: 1, Drop: 1},
	})
	t.SetSize(w, h)
	t.SetRows(0, total, nil)
	return t
}

func rowsFrom(off, n int) [][]string {
	var out [][]string
	for i := off; i < off+n; i++ {
		out = append(out, []string{fmt.Sprintf("row %d", i), fmt.Sprintf("r%d@example.com", i), "a note that is long enough to be cut"})
	}
	return out
}

func TestTableWidthsAdaptAndTruncate(t *testing.T) {
	for _, w := range []int{30, 40, 80, 160} {
		tb := testTable(w, 5, 3)
		tb.SetRows(0, 3, rowsFrom(0, 3))
		lines := strings.Split(tb.View(), "\n")
		if len(lines) != 4 {
			t.Fatalf("width %d: %d lines", w, len(lines))
		}
		for _, l := range lines {
			if lipgloss.Width(l) != w {
				t.Errorf("width %d: line %q is %d wide", w, l, lipgloss.Width(l))
			}
		}
		hasNotes := strings.Contains(lines[0], "Notes")
		if (w >= 34) != hasNotes {
			t.Errorf("width %d: Notes column shown = %v", w, hasNotes)
		}
		if w == 40 && !strings.Contains(lines[1], "…") {
			t.Errorf("width 40: long cell not cut with …: %q", lines[1])
		}
		if w == 160 && strings.Contains(lines[1], "…") {
			t.Errorf("width 160: cell cut though it fits: %q", lines[1])
		}
	}
}

func TestTableCursorAndWindow(t *testing.T) {
	keys := keymap.Default().List
	tb := testTable(60, 11, 1000) // 10 body rows
	if missing, off, lim := tb.Missing(); !missing || off != 0 || lim != 30 {
		t.Fatalf("initial Missing = %v %d %d", missing, off, lim)
	}
	tb.SetRows(0, 1000, rowsFrom(0, 30))
	if missing, _, _ := tb.Missing(); missing {
		t.Fatal("rows held but reported missing")
	}
	tb.Update(keyMsg("G"), keys)
	if tb.Cursor() != 999 {
		t.Fatalf("cursor at %d after G", tb.Cursor())
	}
	missing, off, lim := tb.Missing()
	if !missing || off != 980 || lim != 30 {
		t.Fatalf("Missing at bottom = %v %d %d", missing, off, lim)
	}
	// Until the rows come, the visible ones are placeholders.
	if v := tb.View(); strings.Count(v, "…") != 10 {
		t.Fatalf("placeholders:\n%s", v)
	}
	tb.SetRows(off, 1000, rowsFrom(off, 20))
	v := tb.View()
	if !strings.Contains(v, "› row 999") || strings.Contains(v, "row 989 ") {
		t.Fatalf("bottom page:\n%s", v)
	}
	tb.Update(keyMsg("k"), keys)
	tb.Update(keyMsg("pgup"), keys)
	if tb.Cursor() != 988 {
		t.Fatalf("cursor %d after k, pgup", tb.Cursor())
	}
	tb.Update(keyMsg("g"), keys)
	if tb.Cursor() != 0 {
		t.Fatal("g did not go to the top")
	}
	// A smaller total (rows were removed) keeps the cursor in range.
	tb.SetCursor(500)
	tb.SetRows(0, 3, rowsFrom(0, 3))
	if tb.Cursor() != 2 {
		t.Fatalf("cursor %d after the total shrank to 3", tb.Cursor())
	}
}

func TestTableEmptyAndSortMarker(t *testing.T) {
	tb := testTable(60, 5, 0)
	tb.SetEmpty("Nobody here.")
	tb.SetSort(1, true)
	v := tb.View()
	if !strings.Contains(v, "Email ▼") || !strings.Contains(v, "Nobody here.") {
		t.Fatalf("empty table:\n%s", v)
	}
	tb.SetRows(0, 1, [][]string{{"Eve\x1b[2J", "e@x.test\x1b]52;c;AA==\x07", "\u202Eevil"}})
	if v := tb.View(); strings.ContainsAny(v, "\x1b\x07\u202E") {
		t.Fatalf("table passed control characters through: %q", v)
	}
}

// Names in wide characters, with combining accents, or holding a
// zero-width character stored before input refused them, keep every
// column in line: the zero-width one shows as �, and every cell is padded
// by the one display width.
func TestTableColumnsStayInLine(t *testing.T) {
	tb := testTable(70, 6, 4)
	tb.SetRows(0, 4, [][]string{
		{"Leo Martins", "leo@x.test", "n"},
		{"Leo\u200bMartins", "zw@x.test", "n"},
		{"山田 太郎", "yamada@x.test", "n"},
		{"Jose\u0301 Nun\u0303ez", "jose@x.test", "n"},
	})
	lines := strings.Split(tb.View(), "\n")[1:]
	col := -1
	emails := []string{"leo@", "zw@", "yamada@", "jose@"}
	for i, l := range lines {
		if strings.ContainsRune(l, '\u200b') {
			t.Fatalf("a zero-width space reached the screen: %q", l)
		}
		at := model.DisplayWidth(l[:strings.Index(l, emails[i])])
		if model.DisplayWidth(l) != 70 || (col >= 0 && at != col) {
			t.Fatalf("columns out of line (%d wide, email at %d, above %d):\n%s", model.DisplayWidth(l), at, col, strings.Join(lines, "\n"))
		}
		col = at
	}
}
