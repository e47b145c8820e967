// Over 600 lines: the SSH server's fixture (a real server, real clients) and
// the tests of sign-in, limits and commands that use it.

package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"gatehouse/db"
	"gatehouse/model"
)

func init() { model.SetFastHashForTests() }

var sys = model.System("test")

// syncBuffer is a bytes.Buffer safe for the server's and the test's
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	svc   *model.Service
	srv   *Server
	addr  string
	logs  *syncBuffer
	owner model.Member
	done  chan error
}

// newFixture opens a real database in a temporary directory with an
// organisation, and starts a real server on a free loopback port.
func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	svc, err := model.Open(ctx, filepath.Join(dir, "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	owner, err := svc.Setup(ctx, sys, model.SetupInput{OrgName: "Acme Advisers", OwnerName: "Olive Owner", OwnerEmail: "olive@example.com", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, dir: dir, svc: svc, owner: owner, logs: &syncBuffer{}}
	f.start(cfg)
	return f
}

func (f *fixture) start(cfg Config) {
	f.t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Commands == nil {
		cfg.Commands = modelRunner(f.svc)
	}
	if cfg.App == nil {
		cfg.App = func(ctx context.Context, s AppSession) tea.Model { return testApp{email: s.Member.Email} }
	}
	cfg.Logger = log.New(f.logs)
	cfg.Logger.SetLevel(log.DebugLevel)
	srv, err := New(f.svc, cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		f.t.Fatal(err)
	}
	done := make(chan error, 1)
	f.srv, f.addr, f.done = srv, srv.Addr().String(), done
	go func() { done <- srv.ListenAndServe() }()
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
}

// member invites and accepts a member with role, and registers a new key.
func (f *fixture) member(email, role string) (model.Member, gossh.Signer) {
	f.t.Helper()
	_, code, err := f.svc.Invite(f.ctx, sys, model.InviteInput{Email: email, Name: strings.Split(email, "@")[0], Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	m, err := f.svc.AcceptInvitation(f.ctx, code, "a long enough password", "test")
	if err != nil {
		f.t.Fatal(err)
	}
	signer := newKey(f.t)
	if _, err := f.svc.AddSSHKey(f.ctx, sys, m.ID, authorizedLine(signer)); err != nil {
		f.t.Fatal(err)
	}
	return m, signer
}

func newKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorizedLine(s gossh.Signer) string { return string(gossh.MarshalAuthorizedKey(s.PublicKey())) }

// client is a real SSH client's connection and what the server told it
// while signing in.
type client struct {
	*gossh.Client
	banners *syncBuffer
}

func (f *fixture) dial(key gossh.Signer, codes ...string) (*client, error) {
	banners := &syncBuffer{}
	auth := []gossh.AuthMethod{gossh.PublicKeys(key)}
	if len(codes) > 0 {
		i := 0
		auth = append(auth, gossh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
			// What OpenSSH prints above the prompt, kept with the banners.
			banners.Write([]byte(instruction + "\n"))
			if len(questions) == 0 {
				return nil, nil
			}
			if i >= len(codes) {
				return nil, errors.New("no more codes")
			}
			i++
			return []string{codes[i-1]}, nil
		}))
	}
	c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "oncall", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		BannerCallback: func(m string) error { banners.Write([]byte(m)); return nil },
		Timeout:        5 * time.Second,
	})
	if err != nil {
		return &client{banners: banners}, err
	}
	return &client{Client: c, banners: banners}, nil
}

