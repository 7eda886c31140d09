\set id random(1, 40000)
DELETE FROM sample.students WHERE school_year = 2018 AND student_id = :id;
