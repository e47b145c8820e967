package model

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"gatehouse/db"
)

// Access: who is added to which folder and which of its accounts are
// toggled on for them, changed only by those who may manage the folder's
// access, and listed only as far as the asker sees.

// manageTarget loads a folder and a member for an access change and checks
// that the actor may manage who reaches the folder. Every caller names the
// folder and the member and decides nothing else on them, so the folder
// is read without its counts and the member as id, name, email and status
// only (the full reads were half a toggle's processor time at large).
func manageTarget(ctx context.Context, tx *sql.Tx, a Actor, clientID, staffID int64) (Client, Member, error) {
	c, t, err := clientTargetLite(ctx, tx, a, clientID)
	if err != nil {
		return c, Member{}, err
	}
	m, err := db.GetMemberBrief(ctx, tx, staffID)
	if err != nil {
		return c, m, notFound(err, "no staff member %d", staffID)
	}
	t.Module = ModuleAccess
	return c, m, require(a, ActManageAccess, t)
}

func accessTarget(c Client, m Member) string { return c.Name + " / " + m.Email }

// AddToClient adds a member to a folder with every account toggled on
// (the Manage Access view's "+ Staff").
func (s *Service) AddToClient(ctx context.Context, p Principal, clientID, staffID int64) error {
	return wrap("add to client", s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, m, ch, err := s.addMembership(ctx, tx, a, clientID, staffID)
		if err != nil {
			return nil, err
		}
		if ch == nil {
			return nil, fmt.Errorf("%w: %s is already added to %s", ErrConflict, m.Email, c.Name)
		}
		return []change{*ch}, nil
	}))
}

// addMembership adds a member to a folder a may manage, with every account
// toggled on, and returns the change to audit: nil when they were added
// already, which changes nothing.
func (s *Service) addMembership(ctx context.Context, tx *sql.Tx, a Actor, clientID, staffID int64) (Client, Member, *change, error) {
	c, m, err := manageTarget(ctx, tx, a, clientID, staffID)
	if err != nil {
		return c, m, nil, err
	}
	if m.Status == "deactivated" {
		return c, m, nil, fmt.Errorf("%w: %s is deactivated; reactivate them first", ErrRule, m.Email)
	}
	added, err := db.AddClientMember(ctx, tx, c.ID, m.ID, s.Now())
	if err != nil || !added {
		return c, m, nil, err
	}
	if err := db.ToggleAllAccounts(ctx, tx, c.ID, m.ID); err != nil {
		return c, m, nil, err
	}
	return c, m, &change{Action: "access.add", TargetKind: "client", TargetID: c.ID, Target: accessTarget(c, m), StaffID: m.ID, ClientID: c.ID,
		Before: map[string]any{"member": false}, After: map[string]any{"member": true, "accounts": "all on"}}, nil
}

// RemoveFromClient removes a member from a folder, every toggle with it
// ("Remove staff member").
func (s *Service) RemoveFromClient(ctx context.Context, p Principal, clientID, staffID int64) error {
	return wrap("remove from client", s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, m, err := manageTarget(ctx, tx, a, clientID, staffID)
		if err != nil {
			return nil, err
		}
		ch, err := removeMembership(ctx, tx, c, m)
		if err != nil {
			return nil, err
		}
		return []change{ch}, nil
	}))
}

func removeMembership(ctx context.Context, tx *sql.Tx, c Client, m Member) (change, error) {
	on, err := toggledNames(ctx, tx, c.ID, m.ID)
	if err != nil {
		return change{}, err
	}
	removed, err := db.RemoveClientMember(ctx, tx, c.ID, m.ID)
	if err != nil {
		return change{}, err
	}
	if !removed {
		return change{}, fmt.Errorf("%w: %s is not added to %s", ErrNotFound, m.Email, c.Name)
	}
	return change{Action: "access.remove", TargetKind: "client", TargetID: c.ID, Target: accessTarget(c, m), StaffID: m.ID, ClientID: c.ID,
		Before: map[string]any{"member": true, "accounts_on": on}, After: map[string]any{"member": false}}, nil
}

