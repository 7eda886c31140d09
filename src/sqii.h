/*
 * sqii.h
 *	  Internal declarations shared by the sqii C sources.
 *
 * A tally summarizes one indicator cell: n (non-NULL student values), the sum
 * of the values and the sum of their squares.  Rates, means and spreads are
 * all read from these three numbers, and two tallies merge by addition, so a
 * school's cells roll up to a district or state without rescanning students.
 */
#ifndef SQII_H
#define SQII_H

#include <math.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"

/*
 * The largest n a tally may hold.  Beyond 2^53 a double can no longer count
 * true values exactly, so a rate would silently drift; treat it as overflow.
 */
#define TALLY_MAX_N		((int64) 1 << 53)

/* The stored SQL type sqii.tally: fixed length, double aligned, by reference. */
typedef struct Tally
{
	int64		n;
	float8		sum;
	float8		sumsq;
} Tally;

#define DatumGetTallyP(X)		((Tally *) DatumGetPointer(X))
#define PG_GETARG_TALLY_P(n)	DatumGetTallyP(PG_GETARG_DATUM(n))
#define PG_RETURN_TALLY_P(x)	PG_RETURN_POINTER(x)

/* How the min_n of a convenience aggregate has been seen so far. */
typedef enum MinNState
{
	MIN_N_UNSET = 0,			/* no row yet, or an aggregate without min_n */
	MIN_N_NULL = 1,				/* min_n was NULL: the result is NULL */
	MIN_N_VALUE = 2				/* min_n holds the value every row passed */
} MinNState;

/*
 * Aggregate transition state.  Float sums carry a Neumaier compensation term
 * so that the result does not depend on row order or on how parallel workers
 * split the rows (integer-valued data is exact either way).
 */
typedef struct TallyAccum
{
	int64		n;
	float8		sum;
	float8		sum_err;
	float8		sumsq;
	float8		sumsq_err;
	int32		min_n;
	uint8		min_n_state;	/* a MinNState */
} TallyAccum;

/* groups.c: group bits 0-62, so that a mask stays a positive bigint. */
#define MAX_GROUPS 63
/* groups.c: the flags of sqii.group_mask (5, then the extra ones) */
#define MAX_FLAGS 64

/* groups.c: the group tables, read */
typedef struct GroupMap GroupMap;
extern GroupMap *LoadGroupMap(Oid fn_oid, MemoryContext mcxt);
extern uint64 GroupMaskOf(const GroupMap *map, const text *race, const bool *flags, int nflags);

/* groups.c: how the one-pass aggregates read each of their VARIADIC values. */
typedef enum ValueKind
{
	VALUE_BOOL,
	VALUE_INT2,
	VALUE_INT4,
	VALUE_INT8,
	VALUE_FLOAT4,
	VALUE_FLOAT8,
	VALUE_NUMERIC
} ValueKind;

typedef struct ValueKinds
{
	int			nvalues;
	ValueKind	kind[FLEXIBLE_ARRAY_MEMBER];
} ValueKinds;

extern ValueKind ValueKindOf(Oid type, const char *fname, int j);
extern float8 ValueOf(ValueKind kind, Datum d);
extern const ValueKinds *GetValueKinds(FunctionCallInfo fcinfo, const char *fname, int first);
extern bool ValueArg(FunctionCallInfo fcinfo, const ValueKinds *kinds, int first, int j, float8 *x);
extern void CheckGroupMask(int64 mask);
extern int	StateReadBegin(bytea *sstate, StringInfo buf, const char *what);
extern uint64 StateReadMask(StringInfo buf, const char *what);

/* groups.c: a one-pass result (sqii.tally_by_group, sqii.tallies_by_group), read. */
typedef struct GroupResult
{
	int			nbits;			/* groups in the array (0: empty array) */
	int			width;			/* values per group */
	Oid			elemtype;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;			/* [bit * width + value] */
	bool	   *nulls;
} GroupResult;

extern void GroupResultShape(ArrayType *arr, const char *caller, bool single, int *nbits, int *width);
extern void ReadGroupResult(ArrayType *arr, const char *caller, bool single, GroupResult *result);

