package db

import (
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

// withExtra scans a row's leading columns through scanMember and the rest
// into extra, so the member is read exactly as everywhere else.
type withExtra struct {
	rows  rowScanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

// splitIDs reads a group_concat of ids.
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
