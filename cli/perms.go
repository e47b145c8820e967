package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// A permission grid (a custom role's, a connection's scope) is given on the
// command line as cells MODULE.ACTION:SCOPE ("clients.view:own"), the form
// the audit log writes them in: by --allow (repeatable, commas also
// split), or by --file, which holds the same words or the JSON array
// 'roles show --json' prints under "permissions".

// maxPermFile bounds a permission file: the grid has 50 cells.
const maxPermFile = 64 << 10

const permHelp = "MODULE.ACTION:SCOPE, e.g. clients.view:own (scopes: own, department, all)"

// parsePerm reads one cell such as "clients.view:own"; scope "none" takes
// the cell away (for --set).
func parsePerm(word string) (model.Permission, error) {
	word = strings.TrimSpace(word)
	cell, scope, ok := strings.Cut(word, ":")
	module, verb, dotted := strings.Cut(cell, ".")
	if !ok || !dotted || scope == "" {
		return model.Permission{}, usagef("%q is not a permission: write %s", Sanitize(model.Truncate(word, 60)), permHelp)
	}
	p, err := model.ParsePermission(module, verb, scope)
	if err != nil {
		return model.Permission{}, usageError{fmt.Sprintf("%q: %v", Sanitize(model.Truncate(word, 60)), errText(err))}
	}
	return p, nil
}

// parsePerms reads cells separated by commas or spaces.
func parsePerms(text string) ([]model.Permission, error) {
	out := []model.Permission{}
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		p, err := parsePerm(w)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// errText is an error's text without the model's category prefix
// ("invalid input: ").
func errText(err error) string {
	s := err.Error()
	for _, e := range []error{model.ErrInvalid, model.ErrRule, model.ErrConflict} {
		s = strings.TrimPrefix(s, e.Error()+": ")
	}
	return s
}

// gridFlags registers --allow and --file on a command that sets a grid.
func gridFlags(fs *flag.FlagSet) {
	fs.Var(&stringList{}, "allow", "grant `cells` "+permHelp+" (repeatable; commas also split)")
	fs.String("file", "", "read the cells from `file` ('-': standard input): words as --allow takes, or the JSON array of 'roles show --json'")
}

// gridFromFlags is the grid --allow and --file give, and whether either was
// given at all.
func gridFromFlags(a *app, fs *flag.FlagSet) ([]model.Permission, bool, error) {
	allow := *fs.Lookup("allow").Value.(*stringList)
	file := flagString(fs, "file")
	if len(allow) > 0 && file != "" {
		return nil, false, usagef("give the cells with --allow or --file, not both")
	}
	if file != "" {
		perms, err := permsFromFile(a, file)
		return perms, true, err
	}
	if len(allow) == 0 {
		return nil, false, nil
	}
	perms, err := parsePerms(strings.Join(allow, ","))
	return perms, true, err
}

// permsFromFile reads a permission file on this machine.
func permsFromFile(a *app, file string) ([]model.Permission, error) {
	if a.remote {
		return nil, usagef("--file reads a file on the machine that holds the database; over SSH give the cells with --allow")
	}
	var r io.Reader = a.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("read permissions: %w", err)
		}
		defer f.Close()
		r = f
	} else if r == nil {
		return nil, usagef("--file - reads standard input, and there is none")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPermFile+1))
	if err != nil {
		return nil, fmt.Errorf("read permissions: %w", err)
	}
	if len(data) > maxPermFile {
		return nil, usagef("the permission file is over %d bytes; a grid has %d cells", maxPermFile, len(model.Modules)*len(model.Verbs))
	}
	text := strings.TrimSpace(string(data))
	if strings.HasPrefix(text, "[") {
		var perms []model.Permission
		if err := json.Unmarshal([]byte(text), &perms); err != nil {
			return nil, usagef("the permission file is not a JSON array of {module, action, scope}: %v", err)
		}
		return perms, nil
	}
	return parsePerms(text)
}

// permChangeLines says, cell by cell in grid order, what after grants that
// before did not ("+ view clients: all"), what it takes away and what it
// widens or narrows, as the app's editor lists them before a save.
func permChangeLines(before, after model.PermissionSet) []string {
	var out []string
	for _, m := range model.Modules {
		for _, v := range model.Verbs {
			b, x := before.Get(m, v), after.Get(m, v)
			switch {
			case b == x:
			case b == model.ScopeNone:
				out = append(out, fmt.Sprintf("+ %s %s: %s", v, m, x))
			case x == model.ScopeNone:
				out = append(out, fmt.Sprintf("- %s %s: was %s", v, m, b))
			default:
				out = append(out, fmt.Sprintf("~ %s %s: %s → %s", v, m, b, x))
			}
		}
	}
	return out
}

// permJSON is a permission list as --json prints it: never null.
func permJSON(ps model.PermissionSet) []model.Permission {
	if l := ps.List(); l != nil {
		return l
	}
	return []model.Permission{}
}
