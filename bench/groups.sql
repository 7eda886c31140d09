-- Benchmark for issue 6: every student group in one pass, at state scale.
-- All cells per school for 14 groups (all students, 8 race groups, EL, SED,
-- SWD, foster, homeless) and 6 indicators, timed serial and with 2 workers,
-- printed as ratios to one count(*) scan of the same table.
\set ON_ERROR_STOP 1
\ir lib.sql
SET client_min_messages = warning;
\ir ../examples/sample_district.sql
RESET client_min_messages;
SELECT sample.generate(:students, 7, :schools);
-- The student table with the group mask stored, as an ETL would load it.
CREATE TABLE bench.students AS
SELECT s.*, sqii.group_mask(race, el, sed, swd, foster, homeless) AS groups FROM sample.students s;
ALTER TABLE bench.students SET (parallel_workers = 2);
VACUUM ANALYZE bench.students;
SELECT pg_size_pretty(pg_relation_size('bench.students')) AS table_size,
       (SELECT count(*) FROM bench.students) AS students,
       (SELECT count(DISTINCT school_id) FROM bench.students) AS schools;

\set plain_aggs 'count(ela_met), count(*) FILTER (WHERE ela_met), count(math_met), count(*) FILTER (WHERE math_met), count(chronic_absent), count(*) FILTER (WHERE chronic_absent), count(suspended), count(*) FILTER (WHERE suspended), count(ela_dfs), sum(ela_dfs), sum(ela_dfs * ela_dfs), count(math_dfs), sum(math_dfs), sum(math_dfs * math_dfs)'
\set sqii_aggs 'sqii.tally(ela_met), sqii.tally(math_met), sqii.tally(chronic_absent), sqii.tally(suspended), sqii.tally(ela_dfs), sqii.tally(math_dfs)'
\set mask 'sqii.group_mask(race, el, sed, swd, foster, homeless)'

