package model

import (
	"context"
	"errors"
	"fmt"
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
					checked += positionsAgree(t, fmt.Sprintf("%s %+v: member", p.Label, q), list, everyone, err, 7,
						func(m Member) int64 { return m.ID },
						func(id int64) (int, error) { return svc.StaffPosition(ctx, p, q, id) })
				}
			}
		}
		for _, sort := range []string{"name", "owner", "department", "created"} {
			for _, desc := range []bool{false, true} {
				for _, text := range []string{"", "e"} {
					q := ClientQuery{Sort: sort, Desc: desc, Text: text}
					list, _, err := svc.ListClients(ctx, p, q)
					checked += positionsAgree(t, fmt.Sprintf("%s %+v: folder", p.Label, q), list, allClients, err, 11,
						func(c Client) int64 { return c.ID },
						func(id int64) (int, error) { return svc.ClientPosition(ctx, p, q, id) })
				}
			}
		}
	}
	t.Logf("%d positions checked", checked)
}

// positionsAgree checks one list as it was listed (err is the listing's):
// position puts every row sampled (each every-th, and the last) where the
// list shows it, and answers not found for the first of all that the list
// does not hold. A refused listing checks nothing. It returns how many
// positions it checked.
func positionsAgree[R any](t *testing.T, what string, list, all []R, err error, every int, id func(R) int64, position func(int64) (int, error)) int {
	t.Helper()
	var denied *DeniedError
	if errors.As(err, &denied) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	in := map[int64]bool{}
	for i, r := range list {
		in[id(r)] = true
		if i%every != 0 && i != len(list)-1 {
			continue
		}
		got, err := position(id(r))
		if err != nil || got != i {
			t.Fatalf("%s %d is row %d, position says %d (%v)", what, id(r), i, got, err)
		}
		checked++
	}
	for _, r := range all {
		if !in[id(r)] {
			if _, err := position(id(r)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("%s %d is not listed, position says %v", what, id(r), err)
			}
			break
		}
	}
	return checked
}
