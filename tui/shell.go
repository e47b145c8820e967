package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/screens"
)

// pollEvery is how often the shell looks for changes made by any session
// or process: a revocation elsewhere shows here within half a second.
const pollEvery = 500 * time.Millisecond

// statusFor is how long a status line stays.
const statusFor = 6 * time.Second

// shell is the signed-in program: header, tabs, the active screen, a
// status line and the key help.
type shell struct {
	app  *App
	id   int
	sess *screens.Session
	// self is who signed in, for the whole session; while the demo views
	// the organisation as someone else, sess.Principal is a lens
	// (model.ViewAs) that reads as they do and is refused every write.
	self      model.Principal
	selfActor model.Actor
	demo      bool

	screens []screens.Screen
	// ids address each screen's results back to it (screens.Address).
	ids    []screens.ViewID
	active int
	help   help.Model

	status    screens.StatusMsg
	statusSeq int
	// statuses keeps an older status, arriving late, from hiding a newer
	// one (the commands that bring them run concurrently).
	statuses  screens.StatusOrder
	counter   int64
	lastInput time.Time
	// row is the app's own live session in the sessions table (0 when its
	// host keeps it), and lastBeat when its heartbeat was last written.
	row      int64
	lastBeat time.Time
	picker   *picker
	// explain is the reason chain shown over the screen (ExplainMsg, or w
	// after a refusal); why is the chain of the refusal in the status line.
	explain screens.Dialog
	why     *screens.ExplainView

	// cancel ends the session's context (sess.Ctx) when the session ends.
	cancel context.CancelFunc

	width, height int
	bodyHeight    int
	helpLines     int // the height of the help when the layout was made
}

// Messages of the shell. Each carries the shell's id so that a message
// meant for an ended session is dropped by the next one.
type (
	pollMsg    struct{ shell int }
	counterMsg struct {
		shell int
		n     int64
		err   error
	}
	reloadMsg struct {
		shell     int
		org       model.Org
		self      model.Actor
		selfErr   error
		viewed    model.Actor
		viewedErr error
		counter   int64
		// ended is why the session was ended from elsewhere, if it was.
		ended string
	}
	statusClearMsg struct {
		shell, seq int
	}
	viewAsMsg struct {
		shell     int
		principal model.Principal
		actor     model.Actor
		err       error
	}
)

// newShell opens the shell for sess, giving the session a context of its
// own under the app's: ending the session (signing out, an SSH client gone,
// an administrator ending it) cancels it, and with it every model call the
// shell and its screens still have running.
func newShell(a *App, sess *screens.Session, counter int64) *shell {
	a.shellSeq++
	var cancel context.CancelFunc
	sess.Ctx, cancel = context.WithCancel(a.ctx)
	s := &shell{app: a, id: a.shellSeq, sess: sess, self: sess.Principal, selfActor: sess.Actor,
		demo: a.opts.Demo || sess.Org.Demo, help: a.help, counter: counter, lastInput: a.now(), cancel: cancel}
	for _, tab := range a.tabs {
		s.screens = append(s.screens, tab(sess))
		s.ids = append(s.ids, screens.NewViewID())
	}
	return s
}

func (s *shell) init() tea.Cmd {
	cmds := []tea.Cmd{s.tick()}
	for i, scr := range s.screens {
		cmds = append(cmds, s.own(i, scr.Init()))
	}
	return tea.Batch(cmds...)
}

func (s *shell) current() screens.Screen { return s.screens[s.active] }

func (s *shell) tick() tea.Cmd {
	return s.app.after(pollEvery, pollMsg{shell: s.id})
}

// resize lays the shell out for a window of w×h.
func (s *shell) resize(w, h int) {
	if w == 0 || h == 0 {
		w, h = 80, 24
	}
	s.width, s.height = w, h
	s.help.Width = w
	s.layout()
}

// layout gives the screens what the header, tabs, rule, status line and
// help leave; the help's height changes when it is expanded, and with the
// keys of the view that is open.
func (s *shell) layout() {
	s.helpLines = lipgloss.Height(s.helpView())
	s.bodyHeight = max(s.height-4-s.helpLines, 1)
	for _, scr := range s.screens {
		scr.SetSize(s.width, s.bodyHeight)
	}
}

// relayout lays the shell out again when the expanded help grew or shrank
// because another view opened.
func (s *shell) relayout() {
	if s.help.ShowAll && lipgloss.Height(s.helpView()) != s.helpLines {
		s.layout()
	}
}

// update handles a message; the expanded help is fitted again after any
// of them, as a view opened by a key or by a result changes its keys.
func (s *shell) update(msg tea.Msg) tea.Cmd {
	cmd := s.handle(msg)
	s.relayout()
	return cmd
}

