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
#include "executor/spi.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "sqii.h"

#define MAX_GROUPS 63			/* bits 0-62: the mask stays a positive bigint */
#define MAX_FLAGS 64

typedef struct RaceCode
{
	char	   *code;
	int			len;
	int			bit;
} RaceCode;

/* The group tables, read once per query and kept in fn_extra. */
typedef struct GroupMap
{
	uint64		all_bits;		/* groups every student belongs to */
	int			nrace;
	RaceCode   *race;
	int			flag_bit[MAX_FLAGS + 1];	/* flag position (1-based) -> bit, -1 none */
	char	   *code_of_bit[MAX_GROUPS];
} GroupMap;

/*
 * The query that reads the group tables, prepared once per session for the
 * schema it names (a statement trigger calls these functions for every
 * statement, where parsing and planning the query would cost more than the
 * change itself).  The plan cache replans it when the tables change.
 */
static SPIPlanPtr group_map_plan = NULL;
static char group_map_plan_schema[NAMEDATALEN];

/*
 * Read the group tables, found in the schema of the calling function.  The
 * query runs under the caller's search_path, so its operator is qualified.
 */
static GroupMap *
LoadGroupMap(Oid fn_oid, MemoryContext mcxt)
{
	char	   *schema = get_namespace_name(get_func_namespace(fn_oid));
	GroupMap   *map = MemoryContextAllocZero(mcxt, sizeof(GroupMap));
	uint64		i;

	for (i = 0; i <= MAX_FLAGS; i++)
		map->flag_bit[i] = -1;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (group_map_plan == NULL || strcmp(group_map_plan_schema, schema) != 0)
	{
		const char *qschema = quote_identifier(schema);
		StringInfoData sql;
		SPIPlanPtr	plan;

		initStringInfo(&sql);
		appendStringInfo(&sql,
						 "SELECT g.bit, g.kind, g.flag, g.group_code, r.local_code "
						 "FROM %s.student_group g LEFT JOIN %s.race_code r "
						 "ON r.group_code OPERATOR(pg_catalog.=) g.group_code "
						 "ORDER BY g.bit, r.local_code", qschema, qschema);
		plan = SPI_prepare(sql.data, 0, NULL);
		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "could not prepare the query of the sqii student group tables");
		if (group_map_plan != NULL)
			SPI_freeplan(group_map_plan);
		/* A schema name is shorter than NAMEDATALEN. */
		memcpy(group_map_plan_schema, schema, Min(strlen(schema), NAMEDATALEN - 1));
		group_map_plan_schema[Min(strlen(schema), NAMEDATALEN - 1)] = '\0';
		group_map_plan = plan;
	}
	if (SPI_execute_plan(group_map_plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the sqii student group tables");
	map->race = MemoryContextAllocZero(mcxt, sizeof(RaceCode) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		int			bit = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		char	   *kind = SPI_getvalue(tup, desc, 2);
		Datum		flag = SPI_getbinval(tup, desc, 3, &isnull);
		bool		flag_null = isnull;
		char	   *local_code = SPI_getvalue(tup, desc, 5);

		/* The table's CHECK constraints keep bit and flag in range. */
		Assert(bit >= 0 && bit < MAX_GROUPS);
		if (map->code_of_bit[bit] == NULL)
			map->code_of_bit[bit] = MemoryContextStrdup(mcxt, SPI_getvalue(tup, desc, 4));
		if (strcmp(kind, "all") == 0)
			map->all_bits |= UINT64CONST(1) << bit;
		else if (strcmp(kind, "program") == 0 && !flag_null)
			map->flag_bit[DatumGetInt32(flag)] = bit;
		else if (strcmp(kind, "race") == 0 && local_code != NULL)
		{
			map->race[map->nrace].code = MemoryContextStrdup(mcxt, local_code);
			map->race[map->nrace].len = strlen(local_code);
			map->race[map->nrace].bit = bit;
			map->nrace++;
		}
	}
	SPI_finish();
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
 * The mask of sqii.group_mask(race, el, sed, swd, foster, homeless,
 * VARIADIC extra): NULL flags mean "not in the group", a NULL race code means
 * no race group, an unknown race code is an error (a student silently missing
 * from every race group would be a wrong number).
 */
static uint64
StudentMask(FunctionCallInfo fcinfo)
{
	GroupMap   *map = GetGroupMap(fcinfo);
	uint64		mask = map->all_bits;
	int			flag;

	if (!PG_ARGISNULL(0))
	{
		text	   *race = PG_GETARG_TEXT_PP(0);
		const char *data = VARDATA_ANY(race);
		int			len = VARSIZE_ANY_EXHDR(race);
		int			i;

		/* A handful of short codes: a linear scan beats hashing. */
		for (i = 0; i < map->nrace; i++)
		{
			if (map->race[i].len == len && memcmp(map->race[i].code, data, len) == 0)
				break;
		}
		if (i < map->nrace)
			mask |= UINT64CONST(1) << map->race[i].bit;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("race/ethnicity code not found in sqii.race_code"),
					 errhint("Map every local race/ethnicity code to a group in sqii.race_code, or pass NULL.")));
	}
	for (flag = 1; flag <= 5; flag++)
	{
		if (!PG_ARGISNULL(flag) && PG_GETARG_BOOL(flag) && map->flag_bit[flag] >= 0)
			mask |= UINT64CONST(1) << map->flag_bit[flag];
	}
	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
	{
		ArrayType  *extra = PG_GETARG_ARRAYTYPE_P(6);
		Datum	   *values;
		bool	   *nulls;
		int			n;
		int			i;

		if (ARR_NDIM(extra) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("extra group flags must be a one-dimensional array")));
		/* The usual case, no extra flags, costs no deconstruction. */
		if (ARR_NDIM(extra) == 0)
			return mask;
		deconstruct_array(extra, BOOLOID, 1, true, TYPALIGN_CHAR, &values, &nulls, &n);
		if (n > MAX_FLAGS - 5)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("at most %d extra group flags are supported", MAX_FLAGS - 5)));
		for (i = 0; i < n; i++)
		{
			if (!nulls[i] && DatumGetBool(values[i]) && map->flag_bit[6 + i] >= 0)
				mask |= UINT64CONST(1) << map->flag_bit[6 + i];
		}
	}
	return mask;
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
 * tallies_by_group), stored group-major.  Slots are added as higher bits
 * appear, so 14 groups cost 14 slots, not 63.
 */
