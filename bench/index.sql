-- The SQII index of 10,000 schools (10 indicators x 5 groups each) with
-- sqii.sqii_index against a plain-SQL formulation of the same rules, after
-- checking that both give the same index for every school; serial and with 2
-- workers, interleaved, with the cost of merely reading the cells (count(*),
-- and count(*) per school) as the floor.
\set ON_ERROR_STOP 1
\ir lib.sql
SELECT count(sqii.freeze_cutpoints('core-2016', indicator, 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90]))
FROM sqii.model_indicator WHERE model = 'core-2016' AND scale = 'cuts';

-- 10,000 schools, a third each elementary, middle, high; each has 10 of the
-- model's indicators (those that apply to its level, minus survey ones at
-- random) for ALL, one race group pair and EL, SWD, SED; some cells small.
CREATE TABLE bench.school AS
SELECT s AS school_id, (ARRAY['elementary', 'middle', 'high'])[1 + s % 3] AS level FROM generate_series(1, :schools) s;
CREATE TABLE bench.cell AS
SELECT sc.school_id, sc.level, i.indicator, g.code AS group_code,
       ((hashint4(sc.school_id * 1000 + i.k * 10 + g.j) & 1023) / 10.23)::float8 AS value,
       (5 + (hashint4(sc.school_id * 7 + g.j * 13 + i.k) & 255))::int8 AS n
FROM bench.school sc
JOIN (SELECT indicator, school_levels, row_number() OVER (ORDER BY indicator)::int AS k
      FROM sqii.model_indicator WHERE model = 'core-2016') i
  ON i.school_levels IS NULL OR sc.level = ANY (i.school_levels)
CROSS JOIN (VALUES ('ALL', 1), ('HI', 2), ('AA', 3), ('EL', 4), ('SWD', 5), ('SED', 6)) g(code, j)
WHERE g.code <> CASE WHEN sc.school_id % 2 = 0 THEN 'AA' ELSE 'HI' END;
ANALYZE bench.cell;
SELECT count(*) AS cells, count(DISTINCT school_id) AS schools,
       round(count(*)::numeric / count(DISTINCT (school_id, indicator)), 1) AS groups_per_indicator
FROM bench.cell;

-- The same rules in plain SQL, for every school at once.
CREATE VIEW bench.plain_index AS
WITH m AS (SELECT * FROM sqii.model WHERE model = 'core-2016'),
ind AS (
    SELECT i.*, c.cuts, ARRAY(SELECT -x FROM unnest(c.cuts) WITH ORDINALITY u(x, o) ORDER BY o DESC) AS neg_cuts
    FROM sqii.model_indicator i LEFT JOIN sqii.model_cut c USING (model, indicator)
    WHERE i.model = 'core-2016'
),
applicable AS (
    SELECT s.school_id, s.level, ind.* FROM bench.school s
    JOIN ind ON ind.school_levels IS NULL OR s.level = ANY (ind.school_levels)
),
eligible AS (
    SELECT c.school_id, c.indicator, c.group_code, c.value, c.n, a.domain, a.higher_is_better, a.scale,
           a.subgroups, a.cuts, a.neg_cuts
    FROM bench.cell c JOIN applicable a USING (school_id, indicator), m
    WHERE c.value IS NOT NULL AND c.n >= m.n_size
),
chosen AS (
    SELECT 'all' AS category, e.* FROM eligible e WHERE e.group_code = 'ALL'
    UNION ALL
    (SELECT DISTINCT ON (e.school_id, e.indicator) 'race', e.*
     FROM eligible e JOIN sqii.student_group g ON g.group_code = e.group_code AND g.kind = 'race'
     WHERE e.subgroups
     ORDER BY e.school_id, e.indicator, CASE WHEN e.higher_is_better THEN e.value ELSE -e.value END,
              e.n DESC, e.group_code)
    UNION ALL
    SELECT 'cat', e.* FROM eligible e WHERE e.subgroups AND e.group_code IN ('EL', 'SWD', 'SED')
),
leveled AS (
    SELECT ch.school_id, ch.indicator, ch.domain, ch.subgroups, ch.category,
           CASE WHEN ch.scale = 'growth_percentile' THEN least(10, 1 + floor(ch.value / 10))::int
                WHEN ch.higher_is_better THEN 1 + width_bucket(ch.value, ch.cuts)
                ELSE 1 + width_bucket(-ch.value, ch.neg_cuts) END AS level
    FROM chosen ch
),
per_indicator AS (
    SELECT school_id, indicator, domain, subgroups,
           count(*) FILTER (WHERE category <> 'all') AS k,
           max(level) FILTER (WHERE category = 'all') AS all_level,
           sum(level::float8) FILTER (WHERE category <> 'all') AS cat_sum
    FROM leveled GROUP BY school_id, indicator, domain, subgroups
    HAVING bool_or(category = 'all')
),
scored AS (
    SELECT p.*, CASE WHEN k = 0 THEN all_level::float8 ELSE 0.5 * all_level + 0.5 * (cat_sum / k) END AS wml
    FROM per_indicator p
),
present AS (
    SELECT school_id, domain, count(*) AS present FROM scored GROUP BY school_id, domain
),
domains AS (
    SELECT s.school_id, d.domain, d.weight, coalesce(p.present, 0) AS present
    FROM bench.school s CROSS JOIN sqii.model_domain d
    LEFT JOIN present p ON p.school_id = s.school_id AND p.domain = d.domain
    WHERE d.model = 'core-2016'
),
weights AS (
    SELECT d.*, sum(d.weight) FILTER (WHERE d.present > 0) OVER (PARTITION BY d.school_id) AS present_weight
    FROM domains d
)
SELECT s.school_id, sum(s.wml / 10 * (w.weight * 100 / w.present_weight / w.present) ORDER BY s.domain, s.indicator) AS index
FROM scored s JOIN weights w USING (school_id, domain)
GROUP BY s.school_id;

