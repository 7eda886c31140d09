-- The SQII index: models, frozen cut points, the index aggregate and its
-- explanation, on hand-computed schools.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
-- Error context is shown where it is sqii's own short one (a cell's
-- indicator and group); elsewhere PL/pgSQL line numbers would be fragile.
\set SHOW_CONTEXT never

SELECT m.model, m.n_size, m.group_split, d.domain, d.weight,
       string_agg(i.indicator || CASE WHEN i.school_levels IS NOT NULL THEN ' (' || array_to_string(i.school_levels, ',') || ')' ELSE '' END,
                  ', ' ORDER BY i.indicator) AS indicators
FROM sqii.model m JOIN sqii.model_domain d USING (model) JOIN sqii.model_indicator i USING (model, domain)
GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 4;

-- Cut points 10, 20, ..., 90 for every cut-based indicator: for higher is
-- better a value v has level 1 + (cuts <= v); lower is better mirrors.
SELECT count(sqii.freeze_cutpoints(model, indicator, 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90])) AS frozen
FROM sqii.model_indicator WHERE scale = 'cuts';
SELECT model, count(*) AS indicators_with_cuts, min(baseline_year), max(cuts::text) FROM sqii.model_cut GROUP BY model ORDER BY model;
-- Cut points must come as 9 ascending numbers for a known indicator, and a
-- level of the model or '*' (errors without sqii's statements as context).
\set SHOW_CONTEXT errors
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[10, 20, 30]);
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[90, 20, 30, 40, 50, 60, 70, 80, 10]);
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, NULL]);
SELECT sqii.freeze_cutpoints('core-2016', 'reading', 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90]);
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90], 'junior');
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90], NULL);
\set SHOW_CONTEXT never

CREATE TEMP TABLE cells (school text, level text, indicator text, group_code text, value float8, n bigint);
-- School B, elementary (academic: 4 indicators apply; SE/CC: 5).
--   ela_performance: ALL 55 -> 6; HI 35 -> 4 and WH 75 -> 8: lowest race HI;
--     SWD 25 -> 3; SED 45 -> 5; EL has 10 students: dropped.
--     half split: 0.5 * 6 + (4 + 3 + 5) / 6 = 5.
--   math_performance: ALL 50 (on a cut) -> 6.   ela_growth: ALL 45 -> 5.   math_growth: none.
--   academic: 3 indicators present, 20 points each: (5 + 6 + 5) / 10 * 20 = 32.
--   chronic_absenteeism: ALL 12, lower is better -> 9.  suspension: ALL 3 -> 10.
--   el_redesignation (all students only): ALL 30 -> 4 (EL 30 does not count).
--   SE/CC: 3 present, 40/3 points each: (9 + 10 + 4) / 10 * 40 / 3 = 30.666...
--   index = 32 + 92/3 = 62.666...
--   coverage: intended 15 per academic and 8 per SE/CC indicator, times the
--   group shares present: 15 * 0.875 + 15 * 0.5 + 15 * 0.5 + 8 * 0.5 + 8 * 0.5 + 8 * 1 = 44.125.
INSERT INTO cells VALUES
    ('B', 'elementary', 'ela_performance', 'ALL', 55, 300), ('B', 'elementary', 'ela_performance', 'HI', 35, 120),
    ('B', 'elementary', 'ela_performance', 'WH', 75, 90), ('B', 'elementary', 'ela_performance', 'SWD', 25, 40),
    ('B', 'elementary', 'ela_performance', 'SED', 45, 200), ('B', 'elementary', 'ela_performance', 'EL', 5, 10),
    ('B', 'elementary', 'math_performance', 'ALL', 50, 300), ('B', 'elementary', 'ela_growth', 'ALL', 45, 250),
    ('B', 'elementary', 'chronic_absenteeism', 'ALL', 12, 310), ('B', 'elementary', 'suspension', 'ALL', 3, 310),
    ('B', 'elementary', 'el_redesignation', 'ALL', 30, 60), ('B', 'elementary', 'el_redesignation', 'EL', 30, 60),
    -- graduation does not apply to an elementary school: ignored.
    ('B', 'elementary', 'graduation', 'ALL', 10, 100);