func toggledNames(ctx context.Context, q db.Querier, clientID, staffID int64) ([]string, error) {
	ids, err := db.ToggledAccountIDs(ctx, q, clientID, staffID)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, id := range ids {
		acc, err := db.GetAccount(ctx, q, id)
		if err != nil {
			return nil, err
		}
		names = append(names, acc.Name)
	}
	return names, nil
}

// SetAccountAccess flips one account on or off for a member of its folder
// (the Manage Access pop-up's toggle).
func (s *Service) SetAccountAccess(ctx context.Context, p Principal, accountID, staffID int64, on bool) error {
	return wrap("set account access", s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		acc, err := db.GetAccount(ctx, tx, accountID)
		if err != nil {
			return nil, notFound(err, "no account %d", accountID)
		}
		c, m, err := manageTarget(ctx, tx, a, acc.ClientID, staffID)
		if err != nil {
			return nil, err
		}
		ch, err := setToggle(ctx, tx, c, acc, m, on)
		if err != nil {
			return nil, err
		}
		return []change{ch}, nil
	}))
}

// AccessCell is one member × account toggle of a folder's access grid.
type AccessCell struct {
	StaffID   int64
	AccountID int64
}

// SetAccessCells turns every cell of one folder on (or off) in one
// transaction, each flip audited in it: the grid's row and column toggles,
// which must never leave a row half flipped. The cells are the ones the
// user saw; a cell already in the wanted state is left alone. A cell whose
// member is no longer added to the folder, or whose account is gone,
// refuses the whole change, naming what vanished. It returns how many
// cells changed.
func (s *Service) SetAccessCells(ctx context.Context, p Principal, clientID int64, cells []AccessCell, on bool) (int, error) {
	if len(cells) == 0 {
		return 0, fmt.Errorf("set access: %w: no account toggles given", ErrInvalid)
	}
	var n int
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		n = 0
		members := map[int64]Member{}
		accounts := map[int64]Account{}
		var c Client
		var changes []change
		for _, cell := range cells {
			m, ok := members[cell.StaffID]
			if !ok {
				var err error
				if c, m, err = manageTarget(ctx, tx, a, clientID, cell.StaffID); err != nil {
					return nil, err
				}
				member, err := db.IsClientMember(ctx, tx, c.ID, m.ID)
				if err != nil {
					return nil, err
				}
				if !member {
					return nil, fmt.Errorf("%w: %s is no longer added to %s", ErrNotFound, m.Email, c.Name)
				}
				members[m.ID] = m
			}
			acc, ok := accounts[cell.AccountID]
			if !ok {
				var err error
				acc, err = db.GetAccount(ctx, tx, cell.AccountID)
				if err != nil || acc.ClientID != c.ID {
					return nil, fmt.Errorf("%w: account %d is no longer in %s", ErrNotFound, cell.AccountID, c.Name)
				}
				accounts[acc.ID] = acc
			}
			now, err := db.AccountToggle(ctx, tx, acc.ID, m.ID)
			if err != nil {
				return nil, err
			}
			if now == on {
				continue
			}
			ch, err := setToggle(ctx, tx, c, acc, m, on)
			if err != nil {
				return nil, err
			}
			changes = append(changes, ch)
		}
		if len(changes) == 0 {
			return nil, fmt.Errorf("%w: nothing to change: those accounts are already %s", ErrRule, onOff(on))
		}
		n = len(changes)
		return changes, nil
	})
	if err != nil {
		return 0, fmt.Errorf("set access: %w", err)
	}
	return n, nil
}

// AddToFolders adds a member to several folders at once, every account of
// each toggled on, in one transaction (+ Clients with several marked). A
// folder they were added to meanwhile is left as it is; one that is gone
// or may not be managed refuses the whole change. It returns how many
// folders they were added to.
func (s *Service) AddToFolders(ctx context.Context, p Principal, staffID int64, clientIDs []int64) (int, error) {
	if len(clientIDs) == 0 {
		return 0, fmt.Errorf("add to clients: %w: no client folders given", ErrInvalid)
	}
	var n int
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		n = 0
		var changes []change
		for _, id := range clientIDs {
			_, _, ch, err := s.addMembership(ctx, tx, a, id, staffID)
			if err != nil {
				return nil, err
			}
			if ch != nil {
				changes = append(changes, *ch)
			}
		}
		if len(changes) == 0 {
			return nil, fmt.Errorf("%w: nothing to change: already added to every one of them", ErrRule)
		}
		n = len(changes)
		return changes, nil
	})
	if err != nil {
		return 0, fmt.Errorf("add to clients: %w", err)
	}
	return n, nil
}

