-- Maintained cells: the sample district's cells follow its students.
--
-- sqii.create_cells makes a table of cells (one row per school year, school
-- and student group, a tally per indicator) and statement triggers on the
-- student table that apply every change to it.  Then the first week of
-- changes to school year 2018 arrives: students enroll and leave, English
-- learner and homeless status is corrected, attendance and a batch of test
-- scores are corrected, some students transfer.  The cells and a published
-- table built on them follow, and the time this took is compared with a full
-- refresh of the demo's materialized view.  Run after report.sql: it
-- changes students.
\set QUIET on
\pset footer off
SET client_min_messages = warning;

SELECT sqii.create_cells('sample.cells', 'sample.students', ARRAY['school_year', 'school_id'],
                         ARRAY['chronic_absent', 'suspended', 'ela_met', 'math_met', 'ela_dfs', 'math_dfs',
                               'on_track', 'graduated'],
                         ARRAY['race', 'el', 'sed', 'swd', 'foster', 'homeless']) \gset

-- A staff preview of a table on the maintained cells: chronic absenteeism in
-- 2018, schools by student group with the district as total row, hidden cells
-- planned again by sqii.suppression on every read (so it follows the cells).
-- It protects this one table alone (the 0.1 attacker), so it is not a
-- publication: the public release is protected and audited again from the
-- changed cells with tools/publish-release (README, "Publishing a release").
CREATE VIEW sample.published_live AS
WITH c AS (
    SELECT school_id, group_code, chronic_absent AS t FROM sample.cells WHERE school_year = 2018
    UNION ALL
    SELECT NULL, group_code, sqii.merge(chronic_absent) FROM sample.cells WHERE school_year = 2018 GROUP BY group_code
)
SELECT c.school_id, c.group_code, sqii.n(c.t) AS n,
       CASE WHEN sqii.suppression(COALESCE('school ' || c.school_id, 'district') || ' ' || c.group_code,
                                  sqii.n(c.t), s.total_of, s.part_of) OVER () IS NULL
            THEN sqii.display(c.t) ELSE '*' END AS shown
FROM c CROSS JOIN LATERAL sqii.group_sums(c.school_id::text, c.group_code) AS s;
CREATE TEMP TABLE published_before AS SELECT * FROM sample.published_live;

-- The first week of changes, as the district's loads send them: one
-- statement each (the triggers apply each statement's change to the cells).
CREATE TEMP TABLE week (change text, students bigint);
CREATE PROCEDURE pg_temp.first_week() LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    -- 150 students enroll (new student ids).
    INSERT INTO sample.students
    SELECT school_year, 1000000 + student_id, 1 + (school_id * 7) % (SELECT count(*) FROM sample.schools)::int, grade,
           race, el, sed, swd, foster, homeless, ela_score, math_score, ela_met, math_met, ela_dfs, math_dfs,
           days_enrolled, days_absent, chronic_absent, suspended, credits, on_track, credit_recovery, graduated,
           ela_sgp, math_sgp, sel_score, climate_favorable, hs_ready, redesignated
    FROM sample.students WHERE school_year = 2018 AND student_id % 467 = 5
      AND (1 + (school_id * 7) % (SELECT count(*) FROM sample.schools)::int, grade)
          IN (SELECT school_id, grade FROM sample.students WHERE school_year = 2018);
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('enrolled', n);
    -- 80 leave.
    DELETE FROM sample.students WHERE school_year = 2018 AND student_id % 877 = 11;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('left', n);
    -- English learner status corrected both ways.
    UPDATE sample.students SET el = NOT el WHERE school_year = 2018 AND student_id % 1499 = 3;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('English learner status corrected', n);
    -- Newly identified as homeless.
    UPDATE sample.students SET homeless = true WHERE school_year = 2018 AND NOT homeless AND student_id % 1999 = 7;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('identified as homeless', n);
    -- Attendance corrections: three more days absent.
    UPDATE sample.students
    SET days_absent = least(days_enrolled, days_absent + 3),
        chronic_absent = CASE WHEN days_enrolled >= 31 THEN least(days_enrolled, days_absent + 3) >= 0.1 * days_enrolled END
    WHERE school_year = 2018 AND student_id % 97 = 13;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('attendance corrected', n);
    -- A batch of rescored ELA tests: 12 points more.
    UPDATE sample.students s
    SET ela_score = s.ela_score + 12, ela_dfs = s.ela_dfs + 12, ela_met = s.ela_dfs + 12 >= 0
    WHERE school_year = 2018 AND ela_score IS NOT NULL AND student_id % 331 = 17;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('ELA tests rescored', n);
    -- Transfers to another school of the same level.
    UPDATE sample.students s SET school_id = t.school_id
    FROM (SELECT level, min(school_id) AS school_id FROM sample.schools GROUP BY level) t, sample.schools f
    WHERE s.school_year = 2018 AND s.student_id % 541 = 19 AND f.school_id = s.school_id AND t.level = f.level
      AND t.school_id <> s.school_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO week VALUES ('transferred', n);
END $$;

-- Timed twice: a warm-up (rolled back), then for real, with the time spent
-- in the cells' triggers read from the transaction's function statistics
-- (the difference with a run without triggers drowns in the noise of the
-- writes themselves).
BEGIN;
CALL pg_temp.first_week();
ROLLBACK;
BEGIN;
SET LOCAL track_functions = 'all';
SELECT clock_timestamp() AS t0 \gset
CALL pg_temp.first_week();
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000) AS week_ms,
       round(coalesce(pg_stat_get_xact_function_total_time('sqii.cells_trigger()'::regprocedure), 0)) AS cells_ms \gset
