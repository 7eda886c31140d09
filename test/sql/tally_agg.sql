-- The tally aggregates: NULLs, empty input, NaN/Infinity, min_n, merging,
-- overflow, and the convenience aggregates equal to reading a tally.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

-- Three true, one false, one NULL (not eligible): 3 of 4 = 75%.
CREATE TEMP TABLE met (school int, met boolean, score float8);
INSERT INTO met VALUES (1, true, 10), (1, true, 20), (1, false, NULL), (1, NULL, 30), (1, true, 40),
                       (2, NULL, NULL), (2, NULL, NULL),
                       (3, false, -1.5);
SELECT school, sqii.tally(met), sqii.n(sqii.tally(met)) AS n, sqii.pct(sqii.tally(met), 0) AS pct,
       sqii.tally(score), sqii.mean(sqii.tally(score), 0) AS mean
FROM met GROUP BY school ORDER BY school;
-- Hand check of school 1: met 3 of 4 -> 75; scores 10, 20, 30, 40 -> mean 25,
-- sumsq 100 + 400 + 900 + 1600 = 3000.  School 2 has only NULLs: NULL like avg().

-- Zero input rows give NULL, like sum() and avg().
SELECT sqii.tally(met) IS NULL AS bool_null, sqii.tally(score) IS NULL AS float_null,
       sqii.merge(NULL::sqii.tally) IS NULL AS merge_null,
       sqii.pct(met, 0) IS NULL AS pct_null, sqii.mean(score, 0) IS NULL AS mean_null
FROM met WHERE false;
-- Only NULL inputs: also NULL.
SELECT sqii.tally(met), sqii.tally(score), sqii.pct(met, 0), sqii.mean(score, 0)
FROM met WHERE school = 2;

-- min_n edges: school 1 has n = 4.
SELECT sqii.pct(met, 3) AS min_n_3, sqii.pct(met, 4) AS min_n_4, sqii.pct(met, 5) AS min_n_5,
       sqii.pct(met, 0) AS min_n_0, sqii.pct(met, NULL) AS min_n_null,
       sqii.mean(score, 4) AS mean_4, sqii.mean(score, 5) AS mean_5
FROM met WHERE school = 1;
-- The convenience aggregates equal reading the tally, for every min_n 0-6.
SELECT count(*) AS mismatches
FROM generate_series(0, 6) AS m(min_n),
LATERAL (SELECT sqii.pct(met, m.min_n) AS a, sqii.pct(sqii.tally(met), m.min_n) AS b,
                sqii.mean(score, m.min_n) AS c, sqii.mean(sqii.tally(score), m.min_n) AS d
         FROM met GROUP BY school) AS r
WHERE r.a IS DISTINCT FROM r.b OR r.c IS DISTINCT FROM r.d;

-- Bad parameters.
SELECT sqii.pct(met, -1) FROM met;
SELECT sqii.mean(score, -1) FROM met;
SELECT sqii.pct(sqii.tally(met), -1) FROM met;
SELECT sqii.mean('(4,10,30)'::sqii.tally, -20);
SELECT sqii.se('(4,10,30)'::sqii.tally, -20);
-- min_n is a constant of the cell: a different value on another row is an error.
SELECT sqii.pct(met, school) FROM met WHERE school IN (1, 3);
SELECT sqii.pct(met, CASE WHEN school = 1 THEN 20 END) FROM met WHERE school IN (1, 3);
-- A percent of a tally of scores is meaningless.
SELECT sqii.pct(sqii.tally(score), 0) FROM met WHERE school = 1;
SELECT sqii.pct_se(sqii.tally(score), 0) FROM met WHERE school = 1;
-- ...but a float tally of 0/1 values is a proportion.
SELECT sqii.pct(sqii.tally(x), 0) FROM (VALUES (1.0::float8), (0), (1), (1)) v(x);
-- ...whose count of true values is whole: 1.5 true values is not a count.
SELECT sqii.pct('(3,1.5,1.5)'::sqii.tally, 0);

-- NaN and infinite student values are data errors, in every aggregate.
SELECT sqii.tally(x) FROM (VALUES (1.0::float8), ('NaN')) v(x);
SELECT sqii.tally(x) FROM (VALUES (1.0::float8), ('Infinity')) v(x);
SELECT sqii.tally(x) FROM (VALUES (1.0::float8), ('-Infinity')) v(x);
SELECT sqii.mean(x, 0) FROM (VALUES ('NaN'::float8)) v(x);
-- A finite value whose square overflows double precision.
SELECT sqii.tally(x) FROM (VALUES (1e200::float8)) v(x);
-- Large finite values are fine.
SELECT sqii.tally(x) FROM (VALUES (1e150::float8), (-1e150)) v(x);

-- Merging: NULLs skipped, (0,0,0) is neutral, results equal tallying the rows.
SELECT sqii.merge(t) FROM (VALUES (NULL::sqii.tally), ('(0,0,0)'), (NULL)) v(t);
SELECT sqii.merge(t) FROM (VALUES ('(0,0,0)'::sqii.tally), ('(4,3,3)'), (NULL), ('(1,0,0)')) v(t);
SELECT (SELECT sqii.merge(t)::text FROM (SELECT sqii.tally(met) AS t FROM met GROUP BY school) s)
     = (SELECT sqii.tally(met)::text FROM met) AS merge_equals_rescan;

-- Counts are exact up to 2^53 and overflow is an error, not a wrap.
SELECT sqii.merge(t) FROM (VALUES ('(9007199254740991,5,5)'::sqii.tally), ('(1,1,1)')) v(t);
SELECT sqii.merge(t) FROM (VALUES ('(9007199254740992,5,5)'::sqii.tally), ('(1,1,1)')) v(t);
SELECT sqii.pct(t, 0) = 100.0 * 9007199254740990 / 9007199254740992 AS exact_at_limit
FROM (SELECT sqii.merge(t) AS t
      FROM (VALUES ('(9007199254740990,9007199254740989,9007199254740989)'::sqii.tally), ('(2,1,1)')) v(t)) s;

-- Compensated sums: the order of the rows does not change the result, while
-- a naive float8 sum() of the same rows in the same orders does drift.
SELECT count(DISTINCT t::text) AS sqii_distinct_results, count(DISTINCT naive) AS naive_distinct_results
FROM (SELECT sqii.tally(x ORDER BY k) AS t, sum(x ORDER BY k) AS naive
      FROM (SELECT 0.1::float8 * i AS x, o.r, (i * o.r) % 1009 AS k
            FROM generate_series(1, 1000) i, (VALUES (1), (-1), (7), (13)) o(r)) s
      GROUP BY r) s;

-- Aggregates work as window functions and with FILTER and DISTINCT.
SELECT school, met, sqii.tally(met) OVER (ORDER BY score NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
FROM met WHERE school = 1 ORDER BY score NULLS FIRST;
SELECT sqii.tally(met) FILTER (WHERE school = 1) AS filtered, sqii.tally(DISTINCT met) AS distinct_met FROM met;
