package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "staff list", args: "[--json] [--filter TEXT] [--status STATUS] [--role ROLE] [--limit N]",
		summary: "List staff members.",
		example: "gatehouse staff list --role Advisor --status active",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON")
			fs.String("filter", "", "only members whose name or email contains `text`")
			fs.String("status", "", "only members with this `status` (invited, active, deactivated)")
			fs.String("role", "", "only members with this `role`")
			fs.Int("limit", 0, "at most `n` members (0: all)")
		},
		run: staffList,
	})
	register(&command{
		name: "staff invite", args: "EMAIL --name NAME [--role ROLE] [--department D]... [--message M]",
		summary: "Invite a member; prints the invitation code and the command that redeems it.",
		example: `gatehouse staff invite jane.doe@northwind.example --name "Jane Doe" --role Advisor --department Tax`,
		flags: func(fs *flag.FlagSet) {
			fs.String("name", "", "the member's full `name` (required)")
			fs.String("role", "Advisor", "the `role` they get")
			fs.Var(&stringList{}, "department", "a `department` they join (repeatable)")
			fs.String("message", "", "a personal `message` shown with the invitation")
		},
		run: staffInvite,
	})
	register(&command{
		name: "staff set-role", args: "EMAIL ROLE",
		summary: "Change a member's role (only the Owner makes or unmakes Admins).",
		example: "gatehouse staff set-role sara.lindqvist@northwind.example Manager",
		run:     staffSetRole,
	})
	register(&command{
		name: "staff deactivate", args: "EMAIL",
		summary: "Stop a member from signing in; their records stay assigned.",
		example: "gatehouse staff deactivate daniel.okafor@northwind.example",
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return staffStatus(ctx, a, args, false)
		},
	})
	register(&command{
		name: "staff reactivate", args: "EMAIL",
		summary: "Let a deactivated member sign in again.",
		example: "gatehouse staff reactivate ethan.wright@northwind.example",
		run: func(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
			return staffStatus(ctx, a, args, true)
		},
	})
	register(&command{
		name: "offboard", args: "EMAIL [--reassign-to EMAIL] [--json]",
		summary: "Revoke all of a member's access, deactivate them and reassign (or unassign) their clients, at once.",
		example: "gatehouse offboard amelia.brooks@northwind.example --reassign-to marcus.reid@northwind.example",
		flags: func(fs *flag.FlagSet) {
			fs.String("reassign-to", "", "the active member who takes over their clients (`email`; default: leave them unowned)")
			fs.Bool("json", false, "print what was done, and what their role still reaches, as JSON")
		},
		run: offboard,
	})
	register(&command{
		name: "keys add", args: "EMAIL PUBKEY_FILE",
		summary: "Register an SSH public key for a member (PUBKEY_FILE '-' reads standard input).",
		example: "gatehouse keys add grace.kim@northwind.example ~/.ssh/id_ed25519.pub",
		run:     keysAdd,
	})
	register(&command{
		name: "roles list", args: "[--json]",
		summary: "List the built-in and custom roles with their permissions.",
		example: "gatehouse roles list --json",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     rolesList,
	})
}

func flagString(fs *flag.FlagSet, name string) string { return fs.Lookup(name).Value.String() }

func flagBool(fs *flag.FlagSet, name string) bool { return fs.Lookup(name).Value.String() == "true" }

func flagInt(fs *flag.FlagSet, name string) int {
	n, _ := fs.GetInt(name)
	return n
}

// memberJSON is a member as --json prints it.
type memberJSON struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Email       string   `json:"email"`
	Role        string   `json:"role"`
	Status      string   `json:"status"`
	Departments []string `json:"departments"`
	Manager     string   `json:"manager,omitempty"`
	TwoFactor   bool     `json:"two_factor"`
	LastActive  string   `json:"last_active,omitempty"`
	Created     string   `json:"created"`
}

