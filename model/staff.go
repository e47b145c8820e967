package model

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gatehouse/db"
)

// SetupInput is the first run: the organisation and its Owner.
type SetupInput struct {
	OrgName    string
	OwnerName  string
	OwnerEmail string
	Password   string
	Demo       bool
}

// InternalFolderName is the name of the firm's own accounts folder.
const InternalFolderName = "Internal accounts"

// Setup creates the organisation, its Owner and the internal-accounts
// folder on an empty database. It is audited as the local system user.
func (s *Service) Setup(ctx context.Context, sys Principal, in SetupInput) (Member, error) {
	org, err := CleanName("organisation name", in.OrgName)
	if err != nil {
		return Member{}, err
	}
	name, err := CleanName("name", in.OwnerName)
	if err != nil {
		return Member{}, err
	}
	email, err := CleanEmail(in.OwnerEmail)
	if err != nil {
		return Member{}, err
	}
	if err := CheckPasswordStrength(in.Password); err != nil {
		return Member{}, err
	}
	hash, err := hashPassword(ctx, in.Password)
	if err != nil {
		return Member{}, err
	}
	var id int64
	err = s.write(ctx, sys, func(tx *sql.Tx, a Actor) ([]change, error) {
		if _, err := db.GetOrg(ctx, tx); err == nil {
			return nil, fmt.Errorf("%w: this database already holds an organisation", ErrRule)
		}
		now := s.Now()
		if err := db.InsertOrg(ctx, tx, db.Org{Name: org, InviteTTL: 7 * 24 * time.Hour, IdleTimeout: 30 * time.Minute, Plan: "Partner", Demo: in.Demo, CreatedAt: now}); err != nil {
			return nil, err
		}
		if id, err = db.InsertStaff(ctx, tx, name, email, EmailKey(email), db.RoleOwner, "active", hash, now); err != nil {
			return nil, fmt.Errorf("create owner: %w", err)
		}
		cid, err := db.InsertClient(ctx, tx, InternalFolderName, id, 0, true, now)
		if err != nil {
			return nil, fmt.Errorf("create internal folder: %w", err)
		}
		return []change{
			{Action: "org.create", TargetKind: "organisation", Target: org, After: map[string]any{"name": org}},
			{Action: "staff.create", TargetKind: "staff", TargetID: id, Target: email, StaffID: id, After: map[string]any{"name": name, "email": email, "role": "Owner", "status": "active"}},
			{Action: "client.create", TargetKind: "client", TargetID: cid, Target: InternalFolderName, ClientID: cid, After: map[string]any{"internal": true}},
		}, nil
	})
	if err != nil {
		return Member{}, fmt.Errorf("set up organisation: %w", err)
	}
	return db.GetMember(ctx, s.db.Read(), id)
}

// ListStaff returns one page of the staff the actor may see, and the total.
func (s *Service) ListStaff(ctx context.Context, p Principal, q MemberQuery) ([]Member, int, error) {
	if err := checkFilter("staff", q.Text); err != nil {
		return nil, 0, err
	}
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	sc, ok := scopeFor(a, ModuleStaff)
	if !ok {
		return nil, 0, &DeniedError{Decide(a, ActView, Target{Module: ModuleStaff})}
	}
	q.Scope = sc
	ms, err := db.ListMembers(ctx, s.db.Read(), q)
	if err != nil {
		return nil, 0, err
	}
	n, err := db.CountMembers(ctx, s.db.Read(), q)
	return ms, n, err
}

// StaffPosition is where member id stands in the staff list q describes
// (its paging ignored), as the actor may see it; ErrNotFound when the list
// does not hold them (removed, filtered out, or out of the actor's sight).
func (s *Service) StaffPosition(ctx context.Context, p Principal, q MemberQuery, id int64) (int, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return 0, err
	}
	sc, ok := scopeFor(a, ModuleStaff)
	if !ok {
		return 0, &DeniedError{Decide(a, ActView, Target{Module: ModuleStaff})}
	}
	q.Scope = sc
	pos, err := db.MemberPosition(ctx, s.db.Read(), q, id)
	return pos, notFound(err, "member %d is not in the list", id)
}