COMMIT;
-- The full refresh the cells replace (it also brings the demo's view up to date).
SELECT clock_timestamp() AS t0 \gset
REFRESH MATERIALIZED VIEW sample.school_group_tally;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000) AS refresh_ms \gset
-- The cells the triggers kept against the refreshed view: every indicator,
-- every cell, both ways.
SELECT count(*) AS differing
FROM ((SELECT school_year, school_id, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
              on_track, graduated FROM sample.cells
       EXCEPT
       SELECT school_year, school_id, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
              on_track, graduated FROM sample.school_group_tally)
      UNION ALL
      (SELECT school_year, school_id, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
              on_track, graduated FROM sample.school_group_tally
       EXCEPT
       SELECT school_year, school_id, group_code, chronic_absent, suspended, ela_met, math_met, ela_dfs, math_dfs,
              on_track, graduated FROM sample.cells)) d \gset
-- A one-pass recomputation of the cells, for comparison.
SELECT clock_timestamp() AS t0 \gset
SELECT sqii.rebuild_cells('sample.cells') \gset
SELECT round(extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000) AS rebuild_ms \gset

\echo
\echo 'Maintained cells (examples/incremental.sql): the first week of changes to school year 2018'
SELECT change AS "change", students AS "students" FROM week;
SELECT sum(students) AS changed FROM week \gset
SELECT round(:refresh_ms / greatest(:cells_ms, 1)::numeric, 1) AS times \gset
\echo :changed 'student changes in' :week_ms 'ms, of which the cells'' triggers took' :cells_ms 'ms;'
\echo 'a full REFRESH MATERIALIZED VIEW of the cells takes' :refresh_ms 'ms (':times'x), a one-pass rebuild' :rebuild_ms 'ms.'
\echo 'Cells differing from the refreshed view:' :differing

\echo
\echo 'Staff preview of chronic absenteeism 2018 (a view on the maintained cells, not a publication): cells that changed this week'
SELECT count(*) AS changed_cells FROM published_before b JOIN sample.published_live a USING (school_id, group_code)
WHERE a.shown IS DISTINCT FROM b.shown \gset
SELECT COALESCE(sc.name, 'District') AS "school", a.group_code AS "group", b.shown AS "before", a.shown AS "after"
FROM published_before b
JOIN sample.published_live a USING (school_id, group_code)
LEFT JOIN sample.schools sc USING (school_id)
WHERE a.shown IS DISTINCT FROM b.shown
ORDER BY a.school_id NULLS FIRST, array_position(ARRAY['ALL','AA','AI','AS','FI','HI','PI','WH','MR','EL','SED','SWD','FOS','HOM'],
                                                 a.group_code)
LIMIT 12;
\echo :changed_cells 'preview cells changed (12 shown); * = hidden by primary or complementary suppression, planned again on read;'
\echo 'the public release is protected and audited again from the changed cells (tools/publish-release).'
