// Over 600 lines: the screens' shared test environment (staffEnv, golden) and
// the Staff screen's tests.

package screens

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

func init() {
	model.SetFastHashForTests()
	lipgloss.SetColorProfile(termenv.Ascii)
	// Another test file of the package may define -update as well.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/")
	}
	staffFilterDelay = 5 * time.Millisecond
}

// staffNow is the fixed clock of every screen test.
var staffNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// staffEnv is an organisation on a real SQLite file, with a fixed clock,
// and a way to drive screens: commands run synchronously and their
// messages are fed back until nothing is left to do.
type staffEnv struct {
	t        *testing.T
	ctx      context.Context
	svc      *model.Service
	owner    model.Member
	statuses []StatusMsg
}

func newStaffEnv(t *testing.T) *staffEnv {
	t.Helper()
	ctx := context.Background()
	svc, err := model.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	svc.Now = func() time.Time { return staffNow }
	owner, err := svc.Setup(ctx, model.System("tester"), model.SetupInput{OrgName: "Acme Partners", OwnerName: "Olivia Owner",
		OwnerEmail: "owner@acme.test", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return &staffEnv{t: t, ctx: ctx, svc: svc, owner: owner}
}

// member adds an active member through an invitation.
func (e *staffEnv) member(name, email, role string) model.Member {
	e.t.Helper()
	_, code, err := e.svc.Invite(e.ctx, model.System("tester"), model.InviteInput{Email: email, Name: name, Role: role})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.svc.AcceptInvitation(e.ctx, code, "password-"+email, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// exec runs raw SQL, for fixtures the model would refuse to make.
func (e *staffEnv) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.svc.DB().SQL().ExecContext(e.ctx, query, args...); err != nil {
		e.t.Fatal(err)
	}
}

func (e *staffEnv) session(m model.Member) *Session {
	e.t.Helper()
	p := model.MemberPrincipal(m, "test")
	a, err := e.svc.Actor(e.ctx, p)
	if err != nil {
		e.t.Fatal(err)
	}
	org, err := e.svc.Org(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return &Session{Svc: e.svc, Principal: p, Actor: a, Org: org, Theme: theme.Default(), Keys: keymap.Default()}
}

// drive runs cmd and every command the messages it leads to return.
func (e *staffEnv) drive(s Screen, cmd tea.Cmd) Screen {
	e.t.Helper()
	return e.settle(s, cmd, func(tea.Cmd) bool { return true })
}

// settle runs cmd and every command the messages it leads to return, as
// far as run allows, collecting status messages on the way.
func (e *staffEnv) settle(s Screen, cmd tea.Cmd, run func(tea.Cmd) bool) Screen {
	e.t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			e.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil || !run(c) {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case StatusMsg:
			e.statuses = append(e.statuses, msg)
		default:
			var next tea.Cmd
			s, next = s.Update(msg)
			queue = append(queue, next)
		}
	}
	return s
}

// start initialises and sizes a screen.
func (e *staffEnv) start(s Screen, w, h int) Screen {
	s.SetSize(w, h)
	return e.drive(s, s.Init())
}

// press sends keys: names such as "enter", "esc", "tab", or text, which is
// typed as one message.
func (e *staffEnv) press(s Screen, keys ...string) Screen {
	e.t.Helper()
	for _, k := range keys {
		var cmd tea.Cmd
		s, cmd = s.Update(keyMsg(k))
		s = e.drive(s, cmd)
	}
	return s
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "ctrl+s": tea.KeyCtrlS, " ": tea.KeySpace,
		"backspace": tea.KeyBackspace,
	}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (e *staffEnv) lastStatus() StatusMsg {
	if len(e.statuses) == 0 {
		return StatusMsg{}
	}
	return e.statuses[len(e.statuses)-1]
}

var inviteCodeRE = regexp.MustCompile(`[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}`)

// golden compares a view with testdata/name.golden (rewritten with
// -update), after checking it fits the size it was given.
func golden(t *testing.T, name, view string, w, h int) {
	t.Helper()
	if strings.ContainsRune(view, '\x1b') {
		t.Errorf("%s: view holds a raw ESC", name)
	}
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines, more than the height %d", name, len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("%s: line %d is %d wide, more than %d: %q", name, i+1, lipgloss.Width(l), w, l)
		}
	}
	view = inviteCodeRE.ReplaceAllString(view, "XXXXXX-XXXXXX-XXXXXX-XXXXXX")
	path := filepath.Join("testdata", name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(view), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s (run go test ./screens -update to create it)", err)
	}
	if string(want) != view {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, view, want)
	}
}

// sizes are the terminal sizes of the golden tests.
var sizes = [][2]int{{80, 24}, {120, 40}}

func sizeName(name string, sz [2]int) string { return fmt.Sprintf("%s_%dx%d", name, sz[0], sz[1]) }

