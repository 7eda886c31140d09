-- The public objects of sqii, the readers on tallies worked out by hand, and
-- the algebra of sqii.merge on the sample district: merged school tallies
-- equal the tally of all students, whatever the order or the partition of
-- the rows, serial or parallel.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(69);

------------------------------------------------------------------------------
-- Public objects.
------------------------------------------------------------------------------
SELECT has_type('sqii', 'tally', 'type sqii.tally exists');

SELECT has_function('sqii', 'n', ARRAY['sqii.tally'], 'function sqii.n(tally)');
SELECT has_function('sqii', 'sum', ARRAY['sqii.tally'], 'function sqii.sum(tally)');
SELECT has_function('sqii', 'sumsq', ARRAY['sqii.tally'], 'function sqii.sumsq(tally)');
SELECT has_function('sqii', 'pct', ARRAY['sqii.tally', 'integer'], 'function sqii.pct(tally, integer)');
SELECT has_function('sqii', 'mean', ARRAY['sqii.tally', 'integer'], 'function sqii.mean(tally, integer)');
SELECT has_function('sqii', 'se', ARRAY['sqii.tally', 'integer'], 'function sqii.se(tally, integer)');
SELECT has_function('sqii', 'pct_se', ARRAY['sqii.tally', 'integer'], 'function sqii.pct_se(tally, integer)');
SELECT has_function('sqii', 'make_tally', ARRAY['bigint', 'double precision', 'double precision'],
                    'function sqii.make_tally(bigint, double precision, double precision)');

SELECT has_function('sqii', 'tally', ARRAY['boolean'], 'sqii.tally(boolean) exists');
SELECT has_function('sqii', 'tally', ARRAY['double precision'], 'sqii.tally(double precision) exists');
SELECT has_function('sqii', 'merge', ARRAY['sqii.tally'], 'sqii.merge(tally) exists');
SELECT has_function('sqii', 'pct', ARRAY['boolean', 'integer'], 'sqii.pct(boolean, integer) exists');
SELECT has_function('sqii', 'mean', ARRAY['double precision', 'integer'], 'sqii.mean(double precision, integer) exists');
SELECT is_aggregate('sqii', 'tally', ARRAY['boolean'], 'sqii.tally(boolean) is an aggregate');
SELECT is_aggregate('sqii', 'tally', ARRAY['double precision'], 'sqii.tally(double precision) is an aggregate');
SELECT is_aggregate('sqii', 'merge', ARRAY['sqii.tally'], 'sqii.merge(tally) is an aggregate');
SELECT is_aggregate('sqii', 'pct', ARRAY['boolean', 'integer'], 'sqii.pct(boolean, integer) is an aggregate');
SELECT is_aggregate('sqii', 'mean', ARRAY['double precision', 'integer'], 'sqii.mean(double precision, integer) is an aggregate');

SELECT function_returns('sqii', 'n', ARRAY['sqii.tally'], 'bigint', 'sqii.n returns bigint');
SELECT function_returns('sqii', 'pct', ARRAY['sqii.tally', 'integer'], 'double precision',
                        'sqii.pct(tally, integer) returns double precision');
SELECT function_returns('sqii', 'make_tally', ARRAY['bigint', 'double precision', 'double precision'],
                        'sqii.tally', 'sqii.make_tally returns sqii.tally');
SELECT function_returns('sqii', 'merge', ARRAY['sqii.tally'], 'sqii.tally', 'sqii.merge returns sqii.tally');
SELECT function_returns('sqii', 'pct', ARRAY['boolean', 'integer'], 'double precision',
                        'sqii.pct(boolean, integer) returns double precision');

------------------------------------------------------------------------------
-- Small tallies worked out by hand.
------------------------------------------------------------------------------
-- true, false, NULL, true: 3 eligible, 2 true.
SELECT is((SELECT sqii.tally(b)::text FROM (VALUES (true), (false), (NULL), (true)) v(b)),
          '(3,2,2)', 'tally of true, false, NULL, true is (3,2,2)');
