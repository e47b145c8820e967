package screens

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// invitationStatuses are the filters `f` cycles through ("" is all).
var invitationStatuses = []string{"", "pending", "accepted", "expired", "revoked"}

var invitationColumns = []Column{
	{Title: "Email", Min: 18, Grow: 4},
	{Title: "Name", Min: 10, Grow: 2, Drop: 2},
	{Title: "Role", Min: 8, Grow: 1},
	{Title: "Status", Min: 8},
	{Title: "Expires", Min: 13},
	{Title: "Invited by", Min: 12, Grow: 2, Drop: 1},
}

// invitationsView is the invitations list inside the Staff screen.
type invitationsView struct {
	sess   *Session
	keys   keymap.Staff
	table  *Table
	list   []model.Invitation
	status int
	width  int
	height int
	reads  newestRead
}

type invitationsMsg struct {
	read   uint64 // the read's number (beginRead)
	status string
	list   []model.Invitation
	err    error
}

func newInvitationsView(sess *Session, keys keymap.Staff) *invitationsView {
	v := &invitationsView{sess: sess, keys: keys, table: NewTable(sess.Theme, invitationColumns)}
	v.table.SetEmpty("Loading…")
	return v
}

func (v *invitationsView) setSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(w, max(h-2, 2))
}

func (v *invitationsView) load() tea.Cmd {
	svc, p, status := v.sess.Svc, v.sess.Principal, invitationStatuses[v.status]
	return func() tea.Msg {
		read := beginRead()
		list, err := svc.ListInvitations(v.sess.Context(), p, status)
		return invitationsMsg{read: read, status: status, list: list, err: err}
	}
}

func (v *invitationsView) setList(msg invitationsMsg) tea.Cmd {
	if msg.status != invitationStatuses[v.status] || !v.reads.take(msg.read) {
		return nil
	}
	empty := "No invitations yet."
	if msg.status != "" {
		empty = "No " + msg.status + " invitations."
	}
	now := v.sess.Svc.Now()
	var note tea.Cmd
	v.list, note = showWhole(v.table, msg.read, msg.list, msg.err, empty, func(inv model.Invitation) ([]string, int64) {
		return []string{inv.Email, inv.Name, inv.RoleName, inv.Status, invitationWhen(inv, now), inv.CreatedBy}, inv.ID
	})
	return note
}

// invitationWhen is the expiry of a live invitation, or when it ended.
func invitationWhen(inv model.Invitation, now time.Time) string {
	switch inv.Status {
	case "pending":
		d := inv.ExpiresAt.Sub(now)
		if d < 24*time.Hour {
			return fmt.Sprintf("in %dh", int(d/time.Hour))
		}
		return fmt.Sprintf("in %dd", int(d/(24*time.Hour)))
	case "accepted":
		return "joined " + inv.AcceptedAt.Format("2 Jan")
	case "expired":
		return inv.ExpiresAt.Format("2 Jan 2006")
	}
	return "—"
}

func (v *invitationsView) selected() (model.Invitation, bool) { return heldAt(v.table, v.list) }

// resendable and revocable say what the model allows of an invitation in
// its state, so that the keys are offered only where they do something.
func resendable(inv model.Invitation) bool { return inv.Status != "accepted" }

func revocable(inv model.Invitation) bool {
	return inv.Status != "accepted" && inv.Status != "revoked"
}

func (v *invitationsView) canInvite() bool {
	return v.sess.Can(model.ActInvite, model.Target{Module: model.ModuleStaff}).Allowed
}

// update handles a key; back reports that the view was closed.
func (v *invitationsView) update(km tea.KeyMsg) (Dialog, tea.Cmd, bool) {
	lk := v.sess.Keys.List
	switch {
	case key.Matches(km, lk.Back):
		return nil, nil, true
	case key.Matches(km, v.keys.StatusNext):
		v.status = (v.status + 1) % len(invitationStatuses)
		v.table.Reset()
		return nil, v.load(), false
	case key.Matches(km, v.keys.Resend):
		inv, ok := v.selected()
		if cmd, gone := v.table.Vanished(); gone {
			return nil, cmd, false
		}
		switch {
		case !ok || !v.canInvite():
		case !resendable(inv):
			return nil, Status(model.Sanitize(inv.Email)+" already accepted this invitation: there is nothing to resend.", true), false
		default:
			return v.resendDialog(inv), nil, false
		}
		return nil, nil, false
	case key.Matches(km, v.keys.Revoke):
		inv, ok := v.selected()
		if cmd, gone := v.table.Vanished(); gone {
			return nil, cmd, false
		}
		switch {
		case !ok || !v.canInvite():
		case !revocable(inv):
			return nil, Status("The invitation to "+model.Sanitize(inv.Email)+" is already "+inv.Status+": there is nothing to revoke.", true), false
		default:
			return v.revokeDialog(inv), nil, false
		}
		return nil, nil, false
	}
	v.table.Update(km, lk)
	return nil, nil, false
}

