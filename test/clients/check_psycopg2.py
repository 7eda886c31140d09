"""What a Python dashboard receives through psycopg2 (Debian's python3-psycopg2).

Reads checks.json and, for every check, connects as the BI role (PGHOST,
PGPORT, PGUSER, PGDATABASE) with psycopg2's default type adapters and asserts:
the columns and their order; each column's kind (int: Python int, float:
Python float, bool, text or display: str), from the type OID the server reports
and from every value; that no column arrives as one of sqii's types, a
composite or an array, nor as an OID whose values the other client (node-postgres)
hands over as strings (bigint, numeric); that no text column holds a number or a
tally written as text; and that the values are the server's (count and sum of
every column computed by the server over the same query).
Prints each column as `name oid-type -> python-type` and exits 1 on any failure.
"""
import json
import math
import os
import re
import sys

import psycopg2

# The type OIDs each kind may arrive as: bigint (20) and numeric (1700) are left
# out because node-postgres hands them over as strings.
KIND_OIDS = {
    'int': {21, 23},
    'float': {700, 701},
    'bool': {16},
    'text': {25, 1043},
    'display': {25, 1043},
}
KIND_TYPES = {'int': int, 'float': float, 'bool': bool, 'text': str, 'display': str}
NUMBER_TEXT = re.compile(r'^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$')
TALLY_TEXT = re.compile(r'^\(.*,.*,.*\)$')


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def check(cur, spec):
    """Run one check; return its problems."""
    name = spec.get('relation') or spec['name']
    sql = spec.get('sql') or 'SELECT * FROM ' + spec['relation']
    expected = spec['columns']
    problems = []

    cur.execute(sql)
    rows = cur.fetchall()
    got = [(d.name, d.type_code) for d in cur.description]
    if [c for c, _ in got] != [c for c, _ in expected]:
        problems.append('columns %s, expected %s' % ([c for c, _ in got], [c for c, _ in expected]))
    if not rows:
        problems.append('no rows: the types cannot be seen')

    cur.execute("SELECT t.oid::int, pg_catalog.format_type(t.oid, NULL), t.typnamespace::regnamespace::text, "
                "t.typtype, t.typcategory FROM pg_catalog.pg_type t WHERE t.oid = ANY(%s)",
                ([oid for _, oid in got],))
    types = {r[0]: r[1:] for r in cur.fetchall()}

    kinds = dict((c, k) for c, k in expected)
    shown = []
    for i, (col, oid) in enumerate(got):
        typname, schema, typtype, category = types.get(oid, ('oid %d' % oid, '?', '?', '?'))
        values = [r[i] for r in rows if r[i] is not None]
        pytypes = sorted({type(v).__name__ for v in values})
        shown.append('%s %s -> %s' % (col, typname, '/'.join(pytypes) or 'NULL'))
        if schema == 'sqii' or typtype in ('c', 'p') or category == 'A':
            problems.append('%s arrives as %s (schema %s): not an ordinary column' % (col, typname, schema))
        kind = kinds.get(col)
        if kind is None:
            continue
        if oid not in KIND_OIDS[kind]:
            problems.append('%s is %s, expected %s (one of OIDs %s)' % (col, typname, kind, sorted(KIND_OIDS[kind])))
        if not values:
            problems.append('%s is NULL in every row: its type is not seen' % col)
        wrong = [v for v in values if type(v) is not KIND_TYPES[kind]]
        if wrong:
            problems.append('%s arrives as %s, expected %s' % (col, type(wrong[0]).__name__, KIND_TYPES[kind].__name__))
        if kind == 'float' and any(isinstance(v, float) and not math.isfinite(v) for v in values):
            problems.append('%s holds NaN or infinity' % col)
        if kind != 'display':
            texts = [v for v in values if isinstance(v, str) and (NUMBER_TEXT.match(v) or TALLY_TEXT.match(v))]
            if texts:
                problems.append('%s holds numbers or tallies as text (%d values)' % (col, len(texts)))

    # The values are the server's: row count, non-NULL count per column, sum of
    # each numeric column and count of true per boolean column.
    exprs = ['pg_catalog.count(*)']
    for col, kind in expected:
        q = quote_ident(col)
        exprs.append('pg_catalog.count(%s)' % q)
        if kind in ('int', 'float'):
            exprs.append('pg_catalog.sum(%s::float8)' % q)
        elif kind == 'bool':
            exprs.append('pg_catalog.count(*) FILTER (WHERE %s)' % q)
    if not problems:
        cur.execute('SELECT %s FROM (%s) AS q' % (', '.join(exprs), sql))
        server = list(cur.fetchone())
        mine = [len(rows)]
        for i, (col, kind) in enumerate(expected):
            values = [r[i] for r in rows if r[i] is not None]
            mine.append(len(values))
            if kind in ('int', 'float'):
                mine.append(math.fsum(values))
            elif kind == 'bool':
                mine.append(sum(1 for v in values if v))
        for s, m in zip(server, mine):
            if not (s == m or (isinstance(s, float) and math.isclose(s, m, rel_tol=1e-9, abs_tol=1e-9))):
                problems.append('count and sums differ from the server: %s against %s' % (mine, server))
                break

    print('psycopg2 %s: %d rows: %s' % (name, len(rows), ', '.join(shown)))
    return problems


def main():
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'checks.json')) as f:
        checks = json.load(f)['checks']
    conn = psycopg2.connect('')   # libpq reads PGHOST, PGPORT, PGUSER, PGDATABASE
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute('SELECT current_user, r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user')
    user, is_super = cur.fetchone()
    print('psycopg2 %s connected as %s (superuser: %s)' % (psycopg2.__version__.split()[0], user, is_super))
    if is_super:
        print('  FAILED: connected as a superuser: the test must read as the BI role')
        return 1
    failed = 0
    for spec in checks:
        try:
            problems = check(cur, spec)
        except psycopg2.Error as e:
            print('psycopg2 %s:' % (spec.get('relation') or spec['name']))
            problems = [str(e).strip()]
        for p in problems:
            print('  FAILED: %s' % p)
        failed += bool(problems)
    print('psycopg2: %d of %d checks failed' % (failed, len(checks)) if failed
          else 'psycopg2: all %d checks passed' % len(checks))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
