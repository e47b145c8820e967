package model

import (
	"context"
	"fmt"

	"gatehouse/db"
)

// Reach through a role is reach a toggle cannot change: an Owner or Admin,
// a department-scoped Manager in their departments' folders, any custom
// "all" scope reach a folder's accounts whether its toggles are on or off.
// The grid draws such cells locked and a toggle on them changes nothing,
// and revoking a member's access leaves it: they are told so.

// RoleReach returns, for each of the members (by id) whose role reaches
// the accounts of folder clientID whatever their toggles, the engine's
// decision saying why. The asker p must see the folder.
func (s *Service) RoleReach(ctx context.Context, p Principal, clientID int64, staffIDs []int64) (map[int64]Decision, error) {
	c, err := s.GetClient(ctx, p, clientID)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	accs, err := db.ListAccounts(ctx, q, clientID)
	if err != nil {
		return nil, fmt.Errorf("role reach: %w", err)
	}
	out := map[int64]Decision{}
	if len(accs) == 0 {
		return out, nil
	}
	for _, id := range staffIDs {
		sub, err := loadActorAt(ctx, q, Principal{Kind: KindMember, StaffID: id}, s.Now())
		if err != nil {
			return nil, fmt.Errorf("role reach of member %d: %w", id, err)
		}
		cf, err := clientFacts(ctx, q, sub, c)
		if err != nil {
			return nil, err
		}
		// Every account of a folder is alike but for its toggle: the
		// first, toggled off, stands for them all.
		off := &AccountFacts{ID: accs[0].ID, Name: accs[0].Name}
		if d := Decide(sub, ActAccess, Target{Module: ModuleAccounts, Client: cf, Account: off}); d.Allowed {
			out[id] = d
		}
	}
	return out, nil
}