-- School P, middle, perfect: every group at level 10 in every indicator: exactly 100.
INSERT INTO cells
SELECT 'P', 'middle', i.indicator, g.code,
       CASE WHEN i.higher_is_better THEN 95 ELSE 0 END, 50
FROM sqii.model_indicator i, unnest(ARRAY['ALL', 'AA', 'HI', 'EL', 'SWD', 'SED']) g(code)
WHERE i.model = 'core-2016' AND (i.school_levels IS NULL OR 'middle' = ANY (i.school_levels));
-- School C: only ELA performance (all students, level 6): the SE/CC weight goes
-- to academic, whose one indicator gets all 100 points: index 60.
INSERT INTO cells VALUES ('C', 'elementary', 'ela_performance', 'ALL', 55, 100);
-- School X, lower-is-better extreme: only chronic absenteeism, 100% (level 1): index 10.
INSERT INTO cells VALUES ('X', 'elementary', 'chronic_absenteeism', 'ALL', 100, 100);
-- School T, ties for the lowest race group: AA, HI and FI all 35; HI and FI
-- have more students than AA; FI comes first by code.
INSERT INTO cells VALUES ('T', 'elementary', 'ela_performance', 'ALL', 55, 300),
    ('T', 'elementary', 'ela_performance', 'AA', 35, 40), ('T', 'elementary', 'ela_performance', 'HI', 35, 60),
    ('T', 'elementary', 'ela_performance', 'FI', 35, 60);
-- School H: a category mean that is not whole: ALL 55 -> 6; HI 35 -> 4,
-- SWD 25 -> 3, SED 35 -> 4: 0.5 * 6 + 0.5 * 11/3 = 4.8333...; one indicator
-- with all 100 points: index 48.333...
INSERT INTO cells VALUES ('H', 'elementary', 'ela_performance', 'ALL', 55, 300),
    ('H', 'elementary', 'ela_performance', 'HI', 35, 60), ('H', 'elementary', 'ela_performance', 'SWD', 25, 60),
    ('H', 'elementary', 'ela_performance', 'SED', 35, 60);
-- School E: every cell below the n-size: no index.
INSERT INTO cells VALUES ('E', 'elementary', 'ela_performance', 'ALL', 55, 19);

CREATE TEMP TABLE results AS
SELECT school, sqii.sqii_index('core-2016', level, indicator, group_code, value, n) AS r,
       sqii.explain('core-2016', level, indicator, group_code, value, n) AS e
FROM cells GROUP BY school;
SELECT school, round((r).index::numeric, 10) AS index, round((r).coverage::numeric, 10) AS coverage,
       (r).index = (e ->> 'index')::float8 AS explain_agrees
FROM results ORDER BY school;
SELECT round(188 / 3.0, 10) AS school_b_by_hand, round(145 / 3.0, 10) AS school_h_by_hand,
       (SELECT (r).index = 100 FROM results WHERE school = 'P') AS perfect_is_exactly_100;
-- The explanation's earned points add up to the index.
SELECT school, abs((r).index - (SELECT sum((x ->> 'earned')::float8)
                                FROM jsonb_array_elements(e -> 'domains') dm,
                                     jsonb_array_elements(dm -> 'indicators') x)) < 1e-12 AS earned_sum_is_index
FROM results WHERE (r).index IS NOT NULL ORDER BY school;
-- School B explained.
SELECT jsonb_pretty(e - 'domains') FROM results WHERE school = 'B';
SELECT dm ->> 'domain' AS domain, dm ->> 'effective_weight' AS effective_weight, x ->> 'indicator' AS indicator,
       round((x ->> 'points')::numeric, 4) AS points, x ->> 'weighted_mean_level' AS wml,
       round((x ->> 'earned')::numeric, 4) AS earned, dm -> 'missing_indicators' AS missing
