package cli

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gatehouse/internal/tmuxtest"
)

// Every example in the README's command table runs, as typed at a shell,
// against a fresh copy of the demo organisation (`gatehouse demo`): in a
// scratch directory that is also $HOME, with the binary first on $PATH
// and $GATEHOUSE_DB the copy. The absolute paths examples show
// (/tmp/g.db, /var/backups/…, /mnt/offsite/…) are made inside the
// scratch directory, so that nothing outside it is touched. An example
// must exit 0 unless readmeExampleRuns says how else it runs and why; an
// entry there that is no example fails too.

// exampleRun is how one example runs when it is not a plain command that
// exits 0.
type exampleRun struct {
	// setup are shell lines run first, in the same directory and
	// environment (with the same paths made local).
	setup []string
	env   []string
	// noDB: $GATEHOUSE_DB names no file yet (init, demo).
	noDB bool
	// code and stderr: the example fails as it must, with this exit code
	// and this part of its one line; why says why that is its right
	// answer.
	code   int
	stderr string
	why    string
	// until: it runs until stopped; once its output shows this, it is
	// interrupted (SIGINT) and must stop.
	until string
	// app: the terminal app, run in tmux; it must show this.
	app string
}

var readmeExampleRuns = map[string]exampleRun{
	"gatehouse --db /tmp/g.db": {setup: []string{`cp "$GATEHOUSE_DB" /tmp/g.db`}, app: "Sign in"},
	`GATEHOUSE_PASSWORD='a long passphrase' gatehouse init --org "Northwind Advisory" --name "Olivia Hart" --email olivia.hart@northwind.example`: {noDB: true},
	"gatehouse demo --db /tmp/g.db --no-tui": {noDB: true},
	"gatehouse demo --db /tmp/large.db --staff 200 --clients 2000 --accounts-per-client 3 --grants 10000 --audit 20000 --no-tui": {noDB: true},
	"gatehouse join abcdef-ghijkl-mnopqr-stuvwx": {code: 2, stderr: "no invitation has that code",
		why: "a code is made when someone is invited ('staff invite' prints it); the demo's are not printed. Joining with a real one: e2e_identity_test.go"},
	"gatehouse staff bulk-invite --file new-hires.txt --role Advisor --message 'Welcome aboard'": {
		setup: []string{`printf 'ana.silva@northwind.example\nben.okoro@northwind.example\n' > new-hires.txt`}},
	"gatehouse staff set-password olivia.hart@northwind.example --db /tmp/restored.db": {
		setup: []string{"gatehouse export --format json --out northwind.json", "gatehouse import northwind.json --db /tmp/restored.db"},
		env:   []string{"GATEHOUSE_PASSWORD=a new long passphrase"}},
	"gatehouse unlock 1": {setup: []string{`gatehouse lock --staff leo.martins@northwind.example --reason "laptop stolen"`}},
	`gatehouse sessions end 1 --reason "left signed in on a shared screen"`: {code: 2, stderr: "no live session 1",
		why: "no session is live on a fresh demo; ending live ones: model/locks_test.go, sshd/lock_test.go, tui/flow_test.go"},
	"gatehouse keys add grace.kim@northwind.example ~/.ssh/id_ed25519.pub": {
		setup: []string{`mkdir -p ~/.ssh && ssh-keygen -q -t ed25519 -N "" -C grace -f ~/.ssh/id_ed25519`}},
	"gatehouse clients restore \"Birchwood Bakery\"":                     {setup: []string{`gatehouse clients archive "Birchwood Bakery"`}},
	"gatehouse audit verify --anchor /mnt/offsite/gatehouse.db.anchors":  {setup: []string{"gatehouse audit anchor --out /mnt/offsite/gatehouse.db.anchors"}},
	"gatehouse check-db --anchor /mnt/offsite/gatehouse.db.anchors":      {setup: []string{"gatehouse audit anchor --out /mnt/offsite/gatehouse.db.anchors"}},
	"gatehouse import northwind.json --db /tmp/restored.db":              {setup: []string{"gatehouse export --format json --out northwind.json"}},
	`gatehouse org delete --confirm "Northwind Advisory" --db /tmp/g.db`: {setup: []string{`cp "$GATEHOUSE_DB" /tmp/g.db`}},
	`gatehouse connections off "Nightly report"`:                         {setup: []string{`gatehouse connections create "Nightly report" --allow clients.view:all --kind api`}},
	`gatehouse connections on "Nightly report"`: {setup: []string{`gatehouse connections create "Nightly report" --allow clients.view:all --kind api`,
		`gatehouse connections off "Nightly report"`}},
	"gatehouse keys remove sara.lindqvist@northwind.example SHA256:tKFvvQMzu/qhSJusIexjTqnVSo9MCE1PgwLHgKElcs0": {setup: []string{
		"echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDZyGbfg7RwR1OSDD9aWZQvq8h7bGSqtA8PfbuuZt81O sara@laptop' | gatehouse keys add sara.lindqvist@northwind.example -"}},
	// A member's own profile, password, two-factor set-up and recovery
	// codes: run locally, as the holder of the file, who is no member,
	// they are refused as the examples' help says; over SSH as the member
	// they run (cmd_profile_test.go: TestProfileCommandsOverSSH,
	// TestProfilePasswordOverRealSSH).
	"gatehouse profile show":                                                            {code: 1, stderr: "run it over SSH as the member", why: ownProfile},
	`gatehouse profile set-name "Sara Lindqvist-Berg"`:                                  {code: 1, stderr: "only a signed-in member can change their name", why: ownProfile},
	`printf '%s\n%s\n' "$CURRENT" "$NEW" | gatehouse profile password --password-stdin`: {code: 1, stderr: "only a signed-in member can change a password", why: ownProfile},
	"gatehouse totp enrol":                                                              {code: 1, stderr: "only a signed-in member can set up two-factor authentication", why: ownProfile},
	"gatehouse totp enrol --secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP --code 123456": {code: 1, stderr: "that code is not right",
		why: "the second step of enrolment takes the code an authenticator app shows for the secret the first step gave, over SSH as the member"},
	"gatehouse recovery-codes regenerate":                         {code: 1, stderr: "only a signed-in member can make recovery codes", why: ownProfile},
	"gatehouse serve --listen 127.0.0.1:2222":                     {until: "Gatehouse is listening on 127.0.0.1:2222"},
	"gatehouse audit tail --follow --format jsonl --since-id 100": {until: `"id":117`},
}

