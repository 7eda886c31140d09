-- Student groups: the mapping table, sqii.group_mask / sqii.groups, and the
-- one-pass sqii.tally_by_group, which must equal the GROUP BY school, group
-- formulation cell for cell, serial and parallel.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

SELECT group_code, bit, kind, flag FROM sqii.student_group ORDER BY bit;
SELECT local_code, group_code FROM sqii.race_code ORDER BY local_code;

-- By hand: Hispanic English learner, disadvantaged, not SWD, foster unknown
-- (NULL is not in the group): bits 0, 5, 9, 10 = 1 + 32 + 512 + 1024 = 1569.
SELECT sqii.group_mask('HI', true, true, false, NULL, false) AS mask,
       sqii.groups('HI', true, true, false, NULL, false) AS groups;
SELECT sqii.groups(NULL, NULL, NULL, NULL, NULL, NULL) AS no_race, sqii.groups('MR', false, false, true, true, true) AS mr_swd_fos_hom;
-- An unmapped code is an error, not a student silently missing from race groups.
SELECT sqii.groups('Latino', false, false, false, false, false);

-- A district adapts the tables: a local code and a long-term EL group on the
-- first extra flag.
INSERT INTO sqii.race_code (local_code, group_code) VALUES ('Latino', 'HI');
INSERT INTO sqii.student_group (group_code, bit, kind, flag, label) VALUES ('LTEL', 14, 'program', 6, 'Long-term English learners');
SELECT sqii.groups('Latino', true, false, false, false, false, true) AS with_ltel,
       sqii.groups('Latino', true, false, false, false, false, false) AS without_ltel,
       sqii.groups('Latino', true, false, false, false, false) AS no_extra_flags;
SELECT sqii.groups('HI', true, false, false, false, false, VARIADIC ARRAY[[true]]);
DELETE FROM sqii.student_group WHERE group_code = 'LTEL';
DELETE FROM sqii.race_code WHERE local_code = 'Latino';
-- Bad group definitions are refused by the tables.
INSERT INTO sqii.student_group (group_code, bit, kind, flag, label) VALUES ('X', 63, 'program', 7, 'x');
INSERT INTO sqii.student_group (group_code, bit, kind, flag, label) VALUES ('X', 20, 'program', NULL, 'x');
INSERT INTO sqii.student_group (group_code, bit, kind, flag, label) VALUES ('X', 3, 'race', NULL, 'x');

-- Aggregates on a tiny table, by hand: three Hispanic students (met: t, f,
-- NULL) and one White (t); the first is an English learner.
SELECT g.group_code, g.tally
FROM (SELECT sqii.tally_by_group(sqii.group_mask(r, el, false, false, false, false), met) AS t
      FROM (VALUES ('HI', true, true), ('HI', false, false), ('HI', false, NULL), ('WH', false, true)) v(r, el, met)) s,
     sqii.group_tallies(s.t) g;
-- No rows, only NULL values, or NULL masks: NULL.
SELECT sqii.tally_by_group(m, x) IS NULL AS empty FROM (VALUES (1::int8, 1::float8)) v(m, x) WHERE false;
SELECT sqii.tally_by_group(m, x) IS NULL AS all_null FROM (VALUES (1::int8, NULL::float8), (NULL, 2)) v(m, x);
SELECT sqii.tally_by_group(-1::int8, true);
SELECT sqii.tally_by_group(1::int8, 'NaN'::float8);

-- The sample district: one pass equals GROUP BY school, group (plain sqii
-- aggregates over sqii.groups) for every cell.
\set ECHO none
SET client_min_messages = warning;
\i examples/sample_district.sql
SELECT sample.generate(8000, 5);
RESET client_min_messages;
\set ECHO all
CREATE TEMP TABLE by_group_by AS
SELECT s.school_id, g.group_code, sqii.tally(s.ela_met) AS ela_met, sqii.tally(s.math_dfs) AS math_dfs
FROM sample.students s
CROSS JOIN LATERAL unnest(sqii.groups(s.race, s.el, s.sed, s.swd, s.foster, s.homeless)) AS g(group_code)
GROUP BY s.school_id, g.group_code;
CREATE TEMP TABLE one_pass AS
SELECT c.school_id, e.group_code, e.tally AS ela_met, d.tally AS math_dfs
FROM (SELECT school_id,
             sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), ela_met) AS ela_met,
             sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), math_dfs) AS math_dfs
      FROM sample.students GROUP BY school_id) c
CROSS JOIN LATERAL sqii.group_tallies(c.ela_met) e
LEFT JOIN LATERAL sqii.group_tallies(c.math_dfs) d ON d.group_code = e.group_code;
-- Cells with an ELA tally in the GROUP BY form, and how many differ.
SELECT count(*) AS cells,
       count(*) FILTER (WHERE o.school_id IS NULL
                           OR o.ela_met::text IS DISTINCT FROM b.ela_met::text
                           OR o.math_dfs::text IS DISTINCT FROM b.math_dfs::text) AS differing
FROM by_group_by b LEFT JOIN one_pass o USING (school_id, group_code)
WHERE b.ela_met IS NOT NULL;
SELECT count(*) AS one_pass_cells FROM one_pass;

-- Forced parallel: identical to serial.
CREATE TEMP TABLE serial_groups AS
SELECT school_id, sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), math_dfs) AS t
FROM sample.students GROUP BY school_id;
ALTER TABLE sample.students SET (parallel_workers = 2);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF)
SELECT school_id, sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), math_dfs)
FROM sample.students GROUP BY school_id;
SELECT count(*) AS schools,
       count(*) FILTER (WHERE p.t::text IS DISTINCT FROM s.t::text) AS differing
FROM (SELECT school_id, sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), math_dfs) AS t
      FROM sample.students GROUP BY school_id) p
JOIN serial_groups s USING (school_id);
-- Workers whose rows reach different highest bits (bit 40 only in the first
-- rows) combine states of different sizes.
CREATE TABLE wide_masks AS
SELECT i, (1::int8 | CASE WHEN i <= 10 THEN 1::int8 << 40 ELSE 0 END | CASE WHEN i % 3 = 0 THEN 4 ELSE 0 END) AS m,
       (i % 7)::float8 AS x
FROM generate_series(1, 200000) i;
ALTER TABLE wide_masks SET (parallel_workers = 2);
SET enable_hashagg = on;
EXPLAIN (COSTS OFF) SELECT sqii.tally_by_group(m, x) FROM wide_masks;
SELECT t[1] AS bit0, t[3] AS bit2, t[41] AS bit40, cardinality(t) AS slots,
       t::text = (SELECT sqii.tally_by_group(m, x)::text FROM (SELECT * FROM wide_masks ORDER BY i OFFSET 0) s) AS same_as_serial
FROM (SELECT sqii.tally_by_group(m, x) AS t FROM wide_masks) p;
-- By hand: bit 0 counts all 200,000 rows, bit 2 the multiples of 3 (66,666), bit 40 rows 1-10.
SELECT count(*) AS n0, sum(x) AS s0, count(*) FILTER (WHERE i % 3 = 0) AS n2,
       sum(x) FILTER (WHERE i <= 10) AS s40 FROM wide_masks;
DROP TABLE wide_masks;
RESET ALL;
ALTER TABLE sample.students RESET (parallel_workers);
