package model

import (
	"context"
	"sync"
)

// actorCache keeps the actors that reads were made as, each with the
// change counter it was loaded at. Every committed write moves the counter,
// so an actor is reused only while nothing at all has changed: a role
// change, a deactivation or a new permission is seen by the very next read.
// Reading the counter is one point query; loading an actor is two to six,
// which on a page of the audit log was a third of the time.
type actorCache struct {
	mu      sync.Mutex
	entries map[Principal]readActorEntry
}

type readActorEntry struct {
	counter int64
	actor   Actor
}

// maxCachedActors bounds the cache; a server with more readers than this
// simply loads some of them again.
const maxCachedActors = 1024

func (c *actorCache) get(p Principal, counter int64) (Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[p]
	if !ok || e.counter != counter {
		return Actor{}, false
	}
	return e.actor, true
}

func (c *actorCache) put(p Principal, counter int64, a Actor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedActors {
		c.entries = make(map[Principal]readActorEntry)
	}
	c.entries[p] = readActorEntry{counter: counter, actor: a}
}

// loadReadActor is loadActor for reads, through the cache. The counter is
// read before the actor, so a write landing in between leaves an entry
// that the next read already finds out of date.
func (s *Service) loadReadActor(ctx context.Context, p Principal) (Actor, error) {
	if s.actors == nil {
		return loadActorAt(ctx, s.db.Read(), p, s.Now())
	}
	counter, err := s.db.ChangeCounter(ctx)
	if err != nil {
		return loadActorAt(ctx, s.db.Read(), p, s.Now())
	}
	// A lock that expired since is a change no write announced.
	if a, ok := s.actors.get(p, counter); ok && (a.Lock == nil || a.Lock.Active(s.Now())) {
		return a, nil
	}
	a, err := loadActorAt(ctx, s.db.Read(), p, s.Now())
	if err != nil {
		return a, err
	}
	s.actors.put(p, counter, a)
	return a, nil
}