FROM results, jsonb_array_elements(e -> 'domains') dm, jsonb_array_elements(dm -> 'indicators') x
WHERE school = 'B' ORDER BY 1, 3;
SELECT g ->> 'category' AS category, g ->> 'group' AS "group", g ->> 'n' AS n, g ->> 'value' AS value,
       g ->> 'level' AS level, g ->> 'band' AS band, round((g ->> 'share')::numeric, 6) AS share
FROM results, jsonb_array_elements(e -> 'domains') dm, jsonb_array_elements(dm -> 'indicators') x,
     jsonb_array_elements(x -> 'groups') g
WHERE school = 'B' AND x ->> 'indicator' = 'ela_performance' ORDER BY 1;
-- Ties: larger n, then group code: FI.
SELECT g ->> 'group' AS lowest_race_group
FROM results, jsonb_array_elements(e -> 'domains') dm, jsonb_array_elements(dm -> 'indicators') x,
     jsonb_array_elements(x -> 'groups') g
WHERE school = 'T' AND g ->> 'category' = 'lowest race/ethnicity';

-- Domain levels for peer comparison: school B's academic domain earned 32 of
-- 60 points (level 5.333...), SE/CC 92/3 of 40 (level 7.666...).
SELECT domain, round(level::numeric, 10) AS level FROM results, sqii.domain_levels(e) WHERE school = 'B' ORDER BY domain;
-- A subgroup's own index (its cells read as the whole school's): school B's
-- SED cells are ELA performance 45 -> level 5 with all 100 points: 50.
SELECT (sqii.sqii_index('core-2016', level, indicator, 'ALL', value, n) FILTER (WHERE group_code = 'SED')).index
    AS sed_index
FROM cells WHERE school = 'B';

-- The equal-fifths split, in a district's own model: school B's ELA
-- performance becomes (6 + 4 + 3 + 5) / 4 = 4.5, earning 9 instead of 10:
-- index 185/3; coverage 15 * 0.8 + 15 * 0.2 * 2 + 8 * 0.2 * 2 + 8 = 29.2.
INSERT INTO sqii.model (model, description, group_split) VALUES ('fifths', 'CORE 2016 with equal fifths', 'fifths');
INSERT INTO sqii.model_domain (model, domain, weight) SELECT 'fifths', domain, weight FROM sqii.model_domain WHERE model = 'core-2016';
INSERT INTO sqii.model_indicator (model, indicator, domain, higher_is_better, scale, subgroups, school_levels)
SELECT 'fifths', indicator, domain, higher_is_better, scale, subgroups, school_levels FROM sqii.model_indicator WHERE model = 'core-2016';
INSERT INTO sqii.model_cut (model, indicator, baseline_year, cuts)
SELECT 'fifths', indicator, baseline_year, cuts FROM sqii.model_cut WHERE model = 'core-2016';
SELECT round((sqii.sqii_index('fifths', level, indicator, group_code, value, n)).index::numeric, 10) AS index,
       round((sqii.sqii_index('fifths', level, indicator, group_code, value, n)).coverage::numeric, 10) AS coverage,
       round(185 / 3.0, 10) AS by_hand
FROM cells WHERE school = 'B';

-- core-2015 on school B: five elements of 20.  Performance (5, 6): 11 of 20;
-- growth (5): 10; culture (chronic 9, suspension 10): 19; SEL and completion
-- missing: 60 points spread over 3 elements -> x 100/60: (11 + 10 + 19) * 5/3 = 66.666...
SELECT round((sqii.sqii_index('core-2015', level, indicator, group_code, value, n)).index::numeric, 10) AS index,
       round(200 / 3.0, 10) AS by_hand
FROM cells WHERE school = 'B' AND indicator <> 'el_redesignation';

-- Cut points per school level: middle schools get their own ELA cuts
-- (0, 1, ..., 8: a value of 55 is level 10), other levels keep the shared ones (level 6).
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[0, 1, 2, 3, 4, 5, 6, 7, 8], 'middle');
SELECT lvl, (sqii.sqii_index('core-2016', lvl, 'ela_performance', 'ALL', 55, 100)).index
FROM unnest(ARRAY['elementary', 'middle']) lvl GROUP BY lvl ORDER BY lvl;
DELETE FROM sqii.model_cut WHERE school_level = 'middle';

