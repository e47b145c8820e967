package model

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// terminalSafe reports the first thing in s a terminal would act on rather
// than show: a C0 or C1 control, DEL, a bidi control, or invalid UTF-8.
func terminalSafe(s string) (bool, string) {
	if !utf8.ValidString(s) {
		return false, "invalid UTF-8"
	}
	for i, r := range s {
		switch {
		case r < 0x20, r == 0x7f:
			return false, "C0 control at byte " + strconv.Itoa(i)
		case r >= 0x80 && r <= 0x9f:
			return false, "C1 control at byte " + strconv.Itoa(i)
		case isBidiControl(r):
			return false, "bidi control at byte " + strconv.Itoa(i)
		}
	}
	return true, ""
}

func TestSanitize(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain", "Acme Ltd", "Acme Ltd"},
		{"unicode", "Zoë Ångström 山田", "Zoë Ångström 山田"},
		{"CSI colour", "\x1b[31mred", "␛[31mred"},
		{"CSI clear screen", "a\x1b[2J\x1b[Hb", "a␛[2J␛[Hb"},
		{"OSC title", "\x1b]0;pwned\x07", "␛]0;pwned␇"},
		{"OSC 52 clipboard", "\x1b]52;c;cm0gLXJmIC8=\x07", "␛]52;c;cm0gLXJmIC8=␇"},
		{"OSC with ST", "\x1b]8;;http://evil\x1b\\link", "␛]8;;http://evil␛\\link"},
		{"newline and tab", "a\nb\tc\r", "a␊b␉c␍"},
		{"NUL", "a\x00b", "a␀b"},
		{"DEL", "a\x7fb", "a␡b"},
		{"C1 CSI", "a\u009b31mb", "a\ufffd31mb"},
		{"C1 OSC", "\u009d0;x\u009c", "\ufffd0;x\ufffd"},
		{"bidi override", "abc\u202egpj.exe", "abc\ufffdgpj.exe"},
		{"bidi isolates", "\u2066x\u2069", "\ufffdx\ufffd"},
		{"LRM RLM ALM", "\u200e\u200f\u061c", "\ufffd\ufffd\ufffd"},
		{"invalid UTF-8", "a\xffb\xc3", "a\ufffdb\ufffd"},
		{"raw C1 byte", "a\x9bb", "a\ufffdb"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Sanitize(c.in)
			if got != c.want {
				t.Fatalf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
			if ok, why := terminalSafe(got); !ok {
				t.Fatalf("Sanitize(%q) = %q: %s", c.in, got, why)
			}
			if strings.ContainsRune(got, 0x1b) || strings.ContainsRune(got, '\u202e') {
				t.Fatalf("Sanitize(%q) = %q still holds ESC or U+202E", c.in, got)
			}
		})
	}
}

