package tui

import "testing"

// The view-as picker's filter has focus from the start, and its prompt is
// "/" as on the other screens: a / typed from habit must not become part
// of the filter and hide every member.
func TestViewAsPickerIgnoresALeadingSlash(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	admin := addMember(t, svc, "Ada Admin", "ada@acme.test", "Admin")
	addMember(t, svc, "Rae Advisor", "rae@acme.test", "Advisor")
	h := newHarness(t, svc, clock, Options{SignedIn: &admin, Demo: true})
	h.press("V", "/")
	h.typ("rae")
	h.see("rae@acme.test")
	h.notSee("No active member matches")
	h.press("enter")
	h.see("viewing as Rae Advisor")
}

// j and k are letters of the picker's filter, so its help offers only the
// arrows for moving.
func TestViewAsPickerHelpOffersOnlyKeysThatMove(t *testing.T) {
	svc, clock := newService(t)
	owner2FA(t, svc, *clock)
	admin := addMember(t, svc, "Ada Admin", "ada@acme.test", "Admin")
	h := newHarness(t, svc, clock, Options{SignedIn: &admin, Demo: true})
	h.press("V")
	h.see("↑/↓ move", "enter view as")
	h.notSee("↑/k")
	h.typ("k")
	h.see("/ k")
}
