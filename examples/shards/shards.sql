-- Run on the coordinator by run-shards, after coordinator.sql (and, with
-- --from-0.1, after ALTER EXTENSION sqii UPDATE on every server).
--
-- Every query below runs on the sharded table and on a single-server copy of
-- the same rows, and the script fails unless (1) the results are equal and
-- (2) each shard's Remote SQL (EXPLAIN VERBOSE, FORMAT JSON) sends the sqii
-- aggregate calls, so that the shard aggregates its own rows.  Equal results
-- alone prove nothing about (2): they also hold when every student row is
-- pulled to the coordinator.  Three negative controls show that the check can
-- fail: a query that cannot push down, a shard whose server lacks
-- extensions 'sqii', and sqii.tally[] removed from the extension.
\set QUIET on
\pset footer off
-- Aggregate per partition, so that each shard runs its own.
SET enable_partitionwise_aggregate = on;

CREATE SCHEMA pushdown;

-- The Foreign Scans of a query's plan: the relation or join each scans and the
-- SQL it sends to its shard.
CREATE FUNCTION pushdown.remote_sql(query text, OUT scan text, OUT remote_sql text) RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE
    plan text;
BEGIN
    EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF, FORMAT JSON) ' || query INTO plan;
    RETURN QUERY
    SELECT coalesce(s->>'Relations', format('%s.%s', s->>'Schema', s->>'Relation Name')),
           coalesce(s->>'Remote SQL', '')
    FROM jsonb_path_query(plan::jsonb, 'strict $.** ? (@."Node Type" == "Foreign Scan")') AS s;
END $$;

-- 'pushed down' when every foreign partition of students has a Foreign Scan
-- and every Foreign Scan sends every call in calls; otherwise 'not pushed
-- down: ' and what each shard lacks.  A scan without the calls pulls the
-- shard's rows to the coordinator.
CREATE FUNCTION pushdown.verdict(query text, calls text[]) RETURNS text
LANGUAGE sql AS $$
    WITH scan AS (SELECT * FROM pushdown.remote_sql(query)),
    part AS (SELECT inhrelid::regclass::text AS part FROM pg_inherits WHERE inhparent = 'students'::regclass),
    problem AS (
        SELECT format('no Foreign Scan of %s', part) AS what FROM part
        WHERE NOT EXISTS (SELECT FROM scan WHERE strpos(scan.scan, part.part) > 0)
        UNION ALL
        SELECT format('%s lacks %s (Remote SQL: %s)', s.scan, string_agg(c, ', '), s.remote_sql)
        FROM scan s, unnest(calls) c WHERE strpos(s.remote_sql, c) = 0
        GROUP BY s.scan, s.remote_sql)
    SELECT coalesce('not pushed down: ' || string_agg(what, '; ' ORDER BY what), 'pushed down') FROM problem
$$;

-- The rows of the sharded query and the rows one query returns that the other
-- does not (each row compared as exact text).
CREATE FUNCTION pushdown.compare(sharded text, single text, OUT cells bigint, OUT differing bigint)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT count(*) FROM (%s) r', sharded) INTO cells;
    EXECUTE format('SELECT count(*) FROM (
                        (SELECT r::text FROM (%1$s) r EXCEPT ALL SELECT r::text FROM (%2$s) r)
                        UNION ALL
                        (SELECT r::text FROM (%2$s) r EXCEPT ALL SELECT r::text FROM (%1$s) r)) d',
                   sharded, single) INTO differing;
END $$;

-- The recipe's queries.  In sql, %s is the student table: students (sharded)
-- or local_students (the single-server computation, sql itself unless single
-- is given).  calls: what every shard's Remote SQL must send.  pushed = false:
-- a negative control, which the check must report as not pushed down.
CREATE TABLE pushdown.query (
    label  text PRIMARY KEY,
    sql    text NOT NULL,
    single text,
    calls  text[] NOT NULL,
    pushed boolean NOT NULL
);
INSERT INTO pushdown.query VALUES
('school cells: tally, pct, mean',
 'SELECT district_id, school_id, sqii.tally(ela_met) AS ela_met, sqii.tally(ela_dfs) AS ela_dfs,
         sqii.pct(chronic_absent, 20) AS pct_chronic_absent, sqii.mean(ela_dfs, 20) AS mean_ela_dfs
  FROM %s GROUP BY district_id, school_id', NULL,
 ARRAY['sqii.tally(ela_met)', 'sqii.tally(ela_dfs)', 'sqii.pct(chronic_absent, 20)', 'sqii.mean(ela_dfs, 20)'], true),
('school groups: tally_by_group',
 'SELECT district_id, school_id, sqii.tally_by_group(groups, ela_met) AS ela_met,
         sqii.tally_by_group(groups, ela_dfs) AS ela_dfs
  FROM %s GROUP BY district_id, school_id', NULL,
 ARRAY['sqii.tally_by_group(groups, ela_met)', 'sqii.tally_by_group(groups, ela_dfs)'], true),
('school groups: tallies_by_group',
 'SELECT district_id, school_id, sqii.tallies_by_group(groups, ela_met, ela_dfs, chronic_absent) AS t
  FROM %s GROUP BY district_id, school_id', NULL,
 ARRAY['sqii.tallies_by_group(groups, ela_met, ela_dfs, chronic_absent)'], true),