func (v *invitationsView) resendDialog(inv model.Invitation) Dialog {
	svc, p, th := v.sess.Svc, v.sess.Principal, v.sess.Theme
	// Resent, an expired invitation is pending again: it may leave a
	// list of the expired.
	rec := v.table.Record(inv.ID, true)
	return &ConfirmDialog{Theme: th, Recheck: recheck(v.sess, model.SeenInvitationAs(inv)), Confirm: Confirm{
		Title: "Resend the invitation to " + model.Sanitize(inv.Email) + "?",
		Body:  "A new code is made and the old one stops working. The invitation is valid again for the organisation's invitation lifetime.",
		Yes:   "resend", Default: true,
	}, OnYes: func() tea.Cmd {
		return func() tea.Msg {
			n, code, err := svc.ResendInvitation(v.sess.seenCtx(model.SeenInvitationAs(inv)), p, inv.ID)
			if err != nil {
				return ActionMsg{Err: err, For: rec}
			}
			return ActionMsg{Status: "Invitation to " + model.Sanitize(n.Email) + " resent", For: rec,
				Next: &ResultDialog{Theme: th, Title: "Invitation resent", Body: inviteCodeText(th, n, code, svc.JoinCommand(code))}}
		}
	}}
}

func (v *invitationsView) revokeDialog(inv model.Invitation) Dialog {
	svc, p := v.sess.Svc, v.sess.Principal
	return &ConfirmDialog{Theme: v.sess.Theme, Recheck: recheck(v.sess, model.SeenInvitationAs(inv)), Confirm: Confirm{
		Title: "Revoke the invitation to " + model.Sanitize(inv.Email) + "?",
		Body:  "Its code stops working at once. You can invite them again later.",
		Yes:   "revoke", Danger: true,
	}, OnYes: func() tea.Cmd {
		return actOn(v.table.Record(inv.ID, true), "Invitation to "+model.Sanitize(inv.Email)+" revoked", nil, func() error { return svc.RevokeInvitation(v.sess.seenCtx(model.SeenInvitationAs(inv)), p, inv.ID) })
	}}
}

func (v *invitationsView) view() string {
	th := v.sess.Theme
	filter := "all"
	if s := invitationStatuses[v.status]; s != "" {
		filter = s
	}
	head := th.Title.Render("Invitations") + "  " + fmt.Sprintf("%s shown · status: %s", thousands(v.table.Total()), filter)
	hints := hintLine(append(append([]key.Binding{v.keys.StatusNext}, v.actionKeys()...), v.back())...)
	return head + "\n" + th.Muted.Render(cell(hints, v.width)) + "\n" + v.table.View()
}

func (v *invitationsView) shortHelp() []key.Binding {
	return append([]key.Binding{v.back(), v.keys.StatusNext}, v.actionKeys()...)
}

// back leaves the invitations for the Staff list.
func (v *invitationsView) back() key.Binding { return withDesc(v.sess.Keys.List.Back, "back to staff") }

// actionKeys are resend and revoke, where the selected invitation allows
// them and the session may invite.
func (v *invitationsView) actionKeys() []key.Binding {
	inv, ok := v.selected()
	if !ok || !v.canInvite() {
		return nil
	}
	var out []key.Binding
	if resendable(inv) {
		out = append(out, v.keys.Resend)
	}
	if revocable(inv) {
		out = append(out, v.keys.Revoke)
	}
	return out
}

// inviteCodeText shows an invitation's code and how to redeem it.
func inviteCodeText(th *theme.Theme, inv model.Invitation, code, join string) string {
	var b strings.Builder
	b.WriteString("Invitation for " + model.Sanitize(inv.Name) + " <" + model.Sanitize(inv.Email) + "> as " + model.Sanitize(inv.RoleName) + ".\n\n")
	b.WriteString("  Code     " + th.Secret.Render(code) + "\n")
	b.WriteString("  Redeem   " + th.Secret.Render(join) + "\n")
	b.WriteString("  Expires  " + inv.ExpiresAt.Format("2 Jan 2006 15:04 MST") + "\n\n")
	b.WriteString(th.Muted.Render("The code is shown only now: send it to them. If it is lost, resend the invitation for a new one."))
	return b.String()
}

