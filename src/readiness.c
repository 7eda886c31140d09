/*
 * readiness.c
 *	  High-school readiness of an 8th grader (CORE): GPA >= 2.5, attendance
 *	  >= 96%, no D or F in ELA or math, and not suspended.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "sqii.h"

#define READY_GPA			2.5
#define READY_ATTENDANCE	96.0	/* percent of the days enrolled */

/* The three-valued AND of the conditions: false wins over unknown. */
typedef enum Truth
{
	TRUTH_FALSE,
	TRUTH_UNKNOWN,
	TRUTH_TRUE
} Truth;

static inline Truth
TruthAnd(Truth a, Truth b)
{
	return Min(a, b);
}

/*
 * A letter grade A, B, C, D or F, with an optional + or -, in either case:
 * true when it is a D or an F.
 */
static bool
GradeIsDOrF(text *grade)
{
	const char *s = VARDATA_ANY(grade);
	int			len = VARSIZE_ANY_EXHDR(grade);
	char		letter = len >= 1 ? toupper((unsigned char) s[0]) : '\0';

	if (len < 1 || len > 2 || strchr("ABCDF", letter) == NULL || letter == '\0' ||
		(len == 2 && s[1] != '+' && s[1] != '-'))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a course grade must be a letter grade"),
				 errhint("Pass A, B, C, D or F, optionally followed by + or -; NULL when the student has no grade.")));
	return letter == 'D' || letter == 'F';
}

PG_FUNCTION_INFO_V1(sqii_hs_ready);
/*
 * sqii.hs_ready(gpa, attendance_rate, ela_grade, math_grade, suspended):
 * true when every condition holds, false when one fails, NULL when none
 * fails but one is unknown (NULL), as SQL's AND.  attendance_rate is a
 * percent of the days enrolled.
 */
Datum
sqii_hs_ready(PG_FUNCTION_ARGS)
{
	Truth		ready = TRUTH_TRUE;
	int			i;

	if (PG_ARGISNULL(0))
		ready = TruthAnd(ready, TRUTH_UNKNOWN);
	else
	{
		float8		gpa = PG_GETARG_FLOAT8(0);

		if (!(gpa >= 0) || isinf(gpa))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a GPA must be a finite number of at least 0")));
		ready = TruthAnd(ready, gpa >= READY_GPA ? TRUTH_TRUE : TRUTH_FALSE);
	}
	if (PG_ARGISNULL(1))
		ready = TruthAnd(ready, TRUTH_UNKNOWN);
	else
	{
		float8		rate = PG_GETARG_FLOAT8(1);

		if (!(rate >= 0 && rate <= 100))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an attendance rate must be between 0 and 100"),
					 errhint("Pass the percent of the days enrolled the student attended (96, not 0.96).")));
		ready = TruthAnd(ready, rate >= READY_ATTENDANCE ? TRUTH_TRUE : TRUTH_FALSE);
	}
	for (i = 2; i <= 3; i++)
	{
		if (PG_ARGISNULL(i))
			ready = TruthAnd(ready, TRUTH_UNKNOWN);
		else
			ready = TruthAnd(ready, GradeIsDOrF(PG_GETARG_TEXT_PP(i)) ? TRUTH_FALSE : TRUTH_TRUE);
	}
	if (PG_ARGISNULL(4))
		ready = TruthAnd(ready, TRUTH_UNKNOWN);
	else
		ready = TruthAnd(ready, PG_GETARG_BOOL(4) ? TRUTH_FALSE : TRUTH_TRUE);

	if (ready == TRUTH_UNKNOWN)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(ready == TRUTH_TRUE);
}