// MemberByEmail finds a member the actor may see.
func (s *Service) MemberByEmail(ctx context.Context, p Principal, email string) (Member, error) {
	m, err := db.GetMemberByEmail(ctx, s.db.Read(), EmailKey(email))
	if err != nil {
		return m, noMemberWithEmail(email)
	}
	if err := s.canSeeMember(ctx, p, m, noMemberWithEmail(email)); err != nil {
		return Member{}, err
	}
	return m, nil
}

// GetMember reads a member by id, if the actor may see them.
func (s *Service) GetMember(ctx context.Context, p Principal, id int64) (Member, error) {
	m, err := db.GetMember(ctx, s.db.Read(), id)
	if err != nil {
		return m, notFound(err, "no staff member %d", id)
	}
	if err := s.canSeeMember(ctx, p, m, fmt.Errorf("%w: no staff member %d", ErrNotFound, id)); err != nil {
		return Member{}, err
	}
	return m, nil
}

// canSeeMember returns missing, the answer for a member who does not
// exist, when p may not see m.
func (s *Service) canSeeMember(ctx context.Context, p Principal, m Member, missing error) error {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return err
	}
	sf, err := staffFacts(ctx, s.db.Read(), m)
	if err != nil {
		return err
	}
	if !Decide(a, ActView, Target{Module: ModuleStaff, Staff: sf}).Allowed {
		return missing
	}
	return nil
}

// lookupRole finds a role by name for assignment.
func lookupRole(ctx context.Context, q db.Querier, name string) (Role, *RoleFacts, error) {
	r, err := db.GetRoleByName(ctx, q, strings.TrimSpace(name))
	if err != nil {
		return r, nil, notFound(err, "no role named %q", Sanitize(name))
	}
	rf, err := roleFacts(ctx, q, r)
	return r, rf, err
}

func lookupDepartments(ctx context.Context, q db.Querier, names []string) ([]int64, []string, error) {
	var ids []int64
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		d, err := db.GetDepartmentByName(ctx, q, n)
		if errors.Is(err, db.ErrNotFound) {
			return nil, nil, noDepartmentNamed(n)
		}
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, d.ID)
		out = append(out, d.Name)
	}
	return ids, out, nil
}

// requireMember loads member id inside a write and requires that a may
// act on them.
func requireMember(ctx context.Context, tx *sql.Tx, a Actor, act Action, id int64) (Member, error) {
	m, sf, err := memberTarget(ctx, tx, id)
	if err != nil {
		return m, err
	}
	return m, require(a, act, Target{Module: ModuleStaff, Staff: sf})
}

// memberTarget loads a member inside a write and the engine's facts.
func memberTarget(ctx context.Context, tx *sql.Tx, id int64) (Member, *StaffFacts, error) {
	m, err := db.GetMember(ctx, tx, id)
	if err != nil {
		return m, nil, notFound(err, "no staff member %d", id)
	}
	sf, err := staffFacts(ctx, tx, m)
	return m, sf, err
}

// SetRole changes a member's role. It takes effect at once: every check
// re-reads the role.
func (s *Service) SetRole(ctx context.Context, p Principal, staffID int64, roleName string) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, sf, err := memberTarget(ctx, tx, staffID)
		if err != nil {
			return nil, err
		}
		role, rf, err := lookupRole(ctx, tx, roleName)
		if err != nil {
			return nil, err
		}
		if err := require(a, ActSetRole, Target{Module: ModuleStaff, Staff: sf, Role: rf}); err != nil {
			return nil, err
		}
		if role.ID == m.RoleID {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, m.Email, role.Name)
		}
		if err := db.SetMemberRole(ctx, tx, m.ID, role.ID); err != nil {
			return nil, err
		}
		return []change{{Action: "staff.set-role", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
			Before: map[string]any{"role": m.RoleName}, After: map[string]any{"role": role.Name}}}, nil
	})
	if err != nil {
		return fmt.Errorf("change role: %w", err)
	}
	return nil
}

