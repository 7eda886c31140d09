-- sqii install script, assembled by the Makefile from sql/*.sql (one file per
-- concept).  Edit those files, not the assembled script.
\echo Use "CREATE EXTENSION sqii" to load this file. \quit
-- Tallies: the type, its aggregates and readers.

-- The tally type: (n, sum, sumsq) of one indicator cell.
CREATE TYPE @extschema@.tally;

CREATE FUNCTION @extschema@.tally_in(pg_catalog.cstring) RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'tally_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_out(@extschema@.tally) RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'tally_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_recv(pg_catalog.internal) RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'tally_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_send(@extschema@.tally) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'tally_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.tally (
    INPUT = @extschema@.tally_in,
    OUTPUT = @extschema@.tally_out,
    RECEIVE = @extschema@.tally_recv,
    SEND = @extschema@.tally_send,
    INTERNALLENGTH = 24,
    ALIGNMENT = double,
    STORAGE = plain
);
-- The array type is not made a member of the extension by CREATE TYPE (it
-- depends on tally instead).  As a member, postgres_fdw ships expressions of
-- type tally[] (the one-pass aggregates) to servers declared with extensions
-- 'sqii'; it is dropped with the extension as before.
ALTER EXTENSION sqii ADD TYPE @extschema@.tally[];
COMMENT ON TYPE @extschema@.tally[] IS
    'array of sqii.tally: the result of the one-pass aggregates, element [group bit + 1] (or [bit + 1][value])';

COMMENT ON TYPE @extschema@.tally IS
    'summary of one indicator cell: n non-NULL student values, their sum and sum of squares; merge with sqii.merge';
COMMENT ON FUNCTION @extschema@.tally_in(pg_catalog.cstring) IS 'text input of sqii.tally: (n,sum,sumsq)';
COMMENT ON FUNCTION @extschema@.tally_out(@extschema@.tally) IS 'text output of sqii.tally, exact shortest form';
COMMENT ON FUNCTION @extschema@.tally_recv(pg_catalog.internal) IS 'binary input of sqii.tally';
COMMENT ON FUNCTION @extschema@.tally_send(@extschema@.tally) IS 'binary output of sqii.tally';

-- Construction and readers.
CREATE FUNCTION @extschema@.make_tally(n pg_catalog.int8, sum pg_catalog.float8, sumsq pg_catalog.float8)
    RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'tally_make' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.make_tally(pg_catalog.int8, pg_catalog.float8, pg_catalog.float8) IS
    'build a tally from n, sum and sum of squares (validated)';

CREATE FUNCTION @extschema@.n(t @extschema@.tally) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'tally_n' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.n(@extschema@.tally) IS 'number of non-NULL student values in the tally';

CREATE FUNCTION @extschema@.sum(t @extschema@.tally) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'tally_sum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sum(@extschema@.tally) IS
    'sum of the tally''s values (the number of true values for a boolean tally)';

CREATE FUNCTION @extschema@.sumsq(t @extschema@.tally) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'tally_sumsq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.sumsq(@extschema@.tally) IS 'sum of the squares of the tally''s values';

CREATE FUNCTION @extschema@.pct(t @extschema@.tally, min_n pg_catalog.int4) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'tally_pct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pct(@extschema@.tally, pg_catalog.int4) IS
    'percent of true values (0-100) of a boolean tally; NULL when n < min_n or n = 0';

CREATE FUNCTION @extschema@.mean(t @extschema@.tally, min_n pg_catalog.int4) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'tally_mean' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.mean(@extschema@.tally, pg_catalog.int4) IS
    'mean of the tally''s values; NULL when n < min_n or n = 0';

CREATE FUNCTION @extschema@.se(t @extschema@.tally, min_n pg_catalog.int4) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'tally_se' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.se(@extschema@.tally, pg_catalog.int4) IS
    'standard error of the mean, sqrt(s^2/n) with the sample variance s^2; NULL when n < min_n or n < 2';

CREATE FUNCTION @extschema@.pct_se(t @extschema@.tally, min_n pg_catalog.int4) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'tally_pct_se' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.pct_se(@extschema@.tally, pg_catalog.int4) IS
    'standard error of a boolean tally''s percent, in percentage points; NULL when n < min_n or n < 2';

-- Aggregate support: one transition state shared by every aggregate below.
CREATE FUNCTION @extschema@.tally_bool_accum(pg_catalog.internal, pg_catalog.bool)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_bool_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_float8_accum(pg_catalog.internal, pg_catalog.float8)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_float8_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_merge_accum(pg_catalog.internal, @extschema@.tally)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_merge_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.pct_bool_accum(pg_catalog.internal, pg_catalog.bool, pg_catalog.int4)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'pct_bool_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.mean_float8_accum(pg_catalog.internal, pg_catalog.float8, pg_catalog.int4)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'mean_float8_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_combine(pg_catalog.internal, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_serialize(pg_catalog.internal) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'tally_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_deserialize(pg_catalog.bytea, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'tally_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_final(pg_catalog.internal) RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'tally_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.pct_final(pg_catalog.internal) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'pct_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.mean_final(pg_catalog.internal) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'mean_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.tally_bool_accum(pg_catalog.internal, pg_catalog.bool) IS 'transition function of sqii.tally(boolean)';
COMMENT ON FUNCTION @extschema@.tally_float8_accum(pg_catalog.internal, pg_catalog.float8) IS 'transition function of sqii.tally(double precision)';
COMMENT ON FUNCTION @extschema@.tally_merge_accum(pg_catalog.internal, @extschema@.tally) IS 'transition function of sqii.merge(sqii.tally)';
COMMENT ON FUNCTION @extschema@.pct_bool_accum(pg_catalog.internal, pg_catalog.bool, pg_catalog.int4) IS 'transition function of sqii.pct(boolean, integer)';
COMMENT ON FUNCTION @extschema@.mean_float8_accum(pg_catalog.internal, pg_catalog.float8, pg_catalog.int4) IS 'transition function of sqii.mean(double precision, integer)';
COMMENT ON FUNCTION @extschema@.tally_combine(pg_catalog.internal, pg_catalog.internal) IS 'combine function of the sqii tally aggregates';
COMMENT ON FUNCTION @extschema@.tally_serialize(pg_catalog.internal) IS 'serialize function of the sqii tally aggregates';
COMMENT ON FUNCTION @extschema@.tally_deserialize(pg_catalog.bytea, pg_catalog.internal) IS 'deserialize function of the sqii tally aggregates';
COMMENT ON FUNCTION @extschema@.tally_final(pg_catalog.internal) IS 'final function of sqii.tally and sqii.merge';
COMMENT ON FUNCTION @extschema@.pct_final(pg_catalog.internal) IS 'final function of sqii.pct(boolean, integer)';
COMMENT ON FUNCTION @extschema@.mean_final(pg_catalog.internal) IS 'final function of sqii.mean(double precision, integer)';

CREATE AGGREGATE @extschema@.tally(met pg_catalog.bool) (
    SFUNC = @extschema@.tally_bool_accum, STYPE = pg_catalog.internal, SSPACE = 48,
    FINALFUNC = @extschema@.tally_final,
    COMBINEFUNC = @extschema@.tally_combine,
    SERIALFUNC = @extschema@.tally_serialize, DESERIALFUNC = @extschema@.tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.tally(pg_catalog.bool) IS
    'tally of true (1) / false (0) student values; NULLs are not eligible; no non-NULL rows gives NULL';

CREATE AGGREGATE @extschema@.tally(x pg_catalog.float8) (
    SFUNC = @extschema@.tally_float8_accum, STYPE = pg_catalog.internal, SSPACE = 48,
    FINALFUNC = @extschema@.tally_final,
    COMBINEFUNC = @extschema@.tally_combine,
    SERIALFUNC = @extschema@.tally_serialize, DESERIALFUNC = @extschema@.tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.tally(pg_catalog.float8) IS
    'tally of numeric student values; NULLs are not eligible; NaN or infinity is an error; no non-NULL rows gives NULL';

CREATE AGGREGATE @extschema@.merge(t @extschema@.tally) (
    SFUNC = @extschema@.tally_merge_accum, STYPE = pg_catalog.internal, SSPACE = 48,
    FINALFUNC = @extschema@.tally_final,
    COMBINEFUNC = @extschema@.tally_combine,
    SERIALFUNC = @extschema@.tally_serialize, DESERIALFUNC = @extschema@.tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.merge(@extschema@.tally) IS
    'sum of tallies (school to district to state); NULLs skipped; no non-NULL rows gives NULL';

CREATE AGGREGATE @extschema@.pct(met pg_catalog.bool, min_n pg_catalog.int4) (
    SFUNC = @extschema@.pct_bool_accum, STYPE = pg_catalog.internal, SSPACE = 48,
    FINALFUNC = @extschema@.pct_final,
    COMBINEFUNC = @extschema@.tally_combine,
    SERIALFUNC = @extschema@.tally_serialize, DESERIALFUNC = @extschema@.tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.pct(pg_catalog.bool, pg_catalog.int4) IS
    'percent of true values among non-NULL rows, NULL when fewer than min_n; equals sqii.pct(sqii.tally(met), min_n)';

CREATE AGGREGATE @extschema@.mean(x pg_catalog.float8, min_n pg_catalog.int4) (
    SFUNC = @extschema@.mean_float8_accum, STYPE = pg_catalog.internal, SSPACE = 48,
    FINALFUNC = @extschema@.mean_final,
    COMBINEFUNC = @extschema@.tally_combine,
    SERIALFUNC = @extschema@.tally_serialize, DESERIALFUNC = @extschema@.tally_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.mean(pg_catalog.float8, pg_catalog.int4) IS
    'mean of non-NULL values, NULL when fewer than min_n; equals sqii.mean(sqii.tally(x), min_n)';

-- Equality and ordering, so tallies work in GROUP BY, DISTINCT, UNION and
-- ORDER BY.  The order (n, then sum, then sum of squares) is not a ranking.
CREATE FUNCTION @extschema@.tally_cmp(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'tally_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_eq(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'tally_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_ne(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'tally_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_lt(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'tally_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_le(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'tally_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_gt(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'tally_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_ge(@extschema@.tally, @extschema@.tally) RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'tally_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tally_hash(@extschema@.tally) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'tally_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tally_cmp(@extschema@.tally, @extschema@.tally) IS 'btree comparison of tallies: n, then sum, then sumsq';
COMMENT ON FUNCTION @extschema@.tally_eq(@extschema@.tally, @extschema@.tally) IS 'tallies equal in n, sum and sumsq';
COMMENT ON FUNCTION @extschema@.tally_ne(@extschema@.tally, @extschema@.tally) IS 'tallies differ';
COMMENT ON FUNCTION @extschema@.tally_lt(@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON FUNCTION @extschema@.tally_le(@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON FUNCTION @extschema@.tally_gt(@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON FUNCTION @extschema@.tally_ge(@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON FUNCTION @extschema@.tally_hash(@extschema@.tally) IS 'hash of a tally, consistent with =';

CREATE OPERATOR @extschema@.= (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.tally_eq,
    COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR @extschema@.<> (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.tally_ne,
    COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR @extschema@.< (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.tally_lt,
    COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR @extschema@.<= (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.tally_le,
    COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR @extschema@.> (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.tally_gt,
    COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
CREATE OPERATOR @extschema@.>= (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.tally_ge,
    COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.tally, @extschema@.tally) IS 'tallies equal in n, sum and sumsq';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.tally, @extschema@.tally) IS 'tallies differ';
COMMENT ON OPERATOR @extschema@.< (@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON OPERATOR @extschema@.> (@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.tally, @extschema@.tally) IS 'tally ordering (n, sum, sumsq)';

CREATE OPERATOR CLASS @extschema@.tally_ops DEFAULT FOR TYPE @extschema@.tally USING btree AS
    OPERATOR 1 @extschema@.<, OPERATOR 2 @extschema@.<=, OPERATOR 3 @extschema@.=,
    OPERATOR 4 @extschema@.>=, OPERATOR 5 @extschema@.>,
    FUNCTION 1 @extschema@.tally_cmp(@extschema@.tally, @extschema@.tally);
CREATE OPERATOR CLASS @extschema@.tally_hash_ops DEFAULT FOR TYPE @extschema@.tally USING hash AS
    OPERATOR 1 @extschema@.=,
    FUNCTION 1 @extschema@.tally_hash(@extschema@.tally);
COMMENT ON OPERATOR CLASS @extschema@.tally_ops USING btree IS 'btree operator class of sqii.tally (n, sum, sumsq)';
COMMENT ON OPERATOR CLASS @extschema@.tally_hash_ops USING hash IS 'hash operator class of sqii.tally';
COMMENT ON OPERATOR FAMILY @extschema@.tally_ops USING btree IS 'btree operator family of sqii.tally';
COMMENT ON OPERATOR FAMILY @extschema@.tally_hash_ops USING hash IS 'hash operator family of sqii.tally';

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

-- Distance from standard, gaps, and California School Dashboard levels and colors.

-- Tally arithmetic: a + b (both groups) and total - part (the complement).
-- The operators are found with sqii on the search_path, or as OPERATOR(sqii.-).
CREATE FUNCTION @extschema@.tally_add(a @extschema@.tally, b @extschema@.tally) RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'tally_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tally_add(@extschema@.tally, @extschema@.tally) IS
    'the tally of both sets of students (a + b)';
CREATE FUNCTION @extschema@.complement(total @extschema@.tally, part @extschema@.tally) RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'tally_sub' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.complement(@extschema@.tally, @extschema@.tally) IS
    'the tally of the students in total but not in part (total - part); error when part is not contained';
CREATE OPERATOR @extschema@.+ (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally,
    FUNCTION = @extschema@.tally_add, COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.tally, @extschema@.tally) IS 'tally of both sets of students';
CREATE OPERATOR @extschema@.- (
    LEFTARG = @extschema@.tally, RIGHTARG = @extschema@.tally, FUNCTION = @extschema@.complement
);
COMMENT ON OPERATOR @extschema@.- (@extschema@.tally, @extschema@.tally) IS
    'complement: the students of the left tally not in the right one';

-- Gaps: a group's value minus a reference value, both read with min_n.  The
-- reference is a named group's tally, or the complement (all - group).
CREATE FUNCTION @extschema@.pct_gap(grp @extschema@.tally, reference @extschema@.tally, min_n pg_catalog.int4)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT @extschema@.pct(grp, min_n) OPERATOR(pg_catalog.-) @extschema@.pct(reference, min_n);
END;
COMMENT ON FUNCTION @extschema@.pct_gap(@extschema@.tally, @extschema@.tally, pg_catalog.int4) IS
    'percentage-point gap: pct(grp) - pct(reference); NULL when either has fewer than min_n students';

CREATE FUNCTION @extschema@.mean_gap(grp @extschema@.tally, reference @extschema@.tally, min_n pg_catalog.int4)
RETURNS pg_catalog.float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT @extschema@.mean(grp, min_n) OPERATOR(pg_catalog.-) @extschema@.mean(reference, min_n);
END;
COMMENT ON FUNCTION @extschema@.mean_gap(@extschema@.tally, @extschema@.tally, pg_catalog.int4) IS
    'gap in the indicator''s units: mean(grp) - mean(reference); NULL when either has fewer than min_n students';

-- Dashboard rounding: half away from zero at the given number of decimals,
-- after reading the double at 15 significant digits so that a value such as
-- 100 * 7 / 2000 (stored as 0.34999999999999997) rounds as the 0.35 it is.
CREATE FUNCTION @extschema@.round_half_up(x pg_catalog.float8, digits pg_catalog.int4 DEFAULT 1)
RETURNS pg_catalog.numeric
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'sqii_round_half_up';
COMMENT ON FUNCTION @extschema@.round_half_up(pg_catalog.float8, pg_catalog.int4) IS
    'round half away from zero to digits decimals (dashboard rounding); NaN and infinity are errors';

-- Level 3 ("standard met") thresholds of scale scores, for distance from
-- standard.  A district adds rows for other assessments or years; rows it adds
-- are kept by pg_dump (shipped rows are recreated by CREATE EXTENSION).
CREATE TABLE @extschema@.dfs_threshold (
    assessment  pg_catalog.text NOT NULL,
    subject     pg_catalog.text NOT NULL,
    grade       pg_catalog.int4 NOT NULL,
    first_year  pg_catalog.int4 NOT NULL,
    threshold   pg_catalog.float8 NOT NULL
                CHECK (threshold OPERATOR(pg_catalog.>) '-Infinity' AND threshold OPERATOR(pg_catalog.<) 'Infinity'),
    source      pg_catalog.text,
    shipped     pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (assessment, subject, grade, first_year)
);
COMMENT ON TABLE @extschema@.dfs_threshold IS
    'scale-score threshold of the "standard met" level per assessment, subject, grade, from first_year (spring of the school year) on';
INSERT INTO @extschema@.dfs_threshold (assessment, subject, grade, first_year, threshold, source, shipped)
SELECT 'SBAC', subject, grade, 2015, threshold, 'Smarter Balanced achievement level 3 threshold, 2015 on', true
FROM (VALUES ('ela', 3, 2432), ('ela', 4, 2473), ('ela', 5, 2502), ('ela', 6, 2531),
             ('ela', 7, 2552), ('ela', 8, 2567), ('ela', 11, 2583),
             ('math', 3, 2436), ('math', 4, 2485), ('math', 5, 2528), ('math', 6, 2552),
             ('math', 7, 2567), ('math', 8, 2586), ('math', 11, 2628)) AS t(subject, grade, threshold);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dfs_threshold', 'WHERE NOT shipped');

CREATE FUNCTION @extschema@.dfs(subject pg_catalog.text, grade pg_catalog.int4, score pg_catalog.float8,
                                assessment pg_catalog.text DEFAULT 'SBAC',
                                school_year pg_catalog.int4 DEFAULT NULL)
RETURNS pg_catalog.float8
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cut float8;
BEGIN
    IF score IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT t.threshold INTO cut
    FROM @extschema@.dfs_threshold t
    WHERE t.assessment = dfs.assessment AND t.subject = dfs.subject AND t.grade = dfs.grade
      AND (dfs.school_year IS NULL OR t.first_year <= dfs.school_year)
    ORDER BY t.first_year DESC
    LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'no distance-from-standard threshold for this assessment, subject and grade',
            DETAIL = format('Assessment %s, subject %s, grade %s, school year %s.',
                            dfs.assessment, dfs.subject, dfs.grade, coalesce(dfs.school_year::text, 'any')),
            HINT = 'Add the threshold to sqii.dfs_threshold.';
    END IF;
    -- NaN is equal to itself in PostgreSQL, and sorts above Infinity.
    IF NOT (score > '-Infinity' AND score < 'Infinity') THEN
        RAISE EXCEPTION USING ERRCODE = 'data_exception',
            MESSAGE = 'sqii.dfs needs a finite scale score',
            HINT = 'Use NULL for a student without a score.';
    END IF;
    RETURN score - cut;
END
$$;
COMMENT ON FUNCTION @extschema@.dfs(pg_catalog.text, pg_catalog.int4, pg_catalog.float8, pg_catalog.text, pg_catalog.int4) IS
    'distance from standard: scale score minus the grade''s level 3 threshold from sqii.dfs_threshold (NULL score gives NULL)';

-- Dashboard indicators, their cut points and the color grid.  Levels are
-- numbered by value: status 1 = Very Low ... 5 = Very High, change 1 =
-- Declined Significantly ... 5 = Increased Significantly.  Whether high is
-- good is the indicator's direction; the color grid is read by performance.
CREATE TABLE @extschema@.dashboard_indicator (
    indicator        pg_catalog.text PRIMARY KEY,
    description      pg_catalog.text NOT NULL,
    measure          pg_catalog.text NOT NULL CHECK (measure IN ('pct', 'mean')),
    higher_is_better pg_catalog.bool NOT NULL,
    grid             pg_catalog.text NOT NULL,
    small_grid       pg_catalog.text,
    small_grid_below pg_catalog.int4,
    source           pg_catalog.text NOT NULL,
    shipped          pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.dashboard_indicator IS
    'California School Dashboard indicators: measure (pct of a boolean tally or mean), direction, color grid, the reduced grid used under small_grid_below students, and the source of the cut points';

CREATE TABLE @extschema@.dashboard_cut (
    indicator   pg_catalog.text NOT NULL REFERENCES @extschema@.dashboard_indicator ON UPDATE CASCADE ON DELETE CASCADE,
    kind        pg_catalog.text NOT NULL CHECK (kind IN ('status', 'change')),
    level       pg_catalog.int4 NOT NULL CHECK (level BETWEEN 2 AND 5),
    lower_bound pg_catalog.numeric NOT NULL,
    shipped     pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (indicator, kind, level)
);
COMMENT ON TABLE @extschema@.dashboard_cut IS
    'lower bounds of levels 2-5: a value rounded to 0.1 is at the highest level whose lower_bound it reaches (>=)';

CREATE TABLE @extschema@.dashboard_color_grid (
    grid          pg_catalog.text NOT NULL,
    status_rank   pg_catalog.int4 NOT NULL CHECK (status_rank BETWEEN 1 AND 5),
    change_rank   pg_catalog.int4 NOT NULL CHECK (change_rank BETWEEN 1 AND 5),
    color         pg_catalog.text NOT NULL CHECK (color IN ('red', 'orange', 'yellow', 'green', 'blue')),
    shipped       pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (grid, status_rank, change_rank)
);
COMMENT ON TABLE @extschema@.dashboard_color_grid IS
    'the 5x5 performance grid by rank (5 = best status / best change, whatever the indicator''s direction)';

-- Shipped tables.  Sources, as far as they could be confirmed (see README):
-- ELA/math status cuts: 2018 Dashboard, checked against CDE's published 2018
-- status levels of 9,801 schools (test/sql/dashboard_oracle.sql); their
-- change cuts (3 and 15 points) and color grid: Fall 2017 Dashboard.
-- Chronic absenteeism: 2018 Dashboard five-by-five table.  Suspension:
-- unified districts and K-12 schools 2018, elementary schools Fall 2017,
-- elementary districts 2017 and 2019 (same values).  Graduation: Fall 2017.
INSERT INTO @extschema@.dashboard_indicator
    (indicator, description, measure, higher_is_better, grid, small_grid, small_grid_below, source, shipped) VALUES
    ('ela_3_8', 'ELA distance from standard, grades 3-8 (and K-12 schools, unified districts)', 'mean', true,
     'academic', NULL, NULL, '2018 Dashboard status cuts; Fall 2017 change cuts and grid', true),
    ('ela_hs', 'ELA distance from standard, grade 11 (high schools)', 'mean', true,
     'academic', NULL, NULL, '2018 Dashboard status cuts; Fall 2017 change cuts and grid', true),
    ('math_3_8', 'Mathematics distance from standard, grades 3-8', 'mean', true,
     'academic', NULL, NULL, '2018 Dashboard status cuts; Fall 2017 change cuts and grid', true),
    ('math_hs', 'Mathematics distance from standard, grade 11 (high schools)', 'mean', true,
     'academic', NULL, NULL, '2018 Dashboard status cuts; Fall 2017 change cuts and grid', true),
    ('chronic_absenteeism', 'Chronic absenteeism rate, grades K-8', 'pct', false,
     'standard', NULL, NULL, '2018 Dashboard', true),
    ('suspension_es', 'Suspension rate, elementary schools', 'pct', false,
     'standard', 'safety_net', 150, 'Fall 2017 Dashboard', true),
    ('suspension_ed', 'Suspension rate, elementary school districts', 'pct', false,
     'standard', 'safety_net', 150, 'Fall 2017 and 2019 Dashboards (identical)', true),
    ('suspension_ud', 'Suspension rate, unified districts and K-12 schools', 'pct', false,
     'standard', 'safety_net', 150, '2018 Dashboard', true),
    ('graduation', 'Four-year cohort graduation rate', 'pct', true,
     'standard', 'safety_net', 150, 'Fall 2017 Dashboard', true);

-- Lower bounds on the 0.1 grid the rounded values live on: "more than 2.5%"
-- is >= 2.6, "declined by less than 0.5" is >= -0.4.
INSERT INTO @extschema@.dashboard_cut (indicator, kind, level, lower_bound, shipped)
SELECT c.indicator, c.kind, l.level, l.bound, true
FROM (VALUES
    ('ela_3_8',  'status', ARRAY[-70, -5, 10, 45]::numeric[]),
    ('ela_hs',   'status', ARRAY[-45, 0, 30, 75]::numeric[]),
    ('math_3_8', 'status', ARRAY[-95, -25, 0, 35]::numeric[]),
    ('math_hs',  'status', ARRAY[-115, -60, 0, 25]::numeric[]),
    ('ela_3_8',  'change', ARRAY[-15, -2.9, 3, 15]::numeric[]),
    ('ela_hs',   'change', ARRAY[-15, -2.9, 3, 15]::numeric[]),
    ('math_3_8', 'change', ARRAY[-15, -2.9, 3, 15]::numeric[]),
    ('math_hs',  'change', ARRAY[-15, -2.9, 3, 15]::numeric[]),
    ('chronic_absenteeism', 'status', ARRAY[2.6, 5.1, 10.1, 20.1]::numeric[]),
    ('chronic_absenteeism', 'change', ARRAY[-2.9, -0.4, 0.5, 3.0]::numeric[]),
    ('suspension_es', 'status', ARRAY[0.6, 1.1, 3.1, 6.1]::numeric[]),
    ('suspension_es', 'change', ARRAY[-0.9, -0.2, 0.3, 2.1]::numeric[]),
    ('suspension_ed', 'status', ARRAY[0.6, 1.6, 3.1, 6.1]::numeric[]),
    ('suspension_ed', 'change', ARRAY[-1.9, -0.2, 0.3, 2.1]::numeric[]),
    ('suspension_ud', 'status', ARRAY[1.1, 2.6, 4.6, 8.1]::numeric[]),
    ('suspension_ud', 'change', ARRAY[-1.9, -0.2, 0.3, 2.1]::numeric[]),
    ('graduation', 'status', ARRAY[67.0, 85.0, 90.0, 95.0]::numeric[]),
    ('graduation', 'change', ARRAY[-5.0, -0.9, 1.0, 5.0]::numeric[])
) AS c(indicator, kind, bounds)
CROSS JOIN LATERAL (SELECT o.i OPERATOR(pg_catalog.+) 1 AS level, o.bound
                    FROM pg_catalog.unnest(c.bounds) WITH ORDINALITY AS o(bound, i)) AS l;

-- Grids by rank (5 = best): rows are status ranks 5..1, columns change ranks
-- 1..5.  "standard": the dashboard's 5x5 table.  "academic": the ELA/math
-- table adopted for Fall 2017.  "safety_net": populations under 150, where
-- the extreme change levels count as the moderate ones (the 3x5 table).
INSERT INTO @extschema@.dashboard_color_grid (grid, status_rank, change_rank, color, shipped)
SELECT g.grid, 6 OPERATOR(pg_catalog.-) r.i, c.i, c.color, true
FROM (VALUES
    ('standard', ARRAY['yellow,green,blue,blue,blue', 'orange,yellow,green,green,blue',
                       'orange,orange,yellow,green,green', 'red,orange,orange,yellow,yellow',
                       'red,red,red,orange,yellow']),
    ('academic', ARRAY['green,green,blue,blue,blue', 'green,green,green,green,blue',
                       'yellow,yellow,yellow,green,green', 'orange,orange,orange,yellow,yellow',
                       'red,red,red,orange,orange']),
    ('safety_net', ARRAY['green,green,blue,blue,blue', 'yellow,yellow,green,green,green',
                         'orange,orange,yellow,green,green', 'orange,orange,orange,yellow,yellow',
                         'red,red,red,orange,orange'])
) AS g(grid, rows_best_first)
CROSS JOIN LATERAL pg_catalog.unnest(g.rows_best_first) WITH ORDINALITY AS r(row_colors, i)
CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.string_to_array(r.row_colors, ',')) WITH ORDINALITY AS c(color, i);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dashboard_indicator', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dashboard_cut', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dashboard_color_grid', 'WHERE NOT shipped');

-- The level of a value rounded to 0.1: 1 + the number of lower bounds reached.
CREATE FUNCTION @extschema@.dashboard_level(indicator pg_catalog.text, kind pg_catalog.text, value pg_catalog.float8)
RETURNS pg_catalog.int4
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rounded numeric := @extschema@.round_half_up(value, 1);
    cuts int;
    reached int;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE c.lower_bound <= rounded) INTO cuts, reached
    FROM @extschema@.dashboard_cut c
    WHERE c.indicator = dashboard_level.indicator AND c.kind = dashboard_level.kind;
    IF cuts <> 4 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('dashboard indicator %L has no complete %s cut table', indicator, kind),
            DETAIL = format('Found %s of the 4 lower bounds (levels 2-5).', cuts),
            HINT = 'See sqii.dashboard_indicator and sqii.dashboard_cut.';
    END IF;
    RETURN 1 + reached;
END
$$;
COMMENT ON FUNCTION @extschema@.dashboard_level(pg_catalog.text, pg_catalog.text, pg_catalog.float8) IS
    'status or change level 1-5 of a value (rounded half up to 0.1) against the indicator''s cut table';

CREATE FUNCTION @extschema@.dashboard_level_name(kind pg_catalog.text, level pg_catalog.int4)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE kind
        WHEN 'status' THEN (ARRAY['Very Low', 'Low', 'Medium', 'High', 'Very High'])[level]
        WHEN 'change' THEN (ARRAY['Declined Significantly', 'Declined', 'Maintained', 'Increased',
                                  'Increased Significantly'])[level]
    END;
END;
COMMENT ON FUNCTION @extschema@.dashboard_level_name(pg_catalog.text, pg_catalog.int4) IS
    'the dashboard''s name of a status or change level (NULL for anything else)';

CREATE TYPE @extschema@.dashboard_result AS (
    n            pg_catalog.int8,
    status       pg_catalog.numeric,
    status_level pg_catalog.int4,
    change       pg_catalog.numeric,
    change_level pg_catalog.int4,
    color        pg_catalog.text,
    grid         pg_catalog.text
);
COMMENT ON TYPE @extschema@.dashboard_result IS
    'one dashboard cell: n, status and change (rounded to 0.1), their levels, and the color with the grid it came from';

-- One dashboard cell from this year's and last year's tallies.  Status and
-- change come from unrounded values (change = current - prior, both
-- unrounded) and are rounded half up to 0.1 only for the levels and display.
-- Cells under min_report students are not reported at all; a color needs
-- min_n students (the accountability n-size) and a change.
CREATE FUNCTION @extschema@.dashboard(indicator pg_catalog.text, current @extschema@.tally,
                                      prior @extschema@.tally DEFAULT NULL,
                                      min_n pg_catalog.int4 DEFAULT 30, min_report pg_catalog.int4 DEFAULT 11)
RETURNS @extschema@.dashboard_result
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ind @extschema@.dashboard_indicator;
    cur float8;
    pri float8;
    r @extschema@.dashboard_result;
BEGIN
    SELECT * INTO ind FROM @extschema@.dashboard_indicator d WHERE d.indicator = dashboard.indicator;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('unknown dashboard indicator %L', indicator),
            HINT = 'The indicators are listed in sqii.dashboard_indicator.';
    END IF;
    IF min_report IS NULL OR min_n IS NULL OR min_report < 1 OR min_n < min_report THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'dashboard n-sizes must satisfy 1 <= min_report <= min_n',
            HINT = 'The dashboard reports cells of 11 or more students and colors those of 30 or more.';
    END IF;
    IF current IS NULL OR @extschema@.n(current) < min_report THEN
        RETURN r;
    END IF;
    r.n := @extschema@.n(current);
    cur := CASE ind.measure WHEN 'pct' THEN @extschema@.pct(current, 0) ELSE @extschema@.mean(current, 0) END;
    r.status := @extschema@.round_half_up(cur, 1);
    r.status_level := @extschema@.dashboard_level(indicator, 'status', cur);
    IF prior IS NOT NULL AND @extschema@.n(prior) >= min_report THEN
        pri := CASE ind.measure WHEN 'pct' THEN @extschema@.pct(prior, 0) ELSE @extschema@.mean(prior, 0) END;
        r.change := @extschema@.round_half_up(cur - pri, 1);
        r.change_level := @extschema@.dashboard_level(indicator, 'change', cur - pri);
    END IF;
    IF r.n >= min_n AND r.change_level IS NOT NULL THEN
        r.grid := CASE WHEN r.n < ind.small_grid_below THEN ind.small_grid ELSE ind.grid END;
        SELECT g.color INTO r.color
        FROM @extschema@.dashboard_color_grid g
        WHERE g.grid = r.grid
          AND g.status_rank = CASE WHEN ind.higher_is_better THEN r.status_level ELSE 6 - r.status_level END
          AND g.change_rank = CASE WHEN ind.higher_is_better THEN r.change_level ELSE 6 - r.change_level END;
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.dashboard(pg_catalog.text, @extschema@.tally, @extschema@.tally, pg_catalog.int4, pg_catalog.int4) IS
    'California School Dashboard cell: status, change, their levels and the color, from this and last year''s tallies';

-- Index levels: baseline cut points and the level of a value.

CREATE FUNCTION @extschema@.cutpoints_accum(pg_catalog.internal, pg_catalog.float8) RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'cutpoints_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cutpoints_accum(pg_catalog.internal, pg_catalog.float8) IS
    'transition function of sqii.cutpoints';
CREATE FUNCTION @extschema@.cutpoints_final(pg_catalog.internal, pg_catalog.int4) RETURNS pg_catalog.float8[]
    AS 'MODULE_PATHNAME', 'cutpoints_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cutpoints_final(pg_catalog.internal, pg_catalog.int4) IS
    'final function of sqii.cutpoints';

-- An ordered-set aggregate: PostgreSQL runs these without partial
-- aggregation (no combine function is possible), in the leader or in one
-- worker; the values are collected and sorted once.
CREATE AGGREGATE @extschema@.cutpoints(levels pg_catalog.int4 ORDER BY value pg_catalog.float8) (
    SFUNC = @extschema@.cutpoints_accum, STYPE = pg_catalog.internal,
    FINALFUNC = @extschema@.cutpoints_final,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cutpoints(pg_catalog.int4 ORDER BY pg_catalog.float8) IS
    'the levels-1 cut points of a baseline distribution: percentile_cont(k / levels), k = 1 .. levels-1; NULL values skipped';

CREATE FUNCTION @extschema@.level(value pg_catalog.float8, cuts pg_catalog.float8[], higher_is_better pg_catalog.bool)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'sqii_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.level(pg_catalog.float8, pg_catalog.float8[], pg_catalog.bool) IS
    'level 1 .. cardinality(cuts)+1 of a value; lower-is-better mirrors the scale; a value on a cut earns the better level';

CREATE FUNCTION @extschema@.growth_level(percentile pg_catalog.float8) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'sqii_growth_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.growth_level(pg_catalog.float8) IS
    'level of a 0-100 growth percentile by tens: 0-9 -> 1 ... 90-100 -> 10';

-- The School Quality Improvement Index: models in tables, the index aggregate
-- and its explanation.  One function computes the explanation; the index is
-- read from it, so the two cannot disagree.

CREATE TABLE @extschema@.model (
    model       pg_catalog.text PRIMARY KEY,
    description pg_catalog.text NOT NULL,
    n_size      pg_catalog.int4 NOT NULL DEFAULT 20 CHECK (n_size >= 1),
    group_split pg_catalog.text NOT NULL DEFAULT 'half' CHECK (group_split IN ('half', 'fifths')),
    shipped     pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.model IS
    'SQII models: n-size and how an indicator''s points split between all students and subgroup categories (half: half to all students, half shared by the qualifying categories; fifths: a fifth each)';

CREATE TABLE @extschema@.model_domain (
    model   pg_catalog.text NOT NULL REFERENCES @extschema@.model ON UPDATE CASCADE ON DELETE CASCADE,
    domain  pg_catalog.text NOT NULL,
    weight  pg_catalog.float8 NOT NULL CHECK (weight > 0),
    shipped pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (model, domain)
);
COMMENT ON TABLE @extschema@.model_domain IS 'domains of a model and their weights (points out of 100)';

CREATE TABLE @extschema@.model_indicator (
    model            pg_catalog.text NOT NULL,
    indicator        pg_catalog.text NOT NULL,
    domain           pg_catalog.text NOT NULL,
    higher_is_better pg_catalog.bool NOT NULL,
    scale            pg_catalog.text NOT NULL DEFAULT 'cuts' CHECK (scale IN ('cuts', 'growth_percentile')),
    subgroups        pg_catalog.bool NOT NULL DEFAULT true,
    school_levels    pg_catalog.text[],
    shipped          pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (model, indicator),
    FOREIGN KEY (model, domain) REFERENCES @extschema@.model_domain ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.model_indicator IS
    'indicators of a model: domain, direction, scale (frozen cut points or growth percentile by tens), whether subgroups count, school levels it applies to (NULL: all)';

CREATE TABLE @extschema@.model_cut (
    model         pg_catalog.text NOT NULL,
    indicator     pg_catalog.text NOT NULL,
    school_level  pg_catalog.text NOT NULL DEFAULT '*',
    baseline_year pg_catalog.int4 NOT NULL,
    cuts          pg_catalog.float8[] NOT NULL,
    PRIMARY KEY (model, indicator, school_level),
    FOREIGN KEY (model, indicator) REFERENCES @extschema@.model_indicator ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE @extschema@.model_cut IS
    'cut points frozen from a baseline year, per indicator and optionally per school level (''*'': every level)';

INSERT INTO @extschema@.model (model, description, n_size, group_split, shipped) VALUES
    ('core-2015', 'CORE districts 2015: five elements, 20% each', 20, 'half', true),
    ('core-2016', 'CORE districts 2016-17: academic 60%, social-emotional and culture-climate 40%', 20, 'half', true);
INSERT INTO @extschema@.model_domain (model, domain, weight, shipped) VALUES
    ('core-2015', 'academic performance', 20, true),
    ('core-2015', 'academic growth', 20, true),
    ('core-2015', 'culture and climate', 20, true),
    ('core-2015', 'social-emotional skills', 20, true),
    ('core-2015', 'completion and retention', 20, true),
    ('core-2016', 'academic', 60, true),
    ('core-2016', 'social-emotional and culture-climate', 40, true);
INSERT INTO @extschema@.model_indicator
    (model, indicator, domain, higher_is_better, scale, subgroups, school_levels, shipped) VALUES
    ('core-2015', 'ela_performance', 'academic performance', true, 'cuts', true, NULL, true),
    ('core-2015', 'math_performance', 'academic performance', true, 'cuts', true, NULL, true),
    ('core-2015', 'ela_growth', 'academic growth', true, 'growth_percentile', true, NULL, true),
    ('core-2015', 'math_growth', 'academic growth', true, 'growth_percentile', true, NULL, true),
    ('core-2015', 'chronic_absenteeism', 'culture and climate', false, 'cuts', true, NULL, true),
    ('core-2015', 'suspension', 'culture and climate', false, 'cuts', true, NULL, true),
    ('core-2015', 'culture_climate_survey', 'culture and climate', true, 'cuts', true, NULL, true),
    ('core-2015', 'sel_survey', 'social-emotional skills', true, 'cuts', true, NULL, true),
    ('core-2015', 'graduation', 'completion and retention', true, 'cuts', true, '{high}', true),
    ('core-2015', 'hs_readiness', 'completion and retention', true, 'cuts', true, '{middle}', true),
    ('core-2016', 'ela_performance', 'academic', true, 'cuts', true, NULL, true),
    ('core-2016', 'math_performance', 'academic', true, 'cuts', true, NULL, true),
    ('core-2016', 'ela_growth', 'academic', true, 'growth_percentile', true, NULL, true),
    ('core-2016', 'math_growth', 'academic', true, 'growth_percentile', true, NULL, true),
    ('core-2016', 'graduation', 'academic', true, 'cuts', true, '{high}', true),
    ('core-2016', 'hs_readiness', 'academic', true, 'cuts', true, '{middle}', true),
    ('core-2016', 'chronic_absenteeism', 'social-emotional and culture-climate', false, 'cuts', true, NULL, true),
    ('core-2016', 'suspension', 'social-emotional and culture-climate', false, 'cuts', true, NULL, true),
    ('core-2016', 'el_redesignation', 'social-emotional and culture-climate', true, 'cuts', false, NULL, true),
    ('core-2016', 'sel_survey', 'social-emotional and culture-climate', true, 'cuts', true, NULL, true),
    ('core-2016', 'culture_climate_survey', 'social-emotional and culture-climate', true, 'cuts', true, NULL, true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.model', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.model_domain', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.model_indicator', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.model_cut', '');

-- Freeze cut points from a baseline: cuts from sqii.cutpoints(10) ...
CREATE FUNCTION @extschema@.freeze_cutpoints(model pg_catalog.text, indicator pg_catalog.text,
                                             baseline_year pg_catalog.int4, cuts pg_catalog.float8[],
                                             school_level pg_catalog.text DEFAULT '*')
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM @extschema@.model_indicator i
                   WHERE i.model = freeze_cutpoints.model AND i.indicator = freeze_cutpoints.indicator) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('model %L has no indicator %L', model, indicator);
    END IF;
    IF cuts IS NULL OR cardinality(cuts) <> 9 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'an index indicator needs 9 cut points (10 levels)',
            HINT = 'Use sqii.cutpoints(10) WITHIN GROUP (ORDER BY value) over the baseline year.';
    END IF;
    PERFORM @extschema@.level(0, cuts, true);     -- validates order, NULLs, NaN
    INSERT INTO @extschema@.model_cut AS c (model, indicator, school_level, baseline_year, cuts)
    VALUES (model, indicator, school_level, baseline_year, cuts)
    ON CONFLICT ON CONSTRAINT model_cut_pkey
    DO UPDATE SET baseline_year = EXCLUDED.baseline_year, cuts = EXCLUDED.cuts;
END
$$;
COMMENT ON FUNCTION @extschema@.freeze_cutpoints(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.float8[], pg_catalog.text) IS
    'store the 9 cut points of an indicator from a baseline year into a model (replacing earlier ones)';

CREATE FUNCTION @extschema@.level_band(level pg_catalog.int4) RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN level BETWEEN 1 AND 3 THEN 'below average'
                WHEN level BETWEEN 4 AND 7 THEN 'average'
                WHEN level BETWEEN 8 AND 10 THEN 'above average' END;
END;
COMMENT ON FUNCTION @extschema@.level_band(pg_catalog.int4) IS
    'band of an index level: 1-3 below average, 4-7 average, 8-10 above average';

-- One cell of a school: an indicator's value for a student group, and n.
CREATE TYPE @extschema@.index_cell AS (
    indicator  pg_catalog.text,
    group_code pg_catalog.text,
    value      pg_catalog.float8,
    n          pg_catalog.int8
);
COMMENT ON TYPE @extschema@.index_cell IS 'one indicator cell of a school for the index: indicator, group, value, n';

-- The cut points an indicator uses at a school level: the level's own, else
-- the model's cut points for every level ('*').
CREATE FUNCTION @extschema@.frozen_cuts(model pg_catalog.text, indicator pg_catalog.text,
                                        school_level pg_catalog.text)
RETURNS pg_catalog.float8[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.cuts FROM @extschema@.model_cut c
    WHERE c.model OPERATOR(pg_catalog.=) frozen_cuts.model
      AND c.indicator OPERATOR(pg_catalog.=) frozen_cuts.indicator
      AND (c.school_level OPERATOR(pg_catalog.=) frozen_cuts.school_level OR c.school_level OPERATOR(pg_catalog.=) '*')
    ORDER BY c.school_level OPERATOR(pg_catalog.=) '*'
    LIMIT 1;
END;
COMMENT ON FUNCTION @extschema@.frozen_cuts(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
    'the frozen cut points an indicator of a model uses at a school level (the level''s own, else those for every level)';

-- The explanation of one school's index: every indicator and group with n,
-- value, level, share and points, what the n-size rule dropped and where its
-- weight went.  sqii.sqii_index reads its index and coverage from here.  One
-- set-based statement does the work; the rules, in order:
--   * cells without a value or under the model's n-size are dropped;
--   * an indicator counts when its all-students cell counts;
--   * categories: the lowest race/ethnicity group (worst value for the
--     direction, then larger n, then group code), EL, SWD, SED;
--   * half split: all students 1/2, the k qualifying categories 1/(2k) each
--     (all students 1 when k = 0); fifths: 1/(1+k) each;
--   * a domain's weight is shared equally by the indicators present; a
--     domain without any gives its weight proportionally to the others;
--   * earned = weighted mean level / 10 x points; nothing is rounded.
CREATE FUNCTION @extschema@.index_explain(model pg_catalog.text, school_level pg_catalog.text,
                                          cells @extschema@.index_cell[])
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.model;
    total_weight float8;
    bad text;
    result jsonb;
BEGIN
    SELECT * INTO m FROM @extschema@.model x WHERE x.model = index_explain.model;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('unknown SQII model %L', index_explain.model),
            HINT = 'The models are listed in sqii.model.';
    END IF;
    SELECT sum(x.weight) INTO total_weight FROM @extschema@.model_domain x WHERE x.model = m.model;
    IF total_weight IS NULL OR abs(total_weight - 100) > 1e-9 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('the domain weights of model %L sum to %s, not 100', m.model, coalesce(total_weight, 0));
    END IF;
    SELECT min(x.indicator) INTO bad FROM unnest(cells) x
    WHERE NOT EXISTS (SELECT 1 FROM @extschema@.model_indicator y WHERE y.model = m.model AND y.indicator = x.indicator);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('model %L has no indicator %L', m.model, bad);
    END IF;
    SELECT format('%s / %s', x.indicator, x.group_code) INTO bad FROM unnest(cells) x
    GROUP BY x.indicator, x.group_code HAVING count(*) > 1 ORDER BY 1 LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('a school has more than one cell for %s', bad),
            HINT = 'Give the index one row per school, indicator and group.';
    END IF;
    -- Cut points are needed for the cut-based indicators the school has cells for.
    SELECT min(y.indicator) INTO bad FROM @extschema@.model_indicator y
    WHERE y.model = m.model AND y.scale = 'cuts'
      AND (y.school_levels IS NULL OR index_explain.school_level = ANY (y.school_levels))
      AND EXISTS (SELECT 1 FROM unnest(cells) x WHERE x.indicator = y.indicator)
      AND @extschema@.frozen_cuts(m.model, y.indicator, index_explain.school_level) IS NULL;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('model %L has no frozen cut points for indicator %L', m.model, bad),
            HINT = 'Freeze them from a baseline year with sqii.freeze_cutpoints().';
    END IF;

    WITH cell AS (
        SELECT x.* FROM unnest(cells) x
    ), applicable AS (
        SELECT y.*, @extschema@.frozen_cuts(m.model, y.indicator, index_explain.school_level) AS cuts
        FROM @extschema@.model_indicator y
        WHERE y.model = m.model
          AND (y.school_levels IS NULL OR index_explain.school_level = ANY (y.school_levels))
    ), eligible AS (
        SELECT c.*, a.domain, a.higher_is_better, a.scale, a.subgroups, a.cuts
        FROM cell c JOIN applicable a USING (indicator)
        WHERE c.value IS NOT NULL AND c.n >= m.n_size
    ), chosen AS (
        SELECT 'all students' AS category, e.* FROM eligible e WHERE e.group_code = 'ALL'
        UNION ALL
        (SELECT DISTINCT ON (e.indicator) 'lowest race/ethnicity', e.*
         FROM eligible e JOIN @extschema@.student_group g ON g.group_code = e.group_code AND g.kind = 'race'
         WHERE e.subgroups
         ORDER BY e.indicator, CASE WHEN e.higher_is_better THEN e.value ELSE -e.value END, e.n DESC, e.group_code)
        UNION ALL
        SELECT CASE e.group_code WHEN 'EL' THEN 'English learners' WHEN 'SWD' THEN 'students with disabilities'
                                 ELSE 'socioeconomically disadvantaged' END, e.*
        FROM eligible e WHERE e.subgroups AND e.group_code IN ('EL', 'SWD', 'SED')
    ), leveled AS (
        SELECT ch.*,
               CASE WHEN ch.scale = 'growth_percentile' THEN @extschema@.growth_level(ch.value)
                    ELSE @extschema@.level(ch.value, ch.cuts, ch.higher_is_better) END AS level,
               count(*) FILTER (WHERE ch.category <> 'all students') OVER (PARTITION BY ch.indicator) AS k
        FROM chosen ch
    ), per_indicator AS (
        SELECT l.indicator, l.domain, l.subgroups, max(l.k) AS k,
               max(l.level) FILTER (WHERE l.category = 'all students') AS all_level,
               sum(l.level::float8) FILTER (WHERE l.category <> 'all students') AS cat_level_sum,
               jsonb_agg(jsonb_build_object(
                   'category', l.category, 'group', l.group_code, 'n', l.n, 'value', l.value, 'level', l.level,
                   'band', @extschema@.level_band(l.level),
                   'share', CASE WHEN l.k = 0 THEN 1.0::float8
                                 WHEN m.group_split = 'half' AND l.category = 'all students' THEN 0.5::float8
                                 WHEN m.group_split = 'half' THEN 0.5 / l.k
                                 ELSE 1.0 / (1 + l.k) END)
                   ORDER BY l.category = 'all students' DESC, l.category) AS groups
        FROM leveled l
        GROUP BY l.indicator, l.domain, l.subgroups
        HAVING bool_or(l.category = 'all students')
    ), scored AS (
        -- The weighted mean level from means of levels (exact for these shares).
        SELECT p.*,
               CASE WHEN p.k = 0 THEN p.all_level::float8
                    WHEN m.group_split = 'half' THEN 0.5 * p.all_level + 0.5 * (p.cat_level_sum / p.k)
                    ELSE (p.all_level + p.cat_level_sum) / (1 + p.k) END AS wml,
               CASE WHEN NOT p.subgroups THEN 1.0::float8
                    WHEN m.group_split = 'half' THEN 0.5 + 0.5 * p.k / 4.0
                    ELSE (1 + p.k) / 5.0 END AS cover
        FROM per_indicator p
    ), domain_count AS (
        SELECT d.domain, d.weight,
               (SELECT count(*) FROM applicable a WHERE a.domain = d.domain) AS applicable,
               (SELECT count(*) FROM scored s WHERE s.domain = d.domain) AS present
        FROM @extschema@.model_domain d WHERE d.model = m.model
    ), present_weight AS (
        SELECT sum(dc.weight) FILTER (WHERE dc.present > 0) AS w FROM domain_count dc
    ), pointed AS (
        SELECT s.*, dc.weight * 100 / pw.w / dc.present AS points, dc.weight / dc.applicable AS intended
        FROM scored s JOIN domain_count dc USING (domain) CROSS JOIN present_weight pw
    ), earned AS (
        SELECT p.*, p.wml / 10 * p.points AS earned FROM pointed p
    )
    SELECT jsonb_build_object(
        'model', m.model, 'school_level', index_explain.school_level, 'n_size', m.n_size,
        'group_split', m.group_split,
        'index', (SELECT sum(e.earned ORDER BY e.domain, e.indicator) FROM earned e),
        'coverage', coalesce((SELECT sum(e.intended * e.cover ORDER BY e.domain, e.indicator) FROM earned e), 0),
        'domains', (SELECT jsonb_agg(jsonb_build_object(
                        'domain', dc.domain, 'weight', dc.weight,
                        'effective_weight', CASE WHEN dc.present > 0 THEN dc.weight * 100 / pw.w ELSE 0 END,
                        'indicators', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'indicator', e.indicator, 'points', e.points, 'intended_points', e.intended,
                                'group_coverage', e.cover, 'weighted_mean_level', e.wml, 'earned', e.earned,
                                'groups', e.groups) ORDER BY e.indicator)
                            FROM earned e WHERE e.domain = dc.domain), '[]'),
                        'missing_indicators', coalesce((SELECT jsonb_agg(a.indicator ORDER BY a.indicator)
                            FROM applicable a WHERE a.domain = dc.domain
                              AND NOT EXISTS (SELECT 1 FROM scored s WHERE s.indicator = a.indicator)), '[]'))
                        ORDER BY dc.domain)
                    FROM domain_count dc CROSS JOIN present_weight pw),
        'dropped', coalesce((SELECT jsonb_agg(jsonb_build_object('indicator', c.indicator, 'group', c.group_code,
                                                                 'n', c.n,
                                                                 'reason', CASE WHEN c.value IS NULL THEN 'no value'
                                                                                ELSE 'below the n-size' END)
                                              ORDER BY c.indicator, c.group_code)
                             FROM cell c JOIN applicable a USING (indicator)
                             WHERE c.value IS NULL OR c.n IS NULL OR c.n < m.n_size), '[]'))
    INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION @extschema@.index_explain(pg_catalog.text, pg_catalog.text, @extschema@.index_cell[]) IS
    'jsonb explanation of one school''s index: indicators, groups, n, value, level, band, share, points, what was dropped and where weight went';

-- Aggregate form: over a school's long-format cells, GROUP BY school.
CREATE TYPE @extschema@.index_input AS (
    model        pg_catalog.text,
    school_level pg_catalog.text,
    cells        @extschema@.index_cell[]
);
COMMENT ON TYPE @extschema@.index_input IS 'state of sqii.sqii_index and sqii.explain: the model, the school level and the cells seen';

CREATE FUNCTION @extschema@.index_input_check(a @extschema@.index_input, model pg_catalog.text,
                                              school_level pg_catalog.text)
RETURNS @extschema@.index_input
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- NOT (a IS NULL): a row with any NULL field (a NULL school level) is
    -- not "IS NOT NULL", but it is a state to check.
    IF model IS NULL OR (NOT (a IS NULL) AND ((a).model IS DISTINCT FROM model
                                              OR (a).school_level IS DISTINCT FROM school_level)) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the model and the school level must be the same for every cell of a school',
            HINT = 'Group by school, and pass the model name and the school''s level as constants or columns of the school.';
    END IF;
    RETURN a;
END
$$;
COMMENT ON FUNCTION @extschema@.index_input_check(@extschema@.index_input, pg_catalog.text, pg_catalog.text) IS
    'checks that a school''s cells all name the same model and school level';

CREATE FUNCTION @extschema@.index_cells_accum(state @extschema@.index_input, model pg_catalog.text,
                                              school_level pg_catalog.text, indicator pg_catalog.text,
                                              group_code pg_catalog.text, value pg_catalog.float8,
                                              n pg_catalog.int8)
RETURNS @extschema@.index_input
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ROW(model, school_level,
               pg_catalog.array_append((@extschema@.index_input_check(state, model, school_level)).cells,
                                       ROW(indicator, group_code, value, n)::@extschema@.index_cell)
           )::@extschema@.index_input;
END;
COMMENT ON FUNCTION @extschema@.index_cells_accum(@extschema@.index_input, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'transition function of sqii.sqii_index and sqii.explain: collects the school''s cells';

CREATE FUNCTION @extschema@.index_cells_combine(a @extschema@.index_input, b @extschema@.index_input)
RETURNS @extschema@.index_input
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a
                ELSE ROW((a).model, (a).school_level,
                         (@extschema@.index_input_check(a, (b).model, (b).school_level)).cells
                         OPERATOR(pg_catalog.||) (b).cells)::@extschema@.index_input END;
END;
COMMENT ON FUNCTION @extschema@.index_cells_combine(@extschema@.index_input, @extschema@.index_input) IS
    'combine function of sqii.sqii_index and sqii.explain';

CREATE TYPE @extschema@.index_result AS (
    index    pg_catalog.float8,
    coverage pg_catalog.float8
);
COMMENT ON TYPE @extschema@.index_result IS
    'a school''s index (0-100, NULL when no indicator counts) and the percent of the intended points its data covered';

CREATE FUNCTION @extschema@.index_final(state @extschema@.index_input) RETURNS @extschema@.index_result
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT ((e.j OPERATOR(pg_catalog.->>) 'index')::pg_catalog.float8,
            (e.j OPERATOR(pg_catalog.->>) 'coverage')::pg_catalog.float8)::@extschema@.index_result
    FROM (SELECT @extschema@.index_explain((state).model, (state).school_level, (state).cells) AS j) e;
END;
COMMENT ON FUNCTION @extschema@.index_final(@extschema@.index_input) IS
    'final function of sqii.sqii_index: the index and coverage read from the explanation';

CREATE FUNCTION @extschema@.explain_final(state @extschema@.index_input) RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT @extschema@.index_explain((state).model, (state).school_level, (state).cells);
END;
COMMENT ON FUNCTION @extschema@.explain_final(@extschema@.index_input) IS 'final function of sqii.explain';

CREATE AGGREGATE @extschema@.sqii_index(model pg_catalog.text, school_level pg_catalog.text,
                                        indicator pg_catalog.text, group_code pg_catalog.text,
                                        value pg_catalog.float8, n pg_catalog.int8) (
    SFUNC = @extschema@.index_cells_accum, STYPE = @extschema@.index_input,
    FINALFUNC = @extschema@.index_final, COMBINEFUNC = @extschema@.index_cells_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sqii_index(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'the School Quality Improvement Index of one school from its long-format cells (index, coverage); GROUP BY school';

CREATE AGGREGATE @extschema@.explain(model pg_catalog.text, school_level pg_catalog.text,
                                     indicator pg_catalog.text, group_code pg_catalog.text,
                                     value pg_catalog.float8, n pg_catalog.int8) (
    SFUNC = @extschema@.index_cells_accum, STYPE = @extschema@.index_input,
    FINALFUNC = @extschema@.explain_final, COMBINEFUNC = @extschema@.index_cells_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.explain(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'jsonb explanation of one school''s index, from the same cells and the same computation as sqii.sqii_index';

-- Identification: the lowest share of a pool.  With rank() the schools tied
-- at the boundary share its rank, so all of them are identified:
--   rank() OVER w <= sqii.identification_count(count(*) OVER w)
--   WINDOW w AS (PARTITION BY pool ORDER BY index)
CREATE FUNCTION @extschema@.identification_count(pool_size pg_catalog.int8,
                                                 share pg_catalog.float8 DEFAULT 0.05)
RETURNS pg_catalog.int8
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pool_size < 0 OR NOT (share > 0 AND share <= 1) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'identification needs a pool size >= 0 and a share in (0, 1]';
    END IF;
    -- In numeric, so that 0.07 x 100 is 7, not 7.000000000000001 -> 8.
    RETURN ceil(share::numeric * pool_size)::int8;
END
$$;
COMMENT ON FUNCTION @extschema@.identification_count(pg_catalog.int8, pg_catalog.float8) IS
    'how many schools of a pool are identified: ceiling(share x pool size), 5% by default';

-- Domain levels of an explanation: the points-weighted mean level of the
-- indicators present in each domain (earned / points x 10), for comparing a
-- school's domains with its peers' (the "flashing red light").
CREATE FUNCTION @extschema@.domain_levels(explanation pg_catalog.jsonb)
RETURNS TABLE (domain pg_catalog.text, level pg_catalog.float8)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT d OPERATOR(pg_catalog.->>) 'domain',
           pg_catalog.sum(((i OPERATOR(pg_catalog.->>) 'earned')::pg_catalog.float8)
                          ORDER BY i OPERATOR(pg_catalog.->>) 'indicator')
           OPERATOR(pg_catalog./)
           pg_catalog.sum(((i OPERATOR(pg_catalog.->>) 'points')::pg_catalog.float8)
                          ORDER BY i OPERATOR(pg_catalog.->>) 'indicator')
           OPERATOR(pg_catalog.*) 10
    FROM pg_catalog.jsonb_array_elements(explanation OPERATOR(pg_catalog.->) 'domains') AS d,
         pg_catalog.jsonb_array_elements(d OPERATOR(pg_catalog.->) 'indicators') AS i
    GROUP BY d OPERATOR(pg_catalog.->>) 'domain';
END;
COMMENT ON FUNCTION @extschema@.domain_levels(pg_catalog.jsonb) IS
    'the mean level (1-10) of each domain a school has, from its sqii.explain output';

-- Primary suppression for published tables: a cell under the privacy
-- minimum is never a number, a cell under the accountability n-size is
-- marked as such, and extreme rates of small cells become ranges (NCES
-- style) so that "0%" or "100%" cannot reveal every student's outcome.
-- Bands by eligible students n (for rates):
--   n < privacy_min        hidden ('*')
--   n < min_n              not reported ('n<20')
--   min_n <= n < 40        <=10% / >=90%
--   40 <= n < 100          <=5%  / >=95%
--   100 <= n < 300         <=2%  / >=98%
--   n >= 300               <=1%  / >=99%
-- A rate is range-coded when its printed (rounded) value reaches the band.
CREATE TYPE @extschema@.published_cell AS (
    value  pg_catalog.numeric,
    n      pg_catalog.int8,
    reason pg_catalog.text
);
COMMENT ON TYPE @extschema@.published_cell IS
    'a cell for BI tools: value (NULL unless publishable exactly), n (NULL under the privacy minimum), reason: ok, no_data, privacy, n_size, range_low, range_high';

CREATE FUNCTION @extschema@.range_band(n pg_catalog.int8) RETURNS pg_catalog.numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN n OPERATOR(pg_catalog.<) 40 THEN 10::numeric
                WHEN n OPERATOR(pg_catalog.<) 100 THEN 5::numeric
                WHEN n OPERATOR(pg_catalog.<) 300 THEN 2::numeric
                ELSE 1::numeric END;
END;
COMMENT ON FUNCTION @extschema@.range_band(pg_catalog.int8) IS
    'width in percentage points of the range codes for a rate over n students: 10 (under 40), 5 (40-99), 2 (100-299), 1 (300+)';

CREATE FUNCTION @extschema@.published(t @extschema@.tally, measure pg_catalog.text DEFAULT 'pct',
                                      min_n pg_catalog.int4 DEFAULT 20, privacy_min pg_catalog.int4 DEFAULT 11,
                                      digits pg_catalog.int4 DEFAULT 1)
RETURNS @extschema@.published_cell
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint := @extschema@.n(t);
    shown numeric;
    band numeric;
BEGIN
    IF measure IS NULL OR measure NOT IN ('pct', 'mean') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'measure must be ''pct'' or ''mean''';
    END IF;
    IF min_n IS NULL OR privacy_min IS NULL OR privacy_min < 1 OR min_n < privacy_min THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'publication needs 1 <= privacy_min <= min_n',
            HINT = 'The usual values are privacy_min 11 and min_n 20.';
    END IF;
    IF t IS NULL OR n = 0 THEN
        RETURN ROW(NULL, NULL, 'no_data'::text)::@extschema@.published_cell;
    ELSIF n < privacy_min THEN
        RETURN ROW(NULL, NULL, 'privacy'::text)::@extschema@.published_cell;
    ELSIF n < min_n THEN
        RETURN ROW(NULL, n, 'n_size'::text)::@extschema@.published_cell;
    END IF;
    IF measure = 'mean' THEN
        RETURN ROW(@extschema@.round_half_up(@extschema@.mean(t, 0), digits), n, 'ok'::text)::@extschema@.published_cell;
    END IF;
    -- The bands apply to the value as it would print: 2.007% printed as
    -- "2.0%" next to "<=2%" cells would tell nothing new, but 2.0 must not
    -- escape the range.
    shown := @extschema@.round_half_up(@extschema@.pct(t, 0), digits);
    band := @extschema@.range_band(n);
    IF shown <= band THEN
        RETURN ROW(NULL, n, 'range_low'::text)::@extschema@.published_cell;
    ELSIF shown >= 100 - band THEN
        RETURN ROW(NULL, n, 'range_high'::text)::@extschema@.published_cell;
    END IF;
    RETURN ROW(shown, n, 'ok'::text)::@extschema@.published_cell;
END
$$;
COMMENT ON FUNCTION @extschema@.published(@extschema@.tally, pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) IS
    'the typed publishable form of a cell: value only when it may be published exactly, n only from the privacy minimum up, and the reason';

CREATE FUNCTION @extschema@.display(t @extschema@.tally, measure pg_catalog.text DEFAULT 'pct',
                                    min_n pg_catalog.int4 DEFAULT 20, privacy_min pg_catalog.int4 DEFAULT 11,
                                    digits pg_catalog.int4 DEFAULT 1)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE p.reason
        WHEN 'no_data' THEN NULL
        WHEN 'privacy' THEN '*'
        WHEN 'n_size' THEN 'n<' OPERATOR(pg_catalog.||) min_n
        WHEN 'range_low' THEN '<=' OPERATOR(pg_catalog.||) @extschema@.range_band(p.n) OPERATOR(pg_catalog.||) '%'
        WHEN 'range_high' THEN '>=' OPERATOR(pg_catalog.||) (100 OPERATOR(pg_catalog.-) @extschema@.range_band(p.n))
                               OPERATOR(pg_catalog.||) '%'
        ELSE p.value::pg_catalog.text OPERATOR(pg_catalog.||) CASE measure WHEN 'pct' THEN '%' ELSE '' END
    END
    FROM @extschema@.published(t, measure, min_n, privacy_min, digits) AS p;
END;
COMMENT ON FUNCTION @extschema@.display(@extschema@.tally, pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) IS
    'dashboard text of a cell: 45.2%, * (fewer than privacy_min students), n<20 (under the n-size), or a range code such as <=5% / >=95%';

CREATE FUNCTION @extschema@.suppression(cell pg_catalog.text, n pg_catalog.int8, total_of pg_catalog.text[], part_of pg_catalog.text[],
                                        privacy_min pg_catalog.int4 DEFAULT 11)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'suppression'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.suppression(pg_catalog.text, pg_catalog.int8, pg_catalog.text[], pg_catalog.text[], pg_catalog.int4) IS
    'window function over the cells of one published table (PARTITION BY the table): NULL when the cell may be published, ''privacy'' for cells of 1 to privacy_min-1 students, ''complementary'' for the further cells hidden so that no hidden cell can be computed from published ones; cell names the cell uniquely (ties break by it), total_of and part_of name the sums the cell is the total or a part of';

-- The sums of the usual published table: units (schools) by student group
-- with a total row (the district, unit NULL).  A unit's race groups add up to
-- its all-students cell, and every group's unit cells add up to the total
-- row's cell.  Program groups (EL, SED, ...) are in the second kind only.
CREATE FUNCTION @extschema@.group_sums(unit pg_catalog.text, group_code pg_catalog.text,
                                       OUT total_of pg_catalog.text[], OUT part_of pg_catalog.text[])
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN g.kind OPERATOR(pg_catalog.=) 'all' THEN
                    CASE WHEN unit IS NULL THEN ARRAY[r.races, c.units] ELSE ARRAY[r.races] END
                WHEN unit IS NULL THEN ARRAY[c.units]
                ELSE ARRAY[]::pg_catalog.text[] END,
           CASE WHEN unit IS NULL AND g.kind OPERATOR(pg_catalog.=) 'race' THEN ARRAY[r.races]
                WHEN unit IS NULL THEN ARRAY[]::pg_catalog.text[]
                WHEN g.kind OPERATOR(pg_catalog.=) 'race' THEN ARRAY[r.races, c.units]
                ELSE ARRAY[c.units] END
    FROM (SELECT 'races of ' OPERATOR(pg_catalog.||)
                 COALESCE('unit ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(unit), 'the total row')) AS r(races),
         (SELECT 'units of ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(group_code)) AS c(units)
    LEFT JOIN @extschema@.student_group g ON g.group_code OPERATOR(pg_catalog.=) group_sums.group_code;
END;
COMMENT ON FUNCTION @extschema@.group_sums(pg_catalog.text, pg_catalog.text) IS
    'the sums a unit x student group cell belongs to, for sqii.suppression: a unit''s race groups add up to its all-students cell, units add up to the total row (unit NULL); from sqii.student_group';
