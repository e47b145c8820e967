package model

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gatehouse/db"
)

// TargetRef names what a check is about, as people type it:
// client:NAME, account:CLIENT/ACCOUNT, staff:EMAIL, role:NAME, or a module.
type TargetRef struct {
	Kind    string // client, account, staff, role, module
	Module  Module
	Client  string
	Account string
	Email   string
	Role    string
}

func (t TargetRef) String() string {
	switch t.Kind {
	case "client":
		return "client:" + t.Client
	case "account":
		return "account:" + t.Client + "/" + t.Account
	case "staff":
		return "staff:" + t.Email
	case "role":
		return "role:" + t.Role
	}
	return t.Module.String()
}

// ParseTarget parses a target as the CLI takes it. An account's client name
// may itself contain "/": the last "/" separates the account.
func ParseTarget(s string) (TargetRef, error) {
	s = strings.TrimSpace(s)
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		if m, err := ParseModule(s); err == nil {
			return TargetRef{Kind: "module", Module: m}, nil
		}
		return TargetRef{}, fmt.Errorf("%w: target %q is not client:NAME, account:CLIENT/ACCOUNT, staff:EMAIL, role:NAME or a module (%s)", ErrInvalid, Sanitize(s), ModuleList())
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return TargetRef{}, fmt.Errorf("%w: target %q names nothing after %q", ErrInvalid, Sanitize(s), kind+":")
	}
	switch strings.ToLower(kind) {
	case "client":
		return TargetRef{Kind: "client", Module: ModuleClients, Client: rest}, nil
	case "account":
		i := strings.LastIndex(rest, "/")
		if i <= 0 || i == len(rest)-1 {
			return TargetRef{}, fmt.Errorf("%w: an account target is account:CLIENT/ACCOUNT, got %q", ErrInvalid, Sanitize(s))
		}
		return TargetRef{Kind: "account", Module: ModuleAccounts, Client: strings.TrimSpace(rest[:i]), Account: strings.TrimSpace(rest[i+1:])}, nil
	case "staff":
		return TargetRef{Kind: "staff", Module: ModuleStaff, Email: rest}, nil
	case "role":
		return TargetRef{Kind: "role", Module: ModuleRoles, Role: rest}, nil
	}
	return TargetRef{}, fmt.Errorf("%w: unknown target kind %q (client, account, staff, role)", ErrInvalid, Sanitize(kind))
}

// resolveTarget turns a reference into the engine's facts as seen by a.
func resolveTarget(ctx context.Context, q db.Querier, a Actor, ref TargetRef) (Target, error) {
	t := Target{Module: ref.Module, Label: ref.String()}
	switch ref.Kind {
	case "module":
		return t, nil
	case "client", "account":
		c, err := db.GetClientByName(ctx, q, ref.Client)
		if err != nil {
			return t, notFound(err, "no client named %q", Sanitize(ref.Client))
		}
		if t.Client, err = clientFacts(ctx, q, a, c); err != nil {
			return t, err
		}
		if ref.Kind == "account" {
			acc, err := db.GetAccountByName(ctx, q, c.ID, ref.Account)
			if err != nil {
				return t, notFound(err, "%s has no account named %q", Sanitize(c.Name), Sanitize(ref.Account))
			}
			if t.Account, err = accountFacts(ctx, q, a, acc); err != nil {
				return t, err
			}
		}
	case "staff":
		m, err := db.GetMemberByEmail(ctx, q, EmailKey(ref.Email))
		if err != nil {
			return t, notFound(err, "no staff member with email %q", Sanitize(ref.Email))
		}
		if t.Staff, err = staffFacts(ctx, q, m); err != nil {
			return t, err
		}
	case "role":
		r, err := db.GetRoleByName(ctx, q, ref.Role)
		if err != nil {
			return t, notFound(err, "no role named %q", Sanitize(ref.Role))
		}
		if t.Role, err = roleFacts(ctx, q, r); err != nil {
			return t, err
		}
	}
	return t, nil
}

// Check answers "may this member (or connection) do this to that" with the
// engine's reason. It reads only; anyone may ask about anyone (the CLI runs
// it as the local system user, the demo's simulator as the signed-in
// Owner).
func (s *Service) Check(ctx context.Context, subject Principal, action Action, ref TargetRef) (Decision, error) {
	if action == ActNone || int(action) >= len(actionNames) {
		return Decision{}, fmt.Errorf("%w: unknown action %d", ErrInvalid, action)
	}
	a, err := loadActorAt(ctx, s.db.Read(), subject, s.Now())
	if err != nil {
		return Decision{}, err
	}
	t, err := resolveTarget(ctx, s.db.Read(), a, ref)
	if err != nil {
		return Decision{}, err
	}
	if action == ActAccess && t.Client == nil {
		return Decision{}, fmt.Errorf("%w: access is about a client or an account (client:NAME or account:CLIENT/ACCOUNT)", ErrInvalid)
	}
	return Decide(a, action, t), nil
}

