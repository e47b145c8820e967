package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

const clientSelect = `SELECT c.id, c.name, COALESCE(c.owner_id, 0), COALESCE(o.name, ''), COALESCE(c.department_id, 0), COALESCE(d.name, ''),
	c.internal, c.archived_at != 0, c.created_at,
	(SELECT count(*) FROM accounts a WHERE a.client_id = c.id AND a.archived_at = 0),
	(SELECT count(*) FROM client_members cm WHERE cm.client_id = c.id)
	FROM clients c LEFT JOIN staff o ON o.id = c.owner_id LEFT JOIN departments d ON d.id = c.department_id`

func scanClient(sc rowScanner) (Client, error) {
	var c Client
	var created int64
	err := sc.Scan(&c.ID, &c.Name, &c.OwnerID, &c.OwnerName, &c.DepartmentID, &c.DepartmentName, &c.Internal, &c.Archived, &created, &c.Accounts, &c.Staff)
	c.CreatedAt = unix(created)
	return c, err
}

// InsertClient creates a client folder.
func InsertClient(ctx context.Context, q Querier, name string, ownerID, deptID int64, internal bool, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO clients (name, owner_id, department_id, internal, created_at) VALUES (?, ?, ?, ?, ?)`,
		name, nullID(ownerID), nullID(deptID), internal, now.Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// GetClient reads one client by id.
func GetClient(ctx context.Context, q Querier, id int64) (Client, error) {
	c, err := scanClient(q.QueryRowContext(ctx, clientSelect+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// GetClientByName reads one client by name, case-insensitively.
func GetClientByName(ctx context.Context, q Querier, name string) (Client, error) {
	c, err := scanClient(q.QueryRowContext(ctx, clientSelect+` WHERE c.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// InternalClient reads the internal-accounts folder.
func InternalClient(ctx context.Context, q Querier) (Client, error) {
	c, err := scanClient(q.QueryRowContext(ctx, clientSelect+` WHERE c.internal = 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// ClientQuery filters, sorts and pages the client list.
type ClientQuery struct {
	Scope    Scope
	Text     string
	OwnerID  int64 // 0: any; -1: unowned
	Archived bool  // list archived folders instead of live ones
	Sort     string
	Desc     bool
	Limit    int
	Offset   int
	// KnownTotal: the caller already holds the total (it is scrolling a
	// list it counted), so the model does not count the folders again and
	// returns -1 for it. Counting is the one part of a page that grows
	// with the number of folders in scope.
	KnownTotal bool
}

var clientSorts = map[string]string{
	"name": "c.name COLLATE NOCASE", "owner": "o.name COLLATE NOCASE", "department": "d.name COLLATE NOCASE",
	"created": "c.created_at",
}

// clientSortJoins are the joins a sort needs to find its key; the name and
// created sorts need none, so their page is read from an index alone.
var clientSortJoins = map[string]string{
	"owner":      " LEFT JOIN staff o ON o.id = c.owner_id",
	"department": " LEFT JOIN departments d ON d.id = c.department_id",
}

func (cq ClientQuery) where() (string, []any) {
	clause, args := cq.Scope.clientClause()
	parts := []string{clause}
	// A scope of the actor's own folders, or one owner's, names few rows:
	// they are found by id or owner and sorted. The unary + keeps SQLite
	// from walking the whole clients_list index in display order instead,
	// which its estimates favour without statistics on that index (8 ms
	// instead of 2 for an Advisor at 100,000 folders).
	archived := "c.archived_at"
	if !cq.Scope.All || cq.OwnerID > 0 {
		archived = "+c.archived_at"
	}
	if cq.Archived {
		parts = append(parts, archived+" != 0")
	} else {
		parts = append(parts, archived+" = 0")
	}
	if cq.Text != "" {
		parts = append(parts, `c.name LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(cq.Text))
	}
	switch {
	case cq.OwnerID > 0:
		parts = append(parts, "c.owner_id = ?")
		args = append(args, cq.OwnerID)
	case cq.OwnerID < 0:
		parts = append(parts, "c.owner_id IS NULL")
	}
	return " WHERE " + strings.Join(parts, " AND "), args
}

// listQuery is ListClients' SQL: the page's ids are chosen first, in order,
// by a query that touches only the clients table (and the sort's join), so
// that the owner, department and the two counts are read for the rows of
// the page alone rather than for every folder in scope.
func (cq ClientQuery) listQuery() (string, []any) {
	where, args := cq.where()
	sortKey, order, dir := sortOrder(clientSorts, cq.Sort, cq.Desc)
	limit := pageLimit(cq.Limit)
	orderBy := fmt.Sprintf(" ORDER BY c.internal DESC, %s %s, c.id %s", order, dir, dir)
	page := "SELECT c.id FROM clients c" + clientSortJoins[sortKey] + where + orderBy + " LIMIT ? OFFSET ?"
	query := clientSelect + " JOIN (" + page + ") page ON page.id = c.id" + orderBy
	return query, append(args, limit, cq.Offset)
}

// ListClients returns one page of client folders, the internal one first.
func ListClients(ctx context.Context, q Querier, cq ClientQuery) ([]Client, error) {
	query, args := cq.listQuery()
	return queryAll(ctx, q, "list clients", scanClient, query, args...)
}

// ClientPosition is where folder id stands in the list cq describes, its
// paging ignored (0 is the first row), or ErrNotFound when the list does
// not hold it (see MemberPosition).
func ClientPosition(ctx context.Context, q Querier, cq ClientQuery, id int64) (int, error) {
	where, args := cq.where()
	sortKey, order, dir := sortOrder(clientSorts, cq.Sort, cq.Desc)
	query := fmt.Sprintf(`SELECT pos FROM (SELECT c.id, row_number() OVER (ORDER BY c.internal DESC, %s %s, c.id %s) - 1 AS pos
		FROM clients c%s%s) WHERE id = ?`, order, dir, dir, clientSortJoins[sortKey], where)
	return position(ctx, q, "client position", query, append(args, id)...)
}

// CountClients counts the folders a query would list without paging. Its
// filters name only the clients table, so it joins nothing and can count
// from the list index alone.
func CountClients(ctx context.Context, q Querier, cq ClientQuery) (int, error) {
	where, args := cq.where()
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM clients c`+where, args...).Scan(&n)
	return n, err
}

// UpdateClient writes a folder's name, owner, department and archive state.
func UpdateClient(ctx context.Context, q Querier, c Client, now time.Time) error {
	archived := int64(0)
	if c.Archived {
		archived = now.Unix()
	}
	return execOne(ctx, q, `UPDATE clients SET name = ?, owner_id = ?, department_id = ?, archived_at = CASE WHEN ? = 0 THEN 0 WHEN archived_at != 0 THEN archived_at ELSE ? END WHERE id = ?`,
		c.Name, nullID(c.OwnerID), nullID(c.DepartmentID), archived, archived, c.ID)
}

// ReassignClients moves every client owned by from to to (0: unowned) and
// returns how many moved.
func ReassignClients(ctx context.Context, q Querier, from, to int64) (int64, error) {
	res, err := q.ExecContext(ctx, `UPDATE clients SET owner_id = ? WHERE owner_id = ?`, nullID(to), from)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetClientOwner sets one client's owner.
func SetClientOwner(ctx context.Context, q Querier, clientID, ownerID int64) error {
	return execOne(ctx, q, `UPDATE clients SET owner_id = ? WHERE id = ?`, nullID(ownerID), clientID)
}

// InsertAccount adds an account to a folder.
func InsertAccount(ctx context.Context, q Querier, clientID int64, name string, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO accounts (client_id, name, created_at) VALUES (?, ?, ?)`, clientID, name, now.Unix())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// ListAccounts lists a folder's live accounts by name.
func ListAccounts(ctx context.Context, q Querier, clientID int64) ([]Account, error) {
	return queryAll(ctx, q, "list accounts", scanAccount, `SELECT id, client_id, name, archived_at != 0 FROM accounts WHERE client_id = ? AND archived_at = 0 ORDER BY name COLLATE NOCASE, id`, clientID)
}

func scanAccount(r rowScanner) (Account, error) {
	var a Account
	err := r.Scan(&a.ID, &a.ClientID, &a.Name, &a.Archived)
	return a, err
}

// GetAccount reads one account by id.
func GetAccount(ctx context.Context, q Querier, id int64) (Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT id, client_id, name, archived_at != 0 FROM accounts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// GetAccountByName reads one live account of a folder by name.
func GetAccountByName(ctx context.Context, q Querier, clientID int64, name string) (Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT id, client_id, name, archived_at != 0 FROM accounts WHERE client_id = ? AND name = ?`, clientID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// RenameAccount renames an account.
func RenameAccount(ctx context.Context, q Querier, id int64, name string) error {
	return execOne(ctx, q, `UPDATE accounts SET name = ? WHERE id = ?`, name, id)
}

// DeleteAccount removes an account and its toggles.
func DeleteAccount(ctx context.Context, q Querier, id int64) error {
	return execOne(ctx, q, `DELETE FROM accounts WHERE id = ?`, id)
}

// IsClientMember reports whether a member was added to a folder.
func IsClientMember(ctx context.Context, q Querier, clientID, staffID int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM client_members WHERE client_id = ? AND staff_id = ?`, clientID, staffID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// AccountToggle reports whether an account is toggled on for a member.
func AccountToggle(ctx context.Context, q Querier, accountID, staffID int64) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM account_access WHERE account_id = ? AND staff_id = ?`, accountID, staffID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// AddClientMember adds a member to a folder; false if they already were.
func AddClientMember(ctx context.Context, q Querier, clientID, staffID int64, now time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO client_members (client_id, staff_id, added_at) VALUES (?, ?, ?)`, clientID, staffID, now.Unix())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RemoveClientMember removes a member from a folder with all their toggles.
func RemoveClientMember(ctx context.Context, q Querier, clientID, staffID int64) (bool, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM client_members WHERE client_id = ? AND staff_id = ?`, clientID, staffID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetAccountToggle turns an account on or off for a folder member; it
// reports whether anything changed.
func SetAccountToggle(ctx context.Context, q Querier, clientID, accountID, staffID int64, on bool) (bool, error) {
	var res sql.Result
	var err error
	if on {
		res, err = q.ExecContext(ctx, `INSERT OR IGNORE INTO account_access (account_id, staff_id, client_id) VALUES (?, ?, ?)`, accountID, staffID, clientID)
	} else {
		res, err = q.ExecContext(ctx, `DELETE FROM account_access WHERE account_id = ? AND staff_id = ?`, accountID, staffID)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ToggleAllAccounts turns every live account of a folder on for a member.
func ToggleAllAccounts(ctx context.Context, q Querier, clientID, staffID int64) error {
	_, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO account_access (account_id, staff_id, client_id) SELECT id, ?, client_id FROM accounts WHERE client_id = ? AND archived_at = 0`, staffID, clientID)
	return err
}

// MemberClientIDs lists the folders a member was added to.
func MemberClientIDs(ctx context.Context, q Querier, staffID int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT client_id FROM client_members WHERE staff_id = ? ORDER BY client_id`, staffID)
}

// RemoveAllMemberships removes a member from every folder; it returns the
// folders they were removed from.
func RemoveAllMemberships(ctx context.Context, q Querier, staffID int64) ([]int64, error) {
	ids, err := MemberClientIDs(ctx, q, staffID)
	if err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM client_members WHERE staff_id = ?`, staffID); err != nil {
		return nil, err
	}
	return ids, nil
}

