// Command gatehouse manages which staff of a firm can reach which client
// accounts, with a hash-chained audit log. With no command it opens the
// terminal app; the commands below serve scripts and on-call staff.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"slices"
	"sort"
	"strings"

	"gatehouse/db"
	"gatehouse/model"
	"gatehouse/sshd"
)

// Exit codes: 0 success, 1 failure (or "denied" for check), 2 usage or
// lookup errors.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one CLI command or subcommand.
type command struct {
	name    string // "staff list"
	args    string // positional arguments and flags, as in the usage line
	summary string
	example string
	// flags registers the command's own flags; may be nil.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error
}

// commands is every command in the order help lists them.
var commands []*command

func register(c *command) { commands = append(commands, c) }

// app is what a running command needs: where to write, which database,
// and who acts.
type app struct {
	stdout, stderr io.Writer
	stdin          *os.File
	dbPath         string
	dbSet          bool // --db was given on the command line
	// token is a connection's secret (--token, else $GATEHOUSE_TOKEN for
	// the commands that take one): the command then acts as that
	// connection.
	token string
	// tokenFrom names where the token came from, for messages.
	tokenFrom string
	svc       *model.Service
	// principal is who the command acts as: the local OS user, or over
	// SSH the member (or connection) signed in.
	principal model.Principal
	// remote: the command came over SSH; it runs on the server's open
	// database and may not touch the server's files. connect is then the
	// ssh command that reached the server, for examples and hints.
	remote  bool
	connect string
	// The command's arguments as given and its flags, for the quoting
	// hint over SSH.
	rawArgs []string
	flags   *flag.FlagSet
}

// actor is the principal the command acts as.
func (a *app) actor() model.Principal { return a.principal }

// localCommands touch the server's terminal or files, or create
// databases: they never run over SSH.
var localCommands = map[string]bool{"": true, "init": true, "demo": true, "join": true, "serve": true, "keys add": true}

// usageError is a mistake in how a command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError ends a command with a code and an already printed message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line and runs one command; it returns the exit
// code.
func run(ctx context.Context, argv []string, stdin *os.File, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, stdin: stdin, principal: system()}
	defer func() {
		if a.svc != nil {
			a.svc.Close()
		}
	}()

	global := flag.NewFlagSet("gatehouse", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&a.dbPath, "db", "", "database file")
	global.StringVar(&a.token, "token", "", "connection token")
	if err := global.Parse(argv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "gatehouse: %v\nRun 'gatehouse help' for the commands.\n", err)
		return exitUsage
	}
	global.Visit(func(f *flag.Flag) { a.dbSet = a.dbSet || f.Name == "db" })
	for _, g := range []struct{ name, value string }{{"--db", a.dbPath}, {"--token", a.token}} {
		if err := checkLen(g.name, g.value, flagLimits[strings.TrimPrefix(g.name, "--")]); err != nil {
			fmt.Fprintf(stderr, "gatehouse: %v\n", err)
			return exitUsage
		}
	}
	rest := global.Args()

	if len(rest) > 0 && rest[0] == "help" {
		return helpCommand(stdout, stderr, rest[1:], "")
	}
	cmd, args := findCommand(rest)
	if cmd == nil {
		if len(rest) > 0 {
			if group := groupCommands(rest[0]); len(group) > 0 {
				if len(rest) == 1 || isHelpArg(rest[1]) {
					printGroupHelp(stdout, rest[0], group)
					if len(rest) == 1 {
						return exitUsage
					}
					return exitOK
				}
				fmt.Fprintf(stderr, "gatehouse: unknown command %q\n", Sanitize(strings.Join(rest[:2], " ")))
				printGroupHelp(stderr, rest[0], group)
				return exitUsage
			}
			fmt.Fprintf(stderr, "gatehouse: unknown command %q\nRun 'gatehouse help' for the commands.\n", Sanitize(rest[0]))
			return exitUsage
		}
		cmd = tuiCommand
	}
	return a.runCommand(ctx, cmd, args)
}

// Sanitize is model.Sanitize: every string a user typed passes through it
// before it is printed.
func Sanitize(s string) string { return model.Sanitize(s) }

func isHelpArg(s string) bool { return s == "-h" || s == "--help" || s == "-help" || s == "help" }

// findCommand matches the longest registered name at the start of args.
func findCommand(args []string) (*command, []string) {
	var best *command
	bestLen := 0
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(words) > len(args) || len(words) <= bestLen {
			continue
		}
		match := true
		for i, w := range words {
			if args[i] != w {
				match = false
				break
			}
		}
		if match {
			best, bestLen = c, len(words)
		}
	}
	if best == nil {
		return nil, args
	}
	return best, args[bestLen:]
}

