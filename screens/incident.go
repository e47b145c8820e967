package screens

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// Incidents from the app (PRODUCT.md, "Locks and sessions"): on the Staff
// screen K locks the member under the cursor (or lifts their lock), l
// opens the live sessions of every process on the file (x ends one, K
// locks who is in it), and u the locks in force (x lifts one, n locks a
// role, a connection or a key). The model decides and audits each; the
// views offer only what the session may do.

// incidentAction is an ActionMsg of the incident views: it goes to the
// view whose dialog started it, not to the Staff screen's.
type incidentAction struct{ ActionMsg }

// incidentActOn runs a model call on rec and reports it as an
// incidentAction.
func incidentActOn(rec Record, status string, fn func() error) tea.Cmd {
	return func() tea.Msg { return incidentAction{outcome(rec, status, nil, fn())} }
}

// ttlField is the time-to-live field of a lock form.
func ttlField() Field {
	return Field{Key: "ttl", Label: "Lift after", Placeholder: "30m, 2h, 7d — empty: until unlocked", CharLimit: 32,
		Validate: func(v string) error { _, err := model.ParseTTL(v); return err }}
}

func reasonField(label string) Field {
	return Field{Key: "reason", Label: label, Required: true, CharLimit: model.MaxReasonLen,
		Placeholder: "audited, and shown to whoever is locked out"}
}

// lockForm asks the reason and time to live of a lock on target, then
// makes it; done is the command's answer.
func lockForm(sess *Session, title, intro string, in model.LockInput, done func(status string, fn func() error) tea.Cmd) Dialog {
	f := NewForm(sess.Theme, title, reasonField("Reason"), ttlField())
	f.Intro = intro
	svc, p := sess.Svc, sess.Principal
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		in.Reason = f.Value("reason")
		ttl, _ := model.ParseTTL(f.Value("ttl"))
		in.TTL = ttl
		return nil, done("", func() error {
			_, err := svc.Lock(sess.Context(), p, in)
			return err
		})
	}}
}

// lockStatus words a lock just made.
func lockStatus(res model.LockResult) string {
	return fmt.Sprintf("Lock %d: %s is %s; %d live session(s) ended", res.Lock.ID, model.Sanitize(res.Lock.Label),
		model.LockNotice(res.Lock), res.SessionsEnded)
}

// lockMemberDialog locks a member out (K on the Staff screen).
func (s *staffScreen) lockMemberDialog(m model.Member) (Dialog, tea.Cmd) {
	in := model.LockInput{Kind: model.LockStaff, Target: m.Email}
	svc, p := s.sess.Svc, s.sess.Principal
	f := NewForm(s.sess.Theme, "Lock "+who(m)+" out", reasonField("Reason"), ttlField())
	f.Intro = "For an incident: their open sessions end at once, showing the reason, and their sign-ins, " +
		"keys and tokens are refused until the lock is lifted (K again) or runs out."
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		in.Reason = f.Value("reason")
		in.TTL, _ = model.ParseTTL(f.Value("ttl"))
		rec := s.table.Record(m.ID, false)
		return nil, func() tea.Msg {
			res, err := svc.Lock(s.sess.seenCtx(model.SeenMember(m)), p, in)
			if err != nil {
				return ActionMsg{Err: err, For: rec}
			}
			return ActionMsg{Status: lockStatus(res), For: rec}
		}
	}}, nil
}

// liftDialog lifts a lock after a question.
func liftDialog(sess *Session, l model.Lock, done func(status string, fn func() error) tea.Cmd) Dialog {
	svc, p := sess.Svc, sess.Principal
	seen := model.SeenLockAs(l, svc.Now())
	return &ConfirmDialog{Theme: sess.Theme, Recheck: recheck(sess, seen), Confirm: Confirm{
		Title: fmt.Sprintf("Lift lock %d on %s?", l.ID, model.Sanitize(l.Label)),
		Body:  "It was made by " + model.Sanitize(l.CreatedBy) + ": " + model.Sanitize(l.Reason) + ". Once lifted they may sign in again.",
		Yes:   "lift", Default: true,
	}, OnYes: func() tea.Cmd {
		return done(fmt.Sprintf("Lock %d on %s lifted", l.ID, model.Sanitize(l.Label)), func() error {
			_, err := svc.Unlock(sess.seenCtx(seen), p, l.ID)
			return err
		})
	}}
}

