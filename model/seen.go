package model

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gatehouse/db"
)

// ErrChanged is the refusal of a write whose record is gone, or changed in
// a way that matters, since the screen showed it to the user who acted.
var ErrChanged = errors.New("changed since it was shown")

// ChangedError is the ErrChanged refusal, saying which record and what
// changed.
type ChangedError struct {
	Name string // the record, named as the user saw it
	Gone bool   // removed, or no longer where it was shown
	Diff string // otherwise what changed: "status active → deactivated"
}

// Change says what happened to the record: "Leo Martins is no longer
// there (removed or changed elsewhere)", "Leo Martins: status active →
// deactivated".
func (e *ChangedError) Change() string {
	if e.Gone {
		return e.Name + " is no longer there (removed or changed elsewhere)"
	}
	return e.Name + ": " + e.Diff
}

func (e *ChangedError) Error() string {
	return ErrChanged.Error() + ": " + e.Change() + "; nothing was changed"
}

func (e *ChangedError) Unwrap() error { return ErrChanged }

// Seen is a record as a screen showed it when the user chose to act on it:
// its kind and id, the name it was shown by, and the facts of it that
// matter to an action (a member's status and role, an invitation's
// status). A write made with Seen records in its context (WithSeen) checks
// them inside its transaction, before anything is written, and refuses
// with ErrChanged, naming the record as the user saw it, when one is gone
// or its facts changed: an action lands on the record the user saw, as
// they saw it, or nowhere (PRODUCT.md, "an action lands on the record the
// user saw").
type Seen struct {
	Kind string // one of the Seen* kinds below
	ID   int64
	// In is the folder of a membership (Kind SeenMembership, ID the member).
	In    int64
	Name  string
	Facts map[string]string
}

// The kinds of record a screen acts on.
const (
	SeenStaff      = "staff"
	SeenClient     = "client"
	SeenAccount    = "account"
	SeenMembership = "membership"
	SeenRole       = "role"
	SeenDepartment = "department"
	SeenInvitation = "invitation"
	SeenConnection = "connection"
	SeenLock       = "lock"
)

// SeenMember is a member as shown: their status, role and email matter.
func SeenMember(m Member) Seen {
	return Seen{Kind: SeenStaff, ID: m.ID, Name: m.Name, Facts: memberSeenFacts(m)}
}

func memberSeenFacts(m Member) map[string]string {
	return map[string]string{"status": m.Status, "role": m.RoleName, "email": m.Email}
}

// SeenFolder is a client folder as shown: whether it is archived matters.
func SeenFolder(c Client) Seen {
	return Seen{Kind: SeenClient, ID: c.ID, Name: c.Name, Facts: folderSeenFacts(c)}
}

func folderSeenFacts(c Client) map[string]string {
	return map[string]string{"state": archivedText(c.Archived)}
}

func archivedText(archived bool) string {
	if archived {
		return "archived"
	}
	return "live"
}

// SeenAccountOf is an account of a folder as shown.
func SeenAccountOf(a Account, folder string) Seen {
	return Seen{Kind: SeenAccount, ID: a.ID, In: a.ClientID, Name: folder + " / " + a.Name}
}

// SeenAdded is a member shown as added to a folder (Manage Access, a
// member's clients): they must still be added to it.
func SeenAdded(staffID int64, name string, clientID int64, folder string) Seen {
	return Seen{Kind: SeenMembership, ID: staffID, In: clientID, Name: name + " in " + folder}
}

// SeenRoleAs is a role as shown: its name and what it grants matter (an
// edit of the role saves its whole permission set).
func SeenRoleAs(r Role) Seen {
	return Seen{Kind: SeenRole, ID: r.ID, Name: "role " + r.Name, Facts: roleSeenFacts(r.Name, r.Permissions)}
}

func roleSeenFacts(name string, perms []db.Permission) map[string]string {
	keys := make([]string, 0, len(perms))
	for _, p := range perms {
		keys = append(keys, p.Module+"."+p.Action+":"+p.Scope)
	}
	sort.Strings(keys)
	return map[string]string{"name": name, "permissions": strings.Join(keys, " ")}
}

// SeenDepartmentAs is a department as shown.
func SeenDepartmentAs(d Department) Seen { return Seen{Kind: SeenDepartment, ID: d.ID, Name: d.Name} }

// SeenInvitationAs is an invitation as shown: its status matters.
func SeenInvitationAs(inv Invitation) Seen {
	return Seen{Kind: SeenInvitation, ID: inv.ID, Name: "the invitation to " + inv.Email, Facts: map[string]string{"status": inv.Status}}
}

