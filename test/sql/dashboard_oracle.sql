-- sqii's dashboard status levels against the real 2018 results published by
-- the California Department of Education for 9,801 schools (test/data).
-- The files carry no school type: a school matches when its published level
-- equals the level under the grades 3-8 table or under the high-school table.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

CREATE TEMP TABLE oracle (cds text, rtype text, schoolname text, districtname text, countyname text,
                          charter_flag text, studentgroup text, currstatus numeric, statuslevel int,
                          reportingyear int, subject text);
\copy oracle (cds, rtype, schoolname, districtname, countyname, charter_flag, studentgroup, currstatus, statuslevel, reportingyear) FROM 'test/data/ela_2018_status_all_students.csv' WITH (FORMAT csv, HEADER)
UPDATE oracle SET subject = 'ela';
\copy oracle (cds, rtype, schoolname, districtname, countyname, charter_flag, studentgroup, currstatus, statuslevel, reportingyear) FROM 'test/data/math_2018_status_all_students.csv' WITH (FORMAT csv, HEADER)
UPDATE oracle SET subject = 'math' WHERE subject IS NULL;
SELECT subject, count(*) AS schools, count(currstatus) AS with_status,
       count(*) FILTER (WHERE currstatus IS NULL AND statuslevel = 0) AS no_data_level_0
FROM oracle GROUP BY subject ORDER BY subject;

CREATE TEMP TABLE judged AS
SELECT subject, cds, currstatus, statuslevel,
       sqii.dashboard_level(subject || '_3_8', 'status', currstatus::float8) AS level_3_8,
       sqii.dashboard_level(subject || '_hs', 'status', currstatus::float8) AS level_hs
FROM oracle WHERE currstatus IS NOT NULL;

-- How many schools match which table; "neither" must be 0.
SELECT subject,
       count(*) FILTER (WHERE statuslevel = level_3_8 AND statuslevel = level_hs) AS both_tables,
       count(*) FILTER (WHERE statuslevel = level_3_8 AND statuslevel <> level_hs) AS grades_3_8_only,
       count(*) FILTER (WHERE statuslevel <> level_3_8 AND statuslevel = level_hs) AS high_school_only,
       count(*) FILTER (WHERE statuslevel <> level_3_8 AND statuslevel <> level_hs) AS neither
FROM judged GROUP BY subject ORDER BY subject;

-- Every published level occurs, so the comparison exercises all five bands.
SELECT subject, statuslevel, count(*) AS schools, min(currstatus), max(currstatus)
FROM judged GROUP BY subject, statuslevel ORDER BY subject, statuslevel;

-- sqii.dashboard on a mean equal to the published status gives the same level.
SELECT count(*) AS checked,
       count(*) FILTER (WHERE (sqii.dashboard(subject || '_3_8', sqii.make_tally(30, 30 * currstatus::float8,
                               30 * currstatus::float8 * currstatus::float8))).status_level <> level_3_8) AS differing
FROM judged;
