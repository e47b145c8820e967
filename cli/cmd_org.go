package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "org delete", args: "--confirm NAME",
		summary: "Delete the organisation and all its data, audit log included (on the machine holding the file).\n" +
			"Staff, clients, access, roles, connections and invitations go, and the file is compacted so the\n" +
			"data is gone from the disk. The file keeps one audit entry: who deleted it, when, and the old log's\n" +
			"length and head hash. Back up or export first if you may want it again. In the app the Owner does\n" +
			"it from Settings, with their password.",
		example: `gatehouse org delete --confirm "Northwind Advisory" --db /tmp/g.db`,
		flags: func(fs *flag.FlagSet) {
			fs.String("confirm", "", "the organisation's `name`, typed exactly (required)")
		},
		run: orgDelete,
	})
	localCommands["org delete"] = true
}

func orgDelete(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	confirm := flagString(fs, "confirm")
	if confirm == "" {
		return usagef("--confirm NAME is required: the organisation's name, typed exactly")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	del, err := svc.DeleteOrganisation(ctx, a.actor(), "", confirm)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Deleted %s from %s: %d rows, an audit log of %d entries (head hash %s).\n",
		Sanitize(del.Org), a.dbPath, del.Rows, del.Entries, del.HeadHash)
	fmt.Fprintf(a.stdout, "The file is empty but for that record; 'gatehouse init%s' creates a new organisation in it.\n", a.dbArg())
	return nil
}

func init() {
	register(&command{
		name: "org transfer-ownership", args: "--to EMAIL --yes [--password-stdin]",
		summary: "Make an active Admin the Owner; the Owner becomes an Admin (the app's T on a member). It cannot\n" +
			"be undone but by the new Owner transferring it back, so --yes is required. Over SSH the Owner\n" +
			"re-enters their password, as in the app: on standard input, with --password-stdin.",
		example: "gatehouse org transfer-ownership --to marcus.reid@northwind.example --yes",
		flags: func(fs *flag.FlagSet) {
			fs.String("to", "", "the active Admin who becomes the Owner (`email`; required)")
			fs.Bool("yes", false, "confirm: this cannot be undone")
			fs.Bool("password-stdin", false, "read your password from the first line of standard input")
		},
		run: orgTransferOwnership,
	})
}

func orgTransferOwnership(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	email := flagString(fs, "to")
	if email == "" {
		return usagef("--to EMAIL is required: the active Admin who becomes the Owner")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, email)
	if err != nil {
		return err
	}
	// The app offers the transfer only when the engine allows it; so here,
	// before asking for a confirmation or a password.
	ref, err := model.ParseTarget("staff:" + m.Email)
	if err != nil {
		return err
	}
	d, err := svc.Check(ctx, a.actor(), model.ActTransfer, ref)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return &model.DeniedError{Decision: d}
	}
	if !flagBool(fs, "yes") {
		return usagef("transferring ownership to %s cannot be undone (only the new Owner could transfer it back): add --yes", Sanitize(m.Email))
	}
	password, err := a.passwordFromInput(fs, a.actor().Kind == model.KindMember)
	if err != nil {
		return err
	}
	if err := svc.TransferOwnership(ctx, a.actor(), m.ID, password); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	fmt.Fprintf(a.stdout, "Ownership transferred to %s <%s>, who is now the Owner; the former Owner is now an Admin.\n", Sanitize(m.Name), Sanitize(m.Email))
	return nil
}

// passwordFromInput is the password given with --password-stdin: the
// first line of standard input (over SSH, of the session's). A member
// must give it (needed); the holder of the file acts without one.
func (a *app) passwordFromInput(fs *flag.FlagSet, needed bool) (string, error) {
	if !flagBool(fs, "password-stdin") {
		if needed {
			return "", usagef("re-enter your password to confirm: give it on standard input with --password-stdin")
		}
		return "", nil
	}
	if a.input == nil {
		return "", usagef("--password-stdin: there is no standard input to read")
	}
	line, err := bufio.NewReader(io.LimitReader(a.input, maxPasswordLine)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: standard input held no password")
	}
	return line, nil
}

// maxPasswordLine bounds what --password-stdin reads.
const maxPasswordLine = 4096
