-- The indicator views a DBA builds with sqii over the sample district.
--
-- One materialized view holds a tally per school, student group and indicator;
-- everything else reads it.  Tallies are stored, not rates, so the district
-- figures come from merging school tallies without touching students again,
-- and the n-size rule is applied when the cell is read.

CREATE MATERIALIZED VIEW sample.school_group_tally AS
SELECT school_id,
       group_code,
       sqii.tally(chronic_absent) AS chronic_absent,
       sqii.tally(suspended)      AS suspended,
       sqii.tally(ela_met)        AS ela_met,
       sqii.tally(math_met)       AS math_met,
       sqii.tally(ela_dfs)        AS ela_dfs,
       sqii.tally(math_dfs)       AS math_dfs,
       sqii.tally(on_track)       AS on_track,
       sqii.tally(graduated)      AS graduated
FROM sample.student_group
GROUP BY school_id, group_code;
CREATE UNIQUE INDEX ON sample.school_group_tally (school_id, group_code);

-- District cells: school tallies merged, no rescan of students.
CREATE VIEW sample.district_group_tally AS
SELECT group_code,
       sqii.merge(chronic_absent) AS chronic_absent,
       sqii.merge(suspended)      AS suspended,
       sqii.merge(ela_met)        AS ela_met,
       sqii.merge(math_met)       AS math_met,
       sqii.merge(ela_dfs)        AS ela_dfs,
       sqii.merge(math_dfs)       AS math_dfs,
       sqii.merge(on_track)       AS on_track,
       sqii.merge(graduated)      AS graduated
FROM sample.school_group_tally
GROUP BY group_code;

-- School and district cells in one relation; school_id is NULL for the district.
CREATE VIEW sample.group_tally AS
SELECT school_id, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
       on_track, graduated
FROM sample.school_group_tally
UNION ALL
SELECT NULL, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
       on_track, graduated
FROM sample.district_group_tally;

-- Reported indicators with the CORE accountability n-size (20): a cell with
-- fewer eligible students reads as NULL.
CREATE VIEW sample.indicator AS
SELECT t.school_id,
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
