package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gatehouse/model"
)

// Revoking Tom's Payroll toggle at Acme leaves the account reached
// through his Tax department: the output names the account and the
// engine's reason, as check does, in text and in --json.
func TestRevokeNamesTheAccountsStillReached(t *testing.T) {
	t.Parallel()
	path := demoCopy(t)
	chk := runCLI(t, "--db", path, "check", tom, "access", "account:Acme Ltd/Payroll")
	wantCode(t, chk, 0)
	reason := strings.TrimSpace(chk.stdout[strings.LastIndex(chk.stdout, ": ")+2:])
	r := runCLI(t, "--db", path, "access", "revoke", "--staff", tom, "--client", "Acme Ltd", "--account", "Payroll")
	wantCode(t, r, 0)
	if want := "Still reaches Acme Ltd / Payroll, through their role: " + reason + "."; !strings.Contains(r.stdout, want) {
		t.Errorf("per-account revoke of a reach the department keeps: want %q in\n%s", want, r.stdout)
	}
	r = runCLI(t, "--db", path, "access", "revoke", "--staff", tom, "--client", "Acme Ltd", "--json")
	wantCode(t, r, 0)
	var out revokeJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("revoke --json: %v\n%s", err, r.stdout)
	}
	accounts := map[string]bool{}
	for _, x := range out.StillReachesAccounts {
		if x.Client != "Acme Ltd" || x.Reason != reason {
			t.Errorf("revoke --json, still reached: %+v, want Acme Ltd for %q", x, reason)
		}
		accounts[x.Account] = true
	}
	if !accounts["Payroll"] || len(accounts) < 2 {
		t.Errorf("per-folder revoke --json names %v, want every account of Acme Ltd\n%s", accounts, r.stdout)
	}
	// An Advisor keeps nothing: the list is there, and empty.
	r = runCLI(t, "--db", path, "access", "revoke", "--staff", sara, "--json")
	wantCode(t, r, 0)
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.StillReachesAccounts == nil || len(out.StillReachesAccounts) != 0 {
		t.Errorf("revoke --json of an Advisor: %v\n%s", err, r.stdout)
	}
}

// On generated organisations with random custom roles, every per-account
// and per-folder revoke names exactly the accounts the engine says the
// member still reaches there afterwards (model.RoleReach), with its reason.
func TestRevokeStillReachesAgreesWithTheEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := model.System("test")
	var kept, lost int
	for _, seed := range []uint64{1, 2} {
		o := newAgreementOrg(t, seed, false)
		emails := map[int64]string{}
		for _, m := range o.members {
			emails[m.ID] = m.Email
		}
		folders := map[int64]model.Client{}
		for _, c := range o.folders {
			folders[c.ID] = c
		}
		done := map[[2]int64]bool{}
		for i, g := range o.grants {
			pair := [2]int64{g.StaffID, g.ClientID}
			if done[pair] || i%3 != 0 {
				continue
			}
			done[pair] = true
			c := folders[g.ClientID]
			args := []string{"access", "revoke", "--staff", emails[g.StaffID], "--client", c.Name, "--json"}
			want := map[string]bool{}
			for _, acc := range o.accounts[c.ID] {
				want[acc.Name] = true
			}
			if g.AccountID != 0 {
				args = append(args, "--account", g.Account)
				want = map[string]bool{g.Account: true}
			}
			var stdout, stderr bytes.Buffer
			if code := runCommand(ctx, o.svc, sys, args, &stdout, &stderr); code != 0 {
				t.Fatalf("seed %d, %v: exit %d: %s", seed, args, code, stderr.String())
			}
			var out revokeJSON
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("seed %d, %v: %v", seed, args, err)
			}
			reach, err := o.svc.RoleReach(ctx, sys, c.ID, []int64{g.StaffID})
			if err != nil {
				t.Fatal(err)
			}
			d, reached := reach[g.StaffID]
			var wantText []string
			if reached {
				for name := range want {
					wantText = append(wantText, name+": "+d.Reason)
				}
				kept++
			} else {
				lost++
			}
			var got []string
			for _, x := range out.StillReachesAccounts {
				if x.Client != c.Name || !want[x.Account] {
					t.Errorf("seed %d, %v: names %+v, not an account revoked", seed, args, x)
				}
				got = append(got, x.Account+": "+x.Reason)
			}
			if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(wantText)) {
				t.Errorf("seed %d, %v: still reaches %v, engine %v", seed, args, got, wantText)
			}
		}
	}
	if kept == 0 || lost == 0 {
		t.Fatalf("not a test: %d revokes kept a reach, %d lost it", kept, lost)
	}
}

func sorted(xs []string) []string {
	out := append([]string{}, xs...)
	slices.Sort(out)
	return out
}
