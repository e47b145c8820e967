package model

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestDeleteOrganisation(t *testing.T) {
	f, c, _, adv := acmeFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	if err := f.svc.AddToClient(f.ctx, f.as(f.owner), c.ID, adv.ID); err != nil {
		t.Fatal(err)
	}
	entries := f.auditCount()
	before := f.lastAudit()
	// Only the Owner, with the password and the name typed.
	for _, who := range []Member{adm, adv} {
		if _, err := f.svc.DeleteOrganisation(f.ctx, f.as(who), "password-"+who.Email, "Acme Partners"); !errors.Is(err, ErrDenied) {
			t.Fatalf("%s deleted the organisation: %v", who.Email, err)
		}
	}
	if _, err := f.svc.DeleteOrganisation(f.ctx, f.as(f.owner), "wrong password", "Acme Partners"); !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "nothing was deleted") {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := f.svc.DeleteOrganisation(f.ctx, f.as(f.owner), "correct horse battery", "Acme"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("wrong name: %v", err)
	}
	if f.auditCount() != entries {
		t.Fatal("refused deletions wrote to the log")
	}
	got, err := f.svc.DeleteOrganisation(f.ctx, f.as(f.owner), "correct horse battery", "Acme Partners")
	if err != nil {
		t.Fatal(err)
	}
	if got.Org != "Acme Partners" || got.Entries != int64(entries) || got.HeadHash != before.Hash || got.Rows == 0 {
		t.Fatalf("deletion = %+v", got)
	}
	if has, _ := f.svc.HasOrg(f.ctx); has {
		t.Fatal("the organisation is still there")
	}
	for _, table := range []string{"staff", "clients", "accounts", "client_members", "account_access", "invitations", "departments"} {
		var n int
		if err := f.svc.DB().Read().QueryRowContext(f.ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s holds %d rows (%v)", table, n, err)
		}
	}
	// One entry remains, the start of a new chain, naming the old head.
	e := f.lastAudit()
	if f.auditCount() != 1 || e.ID != 1 || e.Action != "org.delete" || e.Actor != f.owner.Email || !strings.Contains(e.Before, before.Hash) {
		t.Fatalf("log after deletion: %d entries, last %+v", f.auditCount(), e)
	}
	if n, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil || n != 1 {
		t.Fatalf("verify = %d %+v %v", n, brk, err)
	}
	// The names are gone from the file itself, not only from the tables.
	raw, err := os.ReadFile(f.svc.Path())
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(f.svc.Path() + "-wal"); err == nil {
		raw = append(raw, wal...)
	}
	if strings.Contains(string(raw), "Ann Advisor") || strings.Contains(string(raw), "ada@acme.test") {
		t.Fatal("deleted names remain in the database file")
	}
	// The file takes a new organisation.
	if _, err := f.svc.Setup(f.ctx, f.sys, SetupInput{OrgName: "Next Co", OwnerName: "Nia Next", OwnerEmail: "nia@next.test", Password: "another long passphrase"}); err != nil {
		t.Fatal(err)
	}
	if _, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil {
		t.Fatalf("verify after a new setup: %+v %v", brk, err)
	}
}
