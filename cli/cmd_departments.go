package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// Settings → Departments: list, create, edit (name, description, head) and
// delete departments, and add members to one or take them out. Each is the
// model call the app makes.

func init() {
	register(&command{
		name: "departments list", args: "[--json]",
		summary: "List the departments with their heads and member counts.",
		example: "gatehouse departments list",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     departmentsList,
	})
	register(&command{
		name: "departments show", args: "DEPARTMENT [--json]",
		summary: "Show a department and its members (those you may see), with their roles and managers.",
		example: "gatehouse departments show Tax",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     departmentsShow,
	})
	register(&command{
		name: "departments create", args: "NAME [--description TEXT] [--head EMAIL]",
		summary: "Create a department, with the active member who heads it.",
		example: `gatehouse departments create Audit --head marcus.reid@northwind.example --description "Statutory audits"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("description", "", "what the department does (`text`)")
			fs.String("head", "", "the active member who heads it (`email`)")
		},
		run: departmentsCreate,
	})
	register(&command{
		name: "departments edit", args: "DEPARTMENT [--name NAME] [--description TEXT] [--head EMAIL | --no-head]",
		summary: "Rename a department, or change its description or head; what is not given stays.",
		example: `gatehouse departments edit "Payroll & HR" --name Payroll --head amelia.brooks@northwind.example`,
		flags: func(fs *flag.FlagSet) {
			fs.String("name", "", "its new `name`")
			fs.String("description", "", "its new description (`text`)")
			fs.String("head", "", "the active member who heads it from now on (`email`)")
			fs.Bool("no-head", false, "leave it without a head")
		},
		run: departmentsEdit,
	})
	register(&command{
		name: "departments delete", args: "DEPARTMENT",
		summary: "Delete a department. Its members and client folders stay; they no longer belong to it.",
		example: `gatehouse departments delete "Payroll & HR"`,
		run:     departmentsDelete,
	})
	register(&command{
		name: "departments add", args: "DEPARTMENT EMAIL",
		summary: "Add a member to a department; their other departments stay.",
		example: "gatehouse departments add Tax amelia.brooks@northwind.example",
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return departmentsMembership(ctx, a, args, true)
		},
	})
	register(&command{
		name: "departments remove", args: "DEPARTMENT EMAIL",
		summary: "Take a member out of a department; their other departments stay.",
		example: "gatehouse departments remove Tax leo.martins@northwind.example",
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return departmentsMembership(ctx, a, args, false)
		},
	})
}

// departmentJSON is a department as --json prints it.
type departmentJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Head        string `json:"head,omitempty"`
	HeadID      int64  `json:"head_id,omitempty"`
	Members     int    `json:"members"`
}

func toDepartmentJSON(d model.Department) departmentJSON {
	return departmentJSON{ID: d.ID, Name: d.Name, Description: d.Description, Head: d.HeadName, HeadID: d.HeadID, Members: d.Members}
}

func departmentsList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	ds, err := svc.ListDepartments(ctx, a.actor())
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		out := []departmentJSON{}
		for _, d := range ds {
			out = append(out, toDepartmentJSON(d))
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "ID", "DEPARTMENT", "HEAD", "MEMBERS", "DESCRIPTION")
	for _, d := range ds {
		t.row(fmt.Sprint(d.ID), d.Name, orDash(d.HeadName, "-"), fmt.Sprint(d.Members), d.Description)
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d department(s)\n", len(ds))
	return nil
}

// findDepartment resolves a department's name, ignoring case, with the
// choices on error.
func findDepartment(ctx context.Context, a *app, name string) (model.Department, error) {
	ds, err := a.svc.ListDepartments(ctx, a.actor())
	if err != nil {
		return model.Department{}, err
	}
	var names []string
	for _, d := range ds {
		if strings.EqualFold(d.Name, strings.TrimSpace(name)) {
			return d, nil
		}
		names = append(names, d.Name)
	}
	return model.Department{}, fmt.Errorf("%w: no department named %q (departments: %s)", model.ErrNotFound, Sanitize(name), Sanitize(orDash(sortedNames(names), "-")))
}

// departmentShowJSON is 'departments show --json'.
type departmentShowJSON struct {
	departmentJSON
	MemberList []memberJSON `json:"member_list"`
	// MembersHidden says why the members are not listed.
	MembersHidden string `json:"members_hidden,omitempty"`
}

func departmentsShow(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "DEPARTMENT"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	d, err := findDepartment(ctx, a, args[0])
	if err != nil {
		return err
	}
	out := departmentShowJSON{departmentJSON: toDepartmentJSON(d), MemberList: []memberJSON{}}
	ms, err := svc.DepartmentMembers(ctx, a.actor(), d.ID)
	var denied *model.DeniedError
	switch {
	case errors.As(err, &denied):
		out.MembersHidden = denied.Decision.Reason
	case err != nil:
		return err
	}
	for _, m := range ms {
		out.MemberList = append(out.MemberList, toMemberJSON(m))
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	fmt.Fprintf(a.stdout, "%s (id %d), head %s, %d member(s)\n", Sanitize(d.Name), d.ID, Sanitize(orDash(d.HeadName, "-")), d.Members)
	if d.Description != "" {
		fmt.Fprintln(a.stdout, Sanitize(d.Description))
	}
	if out.MembersHidden != "" {
		fmt.Fprintf(a.stdout, "Members: not shown: %s\n", Sanitize(out.MembersHidden))
		return nil
	}
	t := newTable(a.stdout, "NAME", "EMAIL", "ROLE", "MANAGER")
	for _, m := range ms {
		t.row(m.Name, m.Email, m.RoleName, orDash(m.ManagerName, "-"))
	}
	t.flush()
	return nil
}

// headArg is the member --head names (0 without it).
func headArg(ctx context.Context, a *app, fs *flag.FlagSet) (int64, string, error) {
	email := flagString(fs, "head")
	if email == "" {
		return 0, "", nil
	}
	m, err := memberArg(ctx, a, email)
	if err != nil {
		return 0, "", err
	}
	return m.ID, m.Name, nil
}

func departmentsCreate(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "NAME"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	headID, _, err := headArg(ctx, a, fs)
	if err != nil {
		return err
	}
	d, err := svc.CreateDepartment(ctx, a.actor(), args[0], flagString(fs, "description"), headID)
	if err != nil {
		return err
	}
	a.noteID("department", d.ID)
	fmt.Fprintf(a.stdout, "Department %s created (id %d), head %s.\n", Sanitize(d.Name), d.ID, Sanitize(orDash(d.HeadName, "-")))
	return nil
}

func departmentsEdit(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "DEPARTMENT"); err != nil {
		return err
	}
	if fs.Changed("head") && flagBool(fs, "no-head") {
		return usagef("give --head EMAIL or --no-head, not both")
	}
	if !fs.Changed("name") && !fs.Changed("description") && !fs.Changed("head") && !flagBool(fs, "no-head") {
		return usagef("say what changes: --name, --description, --head or --no-head")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	d, err := findDepartment(ctx, a, args[0])
	if err != nil {
		return err
	}
	name, desc, headID, head := d.Name, d.Description, d.HeadID, d.HeadName
	if fs.Changed("name") {
		name = flagString(fs, "name")
	}
	if fs.Changed("description") {
		desc = flagString(fs, "description")
	}
	switch {
	case flagBool(fs, "no-head"):
		headID, head = 0, ""
	case fs.Changed("head"):
		if headID, head, err = headArg(ctx, a, fs); err != nil {
			return err
		}
	}
	seen := model.WithSeen(ctx, model.SeenDepartmentAs(d))
	if err := svc.UpdateDepartment(seen, a.actor(), d.ID, name, desc, headID); err != nil {
		return err
	}
	a.noteID("department", d.ID)
	fmt.Fprintf(a.stdout, "Department %s saved: name %s, head %s.\n", Sanitize(d.Name), Sanitize(strings.TrimSpace(name)), Sanitize(orDash(head, "-")))
	return nil
}

func departmentsDelete(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "DEPARTMENT"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	d, err := findDepartment(ctx, a, args[0])
	if err != nil {
		return err
	}
	if err := svc.DeleteDepartment(model.WithSeen(ctx, model.SeenDepartmentAs(d)), a.actor(), d.ID); err != nil {
		return err
	}
	a.noteID("department", d.ID)
	fmt.Fprintf(a.stdout, "Department %s deleted; its %d member(s) and its client folders stay.\n", Sanitize(d.Name), d.Members)
	return nil
}

// departmentsMembership adds a member to a department or takes them out,
// keeping their other departments, as the app's department member list
// does: the member as read now, so a change made meanwhile is refused
// rather than undone.
func departmentsMembership(ctx context.Context, a *app, args []string, add bool) error {
	if err := wantArgs(args, "DEPARTMENT", "EMAIL"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	d, err := findDepartment(ctx, a, args[0])
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[1])
	if err != nil {
		return err
	}
	if err := svc.ChangeDepartmentMembership(model.WithSeen(ctx, model.SeenMember(m)), a.actor(), m.ID, d.ID, add); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	a.noteID("department", d.ID)
	// What a department-scoped role reaches follows the departments.
	a.noteReach(ctx, m)
	if add {
		fmt.Fprintf(a.stdout, "%s <%s> added to %s.\n", Sanitize(m.Name), Sanitize(m.Email), Sanitize(d.Name))
	} else {
		fmt.Fprintf(a.stdout, "%s <%s> taken out of %s.\n", Sanitize(m.Name), Sanitize(m.Email), Sanitize(d.Name))
	}
	return nil
}
