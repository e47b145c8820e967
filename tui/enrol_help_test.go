package tui

import (
	"context"
	"strings"
	"testing"

	"gatehouse/model"
)

// Beside the QR code at 80×24 the text column is narrow; the keys under
// the code field wrap instead of losing "ctrl+c quit" at the edge.
func TestEnrolmentKeysWrapBesideTheQRCode(t *testing.T) {
	svc, clock := newService(t)
	owner, _, _ := owner2FA(t, svc, *clock)
	_, code, err := svc.Invite(context.Background(), model.MemberPrincipal(owner, "test"),
		model.InviteInput{Email: "nia@acme.test", Name: "Nia New", Role: "Advisor"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, svc, clock, Options{JoinCode: code})
	h.fill(testPassword, testPassword)
	h.see("set it up now")
	h.press("enter")
	h.stage(stageEnrol)
	h.send(enrolBeganMsg{enrolment: fixedEnrolment})
	v := h.view()
	if !strings.Contains(v, "█") {
		t.Fatalf("no QR code at 80×24:\n%s", v)
	}
	h.see("esc skip", "ctrl+c quit")
}
