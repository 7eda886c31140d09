-- sqii 0.1 -> 0.2.  CREATE EXTENSION sqii runs sqii--0.1.sql and then this
-- script, so it is also how a fresh install reaches 0.2.  Once 0.2 is
-- released this file is never edited again; 0.3 goes in sqii--0.2--0.3.sql.
\echo Use "ALTER EXTENSION sqii UPDATE TO '0.2'" to load this file. \quit

--------------------------------------------------------------------------------
-- Privileges: every role that can connect uses sqii; configuration is read by
-- everyone and written by the extension's owner (and the roles it grants).
--------------------------------------------------------------------------------

GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

GRANT SELECT ON TABLE
    @extschema@.student_group, @extschema@.race_code, @extschema@.dfs_threshold,
    @extschema@.dashboard_indicator, @extschema@.dashboard_cut, @extschema@.dashboard_color_grid,
    @extschema@.model, @extschema@.model_domain, @extschema@.model_indicator, @extschema@.model_cut
    TO PUBLIC;

-- A trusted install leaves the objects owned by the bootstrap superuser; the
-- role that created the extension owns its configuration all the same.
GRANT INSERT, UPDATE, DELETE ON TABLE
    @extschema@.student_group, @extschema@.race_code, @extschema@.dfs_threshold,
    @extschema@.dashboard_indicator, @extschema@.dashboard_cut, @extschema@.dashboard_color_grid,
    @extschema@.model, @extschema@.model_domain, @extschema@.model_indicator, @extschema@.model_cut
    TO @extowner@ WITH GRANT OPTION;

--------------------------------------------------------------------------------
-- District configuration that survives pg_dump and extension updates.
--
-- Shipped rows (shipped = true) are written by sqii's scripts and recreated by
-- CREATE EXTENSION; pg_dump keeps the rows WHERE NOT shipped.  So that every
-- district change is one of those rows, or a row of sqii.config_deletion:
--   * an UPDATE that changes a shipped row makes it a district row;
--   * a DELETE (or a key change) records the deleted key in
--     sqii.config_deletion, which pg_dump keeps, and whose restore deletes
--     the shipped row that CREATE EXTENSION brought back;
--   * an INSERT whose key a shipped row holds replaces that row in place (this
--     is how a restore brings back an edited shipped row, without a duplicate
--     key), and an INSERT of a deleted key clears its deletion.
-- Inside sqii's own scripts the triggers stand aside: those writes are
-- shipped rows.
--------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.in_extension_script() RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'sqii_in_extension_script' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.in_extension_script() IS
    'true while CREATE or ALTER EXTENSION runs one of sqii''s scripts: its writes to configuration are shipped rows';

CREATE TABLE @extschema@.config_deletion (
    config_table pg_catalog.text NOT NULL,
    key          pg_catalog.jsonb NOT NULL,
    deleted_at   pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (config_table, key)
);
COMMENT ON TABLE @extschema@.config_deletion IS
    'keys of configuration rows a district deleted (or re-keyed), by table: kept by pg_dump so a restore deletes the shipped rows again; written by sqii''s triggers';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.config_deletion', '');
GRANT SELECT ON TABLE @extschema@.config_deletion TO PUBLIC;
GRANT INSERT, DELETE ON TABLE @extschema@.config_deletion TO @extowner@ WITH GRANT OPTION;

-- The primary key of a configuration row, as a jsonb object: the identity a
-- deletion is recorded by and a restored row is matched by.
CREATE FUNCTION @extschema@.config_key(config_table pg_catalog.regclass, row_data pg_catalog.jsonb)
RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.jsonb_object_agg(a.attname, row_data OPERATOR(pg_catalog.->) a.attname::pg_catalog.text)
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_attribute a
      ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
     AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey::pg_catalog.int2[])
    WHERE i.indrelid OPERATOR(pg_catalog.=) config_table AND i.indisprimary;
END;
COMMENT ON FUNCTION @extschema@.config_key(pg_catalog.regclass, pg_catalog.jsonb) IS
    'the primary-key columns of a configuration row as a jsonb object';

CREATE FUNCTION @extschema@.config_row_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    row_key  jsonb;
    cols     text;
    vals     text;
    replaced bigint;
BEGIN
    IF @extschema@.in_extension_script() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.shipped := OLD.shipped;
        IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    END IF;
    NEW.shipped := false;
    row_key := @extschema@.config_key(TG_RELID, to_jsonb(NEW));
    DELETE FROM @extschema@.config_deletion d
    WHERE d.config_table = TG_TABLE_NAME AND d.key = row_key;
    IF TG_OP = 'INSERT' THEN
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
               string_agg(format('($1).%I', a.attname), ', ' ORDER BY a.attnum)
        INTO cols, vals
        FROM pg_attribute a
        WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
        EXECUTE format('UPDATE %I.%I AS t SET (%s) = ROW(%s) WHERE t.shipped AND to_jsonb(t) @> $2',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME, cols, vals)
            USING NEW, row_key;
        GET DIAGNOSTICS replaced = ROW_COUNT;
        IF replaced > 0 THEN
            RETURN NULL;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.config_row_write() IS
    'trigger: a district''s insert or update of configuration is a district row (NOT shipped); an insert over a shipped key replaces that row';

