package model

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSafeJSONWriterEscapesWhatActsOnATerminal(t *testing.T) {
	names := []string{"abc\u202edef", "del\x7fhere", "c1\u009bjunk", "iso\u2066late\u2069", "Zoë 山田 🙂", "plain"}
	doc, err := json.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	// Every split of the document into two writes gives the same output,
	// as runes cut in half are held until whole.
	var want []byte
	for cut := 0; cut <= len(doc); cut++ {
		var out bytes.Buffer
		w := SafeJSONWriter(&out)
		if _, err := w.Write(doc[:cut]); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(doc[cut:]); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = out.Bytes()
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("cut at %d: %q, want %q", cut, out.Bytes(), want)
		}
	}
	if ok, why := terminalSafe(string(want)); !ok {
		t.Fatalf("output %q not safe: %s", want, why)
	}
	if !bytes.Contains(want, []byte(`\u202e`)) || !bytes.Contains(want, []byte("Zoë 山田 🙂")) {
		t.Fatalf("output %q", want)
	}
	var back []string
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	for i := range names {
		if back[i] != names[i] {
			t.Fatalf("name %d reads back as %q, want %q", i, back[i], names[i])
		}
	}
}
