package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"gatehouse/model"
)

// What a --json result says a member reaches after a change (reach.members,
// from staff departments, clients set-owner, access grant) agrees with the
// engine, on three generated organisations with random custom roles: every
// account it names the engine lets them reach; when it says their role
// reaches nothing beyond their toggles, it names every account they
// reach; and when the engine lets them reach an account it does not name,
// it says what their role reaches.
func TestAgreementReachAfterAChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := model.System("test")
	for _, seed := range []uint64{1, 2, 3} {
		o := newAgreementOrg(t, seed, false)
		accountID := map[string]int64{}
		for _, f := range o.folders {
			for _, acc := range o.accounts[f.ID] {
				accountID[f.Name+"\x00"+acc.Name] = acc.ID
			}
		}
		depts, err := o.svc.ListDepartments(ctx, sys)
		if err != nil || len(depts) == 0 {
			t.Fatalf("seed %d: departments: %v", seed, err)
		}
		throughRole := 0
		for i, m := range o.members {
			if m.Status != "active" {
				continue
			}
			var args []string
			switch i % 3 {
			case 0:
				args = []string{"staff", "departments", m.Email, "--set", depts[i%len(depts)].Name}
			case 1:
				args = []string{"clients", "set-owner", o.folders[i%len(o.folders)].Name, "--owner", m.Email}
			default:
				args = []string{"access", "grant", "--staff", m.Email, "--client", o.folders[i%len(o.folders)].Name}
			}
			var out, errb bytes.Buffer
			if code := runCommand(ctx, o.svc, sys, append(args, "--json"), &out, &errb); code != 0 {
				if args[0] == "access" {
					continue // already added there
				}
				t.Fatalf("seed %d: %v: exit %d: %s", seed, args, code, errb.String())
			}
			var res actionResult
			if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Reach == nil || len(res.Reach.Members) != 1 {
				t.Fatalf("seed %d: %v: %v\n%s", seed, args, err, out.String())
			}
			said := res.Reach.Members[0]
			al, err := o.svc.Allowed(ctx, model.MemberPrincipal(m, "agreement"))
			if err != nil {
				t.Fatal(err)
			}
			named := map[int64]bool{}
			for _, r := range said.Accounts {
				id, ok := accountID[r.Client+"\x00"+r.Account]
				if !ok || !al.Reach[id] {
					t.Fatalf("seed %d, member %d %s (%s), %v: says they reach %s / %s (%s); the engine does not", seed, m.ID, m.Email, m.RoleName, args, r.Client, r.Account, r.Reason)
				}
				named[id] = true
			}
			if said.ThroughRole != "" {
				throughRole++
			}
			for _, id := range model.IDs(al.Reach) {
				if !named[id] && said.ThroughRole == "" {
					t.Fatalf("seed %d, member %d %s (%s), %v: the engine lets them reach account %d, which the result neither names nor covers by their role\n%s",
						seed, m.ID, m.Email, m.RoleName, args, id, out.String())
				}
			}
		}
		if throughRole == 0 {
			t.Fatalf("seed %d: no member's role reached beyond their toggles: the organisation proves nothing", seed)
		}
	}
}
