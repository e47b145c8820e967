package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"gatehouse/model"
	"gatehouse/sshd"
)

// sshBench is a real SSH server on a demo copy, reached with OpenSSH's
// client through a real shell. Commands given --help, and those named in
// real, run as the CLI runs them over SSH; any other only reports the
// words it received, as JSON, so that what the shells and the server's
// split made of a command line can be compared with the local one.
type sshBench struct {
	t       *testing.T
	dir     string
	path    string
	connect string // as the server prints it: ssh -p PORT 127.0.0.1
	opts    string // what the test adds after "ssh"
}

// priya is a demo Admin without two-factor authentication.
const priya = "priya.nair@northwind.example"

func newSSHBench(t *testing.T, real ...string) *sshBench {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("ssh is not installed")
	}
	dir := t.TempDir()
	b := &sshBench{t: t, dir: dir, path: demoCopy(t)}
	ctx := context.Background()
	svc, err := model.Open(ctx, b.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	m, err := svc.MemberByEmail(ctx, model.System("test"), priya)
	if err != nil {
		t.Fatal(err)
	}
	key := writeTestKey(t, dir)
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddSSHKey(ctx, model.System("test"), m.ID, string(pub)); err != nil {
		t.Fatal(err)
	}
	runner := func(ctx context.Context, p model.Principal, args []string, stdout, stderr io.Writer) int {
		if slices.Contains(args, "--help") || slices.ContainsFunc(real, func(name string) bool {
			return strings.HasPrefix(strings.Join(args, " ")+" ", name+" ")
		}) {
			return runCommand(ctx, svc, p, args, stdout, stderr)
		}
		json.NewEncoder(stdout).Encode(args)
		return 0
	}
	srv, err := sshd.New(svc, sshd.Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(dir, "host_key"),
		Commands: runner, Logger: log.New(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go srv.ListenAndServe()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	b.connect = sshd.ConnectCommand(srv.Addr())
	b.opts = "-F /dev/null -i " + key + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes"
	return b
}

// writeTestKey writes an ed25519 key pair in OpenSSH's format.
func writeTestKey(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path).CombinedOutput(); err != nil {
		t.Skipf("ssh-keygen: %v %s", err, out)
	}
	return path
}

// shell runs line as typed at a POSIX shell, in the bench's directory;
// a line starting with the server's connect command runs OpenSSH's client
// with the bench's key and options.
func (b *sshBench) shell(line string) result {
	b.t.Helper()
	if rest, ok := strings.CutPrefix(line, "ssh "); ok {
		line = "ssh " + b.opts + " " + rest
	}
	cmd := exec.Command("sh", "-c", line)
	cmd.Dir = b.dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		b.t.Fatalf("sh -c %q: %v", line, err)
	}
	return r
}

// localWords is what a POSIX shell passes to gatehouse for an example
// line (environment assignments apply; ~ expands).
func localWords(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `gatehouse() { for a in "$@"; do printf '%s\0' "$a"; done; }; `+line).Output()
	if err != nil {
		t.Fatalf("sh: %q: %v", line, err)
	}
	words := strings.Split(string(out), "\x00")
	return words[:len(words)-1]
}

// parsesAs checks that argv (what follows gatehouse) is a well-formed
// call of c: it names c, its flags parse, and it has the positional
// arguments c's usage names.
func parsesAs(t *testing.T, c *command, argv []string) {
	t.Helper()
	a := &app{stdout: io.Discard, stderr: io.Discard}
	root := a.newRoot(context.Background())
	argv = gnuFlags(root, argv)
	got, rest, err := root.Find(argv)
	if err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	if a.registered[got] != c {
		t.Fatalf("%q does not name %q", argv, c.name)
	}
	if err := got.ParseFlags(rest); err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	pos := got.Flags().Args()
	if want := len(positionalNames(c.args)); len(pos) != want {
		t.Fatalf("%q: %d positional arguments %q, the usage %q names %d", argv, len(pos), pos, c.args, want)
	}
}

