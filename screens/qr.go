package screens

import (
	"fmt"
	"image/color"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrMargin is the blank border around a QR code, in modules: narrower than
// the standard's four, as terminal QR tools do, and phones still read it.
const qrMargin = 2

// qrText draws content as a QR code in half blocks, two module rows per
// text line, so that it comes out square in a terminal's tall cells. Dark
// modules are the block's foreground; the theme's QR style gives them a
// light ground whatever the terminal's colours.
func qrText(content string) ([]string, error) {
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