-- 1.5, -2, NULL, 3: n 3, sum 2.5, sum of squares 2.25 + 4 + 9 = 15.25.
SELECT is((SELECT sqii.n(sqii.tally(x)) FROM (VALUES (1.5::float8), (-2), (NULL), (3)) v(x)),
          3::bigint, 'n of 1.5, -2, NULL, 3 is 3');
SELECT is((SELECT sqii.sum(sqii.tally(x)) FROM (VALUES (1.5::float8), (-2), (NULL), (3)) v(x)),
          2.5::float8, 'sum of 1.5, -2, NULL, 3 is 2.5');
SELECT is((SELECT sqii.sumsq(sqii.tally(x)) FROM (VALUES (1.5::float8), (-2), (NULL), (3)) v(x)),
          15.25::float8, 'sum of squares of 1.5, -2, NULL, 3 is 15.25');
SELECT is((SELECT sqii.tally(b)::text FROM (VALUES (NULL::boolean), (NULL)) v(b)), NULL,
          'tally of only NULLs is NULL');
SELECT is((SELECT sqii.tally(x)::text FROM (VALUES (1::float8)) v(x) WHERE false), NULL,
          'tally of no rows is NULL');
SELECT is(sqii.make_tally(3, 2, 2)::text, '(3,2,2)', 'make_tally(3, 2, 2) reads (3,2,2)');

-- Percent: 1 true out of 4 is 25%; the n-size rule at the boundary.
SELECT is(sqii.pct('(4,1,1)'::sqii.tally, 0), 25::float8, 'pct of (4,1,1) is 25');
SELECT is(sqii.pct('(20,5,5)'::sqii.tally, 20), 25::float8, 'pct with n = min_n is reported');
SELECT is(sqii.pct('(19,5,5)'::sqii.tally, 20), NULL, 'pct with n = min_n - 1 is NULL');
SELECT is(sqii.pct('(0,0,0)'::sqii.tally, 0), NULL, 'pct of an empty tally is NULL even with min_n 0');
-- Mean of 1, 2, 3, 4 = 10 / 4.
SELECT is(sqii.mean('(4,10,30)'::sqii.tally, 0), 2.5::float8, 'mean of (4,10,30) is 2.5');
SELECT is(sqii.mean('(4,10,30)'::sqii.tally, 5), NULL, 'mean with n < min_n is NULL');
-- 1, 2, 3, 4: s^2 = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3, se = sqrt(5/3 / 4).
SELECT ok(abs(sqii.se('(4,10,30)'::sqii.tally, 0) - sqrt(5.0::float8 / 12)) < 1e-15,
          'se of 1, 2, 3, 4 is sqrt(5/12)');
SELECT is(sqii.se('(1,3,9)'::sqii.tally, 0), NULL, 'se of a single value is NULL');
SELECT is(sqii.se('(4,10,30)'::sqii.tally, 5), NULL, 'se with n < min_n is NULL');
-- 1, 0, 0, 0: s^2 = (0.5625 + 3 * 0.0625) / 3 = 0.25, se = sqrt(0.25 / 4) = 0.25.
SELECT is(sqii.pct_se('(4,1,1)'::sqii.tally, 0), 25::float8, 'pct_se of 1, 0, 0, 0 is 25 points');
SELECT is(sqii.pct_se('(1,1,1)'::sqii.tally, 0), NULL, 'pct_se of a single value is NULL');

-- The convenience aggregates.
SELECT is((SELECT sqii.mean(x, 2) FROM (VALUES (1::float8), (NULL), (4)) v(x)), 2.5::float8,
          'sqii.mean(x, 2) of 1, NULL, 4 is 2.5');
SELECT is((SELECT sqii.mean(x, 3) FROM (VALUES (1::float8), (NULL), (4)) v(x)), NULL,
          'sqii.mean(x, 3) of 1, NULL, 4 is NULL (2 values)');
SELECT is((SELECT sqii.pct(b, 0) FROM (VALUES (NULL::boolean), (NULL)) v(b)), NULL,
          'sqii.pct(b, 0) of only NULLs is NULL');
SELECT is((SELECT sqii.pct(b, NULL) FROM (VALUES (true), (false)) v(b)), NULL,
          'sqii.pct(b, NULL) is NULL');

