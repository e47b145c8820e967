package model

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gatehouse/db"
)

// ClientInput describes a new client folder.
type ClientInput struct {
	Name       string
	OwnerID    int64 // 0: unowned
	Department string
	Accounts   []string
}

// ListClients returns one page of the folders the actor may see and the
// total that match.
func (s *Service) ListClients(ctx context.Context, p Principal, q ClientQuery) ([]Client, int, error) {
	if err := checkFilter("clients", q.Text); err != nil {
		return nil, 0, err
	}
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	sc, ok := scopeFor(a, ModuleClients)
	if !ok {
		return nil, 0, &DeniedError{Decide(a, ActView, Target{Module: ModuleClients})}
	}
	q.Scope = sc
	cs, err := db.ListClients(ctx, s.db.Read(), q)
	if err != nil {
		return nil, 0, err
	}
	if q.KnownTotal {
		return cs, -1, nil
	}
	n, err := db.CountClients(ctx, s.db.Read(), q)
	return cs, n, err
}

// ClientPosition is where folder id stands in the client list q describes
// (its paging ignored), as the actor may see it; ErrNotFound when the list
// does not hold it.
func (s *Service) ClientPosition(ctx context.Context, p Principal, q ClientQuery, id int64) (int, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return 0, err
	}
	sc, ok := scopeFor(a, ModuleClients)
	if !ok {
		return 0, &DeniedError{Decide(a, ActView, Target{Module: ModuleClients})}
	}
	q.Scope = sc
	pos, err := db.ClientPosition(ctx, s.db.Read(), q, id)
	return pos, notFound(err, "client %d is not in the list", id)
}

// GetClient reads a folder the actor may see.
func (s *Service) GetClient(ctx context.Context, p Principal, id int64) (Client, error) {
	c, err := db.GetClient(ctx, s.db.Read(), id)
	if err != nil {
		return c, notFound(err, "no client %d", id)
	}
	if err := s.canSeeClient(ctx, p, c, fmt.Errorf("%w: no client %d", ErrNotFound, id)); err != nil {
		return Client{}, err
	}
	return c, nil
}

// ClientByName reads a folder by name, if the actor may see it.
func (s *Service) ClientByName(ctx context.Context, p Principal, name string) (Client, error) {
	c, err := db.GetClientByName(ctx, s.db.Read(), strings.TrimSpace(name))
	if err != nil {
		return c, noClientNamed(name)
	}
	if err := s.canSeeClient(ctx, p, c, noClientNamed(name)); err != nil {
		return Client{}, err
	}
	return c, nil
}

// canSeeClient returns missing, the answer for a folder that does not
// exist, when p may not see c: not found means not found.
func (s *Service) canSeeClient(ctx context.Context, p Principal, c Client, missing error) error {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return err
	}
	cf, err := clientFacts(ctx, s.db.Read(), a, c)
	if err != nil {
		return err
	}
	if !Decide(a, ActView, Target{Module: ModuleClients, Client: cf}).Allowed {
		return missing
	}
	return nil
}

// Accounts lists the accounts of a folder the actor sees, as they see
// them: seeing an account is reaching it (VisibleAccounts).
func (s *Service) Accounts(ctx context.Context, p Principal, clientID int64) ([]Account, error) {
	return s.VisibleAccounts(ctx, p, clientID)
}

// clientTarget loads a folder inside a write with the engine's facts.
func clientTarget(ctx context.Context, tx *sql.Tx, a Actor, id int64) (Client, Target, error) {
	c, err := db.GetClient(ctx, tx, id)
	return targetOfClient(ctx, tx, a, id, c, err)
}

// clientTargetLite is clientTarget for changes that need only the folder's
// id, name and facts: it reads the folder without counting its accounts
// and members (two counts per toggle, a fifth of a toggle's processor time
// at large).
func clientTargetLite(ctx context.Context, tx *sql.Tx, a Actor, id int64) (Client, Target, error) {
	c, err := db.GetClientLite(ctx, tx, id)
	return targetOfClient(ctx, tx, a, id, c, err)
}

func targetOfClient(ctx context.Context, tx *sql.Tx, a Actor, id int64, c Client, err error) (Client, Target, error) {
	if err != nil {
		return c, Target{}, notFound(err, "no client %d", id)
	}
	cf, err := clientFacts(ctx, tx, a, c)
	return c, Target{Module: ModuleClients, Label: c.Name, Client: cf}, err
}

