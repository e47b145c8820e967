package model

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gatehouse/db"
)

// Invitations: how someone joins the firm. An invitation carries a role
// and a one-time code; redeeming the code creates the active member.

// InviteInput is one invitation.
type InviteInput struct {
	Email       string
	Name        string
	Role        string
	Departments []string
	Message     string
}

// Invite creates a pending invitation and returns it with its one-time code
// (shown once; only its hash is stored).
func (s *Service) Invite(ctx context.Context, p Principal, in InviteInput) (Invitation, string, error) {
	var inv Invitation
	var code string
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		var c change
		var err error
		inv, code, c, err = s.inviteTx(ctx, tx, a, in)
		return []change{c}, err
	})
	if err != nil {
		return inv, "", fmt.Errorf("invite %s: %w", Sanitize(Truncate(strings.TrimSpace(in.Email), 60)), err)
	}
	return inv, code, nil
}

func (s *Service) inviteTx(ctx context.Context, tx *sql.Tx, a Actor, in InviteInput) (Invitation, string, change, error) {
	var inv Invitation
	email, err := CleanEmail(in.Email)
	if err != nil {
		return inv, "", change{}, explainEmail(ctx, tx, err)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	if name, err = CleanName("name", name); err != nil {
		return inv, "", change{}, err
	}
	msg, err := CleanMessage(in.Message)
	if err != nil {
		return inv, "", change{}, err
	}
	roleName := in.Role
	if strings.TrimSpace(roleName) == "" {
		roleName = "Advisor"
	}
	role, rf, err := lookupRole(ctx, tx, roleName)
	if err != nil {
		return inv, "", change{}, err
	}
	if err := require(a, ActInvite, Target{Module: ModuleStaff, Role: rf}); err != nil {
		return inv, "", change{}, err
	}
	deptIDs, deptNames, err := lookupDepartments(ctx, tx, in.Departments)
	if err != nil {
		return inv, "", change{}, err
	}
	if err := emailTaken(ctx, tx, email); err != nil {
		return inv, "", change{}, err
	}
	now := s.Now()
	if old, err := db.PendingInvitationByEmail(ctx, tx, EmailKey(email), now); err == nil {
		if old.Status == "pending" {
			return inv, "", change{}, fmt.Errorf("%w: %s already has a pending invitation (resend it instead)", ErrConflict, email)
		}
		// An expired one makes way for the new one.
		if err := db.SetInvitationStatus(ctx, tx, old.ID, "revoked", now); err != nil {
			return inv, "", change{}, err
		}
	}
	org, err := db.GetOrg(ctx, tx)
	if err != nil {
		return inv, "", change{}, err
	}
	code := newInviteCode()
	inv = Invitation{Email: email, Name: name, RoleID: role.ID, RoleName: role.Name, Departments: deptIDs, Message: msg,
		Status: "pending", CreatedBy: a.Label, CreatedAt: now, ExpiresAt: now.Add(org.InviteTTL)}
	if inv.ID, err = db.InsertInvitation(ctx, tx, inv, EmailKey(email), hashToken(code), a.StaffID); err != nil {
		if db.IsUnique(err) {
			return inv, "", change{}, fmt.Errorf("%w: %s already has a pending invitation", ErrConflict, email)
		}
		return inv, "", change{}, err
	}
	c := change{Action: "invitation.create", TargetKind: "invitation", TargetID: inv.ID, Target: email,
		After: map[string]any{"email": email, "name": name, "role": role.Name, "departments": deptNames, "expires": inv.ExpiresAt.Format(time.RFC3339)}}
	return inv, code, c, nil
}

func newInviteCode() string {
	c := newSecret(15) // 120 bits, 24 characters
	return c[:6] + "-" + c[6:12] + "-" + c[12:18] + "-" + c[18:]
}

// InviteResult is one line of a bulk invitation.
type InviteResult struct {
	Line       int
	Email      string
	Invitation Invitation
	Code       string
	Err        error
}

// ParseBulkEmails splits bulk-invite text (one address per line; commas,
// semicolons and blank lines tolerated) into trimmed entries with their line
// numbers.
func ParseBulkEmails(text string) []InviteResult {
	var out []InviteResult
	for i, line := range strings.Split(text, "\n") {
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
			part = strings.TrimSpace(part)
			if part != "" {
				out = append(out, InviteResult{Line: i + 1, Email: part})
			}
		}
	}
	return out
}

