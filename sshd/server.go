// Package sshd serves Gatehouse over SSH, for on-call staff who have only
// an SSH client: the terminal app, signed in as the member whose key
// connects, and the CLI's commands run with that member's permissions.
//
// It is built on wish (charmbracelet/ssh) for channels, ptys and the
// Bubble Tea middleware, and sets golang.org/x/crypto/ssh's
// authentication callbacks itself, because sign-in takes two steps (the
// key, then the TOTP code as keyboard-interactive) and wish's handlers can
// only say yes or no to one.
package sshd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"

	"gatehouse/model"
)

// CommandRunner runs one CLI command (args as the client typed them after
// the host) as p, writing to stdout and stderr, and returns the exit
// status that travels back to the client.
type CommandRunner func(ctx context.Context, p model.Principal, args []string, stdout, stderr io.Writer) int

// AppFactory builds the terminal app for one interactive session of a
// signed-in member.
type AppFactory func(ctx context.Context, sess AppSession) tea.Model

// AppSession is what the terminal app needs to know of an SSH session.
type AppSession struct {
	Member model.Member
	// Origin is recorded in the audit log: "ssh SHA256:… from ADDR".
	Origin string
	// Renderer draws with the colour profile of the client's terminal
	// (from its TERM and COLORTERM), for styles made per session.
	Renderer *lipgloss.Renderer
}

// Config says how the server runs. Zero values take the defaults below.
type Config struct {
	// Listen is the address to listen on; default 127.0.0.1:2222. Another
	// interface must be named explicitly.
	Listen string
	// HostKeyPath is the server's private ed25519 host key, created with
	// mode 0600 on first start and kept; default: gatehouse_host_ed25519
	// next to the database.
	HostKeyPath string
	// MaxSessions caps open sessions overall (default 200).
	MaxSessions int
	// MaxSessionsPerMember caps open sessions of one member, connection or
	// key (default 10).
	MaxSessionsPerMember int
	// Logger receives structured logs of connections, sign-ins and
	// refusals; default: a logger on stderr.
	Logger *log.Logger
	// Commands runs non-interactive commands (ssh host COMMAND). Without it
	// every command is refused.
	Commands CommandRunner
	// App builds the interactive terminal app. Without it interactive
	// sessions are refused.
	App AppFactory
	// PollInterval is how often open sessions re-check their member and
	// the idle timeout (default 250 ms).
	PollInterval time.Duration
	// LoginGraceTime bounds how long a connection may take to sign in
	// (default 20 s); then it is closed.
	LoginGraceTime time.Duration
	// MaxSigningIn caps the connections still signing in, overall
	// (default 256) and from one address (MaxSigningInPerAddress, default
	// 32); more are closed at once.
	MaxSigningIn, MaxSigningInPerAddress int
	// MaxUnknownKeys caps the connections signed in with a key nobody
	// registered (they may only join), overall (default 32) and from one
	// address (MaxUnknownKeysPerAddress, default 4); more are refused
	// with a message.
	MaxUnknownKeys, MaxUnknownKeysPerAddress int
	// NewConnectionsPerSecond rate-limits, per source address, new
	// connections that do not sign in as a member or connection (default
	// 5 a second, in bursts of twice that); connections over it are closed
	// at once.
	NewConnectionsPerSecond float64
	// UnknownKeyTimeout closes a connection with an unregistered key after
	// this long (default 60 s): time to redeem an invitation, no more.
	UnknownKeyTimeout time.Duration
	// ShutdownNotice is shown to interactive sessions closed by Shutdown.
	ShutdownNotice string
}

// Defaults.
const (
	DefaultListen                = "127.0.0.1:2222"
	DefaultMaxSessions           = 200
	DefaultMaxSessionsPerMember  = 10
	DefaultPollInterval          = 250 * time.Millisecond
	DefaultLoginGraceTime        = 20 * time.Second
	DefaultMaxSigningIn          = 256
	DefaultMaxSigningInPerAddr   = 32
	DefaultMaxUnknownKeys        = 32
	DefaultMaxUnknownKeysPerAddr = 4
	DefaultUnknownKeyTimeout     = 60 * time.Second
	DefaultNewConnectionsPerSec  = 5
	HostKeyFile                  = "gatehouse_host_ed25519"
)

