package tui

import (
	"context"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/db"
	"gatehouse/keymap"
	"gatehouse/model"
)

// lensView is a view of the app, reached from its tab's first view.
type lensView struct {
	tab  string
	name string
	path []string
}

// lensViews are the views walked under "view as": every tab, and the
// sub-views whose keys act on a record. (The live sessions view refreshes
// itself on a timer the harness would run for ever; the walk over SSH
// covers it.)
var lensViews = []lensView{
	{"Staff", "staff list", []string{"j"}},
	{"Staff", "member detail", []string{"j", "enter"}},
	{"Staff", "member's clients", []string{"j", "enter", "c"}},
	{"Staff", "invitations", []string{"i"}},
	{"Staff", "locks", []string{"u"}},
	{"Clients", "clients list", nil},
	{"Clients", "client detail", []string{"enter"}},
	{"Clients", "manage access", []string{"m"}},
	{"Clients", "access grid", []string{"m", "enter"}},
	{"Roles", "roles", nil},
	{"Roles", "role members", []string{"m"}},
	{"Audit", "audit log", nil},
	{"Settings", "general", nil},
	{"Settings", "departments", []string{"]"}},
	{"Settings", "connections", []string{"]", "]"}},
	{"Settings", "billing", []string{"]", "]", "]"}},
	{"Simulator", "simulator", nil},
	{"Profile", "profile", nil},
}

