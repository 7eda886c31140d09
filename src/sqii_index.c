/*
 * sqii_index.c
 *	  The School Quality Improvement Index: the aggregates sqii.sqii_index and
 *	  sqii.explain, and sqii.index_explain over an array of cells.
 *
 * The transition function only collects a school's cells (indicator, group,
 * value, n, and for surveys the students surveyed); partial states combine by
 * concatenation and travel between parallel workers serialized.  The final
 * function reads the model once per query (config.c), checks the cells and
 * computes the index in one place, ComputeIndex, whose result both final
 * functions read: sqii.explain formats it as jsonb, sqii.sqii_index returns
 * its index and coverage, so the two agree to the last bit.
 *
 * The rules (README, "The School Quality Improvement Index"):
 *	 * a cell counts when it has a value, n >= the model's n-size and, for an
 *	   indicator with a minimum response rate, enough of the students surveyed
 *	   answered (when the cell says how many were surveyed);
 *	 * an indicator counts when its all-students cell counts;
 *	 * categories: the lowest race/ethnicity group (worst value for the
 *	   direction, then larger n, then group code), EL, SWD, SED;
 *	 * half split: all students 1/2, the k qualifying categories 1/(2k) each
 *	   (all students 1 when k = 0); fifths: 1/(1+k) each;
 *	 * a domain's weight is shared equally by the indicators present; a
 *	   domain without any gives its weight proportionally to the others;
 *	 * earned = weighted mean level / 10 x points; nothing is rounded;
 *	 * coverage: domains and indicators that apply to the school's level
 *	   intend the points; complete data covers exactly 100.
 * The floating-point operations are those of the 0.1 SQL implementation, in
 * the same order, so that indexes computed before and after an update are
 * the same to the last bit.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/shortest_dec.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "sqii.h"

/* Counts under this many students are never printed (sqii.published's default). */
#define PRIVACY_MIN 11

/* Coverage is rounded to this many decimals: no residue of the division. */
#define COVERAGE_SCALE 1e9

#define INDEX_CUTS 9			/* 10 levels */

/*
 * Domain weights must sum to 100 within this much: float sums of fractions
 * (0.7 + 0.2) are not exact.  The write-time check uses the same tolerance.
 */
#define WEIGHT_TOLERANCE 1e-6

/* ----------------------------------------------------------------------
 * The aggregate state: the cells of one school.
 * ---------------------------------------------------------------------- */

#define CELL_VALUE_NULL		0x01
#define CELL_ELIGIBLE_NULL	0x02

/* At most this many distinct indicator and group names in one school. */
#define MAX_NAMES	PG_INT16_MAX

typedef struct IndexCell
{
	int16		indicator;		/* ids into the state's names */
	int16		group_code;
	uint8		flags;
	float8		value;
	int64		n;
	int64		eligible;		/* students surveyed (response rate) */
} IndexCell;

typedef struct IndexState
{
	int32		model;			/* offsets into strings */
	int32		school_level;
	int			model_len;
	int			level_len;
	int			nnames;			/* distinct indicator and group names */
	int			name_capacity;
	int32	   *name_off;		/* offsets into strings */
	int32	   *name_len;
	int16		name_cache[64]; /* id + 1 of a name by NameSlot, 0: none */
	int			ncells;
	int			cell_capacity;
	IndexCell  *cells;
	char	   *strings;		/* NUL-terminated strings, back to back */
	int32		string_len;
	int32		string_capacity;
} IndexState;

#define STATE_STR(state, off)	((state)->strings + (off))
#define STATE_NAME(state, id)	STATE_STR(state, (state)->name_off[id])

static int32
StateAddString(IndexState *state, const char *str, int len, MemoryContext mcxt)
{
	int32		off = state->string_len;

	if ((Size) len >= MaxAllocSize / 4 || (Size) state->string_len + len + 1 > MaxAllocSize / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many index cells for one school")));
	if (state->string_len + len + 1 > state->string_capacity)
	{
		int32		cap = Max(256, state->string_capacity * 2);

		while (cap < state->string_len + len + 1)
			cap *= 2;
		state->strings = state->strings == NULL ?
			MemoryContextAlloc(mcxt, cap) : repalloc(state->strings, cap);
		state->string_capacity = cap;
	}
	memcpy(state->strings + off, str, len);
	state->strings[off + len] = '\0';
	state->string_len += len + 1;
	return off;
}

/*
 * The id of a name (indicator or group code) in the state, added if new.  A
 * school has a handful of distinct names, so cells store a small id and the
 * final function looks each name up in the model once.  hint: the id the
 * name probably has (the previous cell's).
 */
static inline int
NameSlot(const char *str, int len)
{
	return len == 0 ? 0 : (len * 31 + (unsigned char) str[0] * 7 + (unsigned char) str[len - 1]) & 63;
}

static int16
StateName(IndexState *state, const char *str, int len, int hint, MemoryContext mcxt)
{
	int			slot = NameSlot(str, len);
	int			i;

	if (hint >= 0 && hint < state->nnames && state->name_len[hint] == len &&
		memcmp(STATE_NAME(state, hint), str, len) == 0)
		return hint;
	i = state->name_cache[slot] - 1;
	if (i >= 0 && state->name_len[i] == len && memcmp(STATE_NAME(state, i), str, len) == 0)
		return i;
	for (i = 0; i < state->nnames; i++)
	{
		if (state->name_len[i] == len && memcmp(STATE_NAME(state, i), str, len) == 0)
		{
			state->name_cache[slot] = i + 1;
			return i;
		}
	}
	if (state->nnames >= MAX_NAMES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct indicators and groups for one school")));
	if (state->nnames == state->name_capacity)
	{
		int			cap = Max(16, state->name_capacity * 2);

		state->name_off = state->name_off == NULL ?
			MemoryContextAlloc(mcxt, cap * sizeof(int32)) : repalloc(state->name_off, cap * sizeof(int32));
		state->name_len = state->name_len == NULL ?
			MemoryContextAlloc(mcxt, cap * sizeof(int32)) : repalloc(state->name_len, cap * sizeof(int32));
		state->name_capacity = cap;
	}
	state->name_off[state->nnames] = StateAddString(state, str, len, mcxt);
	state->name_len[state->nnames] = len;
	state->name_cache[slot] = state->nnames + 1;
	return state->nnames++;
}

static IndexCell *
StateAddCell(IndexState *state, MemoryContext mcxt)
{
	if (state->ncells == state->cell_capacity)
	{
		int			cap = Max(16, state->cell_capacity * 2);

		if ((Size) cap * sizeof(IndexCell) >= MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many index cells for one school")));
		state->cells = state->cells == NULL ?
			MemoryContextAlloc(mcxt, cap * sizeof(IndexCell)) :
			repalloc(state->cells, cap * sizeof(IndexCell));
		state->cell_capacity = cap;
	}
	return &state->cells[state->ncells++];
}

static IndexState *
NewIndexState(const char *model, int model_len, const char *level, int level_len,
			  MemoryContext mcxt)
{
	IndexState *state = MemoryContextAllocZero(mcxt, sizeof(IndexState));

	state->model = StateAddString(state, model, model_len, mcxt);
	state->school_level = StateAddString(state, level, level_len, mcxt);
	state->model_len = model_len;
	state->level_len = level_len;
	return state;
}

#ifdef USE_ASSERT_CHECKING
/* The invariants of a state, after every transition and combine. */
static void
IndexStateCheck(const IndexState *state)
{
	int			i;

	Assert(state->ncells >= 0 && state->ncells <= state->cell_capacity);
	Assert(state->nnames >= 0 && state->nnames <= state->name_capacity);
	Assert(state->string_len <= state->string_capacity);
	Assert(state->model < state->string_len && state->school_level < state->string_len);
	for (i = 0; i < state->nnames; i++)
		Assert(state->name_off[i] + state->name_len[i] < state->string_len &&
			   strlen(STATE_NAME(state, i)) == (size_t) state->name_len[i]);
	for (i = 0; i < state->ncells; i++)
		Assert(state->cells[i].indicator >= 0 && state->cells[i].indicator < state->nnames &&
			   state->cells[i].group_code >= 0 && state->cells[i].group_code < state->nnames);
}
#else
#define IndexStateCheck(state)	((void) 0)
#endif

static void
SameSchoolError(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the model and the school level must be the same for every cell of a school"),
			 errhint("Group by school, and pass the model name and the school's level as constants or columns of the school.")));
}

static bool
StateMatches(IndexState *state, const char *model, int model_len, const char *level, int level_len)
{
	return state->model_len == model_len && state->level_len == level_len &&
		memcmp(STATE_STR(state, state->model), model, model_len) == 0 &&
		memcmp(STATE_STR(state, state->school_level), level, level_len) == 0;
}

/*
 * Checks of one cell that need no configuration: they run as the cell
 * arrives, so the error names the cell.  NULL value: the cell is dropped
 * (no value); a value needs an n >= 1; NaN and infinities are errors.
 */
static void
CheckCell(const char *indicator, const char *group_code, bool value_null, float8 value,
		  bool n_null, int64 n, bool eligible_null, int64 eligible)
{
	if (!n_null && n <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an index cell must have n of at least 1"),
				 errhint("n is the number of students behind the cell's value; leave out cells without students (WHERE n > 0)."),
				 errcontext("sqii index cell of indicator %s, group %s", indicator, group_code)));
	if (!value_null && n_null)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("an index cell with a value must have its n"),
				 errhint("Pass the number of students behind the value; a cell without data has a NULL value."),
				 errcontext("sqii index cell of indicator %s, group %s", indicator, group_code)));
	if (!value_null && !isfinite(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("an index cell value must be a finite number"),
				 errhint("A cell without data has a NULL value, not NaN or infinity."),
				 errcontext("sqii index cell of indicator %s, group %s", indicator, group_code)));
	if (!eligible_null && (eligible <= 0 || (!n_null && eligible < n)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the students surveyed must be at least 1 and at least n"),
				 errhint("eligible is the number of students asked to answer the survey, n the number who answered; pass NULL when it is not known."),
				 errcontext("sqii index cell of indicator %s, group %s", indicator, group_code)));
}