// Reach is one member reaching one account (or folder), with the reason.
type Reach struct {
	StaffID    int64
	StaffName  string
	StaffEmail string
	Role       string
	ClientID   int64
	Client     string
	AccountID  int64
	Account    string
	Decision   Decision
}

// WhoCanReach lists every member who can reach an account, and why: the
// members of its folder with the toggle on, and those whose role reaches it
// without being added (Owner, Admins, department or all scopes). The
// candidates and their facts are read in one statement, which leaves out
// only members no reach rule could let through; the engine decides each
// candidate, and its reason is the one shown.
func (s *Service) WhoCanReach(ctx context.Context, p Principal, accountID int64) ([]Reach, error) {
	q := s.db.Read()
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	var reader int64
	if a.Kind != KindSystem {
		reader = a.StaffID
	}
	af, err := db.GetAccountFolder(ctx, q, accountID, reader)
	if err != nil {
		return nil, notFound(err, "no account %d", accountID)
	}
	acc, c := af.Account, af.Client
	// The folder's facts (owner, departments) are the same for everyone;
	// only whether the reader or a candidate was added differs.
	folder := &ClientFacts{ID: c.ID, Name: c.Name, OwnerID: c.OwnerID, DeptID: c.DepartmentID, DeptName: c.DepartmentName,
		Internal: c.Internal, OwnerDeptIDs: af.OwnerDeptIDs, OwnerManagerID: af.OwnerManagerID}
	mine := *folder
	mine.ActorAdded = reader != 0 && af.ReaderAdded
	// The reader must see the account (reach it), and is shown only the
	// members they see.
	readerAcc, err := accountFacts(ctx, q, a, acc)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleAccounts, Client: &mine, Account: readerAcc}); err != nil {
		return nil, err
	}
	staffScope := a.scopeOf(ModuleStaff, VerbView)
	candidates, err := db.AccountReachByRules(ctx, q, c.ID, acc.ID)
	if err != nil {
		return nil, err
	}
	perms := rolePermsCache{}
	// Sorted by name, ignoring case; each name is folded once, not at
	// every comparison (hundreds of Admins reach a large firm's accounts).
	type named struct {
		key   string
		reach Reach
	}
	var kept []named
	for _, rc := range candidates {
		sub, err := memberActor(ctx, q, rc.Member, rc.Assigned, perms)
		if err != nil {
			return nil, err
		}
		cf := *folder
		cf.ActorAdded = rc.Added
		af := &AccountFacts{ID: acc.ID, Name: acc.Name, ActorToggleOn: rc.Toggled}
		d := Decide(sub, ActAccess, Target{Module: ModuleAccounts, Client: &cf, Account: af})
		if !d.Allowed {
			continue
		}
		if ok, _ := memberInScope(a, staffScope, MemberFacts(rc.Member)); !ok {
			continue
		}
		kept = append(kept, named{key: strings.ToLower(sub.Name), reach: Reach{StaffID: sub.StaffID, StaffName: sub.Name, StaffEmail: sub.Email, Role: sub.Role,
			ClientID: c.ID, Client: c.Name, AccountID: acc.ID, Account: acc.Name, Decision: d}})
	}
	slices.SortStableFunc(kept, func(x, y named) int { return strings.Compare(x.key, y.key) })
	out := make([]Reach, len(kept))
	for i, k := range kept {
		out[i] = k.reach
	}
	return out, nil
}

// rolePermsCache holds the permissions of the roles met while building
// many actors at once, so a custom role's are read once, not per member.
type rolePermsCache map[int64]PermissionSet

// memberActor builds the actor loadActor would load for member m, from
// facts already read (assigned: the members whose manager m is).
func memberActor(ctx context.Context, q db.Querier, m db.Member, assigned []int64, perms rolePermsCache) (Actor, error) {
	a := Actor{Principal: Principal{Kind: KindMember, StaffID: m.ID, Label: m.Email},
		Name: m.Name, Email: m.Email, Role: m.RoleName, RoleKind: roleKindOf(m.RoleBuiltin), Status: m.Status, Assigned: assigned}
	for _, d := range m.Departments {
		a.DeptIDs = append(a.DeptIDs, d.ID)
	}
	ps, ok := perms[m.RoleID]
	if !ok {
		var err error
		if ps, err = rolePerms(ctx, q, m.RoleID, m.RoleBuiltin); err != nil {
			return a, fmt.Errorf("permissions of %s: %w", Sanitize(m.RoleName), err)
		}
		perms[m.RoleID] = ps
	}
	a.Perms = ps
	return a, nil
}

