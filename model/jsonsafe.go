package model

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// SafeJSONWriter passes JSON through with the characters that could act on
// a terminal written as \u escapes: DEL, C1 controls and bidirectional
// overrides, which encoding/json leaves as they are. The document means
// the same to any JSON reader (the names import back exactly), and printed
// on a terminal it cannot reorder or recolour what is around it. Runes
// split across writes are held until they are whole.
func SafeJSONWriter(w io.Writer) io.Writer { return &safeJSONWriter{w: w} }

type safeJSONWriter struct {
	w       io.Writer
	pending []byte
	out     []byte
}

func (s *safeJSONWriter) Write(p []byte) (int, error) {
	data := append(s.pending, p...)
	whole := len(data)
	// Keep an unfinished rune at the end for the next write.
	for back := 1; back <= utf8.UTFMax-1 && back <= len(data); back++ {
		if i := len(data) - back; utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				whole = i
			}
			break
		}
	}
	s.out = appendSafeJSON(s.out[:0], data[:whole])
	s.pending = append(s.pending[:0], data[whole:]...)
	if _, err := s.w.Write(s.out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func appendSafeJSON(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < 0x7f {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) {
			dst = fmt.Appendf(dst, `\u%04x`, r)
		} else {
			dst = append(dst, src[i:i+size]...)
		}
		i += size
	}
	return dst
}
