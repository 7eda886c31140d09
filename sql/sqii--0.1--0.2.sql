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
GRANT INSERT, DELETE ON TABLE @extschema@.config_deletion TO PUBLIC;   -- checked by config_deletion_write

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
    -- An UPDATE that changes nothing leaves a shipped row shipped, unless it
    -- is the replacement of a shipped row by a district row (below), which
    -- stays a district row even where it equals the shipped one.
    IF TG_OP = 'UPDATE' AND current_setting('sqii.replacing_shipped_row', true) IS DISTINCT FROM 'on' THEN
        NEW.shipped := OLD.shipped;
        IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    END IF;
    NEW.shipped := false;
    row_key := @extschema@.config_key(TG_RELID::regclass, to_jsonb(NEW));
    IF EXISTS (SELECT FROM @extschema@.config_deletion d WHERE d.config_table = TG_TABLE_NAME AND d.key = row_key) THEN
        DELETE FROM @extschema@.config_deletion d WHERE d.config_table = TG_TABLE_NAME AND d.key = row_key;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
               string_agg(format('($1).%I', a.attname), ', ' ORDER BY a.attnum)
        INTO cols, vals
        FROM pg_attribute a
        WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
        PERFORM set_config('sqii.replacing_shipped_row', 'on', true);
        EXECUTE format('UPDATE %I.%I AS t SET (%s) = ROW(%s) WHERE t.shipped AND to_jsonb(t) @> $2',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME, cols, vals)
            USING NEW, row_key;
        GET DIAGNOSTICS replaced = ROW_COUNT;
        PERFORM set_config('sqii.replacing_shipped_row', 'off', true);
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
    old_key := @extschema@.config_key(TG_RELID::regclass, to_jsonb(OLD));
    IF TG_OP = 'UPDATE' AND old_key = @extschema@.config_key(TG_RELID::regclass, to_jsonb(NEW)) THEN
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

-- Who may write a deletion follows the configuration table it names: to
-- record one (which deletes the shipped row) takes DELETE or UPDATE on that
-- table, to forget one (the shipped row comes back at the next restore) takes
-- INSERT or UPDATE.  So a role granted writes on one table needs no grant here.
CREATE FUNCTION @extschema@.config_deletion_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    config_table text := CASE TG_OP WHEN 'DELETE' THEN OLD.config_table ELSE NEW.config_table END;
    rel regclass;
BEGIN
    rel := to_regclass(format('%I.%I', TG_TABLE_SCHEMA, config_table));
    IF rel IS NULL OR rel = TG_RELID OR NOT EXISTS (
           SELECT FROM pg_extension e WHERE e.extname = 'sqii' AND rel = ANY (e.extconfig)) THEN
        RAISE EXCEPTION 'sqii.config_deletion names a table that is not sqii configuration'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Rows of sqii.config_deletion are written by sqii when configuration rows are deleted.';
    END IF;
    IF NOT has_table_privilege(rel, CASE TG_OP WHEN 'DELETE' THEN 'INSERT, UPDATE' ELSE 'DELETE, UPDATE' END) THEN
        RAISE EXCEPTION 'permission denied for table %', config_table
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Recording or forgetting the deletion of a configuration row takes the privilege to make that change to the table.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.key IS DISTINCT FROM @extschema@.config_key(rel, NEW.key) THEN
        RAISE EXCEPTION 'sqii.config_deletion key is not the primary key of %', config_table
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The key is a jsonb object of exactly the table''s primary-key columns.';
    END IF;
    EXECUTE format('DELETE FROM %s AS t WHERE t.shipped AND to_jsonb(t) @> $1', rel) USING NEW.key;
    -- That delete recorded the key already when it removed a shipped row (as
    -- in a restore); keep the time of the district's deletion.
    IF EXISTS (SELECT FROM @extschema@.config_deletion d
               WHERE d.config_table = NEW.config_table AND d.key = NEW.key) THEN
        UPDATE @extschema@.config_deletion d SET deleted_at = NEW.deleted_at
        WHERE d.config_table = NEW.config_table AND d.key = NEW.key;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.config_deletion_write() IS
    'trigger: a recorded deletion (as pg_restore writes it) deletes the shipped row with that key; privileges follow the configuration table named';

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

CREATE TRIGGER config_deletion_write BEFORE INSERT OR DELETE ON @extschema@.config_deletion
    FOR EACH ROW EXECUTE FUNCTION @extschema@.config_deletion_write();

