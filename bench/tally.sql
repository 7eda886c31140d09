-- Benchmark: sqii tallies against the plain-SQL way of computing the same
-- cells, per school, serial and with 2 parallel workers.  Prints medians and
-- ratios (sqii / plain; below 1 means sqii is faster).
\set ON_ERROR_STOP 1
\set students :students
\ir lib.sql
-- Six million students in 1,000 schools.  met is NULL for 5% (not eligible),
-- x is a distance from standard (NULL for 8%).
CREATE TABLE bench.students AS
SELECT i AS student_id,
       (hashint4(i) & 1023) % 1000 AS school_id,
       CASE WHEN hashint4(i * 3) % 20 = 0 THEN NULL ELSE hashint4(i * 7) % 100 < 40 END AS met,
       CASE WHEN hashint4(i * 5) % 25 < 2 THEN NULL ELSE (hashint4(i * 11) % 300)::float8 END AS x
FROM generate_series(1, :students) AS i;
ALTER TABLE bench.students SET (parallel_workers = 2);
VACUUM ANALYZE bench.students;
-- Warm the cache so every timing reads shared buffers.
SELECT count(*) AS students FROM bench.students;

-- Pairs: name = '<n> <label> | sqii' or '<n> <label> | plain'.
INSERT INTO bench.query (ord, name, sql) VALUES
 (1, 'pct(met, 20) per school | sqii',
  'SELECT school_id, sqii.pct(met, 20) FROM bench.students GROUP BY school_id'),
 (2, 'pct(met, 20) per school | plain',
  'SELECT school_id, CASE WHEN count(met) >= 20 THEN 100.0::float8 * count(*) FILTER (WHERE met) / count(met) END
   FROM bench.students GROUP BY school_id'),
 (3, 'tally(met) per school | sqii',
  'SELECT school_id, sqii.tally(met) FROM bench.students GROUP BY school_id'),
 (4, 'tally(met) per school | plain',
  'SELECT school_id, count(met), count(*) FILTER (WHERE met) FROM bench.students GROUP BY school_id'),
 (5, 'tally(x) per school | sqii',
  'SELECT school_id, sqii.tally(x) FROM bench.students GROUP BY school_id'),
 (6, 'tally(x) per school | plain',
  'SELECT school_id, count(x), sum(x), sum(x * x) FROM bench.students GROUP BY school_id'),
 (7, 'mean(x, 20) per school | sqii',
  'SELECT school_id, sqii.mean(x, 20) FROM bench.students GROUP BY school_id'),
 (8, 'mean(x, 20) per school | plain',
  'SELECT school_id, CASE WHEN count(x) >= 20 THEN avg(x) END FROM bench.students GROUP BY school_id');

-- The two sides must agree before their speed means anything.
SELECT count(*) AS pct_mismatches
FROM (SELECT school_id, sqii.pct(met, 20) AS p FROM bench.students GROUP BY school_id) a
JOIN (SELECT school_id, CASE WHEN count(met) >= 20 THEN 100.0::float8 * count(*) FILTER (WHERE met) / count(met) END AS p
      FROM bench.students GROUP BY school_id) b USING (school_id)
WHERE a.p IS DISTINCT FROM b.p;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
CALL bench.run(0, :reps);
CALL bench.run(2, :reps);

\echo
\echo 'Median milliseconds over the repetitions; ratio = sqii / plain (<= 1.05 is the target)'
SELECT split_part(s.name, ' | ', 1) AS "query",
       s.workers AS "workers",
       round(s.ms::numeric, 0) AS "sqii ms",
       round(p.ms::numeric, 0) AS "plain ms",
       round((s.ms / p.ms)::numeric, 3) AS "ratio"
FROM bench.median s
JOIN bench.median p ON p.workers = s.workers
                   AND p.name = split_part(s.name, ' | ', 1) || ' | plain'
JOIN bench.query q ON q.name = s.name
WHERE s.name LIKE '% | sqii'
ORDER BY s.workers, q.ord;
