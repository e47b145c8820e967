package screens

import (
	"strings"
	"testing"
)

// The text behind a pop-up stops a cell short of its border: "n│" and
// "╮f" read as if the letters belonged to the box.
func TestOverlayLeavesAGutterBesideThePopup(t *testing.T) {
	bg := strings.TrimSuffix(strings.Repeat(strings.Repeat("x", 20)+"\n", 5), "\n")
	fg := "+----+\n|hey |\n+----+"
	out := strings.Split(overlay(bg, fg, 20, 5), "\n")
	want := []string{
		"xxxxxxxxxxxxxxxxxxxx",
		"xxxxxx +----+ xxxxxx",
		"xxxxxx |hey | xxxxxx",
		"xxxxxx +----+ xxxxxx",
		"xxxxxxxxxxxxxxxxxxxx",
	}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("line %d is %q, want %q\n%s", i, out[i], want[i], strings.Join(out, "\n"))
		}
	}
	// A pop-up as wide as the window keeps its full width.
	out = strings.Split(overlay(bg, strings.Repeat("#", 20), 20, 5), "\n")
	if out[2] != strings.Repeat("#", 20) {
		t.Fatalf("a full-width pop-up: %q", out[2])
	}
}
