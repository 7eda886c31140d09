/*
 * tally_agg.c
 *	  Aggregates that build tallies: sqii.tally(boolean), sqii.tally(float8),
 *	  sqii.merge(tally) and the convenience aggregates sqii.pct(boolean, int)
 *	  and sqii.mean(float8, int).
 *
 * All share one transition state (TallyAccum) and one combine, serialize and
 * deserialize function, following numeric.c's int8_avg_* idiom: the state
 * lives in the aggregate memory context and is updated in place.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "sqii.h"

#ifdef USE_ASSERT_CHECKING
static void
AssertTallyAccumValid(const TallyAccum *acc)
{
	Assert(acc->n >= 0 && acc->n <= TALLY_MAX_N);
	Assert(isfinite(acc->sum) && isfinite(acc->sumsq));
	Assert(acc->min_n_state <= MIN_N_VALUE);
	Assert(acc->min_n_state != MIN_N_VALUE || acc->min_n >= 0);
}
#else
#define AssertTallyAccumValid(acc) ((void) 0)
#endif

/*
 * The aggregate memory context.  Reaching an aggregate support function
 * outside an aggregate cannot happen from SQL (its arguments are internal).
 */
MemoryContext
AggContextOrError(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

/* The state of this aggregate call, created empty on the first row. */
static TallyAccum *
GetAccum(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, fname);

	if (PG_ARGISNULL(0))
		return (TallyAccum *) MemoryContextAllocZero(aggcontext, sizeof(TallyAccum));
	return (TallyAccum *) PG_GETARG_POINTER(0);
}

/* A sum and a sum of squares must be finite. */
void
TallyCheckSumsFinite(float8 sum, float8 sumsq)
{
	if (!isfinite(sum) || !isfinite(sumsq))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sqii.tally sum out of range"),
				 errdetail("The sum or the sum of squares of the values exceeds the range of double precision.")));
}

/* The sums, their compensations and the two folded together must be finite. */
static inline void
CheckSumsFinite(const TallyAccum *acc)
{
	TallyCheckSumsFinite(acc->sum, acc->sumsq);
	TallyCheckSumsFinite(acc->sum_err, acc->sumsq_err);
	TallyCheckSumsFinite(acc->sum + acc->sum_err, acc->sumsq + acc->sumsq_err);
}

/*
 * The checks TallyAccumAddFinite leaves out: the count within 2^53 and finite
 * sums.  A sum that overflowed stays Infinity or NaN, so checking once at the
 * end of a run of additions finds what checking each one would.
 */
void
TallyAccumCheck(const TallyAccum *acc)
{
	CheckCount(acc->n);
	CheckSumsFinite(acc);
}

/* A student value must be a finite number; NULL is how "not eligible" is said. */
void
TallyCheckValue(float8 x)
{
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sqii cannot tally a NaN or infinite value"),
				 errdetail("Student values must be finite numbers."),
				 errhint("Use NULL for a student who is not eligible for the indicator.")));
}

/* Add one student value. */
void
TallyAccumAddValue(TallyAccum *acc, float8 x)
{
	TallyCheckValue(x);
	TallyAccumAddFinite(acc, x, x * x);
	TallyAccumCheck(acc);
}

/* Add another accumulator's values (parallel combine), compensation included. */
void
TallyAccumCombine(TallyAccum *acc, const TallyAccum *other)
{
	acc->n += other->n;			/* both at most 2^53: cannot wrap */
	CheckCount(acc->n);
	CompensatedAdd(&acc->sum, &acc->sum_err, other->sum);
	acc->sum_err += other->sum_err;
	CompensatedAdd(&acc->sumsq, &acc->sumsq_err, other->sumsq);
	acc->sumsq_err += other->sumsq_err;
	CheckSumsFinite(acc);
}

/* Add a stored tally (merge). */
void
TallyAccumAddTally(TallyAccum *acc, const Tally *t)
{
	acc->n += t->n;				/* both at most 2^53: cannot wrap */
	CheckCount(acc->n);
	CompensatedAdd(&acc->sum, &acc->sum_err, t->sum);
	CompensatedAdd(&acc->sumsq, &acc->sumsq_err, t->sumsq);
	CheckSumsFinite(acc);
}

/*
 * Record the min_n argument of a convenience aggregate.  It is a parameter of
 * the cell, not student data, so every row must pass the same value.
 */
static void
AccumSetMinN(TallyAccum *acc, bool isnull, int32 min_n)
{
	uint8		state = isnull ? MIN_N_NULL : MIN_N_VALUE;

	if (!isnull)
		CheckMinN(min_n);
	else
		min_n = 0;
	if (acc->min_n_state == MIN_N_UNSET)
	{
		acc->min_n_state = state;
		acc->min_n = min_n;
	}
	else if (acc->min_n_state != state || acc->min_n != min_n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_n must be the same for every row of an aggregate"),
				 errhint("Pass a constant, such as 20, as min_n.")));
}

