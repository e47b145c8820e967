package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	flag "github.com/spf13/pflag"
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
	// IDs are the records the command touched, by kind ("member": 12).
	IDs      map[string]int64 `json:"ids,omitempty"`
	Warnings []string         `json:"warnings,omitempty"`
}

// jsonError is an error as --json prints it, on standard error.
type jsonError struct {
	Error string `json:"error"`
	Code  int    `json:"code"`
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
		a.ids = map[string]int64{}
	}
	a.ids[kind] = id
}

// warn records a warning for the --json result; without --json it is
// printed as a line of its own.
func (a *app) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	a.warnings = append(a.warnings, msg)
	if !a.json {
		fmt.Fprintf(a.stdout, "warning: %s\n", msg)
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
		return a.reportJSON(jsonError{Error: firstLine(msg), Code: ee.code})
	}
	if err != nil {
		return a.report(c, err)
	}
	// What it told on standard error as it went (the file it wrote) is
	// part of what was done.
	done := append(lines(out.String()), lines(errOut.String())...)
	res := actionResult{Command: c.name, Done: done, IDs: a.ids, Warnings: a.warnings}
	if err := writeJSON(a.stdout, res); err != nil {
		return a.report(c, err)
	}
	return exitOK
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
