-- The school report printed by the demo.
\set QUIET on
\pset footer off

-- Every cell as released (examples/published.sql, tools/publish-release):
-- sqii.release_text hides cells (*: fewer than 11 students, or hidden to
-- protect those; the marker says nothing more), marks those under the n-size
-- (n<20) and range-codes extreme rates.  Blank when no student is eligible
-- (no 12th graders at an elementary school).  school_id NULL: the district.
CREATE TEMP VIEW shown AS
SELECT p.school_id,
       p.group_code,
       array_position(ARRAY['ALL','AA','AI','AS','FI','HI','PI','WH','MR','EL','SED','SWD','FOS','HOM'],
                      p.group_code) AS group_order,
       max(CASE WHEN p.status = 'hidden' THEN '*' ELSE p.n::text END)
           FILTER (WHERE p.indicator = 'chronic_absent') AS eligible,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'chronic_absent') AS chronic_absent,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'suspended')      AS suspended,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'ela_met')        AS ela_met,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'math_met')       AS math_met,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'ela_dfs')        AS ela_dfs,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'math_dfs')       AS math_dfs,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'on_track')       AS on_track,
       max(COALESCE(p.shown, '')) FILTER (WHERE p.indicator = 'graduated')      AS graduated
FROM sample.release p
WHERE p.school_year = (SELECT max(school_year) FROM sample.students)
GROUP BY p.school_id, p.group_code;

-- Dashboard colors and gaps are printed only where they follow from cells
-- the release publishes exactly (this year and, for a color's change, the
-- year before): elsewhere they would narrow a hidden or range-coded cell.
CREATE TEMP VIEW dashboard_shown AS
SELECT d.*, r.shown AS released, r.status AS release_status,
       r.status = 'ok' AND rp.status IS NOT DISTINCT FROM 'ok' AS exact
FROM sample.dashboard d
JOIN sample.release r
  ON (r.school_year, r.school_id, r.group_code) = (d.school_year, d.school_id, d.group_code)
 AND r.indicator = CASE WHEN d.indicator LIKE 'ela%' THEN 'ela_dfs' WHEN d.indicator LIKE 'math%' THEN 'math_dfs'
                        WHEN d.indicator = 'chronic_absenteeism' THEN 'chronic_absent'
                        WHEN d.indicator LIKE 'suspension%' THEN 'suspended' ELSE 'graduated' END
LEFT JOIN sample.release rp
  ON (rp.school_year, rp.school_id, rp.group_code, rp.indicator)
   = (d.school_year - 1, d.school_id, d.group_code, r.indicator);

\echo
SELECT max(school_year) AS year FROM sample.students \gset
\echo 'Sample district, school year' :year 'by student group (school tallies merged with sqii.merge; n-size 20)'
SELECT group_code AS "group", eligible, chronic_absent AS "% chronic absent", suspended AS "% suspended",
       ela_met AS "% ELA met", math_met AS "% math met", ela_dfs AS "ELA DFS", math_dfs AS "math DFS",
       on_track AS "% 12th on track", graduated AS "% graduated"
FROM shown WHERE school_id IS NULL ORDER BY group_order;

\echo
\echo 'Schools, all students'
SELECT sc.school_id AS "id", sc.name AS "school", eligible, chronic_absent AS "% chronic absent",
       suspended AS "% suspended", ela_met AS "% ELA met", math_met AS "% math met", ela_dfs AS "ELA DFS",
       math_dfs AS "math DFS", on_track AS "% 12th on track", graduated AS "% graduated"
FROM sample.schools sc JOIN shown USING (school_id)
WHERE group_code = 'ALL'
ORDER BY array_position(ARRAY['elementary','middle','high'], sc.level), sc.school_id;

\echo
\echo 'One high school by student group: * hidden (fewer than 11, or would give one away), n<20 under the n-size'
SELECT group_code AS "group", eligible, chronic_absent AS "% chronic absent", suspended AS "% suspended",
       ela_met AS "% ELA met", ela_dfs AS "ELA DFS", on_track AS "% 12th on track"
FROM shown WHERE school_id = (SELECT max(school_id) FROM sample.schools) ORDER BY group_order;

\echo
\echo 'Hidden across the district: school and district cells of the release against the 0.1 tables (sqii.suppression per table)'
SELECT r.indicator AS "indicator",
       count(*) FILTER (WHERE r.status IN ('ok', 'range')) AS "published",
       count(*) FILTER (WHERE r.status = 'n_size') AS "n only (11-19)",
       count(*) FILTER (WHERE r.status = 'hidden') AS "hidden (*)",
       count(*) FILTER (WHERE o.reason IN ('privacy', 'complementary')) AS "hidden by 0.1",
       count(*) FILTER (WHERE o.reason = 'privacy') AS "of them 1-10 students"
FROM sample.release r
JOIN sample.published o
  ON (o.school_year, o.indicator, o.group_code) = (r.school_year, r.indicator, r.group_code)
 AND o.school_id IS NOT DISTINCT FROM r.school_id
