package keymap

import "github.com/charmbracelet/bubbles/key"

// Clients are the keys of the Clients screen, a folder's detail, the
// Manage Access pop-up and grid, bulk reassign and a member's clients.
type Clients struct {
	New          key.Binding
	Rename       key.Binding
	Archive      key.Binding
	ShowArchived key.Binding
	Owner        key.Binding
	Department   key.Binding
	SortDir      key.Binding
	ManageAccess key.Binding
	Reassign     key.Binding

	// In a folder's detail.
	AddAccount    key.Binding
	RenameAccount key.Binding
	RemoveAccount key.Binding
	WhoCanReach   key.Binding

	// In the Manage Access pop-up and grid.
	AddStaff    key.Binding
	RemoveStaff key.Binding
	Grid        key.Binding
	ToggleCell  key.Binding
	ToggleRow   key.Binding
	ToggleCol   key.Binding
	Left        key.Binding
	Right       key.Binding
	// Across is Left and Right as the help offers them: one entry.
	Across key.Binding

	// In a member's clients and bulk reassign.
	AddClients   key.Binding
	RemoveClient key.Binding
	Mark         key.Binding
	MarkAll      key.Binding
	Apply        key.Binding
}

// DefaultClients returns the Clients screen's bindings.
func DefaultClients() Clients {
	return Clients{
		New:          writes(key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new client"))),
		Rename:       writes(key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename"))),
		Archive:      writes(key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "archive/restore"))),
		ShowArchived: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "live/archived")),
		Owner:        writes(key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "set owner"))),
		Department:   writes(key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "set department"))),
		SortDir:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		ManageAccess: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "manage access")),
		Reassign:     writes(key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "bulk reassign"))),

		AddAccount:    writes(key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "add"))),
		RenameAccount: writes(key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename"))),
		RemoveAccount: writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove"))),
		WhoCanReach:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "who can reach")),

		AddStaff:    writes(key.NewBinding(key.WithKeys("+", "a"), key.WithHelp("+", "add staff"))),
		RemoveStaff: writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove staff member"))),
		Grid:        key.NewBinding(key.WithKeys("enter", "g"), key.WithHelp("enter", "access per account")),
		ToggleCell:  writes(key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle"))),
		ToggleRow:   writes(key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "row"))),
		ToggleCol:   writes(key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "column"))),
		Left:        key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left")),
		Right:       key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right")),
		Across:      key.NewBinding(key.WithKeys("left", "h", "right", "l"), key.WithHelp("←/→", "accounts")),

		AddClients:   writes(key.NewBinding(key.WithKeys("+", "a"), key.WithHelp("+", "add clients"))),
		RemoveClient: writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove client"))),
		Mark:         key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark")),
		MarkAll:      key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "mark all")),
		Apply:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose the new owner")),
	}
}
