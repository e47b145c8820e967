package model

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse/db"
)

// TestConcurrentWritersLoseNothing runs several processes (this test binary
// re-executed) and several goroutines in each, all granting, revoking and
// toggling access on the same file at once. Afterwards the access tables
// must equal what replaying the audit log gives, every success a worker saw
// must have exactly one audit entry, and no worker may ever have seen
// "database is locked".
func TestConcurrentWritersLoseNothing(t *testing.T) {
	if os.Getenv("GATEHOUSE_WORKER_DB") != "" {
		t.Skip("worker mode runs through TestConcurrencyWorker")
	}
	f := newFixture(t)
	owner := f.as(f.owner)
	var members []int64
	for i := 0; i < 4; i++ {
		m := f.member(fmt.Sprintf("Worker Subject %d", i), fmt.Sprintf("subject%d@acme.test", i), "Advisor")
		members = append(members, m.ID)
	}
	for i := 0; i < 3; i++ {
		if _, err := f.svc.CreateClient(f.ctx, owner, ClientInput{Name: fmt.Sprintf("Client %d", i), Accounts: []string{"Payroll", "Leave", "Tax"}}); err != nil {
			t.Fatal(err)
		}
	}
	start := f.auditCount()
	procs, iters := 3, 60
	if testing.Short() {
		iters = 25
	}
	var wg sync.WaitGroup
	results := make([]string, procs)
	errs := make([]error, procs)
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrencyWorker$", "-test.v")
			cmd.Env = append(os.Environ(), "GATEHOUSE_WORKER_DB="+f.svc.Path(), "GATEHOUSE_WORKER_SEED="+strconv.Itoa(i+1), "GATEHOUSE_WORKER_ITERS="+strconv.Itoa(iters))
			out, err := cmd.CombinedOutput()
			results[i], errs[i] = string(out), err
		}(i)
	}
	// This process writes too, from two goroutines.
	local := make([]int, 2)
	localErr := make([]error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			local[g], localErr[g] = churn(f.svc, uint64(100+g), iters)
		}(g)
	}
	wg.Wait()
	total := local[0] + local[1]
	for g, err := range localErr {
		if err != nil {
			t.Fatalf("local writer %d: %v", g, err)
		}
	}
	for i, out := range results {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v\n%s", i, errs[i], out)
		}
		_, after, ok := strings.Cut(out, "WORKER-OK ")
		if !ok {
			t.Fatalf("worker %d printed no result:\n%s", i, out)
		}
		n, _ := strconv.Atoi(strings.Fields(after)[0])
		total += n
	}
	if total < procs*iters/4 {
		t.Fatalf("only %d of %d changes succeeded: the run proves little", total, (procs+2)*iters)
	}
	t.Logf("%d changes from %d processes and 2 goroutines", total, procs)
	if got := f.auditCount() - start; got != total {
		t.Fatalf("workers saw %d successful changes, the audit log has %d", total, got)
	}
	if _, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil {
		t.Fatalf("chain after concurrency: %+v %v", brk, err)
	}
	replayMatchesTables(t, f, start, members)
}

// TestConcurrencyWorker is the body of one worker process.
func TestConcurrencyWorker(t *testing.T) {
	path := os.Getenv("GATEHOUSE_WORKER_DB")
	if path == "" {
		t.Skip("only runs as a worker of TestConcurrentWritersLoseNothing")
	}
	svc, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	seed, _ := strconv.Atoi(os.Getenv("GATEHOUSE_WORKER_SEED"))
	iters, _ := strconv.Atoi(os.Getenv("GATEHOUSE_WORKER_ITERS"))
	n, err := churn(svc, uint64(seed), iters)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("WORKER-OK %d\n", n)
}

