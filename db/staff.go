package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// GetOrg reads the organisation; ErrNotFound on an empty database.
func GetOrg(ctx context.Context, q Querier) (Org, error) {
	var o Org
	var ttl, idle, created int64
	err := q.QueryRowContext(ctx, `SELECT name, require_2fa, invite_ttl_hours, idle_timeout_minutes, plan, payment_method, demo, created_at FROM organisation WHERE id = 1`).
		Scan(&o.Name, &o.Require2FA, &ttl, &idle, &o.Plan, &o.PaymentMethod, &o.Demo, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("read organisation: %w", err)
	}
	o.InviteTTL = time.Duration(ttl) * time.Hour
	o.IdleTimeout = time.Duration(idle) * time.Minute
	o.CreatedAt = unix(created)
	return o, nil
}

// InsertOrg creates the organisation row.
func InsertOrg(ctx context.Context, q Querier, o Org) error {
	_, err := q.ExecContext(ctx, `INSERT INTO organisation (id, name, require_2fa, invite_ttl_hours, idle_timeout_minutes, plan, payment_method, demo, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.Name, o.Require2FA, int64(o.InviteTTL/time.Hour), int64(o.IdleTimeout/time.Minute), o.Plan, o.PaymentMethod, o.Demo, unixOf(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("create organisation: %w", err)
	}
	return nil
}

// UpdateOrg writes the organisation's settings.
func UpdateOrg(ctx context.Context, q Querier, o Org) error {
	_, err := q.ExecContext(ctx, `UPDATE organisation SET name = ?, require_2fa = ?, invite_ttl_hours = ?, idle_timeout_minutes = ?, plan = ?, payment_method = ? WHERE id = 1`,
		o.Name, o.Require2FA, int64(o.InviteTTL/time.Hour), int64(o.IdleTimeout/time.Minute), o.Plan, o.PaymentMethod)
	if err != nil {
		return fmt.Errorf("update organisation: %w", err)
	}
	return nil
}

// InsertStaff adds a member and returns its id; emailKey is the email's
// normalised form, which lookups compare.
func InsertStaff(ctx context.Context, q Querier, name, email, emailKey string, roleID int64, status, passwordHash string, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO staff (name, email, email_key, role_id, status, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		name, email, emailKey, roleID, status, passwordHash, now.Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

const memberSelect = `SELECT s.id, s.name, s.email, s.role_id, r.name, COALESCE(r.builtin, ''), s.status,
	COALESCE(s.manager_id, 0), COALESCE(mg.name, ''), s.totp_enabled, s.last_active, s.created_at,
	COALESCE((SELECT group_concat(d.id || char(31) || d.name, char(30)) FROM staff_departments sd JOIN departments d ON d.id = sd.department_id WHERE sd.staff_id = s.id), '')
	FROM staff s JOIN roles r ON r.id = s.role_id LEFT JOIN staff mg ON mg.id = s.manager_id`

func scanMember(sc rowScanner) (Member, error) {
	var m Member
	var last, created int64
	var depts string
	err := sc.Scan(&m.ID, &m.Name, &m.Email, &m.RoleID, &m.RoleName, &m.RoleBuiltin, &m.Status,
		&m.ManagerID, &m.ManagerName, &m.TOTPEnabled, &last, &created, &depts)
	if err != nil {
		return m, err
	}
	m.LastActive, m.CreatedAt = unix(last), unix(created)
	if depts != "" {
		for _, d := range strings.Split(depts, "\x1e") {
			id, name, _ := strings.Cut(d, "\x1f")
			var dep Department
			fmt.Sscan(id, &dep.ID)
			dep.Name = name
			m.Departments = append(m.Departments, dep)
		}
	}
	return m, nil
}

// GetMember reads one member by id.
func GetMember(ctx context.Context, q Querier, id int64) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, memberSelect+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// GetMemberBrief reads a member's id, name, email and status only, for
// writes that name the member and decide nothing on the rest.
func GetMemberBrief(ctx context.Context, q Querier, id int64) (Member, error) {
	var m Member
	err := q.QueryRowContext(ctx, `SELECT id, name, email, status FROM staff WHERE id = ?`, id).Scan(&m.ID, &m.Name, &m.Email, &m.Status)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// GetMemberByEmail reads one member by the normalised key of their email
// (the model's EmailKey); an address as stored, in any ASCII case, is
// found too.
func GetMemberByEmail(ctx context.Context, q Querier, email string) (Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, memberSelect+` WHERE s.email_key = ?1 OR s.email = ?1`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// MemberQuery filters, sorts and pages the staff list.
type MemberQuery struct {
	Scope  Scope
	Text   string // substring of name or email
	Status string
	RoleID int64
	Sort   string // name (default), email, role, status, last_active, created
	Desc   bool
	Limit  int
	Offset int
}

var memberSorts = map[string]string{
	"name": "s.name COLLATE NOCASE", "email": "s.email", "role": "r.name COLLATE NOCASE",
	"status": "s.status", "last_active": "s.last_active", "created": "s.created_at",
}

func (mq MemberQuery) where() (string, []any) {
	clause, args := mq.Scope.staffClause()
	parts := []string{clause}
	if mq.Text != "" {
		parts = append(parts, `(s.name LIKE ? ESCAPE '\' OR s.email LIKE ? ESCAPE '\')`)
		p := likePattern(mq.Text)
		args = append(args, p, p)
	}
	if mq.Status != "" {
		parts = append(parts, "s.status = ?")
		args = append(args, mq.Status)
	}
	if mq.RoleID != 0 {
		parts = append(parts, "s.role_id = ?")
		args = append(args, mq.RoleID)
	}
	return " WHERE " + strings.Join(parts, " AND "), args
}

// ListMembers returns one page of members.
func ListMembers(ctx context.Context, q Querier, mq MemberQuery) ([]Member, error) {
	where, args := mq.where()
	_, order, dir := sortOrder(memberSorts, mq.Sort, mq.Desc)
	return queryAll(ctx, q, "list staff", scanMember, memberSelect+where+fmt.Sprintf(" ORDER BY %s %s, s.id %s LIMIT ? OFFSET ?", order, dir, dir), append(args, pageLimit(mq.Limit), mq.Offset)...)
}

// MemberPosition is where member id stands in the list mq describes, its
// paging ignored (0 is the first row), or ErrNotFound when the list does
// not hold them: a screen that re-read a window of the list finds the
// record under its cursor again after rows were inserted or removed above.
func MemberPosition(ctx context.Context, q Querier, mq MemberQuery, id int64) (int, error) {
	where, args := mq.where()
	_, order, dir := sortOrder(memberSorts, mq.Sort, mq.Desc)
	query := fmt.Sprintf(`SELECT pos FROM (SELECT s.id, row_number() OVER (ORDER BY %s %s, s.id %s) - 1 AS pos
		FROM staff s JOIN roles r ON r.id = s.role_id%s) WHERE id = ?`, order, dir, dir, where)
	return position(ctx, q, "staff position", query, append(args, id)...)
}

// CountMembers counts the members a query would list without paging.
func CountMembers(ctx context.Context, q Querier, mq MemberQuery) (int, error) {
	var n int
	if mq.Scope.All && mq.Text == "" && mq.Status == "" && mq.RoleID == 0 {
		// Every member: the count the triggers keep (migration 6).
		if err := q.QueryRowContext(ctx, `SELECT n FROM staff_count WHERE id = 1`).Scan(&n); err != nil {
			return 0, fmt.Errorf("count staff: %w", err)
		}
		return n, nil
	}
	where, args := mq.where()
	// The filters name only staff columns, so nothing is joined.
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM staff s`+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count staff: %w", err)
	}
	return n, nil
}

// SetMemberRole changes a member's role.
func SetMemberRole(ctx context.Context, q Querier, id, roleID int64) error {
	return execOne(ctx, q, `UPDATE staff SET role_id = ? WHERE id = ?`, roleID, id)
}

// SetMemberStatus changes a member's status.
func SetMemberStatus(ctx context.Context, q Querier, id int64, status string) error {
	return execOne(ctx, q, `UPDATE staff SET status = ? WHERE id = ?`, status, id)
}

// SetMemberName renames a member.
func SetMemberName(ctx context.Context, q Querier, id int64, name string) error {
	return execOne(ctx, q, `UPDATE staff SET name = ? WHERE id = ?`, name, id)
}

// SetManager assigns a member to a manager (0: none).
func SetManager(ctx context.Context, q Querier, id, managerID int64) error {
	var m any
	if managerID != 0 {
		m = managerID
	}
	return execOne(ctx, q, `UPDATE staff SET manager_id = ? WHERE id = ?`, m, id)
}

// SetMemberDepartments replaces a member's departments.
func SetMemberDepartments(ctx context.Context, q Querier, id int64, deptIDs []int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM staff_departments WHERE staff_id = ?`, id); err != nil {
		return err
	}
	for _, d := range deptIDs {
		if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO staff_departments (staff_id, department_id) VALUES (?, ?)`, id, d); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMember removes a member row; memberships, toggles, keys cascade.
func DeleteMember(ctx context.Context, q Querier, id int64) error {
	return execOne(ctx, q, `DELETE FROM staff WHERE id = ?`, id)
}

// MemberDepartmentIDs lists a member's department ids.
func MemberDepartmentIDs(ctx context.Context, q Querier, id int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT department_id FROM staff_departments WHERE staff_id = ? ORDER BY department_id`, id)
}

