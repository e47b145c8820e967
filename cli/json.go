package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// --json is taken by every command. Listings print an array (their own
// code writes it); the other commands print one object saying what was
// done: the lines the command would have printed, the ids of the records
// it touched and any warnings. An error is an object on standard error,
// {"error": ..., "code": ...}, with the exit code the help topic
// exit-codes documents.

const jsonUsage = "print JSON: a listing as an array, an action as one object; errors as an object on standard error"

// actionResult is what a command that is not a listing prints with --json.
type actionResult struct {
	Command string `json:"command"`
	// Done is what the command would have printed, a line each.
	Done []string `json:"done"`
	// IDs are the records the command touched, by kind, each a list
	// ("member": [12]; "invitation": [31, 32] for a bulk invitation), and
	// under "audit" the audit entries its changes wrote.
	IDs map[string][]int64 `json:"ids,omitempty"`
	// Token is a secret the action made and shows only this once
	// (connections create).
	Token string `json:"token,omitempty"`
	// Reach is, for a command that changes who reaches what, what each
	// member concerned reaches afterwards, and the accounts concerned who
	// reaches them now: the engine's answers after the change.
	Reach    *reachAfter `json:"reach,omitempty"`
	Warnings []string    `json:"warnings,omitempty"`
}

// reachAfter is what remains reachable after a change of access.
type reachAfter struct {
	Members  []memberReach  `json:"members,omitempty"`
	Accounts []accountReach `json:"accounts,omitempty"`
}

// memberReach is what one member reaches after a change: the accounts of
// the folders they were added to that they reach, and what their role
// reaches whatever their access.
type memberReach struct {
	StaffID int64  `json:"staff_id"`
	Email   string `json:"email"`
	// ThroughRole is what their role reaches beyond their toggles ("":
	// nothing beyond them).
	ThroughRole string        `json:"through_role"`
	AllAccounts bool          `json:"all_accounts"`
	Accounts    []reachedJSON `json:"accounts"`
}

// accountReach is who reaches one account after a change, and why.
type accountReach struct {
	ClientID  int64       `json:"client_id"`
	Client    string      `json:"client"`
	AccountID int64       `json:"account_id"`
	Account   string      `json:"account"`
	ReachedBy []reachJSON `json:"reached_by"`
}

// jsonError is an error as --json prints it, on standard error. A
// command that failed after doing part of its work (a bulk invitation
// with lines refused) says what it did, and the records it touched.
type jsonError struct {
	Error string `json:"error"`
	Code  int    `json:"code"`
	// Detail is what lies under a plain error, for logs: what SQLite
	// said when the database stayed busy.
	Detail string             `json:"detail,omitempty"`
	Done   []string           `json:"done,omitempty"`
	IDs    map[string][]int64 `json:"ids,omitempty"`
}

// noJSON are the commands that cannot answer in JSON, and why: they hold
// a terminal or run until stopped.
var noJSON = map[string]string{
	"":      "the terminal app has no JSON form; run a command",
	"serve": "serve runs until stopped and writes a log; it has no JSON form",
	"join":  "join asks for a password on the terminal; it has no JSON form",
}

// dataToStdout are the commands whose output, without --out, is the data
// itself.
var dataToStdout = map[string]bool{"export": true, "audit export": true}

// nativeJSON reports whether a command writes its own JSON: it declares
// its own --json (listings, and actions that say more than lines).
func nativeJSON(c *command) bool {
	if c.ownJSON {
		return true
	}
	if c.flags == nil {
		return false
	}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	return fs.Lookup("json") != nil
}

// noteID records a record a command touched, for its --json result.
func (a *app) noteID(kind string, id int64) {
	if a.ids == nil {
		a.ids = map[string][]int64{}
	}
	if !slices.Contains(a.ids[kind], id) {
		a.ids[kind] = append(a.ids[kind], id)
	}
}

// noteReach records, for the --json result, what m reaches now, as the
// engine says it (ReachableBy, asked as the actor: only what they see).
// Without --json it says nothing: each command prints its own lines.
func (a *app) noteReach(ctx context.Context, m model.Member) {
	sum, err := a.svc.ReachableBy(ctx, a.actor(), m.ID)
	if err != nil {
		a.warn("what %s reaches now could not be read: %s", m.Email, err)
		return
	}
	r := memberReach{StaffID: m.ID, Email: m.Email, AllAccounts: sum.AllAccounts, Accounts: []reachedJSON{}}
	if sum.ThroughRole {
		r.ThroughRole = sum.Reason
	}
	for _, it := range sum.Items {
		if it.AccountID != 0 && it.Decision.Allowed {
			r.Accounts = append(r.Accounts, reachedJSON{Client: it.Client, Account: it.Account, Reason: it.Decision.Reason})
		}
	}
	if a.reach == nil {
		a.reach = &reachAfter{}
	}
	a.reach.Members = append(a.reach.Members, r)
}

