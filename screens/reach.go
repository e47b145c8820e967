package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// reachView answers "who can reach this account?" with the engine's own
// reason for each member (WhoCanReach), never a second reading of the
// rules.
type reachView struct {
	sess      *Session
	accountID int64
	label     string
	items     []model.Reach
	err       string
	loaded    bool
	top       int
	page      int
}

type reachMsg struct {
	accountID int64
	items     []model.Reach
	err       error
}

func newReach(sess *Session, accountID int64, label string) *reachView {
	return &reachView{sess: sess, accountID: accountID, label: label, page: 5}
}

func (r *reachView) load() tea.Cmd {
	sess, id := r.sess, r.accountID
	return func() tea.Msg {
		items, err := sess.Svc.WhoCanReach(sess.Context(), sess.Principal, id)
		return reachMsg{accountID: id, items: items, err: err}
	}
}

func (r *reachView) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch m := msg.(type) {
	case reachMsg:
		if m.accountID == r.accountID {
			r.loaded, r.items, r.err = true, m.items, ""
			if m.err != nil {
				r.err = errText(m.err)
			}
		}
	case RefreshMsg:
		return r, r.load()
	case tea.KeyMsg:
		lk := r.sess.Keys.List
		switch {
		case key.Matches(m, keymap.Dismiss):
			return nil, nil
		case key.Matches(m, lk.Up):
			r.top--
		case key.Matches(m, lk.Down):
			r.top++
		case key.Matches(m, lk.PageUp):
			r.top -= r.page
		case key.Matches(m, lk.PageDown):
			r.top += r.page
		}
		r.top = max(min(r.top, len(r.items)-r.page), 0)
	}
	return r, nil
}

func (r *reachView) View(w, h int) string {
	th := r.sess.Theme
	var b strings.Builder
	b.WriteString(th.Title.Render("Who can reach "+model.Sanitize(r.label)+"?") + "\n")
	switch {
	case r.err != "":
		return b.String() + th.Error.Render(r.err) + "\n\n" + th.Muted.Render(hintLine(r.sess.Keys.List.Back))
	case !r.loaded:
		return b.String() + th.Muted.Render("Loading…")
	}
	b.WriteString(th.Muted.Render(countOf(len(r.items), "member")+", with the permission engine's reason for each") + "\n\n")
	// Each member takes two lines: who, then why.
	r.page = max((h-5)/2, 1)
	r.top = max(min(r.top, len(r.items)-r.page), 0)
	for i := r.top; i < min(len(r.items), r.top+r.page); i++ {
		it := r.items[i]
		b.WriteString(cell(it.StaffName+" <"+it.StaffEmail+"> · "+it.Role, w) + "\n")
		b.WriteString(th.Muted.Render("  "+cell(it.Decision.Reason, w-2)) + "\n")
	}
	if len(r.items) == 0 {
		b.WriteString(th.Muted.Render("Nobody can reach it.") + "\n")
	}
	foot := hintLine(r.sess.Keys.List.Back)
	if len(r.items) > r.page {
		foot = fmt.Sprintf("%d–%d of %d · ", r.top+1, min(r.top+r.page, len(r.items)), len(r.items)) + hintLine(keymap.Scroll, r.sess.Keys.List.Back)
	}
	b.WriteString("\n" + th.Muted.Render(foot))
	return b.String()
}

func (r *reachView) help() []key.Binding {
	return []key.Binding{r.sess.Keys.List.Up, r.sess.Keys.List.Down, r.sess.Keys.List.Back}
}
