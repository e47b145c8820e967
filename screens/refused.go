package screens

import (
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// Refused reports a refusal of the engine as an error status that carries
// its reason chain, so the shell can offer "w why" next to it.
func Refused(sess *Session, d model.Decision) tea.Cmd {
	return RefusedWith(NewExplainView(sess, "Why it was refused", d))
}

// RefusedAction is Refused with the whole chain for action on t.
func RefusedAction(sess *Session, action model.Action, t model.Target) tea.Cmd {
	return RefusedWith(ExplainAction(sess, action, t))
}

// RefusedWith reports the refusal v explains.
func RefusedWith(v *ExplainView) tea.Cmd {
	msg := NewStatus(model.Sanitize(v.Decision.Reason), true)
	msg.Why = v
	return func() tea.Msg { return msg }
}

// errStatus is the status of a failed action; a refusal by the engine
// carries its decision, explained by the shell for whoever is signed in.
func errStatus(err error) tea.Cmd {
	msg := NewStatus(errText(err), true)
	var d *model.DeniedError
	if errors.As(err, &d) {
		msg.Why = &ExplainView{Title: "Why it was refused", Decision: d.Decision}
	}
	return func() tea.Msg { return msg }
}

// WithSession gives an explanation built without a session its theme
// and, when it has no chain yet, who asked.
func (v *ExplainView) WithSession(sess *Session) *ExplainView {
	if v.theme == nil {
		v.theme = sess.Theme
	}
	if len(v.Steps) == 0 {
		v.Steps = []ExplainStep{{Label: "Asked by", Text: actorText(sess.Actor)}}
	}
	return v
}

// refusal reports a refused decision; the shell completes its chain with
// who is signed in.
func refusal(d model.Decision) tea.Cmd {
	return RefusedWith(&ExplainView{Title: "Why it was refused", Decision: d})
}
