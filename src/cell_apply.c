/*
 * cell_apply.c
 *	  Applying a change to maintained cells, for their triggers and for the
 *	  batch call.
 *
 * A query reads the rows added and removed (the units, whether the row is
 * removed, the group mask, then the values: its columns as
 * sqii.cell_collect_sql writes them); a trigger whose columns need no cast
 * reads them from its transition tables in those columns instead.  The
 * rows are gathered here, per unit, into the tallies of the rows added and
 * of those removed (cells.c), with no row kept.  The units whose change is
 * not empty are then written in key order by one INSERT ... ON CONFLICT DO
 * UPDATE (sqii.cell_write_sql).  It takes the units' keys as arrays, and
 * computes each unit row from its tallies here while it runs
 * (sqii.cell_change_apply), one unit at a time.
 *
 * Gathering here, rather than with a GROUP BY of sqii.cell_changes in the
 * writing statement, spares the aggregate's per-row calls and the sort of
 * every unit's arrays by key; computing each unit row from the gathered
 * tallies spares making arrays of them.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "sqii.h"

/* How a unit column is hashed, compared, copied and passed on. */
typedef struct UnitColumn
{
	NameData	name;
	FmgrInfo	hash;
	FmgrInfo	eq;
	FmgrInfo	cmp;
	Oid			collation;
	Oid			type;			/* base type: the array passed holds it */
	int16		typlen;
	bool		typbyval;
	char		typalign;
} UnitColumn;

/* A unit of the change: its key and its tallies.  key NULL: a free slot. */
typedef struct UnitChange
{
	uint32		hash;
	Datum	   *key;
	CellChangeState *change;
} UnitChange;

/*
 * Where a column of the change query's shape is in the rows gathered: the
 * query's own rows (column k at k, as is), or a trigger's transition table
 * rows read directly (see DirectShape).
 */
typedef enum ChangeSource
{
	SOURCE_AS_IS,				/* the row's column, the same Datum */
	SOURCE_INT4_AS_INT8,		/* a mask column, as ::int8 */
	SOURCE_INT2_AS_INT8,
	SOURCE_REMOVAL,				/* sqii_removal */
	SOURCE_TRUE					/* sqii.cell_changes' first value, counting the student */
} ChangeSource;

typedef struct ChangeColumn
{
	AttrNumber	attno;			/* in the row, for a column's source */
	ChangeSource source;
} ChangeColumn;

/* The receiver of the query's rows. */
typedef struct ChangeCollector
{
	DestReceiver pub;
	MemoryContext mcxt;			/* the units and their tallies */
	MemoryContext row_mcxt;		/* reset for every row */
	int			nunits;
	int			width;			/* values per row */
	UnitColumn *units;
	bool		bitwise;		/* every unit type's equality is that of its Datum's bits */
	Oid			fn_oid;			/* the calling function: its schema has the group tables */
	GroupMap   *groups;			/* the group tables, when the query gives group columns */
	int			nflags;			/* ... the race code, then nflags flags */
	int			first_value;	/* the column of the first value */
	const ChangeColumn *cols;	/* where each column of the query's shape is in a row */
	bool		removal;		/* the rows' sqii_removal, when SOURCE_REMOVAL */
	ValueKind  *kinds;
	int		   *decimals;		/* places a value keeps as a whole number; -1: none */
	float8	   *x;				/* a row's values */
	bool	   *present;
	UnitChange *table;			/* open addressing; capacity a power of 2 */
	uint32		capacity;
	uint32		count;
} ChangeCollector;

/*
 * The columns of the query after the units (sqii.cell_collect_sql): whether
 * the row is removed; then its groups, either as a mask or as the race code
 * and flags of sqii.group_mask (read here, with no call per row); then the
 * values, those with decimal places named with the number of places.
 */
#define REMOVAL_COLUMN "sqii_removal"
#define MASK_COLUMN "sqii_mask"
#define RACE_COLUMN "sqii_race"
#define FLAG_COLUMN "sqii_flag"
#define VALUE_COLUMN "sqii_value"
#define DECIMALS_COLUMN "sqii_decimals_"

static bool
ColumnNamed(TupleDesc desc, int i, const char *name, Oid type)
{
	Form_pg_attribute attr = TupleDescAttr(desc, i);

	return strcmp(NameStr(attr->attname), name) == 0 && attr->atttypid == type;
}

/*
 * Types passed by value whose values are equal exactly when their bits are:
 * the usual unit columns (years, ids, dates).  Their keys are hashed and
 * compared without a function call per row, once made canonical
 * (CanonicalDatum).
 */
static bool
BitwiseEqualityType(Oid type, bool typbyval)
{
	if (!typbyval)				/* bigint on a 32-bit build */
		return false;
	switch (type)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case DATEOID:
		case OIDOID:
		case BOOLOID:
		case CHAROID:
			return true;
	}
	return false;
}

/*
 * A by-value Datum with its unused bits in one form: a row reader may
 * sign-extend a short value (the interpreted one) or zero-extend it (JIT).
 */
static inline Datum
CanonicalDatum(Datum d, int16 typlen)
{
	switch (typlen)
	{
		case 1:
			return CharGetDatum(DatumGetChar(d));
		case 2:
			return Int16GetDatum(DatumGetInt16(d));
		case 4:
			return Int32GetDatum(DatumGetInt32(d));
	}
	return d;
}