WHERE r.school_year = :year
GROUP BY r.indicator ORDER BY min(array_position(ARRAY['chronic_absent','suspended','ela_met','math_met',
                                                        'ela_dfs','math_dfs','on_track','graduated'], r.indicator));

\echo
\echo 'California dashboard, both school years, each under its own year''s rules (school x group cells the release publishes)'
SELECT y.school_year AS "year", i.indicator AS "indicator",
       COALESCE('from ' || r.rules_from, CASE WHEN r.indicator IS NULL THEN 'none shipped' END) AS "rules",
       count(d.status_level) FILTER (WHERE d.release_status = 'ok') AS "status levels",
       count(d.change_level) FILTER (WHERE d.exact) AS "change levels",
       count(d.color) FILTER (WHERE d.exact) AS "colors"
FROM (SELECT DISTINCT school_year FROM sample.students) y
CROSS JOIN unnest(ARRAY['ela_3_8', 'ela_hs', 'math_3_8', 'math_hs', 'chronic_absenteeism',
                        'suspension_es', 'suspension_ud', 'graduation']) WITH ORDINALITY AS i(indicator, pos)
LEFT JOIN LATERAL sqii.dashboard_rules(y.school_year) r ON r.indicator = i.indicator
LEFT JOIN dashboard_shown d ON d.school_year = y.school_year AND d.indicator = i.indicator
GROUP BY y.school_year, i.indicator, i.pos, r.indicator, r.rules_from
ORDER BY y.school_year, i.pos;
\echo '(the first year has no prior year: status only; sqii ships no 2017 tables for ELA, math, chronic'
\echo ' absenteeism or unified-district suspension, so those cells wait for a district''s own 2017 rows)'

\echo
\echo 'California dashboard colors, all students,' :year 'against the year before, where the release publishes both years (else the released cell)'
SELECT sc.school_id AS "id", sc.name AS "school",
       max(CASE WHEN d.exact THEN d.color || ' (' || d.released || ')' ELSE d.released END)
           FILTER (WHERE d.indicator LIKE 'ela%')  AS "ELA DFS (status)",
       max(CASE WHEN d.exact THEN d.color || ' (' || d.released || ')' ELSE d.released END)
           FILTER (WHERE d.indicator LIKE 'math%') AS "math DFS",
       max(CASE WHEN d.exact THEN d.color || ' (' || d.released || ')' ELSE d.released END)
           FILTER (WHERE d.indicator = 'chronic_absenteeism') AS "chronic absenteeism",
       max(CASE WHEN d.exact THEN d.color || ' (' || d.released || ')' ELSE d.released END)
           FILTER (WHERE d.indicator LIKE 'suspension%') AS "suspension",
       max(CASE WHEN d.exact THEN d.color || ' (' || d.released || ')' ELSE d.released END)
           FILTER (WHERE d.indicator = 'graduation') AS "graduation"
FROM dashboard_shown d JOIN sample.schools sc USING (school_id)
WHERE d.school_year = :year AND d.group_code = 'ALL'
GROUP BY sc.school_id, sc.name, sc.level
ORDER BY array_position(ARRAY['elementary','middle','high'], sc.level), sc.school_id;

\echo
\echo 'Colors across the district: school x student group cells with a color (30+ students, published both years)'
SELECT d.indicator AS "indicator",
       count(*) FILTER (WHERE d.color = 'red')    AS "red",
       count(*) FILTER (WHERE d.color = 'orange') AS "orange",
       count(*) FILTER (WHERE d.color = 'yellow') AS "yellow",
       count(*) FILTER (WHERE d.color = 'green')  AS "green",
       count(*) FILTER (WHERE d.color = 'blue')   AS "blue",
       count(*) FILTER (WHERE d.n IS NOT NULL AND (d.color IS NULL OR NOT d.exact)) AS "no color shown"
FROM dashboard_shown d WHERE d.school_year = :year AND (d.exact OR d.color IS NULL)
GROUP BY d.indicator ORDER BY d.indicator;

\echo
\echo 'Largest gaps: ELA distance from standard, a group against all other students of its school (30+ each; cells the release publishes exactly)'
SELECT sc.name AS "school", g.group_code AS "group",
       to_char(g.ela_dfs_gap, 'FMS990.0') AS "ELA DFS gap (points)",
       to_char(CASE WHEN ok.ela_met THEN g.ela_met_gap END, 'FMS990.0') AS "% ELA met gap",
       to_char(CASE WHEN ok.chronic_absent THEN g.chronic_absent_gap END, 'FMS990.0') AS "% chronic absent gap"
