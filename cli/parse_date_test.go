package cli

import (
	"testing"
	"time"
)

// --since, --until and --before take a date, a time or an age in days;
// anything else is one usage line.
func TestParseDateTakesAnAge(t *testing.T) {
	got, err := parseDate("before", "30d", false)
	if want := time.Now().AddDate(0, 0, -30); err != nil || got.Sub(want).Abs() > time.Minute {
		t.Fatalf("30d = %v, %v; want about %v", got, err, want)
	}
	if got, err := parseDate("before", "2026-01-02T03:04:05Z", false); err != nil || !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("RFC 3339: %v, %v", got, err)
	}
	for _, bad := range []string{"d", "-3d", "3w", "1e9d", "30 d"} {
		if _, err := parseDate("before", bad, false); err == nil {
			t.Errorf("%q was taken as a date", bad)
		}
	}
}
