package sshd

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse/model"
)

// errClosing refuses sessions once the server is shutting down.
var errClosing = errors.New("Gatehouse is shutting down; try again in a moment")

// liveSession is one open SSH session in the registry.
type liveSession struct {
	id          uint64
	who         identity
	interactive bool
	// lasting: a command that runs until it is stopped (audit tail
	// --follow); shutdown ends it at once, as it ends the app.
	lasting bool
	command string   // what runs, for the sessions list
	sit     *sitting // the connection it runs on
	ctx     context.Context
	cancel  context.CancelFunc
	// lastInput is when the client last typed (unix nanoseconds).
	lastInput atomic.Int64
	// finished is set when the handler is done and tells the client itself.
	finished atomic.Bool

	mu     sync.Mutex
	reason string // why the server ended the session, shown to the client
	quit   func() // stops an interactive program
}

// end asks the session to close with reason; the session's handler shows
// the reason and exits.
func (ls *liveSession) end(reason string) {
	ls.mu.Lock()
	if ls.reason == "" {
		ls.reason = reason
	}
	quit := ls.quit
	ls.mu.Unlock()
	ls.cancel()
	if quit != nil {
		quit()
	}
}

func (ls *liveSession) endReason() string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.reason
}

func (ls *liveSession) setQuit(f func()) {
	ls.mu.Lock()
	ls.quit = f
	ended := ls.reason != ""
	ls.mu.Unlock()
	if ended {
		f()
	}
}

func (ls *liveSession) touch(t time.Time) { ls.lastInput.Store(t.UnixNano()) }

// what it is doing, for the sessions list.
func (ls *liveSession) what() string {
	if ls.interactive {
		return "app"
	}
	return "command: " + ls.command
}

// registry holds the open sessions, per member (or connection, or key).
type registry struct {
	max, maxPer int

	mu      sync.Mutex
	next    uint64
	closing bool
	byID    map[uint64]*liveSession
	byWho   map[string]map[uint64]*liveSession
}

func newRegistry(max, maxPer int) *registry {
	return &registry{max: max, maxPer: maxPer, byID: map[uint64]*liveSession{}, byWho: map[string]map[uint64]*liveSession{}}
}

// admit registers a new session for who, or says why not.
func (r *registry) admit(parent context.Context, who identity, interactive, lasting bool, command string, now time.Time) (*liveSession, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return nil, errClosing
	}
	if len(r.byID) >= r.max {
		return nil, fmt.Errorf("the server has its maximum of %d open sessions; try again in a moment", r.max)
	}
	key := who.key()
	if len(r.byWho[key]) >= r.maxPer {
		return nil, fmt.Errorf("you already have %d open sessions, the most allowed; close one and try again", r.maxPer)
	}
	r.next++
	ctx, cancel := context.WithCancel(parent)
	ls := &liveSession{id: r.next, who: who, interactive: interactive, lasting: lasting, command: command, ctx: ctx, cancel: cancel}
	ls.touch(now)
	r.byID[ls.id] = ls
	if r.byWho[key] == nil {
		r.byWho[key] = map[uint64]*liveSession{}
	}
	r.byWho[key][ls.id] = ls
	return ls, nil
}

// remove forgets a finished session.
func (r *registry) remove(ls *liveSession) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byID, ls.id)
	key := ls.who.key()
	delete(r.byWho[key], ls.id)
	if len(r.byWho[key]) == 0 {
		delete(r.byWho, key)
	}
	ls.cancel()
}

func (r *registry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byID)
}

// close refuses new sessions from now on.
func (r *registry) close() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
}

func (r *registry) snapshot() []*liveSession {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*liveSession, 0, len(r.byID))
	for _, ls := range r.byID {
		out = append(out, ls)
	}
	return out
}

// principals returns one session per identity with open sessions (to
// re-check each identity once).
func (r *registry) principals() map[string]identity {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]identity, len(r.byWho))
	for key, set := range r.byWho {
		for _, ls := range set {
			out[key] = ls.who
			break
		}
	}
	return out
}

