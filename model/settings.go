package model

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gatehouse/db"
)

// Bounds on the organisation's settings.
const (
	MinInviteTTL   = time.Hour
	MaxInviteTTL   = 90 * 24 * time.Hour
	MinIdleTimeout = time.Minute
	MaxIdleTimeout = 24 * time.Hour
)

// Settings are the organisation-wide settings.
type Settings struct {
	Require2FA  bool
	InviteTTL   time.Duration
	IdleTimeout time.Duration
}

// Validate checks the settings' bounds. Durations are stored in whole hours
// (invitations) and whole minutes (idle timeout), so other values are
// refused rather than silently rounded.
func (st Settings) Validate() error {
	if st.InviteTTL < MinInviteTTL || st.InviteTTL > MaxInviteTTL {
		return fmt.Errorf("%w: invitation lifetime %s is out of range; between 1 hour and 90 days", ErrInvalid, st.InviteTTL)
	}
	if st.InviteTTL%time.Hour != 0 {
		return fmt.Errorf("%w: invitation lifetime %s is not a whole number of hours", ErrInvalid, st.InviteTTL)
	}
	if st.IdleTimeout < MinIdleTimeout || st.IdleTimeout > MaxIdleTimeout {
		return fmt.Errorf("%w: idle timeout %s is out of range; between 1 minute and 24 hours", ErrInvalid, st.IdleTimeout)
	}
	if st.IdleTimeout%time.Minute != 0 {
		return fmt.Errorf("%w: idle timeout %s is not a whole number of minutes", ErrInvalid, st.IdleTimeout)
	}
	return nil
}

func settingsOf(o Org) Settings {
	return Settings{Require2FA: o.Require2FA, InviteTTL: o.InviteTTL, IdleTimeout: o.IdleTimeout}
}

func (st Settings) auditMap() map[string]any {
	return map[string]any{"require_2fa": st.Require2FA, "invite_ttl": st.InviteTTL.String(), "idle_timeout": st.IdleTimeout.String()}
}

// readOrg reads the organisation inside a write.
func readOrg(ctx context.Context, q db.Querier) (Org, error) {
	o, err := db.GetOrg(ctx, q)
	if err != nil {
		return o, notFound(err, "no organisation in this database yet")
	}
	return o, nil
}

// Settings returns the organisation's settings.
func (s *Service) Settings(ctx context.Context, p Principal) (Settings, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return Settings{}, err
	}
	if err := require(a, ActView, Target{Module: ModuleSettings}); err != nil {
		return Settings{}, err
	}
	o, err := readOrg(ctx, s.db.Read())
	if err != nil {
		return Settings{}, err
	}
	return settingsOf(o), nil
}

// UpdateSettings replaces the organisation's settings. Nothing is written
// (or audited) when nothing changes.
func (s *Service) UpdateSettings(ctx context.Context, p Principal, st Settings) error {
	_, _, err := s.ChangeSettings(ctx, p, SettingsChange{Require2FA: &st.Require2FA, InviteTTL: &st.InviteTTL, IdleTimeout: &st.IdleTimeout})
	return err
}

// SettingsChange names the settings to change; nil leaves one as it is.
type SettingsChange struct {
	Require2FA  *bool
	InviteTTL   *time.Duration
	IdleTimeout *time.Duration
}

func (c SettingsChange) apply(st Settings) Settings {
	if c.Require2FA != nil {
		st.Require2FA = *c.Require2FA
	}
	if c.InviteTTL != nil {
		st.InviteTTL = *c.InviteTTL
	}
	if c.IdleTimeout != nil {
		st.IdleTimeout = *c.IdleTimeout
	}
	return st
}

