package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	flag "github.com/spf13/pflag"
)

// Every flag and positional argument has a limit of its own (README,
// "Limits"), not just the catch-all.
func TestEveryArgumentHasALimit(t *testing.T) {
	for _, c := range commands {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if c.flags != nil {
			c.flags(fs)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if isBoolFlag(f) {
				return
			}
			if _, ok := flagLimits[f.Name]; !ok && !strings.Contains(f.Usage, "`n`") {
				t.Errorf("%s: --%s has no limit in flagLimits", c.name, f.Name)
			}
		})
		for _, name := range positionalNames(c.args) {
			if _, ok := positionalLimits[name]; !ok {
				t.Errorf("%s: %s has no limit in positionalLimits", c.name, name)
			}
		}
	}
}

// Input over a limit gets one line saying so, without the input, and
// changes nothing: a 120 KB filter, a 120 KB email, a 900 KB line of a
// bulk invitation.
func TestLongInputIsRefusedInOneLine(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	before := snapshot(t, path)
	huge := strings.Repeat("x", 120<<10)
	for _, args := range [][]string{
		{"staff", "list", "--filter", huge},
		{"clients", "list", "--filter", huge},
		{"audit", "list", "--actor", huge},
		{"staff", "invite", huge + "@x.example", "--name", "Jane"},
		{"staff", "invite", "jane@x.example", "--name", huge},
		{"access", "revoke", "--staff", sara, "--client", huge},
		{"check", sara, "view", "client:" + huge},
		{"--db", path + huge, "staff", "list"},
	} {
		args = append(args, "--db", path)
		r := runCLI(t, args...)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "characters long; at most") ||
			strings.Contains(r.stderr+r.stdout, strings.Repeat("x", 80)) {
			t.Errorf("%s …: exit %d, stderr %.300q", args[0]+" "+args[1], r.code, r.stderr)
		}
	}
	// One 900 KB line in a bulk invitation: refused with its length, and
	// not printed back.
	file := filepath.Join(t.TempDir(), "list.txt")
	if err := os.WriteFile(file, []byte("ana@hires.example\n"+strings.Repeat("y", 900<<10)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "staff", "bulk-invite", "--file", file, "--db", path)
	if r.code != 1 || len(r.stdout)+len(r.stderr) > 2000 || !strings.Contains(r.stdout, "characters long; at most 254") {
		t.Fatalf("bulk-invite with a 900 KB line: exit %d, %d bytes out: %.400q", r.code, len(r.stdout)+len(r.stderr), r.stdout)
	}
	if snapshot(t, path) == before {
		t.Fatal("the good line of the bulk invitation was not invited")
	}
}