func toMemberJSON(m model.Member) memberJSON {
	return memberJSON{ID: m.ID, Name: m.Name, Email: m.Email, Role: m.RoleName, Status: m.Status,
		Departments: deptNames(m), Manager: m.ManagerName, TwoFactor: m.TOTPEnabled,
		LastActive: timeText(m.LastActive), Created: timeText(m.CreatedAt)}
}

func deptNames(m model.Member) []string {
	out := []string{}
	for _, d := range m.Departments {
		out = append(out, d.Name)
	}
	return out
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// writeJSON writes v indented, with the characters that could act on a
// terminal escaped (a listing is often read on one).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(model.SafeJSONWriter(w))
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// findRole resolves a role name, ignoring case, with the choices on error.
func findRole(ctx context.Context, a *app, name string) (model.Role, error) {
	roles, err := a.svc.ListRoles(ctx, a.actor())
	if err != nil {
		return model.Role{}, err
	}
	var names []string
	for _, r := range roles {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			return r, nil
		}
		names = append(names, r.Name)
	}
	return model.Role{}, fmt.Errorf("%w: no role named %q (roles: %s)", model.ErrNotFound, Sanitize(name), Sanitize(sortedNames(names)))
}

func staffList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	q := model.MemberQuery{Text: flagString(fs, "filter"), Status: strings.ToLower(flagString(fs, "status")), Limit: flagInt(fs, "limit")}
	switch q.Status {
	case "", "invited", "active", "deactivated":
	default:
		return usagef("--status is invited, active or deactivated, not %q", q.Status)
	}
	if r := flagString(fs, "role"); r != "" {
		role, err := findRole(ctx, a, r)
		if err != nil {
			return err
		}
		q.RoleID = role.ID
	}
	members, total, err := svc.ListStaff(ctx, a.actor(), q)
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		out := []memberJSON{}
		for _, m := range members {
			out = append(out, toMemberJSON(m))
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "NAME", "EMAIL", "ROLE", "DEPARTMENTS", "STATUS", "2FA", "LAST ACTIVE")
	for _, m := range members {
		twoFA := "off"
		if m.TOTPEnabled {
			twoFA = "on"
		}
		depts := strings.Join(deptNames(m), ", ")
		if depts == "" {
			depts = "-"
		}
		t.row(m.Name, m.Email, m.RoleName, depts, m.Status, twoFA, shortTime(m.LastActive))
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d of %d members\n", len(members), total)
	return nil
}

func staffInvite(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL"); err != nil {
		return err
	}
	name := flagString(fs, "name")
	if strings.TrimSpace(name) == "" {
		return usagef("--name is required: the member's full name")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	depts := *fs.Lookup("department").Value.(*stringList)
	inv, code, err := svc.Invite(ctx, a.actor(), model.InviteInput{
		Email: args[0], Name: name, Role: flagString(fs, "role"), Departments: depts, Message: flagString(fs, "message"),
	})
	if err != nil {
		return err
	}
	a.noteID("invitation", inv.ID)
	fmt.Fprintf(a.stdout, "Invited %s <%s> as %s; the invitation expires %s.\n",
		Sanitize(inv.Name), Sanitize(inv.Email), Sanitize(inv.RoleName), inv.ExpiresAt.Local().Format("2 Jan 2006 15:04"))
	fmt.Fprintf(a.stdout, "Invitation code: %s\n", code)
	fmt.Fprintf(a.stdout, "They join with:\n  %s\n", a.joinCommand(code))
	return nil
}

// joinCommand is the exact command that redeems an invitation code on this
// database.
func (a *app) joinCommand(code string) string { return a.svc.JoinCommand(code) }

// shellQuote quotes a path for pasting into a shell, when it needs it.
func shellQuote(s string) string { return model.ShellQuote(s) }

// memberArg finds the member an EMAIL argument names.
func memberArg(ctx context.Context, a *app, email string) (model.Member, error) {
	if strings.TrimSpace(email) == "" {
		return model.Member{}, usagef("the member's email is empty")
	}
	return a.svc.MemberByEmail(ctx, a.actor(), email)
}

