/*
 * groups.c
 *	  Student groups: the mapping from a student's fields to group bits, and
 *	  the one-pass aggregate that tallies every group of a school at once.
 *
 * The groups live in the tables sqii.student_group (code, bit, kind, flag)
 * and sqii.race_code (local race/ethnicity code -> group), which a district
 * adapts.  A student's groups are a bigint mask with one bit per group, so a
 * row is read once and added to each of its groups' tallies.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "sqii.h"

typedef struct RaceCode
{
	char	   *code;
	int			len;
	int			bit;
	uint64		word;			/* a code of at most 8 bytes, as ShortCodeWord makes it */
} RaceCode;

/*
 * A code of at most 8 bytes as one word (its bytes, then zeros): the codes
 * are a handful of 1 to 3 letters, and comparing words spares a memcmp call
 * per code tried on every student's row.
 */
static inline uint64
ShortCodeWord(const char *data, int len)
{
	uint64		word = 0;
	int			i;

	for (i = 0; i < len; i++)
		word |= (uint64) (unsigned char) data[i] << (8 * i);
	return word;
}

/* The group tables, read once per query and kept in fn_extra. */
struct GroupMap
{
	uint64		all_bits;		/* groups every student belongs to */
	int			nrace;
	int			race_capacity;
	RaceCode   *race;
	int			flag_bit[MAX_FLAGS + 1];	/* flag position (1-based) -> bit, -1 none */
	char	   *code_of_bit[MAX_GROUPS];
};

/* The map being read and the context it lives in. */
typedef struct GroupMapLoad
{
	GroupMap   *map;
	MemoryContext mcxt;
} GroupMapLoad;

/* One row of the group tables into the map (a ConfigRead callback). */
static void
AddGroupRow(HeapTuple tup, TupleDesc desc, void *arg)
{
	GroupMap   *map = ((GroupMapLoad *) arg)->map;
	MemoryContext mcxt = ((GroupMapLoad *) arg)->mcxt;
	bool		isnull;
	int			bit = DatumGetInt32(ConfigDatum(tup, desc, 1, &isnull));
	char	   *kind = ConfigText(tup, desc, 2, CurrentMemoryContext);
	Datum		flag = ConfigDatum(tup, desc, 3, &isnull);
	bool		flag_null = isnull;
	char	   *local_code = ConfigText(tup, desc, 5, mcxt);

	/* The table's CHECK constraints keep bit and flag in range. */
	Assert(bit >= 0 && bit < MAX_GROUPS);
	if (map->code_of_bit[bit] == NULL)
		map->code_of_bit[bit] = ConfigText(tup, desc, 4, mcxt);
	if (strcmp(kind, "all") == 0)
		map->all_bits |= UINT64CONST(1) << bit;
	else if (strcmp(kind, "program") == 0 && !flag_null)
		map->flag_bit[DatumGetInt32(flag)] = bit;
	else if (strcmp(kind, "race") == 0 && local_code != NULL)
	{
		if (map->nrace == map->race_capacity)
		{
			map->race_capacity = Max(16, map->race_capacity * 2);
			map->race = map->race == NULL ?
				MemoryContextAlloc(mcxt, sizeof(RaceCode) * map->race_capacity) :
				repalloc(map->race, sizeof(RaceCode) * map->race_capacity);
		}
		map->race[map->nrace].code = local_code;
		map->race[map->nrace].len = strlen(local_code);
		map->race[map->nrace].bit = bit;
		map->race[map->nrace].word = ShortCodeWord(local_code, Min(map->race[map->nrace].len, 8));
		map->nrace++;
	}
}

/* Read the group tables of sqii's schema (config.c). */
GroupMap *
LoadGroupMap(Oid fn_oid, MemoryContext mcxt)
{
	GroupMap   *map = MemoryContextAllocZero(mcxt, sizeof(GroupMap));
	GroupMapLoad load = {map, mcxt};
	int			i;

	for (i = 0; i <= MAX_FLAGS; i++)
		map->flag_bit[i] = -1;
	ConfigRead(fn_oid,
			   "SELECT g.bit, g.kind, g.flag, g.group_code, r.local_code "
			   "FROM @extschema@.student_group g LEFT JOIN @extschema@.race_code r "
			   "ON r.group_code OPERATOR(pg_catalog.=) g.group_code "
			   "ORDER BY g.bit, r.local_code",
			   NULL, AddGroupRow, &load);
	return map;
}

