package model

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// fieldCheck validates one stored text value with the model's own input
// check and returns the value as Gatehouse would have stored it.
type fieldCheck func(string) (string, error)

func nameCheck(what string) fieldCheck {
	return func(s string) (string, error) { return CleanName(what, s) }
}

// optional lets a field be empty, as the schema's defaults leave it.
func optional(c fieldCheck) fieldCheck {
	return func(s string) (string, error) {
		if s == "" {
			return s, nil
		}
		return c(s)
	}
}

func messageCheck(s string) (string, error) { return CleanMessage(s) }

func emailCheck(s string) (string, error) { return CleanEmail(s) }

// keyLineCheck is AddSSHKey's check: a public key, stored as OpenSSH
// writes it.
func keyLineCheck(s string) (string, error) {
	k, err := ParseSSHKey(s)
	if err != nil {
		return "", err
	}
	return k.Line, nil
}

// keyCommentCheck: a key's comment is stored already made safe and short.
func keyCommentCheck(s string) (string, error) {
	return Sanitize(Truncate(strings.TrimSpace(s), maxKeyComment)), nil
}

func moduleCheck(s string) (string, error) {
	m, err := ParseModule(s)
	if err != nil || m.String() != s {
		return "", fmt.Errorf("%w: no module %q (modules: %s)", ErrInvalid, Sanitize(Truncate(s, 40)), ModuleList())
	}
	return s, nil
}

// verbCheck and scopeCheck: a permission's action and scope, spelt as
// the model stores them.
func verbCheck(s string) (string, error) {
	v, err := ParseVerb(s)
	if err != nil || v.String() != s {
		return "", fmt.Errorf("%w: no action %q (actions: %s)", ErrInvalid, Sanitize(Truncate(s, 40)), joinNames(Verbs))
	}
	return s, nil
}

func scopeCheck(s string) (string, error) {
	sc, err := ParseScope(s)
	if err != nil || sc == ScopeNone || sc.String() != s {
		return "", fmt.Errorf("%w: no scope %q (own, department or all)", ErrInvalid, Sanitize(Truncate(s, 40)))
	}
	return s, nil
}

// idListCheck: an invitation's departments, stored as their ids.
func idListCheck(s string) (string, error) {
	if strings.Trim(s, "0123456789,") != "" {
		return "", fmt.Errorf("%w: not a list of department ids", ErrInvalid)
	}
	return s, nil
}

