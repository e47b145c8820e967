package sshd

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatehouse/db"
	"gatehouse/model"
)

// askpass is a stand-in for the person at the code prompt: OpenSSH runs
// it for each keyboard-interactive question (SSH_ASKPASS_REQUIRE=force),
// and it answers with the next line of the codes file, noting the prompt.
const askpassScript = `#!/bin/sh
dir=$(dirname "$0")
n=$(cat "$dir/asked" 2>/dev/null || echo 0)
n=$((n+1))
echo $n > "$dir/asked"
echo "$*" >> "$dir/prompts"
sed -n "${n}p" "$dir/codes"
`

// realSSH runs OpenSSH's client against the fixture's server with a key
// file and a config of its own.
type realSSH struct {
	t      *testing.T
	dir    string
	config string
}

func newRealSSH(t *testing.T, f *fixture, key string) *realSSH {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("ssh is not installed")
	}
	// A short directory: the control socket's path must fit in 104 bytes.
	dir, err := os.MkdirTemp("", "gh-cm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "askpass"), []byte(askpassScript), 0o700); err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(f.addr, ":")
	config := filepath.Join(dir, "config")
	// The ~/.ssh/config lines of the README's on-call section, for a
	// host named gatehouse.
	cfg := fmt.Sprintf(`Host gatehouse
  HostName %s
  Port %s
  User oncall
  IdentityFile %s
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  ControlMaster auto
  ControlPath %s/cm-%%C
  ControlPersist 10m
`, host, port, key, dir)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &realSSH{t: t, dir: dir, config: config}
	t.Cleanup(func() { exec.Command("ssh", "-F", config, "-O", "exit", "gatehouse").Run() })
	return r
}

// run runs `ssh gatehouse COMMAND` with extra options, the code prompt
// answered with codes in turn; it returns stdout, stderr, the exit status
// and how many times the code was asked.
func (r *realSSH) run(codes []string, opts []string, command ...string) (string, string, int, int) {
	r.t.Helper()
	os.Remove(filepath.Join(r.dir, "asked"))
	os.Remove(filepath.Join(r.dir, "prompts"))
	if err := os.WriteFile(filepath.Join(r.dir, "codes"), []byte(strings.Join(codes, "\n")+"\n"), 0o600); err != nil {
		r.t.Fatal(err)
	}
	args := append([]string{"-F", r.config}, opts...)
	args = append(append(args, "gatehouse"), command...)
	cmd := exec.Command("ssh", args...)
	cmd.Env = append(os.Environ(), "SSH_ASKPASS="+filepath.Join(r.dir, "askpass"), "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		r.t.Fatalf("ssh %s did not finish", strings.Join(command, " "))
	}
	asked := 0
	if b, err := os.ReadFile(filepath.Join(r.dir, "prompts")); err == nil {
		asked = strings.Count(string(b), "\n")
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode(), asked
}

// enrolledMember is a member with 2FA, a key file, and their secret.
func enrolledMember(t *testing.T, f *fixture, email string) (model.Member, string, string) {
	t.Helper()
	m, _ := f.member(email, "Admin")
	p := model.MemberPrincipal(m, "test")
	enrol, err := f.svc.BeginTOTP(f.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	// Confirmed with a code far in the past, so the current one is fresh.
	old, _ := model.TOTPCode(enrol.Secret, time.Now().Add(-time.Hour))
	saved := f.svc.Now
	f.svc.Now = func() time.Time { return time.Now().Add(-time.Hour).UTC() }
	_, err = f.svc.ConfirmTOTP(f.ctx, p, enrol.Secret, old)
	f.svc.Now = saved
	if err != nil {
		t.Fatal(err)
	}
	key := writeKeyPair(t, t.TempDir(), "id_ed25519")
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddSSHKey(f.ctx, sys, m.ID, string(pub)); err != nil {
		t.Fatal(err)
	}
	return m, key, enrol.Secret
}

func failedAttempts(t *testing.T, f *fixture, id int64) int {
	t.Helper()
	c, err := db.GetCredentials(f.ctx, f.svc.DB().Read(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.FailedAttempts
}

// One code per sitting: with OpenSSH's connection sharing (ControlMaster
// and ControlPersist, the README's ~/.ssh/config lines) the second and
// third command run on the first one's connection and ask for no code.
// Without it, the same code typed again is explained at the prompt
// (already used, when the next one comes) and does not count toward the
// lockout; a wrong code says how many tries are left.
func TestOneCodePerSittingWithOpenSSH(t *testing.T) {
	f := newFixture(t, Config{})
	m, key, secret := enrolledMember(t, f, "oncall@example.com")
	r := newRealSSH(t, f, key)
	code := func(at time.Time) string {
		c, err := model.TOTPCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	first := code(time.Now())
	for i := 1; i <= 3; i++ {
		out, errOut, status, asked := r.run([]string{first}, nil, "whoami")
		if status != 0 || !strings.HasPrefix(out, fmt.Sprintf("member %d 0 oncall@example.com|ssh ", m.ID)) {
			t.Fatalf("command %d: exit %d, out %q, err %q", i, status, out, errOut)
		}
		want := 0
		if i == 1 {
			want = 1
		}
		if asked != want {
			t.Fatalf("command %d asked for the code %d times, want %d (stderr %q)", i, asked, want, errOut)
		}
	}
	if _, errOut, status, _ := r.run(nil, nil, "-O", "check"); status != 0 {
		t.Fatalf("no master connection: %s", errOut)
	}

	// Without connection sharing: the code just used, then the next one.
	noShare := []string{"-o", "ControlMaster=no", "-o", "ControlPath=none"}
	out, errOut, status, asked := r.run([]string{first, code(time.Now().Add(30 * time.Second))}, noShare, "whoami")
	if status != 0 || !strings.Contains(out, "oncall@example.com") {
		t.Fatalf("reused then next code: exit %d, out %q, err %q", status, out, errOut)
	}
	if asked != 2 || !strings.Contains(errOut, "that code was already used - wait for the next one, about ") {
		t.Fatalf("the reused code was not explained at the prompt (asked %d times): %q", asked, errOut)
	}
	if n := failedAttempts(t, f, m.ID); n != 0 {
		t.Fatalf("the reused code counted toward the lockout: %d failures", n)
	}
	entries, err := f.svc.ListAudit(f.ctx, sys, model.AuditQuery{StaffID: m.ID, Action: "auth.failure"})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].After, "code already used") {
		t.Fatalf("the reused code's audit entry: %v %+v", err, entries)
	}

	// A reused code alone: refused after the prompts, still not counted.
	_, errOut, status, asked = r.run([]string{first, first, first}, noShare, "whoami")
	if status == 0 || asked < maxCodePrompts || !strings.Contains(errOut, "already used") {
		t.Fatalf("only a reused code: exit %d, asked %d, err %q", status, asked, errOut)
	}
	if n := failedAttempts(t, f, m.ID); n != 0 {
		t.Fatalf("reused codes counted toward the lockout: %d failures", n)
	}

	// A wrong code says how many tries are left; the right one then works.
	// (The server's clock moves on two steps: both codes of this minute
	// are spent.)
	f.svc.Now = func() time.Time { return time.Now().Add(90 * time.Second).UTC() }
	_, errOut, status, _ = r.run([]string{"000000", code(time.Now().Add(90 * time.Second))}, noShare, "whoami")
	if status != 0 || !strings.Contains(errOut, "wrong code, 9 tries left before a 15-minute lock") {
		t.Fatalf("wrong then right code: exit %d, err %q", status, errOut)
	}
}
