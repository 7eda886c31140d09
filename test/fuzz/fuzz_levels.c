/*
 * fuzz_levels.c
 *	  (d) Index levels, src/levels.c: sqii.level(value, cuts,
 *	  higher_is_better), sqii.growth_level(percentile) and the ordered-set
 *	  aggregate sqii.cutpoints(levels) WITHIN GROUP (ORDER BY value).
 *
 * The first byte picks the function.  Invariants (README Reference table):
 *	- sqii.level on any float8[] (0-D, 1-D, 2-D, 3-D, lower bounds other
 *	  than 1, NULL elements, unsorted, NaN, infinities): an ereport with the
 *	  SQLSTATE of a rule the input breaks (2202E not one-dimensional, 22023
 *	  count not 1 .. 99, not finite or not ascending, 22004 NULL, 22000 NaN
 *	  value), else a level in 1 .. ncuts + 1: 1 + the cuts at or below the
 *	  value, mirrored (ncuts + 1 - the cuts below) when lower is better, so
 *	  a value on a cut earns the better level; monotone in the value;
 *	- sqii.growth_level: 22023 outside [0, 100] (NaN too), else the level L
 *	  with 10(L-1) <= p < 10L, and 10 for 90 .. 100;
 *	- sqii.cutpoints: 22000 for a NaN/infinite value, 22023 for levels
 *	  outside 2 .. 100, NULL for NULL levels or no values; otherwise levels-1
 *	  finite, ascending cut points, each percentile_cont's: the order
 *	  statistic itself at a whole position, else between its two
 *	  neighbours; the same whatever the row order; accepted by sqii.level.
 */
#include "fuzz_common.h"

#include <math.h>

#include "catalog/pg_type.h"

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

extern Datum sqii_level(PG_FUNCTION_ARGS);
extern Datum sqii_growth_level(PG_FUNCTION_ARGS);
extern Datum cutpoints_accum(PG_FUNCTION_ARGS);
extern Datum cutpoints_final(PG_FUNCTION_ARGS);

#define MAX_CUTS 99				/* levels.c: at most MAX_LEVELS - 1 cut points */
#define MAX_VALUES 5000			/* past the aggregate's 1024 and 2048-value blocks */

/* Fail with a finding id that SQII_FUZZ_SKIP can skip. */
#define FINDING(id, ...) \
	do { if (!fuzz_skip(id)) fuzz_fail("[" id "] " __VA_ARGS__); } while (0)

static int
call_int4(PGFunction fn, int nargs, const NullableDatum *args, bool *ok)
{
	FmgrInfo	fl;
	Datum		r;
	bool		isnull;

	fuzz_flinfo_init(&fl, fn, nargs);
	*ok = fuzz_call(fn, &fl, NULL, nargs, args, &r, &isnull);
	FUZZ_CHECK(!*ok || !isnull, "STRICT level function returned NULL on non-NULL input");
	return *ok ? DatumGetInt32(r) : 0;
}

/* ---- sqii.level --------------------------------------------------------- */

/* Cut points ascending (a running sum of non-negative steps) or anything. */
static Datum
draw_cut(FuzzInput *in, void *arg)
{
	double	   *prev = (double *) arg;

	if (isnan(*prev))
		return Float8GetDatum(fin_double(in));
	*prev += fabs(fin_double(in));
	return Float8GetDatum(*prev);
}

static int
level_of(const FuzzArray *cuts, double value, bool higher_is_better, bool *ok)
{
	NullableDatum args[3];

	args[0] = fuzz_value(Float8GetDatum(value));
	args[1] = fuzz_value(PointerGetDatum(cuts->array));
	args[2] = fuzz_value(BoolGetDatum(higher_is_better));
	return call_int4(sqii_level, 3, args, ok);
}

