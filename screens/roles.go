package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// builtinRules are what the built-in roles' matrix cannot say: the engine's
// special rules (PRODUCT.md, the role table).
var builtinRules = map[model.RoleKind][]string{
	model.OwnerRole: {
		"exactly one Owner; ownership moves only by a transfer, to an active Admin",
		"the Owner cannot be deactivated or removed, only replaced by a transfer",
		"only the Owner makes or unmakes Admins",
		"only the Owner changes the payment method or deletes the organisation",
		"reaches every account, the internal accounts included",
	},
	model.AdminRole: {
		"only the Owner makes or unmakes Admins",
		"never deactivates, removes or changes the Owner",
		"internal accounts only if the Owner adds them; changes nothing there",
		"sees billing; does not change the payment method",
	},
	model.AdvisorRole: {
		"sees only the client folders they were added to",
		"reaches only the accounts toggled on in their folders",
		"internal accounts only if added",
		"the audit log of their own actions only",
	},
}

// rolesScreen is the Roles tab: the roles with their members, and the
// permission matrix of the role under the cursor.
type rolesScreen struct {
	id            ViewID // what its commands' results are addressed to
	sess          *Session
	keys          keymap.Admin
	width, height int
	roles         []model.Role
	cur           Cursor[int64] // on a role, by id
	reads         newestRead
	loadErr       string
	dialog        Dialog
}

type rolesMsg struct {
	read  uint64 // the read's number (beginRead)
	roles []model.Role
	err   error
}

// NewRoles returns the Roles screen.
func NewRoles(sess *Session) Screen {
	return &rolesScreen{id: NewViewID(), sess: sess, keys: keymap.DefaultAdmin(), width: 80, height: 24}
}

func (s *rolesScreen) Title() string    { return "Roles" }
func (s *rolesScreen) Init() tea.Cmd    { return s.load() }
func (s *rolesScreen) SetSize(w, h int) { s.width, s.height = w, h }
func (s *rolesScreen) Capturing() bool  { return s.dialog != nil }
func (s *rolesScreen) selected() (model.Role, bool) {
	if s.cur.Len() == 0 || s.cur.Index() >= len(s.roles) {
		return model.Role{}, false
	}
	return s.roles[s.cur.Index()], true
}

func (s *rolesScreen) load() tea.Cmd {
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		read := beginRead()
		rs, err := svc.ListRoles(s.sess.Context(), p)
		return rolesMsg{read: read, roles: rs, err: err}
	}
}

// rolePerms is what a role grants, from what the list holds.
func rolePerms(r model.Role) model.PermissionSet {
	return factsOfRole(r).Perms
}

func (s *rolesScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	return updateAddressed(s, s.id, msg, s.update)
}

func (s *rolesScreen) update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case rolesMsg:
		if !s.reads.take(msg.read) {
			return s, nil
		}
		if msg.err != nil {
			s.loadErr = errText(msg.err)
			s.roles = nil
			return s, nil
		}
		s.loadErr, s.roles = "", msg.roles
		ids, names := make([]int64, len(s.roles)), make([]string, len(s.roles))
		for i, r := range s.roles {
			ids[i], names[i] = r.ID, "role "+r.Name
		}
		return s, s.cur.Sync(msg.read, ids, names)
	case RefreshMsg:
		return s, tea.Batch(s.load(), refreshDialog(s.dialog, msg))
	case ActionMsg:
		var cmd tea.Cmd
		s.dialog, cmd = HandleAction(s.dialog, msg)
		s.cur.Acted(msg.For, msg.Err) // a deleted role leaves the list
		return s, tea.Batch(cmd, s.load())
	case rolesGiveMsg:
		var cmd tea.Cmd
		s.dialog, cmd = NewWhatIf(s.sess, msg.member, msg.role)
		return s, cmd
	case roleMembersMsg:
		if msg.err != nil {
			return s, Status(errText(msg.err), true)
		}
		s.dialog = &ResultDialog{Title: "Members of " + model.Sanitize(msg.role), Body: memberListText(msg.members), Theme: s.sess.Theme}
		return s, nil
	}
	if s.dialog != nil {
		var cmd tea.Cmd
		s.dialog, cmd = s.dialog.Update(msg)
		return s, cmd
	}
	if km, ok := msg.(tea.KeyMsg); ok {
		return s, s.key(km)
	}
	return s, nil
}

