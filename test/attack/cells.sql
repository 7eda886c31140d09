-- The cells of the published tables as the attacker's JSON input.  :source
-- is fixture_naive, fixture_sqii, district_primary or district_sqii.
SELECT json_agg(c ORDER BY c.tbl, c.cell) FROM (
    SELECT f.tbl, f.cell, f.n, f.m, f.naive_hidden AS hidden,
           CASE WHEN NOT f.naive_hidden THEN sqii.display(sqii.make_tally(f.n, f.m, f.m)) END AS shown,
           f.total_of, f.part_of
    FROM attack.cell f WHERE :'source' = 'fixture_naive'
    UNION ALL
    SELECT f.tbl, f.cell, f.n, f.m, s.hidden,
           CASE WHEN NOT s.hidden THEN sqii.display(sqii.make_tally(f.n, f.m, f.m)) END,
           f.total_of, f.part_of
    FROM attack.cell f
    JOIN (SELECT tbl, cell, sqii.suppression(cell, n, total_of, part_of) OVER (PARTITION BY tbl) IS NOT NULL
          FROM attack.cell) AS s(tbl, cell, hidden) USING (tbl, cell)
    WHERE :'source' = 'fixture_sqii'
    UNION ALL
    -- The district: with primary suppression only, counts only (it must leak),
    -- or as published (sample.published), counts and rates.
    SELECT pc.school_year || ' ' || pc.indicator,
           COALESCE('school ' || pc.school_id, 'district') || ' ' || pc.group_code,
           COALESCE(sqii.n(pc.t), 0),
           CASE WHEN pc.measure = 'pct' AND :'source' = 'district_sqii' THEN COALESCE(sqii.sum(pc.t), 0)::int8 END,
           CASE :'source' WHEN 'district_sqii' THEN pc.suppressed IS NOT NULL
                ELSE pc.suppressed IS NOT DISTINCT FROM 'privacy' END,
           p.shown, s.total_of, s.part_of
    FROM sample.published_cell pc
    JOIN sample.published p
      ON (p.school_year, p.indicator, p.group_code) = (pc.school_year, pc.indicator, pc.group_code)
     AND p.school_id IS NOT DISTINCT FROM pc.school_id
    CROSS JOIN LATERAL sqii.group_sums(pc.school_id::text, pc.group_code) AS s
    WHERE pc.school_year = 2018
      AND (:'source' = 'district_sqii' OR (:'source' = 'district_primary' AND pc.indicator = 'chronic_absent'))
) AS c;
