package model

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gatehouse/db"
)

// Incident locks (PRODUCT.md, "Locks and sessions"; Teleport's `tctl lock`
// is the model). A lock on a member, a role, a connection or an SSH key
// refuses everything the target would do: signing in by password, key or
// code, tokens, and every read and write, because it is part of the
// principal gate every decision passes (engine.go). Making one ends the
// target's live sessions, in every process on the file (sessions.go). It
// holds until lifted or until its time to live runs out.

// Lock kinds.
const (
	LockStaff      = "staff"
	LockRole       = "role"
	LockConnection = "connection"
	LockKey        = "key"
)

// LockKinds are the kinds a lock can have, as the CLI's flags name them.
var LockKinds = []string{LockStaff, LockRole, LockConnection, LockKey}

// MaxLockTTL bounds a lock's time to live; a longer one is a lock until
// lifted.
const MaxLockTTL = 365 * 24 * time.Hour

// ParseTTL reads a lock's time to live as people type it: a Go duration
// (30m, 2h, 1h30m) or whole days (7d); "" is none (until lifted).
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%w: %s: whole days are written like 7d", ErrInvalid, Sanitize(Truncate(s, 40)))
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%w: %s is not a duration (30m, 2h, 7d)", ErrInvalid, Sanitize(Truncate(s, 40)))
	}
	return d, nil
}

// KeyOf is the SSH key fingerprint in an origin as the SSH server writes
// it ("ssh SHA256:… from ADDRESS"), or "".
func KeyOf(origin string) string {
	rest, ok := strings.CutPrefix(origin, "ssh ")
	if !ok {
		return ""
	}
	fp, _, _ := strings.Cut(rest, " ")
	if !strings.HasPrefix(fp, "SHA256:") {
		return ""
	}
	return fp
}

