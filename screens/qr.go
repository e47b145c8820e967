package screens

import (
	"fmt"
	"image/color"
	"net/url"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrMargin is the blank border around a QR code, in modules: narrower than
// the standard's four, as terminal QR tools do, and phones still read it.
const qrMargin = 2

// QRLines draws content as a QR code in half blocks, two module rows per
// text line, so that it comes out square in a terminal's tall cells. Dark
// modules are the block's foreground; the theme's QR style gives them a
// light ground whatever the terminal's colours. The first run's enrolment
// and Profile both draw with it.
func QRLines(content string) ([]string, error) {
	code, err := qr.Encode(content, qr.L, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	n := code.Bounds().Dx()
	dark := func(x, y int) bool {
		x, y = x-qrMargin, y-qrMargin
		return x >= 0 && y >= 0 && x < n && y < n && code.At(x, y) == color.Black
	}
	size := n + 2*qrMargin
	lines := make([]string, 0, (size+1)/2)
	for y := 0; y < size; y += 2 {
		var b strings.Builder
		for x := 0; x < size; x++ {
			switch top, bottom := dark(x, y), dark(x, y+1); {
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

// CompactOTPURL drops what an otpauth URL says twice: the parameters that
// restate the defaults every authenticator app assumes (SHA1, 6 digits, 30
// seconds), and the label's issuer prefix when the issuer parameter names
// it (the Key URI format makes the prefix optional then). The shorter URL
// needs a smaller QR version: enough to keep the code on an 80×24 screen.
// A URL with any other value is returned unchanged.
func CompactOTPURL(raw string) string {
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
