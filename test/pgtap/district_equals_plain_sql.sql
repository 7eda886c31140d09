-- Every school x student group cell of the sample district (and every
-- district-wide group cell), read through sqii, must equal the same cell
-- computed with plain SQL: count(*) FILTER, count, sum, and a CASE on n for
-- the n-size rule.  The sample data are integer-valued (booleans, and
-- distances from the standard that are whole points), so every comparison is
-- exact: IS DISTINCT FROM, no tolerance.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(23);

-- One row per student, group and boolean indicator.
CREATE TEMP VIEW bool_rows AS
SELECT sg.school_id, sg.group_code, m.metric, m.met
FROM sample.student_group sg
CROSS JOIN LATERAL (VALUES ('chronic_absent', sg.chronic_absent),
                           ('suspended', sg.suspended),
                           ('ela_met', sg.ela_met),
                           ('math_met', sg.math_met),
                           ('on_track', sg.on_track)) AS m(metric, met);

-- One row per student, group and numeric indicator.
CREATE TEMP VIEW num_rows AS
SELECT sg.school_id, sg.group_code, m.metric, m.x
FROM sample.student_group sg
CROSS JOIN LATERAL (VALUES ('ela_dfs', sg.ela_dfs),
                           ('math_dfs', sg.math_dfs)) AS m(metric, x);

-- School cells (school_id set) and district cells (school_id NULL).
CREATE TEMP TABLE bool_cells AS
SELECT school_id, group_code, metric,
       count(met) AS n,
       sqii.tally(met) AS t,
       sqii.pct(met, 20) AS agg_pct20,
       sqii.pct(sqii.tally(met), 20) AS tally_pct20,
       sqii.pct(met, 0) AS agg_pct0,
       sqii.pct_se(sqii.tally(met), 20) AS tally_pct_se20,
       CASE WHEN count(met) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE met) / count(met) END AS want_pct20,
       100.0::float8 * count(*) FILTER (WHERE met) / NULLIF(count(met), 0) AS want_pct0,
       CASE WHEN count(met) >= 20
            THEN 100.0::float8 * stddev_samp(met::int::float8) / sqrt(count(met)) END AS want_pct_se20,
       count(*) FILTER (WHERE met)::float8 AS want_sum
FROM bool_rows
GROUP BY GROUPING SETS ((school_id, group_code, metric), (group_code, metric));

CREATE TEMP TABLE num_cells AS
SELECT school_id, group_code, metric,
       count(x) AS n,
       sqii.tally(x) AS t,
       sqii.mean(x, 20) AS agg_mean20,
       sqii.mean(sqii.tally(x), 20) AS tally_mean20,
       sqii.mean(x, 0) AS agg_mean0,
       sqii.se(sqii.tally(x), 20) AS tally_se20,
       CASE WHEN count(x) >= 20 THEN sum(x) / count(x) END AS want_mean20,
       sum(x) / NULLIF(count(x), 0) AS want_mean0,
       CASE WHEN count(x) >= 20 THEN stddev_samp(x) / sqrt(count(x)) END AS want_se20,
       sum(x) AS want_sum,
       sum(x * x) AS want_sumsq
FROM num_rows
GROUP BY GROUPING SETS ((school_id, group_code, metric), (group_code, metric));

-- The cells are all there: one per (school, group) and per group, times the
-- number of indicators, counted straight from the view.
SELECT is((SELECT count(*) FROM bool_cells),
          (SELECT 5 * (count(DISTINCT (school_id, group_code)) + count(DISTINCT group_code))
           FROM sample.student_group),
          'one boolean cell per school x group x indicator and per group x indicator');
SELECT is((SELECT count(*) FROM num_cells),
          (SELECT 2 * (count(DISTINCT (school_id, group_code)) + count(DISTINCT group_code))
           FROM sample.student_group),
          'one numeric cell per school x group x indicator and per group x indicator');

-- Percent of true values, n-size 20.
SELECT is((SELECT count(*) FROM bool_cells WHERE agg_pct20 IS DISTINCT FROM want_pct20), 0::bigint,
          'sqii.pct(met, 20) equals the plain-SQL percent in every cell');
SELECT is((SELECT count(*) FROM bool_cells WHERE tally_pct20 IS DISTINCT FROM want_pct20), 0::bigint,
          'sqii.pct(sqii.tally(met), 20) equals the plain-SQL percent in every cell');
SELECT ok((SELECT count(*) FROM bool_cells WHERE want_pct20 IS NULL AND n BETWEEN 1 AND 19) > 0,
          'some boolean cells have 1-19 students and are hidden by the n-size rule');
SELECT ok((SELECT count(*) FROM bool_cells WHERE want_pct20 IS NOT NULL AND school_id IS NOT NULL) > 0,
          'some school boolean cells are reported');
SELECT ok((SELECT count(DISTINCT want_pct20) FROM bool_cells) > 100,
          'the reported percents are not all alike');

