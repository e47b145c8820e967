package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	flag "github.com/spf13/pflag"
)

// The member detail's own actions: remove a member, set their manager.

func init() {
	register(&command{
		name: "staff remove", args: "EMAIL [--reassign-to EMAIL]",
		summary: "Delete a member: their access is revoked and their clients go to --reassign-to (else unowned).\n" +
			"Their history stays in the audit log. To keep the record, deactivate or offboard instead.",
		example: "gatehouse staff remove daniel.okafor@northwind.example --reassign-to hannah.cole@northwind.example",
		flags: func(fs *flag.FlagSet) {
			fs.String("reassign-to", "", "the active member who takes over their clients (`email`)")
		},
		run: staffRemove,
	})
	register(&command{
		name: "staff set-manager", args: "EMAIL [--manager EMAIL | --none]",
		summary: "Assign a member to a manager, or to none; a Manager sees the records of the members assigned to them.",
		example: "gatehouse staff set-manager sara.lindqvist@northwind.example --manager tom.becker@northwind.example",
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
	managerEmail, err := valueOrNone(fs, "manager", "EMAIL")
	if err != nil {
		return err
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

func init() {
	register(&command{
		name: "staff departments", args: "EMAIL --set DEPARTMENT... | --add DEPARTMENT... | --remove DEPARTMENT... | --none",
		summary: "Set the departments a member belongs to (the app's e on a member): --set gives the whole list,\n" +
			"--add and --remove change it, --none leaves them in none. A role scoped to departments reaches\n" +
			"their folders; --json says what the member reaches afterwards.",
		example: `gatehouse staff departments leo.martins@northwind.example --add "Payroll & HR"`,
		flags: func(fs *flag.FlagSet) {
			fs.Var(&stringList{}, "set", "a `department` of the whole new list (repeatable)")
			fs.Var(&stringList{}, "add", "a `department` to add them to (repeatable)")
			fs.Var(&stringList{}, "remove", "a `department` to take them out of (repeatable)")
			fs.Bool("none", false, "leave them in no department")
		},
		run: staffDepartments,
	})
}

func staffDepartments(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL"); err != nil {
		return err
	}
	set, add, remove, none := flagList(fs, "set"), flagList(fs, "add"), flagList(fs, "remove"), flagBool(fs, "none")
	modes := 0
	for _, given := range []bool{len(set) > 0, len(add)+len(remove) > 0, none} {
		if given {
			modes++
		}
	}
	if modes != 1 {
		return usagef("give one of --set DEPARTMENT..., --add/--remove DEPARTMENT... or --none")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	before := deptNames(m)
	names := []string{} // --none
	if !none {
		names, err = departmentsAfter(before, set, add, remove)
	}
	if err != nil {
		return err
	}
	if err := svc.SetDepartments(ctx, a.actor(), m.ID, names); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	after, err := svc.GetMember(ctx, a.actor(), m.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s <%s> is now in %s (was in %s).\n", Sanitize(m.Name), Sanitize(m.Email),
		Sanitize(deptPhrase(deptNames(after))), Sanitize(deptPhrase(before)))
	a.noteReach(ctx, after)
	return nil
}

// departmentsAfter is the list a member's departments become: set, or
// now with add and without remove. Names are matched ignoring case; one
// to remove that is not theirs is refused, so a typo changes nothing.
func departmentsAfter(now, set, add, remove []string) ([]string, error) {
	if len(set) > 0 {
		return set, nil
	}
	has := func(list []string, name string) int {
		return slices.IndexFunc(list, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(name)) })
	}
	out := slices.Clone(now)
	for _, name := range remove {
		i := has(out, name)
		if i < 0 {
			return nil, usagef("they are not in a department named %q (theirs: %s)", Sanitize(name), Sanitize(deptPhrase(now)))
		}
		out = slices.Delete(out, i, i+1)
	}
	for _, name := range add {
		if has(out, name) < 0 {
			out = append(out, name)
		}
	}
	return out, nil
}

// deptPhrase names departments for a sentence: "Tax, Payroll & HR" or
// "no department".
func deptPhrase(names []string) string {
	if len(names) == 0 {
		return "no department"
	}
	return strings.Join(names, ", ")
}
