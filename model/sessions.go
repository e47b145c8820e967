package model

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"gatehouse/db"
)

// Live sessions (PRODUCT.md, "Locks and sessions"). Every process that
// holds a signed-in session on this file keeps a row of it in the
// sessions table: the terminal app run locally, and each SSH connection a
// server holds (its app and its commands). So `sessions list` and the
// app's Sessions view see the sessions of every process, and ending one
// from anywhere reaches the process that holds it: the row is marked
// ended in an audited write, which moves the change counter; the holder,
// which watches the counter, reads its rows and closes the ended ones,
// telling the member why.
//
// Keeping the rows fresh is bookkeeping, written without moving the
// change counter (db.WriteQuiet): a heartbeat every SessionHeartbeat,
// the row deleted when the session closes. A row without a heartbeat for
// SessionStale belongs to a process that stopped without closing it, and
// is not listed.

// Heartbeat timing.
const (
	SessionHeartbeat = 10 * time.Second
	SessionStale     = 3 * SessionHeartbeat
	// sessionForget is when a stale row is deleted.
	sessionForget = time.Hour
)

// Session kinds.
const (
	SessionApp = "app" // the terminal app, run locally
	SessionSSH = "ssh" // an SSH connection: its app and commands
)

// SessionInfo describes a session being opened.
type SessionInfo struct {
	Kind        string
	Address     string // the client's address (SSH)
	Fingerprint string // the key it signed in with (SSH)
	Doing       string // "app", "command: staff list", …
}

// processName tells processes apart in the sessions list.
func processName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// OpenSession records a live session of p (a member or a connection that
// has signed in) and returns its id. It refuses a principal that may not
// act now (deactivated, switched off, locked).
func (s *Service) OpenSession(ctx context.Context, p Principal, info SessionInfo) (int64, error) {
	if err := refuseLens(p); err != nil {
		return 0, err
	}
	a, err := loadActorAt(ctx, s.db.Read(), p, s.Now())
	if err != nil {
		return 0, err
	}
	if d, ok := principalGate(a); !ok {
		return 0, &DeniedError{Decision: d}
	}
	x := db.Session{Kind: info.Kind, Origin: p.Origin, Address: info.Address, Fingerprint: info.Fingerprint,
		Doing: info.Doing, Process: processName()}
	switch p.Kind {
	case KindMember:
		x.StaffID = p.StaffID
	case KindConnection:
		x.ConnectionID = p.ConnectionID
	default:
		return 0, fmt.Errorf("%w: only members and connections have sessions", ErrInvalid)
	}
	if x.Kind != SessionApp && x.Kind != SessionSSH {
		return 0, fmt.Errorf("%w: unknown session kind %q", ErrInvalid, x.Kind)
	}
	if x.Origin == "" {
		x.Origin = "local terminal"
	}
	var id int64
	err = s.db.WriteQuiet(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		x.StartedAt, x.LastInput, x.Heartbeat = now, now, now
		if err := db.PruneSessions(ctx, tx, now.Add(-sessionForget)); err != nil {
			return err
		}
		id, err = db.InsertSession(ctx, tx, x)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("open session: %w", err)
	}
	return id, nil
}

// SessionBeat is one session's heartbeat: when its member last typed and
// what it is doing now.
type SessionBeat struct {
	ID        int64
	LastInput time.Time
	Doing     string
}

