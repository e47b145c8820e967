package cli

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// Every text argument has a limit (README, "Limits"): a value over it is
// refused before the command runs, in one line that gives its length and
// never the value itself (a pasted 900 KB line is not printed back).

// maxPathLen bounds a file name or address.
const maxPathLen = 4096

// defaultArgLimit is the limit of an argument not named below.
const defaultArgLimit = 1000

// accountPathLen bounds CLIENT/ACCOUNT: a folder's name, the slash and an
// account's name, each at its own limit.
const accountPathLen = model.MaxNameLen + 1 + model.MaxNameLen

// flagLimits is the limit of each flag's value, in characters.
var flagLimits = map[string]int{
	"name": model.MaxNameLen, "org": model.MaxNameLen, "role": model.MaxNameLen, "department": model.MaxNameLen,
	"client": model.MaxNameLen, "account": accountPathLen, "confirm": model.MaxNameLen, "connection": model.MaxNameLen,
	"email": model.MaxEmailLen, "staff": model.MaxEmailLen, "from": model.MaxEmailLen, "to": model.MaxEmailLen,
	"reassign-to": model.MaxEmailLen, "manager": model.MaxEmailLen, "actor": model.MaxEmailLen, "owner": model.MaxEmailLen,
	"add": model.MaxNameLen, "remove": model.MaxNameLen,
	"message": model.MaxMessageLen,
	"filter":  model.MaxFilterLen,
	"reason":  model.MaxReasonLen,
	"action":  64, "status": 32, "format": 16, "since": 64, "until": 64, "before": 32, "ttl": 32, "key": 128, "token": 256,
	"db": maxPathLen, "out": maxPathLen, "anchor": maxPathLen, "anchor-key": maxPathLen, "export": maxPathLen, "anchor-out": maxPathLen,
	"allow": 2000, "set": model.MaxNameLen, "description": model.MaxMessageLen, "move-members-to": model.MaxNameLen,
	"head": model.MaxEmailLen, "kind": 16, "ssh-key": 8000, "require-2fa": 8, "secret": 128, "code": 16, "invite-ttl": 32, "idle-timeout": 32,
	"since-id": 32, "anchor-every": 32, "file": maxPathLen, "host-key": maxPathLen, "listen": 256,
}

// positionalLimits is the limit of each positional argument, by the name
// the usage line gives it.
var positionalLimits = map[string]int{
	"EMAIL": model.MaxEmailLen, "ROLE": model.MaxNameLen, "CODE": model.MaxCodeLen, "ACTION": 64,
	"TARGET": 16 + 2*model.MaxNameLen, "FILE": maxPathLen, "PUBKEY_FILE": maxPathLen, "ID": 32, "INVITATION": model.MaxEmailLen,
	"NAME": model.MaxNameLen, "DEPARTMENT": model.MaxNameLen, "CONNECTION": model.MaxNameLen, "LABEL": model.MaxNameLen, "KEY": 128,
	"CLIENT": model.MaxNameLen,
}

// tooLongError is an argument over its limit.
type tooLongError struct {
	what   string
	n, max int
}

func (e tooLongError) Error() string {
	return fmt.Sprintf("%s is %d characters long; at most %d", e.what, e.n, e.max)
}

func checkLen(what, value string, limit int) error {
	if n := utf8.RuneCountInString(value); n > limit {
		return tooLongError{what: what, n: n, max: limit}
	}
	return nil
}

// checkLengths checks every flag given and every positional argument of
// a command against its limit.
func checkLengths(c *command, fs *flag.FlagSet, pos []string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		limit, ok := flagLimits[f.Name]
		if !ok {
			limit = defaultArgLimit
		}
		values := []string{f.Value.String()}
		if list, ok := f.Value.(*stringList); ok {
			values = *list
		}
		for _, v := range values {
			if err = checkLen("--"+f.Name, v, limit); err != nil {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	names := positionalNames(c.args)
	for i, v := range pos {
		what, limit := fmt.Sprintf("argument %d", i+1), defaultArgLimit
		if i < len(names) {
			what = names[i]
			if l, ok := positionalLimits[names[i]]; ok {
				limit = l
			}
		}
		if err := checkLen(what, v, limit); err != nil {
			return err
		}
	}
	return nil
}

var upperWord = regexp.MustCompile(`^[A-Z][A-Z_]*$`)

// positionalNames lists the positional arguments a usage line names, in
// order: upper-case words outside brackets that are no flag's value.
func positionalNames(usage string) []string {
	var out []string
	depth := 0
	afterFlag := false
	for _, tok := range strings.Fields(usage) {
		opening := depth == 0 && strings.HasPrefix(tok, "[")
		depth += strings.Count(tok, "[") - strings.Count(tok, "]")
		switch {
		case opening || depth > 0 || strings.HasSuffix(tok, "]") || strings.HasSuffix(tok, "]..."):
			afterFlag = false
		case strings.HasPrefix(tok, "-"):
			afterFlag = true
		case tok == "|":
			afterFlag = false
		case afterFlag:
			afterFlag = false
		case upperWord.MatchString(tok):
			out = append(out, tok)
		}
	}
	return out
}
