package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// The Roles screen's actions: show a role, create and edit a custom role's
// permission grid, rename and delete it, and give a role to a member after
// the same what-if preview the app shows. Each is the model call the app
// makes; the model decides and audits.

func init() {
	register(&command{
		name: "roles show", args: "ROLE [--json]",
		summary: "Show a role: its permission grid, module by module, and the members holding it (those you may see).",
		example: "gatehouse roles show Manager",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     rolesShow,
	})
	register(&command{
		name: "roles create", args: "NAME --allow CELLS... | --file FILE [--description TEXT]",
		summary: "Create a custom role with the permission grid given as cells MODULE.ACTION:SCOPE. It never grants\n" +
			"more than you hold. Give it to members with 'roles give'.",
		example: `gatehouse roles create "Support agent" --allow staff.view:all,clients.view:own,accounts.view:own --description "Answers clients"`,
		flags: func(fs *flag.FlagSet) {
			gridFlags(fs)
			fs.String("description", "", "what the role is for (`text`)")
		},
		run: rolesCreate,
	})
	register(&command{
		name: "roles edit", args: "ROLE [--allow CELLS... | --file FILE] [--set CELL]... [--description TEXT]",
		summary: "Change a custom role's permission grid: --allow or --file replace it whole, --set changes one cell\n" +
			"(scope none takes it away). Prints each cell that changed; it applies at once to every member holding it.",
		example: "gatehouse roles edit Manager --set clients.update:none --set audit.view:all",
		flags: func(fs *flag.FlagSet) {
			gridFlags(fs)
			fs.Var(&stringList{}, "set", "set one `cell` MODULE.ACTION:SCOPE, scope none to take it away (repeatable)")
			fs.String("description", "", "a new description (`text`)")
		},
		run: rolesEdit,
	})
	register(&command{
		name: "roles rename", args: "ROLE NAME [--description TEXT]",
		summary: "Rename a custom role (and change its description); its grid and members stay.",
		example: `gatehouse roles rename Manager "Team lead"`,
		flags:   func(fs *flag.FlagSet) { fs.String("description", "", "a new description (`text`)") },
		run:     rolesRename,
	})
	register(&command{
		name: "roles delete", args: "ROLE [--move-members-to ROLE]",
		summary: "Delete a custom role. A role with members or pending invitations is deleted only with\n" +
			"--move-members-to: they move to that role first, each move checked and audited as a role change.",
		example: "gatehouse roles delete Manager --move-members-to Advisor",
		flags: func(fs *flag.FlagSet) {
			fs.String("move-members-to", "", "the `role` its members and invitations move to")
		},
		run: rolesDelete,
	})
	register(&command{
		name: "roles give", args: "ROLE --staff EMAIL [--yes]",
		summary: "Give a member a role: first shows what they would gain and lose (client accounts and permissions,\n" +
			"as the app's preview); with --yes, gives it. Refused if the member changed since the preview was read.",
		example: "gatehouse roles give Manager --staff sara.lindqvist@northwind.example --yes",
		flags: func(fs *flag.FlagSet) {
			fs.String("staff", "", "the member (`email`)")
			fs.Bool("yes", false, "give the role after the preview (without it, nothing changes)")
			fs.Bool("json", false, "print JSON: the preview, and whether the role was given")
		},
		run: func(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(args, "ROLE"); err != nil {
				return err
			}
			return roleWhatIf(ctx, a, fs, args[0], flagBool(fs, "yes"))
		},
	})
	register(&command{
		name: "whatif role", args: "--staff EMAIL --role ROLE [--json]",
		summary: "What would change if a member held another role: the client accounts and permissions they would\n" +
			"gain and lose (the Simulator's R). Changes nothing; 'roles give' gives it.",
		example: "gatehouse whatif role --staff sara.lindqvist@northwind.example --role Manager",
		flags: func(fs *flag.FlagSet) {
			fs.String("staff", "", "the member (`email`)")
			fs.String("role", "", "the `role` to try")
			fs.Bool("json", false, "print JSON")
		},
		run: func(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(args); err != nil {
				return err
			}
			if flagString(fs, "role") == "" {
				return usagef("--role is required: the role to try")
			}
			return roleWhatIf(ctx, a, fs, flagString(fs, "role"), false)
		},
	})
}

