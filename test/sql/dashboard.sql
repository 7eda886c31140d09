-- Distance from standard, tally complements and gaps, dashboard rounding,
-- levels and colors: hand-computed cases, every corner of each grid.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
-- PL/pgSQL line numbers in error context would make this output fragile.
\set SHOW_CONTEXT never

-- Rounding half away from zero at 0.1, after reading the double at 15 digits:
-- 100 * 7 / 2000 is stored as 0.34999999999999997 but is 0.35.
SELECT sqii.round_half_up(100.0 * 7 / 2000) AS "0.35", sqii.round_half_up(-2.45) AS "-2.45",
       sqii.round_half_up(-49.0 / 20) AS "-49/20", sqii.round_half_up(0.04) AS "0.04",
       sqii.round_half_up(-0.05) AS "-0.05", sqii.round_half_up(2.5, 0) AS "2.5 to 0",
       sqii.round_half_up(123456.789, 2) AS "2 digits";
SELECT sqii.round_half_up('NaN');
SELECT sqii.round_half_up(1, 11);

-- Distance from standard: each shipped threshold, by hand.
SELECT subject, grade, threshold, sqii.dfs(subject, grade, 2500) AS dfs_of_2500
FROM sqii.dfs_threshold ORDER BY subject, grade;
SELECT sqii.dfs('ela', 3, NULL) AS null_score;
SELECT sqii.dfs('ela', 9, 2500);
SELECT sqii.dfs('ela', 3, 'Infinity');
SELECT sqii.dfs('ela', 3, 'NaN');
-- A threshold must be a finite number.
INSERT INTO sqii.dfs_threshold (assessment, subject, grade, first_year, threshold) VALUES ('X', 'ela', 3, 2015, 'NaN');
INSERT INTO sqii.dfs_threshold (assessment, subject, grade, first_year, threshold) VALUES ('X', 'ela', 3, 2015, '-Infinity');
-- A district's own assessment and a new threshold from a later year.
INSERT INTO sqii.dfs_threshold (assessment, subject, grade, first_year, threshold) VALUES
    ('LOCAL', 'ela', 3, 2015, 400), ('LOCAL', 'ela', 3, 2020, 410);
SELECT sqii.dfs('ela', 3, 420, 'LOCAL', 2019) AS y2019, sqii.dfs('ela', 3, 420, 'LOCAL', 2020) AS y2020,
       sqii.dfs('ela', 3, 420, 'LOCAL') AS latest;
SELECT sqii.dfs('ela', 3, 420, 'LOCAL', 2010);
DELETE FROM sqii.dfs_threshold WHERE assessment = 'LOCAL';

-- Complements: all students (100, 40 met) minus English learners (30, 20 met)
-- = everyone else (70, 20 met); gap 66.67 - 28.57 = 38.10 points.
SELECT sqii.complement('(100,40,40)', '(30,20,20)') AS others,
       sqii.tally_add('(70,20,20)', '(30,20,20)') AS total,
       round(sqii.pct_gap('(30,20,20)', sqii.complement('(100,40,40)', '(30,20,20)'), 30)::numeric, 4) AS gap,
       round((100.0 * 20 / 30 - 100.0 * 20 / 70), 4) AS by_hand,
       sqii.pct_gap('(29,20,20)', '(71,20,20)', 30) AS below_min_n;
-- Means: group of 2 scores 10, 20 in a total of 10, 20, 60: others = 60; gap 15 - 60 = -45.
SELECT sqii.complement('(3,90,4100)', '(2,30,500)') AS others,
       sqii.mean_gap('(2,30,500)', sqii.complement('(3,90,4100)', '(2,30,500)'), 0) AS gap;