func TestCleanName(t *testing.T) {
	cases := []struct {
		in, want, fragment string
	}{
		{"Ann Advisor", "Ann Advisor", ""},
		{"  Ann  ", "Ann", ""},
		{"Zoë 山田", "Zoë 山田", ""},
		{strings.Repeat("é", MaxNameLen), strings.Repeat("é", MaxNameLen), ""},
		{"", "", "is empty"},
		{" \t ", "", "is empty"},
		{strings.Repeat("x", MaxNameLen+1), "", "121 characters long; at most 120"},
		{strings.Repeat("x", 10240), "", "at most 120"},
		{"Eve\x1b[2J", "", "control characters"},
		{"Eve\x1b]52;c;aGk=\x07", "", "control characters"},
		{"Eve\nAdmin", "", "control characters"},
		{"Eve\u202eevil", "", "control characters"},
		{"Eve\u0085", "Eve", ""}, // NEL is trailing space: trimmed
		{"E\u0085ve", "", "control characters"},
		{"Eve\xff", "", "control characters"},
	}
	for _, c := range cases {
		got, err := CleanName("name", c.in)
		if c.fragment == "" {
			if err != nil || got != c.want {
				t.Errorf("CleanName(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.fragment) {
			t.Errorf("CleanName(%q) err = %v, want ErrInvalid saying %q", Truncate(c.in, 30), err, c.fragment)
		}
		if err != nil {
			if ok, why := terminalSafe(err.Error()); !ok {
				t.Errorf("CleanName(%q) error is not safe to show: %s", c.in, why)
			}
		}
	}
}

func TestCleanEmail(t *testing.T) {
	cases := []struct {
		in, want, fragment string
	}{
		{"ann@acme.test", "ann@acme.test", ""},
		{"  Ann.Smith+tag@Acme.Test ", "ann.smith+tag@acme.test", ""},
		{"a@b.co", "a@b.co", ""},
		{"", "", "email is empty"},
		{"   ", "", "email is empty"},
		{"ann", "", "not an email address"},
		{"ann@", "", "not an email address"},
		{"@acme.test", "", "not an email address"},
		{"ann@localhost", "", "not an email address"},
		{"ann@.acme.test", "", "not an email address"},
		{"ann@acme.test.", "", "not an email address"},
		{"ann smith@acme.test", "", "not an email address"},
		{"Ann <ann@acme.test>", "", "not an email address"},
		{"ann@acme.test, bob@acme.test", "", "not an email address"},
		{"ann@acme.test\x1b[31m", "", "control characters"},
		{"ann\u202e@acme.test", "", "control characters"},
		{"ann\n@acme.test", "", "control characters"},
		{"ann\xff@acme.test", "", "control characters"},
		{strings.Repeat("Ⱥ", 60) + "@" + strings.Repeat("b", 128) + ".test", "", "at most 254"},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".test", "", "at most 254"},
	}
	for _, c := range cases {
		got, err := CleanEmail(c.in)
		if c.fragment == "" {
			if err != nil || got != c.want {
				t.Errorf("CleanEmail(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.fragment) {
			t.Errorf("CleanEmail(%q) err = %v, want ErrInvalid saying %q", c.in, err, c.fragment)
		}
	}
}

func TestParseBulkEmails(t *testing.T) {
	got := ParseBulkEmails("a@x.test\n\n b@x.test , c@x.test;d@x.test\r\n;;\ne@x.test")
	want := []struct {
		line  int
		email string
	}{{1, "a@x.test"}, {3, "b@x.test"}, {3, "c@x.test"}, {3, "d@x.test"}, {5, "e@x.test"}}
	if len(got) != len(want) {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Line != w.line || got[i].Email != w.email {
			t.Errorf("entry %d = line %d %q, want line %d %q", i, got[i].Line, got[i].Email, w.line, w.email)
		}
	}
	if got := ParseBulkEmails(" \n,;\n"); len(got) != 0 {
		t.Fatalf("blank text gave %+v", got)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "Acme Ltd", "\x1b[31mred\x1b[0m", "\x1b]52;c;aGk=\x07", "\u009b2J", "abc\u202edef", "\xff\xfe", "a\x00b\x7f", "Zoë 山田 🙂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		if ok, why := terminalSafe(got); !ok {
			t.Fatalf("Sanitize(%q) = %q: %s", s, got, why)
		}
		if Sanitize(got) != got {
			t.Fatalf("Sanitize is not idempotent on %q", s)
		}
		if ok, _ := terminalSafe(s); ok && got != s {
			t.Fatalf("Sanitize changed safe text %q to %q", s, got)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(strings.ToValidUTF8(s, "\ufffd")) && utf8.ValidString(s) {
			t.Fatalf("Sanitize(%q) dropped or added characters: %q", s, got)
		}
	})
}

func FuzzCleanEmail(f *testing.F) {
	for _, s := range []string{"ann@acme.test", " Ann@Acme.Test ", "a b@c.d", "x@y", "\x1b@a.b", "\"q\"@acme.test", "İ@acme.test", "ǅ@acme.test",
		// Upper case that grows when lowered: 254 bytes in, more out.
		strings.Repeat("Ⱥ", 60) + "@" + strings.Repeat("b", 128) + ".test"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanEmail(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("CleanEmail(%q) err = %v, not ErrInvalid", s, err)
			}
			if ok, why := terminalSafe(err.Error()); !ok {
				t.Fatalf("CleanEmail(%q) error not safe to show: %s", s, why)
			}
			return
		}
		if ok, why := terminalSafe(got); !ok {
			t.Fatalf("CleanEmail(%q) = %q: %s", s, got, why)
		}
		again, err := CleanEmail(got)
		if err != nil || again != got {
			t.Fatalf("CleanEmail(%q) = %q, which cleans to %q, %v", s, got, again, err)
		}
		if strings.ToLower(got) != got || !strings.Contains(got, "@") || len(got) > MaxEmailLen {
			t.Fatalf("CleanEmail(%q) = %q", s, got)
		}
	})
}

