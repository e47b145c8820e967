package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// gridScopes are the values a cell cycles through, narrowest first.
var gridScopes = []model.Scope{model.ScopeNone, model.ScopeOwn, model.ScopeDepartment, model.ScopeAll}

// scopeCell is how a scope reads in a matrix cell.
func scopeCell(s model.Scope) string {
	switch s {
	case model.ScopeOwn:
		return "own"
	case model.ScopeDepartment:
		return "dept"
	case model.ScopeAll:
		return "all"
	}
	return "·"
}

// scopeGrid edits a permission set as modules × verbs, each cell off, own,
// department or all. With a ceiling, no cell may go above it: a role or a
// connection never grants more than the person making it holds.
type scopeGrid struct {
	theme    *theme.Theme
	keys     keymap.Admin
	perms    model.PermissionSet
	ceiling  model.PermissionSet // nil: no ceiling (the Owner)
	row, col int
	note     string
}

func newScopeGrid(th *theme.Theme, keys keymap.Admin, perms, ceiling model.PermissionSet) *scopeGrid {
	return &scopeGrid{theme: th, keys: keys, perms: perms.Clone(), ceiling: ceiling}
}

func (g *scopeGrid) cur() (model.Module, model.Verb) { return model.Modules[g.row], model.Verbs[g.col] }

// allowed says whether scope s may be set in a cell, and why not.
func (g *scopeGrid) allowed(module model.Module, verb model.Verb, s model.Scope) (bool, string) {
	if g.ceiling == nil || s <= g.ceiling.Get(module, verb) {
		return true, ""
	}
	return false, fmt.Sprintf("%s %s at %s is more than you hold (%s)", verb, module, s, g.ceiling.Get(module, verb))
}

func (g *scopeGrid) set(s model.Scope) {
	m, v := g.cur()
	if ok, why := g.allowed(m, v, s); !ok {
		g.note = why
		return
	}
	g.note = ""
	g.perms.Set(m, v, s)
}

// cycle moves the cell to the next scope it may hold, wrapping to off.
func (g *scopeGrid) cycle() {
	m, v := g.cur()
	i := int(g.perms.Get(m, v))
	next := gridScopes[(i+1)%len(gridScopes)]
	if ok, _ := g.allowed(m, v, next); !ok {
		next = model.ScopeNone
	}
	g.set(next)
}

// key handles a grid key and reports whether it used it.
func (g *scopeGrid) key(km tea.KeyMsg) bool {
	rows, cols := len(model.Modules), len(model.Verbs)
	switch {
	case key.Matches(km, g.keys.CellUp):
		g.row = (g.row - 1 + rows) % rows
	case key.Matches(km, g.keys.CellDown):
		g.row = (g.row + 1) % rows
	case key.Matches(km, g.keys.CellLeft):
		g.col = (g.col - 1 + cols) % cols
	case key.Matches(km, g.keys.CellRight):
		g.col = (g.col + 1) % cols
	case key.Matches(km, g.keys.Cycle):
		g.cycle()
		return true
	default:
		for _, k := range []struct {
			b key.Binding
			s model.Scope
		}{{g.keys.ScopeOff, model.ScopeNone}, {g.keys.ScopeOwn, model.ScopeOwn}, {g.keys.ScopeDept, model.ScopeDepartment}, {g.keys.ScopeAll, model.ScopeAll}} {
			if key.Matches(km, k.b) {
				g.set(k.s)
				return true
			}
		}
		return false
	}
	g.note = ""
	return true
}

// hints is the grid's hint line, save the key that saves it: the scope
// keys as one entry, where the key help lists each.
func (g *scopeGrid) hints(save key.Binding) string {
	return hintLine(keymap.DialogArrows, g.keys.Cycle, g.keys.ScopeSet, save, keymap.DialogCancel)
}

// permissions is the grid's content as a list.
func (g *scopeGrid) permissions() []model.Permission { return g.perms.List() }

// view draws the grid; a cell above the ceiling shows as "×" when off.
func (g *scopeGrid) view(focused bool) string {
	return permMatrix(g.theme, g.perms, g.ceiling, focused, g.row, g.col)
}

// permMatrix draws modules × verbs with the scope in each cell; with
// focused, the cell at row, col is highlighted.
func permMatrix(th *theme.Theme, perms, ceiling model.PermissionSet, focused bool, row, col int) string {
	var b strings.Builder
	b.WriteString(th.Header.Render(fmt.Sprintf("  %-12s", "module")))
	for _, v := range model.Verbs {
		b.WriteString(th.Header.Render(fmt.Sprintf(" %-7s", v)))
	}
	for i, m := range model.Modules {
		b.WriteString("\n" + fmt.Sprintf("  %-12s", m))
		for j, v := range model.Verbs {
			s := perms.Get(m, v)
			text := scopeCell(s)
			if s == model.ScopeNone && ceiling != nil && ceiling.Get(m, v) == model.ScopeNone {
				text = "×"
			}
			c := fmt.Sprintf("%-6s", text)
			switch {
			case focused && i == row && j == col:
				b.WriteString(" " + th.Selected.Render(fmt.Sprintf("[%-4s]", text)) + " ")
			case s == model.ScopeNone:
				b.WriteString("  " + th.Muted.Render(c))
			default:
				b.WriteString("  " + c)
			}
		}
	}
	return b.String()
}

// permChange is one cell a save would change.
type permChange struct {
	Module   model.Module
	Verb     model.Verb
	From, To model.Scope
}

func (c permChange) String() string {
	switch {
	case c.From == model.ScopeNone:
		return fmt.Sprintf("+ %s %s: %s", c.Verb, c.Module, c.To)
	case c.To == model.ScopeNone:
		return fmt.Sprintf("- %s %s: was %s", c.Verb, c.Module, c.From)
	}
	return fmt.Sprintf("~ %s %s: %s → %s", c.Verb, c.Module, c.From, c.To)
}

