/*
 * cells.c
 *	  Maintained cells: the arithmetic that keeps a stored tally equal to the
 *	  tally of its students while they change.
 *
 * A cell table holds one tally per unit (school), student group and
 * indicator.  A change to the students arrives as the tallies of the rows
 * added and of the rows removed; the cell becomes cell + added - removed.
 * Counts and whole-number values are exact in a double while the sums stay
 * below 2^53, so that arithmetic is exact and the cell equals a full
 * recomputation after any sequence of changes.  Fractional values are kept
 * exact by storing them scaled to whole numbers (sqii_cell_value), and read
 * back through sqii_cell_unscale.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "sqii.h"

/* The largest whole number below which every double sum is exact. */
#define CELL_EXACT_LIMIT	9007199254740992.0	/* 2^53 */
#define CELL_EXACT_SQRT		67108864.0	/* 2^26: its square is below 2^53 */

/*
 * The most decimal places a maintained value may keep: 10^6 squared is still
 * a power of ten a double holds exactly, so unscaling rounds once.
 */
#define CELL_MAX_DECIMALS	6

static inline void
ReportOutOfStep(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("maintained cells are out of step with their student table"),
			 errdetail("A change removes students that a cell does not hold."),
			 errhint("The cells were changed by hand, or the student table changed while the cells' triggers were disabled: run sqii.rebuild_cells.")));
}

/* 10^decimals, exact in a double; no libm call on a value's path. */
static const float8 PowersOfTen[CELL_MAX_DECIMALS + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};

static inline void
CheckDecimals(int32 decimals)
{
	if (decimals < 0 || decimals > CELL_MAX_DECIMALS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decimals must be between 0 and %d", CELL_MAX_DECIMALS),
				 errhint("decimals is the number of decimal places a maintained value keeps exactly.")));
}

/*
 * A whole number below 2^53 in magnitude.  The sum or difference of two such
 * is an integer, exact in a double when it is below 2^53 in magnitude too (a
 * result of 2^53 or more rounds to 2^53 or more), so a result needs only
 * that check.
 */
static inline bool
IsWholeNumber(float8 x)
{
	/* Truncating to an integer is exact below 2^53, and cheaper than rint(). */
	return fabs(x) < CELL_EXACT_LIMIT && x == (float8) (int64) x;
}

/*
 * cell + added - removed in plain arithmetic, when that is exactly what
 * CellApply's compensated sums give: the sums of cells are whole numbers, so
 * every step is exact.  False, leaving the rest to CellApply, for anything
 * else: fractions, sums near 2^53, and every case CellApply reports or
 * adjusts (removed not in the cell, rounding of a sum of squares).
 */
static inline bool
CellApplyWhole(const Tally *cell, const Tally *added, const Tally *removed, Tally *result)
{
	static const Tally empty = {0, 0.0, 0.0};
	const Tally *c = cell != NULL ? cell : &empty;
	const Tally *a = added != NULL ? added : &empty;
	const Tally *r = removed != NULL ? removed : &empty;
	float8		sum = c->sum + a->sum;
	float8		sumsq = c->sumsq + a->sumsq;

	/* The arguments whole (NULL is), then the steps below 2^53: exact. */
	if ((cell != NULL && (!IsWholeNumber(c->sum) || !IsWholeNumber(c->sumsq))) ||
		(added != NULL && (!IsWholeNumber(a->sum) || !IsWholeNumber(a->sumsq))) ||
		(removed != NULL && (!IsWholeNumber(r->sum) || !IsWholeNumber(r->sumsq))) ||
		!(fabs(sum) < CELL_EXACT_LIMIT) || !(fabs(sumsq) < CELL_EXACT_LIMIT))
		return false;
	result->n = c->n + a->n;	/* both at most 2^53: cannot wrap */
	CheckCount(result->n);
	if (r->n > result->n)
		return false;
	result->n -= r->n;
	result->sum = sum - r->sum;
	result->sumsq = sumsq - r->sumsq;
	if (!(fabs(result->sum) < CELL_EXACT_LIMIT) || !(fabs(result->sumsq) < CELL_EXACT_LIMIT) || result->sumsq < 0)
		return false;
	if (result->n == 0)
		return result->sum == 0 && result->sumsq == 0;
	/* Cauchy-Schwarz, exactly while sum^2 and n * sumsq stay below 2^53. */
	if (fabs(result->sum) < CELL_EXACT_SQRT && result->sumsq < CELL_EXACT_LIMIT / (float8) result->n)
		return result->sum * result->sum <= (float8) result->n * result->sumsq;
	return !TallySumTooLarge(result->n, result->sum, result->sumsq, 0);
}

