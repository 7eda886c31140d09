-- The indicator views a DBA builds with sqii over the sample district.
--
-- One materialized view holds a tally per school, student group and indicator;
-- everything else reads it.  Tallies are stored, not rates, so the district
-- figures come from merging school tallies without touching students again,
-- and the n-size rule is applied when the cell is read.

CREATE MATERIALIZED VIEW sample.school_group_tally AS
SELECT school_year,
       school_id,
       group_code,
       sqii.tally(chronic_absent) AS chronic_absent,
       sqii.tally(suspended)      AS suspended,
       sqii.tally(ela_met)        AS ela_met,
       sqii.tally(math_met)       AS math_met,
       sqii.tally(ela_dfs)        AS ela_dfs,
       sqii.tally(math_dfs)       AS math_dfs,
       sqii.tally(on_track)       AS on_track,
       sqii.tally(graduated)      AS graduated,
       sqii.tally(ela_sgp)        AS ela_sgp,
       sqii.tally(math_sgp)       AS math_sgp,
       sqii.tally(sel_score)      AS sel_score,
       sqii.tally(climate_favorable) AS climate_favorable,
       sqii.tally(hs_ready)       AS hs_ready,
       sqii.tally(redesignated)   AS redesignated
FROM sample.student_group
GROUP BY school_year, school_id, group_code;
CREATE UNIQUE INDEX ON sample.school_group_tally (school_year, school_id, group_code);

-- District cells: school tallies merged, no rescan of students.
CREATE VIEW sample.district_group_tally AS
SELECT school_year,
       group_code,
       sqii.merge(chronic_absent) AS chronic_absent,
       sqii.merge(suspended)      AS suspended,
       sqii.merge(ela_met)        AS ela_met,
       sqii.merge(math_met)       AS math_met,
       sqii.merge(ela_dfs)        AS ela_dfs,
       sqii.merge(math_dfs)       AS math_dfs,
       sqii.merge(on_track)       AS on_track,
       sqii.merge(graduated)      AS graduated,
       sqii.merge(ela_sgp)        AS ela_sgp,
       sqii.merge(math_sgp)       AS math_sgp,
       sqii.merge(sel_score)      AS sel_score,
       sqii.merge(climate_favorable) AS climate_favorable,
       sqii.merge(hs_ready)       AS hs_ready,
       sqii.merge(redesignated)   AS redesignated
FROM sample.school_group_tally
GROUP BY school_year, group_code;

-- School and district cells in one relation; school_id is NULL for the district.
CREATE VIEW sample.group_tally AS
SELECT school_year, school_id, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
       on_track, graduated
FROM sample.school_group_tally
UNION ALL
SELECT school_year, NULL, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
       on_track, graduated
FROM sample.district_group_tally;

-- Reported indicators with the CORE accountability n-size (20): a cell with
-- fewer eligible students reads as NULL.
CREATE VIEW sample.indicator AS
SELECT t.school_year,
       t.school_id,
       t.group_code,
       sqii.n(t.chronic_absent)       AS n_students,
       sqii.pct(t.chronic_absent, 20) AS pct_chronic_absent,
       sqii.pct(t.suspended, 20)      AS pct_suspended,
       sqii.pct(t.ela_met, 20)        AS pct_ela_met,
       sqii.pct(t.math_met, 20)       AS pct_math_met,
       sqii.mean(t.ela_dfs, 20)       AS ela_dfs,
       sqii.mean(t.math_dfs, 20)      AS math_dfs,
       sqii.pct(t.on_track, 20)       AS pct_on_track,
       sqii.pct(t.graduated, 20)      AS pct_graduated
FROM sample.group_tally t;

-- California dashboard cells per school and group: this year against last
-- year, under the rules in force in that dashboard year (school years are
-- spring years, as dashboard years are: 2018 is the 2018 Dashboard).  A cell
-- is listed when sqii ships rules for its indicator that year (2017: the Fall
-- 2017 suspension and graduation tables; 2018: all); rules_from says which
-- year's rules apply.  Chronic absenteeism is a K-8 indicator; suspension uses
-- the elementary-school table for elementary schools and the unified table
-- otherwise (the 2018 middle and high school tables are not shipped).
-- Counts as integer and status and change as double precision, so that BI
-- tools and drivers read numbers (node-postgres hands bigint and numeric over
-- as strings); the double nearest a value rounded to 0.1 prints as that value.
CREATE VIEW sample.dashboard AS
SELECT cur.school_year, cur.school_id, cur.group_code, sc.level, d.indicator, d.rules_from,
       r.n::int AS n, r.status::float8 AS status, r.status_level,
       r.change::float8 AS change, r.change_level, r.color, r.grid
FROM sample.school_group_tally cur
JOIN sample.schools sc USING (school_id)
LEFT JOIN sample.school_group_tally pri
       ON pri.school_id = cur.school_id AND pri.group_code = cur.group_code
      AND pri.school_year = cur.school_year - 1
CROSS JOIN LATERAL (
    SELECT v.indicator, v.current, v.prior, x.rules_from
    FROM (VALUES
        (CASE sc.level WHEN 'high' THEN 'ela_hs' ELSE 'ela_3_8' END, cur.ela_dfs, pri.ela_dfs),
        (CASE sc.level WHEN 'high' THEN 'math_hs' ELSE 'math_3_8' END, cur.math_dfs, pri.math_dfs),
        (CASE WHEN sc.level <> 'high' THEN 'chronic_absenteeism' END, cur.chronic_absent, pri.chronic_absent),
        (CASE sc.level WHEN 'elementary' THEN 'suspension_es' ELSE 'suspension_ud' END, cur.suspended, pri.suspended),
        (CASE WHEN sc.level = 'high' THEN 'graduation' END, cur.graduated, pri.graduated)
    ) AS v(indicator, current, prior)
    JOIN sqii.dashboard_rules(cur.school_year) AS x ON x.indicator = v.indicator
) AS d
CROSS JOIN LATERAL sqii.dashboard(d.indicator, d.current, d.prior, dashboard_year => cur.school_year) AS r;

-- Gaps: each group against all other students of its school (the complement
-- of its tally in the school's all-students tally), n-size 30 on both sides.
CREATE VIEW sample.gap AS
SELECT g.school_year, g.school_id, g.group_code,
       sqii.pct_gap(g.ela_met, sqii.complement(a.ela_met, g.ela_met), 30) AS ela_met_gap,
       sqii.mean_gap(g.ela_dfs, sqii.complement(a.ela_dfs, g.ela_dfs), 30) AS ela_dfs_gap,
       sqii.mean_gap(g.math_dfs, sqii.complement(a.math_dfs, g.math_dfs), 30) AS math_dfs_gap,
       sqii.pct_gap(g.chronic_absent, sqii.complement(a.chronic_absent, g.chronic_absent), 30) AS chronic_absent_gap
FROM sample.school_group_tally g
JOIN sample.school_group_tally a
  ON a.school_year = g.school_year AND a.school_id = g.school_id AND a.group_code = 'ALL'
WHERE g.group_code <> 'ALL';