typedef struct GroupTallyState
{
	int			width;
	int			nslots;
	uint64		seen;			/* bits that received at least one value */
	TallyAccum *slots;			/* slots[bit * width + value] */
} GroupTallyState;

#define GROUP_SLOT(state, bit, j) (&(state)->slots[(bit) * (state)->width + (j)])

static void
CheckMask(int64 mask)
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

/* Room for group bits 0 .. nslots - 1. */
static void
EnsureSlots(GroupTallyState *state, int nslots, MemoryContext mcxt)
{
	Size		old_size = sizeof(TallyAccum) * state->nslots * state->width;
	Size		new_size = sizeof(TallyAccum) * nslots * state->width;

	if (nslots <= state->nslots)
		return;
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
 * The row's mask, checked, with room for its groups in the state (created on
 * the first row with a mask).  False when the row has no mask.
 */
static bool
GroupAccumBegin(FunctionCallInfo fcinfo, GroupTallyState **state, int width, uint64 *mask)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "tally_by_group");
	int64		m;

	*state = PG_ARGISNULL(0) ? NULL : (GroupTallyState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
		return false;
	m = PG_GETARG_INT64(1);
	CheckMask(m);
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

	TallyCheckValue(x);
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

	if (GroupAccumBegin(fcinfo, &state, 1, &mask) && !PG_ARGISNULL(2))
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

	if (GroupAccumBegin(fcinfo, &state, 1, &mask) && !PG_ARGISNULL(2))
		AddValueToGroups(state, 0, mask, PG_GETARG_FLOAT8(2));
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/* How tallies_by_group reads each of its values. */
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

/*
 * The kinds of the VARIADIC "any" values, resolved on the first row and kept
 * in fn_extra: true/false values are counted, numbers summed.
 */
static const ValueKinds *
GetValueKinds(FunctionCallInfo fcinfo)
{
	ValueKinds *kinds = (ValueKinds *) fcinfo->flinfo->fn_extra;
	int			j;

	if (kinds != NULL)
		return kinds;
	if (get_fn_expr_variadic(fcinfo->flinfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sqii.tallies_by_group does not take a VARIADIC array"),
				 errhint("Pass each indicator's column as its own argument.")));
	kinds = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
							   offsetof(ValueKinds, kind) + sizeof(ValueKind) * (PG_NARGS() - 2));
	kinds->nvalues = PG_NARGS() - 2;
	for (j = 0; j < kinds->nvalues; j++)
	{
		/* "any" passes a domain as itself: a domain over a number is a number. */
		Oid			type = getBaseType(get_fn_expr_argtype(fcinfo->flinfo, 2 + j));

		switch (type)
		{
			case BOOLOID:
				kinds->kind[j] = VALUE_BOOL;
				break;
			case INT2OID:
				kinds->kind[j] = VALUE_INT2;
				break;
			case INT4OID:
				kinds->kind[j] = VALUE_INT4;
				break;
			case INT8OID:
				kinds->kind[j] = VALUE_INT8;
				break;
			case FLOAT4OID:
				kinds->kind[j] = VALUE_FLOAT4;
				break;
			case FLOAT8OID:
				kinds->kind[j] = VALUE_FLOAT8;
				break;
			case NUMERICOID:
				kinds->kind[j] = VALUE_NUMERIC;
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("sqii.tallies_by_group cannot tally a value of type %s",
								format_type_be(type)),
						 errdetail("Value %d is neither boolean nor a number.", j + 1),
						 errhint("Pass boolean indicators (met or not) and numeric measures.")));
		}
	}
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

