package model

import "testing"

// A caller scrolling a list it already counted gets the page without a
// count (-1), the same rows as with one.
func TestListClientsKnownTotal(t *testing.T) {
	f, _, _, _ := acmeFixture(t)
	owner := f.as(f.owner)
	q := ClientQuery{Limit: 1, Offset: 1}
	counted, n, err := f.svc.ListClients(f.ctx, owner, q)
	if err != nil || n < 2 || len(counted) != 1 {
		t.Fatalf("counted = %v, %d, %v", counted, n, err)
	}
	q.KnownTotal = true
	rows, n, err := f.svc.ListClients(f.ctx, owner, q)
	if err != nil || n != -1 || len(rows) != 1 || rows[0].ID != counted[0].ID {
		t.Fatalf("known total = %v, %d, %v", rows, n, err)
	}
}
