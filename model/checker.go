// Over 600 lines: the Checker cache and its invalidation, which must be read
// together to see that it answers as Decide does.

package model

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse/db"
)

// Checker answers "may member X reach account Y" from memory, for the hot
// paths that ask it many times (the SSH server, lists, integrations). It
// holds what the engine needs, loaded lazily per member, account and
// folder, in slices indexed by id (ids are small dense integers), so a
// warm check is a few array reads and two binary searches rather than
// several hash lookups.
//
// A background poller reads the database's change counter every
// PollInterval. When it moved, the audit entries written since name what
// changed: a member's folders or toggles (only that member's facts are
// dropped), an account's name (only that folder's accounts), or something
// whose reach is wider or unclear (roles, departments, managers, owners,
// deletions, or a change with no audit entry at all): then everything is
// dropped. A change committed by any process is therefore honoured within
// PollInterval plus one query. Mutations never rely on the Checker: they
// re-check inside their own transaction.
type Checker struct {
	svc  *Service
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex // one refresh at a time
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// PollInterval is how often the change counter is read.
	PollInterval time.Duration
}

// snapshot is the cache for one state of the database. Its slices never
// grow; an id beyond them is answered from SQL without caching until the
// next full reload sizes them again. Entries are written once each (a
// nil or zero slot is "not loaded"), so readers need no lock.
type snapshot struct {
	counter    int64 // change counter this state is of
	lastAudit  int64 // newest audit entry taken into account
	internalID int64 // the internal-accounts folder
	actors     []atomic.Pointer[cachedActor]
	accClient  []atomic.Uint32 // account id -> its folder's id (0: not loaded, or an id past 32 bits)
	// accKnown has a bit per account id, set with its accClient slot: a
	// check that needs only to know the account exists reads 40 KB at
	// large instead of 1.2 MB, which stays in the processor's caches.
	accKnown []atomic.Uint32
	accounts []atomic.Pointer[cachedAccount]
	clients  []atomic.Pointer[ClientFacts] // ActorAdded unset
	// hot holds, by member id, what a warm check of a built member reads
	// (checker_hot.go); nil when account ids may not fit in 32 bits.
	hot []hotMember
}

// cachedActor is a member's facts for the Checker; a warm check reads its
// rule and reach table from the snapshot's hot array instead
// (checker_hot.go).
type cachedActor struct {
	kind   checkKind // what a warm check branches on: rule, or checkCold until the sets are read
	scope  Scope     // accounts.view scope
	owner  bool      // the Owner reaches everything
	active bool      // principal gate passed
	// reach holds the accounts toggled on for them in folders they were
	// added to: "added and toggled on", the engine's rule for own scope
	// and for the internal folder, in one lookup. wideReach holds them
	// instead, sorted, when an account id does not fit in an idSet.
	reach     idSet
	wideReach []int64
	folders   []int64 // folders they were added to, ascending
	// inScope remembers, for a member with department scope, which
	// folders the engine's scope rule (clientInScope) puts in their reach,
	// two bits per folder id (known, in scope), so that it is decided once
	// per member and folder rather than on every check. It lives and dies
	// with the cachedActor, which is dropped with any change that could
	// move a folder in or out of scope.
	inScope []atomic.Uint32
	actor   Actor
	rule    checkKind // the rule that decides their reach
	built   bool      // folders and reach are read (or their rule needs neither)
	// pending counts checks answered without the sets, while !built.
	pending atomic.Int32
}

// scopeMemo reads the remembered scope decision for a folder.
func (ca *cachedActor) scopeMemo(clientID uint32) (in, known bool) {
	w := clientID / 16
	if w >= uint32(len(ca.inScope)) {
		return false, false
	}
	bits := ca.inScope[w].Load() >> (clientID % 16 * 2)
	return bits&2 != 0, bits&1 != 0
}

func (ca *cachedActor) rememberScope(clientID int64, in bool) {
	if clientID <= 0 || clientID/16 >= int64(len(ca.inScope)) {
		return
	}
	bits := uint32(1)
	if in {
		bits = 3
	}
	ca.inScope[clientID/16].Or(bits << (uint32(clientID) % 16 * 2))
}

// checkKind sorts members by the rule that decides their reach, so that a
// warm check branches once on a small integer instead of comparing scope
// strings.
type checkKind uint8

