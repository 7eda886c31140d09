"""The attacker of a sqii release, its audit, and the protection that passes it.

A *release* is every cell published together for one school year: each
indicator (chronic absence, suspension, ELA and math met, ELA and math
distance from standard, 12th graders on track, graduation) for every school
and the district row, for every student group.  The attacker reads the
public release and knows (README, "Publishing a release"):

  * counts are whole students, numerators 0 <= m <= n;
  * every published fact: an n, a rate rounded half up to 0.1 with its n
    (which pins the numerator to an interval), a range code (<=b% / >=b%
    with its n), the n-size marker (11-19 students, n shown), a blank cell
    (no student), and the hidden marker with what the README says it means
    (0.1: 'privacy' = 1..privacy_min-1, 'complementary' = privacy_min or
    more; 0.2: one marker, 'hidden' = at least one student);
  * the sums: a unit's race groups add up to its all-students cell, the
    schools add up to the district row, for n and for the numerators;
    program groups (EL, SED, SWD, FOS, HOM) lie within all students (n, m
    and n - m);
  * the links between indicator tables of the same release: ELA met and ELA
    distance from standard count the same students (math too), on track and
    graduation count the same 12th graders, and every other indicator's
    students are a subset of the students suspension counts (all enrolled).

It solves integer programs (HiGHS through scipy.optimize.milp): for every
hidden count the smallest and largest value over every integer assignment of
the unknown counts and numerators consistent with all of that, and for every
hidden rate (hidden cell, n-size cell) and range-coded rate the smallest and
largest rate (Dinkelbach iterations of integer programs).

The guarantee, per cell, with count width w (privacy_min, 11) and rate width
r (10 percentage points):
  * a hidden count's interval spans at least min(w, what its marker allows)
    students: with the 0.2 marker (at least one student, no upper end) that
    is w; no count is recovered exactly;
  * a hidden rate's interval spans at least r points;
  * a range code's interval spans at least min(r, the code's own width):
    the attacker learns nothing finer than the code; in particular a code is
    never shown to be exactly 0% or 100%.

Speed: the feasible set contains the true data, so every integer solution
found along the way is kept and widens the "seen" interval of every cell; a
cell whose seen interval is already wide enough is certified without solving
for it.  Certificates are feasible points of the attacker's whole system, so
they are proofs, not estimates.  A cell that is not certified gets its exact
interval from the integer program.  Hiding more cells only removes facts, so
certificates stay valid while protection adds cells: the protection loop
re-examines only cells that were not yet certified and the cells it hides,
and the audit of the release as published adopts the protection's
certificates (--certificates) once it has checked each of them, row by row,
against its own reading of the published table: a point that fails the check
counts for nothing.  Every program is first solved over the reals; an
integral optimum that is a feasible integer point is the integer program's
optimum too (no integer point beats the relaxation), anything else goes to
the integer program.
"""
import collections
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import sys
import time
from collections import defaultdict
from fractions import Fraction
from math import ceil

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, hstack, identity, vstack

INDICATORS = ['chronic_absent', 'suspended', 'ela_met', 'math_met', 'ela_dfs', 'math_dfs', 'on_track',
              'graduated']
# Indicator pairs that count the same students, and the indicator whose
# students include every other indicator's.
SAME_STUDENTS = [('ela_met', 'ela_dfs'), ('math_met', 'math_dfs'), ('on_track', 'graduated')]
ALL_ENROLLED = 'suspended'
RACES = ['AA', 'AI', 'AS', 'FI', 'HI', 'PI', 'WH', 'MR']
PROGRAMS = ['EL', 'SED', 'SWD', 'FOS', 'HOM']
GROUPS = ['ALL'] + RACES + PROGRAMS
DISTRICT = 'D'
EPS = 1e-6


def rounded_rate_numerators(n, lo_pct, hi_pct):
    """Numerators m (0..n) whose rate, rounded half up to 0.1, lies in
    [lo_pct, hi_pct]: 100 m / n >= lo_pct - 0.05 and < hi_pct + 0.05."""
    lo = Fraction(str(lo_pct)) - Fraction(1, 20)
    hi = Fraction(str(hi_pct)) + Fraction(1, 20)
    m_lo = max(0, ceil(lo * n / 100))
    m_hi = min(n, ceil(hi * n / 100) - 1)
    return m_lo, m_hi


class Cell:
    __slots__ = ('key', 'year', 'ind', 'unit', 'grp', 'pct', 'n', 'm', 'status', 'nlo', 'nhi', 'mlo',
                 'mhi', 'marker_width', 'code_width', 'hidden', 'label')

    def __init__(self, row):
        self.year = row['school_year']
        self.ind = row['indicator']
        self.unit = DISTRICT if row['school_id'] is None else row['school_id']
        self.grp = row['group_code']
        self.key = (self.year, self.ind, self.unit, self.grp)
        self.pct = row['measure'] == 'pct'
        self.n = row.get('true_n') or 0
        self.m = (row.get('true_m') or 0) if self.pct else None
        self.label = '%s %s %s %s' % (self.year, self.ind,
                                      'district' if self.unit == DISTRICT else 'school %s' % self.unit,
                                      self.grp)


def read_facts(cell, row, source, privacy_min, digits=1):
    """What the public row tells: n interval, numerator interval, and whether
    the cell is hidden (its count protected) or rate-hidden."""
    cell.nlo, cell.nhi, cell.mlo, cell.mhi = 0, None, None, None
    cell.marker_width = None        # width of the count interval the marker itself gives
    cell.code_width = None          # width (points) of a range code
    cell.hidden = False
    if source in ('v01', 'v01-one-marker'):
        shown, reason, n = row['shown'], row['reason'], row['n']
        if reason == 'no_data' or shown is None:
            status = 'no_data'
        elif reason in ('privacy', 'complementary'):
            status = reason if source == 'v01' else 'hidden'
        else:
            status = reason                       # ok, n_size, range_low, range_high
        value = row['value']
        if status == 'range_low':
            lower, upper = 0, float(shown[2:-1])
        elif status == 'range_high':
            lower, upper = float(shown[2:-1]), 100
        else:
            lower = upper = None
    else:
        status, n, value, lower, upper = row['status'], row['n'], row['value'], row['lower'], row['upper']
        if status == 'range':
            status = 'range_low' if lower == 0 else 'range_high'
    cell.status = status
    if status == 'no_data':
        cell.nlo = cell.nhi = 0
        cell.mlo = cell.mhi = 0
        return
    if status == 'privacy':
        cell.nlo, cell.nhi = 1, privacy_min - 1
        cell.marker_width = privacy_min - 2
        cell.hidden = True
    elif status == 'complementary':
        cell.nlo = privacy_min
        cell.hidden = True
    elif status == 'hidden':
        cell.nlo = 1
        cell.hidden = True
    else:
        cell.nlo = cell.nhi = int(n)
    if not cell.pct:
        return
    if status in ('ok',) and value is not None:
        cell.mlo, cell.mhi = rounded_rate_numerators(cell.nlo, value, value)
    elif status in ('range_low', 'range_high'):
        cell.mlo, cell.mhi = rounded_rate_numerators(cell.nlo, lower, upper)
        cell.code_width = 100.0 * (cell.mhi - cell.mlo) / cell.nlo


