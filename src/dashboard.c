/*
 * dashboard.c
 *	  Rounding as the California School Dashboard does it.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"


/* Enough decimals for any reported rate or mean; more would only show noise. */
#define ROUND_MAX_DIGITS 10

PG_FUNCTION_INFO_V1(sqii_round_half_up);
/*
 * sqii.round_half_up(x, digits): half away from zero, as SAS and spreadsheet
 * ROUND do.  The double is first read at 15 significant digits (DBL_DIG), the
 * precision it reliably holds, so 100 * 7 / 2000 = 0.34999999999999997 rounds
 * as 0.35 to 0.4 rather than to 0.3.
 */
Datum
sqii_round_half_up(PG_FUNCTION_ARGS)
{
	float8		x = PG_GETARG_FLOAT8(0);
	int32		digits = PG_GETARG_INT32(1);
	char		buf[64];
	Datum		num;

	if (!isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sqii.round_half_up needs a finite number")));
	if (digits < 0 || digits > ROUND_MAX_DIGITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("digits must be between 0 and %d", ROUND_MAX_DIGITS)));
	snprintf(buf, sizeof(buf), "%.*g", DBL_DIG, x);
	num = DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, num, Int32GetDatum(digits)));
}
