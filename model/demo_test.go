package model

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse/db"
)

// demoSnapshot is what must not change between two demo runs: staff,
// clients with accounts, and every access with its toggles.
func demoSnapshot(t *testing.T, svc *Service) string {
	t.Helper()
	ctx := context.Background()
	sys := System("tester")
	var b strings.Builder
	members, _, err := svc.ListStaff(ctx, sys, MemberQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		fmt.Fprintf(&b, "staff %s %s %s %s 2fa=%v mgr=%s depts=%v\n", m.Name, m.Email, m.RoleName, m.Status, m.TOTPEnabled, m.ManagerName, deptList(m))
	}
	clients, _, err := svc.ListClients(ctx, sys, ClientQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		accs, err := svc.Accounts(ctx, sys, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range accs {
			names = append(names, a.Name)
		}
		fmt.Fprintf(&b, "client %s owner=%s dept=%s internal=%v accounts=%v\n", c.Name, c.OwnerName, c.DepartmentName, c.Internal, names)
		grants, err := svc.ListGrants(ctx, sys, db.GrantQuery{ClientID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grants {
			fmt.Fprintf(&b, "  grant %s %s\n", g.StaffEmail, g.Account)
		}
	}
	invs, err := svc.ListInvitations(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		fmt.Fprintf(&b, "invitation %s %s %s\n", inv.Email, inv.RoleName, inv.Status)
	}
	return b.String()
}

func deptList(m Member) []string {
	var out []string
	for _, d := range m.Departments {
		out = append(out, d.Name)
	}
	return out
}

func newDemo(t *testing.T, seed uint64) (*Service, DemoInfo) {
	t.Helper()
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	info, err := svc.PopulateDemoSeed(ctx, System("tester"), seed)
	if err != nil {
		t.Fatal(err)
	}
	return svc, info
}

func TestDemoIsDeterministic(t *testing.T) {
	a, infoA := newDemo(t, DefaultDemoSeed)
	b, infoB := newDemo(t, DefaultDemoSeed)
	if sa, sb := demoSnapshot(t, a), demoSnapshot(t, b); sa != sb {
		t.Fatalf("two demo runs differ:\n%s\n---\n%s", sa, sb)
	}
	if fmt.Sprint(infoA) != fmt.Sprint(infoB) {
		t.Fatalf("demo info differs: %+v vs %+v", infoA, infoB)
	}
}

func TestDemoContents(t *testing.T) {
	svc, info := newDemo(t, DefaultDemoSeed)
	ctx := context.Background()
	sys := System("tester")

	n, brk, err := svc.VerifyAudit(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit chain of the demo: %v %+v", err, brk)
	}
	if n < 80 {
		t.Errorf("demo history has only %d audit entries", n)
	}
	roles := map[string]int{}
	status := map[string]int{}
	twoFA := 0
	for _, m := range info.Members {
		roles[m.Role]++
		status[m.Status]++
		if m.TOTPSecret != "" {
			twoFA++
		}
	}
	want := map[string]int{"Owner": 1, "Admin": 2, "Advisor": 6, "Manager": 1, "Viewer": 1}
	if fmt.Sprint(roles) != fmt.Sprint(want) {
		t.Errorf("roles = %v, want %v", roles, want)
	}
	if status["deactivated"] != 1 {
		t.Errorf("deactivated members = %d, want 1", status["deactivated"])
	}
	if twoFA < 3 || twoFA == len(info.Members) {
		t.Errorf("%d of %d members have 2FA; want some, not all", twoFA, len(info.Members))
	}
	clients, total, err := svc.ListClients(ctx, sys, ClientQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 16 || !clients[0].Internal {
		t.Fatalf("clients = %d (internal first: %v), want 15 folders and the internal one", total, clients[0].Internal)
	}
	for _, c := range clients[1:] {
		if c.Accounts < 1 || c.Accounts > 4 {
			t.Errorf("%s has %d accounts, want 1 to 4", c.Name, c.Accounts)
		}
	}
	internal, err := svc.ListGrants(ctx, sys, db.GrantQuery{ClientID: clients[0].ID})
	if err != nil || len(internal) == 0 || internal[0].StaffEmail != demoEmail("Priya Nair") {
		t.Errorf("internal folder access = %+v, %v; want Priya (an Admin)", internal, err)
	}
	depts, err := svc.ListDepartments(ctx, sys)
	if err != nil || len(depts) != 2 {
		t.Errorf("departments = %d, %v; want 2", len(depts), err)
	}
	invs, err := svc.ListInvitations(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	invStatus := map[string]string{}
	for _, inv := range invs {
		invStatus[inv.Email] = inv.Status
	}
	if invStatus[info.PendingInvite] != "pending" || invStatus[info.ExpiredInvite] != "expired" {
		t.Errorf("invitations = %v; want %s pending and %s expired", invStatus, info.PendingInvite, info.ExpiredInvite)
	}
	tom, err := svc.MemberByEmail(ctx, sys, demoEmail("Tom Becker"))
	if err != nil {
		t.Fatal(err)
	}
	assigned, err := db.AssignedMemberIDs(ctx, svc.DB().Read(), tom.ID)
	if err != nil || len(assigned) < 2 {
		t.Errorf("Tom manages %v, %v; want assigned members", assigned, err)
	}

	// Some accounts are toggled off: a membership reaches fewer accounts
	// than its folder has.
	greystone, err := svc.ClientByName(ctx, sys, "Greystone Legal LLP")
	if err != nil {
		t.Fatal(err)
	}
	sara, err := svc.MemberByEmail(ctx, sys, info.ExampleAdvisor)
	if err != nil {
		t.Fatal(err)
	}
	g, err := svc.ListGrants(ctx, sys, db.GrantQuery{ClientID: greystone.ID, StaffID: sara.ID})
	if err != nil || len(g) != 1 || g[0].Account != "Tax Returns" {
		t.Errorf("Sara's Greystone access = %+v, %v; want only Tax Returns on", g, err)
	}

	// The examples the guide prints behave as it says.
	other, err := ParseTarget("client:" + info.ExampleOtherClient)
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.Check(ctx, MemberPrincipal(sara, "test"), ActView, other)
	if err != nil || d.Allowed || !strings.Contains(d.Reason, "not added to") {
		t.Errorf("check Sara view %s = %+v, %v; want denied, not added", info.ExampleOtherClient, d, err)
	}
	acc, _ := ParseTarget("account:" + info.ExampleAccount)
	if d, err := svc.Check(ctx, MemberPrincipal(sara, "test"), ActAccess, acc); err != nil || !d.Allowed {
		t.Errorf("check Sara access %s = %+v, %v; want allowed", info.ExampleAccount, d, err)
	}

	// Everyone with a secret can sign in with a code made from it.
	for _, m := range info.Members {
		if m.TOTPSecret == "" {
			continue
		}
		if _, err := TOTPCode(m.TOTPSecret, time.Now()); err != nil {
			t.Errorf("%s: bad secret: %v", m.Email, err)
		}
	}

	// History lies in the past, spread over weeks, in order.
	entries, err := svc.ListAudit(ctx, sys, AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	oldest, newest := entries[len(entries)-1].At, entries[0].At
	if newest.After(time.Now()) || newest.Sub(oldest) < 21*24*time.Hour {
		t.Errorf("history from %s to %s; want weeks, ending before now", oldest, newest)
	}
	if !slices.IsSortedFunc(entries, func(a, b AuditEntry) int { return b.At.Compare(a.At) }) {
		t.Error("audit entries are not in time order")
	}
	org, _ := svc.Org(ctx)
	if !org.Demo {
		t.Error("the demo organisation is not marked as a demo")
	}
}

func TestDemoRefusesAnOrganisation(t *testing.T) {
	f := newFixture(t)
	before := f.auditCount()
	if _, err := f.svc.PopulateDemo(f.ctx, f.sys); err == nil {
		t.Fatal("demo filled a database that already holds an organisation")
	}
	if f.auditCount() != before {
		t.Error("a refused demo changed the audit log")
	}
}

func TestDemoSeedVariesOnlyDetails(t *testing.T) {
	a, _ := newDemo(t, 1)
	b, _ := newDemo(t, 7)
	ctx := context.Background()
	for _, svc := range []*Service{a, b} {
		if n, _, _ := svc.ListStaff(ctx, System("t"), MemberQuery{}); len(n) != len(demoPeople) {
			t.Errorf("staff = %d, want %d", len(n), len(demoPeople))
		}
	}
}

// Issue 12, item 6: every custom role of the demo says what its grid
// grants, no more and no less.
func TestDemoRoleDescriptionsAgreeWithTheirGrids(t *testing.T) {
	svc, _ := newDemo(t, 1)
	ctx, sys := context.Background(), System("tester")
	roles, err := svc.ListRoles(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	custom := 0
	for _, r := range roles {
		if roleKindOf(r.Builtin).Builtin() {
			continue
		}
		custom++
		ps, err := svc.RolePermissionSet(ctx, sys, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := DescribePermissions(ps); !strings.HasSuffix(r.Description, want) {
			t.Errorf("role %s says %q; its grid grants: %s", r.Name, r.Description, want)
		}
	}
	if custom == 0 {
		t.Fatal("the demo has no custom role")
	}
}