// lockKey is K on a member: lock them, or lift the lock they are under.
func (s *staffScreen) lockAction(m model.Member) (string, func(model.Member) (Dialog, tea.Cmd)) {
	if l, ok := s.locks[m.ID]; ok {
		return fmt.Sprintf("lift lock %d (%s)", l.ID, model.Truncate(model.Sanitize(l.Reason), 40)), func(model.Member) (Dialog, tea.Cmd) {
			return liftDialog(s.sess, l, func(status string, fn func() error) tea.Cmd {
				return actOn(s.table.Record(m.ID, false), status, nil, fn)
			}), nil
		}
	}
	return "lock out (incident): sessions end, sign-ins refused", s.lockMemberDialog
}

// canSeeSessions is whether the session may open the live sessions.
func canSeeSessions(sess *Session) model.Decision {
	return sess.Can(model.ActUpdate, model.Target{Module: model.ModuleStaff})
}

// sessionsRefresh is how often the sessions view reads the list again:
// sessions open and close without moving the change counter (0: only on
// changes and ctrl+r, as the screens' tests run it).
var sessionsRefresh = 2 * time.Second

var sessionColumns = []Column{
	{Title: "ID", Min: 4},
	{Title: "Who", Min: 14, Grow: 3},
	{Title: "From", Min: 12, Grow: 2},
	{Title: "Key", Min: 10, Grow: 2, Drop: 2},
	{Title: "Since", Min: 9, Drop: 1},
	{Title: "Last input", Min: 10},
	{Title: "Doing", Min: 10, Grow: 3},
}

// sessionsView lists the live sessions of every process on the file.
type sessionsView struct {
	sess          *Session
	keys          keymap.Staff
	table         *Table
	list          []model.LiveSession
	dialog        Dialog
	width, height int
	seq           int // the refresh ticks of this view
	reads         newestRead
}

type (
	sessionsMsg struct {
		read uint64 // the read's number (beginRead)
		list []model.LiveSession
		err  error
	}
	sessionsTickMsg struct {
		view *sessionsView
	}
)

func newSessionsView(sess *Session, keys keymap.Staff) *sessionsView {
	v := &sessionsView{sess: sess, keys: keys, table: NewTable(sess.Theme, sessionColumns), width: 80, height: 24}
	v.table.SetEmpty("Loading…")
	return v
}

func (v *sessionsView) Title() string { return "Live sessions" }
func (v *sessionsView) Init() tea.Cmd { return tea.Batch(v.load(), v.tick()) }

func (v *sessionsView) tick() tea.Cmd {
	if sessionsRefresh <= 0 {
		return nil
	}
	return tea.Tick(sessionsRefresh, func(time.Time) tea.Msg { return sessionsTickMsg{view: v} })
}

func (v *sessionsView) load() tea.Cmd {
	svc, p := v.sess.Svc, v.sess.Principal
	return func() tea.Msg {
		read := beginRead()
		list, err := svc.ListSessions(v.sess.Context(), p)
		return sessionsMsg{read: read, list: list, err: err}
	}
}

func (v *sessionsView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(w, max(h-2, 2))
}

func (v *sessionsView) Capturing() bool    { return v.dialog != nil && !working(v.dialog) }
func (v *sessionsView) closesOnBack() bool { return v.dialog == nil }

func sessionWho(x model.LiveSession) string {
	if x.StaffID == 0 {
		return "connection " + x.Name
	}
	return x.Email
}

func (v *sessionsView) setList(msg sessionsMsg) tea.Cmd {
	if !v.reads.take(msg.read) {
		return nil
	}
	now := v.sess.Svc.Now()
	var note tea.Cmd
	v.list, note = showWhole(v.table, msg.read, msg.list, msg.err, "No live sessions.", func(x model.LiveSession) ([]string, int64) {
		from := x.Address
		if from == "" {
			from = x.Origin
		}
		key := x.Fingerprint
		if key == "" {
			key = "—"
		}
		doing := x.Doing
		if x.EndReason != "" {
			doing = "ending: " + x.EndReason
		}
		return []string{strconv.FormatInt(x.ID, 10), sessionWho(x), from, key, agoText(now, x.StartedAt), agoText(now, x.LastInput), doing}, x.ID
	})
	return note
}

func (v *sessionsView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case sessionsMsg:
		return v, v.setList(msg)
	case sessionsTickMsg:
		if msg.view != v {
			return v, nil
		}
		return v, tea.Batch(v.load(), v.tick())
	}
	return v, updateIncidentList(&v.dialog, v.table, v.load, v.actions, v.sess.Keys.List, msg)
}

