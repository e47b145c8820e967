package model

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestEmailKey(t *testing.T) {
	for in, want := range map[string]string{
		"ada@x.example":       "ada@x.example",
		"ADA@X.Example":       "ada@x.example",
		"ａｄａ@ｘ.example":       "ada@x.example",   // full width
		"ﬁona@x.example":      "fiona@x.example", // ligature
		"strauß@x.example":    "strauss@x.example",
		"  ada@x.example  ":   "ada@x.example",
		"ΣΊΣΥΦΟΣ@x.example":   "σίσυφοσ@x.example",
		"иван@пример.рф":      "иван@пример.рф",
		"Ａda@x.example":       "ada@x.example",
		"ada@x.example\u00a0": "ada@x.example",
		"ａda@x.example":       "ada@x.example",
		"tanaka.太郎@x.example": "tanaka.太郎@x.example",
		"ｔａｎａｋａ@x.example":    "tanaka@x.example",
		"\u2460ada@x.example": "1ada@x.example", // circled digit one
		"Ada@X.example":       "ada@x.example",
		"ADA@x.EXAMPLE":       "ada@x.example",
		"ada@x.ex\u0041MPLE":  "ada@x.example",
		"aDa@x.example":       "ada@x.example",
		"ｍｉｘ\u3000@x.example": "mix @x.example",
	} {
		if got := EmailKey(in); got != want {
			t.Errorf("EmailKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Look-alike addresses are one address, or refused: full width and case
// are the existing member's address, named; a Cyrillic letter among Latin
// ones is refused naming the member it would pass for; invisible and bidi
// characters are refused; a single script of its own is fine.
func TestLookAlikeEmailsAreRefusedNamingTheMember(t *testing.T) {
	f := newFixture(t)
	ada := f.member("Ada Lovell", "ada@x.example", "Advisor")
	invite := func(email string) error {
		_, _, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: email, Name: "Someone", Role: "Advisor"})
		return err
	}
	for _, c := range []struct {
		email string
		is    error
		want  string
	}{
		{"ａda@x.example", ErrConflict, "ada@x.example is already a staff member (Ada Lovell)"},
		{"ADA@X.EXAMPLE", ErrConflict, "ada@x.example is already a staff member (Ada Lovell)"},
		{"аda@x.example", ErrInvalid, "the address mixes Latin and Cyrillic letters (а is Cyrillic), which look alike; it would pass for Ada Lovell <ada@x.example>, an existing member"},
		{"adа@x.exаmple", ErrInvalid, "it would pass for Ada Lovell <ada@x.example>"},
		{"a\u200bda@x.example", ErrInvalid, "invisible character (U+200B"},
		{"ada\u2060@x.example", ErrInvalid, "invisible character (U+2060"},
		{"ada@x.example\ufe0f", ErrInvalid, "invisible character (U+FE0F"},
		{"ad\u202ea@x.example", ErrInvalid, "control characters"},
		{"ad\u200ea@x.example", ErrInvalid, "control characters"},
		{"bob@x.ехample", ErrInvalid, "mixes Latin and Cyrillic letters (ех are Cyrillic)"},
		// A whole local part in another script at a Latin domain mixes
		// scripts too: ада looks like ada.
		{"ада@x.example", ErrInvalid, "mixes Latin and Cyrillic letters (ада are Cyrillic)"},
		{"ελένη@x.example", ErrInvalid, "mixes Latin and Greek letters"},
	} {
		err := invite(c.email)
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("invite %q: %v, want %v containing %q", c.email, err, c.is, c.want)
		}
	}
	if invs := mustInvitations(t, f); len(invs) != 0 {
		t.Fatalf("invitations made for look-alikes: %q", invs[0].Email)
	}
	// Addresses of one script (or the mixes of Chinese, Japanese and
	// Korean writing with Latin) are anyone's own.
	for _, email := range []string{"иван@пример.рф", "tanaka.太郎@x.example", "ελένη@παράδειγμα.ελ"} {
		if err := invite(email); err != nil {
			t.Errorf("invite %q: %v", email, err)
		}
	}
	// Looking a member up, or signing in, works in any spelling.
	for _, email := range []string{"ADA@x.example", "ａｄａ@x.example", " ada@X.EXAMPLE "} {
		m, err := f.svc.MemberByEmail(f.ctx, f.sys, email)
		if err != nil || m.ID != ada.ID {
			t.Errorf("MemberByEmail(%q) = %v, %v", email, m.Email, err)
		}
	}
	if _, err := f.svc.SignIn(f.ctx, "ＡＤＡ@x.example", "password-ada@x.example", "test"); err != nil {
		t.Errorf("sign in by a full-width spelling: %v", err)
	}
	// In one bulk invitation too, and twice in a list is once.
	res, err := f.svc.BulkInvite(f.ctx, f.sys, "аda@x.example\nnew@x.example\nNEW@x.example", "Advisor", "")
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res[0].Err, ErrInvalid) || !strings.Contains(res[0].Err.Error(), "Ada Lovell <ada@x.example>") ||
		res[1].Err != nil || !strings.Contains(errText(res[2].Err), "appears twice") {
		t.Fatalf("bulk: %v / %v / %v", res[0].Err, res[1].Err, res[2].Err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mustInvitations(t *testing.T, f *fixture) []Invitation {
	t.Helper()
	invs, err := f.svc.ListInvitations(f.ctx, f.sys, "pending")
	if err != nil {
		t.Fatal(err)
	}
	return invs
}

// Rows written before email keys were stored (or by hand) get theirs
// when the file is opened, and are found by any spelling.
func TestEmailKeysAreFilledInOnOpen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.DB().SQL().ExecContext(ctx, `INSERT INTO staff (name, email, role_id, status, created_at) VALUES ('Old Timer', 'old@x.example', 3, 'active', 0)`); err != nil {
		t.Fatal(err)
	}
	path := f.svc.Path()
	f.svc.Close()
	svc, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	var key string
	if err := svc.DB().Read().QueryRowContext(ctx, `SELECT email_key FROM staff WHERE email = 'old@x.example'`).Scan(&key); err != nil || key != "old@x.example" {
		t.Fatalf("key %q, %v", key, err)
	}
	if m, err := svc.MemberByEmail(ctx, f.sys, "ＯＬＤ@x.example"); err != nil || m.Name != "Old Timer" {
		t.Fatalf("lookup: %+v %v", m, err)
	}
}

// A filter over its limit is refused in one line that does not repeat it,
// from any door (the SQL engine's own error never reaches anyone).
func TestLongFiltersAreRefused(t *testing.T) {
	f := newFixture(t)
	huge := strings.Repeat("%_", 60<<10)
	_, _, err1 := f.svc.ListStaff(f.ctx, f.sys, MemberQuery{Text: huge})
	_, _, err2 := f.svc.ListClients(f.ctx, f.sys, ClientQuery{Text: huge})
	_, err3 := f.svc.ListAudit(f.ctx, f.sys, AuditQuery{Target: huge})
	for _, err := range []error{err1, err2, err3} {
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "characters long; at most 200") || strings.Contains(err.Error(), "%_%_") {
			t.Errorf("long filter: %v", err)
		}
	}
	if _, _, err := f.svc.ListStaff(f.ctx, f.sys, MemberQuery{Text: strings.Repeat("%", MaxFilterLen)}); err != nil {
		t.Errorf("a filter at the limit: %v", err)
	}
}