func (f *fixture) mustDial(key gossh.Signer, codes ...string) *client {
	f.t.Helper()
	c, err := f.dial(key, codes...)
	if err != nil {
		f.t.Fatalf("dial: %v (server said %q)", err, c.banners.String())
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// run runs one command and returns its stdout, stderr and exit status.
func (c *client) run(t *testing.T, cmd string) (string, string, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr = &out, &errOut
	err = s.Run(cmd)
	code := 0
	var exit *gossh.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitStatus()
	case err != nil:
		t.Fatalf("run %q: %v", cmd, err)
	}
	return out.String(), errOut.String(), code
}

// modelRunner is a small command set backed by the real model, run as
// the principal the server passes: what it may do is what that member
// may do.
func modelRunner(svc *model.Service) CommandRunner {
	return func(ctx context.Context, p model.Principal, args []string, stdout, stderr io.Writer) int {
		fail := func(err error) int {
			var denied *model.DeniedError
			if errors.As(err, &denied) {
				fmt.Fprintf(stderr, "gatehouse: not allowed: %s\n", denied.Decision.Reason)
			} else {
				fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			}
			return 1
		}
		switch {
		case len(args) == 1 && args[0] == "whoami":
			fmt.Fprintf(stdout, "%s %d %d %s|%s\n", p.Kind, p.StaffID, p.ConnectionID, p.Label, p.Origin)
			return 0
		case len(args) == 4 && args[0] == "access" && args[1] == "revoke" && args[2] == "--staff":
			m, err := svc.MemberByEmail(ctx, p, args[3])
			if err != nil {
				return fail(err)
			}
			n, err := svc.Revoke(ctx, p, m.ID, 0, 0)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "revoked %d\n", n)
			return 0
		case len(args) == 4 && args[0] == "toggle":
			acc, _ := strconv.ParseInt(args[1], 10, 64)
			staff, _ := strconv.ParseInt(args[2], 10, 64)
			if err := svc.SetAccountAccess(ctx, p, acc, staff, args[3] == "on"); err != nil {
				return fail(err)
			}
			return 0
		case len(args) == 2 && args[0] == "count-on":
			staff, _ := strconv.ParseInt(args[1], 10, 64)
			grants, err := svc.ListGrants(ctx, p, db.GrantQuery{StaffID: staff})
			if err != nil {
				return fail(err)
			}
			n := 0
			for _, g := range grants {
				if g.AccountID != 0 {
					n++
				}
			}
			fmt.Fprintln(stdout, n)
			return 0
		case len(args) == 1 && args[0] == "wait":
			<-ctx.Done()
			return 0
		case len(args) == 3 && args[0] == "slow-toggle":
			// A write that is still running when the server is asked to
			// stop: it must be let finish.
			time.Sleep(400 * time.Millisecond)
			acc, _ := strconv.ParseInt(args[1], 10, 64)
			staff, _ := strconv.ParseInt(args[2], 10, 64)
			if err := svc.SetAccountAccess(context.Background(), p, acc, staff, true); err != nil {
				return fail(err)
			}
			fmt.Fprintln(stdout, "done")
			return 0
		}
		fmt.Fprintf(stderr, "gatehouse: unknown command %q\n", strings.Join(args, " "))
		return 2
	}
}

// testApp stands in for the terminal app: it shows who is signed in.
type testApp struct{ email string }

func (a testApp) Init() tea.Cmd { return nil }
func (a testApp) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && k.String() == "q" {
		return a, tea.Quit
	}
	return a, nil
}
func (a testApp) View() string { return "signed in as " + a.email }

