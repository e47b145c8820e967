package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/db"
	"gatehouse/model"
)

func init() {
	register(&command{
		name: "clients list", args: "[--json] [--filter TEXT] [--limit N]",
		summary: "List client folders with their owner, department, accounts and staff.",
		example: "gatehouse clients list --filter acme",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON")
			fs.String("filter", "", "only folders whose name contains `text`")
			fs.Int("limit", 0, "at most `n` folders (0: all)")
		},
		run: clientsList,
	})
	register(&command{
		name: "access list", args: "--staff EMAIL | --client NAME [--json]",
		summary: "List what a member can reach, or who was added to a client and which accounts are on.",
		example: "gatehouse access list --client \"Acme Ltd\"",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("json", false, "print JSON")
			fs.String("staff", "", "the member's `email`")
			fs.String("client", "", "the client folder's `name`")
		},
		run: accessList,
	})
	register(&command{
		name: "access grant", args: "--staff EMAIL --client NAME [--account NAME] | --client NAME --account NAME --all-members",
		summary: "Add a member to a client folder (every account on), or turn one account on; with --all-members,\n" +
			"turn one account on for every member added to the folder (the app's C on a grid's column).",
		example: "gatehouse access grant --staff leo.martins@northwind.example --client \"Acme Ltd\" --account Timesheets\n" +
			"gatehouse access grant --client \"Fairhaven Hotel Group\" --account Expenses --all-members",
		flags: func(fs *flag.FlagSet) {
			fs.String("staff", "", "the member's `email`")
			fs.String("client", "", "the client folder's `name`")
			fs.String("account", "", "only this `account` of the folder")
			fs.Bool("all-members", false, "the account for every member added to the folder, not one --staff")
		},
		run: accessGrant,
	})
	register(&command{
		name: "access revoke", args: "--staff EMAIL [--client NAME] [--account NAME] | --client NAME --account NAME --all-members [--json]",
		summary: "Take access away: one account, one folder, or (no --client) every access the member has;\n" +
			"then says what their role still reaches, which no revoke takes away. With --all-members, turn one\n" +
			"account off for every member added to the folder (the app's C on a grid's column).",
		example: "gatehouse access revoke --staff sara.lindqvist@northwind.example\n" +
			"gatehouse access revoke --client \"Kestrel Logistics\" --account Fleet --all-members",
		flags: func(fs *flag.FlagSet) {
			fs.String("staff", "", "the member's `email`")
			fs.String("client", "", "the client folder's `name` (default: every folder)")
			fs.String("account", "", "only this `account` of the folder (toggled off)")
			fs.Bool("all-members", false, "the account for every member added to the folder, not one --staff")
			fs.Bool("json", false, "print what was revoked, and what their role still reaches, as JSON")
		},
		run: accessRevoke,
	})
	register(&command{
		name: "check", args: "EMAIL ACTION TARGET",
		summary: "May this member do ACTION to TARGET? Prints why; exit 0 allowed, 1 denied, 2 a usage or lookup error.\n" +
			"ACTION is view, create, update, delete or access (reach a client account).\n" +
			"TARGET is client:NAME, account:CLIENT/ACCOUNT, staff:EMAIL, role:NAME or a module\n" +
			"(" + model.ModuleList() + ").",
		example: "gatehouse check sara.lindqvist@northwind.example access \"account:Acme Ltd/Payroll\"",
		run:     check,
	})
}

// clientJSON is a client folder as --json prints it.
type clientJSON struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Owner      string   `json:"owner,omitempty"`
	Department string   `json:"department,omitempty"`
	Internal   bool     `json:"internal"`
	Accounts   []string `json:"accounts"`
	Staff      int      `json:"staff"`
	Created    string   `json:"created"`
}

func clientsList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	clients, total, err := svc.ListClients(ctx, a.actor(), model.ClientQuery{Text: flagString(fs, "filter"), Limit: flagInt(fs, "limit")})
	if err != nil {
		return err
	}
	out := []clientJSON{}
	for _, c := range clients {
		accs, err := svc.Accounts(ctx, a.actor(), c.ID)
		if err != nil {
			return fmt.Errorf("list accounts of %s: %w", Sanitize(c.Name), err)
		}
		names := []string{}
		for _, acc := range accs {
			names = append(names, acc.Name)
		}
		out = append(out, clientJSON{ID: c.ID, Name: c.Name, Owner: c.OwnerName, Department: c.DepartmentName,
			Internal: c.Internal, Accounts: names, Staff: c.Staff, Created: timeText(c.CreatedAt)})
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "CLIENT", "OWNER", "DEPARTMENT", "STAFF", "ACCOUNTS")
	for _, c := range out {
		t.row(c.Name, orDash(c.Owner, "unowned"), orDash(c.Department, "-"), fmt.Sprint(c.Staff), strings.Join(c.Accounts, ", "))
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d of %d client folders\n", len(out), total)
	return nil
}

