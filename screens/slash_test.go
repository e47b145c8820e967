package screens

import (
	"testing"

	"gatehouse/theme"
)

// A second / while a query is being edited starts the query afresh, in
// pickers and in the Staff and Clients filters alike: it is the key that
// opened the query, never a "/" searched for.
func TestSlashWhileEditingAQueryStartsItAfresh(t *testing.T) {
	t.Run("picker", func(t *testing.T) {
		p := NewPicker(theme.Default(), "Pick", []Option{{Label: "Viewer", Value: "Viewer", ID: 1}, {Label: "Manager", Value: "Manager", ID: 2}})
		p.Local = true
		for _, k := range []string{"/", "vie", "/", "man"} {
			p.Update(keyMsg(k))
		}
		if q := p.Filter(); q != "man" {
			t.Fatalf("query %q, want man", q)
		}
		if o, ok := p.Chosen(); !ok || o.Value != "Manager" {
			t.Fatalf("chosen %+v %v, want Manager", o, ok)
		}
	})
	t.Run("staff", func(t *testing.T) {
		e := newStaffEnv(t)
		s := e.start(NewStaff(e.session(e.owner)), 120, 40)
		s = e.press(s, "/", "tom", "/", "own", "enter")
		if q := s.(*staffScreen).text; q != "own" {
			t.Fatalf("filter %q, want own", q)
		}
	})
	t.Run("clients", func(t *testing.T) {
		e := clientsOrg(t)
		s := e.open(NewClients(e.session(e.owner)), 120, 40)
		s = e.keys(s, "/", "tom", "/", "ju", "enter")
		if q := s.(*clientsScreen).text; q != "ju" {
			t.Fatalf("filter %q, want ju", q)
		}
	})
}
