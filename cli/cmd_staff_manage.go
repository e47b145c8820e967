package cli

import (
	"context"
	"fmt"

	flag "github.com/spf13/pflag"
)

// The member detail's own actions: remove a member, set their manager.

func init() {
	register(&command{
		name: "staff remove", args: "EMAIL [--reassign-to EMAIL]",
		summary: "Delete a member: their access is revoked and their clients go to --reassign-to (else unowned).\n" +
			"Their history stays in the audit log. To keep the record, deactivate or offboard instead.",
		example: "gatehouse staff remove jane@example.com --reassign-to sam@example.com",
		flags: func(fs *flag.FlagSet) {
			fs.String("reassign-to", "", "the active member who takes over their clients (`email`)")
		},
		run: staffRemove,
	})
	register(&command{
		name: "staff set-manager", args: "EMAIL [--manager EMAIL | --none]",
		summary: "Assign a member to a manager, or to none; a Manager sees the records of the members assigned to them.",
		example: "gatehouse staff set-manager sara@example.com --manager marcus@example.com",
		flags: func(fs *flag.FlagSet) {
			fs.String("manager", "", "their manager (`email`)")
			fs.Bool("none", false, "assign them to no manager")
		},
		run: staffSetManager,
	})
}

func staffRemove(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	l, err := leavingArgs(ctx, a, fs, args)
	if err != nil {
		return err
	}
	m, toText := l.member, "left unowned"
	if l.to != nil {
		toText = "reassigned to " + l.to.Email
	}
	if err := l.svc.Remove(ctx, a.actor(), m.ID, l.toID()); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	fmt.Fprintf(a.stdout, "Removed %s <%s>: their access is revoked and their clients %s.\n", Sanitize(m.Name), Sanitize(m.Email), Sanitize(toText))
	return nil
}

func staffSetManager(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL"); err != nil {
		return err
	}
	managerEmail, none := flagString(fs, "manager"), flagBool(fs, "none")
	if (managerEmail == "") == !none {
		return usagef("give one of --manager EMAIL or --none")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	var managerID int64
	now := "no manager"
	if managerEmail != "" {
		mgr, err := memberArg(ctx, a, managerEmail)
		if err != nil {
			return err
		}
		managerID, now = mgr.ID, "manager "+mgr.Name+" <"+mgr.Email+">"
	}
	if err := svc.SetManager(ctx, a.actor(), m.ID, managerID); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	if managerID != 0 {
		a.noteID("manager", managerID)
	}
	fmt.Fprintf(a.stdout, "%s <%s> now has %s.\n", Sanitize(m.Name), Sanitize(m.Email), Sanitize(now))
	return nil
}