func orDash(s, dash string) string {
	if s == "" {
		return dash
	}
	return s
}

// grantJSON is one access as --json prints it: a member in a folder with
// one account toggled on (account empty: a membership with none on).
type grantJSON struct {
	StaffID    int64  `json:"staff_id"`
	StaffName  string `json:"staff_name"`
	StaffEmail string `json:"staff_email"`
	ClientID   int64  `json:"client_id"`
	Client     string `json:"client"`
	AccountID  int64  `json:"account_id,omitempty"`
	Account    string `json:"account,omitempty"`
}

// membership is the grants of one member in one folder.
type membership struct {
	staffName, staffEmail, client string
	accounts                      []string
}

// groupGrants folds one-row-per-account grants into memberships, in order.
func groupGrants(grants []model.Grant) []membership {
	var out []membership
	for _, g := range grants {
		n := len(out)
		if n == 0 || out[n-1].staffEmail != g.StaffEmail || out[n-1].client != g.ClientName {
			out = append(out, membership{staffName: g.StaffName, staffEmail: g.StaffEmail, client: g.ClientName})
			n++
		}
		if g.AccountID != 0 {
			out[n-1].accounts = append(out[n-1].accounts, g.Account)
		}
	}
	return out
}

func accountsText(accs []string) string {
	if len(accs) == 0 {
		return "(added, no account on)"
	}
	return strings.Join(accs, ", ")
}

