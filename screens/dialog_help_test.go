package screens

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"gatehouse/model"
)

func helpText(groups ...[]key.Binding) string {
	var parts []string
	for _, g := range groups {
		for _, b := range g {
			parts = append(parts, b.Help().Key+" "+b.Help().Desc)
		}
	}
	return strings.Join(parts, " · ")
}

// While a form or question is open, the key help lists its keys, not the
// keys of the screen behind it (which do nothing until it closes).
func TestKeyHelpFollowsTheOpenDialog(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewProfile(e.session(e.owner)), 100, 30)
	if h := helpText(s.ShortHelp()); !strings.Contains(h, "change password") {
		t.Fatalf("profile help without a dialog: %s", h)
	}
	s = e.press(s, "a")
	if !s.Capturing() {
		t.Fatalf("a did not open the SSH key form:\n%s", s.View())
	}
	for name, h := range map[string]string{"short": helpText(s.ShortHelp()), "full": helpText(s.FullHelp()...)} {
		if strings.Contains(h, "change password") || !strings.Contains(h, "enter submit") || !strings.Contains(h, "esc cancel") {
			t.Fatalf("%s help under the SSH key form: %s", name, h)
		}
	}

	// A question names its answer.
	if _, err := e.svc.CreateDepartment(e.ctx, model.System("tester"), "Tax", "", 0); err != nil {
		t.Fatal(err)
	}
	st := e.start(NewSettings(e.session(e.owner)), 100, 30)
	st = e.press(st, "2", "x")
	if h := helpText(st.ShortHelp()); !strings.Contains(h, "y delete") || !strings.Contains(h, "n cancel") || strings.Contains(h, "new") {
		t.Fatalf("help under the delete question: %s\n%s", h, st.View())
	}
	st = e.press(st, "n", "enter", "a")
	if h := helpText(st.ShortHelp()); !strings.Contains(h, "enter choose") || strings.Contains(h, "take out") {
		t.Fatalf("help under the member picker: %s\n%s", h, st.View())
	}
}

// The role editor is a dialog of its own: its keys, not the role list's.
func TestKeyHelpInTheRoleEditor(t *testing.T) {
	e := newStaffEnv(t)
	perms := []model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}
	if _, err := e.svc.CreateRole(e.ctx, model.System("tester"), "Manager", "", perms); err != nil {
		t.Fatal(err)
	}
	s := e.start(NewRoles(e.session(e.owner)), 120, 40)
	s = cursorTo(t, e, s, "Manager")
	if h := helpText(s.FullHelp()...); strings.Contains(h, "cycle scope") {
		t.Fatalf("the role list's help offers the editor's keys: %s", h)
	}
	s = e.press(s, "e")
	h := helpText(s.ShortHelp())
	if strings.Contains(h, "members") || !strings.Contains(h, "cycle scope") || !strings.Contains(h, "s save") {
		t.Fatalf("help in the role editor: %s\n%s", h, s.View())
	}
	s = e.press(s, "down", "a", "s")
	if h := helpText(s.ShortHelp()); !strings.Contains(h, "y save") || strings.Contains(h, "cycle scope") {
		t.Fatalf("help while the editor asks to save: %s\n%s", h, s.View())
	}
}

// A reason chain open over a screen closes with enter or esc, and the
// help says only that.
func TestKeyHelpUnderAReasonChain(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewRoles(e.session(e.owner)), 120, 40)
	s = e.press(s, "w")
	if !s.Capturing() {
		t.Fatalf("w opened no reason chain:\n%s", s.View())
	}
	if h := helpText(s.ShortHelp()); h != "enter/esc close" {
		t.Fatalf("help under the reason chain: %s\n%s", h, s.View())
	}
}

