#!/usr/bin/python3
"""Try to recover the hidden cells of published tables.

Reads a JSON array of cells on stdin, each
  {"tbl", "cell", "n", "m", "hidden", "shown", "total_of", "part_of"}
where n and m (students and students meeting the criterion) are the true
values, used only to check that the attack's bounds hold and to report, never
as knowledge: the attacker knows the sums (total_of/part_of), n of every
published cell and the shown text ("45.2%", "<=5%", ">=95%", "n<20", "*").

Attacks, per table:
  1. differencing: any sum with one unknown cell gives it; repeat;
  2. rank test: a hidden count is a linear combination of published ones
     iff its unit vector lies in the row space of the sums restricted to
     the hidden cells;
  3. linear programming: the smallest and largest value of each hidden count
     and rate over everything consistent with the publication (counts and
     numerators non-negative, numerators at most counts, published rates
     within their rounding or range code), rounded inward to whole students.

A table fails when a hidden count's interval is narrower than the count
width, or a hidden rate's narrower than the rate width (--count-width,
--rate-width).  With --expect-exposed the table must fail (a fixture that
checks the attacker).
"""
import argparse
import json
import sys
from collections import defaultdict

import numpy as np
from scipy.optimize import linprog

EPS = 1e-7


def numerator_bounds(n, shown):
    """What the shown text of a published cell says about its numerator."""
    if n == 0:
        return 0.0, 0.0
    if shown is None or shown.startswith('n<'):
        return 0.0, float(n)
    if shown.startswith('<='):
        return 0.0, n * float(shown[2:-1]) / 100
    if shown.startswith('>='):
        return n * float(shown[2:-1]) / 100, float(n)
    p = float(shown.rstrip('%'))
    return max(0.0, n * (p - 0.05) / 100), min(float(n), n * (p + 0.05) / 100)