func (s *rolesScreen) key(km tea.KeyMsg) tea.Cmd {
	lk := s.sess.Keys.List
	switch {
	case key.Matches(km, lk.Up):
		s.cur.Move(-1)
		return nil
	case key.Matches(km, lk.Down):
		s.cur.Move(1)
		return nil
	case key.Matches(km, lk.Open):
		return s.onRole(s.edit)()
	}
	cmd, _ := s.actions().Dispatch(km)
	return cmd
}

// actions are the Roles screen's keys, in the order its help lists them.
// The writes are offered to a role that may manage roles; to another,
// their keys still ask the engine about the role, which says why.
func (s *rolesScreen) actions() Actions {
	module := model.Target{Module: model.ModuleRoles}
	manages := func() bool { return s.sess.Can(model.ActCreate, module).Allowed }
	create := func() tea.Cmd {
		return s.gated(model.ActCreate, module, func() { s.dialog = s.newRoleDialog() })
	}
	edit := s.onRole(s.edit)
	rename := s.onRole(func(r model.Role, t model.Target) tea.Cmd {
		return s.gated(model.ActUpdate, t, func() { s.dialog = s.renameDialog(r) })
	})
	remove := s.onRole(func(r model.Role, t model.Target) tea.Cmd {
		return s.gated(model.ActDelete, t, func() { s.dialog = s.deleteDialog(r) })
	})
	give := s.onRole(func(r model.Role, _ model.Target) tea.Cmd { return s.give(r) })
	return Actions{
		{Binding: s.keys.Members, Run: s.onRole(func(r model.Role, _ model.Target) tea.Cmd { return s.members(r) })},
		{Binding: s.keys.New, Enabled: manages, Refused: create, Run: create},
		{Binding: s.keys.Edit, Enabled: manages, Refused: edit, Run: edit},
		{Binding: s.keys.Rename, Enabled: manages, Refused: rename, Run: rename},
		{Binding: s.keys.Delete, Enabled: manages, Refused: remove, Run: remove},
		{Binding: s.keys.Give, Enabled: manages, Refused: give, Run: give},
		{Binding: s.keys.Explain, Run: s.onRole(func(_ model.Role, t model.Target) tea.Cmd {
			s.dialog = ExplainAction(s.sess, model.ActUpdate, t)
			return nil
		})},
	}
}

// edit opens the role's permission grid.
func (s *rolesScreen) edit(r model.Role, t model.Target) tea.Cmd {
	return s.gated(model.ActUpdate, t, func() {
		ed := newRoleEditor(s.sess, s.keys, r.ID, r.Name, r.Description, rolePerms(r))
		ed.seen = model.SeenRoleAs(r)
		ed.rec = s.cur.Record(r.ID, false)
		s.dialog = ed
	})
}

// onRole runs act on the role under the cursor, the engine's target for
// it with it. It is meant for the role that was under the cursor:
// refused if that vanished just before, even when the list is now empty.
func (s *rolesScreen) onRole(act func(model.Role, model.Target) tea.Cmd) func() tea.Cmd {
	return func() tea.Cmd {
		if cmd, gone := s.cur.Vanished(); gone {
			return cmd
		}
		r, ok := s.selected()
		if !ok {
			return nil
		}
		return act(r, model.Target{Module: model.ModuleRoles, Label: r.Name, Role: factsOfRole(r)})
	}
}

// gated opens a dialog when the engine allows the action, and otherwise
// says why in the status line.
func (s *rolesScreen) gated(action model.Action, t model.Target, open func()) tea.Cmd {
	if d := s.sess.Can(action, t); !d.Allowed {
		return RefusedAction(s.sess, action, t)
	}
	open()
	return checkOnOpen(s.dialog)
}

