package cli

import (
	"strings"

	"github.com/anmitsu/go-shlex"
	flag "github.com/spf13/pflag"
)

// Over SSH a command line is quoted twice. The local shell removes one
// layer of quotes, OpenSSH joins the words with spaces, and the server
// splits the result again as a POSIX shell does (wish uses
// anmitsu/go-shlex, and so does this file, so that what is shown here is
// split there the same way). `ssh HOST access list --client "Acme Ltd"`
// therefore arrives as four words, Ltd on its own; the whole command must
// be quoted once more: `ssh HOST 'access list --client "Acme Ltd"'`.

// serverQuote quotes one word so that the server's split gives it back:
// as it is when it holds nothing special, else in double quotes.
func serverQuote(w string) string {
	if w != "" && !strings.ContainsFunc(w, func(r rune) bool {
		return r <= ' ' || strings.ContainsRune(`"'\`, r)
	}) {
		return w
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
}

// localSafe reports whether text can follow `ssh HOST` unquoted: no word
// of it means anything to the local shell.
func localSafe(text string) bool {
	return !strings.ContainsFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" /._-+:@,=", r))
	})
}

// sshForm is the command line that runs words (what follows `gatehouse`)
// over SSH, with connect ("ssh -p 2222 HOST") in front: the words quoted
// for the server, and the whole quoted once more for the local shell when
// it needs it. redirect, if not empty, is a file the output goes to.
func sshForm(connect string, words []string, redirect string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = serverQuote(w)
	}
	inner := strings.Join(quoted, " ")
	line := connect + " " + inner
	if !localSafe(inner) {
		line = connect + " '" + strings.ReplaceAll(inner, "'", `'\''`) + "'"
	}
	if redirect != "" {
		line += " > " + shellQuote(redirect)
	}
	return line
}

// remoteFileCommands read or write files on the machine they run on, so
// over SSH they are refused (their examples stay local).
var remoteFileCommands = map[string]bool{"staff bulk-invite": true}

// exampleOverSSH turns a command's example into the line that runs it
// over SSH: `gatehouse` becomes connect, --db goes (the server's database
// is used) and --out FILE becomes a redirection of the output. It says
// false when the example cannot run over SSH.
func exampleOverSSH(c *command, connect, example string) (string, bool) {
	if localCommands[c.name] || remoteFileCommands[c.name] {
		return "", false
	}
	var lines []string
	for _, line := range strings.Split(example, "\n") {
		words, err := shlex.Split(line, true)
		if err != nil || len(words) == 0 || words[0] != "gatehouse" {
			return "", false
		}
		var keep []string
		redirect := ""
		for i := 1; i < len(words); i++ {
			w := words[i]
			switch {
			case w == "--db" || w == "-db" || w == "--out" || w == "-out":
				if i+1 < len(words) {
					if strings.HasSuffix(w, "out") {
						redirect = words[i+1]
					}
					i++
				}
			case strings.HasPrefix(w, "--db="):
			case strings.HasPrefix(w, "--out="):
				redirect = strings.TrimPrefix(w, "--out=")
			default:
				keep = append(keep, w)
			}
		}
		lines = append(lines, sshForm(connect, keep, redirect))
	}
	return strings.Join(lines, "\n"), true
}

// quotingHint is, for a command that got more words over SSH than it
// takes, the way to type it: each surplus word goes back to the value it
// follows (a flag's value or a positional argument), as the local shell
// had it before it dropped the quotes. It says false when there is no
// value to give them to.
func quotingHint(c *command, fs *flag.FlagSet, raw []string, allowed int, connect string) (string, bool) {
	out := strings.Fields(c.name)
	holder := -1 // the index in out of the value surplus words join
	positional := 0
	merged := false
	for i := 0; i < len(raw); i++ {
		w := raw[i]
		if w == "--" {
			out, holder = append(out, w), -1
			continue
		}
		if len(w) > 1 && strings.HasPrefix(w, "-") {
			name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
			f := fs.Lookup(name)
			if f == nil || isBoolFlag(f) {
				out, holder = append(out, w), -1
				continue
			}
			out = append(out, "--"+name)
			if !hasValue {
				if i+1 >= len(raw) {
					holder = -1
					continue
				}
				i++
				value = raw[i]
			}
			out, holder = append(out, value), len(out)
			continue
		}
		positional++
		if positional > allowed {
			if holder < 0 {
				return "", false
			}
			out[holder] += " " + w
			merged = true
			continue
		}
		out, holder = append(out, w), len(out)
	}
	if !merged {
		return "", false
	}
	return sshForm(connect, out, ""), true
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