func (s *shell) handle(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		s.lastInput = s.app.now()
		return s.key(msg)
	case tea.MouseMsg:
		s.lastInput = s.app.now()
		return nil
	case pollMsg:
		if msg.shell != s.id {
			return nil
		}
		return s.poll()
	case counterMsg:
		if msg.shell != s.id {
			return nil
		}
		if msg.err != nil || msg.n == s.counter {
			return s.tick()
		}
		return s.reload()
	case reloadMsg:
		if msg.shell != s.id {
			return nil
		}
		return s.reloaded(msg)
	case screens.Addressed:
		return s.deliver(msg)
	case screens.StatusMsg:
		return s.setStatus(msg)
	case screens.ExplainMsg:
		if msg.View != nil {
			s.explain = msg.View.WithSession(s.sess)
		}
		return nil
	case statusClearMsg:
		if msg.shell == s.id && msg.seq == s.statusSeq {
			s.status, s.why = screens.StatusMsg{}, nil
		}
		return nil
	case viewAsMsg:
		if msg.shell != s.id {
			return nil
		}
		return s.viewAs(msg)
	case pickerMsg:
		if s.picker != nil {
			s.picker.loaded(msg)
		}
		return nil
	}
	return s.broadcast(msg)
}

// key handles the shell's own keys unless the screen is capturing input,
// and passes the rest to the active screen.
func (s *shell) key(msg tea.KeyMsg) tea.Cmd {
	if s.picker != nil {
		return s.pickerKey(msg)
	}
	if s.explain != nil {
		if key.Matches(msg, s.app.keys.Form.Interrupt) {
			return tea.Quit
		}
		var cmd tea.Cmd
		s.explain, cmd = s.explain.Update(msg)
		return cmd
	}
	g := s.app.keys.Global
	if !s.current().Capturing() {
		switch {
		case s.why != nil && key.Matches(msg, s.app.keys.Shell.Why):
			s.explain, s.why = s.why, nil
			s.status = screens.StatusMsg{}
			return nil
		case key.Matches(msg, g.Quit):
			return tea.Quit
		case key.Matches(msg, g.NextTab):
			s.active = (s.active + 1) % len(s.screens)
			s.layout()
			return nil
		case key.Matches(msg, g.PrevTab):
			s.active = (s.active + len(s.screens) - 1) % len(s.screens)
			s.layout()
			return nil
		case key.Matches(msg, g.Help):
			s.help.ShowAll = !s.help.ShowAll
			s.layout()
			return nil
		case key.Matches(msg, g.Refresh):
			return s.reload()
		case s.demo && key.Matches(msg, s.app.keys.Shell.ViewAs):
			return s.toggleViewAs()
		}
	}
	// Also while a pop-up has the keys (Manage Access, the grid): a view
	// that takes text offers only its dialog's keys, none of them writes.
	if s.viewing() && s.offersWrite(msg) {
		return s.refuseUnderLens()
	}
	var cmd tea.Cmd
	s.screens[s.active], cmd = s.current().Update(msg)
	return s.own(s.active, cmd)
}

// broadcast gives a message to every screen: results of a screen's own
// commands find it even after the user moved to another tab.
func (s *shell) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(s.screens))
	for i, scr := range s.screens {
		var cmd tea.Cmd
		s.screens[i], cmd = scr.Update(msg)
		cmds = append(cmds, s.own(i, cmd))
	}
	return tea.Batch(cmds...)
}

func (s *shell) setStatus(msg screens.StatusMsg) tea.Cmd {
	if !s.statuses.Take(msg) {
		return nil
	}
	s.status, s.why = msg, nil
	if msg.Why != nil {
		s.why = msg.Why.WithSession(s.sess)
	}
	s.statusSeq++
	return s.app.after(statusFor, statusClearMsg{shell: s.id, seq: s.statusSeq})
}

// poll signs out an idle session, or reads the change counter.
func (s *shell) poll() tea.Cmd {
	if limit := s.sess.Org.IdleTimeout; limit > 0 && s.app.now().Sub(s.lastInput) >= limit {
		return s.end(fmt.Sprintf("Signed out after %s without activity.", spell(limit)))
	}
	id, svc, ctx := s.id, s.app.svc, s.sess.Context()
	var beat []model.SessionBeat
	if now := s.app.now(); s.row != 0 && now.Sub(s.lastBeat) >= model.SessionHeartbeat {
		s.lastBeat = now
		beat = []model.SessionBeat{{ID: s.row, LastInput: s.lastInput, Doing: "app"}}
	}
	return func() tea.Msg {
		// The heartbeat is bookkeeping: a failure shows at the next.
		_ = svc.BeatSessions(ctx, beat)
		n, err := svc.ChangeCounter(ctx)
		return counterMsg{shell: id, n: n, err: err}
	}
}