static void
CollectorStartup(DestReceiver *self, int operation, TupleDesc desc)
{
	ChangeCollector *c = (ChangeCollector *) self;
	MemoryContext old = MemoryContextSwitchTo(c->mcxt);
	int			nunits = -1;
	ChangeColumn *cols;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		if (strcmp(NameStr(TupleDescAttr(desc, i)->attname), REMOVAL_COLUMN) == 0)
		{
			nunits = i;
			break;
		}
	}
	/* sqii.cell_collect_sql writes the query: its shape is not the user's. */
	if (nunits < 1 || desc->natts < nunits + 3 || TupleDescAttr(desc, nunits)->atttypid != BOOLOID)
		elog(ERROR, "the query of a change to maintained cells has an unexpected shape");
	if (nunits > INDEX_MAX_KEYS)
		elog(ERROR, "maintained cells have at most %d unit columns", INDEX_MAX_KEYS);
	c->nunits = nunits;
	c->first_value = nunits + 2;
	if (ColumnNamed(desc, nunits + 1, RACE_COLUMN, TEXTOID))
	{
		while (c->first_value < desc->natts && ColumnNamed(desc, c->first_value, FLAG_COLUMN, BOOLOID))
			c->first_value++;
		c->nflags = c->first_value - nunits - 2;
		if (c->nflags > MAX_FLAGS)
			elog(ERROR, "the query of a change to maintained cells has too many group flags");
		c->groups = LoadGroupMap(c->fn_oid, c->mcxt);
	}
	else if (!ColumnNamed(desc, nunits + 1, MASK_COLUMN, INT8OID))
		elog(ERROR, "the query of a change to maintained cells has an unexpected shape");
	c->width = desc->natts - c->first_value;
	if (c->width < 1)
		elog(ERROR, "the query of a change to maintained cells has an unexpected shape");
	c->units = palloc0(sizeof(UnitColumn) * nunits);
	for (i = 0; i < nunits; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		UnitColumn *u = &c->units[i];
		TypeCacheEntry *tc;

		u->name = attr->attname;
		u->type = getBaseType(attr->atttypid);
		tc = lookup_type_cache(u->type, TYPECACHE_HASH_PROC_FINFO | TYPECACHE_EQ_OPR_FINFO |
							   TYPECACHE_CMP_PROC_FINFO);
		if (!OidIsValid(tc->hash_proc) || !OidIsValid(tc->eq_opr) || !OidIsValid(tc->cmp_proc))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("unit column %s has type %s, which maintained cells cannot group by",
							quote_identifier(NameStr(attr->attname)), format_type_be(u->type)),
					 errhint("Unit columns need a type with default hash and btree operator classes, such as integer, text or date.")));
		fmgr_info_copy(&u->hash, &tc->hash_proc_finfo, c->mcxt);
		fmgr_info_copy(&u->eq, &tc->eq_opr_finfo, c->mcxt);
		fmgr_info_copy(&u->cmp, &tc->cmp_proc_finfo, c->mcxt);
		u->collation = attr->attcollation;
		get_typlenbyvalalign(u->type, &u->typlen, &u->typbyval, &u->typalign);
	}
	c->bitwise = true;
	for (i = 0; i < nunits; i++)
		c->bitwise &= BitwiseEqualityType(c->units[i].type, c->units[i].typbyval);
	c->kinds = palloc(sizeof(ValueKind) * c->width);
	c->decimals = palloc(sizeof(int) * c->width);
	for (i = 0; i < c->width; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, c->first_value + i);

		c->kinds[i] = ValueKindOf(attr->atttypid, "sqii maintained cells", i);
		c->decimals[i] = -1;
		if (strncmp(NameStr(attr->attname), DECIMALS_COLUMN, strlen(DECIMALS_COLUMN)) == 0)
		{
			if (c->kinds[i] != VALUE_FLOAT8 && c->kinds[i] != VALUE_NUMERIC)
				elog(ERROR, "the query of a change to maintained cells has an unexpected shape");
			c->decimals[i] = pg_strtoint32(NameStr(attr->attname) + strlen(DECIMALS_COLUMN));
		}
	}
	/* The query's rows: column k at k, as is (a direct read sets its own map). */
	cols = palloc0(sizeof(ChangeColumn) * desc->natts);
	for (i = 0; i < desc->natts; i++)
		cols[i].attno = i + 1;
	c->cols = cols;
	c->x = palloc(sizeof(float8) * c->width);
	c->present = palloc(sizeof(bool) * c->width);
	c->capacity = 256;
	c->table = palloc0(sizeof(UnitChange) * c->capacity);
	MemoryContextSwitchTo(old);
}

static bool
UnitKeysEqual(const ChangeCollector *c, const Datum *key, const Datum *values)
{
	int			i;

	/* One or two words: a loop, not a memcmp call, on every row. */
	if (c->bitwise)
	{
		for (i = 0; i < c->nunits; i++)
		{
			if (key[i] != values[i])
				return false;
		}
		return true;
	}
	for (i = 0; i < c->nunits; i++)
	{
		if (!DatumGetBool(FunctionCall2Coll((FmgrInfo *) &c->units[i].eq, c->units[i].collation,
											key[i], values[i])))
			return false;
	}
	return true;
}