// fingerprintCheck: an SSH key's SHA256 fingerprint as ssh-keygen -l
// prints it.
func fingerprintCheck(s string) (string, error) {
	if !strings.HasPrefix(s, "SHA256:") || strings.Trim(s[len("SHA256:"):], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != "" || len(s) > 100 {
		return "", fmt.Errorf("%w: not an SSH key fingerprint (SHA256:…)", ErrInvalid)
	}
	return s, nil
}

// loggedText: audit entries record what the model wrote, from checked
// input, so nothing in them acts on a terminal.
func loggedText(s string) (string, error) {
	if hasUnsafe(s) {
		return "", fmt.Errorf("%w: contains control characters or escape sequences (%s)", ErrInvalid, Sanitize(Truncate(s, 40)))
	}
	return s, nil
}

func hashCheck(s string) (string, error) {
	if len(s) != 64 || strings.Trim(s, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%w: not a SHA-256 hash in hex", ErrInvalid)
	}
	return s, nil
}

// importChecks names, for each table of an export, the text columns that
// people typed (or that the model wrote from what they typed), with the
// check the command line and the screens apply to them on the way in. An
// import goes through the same doors: a file holding a name that
// `staff invite` would refuse is refused too.
var importChecks = map[string]map[string]fieldCheck{
	"organisation":           {"name": nameCheck("organisation name"), "plan": nameCheck("plan"), "payment_method": optional(nameCheck("payment method"))},
	"roles":                  {"name": nameCheck("role name"), "description": messageCheck},
	"role_permissions":       {"module": moduleCheck, "action": verbCheck, "scope": scopeCheck},
	"staff":                  {"name": nameCheck("name"), "email": emailCheck},
	"departments":            {"name": nameCheck("department name"), "description": messageCheck},
	"ssh_keys":               {"fingerprint": fingerprintCheck, "public_key": keyLineCheck, "comment": keyCommentCheck},
	"clients":                {"name": nameCheck("client name")},
	"accounts":               {"name": nameCheck("account name")},
	"invitations":            {"email": emailCheck, "name": nameCheck("name"), "departments": idListCheck, "message": messageCheck},
	"connections":            {"name": nameCheck("connection name"), "fingerprint": optional(fingerprintCheck)},
	"connection_permissions": {"module": moduleCheck, "action": verbCheck, "scope": scopeCheck},
	"audit_log": {"actor_kind": loggedText, "actor": loggedText, "origin": loggedText, "action": loggedText, "target_kind": loggedText,
		"target": loggedText, "before": loggedText, "after": loggedText, "prev_hash": hashCheck, "hash": hashCheck},
}

// checkImportRow applies importChecks to one row of an export. A value
// must pass its check and be what the check makes of it (trimmed, an
// email in lower case...), as Gatehouse stores it. The error names the
// table, the row and its id, and the field.
func checkImportRow(table string, columns []string, row []any, index int) error {
	checks := importChecks[table]
	if checks == nil {
		return nil
	}
	for i, col := range columns {
		check := checks[col]
		if check == nil || i >= len(row) {
			continue
		}
		v, ok := row[i].(string)
		if !ok {
			if row[i] == nil {
				continue
			}
			return importFieldError(table, columns, row, index, col, fmt.Errorf("%w: not text", ErrInvalid))
		}
		clean, err := check(v)
		if err == nil && clean != v {
			err = storedFormError(v, clean)
		}
		if err != nil {
			return importFieldError(table, columns, row, index, col, err)
		}
	}
	return nil
}

func importFieldError(table string, columns []string, row []any, index int, col string, err error) error {
	where := fmt.Sprintf("%s row %d", table, index+1)
	if i := slices.Index(columns, "id"); i >= 0 && i < len(row) {
		where += fmt.Sprintf(" (id %v)", row[i])
	}
	return fmt.Errorf("import: %s, field %s: %w; nothing was imported", where, col, err)
}

// storedFormError says why v is not clean, the form Gatehouse stores it
// in. Both are shown made safe, and a control character shows as its
// picture either way, so the difference is named rather than shown.
func storedFormError(v, clean string) error {
	shown := Sanitize(Truncate(v, 40))
	if what, pos, ok := firstUnsafeRune(v); ok {
		return fmt.Errorf("%w: %q holds %s at position %d, which Gatehouse never stores", ErrInvalid, shown, what, pos)
	}
	var why string
	switch n, m := utf8.RuneCountInString(v), utf8.RuneCountInString(clean); {
	case strings.TrimSpace(v) != v:
		why = "it has spaces at its start or end"
	case m < n:
		why = fmt.Sprintf("it is %d characters long; Gatehouse keeps %d", n, m)
	default:
		why = fmt.Sprintf("Gatehouse stores it as %q", Sanitize(Truncate(clean, 40)))
	}
	return fmt.Errorf("%w: %q is not as Gatehouse stores it: %s", ErrInvalid, shown, why)
}

// controlNames names the control characters a hostile file is likely to hold.
var controlNames = map[rune]string{0: "NUL", 7: "BEL", 8: "BS", 9: "TAB", 10: "LF", 13: "CR", 0x1b: "ESC", 0x7f: "DEL", 0x9b: "CSI"}

// firstUnsafeRune finds the first character Sanitize would replace and
// says what it is and at which character position (from 1) it stands.
func firstUnsafeRune(s string) (what string, pos int, ok bool) {
	for i := 0; i < len(s); pos++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		code := fmt.Sprintf("U+%04X", r)
		if name, known := controlNames[r]; known {
			code = name
		}
		switch {
		case r == utf8.RuneError && size <= 1:
			return "invalid UTF-8", pos + 1, true
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return "a control character (" + code + ")", pos + 1, true
		case isBidiControl(r):
			return "a bidirectional control (" + code + ")", pos + 1, true
		case invisible(r):
			return "an invisible character (" + code + ")", pos + 1, true
		}
	}
	return "", 0, false
}