func FuzzParseBulkEmails(f *testing.F) {
	for _, s := range []string{"", "a@x.test\nb@x.test", " a@x.test , b@x.test;c@x.test\r\n\n", ";;,,\n\n", "\x1b[31m@x.test\n\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines := strings.Count(s, "\n") + 1
		prev := 0
		for _, r := range ParseBulkEmails(s) {
			if r.Email == "" || r.Email != strings.TrimSpace(r.Email) || strings.ContainsAny(r.Email, ",;\n") {
				t.Fatalf("entry %q from %q", r.Email, s)
			}
			if r.Line < 1 || r.Line > lines || r.Line < prev {
				t.Fatalf("line %d (previous %d, %d lines) from %q", r.Line, prev, lines, s)
			}
			prev = r.Line
			// Whatever a line holds, its error message is safe to show.
			if _, err := CleanEmail(r.Email); err != nil {
				if ok, why := terminalSafe(err.Error()); !ok {
					t.Fatalf("error for %q not safe to show: %s", r.Email, why)
				}
			}
		}
	})
}

// Invisible characters are refused in names and free text through the
// model's checks (so through every door: app, CLI, SSH, import), and made
// visible when stored text holds them; wide and combining characters stay.
func TestInvisibleCharactersInNames(t *testing.T) {
	for _, s := range []string{"Leo\u200bMartins", "Leo\u200dMartins", "\ufeffLeo", "Leo\u00adMartins", "Leo\u2060", "Leo\u200eMartins", "Leo\U000E0041", "Leo\ufe0f"} {
		if _, err := CleanName("name", s); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "invisible character") && !isBidiControl([]rune(s)[3]) {
			t.Errorf("CleanName(%q) = %v, want refused as invisible", s, err)
		}
		if _, err := CleanMessage("hello " + s); !errors.Is(err, ErrInvalid) {
			t.Errorf("CleanMessage(%q) = %v, want refused", s, err)
		}
		if got := Sanitize(s); strings.ContainsFunc(got, invisible) || !strings.ContainsRune(got, '\uFFFD') {
			t.Errorf("Sanitize(%q) = %q: the invisible character should show as �", s, got)
		}
	}
	for _, s := range []string{"José Ñúñez", "Jose\u0301", "山田 太郎", "Zoë O'Brien-Smith"} {
		if got, err := CleanName("name", s); err != nil || got != s {
			t.Errorf("CleanName(%q) = %q, %v", s, got, err)
		}
	}
	for s, w := range map[string]int{"abc": 3, "山田": 4, "Jose\u0301": 4, "two\nlines!": 6, "\x1b[1mbold\x1b[0m": 4} {
		if got := DisplayWidth(s); got != w {
			t.Errorf("DisplayWidth(%q) = %d, want %d", s, got, w)
		}
	}
}