// groupCommands lists the subcommands of a group such as "staff".
func groupCommands(group string) []*command {
	var out []*command
	for _, c := range commands {
		if strings.HasPrefix(c.name, group+" ") {
			out = append(out, c)
		}
	}
	return out
}

// runCommand runs one CLI command for a remote session: on svc (already
// open; not closed here), as p, with no access to the server's files.
// args are as the client typed them after the host name; it returns the
// exit code.
func runCommand(ctx context.Context, svc *model.Service, p model.Principal, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, svc: svc, principal: p, remote: true, dbPath: svc.Path(), dbSet: true,
		connect: sshd.ConnectCommandFrom(ctx)}
	if len(args) == 0 || isHelpArg(args[0]) {
		printHelp(stdout)
		return exitOK
	}
	if args[0] == "help" {
		return helpCommand(stdout, stderr, args[1:], a.connect)
	}
	cmd, rest := findCommand(args)
	if cmd == nil {
		if group := groupCommands(args[0]); len(group) > 0 && (len(args) == 1 || isHelpArg(args[1])) {
			printGroupHelp(stdout, args[0], group)
			return exitOK
		}
		fmt.Fprintf(stderr, "gatehouse: unknown command %q\nRun 'help' for the commands.\n", Sanitize(strings.Join(args, " ")))
		return exitUsage
	}
	if localCommands[cmd.name] && !slices.ContainsFunc(rest, isHelpArg) {
		fmt.Fprintf(stderr, "gatehouse: '%s' runs only on the machine that holds the database\n", cmd.name)
		return exitUsage
	}
	return a.runCommand(ctx, cmd, rest)
}

func (a *app) runCommand(ctx context.Context, c *command, args []string) int {
	fs := flag.NewFlagSet("gatehouse "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbFlag := fs.String("db", a.dbPath, "database `file` (default: $GATEHOUSE_DB, else the user's data directory)")
	var tokenFlag *string
	if !a.remote {
		usage := "act as the connection holding this `token` (default: $GATEHOUSE_TOKEN)"
		if localCommands[c.name] {
			usage = "refused: this command runs as the operating-system user and takes no `token`"
		}
		tokenFlag = fs.String("token", a.token, usage)
	}
	if c.flags != nil {
		c.flags(fs)
	}
	a.rawArgs, a.flags = args, fs
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(a.stdout, c, fs, a.connect)
			return exitOK
		}
		fmt.Fprintf(a.stderr, "gatehouse: %v\nRun '%s --help' for its usage.\n", Sanitize(err.Error()), c.invocation())
		return exitUsage
	}
	if err := checkLengths(c, fs, pos); err != nil {
		return a.report(c, err)
	}
	dbGiven := false
	fs.Visit(func(f *flag.Flag) { dbGiven = dbGiven || f.Name == "db" })
	if a.remote && dbGiven {
		fmt.Fprintln(a.stderr, "gatehouse: --db cannot be given over SSH: the server's database is used")
		return exitUsage
	}
	a.dbSet = a.dbSet || dbGiven
	a.dbPath = *dbFlag
	if tokenFlag != nil {
		a.token, a.tokenFrom = *tokenFlag, "--token"
		if a.token == "" {
			a.token, a.tokenFrom = os.Getenv("GATEHOUSE_TOKEN"), "$GATEHOUSE_TOKEN"
		}
	}
	if a.token != "" && !a.remote {
		if err := a.actAsConnection(ctx, c); err != nil {
			return a.report(c, err)
		}
	}
	err = c.run(ctx, a, fs, pos)
	return a.report(c, err)
}