------------------------------------------------------------------------------
-- Merging tallies of zero values.
------------------------------------------------------------------------------
SELECT is((SELECT sqii.merge(t)::text FROM (VALUES ('(0,0,0)'::sqii.tally), ('(0,0,0)')) v(t)),
          '(0,0,0)', 'merge of empty tallies is the empty tally, not NULL');
SELECT is((SELECT sqii.merge(t)::text
           FROM (VALUES ('(0,0,0)'::sqii.tally), ('(3,2,2)'), (NULL), ('(0,0,0)'), ('(4,1,1)')) v(t)),
          '(7,3,3)', 'empty and NULL tallies do not change a merge');
SELECT is((SELECT sqii.merge(t)::text FROM (VALUES (NULL::sqii.tally), (NULL)) v(t)), NULL,
          'merge of only NULLs is NULL');
-- Empty tallies merged into every school tally of the sample district.
SELECT is((SELECT count(*) FROM (
               SELECT school_id, sqii.tally(ela_dfs) AS t FROM sample.students GROUP BY school_id) s
           WHERE (SELECT sqii.merge(u) FROM (VALUES ('(0,0,0)'::sqii.tally), (s.t), ('(0,0,0)')) v(u))::text
                 IS DISTINCT FROM s.t::text),
          0::bigint, 'merging (0,0,0) into a school tally leaves it unchanged');

------------------------------------------------------------------------------
-- Merge algebra on the sample district.
------------------------------------------------------------------------------
CREATE TEMP VIEW bool_values AS
SELECT s.student_id, s.school_id, m.col, m.b
FROM sample.students s
CROSS JOIN LATERAL (VALUES ('chronic_absent', s.chronic_absent), ('suspended', s.suspended),
                           ('ela_met', s.ela_met), ('math_met', s.math_met),
                           ('on_track', s.on_track), ('graduated', s.graduated)) AS m(col, b);
-- Integer-valued numeric columns: every partial sum is exact in float8.
CREATE TEMP VIEW num_values AS
SELECT s.student_id, s.school_id, m.col, m.x
FROM sample.students s
CROSS JOIN LATERAL (VALUES ('ela_dfs', s.ela_dfs), ('math_dfs', s.math_dfs),
                           ('ela_score', s.ela_score), ('days_absent', s.days_absent::float8)) AS m(col, x);

CREATE TEMP TABLE school_bool AS
SELECT col, school_id, sqii.tally(b) AS t FROM bool_values GROUP BY col, school_id;
CREATE TEMP TABLE school_num AS
SELECT col, school_id, sqii.tally(x) AS t FROM num_values GROUP BY col, school_id;

SELECT results_eq(
    $$ SELECT col, sqii.n(m), sqii.sum(m), sqii.sumsq(m)
       FROM (SELECT col, sqii.merge(t) AS m FROM school_bool GROUP BY col) s ORDER BY col $$,
    $$ SELECT col, count(b), count(*) FILTER (WHERE b)::float8, count(*) FILTER (WHERE b)::float8
       FROM bool_values GROUP BY col ORDER BY col $$,
    'merged school tallies of each boolean column hold (count, count true, count true) of all students');
SELECT results_eq(
    $$ SELECT col, sqii.n(m), sqii.sum(m), sqii.sumsq(m)
       FROM (SELECT col, sqii.merge(t) AS m FROM school_num GROUP BY col) s ORDER BY col $$,
    $$ SELECT col, count(x), sum(x), sum(x * x) FROM num_values GROUP BY col ORDER BY col $$,
    'merged school tallies of each numeric column hold (count, sum, sum of squares) of all students');
SELECT results_eq(
    $$ SELECT col, sqii.merge(t)::text FROM school_bool GROUP BY col
       UNION ALL
       SELECT col, sqii.merge(t)::text FROM school_num GROUP BY col ORDER BY 1 $$,
    $$ SELECT col, sqii.tally(b)::text FROM bool_values GROUP BY col
       UNION ALL
       SELECT col, sqii.tally(x)::text FROM num_values GROUP BY col ORDER BY 1 $$,
    'merge of the school tallies is the tally of all students, text form and all');