-- Every configuration table with shipped rows gets the same three triggers.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['student_group', 'race_code', 'dfs_threshold', 'dashboard_indicator',
                               'dashboard_cut', 'dashboard_color_grid', 'model', 'model_domain',
                               'model_indicator'] LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER config_row_write BEFORE INSERT OR UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION %I.config_row_write()', '@extschema@', tbl, '@extschema@');
        EXECUTE pg_catalog.format('CREATE TRIGGER config_row_delete AFTER DELETE OR UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION %I.config_row_delete()', '@extschema@', tbl, '@extschema@');
        EXECUTE pg_catalog.format('CREATE TRIGGER config_refuse_truncate BEFORE TRUNCATE ON %I.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I.config_refuse_truncate()', '@extschema@', tbl, '@extschema@');
    END LOOP;
END
$$;

--------------------------------------------------------------------------------
-- Bad input is an error, not a quietly wrong row.
--------------------------------------------------------------------------------

-- 0.1 joined the array with sqii.student_group in SQL: a 2-D result of
-- sqii.tallies_by_group came out as wrongly labelled rows, and a bit with no
-- group row was dropped.  Now C, sharing sqii.group_tally_rows's checks.
CREATE OR REPLACE FUNCTION @extschema@.group_tallies(tallies @extschema@.tally[])
RETURNS TABLE (group_code pg_catalog.text, tally @extschema@.tally)
AS 'MODULE_PATHNAME', 'sqii_group_tallies'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 14;

-- 0.1 gave an unknown group code the sums of a program group.
CREATE OR REPLACE FUNCTION @extschema@.group_sums(unit pg_catalog.text, group_code pg_catalog.text,
                                                  OUT total_of pg_catalog.text[], OUT part_of pg_catalog.text[])
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind   text;
    races  text := 'races of ' || coalesce('unit ' || quote_literal(unit), 'the total row');
    units  text := 'units of ' || quote_literal(group_code);
BEGIN
    SELECT g.kind INTO kind FROM @extschema@.student_group g WHERE g.group_code = group_sums.group_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown student group code'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Group codes are the group_code values of sqii.student_group.';
    END IF;
    total_of := CASE WHEN kind = 'all' THEN
                         CASE WHEN unit IS NULL THEN ARRAY[races, units] ELSE ARRAY[races] END
                     WHEN unit IS NULL THEN ARRAY[units]
                     ELSE ARRAY[]::text[] END;
    part_of := CASE WHEN unit IS NULL AND kind = 'race' THEN ARRAY[races]
                    WHEN unit IS NULL THEN ARRAY[]::text[]
                    WHEN kind = 'race' THEN ARRAY[races, units]
                    ELSE ARRAY[units] END;
END
$$;

-- A role that may not write sqii.model_cut is told so before the INSERT
-- (whose failure would print the statement as context), and the cut points
-- are checked by an assignment, which prints no internal query either.
CREATE OR REPLACE FUNCTION @extschema@.freeze_cutpoints(model pg_catalog.text, indicator pg_catalog.text,
                                                        baseline_year pg_catalog.int4, cuts pg_catalog.float8[],
                                                        school_level pg_catalog.text DEFAULT '*')
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    checked_level int;
BEGIN
    IF NOT has_table_privilege('@extschema@.model_cut', 'INSERT, UPDATE') THEN
        RAISE EXCEPTION 'permission denied for table model_cut'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Frozen cut points are configuration: the owner of extension sqii writes them, or grants INSERT and UPDATE on sqii.model_cut.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.model_indicator i
                   WHERE i.model = freeze_cutpoints.model AND i.indicator = freeze_cutpoints.indicator) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('model %L has no indicator %L', model, indicator),
            HINT = 'The indicators of a model are listed in sqii.model_indicator.';
    END IF;
    IF cuts IS NULL OR cardinality(cuts) <> 9 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'an index indicator needs 9 cut points (10 levels)',
            HINT = 'Use sqii.cutpoints(10) WITHIN GROUP (ORDER BY value) over the baseline year.';
    END IF;
    checked_level := @extschema@.level(0::float8, cuts, true);     -- validates order, NULLs, NaN
    INSERT INTO @extschema@.model_cut AS c (model, indicator, school_level, baseline_year, cuts)
    VALUES (model, indicator, school_level, baseline_year, cuts)
    ON CONFLICT ON CONSTRAINT model_cut_pkey
    DO UPDATE SET baseline_year = EXCLUDED.baseline_year, cuts = EXCLUDED.cuts;
END
$$;