// A client's detail is open over the list: the expanded help keeps to
// its keys and leaves out the list's sorting and paging.
func TestClientDetailFullHelpLeavesOutTheList(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewClients(e.session(e.owner)), 120, 40)
	s = e.press(s, "enter")
	if !strings.Contains(s.View(), "Accounts (") {
		t.Fatalf("enter opened no detail:\n%s", s.View())
	}
	h := helpText(s.FullHelp()...)
	if strings.Contains(h, "reverse sort") || strings.Contains(h, "page up") || !strings.Contains(h, "manage access") {
		t.Fatalf("expanded help over a client's detail: %s", h)
	}
}

// The new connection's scope grid is a dialog of the Settings screen: its
// keys, not the connection list's.
func TestKeyHelpInTheConnectionScope(t *testing.T) {
	e := newStaffEnv(t)
	s := e.start(NewSettings(e.session(e.owner)), 120, 40)
	s = e.press(s, "3", "n", "ci-bot", "enter")
	if !strings.Contains(s.View(), "What may ci-bot (api) do?") {
		t.Fatalf("no scope grid:\n%s", s.View())
	}
	h := helpText(s.ShortHelp())
	if strings.Contains(h, "switch on/off") || !strings.Contains(h, "s create") || !strings.Contains(h, "cycle scope") {
		t.Fatalf("help in the connection scope grid: %s", h)
	}
	if !strings.Contains(s.View(), "so neither may the connection") {
		t.Fatalf("the × legend is cut short:\n%s", s.View())
	}
}

// The simulator's what-if preview answers with y (give the role) or esc.
func TestKeyHelpInTheWhatIfPreview(t *testing.T) {
	e := newStaffEnv(t)
	e.member("Sam Support", "sam@acme.test", "Advisor")
	s := e.start(NewExplain(e.session(e.owner)), 120, 40)
	s = e.press(s, "m", "sam", "enter", "R", "Admin", "enter")
	if !strings.Contains(s.View(), "What if Sam Support were Admin?") {
		t.Fatalf("no what-if preview:\n%s", s.View())
	}
	if h := helpText(s.ShortHelp()); h != "y give Admin · esc cancel" {
		t.Fatalf("help under the what-if preview: %s", h)
	}
}

// An audit entry's detail scrolls but has no top to jump to.
func TestAuditDetailFullHelpHasOnlyItsKeys(t *testing.T) {
	e, _ := auditFixture(t)
	s := e.start(NewAudit(e.session(e.owner)), 120, 40)
	s = e.press(s, "enter")
	if !strings.Contains(s.View(), "Before → after") {
		t.Fatalf("enter opened no entry:\n%s", s.View())
	}
	if h := helpText(s.FullHelp()...); strings.Contains(h, "top") || !strings.Contains(h, "page down") {
		t.Fatalf("expanded help over an audit entry: %s", h)
	}
}

// A question whose answer is yes by default says enter answers it too,
// in the help as in the dialog.
func TestKeyHelpOfAQuestionAnsweredByEnter(t *testing.T) {
	d := &ConfirmDialog{Confirm: Confirm{Title: "Make new recovery codes?", Yes: "Make new codes", Default: true}}
	if h := helpText(d.help()); h != "y/enter make new codes · n cancel" {
		t.Fatalf("help of a default-yes question: %s", h)
	}
	d.Confirm.Default = false
	if h := helpText(d.help()); h != "y make new codes · n cancel" {
		t.Fatalf("help of a question: %s", h)
	}
}

// Bulk reassign asks for the new owner in a picker over its list: the help
// is the picker's then, and the list's once it closes.
func TestKeyHelpInBulkReassignFollowsItsPicker(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	s = e.keys(s, "B", "Adam", "enter", "A")
	if h := helpText(s.ShortHelp()); !strings.Contains(h, "mark all") {
		t.Fatalf("help over the folders to move: %s\n%s", h, s.View())
	}
	s = e.keys(s, "enter")
	if !strings.Contains(s.View(), "New owner") {
		t.Fatalf("no new-owner picker:\n%s", s.View())
	}
	if h := helpText(s.ShortHelp()); strings.Contains(h, "mark all") || !strings.Contains(h, "enter choose") {
		t.Fatalf("help over the new-owner picker: %s", h)
	}
}
