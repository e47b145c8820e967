-- The number of members, kept by triggers: the Staff list's title shows it
-- on every start-up, and counting the table reads every page of an index
-- that grows with the staff (about 20 pages at 10,000 members, each a
-- first touch on a fresh connection). No statement replaces staff rows
-- (a REPLACE would delete without firing the delete trigger).
CREATE TABLE staff_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO staff_count (id, n) SELECT 1, count(*) FROM staff;
CREATE TRIGGER staff_count_insert AFTER INSERT ON staff BEGIN
    UPDATE staff_count SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER staff_count_delete AFTER DELETE ON staff BEGIN
    UPDATE staff_count SET n = n - 1 WHERE id = 1;
END;
