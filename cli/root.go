package cli

// The command tree is built on github.com/spf13/cobra, the command-line
// library of gh, kubectl and soft-serve: it parses GNU-style flags
// anywhere on the line, suggests the nearest command for a typo, writes
// bash, zsh and fish completion from the tree itself, and gives --version.
// What each command says and does stays declared once, in its `command`
// (one file per family); this file turns those into the tree, for the
// local binary and, built afresh for every call, for the SSH server.

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"

	"gatehouse/db"
	"gatehouse/model"
	"gatehouse/sshd"
)

const (
	dbUsage    = "database `file` (default: $GATEHOUSE_DB, else the user's data directory)"
	tokenUsage = "act as the connection holding this `token` (default: $GATEHOUSE_TOKEN)"
)

// groupSummaries describe the words that only gather commands, for
// completion and the tree.
var groupSummaries = map[string]string{
	"staff":          "Members of the firm: invitations, roles, deactivation, passwords.",
	"access":         "Who can reach which client folder and account.",
	"audit":          "The hash-chained audit log.",
	"keys":           "Members' SSH keys.",
	"roles":          "Roles and what they allow.",
	"clients":        "Client folders and their owners.",
	"sessions":       "Sessions open over SSH.",
	"org":            "The organisation itself.",
	"invitations":    "Invitations not yet accepted, and those that were.",
	"whatif":         "What a change would do, before it is made.",
	"departments":    "Departments, their heads and their members.",
	"connections":    "Scripts and integrations acting with a token or an SSH key, within their creator's permissions.",
	"settings":       "The organisation's settings.",
	"billing":        "The plan and the payment method.",
	"profile":        "Your own name and password.",
	"totp":           "Your two-factor authentication.",
	"recovery-codes": "Your one-time recovery codes.",
}

// Main parses the command line (the words after the program's name) and
// runs one command; it returns the exit code.
func Main(ctx context.Context, argv []string, stdin *os.File, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, stdin: stdin, input: stdin, principal: system()}
	defer func() {
		if a.svc != nil {
			a.svc.Close()
		}
	}()
	return a.execute(ctx, argv)
}

// runCommand runs one CLI command for a remote session: on svc (already
// open; not closed here), as p, with no access to the server's files.
// args are as the client typed them after the host name; it returns the
// exit code.
func runCommand(ctx context.Context, svc *model.Service, p model.Principal, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, svc: svc, principal: p, remote: true, dbPath: svc.Path(), dbSet: true,
		connect: sshd.ConnectCommandFrom(ctx), input: sshd.StdinFrom(ctx)}
	if len(args) == 0 || isHelpArg(args[0]) {
		printHelp(stdout)
		return exitOK
	}
	return a.execute(ctx, args)
}

// execute builds the tree, parses argv and runs the command it names.
func (a *app) execute(ctx context.Context, argv []string) int {
	root := a.newRoot(ctx)
	argv = gnuFlags(root, argv)
	a.argv = argv
	a.json = wantsJSON(argv)
	if a.remote {
		if target, rest, err := root.Find(argv); err == nil && target != root {
			if c := a.registered[target]; c != nil && localCommands[c.name] && !slices.ContainsFunc(rest, isHelpArg) {
				return a.fail(fmt.Sprintf("'%s' runs only on the machine that holds the database", c.name), "", exitUsage)
			}
		}
	}
	root.SetArgs(argv)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		return a.parseFailure(root, cmd, err)
	}
	return a.code
}

// newRoot is the whole command tree: the terminal app at the root, every
// registered command under the words of its name.
func (a *app) newRoot(ctx context.Context) *cobra.Command {
	a.registered = map[*cobra.Command]*command{}
	root := &cobra.Command{
		Use:           "gatehouse",
		Short:         "Decide and show who on a firm's staff can reach which client accounts.",
		Version:       version(),
		Args:          a.rootArgs,
		RunE:          a.runner(ctx, tuiCommand),
		SilenceErrors: true,
		SilenceUsage:  true,
		// A typo of one or two letters, or the start of a name, is suggested.
		SuggestionsMinimumDistance: 2,
	}
	root.SetVersionTemplate("gatehouse {{.Version}}\n")
	root.PersistentFlags().Var(&limitedString{p: &a.dbPath, name: "db", over: &a.overLimit}, "db", dbUsage)
	if !a.remote {
		root.PersistentFlags().Var(&limitedString{p: &a.token, name: "token", over: &a.overLimit}, "token", tokenUsage)
	}
	root.PersistentFlags().BoolVar(&a.json, "json", false, jsonUsage)
	a.registered[root] = tuiCommand

	nodes := map[string]*cobra.Command{"": root}
	byDepth := slices.Clone(commands)
	slices.SortStableFunc(byDepth, func(x, y *command) int { return len(strings.Fields(x.name)) - len(strings.Fields(y.name)) })
	for _, c := range byDepth {
		words := strings.Fields(c.name)
		parent := a.groupNode(nodes, words[:len(words)-1])
		node := a.leaf(ctx, c, words[len(words)-1])
		parent.AddCommand(node)
		nodes[c.name] = node
	}
	root.AddCommand(exitCodesTopic())
	root.SetHelpCommand(a.helpCommand(root))
	root.SetHelpFunc(a.help)
	a.completionRefusesOtherShells(root)
	return root
}

