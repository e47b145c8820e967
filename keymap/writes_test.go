package keymap

import (
	"strings"
	"testing"
)

// A write binding and a reading one never look alike: the gate of "view
// as" tells them apart by keys and help, so a twin would be refused or
// let through by mistake.
func TestWriteBindingsHaveNoReadingTwin(t *testing.T) {
	writesMu.Lock()
	clear(declared)
	writesMu.Unlock()
	all := All().Bindings()
	bySignature := map[string][]string{}
	for _, b := range all {
		sig := signature(b)
		bySignature[sig] = append(bySignature[sig], strings.Join(b.Keys(), ",")+" "+b.Help().Desc)
	}
	writes := 0
	for sig, names := range bySignature {
		n := declared[sig]
		writes += n
		if n > 0 && n != len(names) {
			t.Errorf("%v: %d of these bindings write, %d do not", names, n, len(names)-n)
		}
	}
	if writes < 40 {
		t.Errorf("only %d write bindings declared", writes)
	}
}