/* Double the table, keeping every unit. */
static void
GrowUnitTable(ChangeCollector *c)
{
	UnitChange *old = c->table;
	uint32		old_capacity = c->capacity;
	uint32		i;

	c->capacity *= 2;
	c->table = MemoryContextAllocZero(c->mcxt, sizeof(UnitChange) * c->capacity);
	for (i = 0; i < old_capacity; i++)
	{
		uint32		at;

		if (old[i].key == NULL)
			continue;
		for (at = old[i].hash & (c->capacity - 1); c->table[at].key != NULL; at = (at + 1) & (c->capacity - 1))
			;
		c->table[at] = old[i];
	}
	pfree(old);
}

/* The unit of a row, made if new. */
static UnitChange *
UnitOf(ChangeCollector *c, const Datum *row, const bool *rownull)
{
	uint32		hash = 0;
	uint32		at;
	int			i;
	MemoryContext old;
	UnitChange *unit;
	Datum		values[INDEX_MAX_KEYS];

	for (i = 0; i < c->nunits; i++)
	{
		AttrNumber	attno = c->cols[i].attno;	/* unit columns are read as is */

		/* The student table's unit columns are NOT NULL; a batch's rows may not be. */
		if (rownull[attno - 1])
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("a changed student has no unit: %s is NULL",
							quote_identifier(NameStr(c->units[i].name))),
					 errhint("Unit columns are the key of the cells; every row of a change needs them.")));
		values[i] = row[attno - 1];
		if (c->bitwise)
		{
			uint64		bits;

			values[i] = CanonicalDatum(values[i], c->units[i].typlen);
			bits = (uint64) values[i];
			hash = hash_combine(hash, murmurhash32((uint32) (bits ^ (bits >> 32))));
		}
		else
			hash = hash_combine(hash, DatumGetUInt32(FunctionCall1Coll(&c->units[i].hash, c->units[i].collation,
																	   values[i])));
	}
	for (at = hash & (c->capacity - 1);; at = (at + 1) & (c->capacity - 1))
	{
		unit = &c->table[at];
		if (unit->key == NULL)
			break;
		if (unit->hash == hash && UnitKeysEqual(c, unit->key, values))
			return unit;
	}
	old = MemoryContextSwitchTo(c->mcxt);
	unit->hash = hash;
	unit->key = palloc(sizeof(Datum) * c->nunits);
	for (i = 0; i < c->nunits; i++)
		unit->key[i] = datumCopy(values[i], c->units[i].typbyval, c->units[i].typlen);
	unit->change = NewChangeState(c->width, c->mcxt);
	MemoryContextSwitchTo(old);
	/* At most half full, so that probes stay short. */
	if (++c->count * 2 > c->capacity)
	{
		Datum	   *key = unit->key;

		GrowUnitTable(c);
		for (at = hash & (c->capacity - 1); c->table[at].key != key; at = (at + 1) & (c->capacity - 1))
			;
		unit = &c->table[at];
	}
	return unit;
}

/* A row's column k of the change query's shape (see ChangeColumn); false if NULL. */
static inline bool
RowColumn(const ChangeCollector *c, const Datum *row, const bool *rownull, int k, Datum *d)
{
	const ChangeColumn *col = &c->cols[k];

	switch (col->source)
	{
		case SOURCE_REMOVAL:
			*d = BoolGetDatum(c->removal);
			return true;
		case SOURCE_TRUE:
			*d = BoolGetDatum(true);
			return true;
		default:
			break;
	}
	if (rownull[col->attno - 1])
		return false;
	*d = row[col->attno - 1];
	if (col->source == SOURCE_INT4_AS_INT8)
		*d = Int64GetDatum((int64) DatumGetInt32(*d));
	else if (col->source == SOURCE_INT2_AS_INT8)
		*d = Int64GetDatum((int64) DatumGetInt16(*d));
	return true;
}

/*
 * Gather one row of the change (the query's, or a transition table's: see
 * ChangeColumn), in the row memory context.
 */
static void
CollectRow(ChangeCollector *c, const Datum *row, const bool *rownull)
{
	UnitChange *unit;
	uint64		mask;
	Datum		d;
	int			half;
	int			j;

	if (!RowColumn(c, row, rownull, c->nunits, &d))
		elog(ERROR, "a row of a change to maintained cells is neither added nor removed");
	half = DatumGetBool(d) ? 1 : 0;
	unit = UnitOf(c, row, rownull);
	if (c->groups != NULL)
	{
		bool		flags[MAX_FLAGS];
		text	   *race = NULL;

		/* As sqii.group_mask: a NULL race code is no race group, a NULL flag false. */
		for (j = 0; j < c->nflags; j++)
			flags[j] = RowColumn(c, row, rownull, c->nunits + 2 + j, &d) && DatumGetBool(d);
		if (RowColumn(c, row, rownull, c->nunits + 1, &d))
			race = DatumGetTextPP(d);
		mask = GroupMaskOf(c->groups, race, flags, c->nflags);
	}
	else
	{
		/* A row in no group changes no cell (as in sqii.cell_changes). */
		if (!RowColumn(c, row, rownull, c->nunits + 1, &d))
			return;
		CheckGroupMask(DatumGetInt64(d));
		mask = (uint64) DatumGetInt64(d);
	}
	for (j = 0; j < c->width; j++)
	{
		c->present[j] = RowColumn(c, row, rownull, c->first_value + j, &d);
		if (!c->present[j])
			continue;
		/* Most values are flags: no call for them. */
		if (c->kinds[j] == VALUE_BOOL)
			c->x[j] = DatumGetBool(d) ? 1.0 : 0.0;
		else
			c->x[j] = ValueOf(c->kinds[j], d);
		if (c->decimals[j] >= 0)
			c->x[j] = CellValueScaled(c->x[j], c->decimals[j]);
	}
	ChangeStateAddRow(unit->change, half, mask, c->x, c->present, c->mcxt);
}

