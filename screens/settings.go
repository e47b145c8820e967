package screens

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// settingsSection is one part of the Settings tab. Sections share the
// tab's dialog slot: key returns the dialog to open.
type settingsSection interface {
	title() string
	// module is what the session must be able to view to see the section.
	module() model.Module
	load() tea.Cmd
	// message handles the section's own data messages.
	message(msg tea.Msg) (tea.Cmd, bool)
	key(km tea.KeyMsg) (Dialog, tea.Cmd)
	view(width, height int) string
	help() []key.Binding
}

// actedOn is a section whose lists follow records by identity: it takes
// the outcome of this session's action on a record of theirs
// (Cursor.Acted).
type actedOn interface{ acted(r Record, err error) }

// settingsScreen is the Settings tab: general settings, departments,
// connections and billing, one section at a time.
type settingsScreen struct {
	id            ViewID // what its commands' results are addressed to
	sess          *Session
	keys          keymap.Admin
	width, height int
	all           []settingsSection
	cur           int
	dialog        Dialog
}

// NewSettings returns the Settings tab with the sections the session may
// see: general, departments, connections, billing.
func NewSettings(sess *Session) Screen {
	keys := keymap.DefaultAdmin()
	s := &settingsScreen{id: NewViewID(), sess: sess, keys: keys, width: 80, height: 24}
	s.all = []settingsSection{
		&generalSection{sess: sess, keys: keys},
		newDepartmentsSection(sess, keys),
		newConnectionsSection(sess, keys),
		&billingSection{sess: sess, keys: keys},
	}
	return s
}

// visible are the sections the session may view now (the actor can change
// under an open screen).
func (s *settingsScreen) visible() []settingsSection {
	var out []settingsSection
	for _, sec := range s.all {
		if s.sess.Can(model.ActView, model.Target{Module: sec.module()}).Allowed {
			out = append(out, sec)
		}
	}
	return out
}

func (s *settingsScreen) section() settingsSection {
	v := s.visible()
	if len(v) == 0 {
		return nil
	}
	s.cur = min(max(s.cur, 0), len(v)-1)
	return v[s.cur]
}

func (s *settingsScreen) Title() string    { return "Settings" }
func (s *settingsScreen) SetSize(w, h int) { s.width, s.height = w, h }
func (s *settingsScreen) Capturing() bool  { return s.dialog != nil }

func (s *settingsScreen) Init() tea.Cmd {
	var cmds []tea.Cmd
	for _, sec := range s.visible() {
		cmds = append(cmds, sec.load())
	}
	return tea.Batch(cmds...)
}

func (s *settingsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	return updateAddressed(s, s.id, msg, s.update)
}

func (s *settingsScreen) update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case RefreshMsg:
		return s, tea.Batch(s.Init(), refreshDialog(s.dialog, msg))
	case ActionMsg:
		var cmd tea.Cmd
		s.dialog, cmd = HandleAction(s.dialog, msg)
		for _, sec := range s.all {
			if r, ok := sec.(actedOn); ok {
				r.acted(msg.For, msg.Err) // what was acted on may leave its list now
			}
		}
		return s, tea.Batch(cmd, s.Init())
	}
	for _, sec := range s.all {
		if cmd, ok := sec.message(msg); ok {
			if sec != s.section() {
				cmd = nil // news of a list not on screen is not the user's news
			}
			return s, cmd
		}
	}
	if s.dialog != nil {
		var cmd tea.Cmd
		s.dialog, cmd = s.dialog.Update(msg)
		if _, created := msg.(connectionCreatedMsg); created {
			cmd = tea.Batch(cmd, s.Init())
		}
		return s, cmd
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	n := len(s.visible())
	switch {
	case key.Matches(km, s.keys.NextSection) && n > 0:
		s.cur = (s.cur + 1) % n
		return s, nil
	case key.Matches(km, s.keys.PrevSection) && n > 0:
		s.cur = (s.cur - 1 + n) % n
		return s, nil
	}
	if key.Matches(km, s.keys.Section) {
		if i := int(km.Runes[0] - '0'); i <= n {
			s.cur = i - 1
		}
		return s, nil
	}
	sec := s.section()
	if sec == nil {
		return s, nil
	}
	d, cmd := sec.key(km)
	if d != nil {
		s.dialog = d
	}
	return s, tea.Batch(cmd, checkOnOpen(d))
}

