package bench

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/screens"
	"gatehouse/theme"
)

// Terminal size of every screen benchmark.
const termW, termH = 120, 40

// screenCase is a screen under benchmark. Adding a screen is one line.
type screenCase struct {
	name string
	open func(*screens.Session) screens.Screen
	// filterChar is typed into the screen's filter (after "/" opens it).
	filterChar rune
	// applyFilter says how typing becomes a new list: "enter" (the Staff
	// and Clients screens query after a pause in typing, or at once when
	// enter ends the filter), "typing" (a screen that queries on every
	// key), or "" (the Audit screen's filter is a form; its applied filter
	// is measured as a pre-filtered screen).
	applyFilter string
	// filtered opens the screen with a filter already applied, for screens
	// whose filter is a form.
	filtered func(*screens.Session) screens.Screen
}

var screenCases = []screenCase{
	{name: "staff", open: screens.NewStaff, filterChar: 'a', applyFilter: "enter"},
	{name: "clients", open: screens.NewClients, filterChar: 'a', applyFilter: "enter"},
	{name: "audit", open: screens.NewAudit, filterChar: 'a', filtered: func(s *screens.Session) screens.Screen {
		return screens.NewAuditFor(s, model.AuditQuery{Action: "client.rename"})
	}},
}

// Keys as the terminal sends them.
var (
	keyDown  = tea.KeyMsg{Type: tea.KeyDown}
	keyUp    = tea.KeyMsg{Type: tea.KeyUp}
	keyEnter = tea.KeyMsg{Type: tea.KeyEnter}
	keyBack  = tea.KeyMsg{Type: tea.KeyBackspace}
	keySlash = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'/'}}
)

func runeKey(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }

// session is the Owner's session, as the shell builds it after sign-in.
func session(ctx context.Context, svc *model.Service, p model.Principal) (*screens.Session, error) {
	a, err := svc.Actor(ctx, p)
	if err != nil {
		return nil, err
	}
	org, err := svc.Org(ctx)
	if err != nil {
		return nil, err
	}
	return &screens.Session{Svc: svc, Principal: p, Actor: a, Org: org, Theme: theme.Default(), Keys: keymap.Default()}, nil
}

// isTimer tells commands that only wait (debounce ticks, cursor blinks)
// from those that do work: Bubble Tea would run the former later, a
// benchmark drops them.
func isTimer(cmd tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	return strings.Contains(name, "bubbletea.Tick") || strings.Contains(name, "bubbletea.Every") ||
		strings.Contains(name, "Blink") || strings.Contains(name, "blink")
}

// drive runs cmd the way Bubble Tea would, synchronously: every command
// that does work runs and its message goes back into the screen, until
// nothing is left. Timers are dropped.
func drive(s screens.Screen, cmd tea.Cmd) screens.Screen {
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0 && n < 1000; n++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil || isTimer(c) {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case screens.StatusMsg:
		default:
			var next tea.Cmd
			s, next = s.Update(msg)
			queue = append(queue, next)
		}
	}
	return s
}

// press sends one key and runs what it leads to.
func press(s screens.Screen, k tea.KeyMsg) screens.Screen {
	s, cmd := s.Update(k)
	return drive(s, cmd)
}

// openScreen builds a screen at the benchmark size and loads its first
// page, as the shell does.
func openScreen(sess *screens.Session, sc screenCase) screens.Screen {
	s := sc.open(sess)
	s.SetSize(termW, termH)
	s = drive(s, s.Init())
	return s
}

// scrollSpan is how far the scroll benchmark moves before turning back:
// several pages, so held windows are left and fetched again.
const scrollSpan = 200

// BenchmarkScreen measures one keystroke (Update + View) on each screen,
// per size:
//   - scroll: ↓ (or ↑ on the way back) with any page fetch it starts run
//     to completion, so the cost of leaving the held window is included;
//   - type: one character typed into the open filter, Update + View only
//     (the query it leads to is measured by filter);
//   - filter: a filter change applied: its query and the re-rendered list.
func BenchmarkScreen(b *testing.B) {
	ctx := context.Background()
	for _, sc := range screenCases {
		b.Run(sc.name, func(b *testing.B) {
			perSize(b, func(b *testing.B, e *env) {
				sess, err := session(ctx, e.svc, e.owner)
				if err != nil {
					b.Fatal(err)
				}
				b.Run("scroll", func(b *testing.B) {
					s := openScreen(sess, sc)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						k := keyDown
						if (i/scrollSpan)%2 == 1 {
							k = keyUp
						}
						s = press(s, k)
						sinkView = s.View()
					}
				})
				b.Run("type", func(b *testing.B) {
					s := press(openScreen(sess, sc), keySlash)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						k := runeKey(sc.filterChar)
						if i%2 == 1 {
							k = keyBack
						}
						s, _ = s.Update(k)
						sinkView = s.View()
					}
				})
				if sc.filtered != nil {
					b.Run("filter", func(b *testing.B) {
						for i := 0; i < b.N; i++ {
							s := openScreen(sess, screenCase{open: sc.filtered})
							sinkView = s.View()
						}
					})
					return
				}
				b.Run("filter", func(b *testing.B) {
					s := press(openScreen(sess, sc), keySlash)
					s = press(s, runeKey(sc.filterChar))
					s = press(s, keyEnter)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						s = filterStep(s, sc, i)
						sinkView = s.View()
					}
				})
			})
		})
	}
}

// filterStep changes the applied filter once: odd steps add a character,
// even steps take it away, each ending with the filter applied.
func filterStep(s screens.Screen, sc screenCase, i int) screens.Screen {
	s, _ = s.Update(keySlash) // focus the filter; the cursor's blink is a timer
	k := runeKey('n')
	if i%2 == 1 {
		k = keyBack
	}
	if sc.applyFilter == "typing" {
		s = press(s, k)
		s, _ = s.Update(keyEnter)
		return s
	}
	s, _ = s.Update(k) // the debounce tick is dropped; enter applies at once
	return press(s, keyEnter)
}

var sinkView string