static bool
CollectorReceive(TupleTableSlot *slot, DestReceiver *self)
{
	ChangeCollector *c = (ChangeCollector *) self;
	MemoryContext old;

	MemoryContextReset(c->row_mcxt);
	old = MemoryContextSwitchTo(c->row_mcxt);
	slot_getallattrs(slot);
	CollectRow(c, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(old);
	return true;
}

static void
CollectorShutdown(DestReceiver *self)
{
}

static void
CollectorDestroy(DestReceiver *self)
{
}

/* Units in the order of their key (the cells' primary key order). */
static int
CompareUnits(const void *a, const void *b, void *arg)
{
	const ChangeCollector *c = (const ChangeCollector *) arg;
	const Datum *ka = (*(UnitChange *const *) a)->key;
	const Datum *kb = (*(UnitChange *const *) b)->key;
	int			i;

	for (i = 0; i < c->nunits; i++)
	{
		int32		r = DatumGetInt32(FunctionCall2Coll((FmgrInfo *) &c->units[i].cmp, c->units[i].collation,
														ka[i], kb[i]));

		if (r != 0)
			return r < 0 ? -1 : 1;
	}
	return 0;
}

/*
 * The units a change writes: those whose change does not add back what it
 * removes, in key order (so that concurrent changes lock unit rows in the
 * same order and cannot deadlock on them).
 */
static UnitChange **
UnitsToWrite(ChangeCollector *c, int *n)
{
	UnitChange **units = palloc(sizeof(UnitChange *) * Max(c->count, 1));
	uint32		at;

	*n = 0;
	for (at = 0; at < c->capacity; at++)
	{
		if (c->table[at].key != NULL && !ChangeStateIsNoop(c->table[at].change))
			units[(*n)++] = &c->table[at];
	}
	qsort_arg(units, *n, sizeof(UnitChange *), CompareUnits, c);
	return units;
}

/*
 * The parameters of the writing statement: an array per unit column, then
 * the token under which sqii.cell_change_apply finds the units' tallies.
 */
static void
WriteParams(ChangeCollector *c, UnitChange **units, int n, int64 token, Datum *params, Oid *types)
{
	Datum	   *column = palloc(sizeof(Datum) * Max(n, 1));
	int			i;
	int			k;

	for (i = 0; i < c->nunits; i++)
	{
		UnitColumn *u = &c->units[i];

		for (k = 0; k < n; k++)
			column[k] = units[k]->key[i];
		params[i] = PointerGetDatum(construct_array(column, n, u->type, u->typlen, u->typbyval, u->typalign));
		types[i] = get_array_type(u->type);
		if (!OidIsValid(types[i]))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("unit column %s has a type without an array type",
							quote_identifier(NameStr(u->name)))));
	}
	params[c->nunits] = Int64GetDatum(token);
	types[c->nunits] = INT8OID;
	pfree(column);
}

/*
 * The change being written, which sqii.cell_change_apply reads: only while
 * its writing statements run, under a token of its own.
 */
typedef struct PendingChange
{
	int64		token;
	UnitChange **units;
	int			nunits;
} PendingChange;

static PendingChange *pending_change = NULL;
static int64 last_pending_token = 0;

/*
 * The columns a cell definition names (sqii.create_cells writes it as
 * jsonb): its units, its groups (the race code and flags, or one mask
 * column) and its indicators, with the decimal places of each (-1: none,
 * a boolean or integer taken as it is).
 */
typedef struct CellColumns
{
	int			nunits;
	char	  **units;
	int			ngroups;
	char	  **groups;
	int			nindicators;
	char	  **indicators;
	int		   *decimals;
} CellColumns;

/* A member of a definition's object, NULL if absent. */
static JsonbValue *
DefinitionMember(JsonbContainer *object, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	return findJsonbValueFromContainer(object, JB_FOBJECT, &k);
}

/* The definition's list named key: its length, and its elements' containers or strings. */
static JsonbContainer *
DefinitionList(JsonbContainer *object, const char *key, int *n)
{
	JsonbValue *list = DefinitionMember(object, key);

	if (list == NULL || list->type != jbvBinary || !JsonContainerIsArray(list->val.binary.data))
		elog(ERROR, "the definition of maintained cells has no list \"%s\"", key);
	*n = JsonContainerSize(list->val.binary.data);
	return list->val.binary.data;
}