// LockNotice says what a lock does to whom it holds: "locked by
// ada@x.example until 14:05 UTC: suspected stolen laptop (lock 3)".
func LockNotice(l Lock) string {
	until := "until lifted"
	if !l.ExpiresAt.IsZero() {
		until = "until " + l.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fmt.Sprintf("locked by %s %s: %s (lock %d)", Sanitize(l.CreatedBy), until, Sanitize(l.Reason), l.ID)
}

// lockedWho names the locked principal in a refusal.
func (a Actor) lockedWho() string {
	if a.Kind == KindConnection {
		return fmt.Sprintf("Connection %q", a.ConnectionName)
	}
	return a.Email
}

// LockedError refuses a sign-in, a key or a token because of a lock; it
// matches ErrDenied.
type LockedError struct {
	Who  string
	Lock Lock
}

func (e *LockedError) Error() string { return e.Who + " is " + LockNotice(e.Lock) }
func (e *LockedError) Unwrap() error { return ErrDenied }

// firstLock is the oldest lock in force at now on any of t's targets.
func firstLock(ctx context.Context, q db.Querier, t db.LockTargets, now time.Time) (*Lock, error) {
	ls, err := db.ActiveLocks(ctx, q, t, now)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	return &ls[0], nil
}

// LockInput is one lock as the CLI and the app ask for it.
type LockInput struct {
	Kind   string // staff, role, connection or key
	Target string // an email, a role's name, a connection's name, a key's fingerprint
	Reason string
	TTL    time.Duration // 0: until lifted
}

// lockTarget is what a lock is on, resolved inside a write.
type lockTarget struct {
	lock    Lock
	targets db.LockTargets
	staffID int64 // for the audit entry, when the target is one member
}

// resolveLock finds what in names and checks that a may lock (or unlock)
// it: as for deactivating each member it would lock out (so never the
// Owner, and never the actor themselves), or switching off the
// connection. A target the actor may not see is answered as one that does
// not exist.
func (s *Service) resolveLock(ctx context.Context, tx *sql.Tx, a Actor, kind, target string, id int64) (lockTarget, error) {
	var lt lockTarget
	lt.lock.Kind = kind
	switch kind {
	case LockStaff:
		m, err := lockMember(ctx, tx, a, target, id)
		if err != nil {
			return lt, err
		}
		lt.lock.TargetID, lt.lock.Label, lt.staffID = m.ID, m.Email, m.ID
		lt.targets.StaffID = m.ID
	case LockRole:
		var r Role
		var err error
		if id != 0 {
			r, err = db.GetRole(ctx, tx, id)
		} else {
			r, err = db.GetRoleByName(ctx, tx, strings.TrimSpace(target))
		}
		if err != nil {
			return lt, notFound(err, "no role named %q", Sanitize(Truncate(target, 60)))
		}
		if err := require(a, ActView, Target{Module: ModuleRoles}); err != nil {
			return lt, err
		}
		members, err := db.MembersWithRole(ctx, tx, r.ID)
		if err != nil {
			return lt, err
		}
		if err := require(a, ActUpdate, Target{Module: ModuleStaff, Label: r.Name}); err != nil {
			return lt, err
		}
		for _, mid := range members {
			if _, err := lockMember(ctx, tx, a, "", mid); err != nil {
				return lt, fmt.Errorf("the role %s: %w", Sanitize(r.Name), err)
			}
		}
		lt.lock.TargetID, lt.lock.Label = r.ID, r.Name
		lt.targets.RoleID = r.ID
	case LockConnection:
		var c Connection
		var err error
		if id != 0 {
			c, err = db.GetConnection(ctx, tx, id)
		} else {
			c, err = db.ConnectionByName(ctx, tx, strings.TrimSpace(target))
		}
		if err != nil {
			return lt, notFound(err, "no connection named %q", Sanitize(Truncate(target, 60)))
		}
		if err := lockConnection(a, c); err != nil {
			return lt, err
		}
		lt.lock.TargetID, lt.lock.Label = c.ID, c.Name
		lt.targets.ConnectionID = c.ID
	case LockKey:
		fp := strings.TrimSpace(target)
		if !strings.HasPrefix(fp, "SHA256:") || len(fp) > 128 {
			return lt, fmt.Errorf("%w: a key is named by its SHA256 fingerprint (SHA256:…, as ssh-keygen -lf prints it)", ErrInvalid)
		}
		label := fp
		switch k, err := db.SSHKeyByFingerprint(ctx, tx, fp); {
		case err == nil:
			if a.Kind == KindMember && k.StaffID == a.StaffID {
				// A member may lock a key of their own (a lost laptop),
				// but not the one they are acting with.
				if KeyOf(a.Origin) == fp {
					return lt, &DeniedError{Decision: deny("%s: that is the key of this session; lock it from another one", a.Email)}
				}
			} else if _, err := lockMember(ctx, tx, a, "", k.StaffID); err != nil {
				return lt, err
			}
			if m, err := db.GetMember(ctx, tx, k.StaffID); err == nil {
				label = fp + " (" + m.Email + ")"
			}
		case errors.Is(err, db.ErrNotFound):
			if c, err := db.ConnectionByFingerprint(ctx, tx, fp); err == nil {
				if err := lockConnection(a, c); err != nil {
					return lt, err
				}
				label = fp + " (connection " + c.Name + ")"
			} else if err := require(a, ActUpdate, Target{Module: ModuleStaff}); err != nil {
				return lt, err
			}
		default:
			return lt, err
		}
		lt.lock.TargetKey, lt.lock.Label = fp, label
		lt.targets.Key = fp
	default:
		return lt, fmt.Errorf("%w: a lock is on a member (--staff), a role (--role), a connection (--connection) or a key (--key)", ErrInvalid)
	}
	return lt, nil
}

// lockMember finds a member by email (or id) and checks that a may lock
// them: as deactivating them.
func lockMember(ctx context.Context, tx *sql.Tx, a Actor, email string, id int64) (Member, error) {
	var m Member
	var err error
	if id != 0 {
		m, err = db.GetMember(ctx, tx, id)
	} else {
		m, err = db.GetMemberByEmail(ctx, tx, EmailKey(email))
	}
	if err != nil {
		return m, notFound(err, "no staff member with email %q", Sanitize(Truncate(email, 60)))
	}
	sf, err := staffFacts(ctx, tx, m)
	if err != nil {
		return m, err
	}
	if d := Decide(a, ActView, Target{Module: ModuleStaff, Staff: sf}); !d.Allowed {
		return m, fmt.Errorf("%w: no staff member with email %q", ErrNotFound, Sanitize(Truncate(email, 60)))
	}
	if d := Decide(a, ActDeactivate, Target{Module: ModuleStaff, Staff: sf}); !d.Allowed {
		return m, &DeniedError{Decision: deny("%s may not lock %s: %s", a.who(), m.Email, strings.TrimPrefix(d.Reason, a.who()+": "))}
	}
	return m, nil
}

// lockConnection checks that a may lock a connection: as switching it off.
func lockConnection(a Actor, c Connection) error {
	owner := c.CreatorID
	if owner == 0 {
		owner = -1
	}
	return require(a, ActUpdate, Target{Module: ModuleConnections, Label: c.Name, OwnerID: owner})
}

// cleanReason validates a lock's reason or why a session was ended.
func cleanReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: give a reason (--reason): it is audited and shown to whoever is locked out", ErrInvalid)
	}
	if n := len([]rune(s)); n > MaxReasonLen {
		return "", fmt.Errorf("%w: the reason is %d characters long; at most %d", ErrInvalid, n, MaxReasonLen)
	}
	if hasUnsafe(s) {
		return "", fmt.Errorf("%w: the reason contains control characters or escape sequences", ErrInvalid)
	}
	return s, nil
}

