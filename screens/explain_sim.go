package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// simActions are every action the simulator asks the engine about.
var simActions = []model.Action{
	model.ActView, model.ActCreate, model.ActUpdate, model.ActDelete, model.ActAccess,
	model.ActInvite, model.ActSetRole, model.ActDeactivate, model.ActRemove, model.ActTransfer,
	model.ActManageAccess, model.ActChangePayment, model.ActDeleteOrg,
}

// simRow is one action's answer for the chosen member and target.
type simRow struct {
	Action   model.Action
	Decision model.Decision
	// NA says why the action does not apply to the target at all.
	NA string
}

// simScreen is the permission simulator: choose a member and a target and
// see every action they may and may not take on it, each with the reason;
// and "what if" they had another role.
type simScreen struct {
	id            ViewID // what its commands' results are addressed to
	sess          *Session
	keys          keymap.Admin
	width, height int
	subject       *model.Member
	actor         model.Actor
	target        *model.TargetRef
	rows          []simRow
	cursor        int
	err           string
	dialog        Dialog
}

type (
	simResultMsg struct {
		actor model.Actor
		rows  []simRow
		err   error
	}
	simRolesMsg struct {
		roles []model.Role
		err   error
	}
	// simPickedMsg carries a choice made in one of the simulator's pickers.
	simPickedMsg struct {
		member *model.Member
		target *model.TargetRef
	}
)

// NewExplain returns the permission simulator screen.
func NewExplain(sess *Session) Screen {
	return &simScreen{id: NewViewID(), sess: sess, keys: keymap.DefaultAdmin(), width: 80, height: 24}
}

func (s *simScreen) Title() string    { return "Simulator" }
func (s *simScreen) SetSize(w, h int) { s.width, s.height = w, h }
func (s *simScreen) Capturing() bool  { return s.dialog != nil }

func (s *simScreen) Init() tea.Cmd { return s.run() }

// run asks the engine about every action, as the subject, on the target.
func (s *simScreen) run() tea.Cmd {
	if s.subject == nil || s.target == nil {
		return nil
	}
	svc := s.sess.Svc
	p := model.MemberPrincipal(*s.subject, "simulator")
	ref := *s.target
	return func() tea.Msg {
		a, err := svc.Actor(s.sess.Context(), p)
		if err != nil {
			return simResultMsg{err: err}
		}
		rows := make([]simRow, 0, len(simActions))
		for _, act := range simActions {
			d, err := svc.Check(s.sess.Context(), p, act, ref)
			row := simRow{Action: act, Decision: d}
			if err != nil {
				// The model calls the pairing invalid input; here it
				// is only an action that has no meaning for the target.
				row.NA = strings.TrimPrefix(errText(err), model.ErrInvalid.Error()+": ")
			}
			rows = append(rows, row)
		}
		return simResultMsg{actor: a, rows: rows}
	}
}

func (s *simScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	return updateAddressed(s, s.id, msg, s.update)
}

func (s *simScreen) update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case simResultMsg:
		if msg.err != nil {
			s.err, s.rows = errText(msg.err), nil
			return s, nil
		}
		s.err, s.actor, s.rows = "", msg.actor, msg.rows
		s.cursor = min(s.cursor, max(len(s.rows)-1, 0))
		return s, nil
	case simPickedMsg:
		if msg.member != nil {
			s.subject = msg.member
		}
		if msg.target != nil {
			s.target = msg.target
		}
		return s, s.run()
	case simRolesMsg:
		if msg.err != nil {
			return s, Status(errText(msg.err), true)
		}
		s.dialog = s.rolePicker(msg.roles)
		return s, nil
	case RefreshMsg:
		return s, s.run()
	case ActionMsg:
		var cmd tea.Cmd
		s.dialog, cmd = HandleAction(s.dialog, msg)
		return s, tea.Batch(cmd, s.run())
	}
	if s.dialog != nil {
		var cmd tea.Cmd
		s.dialog, cmd = s.dialog.Update(msg)
		return s, cmd
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	lk := s.sess.Keys.List
	switch {
	case key.Matches(km, lk.Up):
		s.cursor = max(s.cursor-1, 0)
	case key.Matches(km, lk.Down):
		s.cursor = min(s.cursor+1, max(len(s.rows)-1, 0))
	case key.Matches(km, s.keys.PickMember):
		s.dialog = s.memberPicker()
		return s, s.dialog.(*PickerDialog).OnFilter("")
	case key.Matches(km, s.keys.PickTarget):
		s.dialog = s.kindPicker()
	case key.Matches(km, lk.Open), key.Matches(km, s.keys.Explain):
		if s.cursor < len(s.rows) && s.rows[s.cursor].NA == "" {
			s.dialog = s.explainRow(s.rows[s.cursor])
		}
	case key.Matches(km, s.keys.WhatIf):
		if s.subject == nil {
			return s, Status("Choose a member first (m).", true)
		}
		svc, p := s.sess.Svc, s.sess.Principal
		return s, func() tea.Msg {
			rs, err := svc.ListRoles(s.sess.Context(), p)
			return simRolesMsg{roles: rs, err: err}
		}
	}
	return s, nil
}

