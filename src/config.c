/*
 * config.c
 *	  Configuration tables: telling the extension's own rows from a district's.
 *
 * Shipped rows are written by sqii's install and update scripts; every other
 * write is the district's and must survive pg_dump (see the triggers in
 * sql/sqii--0.1--0.2.sql).  Only the backend knows whether a script is
 * running, so the check is in C: a session setting could be forged.
 */
#include "postgres.h"

#include "commands/extension.h"
#include "fmgr.h"

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
