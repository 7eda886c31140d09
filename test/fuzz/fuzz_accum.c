/*
 * fuzz_accum.c
 *	  (c) The tally aggregates of src/tally_agg.c: sqii.tally(boolean),
 *	  sqii.tally(double precision), sqii.merge(tally) and the convenience
 *	  aggregates sqii.pct(boolean, int), sqii.mean(double precision, int),
 *	  each run serially, in reverse row order, and as a fuzzer-chosen
 *	  parallel plan (rows shuffled, split among up to three partial states,
 *	  serialized or not, combined in either order).
 *
 * Input: a byte choosing the aggregate, three plan bytes, a min_n byte,
 * then rows until the input ends.  Invariants:
 *	- every plan raises an error exactly when the rows break a documented
 *	  rule, with its SQLSTATE: 22000 for NaN/Infinity, 22003 when the sum of
 *	  squares overflows or n passes 2^53, 22023 for a negative or varying
 *	  min_n (see expect_rows());
 *	- otherwise a tally result is NULL exactly when no row was eligible,
 *	  counts every non-NULL row, is one tally_in accepts and round-trips;
 *	- every plan gives the same n, and on whole values whose sums stay
 *	  below 2^53 the same bits and the exact sums; otherwise sums within
 *	  Neumaier's error bound;
 *	- sqii.pct/sqii.mean equal sqii.pct/sqii.mean of sqii.tally of the same
 *	  rows to the last bit (README "The n-size rule").
 */
#include "fuzz_common.h"

#include <math.h>

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

#define MAX_ROWS 128

typedef enum AggKind
{
	AGG_TALLY_BOOL,
	AGG_TALLY_FLOAT8,
	AGG_MERGE,
	AGG_PCT,
	AGG_MEAN,
	NUM_AGGS
} AggKind;

static const struct
{
	const char *name;
	PGFunction	transfn;
	PGFunction	finalfn;
	bool		has_min_n;
	bool		boolean;
} aggs[NUM_AGGS] = {
	{"sqii.tally(boolean)", tally_bool_accum, tally_final, false, true},
	{"sqii.tally(float8)", tally_float8_accum, tally_final, false, false},
	{"sqii.merge(tally)", tally_merge_accum, tally_final, false, false},
	{"sqii.pct(boolean, int)", pct_bool_accum, pct_final, true, true},
	{"sqii.mean(float8, int)", mean_float8_accum, mean_final, true, false},
};

/* The rows and what is known about them independently of sqii. */
typedef struct Rows
{
	AggKind		kind;
	int			nrows;
	NullableDatum args[MAX_ROWS][2];	/* value, min_n */
	NullableDatum values[MAX_ROWS]; /* the values alone */
	int			eligible;		/* rows with a non-NULL value */
	FuzzSums	sums;
	bool		bad_min_n;		/* a negative min_n, or min_n not the same on every row */
	bool		min_n_null;		/* the (first) min_n is NULL */
	int32		min_n;
} Rows;

/* 0xFF is a NULL min_n; else -4 .. 59, so that negative ones come up. */
static NullableDatum
draw_min_n(FuzzInput *in)
{
	uint8		b = fin_u8(in);

	return b == 0xFF ? fuzz_null() : fuzz_value(Int32GetDatum((int32) (b % 64) - 4));
}

static int64
draw_count(FuzzInput *in)
{
	uint8		c = fin_u8(in);

	switch (c % 4)
	{
		case 0:
			return c >> 2;
		case 1:
			return fin_u16(in);
		case 2:
			return (int64) (fin_u64(in) % (uint64) (TALLY_MAX_N + 2));
		default:
			return TALLY_MAX_N - (c >> 2);
	}
}

/*
 * Sum of squares big enough for the sum, by Cauchy-Schwarz, with room for
 * rounding in the subnormal range.  Computed in long double: CheckTally's
 * own test overflows for sums beyond 1e154.
 */
static bool
tally_possible(const Tally *t)
{
	long double sum = t->sum;

	return sum * sum <= (long double) t->n * ((long double) t->sumsq + 1e-300L) * (1 + 1e-6L);
}

/*
 * A stored tally for sqii.merge: from a few whole values (exact), with a
 * sum that is a fraction of the largest the sum of squares allows, or raw.
 * False when CheckTally rejects it: tally_in would not have stored it.
 */