// completionRefusesOtherShells makes `completion SHELL` for a shell it has
// no script for a usage error, not its help.
func (a *app) completionRefusesOtherShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			var shells []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					shells = append(shells, sub.Name())
				}
			}
			a.code = a.fail(fmt.Sprintf("no completion script for %q; there is one for %s", args[0], strings.Join(shells, ", ")),
				"Run 'gatehouse completion --help' for its usage.\n", exitUsage)
			return nil
		}
	}
}

// groupNode is the node of a group such as "staff", made on first use.
func (a *app) groupNode(nodes map[string]*cobra.Command, words []string) *cobra.Command {
	name := strings.Join(words, " ")
	if n, ok := nodes[name]; ok {
		return n
	}
	parent := a.groupNode(nodes, words[:len(words)-1])
	n := &cobra.Command{
		Use:                        words[len(words)-1] + " COMMAND",
		Short:                      groupSummaries[name],
		Args:                       cobra.ArbitraryArgs,
		SuggestionsMinimumDistance: 2,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.code = a.runGroup(cmd, name, args)
			return nil
		},
	}
	parent.AddCommand(n)
	nodes[name] = n
	return n
}

// leaf is the node of one registered command.
func (a *app) leaf(ctx context.Context, c *command, word string) *cobra.Command {
	n := &cobra.Command{
		Use:                   strings.TrimSpace(word + " " + c.args),
		Short:                 strings.TrimSuffix(firstSentence(c.summary), "."),
		Long:                  c.summary,
		Example:               c.example,
		Args:                  cobra.ArbitraryArgs,
		DisableFlagsInUseLine: true,
		RunE:                  a.runner(ctx, c),
	}
	if c.flags != nil {
		c.flags(n.Flags())
	}
	a.registered[n] = c
	return n
}

func (a *app) runner(ctx context.Context, c *command) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.code = a.runParsed(ctx, c, cmd.Flags(), args)
		return nil
	}
}

// runParsed runs a command whose flags are parsed: it checks the lengths,
// settles the database and the token, runs it and reports its error.
func (a *app) runParsed(ctx context.Context, c *command, fs *flag.FlagSet, args []string) int {
	a.rawArgs, a.flags = withoutWords(a.argv, c.name), fs
	a.json, _ = fs.GetBool("json")
	if a.overLimit != nil {
		return a.report(c, a.overLimit)
	}
	if err := checkLengths(c, fs, args); err != nil {
		return a.report(c, err)
	}
	dbGiven := fs.Changed("db")
	if a.remote && dbGiven {
		return a.report(c, lineError{"--db cannot be given over SSH: the server's database is used", exitUsage})
	}
	a.dbSet = a.dbSet || dbGiven
	if !a.remote {
		a.tokenFrom = "--token"
		if a.token == "" {
			a.token, a.tokenFrom = os.Getenv("GATEHOUSE_TOKEN"), "$GATEHOUSE_TOKEN"
		}
		if a.token != "" {
			if err := a.actAsConnection(ctx, c); err != nil {
				return a.report(c, err)
			}
		}
	}
	// The audit entries the command's changes write, for its --json result.
	ctx, a.audited = model.WithAuditIDs(ctx)
	ctx = a.withWaitNotice(ctx)
	if a.json && !nativeJSON(c) {
		return a.runJSON(ctx, c, fs, args)
	}
	return a.report(c, c.run(ctx, a, fs, args))
}

