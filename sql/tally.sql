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
