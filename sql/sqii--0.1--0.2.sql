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
-- The SQII index engine in C (issue 12).
--
-- sqii.sqii_index and sqii.explain keep their 0.1 signatures and result types
-- (user views depend on them) and get new support functions with CREATE OR
-- REPLACE AGGREGATE, which keeps the aggregates' identity (views reference
-- them by OID and resolve the transition type when they are planned): the
-- state becomes internal, with combine, serialize and deserialize functions.
-- The 0.1 state type sqii.index_input and its SQL functions stay, unused by
-- the aggregates; sqii.index_explain becomes the C engine on an array of
-- cells, so every form computes the index in one place.
--------------------------------------------------------------------------------

-- The levels a model rates; a cell of another level is an error.
ALTER TABLE @extschema@.model
    ADD COLUMN school_levels pg_catalog.text[] NOT NULL DEFAULT '{elementary,middle,high}'
        CONSTRAINT model_school_levels_check
        CHECK (pg_catalog.cardinality(school_levels) >= 1 AND pg_catalog.array_position(school_levels, NULL) IS NULL);
COMMENT ON COLUMN @extschema@.model.school_levels IS
    'the school levels the model rates (sqii.sqii_index refuses others)';

-- Survey validity: a survey cell counts only when enough of the students
-- surveyed answered (DESIGN.md section 2).
ALTER TABLE @extschema@.model_indicator
    ADD COLUMN min_response_rate pg_catalog.float8
        CONSTRAINT model_indicator_min_response_rate_check
        CHECK (min_response_rate > 0 AND min_response_rate <= 100);
COMMENT ON COLUMN @extschema@.model_indicator.min_response_rate IS
    'survey indicators: the percent of the students surveyed who must answer for a cell to count (NULL: no minimum)';
-- sqii's default for the CORE student surveys (a district that edited the
-- row keeps its edit).
UPDATE @extschema@.model_indicator SET min_response_rate = 70
WHERE shipped AND model IN ('core-2015', 'core-2016') AND indicator IN ('sel_survey', 'culture_climate_survey');

-- Domain weights are checked when written: at commit, so that a change of
-- several weights is made in one transaction.  Deletions are not checked: a
-- restore replays them in a transaction of their own (sqii.config_deletion).
CREATE FUNCTION @extschema@.model_domain_weights() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sqii_model_domain_weights' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.model_domain_weights() IS
    'constraint trigger: the domain weights of a model written to sqii.model_domain sum to 100 (within 1e-6) when the transaction commits';
CREATE CONSTRAINT TRIGGER model_domain_weights AFTER INSERT OR UPDATE ON @extschema@.model_domain
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION @extschema@.model_domain_weights();

CREATE FUNCTION @extschema@.index_accum(pg_catalog.internal, pg_catalog.text, pg_catalog.text, pg_catalog.text,
                                        pg_catalog.text, pg_catalog.float8, pg_catalog.int8)
RETURNS pg_catalog.internal AS 'MODULE_PATHNAME', 'index_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.index_accum(pg_catalog.internal, pg_catalog.text, pg_catalog.text, pg_catalog.text,
                                        pg_catalog.text, pg_catalog.float8, pg_catalog.int8, pg_catalog.int8)
