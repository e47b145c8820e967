package sshd

import (
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
)

// Strangers cost little and only for a while (PRODUCT.md: nothing costly
// happens before identity). Two kinds of connection have no member behind
// them yet:
//
//   - one still signing in (the SSH handshake and the key and code
//     steps): it must finish within the login grace time;
//   - one signed in with a key nobody registered: it may only redeem an
//     invitation, and is closed after the unknown-key timeout.
//
// Each kind is capped per source address and in total. Per-member session
// caps do not help here, since keys are free. A connection over a cap is
// closed before it costs anything (while signing in) or refused with a
// message (an unknown key). Members and connections that signed in leave
// both counts at once.
//
// New connections are also rate-limited per address, like OpenSSH's
// per-source penalties: each costs the address a token, given back if a
// member or connection signs in on it, and an address out of tokens has
// its connections closed at once. So a stranger repeating `ssh HOST join
// CODE` in a loop spends the key exchange's CPU a few times a second at
// most, while members connecting as often as they like never run out.
type unauthGate struct {
	maxSigningIn, maxSigningInPerAddr int
	maxUnknown, maxUnknownPerAddr     int
	rate, burst                       float64 // new strangers' connections per second and address

	mu        sync.Mutex
	signingIn map[string]int
	unknown   map[string]int
	nSigning  int
	nUnknown  int
	buckets   map[string]*bucket
}

// bucket is one address's tokens for new connections.
type bucket struct {
	tokens float64
	at     time.Time
}

func newUnauthGate(cfg Config) *unauthGate {
	return &unauthGate{
		maxSigningIn: cfg.MaxSigningIn, maxSigningInPerAddr: cfg.MaxSigningInPerAddress,
		maxUnknown: cfg.MaxUnknownKeys, maxUnknownPerAddr: cfg.MaxUnknownKeysPerAddress,
		rate: cfg.NewConnectionsPerSecond, burst: 2 * cfg.NewConnectionsPerSecond,
		signingIn: map[string]int{}, unknown: map[string]int{}, buckets: map[string]*bucket{},
	}
}

// maxBuckets bounds the rate limiter's memory; past it, addresses whose
// buckets are full again are forgotten.
const maxBuckets = 4096

// take spends one of addr's tokens at now, or says it has none left.
func (g *unauthGate) take(addr string, now time.Time) bool {
	b := g.buckets[addr]
	if b == nil {
		if len(g.buckets) >= maxBuckets {
			g.forgetFull(now)
		}
		b = &bucket{tokens: g.burst, at: now}
		g.buckets[addr] = b
	}
	b.tokens = min(g.burst, b.tokens+now.Sub(b.at).Seconds()*g.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// giveBack returns addr's token once a member or connection signed in.
func (g *unauthGate) giveBack(addr string) {
	if b := g.buckets[addr]; b != nil {
		b.tokens = min(g.burst, b.tokens+1)
	}
}

func (g *unauthGate) forgetFull(now time.Time) {
	for addr, b := range g.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*g.rate >= g.burst {
			delete(g.buckets, addr)
		}
	}
}

// counts returns how many connections are signing in and how many are
// unknown keys, for logs and tests.
func (g *unauthGate) counts() (signingIn, unknown int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.nSigning, g.nUnknown
}

func (g *unauthGate) enterSigningIn(addr string, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.nSigning >= g.maxSigningIn:
		return fmt.Errorf("%d connections are signing in, the most allowed", g.nSigning)
	case g.signingIn[addr] >= g.maxSigningInPerAddr:
		return fmt.Errorf("%d connections from %s are signing in, the most allowed from one address", g.signingIn[addr], addr)
	case !g.take(addr, now):
		return fmt.Errorf("%s opened more than %.0f connections a second that did not sign in as a member", addr, g.rate)
	}
	g.nSigning++
	g.signingIn[addr]++
	return nil
}

func (g *unauthGate) leaveSigningIn(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nSigning--
	if g.signingIn[addr]--; g.signingIn[addr] <= 0 {
		delete(g.signingIn, addr)
	}
}

func (g *unauthGate) enterUnknown(addr string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.nUnknown >= g.maxUnknown:
		return fmt.Errorf("the server already has %d connections with unregistered keys, the most it takes; try again in a minute", g.nUnknown)
	case g.unknown[addr] >= g.maxUnknownPerAddr:
		return fmt.Errorf("%d connections with unregistered keys are open from your address, the most allowed; close one, or try again in a minute", g.unknown[addr])
	}
	g.nUnknown++
	g.unknown[addr]++
	return nil
}

func (g *unauthGate) leaveUnknown(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nUnknown--
	if g.unknown[addr]--; g.unknown[addr] <= 0 {
		delete(g.unknown, addr)
	}
}

// Phases of a connection, for the gate.
const (
	phaseSigningIn = iota
	phaseKnown
	phaseUnknown
	phaseClosed
)

// connState is one TCP connection as the gate sees it. It lives in the
// connection's ssh.Context from the moment it is accepted.
type connState struct {
	gate *unauthGate
	addr string // source IP, without the port
	conn net.Conn

	mu    sync.Mutex
	phase int
	timer *time.Timer
}

type connStateKey struct{}

// stateOf is the connection's gate state (nil outside a server, in tests
// that call callbacks directly).
func stateOf(ctx ssh.Context) *connState {
	st, _ := ctx.Value(connStateKey{}).(*connState)
	return st
}

// signedIn moves the connection out of the gate's counts: a member or a
// connection is behind it now.
func (st *connState) signedIn() {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.phase != phaseSigningIn {
		return
	}
	st.gate.leaveSigningIn(st.addr)
	st.gate.mu.Lock()
	st.gate.giveBack(st.addr)
	st.gate.mu.Unlock()
	st.phase = phaseKnown
	st.timer.Stop()
}

// unknownKey moves a connection whose key nobody registered to the
// unknown-key count, and closes it after timeout; it says why not when
// that count is full.
func (st *connState) unknownKey(timeout time.Duration) error {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.phase != phaseSigningIn {
		return nil
	}
	if err := st.gate.enterUnknown(st.addr); err != nil {
		return err
	}
	st.gate.leaveSigningIn(st.addr)
	st.phase = phaseUnknown
	st.timer.Stop()
	st.timer = time.AfterFunc(timeout, func() { st.conn.Close() })
	return nil
}

// closed releases whatever the connection held; called once it closes.
func (st *connState) closed() {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch st.phase {
	case phaseSigningIn:
		st.gate.leaveSigningIn(st.addr)
	case phaseUnknown:
		st.gate.leaveUnknown(st.addr)
	}
	st.phase = phaseClosed
	if st.timer != nil {
		st.timer.Stop()
	}
}

// gatedConn tells the gate when the connection closes, however it closes.
type gatedConn struct {
	net.Conn
	st   *connState
	once sync.Once
}

func (c *gatedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.st.closed)
	return err
}

// hostOf is the IP of an address, without its port.
func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}