// waitingLine is what a command at a terminal says when another process's
// write has kept it waiting a couple of seconds (it waits up to about a
// minute before giving up).
const waitingLine = "gatehouse: waiting for another process writing to the database...\n"

// withWaitNotice is ctx with the waiting line for a person at a terminal:
// said once, on standard error, locally.
func (a *app) withWaitNotice(ctx context.Context) context.Context {
	f, ok := a.stderr.(*os.File)
	if a.remote || !ok || !isTerminal(f) {
		return ctx
	}
	var once sync.Once
	return db.WithWaitNotice(ctx, func() { once.Do(func() { fmt.Fprint(f, waitingLine) }) })
}

// limitedString is a global flag's value (--db, --token) that notes the
// first value over its limit, even one a later value replaces: each is
// refused before anything runs, as every other argument is.
type limitedString struct {
	p    *string
	name string
	over *error
}

func (v *limitedString) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v *limitedString) Set(s string) error {
	if err := checkLen("--"+v.name, s, flagLimits[v.name]); err != nil && *v.over == nil {
		*v.over = err
	}
	*v.p = s
	return nil
}

func (v *limitedString) Type() string { return "string" }

// rootArgs refuses words after `gatehouse` that name no command, with the
// nearest commands when there are some.
func (a *app) rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommandError{word: args[0], suggestions: cmd.SuggestionsFor(args[0])}
}

// unknownCommandError is a first word that names no command.
type unknownCommandError struct {
	word        string
	suggestions []string
}

func (e unknownCommandError) Error() string {
	return fmt.Sprintf("unknown command %q%s", Sanitize(e.word), didYouMean(e.suggestions))
}

// didYouMean is the hint after an unknown command: `; did you mean "staff"?`.
func didYouMean(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	quoted := make([]string, len(suggestions))
	for i, s := range suggestions {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "; did you mean " + strings.Join(quoted, " or ") + "?"
}

// prefixed puts a group's name before each of its commands' names.
func prefixed(group string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = group + " " + n
	}
	return out
}

// runGroup is a group's own word run with no command after it (its help;
// a usage error when run bare locally), or with one that is not its own.
func (a *app) runGroup(cmd *cobra.Command, name string, args []string) int {
	group := groupCommands(name)
	if len(args) == 0 || isHelpArg(args[0]) {
		printGroupHelp(a.stdout, name, group)
		if len(args) == 0 && !a.remote {
			return exitUsage
		}
		return exitOK
	}
	if a.remote {
		return a.fail(fmt.Sprintf("unknown command %q", name+" "+strings.Join(args, " ")), "Run 'help' for the commands.\n", exitUsage)
	}
	if a.json {
		return a.fail(fmt.Sprintf("unknown command %q%s", name+" "+args[0], didYouMean(prefixed(name, cmd.SuggestionsFor(args[0])))), "", exitUsage)
	}
	fmt.Fprintf(a.stderr, "gatehouse: unknown command %q%s\n", Sanitize(name+" "+args[0]), didYouMean(prefixed(name, cmd.SuggestionsFor(args[0]))))
	printGroupHelp(a.stderr, name, group)
	return exitUsage
}

// parseFailure reports what cobra refused before any command ran: an
// unknown command or flag, a flag without its value.
func (a *app) parseFailure(root, cmd *cobra.Command, err error) int {
	if a.remote && (cmd == nil || cmd == root) {
		return a.fail(fmt.Sprintf("unknown command %q", strings.Join(a.argv, " ")), "Run 'help' for the commands.\n", exitUsage)
	}
	if cmd == nil || cmd == root {
		return a.fail(err.Error(), "Run 'gatehouse help' for the commands.\n", exitUsage)
	}
	return a.fail(err.Error(), fmt.Sprintf("Run '%s --help' for its usage.\n", cmd.CommandPath()), exitUsage)
}

// fail says why the command line was refused: a line on standard error
// and the hint after it, or with --json an error object; it gives code.
func (a *app) fail(msg, hint string, code int) int {
	if a.json {
		return a.reportJSON(jsonError{Error: msg, Code: code})
	}
	fmt.Fprintf(a.stderr, "gatehouse: %s\n%s", Sanitize(msg), hint)
	return code
}

// wantsJSON reports whether --json is on the command line (before "--"),
// for refusals that come before its flags are parsed.
func wantsJSON(argv []string) bool {
	for _, w := range argv {
		if w == "--" {
			return false
		}
		if w == "--json" || w == "--json=true" {
			return true
		}
	}
	return false
}

