package model

import (
	"errors"
	"testing"
)

func TestDepartmentsCRUDAndMembers(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.owner)
	head := f.member("Hana Head", "hana@acme.test", "Admin")
	adv := f.member("Ann Advisor", "ann@acme.test", "Advisor")

	d, err := f.svc.CreateDepartment(f.ctx, owner, " Tax ", "Tax returns", head.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Tax" || d.HeadID != head.ID || d.HeadName != "Hana Head" {
		t.Fatalf("department = %+v", d)
	}
	e := f.lastAudit()
	_, after := auditBeforeAfter(t, e)
	if e.Action != "department.create" || e.TargetID != d.ID || after["head"] != "hana@acme.test" || after["name"] != "Tax" {
		t.Fatalf("audit = %+v", e)
	}

	n := f.auditCount()
	for _, c := range []struct {
		name string
		head int64
		want error
	}{
		{"tax", 0, ErrConflict},
		{"", 0, ErrInvalid},
		{"Bell\a", 0, ErrInvalid},
		{"Audit", 999, ErrNotFound},
	} {
		if _, err := f.svc.CreateDepartment(f.ctx, owner, c.name, "", c.head); !errors.Is(err, c.want) {
			t.Errorf("create %q head %d: err = %v, want %v", c.name, c.head, err, c.want)
		}
	}
	if _, err := f.svc.CreateDepartment(f.ctx, f.as(adv), "Sales", "", 0); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor create err = %v", err)
	}
	if f.auditCount() != n {
		t.Fatal("refused creations wrote audit entries")
	}

	sales, err := f.svc.CreateDepartment(f.ctx, owner, "Sales", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.UpdateDepartment(f.ctx, owner, sales.ID, "TAX", "", 0); !errors.Is(err, ErrConflict) {
		t.Fatalf("rename onto an existing name err = %v", err)
	}
	if err := f.svc.UpdateDepartment(f.ctx, owner, d.ID, "Tax & Audit", "Returns and audits", adv.ID); err != nil {
		t.Fatal(err)
	}
	e = f.lastAudit()
	before, after := auditBeforeAfter(t, e)
	if e.Action != "department.update" || before["name"] != "Tax" || before["head"] != "hana@acme.test" ||
		after["name"] != "Tax & Audit" || after["head"] != "ann@acme.test" {
		t.Fatalf("audit = %+v", e)
	}

	for _, m := range []Member{head, adv} {
		if err := f.svc.SetDepartments(f.ctx, owner, m.ID, []string{"Tax & Audit"}); err != nil {
			t.Fatal(err)
		}
	}
	// Advisors see departments and all staff.
	ms, err := f.svc.DepartmentMembers(f.ctx, f.as(adv), d.ID)
	if err != nil || len(ms) != 2 || ms[0].Email != "ann@acme.test" || ms[1].Email != "hana@acme.test" {
		t.Fatalf("members = %+v, %v", ms, err)
	}
	ds, err := f.svc.ListDepartments(f.ctx, f.as(adv))
	if err != nil || len(ds) != 2 || ds[0].Name != "Sales" || ds[1].Members != 2 {
		t.Fatalf("departments = %+v, %v", ds, err)
	}
	if _, err := f.svc.DepartmentMembers(f.ctx, owner, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown department err = %v", err)
	}

	if err := f.svc.DeleteDepartment(f.ctx, f.as(adv), d.ID); !errors.Is(err, ErrDenied) {
		t.Fatalf("advisor delete err = %v", err)
	}
	if err := f.svc.DeleteDepartment(f.ctx, owner, d.ID); err != nil {
		t.Fatal(err)
	}
	e = f.lastAudit()
	before, _ = auditBeforeAfter(t, e)
	if e.Action != "department.delete" || before["name"] != "Tax & Audit" || before["members"] != 2.0 {
		t.Fatalf("audit = %+v", e)
	}
	got, _ := f.svc.GetMember(f.ctx, owner, head.ID)
	if len(got.Departments) != 0 || got.Status != "active" {
		t.Fatalf("member after department deletion = %+v", got)
	}
	if err := f.svc.DeleteDepartment(f.ctx, owner, d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete err = %v", err)
	}
}
