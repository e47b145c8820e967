package screens

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/model"
)

// The Clients screen's folder dialogs: a new folder, and on the folder under
// the cursor rename, archive, restore, owner and department, each opened
// only after the engine allows it (gate) and each write carrying the folder
// as the list showed it.

// folderDialog opens a dialog on a folder whose writes carry the folder
// as the user saw it (ctx), so that the model refuses them if it changed.
type folderDialog func(seen model.Seen, t model.Target) (Dialog, tea.Cmd)

// asSeen gives a folder dialog the folder as the list showed it.
func asSeen(cl model.Client, open folderDialog) func(t model.Target) (Dialog, tea.Cmd) {
	seen := model.SeenFolder(cl)
	return func(t model.Target) (Dialog, tea.Cmd) { return open(seen, t) }
}

// gate asks the engine about one folder as the session sees it and opens
// the dialog only when it allows; otherwise the reason is the status.
func (c *clientsScreen) gate(clientID int64, action model.Action, open func(t model.Target) (Dialog, tea.Cmd)) tea.Cmd {
	return gateCmd(c.id, c.sess, clientID, action, open)
}

func (c *clientsScreen) gated(m gateMsg) tea.Cmd {
	d, cmd := openGated(m)
	if d != nil {
		c.dialog = d
	}
	return cmd
}

func (c *clientsScreen) openCreate() tea.Cmd {
	sess := c.sess
	return func() tea.Msg {
		depts, err := sess.Svc.ListDepartments(sess.Context(), sess.Principal)
		if err != nil {
			depts = nil // a role without departments still creates folders, with none
		}
		return gateMsg{to: c.id, decision: model.Decision{Allowed: true}, open: func(model.Target) (Dialog, tea.Cmd) {
			return createClientDialog(c.id, sess, depts), nil
		}}
	}
}

// departmentOptions are the choices of a department field: none first.
func departmentOptions(depts []model.Department) []Option {
	opts := []Option{{Label: "(none)", Value: ""}}
	for _, d := range depts {
		opts = append(opts, Option{Label: d.Name, Value: d.Name, ID: d.ID})
	}
	return opts
}

// createClientDialog asks for the name, department and accounts, then for
// the owner; the form stays (with what was typed) until the model agrees.
func createClientDialog(to ViewID, sess *Session, depts []model.Department) Dialog {
	form := NewForm(sess.Theme, "New client folder",
		Field{Key: "name", Label: "Name", Required: true, CharLimit: model.MaxNameLen, Placeholder: "e.g. Harbour Bakery Ltd"},
		Field{Key: "dept", Label: "Department", Kind: ChoiceField, Options: departmentOptions(depts)},
		Field{Key: "accounts", Label: "Accounts (one per line)", Kind: AreaField, Lines: 4, Placeholder: "Payroll\nTimesheets"},
	)
	fd := &FormDialog{Form: form}
	fd.OnSubmit = func(f *Form) (Dialog, tea.Cmd) {
		name := f.Value("name")
		pick := staffPicker(sess, "Owner of "+model.Sanitize(strings.TrimSpace(name)), "active",
			[]Option{{Label: "No owner", Value: "none", Detail: "leave the folder unowned"}}, nil)
		pick.OnPick = func(o Option) (Dialog, tea.Cmd) {
			in := model.ClientInput{Name: name, OwnerID: o.ID, Department: f.Value("dept"), Accounts: strings.Split(f.Value("accounts"), "\n")}
			f.SetBusy(true)
			return fd, func() tea.Msg {
				cl, err := sess.Svc.CreateClient(sess.Context(), sess.Principal, in)
				if err != nil {
					return clientsAction{to: to, ActionMsg: ActionMsg{Err: err}}
				}
				return clientsAction{to: to, ActionMsg: ActionMsg{Status: fmt.Sprintf("Created %s with %s", model.Sanitize(cl.Name), countOf(cl.Accounts, "account"))}}
			}
		}
		f.SetBusy(false)
		return &backOnCancel{inner: pick, prev: fd}, pick.OnFilter("")
	}
	return fd
}

// staffPicker is a picker of members filtered in SQL as one types; fixed
// options come first, members in skip are left out.
func staffPicker(sess *Session, title, status string, fixed []Option, skip map[int64]bool) *PickerDialog {
	p := NewPicker(sess.Theme, title, fixed)
	pd := &PickerDialog{Picker: p}
	pd.OnFilter = func(text string) tea.Cmd {
		return func() tea.Msg {
			// Ask for as many more as may be skipped, so a full page remains.
			ms, _, err := sess.Svc.ListStaff(sess.Context(), sess.Principal, model.MemberQuery{Text: text, Status: status, Limit: 50 + len(skip)})
			items := append([]Option{}, fixed...)
			if text != "" {
				items = nil
			}
			for _, m := range ms {
				if skip[m.ID] {
					continue
				}
				items = append(items, Option{Label: m.Name, Value: m.Email, ID: m.ID, Detail: m.Email + " · " + m.RoleName})
			}
			return PickerItemsMsg{Filter: text, Items: items, Err: err}
		}
	}
	return pd
}