-- The operators, with sqii on the search path.
SET search_path = public, sqii;
SELECT '(100,40,40)'::tally - '(30,20,20)'::tally AS minus, '(70,20,20)'::tally + '(30,20,20)'::tally AS plus;
RESET search_path;
-- A "part" larger than the total is an error; an equal part leaves (0,0,0).
SELECT sqii.complement('(10,4,4)', '(30,20,20)');
SELECT sqii.complement('(10,4,4)', '(10,5,5)');
SELECT sqii.complement('(10,4,4)', '(10,4,4)');
-- Fractional data: the complement of 999 of 1000 values 0.1 * i is the value 100.
SELECT sqii.complement(a.t, b.t) AS last_value
FROM (SELECT sqii.tally(0.1::float8 * i) AS t FROM generate_series(1, 1000) i) a,
     (SELECT sqii.tally(0.1::float8 * i) AS t FROM generate_series(1, 999) i) b;
-- Extremes found by fuzzing.  Near the subnormal range: the rest of the
-- total has a sum but no sum of squares left, which tiny values whose
-- squares underflowed to zero give; the result reads back.  Near the top of
-- the range: the rest would be one student of 1e154 with no square left (its
-- square, 1e308, is far beyond the rounding of 1.7e308), so the part is not
-- contained; the check's tolerance once overflowed to Infinity and let this
-- through as (1,1e154,1e308).
SELECT c AS near_subnormal, c::text::sqii.tally OPERATOR(sqii.=) c AS reads_back
FROM sqii.complement('(282531538665488,1.4916681462400413e-154,1.7272337118231948e-77)',
                     '(3255585210368,9.4586521082948369e-308,1.7272337118231948e-77)') AS c;
SELECT sqii.complement('(10,1e154,1.7e308)', '(9,0,1.7e308)');
-- Tallies that no set of doubles has are refused on input: a sum whose square
-- is beyond the range, with a count and sum of squares far too small for it.
SELECT '(228896054280175,-6.741345863320692e+307,1.797658846573806e+308)'::sqii.tally;
-- Change of a gap between years: (this year's gap) - (last year's), unrounded.
SELECT round((sqii.pct_gap('(30,20,20)', '(70,20,20)', 30) - sqii.pct_gap('(30,15,15)', '(70,21,21)', 30))::numeric, 4)
           AS gap_change,
       round(((100.0 * 20 / 30 - 100.0 * 20 / 70) - (100.0 * 15 / 30 - 100.0 * 21 / 70)), 4) AS by_hand;

-- Levels at and around the cuts (status rounded to 0.1 first): ELA 3-8
-- "Low" is 5.1 to 70 points below, so -70.0 is Low and -70.05 rounds to
-- -70.1, Very Low.
SELECT v AS status, sqii.dashboard_level('ela_3_8', 'status', v) AS level,
       sqii.dashboard_level_name('status', sqii.dashboard_level('ela_3_8', 'status', v)) AS name
FROM unnest(ARRAY[-70.05, -70.04, -70, -5.1, -5, 9.95, 9.94, 44.96, 45, 300]::float8[]) AS v;
-- Chronic absenteeism: "2.5% or less" is Very Low, "more than 2.5%" Low.
SELECT v AS rate, sqii.dashboard_level('chronic_absenteeism', 'status', v) AS level
FROM unnest(ARRAY[0, 2.5, 2.54, 2.55, 5.0, 5.05, 20.0, 20.04, 20.05, 100]::float8[]) AS v;

-- Change uses unrounded values: 10.06 (10.1) minus 7.14 (7.1) is 2.92, which
-- is Maintained (< 3), although the rounded statuses differ by 3.0.
SELECT (sqii.dashboard('ela_3_8', sqii.make_tally(50, 503, 5060.18), sqii.make_tally(50, 357, 2548.98))).*;

-- n rules: 10 students, nothing; 11-29, status and change but no color; 30, a color
-- (no year given: the latest, 2024, where chronic absenteeism takes the 3x5
-- grid under 150 students; test/sql/dashboard_years.sql has the years).
SELECT d.*
FROM unnest(ARRAY[10, 11, 29, 30]) AS k,
     sqii.dashboard('chronic_absenteeism', sqii.make_tally(k, k / 10, k / 10), sqii.make_tally(k, k / 5, k / 5)) d;
-- No prior year: status only, no color.
SELECT (sqii.dashboard('graduation', '(200,190,190)')).*;

