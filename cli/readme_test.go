package cli

import (
	"os"
	"strings"
	"testing"
)

// The README's command table is the command tree's: a command added,
// renamed or re-described without `go generate ./cli` fails here.
func TestREADMECommandTableIsTheTree(t *testing.T) {
	const path = "../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := withCommandTable(string(data), commandTable())
	if !ok {
		t.Fatalf("README.md lacks the markers of the command table:\n%s\n%s", readmeTableStart, readmeTableEnd)
	}
	// The limits table is limits.go's, in the same way.
	if want, ok = withTable(want, readmeLimitsStart, readmeLimitsEnd, limitsTable()); !ok {
		t.Fatalf("README.md lacks the markers of the limits table:\n%s\n%s", readmeLimitsStart, readmeLimitsEnd)
	}
	if want == string(data) {
		return
	}
	if os.Getenv("GATEHOUSE_UPDATE_README") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got := string(data)
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	line := strings.Count(got[:i], "\n") + 1
	t.Errorf("README.md's command or limits table differs from the command tree and limits.go from line %d; run: go generate ./cli", line)
}
