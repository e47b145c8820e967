package cli

import (
	"strings"
	"testing"
)

// access list counts only what the asker sees, and says so: Amelia is in
// three folders, none of which the Advisor Leo sees, and he is told
// "0 … you can see", with nothing of the other three, in text or JSON.
func TestAccessListCountsWhatTheAskerSees(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	r := runCLI(t, "--db", d.path, "access", "list", "--staff", amelia)
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "was added to 3 client folder(s) you can see.") {
		t.Errorf("access list --staff as the Owner:\n%s", r.stdout)
	}
	leoP := d.member(leo)
	r = d.run(leoP, "access", "list", "--staff", amelia)
	if r.code != 0 || !strings.Contains(r.stdout, "was added to 0 client folder(s) you can see.") || strings.Contains(r.stdout, "3") {
		t.Errorf("access list --staff as an Advisor who sees none of her folders: %+v", r)
	}
	r = d.run(leoP, "access", "list", "--staff", amelia, "--json")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("access list --staff --json as that Advisor: %+v", r)
	}
	r = d.run(leoP, "access", "list", "--client", "Ironbridge Engineering")
	if r.code != 0 || !strings.Contains(r.stdout, " member(s) you can see added to Ironbridge Engineering.") {
		t.Errorf("access list --client as an Advisor: %+v", r)
	}
}

// sessions list, refused, names what listing needs: not a claim that the
// asker tried to update staff.
func TestSessionsListRefusalNamesWhatListingNeeds(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	r := d.run(d.member(leo), "sessions", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "Advisor may not list live sessions: listing them needs the permission to update staff") {
		t.Errorf("sessions list as an Advisor: %+v", r)
	}
}