// endWho ends every session of one identity.
func (r *registry) endWho(key, reason string) int {
	r.mu.Lock()
	var victims []*liveSession
	for _, ls := range r.byWho[key] {
		victims = append(victims, ls)
	}
	r.mu.Unlock()
	for _, ls := range victims {
		ls.end(reason)
	}
	return len(victims)
}

// drain waits until no session is open, or ctx is done.
func (r *registry) drain(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for r.count() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

func (r *registry) endInteractive(reason string) {
	for _, ls := range r.snapshot() {
		if ls.interactive || ls.lasting {
			ls.end(reason)
		}
	}
}

func (r *registry) endAll(reason string) {
	for _, ls := range r.snapshot() {
		ls.end(reason)
	}
}

// watch keeps open sessions honest: when anything changed in the
// database (the change counter moved), each identity with open sessions
// is re-loaded, and one that may no longer act (deactivated, removed,
// switched off) has its sessions ended; and sessions idle for longer than
// the organisation's idle timeout are ended.
func (s *Server) watch(ctx context.Context) {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	last := int64(-1)
	var idle time.Duration
	lastBeat := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(lastBeat) >= model.SessionHeartbeat {
			lastBeat = time.Now()
			s.beat(ctx)
		}
		n, err := s.svc.ChangeCounter(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("cannot read the change counter", "err", err)
			}
			continue
		}
		if n != last {
			last = n
			s.endEnded(ctx)
			s.recheck(ctx)
			if org, err := s.svc.Org(ctx); err == nil {
				idle = org.IdleTimeout
			}
		}
		s.expireIdle(time.Now(), idle)
	}
}

// recheck re-loads every identity with open sessions.
func (s *Server) recheck(ctx context.Context) {
	whos := s.reg.principals()
	// A shared connection with no session open right now is checked too.
	for _, st := range s.allSittings() {
		whos[st.who.key()] = st.who
	}
	for key, who := range whos {
		if who.kind == kindUnknown {
			continue
		}
		reason := s.stillAllowed(ctx, who)
		if reason == "" {
			continue
		}
		n := s.reg.endWho(key, reason)
		s.endWhoSittings(key, reason)
		s.log.Warn("sessions ended", "who", key, "sessions", n, "reason", reason)
	}
}

// stillAllowed returns why who may no longer act, or "".
func (s *Server) stillAllowed(ctx context.Context, who identity) string {
	a, err := s.svc.Actor(ctx, who.principal())
	switch {
	case errors.Is(err, model.ErrNotFound):
		if who.kind == kindConnection {
			return "this connection was deleted; the session has ended."
		}
		return "your account was removed; the session has ended."
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("cannot re-check a session", "who", who.key(), "err", err)
		}
		return ""
	case a.Lock != nil:
		if who.kind == kindConnection {
			return "this connection is " + model.LockNotice(*a.Lock) + "; the session has ended."
		}
		return "you are " + model.LockNotice(*a.Lock) + "; the session has ended."
	case who.kind == kindConnection && !a.ConnectionOn:
		return "this connection was switched off; the session has ended."
	case a.Status != "active":
		if who.kind == kindConnection {
			return "the member who created this connection is " + a.Status + "; the session has ended."
		}
		return "your account was " + a.Status + "; the session has ended."
	}
	return ""
}

// expireIdle ends sessions without input for longer than idle.
func (s *Server) expireIdle(now time.Time, idle time.Duration) {
	if idle <= 0 {
		return
	}
	for _, ls := range s.reg.snapshot() {
		if now.Sub(time.Unix(0, ls.lastInput.Load())) > idle {
			if ls.endReason() == "" {
				s.log.Info("idle session ended", "who", ls.who.key(), "idle_timeout", idle.String())
			}
			ls.end(fmt.Sprintf("no input for %s (the organisation's idle timeout); the session has ended.", idle))
		}
	}
}