func (s *simScreen) explainRow(r simRow) Dialog {
	label := s.target.String()
	return &ExplainView{Title: fmt.Sprintf("Why: %s %s", r.Action, label), Decision: r.Decision, theme: s.sess.Theme,
		Steps: explainChain(s.actor, r.Action, s.target.Module, s.target.Kind == "account", label)}
}

func (s *simScreen) memberPicker() Dialog {
	pd := staffPicker(s.sess, "Simulate as which member?", "", nil, nil)
	pd.Picker.Intro = "Type part of a name or email."
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
		svc, p := s.sess.Svc, s.sess.Principal
		return nil, func() tea.Msg {
			m, err := svc.GetMember(s.sess.Context(), p, o.ID)
			if err != nil {
				return StatusMsg{Text: errText(err), Err: true}
			}
			return simPickedMsg{member: &m}
		}
	}
	return pd
}

// targetKinds are what the simulator can ask about.
var targetKinds = []Option{
	{Label: "a client folder", Value: "client"},
	{Label: "an account of a client", Value: "account"},
	{Label: "a staff member", Value: "staff"},
	{Label: "a role", Value: "role"},
	{Label: "a module as a whole", Value: "module"},
}

func (s *simScreen) kindPicker() Dialog {
	pk := NewPicker(s.sess.Theme, "What is the target?", targetKinds)
	pk.Local = true
	return &PickerDialog{Picker: pk, OnPick: func(o Option) (Dialog, tea.Cmd) {
		switch o.Value {
		case "client", "account":
			d := s.clientPicker(o.Value == "account")
			return d, d.OnFilter("")
		case "staff":
			d := staffPicker(s.sess, "Which staff member?", "", nil, nil)
			d.OnPick = func(o Option) (Dialog, tea.Cmd) {
				ref := model.TargetRef{Kind: "staff", Module: model.ModuleStaff, Email: o.Value}
				return nil, picked(ref)
			}
			return d, d.OnFilter("")
		case "role":
			return s.namePicker("Which role?", "role"), s.loadRoleNames()
		}
		var opts []Option
		for _, m := range model.Modules {
			opts = append(opts, Option{Label: m.String(), Value: m.String(), ID: int64(m)})
		}
		pm := NewPicker(s.sess.Theme, "Which module?", opts)
		pm.Local = true
		return &PickerDialog{Picker: pm, OnPick: func(o Option) (Dialog, tea.Cmd) {
			return nil, picked(model.TargetRef{Kind: "module", Module: model.Module(o.ID)})
		}}, nil
	}}
}

func picked(ref model.TargetRef) tea.Cmd {
	return func() tea.Msg { return simPickedMsg{target: &ref} }
}

func (s *simScreen) clientPicker(account bool) *PickerDialog {
	svc, p := s.sess.Svc, s.sess.Principal
	pd := &PickerDialog{Picker: NewPicker(s.sess.Theme, "Which client folder?", nil)}
	pd.OnFilter = func(text string) tea.Cmd {
		return func() tea.Msg {
			cs, _, err := svc.ListClients(s.sess.Context(), p, model.ClientQuery{Text: text, Limit: 50})
			var items []Option
			for _, c := range cs {
				items = append(items, Option{Label: c.Name, Value: c.Name, ID: c.ID, Detail: countOf(c.Accounts, "account")})
			}
			return PickerItemsMsg{Filter: text, Items: items, Err: err}
		}
	}
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
		if !account {
			return nil, picked(model.TargetRef{Kind: "client", Module: model.ModuleClients, Client: o.Value})
		}
		client := o.Value
		ad := &PickerDialog{Picker: NewPicker(s.sess.Theme, "Which account of "+model.Sanitize(client)+"?", nil)}
		ad.Picker.Local = true
		ad.OnPick = func(a Option) (Dialog, tea.Cmd) {
			return nil, picked(model.TargetRef{Kind: "account", Module: model.ModuleAccounts, Client: client, Account: a.Value})
		}
		id := o.ID
		return ad, func() tea.Msg {
			accs, err := svc.Accounts(s.sess.Context(), p, id)
			var items []Option
			for _, a := range accs {
				items = append(items, Option{Label: a.Name, Value: a.Name, ID: a.ID})
			}
			return PickerItemsMsg{Filter: "", Items: items, Err: err}
		}
	}
	return pd
}

