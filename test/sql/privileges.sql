-- Every role that can connect uses sqii: a role with nothing but LOGIN calls
-- every function and aggregate on its own table, reads the configuration and
-- is refused writes to it with a clear message.  Errors never print sqii's
-- internal source as context.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
DROP ROLE IF EXISTS sqii_login_only;
CREATE ROLE sqii_login_only LOGIN;
RESET client_min_messages;

-- The catalog, for every object of the extension.
CREATE TEMP VIEW sqii_objects AS
SELECT d.classid, d.objid
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqii'
WHERE d.deptype = 'e';
SELECT has_schema_privilege('sqii_login_only', 'sqii', 'USAGE') AS schema_usage,
       has_schema_privilege('sqii_login_only', 'sqii', 'CREATE') AS schema_create;
-- No function or aggregate the role cannot execute; none is SECURITY DEFINER.
SELECT p.oid::regprocedure AS not_executable
FROM sqii_objects o JOIN pg_proc p ON o.classid = 'pg_proc'::regclass AND p.oid = o.objid
WHERE NOT has_function_privilege('sqii_login_only', p.oid, 'EXECUTE') OR p.prosecdef;
-- Every table readable; none writable (sqii.config_deletion takes INSERT and
-- DELETE from PUBLIC, and its trigger checks the privilege on the table each
-- row names: refused below).
SELECT c.oid::regclass AS config_table,
       has_table_privilege('sqii_login_only', c.oid, 'SELECT') AS can_read,
       has_table_privilege('sqii_login_only', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') AS can_write,
       has_table_privilege(e.extowner, c.oid, 'INSERT, UPDATE, DELETE') AS owner_writes
FROM sqii_objects o JOIN pg_class c ON o.classid = 'pg_class'::regclass AND c.oid = o.objid AND c.relkind = 'r'
CROSS JOIN pg_extension e WHERE e.extname = 'sqii'
ORDER BY 1::text;
-- Every type usable.
SELECT t.oid::regtype AS not_usable
FROM sqii_objects o JOIN pg_type t ON o.classid = 'pg_type'::regclass AND t.oid = o.objid
WHERE NOT has_type_privilege('sqii_login_only', t.oid, 'USAGE');

SET ROLE sqii_login_only;
-- The role's own table: six students of two schools.
CREATE TEMP TABLE students (school text, race text, el bool, sed bool, swd bool, foster bool, homeless bool,
                            met bool, score float8, prior_met bool);
INSERT INTO students VALUES
    ('A', 'HI', true, true, false, false, false, true, 2450, false),
    ('A', 'HI', false, true, false, false, false, false, 2400, false),
    ('A', 'WH', false, false, true, false, false, true, 2500, true),
    ('B', 'AS', true, false, false, false, false, true, 2480, true),
    ('B', 'WH', false, true, false, false, true, NULL, NULL, NULL),
    ('B', 'AA', false, false, false, true, false, false, 2420, true);

-- Tallies, their aggregates, readers and operators.
SELECT school, sqii.tally(met) AS met, sqii.tally(score) AS score, sqii.pct(met, 1) AS pct, sqii.mean(score, 1) AS mean,
       sqii.n(sqii.tally(met)), sqii.sum(sqii.tally(met)), sqii.sumsq(sqii.tally(score)) AS sumsq,
       round(sqii.se(sqii.tally(score), 1)::numeric, 4) AS se, round(sqii.pct_se(sqii.tally(met), 1)::numeric, 4) AS pct_se
FROM students GROUP BY school ORDER BY school;
SELECT sqii.merge(t) AS district, sqii.merge(t) OPERATOR(sqii.-) '(3,2,2)'::sqii.tally AS without_a,
       sqii.tally_add('(1,1,1)', '(2,0,0)') AS added, sqii.complement('(3,1,1)', '(1,1,1)') AS complement,
       '(1,1,1)'::sqii.tally OPERATOR(sqii.=) sqii.make_tally(1, 1, 1) AS equal,
       '(1,1,1)'::sqii.tally OPERATOR(sqii.<) '(2,1,1)' AS less
FROM (SELECT sqii.tally(met) AS t FROM students GROUP BY school) s;
SELECT sqii.pct_gap(sqii.tally(met) FILTER (WHERE school = 'A'), sqii.tally(met), 1) AS pct_gap,
       sqii.mean_gap(sqii.tally(score) FILTER (WHERE school = 'A'), sqii.tally(score), 1) AS mean_gap,
       sqii.round_half_up(2.25, 1) AS rounded
FROM students;

-- Groups: the mask reads sqii.student_group and sqii.race_code.
SELECT sqii.groups(race, el, sed, swd, foster, homeless) AS groups,
       sqii.group_mask(race, el, sed, swd, foster, homeless) AS mask
FROM students WHERE school = 'A' ORDER BY score;
SELECT g.group_code, g.tally
FROM (SELECT sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), met) AS t FROM students) s,
     sqii.group_tallies(s.t) g;
SELECT g.group_code, g.tallies
FROM (SELECT sqii.tallies_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), met, score) AS t
      FROM students) s,
     sqii.group_tally_rows(s.t) g WHERE g.group_code IN ('ALL', 'HI');
SELECT sqii.tally_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), score)
FROM students WHERE school = 'B';

