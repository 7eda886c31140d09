
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