func (s *settingsScreen) View() string {
	if s.dialog != nil {
		return s.dialog.View(s.width, s.height)
	}
	th := s.sess.Theme
	vis := s.visible()
	if len(vis) == 0 {
		return th.Title.Render("Settings") + "\n\n" + th.Muted.Render(cell(model.Sanitize(s.sess.Can(model.ActView, model.Target{Module: model.ModuleSettings}).Reason), s.width))
	}
	cur := s.section()
	var tabs []string
	for i, sec := range vis {
		label := fmt.Sprintf("%d %s", i+1, sec.title())
		if sec == cur {
			tabs = append(tabs, th.TabActive.Render(label))
		} else {
			tabs = append(tabs, th.Tab.Render(label))
		}
	}
	head := th.Title.Render("Settings") + " " + strings.Join(tabs, "")
	if len(vis) > 1 {
		head += " " + th.Muted.Render("←/→ switch")
	}
	return cutANSI(head, s.width) + "\n\n" + cur.view(s.width, max(s.height-2, 3))
}

func (s *settingsScreen) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return h
	}
	var out []key.Binding
	if len(s.visible()) > 1 {
		out = append(out, s.keys.PrevSection, s.keys.NextSection)
	}
	if sec := s.section(); sec != nil {
		out = append(out, sec.help()...)
	}
	return out
}

func (s *settingsScreen) FullHelp() [][]key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return [][]key.Binding{h}
	}
	lk := s.sess.Keys.List
	return [][]key.Binding{{lk.Up, lk.Down, lk.Open, lk.Back}, s.ShortHelp()}
}

// generalSection shows and edits the organisation's settings.
type generalSection struct {
	sess *Session
	keys keymap.Admin
	st   *model.Settings
	org  string
	// retention is the audit log's retention policy, in one line.
	retention string
	err       string
}

type settingsMsg struct {
	st        model.Settings
	org       string
	retention string
	err       error
}

func (g *generalSection) title() string        { return "General" }
func (g *generalSection) module() model.Module { return model.ModuleSettings }

func (g *generalSection) load() tea.Cmd {
	svc, p := g.sess.Svc, g.sess.Principal
	return func() tea.Msg {
		st, err := svc.Settings(g.sess.Context(), p)
		o, oerr := svc.Org(g.sess.Context())
		r, rerr := svc.AuditRetention(g.sess.Context(), p)
		if err == nil {
			err = errors.Join(oerr, rerr)
		}
		return settingsMsg{st: st, org: o.Name, retention: r.String(), err: err}
	}
}

func (g *generalSection) message(msg tea.Msg) (tea.Cmd, bool) {
	m, ok := msg.(settingsMsg)
	if !ok {
		return nil, false
	}
	if m.err != nil {
		g.err = errText(m.err)
		return nil, true
	}
	g.err, g.st, g.org, g.retention = "", &m.st, m.org, m.retention
	return nil, true
}

func (g *generalSection) canEdit() model.Decision {
	return g.sess.Can(model.ActUpdate, model.Target{Module: model.ModuleSettings})
}

func (g *generalSection) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	if g.st == nil {
		return nil, nil
	}
	switch {
	case key.Matches(km, g.keys.DeleteOrg):
		if d := g.canDelete(); !d.Allowed {
			return nil, refusal(d)
		}
		return g.deleteDialog(), nil
	case key.Matches(km, g.keys.Edit), key.Matches(km, g.keys.Rename):
		if d := g.canEdit(); !d.Allowed {
			return nil, refusal(d)
		}
		if key.Matches(km, g.keys.Rename) {
			return g.renameDialog(), nil
		}
		return g.editDialog(), nil
	}
	return nil, nil
}

// parseLength reads a duration as people type it: "7d", "48h", "30m",
// "1h30m".
func parseLength(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a length: try 7d, 48h or 30m", model.Sanitize(s))
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a length: try 7d, 48h or 30m", model.Sanitize(s))
	}
	return d, nil
}

