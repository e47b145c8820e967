package model

import (
	"context"
	"database/sql"
	"fmt"

	"gatehouse/db"
)

// ListDepartments lists departments by name, with heads and member counts.
func (s *Service) ListDepartments(ctx context.Context, p Principal) ([]Department, error) {
	return s.listDepartments(ctx, p, db.ListDepartments)
}

// DepartmentChoices lists departments as ListDepartments does, without
// member counts (Members is 0): for pickers that load at start-up.
func (s *Service) DepartmentChoices(ctx context.Context, p Principal) ([]Department, error) {
	return s.listDepartments(ctx, p, db.DepartmentChoices)
}

func (s *Service) listDepartments(ctx context.Context, p Principal, list func(context.Context, db.Querier) ([]Department, error)) ([]Department, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleDepartments}); err != nil {
		return nil, err
	}
	return list(ctx, s.db.Read())
}

// GetDepartment reads one department by id.
func (s *Service) GetDepartment(ctx context.Context, p Principal, id int64) (Department, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return Department{}, err
	}
	if err := require(a, ActView, Target{Module: ModuleDepartments}); err != nil {
		return Department{}, err
	}
	d, err := db.GetDepartment(ctx, s.db.Read(), id)
	return d, notFound(err, "no department %d", id)
}

// cleanDepartment validates a department's name and description, and its
// head (0: none), who must be a current member.
func cleanDepartment(ctx context.Context, q db.Querier, name, description string, headID int64) (string, string, string, error) {
	name, err := CleanName("department name", name)
	if err != nil {
		return "", "", "", err
	}
	description, err = CleanText("description", description)
	if err != nil {
		return "", "", "", fmt.Errorf("description: %w", err)
	}
	head := "none"
	if headID != 0 {
		m, err := db.GetMember(ctx, q, headID)
		if err != nil {
			return "", "", "", notFound(err, "no staff member %d to head the department", headID)
		}
		if m.Status == "deactivated" {
			return "", "", "", fmt.Errorf("%w: %s is deactivated and cannot head a department", ErrRule, m.Email)
		}
		head = m.Email
	}
	return name, description, head, nil
}

func departmentConflict(err error, name string) error {
	if db.IsUnique(err) {
		return fmt.Errorf("%w: a department named %q already exists (department names ignore case)", ErrConflict, name)
	}
	return err
}

// CreateDepartment creates a department with an optional head (0: none).
func (s *Service) CreateDepartment(ctx context.Context, p Principal, name, description string, headID int64) (Department, error) {
	var d Department
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActCreate, Target{Module: ModuleDepartments}); err != nil {
			return nil, err
		}
		clean, desc, head, err := cleanDepartment(ctx, tx, name, description, headID)
		if err != nil {
			return nil, err
		}
		id, err := db.InsertDepartment(ctx, tx, clean, desc, headID, s.Now())
		if err != nil {
			return nil, departmentConflict(err, clean)
		}
		if d, err = db.GetDepartment(ctx, tx, id); err != nil {
			return nil, err
		}
		return []change{{Action: "department.create", TargetKind: "department", TargetID: id, Target: clean,
			After: map[string]any{"name": clean, "description": desc, "head": head}}}, nil
	})
	if err != nil {
		return d, fmt.Errorf("create department: %w", err)
	}
	return d, nil
}

// UpdateDepartment renames a department and replaces its description and
// head (0: none).
func (s *Service) UpdateDepartment(ctx context.Context, p Principal, id int64, name, description string, headID int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		old, err := db.GetDepartment(ctx, tx, id)
		if err != nil {
			return nil, notFound(err, "no department %d", id)
		}
		if err := require(a, ActUpdate, Target{Module: ModuleDepartments, Label: old.Name}); err != nil {
			return nil, err
		}
		clean, desc, head, err := cleanDepartment(ctx, tx, name, description, headID)
		if err != nil {
			return nil, err
		}
		oldHead := "none"
		if old.HeadID != 0 {
			if h, err := db.GetMember(ctx, tx, old.HeadID); err == nil {
				oldHead = h.Email
			}
		}
		if err := db.UpdateDepartment(ctx, tx, Department{ID: id, Name: clean, Description: desc, HeadID: headID}); err != nil {
			return nil, departmentConflict(err, clean)
		}
		return []change{{Action: "department.update", TargetKind: "department", TargetID: id, Target: clean,
			Before: map[string]any{"name": old.Name, "description": old.Description, "head": oldHead},
			After:  map[string]any{"name": clean, "description": desc, "head": head}}}, nil
	})
	if err != nil {
		return fmt.Errorf("update department: %w", err)
	}
	return nil
}

// DeleteDepartment deletes a department. Its members and client folders
// stay; they just no longer belong to it, which the audit entry counts.
func (s *Service) DeleteDepartment(ctx context.Context, p Principal, id int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		old, err := db.GetDepartment(ctx, tx, id)
		if err != nil {
			return nil, notFound(err, "no department %d", id)
		}
		if err := require(a, ActDelete, Target{Module: ModuleDepartments, Label: old.Name}); err != nil {
			return nil, err
		}
		clients, err := db.DepartmentClientCount(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := db.DeleteDepartment(ctx, tx, id); err != nil {
			return nil, notFound(err, "no department %d", id)
		}
		return []change{{Action: "department.delete", TargetKind: "department", TargetID: id, Target: old.Name,
			Before: map[string]any{"name": old.Name, "description": old.Description, "members": old.Members, "clients": clients},
			After:  map[string]any{"deleted": true}}}, nil
	})
	if err != nil {
		return fmt.Errorf("delete department: %w", err)
	}
	return nil
}

// DepartmentMembers lists a department's members, as far as the actor may
// see staff.
func (s *Service) DepartmentMembers(ctx context.Context, p Principal, id int64) ([]Member, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleDepartments}); err != nil {
		return nil, err
	}
	if _, err := db.GetDepartment(ctx, s.db.Read(), id); err != nil {
		return nil, notFound(err, "no department %d", id)
	}
	sc, ok := scopeFor(a, ModuleStaff)
	if !ok {
		return nil, &DeniedError{Decide(a, ActView, Target{Module: ModuleStaff})}
	}
	return db.ListDepartmentMembers(ctx, s.db.Read(), id, sc)
}
