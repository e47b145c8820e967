package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// Settings → Connections: list them, create one scoped within its
// creator's permissions (its token shown once), switch one off at once or
// back on. Each is the model call the app makes.

func init() {
	register(&command{
		name: "connections list", args: "[--json]",
		summary: "List the connections you may review: on or off, kind, scope, creator, last use.",
		example: "gatehouse connections list",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     connectionsList,
	})
	register(&command{
		name: "connections create", args: "NAME --allow CELLS... | --file FILE [--kind api|assistant|ssh] [--ssh-key LINE]",
		summary: "Create a connection for a script or an integration, with a scope given as cells MODULE.ACTION:SCOPE:\n" +
			"never more than you hold. api and assistant connections get a token, printed once (only its hash is kept);\n" +
			"an ssh connection signs in with the public key given by --ssh-key.",
		example: `gatehouse connections create "Nightly report" --allow clients.view:all,audit.view:all --kind api`,
		flags: func(fs *flag.FlagSet) {
			gridFlags(fs)
			fs.String("kind", model.ConnectionAPI, "api, assistant or ssh (`kind`)")
			fs.String("ssh-key", "", "for --kind ssh: its public key, one authorized_keys `line`")
			fs.Bool("json", false, "print JSON, the token included")
		},
		run: connectionsCreate,
	})
	register(&command{
		name: "connections off", args: "CONNECTION",
		summary: "Switch a connection off: it is refused from its next request on. CONNECTION is its name or id.",
		example: `gatehouse connections off "Nightly report"`,
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return connectionsSwitch(ctx, a, args, false)
		},
	})
	register(&command{
		name: "connections on", args: "CONNECTION",
		summary: "Switch a connection back on (you must hold everything it grants). CONNECTION is its name or id.",
		example: `gatehouse connections on "Nightly report"`,
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return connectionsSwitch(ctx, a, args, true)
		},
	})
}

// connectionJSON is a connection as --json prints it.
type connectionJSON struct {
	ID          int64              `json:"id"`
	Name        string             `json:"name"`
	Kind        string             `json:"kind"`
	Enabled     bool               `json:"enabled"`
	Permissions []model.Permission `json:"permissions"`
	Creator     string             `json:"creator,omitempty"`
	Fingerprint string             `json:"fingerprint,omitempty"`
	Created     string             `json:"created"`
	LastUsed    string             `json:"last_used,omitempty"`
	// Token is the secret, in the answer to create alone.
	Token string `json:"token,omitempty"`
}

func toConnectionJSON(c model.Connection) connectionJSON {
	perms := model.ConnectionPermissionList(c)
	if perms == nil {
		perms = []model.Permission{}
	}
	return connectionJSON{ID: c.ID, Name: c.Name, Kind: c.Kind, Enabled: c.Enabled, Permissions: perms, Creator: c.CreatorName,
		Fingerprint: c.Fingerprint, Created: timeText(c.CreatedAt), LastUsed: timeText(c.LastUsed)}
}

func connectionsList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	cs, err := svc.ListConnections(ctx, a.actor())
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		out := []connectionJSON{}
		for _, c := range cs {
			out = append(out, toConnectionJSON(c))
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "ID", "ON", "NAME", "KIND", "SCOPE", "CREATOR", "LAST USED")
	for _, c := range cs {
		on := "off"
		if c.Enabled {
			on = "on"
		}
		t.row(fmt.Sprint(c.ID), on, c.Name, c.Kind, permSummary(model.ConnectionPermissionList(c)), orDash(c.CreatorName, "(removed)"), shortTime(c.LastUsed))
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d connection(s)\n", len(cs))
	return nil
}

func connectionsCreate(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "NAME"); err != nil {
		return err
	}
	perms, given, err := gridFromFlags(a, fs)
	if err != nil {
		return err
	}
	if !given {
		return usagef("give the connection's scope with --allow %s (or --file FILE)", permHelp)
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, token, err := svc.CreateConnection(ctx, a.actor(), args[0], flagString(fs, "kind"), perms, flagString(fs, "ssh-key"))
	if err != nil {
		return err
	}
	a.noteID("connection", c.ID)
	if flagBool(fs, "json") {
		res := a.result("connections create", []string{fmt.Sprintf("Connection %s (%s, id %d) created and on.", Sanitize(c.Name), c.Kind, c.ID)})
		res.Token = token
		return writeJSON(a.stdout, res)
	}
	fmt.Fprintf(a.stdout, "Connection %s (%s, id %d) created and on.\n", Sanitize(c.Name), c.Kind, c.ID)
	if token == "" {
		fmt.Fprintf(a.stdout, "It signs in over SSH with its key %s; there is no token.\n", c.Fingerprint)
		return nil
	}
	fmt.Fprintf(a.stdout, "Its token, shown only this once (Gatehouse keeps its hash alone):\n  %s\n", token)
	fmt.Fprintln(a.stdout, "Use it with --token or $GATEHOUSE_TOKEN.")
	return nil
}

// findConnection resolves a connection by id or name (ignoring case),
// among those the actor may review.
func findConnection(ctx context.Context, a *app, arg string) (model.Connection, error) {
	cs, err := a.svc.ListConnections(ctx, a.actor())
	if err != nil {
		return model.Connection{}, err
	}
	id, byID := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
	var names []string
	for _, c := range cs {
		if (byID == nil && c.ID == id) || strings.EqualFold(c.Name, strings.TrimSpace(arg)) {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return model.Connection{}, fmt.Errorf("%w: no connection %q (connections: %s)", model.ErrNotFound, Sanitize(arg), Sanitize(orDash(sortedNames(names), "none")))
}

// connectionsSwitch switches a connection on or off: the connection as
// read now, so one switched meanwhile is refused rather than flipped back.
func connectionsSwitch(ctx context.Context, a *app, args []string, on bool) error {
	if err := wantArgs(args, "CONNECTION"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, err := findConnection(ctx, a, args[0])
	if err != nil {
		return err
	}
	if err := svc.SetConnectionEnabled(model.WithSeen(ctx, model.SeenConnectionAs(c)), a.actor(), c.ID, on); err != nil {
		return err
	}
	a.noteID("connection", c.ID)
	if on {
		fmt.Fprintf(a.stdout, "Connection %s switched on.\n", Sanitize(c.Name))
	} else {
		fmt.Fprintf(a.stdout, "Connection %s switched off; it is refused from now on.\n", Sanitize(c.Name))
	}
	return nil
}