// ChangeSettings changes some of the organisation's settings, returning
// them before and after. Updating settings needs no sight of them: the
// permission to update is checked first, and the settings are read after.
// Nothing is written (or audited) when nothing changes.
func (s *Service) ChangeSettings(ctx context.Context, p Principal, chg SettingsChange) (before, after Settings, err error) {
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActUpdate, Target{Module: ModuleSettings}); err != nil {
			return nil, err
		}
		o, err := readOrg(ctx, tx)
		if err != nil {
			return nil, err
		}
		before = settingsOf(o)
		after = chg.apply(before)
		if err := after.Validate(); err != nil {
			return nil, err
		}
		if before == after {
			return nil, nil
		}
		o.Require2FA, o.InviteTTL, o.IdleTimeout = after.Require2FA, after.InviteTTL, after.IdleTimeout
		if err := db.UpdateOrg(ctx, tx, o); err != nil {
			return nil, err
		}
		return []change{{Action: "settings.update", TargetKind: "organisation", Target: o.Name,
			Before: before.auditMap(), After: after.auditMap()}}, nil
	})
	if err != nil {
		return before, after, fmt.Errorf("update settings: %w", err)
	}
	return before, after, nil
}

// RenameOrg renames the organisation.
func (s *Service) RenameOrg(ctx context.Context, p Principal, name string) error {
	name, err := CleanName("organisation name", name)
	if err != nil {
		return fmt.Errorf("rename organisation: %w", err)
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActUpdate, Target{Module: ModuleSettings}); err != nil {
			return nil, err
		}
		o, err := readOrg(ctx, tx)
		if err != nil {
			return nil, err
		}
		if o.Name == name {
			return nil, fmt.Errorf("%w: the organisation is already called %s", ErrRule, name)
		}
		old := o.Name
		o.Name = name
		if err := db.UpdateOrg(ctx, tx, o); err != nil {
			return nil, err
		}
		return []change{{Action: "org.rename", TargetKind: "organisation", Target: name,
			Before: map[string]any{"name": old}, After: map[string]any{"name": name}}}, nil
	})
	if err != nil {
		return fmt.Errorf("rename organisation: %w", err)
	}
	return nil
}

// BillingHistoryLimit caps the billing history Billing returns.
const BillingHistoryLimit = 100

// Billing is the subscription, payment method and billing history.
type Billing struct {
	Plan          string
	PaymentMethod string
	History       []AuditEntry // billing.* audit entries, newest first
}

// Billing returns the subscription and billing history (Owner and Admin).
func (s *Service) Billing(ctx context.Context, p Principal) (Billing, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return Billing{}, err
	}
	if err := require(a, ActView, Target{Module: ModuleBilling}); err != nil {
		return Billing{}, err
	}
	o, err := readOrg(ctx, s.db.Read())
	if err != nil {
		return Billing{}, err
	}
	hist, err := db.ListAudit(ctx, s.db.Read(), db.AuditQuery{Scope: db.Scope{All: true}, Action: "billing.", Limit: BillingHistoryLimit})
	if err != nil {
		return Billing{}, err
	}
	return Billing{Plan: o.Plan, PaymentMethod: o.PaymentMethod, History: hist}, nil
}

// SetPaymentMethod records the payment method's label, e.g. "Visa ending
// 4242". Only the Owner changes it.
func (s *Service) SetPaymentMethod(ctx context.Context, p Principal, label string) error {
	label, err := CleanName("payment method", label)
	if err != nil {
		return fmt.Errorf("change payment method: %w", err)
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActChangePayment, Target{Module: ModuleBilling}); err != nil {
			return nil, err
		}
		o, err := readOrg(ctx, tx)
		if err != nil {
			return nil, err
		}
		if o.PaymentMethod == label {
			return nil, fmt.Errorf("%w: the payment method is already %s", ErrRule, label)
		}
		old := o.PaymentMethod
		o.PaymentMethod = label
		if err := db.UpdateOrg(ctx, tx, o); err != nil {
			return nil, err
		}
		return []change{{Action: "billing.payment-method", TargetKind: "organisation", Target: o.Name,
			Before: map[string]any{"payment_method": old}, After: map[string]any{"payment_method": label}}}, nil
	})
	if err != nil {
		return fmt.Errorf("change payment method: %w", err)
	}
	return nil
}
