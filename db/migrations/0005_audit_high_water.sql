-- The audit log keeps a high-water mark: AUTOINCREMENT makes SQLite record
-- the largest id ever written (sqlite_sequence), and it does not go down
-- when the newest entries are deleted. Verification compares it with the
-- last entry, so a log cut short at its end shows even with no anchor.
-- SQLite cannot add AUTOINCREMENT to a table, so the table is rebuilt;
-- entries, ids and hashes are copied unchanged.
CREATE TABLE audit_log_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO audit_log_new SELECT id, at, actor_kind, actor_id, actor, origin, action, target_kind, target_id, target,
    staff_id, client_id, before, after, prev_hash, hash FROM audit_log ORDER BY id;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_actor ON audit_log(actor_kind, actor_id, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE INDEX audit_staff ON audit_log(staff_id, id) WHERE staff_id IS NOT NULL;
CREATE INDEX audit_client ON audit_log(client_id, id) WHERE client_id IS NOT NULL;
CREATE INDEX audit_target ON audit_log(target_kind, target_id, id);
CREATE INDEX audit_at ON audit_log(at);
