package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/log"
	"github.com/muesli/termenv"
	flag "github.com/spf13/pflag"

	"gatehouse/model"
	"gatehouse/sshd"
	"gatehouse/tui"
)

// shutdownGrace is how long `serve` lets running commands finish after
// SIGTERM or SIGINT before it closes what is left.
const shutdownGrace = 30 * time.Second

func init() {
	register(&command{
		name: "serve", args: "[--listen ADDR] [--host-key PATH] [--max-sessions N] [--max-sessions-per-member N] [--anchor-every DURATION] [--anchor-out FILE]",
		summary: "Serve Gatehouse over SSH: the app and the commands, signed in by each member's registered key.\n" +
			"Writes a signed checkpoint of the audit log to the anchor file every --anchor-every (when the log\n" +
			"moved) and at shutdown, and logs it.",
		example: "gatehouse serve --listen 127.0.0.1:2222",
		flags: func(fs *flag.FlagSet) {
			fs.String("listen", sshd.DefaultListen, "`address` to listen on (another interface than loopback must be named)")
			fs.String("host-key", "", "host key `file` (default: "+sshd.HostKeyFile+" next to the database; created on first start)")
			fs.Int("max-sessions", sshd.DefaultMaxSessions, "most open sessions overall (`n`)")
			fs.Int("max-sessions-per-member", sshd.DefaultMaxSessionsPerMember, "most open sessions of one member (`n`)")
			fs.Bool("verbose", false, "log every connection, not only sign-ins and refusals")
			fs.Duration("anchor-every", time.Hour, "write an audit checkpoint this often (`duration`, e.g. 15m; 0: only at shutdown)")
			fs.String("anchor-out", "", "the anchor `file` (default: $GATEHOUSE_ANCHORS, else DB"+model.AnchorFileSuffix+"); keep it on another disk")
			fs.String("anchor-key", "", "the anchor signing key `file` (default: $GATEHOUSE_ANCHOR_KEY, else DB"+model.AnchorKeySuffix+")")
		},
		run: serve,
	})
}

func serve(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	logger := log.NewWithOptions(a.stderr, log.Options{ReportTimestamp: true, Prefix: "gatehouse serve"})
	if flagBool(fs, "verbose") {
		logger.SetLevel(log.DebugLevel)
	}
	// The app's theme draws with lipgloss's default renderer, which in a
	// server describes the server's own output, not the clients', and is
	// shared by every session. Fix it to 24-bit colour, the richest; each
	// session's output is brought down to its client's terminal (TERM,
	// COLORTERM, NO_COLOR) as it is written (sshd/colour.go). The
	// background cannot be asked of every client, so it is taken as dark.
	lipgloss.SetColorProfile(termenv.TrueColor)
	lipgloss.SetHasDarkBackground(true)

	srv, err := sshd.New(svc, sshd.Config{
		Listen:               flagString(fs, "listen"),
		HostKeyPath:          flagString(fs, "host-key"),
		MaxSessions:          flagInt(fs, "max-sessions"),
		MaxSessionsPerMember: flagInt(fs, "max-sessions-per-member"),
		Logger:               logger,
		Commands:             sshCommands(svc),
		App:                  sshApp(svc),
	})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Gatehouse is listening on %s (database %s, host key %s).\nConnect with: %s  ·  stop with Ctrl-C or SIGTERM\n",
		srv.Addr(), svc.Path(), srv.HostKeyPath(), sshd.ConnectCommand(srv.Addr()))

	anchor, err := newServeAnchor(a, svc, logger, flagString(fs, "anchor-out"), flagString(fs, "anchor-key"))
	if err != nil {
		return err
	}
	every, _ := fs.GetDuration("anchor-every")
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}

	stopCtx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	for running := true; running; {
		select {
		case err := <-served:
			anchor.write(ctx, "exit")
			return err
		case <-tick:
			anchor.write(stopCtx, "timer")
		case <-stopCtx.Done():
			running = false
		}
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	// After the last session's writes: the checkpoint covers them all.
	anchor.write(shutCtx, "shutdown")
	if serr := <-served; serr != nil && !errors.Is(serr, context.Canceled) {
		return serr
	}
	return err
}

// serveAnchor writes serve's audit checkpoints.
type serveAnchor struct {
	svc    *model.Service
	log    *log.Logger
	key    ed25519.PrivateKey
	path   string
	system model.Principal
}

func newServeAnchor(a *app, svc *model.Service, logger *log.Logger, out, keyFile string) (*serveAnchor, error) {
	key, err := model.LoadAnchorKey(anchorKeyPath(a, keyFile), true)
	if err != nil {
		return nil, err
	}
	return &serveAnchor{svc: svc, log: logger, key: key, path: anchorFilePath(a, out), system: a.actor()}, nil
}

// write anchors the log when it moved since the latest checkpoint, and
// logs what it did; a failure is logged, never fatal to the server.
func (s *serveAnchor) write(ctx context.Context, why string) {
	res, err := s.svc.Anchor(ctx, s.system, s.key, s.path, true)
	switch {
	case err != nil:
		s.log.Error("audit anchor failed", "why", why, "file", s.path, "err", err.Error())
	case res.Unchanged && why == "shutdown":
		s.log.Info("audit anchor: no entries since the latest checkpoint", "why", why, "entries", res.Checkpoint.Entries, "head", res.Checkpoint.Head, "file", s.path)
	case res.Unchanged:
		s.log.Debug("audit anchor: no entries since the latest checkpoint", "why", why, "entries", res.Checkpoint.Entries)
	default:
		s.log.Info("audit anchor", "why", why, "entries", res.Checkpoint.Entries, "head", res.Checkpoint.Head, "file", s.path, "verified", res.Walked)
	}
}

// sshCommands runs a CLI command for an SSH session, as the member (or
// connection) signed in, never as the server's own user.
func sshCommands(svc *model.Service) sshd.CommandRunner {
	return func(ctx context.Context, p model.Principal, args []string, stdout, stderr io.Writer) int {
		return runCommand(ctx, svc, p, args, stdout, stderr)
	}
}

// sshApp opens the terminal app for a member signed in over SSH.
func sshApp(svc *model.Service) sshd.AppFactory {
	return func(ctx context.Context, s sshd.AppSession) tea.Model {
		demo := false
		if org, err := svc.Org(ctx); err == nil {
			demo = org.Demo
		}
		m := s.Member
		return tui.New(ctx, svc, tui.Options{Demo: demo, SignedIn: &m, Origin: s.Origin, Hosted: true})
	}
}
