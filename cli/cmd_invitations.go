package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "invitations list", args: "[--status STATUS] [--json]",
		summary: "List invitations: who was invited, as what, by whom, and until when (the app's Staff → i).",
		example: "gatehouse invitations list --status pending",
		flags: func(fs *flag.FlagSet) {
			fs.String("status", "", "only invitations with this `status` (pending, accepted, expired, revoked)")
			fs.Bool("json", false, "print JSON")
		},
		run: invitationsList,
	})
	register(&command{
		name: "invitations resend", args: "INVITATION",
		summary: "Give a pending or expired invitation a new code and a new expiry; the old code stops working.\n" +
			"INVITATION is the invited address, or the invitation's id from 'invitations list'.",
		example: "gatehouse invitations resend zoe.turner@northwind.example",
		run:     invitationsResend,
	})
	register(&command{
		name: "invitations revoke", args: "INVITATION",
		summary: "Revoke a pending invitation: its code stops working.\n" +
			"INVITATION is the invited address, or the invitation's id from 'invitations list'.",
		example: "gatehouse invitations revoke zoe.turner@northwind.example",
		run:     invitationsRevoke,
	})
}

var invitationStatuses = []string{"pending", "accepted", "expired", "revoked"}

// invitationJSON is one invitation as `invitations list --json` prints it.
type invitationJSON struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	Status    string `json:"status"`
	InvitedBy string `json:"invited_by"`
	Created   string `json:"created"`
	Expires   string `json:"expires"`
}

func invitationsList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	status := strings.ToLower(strings.TrimSpace(flagString(fs, "status")))
	if status != "" && !slices.Contains(invitationStatuses, status) {
		return usagef("--status is one of %s", strings.Join(invitationStatuses, ", "))
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	invs, err := svc.ListInvitations(ctx, a.actor(), status)
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		out := []invitationJSON{}
		for _, inv := range invs {
			out = append(out, invitationJSON{ID: inv.ID, Email: inv.Email, Name: inv.Name, Role: inv.RoleName, Status: inv.Status,
				InvitedBy: inv.CreatedBy, Created: timeText(inv.CreatedAt), Expires: timeText(inv.ExpiresAt)})
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "ID", "EMAIL", "NAME", "ROLE", "STATUS", "INVITED BY", "EXPIRES")
	for _, inv := range invs {
		t.row(strconv.FormatInt(inv.ID, 10), inv.Email, inv.Name, inv.RoleName, inv.Status, inv.CreatedBy, shortTime(inv.ExpiresAt))
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d invitation(s)\n", len(invs))
	return nil
}

// invitationArg finds the invitation an EMAIL|ID argument names: by id, or
// the newest invitation to that address that is still pending (else
// expired), as the app's list shows it.
func invitationArg(ctx context.Context, a *app, arg string) (model.Invitation, error) {
	invs, err := a.svc.ListInvitations(ctx, a.actor(), "")
	if err != nil {
		return model.Invitation{}, err
	}
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		for _, inv := range invs {
			if inv.ID == id {
				return inv, nil
			}
		}
		return model.Invitation{}, fmt.Errorf("%w: no invitation %d", model.ErrNotFound, id)
	}
	var found *model.Invitation
	for i, inv := range invs {
		if !strings.EqualFold(inv.Email, strings.TrimSpace(arg)) {
			continue
		}
		if found == nil || rankInvitation(inv) < rankInvitation(*found) {
			found = &invs[i]
		}
	}
	if found == nil {
		return model.Invitation{}, fmt.Errorf("%w: no invitation to %s", model.ErrNotFound, Sanitize(arg))
	}
	return *found, nil
}

// rankInvitation orders an address's invitations: pending first, then
// expired, then the rest.
func rankInvitation(inv model.Invitation) int {
	switch inv.Status {
	case "pending":
		return 0
	case "expired":
		return 1
	}
	return 2
}

func invitationsResend(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "INVITATION"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	inv, err := invitationArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	inv, code, err := svc.ResendInvitation(ctx, a.actor(), inv.ID)
	if err != nil {
		return err
	}
	a.noteID("invitation", inv.ID)
	fmt.Fprintf(a.stdout, "Sent %s <%s> a new invitation; it expires %s.\n", Sanitize(inv.Name), Sanitize(inv.Email),
		inv.ExpiresAt.Local().Format("2 Jan 2006 15:04"))
	fmt.Fprintf(a.stdout, "Invitation code: %s\n", code)
	fmt.Fprintf(a.stdout, "They join with:\n  %s\n", a.joinCommand(code))
	return nil
}

func invitationsRevoke(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "INVITATION"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	inv, err := invitationArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	if err := svc.RevokeInvitation(ctx, a.actor(), inv.ID); err != nil {
		return err
	}
	a.noteID("invitation", inv.ID)
	fmt.Fprintf(a.stdout, "Revoked the invitation of %s <%s>: its code no longer works.\n", Sanitize(inv.Name), Sanitize(inv.Email))
	return nil
}
