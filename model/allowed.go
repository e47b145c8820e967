package model

import (
	"context"
	"fmt"
	"slices"

	"gatehouse/db"
)

// Allowed is everything the engine lets one principal see and reach,
// found record by record through Decide with facts read afresh, never
// through the SQL scopes or the Checker. It is the reference that every
// read surface (lists, exports, CLI, SSH, screens) is tested against, and
// it is slow on purpose: one decision per record.
type Allowed struct {
	Folders  map[int64]bool // client folders they see
	Accounts map[int64]bool // accounts they see (those they reach)
	Reach    map[int64]bool // accounts they reach
	Members  map[int64]bool // staff members they see
	Audit    map[int64]bool // audit entries they see
	// Views: the modules whose lists they may open at all.
	Views map[Module]bool
	// Everything: they see every folder, account, member and audit entry
	// and all settings, which exporting the organisation needs.
	Everything bool
}

// Allowed decides, for every record in the database, whether p may see it
// (and for accounts, reach it).
func (s *Service) Allowed(ctx context.Context, p Principal) (Allowed, error) {
	out := Allowed{Folders: map[int64]bool{}, Accounts: map[int64]bool{}, Reach: map[int64]bool{},
		Members: map[int64]bool{}, Audit: map[int64]bool{}, Views: map[Module]bool{}}
	q := s.db.Read()
	a, err := loadActorAt(ctx, q, p, s.Now())
	if err != nil {
		return out, err
	}
	everything := true
	for _, m := range Modules {
		out.Views[m] = Decide(a, ActView, Target{Module: m}).Allowed
	}
	clientIDs, err := idsOf(ctx, q, `SELECT id FROM clients WHERE archived_at = 0 ORDER BY id`)
	if err != nil {
		return out, err
	}
	for _, id := range clientIDs {
		c, err := db.GetClient(ctx, q, id)
		if err != nil {
			return out, err
		}
		cf, err := clientFacts(ctx, q, a, c)
		if err != nil {
			return out, err
		}
		out.Folders[id] = Decide(a, ActView, Target{Module: ModuleClients, Client: cf}).Allowed
		everything = everything && out.Folders[id]
		accs, err := db.ListAccounts(ctx, q, id)
		if err != nil {
			return out, err
		}
		for _, acc := range accs {
			af, err := accountFacts(ctx, q, a, acc)
			if err != nil {
				return out, err
			}
			t := Target{Module: ModuleAccounts, Client: cf, Account: af}
			out.Accounts[acc.ID] = Decide(a, ActView, t).Allowed
			out.Reach[acc.ID] = Decide(a, ActAccess, t).Allowed
			everything = everything && out.Accounts[acc.ID]
		}
	}
	staffIDs, err := idsOf(ctx, q, `SELECT id FROM staff ORDER BY id`)
	if err != nil {
		return out, err
	}
	for _, id := range staffIDs {
		m, err := db.GetMember(ctx, q, id)
		if err != nil {
			return out, err
		}
		sf, err := staffFacts(ctx, q, m)
		if err != nil {
			return out, err
		}
		out.Members[id] = Decide(a, ActView, Target{Module: ModuleStaff, Staff: sf}).Allowed
		everything = everything && out.Members[id]
	}
	entries, err := db.AuditActors(ctx, q)
	if err != nil {
		return out, err
	}
	actorFacts := map[int64]*StaffFacts{}
	for _, e := range entries {
		af := &AuditFacts{ID: e.ID, ActorKind: e.ActorKind, ActorID: e.ActorID}
		if e.ActorKind == KindMember {
			sf, ok := actorFacts[e.ActorID]
			if !ok {
				if m, err := db.GetMember(ctx, q, e.ActorID); err == nil {
					sf = MemberFacts(m)
				}
				actorFacts[e.ActorID] = sf
			}
			af.Actor = sf
		}
		out.Audit[e.ID] = Decide(a, ActView, Target{Module: ModuleAudit, Audit: af}).Allowed
		everything = everything && out.Audit[e.ID]
	}
	out.Everything = everything && Decide(a, ActView, Target{Module: ModuleSettings}).Allowed
	return out, nil
}

func idsOf(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	ids, err := db.Int64s(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("ids: %w", err)
	}
	return ids, nil
}

// AgreementOptions is a generated organisation for agreement tests: small
// enough to decide every record for every member, varied enough to walk
// every rule (custom roles over every module × action × scope, Managers
// and their assigned members, members in two departments or none,
// deactivated members, unowned folders and folders without a department,
// the internal folder with accounts and members).
func AgreementOptions(seed uint64) GenerateOptions {
	return GenerateOptions{Seed: seed, Staff: 30, Clients: 24, AccountsPerClient: 2, Grants: 110, Audit: 120, Varied: true}
}

// IDs lists the ids a map holds true, ascending.
func IDs(set map[int64]bool) []int64 {
	var out []int64
	for id, ok := range set {
		if ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// Disagreement compares what a surface returned with what the engine
// allows (both id lists, in any order) and describes the first record on
// which they differ, or returns "".
func Disagreement(got, want []int64) string {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	for i := 0; i < len(g) || i < len(w); i++ {
		switch {
		case i >= len(g):
			return fmt.Sprintf("record %d is missing (allowed by the engine)", w[i])
		case i >= len(w):
			return fmt.Sprintf("record %d is shown (the engine does not allow it)", g[i])
		case g[i] < w[i]:
			return fmt.Sprintf("record %d is shown (the engine does not allow it)", g[i])
		case g[i] > w[i]:
			return fmt.Sprintf("record %d is missing (allowed by the engine)", w[i])
		}
	}
	return ""
}

// VisibleGrants is the part of a list of grants (one row per account
// toggled on, or one with no account for a membership with none on) that
// these allowances show: memberships of members and folders they see, the
// accounts among them they see, and a membership whose accounts they see
// none of as a row with no account.
func (al Allowed) VisibleGrants(all []Grant) []Grant {
	return foldGrants(all, func(g Grant) bool { return al.Members[g.StaffID] && al.Folders[g.ClientID] },
		func(g Grant) bool { return al.Accounts[g.AccountID] })
}

// foldGrants keeps the memberships keep admits and, in them, the account
// rows account admits; a kept membership left without account rows keeps
// one row with none. Rows come grouped by membership.
func foldGrants(all []Grant, keep, account func(Grant) bool) []Grant {
	var out []Grant
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].StaffID == all[i].StaffID && all[j].ClientID == all[i].ClientID {
			j++
		}
		if keep(all[i]) {
			n := len(out)
			for _, g := range all[i:j] {
				if g.AccountID != 0 && account(g) {
					out = append(out, g)
				}
			}
			if len(out) == n {
				g := all[i]
				g.AccountID, g.Account = 0, ""
				out = append(out, g)
			}
		}
		i = j
	}
	return out
}

// Sample picks two of ids that visible holds true and two it does not: the
// records a slow surface (an SSH session, a screen) is asked about when
// asking about every record would take too long.
func Sample(ids []int64, visible map[int64]bool) []int64 {
	var seen, unseen []int64
	for _, id := range ids {
		if visible[id] {
			seen = append(seen, id)
		} else {
			unseen = append(unseen, id)
		}
	}
	return append(seen[:min(2, len(seen))], unseen[:min(2, len(unseen))]...)
}