class Table:
    def __init__(self, cells, rates):
        self.cells = cells
        self.rates = rates
        sums = defaultdict(list)
        for i, c in enumerate(cells):
            for key in c['total_of']:
                sums[key].append((i, 1.0))
            for key in c['part_of']:
                sums[key].append((i, -1.0))
        self.sums = list(sums.values())
        self.hidden = [i for i, c in enumerate(cells) if c['hidden']]

    def differencing(self):
        known = {i for i, c in enumerate(self.cells) if not c['hidden']}
        found = set()
        changed = True
        while changed:
            changed = False
            for s in self.sums:
                unknown = [i for i, _ in s if i not in known]
                if len(unknown) == 1:
                    known.add(unknown[0])
                    found.add(unknown[0])
                    changed = True
        return found

    def rank_exposed(self):
        h = self.hidden
        if not h:
            return set()
        col = {cell: k for k, cell in enumerate(h)}
        a = np.zeros((len(self.sums), len(h)))
        for r, s in enumerate(self.sums):
            for i, coef in s:
                if i in col:
                    a[r, col[i]] = coef
        rank = np.linalg.matrix_rank(a)
        exposed = set()
        for k, cell in enumerate(h):
            e = np.zeros((1, len(h)))
            e[0, k] = 1.0
            if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
                exposed.add(cell)
        return exposed

    def lp_system(self):
        """Variables: hidden counts, then every cell's numerator (rates only)."""
        h = self.hidden
        nh = len(h)
        ncells = len(self.cells) if self.rates else 0
        nvar = nh + ncells
        col = {cell: k for k, cell in enumerate(h)}
        a_eq, b_eq = [], []
        for s in self.sums:
            row = np.zeros(nvar)
            b = 0.0
            for i, coef in s:
                if i in col:
                    row[col[i]] += coef
                else:
                    b -= coef * self.cells[i]['n']
            a_eq.append(row)
            b_eq.append(b)
            if self.rates:
                row = np.zeros(nvar)
                for i, coef in s:
                    row[nh + i] += coef
                a_eq.append(row)
                b_eq.append(0.0)
        bounds = [(0, None)] * nh
        a_ub, b_ub = [], []
        for i, c in enumerate(self.cells[:ncells]):
            if c['hidden']:
                bounds.append((0, None))
                row = np.zeros(nvar)      # numerator <= count
                row[nh + i] = 1.0
                row[col[i]] = -1.0
                a_ub.append(row)
                b_ub.append(0.0)
            else:
                bounds.append(numerator_bounds(c['n'], c['shown']))
        return (np.array(a_eq), np.array(b_eq), np.array(a_ub) if a_ub else None,
                np.array(b_ub) if b_ub else None, bounds, nvar)

    def count_bounds(self, system, k):
        a_eq, b_eq, a_ub, b_ub, bounds, nvar = system
        out = []
        for sign in (1.0, -1.0):
            c = np.zeros(nvar)
            c[k] = sign
            r = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method='highs')
            if r.status == 3:
                out.append(float('inf'))
            elif r.status != 0:
                raise RuntimeError('count LP failed: ' + r.message)
            else:
                out.append(sign * r.fun)
        return out

    def rate_bounds(self, system, k, i):
        """min/max numerator/count of hidden cell i (Charnes-Cooper)."""
        a_eq, b_eq, a_ub, b_ub, bounds, nvar = system
        # w = z * v, z >= 0: A w - b z = 0, bounds l z <= w <= u z, count_i(w) = 1
        rows_eq = [np.append(a_eq[r], -b_eq[r]) for r in range(len(b_eq))]
        row = np.zeros(nvar + 1)
        row[k] = 1.0
        rows_eq.append(row)
        beq = np.zeros(len(rows_eq))
        beq[-1] = 1.0
        rows_ub = [np.append(a_ub[r], -b_ub[r]) for r in range(len(b_ub))] if a_ub is not None else []
        for v, (lo, hi) in enumerate(bounds):
            if lo:
                row = np.zeros(nvar + 1)
                row[v] = -1.0
                row[nvar] = lo
                rows_ub.append(row)
            if hi is not None:
                row = np.zeros(nvar + 1)
                row[v] = 1.0
                row[nvar] = -hi
                rows_ub.append(row)
        aub = np.array(rows_ub)
        bub = np.zeros(len(rows_ub))
        nbounds = [(0, None)] * (nvar + 1)
        out = []
        for sign in (1.0, -1.0):
            c = np.zeros(nvar + 1)
            c[len(self.hidden) + i] = sign
            r = linprog(c, A_ub=aub, b_ub=bub, A_eq=np.array(rows_eq), b_eq=beq, bounds=nbounds,
                        method='highs')
            if r.status != 0:
                raise RuntimeError('rate LP failed: ' + r.message)
            out.append(100 * sign * r.fun)
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count-width', type=float, required=True)
    ap.add_argument('--rate-width', type=float, required=True)
    ap.add_argument('--expect-exposed', action='store_true')
    args = ap.parse_args()

    by_table = defaultdict(list)
    for c in json.load(sys.stdin):
        by_table[c['tbl']].append(c)

    failed_tables = 0
    for tbl, cells in sorted(by_table.items()):
        rates = all(c['m'] is not None for c in cells)
        t = Table(cells, rates)
        problems = []
        for i in sorted(t.differencing()):
            problems.append('%s: recovered by differencing' % cells[i]['cell'])
        for i in sorted(t.rank_exposed()):
            problems.append('%s: a linear combination of published cells' % cells[i]['cell'])
        system = t.lp_system()
        narrowest_count = narrowest_rate = float('inf')
        for k, i in enumerate(t.hidden):
            c = cells[i]
            lo, hi = t.count_bounds(system, k)
            lo_int, hi_int = np.ceil(lo - EPS) + 0.0, np.floor(hi + EPS) + 0.0
            if not lo_int <= c['n'] <= hi_int:
                raise RuntimeError('%s %s: true count %d outside [%g, %g]' % (tbl, c['cell'], c['n'], lo, hi))
            narrowest_count = min(narrowest_count, hi_int - lo_int)
            if hi_int - lo_int < args.count_width:
                problems.append('%s: count within [%g, %g]' % (c['cell'], lo_int, hi_int))
            if rates and c['n'] > 0:
                rlo, rhi = t.rate_bounds(system, k, i)
                true_rate = 100.0 * c['m'] / c['n']
                if not rlo - 1e-6 <= true_rate <= rhi + 1e-6:
                    raise RuntimeError('%s %s: true rate outside [%g, %g]' % (tbl, c['cell'], rlo, rhi))
                narrowest_rate = min(narrowest_rate, rhi - rlo)
                if rhi - rlo < args.rate_width:
                    problems.append('%s: rate within [%.1f%%, %.1f%%]' % (c['cell'], rlo, rhi))
        exposed = bool(problems)
        print('%s: %d cells, %d hidden, %d sums; narrowest hidden count interval %g students%s: %s'
              % (tbl, len(cells), len(t.hidden), len(t.sums), narrowest_count,
                 ', rate %.1f points' % narrowest_rate if rates else '',
                 'EXPOSED' if exposed else 'protected'))
        if problems:
            kinds = defaultdict(int)
            for p in problems:
                kinds[p.split(': ', 1)[1].split(' within')[0]] += 1
            print('    ' + ', '.join('%d %s' % (v, k) for k, v in sorted(kinds.items())))
        for p in problems[:6]:
            print('    ' + p)
        if exposed != args.expect_exposed:
            failed_tables += 1
    if failed_tables:
        print('FAIL: %d table(s) %s' % (failed_tables,
                                         'not exposed as expected' if args.expect_exposed else 'exposed'))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
