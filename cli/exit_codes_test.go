package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// leafCommands walks the command tree, as the binary builds it, to every
// command it runs (the terminal app at the root aside).
func leafCommands(t *testing.T) []*command {
	t.Helper()
	a := &app{}
	root := a.newRoot(context.Background())
	var out []*command
	var walk func(n *cobra.Command)
	walk = func(n *cobra.Command) {
		if c := a.registered[n]; c != nil && n != root {
			out = append(out, c)
		}
		for _, sub := range n.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(out) < len(commands) {
		t.Fatalf("the walk found %d commands of %d registered", len(out), len(commands))
	}
	return out
}

// Bad input is a usage error, exit 2, on every command, as 'help
// exit-codes' documents; exit 1 is kept for refusals and failures. An
// extra argument is refused before the command looks anything up, and a
// value with an escape in it where a name goes is never taken as a
// refusal.
func TestEveryCommandRefusesBadInputWithTheUsageCode(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	for _, c := range leafCommands(t) {
		names := positionalNames(c.args)
		words := strings.Fields(c.name)
		// One argument too many.
		args := append([]string{}, words...)
		for range names {
			args = append(args, "x")
		}
		args = append(args, "surplus", "--db", path)
		r := runCLI(t, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, `unexpected argument "surplus"`) {
			t.Errorf("%v: exit %d, want %d saying the argument is unexpected\n%s%s", args, r.code, exitUsage, r.stdout, r.stderr)
		}
		if _, refused := noJSON[c.name]; !refused {
			r = runCLI(t, append(args, "--json")...)
			var e jsonError
			if err := json.Unmarshal([]byte(r.stderr), &e); err != nil || r.code != exitUsage || e.Code != exitUsage {
				t.Errorf("%v --json: exit %d, want %d and the same code in the error object\n%s", args, r.code, exitUsage, r.stderr)
			}
		}
		// A name with an escape in it: not found, or not valid, never a
		// refusal or a success.
		if len(names) == 0 || localCommands[c.name] || strings.Contains(c.args, "FILE ") || strings.HasSuffix(c.args, "FILE") {
			continue
		}
		args = append([]string{}, words...)
		for range names {
			args = append(args, "bad\x1b[31mname")
		}
		args = append(args, "--db", path)
		if r := runCLI(t, args...); r.code != exitUsage {
			t.Errorf("%q: exit %d, want %d\n%s%s", args, r.code, exitUsage, r.stdout, r.stderr)
		}
	}
}

// Values the model refuses as not valid are usage errors too, and say
// the value as it was typed.
func TestInvalidValuesExit2AndEchoWhatWasTyped(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	before := snapshot(t, path)
	for _, tc := range []struct {
		args []string
		say  string
	}{
		{a("settings", "set", "--invite-ttl", "91d"), "--invite-ttl 91d is out of range: between 1h and 90d"},
		{a("settings", "set", "--invite-ttl", "30m"), "--invite-ttl 30m is out of range"},
		{a("settings", "set", "--idle-timeout", "90s"), "--idle-timeout 90s is not a whole number of minutes"},
		{a("settings", "set", "--idle-timeout", "25h"), "--idle-timeout 25h is out of range: between 1m and 1d"},
		{a("clients", "create", "a\x1bb"), "control characters"},
		{a("departments", "create", "a\x07b"), "control characters"},
		{a("org", "rename", "a\x1b[2Jb"), "control characters"},
		{a("billing", "set-payment", "Visa", "1111"), `unexpected argument "1111"`},
		{a("roles", "rename", "a", "b", "c"), `unexpected argument "c"`},
	} {
		r := runCLI(t, append(tc.args, "--db", path)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.say) || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%q: exit %d, want %d saying %q\n%s", tc.args, r.code, exitUsage, tc.say, r.stderr)
		}
		r = runCLI(t, append(tc.args, "--db", path, "--json")...)
		var e jsonError
		if err := json.Unmarshal([]byte(r.stderr), &e); err != nil || r.code != exitUsage || e.Code != exitUsage {
			t.Errorf("%q --json: exit %d, %s", tc.args, r.code, r.stderr)
		}
	}
	if after := snapshot(t, path); after != before {
		t.Errorf("bad input changed the database:\n%s\n%s", before, after)
	}
}