CREATE VIEW bench.sqii_index AS
SELECT school_id, (sqii.sqii_index('core-2016', level, indicator, group_code, value, n)).index
FROM bench.cell GROUP BY school_id, level;

SELECT count(*) AS schools_compared,
       count(*) FILTER (WHERE abs(p.index - s.index) > 1e-9 OR (p.index IS NULL) <> (s.index IS NULL)) AS differing,
       max(abs(p.index - s.index)) AS max_difference
FROM bench.sqii_index s FULL JOIN bench.plain_index p USING (school_id);

ALTER TABLE bench.cell SET (parallel_workers = 2);
-- The cells are few (about 145,000 rows): let the planner use the workers.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
INSERT INTO bench.query (ord, name, sql) VALUES
 (1, 'sqii.sqii_index per school', 'SELECT * FROM bench.sqii_index'),
 (2, 'plain SQL, all schools in one query', 'SELECT * FROM bench.plain_index'),
 (3, 'floor: count(*) of the cells', 'SELECT count(*) FROM bench.cell'),
 (4, 'floor: count(*) per school', 'SELECT school_id, count(*) FROM bench.cell GROUP BY school_id, level');
CALL bench.run(0, :reps);
CALL bench.run(2, :reps);

\echo
\echo 'Median ms by workers; ratio = plain SQL / sqii (how many times faster sqii is);'
\echo 'floor ratios = sqii / reading the cells'
SELECT s.workers AS "workers", round(s.ms::numeric, 1) AS "sqii ms", round(p.ms::numeric, 1) AS "plain ms",
       round((p.ms / s.ms)::numeric, 1) AS "plain / sqii",
       round((s.ms / (SELECT count(*) FROM bench.school) * 1000)::numeric, 2) AS "sqii ms per 1,000 schools",
       round((p.ms / (SELECT count(*) FROM bench.school) * 1000)::numeric, 2) AS "plain ms per 1,000 schools",
       round(c.ms::numeric, 1) AS "count(*) ms", round(g.ms::numeric, 1) AS "count per school ms",
       round((s.ms / c.ms)::numeric, 1) AS "sqii / count(*)",
       round((s.ms / g.ms)::numeric, 1) AS "sqii / count per school"
FROM bench.median s
JOIN bench.median p ON p.name = 'plain SQL, all schools in one query' AND p.workers = s.workers
JOIN bench.median c ON c.name = 'floor: count(*) of the cells' AND c.workers = s.workers
JOIN bench.median g ON g.name = 'floor: count(*) per school' AND g.workers = s.workers
WHERE s.name = 'sqii.sqii_index per school'
ORDER BY s.workers;
\echo 'Spread of the sqii and plain timings (min and max ms over the repetitions):'
SELECT name, workers, round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms
FROM bench.timing GROUP BY name, workers ORDER BY workers, name;
CREATE FUNCTION bench.workers_launched(q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, TIMING OFF) ' || q INTO plan;
    RETURN plan::text ~ '"Workers Launched": [1-9]';
END $$;
\echo 'Plans with 2 workers:'
SET max_parallel_workers_per_gather = 2;
SELECT bench.workers_launched('SELECT * FROM bench.sqii_index') AS sqii_parallel,
       bench.workers_launched('SELECT * FROM bench.plain_index') AS plain_parallel;