// churn makes random access changes and returns how many succeeded. Refusals
// the rules call for (already added, already on) are expected; any other
// error, a busy database above all, fails the run.
func churn(svc *Service, seed uint64, iters int) (int, error) {
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, seed*7))
	sys := System(fmt.Sprintf("worker-%d", seed))
	q := svc.DB().Read()
	staff, err := db.ListMembers(ctx, q, db.MemberQuery{Scope: db.Scope{All: true}, RoleID: db.RoleAdvisor})
	if err != nil {
		return 0, err
	}
	clients, err := db.ListClients(ctx, q, db.ClientQuery{Scope: db.Scope{All: true}})
	if err != nil {
		return 0, err
	}
	var live []Client
	for _, c := range clients {
		if !c.Internal {
			live = append(live, c)
		}
	}
	ok := 0
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < iters && time.Now().Before(deadline); i++ {
		m := staff[rnd.IntN(len(staff))]
		c := live[rnd.IntN(len(live))]
		accs, err := db.ListAccounts(ctx, q, c.ID)
		if err != nil {
			return ok, err
		}
		acc := accs[rnd.IntN(len(accs))]
		switch rnd.IntN(4) {
		case 0:
			err = svc.AddToClient(ctx, sys, c.ID, m.ID)
		case 1:
			err = svc.RemoveFromClient(ctx, sys, c.ID, m.ID)
		case 2:
			err = svc.SetAccountAccess(ctx, sys, acc.ID, m.ID, rnd.IntN(2) == 0)
		case 3:
			var n int
			n, err = svc.Revoke(ctx, sys, m.ID, c.ID, acc.ID)
			if err == nil && n != 1 {
				return ok, fmt.Errorf("revoke of one account revoked %d", n)
			}
		}
		switch {
		case err == nil:
			ok++
		case strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy"):
			return ok, fmt.Errorf("a user saw: %w", err)
		case errors.Is(err, ErrRule), errors.Is(err, ErrConflict), errors.Is(err, ErrNotFound):
		default:
			return ok, err
		}
	}
	return ok, nil
}

// replayMatchesTables rebuilds memberships and toggles from the audit
// entries after start and compares them with the tables.
func replayMatchesTables(t *testing.T, f *fixture, start int, members []int64) {
	t.Helper()
	q := f.svc.DB().Read()
	type pair struct{ a, b int64 }
	inFolder := map[pair]bool{}
	on := map[pair]bool{}
	accountsOf := map[int64][]int64{}
	err := db.EachAudit(f.ctx, q, db.AuditQuery{Scope: db.Scope{All: true}, AfterID: int64(start)}, func(e db.AuditEntry) error {
		switch e.Action {
		case "access.add":
			inFolder[pair{e.ClientID, e.StaffID}] = true
			if strings.Contains(e.After, "all on") {
				if _, ok := accountsOf[e.ClientID]; !ok {
					accs, err := db.ListAccounts(f.ctx, q, e.ClientID)
					if err != nil {
						return err
					}
					for _, a := range accs {
						accountsOf[e.ClientID] = append(accountsOf[e.ClientID], a.ID)
					}
				}
				for _, a := range accountsOf[e.ClientID] {
					on[pair{a, e.StaffID}] = true
				}
			}
		case "access.remove":
			delete(inFolder, pair{e.ClientID, e.StaffID})
			for k := range on {
				acc, err := db.GetAccount(f.ctx, q, k.a)
				if err != nil {
					return err
				}
				if k.b == e.StaffID && acc.ClientID == e.ClientID {
					delete(on, k)
				}
			}
		case "access.toggle":
			on[pair{e.TargetID, e.StaffID}] = strings.Contains(e.After, `"on"`)
			if !on[pair{e.TargetID, e.StaffID}] {
				delete(on, pair{e.TargetID, e.StaffID})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	gotFolder := map[pair]bool{}
	gotOn := map[pair]bool{}
	for _, m := range members {
		cids, err := db.MemberClientIDs(f.ctx, q, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cids {
			gotFolder[pair{c, m}] = true
		}
		aids, err := db.MemberToggledAccountIDs(f.ctx, q, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range aids {
			gotOn[pair{a, m}] = true
		}
	}
	if fmt.Sprint(gotFolder) != fmt.Sprint(inFolder) {
		t.Fatalf("memberships differ from the audit log:\n table %v\n audit %v", gotFolder, inFolder)
	}
	if fmt.Sprint(gotOn) != fmt.Sprint(on) {
		t.Fatalf("toggles differ from the audit log:\n table %v\n audit %v", gotOn, on)
	}
	if len(gotFolder) == 0 && len(gotOn) == 0 {
		t.Log("note: the run ended with no access at all")
	}
}
