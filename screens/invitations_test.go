package screens

import (
	"strings"
	"testing"
)

// An accepted invitation can be neither resent nor revoked: the keys are
// not offered on it, and pressing them says so at once instead of asking
// a question whose answer the model then refuses.
func TestAcceptedInvitationOffersNoResendOrRevoke(t *testing.T) {
	e, _ := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.press(s, "i", "f", "f") // accepted only
	v := s.View()
	if !strings.Contains(v, "status: accepted") || !strings.Contains(v, "ann@acme.test") {
		t.Fatalf("accepted filter:\n%s", v)
	}
	if strings.Contains(v, "R resend") || strings.Contains(v, "X revoke") {
		t.Fatalf("resend or revoke offered on an accepted invitation:\n%s", v)
	}
	s = e.press(s, "R")
	if strings.Contains(s.View(), "Resend the invitation") {
		t.Fatalf("R asked to resend an accepted invitation:\n%s", s.View())
	}
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "nothing to resend") {
		t.Fatalf("R on an accepted invitation: status %+v", st)
	}
	s = e.press(s, "X")
	if strings.Contains(s.View(), "Revoke the invitation") {
		t.Fatalf("X asked to revoke an accepted invitation:\n%s", s.View())
	}
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "nothing to revoke") {
		t.Fatalf("X on an accepted invitation: status %+v", st)
	}
}
