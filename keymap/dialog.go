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
	// Scroll is the arrows as a long text's hint line offers them.
	Scroll = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll"))
	// Dismiss closes what is only read (an audit entry's detail, who can
	// reach an account): esc, enter or q.
	Dismiss = key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close"))
	// ExplainClose closes a reason chain: w, which opened it, as well.
	ExplainClose = key.NewBinding(key.WithKeys("enter", "esc", "w", "q"), key.WithHelp("enter/esc", "close"))
)

// The keys of a form's fields. ↑/↓ move between fields but for a text
// area's, whose lines they move between; ←/→ (h/l) and space change a
// choice, and space ticks an item of a list of ticks.
var (
	DialogPrevField = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field"))
	FieldDown       = key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next field"))
	FieldUp         = key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field"))
	ChoicePrev      = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous choice"))
	ChoiceNext      = key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next choice"))
	ChoiceToggle    = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick / next choice"))
)

// The keys of a list typed into (a picker, the "view as" chooser, a list's
// filter line): only the arrows and ctrl+p/ctrl+n move, since every letter
// is text; / again starts the text afresh, being the key that opens a
// filter everywhere else.
var (
	PickerUp     = key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up"))
	PickerDown   = key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down"))
	ArrowUp      = key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up"))
	ArrowDown    = key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down"))
	SearchAfresh = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search afresh"))
	// FilterKeep leaves a list's filter line keeping what was typed: enter,
	// or an arrow to go on to the rows.
	FilterKeep = key.NewBinding(key.WithKeys("enter", "down", "up"), key.WithHelp("enter", "apply"))
)
