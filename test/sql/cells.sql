-- Maintained cells: a cell table follows its student table through
-- statement triggers (or batch calls), and stays equal to a full
-- recomputation: by hand on a small table, then after 100,000 random changes
-- against plain SQL.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
\set SHOW_CONTEXT never
CREATE SCHEMA cells_test;
SET search_path = cells_test, sqii, public;

-- Six students in two schools.  score keeps one decimal place.
CREATE TABLE st (
    year     int NOT NULL,
    id       int NOT NULL,
    school   int NOT NULL,
    race     text NOT NULL,
    el       boolean NOT NULL,
    sed      boolean NOT NULL,
    swd      boolean NOT NULL,
    foster   boolean NOT NULL,
    homeless boolean NOT NULL,
    met      boolean,
    dfs      float8,
    score    numeric,
    PRIMARY KEY (year, id)
);
INSERT INTO st VALUES
    (2018, 1, 10, 'HI', true,  true,  false, false, false, true,  -12, 3.5),
    (2018, 2, 10, 'HI', false, true,  false, false, false, false, -40, 2.0),
    (2018, 3, 10, 'WH', false, false, false, false, false, true,   25, NULL),
    (2018, 4, 20, 'AS', true,  false, false, false, true,  NULL,  NULL, 4.1),
    (2018, 5, 20, 'WH', false, false, true,  false, false, false, -3, 1.2),
    (2018, 6, 20, 'AA', false, true,  false, false, false, true,   7, 3.3);

