package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	flag "github.com/spf13/pflag"
)

const helpIntro = `Gatehouse decides and shows who on a firm's staff can reach which client
accounts, and who did what, in a hash-chained audit log.

Usage:
  gatehouse [--db PATH]                 open the terminal app
  gatehouse [--db PATH] COMMAND [ARGS]  run one command

`

const helpOutro = `
Every command takes --db PATH (before or after the command name); without it
Gatehouse uses $GATEHOUSE_DB, else gatehouse/gatehouse.db in the user's data
directory ($XDG_DATA_HOME or ~/.local/share on Linux). Commands run locally act
as the operating-system user and are audited under that name.

Run 'gatehouse COMMAND --help' for a command's flags and an example,
'gatehouse help exit-codes' for what the exit codes mean, 'gatehouse --version'
for the version, and 'gatehouse completion bash|zsh|fish' for a shell's
completion script (its --help says where to put it).
`

// helpOrder is the order help lists commands in: first run, staff,
// access, audit; commands not named here follow in registration order.
var helpOrder = []string{"init", "demo", "join", "staff list", "staff invite", "staff bulk-invite", "staff set-role",
	"staff deactivate", "staff reactivate", "staff set-password", "staff set-manager", "staff departments", "staff remove", "invitations list", "invitations resend", "invitations revoke", "offboard", "lock", "lock list", "unlock",
	"sessions list", "sessions end", "keys add", "roles list", "roles show", "roles create", "roles edit", "roles rename", "roles delete", "roles give", "whatif role",
	"departments list", "departments show", "departments create", "departments edit", "departments delete", "departments add", "departments remove",
	"connections list", "connections create", "connections off", "connections on", "settings show", "settings set", "org rename",
	"billing show", "billing set-payment", "profile show", "profile set-name", "profile password", "totp enrol", "totp reset",
	"recovery-codes regenerate", "keys list", "keys remove", "clients list", "clients create", "clients rename", "clients archive", "clients restore",
	"clients set-owner", "clients set-department", "clients reassign", "accounts add", "accounts rename", "accounts remove",
	"access list", "access who", "access grant", "access revoke", "check", "audit list", "audit export", "audit verify",
	"backup", "export", "import", "check-db", "org transfer-ownership", "org delete", "serve"}

func orderedCommands(cmds []*command) []*command {
	rank := func(c *command) int {
		if i := slices.Index(helpOrder, c.name); i >= 0 {
			return i
		}
		return len(helpOrder)
	}
	out := slices.Clone(cmds)
	slices.SortStableFunc(out, func(x, y *command) int { return rank(x) - rank(y) })
	return out
}

// firstLine is a summary's first line, for lists.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// firstSentence is a summary's first sentence, whole whatever lines it
// runs over, for lists: up to a full stop before a capital letter.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for i := strings.Index(s, ". "); i >= 0; {
		if next := s[i+2:]; next != "" && unicode.IsUpper([]rune(next)[0]) {
			return s[:i+1]
		}
		j := strings.Index(s[i+2:], ". ")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return s
}

// printHelp lists every command.
func printHelp(w io.Writer) {
	fmt.Fprint(w, helpIntro)
	fmt.Fprintln(w, "Commands:")
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range orderedCommands(commands) {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, firstSentence(c.summary))
	}
	fmt.Fprint(w, helpOutro)
}

// printGroupHelp lists the subcommands of a group such as "staff".
func printGroupHelp(w io.Writer, group string, cmds []*command) {
	fmt.Fprintf(w, "Usage: gatehouse %s COMMAND\n\nCommands:\n", group)
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range orderedCommands(cmds) {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, firstSentence(c.summary))
	}
	fmt.Fprintf(w, "\nRun 'gatehouse %s COMMAND --help' for a command's flags and an example.\n", group)
}

// printCommandHelp prints a command's usage, flags and example. Over SSH
// (connect is the ssh command that reached the server) the example is
// the line that runs it over SSH, quoted for both shells.
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet, connect string) {
	usage := "gatehouse " + c.name
	if c.args != "" {
		usage += " " + c.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", usage, c.summary)
	printFlags(w, fs)
	example := c.example
	if connect != "" {
		if remote, ok := exampleOverSSH(c, connect, c.example); ok {
			example = remote
		} else {
			fmt.Fprint(w, "\nRuns only on the machine that holds the database, not over SSH.\n")
		}
	}
	fmt.Fprintf(w, "\nExample:\n  %s\n", strings.ReplaceAll(example, "\n", "\n  "))
}

// printFlags lists a command's flags GNU-style (--name VALUE).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	type line struct{ left, usage string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "token" && strings.HasPrefix(f.Usage, "refused:") {
			return // parsed only to be refused (main.go): not offered
		}
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + strings.ToUpper(name)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" && f.Name != "db" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		width = max(width, len(left))
		lines = append(lines, line{left, usage})
	})
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.left, l.usage)
	}
	fmt.Fprintln(w, "  --help"+strings.Repeat(" ", max(0, width-6))+"  show this help")
}
