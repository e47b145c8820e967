package model

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"gatehouse/db"
)

// scopeOrg is an organisation in which every rule the Checker caches
// decides some answer: built-in roles, a department-scope custom role with
// an assigned member, an own-scope custom role, folders with and without a
// department and owner, and the internal folder with members added.
type scopeOrg struct {
	f                     *fixture
	admin, adv1, adv2     Member
	mgr, clerk, peer, sub Member
	north, south, loose   Client
	internal              Client
	internalAccount       Account
	acc                   map[string]Account // by "Folder/Account"
	managerRole           Role
	clerkRole             Role
	managerPerms          []Permission
	ownerPassword         string
	ownerPrincipal        Principal
	sysActor              Principal
	northDept, southDept  string

	mu         sync.Mutex
	staffIDs   []int64 // every member ever created, removed ones included
	accountIDs []int64 // every account ever created, removed ones included
}

func newScopeOrg(t *testing.T) *scopeOrg {
	t.Helper()
	f := newFixture(t)
	o := &scopeOrg{f: f, acc: map[string]Account{}, northDept: "North", southDept: "South",
		ownerPassword: "correct horse battery", ownerPrincipal: f.as(f.owner), sysActor: f.sys}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{o.northDept, o.southDept} {
		_, err := f.svc.CreateDepartment(f.ctx, f.sys, d, "", 0)
		must(err)
	}
	o.managerPerms = []Permission{{Module: ModuleStaff, Verb: VerbView, Scope: ScopeDepartment}, {Module: ModuleClients, Verb: VerbView, Scope: ScopeDepartment},
		{Module: ModuleAccounts, Verb: VerbView, Scope: ScopeDepartment}}
	clerkPerms := []Permission{{Module: ModuleClients, Verb: VerbView, Scope: ScopeOwn}, {Module: ModuleAccounts, Verb: VerbView, Scope: ScopeOwn}}
	var err error
	o.managerRole, err = f.svc.CreateRole(f.ctx, f.sys, "Manager", "department scope", o.managerPerms)
	must(err)
	o.clerkRole, err = f.svc.CreateRole(f.ctx, f.sys, "Clerk", "own scope", clerkPerms)
	must(err)

	invite := func(name, email, role string, depts ...string) Member {
		t.Helper()
		_, code, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: email, Name: name, Role: role, Departments: depts})
		must(err)
		m, err := f.svc.AcceptInvitation(f.ctx, code, "password-"+email, "test")
		must(err)
		return m
	}
	o.admin = invite("Ada Admin", "ada@acme.test", "Admin")
	o.adv1 = invite("Avi Advisor", "avi@acme.test", "Advisor", o.northDept)
	o.adv2 = invite("Bea Advisor", "bea@acme.test", "Advisor")
	o.mgr = invite("Max Manager", "max@acme.test", "Manager", o.northDept)
	o.clerk = invite("Cal Clerk", "cal@acme.test", "Clerk", o.northDept)
	o.peer = invite("Pia Peer", "pia@acme.test", "Advisor", o.southDept)
	o.sub = invite("Sam Sub", "sam@acme.test", "Advisor")

	folder := func(name string, owner int64, dept string, accounts ...string) Client {
		t.Helper()
		c, err := f.svc.CreateClient(f.ctx, f.sys, ClientInput{Name: name, OwnerID: owner, Department: dept, Accounts: accounts})
		must(err)
		accs, err := f.svc.Accounts(f.ctx, f.sys, c.ID)
		must(err)
		for _, a := range accs {
			o.acc[name+"/"+a.Name] = a
		}
		return c
	}
	o.north = folder("North Co", o.adv1.ID, o.northDept, "Payroll", "Tax")
	o.south = folder("South Co", o.peer.ID, o.southDept, "Ledger", "Bank")
	o.loose = folder("Loose Co", o.sub.ID, "", "Escrow")
	o.internal, err = db.InternalClient(f.ctx, f.svc.DB().Read())
	must(err)
	o.internalAccount, err = f.svc.AddAccount(f.ctx, f.sys, o.internal.ID, "Own payroll")
	must(err)
	o.acc[o.internal.Name+"/Own payroll"] = o.internalAccount

	must(f.svc.AddToClient(f.ctx, f.sys, o.north.ID, o.adv1.ID))
	must(f.svc.SetAccountAccess(f.ctx, f.sys, o.acc["North Co/Tax"].ID, o.adv1.ID, false))
	must(f.svc.AddToClient(f.ctx, f.sys, o.south.ID, o.clerk.ID))
	must(f.svc.AddToClient(f.ctx, f.sys, o.loose.ID, o.adv2.ID))
	must(f.svc.AddToClient(f.ctx, f.sys, o.internal.ID, o.admin.ID))
	must(f.svc.AddToClient(f.ctx, f.sys, o.internal.ID, o.mgr.ID))
	must(f.svc.SetAccountAccess(f.ctx, f.sys, o.internalAccount.ID, o.mgr.ID, false))
	o.refreshIDs(t)
	return o
}

