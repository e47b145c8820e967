package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// Settings → General and Billing: the organisation's settings and name,
// and the payment method (the Owner's). Each is the model call the app
// makes.

func init() {
	register(&command{
		name: "settings show", args: "[--json]",
		summary: "Show the organisation's settings: its name, whether two-factor sign-in is required, how long\n" +
			"invitations last, the session idle timeout and the audit log's retention.",
		example: "gatehouse settings show",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     settingsShow,
	})
	register(&command{
		name: "settings set", args: "[--require-2fa yes|no] [--invite-ttl DURATION] [--idle-timeout DURATION]",
		summary: "Change the organisation's settings; what is not given stays. Invitations last 1h to 90d in whole\n" +
			"hours (7d, 48h); the idle timeout is 1m to 24h in whole minutes (30m, 2h).",
		example: "gatehouse settings set --require-2fa yes --invite-ttl 7d --idle-timeout 30m",
		flags: func(fs *flag.FlagSet) {
			fs.String("require-2fa", "", "require two-factor sign-in for everyone: `yes` or no")
			fs.String("invite-ttl", "", "how long an invitation lasts (`duration`: 7d, 48h)")
			fs.String("idle-timeout", "", "sign a session out after this long idle (`duration`: 30m, 2h)")
		},
		run: settingsSet,
	})
	register(&command{
		name: "org rename", args: "NAME",
		summary: "Rename the organisation.",
		example: `gatehouse org rename "Northwind Advisory LLP"`,
		run:     orgRename,
	})
	register(&command{
		name: "billing show", args: "[--json]",
		summary: "Show the plan, the payment method and the billing history (the Owner and Admins).",
		example: "gatehouse billing show",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     billingShow,
	})
	register(&command{
		name: "billing set-payment", args: "LABEL",
		summary: "Change the payment method's label (the Owner only); only the label is kept, e.g. \"Visa ending 4242\".",
		example: `gatehouse billing set-payment "Visa ending 4242"`,
		run:     billingSetPayment,
	})
}

// settingsJSON is 'settings show --json'.
type settingsJSON struct {
	Organisation string `json:"organisation"`
	Require2FA   bool   `json:"require_2fa"`
	InviteTTL    string `json:"invite_ttl"`
	IdleTimeout  string `json:"idle_timeout"`
	Retention    string `json:"audit_retention"`
}