/* Text argument i of the transition function as (pointer, length); error if NULL. */
static const char *
TextArg(FunctionCallInfo fcinfo, int i, int *len, const char *what, const char *hint)
{
	text	   *t;

	if (PG_ARGISNULL(i))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the %s of an index cell must not be NULL", what),
				 errhint("%s", hint)));
	t = PG_GETARG_TEXT_PP(i);
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

PG_FUNCTION_INFO_V1(index_accum);
/*
 * Transition of sqii.sqii_index and sqii.explain: (state, model, school_level,
 * indicator, group_code, value, n [, eligible]).
 */
Datum
index_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "index_accum");
	IndexState *state = PG_ARGISNULL(0) ? NULL : (IndexState *) PG_GETARG_POINTER(0);
	const char *model;
	const char *level;
	const char *indicator;
	const char *group_code;
	int			model_len;
	int			level_len;
	int			indicator_len;
	int			group_len;
	bool		has_eligible = PG_NARGS() > 7;
	IndexCell  *cell;
	char	   *ind_str;
	char	   *grp_str;

	model = TextArg(fcinfo, 1, &model_len, "model",
					"Pass the name of a model of sqii.model, such as 'core-2016'.");
	level = TextArg(fcinfo, 2, &level_len, "school level",
					"Pass the school's level, one of the model's levels (sqii.model.school_levels).");
	indicator = TextArg(fcinfo, 3, &indicator_len, "indicator",
						"Pass an indicator of the model (sqii.model_indicator).");
	group_code = TextArg(fcinfo, 4, &group_len, "group code",
						 "Pass a group code of sqii.student_group, such as 'ALL'.");

	if (state == NULL)
		state = NewIndexState(model, model_len, level, level_len, aggcontext);
	else if (!StateMatches(state, model, model_len, level, level_len))
		SameSchoolError();

	cell = StateAddCell(state, aggcontext);
	cell->indicator = StateName(state, indicator, indicator_len,
								state->ncells > 1 ? cell[-1].indicator : -1, aggcontext);
	cell->group_code = StateName(state, group_code, group_len,
								 state->ncells > 1 ? cell[-1].group_code : -1, aggcontext);
	cell->flags = 0;
	cell->value = 0;
	cell->n = 0;
	cell->eligible = 0;
	if (PG_ARGISNULL(5))
		cell->flags |= CELL_VALUE_NULL;
	else
		cell->value = PG_GETARG_FLOAT8(5);
	if (!PG_ARGISNULL(6))
		cell->n = PG_GETARG_INT64(6);
	if (!has_eligible || PG_ARGISNULL(7))
		cell->flags |= CELL_ELIGIBLE_NULL;
	else
		cell->eligible = PG_GETARG_INT64(7);
	ind_str = STATE_NAME(state, cell->indicator);
	grp_str = STATE_NAME(state, cell->group_code);
	CheckCell(ind_str, grp_str, PG_ARGISNULL(5), cell->value, PG_ARGISNULL(6), cell->n,
			  (cell->flags & CELL_ELIGIBLE_NULL) != 0, cell->eligible);
	IndexStateCheck(state);
	PG_RETURN_POINTER(state);
}

/* Append the cells of other to state (a copy in mcxt). */
static void
StateAppend(IndexState *state, const IndexState *other, MemoryContext mcxt)
{
	int16	   *map = palloc(sizeof(int16) * Max(1, other->nnames));
	int			i;

	for (i = 0; i < other->nnames; i++)
		map[i] = StateName(state, STATE_NAME(other, i), other->name_len[i], i, mcxt);
	for (i = 0; i < other->ncells; i++)
	{
		IndexCell  *dst = StateAddCell(state, mcxt);

		*dst = other->cells[i];
		dst->indicator = map[dst->indicator];
		dst->group_code = map[dst->group_code];
	}
	pfree(map);
}

PG_FUNCTION_INFO_V1(index_combine);
/* Combine: the cells of both partial states, which must be of one model and level. */
Datum
index_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = AggContextOrError(fcinfo, "index_combine");
	IndexState *s1 = PG_ARGISNULL(0) ? NULL : (IndexState *) PG_GETARG_POINTER(0);
	IndexState *s2 = PG_ARGISNULL(1) ? NULL : (IndexState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		const char *m = STATE_STR(s2, s2->model);
		const char *l = STATE_STR(s2, s2->school_level);

		s1 = NewIndexState(m, strlen(m), l, strlen(l), aggcontext);
	}
	else if (!StateMatches(s1, STATE_STR(s2, s2->model), strlen(STATE_STR(s2, s2->model)),
						   STATE_STR(s2, s2->school_level),
						   strlen(STATE_STR(s2, s2->school_level))))
		SameSchoolError();
	StateAppend(s1, s2, aggcontext);
	IndexStateCheck(s1);
	PG_RETURN_POINTER(s1);
}

static void
SendString(StringInfo buf, const char *str)
{
	int			len = strlen(str);

	pq_sendint32(buf, len);
	pq_sendbytes(buf, str, len);
}