FROM sample.gap g JOIN sample.schools sc USING (school_id)
CROSS JOIN LATERAL (
    SELECT bool_and(r.status = 'ok') FILTER (WHERE r.indicator = 'ela_dfs') AS ela_dfs,
           bool_and(r.status = 'ok') FILTER (WHERE r.indicator = 'ela_met') AS ela_met,
           bool_and(r.status = 'ok') FILTER (WHERE r.indicator = 'chronic_absent') AS chronic_absent
    FROM sample.release r
    WHERE (r.school_year, r.school_id) = (g.school_year, g.school_id) AND r.group_code IN (g.group_code, 'ALL')
) ok
WHERE g.school_year = :year AND g.ela_dfs_gap IS NOT NULL AND ok.ela_dfs
ORDER BY abs(g.ela_dfs_gap) DESC, sc.school_id, g.group_code
LIMIT 12;

\echo
\echo 'School Quality Improvement Index (core-2016, cut points frozen from 2017), lowest 5% of each level identified'
SELECT i.level AS "level", sc.name AS "school", round(i.index::numeric, 1) AS "index",
       round(i.coverage::numeric, 1) AS "coverage %", i.rank_in_pool || ' of ' || i.pool_size AS "rank"
FROM sample.identified i JOIN sample.schools sc USING (school_id)
WHERE i.school_year = :year AND i.identified
ORDER BY array_position(ARRAY['elementary','middle','high'], i.level), i.index;
SELECT i.level AS "level", count(*) AS "schools", round(avg(i.index)::numeric, 1) AS "mean index",
       round(min(i.index)::numeric, 1) AS "min", round(max(i.index)::numeric, 1) AS "max",
       count(*) FILTER (WHERE i.identified) AS "identified"
FROM sample.identified i WHERE i.school_year = :year
GROUP BY i.level ORDER BY array_position(ARRAY['elementary','middle','high'], i.level);

SELECT school_id AS explained_school FROM sample.identified
WHERE school_year = :year AND identified ORDER BY index LIMIT 1 \gset
\echo
\echo 'How the lowest school''s index was made (sqii.explain), for district staff: its levels and shares are'
\echo 'facts about student groups the public release may hide, so it is not published with the release.'
CREATE TEMP TABLE explained AS
SELECT sqii.explain('core-2016', level, indicator, group_code, value, n) AS e
FROM sample.index_cell WHERE school_year = :year AND school_id = :explained_school GROUP BY level;
SELECT (SELECT name FROM sample.schools WHERE school_id = :explained_school) AS "school",
       round((e ->> 'index')::numeric, 2) AS "index", round((e ->> 'coverage')::numeric, 1) AS "coverage %"
FROM explained;
SELECT dm ->> 'domain' AS "domain", x ->> 'indicator' AS "indicator",
       round((x ->> 'points')::numeric, 2) AS "points", round((x ->> 'weighted_mean_level')::numeric, 2) AS "mean level",
       round((x ->> 'earned')::numeric, 2) AS "earned",
       (SELECT string_agg((g ->> 'group') || ' L' || (g ->> 'level') || ' x' || round((g ->> 'share')::numeric, 3), ', ')
        FROM jsonb_array_elements(x -> 'groups') g) AS "groups: level x share"
FROM explained, jsonb_array_elements(e -> 'domains') dm, jsonb_array_elements(dm -> 'indicators') x
ORDER BY 1, 2;
SELECT dm ->> 'domain' AS "domain", dm ->> 'weight' AS "weight", round((dm ->> 'effective_weight')::numeric, 2) AS "after redistribution",
       dm -> 'missing_indicators' AS "missing (weight redistributed)"
FROM explained, jsonb_array_elements(e -> 'domains') dm ORDER BY 1;
SELECT d ->> 'indicator' AS "indicator",
       string_agg(d ->> 'group', ', ' ORDER BY d ->> 'group') AS "groups dropped (counts not shown)"
FROM explained, jsonb_array_elements(e -> 'dropped') d
GROUP BY d ->> 'indicator' ORDER BY 1;

\echo
\echo 'Subgroup identification: groups whose own index is at or below their pool''s lowest-5% threshold'
SELECT i.level AS "level", sc.name AS "school", i.group_code AS "group", round(i.index::numeric, 1) AS "group index",
       round(i.threshold::numeric, 1) AS "threshold"
FROM sample.subgroup_identified i JOIN sample.schools sc USING (school_id)
WHERE i.school_year = :year
ORDER BY array_position(ARRAY['elementary','middle','high'], i.level), i.index, sc.school_id, i.group_code
LIMIT 15;

\echo
\echo 'Peer lag: domains 3 or more levels below the median of schools of the same level'
SELECT p.level AS "level", sc.name AS "school", p.domain AS "domain",
       round(p.domain_level::numeric, 1) AS "domain level", round(p.peer_median::numeric, 1) AS "peer median"
FROM sample.peer_lag p JOIN sample.schools sc USING (school_id)
WHERE p.school_year = :year AND p.lags
ORDER BY array_position(ARRAY['elementary','middle','high'], p.level), p.domain_level, sc.school_id;
