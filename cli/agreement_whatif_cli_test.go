package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gatehouse/model"
)

// whatif role says what giving a role would change; roles give --yes then
// gives it. On generated organisations with random custom roles, for
// members and roles drawn at random, the accounts the preview says the
// member gains and loses are exactly those the engine lets them reach
// after the change and not before, and the reverse.
func TestAgreementWhatIfIsWhatTheRoleGives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := model.System("test")
	runAs := func(o *agreementOrg, p model.Principal, args ...string) result {
		var out, errb bytes.Buffer
		code := runCommand(ctx, o.svc, p, args, &out, &errb)
		return result{out.String(), errb.String(), code}
	}
	run := func(o *agreementOrg, args ...string) result { return runAs(o, sys, args...) }
	compared, hiddenSeen := 0, 0
	for _, seed := range []uint64{1, 2, 3} {
		o := newAgreementOrg(t, seed, false)
		roles, err := o.svc.ListRoles(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		labels := map[int64]string{} // account id → "Client / Account"
		for _, c := range o.folders {
			for _, acc := range o.accounts[c.ID] {
				labels[acc.ID] = c.Name + " / " + acc.Name
			}
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		given := map[int64]bool{}
		for _, i := range rng.Perm(len(o.members))[:8] {
			m := o.members[i]
			if m.Status != "active" || m.RoleName == "Owner" {
				continue
			}
			r := roles[rng.IntN(len(roles))]
			if r.ID == m.RoleID || r.Name == "Owner" {
				continue
			}
			var pv whatIfJSON
			res := run(o, "whatif", "role", "--staff", m.Email, "--role", r.Name, "--json")
			if res.code != 0 || json.Unmarshal([]byte(res.stdout), &pv) != nil {
				t.Fatalf("seed %d, whatif %s as %s: exit %d %s%s", seed, m.Email, r.Name, res.code, res.stdout, res.stderr)
			}
			// Asked by any member, the preview names only accounts the
			// asker sees, and counts the rest.
			for _, k := range rng.Perm(len(o.members))[:10] {
				asker := o.members[k]
				if given[asker.ID] {
					continue // o.allowed is what they saw before their new role
				}
				res := runAs(o, model.MemberPrincipal(asker, "agreement"), "whatif", "role", "--staff", m.Email, "--role", r.Name, "--json")
				if res.code != 0 {
					continue
				}
				var seen whatIfJSON
				if err := json.Unmarshal([]byte(res.stdout), &seen); err != nil {
					t.Fatal(err)
				}
				visible := map[string]bool{}
				for id, label := range labels {
					if o.allowed[asker.ID].Accounts[id] {
						visible[label] = true
					}
				}
				for _, side := range []struct {
					items  []string
					hidden int
				}{{seen.Gain, seen.GainHidden}, {seen.Lose, seen.LoseHidden}} {
					for _, it := range side.items {
						if !visible[it] && !summarised([]string{it}) {
							t.Fatalf("seed %d, %s (%s) asks what if %s were %s: the preview names %q, which they may not see", seed, asker.Email, asker.RoleName, m.Email, r.Name, it)
						}
					}
					if side.hidden > 0 && !slices.Contains(side.items, model.HiddenAccountsLine(side.hidden)) {
						t.Fatalf("seed %d, %s asks about %s: %d hidden but the list says %q", seed, asker.Email, m.Email, side.hidden, side.items)
					}
					hiddenSeen += side.hidden
				}
			}
			before, err := o.svc.Allowed(ctx, model.MemberPrincipal(m, "agreement"))
			if err != nil {
				t.Fatal(err)
			}
			given[m.ID] = true
			if res := run(o, "roles", "give", r.Name, "--staff", m.Email, "--yes"); res.code != 0 {
				t.Fatalf("seed %d, roles give %s to %s: exit %d %s", seed, r.Name, m.Email, res.code, res.stderr)
			}
			after, err := o.svc.Allowed(ctx, model.MemberPrincipal(m, "agreement"))
			if err != nil {
				t.Fatal(err)
			}
			var gain, lose []string
			for id, label := range labels {
				switch {
				case after.Reach[id] && !before.Reach[id]:
					gain = append(gain, label)
				case before.Reach[id] && !after.Reach[id]:
					lose = append(lose, label)
				}
			}
			if summarised(pv.Gain) || summarised(pv.Lose) {
				// A role reaching every client account is summarised, not
				// listed: its count is what the engine says.
				if len(gain) > 0 != (len(pv.Gain) > 0) || len(lose) > 0 != (len(pv.Lose) > 0) {
					t.Fatalf("seed %d, %s → %s: preview gains %q loses %q; the engine: %d gained, %d lost", seed, m.Email, r.Name, pv.Gain, pv.Lose, len(gain), len(lose))
				}
				continue
			}
			if problem := sameLabels(pv.Gain, gain); problem != "" {
				t.Fatalf("seed %d, %s (%s → %s), gains: %s", seed, m.Email, m.RoleName, r.Name, problem)
			}
			if problem := sameLabels(pv.Lose, lose); problem != "" {
				t.Fatalf("seed %d, %s (%s → %s), loses: %s", seed, m.Email, m.RoleName, r.Name, problem)
			}
			compared++
		}
	}
	if hiddenSeen == 0 {
		t.Fatal("no preview left an account unnamed: too plain to prove the asker's sight is kept")
	}
	if compared < 5 {
		t.Fatalf("only %d previews compared account by account", compared)
	}
}

// summarised reports whether a preview list holds a summary line rather
// than accounts alone.
func summarised(items []string) bool {
	return slices.ContainsFunc(items, func(s string) bool {
		return strings.HasPrefix(s, "all client accounts") || strings.HasPrefix(s, "+") || strings.HasPrefix(s, "and ")
	})
}

func sameLabels(got, want []string) string {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		return fmt.Sprintf("the preview says %q, the engine %q", g, w)
	}
	return ""
}
