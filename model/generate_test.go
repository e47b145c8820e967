package model

import (
	"context"
	"path/filepath"
	"testing"
)

func TestGenerateLargeIsDeterministicAndConsistent(t *testing.T) {
	counts := func() map[string]int {
		ctx := context.Background()
		svc, err := Open(ctx, filepath.Join(t.TempDir(), "large.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer svc.Close()
		rep, err := svc.GenerateLarge(ctx, System("tester"), GenerateOptions{Seed: 7, Staff: 120, Clients: 300, AccountsPerClient: 3, Grants: 900, Audit: 3000})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows == 0 || len(rep.Stages) != 5 {
			t.Fatalf("report = %+v", rep)
		}
		n, brk, err := svc.VerifyAudit(ctx)
		if err != nil || brk != nil || n < 3000 {
			t.Fatalf("verify = %d %+v %v", n, brk, err)
		}
		out := map[string]int{}
		for _, tbl := range []string{"staff", "clients", "accounts", "client_members", "account_access", "audit_log"} {
			var c int
			if err := svc.DB().Read().QueryRowContext(ctx, "SELECT count(*) FROM "+tbl).Scan(&c); err != nil {
				t.Fatal(err)
			}
			out[tbl] = c
		}
		var fk int
		rows, err := svc.DB().Read().QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			fk++
		}
		rows.Close()
		if fk != 0 {
			t.Fatalf("%d foreign key violations", fk)
		}
		// Every toggle belongs to an account of its own folder.
		var bad int
		svc.DB().Read().QueryRowContext(ctx, `SELECT count(*) FROM account_access aa JOIN accounts a ON a.id = aa.account_id WHERE a.client_id != aa.client_id`).Scan(&bad)
		if bad != 0 {
			t.Fatalf("%d toggles point at another folder's account", bad)
		}
		// The chain head hash covers every generated entry's content.
		var head string
		svc.DB().Read().QueryRowContext(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&head)
		out["head:"+head] = 1
		var sig int
		svc.DB().Read().QueryRowContext(ctx, `SELECT sum(client_id * 31 + staff_id) % 1000003 FROM client_members`).Scan(&sig)
		out["members-signature"] = sig
		return out
	}
	a, b := counts(), counts()
	if a["staff"] != 120 || a["clients"] != 301 || a["accounts"] != 900 || a["client_members"] != 900 {
		t.Fatalf("counts = %v", a)
	}
	for k := range a {
		if a[k] != b[k] {
			t.Fatalf("not deterministic: %v vs %v", a, b)
		}
	}
}
