package tui

import "gatehouse/screens"

// Tab makes one screen of the shell for a session.
type Tab func(*screens.Session) screens.Screen

// DefaultTabs are the shell's screens, in tab order: adding a screen is
// adding its constructor here.
var DefaultTabs = []Tab{
	screens.NewStaff,
	screens.NewClients,
	screens.NewRoles,
	screens.NewAudit,
	screens.NewSettings,
	screens.NewExplain,
	screens.NewProfile,
}
