
-- Student groups: the codes a district reports on, the mapping of a
-- student's fields to them, and the one-pass aggregate over all groups.

CREATE TABLE @extschema@.student_group (
    group_code pg_catalog.text PRIMARY KEY,
    bit        pg_catalog.int4 NOT NULL UNIQUE CHECK (bit BETWEEN 0 AND 62),
    kind       pg_catalog.text NOT NULL CHECK (kind IN ('all', 'race', 'program')),
    flag       pg_catalog.int4 UNIQUE CHECK (flag BETWEEN 1 AND 64),
    label      pg_catalog.text NOT NULL,
    shipped    pg_catalog.bool NOT NULL DEFAULT false,
    CHECK ((kind OPERATOR(pg_catalog.=) 'program') OPERATOR(pg_catalog.=) (flag IS NOT NULL))
);
COMMENT ON TABLE @extschema@.student_group IS
    'student groups: bit in the group mask; kind all (everyone), race (via sqii.race_code) or program (flag = argument position of sqii.group_mask: 1 EL, 2 SED, 3 SWD, 4 foster, 5 homeless, 6+ the extra flags)';
INSERT INTO @extschema@.student_group (group_code, bit, kind, flag, label, shipped) VALUES
    ('ALL', 0, 'all', NULL, 'All students', true),
    ('AA', 1, 'race', NULL, 'African American', true),
    ('AI', 2, 'race', NULL, 'American Indian or Alaska Native', true),
    ('AS', 3, 'race', NULL, 'Asian', true),
    ('FI', 4, 'race', NULL, 'Filipino', true),
    ('HI', 5, 'race', NULL, 'Hispanic or Latino', true),
    ('PI', 6, 'race', NULL, 'Native Hawaiian or Pacific Islander', true),
    ('WH', 7, 'race', NULL, 'White', true),
    ('MR', 8, 'race', NULL, 'Two or more races', true),
    ('EL', 9, 'program', 1, 'English learners', true),
    ('SED', 10, 'program', 2, 'Socioeconomically disadvantaged', true),
    ('SWD', 11, 'program', 3, 'Students with disabilities', true),
    ('FOS', 12, 'program', 4, 'Foster youth', true),
    ('HOM', 13, 'program', 5, 'Homeless youth', true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.student_group', 'WHERE NOT shipped');

CREATE TABLE @extschema@.race_code (
    local_code pg_catalog.text PRIMARY KEY,
    group_code pg_catalog.text NOT NULL REFERENCES @extschema@.student_group ON UPDATE CASCADE ON DELETE CASCADE,
    shipped    pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.race_code IS
    'local race/ethnicity codes and the race group each belongs to; add a district''s own codes here';
INSERT INTO @extschema@.race_code (local_code, group_code, shipped)
SELECT g.group_code, g.group_code, true FROM @extschema@.student_group g WHERE g.kind = 'race';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.race_code', 'WHERE NOT shipped');

CREATE FUNCTION @extschema@.group_mask(race pg_catalog.text, el pg_catalog.bool, sed pg_catalog.bool,
                                       swd pg_catalog.bool, foster pg_catalog.bool, homeless pg_catalog.bool,
                                       VARIADIC extra pg_catalog.bool[] DEFAULT '{}')
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'sqii_group_mask' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.group_mask(pg_catalog.text, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool[]) IS
    'the student''s groups as a bit mask (bit = sqii.student_group.bit); NULL flags are false; an unmapped race code is an error';

CREATE FUNCTION @extschema@.groups(race pg_catalog.text, el pg_catalog.bool, sed pg_catalog.bool,
                                   swd pg_catalog.bool, foster pg_catalog.bool, homeless pg_catalog.bool,
                                   VARIADIC extra pg_catalog.bool[] DEFAULT '{}')
RETURNS pg_catalog.text[]
AS 'MODULE_PATHNAME', 'sqii_groups' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.groups(pg_catalog.text, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool, pg_catalog.bool[]) IS
    'the student''s group codes (for GROUP BY school, unnest(groups))';

CREATE FUNCTION @extschema@.tally_by_group_bool_accum(pg_catalog.internal, pg_catalog.int8, pg_catalog.bool)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_by_group_bool_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_by_group_float8_accum(pg_catalog.internal, pg_catalog.int8, pg_catalog.float8)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_by_group_float8_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_by_group_combine(pg_catalog.internal, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_by_group_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_by_group_serialize(pg_catalog.internal) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'tally_by_group_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_by_group_deserialize(pg_catalog.bytea, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_by_group_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_by_group_final(pg_catalog.internal) RETURNS @extschema@.tally[]
    AS 'MODULE_PATHNAME', 'tally_by_group_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tally_by_group_bool_accum(pg_catalog.internal, pg_catalog.int8, pg_catalog.bool) IS 'transition function of sqii.tally_by_group(bigint, boolean)';
COMMENT ON FUNCTION @extschema@.tally_by_group_float8_accum(pg_catalog.internal, pg_catalog.int8, pg_catalog.float8) IS 'transition function of sqii.tally_by_group(bigint, double precision)';
COMMENT ON FUNCTION @extschema@.tally_by_group_combine(pg_catalog.internal, pg_catalog.internal) IS 'combine function of sqii.tally_by_group';
COMMENT ON FUNCTION @extschema@.tally_by_group_serialize(pg_catalog.internal) IS 'serialize function of sqii.tally_by_group';
COMMENT ON FUNCTION @extschema@.tally_by_group_deserialize(pg_catalog.bytea, pg_catalog.internal) IS 'deserialize function of sqii.tally_by_group';
COMMENT ON FUNCTION @extschema@.tally_by_group_final(pg_catalog.internal) IS 'final function of sqii.tally_by_group';

CREATE AGGREGATE @extschema@.tally_by_group(groups pg_catalog.int8, met pg_catalog.bool) (
    SFUNC = @extschema@.tally_by_group_bool_accum, STYPE = pg_catalog.internal, SSPACE = 700,
    FINALFUNC = @extschema@.tally_by_group_final,
    COMBINEFUNC = @extschema@.tally_by_group_combine,
    SERIALFUNC = @extschema@.tally_by_group_serialize, DESERIALFUNC = @extschema@.tally_by_group_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.tally_by_group(pg_catalog.int8, pg_catalog.bool) IS
    'one pass over the students: the tally of every group in the mask, as sqii.tally[] indexed by bit + 1 (read with sqii.group_tallies)';
CREATE AGGREGATE @extschema@.tally_by_group(groups pg_catalog.int8, x pg_catalog.float8) (
    SFUNC = @extschema@.tally_by_group_float8_accum, STYPE = pg_catalog.internal, SSPACE = 700,
    FINALFUNC = @extschema@.tally_by_group_final,
    COMBINEFUNC = @extschema@.tally_by_group_combine,
    SERIALFUNC = @extschema@.tally_by_group_serialize, DESERIALFUNC = @extschema@.tally_by_group_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.tally_by_group(pg_catalog.int8, pg_catalog.float8) IS
    'one pass over the students: the tally of every group in the mask for a numeric value, as sqii.tally[] indexed by bit + 1';

CREATE FUNCTION @extschema@.tallies_by_group_accum(pg_catalog.internal, pg_catalog.int8, VARIADIC "any")
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tallies_by_group_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tallies_by_group_final(pg_catalog.internal) RETURNS @extschema@.tally[]
    AS 'MODULE_PATHNAME', 'tallies_by_group_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tallies_by_group_accum(pg_catalog.internal, pg_catalog.int8, VARIADIC "any") IS 'transition function of sqii.tallies_by_group';
COMMENT ON FUNCTION @extschema@.tallies_by_group_final(pg_catalog.internal) IS 'final function of sqii.tallies_by_group';

-- Several indicators in one aggregate: PostgreSQL calls one transition
-- function per row instead of one per indicator.
CREATE AGGREGATE @extschema@.tallies_by_group(groups pg_catalog.int8, VARIADIC "values" "any") (
    SFUNC = @extschema@.tallies_by_group_accum, STYPE = pg_catalog.internal, SSPACE = 4000,
    FINALFUNC = @extschema@.tallies_by_group_final,
    COMBINEFUNC = @extschema@.tally_by_group_combine,
    SERIALFUNC = @extschema@.tally_by_group_serialize, DESERIALFUNC = @extschema@.tally_by_group_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.tallies_by_group(pg_catalog.int8, "any") IS
    'one pass over the students for several indicators at once (boolean: met or not; numbers: a measure): sqii.tally[group bit + 1][value position] (read with sqii.group_tally_rows)';

CREATE FUNCTION @extschema@.group_tallies(tallies @extschema@.tally[])
RETURNS TABLE (group_code pg_catalog.text, tally @extschema@.tally)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT g.group_code, t.tally
    FROM pg_catalog.unnest(tallies) WITH ORDINALITY AS t(tally, i)
    JOIN @extschema@.student_group g ON g.bit OPERATOR(pg_catalog.=) (t.i OPERATOR(pg_catalog.-) 1)
    WHERE t.tally IS NOT NULL
    ORDER BY g.bit;
END;
COMMENT ON FUNCTION @extschema@.group_tallies(@extschema@.tally[]) IS
    'the result of sqii.tally_by_group as rows (group_code, tally), one per group with students';

CREATE FUNCTION @extschema@.group_tally_rows(tallies @extschema@.tally[])
RETURNS TABLE (group_code pg_catalog.text, tallies @extschema@.tally[])
AS 'MODULE_PATHNAME', 'sqii_group_tally_rows'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 14;
COMMENT ON FUNCTION @extschema@.group_tally_rows(@extschema@.tally[]) IS
    'the result of sqii.tallies_by_group (or sqii.tally_by_group) as rows (group_code, tallies), tallies[i] being the i-th value''s tally; one row per group with a value';
