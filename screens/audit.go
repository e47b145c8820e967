// Over 600 lines: the Audit screen is one view (list paged both ways,
// filters, detail, verify, export) whose parts share its query and page
// state.

package screens

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// auditPageSize is how many entries one query fetches; auditMaxPages how
// many pages the screen holds at once. Scrolling fetches the next page by
// keyset (BeforeID or AfterID) as the cursor nears the end of what is held
// and drops the page furthest away, so memory stays flat over millions of
// entries.
var (
	auditPageSize = 200
	auditMaxPages = 4
)

// auditLister is the model's ListAudit; tests replace it to watch the
// queries the screen issues.
type auditLister func(ctx context.Context, p model.Principal, q model.AuditQuery) ([]model.AuditEntry, error)

// auditFilter is the filter as typed, kept to show it and to edit it again.
type auditFilter struct {
	Actor, Target, Action, Since, Until string
	// About names the member or client a pre-filtered screen is about.
	About string
}

// auditScreen is the Audit tab: the log newest first, filtered in SQL,
// paged by keyset.
type auditScreen struct {
	id            ViewID // what its commands' results are addressed to
	sess          *Session
	keys          keymap.Admin
	list          auditLister
	width, height int

	// readAs is who the held entries were read as; the demo's view as
	// changes the session's principal.
	readAs model.Principal
	base   model.AuditQuery // the filters; paging fields are set per query
	filter auditFilter

	held     []model.AuditEntry
	pageLens []int // sizes of the held pages, oldest last
	atHead   bool  // held[0] is the newest entry matching the filter
	atEnd    bool  // the last held entry is the oldest matching
	cursor   int   // index into held
	top      int   // first visible row, index into held
	gen      int   // bumps when the filter changes; older answers are dropped
	loading  bool
	keepID   int64 // after a refresh, the entry to put the cursor back on
	loadErr  string
	verify   string
	verifyOK bool

	detail *auditDetail
	dialog Dialog
}

// Messages of the Audit screen.
type (
	auditPageMsg struct {
		gen     int
		dir     int // 0: first page, 1: older, -1: newer
		entries []model.AuditEntry
		err     error
	}
	auditVerifyMsg struct {
		n   int64
		brk *model.ChainBreak
		err error
	}
	auditAboutMsg struct{ about string }
)

// NewAudit returns the Audit screen over the whole log (as far as the
// session may see it).
func NewAudit(sess *Session) Screen {
	return NewAuditFor(sess, model.AuditQuery{})
}

// NewAuditFor returns the Audit screen pre-filtered, e.g. to a member
// (AuditQuery{StaffID: id}) or to a client (AuditQuery{ClientID: id}):
// the `L` views. What it is about stays when the typed filters are
// cleared.
func NewAuditFor(sess *Session, q model.AuditQuery) Screen {
	q.BeforeID, q.AfterID, q.Limit = 0, 0, 0
	s := &auditScreen{id: NewViewID(), sess: sess, keys: keymap.DefaultAdmin(), list: sess.Svc.ListAudit, width: 80, height: 24, base: q}
	s.filter = auditFilter{Actor: q.Actor, Target: q.Target, Action: q.Action}
	if !q.Since.IsZero() {
		s.filter.Since = q.Since.Format("2006-01-02 15:04")
	}
	if !q.Until.IsZero() {
		s.filter.Until = q.Until.Format("2006-01-02 15:04")
	}
	switch {
	case q.StaffID != 0:
		s.filter.About = fmt.Sprintf("member #%d", q.StaffID)
	case q.ClientID != 0:
		s.filter.About = fmt.Sprintf("client #%d", q.ClientID)
	}
	return s
}

// Query is the filter the screen lists with (paging fields zero).
func (s *auditScreen) Query() model.AuditQuery { return s.base }

func (s *auditScreen) Title() string { return "Audit" }

func (s *auditScreen) Init() tea.Cmd { return tea.Batch(s.restart(), s.about()) }

func (s *auditScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *auditScreen) Capturing() bool { return s.dialog != nil }

// about names the member or client a pre-filtered screen is about.
func (s *auditScreen) about() tea.Cmd {
	svc, p, q := s.sess.Svc, s.sess.Principal, s.base
	if q.StaffID == 0 && q.ClientID == 0 {
		return nil
	}
	return func() tea.Msg {
		if q.StaffID != 0 {
			if m, err := svc.GetMember(s.sess.Context(), p, q.StaffID); err == nil {
				return auditAboutMsg{about: m.Name + " <" + m.Email + ">"}
			}
			return nil
		}
		if c, err := svc.GetClient(s.sess.Context(), p, q.ClientID); err == nil {
			return auditAboutMsg{about: "client " + c.Name}
		}
		return nil
	}
}

