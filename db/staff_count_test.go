package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// staffCountsAgree checks the count the triggers keep against counting
// the table, and that the unfiltered list's count is it.
func staffCountsAgree(t *testing.T, q Querier, want int) {
	t.Helper()
	ctx := context.Background()
	var counted, kept int
	if err := q.QueryRowContext(ctx, `SELECT count(*), (SELECT n FROM staff_count WHERE id = 1) FROM staff`).Scan(&counted, &kept); err != nil {
		t.Fatal(err)
	}
	listed, err := CountMembers(ctx, q, MemberQuery{Scope: Scope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if counted != want || kept != want || listed != want {
		t.Fatalf("staff: %d rows, %d kept by the triggers, %d in the list's count; want %d", counted, kept, listed, want)
	}
}

// The member count the list's title shows follows every insert and
// delete, a whole organisation's deletion included, and a filtered count
// still counts the rows.
func TestStaffCountFollowsInsertsAndDeletes(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	staffCountsAgree(t, d.Read(), 0)
	var ids []int64
	err := d.Write(ctx, func(tx *sql.Tx) error {
		for i := range 7 {
			email := fmt.Sprintf("m%d@acme.test", i)
			id, err := InsertStaff(ctx, tx, fmt.Sprintf("Member %d", i), email, email, RoleAdvisor, "active", "", time.Now())
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	staffCountsAgree(t, d.Read(), 7)
	if n, err := CountMembers(ctx, d.Read(), MemberQuery{Scope: Scope{All: true}, Text: "Member 3"}); err != nil || n != 1 {
		t.Fatalf("filtered count = %d, %v; want 1", n, err)
	}
	if err := d.Write(ctx, func(tx *sql.Tx) error { return DeleteMember(ctx, tx, ids[2]) }); err != nil {
		t.Fatal(err)
	}
	staffCountsAgree(t, d.Read(), 6)
	if err := d.Write(ctx, func(tx *sql.Tx) error { _, err := DeleteOrganisation(ctx, tx); return err }); err != nil {
		t.Fatal(err)
	}
	staffCountsAgree(t, d.Read(), 0)
}

// A file with members before the count was kept starts it at their number.
func TestStaffCountStartsAtTheMembersAFileHas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	for _, m := range ms {
		if m.version > 5 {
			break
		}
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	if _, err := raw.Exec(`PRAGMA user_version = 5`); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if _, err := raw.Exec(`INSERT INTO staff (name, email, role_id, status, created_at) VALUES (?, ?, ?, 'active', 0)`,
			fmt.Sprintf("Old %d", i), fmt.Sprintf("old%d@acme.test", i), RoleAdvisor); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	staffCountsAgree(t, d.Read(), 4)
}
