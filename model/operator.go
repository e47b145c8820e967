package model

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gatehouse/db"
)

// SetPasswordAsOperator gives a member a new password and lifts any sign-in
// lock. Only the operating-system user who holds the database file may do
// it (gatehouse staff set-password, run on that machine): it is how an
// organisation restored from an export, whose password hashes were never
// exported, gets its members signing in again, and how an Owner who forgot
// their password gets back in. Members change their own in Profile; no
// member or connection can set another's.
func (s *Service) SetPasswordAsOperator(ctx context.Context, p Principal, staffID int64, password string) error {
	if p.Kind != KindSystem {
		return &DeniedError{Decision: deny("only the operating-system user who holds the database file sets another member's password (gatehouse staff set-password, on that machine)")}
	}
	if err := CheckPasswordStrength(password); err != nil {
		return err
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return err
	}
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if a.Kind != KindSystem {
			return nil, &DeniedError{Decision: deny("only the operating-system user sets another member's password")}
		}
		m, err := db.GetMember(ctx, tx, staffID)
		if err != nil {
			return nil, notFound(err, "no staff member %d", staffID)
		}
		if err := db.SetPasswordHash(ctx, tx, m.ID, hash); err != nil {
			return nil, err
		}
		if err := db.SetSignInFailures(ctx, tx, m.ID, 0, time.Time{}); err != nil {
			return nil, err
		}
		return []change{staffChange("staff.password-set", m, nil, map[string]any{"password": "set by the operator"})}, nil
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}