// rows is the number of list rows that fit.
func (s *auditScreen) rows() int { return max(s.height-4, 1) }

// restart fetches the newest page for the current filter.
func (s *auditScreen) restart() tea.Cmd {
	s.gen++
	s.readAs = s.sess.Principal
	s.loading = true
	return s.fetch(0, model.AuditQuery{})
}

func (s *auditScreen) fetch(dir int, paging model.AuditQuery) tea.Cmd {
	q := s.base
	q.BeforeID, q.AfterID, q.Limit = paging.BeforeID, paging.AfterID, auditPageSize
	list, p, gen := s.list, s.sess.Principal, s.gen
	return func() tea.Msg {
		es, err := list(s.sess.Context(), p, q)
		return auditPageMsg{gen: gen, dir: dir, entries: es, err: err}
	}
}

// maybeFetch fetches the page beyond the end the cursor is nearing.
func (s *auditScreen) maybeFetch() tea.Cmd {
	if s.loading || len(s.held) == 0 {
		return nil
	}
	margin := max(s.rows(), auditPageSize/2)
	switch {
	case !s.atEnd && s.cursor >= len(s.held)-margin:
		s.loading = true
		return s.fetch(1, model.AuditQuery{BeforeID: s.held[len(s.held)-1].ID})
	case !s.atHead && s.cursor < margin:
		s.loading = true
		return s.fetch(-1, model.AuditQuery{AfterID: s.held[0].ID})
	}
	return nil
}

func (s *auditScreen) setPage(msg auditPageMsg) {
	if msg.gen != s.gen {
		return
	}
	s.loading = false
	if msg.err != nil {
		s.loadErr = errText(msg.err)
		if msg.dir == 0 {
			// A refused or failed first page shows nothing: what was held
			// may have been read by someone else (the demo's view as).
			s.held, s.pageLens, s.cursor, s.top = nil, nil, 0, 0
		}
		return
	}
	s.loadErr = ""
	full := len(msg.entries) >= auditPageSize
	switch msg.dir {
	case 0:
		s.held = msg.entries
		s.pageLens = []int{len(msg.entries)}
		s.atHead, s.atEnd = true, !full
		s.cursor, s.top = 0, 0
		if s.keepID != 0 {
			for i, e := range s.held {
				if e.ID <= s.keepID {
					s.cursor = i
					break
				}
			}
			s.keepID = 0
		}
	case 1:
		s.held = append(s.held, msg.entries...)
		s.pageLens = append(s.pageLens, len(msg.entries))
		s.atEnd = !full
		if len(s.pageLens) > auditMaxPages {
			n := s.pageLens[0]
			s.held = append([]model.AuditEntry(nil), s.held[n:]...)
			s.pageLens = s.pageLens[1:]
			s.cursor, s.top = s.cursor-n, s.top-n
			s.atHead = false
		}
	case -1:
		s.held = append(append([]model.AuditEntry(nil), msg.entries...), s.held...)
		s.pageLens = append([]int{len(msg.entries)}, s.pageLens...)
		s.cursor, s.top = s.cursor+len(msg.entries), s.top+len(msg.entries)
		s.atHead = !full
		if len(s.pageLens) > auditMaxPages {
			n := s.pageLens[len(s.pageLens)-1]
			s.held = s.held[:len(s.held)-n]
			s.pageLens = s.pageLens[:len(s.pageLens)-1]
			s.atEnd = false
		}
	}
	s.clamp()
}

func (s *auditScreen) clamp() {
	s.cursor = max(min(s.cursor, len(s.held)-1), 0)
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+s.rows() {
		s.top = s.cursor - s.rows() + 1
	}
	s.top = max(min(s.top, len(s.held)-1), 0)
}

func (s *auditScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	return updateAddressed(s, s.id, msg, s.update)
}

func (s *auditScreen) update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case auditPageMsg:
		s.setPage(msg)
		return s, s.maybeFetch()
	case auditAboutMsg:
		s.filter.About = msg.about
		return s, nil
	case auditVerifyMsg:
		return s, s.verified(msg)
	case RefreshMsg:
		// New entries arrive with every change; only a reader at the top
		// of the log is moved, with the cursor kept on the same entry.
		if s.readAs != s.sess.Principal {
			// Viewing as someone else: read the log again as them.
			return s, s.restart()
		}
		if s.atHead && !s.loading {
			if e, ok := s.selected(); ok {
				s.keepID = e.ID
			}
			return s, s.restart()
		}
		return s, nil
	case ActionMsg:
		var cmd tea.Cmd
		s.dialog, cmd = HandleAction(s.dialog, msg)
		return s, cmd
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
	if s.detail != nil {
		if s.detail.key(km, s.sess.Keys.List) {
			s.detail = nil
		}
		return s, nil
	}
	return s, s.key(km)
}