static GroupMap *
GetGroupMap(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = LoadGroupMap(fcinfo->flinfo->fn_oid, fcinfo->flinfo->fn_mcxt);
	return (GroupMap *) fcinfo->flinfo->fn_extra;
}

/*
 * A student's groups: the groups everyone is in, the race group of a race
 * code (NULL: none), and the group of each true flag (flags[i] is flag
 * i + 1: el, sed, swd, foster, homeless, then the extra flags).  An unknown
 * race code is an error (a student silently missing from every race group
 * would be a wrong number).
 */
uint64
GroupMaskOf(const GroupMap *map, const text *race, const bool *flags, int nflags)
{
	uint64		mask = map->all_bits;
	int			flag;

	if (race != NULL)
	{
		const char *data = VARDATA_ANY(race);
		int			len = VARSIZE_ANY_EXHDR(race);
		int			i;

		/* A handful of short codes: a linear scan beats hashing. */
		if (len <= 8)
		{
			uint64		word = ShortCodeWord(data, len);

			for (i = 0; i < map->nrace; i++)
			{
				if (map->race[i].word == word && map->race[i].len == len)
					break;
			}
		}
		else
		{
			for (i = 0; i < map->nrace; i++)
			{
				if (map->race[i].len == len && memcmp(map->race[i].code, data, len) == 0)
					break;
			}
		}
		if (i == map->nrace)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("race/ethnicity code not found in sqii.race_code"),
					 errhint("Map every local race/ethnicity code to a group in sqii.race_code, or pass NULL.")));
		mask |= UINT64CONST(1) << map->race[i].bit;
	}
	for (flag = 1; flag <= nflags; flag++)
	{
		if (flags[flag - 1] && map->flag_bit[flag] >= 0)
			mask |= UINT64CONST(1) << map->flag_bit[flag];
	}
	return mask;
}

/*
 * The mask of sqii.group_mask(race, el, sed, swd, foster, homeless,
 * VARIADIC extra): NULL flags mean "not in the group", a NULL race code means
 * no race group.
 */
static uint64
StudentMask(FunctionCallInfo fcinfo)
{
	bool		flags[MAX_FLAGS];
	int			nflags = 5;
	int			flag;

	for (flag = 1; flag <= 5; flag++)
		flags[flag - 1] = !PG_ARGISNULL(flag) && PG_GETARG_BOOL(flag);
	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
	{
		ArrayType  *extra = PG_GETARG_ARRAYTYPE_P(6);

		if (ARR_NDIM(extra) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("extra group flags must be a one-dimensional array")));
		/* The usual case, no extra flags, costs no deconstruction. */
		if (ARR_NDIM(extra) == 1)
		{
			Datum	   *values;
			bool	   *nulls;
			int			n;
			int			i;

			deconstruct_array(extra, BOOLOID, 1, true, TYPALIGN_CHAR, &values, &nulls, &n);
			if (n > MAX_FLAGS - 5)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("at most %d extra group flags are supported", MAX_FLAGS - 5)));
			for (i = 0; i < n; i++)
				flags[nflags++] = !nulls[i] && DatumGetBool(values[i]);
		}
	}
	return GroupMaskOf(GetGroupMap(fcinfo), PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), flags, nflags);
}

PG_FUNCTION_INFO_V1(sqii_group_mask);
/* sqii.group_mask(...): the student's groups as a bigint bit mask. */
Datum
sqii_group_mask(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) StudentMask(fcinfo));
}

