package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gatehouse/db"
)

// acme creates "Acme Ltd" with Payroll and Timesheets, and an Advisor.
func acmeFixture(t *testing.T) (*fixture, Client, []Account, Member) {
	f := newFixture(t)
	c, err := f.svc.CreateClient(f.ctx, f.as(f.owner), ClientInput{Name: "Acme Ltd", Accounts: []string{"Payroll", "Timesheets"}})
	if err != nil {
		t.Fatal(err)
	}
	accs, err := f.svc.Accounts(f.ctx, f.as(f.owner), c.ID)
	if err != nil || len(accs) != 2 {
		t.Fatalf("accounts = %v, %v", accs, err)
	}
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	return f, c, accs, adv
}

func (f *fixture) check(m Member, action, target string) Decision {
	f.t.Helper()
	ref, err := ParseTarget(target)
	if err != nil {
		f.t.Fatal(err)
	}
	act, err := ParseAction(action)
	if err != nil {
		f.t.Fatal(err)
	}
	d, err := f.svc.Check(f.ctx, f.as(m), act, ref)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func TestToggleSemantics(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	payroll, timesheets := accs[0], accs[1]
	owner := f.as(f.owner)

	if d := f.check(adv, "view", "client:Acme Ltd"); d.Allowed || !strings.Contains(d.Reason, "not added to Acme Ltd") {
		t.Fatalf("before adding: %+v", d)
	}
	// Adding a member turns every account on.
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	if e := f.lastAudit(); e.Action != "access.add" || e.StaffID != adv.ID || e.ClientID != c.ID {
		t.Fatalf("audit after add = %+v", e)
	}
	for _, a := range []string{"account:Acme Ltd/Payroll", "account:Acme Ltd/Timesheets"} {
		if d := f.check(adv, "access", a); !d.Allowed || !strings.Contains(d.Reason, "toggled on") {
			t.Fatalf("%s after add: %+v", a, d)
		}
	}
	// Toggling one off keeps the member in the folder.
	if err := f.svc.SetAccountAccess(f.ctx, owner, payroll.ID, adv.ID, false); err != nil {
		t.Fatal(err)
	}
	if d := f.check(adv, "access", "account:Acme Ltd/Payroll"); d.Allowed || !strings.Contains(d.Reason, "Payroll is toggled off") {
		t.Fatalf("payroll after toggle off: %+v", d)
	}
	if d := f.check(adv, "view", "client:Acme Ltd"); !d.Allowed {
		t.Fatalf("folder after toggle off: %+v", d)
	}
	if e := f.lastAudit(); e.Action != "access.toggle" || !strings.Contains(e.After, "off") || !strings.Contains(e.Before, "on") {
		t.Fatalf("audit after toggle = %+v", e)
	}
	// Toggling the same way again is refused and writes nothing.
	n := f.auditCount()
	if err := f.svc.SetAccountAccess(f.ctx, owner, payroll.ID, adv.ID, false); !errors.Is(err, ErrRule) {
		t.Fatalf("second toggle off err = %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("a refused toggle wrote an audit entry")
	}
	// Removing the member removes every toggle.
	if err := f.svc.RemoveFromClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	ids, err := db.ToggledAccountIDs(f.ctx, f.svc.DB().Read(), c.ID, adv.ID)
	if err != nil || len(ids) != 0 {
		t.Fatalf("toggles after removal = %v, %v", ids, err)
	}
	if d := f.check(adv, "access", "account:Acme Ltd/Timesheets"); d.Allowed {
		t.Fatalf("timesheets after removal: %+v", d)
	}
	_ = timesheets
}

func TestAdvisorCannotManageAccessAndAdminCanManageThemselves(t *testing.T) {
	f, c, _, adv := acmeFixture(t)
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	n := f.auditCount()
	err := f.svc.AddToClient(f.ctx, f.as(adv), c.ID, adv.ID)
	var denied *DeniedError
	if !errors.As(err, &denied) {
		t.Fatalf("advisor add err = %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("refused change was audited")
	}
	if err := f.svc.AddToClient(f.ctx, f.as(admin), c.ID, admin.ID); err != nil {
		t.Fatalf("admin adds themselves: %v", err)
	}
}

func TestInternalAccounts(t *testing.T) {
	f := newFixture(t)
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	internal, err := db.InternalClient(f.ctx, f.svc.DB().Read())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddAccount(f.ctx, f.as(f.owner), internal.ID, "Our payroll"); err != nil {
		t.Fatal(err)
	}
	target := "account:" + InternalFolderName + "/Our payroll"
	if d := f.check(f.owner, "access", target); !d.Allowed {
		t.Fatalf("owner: %+v", d)
	}
	if d := f.check(admin, "access", target); d.Allowed || !strings.Contains(d.Reason, "not added") {
		t.Fatalf("admin not added: %+v", d)
	}
	// Admins cannot add themselves to the internal accounts; the Owner can.
	if err := f.svc.AddToClient(f.ctx, f.as(admin), internal.ID, admin.ID); !errors.Is(err, ErrDenied) {
		t.Fatalf("admin adds self to internal: %v", err)
	}
	if err := f.svc.AddToClient(f.ctx, f.as(f.owner), internal.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	if d := f.check(admin, "access", target); !d.Allowed {
		t.Fatalf("admin added: %+v", d)
	}
	// Added, the Admin reaches what is toggled on for her, and changes
	// nothing in the folder: the internal accounts are the Owner's to
	// manage (PRODUCT.md: internal accounts "only if added"), so she never adds an account she cannot see.
	before := f.auditCount()
	if _, err := f.svc.AddAccount(f.ctx, f.as(admin), internal.ID, "Office Banking"); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "only the Owner") {
		t.Fatalf("admin adds an account to the internal folder: %v", err)
	}
	if err := f.svc.RenameClient(f.ctx, f.as(admin), internal.ID, "Ours"); !errors.Is(err, ErrDenied) {
		t.Fatalf("admin renames the internal folder: %v", err)
	}
	if f.auditCount() != before {
		t.Fatal("a refused change wrote to the audit log")
	}
	if d := f.check(admin, "create", "client:"+InternalFolderName); d.Allowed {
		t.Fatalf("check says the admin may create in the internal folder: %+v", d)
	}
	// Admins do not see the internal folder in lists until added.
	other := f.member("Alma Admin", "alma@acme.test", "Admin")
	cs, _, err := f.svc.ListClients(f.ctx, f.as(other), ClientQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Internal {
			t.Fatal("admin not added sees the internal folder")
		}
	}
}

func TestRevokeEverythingAndWhoCanReach(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	owner := f.as(f.owner)
	c2, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Globex", Accounts: []string{"Main"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Grant(f.ctx, owner, adv.ID, c.ID, accs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Grant(f.ctx, owner, adv.ID, c2.ID, 0); err != nil {
		t.Fatal(err)
	}
	// Grant of one account adds the member with only that account on.
	if d := f.check(adv, "access", "account:Acme Ltd/Timesheets"); d.Allowed {
		t.Fatalf("timesheets after single grant: %+v", d)
	}
	reach, err := f.svc.WhoCanReach(f.ctx, owner, accs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, r := range reach {
		emails = append(emails, r.StaffEmail+": "+r.Decision.Reason)
	}
	got := strings.Join(emails, "\n")
	if !strings.Contains(got, "ann@acme.test: Advisor, added to Acme Ltd, Payroll toggled on") || !strings.Contains(got, "owner@acme.test") {
		t.Fatalf("who can reach:\n%s", got)
	}
	n, err := f.svc.Revoke(f.ctx, owner, adv.ID, 0, 0)
	if err != nil || n != 2 {
		t.Fatalf("revoke all = %d, %v", n, err)
	}
	sum, err := f.svc.ReachableBy(f.ctx, owner, adv.ID)
	if err != nil || len(sum.Items) != 0 || sum.AllAccounts {
		t.Fatalf("reachable after revoke = %+v, %v", sum, err)
	}
}

func TestClientValidationAndBulkReassign(t *testing.T) {
	f, c, _, adv := acmeFixture(t)
	owner := f.as(f.owner)
	for _, name := range []string{"", "  ", "Evil\x1b[2J", strings.Repeat("x", 10000), "acme ltd"} {
		n := f.auditCount()
		if _, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: name}); err == nil {
			t.Fatalf("client %q accepted", name)
		}
		if f.auditCount() != n {
			t.Fatalf("client %q: audit changed", name)
		}
	}
	admin := f.member("Adam Admin", "adam@acme.test", "Admin")
	if err := f.svc.SetClientOwner(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	moved, err := f.svc.BulkReassign(f.ctx, owner, adv.ID, admin.ID, nil)
	if err != nil || len(moved) != 1 || moved[0] != c.ID {
		t.Fatalf("bulk reassign = %v, %v", moved, err)
	}
	got, err := f.svc.GetClient(f.ctx, owner, c.ID)
	if err != nil || got.OwnerID != admin.ID {
		t.Fatalf("owner after reassign = %+v, %v", got, err)
	}
	if err := f.svc.ArchiveClient(f.ctx, owner, c.ID); err != nil {
		t.Fatal(err)
	}
	cs, total, err := f.svc.ListClients(f.ctx, owner, ClientQuery{Text: "acme"})
	if err != nil || total != 0 || len(cs) != 0 {
		t.Fatalf("archived client listed: %v %d %v", cs, total, err)
	}
	if err := f.svc.RestoreClient(f.ctx, owner, c.ID); err != nil {
		t.Fatal(err)
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TargetRef
		bad  bool
	}{
		{in: "client:Acme Ltd", want: TargetRef{Kind: "client", Module: ModuleClients, Client: "Acme Ltd"}},
		{in: "account:A/B Ltd/Payroll", want: TargetRef{Kind: "account", Module: ModuleAccounts, Client: "A/B Ltd", Account: "Payroll"}},
		{in: "staff:x@y.test", want: TargetRef{Kind: "staff", Module: ModuleStaff, Email: "x@y.test"}},
		{in: "role:Manager", want: TargetRef{Kind: "role", Module: ModuleRoles, Role: "Manager"}},
		{in: "Billing", want: TargetRef{Kind: "module", Module: ModuleBilling}},
		{in: "account:NoSlash", bad: true},
		{in: "account:/x", bad: true},
		{in: "client:", bad: true},
		{in: "planet:Mars", bad: true},
		{in: "nonsense", bad: true},
	} {
		got, err := ParseTarget(tc.in)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) {
			t.Errorf("ParseTarget(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestAdvisorSeesOnlyFoldersTheyWereAddedTo(t *testing.T) {
	f, c, _, adv := acmeFixture(t)
	owner := f.as(f.owner)
	// Responsible for Acme Ltd, but not added to it.
	if err := f.svc.SetClientOwner(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	cs, total, err := f.svc.ListClients(f.ctx, f.as(adv), ClientQuery{})
	if err != nil || total != 0 || len(cs) != 0 {
		t.Fatalf("advisor lists %v (%d), %v", cs, total, err)
	}
	// Not found means not found: a folder they may not see is answered
	// as one that does not exist.
	if _, err := f.svc.GetClient(f.ctx, f.as(adv), c.ID); !errors.Is(err, ErrNotFound) || err.Error() != fmt.Sprintf("not found: no client %d", c.ID) {
		t.Fatalf("advisor opens an owned folder: %v", err)
	}
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	if cs, total, err = f.svc.ListClients(f.ctx, f.as(adv), ClientQuery{}); err != nil || total != 1 || cs[0].ID != c.ID {
		t.Fatalf("advisor added lists %v (%d), %v", cs, total, err)
	}
}

// A row or column of the access grid is one transaction: every cell flips
// with its audit entry, or (when one of them vanished, or the actor may
// not) none does.
func TestSetAccessCellsIsAllOrNothing(t *testing.T) {
	f, c, accs, adv := acmeFixture(t)
	owner := f.as(f.owner)
	leave, err := f.svc.AddAccount(f.ctx, owner, c.ID, "Leave")
	if err != nil {
		t.Fatal(err)
	}
	accs = append(accs, leave)
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	row := func(accounts ...Account) []AccessCell {
		var cells []AccessCell
		for _, a := range accounts {
			cells = append(cells, AccessCell{StaffID: adv.ID, AccountID: a.ID})
		}
		return cells
	}
	toggled := func() int {
		ids, err := db.ToggledAccountIDs(f.ctx, f.svc.DB().Read(), c.ID, adv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ids)
	}

	// An account removed elsewhere, in the middle of the row: nothing flips.
	other, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Other Co", Accounts: []string{"Bank"}})
	if err != nil {
		t.Fatal(err)
	}
	otherAccs, _ := f.svc.Accounts(f.ctx, owner, other.ID)
	n := f.auditCount()
	for _, cells := range [][]AccessCell{
		append(row(accs[0]), append([]AccessCell{{StaffID: adv.ID, AccountID: 99999}}, row(accs[1], accs[2])...)...),
		append(row(accs[0], accs[1]), AccessCell{StaffID: adv.ID, AccountID: otherAccs[0].ID}),
		append(row(accs...), AccessCell{StaffID: 99999, AccountID: accs[0].ID}),
	} {
		if _, err := f.svc.SetAccessCells(f.ctx, owner, c.ID, cells, false); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a row with a vanished cell: err = %v", err)
		}
		if toggled() != 3 || f.auditCount() != n {
			t.Fatalf("a refused row changed something: %d on, audit %d → %d", toggled(), n, f.auditCount())
		}
	}
	// The actor may not manage access: nothing flips.
	var denied *DeniedError
	if _, err := f.svc.SetAccessCells(f.ctx, f.as(adv), c.ID, row(accs...), false); !errors.As(err, &denied) {
		t.Fatalf("advisor flips a row: err = %v", err)
	}
	// The whole row off: three flips, three entries, in one write.
	got, err := f.svc.SetAccessCells(f.ctx, owner, c.ID, row(accs...), false)
	if err != nil || got != 3 || toggled() != 0 || f.auditCount() != n+3 {
		t.Fatalf("row off: %d, %v; %d on, audit %d → %d", got, err, toggled(), n, f.auditCount())
	}
	if e := f.lastAudit(); e.Action != "access.toggle" || e.StaffID != adv.ID || !strings.Contains(e.After, "off") {
		t.Fatalf("audit after row off = %+v", e)
	}
	// Already off: refused, nothing written.
	if _, err := f.svc.SetAccessCells(f.ctx, owner, c.ID, row(accs...), false); !errors.Is(err, ErrRule) || f.auditCount() != n+3 {
		t.Fatalf("row off twice: %v", err)
	}
	// One turned on elsewhere, then the row on: the other two flip.
	if err := f.svc.SetAccountAccess(f.ctx, owner, accs[1].ID, adv.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.SetAccessCells(f.ctx, owner, c.ID, row(accs...), true); err != nil || got != 2 || toggled() != 3 {
		t.Fatalf("row on: %d, %v; %d on", got, err, toggled())
	}
	// Removed from the folder meanwhile: the row is refused by name.
	if err := f.svc.RemoveFromClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SetAccessCells(f.ctx, owner, c.ID, row(accs...), false)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), adv.Email+" is no longer added to Acme Ltd") {
		t.Fatalf("row of a removed member: %v", err)
	}
}

func TestAddToFoldersIsAllOrNothing(t *testing.T) {
	f, c, _, adv := acmeFixture(t)
	owner := f.as(f.owner)
	other, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: "Other Co", Accounts: []string{"Bank", "Tax"}})
	if err != nil {
		t.Fatal(err)
	}
	n := f.auditCount()
	if _, err := f.svc.AddToFolders(f.ctx, owner, adv.ID, []int64{c.ID, 99999, other.ID}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("with a vanished folder: %v", err)
	}
	if ids, _ := db.MemberClientIDs(f.ctx, f.svc.DB().Read(), adv.ID); len(ids) != 0 || f.auditCount() != n {
		t.Fatalf("a refused add left %v, audit %d → %d", ids, n, f.auditCount())
	}
	// Added to one of them elsewhere meanwhile: the others are added.
	if err := f.svc.AddToClient(f.ctx, owner, c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.AddToFolders(f.ctx, owner, adv.ID, []int64{c.ID, other.ID})
	if err != nil || got != 1 || f.auditCount() != n+2 {
		t.Fatalf("add to two, one already: %d, %v, audit %d → %d", got, err, n, f.auditCount())
	}
	if ids, _ := db.ToggledAccountIDs(f.ctx, f.svc.DB().Read(), other.ID, adv.ID); len(ids) != 2 {
		t.Fatalf("every account of the new folder is on: %v", ids)
	}
}
