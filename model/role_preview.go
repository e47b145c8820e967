package model

import (
	"context"
	"fmt"

	"gatehouse/db"
)

// PreviewLimit caps each list of a role-change preview; the rest is
// summarised as "+N more".
const PreviewLimit = 200

// RoleChangePreview is the "what if" of a role change: which client
// accounts ("Acme Ltd / Payroll") and which permissions the member would
// gain or lose. LosePerms lists the permissions at the scope held now.
//
// Gain and Lose name only accounts the asker may see themselves; the
// others are counted in GainHidden and LoseHidden, and each list ends with
// a line saying how many ("and 3 accounts you may not see"), so every
// surface that prints the lists shows the count too.
type RoleChangePreview struct {
	Member     string // email
	From, To   string // role names
	Gain       []string
	Lose       []string
	GainHidden int
	LoseHidden int
	GainPerms  []Permission
	LosePerms  []Permission
}

// HiddenAccountsLine is the line that ends a preview list whose other n
// accounts the asker may not see.
func HiddenAccountsLine(n int) string {
	if n == 1 {
		return "and 1 account you may not see"
	}
	return fmt.Sprintf("and %d accounts you may not see", n)
}

// reachKind classifies how far a role reaches client accounts.
type reachKind int

const (
	reachBounded    reachKind = iota // only folders enumerated by SQL
	reachAllClients                  // every client account (internal ones only if added)
	reachEverything                  // the Owner: every account, internal included
)

func reachOf(a Actor) reachKind {
	switch {
	case a.isOwner():
		return reachEverything
	case a.Perms.Get(ModuleAccounts, VerbView) == ScopeAll:
		return reachAllClients
	}
	return reachBounded
}

// PreviewRoleChange computes, without changing anything, what giving the
// member the named role would change: it runs the engine for the member as
// they are now and as they would be, over the accounts either could reach.
// Roles reaching every client account are summarised rather than listed.
func (s *Service) PreviewRoleChange(ctx context.Context, p Principal, staffID int64, roleName string) (RoleChangePreview, error) {
	var pv RoleChangePreview
	a, err := s.readActor(ctx, p)
	if err != nil {
		return pv, err
	}
	q := s.db.Read()
	m, err := db.GetMember(ctx, q, staffID)
	if err != nil {
		return pv, notFound(err, "no staff member %d", staffID)
	}
	sf, err := staffFacts(ctx, q, m)
	if err != nil {
		return pv, err
	}
	// The preview tells who would reach what, so it needs sight of the
	// member, the roles and access.
	for _, t := range []Target{{Module: ModuleStaff, Staff: sf}, {Module: ModuleRoles}, {Module: ModuleAccess}} {
		if err := require(a, ActView, t); err != nil {
			return pv, err
		}
	}
	role, rf, err := lookupRole(ctx, q, roleName)
	if err != nil {
		return pv, err
	}
	cur, err := loadActorAt(ctx, q, Principal{Kind: KindMember, StaffID: m.ID, Label: m.Email}, s.Now())
	if err != nil {
		return pv, err
	}
	// The preview is about the role, not the member's status.
	cur.Status = "active"
	next := cur
	next.Role, next.RoleKind, next.Perms = role.Name, rf.RoleKind, rf.Perms
	pv = RoleChangePreview{Member: m.Email, From: m.RoleName, To: role.Name}
	pv.GainPerms, pv.LosePerms = permDiff(cur.Perms, next.Perms)
	if err := s.previewReach(ctx, q, a, m.ID, cur, next, &pv); err != nil {
		return pv, fmt.Errorf("preview role change: %w", err)
	}
	return pv, nil
}

// permDiff lists what next grants beyond cur, and what cur grants beyond
// next, in module and verb order.
func permDiff(cur, next PermissionSet) (gain, lose []Permission) {
	for _, m := range Modules {
		for _, v := range Verbs {
			c, n := cur.Get(m, v), next.Get(m, v)
			switch {
			case n > c:
				gain = append(gain, Permission{Module: m, Verb: v, Scope: n})
			case c > n:
				lose = append(lose, Permission{Module: m, Verb: v, Scope: c})
			}
		}
	}
	return gain, lose
}