// writeKeys are the keys of every binding declared a write, each once.
func writeKeys() []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range keymap.All().Bindings() {
		if !keymap.Writes(b) {
			continue
		}
		for _, k := range b.Keys() {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// everyKey is the keys of every binding, each once, but those that quit,
// leave view as, or start what runs on a real timer.
func everyKey() []string {
	skip := map[string]bool{"q": true, "ctrl+c": true, "V": true, "l": true, "/": true}
	seen := map[string]bool{}
	var out []string
	for _, b := range keymap.All().Bindings() {
		for _, k := range b.Keys() {
			if !skip[k] && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// keyMsg is the key k as the terminal sends it.
func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{"enter": tea.KeyEnter, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"esc": tea.KeyEsc, "up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"ctrl+s": tea.KeyCtrlS, " ": tea.KeySpace, "backspace": tea.KeyBackspace, "home": tea.KeyHome, "end": tea.KeyEnd,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "ctrl+u": tea.KeyCtrlU, "ctrl+d": tea.KeyCtrlD, "ctrl+r": tea.KeyCtrlR}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// offers says whether the active view offers k as a write, and as a key
// that only reads.
func offers(s *shell, k tea.KeyMsg) (write, read bool) {
	offered := s.current().ShortHelp()
	for _, group := range s.current().FullHelp() {
		offered = append(offered, group...)
	}
	for _, b := range offered {
		if key.Matches(k, b) {
			w := keymap.Writes(b)
			write, read = write || w, read || !w
		}
	}
	return write, read
}

func fingerprint(t *testing.T, svc *model.Service) string {
	t.Helper()
	fp, err := db.Fingerprint(context.Background(), svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func auditLength(t *testing.T, svc *model.Service) int {
	t.Helper()
	var n int
	if err := svc.DB().Read().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// demoMember is the demo's member with email's first part.
func demoMember(t *testing.T, svc *model.Service, name string) model.Member {
	t.Helper()
	ms, _, err := svc.ListStaff(context.Background(), model.System("tester"), model.MemberQuery{Text: name, Limit: 2})
	if err != nil || len(ms) != 1 {
		t.Fatalf("demo member %q: %v %v", name, ms, err)
	}
	return ms[0]
}

// In the demo an Advisor views the organisation as the Owner, and tries
// every write key of every screen, then y and enter in case a question
// opened: each is refused before any dialog opens, with a message that
// says view as only shows and how to return, and neither the database nor
// the audit log changes. The signed-in member stays who they are.
func TestViewAsIsALens(t *testing.T) {
	svc, clock := newService(t)
	if _, err := svc.PopulateDemo(t.Context(), model.System("tester")); err != nil {
		t.Fatal(err)
	}
	sara, olivia := demoMember(t, svc, "Sara Lindqvist"), demoMember(t, svc, "Olivia Hart")
	h := newScreensHarness(t, svc, clock, sara, true, DefaultTabs...)
	h.press("V")
	h.typ(olivia.Email)
	h.press("enter")
	h.see("viewing as Olivia Hart (Owner)")
	sh := h.app.shell
	if sh.sess.Principal.ViewedBy != sara.ID || sh.self.StaffID != sara.ID || sh.selfActor.StaffID != sara.ID {
		t.Fatalf("view as changed who is signed in: principal %+v, self %+v", sh.sess.Principal, sh.self)
	}

	before, length := fingerprint(t, svc), auditLength(t, svc)
	reach := func(v lensView) {
		t.Helper()
		for range 4 {
			h.press("esc")
		}
		for sh.current().Title() != v.tab {
			h.press("tab")
		}
		for _, k := range v.path {
			h.send(keyMsg(k))
		}
	}
	refused := map[string]int{}
	for _, v := range lensViews {
		for _, k := range writeKeys() {
			reach(v)
			offered, reads := offers(sh, keyMsg(k))
			body := sh.current().View()
			h.send(keyMsg(k))
			switch {
			case offered:
				refused[v.name]++
				h.see("View as only shows what Olivia Hart sees and may do; nothing changes. V returns to yourself.")
				fallthrough
			case !reads:
				// A write key refused, or one the view does not offer:
				// nothing opens.
				if after := sh.current().View(); after != body {
					t.Errorf("%s, %q under view as opened:\n%s", v.name, k, after)
				}
			}
			h.send(keyMsg("y"))
			h.send(keyMsg("enter"))
			if fp := fingerprint(t, svc); fp != before {
				t.Fatalf("%s, %q then y, enter under view as changed the database", v.name, k)
			}
		}
	}
	// Then every key, from each view on, y and enter after each: whatever
	// it opens, nothing is written. (q quits, V returns to yourself, l opens
	// the live sessions and / a filter that runs on a timer, which the
	// harness cannot run.)
	for _, v := range lensViews {
		reach(v)
		for _, k := range everyKey() {
			h.send(keyMsg(k))
			h.send(keyMsg("y"))
			h.send(keyMsg("enter"))
		}
		if fp := fingerprint(t, svc); fp != before {
			t.Fatalf("a key of %s, then y and enter, under view as changed the database", v.name)
		}
	}
	if n := auditLength(t, svc); n != length {
		t.Errorf("the audit log grew from %d to %d entries", length, n)
	}
	for _, v := range lensViews {
		if refused[v.name] == 0 && v.name != "simulator" && v.name != "role members" && v.name != "audit log" {
			t.Errorf("%s offered no write key to refuse: the walk did not reach it", v.name)
		}
	}
	t.Logf("write keys refused per view: %v", refused)
	if sh.self.StaffID != sara.ID || sh.sess.Principal.ViewedBy != sara.ID {
		t.Fatalf("after the walk: self %+v, principal %+v", sh.self, sh.sess.Principal)
	}
	// V returns: the same key now writes as Sara, within her rights.
	h.press("esc", "esc", "esc", "esc", "V")
	h.notSee("viewing as")
	if sh.sess.Principal.IsLens() || sh.sess.Principal.StaffID != sara.ID {
		t.Fatalf("V did not return to yourself: %+v", sh.sess.Principal)
	}
}

// While the Staff filter is typed into under view as, the letters of write
// keys are letters of the filter.
func TestViewAsFiltersTakeEveryLetter(t *testing.T) {
	svc, clock := newService(t)
	if _, err := svc.PopulateDemo(t.Context(), model.System("tester")); err != nil {
		t.Fatal(err)
	}
	sara, olivia := demoMember(t, svc, "Sara Lindqvist"), demoMember(t, svc, "Olivia Hart")
	h := newScreensHarness(t, svc, clock, sara, true, DefaultTabs...)
	h.press("V")
	h.typ(olivia.Email)
	h.press("enter")
	h.press("/")
	h.typ("n")
	h.typ("x")
	h.notSee("View as only shows")
	h.see("/ nx")
}
