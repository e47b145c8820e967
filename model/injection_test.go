package model

import (
	"strings"
	"testing"
)

// hostileStrings are the SQL-injection and LIKE-wildcard strings every
// filter and name field must treat as plain text.
var hostileStrings = []string{
	`' OR 1=1 --`,
	`"; DROP TABLE staff; --`,
	`Robert'); DELETE FROM audit_log; --`,
	`%`,
	`_`,
	`\`,
	`%' UNION SELECT password_hash FROM staff --`,
	`acme%`,
}

func TestFiltersTreatInjectionAsText(t *testing.T) {
	f, _, _, adv := acmeFixture(t)
	owner := f.as(f.owner)
	staffBefore, clientsBefore := f.count("staff"), f.count("clients")
	for _, s := range hostileStrings {
		ms, n, err := f.svc.ListStaff(f.ctx, owner, MemberQuery{Text: s})
		if err != nil || n != 0 || len(ms) != 0 {
			t.Errorf("staff filter %q matched %d (%v)", s, n, err)
		}
		cs, n, err := f.svc.ListClients(f.ctx, owner, ClientQuery{Text: s})
		if err != nil || n != 0 || len(cs) != 0 {
			t.Errorf("clients filter %q matched %d (%v)", s, n, err)
		}
		es, err := f.svc.ListAudit(f.ctx, owner, AuditQuery{Actor: s, Target: s, Action: s})
		if err != nil || len(es) != 0 {
			t.Errorf("audit filter %q matched %d (%v)", s, len(es), err)
		}
		if _, err := f.svc.Check(f.ctx, f.as(adv), ActView, TargetRef{Kind: "client", Module: ModuleClients, Client: s}); err == nil {
			t.Errorf("check of client %q found something", s)
		}
	}
	if f.count("staff") != staffBefore || f.count("clients") != clientsBefore {
		t.Fatal("a filter changed the database")
	}
}

func TestNamesHoldInjectionStringsVerbatim(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	for i, s := range hostileStrings {
		name := "Client " + s
		c, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: name, Accounts: []string{"Acc " + s}})
		if err != nil {
			t.Fatalf("create %q: %v", name, err)
		}
		if c.Name != name {
			t.Fatalf("stored %q as %q", name, c.Name)
		}
		// The exact name finds it, and only it.
		got, err := f.svc.ClientByName(f.ctx, owner, name)
		if err != nil || got.ID != c.ID {
			t.Fatalf("lookup %q = %+v, %v", name, got, err)
		}
		// A filter matches exactly the names holding it as text.
		cs, n, err := f.svc.ListClients(f.ctx, owner, ClientQuery{Text: s})
		if err != nil || n == 0 {
			t.Fatalf("filter %q after %d creates matched %d: %v", s, i+1, n, err)
		}
		found := false
		for _, got := range cs {
			found = found || got.ID == c.ID
			if !strings.Contains(strings.ToLower(got.Name), strings.ToLower(s)) {
				t.Fatalf("filter %q matched %q", s, got.Name)
			}
		}
		if !found {
			t.Fatalf("filter %q did not match %q", s, name)
		}
		m := f.member("Member "+s, "m"+string(rune('a'+i))+"@acme.test", "Advisor")
		if m.Name != "Member "+s {
			t.Fatalf("member name stored as %q", m.Name)
		}
		if _, err := f.svc.CreateRole(f.ctx, owner, "Role "+s, s, nil); err != nil {
			t.Fatalf("role %q: %v", s, err)
		}
	}
	if f.count("audit_log") == 0 || f.count("staff") != len(hostileStrings)+1 {
		t.Fatal("tables were damaged")
	}
	if _, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil {
		t.Fatalf("chain: %+v %v", brk, err)
	}
	if !strings.Contains(f.lastAudit().Target, "Role") && !strings.Contains(f.lastAudit().After, "Role") {
		t.Logf("last entry: %+v", f.lastAudit())
	}
}

func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