static const char *
GetString(StringInfo buf, int *len)
{
	const char *s;

	*len = pq_getmsgint(buf, 4);
	if (*len < 0 || *len > buf->len - buf->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sqii index state")));
	s = pq_getmsgbytes(buf, *len);
	/* Names are text: no NUL inside. */
	if (memchr(s, '\0', *len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sqii index state")));
	return s;
}

PG_FUNCTION_INFO_V1(index_serialize);
/* Serialize: model, school level, then each cell. */
Datum
index_serialize(PG_FUNCTION_ARGS)
{
	IndexState *state = (IndexState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	AggContextOrError(fcinfo, "index_serialize");
	pq_begintypsend(&buf);
	SendString(&buf, STATE_STR(state, state->model));
	SendString(&buf, STATE_STR(state, state->school_level));
	pq_sendint32(&buf, state->nnames);
	for (i = 0; i < state->nnames; i++)
		SendString(&buf, STATE_NAME(state, i));
	pq_sendint32(&buf, state->ncells);
	for (i = 0; i < state->ncells; i++)
	{
		const IndexCell *cell = &state->cells[i];

		pq_sendint16(&buf, cell->indicator);
		pq_sendint16(&buf, cell->group_code);
		pq_sendbyte(&buf, cell->flags);
		pq_sendfloat8(&buf, cell->value);
		pq_sendint64(&buf, cell->n);
		pq_sendint64(&buf, cell->eligible);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(index_deserialize);
/* Rebuild a state serialized by index_serialize. */
Datum
index_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *sstate = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	IndexState *state;
	const char *model;
	const char *level;
	int			model_len;
	int			level_len;
	int			len;
	int			nnames;
	int			ncells;
	int			i;

	AggContextOrError(fcinfo, "index_deserialize");
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));
	model = GetString(&buf, &model_len);
	level = GetString(&buf, &level_len);
	state = NewIndexState(model, model_len, level, level_len, CurrentMemoryContext);
	nnames = pq_getmsgint(&buf, 4);
	if (nnames < 0 || nnames > MAX_NAMES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sqii index state")));
	for (i = 0; i < nnames; i++)
	{
		const char *str = GetString(&buf, &len);

		/* Names are distinct, so each gets the next id. */
		if (StateName(state, str, len, -1, CurrentMemoryContext) != i)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid sqii index state")));
	}
	ncells = pq_getmsgint(&buf, 4);
	if (ncells < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sqii index state")));
	for (i = 0; i < ncells; i++)
	{
		IndexCell  *cell = StateAddCell(state, CurrentMemoryContext);

		cell->indicator = (int16) pq_getmsgint(&buf, 2);
		cell->group_code = (int16) pq_getmsgint(&buf, 2);
		if (cell->indicator < 0 || cell->indicator >= nnames ||
			cell->group_code < 0 || cell->group_code >= nnames)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid sqii index state")));
		cell->flags = pq_getmsgbyte(&buf);
		cell->value = pq_getmsgfloat8(&buf);
		cell->n = pq_getmsgint64(&buf);
		cell->eligible = pq_getmsgint64(&buf);
	}
	pq_getmsgend(&buf);
	pfree(buf.data);
	IndexStateCheck(state);
	PG_RETURN_POINTER(state);
}

/* ----------------------------------------------------------------------
 * The model, read once per query.
 * ---------------------------------------------------------------------- */

typedef struct ModelCut
{
	char	   *school_level;	/* '*': every level */
	float8		cuts[INDEX_CUTS];
} ModelCut;

typedef struct ModelIndicator
{
	char	   *indicator;
	int			domain;			/* index into Model.domains */
	bool		higher_is_better;
	bool		growth;			/* scale growth_percentile, else cuts */
	bool		subgroups;
	int			nlevels;		/* -1: every level */
	char	  **levels;
	bool		has_min_rate;
	float8		min_response_rate;	/* percent */
	int			ncuts;
	ModelCut   *cuts;
} ModelIndicator;

typedef struct ModelDomain
{
	char	   *domain;
	float8		weight;
} ModelDomain;

typedef struct Model
{
	char	   *model;
	int32		n_size;
	bool		fifths;
	int			nlevels;
	char	  **levels;
	int			ndomains;
	ModelDomain *domains;		/* sorted by name */
	int			nindicators;
	ModelIndicator *indicators; /* sorted by domain, then name */
	int			capacity;		/* while loading */
} Model;

typedef enum GroupKind
{
	GROUP_ALL,
	GROUP_RACE,
	GROUP_PROGRAM
} GroupKind;

typedef struct IndexConfig
{
	MemoryContext mcxt;
	int			ngroups;
	int			group_capacity;
	char	  **group_codes;
	GroupKind  *group_kinds;
	int			nmodels;
	Model	   *models[8];		/* the models this query used (usually one) */
} IndexConfig;

/* A text[] datum as a C string array in mcxt; NULL elements are skipped. */
static int
TextArrayToStrings(Datum d, char ***out, MemoryContext mcxt)
{
	ArrayType  *arr = DatumGetArrayTypeP(d);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	int			k = 0;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	*out = MemoryContextAlloc(mcxt, sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		if (!nulls[i])
			(*out)[k++] = MemoryContextStrdup(mcxt, TextDatumGetCString(elems[i]));
	}
	return k;
}

static void
AddGroupKindRow(HeapTuple tup, TupleDesc desc, void *arg)
{
	IndexConfig *cfg = (IndexConfig *) arg;
	char	   *kind = ConfigText(tup, desc, 2, CurrentMemoryContext);

	if (cfg->ngroups == cfg->group_capacity)
	{
		cfg->group_capacity = Max(32, cfg->group_capacity * 2);
		cfg->group_codes = cfg->group_codes == NULL ?
			MemoryContextAlloc(cfg->mcxt, sizeof(char *) * cfg->group_capacity) :
			repalloc(cfg->group_codes, sizeof(char *) * cfg->group_capacity);
		cfg->group_kinds = cfg->group_kinds == NULL ?
			MemoryContextAlloc(cfg->mcxt, sizeof(GroupKind) * cfg->group_capacity) :
			repalloc(cfg->group_kinds, sizeof(GroupKind) * cfg->group_capacity);
	}
	cfg->group_codes[cfg->ngroups] = ConfigText(tup, desc, 1, cfg->mcxt);
	cfg->group_kinds[cfg->ngroups] = strcmp(kind, "all") == 0 ? GROUP_ALL :
		strcmp(kind, "race") == 0 ? GROUP_RACE : GROUP_PROGRAM;
	cfg->ngroups++;
}

typedef struct ModelLoad
{
	Model	   *model;
	MemoryContext mcxt;
	bool		found;
} ModelLoad;

static void
AddModelRow(HeapTuple tup, TupleDesc desc, void *arg)
{
	ModelLoad  *load = (ModelLoad *) arg;
	Model	   *m = load->model;
	bool		isnull;
	char	   *split = ConfigText(tup, desc, 2, CurrentMemoryContext);
	Datum		levels;

	load->found = true;
	m->n_size = DatumGetInt32(ConfigDatum(tup, desc, 1, &isnull));
	m->fifths = strcmp(split, "fifths") == 0;
	levels = ConfigDatum(tup, desc, 3, &isnull);
	m->nlevels = isnull ? 0 : TextArrayToStrings(levels, &m->levels, load->mcxt);
}

static void
AddDomainRow(HeapTuple tup, TupleDesc desc, void *arg)
{
	ModelLoad  *load = (ModelLoad *) arg;
	Model	   *m = load->model;
	bool		isnull;

	if (m->ndomains == m->capacity)
	{
		m->capacity = Max(8, m->capacity * 2);
		m->domains = m->domains == NULL ?
			MemoryContextAlloc(load->mcxt, sizeof(ModelDomain) * m->capacity) :
			repalloc(m->domains, sizeof(ModelDomain) * m->capacity);
	}
	m->domains[m->ndomains].domain = ConfigText(tup, desc, 1, load->mcxt);
	m->domains[m->ndomains].weight = DatumGetFloat8(ConfigDatum(tup, desc, 2, &isnull));
	m->ndomains++;
}

static int
FindDomain(const Model *m, const char *domain)
{
	int			i;

	for (i = 0; i < m->ndomains; i++)
	{
		if (strcmp(m->domains[i].domain, domain) == 0)
			return i;
	}
	return -1;
}

static void
AddIndicatorRow(HeapTuple tup, TupleDesc desc, void *arg)
{
	ModelLoad  *load = (ModelLoad *) arg;
	Model	   *m = load->model;
	ModelIndicator *ind;
	bool		isnull;
	Datum		d;
	char	   *domain = ConfigText(tup, desc, 2, CurrentMemoryContext);

	if (m->nindicators == m->capacity)
	{
		m->capacity = Max(16, m->capacity * 2);
		m->indicators = m->indicators == NULL ?
			MemoryContextAlloc(load->mcxt, sizeof(ModelIndicator) * m->capacity) :
			repalloc(m->indicators, sizeof(ModelIndicator) * m->capacity);
	}
	ind = &m->indicators[m->nindicators++];
	memset(ind, 0, sizeof(ModelIndicator));
	ind->indicator = ConfigText(tup, desc, 1, load->mcxt);
	/* The foreign key to sqii.model_domain keeps this found. */
	ind->domain = FindDomain(m, domain);
	if (ind->domain < 0)
		elog(ERROR, "indicator \"%s\" of model \"%s\" has no domain", ind->indicator, m->model);
	ind->higher_is_better = DatumGetBool(ConfigDatum(tup, desc, 3, &isnull));
	ind->growth = strcmp(ConfigText(tup, desc, 4, CurrentMemoryContext), "growth_percentile") == 0;
	ind->subgroups = DatumGetBool(ConfigDatum(tup, desc, 5, &isnull));
	d = ConfigDatum(tup, desc, 6, &isnull);
	ind->nlevels = isnull ? -1 : TextArrayToStrings(d, &ind->levels, load->mcxt);
	d = ConfigDatum(tup, desc, 7, &isnull);
	ind->has_min_rate = !isnull;
	ind->min_response_rate = isnull ? 0 : DatumGetFloat8(d);
}

static ModelIndicator *
FindIndicator(const Model *m, const char *indicator)
{
	int			i;

	for (i = 0; i < m->nindicators; i++)
	{
		if (strcmp(m->indicators[i].indicator, indicator) == 0)
			return &m->indicators[i];
	}
	return NULL;
}

static void
AddCutRow(HeapTuple tup, TupleDesc desc, void *arg)
{
	ModelLoad  *load = (ModelLoad *) arg;
	Model	   *m = load->model;
	char	   *indicator = ConfigText(tup, desc, 1, CurrentMemoryContext);
	ModelIndicator *ind = FindIndicator(m, indicator);
	bool		isnull;
	float8	   *cuts;
	int			ncuts;
	ModelCut   *cut;

	/* The foreign key to sqii.model_indicator keeps this found. */
	if (ind == NULL)
		return;
	cuts = CheckedCuts(DatumGetArrayTypeP(ConfigDatum(tup, desc, 3, &isnull)), &ncuts);
	if (ncuts != INDEX_CUTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" has %d cut points for indicator \"%s\", not %d",
						m->model, ncuts, ind->indicator, INDEX_CUTS),
				 errhint("Freeze the cut points with sqii.freeze_cutpoints(), which stores 9 (10 levels).")));
	ind->cuts = ind->cuts == NULL ?
		MemoryContextAlloc(load->mcxt, sizeof(ModelCut)) :
		repalloc(ind->cuts, sizeof(ModelCut) * (ind->ncuts + 1));
	cut = &ind->cuts[ind->ncuts++];
	cut->school_level = ConfigText(tup, desc, 2, load->mcxt);
	memcpy(cut->cuts, cuts, sizeof(cut->cuts));
}

static int
CompareDomains(const void *a, const void *b)
{
	return strcmp(((const ModelDomain *) a)->domain, ((const ModelDomain *) b)->domain);
}

static int
CompareIndicators(const void *a, const void *b)
{
	const ModelIndicator *x = (const ModelIndicator *) a;
	const ModelIndicator *y = (const ModelIndicator *) b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return strcmp(x->indicator, y->indicator);
}

/*
 * Read a model and check it: it exists and its domain weights sum to 100
 * (within rounding; the tables check it on every write, this guards against
 * writes made with triggers disabled).
 */
static Model *
LoadModel(Oid fn_oid, const char *name, MemoryContext mcxt)
{
	Model	   *m = MemoryContextAllocZero(mcxt, sizeof(Model));
	ModelLoad	load = {m, mcxt, false};
	float8		total = 0;
	int			i;

	m->model = MemoryContextStrdup(mcxt, name);
	ConfigRead(fn_oid,
			   "SELECT n_size, group_split, school_levels FROM @extschema@.model "
			   "WHERE model OPERATOR(pg_catalog.=) $1",
			   name, AddModelRow, &load);
	if (!load.found)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown SQII model \"%s\"", name),
				 errhint("The models are listed in sqii.model.")));
	ConfigRead(fn_oid,
			   "SELECT domain, weight FROM @extschema@.model_domain "
			   "WHERE model OPERATOR(pg_catalog.=) $1",
			   name, AddDomainRow, &load);
	if (m->ndomains > 1)
		qsort(m->domains, m->ndomains, sizeof(ModelDomain), CompareDomains);
	for (i = 0; i < m->ndomains; i++)
		total += m->domains[i].weight;
	if (!(fabs(total - 100) <= WEIGHT_TOLERANCE))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the domain weights of SQII model \"%s\" sum to %.10g, not 100", name, total),
				 errhint("Domain weights are points out of 100; correct them in sqii.model_domain.")));
	m->capacity = 0;
	ConfigRead(fn_oid,
			   "SELECT indicator, domain, higher_is_better, scale, subgroups, school_levels, "
			   "min_response_rate FROM @extschema@.model_indicator "
			   "WHERE model OPERATOR(pg_catalog.=) $1",
			   name, AddIndicatorRow, &load);
	if (m->nindicators > 1)
		qsort(m->indicators, m->nindicators, sizeof(ModelIndicator), CompareIndicators);
	ConfigRead(fn_oid,
			   "SELECT indicator, school_level, cuts FROM @extschema@.model_cut "
			   "WHERE model OPERATOR(pg_catalog.=) $1",
			   name, AddCutRow, &load);
	return m;
}