/*
 * cell + added - removed into result (each of the three may be NULL: no
 * value); false when nothing is left.  An error when removed is not in the
 * cell: the cells are out of step with their students.
 */
static bool
CellApply(const Tally *cell, const Tally *added, const Tally *removed, Tally *result)
{
	TallyAccum	acc = {0};
	Tally		total;

	if (CellApplyWhole(cell, added, removed, result))
		return result->n != 0;

	if (cell != NULL)
		TallyAccumAddTally(&acc, cell);
	if (added != NULL)
		TallyAccumAddTally(&acc, added);
	TallyFromAccumInto(&acc, &total);
	if (removed == NULL)
		*result = total;
	else if (!TallyComplement(&total, removed, result))
		ReportOutOfStep();
	return result->n != 0;
}

PG_FUNCTION_INFO_V1(sqii_cell_apply);
/*
 * cell + added - removed: one cell after a change to its students.  A NULL
 * argument is an empty tally; an empty result is NULL, which is what the
 * aggregates give for a cell without values.
 */
Datum
sqii_cell_apply(PG_FUNCTION_ARGS)
{
	Tally	   *result = (Tally *) palloc(sizeof(Tally));

	if (!CellApply(PG_ARGISNULL(0) ? NULL : PG_GETARG_TALLY_P(0),
				   PG_ARGISNULL(1) ? NULL : PG_GETARG_TALLY_P(1),
				   PG_ARGISNULL(2) ? NULL : PG_GETARG_TALLY_P(2), result))
		PG_RETURN_NULL();
	PG_RETURN_TALLY_P(result);
}

/*
 * The tallies of a one-pass result read in order, without deconstructing the
 * array: a sqii.tally is 24 bytes, double-aligned, so the elements lie one
 * after another (NULLs take no room).  A unit row is read on every change.
 */
typedef struct TallyCursor
{
	int			n;				/* elements */
	int			next;			/* index of the next one */
	const char *data;
	const bits8 *nulls;			/* NULL: none */
} TallyCursor;

/* A cursor over a one-pass result (NULL: no elements), and its shape. */
static void
TallyCursorOver(ArrayType *arr, const char *caller, TallyCursor *cur, int *nbits, int *width)
{
	memset(cur, 0, sizeof(TallyCursor));
	*nbits = 0;
	*width = 0;
	if (arr == NULL)
		return;
	GroupResultShape(arr, caller, false, nbits, width);
	cur->n = *nbits * *width;
	/* ARR_DATA_PTR, without its mix of signed and unsigned offsets. */
	cur->data = (const char *) arr + (ARR_HASNULL(arr) ? (Size) arr->dataoffset : ARR_OVERHEAD_NONULLS(ARR_NDIM(arr)));
	cur->nulls = ARR_NULLBITMAP(arr);
}

/* A cursor over one argument of a function (NULL: no elements). */
static void
TallyCursorStart(FunctionCallInfo fcinfo, int arg, const char *caller, TallyCursor *cur, int *nbits, int *width,
				 Oid *elemtype)
{
	ArrayType  *arr = PG_ARGISNULL(arg) ? NULL : PG_GETARG_ARRAYTYPE_P(arg);

	TallyCursorOver(arr, caller, cur, nbits, width);
	if (arr != NULL)
		*elemtype = ARR_ELEMTYPE(arr);
}

static inline const Tally *
TallyCursorNext(TallyCursor *cur)
{
	int			k = cur->next++;
	const Tally *t;

	if (k >= cur->n || (cur->nulls != NULL && (cur->nulls[k / 8] & (1 << (k % 8))) == 0))
		return NULL;
	t = (const Tally *) cur->data;
	cur->data += sizeof(Tally);
	return t;
}