// permChanges lists the cells that differ, in matrix order.
func permChanges(before, after model.PermissionSet) []permChange {
	var out []permChange
	for _, m := range model.Modules {
		for _, v := range model.Verbs {
			if b, a := before.Get(m, v), after.Get(m, v); a != b {
				out = append(out, permChange{Module: m, Verb: v, From: b, To: a})
			}
		}
	}
	return out
}

// roleEditor is the dialog that edits a role's permissions (or a new
// role's) and saves them after a confirmation listing every change.
type roleEditor struct {
	sess       *Session
	roleID     int64 // 0: a new role
	name, desc string
	orig       model.PermissionSet
	grid       *scopeGrid
	confirming bool
	busy       bool
	// seen is the role as the list showed it: a save refuses if another
	// session changed it meanwhile, rather than undo their change.
	seen model.Seen
	// rec is the role in the list it was opened from.
	rec Record
}

func newRoleEditor(sess *Session, keys keymap.Admin, roleID int64, name, desc string, perms model.PermissionSet) *roleEditor {
	var ceiling model.PermissionSet
	if sess.Actor.RoleKind != model.OwnerRole && sess.Actor.Kind != model.KindSystem {
		ceiling = sess.Actor.Perms
	}
	if perms == nil {
		perms = model.PermissionSet{}
	}
	return &roleEditor{sess: sess, roleID: roleID, name: name, desc: desc, orig: perms,
		grid: newScopeGrid(sess.Theme, keys, perms, ceiling)}
}

func (e *roleEditor) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || e.busy {
		return e, nil
	}
	if e.confirming {
		switch {
		case key.Matches(km, keymap.DialogYes):
			e.busy = true
			return e, e.save()
		case key.Matches(km, keymap.DialogNo):
			e.confirming = false
		}
		return e, nil
	}
	switch {
	case key.Matches(km, keymap.DialogCancel):
		return nil, nil
	case key.Matches(km, e.grid.keys.Save):
		if e.roleID != 0 && len(permChanges(e.orig, e.grid.perms)) == 0 {
			e.grid.note = "nothing changed"
			return e, nil
		}
		e.confirming = true
		return e, nil
	}
	e.grid.key(km)
	return e, nil
}

func (e *roleEditor) save() tea.Cmd {
	svc, p := e.sess.Svc, e.sess.Principal
	id, name, desc, perms := e.roleID, e.name, e.desc, e.grid.permissions()
	if id == 0 {
		return func() tea.Msg {
			if _, err := svc.CreateRole(e.sess.Context(), p, name, desc, perms); err != nil {
				return ActionMsg{Err: err}
			}
			return ActionMsg{Status: "Role " + model.Sanitize(name) + " created."}
		}
	}
	seen := e.seen
	return runActionOn(e.rec, "Role "+model.Sanitize(name)+" saved; it applies at once.", func() error {
		return svc.UpdateRole(e.sess.seenCtx(seen), p, id, name, desc, perms)
	})
}

func (e *roleEditor) View(width, height int) string {
	th := e.sess.Theme
	title := "Edit role " + model.Sanitize(e.name)
	if e.roleID == 0 {
		title = "New role " + model.Sanitize(e.name)
	}
	if e.confirming {
		return e.confirmView(width, height)
	}
	var b strings.Builder
	b.WriteString(th.Title.Render(cell(title, max(width-2, 10))) + "\n\n")
	b.WriteString(e.grid.view(true) + "\n\n")
	if e.grid.note != "" {
		b.WriteString(th.Warning.Render(cell(e.grid.note, max(width-2, 10))) + "\n")
	} else if e.grid.ceiling != nil {
		b.WriteString(th.Muted.Render(cell("× : you do not hold it, so you cannot grant it", max(width-2, 10))) + "\n")
	}
	b.WriteString(th.Muted.Render(cell(e.grid.hints(e.grid.keys.Save), max(width-2, 10))))
	return b.String()
}

// confirmKeys are the keys of the question before the role is saved (or
// created): no goes back to the grid.
func (e *roleEditor) confirmKeys() []key.Binding {
	verb := "save"
	if e.roleID == 0 {
		verb = "create"
	}
	return []key.Binding{withDesc(keymap.DialogYes, verb), withDesc(keymap.DialogNo, "back to the grid")}
}

func (e *roleEditor) confirmView(width, height int) string {
	th := e.sess.Theme
	changes := permChanges(e.orig, e.grid.perms)
	verb := "Save"
	if e.roleID == 0 {
		verb = "Create"
	}
	var b strings.Builder
	b.WriteString(th.Title.Render(cell(verb+" role "+model.Sanitize(e.name)+"?", max(width-2, 10))) + "\n\n")
	if len(changes) == 0 {
		b.WriteString(th.Muted.Render("It grants nothing yet.") + "\n")
	}
	room := max(height-6, 3)
	for i, c := range changes {
		if i == room-1 && len(changes) > room {
			b.WriteString(th.Muted.Render(fmt.Sprintf("  +%d more", len(changes)-i)) + "\n")
			break
		}
		line := "  " + c.String()
		switch {
		case c.From == model.ScopeNone:
			line = th.Success.Render(line)
		case c.To == model.ScopeNone:
			line = th.Error.Render(line)
		case c.To > c.From:
			line = th.Success.Render(line)
		default:
			line = th.Warning.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
	if e.busy {
		b.WriteString(th.Muted.Render("Working…"))
	} else {
		b.WriteString(th.Muted.Render(hintLine(e.confirmKeys()...)))
	}
	return b.String()
}