static bool
draw_tally(FuzzInput *in, Tally *t)
{
	uint8		how = fin_u8(in);
	int			k;

	memset(t, 0, sizeof(*t));
	switch (how % 3)
	{
		case 0:
			for (k = 1 + (how >> 2) % 8; k > 0; k--)
			{
				double		x = (int8) fin_u8(in);

				t->n++;
				t->sum += x;
				t->sumsq += x * x;
			}
			break;
		case 1:
			t->n = draw_count(in);
			t->sumsq = fabs(fin_finite_double(in));
			t->sum = (int8) fin_u8(in) / 127.0 * sqrt((double) t->n) * sqrt(t->sumsq);
			break;
		default:
			t->n = draw_count(in);
			t->sum = fin_double(in);
			t->sumsq = fin_double(in);
			break;
	}
	if (!fuzz_tally_valid(t))
		return false;
	if (!tally_possible(t))
	{
		if (!fuzz_skip("cs-overflow"))
			fuzz_fail("[cs-overflow] CheckTally accepts %s, whose sum^2 exceeds n * sumsq",
					  fuzz_tally_str(t));
		return false;
	}
	return true;
}

/*
 * One row: a tag byte (low 3 bits 0: NULL value; bit 3: the boolean;
 * high nibble 0xF: this row has its own min_n byte), then the value.  A
 * tally CheckTally rejects makes no row: it could not have been stored.
 */
static void
read_row(FuzzInput *in, Rows *r, NullableDatum base_min_n)
{
	uint8		tag = fin_u8(in);
	NullableDatum *row = r->args[r->nrows];
	NullableDatum min_n = base_min_n;
	Tally		t;

	if ((tag & 0xF0) == 0xF0)
		min_n = draw_min_n(in);
	if ((tag & 7) == 0)
		row[0] = fuzz_null();
	else if (aggs[r->kind].boolean)
	{
		bool		met = (tag & 8) != 0;

		row[0] = fuzz_value(BoolGetDatum(met));
		fuzz_sums_add(&r->sums, met ? 1.0 : 0.0);
	}
	else if (r->kind == AGG_MERGE)
	{
		Tally	   *p;

		if (!draw_tally(in, &t))
			return;
		p = palloc(sizeof(Tally));
		*p = t;
		row[0] = fuzz_value(PointerGetDatum(p));
		fuzz_sums_add_tally(&r->sums, p);
	}
	else
	{
		double		x = fin_double(in);

		row[0] = fuzz_value(Float8GetDatum(x));
		fuzz_sums_add(&r->sums, x);
	}
	r->eligible += !row[0].isnull;
	r->values[r->nrows] = row[0];

	row[1] = min_n;
	if (aggs[r->kind].has_min_n)
	{
		if (!min_n.isnull && DatumGetInt32(min_n.value) < 0)
			r->bad_min_n = true;
		if (r->nrows == 0)
		{
			r->min_n_null = min_n.isnull;
			r->min_n = min_n.isnull ? 0 : DatumGetInt32(min_n.value);
		}
		else if (min_n.isnull != r->min_n_null ||
				 (!min_n.isnull && DatumGetInt32(min_n.value) != r->min_n))
			r->bad_min_n = true;
	}
	r->nrows++;
}

/* The documented errors of these rows. */
static FuzzExpect
expect_rows(const Rows *r)
{
	FuzzExpect	e = {0};

	fuzz_expect_sums(&e, &r->sums);
	if (r->bad_min_n)
		fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
	return e;
}

/* sqii.pct(sqii.tally(met), min_n) or sqii.mean(sqii.tally(x), min_n). */
static NullableDatum
reader_of_tally(const Rows *r)
{
	NullableDatum t;
	NullableDatum result;
	FmgrInfo	fl;
	NullableDatum args[2];
	PGFunction	reader = r->kind == AGG_PCT ? tally_pct : tally_mean;

	if (!fuzz_tally_of(r->values, r->nrows, r->kind == AGG_PCT, &t))
		fuzz_fail("sqii.tally failed where %s succeeded", aggs[r->kind].name);
	/* The readers are STRICT. */
	if (t.isnull || r->min_n_null)
		return fuzz_null();
	fuzz_flinfo_init(&fl, reader, 2);
	args[0] = t;
	args[1] = fuzz_value(Int32GetDatum(r->min_n));
	if (!fuzz_call(reader, &fl, NULL, 2, args, &result.value, &result.isnull))
		fuzz_fail("the reader of sqii.tally failed where %s succeeded", aggs[r->kind].name);
	return result;
}

