// Package model owns every rule of Gatehouse: who may do what, what must
// always hold, and the audit entry each change writes. Screens, the CLI and
// the SSH server change data only through a Service.
package model

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"gatehouse/db"
)

// Errors callers can test with errors.Is.
var (
	ErrInvalid  = errors.New("invalid input")
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	ErrDenied   = errors.New("not allowed")
	ErrRule     = errors.New("not possible")
	ErrNoOrg    = errors.New("no organisation in this database yet")
)

// DeniedError carries the engine's decision for a refused action.
type DeniedError struct {
	Decision Decision
}

func (e *DeniedError) Error() string { return "not allowed: " + e.Decision.Reason }
func (e *DeniedError) Unwrap() error { return ErrDenied }

// Re-exported records, so screens need not import db.
type (
	Org          = db.Org
	Member       = db.Member
	Role         = db.Role
	Department   = db.Department
	Client       = db.Client
	Account      = db.Account
	Invitation   = db.Invitation
	Connection   = db.Connection
	SSHKey       = db.SSHKey
	AuditEntry   = db.AuditEntry
	Grant        = db.Grant
	MemberQuery  = db.MemberQuery
	ClientQuery  = db.ClientQuery
	AuditQuery   = db.AuditQuery
	ChainBreak   = db.ChainBreak
	RecoveryCode = db.RecoveryCode
	Lock         = db.Lock
	LiveSession  = db.Session
)

// Service is the model: one per open database.
type Service struct {
	db  *db.DB
	Now func() time.Time
	// actors caches who reads are made as, until the next write.
	actors *actorCache
}

// Open opens the database at path and returns its service.
func Open(ctx context.Context, path string) (*Service, error) {
	d, err := db.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	s := New(d)
	// Rows from before email keys were stored get theirs now.
	if err := s.backfillEmailKeys(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return s, nil
}

// New wraps an open database.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }, actors: &actorCache{}}
}

// Close closes the database.
func (s *Service) Close() error { return s.db.Close() }

// DB exposes the store for tools (backup, benchmarks).
func (s *Service) DB() *db.DB { return s.db }

// Path is the database file.
func (s *Service) Path() string { return s.db.Path }

// ChangeCounter grows with every committed change by any process; sessions
// poll it to refresh what they show and re-check what they allow.
func (s *Service) ChangeCounter(ctx context.Context) (int64, error) {
	return s.db.ChangeCounter(ctx)
}

// Org returns the organisation.
func (s *Service) Org(ctx context.Context) (Org, error) {
	o, err := db.GetOrg(ctx, s.db.Read())
	if errors.Is(err, db.ErrNotFound) {
		return o, ErrNoOrg
	}
	return o, err
}

// HasOrg reports whether the database holds an organisation yet.
func (s *Service) HasOrg(ctx context.Context) (bool, error) {
	_, err := s.Org(ctx)
	if errors.Is(err, ErrNoOrg) {
		return false, nil
	}
	return err == nil, err
}

// change is what one audited write records.
type change struct {
	Action     string
	TargetKind string
	TargetID   int64
	Target     string
	StaffID    int64
	ClientID   int64
	Before     any
	After      any
}