static IndexConfig *
GetIndexConfig(FunctionCallInfo fcinfo)
{
	IndexConfig *cfg = (IndexConfig *) fcinfo->flinfo->fn_extra;

	if (cfg == NULL)
	{
		cfg = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(IndexConfig));
		cfg->mcxt = fcinfo->flinfo->fn_mcxt;
		ConfigRead(fcinfo->flinfo->fn_oid,
				   "SELECT group_code, kind FROM @extschema@.student_group",
				   NULL, AddGroupKindRow, cfg);
		fcinfo->flinfo->fn_extra = cfg;
	}
	return cfg;
}

static Model *
GetModel(FunctionCallInfo fcinfo, const char *name)
{
	IndexConfig *cfg = GetIndexConfig(fcinfo);
	Model	   *m;
	int			i;

	for (i = 0; i < cfg->nmodels; i++)
	{
		if (strcmp(cfg->models[i]->model, name) == 0)
			return cfg->models[i];
	}
	m = LoadModel(fcinfo->flinfo->fn_oid, name, cfg->mcxt);
	/* A query naming more models than this rereads the last slot. */
	if (cfg->nmodels < (int) lengthof(cfg->models))
		cfg->models[cfg->nmodels++] = m;
	else
		cfg->models[lengthof(cfg->models) - 1] = m;
	return m;
}

static int
FindGroup(const IndexConfig *cfg, const char *group_code)
{
	int			i;

	for (i = 0; i < cfg->ngroups; i++)
	{
		if (strcmp(cfg->group_codes[i], group_code) == 0)
			return i;
	}
	return -1;
}

/* ----------------------------------------------------------------------
 * The computation.
 * ---------------------------------------------------------------------- */

/* Categories of an indicator, in the order the explanation lists them. */
typedef enum Category
{
	CAT_ALL,
	CAT_EL,
	CAT_RACE,
	CAT_SED,
	CAT_SWD,
	NUM_CATEGORIES
} Category;

static const char *const category_names[NUM_CATEGORIES] = {
	"all students", "English learners", "lowest race/ethnicity",
	"socioeconomically disadvantaged", "students with disabilities"
};