PG_FUNCTION_INFO_V1(tallies_by_group_accum);
/* Transition of sqii.tallies_by_group(mask, VARIADIC "any"). */
Datum
tallies_by_group_accum(PG_FUNCTION_ARGS)
{
	const ValueKinds *kinds = GetValueKinds(fcinfo);
	GroupTallyState *state;
	uint64		mask;
	int			j;

	if (GroupAccumBegin(fcinfo, &state, kinds->nvalues, &mask))
	{
		for (j = 0; j < kinds->nvalues; j++)
		{
			Datum		d = PG_GETARG_DATUM(2 + j);

			if (PG_ARGISNULL(2 + j))
				continue;
			switch (kinds->kind[j])
			{
				case VALUE_BOOL:
					AddBoolToGroups(state, j, mask, DatumGetBool(d));
					break;
				case VALUE_INT2:
					AddValueToGroups(state, j, mask, (float8) DatumGetInt16(d));
					break;
				case VALUE_INT4:
					AddValueToGroups(state, j, mask, (float8) DatumGetInt32(d));
					break;
				case VALUE_INT8:
					AddValueToGroups(state, j, mask, (float8) DatumGetInt64(d));
					break;
				case VALUE_FLOAT4:
					AddValueToGroups(state, j, mask, (float8) DatumGetFloat4(d));
					break;
				case VALUE_FLOAT8:
					AddValueToGroups(state, j, mask, DatumGetFloat8(d));
					break;
				case VALUE_NUMERIC:
					AddValueToGroups(state, j, mask, NumericValue(d));
					break;
			}
		}
	}
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
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));
	width = pq_getmsgint(&buf, 4);
	/* A value per argument after the mask. */
	if (width < 1 || width > FUNC_MAX_ARGS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid one-pass state: %d values per group", width)));
	state = NewGroupState(width, CurrentMemoryContext);
	state->seen = mask = (uint64) pq_getmsgint64(&buf);
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

PG_FUNCTION_INFO_V1(sqii_group_tally_rows);
/*
 * sqii.group_tally_rows(tallies): one row (group_code, tallies) per group
 * with a value, from the result of either one-pass aggregate; a 1-D array is
 * one value per group.
 */
Datum
sqii_group_tally_rows(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	GroupMap   *map = GetGroupMap(fcinfo);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			nbits;
	int			width;
	int			bit;

	if (ARR_NDIM(arr) > 2)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("sqii.group_tally_rows needs the result of sqii.tally_by_group or sqii.tallies_by_group"),
				 errdetail("The array has %d dimensions; those results have 1 or 2.", ARR_NDIM(arr))));
	InitMaterializedSRF(fcinfo, 0);
	if (ARR_NDIM(arr) == 0)
		return (Datum) 0;
	nbits = ARR_DIMS(arr)[0];
	width = ARR_NDIM(arr) == 2 ? ARR_DIMS(arr)[1] : 1;
	if (nbits > MAX_GROUPS)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("sqii.group_tally_rows got %d groups, more than the %d a group mask holds",
						nbits, MAX_GROUPS)));
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, &elems, &nulls, &nelems);

	for (bit = 0; bit < nbits; bit++)
	{
		Datum		row[2];
		bool		rownulls[2] = {false, false};
		bool		any = false;
		int			j;

		for (j = 0; j < width; j++)
			any |= !nulls[bit * width + j];
		if (!any)
			continue;
		if (map->code_of_bit[bit] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("group bit %d has tallies but no row in sqii.student_group", bit),
					 errhint("Tallies by group must be read with the sqii.student_group rows they were built with.")));
		row[0] = CStringGetTextDatum(map->code_of_bit[bit]);
		row[1] = PointerGetDatum(construct_md_array(elems + bit * width, nulls + bit * width, 1,
													&width, (int[]) {1}, ARR_ELEMTYPE(arr),
													typlen, typbyval, typalign));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, rownulls);
	}
	return (Datum) 0;
}
