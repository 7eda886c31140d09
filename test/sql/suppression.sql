-- Complementary suppression (sqii.suppression), on tables small enough to
-- work out by hand.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sqii;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE TEMP TABLE cell (tbl text, cell text, n int8, total_of text[], part_of text[]);
-- One sum: a school of 100 whose groups are 3, 40, 25, 32.  The 3 alone
-- would be 100 - 40 - 25 - 32; hiding the smallest other group (25) leaves
-- 28 for the two, which does not tell either.
INSERT INTO cell VALUES ('one hidden', 'school', 100, '{s}', '{}'),
    ('one hidden', 'A', 3, '{}', '{s}'), ('one hidden', 'B', 40, '{}', '{s}'),
    ('one hidden', 'C', 25, '{}', '{s}'), ('one hidden', 'D', 32, '{}', '{s}');
-- Two small groups (3 and 4) hide each other from the rank test, but their
-- sum, 7, would show both are small: the smallest published group (43) goes too.
INSERT INTO cell VALUES ('small pair', 'school', 100, '{s}', '{}'),
    ('small pair', 'A', 3, '{}', '{s}'), ('small pair', 'B', 4, '{}', '{s}'),
    ('small pair', 'C', 50, '{}', '{s}'), ('small pair', 'D', 43, '{}', '{s}');
-- Equal counts: the tie goes to the first name, whatever the row order.
INSERT INTO cell VALUES ('tie', 'school', 43, '{s}', '{}'),
    ('tie', 'A', 3, '{}', '{s}'), ('tie', 'C', 20, '{}', '{s}'), ('tie', 'B', 20, '{}', '{s}');
-- An empty group (0, or NULL: no students) is never hidden: it cannot move
-- down, so it protects nothing.  The 3 takes the 47 with it.
INSERT INTO cell VALUES ('empty', 'school', 50, '{s}', '{}'),
    ('empty', 'A', 3, '{}', '{s}'), ('empty', 'Z', 0, '{}', '{s}'),
    ('empty', 'N', NULL, '{}', '{s}'), ('empty', 'B', 47, '{}', '{s}');
-- A cell in no sum is hidden only when small.
INSERT INTO cell VALUES ('alone', 'small', 4, '{}', '{}'), ('alone', 'large', 40, '{}', '{}');
SELECT tbl, cell, n, sqii.suppression(cell, n, total_of, part_of) OVER (PARTITION BY tbl ORDER BY cell DESC)
FROM cell ORDER BY tbl, cell;

-- The same plan whatever order rows reach the window.
SELECT count(*) AS cells,
       count(*) FILTER (WHERE a IS DISTINCT FROM b OR a IS DISTINCT FROM c) AS differ
FROM (SELECT sqii.suppression(cell, n, total_of, part_of) OVER (PARTITION BY tbl ORDER BY cell) AS a,
             sqii.suppression(cell, n, total_of, part_of) OVER (PARTITION BY tbl ORDER BY cell DESC) AS b,
             sqii.suppression(cell, n, total_of, part_of) OVER (PARTITION BY tbl ORDER BY md5(cell)) AS c
      FROM cell) s;

-- A two-way table with row, column and grand totals; the primary cells are
-- on the diagonal (2, 3, 4, 5).  By hand: each needs a cycle of hidden cells
-- through its row and column.  r3c3 (2) and r4c4 (5) close one with r3c4 (35)
-- and r4c3 (33), cost 68, cheaper than any other; r1c1 (3) and r2c2 (4) with
-- r1c2 (40) and r2c1 (45), cost 85.  Four further cells, and every hidden
-- row and column sum is at least 11.
CREATE TEMP TABLE two_way AS
SELECT 'r' || i AS r, 'c' || j AS c, (ARRAY[[ 3, 40, 50, 60], [45,  4, 30, 70],
                                            [80, 90,  2, 35], [65, 75, 33,  5]])[i][j]::int8 AS n
