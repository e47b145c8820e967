package model

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseTarget: whatever is typed, the parser answers with a target that
// prints back to itself or with an error that is safe to show.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"client:Acme Ltd", "account:Acme Ltd/Payroll", "account:A/B/C", "staff:ann@acme.test", "role:Support agent",
		"billing", " AUDIT ", "account:/x", "account:x/", "client:", "nope:thing", ":", "account:Acme\x1b[2J/Pay\u202eroll", "client:\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseTarget(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseTarget(%q) err = %v, not ErrInvalid", s, err)
			}
			if ok, why := terminalSafe(err.Error()); !ok {
				t.Fatalf("ParseTarget(%q) error not safe to show: %s", s, why)
			}
			return
		}
		switch ref.Kind {
		case "client", "account", "staff", "role", "module":
		default:
			t.Fatalf("ParseTarget(%q) kind %q", s, ref.Kind)
		}
		if ref.Kind == "account" && (ref.Client == "" || ref.Account == "" || strings.Contains(ref.Account, "/")) {
			t.Fatalf("ParseTarget(%q) = %+v", s, ref)
		}
		again, err := ParseTarget(ref.String())
		if err != nil || again != ref {
			t.Fatalf("ParseTarget(%q) = %+v prints as %q, which parses to %+v, %v", s, ref, ref.String(), again, err)
		}
	})
}

