package model

import (
	"context"
	"fmt"

	"gatehouse/db"
)

// ClientTarget returns the engine's facts about a folder as the actor sees
// it (added or not, its owner's departments), so a screen can ask Decide
// what it may offer on that folder. It reads only, and only folders the
// actor may see.
func (s *Service) ClientTarget(ctx context.Context, p Principal, clientID int64) (Target, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return Target{}, err
	}
	c, err := db.GetClient(ctx, s.db.Read(), clientID)
	if err != nil {
		return Target{}, notFound(err, "no client %d", clientID)
	}
	cf, err := clientFacts(ctx, s.db.Read(), a, c)
	if err != nil {
		return Target{}, fmt.Errorf("client facts for %s: %w", Sanitize(c.Name), err)
	}
	t := Target{Module: ModuleClients, Label: c.Name, Client: cf}
	if err := require(a, ActView, t); err != nil {
		return Target{}, err
	}
	return t, nil
}

// VisibleAccounts lists the accounts of a folder the actor may see: every
// account for roles that reach them all, only those toggled on for the
// actor otherwise (an Advisor's view). The engine decides each one.
func (s *Service) VisibleAccounts(ctx context.Context, p Principal, clientID int64) ([]Account, error) {
	t, err := s.ClientTarget(ctx, p, clientID)
	if err != nil {
		return nil, err
	}
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	all, err := db.ListAccounts(ctx, q, clientID)
	if err != nil {
		return nil, err
	}
	var out []Account
	for _, acc := range all {
		af, err := accountFacts(ctx, q, a, acc)
		if err != nil {
			return nil, fmt.Errorf("account facts for %s: %w", Sanitize(acc.Name), err)
		}
		if Decide(a, ActView, Target{Module: ModuleAccounts, Client: t.Client, Account: af}).Allowed {
			out = append(out, acc)
		}
	}
	return out, nil
}
