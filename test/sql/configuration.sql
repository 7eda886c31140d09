-- District configuration: which writes make district rows (kept by pg_dump)
-- and which record a deletion (replayed by pg_restore).  The dump and restore
-- themselves are run by test/deploy/run-deploy.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- Fresh from CREATE EXTENSION every row is shipped and nothing is recorded.
SELECT (SELECT count(*) FROM sqii.student_group WHERE NOT shipped) AS district_groups,
       (SELECT count(*) FROM sqii.dashboard_cut WHERE NOT shipped) AS district_cuts,
       (SELECT count(*) FROM sqii.config_deletion) AS deletions;

BEGIN;
-- An UPDATE that changes a shipped row makes it a district row; one that
-- changes nothing leaves it shipped.
UPDATE sqii.dashboard_cut SET lower_bound = 96
WHERE indicator = 'graduation' AND kind = 'status' AND level = 5 RETURNING indicator, level, lower_bound, shipped;
UPDATE sqii.dashboard_cut SET lower_bound = lower_bound
WHERE indicator = 'graduation' AND kind = 'status' AND level = 4 RETURNING indicator, level, lower_bound, shipped;
-- A district cannot write a row as shipped.
INSERT INTO sqii.race_code (local_code, group_code, shipped) VALUES ('HISP', 'HI', true) RETURNING *;
UPDATE sqii.race_code SET shipped = true WHERE local_code = 'HISP' RETURNING *;
-- A DELETE records the key; so does a change of key (for the old key).
DELETE FROM sqii.race_code WHERE local_code = 'PI';
UPDATE sqii.race_code SET local_code = 'FIL' WHERE local_code = 'FI' RETURNING *;
SELECT config_table, key FROM sqii.config_deletion ORDER BY 1, 2::text;
-- Inserting a deleted key again clears its deletion.
INSERT INTO sqii.race_code (local_code, group_code) VALUES ('PI', 'PI');
SELECT config_table, key FROM sqii.config_deletion ORDER BY 1, 2::text;
-- An INSERT over a shipped key replaces the shipped row in place (this is
-- how pg_restore brings back an edited shipped row): no duplicate key.
INSERT INTO sqii.dashboard_cut (indicator, kind, level, lower_bound)
VALUES ('graduation', 'status', 3, 81) RETURNING *;
-- A district row equal to the shipped one is still the district's (as it is
-- after an edit and its undoing), so a restore gives back the same rows.
INSERT INTO sqii.dashboard_cut (indicator, kind, level, lower_bound) VALUES ('graduation', 'status', 2, 67.0);
SELECT indicator, kind, level, lower_bound, shipped FROM sqii.dashboard_cut
WHERE indicator = 'graduation' AND kind = 'status' ORDER BY level;
-- ... but a district row with that key is a duplicate, as usual.
INSERT INTO sqii.dashboard_cut (indicator, kind, level, lower_bound) VALUES ('graduation', 'status', 3, 82);
ROLLBACK;

-- A recorded deletion, as pg_restore writes it, deletes the shipped row.
BEGIN;
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('race_code', '{"local_code": "MR"}');
SELECT count(*) AS mr_codes FROM sqii.race_code WHERE local_code = 'MR';
SELECT config_table, key FROM sqii.config_deletion;
-- A district row with that key is not touched by a replayed deletion (only
-- shipped rows come back with CREATE EXTENSION).
INSERT INTO sqii.race_code (local_code, group_code) VALUES ('MR', 'WH');
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('race_code', '{"local_code": "MR"}');
SELECT local_code, group_code, shipped FROM sqii.race_code WHERE local_code = 'MR';
ROLLBACK;

-- Deleting a group cascades to its race codes: every deleted row is recorded.
BEGIN;
DELETE FROM sqii.student_group WHERE group_code = 'AI';
SELECT config_table, key FROM sqii.config_deletion ORDER BY 1, 2::text;
ROLLBACK;

-- Recorded deletions must name a configuration table and its exact key:
-- '{}' would otherwise match every row.
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('race_code', '{}');
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('race_code', '{"local_code": "MR", "x": 1}');
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('race_code', '{"group_code": "MR"}');
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('pg_class', '{"oid": 1}');
INSERT INTO sqii.config_deletion (config_table, key) VALUES ('config_deletion', '{"config_table": "x", "key": {}}');
SELECT count(*) AS mr_codes FROM sqii.race_code WHERE local_code = 'MR';

-- TRUNCATE would delete shipped rows without a record.
TRUNCATE sqii.race_code;
TRUNCATE sqii.dashboard_color_grid CASCADE;

-- Nothing above stayed.
SELECT (SELECT count(*) FROM sqii.student_group WHERE NOT shipped) AS district_groups,
       (SELECT count(*) FROM sqii.race_code) AS race_codes,
       (SELECT count(*) FROM sqii.config_deletion) AS deletions;