// Deactivate stops a member from signing in; their records stay assigned.
func (s *Service) Deactivate(ctx context.Context, p Principal, staffID int64) error {
	return s.setStatus(ctx, p, staffID, ActDeactivate, "deactivated")
}

// Reactivate lets a deactivated member sign in again.
func (s *Service) Reactivate(ctx context.Context, p Principal, staffID int64) error {
	return s.setStatus(ctx, p, staffID, ActReactivate, "active")
}

func (s *Service) setStatus(ctx context.Context, p Principal, staffID int64, action Action, status string) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireMember(ctx, tx, a, action, staffID)
		if err != nil {
			return nil, err
		}
		if m.Status == status {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, m.Email, status)
		}
		if err := db.SetMemberStatus(ctx, tx, m.ID, status); err != nil {
			return nil, err
		}
		return []change{{Action: "staff." + action.String(), TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
			Before: map[string]any{"status": m.Status}, After: map[string]any{"status": status}}}, nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// reassignTarget validates the member who takes over someone's clients.
func reassignTarget(ctx context.Context, tx *sql.Tx, from Member, to int64) (Member, error) {
	if to == 0 {
		return Member{}, nil
	}
	if to == from.ID {
		return Member{}, fmt.Errorf("%w: cannot reassign %s's clients to themselves", ErrRule, from.Email)
	}
	m, err := db.GetMember(ctx, tx, to)
	if err != nil {
		return m, notFound(err, "no staff member %d to reassign to", to)
	}
	if m.Status != "active" {
		return m, fmt.Errorf("%w: clients can be reassigned only to an active member; %s is %s", ErrRule, m.Email, m.Status)
	}
	return m, nil
}

// leavingMember is what Remove and Offboard do first: load the member
// leaving, require that a may act on them (act), and load the member their
// clients go to (none when reassignTo is 0).
func leavingMember(ctx context.Context, tx *sql.Tx, a Actor, act Action, staffID, reassignTo int64) (leaving, to Member, err error) {
	m, err := requireMember(ctx, tx, a, act, staffID)
	if err != nil {
		return m, to, err
	}
	to, err = reassignTarget(ctx, tx, m, reassignTo)
	return m, to, err
}

// Remove deletes a member: their access is revoked, their clients go to
// reassignTo (0: left unowned). History stays in the audit log.
func (s *Service) Remove(ctx context.Context, p Principal, staffID, reassignTo int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, to, err := leavingMember(ctx, tx, a, ActRemove, staffID, reassignTo)
		if err != nil {
			return nil, err
		}
		moved, err := db.ReassignClients(ctx, tx, m.ID, to.ID)
		if err != nil {
			return nil, err
		}
		folders, err := db.RemoveAllMemberships(ctx, tx, m.ID)
		if err != nil {
			return nil, err
		}
		if err := db.DeleteMember(ctx, tx, m.ID); err != nil {
			return nil, err
		}
		after := map[string]any{"clients_reassigned": moved, "access_removed_from": len(folders)}
		if to.ID != 0 {
			after["reassigned_to"] = to.Email
		} else {
			after["reassigned_to"] = "unowned"
		}
		return []change{{Action: "staff.remove", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
			Before: map[string]any{"name": m.Name, "email": m.Email, "role": m.RoleName, "status": m.Status}, After: after}}, nil
	})
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

// OffboardResult says what offboarding did.
type OffboardResult struct {
	FoldersRemoved    int
	ClientsReassigned int64
	ReassignedTo      string
	WasActive         bool
}

