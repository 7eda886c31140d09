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
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

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
 * Read the group tables, found in the schema of the calling function.  The
 * query runs under the caller's search_path, so its operator is qualified.
 */
static GroupMap *
LoadGroupMap(Oid fn_oid, MemoryContext mcxt)
{
	char	   *schema = get_namespace_name(get_func_namespace(fn_oid));
	const char *qschema = quote_identifier(schema);
	GroupMap   *map = MemoryContextAllocZero(mcxt, sizeof(GroupMap));
	StringInfoData sql;
	uint64		i;

	for (i = 0; i <= MAX_FLAGS; i++)
		map->flag_bit[i] = -1;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT g.bit, g.kind, g.flag, g.group_code, r.local_code "
					 "FROM %s.student_group g LEFT JOIN %s.race_code r "
					 "ON r.group_code OPERATOR(pg_catalog.=) g.group_code "
					 "ORDER BY g.bit, r.local_code", qschema, qschema);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, true, 0) != SPI_OK_SELECT)
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
 * One-pass state: a tally accumulator per group bit seen so far.  Slots are
 * added as higher bits appear, so 14 groups cost 14 slots, not 63.
 */
typedef struct GroupTallyState
{
	int			nslots;
	uint64		seen;			/* bits whose slot holds at least one value */
	TallyAccum *slots;
} GroupTallyState;

static void
CheckMask(int64 mask)
{
	if (mask < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a group mask must not be negative"),
				 errhint("Group masks come from sqii.group_mask() and use bits 0-62.")));
}

static void
EnsureSlots(GroupTallyState *state, int nslots, MemoryContext mcxt)
{
	if (nslots <= state->nslots)
		return;
	if (state->slots == NULL)
		state->slots = MemoryContextAllocZero(mcxt, sizeof(TallyAccum) * nslots);
	else
	{
		state->slots = repalloc(state->slots, sizeof(TallyAccum) * nslots);
		memset(state->slots + state->nslots, 0, sizeof(TallyAccum) * (nslots - state->nslots));
	}
	state->nslots = nslots;
}

/* The state and the row's mask, or NULL when the row adds nothing. */
static GroupTallyState *
GroupAccumBegin(FunctionCallInfo fcinfo, uint64 *mask)
{
	MemoryContext aggcontext;
	GroupTallyState *state;
	int64		m;

	aggcontext = AggContextOrError(fcinfo, "tally_by_group");
	state = PG_ARGISNULL(0) ? NULL : (GroupTallyState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return state;
	m = PG_GETARG_INT64(1);
	CheckMask(m);
	if (state == NULL)
		state = MemoryContextAllocZero(aggcontext, sizeof(GroupTallyState));
	*mask = (uint64) m;
	if (m != 0)
		EnsureSlots(state, pg_leftmost_one_pos64(m) + 1, aggcontext);
	state->seen |= *mask;
	return state;
}

PG_FUNCTION_INFO_V1(tally_by_group_bool_accum);
/* Transition of sqii.tally_by_group(mask, boolean). */
Datum
tally_by_group_bool_accum(PG_FUNCTION_ARGS)
{
	uint64		mask = 0;
	GroupTallyState *state = GroupAccumBegin(fcinfo, &mask);
	bool		met;

	if (state == NULL)
		PG_RETURN_NULL();
	met = PG_GETARG_BOOL(2);
	while (mask != 0)
	{
		TallyAccumAddBool(&state->slots[pg_rightmost_one_pos64(mask)], met);
		mask &= mask - 1;
	}
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tally_by_group_float8_accum);
/* Transition of sqii.tally_by_group(mask, double precision). */
Datum
tally_by_group_float8_accum(PG_FUNCTION_ARGS)
{
	uint64		mask = 0;
	GroupTallyState *state = GroupAccumBegin(fcinfo, &mask);
	float8		x;

	if (state == NULL)
		PG_RETURN_NULL();
	x = PG_GETARG_FLOAT8(2);
	while (mask != 0)
	{
		TallyAccum *acc = &state->slots[pg_rightmost_one_pos64(mask)];

		mask &= mask - 1;
		TallyAccumAddValue(acc, x);
	}
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tally_by_group_combine);
/* Combine two partial states, group by group. */
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
		s1 = MemoryContextAllocZero(aggcontext, sizeof(GroupTallyState));
	else
		s1 = (GroupTallyState *) PG_GETARG_POINTER(0);

	EnsureSlots(s1, s2->nslots, aggcontext);
	mask = s2->seen;
	while (mask != 0)
	{
		int			bit = pg_rightmost_one_pos64(mask);

		mask &= mask - 1;
		TallyAccumCombine(&s1->slots[bit], &s2->slots[bit]);
	}
	s1->seen |= s2->seen;
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(tally_by_group_serialize);
/* Serialize: the seen mask, then each seen group's accumulator. */
Datum
tally_by_group_serialize(PG_FUNCTION_ARGS)
{
	GroupTallyState *state = (GroupTallyState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	uint64		mask = state->seen;

	AggContextOrError(fcinfo, "tally_by_group_serialize");
	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) mask);
	while (mask != 0)
	{
		TallyAccum *acc = &state->slots[pg_rightmost_one_pos64(mask)];

		mask &= mask - 1;
		pq_sendint64(&buf, acc->n);
		pq_sendfloat8(&buf, acc->sum);
		pq_sendfloat8(&buf, acc->sum_err);
		pq_sendfloat8(&buf, acc->sumsq);
		pq_sendfloat8(&buf, acc->sumsq_err);
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

	AggContextOrError(fcinfo, "tally_by_group_deserialize");
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));
	state = palloc0(sizeof(GroupTallyState));
	state->seen = mask = (uint64) pq_getmsgint64(&buf);
	if (mask != 0)
		EnsureSlots(state, pg_leftmost_one_pos64(mask) + 1, CurrentMemoryContext);
	while (mask != 0)
	{
		TallyAccum *acc = &state->slots[pg_rightmost_one_pos64(mask)];

		mask &= mask - 1;
		acc->n = pq_getmsgint64(&buf);
		acc->sum = pq_getmsgfloat8(&buf);
		acc->sum_err = pq_getmsgfloat8(&buf);
		acc->sumsq = pq_getmsgfloat8(&buf);
		acc->sumsq_err = pq_getmsgfloat8(&buf);
	}
	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(tally_by_group_final);
/*
 * The tallies as sqii.tally[], element i holding group bit i - 1 and NULL for
 * groups without a value; sqii.group_tallies() turns it into rows.
 */
Datum
tally_by_group_final(PG_FUNCTION_ARGS)
{
	GroupTallyState *state;
	Oid			tally_type;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			bit;
	int			dims[1];
	int			lbs[1] = {1};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (GroupTallyState *) PG_GETARG_POINTER(0);
	if (state->seen == 0)
		PG_RETURN_NULL();

	tally_type = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(tally_type))
		elog(ERROR, "could not determine the sqii.tally type");
	get_typlenbyvalalign(tally_type, &typlen, &typbyval, &typalign);

	n = pg_leftmost_one_pos64(state->seen) + 1;
	elems = palloc(sizeof(Datum) * n);
	nulls = palloc(sizeof(bool) * n);
	for (bit = 0; bit < n; bit++)
	{
		nulls[bit] = (state->seen & (UINT64CONST(1) << bit)) == 0;
		elems[bit] = nulls[bit] ? (Datum) 0 : PointerGetDatum(TallyFromAccum(&state->slots[bit]));
	}
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, tally_type,
											 typlen, typbyval, typalign));
}