SELECT ok((SELECT count(*) FROM school_bool WHERE col = 'graduated' AND t IS NULL) > 0
          AND (SELECT count(*) FROM school_bool WHERE col = 'graduated' AND t IS NOT NULL) > 0,
          'the merges above skip NULL school tallies (schools without 12th graders)');

-- Arbitrary partitions: split the students into k parts by a hash of the
-- student id (k parts from 1 to 5000, three salts), tally each part, merge
-- the parts.
CREATE TEMP TABLE partitions AS
SELECT k, salt FROM unnest(ARRAY[1, 2, 3, 7, 29, 100, 997, 5000]) AS k, generate_series(1, 3) AS salt;

SELECT is((SELECT count(*) FROM (
               SELECT p.k, p.salt, v.col, sqii.merge(v.t)::text AS m
               FROM partitions p
               CROSS JOIN LATERAL (
                   SELECT col, sqii.tally(b) AS t FROM bool_values
                   GROUP BY col, abs(hashint4(student_id + 1000003 * p.salt)) % p.k) v
               GROUP BY p.k, p.salt, v.col) parts
           JOIN (SELECT col, sqii.tally(b)::text AS whole FROM bool_values GROUP BY col) w USING (col)
           WHERE parts.m IS DISTINCT FROM w.whole),
          0::bigint, 'boolean tallies: any partition of the students merges to the whole');
SELECT is((SELECT count(*) FROM (
               SELECT p.k, p.salt, v.col, sqii.merge(v.t)::text AS m
               FROM partitions p
               CROSS JOIN LATERAL (
                   SELECT col, sqii.tally(x) AS t FROM num_values
                   GROUP BY col, abs(hashint4(student_id + 1000003 * p.salt)) % p.k) v
               GROUP BY p.k, p.salt, v.col) parts
           JOIN (SELECT col, sqii.tally(x)::text AS whole FROM num_values GROUP BY col) w USING (col)
           WHERE parts.m IS DISTINCT FROM w.whole),
          0::bigint, 'numeric tallies: any partition of the students merges to the whole');
-- The partitions really are different: 8 part counts x 3 salts.
SELECT is((SELECT count(DISTINCT (k, salt)) FROM (
               SELECT p.k, p.salt, count(DISTINCT abs(hashint4(s.student_id + 1000003 * p.salt)) % p.k) AS parts
               FROM partitions p CROSS JOIN sample.students s GROUP BY p.k, p.salt) q
           WHERE parts = k OR (k = 5000 AND parts > 4000)),
          24::bigint, 'each of the 24 partitions has k non-empty parts (over 4000 for k = 5000)');

-- Order: merge the school tallies in 25 different orders.  For a non-integer
-- column (scale score / 7) the sums are rounded; the compensated summation
-- must still give one and the same tally whatever the order.
CREATE TEMP TABLE school_frac AS
SELECT school_id, sqii.tally(ela_score / 7) AS t, sqii.tally(ela_met) AS tb
FROM sample.students GROUP BY school_id;
SELECT is((SELECT count(DISTINCT m) FROM (
               SELECT g, sqii.merge(t ORDER BY hashint4(school_id * 31 + g))::text AS m
               FROM school_frac, generate_series(1, 25) AS g GROUP BY g) q),
          1::bigint, 'merge of non-integer school tallies does not depend on their order');
SELECT is((SELECT count(DISTINCT m) FROM (
               SELECT g, sqii.merge(tb ORDER BY hashint4(school_id * 31 + g))::text AS m
               FROM school_frac, generate_series(1, 25) AS g GROUP BY g) q),
          1::bigint, 'merge of boolean school tallies does not depend on their order');
SELECT is((SELECT count(DISTINCT o) FROM (
               SELECT g, string_agg(school_id::text, ',' ORDER BY hashint4(school_id * 31 + g)) AS o
               FROM school_frac, generate_series(1, 25) AS g GROUP BY g) q),
          25::bigint, 'the 25 merge orders are all different');
-- The same for students: the tally of a non-integer column in 10 row orders.
SELECT is((SELECT count(DISTINCT m) FROM (
               SELECT g, sqii.tally(ela_score / 7 ORDER BY hashint4(student_id * 31 + g))::text AS m
               FROM sample.students, generate_series(1, 10) AS g GROUP BY g) q),
          1::bigint, 'tally of a non-integer column does not depend on the row order');
