-- The SQII story on the sample district: indicator cells -> cut points frozen
-- from the baseline year (2017) -> the 2018 index per school -> the lowest 5%
-- of each school level identified -> one school explained.

-- Long-format cells: one row per school, year, group and indicator.
CREATE VIEW sample.index_cell AS
SELECT t.school_year, t.school_id, sc.level, c.indicator, t.group_code, c.value, c.n
FROM sample.school_group_tally t
JOIN sample.schools sc USING (school_id)
CROSS JOIN LATERAL (VALUES
    ('ela_performance', sqii.mean(t.ela_dfs, 1), sqii.n(t.ela_dfs)),
    ('math_performance', sqii.mean(t.math_dfs, 1), sqii.n(t.math_dfs)),
    ('chronic_absenteeism', sqii.pct(t.chronic_absent, 1), sqii.n(t.chronic_absent)),
    ('suspension', sqii.pct(t.suspended, 1), sqii.n(t.suspended)),
    ('graduation', sqii.pct(t.graduated, 1), sqii.n(t.graduated))
) AS c(indicator, value, n)
WHERE c.n > 0;

-- Deciles of the baseline year's school values (all students, n >= 20),
-- frozen into the core-2016 model.
SELECT indicator,
       sqii.freeze_cutpoints('core-2016', indicator, 2017, sqii.cutpoints(10) WITHIN GROUP (ORDER BY value))
FROM sample.index_cell
WHERE school_year = 2017 AND group_code = 'ALL' AND n >= 20
GROUP BY indicator;

CREATE MATERIALIZED VIEW sample.school_index AS
SELECT school_year, school_id, level,
       (sqii.sqii_index('core-2016', level, indicator, group_code, value, n)).*
FROM sample.index_cell
GROUP BY school_year, school_id, level;

-- The lowest 5% of each school level, ties at the boundary included.
CREATE VIEW sample.identified AS
SELECT school_year, school_id, level, index, coverage,
       rank() OVER w AS rank_in_pool,
       count(*) OVER (PARTITION BY school_year, level) AS pool_size,
       rank() OVER w <= sqii.identification_count(count(*) OVER (PARTITION BY school_year, level)) AS identified
FROM sample.school_index
WHERE index IS NOT NULL
WINDOW w AS (PARTITION BY school_year, level ORDER BY index);