// actions are the live sessions' keys, on the session under the cursor.
func (v *sessionsView) actions() Actions {
	return Actions{
		{Binding: v.keys.EndSession, Run: onHeld(v.table, v.list, func(x model.LiveSession) tea.Cmd {
			v.dialog = v.endDialog(x)
			return nil
		})},
		{Binding: v.keys.LockWho, Run: onHeld(v.table, v.list, func(x model.LiveSession) tea.Cmd {
			in := model.LockInput{Kind: model.LockStaff, Target: x.Email}
			if x.StaffID == 0 {
				in = model.LockInput{Kind: model.LockConnection, Target: x.Name}
			}
			v.dialog = lockForm(v.sess, "Lock "+model.Sanitize(sessionWho(x))+" out",
				"Every session of theirs ends at once, showing the reason; sign-ins, keys and tokens are refused until the lock is lifted or runs out.",
				in, func(_ string, fn func() error) tea.Cmd {
					return incidentActOn(v.table.Record(x.ID, false), "Locked "+model.Sanitize(sessionWho(x)), fn)
				})
			return nil
		})},
	}
}

func (v *sessionsView) endDialog(x model.LiveSession) Dialog {
	f := NewForm(v.sess.Theme, fmt.Sprintf("End session %d of %s", x.ID, model.Sanitize(sessionWho(x))),
		Field{Key: "reason", Label: "Reason", Required: true, CharLimit: model.MaxReasonLen, Placeholder: "audited, and shown to them"})
	f.Intro = "It closes within a second, showing the reason; an SSH connection closes with all its commands. " +
		"They may sign in again: to keep them out, lock them (K)."
	svc, p := v.sess.Svc, v.sess.Principal
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		reason := f.Value("reason")
		return nil, incidentActOn(v.table.Record(x.ID, true), fmt.Sprintf("Session %d of %s ended", x.ID, model.Sanitize(sessionWho(x))), func() error {
			_, err := svc.EndSession(v.sess.Context(), p, x.ID, reason)
			return err
		})
	}}
}

func (v *sessionsView) View() string {
	if v.dialog != nil {
		return v.dialog.View(v.width, v.height)
	}
	th := v.sess.Theme
	head := th.Title.Render("Live sessions") + "  " + th.Muted.Render(fmt.Sprintf("%d, every process on this database", len(v.list)))
	hint := th.Muted.Render(hintLineSep("  ", append(v.actions().Bindings(), v.sess.Keys.List.Back)...))
	return head + "\n" + fitStyled(hint, v.width) + "\n" + v.table.View()
}

func (v *sessionsView) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(v.dialog); ok {
		return h
	}
	return append([]key.Binding{v.sess.Keys.List.Back}, v.actions().Bindings()...)
}

func (v *sessionsView) FullHelp() [][]key.Binding {
	lk := v.sess.Keys.List
	return [][]key.Binding{v.ShortHelp(), {lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top, lk.Bottom}}
}

var lockColumns = []Column{
	{Title: "ID", Min: 4},
	{Title: "Locked", Min: 16, Grow: 3},
	{Title: "Reason", Min: 12, Grow: 3},
	{Title: "By", Min: 12, Grow: 2, Drop: 2},
	{Title: "Since", Min: 9, Drop: 1},
	{Title: "Until", Min: 16},
}

// locksView lists the locks in force.
type locksView struct {
	sess          *Session
	keys          keymap.Staff
	table         *Table
	list          []model.Lock
	dialog        Dialog
	width, height int
	reads         newestRead
}

type locksMsg struct {
	read uint64 // the read's number (beginRead)
	list []model.Lock
	err  error
}

func newLocksView(sess *Session, keys keymap.Staff) *locksView {
	v := &locksView{sess: sess, keys: keys, table: NewTable(sess.Theme, lockColumns), width: 80, height: 24}
	v.table.SetEmpty("Loading…")
	return v
}

func (v *locksView) Title() string { return "Locks" }
func (v *locksView) Init() tea.Cmd { return v.load() }

func (v *locksView) load() tea.Cmd {
	svc, p := v.sess.Svc, v.sess.Principal
	return func() tea.Msg {
		read := beginRead()
		list, err := svc.ListLocks(v.sess.Context(), p, false)
		return locksMsg{read: read, list: list, err: err}
	}
}

func (v *locksView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(w, max(h-2, 2))
}

func (v *locksView) Capturing() bool    { return v.dialog != nil && !working(v.dialog) }
func (v *locksView) closesOnBack() bool { return v.dialog == nil }

// lockKindWord names a lock's kind in lists.
func lockKindWord(kind string) string {
	if kind == model.LockStaff {
		return "member"
	}
	return kind
}

