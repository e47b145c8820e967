package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gatehouse/db"
	"gatehouse/model"
)

// The grid's whole-column toggle on the command line (access grant|revoke
// --all-members), run as each active member of three generated
// organisations with random custom roles on folders they see and folders
// they do not: it is refused where the engine refuses, a folder or
// account they may not see does not exist for them, and where it succeeds
// every member added whose role does not reach the account is toggled as
// asked. Run as the holder of the file, the --json result's "who reaches
// it now" is exactly the members the engine lets reach it.
func TestAgreementColumnToggle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := model.System("test")
	for _, seed := range []uint64{1, 2, 3} {
		o := newAgreementOrg(t, seed, false)
		var folderIDs []int64
		byID := map[int64]model.Client{}
		for _, f := range o.folders {
			folderIDs = append(folderIDs, f.ID)
			byID[f.ID] = f
		}
		run := func(p model.Principal, args ...string) result {
			var out, errb bytes.Buffer
			code := runCommand(ctx, o.svc, p, args, &out, &errb)
			return result{out.String(), errb.String(), code}
		}
		toggled, refused := 0, 0
		for i, m := range o.members {
			if m.Status != "active" {
				continue
			}
			p := model.MemberPrincipal(m, "ssh SHA256:agreement from 192.0.2.1:5555")
			al, err := o.svc.Allowed(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range model.Sample(folderIDs, al.Folders) {
				if len(o.accounts[f]) == 0 {
					continue
				}
				acc := o.accounts[f][0]
				on := i%2 == 0
				verb := map[bool]string{true: "grant", false: "revoke"}[on]
				r := run(p, "access", verb, "--client", byID[f].Name, "--account", acc.Name, "--all-members")
				where := fmt.Sprintf("seed %d, member %d %s (%s), access %s on %s / %s", seed, m.ID, m.Email, m.RoleName, verb, byID[f].Name, acc.Name)
				switch {
				case !al.Folders[f] || !al.Accounts[acc.ID]:
					if r.code != 2 || !strings.Contains(r.stderr, "not found") {
						t.Fatalf("%s: a folder or account they may not see: exit %d, %s", where, r.code, r.stderr)
					}
					continue
				}
				actor, err := o.svc.Actor(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				target, err := o.svc.ClientTarget(ctx, p, f)
				if err != nil {
					t.Fatal(err)
				}
				target.Module = model.ModuleAccess
				manage := model.Decide(actor, model.ActManageAccess, target)
				switch {
				case !manage.Allowed:
					refused++
					if r.code != 1 || !strings.Contains(r.stderr, "not allowed: "+manage.Reason) {
						t.Fatalf("%s: the engine refuses (%s): exit %d, %s%s", where, manage.Reason, r.code, r.stdout, r.stderr)
					}
				case r.code == 0:
					toggled++
					if problem := o.columnIs(ctx, f, acc.ID, on, al.Members); problem != "" {
						t.Fatalf("%s: %s\n%s", where, problem, r.stdout)
					}
				case r.code != 1 || !strings.Contains(r.stderr, "nothing to change") && !strings.Contains(r.stderr, "nobody was added") && !strings.Contains(r.stderr, "through their role"):
					t.Fatalf("%s: allowed by the engine, yet: exit %d, %s", where, r.code, r.stderr)
				}
			}
		}
		if toggled == 0 || refused == 0 {
			t.Fatalf("seed %d: %d toggles done and %d refused: the organisation proves nothing", seed, toggled, refused)
		}
		// As the holder of the file: who reaches the account now, said in
		// --json, is who the engine lets reach it.
		for _, f := range o.folders[:4] {
			if len(o.accounts[f.ID]) == 0 {
				continue
			}
			acc := o.accounts[f.ID][len(o.accounts[f.ID])-1]
			for _, verb := range []string{"grant", "revoke"} {
				r := run(sys, "access", verb, "--client", f.Name, "--account", acc.Name, "--all-members", "--json")
				if r.code != 0 {
					continue // nothing to change, or nobody added
				}
				var res actionResult
				if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Reach == nil || len(res.Reach.Accounts) != 1 {
					t.Fatalf("seed %d, access %s on %s / %s --json: %v\n%s", seed, verb, f.Name, acc.Name, err, r.stdout)
				}
				var said, want []int64
				for _, x := range res.Reach.Accounts[0].ReachedBy {
					said = append(said, x.StaffID)
				}
				for _, m := range o.members {
					d, err := o.svc.Check(ctx, model.MemberPrincipal(m, "agreement"), model.ActAccess,
						model.TargetRef{Kind: "account", Client: f.Name, Account: acc.Name})
					if err != nil {
						t.Fatal(err)
					}
					if d.Allowed {
						want = append(want, m.ID)
					}
				}
				if problem := model.Disagreement(said, want); problem != "" {
					t.Fatalf("seed %d, access %s on %s / %s: who reaches it now: %s", seed, verb, f.Name, acc.Name, problem)
				}
			}
		}
	}
}

// columnIs checks that every member added to folder f whom the actor sees
// (seen: the grid lists those alone) and whose role does not reach its
// accounts whatever the toggles has account acc toggled on (or off), as
// the database holds it.
func (o *agreementOrg) columnIs(ctx context.Context, f, acc int64, on bool, seen map[int64]bool) string {
	sys := model.System("test")
	grants, err := db.ListGrants(ctx, o.svc.DB().Read(), db.GrantQuery{ClientID: f})
	if err != nil {
		return err.Error()
	}
	var ids []int64
	toggled := map[int64]bool{}
	for _, g := range grants {
		if !seen[g.StaffID] {
			continue
		}
		ids = append(ids, g.StaffID)
		if g.AccountID == acc {
			toggled[g.StaffID] = true
		}
	}
	byRole, err := o.svc.RoleReach(ctx, sys, f, ids)
	if err != nil {
		return err.Error()
	}
	for _, id := range ids {
		if _, locked := byRole[id]; !locked && toggled[id] != on {
			return fmt.Sprintf("member %d has the account %v after the toggle", id, toggled[id])
		}
	}
	return ""
}