/*
 * A one-pass result, [rows][width] sqii.tally elements, NULL where nulls[k]:
 * what construct_md_array makes, without its calls per element.  A unit
 * row's arrays are made three times for every unit a change writes.
 */
static ArrayType *
TallyArray(const Datum *elems, const bool *nulls, int rows, int width, Oid elemtype)
{
	int			nitems = rows * width;
	int			nvalues = 0;
	bool		hasnulls;
	Size		offset;
	ArrayType  *result;
	char	   *data;
	int			k;

	for (k = 0; k < nitems; k++)
		nvalues += nulls[k] ? 0 : 1;
	hasnulls = nvalues < nitems;
	offset = hasnulls ? ARR_OVERHEAD_WITHNULLS(2, nitems) : ARR_OVERHEAD_NONULLS(2);
	result = (ArrayType *) palloc0(offset + (Size) nvalues * sizeof(Tally));
	SET_VARSIZE(result, offset + (Size) nvalues * sizeof(Tally));
	result->ndim = 2;
	result->dataoffset = hasnulls ? (int32) offset : 0;
	result->elemtype = elemtype;
	ARR_DIMS(result)[0] = rows;
	ARR_DIMS(result)[1] = width;
	ARR_LBOUND(result)[0] = 1;
	ARR_LBOUND(result)[1] = 1;
	data = (char *) result + offset;
	for (k = 0; k < nitems; k++)
	{
		if (nulls[k])
			continue;
		if (hasnulls)
			ARR_NULLBITMAP(result)[k / 8] |= 1 << (k % 8);
		memcpy(data, DatumGetPointer(elems[k]), sizeof(Tally));
		data += sizeof(Tally);
	}
	return result;
}

/*
 * Where the added or removed tallies of a unit's change come from: an
 * argument's array (sqii.cell_apply_groups), or a half of a gathered change
 * (the write of a trigger's or a batch's change).
 */
typedef struct ChangePart
{
	TallyCursor cursor;
	const CellChangeState *state;	/* NULL: the cursor */
	int			half;
	const Tally *block;			/* the state's block of the group being read, or NULL */
} ChangePart;

/* A slot of a change state, checked: a count within 2^53 and finite sums. */
static inline void
CheckChangeSlot(const Tally *t)
{
	CheckCount(t->n);
	TallyCheckSumsFinite(t->sum, t->sumsq);
}

static inline const Tally *ChangeBlockIfAny(const CellChangeState *state, int half, int bit);

/* Start reading group bit of a part. */
static inline void
ChangePartGroup(ChangePart *part, int bit)
{
	if (part->state != NULL)
		part->block = bit < MAX_GROUPS ? ChangeBlockIfAny(part->state, part->half, bit) : NULL;
}

/* The next value of the group being read, NULL if none. */
static inline const Tally *
ChangePartNext(ChangePart *part, int j)
{
	if (part->state == NULL)
		return TallyCursorNext(&part->cursor);
	if (part->block == NULL || part->block[j].n == 0)
		return NULL;
	CheckChangeSlot(&part->block[j]);
	return &part->block[j];
}

/*
 * A unit's one-pass result (its cursor) after a change, nbits groups of
 * width values, group by group and value by value as sqii.cell_apply.  A
 * group left without students has no tallies, trailing empty groups are
 * trimmed, and a unit left without students is NULL: the result is what a
 * full recomputation gives.
 */
static ArrayType *
GroupsAfterChange(TallyCursor *cells, ChangePart *added, ChangePart *removed, int nbits, int width,
				  Oid elemtype)
{
	Datum	   *elems = palloc(sizeof(Datum) * nbits * width);
	bool	   *nulls = palloc(sizeof(bool) * nbits * width);
	Tally	   *results = palloc(sizeof(Tally) * nbits * width);
	int			kept = 0;
	int			bit;

	for (bit = 0; bit < nbits; bit++)
	{
		bool		students = false;
		int			j;

		ChangePartGroup(added, bit);
		ChangePartGroup(removed, bit);
		for (j = 0; j < width; j++)
		{
			int			k = bit * width + j;
			const Tally *cell = TallyCursorNext(cells);
			const Tally *plus = ChangePartNext(added, j);
			const Tally *minus = ChangePartNext(removed, j);
			bool		value = CellApply(cell, plus, minus, &results[k]);

			/* A value where the group has no student left: out of step. */
			if (j == 0)
				students = value;
			else if (value && !students)
				ReportOutOfStep();
			nulls[k] = !value;
			elems[k] = PointerGetDatum(&results[k]);
		}
		if (students)
			kept = bit + 1;
	}
	if (kept == 0)
		return NULL;
	return TallyArray(elems, nulls, kept, width, elemtype);
}

