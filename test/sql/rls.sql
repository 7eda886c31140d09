-- Role-based access (examples/rls.sql): each role reaches only what it may,
-- and a forged session setting changes nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
DROP SCHEMA IF EXISTS sample CASCADE;
\set ECHO none
\i examples/sample_district.sql
SELECT sample.generate(8000, 3);
\i examples/indicators.sql
\i examples/published.sql
\i examples/rls.sql
\set ECHO all
RESET client_min_messages;

-- What each role may touch (by privilege).
SELECT r.rolname, c.relname,
       has_table_privilege(r.rolname, 'sample.' || c.relname, 'SELECT') AS can_select
FROM (VALUES ('sqii_public'), ('sqii_counselor_ana'), ('sqii_principal_bo')) r(rolname)
CROSS JOIN (VALUES ('students'), ('school_group_tally'), ('published_cell'), ('published'), ('offtrack_12th'),
                   ('caseload')) c(relname)
ORDER BY 1, 2;

-- Expected rows, computed as the owner.
SELECT (SELECT count(*) FROM sample.students WHERE school_id = st.school_id) AS principal_should_see,
       (SELECT count(*) FROM sample.caseload) AS counselor_should_see,
       (SELECT count(*) FROM sample.offtrack_12th o JOIN sample.caseload c USING (student_id)) AS counselor_offtrack,
       (SELECT count(*) FROM sample.offtrack_12th WHERE school_id = st.school_id) AS principal_offtrack
FROM sample.staff st WHERE st.kind = 'principal';

SET ROLE sqii_principal_bo;
SELECT count(*) AS rows, count(DISTINCT school_id) AS schools FROM sample.students;
SELECT count(*) AS offtrack_rows FROM sample.offtrack_12th;
-- A forged setting is not part of any policy.
SET app.school_id = '1';
SELECT count(*) AS rows_after_forged_setting, min(school_id) = max(school_id) AS one_school FROM sample.students;
RESET ROLE;

SET ROLE sqii_counselor_ana;
SELECT count(*) AS rows, bool_and(grade = 12) AS all_12th FROM sample.students;
SELECT count(*) AS offtrack_rows FROM sample.offtrack_12th;
-- Counselors cannot write, and cannot read the unsuppressed tallies.
UPDATE sample.students SET credits = 230;
SELECT count(*) FROM sample.school_group_tally;
RESET ROLE;

SET ROLE sqii_public;
SELECT count(*) FROM sample.students;
SELECT count(*) FROM sample.school_group_tally;
SELECT count(*) FROM sample.offtrack_12th;
SELECT count(*) FROM sample.published_cell;
-- The published cells carry no number for fewer than 11 students.
SELECT count(*) > 0 AS has_cells,
       count(*) FILTER (WHERE shown ~ '^[0-9.]+%$') > 0 AS some_numbers,
       count(*) FILTER (WHERE shown = '*' AND reason = 'privacy') > 0 AS some_hidden,
       count(*) FILTER (WHERE shown = '*' AND reason = 'complementary') > 0 AS some_hidden_to_protect_others
FROM sample.published WHERE indicator = 'ela_met';
RESET ROLE;
-- ...checked against the tallies, as the owner: no cell under 11 students,
-- and no cell hidden to protect them, shows a number, a value or a count.
SELECT count(*) AS hidden_cells_with_a_number
FROM sample.published p JOIN sample.published_cell c
  ON (p.school_year, p.indicator, p.group_code) = (c.school_year, c.indicator, c.group_code)
 AND p.school_id IS NOT DISTINCT FROM c.school_id
WHERE (sqii.n(c.t) BETWEEN 1 AND 10 OR c.suppressed IS NOT NULL)
  AND (p.shown ~ '[0-9]' OR p.value IS NOT NULL OR p.n IS NOT NULL);

SET client_min_messages = warning;
DROP SCHEMA sample CASCADE;
DROP OWNED BY sqii_public, sqii_staff, sqii_counselor_ana, sqii_principal_bo;
DROP ROLE sqii_counselor_ana, sqii_principal_bo, sqii_staff, sqii_public;
RESET client_min_messages;
