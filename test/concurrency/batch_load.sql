-- Batch mode: a loader changes a slice of a school's students in a table
-- whose cells have no triggers, and applies the before and after images in
-- one call.  The before images are read FOR UPDATE (in student order), so a
-- concurrent loader cannot change those students between the images.
-- Few schools and slices, so that loaders often meet on the same students.
\set school random(1, 4)
\set k random(0, 2)
BEGIN;
CREATE TEMP TABLE IF NOT EXISTS before_images (LIKE sample.students_b) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS after_images (LIKE sample.students_b) ON COMMIT DELETE ROWS;
INSERT INTO before_images
SELECT * FROM sample.students_b WHERE school_year = 2018 AND school_id = :school AND student_id % 23 = :k
ORDER BY student_id FOR UPDATE;
WITH changed AS (
    UPDATE sample.students_b s SET el = NOT s.el, ela_met = NOT s.ela_met, school_id = 1 + (s.school_id + :k) % 29
    FROM before_images b WHERE s.school_year = b.school_year AND s.student_id = b.student_id
    RETURNING s.*)
INSERT INTO after_images SELECT * FROM changed;
SELECT sqii.apply_cell_changes('sample.cells_b', 'before_images', 'after_images');
COMMIT;
