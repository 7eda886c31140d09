/*
 * levels.c
 *	  Index levels: cut points from a baseline distribution of school values,
 *	  and the level 1..levels of a value against frozen cut points.
 *
 * sqii.cutpoints(levels) WITHIN GROUP (ORDER BY value) returns the levels-1
 * cut points k/levels (k = 1 .. levels-1) of the baseline values with the
 * quantile definition of percentile_cont: linear interpolation between the
 * order statistics at position 1 + k/levels * (n - 1), the position computed
 * exactly.  The aggregate sorts the values itself (ascending, whatever the
 * ORDER BY says).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "sqii.h"


#define MAX_LEVELS 100

/* The baseline values collected so far (the aggregate sorts them itself). */
typedef struct CutpointState
{
	int64		n;
	int64		capacity;
	float8	   *values;
} CutpointState;

static void
CheckLevels(int32 levels)
{
	if (levels < 2 || levels > MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("levels must be between 2 and %d", MAX_LEVELS),
				 errhint("Deciles are 10 levels.")));
}

PG_FUNCTION_INFO_V1(cutpoints_accum);
/* Transition of sqii.cutpoints: collect non-NULL finite values. */
Datum
cutpoints_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	CutpointState *state;
	float8		x;

	aggcontext = AggContextOrError(fcinfo, "cutpoints_accum");
	state = PG_ARGISNULL(0) ? NULL : (CutpointState *) PG_GETARG_POINTER(0);
	/* The direct argument (levels) goes to the final function only. */
	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	x = PG_GETARG_FLOAT8(1);
	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sqii.cutpoints cannot use a NaN or infinite baseline value")));
	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext, sizeof(CutpointState));
		state->capacity = 1024;
		state->values = MemoryContextAlloc(aggcontext, sizeof(float8) * state->capacity);
	}
	if (state->n == state->capacity)
	{
		if (state->capacity >= (int64) (MaxAllocHugeSize / sizeof(float8) / 2))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many baseline values for sqii.cutpoints")));
		state->capacity *= 2;
		state->values = repalloc_huge(state->values, sizeof(float8) * state->capacity);
	}
	state->values[state->n++] = x;
	PG_RETURN_POINTER(state);
}

static int
CompareFloat8(const void *a, const void *b)
{
	float8		x = *(const float8 *) a;
	float8		y = *(const float8 *) b;

	return (x > y) - (x < y);
}

PG_FUNCTION_INFO_V1(cutpoints_final);
/* Final function: sort once, interpolate the levels-1 quantiles. */
Datum
cutpoints_final(PG_FUNCTION_ARGS)
{
	CutpointState *state;
	int32		levels;
	Datum	   *cuts;
	int			k;

	if (PG_ARGISNULL(1))
		PG_RETURN_NULL();
	levels = PG_GETARG_INT32(1);
	CheckLevels(levels);
	state = PG_ARGISNULL(0) ? NULL : (CutpointState *) PG_GETARG_POINTER(0);
	if (state == NULL || state->n == 0)
		PG_RETURN_NULL();		/* no baseline values: no cut points */

	/* Sorting in place is safe: the final function runs once per group. */
	qsort(state->values, state->n, sizeof(float8), CompareFloat8);
	cuts = palloc(sizeof(Datum) * (levels - 1));
	for (k = 1; k < levels; k++)
	{
		/*
		 * Position k/levels * (n - 1) in exact integer arithmetic, so that a
		 * whole position gives exactly that baseline value (a school equal to
		 * it must not fall a level because of one ulp).
		 */
		int64		scaled = (int64) k * (state->n - 1);
		int64		lo = scaled / levels;
		float8		frac = (float8) (scaled % levels) / levels;
		float8		lo_value = state->values[lo];
		float8		hi_value = frac > 0 ? state->values[lo + 1] : lo_value;
		float8		gap = hi_value - lo_value;

		/*
		 * percentile_cont's lo + frac * (hi - lo); values of opposite signs
		 * near the ends of the range overflow the gap, and are weighted
		 * instead.
		 */
		if (isfinite(gap))
			cuts[k - 1] = Float8GetDatum(lo_value + frac * gap);
		else
			cuts[k - 1] = Float8GetDatum(lo_value * (1 - frac) + hi_value * frac);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(cuts, levels - 1, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Cut points must be a one-dimensional, NULL-free, finite, non-decreasing array. */
float8 *
CheckedCuts(ArrayType *array, int *ncuts)
{
	Datum	   *elems;
	bool	   *nulls;
	float8	   *cuts;
	int			n;
	int			i;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("cut points must be a one-dimensional array")));
	deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	if (n < 1 || n >= MAX_LEVELS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("there must be between 1 and %d cut points", MAX_LEVELS - 1)));
	cuts = palloc(sizeof(float8) * n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("cut points must not contain NULL")));
		cuts[i] = DatumGetFloat8(elems[i]);
		if (!isfinite(cuts[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cut points must be finite numbers")));
		if (i > 0 && cuts[i] < cuts[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cut points must be in ascending order"),
					 errhint("Use the array sqii.cutpoints() returns.")));
	}
	*ncuts = n;
	return cuts;
}

/*
 * The level of a value that is not NaN against checked cut points: higher is
 * better, 1 + the number of cuts at or below the value; lower is better
 * mirrors the scale.  The index (sqii_index.c) uses the same rule.
 */
int
LevelOf(float8 value, const float8 *cuts, int ncuts, bool higher_is_better)
{
	int			at_or_below = 0;
	int			below = 0;
	int			i;

	for (i = 0; i < ncuts; i++)
	{
		at_or_below += (cuts[i] <= value);
		below += (cuts[i] < value);
	}
	return higher_is_better ? 1 + at_or_below : ncuts + 1 - below;
}

/* The level of a growth percentile already checked to be in 0-100. */
int
GrowthLevelOf(float8 p)
{
	Assert(p >= 0 && p <= 100);
	return p >= 90 ? 10 : 1 + (int) floor(p / 10);
}

PG_FUNCTION_INFO_V1(sqii_level);
/*
 * sqii.level(value, cuts, higher_is_better): 1 .. (number of cuts + 1).
 * Higher is better: 1 + the number of cuts at or below the value.  Lower is
 * better: the scale is mirrored.  Either way a value exactly on a cut earns
 * the better of the two levels, and values beyond the baseline range get
 * the end levels.
 */
Datum
sqii_level(PG_FUNCTION_ARGS)
{
	float8		value = PG_GETARG_FLOAT8(0);
	int			ncuts;
	float8	   *cuts = CheckedCuts(PG_GETARG_ARRAYTYPE_P(1), &ncuts);
	bool		higher_is_better = PG_GETARG_BOOL(2);

	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sqii.level cannot place a NaN value")));
	PG_RETURN_INT32(LevelOf(value, cuts, ncuts, higher_is_better));
}

PG_FUNCTION_INFO_V1(sqii_growth_level);
/* sqii.growth_level(percentile): 0-9 -> 1, 10-19 -> 2, ..., 90-100 -> 10. */
Datum
sqii_growth_level(PG_FUNCTION_ARGS)
{
	float8		p = PG_GETARG_FLOAT8(0);

	if (!(p >= 0 && p <= 100))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a growth percentile must be between 0 and 100")));
	PG_RETURN_INT32(GrowthLevelOf(p));
}
