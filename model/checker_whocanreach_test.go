package model

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// WhoCanReach must name exactly the members the engine allows, with the
// engine's reason, for every account, through every kind of change of
// checkerSteps: department-scope custom roles reaching by their own
// department, by the folder owner's department and through members
// assigned to them, deactivated and removed members, the internal folder.
func TestWhoCanReachAgreesWithTheEngineAcrossScopes(t *testing.T) {
	o := newScopeOrg(t)
	ctx := o.f.ctx
	seen := map[string]int{}
	compare := func(step string) {
		t.Helper()
		staff, accounts := o.ids()
		for _, a := range accounts {
			got, err := o.f.svc.WhoCanReach(ctx, o.sysActor, a)
			if _, exists, _ := freshDecision(ctx, o.f.svc, o.f.owner.ID, a); !exists {
				if err == nil {
					t.Fatalf("%s: account %d is gone, yet who-can-reach answered %d members", step, a, len(got))
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: who can reach %d: %v", step, a, err)
			}
			named := map[int64]Decision{}
			for _, r := range got {
				named[r.StaffID] = r.Decision
			}
			for _, s := range staff {
				want, exists, err := freshDecision(ctx, o.f.svc, s, a)
				if err != nil {
					t.Fatal(err)
				}
				d, ok := named[s]
				if !exists {
					if ok {
						t.Fatalf("%s: account %d names removed member %d", step, a, s)
					}
					continue
				}
				if ok != want.Allowed || (ok && d != want) {
					t.Fatalf("%s: account %d staff %d: who-can-reach %v %q, engine %v %q", step, a, s, ok, d.Reason, want.Allowed, want.Reason)
				}
				if ok {
					seen[reasonKind(d.Reason)]++
				}
			}
		}
	}
	// Who may read the list: exactly the members the engine lets see the
	// account; a deactivated or removed reader, or one outside the folder's
	// scope, is refused.
	readers := func(step string) {
		t.Helper()
		staff, accounts := o.ids()
		for _, r := range staff {
			for _, a := range accounts {
				_, err := o.f.svc.WhoCanReach(ctx, Principal{Kind: KindMember, StaffID: r}, a)
				want, ok, ferr := mayViewAccountFolder(ctx, o.f.svc, r, a)
				if ferr != nil {
					t.Fatal(ferr)
				}
				switch {
				case !ok:
					if err == nil {
						t.Fatalf("%s: reader %d, account %d: one of them is gone, yet the list was given", step, r, a)
					}
				case want.Allowed && err != nil:
					t.Fatalf("%s: reader %d may see account %d (%s), yet: %v", step, r, a, want.Reason, err)
				case !want.Allowed && !errors.Is(err, ErrDenied):
					t.Fatalf("%s: reader %d may not see account %d (%s), yet: %v", step, r, a, want.Reason, err)
				}
			}
		}
	}
	readers("start")
	defer func() {
		if !t.Failed() {
			readers("end")
		}
	}()
	other, err := Open(ctx, o.f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	compare("start")
	for _, st := range checkerSteps() {
		if err := st.apply(t, other, o); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		o.refreshIDs(t)
		compare(st.name)
	}
	for _, kind := range []string{"own department", "owner's department", "assigned owner", "folder owner", "toggled on", "all accounts", "owner"} {
		if seen[kind] == 0 {
			t.Errorf("no member reached an account by %s: the walk does not cover it (seen %v)", kind, seen)
		}
	}
}

// reasonKind names which rule an allowing reason comes from.
func reasonKind(reason string) string {
	switch {
	case strings.Contains(reason, "one of their departments"):
		return "own department"
	case strings.Contains(reason, "owned by a member of their department"):
		return "owner's department"
	case strings.Contains(reason, "owned by a member assigned to them"):
		return "assigned owner"
	case strings.Contains(reason, ", owner of "):
		return "folder owner"
	case strings.Contains(reason, "toggled on"):
		return "toggled on"
	case strings.Contains(reason, "reaches all client accounts"):
		return "all accounts"
	case strings.Contains(reason, "reaches every account"):
		return "owner"
	}
	return reason
}

// mayViewAccountFolder is the engine's answer, from facts read now, to
// "may this member see this account" (which needs seeing its folder); ok is false when
// either no longer exists or the member cannot act at all.
func mayViewAccountFolder(ctx context.Context, svc *Service, staffID, accountID int64) (Decision, bool, error) {
	a, t, ok, err := freshAccountTarget(ctx, svc, staffID, accountID, func(a Actor) bool {
		_, active := principalGate(a)
		return active
	})
	if !ok || err != nil {
		return Decision{}, ok, err
	}
	return Decide(a, ActView, t), true, nil
}
