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
    ('graduation', sqii.pct(t.graduated, 1), sqii.n(t.graduated)),
    ('ela_growth', sqii.mean(t.ela_sgp, 1), sqii.n(t.ela_sgp)),
    ('math_growth', sqii.mean(t.math_sgp, 1), sqii.n(t.math_sgp)),
    ('hs_readiness', sqii.pct(t.hs_ready, 1), sqii.n(t.hs_ready)),
    ('el_redesignation', sqii.pct(t.redesignated, 1), sqii.n(t.redesignated)),
    ('sel_survey', sqii.mean(t.sel_score, 1), sqii.n(t.sel_score)),
    ('culture_climate_survey', sqii.pct(t.climate_favorable, 1), sqii.n(t.climate_favorable))
) AS c(indicator, value, n)
WHERE c.n > 0;

-- Deciles of the baseline year's school values (all students, n >= 20),
-- frozen into the core-2016 model (growth percentiles need no cut points).
SELECT indicator,
       sqii.freeze_cutpoints('core-2016', indicator, 2017, sqii.cutpoints(10) WITHIN GROUP (ORDER BY value))
FROM sample.index_cell
WHERE school_year = 2017 AND group_code = 'ALL' AND n >= 20
  AND indicator NOT IN ('ela_growth', 'math_growth')
GROUP BY indicator;

CREATE MATERIALIZED VIEW sample.school_index AS
SELECT school_year, school_id, level,
       (sqii.sqii_index('core-2016', level, indicator, group_code, value, n)).*
FROM sample.index_cell
GROUP BY school_year, school_id, level;

-- The lowest 5% of each school level, ties at the boundary included.  Rank
-- and pool size as integer, which every driver reads as a number.
CREATE VIEW sample.identified AS
SELECT school_year, school_id, level, index, coverage,
       (rank() OVER w)::int AS rank_in_pool,
       (count(*) OVER (PARTITION BY school_year, level))::int AS pool_size,
       rank() OVER w <= sqii.identification_count(count(*) OVER (PARTITION BY school_year, level)) AS identified
FROM sample.school_index
WHERE index IS NOT NULL
WINDOW w AS (PARTITION BY school_year, level ORDER BY index);

-- Subgroup identification: a school whose index for one student group (its
-- cells read as the whole school's) is at or below the all-students threshold
-- of its pool's lowest 5% (the highest index identified in the pool).
CREATE VIEW sample.subgroup_identified AS
WITH threshold AS (
    SELECT school_year, level, max(index) AS threshold
    FROM sample.identified WHERE identified GROUP BY school_year, level
), subgroup AS (
    SELECT school_year, school_id, level, group_code,
           (sqii.sqii_index('core-2016', level, indicator, 'ALL', value, n)).index AS index
    FROM sample.index_cell WHERE group_code <> 'ALL'
    GROUP BY school_year, school_id, level, group_code
)
SELECT s.school_year, s.school_id, s.level, s.group_code, s.index, t.threshold
FROM subgroup s JOIN threshold t USING (school_year, level)
WHERE s.index <= t.threshold;

-- Peer lag ("flashing red light"): a domain whose mean level is 3 or more
-- levels below the median of the same domain across schools of the same level.
CREATE VIEW sample.peer_lag AS
WITH domain_level AS (
    SELECT e.school_year, e.school_id, e.level, d.domain, d.level AS domain_level
    FROM (SELECT school_year, school_id, level,
                 sqii.explain('core-2016', level, indicator, group_code, value, n) AS explanation
          FROM sample.index_cell GROUP BY school_year, school_id, level) e
    CROSS JOIN LATERAL sqii.domain_levels(e.explanation) d
), peer AS (
    SELECT school_year, level, domain, percentile_cont(0.5) WITHIN GROUP (ORDER BY domain_level) AS peer_median
    FROM domain_level GROUP BY school_year, level, domain
)
SELECT dl.*, p.peer_median, dl.domain_level <= p.peer_median - 3 AS lags
FROM domain_level dl JOIN peer p USING (school_year, level, domain);