INSERT INTO bench.query (ord, name, sql) VALUES
 (1, 'count(*) scan', 'SELECT count(*) FROM bench.students'),
 (2, 'floor: plain, all students only',
  'SELECT school_id, ' || :'plain_aggs' || ' FROM bench.students GROUP BY school_id'),
 (3, 'plain: LATERAL VALUES groups',
  'SELECT s.school_id, g.code, ' || :'plain_aggs' || ' FROM bench.students s
   CROSS JOIN LATERAL (VALUES (''ALL''), (s.race), (CASE WHEN s.el THEN ''EL'' END),
       (CASE WHEN s.sed THEN ''SED'' END), (CASE WHEN s.swd THEN ''SWD'' END),
       (CASE WHEN s.foster THEN ''FOS'' END), (CASE WHEN s.homeless THEN ''HOM'' END)) g(code)
   WHERE g.code IS NOT NULL GROUP BY 1, 2'),
 (4, 'plain: GROUPING SETS',
  'SELECT school_id, race, el, sed, swd, foster, homeless, ' || :'plain_aggs' || ' FROM bench.students
   GROUP BY GROUPING SETS ((school_id), (school_id, race), (school_id, el), (school_id, sed),
                           (school_id, swd), (school_id, foster), (school_id, homeless))'),
 (5, 'plain: UNION ALL',
  'SELECT school_id, ''ALL'' AS code, ' || :'plain_aggs' || ' FROM bench.students GROUP BY 1
   UNION ALL SELECT school_id, race, ' || :'plain_aggs' || ' FROM bench.students GROUP BY 1, 2
   UNION ALL SELECT school_id, ''EL'', ' || :'plain_aggs' || ' FROM bench.students WHERE el GROUP BY 1
   UNION ALL SELECT school_id, ''SED'', ' || :'plain_aggs' || ' FROM bench.students WHERE sed GROUP BY 1
   UNION ALL SELECT school_id, ''SWD'', ' || :'plain_aggs' || ' FROM bench.students WHERE swd GROUP BY 1
   UNION ALL SELECT school_id, ''FOS'', ' || :'plain_aggs' || ' FROM bench.students WHERE foster GROUP BY 1
   UNION ALL SELECT school_id, ''HOM'', ' || :'plain_aggs' || ' FROM bench.students WHERE homeless GROUP BY 1'),
 (6, 'sqii: GROUP BY school, unnest(sqii.groups())',
  'SELECT s.school_id, g.code, ' || :'sqii_aggs' || ' FROM bench.students s
   CROSS JOIN LATERAL unnest(sqii.groups(race, el, sed, swd, foster, homeless)) g(code) GROUP BY 1, 2'),
 (7, 'sqii: one pass, mask computed',
  'SELECT school_id, sqii.tally_by_group(' || :'mask' || ', ela_met), sqii.tally_by_group(' || :'mask' || ', math_met),
          sqii.tally_by_group(' || :'mask' || ', chronic_absent), sqii.tally_by_group(' || :'mask' || ', suspended),
          sqii.tally_by_group(' || :'mask' || ', ela_dfs), sqii.tally_by_group(' || :'mask' || ', math_dfs)
   FROM bench.students GROUP BY school_id'),
 (8, 'sqii: one pass, mask stored',
  'SELECT school_id, sqii.tally_by_group(groups, ela_met), sqii.tally_by_group(groups, math_met),
          sqii.tally_by_group(groups, chronic_absent), sqii.tally_by_group(groups, suspended),
          sqii.tally_by_group(groups, ela_dfs), sqii.tally_by_group(groups, math_dfs)
   FROM bench.students GROUP BY school_id'),
 (9, 'sqii: one pass, one aggregate, mask computed',
  'SELECT school_id, sqii.tallies_by_group(' || :'mask' || ', ela_met, math_met, chronic_absent, suspended, ela_dfs, math_dfs)
   FROM bench.students GROUP BY school_id'),
 (10, 'sqii: one pass, one aggregate, mask stored',
  'SELECT school_id, sqii.tallies_by_group(groups, ela_met, math_met, chronic_absent, suspended, ela_dfs, math_dfs)
   FROM bench.students GROUP BY school_id'),
 (11, 'sqii: one aggregate + group_tally_rows (long format)',
  'SELECT c.school_id, r.group_code, r.tallies
   FROM (SELECT school_id, sqii.tallies_by_group(groups, ela_met, math_met, chronic_absent, suspended, ela_dfs, math_dfs) AS t
         FROM bench.students GROUP BY school_id) c
   CROSS JOIN LATERAL sqii.group_tally_rows(c.t) r'),
 (12, 'reference: read every column, group by school',
  'SELECT school_id, count(groups) FROM bench.students GROUP BY school_id'),
 (13, 'reference: CPU-bound hash sum',
  'SELECT sum(hashint8(student_id) % 7), sum(hashint8(student_id + 1) % 7) FROM bench.students');

-- Both one-pass forms and GROUP BY give the same cells (all six indicators)
-- before their speed is compared.
CREATE TEMP TABLE by_group_by AS
SELECT s.school_id, g.code, ARRAY[sqii.tally(ela_met), sqii.tally(math_met), sqii.tally(chronic_absent),
                                  sqii.tally(suspended), sqii.tally(ela_dfs), sqii.tally(math_dfs)] AS t
FROM bench.students s
CROSS JOIN LATERAL unnest(sqii.groups(race, el, sed, swd, foster, homeless)) g(code)
GROUP BY 1, 2;
SELECT count(*) AS cells_compared,
       count(*) FILTER (WHERE o.t::text IS DISTINCT FROM b.t::text) AS one_aggregate_differing,
       count(*) FILTER (WHERE o1.t::text IS DISTINCT FROM b.t[5]::text) AS per_indicator_differing
FROM by_group_by b
LEFT JOIN (SELECT c.school_id, x.group_code AS code, x.tallies AS t
           FROM (SELECT school_id, sqii.tallies_by_group(groups, ela_met, math_met, chronic_absent, suspended,
                                                         ela_dfs, math_dfs) AS t
                 FROM bench.students GROUP BY 1) c,
                sqii.group_tally_rows(c.t) x) o USING (school_id, code)
LEFT JOIN (SELECT c.school_id, x.group_code AS code, x.tally AS t
           FROM (SELECT school_id, sqii.tally_by_group(groups, ela_dfs) AS t FROM bench.students GROUP BY 1) c,
                sqii.group_tallies(c.t) x) o1 USING (school_id, code)
WHERE b.t::text <> '{NULL,NULL,NULL,NULL,NULL,NULL}';
DROP TABLE by_group_by;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET work_mem = '256MB';
CALL bench.run(0, :reps);
CALL bench.run(2, :reps);

\echo
\echo 'Median ms; x count(*) = ratio to one count(*) scan; x floor = ratio to the plain all-students aggregate'
SELECT m.name AS "formulation", m.workers AS "workers", round(m.ms::numeric) AS "ms",
       round((m.ms / c.ms)::numeric, 2) AS "x count(*)",
       round((m.ms / f.ms)::numeric, 2) AS "x floor",
       round((s.ms / m.ms)::numeric, 2) AS "parallel speed-up"
FROM bench.median m
JOIN bench.query q USING (name)
JOIN bench.median c ON c.name = 'count(*) scan' AND c.workers = m.workers
JOIN bench.median f ON f.name = 'floor: plain, all students only' AND f.workers = m.workers
JOIN bench.median s ON s.name = m.name AND s.workers = 0
ORDER BY m.workers, q.ord;

\echo
\echo 'Best plain SQL vs one pass (stored mask), and peak memory of each plan (serial)'
SELECT w.workers,
       round((min(w.ms) FILTER (WHERE w.name LIKE 'plain:%')
            / min(w.ms) FILTER (WHERE w.name LIKE 'sqii: one pass%'))::numeric, 2) AS "one pass faster than best plain by",
       (array_agg(w.name ORDER BY w.ms) FILTER (WHERE w.name LIKE 'plain:%'))[1] AS "best plain",
       (array_agg(w.name ORDER BY w.ms) FILTER (WHERE w.name LIKE 'sqii: one pass%'))[1] AS "fastest one pass"
FROM bench.median w GROUP BY w.workers ORDER BY w.workers;
SELECT q.name AS "formulation", pg_size_pretty(bench.peak_memory_kb(q.sql, 0) * 1024) AS "peak node memory"
FROM bench.query q WHERE q.ord BETWEEN 2 AND 11 ORDER BY q.ord;
