// Package cli is Gatehouse's command line: every command, locally and
// over SSH, with its flags, help, output and exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"

	"gatehouse/db"
	"gatehouse/model"
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
	// ownJSON: the command writes its own JSON when app.json is set,
	// rather than have its printed lines gathered into one result.
	ownJSON bool
}

// commands is every command in the order help lists them.
var commands []*command

func register(c *command) { commands = append(commands, c) }

// app is what a running command needs: where to write, which database,
// and who acts.
type app struct {
	stdout, stderr io.Writer
	stdin          *os.File
	// input is what the command may read (--password-stdin): standard
	// input locally, the session's over SSH; nil when there is none.
	input  io.Reader
	dbPath string
	dbSet  bool // --db was given on the command line
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
	// argv is the command line as parsed; registered maps the tree's nodes
	// to the commands they run; code is the exit code of the one that ran.
	argv       []string
	registered map[*cobra.Command]*command
	code       int
	// json: --json was given; ids and warnings are what the command
	// records for its --json result.
	json     bool
	ids      map[string][]int64
	reach    *reachAfter
	audited  *model.AuditIDs
	warnings []string
	// overLimit is the first --db or --token value over its limit.
	overLimit error
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

// lineError is a refusal said in one line, with its exit code.
type lineError struct {
	msg  string
	code int
}

func (e lineError) Error() string { return e.msg }

// exitError ends a command with a code and an already printed message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Sanitize is model.Sanitize: every string a user typed passes through it
// before it is printed.
func Sanitize(s string) string { return model.Sanitize(s) }

func isHelpArg(s string) bool { return s == "-h" || s == "--help" || s == "-help" || s == "help" }

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

// report prints err as one line on stderr (with --json, as an error
// object) and picks the exit code.
func (a *app) report(c *command, err error) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	msg, hint, code := a.describe(c, err)
	// The quoting hint over SSH stays text even with --json: it is a line
	// to paste at a shell, for the person who typed the command.
	var surplus surplusError
	quoting := errors.As(err, &surplus) && a.remote && hint != ""
	if a.json && !quoting {
		e := jsonError{Error: msg, Code: code}
		var busy db.StayedBusyError
		if errors.As(err, &busy) && busy.Err != nil {
			e.Detail = busy.Err.Error()
		}
		return a.reportJSON(e)
	}
	fmt.Fprintf(a.stderr, "gatehouse: %s\n%s", Sanitize(msg), hint)
	return code
}

// describe is what report says of err: the message, a line after it
// (ending in a newline, or empty) and the exit code.
func (a *app) describe(c *command, err error) (msg, hint string, code int) {
	var long tooLongError
	if errors.As(err, &long) {
		return long.Error(), "", exitUsage
	}
	var line lineError
	if errors.As(err, &line) {
		return line.msg, "", line.code
	}
	var surplus surplusError
	if errors.As(err, &surplus) && a.remote {
		if h, ok := quotingHint(c, a.flags, a.rawArgs, surplus.allowed, a.connect); ok {
			return surplus.msg + ": over SSH, quote the whole command once more, and any name with spaces inside it:",
				"  " + Sanitize(h) + "\n", exitUsage
		}
	}
	var ue usageError
	if errors.As(err, &ue) {
		return ue.msg, fmt.Sprintf("Run '%s --help' for its usage.\n", c.invocation()), exitUsage
	}
	var denied *model.DeniedError
	if errors.As(err, &denied) {
		return "not allowed: " + denied.Decision.Reason, "", exitFail
	}
	// A member, client or role that does not exist is a lookup error, and
	// a value the model refuses as such (a name with control characters, a
	// length out of range) a usage error: both told apart from a refusal
	// (exit 1) for scripts, as 'help exit-codes' says.
	if errors.Is(err, model.ErrNotFound) || (errors.Is(err, model.ErrInvalid) && !errors.Is(err, model.ErrWrongPassword)) {
		return err.Error(), "", exitUsage
	}
	return err.Error(), "", exitFail
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

// Unwrap makes a surplus argument the usage error it is (exit 2).
func (e surplusError) Unwrap() error { return e.usageError }

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
func (s *stringList) Type() string       { return "stringList" }

// sortedNames returns names in order, for messages listing choices.
func sortedNames(names []string) string {
	sort.Strings(names)
	return strings.Join(names, ", ")
}