SELECT sqii.create_cells('cells', 'st', ARRAY['year', 'school'], ARRAY['met', 'dfs', 'score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"score": 1}');
\d cells

-- A view of the cells to read by hand: students, then each tally.
CREATE VIEW show AS
SELECT year, school, group_code, students, met, dfs, score, score_x10 FROM cells ORDER BY year, school, group_code;
-- The same cells by plain SQL: one row per student and group, GROUP BY.
CREATE VIEW plain AS
SELECT s.year, s.school, g.group_code, count(*) AS students,
       sqii.tally(s.met) AS met, sqii.tally(s.dfs) AS dfs, sqii.tally(s.score::float8) AS score
FROM st s
CROSS JOIN LATERAL unnest(sqii.groups(s.race, s.el, s.sed, s.swd, s.foster, s.homeless)) AS g(group_code)
GROUP BY s.year, s.school, g.group_code;
-- Cells that differ from plain SQL (expect none).  score: the cell holds the
-- exact decimal sum rounded once, so compare it through numeric at 15 digits.
CREATE VIEW differ AS
SELECT coalesce(c.school, p.school) AS school, coalesce(c.group_code, p.group_code) AS group_code
FROM cells c FULL JOIN plain p USING (year, school, group_code)
WHERE c.students IS DISTINCT FROM p.students OR c.met IS DISTINCT FROM p.met OR c.dfs IS DISTINCT FROM p.dfs
   OR sqii.n(c.score) IS DISTINCT FROM sqii.n(p.score)
   OR round(sqii.sum(c.score)::numeric, 10) IS DISTINCT FROM round(sqii.sum(p.score)::numeric, 10)
   OR round(sqii.sumsq(c.score)::numeric, 10) IS DISTINCT FROM round(sqii.sumsq(p.score)::numeric, 10);

-- School 10: HI = students 1, 2; WH = 3; EL = 1; SED = 1, 2.  met: 1 true,
-- 2 false, 3 true.  dfs: -12, -40, 25 (sum -27, squares 144 + 1600 + 625).
-- score x10: 35, 20 (student 3 has none).  School 20: student 4's met and
-- dfs are NULL, so its AS and HOM cells have students but no met or dfs.
SELECT * FROM show;
SELECT * FROM differ;
SELECT * FROM sqii.check_cells('cells');

-- Student 2 becomes an English learner and leaves socioeconomically
-- disadvantaged: EL gets 2 students, SED keeps only student 1.
UPDATE st SET el = true, sed = false WHERE id = 2;
SELECT * FROM show WHERE school = 10 AND group_code IN ('EL', 'SED');

-- Student 4 is no longer homeless: the HOM cell had only them, and goes.
UPDATE st SET homeless = false WHERE id = 4;
SELECT * FROM show WHERE school = 20;

-- Student 1 moves to school 20 with all their groups and values, and student
-- 5's met turns NULL (not eligible): school 20's ALL met is students 1 and 6,
-- (2,2,2); its dfs -12, -3, 7, (3,-8,202); its score 3.5 + 4.1 + 1.2 + 3.3.
-- Student 5's WH and SWD cells keep the student, with no met value.
UPDATE st SET school = 20 WHERE id = 1;
UPDATE st SET met = NULL WHERE id = 5;
SELECT * FROM show;
-- ... and back, eligible again.
UPDATE st SET met = false WHERE id = 5;
SELECT school, group_code, students, met FROM show WHERE school = 20 AND group_code IN ('ALL', 'WH', 'SWD');

-- Deletes down to an empty cell: the WH cell of school 10 (student 3) goes,
-- the others lose a student; no cell is left with 0 students.
DELETE FROM st WHERE id = 3;
SELECT * FROM show WHERE school = 10;
SELECT count(*) AS empty_cells FROM cells WHERE students <= 0;

-- Many changes of one student inside one statement: delete and insert again
-- in another school (a writable CTE fires the DELETE and the INSERT triggers
-- at the end of the statement), then INSERT ... ON CONFLICT DO UPDATE.
WITH gone AS (DELETE FROM st WHERE id = 6 RETURNING *)
INSERT INTO st SELECT year, id, 10, race, el, sed, swd, foster, homeless, met, dfs + 1, score FROM gone;
INSERT INTO st VALUES (2018, 6, 20, 'AA', false, true, false, false, false, false, 9, 3.4),
                      (2018, 7, 10, 'FI', false, false, false, true, false, true, 0, 0.5)
ON CONFLICT (year, id) DO UPDATE SET school = excluded.school, met = excluded.met, dfs = excluded.dfs,
                                     score = excluded.score;
SELECT * FROM differ;
SELECT * FROM sqii.check_cells('cells');

-- COPY goes through the INSERT trigger like any insert.
COPY st FROM stdin;
2019	1	10	HI	t	t	f	f	f	t	-5	3.0
2019	2	10	MR	f	f	f	f	t	f	12	\N
\.
SELECT * FROM show WHERE year = 2019;
SELECT * FROM differ;

-- A score with more decimal places than the cells keep is refused: a sum of
-- such values could not be kept exactly.  So is NaN.
UPDATE st SET score = 2.25 WHERE id = 2;
UPDATE st SET dfs = 'NaN' WHERE id = 2;
-- Whole-number dfs: a fractional dfs is refused too (decimals 0 by default).
UPDATE st SET dfs = 0.5 WHERE id = 2;

-- A cell changed by hand (in the unit rows behind the view: group bit + 1,
-- then 1 for the students and 1 + i for indicator i): the cells are out of
-- step.  check_cells shows it, a change that removes the missing students
-- fails clearly, and a rebuild puts the cells back in step.
\d cells_sqii
-- School 10's EL cell (bit 9) loses its met tally.
UPDATE cells_sqii SET groups[10][2] = NULL WHERE year = 2018 AND school = 10;
SELECT * FROM sqii.check_cells('cells');
DELETE FROM st WHERE year = 2018 AND el AND school = 10;
-- School 20's AA cell (bit 1) disappears; student 6 is in it.
UPDATE cells_sqii SET groups[2:2][1:4] = array_fill(NULL::sqii.tally, ARRAY[1, 4]) WHERE year = 2018 AND school = 20;
SELECT count(*) AS aa_cells_of_school_20 FROM cells WHERE year = 2018 AND school = 20 AND group_code = 'AA';
UPDATE st SET met = NOT met WHERE year = 2018 AND id = 6;
SELECT sqii.rebuild_cells('cells');
SELECT * FROM sqii.check_cells('cells');
-- A change that fails inside a subtransaction (a PL/pgSQL exception block
-- catches it) leaves the next changes of the transaction whole: the hand
-- edit and the failed change roll back together, the two changes after
-- them apply, and the cells stay in step.
DO $$
BEGIN
    BEGIN
        UPDATE cells_test.cells_sqii SET groups[10][2] = NULL WHERE year = 2018 AND school = 10;
        DELETE FROM cells_test.st WHERE year = 2018 AND el AND school = 10;
    EXCEPTION WHEN data_corrupted THEN
        RAISE NOTICE 'caught: %', SQLERRM;
    END;
    UPDATE cells_test.st SET met = NOT met WHERE year = 2018 AND id = 6;
    UPDATE cells_test.st SET met = NOT met, school = 10 WHERE year = 2018 AND id = 7;
END $$;
SELECT * FROM sqii.check_cells('cells');

-- TRUNCATE of the students empties the cells.
BEGIN;
TRUNCATE st;
SELECT count(*) AS cells_after_truncate FROM cells;
ROLLBACK;
SELECT count(*) AS cells_after_rollback FROM cells;

-- Batch mode: a second cell table without triggers, fed by an ETL step with
-- the before and after images of the students it touched.  Student 8 is
-- inserted, updated and deleted within the batch (it must leave no trace),
-- student 2 changes twice.
SELECT sqii.create_cells('cells_batch', 'st', ARRAY['year', 'school'], ARRAY['met', 'dfs'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], triggers => false);
SELECT trigger_name, students, enabled FROM sqii.cell_triggers('cells_batch');
CREATE TEMP TABLE before_images AS SELECT * FROM st WHERE year = 2018 AND id IN (2, 5, 8);
INSERT INTO st VALUES (2018, 8, 20, 'PI', false, true, false, false, false, true, 30, NULL);
UPDATE st SET met = true WHERE year = 2018 AND id IN (2, 8);
UPDATE st SET school = 20 WHERE year = 2018 AND id = 2;
DELETE FROM st WHERE year = 2018 AND id IN (5, 8);
CREATE TEMP TABLE after_images AS SELECT * FROM st WHERE year = 2018 AND id IN (2, 5, 8);
-- The triggers of cells_batch are disabled, so cells_batch is stale ...
SELECT count(*) > 0 AS stale FROM sqii.check_cells('cells_batch');
-- ... until the batch is applied (cells written: the groups of students 2 and 5).
SELECT sqii.apply_cell_changes('cells_batch', 'before_images', 'after_images');
SELECT * FROM sqii.check_cells('cells_batch');
SELECT * FROM sqii.check_cells('cells');
-- Inserts only, or deletes only: one of the two images is NULL.
CREATE TEMP TABLE new_rows AS SELECT 2020 AS year, id, school, race, el, sed, swd, foster, homeless, met, dfs, score
                              FROM st WHERE year = 2018;
INSERT INTO st SELECT * FROM new_rows;
SELECT sqii.apply_cell_changes('cells_batch', NULL, 'new_rows');
DELETE FROM st WHERE year = 2020;
SELECT sqii.apply_cell_changes('cells_batch', 'new_rows', NULL);
SELECT * FROM sqii.check_cells('cells_batch');
-- Unit rows are compressed with lz4 where the server has it (Debian's
-- does), and kept in the row (storage main): so the versions a transaction
-- writes fit on the page.
SELECT a.attname, a.attstorage::text || a.attcompression::text
                  = CASE WHEN 'lz4' = ANY (s.enumvals) THEN 'ml' ELSE 'x' END AS as_expected
FROM pg_attribute a, pg_settings s
WHERE s.name = 'default_toast_compression' AND a.attrelid = 'cells_sqii'::regclass
  AND a.attname = 'groups';
-- A batch on cells whose triggers run would count the change twice.
SELECT sqii.apply_cell_changes('cells', 'before_images', 'after_images');
-- Rows removed and added back unchanged write no unit row.
SELECT sqii.apply_cell_changes('cells_batch', 'after_images', 'after_images');
-- A changed row without its unit is refused, and nothing is written.
CREATE TEMP TABLE no_unit AS SELECT * FROM after_images WHERE id = 2;
UPDATE no_unit SET school = NULL;
SELECT sqii.apply_cell_changes('cells_batch', NULL, 'no_unit');
SELECT * FROM sqii.check_cells('cells_batch');
-- The tallies of a change being written are read by its own write only.
SELECT sqii.cell_change_apply(1, 1, NULL);
SELECT sqii.cell_change_apply(NULL, 1, NULL);

-- Set-up errors.
SELECT sqii.create_cells('c2', 'show', ARRAY['year'], ARRAY['met'], ARRAY['race']);
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['met', 'nope'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['race'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['met'], ARRAY['race', 'el']);
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['met'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"met": 1}');
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"dfs": 7}');
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"met": 1}');
SELECT sqii.create_cells('c2', 'st', ARRAY['year', 'year'], ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
SELECT sqii.create_cells('c2', 'st', '{}', ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
SELECT sqii.create_cells('a.b.c', 'st', ARRAY['year'], ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
ALTER TABLE st ADD COLUMN dfs_x10 float8, ADD COLUMN note int;
SELECT sqii.create_cells('c2', 'st', ARRAY['year'], ARRAY['dfs', 'dfs_x10'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"dfs": 1}');
SELECT sqii.create_cells('c2', 'st', ARRAY['note'], ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
-- Names beginning with sqii_ are the change query's own: not for units.
ALTER TABLE st ADD COLUMN sqii_term int NOT NULL DEFAULT 1;
SELECT sqii.create_cells('c2', 'st', ARRAY['sqii_term'], ARRAY['dfs'], ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']);
ALTER TABLE st DROP COLUMN sqii_term;
SELECT sqii.rebuild_cells('st');
SELECT sqii.check_cells('show');
-- Other units, and many: a text unit (hashed through its type's function)
-- with a negative integer, 2,100 units in one statement (the gatherer's
-- table grows from 256 slots to 4,096), and one column holding the mask,
-- NULL for students in no group.  Checked against a full recomputation, and
-- the units with a student in a group against plain SQL; the long text unit
-- stays in the row (storage main, with lz4).
CREATE TABLE wide_units (region text NOT NULL, code int NOT NULL, id int PRIMARY KEY, mask bigint, met boolean, dfs int);
SELECT sqii.create_cells('wide_cells', 'wide_units', ARRAY['region', 'code'], ARRAY['met', 'dfs'], ARRAY['mask']);
INSERT INTO wide_units
SELECT 'a region whose name is longer than a pointer ' || (i % 300), -(i % 7), i,
       CASE WHEN i % 11 <> 0 THEN sqii.group_mask((ARRAY['HI', 'WH', 'AA'])[1 + i % 3], i % 2 = 0, i % 5 = 0,
                                                  false, false, false) END,
       i % 4 = 0, i % 50 - 25
FROM generate_series(1, 3000) i;
UPDATE wide_units SET met = NOT met, code = code - 1 WHERE id % 2 = 0;
DELETE FROM wide_units WHERE id % 7 = 0;
SELECT count(*) AS units, count(*) FILTER (WHERE code < 0) AS negative,
       count(*) = (SELECT count(*) FROM (SELECT DISTINCT region, code FROM wide_units WHERE mask IS NOT NULL) d)
           AS as_plain_sql
FROM wide_cells_sqii;
SELECT * FROM sqii.check_cells('wide_cells');
SELECT a.attstorage = CASE WHEN 'lz4' = ANY (s.enumvals) THEN 'm' ELSE 'x' END AS as_expected
FROM pg_attribute a, pg_settings s
WHERE s.name = 'default_toast_compression' AND a.attrelid = 'wide_cells_sqii'::regclass AND a.attname = 'region';
SELECT sqii.drop_cells('wide_cells');
DROP TABLE wide_units;
-- A mask in an integer or smallint column: the triggers read it from the
-- changed rows as the change query would cast it (to bigint).  After the
-- changes, school 1 holds student 1 (mask 1: group bit 0, met) and student
-- 3 (no mask: in no cell); school 2 holds student 4 (mask 5: bits 0 and 2,
-- met unknown).  Bit 1 of school 1 emptied and is gone.
CREATE TABLE narrow_masks (school int NOT NULL, id int PRIMARY KEY, mask4 int, mask2 smallint, met boolean);
SELECT sqii.create_cells('cells_m4', 'narrow_masks', ARRAY['school'], ARRAY['met'], ARRAY['mask4']);
SELECT sqii.create_cells('cells_m2', 'narrow_masks', ARRAY['school'], ARRAY['met'], ARRAY['mask2']);
INSERT INTO narrow_masks VALUES (1, 1, 3, 3, true), (1, 2, 1, 1, false), (1, 3, NULL, NULL, true), (2, 4, 5, 5, NULL);
UPDATE narrow_masks SET mask4 = 1, mask2 = 1 WHERE id = 1;
DELETE FROM narrow_masks WHERE id = 2;
SELECT c.school, g.bit, c.students, c.met FROM cells_m4 c JOIN sqii.student_group g USING (group_code) ORDER BY 1, 2;
SELECT (SELECT count(*) FROM (TABLE cells_m4 EXCEPT TABLE cells_m2) d) AS m4_m2_differing,
       (SELECT count(*) FROM sqii.check_cells('cells_m4')) + (SELECT count(*) FROM sqii.check_cells('cells_m2')) AS differing;
SELECT sqii.drop_cells('cells_m4'), sqii.drop_cells('cells_m2');
DROP TABLE narrow_masks;
-- An extra flag (sqii.group_mask's sixth argument; here long-term English
-- learners, bit 14) is read like the five others.  Its cells against plain
-- SQL, side by side.  (In a transaction rolled back: the group is not kept.)
BEGIN;
INSERT INTO sqii.student_group (group_code, bit, kind, flag, label) VALUES ('LTEL', 14, 'program', 6, 'Long-term English learners');
CREATE TABLE ltel_st (school int NOT NULL, id int PRIMARY KEY, race text, el boolean, sed boolean, swd boolean,
                      foster boolean, homeless boolean, ltel boolean, met boolean);
SELECT sqii.create_cells('ltel_cells', 'ltel_st', ARRAY['school'], ARRAY['met'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless', 'ltel']);
INSERT INTO ltel_st SELECT i % 3, i, 'HI', i % 2 = 0, false, false, false, false, i % 4 = 0, i % 5 = 0
FROM generate_series(1, 200) i;
UPDATE ltel_st SET ltel = NOT ltel, met = NOT met WHERE id % 7 = 0;
DELETE FROM ltel_st WHERE id % 9 = 0;
SELECT c.school, c.students, p.students AS plain_students, sqii.n(c.met) AS met_n, p.met_n AS plain_met_n,
       sqii.sum(c.met) AS met_true, p.met_true AS plain_met_true
FROM (SELECT * FROM ltel_cells WHERE group_code = 'LTEL') c
FULL JOIN (SELECT school, count(*) AS students, count(met) AS met_n, count(*) FILTER (WHERE met) AS met_true
           FROM ltel_st WHERE ltel GROUP BY school) p USING (school)
ORDER BY 1;
SELECT count(*) AS differing FROM sqii.check_cells('ltel_cells');
ROLLBACK;
-- A change made while another is being written: a trigger on one cell
-- table's unit rows writes students of a second table with cells (each
-- unit row written records a student of its school there).  Both stay
-- equal to a full recomputation.  14 students are recorded: the INSERT
-- makes 4 schools' rows, each inserted then given its tallies (8 writes);
-- the UPDATE moves students into schools 1 to 4, writing 4 rows and making
-- school 4's (6 writes).
CREATE TABLE outer_st (school int NOT NULL, id int PRIMARY KEY, mask bigint, met boolean);
CREATE TABLE inner_st (school int NOT NULL, id serial PRIMARY KEY, mask bigint, met boolean);
SELECT sqii.create_cells('outer_cells', 'outer_st', ARRAY['school'], ARRAY['met'], ARRAY['mask']);
SELECT sqii.create_cells('inner_cells', 'inner_st', ARRAY['school'], ARRAY['met'], ARRAY['mask']);
CREATE FUNCTION record_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cells_test.inner_st (school, mask, met) VALUES (NEW.school, 1, true);
    RETURN NULL;
END $$;
CREATE TRIGGER record_unit AFTER INSERT OR UPDATE ON outer_cells_sqii FOR EACH ROW EXECUTE FUNCTION record_unit();
INSERT INTO outer_st SELECT i % 4, i, 1 | (i % 2) << 1, i % 3 = 0 FROM generate_series(1, 100) i;
UPDATE outer_st SET met = NOT met, school = school + 1 WHERE id % 5 = 0;
SELECT (SELECT count(*) FROM inner_st) AS inner_students,
       (SELECT sum(students) FROM inner_cells WHERE group_code = 'ALL') AS inner_cells_students,
       (SELECT count(*) FROM sqii.check_cells('outer_cells')) + (SELECT count(*) FROM sqii.check_cells('inner_cells'))
           AS differing;
SELECT sqii.drop_cells('outer_cells'), sqii.drop_cells('inner_cells');
DROP TABLE outer_st, inner_st;
DROP FUNCTION record_unit();
-- A unit column whose type changes after the session planned the write (an
-- integer school id widened to bigint): the write is planned again for the
-- new type of the units' arrays, in both paths (the transition tables; the
-- query, which a real value needs), and the cells stay equal to a full
-- recomputation.  A key that no longer fits the unit rows' integer column
-- (school 3000000000) is refused.
CREATE TABLE widen_st (school int NOT NULL, id int PRIMARY KEY, mask bigint, met boolean, score real);
CREATE TABLE widen_q (LIKE widen_st);
SELECT sqii.create_cells('widen_cells', 'widen_st', ARRAY['school'], ARRAY['met'], ARRAY['mask']);
SELECT sqii.create_cells('widen_qcells', 'widen_q', ARRAY['school'], ARRAY['met', 'score'], ARRAY['mask']);
INSERT INTO widen_st SELECT i % 3, i, 1, i % 2 = 0, i FROM generate_series(1, 30) i;
INSERT INTO widen_q SELECT * FROM widen_st;
ALTER TABLE widen_st ALTER school TYPE bigint;
ALTER TABLE widen_q ALTER school TYPE bigint;
UPDATE widen_st SET school = school + 1, met = NOT met WHERE id % 4 = 0;
UPDATE widen_q SET school = school + 1, met = NOT met WHERE id % 4 = 0;
DELETE FROM widen_st WHERE id % 5 = 0;
DELETE FROM widen_q WHERE id % 5 = 0;
SELECT c.school, c.students, sqii.sum(c.met) AS met, q.students AS query_students, sqii.sum(q.met) AS query_met,
       sqii.sum(q.score) AS query_score
FROM widen_cells c JOIN widen_qcells q USING (school, group_code) WHERE group_code = 'ALL' ORDER BY 1;
SELECT school, count(*) AS students, count(*) FILTER (WHERE met) AS plain_met, sum(score) AS plain_score
FROM widen_st GROUP BY 1 ORDER BY 1;
SELECT (SELECT count(*) FROM sqii.check_cells('widen_cells')) + (SELECT count(*) FROM sqii.check_cells('widen_qcells'))
           AS differing;
INSERT INTO widen_st VALUES (3000000000, 100, 1, true, 1);
INSERT INTO widen_q VALUES (3000000000, 100, 1, true, 1);
SELECT sqii.drop_cells('widen_cells'), sqii.drop_cells('widen_qcells');
DROP TABLE widen_st, widen_q;
-- NULL race codes (no race group), NULL flags (not in the group) and NULL
-- values, read from the transition tables (text race) and by the change
-- query (char(2) race): the same cells, equal to a full recomputation (16
-- cells, counted by hand: each school has one race code; SED and HOM only
-- in school 0 and the school the UPDATE moves students to).
CREATE TABLE nulls_direct (school int NOT NULL, id int PRIMARY KEY, race text, el boolean, sed boolean,
                           swd boolean, foster boolean, homeless boolean, met boolean, score numeric);
CREATE TABLE nulls_query (LIKE nulls_direct INCLUDING ALL);
ALTER TABLE nulls_query ALTER race TYPE char(2);
SELECT sqii.create_cells('nulls_direct_cells', 'nulls_direct', ARRAY['school'], ARRAY['met', 'score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"score": 1}'),
       sqii.create_cells('nulls_query_cells', 'nulls_query', ARRAY['school'], ARRAY['met', 'score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"score": 1}');
INSERT INTO nulls_direct
SELECT i % 3, i, CASE WHEN i % 4 <> 0 THEN (ARRAY['HI', 'WH', 'AA'])[1 + i % 3] END,
       CASE WHEN i % 5 <> 0 THEN i % 2 = 0 END, CASE WHEN i % 7 <> 0 THEN i % 3 = 0 END, NULL, false,
       CASE WHEN i % 6 = 0 THEN true END, CASE WHEN i % 8 <> 0 THEN i % 2 = 1 END,
       CASE WHEN i % 9 <> 0 THEN (i % 50) / 10.0 END
FROM generate_series(1, 400) i;
INSERT INTO nulls_query SELECT * FROM nulls_direct;
UPDATE nulls_direct SET race = NULL, el = NULL, met = NULL WHERE id % 10 = 1;
UPDATE nulls_query SET race = NULL, el = NULL, met = NULL WHERE id % 10 = 1;
UPDATE nulls_direct SET race = 'WH', score = NULL, school = 4 WHERE id % 10 = 4;
UPDATE nulls_query SET race = 'WH', score = NULL, school = 4 WHERE id % 10 = 4;
DELETE FROM nulls_direct WHERE id % 10 = 7;
DELETE FROM nulls_query WHERE id % 10 = 7;
SELECT (SELECT count(*) FROM nulls_direct_cells) AS cells,
       (SELECT count(*) FROM (SELECT school, group_code, students, met::text, score_x10::text FROM nulls_direct_cells
                              EXCEPT
                              SELECT school, group_code, students, met::text, score_x10::text FROM nulls_query_cells) d)
           AS direct_query_differing,
       (SELECT count(*) FROM sqii.check_cells('nulls_direct_cells'))
         + (SELECT count(*) FROM sqii.check_cells('nulls_query_cells')) AS differing,
       (SELECT students FROM nulls_direct_cells WHERE school = 4 AND group_code = 'ALL')
           = (SELECT count(*) FROM nulls_direct WHERE school = 4) AS moved_school_as_plain_sql;
SELECT sqii.drop_cells('nulls_direct_cells'), sqii.drop_cells('nulls_query_cells');
DROP TABLE nulls_direct, nulls_query;
-- A partitioned student table: the changed rows arrive in the parent's
-- columns whatever the partition's layout (here a dropped column in the
-- parent only), and an UPDATE that moves rows between partitions changes
-- both years' cells.  Checked against a full recomputation and plain SQL.
CREATE TABLE parted (year int NOT NULL, id int NOT NULL, school int NOT NULL, gone int, race text, el boolean,
                     sed boolean, swd boolean, foster boolean, homeless boolean, met boolean, score numeric)
    PARTITION BY LIST (year);
CREATE TABLE parted_2017 PARTITION OF parted FOR VALUES IN (2017);
ALTER TABLE parted DROP COLUMN gone;
CREATE TABLE parted_2018 (year int NOT NULL, id int NOT NULL, school int NOT NULL, race text, el boolean, sed boolean,
                          swd boolean, foster boolean, homeless boolean, met boolean, score numeric);
ALTER TABLE parted ATTACH PARTITION parted_2018 FOR VALUES IN (2018);
SELECT sqii.create_cells('parted_cells', 'parted', ARRAY['year', 'school'], ARRAY['met', 'score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"score": 1}');
INSERT INTO parted
SELECT 2017 + i % 2, i, i % 5, (ARRAY['HI', 'WH', 'AA'])[1 + i % 3], i % 2 = 0, i % 3 = 0, false, false, i % 7 = 0,
       i % 4 = 0, (i % 30) / 10.0
FROM generate_series(1, 3000) i;
UPDATE parted SET year = 2017, met = NOT met, score = score + 0.1 WHERE id % 3 = 0;
UPDATE parted SET school = school + 1, race = 'WH' WHERE id % 5 = 0;
DELETE FROM parted WHERE id % 11 = 0;
SELECT (SELECT count(*) FROM sqii.check_cells('parted_cells')) AS differing,
       (SELECT count(*) FROM parted_cells WHERE group_code = 'ALL') AS all_cells,
       (SELECT count(*) FROM parted_cells c
        JOIN (SELECT year, school, count(*) AS students, count(met) AS met_n, count(*) FILTER (WHERE met) AS met_true,
                     sum(score) AS score_sum
              FROM parted GROUP BY year, school) p USING (year, school)
        WHERE c.group_code = 'ALL' AND c.students = p.students AND sqii.n(c.met) = p.met_n
          AND sqii.sum(c.met) = p.met_true AND sqii.sum(c.score)::numeric = p.score_sum) AS all_cells_as_plain_sql;
SELECT sqii.drop_cells('parted_cells');
DROP TABLE parted;
-- Units are gathered by hashing: a unit type without a hash opclass (money)
-- is refused when the cells are made, not at the first change.
CREATE TABLE fees (fee money NOT NULL, met boolean, groups bigint);
SELECT sqii.create_cells('c3', 'fees', ARRAY['fee'], ARRAY['met'], ARRAY['groups']);
SELECT to_regclass('c3');
DROP TABLE fees;
-- The functions the cells use, called with bad arguments.
SELECT sqii.cell_value(1.5, 7);
SELECT sqii.cell_value(1e12, 6);
-- 0.1 + 0.2 in doubles is not the double nearest to 0.3: refused.
SELECT sqii.cell_value(0.1::float8 + 0.2::float8, 1);
SELECT sqii.cell_value(0.3, 1), sqii.cell_value(0.1, 1), sqii.cell_value(-2.55, 2), sqii.cell_value(-3, 0);
-- A numeric value beyond double precision is refused without being named
-- (a cast to double precision would print its digits): by sqii.cell_value,
-- by the triggers (a row added or removed), by a batch and by a full computation.
SELECT sqii.cell_value(-1e400, 1);
CREATE TABLE huge (school int NOT NULL, id int PRIMARY KEY, mask bigint, score numeric);
SELECT sqii.create_cells('huge_cells', 'huge', ARRAY['school'], ARRAY['score'], ARRAY['mask'], '{"score": 1}');
SELECT sqii.create_cells('huge_batch', 'huge', ARRAY['school'], ARRAY['score'], ARRAY['mask'], '{"score": 1}',
                         triggers => false);
INSERT INTO huge VALUES (1, 1, 1, 2.5);
INSERT INTO huge VALUES (1, 2, 1, 1e400);
CREATE TEMP TABLE huge_rows AS SELECT 1 AS school, 2 AS id, 1::bigint AS mask, 1e400::numeric AS score;
SELECT sqii.apply_cell_changes('huge_batch', NULL, 'huge_rows');
ALTER TABLE huge DISABLE TRIGGER USER;
INSERT INTO huge VALUES (1, 3, 1, 1e400);
ALTER TABLE huge ENABLE TRIGGER USER;
SELECT count(*) FROM sqii.check_cells('huge_cells');
DELETE FROM huge WHERE id = 3;
SELECT school, students, score FROM huge_cells;
SELECT sqii.drop_cells('huge_cells'), sqii.drop_cells('huge_batch');
DROP TABLE huge, huge_rows;
SELECT sqii.cell_apply('(2,1,1)', NULL, '(3,1,1)');
SELECT sqii.cell_apply('(2,1,1)', '(1,1,1)', '(3,2,2)') AS emptied, sqii.cell_apply(NULL, NULL, NULL) AS nothing,
       sqii.cell_apply('(2,1,1)', '(1,0,0)', '(1,1,1)') AS changed;
-- Whole numbers take plain arithmetic; anything else the compensated sums,
-- with the same result.  Fractions: 0.75 + 0.5 - 0.5, 0.1875 + 0.25 - 0.125.
-- A sum of exactly 2^53 (2^52 twice), its sum of squares 2^105 beyond it.
-- A sum of squares left negative, or a sum too large for its sum of squares
-- (two students who met, one removed who did not: 2^2 > 1 * 2), is out of
-- step whichever way it is computed.
SELECT sqii.cell_apply('(3,0.75,0.1875)', '(1,0.5,0.25)', '(2,0.5,0.125)') AS fractions,
       sqii.cell_apply('(1,4503599627370496,2.028240960365167e+31)', '(1,4503599627370496,2.028240960365167e+31)', NULL) AS two_to_53,
       sqii.cell_apply('(5,-7,29)', '(1,3,9)', '(2,-4,10)') AS negative_values;
SELECT sqii.cell_apply('(3,2,2)', NULL, '(1,0,3)');
SELECT sqii.cell_apply('(2,2,2)', NULL, '(1,0,0)');
-- Past 2^53 a double holds no more than every other whole number, so
-- exactness ends there (sqii.cell_value keeps each value below it): a sum
-- of squares of 2^53 - 1, plus 2, minus 2, ends at 2^53 - 2 whichever way
-- it is computed, plainly or in steps, in a tally or in a unit row.
SELECT sqii.sumsq(sqii.cell_apply('(1048576,0,9007199254740991)', '(2,0,2)', '(2,0,2)'))
           = 9007199254740990::float8 AS past_2_to_53,
       sqii.cell_apply('(1048576,0,9007199254740991)', '(2,0,2)', '(2,0,2)')::text
           = sqii.cell_apply(sqii.cell_apply('(1048576,0,9007199254740991)', '(2,0,2)', NULL), NULL, '(2,0,2)')::text
           AS in_steps,
       sqii.sumsq((sqii.cell_apply_groups('{{"(1048576,0,9007199254740991)"}}', '{{"(2,0,2)"}}',
                                          '{{"(2,0,2)"}}'))[1][1]) = 9007199254740990::float8 AS in_a_unit_row;
SELECT sqii.cell_unscale('(2,35,625)', 1);
-- A change per unit in one pass: each group's values added, then its values
-- removed.  Student 1 (group bit 0, value 5) arrives, student 2 (bits 0 and
-- 1, value 2) leaves; then the parts, trailing groups without values trimmed.
CREATE TEMP TABLE change_rows (removal boolean, mask bigint, v int);
INSERT INTO change_rows VALUES (false, 1, 5), (true, 3, 2);
SELECT sqii.cell_changes(removal, mask, true, v) AS change,
       sqii.cell_change_part(sqii.cell_changes(removal, mask, true, v), false) AS added,
       sqii.cell_change_part(sqii.cell_changes(removal, mask, true, v), true) AS removed
FROM change_rows;
-- A student who leaves and comes back unchanged is no change (NULL); a row
-- that is neither added nor removed is an error.
SELECT sqii.cell_changes(removal, 1, true, 7) IS NULL AS no_change FROM (VALUES (false), (true)) AS x(removal);
SELECT sqii.cell_changes(NULL, 1, true);
-- A unit row after a change, group by group.  Group bit 0: 3 students + 1,
-- value (2,1,1) + (1,1,1); bit 1: its only student leaves, so the group has
-- no tallies and, being the last group, is trimmed.
SELECT sqii.cell_apply_groups('{{"(3,3,3)","(2,1,1)"},{"(1,1,1)","(1,0,0)"}}', '{{"(1,1,1)","(1,1,1)"}}',
                              '{{NULL,NULL},{"(1,1,1)","(1,0,0)"}}');
-- A middle group left empty stays as NULLs; the last student gone: NULL.
SELECT sqii.cell_apply_groups('{{"(2,2,2)",NULL},{"(1,1,1)","(1,7,49)"},{"(1,1,1)",NULL}}', NULL,
                              '{{"(1,1,1)",NULL},{"(1,1,1)","(1,7,49)"}}') AS middle_emptied,
       sqii.cell_apply_groups('{{"(1,1,1)","(1,1,1)"}}', NULL, '{{"(1,1,1)","(1,1,1)"}}') IS NULL AS unit_emptied,
       sqii.cell_apply_groups(NULL, '{{"(1,1,1)","(1,4,16)"}}', NULL) AS new_unit;
-- Out of step: a value removed that the group does not hold; a value left in
-- a group without students; results of different widths.
SELECT sqii.cell_apply_groups('{{"(1,1,1)",NULL}}', NULL, '{{NULL,"(1,5,25)"}}');
SELECT sqii.cell_apply_groups('{{"(1,1,1)","(1,2,4)"}}', NULL, '{{"(1,1,1)",NULL}}');
SELECT sqii.cell_apply_groups('{{"(1,1,1)","(1,2,4)"}}', '{{"(1,1,1)"}}', NULL);
SELECT sqii.cells_trigger();

-- Roles that are not the owner: a writer with rights on the students and the
-- unit rows moves a student and the cells follow; a writer without rights on
-- the unit rows is refused (the triggers run as the writer); a reader with
-- SELECT on the view alone reads the cells, not the unit rows.
CREATE ROLE cells_writer LOGIN;
CREATE ROLE cells_student_writer LOGIN;
CREATE ROLE cells_reader LOGIN;
GRANT USAGE ON SCHEMA cells_test TO cells_writer, cells_student_writer, cells_reader;
GRANT SELECT, UPDATE ON st TO cells_writer, cells_student_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON cells_sqii TO cells_writer;
GRANT SELECT ON cells TO cells_reader;
SET ROLE cells_writer;
UPDATE st SET school = 10 WHERE year = 2018 AND id = 6;
RESET ROLE;
SELECT * FROM sqii.check_cells('cells');
SET ROLE cells_student_writer;
UPDATE st SET school = 20 WHERE year = 2018 AND id = 6;
RESET ROLE;
SET ROLE cells_reader;
SELECT school, group_code, students FROM cells WHERE year = 2018 AND group_code = 'AA' ORDER BY school;
SELECT count(*) FROM cells_sqii;
RESET ROLE;
REVOKE ALL ON SCHEMA cells_test FROM cells_writer, cells_student_writer, cells_reader;
REVOKE ALL ON st FROM cells_writer, cells_student_writer;
REVOKE ALL ON cells_sqii FROM cells_writer;
REVOKE ALL ON cells FROM cells_reader;
DROP ROLE cells_writer, cells_student_writer, cells_reader;

-- Dropping the cells drops their view, unit rows and triggers.
SELECT sqii.drop_cells('cells_batch');
SELECT tgname FROM pg_trigger WHERE tgrelid = 'st'::regclass ORDER BY tgname;
SELECT to_regclass('cells_batch'), to_regclass('cells_batch_sqii');
SET client_min_messages = warning;
DROP SCHEMA cells_test CASCADE;
RESET client_min_messages;
SET search_path = sqii, public;

-- 100,000 random changes to a sample district of 10,000 students, in
-- statements of 50 to 1,200 rows: students move between schools and groups,
-- values turn NULL and back, students leave and arrive, and some change
-- twice in one batch.  The same changes go to a second table whose cells are
-- fed by batch calls (before and after images of the students a round may
-- touch).
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS sample CASCADE;
\set ECHO none
\i examples/sample_district.sql
\set ECHO all
SELECT sample.generate(10000, 13);
RESET client_min_messages;
CREATE TABLE sample.students_batch (LIKE sample.students INCLUDING ALL);
INSERT INTO sample.students_batch SELECT * FROM sample.students;
-- A third copy whose triggers read the change through the change query (a
-- char(2) race code needs its cast to text), where the first copy's read
-- the changed rows themselves.
CREATE TABLE sample.students_query (LIKE sample.students INCLUDING ALL);
ALTER TABLE sample.students_query ALTER race TYPE char(2);
INSERT INTO sample.students_query SELECT * FROM sample.students;
SELECT sqii.create_cells('sample.cells', 'sample.students', ARRAY['school_year', 'school_id'],
                         ARRAY['chronic_absent', 'suspended', 'ela_met', 'ela_dfs', 'math_dfs', 'ela_sgp', 'sel_score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"sel_score": 2}');
SELECT sqii.create_cells('sample.cells_batch', 'sample.students_batch', ARRAY['school_year', 'school_id'],
                         ARRAY['chronic_absent', 'suspended', 'ela_met', 'ela_dfs', 'math_dfs', 'ela_sgp', 'sel_score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"sel_score": 2}', false);
SELECT sqii.create_cells('sample.cells_query', 'sample.students_query', ARRAY['school_year', 'school_id'],
                         ARRAY['chronic_absent', 'suspended', 'ela_met', 'ela_dfs', 'math_dfs', 'ela_sgp', 'sel_score'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless'], '{"sel_score": 2}');
CREATE TABLE sample.change_count (round int, rows bigint);
SET client_min_messages = warning;
DO $$
DECLARE
    tbl text;
    r int;
    n bigint;
    -- A round's changes, by a hash of (round, student): deterministic.
    pick text := '(pg_catalog.hashint8extended(student_id, %s) & 1023)';
BEGIN
    FOR r IN 1 .. 70 LOOP
        FOREACH tbl IN ARRAY ARRAY['sample.students', 'sample.students_query', 'sample.students_batch'] LOOP
            IF tbl = 'sample.students_batch' THEN
                -- Before images of every student the round may touch.
                DROP TABLE IF EXISTS pg_temp.old_rows, pg_temp.new_rows;
                EXECUTE format('CREATE TEMP TABLE old_rows AS SELECT * FROM %s WHERE ' || pick || ' < 165 OR student_id > 30000',
                               tbl, r);
            END IF;
            -- Moves and group changes, values NULL and back: about 1,750 rows
            -- in 2 statements, some of them twice.
            EXECUTE format('UPDATE %s SET school_id = 1 + (school_id * 5 + %s) %% 14, el = NOT el, '
                           'homeless = (student_id + %s) %% 5 = 0, '
                           'ela_met = CASE WHEN ela_met IS NULL THEN (student_id %% 2 = 0) WHEN student_id %% 3 = 0 THEN NULL ELSE NOT ela_met END, '
                           'ela_dfs = CASE WHEN ela_dfs IS NULL THEN (student_id %% 200) - 100 WHEN student_id %% 4 = 0 THEN NULL ELSE ela_dfs + %s END, '
                           'sel_score = CASE WHEN sel_score IS NULL THEN 1 + (student_id %% 401) / 100.0 WHEN student_id %% 5 = 0 THEN NULL '
                           '                 ELSE round((sel_score * 1.3 + 0.07)::numeric %% 5, 2)::float8 END '
                           'WHERE ' || pick || ' < 120', tbl, r, r, r, r, r);
            GET DIAGNOSTICS n = ROW_COUNT;
            INSERT INTO sample.change_count VALUES (r, n);
            EXECUTE format('UPDATE %s SET race = (ARRAY[''AA'',''AS'',''HI'',''WH'',''MR''])[1 + student_id %% 5], '
                           'sed = NOT sed, chronic_absent = NOT chronic_absent, suspended = (student_id + %s) %% 9 = 0, '
                           'math_dfs = math_dfs - 1, ela_sgp = CASE WHEN ela_sgp IS NULL THEN 50 ELSE NULL END '
                           'WHERE ' || pick || ' BETWEEN 100 AND 159', tbl, r + 1000, r);
            GET DIAGNOSTICS n = ROW_COUNT;
            INSERT INTO sample.change_count VALUES (r, n);
            -- Leavers (some of them changed above) and arrivals: about 150 + 50 rows.
            EXECUTE format('DELETE FROM %s WHERE ' || pick || ' BETWEEN 150 AND 164 OR student_id BETWEEN %s AND %s',
                           tbl, r, 30000 + 1000 * (r - 1) + 1, 30000 + 1000 * (r - 1) + 9);
            GET DIAGNOSTICS n = ROW_COUNT;
            INSERT INTO sample.change_count VALUES (r, n);
            EXECUTE format('INSERT INTO %s SELECT school_year, 30000 + 1000 * %s + row_number() OVER (ORDER BY student_id), '
                           '1 + (student_id %% 14), grade, race, el, sed, swd, foster, homeless, ela_score, math_score, '
                           'ela_met, math_met, ela_dfs, math_dfs, days_enrolled, days_absent, chronic_absent, suspended, '
                           'credits, on_track, credit_recovery, graduated, ela_sgp, math_sgp, sel_score, climate_favorable, '
                           'hs_ready, redesignated FROM %s WHERE school_year = 2018 AND student_id %% 200 = %s', tbl, r, tbl, r);
            GET DIAGNOSTICS n = ROW_COUNT;
            INSERT INTO sample.change_count VALUES (r, n);
            IF tbl = 'sample.students_batch' THEN
                EXECUTE format('CREATE TEMP TABLE new_rows AS SELECT * FROM %s WHERE ' || pick || ' < 165 OR student_id > 30000',
                               tbl, r);
                PERFORM sqii.apply_cell_changes('sample.cells_batch', 'pg_temp.old_rows', 'pg_temp.new_rows');
            END IF;
        END LOOP;
    END LOOP;
END
$$;
RESET client_min_messages;
-- With lz4, the sample district's unit rows (a school's 14 groups) are
-- compressed where that makes them smaller (sqii.cell_apply_groups with no
-- change returns a row's array anew, uncompressed); without, none is.
SELECT (count(*) FILTER (WHERE pg_column_compression(groups) = 'lz4') > 0)
           = ('lz4' = ANY ((SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression')::text[])) AS as_expected,
       bool_and(pg_column_size(groups) < pg_column_size(sqii.cell_apply_groups(groups, NULL, NULL)))
           FILTER (WHERE pg_column_compression(groups) IS NOT NULL) IS NOT FALSE AS compressed_smaller
FROM sample.cells_sqii;
-- Rows changed per table (each change counted once per table).
SELECT (sum(rows) / 3)::bigint AS changes_per_table, count(*) / 3 AS statements_per_table FROM sample.change_count;
-- The tables hold the same students, and no cell table has a cell that
-- differs from a full recomputation.
SELECT count(*) AS differing_students
FROM (TABLE sample.students EXCEPT TABLE sample.students_batch) d;
SELECT count(*) AS differing_students_query
FROM (SELECT * FROM sample.students EXCEPT
      SELECT school_year, student_id, school_id, grade, race::text, el, sed, swd, foster, homeless, ela_score, math_score,
             ela_met, math_met, ela_dfs, math_dfs, days_enrolled, days_absent, chronic_absent, suspended, credits,
             on_track, credit_recovery, graduated, ela_sgp, math_sgp, sel_score, climate_favorable, hs_ready, redesignated
      FROM sample.students_query) d;
SELECT count(*) AS trigger_cells_differing FROM sqii.check_cells('sample.cells');
SELECT count(*) AS query_trigger_cells_differing FROM sqii.check_cells('sample.cells_query');
SELECT count(*) AS batch_cells_differing FROM sqii.check_cells('sample.cells_batch');
-- Against plain SQL (an independent computation: one row per student and
-- group, GROUP BY, sqii.tally): counts and whole numbers exactly.
CREATE TEMP TABLE plain_cells AS
SELECT school_year, school_id, group_code, count(*) AS students,
       sqii.tally(chronic_absent) AS chronic_absent, sqii.tally(suspended) AS suspended,
       sqii.tally(ela_met) AS ela_met, sqii.tally(ela_dfs) AS ela_dfs, sqii.tally(math_dfs) AS math_dfs,
       sqii.tally(ela_sgp) AS ela_sgp, sqii.tally(sel_score) AS sel_score,
       sum(round(sel_score::numeric * 100)) AS sel_score_x100, sum(round(sel_score::numeric * 100) ^ 2) AS sel_score_x100_sq
FROM sample.student_group
GROUP BY school_year, school_id, group_code;
SELECT count(*) AS cells,
       count(*) FILTER (WHERE c.students IS DISTINCT FROM p.students OR c.chronic_absent IS DISTINCT FROM p.chronic_absent
                           OR c.suspended IS DISTINCT FROM p.suspended OR c.ela_met IS DISTINCT FROM p.ela_met
                           OR c.ela_dfs IS DISTINCT FROM p.ela_dfs OR c.math_dfs IS DISTINCT FROM p.math_dfs
                           OR c.ela_sgp IS DISTINCT FROM p.ela_sgp) AS differing_exactly
FROM sample.cells c FULL JOIN plain_cells p USING (school_year, school_id, group_code);
-- sel_score (two decimal places): the cells hold the exact sums in
-- hundredths, equal to numeric arithmetic on the decimal values, so no
-- drift is possible; read as a double, the sum is the exact sum rounded
-- once, within 4 units in the last place of sqii.tally's compensated sum of the
-- doubles (each double is within half a unit of its decimal value).
SELECT count(*) FILTER (WHERE sqii.n(c.sel_score) IS DISTINCT FROM sqii.n(p.sel_score)) AS n_differing,
       count(*) FILTER (WHERE sqii.sum(c.sel_score_x100)::numeric IS DISTINCT FROM p.sel_score_x100
                           OR sqii.sumsq(c.sel_score_x100)::numeric IS DISTINCT FROM p.sel_score_x100_sq) AS exact_sums_differing,
       count(*) FILTER (WHERE abs(sqii.sum(c.sel_score) - sqii.sum(p.sel_score)) > 9e-16 * abs(sqii.sum(p.sel_score))
                           OR abs(sqii.sumsq(c.sel_score) - sqii.sumsq(p.sel_score)) > 9e-16 * sqii.sumsq(p.sel_score))
           AS beyond_4_ulps
FROM sample.cells c JOIN plain_cells p USING (school_year, school_id, group_code);
-- The cells of the batch table, and those of the third table, equal those
-- of the trigger table.
SELECT count(*) AS trigger_and_batch_differing
FROM (SELECT school_year, school_id, group_code, students, chronic_absent::text, suspended::text, ela_met::text,
             ela_dfs::text, math_dfs::text, ela_sgp::text, sel_score::text FROM sample.cells
      EXCEPT
      SELECT school_year, school_id, group_code, students, chronic_absent::text, suspended::text, ela_met::text,
             ela_dfs::text, math_dfs::text, ela_sgp::text, sel_score::text FROM sample.cells_batch) d;
SELECT count(*) AS trigger_and_query_differing
FROM (SELECT school_year, school_id, group_code, students, chronic_absent::text, suspended::text, ela_met::text,
             ela_dfs::text, math_dfs::text, ela_sgp::text, sel_score::text FROM sample.cells
      EXCEPT
      SELECT school_year, school_id, group_code, students, chronic_absent::text, suspended::text, ela_met::text,
             ela_dfs::text, math_dfs::text, ela_sgp::text, sel_score::text FROM sample.cells_query) d;
SET client_min_messages = warning;
DROP SCHEMA sample CASCADE;
RESET client_min_messages;
RESET search_path;
