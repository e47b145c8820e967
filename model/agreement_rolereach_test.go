package model

import (
	"context"
	"strconv"
	"testing"

	"gatehouse/db"
)

// reachWithTogglesOff is what the engine lets member sub reach in folder
// c with every toggle of theirs there off, and, when removed, their
// membership of the folder gone as well. Nothing is written: the facts
// are the member's own but for that.
func reachWithTogglesOff(ctx context.Context, q db.Querier, sub Actor, c Client, accs []Account, removed bool) ([]int64, error) {
	cf, err := clientFacts(ctx, q, sub, c)
	if err != nil {
		return nil, err
	}
	cf.ActorAdded = cf.ActorAdded && !removed
	var out []int64
	for _, acc := range accs {
		off := &AccountFacts{ID: acc.ID, Name: acc.Name}
		if Decide(sub, ActAccess, Target{Module: ModuleAccounts, Client: cf, Account: off}).Allowed {
			out = append(out, acc.ID)
		}
	}
	return out, nil
}

// RoleReach (the grid's locked cells, a member's clients view) and
// ReachSummary.ThroughRole (what revoke and offboard say a member still
// reaches) agree with the engine on generated organisations:
//
//   - RoleReach locks member M in folder F exactly when the engine, with
//     every toggle of M in F off, still lets M reach F's accounts: a
//     toggle there changes nothing, as the grid says.
//   - a locked member reaches every account of F (Service.Allowed).
//   - what the engine lets M reach in F with the membership gone too (what
//     a revoke leaves) is locked, and ThroughRole is set, so revoke and
//     offboard never keep quiet about it.
func TestAgreementRoleReach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, seed := range agreementSeeds {
		o := newAgreementOrg(t, seed)
		svc, sys, q := o.svc, System("agreement"), o.svc.DB().Read()
		actors := map[int64]Actor{}
		for _, id := range o.staff {
			a, err := loadActorAt(ctx, q, Principal{Kind: KindMember, StaffID: id}, svc.Now())
			if err != nil {
				t.Fatal(err)
			}
			actors[id] = a
		}
		afterRevoke := map[int64]int64{} // member → a folder they reach with no membership
		locked, onlyWhileAdded := 0, 0
		for _, f := range o.folders {
			byRole, err := svc.RoleReach(ctx, sys, f, o.staff)
			if err != nil {
				t.Fatalf("seed %d, RoleReach of folder %d: %v", seed, f, err)
			}
			c, err := db.GetClient(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			accs, err := db.ListAccounts(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range o.staff {
				m := o.members[id]
				fail := func(surface, problem string) {
					t.Helper()
					t.Fatalf("seed %d, member %d %s (%s, %s), %s of folder %d: %s", seed, id, m.Email, m.RoleName, m.Status, surface, f, problem)
				}
				var got []int64
				if _, ok := byRole[id]; ok {
					got = o.accounts[f]
					locked++
				}
				togglesOff, err := reachWithTogglesOff(ctx, q, actors[id], c, accs, false)
				if err != nil {
					t.Fatal(err)
				}
				if problem := Disagreement(got, togglesOff); problem != "" {
					fail("RoleReach with every toggle off", "account "+problem)
				}
				for _, a := range got {
					if !o.allowed[id].Reach[a] {
						fail("RoleReach", "locks account "+describeID(a)+", which the engine does not let them reach")
					}
				}
				noMembership, err := reachWithTogglesOff(ctx, q, actors[id], c, accs, true)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range noMembership {
					if len(got) == 0 {
						fail("RoleReach with the membership removed", "account "+describeID(a)+" is still reached but not locked")
					}
					afterRevoke[id] = f
				}
				if len(got) > 0 && len(noMembership) == 0 {
					onlyWhileAdded++
				}
			}
		}
		if cells := len(o.folders) * len(o.staff); locked == 0 || locked == cells || locked == onlyWhileAdded {
			t.Fatalf("seed %d: %d of %d cells locked, %d only while added; the organisation proves nothing", seed, locked, cells, onlyWhileAdded)
		}
		t.Logf("seed %d: %d of %d cells locked, %d of them only while the member is added", seed, locked, len(o.folders)*len(o.staff), onlyWhileAdded)
		for _, id := range o.staff {
			m := o.members[id]
			sum, err := svc.ReachableBy(ctx, sys, id)
			if err != nil {
				t.Fatalf("seed %d, ReachableBy member %d: %v", seed, id, err)
			}
			// The converse is a statement about the role, which may reach
			// nothing here: department scope with no folder in their
			// departments.
			if f, reaches := afterRevoke[id]; reaches && !sum.ThroughRole {
				t.Fatalf("seed %d, member %d %s (%s, %s), ReachSummary.ThroughRole: false (%q), but with no membership the engine still lets them reach the accounts of folder %d",
					seed, id, m.Email, m.RoleName, m.Status, sum.Reason, f)
			}
		}
	}
}

func describeID(id int64) string { return strconv.FormatInt(id, 10) }
