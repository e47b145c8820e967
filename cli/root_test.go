package cli

import (
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionSaysTheModuleVersionAndCommit(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "--version")
	wantCode(t, r, 0, "--version")
	if !strings.HasPrefix(r.stdout, "gatehouse ") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("--version: %q", r.stdout)
	}
	info := &debug.BuildInfo{Main: debug.Module{Path: "gatehouse", Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionOf(info), "v1.2.3 commit 0123456789abcdef0123456789abcdef01234567, with uncommitted changes"; got != want {
		t.Errorf("versionOf: %q, want %q", got, want)
	}
	if got := versionOf(&debug.BuildInfo{}); got != "(devel)" {
		t.Errorf("versionOf a build without a version: %q", got)
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := runCLI(t, "completion", shell)
		wantCode(t, r, 0, "completion", shell)
		if !strings.Contains(r.stdout, "gatehouse") || len(r.stdout) < 1000 {
			t.Errorf("completion %s: %d bytes", shell, len(r.stdout))
		}
	}
	// The script asks the binary for candidates; the binary answers from
	// the tree.
	r := runCLI(t, "__complete", "staff", "")
	wantCode(t, r, 0)
	for _, want := range []string{"list", "invite", "set-role"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("completing 'staff ' lacks %s:\n%s", want, r.stdout)
		}
	}
	if _, err := exec.LookPath("bash"); err == nil {
		r := runCLI(t, "completion", "bash")
		cmd := exec.Command("bash", "-n")
		cmd.Stdin = strings.NewReader(r.stdout)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("the bash completion script does not parse: %v\n%s", err, out)
		}
	}
}

func TestTyposGetASuggestion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stafff"}, `did you mean "staff"?`},
		{[]string{"acess", "list"}, `did you mean "access"?`},
		{[]string{"staff", "lst"}, `did you mean "staff list"?`},
		{[]string{"audit", "verfy"}, `did you mean "audit verify"?`},
	} {
		r := runCLI(t, c.args...)
		wantCode(t, r, 2, c.args...)
		if first, _, _ := strings.Cut(r.stderr, "\n"); !strings.HasPrefix(first, "gatehouse: unknown command") || !strings.Contains(first, c.want) {
			t.Errorf("%v: %q, want %q on the first line", c.args, r.stderr, c.want)
		}
	}
	r := runCLI(t, "zzzzzz")
	if r.code != 2 || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("a word like no command got a suggestion: %+v", r)
	}
}

// Every command's help offers --json, but those that have no JSON form.
func TestHelpOffersJSON(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		r := runCLI(t, append(strings.Fields(c.name), "--help")...)
		_, refused := noJSON[c.name]
		if offers := strings.Contains(r.stdout, "--json"); offers == refused {
			t.Errorf("%s --help: offers --json: %v; has a JSON form: %v", c.name, offers, !refused)
		}
	}
}

func TestHelpExitCodes(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "help", "exit-codes")
	wantCode(t, r, 0, "help", "exit-codes")
	for _, want := range []string{"  0  ", "  1  ", "  2  ", "denied", "does not exist"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help exit-codes lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runCLI(t, "help"); !strings.Contains(r.stdout, "help exit-codes") || !strings.Contains(r.stdout, "completion") {
		t.Errorf("help does not point to exit-codes and completion:\n%s", r.stdout)
	}
}

// Flags written with one dash, as the command line took them before it
// moved to GNU-style flags, still work.
func TestSingleDashLongFlagsStillWork(t *testing.T) {
	t.Parallel()
	db := demoCopy(t)
	a := runCLI(t, "-db", db, "staff", "list", "-json")
	b := runCLI(t, "--db", db, "staff", "list", "--json")
	wantCode(t, a, 0)
	if a.stdout != b.stdout {
		t.Errorf("-db/-json differ from --db/--json:\n%s\n%s", a.stdout, b.stdout)
	}
}
