package model

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Not found means not found: a folder, account, member or role the asker
// may not see is answered with the very words, and the same error, as one
// that does not exist, so that no answer tells an outsider a name is real.

func noClientNamed(name string) error {
	return fmt.Errorf("%w: no client named %q", ErrNotFound, Sanitize(name))
}

func noMemberWithEmail(email string) error {
	return fmt.Errorf("%w: no staff member with email %q", ErrNotFound, Sanitize(email))
}

func noAccountNamed(c Client, name string) error {
	return fmt.Errorf("%w: %s has no account named %q", ErrNotFound, Sanitize(c.Name), Sanitize(name))
}

func noDepartmentNamed(name string) error {
	return fmt.Errorf("%w: no department named %q", ErrNotFound, Sanitize(name))
}

func noRoleNamed(name string) error {
	return fmt.Errorf("%w: no role named %q", ErrNotFound, Sanitize(name))
}

// CheckAsked is Check asked by asker about subject: the subject and the
// target must be ones the asker sees, or they are answered as not existing.
// A target that does not exist at all is answered the same way by Check.
func (s *Service) CheckAsked(ctx context.Context, asker, subject Principal, action Action, ref TargetRef) (Decision, error) {
	if err := s.seesTarget(ctx, asker, ref); err != nil {
		return Decision{}, err
	}
	return s.Check(ctx, subject, action, ref)
}

// seesTarget refuses, as not found, a target the asker may not see.
func (s *Service) seesTarget(ctx context.Context, asker Principal, ref TargetRef) error {
	switch ref.Kind {
	case "client", "account":
		c, err := s.ClientByName(ctx, asker, ref.Client)
		if err != nil || ref.Kind == "client" {
			return err
		}
		accs, err := s.VisibleAccounts(ctx, asker, c.ID)
		if err != nil {
			if errors.Is(err, ErrDenied) {
				return noAccountNamed(c, ref.Account)
			}
			return err
		}
		for _, acc := range accs {
			if strings.EqualFold(acc.Name, ref.Account) {
				return nil
			}
		}
		return noAccountNamed(c, ref.Account)
	case "staff":
		_, err := s.MemberByEmail(ctx, asker, ref.Email)
		return err
	case "role":
		a, err := s.readActor(ctx, asker)
		if err != nil {
			return err
		}
		if !Decide(a, ActView, Target{Module: ModuleRoles}).Allowed {
			return noRoleNamed(ref.Role)
		}
	}
	return nil
}
