package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gatehouse/model"
)

//go:generate env GATEHOUSE_UPDATE_README=1 go test -run TestREADMECommandTableIsTheTree .

// The README's command table is made from the commands themselves, so that
// it cannot drift from them: TestREADMECommandTableIsTheTree fails when it
// does, and `go generate ./cli` writes it again.

const (
	readmeTableStart  = "<!-- The command table is generated from the command tree: go generate ./cli -->"
	readmeTableEnd    = "<!-- end of the generated command table -->"
	readmeLimitsStart = "<!-- The limits table is generated from cli/limits.go: go generate ./cli -->"
	readmeLimitsEnd   = "<!-- end of the generated limits table -->"
)

// limitLabels say what the arguments at a shared limit are.
var limitLabels = map[int]string{
	model.MaxEmailLen: "an email", model.MaxNameLen: "a name", accountPathLen: "a client folder and its account (`CLIENT/ACCOUNT`)",
	model.MaxMessageLen: "free text: a personal message, a description; cells of a grid", model.MaxFilterLen: "a list's filter",
	model.MaxReasonLen: "a lock's reason, or why a session was ended", maxPathLen: "a file or address",
	defaultArgLimit: "anything else",
}

// limitsTable is the README's table of limits: every flag and positional
// argument with a limit of its own, by limit, longest first.
func limitsTable() string {
	byLimit := map[int][]string{}
	for name, n := range flagLimits {
		byLimit[n] = append(byLimit[n], "`--"+name+"`")
	}
	for name, n := range positionalLimits {
		byLimit[n] = append(byLimit[n], "`"+name+"`")
	}
	byLimit[defaultArgLimit] = append(byLimit[defaultArgLimit], "")
	limits := slices.Sorted(maps.Keys(byLimit))
	slices.Reverse(limits)
	var b strings.Builder
	b.WriteString("| argument | at most |\n|---|---|\n")
	for _, n := range limits {
		names := slices.DeleteFunc(slices.Sorted(slices.Values(byLimit[n])), func(s string) bool { return s == "" })
		cell := strings.Join(names, ", ")
		if label := limitLabels[n]; label != "" && cell != "" {
			cell = label + " (" + cell + ")"
		} else if label != "" {
			cell = label
		}
		fmt.Fprintf(&b, "| %s | %s |\n", cell, thousands(n))
	}
	return b.String()
}

// thousands writes n with a comma between thousands: 2,000.
func thousands(n int) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d,%03d", n/1000, n%1000)
}

// commandTable is the README's command table: every command in help's
// order, its usage, what it does and its example.
func commandTable() string {
	var b strings.Builder
	b.WriteString("| command | what it does | example |\n|---|---|---|\n")
	for _, c := range append([]*command{tuiCommand}, orderedCommands(commands)...) {
		usage := strings.Join(strings.Fields("gatehouse "+c.name+" "+c.args), " ")
		summary := strings.Join(strings.Fields(c.summary), " ")
		var examples []string
		for _, line := range strings.Split(c.example, "\n") {
			examples = append(examples, "`"+mdCell(line)+"`")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", mdCell(usage), mdCell(summary), strings.Join(examples, "<br>"))
	}
	return b.String()
}

// mdCell escapes what would end a Markdown table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// withCommandTable is readme with the text between the table's markers
// replaced by table; it says false when the markers are missing.
func withCommandTable(readme, table string) (string, bool) {
	return withTable(readme, readmeTableStart, readmeTableEnd, table)
}

// withTable is readme with the text between the markers startMark and
// endMark replaced by table; it says false when they are missing.
func withTable(readme, startMark, endMark, table string) (string, bool) {
	start := strings.Index(readme, startMark)
	end := strings.Index(readme, endMark)
	if start < 0 || end < start {
		return readme, false
	}
	head := readme[:start+len(startMark)]
	return head + "\n" + table + readme[end:], true
}
