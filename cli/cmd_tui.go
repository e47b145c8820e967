package cli

import (
	"context"
	"errors"
	"os"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
	"gatehouse/tui"
)

// tuiCommand is what `gatehouse` with no command runs.
var tuiCommand = &command{
	name: "", args: "[--db PATH]",
	summary: "Open the terminal app.",
	example: "gatehouse --db /tmp/g.db",
	run:     openTUI,
}

// tuiOptions is how the CLI starts the terminal app.
type tuiOptions struct {
	Demo     bool
	SignedIn *model.Member
	JoinCode string
}

func openTUI(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q; run 'gatehouse help' for the commands", args[0])
	}
	if !isTerminal(a.stdin) || !isTerminal(os.Stdout) {
		return errors.New("the Gatehouse app needs a terminal; run it in one, or use a command (see 'gatehouse help')")
	}
	svc, err := a.open(ctx)
	if err != nil {
		return err
	}
	return runTUI(ctx, a, svc, tuiOptions{})
}

// runTUI starts the terminal app on svc, as the local user in a local
// terminal.
func runTUI(ctx context.Context, a *app, svc *model.Service, o tuiOptions) error {
	return tui.Run(ctx, svc, tui.Options{Demo: o.Demo, SignedIn: o.SignedIn, JoinCode: o.JoinCode,
		Origin: "local terminal", OSUser: osUserName()})
}