// refreshIDs adds the members and accounts that exist now to those the
// matrix walks; ids of removed ones stay, so that the Checker is asked
// about them too.
func (o *scopeOrg) refreshIDs(t *testing.T) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.f.svc.DB().Read()
	add := func(into *[]int64, query string) {
		ids, err := int64Rows(o.f.ctx, q, query)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			known := false
			for _, k := range *into {
				known = known || k == id
			}
			if !known {
				*into = append(*into, id)
			}
		}
	}
	add(&o.staffIDs, `SELECT id FROM staff ORDER BY id`)
	add(&o.accountIDs, `SELECT id FROM accounts ORDER BY id`)
}

func (o *scopeOrg) ids() ([]int64, []int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int64(nil), o.staffIDs...), append([]int64(nil), o.accountIDs...)
}

// freshDecision is the engine's answer from facts read now, or ok=false
// when the member or the account no longer exists.
func freshDecision(ctx context.Context, svc *Service, staffID, accountID int64) (Decision, bool, error) {
	a, t, ok, err := freshAccountTarget(ctx, svc, staffID, accountID, func(Actor) bool { return true })
	if !ok || err != nil {
		return Decision{}, ok, err
	}
	return Decide(a, ActAccess, t), true, nil
}

// freshAccountTarget reads, now, member staffID as the engine sees them
// and account accountID as a target, or ok=false when either no longer
// exists or admit turns the member away.
func freshAccountTarget(ctx context.Context, svc *Service, staffID, accountID int64, admit func(Actor) bool) (Actor, Target, bool, error) {
	q := svc.DB().Read()
	a, err := loadActor(ctx, q, Principal{Kind: KindMember, StaffID: staffID})
	if errors.Is(err, ErrNotFound) {
		return a, Target{}, false, nil
	}
	if err != nil || !admit(a) {
		return a, Target{}, false, err
	}
	acc, err := db.GetAccount(ctx, q, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return a, Target{}, false, nil
	}
	if err != nil {
		return a, Target{}, false, err
	}
	c, err := db.GetClient(ctx, q, acc.ClientID)
	if err != nil {
		return a, Target{}, false, err
	}
	cf, err := clientFacts(ctx, q, a, c)
	if err != nil {
		return a, Target{}, false, err
	}
	af, err := accountFacts(ctx, q, a, acc)
	if err != nil {
		return a, Target{}, false, err
	}
	return a, Target{Module: ModuleAccounts, Client: cf, Account: af}, true, nil
}

// matrix asks the Checker about every member and account, holds each
// answer to the engine's fresh one and returns the answers (a missing
// member or account is "gone").
func (o *scopeOrg) matrix(t *testing.T, chk *Checker, step string) map[[2]int64]string {
	t.Helper()
	ctx := o.f.ctx
	staff, accounts := o.ids()
	out := map[[2]int64]string{}
	for _, s := range staff {
		for _, a := range accounts {
			want, exists, err := freshDecision(ctx, o.f.svc, s, a)
			if err != nil {
				t.Fatalf("%s: engine for staff %d account %d: %v", step, s, a, err)
			}
			got, err := chk.CanReach(ctx, s, a)
			exp, expErr := chk.Explain(ctx, s, a)
			key := [2]int64{s, a}
			if !exists {
				if err == nil || expErr == nil {
					t.Fatalf("%s: staff %d account %d no longer exist together, yet the Checker answered %v / %+v", step, s, a, got, exp)
				}
				out[key] = "gone"
				continue
			}
			if err != nil || expErr != nil {
				t.Fatalf("%s: staff %d account %d: %v / %v", step, s, a, err, expErr)
			}
			if got != want.Allowed || exp != want {
				t.Fatalf("%s: staff %d account %d: Checker %v (%q), engine %v (%q)", step, s, a, got, exp.Reason, want.Allowed, want.Reason)
			}
			out[key] = fmt.Sprint(want.Allowed)
		}
	}
	return out
}

