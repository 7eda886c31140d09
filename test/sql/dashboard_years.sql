-- California dashboard by year: the rules in force per dashboard year (spring
-- year: 2018 is the 2018 Dashboard, school year 2017-18), every shipped
-- year's cut boundaries and grid corners, the status-only year, two years in
-- one query, a year without tables, the overloads, and a district adding a
-- year.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- The rules in force by year.  2017: the Fall 2017 tables only; 2018: every
-- 0.1 indicator; 2022: status only; 2023: chronic absenteeism's new change
-- cuts; 2024: its 3x5 grid under 150 and high-school suspension (no grid).
SELECT y.dashboard_year, r.indicator, r.rules_from, r.status_only, r.grid, r.small_grid, r.small_grid_below
FROM unnest(ARRAY[2016, 2017, 2018, 2022, 2023, 2024]) AS y(dashboard_year),
     sqii.dashboard_rules(y.dashboard_year) r
ORDER BY y.dashboard_year, r.indicator;
SELECT sqii.dashboard_latest_year() AS default_year;
-- Every shipped rule and reporting row names its source.
SELECT indicator, first_year, source FROM sqii.dashboard_rule ORDER BY indicator, first_year;
SELECT first_year, status_only, source FROM sqii.dashboard_reporting ORDER BY first_year;
-- Every shipped cut table is complete: 4 ascending lower bounds per kind.
SELECT indicator, first_year, kind, array_agg(lower_bound ORDER BY level) AS bounds,
       array_agg(lower_bound ORDER BY level) = array_agg(lower_bound ORDER BY lower_bound) AS ascending
FROM sqii.dashboard_cut GROUP BY indicator, first_year, kind ORDER BY indicator, first_year, kind;

-- Every boundary of every shipped cut table, in the year it starts: the
-- lower bound reaches its level, 0.1 below does not (values are on the 0.1
-- grid, so rounding leaves them).  Expect no failures.
SELECT c.indicator, c.first_year, c.kind, c.level, c.lower_bound,
       sqii.dashboard_level(c.indicator, c.kind, c.lower_bound::float8, c.first_year) AS at_bound,
       sqii.dashboard_level(c.indicator, c.kind, (c.lower_bound - 0.1)::float8, c.first_year) AS below
FROM sqii.dashboard_cut c
WHERE sqii.dashboard_level(c.indicator, c.kind, c.lower_bound::float8, c.first_year) <> c.level
   OR sqii.dashboard_level(c.indicator, c.kind, (c.lower_bound - 0.1)::float8, c.first_year) <> c.level - 1;
SELECT count(*) AS boundaries_checked FROM sqii.dashboard_cut;

-- The new tables by hand, from the published wording.  Chronic absenteeism
-- change, 2018 against 2023: Increased Significantly is +3.0 or more in 2018,
-- +3.1 or more from 2023; "Declined Significantly by 3.0 or more" in both.
SELECT v AS change,
       sqii.dashboard_level('chronic_absenteeism', 'change', v, 2018) AS in_2018,
       sqii.dashboard_level('chronic_absenteeism', 'change', v, 2023) AS in_2023,
       sqii.dashboard_level_name('change', sqii.dashboard_level('chronic_absenteeism', 'change', v, 2023)) AS name_2023,
       sqii.dashboard_level('chronic_absenteeism', 'change', v, 2024) AS in_2024
FROM unnest(ARRAY[-3.0, -2.95, -2.9, -0.5, -0.45, -0.4, 0.4, 0.45, 0.5, 2.99, 3.0, 3.04, 3.05, 3.1]::float8[]) AS v;
-- Chronic absenteeism status 2023: <= 2.5, 2.6-5.0, 5.1-10.0, 10.1-20.0, >= 20.1.
SELECT v AS rate, sqii.dashboard_level('chronic_absenteeism', 'status', v, 2023) AS level
FROM unnest(ARRAY[0, 2.5, 2.54, 2.55, 2.6, 5.0, 5.1, 10.0, 10.1, 20.0, 20.04, 20.05, 20.1, 100]::float8[]) AS v;
-- High-school suspension 2024: status <= 0.5, 0.6-1.5, 1.6-6.0, 6.1-10.0,
-- >= 10.1; change Declined Significantly 2.0 or more, Declined 0.3-1.9,
-- Maintained within 0.2, Increased 0.3-3.0, Increased Significantly >= 3.1.
SELECT v AS rate, sqii.dashboard_level('suspension_hs', 'status', v, 2024) AS level
FROM unnest(ARRAY[0, 0.5, 0.54, 0.55, 0.6, 1.5, 1.6, 6.0, 6.1, 10.0, 10.1, 100]::float8[]) AS v;
SELECT v AS change, sqii.dashboard_level('suspension_hs', 'change', v, 2024) AS level
FROM unnest(ARRAY[-2.0, -1.95, -1.9, -0.3, -0.25, -0.2, 0.2, 0.25, 0.3, 3.0, 3.05, 3.1]::float8[]) AS v;

