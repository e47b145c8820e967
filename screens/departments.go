package screens

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// departmentsSection lists departments; enter opens a department's
// members, where members are added, taken out and given a manager.
type departmentsSection struct {
	sess    *Session
	keys    keymap.Admin
	depts   []model.Department
	cur     Cursor[int64] // on a department, by id
	reads   newestRead
	err     string
	open    *model.Department // the department whose members are shown
	members []model.Member
	mcur    Cursor[int64] // on one of its members, by id
	mreads  newestRead
	merr    string
}

type (
	departmentsMsg struct {
		read  uint64 // the read's number (beginRead)
		depts []model.Department
		err   error
	}
	deptMembersMsg struct {
		id      int64
		read    uint64
		members []model.Member
		err     error
	}
)

func newDepartmentsSection(sess *Session, keys keymap.Admin) *departmentsSection {
	return &departmentsSection{sess: sess, keys: keys}
}

func (d *departmentsSection) title() string { return "Departments" }

func (d *departmentsSection) acted(r Record, err error) {
	d.cur.Acted(r, err)
	d.mcur.Acted(r, err)
}
func (d *departmentsSection) module() model.Module { return model.ModuleDepartments }

func (d *departmentsSection) load() tea.Cmd {
	svc, p := d.sess.Svc, d.sess.Principal
	cmds := []tea.Cmd{func() tea.Msg {
		read := beginRead()
		ds, err := svc.ListDepartments(d.sess.Context(), p)
		return departmentsMsg{read: read, depts: ds, err: err}
	}}
	if d.open != nil {
		cmds = append(cmds, d.loadMembers(d.open.ID))
	}
	return tea.Batch(cmds...)
}

func (d *departmentsSection) loadMembers(id int64) tea.Cmd {
	svc, p := d.sess.Svc, d.sess.Principal
	return func() tea.Msg {
		read := beginRead()
		ms, err := svc.DepartmentMembers(d.sess.Context(), p, id)
		return deptMembersMsg{id: id, read: read, members: ms, err: err}
	}
}

func (d *departmentsSection) message(msg tea.Msg) (tea.Cmd, bool) {
	switch m := msg.(type) {
	case departmentsMsg:
		if !d.reads.take(m.read) {
			return nil, true
		}
		if m.err != nil {
			d.err = errText(m.err)
			return nil, true
		}
		d.err, d.depts = "", m.depts
		ids, names := make([]int64, len(d.depts)), make([]string, len(d.depts))
		for i, x := range d.depts {
			ids[i], names[i] = x.ID, "department "+x.Name
		}
		note := d.cur.Sync(m.read, ids, names)
		if id := d.openID(); id != 0 {
			note = nil // the departments are not on screen: a department's members are
			gone := d.open.Name
			d.open = nil // a department deleted elsewhere closes
			for i := range d.depts {
				if d.depts[i].ID == id {
					d.open = &d.depts[i]
				}
			}
			if d.open == nil {
				note = Status("Department "+model.Sanitize(gone)+" is no longer there (deleted elsewhere); back to the departments.", true)
			}
		}
		return note, true
	case deptMembersMsg:
		if d.open == nil || d.open.ID != m.id || !d.mreads.take(m.read) {
			return nil, true
		}
		if m.err != nil {
			d.merr = errText(m.err)
			return nil, true
		}
		d.merr, d.members = "", m.members
		ids, names := make([]int64, len(d.members)), make([]string, len(d.members))
		for i, x := range d.members {
			ids[i], names[i] = x.ID, x.Name
		}
		return d.mcur.Sync(m.read, ids, names), true
	}
	return nil, false
}

func (d *departmentsSection) openID() int64 {
	if d.open == nil {
		return 0
	}
	return d.open.ID
}

func (d *departmentsSection) can(action model.Action, label string) model.Decision {
	return d.sess.Can(action, model.Target{Module: model.ModuleDepartments, Label: label})
}

