-- A deterministic sample district for the demo, the tests and the benchmarks.
--
--   SELECT sample.generate();                  -- about 70,000 students, 100 schools, 2018
--   SELECT sample.generate(70000, 2017, NULL, 2); -- the same district in 2017 and 2018
--   SELECT sample.generate(6000000, 7, 10000);  -- a state-sized table
--
-- Every random draw is a hash of (seed, student or school id, draw number), so
-- the same arguments give the same district on any plan, serial or parallel.
-- Outcomes are correlated the way real data is: schools differ in poverty and
-- in quality, and a student's latent achievement (z) drives scale scores,
-- attendance, suspension, credits and graduation together.

CREATE SCHEMA IF NOT EXISTS sample;

-- Uniform draw in (0, 1).
CREATE OR REPLACE FUNCTION sample.u(seed int, id bigint, draw int) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ((pg_catalog.hashint8extended(id, seed::int8 * 1000 + draw) & 9007199254740991)::float8 + 0.5)
       / 9007199254740992.0;

-- Standard normal draw (Box-Muller on two uniforms).
CREATE OR REPLACE FUNCTION sample.z(seed int, id bigint, draw int) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.sqrt(-2 * pg_catalog.ln(sample.u(seed, id, draw)))
       * pg_catalog.cos(2 * pg_catalog.pi() * sample.u(seed, id, draw + 500));

CREATE OR REPLACE FUNCTION sample.logistic(x float8) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN 1 / (1 + pg_catalog.exp(-x));

-- The Smarter Balanced "standard met" (Level 3) threshold of each tested grade.
CREATE TABLE IF NOT EXISTS sample.met_cut (
    subject text NOT NULL,
    grade   int  NOT NULL,
    cut     int  NOT NULL,
    PRIMARY KEY (subject, grade)
);
INSERT INTO sample.met_cut VALUES
    ('ela', 3, 2432), ('ela', 4, 2473), ('ela', 5, 2502), ('ela', 6, 2531),
    ('ela', 7, 2552), ('ela', 8, 2567), ('ela', 11, 2583),
    ('math', 3, 2436), ('math', 4, 2485), ('math', 5, 2528), ('math', 6, 2552),
    ('math', 7, 2567), ('math', 8, 2586), ('math', 11, 2628)
ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS sample.schools (
    school_id  int PRIMARY KEY,
    level      text NOT NULL CHECK (level IN ('elementary', 'middle', 'high')),
    level_rank int NOT NULL,
    name       text NOT NULL,
    poverty    float8 NOT NULL,     -- share of the school's families in poverty, 0-1
    effect     float8 NOT NULL      -- the school's (hidden) contribution to achievement
);

