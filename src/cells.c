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
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "sqii.h"

/* The largest whole number below which every double sum is exact. */
#define CELL_EXACT_LIMIT	9007199254740992.0	/* 2^53 */

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
 * cell + added - removed into result (each of the three may be NULL: no
 * value); false when nothing is left.  An error when removed is not in the
 * cell: the cells are out of step with their students.
 */
static bool
CellApply(const Tally *cell, const Tally *added, const Tally *removed, Tally *result)
{
	TallyAccum	acc = {0};
	Tally		total;

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

/* Element [bit][j] of a one-pass result, or NULL. */
static inline const Tally *
GroupElement(const GroupResult *r, int bit, int j)
{
	int			k = bit * r->width + j;

	if (bit >= r->nbits || r->nulls[k])
		return NULL;
	return DatumGetTallyP(r->elems[k]);
}

PG_FUNCTION_INFO_V1(sqii_cell_apply_groups);
/*
 * sqii.cell_apply_groups(cells, added, removed): a unit's stored one-pass
 * result (sqii.tallies_by_group: [group bit + 1][value], value 1 counting
 * the students) after a change, group by group and value by value as
 * sqii.cell_apply.  A group left without students has no tallies, trailing
 * empty groups are trimmed, and a unit left without students is NULL: the
 * result is what a full recomputation gives.
 */
Datum
sqii_cell_apply_groups(PG_FUNCTION_ARGS)
{
	const char *caller = "sqii.cell_apply_groups";
	GroupResult in[3] = {{0}};
	int			width = 0;
	int			nbits = 0;
	int			kept = 0;
	int			i;
	int			bit;
	Datum	   *elems;
	bool	   *nulls;
	Tally	   *results;

	for (i = 0; i < 3; i++)
	{
		if (PG_ARGISNULL(i))
			continue;
		ReadGroupResult(PG_GETARG_ARRAYTYPE_P(i), caller, false, &in[i]);
		if (in[i].nbits == 0)
			continue;
		if (width != 0 && in[i].width != width)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s needs results of the same values", caller),
					 errdetail("The arguments have %d and %d values per group.", width, in[i].width)));
		width = in[i].width;
		nbits = Max(nbits, in[i].nbits);
	}
	if (nbits == 0)
		PG_RETURN_NULL();

	elems = palloc(sizeof(Datum) * nbits * width);
	nulls = palloc(sizeof(bool) * nbits * width);
	results = palloc(sizeof(Tally) * nbits * width);
	for (bit = 0; bit < nbits; bit++)
	{
		bool		students = false;
		int			j;

		for (j = 0; j < width; j++)
		{
			int			k = bit * width + j;
			bool		value = CellApply(GroupElement(&in[0], bit, j), GroupElement(&in[1], bit, j),
										  GroupElement(&in[2], bit, j), &results[k]);

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
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 2, (int[]) {kept, width}, (int[]) {1, 1},
											 in[0].nbits > 0 ? in[0].elemtype :
											 in[1].nbits > 0 ? in[1].elemtype : in[2].elemtype,
											 sizeof(Tally), false, TYPALIGN_DOUBLE));
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
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 2, (int[]) {kept, width}, (int[]) {1, 1},
											 change.elemtype, change.typlen, change.typbyval,
											 change.typalign));
}

PG_FUNCTION_INFO_V1(sqii_cell_in_step);
/*
 * A unit row as a change wrote it: the column that carries the removed
 * students' tallies into ON CONFLICT DO UPDATE is left NULL by the update.
 * A row inserted with removed tallies means the change removed students from
 * a unit that has no row: the cells are out of step.
 */
Datum
sqii_cell_in_step(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0))
		ReportOutOfStep();
	PG_RETURN_BOOL(true);
}

PG_FUNCTION_INFO_V1(sqii_cell_value);
/*
 * A student value as the whole number a cell stores: x * 10^decimals, which
 * must be a whole number below 2^53 (x must be the double nearest to a
 * number with that many decimal places).  Sums of such numbers are exact, so
 * adding and removing them never drifts.
 */