class Release:
    """The attacker's system for one school year: unknown counts and
    numerators, linear rows lb <= a x <= ub, integer variables."""

    def __init__(self, cells):
        self.cells = {c.key: c for c in cells}
        self.years = sorted({c.year for c in cells})
        self.units = sorted({c.unit for c in cells if c.unit != DISTRICT})

    def get(self, year, ind, unit, grp):
        return self.cells.get((year, ind, unit, grp))

    def build(self, year):
        """Variables and rows of one year: a count (and a numerator, for
        rates) per cell; a published one has equal bounds, which the
        subsystems turn into constants."""
        var = {}
        lb, ub, truth = [], [], []

        def term(kind, key):
            """('var', index) or ('const', value) for n or m of a cell."""
            c = self.cells.get(key)
            if c is None:                     # no row: no student
                return 'const', 0
            if kind == 'n':
                lo, hi = c.nlo, c.nhi
                true = c.n
            else:
                if not c.pct:
                    return None
                lo = c.mlo if c.mlo is not None else 0
                hi = c.mhi if c.mhi is not None else (c.nhi if c.nhi is not None else None)
                true = c.m
            vk = (kind, key)
            if vk not in var:
                var[vk] = len(lb)
                lb.append(lo)
                ub.append(np.inf if hi is None else hi)
                truth.append(true if true is not None else np.nan)
            return 'var', var[vk]

        rows = []

        def add(terms, lo, hi):
            """sum coef * (n or m of key) in [lo, hi]; terms: (coef, kind, key)."""
            coefs = defaultdict(float)
            const = 0.0
            for coef, kind, key in terms:
                if kind == 'n-m':
                    add_parts = [(coef, 'n', key), (-coef, 'm', key)]
                else:
                    add_parts = [(coef, kind, key)]
                for cf, kd, k in add_parts:
                    t = term(kd, k)
                    if t is None:
                        return
                    if t[0] == 'const':
                        const += cf * t[1]
                    else:
                        coefs[t[1]] += cf
            coefs = {v: cf for v, cf in coefs.items() if cf != 0}
            if not coefs:
                return
            rows.append((coefs, lo - const, hi - const))

        units = self.units + [DISTRICT]
        for ind in INDICATORS:
            kinds = ['n', 'm'] if self._pct(year, ind) else ['n']
            for kd in kinds:
                for u in units:
                    add([(1, kd, (year, ind, u, 'ALL'))] + [(-1, kd, (year, ind, u, r)) for r in RACES], 0, 0)
                for g in GROUPS:
                    add([(1, kd, (year, ind, DISTRICT, g))] + [(-1, kd, (year, ind, s, g)) for s in self.units],
                        0, 0)
            for u in units:
                for g in PROGRAMS:
                    for kd in (['n', 'm', 'n-m'] if 'm' in kinds else ['n']):
                        add([(1, kd, (year, ind, u, g)), (-1, kd, (year, ind, u, 'ALL'))], -np.inf, 0)
                for g in GROUPS:
                    if 'm' in kinds:
                        add([(1, 'm', (year, ind, u, g)), (-1, 'n', (year, ind, u, g))], -np.inf, 0)
        for u in units:
            for g in GROUPS:
                for a, b in SAME_STUDENTS:
                    add([(1, 'n', (year, a, u, g)), (-1, 'n', (year, b, u, g))], 0, 0)
                for ind in INDICATORS:
                    if ind != ALL_ENROLLED:
                        add([(1, 'n', (year, ind, u, g)), (-1, 'n', (year, ALL_ENROLLED, u, g))], -np.inf, 0)
        # No count exceeds the largest published one (the district's
        # all-students cell): a fact that keeps every program bounded.
        big = max([c.nlo for c in self.cells.values() if c.year == year and c.nhi == c.nlo] + [0])
        system = System(var, np.array(lb, float), np.minimum(np.array(ub, float), big), np.array(truth, float),
                        rows)
        system.big = big
        return system

    def _pct(self, year, ind):
        for u in [DISTRICT] + self.units[:1]:
            c = self.cells.get((year, ind, u, 'ALL'))
            if c is not None:
                return c.pct
        return False


def _ranges(starts, ends):
    """The indices starts[0]..ends[0]-1, starts[1]..ends[1]-1, ... in one array."""
    n = ends - starts
    return np.repeat(starts - np.cumsum(n) + n, n) + np.arange(int(n.sum()))


class System:
    """The rows lb <= A x <= ub of one year, x integer within [lb, ub]."""

    def __init__(self, var, lb, ub, truth, rows):
        self.var = var
        self.key_of = {v: k for k, v in var.items()}
        self.lb, self.ub, self.truth = lb, ub, truth
        r, cidx, vals = [], [], []
        self.rlo = np.array([row[1] for row in rows], float)
        self.rhi = np.array([row[2] for row in rows], float)
        for i, (coefs, _, _) in enumerate(rows):
            for v, cf in coefs.items():
                r.append(i)
                cidx.append(v)
                vals.append(cf)
        self.a = csr_matrix(coo_matrix((vals, (r, cidx)), shape=(len(rows), len(lb))))
        self.ac = self.a.tocsc()
        self.row_nnz = np.diff(self.a.indptr)
        self.a_truth = None               # A times the truth (_sub_fixed)
        self.solves = 0                 # programs solved (each exactly)
        self.lp_solves = 0              # of them, tried on the relaxation first
        self.mip_solves = 0             # of them, by the integer program
        self.solve_time = 0.0
        self.check_truth()

    def check_truth(self):
        """The true data must satisfy the attacker's system (else a fact or
        link is wrong, and the attacker's bounds would prove nothing)."""
        t = self.truth
        if np.isnan(t).any():
            return
        if ((t < self.lb - EPS) | (t > self.ub + EPS)).any():
            bad = np.where((t < self.lb - EPS) | (t > self.ub + EPS))[0][0]
            raise RuntimeError('true value outside its published bounds: %s' % (self.key_of[bad],))
        ax = self.a @ t
        bad = np.where((ax < self.rlo - EPS) | (ax > self.rhi + EPS))[0]
        if len(bad):
            raise RuntimeError('true data violates %d of the attacker\'s rows' % len(bad))

    def sub(self, cols, mode):
        """The system on the unknown variables among cols (a published
        value is a constant).  mode 'fixed': every other variable at its
        true value (its points are points of the whole system:
        certificates); 'relaxed': only the rows whose unknowns are all in
        cols (a relaxation: its intervals contain the whole system's)."""
        cols = np.sort(np.array(cols, dtype=int))
        cols = cols[self.lb[cols] < self.ub[cols]]
        if mode == 'fixed':
            return self._sub_fixed(cols)
        free = self.lb < self.ub
        touched = np.unique(self.ac[:, cols].nonzero()[0])
        a_t = self.a[touched]
        a_in = a_t[:, cols]
        unknown = np.asarray((a_t != 0).astype(np.int64) @ free.astype(np.int64)).ravel()
        inside = np.asarray((a_in != 0).sum(axis=1)).ravel()
        keep = inside == unknown
        rest = np.where(free, 0.0, self.lb)
        shift = a_t[keep] @ rest
        return cols, a_in[keep], self.rlo[touched][keep] - shift, self.rhi[touched][keep] - shift

    def _sub_fixed(self, cols):
        """sub(cols, 'fixed') from cols' own entries of A (scipy's fancy
        indexing passes over every column of the year, and over the long
        district rows, per call: most of a small program's setup on 1,000
        schools).  The same matrix, entries in the same order, and the same
        shifts to the bit (A times the truth, row by row, is computed once)."""
        ac = self.ac
        starts, ends = ac.indptr[cols], ac.indptr[cols + 1]
        at = _ranges(starts, ends)
        touched, row = np.unique(ac.indices[at], return_inverse=True)
        n = ends - starts
        a_in = csc_matrix((ac.data[at], row, np.concatenate([[0], np.cumsum(n)])),
                          shape=(len(touched), len(cols))).tocsr()
        if self.a_truth is None:
            self.a_truth = self.a @ self.truth
        shift = self.a_truth[touched] - a_in @ self.truth[cols]
        return cols, a_in, self.rlo[touched] - shift, self.rhi[touched] - shift

    def feasible(self, sub, x):
        """A certificate is a proof only if it is a feasible integer point:
        check it here rather than trust the solver."""
        cols, a, rlo, rhi = sub
        ax = a @ x
        return not (((ax < rlo - EPS) | (ax > rhi + EPS)).any() or
                    ((x < self.lb[cols] - EPS) | (x > self.ub[cols] + EPS)).any() or
                    (np.abs(x - np.round(x)) > EPS).any())

    def reach(self, sub, coefs, least):
        """A feasible integer point of sub (mode 'fixed') where
        sum(coef * variable) >= least (coefs: variable -> coef), moving the
        counts and numerators as little as possible in all (least sum of
        |x - truth|): a linear program whose optimal vertices are short
        cycles of changes, mostly integral.  None if its optimum is not
        integral or there is no such point; the point is checked before it
        is returned (the variables it moves -> their values)."""
        cols, a, rlo, rhi = sub
        nx = len(cols)
        inside = {}
        for var, cf in coefs.items():         # a variable outside sub is at its true value
            k = np.searchsorted(cols, var)
            if k < nx and cols[k] == var:
                inside[k] = cf
            else:
                least -= cf * self.truth[var]
        if not inside:
            return None
        at = np.array(list(inside), dtype=int)
        coefs = inside
        t = self.truth[cols]
        goal = csr_matrix((list(coefs.values()), (np.zeros(len(at), dtype=int), at)), shape=(1, 3 * nx))
        one = identity(nx, format='csr')
        # x - p + q = truth with p, q >= 0 (the moves up and down); the goal
        rows = vstack([hstack([a, csr_matrix((a.shape[0], 2 * nx))]), hstack([one, -one, one]), goal]).tocsr()
        t0 = time.time()
        res = milp(np.concatenate([np.zeros(nx), np.ones(2 * nx)]), integrality=np.zeros(3 * nx),
                   bounds=Bounds(np.concatenate([self.lb[cols], np.zeros(2 * nx)]),
                                 np.concatenate([self.ub[cols], np.full(2 * nx, np.inf)])),
                   constraints=[LinearConstraint(rows, np.concatenate([rlo, t, [least]]),
                                                 np.concatenate([rhi, t, [np.inf]]))],
                   options={'presolve': False})
        self.solve_time += time.time() - t0
        self.solves += 1
        self.lp_solves += 1
        if res.status != 0 or res.x is None:
            return None
        x = np.round(res.x[:nx])
        if (np.abs(res.x[:nx] - x) > 1e-9).any() or not self.feasible(sub, x) or \
                sum(cf * x[k] for k, cf in coefs.items()) < least - EPS:
            return None
        moved = x != t
        return dict(zip(cols[moved].tolist(), x[moved].tolist()))

    def solve(self, sub, objective, enough=None, search=False):
        """Minimize objective (dict var -> coef) over the integer points of
        sub.  HiGHS's presolve (scipy 1.10) called feasible systems
        infeasible here, so it is off; points are verified.  With enough (a
        test of the relaxation's optimal value), a relaxation that fails it
        ends there ('short', no point): no integer point could do better.
        In a search for certificates (search: any verified point will do,
        not necessarily the optimum), the integer program runs first with
        HiGHS's presolve, taken only if its answer is a point that passes
        the check below; anything else runs again without it."""
        cols, a, rlo, rhi = sub
        pos = {c: i for i, c in enumerate(cols)}
        c = np.zeros(len(cols))
        for var, coef in objective.items():
            if var in pos:                    # else a constant here
                c[pos[var]] = coef
        cons = [LinearConstraint(a, rlo, rhi)] if a.shape[0] else []
        bounds = Bounds(self.lb[cols], self.ub[cols])
        t0 = time.time()
        # The linear relaxation first: the sums make its optimal vertices
        # mostly integral, and an integral optimum of the relaxation that is
        # a feasible integer point of sub is an optimum of the integer
        # program (no integer point does better than the relaxation).  Any
        # other outcome goes to the integer program.
        res = milp(c, integrality=np.zeros(len(cols)), bounds=bounds, constraints=cons,
                   options={'presolve': False})
        self.lp_solves += 1
        if res.status == 0 and res.x is not None:
            x = np.round(res.x)
            if (np.abs(res.x - x) <= 1e-9).all() and self.feasible(sub, x):
                self.solve_time += time.time() - t0
                self.solves += 1
                return 'optimal', dict(zip(cols, x))
            if enough is not None and res.status == 0 and not enough(res.fun):
                self.solve_time += time.time() - t0
                self.solves += 1
                return 'short', None
        res = None
        if search:
            res = milp(c, integrality=np.ones(len(cols)), bounds=bounds,
                       constraints=cons, options={'mip_rel_gap': 0, 'presolve': True})
            if res.status != 0 or res.x is None or not self.feasible(sub, np.round(res.x)):
                res = None
        if res is None:
            res = milp(c, integrality=np.ones(len(cols)), bounds=bounds,
                       constraints=cons, options={'mip_rel_gap': 0, 'presolve': False})
        self.solve_time += time.time() - t0
        self.solves += 1
        self.mip_solves += 1
        if res.status == 3 or (res.status != 0 and 'unbounded' in (res.message or '').lower()):
            return 'unbounded', None
        if res.status == 2:
            t = self.truth[cols]
            ax = a @ t
            print('DEBUG infeasible: truth rows ok', bool(((ax >= rlo - EPS) & (ax <= rhi + EPS)).all()),
                  'bounds ok', bool(((t >= self.lb[cols]) & (t <= self.ub[cols])).all()), len(cols), a.shape,
                  file=sys.stderr)
            raise RuntimeError('the attacker\'s system has no point, yet the true data is one')
        if res.status != 0:
            raise RuntimeError('integer program failed: %s' % res.message)
        x = np.round(res.x)
        if not self.feasible(sub, x):
            raise RuntimeError('the solver returned a point outside the attacker\'s system')
        return 'optimal', dict(zip(cols, x))