-- Merging is commutative on tallies that are not whole numbers.
SELECT is((SELECT count(*) FROM school_frac a JOIN school_frac b ON a.school_id < b.school_id
           WHERE (SELECT sqii.merge(t ORDER BY o)::text FROM (VALUES (1, a.t), (2, b.t)) v(o, t))
                 IS DISTINCT FROM
                 (SELECT sqii.merge(t ORDER BY o)::text FROM (VALUES (2, a.t), (1, b.t)) v(o, t))),
          0::bigint, 'merge(a, b) = merge(b, a) for every pair of school tallies');

-- Text round trip: tally_out is exact, so text -> tally -> text is the identity
-- and the sums read back bit for bit (non-integer sums included).
SELECT is((SELECT count(*) FROM school_frac
           WHERE t::text::sqii.tally::text <> t::text
              OR sqii.sum(t::text::sqii.tally) <> sqii.sum(t)
              OR sqii.sumsq(t::text::sqii.tally) <> sqii.sumsq(t)),
          0::bigint, 'text form of non-integer tallies round-trips exactly');
SELECT ok((SELECT count(*) FROM school_frac WHERE sqii.sum(t) <> round(sqii.sum(t))) > 0,
          'the round-tripped tallies have non-integer sums');

-- A tally of a tiny (subnormal) value is a valid tally; its text form reads back.
SELECT lives_ok($$ SELECT (SELECT sqii.tally(x) FROM (VALUES (1e-310::float8)) v(x))::text::sqii.tally $$,
                'text form of a tally with a subnormal sum reads back');

------------------------------------------------------------------------------
-- Parallel aggregation (partial states, combine, serialize) equals serial.
------------------------------------------------------------------------------
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT string_agg(r, ';' ORDER BY school_id) AS serial_result
FROM (SELECT school_id,
             format('%s|%s|%s|%s|%s|%s', school_id, sqii.tally(ela_dfs), sqii.tally(ela_score / 7),
                    sqii.tally(ela_met), sqii.pct(math_met, 20), sqii.mean(math_dfs, 20)) AS r
      FROM sample.students GROUP BY school_id) q
\gset
SELECT format('%s|%s|%s|%s', sqii.tally(ela_dfs), sqii.tally(ela_score / 7),
              sqii.pct(math_met, 20), sqii.mean(math_dfs, 20)) AS serial_total
FROM sample.students
\gset

SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;

CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$$;
SELECT matches(pg_temp.plan_of($$
    SELECT school_id, sqii.tally(ela_dfs), sqii.tally(ela_score / 7), sqii.tally(ela_met),
           sqii.pct(math_met, 20), sqii.mean(math_dfs, 20)
    FROM sample.students GROUP BY school_id $$),
    'Partial .*Aggregate', 'the per-school query has a parallel plan with partial aggregation');

SELECT string_agg(r, ';' ORDER BY school_id) AS parallel_result
FROM (SELECT school_id,
             format('%s|%s|%s|%s|%s|%s', school_id, sqii.tally(ela_dfs), sqii.tally(ela_score / 7),
                    sqii.tally(ela_met), sqii.pct(math_met, 20), sqii.mean(math_dfs, 20)) AS r
      FROM sample.students GROUP BY school_id) q
\gset
SELECT format('%s|%s|%s|%s', sqii.tally(ela_dfs), sqii.tally(ela_score / 7),
              sqii.pct(math_met, 20), sqii.mean(math_dfs, 20)) AS parallel_total
FROM sample.students
\gset
SELECT is(:'parallel_result'::text, :'serial_result'::text, 'parallel per-school tallies equal serial ones');
SELECT is(:'parallel_total'::text, :'serial_total'::text, 'parallel district tallies equal serial ones');
SELECT is(cardinality(string_to_array(:'serial_result', ';')),
          (SELECT count(DISTINCT school_id)::int FROM sample.students),
          'the compared results have one entry per school');

SELECT * FROM finish();
ROLLBACK;
