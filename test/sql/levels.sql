-- Index levels: sqii.cutpoints against percentile_cont / percentile_disc on
-- the same data, and sqii.level on cuts, ties, out-of-range values and errors.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

-- Values 1..11 (and a NULL, skipped): deciles fall on whole positions, so
-- percentile_cont and percentile_disc agree: 2, 3, ..., 10.
SELECT sqii.cutpoints(10) WITHIN GROUP (ORDER BY v) AS cuts,
       percentile_cont(ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) WITHIN GROUP (ORDER BY v) AS cont,
       percentile_disc(ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) WITHIN GROUP (ORDER BY v) AS disc
FROM (SELECT generate_series(1, 11)::float8 AS v UNION ALL SELECT NULL) s;
-- Quartiles of 1, 2, 4, 8 interpolate: positions 0.75, 1.5, 2.25 -> 1.75, 3, 5.
SELECT sqii.cutpoints(4) WITHIN GROUP (ORDER BY v) FROM unnest(ARRAY[8, 1, 4, 2]::float8[]) v;

-- 5,000 school values in 20 groups, for 2 to 12 levels: equal to percentile_cont
-- with fractions k / levels within rounding (percentile_cont computes the
-- position in floating point, sqii exactly; they differ at most in the last bits).
CREATE TEMP TABLE baseline AS
SELECT i % 20 AS grp, (hashint4(i) % 100000) / 1000.0::float8 AS v FROM generate_series(1, 5000) i;
SELECT count(*) AS cuts_compared,
       count(*) FILTER (WHERE a.c IS DISTINCT FROM b.c) AS not_bitwise_equal,
       max(abs(a.c - b.c) / greatest(abs(b.c), 1)) < 1e-12 AS within_rounding
FROM generate_series(2, 12) AS l(levels)
CROSS JOIN LATERAL (SELECT grp, sqii.cutpoints(l.levels) WITHIN GROUP (ORDER BY v) AS cuts
                    FROM baseline GROUP BY grp) s
JOIN LATERAL (SELECT grp, percentile_cont((SELECT array_agg(k::float8 / l.levels ORDER BY k)
                                           FROM generate_series(1, l.levels - 1) k))
                          WITHIN GROUP (ORDER BY v) AS cuts
              FROM baseline GROUP BY grp) p USING (grp)
CROSS JOIN LATERAL unnest(s.cuts, p.cuts) AS u(sc, pc)
CROSS JOIN LATERAL (SELECT u.sc AS c) a
CROSS JOIN LATERAL (SELECT u.pc AS c) b;

-- One value: every cut is that value; no values: NULL.
SELECT sqii.cutpoints(3) WITHIN GROUP (ORDER BY v) FROM (VALUES (7.5::float8)) s(v);
SELECT sqii.cutpoints(3) WITHIN GROUP (ORDER BY v) IS NULL AS no_values FROM (VALUES (7.5::float8)) s(v) WHERE false;
-- Only NULL values (a pool whose baseline is missing): NULL, per group too.
SELECT sqii.cutpoints(4) WITHIN GROUP (ORDER BY x) IS NULL AS only_nulls FROM (VALUES (NULL::float8)) t(x);
SELECT g, sqii.cutpoints(2) WITHIN GROUP (ORDER BY x) FROM (VALUES (1, NULL::float8), (2, 5), (2, NULL), (1, NULL)) t(g, x)
GROUP BY g ORDER BY g;
-- The aggregate sorts its input itself: ORDER BY ... DESC gives the same cuts.
SELECT sqii.cutpoints(4) WITHIN GROUP (ORDER BY v DESC) FROM unnest(ARRAY[8, 1, 4, 2]::float8[]) v;
-- Whole positions are exact: 12 values at 11 levels put every cut on a value
-- (position k * 11 / 11 = k), where k/11 * 11 in floating point can miss by an ulp.
SELECT sqii.cutpoints(11) WITHIN GROUP (ORDER BY v) = (SELECT array_agg(v::float8 ORDER BY v) FROM generate_series(0.1, 1.0, 0.1) v)
       AS exact_on_values
FROM (SELECT 0.1 * i AS v FROM generate_series(0, 11) i) s;
-- Found by fuzzing: baseline values at both ends of the double range.  The gap
-- overflows; the cuts are still the quarter points, -M/2, 0 and M/2 for
-- M = 1.7976931348623157e308 (to rounding), and sqii.level accepts them.
SELECT c AS cuts,
       abs(c[1] / 1.7976931348623157e308::float8 + 0.5) < 1e-15 AND c[2] = 0
           AND abs(c[3] / 1.7976931348623157e308::float8 - 0.5) < 1e-15 AS by_hand,
       sqii.level(0, c, true) AS level_of_0
FROM (SELECT sqii.cutpoints(4) WITHIN GROUP (ORDER BY v) AS c
      FROM unnest(ARRAY[-1.7976931348623157e308, 1.7976931348623157e308]::float8[]) v) s;
SELECT sqii.cutpoints(1) WITHIN GROUP (ORDER BY v) FROM (VALUES (1::float8)) s(v);
SELECT sqii.cutpoints(101) WITHIN GROUP (ORDER BY v) FROM (VALUES (1::float8)) s(v);
SELECT sqii.cutpoints(10) WITHIN GROUP (ORDER BY v) FROM (VALUES (1::float8), ('NaN')) s(v);

-- Levels with cuts 10, 20, 20, 30 (a tie): higher is better counts the cuts
-- at or below the value, so a value on a cut earns the upper level.
SELECT v, sqii.level(v, ARRAY[10, 20, 20, 30], true) AS higher_better,
          sqii.level(v, ARRAY[10, 20, 20, 30], false) AS lower_better
FROM unnest(ARRAY[-1000, 9.99, 10, 15, 20, 25, 30, 1000, 'Infinity']::float8[]) v;
SELECT sqii.level(NULL, ARRAY[1, 2], true) AS null_value;
SELECT sqii.level(5, ARRAY[3, 1], true);
SELECT sqii.level(5, ARRAY[1, 'NaN']::float8[], true);
SELECT sqii.level(5, ARRAY[1, NULL], true);
SELECT sqii.level(5, '{}'::float8[], true);
SELECT sqii.level(5, ARRAY[[1, 2]]::float8[], true);
SELECT sqii.level('NaN', ARRAY[1, 2], true);
-- Deciles of a baseline, then the baseline's own values: each level holds a tenth.
SELECT lvl, count(*) FROM (
    SELECT sqii.level(v, (SELECT sqii.cutpoints(10) WITHIN GROUP (ORDER BY v) FROM generate_series(1, 1000) v), true) AS lvl
    FROM generate_series(1, 1000) v) s
GROUP BY lvl ORDER BY lvl;

-- Growth percentiles by tens.
SELECT p, sqii.growth_level(p) FROM unnest(ARRAY[0, 9, 9.99, 10, 55, 89.9, 90, 99, 100]::float8[]) p;
SELECT sqii.growth_level(100.5);
SELECT sqii.growth_level(-1);