CREATE TABLE IF NOT EXISTS sample.students (
    school_year     int NOT NULL,   -- spring of the school year
    student_id      int NOT NULL,
    school_id       int NOT NULL REFERENCES sample.schools,
    grade           int NOT NULL,   -- 0 = kindergarten
    race            text NOT NULL,  -- AA AI AS FI HI PI WH MR (California's codes)
    el              boolean NOT NULL,
    sed             boolean NOT NULL,
    swd             boolean NOT NULL,
    foster          boolean NOT NULL,
    homeless        boolean NOT NULL,
    ela_score       float8,         -- NULL: grade not tested or student not tested
    math_score      float8,
    ela_met         boolean,
    math_met        boolean,
    ela_dfs         float8,         -- distance from the grade's Level 3 threshold
    math_dfs        float8,
    days_enrolled   int NOT NULL,
    days_absent     int NOT NULL,
    chronic_absent  boolean,        -- NULL: enrolled fewer than 31 days
    suspended       boolean NOT NULL,
    credits         int,            -- 12th graders only
    on_track        boolean,        -- 12th graders only
    credit_recovery boolean,        -- 12th graders off track only
    graduated       boolean,        -- 12th graders (the graduation cohort) only
    ela_sgp         float8,         -- student growth percentile 1-99, grades 4-8 with a score
    math_sgp        float8,
    sel_score       float8,         -- social-emotional skills survey, mean of items 1-5, grades 5-12
    climate_favorable boolean,      -- culture-climate survey answered favorably, grades 5-12
    hs_ready        boolean,        -- 8th graders: sqii.hs_ready(GPA, attendance, ELA and math grades, suspended)
    redesignated    boolean,        -- English learners reclassified fluent this year
    PRIMARY KEY (school_year, student_id)
);
CREATE INDEX IF NOT EXISTS students_school_id_idx ON sample.students (school_id);

-- years > 1 adds earlier years (last_year - years + 1 ...): the same students
-- and schools, outcomes drawn again around a drifting school quality.
CREATE OR REPLACE FUNCTION sample.generate(students int DEFAULT 70000, seed int DEFAULT 2017,
                                           schools int DEFAULT NULL, years int DEFAULT 1,
                                           last_year int DEFAULT 2018)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_schools int := coalesce(schools, greatest(3, round(students / 700.0)::int));
    n_high int := greatest(1, round(n_schools * 0.18)::int);
    n_middle int := greatest(1, round(n_schools * 0.22)::int);
    n_elem int := n_schools - n_high - n_middle;
    back int;           -- years before last_year
    draw_shift int;     -- outcome draws of earlier years use other draw numbers
BEGIN
    IF students < 1 OR n_elem < 1 THEN
        RAISE EXCEPTION 'sample.generate needs at least one student and three schools';
    END IF;
    TRUNCATE sample.students, sample.schools;

    INSERT INTO sample.schools (school_id, level, level_rank, name, poverty, effect)
    SELECT s AS school_id,
           lvl.level,
           s - lvl.first_id AS level_rank,
           (ARRAY['Lincoln','Washington','Jefferson','Roosevelt','Cesar Chavez','Harriet Tubman',
                  'Sequoia','Bayview','Hillcrest','Mission','Redwood','Sunset','Golden Gate',
                  'Ocean View','Grant','Madison','Valley','Mountain View','Lakeside','Riverside']
             )[1 + (s * 7) % 20] || ' ' ||
             CASE lvl.level WHEN 'elementary' THEN 'Elementary' WHEN 'middle' THEN 'Middle'
                            ELSE 'High' END || ' #' || s AS name,
           sample.u(seed, -s, 1) AS poverty,
           -- School quality: partly explained by poverty, partly not.
           0.45 * sample.z(seed, -s, 2) - 0.5 * (sample.u(seed, -s, 1) - 0.5) AS effect
    FROM generate_series(1, n_schools) AS s
    CROSS JOIN LATERAL (
        SELECT CASE WHEN s <= n_elem THEN 'elementary'
                    WHEN s <= n_elem + n_middle THEN 'middle' ELSE 'high' END AS level,
               CASE WHEN s <= n_elem THEN 1
                    WHEN s <= n_elem + n_middle THEN n_elem + 1
                    ELSE n_elem + n_middle + 1 END AS first_id
    ) AS lvl;

    FOR back IN 0 .. years - 1 LOOP
    draw_shift := 100 * back;
    INSERT INTO sample.students
    WITH base AS (
        SELECT id,
               floor(sample.u(seed, id, 1) * 13)::int AS grade,   -- 0 = kindergarten
               sample.z(seed, id, 2) AS noise
        FROM generate_series(1, students) AS id
    ), placed AS (
        SELECT b.*, sc.school_id, sc.level, sc.poverty,
               sc.effect + CASE WHEN back = 0 THEN 0 ELSE 0.15 * sample.z(seed, -sc.school_id, 10 + back) END
                   AS effect
        FROM base b
        CROSS JOIN LATERAL (
            SELECT CASE WHEN b.grade <= 5 THEN 'elementary'
                        WHEN b.grade <= 8 THEN 'middle' ELSE 'high' END AS level,
                   CASE WHEN b.grade <= 5 THEN n_elem
                        WHEN b.grade <= 8 THEN n_middle ELSE n_high END AS n_level
        ) AS l
        -- Skewed choice of school: sizes vary and the last schools are small.
        JOIN sample.schools sc
          ON sc.level = l.level
         AND sc.level_rank = floor(l.n_level * power(sample.u(seed, b.id, 3), 1.5))::int
    ), demo AS (
        SELECT p.*,
               r.race,
               sample.u(seed, p.id, 5) < least(0.95, 0.15 + 0.6 * p.poverty
                   + CASE WHEN r.race IN ('HI', 'AA', 'PI') THEN 0.15 ELSE 0 END) AS sed,
               sample.u(seed, p.id, 6) < CASE r.race WHEN 'HI' THEN 0.42 WHEN 'AS' THEN 0.25
                                              WHEN 'FI' THEN 0.12 ELSE 0.03 END
                                         * (1.2 - p.grade / 15.0) AS el,
               sample.u(seed, p.id, 7) < 0.12 AS swd,
               sample.u(seed, p.id, 8) < 0.006 AS foster,
               sample.u(seed, p.id, 9) < 0.01 + 0.05 * p.poverty AS homeless
        FROM placed p
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN x < c.aa THEN 'AA'
                WHEN x < c.aa + 0.006 THEN 'AI'
                WHEN x < c.aa + 0.006 + c.asn THEN 'AS'
                WHEN x < c.aa + 0.006 + c.asn + c.fi THEN 'FI'
                WHEN x < c.aa + 0.006 + c.asn + c.fi + c.hi THEN 'HI'
                WHEN x < c.aa + 0.012 + c.asn + c.fi + c.hi THEN 'PI'
                WHEN x < c.aa + 0.052 + c.asn + c.fi + c.hi THEN 'MR'
                ELSE 'WH' END AS race
            FROM (SELECT sample.u(seed, p.id, 4) AS x,
                         0.04 + 0.10 * p.poverty AS aa, 0.16 - 0.12 * p.poverty AS asn,
                         0.04 - 0.02 * p.poverty AS fi, 0.20 + 0.45 * p.poverty AS hi) AS c
        ) AS r
    ), achieve AS (
        SELECT d.*,
               d.effect - 0.30 * d.sed::int - 0.45 * d.el::int - 0.65 * d.swd::int
                 - 0.25 * d.homeless::int - 0.35 * d.foster::int
                 + CASE d.race WHEN 'AS' THEN 0.45 WHEN 'WH' THEN 0.25 WHEN 'FI' THEN 0.2
                               WHEN 'AA' THEN -0.25 WHEN 'HI' THEN -0.1 ELSE 0 END
                 + 0.85 * d.noise
                 + CASE WHEN back = 0 THEN 0 ELSE 0.3 * sample.z(seed, d.id, 30 + back) END AS z,
               CASE WHEN sample.u(seed, d.id, 10 + draw_shift) < 0.06 THEN 20 + floor(160 * sample.u(seed, d.id, 11 + draw_shift))::int
                    ELSE 180 END AS days_enrolled
        FROM demo d
    ), outcome AS (
        SELECT a.*,
               CASE WHEN a.grade IN (3, 4, 5, 6, 7, 8, 11) AND sample.u(seed, a.id, 12 + draw_shift) > 0.02
                    THEN round(ec.cut + 88 * a.z + 30 * sample.z(seed, a.id, 13 + draw_shift)) END AS ela_score,
               CASE WHEN a.grade IN (3, 4, 5, 6, 7, 8, 11) AND sample.u(seed, a.id, 14 + draw_shift) > 0.02
                    THEN round(mc.cut - 30 + 92 * a.z + 30 * sample.z(seed, a.id, 15 + draw_shift)) END AS math_score,
               ec.cut AS ela_cut, mc.cut AS math_cut,
               least(a.days_enrolled, floor(-ln(sample.u(seed, a.id, 16 + draw_shift)) * a.days_enrolled
                     * exp(-3.4 + 0.35 * a.sed::int + 0.5 * a.homeless::int - 0.35 * a.z
                           + CASE a.level WHEN 'high' THEN 0.3 ELSE 0 END))::int) AS days_absent,
               sample.u(seed, a.id, 17 + draw_shift) < sample.logistic(-3.6 + 0.7 * a.swd::int + 0.4 * a.sed::int
                     + 0.8 * a.foster::int - 0.5 * a.z
                     + CASE a.level WHEN 'middle' THEN 0.6 WHEN 'high' THEN 0.4 ELSE 0 END) AS suspended,
               CASE WHEN a.grade = 12
                    THEN round(165 * least(1.15, greatest(0, 0.97 + 0.07 * a.z
                               + 0.05 * sample.z(seed, a.id, 18 + draw_shift)))) END AS credits
        FROM achieve a
        LEFT JOIN sample.met_cut ec ON ec.subject = 'ela' AND ec.grade = a.grade
        LEFT JOIN sample.met_cut mc ON mc.subject = 'math' AND mc.grade = a.grade
    )
    SELECT last_year - back AS school_year,
           o.id AS student_id,
           o.school_id,
           o.grade,
           o.race,
           o.el, o.sed, o.swd, o.foster, o.homeless,
           o.ela_score::float8 AS ela_score,
           o.math_score::float8 AS math_score,
           o.ela_score >= o.ela_cut AS ela_met,
           o.math_score >= o.math_cut AS math_met,
           (o.ela_score - o.ela_cut)::float8 AS ela_dfs,
           (o.math_score - o.math_cut)::float8 AS math_dfs,
           o.days_enrolled,
           o.days_absent,
           -- Chronic absence: absent 10% or more of the days enrolled, for
           -- students enrolled at least 31 days (others are not eligible).
           CASE WHEN o.days_enrolled >= 31 THEN o.days_absent >= 0.1 * o.days_enrolled END
               AS chronic_absent,
           o.suspended,
           o.credits::int AS credits,
           -- On track: 150 of the 165 credits expected by the start of 12th grade.
           CASE WHEN o.grade = 12 THEN o.credits >= 150 END AS on_track,
           CASE WHEN o.grade = 12 AND o.credits < 150 THEN sample.u(seed, o.id, 19 + draw_shift) < 0.45 END
               AS credit_recovery,
           CASE WHEN o.grade = 12
                THEN sample.u(seed, o.id, 20 + draw_shift) < sample.logistic(2.2 + 1.4 * o.z
                                                  - 0.6 * o.homeless::int - 0.5 * o.foster::int) END
               AS graduated,
           -- Growth follows the school's quality more than the student's level.
           CASE WHEN o.grade BETWEEN 4 AND 8 AND o.ela_score IS NOT NULL
                THEN least(99, greatest(1, round(100 * sample.logistic(1.7 * (0.6 * o.effect
                     + 0.8 * sample.z(seed, o.id, 21 + draw_shift)))))) END AS ela_sgp,
           CASE WHEN o.grade BETWEEN 4 AND 8 AND o.math_score IS NOT NULL
                THEN least(99, greatest(1, round(100 * sample.logistic(1.7 * (0.6 * o.effect
                     + 0.8 * sample.z(seed, o.id, 22 + draw_shift)))))) END AS math_sgp,
           CASE WHEN o.grade >= 5 AND sample.u(seed, o.id, 23 + draw_shift) > 0.12
                THEN round(least(5, greatest(1, 3.4 + 0.2 * o.z + 0.15 * o.effect
                     + 0.45 * sample.z(seed, o.id, 24 + draw_shift)))::numeric, 2)::float8 END AS sel_score,
           CASE WHEN o.grade >= 5 AND sample.u(seed, o.id, 25 + draw_shift) > 0.15
                THEN sample.u(seed, o.id, 26 + draw_shift) < sample.logistic(0.7 + 0.8 * o.effect + 0.2 * o.z
                                                  - 0.5 * o.suspended::int) END AS climate_favorable,
           -- CORE's rule, sqii.hs_ready: GPA >= 2.5, attendance >= 96%, no D
           -- or F in ELA or math, not suspended.
           CASE WHEN o.grade = 8
                THEN sqii.hs_ready(r.gpa, r.attendance_rate, r.ela_grade, r.math_grade, o.suspended) END
               AS hs_ready,
           CASE WHEN o.el
                THEN sample.u(seed, o.id, 29 + draw_shift) < sample.logistic(-2.2 + 0.9 * o.z + 0.12 * o.grade) END
               AS redesignated
    FROM outcome o
    -- An 8th grader's GPA (0-4), attendance (percent of the days enrolled)
    -- and ELA and math letter grades, for the readiness rule.
    LEFT JOIN LATERAL (
        SELECT least(4, greatest(0, 2.8 + 0.6 * o.z + 0.3 * sample.z(seed, o.id, 27 + draw_shift))) AS gpa,
               100.0 * (o.days_enrolled - o.days_absent) / o.days_enrolled AS attendance_rate,
               CASE WHEN g.w > 1.0 THEN 'A' WHEN g.w > 0.2 THEN 'B' WHEN g.w > -0.9 THEN 'C'
                    WHEN g.w > -1.7 THEN 'D' ELSE 'F' END AS ela_grade,
               CASE WHEN g.w > 0.8 THEN 'A' WHEN g.w > 0 THEN 'B' WHEN g.w > -0.9 THEN 'C'
                    WHEN g.w > -1.5 THEN 'D' ELSE 'F' END AS math_grade
        FROM (SELECT o.z + 0.5 * sample.z(seed, o.id, 28 + draw_shift) AS w) g
        WHERE o.grade = 8
    ) r ON true;
    END LOOP;
    ANALYZE sample.schools;
    ANALYZE sample.students;
END
$$;

-- The student groups of DESIGN.md section 2, one row per student and group:
-- all students, eight race groups, English learners, socioeconomically
-- disadvantaged, students with disabilities, foster youth and homeless.
CREATE OR REPLACE VIEW sample.student_group AS
SELECT g.group_code, s.*
FROM sample.students s
CROSS JOIN LATERAL (
    VALUES ('ALL'), (s.race),
           (CASE WHEN s.el THEN 'EL' END), (CASE WHEN s.sed THEN 'SED' END),
           (CASE WHEN s.swd THEN 'SWD' END), (CASE WHEN s.foster THEN 'FOS' END),
           (CASE WHEN s.homeless THEN 'HOM' END)
) AS g(group_code)
WHERE g.group_code IS NOT NULL;
