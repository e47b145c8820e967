-- Gatehouse schema, version 1.
-- Times are Unix seconds (UTC) unless a column says otherwise.

CREATE TABLE organisation (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    name                 TEXT    NOT NULL,
    require_2fa          INTEGER NOT NULL DEFAULT 0,
    invite_ttl_hours     INTEGER NOT NULL DEFAULT 168,
    idle_timeout_minutes INTEGER NOT NULL DEFAULT 30,
    plan                 TEXT    NOT NULL DEFAULT 'Partner',
    payment_method       TEXT    NOT NULL DEFAULT '',
    demo                 INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL
);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    builtin     TEXT    CHECK (builtin IN ('owner', 'admin', 'advisor')) UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

-- A custom role's permissions: one row per module x action that is granted,
-- with the widest scope it is granted at. Built-in roles keep no rows here;
-- their rules are fixed in code.
CREATE TABLE role_permissions (
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    module  TEXT    NOT NULL,
    action  TEXT    NOT NULL CHECK (action IN ('view', 'create', 'update', 'delete')),
    scope   TEXT    NOT NULL CHECK (scope IN ('own', 'department', 'all')),
    PRIMARY KEY (role_id, module, action)
) WITHOUT ROWID;

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    email           TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    role_id         INTEGER NOT NULL REFERENCES roles(id),
    status          TEXT    NOT NULL CHECK (status IN ('invited', 'active', 'deactivated')),
    manager_id      INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    password_hash   TEXT    NOT NULL DEFAULT '',
    totp_secret     TEXT    NOT NULL DEFAULT '',
    totp_enabled    INTEGER NOT NULL DEFAULT 0,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    last_active     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE INDEX staff_role ON staff(role_id);
CREATE INDEX staff_manager ON staff(manager_id);
CREATE INDEX staff_name ON staff(name COLLATE NOCASE);
-- Built-in roles have fixed ids: 1 Owner, 2 Admin, 3 Advisor. The model keeps
-- exactly one Owner; this index makes a second one impossible.
CREATE UNIQUE INDEX staff_one_owner ON staff(role_id) WHERE role_id = 1;

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    head_id     INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE staff_departments (
    staff_id      INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, department_id)
) WITHOUT ROWID;
CREATE INDEX staff_departments_dept ON staff_departments(department_id, staff_id);

CREATE TABLE ssh_keys (
    id          INTEGER PRIMARY KEY,
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    fingerprint TEXT    NOT NULL UNIQUE,
    public_key  TEXT    NOT NULL,
    comment     TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    last_used   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ssh_keys_staff ON ssh_keys(staff_id);

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recovery_codes_staff ON recovery_codes(staff_id);

CREATE TABLE clients (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    owner_id      INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL,
    internal      INTEGER NOT NULL DEFAULT 0,
    archived_at   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX clients_one_internal ON clients(internal) WHERE internal = 1;
CREATE INDEX clients_owner ON clients(owner_id);
CREATE INDEX clients_department ON clients(department_id);

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL COLLATE NOCASE,
    archived_at INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    UNIQUE (client_id, name)
);

-- A staff member added to a client folder.
CREATE TABLE client_members (
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    staff_id  INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (client_id, staff_id)
) WITHOUT ROWID;
CREATE INDEX client_members_staff ON client_members(staff_id, client_id);

-- The per-account toggle inside a folder: a row means "on". Removing the
-- member from the folder removes every toggle with it.
CREATE TABLE account_access (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL,
    client_id  INTEGER NOT NULL,
    PRIMARY KEY (account_id, staff_id),
    FOREIGN KEY (client_id, staff_id) REFERENCES client_members(client_id, staff_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX account_access_member ON account_access(client_id, staff_id);
CREATE INDEX account_access_staff ON account_access(staff_id, account_id);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    email       TEXT    NOT NULL COLLATE NOCASE,
    name        TEXT    NOT NULL,
    role_id     INTEGER NOT NULL REFERENCES roles(id),
    departments TEXT    NOT NULL DEFAULT '',
    message     TEXT    NOT NULL DEFAULT '',
    token_hash  TEXT    NOT NULL UNIQUE,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    created_by  INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invitations_email ON invitations(email);
CREATE UNIQUE INDEX invitations_one_pending ON invitations(email) WHERE status = 'pending';

CREATE TABLE connections (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('api', 'ssh', 'assistant')),
    creator_id  INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    token_hash  TEXT    NOT NULL DEFAULT '',
    fingerprint TEXT    NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    last_used   INTEGER NOT NULL DEFAULT 0,
    disabled_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX connections_token ON connections(token_hash);

CREATE TABLE connection_permissions (
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    module        TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    scope         TEXT    NOT NULL CHECK (scope IN ('own', 'department', 'all')),
    PRIMARY KEY (connection_id, module, action)
) WITHOUT ROWID;

-- The audit log. Each entry's hash covers its content and the previous
-- entry's hash, so an edited or deleted row breaks the chain at that point.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,          -- Unix nanoseconds
    actor_kind  TEXT    NOT NULL,          -- member, connection, system
    actor_id    INTEGER,                   -- staff or connection id
    actor       TEXT    NOT NULL,          -- label at the time (email, connection name, OS user)
    origin      TEXT    NOT NULL,          -- "local terminal", "ssh SHA256:... from 1.2.3.4"
    action      TEXT    NOT NULL,          -- e.g. access.revoke
    target_kind TEXT    NOT NULL DEFAULT '',
    target_id   INTEGER,
    target      TEXT    NOT NULL DEFAULT '',
    staff_id    INTEGER,                   -- the member the change is about, if any
    client_id   INTEGER,                   -- the client the change is about, if any
    before      TEXT    NOT NULL DEFAULT '',
    after       TEXT    NOT NULL DEFAULT '',
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_actor ON audit_log(actor_kind, actor_id, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE INDEX audit_staff ON audit_log(staff_id, id) WHERE staff_id IS NOT NULL;
CREATE INDEX audit_client ON audit_log(client_id, id) WHERE client_id IS NOT NULL;
CREATE INDEX audit_target ON audit_log(target_kind, target_id, id);
CREATE INDEX audit_at ON audit_log(at);

-- A counter bumped by every committed change, so that open sessions and
-- caches can tell cheaply that something changed.
CREATE TABLE change_counter (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

INSERT INTO roles (id, name, builtin, description, created_at) VALUES
    (1, 'Owner',   'owner',   'Full access; responsible for billing and the internal accounts. Exactly one.', 0),
    (2, 'Admin',   'admin',   'Manages staff, clients and access; sees billing; cannot change the payment method.', 0),
    (3, 'Advisor', 'advisor', 'Reaches only the client folders they were added to, and the accounts toggled on there.', 0);