-- Distance from standard and the dashboard (read sqii.dfs_threshold and the dashboard tables).
SELECT sqii.dfs('ela', 3, score) AS dfs FROM students WHERE school = 'A' ORDER BY score;
SELECT (sqii.dashboard('ela_3_8', sqii.tally(sqii.dfs('ela', 3, score)), NULL, 1, 1)).* FROM students;
SELECT sqii.dashboard_level('graduation', 'status', 91.2) AS level,
       sqii.dashboard_level_name('status', sqii.dashboard_level('graduation', 'status', 91.2)) AS name;

-- Levels and the index (read sqii.model and its tables).
SELECT sqii.cutpoints(4) WITHIN GROUP (ORDER BY score) AS cuts FROM students;
SELECT sqii.level(2450, ARRAY[2400, 2450, 2500]::float8[], true) AS level, sqii.growth_level(55) AS growth_level,
       sqii.level_band(7) AS band, sqii.identification_count(100) AS identified,
       sqii.frozen_cuts('core-2016', 'ela_performance', 'high') AS no_cuts_yet;
SELECT (sqii.sqii_index(m, lvl, ind, grp, v, n)).*
FROM (VALUES ('core-2016', 'high', 'ela_growth', 'ALL', 55.0::float8, 40::bigint)) c(m, lvl, ind, grp, v, n);
SELECT sqii.explain(m, lvl, ind, grp, v, n) ->> 'model' AS model
FROM (VALUES ('core-2016', 'high', 'ela_growth', 'ALL', 55.0::float8, 40::bigint)) c(m, lvl, ind, grp, v, n);
SELECT * FROM sqii.domain_levels('{"domains": []}');

-- Publishing: display, published cells, suppression with the group sums.
SELECT sqii.display(sqii.tally(met), 'pct', 2, 1) AS shown, (sqii.published(sqii.tally(met), 'pct', 2, 1)).*,
       sqii.range_band(120) AS band
FROM students;
SELECT school, group_code, n,
       sqii.suppression(coalesce(school, 'district') || group_code, n, s.total_of, s.part_of, 2) OVER () AS hidden
FROM (VALUES ('A', 'ALL', 3::bigint), ('A', 'HI', 2), ('A', 'WH', 1), ('B', 'ALL', 2), ('B', 'AS', 1), ('B', 'AA', 1),
             (NULL, 'ALL', 5), (NULL, 'HI', 2), (NULL, 'WH', 1), (NULL, 'AS', 1), (NULL, 'AA', 1)) c(school, group_code, n),
     sqii.group_sums(school, group_code) s
ORDER BY 1, 2;

-- Configuration is readable ...
SELECT count(*) > 0 AS reads_groups FROM sqii.student_group;
SELECT count(*) > 0 AS reads_models FROM sqii.model_indicator;
SELECT count(*) IS NOT NULL AS reads_deletions FROM sqii.config_deletion;
-- ... and not writable: PostgreSQL's own message, no internal context.
\set VERBOSITY default
UPDATE sqii.dashboard_cut SET lower_bound = 96 WHERE indicator = 'graduation' AND kind = 'status' AND level = 5;
INSERT INTO sqii.race_code (local_code, group_code) VALUES ('HISP', 'HI');
DELETE FROM sqii.model;
TRUNCATE sqii.model_cut;
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('race_code', '{"local_code": "HI"}');
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[10, 20, 30, 40, 50, 60, 70, 80, 90]);
-- Errors of sqii's functions: a message and a hint, and as context at most the
-- function and line (never a statement of sqii's source).
SELECT sqii.dfs('ela', 9, 2500);
SELECT sqii.dashboard('reading', '(40,20,20)');
SELECT * FROM sqii.group_sums('A', 'XX');
SELECT sqii.freeze_cutpoints('core-2016', 'ela_performance', 2016, ARRAY[90, 80, 70, 60, 50, 40, 30, 20, 10]);
SELECT * FROM sqii.group_tallies((SELECT sqii.tallies_by_group(sqii.group_mask(race, el, sed, swd, foster, homeless), met, score)
                                  FROM students));
-- The support functions of the aggregates take internal states: SQL has no
-- way to make a value of type internal (42846 for each of them), so a forged
-- state can never reach them.
DO $$
DECLARE
    f regprocedure;
    args text;
    functions int := 0;
    outcomes text[] := '{}';
BEGIN
    FOR f, args IN
        SELECT p.oid::regprocedure,
               string_agg(CASE WHEN t = '"any"'::regtype THEN 'NULL::int' ELSE format('NULL::%s', t::regtype) END,
                          ', ' ORDER BY i)
        FROM pg_proc p
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqii'
        CROSS JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)
        WHERE p.prokind = 'f' AND 'internal'::regtype = ANY (p.proargtypes::oid[])
        GROUP BY p.oid
    LOOP
        functions := functions + 1;
        BEGIN
            EXECUTE format('SELECT %s(%s)', f::regproc, args);
            outcomes := outcomes || format('%s returned', f);
        EXCEPTION WHEN OTHERS THEN
            IF NOT SQLSTATE = ANY (outcomes) THEN
                outcomes := outcomes || SQLSTATE;
            END IF;
        END;
    END LOOP;
    RAISE NOTICE '% functions taking internal; outcomes: %', functions, outcomes;
END
$$;
RESET ROLE;
DROP TABLE students;
DROP ROLE sqii_login_only;
