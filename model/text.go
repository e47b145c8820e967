package model

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/text/unicode/norm"
)

// Limits on text people type.
const (
	MaxNameLen    = 120
	MaxEmailLen   = 254
	MaxMessageLen = 2000
	// MaxCodeLen bounds an invitation, TOTP or recovery code as typed
	// (an invitation code is 27 characters with its dashes).
	MaxCodeLen = 64
	// MaxFilterLen bounds a list's filter text (staff, clients, audit).
	MaxFilterLen = 200
	// MaxReasonLen bounds a lock's reason and why a session was ended.
	MaxReasonLen = 500
)

// checkFilter refuses a filter over MaxFilterLen, without repeating it.
func checkFilter(what, s string) error {
	if n := utf8.RuneCountInString(s); n > MaxFilterLen {
		return fmt.Errorf("%w: the %s filter is %d characters long; at most %d", ErrInvalid, what, n, MaxFilterLen)
	}
	return nil
}

// Sanitize makes text safe to put on a terminal: control characters become
// visible Unicode control pictures (ESC shows as ␛), C1 controls,
// bidirectional overrides and invisible characters (zero-width spaces and
// joiners, variation selectors) are replaced with U+FFFD, invalid UTF-8
// likewise. Nothing a user typed can move the cursor, set the title, write
// the clipboard (OSC 52), reorder what others see, or take a width that
// terminals disagree on and push a table's columns out of line.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune('\uFFFD')
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune('\u2421')
		case r >= 0x80 && r <= 0x9f, isBidiControl(r), invisible(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// hasUnsafe reports control characters, bidi controls or invalid UTF-8.
func hasUnsafe(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) {
			return true
		}
	}
	return false
}

// CleanName validates a display name (member, client, account, role,
// department): trimmed, non-empty, at most MaxNameLen characters, and free of
// control characters.
func CleanName(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: %s is empty", ErrInvalid, what)
	}
	if hasUnsafe(s) {
		return "", fmt.Errorf("%w: %s contains control characters or escape sequences (%s)", ErrInvalid, what, Sanitize(Truncate(s, 40)))
	}
	if err := checkVisible(what, s); err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n > MaxNameLen {
		return "", fmt.Errorf("%w: %s is %d characters long; at most %d", ErrInvalid, what, n, MaxNameLen)
	}
	return s, nil
}

// CleanMessage validates free text such as an invitation's personal
// message: newlines and tabs are allowed, other controls are not.
func CleanMessage(s string) (string, error) { return CleanText("message", s) }

// CleanText validates free text as CleanMessage does; what names the
// field in its refusals ("description").
func CleanText(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > MaxMessageLen {
		return "", fmt.Errorf("%w: %s is %d characters long; at most %d", ErrInvalid, what, n, MaxMessageLen)
	}
	if hasUnsafe(strings.NewReplacer("\n", "", "\t", "").Replace(s)) {
		return "", fmt.Errorf("%w: %s contains control characters or escape sequences", ErrInvalid, what)
	}
	if err := checkVisible(what, s); err != nil {
		return "", err
	}
	return s, nil
}

// checkVisible refuses invisible characters (zero-width spaces and
// joiners, bidirectional marks, variation selectors: the same definition
// as in emails): they make two names look alike and take a width that
// terminals disagree on, pushing table columns out of line.
func checkVisible(what, s string) error {
	for i, r := range s {
		if invisible(r) {
			return fmt.Errorf("%w: %s holds an invisible character (U+%04X, at byte %d); type it without", ErrInvalid, what, r, i)
		}
	}
	return nil
}

// DisplayWidth is how many terminal cells text takes (its widest line):
// the one measure every table, pop-up and listing pads and cuts by, the
// same that cuts text with "…", so that wide characters (日本) and
// combining accents line up wherever they are shown. Text from users is
// sanitized first, so nothing of zero or disputed width reaches it.
func DisplayWidth(s string) int {
	w := 0
	for _, line := range strings.Split(s, "\n") {
		w = max(w, ansi.StringWidth(line))
	}
	return w
}

// CleanEmail validates an email address and returns it lower-cased; emails
// are unique regardless of case.
func CleanEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: email is empty", ErrInvalid)
	}
	if n := utf8.RuneCountInString(s); n > MaxEmailLen {
		return "", fmt.Errorf("%w: email is %d characters long; at most %d", ErrInvalid, n, MaxEmailLen)
	}
	if hasUnsafe(s) {
		return "", fmt.Errorf("%w: email contains control characters", ErrInvalid)
	}
	// Stored in NFKC (full-width and compatibility forms become the
	// plain letters), and refused when it mixes look-alike scripts or
	// holds invisible characters (email.go).
	s = norm.NFKC.String(s)
	if err := checkEmailText(s); err != nil {
		return "", err
	}
	// Lower-case before the checks below, so that they hold for the address
	// that is stored: some letters take more bytes in lower case.
	s = strings.ToLower(s)
	if len(s) > MaxEmailLen {
		return "", fmt.Errorf("%w: email is %d characters long; at most %d", ErrInvalid, len(s), MaxEmailLen)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", fmt.Errorf("%w: %q is not an email address (like name@example.com)", ErrInvalid, Sanitize(Truncate(s, 60)))
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsFunc(s, unicode.IsSpace) {
		return "", fmt.Errorf("%w: %q is not an email address (like name@example.com)", ErrInvalid, Sanitize(Truncate(s, 60)))
	}
	return s, nil
}

// Truncate shortens s to at most n characters, marking the cut with "…".
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	if n <= 1 {
		return string(r[:n])
	}
	return string(r[:n-1]) + "…"
}
