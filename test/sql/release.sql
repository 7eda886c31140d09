-- The released form of a cell (sqii.release_value, sqii.release_text) and
-- explanations without counts under privacy_min (sqii.explain_private).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

-- Every status, at the boundaries: 0 students, 10 (must be hidden), 11 and
-- 19 (n-size), 20; range codes at 20 students (band 10) reach 10.0% exactly:
-- 2 of 20 is 10.0% (range), 3 of 20 is 15.0% (published); 18 of 20 is 90.0%.
SELECT n, m, hidden, (r).n AS r_n, (r).value, (r).lower, (r).upper, (r).status, sqii.release_text(r) AS shown
FROM (VALUES (0, 0, false), (10, 3, true), (11, 3, false), (11, 3, true), (19, 19, false),
             (20, 2, false), (20, 3, false), (20, 17, false), (20, 18, false), (40, 2, false),
             (40, 3, false), (300, 3, false), (300, 4, false), (507, 82, false)) AS v(n, m, hidden)
CROSS JOIN LATERAL (SELECT sqii.release_value(sqii.make_tally(n, m, m), 'pct', hidden)) AS x(r)
ORDER BY n, m, hidden;

-- The value is the rate of sqii.published, as a double: 82 of 507 students.
SELECT (sqii.release_value(sqii.make_tally(507, 82, 82))).value = round(100 * 82 / 507.0, 1)::float8 AS same_rate;

-- Means: value with one digit, no range codes; text without a percent sign.
SELECT (r).n, (r).value, (r).status, sqii.release_text(r, 'mean') AS shown
FROM (SELECT sqii.release_value(sqii.make_tally(25, -310, 10000), 'mean')) AS x(r);

-- Errors: a cell under privacy_min must be hidden, an empty one cannot be,
-- hidden must be given, the measure must be known.
SELECT sqii.release_value(sqii.make_tally(10, 3, 3));
SELECT sqii.release_value(sqii.make_tally(0, 0, 0), 'pct', true);
SELECT sqii.release_value(NULL, 'pct', true);
SELECT sqii.release_value(sqii.make_tally(30, 3, 3), 'pct', NULL);
SELECT sqii.release_value(sqii.make_tally(30, 3, 3), 'median');

-- privacy_min is a parameter: with 5, a cell of 5 students is published
-- (as n-size), one of 4 must be hidden.
SELECT (sqii.release_value(sqii.make_tally(5, 1, 1), 'pct', false, 20, 5)).status;
SELECT sqii.release_value(sqii.make_tally(4, 1, 1), 'pct', false, 20, 5);

-- Explanations: every "n" of 1 to privacy_min - 1 becomes null, at any
-- depth; 0 and privacy_min stay.
SELECT sqii.explain_private('{"n": 10, "dropped": [{"n": 1}, {"n": 11}, {"n": 0}], "domains": [{"groups": [{"n": 5, "level": 3}]}], "index": 5}');
SELECT sqii.explain_private('{"dropped": [{"n": 5}]}', 5), sqii.explain_private('{"dropped": [{"n": 4}]}', 5);
SELECT sqii.explain_private('[]'), sqii.explain_private('{}'), sqii.explain_private('3'), sqii.explain_private(NULL);
