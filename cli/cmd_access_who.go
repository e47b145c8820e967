package cli

import (
	"context"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "access who", args: "--account CLIENT/ACCOUNT [--json]",
		summary: "List everyone who can reach an account, and why: the members of its folder with the account\n" +
			"on, and those whose role reaches it without being added (the app's w on an account).",
		example: `gatehouse access who --account "Acme Ltd/Payroll"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("account", "", "the account, as `client/account` (required)")
			fs.Bool("json", false, "print JSON")
		},
		run: accessWho,
	})
}

// reachJSON is one member reaching an account, as `access who --json`
// prints it.
type reachJSON struct {
	StaffID int64  `json:"staff_id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Role    string `json:"role"`
	Client  string `json:"client"`
	Account string `json:"account"`
	Why     string `json:"why"`
}

func accessWho(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	svc, c, acc, err := accountCommand(ctx, a, fs, args)
	if err != nil {
		return err
	}
	reach, err := svc.WhoCanReach(ctx, a.actor(), acc.ID)
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		out := []reachJSON{}
		for _, r := range reach {
			out = append(out, reachJSON{StaffID: r.StaffID, Name: r.StaffName, Email: r.StaffEmail, Role: r.Role,
				Client: r.Client, Account: r.Account, Why: r.Decision.Reason})
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "NAME", "EMAIL", "ROLE", "WHY")
	for _, r := range reach {
		t.row(r.StaffName, r.StaffEmail, r.Role, r.Decision.Reason)
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d member(s) can reach %s / %s\n", len(reach), Sanitize(c.Name), Sanitize(acc.Name))
	return nil
}

// accountByName finds an account by its folder's name and its own,
// ignoring case, as --client and --account do.
func accountByName(ctx context.Context, a *app, clientName, accountName string) (model.Client, model.Account, error) {
	c, err := a.svc.ClientByName(ctx, a.actor(), clientName)
	if err != nil {
		return c, model.Account{}, err
	}
	acc, err := accountIn(ctx, a, c, accountName)
	return c, acc, err
}

// accountIn finds an account of folder c by name, ignoring case; the
// error lists the folder's accounts.
func accountIn(ctx context.Context, a *app, c model.Client, accountName string) (model.Account, error) {
	accs, err := a.svc.Accounts(ctx, a.actor(), c.ID)
	if err != nil {
		return model.Account{}, err
	}
	var names []string
	for _, x := range accs {
		if strings.EqualFold(x.Name, strings.TrimSpace(accountName)) {
			return x, nil
		}
		names = append(names, x.Name)
	}
	return model.Account{}, fmt.Errorf("%w: %s has no account named %q (accounts: %s)", model.ErrNotFound, Sanitize(c.Name), Sanitize(accountName), Sanitize(strings.Join(names, ", ")))
}