// staffOrg is a small organisation with fixed activity times.
func staffOrg(t *testing.T) (*staffEnv, map[string]model.Member) {
	e := newStaffEnv(t)
	ms := map[string]model.Member{"owner": e.owner}
	ms["admin"] = e.member("Adam Admin", "adam@acme.test", "Admin")
	ms["ann"] = e.member("Ann Advisor", "ann@acme.test", "Advisor")
	ms["bob"] = e.member("Bob Builder", "bob@acme.test", "Advisor")
	ms["cat"] = e.member("Cat Admin", "cat@acme.test", "Admin")
	e.exec(`INSERT INTO departments (name, created_at) VALUES ('Sales', 0), ('Support', 0)`)
	e.exec(`INSERT INTO staff_departments (staff_id, department_id) SELECT ?, id FROM departments`, ms["ann"].ID)
	e.exec(`UPDATE staff SET last_active = ? WHERE id = ?`, staffNow.Add(-3*time.Hour).Unix(), ms["ann"].ID)
	e.exec(`UPDATE staff SET last_active = ? WHERE id = ?`, staffNow.Add(-10*time.Minute).Unix(), ms["owner"].ID)
	e.exec(`UPDATE staff SET manager_id = ? WHERE id = ?`, ms["admin"].ID, ms["ann"].ID)
	e.exec(`UPDATE staff SET created_at = ?`, staffNow.Add(-40*24*time.Hour).Unix())
	return e, ms
}

func TestStaffListGolden(t *testing.T) {
	e, _ := staffOrg(t)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.press(s, "j")
		golden(t, sizeName("staff_list", sz), s.View(), sz[0], sz[1])
	}
}

// memberByEmail reads a member straight from the model, as the system.
func (e *staffEnv) memberByEmail(email string) (model.Member, error) {
	return e.svc.MemberByEmail(e.ctx, model.System("tester"), email)
}

// selectRow moves the list cursor to the member with email.
func (e *staffEnv) selectRow(s Screen, email string) Screen {
	e.t.Helper()
	s = e.press(s, "g")
	ss := s.(*staffScreen)
	for i := 0; i < 50; i++ {
		if m, ok := ss.selected(); ok && m.Email == email {
			return s
		}
		s = e.press(s, "j")
	}
	e.t.Fatalf("no row for %s", email)
	return s
}

func TestStaffDetailGolden(t *testing.T) {
	e, _ := staffOrg(t)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.selectRow(s, "ann@acme.test")
		s = e.press(s, "enter")
		golden(t, sizeName("staff_detail", sz), s.View(), sz[0], sz[1])
		if !strings.Contains(s.View(), "Manager      Adam Admin") {
			t.Errorf("detail lacks the manager:\n%s", s.View())
		}
	}
	// The Owner's own row offers no deactivation, with the engine's reason.
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "owner@acme.test")
	s = e.press(s, "enter")
	if !strings.Contains(s.View(), "no one may deactivate themselves") {
		t.Errorf("own detail does not say why deactivation is off:\n%s", s.View())
	}
	s = e.press(s, "d")
	if s.(*staffScreen).dialog != nil || !e.lastStatus().Err {
		t.Errorf("d on oneself opened %v, status %+v", s.(*staffScreen).dialog, e.lastStatus())
	}
}

func TestStaffInviteOne(t *testing.T) {
	e, _ := staffOrg(t)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.press(s, "n", "dee@acme.test", "tab", "Dee Doe", "tab", "right", "tab", " ", "tab", "Welcome aboard")
		golden(t, sizeName("staff_invite_form", sz), s.View(), sz[0], sz[1])
	}
	s := e.start(NewStaff(e.session(e.owner)), 80, 24)
	// A bad address is refused in the form, and what was typed stays.
	s = e.press(s, "n", "not-an-email", "enter")
	if v := s.View(); !strings.Contains(v, "is not an email address") || !strings.Contains(v, "not-an-email") {
		t.Fatalf("bad email not reported in the form:\n%s", v)
	}
	s = e.press(s, "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "@acme.test", "tab", "Nora Newman", "enter")
	v := s.View()
	if !strings.Contains(v, "gatehouse join ") {
		t.Fatalf("no redeem command after inviting:\n%s", v)
	}
	// The database is not the default one: the command names it.
	if !strings.Contains(v, " --db ") {
		t.Fatalf("the redeem command leaves out --db:\n%s", v)
	}
	code := inviteCodeRE.FindString(v)
	if code == "" {
		t.Fatalf("no code shown:\n%s", v)
	}
	if _, err := e.svc.AcceptInvitation(e.ctx, code, "a long enough password", "test"); err != nil {
		t.Fatalf("the code shown does not redeem: %v", err)
	}
	m, err := e.memberByEmail("not-an@acme.test")
	if err != nil || m.Name != "Nora Newman" || m.RoleName != "Advisor" {
		t.Fatalf("invited member = %+v, %v", m, err)
	}
	if st := e.lastStatus(); st.Err || !strings.Contains(st.Text, "Invited") {
		t.Errorf("status = %+v", st)
	}
}

