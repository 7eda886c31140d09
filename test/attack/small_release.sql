-- A small release for the refusal test: three schools of 2018 and their own
-- district row, with primary suppression only (every cell of 1-10 students
-- hidden, nothing else), which the audit must refuse.
CREATE VIEW attack.small_input AS
WITH schools AS (
    SELECT school_year, school_id, group_code, indicator, measure, t
    FROM sample.release_input
    WHERE school_year = 2018 AND school_id IN (1, 2, 3)
), cells AS (
    SELECT * FROM schools
    UNION ALL
    SELECT school_year, NULL, group_code, indicator, min(measure), sqii.merge(t)
    FROM schools GROUP BY school_year, group_code, indicator
)
SELECT c.*, CASE WHEN sqii.n(c.t) BETWEEN 1 AND 10 THEN 'privacy' END AS suppressed
FROM cells c;