func cleanAccountNames(names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			continue
		}
		clean, err := CleanName("account name", n)
		if err != nil {
			return nil, err
		}
		if seen[strings.ToLower(clean)] {
			return nil, fmt.Errorf("%w: account %q is listed twice", ErrConflict, clean)
		}
		seen[strings.ToLower(clean)] = true
		out = append(out, clean)
	}
	return out, nil
}

// CreateClient creates a folder with its accounts.
func (s *Service) CreateClient(ctx context.Context, p Principal, in ClientInput) (Client, error) {
	name, err := CleanName("client name", in.Name)
	if err != nil {
		return Client{}, err
	}
	accounts, err := cleanAccountNames(in.Accounts)
	if err != nil {
		return Client{}, err
	}
	var id int64
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActCreate, Target{Module: ModuleClients}); err != nil {
			return nil, err
		}
		ownerEmail, err := activeMemberEmail(ctx, tx, in.OwnerID)
		if err != nil {
			return nil, err
		}
		var deptID int64
		if strings.TrimSpace(in.Department) != "" {
			ids, names, err := lookupDepartments(ctx, tx, []string{in.Department})
			if err != nil {
				return nil, err
			}
			deptID = ids[0]
			// Creating a folder in a department is moving a new folder
			// into it: the same rule as SetClientDepartment, asked of
			// create, so a department-scoped creator files only into
			// their own departments.
			next := Client{Name: name, DepartmentID: deptID, DepartmentName: names[0]}
			if err := requireMoved(a, ActCreate, Client{}, next); err != nil {
				if !Decide(a, ActView, Target{Module: ModuleDepartments}).Allowed {
					return nil, noDepartmentNamed(strings.TrimSpace(in.Department))
				}
				return nil, err
			}
		}
		now := s.Now()
		if id, err = db.InsertClient(ctx, tx, name, in.OwnerID, deptID, false, now); err != nil {
			if db.IsUnique(err) {
				return nil, fmt.Errorf("%w: a client named %q exists already", ErrConflict, name)
			}
			return nil, err
		}
		for _, acc := range accounts {
			if _, err := db.InsertAccount(ctx, tx, id, acc, now); err != nil {
				return nil, err
			}
		}
		return []change{{Action: "client.create", TargetKind: "client", TargetID: id, Target: name, ClientID: id,
			After: map[string]any{"name": name, "owner": ownerEmail, "department": strings.TrimSpace(in.Department), "accounts": accounts}}}, nil
	})
	if err != nil {
		return Client{}, fmt.Errorf("create client %s: %w", Sanitize(name), err)
	}
	return db.GetClient(ctx, s.db.Read(), id)
}

func activeMemberEmail(ctx context.Context, q db.Querier, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	m, err := db.GetMember(ctx, q, id)
	if err != nil {
		return "", notFound(err, "no staff member %d", id)
	}
	if m.Status == "deactivated" {
		return "", fmt.Errorf("%w: %s is deactivated", ErrRule, m.Email)
	}
	return m.Email, nil
}

// updateClient applies edit to a folder the actor may update, and audits.
func (s *Service) updateClient(ctx context.Context, p Principal, id int64, action string, edit func(tx *sql.Tx, a Actor, c *Client) error) error {
	return s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, t, err := clientTarget(ctx, tx, a, id)
		if err != nil {
			return nil, err
		}
		verb := ActUpdate
		if action == "client.archive" {
			verb = ActDelete
		}
		if err := require(a, verb, t); err != nil {
			return nil, err
		}
		before := clientState(c)
		next := c
		if err := edit(tx, a, &next); err != nil {
			return nil, err
		}
		if err := db.UpdateClient(ctx, tx, next, s.Now()); err != nil {
			if db.IsUnique(err) {
				return nil, fmt.Errorf("%w: a client named %q exists already", ErrConflict, next.Name)
			}
			return nil, err
		}
		return []change{{Action: action, TargetKind: "client", TargetID: c.ID, Target: next.Name, ClientID: c.ID,
			Before: before, After: clientState(next)}}, nil
	})
}

// requireMoved is the rule for moving folder c into another department
// (next): beyond the change on the folder as it is, the actor's scope for
// the change must cover the target department itself, as a folder of that
// department with no owner and nobody added to it. Being added to the
// folder, or owning it, does not carry it into a department beyond their
// scope, where its members would reach it. Clearing the department moves
// it into none and needs nothing more.
func requireMoved(a Actor, verb Action, c, next Client) error {
	if next.DepartmentID == c.DepartmentID || next.DepartmentID == 0 {
		return nil
	}
	there := &ClientFacts{ID: next.ID, Name: next.Name, DeptID: next.DepartmentID, DeptName: next.DepartmentName, Internal: next.Internal}
	if err := require(a, verb, Target{Module: ModuleClients, Label: next.Name, Client: there}); err != nil {
		return fmt.Errorf("move %s into %s: %w", Sanitize(next.Name), Sanitize(next.DepartmentName), err)
	}
	return nil
}

