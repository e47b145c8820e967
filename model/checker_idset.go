package model

import (
	"math"
	"math/bits"
)

// idSet is a read-only set of ids from 1 to 2³²-1 in an open-addressed
// table, at most half full, in which every id sits in its home slot or the
// one after it. A member's reach is a few hundred accounts among hundreds
// of thousands; a binary search over them touches a cache line per step,
// while a lookup here reads two adjacent slots, which is most of what a
// warm check costs. Reading both and comparing both, without branching on
// either, leaves the processor nothing to mispredict between an id that is
// in the set and one that is not (the stream of checks mixes both about
// evenly), so consecutive checks overlap their memory reads. Ids are kept
// in 32 bits, which halves the tables of a large organisation.
type idSet struct {
	slots []uint32 // 0: empty; one slot more than the table, for the last home's neighbour
	shift uint     // 64 - log2(table size)
}

// newIDSet returns the set of ids, or false when one of them does not fit.
func newIDSet(ids []int64) (idSet, bool) {
	if len(ids) == 0 {
		return idSet{}, true
	}
	for _, id := range ids {
		if id <= 0 || id > math.MaxUint32 {
			return idSet{}, false
		}
	}
	// The power of two >= 2n, doubled until no id is more than one slot
	// from home (rarely more than once: at half full, a run of three
	// colliding homes is uncommon, and a quarter full rarer still).
	for size := 1 << bits.Len(uint(2*len(ids)-1)); ; size *= 2 {
		if s, ok := placeIDs(ids, size); ok {
			return s, true
		}
	}
}

// placeIDs lays the ids out in a table of size slots (a power of two) by
// linear probing, or reports that one landed more than a slot from home.
func placeIDs(ids []int64, size int) (idSet, bool) {
	s := idSet{slots: make([]uint32, size+1), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for _, id := range ids {
		v := uint32(id)
		home := (uint64(v) * fibonacci) >> s.shift
		for i := home; ; i++ {
			if i > home+1 || int(i) > size {
				return idSet{}, false
			}
			if s.slots[i] == 0 || s.slots[i] == v {
				s.slots[i] = v
				break
			}
		}
	}
	return s, true
}

// fibonacci is 2⁶⁴ divided by the golden ratio: multiplying by it and
// keeping the top bits spreads ids that are dense and consecutive over
// the table.
const fibonacci = 0x9E3779B97F4A7C15

func (s *idSet) contains(id int64) bool {
	v := uint32(id)
	i := (uint64(v) * fibonacci) >> s.shift
	if uint64(id)-1 >= math.MaxUint32 || i+1 >= uint64(len(s.slots)) {
		// Not an id the set can hold, or the empty set.
		return false
	}
	return b2u(s.slots[i] == v)|b2u(s.slots[i+1] == v) != 0
}

// b2u is 1 for true: the compiler makes it a flag-to-register move, not a
// branch.
func b2u(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}
