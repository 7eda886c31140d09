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

--------------------------------------------------------------------------------
-- California dashboard by year (issue 14): cut points, color grids and the
-- small-population rule keyed by the dashboard year from which they apply, and
-- the years reported as status only.
--
-- Dashboard years are spring years, as sqii.dfs_threshold.first_year: 2018 is
-- the 2018 Dashboard (Fall 2018), which reports the 2017-18 school year.
--   * sqii.dashboard_rule: per indicator and first_year, the grid and the
--     small-population grid; the rules in force in a year are the row with
--     the latest first_year not after it.  An indicator without any row (one a
--     district added to 0.1) uses its sqii.dashboard_indicator columns in
--     every year, as in 0.1.
--   * sqii.dashboard_cut gains first_year: for each kind, the cut table in
--     force is the rows with the latest first_year not after the year.
--   * sqii.dashboard_reporting: from which year on the dashboard reports
--     status only (2022) or status, change and colors again (2023).
--   * Grids stay named (sqii.dashboard_color_grid): a year whose grid differs
--     names another grid in its rule; a cell the grid leaves out (N/A) has no
--     color.
-- sqii.dashboard gains a trailing dashboard_year parameter defaulting to the
-- latest year the tables hold.  The 0.1 function, which user views may hold,
-- is renamed dashboard_0_1 (so that calls without a year are not ambiguous)
-- and calls the new one.
--------------------------------------------------------------------------------

-- A grid may be unknown for an indicator sqii ships without colors.
ALTER TABLE @extschema@.dashboard_indicator ALTER COLUMN grid DROP NOT NULL;
COMMENT ON TABLE @extschema@.dashboard_indicator IS
    'California School Dashboard indicators: measure (pct of a boolean tally or mean), direction; grid, small_grid, small_grid_below and source are the 0.1 (2018) rules, used only for an indicator without rows in sqii.dashboard_rule';

CREATE TABLE @extschema@.dashboard_rule (
    indicator        pg_catalog.text NOT NULL
                     REFERENCES @extschema@.dashboard_indicator ON UPDATE CASCADE ON DELETE CASCADE,
    first_year       pg_catalog.int4 NOT NULL,
    grid             pg_catalog.text,
    small_grid       pg_catalog.text,
    small_grid_below pg_catalog.int4,
    source           pg_catalog.text NOT NULL,
    shipped          pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (indicator, first_year),
    CHECK ((small_grid IS NULL) = (small_grid_below IS NULL))
);
COMMENT ON TABLE @extschema@.dashboard_rule IS
    'dashboard rules of an indicator from first_year (spring year of the dashboard) until the next row: the color grid (NULL: no color), the grid used under small_grid_below students, and the source';