const (
	checkNothing    checkKind = iota // the gate refused them, or no accounts.view: nothing
	checkToggles                     // own scope: added and toggled on, nothing else
	checkEverything                  // the Owner
	checkExternal                    // scope all: every folder but the internal one, where toggles decide
	checkDepartment                  // department scope: the folder's facts decide
	checkMixed                       // accounts scope wider than clients scope: the engine decides each
	checkCold                        // reach set not read yet (or not in an idSet): never answered warm
)

func kindOf(ca *cachedActor) checkKind {
	switch {
	case !ca.active:
		return checkNothing
	case ca.owner:
		return checkEverything
	}
	// Reaching an account needs seeing its folder: the clients scope bounds
	// the accounts scope. Toggles need only the folder they were added to.
	folders := ca.actor.scopeOf(ModuleClients, VerbView)
	switch {
	case folders == ScopeNone:
		return checkNothing
	case ca.scope == ScopeOwn:
		return checkToggles
	case ca.scope > folders:
		return checkMixed
	case ca.scope == ScopeAll:
		return checkExternal
	case ca.scope == ScopeDepartment:
		return checkDepartment
	}
	return checkNothing
}

func (ca *cachedActor) added(clientID int64) bool {
	_, ok := slices.BinarySearch(ca.folders, clientID)
	return ok
}

func (ca *cachedActor) reaches(accountID int64) bool {
	if ca.wideReach != nil {
		_, ok := slices.BinarySearch(ca.wideReach, accountID)
		return ok
	}
	return ca.reach.contains(accountID)
}

type cachedAccount struct {
	clientID int64
	name     string
}

// headroom is how many ids past the current highest a fresh snapshot makes
// room for, so that members, folders and accounts created after it are
// cached too.
const headroom = 1024

// NewChecker starts a checker with its poller; Close stops it.
func (s *Service) NewChecker(ctx context.Context) (*Checker, error) {
	c := &Checker{svc: s, stop: make(chan struct{}), done: make(chan struct{}), PollInterval: 200 * time.Millisecond}
	n, err := s.ChangeCounter(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := c.fresh(ctx, n)
	if err != nil {
		return nil, err
	}
	c.snap.Store(snap)
	go c.poll()
	return c, nil
}

// fresh is an empty snapshot of state n, sized for the ids that exist now.
// The bounds are read after the counter, so an entry they include that
// the counter does not is only taken into account early.
func (c *Checker) fresh(ctx context.Context, n int64) (*snapshot, error) {
	b, err := db.GetCheckerBounds(ctx, c.svc.db.Read())
	if err != nil {
		return nil, err
	}
	s := &snapshot{counter: n, lastAudit: b.LastAudit, internalID: b.InternalClient,
		actors:    make([]atomic.Pointer[cachedActor], b.MaxStaff+headroom),
		accClient: make([]atomic.Uint32, b.MaxAccount+headroom),
		accounts:  make([]atomic.Pointer[cachedAccount], b.MaxAccount+headroom),
		clients:   make([]atomic.Pointer[ClientFacts], b.MaxClient+headroom),
	}
	if hotIDsFit(len(s.accClient)) {
		s.hot = make([]hotMember, len(s.actors))
	}
	s.accKnown = make([]atomic.Uint32, (len(s.accClient)+31)/32)
	return s, nil
}

// Close stops the poller.
func (c *Checker) Close() {
	c.once.Do(func() { close(c.stop); <-c.done })
}

func (c *Checker) poll() {
	defer close(c.done)
	t := time.NewTicker(c.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.Refresh(context.Background())
		}
	}
}

// maxSelective is how many audit entries a refresh reads to drop only what
// they name; a longer burst of changes drops everything.
const maxSelective = 500

// Refresh reads the change counter now and, if it moved, drops what the
// changes since made stale.
func (c *Checker) Refresh(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.svc.ChangeCounter(ctx)
	if err != nil {
		return
	}
	cur := c.snap.Load()
	if cur.counter == n {
		return
	}
	if next := c.selective(ctx, cur, n); next != nil {
		c.snap.Store(next)
		return
	}
	next, err := c.fresh(ctx, n)
	if err != nil {
		// Answers from cur could be stale: keep nothing of it.
		next = &snapshot{counter: cur.counter - 1}
	}
	c.snap.Store(next)
}

