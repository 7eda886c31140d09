-- Errors of sqii, by SQLSTATE: non-finite student values, bad min_n, pct on a
-- tally that is not true/false, bad text input, invalid tallies and overflow.
-- Each error is paired with the nearest value that must still be accepted,
-- so a test cannot pass just because everything fails.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(62);

------------------------------------------------------------------------------
-- NaN and infinity are not student values: 22000 data_exception.
------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT sqii.tally(x) FROM (VALUES (1::float8), ('NaN'::float8)) v(x) $$,
                 '22000', NULL, 'tally(float8) rejects NaN');
SELECT throws_ok($$ SELECT sqii.tally(x) FROM (VALUES ('Infinity'::float8), (1)) v(x) $$,
                 '22000', NULL, 'tally(float8) rejects Infinity');
SELECT throws_ok($$ SELECT sqii.tally(x) FROM (VALUES (1::float8), ('-Infinity'::float8)) v(x) $$,
                 '22000', NULL, 'tally(float8) rejects -Infinity');
SELECT throws_ok($$ SELECT sqii.mean(x, 0) FROM (VALUES (1::float8), ('NaN'::float8)) v(x) $$,
                 '22000', NULL, 'mean(float8, int) rejects NaN');
SELECT throws_ok($$ SELECT sqii.mean(x, 20) FROM (VALUES ('Infinity'::float8)) v(x) $$,
                 '22000', NULL, 'mean(float8, int) rejects Infinity even below min_n');
SELECT throws_ok($$ SELECT school_id, sqii.tally(CASE WHEN student_id = 12345 THEN 'NaN'::float8 ELSE ela_dfs END)
                    FROM sample.students GROUP BY school_id $$,
                 '22000', NULL, 'one NaN among the district''s students is an error');
SELECT lives_ok($$ SELECT sqii.tally(x) FROM (VALUES (1e154::float8), (-1e-300), (NULL)) v(x) $$,
                'large and tiny finite values are tallied');

------------------------------------------------------------------------------
-- min_n is a number of students: negative is 22023.
------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT sqii.pct('(4,1,1)'::sqii.tally, -1) $$, '22023', NULL, 'pct(tally, -1)');
SELECT throws_ok($$ SELECT sqii.mean('(4,10,30)'::sqii.tally, -1) $$, '22023', NULL, 'mean(tally, -1)');
SELECT throws_ok($$ SELECT sqii.se('(4,10,30)'::sqii.tally, -1) $$, '22023', NULL, 'se(tally, -1)');
SELECT throws_ok($$ SELECT sqii.pct_se('(4,1,1)'::sqii.tally, -1) $$, '22023', NULL, 'pct_se(tally, -1)');
SELECT throws_ok($$ SELECT sqii.mean('(0,0,0)'::sqii.tally, -2147483648) $$, '22023', NULL,
                 'mean(empty tally, most negative int)');
SELECT throws_ok($$ SELECT sqii.pct(b, -1) FROM (VALUES (true), (false)) v(b) $$, '22023', NULL,
                 'pct(boolean, -1) aggregate');
SELECT throws_ok($$ SELECT sqii.pct(b, -1) FROM (VALUES (NULL::boolean)) v(b) $$, '22023', NULL,
                 'pct(boolean, -1) aggregate over only NULL values');
SELECT throws_ok($$ SELECT sqii.mean(x, -1) FROM (VALUES (1::float8), (2)) v(x) $$, '22023', NULL,
                 'mean(float8, -1) aggregate');
SELECT throws_ok($$ SELECT school_id, sqii.pct(ela_met, -20) FROM sample.students GROUP BY school_id $$,
                 '22023', NULL, 'pct(boolean, -20) over the district');
SELECT is(sqii.pct('(4,1,1)'::sqii.tally, 0), 25::float8, 'min_n 0 is accepted');

-- min_n must be the same on every row of a convenience aggregate.
SELECT throws_ok($$ SELECT sqii.pct(b, m) FROM (VALUES (true, 20), (false, 21)) v(b, m) $$,
                 '22023', NULL, 'pct aggregate with min_n varying across rows');
