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
 * Run a read-only query over sqii's configuration tables and call callback
 * for each row, with SPI connected (callbacks copy what they keep into their
 * own memory context: SPI's is freed on return).  The query names sqii's
 * tables as @extschema@.table and may use one text parameter, $1 (param; NULL
 * for none).  It runs under the caller's search_path, so it must qualify its
 * operators (OPERATOR(pg_catalog.=)).
 */
void
ConfigRead(Oid fn_oid, const char *query, const char *param,
		   ConfigRowCallback callback, void *arg)
{
	char	   *sql = QueryInSchema(fn_oid, query);
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	int			rc;
	uint64		i;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (param != NULL)
	{
		values[0] = CStringGetTextDatum(param);
		rc = SPI_execute_with_args(sql, 1, argtypes, values, NULL, true, 0);
	}
	else
		rc = SPI_execute(sql, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read sqii configuration: %s", SPI_result_code_string(rc));
	for (i = 0; i < SPI_processed; i++)
		callback(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, arg);
	SPI_finish();
	pfree(sql);
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
