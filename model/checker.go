package model

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse/db"
)

// Checker answers "may member X reach account Y" from memory, for the hot
// paths that ask it many times (the SSH server, lists, integrations). It
// holds what the engine needs, loaded lazily per member, account and
// folder, and drops all of it whenever the database's change counter moves,
// which a background poller reads every PollInterval. A change committed by
// any process is therefore honoured within PollInterval plus one query.
// Mutations never rely on it: they re-check inside their own transaction.
type Checker struct {
	svc  *Service
	snap atomic.Pointer[snapshot]
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// PollInterval is how often the change counter is read.
	PollInterval time.Duration
}

type snapshot struct {
	counter  int64
	actors   sync.Map // staff id -> *cachedActor
	accounts sync.Map // account id -> *cachedAccount
	clients  sync.Map // client id -> *ClientFacts (ActorAdded unset)
}

type cachedActor struct {
	actor   Actor
	scope   string             // accounts.view scope ("" none)
	owner   bool               // the Owner reaches everything
	active  bool               // principal gate passed
	folders map[int64]struct{} // folders they were added to
	toggles map[int64]struct{} // accounts toggled on for them
}

type cachedAccount struct {
	clientID int64
	name     string
}

// NewChecker starts a checker with its poller; Close stops it.
func (s *Service) NewChecker(ctx context.Context) (*Checker, error) {
	c := &Checker{svc: s, stop: make(chan struct{}), done: make(chan struct{}), PollInterval: 200 * time.Millisecond}
	n, err := s.ChangeCounter(ctx)
	if err != nil {
		return nil, err
	}
	c.snap.Store(&snapshot{counter: n})
	go c.poll()
	return c, nil
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

// Refresh reads the change counter now and drops the cache if it moved.
func (c *Checker) Refresh(ctx context.Context) {
	n, err := c.svc.ChangeCounter(ctx)
	if err != nil {
		return
	}
	if cur := c.snap.Load(); cur.counter != n {
		c.snap.Store(&snapshot{counter: n})
	}
}

func (c *Checker) actor(ctx context.Context, snap *snapshot, staffID int64) (*cachedActor, error) {
	if v, ok := snap.actors.Load(staffID); ok {
		return v.(*cachedActor), nil
	}
	q := c.svc.db.Read()
	a, err := loadActor(ctx, q, Principal{Kind: KindMember, StaffID: staffID})
	if err != nil {
		return nil, err
	}
	_, gateOK := principalGate(a)
	ca := &cachedActor{actor: a, scope: a.Perms.Get("accounts", "view"), owner: a.isOwner(), active: gateOK,
		folders: map[int64]struct{}{}, toggles: map[int64]struct{}{}}
	folders, err := db.MemberClientIDs(ctx, q, staffID)
	if err != nil {
		return nil, err
	}
	for _, f := range folders {
		ca.folders[f] = struct{}{}
	}
	toggles, err := db.MemberToggledAccountIDs(ctx, q, staffID)
	if err != nil {
		return nil, err
	}
	for _, t := range toggles {
		ca.toggles[t] = struct{}{}
	}
	v, _ := snap.actors.LoadOrStore(staffID, ca)
	return v.(*cachedActor), nil
}

func (c *Checker) account(ctx context.Context, snap *snapshot, accountID int64) (*cachedAccount, error) {
	if v, ok := snap.accounts.Load(accountID); ok {
		return v.(*cachedAccount), nil
	}
	acc, err := db.GetAccount(ctx, c.svc.db.Read(), accountID)
	if err != nil {
		return nil, notFound(err, "no account %d", accountID)
	}
	v, _ := snap.accounts.LoadOrStore(accountID, &cachedAccount{clientID: acc.ClientID, name: acc.Name})
	return v.(*cachedAccount), nil
}

func (c *Checker) client(ctx context.Context, snap *snapshot, clientID int64) (*ClientFacts, error) {
	if v, ok := snap.clients.Load(clientID); ok {
		return v.(*ClientFacts), nil
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
	v, _ := snap.clients.LoadOrStore(clientID, cf)
	return v.(*ClientFacts), nil
}

// CanReach reports whether a member may reach an account right now. It
// agrees with Decide(…, ActAccess, …) on every input (a test walks both);
// Explain gives the reason when one is wanted.
func (c *Checker) CanReach(ctx context.Context, staffID, accountID int64) (bool, error) {
	snap := c.snap.Load()
	ca, err := c.actor(ctx, snap, staffID)
	if err != nil {
		return false, err
	}
	if !ca.active {
		return false, nil
	}
	acc, err := c.account(ctx, snap, accountID)
	if err != nil {
		return false, err
	}
	if ca.owner {
		return true, nil
	}
	_, toggled := ca.toggles[accountID]
	_, added := ca.folders[acc.clientID]
	switch ca.scope {
	case ScopeAll:
		cf, err := c.client(ctx, snap, acc.clientID)
		if err != nil {
			return false, err
		}
		if cf.Internal {
			return added && toggled, nil
		}
		return true, nil
	case ScopeDepartment:
		cf, err := c.client(ctx, snap, acc.clientID)
		if err != nil {
			return false, err
		}
		if cf.Internal {
			return added && toggled, nil
		}
		if ok, _ := clientInScope(ca.actor, ScopeDepartment, cf); ok {
			return true, nil
		}
		return added && toggled, nil
	case ScopeOwn:
		return added && toggled, nil
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
	_, mine.ActorAdded = ca.folders[acc.clientID]
	_, on := ca.toggles[accountID]
	return Decide(ca.actor, ActAccess, Target{Module: "accounts", Client: &mine, Account: &AccountFacts{ID: accountID, Name: acc.name, ActorToggleOn: on}}), nil
}