func setToggle(ctx context.Context, tx *sql.Tx, c Client, acc Account, m Member, on bool) (change, error) {
	member, err := db.IsClientMember(ctx, tx, c.ID, m.ID)
	if err != nil {
		return change{}, err
	}
	if !member {
		return change{}, fmt.Errorf("%w: %s is not added to %s; add them first", ErrRule, m.Email, c.Name)
	}
	changed, err := db.SetAccountToggle(ctx, tx, c.ID, acc.ID, m.ID, on)
	if err != nil {
		return change{}, err
	}
	state := map[bool]string{true: "on", false: "off"}
	if !changed {
		return change{}, fmt.Errorf("%w: %s is already toggled %s for %s", ErrRule, acc.Name, state[on], m.Email)
	}
	return change{Action: "access.toggle", TargetKind: "account", TargetID: acc.ID, Target: c.Name + " / " + acc.Name + " / " + m.Email,
		StaffID: m.ID, ClientID: c.ID, Before: map[string]any{"access": state[!on]}, After: map[string]any{"access": state[on]}}, nil
}

// Grant gives a member access to a folder (accountID 0: the whole folder,
// every account on) or to one account of it, adding them to the folder if
// needed with only that account on.
func (s *Service) Grant(ctx context.Context, p Principal, staffID, clientID, accountID int64) error {
	return wrap("grant", s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, m, err := manageTarget(ctx, tx, a, clientID, staffID)
		if err != nil {
			return nil, err
		}
		if m.Status == "deactivated" {
			return nil, fmt.Errorf("%w: %s is deactivated; reactivate them first", ErrRule, m.Email)
		}
		var changes []change
		added, err := db.AddClientMember(ctx, tx, c.ID, m.ID, s.Now())
		if err != nil {
			return nil, err
		}
		if added {
			changes = append(changes, change{Action: "access.add", TargetKind: "client", TargetID: c.ID, Target: accessTarget(c, m),
				StaffID: m.ID, ClientID: c.ID, Before: map[string]any{"member": false}, After: map[string]any{"member": true}})
		}
		accounts, err := db.ListAccounts(ctx, tx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, acc := range accounts {
			if accountID != 0 && acc.ID != accountID {
				continue
			}
			on, err := db.AccountToggle(ctx, tx, acc.ID, m.ID)
			if err != nil {
				return nil, err
			}
			if on {
				continue
			}
			ch, err := setToggle(ctx, tx, c, acc, m, true)
			if err != nil {
				return nil, err
			}
			changes = append(changes, ch)
		}
		if accountID != 0 {
			if acc, err := db.GetAccount(ctx, tx, accountID); err != nil || acc.ClientID != c.ID {
				return nil, fmt.Errorf("%w: account %d is not in %s", ErrNotFound, accountID, c.Name)
			}
		}
		if len(changes) == 0 {
			return nil, fmt.Errorf("%w: %s already has that access", ErrRule, m.Email)
		}
		return changes, nil
	}))
}

