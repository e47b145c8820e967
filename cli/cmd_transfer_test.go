package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"gatehouse/model"
	"gatehouse/sshd"
)

// Over a real SSH connection the Owner re-enters their password on the
// session's standard input, as the app asks for it: without it nothing
// happens; a wrong one is refused and recorded; the right one transfers.
func TestTransferOwnershipOverSSHTakesThePasswordOnStdin(t *testing.T) {
	t.Parallel()
	d := newRemoteDemo(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	// An Owner without two-factor authentication, who signs in by key
	// alone: Priya, made the Owner by the holder of the file.
	if err := d.svc.TransferOwnership(d.ctx, model.System("test"), d.member(priya).StaffID, ""); err != nil {
		t.Fatal(err)
	}
	owner := d.member(priya)
	if _, err := d.svc.AddSSHKey(d.ctx, model.System("test"), owner.StaffID, string(gossh.MarshalAuthorizedKey(signer.PublicKey()))); err != nil {
		t.Fatal(err)
	}
	srv, err := sshd.New(d.svc, sshd.Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "host_key"),
		Commands: sshCommands(d.svc), Logger: log.New(io.Discard)})
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
	c, err := gossh.Dial("tcp", srv.Addr().String(), &gossh.ClientConfig{User: "oncall", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	run := func(stdin, line string) result {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var out, errOut bytes.Buffer
		s.Stdin, s.Stdout, s.Stderr = strings.NewReader(stdin), &out, &errOut
		err = s.Run(line)
		r := result{stdout: out.String(), stderr: errOut.String()}
		var exit *gossh.ExitError
		if errors.As(err, &exit) {
			r.code = exit.ExitStatus()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	before := snapshot(t, d.path)
	cmd := "org transfer-ownership --to " + marcus + " --yes"
	if r := run("", cmd); r.code != 2 || !strings.Contains(r.stderr, "--password-stdin") {
		t.Fatalf("without the password: %+v", r)
	}
	if r := run("", cmd+" --password-stdin"); r.code != 2 || !strings.Contains(r.stderr, "held no password") {
		t.Fatalf("with no input: %+v", r)
	}
	if snapshot(t, d.path) != before {
		t.Fatal("a transfer without a password changed the database")
	}
	if r := run("not her password\n", cmd+" --password-stdin"); r.code != 1 || !strings.Contains(r.stderr, "the password is not right") {
		t.Fatalf("a wrong password: %+v", r)
	}
	if n := count(t, d.path, `SELECT count(*) FROM audit_log WHERE action = 'org.transfer-ownership.failure' AND actor = '`+priya+`'`); n != 1 {
		t.Fatalf("the wrong password left %d failure entries", n)
	}
	r := run("demo-priya-pass\n", cmd+" --password-stdin --json")
	if r.code != 0 || !strings.Contains(r.stdout, `"command": "org transfer-ownership"`) {
		t.Fatalf("the right password: %+v", r)
	}
	m, err := d.svc.MemberByEmail(d.ctx, model.System("test"), marcus)
	if err != nil || m.RoleName != "Owner" {
		t.Fatalf("marcus is %s after the transfer (%v)", m.RoleName, err)
	}
	if n := count(t, d.path, `SELECT count(*) FROM audit_log WHERE action = 'org.transfer-ownership' AND actor = '`+priya+`' AND target = '`+marcus+`'`); n != 1 {
		t.Fatalf("%d org.transfer-ownership entries", n)
	}
	// Now an Admin, she may not transfer it again.
	if r := run("demo-priya-pass\n", "org transfer-ownership --to "+olivia+" --yes --password-stdin"); r.code != 1 || !strings.Contains(r.stderr, "not allowed: ") {
		t.Fatalf("the former Owner: %+v", r)
	}
}
