package main

import (
	"context"
	"errors"
	"flag"
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

	"gatehouse/model"
	"gatehouse/sshd"
	"gatehouse/tui"
)

// shutdownGrace is how long `serve` lets running commands finish after
// SIGTERM or SIGINT before it closes what is left.
const shutdownGrace = 30 * time.Second

func init() {
	register(&command{
		name: "serve", args: "[--listen ADDR] [--host-key PATH] [--max-sessions N] [--max-sessions-per-member N]",
		summary: "Serve Gatehouse over SSH: the app and the commands, signed in by each member's registered key.",
		example: "gatehouse serve --listen 127.0.0.1:2222",
		flags: func(fs *flag.FlagSet) {
			fs.String("listen", sshd.DefaultListen, "`address` to listen on (another interface than loopback must be named)")
			fs.String("host-key", "", "host key `file` (default: "+sshd.HostKeyFile+" next to the database; created on first start)")
			fs.Int("max-sessions", sshd.DefaultMaxSessions, "most open sessions overall (`n`)")
			fs.Int("max-sessions-per-member", sshd.DefaultMaxSessionsPerMember, "most open sessions of one member (`n`)")
			fs.Bool("verbose", false, "log every connection, not only sign-ins and refusals")
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

	stopCtx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	select {
	case err := <-served:
		return err
	case <-stopCtx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if serr := <-served; serr != nil && !errors.Is(serr, context.Canceled) {
		return serr
	}
	return err
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
		return tui.New(ctx, svc, tui.Options{Demo: demo, SignedIn: &m, Origin: s.Origin})
	}
}