// Server is Gatehouse's SSH server.
type Server struct {
	svc  *model.Service
	cfg  Config
	log  *log.Logger
	ssh  *ssh.Server
	reg  *registry
	gate *unauthGate
	sits sittings

	// base bounds the model calls of authentication and sessions; it is
	// cancelled when the server is closed for good.
	base       context.Context
	cancelBase context.CancelFunc

	mu        sync.Mutex
	ln        net.Listener
	watching  bool
	watchStop context.CancelFunc
	watchDone chan struct{}
}

// positiveOr sets a setting left at zero (or below) to its default.
func positiveOr[T int | float64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// New prepares a server for svc: it loads (or creates) the host key but
// does not listen yet.
func New(svc *model.Service, cfg Config) (*Server, error) {
	if svc == nil {
		return nil, errors.New("ssh server: no database")
	}
	cfg = withDefaults(svc, cfg)
	if cfg.MaxSessions < 1 || cfg.MaxSessionsPerMember < 1 {
		return nil, fmt.Errorf("ssh server: session caps must be at least 1 (got %d overall, %d per member)", cfg.MaxSessions, cfg.MaxSessionsPerMember)
	}
	pemBytes, err := loadOrCreateHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s := &Server{svc: svc, cfg: cfg, log: cfg.Logger, reg: newRegistry(cfg.MaxSessions, cfg.MaxSessionsPerMember), gate: newUnauthGate(cfg),
		sits: sittings{all: map[string]*sitting{}}}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.ssh, err = wish.NewServer(
		wish.WithAddress(cfg.Listen),
		wish.WithHostKeyPEM(pemBytes),
		wish.WithMiddleware(s.middleware),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = s.serverConfig
			srv.ConnectionFailedCallback = s.connectionFailed
			srv.ConnCallback = s.connected
			return nil
		},
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	return s, nil
}

func withDefaults(svc *model.Service, cfg Config) Config {
	if cfg.Listen == "" {
		cfg.Listen = DefaultListen
	}
	if cfg.HostKeyPath == "" {
		cfg.HostKeyPath = filepath.Join(filepath.Dir(svc.Path()), HostKeyFile)
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.MaxSessionsPerMember == 0 {
		cfg.MaxSessionsPerMember = DefaultMaxSessionsPerMember
	}
	positiveOr(&cfg.PollInterval, DefaultPollInterval)
	positiveOr(&cfg.LoginGraceTime, DefaultLoginGraceTime)
	positiveOr(&cfg.MaxSigningIn, DefaultMaxSigningIn)
	positiveOr(&cfg.MaxSigningInPerAddress, DefaultMaxSigningInPerAddr)
	positiveOr(&cfg.MaxUnknownKeys, DefaultMaxUnknownKeys)
	positiveOr(&cfg.MaxUnknownKeysPerAddress, DefaultMaxUnknownKeysPerAddr)
	positiveOr(&cfg.NewConnectionsPerSecond, DefaultNewConnectionsPerSec)
	positiveOr(&cfg.UnknownKeyTimeout, DefaultUnknownKeyTimeout)
	if cfg.Logger == nil {
		cfg.Logger = log.NewWithOptions(os.Stderr, log.Options{ReportTimestamp: true, Prefix: "sshd"})
	}
	if cfg.ShutdownNotice == "" {
		cfg.ShutdownNotice = "Gatehouse is shutting down; this session has ended."
	}
	return cfg
}

// Listen opens the listening socket, so that Addr is known before Serve.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("ssh server: listen on %s: %w", s.cfg.Listen, err)
	}
	s.ln = ln
	return nil
}

// Addr is the address the server listens on (after Listen).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// HostKeyPath is the host key file in use.
func (s *Server) HostKeyPath() string { return s.cfg.HostKeyPath }

