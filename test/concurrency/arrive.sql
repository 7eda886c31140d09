-- A student arrives (a copy of another, in another school), or leaves.
\set id random(20001, 40000)
\set from random(1, 20000)
\set to random(1, 29)
INSERT INTO sample.students
SELECT school_year, :id, :to, grade, race, el, sed, swd, foster, homeless, ela_score, math_score, ela_met,
       math_met, ela_dfs, math_dfs, days_enrolled, days_absent, chronic_absent, suspended, credits, on_track,
       credit_recovery, graduated, ela_sgp, math_sgp, sel_score, climate_favorable, hs_ready, redesignated
FROM sample.students WHERE school_year = 2018 AND student_id = :from
ON CONFLICT DO NOTHING;