func (s *auditScreen) selected() (model.AuditEntry, bool) {
	if s.cursor < 0 || s.cursor >= len(s.held) {
		return model.AuditEntry{}, false
	}
	return s.held[s.cursor], true
}

func (s *auditScreen) key(km tea.KeyMsg) tea.Cmd {
	lk := s.sess.Keys.List
	switch {
	case key.Matches(km, lk.Up):
		s.cursor--
	case key.Matches(km, lk.Down):
		s.cursor++
	case key.Matches(km, lk.PageUp):
		s.cursor -= s.rows()
		s.top -= s.rows()
	case key.Matches(km, lk.PageDown):
		s.cursor += s.rows()
		s.top += s.rows()
	case key.Matches(km, lk.Top):
		if !s.atHead {
			return s.restart()
		}
		s.cursor = 0
	case key.Matches(km, lk.Open):
		if e, ok := s.selected(); ok {
			s.detail = newAuditDetail(s.sess, e)
		}
		return nil
	case key.Matches(km, lk.Filter):
		s.dialog = s.filterDialog()
		return nil
	case key.Matches(km, s.keys.Clear), key.Matches(km, lk.Back):
		typed := s.filter
		typed.About = ""
		if typed == (auditFilter{}) {
			return nil
		}
		s.base = model.AuditQuery{ActorKind: s.base.ActorKind, ActorID: s.base.ActorID, StaffID: s.base.StaffID, StaffIDs: s.base.StaffIDs, ClientID: s.base.ClientID}
		s.filter = auditFilter{About: s.filter.About}
		return s.restart()
	case key.Matches(km, s.keys.Export):
		s.dialog = s.exportDialog()
		return nil
	case key.Matches(km, s.keys.Verify):
		if d := model.MayVerifyAudit(s.sess.Actor); !d.Allowed {
			return Refused(s.sess, d)
		}
		s.verify, s.verifyOK = "Verifying the chain…", true
		svc, p := s.sess.Svc, s.sess.Principal
		return func() tea.Msg {
			n, brk, err := svc.VerifyAuditAs(s.sess.Context(), p)
			return auditVerifyMsg{n: n, brk: brk, err: err}
		}
	default:
		return nil
	}
	s.clamp()
	return s.maybeFetch()
}

func (s *auditScreen) verified(msg auditVerifyMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		s.verify, s.verifyOK = "Could not verify: "+errText(msg.err), false
	case msg.brk != nil:
		s.verify, s.verifyOK = fmt.Sprintf("Chain broken at entry #%d: %s (%s entries checked)", msg.brk.ID, model.Sanitize(msg.brk.Reason), thousands(int(msg.n))), false
	default:
		// Good news is the status line's alone, and fades; the footer goes
		// back to the keys. A broken chain stays in the footer.
		s.verify = ""
		return Status(fmt.Sprintf("Chain intact: %s entries verified.", thousands(int(msg.n))), false)
	}
	return Status(s.verify, !s.verifyOK)
}

// parseWhen reads a time as people type it: "7d", "24h", "2w", "30m" (that
// long before now), a date "2026-03-01" or a date and time
// "2026-03-01 15:04". A bare date in Until means the end of that day.
func parseWhen(text string, now time.Time, until bool) (time.Time, error) {
	text = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "since"))
	if text == "" {
		return time.Time{}, nil
	}
	if n := len(text); n >= 2 {
		var unit time.Duration
		switch text[n-1] {
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		}
		var k int
		if _, err := fmt.Sscanf(text[:n-1], "%d", &k); unit != 0 && err == nil && fmt.Sprint(k) == text[:n-1] && k >= 0 {
			return now.Add(-time.Duration(k) * unit), nil
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, text, time.UTC); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", text, time.UTC); err == nil {
		if until {
			t = t.Add(24 * time.Hour)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: try 7d, 24h, 2026-03-01 or 2026-03-01 15:04", model.Sanitize(text))
}

func (s *auditScreen) filterDialog() Dialog {
	now := s.sess.Svc.Now()
	when := func(until bool) func(string) error {
		return func(v string) error { _, err := parseWhen(v, now, until); return err }
	}
	form := NewForm(s.sess.Theme, "Filter the audit log",
		Field{Key: "actor", Label: "Actor", Value: s.filter.Actor, Placeholder: "part of an email, connection or user name"},
		Field{Key: "target", Label: "Target", Value: s.filter.Target, Placeholder: "part of a target's name"},
		Field{Key: "action", Label: "Action", Value: s.filter.Action, Placeholder: "e.g. staff.set-role, or access. for every access action"},
		Field{Key: "since", Label: "Since", Value: s.filter.Since, Placeholder: "7d, 24h, 2026-03-01", Validate: when(false)},
		Field{Key: "until", Label: "Until", Value: s.filter.Until, Placeholder: "2026-03-08 (end of that day)", Validate: when(true)})
	form.Intro = "Filters combine; leave a field empty to match everything."
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		s.applyFilter(auditFilter{Actor: f.Value("actor"), Target: f.Value("target"), Action: f.Value("action"),
			Since: f.Value("since"), Until: f.Value("until"), About: s.filter.About}, now)
		// An empty ActionMsg closes the form.
		return nil, tea.Batch(s.restart(), func() tea.Msg { return ActionMsg{} })
	}}
}

