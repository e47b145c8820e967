package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"

	flag "github.com/spf13/pflag"
)

func init() {
	register(&command{
		name: "staff set-password", args: "EMAIL",
		summary: "Set a member's password and lift any sign-in lock (on the machine holding the file).\n" +
			"For an organisation restored with 'gatehouse import' (passwords are never exported) or an\n" +
			"Owner locked out of their own. Asks twice on a terminal; scripts pass $GATEHOUSE_PASSWORD.\n" +
			"Runs only on the machine that holds the database; members change their own in Profile.",
		example: "gatehouse staff set-password olivia.hart@northwind.example --db /tmp/restored.db",
		run:     staffSetPassword,
	})
	localCommands["staff set-password"] = true
}

func staffSetPassword(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := svc.MemberByEmail(ctx, a.actor(), args[0])
	if err != nil {
		return err
	}
	password := os.Getenv("GATEHOUSE_PASSWORD")
	if password == "" {
		if !isTerminal(a.stdin) {
			return usagef("not on a terminal: pass the new password in $GATEHOUSE_PASSWORD")
		}
		p := &prompter{in: bufio.NewReader(a.stdin), fd: a.stdin.Fd(), out: a.stdout}
		fmt.Fprintf(a.stdout, "New password for %s <%s>.\n", Sanitize(m.Name), Sanitize(m.Email))
		if password, err = askNewPassword(p, a.stdout); err != nil {
			return err
		}
	}
	if err := svc.SetPasswordAsOperator(ctx, a.actor(), m.ID, password); err != nil {
		return err
	}
	a.noteID("member", m.ID)
	fmt.Fprintf(a.stdout, "%s <%s> can sign in with the new password", Sanitize(m.Name), Sanitize(m.Email))
	if m.Status == "deactivated" {
		fmt.Fprintf(a.stdout, " once reactivated (they are %s)", Sanitize(m.Status))
	}
	fmt.Fprintln(a.stdout, ".")
	return nil
}