func (v *locksView) setList(msg locksMsg) tea.Cmd {
	if !v.reads.take(msg.read) {
		return nil
	}
	now := v.sess.Svc.Now()
	var note tea.Cmd
	v.list, note = showWhole(v.table, msg.read, msg.list, msg.err, "No locks in force.", func(l model.Lock) ([]string, int64) {
		until := "unlocked"
		if !l.ExpiresAt.IsZero() {
			until = l.ExpiresAt.UTC().Format("2 Jan 15:04 UTC")
		}
		return []string{strconv.FormatInt(l.ID, 10), lockKindWord(l.Kind) + " " + l.Label, l.Reason, l.CreatedBy, agoText(now, l.CreatedAt), until}, l.ID
	})
	return note
}

func (v *locksView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case locksMsg:
		return v, v.setList(msg)
	}
	return v, updateIncidentList(&v.dialog, v.table, v.load, v.actions, v.sess.Keys.List, msg)
}

// actions are the locks' keys: lifting the one under the cursor, and a
// new lock.
func (v *locksView) actions() Actions {
	return Actions{
		{Binding: v.keys.Lift, Run: onHeld(v.table, v.list, func(l model.Lock) tea.Cmd {
			v.dialog = liftDialog(v.sess, l, func(status string, fn func() error) tea.Cmd {
				return incidentActOn(v.table.Record(l.ID, true), status, fn) // a lifted lock leaves the list
			})
			return checkOnOpen(v.dialog)
		})},
		{Binding: v.keys.NewLock, Run: func() tea.Cmd {
			v.dialog = v.newLockDialog()
			return nil
		}},
	}
}

// newLockDialog locks anything: a member, a role, a connection or a key.
func (v *locksView) newLockDialog() Dialog {
	kinds := []Option{{Label: "member (email)", Value: model.LockStaff}, {Label: "role (name)", Value: model.LockRole},
		{Label: "connection (name)", Value: model.LockConnection}, {Label: "SSH key (SHA256 fingerprint)", Value: model.LockKey}}
	f := NewForm(v.sess.Theme, "New lock",
		Field{Key: "kind", Label: "Lock a", Kind: ChoiceField, Options: kinds, Value: model.LockStaff, Hint: "←/→ to change"},
		Field{Key: "target", Label: "Which", Required: true, CharLimit: 254, Placeholder: "jane@example.com, Advisor, Backup robot, SHA256:…"},
		reasonField("Reason"), ttlField())
	f.Intro = "Their sessions end at once, showing the reason; sign-ins, keys and tokens are refused until the lock is lifted or runs out."
	svc, p := v.sess.Svc, v.sess.Principal
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		in := model.LockInput{Kind: f.Value("kind"), Target: strings.TrimSpace(f.Value("target")), Reason: f.Value("reason")}
		in.TTL, _ = model.ParseTTL(f.Value("ttl"))
		return nil, func() tea.Msg {
			res, err := svc.Lock(v.sess.Context(), p, in)
			if err != nil {
				return incidentAction{ActionMsg{Err: err}}
			}
			return incidentAction{ActionMsg{Status: lockStatus(res)}}
		}
	}}
}

func (v *locksView) View() string {
	if v.dialog != nil {
		return v.dialog.View(v.width, v.height)
	}
	th := v.sess.Theme
	head := th.Title.Render("Locks in force") + "  " + th.Muted.Render(fmt.Sprintf("%d", len(v.list)))
	hint := th.Muted.Render(hintLineSep("  ", v.keys.Lift, withDesc(v.keys.NewLock, "new lock (member, role, connection, key)"), v.sess.Keys.List.Back))
	return head + "\n" + fitStyled(hint, v.width) + "\n" + v.table.View()
}

func (v *locksView) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(v.dialog); ok {
		return h
	}
	return append([]key.Binding{v.sess.Keys.List.Back}, v.actions().Bindings()...)
}

func (v *locksView) FullHelp() [][]key.Binding {
	lk := v.sess.Keys.List
	return [][]key.Binding{v.ShortHelp(), {lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top, lk.Bottom}}
}

// updateIncidentList is what the sessions and locks views do alike with a
// message beyond their lists' own: a refresh re-reads the list, an
// action's result goes to the dialog that started it and to the cursor (an
// ended session or a lifted lock leaves the list), an open dialog takes
// everything else, and a key is one of the view's actions or moves in the
// list.
func updateIncidentList(dialog *Dialog, table *Table, load func() tea.Cmd, actions func() Actions, lk keymap.List, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case RefreshMsg:
		return load()
	case incidentAction:
		var cmd tea.Cmd
		*dialog, cmd = HandleAction(*dialog, msg.ActionMsg)
		table.Acted(msg.For, msg.Err)
		return tea.Batch(cmd, load())
	}
	if *dialog != nil {
		var cmd tea.Cmd
		*dialog, cmd = (*dialog).Update(msg)
		return cmd
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	if cmd, ok := actions().Dispatch(km); ok {
		return cmd
	}
	table.Update(km, lk)
	return nil
}