func settingsShow(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	st, err := svc.Settings(ctx, a.actor())
	if err != nil {
		return err
	}
	org, err := svc.Org(ctx)
	if err != nil {
		return err
	}
	ret, err := svc.AuditRetention(ctx, a.actor())
	if err != nil {
		return err
	}
	out := settingsJSON{Organisation: org.Name, Require2FA: st.Require2FA, InviteTTL: lengthText(st.InviteTTL),
		IdleTimeout: lengthText(st.IdleTimeout), Retention: ret.String()}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "SETTING", "VALUE")
	t.row("organisation", out.Organisation)
	t.row("two-factor sign-in required", yesNo(out.Require2FA))
	t.row("invitation lifetime", out.InviteTTL)
	t.row("session idle timeout", out.IdleTimeout)
	t.row("audit log retention", out.Retention)
	t.flush()
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// parseLength reads a length as people type it: "7d", "48h", "30m".
func parseLength(flagName, s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if days, ok := strings.CutSuffix(t, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n <= 3650 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(t); err == nil && d >= 0 {
		return d, nil
	}
	return 0, usagef("--%s %q is not a length: try 7d, 48h or 30m", flagName, Sanitize(model.Truncate(s, 40)))
}

// lengthIn is a length flag's value within the model's bounds (from,
// to) and in whole units; a value outside is refused as typed (91d, not
// 2184h0m0s).
func lengthIn(fs *flag.FlagSet, flagName string, from, to, unit time.Duration, units string) (time.Duration, error) {
	typed := flagString(fs, flagName)
	d, err := parseLength(flagName, typed)
	if err != nil {
		return 0, err
	}
	shown := Sanitize(model.Truncate(strings.TrimSpace(typed), 40))
	if d < from || d > to {
		return 0, usagef("--%s %s is out of range: between %s and %s", flagName, shown, lengthText(from), lengthText(to))
	}
	if d%unit != 0 {
		return 0, usagef("--%s %s is not a whole number of %s", flagName, shown, units)
	}
	return d, nil
}

// lengthText writes a length the way parseLength reads it.
func lengthText(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func settingsSet(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	if !fs.Changed("require-2fa") && !fs.Changed("invite-ttl") && !fs.Changed("idle-timeout") {
		return usagef("say what changes: --require-2fa, --invite-ttl or --idle-timeout")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	var chg model.SettingsChange
	if fs.Changed("require-2fa") {
		var on bool
		switch strings.ToLower(strings.TrimSpace(flagString(fs, "require-2fa"))) {
		case "yes", "true", "on":
			on = true
		case "no", "false", "off":
			on = false
		default:
			return usagef("--require-2fa is yes or no")
		}
		chg.Require2FA = &on
	}
	if fs.Changed("invite-ttl") {
		d, err := lengthIn(fs, "invite-ttl", model.MinInviteTTL, model.MaxInviteTTL, time.Hour, "hours")
		if err != nil {
			return err
		}
		chg.InviteTTL = &d
	}
	if fs.Changed("idle-timeout") {
		d, err := lengthIn(fs, "idle-timeout", model.MinIdleTimeout, model.MaxIdleTimeout, time.Minute, "minutes")
		if err != nil {
			return err
		}
		chg.IdleTimeout = &d
	}
	old, next, err := svc.ChangeSettings(ctx, a.actor(), chg)
	if err != nil {
		return err
	}
	if next == old {
		return lineError{"nothing changed: the settings are already so", exitFail}
	}
	fmt.Fprintf(a.stdout, "Settings saved: two-factor sign-in required %s, invitations last %s, sessions idle out after %s.\n",
		yesNo(next.Require2FA), lengthText(next.InviteTTL), lengthText(next.IdleTimeout))
	return nil
}

func orgRename(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "NAME"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if err := svc.RenameOrg(ctx, a.actor(), args[0]); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Organisation renamed to %s.\n", Sanitize(strings.TrimSpace(args[0])))
	return nil
}

// billingJSON is 'billing show --json'.
type billingJSON struct {
	Plan          string       `json:"plan"`
	PaymentMethod string       `json:"payment_method"`
	History       []billingRow `json:"history"`
}

type billingRow struct {
	ID     int64  `json:"id"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
}

func billingShow(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	b, err := svc.Billing(ctx, a.actor())
	if err != nil {
		return err
	}
	out := billingJSON{Plan: b.Plan, PaymentMethod: b.PaymentMethod, History: []billingRow{}}
	for _, e := range b.History {
		out.History = append(out.History, billingRow{ID: e.ID, At: timeText(e.At), Actor: e.Actor, Action: e.Action})
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	fmt.Fprintf(a.stdout, "Plan: %s\nPayment method: %s\n", Sanitize(orDash(b.Plan, "none")), Sanitize(orDash(b.PaymentMethod, "none")))
	if len(b.History) == 0 {
		fmt.Fprintln(a.stdout, "History: nothing yet")
		return nil
	}
	fmt.Fprintln(a.stdout, "History:")
	t := newTable(a.stdout, "  TIME", "ACTOR", "ACTION")
	for _, e := range b.History {
		t.row("  "+shortTime(e.At), e.Actor, e.Action)
	}
	t.flush()
	return nil
}

func billingSetPayment(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "LABEL"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if err := svc.SetPaymentMethod(ctx, a.actor(), args[0]); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Payment method changed to %s.\n", Sanitize(strings.TrimSpace(args[0])))
	return nil
}
