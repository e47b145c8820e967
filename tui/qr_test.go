package tui

import (
	"net/url"
	"strings"
	"testing"

	"gatehouse/screens"
)

func TestQRLinesDrawFinderPatterns(t *testing.T) {
	lines, err := screens.QRLines(screens.CompactOTPURL(fixedEnrolment.URL))
	if err != nil {
		t.Fatal(err)
	}
	size := len([]rune(lines[0]))
	if want := (size + 1) / 2; len(lines) != want {
		t.Fatalf("%d lines for %d modules, want %d", len(lines), size, want)
	}
	// Line 1 holds module rows 2 and 3: the top edge of the finder
	// pattern (all dark) over its second row (dark, five light, dark).
	// The same shape sits at the top right; the quiet zone is blank.
	row := []rune(lines[1])
	for _, x := range []int{2, size - 9} {
		if got := string(row[x : x+7]); got != "█▀▀▀▀▀█" {
			t.Fatalf("finder pattern at column %d: %q", x, got)
		}
	}
	if strings.TrimSpace(lines[0]) != "" || strings.TrimSpace(string(row[:2])) != "" {
		t.Fatal("the quiet zone is not blank")
	}
}

func TestCompactOTPURL(t *testing.T) {
	got := screens.CompactOTPURL(fixedEnrolment.URL)
	u, err := url.Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("secret") != fixedEnrolment.Secret || q.Get("issuer") != fixedEnrolment.Issuer || u.Path != "/owner@acme.test" {
		t.Fatalf("compact URL lost something: %s", got)
	}
	if q.Has("algorithm") || q.Has("digits") || q.Has("period") || len(got) >= len(fixedEnrolment.URL) {
		t.Fatalf("defaults kept: %s", got)
	}
	other := strings.Replace(fixedEnrolment.URL, "digits=6", "digits=8", 1)
	if screens.CompactOTPURL(other) != other {
		t.Fatal("a URL with non-default digits was changed")
	}
}

func TestGroupSecret(t *testing.T) {
	if got := groupSecret("ABCDEFGHIJ"); got != "ABCD EFGH IJ" {
		t.Fatalf("groupSecret: %q", got)
	}
	if got := secretLines(fixedEnrolment.Secret); got != "JBSW Y3DP EHPK 3PXP\nJBSW Y3DP EHPK 3PXP" {
		t.Fatalf("secretLines: %q", got)
	}
}
