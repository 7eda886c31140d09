/*
 * canary.c
 *	  A planted error for test/valgrind/run-valgrind: a branch on palloc'd
 *	  memory that was never written.  The run fails unless valgrind reports
 *	  it, so "no error involves sqii" cannot come from a server that was not
 *	  really running under valgrind.  Built with -O0 so the branch stays.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(sqii_valgrind_canary);
Datum
sqii_valgrind_canary(PG_FUNCTION_ARGS)
{
	volatile int *never_written = palloc(sizeof(int) * 4);
	bool		result = false;

	if (never_written[1] > 0)
		result = true;
	PG_RETURN_BOOL(result);
}