// help prints a node's help: the command list at the root, a group's
// commands, or a command's usage, flags and example.
func (a *app) help(cmd *cobra.Command, _ []string) {
	name := strings.TrimPrefix(strings.TrimPrefix(cmd.CommandPath(), "gatehouse"), " ")
	switch c := a.registered[cmd]; {
	case !cmd.HasParent():
		printHelp(a.stdout)
	case c != nil:
		printCommandHelp(a.stdout, c, a.helpFlags(c), a.connect)
	case len(groupCommands(name)) > 0:
		printGroupHelp(a.stdout, name, groupCommands(name))
	case !cmd.Runnable():
		fmt.Fprint(a.stdout, cmd.Long)
	default:
		fmt.Fprintf(a.stdout, "%s\n\n%s", strings.TrimSpace(cmd.Long+"\n"+cmd.Short), cmd.UsageString())
	}
}

// helpFlags is a command's flags as its help lists them.
func (a *app) helpFlags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet("gatehouse "+c.name, flag.ContinueOnError)
	fs.String("db", "", dbUsage)
	if !a.remote && !localCommands[c.name] {
		fs.String("token", "", tokenUsage)
	}
	if c.flags != nil {
		c.flags(fs)
	}
	if _, refused := noJSON[c.name]; fs.Lookup("json") == nil && !refused {
		fs.Bool("json", false, jsonUsage)
	}
	return fs
}

// helpCommand is `gatehouse help [COMMAND...]`.
func (a *app) helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]...",
		Short: "Help on any command, or a topic (exit-codes)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				printHelp(a.stdout)
				return nil
			}
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 || target == root {
				a.code = a.fail(fmt.Sprintf("no command %q", strings.Join(args, " ")), "Run 'gatehouse help' for the commands.\n", exitUsage)
				return nil
			}
			a.help(target, nil)
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			parent, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, sub := range parent.Commands() {
				if sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
					if strings.HasPrefix(sub.Name(), toComplete) {
						out = append(out, sub.Name()+"\t"+sub.Short)
					}
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// exitCodesText is `gatehouse help exit-codes`.
const exitCodesText = `Exit codes

Every command, run locally or over SSH, ends with one of three codes:

  0  it did what was asked (check: the action is allowed; audit verify and
     check-db: everything matched).
  1  refused or failed: not allowed for who runs it, check denied, a
     verification found a mismatch, or the work itself failed.
  2  a usage or lookup error: an unknown command or flag, a missing or extra
     argument, a value over its limit, out of its range or not valid (a name
     with control characters), a command that does not run over SSH, or a
     member, client, account, role or record that does not exist.

On any code but 0, standard error holds one line starting "gatehouse: " that
says why, and nothing was changed.
`

// exitCodesTopic is a help topic, not a command: `gatehouse help exit-codes`.
func exitCodesTopic() *cobra.Command {
	return &cobra.Command{Use: "exit-codes", Short: "What the exit codes 0, 1 and 2 mean", Long: exitCodesText}
}

// version is the module's version and the commit it was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown version)"
	}
	return versionOf(info)
}

// versionOf is what --version says of a build: its module version, and
// the commit when the build recorded one.
func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", with uncommitted changes"
			}
		}
	}
	if rev != "" {
		v += " commit " + rev + modified
	}
	return v
}

// gnuFlags rewrites single-dash long flags (-db, -json), which the
// command line took before it moved to GNU-style flags, to their
// double-dash form, so that scripts written then still run. Words after
// "--" are left alone.
func gnuFlags(root *cobra.Command, argv []string) []string {
	known := map[string]bool{"help": true, "version": true}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*flag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *flag.Flag) { known[f.Name] = true })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	out := slices.Clone(argv)
	for i, w := range out {
		if w == "--" {
			break
		}
		if len(w) > 2 && w[0] == '-' && w[1] != '-' {
			name, _, _ := strings.Cut(w[1:], "=")
			if known[name] {
				out[i] = "-" + w
			}
		}
	}
	return out
}

// withoutWords is argv less the words of a command's name, in order: the
// arguments and flags as given, for the quoting hint over SSH.
func withoutWords(argv []string, name string) []string {
	words := strings.Fields(name)
	var out []string
	for _, w := range argv {
		if len(words) > 0 && w == words[0] {
			words = words[1:]
			continue
		}
		out = append(out, w)
	}
	return out
}