class Audit:
    """Intervals of every protected cell of one year under the attacker.

    Protected cells: hidden counts, and the rates of hidden, n-size and
    range-coded cells."""

    def __init__(self, release, year, count_width, rate_width, whole_year=True):
        self.whole_year = whole_year
        self.r = release
        self.year = year
        self.cw = count_width
        self.rw = rate_width
        self.sys = release.build(year)
        self.recording = True
        self.points = []                # certificates: (variables, values) where not the truth
        self.unit_version = defaultdict(int)    # cells hidden in a unit so far
        self.failed = defaultdict(dict)     # (cell, what) -> {units: unit_version when it failed there}
        self.collected = None           # a list: record() keeps points here instead (check_many)
        self.version = 0                # cells hidden so far (a worker's copy is of one version)
        self.pool = None                # worker processes (Workers)
        self.hidden_log = []            # keys of the cells hidden, in order
        self.sums = None                # widen_sums' sums, as cells
        self.table = None               # cell_table()
        self.how = defaultdict(int)
        self.how_time = defaultdict(float)
        self.unit_vars = defaultdict(list)
        for (kind, key), v in self.sys.var.items():
            self.unit_vars[key[2]].append(v)
        t = self.sys.truth
        # Seen intervals over certified points (a row [lo, hi] per count or
        # numerator, per rate cell) and the point that reached each end.
        self.seen_n = np.stack([t, t], axis=1)
        self.end_n = np.full((len(t), 2), -1)
        most = sum(1 for c in self.r.cells.values() if c.year == year and c.pct)
        self.rate_seen = np.zeros((most, 2))
        self.end_rate = np.full((most, 2), -1)
        self.rate_nv = np.zeros(most, dtype=int)
        self.rate_mv = np.zeros(most, dtype=int)
        self.seen_rate = {}             # rate cell key -> its row of rate_seen
        self.rate_index = {}
        self.work = t.copy()
        self.rate_of = np.full(len(t), -1)     # a count's or numerator's rate cell (its row of rate_seen)
        self.col_units = defaultdict(set)
        # The same as a matrix: units x columns, True where the count is unknown.
        self.unit_row = {u: i for i, u in enumerate(release.units + [DISTRICT])}
        self.col_index = {(ind, g): j for j, (ind, g) in enumerate((i, g) for i in INDICATORS for g in GROUPS)}
        self.unknown = np.zeros((len(self.unit_row), len(self.col_index)), dtype=np.int32)
        for c in self.r.cells.values():
            if c.year == year:
                self._track(c)

    def cell_table(self):
        if self.table is None:
            self.table = CellTable(self)
        return self.table

    def nvar(self, c):
        return self.sys.var[('n', c.key)]

    def mvar(self, c):
        return self.sys.var.get(('m', c.key))

    def free(self, v):
        return v is not None and self.sys.lb[v] < self.sys.ub[v]

    def _track(self, c):
        """Index a protected cell: its column, its rate."""
        if self.free(self.nvar(c)):
            self.col_units[(c.ind, c.grp)].add(c.unit)
            self.unknown[self.unit_row[c.unit], self.col_index[(c.ind, c.grp)]] = 1
        if self.is_rate_cell(c) and c.key not in self.seen_rate:
            i = len(self.rate_index)
            self.rate_index[c.key] = i
            self.rate_nv[i], self.rate_mv[i] = self.nvar(c), self.mvar(c)
            self.rate_of[self.rate_nv[i]] = self.rate_of[self.rate_mv[i]] = i
            self.rate_seen[i] = self._rate_at(c, {})
            self.seen_rate[c.key] = self.rate_seen[i]

    # --- which cells are protected, and how wide they must be
    def count_cells(self):
        return [c for c in self.r.cells.values() if c.year == self.year and c.hidden]

    def is_rate_cell(self, c):
        return c.pct and c.n and (c.hidden or c.status in ('n_size', 'range_low', 'range_high'))

    def rate_cells(self):
        return [c for c in self.r.cells.values() if c.year == self.year and self.is_rate_cell(c)]

    def count_need(self, c):
        return self.cw if c.marker_width is None else min(self.cw, c.marker_width)

    def rate_need(self, c):
        return self.rw if c.code_width is None else min(self.rw, c.code_width)

    # --- hiding a published cell (protection): its facts become the marker's
    def hide(self, c):
        """Hide c (0.2 marker: at least one student)."""
        nv, mv = self.nvar(c), self.mvar(c)
        c.status, c.hidden, c.marker_width, c.code_width = 'hidden', True, None, None
        self.unit_version[c.unit] += 1
        self.version += 1
        self.hidden_log.append(c.key)
        self.sys.lb[nv], self.sys.ub[nv] = 1, self.sys.big
        if mv is not None:
            self.sys.lb[mv], self.sys.ub[mv] = 0, self.sys.big
        self._track(c)

    # --- neighbourhoods
    def units_near(self, c, most, give=False):
        """c's unit, the district row and the units with an unknown count
        in c's column: all of them, or the most that share most columns with
        c's unit (where a cycle of changes can close), or with give, those
        whose count in c's column is largest (what they can give up)."""
        units = {c.unit, DISTRICT}
        mates = self.col_units[(c.ind, c.grp)] - units
        if most is not None and len(mates) > most:
            if give:
                t = self.sys.truth
                score = {u: -t[self.sys.var[('n', (c.year, c.ind, u, c.grp))]] for u in mates}
            else:
                shared = self.unknown @ self.unknown[self.unit_row[c.unit]]
                score = {u: -shared[self.unit_row[u]] for u in mates}
            mates = sorted(mates, key=lambda u: (score[u], str(u)))[:most]
        return units | set(mates)

    def vars_of(self, units):
        out = []
        for u in units:
            out.extend(self.unit_vars[u])
        return out

    # --- certificates
    def record(self, point):
        """Widen the seen intervals with a feasible point of the whole system
        (a dict variable -> value; the others at their true values);
        remember, for each end of a seen interval, the point that reached
        it."""
        if not self.recording or not point:
            return
        if self.collected is not None:
            self.collected.append(point)
            return
        t = self.sys.truth
        if isinstance(point, tuple):
            idx, val = point
        else:
            idx = np.fromiter(point.keys(), dtype=int, count=len(point))
            val = np.fromiter(point.values(), dtype=float, count=len(point))
        moved = val != t[idx]
        idx, val = idx[moved], val[moved]
        if not len(idx):
            return
        i = len(self.points)
        self.points.append((idx, val))
        for end, better in ((0, val < self.seen_n[idx, 0]), (1, val > self.seen_n[idx, 1])):
            self.seen_n[idx[better], end] = val[better]
            self.end_n[idx[better], end] = i
        # The rate cells whose count or numerator moved.
        rc = self.rate_of[idx]
        rc = np.unique(rc[rc >= 0])
        x = self.work
        x[idx] = val
        n, m = x[self.rate_nv[rc]], x[self.rate_mv[rc]]
        r = np.where(n > 0, 100.0 * m / np.where(n > 0, n, 1), 0.0)
        x[idx] = t[idx]
        for end, better in ((0, r < self.rate_seen[rc, 0]), (1, r > self.rate_seen[rc, 1])):
            self.rate_seen[rc[better], end] = r[better]
            self.end_rate[rc[better], end] = i

    def certificates(self):
        """The points that reached an end of a protected cell's seen
        interval, for another audit of the same year (the audit of the
        release as published): {'keys': [[kind, school_year, indicator,
        school_id or None, group_code], ...], 'points': [[key index, value,
        key index, value, ...], ...]}."""
        keep = set()
        for c in self.count_cells():
            keep.update(self.end_n[self.nvar(c)].tolist())
        for c in self.rate_cells():
            keep.update(self.end_rate[self.rate_index[c.key]].tolist())
        keep.discard(-1)
        kept = [self.points[i] for i in sorted(keep)]
        if not kept:
            return {'keys': [], 'points': []}
        idx = np.concatenate([p[0] for p in kept])
        val = np.concatenate([p[1] for p in kept])
        # The keys in the order the points first move them.
        moved, first = np.unique(idx, return_index=True)
        moved = moved[np.argsort(first)]
        index = np.zeros(len(self.sys.lb), dtype=np.int64)
        index[moved] = np.arange(len(moved))
        keys = []
        for v in moved.tolist():
            kind, key = self.sys.key_of[v]
            keys.append([kind, key[0], key[1], None if key[2] == DISTRICT else key[2], key[3]])
        flat = np.stack([index[idx], val.astype(np.int64)], axis=1).ravel().tolist()
        ends = 2 * np.cumsum([len(p[0]) for p in kept])
        return {'keys': keys, 'points': [flat[a:b] for a, b in zip([0] + ends[:-1].tolist(), ends.tolist())]}

    def adopt(self, given):
        """Record the given points (certificates() of another audit) that
        are feasible integer points of this year's whole system, checked
        here row by row against the facts as this audit reads them; returns
        (adopted, refused).  A refused point proves nothing and counts for
        nothing."""
        s = self.sys
        var = [s.var.get((kind, (year, ind, DISTRICT if unit is None else unit, grp)), -1)
               for kind, year, ind, unit, grp in given.get('keys', [])]
        var = np.array(var + [-1], dtype=int)
        points = given.get('points', [])
        # Every point at once: entry e of point owner[e] sets variable
        # idx[e] to val[e].  A point with a malformed, unknown, repeated,
        # fractional or out-of-bounds entry is refused whole.
        size = np.array([len(p) for p in points], dtype=int)
        bad = (size == 0) | (size % 2 == 1)
        ok_points = [p for p, b in zip(points, bad) if not b]
        flat = np.fromiter(itertools.chain.from_iterable(ok_points), dtype=float, count=int(size[~bad].sum()))
        owner = np.repeat(np.flatnonzero(~bad), size[~bad] // 2)
        keyf, val = flat[0::2], flat[1::2]
        keyi = np.where((keyf >= 0) & (keyf < len(var) - 1) & (keyf == np.round(keyf)), keyf, -1).astype(int)
        idx = var[keyi]
        wrong = (idx < 0) | (val != np.round(val))
        safe = np.where(wrong, 0, idx)
        wrong |= (val < s.lb[safe]) | (val > s.ub[safe])
        pair = np.sort(owner * (len(s.lb) + 1) + idx + 1)      # idx >= -1
        bad[owner[wrong]] = True
        bad[pair[1:][pair[1:] == pair[:-1]] // (len(s.lb) + 1)] = True
        # The rows through the moved variables at each point: the truth's
        # value plus the moves' (A times the matrix of moves, one column a
        # point); a row no move touches keeps the truth's value, feasible.
        use = ~bad[owner]
        moves = csr_matrix((val[use] - s.truth[idx[use]], (idx[use], owner[use])), shape=(len(s.lb), len(points)))
        at = (s.a @ moves).tocoo()
        ax = s.a @ s.truth
        ax = ax[at.row] + at.data
        off = (ax < s.rlo[at.row] - EPS) | (ax > s.rhi[at.row] + EPS)
        bad[at.col[off]] = True
        keep = use & ~bad[owner]
        starts = np.searchsorted(owner[keep], np.arange(len(points) + 1))
        ki, kv = idx[keep], val[keep]
        for p in np.flatnonzero(~bad):
            self.record((ki[starts[p]:starts[p + 1]], kv[starts[p]:starts[p + 1]]))
        return int((~bad).sum()), int(bad.sum())

    def _rate_at(self, c, point):
        n = point.get(self.nvar(c), self.sys.truth[self.nvar(c)])
        m = point.get(self.mvar(c), self.sys.truth[self.mvar(c)])
        return 100.0 * m / n if n > 0 else 0.0

    # --- bounds on a subsystem: (lo, hi, wide enough)
    def count_bounds(self, c, sub, certify, need, reach=False):
        v = self.nvar(c)
        lb = self.sys.lb[v]
        if certify and reach:
            # One point far enough from the seen interval, moving as little
            # as possible, before the largest and smallest value (a large
            # program whose relaxation is fractional can take a minute as
            # an integer program; this one is a linear program).
            for up in (True, False):
                lo, hi = self.seen_n[v]
                point = self.sys.reach(sub, {v: 1.0}, lo + need) if up else self.sys.reach(sub, {v: -1.0},
                                                                                            need - hi)
                if point is not None:
                    self.record(point)
                    lo, hi = self.seen_n[v]
                    if hi - lo >= need:
                        return lo, hi, True
            if reach == 'only':
                return lo, hi, False
        seen = list(self.seen_n[v]) if certify else [np.inf, -np.inf]
        for sign in (1.0, -1.0):
            # Where a certificate is sought (not on the whole year, which
            # gives the exact interval), a relaxation whose optimum leaves
            # the cell short of its width ends the search: the largest value
            # is at most the relaxation's, the smallest at least its bound.
            enough = None
            if certify and not reach:
                enough = (lambda f, hi=seen[1]: max(hi, -f) - lb >= need) if sign > 0 else \
                    (lambda f, hi=seen[1], lo=seen[0]: hi - min(lo, f) >= need)
            status, point = self.sys.solve(sub, {v: -sign}, enough, certify and not reach)
            if status == 'short':
                return (lb if sign > 0 else seen[0]), seen[1], False
            if status == 'unbounded':
                seen = [-np.inf, np.inf] if sign < 0 else [seen[0], np.inf]
                continue
            self.record(point) if certify else None
            seen = [min(seen[0], point[v]), max(seen[1], point[v])]
            if certify and seen[1] - seen[0] >= need:
                return seen[0], seen[1], True
            if sign > 0 and seen[1] - self.sys.lb[v] < need:
                # Not even its lower bound is far enough below the largest
                # value here: the smallest need not be solved for.
                return self.sys.lb[v], seen[1], False
        return seen[0], seen[1], bool(seen[1] - seen[0] >= need)

    def rate_bounds(self, c, sub, certify, need, reach=False):
        nv, mv = self.nvar(c), self.mvar(c)
        if certify and reach:
            # As for a count: one point whose rate m / n is at least lo +
            # need (m - R n >= 0), or at most hi - need, first.
            for up in (True, False):
                lo, hi = self.seen_rate[c.key]
                r = (lo + need if up else hi - need) / 100.0
                if not 0 <= r <= 1:
                    continue
                point = self.sys.reach(sub, {mv: 1.0, nv: -r} if up else {mv: -1.0, nv: r}, 0.0)
                if point is not None:
                    self.record(point)
                    lo, hi = self.seen_rate[c.key]
                    if hi - lo >= need - EPS:
                        return lo, hi, True
            if reach == 'only':
                return lo, hi, False
        seen = list(self.seen_rate[c.key])
        out = [seen[0], seen[1]] if certify else [np.inf, -np.inf]
        for sign in (1.0, -1.0):          # max rate, then min rate (Dinkelbach)
            lam = seen[1] if sign > 0 else seen[0]
            for _ in range(60):
                status, point = self.sys.solve(sub, {mv: -sign, nv: sign * lam / 100.0}, None,
                                               certify and not reach)
                if status == 'unbounded':
                    if not certify:     # a relaxation that proves nothing
                        return 0.0, 100.0, True
                    break               # no certificate from here
                if status != 'optimal':
                    raise RuntimeError('%s: rate program %s' % (c.label, status))
                self.record(point) if certify else None
                new = self._rate_at(c, point)
                out = [min(out[0], new), max(out[1], new)]
                if (new - lam) * sign <= 1e-9:
                    break
                lam = new
            if certify and out[1] - out[0] >= need - EPS:
                return out[0], out[1], True
        return out[0], out[1], bool(out[1] - out[0] >= need - EPS)

    STAGES = (('near', 3, 'fixed'), ('unit', 0, 'relaxed'), ('give', -8, 'fixed'), ('wider', 12, 'fixed'),
              ('wider', 24, 'fixed'), ('wider', 48, 'fixed'), ('column', None, 'reach'),
              ('column', None, 'relaxed'), ('column', None, 'fixed'))

    def known(self, c, what):
        """check()'s answer where no program is needed: the cell is
        published, or the points seen already certify it; else None."""
        if what == 'count':
            v, need, s = self.nvar(c), self.count_need(c), self.seen_n[self.nvar(c)]
        else:
            v, need, s = self.mvar(c), self.rate_need(c), self.seen_rate[c.key]
        if not self.free(v):
            return s[0], s[1], bool(s[1] - s[0] >= need - EPS), 'published'
        if s[1] - s[0] >= need - EPS:
            return s[0], s[1], True, 'seen'
        return None

    def stage_units(self, c, most):
        """The units of a stage's neighbourhood of c (most as in STAGES)."""
        return {c.unit, DISTRICT} if most == 0 else \
            self.units_near(c, most[0]) | self.units_near(c, most[1], give=True) if isinstance(most, tuple) else \
            self.units_near(c, abs(most), give=True) if most is not None and most < 0 else \
            self.units_near(c, most)

    def check(self, c, what, stages=None):
        """(lo, hi, protected, how) for one cell: certified by points seen or
        found near it (True), exposed by a relaxation (False), else exact on
        the whole year, or None (undecided) without whole_year."""
        known = self.known(c, what)
        if known is not None:
            return known
        if what == 'count':
            need, s, bounds = self.count_need(c), self.seen_n[self.nvar(c)], self.count_bounds
        else:
            need, s, bounds = self.rate_need(c), self.seen_rate[c.key], self.rate_bounds
        # Cheapest first: a few units around c with the rest of the year
        # fixed at the truth (certificates), c's unit and the district alone
        # (a relaxation: exposure), more units, the column, the whole year.
        lo, hi = s[0], s[1]
        for name, most, mode in (stages or self.STAGES):
            units = self.stage_units(c, most)
            certify = mode in ('fixed', 'reach')
            if certify:
                # A fixed neighbourhood whose units hid nothing since it
                # failed for c is the same program: its points are in the
                # seen interval already, so it fails again.
                memo = (frozenset(units), mode)
                version = tuple(sorted((str(u), self.unit_version[u]) for u in units))
                if self.failed[(c.key, what)].get(memo) == version:
                    continue
            # 'reach': the column fixed at the truth elsewhere, one point
            # that certifies c moving as little as possible (Sys.reach).
            lo, hi, ok = bounds(c, self.sys.sub(self.vars_of(units), 'fixed' if certify else mode), certify, need,
                                'only' if mode == 'reach' else False)
            if ok == certify:
                return lo, hi, ok, name
            if certify:
                self.failed[(c.key, what)][memo] = version
        if not self.whole_year or stages:
            return lo, hi, None, 'undecided'
        lo, hi, ok = bounds(c, self.sys.sub(range(len(self.sys.lb)), 'fixed'), True, need, True)
        return lo, hi, ok, 'year'

    def check_many(self, todo, stages, jobs=1):
        """check(c, what, stages[what]) for every (c, what) of todo, in order:
        the list of answers, the same as checking them one by one, with the
        programs on up to `jobs` worker processes.

        One by one, a cell's answer is check() from the state as it is when
        its turn comes: known() if the points seen certify it, else a task
        (run_task) that reads nothing but the system (which only hide()
        changes, never during check_many), the cell's own seen interval and
        its own failed neighbourhoods: the task itself.  So a task's answer
        depends on the task alone, and the workers run tasks ahead of their
        turn, each built from the state when it is sent.  The answers are
        taken in order, as one by one would take them: a cell that the
        points recorded meanwhile certify counts as seen (its answer is
        dropped), a cell whose task, built again at its turn, is not the
        one sent (its seen interval has changed) is sent again, and the
        others' answers are the ones one by one would get.  So the release
        does not depend on the number of processes or their scheduling."""
        ahead = Ahead(self, todo, stages, self.workers(jobs))
        return [ahead.check(j) for j in range(len(todo))]

    def task(self, c, what, stages):
        """What a worker needs to check c as this process would now."""
        seen = (self.seen_n[self.nvar(c)] if what == 'count' else self.seen_rate[c.key]).tolist()
        return self.version, c.key, what, seen, dict(self.failed.get((c.key, what), {})), stages

    def stamp(self, c, stages):
        """What a task for c reads of the system, for a task sent before
        cells were hidden: the units of each stage's neighbourhood (worked
        out again: hides elsewhere can change them) and how many cells each
        has hidden.  A fixed neighbourhood's program reads the bounds of
        its own units' counts and numerators and nothing else of the system
        (the rest is at the truth), its failed memo is keyed by the same
        counts, and c's own facts change only by hiding c, which counts in
        c's unit (in every neighbourhood).  None if a stage reads more (a
        relaxation reads which counts are unknown everywhere in its rows)."""
        if any(mode not in ('fixed', 'reach') for _, _, mode in stages):
            return None
        return tuple(tuple(sorted((str(u), self.unit_version[u]) for u in self.stage_units(c, most)))
                     for _, most, _ in stages)

    def take(self, c, what, result):
        """Record what a task found for c (run_task's result): its points,
        in the order found, and its failed neighbourhoods; its answer."""
        answer, points, failed, counts = result
        for point in points:
            self.record(point)
        self.failed[(c.key, what)] = failed
        self.sys.solves += counts[0]
        self.sys.lp_solves += counts[1]
        self.sys.mip_solves += counts[2]
        self.sys.solve_time += counts[3]
        return answer

    def run_task(self, task):
        """check() from the state a task carries; returns the answer, the
        points found (not recorded here), c's failed neighbourhoods and the
        programs solved."""
        version, key, what, seen, failed, stages = task
        if version != self.version:
            raise RuntimeError('a worker holds another version of the system')
        c = self.r.cells[key]
        s = self.seen_n[self.nvar(c)] if what == 'count' else self.seen_rate[c.key]
        saved = s.copy()
        s[:] = seen
        self.failed[(key, what)] = failed
        before = (self.sys.solves, self.sys.lp_solves, self.sys.mip_solves, self.sys.solve_time)
        self.collected = []
        try:
            answer = self.check(c, what, stages)
            points = [(np.fromiter(p.keys(), dtype=int, count=len(p)), np.fromiter(p.values(), dtype=float,
                                                                                   count=len(p)))
                      for p in self.collected]
        finally:
            self.collected = None
            s[:] = saved
        after = (self.sys.solves, self.sys.lp_solves, self.sys.mip_solves, self.sys.solve_time)
        self.sys.solves, self.sys.lp_solves, self.sys.mip_solves, self.sys.solve_time = before
        return answer, points, self.failed.pop((key, what)), tuple(b - a for a, b in zip(before, after))

    def workers(self, jobs):
        """The worker processes (Workers) for jobs > 1, started once and told
        what this process hid since they last heard; None for jobs 1."""
        if jobs <= 1:
            return None
        if self.pool is None or len(self.pool.conns) != jobs:
            self.close()
            self.pool = Workers(self, jobs)
        self.pool.sync(self.hidden_log)
        return self.pool

    def close(self):
        """Stop the worker processes, if any."""
        if self.pool is not None:
            self.pool.close()
        self.pool = None

    def run(self, cells=None):
        """Audit the protected cells (all, or the given ones): returns the
        list of (cell, what, lo, hi, how) below the guarantee (or
        undecided)."""
        failures = []
        counts = self.count_cells() if cells is None else [c for c in cells if c.hidden]
        rates = self.rate_cells() if cells is None else [c for c in cells if self.is_rate_cell(c)]
        # Largest first: their certificates, which move many cells at
        # once, tend to certify the small ones too.
        todo = [(c, 'count') for c in sorted(counts, key=lambda c: -(c.n or 0))] + [(c, 'rate') for c in rates]
        for c, what in todo:
            t0 = time.time()
            lo, hi, ok, how = self.check(c, what)
            self.how[how] += 1
            self.how_time[how] += time.time() - t0
            if ok is not True:
                failures.append((c, what, lo, hi, how))
        return failures


class Workers:
    """Forked copies of an audit (_serve) that run its tasks (run_task), in
    the order each is sent them.  Each holds up to DEPTH tasks, so that it
    starts the next one while this process takes the answer of the last."""

    DEPTH = 2

    def __init__(self, audit, jobs):
        ctx = multiprocessing.get_context('fork')
        self.procs, self.conns = [], []
        self.queued = {}                # pipe -> ids of the tasks sent to it and not answered, in order
        self.synced = len(audit.hidden_log)     # cells of audit.hidden_log every worker has hidden
        self.ids = itertools.count()    # task ids, unique over every Ahead
        for _ in range(jobs):
            mine, theirs = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(audit, theirs), daemon=True)
            proc.start()
            theirs.close()
            self.procs.append(proc)
            self.conns.append(mine)
            self.queued[mine] = collections.deque()

    def sync(self, hidden_log):
        """Each worker hides what the audit hid since they last heard."""
        if self.synced < len(hidden_log):
            for conn in self.conns:
                conn.send(('hide', hidden_log[self.synced:]))
            self.synced = len(hidden_log)

    def least_busy(self):
        """The worker with the fewest tasks queued."""
        return min(self.conns, key=lambda w: len(self.queued[w]))

    def room(self):
        """The least busy worker, if it can take one more task."""
        conn = self.least_busy()
        return conn if len(self.queued[conn]) < self.DEPTH else None

    def send(self, ident, task, conn=None):
        """Queue task (known by ident) on conn, or on the least busy worker."""
        conn = conn or self.least_busy()
        conn.send(('task', task))
        self.queued[conn].append(ident)

    def receive(self):
        """Wait for answers: [(ident, answer), ...]."""
        out = []
        for conn in multiprocessing.connection.wait([w for w in self.conns if self.queued[w]]):
            kind, answer = conn.recv()
            if kind != 'ok':
                raise RuntimeError('a worker failed:\n' + answer)
            out.append((self.queued[conn].popleft(), answer))
        return out

    def close(self):
        for proc, conn in zip(self.procs, self.conns):
            try:
                conn.send(('stop', None))
            except OSError:
                pass
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()


class Ahead:
    """check(c, what, stages[what]) of each (c, what) of todo, at its turn
    (check() in order of todo), with the tasks on the workers if any: the
    task of the cell whose turn it is first, then, while a worker has
    room, the tasks of the cells after it that the points seen do not
    certify yet, each built from the state when it is sent (at most WINDOW
    cells ahead: it binds only while the check whose turn it is takes long,
    and lets the other workers go on meanwhile).  An answer sent ahead is
    taken only if it is the answer of the task built at the cell's turn:
    the same task, or, with cells hidden in between (hides: the caller
    hides cells between turns), the same task on another version of the
    system whose neighbourhoods of the cell are the same units, which hid
    nothing in between (stamp())."""

    WINDOW = 256

    def __init__(self, audit, todo, stages, pool, hides=False):
        self.audit, self.todo, self.stages, self.pool, self.hides = audit, todo, stages, pool, hides
        self.sent = {}                  # cell index -> (id, task, stamp) of the last task sent for it
        self.back = {}                  # id -> answer, of a task still the last sent for its cell
        self.owner = {}                 # id -> cell index
        self.next = 0                   # first cell index not yet considered for sending

    def check(self, j):
        c, what = self.todo[j]
        known = self.audit.known(c, what)
        if known is not None:
            return known
        task = self.audit.task(c, what, self.stages[what])
        return self.audit.take(c, what, self.audit.run_task(task) if self.pool is None else self.answer(j, task))

    def send(self, j, task, conn=None):
        ident = next(self.pool.ids)
        old = self.sent.get(j)
        if old is not None:
            self.back.pop(old[0], None)
        c, what = self.todo[j]
        self.sent[j] = (ident, task, self.audit.stamp(c, task[-1]) if self.hides else None)
        self.owner[ident] = j
        self.pool.sync(self.audit.hidden_log)
        self.pool.send(ident, task, conn)

    def valid(self, j, task):
        """Whether the task sent for cell j answers task (built now)."""
        if j not in self.sent:
            return False
        _, sent, stamp = self.sent[j]
        if sent[1:] != task[1:]:
            return False
        c, what = self.todo[j]
        return sent[0] == task[0] or (stamp is not None and stamp == self.audit.stamp(c, task[-1]))

    def answer(self, j, task):
        """The answer to cell j's task (built at its turn): the one sent
        ahead if valid, else this one's, sent now."""
        if not self.valid(j, task):
            self.send(j, task)
        ident = self.sent[j][0]
        self.fill(j)
        while ident not in self.back:
            for i, answer in self.pool.receive():
                k = self.owner.pop(i, None)         # None: sent by an earlier Ahead
                if k is not None and self.sent.get(k, (None,))[0] == i:
                    self.back[i] = answer
            self.fill(j)
        del self.sent[j]
        return self.back.pop(ident)

    def fill(self, j):
        """Send the tasks of the cells after j while a worker has room
        (forgetting those of the cells before j: certified at their turn)."""
        for k in [k for k in self.sent if k < j]:
            self.back.pop(self.sent.pop(k)[0], None)
        self.next = max(self.next, j + 1)
        while self.next < len(self.todo) and len(self.sent) < self.WINDOW:
            conn = self.pool.room()
            if conn is None:
                return
            c, what = self.todo[self.next]
            if self.audit.known(c, what) is None:
                self.send(self.next, self.audit.task(c, what, self.stages[what]), conn)
            self.next += 1


def _serve(audit, conn):
    """A worker process: its own copy of audit (forked), kept in step with
    the parent's by the cells the parent hides, runs the tasks it is sent."""
    import traceback
    while True:
        kind, what = conn.recv()
        if kind == 'hide':
            for key in what:
                audit.hide(audit.r.cells[key])
        elif kind == 'task':
            try:
                conn.send(('ok', audit.run_task(what)))
            except Exception:
                conn.send(('error', traceback.format_exc()))
        else:
            return


def describe(f):
    c, what, lo, hi = f[:4]
    if what == 'count':
        return '%s: count within [%g, %g] (%s)' % (c.label, lo, hi, c.status)
    return '%s: rate within [%.1f%%, %.1f%%] (%s)' % (c.label, lo, hi, c.status)


def load(rows, source, privacy_min):
    cells = []
    for row in rows:
        c = Cell(row)
        read_facts(c, row, source, privacy_min)
        cells.append(c)
    return Release(cells)


def candidates(audit, c, what, district=False, reach=1):
    """Published cells that share a row with c's count or numerator: hiding
    one of them is what can widen c's interval.  The district row only for
    a district cell, or when told (nothing else is left); schools'
    all-students cells (the totals a reader needs most) last; smallest
    first; for a rate, cells whose numerator can move (0 < m < n) first.
    With reach > 1, when no published cell shares a row with c, the rows of
    the hidden cells that do are searched too, and so on (a small release
    can hide every cell next to c while a published cell further away
    still bounds it)."""
    s = audit.sys
    t = audit.cell_table()
    vs = {v for v in (audit.nvar(c), audit.mvar(c)) if v is not None}
    frontier = set(vs)
    seen_rows = set()
    for _ in range(reach):
        rows = sorted(set(np.unique(s.ac[:, sorted(frontier)].nonzero()[0])) - seen_rows) if frontier else []
        seen_rows.update(rows)
        near = np.unique(s.a[rows].nonzero()[1]) if rows else np.zeros(0, dtype=int)
        cell = t.cell_of[near]
        other = cell != t.index[c.key]
        hidden = np.fromiter((t.cells[i].hidden for i in cell.tolist()), dtype=bool, count=len(cell))
        nxt = set(near[other & hidden].tolist())
        ok = other & ~hidden & t.published[cell]
        if c.unit != DISTRICT and not district:
            ok &= ~t.district[cell]
        found = np.unique(cell[ok])
        if len(found):
            stuck = t.stuck[found] if what == 'rate' else np.zeros(len(found), dtype=bool)
            order = np.lexsort((t.name_rank[found], t.n[found], stuck, t.late[found]))
            return [t.cells[i] for i in found[order].tolist()]
        frontier = nxt - vs
        vs |= nxt
    return []


class CellTable:
    """The cells of an audit's year as arrays, for candidates(): the cell of
    each variable and what ranks a published cell as a candidate (whether
    it is hidden is read from the cell: hide() changes it)."""

    def __init__(self, audit):
        s = audit.sys
        self.cells = sorted({key for _, key in s.var}, key=str)
        self.index = {key: i for i, key in enumerate(self.cells)}
        self.name_rank = np.arange(len(self.cells))         # sorted by str(key): the last tie-break
        self.cells = [audit.r.cells[key] for key in self.cells]
        self.cell_of = np.array([self.index[s.key_of[v][1]] for v in range(len(s.lb))], dtype=int)
        self.published = np.array([d.status in ('ok', 'n_size', 'range_low', 'range_high') and bool(d.n)
                                   for d in self.cells])
        self.district = np.array([d.unit == DISTRICT for d in self.cells])
        self.late = np.array([d.unit == DISTRICT or d.grp == 'ALL' for d in self.cells])
        self.stuck = np.array([not d.pct or d.m in (0, d.n) for d in self.cells])      # a rate's numerator
        self.n = np.array([d.n for d in self.cells])


PROTECT_STAGES = (('near', 3, 'fixed'), ('give', -8, 'fixed'), ('wider', 12, 'fixed'))
# For counts: the units of give and wider in one program (a count moves
# along cycles through both kinds of units).
PROTECT_COUNT_STAGES = (('near', 3, 'fixed'), ('wider', (12, 8), 'fixed'))


def sum_rows(release, year):
    """The sums of one year: (total cell, part cells) per unit's race groups
    and per group's schools, for every indicator."""
    rows = []
    units = release.units + [DISTRICT]
    for ind in INDICATORS:
        for u in units:
            rows.append(((year, ind, u, 'ALL'), [(year, ind, u, r) for r in RACES]))
        for g in GROUPS:
            rows.append(((year, ind, DISTRICT, g), [(year, ind, s, g) for s in release.units]))
    return rows


def widen_sums(audit, year, count_width):
    """Before any integer program, rules that no certificate could get
    around, applied until nothing changes:
      * in every sum whose total is published, the hidden parts hold at least
        count_width + (number of hidden parts) students, or each of them
        would be known within fewer than count_width (each holds at least
        one student): hide the smallest published part;
      * two indicators that count the same students are hidden together
        (else the published n gives the hidden one);
      * a hidden count of an indicator whose students are a subset of
        suspension's is at most suspension's count: that one is hidden too
        when it is published and less than count_width above it, and a
        hidden suspension count hides the published counts of other
        indicators within count_width below it (they would block every
        certificate that moves it down, and so the cells that move with
        it).
    The link rules leave the district row to the rounds."""
    added = []
    cells = audit.r.cells

    def hide(c):
        audit.hide(c)
        added.append(c)

    if audit.sums is None:
        # The sums as cells, once: a total with a row, its parts with students.
        audit.sums = [(cells[total], [cells[k] for k in parts if k in cells and cells[k].n])
                      for total, parts in sum_rows(audit.r, year) if total in cells]
    changed = True
    while changed:
        changed = False
        for t, ps in audit.sums:
            if t.hidden:
                continue
            hidden = [c for c in ps if c.hidden]
            if not hidden or sum(c.n for c in hidden) >= count_width + len(hidden):
                continue
            shown = sorted((c for c in ps if not c.hidden), key=lambda c: (c.n, str(c.key)))
            if shown:
                hide(shown[0])
                changed = True
        for c in [c for c in cells.values() if c.year == year and c.hidden and c.unit != DISTRICT]:
            _, ind, u, g = c.key
            partners = [b for a, b in SAME_STUDENTS if a == ind] + [a for a, b in SAME_STUDENTS if b == ind]
            for p in partners:
                d = cells.get((year, p, u, g))
                if d is not None and d.n and not d.hidden:
                    hide(d)
                    changed = True
            d = cells.get((year, ALL_ENROLLED, u, g))
            if ind != ALL_ENROLLED and d is not None and not d.hidden and d.n < c.n + count_width:
                hide(d)
                changed = True
            if ind == ALL_ENROLLED:
                for i in INDICATORS:
                    d = cells.get((year, i, u, g))
                    if i != ind and d is not None and d.n and not d.hidden and d.n > c.n - count_width:
                        hide(d)
                        changed = True
    return added


def protect(release, year, count_width, rate_width, log=None, max_rounds=100, jobs=1):
    """Hide further cells of one year until every protected cell is
    certified near itself; returns the cells it hid.  First the sums rule
    (widen_sums), then rounds: every cell that a few units around it cannot
    certify gets its best candidate hidden (candidates()), and what failed
    and what was hidden is checked again."""
    audit = Audit(release, year, count_width, rate_width)
    try:
        return _protect(audit, year, count_width, log, max_rounds, jobs)
    finally:
        audit.close()


def _protect(audit, year, count_width, log, max_rounds, jobs):
    t0 = time.time()
    added = widen_sums(audit, year, count_width)
    if log:
        log('%d: %d cell(s) hidden by the sums and links rules' % (year, len(added)))
    pending = None
    tries = defaultdict(int)
    for rnd in range(max_rounds):
        todo = pending if pending is not None else \
            [(c, 'count') for c in sorted(audit.count_cells(), key=lambda c: -c.n)] + \
            [(c, 'rate') for c in audit.rate_cells()]
        answers = audit.check_many(todo, {'count': PROTECT_COUNT_STAGES, 'rate': PROTECT_STAGES}, jobs)
        failures = [(c, what) for (c, what), answer in zip(todo, answers) if answer[2] is not True]
        if log:
            log('%d round %d: %d check(s), %d not certified (%d counts), %.0f s%s'
                % (year, rnd + 1, len(todo), len(failures), sum(1 for f in failures if f[1] == 'count'),
                   time.time() - t0,
                   ''.join('; %s %s' % (c.label, what) for c, what in failures) if len(failures) <= 3 else ''))
        if not failures:
            return added, audit
        pending = []
        # check(c, what, PROTECT_STAGES[:1]) at each failure's turn, the
        # programs on the workers (cells are hidden between turns).
        again = Ahead(audit, failures, {'count': PROTECT_STAGES[:1], 'rate': PROTECT_STAGES[:1]},
                      audit.workers(jobs), hides=True)
        for j, (c, what) in enumerate(failures):
            if again.check(j)[2] is True:
                continue            # certified by a point found since
            cands = candidates(audit, c, what)
            if not cands:
                # Nothing next to it is left to hide in the schools: the
                # whole year decides, and else the district row gives way.
                r = audit.check(c, what)
                if r[2] is True:
                    continue
                cands = candidates(audit, c, what, district=True) or \
                    candidates(audit, c, what, district=True, reach=4)
                if log:
                    log('%d: %s %s: nothing left to hide next to it in the schools: %s' % (
                        year, c.label, what, ', '.join(d.label for d in cands[:2]) or 'nothing at all'))
                if not cands:
                    raise RuntimeError('%s: nothing left to hide next to it (%s within [%g, %g])'
                                       % (c.label, what, r[0], r[1]))
            # The best candidate in c's own unit and the best elsewhere (a
            # cycle needs both).
            picks = [d for d in cands if d.unit == c.unit][:1] + [d for d in cands if d.unit != c.unit][:1]
            if any(not (d.unit == DISTRICT or d.grp == 'ALL') for d in picks):
                picks = [d for d in picks if not (d.unit == DISTRICT or d.grp == 'ALL')]
            tries[(c.key, what)] += 1
            if tries[(c.key, what)] > 2:
                # Smaller cells have not helped twice: its unit's total too.
                picks += [d for d in cands if d.unit == c.unit and d.grp == 'ALL' and d not in picks][:1]
            for d in picks:
                audit.hide(d)
                added.append(d)
                pending += [(d, 'count'), (d, 'rate')]
            pending.append((c, what))
        for d in widen_sums(audit, year, count_width):
            added.append(d)
            pending += [(d, 'count'), (d, 'rate')]
        pending = [x for x in dict(((x[0].key, x[1]), x) for x in pending).values()
                   if x[1] == 'count' or audit.is_rate_cell(x[0])]
    raise RuntimeError('protection did not converge in %d rounds' % max_rounds)


ATTACK_STAGES = (('unit', 0, 'relaxed'),)


def summarize(audit, failures, seconds):
    kinds = defaultdict(int)
    for c, what, lo, hi, how in failures:
        if how == 'undecided':
            kinds['%s undecided' % what] += 1
        elif what == 'count' and lo == hi:
            kinds['count recovered exactly'] += 1
        elif what == 'count':
            kinds['count within fewer than the width'] += 1
        elif c.status in ('range_low', 'range_high') and (hi <= EPS or lo >= 100 - EPS):
            kinds['range code shown exactly 0% or 100%'] += 1
        else:
            kinds['%s rate pinned' % ('range-coded' if c.status.startswith('range') else 'hidden')] += 1
    return ('%d: %d hidden counts, %d hidden or range-coded rates; %s; %d integer programs, %.1f s'
            % (audit.year, len(audit.count_cells()), len(audit.rate_cells()),
               ', '.join('%d %s' % (v, k) for k, v in sorted(kinds.items())) or 'nothing exposed',
               audit.sys.solves, seconds))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog='sqii-release', description=__doc__.split('\n\n')[0])
    ap.add_argument('command', choices=['protect', 'audit', 'attack'])
    ap.add_argument('--source', default='v02', choices=['v01', 'v01-one-marker', 'v02'],
                    help='how to read the public rows: 0.1 sample.published (reason column), the same with '
                         'one marker, or a 0.2 release (status column)')
    ap.add_argument('--privacy-min', type=int, default=11)
    ap.add_argument('--count-width', type=int, default=None, help='default: privacy_min')
    ap.add_argument('--rate-width', type=float, default=10.0)
    ap.add_argument('--expect', choices=['exposed', 'protected'], help='attack: fail unless this is the outcome')
    ap.add_argument('--show', action='append', default=[], metavar='YEAR/SCHOOL',
                    help='attack: print every finding for this school (e.g. 2018/89)')
    ap.add_argument('--must-find', action='append', default=[], metavar='CELL:WHAT',
                    help='attack: fail unless this finding is made, e.g. "2018 on_track school 89 FI:count"')
    ap.add_argument('--no-protect', action='store_true',
                    help='protect: hide nothing more (to check that the audit refuses such a release)')
    ap.add_argument('--certificates-out', metavar='FILE',
                    help='protect: write the certificates found (feasible integer points) to FILE')
    ap.add_argument('--certificates', metavar='FILE',
                    help='audit: points to check against the release as read and, if feasible, count as '
                         'certificates (e.g. protect\'s --certificates-out); nothing is taken on trust')
    ap.add_argument('--jobs', type=int, default=len(os.sched_getaffinity(0)),
                    help='protect: processes that solve programs (default: the cores this process may use); '
                         'the release is the same for any number')
    ap.add_argument('--quiet', action='store_true')
    args = ap.parse_args(argv)
    cw = args.count_width or args.privacy_min
    rows = json.load(sys.stdin) or []
    rel = load(rows, args.source, args.privacy_min)

    def log(msg):
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    if args.command == 'protect':
        out = []
        points = {}
        for year in ([] if args.no_protect else rel.years):
            t0 = time.time()
            before = sum(1 for c in rel.cells.values() if c.year == year and c.hidden)
            added, audit = protect(rel, year, cw, args.rate_width, log, jobs=max(1, args.jobs))
            log('%d: %d cells hidden before, %d more hidden by the protection, %.1f s'
                % (year, before, len(added), time.time() - t0))
            out.extend([c.year, c.ind, None if c.unit == DISTRICT else c.unit, c.grp] for c in added)
            points[str(year)] = audit.certificates()
        if args.certificates_out:
            with open(args.certificates_out, 'w') as f:
                f.write(json.dumps(points))         # (json.dump encodes in Python: slower)
        sys.stdout.write(json.dumps(out))
        print()
        return 0

    status = 0
    found = set()
    shows = {tuple(int(x) for x in s.split('/')) for s in args.show}
    given = {}
    if args.certificates:
        with open(args.certificates) as f:
            given = json.load(f)
    for year in rel.years:
        t0 = time.time()
        audit = Audit(rel, year, cw, args.rate_width)
        if args.command == 'audit':
            if given:
                ok, refused = audit.adopt(given.get(str(year), {}))
                log('%d: %d certificate(s) given: %d feasible, %d refused (%.1f s)'
                    % (year, ok + refused, ok, refused, time.time() - t0))
            failures = audit.run()
        else:
            failures = []
            todo = [(c, 'count') for c in audit.count_cells()] + [(c, 'rate') for c in audit.rate_cells()]
            for c, what in todo:
                lo, hi, ok, how = audit.check(c, what, ATTACK_STAGES)
                if ok is False:
                    failures.append((c, what, lo, hi, how))
        print(summarize(audit, failures, time.time() - t0))
        for f in failures:
            found.add('%s:%s' % (f[0].label, f[1]))
            if (f[0].year, f[0].unit) in shows or args.command == 'audit':
                print('    ' + describe(f))
        if args.command == 'audit' and failures:
            status = 1
        if args.expect == 'exposed' and not failures:
            print('FAIL: %d release not exposed' % year)
            status = 1
        if args.expect == 'protected' and failures:
            print('FAIL: %d release exposed' % year)
            status = 1
    for want in args.must_find:
        if want not in found:
            print('FAIL: not found: %s' % want)
            status = 1
        else:
            print('found: %s' % want)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