static char *
DefinitionString(JsonbValue *v)
{
	if (v == NULL || v->type != jbvString)
		elog(ERROR, "the definition of maintained cells has an unexpected shape");
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static CellColumns *
DefinitionColumns(const char *definition)
{
	Jsonb	   *def = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(definition)));
	CellColumns *cols = palloc(sizeof(CellColumns));
	JsonbContainer *list;
	int			i;

	list = DefinitionList(&def->root, "units", &cols->nunits);
	cols->units = palloc(sizeof(char *) * Max(cols->nunits, 1));
	for (i = 0; i < cols->nunits; i++)
		cols->units[i] = DefinitionString(getIthJsonbValueFromContainer(list, i));
	list = DefinitionList(&def->root, "groups", &cols->ngroups);
	cols->groups = palloc(sizeof(char *) * Max(cols->ngroups, 1));
	for (i = 0; i < cols->ngroups; i++)
		cols->groups[i] = DefinitionString(getIthJsonbValueFromContainer(list, i));
	list = DefinitionList(&def->root, "indicators", &cols->nindicators);
	cols->indicators = palloc(sizeof(char *) * Max(cols->nindicators, 1));
	cols->decimals = palloc(sizeof(int) * Max(cols->nindicators, 1));
	for (i = 0; i < cols->nindicators; i++)
	{
		JsonbValue *ind = getIthJsonbValueFromContainer(list, i);
		JsonbValue *decimals;

		if (ind == NULL || ind->type != jbvBinary)
			elog(ERROR, "the definition of maintained cells has an unexpected shape");
		cols->indicators[i] = DefinitionString(DefinitionMember(ind->val.binary.data, "column"));
		decimals = DefinitionMember(ind->val.binary.data, "decimals");
		cols->decimals[i] = (decimals == NULL || decimals->type == jbvNull) ? -1 :
			DatumGetInt32(DirectFunctionCall1(numeric_int4, NumericGetDatum(decimals->val.numeric)));
	}
	return cols;
}

/*
 * The statements of a cell trigger, prepared once per session (planning them
 * on every statement would cost more than applying a small change): the
 * query of the change (for TRUNCATE, the deletion of every cell), the write,
 * and the deletion of the cells it emptied.
 */
typedef struct CellTriggerPlans
{
	Oid			tgoid;			/* hash key */
	MemoryContext mcxt;			/* the entry's strings and columns */
	char	   *collect_sql;	/* the statements the plans were made for */
	char	   *write_sql;
	CellColumns *columns;		/* of the definition, for reading transition tables */
	SPIPlanPtr	collect;
	SPIPlanPtr	write;
	int			nwrite_args;
	Oid			write_types[INDEX_MAX_KEYS + 1];
	SPIPlanPtr	cleanup;
} CellTriggerPlans;

static HTAB *cell_trigger_plans = NULL;

static SPIPlanPtr
KeptPlan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for a maintained cells statement: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for a maintained cells statement");
		*slot = plan;
	}
	return *slot;
}

static void
CheckSPI(int ret)
{
	if (ret < 0)
		elog(ERROR, "a maintained cells statement failed in SPI: %s", SPI_result_code_string(ret));
}

/*
 * The memory of a change's units and tallies is kept for the session and
 * lent to one change at a time.  Fresh memory costs a page fault per page at
 * first touch: the blocks of an UPDATE of 500 schools (about 2 MB) faulted
 * about 490 pages, which took a quarter of its trigger's time (29 ms against
 * 21 ms with the memory kept).  A change gathered while another is (a
 * trigger on the cells changing students) gets memory of its own.  The loan
 * ends with the change, or when the memory context it was made in goes away
 * (an error).
 */
#define KEPT_CHANGE_MEMORY (4 * 1024 * 1024)

static MemoryContext kept_change_memory = NULL;
static uint64 kept_change_loan = 0;		/* the current loan; 0: none */
static uint64 kept_change_loans = 0;

static void
ReturnChangeMemory(void *loan)
{
	if (kept_change_loan != 0 && kept_change_loan == *(uint64 *) loan)
	{
		MemoryContextReset(kept_change_memory);
		kept_change_loan = 0;
	}
}

static MemoryContext
BorrowChangeMemory(void)
{
	MemoryContextCallback *callback;
	uint64	   *loan;

	if (kept_change_loan != 0)
		return AllocSetContextCreate(CurrentMemoryContext, "sqii cell change", ALLOCSET_DEFAULT_SIZES);
	/* Its first block, of KEPT_CHANGE_MEMORY, is what a reset keeps. */
	if (kept_change_memory == NULL)
		kept_change_memory = AllocSetContextCreate(TopMemoryContext, "sqii cell changes", 0,
												   KEPT_CHANGE_MEMORY, ALLOCSET_DEFAULT_MAXSIZE);
	callback = palloc(sizeof(MemoryContextCallback));
	loan = palloc(sizeof(uint64));
	*loan = ++kept_change_loans;
	callback->func = ReturnChangeMemory;
	callback->arg = loan;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, callback);
	kept_change_loan = *loan;
	return kept_change_memory;
}

/* The end of a change: its memory given back, or freed. */
static void
CollectorEnd(ChangeCollector *c)
{
	if (c->mcxt == kept_change_memory)
		ReturnChangeMemory(&kept_change_loan);
	else
		MemoryContextDelete(c->mcxt);
}

/* A collector of a change; fn_oid is the calling function, in sqii's schema with the group tables. */
static void
CollectorInit(ChangeCollector *c, Oid fn_oid)
{
	memset(c, 0, sizeof(ChangeCollector));
	c->pub.receiveSlot = CollectorReceive;
	c->pub.rStartup = CollectorStartup;
	c->pub.rShutdown = CollectorShutdown;
	c->pub.rDestroy = CollectorDestroy;
	c->pub.mydest = DestNone;
	c->mcxt = BorrowChangeMemory();
	c->row_mcxt = AllocSetContextCreate(c->mcxt, "sqii cell change row", ALLOCSET_SMALL_SIZES);
	c->fn_oid = fn_oid;
}

/*
 * Run a statement of a change's write, prepared once with plans (a
 * trigger's), or once without.
 */
