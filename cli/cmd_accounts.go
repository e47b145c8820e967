package cli

import (
	"context"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// The accounts of a folder, as its detail in the app adds, renames and
// removes them. An account is named CLIENT/ACCOUNT, as `access who` takes it.

func init() {
	register(&command{
		name: "accounts add", args: "--account CLIENT/ACCOUNT",
		summary: "Add an account to a client folder (the app's n in a folder's detail). Nobody reaches it until\n" +
			"it is turned on for them, apart from roles that reach every account; --json says who does.",
		example: `gatehouse accounts add --account "Acme Ltd/Expenses"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("account", "", "the new account, as `client/account` (required)")
		},
		run: accountsAdd,
	})
	register(&command{
		name: "accounts rename", args: "--account CLIENT/ACCOUNT --name NAME",
		summary: "Rename an account of a client folder (the app's r in a folder's detail).",
		example: `gatehouse accounts rename --account "Acme Ltd/Leave" --name "Annual Leave"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("account", "", "the account, as `client/account` (required)")
			fs.String("name", "", "its new `name` (required)")
		},
		run: accountsRename,
	})
	register(&command{
		name: "accounts remove", args: "--account CLIENT/ACCOUNT",
		summary: "Remove an account from a client folder, and every member's access to it (the app's x in a\n" +
			"folder's detail). Its history stays in the audit log.",
		example: `gatehouse accounts remove --account "Acme Ltd/Timesheets"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("account", "", "the account, as `client/account` (required)")
		},
		run: accountsRemove,
	})
	groupSummaries["accounts"] = "The accounts of client folders."
}

// accountCommand is the start of a command on one account named by
// --account CLIENT/ACCOUNT and no arguments: the usage checked, the file
// opened, and the account found as the actor sees it.
func accountCommand(ctx context.Context, a *app, fs *flag.FlagSet, args []string) (*model.Service, model.Client, model.Account, error) {
	if err := wantArgs(args); err != nil {
		return nil, model.Client{}, model.Account{}, err
	}
	clientName, accountName, err := accountFlag(fs)
	if err != nil {
		return nil, model.Client{}, model.Account{}, err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return nil, model.Client{}, model.Account{}, err
	}
	c, acc, err := accountByName(ctx, a, clientName, accountName)
	return svc, c, acc, err
}

// accountFlag splits --account CLIENT/ACCOUNT at its first slash.
func accountFlag(fs *flag.FlagSet) (client, account string, err error) {
	client, account, ok := strings.Cut(flagString(fs, "account"), "/")
	if !ok || strings.TrimSpace(client) == "" || strings.TrimSpace(account) == "" {
		return "", "", usagef("--account CLIENT/ACCOUNT is required: the client folder, a slash, and the account")
	}
	return client, account, nil
}

func accountsAdd(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	clientName, accountName, err := accountFlag(fs)
	if err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, err := clientArg(ctx, a, clientName)
	if err != nil {
		return err
	}
	acc, err := svc.AddAccount(ctx, a.actor(), c.ID, accountName)
	if err != nil {
		return err
	}
	a.noteID("client", c.ID)
	a.noteID("account", acc.ID)
	fmt.Fprintf(a.stdout, "Added account %s to %s (id %d); nobody reaches it until it is turned on for them, "+
		"apart from roles that reach every account ('gatehouse access who' lists them).\n", Sanitize(acc.Name), Sanitize(c.Name), acc.ID)
	a.noteAccountReach(ctx, c, acc)
	return nil
}

func accountsRename(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	clientName, accountName, err := accountFlag(fs)
	if err != nil {
		return err
	}
	name := flagString(fs, "name")
	if strings.TrimSpace(name) == "" {
		return usagef("--name NAME is required: the account's new name")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, acc, err := accountByName(ctx, a, clientName, accountName)
	if err != nil {
		return err
	}
	if err := svc.RenameAccount(ctx, a.actor(), acc.ID, name); err != nil {
		return err
	}
	a.noteID("client", c.ID)
	a.noteID("account", acc.ID)
	fmt.Fprintf(a.stdout, "Renamed %s / %s to %s.\n", Sanitize(c.Name), Sanitize(acc.Name), Sanitize(strings.TrimSpace(name)))
	return nil
}

func accountsRemove(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	svc, c, acc, err := accountCommand(ctx, a, fs, args)
	if err != nil {
		return err
	}
	// Who reached it, to say whose access went with it.
	before, err := svc.WhoCanReach(ctx, a.actor(), acc.ID)
	if err != nil {
		return err
	}
	if err := svc.RemoveAccount(ctx, a.actor(), acc.ID); err != nil {
		return err
	}
	a.noteID("client", c.ID)
	a.noteID("account", acc.ID)
	fmt.Fprintf(a.stdout, "Removed account %s from %s; %d member(s) who reached it no longer do.\n", Sanitize(acc.Name), Sanitize(c.Name), len(before))
	for _, r := range before {
		a.noteID("member", r.StaffID)
		a.noteReach(ctx, model.Member{ID: r.StaffID, Email: r.StaffEmail})
	}
	if a.reach == nil {
		a.reach = &reachAfter{} // nobody reached it: nobody's reach changed
	}
	return nil
}