CREATE TABLE @extschema@.dashboard_reporting (
    first_year  pg_catalog.int4 PRIMARY KEY,
    status_only pg_catalog.bool NOT NULL,
    source      pg_catalog.text NOT NULL,
    shipped     pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.dashboard_reporting IS
    'from first_year until the next row, the dashboard reports status only (no change level, no color) or status, change and color; before the first row, status, change and color';

-- Cut points by year.  Rows a district added to 0.1, and rows restored from a
-- 0.1 dump, have no year: they apply from 2017, the first dashboard year.
ALTER TABLE @extschema@.dashboard_cut ADD COLUMN first_year pg_catalog.int4 NOT NULL DEFAULT 2017;
UPDATE @extschema@.dashboard_cut SET first_year = 2018
WHERE indicator IN ('ela_3_8', 'ela_hs', 'math_3_8', 'math_hs', 'chronic_absenteeism', 'suspension_ud');
ALTER TABLE @extschema@.dashboard_cut DROP CONSTRAINT dashboard_cut_pkey;
ALTER TABLE @extschema@.dashboard_cut ADD PRIMARY KEY (indicator, first_year, kind, level);
-- The default year reads max(first_year) on every call: keep it an index probe.
CREATE INDEX dashboard_cut_first_year ON @extschema@.dashboard_cut (first_year);
COMMENT ON TABLE @extschema@.dashboard_cut IS
    'lower bounds of levels 2-5 from first_year on: a value rounded to 0.1 is at the highest level whose lower_bound it reaches (>=); per kind, the rows of the latest first_year not after the dashboard year apply';

-- The 0.1 tables as rules.  Their sources (README) date the academic status
-- cuts, chronic absenteeism and the unified-district suspension table to the
-- 2018 Dashboard; the elementary suspension tables and graduation to Fall 2017
-- (dashboard year 2017).  Copied from sqii.dashboard_indicator, so an
-- indicator a district deleted has no rule.
INSERT INTO @extschema@.dashboard_rule (indicator, first_year, grid, small_grid, small_grid_below, source, shipped)
SELECT i.indicator,
       CASE WHEN i.indicator IN ('suspension_es', 'suspension_ed', 'graduation') THEN 2017 ELSE 2018 END,
       i.grid, i.small_grid, i.small_grid_below,
       CASE WHEN i.indicator = 'chronic_absenteeism' AND i.source = '2018 Dashboard'
            THEN 'CDE 2018 Five-by-Five Colored Tables (cde.ca.gov/ta/ac/cm/fivebyfivecolortables18.asp)'
            ELSE i.source END,
       true
FROM @extschema@.dashboard_indicator i
WHERE i.indicator IN ('ela_3_8', 'ela_hs', 'math_3_8', 'math_hs', 'chronic_absenteeism',
                      'suspension_es', 'suspension_ed', 'suspension_ud', 'graduation');

-- 2023 and 2024 chronic absenteeism: CDE, Five-by-Five Colored Tables (2023
-- Dashboard), and issue 14 for 2024: status cuts as in 2018, Increased
-- Significantly from +3.1 (+3.0 in 2018), the same 5x5 colors as 2018
-- ("standard").  From 2024 the 3x5 grid applies under 150 students: CDE's
-- record layout of the chronic absenteeism data files for 2024 and 2025
-- (field smalldenom).
-- 2024 high-school suspension: status and change cuts from issue 14; its
-- colors could not be confirmed (only that Very Low and Low have no
-- Increased Significantly cell), so no grid is shipped.
INSERT INTO @extschema@.dashboard_indicator
    (indicator, description, measure, higher_is_better, grid, small_grid, small_grid_below, source, shipped)
VALUES ('suspension_hs', 'Suspension rate, high schools', 'pct', false, NULL, NULL, NULL,
        'CDE 2024 Dashboard high-school suspension cut points (as quoted in issue 14); colors not shipped', true);
INSERT INTO @extschema@.dashboard_rule (indicator, first_year, grid, small_grid, small_grid_below, source, shipped)
SELECT v.indicator, v.first_year, v.grid, v.small_grid, v.small_grid_below, v.source, true
FROM (VALUES
    ('chronic_absenteeism', 2023, 'standard', NULL, NULL,
     'CDE Five-by-Five Colored Tables, 2023 Dashboard (cde.ca.gov/ta/ac/cm/fivebyfivecolortables23.asp)'),
    ('chronic_absenteeism', 2024, 'standard', 'safety_net', 150,
     'CDE 2023 tables, also those of 2024 (as quoted in issue 14); 3x5 grid under 150 students: CDE record layout of the 2024 and 2025 chronic absenteeism files (cde.ca.gov/ta/ac/cm/chronic24.asp)'),
    ('suspension_hs', 2024, NULL, NULL, NULL,
     'CDE 2024 Dashboard high-school suspension cut points (as quoted in issue 14); grid colors not confirmed, not shipped')
) AS v(indicator, first_year, grid, small_grid, small_grid_below, source)
WHERE EXISTS (SELECT FROM @extschema@.dashboard_indicator i WHERE i.indicator OPERATOR(pg_catalog.=) v.indicator);

INSERT INTO @extschema@.dashboard_cut (indicator, first_year, kind, level, lower_bound, shipped)
SELECT c.indicator, c.first_year, c.kind, l.level, l.bound, true
FROM (VALUES
    ('chronic_absenteeism', 2023, 'status', ARRAY[2.6, 5.1, 10.1, 20.1]::pg_catalog.numeric[]),
    ('chronic_absenteeism', 2023, 'change', ARRAY[-2.9, -0.4, 0.5, 3.1]::pg_catalog.numeric[]),
    ('suspension_hs', 2024, 'status', ARRAY[0.6, 1.6, 6.1, 10.1]::pg_catalog.numeric[]),
    ('suspension_hs', 2024, 'change', ARRAY[-1.9, -0.2, 0.3, 3.1]::pg_catalog.numeric[])
) AS c(indicator, first_year, kind, bounds)
CROSS JOIN LATERAL (SELECT o.i OPERATOR(pg_catalog.+) 1 AS level, o.bound
                    FROM pg_catalog.unnest(c.bounds) WITH ORDINALITY AS o(bound, i)) AS l
WHERE EXISTS (SELECT FROM @extschema@.dashboard_indicator i WHERE i.indicator OPERATOR(pg_catalog.=) c.indicator);

INSERT INTO @extschema@.dashboard_reporting (first_year, status_only, source, shipped) VALUES
    (2022, true, 'CDE Status Cut Scores for 2022 Dashboard: status levels only, no change levels or colors (Assembly Bill 130)', true),
    (2023, false, 'CDE Five-by-Five Colored Tables, 2023 Dashboard: status, change and colors again', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dashboard_rule', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dashboard_reporting', 'WHERE NOT shipped');
GRANT SELECT ON TABLE @extschema@.dashboard_rule, @extschema@.dashboard_reporting TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON TABLE @extschema@.dashboard_rule, @extschema@.dashboard_reporting
    TO @extowner@ WITH GRANT OPTION;

DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['dashboard_rule', 'dashboard_reporting'] LOOP
        EXECUTE format('CREATE TRIGGER config_row_write BEFORE INSERT OR UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION %I.config_row_write()', '@extschema@', tbl, '@extschema@');
        EXECUTE format('CREATE TRIGGER config_row_delete AFTER DELETE OR UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION %I.config_row_delete()', '@extschema@', tbl, '@extschema@');
        EXECUTE format('CREATE TRIGGER config_refuse_truncate BEFORE TRUNCATE ON %I.%I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I.config_refuse_truncate()', '@extschema@', tbl, '@extschema@');
    END LOOP;
END
$$;

-- The latest dashboard year the tables hold: the default dashboard_year.
CREATE FUNCTION @extschema@.dashboard_latest_year() RETURNS pg_catalog.int4
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.max(y.first_year)
    FROM (SELECT pg_catalog.max(r.first_year) FROM @extschema@.dashboard_rule r
          UNION ALL SELECT pg_catalog.max(c.first_year) FROM @extschema@.dashboard_cut c
          UNION ALL SELECT pg_catalog.max(p.first_year) FROM @extschema@.dashboard_reporting p) AS y(first_year);
END;
COMMENT ON FUNCTION @extschema@.dashboard_latest_year() IS
    'the latest first_year in sqii.dashboard_rule, sqii.dashboard_cut and sqii.dashboard_reporting: the default dashboard year';

-- The rules in force in a dashboard year, one row per indicator that has
-- rules that year (rules_from NULL: an indicator without sqii.dashboard_rule
-- rows, whose sqii.dashboard_indicator columns apply in every year).
CREATE FUNCTION @extschema@.dashboard_rules(dashboard_year pg_catalog.int4)
RETURNS TABLE (indicator pg_catalog.text, rules_from pg_catalog.int4, status_only pg_catalog.bool,
               grid pg_catalog.text, small_grid pg_catalog.text, small_grid_below pg_catalog.int4,
               source pg_catalog.text)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT i.indicator, r.first_year,
           COALESCE(m.status_only, false),
           CASE WHEN r.indicator IS NULL THEN i.grid ELSE r.grid END,
           CASE WHEN r.indicator IS NULL THEN i.small_grid ELSE r.small_grid END,
           CASE WHEN r.indicator IS NULL THEN i.small_grid_below ELSE r.small_grid_below END,
           CASE WHEN r.indicator IS NULL THEN i.source ELSE r.source END
    FROM @extschema@.dashboard_indicator i
    LEFT JOIN LATERAL (SELECT x.* FROM @extschema@.dashboard_rule x
                       WHERE x.indicator OPERATOR(pg_catalog.=) i.indicator
                         AND x.first_year OPERATOR(pg_catalog.<=) dashboard_rules.dashboard_year
                       ORDER BY x.first_year DESC LIMIT 1) r ON true
    LEFT JOIN LATERAL (SELECT p.status_only FROM @extschema@.dashboard_reporting p
                       WHERE p.first_year OPERATOR(pg_catalog.<=) dashboard_rules.dashboard_year
                       ORDER BY p.first_year DESC LIMIT 1) m ON true
    WHERE dashboard_rules.dashboard_year IS NOT NULL
      AND (r.indicator IS NOT NULL
           OR NOT EXISTS (SELECT FROM @extschema@.dashboard_rule x WHERE x.indicator OPERATOR(pg_catalog.=) i.indicator));
END;
COMMENT ON FUNCTION @extschema@.dashboard_rules(pg_catalog.int4) IS
    'the dashboard rules in force in a year, per indicator that has rules then: from which year, status only or not, grid, small-population grid, source';

-- The four lower bounds of levels 2-5 in force for an indicator, kind and year.
CREATE FUNCTION @extschema@.dashboard_cuts(indicator pg_catalog.text, kind pg_catalog.text,
                                           dashboard_year pg_catalog.int4)
RETURNS pg_catalog.numeric[]
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    from_year int;
    earliest int;
    bounds numeric[];
BEGIN
    IF kind NOT IN ('status', 'change') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('unknown dashboard level kind %L', kind),
            HINT = 'The kinds are status and change.';
    END IF;
    SELECT array_agg(c.lower_bound ORDER BY c.level), min(c.first_year) INTO bounds, from_year
    FROM @extschema@.dashboard_cut c
    WHERE c.indicator = dashboard_cuts.indicator AND c.kind = dashboard_cuts.kind
      AND c.first_year = (SELECT max(x.first_year) FROM @extschema@.dashboard_cut x
                          WHERE x.indicator = dashboard_cuts.indicator AND x.kind = dashboard_cuts.kind
                            AND x.first_year <= dashboard_cuts.dashboard_year);
    IF cardinality(bounds) = 4 THEN
        RETURN bounds;
    END IF;
    IF from_year IS NULL THEN
        SELECT min(c.first_year) INTO earliest
        FROM @extschema@.dashboard_cut c
        WHERE c.indicator = dashboard_cuts.indicator AND c.kind = dashboard_cuts.kind;
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('dashboard indicator %L has no %s cut points for dashboard year %s',
                             indicator, kind, dashboard_year),
            DETAIL = CASE WHEN earliest IS NULL THEN 'sqii.dashboard_cut has none for this indicator.'
                          ELSE format('Its earliest %s cut points apply from %s.', kind, earliest) END,
            HINT = 'Add the year''s lower bounds of levels 2-5 to sqii.dashboard_cut, with first_year the dashboard year from which they apply.';
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('dashboard indicator %L has no complete %s cut table', indicator, kind),
        DETAIL = format('Found %s of the 4 lower bounds (levels 2-5) from %s.', cardinality(bounds), from_year),
        HINT = 'See sqii.dashboard_indicator and sqii.dashboard_cut.';
END
$$;
COMMENT ON FUNCTION @extschema@.dashboard_cuts(pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
    'the lower bounds of levels 2-5 in force for an indicator, kind (status or change) and dashboard year';

CREATE FUNCTION @extschema@.dashboard_level(indicator pg_catalog.text, kind pg_catalog.text,
                                            value pg_catalog.float8, dashboard_year pg_catalog.int4)
RETURNS pg_catalog.int4
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT 1 OPERATOR(pg_catalog.+) pg_catalog.count(*)::pg_catalog.int4
    FROM pg_catalog.unnest(@extschema@.dashboard_cuts(indicator, kind, dashboard_year)) AS b(bound)
    WHERE b.bound OPERATOR(pg_catalog.<=) @extschema@.round_half_up(value, 1);
END;
COMMENT ON FUNCTION @extschema@.dashboard_level(pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.int4) IS
    'status or change level 1-5 of a value (rounded half up to 0.1) against the cut table in force in the dashboard year';

-- 0.1's level function: the cut table of the latest year.
CREATE OR REPLACE FUNCTION @extschema@.dashboard_level(indicator pg_catalog.text, kind pg_catalog.text, value pg_catalog.float8)
RETURNS pg_catalog.int4
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.dashboard_level(indicator, kind, value, @extschema@.dashboard_latest_year());
END
$$;
COMMENT ON FUNCTION @extschema@.dashboard_level(pg_catalog.text, pg_catalog.text, pg_catalog.float8) IS
    'status or change level 1-5 of a value (rounded half up to 0.1) against the cut table in force in the latest dashboard year';

-- The 0.1 signature keeps working for the views that hold it, under a new
-- name; calls by name reach the new function.
ALTER FUNCTION @extschema@.dashboard(pg_catalog.text, @extschema@.tally, @extschema@.tally, pg_catalog.int4, pg_catalog.int4)
    RENAME TO dashboard_0_1;

-- One dashboard cell from this year's and last year's tallies, by the rules in
-- force in dashboard_year.  Status and change come from unrounded values
-- (change = current - prior, both unrounded) and are rounded half up to 0.1
-- only for the levels and display.  Cells under min_report students are not
-- reported at all; a color needs min_n students, a change (none in a
-- status-only year) and a grid.
CREATE FUNCTION @extschema@.dashboard(indicator pg_catalog.text, current @extschema@.tally,
                                      prior @extschema@.tally DEFAULT NULL,
                                      min_n pg_catalog.int4 DEFAULT 30, min_report pg_catalog.int4 DEFAULT 11,
                                      dashboard_year pg_catalog.int4 DEFAULT @extschema@.dashboard_latest_year())
RETURNS @extschema@.dashboard_result
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ind @extschema@.dashboard_indicator;
    rule record;
    earliest int;
    status_cuts numeric[];
    change_cuts numeric[];
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
    IF dashboard.dashboard_year IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
            MESSAGE = 'dashboard_year must not be NULL',
            HINT = 'Omit it for the latest year the tables hold (sqii.dashboard_latest_year()).';
    END IF;
    -- The rules and both cut tables in one query; the error paths below
    -- say what is missing.
    SELECT x.status_only, x.grid, x.small_grid, x.small_grid_below,
           (SELECT array_agg(c.lower_bound ORDER BY c.level) FROM @extschema@.dashboard_cut c
            WHERE c.indicator = x.indicator AND c.kind = 'status'
              AND c.first_year = (SELECT max(k.first_year) FROM @extschema@.dashboard_cut k
                                  WHERE k.indicator = x.indicator AND k.kind = 'status'
                                    AND k.first_year <= dashboard.dashboard_year)) AS status_cuts,
           (SELECT array_agg(c.lower_bound ORDER BY c.level) FROM @extschema@.dashboard_cut c
            WHERE c.indicator = x.indicator AND c.kind = 'change' AND NOT x.status_only
              AND c.first_year = (SELECT max(k.first_year) FROM @extschema@.dashboard_cut k
                                  WHERE k.indicator = x.indicator AND k.kind = 'change'
                                    AND k.first_year <= dashboard.dashboard_year)) AS change_cuts
    INTO rule
    FROM @extschema@.dashboard_rules(dashboard.dashboard_year) x
    WHERE x.indicator = dashboard.indicator;
    IF NOT FOUND THEN
        SELECT min(x.first_year) INTO earliest FROM @extschema@.dashboard_rule x WHERE x.indicator = dashboard.indicator;
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('no dashboard rules for indicator %L in dashboard year %s', indicator, dashboard_year),
            DETAIL = format('The earliest rules of this indicator in sqii.dashboard_rule apply from %s.', earliest),
            HINT = 'Add the year''s rules to sqii.dashboard_rule and its cut points to sqii.dashboard_cut (see the README), or choose a later dashboard_year.';
    END IF;
    -- The cut tables are checked whatever the cell, so that a year without
    -- them fails on every row, not only on the rows with students; a table
    -- that is missing or incomplete is reported by sqii.dashboard_cuts.
    status_cuts := rule.status_cuts;
    IF cardinality(status_cuts) IS DISTINCT FROM 4 THEN
        status_cuts := @extschema@.dashboard_cuts(indicator, 'status', dashboard_year);
    END IF;
    IF NOT rule.status_only THEN
        change_cuts := rule.change_cuts;
        IF cardinality(change_cuts) IS DISTINCT FROM 4 THEN
            change_cuts := @extschema@.dashboard_cuts(indicator, 'change', dashboard_year);
        END IF;
    END IF;
    IF current IS NULL OR @extschema@.n(current) < min_report THEN
        RETURN r;
    END IF;
    r.n := @extschema@.n(current);
    cur := CASE ind.measure WHEN 'pct' THEN @extschema@.pct(current, 0) ELSE @extschema@.mean(current, 0) END;
    r.status := @extschema@.round_half_up(cur, 1);
    r.status_level := 1 + cardinality(array(SELECT b FROM unnest(status_cuts) b WHERE b <= r.status));
    IF NOT rule.status_only AND prior IS NOT NULL AND @extschema@.n(prior) >= min_report THEN
        pri := CASE ind.measure WHEN 'pct' THEN @extschema@.pct(prior, 0) ELSE @extschema@.mean(prior, 0) END;
        r.change := @extschema@.round_half_up(cur - pri, 1);
        r.change_level := 1 + cardinality(array(SELECT b FROM unnest(change_cuts) b WHERE b <= r.change));
    END IF;
    IF r.n >= min_n AND r.change_level IS NOT NULL AND rule.grid IS NOT NULL THEN
        r.grid := CASE WHEN r.n < rule.small_grid_below THEN rule.small_grid ELSE rule.grid END;
        SELECT g.color INTO r.color
        FROM @extschema@.dashboard_color_grid g
        WHERE g.grid = r.grid
          AND g.status_rank = CASE WHEN ind.higher_is_better THEN r.status_level ELSE 6 - r.status_level END
          AND g.change_rank = CASE WHEN ind.higher_is_better THEN r.change_level ELSE 6 - r.change_level END;
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION @extschema@.dashboard(pg_catalog.text, @extschema@.tally, @extschema@.tally, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) IS
    'California School Dashboard cell by the rules in force in dashboard_year (default: the latest year the tables hold): status, change, their levels and the color';

CREATE OR REPLACE FUNCTION @extschema@.dashboard_0_1(indicator pg_catalog.text, current @extschema@.tally,
                                                     prior @extschema@.tally DEFAULT NULL,
                                                     min_n pg_catalog.int4 DEFAULT 30, min_report pg_catalog.int4 DEFAULT 11)
RETURNS @extschema@.dashboard_result
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- The rules 0.1 had are those in force in 2018: a view built on 0.1 gives
    -- after the update what it gave before.
    RETURN @extschema@.dashboard(indicator, current, prior, min_n, min_report, dashboard_year => 2018);
END
$$;
COMMENT ON FUNCTION @extschema@.dashboard_0_1(pg_catalog.text, @extschema@.tally, @extschema@.tally, pg_catalog.int4, pg_catalog.int4) IS
    'sqii 0.1''s sqii.dashboard, kept for the views that hold it: the rules 0.1 had (dashboard year 2018)';

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


--------------------------------------------------------------------------------
-- Maintained cells (issue 13): tallies per unit (school), student group and
-- indicator that follow their student table.  They are stored one row per
-- unit, holding the unit's sqii.tallies_by_group result (every group, every
-- indicator), and read through a view with one row per unit and group.
-- Triggers apply each statement's net change per unit in one INSERT ... ON
-- CONFLICT DO UPDATE, or a batch call applies a table of changed students;
-- tallies add and subtract exactly, so the cells stay equal to a full
-- recomputation.  A row per unit, not per cell, because writing a row costs
-- far more than adding tallies: a change touches a school's groups together.
--
-- The definition of a cell table (student table, unit columns, indicators,
-- group columns) is the argument of its triggers on the student table: it is
-- kept by pg_dump with them, and only the student table's owner can change it.
--------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.cell_apply(cell @extschema@.tally, added @extschema@.tally,
                                       removed @extschema@.tally)
    RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'sqii_cell_apply' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_apply(@extschema@.tally, @extschema@.tally, @extschema@.tally) IS
    'cell + added - removed, a NULL argument being empty; NULL when no value is left; error when removed is not in the cell (cells out of step)';

CREATE FUNCTION @extschema@.cell_apply_groups(cells @extschema@.tally[], added @extschema@.tally[],
                                              removed @extschema@.tally[])
    RETURNS @extschema@.tally[]
    AS 'MODULE_PATHNAME', 'sqii_cell_apply_groups' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_apply_groups(@extschema@.tally[], @extschema@.tally[], @extschema@.tally[]) IS
    'a unit''s sqii.tallies_by_group result (value 1 counting the students) plus the result of the rows added minus that of the rows removed, group by group as sqii.cell_apply; NULL when no student is left; error when removed is not in the cells';

-- The net change of a statement per unit, in one pass over the rows it
-- added and removed: one state per unit holding both.
CREATE FUNCTION @extschema@.cell_changes_accum(pg_catalog.internal, pg_catalog.bool, pg_catalog.int8, VARIADIC "any")
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'cell_changes_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.cell_changes_final(pg_catalog.internal) RETURNS @extschema@.tally[]
    AS 'MODULE_PATHNAME', 'cell_changes_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.cell_changes_combine(pg_catalog.internal, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'cell_changes_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.cell_changes_serialize(pg_catalog.internal) RETURNS pg_catalog.bytea
    AS 'MODULE_PATHNAME', 'cell_changes_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.cell_changes_deserialize(pg_catalog.bytea, pg_catalog.internal)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'cell_changes_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_changes_accum(pg_catalog.internal, pg_catalog.bool, pg_catalog.int8, VARIADIC "any") IS 'transition function of sqii.cell_changes';
COMMENT ON FUNCTION @extschema@.cell_changes_final(pg_catalog.internal) IS 'final function of sqii.cell_changes';
COMMENT ON FUNCTION @extschema@.cell_changes_combine(pg_catalog.internal, pg_catalog.internal) IS 'combine function of sqii.cell_changes';
COMMENT ON FUNCTION @extschema@.cell_changes_serialize(pg_catalog.internal) IS 'serialize function of sqii.cell_changes';
COMMENT ON FUNCTION @extschema@.cell_changes_deserialize(pg_catalog.bytea, pg_catalog.internal) IS 'deserialize function of sqii.cell_changes';
-- SSPACE: a unit's groups and halves in blocks of plain tallies (the default
-- 14 groups, both halves, 7 values: 4.7 kB; a one-sided change half that).
CREATE AGGREGATE @extschema@.cell_changes(removal pg_catalog.bool, groups pg_catalog.int8, VARIADIC "values" "any") (
    SFUNC = @extschema@.cell_changes_accum, STYPE = pg_catalog.internal, SSPACE = 4800,
    FINALFUNC = @extschema@.cell_changes_final,
    COMBINEFUNC = @extschema@.cell_changes_combine,
    SERIALFUNC = @extschema@.cell_changes_serialize, DESERIALFUNC = @extschema@.cell_changes_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.cell_changes(pg_catalog.bool, pg_catalog.int8, "any") IS
    'sqii.tallies_by_group of the rows added (removal false) and of the rows removed (true) at once: sqii.tally[group bit + 1][values added, then values removed]; NULL when both are equal';

CREATE FUNCTION @extschema@.cell_change_part(change @extschema@.tally[], removed pg_catalog.bool)
    RETURNS @extschema@.tally[]
    AS 'MODULE_PATHNAME', 'sqii_cell_change_part' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_change_part(@extschema@.tally[], pg_catalog.bool) IS
    'the rows added (removed false) or removed (true) of a sqii.cell_changes result, as a sqii.tallies_by_group result; NULL when that part has no value';

CREATE FUNCTION @extschema@.cell_value(x pg_catalog.float8, decimals pg_catalog.int4)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'sqii_cell_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_value(pg_catalog.float8, pg_catalog.int4) IS
    'a student value as the whole number a maintained cell stores (x * 10^decimals); error when x has more decimal places';
-- numeric values are read as sqii's aggregates read them: a cast to double
-- precision would name a value beyond its range in its error.
CREATE FUNCTION @extschema@.cell_value(x pg_catalog.numeric, decimals pg_catalog.int4)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'sqii_cell_value_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_value(pg_catalog.numeric, pg_catalog.int4) IS
    'a numeric student value as the whole number a maintained cell stores (x * 10^decimals); error when x has more decimal places or is beyond double precision';

CREATE FUNCTION @extschema@.cell_unscale(t @extschema@.tally, decimals pg_catalog.int4)
    RETURNS @extschema@.tally
    AS 'MODULE_PATHNAME', 'sqii_cell_unscale' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cell_unscale(@extschema@.tally, pg_catalog.int4) IS
    'the tally of the values from the stored tally of the values times 10^decimals';

CREATE FUNCTION @extschema@.cells_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'sqii_cells_trigger' LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.cells_trigger() IS
    'statement trigger (transition tables) that keeps a maintained cell table equal to its students; arguments: the cell table''s definition, the query of the change (TRUNCATE: the deletion of every cell), the statement writing it, the statement deleting the cells it emptied';

-- The triggers of a maintained cell table on its student table.  Only the
-- student table's owner can create them, and a definition counts only when
-- the cell table has the same owner.
CREATE FUNCTION @extschema@.cell_triggers(cells pg_catalog.regclass)
RETURNS TABLE (trigger_name pg_catalog.name, students pg_catalog.regclass, enabled pg_catalog.bool,
               definition pg_catalog.jsonb)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT t.tgname, t.tgrelid::pg_catalog.regclass, t.tgenabled OPERATOR(pg_catalog.<>) 'D', a.def
    FROM pg_catalog.pg_trigger t
    JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) t.tgrelid
    JOIN pg_catalog.pg_namespace sn ON sn.oid OPERATOR(pg_catalog.=) s.relnamespace
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) cells
    JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.relnamespace
    CROSS JOIN LATERAL (
        SELECT pg_catalog.convert_from(
                   pg_catalog.substring(t.tgargs, 1, pg_catalog.position(t.tgargs, '\x00'::pg_catalog.bytea) OPERATOR(pg_catalog.-) 1),
                   pg_catalog.getdatabaseencoding())::pg_catalog.jsonb AS def) AS a
    WHERE t.tgfoid OPERATOR(pg_catalog.=) '@extschema@.cells_trigger()'::pg_catalog.regprocedure
      AND t.tgnargs OPERATOR(pg_catalog.=) 4
      AND s.relowner OPERATOR(pg_catalog.=) c.relowner
      AND (a.def OPERATOR(pg_catalog.->>) 'cells') OPERATOR(pg_catalog.=) pg_catalog.format('%I.%I', cn.nspname, c.relname)
      AND (a.def OPERATOR(pg_catalog.->>) 'students') OPERATOR(pg_catalog.=) pg_catalog.format('%I.%I', sn.nspname, s.relname)
    ORDER BY t.tgname;
