// Package keymap holds every key binding of Gatehouse and its help text.
package keymap

import "github.com/charmbracelet/bubbles/key"

// Global are the keys the shell handles on every screen.
type Global struct {
	NextTab key.Binding
	PrevTab key.Binding
	Help    key.Binding
	Quit    key.Binding
	Refresh key.Binding
}

// List are the keys of every table or list.
type List struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding
	Back     key.Binding
	Filter   key.Binding
	Sort     key.Binding
}

// Shell are the keys of the signed-in shell beyond the global ones.
type Shell struct {
	// ViewAs opens the demo's "view as" picker, and returns to yourself.
	ViewAs key.Binding
	// Why shows the reason chain of the refusal in the status line.
	Why key.Binding
}

// Form are the keys of the sign-in, first-run and join forms.
type Form struct {
	Next   key.Binding
	Prev   key.Binding
	Submit key.Binding
	Back   key.Binding
	// Interrupt quits from a form, where q is a letter being typed.
	Interrupt key.Binding
}

// Choice are the keys of a short menu (the first-run chooser, yes/no).
type Choice struct {
	Up     key.Binding
	Down   key.Binding
	Choose key.Binding
	Skip   key.Binding
	// Saved leaves the recovery codes, shown only once.
	Saved key.Binding
}

// KeyMap is all bindings.
type KeyMap struct {
	Global Global
	List   List
	Shell  Shell
	Form   Form
	Choice Choice
}

// Default returns the standard bindings.
func Default() KeyMap {
	return KeyMap{
		Global: Global{
			NextTab: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
			PrevTab: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
			Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
			Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
			Refresh: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh")),
		},
		List: List{
			Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
			PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
			Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
			Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
			Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
			Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
			Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		},
		Shell: Shell{
			ViewAs: key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "view as")),
			Why:    key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "why refused")),
		},
		Form: Form{
			Next:      key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
			Prev:      key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
			Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
			Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		},
		Choice: Choice{
			Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
			Skip:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip")),
			Saved:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "I have saved them")),
		},
	}
}
