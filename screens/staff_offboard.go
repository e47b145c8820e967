package screens

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/keymap"
	"gatehouse/model"
)

// Offboarding is the on-call action: one pop-up that says what will
// happen (every folder of access revoked, the member deactivated, their
// clients left unowned or given to someone) and one key to do it. Enter
// confirms the common case, leaving their clients unowned; r picks a
// member to give them to first.

// offboardDialog is the Offboard pop-up for one member.
type offboardDialog struct {
	s *staffScreen
	m model.Member
	// to is who receives the member's clients; zero ID: left unowned.
	to Option

	loaded  bool
	folders int // client folders the member was added to
	owned   int // client folders the member owns
	busy    bool
}

// offboardCountsMsg carries how much a member has, for the pop-up.
type offboardCountsMsg struct {
	staffID int64
	folders int
	owned   int
	err     error
}

// offboardDialogFor opens the pop-up and counts the member's folders.
func (s *staffScreen) offboardDialogFor(m model.Member) (Dialog, tea.Cmd) {
	d := &offboardDialog{s: s, m: m}
	return d, d.count()
}

func (d *offboardDialog) count() tea.Cmd {
	ctx, svc, p, id := d.s.sess.Context(), d.s.sess.Svc, d.s.sess.Principal, d.m.ID
	return func() tea.Msg {
		folders, owned, err := offboardCounts(ctx, svc, p, id)
		return offboardCountsMsg{staffID: id, folders: folders, owned: owned, err: err}
	}
}

// offboardCounts is how many folders a member was added to and owns.
func offboardCounts(ctx context.Context, svc *model.Service, p model.Principal, staffID int64) (folders, owned int, err error) {
	if folders, err = svc.MemberFolderCount(ctx, p, staffID); err != nil {
		return 0, 0, fmt.Errorf("count their access: %w", err)
	}
	_, owned, err = svc.ListClients(ctx, p, model.ClientQuery{OwnerID: staffID, Limit: 1})
	if err != nil {
		return 0, 0, fmt.Errorf("count their clients: %w", err)
	}
	return folders, owned, nil
}

// help is the pop-up's keys: offboard, choose who gets the clients (when
// the member owns any), cancel.
func (d *offboardDialog) help() []key.Binding {
	k := d.s.keys
	out := []key.Binding{withDesc(keymap.DialogYesOrEnter, "offboard")}
	switch {
	case d.loaded && d.owned > 0 && d.to.ID != 0:
		out = append(out, withDesc(k.OffboardTo, "choose someone else"))
	case d.loaded && d.owned > 0:
		out = append(out, k.OffboardTo)
	}
	return append(out, keymap.DialogNo)
}

// Update implements Dialog.
func (d *offboardDialog) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case offboardCountsMsg:
		if msg.staffID != d.m.ID {
			return d, nil
		}
		if msg.err != nil {
			return nil, errStatus(msg.err)
		}
		d.loaded, d.folders, d.owned = true, msg.folders, msg.owned
		return d, nil
	case tea.KeyMsg:
		return d.key(msg)
	}
	return d, nil
}

func (d *offboardDialog) key(km tea.KeyMsg) (Dialog, tea.Cmd) {
	if d.busy {
		return d, nil
	}
	switch {
	case key.Matches(km, keymap.DialogNo):
		return nil, nil
	case key.Matches(km, keymap.DialogYesOrEnter):
		// Not before the counts are in: the pop-up must have said what
		// will happen.
		if !d.loaded {
			return d, nil
		}
		d.busy = true
		return d, d.run()
	case key.Matches(km, d.s.keys.OffboardTo):
		if d.loaded && d.owned > 0 {
			return d.s.memberPicker(d.m, "Give the clients of "+who(d.m)+" to…", func(o Option) (Dialog, tea.Cmd) {
				next := *d
				next.to = o
				return &next, nil
			})
		}
	}
	return d, nil
}

// run offboards the member and reports what was done.
func (d *offboardDialog) run() tea.Cmd {
	svc, p, m, to := d.s.sess.Svc, d.s.sess.Principal, d.m, d.to
	rec := d.s.table.Record(m.ID, true) // deactivated, they leave a list of the active
	return func() tea.Msg {
		res, err := svc.Offboard(d.s.sess.seenCtx(model.SeenMember(m)), p, m.ID, to.ID)
		if err != nil {
			return ActionMsg{Err: err, For: rec}
		}
		return ActionMsg{Status: offboardStatus(m, res), For: rec}
	}
}

// offboardStatus names what offboarding did, for the status line.
func offboardStatus(m model.Member, res model.OffboardResult) string {
	status := "deactivated"
	if !res.WasActive {
		status = "was already " + m.Status
	}
	clients := fmt.Sprintf("%s left unowned", plural(int(res.ClientsReassigned), "client folder"))
	if res.ReassignedTo != "unowned" {
		clients = fmt.Sprintf("%s given to %s", plural(int(res.ClientsReassigned), "client folder"), model.Sanitize(res.ReassignedTo))
	}
	return fmt.Sprintf("Offboarded %s: access to %s revoked, %s, %s",
		model.Sanitize(m.Email), plural(res.FoldersRemoved, "client folder"), status, clients)
}

func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return thousands(n) + " " + thing + "s"
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// View implements Dialog.
func (d *offboardDialog) View(width, height int) string {
	th := d.s.sess.Theme
	w := min(width-4, 72)
	title := th.Error.Render("Offboard " + who(d.m) + "?")
	if !d.loaded {
		return title + "\n\n" + th.Muted.Render("Counting their access…") + "\n\n" + th.Muted.Render(hintLine(keymap.DialogNo))
	}
	body := lipgloss.NewStyle().Width(w).Render(d.body())
	prompt := hintLine(d.help()...)
	v := title + "\n\n" + body + "\n\n" + th.Muted.Render(cell(prompt, w))
	if d.busy {
		v += "\n" + th.Muted.Render("Working…")
	}
	return v
}

func (d *offboardDialog) body() string {
	access := "Their access to " + plural(d.folders, "client folder") + " is revoked"
	if d.folders == 0 {
		access = "They were added to no client folder"
	}
	deactivate := "they are deactivated: signed out at once, open sessions included, and unable to sign in."
	if d.m.Status == "deactivated" {
		deactivate = "they stay deactivated."
	}
	var clients string
	switch {
	case d.owned == 0:
		clients = "They own no client folders."
	case d.to.ID != 0:
		clients = fmt.Sprintf("The %s they own %s to %s.", plural(d.owned, "client folder"), verb(d.owned, "goes", "go"), model.Sanitize(d.to.Value))
	default:
		clients = fmt.Sprintf("The %s they own %s left unowned.", plural(d.owned, "client folder"), verb(d.owned, "is", "are"))
	}
	return access + ", and " + deactivate + " " + clients +
		" Their history stays in the audit log; reactivating them later does not give the access back."
}