// selective returns a copy of cur without the facts the audit entries
// since cur name, or nil when a full reload is the safe answer.
func (c *Checker) selective(ctx context.Context, cur *snapshot, n int64) *snapshot {
	if cur.actors == nil {
		return nil
	}
	changes, err := db.AuditChangesSince(ctx, c.svc.db.Read(), cur.lastAudit, maxSelective+1)
	if err != nil || len(changes) == 0 || len(changes) > maxSelective {
		// No entry: a change outside the audited writes, reach unknown.
		return nil
	}
	// Every committed write moves the counter by one, and an audited
	// write leaves at least one entry. Fewer entries than writes means some
	// write left none (a tool writing raw SQL, a sign-in counter): what it
	// changed is unknown, so nothing is kept.
	if int64(len(changes)) < n-cur.counter {
		return nil
	}
	var staff, clients []int64
	for _, ch := range changes {
		switch staleness(ch) {
		case staleMember:
			staff = append(staff, ch.StaffID)
		case staleAccounts:
			clients = append(clients, ch.ClientID)
		case staleNone:
		default:
			return nil
		}
	}
	next := &snapshot{counter: n, lastAudit: changes[len(changes)-1].ID, internalID: cur.internalID,
		actors:    make([]atomic.Pointer[cachedActor], len(cur.actors)),
		accClient: make([]atomic.Uint32, len(cur.accClient)),
		accounts:  make([]atomic.Pointer[cachedAccount], len(cur.accounts)),
		clients:   make([]atomic.Pointer[ClientFacts], len(cur.clients)),
		accKnown:  make([]atomic.Uint32, len(cur.accKnown)),
	}
	if cur.hot != nil {
		next.hot = make([]hotMember, len(cur.hot))
		copyHot(next.hot, cur.hot)
	}
	for i := range cur.actors {
		next.actors[i].Store(cur.actors[i].Load())
	}
	for i := range cur.accounts {
		next.accounts[i].Store(cur.accounts[i].Load())
		next.accClient[i].Store(cur.accClient[i].Load())
	}
	for i := range cur.clients {
		next.clients[i].Store(cur.clients[i].Load())
	}
	// Cleared after the copy: an entry a reader stored meanwhile is either
	// in the copy and cleared here, or left in cur, which nobody reads next.
	for _, id := range staff {
		if id < int64(len(next.actors)) {
			next.actors[id].Store(nil)
		}
		if id < int64(len(next.hot)) {
			next.hot[id].state.Store(0)
		}
	}
	for _, cid := range clients {
		for i := range next.accounts {
			if a := next.accounts[i].Load(); a != nil && a.clientID == cid {
				next.accounts[i].Store(nil)
				next.accClient[i].Store(0)
			}
		}
	}
	// Known is what the copy holds, after the clearing.
	for i := range next.accClient {
		if next.accClient[i].Load() != 0 && i/32 < len(next.accKnown) {
			next.accKnown[i/32].Or(1 << (i % 32))
		}
	}
	return next
}

type stale int

const (
	staleAll      stale = iota // anything may have changed
	staleNone                  // nothing the Checker holds
	staleMember                // the named member's folders and toggles
	staleAccounts              // the names of the named folder's accounts
)

// staleness says what an audit entry makes stale. Only actions known to be
// that narrow are listed; every other action drops everything.
func staleness(ch db.AuditChange) stale {
	family, _, _ := strings.Cut(ch.Action, ".")
	switch {
	case ch.Action == "access.add" || ch.Action == "access.remove" || ch.Action == "access.toggle" || ch.Action == "invitation.accept":
		if ch.StaffID == 0 {
			return staleAll
		}
		return staleMember
	case family == "auth" || family == "profile":
		// Sign-in counters, locks and keys: not reach; the member is
		// reloaded all the same since the entry names them.
		if ch.StaffID == 0 {
			return staleNone
		}
		return staleMember
	case ch.Action == "account.create" || ch.Action == "account.rename":
		if ch.ClientID == 0 {
			return staleAll
		}
		return staleAccounts
	case family == "invitation" && ch.Action != "invitation.accept", family == "connection", family == "billing", family == "session",
		ch.Action == "org.backup", ch.Action == "org.export", ch.Action == "org.rename":
		return staleNone
	}
	return staleAll
}

// buildAfter is how many checks of a member are answered by a point query
// before their folders and reach set are read. Reading the sets costs a
// few hundred rows for a member added to many folders, more than one
// Service.Check; a member asked about once or twice after a wide change
// (every member, when an organisation's whole cache was dropped) never
// pays it, and one asked about often pays it once.
const buildAfter = 4