/* The shape of two of a unit's one-pass results taken together. */
static void
JoinShapes(const char *caller, int in_nbits, int in_width, int *nbits, int *width)
{
	if (in_nbits == 0)
		return;
	if (*width != 0 && in_width != *width)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s needs results of the same values", caller),
				 errdetail("The arguments have %d and %d values per group.", *width, in_width)));
	*width = in_width;
	*nbits = Max(*nbits, in_nbits);
}

PG_FUNCTION_INFO_V1(sqii_cell_apply_groups);
/*
 * sqii.cell_apply_groups(cells, added, removed): a unit's stored one-pass
 * result (sqii.tallies_by_group: [group bit + 1][value], value 1 counting
 * the students) after a change (GroupsAfterChange).
 */
Datum
sqii_cell_apply_groups(PG_FUNCTION_ARGS)
{
	const char *caller = "sqii.cell_apply_groups";
	TallyCursor cells;
	ChangePart	parts[2];
	Oid			elemtype = InvalidOid;
	int			width = 0;
	int			nbits = 0;
	int			in_nbits;
	int			in_width;
	int			i;
	ArrayType  *result;

	StaticAssertStmt(sizeof(Tally) == 24 && sizeof(Tally) % MAXIMUM_ALIGNOF == 0,
					 "sqii.tally elements must lie one after another in an array");
	TallyCursorStart(fcinfo, 0, caller, &cells, &in_nbits, &in_width, &elemtype);
	JoinShapes(caller, in_nbits, in_width, &nbits, &width);
	memset(parts, 0, sizeof(parts));
	for (i = 0; i < 2; i++)
	{
		TallyCursorStart(fcinfo, i + 1, caller, &parts[i].cursor, &in_nbits, &in_width, &elemtype);
		JoinShapes(caller, in_nbits, in_width, &nbits, &width);
	}
	if (nbits == 0)
		PG_RETURN_NULL();
	result = GroupsAfterChange(&cells, &parts[0], &parts[1], nbits, width, elemtype);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * The state of sqii.cell_changes for one unit: for each half (the rows added,
 * the rows removed) and group bit, a block of width plain tallies, made when
 * the first row of that half and group arrives.  A statement brings few rows
 * per unit, often of one half only (a DELETE, an INSERT), and fresh memory
 * costs more to touch than the few rows cost to add: room for every group and
 * both halves was most of the work of a small change.  So blocks are made as
 * needed, several to a page whose size fills a memory chunk (the allocator
 * rounds a request up to a power of two).  The values of cells are whole
 * numbers, whose sums are exact in a double below 2^53, so a slot is a plain
 * tally, not a compensated accumulator.
 */
struct CellChangeState
{
	int			width;			/* values per half */
	int			per_page;		/* blocks per page, at most 255 */
	int			last_used;		/* blocks made in the last page */
	int			npages;
	int			max_pages;		/* room in pages[] */
	Tally	  **pages;
	uint64		seen[2];		/* group bits with a block, per half */
	uint16		block_at[2][MAX_GROUPS];	/* each (half, bit)'s block: page << 8 | place */
};

#define CHANGE_PAGE_MIN 1024	/* bytes */

CellChangeState *
NewChangeState(int width, MemoryContext mcxt)
{
	CellChangeState *state = MemoryContextAllocZero(mcxt, sizeof(CellChangeState));
	Size		block_size = sizeof(Tally) * width;
	Size		page_size = CHANGE_PAGE_MIN;

	while (page_size < block_size)
		page_size *= 2;
	state->width = width;
	state->per_page = Min(page_size / block_size, 255);
	state->last_used = state->per_page; /* no page yet */
	return state;
}

/* A block by its place (no division: this is on every row's path). */
static inline Tally *
ChangeBlockAt(const CellChangeState *state, uint16 at)
{
	return &state->pages[at >> 8][(at & 0xFF) * state->width];
}

/* A new empty block for (half, bit). */
static Tally *
NewChangeBlock(CellChangeState *state, int half, int bit, MemoryContext mcxt)
{
	uint16		at;
	Tally	   *block;

	if (state->last_used == state->per_page)
	{
		if (state->npages == state->max_pages)
		{
			state->max_pages = Max(8, state->max_pages * 2);
			state->pages = state->pages == NULL ?
				MemoryContextAlloc(mcxt, sizeof(Tally *) * state->max_pages) :
				repalloc(state->pages, sizeof(Tally *) * state->max_pages);
		}
		state->pages[state->npages++] = MemoryContextAlloc(mcxt, sizeof(Tally) * state->width * state->per_page);
		state->last_used = 0;
	}
	/* At most 2 * 63 blocks, so at most 126 pages. */
	at = (uint16) ((state->npages - 1) << 8 | state->last_used++);
	block = ChangeBlockAt(state, at);
	memset(block, 0, sizeof(Tally) * state->width);
	state->block_at[half][bit] = at;
	state->seen[half] |= UINT64CONST(1) << bit;
	return block;
}

/* The block of (half, bit), made empty if it has none yet. */
static inline Tally *
ChangeBlock(CellChangeState *state, int half, int bit, MemoryContext mcxt)
{
	if (state->seen[half] & (UINT64CONST(1) << bit))
		return ChangeBlockAt(state, state->block_at[half][bit]);
	return NewChangeBlock(state, half, bit, mcxt);
}

/* The block of (half, bit), or NULL when no row of that half had that group. */
static inline const Tally *
ChangeBlockIfAny(const CellChangeState *state, int half, int bit)
{
	if ((state->seen[half] & (UINT64CONST(1) << bit)) == 0)
		return NULL;
	return ChangeBlockAt(state, state->block_at[half][bit]);
}

/*
 * Add a row of a half (0 added, 1 removed) to the blocks of its groups:
 * value j where present[j].
 */
void
ChangeStateAddRow(CellChangeState *state, int half, uint64 mask, const float8 *x, const bool *present,
				  MemoryContext mcxt)
{
	Tally	   *groups[MAX_GROUPS];
	int			ngroups = 0;
	int			j;

	for (; mask != 0; mask &= mask - 1)
		groups[ngroups++] = ChangeBlock(state, half, pg_rightmost_one_pos64(mask), mcxt);
	for (j = 0; j < state->width; j++)
	{
		float8		xx;
		int			g;

		if (!present[j])
			continue;
		xx = x[j] * x[j];
		for (g = 0; g < ngroups; g++)
		{
			Tally	   *t = &groups[g][j];

			t->n++;
			t->sum += x[j];
			t->sumsq += xx;
		}
	}
}

PG_FUNCTION_INFO_V1(cell_changes_accum);
/*
 * Transition of sqii.cell_changes(removal, mask, VARIADIC "any"): a row's
 * values added to its groups' blocks of the half it belongs to.
 */
Datum
cell_changes_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "sqii.cell_changes");
	const ValueKinds *kinds = GetValueKinds(fcinfo, "sqii.cell_changes", 3);
	CellChangeState *state = PG_ARGISNULL(0) ? NULL : (CellChangeState *) PG_GETARG_POINTER(0);
	float8		x[FUNC_MAX_ARGS];
	bool		present[FUNC_MAX_ARGS];
	int			j;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sqii.cell_changes needs to know whether each row is added or removed"),
				 errhint("Pass false for a row added, true for a row removed.")));
	if (PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	CheckGroupMask(PG_GETARG_INT64(2));
	if (state == NULL)
		state = NewChangeState(kinds->nvalues, aggcontext);
	for (j = 0; j < kinds->nvalues; j++)
		present[j] = ValueArg(fcinfo, kinds, 3, j, &x[j]);
	ChangeStateAddRow(state, PG_GETARG_BOOL(1) ? 1 : 0, (uint64) PG_GETARG_INT64(2), x, present, aggcontext);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(cell_changes_combine);
/* Combine two partial states of sqii.cell_changes, block by block. */
Datum
cell_changes_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "sqii.cell_changes");
	CellChangeState *s1;
	CellChangeState *s2;
	int			half;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	s2 = (CellChangeState *) PG_GETARG_POINTER(1);
	s1 = PG_ARGISNULL(0) ? NewChangeState(s2->width, aggcontext) : (CellChangeState *) PG_GETARG_POINTER(0);
	/* Both come from the same aggregate call, so from the same arguments. */
	if (s1->width != s2->width)
		elog(ERROR, "cannot combine cell change states of %d and %d values", s1->width, s2->width);
	for (half = 0; half < 2; half++)
	{
		uint64		mask;

		for (mask = s2->seen[half]; mask != 0; mask &= mask - 1)
		{
			int			bit = pg_rightmost_one_pos64(mask);
			Tally	   *to = ChangeBlock(s1, half, bit, aggcontext);
			const Tally *from = ChangeBlockIfAny(s2, half, bit);
			int			j;

			for (j = 0; j < s1->width; j++)
			{
				to[j].n += from[j].n;	/* both at most 2^53: cannot wrap */
				to[j].sum += from[j].sum;
				to[j].sumsq += from[j].sumsq;
				CheckChangeSlot(&to[j]);
			}
		}
	}
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cell_changes_serialize);
/* Serialize: the width, then per half the groups seen and their blocks. */
Datum
cell_changes_serialize(PG_FUNCTION_ARGS)
{
	CellChangeState *state = (CellChangeState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			half;

	AggContextOrError(fcinfo, "sqii.cell_changes");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->width);
	for (half = 0; half < 2; half++)
	{
		uint64		mask;

		pq_sendint64(&buf, (int64) state->seen[half]);
		for (mask = state->seen[half]; mask != 0; mask &= mask - 1)
		{
			const Tally *block = ChangeBlockIfAny(state, half, pg_rightmost_one_pos64(mask));
			int			j;

			for (j = 0; j < state->width; j++)
			{
				pq_sendint64(&buf, block[j].n);
				pq_sendfloat8(&buf, block[j].sum);
				pq_sendfloat8(&buf, block[j].sumsq);
			}
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cell_changes_deserialize);
/* Rebuild a state serialized by cell_changes_serialize, checked. */
Datum
cell_changes_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *sstate = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CellChangeState *state;
	int			width;
	int			half;

	AggContextOrError(fcinfo, "sqii.cell_changes");
	width = StateReadBegin(sstate, &buf, "cell change state");
	state = NewChangeState(width, CurrentMemoryContext);
	for (half = 0; half < 2; half++)
	{
		uint64		mask;

		for (mask = StateReadMask(&buf, "cell change state"); mask != 0; mask &= mask - 1)
		{
			Tally	   *block = ChangeBlock(state, half, pg_rightmost_one_pos64(mask), CurrentMemoryContext);
			int			j;

			for (j = 0; j < width; j++)
			{
				block[j].n = pq_getmsgint64(&buf);
				block[j].sum = pq_getmsgfloat8(&buf);
				block[j].sumsq = pq_getmsgfloat8(&buf);
				CheckChangeSlot(&block[j]);
			}
		}
	}
	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(state);
}

/*
 * Whether a change leaves its unit as it is: both halves hold the same
 * tallies (slots without values count as empty).  It stops at the first
 * difference: the slots are checked where they are read (ChangePartNext,
 * ChangeHalfElements).
 */
bool
ChangeStateIsNoop(const CellChangeState *state)
{
	uint64		seen = state->seen[0] | state->seen[1];

	for (; seen != 0; seen &= seen - 1)
	{
		int			bit = pg_rightmost_one_pos64(seen);
		const Tally *added = ChangeBlockIfAny(state, 0, bit);
		const Tally *removed = ChangeBlockIfAny(state, 1, bit);
		int			j;

		for (j = 0; j < state->width; j++)
		{
			const Tally *a = added ? &added[j] : NULL;
			const Tally *r = removed ? &removed[j] : NULL;
			bool		a_empty = a == NULL || a->n == 0;
			bool		r_empty = r == NULL || r->n == 0;

			if (a_empty != r_empty ||
				(!a_empty && (a->n != r->n || a->sum != r->sum || a->sumsq != r->sumsq)))
				return false;
		}
	}
	return true;
}

/*
 * A unit's stored one-pass result (cells, NULL for a unit without a row)
 * after a gathered change to it: sqii.cell_apply_groups(cells, added,
 * removed) without making the halves into arrays.  NULL when no student is
 * left.
 */
ArrayType *
ChangeStateApply(const CellChangeState *state, ArrayType *cells, Oid elemtype)
{
	const char *caller = "the write of maintained cells";
	TallyCursor cursor;
	ChangePart	parts[2];
	int			width = 0;
	int			nbits = 0;
	int			in_nbits;
	int			in_width;
	int			half;

	memset(parts, 0, sizeof(parts));
	TallyCursorOver(cells, caller, &cursor, &in_nbits, &in_width);
	JoinShapes(caller, in_nbits, in_width, &nbits, &width);
	for (half = 0; half < 2; half++)
	{
		parts[half].state = state;
		parts[half].half = half;
		if (state->seen[half] != 0)
			JoinShapes(caller, pg_leftmost_one_pos64(state->seen[half]) + 1, state->width, &nbits, &width);
	}
	if (nbits == 0)
		return NULL;
	return GroupsAfterChange(&cursor, &parts[0], &parts[1], nbits, width, elemtype);
}

/* The sqii.tally type, as the element type of a function's result. */
Oid
TallyResultType(FunctionCallInfo fcinfo)
{
	Oid			tally_type = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));

	if (!OidIsValid(tally_type))
		elog(ERROR, "could not determine the sqii.tally type");
	return tally_type;
}

