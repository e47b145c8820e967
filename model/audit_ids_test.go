package model

import (
	"slices"
	"testing"
)

// The audit entries a context collects are those its committed writes
// appended, in order; a refused write adds none.
func TestWithAuditIDsCollectsCommittedEntries(t *testing.T) {
	f := newFixture(t)
	ctx, rec := WithAuditIDs(f.ctx)
	c, err := f.svc.CreateClient(ctx, f.sys, ClientInput{Name: "Harbour Bakery", Accounts: []string{"Payroll"}})
	if err != nil {
		t.Fatal(err)
	}
	created := f.lastAudit()
	if _, err := f.svc.CreateClient(ctx, f.sys, ClientInput{Name: "Harbour Bakery"}); err == nil {
		t.Fatal("a second folder of the same name was created")
	}
	if err := f.svc.RenameClient(ctx, f.sys, c.ID, "Harbour Bakery Ltd"); err != nil {
		t.Fatal(err)
	}
	renamed := f.lastAudit()
	if got := rec.IDs(); !slices.Equal(got, []int64{created.ID, renamed.ID}) || created.Action != "client.create" || renamed.Action != "client.rename" {
		t.Fatalf("collected %v; want the create (%d, %s) and the rename (%d, %s)", got, created.ID, created.Action, renamed.ID, renamed.Action)
	}
	// A context without a collector collects nothing and changes nothing.
	if err := f.svc.RenameClient(f.ctx, f.sys, c.ID, "Harbour Bakery"); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.IDs()); n != 2 {
		t.Fatalf("a write under another context was collected: %d", n)
	}
}
