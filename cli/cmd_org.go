package cli

import (
	"context"
	"fmt"

	flag "github.com/spf13/pflag"
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