// reload re-reads the organisation and the permissions of whoever is
// signed in (and viewed), after a change anywhere.
func (s *shell) reload() tea.Cmd {
	id, svc, ctx := s.id, s.app.svc, s.sess.Context()
	self, viewed, row := s.self, s.sess.Principal, s.row
	return func() tea.Msg {
		m := reloadMsg{shell: id}
		m.counter, _ = svc.ChangeCounter(ctx)
		if row != 0 {
			if ended, err := svc.EndedSessions(ctx, []int64{row}); err == nil {
				if reason, ok := ended[row]; ok {
					m.ended = reason
					if m.ended == "" {
						m.ended = "ended from elsewhere"
					}
				}
			}
		}
		var err error
		if m.org, err = svc.Org(ctx); err != nil {
			m.selfErr = err
			return m
		}
		m.self, m.selfErr = svc.Actor(ctx, self)
		m.viewed, m.viewedErr = m.self, m.selfErr
		if viewed.StaffID != self.StaffID {
			m.viewed, m.viewedErr = svc.Actor(ctx, viewed)
		}
		return m
	}
}

func (s *shell) reloaded(msg reloadMsg) tea.Cmd {
	switch {
	case errors.Is(msg.selfErr, model.ErrNoOrg):
		// Nothing is left to sign in to: the program stops at a message
		// (run again locally for the first run).
		return func() tea.Msg {
			return sessionEndedMsg{final: true, reason: "The organisation was deleted, with everything in it. " +
				"Run gatehouse again to create a new one or to explore the demo."}
		}
	case errors.Is(msg.selfErr, model.ErrNotFound):
		return s.end("Your session ended: you were removed from the organisation.")
	case msg.selfErr != nil:
		// A busy or unreadable database: keep the session, say so, retry.
		return tea.Batch(s.setStatus(screens.NewStatus("Could not refresh: "+errText(msg.selfErr), true)), s.tick())
	case msg.self.Status != "active":
		return s.end(inactiveNotice(msg.self.Status))
	case msg.self.Lock != nil:
		return s.end(lockedNotice(*msg.self.Lock))
	case msg.ended != "":
		return s.end("Your session ended: " + model.Sanitize(msg.ended) + ".")
	}
	s.counter, s.sess.Org, s.selfActor = msg.counter, msg.org, msg.self
	var cmds []tea.Cmd
	if !s.viewing() {
		s.sess.Actor = msg.self
	} else if msg.viewedErr != nil {
		s.sess.Principal, s.sess.Actor = s.self, msg.self
		cmds = append(cmds, s.setStatus(screens.NewStatus("The member you were viewing as is gone; back to yourself.", false)))
	} else {
		s.sess.Actor = msg.viewed
	}
	cmds = append(cmds, s.broadcast(screens.RefreshMsg{}), s.tick())
	return tea.Batch(cmds...)
}

// end leaves the shell for the sign-in screen with reason.
func (s *shell) end(reason string) tea.Cmd {
	return func() tea.Msg { return sessionEndedMsg{reason: reason} }
}

// viewing reports whether the demo's "view as" is on.
func (s *shell) viewing() bool { return s.sess.Principal.IsLens() }

// offersWrite reports whether the active view offers msg's key as a write
// (keymap.Writes): the one gate that keeps "view as" a lens on every
// screen, before any dialog opens. The model refuses a lens's writes too.
//
// It reads the view's full help, every key the view takes now: while a
// list's filter is typed into, that is only the filter's keys, so a letter
// of a name is never taken for a write.
func (s *shell) offersWrite(msg tea.KeyMsg) bool {
	for _, group := range s.current().FullHelp() {
		for _, b := range group {
			if key.Matches(msg, b) && keymap.Writes(b) {
				return true
			}
		}
	}
	return false
}

// refuseUnderLens says why a write key does nothing while viewing as
// someone, and how to return.
func (s *shell) refuseUnderLens() tea.Cmd {
	return s.setStatus(screens.NewStatus(fmt.Sprintf(
		"View as only shows what %s sees and may do; nothing changes. %s returns to yourself.",
		safe(s.sess.Actor.Name), s.app.keys.Shell.ViewAs.Help().Key), true))
}

func (s *shell) toggleViewAs() tea.Cmd {
	if s.viewing() {
		return s.loadViewAs(s.self)
	}
	s.picker = newPicker(s.app.keys, s.bodyHeight)
	return s.picker.load(s)
}