Datum
sqii_cell_value(PG_FUNCTION_ARGS)
{
	float8		x = PG_GETARG_FLOAT8(0);
	int32		decimals = PG_GETARG_INT32(1);
	float8		scale;
	float8		scaled;

	CheckDecimals(decimals);
	TallyCheckValue(x);
	scale = pow(10.0, decimals);	/* exact for 10^0 .. 10^6 */
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
	PG_RETURN_FLOAT8(scaled);
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
	scale = pow(10.0, decimals);
	t->n = scaled->n;
	t->sum = scaled->sum / scale;
	t->sumsq = scaled->sumsq / (scale * scale);
	CheckTally(t);
	PG_RETURN_TALLY_P(t);
}

/*
 * The prepared statements of each cell trigger, kept for the session: the
 * change statement (an INSERT ... ON CONFLICT DO UPDATE over the transition
 * tables) and the deletion of the cells it emptied, by ctid.  Planning them
 * on every statement would cost more than applying a small change.
 */
typedef struct CellTriggerPlans
{
	Oid			tgoid;			/* hash key */
	char	   *apply_sql;		/* the statement the plans were made for */
	SPIPlanPtr	apply;
	SPIPlanPtr	cleanup;
} CellTriggerPlans;

static HTAB *cell_trigger_plans = NULL;

static SPIPlanPtr
CellTriggerPlan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for a cell trigger statement: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed for a cell trigger statement");
		*slot = plan;
	}
	return *slot;
}

/*
 * Run the change statement, then delete the cells it emptied: it returns
 * (cells written, ctids of the cells left without students).
 */
static void
CellTriggerRun(CellTriggerPlans *plans, const char *apply_sql, const char *cleanup_sql)
{
	Oid			tid_array = TIDARRAYOID;
	Datum		emptied = (Datum) 0;
	bool		isnull = true;
	int			ret;

	ret = SPI_execute_plan(CellTriggerPlan(&plans->apply, apply_sql, 0, NULL), NULL, NULL, false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute_plan failed for a cell trigger statement: %s",
			 SPI_result_code_string(ret));
	if (cleanup_sql[0] == '\0')
		return;
	if (ret == SPI_OK_SELECT && SPI_processed == 1 && SPI_tuptable->tupdesc->natts == 2)
		emptied = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (isnull)
		return;
	ret = SPI_execute_plan(CellTriggerPlan(&plans->cleanup, cleanup_sql, 1, &tid_array),
						   &emptied, NULL, false, 0);
	if (ret < 0)
		elog(ERROR, "SPI_execute_plan failed for a cell trigger statement: %s",
			 SPI_result_code_string(ret));
}

PG_FUNCTION_INFO_V1(sqii_cells_trigger);
/*
 * The statement trigger that keeps a cell table equal to its students.  Its
 * arguments, written by sqii.create_cells: the cell table's definition (read
 * by the other functions), the statement that applies this event's change,
 * and the statement that deletes the cells it emptied.
 */
Datum
sqii_cells_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *trigger;
	CellTriggerPlans *plans;
	bool		found;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sqii.cells_trigger must be called as an AFTER ... FOR EACH STATEMENT trigger"),
				 errhint("Create maintained cells with sqii.create_cells, which creates the triggers.")));
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs != 3)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sqii.cells_trigger takes three arguments"),
				 errhint("Create maintained cells with sqii.create_cells, which creates the triggers.")));

	if (cell_trigger_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CellTriggerPlans);
		cell_trigger_plans = hash_create("sqii cell trigger plans", 16, &ctl,
										 HASH_ELEM | HASH_BLOBS);
	}
	plans = (CellTriggerPlans *) hash_search(cell_trigger_plans, &trigger->tgoid, HASH_ENTER, &found);
	if (found && strcmp(plans->apply_sql, trigger->tgargs[1]) != 0)
	{
		/* A new trigger with the OID of a dropped one: forget its plans. */
		pfree(plans->apply_sql);
		if (plans->apply != NULL)
			SPI_freeplan(plans->apply);
		if (plans->cleanup != NULL)
			SPI_freeplan(plans->cleanup);
		found = false;
	}
	if (!found)
	{
		plans->apply_sql = MemoryContextStrdup(TopMemoryContext, trigger->tgargs[1]);
		plans->apply = NULL;
		plans->cleanup = NULL;
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	CellTriggerRun(plans, trigger->tgargs[1], trigger->tgargs[2]);
	SPI_finish();
	return PointerGetDatum(NULL);
}
