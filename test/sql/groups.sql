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

-- Several indicators in one pass, by hand on the same four students: met
-- (boolean), a score (integer), a numeric and a real measure.  HI: 3 rows,
-- met t/f/NULL -> (2,1,1); scores 10, 20, NULL -> (2,30,500); numeric 1.5,
-- NULL, 2.5 -> (2,4,8.5).  WH: met t, score 40, numeric 3, real 0.5.  ALL adds
-- them up; EL is the first Hispanic student only.
SELECT g.group_code, g.tallies
FROM (SELECT sqii.tallies_by_group(sqii.group_mask(r, el, false, false, false, false), met, score, num, re) AS t
      FROM (VALUES ('HI', true, true, 10, 1.5, NULL::real), ('HI', false, false, 20, NULL, NULL),
                   ('HI', false, NULL, NULL, 2.5, NULL), ('WH', false, true, 40, 3, 0.5)) v(r, el, met, score, num, re)) s,
     sqii.group_tally_rows(s.t) g;
-- The 2-D array itself: [bit + 1][value]; groups between used bits are NULL rows.
SELECT t[1][1] AS all_met, t[6][2] AS hi_score, t[8][4] AS wh_real, t[2][1] IS NULL AS aa_empty,
       array_dims(t) AS dims
FROM (SELECT sqii.tallies_by_group(sqii.group_mask(r, false, false, false, false, false), met, score, num, re) AS t
      FROM (VALUES ('HI', true, 10, 1.5, NULL::real), ('WH', true, 40, 3, 0.5)) v(r, met, score, num, re)) s;
-- No rows, NULL masks or only NULL values: NULL.
SELECT sqii.tallies_by_group(m, x, b) IS NULL AS empty FROM (VALUES (1::int8, 1::float8, true)) v(m, x, b) WHERE false;
SELECT sqii.tallies_by_group(m, x, b) IS NULL AS all_null
FROM (VALUES (1::int8, NULL::float8, NULL::boolean), (NULL, 2, true)) v(m, x, b);
-- Errors: a type that is neither boolean nor a number, an explicit VARIADIC
-- array, NaN, a value whose square overflows, a negative mask.
SELECT sqii.tallies_by_group(1::int8, true, 'x'::text);
SELECT sqii.tallies_by_group(1::int8, VARIADIC ARRAY[1, 2]);
SELECT sqii.tallies_by_group(1::int8, true, 'NaN'::numeric);
SELECT sqii.tallies_by_group(1::int8, 1e200::float8);
SELECT sqii.tallies_by_group(-1::int8, true);
-- Found by fuzzing: a numeric beyond the range of a double is refused without
-- showing the value (numeric_float8's own message would); one too small for a
-- double counts as 0; a domain over a number is that number.
SELECT sqii.tallies_by_group(1::int8, ('-3' || repeat('0', 400))::numeric);
SELECT sqii.tallies_by_group(1::int8, 1e-400::numeric, 2.5::numeric) AS tiny_is_zero;
CREATE DOMAIN pg_temp.score AS integer;
SELECT sqii.tallies_by_group(1::int8, 5::pg_temp.score, 7) AS domain_values;
-- group_tally_rows reads a 1-D result as one value per group, refuses other
-- shapes, and refuses a bit the group table does not know.
SELECT * FROM sqii.group_tally_rows(ARRAY['(2,1,1)', NULL, '(1,0,0)']::sqii.tally[]);
SELECT * FROM sqii.group_tally_rows('{}'::sqii.tally[]);
SELECT * FROM sqii.group_tally_rows(ARRAY[[['(1,1,1)']]]::sqii.tally[]);
SELECT * FROM sqii.group_tally_rows(array_fill(NULL::sqii.tally, ARRAY[20]) || '(1,1,1)'::sqii.tally);

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
-- Both indicators in one aggregate: the same cells again (a group row exists
-- when the group has a value for either).
CREATE TEMP TABLE one_pass_multi AS
SELECT c.school_id, r.group_code, r.tallies[1] AS ela_met, r.tallies[2] AS math_dfs
FROM (SELECT school_id,
             sqii.tallies_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), ela_met, math_dfs) AS t
      FROM sample.students GROUP BY school_id) c
CROSS JOIN LATERAL sqii.group_tally_rows(c.t) r;
SELECT count(*) AS cells,
       count(*) FILTER (WHERE m.school_id IS NULL OR b.school_id IS NULL
                           OR m.ela_met::text IS DISTINCT FROM b.ela_met::text
                           OR m.math_dfs::text IS DISTINCT FROM b.math_dfs::text) AS differing
FROM (SELECT * FROM by_group_by WHERE ela_met IS NOT NULL OR math_dfs IS NOT NULL) b
FULL JOIN one_pass_multi m USING (school_id, group_code);

-- Forced parallel: identical to serial.
CREATE TEMP TABLE serial_groups AS
SELECT school_id, sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), math_dfs) AS t
FROM sample.students GROUP BY school_id;
CREATE TEMP TABLE serial_multi AS
SELECT school_id, sqii.tallies_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless),
                                        ela_met, math_dfs, chronic_absent, ela_dfs) AS t
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
EXPLAIN (COSTS OFF)
SELECT school_id, sqii.tallies_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), ela_met, math_dfs, chronic_absent, ela_dfs)
FROM sample.students GROUP BY school_id;
SELECT count(*) AS schools,
       count(*) FILTER (WHERE p.t::text IS DISTINCT FROM s.t::text) AS differing
FROM (SELECT school_id, sqii.tallies_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless),
                                              ela_met, math_dfs, chronic_absent, ela_dfs) AS t
      FROM sample.students GROUP BY school_id) p
JOIN serial_multi s USING (school_id);
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