/* What became of a cell. */
typedef enum CellFate
{
	FATE_COUNTED,
	FATE_NO_VALUE,				/* dropped */
	FATE_BELOW_N_SIZE,
	FATE_BELOW_RESPONSE_RATE,
	FATE_NOT_APPLICABLE,		/* ignored */
	FATE_NO_SUBGROUPS,
	FATE_NOT_CATEGORY,
	FATE_NOT_LOWEST_RACE,
	FATE_NO_ALL_STUDENTS
} CellFate;

static const char *const fate_reasons[] = {
	NULL, "no value", "below the n-size", "below the minimum response rate",
	"indicator does not apply at this school level", "subgroups do not count for this indicator",
	"not a subgroup category", "not the lowest race/ethnicity group",
	"indicator not counted: its all-students cell does not count"
};

#define FATE_DROPPED(f)	((f) >= FATE_NO_VALUE && (f) <= FATE_BELOW_RESPONSE_RATE)

typedef struct WorkCell
{
	const char *indicator;
	const char *group_code;
	int			indicator_rank;	/* the names' rank in strcmp order */
	int			group_rank;
	const IndexCell *cell;
	ModelIndicator *ind;
	GroupKind	kind;
	int			category;		/* a Category of a program group, or -1 */
	bool		eligible;		/* meets value, n-size and response rate */
	CellFate	fate;
	int			level;
} WorkCell;

typedef struct IndicatorResult
{
	ModelIndicator *ind;
	bool		applicable;
	bool		counted;
	WorkCell   *chosen[NUM_CATEGORIES];
	int			k;				/* categories other than all students */
	float8		wml;			/* weighted mean level */
	float8		cover;			/* share of the group weight present */
	float8		points;
	float8		intended;
	float8		earned;
} IndicatorResult;

typedef struct DomainResult
{
	int			applicable;
	int			present;
	float8		effective_weight;
} DomainResult;

typedef struct IndexResult
{
	Model	   *model;
	const char *school_level;
	int			ncells;
	WorkCell   *cells;			/* sorted by indicator, group code */
	IndicatorResult *indicators;	/* parallel to model->indicators */
	DomainResult *domains;		/* parallel to model->domains */
	bool		index_null;
	float8		index;
	float8		coverage;
} IndexResult;

static int
CompareWorkCells(const void *a, const void *b)
{
	const WorkCell *x = (const WorkCell *) a;
	const WorkCell *y = (const WorkCell *) b;

	if (x->indicator_rank != y->indicator_rank)
		return x->indicator_rank < y->indicator_rank ? -1 : 1;
	return (x->group_rank > y->group_rank) - (x->group_rank < y->group_rank);
}

/*
 * The cells of a state in order of (indicator, group code), given the rank of
 * each name: counting sort by indicator, then insertion sort of each
 * indicator's few groups.
 */
static void
SortCells(const IndexState *state, const int *ranks, WorkCell *out)
{
	int		   *start = palloc0(sizeof(int) * (state->nnames + 1));
	int			i;
	int			k;

	for (i = 0; i < state->ncells; i++)
		start[ranks[state->cells[i].indicator] + 1]++;
	for (k = 0; k < state->nnames; k++)
		start[k + 1] += start[k];
	for (i = 0; i < state->ncells; i++)
	{
		const IndexCell *cell = &state->cells[i];
		WorkCell   *wc = &out[start[ranks[cell->indicator]]++];

		wc->cell = cell;
		wc->indicator_rank = ranks[cell->indicator];
		wc->group_rank = ranks[cell->group_code];
	}
	/* Each run of one indicator is short: insertion sort by group. */
	for (i = 1; i < state->ncells; i++)
	{
		WorkCell	wc = out[i];

		for (k = i; k > 0 && CompareWorkCells(&out[k - 1], &wc) > 0; k--)
			out[k] = out[k - 1];
		out[k] = wc;
	}
	pfree(start);
}

/* Name ids of a state, sorted by the names (qsort_arg). */
static int
CompareNames(const void *a, const void *b, void *arg)
{
	const IndexState *state = (const IndexState *) arg;

	return strcmp(STATE_NAME(state, *(const int16 *) a), STATE_NAME(state, *(const int16 *) b));
}

static bool
LevelApplies(const ModelIndicator *ind, const char *school_level)
{
	int			i;

	if (ind->nlevels < 0)
		return true;
	for (i = 0; i < ind->nlevels; i++)
	{
		if (strcmp(ind->levels[i], school_level) == 0)
			return true;
	}
	return false;
}

/* The cut points of an indicator at a school level: the level's own, else '*'. */
static const float8 *
FrozenCuts(const ModelIndicator *ind, const char *school_level)
{
	const float8 *any = NULL;
	int			i;

	for (i = 0; i < ind->ncuts; i++)
	{
		if (strcmp(ind->cuts[i].school_level, school_level) == 0)
			return ind->cuts[i].cuts;
		if (strcmp(ind->cuts[i].school_level, "*") == 0)
			any = ind->cuts[i].cuts;
	}
	return any;
}

static inline bool
IsCategoryCode(const char *code, Category *cat)
{
	if (strcmp(code, "EL") == 0)
		*cat = CAT_EL;
	else if (strcmp(code, "SWD") == 0)
		*cat = CAT_SWD;
	else if (strcmp(code, "SED") == 0)
		*cat = CAT_SED;
	else
		return false;
	return true;
}

/* Does wc make a worse (lower-performing) race group than best so far? */
static bool
LowerRaceGroup(const WorkCell *wc, const WorkCell *best)
{
	float8		a = wc->ind->higher_is_better ? wc->cell->value : -wc->cell->value;
	float8		b = best->ind->higher_is_better ? best->cell->value : -best->cell->value;

	if (a != b)
		return a < b;
	if (wc->cell->n != best->cell->n)
		return wc->cell->n > best->cell->n;
	return wc->group_rank < best->group_rank;
}

/*
 * The index of one school: checks the cells against the model, applies the
 * rules, and fills the result that both final functions read.
 */
