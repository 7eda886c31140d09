-- sqii.tally text and binary I/O: exact round trips and input validation.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

-- Text form is (n,sum,sumsq); spaces around the parts are allowed.
SELECT '(20,9,9)'::sqii.tally, ' ( 3 , 0.6 , 0.14 ) '::sqii.tally, '(0,0,0)'::sqii.tally;

-- Sums print in the shortest form that reads back to the same double,
-- whatever extra_float_digits says: 0.1 + 0.2 is not 0.3.
SET extra_float_digits = -15;
SELECT sqii.make_tally(2, 0.1::float8 + 0.2::float8, 0.05);
RESET extra_float_digits;
SELECT t::text::sqii.tally::text = t::text AS text_round_trip,
       sqii.sum(t::text::sqii.tally) = 0.1::float8 + 0.2::float8 AS exact_sum
FROM (SELECT sqii.make_tally(2, 0.1::float8 + 0.2::float8, 0.05) AS t) s;

-- Readers on hand-made tallies: 9 of 20 true is 45%.
SELECT sqii.n(t), sqii.sum(t), sqii.sumsq(t), sqii.pct(t, 20), sqii.pct(t, 21), sqii.pct(t, 0)
FROM (SELECT '(20,9,9)'::sqii.tally AS t) s;
-- Values 1, 2, 3, 4: mean 2.5, sample variance 5/3, se = sqrt(5/3/4).
SELECT sqii.mean(t, 4) AS mean, sqii.mean(t, 5) AS below_min_n,
       sqii.se(t, 0) = sqrt(5.0::float8 / 3 / 4) AS se_ok
FROM (SELECT '(4,10,30)'::sqii.tally AS t) s;
-- pct_se of 9 of 20: 100 * sqrt(s^2/n), s^2 = (9 - 81/20) / 19.
SELECT abs(sqii.pct_se('(20,9,9)'::sqii.tally, 0) - 100 * sqrt((9 - 81.0 / 20) / 19 / 20)) < 1e-12 AS pct_se_ok;
-- n = 0 reads as NULL even with min_n 0; one value has no standard error.
SELECT sqii.pct('(0,0,0)'::sqii.tally, 0), sqii.mean('(0,0,0)'::sqii.tally, 0), sqii.se('(1,5,25)'::sqii.tally, 0);