func (s *simScreen) namePicker(title, kind string) Dialog {
	pk := NewPicker(s.sess.Theme, title, nil)
	pk.Local = true
	return &PickerDialog{Picker: pk, OnPick: func(o Option) (Dialog, tea.Cmd) {
		return nil, picked(model.TargetRef{Kind: kind, Module: model.ModuleRoles, Role: o.Value})
	}}
}

func (s *simScreen) loadRoleNames() tea.Cmd {
	svc, p := s.sess.Svc, s.sess.Principal
	return func() tea.Msg {
		rs, err := svc.ListRoles(s.sess.Context(), p)
		var items []Option
		for _, r := range rs {
			items = append(items, Option{Label: r.Name, Value: r.Name, ID: r.ID})
		}
		return PickerItemsMsg{Filter: "", Items: items, Err: err}
	}
}

// rolePicker chooses the role of a "what if".
func (s *simScreen) rolePicker(roles []model.Role) Dialog {
	m := *s.subject
	var opts []Option
	for _, r := range roles {
		if r.ID == m.RoleID {
			continue
		}
		opts = append(opts, Option{Label: r.Name, Value: r.Name, ID: r.ID, Detail: r.Description})
	}
	pk := NewPicker(s.sess.Theme, "What if "+model.Sanitize(m.Name)+" had the role…", opts)
	pk.Local = true
	byID := map[int64]model.Role{}
	for _, r := range roles {
		byID[r.ID] = r
	}
	return &PickerDialog{Picker: pk, OnPick: func(o Option) (Dialog, tea.Cmd) {
		return NewWhatIf(s.sess, m, byID[o.ID])
	}}
}

// WhatIf shows what giving a member a role would change (the clients and
// accounts and permissions they would gain or lose) and saves the change
// on y, when the session may make it.
type WhatIf struct {
	sess    *Session
	member  model.Member
	role    model.Role
	preview *model.RoleChangePreview
	err     string
	allowed model.Decision
	busy    bool
}

type whatIfMsg struct {
	pv  model.RoleChangePreview
	err error
}

// NewWhatIf opens the preview of giving m the role r; the command fetches
// it. Screens route whatIfMsg to their dialog like any other message.
func NewWhatIf(sess *Session, m model.Member, r model.Role) (Dialog, tea.Cmd) {
	w := &WhatIf{sess: sess, member: m, role: r,
		allowed: sess.Can(model.ActSetRole, model.Target{Module: model.ModuleStaff, Label: m.Email, Staff: factsOfMember(m), Role: factsOfRole(r)})}
	svc, p := sess.Svc, sess.Principal
	return w, func() tea.Msg {
		pv, err := svc.PreviewRoleChange(sess.Context(), p, m.ID, r.Name)
		return whatIfMsg{pv: pv, err: err}
	}
}

// Update implements Dialog.
func (w *WhatIf) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case whatIfMsg:
		if msg.err != nil {
			w.err = errText(msg.err)
			return w, nil
		}
		w.preview = &msg.pv
		return w, nil
	case tea.KeyMsg:
		if w.busy {
			return w, nil
		}
		switch {
		case key.Matches(msg, keymap.DialogNo, keymap.PopupClose):
			return nil, nil
		case key.Matches(msg, keymap.DialogYes):
			if w.preview == nil {
				return w, nil
			}
			if !w.allowed.Allowed {
				return w, refusal(w.allowed)
			}
			w.busy = true
			svc, p, id, name := w.sess.Svc, w.sess.Principal, w.member.ID, w.role.Name
			// The member as previewed: if their role or status changed
			// meanwhile, the model refuses rather than write over it.
			ctx := w.sess.seenCtx(model.SeenMember(w.member))
			return w, runAction(model.Sanitize(w.member.Name)+" is now "+model.Sanitize(name)+"; it applies at once.", func() error {
				return svc.SetRole(ctx, p, id, name)
			})
		}
	}
	return w, nil
}

