package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// connectionsSection lists connections (API tokens, assistants, SSH keys
// of integrations), creates them scoped within the creator's own
// permissions, and switches them off at once.
type connectionsSection struct {
	sess  *Session
	keys  keymap.Admin
	conns []model.Connection
	cur   Cursor[int64] // on a connection, by id
	reads newestRead
	err   string
}

type connectionsMsg struct {
	read  uint64 // the read's number (beginRead)
	conns []model.Connection
	err   error
}

func newConnectionsSection(sess *Session, keys keymap.Admin) *connectionsSection {
	return &connectionsSection{sess: sess, keys: keys}
}

func (c *connectionsSection) title() string             { return "Connections" }
func (c *connectionsSection) acted(r Record, err error) { c.cur.Acted(r, err) }
func (c *connectionsSection) module() model.Module      { return model.ModuleConnections }

func (c *connectionsSection) load() tea.Cmd {
	svc, p := c.sess.Svc, c.sess.Principal
	return func() tea.Msg {
		read := beginRead()
		cs, err := svc.ListConnections(c.sess.Context(), p)
		return connectionsMsg{read: read, conns: cs, err: err}
	}
}

func (c *connectionsSection) message(msg tea.Msg) (tea.Cmd, bool) {
	m, ok := msg.(connectionsMsg)
	if !ok {
		return nil, false
	}
	if !c.reads.take(m.read) {
		return nil, true
	}
	if m.err != nil {
		c.err = errText(m.err)
		return nil, true
	}
	c.err, c.conns = "", m.conns
	ids, names := make([]int64, len(c.conns)), make([]string, len(c.conns))
	for i, x := range c.conns {
		ids[i], names[i] = x.ID, "connection "+x.Name
	}
	return c.cur.Sync(m.read, ids, names), true
}

func (c *connectionsSection) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := c.sess.Keys.List
	switch {
	case key.Matches(km, lk.Up):
		c.cur.Move(-1)
	case key.Matches(km, lk.Down):
		c.cur.Move(1)
	case key.Matches(km, c.keys.New):
		if d := c.sess.Can(model.ActCreate, model.Target{Module: model.ModuleConnections}); !d.Allowed {
			return nil, RefusedAction(c.sess, model.ActCreate, model.Target{Module: model.ModuleConnections})
		}
		return c.newDialog(), nil
	case key.Matches(km, c.keys.SwitchOff):
		if cmd, gone := c.cur.Vanished(); gone {
			return nil, cmd
		}
		if c.cur.Len() == 0 || c.cur.Index() >= len(c.conns) {
			return nil, nil
		}
		conn := c.conns[c.cur.Index()]
		t := model.Target{Module: model.ModuleConnections, Label: conn.Name, OwnerID: conn.CreatorID}
		if conn.CreatorID == 0 {
			t.OwnerID = -1
		}
		if d := c.sess.Can(model.ActUpdate, t); !d.Allowed {
			return nil, RefusedAction(c.sess, model.ActUpdate, t)
		}
		// Off takes effect at once, without a question: this is the key
		// pressed at 3 a.m. when a token has leaked.
		svc, p, on := c.sess.Svc, c.sess.Principal, !conn.Enabled
		status := "Connection " + model.Sanitize(conn.Name) + " switched off; it is refused from now on."
		if on {
			status = "Connection " + model.Sanitize(conn.Name) + " switched on."
		}
		// As seen: if another session switched it meanwhile, this key is
		// refused rather than turned into the opposite switch.
		seen := model.SeenConnectionAs(conn)
		// Switched, it stays in the list.
		return nil, runActionOn(c.cur.Record(conn.ID, false), status, func() error { return svc.SetConnectionEnabled(c.sess.seenCtx(seen), p, conn.ID, on) })
	}
	return nil, nil
}

// newDialog asks for the name, kind and (for ssh) the public key, then the
// scope on a grid capped at the creator's own permissions.
func (c *connectionsSection) newDialog() Dialog {
	var kinds []Option
	for _, k := range model.ConnectionKinds {
		kinds = append(kinds, Option{Label: k, Value: k})
	}
	form := NewForm(c.sess.Theme, "New connection",
		Field{Key: "name", Label: "Name", Required: true, CharLimit: model.MaxNameLen, Placeholder: "e.g. Zapier sync, Claude assistant"},
		Field{Key: "kind", Label: "Kind", Kind: ChoiceField, Value: model.ConnectionAPI, Options: kinds,
			Hint: "api and assistant get a secret token; ssh uses the key below"},
		Field{Key: "key", Label: "SSH public key (ssh only)", CharLimit: 4000, Placeholder: "ssh-ed25519 AAAA… comment"})
	form.Intro = "Next you choose what it may do: never more than you may."
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		if _, err := model.CleanName("connection name", f.Value("name")); err != nil {
			f.SetError(errText(err))
			return nil, nil
		}
		g := newScopeGrid(c.sess.Theme, c.keys, model.PermissionSet{}, c.sess.Actor.Perms)
		return &connectionScope{sess: c.sess, name: strings.TrimSpace(f.Value("name")), kind: f.Value("kind"), key: f.Value("key"), grid: g}, nil
	}}
}

// connectionScope is the scope grid of a new connection; saving creates
// it and shows its token once.
type connectionScope struct {
	sess            *Session
	name, kind, key string
	grid            *scopeGrid
	busy            bool
	err             string
}

// connectionCreatedMsg carries the new connection's token to the dialog
// that shows it.
type connectionCreatedMsg struct {
	conn  model.Connection
	token string
	err   error
}