/*
 * Point elems and nulls at one half's slots (0 the rows added, 1 those
 * removed) for groups 0 .. nbits - 1: slot [bit][j] at bit * stride +
 * offset + j, NULL where no row of that half had a value (TallyArray copies
 * the slots).  Returns the last group with a value plus one (0: none).
 */
static int
ChangeHalfElements(const CellChangeState *state, int half, int nbits, int stride, int offset,
				   Datum *elems, bool *nulls)
{
	int			kept = 0;
	int			bit;

	for (bit = 0; bit < nbits; bit++)
	{
		const Tally *block = ChangeBlockIfAny(state, half, bit);
		int			j;

		for (j = 0; j < state->width; j++)
		{
			int			k = bit * stride + offset + j;

			nulls[k] = block == NULL || block[j].n == 0;
			elems[k] = PointerGetDatum(block ? &block[j] : NULL);
			if (!nulls[k])
			{
				CheckChangeSlot(&block[j]);
				kept = bit + 1;
			}
		}
	}
	return kept;
}

PG_FUNCTION_INFO_V1(cell_changes_final);
/*
 * sqii.cell_changes: sqii.tally[bit + 1][value] with the added rows' values
 * then the removed rows' (NULL where none); NULL when the two halves are
 * equal (the change adds back what it removes, so the cells stay as they
 * are).
 */