static int
RunWriteStatement(SPIPlanPtr *kept, const char *sql, int nargs, Oid *types, Datum *params, const char *nulls)
{
	int			ret;

	if (kept != NULL)
		ret = SPI_execute_plan(KeptPlan(kept, sql, nargs, types), params, nulls, false, 0);
	else
		ret = SPI_execute_with_args(sql, nargs, types, params, nulls, false, 0);
	CheckSPI(ret);
	return ret;
}

/*
 * Write a gathered change (inside SPI): the units it changed, then the
 * tallies of the units it made and the deletion of those it emptied.  With
 * plans (a trigger's), the statements are prepared once; without, run once.
 * Frees the collector.  Returns the number of unit rows written.
 */
static int64
WriteChange(ChangeCollector *c, CellTriggerPlans *plans, const char *write_sql, const char *cleanup_sql)
{
	Datum		params[INDEX_MAX_KEYS + 1];
	Oid			types[INDEX_MAX_KEYS + 1];
	PendingChange pending;
	PendingChange *volatile outer;
	int64		written = 0;

	/* Nothing to write: no row, or every unit as it was. */
	if (c->count == 0)
	{
		CollectorEnd(c);
		return 0;
	}
	pending.units = UnitsToWrite(c, &pending.nunits);
	if (pending.nunits == 0)
	{
		CollectorEnd(c);
		return 0;
	}
	pending.token = ++last_pending_token;
	WriteParams(c, pending.units, pending.nunits, pending.token, params, types);

	if (plans != NULL)
	{
		/* A column's type changed since the write was planned: plan it again. */
		if (plans->write != NULL && (plans->nwrite_args != c->nunits + 1 ||
									 memcmp(plans->write_types, types, sizeof(Oid) * (c->nunits + 1)) != 0))
		{
			SPI_freeplan(plans->write);
			plans->write = NULL;
		}
		if (plans->write == NULL)
		{
			plans->nwrite_args = c->nunits + 1;
			memcpy(plans->write_types, types, sizeof(Oid) * (c->nunits + 1));
		}
	}
	/* A change written from inside another's write (a trigger on the cells) comes back to it. */
	outer = pending_change;
	pending_change = &pending;
	PG_TRY();
	{
		Datum		cleanup[3];
		bool		emptied_null;
		bool		made_null;
		bool		isnull;
		Oid			cleanup_types[3] = {TIDARRAYOID, TIDARRAYOID, INT8OID};

		if (RunWriteStatement(plans ? &plans->write : NULL, write_sql, c->nunits + 1, types, params, NULL) !=
			SPI_OK_SELECT || SPI_processed != 1 || SPI_tuptable->tupdesc->natts != 3)
			elog(ERROR, "the write of maintained cells returned an unexpected result");
		written = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		cleanup[0] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &emptied_null);
		cleanup[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &made_null);
		cleanup[2] = Int64GetDatum(pending.token);
		if (!emptied_null || !made_null)
		{
			char		nulls[3] = {emptied_null ? 'n' : ' ', made_null ? 'n' : ' ', ' '};

			RunWriteStatement(plans ? &plans->cleanup : NULL, cleanup_sql, 3, cleanup_types, cleanup, nulls);
		}
	}
	PG_FINALLY();
	{
		pending_change = outer;
	}
	PG_END_TRY();
	CollectorEnd(c);
	return written;
}

/*
 * Apply a change (inside SPI): run the query of its rows into a collector,
 * then write it.  Returns the number of unit rows written.
 */
static int64
ApplyChange(Oid fn_oid, CellTriggerPlans *plans, const char *collect_sql, const char *write_sql, const char *cleanup_sql)
{
	ChangeCollector c;
	SPIExecuteOptions options = {0};

	CollectorInit(&c, fn_oid);
	options.dest = &c.pub;
	if (plans != NULL)
		CheckSPI(SPI_execute_plan_extended(KeptPlan(&plans->collect, collect_sql, 0, NULL), &options));
	else
		CheckSPI(SPI_execute_extended(collect_sql, &options));
	return WriteChange(&c, plans, write_sql, cleanup_sql);
}

/*
 * Reading a trigger's transition tables directly.  Most student tables give
 * the change query nothing to compute: its columns are the table's own
 * (text race codes, boolean flags, integer or double precision values).
 * Then the rows are read from the transition tables here, in the change
 * query's columns, with no query: its steps per row (scan node, projection,
 * UNION ALL) were about a tenth of a large UPDATE's time in the trigger.
 * Other column types (a char(n) or enum race code, a real value) take the
 * query, whose casts they need.
 */

/* The column of the student table named name, or NULL. */
static Form_pg_attribute
StudentColumn(TupleDesc students, const char *name)
{
	int			i;

	for (i = 0; i < students->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(students, i);

		if (!attr->attisdropped && strcmp(NameStr(attr->attname), name) == 0)
			return attr;
	}
	return NULL;
}

/*
 * Add column k of the change query's shape: named name, of type type, read
 * from attr of the students by source.
 */
static void
ShapeColumn(TupleDesc shape, ChangeColumn *cols, int k, const char *name, Oid type,
			Form_pg_attribute attr, ChangeSource source)
{
	TupleDescInitEntry(shape, k + 1, name, type, -1, 0);
	if (attr != NULL)
	{
		TupleDescInitEntryCollation(shape, k + 1, attr->attcollation);
		cols[k].attno = attr->attnum;
	}
	cols[k].source = source;
}

