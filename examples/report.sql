-- The school report printed by the demo.
\set QUIET on
\pset footer off

-- How a cell prints: blank when no student is eligible (no 12th graders at an
-- elementary school), "n<20" when the n-size rule hides it, else the value.
CREATE FUNCTION pg_temp.show_pct(t sqii.tally) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN t IS NULL THEN ''
            WHEN sqii.pct(t, 20) IS NULL THEN 'n<20'
            ELSE to_char(sqii.pct(t, 20), 'FM990.0') END;
CREATE FUNCTION pg_temp.show_mean(t sqii.tally) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN t IS NULL THEN ''
            WHEN sqii.mean(t, 20) IS NULL THEN 'n<20'
            ELSE to_char(sqii.mean(t, 20), 'FMS9990.0') END;

-- Every cell as printed; school_id is NULL for the district.
CREATE TEMP VIEW shown AS
SELECT t.school_id,
       t.group_code,
       array_position(ARRAY['ALL','AA','AI','AS','FI','HI','PI','WH','MR','EL','SED','SWD','FOS','HOM'],
                      t.group_code) AS group_order,
       sqii.n(t.chronic_absent)           AS eligible,
       pg_temp.show_pct(t.chronic_absent) AS chronic_absent,
       pg_temp.show_pct(t.suspended)      AS suspended,
       pg_temp.show_pct(t.ela_met)        AS ela_met,
       pg_temp.show_pct(t.math_met)       AS math_met,
       pg_temp.show_mean(t.ela_dfs)       AS ela_dfs,
       pg_temp.show_mean(t.math_dfs)      AS math_dfs,
       pg_temp.show_pct(t.on_track)       AS on_track,
       pg_temp.show_pct(t.graduated)      AS graduated
FROM sample.group_tally t;

\echo
\echo 'Sample district by student group (school tallies merged with sqii.merge; n-size 20)'
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
\echo 'One high school by student group: the n-size rule hides groups under 20 students'
SELECT group_code AS "group", eligible, chronic_absent AS "% chronic absent", suspended AS "% suspended",
       ela_met AS "% ELA met", ela_dfs AS "ELA DFS", on_track AS "% 12th on track"
FROM shown WHERE school_id = (SELECT max(school_id) FROM sample.schools) ORDER BY group_order;

\echo
\echo 'The n-size rule across the district: school x group cells reported and hidden'
SELECT c.indicator AS "indicator",
       count(*) FILTER (WHERE c.n >= 20)          AS "reported (n >= 20)",
       count(*) FILTER (WHERE c.n BETWEEN 1 AND 19) AS "hidden (1-19 students)"
FROM sample.school_group_tally t
CROSS JOIN LATERAL (VALUES (1, 'chronic absent', sqii.n(t.chronic_absent)),
                           (2, 'ELA met', sqii.n(t.ela_met)),
                           (3, '12th on track', sqii.n(t.on_track))) AS c(ord, indicator, n)
GROUP BY c.ord, c.indicator ORDER BY c.ord;