-- Domain weights are checked when a transaction writes them, at commit: a
-- change of several weights is made in one transaction.
UPDATE sqii.model_domain SET weight = 50 WHERE model = 'fifths' AND domain = 'academic';
BEGIN;
UPDATE sqii.model_domain SET weight = 50 WHERE model = 'fifths';
COMMIT;
SELECT domain, weight FROM sqii.model_domain WHERE model = 'fifths' ORDER BY domain;
-- Compared with a tolerance of 1e-6: weights computed from shares are not
-- exact (0.7 + 0.2 is not 0.9 in floating point), 70.0000001 + 30 is 100
-- within 1e-6, 70.00001 + 30 is not.
BEGIN;
UPDATE sqii.model_domain SET weight = (0.7::float8 + 0.2::float8) * 100 / 0.9
                                      * CASE domain WHEN 'academic' THEN 0.6 ELSE 0.4 END
WHERE model = 'fifths';
SELECT sum(weight) = 100 AS exactly_100, abs(sum(weight) - 100) < 1e-12 AS within_rounding
FROM sqii.model_domain WHERE model = 'fifths';
COMMIT;
BEGIN;
UPDATE sqii.model_domain SET weight = CASE domain WHEN 'academic' THEN 70.0000001 ELSE 30 END WHERE model = 'fifths';
COMMIT;
BEGIN;
UPDATE sqii.model_domain SET weight = CASE domain WHEN 'academic' THEN 70.00001 ELSE 30 END WHERE model = 'fifths';
COMMIT;
-- Deleting a domain is not checked (a restore replays deletions on their own).
BEGIN;
DELETE FROM sqii.model_domain WHERE model = 'fifths' AND domain = 'academic';
ROLLBACK;
-- The index checks the weights again (within 1e-6), for tables written with
-- triggers off (pg_restore --disable-triggers, replication).
SET session_replication_role = replica;
UPDATE sqii.model_domain SET weight = 50 WHERE model = 'fifths' AND domain = 'academic';
RESET session_replication_role;
SELECT sqii.sqii_index('fifths', level, indicator, group_code, value, n) FROM cells WHERE school = 'B';
SET session_replication_role = replica;
UPDATE sqii.model_domain SET weight = CASE domain WHEN 'academic' THEN 60 ELSE 40 END WHERE model = 'fifths';
RESET session_replication_role;

-- Malformed inputs: each a clear error with a hint and a short context (the
-- cell's indicator and group), never internal query text.
\set SHOW_CONTEXT errors
SELECT sqii.sqii_index('core-2016', 'elementary', 'reading', 'ALL', 50, 100);
SELECT sqii.sqii_index('core-2017', 'elementary', 'ela_performance', 'ALL', 50, 100);
SELECT sqii.sqii_index('core-2016', lvl, 'ela_performance', 'ALL', 50, 100) FROM unnest(ARRAY['middle', 'high']) lvl;
SELECT sqii.sqii_index(m, 'middle', 'ela_performance', 'ALL', 55, 30) FROM (VALUES ('core-2016'), ('fifths')) v(m);
-- A NULL school level, model, indicator or group is an error, and so is a
-- level the model does not rate.
SELECT sqii.sqii_index('core-2016', NULL, 'ela_performance', 'ALL', 55, 30);
SELECT sqii.sqii_index(NULL, 'middle', 'ela_performance', 'ALL', 55, 30);
SELECT sqii.sqii_index('core-2016', 'middle', NULL, 'ALL', 55, 30);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', NULL, 55, 30);
SELECT sqii.sqii_index('core-2016', 'Middle', 'ela_performance', 'ALL', 55, 30);
SELECT model, school_levels FROM sqii.model ORDER BY model;
-- An unknown group code; n of 0 or less; a value without n; NaN and
-- infinity; a growth percentile outside 0-100.
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', 'XX', 55, 30);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', 'ALL', 55, 0);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', 'ALL', NULL, -1);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', 'ALL', 55, NULL);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', 'ALL', 'NaN', 30);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_performance', 'SED', '-Infinity', 30);
SELECT sqii.sqii_index('core-2016', 'middle', 'ela_growth', 'ALL', 150, 30);
SELECT sqii.sqii_index('core-2016', 'middle', 'math_growth', 'EL', -0.5, 30);
-- The boundaries of a growth percentile are levels 1 and 10.
SELECT (sqii.explain('core-2016', 'middle', i, 'ALL', v, 30) -> 'domains' -> 0 -> 'indicators' -> 0 ->> 'weighted_mean_level')
    AS level
