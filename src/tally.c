/*
 * tally.c
 *	  The sqii.tally type: text and binary I/O, validation and readers.
 *
 * Text form is "(n,sum,sumsq)".  Sums are printed in the shortest form that
 * reads back to the same double, whatever extra_float_digits says, so dump and
 * restore round-trip exactly.
 */
#include "postgres.h"

#include <math.h>
#include <float.h>
#include <errno.h>
#include <ctype.h>

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "common/hashfn.h"
#include "utils/builtins.h"

#include "sqii.h"

PG_MODULE_MAGIC;

/*
 * Relative slack allowed when checking sum^2 <= n * sumsq (Cauchy-Schwarz),
 * which every real tally satisfies up to rounding of its sums.
 */
#define TALLY_CS_SLACK	1e-9

static inline void
ReportBadTally(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid sqii.tally"),
			 errdetail("%s", detail),
			 errhint("A tally is (n,sum,sumsq) with 0 <= n <= 2^53, finite sums, sumsq >= 0 and sum^2 <= n * sumsq.")));
}

/*
 * Every rule a stored tally must satisfy, checked in one place: on text and
 * binary input and on construction.
 */
void
CheckTally(const Tally *t)
{
	if (t->n < 0 || t->n > TALLY_MAX_N)
		ReportBadTally("The count is out of range.");
	if (!isfinite(t->sum) || !isfinite(t->sumsq))
		ReportBadTally("The sums must be finite numbers.");
	if (t->sumsq < 0)
		ReportBadTally("The sum of squares is negative.");
	if (t->n == 0 && (t->sum != 0 || t->sumsq != 0))
		ReportBadTally("A tally of zero values must have zero sums.");
	if (TallySumTooLarge(t->n, t->sum, t->sumsq, TALLY_CS_SLACK))
		ReportBadTally("The sum is too large for the count and the sum of squares.");
}

/*
 * Whether sum breaks Cauchy-Schwarz, sum^2 <= n * sumsq, by more than the
 * relative slack.  Squares beyond the range of a double are compared as
 * square roots.  The aggregates square each value, and the square of a tiny
 * value underflows, losing at most half of DBL_TRUE_MIN: n such losses are
 * allowed, or a tally of tiny values would not read back.
 */
bool
TallySumTooLarge(int64 n, float8 sum, float8 sumsq, float8 slack)
{
	float8		nf = (float8) n;
	float8		sum2 = sum * sum;
	float8		bound = nf * sumsq;

	if (isinf(sum2) || isinf(bound))
		return fabs(sum) > sqrt(nf) * sqrt(sumsq) * (1 + slack);
	return sum2 > bound * (1 + slack) + nf * nf * DBL_TRUE_MIN;
}

/* min_n is a number of students: zero or more. */
void
CheckMinN(int32 min_n)
{
	if (min_n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_n must not be negative"),
				 errhint("min_n is the smallest number of students a cell needs to be reported; use 0 to report every cell.")));
}

/*
 * The tally an aggregate state stands for, with its compensation folded in;
 * a count or sum out of range (the fold can overflow too) is an error.
 */
Tally *
TallyFromAccum(const TallyAccum *acc)
{
	Tally	   *t = (Tally *) palloc(sizeof(Tally));

	TallyFromAccumInto(acc, t);
	return t;
}

/* The same, into t. */
void
TallyFromAccumInto(const TallyAccum *acc, Tally *t)
{
	TallyAccumCheck(acc);
	t->n = acc->n;
	t->sum = acc->sum + acc->sum_err;
	t->sumsq = acc->sumsq + acc->sumsq_err;
	/* Rounding of the compensation cannot make a sum of squares negative. */
	if (t->sumsq < 0)
		t->sumsq = 0;
}

/*
 * Percent of true values, 0-100.  False when the cell is not reported: fewer
 * than min_n values, or no values at all.  A percent only means something for
 * a tally of true/false (0/1) values: a whole number of true values, with
 * sum equal to sumsq.
 */