/* The documented errors of sqii.level(value, cuts). */
static FuzzExpect
expect_level(const FuzzArray *cuts, double value)
{
	FuzzExpect	e = {0};
	int			i;

	if (cuts->ndim > 1)
		fuzz_expect_must(&e, ERRCODE_ARRAY_SUBSCRIPT_ERROR);
	if (cuts->nelems < 1 || cuts->nelems > MAX_CUTS)
		fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
	if (cuts->hasnull)
		fuzz_expect_must(&e, ERRCODE_NULL_VALUE_NOT_ALLOWED);
	for (i = 0; i < cuts->nelems; i++)
	{
		double		c = DatumGetFloat8(cuts->elems[i]);

		if (cuts->nulls[i])
			continue;
		if (!isfinite(c))
			fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
		/* Ascending is judged between neighbours, whatever their NULLs. */
		if (i > 0 && !cuts->nulls[i - 1] && c < DatumGetFloat8(cuts->elems[i - 1]))
			fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
	}
	if (isnan(value))
		fuzz_expect_must(&e, ERRCODE_DATA_EXCEPTION);
	return e;
}

/* The README's definition of the level, computed from the cuts themselves. */
static int
reference_level(const FuzzArray *cuts, double value, bool higher_is_better)
{
	int			at_or_below = 0;
	int			below = 0;
	int			i;

	for (i = 0; i < cuts->nelems; i++)
	{
		at_or_below += DatumGetFloat8(cuts->elems[i]) <= value;
		below += DatumGetFloat8(cuts->elems[i]) < value;
	}
	return higher_is_better ? 1 + at_or_below : cuts->nelems + 1 - below;
}

static void
fuzz_level(FuzzInput *in)
{
	uint8		flags = fin_u8(in);
	double		prev = (flags & 1) ? 0.0 : NAN;
	FuzzArray	cuts;
	double		v1 = fin_double(in);
	double		v2 = fin_double(in);
	int			hib;

	fuzz_array(in, MAX_CUTS + 10, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
			   draw_cut, &prev, &cuts);
	for (hib = 0; hib <= 1; hib++)
	{
		FuzzExpect	e = expect_level(&cuts, v1);
		bool		ok1,
					ok2;
		int			l1 = level_of(&cuts, v1, hib, &ok1);
		int			l2;

		fuzz_check_outcome(&e, ok1, "sqii.level");
		if (!ok1)
			continue;
		FUZZ_CHECK(l1 >= 1 && l1 <= cuts.nelems + 1, "level %d of %d cuts", l1, cuts.nelems);
		FUZZ_CHECK(l1 == reference_level(&cuts, v1, hib),
				   "level %d of %.17g, expected %d (higher_is_better %d)", l1, v1,
				   reference_level(&cuts, v1, hib), hib);

		l2 = level_of(&cuts, v2, hib, &ok2);
		FUZZ_CHECK(ok2 == !isnan(v2), "sqii.level of %.17g: ok %d", v2, ok2);
		if (ok2 && v1 < v2)
			FUZZ_CHECK(hib ? l1 <= l2 : l1 >= l2, "level not monotone: %.17g -> %d, %.17g -> %d",
					   v1, l1, v2, l2);
	}
}

/* ---- sqii.growth_level -------------------------------------------------- */

/* Percentiles: the fuzzer's doubles, hundredths, and the ulps around each ten. */
static double
draw_percentile(FuzzInput *in)
{
	uint8		how = fin_u8(in);

	switch (how % 3)
	{
		case 0:
			return fin_double(in);
		case 1:
			return fin_u16(in) / 100.0;
		default:
			return nextafter(10.0 * ((how >> 2) % 11), (how & 0x80) ? INFINITY : -INFINITY);
	}
}

