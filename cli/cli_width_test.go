package cli

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
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

// One measure of display width everywhere: model.DisplayWidth is the only
// code that measures text in terminal cells, so that the app's tables,
// pop-ups and the CLI's listings pad and cut alike. Another measure
// (lipgloss.Width, a width function of x/ansi, go-runewidth or uniseg)
// anywhere else would let the two disagree on a wide or combining
// character.
func TestOneDisplayWidthMeasure(t *testing.T) {
	t.Parallel()
	others := []string{"lipgloss.Width(", "ansi.StringWidth(", "runewidth.", "uniseg.StringWidth(", "uniseg.GraphemeClusterCount("}
	// The walk starts at the module's root, one up from cli/.
	const root = ".."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == filepath.Join(root, "model", "text.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, o := range others {
			if strings.Contains(string(src), o) {
				t.Errorf("%s measures width with %s: use model.DisplayWidth", path, strings.TrimSuffix(o, "("))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
