package db

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"testing"
)

// randomChain writes n entries of random text (NULs, control and
// multi-byte characters, separators; ids of 0 stored as NULL) chained as
// AppendAudit chains them, with the format's own hash.
func randomChain(t *testing.T, d *DB, n int64) string {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	prev := GenesisHash
	err := d.Write(context.Background(), func(tx *sql.Tx) error {
		for i := int64(1); i <= n; i++ {
			e := randomEntry(r, i, prev)
			if i%7 == 0 {
				e.Before = string(make([]byte, 3000+r.IntN(3000))) // larger than a small buffer
			}
			e.Hash = oldHashEntry(e)
			if _, err := tx.Exec(`INSERT INTO audit_log (id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target, staff_id, client_id, before, after, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.At.UnixNano(), e.ActorKind, nullID(e.ActorID), e.Actor, e.Origin, e.Action,
				e.TargetKind, nullID(e.TargetID), e.Target, nullID(e.StaffID), nullID(e.ClientID), e.Before, e.After, e.PrevHash, e.Hash); err != nil {
				return err
			}
			prev = e.Hash
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return prev
}

// The walk in C writes the bytes HashEntry hashes: a chain of random
// entries verifies through it alone (no break for the snapshot walk to
// clear), whatever the buffer's size, and every way of breaking the chain
// is found at the same entry, for the same reason, as the walk in the
// caller's snapshot finds it.
func TestFileWalkAgreesWithTheSnapshotWalk(t *testing.T) {
	ctx := context.Background()
	for _, tamper := range []string{
		``,
		`UPDATE audit_log SET target = target || 'x' WHERE id = 17`,
		`UPDATE audit_log SET actor_id = 99 WHERE id = 30`,
		`UPDATE audit_log SET staff_id = NULL WHERE id = 31 AND staff_id IS NOT NULL`,
		`UPDATE audit_log SET at = at + 1 WHERE id = 44`,
		`UPDATE audit_log SET before = 'x' WHERE id = 49`,
		`DELETE FROM audit_log WHERE id = 58`,
		`UPDATE audit_log SET prev_hash = hash WHERE id = 2`,
		`UPDATE audit_log SET prev_hash = hash WHERE id = 1`,
		`UPDATE audit_log SET hash = upper(hash) WHERE id = 80`,
	} {
		for _, size := range []int{1 << 20, 900, 1} {
			old := fileWalkBuffer
			fileWalkBuffer = size
			d, path := openTemp(t)
			head := randomChain(t, d, 100)
			if tamper != "" {
				if _, err := d.SQL().Exec(tamper); err != nil {
					t.Fatal(err)
				}
			}
			got, err := walkFile(ctx, path, 0, 100, 0, GenesisHash, false)
			fileWalkBuffer = old
			if err != nil {
				t.Fatal(err)
			}
			want, err := walkRange(ctx, d.Read(), 0, 100, 0, GenesisHash, false)
			if err != nil {
				t.Fatal(err)
			}
			if tamper == "" {
				if got.brk != nil || got.entries != 100 || got.firstID != 1 || got.lastID != 100 || got.lastHash != head || got.firstPrev != GenesisHash {
					t.Fatalf("buffer %d: untouched chain walked as %+v (break %+v)", size, got, got.brk)
				}
				continue
			}
			if want.brk == nil {
				t.Fatalf("%s: the snapshot walk finds no break", tamper)
			}
			if got.brk == nil || *got.brk != *want.brk {
				t.Errorf("%s, buffer %d: file walk break %+v, snapshot walk %+v", tamper, size, got.brk, want.brk)
			}
		}
	}
}

// A chain verified through the file walk and through the snapshot walk
// alone ends in the same state.
func TestVerifyWithAndWithoutTheFileWalk(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	randomChain(t, d, 120)
	withFile, brk, err := VerifyAuditChain(ctx, d.Read(), ChainPosition{})
	if err != nil || brk != nil {
		t.Fatalf("file walk: %+v %v", brk, err)
	}
	fileWalk = false
	t.Cleanup(func() { fileWalk = true })
	without, brk, err := VerifyAuditChain(ctx, d.Read(), ChainPosition{})
	if err != nil || brk != nil {
		t.Fatalf("snapshot walk: %+v %v", brk, err)
	}
	if withFile != without {
		t.Fatalf("file walk %+v, snapshot walk %+v", withFile, without)
	}
}
