package model

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// The set answers exactly membership, for sizes around every power of two
// (where the table doubles) and for dense and sparse ids alike; ids beyond
// 32 bits are refused, for the caller to keep them another way.
func TestIDSetIsExactlyItsIDs(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 70; n++ {
		for _, spread := range []int64{1, 3, 1 << 20, 1 << 40} {
			in := map[int64]bool{}
			var ids []int64
			beyond := false
			for len(ids) < n {
				id := 1 + rnd.Int64N(int64(n+1)*spread)
				if !in[id] {
					in[id] = true
					ids = append(ids, id)
					beyond = beyond || id > 1<<32-1
				}
			}
			s, fits := newIDSet(ids)
			if fits == beyond {
				t.Fatalf("n=%d spread=%d: fits %v with an id beyond 32 bits %v", n, spread, fits, beyond)
			}
			if !fits {
				continue
			}
			if n > 0 && len(s.slots) < 2*n {
				t.Fatalf("n=%d: %d slots, more than half full", n, len(s.slots))
			}
			for id := int64(-2); id <= int64(n+2)*spread && id < 500; id++ {
				if s.contains(id) != in[id] {
					t.Fatalf("n=%d spread=%d: contains(%d) = %v", n, spread, id, !in[id])
				}
			}
			for id := range in {
				if !s.contains(id) {
					t.Fatalf("n=%d spread=%d: %d missing", n, spread, id)
				}
			}
			if s.contains(1<<32 + 5) {
				t.Fatal("an id beyond 32 bits is never in the set")
			}
		}
	}
}

// A member's reach of a few hundred accounts among hundreds of thousands
// takes a table of at most the second size tried (a quarter full before
// rounding to a power of two), not the tens of times its size a fixed
// multiplier needed for most such sets.
func TestIDSetStaysSmall(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{10, 100, 240, 350, 1000, 3000} {
		for range 30_000 / n {
			in := map[int64]bool{}
			var ids []int64
			for len(ids) < n {
				// Accounts come three to a folder, with consecutive ids.
				first := 1 + 3*rnd.Int64N(100_000)
				for id := first; id < first+3 && len(ids) < n; id++ {
					if !in[id] && rnd.IntN(5) > 0 {
						in[id] = true
						ids = append(ids, id)
					}
				}
			}
			s, ok := newIDSet(ids)
			if !ok {
				t.Fatalf("n=%d: refused", n)
			}
			// The first size tried is the power of two >= 2n; up to a few
			// hundred ids it doubles at most once (more ids need a table
			// emptier still for none of them to be two slots from home).
			limit := 2
			if n > 400 {
				limit = 4
			}
			if table, first := len(s.slots)-1, 1<<bits.Len(uint(2*n-1)); table > limit*first {
				t.Fatalf("n=%d: a table of %d slots, more than %d times the first size tried (%d)", n, table, limit, first)
			}
			for _, id := range ids {
				if !s.contains(id) {
					t.Fatalf("n=%d: %d missing", n, id)
				}
			}
		}
	}
}
