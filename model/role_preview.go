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
type RoleChangePreview struct {
	Member    string // email
	From, To  string // role names
	Gain      []string
	Lose      []string
	GainPerms []Permission
	LosePerms []Permission
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
	cur, err := loadActor(ctx, q, Principal{Kind: KindMember, StaffID: m.ID, Label: m.Email})
	if err != nil {
		return pv, err
	}
	// The preview is about the role, not the member's status.
	cur.Status = "active"
	next := cur
	next.Role, next.RoleKind, next.Perms = role.Name, rf.RoleKind, rf.Perms
	pv = RoleChangePreview{Member: m.Email, From: m.RoleName, To: role.Name}
	pv.GainPerms, pv.LosePerms = permDiff(cur.Perms, next.Perms)
	if err := s.previewReach(ctx, q, m.ID, cur, next, &pv); err != nil {
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

func (s *Service) previewReach(ctx context.Context, q db.Querier, staffID int64, cur, next Actor, pv *RoleChangePreview) error {
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
		label := c.ClientName + " / " + c.AccountName
		switch {
		case after && !before:
			gain = append(gain, label)
		case before && !after:
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
	pv.Gain, pv.Lose = capList(gain), capList(lose)
	return nil
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
