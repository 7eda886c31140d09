-- Run on the coordinator by run-shards, once the shard servers exist.
\set QUIET on
\pset footer off
CREATE TABLE students (
    district_id int NOT NULL, school_year int, student_id int, school_id int, grade int, race text,
    el boolean, sed boolean, swd boolean, foster boolean, homeless boolean,
    ela_score float8, math_score float8, ela_met boolean, math_met boolean, ela_dfs float8, math_dfs float8,
    days_enrolled int, days_absent int, chronic_absent boolean, suspended boolean, credits int,
    on_track boolean, credit_recovery boolean, graduated boolean, groups bigint
) PARTITION BY LIST (district_id);
CREATE FOREIGN TABLE students_d1 PARTITION OF students FOR VALUES IN (1)
    SERVER shard1 OPTIONS (schema_name 'public', table_name 'students');
CREATE FOREIGN TABLE students_d2 PARTITION OF students FOR VALUES IN (2)
    SERVER shard2 OPTIONS (schema_name 'public', table_name 'students');
-- Aggregate per partition, so that each shard runs its own.
SET enable_partitionwise_aggregate = on;

\echo 'Per-school sqii aggregates run on the shards (see Remote SQL):'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT district_id, school_id, sqii.tally(ela_met) AS ela_met, sqii.tally(ela_dfs) AS ela_dfs,
       sqii.pct(chronic_absent, 20) AS pct_chronic_absent
FROM students GROUP BY district_id, school_id;

CREATE TEMP TABLE sharded AS
SELECT district_id, school_id, sqii.tally(ela_met) AS ela_met, sqii.tally(ela_dfs) AS ela_dfs,
       sqii.pct(chronic_absent, 20) AS pct_chronic_absent
FROM students GROUP BY district_id, school_id;

-- The single-server computation: the same rows copied to the coordinator.
CREATE TEMP TABLE local_students AS SELECT * FROM students;
CREATE TEMP TABLE single AS
SELECT district_id, school_id, sqii.tally(ela_met) AS ela_met, sqii.tally(ela_dfs) AS ela_dfs,
       sqii.pct(chronic_absent, 20) AS pct_chronic_absent
FROM local_students GROUP BY district_id, school_id;

\echo
\echo 'School cells: sharded against single server (differing must be 0)'
SELECT count(*) AS school_cells,
       count(*) FILTER (WHERE s.ela_met::text IS DISTINCT FROM l.ela_met::text
                           OR s.ela_dfs::text IS DISTINCT FROM l.ela_dfs::text
                           OR s.pct_chronic_absent IS DISTINCT FROM l.pct_chronic_absent) AS differing
FROM single l FULL JOIN sharded s USING (district_id, school_id) \gset
\echo :school_cells 'school cells,' :differing 'differing'

\echo
\echo 'Every group in one pass, on the shards:'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT district_id, school_id, sqii.tallies_by_group(groups, ela_met, ela_dfs, chronic_absent)
FROM students GROUP BY district_id, school_id;
SELECT count(*) AS group_schools,
       count(*) FILTER (WHERE s.t::text IS DISTINCT FROM l.t::text) AS group_differing
FROM (SELECT district_id, school_id, sqii.tallies_by_group(groups, ela_met, ela_dfs, chronic_absent) AS t
      FROM local_students GROUP BY district_id, school_id) l
FULL JOIN (SELECT district_id, school_id, sqii.tallies_by_group(groups, ela_met, ela_dfs, chronic_absent) AS t
           FROM students GROUP BY district_id, school_id) s USING (district_id, school_id) \gset
\echo :group_schools 'schools with all groups,' :group_differing 'differing'

\echo
\echo 'State figures: shard tallies merged on the coordinator'
EXPLAIN (VERBOSE, COSTS OFF)
SELECT sqii.merge(t) FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM students GROUP BY district_id) d;
SELECT (SELECT sqii.merge(t) FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM students GROUP BY district_id) d)
           AS state_ela_dfs_sharded,
       (SELECT sqii.tally(ela_dfs) FROM local_students) AS state_ela_dfs_single,
       (SELECT sqii.mean(sqii.merge(t), 20) FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM students GROUP BY district_id) d)
           AS state_mean_sharded,
       (SELECT avg(ela_dfs) FROM local_students) AS state_mean_plain_sql;
SELECT ((SELECT sqii.merge(t)::text FROM (SELECT district_id, sqii.tally(ela_dfs) AS t FROM students GROUP BY district_id) d)
        IS DISTINCT FROM (SELECT sqii.tally(ela_dfs)::text FROM local_students))::int
       + ((SELECT sqii.merge(t)::text FROM (SELECT district_id, sqii.tally(ela_met) AS t FROM students GROUP BY district_id) d)
        IS DISTINCT FROM (SELECT sqii.tally(ela_met)::text FROM local_students))::int AS state_differing \gset
\echo 'state figures differing:' :state_differing

\echo
\echo 'What does not push down: an aggregate not grouped by the partition key (rows come to the coordinator)'
EXPLAIN (VERBOSE, COSTS OFF) SELECT school_year, sqii.tally(ela_met) FROM students GROUP BY school_year;

SELECT (:differing + :state_differing + :group_differing = 0 AND :school_cells > 0 AND :group_schools > 0) AS ok \gset
\if :ok
\echo 'shards: sharded results equal the single-server results'
\else
DO $$ BEGIN RAISE EXCEPTION 'shards: sharded and single-server results differ'; END $$;
\endif