PG_FUNCTION_INFO_V1(sqii_groups);
/* sqii.groups(...): the student's group codes, in bit order. */
Datum
sqii_groups(PG_FUNCTION_ARGS)
{
	uint64		mask = StudentMask(fcinfo);
	GroupMap   *map = GetGroupMap(fcinfo);
	Datum		codes[MAX_GROUPS];
	int			n = 0;

	while (mask != 0)
	{
		int			bit = pg_rightmost_one_pos64(mask);

		mask &= mask - 1;
		codes[n++] = CStringGetTextDatum(map->code_of_bit[bit]);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(codes, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/*
 * One-pass state: for each group bit seen so far, one accumulator per value
 * aggregated (width: 1 for tally_by_group, the number of values for
 * tallies_by_group), stored group-major.  Room starts at 16 groups and
 * doubles when a higher bit appears, so the default 14 groups cost 16 slots,
 * not 63.
 */
typedef struct GroupTallyState
{
	int			width;
	int			nslots;			/* group bits with room allocated */
	uint64		seen;			/* bits that received at least one value */
	TallyAccum *slots;			/* slots[bit * width + value] */
} GroupTallyState;

#define GROUP_SLOT(state, bit, j) (&(state)->slots[(bit) * (state)->width + (j)])

void
CheckGroupMask(int64 mask)
{
	if (mask < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a group mask must not be negative"),
				 errhint("Group masks come from sqii.group_mask() and use bits 0-62.")));
}

static GroupTallyState *
NewGroupState(int width, MemoryContext mcxt)
{
	GroupTallyState *state = MemoryContextAllocZero(mcxt, sizeof(GroupTallyState));

	state->width = width;
	return state;
}

/*
 * The first allocation's room: the default groups (bits 0-13) fit, so a
 * school's state is allocated once instead of growing with each higher bit
 * its rows bring (a repalloc and copy per step, many per school).
 */
#define GROUP_SLOTS_FIRST 16

/* Room for group bits 0 .. nslots - 1, growing by doubling. */
static void
EnsureSlots(GroupTallyState *state, int nslots, MemoryContext mcxt)
{
	Size		old_size = sizeof(TallyAccum) * state->nslots * state->width;
	Size		new_size;

	if (nslots <= state->nslots)
		return;
	nslots = Min(Max(nslots, Max(GROUP_SLOTS_FIRST, state->nslots * 2)), MAX_GROUPS);
	new_size = sizeof(TallyAccum) * nslots * state->width;
	if (state->slots == NULL)
		state->slots = MemoryContextAllocZero(mcxt, new_size);
	else
	{
		state->slots = repalloc(state->slots, new_size);
		memset((char *) state->slots + old_size, 0, new_size - old_size);
	}
	state->nslots = nslots;
}

/*
 * The row's mask (argument mask_arg), checked, with room for its groups in
 * the state (created on the first row with a mask).  False when the row has
 * no mask.
 */
static bool
GroupAccumBegin(FunctionCallInfo fcinfo, int mask_arg, GroupTallyState **state, int width, uint64 *mask)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "tally_by_group");
	int64		m;

	*state = PG_ARGISNULL(0) ? NULL : (GroupTallyState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(mask_arg))
		return false;
	m = PG_GETARG_INT64(mask_arg);
	CheckGroupMask(m);
	if (*state == NULL)
		*state = NewGroupState(width, aggcontext);
	*mask = (uint64) m;
	if (m != 0)
		EnsureSlots(*state, pg_leftmost_one_pos64(m) + 1, aggcontext);
	return true;
}

/*
 * The hot loops: one value added to each group in the mask.  The value is
 * checked once, not once per group; counts and sums are checked when the
 * state is combined or finished (TallyAccumCheck).
 */
static inline void
AddBoolToGroups(GroupTallyState *state, int j, uint64 mask, bool met)
{
	float8		v = met ? 1.0 : 0.0;

	state->seen |= mask;
	while (mask != 0)
	{
		TallyAccum *acc = GROUP_SLOT(state, pg_rightmost_one_pos64(mask), j);

		mask &= mask - 1;
		acc->n++;
		acc->sum += v;
		acc->sumsq += v;
	}
}

static inline void
AddValueToGroups(GroupTallyState *state, int j, uint64 mask, float8 x)
{
	float8		xx = x * x;

	state->seen |= mask;
	while (mask != 0)
	{
		TallyAccum *acc = GROUP_SLOT(state, pg_rightmost_one_pos64(mask), j);

		mask &= mask - 1;
		TallyAccumAddFinite(acc, x, xx);
	}
}

