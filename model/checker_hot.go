package model

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// hotMember is what a warm check reads of a member, by value in one array
// indexed by id (32 bytes each: a large organisation's 10,000 members in
// 350 KB). A cachedActor is a few hundred bytes on a heap page of its own
// among the reach tables; reading it cost a cache and address-translation
// miss of its own before the reach table's address was even known. From
// this array the reach slot is the second read of a check, not the third.
//
// An entry is written once per snapshot, when the member's rule and sets
// are final for it: state is stored last, and a reader that loads a
// non-zero state sees the fields written before it.
type hotMember struct {
	slots *uint32 // the reach table's first slot (2^(64-shift)+1 slots)
	mul   uint64  // the table's multiplier
	// scope is the first word of the member's remembered scope decisions
	// (cachedActor.inScope, department scope only), scopeWords their count.
	scope      *atomic.Uint32
	state      atomic.Uint32 // 0: not published; else hotReady | kind<<8 | shift<<16
	scopeWords uint32
}

const (
	hotReady   = 1
	hotWriting = 2 // one writer holds the entry
)

// emptyReach is the table of an empty set: every slot 0, which no account
// id matches, with shift 63 so that every home is slot 0 or 1.
var emptyReach [3]uint32

// publishHot makes a built member answerable from the hot array. Only
// rules whose warm answer needs nothing but the reach set and the
// account's folder are published, and only for a member under no lock (a
// lock can run out, which no write announces: such a member is re-read
// through actors, as before). A member never changes within a snapshot
// otherwise, so the entry stays true for the snapshot's life.
func (s *snapshot) publishHot(staffID int64, ca *cachedActor) {
	if staffID <= 0 || staffID >= int64(len(s.hot)) || ca.actor.Lock != nil || !ca.built {
		return
	}
	switch ca.kind {
	case checkToggles, checkNothing, checkEverything, checkExternal:
	case checkDepartment:
		if len(ca.inScope) == 0 || uint64(len(ca.inScope)) > math.MaxUint32 {
			return
		}
	default:
		return
	}
	slots, shift := ca.reach.slots, ca.reach.shift
	if len(slots) == 0 {
		slots, shift = emptyReach[:], 63
	}
	// The warm path reads slots i and i+1 for i below 2^(64-shift)
	// without a bounds check: publish only tables of exactly that size.
	if shift == 0 || shift > 63 || uint64(len(slots)) != 1<<(64-shift)+1 {
		return
	}
	h := &s.hot[staffID]
	if !h.state.CompareAndSwap(0, hotWriting) {
		return
	}
	h.slots, h.mul = &slots[0], ca.reach.mul
	if ca.kind == checkDepartment {
		h.scope, h.scopeWords = &ca.inScope[0], uint32(len(ca.inScope))
	}
	h.state.Store(hotReady | uint32(ca.kind)<<8 | uint32(shift)<<16)
}

// copyHot copies the published entries of from into to (a snapshot not yet
// visible to readers).
func copyHot(to, from []hotMember) {
	for i := range min(len(to), len(from)) {
		if st := from[i].state.Load(); st&hotReady != 0 {
			to[i].slots, to[i].mul = from[i].slots, from[i].mul
			to[i].scope, to[i].scopeWords = from[i].scope, from[i].scopeWords
			to[i].state.Store(st)
		}
	}
}

// hotReaches reports whether the member's reach table holds the id v
// (v != 0): the two adjacent slots from its home, compared without a
// branch.
func hotReaches(h *hotMember, v uint32, shift uint32) bool {
	i := (uint64(v) * h.mul) >> (shift & 63)
	p := unsafe.Add(unsafe.Pointer(h.slots), i*4)
	a, b := *(*uint32)(p), *(*uint32)(unsafe.Add(p, 4))
	return b2u(a == v)|b2u(b == v) != 0
}

// hotScopeMemo reads the member's remembered scope decision for a folder,
// as cachedActor.scopeMemo does.
func hotScopeMemo(h *hotMember, clientID uint32) (in, known bool) {
	w := clientID / 16
	if w >= h.scopeWords {
		return false, false
	}
	bits := (*atomic.Uint32)(unsafe.Add(unsafe.Pointer(h.scope), uintptr(w)*4)).Load() >> (clientID % 16 * 2)
	return bits&2 != 0, bits&1 != 0
}

// hotIDsFit reports whether every account id below n, rounded up to the
// known bitmap's words, fits the tables' 32-bit slots: the condition for a
// snapshot to have a hot array.
func hotIDsFit(n int) bool { return uint64(n) < math.MaxUint32-64 }