// LockResult is a lock made and the live sessions it ended.
type LockResult struct {
	Lock          Lock
	SessionsEnded int
}

// Lock makes an incident lock. In the same transaction it ends the
// target's live sessions (each process holding one closes it within a
// second, showing the reason) and writes the audit entry, with the reason.
func (s *Service) Lock(ctx context.Context, p Principal, in LockInput) (LockResult, error) {
	var res LockResult
	reason, err := cleanReason(in.Reason)
	if err != nil {
		return res, err
	}
	if in.TTL < 0 || in.TTL > MaxLockTTL {
		return res, fmt.Errorf("%w: a lock's time to live is between 1 minute and 365 days (or none: until lifted)", ErrInvalid)
	}
	if in.TTL > 0 && in.TTL < time.Minute {
		return res, fmt.Errorf("%w: a lock's time to live is at least 1 minute", ErrInvalid)
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		lt, err := s.resolveLock(ctx, tx, a, in.Kind, in.Target, 0)
		if err != nil {
			return nil, err
		}
		now := s.Now()
		if held, err := db.ActiveLocks(ctx, tx, lt.targets, now); err != nil {
			return nil, err
		} else {
			for _, h := range held {
				if h.Kind == lt.lock.Kind && h.TargetID == lt.lock.TargetID && h.TargetKey == lt.lock.TargetKey {
					return nil, fmt.Errorf("%w: %s is already %s", ErrConflict, Sanitize(h.Label), LockNotice(h))
				}
			}
		}
		l := lt.lock
		l.Reason, l.CreatedBy, l.CreatedAt = reason, a.Label, now
		if in.TTL > 0 {
			l.ExpiresAt = ceilSecond(now.Add(in.TTL))
		}
		if l.ID, err = db.InsertLock(ctx, tx, l); err != nil {
			return nil, err
		}
		ended, err := endSessionsOf(ctx, tx, lt.targets, "you are "+LockNotice(l), now)
		if err != nil {
			return nil, err
		}
		res = LockResult{Lock: l, SessionsEnded: ended}
		after := map[string]any{"kind": l.Kind, "target": l.Label, "reason": reason, "sessions_ended": ended}
		if !l.ExpiresAt.IsZero() {
			after["expires"] = l.ExpiresAt.UTC().Format(time.RFC3339)
		}
		return []change{{Action: "lock.create", TargetKind: "lock", TargetID: l.ID, Target: l.Label, StaffID: lt.staffID, After: after}}, nil
	})
	if err != nil {
		return res, fmt.Errorf("lock: %w", err)
	}
	return res, nil
}

