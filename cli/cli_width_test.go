package cli

import (
	"context"
	"strings"
	"testing"

	"gatehouse/model"
)

// Listings line their columns up by display width, the measure the app's
// tables use: a name in wide characters or with a combining accent does
// not push the next column out of line, and a name with a zero-width
// character is refused at the door.
func TestCLIColumnsAlignByDisplayWidth(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	svc, err := model.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range [][]string{{"yamada@northwind.example", "山田 太郎"}, {"jose@northwind.example", "Jose\u0301 Nun\u0303ez"}} {
		_, code, err := svc.Invite(context.Background(), model.System("t"), model.InviteInput{Email: inv[0], Name: inv[1], Role: "Advisor"})
		if err == nil {
			_, err = svc.AcceptInvitation(context.Background(), code, "a long enough password", "test")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	svc.Close()
	r := runCLI(t, "--db", path, "staff", "invite", "zw@northwind.example", "--name", "Leo\u200bMartins")
	if r.code == 0 || !strings.Contains(r.stderr, "invisible character") {
		t.Fatalf("a name with a zero-width space: exit %d, %q", r.code, r.stderr)
	}
	r = runCLI(t, "--db", path, "staff", "list")
	wantCode(t, r, 0, "staff list")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("staff list:\n%s", r.stdout)
	}
	col := -1
	for _, l := range lines {
		at := strings.Index(l, "@")
		if strings.HasPrefix(l, "NAME") || strings.HasPrefix(strings.ToUpper(l), "NAME") {
			at = strings.Index(l, "EMAIL") + 1
		}
		if at < 0 {
			continue
		}
		// The display column where the email (or its heading) starts.
		start := strings.LastIndex(l[:at], "  ") + 2
		w := model.DisplayWidth(l[:start])
		if col >= 0 && w != col {
			t.Fatalf("the email column starts at %d here, %d above:\n%s", w, col, r.stdout)
		}
		col = w
	}
}