SELECT throws_ok($$ SELECT sqii.mean(x, m) FROM (VALUES (1::float8, 0), (2, 1)) v(x, m) $$,
                 '22023', NULL, 'mean aggregate with min_n varying across rows');
SELECT throws_ok($$ SELECT sqii.pct(b, m) FROM (VALUES (true, 20), (false, NULL)) v(b, m) $$,
                 '22023', NULL, 'pct aggregate with min_n NULL on some rows only');
SELECT throws_ok($$ SELECT sqii.mean(x, m) FROM (VALUES (NULL::float8, 5), (2, 6)) v(x, m) $$,
                 '22023', NULL, 'min_n varying also counts on rows whose value is NULL');
SELECT throws_ok($$ SELECT sqii.pct(ela_met, 20 + (student_id % 2)) FROM sample.students $$,
                 '22023', NULL, 'min_n varying across the district''s students');
SELECT is((SELECT sqii.pct(b, m) FROM (VALUES (true, 2), (false, 2), (NULL, 2), (true, 2)) v(b, m)),
          200.0::float8 / 3, 'the same min_n on every row is accepted');

------------------------------------------------------------------------------
-- pct and pct_se need a tally of true/false values: 22023.
------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT sqii.pct('(4,10,30)'::sqii.tally, 0) $$, '22023', NULL,
                 'pct of a tally of 1, 2, 3, 4');
SELECT throws_ok($$ SELECT sqii.pct_se('(4,10,30)'::sqii.tally, 0) $$, '22023', NULL,
                 'pct_se of a tally of 1, 2, 3, 4');
SELECT throws_ok($$ SELECT sqii.pct('(1,-1,1)'::sqii.tally, 0) $$, '22023', NULL,
                 'pct of a tally of -1');
SELECT throws_ok($$ SELECT sqii.pct('(2,1,0.5)'::sqii.tally, 0) $$, '22023', NULL,
                 'pct of a tally of 0.5, 0.5');
SELECT throws_ok($$ SELECT sqii.pct('(4,10,30)'::sqii.tally, 100) $$, '22023', NULL,
                 'pct of a non-boolean tally is an error even below min_n');
SELECT throws_ok($$ SELECT sqii.pct(sqii.tally(ela_dfs), 20) FROM sample.students $$, '22023', NULL,
                 'pct of the district''s ela_dfs tally');
SELECT is((SELECT sqii.pct(sqii.tally(x), 0) FROM (VALUES (1::float8), (0), (0), (1), (NULL)) v(x)),
          50::float8, 'pct of a numeric tally of 0/1 values is accepted');
-- A tally with a fractional count of true values cannot come from true/false data.
SELECT throws_ok($$ SELECT sqii.pct('(3,1.5,1.5)'::sqii.tally, 0) $$, '22023', NULL,
                 'pct of (3,1.5,1.5), whose sum is not a whole count');

------------------------------------------------------------------------------
-- Bad text input: 22P02 invalid_text_representation.
------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT ''::sqii.tally $$, '22P02', NULL, 'empty string');
SELECT throws_ok($$ SELECT 'abc'::sqii.tally $$, '22P02', NULL, 'abc');
SELECT throws_ok($$ SELECT '(1,1)'::sqii.tally $$, '22P02', NULL, 'two fields');
SELECT throws_ok($$ SELECT '(1,1,1,1)'::sqii.tally $$, '22P02', NULL, 'four fields');
SELECT throws_ok($$ SELECT '(1,1,1'::sqii.tally $$, '22P02', NULL, 'missing closing parenthesis');
SELECT throws_ok($$ SELECT '1,1,1)'::sqii.tally $$, '22P02', NULL, 'missing opening parenthesis');
SELECT throws_ok($$ SELECT '(1,1,1)x'::sqii.tally $$, '22P02', NULL, 'junk after the tally');
SELECT throws_ok($$ SELECT '(x,1,1)'::sqii.tally $$, '22P02', NULL, 'count not a number');
SELECT throws_ok($$ SELECT '(1.5,1,1)'::sqii.tally $$, '22P02', NULL, 'count not an integer');
SELECT throws_ok($$ SELECT '(1,a,1)'::sqii.tally $$, '22P02', NULL, 'sum not a number');
SELECT throws_ok($$ SELECT '(1,1,)'::sqii.tally $$, '22P02', NULL, 'sum of squares missing');
SELECT throws_ok($$ SELECT '(99999999999999999999,0,0)'::sqii.tally $$, '22P02', NULL,
                 'count beyond bigint');