PG_FUNCTION_INFO_V1(tally_by_group_bool_accum);
/* Transition of sqii.tally_by_group(mask, boolean). */
Datum
tally_by_group_bool_accum(PG_FUNCTION_ARGS)
{
	GroupTallyState *state;
	uint64		mask;

	if (GroupAccumBegin(fcinfo, 1, &state, 1, &mask) && !PG_ARGISNULL(2))
		AddBoolToGroups(state, 0, mask, PG_GETARG_BOOL(2));
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tally_by_group_float8_accum);
/* Transition of sqii.tally_by_group(mask, double precision). */
Datum
tally_by_group_float8_accum(PG_FUNCTION_ARGS)
{
	GroupTallyState *state;
	uint64		mask;

	if (GroupAccumBegin(fcinfo, 1, &state, 1, &mask) && !PG_ARGISNULL(2))
	{
		TallyCheckValue(PG_GETARG_FLOAT8(2));
		AddValueToGroups(state, 0, mask, PG_GETARG_FLOAT8(2));
	}
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/*
 * How a value of a type is tallied: true/false values are counted, numbers
 * summed.  A domain over a number is a number.  fname and j (0-based) name
 * the value in the error for any other type.
 */
ValueKind
ValueKindOf(Oid type, const char *fname, int j)
{
	type = getBaseType(type);
	switch (type)
	{
		case BOOLOID:
			return VALUE_BOOL;
		case INT2OID:
			return VALUE_INT2;
		case INT4OID:
			return VALUE_INT4;
		case INT8OID:
			return VALUE_INT8;
		case FLOAT4OID:
			return VALUE_FLOAT4;
		case FLOAT8OID:
			return VALUE_FLOAT8;
		case NUMERICOID:
			return VALUE_NUMERIC;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("%s cannot tally a value of type %s", fname, format_type_be(type)),
			 errdetail("Value %d is neither boolean nor a number.", j + 1),
			 errhint("Pass boolean indicators (met or not) and numeric measures.")));
	pg_unreachable();
}

/*
 * The kinds of the VARIADIC "any" values, resolved on the first row and kept
 * in fn_extra.
 */
const ValueKinds *
GetValueKinds(FunctionCallInfo fcinfo, const char *fname, int first)
{
	ValueKinds *kinds = (ValueKinds *) fcinfo->flinfo->fn_extra;
	int			j;

	if (kinds != NULL)
		return kinds;
	if (get_fn_expr_variadic(fcinfo->flinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not take a VARIADIC array", fname),
				 errhint("Pass each indicator's column as its own argument.")));
	kinds = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
							   offsetof(ValueKinds, kind) + sizeof(ValueKind) * (PG_NARGS() - first));
	kinds->nvalues = PG_NARGS() - first;
	for (j = 0; j < kinds->nvalues; j++)
		kinds->kind[j] = ValueKindOf(get_fn_expr_argtype(fcinfo->flinfo, first + j), fname, j);
	fcinfo->flinfo->fn_extra = kinds;
	return kinds;
}

/*
 * A numeric value as a double.  numeric_float8 would report a value beyond
 * the range of a double with the value in the message; student values stay
 * out of messages.  A value too small for a double counts as 0 (or its
 * subnormal), as in float8 sums of such values.
 */
static float8
NumericValue(Datum d)
{
	float8		x = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, d));

	if (isinf(x) && !numeric_is_inf(DatumGetNumeric(d)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sqii cannot tally a value beyond the range of double precision"),
				 errdetail("A numeric student value is larger in magnitude than 1.8e308.")));
	return x;
}

/*
 * A value (not NULL) of a kind as a double: 0 or 1 for a true/false value.
 * Numbers are checked finite.
 */
float8
ValueOf(ValueKind kind, Datum d)
{
	float8		x = 0;

	switch (kind)
	{
		case VALUE_BOOL:
			return DatumGetBool(d) ? 1.0 : 0.0;
		case VALUE_INT2:
			x = (float8) DatumGetInt16(d);
			break;
		case VALUE_INT4:
			x = (float8) DatumGetInt32(d);
			break;
		case VALUE_INT8:
			x = (float8) DatumGetInt64(d);
			break;
		case VALUE_FLOAT4:
			x = (float8) DatumGetFloat4(d);
			break;
		case VALUE_FLOAT8:
			x = DatumGetFloat8(d);
			break;
		case VALUE_NUMERIC:
			x = NumericValue(d);
			break;
	}
	TallyCheckValue(x);
	return x;
}

/*
 * Value j of a row (argument first + j) as a double (ValueOf); false when it
 * is NULL.
 */
