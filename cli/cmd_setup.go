package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "init", args: "[--org NAME] [--name NAME] [--email EMAIL]",
		summary: "Create the organisation and its Owner (first run).\n" +
			"Asks for what the flags do not give; the password is read with echo off, or from\n" +
			"$GATEHOUSE_PASSWORD for scripts.",
		example: `GATEHOUSE_PASSWORD='a long passphrase' gatehouse init --org "Northwind Advisory" --name "Olivia Hart" --email olivia.hart@northwind.example`,
		flags: func(fs *flag.FlagSet) {
			fs.String("org", "", "the organisation's `name`")
			fs.String("name", "", "the Owner's full `name`")
			fs.String("email", "", "the Owner's `email`")
		},
		run: initOrg,
	})
	register(&command{
		name: "demo", args: "[--db PATH] [--no-tui] [--seed N] [--staff N --clients N --accounts-per-client N --grants N --audit N]",
		summary: "Create the demo organisation and open the app signed in as its Owner.\n" +
			"Without --db it uses a fresh file in a new temporary directory and says where; without a\n" +
			"terminal, or with --no-tui, it prints how to explore the demo instead. Any of the size\n" +
			"flags generates a large organisation instead (the others take their defaults), with a\n" +
			"progress bar and a report of rows per second. The file appears at PATH only when complete.",
		example: "gatehouse demo --db /tmp/g.db --no-tui\n" +
			"gatehouse demo --db /tmp/large.db --staff 200 --clients 2000 --accounts-per-client 3 --grants 10000 --audit 20000 --no-tui",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("no-tui", false, "only create the database and print how to explore it")
			fs.Uint64("seed", model.DefaultDemoSeed, "`n` picks another, equally repeatable demo history (which extra accounts are off, when things happened)")
			fs.Int("staff", largeDefaults.Staff, "large demo: `n` staff members")
			fs.Int("clients", largeDefaults.Clients, "large demo: `n` client folders")
			fs.Int("accounts-per-client", largeDefaults.AccountsPerClient, "large demo: `n` accounts in each folder (1 to 8)")
			fs.Int("grants", largeDefaults.Grants, "large demo: `n` folder memberships (each account toggled on with probability 0.8)")
			fs.Int("audit", largeDefaults.Audit, "large demo: `n` audit entries of generated history")
		},
		run: demo,
	})
	register(&command{
		name: "join", args: "CODE",
		summary: "Redeem an invitation: choose a password, enrol 2FA when required, then sign in.",
		example: "gatehouse join abcdef-ghijkl-mnopqr-stuvwx",
		run:     join,
	})
}

// prompter asks questions on the terminal.
type prompter struct {
	in  *bufio.Reader
	fd  uintptr
	out io.Writer
}

func (p *prompter) ask(question string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", question)
	line, err := p.in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		return "", fmt.Errorf("read %s: %w", strings.ToLower(question), err)
	}
	return strings.TrimSpace(line), nil
}

func (p *prompter) secret(question string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", question)
	b, err := term.ReadPassword(p.fd)
	fmt.Fprintln(p.out)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}

// askUntil repeats a question until check accepts the answer (three tries).
func (p *prompter) askUntil(question string, check func(string) error) (string, error) {
	var err error
	for try := 0; try < 3; try++ {
		var s string
		if s, err = p.ask(question); err != nil {
			return "", err
		}
		if err = check(s); err == nil {
			return s, nil
		}
		fmt.Fprintf(p.out, "  %s\n", Sanitize(err.Error()))
	}
	return "", err
}

func initOrg(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	in := model.SetupInput{OrgName: flagString(fs, "org"), OwnerName: flagString(fs, "name"), OwnerEmail: flagString(fs, "email"),
		Password: os.Getenv("GATEHOUSE_PASSWORD")}
	if err := a.resolvePath(); err != nil {
		return err
	}
	svc, err := a.open(ctx)
	if err != nil {
		return err
	}
	if has, err := svc.HasOrg(ctx); err != nil {
		return err
	} else if has {
		return fmt.Errorf("%s already holds an organisation; nothing was changed", a.dbPath)
	}
	interactive := term.IsTerminal(a.stdin.Fd())
	if !interactive && (in.OrgName == "" || in.OwnerName == "" || in.OwnerEmail == "" || in.Password == "") {
		return usagef("not on a terminal: give --org, --name and --email, and the password in $GATEHOUSE_PASSWORD")
	}
	if interactive {
		if err := promptSetup(a, &in); err != nil {
			return err
		}
	}
	owner, err := svc.Setup(ctx, a.actor(), in)
	if err != nil {
		return err
	}
	org, _ := svc.Org(ctx)
	fmt.Fprintf(a.stdout, "Created %s in %s with %s <%s> as its Owner.\n", Sanitize(org.Name), a.dbPath, Sanitize(owner.Name), Sanitize(owner.Email))
	fmt.Fprintf(a.stdout, "Open it with:\n  gatehouse%s\n", a.dbArg())
	return nil
}