-- Grid corners of every shipped year, through sqii.dashboard.  Rates from
-- whole counts of n = 1000 (or 100, 200), means from n copies of the value.
CREATE TEMP TABLE corner (indicator text, dashboard_year int, status_value float8, prior_value float8,
                          n int, expect text);
INSERT INTO corner VALUES
    -- 2017 rules (Fall 2017 tables): graduation and elementary suspension
    ('graduation', 2017, 97, 89, 200, 'blue'),          -- VH x IS
    ('graduation', 2017, 60, 68, 200, 'red'),           -- VL x DS
    ('graduation', 2017, 60, 52, 100, 'orange'),        -- VL x IS under 150: the 3x5 grid
    ('suspension_es', 2017, 0.2, 5, 1000, 'blue'),      -- Very Low x Declined Significantly
    ('suspension_es', 2017, 10, 2, 1000, 'red'),        -- Very High x Increased Significantly
    -- 2018 rules
    ('ela_3_8', 2018, 60, 40, 200, 'blue'),             -- VH x IS
    ('ela_3_8', 2018, -100, -80, 200, 'red'),           -- VL x DS
    ('suspension_ud', 2018, 0.5, 0.5, 1000, 'blue'),    -- Very Low x Maintained
    ('suspension_ud', 2018, 9, 5, 1000, 'red'),         -- Very High x Increased Significantly
    ('chronic_absenteeism', 2018, 4, 1, 1000, 'orange'), -- Low x +3.0 = Increased Significantly
    -- 2023: chronic absenteeism, 5x5 grid at every size
    ('chronic_absenteeism', 2023, 1, 6, 1000, 'blue'),   -- Very Low x DS
    ('chronic_absenteeism', 2023, 2, 5.1, 1000, 'blue'), -- Very Low x DS (-3.1)
    ('chronic_absenteeism', 2023, 1, 0, 1000, 'green'),  -- Very Low x Increased (+1.0)
    ('chronic_absenteeism', 2023, 2.5, 0, 1000, 'green'),-- Very Low x Increased (+2.5)
    ('chronic_absenteeism', 2023, 30, 35, 1000, 'yellow'), -- Very High x DS
    ('chronic_absenteeism', 2023, 30, 25, 1000, 'red'),    -- Very High x IS
    ('chronic_absenteeism', 2023, 4, 1, 1000, 'yellow'),   -- Low x +3.0 = Increased (not IS)
    ('chronic_absenteeism', 2023, 7, 7, 1000, 'yellow'),   -- center
    ('chronic_absenteeism', 2023, 30, 35, 100, 'yellow'),  -- 100 students: 5x5 in 2023
    -- 2024: the same 5x5 from 150 students, the 3x5 grid under 150
    ('chronic_absenteeism', 2024, 30, 35, 1000, 'yellow'),
    ('chronic_absenteeism', 2024, 30, 35, 100, 'orange'),  -- VH x DS counts as Declined
    ('chronic_absenteeism', 2024, 30, 25, 100, 'red'),
    ('chronic_absenteeism', 2024, 1, 6, 100, 'blue'),
    ('chronic_absenteeism', 2024, 30, 25, 150, 'red'),     -- 150: the 5x5 grid
    -- 2024 high-school suspension: levels, no grid shipped, so no color
    ('suspension_hs', 2024, 0.5, 4, 1000, NULL),
    ('suspension_hs', 2024, 12, 8, 1000, NULL);
SELECT c.indicator, c.dashboard_year AS year, c.status_value, c.prior_value, c.n,
       d.status_level, d.change_level, d.grid, d.color, d.color IS NOT DISTINCT FROM c.expect AS as_expected
FROM corner c,
     LATERAL sqii.dashboard(c.indicator,
                 CASE WHEN c.indicator LIKE 'ela%' THEN sqii.make_tally(c.n, c.n * c.status_value, c.n * c.status_value ^ 2)
                      ELSE sqii.make_tally(c.n, round(c.n * c.status_value / 100), round(c.n * c.status_value / 100)) END,
                 CASE WHEN c.indicator LIKE 'ela%' THEN sqii.make_tally(c.n, c.n * c.prior_value, c.n * c.prior_value ^ 2)
                      ELSE sqii.make_tally(c.n, round(c.n * c.prior_value / 100), round(c.n * c.prior_value / 100)) END,
                 dashboard_year => c.dashboard_year) d
ORDER BY c.dashboard_year, c.indicator, c.n, c.status_value, c.prior_value;