static void
fuzz_growth_level(FuzzInput *in)
{
	double		p1 = draw_percentile(in);
	double		p2 = draw_percentile(in);
	NullableDatum args[1];
	FuzzExpect	e = {0};
	bool		ok1,
				ok2;
	int			l1,
				l2;

	args[0] = fuzz_value(Float8GetDatum(p1));
	l1 = call_int4(sqii_growth_level, 1, args, &ok1);
	if (!(p1 >= 0 && p1 <= 100))
		fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
	fuzz_check_outcome(&e, ok1, "sqii.growth_level");
	if (!ok1)
		return;
	FUZZ_CHECK(l1 >= 1 && l1 <= 10, "growth level %d of %.17g", l1, p1);
	FUZZ_CHECK(l1 == 10 ? p1 >= 90 : (p1 >= 10.0 * (l1 - 1) && p1 < 10.0 * l1),
			   "growth level %d of %.17g", l1, p1);

	args[0] = fuzz_value(Float8GetDatum(p2));
	l2 = call_int4(sqii_growth_level, 1, args, &ok2);
	if (ok2 && p1 < p2)
		FUZZ_CHECK(l1 <= l2, "growth level not monotone: %.17g -> %d, %.17g -> %d", p1, l1, p2, l2);
}

/* ---- sqii.cutpoints ----------------------------------------------------- */

static NullableDatum
draw_levels(FuzzInput *in)
{
	static const int32 edges[] = {-1, 0, 1, 99, 100, 101, PG_INT32_MIN, PG_INT32_MAX};
	uint8		b = fin_u8(in);

	switch (b & 3)
	{
		case 0:
		case 1:
			return fuzz_value(Int32GetDatum(2 + (b >> 2) % 11));
		case 2:
			return fuzz_value(Int32GetDatum(edges[(b >> 2) % lengthof(edges)]));
		default:
			return (b & 4) ? fuzz_null() : fuzz_value(Int32GetDatum((int32) fin_u32(in)));
	}
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The cut points' contract, from an independently sorted copy of the values. */
static void
check_cuts(ArrayType *array, int levels, double *sorted, int n)
{
	Datum	   *elems;
	bool	   *nulls;
	int			ncuts;
	int			k;
	FuzzArray	cuts;
	bool		ok;

	FUZZ_CHECK(ARR_NDIM(array) == 1 && ARR_LBOUND(array)[0] == 1 && !ARR_HASNULL(array),
			   "cut points: %d dimensions", ARR_NDIM(array));
	deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &ncuts);
	FUZZ_CHECK(ncuts == levels - 1, "%d cut points for %d levels", ncuts, levels);
	qsort(sorted, n, sizeof(double), compare_doubles);
	for (k = 1; k < levels; k++)
	{
		double		c = DatumGetFloat8(elems[k - 1]);
		int64		scaled = (int64) k * (n - 1);
		double		lo = sorted[scaled / levels];
		double		hi = sorted[Min(scaled / levels + 1, n - 1)];

		if (!isfinite(c))
			FINDING("cut-overflow", "cut point %d of %d is %g; neighbours %.17g, %.17g (n %d)",
					k, levels, c, lo, hi, n);
		else if (scaled % levels == 0)
			FUZZ_CHECK(c == lo, "cut point %d at a whole position: %.17g, not %.17g", k, c, lo);
		else if (c < lo || c > hi)
			FINDING("cut-bounds", "cut point %d = %.17g outside its neighbours %.17g, %.17g",
					k, c, lo, hi);
		if (k > 1 && c < DatumGetFloat8(elems[k - 2]))
			FINDING("cut-order", "cut points %d, %d descend: %.17g, %.17g", k - 1, k,
					DatumGetFloat8(elems[k - 2]), c);
	}

	/* What sqii.freeze_cutpoints does with them: sqii.level must accept them. */
	memset(&cuts, 0, sizeof(cuts));
	cuts.array = array;
	cuts.ndim = 1;
	cuts.nelems = ncuts;
	cuts.elems = elems;
	cuts.nulls = nulls;
	k = level_of(&cuts, sorted[n / 2], true, &ok);
	if (!ok)
		FINDING("cut-rejected", "sqii.level rejects sqii.cutpoints(%d)'s result: %s", levels,
				fuzz_error.message);
	else
		FUZZ_CHECK(k >= 1 && k <= levels, "a baseline value's level %d of %d", k, levels);
}