bool
ValueArg(FunctionCallInfo fcinfo, const ValueKinds *kinds, int first, int j, float8 *x)
{
	if (PG_ARGISNULL(first + j))
		return false;
	*x = ValueOf(kinds->kind[j], PG_GETARG_DATUM(first + j));
	return true;
}

/*
 * Add a row's values (arguments first .. first + nvalues - 1) to its groups'
 * slots offset .. offset + nvalues - 1.
 */
static void
AddValueArgs(FunctionCallInfo fcinfo, const ValueKinds *kinds, int first, GroupTallyState *state,
			 uint64 mask, int offset)
{
	int			j;
	float8		x;

	for (j = 0; j < kinds->nvalues; j++)
	{
		if (!ValueArg(fcinfo, kinds, first, j, &x))
			continue;
		if (kinds->kind[j] == VALUE_BOOL)
			AddBoolToGroups(state, offset + j, mask, x != 0.0);
		else
			AddValueToGroups(state, offset + j, mask, x);
	}
}

PG_FUNCTION_INFO_V1(tallies_by_group_accum);
/* Transition of sqii.tallies_by_group(mask, VARIADIC "any"). */
Datum
tallies_by_group_accum(PG_FUNCTION_ARGS)
{
	const ValueKinds *kinds = GetValueKinds(fcinfo, "sqii.tallies_by_group", 2);
	GroupTallyState *state;
	uint64		mask;

	if (GroupAccumBegin(fcinfo, 1, &state, kinds->nvalues, &mask))
		AddValueArgs(fcinfo, kinds, 2, state, mask, 0);
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tally_by_group_combine);
/* Combine two partial states, group by group (both one-pass aggregates). */
Datum
tally_by_group_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	GroupTallyState *s1;
	GroupTallyState *s2;
	uint64		mask;

	aggcontext = AggContextOrError(fcinfo, "tally_by_group_combine");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	s2 = (GroupTallyState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
		s1 = NewGroupState(s2->width, aggcontext);
	else
		s1 = (GroupTallyState *) PG_GETARG_POINTER(0);
	/* Both come from the same aggregate call, so from the same arguments. */
	if (s1->width != s2->width)
		elog(ERROR, "cannot combine one-pass states of %d and %d values", s1->width, s2->width);

	EnsureSlots(s1, s2->nslots, aggcontext);
	mask = s2->seen;
	while (mask != 0)
	{
		int			bit = pg_rightmost_one_pos64(mask);
		int			j;

		mask &= mask - 1;
		for (j = 0; j < s1->width; j++)
			TallyAccumCombine(GROUP_SLOT(s1, bit, j), GROUP_SLOT(s2, bit, j));
	}
	s1->seen |= s2->seen;
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(tally_by_group_serialize);
/* Serialize: the width, the seen mask, then each seen group's accumulators. */
Datum
tally_by_group_serialize(PG_FUNCTION_ARGS)
{
	GroupTallyState *state = (GroupTallyState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	uint64		mask = state->seen;

	AggContextOrError(fcinfo, "tally_by_group_serialize");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->width);
	pq_sendint64(&buf, (int64) mask);
	while (mask != 0)
	{
		int			bit = pg_rightmost_one_pos64(mask);
		int			j;

		mask &= mask - 1;
		for (j = 0; j < state->width; j++)
		{
			TallyAccum *acc = GROUP_SLOT(state, bit, j);

			pq_sendint64(&buf, acc->n);
			pq_sendfloat8(&buf, acc->sum);
			pq_sendfloat8(&buf, acc->sum_err);
			pq_sendfloat8(&buf, acc->sumsq);
			pq_sendfloat8(&buf, acc->sumsq_err);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * The start of a serialized one-pass state (sqii.tally_by_group,
 * sqii.cell_changes): buf set to read it, and its values per group, checked
 * (a value per argument after the mask).
 */
int
StateReadBegin(bytea *sstate, StringInfo buf, const char *what)
{
	int			width;

	initStringInfo(buf);
	appendBinaryStringInfo(buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));
	width = pq_getmsgint(buf, 4);
	if (width < 1 || width > FUNC_MAX_ARGS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s: %d values per group", what, width)));
	return width;
}

/* A group mask of a serialized state: bits 0-62 only. */
uint64
StateReadMask(StringInfo buf, const char *what)
{
	int64		mask = pq_getmsgint64(buf);

	if (mask < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s: group bit 63", what)));
	return (uint64) mask;
}

PG_FUNCTION_INFO_V1(tally_by_group_deserialize);
/* Rebuild a state serialized by tally_by_group_serialize. */
Datum
tally_by_group_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *sstate = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	GroupTallyState *state;
	uint64		mask;
	int			width;

	AggContextOrError(fcinfo, "tally_by_group_deserialize");
	width = StateReadBegin(sstate, &buf, "one-pass state");
	state = NewGroupState(width, CurrentMemoryContext);
	state->seen = mask = StateReadMask(&buf, "one-pass state");
	if (mask != 0)
		EnsureSlots(state, pg_leftmost_one_pos64(mask) + 1, CurrentMemoryContext);
	while (mask != 0)
	{
		int			bit = pg_rightmost_one_pos64(mask);
		int			j;

		mask &= mask - 1;
		for (j = 0; j < width; j++)
		{
			TallyAccum *acc = GROUP_SLOT(state, bit, j);

			acc->n = pq_getmsgint64(&buf);
			acc->sum = pq_getmsgfloat8(&buf);
			acc->sum_err = pq_getmsgfloat8(&buf);
			acc->sumsq = pq_getmsgfloat8(&buf);
			acc->sumsq_err = pq_getmsgfloat8(&buf);
		}
	}
	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(state);
}

/*
 * A finished state as sqii.tally[]: element [bit + 1] (one value) or
 * [bit + 1][j + 1] (several) holds group bit's tally of value j, NULL where
 * the group has no value.  NULL when no row had a value.
 */
static Datum
GroupStateArray(FunctionCallInfo fcinfo, int ndims)
{
	GroupTallyState *state;
	Oid			tally_type;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			nbits;
	int			bit;
	int			dims[2];
	int			lbs[2] = {1, 1};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (GroupTallyState *) PG_GETARG_POINTER(0);
	if (state->seen == 0)
		PG_RETURN_NULL();

	tally_type = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(tally_type))
		elog(ERROR, "could not determine the sqii.tally type");
	get_typlenbyvalalign(tally_type, &typlen, &typbyval, &typalign);

	nbits = pg_leftmost_one_pos64(state->seen) + 1;
	elems = palloc(sizeof(Datum) * nbits * state->width);
	nulls = palloc(sizeof(bool) * nbits * state->width);
	for (bit = 0; bit < nbits; bit++)
	{
		bool		seen = (state->seen & (UINT64CONST(1) << bit)) != 0;
		int			j;

		for (j = 0; j < state->width; j++)
		{
			int			k = bit * state->width + j;
			TallyAccum *acc = GROUP_SLOT(state, bit, j);

			nulls[k] = !seen || acc->n == 0;
			elems[k] = (Datum) 0;
			if (!nulls[k])
				elems[k] = PointerGetDatum(TallyFromAccum(acc));
		}
	}
	dims[0] = nbits;
	dims[1] = state->width;
	Assert(ndims == 2 || state->width == 1);
	return PointerGetDatum(construct_md_array(elems, nulls, ndims, dims, lbs, tally_type,
											  typlen, typbyval, typalign));
}

PG_FUNCTION_INFO_V1(tally_by_group_final);
/* sqii.tally_by_group: sqii.tally[] indexed by bit + 1 (sqii.group_tallies). */
Datum
tally_by_group_final(PG_FUNCTION_ARGS)
{
	return GroupStateArray(fcinfo, 1);
}

PG_FUNCTION_INFO_V1(tallies_by_group_final);
/* sqii.tallies_by_group: sqii.tally[bit + 1][value] (sqii.group_tally_rows). */
Datum
tallies_by_group_final(PG_FUNCTION_ARGS)
{
	return GroupStateArray(fcinfo, 2);
}

/*
 * The shape of a one-pass result (groups, values per group), checked; with
 * single, it must be 1-D (one tally per group).
 */
void
GroupResultShape(ArrayType *arr, const char *caller, bool single, int *nbits, int *width)
{
	if (ARR_NDIM(arr) > 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s needs the result of sqii.tally_by_group or sqii.tallies_by_group", caller),
				 errdetail("The array has %d dimensions; those results have 1 or 2.", ARR_NDIM(arr))));
	if (single && ARR_NDIM(arr) == 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s needs the result of sqii.tally_by_group, a 1-D array", caller),
				 errdetail("The array has 2 dimensions: one tally per group and indicator."),
				 errhint("Read the result of sqii.tallies_by_group with sqii.group_tally_rows.")));
	*nbits = 0;
	*width = 0;
	if (ARR_NDIM(arr) == 0)
		return;
	*nbits = ARR_DIMS(arr)[0];
	*width = ARR_NDIM(arr) == 2 ? ARR_DIMS(arr)[1] : 1;
	if (*nbits > MAX_GROUPS)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s got %d groups, more than the %d a group mask holds",
						caller, *nbits, MAX_GROUPS)));
}