FROM (VALUES ('ela_growth', 0::float8), ('ela_growth', 100)) c(i, v) GROUP BY v ORDER BY v;
-- One cell per school, indicator and group.
SELECT sqii.sqii_index('core-2016', 'elementary', 'ela_performance', 'ALL', v, 30) FROM (VALUES (55), (65)) x(v);
\set SHOW_CONTEXT never
-- A cell without a value is dropped as such (its n may be NULL); the
-- explanation names dropped groups without their sizes.
SELECT e -> 'dropped' FROM (SELECT sqii.explain('core-2016', 'elementary', i, 'ALL', v, n) AS e
                            FROM (VALUES ('ela_performance', 55::float8, 30), ('math_performance', NULL, NULL),
                                         ('suspension', 3, 5)) c(i, v, n)) x;
-- Coverage: the domains and indicators that apply to the school's level
-- intend the points; complete data (every applicable indicator with all
-- students and the four categories) covers exactly 100, under each model and
-- at each level.  Under core-2015 no completion indicator applies to an
-- elementary school, so its 20 points are not intended there.  (The index
-- itself is not rounded, as in 0.1: three indicators of 20/3 points add up
-- to 20.000000000000004.)
CREATE TEMP TABLE complete AS
SELECT m.model, l.level, i.indicator, g.code AS group_code,
       CASE WHEN i.higher_is_better THEN 95 ELSE 0 END::float8 AS value, 50::int8 AS n
FROM sqii.model m
CROSS JOIN unnest(ARRAY['elementary', 'middle', 'high']) l(level)
JOIN sqii.model_indicator i ON i.model = m.model AND (i.school_levels IS NULL OR l.level = ANY (i.school_levels))
CROSS JOIN unnest(ARRAY['ALL', 'AA', 'EL', 'SWD', 'SED']) g(code)
WHERE m.model IN ('core-2015', 'core-2016');
SELECT model, level, count(DISTINCT indicator) AS indicators, (r).index, (r).coverage,
       (r).coverage = 100 AS coverage_exactly_100
FROM (SELECT model, level, sqii.sqii_index(model, level, indicator, group_code, value, n) AS r,
             count(DISTINCT indicator) AS indicators
      FROM complete GROUP BY model, level) x, LATERAL (SELECT indicator FROM complete c
                                                        WHERE c.model = x.model AND c.level = x.level) y
GROUP BY model, level, r ORDER BY model, level;
-- Partial data, by hand.  core-2015, elementary, all students only in every
-- applicable indicator (8 of them, in 4 domains of 20 points): each covers
-- half its intended points: 50 (0.1 gave 40, out of 80).  Only ELA
-- performance, with all four categories: 20 points x 100/80 / 2 indicators
-- = 12.5.  core-2016, middle, the same all-students cells: 54 (half of the 92
-- points of the indicators with subgroups, and all 8 of EL redesignation,
-- which counts all students only).
SELECT (sqii.sqii_index('core-2015', level, indicator, group_code, value, n)).coverage AS all_students_only
FROM complete WHERE model = 'core-2015' AND level = 'elementary' AND group_code = 'ALL' GROUP BY level;
SELECT (sqii.sqii_index('core-2015', level, indicator, group_code, value, n)).coverage AS one_indicator
FROM complete WHERE model = 'core-2015' AND level = 'elementary' AND indicator = 'ela_performance' GROUP BY level;
SELECT (sqii.sqii_index('core-2016', level, indicator, group_code, value, n)).coverage AS all_students_only
FROM complete WHERE model = 'core-2016' AND level = 'middle' AND group_code = 'ALL' GROUP BY level;
-- The intended points of the explanation add up to 100 at every level.
SELECT model, level, sum((x ->> 'intended_points')::float8) AS intended
FROM (SELECT model, level, sqii.explain(model, level, indicator, group_code, value, n) AS e
      FROM complete GROUP BY model, level) s,
     jsonb_array_elements(e -> 'domains') dm, jsonb_array_elements(dm -> 'indicators') x
