package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// memberDetail is the member open in the detail view.
type memberDetail struct {
	m model.Member
}

// memberAction is one operation on a member as the detail lists it: its
// key, what it does, the engine's decision and how it starts.
type memberAction struct {
	binding  key.Binding
	label    string
	decision model.Decision
	action   model.Action
	target   model.Target
	open     func(m model.Member) (Dialog, tea.Cmd)
}

// factsOfMember is what the engine needs to know of a member as a target.
func factsOfMember(m model.Member) *model.StaffFacts { return model.MemberFacts(m) }

// factsOfRole describes a role being given, for the engine.
func factsOfRole(r model.Role) *model.RoleFacts { return model.RoleFactsOf(r) }

// actionsFor lists the operations offered on m. An operation the session
// may not do to anyone is left out; one it may not do to m is listed with
// the engine's reason.
func (s *staffScreen) actionsFor(m model.Member) []memberAction {
	t := model.Target{Module: model.ModuleStaff, Staff: factsOfMember(m)}
	module := model.Target{Module: model.ModuleStaff}
	var out []memberAction
	add := func(b key.Binding, label string, action model.Action, open func(model.Member) (Dialog, tea.Cmd)) {
		if !s.sess.Can(action, module).Allowed {
			return
		}
		out = append(out, memberAction{binding: b, label: label, decision: s.sess.Can(action, t), action: action, target: t, open: open})
	}
	add(s.keys.Role, "change role", model.ActSetRole, s.roleDialog)
	if m.Status == "deactivated" {
		add(s.keys.Reactivate, "reactivate", model.ActReactivate, s.reactivateDialog)
	} else {
		add(s.keys.Deactivate, "deactivate", model.ActDeactivate, s.deactivateDialog)
	}
	add(s.keys.Offboard, "offboard: revoke all access and deactivate", model.ActDeactivate, s.offboardDialogFor)
	add(s.keys.Departments, "edit departments", model.ActUpdate, s.departmentsDialog)
	if n := len(out); n > 0 && out[n-1].decision.Allowed {
		// Departments are a module of their own as well.
		if d := s.sess.Can(model.ActUpdate, model.Target{Module: model.ModuleDepartments}); !d.Allowed {
			out[n-1].decision = d
		}
	}
	add(s.keys.Manager, "set manager", model.ActUpdate, s.managerDialog)
	label, open := s.lockAction(m)
	add(s.keys.Lock, label, model.ActDeactivate, open)
	add(s.keys.Remove, "remove", model.ActRemove, s.removeDialog)
	add(s.keys.Transfer, "transfer ownership", model.ActTransfer, s.transferDialog)
	return out
}

func (s *staffScreen) detailView(d memberDetail) string {
	th := s.sess.Theme
	m := d.m
	san := model.Sanitize
	var depts []string
	for _, dp := range m.Departments {
		depts = append(depts, san(dp.Name))
	}
	orNone := func(v string) string {
		if v == "" {
			return "—"
		}
		return v
	}
	tfa := "off"
	if m.TOTPEnabled {
		tfa = "on"
	}
	now := s.sess.Svc.Now()
	rows := [][2]string{
		{"Email", san(m.Email)},
		{"Role", san(m.RoleName)},
		{"Status", m.Status},
		{"Departments", orNone(strings.Join(depts, ", "))},
		{"Manager", orNone(san(m.ManagerName))},
		{"2FA", tfa},
		{"Last active", agoText(now, m.LastActive)},
		{"Joined", m.CreatedAt.Format("2 Jan 2006")},
	}
	if l, ok := s.locks[m.ID]; ok {
		rows = append(rows, [2]string{"Locked", fmt.Sprintf("%s %s, %s", lockKindWord(l.Kind), san(l.Label), model.LockNotice(l))})
	}
	var b strings.Builder
	b.WriteString(th.Title.Render(cell(san(m.Name), max(s.width-2, 10))) + "\n\n")
	for _, r := range rows {
		b.WriteString("  " + th.Label.Render(fmt.Sprintf("%-12s", r[0])) + " " + cell(r[1], max(s.width-16, 10)) + "\n")
	}
	acts := s.actionsFor(m)
	b.WriteString("\n" + th.Header.Render("Actions") + "\n")
	if len(acts) == 0 {
		b.WriteString(th.Muted.Render("  You may view this member; changing staff is not part of your role.") + "\n")
	}
	for _, a := range acts {
		line := fmt.Sprintf("  %-3s %s", a.binding.Help().Key, a.label)
		if a.decision.Allowed {
			b.WriteString(line + "\n")
			continue
		}
		b.WriteString(th.Muted.Render(cell(line+" — "+san(a.decision.Reason), max(s.width, 20))) + "\n")
	}
	b.WriteString(s.subLine() + "\n")
	b.WriteString(th.Muted.Render("  " + hintLine(withDesc(s.sess.Keys.List.Back, "back to the list"))))
	return b.String()
}

// act runs a model call and reports the outcome as an ActionMsg.
func act(status string, next Dialog, fn func() error) tea.Cmd {
	return actOn(Record{}, status, next, fn)
}