func TestStaffInviteRoleAndDepartments(t *testing.T) {
	e, _ := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	// Role: Owner, Admin, Advisor; one step right of Advisor wraps to Owner,
	// which the engine refuses; one more is Admin.
	s = e.press(s, "n", "dee@acme.test", "tab", "Dee", "tab", "right")
	if !strings.Contains(s.View(), "unavailable: there is exactly one Owner") {
		t.Fatalf("Owner role not shown as unavailable:\n%s", s.View())
	}
	s = e.press(s, "right", "tab", "right", " ", "enter")
	invs, err := e.svc.ListInvitations(e.ctx, model.System("t"), "pending")
	if err != nil || len(invs) != 1 {
		t.Fatalf("invitations = %v, %v", invs, err)
	}
	if invs[0].RoleName != "Admin" || len(invs[0].Departments) != 1 {
		t.Errorf("invitation = %+v", invs[0])
	}
}

func TestStaffAdminCannotInviteAdmin(t *testing.T) {
	e, ms := staffOrg(t)
	s := e.start(NewStaff(e.session(ms["admin"])), 120, 40)
	// Owner is refused by the form; Admin too, with the engine's reason.
	s = e.press(s, "n", "eve@acme.test", "tab", "tab", "left", "enter")
	if !strings.Contains(s.View(), "only the Owner makes Admins") {
		t.Fatalf("admin invite not refused with reason:\n%s", s.View())
	}
	if invs, _ := e.svc.ListInvitations(e.ctx, model.System("t"), "pending"); len(invs) != 0 {
		t.Fatalf("invitation made: %+v", invs)
	}
}

func TestStaffBulkInvite(t *testing.T) {
	e, _ := staffOrg(t)
	for _, sz := range sizes {
		e2, _ := staffOrg(t)
		// On the default database the redeem command is the short one,
		// the same at every run.
		t.Setenv("GATEHOUSE_DB", e2.svc.Path())
		s := e2.start(NewStaff(e2.session(e2.owner)), sz[0], sz[1])
		s = e2.press(s, "b", "one@acme.test\nnot an email\nann@acme.test\ntwo@acme.test", "ctrl+s")
		golden(t, sizeName("staff_bulk_result", sz), s.View(), sz[0], sz[1])
	}
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.press(s, "b", "one@acme.test\nnot an email\nann@acme.test\ntwo@acme.test", "ctrl+s")
	v := s.View()
	for _, want := range []string{"✓ line 1  one@acme.test", "✗ line 2", "✗ line 3  ann@acme.test", "already a staff member", "✓ line 4  two@acme.test"} {
		if !strings.Contains(v, want) {
			t.Errorf("bulk result lacks %q:\n%s", want, v)
		}
	}
	if n := len(inviteCodeRE.FindAllString(v, -1)); n != 2 {
		t.Errorf("%d codes shown, want 2", n)
	}
	if e.lastStatus().Text != "Invited 2 of 4" {
		t.Errorf("status = %+v", e.lastStatus())
	}
}

func TestStaffInvitationsResendRevoke(t *testing.T) {
	e, _ := staffOrg(t)
	sys := model.System("tester")
	if _, _, err := e.svc.Invite(e.ctx, sys, model.InviteInput{Email: "pat@acme.test", Name: "Pat Pending"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Invite(e.ctx, sys, model.InviteInput{Email: "rex@acme.test", Name: "Rex Revoked"}); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.press(s, "i")
		golden(t, sizeName("staff_invitations", sz), s.View(), sz[0], sz[1])
	}
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.press(s, "i", "f") // pending only: rex (newest first), pat
	if v := s.View(); !strings.Contains(v, "status: pending") || strings.Contains(v, "ann@acme.test") {
		t.Fatalf("pending filter:\n%s", v)
	}
	s = e.press(s, "X", "y")
	invs, _ := e.svc.ListInvitations(e.ctx, sys, "revoked")
	if len(invs) != 1 || invs[0].Email != "rex@acme.test" {
		t.Fatalf("revoked = %+v", invs)
	}
	if strings.Contains(s.View(), "rex@acme.test") {
		t.Errorf("revoked invitation still listed under pending:\n%s", s.View())
	}
	s = e.press(s, "R", "y")
	code := inviteCodeRE.FindString(s.View())
	if code == "" || !strings.Contains(s.View(), "gatehouse join "+code) {
		t.Fatalf("resend shows no new code:\n%s", s.View())
	}
	if _, err := e.svc.AcceptInvitation(e.ctx, code, "a long enough password", "test"); err != nil {
		t.Fatalf("resent code does not redeem: %v", err)
	}
	s = e.press(s, "esc", "esc")
	if s.(*staffScreen).invites != nil {
		t.Error("esc did not leave the invitations")
	}
}

func TestStaffChangeRole(t *testing.T) {
	e, ms := staffOrg(t)
	// An Admin sees Admin greyed with the engine's reason and cannot pick it.
	s := e.start(NewStaff(e.session(ms["admin"])), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "r")
	if v := s.View(); !strings.Contains(v, "Admin — only the Owner makes or unmakes Admins") {
		t.Fatalf("role picker:\n%s", v)
	}
	s = e.press(s, "Admin", "enter")
	if m, _ := e.memberByEmail("bob@acme.test"); m.RoleName != "Advisor" {
		t.Fatalf("admin made an Admin: %+v", m)
	}
	// The Owner may.
	s = e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "r", "Admin", "enter")
	if m, _ := e.memberByEmail("bob@acme.test"); m.RoleName != "Admin" {
		t.Fatalf("owner could not make an Admin: %+v (%+v)", m, e.lastStatus())
	}
	if !strings.Contains(s.View(), "Bob Builder") || s.(*staffScreen).dialog != nil {
		t.Errorf("not back on the list:\n%s", s.View())
	}
}

