package cli

import (
	"context"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// The Clients screen's own actions: create a folder, rename, archive or
// restore it, set its owner and its department. Each is the model call the
// screen makes; the folder is named as the list shows it.

func init() {
	register(&command{
		name: "clients create", args: "NAME [--owner EMAIL] [--department DEPARTMENT] [--account NAME]...",
		summary: "Create a client folder with its accounts (the app's n on Clients). Nobody reaches an account\n" +
			"until access is granted, apart from roles that reach every account.",
		example: `gatehouse clients create "Harbour Bakery Ltd" --owner sara.lindqvist@northwind.example --department Tax --account Payroll --account Timesheets`,
		flags: func(fs *flag.FlagSet) {
			fs.String("owner", "", "the active member responsible for it (`email`; default: unowned)")
			fs.String("department", "", "the `department` it is filed under (default: none)")
			fs.Var(&stringList{}, "account", "an account of the folder (`name`; repeatable)")
		},
		run: clientsCreate,
	})
	register(&command{
		name: "clients rename", args: "CLIENT --name NAME",
		summary: "Rename a client folder (the app's r on Clients).",
		example: `gatehouse clients rename "Acme Ltd" --name "Acme Holdings Ltd"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("name", "", "the folder's new `name` (required)")
		},
		run: clientsRename,
	})
	register(&command{
		name: "clients archive", args: "CLIENT",
		summary: "Archive a client folder: it leaves the list; its accounts, access and history stay (the app's d).",
		example: `gatehouse clients archive "Birchwood Bakery"`,
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return clientsArchive(ctx, a, args, true)
		},
	})
	register(&command{
		name: "clients restore", args: "CLIENT",
		summary: "Bring an archived client folder back to the list, with its accounts and access (the app's d\n" +
			"in the archived view).",
		example: `gatehouse clients restore "Birchwood Bakery"`,
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return clientsArchive(ctx, a, args, false)
		},
	})
	register(&command{
		name: "clients set-owner", args: "CLIENT --owner EMAIL | --none",
		summary: "Make an active member responsible for a client folder, or leave it unowned (the app's o).",
		example: `gatehouse clients set-owner "Acme Ltd" --owner leo.martins@northwind.example`,
		flags: func(fs *flag.FlagSet) {
			fs.String("owner", "", "the active member responsible for it (`email`)")
			fs.Bool("none", false, "leave the folder unowned")
		},
		run: clientsSetOwner,
	})
	register(&command{
		name: "clients set-department", args: "CLIENT --department DEPARTMENT | --none",
		summary: "File a client folder under a department, or under none (the app's D).",
		example: `gatehouse clients set-department "Meridian Architects" --department "Payroll & HR"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("department", "", "the `department` it is filed under")
			fs.Bool("none", false, "file it under no department")
		},
		run: clientsSetDepartment,
	})
}

// clientArg finds a folder the actor sees by its name, as the list shows
// it; one they may not see is answered as one that does not exist.
func clientArg(ctx context.Context, a *app, name string) (model.Client, error) {
	if strings.TrimSpace(name) == "" {
		return model.Client{}, usagef("the client folder's name is empty")
	}
	return a.svc.ClientByName(ctx, a.actor(), name)
}

func clientsCreate(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "NAME"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	in := model.ClientInput{Name: args[0], Department: flagString(fs, "department"), Accounts: flagList(fs, "account")}
	owner := "unowned"
	if email := flagString(fs, "owner"); email != "" {
		m, err := memberArg(ctx, a, email)
		if err != nil {
			return err
		}
		in.OwnerID, owner = m.ID, "owned by "+m.Name+" <"+m.Email+">"
	}
	c, err := svc.CreateClient(ctx, a.actor(), in)
	if err != nil {
		return err
	}
	a.noteID("client", c.ID)
	accs, err := svc.Accounts(ctx, a.actor(), c.ID)
	if err != nil {
		return fmt.Errorf("list accounts of %s: %w", Sanitize(c.Name), err)
	}
	var names []string
	for _, acc := range accs {
		a.noteID("account", acc.ID)
		names = append(names, acc.Name)
	}
	fmt.Fprintf(a.stdout, "Created client folder %s (id %d), %s, filed under %s, with %s.\n", Sanitize(c.Name), c.ID,
		Sanitize(owner), Sanitize(orDash(c.DepartmentName, "no department")), Sanitize(accountsPhrase(len(in.Accounts), names)))
	return nil
}