bool
TallyPct(const Tally *t, int32 min_n, float8 *result)
{
	CheckMinN(min_n);
	if (t->sum != t->sumsq || t->sum < 0 || t->sum > (float8) t->n ||
		t->sum != floor(t->sum))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sqii.pct needs a tally of true/false values"),
				 errdetail("The tally's values are not all 0 or 1."),
				 errhint("Use sqii.mean() for a tally of numeric values.")));
	if (t->n == 0 || t->n < min_n)
		return false;
	*result = 100.0 * t->sum / (float8) t->n;
	return true;
}

/* Mean value; false when fewer than min_n values or none. */
bool
TallyMean(const Tally *t, int32 min_n, float8 *result)
{
	CheckMinN(min_n);
	if (t->n == 0 || t->n < min_n)
		return false;
	*result = t->sum / (float8) t->n;
	return true;
}

/*
 * Sample standard error of the mean, sqrt(s^2 / n) with the unbiased sample
 * variance s^2 = (sumsq - sum^2/n) / (n - 1).  False when fewer than min_n
 * values or fewer than two (no spread can be estimated from one value).
 */
static bool
TallyStdErr(const Tally *t, int32 min_n, float8 *result)
{
	float8		n = (float8) t->n;
	float8		ss;

	CheckMinN(min_n);
	if (t->n < 2 || t->n < min_n)
		return false;
	ss = t->sumsq - t->sum * t->sum / n;
	/* Cancellation can leave a tiny negative for constant data. */
	if (ss < 0)
		ss = 0;
	*result = sqrt(ss / (n - 1) / n);
	return true;
}

static char *
SkipSpaces(char *p)
{
	while (isspace((unsigned char) *p))
		p++;
	return p;
}

/*
 * Bad text input.  The input is not echoed: a tally of one student holds
 * that student's value, and COPY errors reach the server log.  The position
 * says where to look.
 */
static void
ReportTallySyntax(const char *input, const char *at, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type sqii.tally"),
			 errdetail("Expected %s at character %d.", expected, (int) (at - input) + 1),
			 errhint("A tally reads (n,sum,sumsq), for example (20,9,9).")));
}

/* Expect one character (after optional spaces); report bad syntax otherwise. */
static char *
ExpectChar(char *p, char c, const char *input)
{
	p = SkipSpaces(p);
	if (*p != c)
		ReportTallySyntax(input, p, psprintf("\"%c\"", c));
	return p + 1;
}

static float8
ParseFloat(char **p, const char *input)
{
	char	   *end;
	float8		v;

	errno = 0;
	v = strtod(*p, &end);

	/*
	 * strtod also reports ERANGE for subnormal results, which are finite
	 * values tally_out prints; only overflow and underflow to zero are bad.
	 */
	if (end == *p || (errno == ERANGE && (v == 0 || isinf(v))))
		ReportTallySyntax(input, *p, "a finite number");
	*p = end;
	return v;
}

PG_FUNCTION_INFO_V1(tally_in);
/* Text input: "(n,sum,sumsq)". */
Datum
tally_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	Tally	   *t = (Tally *) palloc(sizeof(Tally));
	char	   *p;
	char	   *end;

	p = ExpectChar(input, '(', input);
	p = SkipSpaces(p);
	errno = 0;
	t->n = strtoi64(p, &end, 10);
	if (end == p || errno == ERANGE)
		ReportTallySyntax(input, p, "a whole count");
	p = ExpectChar(end, ',', input);
	t->sum = ParseFloat(&p, input);
	p = ExpectChar(p, ',', input);
	t->sumsq = ParseFloat(&p, input);
	p = ExpectChar(p, ')', input);
	if (*SkipSpaces(p) != '\0')
		ReportTallySyntax(input, SkipSpaces(p), "the end after the closing parenthesis");
	CheckTally(t);
	PG_RETURN_TALLY_P(t);
}

PG_FUNCTION_INFO_V1(tally_out);
/* Text output in the shortest exact form. */
Datum
tally_out(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	char		sum[DOUBLE_SHORTEST_DECIMAL_LEN];
	char		sumsq[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(t->sum, sum);
	double_to_shortest_decimal_buf(t->sumsq, sumsq);
	PG_RETURN_CSTRING(psprintf("(" INT64_FORMAT ",%s,%s)", t->n, sum, sumsq));
}

PG_FUNCTION_INFO_V1(tally_recv);
/* Binary input (COPY BINARY, binary protocol). */
Datum
tally_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Tally	   *t = (Tally *) palloc(sizeof(Tally));

	t->n = pq_getmsgint64(buf);
	t->sum = pq_getmsgfloat8(buf);
	t->sumsq = pq_getmsgfloat8(buf);
	CheckTally(t);
	PG_RETURN_TALLY_P(t);
}

