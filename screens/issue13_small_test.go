package screens

import (
	"strings"
	"testing"

	"gatehouse/model"
	"gatehouse/theme"
)

// The smaller faults of the same family as the cursor's.

// "/" pressed on a picker's empty query, out of the lists' habit, starts
// the search and is not searched for: "/", "tom" finds Tom ("/ /tom
// nothing matches" before). Once the query holds text, "/" starts it
// afresh, as in every list's filter ("/ vie/man" before): a name holding
// a "/" is found by the text on either side of it.
func TestPickerSlashIsNotTypedIntoTheQuery(t *testing.T) {
	p := NewPicker(theme.Default(), "Pick", []Option{{Label: "Amy Adams"}, {Label: "Tom Becker"}, {Label: "a/b testers"}})
	p.Local = true
	for _, k := range []string{"/", "t", "o", "m"} {
		p.Update(keyMsg(k))
	}
	if q := p.filter.Value(); q != "tom" {
		t.Fatalf("query %q after / tom", q)
	}
	if o, ok := p.Chosen(); !ok || o.Label != "Tom Becker" {
		t.Fatalf("chosen %+v %v after / tom:\n%s", o, ok, p.View())
	}
	p = NewPicker(theme.Default(), "Pick", []Option{{Label: "Amy Adams"}, {Label: "a/b testers"}})
	p.Local = true
	for _, k := range []string{"a", "/", "b"} {
		p.Update(keyMsg(k))
	}
	if o, ok := p.Chosen(); p.filter.Value() != "b" || !ok || o.Label != "a/b testers" {
		t.Fatalf("query %q, chosen %+v: a / after text starts the query afresh", p.filter.Value(), o)
	}
}

// An off cell under the grid's cursor keeps its box, marked on both sides
// ("›[ ]‹"), never drawn as an empty "› ‹"; an on cell likewise.
func TestAccessGridCursorCellKeepsItsBox(t *testing.T) {
	e := clientsOrg(t)
	hb := e.client("Harbour Bakery")
	if err := e.svc.AddToClient(e.ctx, model.System("tester"), hb.ID, e.ms["ann"].ID); err != nil {
		t.Fatal(err)
	}
	sess := e.session(e.owner)
	d, err := readAccess(sess, hb.ID)
	if err != nil {
		t.Fatal(err)
	}
	g := newAccessGrid(sess, d, e.ms["ann"].ID)
	for _, on := range []bool{false, true} {
		for _, m := range d.members {
			for _, a := range d.accounts {
				m.on[a.ID] = on
			}
		}
		v := g.View(100, 20)
		want := map[bool]string{false: "›[ ]‹", true: "›[✓]‹"}[on]
		if !strings.Contains(v, want) || strings.Contains(v, "› ‹") || strings.Count(v, "›[") != 1 {
			t.Fatalf("cell under the cursor, all %v: want %q once, never \"› ‹\":\n%s", on, want, v)
		}
	}
}

// A name stored with a zero-width or bidi character (from before such
// names were refused, or written to the file directly) does not push the
// table's columns out of line: the character is shown as �, one cell, and
// every column is measured by model.DisplayWidth.
func TestTableColumnsStayInLineWithInvisibleCharacters(t *testing.T) {
	tb := testTable(70, 6, 0)
	rows := [][]string{
		{"Leo\u200bMartins", "leo@x.test", "zero width space"},
		{"Amy\u202eAdams", "amy@x.test", "right-to-left override"},
		{"Jo\u200d\u200dSmith", "jo@x.test", "two joiners"},
		{"Plain Name", "plain@x.test", "nothing hidden"},
	}
	tb.SetRows(0, len(rows), rows)
	lines := strings.Split(tb.View(), "\n")
	at := -1
	for i, l := range lines[1:] {
		if strings.ContainsAny(l, "\u200b\u200d\u202e") {
			t.Fatalf("row %d draws an invisible character: %q", i, l)
		}
		j := strings.Index(l, "@x.test")
		if j < 0 {
			t.Fatalf("row %d: %q", i, l)
		}
		// The email column starts at the same cell on every row.
		col := model.DisplayWidth(l[:j]) - model.DisplayWidth(strings.Fields(l[:j])[len(strings.Fields(l[:j]))-1])
		if at >= 0 && col != at {
			t.Fatalf("row %d's email starts at cell %d, the first row's at %d:\n%s", i, col, at, tb.View())
		}
		at = col
		if w := model.DisplayWidth(l); w != 70 {
			t.Fatalf("row %d is %d cells wide, want 70: %q", i, w, l)
		}
	}
}
