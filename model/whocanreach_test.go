package model

import (
	"context"
	"path/filepath"
	"testing"

	"gatehouse/db"
)

// WhoCanReach reads its candidates' facts in one statement; it must name
// exactly the members the engine allows when each one's facts are loaded
// on their own (truth), with the same reason.
func TestWhoCanReachAgreesWithTheEngine(t *testing.T) {
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.GenerateLarge(ctx, System("t"), GenerateOptions{Seed: 5, Staff: 60, Clients: 30, AccountsPerClient: 2, Grants: 250, Audit: 10}); err != nil {
		t.Fatal(err)
	}
	q := svc.DB().Read()
	internal, err := db.InternalClient(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := svc.AddAccount(ctx, System("t"), internal.ID, "Own payroll")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, System("t"), 51, internal.ID, acc.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.AddToClient(ctx, System("t"), internal.ID, 50); err != nil {
		t.Fatal(err)
	}
	staff, err := int64Rows(ctx, q, `SELECT id FROM staff ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := int64Rows(ctx, q, `SELECT id FROM accounts ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	owner := Principal{Kind: KindSystem, Label: "t"}
	reached, total := 0, 0
	for _, a := range accounts {
		got, err := svc.WhoCanReach(ctx, owner, a)
		if err != nil {
			t.Fatal(err)
		}
		named := map[int64]Decision{}
		for _, r := range got {
			named[r.StaffID] = r.Decision
		}
		for _, s := range staff {
			want := truth(t, svc, s, a)
			d, ok := named[s]
			if ok != want.Allowed || (ok && d != want) {
				t.Fatalf("account %d staff %d: who-can-reach %v %+v, engine %+v", a, s, ok, d, want)
			}
			total++
			if ok {
				reached++
			}
		}
	}
	if reached == 0 || reached == total {
		t.Fatalf("degenerate data: %d of %d reach", reached, total)
	}
}

func int64Rows(ctx context.Context, q db.Querier, query string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