// give picks a member and previews what the role would change for them
// before it is saved.
func (s *rolesScreen) give(r model.Role) tea.Cmd {
	if t := (model.Target{Module: model.ModuleStaff, Role: factsOfRole(r)}); !s.sess.Can(model.ActSetRole, t).Allowed {
		return RefusedAction(s.sess, model.ActSetRole, t)
	}
	pd := staffPicker(s.sess, "Give "+model.Sanitize(r.Name)+" to…", "", nil, nil)
	pd.Picker.Intro = "Next you see what they would gain or lose, before anything changes."
	svc, p := s.sess.Svc, s.sess.Principal
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
		return nil, func() tea.Msg {
			m, err := svc.GetMember(s.sess.Context(), p, o.ID)
			if err != nil {
				return StatusMsg{Text: errText(err), Err: true}
			}
			return rolesGiveMsg{member: m, role: r}
		}
	}
	s.dialog = pd
	return pd.OnFilter("")
}

type rolesGiveMsg struct {
	member model.Member
	role   model.Role
}

type roleMembersMsg struct {
	role    string
	members []model.Member
	err     error
}

func (s *rolesScreen) members(r model.Role) tea.Cmd {
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		ms, err := svc.RoleMembers(s.sess.Context(), p, r.ID)
		return roleMembersMsg{role: r.Name, members: ms, err: err}
	}
}

func memberListText(ms []model.Member) string {
	if len(ms) == 0 {
		return "No members hold this role (or none you may see)."
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s  %s\n", who(m), m.Status)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *rolesScreen) newRoleDialog() Dialog {
	form := NewForm(s.sess.Theme, "New role",
		Field{Key: "name", Label: "Name", Required: true, CharLimit: model.MaxNameLen, Placeholder: "e.g. Support agent"},
		Field{Key: "desc", Label: "Description", CharLimit: 200})
	form.Intro = "Next you choose what the role may do, module by module."
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		if _, err := model.CleanName("role name", f.Value("name")); err != nil {
			f.SetError(errText(err))
			return nil, nil
		}
		return newRoleEditor(s.sess, s.keys, 0, strings.TrimSpace(f.Value("name")), strings.TrimSpace(f.Value("desc")), nil), nil
	}}
}

func (s *rolesScreen) renameDialog(r model.Role) Dialog {
	form := NewForm(s.sess.Theme, "Rename role "+model.Sanitize(r.Name),
		Field{Key: "name", Label: "Name", Required: true, CharLimit: model.MaxNameLen, Value: r.Name},
		Field{Key: "desc", Label: "Description", CharLimit: 200, Value: r.Description})
	svc, p := s.sess.Svc, s.sess.Principal
	perms := rolePerms(r).List()
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		name, desc := f.Value("name"), f.Value("desc")
		return nil, runActionOn(s.cur.Record(r.ID, false), "Role renamed to "+model.Sanitize(strings.TrimSpace(name))+".", func() error {
			return svc.UpdateRole(s.sess.seenCtx(model.SeenRoleAs(r)), p, r.ID, name, desc, perms)
		})
	}}
}

// deleteDialog deletes an empty role after a confirmation; a role with
// members first asks which role they move to.
func (s *rolesScreen) deleteDialog(r model.Role) Dialog {
	svc, p := s.sess.Svc, s.sess.Principal
	confirm := func(moveTo string) Dialog {
		body := "The role " + model.Sanitize(r.Name) + " will be deleted. The audit log keeps its history."
		if moveTo != "" {
			body = fmt.Sprintf("%s of %s move to %s, each change audited; then %s is deleted.",
				countOf(r.Members, "member"), model.Sanitize(r.Name), model.Sanitize(moveTo), model.Sanitize(r.Name))
		}
		return &ConfirmDialog{Theme: s.sess.Theme, Recheck: recheck(s.sess, model.SeenRoleAs(r)),
			Confirm: Confirm{Title: "Delete role " + model.Sanitize(r.Name) + "?", Body: body, Yes: "Delete", Danger: true},
			OnYes: func() tea.Cmd {
				return runActionOn(s.cur.Record(r.ID, true), "Role "+model.Sanitize(r.Name)+" deleted.", func() error {
					return svc.DeleteRole(s.sess.seenCtx(model.SeenRoleAs(r)), p, r.ID, moveTo)
				})
			}}
	}
	if r.Members == 0 {
		return confirm("")
	}
	var opts []Option
	for _, o := range s.roles {
		if o.ID == r.ID {
			continue
		}
		opt := Option{Label: o.Name, Value: o.Name, ID: o.ID, Detail: countOf(o.Members, "member")}
		d := s.sess.Can(model.ActSetRole, model.Target{Module: model.ModuleStaff, Role: factsOfRole(o)})
		if model.KindOfRole(o) == model.OwnerRole {
			d = model.Decision{Reason: "there is exactly one Owner; ownership moves only by a transfer"}
		}
		if !d.Allowed {
			opt.Disabled, opt.Reason = true, d.Reason
		}
		opts = append(opts, opt)
	}
	pk := NewPicker(s.sess.Theme, "Move the members of "+model.Sanitize(r.Name), opts)
	pk.Local = true
	pk.Intro = fmt.Sprintf("%s has %s; a role is deleted only once they hold another. Choose it:", model.Sanitize(r.Name), countOf(r.Members, "member"))
	return &PickerDialog{Picker: pk, OnPick: func(o Option) (Dialog, tea.Cmd) { return confirm(o.Value), nil }}
}

