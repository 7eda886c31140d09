-- The public rows of a release as the attacker's JSON input, with the true
-- count and numerator of each cell (true_n, true_m: only to check that the
-- attacker's bounds hold, never as knowledge).  :rel is published (the 0.1
-- tables, sample.published) or release (the 0.2 release, sample.release).
SELECT :'rel' = 'release' AS is_release \gset
\if :is_release
SELECT json_agg(r) FROM (
    SELECT p.school_year, p.indicator, p.measure, p.school_id, p.group_code,
           p.shown, p.value, p.n, p.status, p.lower, p.upper,
           sqii.n(c.t) AS true_n, sqii.sum(c.t)::int8 AS true_m
    FROM sample.release p
    JOIN sample.release_input c
      ON (c.school_year, c.indicator, c.group_code) = (p.school_year, p.indicator, p.group_code)
     AND c.school_id IS NOT DISTINCT FROM p.school_id
) r;
\else
SELECT json_agg(r) FROM (
    SELECT p.school_year, p.indicator, c.measure, p.school_id, p.group_code,
           p.shown, p.value, p.n, p.reason,
           sqii.n(c.t) AS true_n, sqii.sum(c.t)::int8 AS true_m
    FROM sample.published p
    JOIN sample.release_input c
      ON (c.school_year, c.indicator, c.group_code) = (p.school_year, p.indicator, p.group_code)
     AND c.school_id IS NOT DISTINCT FROM p.school_id
) r;
\endif