// actAsConnection makes the command act as the connection that holds
// a.token, with its scope, audited under its name, instead of as the
// operating-system user.
func (a *app) actAsConnection(ctx context.Context, c *command) error {
	if c.name == "" {
		return usagef("the terminal app signs in with an email and password and takes no token, but one is set (%s); "+
			"unset it to open the app. Commands that take one: %s", a.tokenFrom, strings.Join(tokenCommands(), ", "))
	}
	if localCommands[c.name] {
		return usagef("'gatehouse %s' runs as the operating-system user who holds the database file and does not take --token, "+
			"but one is set (%s); unset it to run it. Commands that take one: %s", c.name, a.tokenFrom, strings.Join(tokenCommands(), ", "))
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	p, err := svc.AuthenticateToken(ctx, a.token)
	if err != nil {
		return fmt.Errorf("connection token: %w", err)
	}
	a.principal = p
	return nil
}

// tokenCommands are the commands that act as a connection when given its
// token, in help's order.
func tokenCommands() []string {
	var out []string
	for _, c := range orderedCommands(commands) {
		if !localCommands[c.name] {
			out = append(out, c.name)
		}
	}
	return out
}

// invocation is how the command is typed: "gatehouse staff list", or
// "gatehouse" for the terminal app.
func (c *command) invocation() string { return strings.TrimSpace("gatehouse " + c.name) }

// report prints err as one line on stderr and picks the exit code.
func (a *app) report(c *command, err error) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var long tooLongError
	if errors.As(err, &long) {
		fmt.Fprintf(a.stderr, "gatehouse: %s\n", long.Error())
		return exitUsage
	}
	var surplus surplusError
	if errors.As(err, &surplus) && a.remote {
		if hint, ok := quotingHint(c, a.flags, a.rawArgs, surplus.allowed, a.connect); ok {
			fmt.Fprintf(a.stderr, "gatehouse: %s: over SSH, quote the whole command once more, and any name with spaces inside it:\n  %s\n",
				Sanitize(surplus.msg), Sanitize(hint))
			return exitUsage
		}
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "gatehouse: %s\nRun '%s --help' for its usage.\n", Sanitize(ue.msg), c.invocation())
		return exitUsage
	}
	var denied *model.DeniedError
	if errors.As(err, &denied) {
		fmt.Fprintf(a.stderr, "gatehouse: not allowed: %s\n", Sanitize(denied.Decision.Reason))
		return exitFail
	}
	fmt.Fprintf(a.stderr, "gatehouse: %s\n", Sanitize(err.Error()))
	// A member, client or role that does not exist is a lookup error, told
	// apart from a refusal (exit 1) for scripts.
	if errors.Is(err, model.ErrNotFound) {
		return exitUsage
	}
	return exitFail
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments ("staff invite EMAIL --name N" and "staff invite
// --name N EMAIL" both work). After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(args []string, names ...string) error {
	if len(args) < len(names) {
		return usagef("missing %s", strings.Join(names[len(args):], " and "))
	}
	if len(args) > len(names) {
		return surplusError{usageError: usageError{fmt.Sprintf("unexpected argument %q", args[len(names)])}, allowed: len(names)}
	}
	return nil
}

// surplusError is a command given more positional arguments than it
// takes (allowed): over SSH, most often a name with spaces whose quotes
// the local shell removed.
type surplusError struct {
	usageError
	allowed int
}

// resolvePath fills in the default database path.
func (a *app) resolvePath() error {
	if a.dbPath != "" {
		return nil
	}
	p, err := db.DefaultPath()
	if err != nil {
		return err
	}
	a.dbPath = p
	return nil
}

// openExisting opens the database for a command that needs an organisation
// already there; it never creates a file.
func (a *app) openExisting(ctx context.Context) (*model.Service, error) {
	if a.remote {
		return a.svc, nil
	}
	if err := a.resolvePath(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(a.dbPath); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s; create one with 'gatehouse init' or try 'gatehouse demo' (use --db PATH for another file)", a.dbPath)
	}
	svc, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	has, err := svc.HasOrg(ctx)
	if err != nil {
		return nil, fmt.Errorf("read organisation: %w", err)
	}
	if !has {
		return nil, fmt.Errorf("%s holds no organisation yet; create one with 'gatehouse init --db %s'", a.dbPath, a.dbPath)
	}
	return svc, nil
}

// defaultPath is where the database lives without --db.
func defaultPath() (string, error) { return db.DefaultPath() }

// open opens (creating if needed) the database.
func (a *app) open(ctx context.Context) (*model.Service, error) {
	if a.svc != nil {
		return a.svc, nil
	}
	if err := a.resolvePath(); err != nil {
		return nil, err
	}
	svc, err := model.Open(ctx, a.dbPath)
	if err != nil {
		return nil, err
	}
	a.svc = svc
	return svc, nil
}

// system is the principal local commands act as: the operating-system user
// running them, who holds the database file.
func system() model.Principal {
	return model.System(osUserName())
}

func osUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if n := os.Getenv(v); n != "" {
			return n
		}
	}
	return "unknown"
}

// table writes aligned columns; every cell passes through Sanitize and is
// padded by its display width (model.DisplayWidth, the measure the app's
// tables use), so that wide characters and accents keep columns in line.
type table struct {
	w    io.Writer
	rows [][]string
}

func newTable(w io.Writer, headers ...string) *table {
	return &table{w: w, rows: [][]string{headers}}
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(Sanitize(c), "\t", " ")
	}
	t.rows = append(t.rows, cells)
}

func (t *table) flush() {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], model.DisplayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-model.DisplayWidth(c)+2))
			}
		}
		b.WriteString("\n")
	}
	io.WriteString(t.w, b.String())
	t.rows = t.rows[:0]
}

// stringList is a repeatable flag (--department A --department B).
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// sortedNames returns names in order, for messages listing choices.
func sortedNames(names []string) string {
	sort.Strings(names)
	return strings.Join(names, ", ")
}