// applyFilter sets the query from typed filters (already validated).
func (s *auditScreen) applyFilter(f auditFilter, now time.Time) {
	trim := strings.TrimSpace
	f.Actor, f.Target, f.Action, f.Since, f.Until = trim(f.Actor), trim(f.Target), trim(f.Action), trim(f.Since), trim(f.Until)
	q := model.AuditQuery{ActorKind: s.base.ActorKind, ActorID: s.base.ActorID, StaffID: s.base.StaffID, StaffIDs: s.base.StaffIDs, ClientID: s.base.ClientID,
		Actor: f.Actor, Target: f.Target, Action: strings.ToLower(f.Action)}
	q.Since, _ = parseWhen(f.Since, now, false)
	q.Until, _ = parseWhen(f.Until, now, true)
	s.base, s.filter = q, f
}

func (s *auditScreen) exportDialog() Dialog {
	now := s.sess.Svc.Now()
	def := "./gatehouse-audit-" + now.Format("20060102-150405") + ".csv"
	form := NewForm(s.sess.Theme, "Export the audit log",
		Field{Key: "format", Label: "Format", Kind: ChoiceField, Value: "csv", Options: []Option{{Label: "CSV", Value: "csv"}, {Label: "JSON", Value: "json"}}},
		Field{Key: "path", Label: "File", Value: def, Required: true, Hint: "a new file; an existing one is never overwritten"})
	form.Intro = "Every entry matching the current filter, oldest first."
	q := s.base
	ctx, svc, p := s.sess.Context(), s.sess.Svc, s.sess.Principal
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		format, path := f.Value("format"), strings.TrimSpace(f.Value("path"))
		if format == "json" && strings.HasSuffix(path, ".csv") && path == def {
			path = strings.TrimSuffix(path, ".csv") + ".json"
		}
		return nil, func() tea.Msg {
			if err := exportAudit(ctx, svc, p, q, path, format); err != nil {
				return ActionMsg{Err: err}
			}
			return ActionMsg{Status: "Audit exported to " + model.Sanitize(path) + "."}
		}
	}}
}

// exportAudit writes the export to a new file, removing it if the export
// fails half-way so no truncated file is left looking complete.
func exportAudit(ctx context.Context, svc *model.Service, p model.Principal, q model.AuditQuery, path, format string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	err = svc.ExportAudit(ctx, p, q, f, format)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("export audit to %s: %w", path, err)
	}
	return nil
}

func (s *auditScreen) View() string {
	if s.dialog != nil {
		return s.dialog.View(s.width, s.height)
	}
	if s.detail != nil {
		return s.detail.view(s.width, s.height)
	}
	th := s.sess.Theme
	var b strings.Builder
	pos := th.Muted.Render("newest first")
	if e, ok := s.selected(); ok {
		pos = th.Muted.Render(fmt.Sprintf("entry #%d · newest first", e.ID) + s.span())
	}
	b.WriteString(th.Title.Render("Audit") + "  " + pos + "\n")
	b.WriteString(fitStyled(s.filterLine(), s.width) + "\n")
	b.WriteString(th.Header.Render("  "+s.line("Time", "Actor", "Action", "Target", "Origin")) + "\n")
	switch {
	case s.loadErr != "":
		b.WriteString(th.Error.Render(cell(s.loadErr, s.width)))
	case len(s.held) == 0 && s.loading:
		b.WriteString(th.Muted.Render("Loading…"))
	case len(s.held) == 0:
		b.WriteString(th.Muted.Render("No entries match."))
	}
	end := min(s.top+s.rows(), len(s.held))
	for i := s.top; i < end; i++ {
		e := s.held[i]
		line := s.line(e.At.Format("2006-01-02 15:04"), e.Actor, e.Action, e.Target, e.Origin)
		if i == s.cursor {
			b.WriteString(th.Selected.Render(marker + line))
		} else {
			b.WriteString("  " + line)
		}
		if i < end-1 {
			b.WriteString("\n")
		}
	}
	lines := strings.Count(b.String(), "\n") + 1
	for ; lines < s.height; lines++ {
		b.WriteString("\n")
	}
	b.WriteString(s.footer())
	return b.String()
}