func (c *clientsScreen) renameDialog(seen model.Seen, t model.Target) (Dialog, tea.Cmd) {
	ctx := c.sess.seenCtx(seen)
	sess, id := c.sess, t.Client.ID
	form := NewForm(sess.Theme, "Rename "+model.Sanitize(t.Client.Name),
		Field{Key: "name", Label: "Name", Required: true, Value: t.Client.Name, CharLimit: model.MaxNameLen})
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		name := f.Value("name")
		// Renamed, it may no longer match the filter.
		return nil, ownActionOn(c.id, c.table.Record(id, true), "Renamed to "+model.Sanitize(strings.TrimSpace(name)), func() error {
			return sess.Svc.RenameClient(ctx, sess.Principal, id, name)
		})
	}}, nil
}

func (c *clientsScreen) archiveDialog(seen model.Seen, t model.Target) (Dialog, tea.Cmd) {
	ctx := c.sess.seenCtx(seen)
	sess, id, name := c.sess, t.Client.ID, model.Sanitize(t.Client.Name)
	return &ConfirmDialog{Theme: sess.Theme, Recheck: recheck(sess, seen), Confirm: Confirm{Title: "Archive " + name + "?", Yes: "Archive", Danger: true,
		Body: "The folder leaves the list; its accounts, access and history stay. Restore it from the archived view (v)."},
		OnYes: func() tea.Cmd {
			return ownActionOn(c.id, c.table.Record(id, true), "Archived "+name, func() error { return sess.Svc.ArchiveClient(ctx, sess.Principal, id) })
		}}, nil
}

func (c *clientsScreen) restoreDialog(seen model.Seen, t model.Target) (Dialog, tea.Cmd) {
	ctx := c.sess.seenCtx(seen)
	sess, id, name := c.sess, t.Client.ID, model.Sanitize(t.Client.Name)
	return &ConfirmDialog{Theme: sess.Theme, Recheck: recheck(sess, seen), Confirm: Confirm{Title: "Restore " + name + "?", Yes: "Restore", Default: true,
		Body: "The folder returns to the live list with its accounts and access."},
		OnYes: func() tea.Cmd {
			return ownActionOn(c.id, c.table.Record(id, true), "Restored "+name, func() error { return sess.Svc.RestoreClient(ctx, sess.Principal, id) })
		}}, nil
}

func (c *clientsScreen) ownerDialog(seen model.Seen, t model.Target) (Dialog, tea.Cmd) {
	ctx := c.sess.seenCtx(seen)
	sess, id, name := c.sess, t.Client.ID, model.Sanitize(t.Client.Name)
	pd := staffPicker(sess, "Owner of "+name, "active", []Option{{Label: "No owner", Value: "none", Detail: "leave the folder unowned"}}, nil)
	pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
		who := "no one"
		if o.ID != 0 {
			who = model.Sanitize(o.Label)
		}
		return nil, ownActionOn(c.id, c.table.Record(id, false), name+" is now owned by "+who, func() error {
			return sess.Svc.SetClientOwner(ctx, sess.Principal, id, o.ID)
		})
	}
	return pd, pd.OnFilter("")
}

func (c *clientsScreen) departmentDialog(seen model.Seen, t model.Target) (Dialog, tea.Cmd) {
	ctx := c.sess.seenCtx(seen)
	sess, id, name := c.sess, t.Client.ID, model.Sanitize(t.Client.Name)
	load := func() tea.Msg {
		depts, err := sess.Svc.ListDepartments(sess.Context(), sess.Principal)
		if err != nil {
			return gateMsg{to: c.id, err: err}
		}
		return gateMsg{to: c.id, decision: model.Decision{Allowed: true}, target: t, open: func(model.Target) (Dialog, tea.Cmd) {
			p := NewPicker(sess.Theme, "Department of "+name, departmentOptions(depts))
			p.Local = true
			return &PickerDialog{Picker: p, OnPick: func(o Option) (Dialog, tea.Cmd) {
				what := "no department"
				if o.Value != "" {
					what = model.Sanitize(o.Value)
				}
				return nil, ownActionOn(c.id, c.table.Record(id, false), name+" is filed under "+what, func() error {
					return sess.Svc.SetClientDepartment(ctx, sess.Principal, id, o.Value)
				})
			}}, nil
		}}
	}
	return nil, load
}
