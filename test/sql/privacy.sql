-- Primary suppression and the display form: each band at its edges.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- (n, number met) -> text and typed form.  By hand: 10 students are hidden
-- (*), 11-19 are under the n-size, from 20 extreme rates become ranges whose
-- width shrinks with n: 10 points under 40, 5 under 100, 2 under 300, then 1;
-- the band applies to the printed value (2.007% prints as 2.0%, so <=2%).
SELECT n, met, round(100.0 * met / n, 3) AS exact_pct,
       sqii.display(sqii.make_tally(n, met, met)) AS display,
       (sqii.published(sqii.make_tally(n, met, met))).*
FROM (VALUES (10, 5), (11, 5), (19, 0),
             (20, 2), (20, 3), (20, 17), (20, 18), (39, 4), (39, 35),
             (40, 2), (40, 3), (40, 37), (40, 38), (99, 5), (99, 94),
             (100, 2), (100, 3), (100, 97), (100, 98), (299, 6), (299, 293),
             (300, 3), (300, 4), (300, 296), (300, 297), (1000, 452)) AS c(n, met)
ORDER BY c.n, c.met;
-- Means are shown rounded, never range-coded; privacy and n-size rules apply.
SELECT sqii.display('(40,100,300)'::sqii.tally, 'mean') AS mean_40,
       sqii.display('(15,100,1000)'::sqii.tally, 'mean') AS mean_15,
       sqii.display('(5,100,2500)'::sqii.tally, 'mean') AS mean_5,
       sqii.display('(20,-49,200)'::sqii.tally, 'mean') AS rounds_half_away;
-- Other thresholds and digits.
SELECT sqii.display('(25,10,10)'::sqii.tally, 'pct', 30) AS n_size_30,
       sqii.display('(25,10,10)'::sqii.tally, 'pct', 30, 26) AS privacy_26,
       sqii.display('(1000,452,452)'::sqii.tally, 'pct', 20, 11, 0) AS no_decimals;
-- No data: NULL display, reason no_data.
SELECT sqii.display(NULL) IS NULL AS null_tally, (sqii.published(NULL)).reason,
       (sqii.published('(0,0,0)')).reason AS empty_tally;
-- Bad parameters.
SELECT sqii.display('(40,10,10)'::sqii.tally, 'median');
SELECT sqii.display('(40,10,10)'::sqii.tally, 'pct', 10, 11);
SELECT sqii.display('(40,10,10)'::sqii.tally, 'pct', 20, 0);
-- A rate of a numeric tally is refused, as everywhere.
SELECT sqii.display('(40,100,300)'::sqii.tally, 'pct');
SELECT n, sqii.range_band(n) FROM unnest(ARRAY[0, 39, 40, 99, 100, 299, 300]::int8[]) n;