// write runs fn in one immediate transaction. fn re-loads the actor inside
// the transaction, so a role change or deactivation committed by another
// session a moment ago is honoured, and returns the changes to audit; they
// are appended to the chain in the same transaction. The records the user
// saw (WithSeen) are checked first, in the same transaction.
//
// The actor is the one the actor cache holds for the change counter read
// inside the transaction, when it has one: the counter moves with every
// committed write, and this transaction holds the write lock, so an actor
// loaded at that counter is the actor as the database has it now. After a
// commit whose changes cannot have touched what an actor is made of
// (keepsActor), the same actor is kept for the counter the commit left, so
// that a run of toggles by one member reads them once.
func (s *Service) write(ctx context.Context, p Principal, fn func(tx *sql.Tx, a Actor) ([]change, error)) error {
	var (
		actor   Actor
		counter int64 = -1
		keep    bool
		written []int64
	)
	if err := refuseLens(p); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		counter, keep, written = -1, false, written[:0]
		a, err := s.writeActor(ctx, tx, p, &counter)
		if err != nil {
			return err
		}
		// Whatever the change, a deactivated, switched-off or locked
		// principal makes none.
		if d, ok := principalGate(a); !ok {
			return &DeniedError{Decision: d}
		}
		if err := s.checkSeen(ctx, tx); err != nil {
			return err
		}
		changes, err := fn(tx, a)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, c := range changes {
			id, err := s.appendAudit(ctx, tx, a, now, c)
			if err != nil {
				return err
			}
			written = append(written, id)
		}
		actor, keep = a, keepsActor(changes)
		return nil
	})
	if err == nil && keep && counter >= 0 && s.actors != nil {
		// db.Write moved the counter by one in the transaction it committed.
		s.actors.put(p, counter+1, actor)
	}
	if err == nil {
		noteAuditIDs(ctx, written)
	}
	return err
}

// writeActor is the actor a write is made as, from the actor cache when it
// holds them at the counter this transaction starts from (which it stores
// in *counter), else loaded inside the transaction.
func (s *Service) writeActor(ctx context.Context, tx *sql.Tx, p Principal, counter *int64) (Actor, error) {
	if s.actors != nil {
		if n, err := db.ChangeCounter(ctx, tx); err == nil {
			*counter = n
			// A lock that ran out since is a change no write announced.
			if a, ok := s.actors.get(p, n); ok && (a.Lock == nil || a.Lock.Active(s.Now())) {
				return a, nil
			}
		}
	}
	return loadActorAt(ctx, tx, p, s.Now())
}

// keepsActor reports whether a write's changes leave every actor as it
// was: memberships, toggles, accounts, new folders and folder owners,
// invitations. Anything else (roles, members, departments, managers,
// connections, settings) may change what some actor is made of, and so
// does a write that records no change.
func keepsActor(changes []change) bool {
	if len(changes) == 0 {
		return false
	}
	for _, c := range changes {
		switch c.Action {
		case "access.add", "access.remove", "access.toggle",
			"account.create", "account.rename", "account.remove",
			"client.create", "client.set-owner",
			"invitation.create", "invitation.resend", "invitation.revoke":
		default:
			return false
		}
	}
	return true
}

func (s *Service) audit(ctx context.Context, q db.Querier, a Actor, now time.Time, c change) error {
	_, err := s.appendAudit(ctx, q, a, now, c)
	return err
}

// appendAudit is audit, giving the id of the entry it appended.
func (s *Service) appendAudit(ctx context.Context, q db.Querier, a Actor, now time.Time, c change) (int64, error) {
	e := db.AuditEntry{
		At: now, ActorKind: a.Kind, Actor: a.Label, Origin: a.Origin, Action: c.Action,
		TargetKind: c.TargetKind, TargetID: c.TargetID, Target: c.Target,
		StaffID: c.StaffID, ClientID: c.ClientID,
		Before: jsonText(c.Before), After: jsonText(c.After),
	}
	switch a.Kind {
	case KindMember:
		e.ActorID = a.StaffID
	case KindConnection:
		e.ActorID = a.ConnectionID
	}
	if e.Origin == "" {
		e.Origin = "local terminal"
	}
	written, err := db.AppendAudit(ctx, q, e)
	return written.ID, err
}

func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// require decides and turns a refusal into a DeniedError.
func require(a Actor, action Action, t Target) error {
	d := Decide(a, action, t)
	if !d.Allowed {
		return &DeniedError{Decision: d}
	}
	return nil
}

// notFound maps the store's not-found to the model's with a message.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
	}
	return err
}

// loadActor reads what the engine needs to know of a principal, with the
// locks in force now.
func loadActor(ctx context.Context, q db.Querier, p Principal) (Actor, error) {
	return loadActorAt(ctx, q, p, time.Now())
}