-- Every corner of every grid, through sqii.dashboard with constructed tallies:
-- higher is better (graduation), lower is better (chronic), academic (ELA).
-- Rates are built from whole counts (n = 200 or 1000), means from n copies of the value.
CREATE TEMP TABLE corner (indicator text, status_value float8, prior_value float8, n int, expect text);
INSERT INTO corner VALUES
    -- graduation, standard grid: Very High (97) and Very Low (60) rows,
    -- Declined Significantly (-8) and Increased Significantly (+8) columns
    ('graduation', 97, 99.5, 200, 'green'),      -- VH x Declined (-2.5)
    ('graduation', 97, 89, 200, 'blue'),         -- VH x IS
    ('graduation', 60, 68, 200, 'red'),          -- VL x DS
    ('graduation', 60, 52, 200, 'yellow'),       -- VL x IS
    ('graduation', 87, 87, 200, 'yellow'),       -- Medium x Maintained: the center
    -- the same cells under the safety net (fewer than 150 students): the
    -- extreme change columns take the colors of the moderate ones
    ('graduation', 97, 89, 100, 'blue'),
    ('graduation', 60, 68, 100, 'red'),
    ('graduation', 60, 52, 100, 'orange'),
    -- chronic absenteeism (lower is better): low and falling is best
    ('chronic_absenteeism', 1, 6, 1000, 'blue'),     -- Very Low x DS
    ('chronic_absenteeism', 1, 0.4, 1000, 'green'),  -- Very Low x Increased (+0.6)
    ('chronic_absenteeism', 30, 35, 1000, 'yellow'), -- Very High x DS
    ('chronic_absenteeism', 30, 25, 1000, 'red'),    -- Very High x IS
    ('chronic_absenteeism', 7, 7, 1000, 'yellow'),   -- center
    -- ELA 3-8, academic grid
    ('ela_3_8', 60, 80, 200, 'green'),           -- VH x DS
    ('ela_3_8', 60, 40, 200, 'blue'),            -- VH x IS
    ('ela_3_8', -100, -80, 200, 'red'),          -- VL x DS
    ('ela_3_8', -100, -120, 200, 'orange'),      -- VL x IS
    ('ela_3_8', 0, 0, 200, 'yellow');            -- center
SELECT c.indicator, c.status_value, c.prior_value, c.n, d.status_level, d.change_level, d.grid, d.color,
       d.color = c.expect AS as_expected
FROM corner c,
     LATERAL (SELECT * FROM sqii.dashboard(c.indicator,
                 CASE WHEN c.indicator = 'ela_3_8' THEN sqii.make_tally(c.n, c.n * c.status_value, c.n * c.status_value ^ 2)
                      ELSE sqii.make_tally(c.n, c.n * c.status_value / 100, c.n * c.status_value / 100) END,
                 CASE WHEN c.indicator = 'ela_3_8' THEN sqii.make_tally(c.n, c.n * c.prior_value, c.n * c.prior_value ^ 2)
                      ELSE sqii.make_tally(c.n, c.n * c.prior_value / 100, c.n * c.prior_value / 100) END)) d
ORDER BY c.indicator, c.n, c.status_value, c.prior_value;
-- Each grid is complete: 25 cells, all five colors used.
SELECT grid, count(*) AS cells, count(DISTINCT color) AS colors FROM sqii.dashboard_color_grid GROUP BY grid ORDER BY grid;

-- Errors.
SELECT sqii.dashboard('ela_5_8', '(40,0,0)');
SELECT sqii.dashboard('ela_3_8', '(40,0,0)', NULL, 10, 11);
SELECT sqii.dashboard_level('ela_3_8', 'growth', 1);
BEGIN;
DELETE FROM sqii.dashboard_cut WHERE indicator = 'graduation' AND kind = 'status' AND level = 3;
SELECT sqii.dashboard('graduation', '(200,190,190)');
ROLLBACK;
-- pct of a mean indicator's tally is refused: the dashboard reads the measure the table names.
SELECT sqii.dashboard('graduation', '(40,100,1000)');
