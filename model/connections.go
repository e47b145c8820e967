package model

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"gatehouse/db"
)

// Connection kinds.
const (
	ConnectionAPI       = "api"
	ConnectionAssistant = "assistant"
	ConnectionSSH       = "ssh"
)

// ConnectionKinds lists the kinds a connection can have.
var ConnectionKinds = []string{ConnectionAPI, ConnectionAssistant, ConnectionSSH}

// TokenPrefix starts every connection token, so that a leaked one is easy
// to recognise (and to scan for).
const TokenPrefix = "ghc_"

// SSHFingerprint parses an authorized_keys line and returns its SHA256
// fingerprint.
func SSHFingerprint(publicKey string) (string, error) {
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(publicKey)))
	if err != nil {
		return "", fmt.Errorf("%w: not an SSH public key (paste one line such as \"ssh-ed25519 AAAA… comment\"): %v", ErrInvalid, err)
	}
	return ssh.FingerprintSHA256(pk), nil
}

// cleanConnection validates a new connection's name, kind, scope and key.
func cleanConnection(name, kind string, perms []Permission, key string) (string, string, PermissionSet, string, error) {
	name, err := CleanName("connection name", name)
	if err != nil {
		return "", "", nil, "", err
	}
	kind = strings.ToLower(strings.TrimSpace(kind))
	switch kind {
	case ConnectionAPI, ConnectionAssistant, ConnectionSSH:
	default:
		return "", "", nil, "", fmt.Errorf("%w: unknown connection kind %q (one of %s)", ErrInvalid, Sanitize(kind), strings.Join(ConnectionKinds, ", "))
	}
	ps, err := NewPermissionSet(perms)
	if err != nil {
		return "", "", nil, "", err
	}
	if len(ps) == 0 {
		return "", "", nil, "", fmt.Errorf("%w: a connection needs at least one permission", ErrInvalid)
	}
	var fp string
	switch {
	case kind == ConnectionSSH:
		if fp, err = SSHFingerprint(key); err != nil {
			return "", "", nil, "", err
		}
	case strings.TrimSpace(key) != "":
		return "", "", nil, "", fmt.Errorf("%w: only ssh connections take a public key; %s connections get a token", ErrInvalid, kind)
	}
	return name, kind, ps, fp, nil
}

// CreateConnection creates outside access scoped to what the creator
// allows, which can never exceed what the creator has. It returns the
// secret token, shown once (only its hash is stored); ssh connections have
// no token, their key is the credential.
func (s *Service) CreateConnection(ctx context.Context, p Principal, name, kind string, perms []Permission, sshPublicKey string) (Connection, string, error) {
	name, kind, ps, fp, err := cleanConnection(name, kind, perms, sshPublicKey)
	if err != nil {
		return Connection{}, "", fmt.Errorf("create connection: %w", err)
	}
	var conn Connection
	var token string
	err = s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		if err := require(a, ActCreate, Target{Module: ModuleConnections, Label: name}); err != nil {
			return nil, err
		}
		if ok, what := ps.Within(a.Perms); !ok {
			return nil, &DeniedError{Decision: deny("%s may not create a connection that grants %s", a.who(), what)}
		}
		creator, err := connectionCreator(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		if err := connectionUnique(ctx, tx, name, fp); err != nil {
			return nil, err
		}
		hash := ""
		if kind != ConnectionSSH {
			token = TokenPrefix + newSecret(20)
			hash = hashToken(token)
		}
		c := Connection{Name: name, Kind: kind, CreatorID: creator.ID, Fingerprint: fp, Permissions: permissionsToDB(ps), CreatedAt: s.Now()}
		id, err := db.InsertConnection(ctx, tx, c, hash)
		if err != nil {
			return nil, err
		}
		if conn, err = db.GetConnection(ctx, tx, id); err != nil {
			return nil, err
		}
		after := map[string]any{"name": name, "kind": kind, "creator": creator.Email, "permissions": permStrings(ps), "enabled": true}
		if fp != "" {
			after["fingerprint"] = fp
		}
		return []change{{Action: "connection.create", TargetKind: "connection", TargetID: id, Target: name, After: after}}, nil
	})
	if err != nil {
		return Connection{}, "", fmt.Errorf("create connection %s: %w", Sanitize(name), err)
	}
	return conn, token, nil
}