// BulkInvite invites every address in text with one role. Valid addresses
// are invited together in one transaction; each invalid or duplicate line is
// reported with its reason and skipped.
func (s *Service) BulkInvite(ctx context.Context, p Principal, text, role, message string) ([]InviteResult, error) {
	results := ParseBulkEmails(text)
	if len(results) == 0 {
		return nil, fmt.Errorf("%w: no email addresses given", ErrInvalid)
	}
	if len(results) > 1000 {
		return nil, fmt.Errorf("%w: %d addresses; at most 1000 at once", ErrInvalid, len(results))
	}
	seen := map[string]bool{}
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		var changes []change
		for i := range results {
			r := &results[i]
			r.Invitation, r.Code, r.Err = Invitation{}, "", nil
			email, err := CleanEmail(r.Email)
			if err != nil {
				if err = explainEmail(ctx, tx, err); errors.Is(err, ErrInvalid) {
					r.Err = err
					continue
				}
				return nil, err
			}
			if seen[EmailKey(email)] {
				r.Err = fmt.Errorf("%w: %s appears twice in the list", ErrConflict, Sanitize(email))
				continue
			}
			seen[EmailKey(email)] = true
			inv, code, c, err := s.inviteTx(ctx, tx, a, InviteInput{Email: email, Role: role, Message: message})
			var denied *DeniedError
			if errors.As(err, &denied) {
				return nil, err
			}
			if err != nil {
				r.Err = err
				continue
			}
			r.Invitation, r.Code = inv, code
			changes = append(changes, c)
		}
		return changes, nil
	})
	if err != nil {
		return results, fmt.Errorf("bulk invite: %w", err)
	}
	return results, nil
}

// ListInvitations lists invitations with the given status ("" for all).
func (s *Service) ListInvitations(ctx context.Context, p Principal, status string) ([]Invitation, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleStaff}); err != nil {
		return nil, err
	}
	return db.ListInvitations(ctx, s.db.Read(), status, s.Now())
}

// ResendInvitation gives an invitation a new code and a new expiry.
func (s *Service) ResendInvitation(ctx context.Context, p Principal, id int64) (Invitation, string, error) {
	var inv Invitation
	code := newInviteCode()
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		now := s.Now()
		old, err := db.GetInvitation(ctx, tx, id, now)
		if err != nil {
			return nil, notFound(err, "no invitation %d", id)
		}
		r, err := db.GetRole(ctx, tx, old.RoleID)
		if err != nil {
			return nil, err
		}
		rf, err := roleFacts(ctx, tx, r)
		if err != nil {
			return nil, err
		}
		if err := require(a, ActInvite, Target{Module: ModuleStaff, Role: rf}); err != nil {
			return nil, err
		}
		if old.Status == "accepted" {
			return nil, fmt.Errorf("%w: %s already accepted this invitation", ErrRule, old.Email)
		}
		if err := emailTaken(ctx, tx, old.Email); err != nil {
			return nil, err
		}
		if other, err := db.PendingInvitationByEmail(ctx, tx, EmailKey(old.Email), now); err == nil && other.ID != id {
			return nil, fmt.Errorf("%w: %s has a newer invitation; resend that one", ErrConflict, old.Email)
		}
		org, err := db.GetOrg(ctx, tx)
		if err != nil {
			return nil, err
		}
		expires := now.Add(org.InviteTTL)
		if err := db.RenewInvitation(ctx, tx, id, hashToken(code), expires); err != nil {
			return nil, err
		}
		inv, err = db.GetInvitation(ctx, tx, id, now)
		return []change{{Action: "invitation.resend", TargetKind: "invitation", TargetID: id, Target: old.Email,
			Before: map[string]any{"status": old.Status, "expires": old.ExpiresAt.Format(time.RFC3339)},
			After:  map[string]any{"status": "pending", "expires": expires.Format(time.RFC3339)}}}, err
	})
	if err != nil {
		return inv, "", fmt.Errorf("resend invitation: %w", err)
	}
	return inv, code, nil
}

// RevokeInvitation cancels a pending invitation.
func (s *Service) RevokeInvitation(ctx context.Context, p Principal, id int64) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		now := s.Now()
		old, err := db.GetInvitation(ctx, tx, id, now)
		if err != nil {
			return nil, notFound(err, "no invitation %d", id)
		}
		if err := require(a, ActInvite, Target{Module: ModuleStaff}); err != nil {
			return nil, err
		}
		if old.Status == "accepted" || old.Status == "revoked" {
			return nil, fmt.Errorf("%w: the invitation for %s is already %s", ErrRule, old.Email, old.Status)
		}
		if err := db.SetInvitationStatus(ctx, tx, id, "revoked", now); err != nil {
			return nil, err
		}
		return []change{{Action: "invitation.revoke", TargetKind: "invitation", TargetID: id, Target: old.Email,
			Before: map[string]any{"status": old.Status}, After: map[string]any{"status": "revoked"}}}, nil
	})
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	return nil
}

