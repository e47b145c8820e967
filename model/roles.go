package model

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"gatehouse/db"
)

// ListRoles lists every role, built-in first, with member counts.
// Permissions is filled for custom roles only; RolePermissionSet answers
// for built-in ones too.
func (s *Service) ListRoles(ctx context.Context, p Principal) ([]Role, error) {
	return s.listRoles(ctx, p, db.ListRoles)
}

// RoleChoices lists every role as ListRoles does, without member counts
// (Members is 0): for pickers, such as the Staff screen's, which load at
// start-up and should cost the same at every size.
func (s *Service) RoleChoices(ctx context.Context, p Principal) ([]Role, error) {
	return s.listRoles(ctx, p, db.RoleChoices)
}

func (s *Service) listRoles(ctx context.Context, p Principal, list func(context.Context, db.Querier) ([]Role, error)) ([]Role, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleRoles}); err != nil {
		return nil, err
	}
	return list(ctx, s.db.Read())
}

// GetRole reads one role by id.
func (s *Service) GetRole(ctx context.Context, p Principal, roleID int64) (Role, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return Role{}, err
	}
	if err := require(a, ActView, Target{Module: ModuleRoles}); err != nil {
		return Role{}, err
	}
	r, err := db.GetRole(ctx, s.db.Read(), roleID)
	return r, notFound(err, "no role %d", roleID)
}

// RolePermissionSet returns what a role grants, built-in or custom.
func (s *Service) RolePermissionSet(ctx context.Context, p Principal, roleID int64) (PermissionSet, error) {
	r, err := s.GetRole(ctx, p, roleID)
	if err != nil {
		return nil, err
	}
	return rolePerms(ctx, s.db.Read(), r.ID, r.Builtin)
}

// cleanRole validates what a custom role is made of. The permissions come
// back normalised: one entry per module and action, at its widest scope.
func cleanRole(name, description string, perms []Permission) (string, string, PermissionSet, error) {
	name, err := CleanName("role name", name)
	if err != nil {
		return "", "", nil, err
	}
	description, err = CleanText("description", description)
	if err != nil {
		return "", "", nil, fmt.Errorf("description: %w", err)
	}
	ps, err := NewPermissionSet(perms)
	if err != nil {
		return "", "", nil, err
	}
	return name, description, ps, nil
}

// permStrings renders a permission set for the audit log, e.g.
// "clients.view:own".
func permStrings(ps PermissionSet) []string {
	out := []string{}
	for _, p := range ps.List() {
		out = append(out, p.String())
	}
	return out
}

func roleConflict(err error, name string) error {
	if db.IsUnique(err) {
		return fmt.Errorf("%w: a role named %q already exists (role names ignore case)", ErrConflict, name)
	}
	return err
}

// CreateRole creates a custom role. The engine refuses a role that grants
// more than the actor has, so no one can mint powers they lack.
func (s *Service) CreateRole(ctx context.Context, p Principal, name, description string, perms []Permission) (Role, error) {
	name, description, ps, err := cleanRole(name, description, perms)
	if err != nil {
		return Role{}, fmt.Errorf("create role: %w", err)
	}
	var role Role
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActCreate, Target{Module: ModuleRoles, Label: name, Role: &RoleFacts{Name: name, Perms: ps}}); err != nil {
			return nil, err
		}
		id, err := db.InsertRole(ctx, tx, name, description, permissionsToDB(ps), s.Now())
		if err != nil {
			return nil, roleConflict(err, name)
		}
		if role, err = db.GetRole(ctx, tx, id); err != nil {
			return nil, err
		}
		return []change{{Action: "role.create", TargetKind: "role", TargetID: id, Target: name,
			After: map[string]any{"name": name, "description": description, "permissions": permStrings(ps)}}}, nil
	})
	if err != nil {
		return Role{}, fmt.Errorf("create role %s: %w", Sanitize(name), err)
	}
	return role, nil
}

// UpdateRole renames a custom role and replaces its description and
// permissions. It takes effect at once: every check reloads the actor's
// role.
func (s *Service) UpdateRole(ctx context.Context, p Principal, roleID int64, name, description string, perms []Permission) error {
	name, description, ps, err := cleanRole(name, description, perms)
	if err != nil {
		return fmt.Errorf("update role: %w", err)
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		old, err := db.GetRole(ctx, tx, roleID)
		if err != nil {
			return nil, notFound(err, "no role %d", roleID)
		}
		oldPS, err := rolePerms(ctx, tx, old.ID, old.Builtin)
		if err != nil {
			return nil, err
		}
		if err := require(a, ActUpdate, Target{Module: ModuleRoles, Label: old.Name, Role: &RoleFacts{ID: old.ID, Name: old.Name, RoleKind: roleKindOf(old.Builtin), Perms: ps, Before: oldPS}}); err != nil {
			return nil, err
		}
		if err := db.UpdateRole(ctx, tx, old.ID, name, description); err != nil {
			return nil, roleConflict(err, name)
		}
		if err := db.SetRolePermissions(ctx, tx, old.ID, permissionsToDB(ps)); err != nil {
			return nil, err
		}
		return []change{{Action: "role.update", TargetKind: "role", TargetID: old.ID, Target: name,
			Before: map[string]any{"name": old.Name, "description": old.Description, "permissions": permStrings(oldPS)},
			After:  map[string]any{"name": name, "description": description, "permissions": permStrings(ps)}}}, nil
	})
	if err != nil {
		return fmt.Errorf("update role: %w", err)
	}
	return nil
}