// roleShowJSON is one role as 'roles show --json' prints it.
type roleShowJSON struct {
	roleJSON
	MemberEmails []string `json:"member_emails"`
	// MembersHidden says why the members are not listed.
	MembersHidden string `json:"members_hidden,omitempty"`
}

func rolesShow(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "ROLE"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	r, err := findRole(ctx, a, args[0])
	if err != nil {
		return err
	}
	ps, err := svc.RolePermissionSet(ctx, a.actor(), r.ID)
	if err != nil {
		return err
	}
	out := roleShowJSON{roleJSON: roleJSON{ID: r.ID, Name: r.Name, BuiltIn: model.KindOfRole(r).Builtin(), Description: r.Description,
		Members: r.Members, Permissions: permJSON(ps)}, MemberEmails: []string{}}
	// Who holds it is a read of staff records: one who may see roles but
	// not staff sees the grid alone, and why.
	members, err := svc.RoleMembers(ctx, a.actor(), r.ID)
	var denied *model.DeniedError
	switch {
	case errors.As(err, &denied):
		out.MembersHidden = denied.Decision.Reason
	case err != nil:
		return err
	}
	for _, m := range members {
		out.MemberEmails = append(out.MemberEmails, m.Email)
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	kind := "custom"
	if out.BuiltIn {
		kind = "built-in"
	}
	fmt.Fprintf(a.stdout, "%s (%s, id %d): %d member(s)\n", Sanitize(r.Name), kind, r.ID, r.Members)
	if r.Description != "" {
		fmt.Fprintf(a.stdout, "%s\n", Sanitize(r.Description))
	}
	fmt.Fprintln(a.stdout)
	writeGrid(a, ps)
	fmt.Fprintln(a.stdout)
	if out.MembersHidden != "" {
		fmt.Fprintf(a.stdout, "Members: not shown: %s\n", Sanitize(out.MembersHidden))
		return nil
	}
	if len(out.MemberEmails) == 0 {
		fmt.Fprintln(a.stdout, "No members hold it (or none you may see).")
		return nil
	}
	fmt.Fprintf(a.stdout, "Members: %s\n", Sanitize(strings.Join(out.MemberEmails, ", ")))
	return nil
}

// writeGrid prints modules × actions with the scope in each cell, as the
// app's matrix shows it.
func writeGrid(a *app, ps model.PermissionSet) {
	head := []string{"MODULE"}
	for _, v := range model.Verbs {
		head = append(head, strings.ToUpper(v.String()))
	}
	t := newTable(a.stdout, head...)
	for _, m := range model.Modules {
		row := []string{m.String()}
		for _, v := range model.Verbs {
			s := "-"
			if x := ps.Get(m, v); x != model.ScopeNone {
				s = x.String()
			}
			row = append(row, s)
		}
		t.row(row...)
	}
	t.flush()
}

func rolesCreate(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "NAME"); err != nil {
		return err
	}
	perms, given, err := gridFromFlags(a, fs)
	if err != nil {
		return err
	}
	if !given {
		return usagef("give the role's grid with --allow %s (or --file FILE)", permHelp)
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	r, err := svc.CreateRole(ctx, a.actor(), args[0], flagString(fs, "description"), perms)
	if err != nil {
		return err
	}
	a.noteID("role", r.ID)
	ps, err := model.NewPermissionSet(perms)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Created role %s (id %d).\n", Sanitize(r.Name), r.ID)
	printChanges(a, model.PermissionSet{}, ps)
	return nil
}

// printChanges prints each cell that changed, or that nothing is granted.
func printChanges(a *app, before, after model.PermissionSet) {
	lines := permChangeLines(before, after)
	if len(lines) == 0 && len(after) == 0 {
		fmt.Fprintln(a.stdout, "It grants nothing yet.")
	}
	for _, l := range lines {
		fmt.Fprintf(a.stdout, "  %s\n", l)
	}
}

// customRole finds a role and its grid as read now, with the context that
// makes the model refuse a write if the role changes meanwhile.
func customRole(ctx context.Context, a *app, name string) (model.Role, model.PermissionSet, context.Context, error) {
	r, err := findRole(ctx, a, name)
	if err != nil {
		return r, nil, ctx, err
	}
	ps, err := a.svc.RolePermissionSet(ctx, a.actor(), r.ID)
	if err != nil {
		return r, nil, ctx, err
	}
	return r, ps, model.WithSeen(ctx, model.SeenRoleAs(r)), nil
}

func rolesEdit(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "ROLE"); err != nil {
		return err
	}
	whole, given, err := gridFromFlags(a, fs)
	if err != nil {
		return err
	}
	var cells []model.Permission
	for _, w := range *fs.Lookup("set").Value.(*stringList) {
		p, err := parsePerm(w)
		if err != nil {
			return err
		}
		cells = append(cells, p)
	}
	if !given && len(cells) == 0 && !fs.Changed("description") {
		return usagef("say what changes: --allow or --file (the whole grid), --set CELL, or --description")
	}
	if _, err := a.openExisting(ctx); err != nil {
		return err
	}
	r, before, seenCtx, err := customRole(ctx, a, args[0])
	if err != nil {
		return err
	}
	after := before.Clone()
	if given {
		if after, err = model.NewPermissionSet(whole); err != nil {
			return err
		}
	}
	for _, c := range cells {
		after.Set(c.Module, c.Verb, c.Scope)
	}
	desc := r.Description
	if fs.Changed("description") {
		desc = flagString(fs, "description")
	}
	changes := permChangeLines(before, after)
	if len(changes) == 0 && desc == r.Description {
		return lineError{fmt.Sprintf("nothing changed: %s already grants that", Sanitize(r.Name)), exitFail}
	}
	if err := a.svc.UpdateRole(seenCtx, a.actor(), r.ID, r.Name, desc, after.List()); err != nil {
		return err
	}
	a.noteID("role", r.ID)
	fmt.Fprintf(a.stdout, "Role %s saved; it applies at once.\n", Sanitize(r.Name))
	printChanges(a, before, after)
	if members, err := roleMembers(ctx, a, r); err == nil {
		a.noteMembersReach(ctx, members)
	}
	return nil
}