func clientState(c Client) map[string]any {
	return map[string]any{"name": c.Name, "owner": c.OwnerName, "department": c.DepartmentName, "archived": c.Archived}
}

// RenameClient renames a folder.
func (s *Service) RenameClient(ctx context.Context, p Principal, id int64, name string) error {
	clean, err := CleanName("client name", name)
	if err != nil {
		return err
	}
	return wrap("rename client", s.updateClient(ctx, p, id, "client.rename", func(tx *sql.Tx, a Actor, c *Client) error {
		if c.Internal {
			return fmt.Errorf("%w: the internal-accounts folder keeps its name", ErrRule)
		}
		c.Name = clean
		return nil
	}))
}

// ArchiveClient hides a folder from lists; access and history stay.
func (s *Service) ArchiveClient(ctx context.Context, p Principal, id int64) error {
	return wrap("archive client", s.updateClient(ctx, p, id, "client.archive", func(tx *sql.Tx, a Actor, c *Client) error {
		if c.Internal {
			return fmt.Errorf("%w: the internal-accounts folder cannot be archived", ErrRule)
		}
		if c.Archived {
			return fmt.Errorf("%w: %s is already archived", ErrRule, c.Name)
		}
		c.Archived = true
		return nil
	}))
}

// RestoreClient brings an archived folder back.
func (s *Service) RestoreClient(ctx context.Context, p Principal, id int64) error {
	return wrap("restore client", s.updateClient(ctx, p, id, "client.restore", func(tx *sql.Tx, a Actor, c *Client) error {
		if !c.Archived {
			return fmt.Errorf("%w: %s is not archived", ErrRule, c.Name)
		}
		c.Archived = false
		return nil
	}))
}

// SetClientOwner makes a member responsible for a folder (0: unowned).
func (s *Service) SetClientOwner(ctx context.Context, p Principal, clientID, ownerID int64) error {
	return wrap("set client owner", s.updateClient(ctx, p, clientID, "client.set-owner", func(tx *sql.Tx, a Actor, c *Client) error {
		email, err := activeMemberEmail(ctx, tx, ownerID)
		if err != nil {
			return err
		}
		c.OwnerID, c.OwnerName = ownerID, email
		return nil
	}))
}

// SetClientDepartment files a folder under a department ("" for none).
func (s *Service) SetClientDepartment(ctx context.Context, p Principal, clientID int64, dept string) error {
	return wrap("set client department", s.updateClient(ctx, p, clientID, "client.set-department", func(tx *sql.Tx, a Actor, c *Client) error {
		before := *c
		c.DepartmentID, c.DepartmentName = 0, ""
		if strings.TrimSpace(dept) == "" {
			return nil
		}
		ids, names, err := lookupDepartments(ctx, tx, []string{dept})
		if err != nil {
			return err
		}
		c.DepartmentID, c.DepartmentName = ids[0], names[0]
		if err := requireMoved(a, ActUpdate, before, *c); err != nil {
			// To someone who may not view departments, a department they
			// may not move folders into is answered as one that does not
			// exist: the answer must not tell them the name is real.
			if !Decide(a, ActView, Target{Module: ModuleDepartments}).Allowed {
				return noDepartmentNamed(strings.TrimSpace(dept))
			}
			return err
		}
		return nil
	}))
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// AddAccount adds an account to a folder. Nobody reaches it until it is
// toggled on for them (Owners and all-scope roles excepted).
func (s *Service) AddAccount(ctx context.Context, p Principal, clientID int64, name string) (Account, error) {
	clean, err := CleanName("account name", name)
	if err != nil {
		return Account{}, err
	}
	var id int64
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, t, err := clientTarget(ctx, tx, a, clientID)
		if err != nil {
			return nil, err
		}
		t.Module = ModuleAccounts
		if err := require(a, ActCreate, Target{Module: ModuleAccounts, Client: t.Client, Account: &AccountFacts{Name: clean}}); err != nil {
			return nil, err
		}
		if id, err = db.InsertAccount(ctx, tx, clientID, clean, s.Now()); err != nil {
			if db.IsUnique(err) {
				return nil, fmt.Errorf("%w: %s already has an account named %q", ErrConflict, c.Name, clean)
			}
			return nil, err
		}
		return []change{{Action: "account.create", TargetKind: "account", TargetID: id, Target: c.Name + " / " + clean, ClientID: c.ID,
			After: map[string]any{"name": clean}}}, nil
	})
	if err != nil {
		return Account{}, fmt.Errorf("add account: %w", err)
	}
	return db.GetAccount(ctx, s.db.Read(), id)
}