GROUP BY model, level ORDER BY model, level;

-- Survey response rate: the core presets ask 70% of the students surveyed
-- (eligible) to answer a survey.  With the seven-argument form, 21 of 30
-- (exactly 70%) counts, 21 of 31 does not and is dropped as such; with the
-- six-argument form the rate is unknown, the cell counts and the explanation
-- says response_rate null.  ELA 55 is level 6 and earns 36 of the academic
-- 60 points; sel_survey 60 is level 7 and earns 28 of 40: 64; without the
-- survey the academic domain has all 100 points: 60.
SELECT model, indicator, min_response_rate FROM sqii.model_indicator
WHERE min_response_rate IS NOT NULL ORDER BY model, indicator;
SELECT eligible, (sqii.sqii_index('core-2016', 'middle', indicator, group_code, value, n, eligible)).index,
       sqii.explain('core-2016', 'middle', indicator, group_code, value, n, eligible) -> 'dropped' AS dropped,
       jsonb_path_query_array(sqii.explain('core-2016', 'middle', indicator, group_code, value, n, eligible),
                              '$.domains[*].indicators[*] ? (@.indicator == "sel_survey").groups[*].response_rate')
           AS response_rate
FROM (VALUES ('ela_performance', 'ALL', 55::float8, 30::int8), ('sel_survey', 'ALL', 60, 21)) c(indicator, group_code, value, n)
CROSS JOIN (VALUES (30::int8), (31), (NULL)) s(eligible)
GROUP BY eligible ORDER BY eligible NULLS LAST;
SELECT (sqii.sqii_index('core-2016', 'middle', indicator, group_code, value, n)).index AS six_arguments
FROM (VALUES ('ela_performance', 'ALL', 55::float8, 30::int8), ('sel_survey', 'ALL', 60, 21)) c(indicator, group_code, value, n);
-- A category below the rate is dropped while all students count; the rate
-- does not apply to other indicators.
SELECT sqii.explain('core-2016', 'middle', indicator, group_code, value, n, eligible) -> 'dropped' AS dropped
FROM (VALUES ('sel_survey', 'ALL', 60::float8, 210::int8, 300::int8), ('sel_survey', 'EL', 60, 20, 40),
             ('suspension', 'ALL', 5, 100, 1000)) c(indicator, group_code, value, n, eligible);
-- A district can lift the minimum.
UPDATE sqii.model_indicator SET min_response_rate = NULL WHERE model = 'core-2016' AND indicator = 'sel_survey';
SELECT sqii.explain('core-2016', 'middle', 'sel_survey', 'ALL', 60, 21, 31) -> 'dropped' AS dropped_without_minimum;
UPDATE sqii.model_indicator SET min_response_rate = 70 WHERE model = 'core-2016' AND indicator = 'sel_survey';
\set SHOW_CONTEXT errors
SELECT sqii.sqii_index('core-2016', 'middle', 'sel_survey', 'ALL', 60, 21, 20);
SELECT sqii.sqii_index('core-2016', 'middle', 'sel_survey', 'ALL', 60, 21, 0);
UPDATE sqii.model_indicator SET min_response_rate = 0 WHERE model = 'core-2016' AND indicator = 'sel_survey';
\set SHOW_CONTEXT never