SELECT is(' ( 3 , 2 , 2 ) '::sqii.tally::text, '(3,2,2)', 'spaces around the fields are accepted');

------------------------------------------------------------------------------
-- Well-formed but invalid tallies: 22023.
------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT '(0,1,1)'::sqii.tally $$, '22023', NULL, '(0,1,1): no values but a sum');
SELECT throws_ok($$ SELECT '(0,0,1)'::sqii.tally $$, '22023', NULL, '(0,0,1): no values but a sum of squares');
SELECT throws_ok($$ SELECT '(2,3,1)'::sqii.tally $$, '22023', NULL, '(2,3,1): sum^2 9 > n * sumsq 2');
SELECT throws_ok($$ SELECT '(1,1,-1)'::sqii.tally $$, '22023', NULL, '(1,1,-1): negative sum of squares');
SELECT throws_ok($$ SELECT '(-1,0,0)'::sqii.tally $$, '22023', NULL, '(-1,0,0): negative count');
SELECT throws_ok($$ SELECT '(9007199254740993,0,0)'::sqii.tally $$, '22023', NULL, 'count 2^53 + 1');
SELECT throws_ok($$ SELECT '(1,NaN,1)'::sqii.tally $$, '22023', NULL, 'NaN sum');
SELECT lives_ok($$ SELECT '(9007199254740992,0,0)'::sqii.tally, '(2,2,2)'::sqii.tally, '(2,0,2)'::sqii.tally $$,
                'count 2^53, and sum^2 = n * sumsq, are accepted');

-- make_tally checks the same rules.
SELECT throws_ok($$ SELECT sqii.make_tally(-1, 0, 0) $$, '22023', NULL, 'make_tally with negative n');
SELECT throws_ok($$ SELECT sqii.make_tally(2, 3, 1) $$, '22023', NULL, 'make_tally(2, 3, 1)');
SELECT throws_ok($$ SELECT sqii.make_tally(0, 1, 1) $$, '22023', NULL, 'make_tally(0, 1, 1)');
SELECT throws_ok($$ SELECT sqii.make_tally(1, 'Infinity', 'Infinity') $$, '22023', NULL, 'make_tally with infinite sums');
SELECT throws_ok($$ SELECT sqii.make_tally(9007199254740993, 0, 0) $$, '22023', NULL, 'make_tally with n = 2^53 + 1');

------------------------------------------------------------------------------
-- Overflow while merging or tallying: 22003 numeric_value_out_of_range.
------------------------------------------------------------------------------
SELECT throws_ok($$ SELECT sqii.merge(t) FROM (VALUES ('(9007199254740992,0,0)'::sqii.tally), ('(1,0,0)')) v(t) $$,
                 '22003', NULL, 'merge beyond 2^53 values');
SELECT throws_ok($$ SELECT sqii.merge(t) FROM (VALUES ('(4503599627370496,0,0)'::sqii.tally),
                                                      ('(4503599627370496,0,0)'), ('(1,1,1)')) v(t) $$,
                 '22003', NULL, 'merge of three tallies beyond 2^53 values');
SELECT is((SELECT sqii.n(sqii.merge(t))
           FROM (VALUES ('(4503599627370496,0,0)'::sqii.tally), ('(4503599627370496,0,0)')) v(t)),
          9007199254740992::bigint, 'merge up to exactly 2^53 values is accepted');
SELECT throws_ok($$ SELECT sqii.merge(t) FROM (VALUES ('(1,1e154,1e308)'::sqii.tally), ('(1,1e154,1e308)')) v(t) $$,
                 '22003', NULL, 'merge whose sum of squares overflows');
SELECT throws_ok($$ SELECT sqii.tally(x) FROM (VALUES (1e200::float8)) v(x) $$,
                 '22003', NULL, 'tally of a value whose square overflows');

SELECT * FROM finish();
ROLLBACK;
