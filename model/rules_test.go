// Over 600 lines: one test per product rule, on one fixture, so that the
// rules read as one list.

package model

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gatehouse/db"
)

// rulesState is everything a refused action must leave as it was: the
// rows that say who is who, who reaches what, and the audit log's length.
func (f *fixture) rulesState() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, name, email, role_id, status, COALESCE(manager_id, 0), password_hash FROM staff ORDER BY id`,
		`SELECT id, name, COALESCE(owner_id, 0), COALESCE(department_id, 0), internal, archived_at FROM clients ORDER BY id`,
		`SELECT client_id, staff_id FROM client_members ORDER BY 1, 2`,
		`SELECT account_id, staff_id FROM account_access ORDER BY 1, 2`,
		`SELECT id, email, name, role_id, status, token_hash, expires_at FROM invitations ORDER BY id`,
		`SELECT count(*), COALESCE(max(id), 0) FROM audit_log`,
	} {
		rows, err := f.svc.DB().Read().QueryContext(f.ctx, q)
		if err != nil {
			f.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				f.t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// refused runs op, which must fail with an error matching target and whose
// message contains fragment, and checks that nothing changed and no audit
// entry was written.
func (f *fixture) refused(op string, target error, fragment string, fn func() error) {
	f.t.Helper()
	before, n := f.rulesState(), f.auditCount()
	err := fn()
	if err == nil {
		f.t.Fatalf("%s: succeeded, want %v", op, target)
	}
	if !errors.Is(err, target) {
		f.t.Fatalf("%s: err = %v, want %v", op, err, target)
	}
	if !strings.Contains(err.Error(), fragment) {
		f.t.Fatalf("%s: err %q does not say %q", op, err, fragment)
	}
	if strings.ContainsAny(err.Error(), "\x1b\x07\u202e") {
		f.t.Fatalf("%s: error message carries raw control characters: %q", op, err)
	}
	if after := f.rulesState(); after != before {
		f.t.Fatalf("%s: refused, yet the data changed:\nbefore:\n%s\nafter:\n%s", op, before, after)
	}
	if f.auditCount() != n {
		f.t.Fatalf("%s: refused, yet an audit entry was written", op)
	}
}

// ok fails the test on err.
func (f *fixture) ok(op string, err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", op, err)
	}
}

// insertClient creates a client folder straight in the store.
func (f *fixture) insertClient(name string, ownerID int64) int64 {
	f.t.Helper()
	var id int64
	f.ok("insert client "+name, f.svc.DB().Write(f.ctx, func(tx *sql.Tx) error {
		var err error
		id, err = db.InsertClient(f.ctx, tx, name, ownerID, 0, false, f.svc.Now())
		return err
	}))
	return id
}

// addToClient adds a member to a folder with one account toggled on.
func (f *fixture) addToClient(clientID, staffID int64, account string) {
	f.t.Helper()
	f.ok("add to client", f.svc.DB().Write(f.ctx, func(tx *sql.Tx) error {
		if _, err := db.AddClientMember(f.ctx, tx, clientID, staffID, f.svc.Now()); err != nil {
			return err
		}
		accID, err := db.InsertAccount(f.ctx, tx, clientID, account, f.svc.Now())
		if err != nil {
			return err
		}
		_, err = db.SetAccountToggle(f.ctx, tx, clientID, accID, staffID, true)
		return err
	}))
}

func (f *fixture) clientOwner(clientID int64) int64 {
	f.t.Helper()
	var owner sql.NullInt64
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, `SELECT owner_id FROM clients WHERE id = ?`, clientID).Scan(&owner); err != nil {
		f.t.Fatal(err)
	}
	return owner.Int64
}

func (f *fixture) reload(m Member) Member {
	f.t.Helper()
	got, err := db.GetMember(f.ctx, f.svc.DB().Read(), m.ID)
	if err != nil {
		f.t.Fatalf("reload %s: %v", m.Email, err)
	}
	return got
}

func (f *fixture) countRows(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.svc.DB().Read().QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestRuleExactlyOneOwner(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	owner := f.as(f.owner)

	f.refused("owner makes an admin owner", ErrDenied, "exactly one Owner", func() error {
		return f.svc.SetRole(f.ctx, owner, adm.ID, "Owner")
	})
	f.refused("system makes an admin owner", ErrDenied, "exactly one Owner", func() error {
		return f.svc.SetRole(f.ctx, f.sys, adm.ID, "owner")
	})
	f.refused("owner invites a second owner", ErrDenied, "exactly one Owner", func() error {
		_, _, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "new@acme.test", Name: "New", Role: "Owner"})
		return err
	})
	f.refused("admin changes the owner's role", ErrDenied, "transfer of ownership", func() error {
		return f.svc.SetRole(f.ctx, f.as(adm), f.owner.ID, "Advisor")
	})

	// The store itself refuses a second Owner, whatever the SQL.
	raw := f.svc.DB().SQL()
	_, err := raw.ExecContext(f.ctx, `UPDATE staff SET role_id = ? WHERE id = ?`, db.RoleOwner, adm.ID)
	if !db.IsUnique(err) {
		t.Fatalf("raw second owner by UPDATE: err = %v, want a UNIQUE failure", err)
	}
	_, err = raw.ExecContext(f.ctx, `INSERT INTO staff (name, email, role_id, status, created_at) VALUES ('X', 'x@acme.test', ?, 'active', 0)`, db.RoleOwner)
	if !db.IsUnique(err) {
		t.Fatalf("raw second owner by INSERT: err = %v, want a UNIQUE failure", err)
	}
	if n := f.countRows(`SELECT count(*) FROM staff WHERE role_id = ?`, db.RoleOwner); n != 1 {
		t.Fatalf("%d owners", n)
	}
}

func TestRuleNoOneChangesThemselves(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	for _, m := range []Member{f.owner, adm} {
		p := f.as(m)
		f.refused(m.Email+" deactivates themselves", ErrDenied, "themselves", func() error {
			return f.svc.Deactivate(f.ctx, p, m.ID)
		})
		f.refused(m.Email+" removes themselves", ErrDenied, "themselves", func() error {
			return f.svc.Remove(f.ctx, p, m.ID, 0)
		})
		f.refused(m.Email+" offboards themselves", ErrDenied, "themselves", func() error {
			_, err := f.svc.Offboard(f.ctx, p, m.ID, 0)
			return err
		})
		f.refused(m.Email+" demotes themselves", ErrDenied, "their own role", func() error {
			return f.svc.SetRole(f.ctx, p, m.ID, "Advisor")
		})
	}
}

func TestRuleOnlyTheOwnerMakesOrUnmakesAdmins(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	adm2 := f.member("Abe Admin", "abe@acme.test", "Admin")
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")

	for _, c := range []struct {
		op     string
		target Member
		role   string
	}{
		{"admin promotes an advisor", adv, "Admin"},
		{"admin demotes an admin", adm2, "Advisor"},
	} {
		before := f.auditCount()
		err := f.svc.SetRole(f.ctx, f.as(adm), c.target.ID, c.role)
		var denied *DeniedError
		if !errors.As(err, &denied) {
			t.Fatalf("%s: err = %v, want a DeniedError", c.op, err)
		}
		if !strings.Contains(denied.Error(), "only the Owner makes or unmakes Admins") {
			t.Fatalf("%s: message %q does not say only the Owner makes or unmakes Admins", c.op, denied.Error())
		}
		if f.reload(c.target).RoleName != c.target.RoleName || f.auditCount() != before {
			t.Fatalf("%s: refused, yet something changed", c.op)
		}
	}

	f.ok("owner promotes", f.svc.SetRole(f.ctx, f.as(f.owner), adv.ID, "Admin"))
	if got := f.reload(adv).RoleName; got != "Admin" {
		t.Fatalf("role = %s", got)
	}
	e := f.lastAudit()
	if e.Action != "staff.set-role" || e.StaffID != adv.ID || !strings.Contains(e.Before, "Advisor") || !strings.Contains(e.After, "Admin") || e.Actor != f.owner.Email {
		t.Fatalf("audit = %+v", e)
	}
	f.ok("owner demotes", f.svc.SetRole(f.ctx, f.as(f.owner), adm2.ID, "Advisor"))
	if got := f.reload(adm2).RoleName; got != "Advisor" {
		t.Fatalf("role = %s", got)
	}
	f.refused("advisor changes a role", ErrDenied, "may not update staff", func() error {
		return f.svc.SetRole(f.ctx, f.as(f.reload(adm2)), adm.ID, "Advisor")
	})
}

func TestRuleAdminDeactivatesAdvisorsNeverTheOwner(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	pa := f.as(adm)

	f.refused("admin deactivates the owner", ErrDenied, "the Owner cannot be deactivated", func() error {
		return f.svc.Deactivate(f.ctx, pa, f.owner.ID)
	})
	f.refused("admin removes the owner", ErrDenied, "the Owner cannot be removed", func() error {
		return f.svc.Remove(f.ctx, pa, f.owner.ID, 0)
	})
	f.refused("admin offboards the owner", ErrDenied, "the Owner cannot be deactivated", func() error {
		_, err := f.svc.Offboard(f.ctx, pa, f.owner.ID, 0)
		return err
	})
	f.refused("advisor deactivates the admin", ErrDenied, "may not update staff", func() error {
		return f.svc.Deactivate(f.ctx, f.as(adv), adm.ID)
	})

	f.ok("admin deactivates advisor", f.svc.Deactivate(f.ctx, pa, adv.ID))
	if got := f.reload(adv).Status; got != "deactivated" {
		t.Fatalf("status = %s", got)
	}
	if e := f.lastAudit(); e.Action != "staff.deactivate" || e.StaffID != adv.ID || e.Actor != adm.Email {
		t.Fatalf("audit = %+v", e)
	}
	// A deactivation takes effect at once, for a session already open.
	f.refused("deactivated advisor acts", ErrDenied, "deactivated", func() error {
		_, _, err := f.svc.ListStaff(f.ctx, f.as(adv), MemberQuery{Limit: 10})
		return err
	})
	f.refused("deactivate twice", ErrRule, "already deactivated", func() error {
		return f.svc.Deactivate(f.ctx, pa, adv.ID)
	})
	f.ok("admin reactivates advisor", f.svc.Reactivate(f.ctx, pa, adv.ID))
	if _, _, err := f.svc.ListStaff(f.ctx, f.as(adv), MemberQuery{Limit: 10}); err != nil {
		t.Fatalf("reactivated advisor: %v", err)
	}
}

func TestRuleTransferOwnership(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	off := f.member("Oz Admin", "oz@acme.test", "Admin")
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	owner := f.as(f.owner)
	const pw = "correct horse battery"
	f.ok("deactivate oz", f.svc.Deactivate(f.ctx, owner, off.ID))

	f.refused("transfer to an advisor", ErrDenied, "only to an Admin", func() error {
		return f.svc.TransferOwnership(f.ctx, owner, adv.ID, pw)
	})
	f.refused("transfer to a deactivated admin", ErrDenied, "only to an active Admin", func() error {
		return f.svc.TransferOwnership(f.ctx, owner, off.ID, pw)
	})
	f.refused("transfer to themselves", ErrDenied, "already owns", func() error {
		return f.svc.TransferOwnership(f.ctx, owner, f.owner.ID, pw)
	})
	// A wrong password changes nothing but is itself recorded.
	state, n := f.rulesState(), f.auditCount()
	err := f.svc.TransferOwnership(f.ctx, owner, adm.ID, "wrong horse battery")
	if !errors.Is(err, ErrDenied) || !strings.Contains(err.Error(), "password is not right") {
		t.Fatalf("transfer with the wrong password: %v", err)
	}
	withoutLog := func(st string) string { return st[:strings.LastIndex(strings.TrimSuffix(st, "--\n"), "--\n")] }
	if withoutLog(f.rulesState()) != withoutLog(state) || f.auditCount() != n+1 {
		t.Fatalf("transfer with the wrong password: data changed or not exactly one audit entry (%d → %d)", n, f.auditCount())
	}
	if e := f.lastAudit(); e.Action != "org.transfer-ownership.failure" || e.StaffID != adm.ID || e.Actor != f.owner.Email || !strings.Contains(e.After, "wrong password") {
		t.Fatalf("refused transfer audited as %+v", e)
	}
	f.refused("admin transfers", ErrDenied, "only the Owner transfers ownership", func() error {
		return f.svc.TransferOwnership(f.ctx, f.as(adm), adm.ID, "password-ada@acme.test")
	})

	before := f.auditCount()
	f.ok("transfer", f.svc.TransferOwnership(f.ctx, owner, adm.ID, pw))
	if got := f.reload(adm).RoleName; got != "Owner" {
		t.Fatalf("new owner's role = %s", got)
	}
	if got := f.reload(f.owner).RoleName; got != "Admin" {
		t.Fatalf("old owner's role = %s", got)
	}
	if n := f.countRows(`SELECT count(*) FROM staff WHERE role_id = ?`, db.RoleOwner); n != 1 {
		t.Fatalf("%d owners", n)
	}
	if got := f.auditCount() - before; got != 3 {
		t.Fatalf("transfer wrote %d audit entries, want 3", got)
	}
	es, err := db.ListAudit(f.ctx, f.svc.DB().Read(), db.AuditQuery{Scope: db.Scope{All: true}, Action: "org.transfer-ownership"})
	if err != nil || len(es) != 1 || !strings.Contains(es[0].Before, f.owner.Email) || !strings.Contains(es[0].After, adm.Email) {
		t.Fatalf("transfer audit = %+v, %v", es, err)
	}
	// At once: the old Owner is an Admin now and cannot transfer back.
	f.refused("old owner transfers again", ErrDenied, "only the Owner transfers ownership", func() error {
		return f.svc.TransferOwnership(f.ctx, owner, f.owner.ID, pw)
	})
	f.refused("old owner makes an admin", ErrDenied, "only the Owner makes or unmakes Admins", func() error {
		return f.svc.SetRole(f.ctx, owner, adv.ID, "Admin")
	})
	f.ok("new owner demotes the old one", f.svc.SetRole(f.ctx, f.as(adm), f.owner.ID, "Advisor"))
}

func TestRuleRemoveReassignsOrLeavesUnowned(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	bob := f.member("Bob Advisor", "bob@acme.test", "Advisor")
	gone := f.member("Gus Gone", "gus@acme.test", "Advisor")
	f.ok("deactivate gus", f.svc.Deactivate(f.ctx, f.as(f.owner), gone.ID))
	acme := f.insertClient("Acme Ltd", ann.ID)
	bolt := f.insertClient("Bolt Co", ann.ID)
	cedar := f.insertClient("Cedar Inc", bob.ID)
	f.addToClient(cedar, ann.ID, "Payroll")
	pa := f.as(adm)

	f.refused("reassign to themselves", ErrRule, "to themselves", func() error {
		return f.svc.Remove(f.ctx, pa, ann.ID, ann.ID)
	})
	f.refused("reassign to a deactivated member", ErrRule, "only to an active member", func() error {
		return f.svc.Remove(f.ctx, pa, ann.ID, gone.ID)
	})
	f.refused("reassign to nobody that exists", ErrNotFound, "no staff member 9999", func() error {
		return f.svc.Remove(f.ctx, pa, ann.ID, 9999)
	})

	f.ok("remove ann, reassign to bob", f.svc.Remove(f.ctx, pa, ann.ID, bob.ID))
	for _, c := range []int64{acme, bolt} {
		if got := f.clientOwner(c); got != bob.ID {
			t.Fatalf("client %d owner = %d, want bob %d", c, got, bob.ID)
		}
	}
	if _, err := db.GetMember(f.ctx, f.svc.DB().Read(), ann.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("removed member still there: %v", err)
	}
	if n := f.countRows(`SELECT count(*) FROM client_members WHERE staff_id = ?`, ann.ID); n != 0 {
		t.Fatalf("removed member still in %d folders", n)
	}
	e := f.lastAudit()
	if e.Action != "staff.remove" || e.StaffID != ann.ID || !strings.Contains(e.After, bob.Email) || !strings.Contains(e.After, `"clients_reassigned":2`) {
		t.Fatalf("audit = %+v", e)
	}
	// History stays: ann's earlier entries are still in the log.
	if n := f.countRows(`SELECT count(*) FROM audit_log WHERE staff_id = ?`, ann.ID); n < 2 {
		t.Fatalf("history about the removed member: %d entries", n)
	}

	f.ok("remove bob, leave unowned", f.svc.Remove(f.ctx, pa, bob.ID, 0))
	for _, c := range []int64{acme, bolt, cedar} {
		if got := f.clientOwner(c); got != 0 {
			t.Fatalf("client %d owner = %d, want unowned", c, got)
		}
	}
	if e := f.lastAudit(); !strings.Contains(e.After, "unowned") {
		t.Fatalf("audit = %+v", e)
	}
	if n, brk, err := f.svc.VerifyAudit(f.ctx); err != nil || brk != nil || n == 0 {
		t.Fatalf("verify = %d, %+v, %v", n, brk, err)
	}
}

func TestRuleOffboard(t *testing.T) {
	f := newFixture(t)
	adm := f.member("Ada Admin", "ada@acme.test", "Admin")
	ann := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	acme := f.insertClient("Acme Ltd", ann.ID)
	bolt := f.insertClient("Bolt Co", f.owner.ID)
	f.addToClient(acme, ann.ID, "Payroll")
	f.addToClient(bolt, ann.ID, "Ledger")

	f.refused("advisor offboards", ErrDenied, "may not update staff", func() error {
		_, err := f.svc.Offboard(f.ctx, f.as(ann), adm.ID, 0)
		return err
	})
	before := f.auditCount()
	res, err := f.svc.Offboard(f.ctx, f.as(adm), ann.ID, adm.ID)
	f.ok("offboard", err)
	if res.FoldersRemoved != 2 || res.ClientsReassigned != 1 || res.ReassignedTo != adm.Email || !res.WasActive {
		t.Fatalf("result = %+v", res)
	}
	if got := f.reload(ann).Status; got != "deactivated" {
		t.Fatalf("status = %s", got)
	}
	if n := f.countRows(`SELECT count(*) FROM client_members WHERE staff_id = ?`, ann.ID); n != 0 {
		t.Fatalf("still in %d folders", n)
	}
	if n := f.countRows(`SELECT count(*) FROM account_access WHERE staff_id = ?`, ann.ID); n != 0 {
		t.Fatalf("still %d accounts toggled on", n)
	}
	if got := f.clientOwner(acme); got != adm.ID {
		t.Fatalf("acme owner = %d", got)
	}
	if got := f.auditCount() - before; got != 3 {
		t.Fatalf("offboard wrote %d audit entries, want 2 access.remove + 1 staff.offboard", got)
	}
	if n := f.countRows(`SELECT count(*) FROM audit_log WHERE action = 'access.remove' AND staff_id = ?`, ann.ID); n != 2 {
		t.Fatalf("%d access.remove entries", n)
	}
	if e := f.lastAudit(); e.Action != "staff.offboard" || e.StaffID != ann.ID {
		t.Fatalf("audit = %+v", e)
	}
	// Offboarding someone already deactivated still cleans up, and says so.
	res, err = f.svc.Offboard(f.ctx, f.as(adm), ann.ID, 0)
	f.ok("offboard again", err)
	if res.WasActive || res.FoldersRemoved != 0 {
		t.Fatalf("second offboard = %+v", res)
	}
}

func TestRuleInvitationInputIsValidated(t *testing.T) {
	f := newFixture(t)
	f.member("Ann Advisor", "ann@acme.test", "Advisor")
	owner := f.as(f.owner)
	if _, _, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "pat@acme.test", Name: "Pat"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		in       InviteInput
		target   error
		fragment string
	}{
		{"empty email", InviteInput{Email: "", Name: "X"}, ErrInvalid, "email is empty"},
		{"blank email", InviteInput{Email: "   ", Name: "X"}, ErrInvalid, "email is empty"},
		{"no at sign", InviteInput{Email: "not-an-email", Name: "X"}, ErrInvalid, "not an email address"},
		{"no domain dot", InviteInput{Email: "x@localhost", Name: "X"}, ErrInvalid, "not an email address"},
		{"space inside", InviteInput{Email: "a b@acme.test", Name: "X"}, ErrInvalid, "not an email address"},
		{"display name form", InviteInput{Email: "Ann <a@acme.test>", Name: "X"}, ErrInvalid, "not an email address"},
		{"escape in email", InviteInput{Email: "a\x1b[31m@acme.test", Name: "X"}, ErrInvalid, "control characters"},
		{"too long email", InviteInput{Email: strings.Repeat("a", 250) + "@acme.test", Name: "X"}, ErrInvalid, "at most 254"},
		{"existing member, other case", InviteInput{Email: "ANN@Acme.Test", Name: "Ann"}, ErrConflict, "already a staff member"},
		{"pending invitation, other case", InviteInput{Email: "PAT@acme.TEST", Name: "Pat"}, ErrConflict, "pending invitation"},
		{"10 KB name", InviteInput{Email: "big@acme.test", Name: strings.Repeat("N", 10240)}, ErrInvalid, "at most 120"},
		{"name with CSI", InviteInput{Email: "csi@acme.test", Name: "Eve\x1b[2J\x1b[H"}, ErrInvalid, "control characters"},
		{"name with OSC 52", InviteInput{Email: "osc@acme.test", Name: "Eve\x1b]52;c;cm0gLXJmIC8=\x07"}, ErrInvalid, "control characters"},
		{"name with a bell", InviteInput{Email: "bell@acme.test", Name: "Eve\x07"}, ErrInvalid, "control characters"},
		{"name with NUL", InviteInput{Email: "nul@acme.test", Name: "Eve\x00Smith"}, ErrInvalid, "control characters"},
		{"name with a bidi override", InviteInput{Email: "bidi@acme.test", Name: "Eve\u202eevil"}, ErrInvalid, "control characters"},
		{"name with a C1 control", InviteInput{Email: "c1@acme.test", Name: "Eve\u009b31m"}, ErrInvalid, "control characters"},
		{"name with invalid UTF-8", InviteInput{Email: "utf@acme.test", Name: "Eve\xff"}, ErrInvalid, "control characters"},
		{"name with a newline", InviteInput{Email: "nl@acme.test", Name: "Eve\nAdmin"}, ErrInvalid, "control characters"},
		{"message with an escape", InviteInput{Email: "msg@acme.test", Name: "Eve", Message: "hi\x1b]0;pwned\x07"}, ErrInvalid, "message contains control characters"},
		{"unknown role", InviteInput{Email: "role@acme.test", Name: "Eve", Role: "Wizard"}, ErrNotFound, `no role named "Wizard"`},
		{"unknown department", InviteInput{Email: "dept@acme.test", Name: "Eve", Departments: []string{"Nowhere"}}, ErrNotFound, "no department"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			f.refused(c.name, c.target, c.fragment, func() error {
				_, code, err := f.svc.Invite(f.ctx, owner, c.in)
				if err == nil && code == "" {
					return errors.New("no error and no code")
				}
				return err
			})
		})
	}
}

// An invitation with no name is named after its address: bulk invitations
// carry only addresses, and the invitee can rename themselves later.
func TestRuleInvitationWithoutNameTakesTheAddress(t *testing.T) {
	f := newFixture(t)
	inv, _, err := f.svc.Invite(f.ctx, f.as(f.owner), InviteInput{Email: "Quinn.Doe@Acme.test", Name: "  "})
	f.ok("invite", err)
	if inv.Name != "quinn.doe" || inv.Email != "quinn.doe@acme.test" {
		t.Fatalf("invitation = %+v", inv)
	}
}

func TestRuleInvitationLifecycle(t *testing.T) {
	f := newFixture(t)
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	owner := f.as(f.owner)
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	now := start
	f.svc.Now = func() time.Time { return now }

	inv, code, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "pat@acme.test", Name: "Pat", Role: "Advisor"})
	f.ok("invite", err)
	if !inv.ExpiresAt.Equal(start.Add(7 * 24 * time.Hour)) {
		t.Fatalf("expires %v, want 7 days after %v", inv.ExpiresAt, start)
	}
	f.refused("advisor resends", ErrDenied, "may not create staff", func() error {
		_, _, err := f.svc.ResendInvitation(f.ctx, f.as(adv), inv.ID)
		return err
	})
	f.refused("advisor revokes", ErrDenied, "may not create staff", func() error {
		return f.svc.RevokeInvitation(f.ctx, f.as(adv), inv.ID)
	})

	// Resend: a new code and a new expiry; the old code stops working.
	now = start.Add(3 * 24 * time.Hour)
	inv2, code2, err := f.svc.ResendInvitation(f.ctx, owner, inv.ID)
	f.ok("resend", err)
	if code2 == "" || code2 == code {
		t.Fatalf("resend code %q, old %q", code2, code)
	}
	if !inv2.ExpiresAt.Equal(now.Add(7*24*time.Hour)) || !inv2.ExpiresAt.After(inv.ExpiresAt) {
		t.Fatalf("resent expiry %v, first %v", inv2.ExpiresAt, inv.ExpiresAt)
	}
	if e := f.lastAudit(); e.Action != "invitation.resend" || e.TargetID != inv.ID {
		t.Fatalf("audit = %+v", e)
	}
	if _, err := f.svc.PeekInvitation(f.ctx, code); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old code after resend: %v", err)
	}
	f.refused("accept with the old code", ErrNotFound, "no invitation has that code", func() error {
		_, err := f.svc.AcceptInvitation(f.ctx, code, "a long enough password", "test")
		return err
	})
	if got, err := f.svc.PeekInvitation(f.ctx, code2); err != nil || got.Email != "pat@acme.test" {
		t.Fatalf("new code: %+v, %v", got, err)
	}

	// Revoke: the code stops working, and revoking twice is refused.
	f.ok("revoke", f.svc.RevokeInvitation(f.ctx, owner, inv.ID))
	if e := f.lastAudit(); e.Action != "invitation.revoke" {
		t.Fatalf("audit = %+v", e)
	}
	f.refused("accept a revoked invitation", ErrRule, "revoked", func() error {
		_, err := f.svc.AcceptInvitation(f.ctx, code2, "a long enough password", "test")
		return err
	})
	f.refused("revoke twice", ErrRule, "already revoked", func() error {
		return f.svc.RevokeInvitation(f.ctx, owner, inv.ID)
	})

	// Expiry: after the lifetime the code is refused and the invitation
	// lists as expired; resending revives it with a fresh code.
	exp, expCode, err := f.svc.Invite(f.ctx, owner, InviteInput{Email: "lee@acme.test", Name: "Lee"})
	f.ok("invite lee", err)
	now = now.Add(8 * 24 * time.Hour)
	f.refused("accept after expiry", ErrRule, "expired", func() error {
		_, err := f.svc.AcceptInvitation(f.ctx, expCode, "a long enough password", "test")
		return err
	})
	list, err := f.svc.ListInvitations(f.ctx, owner, "expired")
	f.ok("list expired", err)
	if len(list) != 1 || list[0].ID != exp.ID {
		t.Fatalf("expired invitations = %+v", list)
	}
	_, fresh, err := f.svc.ResendInvitation(f.ctx, owner, exp.ID)
	f.ok("resend expired", err)
	m, err := f.svc.AcceptInvitation(f.ctx, fresh, "a long enough password", "test")
	f.ok("accept resent", err)
	if m.Email != "lee@acme.test" || m.Status != "active" || m.RoleName != "Advisor" {
		t.Fatalf("member = %+v", m)
	}
	f.refused("accept twice", ErrRule, "accepted", func() error {
		_, err := f.svc.AcceptInvitation(f.ctx, fresh, "a long enough password", "test")
		return err
	})
	// An expired invitation makes way for a new one to the same address.
	_, _, err = f.svc.Invite(f.ctx, owner, InviteInput{Email: "pat@acme.test", Name: "Pat"})
	f.ok("invite pat again after revoke", err)
}

func TestRuleBulkInvite(t *testing.T) {
	f := newFixture(t)
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	text := "good1@acme.test\nnot-an-email\n\n  GOOD1@acme.test ; good2@acme.test, ann@acme.test\nx@y\nevil\x1b[31m@acme.test\n"

	f.refused("advisor bulk invites", ErrDenied, "may not create staff", func() error {
		_, err := f.svc.BulkInvite(f.ctx, f.as(adv), text, "Advisor", "")
		return err
	})

	before := f.auditCount()
	res, err := f.svc.BulkInvite(f.ctx, f.as(f.owner), text, "Advisor", "Welcome")
	f.ok("bulk invite", err)
	want := []struct {
		line     int
		email    string
		target   error
		fragment string
	}{
		{1, "good1@acme.test", nil, ""},
		{2, "not-an-email", ErrInvalid, "not an email address"},
		{4, "GOOD1@acme.test", ErrConflict, "appears twice"},
		{4, "good2@acme.test", nil, ""},
		{4, "ann@acme.test", ErrConflict, "already a staff member"},
		{5, "x@y", ErrInvalid, "not an email address"},
		{6, "evil\x1b[31m@acme.test", ErrInvalid, "control characters"},
	}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(res), len(want), res)
	}
	for i, w := range want {
		r := res[i]
		if r.Line != w.line || r.Email != w.email {
			t.Errorf("result %d = line %d %q, want line %d %q", i, r.Line, r.Email, w.line, w.email)
		}
		if w.target == nil {
			if r.Err != nil || r.Code == "" || r.Invitation.ID == 0 {
				t.Errorf("result %d (%s) = %+v, want an invitation", i, w.email, r)
			}
			continue
		}
		if !errors.Is(r.Err, w.target) || !strings.Contains(r.Err.Error(), w.fragment) {
			t.Errorf("result %d (%q): err %v, want %v saying %q", i, w.email, r.Err, w.target, w.fragment)
		}
		if r.Err != nil && strings.ContainsAny(r.Err.Error(), "\x1b\x07") {
			t.Errorf("result %d: error carries raw control characters: %q", i, r.Err)
		}
	}
	if got := f.auditCount() - before; got != 2 {
		t.Fatalf("bulk invite wrote %d audit entries, want 2", got)
	}
	if n := f.countRows(`SELECT count(*) FROM invitations WHERE status = 'pending'`); n != 2 {
		t.Fatalf("%d pending invitations", n)
	}
	f.refused("empty bulk invite", ErrInvalid, "no email addresses", func() error {
		_, err := f.svc.BulkInvite(f.ctx, f.as(f.owner), " \n ,; \n", "Advisor", "")
		return err
	})
}

func TestRuleRoleChangeTakesEffectAtOnce(t *testing.T) {
	f := newFixture(t)
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")
	victim := f.member("Vic Advisor", "vic@acme.test", "Advisor")
	p := f.as(adv) // a session opened while Ann was an Advisor

	f.refused("advisor invites", ErrDenied, "may not create staff", func() error {
		_, _, err := f.svc.Invite(f.ctx, p, InviteInput{Email: "new@acme.test", Name: "New"})
		return err
	})
	f.ok("promote", f.svc.SetRole(f.ctx, f.as(f.owner), adv.ID, "Admin"))
	if _, _, err := f.svc.Invite(f.ctx, p, InviteInput{Email: "new@acme.test", Name: "New"}); err != nil {
		t.Fatalf("promoted member invites: %v", err)
	}
	f.ok("promoted member deactivates an advisor", f.svc.Deactivate(f.ctx, p, victim.ID))
	if e := f.lastAudit(); e.Actor != adv.Email || e.Action != "staff.deactivate" {
		t.Fatalf("audit = %+v", e)
	}

	f.ok("demote", f.svc.SetRole(f.ctx, f.as(f.owner), adv.ID, "Advisor"))
	f.refused("demoted member reactivates", ErrDenied, "may not update staff", func() error {
		return f.svc.Reactivate(f.ctx, p, victim.ID)
	})
	f.ok("deactivate ann", f.svc.Deactivate(f.ctx, f.as(f.owner), adv.ID))
	f.refused("deactivated member lists staff", ErrDenied, "deactivated", func() error {
		_, _, err := f.svc.ListStaff(f.ctx, p, MemberQuery{Limit: 5})
		return err
	})
}
