-- One student changes: moves to another school, becomes or leaves EL, meets
-- the standard or not (one statement: row lock, then the cells in key order).
\set id random(1, 20000)
\set to random(1, 29)
UPDATE sample.students SET school_id = :to, el = NOT el, ela_met = NOT ela_met, ela_dfs = ela_dfs - 3
WHERE school_year = 2018 AND student_id = :id;