END;
COMMENT ON FUNCTION @extschema@.cell_triggers(pg_catalog.regclass) IS
    'the triggers that maintain a cell table: name, student table, whether enabled, and the definition they carry';

-- The definition of a maintained cell table, from its triggers.
CREATE FUNCTION @extschema@.cell_definition(cells pg_catalog.regclass)
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    defs jsonb[] := ARRAY(SELECT DISTINCT t.definition FROM @extschema@.cell_triggers(cells) t);
BEGIN
    IF cardinality(defs) > 1 THEN
        RAISE EXCEPTION 'maintained cell table % has more than one definition', cells
            USING ERRCODE = 'data_corrupted',
                  HINT = 'Drop the extra sqii.cells_trigger triggers on its student table, or run sqii.drop_cells and sqii.create_cells again.';
    END IF;
    RETURN defs[1];
END
$$;
COMMENT ON FUNCTION @extschema@.cell_definition(pg_catalog.regclass) IS
    'the definition of a maintained cell table (student table, units, indicators, groups), read from its triggers; NULL if it is not one';

-- The SQL text of a cell definition: the mask and values over alias s, the
-- stored tally columns, the units (as an array, and as column lists plain
-- and over alias s), and the columns of a change query after its units.
CREATE FUNCTION @extschema@.cell_sql_parts(definition pg_catalog.jsonb,
    OUT units pg_catalog.text[], OUT stored pg_catalog.text[], OUT args pg_catalog.text,
    OUT unit_list pg_catalog.text, OUT unit_list_s pg_catalog.text, OUT change_cols pg_catalog.text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    groups text[] := ARRAY(SELECT jsonb_array_elements_text(definition -> 'groups'));
    mask text;
    vals text;
    group_cols text;
    value_cols text;
BEGIN
    units := ARRAY(SELECT jsonb_array_elements_text(definition -> 'units'));
    unit_list := (SELECT string_agg(format('%I', u), ', ' ORDER BY o) FROM unnest(units) WITH ORDINALITY AS x(u, o));
    unit_list_s := (SELECT string_agg(format('s.%I', u), ', ' ORDER BY o) FROM unnest(units) WITH ORDINALITY AS x(u, o));
    -- The groups: the mask column, or sqii.group_mask's arguments (which
    -- the change query passes as they are, for C to read).
    IF cardinality(groups) = 1 THEN
        mask := format('s.%I', groups[1]);
        group_cols := format('(%s)::pg_catalog.int8 AS sqii_mask', mask);
    ELSE
        mask := format('@extschema@.group_mask(%s)',
                       (SELECT string_agg(format('s.%I', g), ', ' ORDER BY o) FROM unnest(groups) WITH ORDINALITY AS u(g, o)));
        group_cols := format('(s.%I)::pg_catalog.text AS sqii_race', groups[1])
            || (SELECT string_agg(format(', (s.%I)::pg_catalog.bool AS sqii_flag', g), '' ORDER BY o)
                FROM unnest(groups[2:]) WITH ORDINALITY AS u(g, o));
    END IF;
    -- The values: a fractional one as the whole number the cells keep (the
    -- change query names its places, for C to scale).
    SELECT string_agg(CASE WHEN i.value ->> 'decimals' IS NULL THEN format('s.%I', i.value ->> 'column')
                           ELSE format('@extschema@.cell_value(%s, %s)', x.value, (i.value ->> 'decimals')::int) END,
                      ', ' ORDER BY i.o),
           string_agg(CASE WHEN i.value ->> 'decimals' IS NULL THEN format('s.%I AS sqii_value', i.value ->> 'column')
                           ELSE format('%s AS sqii_decimals_%s', x.value, (i.value ->> 'decimals')::int) END,
                      ', ' ORDER BY i.o),
           array_agg(CASE WHEN coalesce((i.value ->> 'decimals')::int, 0) = 0 THEN i.value ->> 'column'
                          ELSE format('%s_x%s', i.value ->> 'column', 10 ^ (i.value ->> 'decimals')::int) END
                     ORDER BY i.o)
    INTO vals, value_cols, stored
    FROM jsonb_array_elements(definition -> 'indicators') WITH ORDINALITY AS i(value, o)
    CROSS JOIN LATERAL (SELECT format('s.%I::pg_catalog.%s', i.value ->> 'column',
                                      CASE WHEN i.value ->> 'type' IN ('real', 'numeric') THEN 'numeric' ELSE 'float8' END)) AS x(value);
    args := mask || ', true, ' || vals;
    change_cols := group_cols || ', true AS sqii_value, ' || value_cols;