func TestStaffDeactivateReactivate(t *testing.T) {
	e, _ := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 80, 24)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "d", "enter") // enter does not confirm a dangerous question
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatalf("enter deactivated: %+v", m)
	}
	s = e.press(s, "y")
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "deactivated" {
		t.Fatalf("status = %s (%+v)", m.Status, e.lastStatus())
	}
	if !strings.Contains(s.View(), "deactivated") {
		t.Errorf("list not refreshed:\n%s", s.View())
	}
	s = e.press(s, "a", "y")
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatalf("status = %s", m.Status)
	}
}

func TestStaffRemoveReassign(t *testing.T) {
	e, ms := staffOrg(t)
	e.exec(`INSERT INTO clients (name, owner_id, created_at) VALUES ('Globex', ?, 0)`, ms["bob"].ID)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.selectRow(s, "bob@acme.test")
		s = e.press(s, "x")
		golden(t, sizeName("staff_remove_choice", sz), s.View(), sz[0], sz[1])
		s = e.press(s, "enter", "cat")
		golden(t, sizeName("staff_remove_pick", sz), s.View(), sz[0], sz[1])
		s = e.press(s, "enter")
		golden(t, sizeName("staff_remove_confirm", sz), s.View(), sz[0], sz[1])
	}
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "x", "enter", "cat")
	if v := s.View(); strings.Contains(v, "Ann Advisor") || !strings.Contains(v, "Cat Admin") {
		t.Fatalf("reassign picker not filtered:\n%s", v)
	}
	s = e.press(s, "enter", "y")
	if _, err := e.memberByEmail("bob@acme.test"); err == nil {
		t.Fatal("bob was not removed")
	}
	var owner int64
	if err := e.svc.DB().SQL().QueryRow(`SELECT owner_id FROM clients WHERE name = 'Globex'`).Scan(&owner); err != nil || owner != ms["cat"].ID {
		t.Fatalf("Globex owner = %d, %v", owner, err)
	}
	if strings.Contains(s.View(), "Bob Builder") {
		t.Errorf("list still shows the removed member:\n%s", s.View())
	}
	// Leaving the clients unowned.
	e.exec(`INSERT INTO clients (name, owner_id, created_at) VALUES ('Initech', ?, 0)`, ms["ann"].ID)
	s = e.selectRow(s, "ann@acme.test")
	s = e.press(s, "x", "down", "enter", "y")
	var n int
	if err := e.svc.DB().SQL().QueryRow(`SELECT count(*) FROM clients WHERE name = 'Initech' AND owner_id IS NULL`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("Initech not unowned: %d, %v", n, err)
	}
}

func TestStaffTransferOwnership(t *testing.T) {
	e, ms := staffOrg(t)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.selectRow(s, "adam@acme.test")
		s = e.press(s, "T")
		golden(t, sizeName("staff_transfer_confirm", sz), s.View(), sz[0], sz[1])
		s = e.press(s, "y", "secret")
		golden(t, sizeName("staff_transfer_password", sz), s.View(), sz[0], sz[1])
		if strings.Contains(s.View(), "secret") {
			t.Fatal("password shown in clear")
		}
	}
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	// Not to an Advisor: the engine's reason, no dialog.
	s = e.selectRow(s, "ann@acme.test")
	s = e.press(s, "T")
	if s.(*staffScreen).dialog != nil || !strings.Contains(e.lastStatus().Text, "ownership goes only to an Admin") {
		t.Fatalf("transfer to an Advisor: %+v", e.lastStatus())
	}
	s = e.selectRow(s, "adam@acme.test")
	s = e.press(s, "T", "y", "wrong password", "enter")
	if v := s.View(); !strings.Contains(v, "the password is not right") {
		t.Fatalf("wrong password not reported in the form:\n%s", v)
	}
	if m, _ := e.memberByEmail("adam@acme.test"); m.RoleName != "Admin" {
		t.Fatal("transferred with a wrong password")
	}
	for range len("wrong password") {
		s = e.press(s, "backspace")
	}
	s = e.press(s, "correct horse battery", "enter")
	if m, _ := e.memberByEmail("adam@acme.test"); m.RoleName != "Owner" {
		t.Fatalf("adam = %+v (%+v)", m, e.lastStatus())
	}
	if m, _ := e.memberByEmail("owner@acme.test"); m.RoleName != "Admin" {
		t.Fatalf("old owner = %+v", m)
	}
	_ = ms
}