// member returns the member's cached facts, loading them (without their
// sets) if absent. A member whose rule needs a reach set and who has none
// yet is of kind checkCold, which the warm path never answers.
func (c *Checker) member(ctx context.Context, snap *snapshot, staffID int64) (*cachedActor, error) {
	inRange := staffID > 0 && staffID < int64(len(snap.actors))
	if inRange {
		if ca := snap.actors[staffID].Load(); ca != nil {
			if ca.actor.Lock == nil || ca.actor.Lock.Active(c.svc.Now()) {
				return ca, nil
			}
			// Their lock ran out: a change that no write announced.
			snap.actors[staffID].CompareAndSwap(ca, nil)
		}
	}
	a, err := loadActorAt(ctx, c.svc.db.Read(), Principal{Kind: KindMember, StaffID: staffID}, c.svc.Now())
	if err != nil {
		return nil, err
	}
	_, gateOK := principalGate(a)
	ca := &cachedActor{actor: a, scope: a.Perms.Get(ModuleAccounts, VerbView), owner: a.isOwner(), active: gateOK}
	ca.rule = kindOf(ca)
	ca.kind = ca.rule
	switch ca.rule {
	case checkToggles, checkExternal, checkDepartment, checkMixed:
		ca.kind = checkCold
	default:
		// The Owner, and members who reach nothing: no set to read.
		ca.built = true
	}
	if ca.rule == checkDepartment {
		ca.inScope = make([]atomic.Uint32, (len(snap.clients)+15)/16)
	}
	if inRange {
		if !snap.actors[staffID].CompareAndSwap(nil, ca) {
			if cur := snap.actors[staffID].Load(); cur != nil {
				return cur, nil
			}
		} else {
			snap.publishHot(staffID, ca)
		}
	}
	return ca, nil
}

// actor returns the member with their folders and reach set, reading the
// sets if they were not yet.
func (c *Checker) actor(ctx context.Context, snap *snapshot, staffID int64) (*cachedActor, error) {
	ca, err := c.member(ctx, snap, staffID)
	if err != nil || ca.built {
		return ca, err
	}
	return c.build(ctx, snap, ca)
}

// build reads a member's folders and reach set and publishes the member
// with them in place of the one without.
func (c *Checker) build(ctx context.Context, snap *snapshot, cold *cachedActor) (*cachedActor, error) {
	staffID := cold.actor.StaffID
	q := c.svc.db.Read()
	ca := &cachedActor{kind: cold.rule, rule: cold.rule, scope: cold.scope, owner: cold.owner, active: cold.active,
		inScope: cold.inScope, actor: cold.actor, built: true}
	var err error
	if ca.folders, err = db.MemberClientIDs(ctx, q, staffID); err != nil {
		return nil, err
	}
	reach, err := db.MemberReachableAccountIDs(ctx, q, staffID)
	if err != nil {
		return nil, err
	}
	var fits bool
	if ca.reach, fits = newIDSet(reach); !fits {
		// Ids past 32 bits: a sorted slice the warm path does not read.
		ca.wideReach = reach
		ca.kind = checkCold
	}
	if staffID > 0 && staffID < int64(len(snap.actors)) && snap.actors[staffID].CompareAndSwap(cold, ca) {
		snap.publishHot(staffID, ca)
	}
	return ca, nil
}

// accountClient is the hot path's account lookup: the folder's id only.
func (c *Checker) accountClient(ctx context.Context, snap *snapshot, accountID int64) (int64, error) {
	if accountID > 0 && accountID < int64(len(snap.accClient)) {
		if cid := snap.accClient[accountID].Load(); cid != 0 {
			return int64(cid), nil
		}
	}
	acc, err := c.account(ctx, snap, accountID)
	if err != nil {
		return 0, err
	}
	return acc.clientID, nil
}

// storeClientID keeps an account's folder id for the hot path when it fits
// in 32 bits, and marks the account known; a larger one is left unset and
// found through the account each time.
func (s *snapshot) storeClientID(accountID, clientID int64) {
	if accountID > 0 && accountID < int64(len(s.accClient)) && clientID > 0 && clientID <= math.MaxUint32 {
		s.accClient[accountID].Store(uint32(clientID))
		if w := accountID / 32; w < int64(len(s.accKnown)) {
			s.accKnown[w].Or(1 << (accountID % 32))
		}
	}
}

