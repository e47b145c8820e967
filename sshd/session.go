package sshd

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/anmitsu/go-shlex"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"gatehouse/model"
)

// forceCloseAfter is how long an ended session's handler may take to
// notice before the channel is closed under it.
const forceCloseAfter = 500 * time.Millisecond

// middleware is the whole session handler: every session passes here.
func (s *Server) middleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.serve(sess)
		next(sess)
	}
}

func (s *Server) serve(sess ssh.Session) {
	who, ok := identityOf(sess.Permissions().Permissions)
	if !ok {
		// Cannot happen: authentication always sets an identity.
		wish.Fatalln(sess, "gatehouse: this connection is not signed in")
		return
	}
	_, _, hasPty := sess.Pty()
	args := sess.Command()
	if _, err := shlex.Split(sess.RawCommand(), true); err != nil {
		// The command line is split as a POSIX shell would; with a quote
		// left open the split stops short, and what is left must not run.
		fail(sess, "the command has a quote that is not closed; quote the whole command once more, for example: "+
			ConnectCommand(sess.LocalAddr())+` 'access revoke --client "Acme Ltd"'`)
		return
	}
	interactive := len(args) == 0
	remote := addr(sess.RemoteAddr())
	s.log.Info("session", "remote", remote, "who", who.key(), "fingerprint", who.fingerprint,
		"command", commandName(args), "pty", hasPty)

	ls, err := s.reg.admit(s.base, who, interactive, following(args), commandName(args), time.Now())
	if err != nil {
		s.log.Warn("session refused", "remote", remote, "who", who.key(), "reason", err.Error())
		fail(sess, err.Error())
		return
	}
	defer s.reg.remove(ls)
	if who.kind != kindUnknown {
		st, err := s.attach(sess.Context(), ls)
		if err != nil {
			s.log.Warn("session refused", "remote", remote, "who", who.key(), "reason", err.Error())
			fail(sess, err.Error())
			return
		}
		defer st.leave(ls)
	}
	stop := context.AfterFunc(ls.ctx, func() { s.forceClose(sess, ls) })
	defer stop()

	code := s.dispatch(sess, ls, args, hasPty)
	ls.finished.Store(true)
	if reason := ls.endReason(); reason != "" {
		fmt.Fprintf(sess.Stderr(), "\ngatehouse: %s\n", model.Sanitize(reason))
		if code == 0 {
			code = 1
		}
	}
	s.log.Info("session closed", "remote", remote, "who", who.key(), "command", commandName(args), "exit", code)
	_ = sess.Exit(code)
}

// forceClose closes a session whose handler did not return soon after
// the session was ended (a command stuck in a call that ignores its
// context): the member is out either way.
func (s *Server) forceClose(sess ssh.Session, ls *liveSession) {
	reason := ls.endReason()
	if reason == "" {
		return // the handler finished normally
	}
	time.AfterFunc(forceCloseAfter, func() {
		if ls.finished.Load() {
			return
		}
		fmt.Fprintf(sess.Stderr(), "\ngatehouse: %s\n", model.Sanitize(reason))
		_ = sess.Exit(1)
		_ = sess.Close()
	})
}

func (s *Server) dispatch(sess ssh.Session, ls *liveSession, args []string, hasPty bool) int {
	who := ls.who
	switch {
	case who.kind == kindUnknown:
		return s.serveUnknown(sess, ls, args)
	case len(args) > 0 && args[0] == "join" && !slices.ContainsFunc(args[1:], isHelpArg):
		fmt.Fprintf(sess.Stderr(), "gatehouse: this key is already registered; join is for redeeming an invitation with a new key\n")
		return 2
	case len(args) > 0:
		return s.runCommand(sess, ls, args)
	case who.kind == kindConnection:
		fmt.Fprintf(sess.Stderr(), "gatehouse: a connection may run commands only (ssh HOST COMMAND); the terminal app is for staff members\n")
		return 1
	case !hasPty:
		fmt.Fprintf(sess.Stderr(), "gatehouse: the terminal app needs a terminal: connect with ssh -t, or give a command (ssh HOST help)\n")
		return 1
	}
	return s.runApp(sess, ls)
}

