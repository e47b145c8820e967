package model

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The what-if of a role change (whatif role, roles give without --yes, the
// Simulator's and the Roles screen's preview) names only accounts its
// asker may see. On generated organisations with random custom roles, for
// members and roles drawn at random and every member who may ask:
//
//   - every account the preview names is one the engine lets the asker
//     see (Service.Allowed);
//   - when the preview lists accounts one by one, it names exactly the
//     accounts the engine says the member gains (loses) that the asker
//     sees, and GainHidden (LoseHidden) counts the others, with the line
//     saying so at the end of the list.
func TestAgreementRolePreviewNamesOnlyWhatTheAskerSees(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := System("agreement")
	partial, hidden := 0, 0
	for _, seed := range agreementSeeds {
		o := newAgreementOrg(t, seed)
		svc := o.svc
		roles, err := svc.ListRoles(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		label := map[int64]string{} // account id → "Client / Account"
		for _, f := range o.folders {
			c, err := svc.GetClient(ctx, sys, f)
			if err != nil {
				t.Fatal(err)
			}
			accs, err := svc.Accounts(ctx, sys, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, acc := range accs {
				label[acc.ID] = c.Name + " / " + acc.Name
			}
		}
		rng := rand.New(rand.NewPCG(seed, 11))
		for _, i := range rng.Perm(len(o.staff))[:8] {
			m := o.members[o.staff[i]]
			r := roles[rng.IntN(len(roles))]
			if m.Status != "active" || m.RoleName == "Owner" || r.Name == "Owner" || r.ID == m.RoleID {
				continue
			}
			previews := map[int64]RoleChangePreview{}
			for _, id := range o.staff {
				pv, err := svc.PreviewRoleChange(ctx, MemberPrincipal(o.members[id], "agreement"), m.ID, r.Name)
				if refused(err) {
					continue
				}
				if err != nil {
					t.Fatalf("seed %d, preview by %d: %v", seed, id, err)
				}
				previews[id] = pv
			}
			before := o.allowed[m.ID]
			if err := svc.SetRole(ctx, sys, m.ID, r.Name); err != nil {
				t.Fatalf("seed %d, give %s to %s: %v", seed, r.Name, m.Email, err)
			}
			after, err := svc.Allowed(ctx, MemberPrincipal(m, "agreement"))
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.SetRole(ctx, sys, m.ID, m.RoleName); err != nil {
				t.Fatalf("seed %d, give %s back to %s: %v", seed, m.RoleName, m.Email, err)
			}
			for askerID, pv := range previews {
				asker := o.members[askerID]
				sees := o.allowed[askerID].Accounts
				fail := func(format string, args ...any) {
					t.Helper()
					t.Fatalf("seed %d, %s (%s) previews %s → %s: %s", seed, asker.Email, asker.RoleName, m.Email, r.Name, fmt.Sprintf(format, args...))
				}
				visibleLabels := map[string]bool{}
				for id, l := range label {
					if sees[id] {
						visibleLabels[l] = true
					}
				}
				if len(IDs(sees)) < len(sees) {
					partial++
				}
				for _, side := range []struct {
					name   string
					items  []string
					hidden int
					moved  func(id int64) bool
				}{
					{"gains", pv.Gain, pv.GainHidden, func(id int64) bool { return after.Reach[id] && !before.Reach[id] }},
					{"loses", pv.Lose, pv.LoseHidden, func(id int64) bool { return before.Reach[id] && !after.Reach[id] }},
				} {
					named, summary := splitPreview(side.items)
					for _, n := range named {
						if !visibleLabels[n] {
							fail("%s %q, an account the asker may not see", side.name, n)
						}
					}
					wantLine := side.hidden > 0
					if hasLine := slices.Contains(summary, HiddenAccountsLine(side.hidden)); hasLine != wantLine {
						fail("%s: %d hidden, summary lines %q", side.name, side.hidden, summary)
					}
					hidden += side.hidden
					if slices.ContainsFunc(summary, func(s string) bool { return strings.HasPrefix(s, "all client accounts") || strings.HasPrefix(s, "+") }) {
						continue // a wide role is summarised; its names were checked above
					}
					var want []string
					wantHidden := 0
					for id, l := range label {
						switch {
						case !side.moved(id):
						case sees[id]:
							want = append(want, l)
						default:
							wantHidden++
						}
					}
					if problem := sameStrings(named, want); problem != "" {
						fail("%s: %s", side.name, problem)
					}
					if side.hidden != wantHidden {
						fail("%s: counts %d hidden, the engine %d", side.name, side.hidden, wantHidden)
					}
				}
			}
		}
	}
	if partial == 0 || hidden == 0 {
		t.Fatalf("too plain to prove anything: %d previews by askers who see only some accounts, %d accounts hidden", partial, hidden)
	}
}

// splitPreview separates a preview list's account names from its summary
// lines.
func splitPreview(items []string) (named, summary []string) {
	for _, s := range items {
		if strings.HasPrefix(s, "all client accounts") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "and ") {
			summary = append(summary, s)
		} else {
			named = append(named, s)
		}
	}
	return named, summary
}

func sameStrings(got, want []string) string {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		return fmt.Sprintf("the preview says %q, the engine %q", g, w)
	}
	return ""
}
