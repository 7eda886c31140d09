-- Parallel aggregation: forced parallel plans (Partial Aggregate in workers,
-- states serialized, combined in the leader) give exactly the serial result.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

CREATE TABLE par (id int, school int, met boolean, x float8);
INSERT INTO par
SELECT i, i % 97,
       CASE WHEN i % 11 = 0 THEN NULL ELSE (i::int8 * 7919) % 10 < 4 END,
       CASE WHEN i % 13 = 0 THEN NULL ELSE 0.1 * ((i::int8 * 104729) % 1000) - 37.3 END
FROM generate_series(1, 200000) i;
ANALYZE par;
ALTER TABLE par SET (parallel_workers = 2);

-- Returns whether a query ran with parallel workers launched.
CREATE FUNCTION workers_launched(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) ' || q INTO plan;
    RETURN (plan::text ~ '"Workers Launched": [1-9]');
END $$;

CREATE TEMP TABLE serial_result AS
SELECT school, sqii.tally(met) AS t_met, sqii.tally(x) AS t_x,
       sqii.pct(met, 20) AS pct, sqii.mean(x, 20) AS mean
FROM par GROUP BY school;
CREATE TEMP TABLE serial_total AS
SELECT sqii.tally(met) AS t_met, sqii.tally(x) AS t_x, sqii.pct(met, 20) AS pct, sqii.mean(x, 20) AS mean
FROM par;

-- The change of maintained cells per school: rows added and removed, groups
-- seen by one half only (bit 5, removed rows of the last quarter, which one
-- worker may never see), rows without groups.
CREATE TEMP TABLE serial_changes AS
SELECT school, sqii.cell_changes(id % 3 = 0,
                         CASE WHEN id % 17 = 0 THEN NULL
                              ELSE 1 | CASE WHEN id % 5 = 0 THEN 4 ELSE 0 END
                                     | CASE WHEN id > 150000 AND id % 3 = 0 THEN 32 ELSE 0 END END,
                         true, met, (x * 10)::int) AS change
FROM par GROUP BY school;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;

EXPLAIN (COSTS OFF)
SELECT sqii.tally(met), sqii.tally(x), sqii.pct(met, 20), sqii.mean(x, 20) FROM par;
SELECT workers_launched('SELECT sqii.tally(met), sqii.tally(x), sqii.pct(met, 20), sqii.mean(x, 20) FROM par');
SELECT s.t_met::text = p.t_met::text AS tally_bool_same,
       s.t_x::text = p.t_x::text AS tally_float_same,
       s.pct = p.pct AS pct_same, s.mean = p.mean AS mean_same
FROM serial_total s,
     (SELECT sqii.tally(met) AS t_met, sqii.tally(x) AS t_x, sqii.pct(met, 20) AS pct, sqii.mean(x, 20) AS mean
      FROM par) p;

-- Per school (Partial GroupAggregate under Gather Merge).
EXPLAIN (COSTS OFF)
SELECT school, sqii.tally(met), sqii.tally(x), sqii.pct(met, 20), sqii.mean(x, 20) FROM par GROUP BY school;
SELECT count(*) AS schools,
       count(*) FILTER (WHERE s.t_met::text IS DISTINCT FROM p.t_met::text
                           OR s.t_x::text IS DISTINCT FROM p.t_x::text
                           OR s.pct IS DISTINCT FROM p.pct
                           OR s.mean IS DISTINCT FROM p.mean) AS mismatches
FROM serial_result s
JOIN (SELECT school, sqii.tally(met) AS t_met, sqii.tally(x) AS t_x, sqii.pct(met, 20) AS pct,
             sqii.mean(x, 20) AS mean
      FROM par GROUP BY school) p USING (school);

-- Cell changes per school, states serialized and combined block by block.
SELECT workers_launched('SELECT school, sqii.cell_changes(id % 3 = 0,
                         CASE WHEN id % 17 = 0 THEN NULL
                              ELSE 1 | CASE WHEN id % 5 = 0 THEN 4 ELSE 0 END
                                     | CASE WHEN id > 150000 AND id % 3 = 0 THEN 32 ELSE 0 END END,
                         true, met, (x * 10)::int) FROM par GROUP BY school');
SELECT count(*) AS schools, count(*) FILTER (WHERE s.change::text IS DISTINCT FROM p.change::text) AS mismatches,
       count(*) FILTER (WHERE p.change IS NULL) AS without_change,
       count(*) FILTER (WHERE array_length(p.change, 1) = 6) AS with_bit_5
FROM serial_changes s
JOIN (SELECT school, sqii.cell_changes(id % 3 = 0,
                         CASE WHEN id % 17 = 0 THEN NULL
                              ELSE 1 | CASE WHEN id % 5 = 0 THEN 4 ELSE 0 END
                                     | CASE WHEN id > 150000 AND id % 3 = 0 THEN 32 ELSE 0 END END,
                         true, met, (x * 10)::int) AS change
      FROM par GROUP BY school) p USING (school);

-- Merge of stored tallies in parallel.
CREATE TABLE par_tally AS SELECT id % 5000 AS k, sqii.tally(met) AS t FROM par GROUP BY 1;
ALTER TABLE par_tally SET (parallel_workers = 2);
EXPLAIN (COSTS OFF) SELECT sqii.merge(t) FROM par_tally;
SELECT sqii.merge(t)::text = (SELECT t_met::text FROM serial_total) AS merge_same FROM par_tally;

-- Workers that see no rows send no state; the leader combines what exists.
SELECT sqii.tally(met), sqii.pct(met, 0), sqii.mean(x, 0) FROM par WHERE id <= 3;
SELECT sqii.tally(met), sqii.pct(met, 0) FROM par WHERE id < 0;
-- Errors raised in a worker reach the client.
SELECT sqii.pct(met, CASE WHEN id = 150000 THEN 5 ELSE 20 END) FROM par;
SELECT sqii.pct(met, -1) FROM par;

RESET ALL;
DROP TABLE par, par_tally;
DROP FUNCTION workers_launched(text);