// runCommand runs one CLI command as the session's member or connection.
func (s *Server) runCommand(sess ssh.Session, ls *liveSession, args []string) int {
	if s.cfg.Commands == nil {
		fmt.Fprintf(sess.Stderr(), "gatehouse: this server runs no commands\n")
		return 1
	}
	p := ls.who.principal()
	if a, err := s.svc.Actor(ls.ctx, p); err == nil {
		p.Label = a.Label
		if ls.who.kind == kindMember {
			p.Label = a.Email
		}
	}
	// With a pty, the session turns \n into \n for the raw terminal.
	ctx := context.WithValue(ls.ctx, connectKey{}, ConnectCommand(sess.LocalAddr()))
	ctx = context.WithValue(ctx, stdinKey{}, io.Reader(sess))
	// A client that goes away stops its command: one that waits for news
	// (audit tail --follow) would otherwise wait on for nobody.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(sess.Context(), cancel)()
	code := s.cfg.Commands(ctx, p, args, sess, sess.Stderr())
	s.log.Info("command", "who", ls.who.key(), "command", commandName(args), "exit", code)
	return code
}

type connectKey struct{}

type stdinKey struct{}

// StdinFrom is, inside a command run over SSH, what the client sends on
// the session's standard input (a password a command reads with
// --password-stdin); nil elsewhere.
func StdinFrom(ctx context.Context) io.Reader {
	r, _ := ctx.Value(stdinKey{}).(io.Reader)
	return r
}

// ConnectCommandFrom is, inside a command run over SSH, the ssh command
// that reached this server ("ssh -p 2222 127.0.0.1"), for messages that
// show how to type a command over SSH; "ssh HOST" elsewhere.
func ConnectCommandFrom(ctx context.Context) string {
	if c, ok := ctx.Value(connectKey{}).(string); ok && c != "" {
		return c
	}
	return "ssh HOST"
}

// runApp runs the terminal app for a member, with wish's Bubble Tea
// middleware: one program per session, sized by the client's pty.
func (s *Server) runApp(sess ssh.Session, ls *liveSession) int {
	if s.cfg.App == nil {
		fmt.Fprintf(sess.Stderr(), "gatehouse: this server runs commands only (ssh HOST help)\n")
		return 1
	}
	m, _, err := s.svc.MemberBySSHKey(ls.ctx, ls.who.fingerprint)
	if err != nil || m.ID != ls.who.id {
		if err == nil {
			err = errors.New("this key now belongs to someone else")
		}
		fmt.Fprintf(sess.Stderr(), "gatehouse: %s\n", model.Sanitize(reasonOf(err)))
		return 1
	}
	// The app's context ends with the session: a client that disconnects
	// cancels it as an ended session does, so a model call still running
	// for nobody stops and writes nothing.
	ctx, cancel := context.WithCancel(ls.ctx)
	defer cancel()
	defer context.AfterFunc(sess.Context(), cancel)()
	app := s.cfg.App(ctx, AppSession{Member: m, Origin: ls.who.origin, Renderer: sessionRenderer(sess)})
	handler := func(ssh.Session) *tea.Program {
		p := tea.NewProgram(app,
			tea.WithInput(activity{r: sess, ls: ls}),
			// Colours as the client's terminal shows them (colour.go).
			tea.WithOutput(sessionOutput(sess)),
			tea.WithAltScreen(),
			// Signals reach the server process, not one session.
			tea.WithoutSignalHandler(),
		)
		ls.setQuit(p.Quit)
		return p
	}
	bm.MiddlewareWithProgramHandler(handler, termenv.Ascii)(func(ssh.Session) {})(sess)
	return 0
}

