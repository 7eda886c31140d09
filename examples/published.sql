-- The published tables of the sample district: for every indicator and year,
-- one table of schools by student group with the district as its total row.
-- Cells of 1-10 students are hidden (primary suppression) and so are the
-- further cells sqii.suppression picks so that no hidden cell can be computed
-- from published ones (complementary suppression): a school's race groups add
-- up to its all-students cell, and the schools add up to the district.
-- Run after indicators.sql.

-- Every cell of every indicator table: a school's (or the district's, school_id
-- NULL) tally of a student group.
CREATE VIEW sample.indicator_cell AS
SELECT g.school_year, i.indicator, i.measure, g.school_id, g.group_code, i.t
FROM sample.group_tally g
CROSS JOIN LATERAL (VALUES ('chronic_absent', 'pct', g.chronic_absent),
                           ('suspended', 'pct', g.suspended),
                           ('ela_met', 'pct', g.ela_met),
                           ('math_met', 'pct', g.math_met),
                           ('ela_dfs', 'mean', g.ela_dfs),
                           ('math_dfs', 'mean', g.math_dfs),
                           ('on_track', 'pct', g.on_track),
                           ('graduated', 'pct', g.graduated)) AS i(indicator, measure, t);

CREATE VIEW sample.published_cell AS
SELECT c.school_year, c.indicator, c.measure, c.school_id, c.group_code, c.t,
       sqii.suppression(COALESCE('school ' || c.school_id, 'district') || ' ' || c.group_code,
                        sqii.n(c.t), s.total_of, s.part_of)
           OVER (PARTITION BY c.school_year, c.indicator) AS suppressed
FROM sample.indicator_cell c
CROSS JOIN LATERAL sqii.group_sums(c.school_id::text, c.group_code) AS s;

-- What may leave the building, and all the public role may read: text for
-- dashboards (shown), and for BI tools a value that is NULL unless it may be
-- published exactly, n from the privacy minimum up, and the reason.  value is
-- double precision and n integer so that every driver reads numbers
-- (node-postgres hands numeric and bigint over as strings); the double nearest
-- the rounded value prints as that value.
-- Materialized views cannot carry row-level security and are refreshed with
-- their owner's rights, so this one holds publishable cells only.
CREATE MATERIALIZED VIEW sample.published AS
SELECT pc.school_year, pc.indicator, pc.school_id, pc.group_code,
       CASE WHEN pc.suppressed IS NULL THEN sqii.display(pc.t, pc.measure) ELSE '*' END AS shown,
       CASE WHEN pc.suppressed IS NULL THEN (p.cell).value::float8 END AS value,
       CASE WHEN pc.suppressed IS NULL THEN (p.cell).n::int END AS n,
       COALESCE(pc.suppressed, (p.cell).reason) AS reason
FROM sample.published_cell pc
CROSS JOIN LATERAL (SELECT sqii.published(pc.t, pc.measure)) AS p(cell);
CREATE UNIQUE INDEX ON sample.published (school_year, indicator, school_id, group_code);

-- The 0.2 release (README, "Publishing a release"): every cell of a school
-- year (all indicators, all schools, the district row) protected together
-- against an attacker who links them all, starting from the cells of 1-10
-- students (privacy_min - 1; the protection's sums and links rules then hide
-- what the per-table pattern above would, and more).  tools/publish-release
-- protects and audits it, and only then creates sample.release, the one
-- table BI tools and the report read:
--   tools/publish-release sample.release_input sample.release
CREATE VIEW sample.release_input AS
SELECT school_year, school_id, group_code, indicator, measure, t,
       CASE WHEN sqii.n(t) BETWEEN 1 AND 10 THEN 'privacy' END AS suppressed
FROM sample.indicator_cell;