static IndexResult *
ComputeIndex(FunctionCallInfo fcinfo, const IndexState *state)
{
	IndexConfig *cfg = GetIndexConfig(fcinfo);
	const char *school_level = STATE_STR(state, state->school_level);
	Model	   *m = GetModel(fcinfo, STATE_STR(state, state->model));
	IndexResult *r = palloc0(sizeof(IndexResult));
	float8		present_weight = 0;
	float8		applicable_weight = 0;
	float8		covered = 0;
	bool		any_counted = false;
	int		   *ranks;
	int16	   *ids;
	ModelIndicator **name_ind;
	int		   *name_group;
	int		   *name_category;
	int			i;
	int			j;
	int			start;

	r->model = m;
	r->school_level = school_level;
	for (i = 0; i < m->nlevels; i++)
	{
		if (strcmp(m->levels[i], school_level) == 0)
			break;
	}
	if (i == m->nlevels)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a school level of SQII model \"%s\"", school_level, m->model),
				 errhint("The levels a model rates are in sqii.model.school_levels.")));

	/*
	 * The cells sorted by indicator and group code (the names ranked once),
	 * then each name looked up once in the model and the groups, in that
	 * order, so that the first bad cell is reported whatever the row order.
	 */
	ranks = palloc(sizeof(int) * Max(1, state->nnames));
	ids = palloc(sizeof(int16) * Max(1, state->nnames));
	name_ind = palloc(sizeof(ModelIndicator *) * Max(1, state->nnames));
	name_group = palloc(sizeof(int) * Max(1, state->nnames));
	name_category = palloc(sizeof(int) * Max(1, state->nnames));
	for (i = 0; i < state->nnames; i++)
	{
		ids[i] = i;
		name_ind[i] = NULL;
		name_group[i] = -2;		/* not looked up yet */
	}
	qsort_arg(ids, state->nnames, sizeof(int16), CompareNames, (void *) state);
	for (i = 0; i < state->nnames; i++)
		ranks[ids[i]] = i;
	r->ncells = state->ncells;
	r->cells = palloc0(sizeof(WorkCell) * Max(1, state->ncells));
	SortCells(state, ranks, r->cells);
	for (i = 0; i < r->ncells; i++)
	{
		WorkCell   *wc = &r->cells[i];
		int			ind_id = wc->cell->indicator;
		int			grp_id = wc->cell->group_code;
		Category	cat;

		wc->indicator = STATE_NAME(state, ind_id);
		wc->group_code = STATE_NAME(state, grp_id);
		if (i > 0 && CompareWorkCells(&r->cells[i - 1], wc) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a school has more than one cell for %s / %s", wc->indicator, wc->group_code),
					 errhint("Give the index one row per school, indicator and group.")));
		if (name_ind[ind_id] == NULL)
		{
			name_ind[ind_id] = FindIndicator(m, wc->indicator);
			if (name_ind[ind_id] == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("SQII model \"%s\" has no indicator \"%s\"", m->model, wc->indicator),
						 errhint("The indicators of a model are in sqii.model_indicator; leave out cells of other indicators.")));
		}
		wc->ind = name_ind[ind_id];
		if (name_group[grp_id] == -2)
		{
			name_group[grp_id] = FindGroup(cfg, wc->group_code);
			if (name_group[grp_id] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown student group \"%s\" in an index cell", wc->group_code),
						 errhint("The group codes are in sqii.student_group."),
						 errcontext("sqii index cell of indicator %s", wc->indicator)));
			name_category[grp_id] = IsCategoryCode(wc->group_code, &cat) ? (int) cat : -1;
		}
		wc->kind = cfg->group_kinds[name_group[grp_id]];
		wc->category = name_category[grp_id];
		if (wc->ind->growth && !(wc->cell->flags & CELL_VALUE_NULL) &&
			!(wc->cell->value >= 0 && wc->cell->value <= 100))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a growth percentile must be between 0 and 100"),
					 errhint("A growth indicator's value is the group's mean or median student growth percentile."),
					 errcontext("sqii index cell of indicator %s, group %s", wc->indicator, wc->group_code)));
	}

	/* Each indicator of the model, from its run of cells. */
	r->indicators = palloc0(sizeof(IndicatorResult) * Max(1, m->nindicators));
	r->domains = palloc0(sizeof(DomainResult) * Max(1, m->ndomains));
	for (j = 0; j < m->nindicators; j++)
	{
		r->indicators[j].ind = &m->indicators[j];
		r->indicators[j].applicable = LevelApplies(&m->indicators[j], school_level);
		if (r->indicators[j].applicable)
			r->domains[m->indicators[j].domain].applicable++;
	}
	for (start = 0; start < r->ncells;)
	{
		ModelIndicator *ind = r->cells[start].ind;
		IndicatorResult *ir = &r->indicators[ind - m->indicators];
		const float8 *cuts = NULL;
		WorkCell   *race = NULL;
		int			end;

		for (end = start; end < r->ncells && r->cells[end].ind == ind; end++)
			;
		if (!ir->applicable)
		{
			for (i = start; i < end; i++)
				r->cells[i].fate = FATE_NOT_APPLICABLE;
			start = end;
			continue;
		}
		if (!ind->growth)
		{
			cuts = FrozenCuts(ind, school_level);
			if (cuts == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("SQII model \"%s\" has no frozen cut points for indicator \"%s\"",
								m->model, ind->indicator),
						 errhint("Freeze them from a baseline year with sqii.freeze_cutpoints().")));
		}
		for (i = start; i < end; i++)
		{
			WorkCell   *wc = &r->cells[i];
			const IndexCell *c = wc->cell;

			if (c->flags & CELL_VALUE_NULL)
				wc->fate = FATE_NO_VALUE;
			else if (c->n < m->n_size)
				wc->fate = FATE_BELOW_N_SIZE;
			/* n / eligible >= min%, in exact products for whole numbers */
			else if (ind->has_min_rate && !(c->flags & CELL_ELIGIBLE_NULL) &&
					 (float8) c->n * 100.0 < ind->min_response_rate * (float8) c->eligible)
				wc->fate = FATE_BELOW_RESPONSE_RATE;
			else
			{
				wc->eligible = true;
				wc->level = ind->growth ? GrowthLevelOf(c->value) :
					LevelOf(c->value, cuts, INDEX_CUTS, ind->higher_is_better);
			}
			if (!wc->eligible)
				continue;
			if (wc->kind == GROUP_ALL)
			{
				wc->fate = FATE_COUNTED;
				ir->chosen[CAT_ALL] = wc;
			}
			else if (!ind->subgroups)
				wc->fate = FATE_NO_SUBGROUPS;
			else if (wc->kind == GROUP_RACE)
			{
				wc->fate = FATE_NOT_LOWEST_RACE;
				if (race == NULL || LowerRaceGroup(wc, race))
					race = wc;
			}
			else if (wc->category >= 0)
			{
				wc->fate = FATE_COUNTED;
				ir->chosen[wc->category] = wc;
			}
			else
				wc->fate = FATE_NOT_CATEGORY;
		}
		if (race != NULL)
		{
			race->fate = FATE_COUNTED;
			ir->chosen[CAT_RACE] = race;
		}
		if (ir->chosen[CAT_ALL] == NULL)
		{
			/* Without its all-students cell the indicator does not count. */
			for (i = start; i < end; i++)
			{
				if (r->cells[i].fate == FATE_COUNTED || r->cells[i].fate == FATE_NOT_LOWEST_RACE)
					r->cells[i].fate = FATE_NO_ALL_STUDENTS;
			}
			memset(ir->chosen, 0, sizeof(ir->chosen));
		}
		else
		{
			int			all_level = ir->chosen[CAT_ALL]->level;
			float8		cat_sum = 0;
			Category	c;

			ir->counted = true;
			for (c = CAT_ALL + 1; c < NUM_CATEGORIES; c++)
			{
				if (ir->chosen[c] != NULL)
				{
					ir->k++;
					cat_sum += (float8) ir->chosen[c]->level;
				}
			}
			if (ir->k == 0)
				ir->wml = (float8) all_level;
			else if (!m->fifths)
				ir->wml = 0.5 * all_level + 0.5 * (cat_sum / ir->k);
			else
				ir->wml = (all_level + cat_sum) / (1 + ir->k);
			if (!ind->subgroups)
				ir->cover = 1.0;
			else if (!m->fifths)
				ir->cover = 0.5 + 0.5 * ir->k / 4.0;
			else
				ir->cover = (1 + ir->k) / 5.0;
			r->domains[ind->domain].present++;
		}
		start = end;
	}

	/* Weights: of the domains present (index), of the domains that apply (coverage). */
	for (i = 0; i < m->ndomains; i++)
	{
		if (r->domains[i].present > 0)
			present_weight += m->domains[i].weight;
		if (r->domains[i].applicable > 0)
			applicable_weight += m->domains[i].weight;
	}
	for (i = 0; i < m->ndomains; i++)
		r->domains[i].effective_weight = r->domains[i].present > 0 ?
			m->domains[i].weight * 100 / present_weight : 0;

	r->index = 0;
	for (i = 0, j = 0; i < m->ndomains; i++)
	{
		float8		weight = m->domains[i].weight;
		DomainResult *d = &r->domains[i];
		float8		domain_cover = 0;

		/* m->indicators is sorted by domain: this domain's run starts at j. */
		for (; j < m->nindicators && m->indicators[j].domain == i; j++)
		{
			IndicatorResult *ir = &r->indicators[j];

			if (ir->applicable)
				ir->intended = weight * 100 / applicable_weight / d->applicable;
			if (!ir->counted)
				continue;
			ir->points = weight * 100 / present_weight / d->present;
			ir->earned = ir->wml / 10 * ir->points;
			r->index = any_counted ? r->index + ir->earned : ir->earned;
			any_counted = true;
			domain_cover += ir->cover;
		}
		if (d->applicable > 0)
			covered += weight * domain_cover / d->applicable;
	}
	r->index_null = !any_counted;
	if (applicable_weight > 0)
		r->coverage = rint(covered / applicable_weight * 100 * COVERAGE_SCALE) / COVERAGE_SCALE;
	return r;
}

