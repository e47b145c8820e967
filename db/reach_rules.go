package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// accountReachRulesSQL reads the members the reach rules could allow for
// this folder, with the facts to decide each, so that a large organisation's
// hundreds of department-scope members of other departments are not read
// at all: active members only (the engine refuses the others first), and
//   - those added to the folder (own scope, and the internal folder);
//   - the Owner;
//   - for a client folder, members whose role reaches every client
//     account (Admin, or a custom role with accounts.view = all);
//   - for a client folder, department-scope members who are its owner, are
//     in its department, manage its owner or share a department with its
//     owner.
//
// The engine still decides every candidate; this only leaves out members
// no rule could let through. CROSS JOIN keeps SQLite reading the members
// from the candidates rather than scanning every member for them.
var accountReachRulesSQL = func() string {
	cols, from, ok := strings.Cut(memberSelect, "\n\tFROM staff s ")
	if !ok {
		panic("memberSelect does not read FROM staff s")
	}
	return `WITH cl AS (SELECT id, internal, COALESCE(department_id, 0) AS dept, COALESCE(owner_id, 0) AS owner FROM clients WHERE id = ?1),
	byScope(role_id, scope) AS (SELECT role_id, scope FROM role_permissions WHERE module = 'accounts' AND action = 'view'),
	near(id) AS (SELECT staff_id FROM staff_departments WHERE department_id = (SELECT dept FROM cl)
		UNION SELECT owner FROM cl
		UNION SELECT manager_id FROM staff WHERE id = (SELECT owner FROM cl)
		UNION SELECT m.staff_id FROM staff_departments o JOIN staff_departments m ON m.department_id = o.department_id
			WHERE o.staff_id = (SELECT owner FROM cl)),
	cand(id) AS (SELECT staff_id FROM client_members WHERE client_id = ?1
		UNION SELECT id FROM staff WHERE role_id = ?2
		UNION SELECT s.id FROM staff s WHERE (SELECT internal FROM cl) = 0
			AND s.role_id IN (SELECT ?3 UNION SELECT role_id FROM byScope WHERE scope = 'all')
		UNION SELECT s.id FROM near JOIN staff s ON s.id = near.id WHERE (SELECT internal FROM cl) = 0
			AND s.role_id IN (SELECT role_id FROM byScope WHERE scope = 'department'))
	` + cols + `,
	EXISTS (SELECT 1 FROM client_members cm WHERE cm.client_id = ?1 AND cm.staff_id = s.id),
	EXISTS (SELECT 1 FROM account_access aa WHERE aa.account_id = ?4 AND aa.staff_id = s.id),
	COALESCE((SELECT group_concat(am.id) FROM staff am WHERE am.manager_id = s.id), '')
	FROM cand CROSS JOIN staff s ON s.id = cand.id ` + from + `
	WHERE s.status = 'active'
	ORDER BY s.id`
}()

// AccountReachByRules lists the members the reach rules could allow to
// reach an account of a folder, with the facts to decide each, in one
// statement, leaving out the members no rule could let through.
func AccountReachByRules(ctx context.Context, q Querier, clientID, accountID int64) ([]AccountReachCandidate, error) {
	return queryAll(ctx, q, "reach candidates", scanAccountReachCandidate, accountReachRulesSQL, clientID, RoleOwner, RoleAdmin, accountID)
}

func scanAccountReachCandidate(r rowScanner) (AccountReachCandidate, error) {
	var rc AccountReachCandidate
	var assigned string
	var err error
	if rc.Member, err = scanMember(withExtra{rows: r, extra: []any{&rc.Added, &rc.Toggled, &assigned}}); err != nil {
		return rc, err
	}
	rc.Assigned, err = splitIDs(assigned)
	return rc, err
}

// AccountFolder is an account with what the permission engine needs of its
// folder, and whether one member (the reader) was added to the folder.
type AccountFolder struct {
	Account        Account
	Client         Client // as GetClientLite reads it
	OwnerDeptIDs   []int64
	OwnerManagerID int64
	ReaderAdded    bool
}

// GetAccountFolder reads an account, its folder, the folder owner's
// departments and manager, and whether readerID was added to the folder,
// in one statement (readerID 0: nobody).
func GetAccountFolder(ctx context.Context, q Querier, accountID, readerID int64) (AccountFolder, error) {
	var af AccountFolder
	var depts string
	c := &af.Client
	err := q.QueryRowContext(ctx, `SELECT a.id, a.client_id, a.name, a.archived_at != 0,
		c.id, c.name, COALESCE(c.owner_id, 0), COALESCE(c.department_id, 0), COALESCE(d.name, ''), c.internal, c.archived_at != 0,
		COALESCE(o.manager_id, 0),
		COALESCE((SELECT group_concat(department_id) FROM (SELECT department_id FROM staff_departments WHERE staff_id = c.owner_id ORDER BY department_id)), ''),
		EXISTS (SELECT 1 FROM client_members cm WHERE cm.client_id = c.id AND cm.staff_id = ?2)
		FROM accounts a JOIN clients c ON c.id = a.client_id
		LEFT JOIN departments d ON d.id = c.department_id
		LEFT JOIN staff o ON o.id = c.owner_id
		WHERE a.id = ?1`, accountID, readerID).Scan(&af.Account.ID, &af.Account.ClientID, &af.Account.Name, &af.Account.Archived,
		&c.ID, &c.Name, &c.OwnerID, &c.DepartmentID, &c.DepartmentName, &c.Internal, &c.Archived,
		&af.OwnerManagerID, &depts, &af.ReaderAdded)
	if errors.Is(err, sql.ErrNoRows) {
		return af, ErrNotFound
	}
	if err != nil {
		return af, fmt.Errorf("account %d and its folder: %w", accountID, err)
	}
	if af.OwnerDeptIDs, err = splitIDs(depts); err != nil {
		return af, fmt.Errorf("account %d and its folder: %w", accountID, err)
	}
	return af, nil
}