// BeatSessions refreshes the heartbeat of a process's open sessions.
func (s *Service) BeatSessions(ctx context.Context, beats []SessionBeat) error {
	if len(beats) == 0 {
		return nil
	}
	return s.db.WriteQuiet(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		for _, b := range beats {
			if err := db.Beat(ctx, tx, b.ID, b.LastInput, b.Doing, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// CloseSession forgets a session that closed.
func (s *Service) CloseSession(ctx context.Context, id int64) error {
	return s.db.WriteQuiet(ctx, func(tx *sql.Tx) error { return db.DeleteSession(ctx, tx, id) })
}

// EndedSessions returns, among a process's sessions, those ended from
// elsewhere (by `sessions end` or a lock) and why.
func (s *Service) EndedSessions(ctx context.Context, ids []int64) (map[int64]string, error) {
	return db.EndedSessions(ctx, s.db.Read(), ids)
}

// ListSessions lists the live sessions of every process on the file, for
// those who may update staff: the members' the actor may see, and the
// connections'. Ended sessions not closed yet are listed too, with why.
func (s *Service) ListSessions(ctx context.Context, p Principal) ([]LiveSession, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	// Listing sessions is an incident tool, not a staff view: it shows
	// where members sign in from and with which key, and is where their
	// sessions are ended. So it takes what ending one takes, the right to
	// update staff (docs/security.md), and a refusal says that is what
	// listing needs rather than claiming an update was tried.
	if d := Decide(a, ActUpdate, Target{Module: ModuleStaff}); !d.Allowed {
		if _, ok := principalGate(a); ok {
			d = deny("%s may not list live sessions: listing them needs the permission to update staff", a.who())
		}
		return nil, &DeniedError{Decision: d}
	}
	q := s.db.Read()
	all, err := db.ListSessions(ctx, q, s.Now().Add(-SessionStale))
	if err != nil {
		return nil, err
	}
	out := []LiveSession{}
	seeConnections := Decide(a, ActView, Target{Module: ModuleConnections}).Allowed
	for _, x := range all {
		if x.StaffID != 0 {
			m, err := db.GetMember(ctx, q, x.StaffID)
			if err != nil {
				continue
			}
			sf, err := staffFacts(ctx, q, m)
			if err != nil {
				return nil, err
			}
			if !Decide(a, ActView, Target{Module: ModuleStaff, Staff: sf}).Allowed {
				continue
			}
		} else if !seeConnections {
			continue
		}
		out = append(out, x)
	}
	return out, nil
}

// EndSession ends a live session from anywhere, with a reason the member
// is shown: for those who may deactivate the member (or switch off the
// connection), and for the member themselves. It is audited; the process
// holding the session closes it within a second.
func (s *Service) EndSession(ctx context.Context, p Principal, id int64, reason string) (LiveSession, error) {
	var x LiveSession
	reason, err := cleanReason(reason)
	if err != nil {
		return x, err
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		now := s.Now()
		var err error
		x, err = db.GetSession(ctx, tx, id)
		if err != nil || x.Heartbeat.Before(now.Add(-SessionStale)) {
			return nil, fmt.Errorf("%w: no live session %d", ErrNotFound, id)
		}
		who := x.Email
		switch {
		case x.StaffID != 0 && a.Kind == KindMember && a.StaffID == x.StaffID:
			// Their own session: anyone may end it.
		case x.StaffID != 0:
			if _, err := lockMember(ctx, tx, a, "", x.StaffID); err != nil {
				if err2 := require(a, ActUpdate, Target{Module: ModuleStaff}); err2 != nil {
					return nil, fmt.Errorf("%w: no live session %d", ErrNotFound, id)
				}
				return nil, err
			}
		default:
			c, err := db.GetConnection(ctx, tx, x.ConnectionID)
			if err != nil {
				return nil, notFound(err, "no live session %d", id)
			}
			if err := lockConnection(a, c); err != nil {
				return nil, err
			}
			who = "connection " + c.Name
		}
		if !x.EndedAt.IsZero() {
			return nil, fmt.Errorf("%w: session %d was already ended: %s", ErrRule, id, Sanitize(x.EndReason))
		}
		notice := fmt.Sprintf("ended by %s: %s", a.Label, reason)
		if err := db.EndSession(ctx, tx, id, notice, now); err != nil {
			return nil, err
		}
		x.EndedAt, x.EndReason = now, notice
		return []change{{Action: "session.end", TargetKind: "session", TargetID: id, Target: who, StaffID: x.StaffID,
			After: map[string]any{"reason": reason, "origin": x.Origin, "doing": x.Doing}}}, nil
	})
	if err != nil {
		return x, fmt.Errorf("end session: %w", err)
	}
	return x, nil
}

// endSessionsOf marks ended, in tx, the live sessions a lock on t holds
// out, and returns how many.
func endSessionsOf(ctx context.Context, tx *sql.Tx, t db.LockTargets, notice string, now time.Time) (int, error) {
	xs, err := db.SessionsOf(ctx, tx, t, now.Add(-SessionStale))
	if err != nil {
		return 0, err
	}
	for _, x := range xs {
		if err := db.EndSession(ctx, tx, x.ID, notice, now); err != nil {
			return 0, err
		}
	}
	return len(xs), nil
}