// accountTarget loads an account and its folder inside a write.
func accountTarget(ctx context.Context, tx *sql.Tx, a Actor, accountID int64) (Client, Account, Target, error) {
	acc, err := db.GetAccount(ctx, tx, accountID)
	if err != nil {
		return Client{}, acc, Target{}, notFound(err, "no account %d", accountID)
	}
	c, t, err := clientTarget(ctx, tx, a, acc.ClientID)
	if err != nil {
		return c, acc, t, err
	}
	af, err := accountFacts(ctx, tx, a, acc)
	t.Module, t.Account = ModuleAccounts, af
	return c, acc, t, err
}

// RenameAccount renames an account.
func (s *Service) RenameAccount(ctx context.Context, p Principal, accountID int64, name string) error {
	clean, err := CleanName("account name", name)
	if err != nil {
		return err
	}
	return wrap("rename account", s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, acc, t, err := accountTarget(ctx, tx, a, accountID)
		if err != nil {
			return nil, err
		}
		if err := require(a, ActUpdate, t); err != nil {
			return nil, err
		}
		if err := db.RenameAccount(ctx, tx, accountID, clean); err != nil {
			if db.IsUnique(err) {
				return nil, fmt.Errorf("%w: %s already has an account named %q", ErrConflict, c.Name, clean)
			}
			return nil, err
		}
		return []change{{Action: "account.rename", TargetKind: "account", TargetID: acc.ID, Target: c.Name + " / " + clean, ClientID: c.ID,
			Before: map[string]any{"name": acc.Name}, After: map[string]any{"name": clean}}}, nil
	}))
}

// RemoveAccount deletes an account and every toggle on it.
func (s *Service) RemoveAccount(ctx context.Context, p Principal, accountID int64) error {
	return wrap("remove account", s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, acc, t, err := accountTarget(ctx, tx, a, accountID)
		if err != nil {
			return nil, err
		}
		if err := require(a, ActDelete, t); err != nil {
			return nil, err
		}
		if err := db.DeleteAccount(ctx, tx, accountID); err != nil {
			return nil, err
		}
		return []change{{Action: "account.remove", TargetKind: "account", TargetID: acc.ID, Target: c.Name + " / " + acc.Name, ClientID: c.ID,
			Before: map[string]any{"name": acc.Name}}}, nil
	}))
}

// BulkReassign moves folders from one owner to another (0: unowned) in one
// transaction (Bulk Reassign); clientIDs nil means all of them. It returns
// the ids of the folders moved.
func (s *Service) BulkReassign(ctx context.Context, p Principal, fromID, toID int64, clientIDs []int64) ([]int64, error) {
	var moved []int64
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		moved = nil
		from, err := db.GetMember(ctx, tx, fromID)
		if err != nil {
			return nil, notFound(err, "no staff member %d", fromID)
		}
		to, err := reassignTarget(ctx, tx, from, toID)
		if err != nil {
			return nil, err
		}
		if clientIDs == nil {
			owned, err := db.ListClients(ctx, tx, db.ClientQuery{Scope: db.Scope{All: true, Internal: true}, OwnerID: fromID})
			if err != nil {
				return nil, err
			}
			for _, c := range owned {
				clientIDs = append(clientIDs, c.ID)
			}
		}
		var changes []change
		for _, cid := range clientIDs {
			c, t, err := clientTarget(ctx, tx, a, cid)
			if err != nil {
				return nil, err
			}
			if err := require(a, ActUpdate, t); err != nil {
				return nil, err
			}
			if c.OwnerID != fromID {
				return nil, fmt.Errorf("%w: %s is not owned by %s", ErrRule, c.Name, from.Email)
			}
			if err := db.SetClientOwner(ctx, tx, cid, to.ID); err != nil {
				return nil, err
			}
			after := to.Email
			if after == "" {
				after = "unowned"
			}
			changes = append(changes, change{Action: "client.set-owner", TargetKind: "client", TargetID: cid, Target: c.Name, ClientID: cid, StaffID: fromID,
				Before: map[string]any{"owner": from.Email}, After: map[string]any{"owner": after}})
		}
		for _, ch := range changes {
			moved = append(moved, ch.TargetID)
		}
		return changes, nil
	})
	if err != nil {
		return nil, fmt.Errorf("bulk reassign: %w", err)
	}
	return moved, nil
}