-- The status-only year: 2022 gives status and its level, never a change or a
-- color, even with a prior year and 1000 students.
SELECT i.indicator, (sqii.dashboard(i.indicator, '(1000,80,80)', '(1000,40,40)', dashboard_year => 2022)).*
FROM unnest(ARRAY['chronic_absenteeism', 'graduation', 'suspension_ud']) AS i(indicator);
SELECT (sqii.dashboard('ela_3_8', '(100,-500,2500)', '(100,-1500,22500)', dashboard_year => 2022)).*;

-- Two years side by side in one query: the same school (4.0% chronically
-- absent, 1.0% the year before: +3.0) under each year's rules.
SELECT y.dashboard_year, d.status, d.status_level, d.change, d.change_level,
       sqii.dashboard_level_name('change', d.change_level) AS change_name, d.color
FROM unnest(ARRAY[2018, 2019, 2022, 2023, 2024]) AS y(dashboard_year),
     sqii.dashboard('chronic_absenteeism', '(1000,40,40)', '(1000,10,10)', dashboard_year => y.dashboard_year) d
ORDER BY y.dashboard_year;

-- Calling conventions: the year omitted is the latest (2024), positionally
-- sixth, or named; the 0.1 function (kept as dashboard_0_1 for the views
-- that hold it) gives the rules 0.1 had, those of 2018 (+3.0 is Increased
-- Significantly there, Increased from 2023: yellow, not orange).
SELECT (sqii.dashboard('chronic_absenteeism', '(100,30,30)', '(100,35,35)')).color AS omitted,
       (sqii.dashboard('chronic_absenteeism', '(100,30,30)', '(100,35,35)', 30, 11, 2024)).color AS positional_2024,
       (sqii.dashboard('chronic_absenteeism', '(100,30,30)', '(100,35,35)', 30, 11, 2023)).color AS positional_2023,
       (sqii.dashboard('chronic_absenteeism', '(100,30,30)', '(100,35,35)', dashboard_year => 2023)).color AS named_2023,
       (sqii.dashboard(indicator => 'chronic_absenteeism', current => '(100,30,30)', dashboard_year => 2023,
                       prior => '(100,35,35)')).color AS all_named,
       (sqii.dashboard_0_1('chronic_absenteeism', '(100,30,30)', '(100,35,35)')).color AS v0_1;
SELECT (sqii.dashboard('graduation', '(200,190,190)')).status_level AS two_args,
       (sqii.dashboard('graduation', '(200,190,190)', NULL)).status_level AS three_args,
       (sqii.dashboard('graduation', '(20,19,19)', '(20,17,17)', 15)).color AS four_args,
       (sqii.dashboard('graduation', '(20,19,19)', '(20,17,17)', 15, 15)).color AS five_args,
       sqii.dashboard_level('ela_3_8', 'status', -70) = sqii.dashboard_level('ela_3_8', 'status', -70, 2024) AS level_latest;

-- Errors: a year before the earliest tables, clear and the same for empty
-- cells; an indicator that starts later; NULL year; unknown kind.
SELECT sqii.dashboard('ela_3_8', '(40,0,0)', dashboard_year => 2017);
SELECT sqii.dashboard('ela_3_8', NULL, dashboard_year => 2017);
SELECT sqii.dashboard('suspension_hs', '(400,4,4)', dashboard_year => 2023);
SELECT sqii.dashboard('ela_3_8', '(40,0,0)', dashboard_year => NULL);
SELECT sqii.dashboard_level('chronic_absenteeism', 'change', 1, 2016);
SELECT sqii.dashboard_cuts('chronic_absenteeism', 'growth', 2023);
-- Rules for a year whose cut points start later: the cut table is missing.
BEGIN;
INSERT INTO sqii.dashboard_rule (indicator, first_year, grid, source) VALUES ('ela_3_8', 2016, 'academic', 'test');
SELECT sqii.dashboard('ela_3_8', NULL, dashboard_year => 2016);
ROLLBACK;

-- A district adds a year in a few INSERTs: 2025 rules for ELA grades 3-8
-- (made-up numbers for the test), the 2022 status cut points of chronic
-- absenteeism, and a grid for high-school suspension 2024 whose Very Low and
-- Low rows have no Increased Significantly cell (N/A).  The rows it adds are
-- district rows (shipped = false), which pg_dump keeps.
BEGIN;
INSERT INTO sqii.dashboard_rule (indicator, first_year, grid, source)
VALUES ('ela_3_8', 2025, 'academic', 'district test');
INSERT INTO sqii.dashboard_cut (indicator, first_year, kind, level, lower_bound) VALUES
    ('ela_3_8', 2025, 'status', 2, -60), ('ela_3_8', 2025, 'status', 3, 0),
    ('ela_3_8', 2025, 'status', 4, 15), ('ela_3_8', 2025, 'status', 5, 50),
    ('ela_3_8', 2025, 'change', 2, -15), ('ela_3_8', 2025, 'change', 3, -2.9),
    ('ela_3_8', 2025, 'change', 4, 3), ('ela_3_8', 2025, 'change', 5, 15);