type checkerStep struct {
	name string
	// moves: the change alters at least one answer; otherwise the step
	// only holds the Checker to the engine (a change the engine ignores).
	moves bool
	apply func(t *testing.T, other *Service, o *scopeOrg) error
}

// checkerSteps are the kinds of change a cached answer depends on, each
// written by another handle on the file. They run in order, each on the
// state the previous ones left.
func checkerSteps() []checkerStep {
	ctx := context.Background()
	return []checkerStep{
		{"member added to a folder", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.AddToClient(ctx, o.sysActor, o.south.ID, o.adv2.ID)
		}},
		{"account toggled off", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetAccountAccess(ctx, o.sysActor, o.acc["South Co/Ledger"].ID, o.adv2.ID, false)
		}},
		{"account toggled on", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetAccountAccess(ctx, o.sysActor, o.acc["North Co/Tax"].ID, o.adv1.ID, true)
		}},
		{"a row turned off in one write", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			_, err := s.SetAccessCells(ctx, o.sysActor, o.south.ID, []AccessCell{
				{StaffID: o.adv2.ID, AccountID: o.acc["South Co/Ledger"].ID}, {StaffID: o.adv2.ID, AccountID: o.acc["South Co/Bank"].ID}}, false)
			return err
		}},
		{"a column turned on in one write", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			_, err := s.SetAccessCells(ctx, o.sysActor, o.south.ID, []AccessCell{
				{StaffID: o.adv2.ID, AccountID: o.acc["South Co/Ledger"].ID}, {StaffID: o.clerk.ID, AccountID: o.acc["South Co/Ledger"].ID}}, true)
			return err
		}},
		{"member added to several folders in one write", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			_, err := s.AddToFolders(ctx, o.sysActor, o.adv2.ID, []int64{o.north.ID, o.south.ID})
			return err
		}},
		{"member removed from a folder", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.RemoveFromClient(ctx, o.sysActor, o.north.ID, o.adv1.ID)
		}},
		{"role changed to Admin", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetRole(ctx, o.sysActor, o.adv2.ID, "Admin")
		}},
		{"member deactivated", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.Deactivate(ctx, o.sysActor, o.adv2.ID)
		}},
		{"member reactivated", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.Reactivate(ctx, o.sysActor, o.adv2.ID)
		}},
		{"department-scope member moves department", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetDepartments(ctx, o.sysActor, o.mgr.ID, []string{o.southDept})
		}},
		{"manager assigned", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetManager(ctx, o.sysActor, o.sub.ID, o.mgr.ID)
		}},
		{"manager unassigned", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetManager(ctx, o.sysActor, o.sub.ID, 0)
		}},
		{"folder owner joins the manager's department", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetDepartments(ctx, o.sysActor, o.sub.ID, []string{o.southDept})
		}},
		{"custom role narrowed to own scope", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			perms := append([]Permission(nil), o.managerPerms...)
			perms[2].Scope = ScopeOwn
			return s.UpdateRole(ctx, o.sysActor, o.managerRole.ID, "Manager", "department scope", perms)
		}},
		{"custom role widened back", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.UpdateRole(ctx, o.sysActor, o.managerRole.ID, "Manager", "department scope", o.managerPerms)
		}},
		{"custom role deleted, its member moved", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.DeleteRole(ctx, o.sysActor, o.clerkRole.ID, "Manager")
		}},
		{"folder owner changed", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetClientOwner(ctx, o.sysActor, o.loose.ID, o.adv1.ID)
		}},
		{"folder department changed", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetClientDepartment(ctx, o.sysActor, o.north.ID, o.southDept)
		}},
		{"folder archived", false, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.ArchiveClient(ctx, o.sysActor, o.south.ID)
		}},
		{"folder restored", false, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.RestoreClient(ctx, o.sysActor, o.south.ID)
		}},
		{"account added", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			_, err := s.AddAccount(ctx, o.sysActor, o.loose.ID, "Trust")
			return err
		}},
		{"account removed", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.RemoveAccount(ctx, o.sysActor, o.acc["South Co/Bank"].ID)
		}},
		{"member added to the internal folder", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.AddToClient(ctx, o.sysActor, o.internal.ID, o.adv2.ID)
		}},
		{"internal account toggled on", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetAccountAccess(ctx, o.sysActor, o.internalAccount.ID, o.mgr.ID, true)
		}},
		{"settings changed", false, func(t *testing.T, s *Service, o *scopeOrg) error {
			st, err := s.Settings(ctx, o.sysActor)
			if err != nil {
				return err
			}
			st.Require2FA = !st.Require2FA
			return s.UpdateSettings(ctx, o.sysActor, st)
		}},
		{"department deleted", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			id, err := deptID(ctx, s, o.southDept)
			if err != nil {
				return err
			}
			return s.DeleteDepartment(ctx, o.sysActor, id)
		}},
		{"ownership transferred", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.TransferOwnership(ctx, o.ownerPrincipal, o.admin.ID, o.ownerPassword)
		}},
		{"member removed", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.Remove(ctx, o.sysActor, o.peer.ID, 0)
		}},
		// Max's only department was deleted above: he reaches this folder
		// only as its owner.
		{"folder owned by a department-scope member with no department", true, func(t *testing.T, s *Service, o *scopeOrg) error {
			return s.SetClientOwner(ctx, o.sysActor, o.loose.ID, o.mgr.ID)
		}},
		{"member invited and accepted", false, func(t *testing.T, s *Service, o *scopeOrg) error {
			_, code, err := s.Invite(ctx, o.sysActor, InviteInput{Email: "new@acme.test", Name: "Nia New", Role: "Manager", Departments: []string{o.northDept}})
			if err != nil {
				return err
			}
			_, err = s.AcceptInvitation(ctx, code, "password-new@acme.test", "test")
			return err
		}},
	}
}

