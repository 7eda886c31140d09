
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
