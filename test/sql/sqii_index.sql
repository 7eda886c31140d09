-- The SQII index: models, frozen cut points, the index aggregate and its
-- explanation, on hand-computed schools.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
-- PL/pgSQL line numbers in error context would make this output fragile.
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
-- Cut points must come as 9 ascending numbers for a known indicator.
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[10, 20, 30]);
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[90, 20, 30, 40, 50, 60, 70, 80, 10]);
SELECT sqii.freeze_cutpoints('core-2016', 'reading', 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90]);

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

-- Malformed models and inputs.
UPDATE sqii.model_domain SET weight = 50 WHERE model = 'fifths' AND domain = 'academic';
SELECT sqii.sqii_index('fifths', level, indicator, group_code, value, n) FROM cells WHERE school = 'B';
SELECT sqii.sqii_index('core-2016', 'elementary', 'reading', 'ALL', 50, 100);
SELECT sqii.sqii_index('core-2017', 'elementary', 'ela_performance', 'ALL', 50, 100);
SELECT sqii.sqii_index('core-2016', lvl, 'ela_performance', 'ALL', 50, 100) FROM unnest(ARRAY['middle', 'high']) lvl;
-- Mixed models are refused even when the school level is NULL.
SELECT sqii.sqii_index(m, NULL, 'ela_performance', 'ALL', 55, 30) FROM (VALUES ('core-2016'), ('fifths')) v(m);
-- One cell per school, indicator and group.
SELECT sqii.sqii_index('core-2016', 'elementary', 'ela_performance', 'ALL', v, 30) FROM (VALUES (55), (65)) x(v);
-- A cell without a value is dropped as such.
SELECT e -> 'dropped' FROM (SELECT sqii.explain('core-2016', 'elementary', i, 'ALL', v, 30) AS e
                            FROM (VALUES ('ela_performance', 55::float8), ('math_performance', NULL)) c(i, v)) x;
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