Datum
cell_changes_final(PG_FUNCTION_ARGS)
{
	CellChangeState *state;
	Datum	   *elems;
	bool	   *nulls;
	int			nbits;
	int			width;
	int			half;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (CellChangeState *) PG_GETARG_POINTER(0);
	if (ChangeStateIsNoop(state))
		PG_RETURN_NULL();
	nbits = pg_leftmost_one_pos64(state->seen[0] | state->seen[1]) + 1;
	width = state->width;
	elems = palloc(sizeof(Datum) * nbits * 2 * width);
	nulls = palloc(sizeof(bool) * nbits * 2 * width);
	for (half = 0; half < 2; half++)
		ChangeHalfElements(state, half, nbits, 2 * width, half * width, elems, nulls);
	PG_RETURN_ARRAYTYPE_P(TallyArray(elems, nulls, nbits, 2 * width, TallyResultType(fcinfo)));
}

PG_FUNCTION_INFO_V1(sqii_cell_change_part);
/*
 * sqii.cell_change_part(change, removed): the rows added (removed false) or
 * removed (true) of a sqii.cell_changes result, as a one-pass result of its
 * own: [group bit + 1][value], trailing groups without values trimmed, NULL
 * when that part has no value.
 */
Datum
sqii_cell_change_part(PG_FUNCTION_ARGS)
{
	GroupResult change;
	bool		removed = PG_GETARG_BOOL(1);
	int			width;
	int			kept = 0;
	int			bit;
	int			j;
	Datum	   *elems;
	bool	   *nulls;

	ReadGroupResult(PG_GETARG_ARRAYTYPE_P(0), "sqii.cell_change_part", false, &change);
	if (change.width % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("sqii.cell_change_part needs the result of sqii.cell_changes"),
				 errdetail("It has an even number of values per group: those added, then those removed.")));
	width = change.width / 2;
	if (width == 0)
		PG_RETURN_NULL();
	elems = palloc(sizeof(Datum) * change.nbits * width);
	nulls = palloc(sizeof(bool) * change.nbits * width);
	for (bit = 0; bit < change.nbits; bit++)
	{
		for (j = 0; j < width; j++)
		{
			int			from = bit * change.width + (removed ? width : 0) + j;

			elems[bit * width + j] = change.elems[from];
			nulls[bit * width + j] = change.nulls[from];
			if (!change.nulls[from])
				kept = bit + 1;
		}
	}
	if (kept == 0)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(TallyArray(elems, nulls, kept, width, change.elemtype));
}