// Every command's --help example runs as typed, locally and over SSH: the
// local line, split by a real shell, is a well-formed call; over SSH,
// `ssh HOST COMMAND --help` shows the example as the line to type there,
// and that line, through a real shell, OpenSSH and the server's split,
// arrives as the same words (less --db; --out became a redirection).
func TestHelpExamplesRunAsTypedLocallyAndOverSSH(t *testing.T) {
	t.Parallel()
	b := newSSHBench(t)
	if got := positionalNames("EMAIL --name NAME [--role ROLE] [--department D]... [--message M]"); len(got) != 1 {
		t.Fatalf("positionalNames gives %q", got)
	}
	for _, c := range commands {
		for _, line := range strings.Split(c.example, "\n") {
			words := localWords(t, line)
			if len(words) == 0 {
				t.Fatalf("%q: the example %q runs nothing", c.name, line)
			}
			parsesAs(t, c, words)
		}
		if c.name == "" {
			continue
		}
		help := b.shell(b.connect + " " + c.name + " --help")
		if help.code != 0 || !strings.Contains(help.stdout, "Example:") {
			t.Fatalf("%s --help over SSH: %+v", c.name, help)
		}
		remote, ok := exampleOverSSH(c, b.connect, c.example)
		if !ok {
			if !strings.Contains(help.stdout, "Runs only on the machine that holds the database") {
				t.Fatalf("%s: its help over SSH does not say it runs only locally:\n%s", c.name, help.stdout)
			}
			continue
		}
		if !strings.Contains(help.stdout, "Example:\n  "+strings.ReplaceAll(remote, "\n", "\n  ")+"\n") {
			t.Fatalf("%s --help over SSH shows:\n%s\nwant the example %q", c.name, help.stdout, remote)
		}
		locals := strings.Split(c.example, "\n")
		for i, line := range strings.Split(remote, "\n") {
			if !strings.HasPrefix(line, b.connect+" ") {
				t.Fatalf("%s: %q does not start with %q", c.name, line, b.connect)
			}
			r := b.shell(line)
			if r.code != 0 {
				t.Fatalf("%s over SSH: %q: %+v", c.name, line, r)
			}
			got := r.stdout
			if _, file, ok := strings.Cut(line, " > "); ok {
				data, err := os.ReadFile(filepath.Join(b.dir, strings.Trim(file, "'")))
				if err != nil {
					t.Fatalf("%s: %q wrote no %s: %v", c.name, line, file, err)
				}
				got = string(data)
			}
			var argv []string
			if err := json.Unmarshal([]byte(got), &argv); err != nil {
				t.Fatalf("%s: %q: the server got %q", c.name, line, got)
			}
			want := withoutFileFlags(localWords(t, locals[i]))
			if !slices.Equal(argv, want) {
				t.Fatalf("%s: over SSH %q arrived as %q, locally %q", c.name, line, argv, want)
			}
			parsesAs(t, c, argv)
		}
	}
}

// withoutFileFlags drops --db and --out with their values.
func withoutFileFlags(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		if words[i] == "--db" || words[i] == "--out" {
			i++
			continue
		}
		out = append(out, words[i])
	}
	return out
}

// A command that gets more words over SSH than it takes (a name with
// spaces whose quotes the local shell removed) says how to quote it, and
// the line it shows runs as shown.
func TestSurplusWordsOverSSHShowTheQuoting(t *testing.T) {
	t.Parallel()
	b := newSSHBench(t, "access revoke", "staff invite", "access list")
	for _, c := range []struct{ typed, hint string }{
		{`access revoke --staff ` + sara + ` --client "Acme Ltd"`, `'access revoke --staff ` + sara + ` --client "Acme Ltd"'`},
		{`access list --client=Acme Ltd --json`, `'access list --client "Acme Ltd" --json'`},
		{`staff invite jane@northwind.example --name "Jane Q Doe" --role Advisor`, `'staff invite jane@northwind.example --name "Jane Q Doe" --role Advisor'`},
	} {
		r := b.shell(b.connect + " " + c.typed)
		want := b.connect + " " + c.hint
		if r.code != 2 || !strings.Contains(r.stderr, "unexpected argument") || !strings.Contains(r.stderr, "\n  "+want+"\n") {
			t.Fatalf("%s: %+v\nwant the hint %s", c.typed, r, want)
		}
		if got := b.shell(want); got.code != 0 {
			t.Fatalf("the hint %s: %+v", want, got)
		}
	}
	// Quoted as the hint says, a name with spaces is one word.
	if r := b.shell(b.connect + ` 'access list --client "Acme Ltd"'`); r.code != 0 || !strings.Contains(r.stdout, "Acme Ltd") {
		t.Fatalf("quoted once more: %+v", r)
	}
	// A quote left open is refused, not taken for the terminal app.
	if r := b.shell(b.connect + ` 'access list --client "Acme Ltd'`); r.code == 0 || !strings.Contains(r.stderr, "quote that is not closed") {
		t.Fatalf("an unclosed quote: %+v", r)
	}
}