func (c *Checker) account(ctx context.Context, snap *snapshot, accountID int64) (*cachedAccount, error) {
	inRange := accountID > 0 && accountID < int64(len(snap.accounts))
	if inRange {
		if a := snap.accounts[accountID].Load(); a != nil {
			snap.storeClientID(accountID, a.clientID)
			return a, nil
		}
	}
	acc, err := db.GetAccount(ctx, c.svc.db.Read(), accountID)
	if err != nil {
		return nil, notFound(err, "no account %d", accountID)
	}
	ca := &cachedAccount{clientID: acc.ClientID, name: acc.Name}
	if inRange {
		snap.accounts[accountID].CompareAndSwap(nil, ca)
		snap.storeClientID(accountID, acc.ClientID)
	}
	return ca, nil
}

func (c *Checker) client(ctx context.Context, snap *snapshot, clientID int64) (*ClientFacts, error) {
	inRange := clientID > 0 && clientID < int64(len(snap.clients))
	if inRange {
		if cf := snap.clients[clientID].Load(); cf != nil {
			return cf, nil
		}
	}
	q := c.svc.db.Read()
	cl, err := db.GetClientLite(ctx, q, clientID)
	if err != nil {
		return nil, notFound(err, "no client %d", clientID)
	}
	cf, err := clientFacts(ctx, q, Actor{Principal: Principal{Kind: KindSystem}}, cl)
	if err != nil {
		return nil, err
	}
	if inRange {
		snap.clients[clientID].CompareAndSwap(nil, cf)
	}
	return cf, nil
}

// CanReach reports whether a member may reach an account right now. It
// agrees with Decide(…, ActAccess, …) on every input (a test walks both);
// Explain gives the reason when one is wanted.
//
// A warm check reads the member's entry in the hot array, branches once
// on their rule and reads one or two things more: the member's reach
// table, and the account's known bit or folder where the answer needs it
// (to tell an account that does not exist, an error as for the engine,
// from one that is simply out of reach). Everything else goes through
// canReachSlow.
func (c *Checker) CanReach(ctx context.Context, staffID, accountID int64) (bool, error) {
	snap := c.snap.Load()
	hot, known := snap.hot, snap.accKnown
	if uint64(staffID) < uint64(len(hot)) && accountID > 0 && uint64(accountID/32) < uint64(len(known)) {
		h := &hot[staffID]
		if st := h.state.Load(); st&hotReady != 0 {
			// Both reads, then one branch that is nearly always taken:
			// an account in reach exists, and one out of reach is
			// answered once it is known to exist.
			exists, shift := known[accountID/32].Load()>>(accountID%32)&1, st>>16
			switch checkKind(st >> 8) {
			case checkToggles:
				hit := hotReaches(h, uint32(accountID), shift)
				if b2u(hit)|uint8(exists) != 0 {
					return hit, nil
				}
			case checkNothing:
				if exists != 0 {
					return false, nil
				}
			case checkEverything:
				if exists != 0 {
					return true, nil
				}
			case checkExternal:
				if accountID >= int64(len(snap.accClient)) {
					break
				}
				if cid := snap.accClient[accountID].Load(); cid != 0 && snap.internalID != 0 {
					return int64(cid) != snap.internalID || hotReaches(h, uint32(accountID), shift), nil
				}
			case checkDepartment:
				if accountID >= int64(len(snap.accClient)) {
					break
				}
				if cid := snap.accClient[accountID].Load(); cid != 0 && snap.internalID != 0 {
					if int64(cid) == snap.internalID {
						return hotReaches(h, uint32(accountID), shift), nil
					}
					if in, known := hotScopeMemo(h, cid); known {
						return in || hotReaches(h, uint32(accountID), shift), nil
					}
				}
			}
			return c.canReachSlow(ctx, snap, staffID, accountID)
		}
	}
	// Not in the hot array: not built yet, under a lock (whose end no
	// write announces, so member() looks at it on every check), or a
	// snapshot whose ids do not fit.
	return c.canReachSlow(ctx, snap, staffID, accountID)
}