func (d *departmentsSection) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	if d.open != nil {
		return d.memberKey(km)
	}
	lk := d.sess.Keys.List
	switch {
	case key.Matches(km, lk.Up):
		d.cur.Move(-1)
		return nil, nil
	case key.Matches(km, lk.Down):
		d.cur.Move(1)
		return nil, nil
	case key.Matches(km, d.keys.New):
		if dec := d.can(model.ActCreate, ""); !dec.Allowed {
			return nil, refusal(dec)
		}
		return d.editDialog(nil), nil
	}
	if !d.deptKey(km) {
		return nil, nil
	}
	// Meant for the department that was under the cursor: refused if it
	// vanished just before, even when the list is now empty.
	if cmd, gone := d.cur.Vanished(); gone {
		return nil, cmd
	}
	if d.cur.Len() == 0 || d.cur.Index() >= len(d.depts) {
		return nil, nil
	}
	dept := d.depts[d.cur.Index()]
	switch {
	case key.Matches(km, lk.Open), key.Matches(km, d.keys.Members):
		d.open, d.members, d.mcur, d.mreads, d.merr = &dept, nil, Cursor[int64]{}, newestRead{}, ""
		return nil, d.loadMembers(dept.ID)
	case key.Matches(km, d.keys.Edit), key.Matches(km, d.keys.Rename):
		if dec := d.can(model.ActUpdate, dept.Name); !dec.Allowed {
			return nil, refusal(dec)
		}
		return d.editDialog(&dept), nil
	case key.Matches(km, d.keys.Delete):
		if dec := d.can(model.ActDelete, dept.Name); !dec.Allowed {
			return nil, refusal(dec)
		}
		svc, p := d.sess.Svc, d.sess.Principal
		body := fmt.Sprintf("%s and its client folders stay; they no longer belong to %s.", countOf(dept.Members, "member"), model.Sanitize(dept.Name))
		return &ConfirmDialog{Theme: d.sess.Theme, Confirm: Confirm{Title: "Delete department " + model.Sanitize(dept.Name) + "?", Body: body, Yes: "Delete", Danger: true},
			Recheck: recheck(d.sess, model.SeenDepartmentAs(dept)),
			OnYes: func() tea.Cmd {
				return runActionOn(d.cur.Record(dept.ID, true), "Department "+model.Sanitize(dept.Name)+" deleted.", func() error {
					return svc.DeleteDepartment(d.sess.seenCtx(model.SeenDepartmentAs(dept)), p, dept.ID)
				})
			}}, nil
	}
	return nil, nil
}

// deptKey reports whether km acts on the department under the cursor.
func (d *departmentsSection) deptKey(km tea.KeyMsg) bool {
	for _, b := range []key.Binding{d.sess.Keys.List.Open, d.keys.Members, d.keys.Edit, d.keys.Rename, d.keys.Delete} {
		if key.Matches(km, b) {
			return true
		}
	}
	return false
}

// editDialog creates (dept nil) or edits a department: name and
// description, then the head from a picker.
func (d *departmentsSection) editDialog(dept *model.Department) Dialog {
	title, name, desc := "New department", "", ""
	if dept != nil {
		title, name, desc = "Edit department "+model.Sanitize(dept.Name), dept.Name, dept.Description
	}
	form := NewForm(d.sess.Theme, title,
		Field{Key: "name", Label: "Name", Value: name, Required: true, CharLimit: model.MaxNameLen, Placeholder: "e.g. Tax"},
		Field{Key: "desc", Label: "Description", Value: desc, CharLimit: 200})
	form.Intro = "Next you choose who heads it."
	svc, p := d.sess.Svc, d.sess.Principal
	return &FormDialog{Form: form, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		name, desc := f.Value("name"), f.Value("desc")
		fixed := []Option{{Label: "(no head)", Value: "", ID: 0}}
		if dept != nil && dept.HeadID != 0 {
			fixed = append([]Option{{Label: "(keep " + dept.HeadName + ")", Value: "keep", ID: dept.HeadID}}, fixed...)
		}
		pd := staffPicker(d.sess, "Who heads "+model.Sanitize(strings.TrimSpace(name))+"?", "active", fixed, nil)
		pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
			if dept == nil {
				return nil, runAction("Department "+model.Sanitize(strings.TrimSpace(name))+" created.", func() error {
					_, err := svc.CreateDepartment(d.sess.Context(), p, name, desc, o.ID)
					return err
				})
			}
			seen := model.SeenDepartmentAs(*dept)
			return nil, runActionOn(d.cur.Record(dept.ID, false), "Department "+model.Sanitize(strings.TrimSpace(name))+" saved.", func() error {
				return svc.UpdateDepartment(d.sess.seenCtx(seen), p, dept.ID, name, desc, o.ID)
			})
		}
		return pd, pd.OnFilter("")
	}}
}

