package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"gatehouse/model"
)

// The key help under the screen: the active view's keys then the shell's,
// wrapped and cut to what the window can spare.

// minBody is the fewest lines the expanded help leaves the screen.
const minBody = 3

// helpView is the key help fitted to the window. bubbles/help lays the
// expanded help out as one row of columns and drops the columns past its
// width, so the shell's own keys (help, quit) vanished on a narrow window:
// here the columns wrap onto further rows instead, and the whole is cut to
// the lines the window can spare. bubbles/help also adds items past its
// width when the ellipsis no longer fits, so every line is cut to width.
func (s *shell) helpView() string {
	var lines []string
	if s.help.ShowAll {
		lines = s.fullHelpLines()
	} else {
		lines = strings.Split(s.help.ShortHelpView(shellKeys{s}.ShortHelp()), "\n")
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, s.width, "…")
	}
	return strings.Join(lines, "\n")
}

// fullHelpLines packs the expanded help's columns into rows as wide as the
// window; when they take more than one row, the shell's own keys follow
// on a line of their own rather than as a tall column. The whole is cut
// to the height the window leaves after minBody lines of screen, saying
// so on the last line.
func (s *shell) fullHelpLines() []string {
	// Unbounded, so that a row too wide is seen as such rather than
	// silently losing its last columns.
	h := s.help
	h.Width = 0
	keys := shellKeys{s}
	groups := keys.FullHelp()
	if model.DisplayWidth(h.FullHelpView(groups)) <= s.width {
		return s.fitHelp(strings.Split(h.FullHelpView(groups), "\n"), nil)
	}
	global := keys.fullGlobal()
	if len(global) > 0 {
		groups = groups[:len(groups)-1]
	}
	var lines []string
	var row [][]key.Binding
	flush := func() {
		if len(row) > 0 {
			if len(lines) > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, strings.Split(h.FullHelpView(row), "\n")...)
			row = nil
		}
	}
	for _, group := range groups {
		if len(row) > 0 && model.DisplayWidth(h.FullHelpView(append(row[:len(row):len(row)], group))) > s.width {
			flush()
		}
		row = append(row, group)
	}
	flush()
	return s.fitHelp(lines, wrapKeys(h, global, s.width))
}

// wrapKeys writes bindings as the short help does, "key desc • key desc",
// over as many lines as width needs.
func wrapKeys(h help.Model, bindings []key.Binding, width int) []string {
	sep := h.Styles.ShortSeparator.Render(h.ShortSeparator)
	var lines []string
	line := ""
	for _, b := range bindings {
		item := h.ShortHelpView([]key.Binding{b})
		if item == "" {
			continue
		}
		if line != "" && model.DisplayWidth(line+sep+item) > width {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += sep
		}
		line += item
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// fitHelp cuts the screen's help lines to what the window can spare after
// the shell's own (tail), which stay: help and quit must always show.
func (s *shell) fitHelp(lines, tail []string) []string {
	room := max(s.height-4-minBody, 1)
	if len(tail) > 0 {
		room = max(room-len(tail)-1, 1)
	}
	if len(lines) > room {
		lines = append(lines[:room-1:room-1], s.app.theme.Muted.Render("… more keys: make the window taller to see them all"))
	}
	if len(tail) > 0 {
		lines = append(append(lines, ""), tail...)
	}
	return lines
}

// whyOffered reports whether the why key shows the refusal in the status
// line now: while the screen captures keys, w is the screen's (the access
// grid's "who can reach", a form's letter), so the hint is not offered.
func (s *shell) whyOffered() bool {
	return s.why != nil && s.picker == nil && s.explain == nil && !s.current().Capturing()
}

// unshadowed drops the screen's bindings whose keys the shell takes first
// while a refusal's why is offered, so the help never lists one key twice.
func (k shellKeys) unshadowed(bindings []key.Binding) []key.Binding {
	if !k.s.whyOffered() {
		return bindings
	}
	taken := map[string]bool{}
	for _, kk := range k.s.app.keys.Shell.Why.Keys() {
		taken[kk] = true
	}
	out := make([]key.Binding, 0, len(bindings))
	for _, b := range bindings {
		shadowed := false
		for _, kk := range b.Keys() {
			shadowed = shadowed || taken[kk]
		}
		if !shadowed {
			out = append(out, b)
		}
	}
	return out
}

// shellKeys is the help of the active screen followed by the shell's.
type shellKeys struct{ s *shell }

func (k shellKeys) global() []key.Binding {
	if k.s.current().Capturing() {
		return nil
	}
	g := k.s.app.keys.Global
	b := []key.Binding{g.NextTab}
	if k.s.whyOffered() {
		b = append([]key.Binding{k.s.app.keys.Shell.Why}, b...)
	}
	if k.s.demo {
		b = append(b, k.s.app.keys.Shell.ViewAs)
	}
	return append(b, g.Help, g.Quit)
}

func (k shellKeys) ShortHelp() []key.Binding {
	if k.s.picker != nil {
		return k.s.picker.help()
	}
	if k.s.explain != nil {
		return []key.Binding{k.s.app.keys.List.Back}
	}
	return append(k.unshadowed(k.s.current().ShortHelp()), k.global()...)
}

func (k shellKeys) FullHelp() [][]key.Binding {
	if k.s.picker != nil {
		return [][]key.Binding{k.s.picker.help()}
	}
	if k.s.explain != nil {
		return [][]key.Binding{{k.s.app.keys.List.Back}}
	}
	var groups [][]key.Binding
	for _, g := range k.s.current().FullHelp() {
		if g = k.unshadowed(g); len(g) > 0 {
			groups = append(groups, g)
		}
	}
	if g := k.fullGlobal(); len(g) > 0 {
		groups = append(groups, g)
	}
	return groups
}

// fullGlobal is the shell's keys in the expanded help: the last column.
func (k shellKeys) fullGlobal() []key.Binding {
	if k.s.picker != nil || k.s.explain != nil {
		return nil
	}
	g := k.global()
	if len(g) == 0 {
		return nil
	}
	return append(g, k.s.app.keys.Global.PrevTab, k.s.app.keys.Global.Refresh)
}
