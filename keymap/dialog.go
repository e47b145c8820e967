package keymap

import "github.com/charmbracelet/bubbles/key"

// The keys of the dialogs every screen opens (forms, confirmations,
// pickers, results): the dialogs match keys with these (key.Matches), and
// the key help while one is open draws them.
var (
	DialogNextField  = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	DialogSubmit     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "submit"))
	DialogSubmitArea = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "submit"))
	DialogCancel     = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	DialogYes        = key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes"))
	DialogYesOrEnter = key.NewBinding(key.WithKeys("y", "Y", "enter"), key.WithHelp("y/enter", "yes"))
	DialogNo         = key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "cancel"))
	DialogMove       = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move"))
	DialogArrows     = key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("arrows", "move"))
	DialogMark       = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark"))
	DialogChoose     = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	DialogClose      = key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "close"))
	// PopupClose closes a pop-up over a list (Manage Access, its grid, a
	// folder's detail, bulk reassign): esc, or q, since nothing is typed
	// there.
	PopupClose = key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back"))
	// A result's text scrolls.
	DialogScrollUp   = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up"))
	DialogScrollDown = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down"))
	DialogPageUp     = key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up"))
	DialogPageDown   = key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "page down"))
	// Dismiss closes what is only read (an audit entry's detail, who can
	// reach an account): esc, enter or q.
	Dismiss = key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close"))
)