// mayAssign is the engine's word on adding members to the open department
// or taking them out: it changes the member (staff) and the department.
// Asked of the modules as a whole, so that it refuses only who may change
// no one; the model decides each member on the write.
func (d *departmentsSection) mayAssign() model.Decision {
	if dec := d.mayManage(); !dec.Allowed {
		return dec
	}
	return d.can(model.ActUpdate, d.open.Name)
}

// mayManage is the engine's word on setting a member's manager, a change
// to the member.
func (d *departmentsSection) mayManage() model.Decision {
	return d.sess.Can(model.ActUpdate, model.Target{Module: model.ModuleStaff, Label: "staff"})
}

// memberKeys are the member list's action keys the session may use.
func (d *departmentsSection) memberKeys() []key.Binding {
	var out []key.Binding
	if d.mayAssign().Allowed {
		out = append(out, d.keys.Assign, d.keys.Unassign)
	}
	if d.mayManage().Allowed {
		out = append(out, d.keys.Manager)
	}
	return out
}

// memberKey handles the keys of a department's member list.
func (d *departmentsSection) memberKey(km tea.KeyMsg) (Dialog, tea.Cmd) {
	lk := d.sess.Keys.List
	dept := *d.open
	switch {
	case key.Matches(km, lk.Back):
		d.open = nil
		return nil, nil
	case key.Matches(km, lk.Up):
		d.mcur.Move(-1)
		return nil, nil
	case key.Matches(km, lk.Down):
		d.mcur.Move(1)
		return nil, nil
	case key.Matches(km, d.keys.Assign):
		if dec := d.mayAssign(); !dec.Allowed {
			return nil, refusal(dec)
		}
		skip := map[int64]bool{}
		for _, m := range d.members {
			skip[m.ID] = true
		}
		pd := staffPicker(d.sess, "Add to "+model.Sanitize(dept.Name)+"…", "", nil, skip)
		pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
			return nil, d.changeDepartments(Record{}, model.Member{ID: o.ID, Name: o.Label}, dept.Name, true)
		}
		return pd, pd.OnFilter("")
	}
	if !(key.Matches(km, d.keys.Unassign) || key.Matches(km, d.keys.Manager)) {
		return nil, nil
	}
	if cmd, gone := d.mcur.Vanished(); gone {
		return nil, cmd
	}
	if d.mcur.Len() == 0 || d.mcur.Index() >= len(d.members) {
		return nil, nil
	}
	m := d.members[d.mcur.Index()]
	switch {
	case key.Matches(km, d.keys.Unassign):
		if dec := d.mayAssign(); !dec.Allowed {
			return nil, refusal(dec)
		}
		return nil, d.changeDepartments(d.mcur.Record(m.ID, true), m, dept.Name, false)
	case key.Matches(km, d.keys.Manager):
		if dec := d.mayManage(); !dec.Allowed {
			return nil, refusal(dec)
		}
		pd := staffPicker(d.sess, "Who manages "+model.Sanitize(m.Name)+"?", "active", []Option{{Label: "(no manager)", ID: 0}}, map[int64]bool{m.ID: true})
		pd.Picker.Intro = "A manager sees the records of the members assigned to them."
		svc, p := d.sess.Svc, d.sess.Principal
		pd.OnPick = func(o Option) (Dialog, tea.Cmd) {
			status := model.Sanitize(m.Name) + " now has no manager."
			if o.ID != 0 {
				status = model.Sanitize(m.Name) + " is now managed by " + model.Sanitize(o.Label) + "."
			}
			return nil, runActionOn(d.mcur.Record(m.ID, false), status, func() error { return svc.SetManager(d.sess.seenCtx(model.SeenMember(m)), p, m.ID, o.ID) })
		}
		return pd, pd.OnFilter("")
	}
	return nil, nil
}

