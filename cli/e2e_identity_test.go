// Over 600 lines: one end-to-end world (the real binary in tmux, a second
// admin changing records meanwhile) and the checks it runs on each screen.

package cli

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gatehouse/model"
)

// The tests below are issue 13 in the real binary: the app runs in tmux on
// a demo organisation, signed in as its Owner, while another process (the
// CLI, or this test's own handle on the file for the changes the CLI has
// no command for) adds and removes rows of the list on screen between the
// screen drawing and the key. The key is sent at once, without waiting for
// the app to notice the change, so either order of key and refresh is
// tried. The database and the audit log must then show that the action
// landed on the record that was under the cursor, or that it was refused
// with a message naming that record: never on another record.

// idWorld is one app in tmux and the other process's ways to change its
// database.
type idWorld struct {
	t    *testing.T
	pane *clientsPane
	db   string
	ctx  context.Context
	svc  *model.Service // the other process's own handle on the file
}

// otherAdmin is who the other process acts as.
var otherAdmin = model.System("other-terminal")

func newIDWorld(t *testing.T, name string) *idWorld {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	p := startApp(t, "demo", "--db", dbPath)
	p.waitFor("Olivia Hart · Owner", "› Amelia Brooks")
	w := &idWorld{t: t, pane: p, db: dbPath, ctx: context.Background()}
	svc, err := model.Open(w.ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	w.svc = svc
	return w
}

// cli runs a command of the real binary on the app's database; it must
// succeed.
func (w *idWorld) cli(args ...string) string {
	w.t.Helper()
	r := runCLI(w.t, append(args, "--db", w.db)...)
	wantCode(w.t, r, 0, args...)
	return r.stdout
}

// must fails the test on an error of the other process's write.
func (w *idWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

type idAudit struct {
	ID       int64  `json:"id"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	TargetID int64  `json:"target_id"`
	Target   string `json:"target"`
	StaffID  int64  `json:"staff_id"`
}

// audit is the audit log as `gatehouse audit list --json` gives it, newest
// first.
func (w *idWorld) audit() []idAudit {
	w.t.Helper()
	var es []idAudit
	if err := json.Unmarshal([]byte(w.cli("audit", "list", "--json", "--limit", "200")), &es); err != nil {
		w.t.Fatal(err)
	}
	return es
}

// mark is the newest audit entry's id: what comes after it is the step's.
func (w *idWorld) mark() int64 {
	w.t.Helper()
	if es := w.audit(); len(es) > 0 {
		return es[0].ID
	}
	return 0
}

// appWrote is what the app's user (the Owner) wrote to the audit log since
// mark.
func (w *idWorld) appWrote(mark int64) []idAudit {
	w.t.Helper()
	var out []idAudit
	for _, e := range w.audit() {
		if e.ID > mark && e.Actor == olivia {
			out = append(out, e)
		}
	}
	return out
}

// landedOn fails unless the app's user wrote, since mark, exactly n
// entries of action, each about target (a substring of the entry's
// target) and none about anything else.
func (w *idWorld) landedOn(mark int64, n int, action, target string) {
	w.t.Helper()
	es := w.appWrote(mark)
	for _, e := range es {
		if e.Action != action || !strings.Contains(e.Target, target) {
			w.t.Fatalf("the key landed elsewhere: %s on %q, want %s on %q only\n%+v\n%s", e.Action, e.Target, action, target, es, w.pane.screen())
		}
	}
	if len(es) != n {
		w.t.Fatalf("%d %s entries on %q, want %d: %+v\n%s", len(es), action, target, n, es, w.pane.screen())
	}
}

// nothingWritten fails if the app's user wrote anything since mark.
func (w *idWorld) nothingWritten(mark int64) {
	w.t.Helper()
	if es := w.appWrote(mark); len(es) > 0 {
		w.t.Fatalf("a key meant for a record that vanished wrote %+v\n%s", es, w.pane.screen())
	}
}

// rows are the lines of the list in front: inside the pop-up when one is
// open, the whole screen otherwise.
func rows(scr string) []string {
	lines := strings.Split(scr, "\n")
	if !strings.Contains(scr, "╭") {
		return lines
	}
	var in []string
	for _, l := range lines {
		i, j := strings.Index(l, "│"), strings.LastIndex(l, "│")
		if i >= 0 && j > i {
			in = append(in, strings.TrimPrefix(l[i+len("│"):j], " "))
		}
	}
	return in
}

// rowText is a row without its cursor mark, its cells' padding folded to
// one space.
func rowText(row string) string {
	row = strings.TrimPrefix(strings.TrimPrefix(row, "› "), "  ")
	return strings.Join(strings.Fields(row), " ")
}

// cursorRow is the row under the cursor and its index among rows.
func cursorRow(rs []string) (string, int) {
	for i, r := range rs {
		if strings.HasPrefix(r, "› ") {
			return rowText(r), i
		}
	}
	return "", -1
}

// moveTo moves the cursor to the row that starts with text, a key at a
// time, each once the screen shows the row and where the cursor is, and
// the next once it shows the cursor moved.
func (w *idWorld) moveTo(text string) {
	w.t.Helper()
	for range 40 {
		var cur string
		var at, want int
		w.pane.pane.Until("the cursor and a row starting "+strconv.Quote(text), func(scr string) bool {
			rs := rows(scr)
			cur, at = cursorRow(rs)
			want = -1
			for i, r := range rs {
				if (strings.HasPrefix(r, "  ") || strings.HasPrefix(r, "› ")) && strings.HasPrefix(rowText(r), text) {
					want = i
					break
				}
			}
			return at >= 0 && want >= 0
		})
		if strings.HasPrefix(cur, text) {
			return
		}
		k := "Down"
		if want < at {
			k = "Up"
		}
		w.pane.keys(k)
		w.pane.pane.Until("the cursor moved by "+k, func(scr string) bool {
			now, i := cursorRow(rows(scr))
			return now != cur || i != at
		})
	}
	w.t.Fatalf("cannot put the cursor on %q:\n%s", text, w.pane.screen())
}

// cursorOn waits until the cursor is on the row that starts with text.
func (w *idWorld) cursorOn(text string) {
	w.t.Helper()
	w.pane.pane.Until("the cursor on "+strconv.Quote(text), func(scr string) bool {
		cur, _ := cursorRow(rows(scr))
		return strings.HasPrefix(cur, text)
	})
}

// waitAny waits until the screen shows one of texts and returns it.
func (w *idWorld) waitAny(texts ...string) string {
	w.t.Helper()
	return w.pane.pane.WaitAny(flatScreen, texts...)
}

// flatScreen joins the screen's lines, pop-up borders and padding folded,
// so that a message wrapped over lines is found whole.
func flatScreen(scr string) string {
	var words []string
	for _, l := range strings.Split(scr, "\n") {
		l = strings.NewReplacer("│", " ", "╭", " ", "╮", " ", "╰", " ", "╯", " ", "─", " ").Replace(l)
		words = append(words, strings.Fields(l)...)
	}
	return strings.Join(words, " ")
}

// refused follows a key meant for a record another process just removed
// or changed, shown by any of names: either the app had redrawn, and the
// key is refused naming it; or its confirmation opened for it and says
// what changed, and (confirm) its yes is refused by the model; or the
// write itself is refused by the model, naming it.
func (w *idWorld) refused(confirm bool, names ...string) {
	w.t.Helper()
	const changed = "Changed since you opened this: "
	var want []string
	for _, n := range names {
		want = append(want, "Nothing done: "+n, changed+n, "changed since it was shown: "+n)
	}
	got := w.waitAny(want...)
	if strings.HasPrefix(got, changed) && confirm {
		w.pane.keys("y")
		w.pane.pane.Until("the model's refusal of yes on a changed record", func(scr string) bool {
			scr = flatScreen(scr)
			return !strings.Contains(scr, changed) && (strings.Contains(scr, "changed since it was shown") || strings.Contains(scr, "Nothing done"))
		})
	}
	// Give a write that should not happen the time to show.
	time.Sleep(300 * time.Millisecond)
}

// tabTo presses tab until the screen shows each marker in turn.
func (w *idWorld) tabTo(markers ...string) {
	w.t.Helper()
	for _, m := range markers {
		w.pane.keys("Tab")
		w.waitAny(m)
	}
}

func TestEndToEndKeysLandOnTheRecordShownInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("end-to-end test: drives the binary in tmux")
	}
	t.Parallel()
	for _, c := range []struct {
		name string
		run  func(w *idWorld)
	}{
		{"staff", staffKeysLand},
		{"invitations", invitationKeysLand},
		{"clients", clientKeysLand},
		{"manage-access", manageAccessKeysLand},
		{"access-grid", accessGridKeysLand},
		{"member-clients", memberClientKeysLand},
		{"roles", roleKeysLand},
		{"connections", connectionKeysLand},
		{"departments", departmentKeysLand},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(newIDWorld(t, c.name))
		})
	}
}

const (
	leo    = "leo.martins@northwind.example"
	daniel = "daniel.okafor@northwind.example"
	tom    = "tom.becker@northwind.example"
)

func staffKeysLand(w *idWorld) {
	p := w.pane
	p.keys("f")
	p.waitFor("f status:active")
	w.moveTo("Leo Martins")
	// Ethan joins the list above Leo and Amelia leaves it, and d comes.
	mark := w.mark()
	w.cli("staff", "reactivate", "ethan.wright@northwind.example")
	w.cli("staff", "deactivate", amelia)
	p.keys("d")
	w.waitAny("Deactivate Leo Martins")
	p.keys("y")
	w.waitAny(leo + " is deactivated")
	w.landedOn(mark, 1, "staff.deactivate", leo)

	// Sara, under the cursor, is deactivated elsewhere as d is pressed.
	w.moveTo("Sara Lindqvist")
	mark = w.mark()
	w.cli("staff", "deactivate", sara)
	p.keys("d")
	w.refused(true, "Sara Lindqvist")
	w.nothingWritten(mark)

	// A confirmation open for Marcus keeps Marcus, and says so when his
	// role changes elsewhere; its yes writes nothing.
	w.moveTo("Marcus Reid")
	p.keys("d")
	w.waitAny("Deactivate Marcus Reid")
	mark = w.mark()
	w.cli("staff", "set-role", marcus, "Advisor")
	w.waitAny("Changed since you opened this: Marcus Reid: role Admin → Advisor")
	w.refused(true, "Marcus Reid")
	w.nothingWritten(mark)
	if st := memberState(w, marcus); st != "active" {
		t := w.t
		t.Fatalf("Marcus is %s", st)
	}
}

func memberState(w *idWorld, email string) string {
	w.t.Helper()
	m, err := w.svc.MemberByEmail(w.ctx, otherAdmin, email)
	w.must(err)
	return m.Status
}

func (w *idWorld) invitation(email string) model.Invitation {
	w.t.Helper()
	invs, err := w.svc.ListInvitations(w.ctx, otherAdmin, "")
	w.must(err)
	for _, inv := range invs {
		if inv.Email == email {
			return inv
		}
	}
	w.t.Fatalf("no invitation to %s", email)
	return model.Invitation{}
}

func invitationKeysLand(w *idWorld) {
	p := w.pane
	_, _, err := w.svc.Invite(w.ctx, otherAdmin, model.InviteInput{Email: "ivy@hires.example", Name: "Ivy Early", Role: "Advisor"})
	w.must(err)
	p.keys("i")
	p.waitFor("Invitations", "ivy@hires.example")
	p.keys("f")
	p.waitFor("status: pending")
	w.moveTo(pending)
	// An invitation made by the CLI comes in above Zoe's, Ivy's above
	// hers is revoked, and X comes.
	mark := w.mark()
	w.cli("staff", "invite", "iris@hires.example", "--name", "Iris Later")
	w.must(w.svc.RevokeInvitation(w.ctx, otherAdmin, w.invitation("ivy@hires.example").ID))
	p.keys("X")
	w.waitAny("Revoke the invitation to " + pending)
	p.keys("y")
	w.waitAny("Invitation to " + pending + " revoked")
	w.landedOn(mark, 1, "invitation.revoke", pending)

	// Iris's invitation, under the cursor, is revoked elsewhere as X is
	// pressed.
	w.moveTo("iris@hires.example")
	mark = w.mark()
	w.must(w.svc.RevokeInvitation(w.ctx, otherAdmin, w.invitation("iris@hires.example").ID))
	p.keys("X")
	w.refused(true, "iris@hires.example", "the invitation to iris@hires.example")
	w.nothingWritten(mark)
}

func (w *idWorld) folder(name string) model.Client {
	w.t.Helper()
	c, err := w.svc.ClientByName(w.ctx, otherAdmin, name)
	w.must(err)
	return c
}

func clientKeysLand(w *idWorld) {
	p := w.pane
	w.tabTo("sorted by name")
	w.moveTo("Kestrel Logistics")
	// A folder is made above Kestrel and one above it is archived, and d
	// (archive) comes.
	mark := w.mark()
	_, err := w.svc.CreateClient(w.ctx, otherAdmin, model.ClientInput{Name: "Aardvark Holdings", Accounts: []string{"Payroll"}})
	w.must(err)
	w.must(w.svc.ArchiveClient(w.ctx, otherAdmin, w.folder("Birchwood Bakery").ID))
	p.keys("d")
	w.waitAny("Archive Kestrel Logistics?")
	p.keys("y")
	w.waitAny("Archived Kestrel Logistics")
	w.landedOn(mark, 1, "client.archive", "Kestrel Logistics")

	// Lakeside, under the cursor, is archived elsewhere as d is pressed.
	w.moveTo("Lakeside Veterinary")
	mark = w.mark()
	w.must(w.svc.ArchiveClient(w.ctx, otherAdmin, w.folder("Lakeside Veterinary").ID))
	p.keys("d")
	w.refused(true, "Lakeside Veterinary")
	w.nothingWritten(mark)
}

// openManageAccess opens Manage Access for a folder from the Clients
// screen.
func (w *idWorld) openManageAccess(folder string) {
	w.tabTo("sorted by name")
	w.moveTo(folder)
	w.pane.keys("m")
	w.pane.waitFor("Manage Access · "+folder, "with access")
}

func manageAccessKeysLand(w *idWorld) {
	p := w.pane
	w.openManageAccess("Acme Ltd") // Leo, Sara, Tom
	w.moveTo("Tom Becker")
	// Daniel is added above Tom, Leo above him taken out, and x comes.
	mark := w.mark()
	w.cli("access", "grant", "--staff", daniel, "--client", "Acme Ltd")
	w.cli("access", "revoke", "--staff", leo, "--client", "Acme Ltd")
	p.keys("x")
	w.waitAny("Remove Tom Becker")
	p.keys("y")
	w.waitAny("Tom Becker removed", "Removed Tom Becker")
	w.landedOn(mark, 1, "access.remove", tom)

	// Sara, under the cursor, is taken out elsewhere as x is pressed.
	w.moveTo("Sara Lindqvist")
	mark = w.mark()
	w.cli("access", "revoke", "--staff", sara, "--client", "Acme Ltd")
	p.keys("x")
	w.refused(true, "Sara Lindqvist")
	w.nothingWritten(mark)
	if out := w.cli("access", "list", "--client", "Acme Ltd"); !strings.Contains(out, daniel) {
		w.t.Fatalf("Daniel was taken out of Acme Ltd:\n%s", out)
	}
}

func accessGridKeysLand(w *idWorld) {
	p := w.pane
	w.openManageAccess("Acme Ltd")
	p.keys("Enter")
	p.waitFor("Manage Access per account · Acme Ltd")
	w.moveTo("Leo Martins")
	// The case: Daniel, sorted before Leo, is added elsewhere as
	// space comes; it toggles Leo's Leave, the first column.
	mark := w.mark()
	w.cli("access", "grant", "--staff", daniel, "--client", "Acme Ltd")
	p.keys("Space")
	w.waitAny("Leo Martins: Leave turned")
	w.landedOn(mark, 1, "access.toggle", leo)

	// Amelia is added above, Daniel taken out, and R flips Leo's row.
	w.cursorOn("Leo Martins")
	mark = w.mark()
	w.cli("access", "grant", "--staff", amelia, "--client", "Acme Ltd")
	w.cli("access", "revoke", "--staff", daniel, "--client", "Acme Ltd")
	p.keys("R")
	w.waitAny("Leo Martins: every account turned")
	es := w.appWrote(mark)
	if len(es) == 0 {
		w.t.Fatalf("R wrote nothing:\n%s", p.screen())
	}
	w.landedOn(mark, len(es), "access.toggle", leo)

	// Leo, under the cursor, is taken out elsewhere as space comes.
	mark = w.mark()
	w.cli("access", "revoke", "--staff", leo, "--client", "Acme Ltd")
	p.keys("Space")
	w.refused(false, "Leo Martins")
	w.nothingWritten(mark)
}

func memberClientKeysLand(w *idWorld) {
	p := w.pane
	w.moveTo("Daniel Okafor")
	p.keys("c")
	p.waitFor("Clients of Daniel Okafor", "Kestrel Logistics")
	w.moveTo("Kestrel Logistics Payroll")
	// Acme's three accounts come in above, Dunmore's row leaves, and x
	// comes.
	mark := w.mark()
	w.cli("access", "grant", "--staff", daniel, "--client", "Acme Ltd")
	w.cli("access", "revoke", "--staff", daniel, "--client", "Dunmore Dental Practice")
	p.keys("x")
	w.waitAny("Remove Daniel Okafor from Kestrel Logistics?")
	p.keys("y")
	w.waitAny("Removed Daniel Okafor from Kestrel Logistics")
	w.landedOn(mark, 1, "access.remove", "Kestrel Logistics")

	// Juniper, under the cursor, is taken from him elsewhere as x comes.
	w.moveTo("Juniper Health Clinic Leave")
	mark = w.mark()
	w.cli("access", "revoke", "--staff", daniel, "--client", "Juniper Health Clinic")
	p.keys("x")
	w.refused(true, "Juniper Health Clinic", "Daniel Okafor in Juniper Health Clinic")
	w.nothingWritten(mark)
	if out := w.cli("access", "list", "--staff", daniel); !strings.Contains(out, "Acme Ltd") {
		w.t.Fatalf("Daniel lost Acme Ltd:\n%s", out)
	}
}

func (w *idWorld) role(name string) model.Role {
	w.t.Helper()
	rs, err := w.svc.ListRoles(w.ctx, otherAdmin)
	w.must(err)
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	w.t.Fatalf("no role %s", name)
	return model.Role{}
}

func roleKeysLand(w *idWorld) {
	p := w.pane
	perms := []model.Permission{{Module: model.ModuleClients, Verb: model.VerbView, Scope: model.ScopeOwn}}
	_, err := w.svc.CreateRole(w.ctx, otherAdmin, "Zeta Desk", "", perms)
	w.must(err)
	w.tabTo("sorted by name", "Roles ")
	p.waitFor("Zeta Desk")
	w.moveTo("Zeta Desk")
	// Manager, above Zeta Desk, is deleted elsewhere (its member moved to
	// Advisor), a role is made, and x comes.
	mark := w.mark()
	w.must(w.svc.DeleteRole(w.ctx, otherAdmin, w.role("Manager").ID, "Advisor"))
	_, err = w.svc.CreateRole(w.ctx, otherAdmin, "Auditor", "", perms)
	w.must(err)
	p.keys("x")
	w.waitAny("Delete role Zeta Desk?")
	p.keys("y")
	w.waitAny("Role Zeta Desk deleted")
	w.landedOn(mark, 1, "role.delete", "Zeta Desk")

	// Auditor, under the cursor, is deleted elsewhere as x comes.
	w.moveTo("Auditor")
	mark = w.mark()
	w.must(w.svc.DeleteRole(w.ctx, otherAdmin, w.role("Auditor").ID, ""))
	p.keys("x")
	w.refused(true, "Auditor", "role Auditor")
	w.nothingWritten(mark)
}

func (w *idWorld) connection(name string) model.Connection {
	w.t.Helper()
	cs, err := w.svc.ListConnections(w.ctx, otherAdmin)
	w.must(err)
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	w.t.Fatalf("no connection %s", name)
	return model.Connection{}
}

func connectionKeysLand(w *idWorld) {
	p := w.pane
	perms := []model.Permission{{Module: model.ModuleClients, Verb: model.VerbView, Scope: model.ScopeAll}}
	for _, name := range []string{"Alpha sync", "Bravo sync", "Charlie sync"} {
		_, _, err := w.svc.CreateConnection(w.ctx, otherAdmin, name, model.ConnectionAPI, perms, "")
		w.must(err)
	}
	w.tabTo("sorted by name", "Roles ", "Audit ", "Settings ")
	p.keys("3")
	p.waitFor("Charlie sync")
	w.moveTo("on Bravo sync")
	// Connections are listed in the order they were made and never
	// deleted: Alpha, above, is switched off elsewhere, one is made, and
	// space comes.
	mark := w.mark()
	w.must(w.svc.SetConnectionEnabled(w.ctx, otherAdmin, w.connection("Alpha sync").ID, false))
	_, _, err := w.svc.CreateConnection(w.ctx, otherAdmin, "Delta sync", model.ConnectionAPI, perms, "")
	w.must(err)
	p.keys("Space")
	w.waitAny("Connection Bravo sync switched off")
	w.landedOn(mark, 1, "connection.disable", "Bravo sync")
	if !w.connection("Alpha sync").Enabled == false || !w.connection("Charlie sync").Enabled {
		w.t.Fatal("the switch landed on another connection")
	}

	// Charlie, under the cursor, is switched off elsewhere as space
	// comes: refused as changed, or, if the screen showed it off first,
	// switched on again. Either way, only Charlie.
	w.moveTo("on Charlie sync")
	mark = w.mark()
	w.must(w.svc.SetConnectionEnabled(w.ctx, otherAdmin, w.connection("Charlie sync").ID, false))
	p.keys("Space")
	w.waitAny("connection Charlie sync: state on → off", "Connection Charlie sync switched on")
	for _, e := range w.appWrote(mark) {
		if e.Target != "Charlie sync" {
			w.t.Fatalf("space landed on %s", e.Target)
		}
	}
	if w.connection("Delta sync").Enabled != true || w.connection("Bravo sync").Enabled {
		w.t.Fatal("the switch landed on another connection")
	}
}

func (w *idWorld) department(name string) model.Department {
	w.t.Helper()
	ds, err := w.svc.ListDepartments(w.ctx, otherAdmin)
	w.must(err)
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	w.t.Fatalf("no department %s", name)
	return model.Department{}
}

func departmentKeysLand(w *idWorld) {
	p := w.pane
	w.tabTo("sorted by name", "Roles ", "Audit ", "Settings ")
	p.keys("2")
	p.waitFor("Payroll & HR", "Tax")
	w.moveTo("Tax")
	// Advisory is made above Tax, Payroll & HR above it deleted, and x
	// comes.
	mark := w.mark()
	_, err := w.svc.CreateDepartment(w.ctx, otherAdmin, "Advisory", "", 0)
	w.must(err)
	w.must(w.svc.DeleteDepartment(w.ctx, otherAdmin, w.department("Payroll & HR").ID))
	p.keys("x")
	w.waitAny("Delete department Tax?")
	p.keys("y")
	w.waitAny("Department Tax deleted")
	w.landedOn(mark, 1, "department.delete", "Tax")

	// Advisory, under the cursor, is deleted elsewhere as x comes.
	w.moveTo("Advisory")
	mark = w.mark()
	w.must(w.svc.DeleteDepartment(w.ctx, otherAdmin, w.department("Advisory").ID))
	p.keys("x")
	// The list names it "department Advisory", the model "Advisory".
	w.refused(true, "Advisory", "department Advisory")
	w.nothingWritten(mark)
}