// noteAccountReach records, for the --json result, who reaches an
// account now and why (WhoCanReach, asked as the actor).
func (a *app) noteAccountReach(ctx context.Context, c model.Client, acc model.Account) {
	reach, err := a.svc.WhoCanReach(ctx, a.actor(), acc.ID)
	var denied *model.DeniedError
	if errors.As(err, &denied) {
		// As one who no longer reaches it, they may not ask.
		a.warn("who reaches %s / %s now is not yours to see: %s", c.Name, acc.Name, denied.Decision.Reason)
		return
	}
	if err != nil {
		a.warn("who reaches %s / %s now could not be read: %s", c.Name, acc.Name, err)
		return
	}
	r := accountReach{ClientID: c.ID, Client: c.Name, AccountID: acc.ID, Account: acc.Name, ReachedBy: []reachJSON{}}
	for _, x := range reach {
		r.ReachedBy = append(r.ReachedBy, reachJSON{StaffID: x.StaffID, Name: x.StaffName, Email: x.StaffEmail, Role: x.Role,
			Client: x.Client, Account: x.Account, Why: x.Decision.Reason})
	}
	if a.reach == nil {
		a.reach = &reachAfter{}
	}
	a.reach.Accounts = append(a.reach.Accounts, r)
}

// noteMembersReach records what each of ms reaches now.
func (a *app) noteMembersReach(ctx context.Context, ms []model.Member) {
	for _, m := range ms {
		a.noteID("member", m.ID)
		a.noteReach(ctx, m)
	}
}

// noteClientReach records who reaches each of a folder's accounts now.
func (a *app) noteClientReach(ctx context.Context, c model.Client) {
	accs, err := a.svc.Accounts(ctx, a.actor(), c.ID)
	if err != nil {
		a.warn("the accounts of %s could not be read: %s", c.Name, err)
		return
	}
	for _, acc := range accs {
		a.noteAccountReach(ctx, c, acc)
	}
	if a.reach == nil {
		a.reach = &reachAfter{}
	}
}

// printResult prints, for a command that writes its own JSON, the one
// result object every action prints: the lines write prints become its
// "done".
func (a *app) printResult(name string, write func()) error {
	return writeJSON(a.stdout, a.captured(name, write))
}

// captured is the result of an action whose text write prints: its
// lines are the result's "done".
func (a *app) captured(name string, write func()) actionResult {
	stdout := a.stdout
	var out bytes.Buffer
	a.stdout = &out
	write()
	a.stdout = stdout
	return a.result(name, lines(out.String()))
}

// warn records a warning for the --json result; without --json it is
// printed as a line of its own.
func (a *app) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	a.warnings = append(a.warnings, msg)
	if !a.json {
		fmt.Fprintf(a.stdout, "warning: %s\n", Sanitize(msg))
	}
}

// runJSON runs a command that writes text as one --json result: its
// printed lines are collected and become the result's "done"; what it
// wrote on standard error, on failure, becomes the error object's text.
func (a *app) runJSON(ctx context.Context, c *command, fs *flag.FlagSet, args []string) int {
	if why, ok := noJSON[c.name]; ok {
		return a.report(c, usageError{why})
	}
	if dataToStdout[c.name] && flagString(fs, "out") == "" {
		// The export itself is the output: JSON as it is, CSV refused.
		if f := fs.Lookup("format"); f != nil && !strings.EqualFold(f.Value.String(), "json") {
			return a.report(c, usagef("--json writes JSON: give --format json, or --out FILE for the %s file", f.Value.String()))
		}
		return a.report(c, c.run(ctx, a, fs, args))
	}
	stdout, stderr := a.stdout, a.stderr
	var out, errOut bytes.Buffer
	a.stdout, a.stderr = &out, &errOut
	err := c.run(ctx, a, fs, args)
	a.stdout, a.stderr = stdout, stderr
	var ee exitError
	if errors.As(err, &ee) {
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		msg, _ = strings.CutPrefix(msg, "gatehouse: ")
		e := jsonError{Error: firstLine(msg), Code: ee.code}
		a.noteAudited()
		if len(a.ids) > 0 {
			e.Done, e.IDs = lines(out.String()), a.ids
		}
		return a.reportJSON(e)
	}
	if err != nil {
		return a.report(c, err)
	}
	// What it told on standard error as it went (the file it wrote) is
	// part of what was done.
	done := append(lines(out.String()), lines(errOut.String())...)
	res := a.result(c.name, done)
	if err := writeJSON(a.stdout, res); err != nil {
		return a.report(c, err)
	}
	return exitOK
}

// result is the --json result of a command that did what done says.
func (a *app) result(name string, done []string) actionResult {
	a.noteAudited()
	return actionResult{Command: name, Done: done, IDs: a.ids, Reach: a.reach, Warnings: a.warnings}
}

// noteAudited adds the audit entries the command's changes wrote to its
// ids.
func (a *app) noteAudited() {
	if a.audited == nil {
		return
	}
	for _, id := range a.audited.IDs() {
		a.noteID("audit", id)
	}
}

// reportJSON prints an error object on standard error and gives its code.
func (a *app) reportJSON(e jsonError) int {
	e.Error = Sanitize(e.Error)
	b, _ := json.Marshal(e)
	fmt.Fprintf(a.stderr, "%s\n", b)
	return e.Code
}

// lines splits printed text into its non-empty lines, trimmed.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