/* A one-pass result, read (its shape checked by GroupResultShape). */
void
ReadGroupResult(ArrayType *arr, const char *caller, bool single, GroupResult *result)
{
	int			nelems;

	memset(result, 0, sizeof(GroupResult));
	GroupResultShape(arr, caller, single, &result->nbits, &result->width);
	if (result->nbits == 0)
		return;
	result->elemtype = ARR_ELEMTYPE(arr);
	get_typlenbyvalalign(result->elemtype, &result->typlen, &result->typbyval, &result->typalign);
	deconstruct_array(arr, result->elemtype, result->typlen, result->typbyval, result->typalign,
					  &result->elems, &result->nulls, &nelems);
}

/* Whether group bit has a value in a result. */
static bool
GroupHasValue(const GroupResult *result, int bit)
{
	int			j;

	if (bit >= result->nbits)
		return false;
	for (j = 0; j < result->width; j++)
	{
		if (!result->nulls[bit * result->width + j])
			return true;
	}
	return false;
}

/* Group bit's tallies, one per value, as a sqii.tally[]. */
static Datum
GroupValues(const GroupResult *result, int bit)
{
	return PointerGetDatum(construct_md_array(result->elems + bit * result->width,
											  result->nulls + bit * result->width, 1,
											  (int *) &result->width, (int[]) {1}, result->elemtype,
											  result->typlen, result->typbyval, result->typalign));
}

