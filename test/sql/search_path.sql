-- Hostile search_path: a user puts a schema full of look-alike operators and
-- functions ahead of pg_catalog.  Every sqii result must stay the same,
-- because function bodies are bound at creation (BEGIN ATOMIC), pin their
-- search_path, or qualify every operator, including queries run from C.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;

CREATE TEMP TABLE probe (name text, sql text);
-- The probes qualify their own built-ins: only sqii's insides are on trial.
INSERT INTO probe VALUES
    ('tally', $$SELECT sqii.tally(x)::text FROM (VALUES (1.5::float8), (2), (NULL)) v(x)$$),
    ('pct', $$SELECT sqii.pct(b, 2)::text FROM (VALUES (true), (false), (true)) v(b)$$),
    ('complement', $$SELECT sqii.complement('(100,40,40)', '(30,20,20)')::text$$),
    ('gap', $$SELECT sqii.pct_gap('(30,20,20)', '(70,20,20)', 20)::text$$),
    ('groups', $$SELECT sqii.groups('HI', true, true, false, NULL, false)::text$$),
    ('group_tallies', $$SELECT string_agg(group_code || tally::text, ',') FROM sqii.group_tallies(
        (SELECT sqii.tally_by_group(sqii.group_mask(r, e, false, false, false, false), m)
         FROM (VALUES ('HI', true, true), ('WH', false, false)) v(r, e, m)))$$),
    ('dfs', $$SELECT sqii.dfs('math', 8, 2600)::text$$),
    ('round', $$SELECT sqii.round_half_up(2.45)::text$$),
    ('dashboard', $$SELECT sqii.dashboard('graduation', '(200,180,180)', '(200,170,170)')::text$$),
    ('dashboard_years', $$SELECT sqii.dashboard('chronic_absenteeism', '(200,30,30)', '(200,20,20)', dashboard_year => 2023)::text
        || sqii.dashboard('ela_3_8', '(40,0,0)', dashboard_year => 2022)::text
        || sqii.dashboard_level('suspension_hs', 'status', 1.6, 2024)::text
        || (SELECT pg_catalog.count(*) FROM sqii.dashboard_rules(2024))::text$$),
    ('level', $$SELECT sqii.level(25, ARRAY[10, 20, 30], false)::text$$),
    ('cutpoints', $$SELECT (sqii.cutpoints(4) WITHIN GROUP (ORDER BY v))::text FROM pg_catalog.unnest(ARRAY[8, 1, 4, 2]::float8[]) v$$),
    ('display', $$SELECT sqii.display('(300,299,299)') || sqii.display('(45,20,20)')$$),
    ('identification', $$SELECT sqii.identification_count(100, 0.07)::text$$),
    ('suppression', $$SELECT string_agg(c || ':' || COALESCE(s, '-'), ',' ORDER BY c) FROM (
        SELECT c, sqii.suppression(c, n, t, p) OVER () AS s
        FROM (VALUES ('T', 100::int8, '{s}'::text[], '{}'::text[]), ('A', 3, '{}', '{s}'),
                     ('B', 40, '{}', '{s}'), ('C', 25, '{}', '{s}'), ('D', 32, '{}', '{s}')) v(c, n, t, p)) x$$),
    ('group_sums', $$SELECT (sqii.group_sums('12', 'HI'))::text || (sqii.group_sums(NULL, 'ALL'))::text$$),
    ('index', $$SELECT (sqii.sqii_index('core-2016', 'elementary', i, g, v, 100))::text
                FROM (VALUES ('ela_growth', 'ALL', 55), ('ela_growth', 'HI', 35), ('math_growth', 'ALL', 75)) c(i, g, v)$$);

CREATE FUNCTION probe_all() RETURNS TABLE (name text, result text) LANGUAGE plpgsql AS $$
DECLARE p record;
BEGIN
    FOR p IN SELECT * FROM probe ORDER BY probe.name LOOP
        name := p.name;
        EXECUTE p.sql INTO result;
        RETURN NEXT;
    END LOOP;
END $$;
CREATE TEMP TABLE normal AS SELECT * FROM probe_all();
SELECT * FROM normal ORDER BY name;

-- The look-alikes: equality that is always false (or true), arithmetic that
-- lies, unnest that returns nothing, round that returns 42.
CREATE SCHEMA evil;
CREATE FUNCTION evil.eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.eq);
CREATE FUNCTION evil.ieq(int, int) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = evil.ieq);
CREATE FUNCTION evil.le(float8, float8) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.<= (LEFTARG = float8, RIGHTARG = float8, FUNCTION = evil.le);
CREATE FUNCTION evil.lt(numeric, numeric) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.<= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = evil.lt);
CREATE FUNCTION evil.plus(float8, float8) RETURNS float8 LANGUAGE sql AS 'SELECT 0::float8';
CREATE OPERATOR evil.+ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = evil.plus);
CREATE OPERATOR evil.- (LEFTARG = float8, RIGHTARG = float8, FUNCTION = evil.plus);
CREATE OPERATOR evil./ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = evil.plus);
CREATE OPERATOR evil.* (LEFTARG = float8, RIGHTARG = float8, FUNCTION = evil.plus);
CREATE FUNCTION evil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql AS 'SELECT NULL WHERE false';
CREATE FUNCTION evil.round(numeric, int) RETURNS numeric LANGUAGE sql AS 'SELECT 42::numeric';
CREATE FUNCTION evil.ceil(numeric) RETURNS numeric LANGUAGE sql AS 'SELECT 42::numeric';
CREATE FUNCTION evil.abs(float8) RETURNS float8 LANGUAGE sql AS 'SELECT 0::float8';

-- The trap works on ordinary SQL...
SET search_path = evil, public, pg_catalog;
SELECT 'a' = 'a' AS text_equal, 1.5::float8 + 1.5::float8 AS plus, round(2.45, 1) AS rounded;
-- ...but not on sqii.
CREATE TEMP TABLE hostile AS SELECT * FROM public.probe_all();
RESET search_path;
SELECT count(*) AS probes, count(*) FILTER (WHERE h.result IS DISTINCT FROM n.result) AS changed
FROM normal n JOIN hostile h USING (name);
SELECT n.name, n.result AS normal, h.result AS hostile
FROM normal n JOIN hostile h USING (name) WHERE h.result IS DISTINCT FROM n.result ORDER BY 1;

SET client_min_messages = warning;
DROP SCHEMA evil CASCADE;
RESET client_min_messages;
DROP FUNCTION probe_all();