const ownProfile = "a member's own: run over SSH as the member (cmd_profile_test.go)"

// localPaths are the absolute paths examples show, made inside the
// scratch directory.
var localPaths = regexp.MustCompile(`(^|[\s'"=])/(tmp|var/backups|mnt/offsite)/`)

// readmeExamples are the examples of the README's command table, in order.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table, ok := strings.CutPrefix(string(data)[strings.Index(string(data), readmeTableStart):], readmeTableStart)
	if !ok {
		t.Fatal("README.md has no command table")
	}
	table, _, _ = strings.Cut(table, readmeTableEnd)
	var out []string
	cell := regexp.MustCompile("`([^`]*)`")
	for _, row := range strings.Split(table, "\n") {
		cells := regexp.MustCompile(`[^\\]\|`).Split(row, -1)
		if len(cells) < 4 || !strings.HasPrefix(row, "| `") {
			continue
		}
		for _, m := range cell.FindAllStringSubmatch(cells[len(cells)-2], -1) {
			out = append(out, strings.ReplaceAll(m[1], `\|`, "|"))
		}
	}
	return out
}

func TestREADMEExamplesRunAgainstAFreshDemo(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no POSIX shell")
	}
	examples := readmeExamples(t)
	if len(examples) < len(commands) {
		t.Fatalf("found %d examples in the README for %d commands: the table's parse is broken", len(examples), len(commands))
	}
	listed := map[string]bool{}
	for _, ex := range examples {
		listed[ex] = true
	}
	for ex := range readmeExampleRuns {
		if !listed[ex] {
			t.Errorf("readmeExampleRuns names %q, which is no example in the README's command table", ex)
		}
	}
	for _, ex := range examples {
		run := readmeExampleRuns[ex]
		t.Run(strings.Join(strings.Fields(ex)[:min(3, len(strings.Fields(ex)))], " "), func(t *testing.T) {
			t.Parallel()
			b := newExampleBench(t, run)
			for _, line := range run.setup {
				if r := b.shell(line); r.code != 0 {
					t.Fatalf("setup %q: %+v", line, r)
				}
			}
			switch {
			case run.app != "":
				b.app(ex, run.app)
			case run.until != "":
				// The port an example listens on may be taken on this
				// machine: it listens on a free one instead.
				port := freePort(t)
				b.until(strings.ReplaceAll(ex, ":2222", ":"+port), strings.ReplaceAll(run.until, ":2222", ":"+port))
			default:
				r := b.shell(ex)
				if r.code != run.code {
					t.Fatalf("%s\nexit %d, want %d\nstdout: %s\nstderr: %s", ex, r.code, run.code, r.stdout, r.stderr)
				}
				if run.code != 0 && (!strings.Contains(r.stderr, run.stderr) || run.why == "") {
					t.Fatalf("%s\nfails with %q; want %q, for a reason given in why", ex, r.stderr, run.stderr)
				}
			}
		})
	}
}