// DeleteRole deletes a custom role. A role with members or pending
// invitations is deleted only when moveMembersTo names another role: the
// members and invitations then move to it in the same transaction, each
// member's move checked as a role change by the actor and audited as one.
// Invitations that can no longer be redeemed go with the role; the audit
// log keeps their story. Built-in roles cannot be deleted.
func (s *Service) DeleteRole(ctx context.Context, p Principal, roleID int64, moveMembersTo string) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		old, err := db.GetRole(ctx, tx, roleID)
		if err != nil {
			return nil, notFound(err, "no role %d", roleID)
		}
		rf, err := roleFacts(ctx, tx, old)
		if err != nil {
			return nil, err
		}
		if err := require(a, ActDelete, Target{Module: ModuleRoles, Label: old.Name, Role: rf}); err != nil {
			return nil, err
		}
		mv, err := s.moveRoleHolders(ctx, tx, a, old, moveMembersTo)
		if err != nil {
			return nil, err
		}
		past, err := db.DeleteRoleInvitations(ctx, tx, old.ID)
		if err != nil {
			return nil, err
		}
		if err := db.DeleteRole(ctx, tx, old.ID); err != nil {
			return nil, notFound(err, "no custom role %d", roleID)
		}
		after := map[string]any{"deleted": true}
		if mv.to != "" {
			after["members_moved_to"] = mv.to
			after["members_moved"] = len(mv.changes)
			after["invitations_moved"] = mv.invitations
		}
		if past > 0 {
			after["past_invitations_removed"] = past
		}
		return append(mv.changes, change{Action: "role.delete", TargetKind: "role", TargetID: old.ID, Target: old.Name,
			Before: map[string]any{"name": old.Name, "description": old.Description, "permissions": permStrings(rf.Perms), "members": old.Members},
			After:  after}), nil
	})
	if err != nil {
		return fmt.Errorf("delete role: %w", err)
	}
	return nil
}

// roleMove is what moving a deleted role's holders did.
type roleMove struct {
	to          string   // the role they moved to; "" when nothing moved
	changes     []change // one staff.set-role per member
	invitations int64
}

// moveRoleHolders moves every member and live invitation of old to the
// role named to, checking each member's move as the actor's role change and
// the invitations as the actor inviting with that role.
func (s *Service) moveRoleHolders(ctx context.Context, tx *sql.Tx, a Actor, old Role, to string) (roleMove, error) {
	var mv roleMove
	now := s.Now()
	ids, err := db.RoleMemberIDs(ctx, tx, old.ID)
	if err != nil {
		return mv, err
	}
	invites, err := db.CountLiveRoleInvitations(ctx, tx, old.ID, now)
	if err != nil || len(ids)+invites == 0 {
		return mv, err
	}
	if strings.TrimSpace(to) == "" {
		return mv, fmt.Errorf("%w: %s has %d member(s) and %d pending invitation(s); choose a role to move them to first", ErrRule, old.Name, len(ids), invites)
	}
	target, tf, err := lookupRole(ctx, tx, to)
	if err != nil {
		return mv, err
	}
	if target.ID == old.ID {
		return mv, fmt.Errorf("%w: members must move to a role other than %s, the one being deleted", ErrRule, old.Name)
	}
	if invites > 0 {
		if err := require(a, ActInvite, Target{Module: ModuleStaff, Role: tf}); err != nil {
			return mv, err
		}
	}
	for _, id := range ids {
		m, sf, err := memberTarget(ctx, tx, id)
		if err != nil {
			return mv, err
		}
		if err := require(a, ActSetRole, Target{Module: ModuleStaff, Staff: sf, Role: tf}); err != nil {
			return mv, err
		}
		mv.changes = append(mv.changes, change{Action: "staff.set-role", TargetKind: "staff", TargetID: m.ID, Target: m.Email, StaffID: m.ID,
			Before: map[string]any{"role": old.Name}, After: map[string]any{"role": target.Name, "reason": "role " + old.Name + " deleted"}})
	}
	if _, err := db.MoveRoleMembers(ctx, tx, old.ID, target.ID); err != nil {
		return mv, fmt.Errorf("move members to %s: %w", target.Name, err)
	}
	if mv.invitations, err = db.MoveLiveRoleInvitations(ctx, tx, old.ID, target.ID, now); err != nil {
		return mv, err
	}
	mv.to = target.Name
	return mv, nil
}

// RoleMembers lists the members holding a role, as far as the actor may see
// staff. For paging over a large role use ListStaff with MemberQuery.RoleID.
func (s *Service) RoleMembers(ctx context.Context, p Principal, roleID int64) ([]Member, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleRoles}); err != nil {
		return nil, err
	}
	if _, err := db.GetRole(ctx, s.db.Read(), roleID); err != nil {
		return nil, notFound(err, "no role %d", roleID)
	}
	sc, ok := scopeFor(a, ModuleStaff)
	if !ok {
		return nil, &DeniedError{Decide(a, ActView, Target{Module: ModuleStaff})}
	}
	return db.ListMembers(ctx, s.db.Read(), db.MemberQuery{Scope: sc, RoleID: roleID})
}
