package cli

import (
	"fmt"
	"strings"
)

//go:generate env GATEHOUSE_UPDATE_README=1 go test -run TestREADMECommandTableIsTheTree .

// The README's command table is made from the commands themselves, so that
// it cannot drift from them: TestREADMECommandTableIsTheTree fails when it
// does, and `go generate ./cli` writes it again.

const (
	readmeTableStart = "<!-- The command table is generated from the command tree: go generate ./cli -->"
	readmeTableEnd   = "<!-- end of the generated command table -->"
)

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
	start := strings.Index(readme, readmeTableStart)
	end := strings.Index(readme, readmeTableEnd)
	if start < 0 || end < start {
		return readme, false
	}
	head := readme[:start+len(readmeTableStart)]
	return head + "\n" + table + readme[end:], true
}