-- Every cell is accounted for: counted (groups), dropped (no value, n-size,
-- response rate) or ignored with its reason.  Groups under the privacy
-- minimum (11) are never printed with their size, even when a model's n-size
-- is lower.
SELECT x ->> 'indicator' AS indicator, x ->> 'group' AS "group", x ->> 'reason' AS reason
FROM (SELECT sqii.explain('core-2016', 'elementary', indicator, group_code, value, n) AS e
      FROM (VALUES ('ela_performance', 'ALL', 55::float8, 300::int8), ('ela_performance', 'FOS', 20, 25),
                   ('ela_performance', 'HI', 35, 60), ('ela_performance', 'WH', 75, 60),
                   ('math_performance', 'EL', 40, 60), ('math_performance', 'ALL', 50, 12),
                   ('graduation', 'ALL', 90, 100), ('el_redesignation', 'ALL', 30, 60),
                   ('el_redesignation', 'EL', 30, 60)) c(indicator, group_code, value, n)) s,
     jsonb_array_elements(e -> 'ignored') x
ORDER BY 1, 2;
UPDATE sqii.model SET n_size = 5 WHERE model = 'fifths';
SELECT g ->> 'group' AS "group", g -> 'n' AS n
FROM (SELECT sqii.explain('fifths', 'elementary', 'ela_performance', group_code, value, n) AS e
      FROM (VALUES ('ALL', 55::float8, 11::int8), ('SED', 45, 10), ('EL', 40, 5)) c(group_code, value, n)) s,
     jsonb_array_elements(e -> 'domains' -> 0 -> 'indicators' -> 0 -> 'groups') g
ORDER BY 1;
UPDATE sqii.model SET n_size = 20 WHERE model = 'fifths';

-- The array form and the aggregates are one computation.
SELECT school, sqii.index_explain('core-2016', min(level), array_agg(ROW(indicator, group_code, value, n)::sqii.index_cell))
               = (SELECT e FROM results r WHERE r.school = c.school) AS array_form_agrees
FROM cells c GROUP BY school ORDER BY school;
SELECT sqii.index_explain('core-2016', 'middle', NULL) ->> 'index' AS no_cells_index,
       sqii.index_explain('core-2016', 'middle', '{}') ->> 'coverage' AS no_cells_coverage;

-- Parallel: partial states serialized in workers and combined in the leader
-- give exactly the serial result (2,000 schools of the complete cells, with
-- values varying by school).
CREATE TABLE par_cells AS
SELECT s AS school, c.level, c.indicator, c.group_code,
       CASE WHEN c.indicator LIKE '%growth' THEN (s * 7 + length(c.group_code) * 13) % 101
            ELSE (s * 11 + length(c.indicator) * 3 + length(c.group_code)) % 97 END::float8 AS value,
       10 + (s * 31 + length(c.group_code)) % 90 AS n
FROM complete c CROSS JOIN generate_series(1, 2000) s
WHERE c.model = 'core-2016' AND c.level = (ARRAY['elementary', 'middle', 'high'])[1 + s % 3];
ANALYZE par_cells;
ALTER TABLE par_cells SET (parallel_workers = 2);
CREATE TEMP TABLE par_serial AS
SELECT school, sqii.sqii_index('core-2016', level, indicator, group_code, value, n) AS r,
       sqii.explain('core-2016', level, indicator, group_code, value, n) AS e
FROM par_cells GROUP BY school, level;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT school, sqii.sqii_index('core-2016', level, indicator, group_code, value, n)
FROM par_cells GROUP BY school, level;
CREATE TEMP TABLE par_parallel AS
SELECT school, sqii.sqii_index('core-2016', level, indicator, group_code, value, n) AS r,
       sqii.explain('core-2016', level, indicator, group_code, value, n) AS e
FROM par_cells GROUP BY school, level;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
RESET enable_hashagg;
SELECT count(*) AS schools, count(*) FILTER (WHERE (s.r).index IS NOT NULL) AS with_index,
       count(*) FILTER (WHERE (s.r).index IS DISTINCT FROM (p.r).index
                           OR (s.r).coverage IS DISTINCT FROM (p.r).coverage OR s.e <> p.e) AS differing,
       count(*) FILTER (WHERE (s.r).index IS DISTINCT FROM (s.e ->> 'index')::float8) AS explain_differs