// accountsPhrase says which accounts a new folder has: those the actor
// sees by name, and how many more there are that they do not reach.
func accountsPhrase(made int, seen []string) string {
	switch {
	case made == 0:
		return "no accounts"
	case len(seen) == 0:
		return fmt.Sprintf("%d account(s), none of which you reach", made)
	case len(seen) < made:
		return fmt.Sprintf("accounts %s and %d you do not reach", strings.Join(seen, ", "), made-len(seen))
	}
	return "accounts " + strings.Join(seen, ", ")
}

func clientsRename(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "CLIENT"); err != nil {
		return err
	}
	name := flagString(fs, "name")
	if strings.TrimSpace(name) == "" {
		return usagef("--name NAME is required: the folder's new name")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, err := clientArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	if err := svc.RenameClient(ctx, a.actor(), c.ID, name); err != nil {
		return err
	}
	a.noteID("client", c.ID)
	fmt.Fprintf(a.stdout, "Renamed client folder %s to %s.\n", Sanitize(c.Name), Sanitize(strings.TrimSpace(name)))
	return nil
}

func clientsArchive(ctx context.Context, a *app, args []string, archive bool) error {
	if err := wantArgs(args, "CLIENT"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, err := clientArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	if archive {
		err = svc.ArchiveClient(ctx, a.actor(), c.ID)
	} else {
		err = svc.RestoreClient(ctx, a.actor(), c.ID)
	}
	if err != nil {
		return err
	}
	a.noteID("client", c.ID)
	if archive {
		fmt.Fprintf(a.stdout, "Archived client folder %s: it leaves the list; its accounts, access and history stay. "+
			"'gatehouse clients restore' brings it back.\n", Sanitize(c.Name))
		return nil
	}
	fmt.Fprintf(a.stdout, "Restored client folder %s to the list, with its accounts and access.\n", Sanitize(c.Name))
	return nil
}

func clientsSetOwner(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "CLIENT"); err != nil {
		return err
	}
	email, err := valueOrNone(fs, "owner", "EMAIL")
	if err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, err := clientArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	var owner model.Member
	if email != "" {
		if owner, err = memberArg(ctx, a, email); err != nil {
			return err
		}
	}
	if err := svc.SetClientOwner(ctx, a.actor(), c.ID, owner.ID); err != nil {
		return err
	}
	a.noteID("client", c.ID)
	if owner.ID == 0 {
		fmt.Fprintf(a.stdout, "%s is now unowned.\n", Sanitize(c.Name))
		return nil
	}
	a.noteID("member", owner.ID)
	fmt.Fprintf(a.stdout, "%s is now owned by %s <%s>.\n", Sanitize(c.Name), Sanitize(owner.Name), Sanitize(owner.Email))
	// Being responsible for a folder can widen what the owner reaches.
	a.noteReach(ctx, owner)
	return nil
}

func clientsSetDepartment(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "CLIENT"); err != nil {
		return err
	}
	dept, err := valueOrNone(fs, "department", "DEPARTMENT")
	if err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, err := clientArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	if err := svc.SetClientDepartment(ctx, a.actor(), c.ID, dept); err != nil {
		return err
	}
	a.noteID("client", c.ID)
	after, err := svc.GetClient(ctx, a.actor(), c.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s is filed under %s.\n", Sanitize(c.Name), Sanitize(orDash(after.DepartmentName, "no department")))
	// Department-scoped roles reach the folder by its department.
	a.noteClientReach(ctx, after)
	return nil
}

// flagList is the values of a repeatable flag.
func flagList(fs *flag.FlagSet, name string) []string {
	if l, ok := fs.Lookup(name).Value.(*stringList); ok {
		return append([]string{}, (*l)...)
	}
	return nil
}

// valueOrNone is the value of --name, for a command that takes exactly one
// of --name VALUE and --none ("": --none).
func valueOrNone(fs *flag.FlagSet, name, value string) (string, error) {
	v, none := flagString(fs, name), flagBool(fs, "none")
	if (v == "") == !none {
		return "", usagef("give one of --%s %s or --none", name, value)
	}
	return v, nil
}