/* ----------------------------------------------------------------------
 * Final functions and the explanation.
 * ---------------------------------------------------------------------- */

static void
AppendFloat(StringInfo buf, float8 x)
{
	char		s[DOUBLE_SHORTEST_DECIMAL_LEN];

	Assert(isfinite(x));
	double_to_shortest_decimal_buf(x, s);
	appendStringInfoString(buf, s);
}

static void
AppendKey(StringInfo buf, const char *key, bool first)
{
	if (!first)
		appendStringInfoChar(buf, ',');
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
}

static void
AppendFloatField(StringInfo buf, const char *key, float8 x)
{
	AppendKey(buf, key, false);
	AppendFloat(buf, x);
}

static void
AppendTextField(StringInfo buf, const char *key, const char *value)
{
	AppendKey(buf, key, false);
	escape_json(buf, value);
}

/* The cells of one fate class (dropped or ignored) as a jsonb array. */
static void
AppendCellList(StringInfo buf, const IndexResult *r, bool dropped)
{
	bool		first = true;
	int			i;

	appendStringInfoChar(buf, '[');
	for (i = 0; i < r->ncells; i++)
	{
		const WorkCell *wc = &r->cells[i];

		if (wc->fate == FATE_COUNTED || FATE_DROPPED(wc->fate) != dropped)
			continue;
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		appendStringInfoChar(buf, '{');
		AppendKey(buf, "indicator", true);
		escape_json(buf, wc->indicator);
		AppendTextField(buf, "group", wc->group_code);
		AppendTextField(buf, "reason", fate_reasons[wc->fate]);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
}

static const char *
LevelBand(int level)
{
	return level <= 3 ? "below average" : level <= 7 ? "average" : "above average";
}

static void
AppendIndicator(StringInfo buf, const IndexResult *r, const IndicatorResult *ir)
{
	const Model *m = r->model;
	Category	c;
	bool		first = true;

	appendStringInfoChar(buf, '{');
	AppendKey(buf, "indicator", true);
	escape_json(buf, ir->ind->indicator);
	AppendFloatField(buf, "points", ir->points);
	AppendFloatField(buf, "intended_points", ir->intended);
	AppendFloatField(buf, "group_coverage", ir->cover);
	AppendFloatField(buf, "weighted_mean_level", ir->wml);
	AppendFloatField(buf, "earned", ir->earned);
	if (ir->ind->has_min_rate)
		AppendFloatField(buf, "min_response_rate", ir->ind->min_response_rate);
	AppendKey(buf, "groups", false);
	appendStringInfoChar(buf, '[');
	for (c = CAT_ALL; c < NUM_CATEGORIES; c++)
	{
		const WorkCell *wc = ir->chosen[c];
		float8		share;

		if (wc == NULL)
			continue;
		if (ir->k == 0)
			share = 1.0;
		else if (!m->fifths)
			share = c == CAT_ALL ? 0.5 : 0.5 / ir->k;
		else
			share = 1.0 / (1 + ir->k);
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		appendStringInfoChar(buf, '{');
		AppendKey(buf, "category", true);
		escape_json(buf, category_names[c]);
		AppendTextField(buf, "group", wc->group_code);
		/* No count under the privacy minimum is printed (a model's n-size may be lower). */
		AppendKey(buf, "n", false);
		if (wc->cell->n >= PRIVACY_MIN)
			appendStringInfo(buf, INT64_FORMAT, wc->cell->n);
		else
			appendStringInfoString(buf, "null");
		AppendFloatField(buf, "value", wc->cell->value);
		AppendKey(buf, "level", false);
		appendStringInfo(buf, "%d", wc->level);
		AppendTextField(buf, "band", LevelBand(wc->level));
		AppendFloatField(buf, "share", share);
		if (ir->ind->has_min_rate)
		{
			AppendKey(buf, "response_rate", false);
			if (wc->cell->flags & CELL_ELIGIBLE_NULL)
				appendStringInfoString(buf, "null");
			else
				AppendFloat(buf, (float8) wc->cell->n * 100.0 / (float8) wc->cell->eligible);
		}
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoString(buf, "]}");
}

static Datum
ExplainJsonb(const IndexResult *r)
{
	const Model *m = r->model;
	StringInfoData buf;
	int			i;
	int			j;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	AppendKey(&buf, "model", true);
	escape_json(&buf, m->model);
	AppendTextField(&buf, "school_level", r->school_level);
	AppendKey(&buf, "n_size", false);
	appendStringInfo(&buf, "%d", m->n_size);
	AppendTextField(&buf, "group_split", m->fifths ? "fifths" : "half");
	AppendKey(&buf, "index", false);
	if (r->index_null)
		appendStringInfoString(&buf, "null");
	else
		AppendFloat(&buf, r->index);
	AppendFloatField(&buf, "coverage", r->coverage);
	AppendKey(&buf, "domains", false);
	appendStringInfoChar(&buf, '[');
	for (i = 0, j = 0; i < m->ndomains; i++)
	{
		bool		first = true;
		int			start = j;

		if (i > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoChar(&buf, '{');
		AppendKey(&buf, "domain", true);
		escape_json(&buf, m->domains[i].domain);
		AppendFloatField(&buf, "weight", m->domains[i].weight);
		AppendFloatField(&buf, "effective_weight", r->domains[i].effective_weight);
		AppendKey(&buf, "indicators", false);
		appendStringInfoChar(&buf, '[');
		for (; j < m->nindicators && m->indicators[j].domain == i; j++)
		{
			if (!r->indicators[j].counted)
				continue;
			if (!first)
				appendStringInfoChar(&buf, ',');
			first = false;
			AppendIndicator(&buf, r, &r->indicators[j]);
		}
		appendStringInfoChar(&buf, ']');
		AppendKey(&buf, "missing_indicators", false);
		appendStringInfoChar(&buf, '[');
		first = true;
		for (j = start; j < m->nindicators && m->indicators[j].domain == i; j++)
		{
			if (!r->indicators[j].applicable || r->indicators[j].counted)
				continue;
			if (!first)
				appendStringInfoChar(&buf, ',');
			first = false;
			escape_json(&buf, m->indicators[j].indicator);
		}
		appendStringInfoString(&buf, "]}");
	}
	appendStringInfoChar(&buf, ']');
	AppendKey(&buf, "dropped", false);
	AppendCellList(&buf, r, true);
	AppendKey(&buf, "ignored", false);
	AppendCellList(&buf, r, false);
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

static Datum
IndexResultDatum(FunctionCallInfo fcinfo, const IndexResult *r)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "the sqii index result must be a composite type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Float8GetDatum(r->index);
	nulls[0] = r->index_null;
	values[1] = Float8GetDatum(r->coverage);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* The final functions must not change the state: sqii_index and explain share it. */
PG_FUNCTION_INFO_V1(index_state_final);
/* Final function of sqii.sqii_index: (index, coverage). */
Datum
index_state_final(PG_FUNCTION_ARGS)
{
	AggContextOrError(fcinfo, "index_state_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(IndexResultDatum(fcinfo, ComputeIndex(fcinfo, (IndexState *) PG_GETARG_POINTER(0))));
}

PG_FUNCTION_INFO_V1(explain_state_final);
/* Final function of sqii.explain: the jsonb explanation. */
Datum
explain_state_final(PG_FUNCTION_ARGS)
{
	AggContextOrError(fcinfo, "explain_state_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(ExplainJsonb(ComputeIndex(fcinfo, (IndexState *) PG_GETARG_POINTER(0))));
}

PG_FUNCTION_INFO_V1(sqii_index_explain);
/*
 * sqii.index_explain(model, school_level, cells sqii.index_cell[]): the
 * explanation of one school from an array of cells (NULL elements skipped).
 */
Datum
sqii_index_explain(PG_FUNCTION_ARGS)
{
	IndexState *state;
	const char *model;
	const char *level;
	int			model_len;
	int			level_len;

	model = TextArg(fcinfo, 0, &model_len, "model",
					"Pass the name of a model of sqii.model, such as 'core-2016'.");
	level = TextArg(fcinfo, 1, &level_len, "school level",
					"Pass the school's level, one of the model's levels (sqii.model.school_levels).");
	state = NewIndexState(model, model_len, level, level_len, CurrentMemoryContext);
	if (!PG_ARGISNULL(2))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(2);
		Oid			elemtype = ARR_ELEMTYPE(arr);
		Datum	   *elems;
		bool	   *nulls;
		int			nelems;
		int16		typlen;
		bool		typbyval;
		char		typalign;
		int			i;

		get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
		deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &elems, &nulls, &nelems);
		for (i = 0; i < nelems; i++)
		{
			HeapTupleHeader row;
			bool		isnull[4];
			Datum		f[4];
			IndexCell  *cell;
			text	   *t;
			int			k;

			if (nulls[i])
				continue;
			row = DatumGetHeapTupleHeader(elems[i]);
			for (k = 0; k < 4; k++)
				f[k] = GetAttributeByNum(row, k + 1, &isnull[k]);
			if (isnull[0] || isnull[1])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("the indicator and group code of an index cell must not be NULL")));
			cell = StateAddCell(state, CurrentMemoryContext);
			t = DatumGetTextPP(f[0]);
			cell->indicator = StateName(state, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), -1, CurrentMemoryContext);
			t = DatumGetTextPP(f[1]);
			cell->group_code = StateName(state, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), -1, CurrentMemoryContext);
			cell->flags = CELL_ELIGIBLE_NULL | (isnull[2] ? CELL_VALUE_NULL : 0);
			cell->value = isnull[2] ? 0 : DatumGetFloat8(f[2]);
			cell->n = isnull[3] ? 0 : DatumGetInt64(f[3]);
			cell->eligible = 0;
			CheckCell(STATE_NAME(state, cell->indicator), STATE_NAME(state, cell->group_code),
					  isnull[2], cell->value, isnull[3], cell->n, true, 0);
		}
	}
	PG_RETURN_DATUM(ExplainJsonb(ComputeIndex(fcinfo, state)));
}