// GrantQuery pages the access grants of a member or of a client/account.
type GrantQuery struct {
	StaffID   int64
	ClientID  int64
	AccountID int64
	Text      string
	Limit     int
	Offset    int
	// Folders and Members, when set, keep the memberships of the folders
	// and members the reader's scopes cover.
	Folders, Members *Scope
}

// ListGrants lists memberships with their toggled-on accounts: one row per
// toggled account, and one row with AccountID 0 for a membership with none.
func ListGrants(ctx context.Context, q Querier, gq GrantQuery) ([]Grant, error) {
	var parts []string
	var args []any
	if gq.StaffID != 0 {
		parts = append(parts, "cm.staff_id = ?")
		args = append(args, gq.StaffID)
	}
	if gq.ClientID != 0 {
		parts = append(parts, "cm.client_id = ?")
		args = append(args, gq.ClientID)
	}
	if gq.AccountID != 0 {
		parts = append(parts, "aa.account_id = ?")
		args = append(args, gq.AccountID)
	}
	for _, clause := range []func() (string, []any){gq.Folders.clientClauseOrNone, gq.Members.staffClauseOrNone} {
		if c, a := clause(); c != "" {
			parts = append(parts, c)
			args = append(args, a...)
		}
	}
	if gq.Text != "" {
		parts = append(parts, `(c.name LIKE ? ESCAPE '\' OR s.name LIKE ? ESCAPE '\' OR s.email LIKE ? ESCAPE '\')`)
		p := likePattern(gq.Text)
		args = append(args, p, p, p)
	}
	where := ""
	if len(parts) > 0 {
		where = " WHERE " + strings.Join(parts, " AND ")
	}
	limit := pageLimit(gq.Limit)
	query := `SELECT s.id, s.name, s.email, c.id, c.name, c.internal, COALESCE(a.id, 0), COALESCE(a.name, '')
		FROM client_members cm
		JOIN staff s ON s.id = cm.staff_id
		JOIN clients c ON c.id = cm.client_id
		LEFT JOIN account_access aa ON aa.client_id = cm.client_id AND aa.staff_id = cm.staff_id
		LEFT JOIN accounts a ON a.id = aa.account_id` + where +
		` ORDER BY c.name COLLATE NOCASE, c.id, s.name COLLATE NOCASE, s.id, a.name COLLATE NOCASE LIMIT ? OFFSET ?`
	return queryAll(ctx, q, "list access", func(r rowScanner) (Grant, error) {
		var g Grant
		err := r.Scan(&g.StaffID, &g.StaffName, &g.StaffEmail, &g.ClientID, &g.ClientName, &g.Internal, &g.AccountID, &g.Account)
		return g, err
	}, query, append(args, limit, gq.Offset)...)
}

// ToggledAccountIDs lists the accounts of a folder toggled on for a member.
func ToggledAccountIDs(ctx context.Context, q Querier, clientID, staffID int64) ([]int64, error) {
	return int64s(ctx, q, `SELECT account_id FROM account_access WHERE client_id = ? AND staff_id = ? ORDER BY account_id`, clientID, staffID)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