// loadActorAt is loadActor with the locks in force at now (the service's
// clock).
func loadActorAt(ctx context.Context, q db.Querier, p Principal, now time.Time) (Actor, error) {
	a := Actor{Principal: p}
	switch p.Kind {
	case KindSystem:
		a.Role, a.RoleKind, a.Status = "Owner", OwnerRole, "active"
		a.Perms = BuiltinPermissions(OwnerRole)
		return a, nil
	case KindConnection:
		c, err := db.GetConnection(ctx, q, p.ConnectionID)
		if err != nil {
			return a, notFound(err, "connection %d", p.ConnectionID)
		}
		a.ConnectionName, a.ConnectionOn = c.Name, c.Enabled
		if c.CreatorID == 0 {
			a.Status = "removed"
			a.Perms = PermissionSet{}
			return a, nil
		}
		creator, err := loadActorAt(ctx, q, Principal{Kind: KindMember, StaffID: c.CreatorID}, now)
		if err != nil {
			return a, err
		}
		cp, err := permissionsFromDB(c.Permissions)
		if err != nil {
			return a, err
		}
		a.StaffID = c.CreatorID
		a.Name, a.Email, a.Role, a.RoleKind, a.Status = creator.Name, creator.Email, creator.Role, creator.RoleKind, creator.Status
		a.DeptIDs, a.Assigned = creator.DeptIDs, creator.Assigned
		// A connection never has more than its creator has now.
		a.Perms = cp.Intersect(creator.Perms)
		if p.Label == "" {
			a.Label = c.Name
		}
		// Locked with its creator (member or role), or on its own, or by
		// the key it signed in with.
		a.Lock = creator.Lock
		if a.Lock == nil {
			a.Lock, err = firstLock(ctx, q, db.LockTargets{ConnectionID: c.ID, Key: KeyOf(p.Origin)}, now)
		}
		return a, err
	case KindMember:
		m, err := db.GetMember(ctx, q, p.StaffID)
		if err != nil {
			return a, notFound(err, "member %d", p.StaffID)
		}
		a.Name, a.Email, a.Role, a.RoleKind, a.Status = m.Name, m.Email, m.RoleName, roleKindOf(m.RoleBuiltin), m.Status
		if a.Label == "" {
			a.Label = m.Email
		}
		for _, d := range m.Departments {
			a.DeptIDs = append(a.DeptIDs, d.ID)
		}
		if a.Assigned, err = db.AssignedMemberIDs(ctx, q, m.ID); err != nil {
			return a, err
		}
		if a.Perms, err = rolePerms(ctx, q, m.RoleID, m.RoleBuiltin); err != nil {
			return a, err
		}
		a.Lock, err = firstLock(ctx, q, db.LockTargets{StaffID: m.ID, RoleID: m.RoleID, Key: KeyOf(p.Origin)}, now)
		return a, err
	}
	return a, fmt.Errorf("%w: unknown principal kind %q", ErrInvalid, p.Kind)
}

func rolePerms(ctx context.Context, q db.Querier, roleID int64, builtin string) (PermissionSet, error) {
	if k := roleKindOf(builtin); k.Builtin() {
		return BuiltinPermissions(k), nil
	}
	perms, err := db.RolePermissions(ctx, q, roleID)
	if err != nil {
		return nil, err
	}
	return permissionsFromDB(perms)
}

// Actor returns what the engine knows of a principal (for "view as" and
// for screens that show what the signed-in member may do).
func (s *Service) Actor(ctx context.Context, p Principal) (Actor, error) {
	return loadActorAt(ctx, s.db.Read(), p, s.Now())
}

// MemberPrincipal is the principal of a member acting from origin.
func MemberPrincipal(m Member, origin string) Principal {
	return Principal{Kind: KindMember, StaffID: m.ID, Label: m.Email, Origin: origin}
}

