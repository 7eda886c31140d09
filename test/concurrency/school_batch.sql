-- A correction to one school: a seventh of its students change groups and
-- values at once.
\set school random(1, 29)
\set k random(0, 6)
UPDATE sample.students SET homeless = NOT homeless, sed = NOT sed, math_dfs = math_dfs + 1,
       chronic_absent = CASE WHEN chronic_absent THEN NULL ELSE true END
WHERE school_year = 2018 AND school_id = :school AND student_id % 7 = :k;