// shell opens an interactive session with a pty; its output collects in
// the returned buffer, and done closes when it ends.
func (c *client) shell(t *testing.T) (*gossh.Session, *syncBuffer, *syncBuffer, chan error) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut := &syncBuffer{}, &syncBuffer{}
	s.Stdout, s.Stderr = out, errOut
	if err := s.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	return s, out, errOut, done
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// clientWithAccounts creates a client folder with n accounts and adds
// staff to it, with every account toggled off.
func (f *fixture) clientWithAccounts(n int, staff ...int64) []model.Account {
	f.t.Helper()
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("Account %02d", i+1))
	}
	c, err := f.svc.CreateClient(f.ctx, sys, model.ClientInput{Name: "Globex", OwnerID: f.owner.ID, Accounts: names})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, id := range staff {
		if err := f.svc.AddToClient(f.ctx, sys, c.ID, id); err != nil {
			f.t.Fatal(err)
		}
	}
	accs, err := f.svc.Accounts(f.ctx, sys, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, id := range staff {
		for _, a := range accs {
			if err := f.svc.SetAccountAccess(f.ctx, sys, a.ID, id, false); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return accs
}

func TestMemberKeyRunsCommandAsTheMember(t *testing.T) {
	f := newFixture(t, Config{})
	admin, key := f.member("ada@example.com", "Admin")
	c := f.mustDial(key)
	out, errOut, code := c.run(t, "whoami")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fp := gossh.FingerprintSHA256(key.PublicKey())
	want := fmt.Sprintf("member %d 0 ada@example.com|ssh %s from 127.0.0.1:", admin.ID, fp)
	if !strings.HasPrefix(out, want) {
		t.Fatalf("runner got %q, want prefix %q", out, want)
	}
	// The exit status travels back.
	if _, _, code := c.run(t, "no such command"); code != 2 {
		t.Fatalf("unknown command: exit %d, want 2", code)
	}
	if !strings.Contains(f.logs.String(), "signed in") {
		t.Fatalf("no sign-in log: %s", f.logs.String())
	}
}

func TestUnknownKeyMayOnlyJoin(t *testing.T) {
	f := newFixture(t, Config{})
	stranger := newKey(t)
	c := f.mustDial(stranger)
	out, errOut, code := c.run(t, "whoami")
	if code != 1 || out != "" || !strings.Contains(errOut, "not registered to any staff member") {
		t.Fatalf("unknown key ran a command: exit %d, out %q, err %q", code, out, errOut)
	}
	// The way to join is the real command for this server.
	_, port, _ := net.SplitHostPort(f.addr)
	if want := "ssh -p " + port + " 127.0.0.1 join CODE"; !strings.Contains(errOut, want) {
		t.Fatalf("unknown key told %q, want %q", errOut, want)
	}
	if _, errOut, code := c.run(t, "join not-a-code"); code != 1 || !strings.Contains(errOut, "no invitation has that code") {
		t.Fatalf("bad code: exit %d, err %q", code, errOut)
	}
	_, inviteCode, err := f.svc.Invite(f.ctx, sys, model.InviteInput{Email: "newbie@example.com", Name: "New Bie", Role: "Advisor"})
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code = c.run(t, "join "+inviteCode)
	if code != 0 || !strings.Contains(out, "now registered to you") || !strings.Contains(out, "password") {
		t.Fatalf("join: exit %d, out %q, err %q", code, out, errOut)
	}
	// The key now signs the newcomer in.
	c2 := f.mustDial(stranger)
	out, _, code = c2.run(t, "whoami")
	if code != 0 || !strings.Contains(out, "newbie@example.com") {
		t.Fatalf("after join: exit %d, out %q", code, out)
	}
	// The same code does not work twice.
	if _, errOut, code := f.mustDial(newKey(t)).run(t, "join "+inviteCode); code != 1 || !strings.Contains(errOut, "accepted") {
		t.Fatalf("second join: exit %d, err %q", code, errOut)
	}
}

func TestDeactivatedMemberIsRefused(t *testing.T) {
	f := newFixture(t, Config{})
	m, key := f.member("dora@example.com", "Advisor")
	if err := f.svc.Deactivate(f.ctx, sys, m.ID); err != nil {
		t.Fatal(err)
	}
	c, err := f.dial(key)
	if err == nil {
		c.Close()
		t.Fatal("a deactivated member signed in")
	}
	if !strings.Contains(c.banners.String(), "deactivated") {
		t.Fatalf("no reason shown: %q", c.banners.String())
	}
}

func TestSwitchedOffConnectionIsRefused(t *testing.T) {
	f := newFixture(t, Config{})
	key := newKey(t)
	conn, _, err := f.svc.CreateConnection(f.ctx, sys, "Backup robot", model.ConnectionSSH,
		[]model.Permission{{Module: model.ModuleStaff, Verb: model.VerbView, Scope: model.ScopeAll}}, authorizedLine(key))
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := f.mustDial(key).run(t, "whoami")
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("connection 0 %d ", conn.ID)) {
		t.Fatalf("connection: exit %d, out %q, err %q", code, out, errOut)
	}
	if err := f.svc.SetConnectionEnabled(f.ctx, sys, conn.ID, false); err != nil {
		t.Fatal(err)
	}
	c, err := f.dial(key)
	if err == nil {
		c.Close()
		t.Fatal("a switched-off connection signed in")
	}
	if !strings.Contains(c.banners.String(), "Gatehouse:") {
		t.Fatalf("no reason shown: %q", c.banners.String())
	}
}

func TestTOTPIsAskedAsKeyboardInteractive(t *testing.T) {
	f := newFixture(t, Config{})
	m, key := f.member("tess@example.com", "Admin")
	p := model.MemberPrincipal(m, "test")
	enrol, err := f.svc.BeginTOTP(f.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	first, _ := model.TOTPCode(enrol.Secret, now)
	if _, err := f.svc.ConfirmTOTP(f.ctx, p, enrol.Secret, first); err != nil {
		t.Fatal(err)
	}
	// The key alone is not enough.
	if c, err := f.dial(key); err == nil {
		c.Close()
		t.Fatal("signed in without the code")
	}
	// A wrong code is refused.
	c, err := f.dial(key, "000000")
	if err == nil {
		c.Close()
		t.Fatal("signed in with a wrong code")
	}
	if !strings.Contains(c.banners.String(), "wrong code, 9 tries left before a 15-minute lock") {
		t.Fatalf("wrong code: server said %q", c.banners.String())
	}
	// The next step's code (accepted with one step of clock skew) works once.
	next, _ := model.TOTPCode(enrol.Secret, now.Add(30*time.Second))
	good := f.mustDial(key, next)
	if out, _, code := good.run(t, "whoami"); code != 0 || !strings.Contains(out, "tess@example.com") {
		t.Fatalf("after code: exit %d, out %q", code, out)
	}
	replay, err := f.dial(key, next)
	if err == nil {
		replay.Close()
		t.Fatal("a code was accepted twice")
	}
	if !strings.Contains(replay.banners.String(), "already used") {
		t.Fatalf("replay: server said %q", replay.banners.String())
	}
}

func TestRequiredTwoFactorWithoutEnrolmentIsRefused(t *testing.T) {
	f := newFixture(t, Config{})
	_, key := f.member("nora@example.com", "Advisor")
	st, err := f.svc.Settings(f.ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	st.Require2FA = true
	if err := f.svc.UpdateSettings(f.ctx, sys, st); err != nil {
		t.Fatal(err)
	}
	c, err := f.dial(key)
	if err == nil {
		c.Close()
		t.Fatal("signed in without the required 2FA")
	}
	if !strings.Contains(c.banners.String(), "enrol") {
		t.Fatalf("server said %q", c.banners.String())
	}
}

func TestCommandsHaveTheMembersPermissions(t *testing.T) {
	f := newFixture(t, Config{})
	admin, adminKey := f.member("ada@example.com", "Admin")
	_, advisorKey := f.member("avi@example.com", "Advisor")
	target, _ := f.member("tom@example.com", "Advisor")
	f.clientWithAccounts(2, target.ID)

	// The server itself could do anything; an Advisor cannot.
	out, errOut, code := f.mustDial(advisorKey).run(t, "access revoke --staff tom@example.com")
	if code == 0 || !strings.Contains(errOut, "not allowed:") {
		t.Fatalf("advisor revoke: exit %d, out %q, err %q", code, out, errOut)
	}
	if grants, _ := f.svc.ListGrants(f.ctx, sys, db.GrantQuery{StaffID: target.ID}); len(grants) == 0 {
		t.Fatal("the advisor's refused revoke took access away")
	}

	out, errOut, code = f.mustDial(adminKey).run(t, "access revoke --staff tom@example.com")
	if code != 0 || !strings.Contains(out, "revoked 1") {
		t.Fatalf("admin revoke: exit %d, out %q, err %q", code, out, errOut)
	}
	entries, err := f.svc.ListAudit(f.ctx, sys, model.AuditQuery{StaffID: target.ID})
	if err != nil {
		t.Fatal(err)
	}
	var found *model.AuditEntry
	for i := range entries {
		if entries[i].ActorID == admin.ID && entries[i].ActorKind == model.KindMember {
			found = &entries[i]
			break
		}
	}
	if found == nil {
		t.Fatalf("no audit entry by the admin among %d", len(entries))
	}
	fp := gossh.FingerprintSHA256(adminKey.PublicKey())
	if !strings.HasPrefix(found.Origin, "ssh "+fp+" from 127.0.0.1:") {
		t.Fatalf("audit origin %q does not name the key and address", found.Origin)
	}
}

func TestDeactivationEndsALiveSessionWithinASecond(t *testing.T) {
	f := newFixture(t, Config{})
	m, key := f.member("dan@example.com", "Advisor")
	c := f.mustDial(key)
	_, out, errOut, done := c.shell(t)
	waitFor(t, "the app", 3*time.Second, func() bool { return strings.Contains(out.String(), "signed in as dan@example.com") })

	cmdSess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	cmdDone := make(chan error, 1)
	go func() { cmdDone <- cmdSess.Run("wait") }()
	waitFor(t, "two sessions", 3*time.Second, func() bool { return f.srv.reg.count() == 2 })

	start := time.Now()
	if err := f.svc.Deactivate(f.ctx, sys, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []chan error{done, cmdDone} {
		select {
		case err := <-ch:
			var exit *gossh.ExitError
			if !errors.As(err, &exit) || exit.ExitStatus() == 0 {
				t.Fatalf("session ended with %v, want a non-zero exit", err)
			}
		case <-time.After(time.Second - time.Since(start)):
			t.Fatalf("a session was still open %s after the deactivation", time.Since(start))
		}
	}
	if !strings.Contains(errOut.String(), "deactivated") {
		t.Fatalf("the member was not told why: %q", errOut.String())
	}
}

func TestSessionCaps(t *testing.T) {
	f := newFixture(t, Config{MaxSessions: 2, MaxSessionsPerMember: 1})
	_, key := f.member("cap@example.com", "Advisor")
	_, other := f.member("other@example.com", "Advisor")
	_, third := f.member("third@example.com", "Advisor")
	c := f.mustDial(key)
	_, _, _, _ = c.shell(t)
	waitFor(t, "the first session", 3*time.Second, func() bool { return f.srv.reg.count() == 1 })
	_, errOut, code := c.run(t, "whoami")
	if code != 1 || !strings.Contains(errOut, "already have 1 open sessions") {
		t.Fatalf("per-member cap: exit %d, err %q", code, errOut)
	}
	o := f.mustDial(other)
	_, _, _, _ = o.shell(t)
	waitFor(t, "the second session", 3*time.Second, func() bool { return f.srv.reg.count() == 2 })
	_, errOut, code = f.mustDial(third).run(t, "whoami")
	if code != 1 || !strings.Contains(errOut, "maximum of 2 open sessions") {
		t.Fatalf("overall cap: exit %d, err %q", code, errOut)
	}
	if !strings.Contains(f.logs.String(), "session refused") {
		t.Fatal("refusals are not logged")
	}
}

func TestConcurrentTogglesLoseNoUpdate(t *testing.T) {
	const n = 20
	f := newFixture(t, Config{MaxSessionsPerMember: n + 5})
	_, adminKey := f.member("ada@example.com", "Admin")
	advisor, _ := f.member("avi@example.com", "Advisor")
	accs := f.clientWithAccounts(n, advisor.ID)
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = f.mustDial(adminKey)
	}
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.NewSession()
			if err != nil {
				errs <- err.Error()
				return
			}
			defer s.Close()
			out, err := s.CombinedOutput(fmt.Sprintf("toggle %d %d on", accs[i].ID, advisor.ID))
			if err != nil || len(out) > 0 {
				errs <- fmt.Sprintf("toggle %d: %v %s", i, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	// Another session sees every one of the others' changes.
	out, errOut, code := clients[0].run(t, fmt.Sprintf("count-on %d", advisor.ID))
	if code != 0 || strings.TrimSpace(out) != strconv.Itoa(n) {
		t.Fatalf("count-on: exit %d, out %q, err %q", code, out, errOut)
	}
	if strings.Contains(f.logs.String(), "database is locked") {
		t.Fatal("the database was locked")
	}
}

func TestHostKeyIsCreatedPrivateAndKept(t *testing.T) {
	f := newFixture(t, Config{})
	path := filepath.Join(f.dir, HostKeyFile)
	if f.srv.HostKeyPath() != path {
		t.Fatalf("host key at %s, want next to the database: %s", f.srv.HostKeyPath(), path)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %o, want 600", info.Mode().Perm())
	}
	hostKey := func() string {
		var got string
		c, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(newKey(t))},
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { got = gossh.FingerprintSHA256(k); return nil }})
		if err == nil {
			c.Close()
		}
		return got
	}
	first := hostKey()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	f.start(Config{})
	if second := hostKey(); first == "" || second != first {
		t.Fatalf("host key changed across restarts: %q then %q", first, second)
	}
}

func TestGracefulShutdownLetsWritesFinish(t *testing.T) {
	f := newFixture(t, Config{})
	_, adminKey := f.member("ada@example.com", "Admin")
	advisor, advisorKey := f.member("avi@example.com", "Advisor")
	accs := f.clientWithAccounts(1, advisor.ID)

	// An interactive session, and a command in the middle of a write.
	_, _, appErr, appDone := f.mustDial(advisorKey).shell(t)
	admin := f.mustDial(adminKey)
	s, err := admin.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr = &out, &errOut
	cmdDone := make(chan error, 1)
	go func() { cmdDone <- s.Run(fmt.Sprintf("slow-toggle %d %d", accs[0].ID, advisor.ID)) }()
	waitFor(t, "both sessions", 3*time.Second, func() bool { return f.srv.reg.count() == 2 })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-cmdDone; err != nil || strings.TrimSpace(out.String()) != "done" {
		t.Fatalf("the running command was cut short: %v, out %q, err %q", err, out.String(), errOut.String())
	}
	grants, _ := f.svc.ListGrants(f.ctx, sys, db.GrantQuery{StaffID: advisor.ID})
	if len(grants) != 1 || grants[0].AccountID != accs[0].ID {
		t.Fatalf("the write did not land: %+v", grants)
	}
	<-appDone
	if !strings.Contains(appErr.String(), "shutting down") {
		t.Fatalf("the interactive session was not told: %q", appErr.String())
	}
	if err := <-f.done; err != nil {
		t.Fatalf("ListenAndServe: %v", err)
	}
	if c, err := f.dial(adminKey); err == nil {
		c.Close()
		t.Fatal("a connection was accepted after shutdown")
	}
}

func TestIdleSessionsEnd(t *testing.T) {
	f := newFixture(t, Config{})
	_, key := f.member("ida@example.com", "Advisor")
	_, out, errOut, done := f.mustDial(key).shell(t)
	waitFor(t, "the app", 3*time.Second, func() bool { return strings.Contains(out.String(), "signed in as") })
	org, err := f.svc.Org(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Just inside the timeout nothing happens; past it, the session ends.
	f.srv.expireIdle(time.Now().Add(org.IdleTimeout-time.Second), org.IdleTimeout)
	select {
	case <-done:
		t.Fatal("ended before the idle timeout")
	case <-time.After(100 * time.Millisecond):
	}
	f.srv.expireIdle(time.Now().Add(org.IdleTimeout+time.Second), org.IdleTimeout)
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("an idle session stayed open")
	}
	if !strings.Contains(errOut.String(), "idle timeout") {
		t.Fatalf("not told why: %q", errOut.String())
	}
}

// dialFrom signs in like dial, from a chosen loopback source address.
func (f *fixture) dialFrom(src string, key gossh.Signer) (*client, error) {
	banners := &syncBuffer{}
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", f.addr)
	if err != nil {
		return &client{banners: banners}, err
	}
	c, chans, reqs, err := gossh.NewClientConn(conn, f.addr, &gossh.ClientConfig{
		User: "oncall", Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		BannerCallback: func(m string) error { banners.Write([]byte(m)); return nil },
	})
	if err != nil {
		conn.Close()
		return &client{banners: banners}, err
	}
	return &client{Client: gossh.NewClient(c, chans, reqs), banners: banners}, nil
}

// Keys nobody registered are capped per address and in total, and their
// connections close after a short while; connections that never sign in
// are capped and closed too. Members are not held up by either.
func TestStrangersAreCappedAndTimedOut(t *testing.T) {
	f := newFixture(t, Config{MaxUnknownKeys: 3, MaxUnknownKeysPerAddress: 2, UnknownKeyTimeout: 700 * time.Millisecond,
		MaxSigningInPerAddress: 3, LoginGraceTime: 400 * time.Millisecond})
	_, memberKey := f.member("mia@example.com", "Advisor")
	var open []*client
	refused := func(src, want string) {
		t.Helper()
		c, err := f.dialFrom(src, newKey(t))
		if err == nil {
			c.Close()
			t.Fatalf("an unknown key from %s over the cap signed in", src)
		}
		if !strings.Contains(c.banners.String(), want) {
			t.Fatalf("refused from %s with %q, want %q", src, c.banners.String(), want)
		}
	}
	for i, src := range []string{"127.0.0.1", "127.0.0.1", "127.0.0.2"} {
		if i == 2 {
			// A third from the same address is refused, with a reason.
			refused("127.0.0.1", "from your address")
		}
		c, err := f.dialFrom(src, newKey(t))
		if err != nil {
			t.Fatalf("unknown key from %s: %v (%q)", src, err, c.banners.String())
		}
		defer c.Close()
		open = append(open, c)
	}
	if _, n := f.srv.gate.counts(); n != 3 {
		t.Fatalf("%d unknown-key connections counted, want 3", n)
	}
	// A fourth overall is refused.
	refused("127.0.0.3", "the most it takes")
	// A member signs in and works meanwhile, from the same address.
	if out, errOut, code := f.mustDial(memberKey).run(t, "whoami"); code != 0 || !strings.Contains(out, "mia@example.com") {
		t.Fatalf("member during the cap: exit %d, %q %q", code, out, errOut)
	}
	// The unknown keys' connections close after the timeout, and free
	// their places.
	for i, c := range open {
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatalf("unknown-key connection %d still open after the timeout", i)
		}
	}
	waitFor(t, "the places freed", 2*time.Second, func() bool { _, n := f.srv.gate.counts(); return n == 0 })
	c, err := f.dialFrom("127.0.0.1", newKey(t))
	if err != nil {
		t.Fatalf("after the timeout: %v", err)
	}
	c.Close()

	// Connections that never speak SSH: three from one address are held,
	// the fourth is closed at once, and the three are closed after the
	// login grace time.
	var raw []net.Conn
	for range 3 {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.4")}}
		conn, err := d.Dial("tcp", f.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		raw = append(raw, conn)
	}
	waitFor(t, "three signing in", 2*time.Second, func() bool { n, _ := f.srv.gate.counts(); return n == 3 })
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.4")}}
	extra, err := d.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	extra.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := extra.Read(make([]byte, 64)); err == nil {
		t.Fatalf("a fourth connection from one address was served (%d bytes)", n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a fourth connection from one address was held open")
	}
	start := time.Now()
	for _, conn := range raw {
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 256)
		for {
			if _, err := conn.Read(buf); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("a connection that never signed in outlived the login grace time")
				}
				break
			}
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("closed after %s, want about the 400 ms grace", d)
	}
	waitFor(t, "none signing in", 2*time.Second, func() bool { n, _ := f.srv.gate.counts(); return n == 0 })
}

// New connections that do not sign in as a member are rate-limited per
// address; a member's own connections give their token back, so a member
// connecting often is never held up by it.
func TestStrangersAreRateLimitedPerAddress(t *testing.T) {
	f := newFixture(t, Config{NewConnectionsPerSecond: 1})
	_, memberKey := f.member("mo@example.com", "Advisor")
	for i := range 2 {
		c, err := f.dialFrom("127.0.0.6", newKey(t))
		if err != nil {
			t.Fatalf("stranger %d within the burst: %v", i, err)
		}
		c.Close()
	}
	if c, err := f.dialFrom("127.0.0.6", newKey(t)); err == nil {
		c.Close()
		t.Fatal("a third stranger in the same second was let in")
	}
	if !strings.Contains(f.logs.String(), "did not sign in as a member") {
		t.Fatalf("the refusal is not logged:\n%s", f.logs.String())
	}
	// Another address is not affected.
	if c, err := f.dialFrom("127.0.0.7", newKey(t)); err != nil {
		t.Fatalf("another address: %v", err)
	} else {
		c.Close()
	}
	time.Sleep(1100 * time.Millisecond)
	for i := range 5 {
		c, err := f.dialFrom("127.0.0.6", memberKey)
		if err != nil {
			t.Fatalf("member connection %d: %v", i, err)
		}
		c.Close()
	}
}

func TestConnectCommand(t *testing.T) {
	host, _ := os.Hostname()
	for addr, want := range map[string]string{
		"127.0.0.1:2222": "ssh -p 2222 127.0.0.1",
		"10.0.0.5:22":    "ssh 10.0.0.5",
		"[::1]:2222":     "ssh -p 2222 [::1]",
		"0.0.0.0:2222":   "ssh -p 2222 " + host,
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := ConnectCommand(a); got != want {
			t.Errorf("ConnectCommand(%s) = %q, want %q", addr, got, want)
		}
	}
}