// PeekInvitation shows what a code would redeem, without redeeming it.
func (s *Service) PeekInvitation(ctx context.Context, code string) (Invitation, error) {
	if len(code) > MaxCodeLen {
		return Invitation{}, fmt.Errorf("%w: no invitation has that code (codes are 27 characters)", ErrNotFound)
	}
	inv, err := db.InvitationByToken(ctx, s.db.Read(), hashToken(code), s.Now())
	if err != nil {
		return inv, fmt.Errorf("%w: no invitation has that code", ErrNotFound)
	}
	if inv.Status != "pending" {
		return inv, fmt.Errorf("%w: this invitation is %s", ErrRule, inv.Status)
	}
	return inv, nil
}

// AcceptInvitation redeems a code: it creates the active member with the
// chosen password, and returns them. The invitee acts for themselves.
//
// Nothing costly happens before the code is known to be good: the
// invitation is looked up first (a SHA-256 and one indexed read), and only
// a redeemable one gets the password hashed, in one of the process's
// hashing slots. The write then checks the invitation again, since another
// session may have redeemed it meanwhile.
func (s *Service) AcceptInvitation(ctx context.Context, code, password, origin string) (Member, error) {
	if err := CheckPasswordStrength(password); err != nil {
		return Member{}, err
	}
	if _, err := redeemable(ctx, s.db.Read(), code, s.Now()); err != nil {
		return Member{}, fmt.Errorf("accept invitation: %w", err)
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return Member{}, fmt.Errorf("accept invitation: %w", err)
	}
	var id int64
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		inv, err := redeemable(ctx, tx, code, now)
		if err != nil {
			return err
		}
		if id, err = db.InsertStaff(ctx, tx, inv.Name, inv.Email, EmailKey(inv.Email), inv.RoleID, "active", hash, now); err != nil {
			return fmt.Errorf("create member: %w", err)
		}
		if err := db.SetMemberDepartments(ctx, tx, id, inv.Departments); err != nil {
			return err
		}
		if err := db.SetInvitationStatus(ctx, tx, inv.ID, "accepted", now); err != nil {
			return err
		}
		a := Actor{Principal: Principal{Kind: KindMember, StaffID: id, Label: inv.Email, Origin: origin}}
		if err := s.audit(ctx, tx, a, now, change{Action: "invitation.accept", TargetKind: "staff", TargetID: id, Target: inv.Email, StaffID: id,
			After: map[string]any{"name": inv.Name, "email": inv.Email, "role": inv.RoleName, "status": "active", "invited_by": inv.CreatedBy}}); err != nil {
			return err
		}
		// Redeeming the code is the member's first sign-in: they go
		// straight in, so it is recorded as one, with their last activity.
		return s.signedIn(ctx, tx, Member{ID: id, Email: inv.Email}, origin, now, "auth.sign-in", map[string]any{"method": "invitation"})
	})
	if err != nil {
		return Member{}, fmt.Errorf("accept invitation: %w", err)
	}
	return db.GetMember(ctx, s.db.Read(), id)
}

// redeemable finds the pending invitation a code redeems, or says why
// there is none.
func redeemable(ctx context.Context, q db.Querier, code string, now time.Time) (Invitation, error) {
	if len(code) > MaxCodeLen {
		return Invitation{}, fmt.Errorf("%w: no invitation has that code (codes are 27 characters)", ErrNotFound)
	}
	inv, err := db.InvitationByToken(ctx, q, hashToken(code), now)
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return inv, fmt.Errorf("%w: no invitation has that code", ErrNotFound)
		}
		return inv, err
	}
	switch inv.Status {
	case "pending":
	case "expired":
		return inv, fmt.Errorf("%w: this invitation expired on %s; ask for it to be resent", ErrRule, inv.ExpiresAt.Format("2 Jan 2006"))
	default:
		return inv, fmt.Errorf("%w: this invitation was %s", ErrRule, inv.Status)
	}
	if err := emailTaken(ctx, q, inv.Email); err != nil {
		return inv, err
	}
	return inv, nil
}