// actOn runs a model call on rec and reports the outcome as an ActionMsg
// for rec.
func actOn(rec Record, status string, next Dialog, fn func() error) tea.Cmd {
	return func() tea.Msg { return outcome(rec, status, next, fn()) }
}

func who(m model.Member) string {
	return model.Sanitize(m.Name) + " <" + model.Sanitize(m.Email) + ">"
}

func (s *staffScreen) roleDialog(m model.Member) (Dialog, tea.Cmd) {
	var opts []Option
	for _, r := range s.roles {
		o := Option{Label: r.Name, Value: r.Name, ID: r.ID, Detail: r.Description}
		d := s.sess.Can(model.ActSetRole, model.Target{Module: model.ModuleStaff, Staff: factsOfMember(m), Role: factsOfRole(r)})
		switch {
		case r.ID == m.RoleID:
			o.Disabled, o.Reason = true, "their current role"
		case !d.Allowed:
			o.Disabled, o.Reason = true, d.Reason
		}
		opts = append(opts, o)
	}
	p := NewPicker(s.sess.Theme, "Change the role of "+who(m), opts)
	p.Local = true
	p.Intro = "Now " + model.Sanitize(m.RoleName) + ". The change takes effect at once, in sessions already open too."
	svc, pr := s.sess.Svc, s.sess.Principal
	return &PickerDialog{Picker: p, OnPick: func(o Option) (Dialog, tea.Cmd) {
		status := fmt.Sprintf("%s is now %s", model.Sanitize(m.Email), model.Sanitize(o.Value))
		return nil, actOn(s.table.Record(m.ID, false), status, nil, func() error { return svc.SetRole(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID, o.Value) })
	}}, nil
}

func (s *staffScreen) deactivateDialog(m model.Member) (Dialog, tea.Cmd) {
	svc, pr := s.sess.Svc, s.sess.Principal
	return &ConfirmDialog{Theme: s.sess.Theme, Recheck: recheck(s.sess, model.SeenMember(m)), Confirm: Confirm{
		Title: "Deactivate " + who(m) + "?",
		Body: "They are signed out at once and cannot sign in. Their clients stay assigned to them " +
			"and their history stays. You can reactivate them later.",
		Yes: "deactivate", Danger: true,
	}, OnYes: func() tea.Cmd {
		// Deactivated, they leave a list of the active.
		return actOn(s.table.Record(m.ID, true), model.Sanitize(m.Email)+" is deactivated", nil, func() error { return svc.Deactivate(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID) })
	}}, nil
}

func (s *staffScreen) reactivateDialog(m model.Member) (Dialog, tea.Cmd) {
	svc, pr := s.sess.Svc, s.sess.Principal
	return &ConfirmDialog{Theme: s.sess.Theme, Recheck: recheck(s.sess, model.SeenMember(m)), Confirm: Confirm{
		Title: "Reactivate " + who(m) + "?",
		Body:  "They can sign in again, with the role and access they had.",
		Yes:   "reactivate", Default: true,
	}, OnYes: func() tea.Cmd {
		return actOn(s.table.Record(m.ID, true), model.Sanitize(m.Email)+" is active again", nil, func() error { return svc.Reactivate(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID) })
	}}, nil
}

// removeDialog asks what becomes of the member's clients, then (for a
// reassignment) whom they go to, then confirms.
func (s *staffScreen) removeDialog(m model.Member) (Dialog, tea.Cmd) {
	p := NewPicker(s.sess.Theme, "Remove "+who(m), []Option{
		{Label: "Reassign their clients to another member…", Value: "reassign"},
		{Label: "Leave their clients unowned", Value: "unowned"},
	})
	p.Local = true
	p.Intro = "What becomes of the client folders they own?"
	return &PickerDialog{Picker: p, OnPick: func(o Option) (Dialog, tea.Cmd) {
		if o.Value == "unowned" {
			return s.removeConfirm(m, 0, ""), nil
		}
		return s.reassignPicker(m)
	}}, nil
}

// reassignPicker offers the active members to receive the clients of a
// member being removed.
func (s *staffScreen) reassignPicker(m model.Member) (Dialog, tea.Cmd) {
	return s.memberPicker(m, "Reassign the clients of "+who(m)+" to…", func(o Option) (Dialog, tea.Cmd) {
		return s.removeConfirm(m, o.ID, o.Value), nil
	})
}

// memberPicker offers the active members other than m, filtered in SQL as
// the filter is typed, a page at a time; onPick gets the chosen one (ID
// and email as Value).
func (s *staffScreen) memberPicker(m model.Member, title string, onPick func(Option) (Dialog, tea.Cmd)) (Dialog, tea.Cmd) {
	p := NewPicker(s.sess.Theme, title, nil)
	p.Intro = "Active members; type to filter by name or email."
	svc, pr := s.sess.Svc, s.sess.Principal
	fetch := func(text string) tea.Cmd {
		return func() tea.Msg {
			ms, _, err := svc.ListStaff(s.sess.Context(), pr, model.MemberQuery{Text: text, Status: "active", Limit: 50})
			var opts []Option
			for _, x := range ms {
				if x.ID != m.ID {
					opts = append(opts, Option{Label: x.Name, Detail: x.Email + " · " + x.RoleName, ID: x.ID, Value: x.Email})
				}
			}
			return PickerItemsMsg{Filter: text, Items: opts, Err: err}
		}
	}
	return &PickerDialog{Picker: p, OnFilter: fetch, OnPick: onPick}, fetch("")
}

