
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
