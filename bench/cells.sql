-- Benchmark for issue 13: maintained cells at state scale.
--
-- A state's student table with its cells (14 groups x 6 indicators per
-- school).  Each round changes 1% of the students (0.6% updated: group
-- changes, values turning NULL or back, a sixth of them moving school; 0.2%
-- deleted; 0.2% inserted), in two shapes: spread over the whole state, and
-- clustered in 5% of the schools (a few districts' nightly load).  Timed,
-- interleaved within each round:
--   * the change by triggers: the three statements on the student table whose
--     cells follow by triggers (the time spent in the triggers, read from
--     EXPLAIN ANALYZE), and the same statements with and without triggers;
--   * the change by batch: sqii.apply_cell_changes with the before and after
--     images of the changed students (the images are the ETL's, not timed);
--   * a one-pass rebuild of the cells (sqii.rebuild_cells);
--   * REFRESH MATERIALIZED VIEW of the same cells in the demo's form (GROUP BY
--     over one row per student and group).
-- Then the cost a trigger adds to a single-row UPDATE and to a 10,000-row
-- COPY.  At the end every cell table and the view must hold identical cells.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA bench;
\ir ../examples/sample_district.sql
RESET client_min_messages;
\timing off
SELECT sample.generate(:students, 7, :schools);
CREATE TABLE bench.students_b (LIKE sample.students INCLUDING ALL);
INSERT INTO bench.students_b SELECT * FROM sample.students;
VACUUM ANALYZE sample.students;
VACUUM ANALYZE bench.students_b;
SELECT pg_size_pretty(pg_relation_size('sample.students')) AS table_size,
       (SELECT count(*) FROM sample.students) AS students,
       (SELECT count(*) FROM sample.schools) AS schools;

\set indicators 'ARRAY[''chronic_absent'', ''suspended'', ''ela_met'', ''math_met'', ''ela_dfs'', ''math_dfs'']'
\set groups 'ARRAY[''race'', ''el'', ''sed'', ''swd'', ''foster'', ''homeless'']'
-- Trigger mode on the student table; batch mode on its copy; a third cell
-- table for the rebuild.
SELECT sqii.create_cells('bench.cells_t', 'sample.students', ARRAY['school_year', 'school_id'], :indicators, :groups);
SELECT sqii.create_cells('bench.cells_b', 'bench.students_b', ARRAY['school_year', 'school_id'], :indicators, :groups,
                         triggers => false);
SELECT sqii.create_cells('bench.cells_r', 'sample.students', ARRAY['school_year', 'school_id'], :indicators, :groups,
                         triggers => false);
-- The materialized view a DBA refreshes today.
CREATE MATERIALIZED VIEW bench.mv AS
SELECT school_year, school_id, group_code, count(*) AS students,
       sqii.tally(chronic_absent) AS chronic_absent, sqii.tally(suspended) AS suspended,
       sqii.tally(ela_met) AS ela_met, sqii.tally(math_met) AS math_met,
       sqii.tally(ela_dfs) AS ela_dfs, sqii.tally(math_dfs) AS math_dfs
FROM sample.student_group
GROUP BY school_year, school_id, group_code;
SELECT count(*) AS cells FROM bench.cells_t;

CREATE TABLE bench.timing (shape text, what text, rep int, ms float8);
CREATE TABLE bench.chg_upd (student_id int PRIMARY KEY, new_school int NOT NULL);
CREATE TABLE bench.chg_del (student_id int PRIMARY KEY);
CREATE TABLE bench.chg_ins (LIKE sample.students);

-- One round's 1%: which students change (untimed).
CREATE PROCEDURE bench.pick(shape text, r int, n_schools int) LANGUAGE plpgsql AS $$
DECLARE
    -- spread: any student; clustered: students of every 20th school.
    pool text := CASE shape WHEN 'spread' THEN 'true' ELSE format('school_id %% 20 = %s', r % 20) END;
    scale int := CASE shape WHEN 'spread' THEN 1 ELSE 20 END;
BEGIN
    TRUNCATE bench.chg_upd, bench.chg_del, bench.chg_ins;
    EXECUTE format('INSERT INTO bench.chg_upd SELECT student_id, CASE WHEN student_id %% 6 = 0
                        THEN 1 + (school_id + 19 + 20 * (student_id %% 7)) %% %s ELSE school_id END
                    FROM sample.students WHERE %s AND (hashint8extended(student_id, %s) & 1048575) < %s',
                   n_schools, pool, r, 6291 * scale);
    EXECUTE format('INSERT INTO bench.chg_del SELECT student_id FROM sample.students
                    WHERE %s AND (hashint8extended(student_id, %s) & 1048575) BETWEEN 600000 AND %s',
                   pool, r, 600000 + 2097 * scale - 1);
    EXECUTE format('INSERT INTO bench.chg_ins SELECT school_year, student_id + 10000000 * %s, school_id, grade, race,
                        el, sed, swd, foster, homeless, ela_score, math_score, ela_met, math_met, ela_dfs, math_dfs,
                        days_enrolled, days_absent, chronic_absent, suspended, credits, on_track, credit_recovery,
                        graduated, ela_sgp, math_sgp, sel_score, climate_favorable, hs_ready, redesignated
                    FROM sample.students WHERE %s AND student_id < 10000000
                      AND (hashint8extended(student_id, %s) & 1048575) BETWEEN 900000 AND %s',
                   r + (CASE shape WHEN 'spread' THEN 0 ELSE 50 END), pool, r, 900000 + 2097 * scale - 1);
    DELETE FROM bench.chg_upd u USING bench.chg_del d WHERE u.student_id = d.student_id;
    ANALYZE bench.chg_upd;
    ANALYZE bench.chg_del;
    ANALYZE bench.chg_ins;
END $$;

-- The three statements of a change, on one student table, each run under
-- EXPLAIN ANALYZE (on both tables alike) to read the time spent in the
-- cells' triggers; returns that time in ms.
CREATE FUNCTION bench.change(tbl text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    stmt text;
    plan json;
    trigger_ms float8 := 0;
BEGIN
    FOREACH stmt IN ARRAY ARRAY[
        format('UPDATE %s s SET school_id = c.new_school, el = NOT s.el,
                    ela_met = CASE WHEN s.ela_met IS NULL THEN s.student_id %% 2 = 0
                                   WHEN s.student_id %% 5 = 0 THEN NULL ELSE NOT s.ela_met END,
                    ela_dfs = s.ela_dfs + 3, chronic_absent = NOT s.chronic_absent
                FROM bench.chg_upd c WHERE s.school_year = 2018 AND s.student_id = c.student_id', tbl),
        format('DELETE FROM %s s USING bench.chg_del c WHERE s.school_year = 2018 AND s.student_id = c.student_id', tbl),
        format('INSERT INTO %s SELECT * FROM bench.chg_ins', tbl)] LOOP
        EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || stmt INTO plan;
        trigger_ms := trigger_ms + coalesce((SELECT sum((t ->> 'Time')::float8)
                                             FROM json_array_elements(plan -> 0 -> 'Triggers') t
                                             WHERE t ->> 'Trigger Name' LIKE '%sqii%'), 0);
    END LOOP;
    RETURN trigger_ms;
END $$;

CREATE PROCEDURE bench.round(shape text, r int, n_schools int) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    trigger_ms float8;
BEGIN
    CALL bench.pick(shape, r, n_schools);
    COMMIT;
    -- Before images for the batch (the ETL's).
    DROP TABLE IF EXISTS bench.old_rows, bench.new_rows;
    CREATE TABLE bench.old_rows AS
        SELECT s.* FROM bench.students_b s
        WHERE s.school_year = 2018 AND (s.student_id IN (SELECT student_id FROM bench.chg_upd)
                                        OR s.student_id IN (SELECT student_id FROM bench.chg_del));
    COMMIT;
    t0 := clock_timestamp();
    trigger_ms := bench.change('sample.students');
    INSERT INTO bench.timing VALUES (shape, 'change with triggers', r, extract(epoch FROM clock_timestamp() - t0) * 1000),
                                    (shape, 'cells by triggers (time in the triggers)', r, trigger_ms);
    COMMIT;
    t0 := clock_timestamp();
    PERFORM bench.change('bench.students_b');
    INSERT INTO bench.timing VALUES (shape, 'change without triggers', r, extract(epoch FROM clock_timestamp() - t0) * 1000);
    COMMIT;
    CREATE TABLE bench.new_rows AS
        SELECT s.* FROM bench.students_b s
        WHERE s.school_year = 2018 AND (s.student_id IN (SELECT student_id FROM bench.chg_upd)
                                        OR s.student_id IN (SELECT student_id FROM bench.chg_ins));
    ANALYZE bench.old_rows;
    ANALYZE bench.new_rows;
    COMMIT;
    t0 := clock_timestamp();
    PERFORM sqii.apply_cell_changes('bench.cells_b', 'bench.old_rows', 'bench.new_rows');
    INSERT INTO bench.timing VALUES (shape, 'batch apply', r, extract(epoch FROM clock_timestamp() - t0) * 1000);
    COMMIT;
    t0 := clock_timestamp();
    PERFORM sqii.rebuild_cells('bench.cells_r');
    INSERT INTO bench.timing VALUES (shape, 'one-pass rebuild', r, extract(epoch FROM clock_timestamp() - t0) * 1000);
    COMMIT;
    t0 := clock_timestamp();
    REFRESH MATERIALIZED VIEW bench.mv;
    INSERT INTO bench.timing VALUES (shape, 'REFRESH MATERIALIZED VIEW', r, extract(epoch FROM clock_timestamp() - t0) * 1000);
    COMMIT;
END $$;

SET jit = off;
SET client_min_messages = warning;
SELECT (SELECT count(*) FROM sample.schools) AS n_schools \gset
SELECT count(*) FROM sample.students \g /dev/null
SELECT count(*) FROM bench.students_b \g /dev/null
SELECT format('CALL bench.round(%L, %s, %s)', shape, r, :n_schools)
FROM generate_series(1, :reps) AS r, unnest(ARRAY['spread', 'clustered']) AS shape
ORDER BY r, shape DESC \gexec
VACUUM bench.cells_t_sqii;
VACUUM bench.cells_b_sqii;
VACUUM bench.cells_r_sqii;

\echo
\echo 'Changes per round (students): updated, deleted, inserted, as the last round made them'
SELECT (SELECT count(*) FROM bench.chg_upd) AS updated, (SELECT count(*) FROM bench.chg_del) AS deleted,
       (SELECT count(*) FROM bench.chg_ins) AS inserted;

\echo 'Medians (ms) of the rounds, per shape of the 1% change'
CREATE VIEW bench.median AS
SELECT shape, what, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms, count(*) AS rounds
FROM bench.timing GROUP BY shape, what;
SELECT shape, what, round(ms::numeric, 1) AS median_ms, rounds FROM bench.median ORDER BY shape DESC, ms;

\echo 'Ratios: full recomputation time / time to apply the 1% to the cells'
SELECT m.shape,
       round((r.ms / g.ms)::numeric, 1) AS rebuild_over_triggers,
       round((r.ms / b.ms)::numeric, 1) AS rebuild_over_batch,
       round((v.ms / g.ms)::numeric, 1) AS refresh_over_triggers,
       round((v.ms / b.ms)::numeric, 1) AS refresh_over_batch,
       round((t.ms / p.ms)::numeric, 2) AS change_with_over_without_triggers
FROM (SELECT DISTINCT shape FROM bench.timing) m
JOIN bench.median g ON g.shape = m.shape AND g.what = 'cells by triggers (time in the triggers)'
JOIN bench.median t ON t.shape = m.shape AND t.what = 'change with triggers'
JOIN bench.median p ON p.shape = m.shape AND p.what = 'change without triggers'
JOIN bench.median b ON b.shape = m.shape AND b.what = 'batch apply'
JOIN bench.median r ON r.shape = m.shape AND r.what = 'one-pass rebuild'
JOIN bench.median v ON v.shape = m.shape AND v.what = 'REFRESH MATERIALIZED VIEW'
ORDER BY m.shape DESC;

\echo 'Identical cells: trigger cells, batch cells, rebuilt cells and the view (differing cells, expect 0 0 0)'
CREATE VIEW bench.cells_text AS
SELECT 't' AS source, school_year, school_id, group_code, students, chronic_absent::text, suspended::text,
       ela_met::text, math_met::text, ela_dfs::text, math_dfs::text FROM bench.cells_t
UNION ALL
SELECT 'b', school_year, school_id, group_code, students, chronic_absent::text, suspended::text,
       ela_met::text, math_met::text, ela_dfs::text, math_dfs::text FROM bench.cells_b
UNION ALL
SELECT 'r', school_year, school_id, group_code, students, chronic_absent::text, suspended::text,
       ela_met::text, math_met::text, ela_dfs::text, math_dfs::text FROM bench.cells_r
UNION ALL
SELECT 'v', school_year, school_id, group_code, students, chronic_absent::text, suspended::text,
       ela_met::text, math_met::text, ela_dfs::text, math_dfs::text FROM bench.mv;
SELECT count(*) FILTER (WHERE NOT ('t' = ANY (sources))) AS missing_from_triggers,
       count(*) FILTER (WHERE NOT ('b' = ANY (sources))) AS missing_from_batch,
       count(*) FILTER (WHERE NOT ('r' = ANY (sources)) OR NOT ('v' = ANY (sources))) AS missing_from_rebuild_or_view
FROM (SELECT array_agg(source) AS sources FROM bench.cells_text
      GROUP BY school_year, school_id, group_code, students, chronic_absent, suspended, ela_met, math_met,
               ela_dfs, math_dfs) d;

-- The cost a trigger adds to small writes: single-row UPDATEs (each its own
-- statement, so the trigger fires for each), each in its own transaction and
-- then 200 in one transaction (the same school's unit row rewritten by each,
-- so its row versions pile up until the commit), and a 10,000-row COPY.
CREATE TABLE bench.small (what text, tbl text, rep int, ms float8);
CREATE PROCEDURE bench.small_writes(reps int) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    tbl text;
    -- In the throw-away cluster's data directory: removed with it.
    file text := current_setting('data_directory') || '/sqii_bench_copy';
    ids int[];
BEGIN
    EXECUTE format('COPY (SELECT school_year, student_id + 900000000, school_id, grade, race, el, sed, swd, foster,
                        homeless, ela_score, math_score, ela_met, math_met, ela_dfs, math_dfs, days_enrolled,
                        days_absent, chronic_absent, suspended, credits, on_track, credit_recovery, graduated,
                        ela_sgp, math_sgp, sel_score, climate_favorable, hs_ready, redesignated
                    FROM sample.students WHERE school_year = 2018 ORDER BY student_id LIMIT 10000) TO %L', file);
    ids := ARRAY(SELECT student_id FROM sample.students WHERE school_year = 2018 ORDER BY student_id LIMIT 200);
    FOR r IN 1 .. reps LOOP
        FOREACH tbl IN ARRAY ARRAY['sample.students', 'bench.students_b'] LOOP
            t0 := clock_timestamp();
            FOR i IN 1 .. 200 LOOP
                EXECUTE format('UPDATE %s SET ela_dfs = ela_dfs + 1, el = NOT el WHERE school_year = 2018 AND student_id = $1', tbl)
                    USING ids[i];
                COMMIT;
            END LOOP;
            INSERT INTO bench.small VALUES ('single-row UPDATE, own transaction (ms)', tbl, r,
                                            extract(epoch FROM clock_timestamp() - t0) * 1000 / 200);
            COMMIT;
            t0 := clock_timestamp();
            FOR i IN 1 .. 200 LOOP
                EXECUTE format('UPDATE %s SET ela_dfs = ela_dfs - 1, el = NOT el WHERE school_year = 2018 AND student_id = $1', tbl)
                    USING ids[i];
            END LOOP;
            INSERT INTO bench.small VALUES ('single-row UPDATE, 200 in a transaction (ms each)', tbl, r,
                                            extract(epoch FROM clock_timestamp() - t0) * 1000 / 200);
            COMMIT;
            t0 := clock_timestamp();
            EXECUTE format('COPY %s FROM %L', tbl, file);
            INSERT INTO bench.small VALUES ('COPY of 10,000 rows (ms)', tbl, r,
                                            extract(epoch FROM clock_timestamp() - t0) * 1000);
            COMMIT;
            EXECUTE format('DELETE FROM %s WHERE student_id > 900000000', tbl);
            COMMIT;
        END LOOP;
    END LOOP;
END $$;
CALL bench.small_writes(:reps + 2);
\echo 'Small writes: with the cells'' triggers (sample.students) and without (bench.students_b), medians'
SELECT w.what, round(w.ms::numeric, 3) AS with_triggers, round(o.ms::numeric, 3) AS without,
       round((w.ms / o.ms)::numeric, 2) AS ratio
FROM (SELECT what, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.small
      WHERE tbl = 'sample.students' GROUP BY what) w
JOIN (SELECT what, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.small
      WHERE tbl = 'bench.students_b' GROUP BY what) o USING (what)
ORDER BY w.what DESC;
SELECT count(*) AS trigger_cells_differing_after_small_writes FROM sqii.check_cells('bench.cells_t');
