package keymap

import "github.com/charmbracelet/bubbles/key"

// Admin are the keys of the Roles, Settings (general, departments,
// connections, billing), Audit and permission simulator screens.
type Admin struct {
	New     key.Binding
	Edit    key.Binding
	Rename  key.Binding
	Delete  key.Binding
	Members key.Binding
	// Give opens "what if" for giving the role to a member, then saves it.
	Give key.Binding
	// Explain shows the engine's reason chain for what is under the cursor.
	Explain key.Binding

	// The role and connection scope grid.
	CellUp    key.Binding
	CellDown  key.Binding
	CellLeft  key.Binding
	CellRight key.Binding
	Cycle     key.Binding
	// ScopeSet is ScopeOff, ScopeOwn, ScopeDept and ScopeAll as a grid's
	// hint line offers them: one entry.
	ScopeSet  key.Binding
	ScopeOff  key.Binding
	ScopeOwn  key.Binding
	ScopeDept key.Binding
	ScopeAll  key.Binding
	Save      key.Binding

	// Settings sections.
	NextSection key.Binding
	PrevSection key.Binding
	// Section goes to the section of its number.
	Section   key.Binding
	Assign    key.Binding
	Unassign  key.Binding
	Manager   key.Binding
	SwitchOff key.Binding
	Payment   key.Binding
	// DeleteOrg deletes the organisation (the Owner, in Settings → General).
	DeleteOrg key.Binding

	// Audit.
	Export key.Binding
	Verify key.Binding
	Clear  key.Binding

	// Simulator.
	PickMember key.Binding
	PickTarget key.Binding
	WhatIf     key.Binding
}

// DefaultAdmin returns the bindings of the administration screens.
func DefaultAdmin() Admin {
	return Admin{
		New:     writes(key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new"))),
		Edit:    writes(key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))),
		Rename:  writes(key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename"))),
		Delete:  writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "delete"))),
		Members: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "members")),
		Give:    writes(key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "give"))),
		Explain: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "why")),

		CellUp:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "module up")),
		CellDown:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "module down")),
		CellLeft:  key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "verb left")),
		CellRight: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "verb right")),
		Cycle:     key.NewBinding(key.WithKeys(" ", "enter"), key.WithHelp("space", "cycle scope")),
		ScopeSet:  key.NewBinding(key.WithKeys("0", "o", "d", "a"), key.WithHelp("0/o/d/a", "set")),
		ScopeOff:  key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "off")),
		ScopeOwn:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "own")),
		ScopeDept: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "department")),
		ScopeAll:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all")),
		Save:      writes(key.NewBinding(key.WithKeys("ctrl+s", "s"), key.WithHelp("s", "save"))),

		NextSection: key.NewBinding(key.WithKeys("]", "right", "l"), key.WithHelp("]/→", "next section")),
		PrevSection: key.NewBinding(key.WithKeys("[", "left", "h"), key.WithHelp("[/←", "previous section")),
		Section:     key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "section")),
		Assign:      writes(key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add member"))),
		Unassign:    writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "take out"))),
		Manager:     writes(key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "set manager"))),
		SwitchOff:   writes(key.NewBinding(key.WithKeys(" ", "o"), key.WithHelp("space/o", "switch on/off"))),
		Payment:     writes(key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "payment method"))),
		DeleteOrg:   writes(key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete the organisation"))),

		Export: writes(key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export"))),
		Verify: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify chain")),
		Clear:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear")),

		PickMember: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "member")),
		PickTarget: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "target")),
		WhatIf:     writes(key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "what if: role"))),
	}
}

// AuditFor opens the Audit screen filtered to the member or client under
// the cursor (Staff and Clients screens).
var AuditFor = key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "audit log"))