/* The serial result's own contract. */
static void
check_serial(const Rows *r, NullableDatum res)
{
	if (aggs[r->kind].has_min_n)
	{
		NullableDatum ref = reader_of_tally(r);
		bool		reported = !r->min_n_null && r->eligible > 0 && r->sums.n >= r->min_n;

		FUZZ_CHECK(res.isnull == !reported, "%s NULL-ness wrong (n %lld, min_n %d%s)",
				   aggs[r->kind].name, (long long) r->sums.n, r->min_n,
				   r->min_n_null ? " NULL" : "");
		FUZZ_CHECK(res.isnull == ref.isnull, "%s and the reader of sqii.tally differ in NULL-ness",
				   aggs[r->kind].name);
		if (!res.isnull)
			fuzz_check_same_double(DatumGetFloat8(res.value), DatumGetFloat8(ref.value), true, 0,
								   "aggregate vs reader of sqii.tally");
		return;
	}

	FUZZ_CHECK(res.isnull == (r->eligible == 0), "%s NULL-ness wrong with %d eligible rows",
			   aggs[r->kind].name, r->eligible);
	if (!res.isnull)
	{
		const Tally *t = DatumGetTallyP(res.value);

		FUZZ_CHECK(t->n == r->sums.n, "n = %lld, expected %lld", (long long) t->n,
				   (long long) r->sums.n);
		if (aggs[r->kind].boolean)
			FUZZ_CHECK(t->sum == t->sumsq && t->sum == (double) r->sums.sum,
					   "boolean tally %s, %.0Lf true", fuzz_tally_str(t), r->sums.sum);
		if (fuzz_check_result_tally(t, aggs[r->kind].name))
			fuzz_check_readers(t, 0);
	}
}

/* A plan's result against the serial one. */
static void
check_same(const Rows *r, NullableDatum serial, NullableDatum other, const char *plan)
{
	FUZZ_CHECK(serial.isnull == other.isnull, "%s: serial and %s plans differ in NULL-ness",
			   aggs[r->kind].name, plan);
	if (serial.isnull)
		return;
	if (aggs[r->kind].has_min_n)
		fuzz_check_same_double(DatumGetFloat8(serial.value), DatumGetFloat8(other.value),
							   fuzz_sums_exact(&r->sums), r->sums.abs_sum, plan);
	else
		fuzz_check_same_tally(DatumGetTallyP(serial.value), DatumGetTallyP(other.value),
							  &r->sums, plan);
}

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	FuzzInput	in = {data, size, 0};
	Rows	   *r;
	FuzzPlan	plan;
	NullableDatum base_min_n;
	FuzzExpect	expect;
	FuzzAgg		agg = {0};
	NullableDatum serial,
				reversed,
				parallel;
	bool		ok,
				ok2;

	fuzz_reset();
	r = palloc0(sizeof(Rows));
	r->kind = (AggKind) (fin_u8(&in) % NUM_AGGS);
	fuzz_sums_init(&r->sums);
	plan = fuzz_read_plan(&in);
	base_min_n = draw_min_n(&in);
	while (fin_more(&in) && r->nrows < MAX_ROWS)
		read_row(&in, r, base_min_n);

	agg.transfn = aggs[r->kind].transfn;
	agg.combinefn = tally_combine;
	agg.serialfn = tally_serialize;
	agg.deserialfn = tally_deserialize;
	agg.finalfn = aggs[r->kind].finalfn;
	agg.nargs = aggs[r->kind].has_min_n ? 2 : 1;
	agg.nrows = r->nrows;
	agg.rows = agg.nargs == 2 ? &r->args[0][0] : r->values;

	expect = expect_rows(r);
	ok = fuzz_agg_run(&agg, &fuzz_serial_plan, &serial);
	fuzz_check_outcome(&expect, ok, "serial plan");
	if (ok)
		check_serial(r, serial);

	ok2 = fuzz_agg_run(&agg, &fuzz_reversed_plan, &reversed);
	fuzz_check_outcome(&expect, ok2, "reversed plan");
	if (ok && ok2)
		check_same(r, serial, reversed, "reversed plan");

	ok2 = fuzz_agg_run(&agg, &plan, &parallel);
	fuzz_check_outcome(&expect, ok2, "parallel plan");
	if (ok && ok2)
		check_same(r, serial, parallel, "parallel plan");
	return 0;
}
