package cli

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// sshKeyFiles writes a new ed25519 key pair as OpenSSH files (private
// 0600) and returns the private key's path.
func sshKeyFiles(t *testing.T, dir string) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "tail-test")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, _ := gossh.NewSignerFromKey(priv)
	if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// serveOnFreePort runs `gatehouse serve` on the database until the test
// ends (stopped with SIGTERM, as an operator would) and returns its port
// and its log.
func serveOnFreePort(t *testing.T, dbPath string, extra ...string) (int, *lockedBuffer, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	logs := &lockedBuffer{}
	cmd := gatehouseCmd("", append([]string{"--db", dbPath, "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port)}, extra...)...)
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	t.Cleanup(stop)
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			if !said && strings.HasPrefix(sc.Text(), "Connect with:") {
				said = true
				listening <- true
			}
		}
		if !said {
			listening <- false
		}
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatalf("serve stopped before listening:\n%s", logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen:\n%s", logs.String())
	}
	return port, logs, stop
}

// sshCommand is OpenSSH's client running one command on the server.
func sshCommand(port int, key string, args ...string) *exec.Cmd {
	return exec.Command("ssh", append([]string{"-F", "/dev/null", "-p", fmt.Sprint(port), "-i", key, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "owner@127.0.0.1"}, args...)...)
}

type tailed struct {
	ID       int64  `json:"id"`
	Action   string `json:"action"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// `audit tail --follow --format jsonl`, run by OpenSSH's client against
// `gatehouse serve`, delivers every entry written by five writer
// processes running at once exactly once, in chain order, each with its
// hash and previous hash; a tail started again with --since-id resumes
// with no gap and no repeat.
func TestAuditTailFollowOverSSH(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end: serve, OpenSSH and writer processes")
	}
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("OpenSSH's client is not installed")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "g.db")
	env := []string{"GATEHOUSE_PASSWORD=correct horse battery staple"}
	wantCode(t, runCLIWithEnv(t, env, "--db", dbPath, "init", "--org", "Acme", "--name", "Owen Owner", "--email", "owen@acme.test"), 0, "init")
	key := sshKeyFiles(t, dir)
	wantCode(t, runCLI(t, "--db", dbPath, "keys", "add", "owen@acme.test", key+".pub"), 0, "keys add")
	port, logs, _ := serveOnFreePort(t, dbPath, "--anchor-every", "0")

	start := int64(count(t, dbPath, `SELECT max(id) FROM audit_log`))
	tail := sshCommand(port, key, "audit", "tail", "--follow", "--format", "jsonl", "--since-id", fmt.Sprint(start))
	out, err := tail.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tailErr := &lockedBuffer{}
	tail.Stderr = tailErr
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tail.Process.Kill(); tail.Wait() })
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	// Five writers at once, each a stream of processes inviting people.
	const writers, each = 5, 6
	var wg sync.WaitGroup
	errs := make(chan string, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				email := fmt.Sprintf("w%d-%d@acme.test", w, i)
				cmd := gatehouseCmd("", "--db", dbPath, "staff", "invite", email, "--name", fmt.Sprintf("Writer %d %d", w, i), "--role", "Advisor")
				if b, err := cmd.CombinedOutput(); err != nil {
					errs <- fmt.Sprintf("%s: %v %s", email, err, b)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	last := int64(count(t, dbPath, `SELECT max(id) FROM audit_log`))
	if last-start < writers*each {
		t.Fatalf("the writers added %d entries, want at least %d", last-start, writers*each)
	}

	seen := map[int64]int{}
	var got []tailed
	deadline := time.After(30 * time.Second)
	for len(got) == 0 || got[len(got)-1].ID < last {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the tail ended after %d entries: %s\nserver: %s", len(got), tailErr.String(), logs.String())
			}
			var e tailed
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("not a JSON line: %q", l)
			}
			seen[e.ID]++
			got = append(got, e)
		case <-deadline:
			t.Fatalf("after 30s the tail had %d of %d entries", len(got), last-start)
		}
	}
	for id := start + 1; id <= last; id++ {
		if seen[id] != 1 {
			t.Errorf("entry %d delivered %d times", id, seen[id])
		}
	}
	prev := ""
	for i, e := range got {
		if len(e.Hash) != 64 || len(e.PrevHash) != 64 {
			t.Fatalf("entry %d lacks its hashes: %+v", e.ID, e)
		}
		if i > 0 && e.PrevHash != prev {
			t.Errorf("entry %d's previous hash is not entry %d's hash", e.ID, got[i-1].ID)
		}
		prev = e.Hash
	}
	invites := 0
	for _, e := range got {
		if e.Action == "invitation.create" {
			invites++
		}
	}
	if invites != writers*each {
		t.Errorf("%d invitations delivered, want %d", invites, writers*each)
	}

	t.Logf("%d entries (%d to %d) delivered once each", len(got), start+1, last)
	// Resuming from the middle, locally this time: exactly the rest.
	mid := start + (last-start)/2
	r := runCLI(t, "--db", dbPath, "audit", "tail", "--format", "jsonl", "--since-id", fmt.Sprint(mid))
	wantCode(t, r, 0, "audit tail --since-id")
	var ids []int64
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var e tailed
		json.Unmarshal([]byte(l), &e)
		ids = append(ids, e.ID)
	}
	if len(ids) == 0 || ids[0] != mid+1 || ids[len(ids)-1] < last || int64(len(ids)) != ids[len(ids)-1]-mid {
		t.Errorf("resumed after %d: got ids %v", mid, ids)
	}
}

// `serve` writes a checkpoint on its timer when the log moved, and one at
// shutdown after the last writes, and logs each; the checkpoints verify.
func TestServeWritesAnchors(t *testing.T) {
	t.Parallel()
	dbPath := demoCopy(t)
	anchors := filepath.Join(t.TempDir(), "offsite", "serve.anchors")
	_, logs, stop := serveOnFreePort(t, dbPath, "--anchor-every", "300ms", "--anchor-out", anchors)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "audit anchor why=timer") {
		if time.Now().After(deadline) {
			t.Fatalf("no timed anchor in the log:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	wantCode(t, runCLI(t, "--db", dbPath, "access", "revoke", "--staff", sara, "--client", "Acme Ltd", "--account", "Payroll"), 0, "revoke")
	stop()
	if !strings.Contains(logs.String(), "why=shutdown") {
		t.Fatalf("no anchor at shutdown in the log:\n%s", logs.String())
	}
	data, err := os.ReadFile(anchors)
	if err != nil {
		t.Fatal(err)
	}
	var lastCp struct{ Entries int64 }
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	json.Unmarshal([]byte(lines[len(lines)-1]), &lastCp)
	if max := int64(count(t, dbPath, `SELECT max(id) FROM audit_log`)); lastCp.Entries != max {
		t.Errorf("the last checkpoint is at entry %d, the log ends at %d", lastCp.Entries, max)
	}
	r := runCLI(t, "--db", dbPath, "audit", "verify", "--anchor", anchors)
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("matches %d of %d checkpoint(s)", len(lines), len(lines))) {
		t.Errorf("verify against serve's anchors: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
