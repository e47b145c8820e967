package cli

import (
	"context"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/db"
	"gatehouse/model"
)

// accessColumn is `access grant|revoke --client C --account A
// --all-members`: the grid's whole-column toggle. As in the app, it reads
// who was added to the folder (ListGrants) and whose role reaches its
// accounts whatever their toggles (RoleReach: their cells are locked),
// and turns the account on (or off) for every other member in one
// SetAccessCells call, one transaction with an audit entry per cell.
func accessColumn(ctx context.Context, a *app, fs *flag.FlagSet, on bool) error {
	verb := map[bool]string{true: "grant", false: "revoke"}[on]
	if flagString(fs, "staff") != "" {
		return usagef("--all-members is every member added to the folder: give it without --staff")
	}
	clientName, accountName := flagString(fs, "client"), flagString(fs, "account")
	if clientName == "" || accountName == "" {
		return usagef("--all-members needs --client NAME and --account NAME: the account to %s for every member", verb)
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	c, acc, err := accountByName(ctx, a, clientName, accountName)
	if err != nil {
		return err
	}
	// As the grid does: may they manage the folder's access at all?
	if d, err := manageDecision(ctx, a, c); err != nil {
		return err
	} else if !d.Allowed {
		return &model.DeniedError{Decision: d}
	}
	grants, err := svc.ListGrants(ctx, a.actor(), db.GrantQuery{ClientID: c.ID})
	if err != nil {
		return fmt.Errorf("list access: %w", err)
	}
	var ids []int64
	toggled := map[int64]bool{}
	emails := map[int64]string{}
	for _, g := range grants {
		if _, ok := emails[g.StaffID]; !ok {
			ids = append(ids, g.StaffID)
			emails[g.StaffID] = g.StaffEmail
		}
		if g.AccountID == acc.ID {
			toggled[g.StaffID] = true
		}
	}
	byRole, err := svc.RoleReach(ctx, a.actor(), c.ID, ids)
	if err != nil {
		return err
	}
	var cells []model.AccessCell
	var flipped []string
	for _, id := range ids {
		if _, locked := byRole[id]; locked {
			continue
		}
		cells = append(cells, model.AccessCell{StaffID: id, AccountID: acc.ID})
		if toggled[id] != on {
			flipped = append(flipped, emails[id])
		}
	}
	where := c.Name + " / " + acc.Name
	if len(cells) == 0 {
		if len(ids) == 0 {
			return fmt.Errorf("%w: nobody was added to %s; nothing to %s", model.ErrRule, Sanitize(c.Name), verb)
		}
		return fmt.Errorf("%w: every member added to %s reaches %s through their role; a toggle changes nothing",
			model.ErrRule, Sanitize(c.Name), Sanitize(acc.Name))
	}
	n, err := svc.SetAccessCells(ctx, a.actor(), c.ID, cells, on)
	if err != nil {
		return err
	}
	a.noteID("client", c.ID)
	a.noteID("account", acc.ID)
	for _, cell := range cells {
		if toggled[cell.StaffID] != on {
			a.noteID("member", cell.StaffID)
		}
	}
	state := map[bool]string{true: "on", false: "off"}[on]
	done := []string{fmt.Sprintf("%s turned %s for %d member(s): %s.", Sanitize(where), state, n, Sanitize(strings.Join(flipped, ", ")))}
	if len(byRole) > 0 {
		done = append(done, fmt.Sprintf("Left alone: %d member(s) who reach it through their role.", len(byRole)))
	}
	a.noteAccountReach(ctx, c, acc)
	if a.reach != nil && len(a.reach.Accounts) > 0 {
		done = append(done, fmt.Sprintf("%d member(s) reach %s now ('gatehouse access who' says why).", len(a.reach.Accounts[0].ReachedBy), Sanitize(where)))
	}
	if fs.Lookup("json") != nil && flagBool(fs, "json") {
		// access revoke writes its own JSON; the column's is an action's.
		return writeJSON(a.stdout, a.result("access "+verb, done))
	}
	for _, line := range done {
		fmt.Fprintln(a.stdout, line)
	}
	return nil
}

// manageDecision is the engine's answer to "may the actor manage who
// reaches folder c", asked as the app's Manage Access asks it.
func manageDecision(ctx context.Context, a *app, c model.Client) (model.Decision, error) {
	actor, err := a.svc.Actor(ctx, a.actor())
	if err != nil {
		return model.Decision{}, err
	}
	t, err := a.svc.ClientTarget(ctx, a.actor(), c.ID)
	if err != nil {
		return model.Decision{}, err
	}
	return model.Decide(actor, model.ActManageAccess, t), nil
}
