-- The Staff list in its default order, read from one index: the first
-- page a start-up shows is the first rows of this index instead of rows
-- scattered over the staff table (at 10,000 members, 37 rows were 28
-- first touches of the file's pages on a fresh connection, against none
-- for the index). It holds every column the list shows from the member's
-- own row; its first column is staff_name's, which it replaces.
-- analyze: staff
DROP INDEX staff_name;
CREATE INDEX staff_list ON staff(name COLLATE NOCASE, id, email, role_id, status, manager_id, totp_enabled, last_active, created_at);