RETURNS pg_catalog.internal AS 'MODULE_PATHNAME', 'index_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.index_combine(pg_catalog.internal, pg_catalog.internal)
RETURNS pg_catalog.internal AS 'MODULE_PATHNAME', 'index_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.index_serialize(pg_catalog.internal)
RETURNS pg_catalog.bytea AS 'MODULE_PATHNAME', 'index_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.index_deserialize(pg_catalog.bytea, pg_catalog.internal)
RETURNS pg_catalog.internal AS 'MODULE_PATHNAME', 'index_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.index_state_final(pg_catalog.internal)
RETURNS @extschema@.index_result AS 'MODULE_PATHNAME', 'index_state_final' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.explain_state_final(pg_catalog.internal)
RETURNS pg_catalog.jsonb AS 'MODULE_PATHNAME', 'explain_state_final' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.index_accum(pg_catalog.internal, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'transition function of sqii.sqii_index and sqii.explain: collects the school''s cells';
COMMENT ON FUNCTION @extschema@.index_accum(pg_catalog.internal, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8, pg_catalog.int8) IS
    'transition function of sqii.sqii_index and sqii.explain with the students surveyed: collects the school''s cells';
COMMENT ON FUNCTION @extschema@.index_combine(pg_catalog.internal, pg_catalog.internal) IS
    'combine function of sqii.sqii_index and sqii.explain';
COMMENT ON FUNCTION @extschema@.index_serialize(pg_catalog.internal) IS
    'serialize function of sqii.sqii_index and sqii.explain';
COMMENT ON FUNCTION @extschema@.index_deserialize(pg_catalog.bytea, pg_catalog.internal) IS
    'deserialize function of sqii.sqii_index and sqii.explain';
COMMENT ON FUNCTION @extschema@.index_state_final(pg_catalog.internal) IS
    'final function of sqii.sqii_index: the index and coverage (reads the model)';
COMMENT ON FUNCTION @extschema@.explain_state_final(pg_catalog.internal) IS
    'final function of sqii.explain: the jsonb explanation (reads the model)';

CREATE OR REPLACE AGGREGATE @extschema@.sqii_index(model pg_catalog.text, school_level pg_catalog.text,
                                                   indicator pg_catalog.text, group_code pg_catalog.text,
                                                   value pg_catalog.float8, n pg_catalog.int8) (
    SFUNC = @extschema@.index_accum, STYPE = internal, SSPACE = 2048,
    FINALFUNC = @extschema@.index_state_final,
    COMBINEFUNC = @extschema@.index_combine,
    SERIALFUNC = @extschema@.index_serialize, DESERIALFUNC = @extschema@.index_deserialize,
    PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE @extschema@.explain(model pg_catalog.text, school_level pg_catalog.text,
                                                indicator pg_catalog.text, group_code pg_catalog.text,
                                                value pg_catalog.float8, n pg_catalog.int8) (
    SFUNC = @extschema@.index_accum, STYPE = internal, SSPACE = 2048,
    FINALFUNC = @extschema@.explain_state_final,
    COMBINEFUNC = @extschema@.index_combine,
    SERIALFUNC = @extschema@.index_serialize, DESERIALFUNC = @extschema@.index_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sqii_index(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'the School Quality Improvement Index of one school from its long-format cells (index, coverage); GROUP BY school';
COMMENT ON AGGREGATE @extschema@.explain(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'jsonb explanation of one school''s index, from the same cells and the same computation as sqii.sqii_index';

-- With the students surveyed (eligible), for the minimum response rate.
CREATE AGGREGATE @extschema@.sqii_index(model pg_catalog.text, school_level pg_catalog.text,
                                        indicator pg_catalog.text, group_code pg_catalog.text,
                                        value pg_catalog.float8, n pg_catalog.int8, eligible pg_catalog.int8) (
    SFUNC = @extschema@.index_accum, STYPE = internal, SSPACE = 2048,
    FINALFUNC = @extschema@.index_state_final,
    COMBINEFUNC = @extschema@.index_combine,
    SERIALFUNC = @extschema@.index_serialize, DESERIALFUNC = @extschema@.index_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.explain(model pg_catalog.text, school_level pg_catalog.text,
                                     indicator pg_catalog.text, group_code pg_catalog.text,
                                     value pg_catalog.float8, n pg_catalog.int8, eligible pg_catalog.int8) (
    SFUNC = @extschema@.index_accum, STYPE = internal, SSPACE = 2048,
    FINALFUNC = @extschema@.explain_state_final,
    COMBINEFUNC = @extschema@.index_combine,
    SERIALFUNC = @extschema@.index_serialize, DESERIALFUNC = @extschema@.index_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sqii_index(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8, pg_catalog.int8) IS
    'the School Quality Improvement Index of one school, with the students surveyed per cell (eligible) for the minimum response rate of survey indicators';
COMMENT ON AGGREGATE @extschema@.explain(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8, pg_catalog.int8) IS
    'jsonb explanation of one school''s index, with the students surveyed per cell (eligible)';

-- The array form runs the same engine.
CREATE OR REPLACE FUNCTION @extschema@.index_explain(model pg_catalog.text, school_level pg_catalog.text,
                                                     cells @extschema@.index_cell[])
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'sqii_index_explain' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.index_explain(pg_catalog.text, pg_catalog.text, @extschema@.index_cell[]) IS
    'jsonb explanation of one school''s index from an array of cells: indicators, groups, n, value, level, band, share, points, what was dropped or ignored and where weight went';

COMMENT ON TYPE @extschema@.index_input IS
    'state of sqii.sqii_index and sqii.explain in 0.1 (their state is internal since 0.2); kept for objects that use it';
COMMENT ON FUNCTION @extschema@.index_cells_accum(@extschema@.index_input, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int8) IS
    'the 0.1 transition function of sqii.sqii_index (no longer used by the aggregates): collects cells into sqii.index_input';
COMMENT ON FUNCTION @extschema@.index_cells_combine(@extschema@.index_input, @extschema@.index_input) IS
    'the 0.1 combine function of sqii.sqii_index (no longer used by the aggregates)';
COMMENT ON FUNCTION @extschema@.index_final(@extschema@.index_input) IS
    'the index and coverage of a 0.1 sqii.index_input state, from sqii.index_explain';
COMMENT ON FUNCTION @extschema@.explain_final(@extschema@.index_input) IS
    'the explanation of a 0.1 sqii.index_input state, from sqii.index_explain';

-- High-school readiness of an 8th grader (CORE).
CREATE FUNCTION @extschema@.hs_ready(gpa pg_catalog.float8, attendance_rate pg_catalog.float8,
                                     ela_grade pg_catalog.text, math_grade pg_catalog.text,
                                     suspended pg_catalog.bool)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'sqii_hs_ready' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.hs_ready(pg_catalog.float8, pg_catalog.float8, pg_catalog.text, pg_catalog.text, pg_catalog.bool) IS
    'high-school readiness (CORE, 8th grade): GPA >= 2.5, attendance >= 96 (percent of days enrolled), no D or F in ELA or math (letter grades), not suspended; NULL when nothing fails but something is unknown';

-- Freezing cut points checks them in C, so that an error names the problem
-- without sqii's internal statements as context.
CREATE OR REPLACE FUNCTION @extschema@.freeze_cutpoints(model pg_catalog.text, indicator pg_catalog.text,
                                                        baseline_year pg_catalog.int4, cuts pg_catalog.float8[],
                                                        school_level pg_catalog.text DEFAULT '*')
RETURNS void
AS 'MODULE_PATHNAME', 'sqii_freeze_cutpoints' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.freeze_cutpoints(pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.float8[], pg_catalog.text) IS
    'store the 9 cut points of an indicator from a baseline year into a model, for one of its school levels or every level (''*''), replacing earlier ones';
