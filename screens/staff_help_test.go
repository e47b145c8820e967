package screens

import (
	"strings"
	"testing"
)

// The Staff screen's key help follows what is open: a dialog's keys under
// a dialog, the offboard pop-up's own, the invitations' and a member's
// actions without the list's filter and sort.
func TestStaffKeyHelpFollowsWhatIsOpen(t *testing.T) {
	e := newStaffEnv(t)
	ann := e.member("Ann Advisor", "ann@acme.test", "Advisor")
	s := e.start(NewStaff(e.session(e.owner)), 110, 30)
	s = e.selectRow(s, ann.Email)

	s = e.press(s, "d") // the deactivate question
	for name, h := range map[string]string{"short": helpText(s.ShortHelp()), "full": helpText(s.FullHelp()...)} {
		if strings.Contains(h, "/ filter") || strings.Contains(h, "invite") || !strings.Contains(h, "n cancel") {
			t.Fatalf("%s help under the deactivate question: %s", name, h)
		}
	}
	s = e.press(s, "n", "O") // the offboard pop-up
	for name, h := range map[string]string{"short": helpText(s.ShortHelp()), "full": helpText(s.FullHelp()...)} {
		if !strings.Contains(h, "y/enter offboard") || !strings.Contains(h, "n cancel") || strings.Contains(h, "/ filter") {
			t.Fatalf("%s help under the offboard pop-up: %s\n%s", name, h, s.View())
		}
	}
	s = e.press(s, "esc", "enter") // the member's detail
	if h := helpText(s.FullHelp()...); strings.Contains(h, "/ filter") || strings.Contains(h, "s sort") || !strings.Contains(h, "d deactivate") {
		t.Fatalf("full help in a member's detail: %s", h)
	}
	s = e.press(s, "esc", "i") // the invitations
	if h := helpText(s.FullHelp()...); strings.Contains(h, "/ filter") || strings.Contains(h, "n invite") || !strings.Contains(h, "esc back") {
		t.Fatalf("full help in the invitations: %s", h)
	}
}
