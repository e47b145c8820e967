package model

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"gatehouse/db"
)

// Emails are unique per person, and two addresses that look the same are
// the same person to whoever reads them. So addresses are compared by a
// key: Unicode NFKC (full-width ａ is a, ﬁ is fi) and case folding (Ada,
// ADA and ada are one; ß is ss), with golang.org/x/text's tables. What
// NFKC cannot join, letters of two scripts that look alike (Cyrillic а
// and Latin a), is refused when one address mixes scripts (Unicode
// UTS #39's "highly restrictive" level), and characters that show
// nothing (zero-width spaces and joiners, bidirectional marks, variation
// selectors) are refused outright.

// foldCase folds case for comparison (golang.org/x/text/cases); a Caser
// keeps state, so each key gets its own.
func foldCase(s string) string { return cases.Fold().String(s) }

// EmailKey is the form in which two addresses are compared:
// NFKC(casefold(NFKC(s))), the Unicode "NFKC_Casefold" idea, trimmed.
func EmailKey(s string) string {
	return norm.NFKC.String(foldCase(norm.NFKC.String(strings.TrimSpace(s))))
}

// invisible reports a character that shows nothing or changes nothing a
// reader can see: format characters (zero-width space, joiners, word
// joiner, byte order mark, soft hyphen, bidirectional marks), default-
// ignorable code points and variation selectors.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || r == '\u034F' || r == '\u115F' || r == '\u1160' || r == '\u3164' || r == '\uFFA0'
}

// scriptOf is the Unicode script of r; "" for characters every script
// shares (digits, punctuation, @) and for combining marks.
func scriptOf(r rune) string {
	if r < 0x80 {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return "Latin"
		}
		return ""
	}
	for name, table := range unicode.Scripts {
		if name == "Common" || name == "Inherited" {
			continue
		}
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// allowedMixes are the sets of scripts one address may combine (UTS #39,
// highly restrictive): any single script, or Latin with the scripts
// written together in Chinese, Japanese or Korean.
var allowedMixes = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

// scriptsOf counts the letters of each script in s.
func scriptsOf(s string) map[string]int {
	out := map[string]int{}
	for _, r := range s {
		if sc := scriptOf(r); sc != "" {
			out[sc]++
		}
	}
	return out
}

func mixAllowed(scripts map[string]int) bool {
	if len(scripts) <= 1 {
		return true
	}
	for _, mix := range allowedMixes {
		ok := true
		for sc := range scripts {
			ok = ok && slices.Contains(mix, sc)
		}
		if ok {
			return true
		}
	}
	return false
}

// LookAlikeError refuses an address that mixes scripts which look alike,
// naming the existing members it could be taken for.
type LookAlikeError struct {
	Email   string
	Scripts []string // the scripts mixed, most letters first
	Foreign string   // the letters not of the first script
	// Like lists the existing members (name <email>) it looks like.
	Like []string
	// pattern is a LIKE pattern matching the email keys it looks like.
	pattern string
}

func (e *LookAlikeError) Error() string {
	msg := fmt.Sprintf("%s: the address mixes %s letters (%s %s %s), which look alike",
		ErrInvalid, strings.Join(e.Scripts, " and "), Sanitize(e.Foreign), isOrAre(e.Foreign), e.Scripts[len(e.Scripts)-1])
	if len(e.Like) > 0 {
		msg += "; it would pass for " + strings.Join(e.Like, ", ") + ", an existing member"
	}
	return msg
}

func (e *LookAlikeError) Unwrap() error { return ErrInvalid }

func isOrAre(letters string) string {
	if len([]rune(letters)) == 1 {
		return "is"
	}
	return "are"
}

// checkEmailText refuses invisible characters and mixed scripts in an
// address (s is trimmed and NFKC-normalised).
func checkEmailText(s string) error {
	for i, r := range s {
		if invisible(r) {
			return fmt.Errorf("%w: the address holds an invisible character (U+%04X, at byte %d), which would make it look like another one", ErrInvalid, r, i)
		}
	}
	scripts := scriptsOf(s)
	if mixAllowed(scripts) {
		return nil
	}
	names := make([]string, 0, len(scripts))
	for sc := range scripts {
		names = append(names, sc)
	}
	sort.Slice(names, func(i, j int) bool {
		if scripts[names[i]] != scripts[names[j]] {
			return scripts[names[i]] > scripts[names[j]]
		}
		return names[i] < names[j]
	})
	e := &LookAlikeError{Email: s, Scripts: names}
	var foreign []rune
	var pattern strings.Builder
	// The members it would pass for are those whose address is this one
	// with any letter for each foreign one; named only when the local
	// part keeps more of its letters than it has foreign ones, or the
	// pattern matches too much to mean anything.
	kept, wild, inDomain := 0, 0, false
	for _, r := range EmailKey(s) {
		inDomain = inDomain || r == '@'
		switch sc := scriptOf(r); {
		case sc != "" && sc != names[0]:
			foreign = append(foreign, r)
			pattern.WriteByte('_')
			if !inDomain {
				wild++
			}
		case r == '%' || r == '_' || r == '\\':
			pattern.WriteString(`\` + string(r))
		default:
			pattern.WriteRune(r)
			if !inDomain && sc != "" {
				kept++
			}
		}
	}
	e.Foreign = string(foreign)
	if wild < kept {
		e.pattern = pattern.String()
	}
	return e
}

// maxLookAlikes bounds the members a look-alike error names.
const maxLookAlikes = 3

// explainEmail completes an email error with the data: a look-alike
// names the existing members the address would pass for.
func explainEmail(ctx context.Context, q db.Querier, err error) error {
	la, ok := err.(*LookAlikeError)
	if !ok || la.pattern == "" {
		return err
	}
	ms, qerr := db.MembersWithEmailKeyLike(ctx, q, la.pattern, maxLookAlikes)
	if qerr != nil {
		return qerr
	}
	for _, m := range ms {
		la.Like = append(la.Like, Sanitize(m.Name)+" <"+Sanitize(m.Email)+">")
	}
	return la
}

// emailTaken refuses an address whose key is an existing member's,
// naming them: a look-alike written differently (full width, another
// case, a ligature) is the same address.
func emailTaken(ctx context.Context, q db.Querier, email string) error {
	m, err := db.GetMemberByEmail(ctx, q, EmailKey(email))
	if err != nil {
		return nil
	}
	if m.Email == email {
		return fmt.Errorf("%w: %s is already a staff member (%s)", ErrConflict, Sanitize(email), Sanitize(m.Name))
	}
	return fmt.Errorf("%w: %s is the same address as %s <%s>, an existing member", ErrConflict, Sanitize(email), Sanitize(m.Name), Sanitize(m.Email))
}

// backfillEmailKeys computes the email key of members and invitations
// that have none: rows written before keys were stored, by an import, or
// by hand.
func (s *Service) backfillEmailKeys(ctx context.Context) error {
	for _, table := range []string{"staff", "invitations"} {
		rows, err := db.MissingEmailKeys(ctx, s.db.Read(), table)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			continue
		}
		err = s.db.Write(ctx, func(tx *sql.Tx) error {
			for id, email := range rows {
				if err := db.SetEmailKey(ctx, tx, table, id, EmailKey(email)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store email keys: %w", err)
		}
	}
	return nil
}