func TestStaffAdvisorSeesNoChanges(t *testing.T) {
	e, ms := staffOrg(t)
	s := e.start(NewStaff(e.session(ms["ann"])), 120, 40)
	if v := s.View(); strings.Contains(v, "n invite") || strings.Contains(v, "bulk") {
		t.Errorf("advisor offered invitations:\n%s", v)
	}
	for _, b := range s.FullHelp() {
		for _, k := range b {
			switch k.Help().Desc {
			case "invite", "bulk invite", "deactivate", "remove", "change role", "transfer ownership":
				t.Errorf("advisor's help offers %q", k.Help().Desc)
			}
		}
	}
	s = e.press(s, "n")
	if s.(*staffScreen).dialog != nil {
		t.Fatal("n opened a dialog for an advisor")
	}
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "enter")
	v := s.View()
	if strings.Contains(v, "deactivate") || strings.Contains(v, "remove") || !strings.Contains(v, "changing staff is not part of your role") {
		t.Errorf("advisor detail offers actions:\n%s", v)
	}
	s = e.press(s, "d", "y")
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatal("advisor deactivated bob")
	}
}

func TestStaffHostileNames(t *testing.T) {
	e, _ := staffOrg(t)
	hostile := "Mallory\x1b[2J\x1b]52;c;cm0gLXJmIC8=\x07\u202Egnp.exe"
	e.exec(`INSERT INTO staff (name, email, role_id, status, created_at) VALUES (?, ?, 3, 'active', 0)`, hostile, "mal\x1b[31m@acme.test")
	e.exec(`INSERT INTO departments (name, created_at) VALUES (?, 0)`, "Dept\x1b]0;title\x07")
	e.exec(`INSERT INTO staff_departments SELECT s.id, d.id FROM staff s, departments d WHERE s.name = ? AND d.name LIKE 'Dept%'`, hostile)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		if v := s.View(); strings.ContainsRune(v, '\x1b') || strings.ContainsRune(v, '\u202E') || !strings.Contains(v, "Mallory␛[2J") {
			t.Errorf("list view is unsafe or lost the name:\n%q", v)
		}
		s = e.selectRow(s, "mal\x1b[31m@acme.test")
		s = e.press(s, "enter")
		if v := s.View(); strings.ContainsRune(v, '\x1b') || strings.ContainsRune(v, '\u202E') || strings.ContainsRune(v, '\x07') {
			t.Errorf("detail view is unsafe:\n%q", v)
		}
		s = e.press(s, "x")
		if v := s.View(); strings.ContainsRune(v, '\x1b') {
			t.Errorf("remove dialog is unsafe:\n%q", v)
		}
		s = e.press(s, "esc", "O")
		if v := s.View(); strings.ContainsRune(v, '\x1b') || strings.ContainsRune(v, '\u202E') || !strings.Contains(v, "Offboard Mallory␛[2J") {
			t.Errorf("offboard pop-up is unsafe or lost the name:\n%q", v)
		}
		s = e.press(s, "enter")
		if st := e.lastStatus(); strings.ContainsRune(st.Text, '\x1b') || !strings.HasPrefix(st.Text, "Offboarded mal␛[31m@acme.test") {
			t.Errorf("offboard status is unsafe: %q", st.Text)
		}
		e.exec(`UPDATE staff SET status = 'active' WHERE name = ?`, hostile)
	}
}