func accessList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	email, clientName := flagString(fs, "staff"), flagString(fs, "client")
	if (email == "") == (clientName == "") {
		return usagef("give either --staff EMAIL or --client NAME")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	var q db.GrantQuery
	var member model.Member
	if email != "" {
		if member, err = memberArg(ctx, a, email); err != nil {
			return err
		}
		q.StaffID = member.ID
	} else {
		c, err := svc.ClientByName(ctx, a.actor(), clientName)
		if err != nil {
			return err
		}
		q.ClientID = c.ID
	}
	grants, err := svc.ListGrants(ctx, a.actor(), q)
	if err != nil {
		return fmt.Errorf("list access: %w", err)
	}
	if flagBool(fs, "json") {
		out := []grantJSON{}
		for _, g := range grants {
			out = append(out, grantJSON{StaffID: g.StaffID, StaffName: g.StaffName, StaffEmail: g.StaffEmail,
				ClientID: g.ClientID, Client: g.ClientName, AccountID: g.AccountID, Account: g.Account})
		}
		return writeJSON(a.stdout, out)
	}
	groups := groupGrants(grants)
	if q.StaffID != 0 {
		t := newTable(a.stdout, "CLIENT", "ACCOUNTS ON")
		for _, g := range groups {
			t.row(g.client, accountsText(g.accounts))
		}
		t.flush()
		// Only the folders the asker sees are listed: the count says so,
		// and says nothing of the others.
		fmt.Fprintf(a.stdout, "%s <%s> was added to %d client folder(s) you can see.\n", Sanitize(member.Name), Sanitize(member.Email), len(groups))
		if sum, err := svc.ReachableBy(ctx, a.actor(), member.ID); err == nil && sum.AllAccounts {
			fmt.Fprintf(a.stdout, "Their role reaches more: %s.\n", Sanitize(sum.Reason))
		}
		return nil
	}
	t := newTable(a.stdout, "MEMBER", "EMAIL", "ACCOUNTS ON")
	for _, g := range groups {
		t.row(g.staffName, g.staffEmail, accountsText(g.accounts))
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d member(s) you can see added to %s.\n", len(groups), Sanitize(clientName))
	return nil
}

// accessArgs resolves --staff, --client and --account.
func accessArgs(ctx context.Context, a *app, fs *flag.FlagSet) (model.Member, model.Client, model.Account, error) {
	svc := a.svc
	var c model.Client
	var acc model.Account
	email, clientName, accountName := flagString(fs, "staff"), flagString(fs, "client"), flagString(fs, "account")
	if email == "" {
		return model.Member{}, c, acc, usagef("--staff EMAIL is required")
	}
	if accountName != "" && clientName == "" {
		return model.Member{}, c, acc, usagef("--account needs --client: the folder the account is in")
	}
	m, err := memberArg(ctx, a, email)
	if err != nil {
		return m, c, acc, err
	}
	if clientName == "" {
		return m, c, acc, nil
	}
	if c, err = svc.ClientByName(ctx, a.actor(), clientName); err != nil {
		return m, c, acc, err
	}
	if accountName == "" {
		return m, c, acc, nil
	}
	acc, err = accountIn(ctx, a, c, accountName)
	return m, c, acc, err
}

func accessGrant(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if flagBool(fs, "all-members") {
		return accessColumn(ctx, a, fs, true)
	}
	if flagString(fs, "client") == "" {
		return usagef("--client NAME is required")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, c, acc, err := accessArgs(ctx, a, fs)
	if err != nil {
		return err
	}
	if err := svc.Grant(ctx, a.actor(), m.ID, c.ID, acc.ID); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	a.noteID("client", c.ID)
	if acc.ID != 0 {
		a.noteID("account", acc.ID)
	}
	what := c.Name + " (every account)"
	if acc.ID != 0 {
		what = c.Name + " / " + acc.Name
	}
	fmt.Fprintf(a.stdout, "Granted %s <%s> access to %s.\n", Sanitize(m.Name), Sanitize(m.Email), Sanitize(what))
	a.noteReach(ctx, m)
	return nil
}

func accessRevoke(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if flagBool(fs, "all-members") {
		return accessColumn(ctx, a, fs, false)
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, c, acc, err := accessArgs(ctx, a, fs)
	if err != nil {
		return err
	}
	// What they have now, to say afterwards what was taken away.
	before, err := svc.ListGrants(ctx, a.actor(), db.GrantQuery{StaffID: m.ID, ClientID: c.ID})
	if err != nil {
		return fmt.Errorf("list access: %w", err)
	}
	if len(before) == 0 {
		// Nothing they can see to revoke; one who may not manage access at
		// all is told that rather than "nothing to revoke".
		if _, err := svc.Revoke(ctx, a.actor(), m.ID, c.ID, acc.ID); errors.Is(err, model.ErrDenied) {
			return err
		}
		where := "any client folder"
		if c.ID != 0 {
			where = c.Name
		}
		return fmt.Errorf("%w: %s has no access to %s; nothing to revoke%s", model.ErrRule, Sanitize(m.Email), Sanitize(where), roleReachNote(ctx, a, m, "; "))
	}
	if acc.ID != 0 && !slices.ContainsFunc(before, func(g model.Grant) bool { return g.AccountID == acc.ID }) {
		return fmt.Errorf("%w: %s's %s account is already off for %s; nothing to revoke%s", model.ErrRule, Sanitize(c.Name), Sanitize(acc.Name), Sanitize(m.Email), roleReachNote(ctx, a, m, "; "))
	}
	n, err := svc.Revoke(ctx, a.actor(), m.ID, c.ID, acc.ID)
	if err != nil {
		return err
	}
	still := stillReaches(ctx, a, m)
	reached, err := stillReachedAccounts(ctx, a, m, before, acc)
	if err != nil {
		return err
	}
	say := func() {
		if acc.ID != 0 {
			fmt.Fprintf(a.stdout, "Revoked %s <%s>'s access to %s / %s (toggled off; still added to the folder).\n",
				Sanitize(m.Name), Sanitize(m.Email), Sanitize(c.Name), Sanitize(acc.Name))
		} else {
			fmt.Fprintf(a.stdout, "Revoked %s <%s>'s access to %d client folder(s):\n", Sanitize(m.Name), Sanitize(m.Email), n)
			for _, g := range groupGrants(before) {
				fmt.Fprintf(a.stdout, "  %s: %s\n", Sanitize(g.client), Sanitize(accountsText(g.accounts)))
			}
		}
		for _, r := range reached {
			fmt.Fprintf(a.stdout, "Still reaches %s / %s, through their role: %s.\n", Sanitize(r.Client), Sanitize(r.Account), Sanitize(r.Reason))
		}
		if still != "" {
			fmt.Fprintf(a.stdout, "Their role still reaches, whatever their access: %s.\n", Sanitize(still))
		}
	}
	if flagBool(fs, "json") {
		out := revokeJSON{Staff: m.Email, Folders: n, Revoked: []revokedJSON{}, StillReachesThroughRole: still, StillReachesAccounts: reached}
		for _, g := range groupGrants(before) {
			if acc.ID != 0 {
				g.accounts = []string{acc.Name}
			}
			out.Revoked = append(out.Revoked, revokedJSON{Client: g.client, Accounts: append([]string{}, g.accounts...)})
		}
		a.noteID("member", m.ID)
		if c.ID != 0 {
			a.noteID("client", c.ID)
		}
		a.noteReach(ctx, m)
		out.actionResult = a.captured("access revoke", say)
		return writeJSON(a.stdout, out)
	}
	say()
	return nil
}

// stillReachedAccounts asks the engine, account by account, which of the
// accounts just revoked the member still reaches: the one account of a
// per-account revoke, every account of each folder revoked otherwise.
// After the revoke their toggles are off there, so a reach is their
// role's, and Decide's reason says how.
func stillReachedAccounts(ctx context.Context, a *app, m model.Member, revoked []model.Grant, only model.Account) ([]reachedJSON, error) {
	out := []reachedJSON{}
	subject := model.MemberPrincipal(m, "access revoke")
	for _, g := range groupGrantFolders(revoked) {
		accs := []model.Account{only}
		if only.ID == 0 {
			var err error
			if accs, err = a.svc.Accounts(ctx, a.actor(), g.ClientID); err != nil {
				return nil, fmt.Errorf("list accounts of %s: %w", Sanitize(g.ClientName), err)
			}
		}
		for _, acc := range accs {
			d, err := a.svc.Check(ctx, subject, model.ActAccess, model.TargetRef{Kind: "account", Client: g.ClientName, Account: acc.Name})
			if err != nil {
				return nil, fmt.Errorf("what %s still reaches in %s: %w", Sanitize(m.Email), Sanitize(g.ClientName), err)
			}
			if d.Allowed {
				out = append(out, reachedJSON{Client: g.ClientName, Account: acc.Name, Reason: d.Reason})
			}
		}
	}
	return out, nil
}

// groupGrantFolders is the first grant of each folder in grants.
func groupGrantFolders(grants []model.Grant) []model.Grant {
	var out []model.Grant
	for _, g := range grants {
		if !slices.ContainsFunc(out, func(x model.Grant) bool { return x.ClientID == g.ClientID }) {
			out = append(out, g)
		}
	}
	return out
}

// revokeJSON is what access revoke --json prints.
type revokeJSON struct {
	actionResult
	Staff   string        `json:"staff"`
	Folders int           `json:"folders"`
	Revoked []revokedJSON `json:"revoked"`
	// StillReachesThroughRole is what their role reaches that no revoke
	// takes away ("" when nothing).
	StillReachesThroughRole string `json:"still_reaches_through_role"`
	// StillReachesAccounts is each account revoked here that the member
	// still reaches, through their role, with the engine's reason.
	StillReachesAccounts []reachedJSON `json:"still_reaches_accounts"`
}

// reachedJSON is an account a member reaches, and why.
type reachedJSON struct {
	Client  string `json:"client"`
	Account string `json:"account"`
	Reason  string `json:"reason"`
}

type revokedJSON struct {
	Client   string   `json:"client"`
	Accounts []string `json:"accounts"`
}

// stillReaches is what m's role reaches whatever their access, as the
// engine says it, or "" when their reach is only their toggles.
func stillReaches(ctx context.Context, a *app, m model.Member) string {
	sum, err := a.svc.ReachableBy(ctx, a.actor(), m.ID)
	if err != nil || !sum.ThroughRole {
		return ""
	}
	return sum.Reason
}

// roleReachNote is stillReaches as the end of a sentence, after sep.
func roleReachNote(ctx context.Context, a *app, m model.Member, sep string) string {
	if still := stillReaches(ctx, a, m); still != "" {
		return sep + "their role still reaches, whatever their access: " + Sanitize(still)
	}
	return ""
}

func check(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL", "ACTION", "TARGET"); err != nil {
		return err
	}
	action, err := model.ParsePlainAction(args[1])
	if err != nil {
		return usageError{strings.TrimPrefix(err.Error(), model.ErrInvalid.Error()+": ")}
	}
	ref, err := model.ParseTarget(args[2])
	if err != nil {
		return usageError{err.Error()}
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	// The asker must see the member and the target: one they may not see
	// is answered as one that does not exist.
	d, err := svc.CheckAsked(ctx, a.actor(), model.MemberPrincipal(m, "local terminal"), action, ref)
	if err != nil {
		if errors.Is(err, model.ErrInvalid) {
			return usageError{err.Error()}
		}
		return err
	}
	verdict := "denied"
	if d.Allowed {
		verdict = "allowed"
	}
	fmt.Fprintf(a.stdout, "%s: %s %s %s: %s\n", verdict, Sanitize(m.Email), action, Sanitize(ref.String()), Sanitize(d.Reason))
	if !d.Allowed {
		return exitError{exitFail}
	}
	return nil
}
