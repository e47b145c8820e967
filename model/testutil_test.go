package model

import (
	"context"
	"path/filepath"
	"testing"

	"gatehouse/db"
)

func init() { SetFastHashForTests() }

// fixture is a fresh organisation on a real SQLite file in a temp dir.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *Service
	sys   Principal
	owner Member
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	sys := System("tester")
	owner, err := svc.Setup(ctx, sys, SetupInput{OrgName: "Acme Partners", OwnerName: "Olivia Owner", OwnerEmail: "owner@acme.test", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, svc: svc, sys: sys, owner: owner}
}

// as returns the principal of a member.
func (f *fixture) as(m Member) Principal { return MemberPrincipal(m, "test") }

// member creates an active member with a role directly (invite + accept).
func (f *fixture) member(name, email, role string) Member {
	f.t.Helper()
	_, code, err := f.svc.Invite(f.ctx, f.sys, InviteInput{Email: email, Name: name, Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	m, err := f.svc.AcceptInvitation(f.ctx, code, "password-"+email, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// auditCount counts audit entries.
func (f *fixture) auditCount() int {
	f.t.Helper()
	var n int
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// lastAudit returns the newest audit entry.
func (f *fixture) lastAudit() AuditEntry {
	f.t.Helper()
	es, err := db.ListAudit(f.ctx, f.svc.DB().Read(), db.AuditQuery{Scope: db.Scope{All: true}, Limit: 1})
	if err != nil || len(es) == 0 {
		f.t.Fatalf("no audit entry: %v", err)
	}
	return es[0]
}