// auditFuzzService is an organisation whose log holds entries with names
// that look like SQL patterns and escapes, to filter in the fuzz targets.
func auditFuzzService(f *testing.F) (*Service, Principal, []AuditEntry) {
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(f.TempDir(), "g.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close() })
	owner, err := svc.Setup(ctx, System("tester"), SetupInput{OrgName: "Acme Partners", OwnerName: "Olivia Owner", OwnerEmail: "owner@acme.test", Password: "correct horse battery"})
	if err != nil {
		f.Fatal(err)
	}
	p := MemberPrincipal(owner, "test")
	for _, name := range []string{"50% off_Ltd", `Back\slash & Co`, "Zoë Ångström", "O'Brien; DROP TABLE clients;--", "plain"} {
		c, err := svc.CreateClient(ctx, p, ClientInput{Name: name, Accounts: []string{"Payroll"}})
		if err != nil {
			f.Fatal(err)
		}
		if err := svc.RenameClient(ctx, p, c.ID, name+" (renamed)"); err != nil {
			f.Fatal(err)
		}
	}
	if _, _, err := svc.Invite(ctx, System("ops_user%"), InviteInput{Email: "new_hire@acme.test", Name: "New Hire"}); err != nil {
		f.Fatal(err)
	}
	all, err := svc.ListAudit(ctx, p, AuditQuery{})
	if err != nil || len(all) < 10 {
		f.Fatalf("audit = %d entries, %v", len(all), err)
	}
	return svc, p, all
}

// FuzzAuditFilter: every combination of filters gives exactly the entries
// that match it, in SQL and in plain Go alike, and never an error.
func FuzzAuditFilter(f *testing.F) {
	svc, p, all := auditFuzzService(f)
	for _, s := range []struct {
		actor, action, target string
		since, until          int8
	}{
		{"", "", "", -1, -1}, {"owner", "client.", "", -1, -1}, {"OWNER", "client.rename", "50%", 2, -1},
		{"", "", `\`, -1, -1}, {"%", "", "_", -1, 5}, {"ops_", "staff.", "", 0, 9}, {"", "access.", "'", 3, 3},
		{"", ".", "zoë", -1, -1}, {"'; DROP TABLE audit_log;--", "", "", -1, -1}, {"", "client", "", -1, -1},
	} {
		f.Add(s.actor, s.action, s.target, s.since, s.until)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, actor, action, target string, since, until int8) {
		q := AuditQuery{Actor: actor, Action: action, Target: target}
		// Bounds fall on the times of real entries or 1 ns after, where an
		// off-by-one would show.
		if since >= 0 {
			q.Since = all[int(since)%len(all)].At.Add(time.Duration(since % 2))
		}
		if until >= 0 {
			q.Until = all[int(until)%len(all)].At.Add(time.Duration(until % 2))
		}
		got, err := svc.ListAudit(ctx, p, q)
		if err != nil {
			t.Fatalf("ListAudit(%+v): %v", q, err)
		}
		if !exactlyComparable(actor) || !exactlyComparable(target) {
			return // SQLite reads text up to a NUL; only "no error" holds
		}
		var want []int64
		for _, e := range all {
			if auditMatches(e, q) {
				want = append(want, e.ID)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("ListAudit(%+v) = %d entries, want %d", q, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i] {
				t.Fatalf("ListAudit(%+v) entry %d = #%d, want #%d", q, i, got[i].ID, want[i])
			}
		}
	})
}

// exactlyComparable says whether SQLite's LIKE and strings.Contains agree
// on the text: valid UTF-8 without NUL.
func exactlyComparable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// auditMatches is the audit filter in plain Go: substrings of actor and
// target ignoring ASCII case (as LIKE does), an exact action or a prefix
// ending in ".", a half-open time range.
func auditMatches(e AuditEntry, q AuditQuery) bool {
	if q.Actor != "" && !strings.Contains(asciiLower(e.Actor), asciiLower(q.Actor)) {
		return false
	}
	if q.Target != "" && !strings.Contains(asciiLower(e.Target), asciiLower(q.Target)) {
		return false
	}
	if q.Action != "" {
		if strings.HasSuffix(q.Action, ".") {
			if !strings.HasPrefix(e.Action, q.Action) {
				return false
			}
		} else if e.Action != q.Action {
			return false
		}
	}
	if !q.Since.IsZero() && e.At.UnixNano() < q.Since.UnixNano() {
		return false
	}
	if !q.Until.IsZero() && e.At.UnixNano() >= q.Until.UnixNano() {
		return false
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// FuzzImport: whatever file is imported, either all of it goes in and the
// result is sound (integrity, foreign keys, an audit chain that verifies),
// or the import is refused and the database stays empty.
func FuzzImport(f *testing.F) {
	svc, _, _ := auditFuzzService(f)
	ctx := context.Background()
	var export bytes.Buffer
	if err := svc.Export(ctx, System("tester"), &export); err != nil {
		f.Fatal(err)
	}
	good := export.String()
	f.Add(good)
	f.Add(strings.Replace(good, "client.rename", "client.renamx", 1)) // an edited log
	f.Add(strings.Replace(good, `"name":"clients"`, `"name":"sqlite_master"`, 1))
	f.Add(strings.Replace(good, `"name"`, `"name; DROP TABLE staff"`, 1))
	f.Add(good[:len(good)/2])
	f.Add(`{"format":"gatehouse-export","schema_version":1,"tables":[]}`)
	f.Add(`{}`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, doc string) {
		target, err := Open(ctx, filepath.Join(t.TempDir(), "restored.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		_, err = target.Import(ctx, System("fuzz"), strings.NewReader(doc), "fuzz.json")
		if err != nil {
			if ok, why := terminalSafe(Sanitize(err.Error())); !ok {
				t.Fatalf("error not safe to show: %s", why)
			}
			if has, herr := target.HasOrg(ctx); herr != nil || has {
				t.Fatalf("refused import left an organisation (%v, %v): %v", has, herr, err)
			}
			assertSound(t, target)
			return
		}
		assertSound(t, target)
		if _, brk, err := target.VerifyAudit(ctx); err != nil || brk != nil {
			t.Fatalf("imported log does not verify: %+v, %v", brk, err)
		}
	})
}

// assertSound checks the file's integrity and foreign keys.
func assertSound(t *testing.T, svc *Service) {
	t.Helper()
	ctx := context.Background()
	var res string
	if err := svc.DB().Read().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	rows, err := svc.DB().Read().QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("foreign_key_check found rows pointing nowhere")
	}
}

func TestImportRefusesAnEditedLog(t *testing.T) {
	f, _, _, _ := acmeFixture(t)
	var export bytes.Buffer
	if err := f.svc.Export(f.ctx, f.sys, &export); err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(export.String(), `"client.create"`, `"client.delete"`, 1)
	if edited == export.String() {
		t.Fatal("the export has no client.create entry to edit")
	}
	target, err := Open(f.ctx, filepath.Join(t.TempDir(), "restored.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	_, err = target.Import(f.ctx, System("tester"), strings.NewReader(edited), "edited.json")
	if err == nil || !strings.Contains(err.Error(), "audit log in the file does not verify") {
		t.Fatalf("import of an edited log: %v", err)
	}
	if has, _ := target.HasOrg(f.ctx); has {
		t.Fatal("refused import left an organisation behind")
	}
}