// serveUnknown answers a key nobody registered: it may redeem an
// invitation and nothing else.
func (s *Server) serveUnknown(sess ssh.Session, ls *liveSession, args []string) int {
	if len(args) == 2 && args[0] == "join" {
		return s.join(sess, ls, args[1])
	}
	w := sess.Stderr()
	fmt.Fprintf(w, "gatehouse: this key (%s) is not registered to any staff member.\n", ls.who.fingerprint)
	fmt.Fprintf(w, "  Invited? Redeem your invitation with this key:  %s join CODE\n", ConnectCommand(sess.LocalAddr()))
	fmt.Fprintf(w, "  Already a member? Connect with your registered key (ssh -i ~/.ssh/KEY -o IdentitiesOnly=yes …),\n")
	fmt.Fprintf(w, "  or ask an Admin to add this one: gatehouse keys add EMAIL KEY.pub\n")
	return 1
}

// join redeems an invitation over SSH. Passwords are never asked over
// SSH: the member gets a random strong password, shown once so that they
// can sign in locally and change it, and the key they connected with is
// registered to them.
func (s *Server) join(sess ssh.Session, ls *liveSession, code string) int {
	w := sess.Stderr()
	if ls.who.authorizedKey == "" {
		fmt.Fprintf(w, "gatehouse: join needs an SSH key\n")
		return 1
	}
	password := randomPassword()
	origin := ls.who.origin
	m, err := s.svc.AcceptInvitation(ls.ctx, code, password, origin)
	if err != nil {
		s.log.Warn("join refused", "fingerprint", ls.who.fingerprint, "reason", err.Error())
		fmt.Fprintf(w, "gatehouse: %s\n", model.Sanitize(reasonOf(err)))
		return 1
	}
	s.log.Info("joined", "member", m.Email, "fingerprint", ls.who.fingerprint)
	out := sess
	fmt.Fprintf(out, "Welcome to Gatehouse, %s (%s).\n", model.Sanitize(m.Name), model.Sanitize(m.Email))
	if _, err := s.svc.AddSSHKey(ls.ctx, model.MemberPrincipal(m, origin), m.ID, ls.who.authorizedKey); err != nil {
		fmt.Fprintf(w, "gatehouse: your invitation was accepted, but this key could not be registered: %s\n", model.Sanitize(reasonOf(err)))
		fmt.Fprintf(out, "Your password (shown once): %s\n", password)
		return 1
	}
	fmt.Fprintf(out, "This key (%s) is now registered to you: connect again to open Gatehouse.\n", ls.who.fingerprint)
	fmt.Fprintf(out, "A random password was set for signing in locally (shown once; change it in Profile):\n  %s\n", password)
	return 0
}

func randomPassword() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// sessionRenderer is a lipgloss renderer with the colour profile of the
// client's terminal, read from the TERM of its pty and its environment.
func sessionRenderer(sess ssh.Session) *lipgloss.Renderer {
	pty, _, ok := sess.Pty()
	if !ok || pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
	}
	env := environ(append(sess.Environ(), "TERM="+pty.Term))
	return lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
}

type environ []string

func (e environ) Environ() []string { return e }

func (e environ) Getenv(k string) string {
	v := ""
	for _, kv := range e {
		if strings.HasPrefix(kv, k+"=") {
			v = kv[len(k)+1:]
		}
	}
	return v
}

// activity marks the session active whenever the client types.
type activity struct {
	r  io.Reader
	ls *liveSession
}

func (a activity) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.ls.touch(time.Now())
	}
	return n, err
}

func fail(sess ssh.Session, msg string) {
	fmt.Fprintf(sess.Stderr(), "gatehouse: %s\n", model.Sanitize(msg))
	_ = sess.Exit(1)
}

func commandName(args []string) string {
	if len(args) == 0 {
		return "(terminal app)"
	}
	if args[0] == "join" {
		return "join" // the code is a secret
	}
	n := min(len(args), 2)
	return model.Sanitize(strings.Join(args[:n], " "))
}

func addr(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func isHelpArg(s string) bool { return s == "-h" || s == "--help" || s == "-help" || s == "help" }

// following reports whether a command runs until it is stopped: one
// given --follow (audit tail).
func following(args []string) bool {
	for _, a := range args {
		switch a {
		case "--follow", "-follow", "--follow=true", "-follow=true":
			return true
		}
	}
	return false
}