// exampleBench is one example's scratch directory and environment.
type exampleBench struct {
	t   *testing.T
	dir string
	env []string
}

func newExampleBench(t *testing.T, run exampleRun) *exampleBench {
	dir := t.TempDir()
	for _, sub := range []string{"tmp", "var/backups", "mnt/offsite"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "northwind.db")
	if !run.noDB {
		data, err := os.ReadFile(demoPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(db, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "HOME="+dir, "PATH="+filepath.Dir(binPath)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GATEHOUSE_DB="+db, "XDG_DATA_HOME="+filepath.Join(dir, "xdg"), "GATEHOUSE_PASSWORD=", "GATEHOUSE_TOKEN=")
	return &exampleBench{t: t, dir: dir, env: append(env, run.env...)}
}

// local is line with the absolute paths it shows made inside the
// scratch directory.
func (b *exampleBench) local(line string) string {
	return localPaths.ReplaceAllString(line, "${1}"+b.dir+"/${2}/")
}

func (b *exampleBench) command(line string) *exec.Cmd {
	cmd := exec.Command("sh", "-c", b.local(line))
	cmd.Dir, cmd.Env = b.dir, b.env
	return cmd
}

func (b *exampleBench) shell(line string) result {
	b.t.Helper()
	cmd := b.command(line)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &out, &errOut, strings.NewReader("")
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		b.t.Fatalf("sh -c %q: %v", line, err)
	}
	return r
}

// until runs a command that runs until stopped: once its output shows
// want, it is interrupted as Ctrl-C would, and must stop.
func (b *exampleBench) until(line, want string) {
	b.t.Helper()
	cmd := b.command(line)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(tmuxtest.Scaled(20 * time.Second))
	for !strings.Contains(out.String(), want) {
		select {
		case err := <-done:
			b.t.Fatalf("%s stopped before it showed %q (%v):\n%s", line, want, err, out.String())
		case <-deadline:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			b.t.Fatalf("%s did not show %q:\n%s", line, want, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(tmuxtest.Scaled(20 * time.Second)):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		b.t.Fatalf("%s did not stop when interrupted:\n%s", line, out.String())
	}
	if strings.Contains(out.String(), "gatehouse: ") {
		b.t.Fatalf("%s reported an error:\n%s", line, out.String())
	}
}

// app runs the terminal app as the example starts it, in tmux, and waits
// for it to show want.
func (b *exampleBench) app(line, want string) {
	b.t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		b.t.Skip("tmux is not installed")
	}
	words := localWords(b.t, b.local(line))
	argv := append([]string{"env", "TERM=xterm-256color", "HOME=" + b.dir, "GATEHOUSE_DB=", "XDG_DATA_HOME=" + filepath.Join(b.dir, "xdg"), binPath}, words...)
	pane := tmuxtest.NewServer(b.t).Start("app", 100, 30, argv...)
	pane.WaitFor(nil, want)
}

// freePort is a TCP port free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