FROM generate_series(1, 4) i, generate_series(1, 4) j;
CREATE TEMP VIEW two_way_cell AS
SELECT r, c, n, '{}'::text[] AS total_of, ARRAY['row ' || r, 'col ' || c] AS part_of FROM two_way
UNION ALL SELECT r, 'T', sum(n)::int8, ARRAY['row ' || r], '{col T}' FROM two_way GROUP BY r
UNION ALL SELECT 'T', c, sum(n)::int8, ARRAY['col ' || c], '{row T}' FROM two_way GROUP BY c
UNION ALL SELECT 'T', 'T', sum(n)::int8, '{row T, col T}', '{}' FROM two_way;
SELECT r, string_agg(c || ' ' || n || COALESCE(' ' || s, ''), ', ' ORDER BY c) AS "cells (n, suppression)"
FROM (SELECT r, c, n, sqii.suppression(r || c, n, total_of, part_of) OVER () AS s FROM two_way_cell) x
GROUP BY r ORDER BY r;

-- privacy_min other than 11: cells of 1-4 hidden.
SELECT cell, n, sqii.suppression(cell, n, total_of, part_of, 5) OVER () FROM cell WHERE tbl = 'one hidden'
ORDER BY cell;
SELECT cell, n, sqii.suppression(cell, n, total_of, part_of, 5) OVER () FROM cell WHERE tbl = 'small pair'
ORDER BY cell;

-- Errors: the sums must be well formed and hold; names unique; parameters sane.
SELECT sqii.suppression(c, n, t, p) OVER ()
FROM (VALUES ('A', 3::int8, '{}'::text[], '{s}'::text[]), ('B', 5, '{}', '{s}')) v(c, n, t, p);
SELECT sqii.suppression(c, n, t, p) OVER ()
FROM (VALUES ('A', 8::int8, '{s}'::text[], '{}'::text[]), ('B', 8, '{s}', '{}'), ('C', 8, '{}', '{s}')) v(c, n, t, p);
SELECT sqii.suppression(c, n, t, p) OVER ()
FROM (VALUES ('T', 20::int8, '{s}'::text[], '{}'::text[]), ('A', 3, '{}', '{s}'), ('B', 18, '{}', '{s}')) v(c, n, t, p);
SELECT sqii.suppression(c, n, t, p) OVER ()
FROM (VALUES ('T', 20::int8, '{s}'::text[], '{}'::text[]), ('A', 10, '{}', '{s,s}')) v(c, n, t, p);
SELECT sqii.suppression(c, n, t, p) OVER ()
FROM (VALUES ('A', 3::int8, '{}'::text[], '{}'::text[]), ('A', 3, '{}', '{}')) v(c, n, t, p);
SELECT sqii.suppression(NULL, 3, '{}', '{}') OVER ();
SELECT sqii.suppression('A', -1, '{}', '{}') OVER ();
SELECT sqii.suppression('A', 3, '{{a},{b}}', '{}') OVER ();
SELECT sqii.suppression('A', 3, ARRAY['a', NULL], '{}') OVER ();
SELECT sqii.suppression('A', 3, '{}', '{}', NULL) OVER ();
SELECT sqii.suppression('A', 3, '{}', '{}', 0) OVER ();
SELECT sqii.suppression(c, 3, '{}', '{}', m) OVER ()
FROM (VALUES ('A', 11), ('B', 12)) v(c, m);
-- No rows, no plan.
SELECT count(*) FROM (SELECT sqii.suppression('A', 3, '{}', '{}') OVER () WHERE false) s;

-- sqii.group_sums: the sums of a schools x groups table with a district row.
SELECT u, g, (sqii.group_sums(u, g)).*
FROM (VALUES ('12'), (NULL)) us(u), (VALUES ('ALL'), ('HI'), ('EL')) gs(g) ORDER BY u NULLS LAST, g;
