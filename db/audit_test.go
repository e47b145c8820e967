package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

// appendEntries writes n entries, each in its own write transaction.
func appendEntries(t *testing.T, d *DB, n int) []AuditEntry {
	t.Helper()
	ctx := context.Background()
	var out []AuditEntry
	base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		err := d.Write(ctx, func(tx *sql.Tx) error {
			e, err := AppendAudit(ctx, tx, AuditEntry{
				At: base.Add(time.Duration(i) * time.Second), ActorKind: "member", ActorID: 1, Actor: "owner@acme.test", Origin: "local terminal",
				Action: "access.grant", TargetKind: "client", TargetID: int64(i + 1), Target: fmt.Sprintf("Client %d", i),
				Before: `{"member":false}`, After: `{"member":true}`,
			})
			out = append(out, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func verify(t *testing.T, d *DB) (int64, *ChainBreak) {
	t.Helper()
	n, brk, err := VerifyAudit(context.Background(), d.Read())
	if err != nil {
		t.Fatal(err)
	}
	return n, brk
}

func TestAuditEntriesChain(t *testing.T) {
	d, _ := openTemp(t)
	if n, brk := verify(t, d); n != 0 || brk != nil {
		t.Fatalf("empty log: %d, %+v", n, brk)
	}
	es := appendEntries(t, d, 6)
	if es[0].ID != 1 || es[0].PrevHash != GenesisHash {
		t.Fatalf("first entry = %+v", es[0])
	}
	for i := 1; i < len(es); i++ {
		if es[i].ID != es[i-1].ID+1 || es[i].PrevHash != es[i-1].Hash {
			t.Fatalf("entry %d does not link to entry %d", es[i].ID, es[i-1].ID)
		}
		if es[i].Hash == es[i-1].Hash {
			t.Fatalf("entries %d and %d hash alike", es[i].ID, es[i-1].ID)
		}
	}
	// What was stored is what was hashed.
	stored, err := ListAudit(context.Background(), d.Read(), AuditQuery{Scope: Scope{All: true}})
	if err != nil || len(stored) != 6 {
		t.Fatalf("stored = %d, %v", len(stored), err)
	}
	for _, e := range stored {
		if HashEntry(e) != e.Hash {
			t.Fatalf("stored entry %d does not hash to its hash", e.ID)
		}
	}
	if n, brk := verify(t, d); n != 6 || brk != nil {
		t.Fatalf("verify = %d, %+v", n, brk)
	}
}

func TestHashEntryCoversEveryField(t *testing.T) {
	e := AuditEntry{ID: 3, At: time.Unix(0, 42), ActorKind: "member", ActorID: 1, Actor: "a", Origin: "o", Action: "x",
		TargetKind: "k", TargetID: 2, Target: "t", StaffID: 4, ClientID: 5, Before: "b", After: "c", PrevHash: "p"}
	h := HashEntry(e)
	edits := map[string]func(*AuditEntry){
		"id": func(e *AuditEntry) { e.ID++ }, "at": func(e *AuditEntry) { e.At = e.At.Add(1) },
		"actor kind": func(e *AuditEntry) { e.ActorKind = "system" }, "actor id": func(e *AuditEntry) { e.ActorID++ },
		"actor": func(e *AuditEntry) { e.Actor += "!" }, "origin": func(e *AuditEntry) { e.Origin += "!" },
		"action": func(e *AuditEntry) { e.Action += "!" }, "target kind": func(e *AuditEntry) { e.TargetKind += "!" },
		"target id": func(e *AuditEntry) { e.TargetID++ }, "target": func(e *AuditEntry) { e.Target += "!" },
		"staff": func(e *AuditEntry) { e.StaffID++ }, "client": func(e *AuditEntry) { e.ClientID++ },
		"before": func(e *AuditEntry) { e.Before += "!" }, "after": func(e *AuditEntry) { e.After += "!" },
		"prev hash": func(e *AuditEntry) { e.PrevHash += "!" },
		// Moving text from one field to the next must not hash alike.
		"field boundary": func(e *AuditEntry) { e.Before, e.After = "bc", "" },
	}
	for name, edit := range edits {
		c := e
		edit(&c)
		if HashEntry(c) == h {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}
}

func TestVerifyAuditFindsAnEditedRow(t *testing.T) {
	d, _ := openTemp(t)
	appendEntries(t, d, 6)
	if _, err := d.SQL().Exec(`UPDATE audit_log SET after = '{"member":false}' WHERE id = 4`); err != nil {
		t.Fatal(err)
	}
	_, brk := verify(t, d)
	if brk == nil || brk.ID != 4 || !strings.Contains(brk.Reason, "entry 4") || !strings.Contains(brk.Reason, "changed") {
		t.Fatalf("break = %+v, want entry 4 changed", brk)
	}
}

func TestVerifyAuditFindsARehashedRow(t *testing.T) {
	// Someone who edits a row and recomputes its hash still breaks the
	// link from the next entry.
	ctx := context.Background()
	d, _ := openTemp(t)
	appendEntries(t, d, 6)
	es, err := ListAudit(ctx, d.Read(), AuditQuery{Scope: Scope{All: true}, BeforeID: 4, Limit: 1})
	if err != nil || len(es) != 1 || es[0].ID != 3 {
		t.Fatalf("entry 3 = %+v, %v", es, err)
	}
	e := es[0]
	e.Actor = "someone-else@acme.test"
	e.Hash = HashEntry(e)
	if _, err := d.SQL().Exec(`UPDATE audit_log SET actor = ?, hash = ? WHERE id = 3`, e.Actor, e.Hash); err != nil {
		t.Fatal(err)
	}
	_, brk := verify(t, d)
	if brk == nil || brk.ID != 4 || !strings.Contains(brk.Reason, "does not link") {
		t.Fatalf("break = %+v, want entry 4 not linking", brk)
	}
}

func TestVerifyAuditFindsADeletedRow(t *testing.T) {
	d, _ := openTemp(t)
	appendEntries(t, d, 6)
	if _, err := d.SQL().Exec(`DELETE FROM audit_log WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	n, brk := verify(t, d)
	if brk == nil || brk.ID != 4 || !strings.Contains(brk.Reason, "entry 4 follows entry 2") {
		t.Fatalf("break = %+v, want entry 4 after a gap", brk)
	}
	if n != 3 {
		t.Fatalf("checked %d entries before the break, want 3", n)
	}
	// Deleting the first entry is found too.
	d2, _ := openTemp(t)
	appendEntries(t, d2, 3)
	if _, err := d2.SQL().Exec(`DELETE FROM audit_log WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, brk := verify(t, d2); brk == nil || brk.ID != 2 {
		t.Fatalf("break = %+v, want entry 2", brk)
	}
}

func TestAppendAfterTamperingDoesNotHideIt(t *testing.T) {
	d, _ := openTemp(t)
	appendEntries(t, d, 4)
	if _, err := d.SQL().Exec(`UPDATE audit_log SET target = 'Other' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	appendEntries(t, d, 2)
	if _, brk := verify(t, d); brk == nil || brk.ID != 2 {
		t.Fatalf("break = %+v, want entry 2", brk)
	}
}
