package model

import (
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