// Offboard revokes every access a member has, deactivates them and
// reassigns (or unassigns) their clients, in one transaction.
func (s *Service) Offboard(ctx context.Context, p Principal, staffID, reassignTo int64) (OffboardResult, error) {
	var res OffboardResult
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		res = OffboardResult{}
		m, to, err := leavingMember(ctx, tx, a, ActDeactivate, staffID, reassignTo)
		if err != nil {
			return nil, err
		}
		var changes []change
		folders, err := db.RemoveAllMemberships(ctx, tx, m.ID)
		if err != nil {
			return nil, err
		}
		res.FoldersRemoved = len(folders)
		for _, cid := range folders {
			c, err := db.GetClient(ctx, tx, cid)
			if err != nil {
				return nil, err
			}
			changes = append(changes, change{Action: "access.remove", TargetKind: "client", TargetID: cid, Target: c.Name + " / " + m.Email,
				StaffID: m.ID, ClientID: cid, Before: map[string]any{"member": true}, After: map[string]any{"member": false}})
		}
		if res.ClientsReassigned, err = db.ReassignClients(ctx, tx, m.ID, to.ID); err != nil {
			return nil, err
		}
		res.ReassignedTo = "unowned"
		if to.ID != 0 {
			res.ReassignedTo = to.Email
		}
		res.WasActive = m.Status == "active"
		if m.Status != "deactivated" {
			if err := db.SetMemberStatus(ctx, tx, m.ID, "deactivated"); err != nil {
				return nil, err
			}
		}
		changes = append(changes, change{Action: "staff.offboard", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
			Before: map[string]any{"status": m.Status, "folders": len(folders)},
			After:  map[string]any{"status": "deactivated", "folders": 0, "clients_reassigned": res.ClientsReassigned, "reassigned_to": res.ReassignedTo}})
		return changes, nil
	})
	if err != nil {
		return res, fmt.Errorf("offboard: %w", err)
	}
	return res, nil
}

