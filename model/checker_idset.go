package model

import (
	"math"
	"math/bits"
)

// idSet is a read-only set of ids from 1 to 2³²-1 in an open-addressed
// table, at most half full. A member's reach is a few hundred accounts
// among hundreds of thousands; a binary search over them touches a cache
// line per step, while a lookup here touches one (two on a collision),
// which is most of what a warm check costs. Ids are kept in 32 bits, which
// halves the tables of a large organisation and keeps contains small
// enough to be inlined.
type idSet struct {
	slots []uint32 // 0: empty
	shift uint     // 64 - log2(len(slots))
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
	size := 1 << bits.Len(uint(2*len(ids)-1)) // the power of two >= 2n
	s := idSet{slots: make([]uint32, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	mask := uint64(size - 1)
	for _, id := range ids {
		v := uint32(id)
		for i := (uint64(v) * fibonacci) >> s.shift; ; i = (i + 1) & mask {
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
	if len(s.slots) == 0 || id <= 0 || id > math.MaxUint32 {
		return false
	}
	v := uint32(id)
	mask := uint64(len(s.slots) - 1)
	for i := (uint64(v) * fibonacci) >> s.shift; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case v:
			return true
		case 0:
			return false
		}
	}
}