// SeenConnectionAs is a connection as shown: whether it is on matters.
func SeenConnectionAs(c Connection) Seen {
	return Seen{Kind: SeenConnection, ID: c.ID, Name: "connection " + c.Name, Facts: map[string]string{"state": onOff(c.Enabled)}}
}

// SeenLockAs is an incident lock as shown: whether it is still in force
// matters (lifting one lifted or run out since is refused by name).
func SeenLockAs(l Lock, now time.Time) Seen {
	return Seen{Kind: SeenLock, ID: l.ID, Name: fmt.Sprintf("lock %d on %s", l.ID, l.Label), Facts: lockSeenFacts(l, now)}
}

func lockSeenFacts(l Lock, now time.Time) map[string]string {
	if l.Active(now) {
		return map[string]string{"state": "in force"}
	}
	if !l.LiftedAt.IsZero() {
		return map[string]string{"state": "lifted by " + l.LiftedBy}
	}
	return map[string]string{"state": "run out"}
}

type seenKey struct{}

// WithSeen returns ctx carrying records as the user saw them; the writes
// made with it check them first.
func WithSeen(ctx context.Context, seen ...Seen) context.Context {
	prev, _ := ctx.Value(seenKey{}).([]Seen)
	all := append(append([]Seen(nil), prev...), seen...)
	return context.WithValue(ctx, seenKey{}, all)
}

// StillAsSeen is nil when the records are still as the user saw them,
// else the ErrChanged refusal a write made with them would meet: a
// confirmation asks it while it is open, to say so before anything is
// written.
func (s *Service) StillAsSeen(ctx context.Context, seen ...Seen) error {
	return s.checkSeen(WithSeen(ctx, seen...), s.db.Read())
}

// checkSeen refuses, inside a write's transaction, when a record the user
// acted on is gone or changed in a way that matters.
func (s *Service) checkSeen(ctx context.Context, q db.Querier) error {
	seen, _ := ctx.Value(seenKey{}).([]Seen)
	for _, want := range seen {
		facts, err := s.seenNow(ctx, q, want)
		if errors.Is(err, db.ErrNotFound) {
			return &ChangedError{Name: want.Name, Gone: true}
		}
		if err != nil {
			return err
		}
		if diff := factsDiff(want.Facts, facts); diff != "" {
			return &ChangedError{Name: want.Name, Diff: diff}
		}
	}
	return nil
}

// seenNow reads the facts of a seen record as they are now; db.ErrNotFound
// when it is gone.
func (s *Service) seenNow(ctx context.Context, tx db.Querier, want Seen) (map[string]string, error) {
	switch want.Kind {
	case SeenStaff:
		m, err := db.GetMember(ctx, tx, want.ID)
		return memberSeenFacts(m), err
	case SeenClient:
		c, err := db.GetClient(ctx, tx, want.ID)
		return folderSeenFacts(c), err
	case SeenAccount:
		a, err := db.GetAccount(ctx, tx, want.ID)
		if err == nil && (a.ClientID != want.In || a.Archived) {
			err = db.ErrNotFound
		}
		return nil, err
	case SeenMembership:
		added, err := db.IsClientMember(ctx, tx, want.In, want.ID)
		if err == nil && !added {
			err = db.ErrNotFound
		}
		return nil, err
	case SeenRole:
		r, err := db.GetRole(ctx, tx, want.ID)
		if err != nil {
			return nil, err
		}
		perms, err := db.RolePermissions(ctx, tx, r.ID)
		return roleSeenFacts(r.Name, perms), err
	case SeenDepartment:
		_, err := db.GetDepartment(ctx, tx, want.ID)
		return nil, err
	case SeenInvitation:
		inv, err := db.GetInvitation(ctx, tx, want.ID, s.Now())
		return map[string]string{"status": inv.Status}, err
	case SeenConnection:
		c, err := db.GetConnection(ctx, tx, want.ID)
		return map[string]string{"state": onOff(c.Enabled)}, err
	case SeenLock:
		l, err := db.GetLock(ctx, tx, want.ID)
		return lockSeenFacts(l, s.Now()), err
	}
	return nil, fmt.Errorf("%w: unknown kind of record %q", ErrInvalid, want.Kind)
}

// factsDiff says which of the facts seen differ now: "status active →
// deactivated".
func factsDiff(seen, now map[string]string) string {
	var keys []string
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		switch {
		case seen[k] == now[k]:
		case len(seen[k]) > 40 || len(now[k]) > 40:
			out = append(out, k+" changed")
		default:
			out = append(out, fmt.Sprintf("%s %s → %s", k, seen[k], now[k]))
		}
	}
	return strings.Join(out, ", ")
}