CREATE FUNCTION @extschema@.config_row_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old_key jsonb;
BEGIN
    IF @extschema@.in_extension_script() THEN
        RETURN NULL;
    END IF;
    old_key := @extschema@.config_key(TG_RELID, to_jsonb(OLD));
    IF TG_OP = 'UPDATE' AND old_key = @extschema@.config_key(TG_RELID, to_jsonb(NEW)) THEN
        RETURN NULL;
    END IF;
    INSERT INTO @extschema@.config_deletion (config_table, key)
    VALUES (TG_TABLE_NAME, old_key)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@.config_row_delete() IS
    'trigger: records the key of a deleted (or re-keyed) configuration row in sqii.config_deletion';

CREATE FUNCTION @extschema@.config_deletion_replay() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rel regclass;
BEGIN
    rel := to_regclass(format('%I.%I', TG_TABLE_SCHEMA, NEW.config_table));
    IF rel IS NULL OR rel = TG_RELID OR NOT EXISTS (
           SELECT FROM pg_extension e WHERE e.extname = 'sqii' AND rel = ANY (e.extconfig)) THEN
        RAISE EXCEPTION 'sqii.config_deletion names a table that is not sqii configuration'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Rows of sqii.config_deletion are written by sqii when configuration rows are deleted.';
    END IF;
    IF NEW.key IS DISTINCT FROM @extschema@.config_key(rel, NEW.key) THEN
        RAISE EXCEPTION 'sqii.config_deletion key is not the primary key of %', NEW.config_table
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The key is a jsonb object of exactly the table''s primary-key columns.';
    END IF;
    EXECUTE format('DELETE FROM %s AS t WHERE t.shipped AND to_jsonb(t) @> $1', rel) USING NEW.key;
    -- That delete recorded the key already when it removed a shipped row;
    -- keep the time of the district's deletion, not of the restore.
    UPDATE @extschema@.config_deletion d SET deleted_at = NEW.deleted_at
    WHERE d.config_table = NEW.config_table AND d.key = NEW.key;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.config_deletion_replay() IS
    'trigger: a recorded deletion (as pg_restore writes it) deletes the shipped row with that key';

CREATE FUNCTION @extschema@.config_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF @extschema@.in_extension_script() THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE of sqii configuration table % is not supported', TG_TABLE_NAME
        USING ERRCODE = 'feature_not_supported',
              HINT = 'Use DELETE, so that the deletion of shipped rows is recorded and kept by pg_dump.';
END
$$;
COMMENT ON FUNCTION @extschema@.config_refuse_truncate() IS
    'trigger: TRUNCATE would delete shipped rows without recording it, so it is refused';

CREATE TRIGGER config_deletion_replay BEFORE INSERT ON @extschema@.config_deletion
    FOR EACH ROW EXECUTE FUNCTION @extschema@.config_deletion_replay();

-- Every configuration table with shipped rows gets the same three triggers.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['student_group', 'race_code', 'dfs_threshold', 'dashboard_indicator',
                               'dashboard_cut', 'dashboard_color_grid', 'model', 'model_domain',
                               'model_indicator'] LOOP
        EXECUTE format('CREATE TRIGGER config_row_write BEFORE INSERT OR UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION %I.config_row_write()', '@extschema@', tbl, '@extschema@');
        EXECUTE format('CREATE TRIGGER config_row_delete AFTER DELETE OR UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION %I.config_row_delete()', '@extschema@', tbl, '@extschema@');
        EXECUTE format('CREATE TRIGGER config_refuse_truncate BEFORE TRUNCATE ON %I.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I.config_refuse_truncate()', '@extschema@', tbl, '@extschema@');
    END LOOP;
END
$$;

--------------------------------------------------------------------------------
-- Publishing a release (issue 11): every cell published together for one
-- school year, in one form for BI tools and dashboards.  A hidden cell shows
-- one marker and nothing else (no reason, no n); a range-coded rate shows its
-- bounds as numbers.  Which cells are hidden is decided for the whole release
-- by tools/sqii-release (outside the database: integer programs with HiGHS),
-- which also audits the result; see README, "Publishing a release".
--------------------------------------------------------------------------------

CREATE TYPE @extschema@.release_value AS (
    n      pg_catalog.int8,
    value  pg_catalog.float8,
    lower  pg_catalog.float8,
    upper  pg_catalog.float8,
    status pg_catalog.text
);
COMMENT ON TYPE @extschema@.release_value IS
    'a released cell: n (NULL when hidden), value (rounded; NULL unless published exactly), lower and upper (bounds of a range-coded rate, percent), status: ok, n_size, range, hidden, no_data';

CREATE FUNCTION @extschema@.release_value(t @extschema@.tally, measure pg_catalog.text DEFAULT 'pct',
                                          hidden pg_catalog.bool DEFAULT false,
                                          min_n pg_catalog.int4 DEFAULT 20, privacy_min pg_catalog.int4 DEFAULT 11,
                                          digits pg_catalog.int4 DEFAULT 1)