/*
 * A student value as the whole number a cell stores: x * 10^decimals, which
 * must be a whole number below 2^53 (x must be the double nearest to a
 * number with that many decimal places).  Sums of such numbers are exact, so
 * adding and removing them never drifts.
 */
float8
CellValueScaled(float8 x, int32 decimals)
{
	float8		scale;
	float8		scaled;

	CheckDecimals(decimals);
	TallyCheckValue(x);
	scale = PowersOfTen[decimals];
	scaled = rint(x * scale);
	if (fabs(scaled) >= CELL_EXACT_LIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("indicator value out of range for a maintained cell"),
				 errdetail("A maintained value times 10^decimals must be below 2^53 in absolute value."),
				 errhint("Declare fewer decimal places for the column.")));
	if (scaled / scale != x)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("indicator value has more decimal places than its maintained cells keep"),
				 errdetail_plural("The cells keep %d decimal place of this column exactly.",
								  "The cells keep %d decimal places of this column exactly.",
								  decimals, decimals),
				 errhint("Declare the column's decimal places in sqii.create_cells (decimals), or round the values.")));
	return scaled;
}

PG_FUNCTION_INFO_V1(sqii_cell_value);
/* sqii.cell_value(x, decimals): CellValueScaled. */
Datum
sqii_cell_value(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(CellValueScaled(PG_GETARG_FLOAT8(0), PG_GETARG_INT32(1)));
}

