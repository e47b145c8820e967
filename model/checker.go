package model

import (
	"context"
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
	accClient  []atomic.Int64 // account id -> its folder's id (0: not loaded)
	accounts   []atomic.Pointer[cachedAccount]
	clients    []atomic.Pointer[ClientFacts] // ActorAdded unset
}

// cachedActor's first fields are what a warm check reads, together in one
// cache line; the Actor after them is read only off the common path.
type cachedActor struct {
	scope  Scope // accounts.view scope
	owner  bool  // the Owner reaches everything
	active bool  // principal gate passed
	// reach holds the accounts toggled on for them in folders they were
	// added to: "added and toggled on", the engine's rule for own scope
	// and for the internal folder, in one lookup. wideReach holds them
	// instead, sorted, when an account id does not fit in an idSet.
	reach     idSet
	wideReach []int64
	folders   []int64 // folders they were added to, ascending
	actor     Actor
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
	return &snapshot{counter: n, lastAudit: b.LastAudit, internalID: b.InternalClient,
		actors:    make([]atomic.Pointer[cachedActor], b.MaxStaff+headroom),
		accClient: make([]atomic.Int64, b.MaxAccount+headroom),
		accounts:  make([]atomic.Pointer[cachedAccount], b.MaxAccount+headroom),
		clients:   make([]atomic.Pointer[ClientFacts], b.MaxClient+headroom),
	}, nil
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
		accClient: make([]atomic.Int64, len(cur.accClient)),
		accounts:  make([]atomic.Pointer[cachedAccount], len(cur.accounts)),
		clients:   make([]atomic.Pointer[ClientFacts], len(cur.clients)),
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
	}
	for _, cid := range clients {
		for i := range next.accounts {
			if a := next.accounts[i].Load(); a != nil && a.clientID == cid {
				next.accounts[i].Store(nil)
				next.accClient[i].Store(0)
			}
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
	case family == "invitation" && ch.Action != "invitation.accept", family == "connection", family == "billing",
		ch.Action == "org.backup", ch.Action == "org.export", ch.Action == "org.rename":
		return staleNone
	}
	return staleAll
}

func (c *Checker) actor(ctx context.Context, snap *snapshot, staffID int64) (*cachedActor, error) {
	inRange := staffID > 0 && staffID < int64(len(snap.actors))
	if inRange {
		if ca := snap.actors[staffID].Load(); ca != nil {
			return ca, nil
		}
	}
	q := c.svc.db.Read()
	a, err := loadActor(ctx, q, Principal{Kind: KindMember, StaffID: staffID})
	if err != nil {
		return nil, err
	}
	_, gateOK := principalGate(a)
	ca := &cachedActor{actor: a, scope: a.Perms.Get(ModuleAccounts, VerbView), owner: a.isOwner(), active: gateOK}
	if ca.folders, err = db.MemberClientIDs(ctx, q, staffID); err != nil {
		return nil, err
	}
	reach, err := db.MemberReachableAccountIDs(ctx, q, staffID)
	if err != nil {
		return nil, err
	}
	var fits bool
	if ca.reach, fits = newIDSet(reach); !fits {
		ca.wideReach = reach
	}
	if inRange {
		snap.actors[staffID].CompareAndSwap(nil, ca)
	}
	return ca, nil
}

// accountClient is the hot path's account lookup: the folder's id only.
func (c *Checker) accountClient(ctx context.Context, snap *snapshot, accountID int64) (int64, error) {
	if accountID > 0 && accountID < int64(len(snap.accClient)) {
		if cid := snap.accClient[accountID].Load(); cid != 0 {
			return cid, nil
		}
	}
	acc, err := c.account(ctx, snap, accountID)
	if err != nil {
		return 0, err
	}
	return acc.clientID, nil
}

func (c *Checker) account(ctx context.Context, snap *snapshot, accountID int64) (*cachedAccount, error) {
	inRange := accountID > 0 && accountID < int64(len(snap.accounts))
	if inRange {
		if a := snap.accounts[accountID].Load(); a != nil {
			snap.accClient[accountID].Store(a.clientID)
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
		snap.accClient[accountID].Store(acc.ClientID)
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
func (c *Checker) CanReach(ctx context.Context, staffID, accountID int64) (bool, error) {
	snap := c.snap.Load()
	var ca *cachedActor
	if staffID > 0 && staffID < int64(len(snap.actors)) {
		ca = snap.actors[staffID].Load()
	}
	if ca == nil {
		var err error
		if ca, err = c.actor(ctx, snap, staffID); err != nil {
			return false, err
		}
	}
	if ca.active && (ca.scope == ScopeOwn || ca.scope == ScopeNone) && !ca.owner {
		// The common member: reach is exactly "added and toggled on". A
		// hit is an account that exists; a miss still asks for the account
		// so that one that does not exist is an error, as for the engine.
		if ca.scope == ScopeOwn && ca.reaches(accountID) {
			return true, nil
		}
		if accountID > 0 && accountID < int64(len(snap.accClient)) && snap.accClient[accountID].Load() != 0 {
			return false, nil
		}
		_, err := c.accountClient(ctx, snap, accountID)
		return false, err
	}
	clientID, err := c.accountClient(ctx, snap, accountID)
	if err != nil {
		return false, err
	}
	if !ca.active {
		return false, nil
	}
	if ca.owner {
		return true, nil
	}
	switch ca.scope {
	case ScopeAll:
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
	case ScopeDepartment:
		cf, err := c.client(ctx, snap, clientID)
		if err != nil {
			return false, err
		}
		if cf.Internal {
			return ca.reaches(accountID), nil
		}
		if ok, _ := clientInScope(ca.actor, ScopeDepartment, cf); ok {
			return true, nil
		}
		return ca.reaches(accountID), nil
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