FROM par_serial s JOIN par_parallel p USING (school);
DROP TABLE par_cells;

-- High-school readiness: GPA >= 2.5, attendance >= 96%, no D or F in ELA or
-- math, not suspended; false when any condition fails, NULL when none fails
-- but one is unknown.
SELECT gpa, attendance, ela, math, suspended, sqii.hs_ready(gpa, attendance, ela, math, suspended)
FROM (VALUES (2.5, 96, 'C', 'C', false), (2.49, 96, 'C', 'C', false), (2.5, 95.99, 'C', 'C', false),
             (4.0, 100, 'A+', 'C-', false), (4.0, 100, 'D+', 'A', false), (4.0, 100, 'A', 'd-', false),
             (4.0, 100, 'A', 'F', false), (4.0, 100, 'b', 'c+', true), (NULL, 100, 'A', 'A', false),
             (NULL, 100, 'A', 'A', true), (4.0, NULL, NULL, 'A', false), (2.0, NULL, NULL, NULL, NULL),
             (3.0, 99, 'B', 'B', NULL)) v(gpa, attendance, ela, math, suspended);
\set SHOW_CONTEXT errors
SELECT sqii.hs_ready(3.0, 97, 'E', 'A', false);
SELECT sqii.hs_ready(3.0, 97, 'A', 'B+-', false);
SELECT sqii.hs_ready(3.0, 97, 'A', '', false);
SELECT sqii.hs_ready(3.0, 101, 'A', 'A', false);
SELECT sqii.hs_ready(3.0, 'NaN', 'A', 'A', false);
SELECT sqii.hs_ready(-0.1, 97, 'A', 'A', false);
SELECT sqii.hs_ready('NaN', 97, 'A', 'A', false);
\set SHOW_CONTEXT never

-- Cut points are needed for the indicators a school has cells for.
DELETE FROM sqii.model_cut WHERE model = 'core-2016' AND indicator = 'suspension';
SELECT (sqii.sqii_index('core-2016', 'elementary', 'ela_performance', 'ALL', 50, 100)).index AS without_suspension;
SELECT sqii.sqii_index('core-2016', 'elementary', 'suspension', 'ALL', 5, 100);
SELECT l, sqii.level_band(l) FROM generate_series(0, 11) l;
-- No cells at all: no index, no explanation.
SELECT sqii.sqii_index('core-2016', 'high', 'x', 'ALL', 1, 1) IS NULL AS no_index,
       sqii.explain('core-2016', 'high', 'x', 'ALL', 1, 1) IS NULL AS no_explain
FROM generate_series(1, 0);

-- Identification: ceiling(5% x pool size), ties at the boundary all identified.
SELECT sqii.identification_count(41) AS "41", sqii.identification_count(40) AS "40",
       sqii.identification_count(0) AS "0", sqii.identification_count(21, 0.1) AS "21 at 10%",
       sqii.identification_count(100, 0.07) AS "100 at 7%";
SELECT sqii.identification_count(10, 0);
SELECT sqii.identification_count(10, 1.5);
SELECT sqii.identification_count(-1);
-- Pool A: 21 schools, indexes 1, 2, 2, 4, ..., 21: 2 are due, the tie at the
-- boundary makes 3.  Pool B: 5 schools: 1 is due.  A school without an index
-- (below the n-size everywhere) is not ranked.
CREATE TEMP TABLE pool_results AS
SELECT 'A' AS pool, i AS school, CASE WHEN i = 3 THEN 2 ELSE i END::float8 AS index FROM generate_series(1, 21) i
UNION ALL SELECT 'B', 100 + i, 50 + i FROM generate_series(1, 5) i
UNION ALL SELECT 'B', 200, NULL;
SELECT pool, array_agg(school ORDER BY school) AS identified
FROM (SELECT pool, school,
             rank() OVER w <= sqii.identification_count(count(*) OVER (PARTITION BY pool)) AS identified
      FROM pool_results WHERE index IS NOT NULL
      WINDOW w AS (PARTITION BY pool ORDER BY index)) r
WHERE identified GROUP BY pool ORDER BY pool;
