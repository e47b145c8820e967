package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// AccountReachCandidate is one member who might reach an account, with every fact
// the engine needs to decide it: the member as GetMember reads them, the
// members assigned to them, and whether they were added to the account's
// folder and have the account toggled on.
type AccountReachCandidate struct {
	Member   Member
	Assigned []int64
	Added    bool
	Toggled  bool
}

// accountReachSQL reads the candidates of ClientReachCandidates and their
// facts in one statement, instead of five or six queries per candidate.
var accountReachSQL = func() string {
	cols, from, ok := strings.Cut(memberSelect, "\n\tFROM staff s ")
	if !ok {
		panic("memberSelect does not read FROM staff s")
	}
	return `WITH cand(id) AS (SELECT staff_id FROM client_members WHERE client_id = ?
		UNION SELECT s.id FROM staff s WHERE s.status = 'active' AND (s.role_id IN (?, ?)
			OR s.role_id IN (SELECT role_id FROM role_permissions WHERE module = 'accounts' AND action = 'view' AND scope IN ('department', 'all'))))
	` + cols + `,
	EXISTS (SELECT 1 FROM client_members cm WHERE cm.client_id = ? AND cm.staff_id = s.id),
	EXISTS (SELECT 1 FROM account_access aa WHERE aa.account_id = ? AND aa.staff_id = s.id),
	COALESCE((SELECT group_concat(am.id) FROM staff am WHERE am.manager_id = s.id), '')
	FROM cand JOIN staff s ON s.id = cand.id ` + from + `
	ORDER BY s.id`
}()

// withExtra scans a row's leading columns through scanMember and the rest
// into extra, so the member is read exactly as everywhere else.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// AccountReachCandidates lists the members who might reach an account of a
// folder (those added to it, and active members whose role reaches
// accounts without being added) with the facts to decide each.
func AccountReachCandidates(ctx context.Context, q Querier, clientID, accountID int64) ([]AccountReachCandidate, error) {
	rows, err := q.QueryContext(ctx, accountReachSQL, clientID, RoleOwner, RoleAdmin, clientID, accountID)
	if err != nil {
		return nil, fmt.Errorf("reach candidates: %w", err)
	}
	defer rows.Close()
	var out []AccountReachCandidate
	for rows.Next() {
		var rc AccountReachCandidate
		var assigned string
		rc.Member, err = scanMember(withExtra{rows: rows, extra: []any{&rc.Added, &rc.Toggled, &assigned}})
		if err != nil {
			return nil, fmt.Errorf("reach candidates: %w", err)
		}
		if rc.Assigned, err = splitIDs(assigned); err != nil {
			return nil, fmt.Errorf("reach candidates: %w", err)
		}
		out = append(out, rc)
	}
	return out, rows.Err()
}

func splitIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
