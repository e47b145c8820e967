package screens

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// The member detail (and the list, for the member under the cursor) opens
// two views of its own in its place: the clients the member can reach (c)
// and the audit log filtered to the member (L). Both return with esc.

// openSub opens a sub-view of the member detail.
func (s *staffScreen) openSub(v Screen) tea.Cmd {
	s.sub = v
	v.SetSize(s.width, s.height)
	return v.Init()
}

// subKey opens the clients or audit log of the member in the detail, or
// of the one under the cursor in the list, when km asks for one. From the
// list too, so that an on-call member who has just offboarded someone sees
// the audit entry with one key.
func (s *staffScreen) subKey(km tea.KeyMsg) (tea.Cmd, bool) {
	m, ok := s.selected()
	if !ok || !(key.Matches(km, s.keys.Clients) || key.Matches(km, s.keys.AuditLog)) {
		return nil, false
	}
	if cmd, gone := s.vanished(); gone {
		return cmd, true
	}
	switch {
	case key.Matches(km, s.keys.Clients):
		return s.openSub(NewMemberClients(s.sess, m)), true
	case key.Matches(km, s.keys.AuditLog):
		t := model.Target{Module: model.ModuleAudit}
		if !s.sess.Can(model.ActView, t).Allowed {
			return RefusedAction(s.sess, model.ActView, t), true
		}
		return s.openSub(NewAuditFor(s.sess, model.AuditQuery{StaffID: m.ID})), true
	}
	return nil, false
}

// updateSub gives msg to the open sub-view; handled is false for the
// Staff screen's own messages, which it handles as usual.
func (s *staffScreen) updateSub(msg tea.Msg) (tea.Cmd, bool) {
	switch m := msg.(type) {
	case MemberClientsClosedMsg:
		s.sub = nil
		return s.reload(), true
	case staffPageMsg, staffRefsMsg, memberMsg, invitationsMsg, staffFilterMsg, ActionMsg:
		return nil, false
	case RefreshMsg:
		var cmd tea.Cmd
		s.sub, cmd = s.sub.Update(msg)
		return tea.Batch(cmd, s.reload(), s.loadRefs()), true
	case tea.KeyMsg:
		if key.Matches(m, s.sess.Keys.List.Back) && closesOnBack(s.sub) {
			s.sub = nil
			return nil, true
		}
	}
	var cmd tea.Cmd
	s.sub, cmd = s.sub.Update(msg)
	return cmd, true
}

// closesOnBack reports whether esc now leaves a hosted view rather than
// closing something inside it. The member's clients say so themselves
// (MemberClientsClosedMsg); the audit log is left from its list.
func closesOnBack(v Screen) bool {
	if a, ok := v.(*auditScreen); ok {
		return a.detail == nil && a.dialog == nil
	}
	if c, ok := v.(interface{ closesOnBack() bool }); ok {
		return c.closesOnBack()
	}
	return false
}

// subActions are the detail's lines for the sub-views.
func (s *staffScreen) subActions() []memberAction {
	audit := s.sess.Can(model.ActView, model.Target{Module: model.ModuleAudit})
	return []memberAction{
		{binding: s.keys.Clients, label: "their clients", decision: model.Decision{Allowed: true}},
		{binding: s.keys.AuditLog, label: "their audit log", decision: audit, action: model.ActView, target: model.Target{Module: model.ModuleAudit}},
	}
}

// subLine offers the sub-views on one line of the detail; a refused one is
// muted with its reason.
func (s *staffScreen) subLine() string {
	th := s.sess.Theme
	var parts []string
	for _, a := range s.subActions() {
		k := a.binding.Help().Key
		if a.decision.Allowed {
			parts = append(parts, k+"   "+a.label)
			continue
		}
		parts = append(parts, th.Muted.Render(k+"   "+a.label+" (not allowed)"))
	}
	return fitStyled("  "+strings.Join(parts, "    "), max(s.width, 20))
}
