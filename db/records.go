package db

import "time"

// Built-in role ids are fixed by the first migration's seed.
const (
	RoleOwner   int64 = 1
	RoleAdmin   int64 = 2
	RoleAdvisor int64 = 3
)

// Org is the one organisation a database holds.
type Org struct {
	Name          string
	Require2FA    bool
	InviteTTL     time.Duration
	IdleTimeout   time.Duration
	Plan          string
	PaymentMethod string
	Demo          bool
	CreatedAt     time.Time
}

// Permission is one module x action granted at a scope.
type Permission struct {
	Module string `json:"module"`
	Action string `json:"action"`
	Scope  string `json:"scope"`
}

// Role is a built-in or custom role.
type Role struct {
	ID          int64
	Name        string
	Builtin     string // owner, admin, advisor, or "" for a custom role
	Description string
	Permissions []Permission // custom roles only
	Members     int
}

// Member is a staff member as lists and screens show them.
type Member struct {
	ID          int64
	Name        string
	Email       string
	RoleID      int64
	RoleName    string
	RoleBuiltin string
	Status      string // invited, active, deactivated
	ManagerID   int64
	ManagerName string
	Departments []Department
	TOTPEnabled bool
	LastActive  time.Time
	CreatedAt   time.Time
}

// Credentials are the secrets and sign-in counters of a member.
type Credentials struct {
	StaffID        int64
	PasswordHash   string
	TOTPSecret     string
	TOTPEnabled    bool
	TOTPLastStep   int64
	FailedAttempts int
	LockedUntil    time.Time
}

// Department groups members; custom roles with department scope use it.
type Department struct {
	ID          int64
	Name        string
	Description string
	HeadID      int64
	HeadName    string
	Members     int
}

// Client is a client folder.
type Client struct {
	ID             int64
	Name           string
	OwnerID        int64
	OwnerName      string
	DepartmentID   int64
	DepartmentName string
	Internal       bool
	Archived       bool
	Accounts       int
	Staff          int
	CreatedAt      time.Time
}

// Account is one account inside a client folder.
type Account struct {
	ID       int64
	ClientID int64
	Name     string
	Archived bool
}

// Invitation is an invitation to join; Status is derived (expired when a
// pending invitation is past its expiry).
type Invitation struct {
	ID          int64
	Email       string
	Name        string
	RoleID      int64
	RoleName    string
	Departments []int64
	Message     string
	Status      string // pending, accepted, expired, revoked
	CreatedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	AcceptedAt  time.Time
}

// Connection is outside access: an API token, an integration's SSH key, an
// assistant.
type Connection struct {
	ID          int64
	Name        string
	Kind        string
	CreatorID   int64
	CreatorName string
	Fingerprint string
	Enabled     bool
	Permissions []Permission
	CreatedAt   time.Time
	LastUsed    time.Time
	DisabledAt  time.Time
}

// SSHKey is a member's registered public key.
type SSHKey struct {
	ID          int64
	StaffID     int64
	Fingerprint string
	PublicKey   string
	Comment     string
	CreatedAt   time.Time
	LastUsed    time.Time
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorKind  string    `json:"actor_kind"`
	ActorID    int64     `json:"actor_id,omitempty"`
	Actor      string    `json:"actor"`
	Origin     string    `json:"origin"`
	Action     string    `json:"action"`
	TargetKind string    `json:"target_kind,omitempty"`
	TargetID   int64     `json:"target_id,omitempty"`
	Target     string    `json:"target,omitempty"`
	StaffID    int64     `json:"staff_id,omitempty"`
	ClientID   int64     `json:"client_id,omitempty"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Grant is one reachable account of a member, or one member who reaches an
// account: the membership and toggle behind an access.
type Grant struct {
	StaffID    int64
	StaffName  string
	StaffEmail string
	ClientID   int64
	ClientName string
	Internal   bool
	AccountID  int64 // 0: a folder membership with no account toggled on
	Account    string
}

func unix(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(t, 0).UTC()
}

func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