/*
 * The change query's columns as sqii.cell_collect_sql makes them (units,
 * sqii_removal, groups, values), each with its source in the student table:
 * NULL when a column needs the query's cast.
 */
static TupleDesc
DirectShape(const CellColumns *def, TupleDesc students, ChangeColumn **columns)
{
	int			natts = def->nunits + 1 + def->ngroups + 1 + def->nindicators;
	TupleDesc	shape = CreateTemplateTupleDesc(natts);
	ChangeColumn *cols = palloc0(sizeof(ChangeColumn) * natts);
	int			k = 0;
	int			i;

	for (i = 0; i < def->nunits; i++, k++)
	{
		Form_pg_attribute attr = StudentColumn(students, def->units[i]);

		if (attr == NULL)
			return NULL;
		ShapeColumn(shape, cols, k, def->units[i], attr->atttypid, attr, SOURCE_AS_IS);
	}
	ShapeColumn(shape, cols, k++, REMOVAL_COLUMN, BOOLOID, NULL, SOURCE_REMOVAL);
	for (i = 0; i < def->ngroups; i++, k++)
	{
		Form_pg_attribute attr = StudentColumn(students, def->groups[i]);
		Oid			type;

		if (attr == NULL)
			return NULL;
		type = getBaseType(attr->atttypid);
		if (def->ngroups == 1)
		{
			if (type != INT8OID && type != INT4OID && type != INT2OID)
				return NULL;
			ShapeColumn(shape, cols, k, MASK_COLUMN, INT8OID, attr,
						type == INT8OID ? SOURCE_AS_IS : type == INT4OID ? SOURCE_INT4_AS_INT8 : SOURCE_INT2_AS_INT8);
		}
		else if (i == 0)
		{
			/* varchar is text to the group tables' lookup. */
			if (type != TEXTOID && type != VARCHAROID)
				return NULL;
			ShapeColumn(shape, cols, k, RACE_COLUMN, TEXTOID, attr, SOURCE_AS_IS);
		}
		else
		{
			if (type != BOOLOID)
				return NULL;
			ShapeColumn(shape, cols, k, FLAG_COLUMN, BOOLOID, attr, SOURCE_AS_IS);
		}
	}
	ShapeColumn(shape, cols, k++, VALUE_COLUMN, BOOLOID, NULL, SOURCE_TRUE);
	for (i = 0; i < def->nindicators; i++, k++)
	{
		Form_pg_attribute attr = StudentColumn(students, def->indicators[i]);
		Oid			type;
		char		name[NAMEDATALEN];

		if (attr == NULL)
			return NULL;
		type = getBaseType(attr->atttypid);
		if (def->decimals[i] < 0)
		{
			if (type != BOOLOID && type != INT2OID && type != INT4OID && type != INT8OID)
				return NULL;
			ShapeColumn(shape, cols, k, VALUE_COLUMN, type, attr, SOURCE_AS_IS);
			continue;
		}
		if (type != FLOAT8OID && type != NUMERICOID)
			return NULL;
		snprintf(name, sizeof(name), "%s%d", DECIMALS_COLUMN, def->decimals[i]);
		ShapeColumn(shape, cols, k, name, type, attr, SOURCE_AS_IS);
	}
	*columns = cols;
	return shape;
}

/*
 * Gather the rows of a transition table, added or removed, into the
 * collector (its column map set to the student table's); last is the last
 * student column the map reads.
 */
static void
CollectTransitionTable(ChangeCollector *c, Tuplestorestate *rows, bool removal, AttrNumber last,
					   TupleTableSlot *slot)
{
	c->removal = removal;
	/* A read pointer of our own, as a query's scan of the table would take. */
	tuplestore_select_read_pointer(rows, tuplestore_alloc_read_pointer(rows, 0));
	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		MemoryContext old;

		MemoryContextReset(c->row_mcxt);
		old = MemoryContextSwitchTo(c->row_mcxt);
		slot_getsomeattrs(slot, last);
		CollectRow(c, slot->tts_values, slot->tts_isnull);
		MemoryContextSwitchTo(old);
	}
	ExecClearTuple(slot);
}

/*
 * Apply a trigger's change read from its transition tables, if its columns
 * allow (DirectShape); returns false, having done nothing, if not.
 */
static bool
ApplyTransitionTables(Oid fn_oid, CellTriggerPlans *plans, TriggerData *trigdata)
{
	TupleDesc	students = RelationGetDescr(trigdata->tg_relation);
	ChangeColumn *cols;
	TupleDesc	shape = DirectShape(plans->columns, students, &cols);
	ChangeCollector c;
	TupleTableSlot *slot;
	AttrNumber	last = 0;
	int			k;

	if (shape == NULL)
		return false;
	CollectorInit(&c, fn_oid);
	CollectorStartup(&c.pub, CMD_SELECT, shape);
	c.cols = cols;
	for (k = 0; k < shape->natts; k++)
		last = Max(last, cols[k].attno);
	slot = MakeSingleTupleTableSlot(students, &TTSOpsMinimalTuple);
	/* Added, then removed: the order of the query's UNION ALL. */
	if (trigdata->tg_newtable != NULL)
		CollectTransitionTable(&c, trigdata->tg_newtable, false, last, slot);
	if (trigdata->tg_oldtable != NULL)
		CollectTransitionTable(&c, trigdata->tg_oldtable, true, last, slot);
	ExecDropSingleTupleTableSlot(slot);
	WriteChange(&c, plans, trigdata->tg_trigger->tgargs[2], trigdata->tg_trigger->tgargs[3]);
	return true;
}

