package keymap

import "github.com/charmbracelet/bubbles/key"

// The keys of the dialogs every screen opens (forms, confirmations,
// pickers, results), for the key help while one is open. The dialogs
// read the keys themselves; these say what they do.
var (
	DialogNextField  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	DialogSubmit     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit"))
	DialogSubmitArea = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "submit"))
	DialogCancel     = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	DialogYes        = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes"))
	DialogYesOrEnter = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "yes"))
	DialogNo         = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "cancel"))
	DialogMove       = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move"))
	DialogArrows     = key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("arrows", "move"))
	DialogMark       = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark"))
	DialogChoose     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	DialogClose      = key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "close"))
)
