package tui

import (
	"fmt"
	"image/color"
	"net/url"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrQuiet is the blank margin around the code, in modules. The standard
// asks for four; two is what terminal QR tools use and phones read it, and
// every module saved keeps the code on an 80×24 screen.
const qrQuiet = 2

// qrLines draws content as a QR code with half-block characters: each text
// line holds two rows of modules, so the code comes out square on a
// terminal whose cells are about twice as tall as they are wide. A true
// cell is a dark module, drawn with the block's foreground.
func qrLines(content string) ([]string, error) {
	code, err := qr.Encode(content, qr.L, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("draw QR code: %w", err)
	}
	n := code.Bounds().Dx()
	dark := func(x, y int) bool {
		x, y = x-qrQuiet, y-qrQuiet
		if x < 0 || y < 0 || x >= n || y >= n {
			return false
		}
		return code.At(x, y) == color.Black
	}
	size := n + 2*qrQuiet
	var lines []string
	for y := 0; y < size; y += 2 {
		var b strings.Builder
		for x := 0; x < size; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteRune(' ')
			}
		}
		lines = append(lines, b.String())
	}
	return lines, nil
}

// compactOTPURL drops what an otpauth URL says twice: the parameters that
// restate the defaults every authenticator app assumes (SHA1, 6 digits, 30
// seconds), and the label's issuer prefix when the issuer parameter names
// it (the Key URI format makes the prefix optional then). The shorter URL
// needs a smaller QR version: enough to keep the code on an 80×24 screen.
// A URL with any other value is returned unchanged.
func compactOTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "otpauth" {
		return raw
	}
	q := u.Query()
	defaults := map[string]string{"algorithm": "SHA1", "digits": "6", "period": "30"}
	for k, v := range defaults {
		if got := q.Get(k); got != "" && !strings.EqualFold(got, v) {
			return raw
		}
	}
	for k := range defaults {
		q.Del(k)
	}
	if issuer, account, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), ":"); ok && issuer == q.Get("issuer") {
		u.Path, u.RawPath = "/"+account, ""
	}
	u.RawQuery = q.Encode()
	return u.String()
}

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
