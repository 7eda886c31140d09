
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