// MemberManagerID is a member's manager (0 for none, or no such member):
// what a folder's facts need of its owner, without the member's row.
func MemberManagerID(ctx context.Context, q Querier, id int64) (int64, error) {
	var m int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(manager_id, 0) FROM staff WHERE id = ?`, id).Scan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return m, err
}

// AssignedMemberIDs lists the members whose manager is id.
func AssignedMemberIDs(ctx context.Context, q Querier, id int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT id FROM staff WHERE manager_id = ? ORDER BY id`, id)
}

// GetCredentials reads a member's secrets and sign-in counters.
func GetCredentials(ctx context.Context, q Querier, id int64) (Credentials, error) {
	c := Credentials{StaffID: id}
	var locked int64
	err := q.QueryRowContext(ctx, `SELECT password_hash, totp_secret, totp_enabled, totp_last_step, failed_attempts, locked_until FROM staff WHERE id = ?`, id).
		Scan(&c.PasswordHash, &c.TOTPSecret, &c.TOTPEnabled, &c.TOTPLastStep, &c.FailedAttempts, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.LockedUntil = unix(locked)
	return c, err
}

// SetPasswordHash stores a new password hash.
func SetPasswordHash(ctx context.Context, q Querier, id int64, hash string) error {
	return execOne(ctx, q, `UPDATE staff SET password_hash = ? WHERE id = ?`, hash, id)
}

// SetTOTP stores a member's TOTP secret and whether it is confirmed.
func SetTOTP(ctx context.Context, q Querier, id int64, secret string, enabled bool) error {
	return execOne(ctx, q, `UPDATE staff SET totp_secret = ?, totp_enabled = ?, totp_last_step = 0 WHERE id = ?`, secret, enabled, id)
}

// UseTOTPStep records that the code of a time step was used, only if it is
// newer than the last one used; false means the code was already spent.
func UseTOTPStep(ctx context.Context, q Querier, id, step int64) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE staff SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetSignInFailures stores the failed-attempt counter and lock.
func SetSignInFailures(ctx context.Context, q Querier, id int64, attempts int, lockedUntil time.Time) error {
	return execOne(ctx, q, `UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE id = ?`, attempts, unixOf(lockedUntil), id)
}

// TouchLastActive records activity.
func TouchLastActive(ctx context.Context, q Querier, id int64, at time.Time) error {
	return execOne(ctx, q, `UPDATE staff SET last_active = ? WHERE id = ?`, at.Unix(), id)
}

// ReplaceRecoveryCodes drops a member's recovery codes and stores new hashes.
func ReplaceRecoveryCodes(ctx context.Context, q Querier, id int64, hashes []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE staff_id = ?`, id); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := q.ExecContext(ctx, `INSERT INTO recovery_codes (staff_id, code_hash) VALUES (?, ?)`, id, h); err != nil {
			return err
		}
	}
	return nil
}

// RecoveryCode is a stored, unused recovery code hash.
type RecoveryCode struct {
	ID   int64
	Hash string
}

// UnusedRecoveryCodes lists a member's unused recovery code hashes.
func UnusedRecoveryCodes(ctx context.Context, q Querier, id int64) ([]RecoveryCode, error) {
	return queryAll(ctx, q, "read recovery codes", func(r rowScanner) (RecoveryCode, error) {
		var c RecoveryCode
		err := r.Scan(&c.ID, &c.Hash)
		return c, err
	}, `SELECT id, code_hash FROM recovery_codes WHERE staff_id = ? AND used_at = 0`, id)
}

// UseRecoveryCode marks a code used; false if it already was.
func UseRecoveryCode(ctx context.Context, q Querier, codeID int64, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at = 0`, at.Unix(), codeID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// InsertSSHKey registers a public key for a member.
func InsertSSHKey(ctx context.Context, q Querier, k SSHKey) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO ssh_keys (staff_id, fingerprint, public_key, comment, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.StaffID, k.Fingerprint, k.PublicKey, k.Comment, unixOf(k.CreatedAt))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// ListSSHKeys lists a member's keys.
func ListSSHKeys(ctx context.Context, q Querier, staffID int64) ([]SSHKey, error) {
	return sshKeys(ctx, q, `WHERE staff_id = ? ORDER BY id`, staffID)
}

// SSHKeyByFingerprint finds the key with a fingerprint.
func SSHKeyByFingerprint(ctx context.Context, q Querier, fp string) (SSHKey, error) {
	ks, err := sshKeys(ctx, q, `WHERE fingerprint = ?`, fp)
	if err != nil {
		return SSHKey{}, err
	}
	if len(ks) == 0 {
		return SSHKey{}, ErrNotFound
	}
	return ks[0], nil
}

func sshKeys(ctx context.Context, q Querier, where string, args ...any) ([]SSHKey, error) {
	return queryAll(ctx, q, "list ssh keys", func(r rowScanner) (SSHKey, error) {
		var k SSHKey
		var c, l int64
		err := r.Scan(&k.ID, &k.StaffID, &k.Fingerprint, &k.PublicKey, &k.Comment, &c, &l)
		k.CreatedAt, k.LastUsed = unix(c), unix(l)
		return k, err
	}, `SELECT id, staff_id, fingerprint, public_key, comment, created_at, last_used FROM ssh_keys `+where, args...)
}

// DeleteSSHKey removes one of a member's keys.
func DeleteSSHKey(ctx context.Context, q Querier, staffID, keyID int64) error {
	return execOne(ctx, q, `DELETE FROM ssh_keys WHERE id = ? AND staff_id = ?`, keyID, staffID)
}

// TouchSSHKey records a key's use.
func TouchSSHKey(ctx context.Context, q Querier, keyID int64, at time.Time) error {
	return execOne(ctx, q, `UPDATE ssh_keys SET last_used = ? WHERE id = ?`, at.Unix(), keyID)
}

func execOne(ctx context.Context, q Querier, query string, args ...any) error {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

func int64s(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	return queryAll(ctx, q, "read ids", scanInt64, query, args...)
}

// MembersWithEmailKeyLike lists up to limit members whose email key
// matches a LIKE pattern (escaped with \), for naming look-alikes.
func MembersWithEmailKeyLike(ctx context.Context, q Querier, pattern string, limit int) ([]Member, error) {
	return queryAll(ctx, q, "look-alike members", scanMember, memberSelect+` WHERE s.email_key LIKE ? ESCAPE '\' ORDER BY s.id LIMIT ?`, pattern, limit)
}

// MissingEmailKeys returns the id and email of the rows of table (staff
// or invitations) that have no email key yet.
func MissingEmailKeys(ctx context.Context, q Querier, table string) (map[int64]string, error) {
	if table != "staff" && table != "invitations" {
		return nil, fmt.Errorf("email keys: no table %q", table)
	}
	out := map[int64]string{}
	err := eachRow(ctx, q, "email keys", func(r rowScanner) error {
		var id int64
		var email string
		if err := r.Scan(&id, &email); err != nil {
			return fmt.Errorf("email keys: %w", err)
		}
		out[id] = email
		return nil
	}, `SELECT id, email FROM `+table+` WHERE email_key = ''`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetEmailKey stores a row's email key.
func SetEmailKey(ctx context.Context, q Querier, table string, id int64, key string) error {
	if table != "staff" && table != "invitations" {
		return fmt.Errorf("email keys: no table %q", table)
	}
	return execOne(ctx, q, `UPDATE `+table+` SET email_key = ? WHERE id = ?`, key, id)
}

// UnknownEmailFailures reads the failed sign-ins counted for an address
// that is no member's (zero counters if none).
func UnknownEmailFailures(ctx context.Context, q Querier, key string) (Credentials, error) {
	var c Credentials
	var locked int64
	err := q.QueryRowContext(ctx, `SELECT failed_attempts, locked_until FROM signin_failures WHERE email_key = ?`, key).Scan(&c.FailedAttempts, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read sign-in failures: %w", err)
	}
	c.LockedUntil = unix(locked)
	return c, nil
}

// SetUnknownEmailFailures stores those counters, and forgets addresses
// whose last failure is more than a day old.
func SetUnknownEmailFailures(ctx context.Context, q Querier, key string, attempts int, lockedUntil, now time.Time) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM signin_failures WHERE updated_at < ?`, now.Add(-24*time.Hour).Unix()); err != nil {
		return fmt.Errorf("forget old sign-in failures: %w", err)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO signin_failures (email_key, failed_attempts, locked_until, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email_key) DO UPDATE SET failed_attempts = excluded.failed_attempts, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
		key, attempts, unixOf(lockedUntil), now.Unix())
	if err != nil {
		return fmt.Errorf("store sign-in failures: %w", err)
	}
	return nil
}