SELECT sqii.dashboard_latest_year() AS default_year_now;
SELECT y, (sqii.dashboard('ela_3_8', '(100,-500,2500)', '(100,-1500,22500)', dashboard_year => y)).*
FROM unnest(ARRAY[2024, 2025]) AS y;
-- 2022 status cuts for chronic absenteeism (status only: no change cuts needed).
INSERT INTO sqii.dashboard_cut (indicator, first_year, kind, level, lower_bound)
SELECT 'chronic_absenteeism', 2022, 'status', l, b
FROM unnest(ARRAY[2, 3, 4, 5], ARRAY[3.0, 6.0, 11.0, 21.0]) AS t(l, b);
SELECT y, sqii.dashboard_level('chronic_absenteeism', 'status', 5.5, y) AS level_of_5_5
FROM unnest(ARRAY[2018, 2022, 2023]) AS y;
-- The high-school suspension grid: the standard colors without the N/A cells
-- (which no school reaches: a rate of 1.5% or less cannot have risen by 3.1).
INSERT INTO sqii.dashboard_color_grid (grid, status_rank, change_rank, color)
SELECT 'suspension_hs_2024', g.status_rank, g.change_rank, g.color
FROM sqii.dashboard_color_grid g
WHERE g.grid = 'standard' AND NOT (g.status_rank IN (4, 5) AND g.change_rank = 1);
UPDATE sqii.dashboard_rule SET grid = 'suspension_hs_2024' WHERE indicator = 'suspension_hs' AND first_year = 2024;
SELECT (sqii.dashboard('suspension_hs', '(1000,5,5)', '(1000,40,40)', dashboard_year => 2024)).color AS very_low_declined,
       (sqii.dashboard('suspension_hs', '(1000,120,120)', '(1000,80,80)', dashboard_year => 2024)).color AS very_high_increased;
SELECT 'dashboard_rule' AS config, indicator || ' ' || first_year AS key, shipped
FROM sqii.dashboard_rule WHERE NOT shipped OR indicator = 'suspension_hs'
UNION ALL
SELECT 'dashboard_cut', indicator || ' ' || first_year, bool_or(shipped)
FROM sqii.dashboard_cut WHERE NOT shipped GROUP BY indicator, first_year
ORDER BY 1, 2;
ROLLBACK;
-- pg_dump keeps the district rows of the new tables.
SELECT c.relname, x.cond
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(oid, cond) JOIN pg_class c ON c.oid = x.oid
WHERE e.extname = 'sqii' AND c.relname LIKE 'dashboard%' ORDER BY c.relname;

-- The update from 0.1: a view on 0.1's sqii.dashboard and sqii.dashboard_level
-- and a district's own indicator (no year) keep working.  The extension is
-- dropped and created again, as the other tests find it.
SET client_min_messages = warning;
DROP EXTENSION sqii CASCADE;
CREATE EXTENSION sqii VERSION '0.1';
RESET client_min_messages;
CREATE VIEW dashboard_0_1_view AS
SELECT (sqii.dashboard('graduation', '(200,190,190)', '(200,170,170)')).color,
       (sqii.dashboard('local_x', '(100,35,35)', '(100,20,20)')).color AS local_color,
       sqii.dashboard_level('ela_3_8', 'status', -70) AS ela_level;
INSERT INTO sqii.dashboard_indicator VALUES ('local_x', 'district', 'pct', true, 'standard', NULL, NULL, 'district', false);
INSERT INTO sqii.dashboard_cut (indicator, kind, level, lower_bound)
SELECT 'local_x', k, l, l * 10 FROM unnest(ARRAY['status', 'change']) k, generate_series(2, 5) l;
SELECT * FROM dashboard_0_1_view;
ALTER EXTENSION sqii UPDATE TO '0.2';
SELECT * FROM dashboard_0_1_view;
SELECT pg_get_viewdef('dashboard_0_1_view') LIKE '%sqii.dashboard_0_1(%' AS follows_renamed_function;
SELECT indicator, first_year, count(*) AS cuts, bool_or(shipped) AS shipped
FROM sqii.dashboard_cut WHERE indicator IN ('local_x', 'graduation', 'ela_3_8') GROUP BY 1, 2 ORDER BY 1, 2;
SELECT * FROM sqii.dashboard_rules(2030) WHERE indicator IN ('local_x', 'graduation');
DROP VIEW dashboard_0_1_view;
SET client_min_messages = warning;
DROP EXTENSION sqii CASCADE;
CREATE EXTENSION sqii;
RESET client_min_messages;
