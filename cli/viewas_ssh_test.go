package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"gatehouse/db"
	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/sshd"
)

// sshDemo is the demo served over SSH by the real server, app and
// commands, on a private database.
type sshDemo struct {
	t    *testing.T
	ctx  context.Context
	svc  *model.Service
	info model.DemoInfo
	addr string
	keys map[string]gossh.Signer
}

func newSSHDemo(t *testing.T) *sshDemo {
	t.Helper()
	ctx := context.Background()
	svc, err := model.Open(ctx, filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	info, err := svc.PopulateDemo(ctx, model.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sshd.New(svc, sshd.Config{Listen: "127.0.0.1:0", HostKeyPath: filepath.Join(t.TempDir(), "host_key"),
		Commands: sshCommands(svc), App: sshApp(svc)})
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
		_ = srv.Shutdown(ctx)
	})
	return &sshDemo{t: t, ctx: ctx, svc: svc, info: info, addr: srv.Addr().String(), keys: map[string]gossh.Signer{}}
}

// demoMember is the demo's member with email.
func (d *sshDemo) member(email string) model.DemoMember {
	for _, m := range d.info.Members {
		if m.Email == email {
			return m
		}
	}
	d.t.Fatalf("no demo member %s", email)
	return model.DemoMember{}
}

// dial signs in as the member with email: a new key registered for them,
// and their current code.
func (d *sshDemo) dial(email string) *gossh.Client {
	d.t.Helper()
	signer, ok := d.keys[email]
	if !ok {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			d.t.Fatal(err)
		}
		if signer, err = gossh.NewSignerFromKey(priv); err != nil {
			d.t.Fatal(err)
		}
		m, err := d.svc.MemberByEmail(d.ctx, model.System("test"), email)
		if err != nil {
			d.t.Fatal(err)
		}
		if _, err := d.svc.AddSSHKey(d.ctx, model.System("test"), m.ID, string(gossh.MarshalAuthorizedKey(signer.PublicKey()))); err != nil {
			d.t.Fatal(err)
		}
		d.keys[email] = signer
	}
	secret := d.member(email).TOTPSecret
	answer := func(_, _ string, questions []string, _ []bool) ([]string, error) {
		if len(questions) == 0 {
			return nil, nil
		}
		if secret == "" {
			return nil, errors.New("no two-factor secret")
		}
		code, err := model.TOTPCode(secret, time.Now())
		return []string{code}, err
	}
	c, err := gossh.Dial("tcp", d.addr, &gossh.ClientConfig{User: "gatehouse",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer), gossh.KeyboardInteractive(answer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		d.t.Fatalf("ssh as %s: %v", email, err)
	}
	d.t.Cleanup(func() { c.Close() })
	return c
}

// terminal is an interactive session with a pseudo-terminal.
type terminal struct {
	t     *testing.T
	in    interface{ Write([]byte) (int, error) }
	out   *lockedBuffer
	tab   int
	close func()
}

func (d *sshDemo) terminal(c *gossh.Client) *terminal {
	d.t.Helper()
	s, err := c.NewSession()
	if err != nil {
		d.t.Fatal(err)
	}
	out := &lockedBuffer{}
	s.Stdout, s.Stderr = out, out
	if err := s.RequestPty("xterm-256color", 50, 200, gossh.TerminalModes{}); err != nil {
		d.t.Fatal(err)
	}
	in, err := s.StdinPipe()
	if err != nil {
		d.t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { s.Close() })
	return &terminal{t: d.t, in: in, out: out, close: func() { s.Close() }}
}

// waitFor waits until the output holds text.
func (tm *terminal) waitFor(text string) {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(tm.out.String(), text) {
		if time.Now().After(deadline) {
			out := tm.out.String()
			tm.t.Fatalf("the terminal never showed %q; it ended with %q", text, out[max(len(out)-3000, 0):])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settle waits until the app has drawn nothing new for half a second:
// every key sent has been handled.
func (tm *terminal) settle() {
	n := -1
	for n != len(tm.out.String()) {
		n = len(tm.out.String())
		time.Sleep(500 * time.Millisecond)
	}
}

// terminalKeys are the bytes a terminal sends for named keys.
var terminalKeys = map[string]string{"enter": "\r", "tab": "\t", "esc": "\x1b", "left": "\x1b[D", "right": "\x1b[C",
	"up": "\x1b[A", "down": "\x1b[B", "ctrl+s": "\x13", "shift+tab": "\x1b[Z", "home": "\x1b[H", "end": "\x1b[F",
	"pgup": "\x1b[5~", "pgdown": "\x1b[6~", "backspace": "\x7f"}

// press sends keys one at a time; an escape is left alone long enough not
// to be read as the start of another key.
func (tm *terminal) press(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		b, ok := terminalKeys[k]
		if !ok {
			b = k
		}
		if _, err := tm.in.Write([]byte(b)); err != nil {
			tm.t.Fatalf("send %q: %v", k, err)
		}
		if strings.HasPrefix(b, "\x1b") {
			time.Sleep(12 * time.Millisecond)
		}
	}
}

// sshLensViews are the views walked over SSH: each tab (by its place in
// the tab order) and the sub-views whose keys act on a record.
var sshLensViews = []struct {
	tab  int
	path []string
}{
	{0, []string{"j"}}, {0, []string{"j", "enter"}}, {0, []string{"l"}},
	{1, nil}, {1, []string{"m"}}, {1, []string{"m", "enter"}},
	{2, nil}, {4, nil}, {6, nil},
}

// Over SSH, with a real client, an Advisor of the demo views as the Owner
// and tries every write key on every screen: the database and the audit
// log stay as they were, and the refusal says view as only shows.
func TestViewAsIsALensOverSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every write key over SSH")
	}
	t.Parallel()
	d := newSSHDemo(t)
	sara, olivia := d.info.ExampleAdvisor, d.info.Members[0]
	tm := d.terminal(d.dial(sara))
	tm.waitFor("Advisor")
	tm.press("V")
	tm.waitFor("View the organisation as")
	tm.press(olivia.Email)
	time.Sleep(200 * time.Millisecond)
	tm.press("enter")
	tm.waitFor("viewing as " + olivia.Name)

	before, err := db.Fingerprint(d.ctx, d.svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	var writes []string
	seen := map[string]bool{}
	for _, b := range keymap.All().Bindings() {
		for _, k := range b.Keys() {
			if keymap.Writes(b) && !seen[k] {
				seen[k] = true
				writes = append(writes, k)
			}
		}
	}
	for _, v := range sshLensViews {
		for _, k := range writes {
			tm.press("esc", "esc", "esc")
			for ; tm.tab != v.tab; tm.tab = (tm.tab + 1) % 7 {
				tm.press("tab")
			}
			tm.press(v.path...)
			time.Sleep(10 * time.Millisecond)
			tm.press(k, "y", "enter")
		}
	}
	tm.settle()
	if !strings.Contains(tm.out.String(), "View as only shows what "+olivia.Name+" sees and may do") {
		t.Error("no write key was refused with the view-as message")
	}
	after, err := db.Fingerprint(d.ctx, d.svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		var n int
		d.svc.DB().Read().QueryRowContext(d.ctx, `SELECT count(*) FROM audit_log`).Scan(&n)
		es, _ := d.svc.ListAudit(d.ctx, model.System("test"), model.AuditQuery{Limit: 3})
		t.Fatalf("view as over SSH changed the database; audit log %d entries, the newest %+v", n, es)
	}
}