// connectionCreator is the member a new connection answers to: its
// permissions are always cut down to theirs. The local system user acts for
// the Owner, so their connections answer to the Owner.
func connectionCreator(ctx context.Context, tx *sql.Tx, a Actor) (Member, error) {
	if a.Kind != KindSystem {
		m, err := db.GetMember(ctx, tx, a.StaffID)
		return m, notFound(err, "no staff member %d", a.StaffID)
	}
	var ownerID int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM staff WHERE role_id = ?`, db.RoleOwner).Scan(&ownerID); err != nil {
		return Member{}, fmt.Errorf("find owner: %w", err)
	}
	return db.GetMember(ctx, tx, ownerID)
}

func connectionUnique(ctx context.Context, tx *sql.Tx, name, fp string) error {
	taken, err := db.ConnectionNameTaken(ctx, tx, name)
	if err != nil {
		return err
	}
	if taken {
		return fmt.Errorf("%w: a connection named %q already exists", ErrConflict, name)
	}
	if fp == "" {
		return nil
	}
	if _, err := db.ConnectionByFingerprint(ctx, tx, fp); err == nil {
		return fmt.Errorf("%w: the key %s already belongs to a connection", ErrConflict, fp)
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if _, err := db.SSHKeyByFingerprint(ctx, tx, fp); err == nil {
		return fmt.Errorf("%w: the key %s is a staff member's key; give the connection its own", ErrConflict, fp)
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return nil
}

// ListConnections lists the connections the actor may review: all of them
// with all scope, otherwise those they created.
func (s *Service) ListConnections(ctx context.Context, p Principal) ([]Connection, error) {
	a, err := s.readActor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := require(a, ActView, Target{Module: ModuleConnections}); err != nil {
		return nil, err
	}
	cs, err := db.ListConnections(ctx, s.db.Read())
	if err != nil {
		return nil, err
	}
	if a.isOwner() || a.Perms.Get(ModuleConnections, VerbView) == ScopeAll {
		return cs, nil
	}
	var out []Connection
	for _, c := range cs {
		if c.CreatorID == a.StaffID {
			out = append(out, c)
		}
	}
	return out, nil
}

// SetConnectionEnabled switches a connection on or off. Off takes effect at
// once: every check reloads the connection. Switching one back on needs the
// actor to hold everything it grants, as creating it would.
func (s *Service) SetConnectionEnabled(ctx context.Context, p Principal, id int64, enabled bool) error {
	err := s.write(ctx, p, func(tx *sql.Tx, a Actor) ([]change, error) {
		c, err := db.GetConnection(ctx, tx, id)
		if err != nil {
			return nil, notFound(err, "no connection %d", id)
		}
		owner := c.CreatorID
		if owner == 0 {
			owner = -1 // a removed creator's connection is nobody's own
		}
		if err := require(a, ActUpdate, Target{Module: ModuleConnections, Label: c.Name, OwnerID: owner}); err != nil {
			return nil, err
		}
		if c.Enabled == enabled {
			return nil, fmt.Errorf("%w: connection %q is already %s", ErrRule, c.Name, onOff(enabled))
		}
		if enabled {
			ps, err := permissionsFromDB(c.Permissions)
			if err != nil {
				return nil, err
			}
			if ok, what := ps.Within(a.Perms); !ok {
				return nil, &DeniedError{Decision: deny("%s may not switch on a connection that grants %s", a.who(), what)}
			}
		}
		if err := db.SetConnectionEnabled(ctx, tx, id, enabled, s.Now()); err != nil {
			return nil, err
		}
		action := "connection.disable"
		if enabled {
			action = "connection.enable"
		}
		return []change{{Action: action, TargetKind: "connection", TargetID: id, Target: c.Name,
			Before: map[string]any{"enabled": c.Enabled}, After: map[string]any{"enabled": enabled}}}, nil
	})
	if err != nil {
		return fmt.Errorf("switch connection %s: %w", onOff(enabled), err)
	}
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// AuthenticateToken signs a connection in by its secret token. Unknown,
// switched-off and orphaned connections are refused.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (Principal, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, TokenPrefix) || len(token) <= len(TokenPrefix) {
		return Principal{}, fmt.Errorf("%w: that is not a Gatehouse token (they start with %s)", ErrDenied, TokenPrefix)
	}
	c, err := db.ConnectionByToken(ctx, s.db.Read(), hashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: unknown token", ErrDenied)
	}
	if err != nil {
		return Principal{}, err
	}
	return s.connectionPrincipal(ctx, c, "api token")
}

// ConnectionBySSHKey signs a connection in by its SSH key's SHA256
// fingerprint.
func (s *Service) ConnectionBySSHKey(ctx context.Context, fingerprint string) (Principal, error) {
	fingerprint = strings.TrimSpace(fingerprint)
	c, err := db.ConnectionByFingerprint(ctx, s.db.Read(), fingerprint)
	if errors.Is(err, db.ErrNotFound) {
		return Principal{}, fmt.Errorf("%w: no connection has the key %s", ErrDenied, Sanitize(fingerprint))
	}
	if err != nil {
		return Principal{}, err
	}
	return s.connectionPrincipal(ctx, c, "ssh "+fingerprint)
}

// connectionPrincipal checks that the connection may act now (switched on,
// creator active) and records its use.
func (s *Service) connectionPrincipal(ctx context.Context, c Connection, origin string) (Principal, error) {
	p := Principal{Kind: KindConnection, ConnectionID: c.ID, Label: c.Name, Origin: origin}
	a, err := loadActor(ctx, s.db.Read(), p)
	if err != nil {
		return Principal{}, err
	}
	if d, ok := principalGate(a); !ok {
		return Principal{}, &DeniedError{Decision: d}
	}
	if c.CreatorID == 0 {
		return Principal{}, &DeniedError{Decision: deny("Connection %q: its creator was removed", c.Name)}
	}
	// Last use is shown to the minute; writing it more often would only
	// make every open session refresh on each API call.
	if now := s.Now(); now.Sub(c.LastUsed) >= time.Minute {
		err = s.db.Write(ctx, func(tx *sql.Tx) error { return db.TouchConnection(ctx, tx, c.ID, now) })
		if err != nil {
			return Principal{}, fmt.Errorf("record use of connection %s: %w", c.Name, err)
		}
	}
	return p, nil
}