func (s *auditScreen) footer() string {
	th := s.sess.Theme
	switch {
	case s.verify != "" && s.verifyOK:
		return th.Success.Render(cell(s.verify, s.width))
	case s.verify != "":
		return th.Error.Render(cell(s.verify, s.width))
	case s.loading && len(s.held) > 0:
		return th.Muted.Render(cell("loading more…", s.width))
	}
	return th.Muted.Render(cell(hintLine(s.listKeys()...), s.width))
}

func (s *auditScreen) filterLine() string {
	th := s.sess.Theme
	f := s.filter
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, th.Muted.Render(label)+model.Sanitize(v))
		}
	}
	add("about ", f.About)
	add("actor ~ ", f.Actor)
	add("target ~ ", f.Target)
	add("action ", s.base.Action)
	if !s.base.Since.IsZero() {
		add("since ", s.base.Since.Format("2006-01-02 15:04"))
	}
	if !s.base.Until.IsZero() {
		add("until ", s.base.Until.Format("2006-01-02 15:04"))
	}
	if len(parts) == 0 {
		return th.Muted.Render("all entries, all time · " + s.sess.Keys.List.Filter.Help().Key + " to filter by actor, target, action or time")
	}
	if s.base.Since.IsZero() && s.base.Until.IsZero() {
		parts = append(parts, th.Muted.Render("all time (/ to narrow)"))
	}
	return strings.Join(parts, th.Muted.Render(" · "))
}

// span is the time the held entries cover, oldest to newest, so a reader
// sees how far back the list reaches.
func (s *auditScreen) span() string {
	if len(s.held) == 0 {
		return ""
	}
	newest, oldest := s.held[0].At, s.held[len(s.held)-1].At
	more := ""
	if !s.atEnd {
		more = " (older below)"
	}
	return " · " + oldest.Format("2006-01-02") + " to " + newest.Format("2006-01-02") + more
}

// line lays out one row; the origin column shows on wide terminals only.
func (s *auditScreen) line(at, actor, action, target, origin string) string {
	w := max(s.width-2, 40)
	atW, actW := 16, 22
	rest := w - atW - actW - 3
	if w >= 110 {
		originW := 24
		rest -= originW + 1
		actorW := max(rest*2/5, 12)
		return cell(at, atW) + " " + cell(actor, actorW) + " " + cell(action, actW) + " " + cell(target, rest-actorW-1) + " " + cell(origin, originW)
	}
	actorW := max(rest*2/5, 10)
	return cell(at, atW) + " " + cell(actor, actorW) + " " + cell(action, actW) + " " + cell(target, rest-actorW-1)
}

func (s *auditScreen) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return h
	}
	lk := s.sess.Keys.List
	if s.detail != nil {
		return []key.Binding{lk.Back, lk.Up, lk.Down}
	}
	return s.listKeys()
}

// listKeys are the keys of the list of entries, for the help and the
// footer; verifying the chain is offered to whoever may.
func (s *auditScreen) listKeys() []key.Binding {
	out := []key.Binding{withDesc(s.sess.Keys.List.Open, "details"), s.sess.Keys.List.Filter, s.keys.Clear, s.keys.Export}
	if model.MayVerifyAudit(s.sess.Actor).Allowed {
		out = append(out, s.keys.Verify)
	}
	return out
}

func (s *auditScreen) FullHelp() [][]key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return [][]key.Binding{h}
	}
	lk := s.sess.Keys.List
	if s.detail != nil {
		// An entry's detail scrolls; it has no top to jump to.
		return [][]key.Binding{{lk.Up, lk.Down, lk.PageUp, lk.PageDown}, {lk.Back}}
	}
	return [][]key.Binding{{lk.Up, lk.Down, lk.PageUp, lk.PageDown, lk.Top}, s.ShortHelp()}
}
