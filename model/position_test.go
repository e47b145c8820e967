package model

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// StaffPosition and ClientPosition must put every record exactly where the
// list itself does, for every sort, direction and filter, as members of
// each kind of role see the list (all, department and added-only scopes),
// and answer not found for a record the list does not hold: screens find
// the record under the cursor again with them after the list changed.
func TestPositionsAgreeWithTheLists(t *testing.T) {
	ctx := context.Background()
	svc, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.GenerateLarge(ctx, System("tester"), GenerateOptions{Seed: 11, Staff: 90, Clients: 160, AccountsPerClient: 2, Grants: 400, Audit: 50}); err != nil {
		t.Fatal(err)
	}
	everyone, _, err := svc.ListStaff(ctx, System("t"), MemberQuery{})
	if err != nil {
		t.Fatal(err)
	}
	allClients, _, err := svc.ListClients(ctx, System("t"), ClientQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// One member of each role, and the system.
	actors := []Principal{System("t")}
	seenRole := map[string]bool{}
	for _, m := range everyone {
		if !seenRole[m.RoleName] && m.Status == "active" {
			seenRole[m.RoleName] = true
			actors = append(actors, MemberPrincipal(m, "test"))
		}
	}
	if len(actors) < 4 {
		t.Fatalf("the generated organisation has too few roles: %v", seenRole)
	}
	checked := 0
	for _, p := range actors {
		for _, sort := range []string{"name", "email", "role", "status", "last_active"} {
			for _, desc := range []bool{false, true} {
				for _, text := range []string{"", "a"} {
					q := MemberQuery{Sort: sort, Desc: desc, Text: text}
					list, _, err := svc.ListStaff(ctx, p, q)
					var denied *DeniedError
					if errors.As(err, &denied) {
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					in := map[int64]bool{}
					for i, m := range list {
						in[m.ID] = true
						if i%7 != 0 && i != len(list)-1 {
							continue
						}
						got, err := svc.StaffPosition(ctx, p, q, m.ID)
						if err != nil || got != i {
							t.Fatalf("%s %+v: member %d is row %d, position says %d (%v)", p.Label, q, m.ID, i, got, err)
						}
						checked++
					}
					for _, m := range everyone {
						if !in[m.ID] {
							if _, err := svc.StaffPosition(ctx, p, q, m.ID); !errors.Is(err, ErrNotFound) {
								t.Fatalf("%s %+v: member %d is not listed, position says %v", p.Label, q, m.ID, err)
							}
							break
						}
					}
				}
			}
		}
		for _, sort := range []string{"name", "owner", "department", "created"} {
			for _, desc := range []bool{false, true} {
				for _, text := range []string{"", "e"} {
					q := ClientQuery{Sort: sort, Desc: desc, Text: text}
					list, _, err := svc.ListClients(ctx, p, q)
					var denied *DeniedError
					if errors.As(err, &denied) {
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					in := map[int64]bool{}
					for i, c := range list {
						in[c.ID] = true
						if i%11 != 0 && i != len(list)-1 {
							continue
						}
						got, err := svc.ClientPosition(ctx, p, q, c.ID)
						if err != nil || got != i {
							t.Fatalf("%s %+v: folder %d is row %d, position says %d (%v)", p.Label, q, c.ID, i, got, err)
						}
						checked++
					}
					for _, c := range allClients {
						if !in[c.ID] {
							if _, err := svc.ClientPosition(ctx, p, q, c.ID); !errors.Is(err, ErrNotFound) {
								t.Fatalf("%s %+v: folder %d is not listed, position says %v", p.Label, q, c.ID, err)
							}
							break
						}
					}
				}
			}
		}
	}
	t.Logf("%d positions checked", checked)
}