func (s *rolesScreen) View() string {
	if s.dialog != nil {
		return s.dialog.View(s.width, s.height)
	}
	th := s.sess.Theme
	r, ok := s.selected()
	rules := builtinRules[model.KindOfRole(r)]
	// The list gets what the matrix (11 lines), its title and the rules
	// leave; it scrolls to keep the cursor visible.
	listRows := max(min(len(s.roles), s.height-16-min(len(rules), 2)), 2)
	top := max(0, s.cur.Index()-listRows+1)
	title := th.Title.Render("Roles")
	if listRows < len(s.roles) {
		// On a short window the list shows a few rows: say there are more.
		title += th.Muted.Render(fmt.Sprintf(" %d–%d of %d", top+1, min(len(s.roles), top+listRows), len(s.roles)))
	}
	var b strings.Builder
	b.WriteString(title + "  " + th.Muted.Render(cell(s.hints(), max(s.width-model.DisplayWidth(title)-3, 10))) + "\n")
	if s.loadErr != "" {
		b.WriteString(th.Error.Render(cell(s.loadErr, s.width)))
		return b.String()
	}
	b.WriteString(th.Header.Render("  "+s.roleLine("Role", "Kind", "Members", "Description")) + "\n")
	for i := top; i < min(len(s.roles), top+listRows); i++ {
		x := s.roles[i]
		kind := "custom"
		if model.KindOfRole(x).Builtin() {
			kind = "built-in"
		}
		line := s.roleLine(x.Name, kind, thousands(x.Members), x.Description)
		if i == s.cur.Index() {
			b.WriteString(th.Selected.Render(marker+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	if !ok {
		return b.String()
	}
	b.WriteString("\n" + th.Title.Render(cell("What "+model.Sanitize(r.Name)+" may do", s.width)) + "\n")
	b.WriteString(permMatrix(th, rolePerms(r), nil, false, 0, 0))
	used := strings.Count(b.String(), "\n") + 1
	if len(rules) > 0 && used < s.height {
		room := s.height - used
		b.WriteString("\n")
		for i, rule := range rules {
			if i >= room {
				break
			}
			b.WriteString("\n" + th.Muted.Render(cell("  • "+rule, s.width)))
		}
	}
	return b.String()
}

func (s *rolesScreen) roleLine(name, kind, members, desc string) string {
	w := max(s.width-2, 40)
	nameW := min(max(w/4, 14), 28)
	descW := max(w-nameW-10-8-3, 4)
	return cell(name, nameW) + " " + cell(kind, 9) + " " + fmt.Sprintf("%7s", members) + " " + cell(desc, descW)
}

// hints are the keys on the title line: moving, then the actions.
func (s *rolesScreen) hints() string {
	return hintLine(append([]key.Binding{withDesc(keymap.DialogMove, "choose")}, s.actions().Bindings()...)...)
}

func (s *rolesScreen) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return h
	}
	return s.actions().Bindings()
}

func (s *rolesScreen) FullHelp() [][]key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return [][]key.Binding{h}
	}
	lk := s.sess.Keys.List
	// The editor's keys are its own help, once it is open.
	return [][]key.Binding{{lk.Up, lk.Down, lk.Open}, s.ShortHelp()}
}
