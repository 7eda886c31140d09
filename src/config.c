/*
 * config.c
 *	  Configuration tables: reading them, and telling the extension's own rows
 *	  from a district's.
 *
 * Every C function that needs sqii's configuration (the student groups, the
 * SQII models) reads it here, with ConfigRead: one read-only query over the
 * tables of the schema the calling function lives in, one callback per row.
 * Callers keep what they read for the rest of the query (in fn_extra), so a
 * change to the tables is seen by the next query.
 *
 * Shipped rows are written by sqii's install and update scripts; every other
 * write is the district's and must survive pg_dump (see the triggers in
 * sql/sqii--0.1--0.2.sql).  Only the backend knows whether a script is
 * running, so the check is in C: a session setting could be forged.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "sqii.h"

/*
 * The query with each "@extschema@" replaced by the quoted name of the schema
 * of function fn_oid (sqii's own schema, wherever it was installed).
 */
static char *
QueryInSchema(Oid fn_oid, const char *query)
{
	const char *placeholder = "@extschema@";
	size_t		plen = strlen(placeholder);
	char	   *schema = get_namespace_name(get_func_namespace(fn_oid));
	const char *qschema;
	StringInfoData sql;
	const char *p;

	if (schema == NULL)
		elog(ERROR, "could not find the schema of function %u", fn_oid);
	qschema = quote_identifier(schema);
	initStringInfo(&sql);
	for (p = query; *p != '\0';)
	{
		if (strncmp(p, placeholder, plen) == 0)
		{
			appendStringInfoString(&sql, qschema);
			p += plen;
		}
		else
			appendStringInfoChar(&sql, *p++);
	}
	return sql.data;
}

/*
 * Plans of the configuration queries, prepared once per session and kept (the
 * plan cache replans them when the tables change): a statement trigger reads
 * the group tables for every statement, where parsing and planning the query
 * would cost more than the change itself.  A plan is found by the query (a
 * literal of its caller, so its address) and the schema it was made for.
 */
#define MAX_CONFIG_PLANS 16

typedef struct ConfigPlan
{
	const char *query;
	Oid			schema;
	SPIPlanPtr	plan;
} ConfigPlan;

static ConfigPlan config_plans[MAX_CONFIG_PLANS];
static int	nconfig_plans = 0;

/* The plan of a configuration query in the schema of fn_oid, with SPI connected. */
static SPIPlanPtr
ConfigPlanFor(Oid fn_oid, const char *query, int nargs, Oid *argtypes)
{
	Oid			schema = get_func_namespace(fn_oid);
	char	   *sql;
	SPIPlanPtr	plan;
	int			i;

	for (i = 0; i < nconfig_plans; i++)
	{
		if (config_plans[i].query == query && config_plans[i].schema == schema)
			return config_plans[i].plan;
	}
	sql = QueryInSchema(fn_oid, query);
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare a query of sqii's configuration: %s",
			 SPI_result_code_string(SPI_result));
	pfree(sql);
	/* Past the cache's size a plan serves this call only (SPI frees it). */
	if (nconfig_plans < MAX_CONFIG_PLANS && SPI_keepplan(plan) == 0)
	{
		config_plans[nconfig_plans].query = query;
		config_plans[nconfig_plans].schema = schema;
		config_plans[nconfig_plans].plan = plan;
		nconfig_plans++;
	}
	return plan;
}

/*
 * Run a query over sqii's configuration tables with text parameters $1 ..
 * $nparams (NULL entries are SQL NULLs).  An error while the query runs is
 * reported without the query text as its context: the query is sqii's, not
 * the user's, and the message says what went wrong (permission denied for a
 * table, a constraint violated).
 */
static void
ConfigExecute(Oid fn_oid, const char *query, int nargs, Oid *argtypes, Datum *values,
			  const char *nulls, bool read_only, ConfigRowCallback callback, void *arg)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	int			rc = 0;
	uint64		row;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PG_TRY();
	{
		rc = SPI_execute_plan(ConfigPlanFor(fn_oid, query, nargs, argtypes), values, nulls, read_only, 0);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		edata->context = NULL;
		edata->internalquery = NULL;
		edata->internalpos = 0;
		ReThrowError(edata);
	}
	PG_END_TRY();
	if (rc < 0 || (read_only && rc != SPI_OK_SELECT))
		elog(ERROR, "could not read sqii configuration: %s", SPI_result_code_string(rc));
	if (callback != NULL)
	{
		for (row = 0; row < SPI_processed; row++)
			callback(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, arg);
	}
	SPI_finish();
}

/*
 * Run a read-only query over sqii's configuration tables and call callback
 * for each row, with SPI connected (callbacks copy what they keep into their
 * own memory context: SPI's is freed on return).  The query names sqii's
 * tables as @extschema@.table and may use one text parameter, $1 (param; NULL
 * for none).  It runs under the caller's search_path, so it must qualify its
 * operators (OPERATOR(pg_catalog.=)).  The query must be a string literal:
 * its plan is kept for the session and found again by the query's address.
 */
void
ConfigRead(Oid fn_oid, const char *query, const char *param,
		   ConfigRowCallback callback, void *arg)
{
	ConfigReadParams(fn_oid, query, param == NULL ? 0 : 1, &param, callback, arg);
}

/* ConfigRead with several text parameters $1 .. $nparams (NULL: SQL NULL). */
void
ConfigReadParams(Oid fn_oid, const char *query, int nparams, const char *const *params,
				 ConfigRowCallback callback, void *arg)
{
	Oid		   *argtypes = palloc(sizeof(Oid) * Max(1, nparams));
	Datum	   *values = palloc(sizeof(Datum) * Max(1, nparams));
	char	   *nulls = palloc(Max(1, nparams));
	int			i;

	for (i = 0; i < nparams; i++)
	{
		argtypes[i] = TEXTOID;
		values[i] = params[i] == NULL ? (Datum) 0 : CStringGetTextDatum(params[i]);
		nulls[i] = params[i] == NULL ? 'n' : ' ';
	}
	ConfigExecute(fn_oid, query, nparams, argtypes, values, nulls, true, callback, arg);
}

/*
 * Write to sqii's configuration tables: a query with parameters of the given
 * types (nulls as for SPI_execute_with_args).
 */
void
ConfigWrite(Oid fn_oid, const char *query, int nargs, Oid *argtypes, Datum *values,
			const char *nulls)
{
	ConfigExecute(fn_oid, query, nargs, argtypes, values, nulls, false, NULL, NULL);
}

/* Column col (1-based) of a configuration row as a string in mcxt; NULL for NULL. */
char *
ConfigText(HeapTuple tuple, TupleDesc desc, int col, MemoryContext mcxt)
{
	char	   *value = SPI_getvalue(tuple, desc, col);

	return value == NULL ? NULL : MemoryContextStrdup(mcxt, value);
}

/* Column col of a configuration row as a Datum; *isnull says whether it is NULL. */
Datum
ConfigDatum(HeapTuple tuple, TupleDesc desc, int col, bool *isnull)
{
	return SPI_getbinval(tuple, desc, col, isnull);
}

PG_FUNCTION_INFO_V1(sqii_in_extension_script);
/*
 * sqii.in_extension_script(): true while CREATE or ALTER EXTENSION runs one of
 * sqii's own scripts (not another extension's).
 */
Datum
sqii_in_extension_script(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(creating_extension &&
				   CurrentExtensionObject == get_extension_oid("sqii", true));
}