// lengthText writes a duration the way parseLength reads it.
func lengthText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (g *generalSection) editDialog() Dialog {
	st := *g.st
	lengthOK := func(v string) error { _, err := parseLength(v); return err }
	form := NewForm(g.sess.Theme, "Organisation settings",
		Field{Key: "2fa", Label: "Require two-factor sign-in for everyone", Kind: ChoiceField, Value: yesNo(st.Require2FA),
			Options: []Option{{Label: "no", Value: "no"}, {Label: "yes", Value: "yes"}}},
		Field{Key: "ttl", Label: "Invitation lifetime", Value: lengthText(st.InviteTTL), Required: true, Hint: "1h to 90d, whole hours: 7d, 48h", Validate: lengthOK},
		Field{Key: "idle", Label: "Session idle timeout", Value: lengthText(st.IdleTimeout), Required: true, Hint: "1m to 24h, whole minutes: 30m, 2h", Validate: lengthOK})
	svc, p := g.sess.Svc, g.sess.Principal
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		ttl, _ := parseLength(f.Value("ttl"))
		idle, _ := parseLength(f.Value("idle"))
		next := model.Settings{Require2FA: f.Value("2fa") == "yes", InviteTTL: ttl, IdleTimeout: idle}
		return nil, runAction("Settings saved.", func() error { return svc.UpdateSettings(g.sess.Context(), p, next) })
	}}
}

func (g *generalSection) canDelete() model.Decision {
	return g.sess.Can(model.ActDeleteOrg, model.Target{Module: model.ModuleSettings})
}

// deleteDialog asks twice: a warning that says what goes, then the Owner's
// password and the organisation's name typed out.
func (g *generalSection) deleteDialog() Dialog {
	org := model.Sanitize(g.org)
	body := "Delete " + org + " and everything in it: every member, client folder, account, access, role, " +
		"connection and invitation, and the audit log. Everyone is signed out. This cannot be undone; " +
		"back up or export first (gatehouse backup, gatehouse export) if you may want it again."
	svc, p := g.sess.Svc, g.sess.Principal
	return &ConfirmDialog{Theme: g.sess.Theme, Confirm: Confirm{Title: "Delete the organisation?", Body: body, Yes: "continue", Danger: true},
		OnYes: func() tea.Cmd {
			f := NewForm(g.sess.Theme, "Delete "+org,
				Field{Key: "password", Label: "Your password", Kind: PasswordField, Required: true},
				Field{Key: "name", Label: "The organisation's name", Required: true, Placeholder: org, CharLimit: model.MaxNameLen})
			f.Intro = "This cannot be undone. Enter your password and type " + org + " to delete it."
			d := &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
				pw, name := f.Value("password"), f.Value("name")
				return nil, runAction("Organisation deleted.", func() error {
					_, err := svc.DeleteOrganisation(g.sess.Context(), p, pw, name)
					return err
				})
			}}
			return func() tea.Msg { return ActionMsg{Next: d} }
		}}
}

func (g *generalSection) renameDialog() Dialog {
	form := NewForm(g.sess.Theme, "Rename the organisation",
		Field{Key: "name", Label: "Name", Value: g.org, Required: true, CharLimit: model.MaxNameLen})
	svc, p := g.sess.Svc, g.sess.Principal
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		name := f.Value("name")
		return nil, runAction("Organisation renamed.", func() error { return svc.RenameOrg(g.sess.Context(), p, name) })
	}}
}

func (g *generalSection) view(width, height int) string {
	th := g.sess.Theme
	if g.err != "" {
		return th.Error.Render(cell(g.err, width))
	}
	if g.st == nil {
		return th.Muted.Render("Loading…")
	}
	row := func(label, v string) string {
		return cutANSI(th.Label.Render(fmt.Sprintf("  %-30s", label))+" "+v, width)
	}
	lines := []string{
		row("Organisation", model.Sanitize(g.org)),
		row("Two-factor sign-in required", yesNo(g.st.Require2FA)),
		row("Invitation lifetime", lengthText(g.st.InviteTTL)),
		row("Session idle timeout", lengthText(g.st.IdleTimeout)),
		row("Audit log retention", model.Sanitize(g.retention)),
		"",
	}
	if d := g.canEdit(); d.Allowed {
		lines = append(lines, th.Muted.Render(cell("  "+hintLine(withDesc(g.keys.Edit, "edit settings"), withDesc(g.keys.Rename, "rename the organisation")), width)))
	} else {
		lines = append(lines, th.Muted.Render(cell("  read only: "+d.Reason, width)))
	}
	if g.canDelete().Allowed {
		lines = append(lines, th.Muted.Render(cell("  D delete the organisation and all its data", width)))
	}
	return strings.Join(lines, "\n")
}

