package screens

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"gatehouse/db"
	"gatehouse/keymap"
	"gatehouse/model"
	"gatehouse/theme"
)

// The Manage Access grid's rows and columns, and the Simulator's answers,
// agree with what the engine allows, for every member of three generated
// organisations.
func TestAgreementScreens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := model.System("test")
	for _, seed := range []uint64{1, 2, 3} {
		svc, err := model.Open(ctx, filepath.Join(t.TempDir(), "agree.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close() })
		if _, err := svc.GenerateLarge(ctx, sys, model.AgreementOptions(seed)); err != nil {
			t.Fatal(err)
		}
		members, _, err := svc.ListStaff(ctx, sys, model.MemberQuery{})
		if err != nil {
			t.Fatal(err)
		}
		folders, _, err := svc.ListClients(ctx, sys, model.ClientQuery{})
		if err != nil {
			t.Fatal(err)
		}
		grants, err := db.ListGrants(ctx, svc.DB().Read(), db.GrantQuery{})
		if err != nil {
			t.Fatal(err)
		}
		org, err := svc.Org(ctx)
		if err != nil {
			t.Fatal(err)
		}
		accounts := map[int64][]model.Account{}
		for _, c := range folders {
			if accounts[c.ID], err = svc.Accounts(ctx, sys, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		locked := lockedByEngine(t, svc, members, folders, accounts)
		for _, m := range members {
			p := model.MemberPrincipal(m, "agreement")
			al, err := svc.Allowed(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			actor, err := svc.Actor(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			sess := &Session{Svc: svc, Principal: p, Actor: actor, Org: org, Theme: theme.Default(), Keys: keymap.Default()}
			fail := func(surface, problem string) {
				t.Helper()
				t.Fatalf("seed %d, member %d %s (%s, %s), %s: %s", seed, m.ID, m.Email, m.RoleName, m.Status, surface, problem)
			}
			for _, c := range folders {
				if problem := gridAgrees(sess, c.ID, al, grants, locked[c.ID]); problem != "" {
					fail(fmt.Sprintf("Manage Access grid of folder %d", c.ID), problem)
				}
			}
			// The Simulator about this member: a few folders and accounts
			// they see and a few they do not.
			var folderIDs []int64
			for _, c := range folders {
				folderIDs = append(folderIDs, c.ID)
			}
			for _, f := range model.Sample(folderIDs, al.Folders) {
				c := folderByID(folders, f)
				if problem := simAgrees(sess, m, model.TargetRef{Kind: "client", Module: model.ModuleClients, Client: c.Name}, model.ActView, al.Folders[f]); problem != "" {
					fail(fmt.Sprintf("Simulator, folder %d", f), problem)
				}
				for _, a := range accounts[f] {
					ref := model.TargetRef{Kind: "account", Module: model.ModuleAccounts, Client: c.Name, Account: a.Name}
					if problem := simAgrees(sess, m, ref, model.ActAccess, al.Reach[a.ID]); problem != "" {
						fail(fmt.Sprintf("Simulator, account %d", a.ID), problem)
					}
				}
			}
		}
	}
}

// gridAgrees reads the Manage Access data of a folder as the session does
// and compares its accounts, members and cells with the engine's.
func gridAgrees(sess *Session, clientID int64, al model.Allowed, all []model.Grant, locked map[int64]bool) string {
	d, err := readAccess(sess, clientID)
	if !al.Folders[clientID] {
		if err == nil {
			return "opened a folder the member may not see"
		}
		return ""
	}
	if err != nil {
		return err.Error()
	}
	var got, want []int64
	for _, a := range d.accounts {
		got = append(got, a.ID)
	}
	// Columns: the folder's accounts the member sees.
	accs, err := sess.Svc.Accounts(context.Background(), model.System("test"), clientID)
	if err != nil {
		return err.Error()
	}
	for _, a := range accs {
		if al.Accounts[a.ID] {
			want = append(want, a.ID)
		}
	}
	if problem := model.Disagreement(got, want); problem != "" {
		return "account column " + problem
	}
	// Rows and cells.
	var cells, wantCells []int64
	for _, m := range d.members {
		cells = append(cells, m.ID<<20)
		for acc, on := range m.on {
			if on {
				cells = append(cells, m.ID<<20|acc)
			}
		}
	}
	var folderGrants []model.Grant
	for _, g := range all {
		if g.ClientID == clientID {
			folderGrants = append(folderGrants, g)
		}
	}
	seenRow := map[int64]bool{}
	for _, g := range al.VisibleGrants(folderGrants) {
		if !seenRow[g.StaffID] {
			seenRow[g.StaffID] = true
			wantCells = append(wantCells, g.StaffID<<20)
		}
		if g.AccountID != 0 {
			wantCells = append(wantCells, g.StaffID<<20|g.AccountID)
		}
	}
	if problem := model.Disagreement(cells, wantCells); problem != "" {
		return "row or cell (member<<20 | account) " + problem
	}
	// Locked rows, (✓): the members the engine lets reach the accounts
	// with every toggle of theirs off.
	var lockedRows, wantLocked []int64
	for _, m := range d.members {
		if _, ok := d.byRole[m.ID]; ok {
			lockedRows = append(lockedRows, m.ID)
		}
		if locked[m.ID] {
			wantLocked = append(wantLocked, m.ID)
		}
	}
	if problem := model.Disagreement(lockedRows, wantLocked); problem != "" {
		return "locked row (member) " + problem
	}
	return ""
}

// lockedByEngine says, per folder, which members the engine lets reach
// its accounts with every toggle of theirs there off: what the grid draws
// locked. It asks Decide with each member's own facts, the toggles left
// out; a member who may not see the folder reaches none of it.
func lockedByEngine(t *testing.T, svc *model.Service, members []model.Member, folders []model.Client, accounts map[int64][]model.Account) map[int64]map[int64]bool {
	t.Helper()
	ctx := context.Background()
	out := map[int64]map[int64]bool{}
	for _, c := range folders {
		out[c.ID] = map[int64]bool{}
	}
	for _, m := range members {
		p := model.MemberPrincipal(m, "agreement")
		actor, err := svc.Actor(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range folders {
			target, err := svc.ClientTarget(ctx, p, c.ID)
			if errors.Is(err, model.ErrDenied) || errors.Is(err, model.ErrNotFound) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			reached := len(accounts[c.ID]) > 0
			for _, a := range accounts[c.ID] {
				off := &model.AccountFacts{ID: a.ID, Name: a.Name}
				reached = reached && model.Decide(actor, model.ActAccess, model.Target{Module: model.ModuleAccounts, Client: target.Client, Account: off}).Allowed
			}
			out[c.ID][m.ID] = reached
		}
	}
	return out
}

// simAgrees runs the Simulator for subject on ref and compares its row for
// action with the engine's answer.
func simAgrees(sess *Session, subject model.Member, ref model.TargetRef, action model.Action, want bool) string {
	s := newExplainFor(sess, subject, ref)
	msg, ok := s.run()().(simResultMsg)
	if !ok || msg.err != nil {
		return fmt.Sprintf("no answer: %v", msg.err)
	}
	for _, r := range msg.rows {
		if r.Action == action {
			if r.Decision.Allowed != want {
				return fmt.Sprintf("%s %s: %+v, engine %v", action, ref, r.Decision, want)
			}
			return ""
		}
	}
	return fmt.Sprintf("no row for %s", action)
}

func folderByID(cs []model.Client, id int64) model.Client {
	for _, c := range cs {
		if c.ID == id {
			return c
		}
	}
	return model.Client{}
}

// newExplainFor is the simulator with a member and a target already chosen.
func newExplainFor(sess *Session, m model.Member, t model.TargetRef) *simScreen {
	s := NewExplain(sess).(*simScreen)
	s.subject, s.target = &m, &t
	return s
}

// readAccess reads a folder's access as the Manage Access pop-up does.
func readAccess(sess *Session, clientID int64) (*accessData, error) {
	return readAccessAt(sess, clientID, beginRead())
}
