package screens

import "testing"

func TestCountOf(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{{0, "member", "0 members"}, {1, "member", "1 member"}, {2, "staff member", "2 staff members"}, {1, "client folder", "1 client folder"}} {
		if got := countOf(c.n, c.noun); got != c.want {
			t.Errorf("countOf(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
	if got := allAccounts(1); got != "its 1 account" {
		t.Errorf("allAccounts(1) = %q", got)
	}
}