/* cells.c: the change of one unit of maintained cells (rows added and removed) */
typedef struct CellChangeState CellChangeState;
extern CellChangeState *NewChangeState(int width, MemoryContext mcxt);
extern void ChangeStateAddRow(CellChangeState *state, int half, uint64 mask, const float8 *x,
							  const bool *present, MemoryContext mcxt);
extern bool ChangeStateIsNoop(const CellChangeState *state);
extern float8 CellValueScaled(float8 x, int32 decimals);
extern ArrayType *ChangeStateApply(const CellChangeState *state, ArrayType *cells, Oid elemtype);
extern Oid	TallyResultType(FunctionCallInfo fcinfo);

/* config.c: reading sqii's configuration tables */
typedef void (*ConfigRowCallback) (HeapTuple tuple, TupleDesc desc, void *arg);
extern void ConfigRead(Oid fn_oid, const char *query, const char *param,
					   ConfigRowCallback callback, void *arg);
extern void ConfigReadParams(Oid fn_oid, const char *query, int nparams, const char *const *params,
							 ConfigRowCallback callback, void *arg);
extern void ConfigWrite(Oid fn_oid, const char *query, int nargs, Oid *argtypes, Datum *values,
						const char *nulls);
extern char *ConfigText(HeapTuple tuple, TupleDesc desc, int col, MemoryContext mcxt);
extern Datum ConfigDatum(HeapTuple tuple, TupleDesc desc, int col, bool *isnull);

/* levels.c */
extern float8 *CheckedCuts(ArrayType *array, int *ncuts);
extern int	LevelOf(float8 value, const float8 *cuts, int ncuts, bool higher_is_better);
extern int	GrowthLevelOf(float8 p);

/* tally.c */
extern void CheckTally(const Tally *t);
extern bool TallySumTooLarge(int64 n, float8 sum, float8 sumsq, float8 slack);
extern void CheckMinN(int32 min_n);
extern Tally *TallyFromAccum(const TallyAccum *acc);
extern void TallyFromAccumInto(const TallyAccum *acc, Tally *t);
extern bool TallyComplement(const Tally *total, const Tally *part, Tally *result);
extern bool TallyPct(const Tally *t, int32 min_n, float8 *result);
extern bool TallyMean(const Tally *t, int32 min_n, float8 *result);

/* tally_agg.c */
extern MemoryContext AggContextOrError(FunctionCallInfo fcinfo, const char *fname);
extern void TallyCheckValue(float8 x);
extern void TallyCheckSumsFinite(float8 sum, float8 sumsq);
extern void TallyAccumCheck(const TallyAccum *acc);
extern void TallyAccumAddValue(TallyAccum *acc, float8 x);
extern void TallyAccumAddTally(TallyAccum *acc, const Tally *t);
extern void TallyAccumCombine(TallyAccum *acc, const TallyAccum *other);

static inline void
CheckCount(int64 n)
{
	if (n > TALLY_MAX_N)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sqii.tally count out of range"),
				 errdetail("A tally can count at most 2^53 values exactly.")));
}

/*
 * Neumaier's compensated addition: *s + *err carries the running sum with the
 * rounding error of every step, so the total is (nearly always) the correctly
 * rounded exact sum whatever the order of the terms.
 */
static inline void
CompensatedAdd(float8 *s, float8 *err, float8 x)
{
	float8		t = *s + x;

	if (fabs(*s) >= fabs(x))
		*err += (*s - t) + x;
	else
		*err += (x - t) + *s;
	*s = t;
}

/*
 * Add a value already checked to be finite, and its square, without the
 * count and overflow checks: the one-pass aggregate adds one value to several
 * groups, and TallyAccumCombine and TallyFromAccum check each accumulator
 * once, at the end (TallyAccumCheck).
 */
static inline void
TallyAccumAddFinite(TallyAccum *acc, float8 x, float8 xx)
{
	acc->n++;
	CompensatedAdd(&acc->sum, &acc->sum_err, x);
	CompensatedAdd(&acc->sumsq, &acc->sumsq_err, xx);
}

/* A true/false value: exact integer counting, no compensation needed. */
static inline void
TallyAccumAddBool(TallyAccum *acc, bool met)
{
	acc->n++;
	CheckCount(acc->n);
	if (met)
	{
		acc->sum += 1.0;
		acc->sumsq += 1.0;
	}
}

#endif							/* SQII_H */