// viewAsMember looks through m's eyes, or returns to yourself when m is
// the member signed in.
func (s *shell) viewAsMember(m model.Member) tea.Cmd {
	if m.ID == s.self.StaffID {
		return s.loadViewAs(s.self)
	}
	return s.loadViewAs(model.ViewAs(m, s.self))
}

func (s *shell) loadViewAs(p model.Principal) tea.Cmd {
	id, svc, ctx := s.id, s.app.svc, s.sess.Context()
	return func() tea.Msg {
		a, err := svc.Actor(ctx, p)
		return viewAsMsg{shell: id, principal: p, actor: a, err: err}
	}
}

func (s *shell) viewAs(msg viewAsMsg) tea.Cmd {
	if msg.err != nil {
		return s.setStatus(screens.NewStatus("Could not view as that member: "+errText(msg.err), true))
	}
	s.sess.Principal, s.sess.Actor = msg.principal, msg.actor
	text := "Back to yourself."
	if s.viewing() {
		// The way back comes first: on a narrow window the rest is cut.
		text = fmt.Sprintf("Viewing as %s (%s); V returns to yourself. Screens show what they see and may do; nothing changes.",
			safe(msg.actor.Name), safe(msg.actor.Role))
	}
	return tea.Batch(s.setStatus(screens.NewStatus(text, false)), s.broadcast(screens.RefreshMsg{}))
}

func (s *shell) view() string {
	t := s.app.theme
	w := s.width
	body := s.current().View()
	if s.picker != nil {
		body = s.picker.view(t, w)
	}
	if s.explain != nil {
		body = screens.Overlay(body, screens.Popup(s.sess, s.explain, w, s.bodyHeight), w, s.bodyHeight)
	}
	body = lipgloss.NewStyle().MaxWidth(w).Height(s.bodyHeight).MaxHeight(s.bodyHeight).Render(body)
	status := ""
	if s.status.Text != "" {
		st := t.Success
		if s.status.Err {
			st = t.Error
		}
		text := s.status.Text
		if s.whyOffered() {
			hint := "  (" + s.app.keys.Shell.Why.Help().Key + " why)"
			text = model.Truncate(text, max(w-len(hint), 1)) + hint
		}
		status = st.Render(model.Truncate(text, w))
	}
	rule := t.Rule.Render(strings.Repeat("─", w))
	return lipgloss.JoinVertical(lipgloss.Left, s.header(), s.tabs(), rule, body, status, s.helpView())
}

// header is the organisation on the left, who is signed in on the right,
// and the demo's banner and "viewing as" between.
func (s *shell) header() string {
	t := s.app.theme
	w := s.width
	me := s.selfActor
	left := t.Title.Render("Gatehouse") + " "
	if s.demo {
		left += t.Banner.Render("DEMO") + " "
	}
	// The organisation keeps at least a few characters; what is said on
	// the right gives way, least useful first, on a narrow window.
	var rights []string
	if s.viewing() {
		as := fmt.Sprintf("viewing as %s (%s)", safe(s.sess.Actor.Name), safe(s.sess.Actor.Role))
		rights = []string{t.Viewing.Render(as) + " " + t.Header.Render(safe(me.Name)), t.Viewing.Render(as),
			t.Viewing.Render("as " + safe(s.sess.Actor.Name))}
	} else {
		rights = []string{t.Header.Render(safe(me.Name)) + t.Muted.Render(" · "+safe(me.Role)), t.Muted.Render(safe(me.Role))}
	}
	right := rights[len(rights)-1]
	for _, r := range rights {
		if w-model.DisplayWidth(left)-model.DisplayWidth(r)-1 >= 12 {
			right = r
			break
		}
	}
	room := w - model.DisplayWidth(left) - model.DisplayWidth(right) - 1
	org := t.Header.Render(model.Truncate(safe(s.sess.Org.Name), max(room, 1)))
	gap := max(w-model.DisplayWidth(left)-model.DisplayWidth(org)-model.DisplayWidth(right), 1)
	line := left + org + strings.Repeat(" ", gap) + right
	return lipgloss.NewStyle().MaxWidth(w).Render(line)
}

func (s *shell) tabs() string {
	t := s.app.theme
	var parts []string
	for i, scr := range s.screens {
		st := t.Tab
		if i == s.active {
			st = t.TabActive
		}
		parts = append(parts, st.Render(scr.Title()))
	}
	return lipgloss.NewStyle().MaxWidth(s.width).Render(lipgloss.JoinHorizontal(lipgloss.Top, parts...))
}

// spell writes a duration as people say it.
func spell(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d >= time.Minute:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