func rolesRename(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "ROLE", "NAME"); err != nil {
		return err
	}
	if _, err := a.openExisting(ctx); err != nil {
		return err
	}
	r, ps, seenCtx, err := customRole(ctx, a, args[0])
	if err != nil {
		return err
	}
	desc := r.Description
	if fs.Changed("description") {
		desc = flagString(fs, "description")
	}
	if err := a.svc.UpdateRole(seenCtx, a.actor(), r.ID, args[1], desc, ps.List()); err != nil {
		return err
	}
	a.noteID("role", r.ID)
	fmt.Fprintf(a.stdout, "Role %s renamed to %s.\n", Sanitize(r.Name), Sanitize(strings.TrimSpace(args[1])))
	return nil
}

func rolesDelete(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "ROLE"); err != nil {
		return err
	}
	if _, err := a.openExisting(ctx); err != nil {
		return err
	}
	r, _, seenCtx, err := customRole(ctx, a, args[0])
	if err != nil {
		return err
	}
	moveTo := flagString(fs, "move-members-to")
	var moved []model.Member
	if moveTo != "" {
		to, err := findRole(ctx, a, moveTo)
		if err != nil {
			return err
		}
		moveTo = to.Name
		// Read before the role goes: who it moves, for their reach after.
		if moved, err = roleMembers(ctx, a, r); err != nil {
			moved = nil
		}
	}
	if err := a.svc.DeleteRole(seenCtx, a.actor(), r.ID, moveTo); err != nil {
		return err
	}
	a.noteID("role", r.ID)
	a.noteMembersReach(ctx, moved)
	if moveTo != "" && r.Members > 0 {
		fmt.Fprintf(a.stdout, "%d member(s) of %s moved to %s, each change audited.\n", r.Members, Sanitize(r.Name), Sanitize(moveTo))
	}
	fmt.Fprintf(a.stdout, "Role %s deleted. The audit log keeps its history.\n", Sanitize(r.Name))
	return nil
}

