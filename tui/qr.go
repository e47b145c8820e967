package tui

import "strings"

// groupSecret splits a base32 secret into groups of four for reading and
// typing by hand.
func groupSecret(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
