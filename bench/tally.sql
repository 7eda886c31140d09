-- Benchmark: sqii tallies against the plain-SQL way of computing the same
-- cells, per school, serial and with 2 parallel workers.  Prints medians and
-- ratios (sqii / plain; below 1 means sqii is faster).
\set ON_ERROR_STOP 1
\set students :students
CREATE SCHEMA bench;
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

CREATE TABLE bench.query (pair int, label text, side text, sql text);
INSERT INTO bench.query VALUES
 (1, 'pct(met, 20) per school', 'sqii',
  'SELECT school_id, sqii.pct(met, 20) FROM bench.students GROUP BY school_id'),
 (1, 'pct(met, 20) per school', 'plain',
  'SELECT school_id, CASE WHEN count(met) >= 20 THEN 100.0::float8 * count(*) FILTER (WHERE met) / count(met) END
   FROM bench.students GROUP BY school_id'),
 (2, 'tally(met) per school', 'sqii',
  'SELECT school_id, sqii.tally(met) FROM bench.students GROUP BY school_id'),
 (2, 'tally(met) per school', 'plain',
  'SELECT school_id, count(met), count(*) FILTER (WHERE met) FROM bench.students GROUP BY school_id'),
 (3, 'tally(x) per school', 'sqii',
  'SELECT school_id, sqii.tally(x) FROM bench.students GROUP BY school_id'),
 (3, 'tally(x) per school', 'plain',
  'SELECT school_id, count(x), sum(x), sum(x * x) FROM bench.students GROUP BY school_id'),
 (4, 'mean(x, 20) per school', 'sqii',
  'SELECT school_id, sqii.mean(x, 20) FROM bench.students GROUP BY school_id'),
 (4, 'mean(x, 20) per school', 'plain',
  'SELECT school_id, CASE WHEN count(x) >= 20 THEN avg(x) END FROM bench.students GROUP BY school_id');

CREATE TABLE bench.timing (pair int, side text, workers int, rep int, ms float8);

-- Runs every query :reps times, interleaved so drift hits both sides alike.
CREATE PROCEDURE bench.run(workers int, reps int) LANGUAGE plpgsql AS $$
DECLARE
    q record;
    t0 timestamptz;
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
    FOR r IN 1..reps LOOP
        FOR q IN SELECT * FROM bench.query ORDER BY pair, side LOOP
            t0 := clock_timestamp();
            EXECUTE q.sql;
            INSERT INTO bench.timing
            VALUES (q.pair, q.side, workers, r, extract(epoch FROM clock_timestamp() - t0) * 1000);
        END LOOP;
    END LOOP;
END $$;

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
SELECT q.label AS "query",
       t.workers AS "workers",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'sqii')::numeric, 0) AS "sqii ms",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'plain')::numeric, 0) AS "plain ms",
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'sqii')
            / percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.side = 'plain'))::numeric, 3) AS "ratio"
FROM bench.timing t
JOIN (SELECT DISTINCT pair, label FROM bench.query) q USING (pair)
GROUP BY q.pair, q.label, t.workers
ORDER BY t.workers, q.pair;