-- Malformed text.  The input is not echoed (a tally of one student holds that
-- student's value, and COPY errors reach the server log): the position is.
SELECT '(20,9)'::sqii.tally;
SELECT '20,9,9'::sqii.tally;
SELECT '(20,9,9) junk'::sqii.tally;
SELECT '(x,9,9)'::sqii.tally;
SELECT '(20,nine,9)'::sqii.tally;
SELECT '(20,1e999,9)'::sqii.tally;
-- Well-formed text that is not a tally.
SELECT '(20,NaN,9)'::sqii.tally;
SELECT '(20,9,Infinity)'::sqii.tally;
SELECT '(-1,0,0)'::sqii.tally;
SELECT '(9007199254740993,0,0)'::sqii.tally;
SELECT '(0,1,1)'::sqii.tally;
SELECT '(2,1,-1)'::sqii.tally;
SELECT '(2,3,1)'::sqii.tally;
SELECT sqii.make_tally(-5, 0, 0);
-- The largest count is accepted.
SELECT '(9007199254740992,0,0)'::sqii.tally;

-- Stored in a table, dumped as text and as binary COPY, read back exactly.
CREATE TABLE tally_io_t (id int, t sqii.tally);
INSERT INTO tally_io_t VALUES
    (1, '(20,9,9)'), (2, sqii.make_tally(3, 0.1::float8 + 0.2::float8 + 0.3::float8, 0.14)),
    (3, '(9007199254740992,1e15,1e15)'), (4, '(1,-2583.5,6674472.25)'), (5, NULL);
CREATE TABLE tally_io_copy (LIKE tally_io_t);
SELECT current_setting('data_directory') || '/sqii_tally_io.bin' AS binfile,
       current_setting('data_directory') || '/sqii_tally_io.txt' AS txtfile \gset
COPY tally_io_t TO :'binfile' WITH (FORMAT binary);
COPY tally_io_copy FROM :'binfile' WITH (FORMAT binary);
SELECT a.id, a.t, b.t::text IS NOT DISTINCT FROM a.t::text AS binary_same,
       sqii.sum(b.t) IS NOT DISTINCT FROM sqii.sum(a.t) AS sum_same
FROM tally_io_t a JOIN tally_io_copy b USING (id) ORDER BY id;
TRUNCATE tally_io_copy;
COPY tally_io_t TO :'txtfile';
COPY tally_io_copy FROM :'txtfile';
SELECT count(*) AS text_copy_mismatches
FROM tally_io_t a JOIN tally_io_copy b USING (id)
WHERE b.t::text IS DISTINCT FROM a.t::text
   OR sqii.sum(b.t) IS DISTINCT FROM sqii.sum(a.t)
   OR sqii.sumsq(b.t) IS DISTINCT FROM sqii.sumsq(a.t);

-- A materialized view can store tallies.
CREATE MATERIALIZED VIEW tally_io_mv AS SELECT id % 2 AS k, sqii.merge(t) AS t FROM tally_io_t WHERE id < 3 GROUP BY 1;
SELECT * FROM tally_io_mv ORDER BY k;
DROP MATERIALIZED VIEW tally_io_mv;
DROP TABLE tally_io_t, tally_io_copy;

-- Subnormal sums are finite values: they print and read back.
SELECT t::text AS subnormal, t::text::sqii.tally::text = t::text AS round_trip
FROM (SELECT sqii.make_tally(1, 1e-310, 0) AS t) s;
-- Squares of tiny values underflow to zero in the aggregate: 100,000 values of
-- 1e-165 sum to 1e-160 with a sum of squares of 0, and that tally reads back
-- (sum^2 = 1e-320 is allowed by the n underflowed squares).
SELECT t::text AS underflowed_squares, t::text::sqii.tally::text = t::text AS round_trip
FROM (SELECT sqii.tally(1e-165::float8) AS t FROM generate_series(1, 100000)) s;
-- Overflow and underflow to zero in the text are not numbers a tally holds.
SELECT '(1,1e-400,0)'::sqii.tally;

-- Equality and ordering: tallies work in DISTINCT, GROUP BY, UNION, IN and
-- ORDER BY, by hashing and by sorting; -0 and 0 are the same sum.
CREATE TEMP TABLE tally_eq_t (t sqii.tally);
INSERT INTO tally_eq_t VALUES ('(1,1,1)'), ('(1,1,1)'), ('(2,-0,0)'), ('(2,0,0)'), ('(1,0,0)'), (NULL);
SELECT t, count(*) FROM tally_eq_t GROUP BY t ORDER BY t;
SET enable_hashagg = off;
SELECT t, count(*) FROM tally_eq_t GROUP BY t ORDER BY t;
RESET enable_hashagg;
SELECT count(*) AS distinct_tallies FROM (SELECT DISTINCT t FROM tally_eq_t) d;
SELECT count(*) AS union_rows FROM (SELECT t FROM tally_eq_t UNION SELECT '(1,1,1)'::sqii.tally) u;
-- = and IN look the operator up by name: they need sqii on the search_path
-- (or OPERATOR(sqii.=)); DISTINCT, GROUP BY and UNION find it by type.
SELECT count(*) AS in_rows FROM tally_eq_t WHERE t IN (SELECT '(2,0,0)'::sqii.tally);
SET search_path = public, sqii;
SELECT count(*) AS in_rows FROM tally_eq_t WHERE t IN (SELECT '(2,0,0)'::sqii.tally);
RESET search_path;
SELECT '(1,1,1)'::sqii.tally OPERATOR(sqii.<) '(1,2,4)'::sqii.tally AS lt_by_sum,
       '(2,0,0)'::sqii.tally OPERATOR(sqii.>) '(1,1,1)'::sqii.tally AS gt_by_n,
       '(1,1,1)'::sqii.tally OPERATOR(sqii.<>) '(1,1,1)'::sqii.tally AS ne_same;
DROP TABLE tally_eq_t;