/* ----------------------------------------------------------------------
 * Freezing cut points into a model.
 * ---------------------------------------------------------------------- */

typedef struct FreezeCheck
{
	bool		found;
	int			nlevels;
	char	  **levels;
} FreezeCheck;

static void
ReadFreezeCheck(HeapTuple tup, TupleDesc desc, void *arg)
{
	FreezeCheck *check = (FreezeCheck *) arg;
	bool		isnull;
	Datum		levels = ConfigDatum(tup, desc, 1, &isnull);

	check->found = true;
	check->nlevels = isnull ? 0 : TextArrayToStrings(levels, &check->levels, CurrentMemoryContext);
}

PG_FUNCTION_INFO_V1(sqii_freeze_cutpoints);
/*
 * sqii.freeze_cutpoints(model, indicator, baseline_year, cuts, school_level):
 * store 9 cut points (10 levels) of a model's indicator, for one school level
 * of the model or for every level ('*'), replacing earlier ones.
 */
Datum
sqii_freeze_cutpoints(PG_FUNCTION_ARGS)
{
	FreezeCheck check = {false, 0, NULL};
	const char *params[2];
	char	   *level;
	Oid			argtypes[5] = {TEXTOID, TEXTOID, INT4OID, FLOAT8ARRAYOID, TEXTOID};
	Datum		values[5];
	int			ncuts;
	int			i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the model, indicator, baseline year and school level of cut points must not be NULL"),
				 errhint("Pass '*' as the school level for cut points of every level.")));
	params[0] = TextDatumGetCString(PG_GETARG_DATUM(0));
	params[1] = TextDatumGetCString(PG_GETARG_DATUM(1));
	level = TextDatumGetCString(PG_GETARG_DATUM(4));
	ConfigReadParams(fcinfo->flinfo->fn_oid,
					 "SELECT m.school_levels FROM @extschema@.model_indicator i "
					 "JOIN @extschema@.model m ON m.model OPERATOR(pg_catalog.=) i.model "
					 "WHERE i.model OPERATOR(pg_catalog.=) $1 AND i.indicator OPERATOR(pg_catalog.=) $2",
					 2, params, ReadFreezeCheck, &check);
	if (!check.found)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("SQII model \"%s\" has no indicator \"%s\"", params[0], params[1]),
				 errhint("The indicators of a model are in sqii.model_indicator.")));
	for (i = 0; i < check.nlevels && strcmp(level, "*") != 0; i++)
	{
		if (strcmp(check.levels[i], level) == 0)
			break;
	}
	if (strcmp(level, "*") != 0 && i == check.nlevels)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a school level of SQII model \"%s\"", level, params[0]),
				 errhint("The levels a model rates are in sqii.model.school_levels; '*' is every level.")));
	if (PG_ARGISNULL(3) ||
		ArrayGetNItems(ARR_NDIM(PG_GETARG_ARRAYTYPE_P(3)), ARR_DIMS(PG_GETARG_ARRAYTYPE_P(3))) != INDEX_CUTS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an index indicator needs 9 cut points (10 levels)"),
				 errhint("Use sqii.cutpoints(10) WITHIN GROUP (ORDER BY value) over the baseline year.")));
	/* One-dimensional, no NULLs, finite, ascending. */
	(void) CheckedCuts(PG_GETARG_ARRAYTYPE_P(3), &ncuts);

	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = PG_GETARG_DATUM(2);
	values[3] = PG_GETARG_DATUM(3);
	values[4] = PG_GETARG_DATUM(4);
	ConfigWrite(fcinfo->flinfo->fn_oid,
				"INSERT INTO @extschema@.model_cut AS c (model, indicator, school_level, baseline_year, cuts) "
				"VALUES ($1, $2, $5, $3, $4) "
				"ON CONFLICT ON CONSTRAINT model_cut_pkey "
				"DO UPDATE SET baseline_year = EXCLUDED.baseline_year, cuts = EXCLUDED.cuts",
				5, argtypes, values, NULL);
	PG_RETURN_VOID();
}

/* ----------------------------------------------------------------------
 * Domain weights, checked when written.
 * ---------------------------------------------------------------------- */

typedef struct WeightSum
{
	bool		any;
	float8		total;
} WeightSum;

static void
ReadWeightSum(HeapTuple tup, TupleDesc desc, void *arg)
{
	WeightSum  *sum = (WeightSum *) arg;
	bool		isnull;
	Datum		d = ConfigDatum(tup, desc, 1, &isnull);

	sum->any = !isnull;
	sum->total = isnull ? 0 : DatumGetFloat8(d);
}

PG_FUNCTION_INFO_V1(sqii_model_domain_weights);
/*
 * Constraint trigger on sqii.model_domain (AFTER INSERT OR UPDATE, deferred to
 * commit): the domain weights of the written row's model must sum to 100,
 * within rounding.  Deletions are not checked: a restore replays them in a
 * transaction of their own (sqii.config_deletion).
 */
Datum
sqii_model_domain_weights(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	row;
	TupleDesc	desc;
	char	   *model;
	WeightSum	sum = {false, 0};

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "sqii_model_domain_weights: not called by the trigger manager");
	row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = trigdata->tg_relation->rd_att;
	model = SPI_getvalue(row, desc, SPI_fnumber(desc, "model"));
	if (model == NULL)
		return PointerGetDatum(NULL);
	ConfigRead(fcinfo->flinfo->fn_oid,
			   "SELECT pg_catalog.sum(weight) FROM @extschema@.model_domain "
			   "WHERE model OPERATOR(pg_catalog.=) $1",
			   model, ReadWeightSum, &sum);
	if (sum.any && !(fabs(sum.total - 100) <= WEIGHT_TOLERANCE))
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("the domain weights of SQII model \"%s\" sum to %.10g, not 100", model, sum.total),
				 errhint("Domain weights are points out of 100. Change them together in one transaction: they are checked when it commits.")));
	return PointerGetDatum(NULL);
}