PG_FUNCTION_INFO_V1(tally_send);
/* Binary output. */
Datum
tally_send(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, t->n);
	pq_sendfloat8(&buf, t->sum);
	pq_sendfloat8(&buf, t->sumsq);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(tally_make);
/* sqii.make_tally(n, sum, sumsq): build a tally from published parts. */
Datum
tally_make(PG_FUNCTION_ARGS)
{
	Tally	   *t = (Tally *) palloc(sizeof(Tally));

	t->n = PG_GETARG_INT64(0);
	t->sum = PG_GETARG_FLOAT8(1);
	t->sumsq = PG_GETARG_FLOAT8(2);
	CheckTally(t);
	PG_RETURN_TALLY_P(t);
}

PG_FUNCTION_INFO_V1(tally_n);
/* sqii.n(t): number of non-NULL student values. */
Datum
tally_n(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_TALLY_P(0)->n);
}

PG_FUNCTION_INFO_V1(tally_sum);
/* sqii.sum(t): sum of the values (number of true values for booleans). */
Datum
tally_sum(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_TALLY_P(0)->sum);
}

PG_FUNCTION_INFO_V1(tally_sumsq);
/* sqii.sumsq(t): sum of the squared values. */
Datum
tally_sumsq(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_TALLY_P(0)->sumsq);
}

