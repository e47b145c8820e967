package screens

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func init() { clientsFilterDelay = 5 * time.Millisecond }

// messages runs a command and the batches it returns, one level of work
// deep, and collects the messages (the bubbles' blink timers are skipped).
func messages(cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil || !runnable(c) {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case nil:
		default:
			out = append(out, msg)
		}
	}
	return out
}

// Typing into the Clients filter queries once per pause, not once per key:
// a key leads only to a tick, the list changes when the newest tick
// arrives, and a tick overtaken by a later key is dropped.
func TestClientsFilterWaitsForAPause(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 100, 30)
	cs := s.(*clientsScreen)
	all := cs.table.Total()
	s, _ = s.Update(keyMsg("/"))
	s, _ = s.Update(keyMsg("j"))
	s, cmd := s.Update(keyMsg("u"))
	var ticks int
	for _, msg := range messages(cmd) {
		switch msg.(type) {
		case clientsPageMsg:
			t.Fatal("a key queried the list before a pause in typing")
		case clientsFilterMsg:
			ticks++
		}
	}
	if ticks != 1 {
		t.Fatalf("a key should lead to one pause tick, got %d", ticks)
	}
	s = e.run(s, func() tea.Msg { return clientsFilterMsg{seq: cs.filterSeq - 1} })
	if cs.text != "" || cs.table.Total() != all {
		t.Fatalf("an overtaken pause queried %q: %d rows", cs.text, cs.table.Total())
	}
	s = e.run(s, func() tea.Msg { return clientsFilterMsg{seq: cs.filterSeq} })
	if cs.text != "ju" || cs.table.Total() != 1 || cs.held[0].Name != "Juniper Dental" {
		t.Fatalf("the pause should query %q: %d rows %+v", cs.text, cs.table.Total(), cs.held)
	}
	s, cmd = s.Update(keyMsg("n"))
	s, cmd2 := s.Update(keyMsg("enter"))
	if cs.text != "jun" || cmd2 == nil {
		t.Fatalf("enter should apply the filter at once: %q", cs.text)
	}
	e.run(s, tea.Batch(cmd, cmd2))
	if cs.table.Total() != 1 {
		t.Fatalf("after enter: %d rows", cs.table.Total())
	}
}

// A second / on Clients opens the filter in force selected: what is typed
// replaces it.
func TestClientsSecondFilterStartsAfresh(t *testing.T) {
	e := clientsOrg(t)
	s := e.open(NewClients(e.session(e.owner)), 120, 30)
	cs := s.(*clientsScreen)
	s = e.keys(s, "/", "ju", "enter")
	if cs.text != "ju" {
		t.Fatalf("first filter: %q", cs.text)
	}
	s = e.keys(s, "/")
	if v := s.View(); !strings.Contains(v, "/ ju  type to search afresh") {
		t.Fatalf("the filter in force is not shown selected:\n%s", v)
	}
	s = e.keys(s, "harb", "enter")
	if cs.text != "harb" {
		t.Fatalf("typing over the selected filter gave %q", cs.text)
	}
	_ = s
}
