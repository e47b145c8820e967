-- Incident locks: a member, a role, a connection or an SSH key refused
-- everything (sign-in, keys, tokens, every action) until lifted or until
-- it expires. target_id names the member, role or connection; target_key
-- the key's SHA256 fingerprint. label is how the target was named when
-- the lock was made.
CREATE TABLE locks (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('staff', 'role', 'connection', 'key')),
    target_id     INTEGER NOT NULL DEFAULT 0,
    target_key    TEXT    NOT NULL DEFAULT '',
    label         TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL DEFAULT 0,   -- 0: until lifted
    lifted_at     INTEGER NOT NULL DEFAULT 0,
    lifted_by     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX locks_target ON locks(kind, target_id, target_key) WHERE lifted_at = 0;

-- Live sessions of every process using this file: the terminal app run
-- locally, and each SSH connection a server holds. Each process keeps its
-- rows' heartbeat fresh and deletes them when they close; a row whose
-- heartbeat is old belongs to a process that died. Ending a session from
-- elsewhere sets ended_at and end_reason; the process holding it closes it.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    staff_id      INTEGER REFERENCES staff(id) ON DELETE CASCADE,
    connection_id INTEGER REFERENCES connections(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('app', 'ssh')),
    origin        TEXT    NOT NULL,
    address       TEXT    NOT NULL DEFAULT '',
    fingerprint   TEXT    NOT NULL DEFAULT '',
    doing         TEXT    NOT NULL DEFAULT '',
    process       TEXT    NOT NULL DEFAULT '',
    started_at    INTEGER NOT NULL,
    last_input    INTEGER NOT NULL,
    heartbeat     INTEGER NOT NULL,
    ended_at      INTEGER NOT NULL DEFAULT 0,
    end_reason    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_staff ON sessions(staff_id);
CREATE INDEX sessions_heartbeat ON sessions(heartbeat);