// TestStaffTenThousand checks that the list pages and filters in SQL: with
// 10,000 members the screen holds a few pages at most, and a filter typed
// after / narrows the count.
func TestStaffTenThousand(t *testing.T) {
	e := newStaffEnv(t)
	tx, err := e.svc.DB().SQL().Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO staff (name, email, role_id, status, created_at) VALUES (?, ?, 3, 'active', ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 10000; i++ {
		if _, err := st.Exec(fmt.Sprintf("Member %05d", i), fmt.Sprintf("m%05d@bulk.test", i), staffNow.Unix()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s := e.start(NewStaff(e.session(e.owner)), 80, 24)
	ss := s.(*staffScreen)
	page := ss.table.PageSize()
	if !strings.Contains(s.View(), "1 of 10,000") {
		t.Fatalf("count:\n%s", s.View())
	}
	if ss.table.Held() > 3*page || len(ss.rows) > 3*page {
		t.Fatalf("holds %d rows for a page of %d", ss.table.Held(), page)
	}
	s = e.press(s, "G")
	if v := s.View(); !strings.Contains(v, "10,000 of 10,000") || !strings.Contains(v, "Olivia Owner") {
		t.Fatalf("bottom:\n%s", v)
	}
	if ss.table.Held() > 3*page {
		t.Fatalf("holds %d rows at the bottom", ss.table.Held())
	}
	s = e.press(s, "g", "pgdown", "pgdown")
	if v := s.View(); !strings.Contains(v, fmt.Sprintf("› Member %05d", 2*page+1)) || strings.Contains(v, "\n  …") {
		t.Fatalf("after two pages down:\n%s", v)
	}
	s = e.press(s, "/", "Member 0999")
	v := s.View()
	if !strings.Contains(v, "1 of 10") || !strings.Contains(v, "Member 09990") || strings.Contains(v, "Member 00001") {
		t.Fatalf("filtered:\n%s", v)
	}
	if ss.table.Held() != 10 {
		t.Fatalf("holds %d rows after the filter, want 10", ss.table.Held())
	}
	s = e.press(s, "enter", "esc")
	if !strings.Contains(s.View(), "of 10,000") {
		t.Fatalf("filter not cleared:\n%s", s.View())
	}
}

func TestStaffSort(t *testing.T) {
	e, _ := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.press(s, "s", "s") // role
	rows := s.(*staffScreen).rows
	if rows[0].RoleName != "Admin" || rows[len(rows)-1].RoleName != "Owner" {
		t.Fatalf("by role: %v", rows)
	}
	s = e.press(s, "S")
	if r := s.(*staffScreen).rows; r[0].RoleName != "Owner" {
		t.Fatalf("by role, descending: %v", r)
	}
	if !strings.Contains(s.View(), "Role ▼") {
		t.Errorf("sort marker:\n%s", s.View())
	}
}

func TestStaffDepartmentsAndManager(t *testing.T) {
	e, ms := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "enter", "e", "right", " ", "enter")
	m, _ := e.memberByEmail("bob@acme.test")
	if len(m.Departments) != 1 || m.Departments[0].Name != "Support" {
		t.Fatalf("departments = %+v (%+v)", m.Departments, e.lastStatus())
	}
	if !strings.Contains(s.View(), "Departments  Support") {
		t.Errorf("detail not refreshed:\n%s", s.View())
	}
	s = e.press(s, "m", "cat", "enter")
	if m, _ := e.memberByEmail("bob@acme.test"); m.ManagerID != ms["cat"].ID {
		t.Fatalf("manager = %d (%+v)", m.ManagerID, e.lastStatus())
	}
	s = e.press(s, "m", "enter")
	if m, _ := e.memberByEmail("bob@acme.test"); m.ManagerID != 0 {
		t.Fatalf("manager not cleared: %d", m.ManagerID)
	}
	// An Admin edits departments of an Advisor; an Advisor is offered neither.
	s = e.start(NewStaff(e.session(ms["ann"])), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "enter")
	if v := s.View(); strings.Contains(v, "edit departments") || strings.Contains(v, "set manager") {
		t.Errorf("advisor offered edits:\n%s", v)
	}
}

func TestStaffStatusFilter(t *testing.T) {
	e, ms := staffOrg(t)
	if err := e.svc.Deactivate(e.ctx, model.System("t"), ms["bob"].ID); err != nil {
		t.Fatal(err)
	}
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.press(s, "f")
	if v := s.View(); !strings.Contains(v, "f status:active") || strings.Contains(v, "Bob Builder") || !strings.Contains(v, "of 4") {
		t.Fatalf("active only:\n%s", v)
	}
	s = e.press(s, "f")
	if v := s.View(); !strings.Contains(v, "Bob Builder") || !strings.Contains(v, "1 of 1") {
		t.Fatalf("deactivated only:\n%s", v)
	}
}

// offboardOrg gives bob access to two folders, one of which he owns, and
// ann one folder she owns.
func offboardOrg(t *testing.T) (*staffEnv, map[string]model.Member) {
	t.Helper()
	e, ms := staffOrg(t)
	sys := model.System("tester")
	for _, c := range []struct {
		name  string
		owner model.Member
		added []model.Member
	}{
		{"Globex", ms["bob"], []model.Member{ms["bob"]}},
		{"Initech", ms["owner"], []model.Member{ms["bob"], ms["ann"]}},
		{"Umbrella", ms["ann"], nil},
	} {
		cl, err := e.svc.CreateClient(e.ctx, sys, model.ClientInput{Name: c.name, OwnerID: c.owner.ID, Accounts: []string{"Main"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range c.added {
			if err := e.svc.AddToClient(e.ctx, sys, cl.ID, m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e, ms
}

// flatText is a view with its wrapping undone, to find a sentence in it.
func flatText(v string) string { return strings.Join(strings.Fields(v), " ") }

// count runs a counting query.
func (e *staffEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.svc.DB().SQL().QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestStaffOffboardFromTheList(t *testing.T) {
	e, ms := offboardOrg(t)
	for _, sz := range sizes {
		s := e.start(NewStaff(e.session(e.owner)), sz[0], sz[1])
		s = e.selectRow(s, "bob@acme.test")
		s = e.press(s, "O")
		golden(t, sizeName("staff_offboard_confirm", sz), s.View(), sz[0], sz[1])
	}
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	// esc and n leave everything as it was.
	for _, cancel := range []string{"esc", "n"} {
		s = e.press(s, "O", cancel)
		if s.(*staffScreen).dialog != nil {
			t.Fatalf("%s did not close the pop-up", cancel)
		}
	}
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatal("cancelled offboarding deactivated bob")
	}
	s = e.press(s, "O")
	v := flatText(s.View())
	for _, want := range []string{"Offboard Bob Builder <bob@acme.test>?", "Their access to 2 client folders is revoked",
		"they are deactivated", "The 1 client folder they own is left unowned", "y/enter offboard"} {
		if !strings.Contains(v, want) {
			t.Errorf("pop-up lacks %q:\n%s", want, v)
		}
	}
	// Enter confirms the common case: clients left unowned.
	s = e.press(s, "enter")
	if s.(*staffScreen).dialog != nil {
		t.Fatalf("pop-up still open:\n%s", s.View())
	}
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "deactivated" {
		t.Fatalf("bob is %s (%+v)", m.Status, e.lastStatus())
	}
	if n := e.count(`SELECT count(*) FROM client_members WHERE staff_id = ?`, ms["bob"].ID); n != 0 {
		t.Errorf("bob still in %d folders", n)
	}
	if n := e.count(`SELECT count(*) FROM clients WHERE name = 'Globex' AND owner_id IS NULL`); n != 1 {
		t.Error("Globex was not left unowned")
	}
	if n := e.count(`SELECT count(*) FROM client_members WHERE staff_id = ?`, ms["ann"].ID); n != 1 {
		t.Errorf("ann's access changed: %d folders", n)
	}
	want := "Offboarded bob@acme.test: access to 2 client folders revoked, deactivated, 1 client folder left unowned"
	if st := e.lastStatus(); st.Err || st.Text != want {
		t.Errorf("status = %+v, want %q", st, want)
	}
	if !strings.Contains(s.View(), "deactivated") {
		t.Errorf("list not refreshed:\n%s", s.View())
	}
	// L on the list opens the audit log of the member under the cursor,
	// with the offboarding in it.
	s = e.press(s, "L")
	if v := s.View(); !strings.Contains(v, "staff.offboard") {
		t.Errorf("audit log of bob lacks the offboarding:\n%s", v)
	}
	s = e.press(s, "esc")
	if s.(*staffScreen).sub != nil || !strings.Contains(s.View(), "Bob Builder") {
		t.Errorf("esc did not return to the list:\n%s", s.View())
	}
}

func TestStaffOffboardReassignFromTheDetail(t *testing.T) {
	e, ms := offboardOrg(t)
	s := e.start(NewStaff(e.session(ms["admin"])), 120, 40)
	s = e.selectRow(s, "ann@acme.test")
	s = e.press(s, "enter")
	if !strings.Contains(s.View(), "O   offboard: revoke all access and deactivate") {
		t.Fatalf("detail does not offer offboarding:\n%s", s.View())
	}
	s = e.press(s, "O", "r", "cat")
	if v := s.View(); !strings.Contains(v, "Give the clients of Ann Advisor") || !strings.Contains(v, "Cat Admin") || strings.Contains(v, "Bob Builder") {
		t.Fatalf("member picker not filtered:\n%s", v)
	}
	s = e.press(s, "enter")
	if v := flatText(s.View()); !strings.Contains(v, "The 1 client folder they own goes to cat@acme.test") {
		t.Fatalf("pop-up does not name the new owner:\n%s", v)
	}
	s = e.press(s, "y")
	if m, _ := e.memberByEmail("ann@acme.test"); m.Status != "deactivated" {
		t.Fatalf("ann is %s (%+v)", m.Status, e.lastStatus())
	}
	if n := e.count(`SELECT count(*) FROM clients WHERE name = 'Umbrella' AND owner_id = ?`, ms["cat"].ID); n != 1 {
		t.Error("Umbrella did not go to cat")
	}
	want := "Offboarded ann@acme.test: access to 1 client folder revoked, deactivated, 1 client folder given to cat@acme.test"
	if st := e.lastStatus(); st.Text != want {
		t.Errorf("status = %+v, want %q", st, want)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'staff.offboard' AND target_id = ?`, ms["ann"].ID); n != 1 {
		t.Errorf("%d offboard audit entries for ann", n)
	}
	// The detail stays open and shows the new status.
	if v := s.View(); !strings.Contains(v, "Status       deactivated") {
		t.Errorf("detail not refreshed:\n%s", v)
	}
}

func TestStaffOffboardWaitsForTheCounts(t *testing.T) {
	e, _ := offboardOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.selectRow(s, "bob@acme.test")
	// The counting command is not run yet: enter must do nothing, since
	// the pop-up has not said what will happen.
	s, count := s.Update(keyMsg("O"))
	if v := s.View(); !strings.Contains(v, "Counting their access") {
		t.Fatalf("no counting notice:\n%s", v)
	}
	s, cmd := s.Update(keyMsg("enter"))
	s = e.drive(s, cmd)
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatal("enter offboarded before the pop-up said what it would do")
	}
	s = e.drive(s, count)
	s = e.press(s, "enter")
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "deactivated" {
		t.Fatalf("bob is %s", m.Status)
	}
}

func TestStaffOffboardRefused(t *testing.T) {
	e, ms := offboardOrg(t)
	// An Advisor is not offered offboarding, and is told why on O.
	s := e.start(NewStaff(e.session(ms["ann"])), 120, 40)
	for _, b := range s.ShortHelp() {
		if b.Help().Desc == "offboard" {
			t.Error("advisor's help offers offboarding")
		}
	}
	s = e.selectRow(s, "bob@acme.test")
	s = e.press(s, "O", "enter", "y")
	if s.(*staffScreen).dialog != nil {
		t.Fatalf("O opened a dialog for an advisor:\n%s", s.View())
	}
	if st := e.lastStatus(); !st.Err || !strings.Contains(st.Text, "Advisor may not") {
		t.Errorf("advisor's O: status %+v", st)
	}
	s = e.press(s, "enter")
	if strings.Contains(s.View(), "offboard") {
		t.Errorf("advisor's detail offers offboarding:\n%s", s.View())
	}
	if m, _ := e.memberByEmail("bob@acme.test"); m.Status != "active" {
		t.Fatal("advisor offboarded bob")
	}
	if n := e.count(`SELECT count(*) FROM client_members WHERE staff_id = ?`, ms["bob"].ID); n != 2 {
		t.Fatalf("bob's access changed: %d folders", n)
	}
	// An Admin may offboard others, never the Owner: the engine's reason.
	s = e.start(NewStaff(e.session(ms["admin"])), 120, 40)
	s = e.selectRow(s, "owner@acme.test")
	s = e.press(s, "O")
	if s.(*staffScreen).dialog != nil || !strings.Contains(e.lastStatus().Text, "the Owner cannot be deactivated") {
		t.Fatalf("admin's O on the Owner: %+v", e.lastStatus())
	}
	// Nor themselves.
	s = e.selectRow(s, "adam@acme.test")
	s = e.press(s, "O")
	if s.(*staffScreen).dialog != nil || !strings.Contains(e.lastStatus().Text, "no one may deactivate themselves") {
		t.Fatalf("admin's O on themselves: %+v", e.lastStatus())
	}
}

// A second / opens the filter in force selected: typing starts a new
// search ("ann", not "bobann"); ←/→ keep it to edit; backspace clears it.
func TestStaffSecondFilterStartsAfresh(t *testing.T) {
	e, _ := staffOrg(t)
	s := e.start(NewStaff(e.session(e.owner)), 120, 40)
	s = e.press(s, "/", "bob", "enter")
	if v := s.View(); !strings.Contains(v, "filter: bob") || strings.Contains(v, "Ann Advisor") {
		t.Fatalf("first filter:\n%s", v)
	}
	s = e.press(s, "/")
	if v := s.View(); !strings.Contains(v, "/ bob  type to search afresh") {
		t.Fatalf("the filter in force is not shown selected:\n%s", v)
	}
	s = e.press(s, "ann", "enter")
	if v := s.View(); !strings.Contains(v, "filter: ann") || !strings.Contains(v, "Ann Advisor") || strings.Contains(v, "Bob Builder") {
		t.Fatalf("typing over the selected filter:\n%s", v)
	}
	// Edited: → keeps it, then more is typed at its end.
	s = e.press(s, "/", "right", "@", "enter")
	if v := s.View(); !strings.Contains(v, "filter: ann@") {
		t.Fatalf("editing the filter in force:\n%s", v)
	}
	// Cleared with backspace, then a new one typed.
	s = e.press(s, "/", "backspace", "cat", "enter")
	if v := s.View(); !strings.Contains(v, "filter: cat") || !strings.Contains(v, "Cat Admin") {
		t.Fatalf("backspace on the selected filter:\n%s", v)
	}
}
