package screens

import (
	"strings"
	"testing"
)

// Scrolling the Clients list fetches further pages without counting the
// folders again, and the count it shows stays right.
func TestClientsScrollKeepsTheCount(t *testing.T) {
	e := clientsOrg(t)
	e.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
		INSERT INTO clients (name, created_at) SELECT printf('Folder %03d', i), 0 FROM n`)
	s := e.open(NewClients(e.session(e.owner)), 100, 20)
	want := "304 folders"
	if v := s.View(); !strings.Contains(v, want) {
		t.Fatalf("first page does not count 304 folders:\n%s", v)
	}
	for range 12 {
		s = e.keys(s, "pgdown")
	}
	v := s.View()
	if !strings.Contains(v, want) || !strings.Contains(v, "Folder 2") {
		t.Fatalf("after scrolling:\n%s", v)
	}
}