// TransferOwnership makes an active Admin the Owner; the old Owner becomes
// an Admin. The Owner re-enters their password. It cannot be undone except
// by the new Owner transferring back.
func (s *Service) TransferOwnership(ctx context.Context, p Principal, toID int64, password string) error {
	var refused *change
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireMember(ctx, tx, a, ActTransfer, toID)
		if err != nil {
			return nil, err
		}
		var oldID int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM staff WHERE role_id = ?`, db.RoleOwner).Scan(&oldID); err != nil {
			return nil, fmt.Errorf("find owner: %w", err)
		}
		ok, err := passwordReentered(ctx, tx, a, password)
		if err != nil {
			return nil, err
		}
		if !ok {
			refused = &change{Action: "org.transfer-ownership.failure", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
				After: map[string]any{"to": m.Email, "reason": "wrong password"}}
			return nil, fmt.Errorf("%w: the password is not right; ownership was not transferred", ErrDenied)
		}
		old, err := db.GetMember(ctx, tx, oldID)
		if err != nil {
			return nil, err
		}
		// Demote first: the unique index allows one Owner at a time.
		if err := db.SetMemberRole(ctx, tx, oldID, db.RoleAdmin); err != nil {
			return nil, err
		}
		if err := db.SetMemberRole(ctx, tx, m.ID, db.RoleOwner); err != nil {
			return nil, err
		}
		return []change{
			{Action: "org.transfer-ownership", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
				Before: map[string]any{"owner": old.Email}, After: map[string]any{"owner": m.Email}},
			{Action: "staff.set-role", TargetKind: "staff", TargetID: old.ID, Target: old.Email, StaffID: old.ID,
				Before: map[string]any{"role": "Owner"}, After: map[string]any{"role": "Admin"}},
			{Action: "staff.set-role", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
				Before: map[string]any{"role": m.RoleName}, After: map[string]any{"role": "Owner"}},
		}, nil
	})
	if refused != nil {
		// A wrong password on the most powerful change there is is worth
		// knowing about: it is recorded after the refusal rolled back.
		if aerr := s.write(ctx, p, func(*sql.Tx, Actor) ([]change, error) { return []change{*refused}, nil }); aerr != nil {
			err = errors.Join(err, fmt.Errorf("record the refusal: %w", aerr))
		}
	}
	if err != nil {
		return fmt.Errorf("transfer ownership: %w", err)
	}
	return nil
}

// SetDepartments replaces a member's departments.
func (s *Service) SetDepartments(ctx context.Context, p Principal, staffID int64, names []string) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireDepartmentsChange(ctx, tx, a, staffID)
		if err != nil {
			return nil, err
		}
		ids, clean, err := lookupDepartments(ctx, tx, names)
		if err != nil {
			return nil, err
		}
		return replaceDepartments(ctx, tx, m, ids, clean)
	})
	if err != nil {
		return fmt.Errorf("set departments: %w", err)
	}
	return nil
}

// ChangeDepartmentMembership adds a member to one department (join) or
// takes them out of it, keeping their other departments. The actor's
// permission is checked before anything about the member's departments is
// told: "is already in" is an answer only for someone who may change it.
func (s *Service) ChangeDepartmentMembership(ctx context.Context, p Principal, staffID, deptID int64, join bool) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireDepartmentsChange(ctx, tx, a, staffID)
		if err != nil {
			return nil, err
		}
		d, err := db.GetDepartment(ctx, tx, deptID)
		if err != nil {
			return nil, notFound(err, "no department %d", deptID)
		}
		var ids []int64
		var names []string
		in := false
		for _, x := range m.Departments {
			if x.ID == d.ID {
				in = true
				continue
			}
			ids, names = append(ids, x.ID), append(names, x.Name)
		}
		switch {
		case join && in:
			return nil, fmt.Errorf("%w: %s is already in %s", ErrRule, Sanitize(m.Email), Sanitize(d.Name))
		case !join && !in:
			return nil, fmt.Errorf("%w: %s is not in %s", ErrRule, Sanitize(m.Email), Sanitize(d.Name))
		case join:
			ids, names = append(ids, d.ID), append(names, d.Name)
		}
		return replaceDepartments(ctx, tx, m, ids, names)
	})
	if err != nil {
		return fmt.Errorf("change departments: %w", err)
	}
	return nil
}

// requireDepartmentsChange loads member staffID inside a write and
// requires that the actor may update them and departments.
func requireDepartmentsChange(ctx context.Context, tx *sql.Tx, a Actor, staffID int64) (Member, error) {
	m, err := requireMember(ctx, tx, a, ActUpdate, staffID)
	if err != nil {
		return m, err
	}
	return m, require(a, ActUpdate, Target{Module: ModuleDepartments})
}

// replaceDepartments writes member m's departments and its audit change.
func replaceDepartments(ctx context.Context, tx *sql.Tx, m Member, ids []int64, names []string) ([]change, error) {
	var before []string
	for _, d := range m.Departments {
		before = append(before, d.Name)
	}
	if err := db.SetMemberDepartments(ctx, tx, m.ID, ids); err != nil {
		return nil, err
	}
	return []change{{Action: "staff.set-departments", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
		Before: map[string]any{"departments": before}, After: map[string]any{"departments": names}}}, nil
}

// SetManager assigns a member to a manager (0: none); a Manager sees the
// records of the members assigned to them.
func (s *Service) SetManager(ctx context.Context, p Principal, staffID, managerID int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		m, err := requireMember(ctx, tx, a, ActUpdate, staffID)
		if err != nil {
			return nil, err
		}
		after := "none"
		if managerID != 0 {
			if managerID == staffID {
				return nil, fmt.Errorf("%w: a member cannot be their own manager", ErrRule)
			}
			mg, err := db.GetMember(ctx, tx, managerID)
			if err != nil {
				return nil, notFound(err, "no staff member %d", managerID)
			}
			// Refuse cycles: walk up from the new manager.
			for cur, n := mg, 0; cur.ManagerID != 0 && n < 10000; n++ {
				if cur.ManagerID == staffID {
					return nil, fmt.Errorf("%w: %s is (indirectly) managed by %s", ErrRule, mg.Email, m.Email)
				}
				if cur, err = db.GetMember(ctx, tx, cur.ManagerID); err != nil {
					break
				}
			}
			after = mg.Email
		}
		if err := db.SetManager(ctx, tx, m.ID, managerID); err != nil {
			return nil, err
		}
		before := m.ManagerName
		if before == "" {
			before = "none"
		}
		return []change{{Action: "staff.set-manager", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
			Before: map[string]any{"manager": before}, After: map[string]any{"manager": after}}}, nil
	})
	if err != nil {
		return fmt.Errorf("set manager: %w", err)
	}
	return nil
}
