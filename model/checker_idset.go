package model

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
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
//
// Which multiplier spreads the ids is chosen per set: with one fixed
// multiplier, a table of a few hundred ids rarely had no three ids landing
// on one slot, and doubling until it had made the tables of 10,000 members
// 230 MB (100 bytes per id, most tables 8 to 64 times their ids). Trying
// other multipliers at the same size first keeps them to about 17 bytes
// per id (a quarter full) with the same two reads per lookup.
type idSet struct {
	slots []uint32 // 0: empty; one slot more than the table, for the last home's neighbour
	mul   uint64   // odd multiplier of the hash
	shift uint     // 64 - log2(table size), at most 63
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
	// The power of two >= 2n, then doubled: at each size a few dozen
	// multipliers are tried before doubling (at a quarter full about one in
	// ten places every id; at half full hardly any does).
	for size := max(2, 1<<bits.Len(uint(2*len(ids)-1))); ; size *= 2 {
		shift := uint(64 - bits.TrailingZeros(uint(size)))
		perHome := make([]uint8, size)
		mul := uint64(fibonacci)
		for range multipliersPerSize {
			if fitsNearHome(ids, perHome, mul, shift) {
				return placeIDs(ids, size, mul, shift), true
			}
			mul = nextMultiplier(mul)
		}
	}
}

// multipliersPerSize is how many multipliers are tried at one table size
// before it doubles.
const multipliersPerSize = 64

// fitsNearHome reports whether, with this multiplier, every id can sit in
// its home slot or the next: it can unless some run of homes holds more
// ids than the run has slots plus one. Taking the ids in the order of
// their homes, each to the first free slot from its home, finds a place
// for all exactly then. It counts ids per home (perHome, zeroed on
// return) rather than sorting, as most multipliers fail.
func fitsNearHome(ids []int64, perHome []uint8, mul uint64, shift uint) bool {
	for _, id := range ids {
		h := (uint64(uint32(id)) * mul) >> shift
		if perHome[h] < 3 {
			perHome[h]++
		}
	}
	ok := true
	next := uint64(0) // the first slot no id has taken yet
	for h, n := range perHome {
		for range n {
			at := max(uint64(h), next)
			if at > uint64(h)+1 {
				ok = false
			}
			next = at + 1
		}
		perHome[h] = 0
	}
	return ok
}

// placeIDs lays the ids out, in the order of their homes, each in the
// first free slot from its home; fitsNearHome said that is within one.
func placeIDs(ids []int64, size int, mul uint64, shift uint) idSet {
	s := idSet{slots: make([]uint32, size+1), mul: mul, shift: shift}
	sorted := make([]uint32, len(ids))
	for i, id := range ids {
		sorted[i] = uint32(id)
	}
	home := func(v uint32) uint64 { return (uint64(v) * mul) >> shift }
	slices.SortFunc(sorted, func(a, b uint32) int { return cmp.Compare(home(a), home(b)) })
	next := uint64(0)
	for _, v := range sorted {
		at := max(home(v), next)
		s.slots[at] = v
		next = at + 1
	}
	return s
}

// fibonacci is 2⁶⁴ divided by the golden ratio: multiplying by it and
// keeping the top bits spreads ids that are dense and consecutive over
// the table. It is the first multiplier tried.
const fibonacci = 0x9E3779B97F4A7C15

// nextMultiplier derives the next odd multiplier to try (a step of
// splitmix64), the same sequence every time, so that a set is laid out
// the same way on every run.
func nextMultiplier(m uint64) uint64 {
	m += fibonacci
	m = (m ^ m>>30) * 0xBF58476D1CE4E5B9
	m = (m ^ m>>27) * 0x94D049BB133111EB
	return (m ^ m>>31) | 1
}

func (s *idSet) contains(id int64) bool {
	v := uint32(id)
	i := (uint64(v) * s.mul) >> (s.shift & 63)
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
