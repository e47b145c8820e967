package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ListRoles lists every role, built-in first, with member counts and, for
// custom roles, their permissions.
func ListRoles(ctx context.Context, q Querier) ([]Role, error) {
	return listRoles(ctx, q, `(SELECT count(*) FROM staff s WHERE s.role_id = r.id)`)
}

// RoleChoices lists every role as ListRoles does but without member
// counts (Members is 0): what a picker needs. Counting reads an index entry
// per member, the largest part of the Staff screen's first frame at 10,000
// members; without the counts the list costs the same at every size.
func RoleChoices(ctx context.Context, q Querier) ([]Role, error) {
	return listRoles(ctx, q, `0`)
}

func listRoles(ctx context.Context, q Querier, members string) ([]Role, error) {
	out, err := queryAll(ctx, q, "list roles", func(row rowScanner) (Role, error) {
		var r Role
		err := row.Scan(&r.ID, &r.Name, &r.Builtin, &r.Description, &r.Members)
		return r, err
	}, `SELECT r.id, r.name, COALESCE(r.builtin, ''), r.description, `+members+`
		FROM roles r ORDER BY r.builtin IS NULL, r.id`)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Builtin == "" {
			if out[i].Permissions, err = RolePermissions(ctx, q, out[i].ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// GetRole reads one role by id.
func GetRole(ctx context.Context, q Querier, id int64) (Role, error) {
	return getRole(ctx, q, `r.id = ?`, id)
}

// GetRoleByName reads one role by name, case-insensitively.
func GetRoleByName(ctx context.Context, q Querier, name string) (Role, error) {
	return getRole(ctx, q, `r.name = ?`, name)
}

func getRole(ctx context.Context, q Querier, where string, arg any) (Role, error) {
	var r Role
	err := q.QueryRowContext(ctx, `SELECT r.id, r.name, COALESCE(r.builtin, ''), r.description, (SELECT count(*) FROM staff s WHERE s.role_id = r.id) FROM roles r WHERE `+where, arg).
		Scan(&r.ID, &r.Name, &r.Builtin, &r.Description, &r.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	if r.Builtin == "" {
		r.Permissions, err = RolePermissions(ctx, q, r.ID)
	}
	return r, err
}

// RolePermissions lists a custom role's permissions.
func RolePermissions(ctx context.Context, q Querier, roleID int64) ([]Permission, error) {
	return permissions(ctx, q, `SELECT module, action, scope FROM role_permissions WHERE role_id = ? ORDER BY module, action`, roleID)
}

func permissions(ctx context.Context, q Querier, query string, id int64) ([]Permission, error) {
	return queryAll(ctx, q, "read permissions", func(r rowScanner) (Permission, error) {
		var p Permission
		err := r.Scan(&p.Module, &p.Action, &p.Scope)
		return p, err
	}, query, id)
}

// InsertRole creates a custom role.
func InsertRole(ctx context.Context, q Querier, name, description string, perms []Permission, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO roles (name, description, created_at) VALUES (?, ?, ?)`, name, description, now.Unix())
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	return id, SetRolePermissions(ctx, q, id, perms)
}

// UpdateRole renames a custom role and replaces its description.
func UpdateRole(ctx context.Context, q Querier, id int64, name, description string) error {
	return execOne(ctx, q, `UPDATE roles SET name = ?, description = ? WHERE id = ? AND builtin IS NULL`, name, description, id)
}

// SetRolePermissions replaces a custom role's permissions.
func SetRolePermissions(ctx context.Context, q Querier, id int64, perms []Permission) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM role_permissions WHERE role_id = ?`, id); err != nil {
		return err
	}
	for _, p := range perms {
		if _, err := q.ExecContext(ctx, `INSERT INTO role_permissions (role_id, module, action, scope) VALUES (?, ?, ?, ?)`, id, p.Module, p.Action, p.Scope); err != nil {
			return fmt.Errorf("permission %s.%s: %w", p.Module, p.Action, err)
		}
	}
	return nil
}

// DeleteRole deletes a custom role.
func DeleteRole(ctx context.Context, q Querier, id int64) error {
	return execOne(ctx, q, `DELETE FROM roles WHERE id = ? AND builtin IS NULL`, id)
}

// MoveRoleMembers moves every member of one role to another.
func MoveRoleMembers(ctx context.Context, q Querier, from, to int64) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE staff SET role_id = ? WHERE role_id = ?`, to, from)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ListDepartments lists departments with heads and member counts.
func ListDepartments(ctx context.Context, q Querier) ([]Department, error) {
	return listDepartments(ctx, q, `(SELECT count(*) FROM staff_departments sd WHERE sd.department_id = d.id)`)
}

// DepartmentChoices lists departments as ListDepartments does but without
// member counts (Members is 0): what a picker needs, at a cost that does
// not grow with the staff.
func DepartmentChoices(ctx context.Context, q Querier) ([]Department, error) {
	return listDepartments(ctx, q, `0`)
}

func listDepartments(ctx context.Context, q Querier, members string) ([]Department, error) {
	return queryAll(ctx, q, "list departments", scanDepartment, `SELECT d.id, d.name, d.description, COALESCE(d.head_id, 0), COALESCE(h.name, ''), `+members+`
		FROM departments d LEFT JOIN staff h ON h.id = d.head_id ORDER BY d.name COLLATE NOCASE`)
}

func scanDepartment(r rowScanner) (Department, error) {
	var d Department
	err := r.Scan(&d.ID, &d.Name, &d.Description, &d.HeadID, &d.HeadName, &d.Members)
	return d, err
}

// GetDepartmentByName reads a department by name.
func GetDepartmentByName(ctx context.Context, q Querier, name string) (Department, error) {
	d, err := scanDepartment(q.QueryRowContext(ctx, `SELECT d.id, d.name, d.description, COALESCE(d.head_id, 0), COALESCE(h.name, ''), (SELECT count(*) FROM staff_departments sd WHERE sd.department_id = d.id)
		FROM departments d LEFT JOIN staff h ON h.id = d.head_id WHERE d.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, err
}

// InsertDepartment creates a department.
func InsertDepartment(ctx context.Context, q Querier, name, description string, headID int64, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO departments (name, description, head_id, created_at) VALUES (?, ?, ?, ?)`, name, description, nullID(headID), now.Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// UpdateDepartment writes a department's name, description and head.
func UpdateDepartment(ctx context.Context, q Querier, d Department) error {
	return execOne(ctx, q, `UPDATE departments SET name = ?, description = ?, head_id = ? WHERE id = ?`, d.Name, d.Description, nullID(d.HeadID), d.ID)
}

// DeleteDepartment deletes a department; members and clients lose it.
func DeleteDepartment(ctx context.Context, q Querier, id int64) error {
	return execOne(ctx, q, `DELETE FROM departments WHERE id = ?`, id)
}

const invitationSelect = `SELECT i.id, i.email, i.name, i.role_id, r.name, i.departments, i.message,
	CASE WHEN i.status = 'pending' AND i.expires_at <= ? THEN 'expired' ELSE i.status END,
	COALESCE(c.email, ''), i.created_at, i.expires_at, i.accepted_at
	FROM invitations i JOIN roles r ON r.id = i.role_id LEFT JOIN staff c ON c.id = i.created_by`

func scanInvitation(sc rowScanner) (Invitation, error) {
	var inv Invitation
	var depts string
	var created, expires, accepted int64
	err := sc.Scan(&inv.ID, &inv.Email, &inv.Name, &inv.RoleID, &inv.RoleName, &depts, &inv.Message, &inv.Status, &inv.CreatedBy, &created, &expires, &accepted)
	inv.CreatedAt, inv.ExpiresAt, inv.AcceptedAt = unix(created), unix(expires), unix(accepted)
	for _, d := range strings.Split(depts, ",") {
		if id, err := strconv.ParseInt(d, 10, 64); err == nil {
			inv.Departments = append(inv.Departments, id)
		}
	}
	return inv, err
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// InsertInvitation stores a pending invitation.
func InsertInvitation(ctx context.Context, q Querier, inv Invitation, emailKey, tokenHash string, createdBy int64) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO invitations (email, email_key, name, role_id, departments, message, token_hash, status, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
		inv.Email, emailKey, inv.Name, inv.RoleID, joinIDs(inv.Departments), inv.Message, tokenHash, nullID(createdBy), unixOf(inv.CreatedAt), unixOf(inv.ExpiresAt))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// ListInvitations lists invitations, newest first; status "" for all.
func ListInvitations(ctx context.Context, q Querier, status string, now time.Time) ([]Invitation, error) {
	return queryAll(ctx, q, "list invitations", scanInvitation, invitationSelect+` WHERE (? = '' OR (CASE WHEN i.status = 'pending' AND i.expires_at <= ? THEN 'expired' ELSE i.status END) = ?) ORDER BY i.created_at DESC, i.id DESC`,
		now.Unix(), status, now.Unix(), status)
}

// GetInvitation reads an invitation by id.
func GetInvitation(ctx context.Context, q Querier, id int64, now time.Time) (Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, invitationSelect+` WHERE i.id = ?`, now.Unix(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, ErrNotFound
	}
	return inv, err
}

// InvitationByToken finds an invitation by the hash of its secret code.
func InvitationByToken(ctx context.Context, q Querier, tokenHash string, now time.Time) (Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, invitationSelect+` WHERE i.token_hash = ?`, now.Unix(), tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, ErrNotFound
	}
	return inv, err
}

// PendingInvitationByEmail finds the pending invitation for an email, by
// its normalised key (or the address as stored).
func PendingInvitationByEmail(ctx context.Context, q Querier, email string, now time.Time) (Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, invitationSelect+` WHERE (i.email_key = ? OR i.email = ?) AND i.status = 'pending'`, now.Unix(), email, email))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, ErrNotFound
	}
	return inv, err
}

// SetInvitationStatus marks an invitation accepted or revoked.
func SetInvitationStatus(ctx context.Context, q Querier, id int64, status string, at time.Time) error {
	accepted := int64(0)
	if status == "accepted" {
		accepted = at.Unix()
	}
	return execOne(ctx, q, `UPDATE invitations SET status = ?, accepted_at = ? WHERE id = ?`, status, accepted, id)
}

// RenewInvitation gives an invitation a new code and expiry and makes it
// pending again.
func RenewInvitation(ctx context.Context, q Querier, id int64, tokenHash string, expires time.Time) error {
	return execOne(ctx, q, `UPDATE invitations SET token_hash = ?, expires_at = ?, status = 'pending' WHERE id = ?`, tokenHash, expires.Unix(), id)
}

const connectionSelect = `SELECT c.id, c.name, c.kind, COALESCE(c.creator_id, 0), COALESCE(s.name, ''), c.fingerprint, c.enabled, c.created_at, c.last_used, c.disabled_at
	FROM connections c LEFT JOIN staff s ON s.id = c.creator_id`

func scanConnection(sc rowScanner) (Connection, error) {
	var c Connection
	var created, used, disabled int64
	err := sc.Scan(&c.ID, &c.Name, &c.Kind, &c.CreatorID, &c.CreatorName, &c.Fingerprint, &c.Enabled, &created, &used, &disabled)
	c.CreatedAt, c.LastUsed, c.DisabledAt = unix(created), unix(used), unix(disabled)
	return c, err
}

// InsertConnection stores a connection and its permissions.
func InsertConnection(ctx context.Context, q Querier, c Connection, tokenHash string) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO connections (name, kind, creator_id, token_hash, fingerprint, enabled, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)`,
		c.Name, c.Kind, nullID(c.CreatorID), tokenHash, c.Fingerprint, unixOf(c.CreatedAt))
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, p := range c.Permissions {
		if _, err := q.ExecContext(ctx, `INSERT INTO connection_permissions (connection_id, module, action, scope) VALUES (?, ?, ?, ?)`, id, p.Module, p.Action, p.Scope); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// ListConnections lists every connection with its permissions.
func ListConnections(ctx context.Context, q Querier) ([]Connection, error) {
	out, err := queryAll(ctx, q, "list connections", scanConnection, connectionSelect+` ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Permissions, err = ConnectionPermissions(ctx, q, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetConnection reads a connection by id.
func GetConnection(ctx context.Context, q Querier, id int64) (Connection, error) {
	return getConnection(ctx, q, `c.id = ?`, id)
}

// ConnectionByToken finds a connection by its token hash.
func ConnectionByToken(ctx context.Context, q Querier, tokenHash string) (Connection, error) {
	return getConnection(ctx, q, `c.token_hash = ? AND c.token_hash != ''`, tokenHash)
}

// ConnectionByFingerprint finds a connection by its SSH key fingerprint.
func ConnectionByFingerprint(ctx context.Context, q Querier, fp string) (Connection, error) {
	return getConnection(ctx, q, `c.fingerprint = ? AND c.fingerprint != ''`, fp)
}

func getConnection(ctx context.Context, q Querier, where string, arg any) (Connection, error) {
	c, err := scanConnection(q.QueryRowContext(ctx, connectionSelect+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	c.Permissions, err = ConnectionPermissions(ctx, q, c.ID)
	return c, err
}

// ConnectionPermissions lists a connection's permissions.
func ConnectionPermissions(ctx context.Context, q Querier, id int64) ([]Permission, error) {
	return permissions(ctx, q, `SELECT module, action, scope FROM connection_permissions WHERE connection_id = ? ORDER BY module, action`, id)
}

// SetConnectionEnabled switches a connection on or off.
func SetConnectionEnabled(ctx context.Context, q Querier, id int64, enabled bool, at time.Time) error {
	disabled := int64(0)
	if !enabled {
		disabled = at.Unix()
	}
	return execOne(ctx, q, `UPDATE connections SET enabled = ?, disabled_at = ? WHERE id = ?`, enabled, disabled, id)
}

// TouchConnection records a connection's use.
func TouchConnection(ctx context.Context, q Querier, id int64, at time.Time) error {
	return execOne(ctx, q, `UPDATE connections SET last_used = ? WHERE id = ?`, at.Unix(), id)
}