// roleMembers are the members holding r, as the actor may see them, for
// the --json result's reach (read only with --json: a role may have many).
func roleMembers(ctx context.Context, a *app, r model.Role) ([]model.Member, error) {
	if !a.json {
		return nil, nil
	}
	ms, err := a.svc.RoleMembers(ctx, a.actor(), r.ID)
	if err != nil {
		a.warn("who holds %s could not be read: %s", r.Name, err)
	}
	return ms, err
}

// whatIfJSON is a role-change preview as --json prints it.
type whatIfJSON struct {
	Member   string   `json:"member"`
	MemberID int64    `json:"member_id"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Gain     []string `json:"gain"`
	Lose     []string `json:"lose"`
	// GainHidden, LoseHidden: accounts gained or lost that the asker may
	// not see, counted and not named.
	GainHidden int                `json:"gain_hidden"`
	LoseHidden int                `json:"lose_hidden"`
	GainPerms  []model.Permission `json:"gain_permissions"`
	LosePerms  []model.Permission `json:"lose_permissions"`
	// Given: the role was given (roles give --yes).
	Given bool `json:"given"`
}

// roleWhatIf previews giving the member named by --staff the role, as
// the app's what-if does, and with apply gives it: the member as
// previewed, so a change to them in between is refused.
func roleWhatIf(ctx context.Context, a *app, fs *flag.FlagSet, roleName string, apply bool) error {
	email := flagString(fs, "staff")
	if email == "" {
		return usagef("--staff is required: the member's email")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, email)
	if err != nil {
		return err
	}
	r, err := findRole(ctx, a, roleName)
	if err != nil {
		return err
	}
	pv, err := svc.PreviewRoleChange(ctx, a.actor(), m.ID, r.Name)
	if err != nil {
		return err
	}
	if apply {
		if err := svc.SetRole(model.WithSeen(ctx, model.SeenMember(m)), a.actor(), m.ID, r.Name); err != nil {
			return err
		}
		a.noteID("member", m.ID)
		a.noteID("role", r.ID)
		a.noteReach(ctx, m)
	}
	out := whatIfJSON{Member: pv.Member, MemberID: m.ID, From: pv.From, To: pv.To, Gain: nonNil(pv.Gain), Lose: nonNil(pv.Lose),
		GainHidden: pv.GainHidden, LoseHidden: pv.LoseHidden, GainPerms: nonNil(pv.GainPerms), LosePerms: nonNil(pv.LosePerms), Given: apply}
	if flagBool(fs, "json") && !apply {
		return writeJSON(a.stdout, out)
	}
	if flagBool(fs, "json") {
		// Given, it is an action: its result says what changed, as
		// every action's does; the preview is its lines.
		return a.printResult("roles give", func() { printWhatIf(a, m, r, pv, apply, fs) })
	}
	printWhatIf(a, m, r, pv, apply, fs)
	return nil
}

// printWhatIf writes a role-change preview, and whether it was given.
func printWhatIf(a *app, m model.Member, r model.Role, pv model.RoleChangePreview, apply bool, fs *flag.FlagSet) {
	fmt.Fprintf(a.stdout, "What if %s <%s> were %s? (now %s)\n", Sanitize(m.Name), Sanitize(pv.Member), Sanitize(pv.To), Sanitize(pv.From))
	section := func(head string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(a.stdout, "%s:\n", head)
		for _, it := range items {
			fmt.Fprintf(a.stdout, "  %s\n", Sanitize(it))
		}
	}
	perms := func(ps []model.Permission) []string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s %s (%s)", p.Verb, p.Module, p.Scope))
		}
		return out
	}
	section("Would gain access to", pv.Gain)
	section("Would lose access to", pv.Lose)
	section("Would gain permissions", perms(pv.GainPerms))
	section("Would lose permissions", perms(pv.LosePerms))
	if len(pv.Gain)+len(pv.Lose)+len(pv.GainPerms)+len(pv.LosePerms) == 0 {
		fmt.Fprintln(a.stdout, "Nothing would change.")
	}
	switch {
	case apply:
		fmt.Fprintf(a.stdout, "%s is now %s; it applies at once.\n", Sanitize(m.Name), Sanitize(r.Name))
	case fs.Lookup("yes") != nil:
		fmt.Fprintln(a.stdout, "Nothing was changed; run again with --yes to give the role.")
	}
}

// nonNil is xs, or an empty list: --json prints [] rather than null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
