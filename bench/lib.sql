-- Shared benchmark machinery: register queries in bench.query, run them
-- interleaved (so drift hits every query alike) with bench.run(workers, reps),
-- read medians from bench.median.
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE bench.query (name text PRIMARY KEY, ord int NOT NULL, sql text NOT NULL);
CREATE TABLE bench.timing (name text, workers int, rep int, ms float8);

CREATE PROCEDURE bench.run(workers int, reps int) LANGUAGE plpgsql AS $$
DECLARE
    q record;
    t0 timestamptz;
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
    -- JIT compiles every expression again in each parallel worker, which
    -- swamps queries of a second or two; measure the executor itself.
    PERFORM set_config('jit', 'off', true);
    FOR r IN 1..reps LOOP
        FOR q IN SELECT * FROM bench.query ORDER BY ord LOOP
            t0 := clock_timestamp();
            EXECUTE q.sql;      -- every row is produced and discarded
            INSERT INTO bench.timing
            VALUES (q.name, workers, r, extract(epoch FROM clock_timestamp() - t0) * 1000);
        END LOOP;
    END LOOP;
END $$;

CREATE VIEW bench.median AS
SELECT name, workers, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms
FROM bench.timing GROUP BY name, workers;

-- Peak memory of a query's plan nodes (hash tables, sorts), in kB.
CREATE FUNCTION bench.peak_memory_kb(q text, workers int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE plan text;
BEGIN
    PERFORM set_config('max_parallel_workers_per_gather', workers::text, true);
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
    RETURN (SELECT max(m[1]::bigint)
            FROM regexp_matches(plan, '"(?:Peak )?Memory Usage": ([0-9]+)', 'g') AS m);
END $$;
