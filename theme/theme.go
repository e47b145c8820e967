// Package theme is the one place Gatehouse's styles live. Colours are
// adaptive so the app reads well on light and dark terminals.
package theme

import "github.com/charmbracelet/lipgloss"

// Theme holds every style the shell and screens use.
type Theme struct {
	Title     lipgloss.Style
	Header    lipgloss.Style
	TabActive lipgloss.Style
	Tab       lipgloss.Style
	Selected  lipgloss.Style
	Muted     lipgloss.Style
	Error     lipgloss.Style
	Success   lipgloss.Style
	Warning   lipgloss.Style
	Border    lipgloss.Style
	Banner    lipgloss.Style
	Label     lipgloss.Style
	// Focused marks the field or menu entry that has the cursor.
	Focused lipgloss.Style
	// Secret shows a TOTP secret or recovery codes, meant to be copied.
	Secret lipgloss.Style
	// QR draws a QR code: dark modules on a light ground on every terminal,
	// since scanners expect that and a dark terminal would invert it.
	QR lipgloss.Style
	// Rule is the line between the shell's tabs and the screen.
	Rule lipgloss.Style
	// Viewing marks the demo's "viewing as" notice in the header.
	Viewing lipgloss.Style
}

var (
	accent = lipgloss.AdaptiveColor{Light: "#5A3FD1", Dark: "#9D8CFF"}
	muted  = lipgloss.AdaptiveColor{Light: "#6B6B6B", Dark: "#8A8A8A"}
	red    = lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	green  = lipgloss.AdaptiveColor{Light: "#1E7B34", Dark: "#5FD38D"}
	amber  = lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#F2C14E"}
	selBg  = lipgloss.AdaptiveColor{Light: "#E4DEFF", Dark: "#3A3360"}
)

// Default returns the standard theme.
func Default() *Theme {
	return &Theme{
		Title:     lipgloss.NewStyle().Bold(true).Foreground(accent),
		Header:    lipgloss.NewStyle().Bold(true),
		TabActive: lipgloss.NewStyle().Bold(true).Foreground(accent).Underline(true).Padding(0, 1),
		Tab:       lipgloss.NewStyle().Foreground(muted).Padding(0, 1),
		Selected:  lipgloss.NewStyle().Background(selBg).Bold(true),
		Muted:     lipgloss.NewStyle().Foreground(muted),
		Error:     lipgloss.NewStyle().Foreground(red).Bold(true),
		Success:   lipgloss.NewStyle().Foreground(green),
		Warning:   lipgloss.NewStyle().Foreground(amber),
		Border:    lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		Banner:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1A1A1A"}).Background(amber).Padding(0, 1),
		Label:     lipgloss.NewStyle().Foreground(muted),
		Focused:   lipgloss.NewStyle().Bold(true).Foreground(accent),
		Secret:    lipgloss.NewStyle().Bold(true),
		QR:        lipgloss.NewStyle().Foreground(lipgloss.Color("#000000")).Background(lipgloss.Color("#FFFFFF")),
		Rule:      lipgloss.NewStyle().Foreground(muted),
		Viewing:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.AdaptiveColor{Light: "#FFFFFF", Dark: "#1A1A1A"}).Background(accent).Padding(0, 1),
	}
}