// MemberFacts is what the engine knows of a member as a list holds them:
// everything but their role's permissions.
func MemberFacts(m Member) *StaffFacts {
	sf := &StaffFacts{ID: m.ID, Name: m.Name, Email: m.Email, Role: m.RoleName, RoleKind: roleKindOf(m.RoleBuiltin), Status: m.Status, ManagerID: m.ManagerID}
	for _, d := range m.Departments {
		sf.DeptIDs = append(sf.DeptIDs, d.ID)
	}
	return sf
}

// RoleFactsOf describes a role as a list holds it (a custom role whose
// stored cells do not parse grants nothing).
func RoleFactsOf(r Role) *RoleFacts {
	rf := &RoleFacts{ID: r.ID, Name: r.Name, RoleKind: roleKindOf(r.Builtin)}
	if ps, err := RolePermissions(r); err == nil {
		rf.Perms = ps
	}
	return rf
}

func staffFacts(ctx context.Context, q db.Querier, m Member) (*StaffFacts, error) {
	sf := MemberFacts(m)
	var err error
	sf.Perms, err = rolePerms(ctx, q, m.RoleID, m.RoleBuiltin)
	return sf, err
}

func clientFacts(ctx context.Context, q db.Querier, a Actor, c Client) (*ClientFacts, error) {
	cf := &ClientFacts{ID: c.ID, Name: c.Name, OwnerID: c.OwnerID, DeptID: c.DepartmentID, DeptName: c.DepartmentName, Internal: c.Internal}
	var err error
	if a.Kind != KindSystem && a.StaffID != 0 {
		if cf.ActorAdded, err = db.IsClientMember(ctx, q, c.ID, a.StaffID); err != nil {
			return nil, err
		}
	}
	if c.OwnerID != 0 {
		if cf.OwnerDeptIDs, err = db.MemberDepartmentIDs(ctx, q, c.OwnerID); err != nil {
			return nil, err
		}
		if cf.OwnerManagerID, err = db.MemberManagerID(ctx, q, c.OwnerID); err != nil {
			return nil, err
		}
	}
	return cf, nil
}

func accountFacts(ctx context.Context, q db.Querier, a Actor, acc Account) (*AccountFacts, error) {
	af := &AccountFacts{ID: acc.ID, Name: acc.Name}
	if a.Kind != KindSystem && a.StaffID != 0 {
		on, err := db.AccountToggle(ctx, q, acc.ID, a.StaffID)
		if err != nil {
			return nil, err
		}
		af.ActorToggleOn = on
	}
	return af, nil
}

func roleFacts(ctx context.Context, q db.Querier, r Role) (*RoleFacts, error) {
	ps, err := rolePerms(ctx, q, r.ID, r.Builtin)
	if err != nil {
		return nil, err
	}
	return &RoleFacts{ID: r.ID, Name: r.Name, RoleKind: roleKindOf(r.Builtin), Perms: ps}, nil
}

// readActor loads the actor for a read and refuses inactive principals.
func (s *Service) readActor(ctx context.Context, p Principal) (Actor, error) {
	a, err := s.loadReadActor(ctx, p)
	if err != nil {
		return a, err
	}
	if d, ok := principalGate(a); !ok {
		return a, &DeniedError{Decision: d}
	}
	return a, nil
}

// JoinCommand is the command that redeems an invitation code on this
// database, as it must be typed: `gatehouse join CODE`, with `--db PATH`
// whenever the database is not the default one (an invitee who leaves it
// out would open another file, or none).
func (s *Service) JoinCommand(code string) string {
	cmd := "gatehouse join " + code
	if def, err := db.DefaultPath(); err != nil || !samePath(def, s.Path()) {
		cmd += " --db " + ShellQuote(s.Path())
	}
	return cmd
}

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := filepath.Abs(a)
	y, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && x == y
}

// ShellQuote quotes s for pasting into a POSIX shell, when it needs it;
// what it quotes is sanitized first, so it is safe to print.
func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@,=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(Sanitize(s), "'", `'\''`) + "'"
}
