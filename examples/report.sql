-- The school report printed by the demo.
set QUIET on
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

\echo
\echo 'Sample district by student group (school tallies merged with sqii.merge; n-size 20)'
SELECT d.group_code AS "group",
       sqii.n(d.chronic_absent)              AS "eligible",
       pg_temp.show_pct(d.chronic_absent)    AS "% chronic absent",
       pg_temp.show_pct(d.suspended)         AS "% suspended",
       pg_temp.show_pct(d.ela_met)           AS "% ELA met",
       pg_temp.show_pct(d.math_met)          AS "% math met",
       pg_temp.show_mean(d.ela_dfs)          AS "ELA DFS",
       pg_temp.show_mean(d.math_dfs)         AS "math DFS",
       pg_temp.show_pct(d.on_track)          AS "% 12th on track",
       pg_temp.show_pct(d.graduated)         AS "% graduated"
FROM sample.district_group_tally d
ORDER BY array_position(ARRAY['ALL','AA','AI','AS','FI','HI','PI','WH','MR','EL','SED','SWD','FOS','HOM'],
                        d.group_code);

\echo
\echo 'Schools, all students'
SELECT sc.school_id AS "id",
       sc.name AS "school",
       sqii.n(t.chronic_absent)              AS "eligible",
       pg_temp.show_pct(t.chronic_absent)    AS "% chronic absent",
       pg_temp.show_pct(t.suspended)         AS "% suspended",
       pg_temp.show_pct(t.ela_met)           AS "% ELA met",
       pg_temp.show_pct(t.math_met)          AS "% math met",
       pg_temp.show_mean(t.ela_dfs)          AS "ELA DFS",
       pg_temp.show_mean(t.math_dfs)         AS "math DFS",
       pg_temp.show_pct(t.on_track)          AS "% 12th on track",
       pg_temp.show_pct(t.graduated)         AS "% graduated"
FROM sample.schools sc
JOIN sample.school_group_tally t ON t.school_id = sc.school_id AND t.group_code = 'ALL'
ORDER BY array_position(ARRAY['elementary','middle','high'], sc.level), sc.school_id;

\echo
\echo 'One high school by student group: the n-size rule hides groups under 20 students'
SELECT t.group_code AS "group",
       sqii.n(t.chronic_absent)              AS "eligible",
       pg_temp.show_pct(t.chronic_absent)    AS "% chronic absent",
       pg_temp.show_pct(t.suspended)         AS "% suspended",
       pg_temp.show_pct(t.ela_met)           AS "% ELA met",
       pg_temp.show_mean(t.ela_dfs)          AS "ELA DFS",
       pg_temp.show_pct(t.on_track)          AS "% 12th on track"
FROM sample.school_group_tally t
WHERE t.school_id = (SELECT max(school_id) FROM sample.schools)
ORDER BY array_position(ARRAY['ALL','AA','AI','AS','FI','HI','PI','WH','MR','EL','SED','SWD','FOS','HOM'],
                        t.group_code);

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