func staffSetRole(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL", "ROLE"); err != nil {
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
	role, err := findRole(ctx, a, args[1])
	if err != nil {
		return err
	}
	if err := svc.SetRole(ctx, a.actor(), m.ID, role.Name); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	a.noteID("role", role.ID)
	fmt.Fprintf(a.stdout, "%s <%s>: role %s → %s\n", Sanitize(m.Name), Sanitize(m.Email), Sanitize(m.RoleName), Sanitize(role.Name))
	a.noteReach(ctx, m)
	return nil
}

func staffStatus(ctx context.Context, a *app, args []string, activate bool) error {
	if err := wantArgs(args, "EMAIL"); err != nil {
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
	if activate {
		err = svc.Reactivate(ctx, a.actor(), m.ID)
	} else {
		err = svc.Deactivate(ctx, a.actor(), m.ID)
	}
	if err != nil {
		return err
	}
	a.noteID("member", m.ID)
	now := "deactivated: they can no longer sign in"
	if activate {
		now = "active again: they can sign in"
	}
	fmt.Fprintf(a.stdout, "%s <%s> is %s.\n", Sanitize(m.Name), Sanitize(m.Email), now)
	a.noteReach(ctx, m)
	return nil
}

// leaving is what offboard and staff remove both start from: the member
// named by EMAIL and, with --reassign-to, who takes their clients.
type leaving struct {
	svc    *model.Service
	member model.Member
	to     *model.Member // nil: their clients are left unowned
}

func leavingArgs(ctx context.Context, a *app, fs *flag.FlagSet, args []string) (leaving, error) {
	if err := wantArgs(args, "EMAIL"); err != nil {
		return leaving{}, err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return leaving{}, err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return leaving{}, err
	}
	l := leaving{svc: svc, member: m}
	if e := flagString(fs, "reassign-to"); e != "" {
		r, err := memberArg(ctx, a, e)
		if err != nil {
			return leaving{}, err
		}
		l.to = &r
	}
	return l, nil
}

// toID is the member who takes the clients, or 0 for nobody.
func (l leaving) toID() int64 {
	if l.to == nil {
		return 0
	}
	return l.to.ID
}

func offboard(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	l, err := leavingArgs(ctx, a, fs, args)
	if err != nil {
		return err
	}
	m := l.member
	res, err := l.svc.Offboard(ctx, a.actor(), m.ID, l.toID())
	if err != nil {
		return err
	}
	// Deactivated, they reach nothing; an offboarding of one who stays
	// active would say what their role still reaches.
	still := stillReaches(ctx, a, m)
	if flagBool(fs, "json") {
		a.noteID("member", m.ID)
		a.noteReach(ctx, m)
		out := offboardJSON{Staff: m.Email, FoldersRemoved: res.FoldersRemoved, ClientsReassigned: res.ClientsReassigned,
			ReassignedTo: res.ReassignedTo, Deactivated: res.WasActive, StillReachesThroughRole: still}
		out.actionResult = a.captured("offboard", func() { sayOffboarded(a, m, res, still) })
		return writeJSON(a.stdout, out)
	}
	sayOffboarded(a, m, res, still)
	return nil
}

// sayOffboarded writes what an offboarding did.
func sayOffboarded(a *app, m model.Member, res model.OffboardResult, still string) {
	defer func() {
		if still != "" {
			fmt.Fprintf(a.stdout, "  their role still reaches, whatever their access: %s\n", Sanitize(still))
		} else {
			fmt.Fprintln(a.stdout, "  they reach no client account now")
		}
	}()
	fmt.Fprintf(a.stdout, "Offboarded %s <%s>:\n", Sanitize(m.Name), Sanitize(m.Email))
	fmt.Fprintf(a.stdout, "  access removed from %d client folder(s)\n", res.FoldersRemoved)
	fmt.Fprintf(a.stdout, "  %d client(s) reassigned to %s\n", res.ClientsReassigned, Sanitize(res.ReassignedTo))
	if res.WasActive {
		fmt.Fprintln(a.stdout, "  deactivated: they can no longer sign in")
	} else {
		fmt.Fprintf(a.stdout, "  was already %s\n", Sanitize(m.Status))
	}
}

// offboardJSON is what offboard --json prints.
type offboardJSON struct {
	actionResult
	Staff                   string `json:"staff"`
	FoldersRemoved          int    `json:"folders_removed"`
	ClientsReassigned       int64  `json:"clients_reassigned"`
	ReassignedTo            string `json:"reassigned_to"`
	Deactivated             bool   `json:"deactivated"`
	StillReachesThroughRole string `json:"still_reaches_through_role"`
}

// maxKeyFile bounds what keys add reads: a public key line is a few KB.
const maxKeyFile = 64 << 10

func keysAdd(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL", "PUBKEY_FILE"); err != nil {
		return err
	}
	var r io.Reader = a.stdin
	if args[1] != "-" {
		f, err := os.Open(args[1])
		if err != nil {
			return fmt.Errorf("read public key: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if err != nil {
		return fmt.Errorf("read public key: %w", err)
	}
	if len(data) > maxKeyFile {
		return fmt.Errorf("%s is larger than %d KB; it is not an SSH public key", Sanitize(args[1]), maxKeyFile>>10)
	}
	line := firstKeyLine(string(data))
	if line == "" {
		return errors.New("no public key in " + Sanitize(args[1]))
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	k, err := svc.AddSSHKey(ctx, a.actor(), m.ID, line)
	if err != nil {
		return err
	}
	a.noteID("member", m.ID)
	a.noteID("key", k.ID)
	fmt.Fprintf(a.stdout, "Added SSH key %s for %s <%s>.\n", Sanitize(k.Fingerprint), Sanitize(m.Name), Sanitize(m.Email))
	return nil
}

// firstKeyLine skips blank lines and comments of an authorized_keys-style
// file.
func firstKeyLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// roleJSON is a role as --json prints it.
type roleJSON struct {
	ID          int64              `json:"id"`
	Name        string             `json:"name"`
	BuiltIn     bool               `json:"built_in"`
	Description string             `json:"description,omitempty"`
	Members     int                `json:"members"`
	Permissions []model.Permission `json:"permissions"`
}

func rolesList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	roles, err := svc.ListRoles(ctx, a.actor())
	if err != nil {
		return err
	}
	out := []roleJSON{}
	for _, r := range roles {
		ps, err := svc.RolePermissionSet(ctx, a.actor(), r.ID)
		if err != nil {
			return fmt.Errorf("role %s: %w", Sanitize(r.Name), err)
		}
		perms := ps.List()
		if perms == nil {
			perms = []model.Permission{}
		}
		out = append(out, roleJSON{ID: r.ID, Name: r.Name, BuiltIn: model.KindOfRole(r).Builtin(), Description: r.Description, Members: r.Members, Permissions: perms})
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "ROLE", "KIND", "MEMBERS", "PERMISSIONS")
	for _, r := range out {
		kind := "custom"
		if r.BuiltIn {
			kind = "built-in"
		}
		t.row(r.Name, kind, fmt.Sprint(r.Members), permSummary(r.Permissions))
	}
	t.flush()
	return nil
}

// permSummary renders permissions compactly, e.g.
// "clients view:all update:own; staff all:all" (all: every verb).
func permSummary(perms []model.Permission) string {
	var parts []string
	var cur model.Module
	var verbs []string
	var scopes []model.Scope
	flush := func() {
		if cur == model.ModuleNone {
			return
		}
		if len(verbs) == len(model.Verbs) && len(slices.Compact(slices.Clone(scopes))) == 1 {
			parts = append(parts, cur.String()+" all:"+scopes[0].String())
		} else {
			parts = append(parts, cur.String()+" "+strings.Join(verbs, " "))
		}
	}
	for _, p := range perms {
		if p.Module != cur {
			flush()
			cur, verbs, scopes = p.Module, nil, nil
		}
		verbs = append(verbs, p.Verb.String()+":"+p.Scope.String())
		scopes = append(scopes, p.Scope)
	}
	flush()
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