// promptSetup asks for what the flags did not give.
func promptSetup(a *app, in *model.SetupInput) error {
	p := &prompter{in: bufio.NewReader(a.stdin), fd: a.stdin.Fd(), out: a.stdout}
	fmt.Fprintf(a.stdout, "Creating a Gatehouse organisation in %s.\n", a.dbPath)
	var err error
	if in.OrgName == "" {
		if in.OrgName, err = p.askUntil("Organisation name", func(s string) error { _, err := model.CleanName("organisation name", s); return err }); err != nil {
			return err
		}
	}
	if in.OwnerName == "" {
		if in.OwnerName, err = p.askUntil("Your full name", func(s string) error { _, err := model.CleanName("name", s); return err }); err != nil {
			return err
		}
	}
	if in.OwnerEmail == "" {
		if in.OwnerEmail, err = p.askUntil("Your email", func(s string) error { _, err := model.CleanEmail(s); return err }); err != nil {
			return err
		}
	}
	if in.Password != "" {
		return nil
	}
	in.Password, err = askNewPassword(p, a.stdout)
	return err
}

// askNewPassword asks for a password twice, up to three times, until one
// is strong enough and typed the same both times.
func askNewPassword(p *prompter, out io.Writer) (string, error) {
	for try := 0; try < 3; try++ {
		pw, err := p.secret(fmt.Sprintf("Password (at least %d characters)", model.MinPassword))
		if err != nil {
			return "", err
		}
		if err := model.CheckPasswordStrength(pw); err != nil {
			fmt.Fprintf(out, "  %s\n", err)
			continue
		}
		again, err := p.secret("Password again")
		if err != nil {
			return "", err
		}
		if pw != again {
			fmt.Fprintln(out, "  The two passwords differ; try again.")
			continue
		}
		return pw, nil
	}
	return "", errors.New("no password chosen; nothing was changed")
}

// dbArg is " --db PATH" when the database is not the default one.
func (a *app) dbArg() string {
	if def, err := defaultPath(); err == nil && def == a.dbPath {
		return ""
	}
	return " --db " + shellQuote(a.dbPath)
}

func isTerminal(f *os.File) bool { return f != nil && term.IsTerminal(f.Fd()) }

// printDemoGuide says how to explore the demo: where it is, who is in it
// and what to try.
func printDemoGuide(w io.Writer, a *app, info model.DemoInfo) {
	db := " --db " + shellQuote(a.dbPath)
	fmt.Fprintf(w, "Demo organisation %q created in %s\n\n", Sanitize(info.Org), a.dbPath)
	fmt.Fprintln(w, "Its members (demo data only; sign in as anyone):")
	t := newTable(w, "  EMAIL", "ROLE", "STATUS", "PASSWORD", "TOTP SECRET")
	for _, m := range info.Members {
		secret := m.TOTPSecret
		if secret == "" {
			secret = "(no 2FA)"
		}
		t.row("  "+m.Email, m.Role, m.Status, m.Password, secret)
	}
	t.flush()
	advisor := shellQuote(info.ExampleAdvisor)
	tries := [][2]string{
		{"gatehouse" + db, "open the app and sign in as anyone above"},
		{"gatehouse" + db + " staff list", "everyone, with role, status and 2FA"},
		{"gatehouse" + db + " access list --staff " + advisor, "what an Advisor was added to"},
		{"gatehouse" + db + " check " + advisor + " view " + shellQuote("client:"+info.ExampleOtherClient), "denied, and why (exit 1)"},
		{"gatehouse" + db + " check " + advisor + " access " + shellQuote("account:"+info.ExampleAccount), "allowed, and why (exit 0)"},
		{"gatehouse" + db + " access revoke --staff " + advisor, "take all their access away"},
		{"gatehouse" + db + " audit list --limit 20", "who did what"},
		{"gatehouse" + db + " audit verify", "check the audit hash chain"},
		{"oathtool --totp -b SECRET", "the 6-digit code of a member with 2FA"},
	}
	fmt.Fprintf(w, "\nAlso: a pending invitation for %s and an expired one for %s.\n", Sanitize(info.PendingInvite), Sanitize(info.ExpiredInvite))
	fmt.Fprintln(w, "\nTry:")
	for _, t := range tries {
		fmt.Fprintf(w, "  # %s\n  %s\n", t[1], t[0])
	}
}

func join(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "CODE"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if _, err := svc.PeekInvitation(ctx, args[0]); err != nil {
		return err
	}
	if !isTerminal(a.stdin) || !isTerminal(os.Stdout) {
		return errors.New("joining needs a terminal: run 'gatehouse join CODE' in one to choose your password")
	}
	return runTUI(ctx, a, svc, tuiOptions{JoinCode: strings.TrimSpace(args[0])})
}