// ListenAndServe listens (unless Listen was called) and serves until
// Shutdown; it then returns nil.
func (s *Server) ListenAndServe() error {
	if err := s.Listen(); err != nil {
		return err
	}
	s.mu.Lock()
	ln := s.ln
	ctx, stop := context.WithCancel(s.base)
	s.watchStop, s.watchDone, s.watching = stop, make(chan struct{}), true
	done := s.watchDone
	s.mu.Unlock()
	go func() {
		defer close(done)
		s.watch(ctx)
	}()
	s.log.Info("listening", "addr", ln.Addr().String(), "host_key", s.cfg.HostKeyPath,
		"max_sessions", s.cfg.MaxSessions, "max_sessions_per_member", s.cfg.MaxSessionsPerMember)
	err := s.ssh.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, closes interactive sessions with
// a notice, lets running commands (and their writes) finish, and returns
// once every connection is closed or ctx is done; then it closes what is
// left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.log.Info("shutting down", "open_sessions", s.reg.count())
	s.reg.close()
	// Shutdown closes the listeners at once, then waits for connections;
	// sessions are waited for below, and connections left without one
	// are closed after them.
	shut := make(chan error, 1)
	go func() { shut <- s.ssh.Shutdown(ctx) }()
	s.reg.endInteractive(s.cfg.ShutdownNotice)
	err := s.reg.drain(ctx)
	if err != nil {
		s.log.Warn("shutdown deadline passed; closing the remaining sessions", "open_sessions", s.reg.count())
		s.reg.endAll(s.cfg.ShutdownNotice)
	}
	_ = s.ssh.Close()
	<-shut
	s.stopWatching()
	s.cancelBase()
	s.log.Info("stopped")
	if err != nil {
		return fmt.Errorf("ssh server: shutdown: %w", err)
	}
	return nil
}

func (s *Server) stopWatching() {
	s.mu.Lock()
	stop, done, watching := s.watchStop, s.watchDone, s.watching
	s.watching = false
	s.mu.Unlock()
	if watching {
		stop()
		<-done
	}
}

// connected admits each new TCP connection through the gate: it is closed
// at once when too many are signing in, and after the login grace time if
// it has not signed in by then.
func (s *Server) connected(ctx ssh.Context, conn net.Conn) net.Conn {
	addr := hostOf(conn.RemoteAddr())
	if err := s.gate.enterSigningIn(addr, time.Now()); err != nil {
		s.log.Warn("connection refused", "remote", conn.RemoteAddr().String(), "reason", err.Error())
		return nil
	}
	s.log.Debug("connection", "remote", conn.RemoteAddr().String())
	st := &connState{gate: s.gate, addr: addr, conn: conn}
	st.timer = time.AfterFunc(s.cfg.LoginGraceTime, func() {
		st.mu.Lock()
		signing := st.phase == phaseSigningIn
		st.mu.Unlock()
		if signing {
			s.log.Info("connection closed: not signed in within the login grace time", "remote", conn.RemoteAddr().String(), "grace", s.cfg.LoginGraceTime.String())
			conn.Close()
		}
	})
	ctx.SetValue(connStateKey{}, st)
	return &gatedConn{Conn: conn, st: st}
}

// connectionFailed logs handshakes that failed, refused sign-ins included.
func (s *Server) connectionFailed(conn net.Conn, err error) {
	s.log.Info("connection closed before a session", "remote", conn.RemoteAddr().String(), "reason", err.Error())
}

// ConnectCommand is the ssh command that reaches a server listening on
// addr, as it must be typed: "ssh -p 2222 127.0.0.1"; the machine's host
// name stands for an unspecified address (0.0.0.0, ::), and -p is left
// out for port 22.
func ConnectCommand(addr net.Addr) string {
	if addr == nil {
		return "ssh HOST"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "ssh " + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil && name != "" {
			host = name
		}
	} else if ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	if port == "22" {
		return "ssh " + host
	}
	return "ssh -p " + port + " " + host
}