-- min_n 0: every cell with a student is reported, empty cells are NULL.
SELECT is((SELECT count(*) FROM bool_cells WHERE agg_pct0 IS DISTINCT FROM want_pct0), 0::bigint,
          'sqii.pct(met, 0) equals the plain-SQL percent, NULL only for empty cells');
SELECT ok((SELECT count(*) FROM bool_cells WHERE n = 0) > 0,
          'some boolean cells have no eligible student (on_track outside high schools)');
SELECT ok((SELECT count(*) FROM bool_cells WHERE n BETWEEN 1 AND 19 AND agg_pct0 IS NOT NULL) > 0,
          'with min_n 0 the small cells are reported');

-- The tallies themselves: n, sum and sum of squares of a boolean cell.
SELECT is((SELECT count(*) FROM bool_cells
           WHERE (sqii.n(t), sqii.sum(t), sqii.sumsq(t)) IS DISTINCT FROM (n, want_sum, want_sum)
             AND n > 0), 0::bigint,
          'boolean cell tallies hold (count, count of true, count of true)');
SELECT is((SELECT count(*) FROM bool_cells WHERE (t IS NULL) <> (n = 0)), 0::bigint,
          'a boolean cell tally is NULL exactly when the cell has no eligible student');

-- Standard error of a percent against stddev_samp / sqrt(n), relative 1e-9.
SELECT is((SELECT count(*) FROM bool_cells
           WHERE (tally_pct_se20 IS NULL) <> (want_pct_se20 IS NULL)
              OR abs(tally_pct_se20 - want_pct_se20) > 1e-9 * abs(want_pct_se20) + 1e-12), 0::bigint,
          'sqii.pct_se(tally, 20) equals 100 * stddev_samp / sqrt(n) within 1e-9 relative');

-- Mean, n-size 20.
SELECT is((SELECT count(*) FROM num_cells WHERE agg_mean20 IS DISTINCT FROM want_mean20), 0::bigint,
          'sqii.mean(x, 20) equals the plain-SQL mean in every cell');
SELECT is((SELECT count(*) FROM num_cells WHERE tally_mean20 IS DISTINCT FROM want_mean20), 0::bigint,
          'sqii.mean(sqii.tally(x), 20) equals the plain-SQL mean in every cell');
SELECT is((SELECT count(*) FROM num_cells WHERE agg_mean0 IS DISTINCT FROM want_mean0), 0::bigint,
          'sqii.mean(x, 0) equals the plain-SQL mean, NULL only for empty cells');
SELECT ok((SELECT count(*) FROM num_cells WHERE want_mean20 IS NULL AND n BETWEEN 1 AND 19) > 0,
          'some numeric cells have 1-19 students and are hidden by the n-size rule');
SELECT ok((SELECT count(*) FROM num_cells WHERE want_mean20 IS NOT NULL AND school_id IS NOT NULL) > 0,
          'some school numeric cells are reported');
SELECT ok((SELECT count(*) FROM num_cells WHERE want_mean20 <> round(want_mean20)) > 0,
          'some reported means are not whole numbers');
SELECT is((SELECT count(*) FROM num_cells
           WHERE (sqii.n(t), sqii.sum(t), sqii.sumsq(t)) IS DISTINCT FROM (n, want_sum, want_sumsq)
             AND n > 0), 0::bigint,
          'numeric cell tallies hold (count, sum, sum of squares)');
SELECT is((SELECT count(*) FROM num_cells
           WHERE (tally_se20 IS NULL) <> (want_se20 IS NULL)
              OR abs(tally_se20 - want_se20) > 1e-9 * abs(want_se20) + 1e-12), 0::bigint,
          'sqii.se(tally, 20) equals stddev_samp / sqrt(n) within 1e-9 relative');

-- Roll-up: merging the school cells of a group gives the district cell.
SELECT is((SELECT ARRAY[count(*) FILTER (WHERE s.m::text IS DISTINCT FROM d.t::text), count(*)]
           FROM (SELECT group_code, metric, sqii.merge(t) AS m
                 FROM bool_cells WHERE school_id IS NOT NULL GROUP BY group_code, metric) s
           JOIN bool_cells d ON d.school_id IS NULL AND (d.group_code, d.metric) = (s.group_code, s.metric)),
          (SELECT ARRAY[0, 5 * count(DISTINCT group_code)] FROM sample.student_group),
          'merging school boolean cells gives the district cell of every group (mismatches, groups)');
SELECT is((SELECT ARRAY[count(*) FILTER (WHERE s.m::text IS DISTINCT FROM d.t::text), count(*)]
           FROM (SELECT group_code, metric, sqii.merge(t) AS m
                 FROM num_cells WHERE school_id IS NOT NULL GROUP BY group_code, metric) s
           JOIN num_cells d ON d.school_id IS NULL AND (d.group_code, d.metric) = (s.group_code, s.metric)),
          (SELECT ARRAY[0, 2 * count(DISTINCT group_code)] FROM sample.student_group),
          'merging school numeric cells gives the district cell of every group (mismatches, groups)');

SELECT * FROM finish();
ROLLBACK;