('state ela_dfs: merge of district tallies',
 'SELECT sqii.merge(t) FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM %s GROUP BY district_id) d',
 'SELECT sqii.tally(ela_dfs) FROM %s',
 ARRAY['sqii.tally(ela_dfs)'], true),
('state ela_met: merge of district tallies',
 'SELECT sqii.merge(t) FROM (SELECT district_id, sqii.tally(ela_met) AS t FROM %s GROUP BY district_id) d',
 'SELECT sqii.tally(ela_met) FROM %s',
 ARRAY['sqii.tally(ela_met)'], true),
-- PostgreSQL 15 has no partial aggregate pushdown: grouped by anything but
-- the partition key, the rows travel to the coordinator (results still equal).
('control: grouped by school_year, not the partition key',
 'SELECT school_year, sqii.tally(ela_met) FROM %s GROUP BY school_year', NULL,
 ARRAY['sqii.tally(ela_met)'], false);

CREATE TABLE local_students AS SELECT * FROM students;

\echo 'What each shard is sent (Remote SQL of every Foreign Scan):'
SELECT q.label, r.scan, r.remote_sql
FROM pushdown.query q, pushdown.remote_sql(format(q.sql, 'students')) r
ORDER BY q.pushed DESC, q.label, r.scan;

\echo 'Each query sharded against the single-server computation:'
CREATE TABLE pushdown.result AS
SELECT label, pushed, cells, differing, verdict,
       cells > 0 AND differing = 0 AND (verdict = 'pushed down') = pushed AS ok
FROM (SELECT q.label, q.pushed, c.cells, c.differing, pushdown.verdict(format(q.sql, 'students'), q.calls) AS verdict
      FROM pushdown.query q,
           pushdown.compare(format(q.sql, 'students'), format(coalesce(q.single, q.sql), 'local_students')) c) r;
SELECT label, cells, differing, verdict, ok FROM pushdown.result ORDER BY pushed DESC, label;
SELECT coalesce(string_agg(format('%s: %s; %s of %s rows differ from the single server', label,
                                  CASE WHEN pushed OR verdict <> 'pushed down' THEN verdict
                                       ELSE 'pushed down, but the check must report it as not pushed down' END,
                                  differing, cells), E'\n' ORDER BY label), '') AS query_failures,
       count(*) = 0 AS queries_ok
FROM pushdown.result WHERE NOT ok \gset
\if :queries_ok
\else
\echo 'shards: FAILED:' :query_failures
\endif

\echo
\echo 'State figures from the shard tallies, and plain SQL on the single server:'
SELECT (SELECT sqii.merge(t) FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM students GROUP BY district_id) d)
           AS state_ela_dfs_sharded,
       (SELECT sqii.mean(sqii.merge(t), 20) FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM students GROUP BY district_id) d)
           AS state_mean_sharded,
       (SELECT avg(ela_dfs) FROM local_students) AS state_mean_plain_sql;

\echo
\echo 'Control: shard1''s server without extensions ''sqii'' (nothing of sqii ships there; shard2 still runs its own)'
BEGIN;
ALTER SERVER shard1 OPTIONS (DROP extensions);
CREATE TEMP TABLE v AS
SELECT label, pushdown.verdict(format(sql, 'students'), calls) AS verdict FROM pushdown.query WHERE pushed;
SELECT label, verdict FROM v ORDER BY label;
SELECT coalesce(string_agg(format('without extensions on shard1, %s: %s', label, verdict), E'\n' ORDER BY label), '')
           AS extensions_failures
FROM v WHERE NOT (verdict LIKE 'not pushed down: %students_d1%' AND verdict NOT LIKE '%students_d2%') \gset
ROLLBACK;

\echo
\echo 'Control: sqii.tally[] not a member of the extension (the group aggregates return it, so they cannot ship)'
-- postgres_fdw caches shippability per session until a foreign server
-- changes: this control runs last, in a session of its own.
\c
SET enable_partitionwise_aggregate = on;
BEGIN;
ALTER EXTENSION sqii DROP TYPE sqii.tally[];
CREATE TEMP TABLE v AS
SELECT label, calls, pushdown.verdict(format(sql, 'students'), calls) AS verdict FROM pushdown.query WHERE pushed;
SELECT label, verdict FROM v ORDER BY label;
SELECT coalesce(string_agg(format('without sqii.tally[] in the extension, %s: %s', label, verdict), E'\n' ORDER BY label), '')
           AS member_failures
FROM v
WHERE CASE WHEN array_to_string(calls, ' ') LIKE '%by_group(%'
           THEN verdict NOT LIKE 'not pushed down: %students_d1%students_d2%'
           ELSE verdict <> 'pushed down' END \gset
ROLLBACK;

\echo
SELECT :'query_failures' || :'extensions_failures' || :'member_failures' = '' AS ok \gset
\if :ok
\echo 'shards: every query equals the single-server result, runs its sqii aggregates on the shards (Remote SQL), and all three negative controls are reported as not pushed down'
\else
\echo 'shards: FAILED' :extensions_failures
\echo :member_failures
DO $$ BEGIN RAISE EXCEPTION 'shards: a query is not pushed down, differs from the single server, or a control was not caught (see above)'; END $$;
\endif