// changeDepartments adds a member to a department or takes them out,
// keeping their other departments; the member is read afresh so a change
// made elsewhere a moment ago is not undone, and the write refuses if they
// changed in between.
func (d *departmentsSection) changeDepartments(rec Record, shown model.Member, dept string, add bool) tea.Cmd {
	svc, p := d.sess.Svc, d.sess.Principal
	return func() tea.Msg {
		m, err := svc.GetMember(d.sess.Context(), p, shown.ID)
		if errors.Is(err, model.ErrNotFound) {
			err = &model.ChangedError{Name: shown.Name, Gone: true}
		}
		if err != nil {
			return ActionMsg{Err: err, For: rec}
		}
		var names []string
		for _, x := range m.Departments {
			if !strings.EqualFold(x.Name, dept) {
				names = append(names, x.Name)
			}
		}
		status := model.Sanitize(m.Name) + " taken out of " + model.Sanitize(dept) + "."
		if add {
			names = append(names, dept)
			status = model.Sanitize(m.Name) + " added to " + model.Sanitize(dept) + "."
		}
		return outcome(rec, status, nil, svc.SetDepartments(d.sess.seenCtx(model.SeenMember(m)), p, m.ID, names))
	}
}

func (d *departmentsSection) view(width, height int) string {
	if d.open != nil {
		return d.membersView(width, height)
	}
	th := d.sess.Theme
	if d.err != "" {
		return th.Error.Render(cell(d.err, width))
	}
	hints := hintLine(d.help()...)
	nameW := max((width-30)/3, 12)
	line := func(name, head, members, desc string) string {
		return cell(name, nameW) + " " + cell(head, nameW) + " " + fmt.Sprintf("%7s", members) + " " + cell(desc, max(width-2*nameW-12, 4))
	}
	out := []string{th.Muted.Render(cell(hints, width)), th.Header.Render("  " + line("Department", "Head", "Members", "Description"))}
	if len(d.depts) == 0 {
		out = append(out, th.Muted.Render("  No departments yet."))
	}
	room, cursor := max(height-3, 1), d.cur.Index()
	top := max(0, cursor-room+1)
	for i := top; i < min(len(d.depts), top+room); i++ {
		x := d.depts[i]
		l := line(x.Name, orNone(x.HeadName, "—"), thousands(x.Members), x.Description)
		if i == cursor {
			out = append(out, th.Selected.Render(marker+l))
		} else {
			out = append(out, "  "+l)
		}
	}
	return strings.Join(out, "\n")
}

func (d *departmentsSection) membersView(width, height int) string {
	th := d.sess.Theme
	keys := d.memberKeys()
	hints := hintLine(append(keys, d.sess.Keys.List.Back)...)
	if len(keys) == 0 {
		hints = "view only: " + model.Sanitize(d.mayManage().Reason) + " · " + hints
	}
	out := []string{th.Title.Render(cell("Members of "+model.Sanitize(d.open.Name), width)),
		th.Muted.Render(cell(hints, width))}
	if d.merr != "" {
		return strings.Join(append(out, th.Error.Render(cell(d.merr, width))), "\n")
	}
	nameW := max((width-20)/3, 12)
	line := func(name, email, role, manager string) string {
		return cell(name, nameW) + " " + cell(email, nameW) + " " + cell(role, 12) + " " + cell(manager, max(width-2*nameW-17, 4))
	}
	out = append(out, th.Header.Render("  "+line("Name", "Email", "Role", "Manager")))
	if len(d.members) == 0 {
		out = append(out, th.Muted.Render("  No members (or none you may see)."))
	}
	room, mcursor := max(height-4, 1), d.mcur.Index()
	top := max(0, mcursor-room+1)
	for i := top; i < min(len(d.members), top+room); i++ {
		m := d.members[i]
		l := line(m.Name, m.Email, m.RoleName, orNone(m.ManagerName, "—"))
		if i == mcursor {
			out = append(out, th.Selected.Render(marker+l))
		} else {
			out = append(out, "  "+l)
		}
	}
	return strings.Join(out, "\n")
}

func (d *departmentsSection) help() []key.Binding {
	if d.open != nil {
		return append([]key.Binding{d.sess.Keys.List.Back}, d.memberKeys()...)
	}
	out := []key.Binding{withDesc(d.sess.Keys.List.Open, "members")}
	if d.can(model.ActCreate, "").Allowed {
		out = append(out, d.keys.New, d.keys.Edit, d.keys.Delete)
	}
	return out
}