END
$$;
COMMENT ON FUNCTION @extschema@.cell_sql_parts(pg_catalog.jsonb) IS
    'internal: pieces of the SQL of a maintained cell table (units, stored tally columns, arguments of sqii.tallies_by_group, the units as column lists, the columns of a change query)';

-- The full computation of a cell table's unit rows, in one pass over the
-- students.
CREATE FUNCTION @extschema@.cell_units_sql(definition pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record := @extschema@.cell_sql_parts(definition);
BEGIN
    RETURN format('SELECT %s, @extschema@.tallies_by_group(%s) FROM %s s GROUP BY %s',
                  p.unit_list_s, p.args, definition ->> 'students', p.unit_list_s);
END
$$;
COMMENT ON FUNCTION @extschema@.cell_units_sql(pg_catalog.jsonb) IS
    'internal: the SELECT that computes every unit row of a maintained cell table (units, groups) from its students';

-- The cells of a cell table as its view shows them, from unit rows (units,
-- groups) read from a relation or subquery: units, group_code, students,
-- then each indicator's tally (a fractional one as its stored whole numbers,
-- name_x10^d, then unscaled).
CREATE FUNCTION @extschema@.cell_view_sql(definition pg_catalog.jsonb, unit_rows pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record := @extschema@.cell_sql_parts(definition);
BEGIN
    RETURN 'SELECT ' || p.unit_list_s
        || ', g.group_code, @extschema@.n(g.tallies[1]) AS students, '
        || (SELECT string_agg(
                CASE WHEN coalesce((i ->> 'decimals')::int, 0) = 0
                     THEN format('g.tallies[%s] AS %I', o + 1, x.s)
                     ELSE format('g.tallies[%1$s] AS %2$I, @extschema@.cell_unscale(g.tallies[%1$s], %3$s) AS %4$I',
                                 o + 1, x.s, (i ->> 'decimals')::int, i ->> 'column') END,
                ', ' ORDER BY o)
            FROM jsonb_array_elements(definition -> 'indicators') WITH ORDINALITY AS e(i, o)
            JOIN unnest(p.stored) WITH ORDINALITY AS x(s, o) USING (o))
        || ' FROM ' || unit_rows || ' CROSS JOIN LATERAL @extschema@.group_tally_rows(s.groups) g';
END
$$;
COMMENT ON FUNCTION @extschema@.cell_view_sql(pg_catalog.jsonb, pg_catalog.text) IS
    'internal: the SELECT of a maintained cell table''s rows (one per unit and group) from unit rows s (units, groups)';

-- The full computation of the rows of a cell table's view: what
-- sqii.check_cells compares with.
CREATE FUNCTION @extschema@.cell_rows_sql(definition pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.cell_view_sql(definition, pg_catalog.format('(%s) s(%s, groups)',
    @extschema@.cell_units_sql(definition), (@extschema@.cell_sql_parts(definition)).unit_list));
COMMENT ON FUNCTION @extschema@.cell_rows_sql(pg_catalog.jsonb) IS
    'internal: the SELECT that computes every row of a maintained cell table''s view from its students';

-- A change is applied in two statements (src/cell_apply.c).  The first
-- reads the rows added and removed: the units, sqii_removal, the groups (the
-- mask, or sqii.group_mask's arguments), then the values of
-- sqii.cell_changes (1 counting the student, then each indicator); C reads
-- the groups and values and gathers their tallies per unit.
CREATE FUNCTION @extschema@.cell_collect_sql(definition pg_catalog.jsonb, added pg_catalog.text,
                                             removed pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record := @extschema@.cell_sql_parts(definition);
BEGIN
    RETURN (SELECT string_agg(format('SELECT %s, %s AS sqii_removal, %s FROM %s s', p.unit_list_s, b.removal,
                                     p.change_cols, b.rel), ' UNION ALL ' ORDER BY b.o)
            FROM (VALUES (1, 'false', added), (2, 'true', removed)) AS b(o, removal, rel)
            WHERE b.rel IS NOT NULL);
END
$$;
COMMENT ON FUNCTION @extschema@.cell_collect_sql(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text) IS
    'internal: the query of the rows added and removed (relation names, NULL for none) of a change to a maintained cell table: units, sqii_removal, groups (sqii_mask, or sqii_race and sqii_flag), values; NULL for neither';

-- The second writes the units the change touched: their keys arrive as one
-- array per unit column ($1 ..), in key order (so that concurrent changes
-- lock unit rows in the same order and cannot deadlock on the cells), with
-- the token of the change in the last parameter.  Each unit row gets the
-- tallies added minus those removed under its row lock: sqii.cell_change_apply
-- reads them from the C side by the unit's number, which the proposed row
-- carries in its column sqii_change.  The proposed row has no tallies: a unit
-- with a row (nearly every one) needs none, and making them for each cost a
-- tenth of a write.  A unit without a row is inserted with its number, and
-- sqii.cell_cleanup_sql's statement then gives it its tallies (an error if
-- the change removed students from it: the cells are out of step).  The
-- statement returns the number of unit rows written, the row addresses of
-- those it emptied and of those it inserted.
CREATE FUNCTION @extschema@.cell_write_sql(definition pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record := @extschema@.cell_sql_parts(definition);
    nunits int := cardinality(p.units);
BEGIN
    RETURN format(
        'WITH applied AS (INSERT INTO %1$s AS c (%2$s, groups, sqii_change) '
        'SELECT %3$s, NULL, d.n '
        'FROM ROWS FROM (%4$s) WITH ORDINALITY AS d(%3$s, n) '
        'ON CONFLICT (%2$s) DO UPDATE SET '
        'groups = @extschema@.cell_change_apply($%5$s, excluded.sqii_change, c.groups), sqii_change = NULL '
        'RETURNING c.ctid, c.sqii_change IS NOT NULL AS made, c.groups IS NULL AS emptied) '
        'SELECT pg_catalog.count(*), pg_catalog.array_agg(a.ctid) FILTER (WHERE a.emptied AND NOT a.made), '
        'pg_catalog.array_agg(a.ctid) FILTER (WHERE a.made) '
        'FROM applied a',
        definition ->> 'store', p.unit_list,
        (SELECT string_agg(format('k%s', i), ', ') FROM generate_series(1, nunits) i),
        (SELECT string_agg(format('pg_catalog.unnest($%s)', i), ', ') FROM generate_series(1, nunits) i),
        nunits + 1);
END
$$;
COMMENT ON FUNCTION @extschema@.cell_write_sql(pg_catalog.jsonb) IS
    'internal: the INSERT ... ON CONFLICT DO UPDATE that writes a change to a maintained cell table''s unit rows (the units'' keys as arrays, then the token of the change), as a query returning the number of unit rows written and the ctids of those emptied and of those inserted';

CREATE FUNCTION @extschema@.cell_change_apply(token pg_catalog.int8, unit pg_catalog.int8, cells @extschema@.tally[])
    RETURNS @extschema@.tally[]
    AS 'MODULE_PATHNAME', 'sqii_cell_change_apply' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.cell_change_apply(pg_catalog.int8, pg_catalog.int8, @extschema@.tally[]) IS
    'internal: a unit row''s tallies (NULL: a unit without a row) after unit number unit of the change being written to maintained cells, as sqii.cell_apply_groups; callable only by that change''s writing statements';

CREATE FUNCTION @extschema@.cell_apply_change(collect pg_catalog.text, write pg_catalog.text, cleanup pg_catalog.text)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'sqii_cell_apply_change' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.cell_apply_change(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
    'internal: apply a change to maintained cells given its statements (sqii.cell_collect_sql, sqii.cell_write_sql, sqii.cell_cleanup_sql); returns the number of unit rows written';

CREATE FUNCTION @extschema@.cell_cleanup_sql(definition pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.format('WITH made AS (UPDATE %1$s c SET groups = @extschema@.cell_change_apply($3, c.sqii_change, NULL), '
                         'sqii_change = NULL WHERE c.ctid OPERATOR(pg_catalog.=) ANY ($2)) '
                         'DELETE FROM %1$s WHERE ctid OPERATOR(pg_catalog.=) ANY ($1) AND groups IS NULL',
                         definition OPERATOR(pg_catalog.->>) 'store');
COMMENT ON FUNCTION @extschema@.cell_cleanup_sql(pg_catalog.jsonb) IS
    'internal: after the write of a change, the tallies of the unit rows it inserted (ctids $2, token $3) and the DELETE of those it emptied (ctids $1)';

CREATE FUNCTION @extschema@.create_cells(
    cells pg_catalog.text,
    students pg_catalog.regclass,
    units pg_catalog.text[],
    indicators pg_catalog.text[],
    groups pg_catalog.text[],
    decimals pg_catalog.jsonb DEFAULT '{}',
    triggers pg_catalog.bool DEFAULT true)
RETURNS pg_catalog.regclass
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    student_rel record;
    cell_name text[];
    cell_qualified text;
    store_qualified text;
    cell_rel regclass;
    def jsonb;
    ind jsonb := '[]';
    col record;
    stored text;
    coldefs text[] := '{}';
    all_cols text[];
    p record;
    op text;
    trig_name text;
    trig_names text[] := '{}';
    hint_cols text := 'Name columns of the student table.';
    lz4 bool := 'lz4' = ANY ((SELECT s.enumvals FROM pg_settings s WHERE s.name = 'default_toast_compression')::text[]);
BEGIN
    SELECT c.relkind, c.relname, n.nspname INTO student_rel
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = students;
    IF student_rel.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'sqii.create_cells needs a table of students, and % is not a table', students
            USING ERRCODE = 'wrong_object_type', HINT = 'Maintained cells follow an ordinary or partitioned table.';
    END IF;
    cell_name := parse_ident(cells);
    IF cardinality(cell_name) = 1 THEN
        cell_name := ARRAY[student_rel.nspname] || cell_name;
    ELSIF cardinality(cell_name) <> 2 THEN
        RAISE EXCEPTION 'cell table name "%" has too many parts', cells
            USING ERRCODE = 'invalid_name', HINT = 'Give the cell table as name or schema.name.';
    END IF;
    cell_qualified := format('%I.%I', cell_name[1], cell_name[2]);
    store_qualified := format('%I.%I', cell_name[1], left(cell_name[2], 58) || '_sqii');
    IF coalesce(cardinality(units), 0) = 0 OR coalesce(cardinality(indicators), 0) = 0
       OR coalesce(cardinality(groups), 0) = 0 THEN
        RAISE EXCEPTION 'sqii.create_cells needs units, indicators and groups'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'units: the columns of a cell''s unit (e.g. school_year, school_id); indicators: the columns to tally; groups: the arguments of sqii.group_mask, or one column holding the group mask.';
    END IF;
    IF cardinality(indicators) > 97 THEN
        RAISE EXCEPTION 'sqii.create_cells takes at most 97 indicators'
            USING ERRCODE = 'program_limit_exceeded', HINT = 'Split the indicators over several cell tables.';
    END IF;
    IF decimals IS NULL OR jsonb_typeof(decimals) <> 'object' THEN
        RAISE EXCEPTION 'decimals must be a jsonb object'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Map each fractional indicator to the decimal places it keeps, e.g. ''{"sel_score": 2}''.';
    END IF;
    IF EXISTS (SELECT FROM unnest(units || indicators) c GROUP BY c HAVING count(*) > 1) THEN
        RAISE EXCEPTION 'sqii.create_cells: a column is named twice in units and indicators'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Each column is a unit or an indicator, once.';
    END IF;
    -- Every named column exists.
    SELECT string_agg(quote_ident(c), ', ') INTO stored
    FROM unnest(units || indicators || groups) c
    WHERE NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = students AND a.attname = c
                                                    AND a.attnum > 0 AND NOT a.attisdropped);
    IF stored IS NOT NULL THEN
        RAISE EXCEPTION 'table % has no column %', students, stored
            USING ERRCODE = 'undefined_column', HINT = hint_cols;
    END IF;
    -- Units: NOT NULL columns, the cell table's key.
    FOR col IN SELECT u, a.attnotnull, format_type(a.atttypid, a.atttypmod) AS typ
               FROM unnest(units) WITH ORDINALITY AS x(u, o)
               JOIN pg_attribute a ON a.attrelid = students AND a.attname = x.u
               ORDER BY x.o LOOP
        IF NOT col.attnotnull THEN
            RAISE EXCEPTION 'unit column % of % may be NULL', quote_ident(col.u), students
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Unit columns are the key of the cells: declare them NOT NULL.';
        END IF;
        coldefs := coldefs || format('%I %s NOT NULL', col.u, col.typ);
    END LOOP;
    coldefs := coldefs || ARRAY['groups @extschema@.tally[]', 'sqii_change pg_catalog.int8'];
    -- Indicators: booleans are counted, integers summed, fractional numbers
    -- summed as whole numbers of 10^-decimals.
    IF EXISTS (SELECT FROM jsonb_each(decimals) d WHERE d.key <> ALL (indicators)) THEN
        RAISE EXCEPTION 'decimals names a column that is not an indicator'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'List it in indicators too.';
    END IF;
    FOR col IN SELECT x.c, t.typname, decimals -> x.c AS dec
               FROM unnest(indicators) WITH ORDINALITY AS x(c, o)
               JOIN pg_attribute a ON a.attrelid = students AND a.attname = x.c
               JOIN pg_type t ON t.oid = CASE WHEN (SELECT typtype FROM pg_type WHERE oid = a.atttypid) = 'd'
                                             THEN (SELECT typbasetype FROM pg_type WHERE oid = a.atttypid)
                                             ELSE a.atttypid END
               ORDER BY x.o LOOP
        IF col.typname NOT IN ('bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric') THEN
            RAISE EXCEPTION 'indicator column % has type %, which sqii cannot tally', quote_ident(col.c), col.typname
                USING ERRCODE = 'datatype_mismatch',
                      HINT = 'Indicators are boolean (met or not) or numbers (smallint, integer, bigint, real, double precision, numeric).';
        END IF;
        IF col.dec IS NOT NULL AND (col.typname IN ('bool', 'int2', 'int4', 'int8') OR jsonb_typeof(col.dec) <> 'number'
                                    OR col.dec::text !~ '^[0-6]$') THEN
            RAISE EXCEPTION 'decimals of % must be a whole number from 0 to 6, for a real, double precision or numeric column',
                            quote_ident(col.c)
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Booleans and integers need no decimals; other values keep 0 decimal places unless told.';
        END IF;
        ind := ind || jsonb_build_object(
            'column', col.c,
            'type', CASE col.typname WHEN 'float4' THEN 'real' WHEN 'bool' THEN 'boolean' ELSE col.typname END,
            'decimals', CASE WHEN col.typname IN ('bool', 'int2', 'int4', 'int8') THEN NULL
                             ELSE coalesce(col.dec::text::int, 0) END);
    END LOOP;
    def := jsonb_build_object('cells', cell_qualified, 'store', store_qualified,
                              'students', format('%I.%I', student_rel.nspname, student_rel.relname),
                              'units', to_jsonb(units), 'indicators', ind, 'groups', to_jsonb(groups));
    p := @extschema@.cell_sql_parts(def);
    all_cols := units || ARRAY['group_code', 'students'] || indicators
                || ARRAY(SELECT x.s FROM unnest(p.stored, indicators) AS x(s, i) WHERE x.s <> x.i);
    IF EXISTS (SELECT FROM unnest(all_cols) c GROUP BY c HAVING count(*) > 1)
       OR EXISTS (SELECT FROM unnest(units) u WHERE u = 'groups' OR u LIKE 'sqii\_%') THEN
        RAISE EXCEPTION 'the cell table would have two columns of the same name'
            USING ERRCODE = 'duplicate_column',
                  HINT = 'group_code and students are the cell table''s own columns (groups and names beginning with sqii_ are its unit rows'' and changes''), and a column with decimals d is shown as name_x10^d too: rename the clashing column.';
    END IF;
    -- The group mask must be computable from the named columns.
    BEGIN
        EXECUTE format('SELECT @extschema@.tallies_by_group(%s) FROM %s s LIMIT 0', p.args, students);
    EXCEPTION WHEN undefined_function OR datatype_mismatch THEN
        RAISE EXCEPTION 'groups must be the arguments of sqii.group_mask or one bigint column holding the mask'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ARRAY[''race'', ''el'', ''sed'', ''swd'', ''foster'', ''homeless''] (text, then booleans), or ARRAY[''groups''].';
    END;
    -- Changes are gathered by unit in C (sqii.cell_apply_change), which
    -- checks the units' types when it starts: start it on no rows.
    PERFORM @extschema@.cell_apply_change(
        @extschema@.cell_collect_sql(def, format('(SELECT * FROM %s LIMIT 0)', students), NULL), '', '');

    -- The unit rows (about 2 kB for 14 groups x 6 indicators) are kept
    -- inline, with room on the page for updated versions.  Where the server
    -- has lz4 they are compressed (to about 1 kB): every statement of a
    -- transaction writes a new version of the rows it touches, and those
    -- versions must fit on the page beside the older ones, which the
    -- transaction still holds, for the update to stay on the page (HOT).  lz4
    -- costs a few microseconds per row; pglz would cost more than the update.
    EXECUTE format('CREATE TABLE %s (%s, PRIMARY KEY (%s)) WITH (fillfactor = 60, toast_tuple_target = %s)',
                   store_qualified, array_to_string(coldefs, ', '), p.unit_list,
                   CASE WHEN lz4 THEN 128 ELSE 8160 END);
    IF lz4 THEN
        -- MAIN: compressed in the row, moved out of it only past a page.
        -- Unit columns of variable length are MAIN too: otherwise a long
        -- text unit would leave the row before the tallies are compressed.
        EXECUTE format('ALTER TABLE %s ALTER COLUMN groups SET STORAGE MAIN, ALTER COLUMN groups SET COMPRESSION lz4%s',
                       store_qualified,
                       (SELECT string_agg(format(', ALTER COLUMN %I SET STORAGE MAIN', x.u), '' ORDER BY x.o)
                        FROM unnest(units) WITH ORDINALITY AS x(u, o)
                        JOIN pg_attribute a ON a.attrelid = students AND a.attname = x.u
                        JOIN pg_type t ON t.oid = a.atttypid
                        WHERE t.typstorage <> 'p'));
    END IF;
    EXECUTE format('CREATE VIEW %s AS %s', cell_qualified, @extschema@.cell_view_sql(def, store_qualified || ' s'));
    cell_rel := cell_qualified::regclass;
    EXECUTE format('COMMENT ON VIEW %s IS %L', cell_qualified,
                   format('sqii maintained cells of %s: one row per %s and student group (see sqii.cell_definition)',
                          students, array_to_string(units, ', ')));
    EXECUTE format('COMMENT ON COLUMN %s.students IS %L', cell_qualified, 'number of students in the cell');
    EXECUTE format('COMMENT ON TABLE %s IS %L', store_qualified,
                   format('sqii maintained cells of %s, one row per %s (read them through %s)',
                          students, array_to_string(units, ', '), cell_qualified));
    EXECUTE format('COMMENT ON COLUMN %s.groups IS %L', store_qualified,
                   'the unit''s sqii.tallies_by_group result: [group bit + 1][1] counts the students, [group bit + 1][i + 1] is indicator i');
    EXECUTE format('COMMENT ON COLUMN %s.sqii_change IS %L', store_qualified,
                   'always NULL: carries the number of a unit in the change being written into ON CONFLICT DO UPDATE');

    FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
        trig_name := left(cell_name[2], 45) || '_sqii_' || op;
        EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s %s FOR EACH STATEMENT '
                       'EXECUTE FUNCTION @extschema@.cells_trigger(%L, %L, %L, %L)',
                       trig_name, upper(op), students,
                       CASE op WHEN 'insert' THEN 'REFERENCING NEW TABLE AS sqii_new'
                               WHEN 'update' THEN 'REFERENCING OLD TABLE AS sqii_old NEW TABLE AS sqii_new'
                               WHEN 'delete' THEN 'REFERENCING OLD TABLE AS sqii_old' ELSE '' END,
                       def::text,
                       CASE op WHEN 'truncate' THEN format('DELETE FROM %s', store_qualified)
                               ELSE @extschema@.cell_collect_sql(def, CASE WHEN op <> 'delete' THEN 'sqii_new' END,
                                                                 CASE WHEN op <> 'insert' THEN 'sqii_old' END) END,
                       CASE op WHEN 'truncate' THEN '' ELSE @extschema@.cell_write_sql(def) END,
                       CASE op WHEN 'truncate' THEN '' ELSE @extschema@.cell_cleanup_sql(def) END);
        IF NOT triggers THEN
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', students, trig_name);
        END IF;
    END LOOP;
    -- Fill the cells; the share lock keeps writers out until the end of the
    -- transaction, so no change is missed between the scan and the triggers.
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', students);
    EXECUTE format('INSERT INTO %s (%s, groups) %s', store_qualified, p.unit_list,
                   @extschema@.cell_units_sql(def));
    RETURN cell_rel;
END
$$;
COMMENT ON FUNCTION @extschema@.create_cells(pg_catalog.text, pg_catalog.regclass, pg_catalog.text[], pg_catalog.text[],
                                             pg_catalog.text[], pg_catalog.jsonb, pg_catalog.bool) IS
    'create a cell table (one row per unit and student group, a tally per indicator) that follows a student table: filled now, kept by statement triggers (triggers = false: by sqii.apply_cell_changes)';

-- The definition of a cell table, or an error.
CREATE FUNCTION @extschema@.cell_definition_of(cells pg_catalog.regclass) RETURNS pg_catalog.jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    def jsonb := @extschema@.cell_definition(cells);
BEGIN
    IF def IS NULL THEN
        RAISE EXCEPTION '% is not a table of maintained cells', cells
            USING ERRCODE = 'wrong_object_type', HINT = 'Create one with sqii.create_cells.';
    END IF;
    RETURN def;
END
$$;
COMMENT ON FUNCTION @extschema@.cell_definition_of(pg_catalog.regclass) IS
    'internal: sqii.cell_definition, or an error when the table is not a maintained cell table';

CREATE FUNCTION @extschema@.apply_cell_changes(cells pg_catalog.regclass, removed pg_catalog.regclass,
                                               added pg_catalog.regclass)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    def jsonb := @extschema@.cell_definition_of(cells);
    sql text;
    changed bigint := 0;
BEGIN
    IF EXISTS (SELECT FROM @extschema@.cell_triggers(cells) t WHERE t.enabled) THEN
        RAISE EXCEPTION 'the triggers of % are enabled: its cells follow every change already', cells
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Apply changes in one call only to cells created with triggers => false.';
    END IF;
    sql := @extschema@.cell_collect_sql(def, added::text, removed::text);
    IF sql IS NOT NULL THEN
        changed := @extschema@.cell_apply_change(sql, @extschema@.cell_write_sql(def), @extschema@.cell_cleanup_sql(def));
    END IF;
    RETURN changed;
END
$$;
COMMENT ON FUNCTION @extschema@.apply_cell_changes(pg_catalog.regclass, pg_catalog.regclass, pg_catalog.regclass) IS
    'batch mode: apply to a maintained cell table the students removed (old rows) and added (new rows) by a load, in one statement; returns the number of units written';

CREATE FUNCTION @extschema@.rebuild_cells(cells pg_catalog.regclass)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    def jsonb := @extschema@.cell_definition_of(cells);
    p record := @extschema@.cell_sql_parts(def);
    n bigint;
BEGIN
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', def ->> 'students');
    EXECUTE format('DELETE FROM %s', def ->> 'store');
    EXECUTE format('INSERT INTO %s (%s, groups) %s', def ->> 'store', p.unit_list,
                   @extschema@.cell_units_sql(def));
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.rebuild_cells(pg_catalog.regclass) IS
    'recompute every cell of a maintained cell table in one pass over its students (writers wait); returns the number of units';

CREATE FUNCTION @extschema@.check_cells(cells pg_catalog.regclass)
RETURNS TABLE (unit pg_catalog.jsonb, group_code pg_catalog.text, maintained pg_catalog.jsonb,
               recomputed pg_catalog.jsonb)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    def jsonb := @extschema@.cell_definition_of(cells);
    p record := @extschema@.cell_sql_parts(def);
    on_units text := (SELECT string_agg(format('m.%1$I OPERATOR(pg_catalog.=) r.%1$I', u), ' AND ')
                      FROM unnest(p.units || ARRAY['group_code']) u);
    unit_cols text := (SELECT string_agg(format('%L, COALESCE(m.%2$I, r.%2$I)', u, u), ', ') FROM unnest(p.units) u);
    cell_cols text := (SELECT string_agg(format('%L, x.%I::pg_catalog.text', c, c), ', ')
                       FROM unnest(ARRAY['students'] || p.stored) c);
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT pg_catalog.jsonb_build_object(%1$s), COALESCE(m.group_code, r.group_code), '
        '(SELECT pg_catalog.jsonb_build_object(%2$s) FROM (SELECT m.*) x WHERE m.group_code IS NOT NULL), '
        '(SELECT pg_catalog.jsonb_build_object(%2$s) FROM (SELECT r.*) x WHERE r.group_code IS NOT NULL) '
        'FROM (SELECT * FROM %3$s) m FULL JOIN (%4$s) r ON %5$s '
        'WHERE (SELECT pg_catalog.jsonb_build_object(%2$s) FROM (SELECT m.*) x) '
        'IS DISTINCT FROM (SELECT pg_catalog.jsonb_build_object(%2$s) FROM (SELECT r.*) x) '
        'ORDER BY 1, 2',
        unit_cols, cell_cols, cells, @extschema@.cell_rows_sql(def), on_units);
END
$$;
COMMENT ON FUNCTION @extschema@.check_cells(pg_catalog.regclass) IS
    'the cells of a maintained cell table that differ from a full recomputation (none when in step), with both versions as text';

CREATE FUNCTION @extschema@.drop_cells(cells pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    def jsonb := @extschema@.cell_definition_of(cells);
    trig record;
BEGIN
    FOR trig IN SELECT t.trigger_name, t.students FROM @extschema@.cell_triggers(cells) t LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', trig.trigger_name, trig.students);
    END LOOP;
    EXECUTE format('DROP VIEW %s', cells);
    EXECUTE format('DROP TABLE %s', def ->> 'store');
END
$$;
COMMENT ON FUNCTION @extschema@.drop_cells(pg_catalog.regclass) IS
    'drop a maintained cell table and its triggers on the student table';

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
