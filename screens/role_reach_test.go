package screens

import (
	"strings"
	"testing"

	"gatehouse/db"
	"gatehouse/model"
)

// In the Manage Access grid, an Admin's cells are reached through the
// role: drawn locked, with the reason in the legend; toggling one says why
// nothing changes and changes nothing. An Advisor's cells stay toggles.
func TestAccessGridLocksReachThroughTheRole(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	hb := e.client("Harbour Bakery")
	for _, m := range []model.Member{e.ms["admin"], e.ms["ann"]} {
		if err := e.svc.AddToClient(e.ctx, sys, hb.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	toggles := func() int {
		gs, err := e.svc.ListGrants(e.ctx, sys, db.GrantQuery{StaffID: e.ms["admin"].ID, ClientID: hb.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(gs)
	}
	before := toggles()
	for _, sz := range sizes {
		s := e.open(NewClients(e.session(e.owner)), sz[0], sz[1])
		s = e.toClient(s, "Harbour Bakery")
		s = e.keys(s, "m", "enter")
		v := s.View()
		if !strings.Contains(v, "(✓)") || !strings.Contains(v, "reached through the role: a toggle changes nothing") {
			t.Fatalf("the Admin's cells are not drawn locked:\n%s", v)
		}
		golden(t, sizeName("clients_access_grid_role", sz), v, sz[0], sz[1])
		for _, k := range []string{" ", "R"} {
			s = e.keys(s, k)
			if st := e.lastStatus().Text; !strings.Contains(st, "reaches") || !strings.Contains(st, "through their role, whatever the toggle") || !strings.Contains(st, "Nothing changed") {
				t.Errorf("%q on the Admin's cell: %q", k, st)
			}
		}
		// A whole column leaves the Admin's cell as it is, and says so.
		s = e.keys(s, "C")
		if st := e.lastStatus().Text; !strings.Contains(st, "but 1 who reach it through their role") {
			t.Errorf("C on a column with the Admin: %q", st)
		}
		if n := toggles(); n != before {
			t.Errorf("toggling the Admin's locked cells changed their grants: %d, was %d", n, before)
		}
		// The Advisor's row is a toggle as before.
		s = e.keys(s, "j", " ")
		if st := e.lastStatus().Text; !strings.Contains(st, "Ann Advisor: Leave turned on") {
			t.Errorf("space on the Advisor's cell: %q", st)
		}
	}
}

// A member's clients view draws a folder their role reaches locked, with
// the legend, and removing them says their role still reaches it.
func TestMemberClientsLocksReachThroughTheRole(t *testing.T) {
	e := clientsOrg(t)
	sys := model.System("tester")
	hb := e.client("Harbour Bakery")
	if err := e.svc.AddToClient(e.ctx, sys, hb.ID, e.ms["admin"].ID); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		mc := e.open(NewMemberClients(e.session(e.owner), e.ms["admin"]), sz[0], sz[1])
		v := mc.View()
		if !strings.Contains(v, "(✓)") || !strings.Contains(v, "reached through the role") {
			t.Fatalf("the Admin's folder is not drawn locked:\n%s", v)
		}
		golden(t, sizeName("clients_member_clients_role", sz), v, sz[0], sz[1])
		mc = e.keys(mc, "x")
		if v := mc.View(); !strings.Contains(flatText(v), "Their role still reaches its accounts") {
			t.Errorf("removing the Admin does not say their role still reaches the folder:\n%s", v)
		}
	}
}