func (d *connectionScope) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case connectionCreatedMsg:
		d.busy = false
		if msg.err != nil {
			d.err = errText(msg.err)
			return d, Status(d.err, true)
		}
		return newTokenDialog(d.sess, msg.conn, msg.token), Status("Connection "+model.Sanitize(msg.conn.Name)+" created.", false)
	case tea.KeyMsg:
		if d.busy {
			return d, nil
		}
		switch {
		case key.Matches(msg, keymap.DialogCancel):
			return nil, nil
		case key.Matches(msg, d.grid.keys.Save):
			if len(d.grid.perms) == 0 {
				d.grid.note = "choose at least one permission"
				return d, nil
			}
			d.busy, d.err = true, ""
			svc, p := d.sess.Svc, d.sess.Principal
			name, kind, pub, perms := d.name, d.kind, d.key, d.grid.permissions()
			return d, func() tea.Msg {
				conn, token, err := svc.CreateConnection(d.sess.Context(), p, name, kind, perms, pub)
				return connectionCreatedMsg{conn: conn, token: token, err: err}
			}
		}
		d.grid.key(msg)
	}
	return d, nil
}

func (d *connectionScope) View(width, height int) string {
	th := d.sess.Theme
	w := max(width-2, 10)
	var b strings.Builder
	b.WriteString(th.Title.Render(cell("What may "+d.name+" ("+d.kind+") do?", w)) + "\n\n")
	b.WriteString(d.grid.view(true) + "\n\n")
	switch {
	case d.err != "":
		b.WriteString(th.Error.Render(cell(d.err, w)) + "\n")
	case d.grid.note != "":
		b.WriteString(th.Warning.Render(cell(d.grid.note, w)) + "\n")
	default:
		b.WriteString(th.Muted.Render(cell("× : you do not hold it, so neither may the connection", w)) + "\n")
	}
	if d.busy {
		b.WriteString(th.Muted.Render("Working…"))
	} else {
		b.WriteString(th.Muted.Render(cell(d.grid.hints(withDesc(d.grid.keys.Save, "create")), w)))
	}
	return b.String()
}

// newTokenDialog shows a new connection's secret, the one time it exists
// outside its hash.
func newTokenDialog(sess *Session, conn model.Connection, token string) Dialog {
	th := sess.Theme
	body := "Connection " + model.Sanitize(conn.Name) + " (" + conn.Kind + ") is on.\n\n"
	if token == "" {
		body += "It signs in with its SSH key " + model.Sanitize(conn.Fingerprint) + "; there is no token."
	} else {
		box := th.Border.Render(th.Warning.Render("COPY IT NOW — shown only this once") + "\n\n" + th.Secret.Render(token))
		body += box + "\n\nGatehouse keeps only its hash: it cannot show it again. Use it with --token or GATEHOUSE_TOKEN."
	}
	return &ResultDialog{Title: "New connection", Body: body, Theme: th}
}

// scopeSummary names a connection's permissions briefly.
func scopeSummary(perms []model.Permission) string {
	parts := make([]string, 0, len(perms))
	for _, p := range perms {
		parts = append(parts, p.Verb.String()+" "+p.Module.String()+":"+scopeCell(p.Scope))
	}
	return strings.Join(parts, ", ")
}

func (c *connectionsSection) view(width, height int) string {
	th := c.sess.Theme
	if c.err != "" {
		return th.Error.Render(cell(c.err, width))
	}
	now := c.sess.Svc.Now()
	hints := hintLine(c.help()...)
	wide := width >= 110
	line := func(on, name, kind, scope, creator, created, used string) string {
		nameW := 18
		if wide {
			return cell(on, 4) + " " + cell(name, nameW) + " " + cell(kind, 9) + " " + cell(scope, max(width-2-4-nameW-9-18-12-12-6, 8)) + " " +
				cell(creator, 18) + " " + cell(created, 12) + " " + cell(used, 12)
		}
		return cell(on, 4) + " " + cell(name, nameW) + " " + cell(kind, 9) + " " + cell(scope, max(width-2-4-nameW-9-12-4, 8)) + " " + cell(used, 12)
	}
	out := []string{th.Muted.Render(cell(hints, width)), th.Header.Render("  " + line("On", "Name", "Kind", "Scope", "Creator", "Created", "Last used"))}
	if len(c.conns) == 0 {
		out = append(out, th.Muted.Render("  No connections."))
	}
	room, cursor := max(height-3, 1), c.cur.Index()
	top := max(0, cursor-room+1)
	for i := top; i < min(len(c.conns), top+room); i++ {
		x := c.conns[i]
		on := "off"
		if x.Enabled {
			on = "on"
		}
		l := line(on, x.Name, x.Kind, scopeSummary(model.ConnectionPermissionList(x)), orNone(x.CreatorName, "(removed)"), x.CreatedAt.Format("2006-01-02"), agoText(now, x.LastUsed))
		switch {
		case i == cursor:
			out = append(out, th.Selected.Render(marker+l))
		case !x.Enabled:
			out = append(out, "  "+th.Muted.Render(l))
		default:
			out = append(out, "  "+l)
		}
	}
	if cursor < len(c.conns) && !wide {
		x := c.conns[cursor]
		out = append(out, "", th.Muted.Render(cell(fmt.Sprintf("created %s by %s", x.CreatedAt.Format("2006-01-02"), orNone(x.CreatorName, "a removed member")), width)))
	}
	return strings.Join(out, "\n")
}

func (c *connectionsSection) help() []key.Binding {
	out := []key.Binding{c.keys.SwitchOff}
	if c.sess.Can(model.ActCreate, model.Target{Module: model.ModuleConnections}).Allowed {
		out = append([]key.Binding{c.keys.New}, out...)
	}
	return out
}