PG_FUNCTION_INFO_V1(tally_bool_accum);
/* Transition for sqii.tally(boolean): NULL rows are not eligible. */
Datum
tally_bool_accum(PG_FUNCTION_ARGS)
{
	TallyAccum *acc;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	acc = GetAccum(fcinfo, "tally_bool_accum");
	TallyAccumAddBool(acc, PG_GETARG_BOOL(1));
	AssertTallyAccumValid(acc);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(tally_float8_accum);
/* Transition for sqii.tally(double precision). */
Datum
tally_float8_accum(PG_FUNCTION_ARGS)
{
	TallyAccum *acc;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	acc = GetAccum(fcinfo, "tally_float8_accum");
	TallyAccumAddValue(acc, PG_GETARG_FLOAT8(1));
	AssertTallyAccumValid(acc);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(tally_merge_accum);
/* Transition for sqii.merge(tally). */
Datum
tally_merge_accum(PG_FUNCTION_ARGS)
{
	TallyAccum *acc;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	acc = GetAccum(fcinfo, "tally_merge_accum");
	TallyAccumAddTally(acc, PG_GETARG_TALLY_P(1));
	AssertTallyAccumValid(acc);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(pct_bool_accum);
/* Transition for sqii.pct(boolean, min_n). */
Datum
pct_bool_accum(PG_FUNCTION_ARGS)
{
	TallyAccum *acc = GetAccum(fcinfo, "pct_bool_accum");

	AccumSetMinN(acc, PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2));
	if (!PG_ARGISNULL(1))
		TallyAccumAddBool(acc, PG_GETARG_BOOL(1));
	AssertTallyAccumValid(acc);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(mean_float8_accum);
/* Transition for sqii.mean(double precision, min_n). */
Datum
mean_float8_accum(PG_FUNCTION_ARGS)
{
	TallyAccum *acc = GetAccum(fcinfo, "mean_float8_accum");

	AccumSetMinN(acc, PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2));
	if (!PG_ARGISNULL(1))
		TallyAccumAddValue(acc, PG_GETARG_FLOAT8(1));
	AssertTallyAccumValid(acc);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(tally_combine);
/* Combine two partial states (parallel aggregation). */
Datum
tally_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "tally_combine");
	TallyAccum *acc1;
	TallyAccum *acc2;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	acc2 = (TallyAccum *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		acc1 = (TallyAccum *) MemoryContextAlloc(aggcontext, sizeof(TallyAccum));
		memcpy(acc1, acc2, sizeof(TallyAccum));
		PG_RETURN_POINTER(acc1);
	}
	acc1 = (TallyAccum *) PG_GETARG_POINTER(0);

	if (acc2->min_n_state != MIN_N_UNSET)
		AccumSetMinN(acc1, acc2->min_n_state == MIN_N_NULL, acc2->min_n);
	TallyAccumCombine(acc1, acc2);
	AssertTallyAccumValid(acc1);
	PG_RETURN_POINTER(acc1);
}

PG_FUNCTION_INFO_V1(tally_serialize);
/* Serialize a partial state for a parallel worker's result. */
Datum
tally_serialize(PG_FUNCTION_ARGS)
{
	TallyAccum *acc;
	StringInfoData buf;

	AggContextOrError(fcinfo, "tally_serialize");
	acc = (TallyAccum *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	pq_sendint64(&buf, acc->n);
	pq_sendfloat8(&buf, acc->sum);
	pq_sendfloat8(&buf, acc->sum_err);
	pq_sendfloat8(&buf, acc->sumsq);
	pq_sendfloat8(&buf, acc->sumsq_err);
	pq_sendint32(&buf, acc->min_n);
	pq_sendbyte(&buf, acc->min_n_state);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(tally_deserialize);
/* Rebuild a partial state serialized by tally_serialize. */
Datum
tally_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *sstate;
	StringInfoData buf;
	TallyAccum *acc;

	AggContextOrError(fcinfo, "tally_deserialize");
	sstate = PG_GETARG_BYTEA_PP(0);
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));

	acc = (TallyAccum *) palloc(sizeof(TallyAccum));
	acc->n = pq_getmsgint64(&buf);
	acc->sum = pq_getmsgfloat8(&buf);
	acc->sum_err = pq_getmsgfloat8(&buf);
	acc->sumsq = pq_getmsgfloat8(&buf);
	acc->sumsq_err = pq_getmsgfloat8(&buf);
	acc->min_n = pq_getmsgint(&buf, 4);
	acc->min_n_state = pq_getmsgbyte(&buf);
	pq_getmsgend(&buf);
	pfree(buf.data);
	AssertTallyAccumValid(acc);
	PG_RETURN_POINTER(acc);
}

PG_FUNCTION_INFO_V1(tally_final);
/* Final function of sqii.tally and sqii.merge: NULL when nothing was seen. */
Datum
tally_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_TALLY_P(TallyFromAccum((TallyAccum *) PG_GETARG_POINTER(0)));
}

/*
 * The state of a convenience aggregate as a tally, or NULL when the result is
 * NULL anyway (no rows, or a NULL min_n).
 */
static Tally *
ConvenienceTally(FunctionCallInfo fcinfo, int32 *min_n)
{
	TallyAccum *acc;

	if (PG_ARGISNULL(0))
		return NULL;
	acc = (TallyAccum *) PG_GETARG_POINTER(0);
	if (acc->min_n_state != MIN_N_VALUE)
		return NULL;
	*min_n = acc->min_n;
	return TallyFromAccum(acc);
}

PG_FUNCTION_INFO_V1(pct_final);
/* Final function of sqii.pct(boolean, min_n): the same as sqii.pct(tally). */
Datum
pct_final(PG_FUNCTION_ARGS)
{
	int32		min_n;
	Tally	   *t = ConvenienceTally(fcinfo, &min_n);
	float8		result;

	if (t == NULL || !TallyPct(t, min_n, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(mean_final);
/* Final function of sqii.mean(double precision, min_n). */
Datum
mean_final(PG_FUNCTION_ARGS)
{
	int32		min_n;
	Tally	   *t = ConvenienceTally(fcinfo, &min_n);
	float8		result;

	if (t == NULL || !TallyMean(t, min_n, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}
