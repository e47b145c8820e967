package keymap

import (
	"reflect"
	"strings"
	"sync"

	"github.com/charmbracelet/bubbles/key"
)

// A binding that changes data, or opens the dialog that does, is declared
// a write where it is made (writes). The shell asks Writes of the keys the
// active view offers, and refuses them while the demo's "view as" is on:
// one gate for every screen, which a new screen's write key joins by being
// declared here, not by a check of its own.

var (
	writesMu sync.Mutex
	writeSet = map[string]bool{}
	// declared counts the declarations of each signature, for the test
	// that no reading binding shares one with a write.
	declared = map[string]int{}
)

// signature identifies a binding by its keys and its help, which is what
// a view offers: the same key with another meaning has another help.
func signature(b key.Binding) string {
	return strings.Join(b.Keys(), "\x00") + "\x01" + b.Help().Key + "\x01" + b.Help().Desc
}

// writes declares b a write binding.
func writes(b key.Binding) key.Binding {
	writesMu.Lock()
	defer writesMu.Unlock()
	writeSet[signature(b)] = true
	declared[signature(b)]++
	return b
}

var declareOnce sync.Once

// Writes reports whether b changes data or opens a dialog that does.
func Writes(b key.Binding) bool {
	// The bindings are declared by the functions that make them; make
	// each once so the set is whole whichever a program used.
	declareOnce.Do(func() { _ = All() })
	writesMu.Lock()
	defer writesMu.Unlock()
	return writeSet[signature(b)]
}

// Groups are every key binding of the program, by the struct that holds
// them, for tests and for Writes.
type Groups struct {
	KeyMap  KeyMap
	Staff   Staff
	Profile Profile
	Clients Clients
	Admin   Admin
}

// All returns every group of bindings.
func All() Groups {
	return Groups{KeyMap: Default(), Staff: DefaultStaff(), Profile: DefaultProfile(), Clients: DefaultClients(), Admin: DefaultAdmin()}
}

// Bindings returns every binding of every group, in declaration order.
func (g Groups) Bindings() []key.Binding {
	var out []key.Binding
	collect(reflect.ValueOf(g), &out)
	return out
}

var bindingType = reflect.TypeOf(key.Binding{})

func collect(v reflect.Value, out *[]key.Binding) {
	if v.Type() == bindingType {
		*out = append(*out, v.Interface().(key.Binding))
		return
	}
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			collect(v.Field(i), out)
		}
	}
}