// previewReach fills pv's account lists: the accounts member staffID
// would gain or lose, named only where the asker sees them.
func (s *Service) previewReach(ctx context.Context, q db.Querier, asker Actor, staffID int64, cur, next Actor, pv *RoleChangePreview) error {
	rc, rn := reachOf(cur), reachOf(next)
	// The internal accounts are always enumerated: even the widest roles
	// differ there. Other folders only when a side is bounded.
	cands, err := db.ReachCandidates(ctx, q, db.ReachQuery{StaffID: staffID, InternalOnly: true})
	if err != nil {
		return err
	}
	if rc == reachBounded || rn == reachBounded {
		dept := cur.Perms.Get(ModuleAccounts, VerbView) == ScopeDepartment || next.Perms.Get(ModuleAccounts, VerbView) == ScopeDepartment
		more, err := db.ReachCandidates(ctx, q, db.ReachQuery{StaffID: staffID, Department: dept})
		if err != nil {
			return err
		}
		cands = append(cands, more...)
	}
	wide := rc != reachBounded || rn != reachBounded
	seen := map[int64]bool{}
	var gain, lose []string
	gainHidden, loseHidden := 0, 0
	sees := askerSight(ctx, q, asker)
	kept := 0 // client accounts the bounded side reaches, when the other reaches all
	for _, c := range cands {
		if seen[c.AccountID] {
			continue
		}
		seen[c.AccountID] = true
		before, after := reaches(cur, c), reaches(next, c)
		if wide && !c.Internal {
			if (rc == reachBounded && before) || (rn == reachBounded && after) {
				kept++
			}
			continue
		}
		if before == after {
			continue
		}
		visible, err := sees(c)
		if err != nil {
			return err
		}
		label := c.ClientName + " / " + c.AccountName
		switch {
		case after && !visible:
			gainHidden++
		case after:
			gain = append(gain, label)
		case !visible:
			loseHidden++
		default:
			lose = append(lose, label)
		}
	}
	if wide && (rc == reachBounded) != (rn == reachBounded) {
		total, err := db.CountClientAccounts(ctx, q)
		if err != nil {
			return err
		}
		if rc == reachBounded {
			gain = append([]string{fmt.Sprintf("all client accounts (%d more than the %d reached now)", total-kept, kept)}, gain...)
		} else {
			lose = append([]string{fmt.Sprintf("all client accounts except the %d they would keep (%d accounts)", kept, total-kept)}, lose...)
		}
	}
	pv.Gain, pv.Lose = withHidden(capList(gain), gainHidden), withHidden(capList(lose), loseHidden)
	pv.GainHidden, pv.LoseHidden = gainHidden, loseHidden
	return nil
}

// withHidden ends a preview list with the count of accounts left unnamed.
func withHidden(xs []string, hidden int) []string {
	if hidden == 0 {
		return xs
	}
	return append(xs, HiddenAccountsLine(hidden))
}

// askerSight answers, for the asker of a preview, whether they may see a
// candidate account: the engine's "sees account" with the asker's own
// facts (added to the folder, toggles), not the member's. Folder facts
// are read once per folder.
func askerSight(ctx context.Context, q db.Querier, asker Actor) func(db.ReachCandidate) (bool, error) {
	folders := map[int64]*ClientFacts{}
	return func(c db.ReachCandidate) (bool, error) {
		cf, ok := folders[c.ClientID]
		if !ok {
			client, err := db.GetClient(ctx, q, c.ClientID)
			if err != nil {
				return false, fmt.Errorf("preview: folder %d: %w", c.ClientID, err)
			}
			if cf, err = clientFacts(ctx, q, asker, client); err != nil {
				return false, err
			}
			folders[c.ClientID] = cf
		}
		af, err := accountFacts(ctx, q, asker, Account{ID: c.AccountID, Name: c.AccountName})
		if err != nil {
			return false, err
		}
		return Decide(asker, ActView, Target{Module: ModuleAccounts, Client: cf, Account: af}).Allowed, nil
	}
}

// reaches runs the engine for one candidate account.
func reaches(a Actor, c db.ReachCandidate) bool {
	cf := &ClientFacts{ID: c.ClientID, Name: c.ClientName, OwnerID: c.OwnerID, DeptID: c.DeptID, DeptName: c.DeptName,
		Internal: c.Internal, ActorAdded: c.Added, OwnerDeptIDs: c.OwnerDeptIDs, OwnerManagerID: c.OwnerManagerID}
	af := &AccountFacts{ID: c.AccountID, Name: c.AccountName, ActorToggleOn: c.ToggledOn}
	return Decide(a, ActAccess, Target{Module: ModuleAccounts, Client: cf, Account: af}).Allowed
}

func capList(xs []string) []string {
	if len(xs) <= PreviewLimit {
		return xs
	}
	return append(xs[:PreviewLimit:PreviewLimit], fmt.Sprintf("+%d more", len(xs)-PreviewLimit))
}
