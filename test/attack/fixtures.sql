-- Small two-way tables (rows by columns, with row totals, column totals and a
-- grand total) whose hand-made suppression patterns are known to leak, for
-- checking the attacker and sqii.suppression on the same primary cells.
CREATE SCHEMA attack;
CREATE TABLE attack.cell (
    tbl          text NOT NULL,
    cell         text NOT NULL,
    n            int8 NOT NULL,
    m            int8 NOT NULL,
    naive_hidden bool NOT NULL,
    total_of     text[] NOT NULL,
    part_of      text[] NOT NULL,
    PRIMARY KEY (tbl, cell)
);

-- Interior counts row by row; the numerator m is half of n, rounded down;
-- naive lists the interior cells a hand-made pattern hides ('r1c1', ...).
CREATE FUNCTION attack.add_two_way(tbl text, n int8[], naive text[]) RETURNS void
LANGUAGE sql AS $$
    WITH interior AS (
        SELECT 'r' || i AS r, 'c' || j AS c, n[i][j] AS n
        FROM generate_subscripts(n, 1) i, generate_subscripts(n, 2) j
    )
    INSERT INTO attack.cell
    SELECT tbl, r || c, n, n / 2, (r || c) = ANY (naive), '{}', ARRAY['row ' || r, 'col ' || c] FROM interior
    UNION ALL
    SELECT tbl, r || 'T', sum(n), sum(n / 2), false, ARRAY['row ' || r], ARRAY['col T'] FROM interior GROUP BY r
    UNION ALL
    SELECT tbl, 'T' || c, sum(n), sum(n / 2), false, ARRAY['col ' || c], ARRAY['row T'] FROM interior GROUP BY c
    UNION ALL
    SELECT tbl, 'TT', sum(n), sum(n / 2), false, ARRAY['row T', 'col T'], '{}' FROM interior;
$$;

-- At least two hidden cells in every row and column, yet r2c3 is a bridge
-- between two hidden cycles: (rows r1+r2 totals) - (columns c1+c2 totals)
-- minus the published cells of rows r1, r2 gives it exactly.
SELECT attack.add_two_way('fixture: two hidden per row and column',
    ARRAY[[ 3, 40, 50, 60],
          [45, 25,  4, 70],
          [80, 90, 30, 35],
          [65, 75, 33,  5]],
    ARRAY['r1c1', 'r1c2', 'r2c1', 'r2c2', 'r2c3', 'r3c3', 'r3c4', 'r4c3', 'r4c4']);

-- A hidden cycle, so no cell is a linear combination, but row r1 hides only
-- its two small cells: their sum (7) is published in effect, so each is
-- known to be at most 7.
SELECT attack.add_two_way('fixture: small cells hidden only with each other',
    ARRAY[[ 3,  4, 50],
          [30, 40, 60],
          [45, 55, 65]],
    ARRAY['r1c1', 'r1c2', 'r2c1', 'r2c2']);