// View implements Dialog.
func (w *WhatIf) View(width, height int) string {
	th := w.sess.Theme
	cw := max(min(width-2, 96), 20)
	var b strings.Builder
	b.WriteString(th.Title.Render(cell(fmt.Sprintf("What if %s were %s?", w.member.Name, w.role.Name), cw)) + "\n")
	switch {
	case w.err != "":
		b.WriteString("\n" + th.Error.Render(cell(w.err, cw)) + "\n\n" + th.Muted.Render(hintLine(whatIfClose)))
		return b.String()
	case w.preview == nil:
		b.WriteString("\n" + th.Muted.Render("Working out the difference…"))
		return b.String()
	}
	pv := w.preview
	b.WriteString(th.Muted.Render(cell(fmt.Sprintf("%s: %s → %s", pv.Member, pv.From, pv.To), cw)) + "\n")
	var lines []string
	add := func(style func(...string) string, head string, items []string) {
		if len(items) == 0 {
			return
		}
		lines = append(lines, "", th.Header.Render(head))
		for _, it := range items {
			lines = append(lines, style(cell("  "+it, cw)))
		}
	}
	perms := func(ps []model.Permission) []string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s %s (%s)", p.Verb, p.Module, p.Scope))
		}
		return out
	}
	add(th.Success.Render, "Would gain access to", pv.Gain)
	add(th.Error.Render, "Would lose access to", pv.Lose)
	add(th.Success.Render, "Would gain permissions", perms(pv.GainPerms))
	add(th.Error.Render, "Would lose permissions", perms(pv.LosePerms))
	if len(lines) == 0 {
		lines = append(lines, "", th.Muted.Render("Nothing would change."))
	}
	room := max(height-5, 3)
	if len(lines) > room {
		more := len(lines) - room + 1
		lines = append(lines[:room-1], th.Muted.Render(fmt.Sprintf("  … %d more lines", more)))
	}
	b.WriteString(strings.Join(lines, "\n") + "\n\n")
	switch {
	case w.busy:
		b.WriteString(th.Muted.Render("Working…"))
	case w.allowed.Allowed:
		b.WriteString(th.Muted.Render(hintLine(w.giveKeys()...)))
	default:
		b.WriteString(th.Warning.Render(cell("You may not make this change: "+w.allowed.Reason, cw)) + "\n" + th.Muted.Render(hintLine(whatIfClose)))
	}
	return b.String()
}

func (s *simScreen) View() string {
	if s.dialog != nil {
		return s.dialog.View(s.width, s.height)
	}
	th := s.sess.Theme
	var b strings.Builder
	b.WriteString(th.Title.Render("Permission simulator") + "  " + th.Muted.Render(cell(hintLine(s.keys.PickMember, s.keys.PickTarget, withDesc(s.sess.Keys.List.Open, "why"), s.keys.WhatIf), max(s.width-24, 10))) + "\n\n")
	subject := th.Muted.Render("none yet (m)")
	if s.subject != nil {
		subject = who(*s.subject) + th.Muted.Render(", "+model.Sanitize(s.subject.RoleName))
	}
	target := th.Muted.Render("none yet (t)")
	if s.target != nil {
		target = model.Sanitize(s.target.String())
	}
	b.WriteString(cutANSI(th.Label.Render("Member  ")+subject, s.width) + "\n")
	b.WriteString(cutANSI(th.Label.Render("Target  ")+target, s.width) + "\n\n")
	if s.err != "" {
		b.WriteString(th.Error.Render(cell(s.err, s.width)))
		return b.String()
	}
	if len(s.rows) == 0 {
		b.WriteString(th.Muted.Render("Choose a member and a target to see every action they may and may not take on it."))
		return b.String()
	}
	b.WriteString(th.Header.Render("  "+cell("Action", 20)+" "+cell("", 3)+" Reason") + "\n")
	room := max(s.height-6, 1)
	top := max(0, s.cursor-room+1)
	for i := top; i < min(len(s.rows), top+room); i++ {
		r := s.rows[i]
		mark, reason := "✓", r.Decision.Reason
		switch {
		case r.NA != "":
			mark, reason = "–", "does not apply: "+r.NA
		case !r.Decision.Allowed:
			mark = "✗"
		}
		line := cell(r.Action.String(), 20) + " " + cell(mark, 3) + " " + cell(reason, max(s.width-28, 10))
		switch {
		case i == s.cursor:
			line = th.Selected.Render(marker + line)
		case r.NA != "":
			line = "  " + th.Muted.Render(line)
		case r.Decision.Allowed:
			line = "  " + th.Success.Render(line)
		default:
			line = "  " + th.Error.Render(line)
		}
		b.WriteString(line)
		if i < min(len(s.rows), top+room)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func (s *simScreen) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return h
	}
	return []key.Binding{s.keys.PickMember, s.keys.PickTarget, s.keys.Explain, s.keys.WhatIf}
}

func (s *simScreen) FullHelp() [][]key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return [][]key.Binding{h}
	}
	lk := s.sess.Keys.List
	return [][]key.Binding{{lk.Up, lk.Down, lk.Open}, s.ShortHelp()}
}