func (g *generalSection) help() []key.Binding {
	var out []key.Binding
	if g.canEdit().Allowed {
		out = append(out, g.keys.Edit, g.keys.Rename)
	}
	if g.canDelete().Allowed {
		out = append(out, g.keys.DeleteOrg)
	}
	return out
}

// billingSection shows the subscription and billing history; the Owner
// changes the payment method's label.
type billingSection struct {
	sess *Session
	keys keymap.Admin
	b    *model.Billing
	err  string
}

type billingMsg struct {
	b   model.Billing
	err error
}

func (b *billingSection) title() string        { return "Billing" }
func (b *billingSection) module() model.Module { return model.ModuleBilling }

func (b *billingSection) load() tea.Cmd {
	svc, p := b.sess.Svc, b.sess.Principal
	return func() tea.Msg {
		bl, err := svc.Billing(b.sess.Context(), p)
		return billingMsg{b: bl, err: err}
	}
}

func (b *billingSection) message(msg tea.Msg) (tea.Cmd, bool) {
	m, ok := msg.(billingMsg)
	if !ok {
		return nil, false
	}
	if m.err != nil {
		b.err = errText(m.err)
		return nil, true
	}
	b.err, b.b = "", &m.b
	return nil, true
}

func (b *billingSection) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	if !key.Matches(km, b.keys.Payment) || b.b == nil {
		return nil, nil
	}
	if d := b.sess.Can(model.ActChangePayment, model.Target{Module: model.ModuleBilling}); !d.Allowed {
		return nil, refusal(d)
	}
	form := NewForm(b.sess.Theme, "Payment method",
		Field{Key: "label", Label: "Label", Value: b.b.PaymentMethod, Required: true, CharLimit: model.MaxNameLen, Hint: "e.g. Visa ending 4242 — only a label is kept"})
	svc, p := b.sess.Svc, b.sess.Principal
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		label := f.Value("label")
		return nil, runAction("Payment method changed.", func() error { return svc.SetPaymentMethod(b.sess.Context(), p, label) })
	}}, nil
}

func (b *billingSection) view(width, height int) string {
	th := b.sess.Theme
	if b.err != "" {
		return th.Error.Render(cell(b.err, width))
	}
	if b.b == nil {
		return th.Muted.Render("Loading…")
	}
	row := func(label, v string) string {
		return cutANSI(th.Label.Render(fmt.Sprintf("  %-16s", label))+" "+v, width)
	}
	lines := []string{row("Plan", model.Sanitize(orNone(b.b.Plan, "none"))), row("Payment method", orNone(b.b.PaymentMethod, "none")), ""}
	if d := b.sess.Can(model.ActChangePayment, model.Target{Module: model.ModuleBilling}); d.Allowed {
		lines = append(lines, th.Muted.Render(cell("  p change the payment method", width)), "")
	} else {
		lines = append(lines, th.Muted.Render(cell("  "+d.Reason, width)), "")
	}
	lines = append(lines, th.Header.Render("  History"))
	if len(b.b.History) == 0 {
		lines = append(lines, th.Muted.Render("  nothing yet"))
	}
	room := max(height-len(lines), 1)
	for i, e := range b.b.History {
		if i >= room {
			break
		}
		what := e.Action
		if d := jsonDiff(e.Before, e.After); len(d) > 0 && d[0].Op == '~' {
			what = d[0].Before + " → " + d[0].After
		}
		lines = append(lines, "  "+cell(e.At.Format("2006-01-02 15:04")+"  "+e.Actor+"  "+what, max(width-2, 10)))
	}
	return strings.Join(lines, "\n")
}

func (b *billingSection) help() []key.Binding {
	if b.sess.Can(model.ActChangePayment, model.Target{Module: model.ModuleBilling}).Allowed {
		return []key.Binding{b.keys.Payment}
	}
	return nil
}