PG_FUNCTION_INFO_V1(sqii_cell_value_numeric);
/*
 * sqii.cell_value(x numeric, decimals): x read as the aggregates read a
 * numeric value (ValueOf: an error beyond double precision does not name
 * it, as a cast's would), then CellValueScaled.
 */
Datum
sqii_cell_value_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(CellValueScaled(ValueOf(VALUE_NUMERIC, PG_GETARG_DATUM(0)), PG_GETARG_INT32(1)));
}

PG_FUNCTION_INFO_V1(sqii_cell_unscale);
/*
 * The tally of the values from the stored tally of the values times
 * 10^decimals: each sum divided once, so it is the correctly rounded exact
 * sum of the values as decimals.
 */
Datum
sqii_cell_unscale(PG_FUNCTION_ARGS)
{
	Tally	   *scaled = PG_GETARG_TALLY_P(0);
	int32		decimals = PG_GETARG_INT32(1);
	Tally	   *t = (Tally *) palloc(sizeof(Tally));
	float8		scale;

	CheckDecimals(decimals);
	scale = PowersOfTen[decimals];
	t->n = scaled->n;
	t->sum = scaled->sum / scale;
	t->sumsq = scaled->sumsq / (scale * scale);
	CheckTally(t);
	PG_RETURN_TALLY_P(t);
}
