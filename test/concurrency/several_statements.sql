-- A transaction of several statements takes the student table's lock
-- first, as documented: writers queue, no deadlock on the cells.
\set a random(1, 29)
\set b random(1, 29)
BEGIN;
LOCK TABLE sample.students IN SHARE ROW EXCLUSIVE MODE;
UPDATE sample.students SET swd = NOT swd WHERE school_year = 2018 AND school_id = :a AND student_id % 11 = 0;
UPDATE sample.students SET school_id = :a WHERE school_year = 2018 AND school_id = :b AND student_id % 13 = 0;
COMMIT;
