-- Indexes that let the client list read a page in its display order instead
-- of sorting every folder: the internal folder first, then by name or by
-- creation date, in either direction. A descending page walks the second
-- index of each pair backwards (internal DESC, name DESC, id DESC), which
-- the first cannot give since its internal column is already descending.
CREATE INDEX clients_list ON clients(archived_at, internal DESC, name COLLATE NOCASE, id);
CREATE INDEX clients_list_desc ON clients(archived_at, internal, name COLLATE NOCASE, id);
CREATE INDEX clients_created ON clients(archived_at, internal DESC, created_at, id);
CREATE INDEX clients_created_desc ON clients(archived_at, internal, created_at, id);