PG_FUNCTION_INFO_V1(tally_pct);
/* sqii.pct(t, min_n): percent true, NULL below min_n. */
Datum
tally_pct(PG_FUNCTION_ARGS)
{
	float8		result;

	if (!TallyPct(PG_GETARG_TALLY_P(0), PG_GETARG_INT32(1), &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(tally_mean);
/* sqii.mean(t, min_n): mean, NULL below min_n. */
Datum
tally_mean(PG_FUNCTION_ARGS)
{
	float8		result;

	if (!TallyMean(PG_GETARG_TALLY_P(0), PG_GETARG_INT32(1), &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(tally_se);
/* sqii.se(t, min_n): standard error of the mean, NULL below min_n or n < 2. */
Datum
tally_se(PG_FUNCTION_ARGS)
{
	float8		result;

	if (!TallyStdErr(PG_GETARG_TALLY_P(0), PG_GETARG_INT32(1), &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(tally_pct_se);
/* sqii.pct_se(t, min_n): standard error of a percent, in percentage points. */
Datum
tally_pct_se(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	int32		min_n = PG_GETARG_INT32(1);
	float8		pct;
	float8		result;

	/* TallyPct checks that the tally holds true/false values. */
	if (!TallyPct(t, min_n, &pct) || !TallyStdErr(t, min_n, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(100.0 * result);
}

PG_FUNCTION_INFO_V1(tally_add);
/* a + b: the tally of both sets of students (merge of two). */
Datum
tally_add(PG_FUNCTION_ARGS)
{
	Tally	   *a = PG_GETARG_TALLY_P(0);
	Tally	   *b = PG_GETARG_TALLY_P(1);
	TallyAccum	acc = {0};

	TallyAccumAddTally(&acc, a);
	TallyAccumAddTally(&acc, b);
	PG_RETURN_TALLY_P(TallyFromAccum(&acc));
}

static inline void
ReportNotPartOf(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("sqii.tally subtraction needs a part of the total"),
			 errdetail("The subtracted tally has more students or larger sums than the total."),
			 errhint("Subtract a group's tally from the tally of all students that contains it.")));
}

/*
 * Relative tolerance when checking a difference: the operands' sums carry
 * rounding of this order, which cancellation can expose in the result.
 */
#define TALLY_SUB_SLACK 1e-12

/*
 * total - part into *result: the tally of the students in total but not in
 * part.  Rounding residue of fractional data is cleaned up; anything larger
 * means part was not contained in total, and the result is false.
 */
bool
TallyComplement(const Tally *total, const Tally *part, Tally *result)
{
	Tally	   *t = result;

	/* Scaled term by term: total->sumsq + part->sumsq may overflow. */
	float8		sumsq_tol = TALLY_SUB_SLACK * total->sumsq + TALLY_SUB_SLACK * part->sumsq;
	float8		sum_tol = TALLY_SUB_SLACK * fabs(total->sum) + TALLY_SUB_SLACK * fabs(part->sum);

	if (part->n > total->n)
		return false;
	t->n = total->n - part->n;
	t->sum = total->sum - part->sum;
	t->sumsq = total->sumsq - part->sumsq;
	/* The rest of a total cannot sum beyond the range the total holds. */
	if (!isfinite(t->sum))
		return false;

	if (t->sumsq < 0)
	{
		if (t->sumsq < -sumsq_tol)
			return false;
		t->sumsq = 0;
	}
	if (t->n == 0)
	{
		if (fabs(t->sum) > sum_tol || t->sumsq > sumsq_tol)
			return false;
		t->sum = 0;
		t->sumsq = 0;
	}
	else if (TallySumTooLarge(t->n, t->sum, t->sumsq, 0))
	{
		int			steps;

		/* Cauchy-Schwarz: a small excess is rounding, a large one an error. */
		if (TallySumTooLarge(t->n, t->sum, t->sumsq + sumsq_tol, 0))
			return false;
		t->sumsq = (t->sum / (float8) t->n) * t->sum;

		/*
		 * Near the subnormal range sum^2 / n keeps only a few bits: step up
		 * until the result passes CheckTally's test (a few ulps at most).
		 */
		for (steps = 0; steps < 64 && TallySumTooLarge(t->n, t->sum, t->sumsq, 0); steps++)
			t->sumsq = nextafter(t->sumsq, DBL_MAX);
	}
	CheckTally(t);
	return true;
}

PG_FUNCTION_INFO_V1(tally_sub);
/*
 * total - part: the tally of the students in total but not in part, e.g. all
 * students minus English learners gives everyone else, without a rescan.
 */
Datum
tally_sub(PG_FUNCTION_ARGS)
{
	Tally	   *t = (Tally *) palloc(sizeof(Tally));

	if (!TallyComplement(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1), t))
		ReportNotPartOf();
	PG_RETURN_TALLY_P(t);
}

/*
 * Comparison: by n, then sum, then sum of squares.  Not a ranking of cells,
 * only what GROUP BY, DISTINCT, UNION and sorting need.
 */
static int
TallyCompare(const Tally *a, const Tally *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	if (a->sum != b->sum)
		return a->sum < b->sum ? -1 : 1;
	if (a->sumsq != b->sumsq)
		return a->sumsq < b->sumsq ? -1 : 1;
	return 0;
}

PG_FUNCTION_INFO_V1(tally_cmp);
/* btree support: -1, 0, 1. */
Datum
tally_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)));
}

PG_FUNCTION_INFO_V1(tally_eq);
Datum
tally_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)) == 0);
}

PG_FUNCTION_INFO_V1(tally_ne);
Datum
tally_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)) != 0);
}

PG_FUNCTION_INFO_V1(tally_lt);
Datum
tally_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)) < 0);
}

PG_FUNCTION_INFO_V1(tally_le);
Datum
tally_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)) <= 0);
}

PG_FUNCTION_INFO_V1(tally_gt);
Datum
tally_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)) > 0);
}

PG_FUNCTION_INFO_V1(tally_ge);
Datum
tally_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(TallyCompare(PG_GETARG_TALLY_P(0), PG_GETARG_TALLY_P(1)) >= 0);
}

PG_FUNCTION_INFO_V1(tally_hash);
/* hash support, consistent with tally_eq: -0 and +0 hash alike. */
Datum
tally_hash(PG_FUNCTION_ARGS)
{
	Tally	   *t = PG_GETARG_TALLY_P(0);
	Tally		key;

	key.n = t->n;
	key.sum = t->sum == 0 ? 0 : t->sum;
	key.sumsq = t->sumsq == 0 ? 0 : t->sumsq;
	return hash_any((unsigned char *) &key, sizeof(Tally));
}
