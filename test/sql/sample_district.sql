-- The demo's indicator views on a small sample district equal the plain-SQL
-- way of computing the same cells, and merged school tallies equal a direct
-- district computation.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
\set ECHO none
\i examples/sample_district.sql
SELECT sample.generate(8000, 11);
\i examples/indicators.sql
\set ECHO all
RESET client_min_messages;

-- The generator is deterministic: the same arguments give the same data.
CREATE TEMP TABLE first_run AS SELECT * FROM sample.students;
SELECT sample.generate(8000, 11);
SELECT count(*) AS rows, (SELECT count(*) FROM (TABLE first_run EXCEPT TABLE sample.students) d) AS differing
FROM sample.students;
REFRESH MATERIALIZED VIEW sample.school_group_tally;

-- Every school x group cell, read with the n-size 20, against plain SQL.
CREATE TEMP TABLE plain_cells AS
SELECT school_year, school_id, group_code, count(chronic_absent) AS n_students,
       CASE WHEN count(chronic_absent) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE chronic_absent) / count(chronic_absent) END AS pct_chronic_absent,
       CASE WHEN count(suspended) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE suspended) / count(suspended) END AS pct_suspended,
       CASE WHEN count(ela_met) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE ela_met) / count(ela_met) END AS pct_ela_met,
       CASE WHEN count(math_met) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE math_met) / count(math_met) END AS pct_math_met,
       CASE WHEN count(ela_dfs) >= 20 THEN sum(ela_dfs) / count(ela_dfs) END AS ela_dfs,
       CASE WHEN count(math_dfs) >= 20 THEN sum(math_dfs) / count(math_dfs) END AS math_dfs,
       CASE WHEN count(on_track) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE on_track) / count(on_track) END AS pct_on_track,
       CASE WHEN count(graduated) >= 20
            THEN 100.0::float8 * count(*) FILTER (WHERE graduated) / count(graduated) END AS pct_graduated
FROM sample.student_group
GROUP BY school_year, school_id, group_code;

-- Same cells both ways (EXCEPT compares every column, NULLs included).
SELECT (SELECT count(*) FROM plain_cells) AS cells,
       (SELECT count(*) FROM (SELECT * FROM sample.indicator WHERE school_id IS NOT NULL
                              EXCEPT SELECT * FROM plain_cells) d) AS only_sqii,
       (SELECT count(*) FROM (SELECT * FROM plain_cells EXCEPT
                              SELECT * FROM sample.indicator WHERE school_id IS NOT NULL) d) AS only_plain;
-- The comparison is not vacuous: some cells are hidden by the n-size rule and
-- some are reported.
SELECT count(*) FILTER (WHERE pct_ela_met IS NULL) > 0 AS some_hidden,
       count(*) FILTER (WHERE pct_ela_met IS NOT NULL) > 0 AS some_reported
FROM sample.indicator WHERE school_id IS NOT NULL;

-- District: merging school tallies equals tallying all students at once.
SELECT count(*) AS groups,
       count(*) FILTER (WHERE m.chronic_absent::text IS DISTINCT FROM d.chronic_absent::text
                           OR m.ela_met::text IS DISTINCT FROM d.ela_met::text
                           OR m.ela_dfs::text IS DISTINCT FROM d.ela_dfs::text
                           OR m.math_dfs::text IS DISTINCT FROM d.math_dfs::text
                           OR m.on_track::text IS DISTINCT FROM d.on_track::text) AS mismatches
FROM sample.district_group_tally m
JOIN (SELECT school_year, group_code, sqii.tally(chronic_absent) AS chronic_absent, sqii.tally(ela_met) AS ela_met,
             sqii.tally(ela_dfs) AS ela_dfs, sqii.tally(math_dfs) AS math_dfs, sqii.tally(on_track) AS on_track
      FROM sample.student_group GROUP BY school_year, group_code) d USING (school_year, group_code);
-- ...and the district percent equals plain SQL over all students.
SELECT d.pct_ela_met = (SELECT 100.0::float8 * count(*) FILTER (WHERE ela_met) / count(ela_met)
                        FROM sample.students) AS district_pct_same,
       d.n_students = (SELECT count(chronic_absent) FROM sample.students) AS district_n_same
FROM sample.indicator d WHERE d.school_id IS NULL AND d.group_code = 'ALL';

-- Two years: gaps from tally complements equal a plain rescan of the
-- students not in the group, and every cell of the dashboard view with 30+
-- students and a prior year has a color.
SET client_min_messages = warning;
SELECT sample.generate(8000, 11, NULL, 2);
RESET client_min_messages;
REFRESH MATERIALIZED VIEW sample.school_group_tally;
CREATE TEMP TABLE plain_gap AS
SELECT c.school_year, c.school_id, c.group_code,
       (SELECT CASE WHEN count(s.ela_dfs) >= 30 THEN sum(s.ela_dfs) / count(s.ela_dfs) END
        FROM sample.student_group s
        WHERE s.school_year = c.school_year AND s.school_id = c.school_id AND s.group_code = c.group_code)
     - (SELECT CASE WHEN count(s.ela_dfs) >= 30 THEN sum(s.ela_dfs) / count(s.ela_dfs) END
        FROM sample.students s
        WHERE s.school_year = c.school_year AND s.school_id = c.school_id
          AND NOT EXISTS (SELECT 1 FROM sample.student_group x
                          WHERE x.school_year = s.school_year AND x.student_id = s.student_id
                            AND x.group_code = c.group_code)) AS ela_dfs_gap
FROM sample.school_group_tally c WHERE c.group_code <> 'ALL';
SELECT count(*) AS cells, count(p.ela_dfs_gap) AS with_gap,
       count(*) FILTER (WHERE p.ela_dfs_gap IS DISTINCT FROM g.ela_dfs_gap) AS differing
FROM plain_gap p JOIN sample.gap g USING (school_year, school_id, group_code);
SELECT count(*) FILTER (WHERE n >= 30 AND change IS NOT NULL) AS colorable,
       count(*) FILTER (WHERE n >= 30 AND change IS NOT NULL AND color IS NULL) AS without_color,
       count(*) FILTER (WHERE n < 30 AND color IS NOT NULL) AS small_with_color
FROM sample.dashboard;

-- The SQII story on the two-year district: cut points frozen from 2017, the
-- 2018 index, identification per school level, and explain = index.
\o /dev/null
\set ECHO none
\i examples/index.sql
\set ECHO all
\o
SELECT model, count(*) AS frozen_indicators, min(baseline_year) AS baseline FROM sqii.model_cut GROUP BY model;
SELECT count(*) AS schools,
       count(*) FILTER (WHERE x.index IS DISTINCT FROM (x.e ->> 'index')::float8) AS explain_differs,
       count(*) FILTER (WHERE x.index < 0 OR x.index > 100) AS out_of_range
FROM (SELECT school_id, (sqii.sqii_index('core-2016', level, indicator, group_code, value, n)).index,
             sqii.explain('core-2016', level, indicator, group_code, value, n) AS e
      FROM sample.index_cell WHERE school_year = 2018 GROUP BY school_id, level) x;
SELECT level, count(*) AS pool, sqii.identification_count(count(*)) AS due,
       count(*) FILTER (WHERE identified) AS identified,
       bool_and(NOT identified OR index <= (SELECT min(index) FROM sample.identified j
                                             WHERE j.school_year = i.school_year AND j.level = i.level
                                               AND NOT j.identified)) AS identified_are_lowest
FROM sample.identified i WHERE school_year = 2018 GROUP BY school_year, level ORDER BY level;