PG_FUNCTION_INFO_V1(sqii_cell_change_apply);
/*
 * sqii.cell_change_apply(token, unit, cells): unit number unit (1-based, in
 * the order of the writing statement's arrays) of the change being written,
 * applied to its stored one-pass result cells (NULL: a unit without a row),
 * as sqii.cell_apply_groups; NULL when no student is left.  Only the
 * statements that write a change can call it.
 */
Datum
sqii_cell_change_apply(PG_FUNCTION_ARGS)
{
	int64		unit;
	ArrayType  *result;

	if (PG_ARGISNULL(0) || pending_change == NULL || pending_change->token != PG_GETARG_INT64(0))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no change to maintained cells is being written under this token"),
				 errhint("sqii.cell_change_apply is called by the statements that write a change, nothing else.")));
	unit = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1);
	if (unit < 1 || unit > pending_change->nunits)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("the change being written has no unit %lld", (long long) unit)));
	result = ChangeStateApply(pending_change->units[unit - 1]->change,
							  PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2), TallyResultType(fcinfo));
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(sqii_cell_apply_change);
/*
 * sqii.cell_apply_change(collect, write, cleanup): apply a change given the
 * statements sqii.cell_collect_sql, sqii.cell_write_sql and
 * sqii.cell_cleanup_sql wrote (the batch call).  Returns the number of unit
 * rows written.
 */
Datum
sqii_cell_apply_change(PG_FUNCTION_ARGS)
{
	char	   *collect_sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *write_sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *cleanup_sql = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int64		written;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	written = ApplyChange(fcinfo->flinfo->fn_oid, NULL, collect_sql, write_sql, cleanup_sql);
	SPI_finish();
	PG_RETURN_INT64(written);
}

/* The kept statements of a trigger, forgotten if the trigger is not the one they were made for. */
static CellTriggerPlans *
TriggerPlans(Trigger *trigger)
{
	CellTriggerPlans *plans;
	MemoryContext mcxt;
	MemoryContext old;
	char	   *collect_sql;
	char	   *write_sql;
	CellColumns *columns;

	if (cell_trigger_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CellTriggerPlans);
		cell_trigger_plans = hash_create("sqii cell trigger plans", 16, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	plans = (CellTriggerPlans *) hash_search(cell_trigger_plans, &trigger->tgoid, HASH_FIND, NULL);
	if (plans != NULL && strcmp(plans->collect_sql, trigger->tgargs[1]) == 0 &&
		strcmp(plans->write_sql, trigger->tgargs[2]) == 0)
		return plans;
	if (plans != NULL)
	{
		/* A new trigger with the OID of a dropped one. */
		MemoryContextDelete(plans->mcxt);
		if (plans->collect != NULL)
			SPI_freeplan(plans->collect);
		if (plans->write != NULL)
			SPI_freeplan(plans->write);
		if (plans->cleanup != NULL)
			SPI_freeplan(plans->cleanup);
		hash_search(cell_trigger_plans, &trigger->tgoid, HASH_REMOVE, NULL);
	}
	/* Filled first, kept once filled: an error on the way leaves nothing behind. */
	mcxt = AllocSetContextCreate(CurrentMemoryContext, "sqii cell trigger", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(mcxt);
	collect_sql = pstrdup(trigger->tgargs[1]);
	write_sql = pstrdup(trigger->tgargs[2]);
	columns = DefinitionColumns(trigger->tgargs[0]);
	MemoryContextSwitchTo(old);
	MemoryContextSetParent(mcxt, TopMemoryContext);
	plans = (CellTriggerPlans *) hash_search(cell_trigger_plans, &trigger->tgoid, HASH_ENTER, NULL);
	plans->mcxt = mcxt;
	plans->collect_sql = collect_sql;
	plans->write_sql = write_sql;
	plans->columns = columns;
	plans->collect = NULL;
	plans->write = NULL;
	plans->nwrite_args = 0;
	plans->cleanup = NULL;
	return plans;
}

PG_FUNCTION_INFO_V1(sqii_cells_trigger);
/*
 * The statement trigger that keeps a cell table equal to its students.  Its
 * arguments, written by sqii.create_cells: the cell table's definition (read
 * by the other functions), then the query of the change, the write and the
 * cleanup (sqii.cell_collect_sql, sqii.cell_write_sql,
 * sqii.cell_cleanup_sql); for TRUNCATE, the statement that empties the cells
 * and two empty strings.
 */
Datum
sqii_cells_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *trigger;
	CellTriggerPlans *plans;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sqii.cells_trigger must be called as an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("Create maintained cells with sqii.create_cells, which creates the triggers.")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs != 4)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sqii.cells_trigger takes four arguments"),
				 errhint("Create maintained cells with sqii.create_cells, which creates the triggers.")));
	plans = TriggerPlans(trigger);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		RunWriteStatement(&plans->collect, trigger->tgargs[1], 0, NULL, NULL, NULL);
	else
	{
		if (!ApplyTransitionTables(fcinfo->flinfo->fn_oid, plans, trigdata))
		{
			if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
				elog(ERROR, "SPI_register_trigger_data failed");
			ApplyChange(fcinfo->flinfo->fn_oid, plans, trigger->tgargs[1], trigger->tgargs[2], trigger->tgargs[3]);
		}
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}
