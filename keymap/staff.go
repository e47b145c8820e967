package keymap

import "github.com/charmbracelet/bubbles/key"

// Staff are the keys of the Staff screen, its member detail and the
// invitations list.
type Staff struct {
	Invite     key.Binding
	BulkInvite key.Binding
	Role       key.Binding
	Deactivate key.Binding
	Reactivate key.Binding
	Remove     key.Binding
	// Offboard revokes all of a member's access and deactivates them in
	// one step: the on-call action.
	Offboard key.Binding
	// OffboardTo chooses, in the offboard pop-up, who gets the member's
	// clients.
	OffboardTo  key.Binding
	Transfer    key.Binding
	Departments key.Binding
	Manager     key.Binding
	Invitations key.Binding
	SortDir     key.Binding
	Resend      key.Binding
	Revoke      key.Binding
	StatusNext  key.Binding
	// Clients opens the clients a member can reach, from their detail.
	Clients key.Binding
	// AuditLog opens the audit log filtered to the member.
	AuditLog key.Binding
	// Lock locks the member out for an incident, or lifts their lock.
	Lock key.Binding
	// Sessions opens the live sessions; Locks the locks in force.
	Sessions key.Binding
	Locks    key.Binding
	// EndSession ends the session under the cursor; Lift lifts the lock
	// under the cursor; NewLock locks a role, connection or key.
	EndSession key.Binding
	Lift       key.Binding
	NewLock    key.Binding
	LockWho    key.Binding
}

// DefaultStaff returns the Staff screen's bindings.
func DefaultStaff() Staff {
	return Staff{
		Invite:      writes(key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "invite"))),
		BulkInvite:  writes(key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "bulk"))),
		Role:        writes(key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "change role"))),
		Deactivate:  writes(key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "deactivate"))),
		Reactivate:  writes(key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "reactivate"))),
		Remove:      writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove"))),
		Offboard:    writes(key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "offboard"))),
		OffboardTo:  key.NewBinding(key.WithKeys("r", "R"), key.WithHelp("r", "give their clients to someone else")),
		Transfer:    writes(key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "transfer ownership"))),
		Departments: writes(key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit departments"))),
		Manager:     writes(key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "set manager"))),
		Invitations: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "invitations")),
		SortDir:     key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Resend:      writes(key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resend"))),
		Revoke:      writes(key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "revoke"))),
		StatusNext:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "status filter")),
		Clients:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "their clients")),
		AuditLog:    AuditFor,
		Lock:        writes(key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "lock / unlock"))),
		Sessions:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "sessions")),
		Locks:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "locks")),
		EndSession:  writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "end a session"))),
		Lift:        writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "lift"))),
		NewLock:     writes(key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new lock"))),
		LockWho:     writes(key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "lock who is in"))),
	}
}

// Profile are the keys of the Profile screen.
type Profile struct {
	EditName    key.Binding
	Password    key.Binding
	EnrolTOTP   key.Binding
	ResetTOTP   key.Binding
	Recovery    key.Binding
	AddKey      key.Binding
	RemoveKey   key.Binding
	NextKey     key.Binding
	PreviousKey key.Binding
}

// DefaultProfile returns the Profile screen's bindings.
func DefaultProfile() Profile {
	return Profile{
		EditName:    writes(key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit name"))),
		Password:    writes(key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "change password"))),
		EnrolTOTP:   writes(key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "set up 2FA"))),
		ResetTOTP:   writes(key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "reset 2FA"))),
		Recovery:    writes(key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "new recovery codes"))),
		AddKey:      writes(key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add SSH key"))),
		RemoveKey:   writes(key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove SSH key"))),
		NextKey:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next key")),
		PreviousKey: key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous key")),
	}
}
