package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// ExplainView is the pop-up that shows why the engine allowed or refused
// something: who asked, with which role and scope, what the action needs,
// and the engine's own reason. It is a Dialog: a screen puts it in its
// dialog slot; enter, esc or w closes it.
type ExplainView struct {
	Title    string
	Decision model.Decision
	// Steps are the reason chain, read top to bottom; the last is the
	// engine's verdict.
	Steps []ExplainStep
	theme *theme.Theme
}

// ExplainStep is one link of a reason chain.
type ExplainStep struct {
	Label string
	Text  string
}

// ExplainMsg asks the host (a screen or the shell) to show an ExplainView.
type ExplainMsg struct{ View *ExplainView }

// NewExplainView explains a decision the caller already has (for example
// a model.DeniedError's Decision) with no more context than its reason.
func NewExplainView(sess *Session, title string, d model.Decision) *ExplainView {
	return &ExplainView{Title: title, Decision: d, theme: sess.Theme,
		Steps: []ExplainStep{{Label: "Asked by", Text: actorText(sess.Actor)}}}
}

// ExplainAction decides action on t for the session's actor and explains
// the whole chain: principal, role, the permission the action needs and
// the scope held, then the engine's reason.
func ExplainAction(sess *Session, action model.Action, t model.Target) *ExplainView {
	return ExplainActor(sess.Theme, sess.Actor, action, t)
}

// ExplainActor is ExplainAction for any actor (the simulator's subject).
func ExplainActor(th *theme.Theme, a model.Actor, action model.Action, t model.Target) *ExplainView {
	d := model.Decide(a, action, t)
	label := t.Label
	if label == "" {
		label = t.Module.String()
	}
	return &ExplainView{Title: "Why: " + action.String() + " " + label, Decision: d, theme: th,
		Steps: explainChain(a, action, t.Module, t.Account != nil, label)}
}

// explainChain lists what the engine looks at, in the order it looks.
func explainChain(a model.Actor, action model.Action, module model.Module, onAccount bool, label string) []ExplainStep {
	steps := []ExplainStep{{Label: "Who", Text: actorText(a)}}
	if a.Kind == model.KindConnection {
		state := "switched on"
		if !a.ConnectionOn {
			state = "switched off"
		}
		steps = append(steps, ExplainStep{Label: "Connection", Text: fmt.Sprintf("%s, %s; never more than its creator %s may do", a.ConnectionName, state, a.Email)})
	}
	steps = append(steps, ExplainStep{Label: "Status", Text: orNone(a.Status, "active")})
	steps = append(steps, ExplainStep{Label: "Target", Text: label})
	verb, mod := action.Needs(module, onAccount)
	switch {
	case verb == model.VerbNone:
		steps = append(steps, ExplainStep{Label: "Needs", Text: action.String() + " is for the Owner alone"})
	default:
		held := a.Perms.Get(mod, verb).String()
		if (a.RoleKind == model.OwnerRole && a.Kind == model.KindMember) || a.Kind == model.KindSystem {
			held = "all (the Owner)"
		}
		steps = append(steps, ExplainStep{Label: "Needs", Text: fmt.Sprintf("%s %s", verb, mod)},
			ExplainStep{Label: "Holds", Text: "scope " + held})
	}
	return steps
}

func actorText(a model.Actor) string {
	switch a.Kind {
	case model.KindSystem:
		return "local user " + a.Label + " (acts as the Owner)"
	case model.KindConnection:
		return "connection " + a.ConnectionName + " (" + a.Role + ")"
	}
	kind := "custom role"
	if a.RoleKind.Builtin() {
		kind = "built-in role"
	}
	return fmt.Sprintf("%s <%s>, %s (%s)", a.Name, a.Email, a.Role, kind)
}

// Update implements Dialog.
func (v *ExplainView) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if km, ok := msg.(tea.KeyMsg); ok && key.Matches(km, keymap.ExplainClose) {
		return nil, nil
	}
	return v, nil
}

// View implements Dialog.
func (v *ExplainView) View(width, height int) string {
	th := v.theme
	w := max(min(width-2, 96), 30)
	wrap := lipgloss.NewStyle().Width(w - 14)
	var b strings.Builder
	b.WriteString(th.Title.Render(model.Sanitize(v.Title)) + "\n\n")
	for i, s := range v.Steps {
		lines := strings.Split(wrap.Render(model.Sanitize(s.Text)), "\n")
		for j, l := range lines {
			lab := ""
			if j == 0 {
				lab = fmt.Sprintf("%d. %s", i+1, s.Label)
			}
			b.WriteString(th.Label.Render(fmt.Sprintf("%-13s", lab)) + " " + l + "\n")
		}
	}
	verdict := th.Success.Render("✓ allowed")
	if !v.Decision.Allowed {
		verdict = th.Error.Render("✗ refused")
	}
	b.WriteString("\n" + verdict + "\n")
	b.WriteString(lipgloss.NewStyle().Width(w).Render(model.Sanitize(v.Decision.Reason)) + "\n\n")
	b.WriteString(th.Muted.Render(hintLine(v.help()...)))
	return b.String()
}

// adminActionMsg is an ActionMsg addressed to the view (by its id) whose
// command produced it: the shell gives every message to every screen, and
// a screen hosts another (the Staff screen a member's audit log), so
// another view's result must not close this one's dialog or repeat its
// status.
type adminActionMsg struct {
	to  ViewID
	msg ActionMsg
}

// addressed wraps the ActionMsgs cmd produces (in batches too) so that only
// the view to handles them.
func addressed(to ViewID, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch m := cmd().(type) {
		case ActionMsg:
			return adminActionMsg{to: to, msg: m}
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(m))
			for i, c := range m {
				out[i] = addressed(to, c)
			}
			return out
		default:
			return m
		}
	}
}

// updateAddressed is the Update of the administration screens: an action
// result addressed to another view is dropped, one addressed to id is
// unwrapped for update, and the results of the commands update returns
// come back addressed to id.
func updateAddressed(self Screen, id ViewID, msg tea.Msg, update func(tea.Msg) (Screen, tea.Cmd)) (Screen, tea.Cmd) {
	switch m := msg.(type) {
	case adminActionMsg:
		if m.to != id {
			return self, nil
		}
		msg = m.msg
	case ActionMsg:
		return self, nil
	}
	scr, cmd := update(msg)
	return scr, addressed(id, cmd)
}
