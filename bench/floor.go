package bench

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gatehouse/db"
)

// AccessDataBytes is the size of an organisation's access data written as
// compactly as it can be: one pair of 32-bit ids (8 bytes) per row of what
// decides reach — each member, folder and account, each membership and
// each toggle that is on. Whatever structure answers "may X reach Y" holds
// at least this much, so a check of a random pair reads somewhere in a
// working set at least this large.
func AccessDataBytes(ctx context.Context, q db.Querier) (int64, error) {
	var rows int64
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM accounts)
		+ (SELECT count(*) FROM client_members) + (SELECT count(*) FROM account_access)`).Scan(&rows)
	if err != nil {
		return 0, fmt.Errorf("access data size: %w", err)
	}
	return rows * 8, nil
}

// Chase is a pointer chase: a random cycle through a buffer of 8-byte
// slots, each holding the index of the next. Following it is a chain of
// dependent reads at random places in the buffer, none of which the
// processor can start before the one before it ends: the latency of one
// random read of memory at that working set, cache and TLB misses
// included.
type Chase struct {
	next []uint64
	at   uint64
}

// NewChase builds a single random cycle (Sattolo's algorithm) over a
// buffer of the given size.
func NewChase(bytes int64, seed uint64) *Chase {
	n := max(int(bytes/8), 2)
	next := make([]uint64, n)
	for i := range next {
		next[i] = uint64(i)
	}
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := n - 1; i > 0; i-- {
		j := rnd.IntN(i) // j < i: one cycle through every slot
		next[i], next[j] = next[j], next[i]
	}
	return &Chase{next: next}
}

// Walk follows n links and returns where it ended (so the reads are not
// optimised away).
func (c *Chase) Walk(n int) int {
	at := c.at
	for range n {
		at = c.next[at]
	}
	c.at = at
	return int(at)
}