func (s *staffScreen) removeConfirm(m model.Member, to int64, toEmail string) Dialog {
	svc, pr := s.sess.Svc, s.sess.Principal
	fate := "Their client folders are left unowned."
	if to != 0 {
		fate = "Their client folders go to " + model.Sanitize(toEmail) + "."
	}
	return &ConfirmDialog{Theme: s.sess.Theme, Recheck: recheck(s.sess, model.SeenMember(m)), Confirm: Confirm{
		Title: "Remove " + who(m) + "?",
		Body: "Their access to every client is revoked at once and their record is deleted. " + fate +
			" Their history stays in the audit log; they can be invited again later.",
		Yes: "remove", Danger: true,
	}, OnYes: func() tea.Cmd {
		return actOn(s.table.Record(m.ID, true), model.Sanitize(m.Email)+" was removed", nil, func() error { return svc.Remove(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID, to) })
	}}
}

// transferDialog confirms, then asks for the Owner's password.
func (s *staffScreen) transferDialog(m model.Member) (Dialog, tea.Cmd) {
	svc, pr := s.sess.Svc, s.sess.Principal
	body := "Transfer ownership of the organisation to " + who(m) + ". They become the Owner and you become an Admin. " +
		"This cannot be undone: only the new Owner could transfer it back."
	return &ConfirmDialog{Theme: s.sess.Theme, Recheck: recheck(s.sess, model.SeenMember(m)), Confirm: Confirm{
		Title: "Transfer ownership?", Body: body, Yes: "continue", Danger: true,
	}, OnYes: func() tea.Cmd {
		f := NewForm(s.sess.Theme, "Transfer ownership to "+who(m),
			Field{Key: "password", Label: "Your password", Kind: PasswordField, Required: true})
		f.Intro = "This cannot be undone. Enter your password to transfer ownership."
		d := &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
			pw := f.Value("password")
			status := "Ownership transferred to " + model.Sanitize(m.Email) + "; you are now an Admin"
			return nil, actOn(s.table.Record(m.ID, false), status, nil, func() error { return svc.TransferOwnership(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID, pw) })
		}}
		return func() tea.Msg { return ActionMsg{Next: d} }
	}}, nil
}

func (s *staffScreen) departmentsDialog(m model.Member) (Dialog, tea.Cmd) {
	var now []string
	for _, d := range m.Departments {
		now = append(now, d.Name)
	}
	f := NewForm(s.sess.Theme, "Departments of "+who(m),
		Field{Key: "depts", Label: "Departments", Kind: MultiField, Options: s.deptOptions(), Values: now, Hint: "←/→ to move, space to tick"})
	svc, pr := s.sess.Svc, s.sess.Principal
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		names := f.Values("depts")
		status := "Departments of " + model.Sanitize(m.Email) + " saved"
		return nil, actOn(s.table.Record(m.ID, false), status, nil, func() error { return svc.SetDepartments(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID, names) })
	}}, nil
}

// managerDialog picks the member m is assigned to, from the active members
// filtered in SQL, or none.
func (s *staffScreen) managerDialog(m model.Member) (Dialog, tea.Cmd) {
	p := NewPicker(s.sess.Theme, "Manager of "+who(m), nil)
	now := "none"
	if m.ManagerName != "" {
		now = model.Sanitize(m.ManagerName)
	}
	p.Intro = "Now: " + now + ". A manager sees the records of the members assigned to them."
	svc, pr := s.sess.Svc, s.sess.Principal
	fetch := func(text string) tea.Cmd {
		return func() tea.Msg {
			ms, _, err := svc.ListStaff(s.sess.Context(), pr, model.MemberQuery{Text: text, Status: "active", Limit: 50})
			var opts []Option
			if text == "" {
				opts = append(opts, Option{Label: "No manager", Value: "none"})
			}
			for _, x := range ms {
				if x.ID != m.ID {
					opts = append(opts, Option{Label: x.Name, Detail: x.Email + " · " + x.RoleName, ID: x.ID, Value: x.Email})
				}
			}
			return PickerItemsMsg{Filter: text, Items: opts, Err: err}
		}
	}
	return &PickerDialog{Picker: p, OnFilter: fetch, OnPick: func(o Option) (Dialog, tea.Cmd) {
		status := model.Sanitize(m.Email) + " now has no manager"
		if o.ID != 0 {
			status = model.Sanitize(m.Email) + " is now assigned to " + model.Sanitize(o.Value)
		}
		return nil, actOn(s.table.Record(m.ID, false), status, nil, func() error { return svc.SetManager(s.sess.seenCtx(model.SeenMember(m)), pr, m.ID, o.ID) })
	}}, fetch("")
}
