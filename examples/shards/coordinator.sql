-- Run on the coordinator by run-shards, once the shard servers exist: the
-- student table, partitioned by district, one foreign partition per shard.
CREATE TABLE students (
    district_id int NOT NULL, school_year int, student_id int, school_id int, grade int, race text,
    el boolean, sed boolean, swd boolean, foster boolean, homeless boolean,
    ela_score float8, math_score float8, ela_met boolean, math_met boolean, ela_dfs float8, math_dfs float8,
    days_enrolled int, days_absent int, chronic_absent boolean, suspended boolean, credits int,
    on_track boolean, credit_recovery boolean, graduated boolean, groups bigint
) PARTITION BY LIST (district_id);
CREATE FOREIGN TABLE students_d1 PARTITION OF students FOR VALUES IN (1)
    SERVER shard1 OPTIONS (schema_name 'public', table_name 'students');
CREATE FOREIGN TABLE students_d2 PARTITION OF students FOR VALUES IN (2)
    SERVER shard2 OPTIONS (schema_name 'public', table_name 'students');
