package screens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"gatehouse/keymap"
	"gatehouse/model"
)

// auditDetail shows one audit entry: who, from where, what, and the
// record before → after as a field-by-field diff.
type auditDetail struct {
	sess   *Session
	e      model.AuditEntry
	scroll int
}

func newAuditDetail(sess *Session, e model.AuditEntry) *auditDetail {
	return &auditDetail{sess: sess, e: e}
}

// key scrolls, and reports true when the detail should close.
func (d *auditDetail) key(km tea.KeyMsg, lk keymap.List) bool {
	switch {
	case key.Matches(km, keymap.Dismiss):
		return true
	case key.Matches(km, lk.Up):
		d.scroll = max(d.scroll-1, 0)
	case key.Matches(km, lk.Down):
		d.scroll++
	case key.Matches(km, lk.PageUp):
		d.scroll = max(d.scroll-10, 0)
	case key.Matches(km, lk.PageDown):
		d.scroll += 10
	}
	return false
}

// jsonDiffLine is one field of a before → after diff.
type jsonDiffLine struct {
	Key    string
	Op     byte // '+' added, '-' removed, '~' changed, ' ' unchanged
	Before string
	After  string
}

// decodeObject reads an audit before/after text: a JSON object becomes its
// fields; anything else one field named "value".
func decodeObject(s string) map[string]json.RawMessage {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err == nil {
		return m
	}
	raw, _ := json.Marshal(s)
	return map[string]json.RawMessage{"value": raw}
}

// compactJSON prints a JSON value on one line.
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// jsonDiff compares two objects field by field, in key order.
func jsonDiff(before, after string) []jsonDiffLine {
	b, a := decodeObject(before), decodeObject(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []jsonDiffLine
	for _, k := range sorted {
		bv, inB := b[k]
		av, inA := a[k]
		l := jsonDiffLine{Key: k}
		switch {
		case inB && !inA:
			l.Op, l.Before = '-', compactJSON(bv)
		case !inB && inA:
			l.Op, l.After = '+', compactJSON(av)
		default:
			l.Before, l.After = compactJSON(bv), compactJSON(av)
			l.Op = '~'
			if l.Before == l.After {
				l.Op = ' '
			}
		}
		out = append(out, l)
	}
	return out
}

func (d *auditDetail) lines(width int) []string {
	th := d.sess.Theme
	e := d.e
	field := func(label, v string) string {
		return th.Label.Render(fmt.Sprintf("%-10s", label)) + " " + model.Sanitize(v)
	}
	actor := e.ActorKind + " " + e.Actor
	if e.ActorID != 0 {
		actor += fmt.Sprintf(" (#%d)", e.ActorID)
	}
	target := e.Target
	if e.TargetKind != "" {
		target = e.TargetKind + " " + e.Target
	}
	if e.TargetID != 0 {
		target += fmt.Sprintf(" (#%d)", e.TargetID)
	}
	out := []string{
		field("When", e.At.Format("2006-01-02 15:04:05 MST")),
		field("Actor", actor),
		field("Origin", e.Origin),
		field("Action", e.Action),
		field("Target", target),
	}
	if e.StaffID != 0 {
		out = append(out, field("Member", fmt.Sprintf("#%d", e.StaffID)))
	}
	if e.ClientID != 0 {
		out = append(out, field("Client", fmt.Sprintf("#%d", e.ClientID)))
	}
	out = append(out, field("Hash", e.Hash), field("Previous", e.PrevHash), "", th.Header.Render("Before → after"))
	diff := jsonDiff(e.Before, e.After)
	if len(diff) == 0 {
		out = append(out, th.Muted.Render("  (no record data)"))
	}
	wrap := lipgloss.NewStyle().Width(max(width-4, 20))
	for _, l := range diff {
		var text string
		switch l.Op {
		case '+':
			text = fmt.Sprintf("+ %s: %s", l.Key, l.After)
		case '-':
			text = fmt.Sprintf("- %s: %s", l.Key, l.Before)
		case '~':
			text = fmt.Sprintf("~ %s: %s → %s", l.Key, l.Before, l.After)
		default:
			text = fmt.Sprintf("  %s: %s", l.Key, l.After)
		}
		for _, w := range strings.Split(wrap.Render(model.Sanitize(text)), "\n") {
			switch l.Op {
			case '+':
				w = th.Success.Render(w)
			case '-':
				w = th.Error.Render(w)
			case '~':
				w = th.Warning.Render(w)
			}
			out = append(out, "  "+w)
		}
	}
	return out
}

func (d *auditDetail) view(width, height int) string {
	th := d.sess.Theme
	lines := d.lines(width)
	room := max(height-3, 1)
	d.scroll = min(d.scroll, max(len(lines)-room, 0))
	end := min(d.scroll+room, len(lines))
	head := th.Title.Render(fmt.Sprintf("Audit entry #%d", d.e.ID))
	back := d.sess.Keys.List.Back
	foot := hintLine(back)
	if len(lines) > room {
		foot = fmt.Sprintf("lines %d–%d of %d · ", d.scroll+1, end, len(lines)) + hintLine(keymap.Scroll, back)
	}
	body := lines[d.scroll:end]
	for i, l := range body {
		body[i] = cutANSI(l, width)
	}
	return head + "\n" + strings.Join(body, "\n") + "\n\n" + th.Muted.Render(cell(foot, width))
}

// cutANSI cuts a styled line to w cells.
func cutANSI(s string, w int) string { return ansi.Truncate(s, w, "…") }