// Revoke takes access away from a member: one account (toggled off), one
// folder (removed from it), or with clientID 0 every folder they are in.
// It returns how many folders or accounts were revoked.
func (s *Service) Revoke(ctx context.Context, p Principal, staffID, clientID, accountID int64) (int, error) {
	var n int
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		n = 0
		m, err := db.GetMember(ctx, tx, staffID)
		if err != nil {
			return nil, notFound(err, "no staff member %d", staffID)
		}
		clients := []int64{clientID}
		if clientID == 0 {
			if accountID != 0 {
				return nil, fmt.Errorf("%w: an account needs its client", ErrInvalid)
			}
			if clients, err = db.MemberClientIDs(ctx, tx, m.ID); err != nil {
				return nil, err
			}
		}
		var changes []change
		for _, cid := range clients {
			c, _, err := manageTarget(ctx, tx, a, cid, m.ID)
			if err != nil {
				return nil, err
			}
			var ch change
			if accountID != 0 {
				acc, err := db.GetAccount(ctx, tx, accountID)
				if err != nil || acc.ClientID != c.ID {
					return nil, fmt.Errorf("%w: account %d is not in %s", ErrNotFound, accountID, c.Name)
				}
				ch, err = setToggle(ctx, tx, c, acc, m, false)
				if err != nil {
					return nil, err
				}
			} else if ch, err = removeMembership(ctx, tx, c, m); err != nil {
				return nil, err
			}
			changes = append(changes, ch)
		}
		n = len(changes)
		return changes, nil
	})
	if err != nil {
		return 0, fmt.Errorf("revoke: %w", err)
	}
	return n, nil
}

// MemberFolderCount is how many client folders a member was added to: the
// memberships offboarding or removal takes away, counted without reading
// their accounts.
func (s *Service) MemberFolderCount(ctx context.Context, p Principal, staffID int64) (int, error) {
	if _, err := s.GetMember(ctx, p, staffID); err != nil {
		return 0, err
	}
	ids, err := db.MemberClientIDs(ctx, s.db.Read(), staffID)
	return len(ids), err
}

// ListGrants lists memberships and toggles; the actor must be allowed to
// see the member (for StaffID) or the folder (for ClientID).
func (s *Service) ListGrants(ctx context.Context, p Principal, q db.GrantQuery) ([]Grant, error) {
	if q.StaffID == 0 && q.ClientID == 0 {
		return nil, fmt.Errorf("%w: list access for a member or a client", ErrInvalid)
	}
	if q.StaffID != 0 {
		if _, err := s.GetMember(ctx, p, q.StaffID); err != nil {
			return nil, err
		}
	}
	if q.ClientID != 0 {
		if _, err := s.GetClient(ctx, p, q.ClientID); err != nil {
			return nil, err
		}
	}
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	// Only memberships of folders and members the reader sees, and in
	// them only the accounts the reader sees.
	folders, ok := scopeFor(a, ModuleClients)
	members, ok2 := scopeFor(a, ModuleStaff)
	if !ok || !ok2 {
		return nil, nil
	}
	q.Folders, q.Members = &folders, &members
	rows, err := db.ListGrants(ctx, s.db.Read(), q)
	if err != nil {
		return nil, err
	}
	sees := s.accountSight(ctx, a)
	var failed error
	out := foldGrants(rows, func(Grant) bool { return true }, func(g Grant) bool {
		ok, err := sees(g.ClientID, g.AccountID)
		if err != nil && failed == nil {
			failed = err
		}
		return ok
	})
	return out, failed
}

// accountSight returns a function that answers whether the actor sees an
// account of a folder, reading each folder's facts and the actor's toggles
// in it once.
func (s *Service) accountSight(ctx context.Context, a Actor) func(clientID, accountID int64) (bool, error) {
	q := s.db.Read()
	type folder struct {
		facts   *ClientFacts
		toggled []int64
	}
	folders := map[int64]folder{}
	return func(clientID, accountID int64) (bool, error) {
		f, ok := folders[clientID]
		if !ok {
			c, err := db.GetClient(ctx, q, clientID)
			if err != nil {
				return false, err
			}
			if f.facts, err = clientFacts(ctx, q, a, c); err != nil {
				return false, err
			}
			if a.Kind != KindSystem && a.StaffID != 0 {
				if f.toggled, err = db.ToggledAccountIDs(ctx, q, clientID, a.StaffID); err != nil {
					return false, err
				}
			}
			folders[clientID] = f
		}
		af := &AccountFacts{ID: accountID, ActorToggleOn: slices.Contains(f.toggled, accountID)}
		return Decide(a, ActView, Target{Module: ModuleAccounts, Client: f.facts, Account: af}).Allowed, nil
	}
}
