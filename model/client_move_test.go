package model

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"gatehouse/db"
)

// demoMember finds a demo member by the start of their email.
func demoMember(t *testing.T, svc *Service, local string) Member {
	t.Helper()
	m, err := svc.MemberByEmail(context.Background(), System("tester"), local+"@"+demoDomain)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The demo's Manager updates folders of their department, Tax; they may
// not move one of them, even one they own and were added to, into
// Payroll & HR, where that department's members would reach it. Into no
// department, or back into Tax, they may.
func TestManagerMayNotMoveAFolderOutOfTheirDepartments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newDemo(t, DefaultDemoSeed)
	tom := MemberPrincipal(demoMember(t, svc, "tom.becker"), "test")
	c, err := svc.ClientByName(ctx, tom, "Greystone Legal LLP")
	if err != nil {
		t.Fatal(err)
	}
	err = svc.SetClientDepartment(ctx, tom, c.ID, "Payroll & HR")
	if !refused(err) {
		t.Fatalf("a Tax manager moved a folder into Payroll & HR: %v", err)
	}
	// They may not view departments: Payroll & HR is answered as a
	// department that does not exist.
	if made := svc.SetClientDepartment(ctx, tom, c.ID, "Payroll & Hr Ops"); made == nil || made.Error() != strings.Replace(err.Error(), "Payroll & HR", "Payroll & Hr Ops", 1) {
		t.Fatalf("a real department answers %q, a made-up one %q", err, made)
	}
	if after, _ := svc.GetClient(ctx, System("t"), c.ID); after.DepartmentName != "Tax" {
		t.Fatalf("refused, yet the folder is in %q", after.DepartmentName)
	}
	if err := svc.SetClientDepartment(ctx, tom, c.ID, ""); err != nil {
		t.Fatalf("clear the department: %v", err)
	}
	if err := svc.SetClientDepartment(ctx, tom, c.ID, "Tax"); err != nil {
		t.Fatalf("back into Tax: %v", err)
	}
}

// On generated organisations with random custom roles, every member
// moving folders into departments drawn at random succeeds exactly when
// the engine allows updating the folder as it is and updating a folder of
// the target department that they neither own nor were added to; and to
// a member who may not view departments, a department they may not move
// it into and one that does not exist are answered alike.
func TestAgreementMovingAFolderNeedsTheTargetDepartment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sys := System("agreement")
	allowed, refusedMoves := 0, 0
	for _, seed := range agreementSeeds {
		o := newAgreementOrg(t, seed)
		svc, q := o.svc, o.svc.DB().Read()
		depts, err := svc.ListDepartments(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 13))
		for _, id := range o.staff {
			m := o.members[id]
			if m.Status != "active" {
				continue
			}
			p := MemberPrincipal(m, "agreement")
			a, err := loadActorAt(ctx, q, p, svc.Now())
			if err != nil {
				t.Fatal(err)
			}
			for range 4 {
				f := o.folders[rng.IntN(len(o.folders))]
				d := depts[rng.IntN(len(depts))]
				c, err := db.GetClient(ctx, q, f)
				if err != nil {
					t.Fatal(err)
				}
				if c.DepartmentID == d.ID {
					continue
				}
				cf, err := clientFacts(ctx, q, a, c)
				if err != nil {
					t.Fatal(err)
				}
				there := &ClientFacts{ID: c.ID, Name: c.Name, DeptID: d.ID, DeptName: d.Name, Internal: c.Internal}
				want := Decide(a, ActUpdate, Target{Module: ModuleClients, Client: cf}).Allowed &&
					Decide(a, ActUpdate, Target{Module: ModuleClients, Client: there}).Allowed
				err = svc.SetClientDepartment(ctx, p, f, d.Name)
				if (err == nil) != want {
					t.Fatalf("seed %d, %s (%s) moves folder %d (%s) into %s: %v, the engine allows: %v", seed, m.Email, m.RoleName, f, c.DepartmentName, d.Name, err, want)
				}
				if err != nil {
					refusedMoves++
					if !refused(err) && !errors.Is(err, ErrRule) {
						t.Fatalf("seed %d, %s moves folder %d: %v", seed, m.Email, f, err)
					}
					if !Decide(a, ActView, Target{Module: ModuleDepartments}).Allowed && Decide(a, ActUpdate, Target{Module: ModuleClients, Client: cf}).Allowed {
						made := fmt.Sprintf("No such department %d", rng.Int())
						other := svc.SetClientDepartment(ctx, p, f, made)
						if other == nil || other.Error() != strings.Replace(err.Error(), d.Name, made, 1) {
							t.Fatalf("seed %d, %s: a real department answers %q, a made-up one %q", seed, m.Email, err, other)
						}
					}
					continue
				}
				allowed++
				if err := svc.SetClientDepartment(ctx, sys, f, c.DepartmentName); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if allowed == 0 || refusedMoves == 0 {
		t.Fatalf("too plain: %d moves allowed, %d refused", allowed, refusedMoves)
	}
}

// Creating a folder in a department asks the same as moving one there: a
// creator scoped to their departments files new folders only into them,
// and to one who may not view departments a department beyond them is
// answered as one that does not exist.
func TestDepartmentCreatorFilesOnlyIntoTheirDepartments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := newDemo(t, DefaultDemoSeed)
	sys := System("t")
	if _, err := svc.CreateRole(ctx, sys, "Tax filer", "", rolePermSpecs("clients.view:department", "clients.create:department")); err != nil {
		t.Fatal(err)
	}
	tomM := demoMember(t, svc, "tom.becker") // a member of Tax
	if err := svc.SetRole(ctx, sys, tomM.ID, "Tax filer"); err != nil {
		t.Fatal(err)
	}
	tom := MemberPrincipal(demoMember(t, svc, "tom.becker"), "test")
	_, err := svc.CreateClient(ctx, tom, ClientInput{Name: "Filed Elsewhere Ltd", Department: "Payroll & HR"})
	if !refused(err) {
		t.Fatalf("a Tax filer created a folder in Payroll & HR: %v", err)
	}
	_, made := svc.CreateClient(ctx, tom, ClientInput{Name: "Filed Elsewhere Ltd", Department: "Payroll & Hr Ops"})
	if made == nil || made.Error() != strings.Replace(err.Error(), "Payroll & HR", "Payroll & Hr Ops", 1) {
		t.Fatalf("a real department answers %q, a made-up one %q", err, made)
	}
	if _, err := svc.ClientByName(ctx, sys, "Filed Elsewhere Ltd"); err == nil {
		t.Fatal("refused, yet the folder exists")
	}
	if _, err := svc.CreateClient(ctx, tom, ClientInput{Name: "Filed In Tax Ltd", Department: "Tax"}); err != nil {
		t.Fatalf("create in their own department: %v", err)
	}
}