// inviteDialog is the form for one invitation.
func (s *staffScreen) inviteDialog() Dialog {
	th := s.sess.Theme
	f := NewForm(th, "Invite a staff member",
		Field{Key: "email", Label: "Email", Required: true, Placeholder: "name@example.com", CharLimit: model.MaxEmailLen,
			Validate: func(v string) error { _, err := model.CleanEmail(v); return err }},
		Field{Key: "name", Label: "Name", Placeholder: "taken from the email if left empty", CharLimit: model.MaxNameLen},
		Field{Key: "role", Label: "Role", Kind: ChoiceField, Value: "Advisor", Options: s.inviteRoleOptions(), Hint: "←/→ to choose"},
		Field{Key: "depts", Label: "Departments", Kind: MultiField, Options: s.deptOptions(), Hint: "←/→ to move, space to tick"},
		Field{Key: "message", Label: "Personal message", Placeholder: "optional", CharLimit: model.MaxMessageLen},
	)
	svc, p := s.sess.Svc, s.sess.Principal
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		in := model.InviteInput{Email: f.Value("email"), Name: f.Value("name"), Role: f.Value("role"),
			Departments: f.Values("depts"), Message: f.Value("message")}
		return nil, func() tea.Msg {
			inv, code, err := svc.Invite(s.sess.Context(), p, in)
			if err != nil {
				return ActionMsg{Err: err}
			}
			return ActionMsg{Status: "Invited " + model.Sanitize(inv.Email),
				Next: &ResultDialog{Theme: th, Title: "Invitation created", Body: inviteCodeText(th, inv, code, svc.JoinCommand(code))}}
		}
	}}
}

// inviteRoleOptions lists the roles, greyed with the engine's reason where
// the session may not invite with them.
func (s *staffScreen) inviteRoleOptions() []Option {
	var out []Option
	for _, r := range s.roles {
		o := Option{Label: r.Name, Value: r.Name, ID: r.ID}
		if d := s.sess.Can(model.ActInvite, model.Target{Module: model.ModuleStaff, Role: factsOfRole(r)}); !d.Allowed {
			o.Disabled, o.Reason = true, d.Reason
		}
		out = append(out, o)
	}
	return out
}

func (s *staffScreen) deptOptions() []Option {
	var out []Option
	for _, d := range s.depts {
		out = append(out, Option{Label: d.Name, Value: d.Name, ID: d.ID})
	}
	return out
}

// bulkDialog is the form for many invitations at once.
func (s *staffScreen) bulkDialog() Dialog {
	th := s.sess.Theme
	f := NewForm(th, "Bulk invite",
		Field{Key: "emails", Label: "Email addresses, one per line", Kind: AreaField, Required: true, Lines: 6,
			Placeholder: "ann@example.com\nbob@example.com"},
		Field{Key: "role", Label: "Role for all of them", Kind: ChoiceField, Value: "Advisor", Options: s.inviteRoleOptions(), Hint: "←/→ to choose"},
		Field{Key: "message", Label: "Personal message", Placeholder: "optional", CharLimit: model.MaxMessageLen},
	)
	svc, p := s.sess.Svc, s.sess.Principal
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		text, role, msg := f.Value("emails"), f.Value("role"), f.Value("message")
		return nil, func() tea.Msg {
			res, err := svc.BulkInvite(s.sess.Context(), p, text, role, msg)
			if err != nil {
				return ActionMsg{Err: err}
			}
			ok := 0
			for _, r := range res {
				if r.Err == nil {
					ok++
				}
			}
			status := fmt.Sprintf("Invited %d of %d", ok, len(res))
			return ActionMsg{Status: status, Next: &ResultDialog{Theme: th, Title: "Bulk invitation: " + status, Body: bulkResultText(th, res, svc.JoinCommand)}}
		}
	}}
}

// bulkResultText lists every line of a bulk invitation: its code and the
// command to redeem it, or why it was skipped.
func bulkResultText(th *theme.Theme, res []model.InviteResult, join func(code string) string) string {
	var b strings.Builder
	for i, r := range res {
		if i > 0 {
			b.WriteString("\n")
		}
		if r.Err != nil {
			b.WriteString(th.Error.Render(fmt.Sprintf("✗ line %d  %s", r.Line, model.Sanitize(model.Truncate(r.Email, 60)))) + "  " + errText(r.Err))
			continue
		}
		b.WriteString(th.Success.Render(fmt.Sprintf("✓ line %d  %s", r.Line, model.Sanitize(r.Invitation.Email))) +
			"  " + th.Secret.Render(join(r.Code)))
	}
	b.WriteString("\n\n" + th.Muted.Render("Codes are shown only now: send each to its member."))
	return b.String()
}