func deptID(ctx context.Context, s *Service, name string) (int64, error) {
	ds, err := s.ListDepartments(ctx, System("t"))
	if err != nil {
		return 0, err
	}
	for _, d := range ds {
		if d.Name == name {
			return d.ID, nil
		}
	}
	return 0, fmt.Errorf("no department %s", name)
}

// Every kind of change a cached answer depends on, written by another
// handle on the file while readers keep asking: after the poll, every
// answer of the Checker (and its reason) is the engine's fresh one.
func TestCheckerAnswersEqualTheEngineAfterEveryKindOfChange(t *testing.T) {
	o := newScopeOrg(t)
	ctx := o.f.ctx
	chk, err := o.f.svc.NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chk.Close() // the test polls by hand, right after each change
	other, err := Open(ctx, o.f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// Readers keep filling the cache during every change and refresh, so
	// that an answer loaded from the state before a change races the
	// refresh that should drop it.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var asked atomic.Int64
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				staff, accounts := o.ids()
				for _, s := range staff {
					for _, a := range accounts {
						chk.CanReach(ctx, s, a)
						asked.Add(1)
					}
				}
			}
		}()
	}
	defer func() { close(stop); readers.Wait() }()

	before := o.matrix(t, chk, "start")
	for _, st := range checkerSteps() {
		if err := st.apply(t, other, o); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		chk.Refresh(ctx)
		o.refreshIDs(t)
		after := o.matrix(t, chk, st.name)
		moved := 0
		for k, v := range after {
			if before[k] != v {
				moved++
			}
		}
		if st.moves && moved == 0 {
			t.Fatalf("%s: no answer changed, so the step tests nothing", st.name)
		}
		before = after
	}
	if asked.Load() == 0 {
		t.Fatal("the concurrent readers asked nothing")
	}
}

// A write that leaves no audit entry (here raw SQL through another handle)
// committed in the same poll interval as an audited, narrow one: the
// entries do not account for every committed change, so the Checker must
// drop everything rather than only what the audited entry names.
func TestCheckerDropsEverythingWhenAChangeHasNoAuditEntry(t *testing.T) {
	o := newScopeOrg(t)
	ctx := o.f.ctx
	chk, err := o.f.svc.NewChecker(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chk.Close()
	other, err := Open(ctx, o.f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	o.matrix(t, chk, "start")
	payroll := o.acc["North Co/Payroll"].ID
	if ok, _ := chk.CanReach(ctx, o.adv1.ID, payroll); !ok {
		t.Fatal("Avi should reach North Co/Payroll at the start")
	}
	err = other.DB().Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE staff SET status = 'deactivated' WHERE id = ?`, o.adv1.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.SetAccountAccess(ctx, o.sysActor, o.acc["South Co/Ledger"].ID, o.clerk.ID, false); err != nil {
		t.Fatal(err)
	}
	chk.Refresh(ctx)
	o.matrix(t, chk, "unaudited deactivation with an audited toggle")
	if ok, _ := chk.CanReach(ctx, o.adv1.ID, payroll); ok {
		t.Fatal("a member deactivated without an audit entry still reaches an account")
	}
}
