-- Role-based access on the sample district: counselors see their assigned
-- students, principals their school, and the public only published cells.
-- Run as the owner of the sample schema, after sample_district.sql,
-- indicators.sql and published.sql.  Roles are cluster-wide: the names start with sqii_.
--
-- Why it is safe:
--   * row-level security on sample.students keys on current_user, never on
--     a session setting a user could SET;
--   * staff views are security_invoker, so RLS applies to whoever reads them;
--   * materialized views cannot carry RLS and are refreshed with their
--     owner's rights, so the one the public reads (sample.published) holds
--     publishable cells only: no number for fewer than 11 students, nor for
--     the cells hidden so that those cannot be computed, ranges near 0/100%.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sqii_public') THEN CREATE ROLE sqii_public; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sqii_staff') THEN CREATE ROLE sqii_staff; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sqii_counselor_ana') THEN
        CREATE ROLE sqii_counselor_ana IN ROLE sqii_staff; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sqii_principal_bo') THEN
        CREATE ROLE sqii_principal_bo IN ROLE sqii_staff; END IF;
END $$;

-- Who is who: staff roles and their school; counselors' caseloads.
CREATE TABLE sample.staff (
    role_name name PRIMARY KEY,
    kind      text NOT NULL CHECK (kind IN ('counselor', 'principal')),
    school_id int NOT NULL REFERENCES sample.schools
);
CREATE TABLE sample.caseload (
    role_name  name NOT NULL REFERENCES sample.staff,
    student_id int NOT NULL,
    PRIMARY KEY (role_name, student_id)
);
-- The principal of the district's last (a high) school; a counselor there
-- with the 12th graders whose id ends in 0-4.
INSERT INTO sample.staff
SELECT 'sqii_principal_bo', 'principal', max(school_id) FROM sample.schools
UNION ALL SELECT 'sqii_counselor_ana', 'counselor', max(school_id) FROM sample.schools;
INSERT INTO sample.caseload
SELECT DISTINCT 'sqii_counselor_ana', s.student_id FROM sample.students s
WHERE s.school_id = (SELECT max(school_id) FROM sample.schools) AND s.grade = 12 AND s.student_id % 10 < 5;

ALTER TABLE sample.students ENABLE ROW LEVEL SECURITY;
CREATE POLICY principal_school ON sample.students FOR SELECT TO sqii_staff
    USING (school_id IN (SELECT st.school_id FROM sample.staff st
                         WHERE st.role_name = current_user AND st.kind = 'principal'));
CREATE POLICY counselor_caseload ON sample.students FOR SELECT TO sqii_staff
    USING (student_id IN (SELECT c.student_id FROM sample.caseload c WHERE c.role_name = current_user));

GRANT USAGE ON SCHEMA sample TO sqii_staff, sqii_public;
GRANT SELECT ON sample.students, sample.staff, sample.caseload TO sqii_staff;

-- Drill-down for staff: the 12th graders behind a count (off track and not in
-- credit recovery), filtered by RLS for whoever asks.
CREATE VIEW sample.offtrack_12th WITH (security_invoker = true) AS
SELECT school_year, school_id, student_id, credits
FROM sample.students
WHERE grade = 12 AND NOT on_track AND NOT coalesce(credit_recovery, false);
GRANT SELECT ON sample.offtrack_12th TO sqii_staff;

-- What the public may read: the published cells only (examples/published.sql:
-- primary and complementary suppression), refreshed by the owner.
GRANT SELECT ON sample.published TO sqii_public;