// Unlock lifts a lock before its time, for whoever may make it.
func (s *Service) Unlock(ctx context.Context, p Principal, id int64) (Lock, error) {
	var l Lock
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		var err error
		if l, err = db.GetLock(ctx, tx, id); err != nil {
			return nil, notFound(err, "no lock %d", id)
		}
		target := l.TargetKey
		lt, err := s.resolveLock(ctx, tx, a, l.Kind, target, l.TargetID)
		if errors.Is(err, ErrNotFound) && l.Kind != LockKey {
			// Its target is gone: whoever may view staff may lift it.
			err = require(a, ActUpdate, Target{Module: ModuleStaff})
		}
		if err != nil {
			return nil, err
		}
		now := s.Now()
		if !l.Active(now) {
			return nil, fmt.Errorf("%w: lock %d is no longer in force", ErrRule, id)
		}
		if err := db.LiftLock(ctx, tx, id, a.Label, now); err != nil {
			return nil, err
		}
		l.LiftedAt, l.LiftedBy = now, a.Label
		// The entry names what was lifted; as a before→after diff the
		// lock's fields would read as erased.
		return []change{{Action: "lock.lift", TargetKind: "lock", TargetID: l.ID, Target: l.Label, StaffID: lt.staffID,
			After: map[string]any{"lifted": l.Kind + " lock", "target": l.Label, "reason": l.Reason}}}, nil
	})
	if err != nil {
		return l, fmt.Errorf("unlock: %w", err)
	}
	return l, nil
}

// ListLocks lists the locks in force (all: every lock ever made), for
// whoever may see the staff list.
func (s *Service) ListLocks(ctx context.Context, p Principal, all bool) ([]Lock, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleStaff}); err != nil {
		return nil, err
	}
	return db.ListLocks(ctx, s.db.Read(), s.Now(), all)
}

// LockOn is the lock in force on a member, through them, their role or
// one of their keys, or nil.
func (s *Service) LockOn(ctx context.Context, p Principal, staffID int64) (*Lock, error) {
	m, err := s.GetMember(ctx, p, staffID)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	now := s.Now()
	if l, err := firstLock(ctx, q, db.LockTargets{StaffID: m.ID, RoleID: m.RoleID}, now); err != nil || l != nil {
		return l, err
	}
	keys, err := db.ListSSHKeys(ctx, q, m.ID)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if l, err := firstLock(ctx, q, db.LockTargets{Key: k.Fingerprint}, now); err != nil || l != nil {
			return l, err
		}
	}
	return nil, nil
}

// LockedMembers maps each member a lock in force holds (directly or by
// their role) to it, for the Staff screen's list.
func (s *Service) LockedMembers(ctx context.Context, p Principal) (map[int64]Lock, error) {
	ls, err := s.ListLocks(ctx, p, false)
	if err != nil || len(ls) == 0 {
		return nil, err
	}
	out := map[int64]Lock{}
	q := s.db.Read()
	for i := len(ls) - 1; i >= 0; i-- { // oldest first: it is the one refusals name
		l := ls[i]
		var ids []int64
		switch l.Kind {
		case LockStaff:
			ids = []int64{l.TargetID}
		case LockRole:
			if ids, err = db.MembersWithRole(ctx, q, l.TargetID); err != nil {
				return nil, err
			}
		case LockKey:
			if k, err := db.SSHKeyByFingerprint(ctx, q, l.TargetKey); err == nil {
				ids = []int64{k.StaffID}
			}
		}
		for _, id := range ids {
			if _, ok := out[id]; !ok {
				out[id] = l
			}
		}
	}
	return out, nil
}

// refuseLocked audits a sign-in refused by a lock (not a guess: not
// counted) and returns the refusal.
func (s *Service) refuseLocked(ctx context.Context, m Member, origin string, l Lock) error {
	if err := s.auditRefusal(ctx, m, origin, "locked: "+Truncate(l.Reason, 200)+fmt.Sprintf(" (lock %d)", l.ID)); err != nil {
		return err
	}
	return &LockedError{Who: m.Email, Lock: l}
}

// memberLock is the lock in force on a member signing in (themselves,
// their role, or the key they use).
func (s *Service) memberLock(ctx context.Context, m Member, key string) (*Lock, error) {
	return firstLock(ctx, s.db.Read(), db.LockTargets{StaffID: m.ID, RoleID: m.RoleID, Key: key}, s.Now())
}
