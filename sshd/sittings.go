package sshd

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"gatehouse/model"
)

// A sitting is one signed-in SSH connection: with OpenSSH's connection
// sharing it carries many sessions (the app, commands) over minutes, and
// while it lasts new commands need no code. It is what `sessions list`
// shows and what `sessions end` and a lock end: its row in the sessions
// table (model/sessions.go) lives as long as the connection, and ending it
// closes every session on it and the connection itself, so that the next
// command signs in afresh.
type sitting struct {
	row     int64 // the sessions table's id
	key     string
	who     identity
	conn    gossh.Conn
	started time.Time

	mu       sync.Mutex
	sessions map[*liveSession]struct{}
	ended    string
}

// doing summarises what the sitting's sessions are doing, for the list.
func (st *sitting) doing() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	app := false
	var cmds []string
	for ls := range st.sessions {
		if ls.interactive {
			app = true
		} else {
			cmds = append(cmds, ls.command)
		}
	}
	sort.Strings(cmds)
	var parts []string
	if app {
		parts = append(parts, "app")
	}
	if len(cmds) > 0 {
		parts = append(parts, "command: "+strings.Join(cmds, ", "))
	}
	if len(parts) == 0 {
		return "connected, no command running"
	}
	return model.Truncate(strings.Join(parts, "; "), 200)
}

// lastInput is the latest input of any of its sessions, or when it began.
func (st *sitting) lastInput() time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	last := st.started
	for ls := range st.sessions {
		if t := time.Unix(0, ls.lastInput.Load()); t.After(last) {
			last = t
		}
	}
	return last
}

// sittings are the server's signed-in connections, by SSH session id.
type sittings struct {
	mu  sync.Mutex
	all map[string]*sitting
}

// attach attaches a session to its connection's sitting, opening the
// sitting (and its row) with the connection's first session. It refuses
// a session on a sitting that was ended.
func (s *Server) attach(ctx ssh.Context, ls *liveSession) (*sitting, error) {
	key := ctx.SessionID()
	s.sits.mu.Lock()
	st := s.sits.all[key]
	s.sits.mu.Unlock()
	if st == nil {
		p := ls.who.principal()
		row, err := s.svc.OpenSession(s.base, p, model.SessionInfo{Kind: model.SessionSSH, Address: addr(ctx.RemoteAddr()),
			Fingerprint: ls.who.fingerprint, Doing: ls.what()})
		if err != nil {
			return nil, fmt.Errorf("%s", reasonOf(err))
		}
		conn, _ := ctx.Value(ssh.ContextKeyConn).(gossh.Conn)
		st = &sitting{row: row, key: key, who: ls.who, conn: conn, started: time.Now(), sessions: map[*liveSession]struct{}{}}
		s.sits.mu.Lock()
		if other := s.sits.all[key]; other != nil {
			// Two first sessions raced: keep one row.
			s.sits.mu.Unlock()
			_ = s.svc.CloseSession(s.base, row)
			st = other
		} else {
			s.sits.all[key] = st
			s.sits.mu.Unlock()
			go s.closeWhenDone(ctx, st)
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended != "" {
		return nil, fmt.Errorf("%s", st.ended)
	}
	st.sessions[ls] = struct{}{}
	ls.sit = st
	return st, nil
}

// leave detaches a finished session from its sitting.
func (st *sitting) leave(ls *liveSession) {
	st.mu.Lock()
	delete(st.sessions, ls)
	st.mu.Unlock()
}

// closeWhenDone forgets the sitting and its row once the connection
// closes.
func (s *Server) closeWhenDone(ctx ssh.Context, st *sitting) {
	<-ctx.Done()
	s.sits.mu.Lock()
	delete(s.sits.all, st.key)
	s.sits.mu.Unlock()
	c, cancel := context.WithTimeout(context.Background(), authTimeout)
	defer cancel()
	if err := s.svc.CloseSession(c, st.row); err != nil {
		s.log.Warn("cannot forget a closed session", "session", st.row, "err", err)
	}
}

func (s *Server) allSittings() []*sitting {
	s.sits.mu.Lock()
	defer s.sits.mu.Unlock()
	out := make([]*sitting, 0, len(s.sits.all))
	for _, st := range s.sits.all {
		out = append(out, st)
	}
	return out
}

// beat refreshes the rows of every sitting.
func (s *Server) beat(ctx context.Context) {
	sits := s.allSittings()
	beats := make([]model.SessionBeat, 0, len(sits))
	for _, st := range sits {
		beats = append(beats, model.SessionBeat{ID: st.row, LastInput: st.lastInput(), Doing: st.doing()})
	}
	if err := s.svc.BeatSessions(ctx, beats); err != nil && ctx.Err() == nil {
		s.log.Warn("cannot refresh the sessions' heartbeat", "err", err)
	}
}

// endEnded closes the sittings ended from elsewhere (`sessions end`, a
// lock): every session on them shows why, then the connection closes.
func (s *Server) endEnded(ctx context.Context) {
	sits := s.allSittings()
	if len(sits) == 0 {
		return
	}
	ids := make([]int64, 0, len(sits))
	for _, st := range sits {
		ids = append(ids, st.row)
	}
	ended, err := s.svc.EndedSessions(ctx, ids)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("cannot read ended sessions", "err", err)
		}
		return
	}
	for _, st := range sits {
		if reason, ok := ended[st.row]; ok {
			s.endSitting(st, reason+"; the session has ended.")
		}
	}
}

// endSitting ends every session of a sitting with reason and then closes
// its connection.
func (s *Server) endSitting(st *sitting, reason string) {
	st.mu.Lock()
	if st.ended != "" {
		st.mu.Unlock()
		return
	}
	st.ended = reason
	victims := make([]*liveSession, 0, len(st.sessions))
	for ls := range st.sessions {
		victims = append(victims, ls)
	}
	st.mu.Unlock()
	s.log.Warn("session ended", "who", st.who.key(), "session", st.row, "reason", reason)
	for _, ls := range victims {
		ls.end(reason)
	}
	// The sessions' handlers tell their clients first; then the
	// connection goes, so that a shared connection cannot run the next
	// command without signing in again.
	time.AfterFunc(2*forceCloseAfter, func() {
		if st.conn != nil {
			_ = st.conn.Close()
		}
	})
}

// endWhoSittings ends the sittings of one identity (deactivated, locked,
// switched off), connection and all.
func (s *Server) endWhoSittings(key, reason string) {
	for _, st := range s.allSittings() {
		if st.who.key() == key {
			s.endSitting(st, reason)
		}
	}
}