/* The code of a group bit that has tallies, or an error. */
static Datum
GroupCode(const GroupMap *map, int bit)
{
	if (map->code_of_bit[bit] == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("group bit %d has tallies but no row in sqii.student_group", bit),
				 errhint("Tallies by group must be read with the sqii.student_group rows they were built with.")));
	return CStringGetTextDatum(map->code_of_bit[bit]);
}

/*
 * Emit one row (group_code, tallies) per group with a value of a one-pass
 * result; a 1-D array is one value per group.  With single, the array must be
 * 1-D and the row carries the tally itself.
 */
static Datum
GroupRows(FunctionCallInfo fcinfo, const char *caller, bool single)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GroupMap   *map = GetGroupMap(fcinfo);
	GroupResult result;
	int			bit;

	ReadGroupResult(PG_GETARG_ARRAYTYPE_P(0), caller, single, &result);
	InitMaterializedSRF(fcinfo, 0);
	for (bit = 0; bit < result.nbits; bit++)
	{
		Datum		row[2];
		bool		rownulls[2] = {false, false};

		if (!GroupHasValue(&result, bit))
			continue;
		row[0] = GroupCode(map, bit);
		row[1] = single ? result.elems[bit] : GroupValues(&result, bit);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, rownulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sqii_group_tally_rows);
/*
 * sqii.group_tally_rows(tallies): one row (group_code, tallies) per group
 * with a value, from the result of either one-pass aggregate.
 */
Datum
sqii_group_tally_rows(PG_FUNCTION_ARGS)
{
	return GroupRows(fcinfo, "sqii.group_tally_rows", false);
}

PG_FUNCTION_INFO_V1(sqii_group_tallies);
/*
 * sqii.group_tallies(tallies): one row (group_code, tally) per group with
 * students, from the result of sqii.tally_by_group (0.1 joined in SQL, which
 * flattened a 2-D result into wrongly labelled rows and dropped unknown bits).
 */
Datum
sqii_group_tallies(PG_FUNCTION_ARGS)
{
	return GroupRows(fcinfo, "sqii.group_tallies", true);
}