// ReachSummary is what a member can see and reach.
type ReachSummary struct {
	// AllAccounts: the member's role reaches every client account (apart
	// from the internal ones they were not added to); Items then lists only
	// the folders they were added to.
	AllAccounts bool
	// ThroughRole: the role reaches accounts beyond the toggles (all, its
	// departments' folders, the folders the member is responsible for),
	// which revoking access does not take away; Reason says which.
	ThroughRole bool
	Reason      string
	Items       []Reach
}

// ReachableBy answers "what can member X reach, and why".
func (s *Service) ReachableBy(ctx context.Context, p Principal, staffID int64) (ReachSummary, error) {
	var sum ReachSummary
	m, err := s.GetMember(ctx, p, staffID)
	if err != nil {
		return sum, err
	}
	q := s.db.Read()
	sub, err := loadActorAt(ctx, q, Principal{Kind: KindMember, StaffID: m.ID}, s.Now())
	if err != nil {
		return sum, err
	}
	if d, ok := principalGate(sub); !ok {
		sum.Reason = d.Reason
		return sum, nil
	}
	// Reach never goes past the folders they see: the narrower of the
	// accounts and clients scopes says how far the role reaches.
	accounts, folders := sub.scopeOf(ModuleAccounts, VerbView), sub.scopeOf(ModuleClients, VerbView)
	reach := min(accounts, folders)
	if accounts == ScopeOwn && folders != ScopeNone {
		reach = ScopeOwn
	}
	if reach == ScopeAll {
		sum.AllAccounts = true
		sum.Reason = fmt.Sprintf("%s: reaches all client accounts", sub.who())
	}
	// Their grants as the reader may see them.
	grants, err := s.ListGrants(ctx, p, db.GrantQuery{StaffID: m.ID})
	if err != nil {
		return sum, err
	}
	accountsByClient := map[int64][]Account{}
	clients := map[int64]Client{}
	for _, g := range grants {
		if _, ok := clients[g.ClientID]; ok {
			continue
		}
		c, err := db.GetClient(ctx, q, g.ClientID)
		if err != nil {
			return sum, err
		}
		clients[g.ClientID] = c
		if accountsByClient[c.ID], err = db.ListAccounts(ctx, q, c.ID); err != nil {
			return sum, err
		}
	}
	for _, g := range grants {
		if g.AccountID == 0 && len(accountsByClient[g.ClientID]) > 0 {
			continue
		}
		c := clients[g.ClientID]
		cf, err := clientFacts(ctx, q, sub, c)
		if err != nil {
			return sum, err
		}
		t := Target{Module: ModuleAccounts, Client: cf}
		if g.AccountID != 0 {
			t.Account = &AccountFacts{ID: g.AccountID, Name: g.Account, ActorToggleOn: true}
		}
		sum.Items = append(sum.Items, Reach{StaffID: m.ID, StaffName: m.Name, StaffEmail: m.Email, Role: m.RoleName,
			ClientID: c.ID, Client: c.Name, AccountID: g.AccountID, Account: g.Account, Decision: Decide(sub, ActAccess, t)})
	}
	sum.ThroughRole = sum.AllAccounts || reach == ScopeDepartment ||
		(reach == ScopeOwn && (accounts == ScopeAll || accounts == ScopeDepartment))
	switch {
	case sum.AllAccounts:
	case reach == ScopeDepartment:
		sum.Reason = fmt.Sprintf("%s: reaches the accounts of folders they were added to, and of their departments' folders", sub.who())
	case accounts == ScopeAll && reach == ScopeOwn:
		sum.Reason = fmt.Sprintf("%s: reaches every account of the folders they were added to or are responsible for, the only folders they see", sub.who())
	case accounts == ScopeDepartment && reach == ScopeOwn:
		sum.Reason = fmt.Sprintf("%s: reaches the accounts toggled on for them, and every account of their departments' folders among those they were added to or are responsible for, the only folders they see", sub.who())
	case reach == ScopeNone:
		sum.Reason = fmt.Sprintf("%s: reaches no client account", sub.who())
	default:
		sum.Reason = fmt.Sprintf("%s: reaches only the accounts toggled on in folders they were added to", sub.who())
	}
	return sum, nil
}
