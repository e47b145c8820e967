package bench

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gatehouse/db"
	"gatehouse/model"
)

// The stream every benchmark asks, here and in bench/casbin.
const (
	StreamLen  = 100_000
	StreamSeed = 42
)

// Check is one question of the stream: may this member reach this account?
type Check struct {
	Staff   int64
	Account int64
}

// Stream builds n checks deterministically from seed over a generated
// database. The mix is chosen so that both answers are common:
//   - 40%: an account toggled on for a member of its folder (mostly allowed);
//   - 20%: an account of a folder the member was added to, whatever its
//     toggle (allowed or toggled off);
//   - 40%: any member and any account, internal ones included (mostly
//     denied, except for the Owner, Admins and Managers' departments).
//
// The same seed over the same database gives the same stream, which is how
// Gatehouse's benchmarks and the Casbin comparison ask the same questions.
func Stream(ctx context.Context, svc *model.Service, n int, seed uint64) ([]Check, error) {
	q := svc.DB().Read()
	staff, err := ids(ctx, q, `SELECT id FROM staff ORDER BY id`)
	if err != nil {
		return nil, err
	}
	accounts, err := ids(ctx, q, `SELECT id FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	clients, err := ids(ctx, q, `SELECT id FROM clients ORDER BY id`)
	if err != nil {
		return nil, err
	}
	if len(staff) == 0 || len(accounts) == 0 || len(clients) == 0 {
		return nil, fmt.Errorf("stream: the database holds no organisation")
	}
	rnd := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	out := make([]Check, 0, n)
	for len(out) < n {
		switch k := rnd.IntN(10); {
		case k < 4:
			acc := accounts[rnd.IntN(len(accounts))]
			holders, err := ids(ctx, q, `SELECT staff_id FROM account_access WHERE account_id = ? ORDER BY staff_id`, acc)
			if err != nil {
				return nil, err
			}
			if len(holders) == 0 {
				continue
			}
			out = append(out, Check{Staff: holders[rnd.IntN(len(holders))], Account: acc})
		case k < 6:
			cl := clients[rnd.IntN(len(clients))]
			members, err := ids(ctx, q, `SELECT staff_id FROM client_members WHERE client_id = ? ORDER BY staff_id`, cl)
			if err != nil {
				return nil, err
			}
			accs, err := ids(ctx, q, `SELECT id FROM accounts WHERE client_id = ? ORDER BY id`, cl)
			if err != nil {
				return nil, err
			}
			if len(members) == 0 || len(accs) == 0 {
				continue
			}
			out = append(out, Check{Staff: members[rnd.IntN(len(members))], Account: accs[rnd.IntN(len(accs))]})
		default:
			out = append(out, Check{Staff: staff[rnd.IntN(len(staff))], Account: accounts[rnd.IntN(len(accounts))]})
		}
	}
	return out, nil
}

// Answers asks Gatehouse's Checker every check of the stream.
func Answers(ctx context.Context, c *model.Checker, stream []Check) ([]bool, error) {
	out := make([]bool, len(stream))
	for i, ch := range stream {
		ok, err := c.CanReach(ctx, ch.Staff, ch.Account)
		if err != nil {
			return nil, fmt.Errorf("check %d (member %d, account %d): %w", i, ch.Staff, ch.Account, err)
		}
		out[i] = ok
	}
	return out, nil
}

func ids(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("stream: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