static void
fuzz_cutpoints(FuzzInput *in)
{
	NullableDatum levels = draw_levels(in);
	uint8		dense = fin_u8(in);
	NullableDatum *rows = palloc(sizeof(NullableDatum) * MAX_VALUES);
	double	   *sorted = palloc(sizeof(double) * MAX_VALUES);
	int			nrows = 0;
	int			n = 0;
	bool		nonfinite = false;
	FuzzAgg		agg = {0};
	FuzzExpect	e = {0};
	NullableDatum r1,
				r2;
	bool		ok;

	while (fin_more(in) && nrows < MAX_VALUES)
	{
		/* Dense: each byte a small whole value, repeated, to fill big baselines. */
		if (dense & 1)
		{
			int			x = (int8) fin_u8(in);
			int			rep;

			for (rep = 1 + (dense >> 1); rep > 0 && nrows < MAX_VALUES; rep--)
			{
				rows[nrows++] = fuzz_value(Float8GetDatum(x));
				sorted[n++] = x;
			}
		}
		else if ((fin_u8(in) & 7) == 0)
			rows[nrows++] = fuzz_null();
		else
		{
			double		x = fin_double(in);

			rows[nrows++] = fuzz_value(Float8GetDatum(x));
			nonfinite |= !isfinite(x);
			sorted[n++] = x;
		}
	}
	agg.transfn = cutpoints_accum;
	agg.finalfn = cutpoints_final;
	agg.nargs = 1;
	agg.nrows = nrows;
	agg.rows = rows;
	agg.ndirect = 1;
	agg.direct = &levels;

	if (nonfinite)
		fuzz_expect_must(&e, ERRCODE_DATA_EXCEPTION);
	if (!levels.isnull && (DatumGetInt32(levels.value) < 2 || DatumGetInt32(levels.value) > 100))
		fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
	ok = fuzz_agg_run(&agg, &fuzz_serial_plan, &r1);
	fuzz_check_outcome(&e, ok, "sqii.cutpoints");
	if (!ok)
		return;
	FUZZ_CHECK(r1.isnull == (levels.isnull || n == 0),
			   "sqii.cutpoints NULL-ness wrong (%d values)", n);
	if (r1.isnull)
		return;
	check_cuts(DatumGetArrayTypeP(r1.value), DatumGetInt32(levels.value), sorted, n);

	/* The aggregate sorts the values itself: the row order cannot matter. */
	if (!fuzz_agg_run(&agg, &fuzz_reversed_plan, &r2))
		fuzz_fail("sqii.cutpoints failed on the same rows reversed");
	{
		ArrayType  *a1 = DatumGetArrayTypeP(r1.value);
		ArrayType  *a2 = DatumGetArrayTypeP(r2.value);
		int			i;

		FUZZ_CHECK(ARR_DIMS(a1)[0] == ARR_DIMS(a2)[0], "reversed rows: another number of cuts");
		for (i = 0; i < ARR_DIMS(a1)[0]; i++)
		{
			double		c1 = ((double *) ARR_DATA_PTR(a1))[i];
			double		c2 = ((double *) ARR_DATA_PTR(a2))[i];

			/* == rather than bits: -0 and 0 are tied in the sort. */
			FUZZ_CHECK(c1 == c2 || (isnan(c1) && isnan(c2)),
					   "reversed rows: cut %d %.17g vs %.17g", i + 1, c1, c2);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	FuzzInput	in = {data, size, 0};

	fuzz_reset();
	switch (fin_u8(&in) % 3)
	{
		case 0:
			fuzz_level(&in);
			break;
		case 1:
			fuzz_growth_level(&in);
			break;
		default:
			fuzz_cutpoints(&in);
			break;
	}
	return 0;
}
