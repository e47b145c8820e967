-- Emails are compared by a normalised key (Unicode NFKC and case folding,
-- computed by the model): full-width, ligature and case variants of an
-- address are one address. Rows written before this version get their key
-- when the model opens the file (rows with an empty key).
ALTER TABLE staff ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
CREATE INDEX staff_email_key ON staff(email_key);
ALTER TABLE invitations ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
CREATE INDEX invitations_email_key ON invitations(email_key, status);

-- Failed sign-ins for addresses that are no member's, counted like a
-- member's (staff.failed_attempts, staff.locked_until), so that an unknown
-- address gets the same answers, slow-downs and locks as a known one.
CREATE TABLE signin_failures (
    email_key       TEXT    PRIMARY KEY,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
) WITHOUT ROWID;