// canReachSlow loads what the check needs (member, account, folder) and
// decides; department scope always comes here for the folder's facts.
func (c *Checker) canReachSlow(ctx context.Context, snap *snapshot, staffID, accountID int64) (bool, error) {
	ca, err := c.member(ctx, snap, staffID)
	if err != nil {
		return false, err
	}
	if !ca.built && ca.kind == checkCold {
		if ca.rule != checkMixed && ca.pending.Add(1) < buildAfter {
			return c.canReachCold(ctx, snap, ca, accountID)
		}
		if ca, err = c.build(ctx, snap, ca); err != nil {
			return false, err
		}
	}
	if ca.rule == checkToggles && ca.reaches(accountID) {
		// A hit is an account that exists.
		return true, nil
	}
	clientID, err := c.accountClient(ctx, snap, accountID)
	if err != nil {
		return false, err
	}
	switch ca.rule {
	case checkEverything:
		return true, nil
	case checkExternal:
		internal := clientID == snap.internalID
		if snap.internalID == 0 {
			// A snapshot without bounds (its reload failed): ask the folder.
			cf, err := c.client(ctx, snap, clientID)
			if err != nil {
				return false, err
			}
			internal = cf.Internal
		}
		if !internal {
			return true, nil
		}
		return ca.reaches(accountID), nil
	case checkDepartment:
		cf, err := c.client(ctx, snap, clientID)
		if err != nil {
			return false, err
		}
		if cf.Internal {
			return ca.reaches(accountID), nil
		}
		ok, _ := folderInScope(ca.actor, ScopeDepartment, cf)
		ca.rememberScope(clientID, ok)
		if ok {
			return true, nil
		}
		return ca.reaches(accountID), nil
	case checkMixed:
		// A role whose accounts scope goes past the folders it sees (rare,
		// custom): the engine decides from the cached facts.
		cf, err := c.client(ctx, snap, clientID)
		if err != nil {
			return false, err
		}
		mine := *cf
		mine.ActorAdded = ca.added(clientID)
		on := mine.ActorAdded && ca.reaches(accountID)
		return Decide(ca.actor, ActAccess, Target{Module: ModuleAccounts, Client: &mine, Account: &AccountFacts{ID: accountID, ActorToggleOn: on}}).Allowed, nil
	}
	return false, nil
}

// canReachCold answers for a member whose reach set is not read yet: one
// statement reads the account's folder and whether the member was added to
// it with the account toggled on, "in reach" for every rule that reads
// toggles; the folder's facts decide department scope as on the warm path.
func (c *Checker) canReachCold(ctx context.Context, snap *snapshot, ca *cachedActor, accountID int64) (bool, error) {
	r, err := db.GetMemberAccountReach(ctx, c.svc.db.Read(), ca.actor.StaffID, accountID)
	if err != nil {
		return false, notFound(err, "no account %d", accountID)
	}
	snap.storeClientID(accountID, r.ClientID)
	internal := r.ClientID == snap.internalID
	if snap.internalID == 0 {
		cf, err := c.client(ctx, snap, r.ClientID)
		if err != nil {
			return false, err
		}
		internal = cf.Internal
	}
	switch ca.rule {
	case checkToggles:
		return r.Toggled, nil
	case checkExternal:
		return !internal || r.Toggled, nil
	case checkDepartment:
		if internal || r.Toggled {
			return r.Toggled, nil
		}
		if in, known := ca.scopeMemo(uint32(r.ClientID)); known && r.ClientID <= math.MaxUint32 {
			return in, nil
		}
		cf, err := c.client(ctx, snap, r.ClientID)
		if err != nil {
			return false, err
		}
		ok, _ := folderInScope(ca.actor, ScopeDepartment, cf)
		ca.rememberScope(r.ClientID, ok)
		return ok, nil
	}
	return false, nil
}

// Explain returns the engine's full decision, with its reason, for a
// member reaching an account, from the same cached facts.
func (c *Checker) Explain(ctx context.Context, staffID, accountID int64) (Decision, error) {
	snap := c.snap.Load()
	ca, err := c.actor(ctx, snap, staffID)
	if err != nil {
		return Decision{}, err
	}
	acc, err := c.account(ctx, snap, accountID)
	if err != nil {
		return Decision{}, err
	}
	cf, err := c.client(ctx, snap, acc.clientID)
	if err != nil {
		return Decision{}, err
	}
	mine := *cf
	mine.ActorAdded = ca.added(acc.clientID)
	// The engine reads the toggle only for a folder the member was added
	// to, where "toggled on" and "in reach" are the same.
	on := mine.ActorAdded && ca.reaches(accountID)
	return Decide(ca.actor, ActAccess, Target{Module: ModuleAccounts, Client: &mine, Account: &AccountFacts{ID: accountID, Name: acc.name, ActorToggleOn: on}}), nil
}