RETURNS @extschema@.release_value
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p @extschema@.published_cell := @extschema@.published(t, measure, min_n, privacy_min, digits);
    band float8;
BEGIN
    IF hidden IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'whether the cell is hidden must be given';
    END IF;
    IF p.reason = 'no_data' THEN
        IF hidden THEN
            RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
                MESSAGE = 'a cell without students cannot be hidden',
                DETAIL = 'The release promises that hidden cells are never empty.',
                HINT = 'Publish it as no_data.';
        END IF;
        RETURN ROW(0, NULL, NULL, NULL, 'no_data')::@extschema@.release_value;
    ELSIF hidden THEN
        RETURN ROW(NULL, NULL, NULL, NULL, 'hidden')::@extschema@.release_value;
    ELSIF p.reason = 'privacy' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('a cell of fewer than %s students must be hidden', privacy_min),
            HINT = 'Hide every cell of 1 to privacy_min - 1 students (primary suppression).';
    ELSIF p.reason = 'n_size' THEN
        RETURN ROW(p.n, NULL, NULL, NULL, 'n_size')::@extschema@.release_value;
    ELSIF p.reason IN ('range_low', 'range_high') THEN
        band := @extschema@.range_band(p.n)::float8;
        RETURN ROW(p.n, NULL, CASE p.reason WHEN 'range_low' THEN 0 ELSE 100 - band END,
                   CASE p.reason WHEN 'range_low' THEN band ELSE 100 END, 'range')::@extschema@.release_value;
    END IF;
    RETURN ROW(p.n, p.value::float8, NULL, NULL, 'ok')::@extschema@.release_value;
END
$$;
COMMENT ON FUNCTION @extschema@.release_value(@extschema@.tally, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) IS
    'the released form of a cell: hidden cells show only the marker; a cell of 1 to privacy_min-1 students must be hidden and an empty one cannot be; a range code''s rate, rounded to digits, lies within [lower, upper]';

CREATE FUNCTION @extschema@.release_text(r @extschema@.release_value, measure pg_catalog.text DEFAULT 'pct',
                                         min_n pg_catalog.int4 DEFAULT 20, digits pg_catalog.int4 DEFAULT 1)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE r.status
        WHEN 'hidden' THEN '*'
        WHEN 'n_size' THEN 'n<' OPERATOR(pg_catalog.||) min_n
        WHEN 'range' THEN CASE WHEN r.lower OPERATOR(pg_catalog.=) 0
                               THEN '<=' OPERATOR(pg_catalog.||) r.upper OPERATOR(pg_catalog.||) '%'
                               ELSE '>=' OPERATOR(pg_catalog.||) r.lower OPERATOR(pg_catalog.||) '%' END
        WHEN 'ok' THEN pg_catalog.round(r.value::pg_catalog.numeric, digits)::pg_catalog.text
                       OPERATOR(pg_catalog.||) CASE measure WHEN 'pct' THEN '%' ELSE '' END
    END;
END;
COMMENT ON FUNCTION @extschema@.release_text(@extschema@.release_value, pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
    'dashboard text of a released cell: 45.2%, * (hidden), n<20 (under the n-size), <=5% / >=95% (range codes); NULL for no_data';

-- Explanations are printed next to published cells: a count of 1 to
-- privacy_min - 1 students never appears in one (the n-size rule's dropped
-- list carried such counts in 0.1).
CREATE FUNCTION @extschema@.explain_private(e pg_catalog.jsonb, privacy_min pg_catalog.int4 DEFAULT 11)
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CASE jsonb_typeof(e)
    WHEN 'object' THEN
        RETURN coalesce((SELECT jsonb_object_agg(k, CASE WHEN k = 'n' AND jsonb_typeof(v) = 'number'
                                                              AND (v #>> '{}')::numeric > 0
                                                              AND (v #>> '{}')::numeric < privacy_min
                                                         THEN 'null'::jsonb
                                                         ELSE @extschema@.explain_private(v, privacy_min) END)
                         FROM jsonb_each(e) AS x(k, v)), '{}'::jsonb);
    WHEN 'array' THEN
        RETURN coalesce((SELECT jsonb_agg(@extschema@.explain_private(x, privacy_min) ORDER BY i)
                         FROM jsonb_array_elements(e) WITH ORDINALITY AS a(x, i)), '[]'::jsonb);
    ELSE
        RETURN e;
    END CASE;
END
$$;
COMMENT ON FUNCTION @extschema@.explain_private(pg_catalog.jsonb, pg_catalog.int4) IS
    'an explanation with every "n" of 1 to privacy_min - 1 students replaced by null, at any depth';

CREATE OR REPLACE FUNCTION @extschema@.explain_final(state @extschema@.index_input) RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT @extschema@.explain_private(@extschema@.index_explain((state).model, (state).school_level, (state).cells));
END;
COMMENT ON FUNCTION @extschema@.explain_final(@extschema@.index_input) IS
    'final function of sqii.explain: counts under 11 students (privacy_min) are null';
