/*
 * fuzz_common.c
 *	  Helpers shared by the sqii libFuzzer harnesses.
 */
#include "fuzz_common.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"

/* Harness-side printing uses the C library (PostgreSQL's snprintf has no %a). */
#undef snprintf
#undef fprintf
#undef vfprintf

static AggState fake_agg_state = {.ss.ps.type = T_AggState};
Node	   *fuzz_agg_node = (Node *) &fake_agg_state;

const char *
fuzz_sqlstate(int sqlerrcode)
{
	static char buf[6];
	int			i;

	for (i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sqlerrcode);
		sqlerrcode >>= 6;
	}
	buf[5] = '\0';
	return buf;
}

void
fuzz_fail(const char *what,...)
{
	va_list		ap;

	fprintf(stderr, "\n==== sqii fuzz finding: ");
	va_start(ap, what);
	vfprintf(stderr, what, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (fuzz_error.elevel != 0)
		fprintf(stderr, "     last error: %s %s (%s:%d %s)\n       detail: %s\n       hint: %s\n",
				fuzz_sqlstate(fuzz_error.sqlerrcode), fuzz_error.message,
				fuzz_error.filename ? fuzz_error.filename : "?", fuzz_error.lineno,
				fuzz_error.funcname ? fuzz_error.funcname : "?",
				fuzz_error.detail, fuzz_error.hint);
	abort();
}

bool
fuzz_call(PGFunction fn, FmgrInfo *flinfo, Node *context, int nargs,
		  const NullableDatum *args, Datum *result, bool *isnull)
{
	return fuzz_call_rs(fn, flinfo, context, NULL, nargs, args, result, isnull);
}

bool
fuzz_call_rs(PGFunction fn, FmgrInfo *flinfo, Node *context, Node *resultinfo, int nargs,
			 const NullableDatum *args, Datum *result, bool *isnull)
{
	LOCAL_FCINFO(fcinfo, FUZZ_MAX_ARGS);
	sigjmp_buf	jb;
	sigjmp_buf *save = fuzz_error_jmp;
	Datum		r;
	int			i;

	if (nargs > FUZZ_MAX_ARGS)
		abort();
	InitFunctionCallInfoData(*fcinfo, flinfo, nargs, InvalidOid, context, resultinfo);
	for (i = 0; i < nargs; i++)
		fcinfo->args[i] = args[i];
	fuzz_error_jmp = &jb;
	if (sigsetjmp(jb, 0) != 0)
	{
		fuzz_error_jmp = save;
		fuzz_check_error_sane();
		return false;
	}
	r = fn(fcinfo);
	fuzz_error_jmp = save;
	*result = r;
	*isnull = fcinfo->isnull;
	return true;
}

bool
fuzz_try(void (*fn) (void *), void *arg)
{
	sigjmp_buf	jb;
	sigjmp_buf *save = fuzz_error_jmp;

	fuzz_error_jmp = &jb;
	if (sigsetjmp(jb, 0) != 0)
	{
		fuzz_error_jmp = save;
		fuzz_check_error_sane();
		return false;
	}
	fn(arg);
	fuzz_error_jmp = save;
	return true;
}

void
fuzz_flinfo_init(FmgrInfo *flinfo, PGFunction fn, int nargs)
{
	memset(flinfo, 0, sizeof(*flinfo));
	flinfo->fn_addr = fn;
	flinfo->fn_oid = 90100;
	flinfo->fn_nargs = nargs;
	flinfo->fn_strict = false;
	flinfo->fn_mcxt = CurrentMemoryContext;
}

bool
fuzz_call_srf(PGFunction fn, FmgrInfo *flinfo, int nargs, const NullableDatum *args,
			  TupleDesc result_desc, FuzzRows *rows)
{
	ReturnSetInfo rsinfo;
	Datum		r;
	bool		isnull;

	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.expectedDesc = result_desc;
	rsinfo.allowedModes = SFRM_ValuePerCall | SFRM_Materialize;
	rsinfo.returnMode = SFRM_ValuePerCall;
	rsinfo.isDone = ExprSingleResult;
	if (!fuzz_call_rs(fn, flinfo, NULL, (Node *) &rsinfo, nargs, args, &r, &isnull))
		return false;
	/* execSRF.c's "table-function protocol for materialize mode was not followed" */
	FUZZ_CHECK(rsinfo.returnMode == SFRM_Materialize && rsinfo.isDone == ExprSingleResult,
			   "set-returning function: return mode %d, isDone %d",
			   (int) rsinfo.returnMode, (int) rsinfo.isDone);
	fuzz_tuplestore_rows(rsinfo.setResult, rows);
	return true;
}

Node *
fuzz_transfn_expr(int ninputs, const Oid *input_types, bool variadic)
{
	FuncExpr   *fexpr = palloc0(sizeof(FuncExpr));
	List	   *args = palloc0(offsetof(List, initial_elements) + sizeof(ListCell) * (ninputs + 1));
	int			i;

	args->type = T_List;
	args->length = args->max_length = ninputs + 1;
	args->elements = args->initial_elements;
	for (i = 0; i <= ninputs; i++)
	{
		/* make_agg_arg(): a PARAM_EXEC Param with paramid -1 */
		Param	   *param = palloc0(sizeof(Param));

		param->xpr.type = T_Param;
		param->paramkind = PARAM_EXEC;
		param->paramid = -1;
		param->paramtype = i == 0 ? INTERNALOID : input_types[i - 1];
		param->paramtypmod = -1;
		param->location = -1;
		args->elements[i].ptr_value = param;
	}
	fexpr->xpr.type = T_FuncExpr;
	fexpr->funcresulttype = INTERNALOID;
	fexpr->funcvariadic = variadic;
	fexpr->funcformat = COERCE_EXPLICIT_CALL;
	fexpr->args = args;
	fexpr->location = -1;
	return (Node *) fexpr;
}

/*
 * Every ERROR sqii raises on user input must be an ereport() with a proper
 * SQLSTATE: an elog() (XX000, "internal error") reachable from SQL input is
 * a finding, and so is an ERROR without a message.
 */
void
fuzz_check_error_sane(void)
{
	const char *state = fuzz_sqlstate(fuzz_error.sqlerrcode);

	if (fuzz_error.elevel != ERROR)
		fuzz_fail("error level %d is not ERROR", fuzz_error.elevel);
	if (fuzz_error.message[0] == '\0')
		fuzz_fail("ERROR without a message");
	if (!fuzz_error.have_errcode || strncmp(state, "XX", 2) == 0)
		fuzz_fail("internal error (elog) reachable from input: %s", fuzz_error.message);
}

double
fin_double(FuzzInput *in)
{
	static const double special[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 10.0, 100.0, -100.0,
		4.9406564584124654e-324,	/* smallest subnormal */
		2.2250738585072014e-308,	/* DBL_MIN */
		1.0e-160,				/* square underflows to a subnormal */
		1.5e-162,
		1.0e-200,				/* square underflows to 0 */
		1.3407807929942596e154, /* sqrt(DBL_MAX) */
		1.0e154, 1.0e155, 1.0e300, 1.7976931348623157e308,	/* DBL_MAX */
		9.9792015476736e291,	/* 2^970, half an ulp of DBL_MAX */
		9.9895953610111751e145, /* 2^485: its square is 2^970 */
		-1.7976931348623157e308,
		9007199254740992.0,		/* 2^53 */
		9007199254740993.0,
		94906265.62425156,		/* sqrt(2^53) */
		0.1, 0.2, 0.3, 1e-12, 1e15, 1e16,
		NAN, INFINITY, -INFINITY,
	};
	uint8		tag = fin_u8(in);

	switch (tag % 4)
	{
		case 0:
		case 1:
			/* small integer -64 .. 63 */
			return (double) ((int) (tag >> 1) - 64);
		case 2:
			return special[(tag >> 2) % lengthof(special)];
		default:
			return fin_raw_double(in);
	}
}

double
fin_finite_double(FuzzInput *in)
{
	double		d = fin_double(in);

	return isfinite(d) ? d : 0.0;
}

const char *
fuzz_tally_str(const Tally *t)
{
	static char buf[3][160];
	static int	which;

	which = (which + 1) % 3;
	snprintf(buf[which], sizeof(buf[which]), "(%lld,%a,%a)=(%lld,%.17g,%.17g)",
			 (long long) t->n, t->sum, t->sumsq, (long long) t->n, t->sum, t->sumsq);
	return buf[which];
}

static void
check_tally_cb(void *arg)
{
	CheckTally((const Tally *) arg);
}

bool
fuzz_tally_valid(const Tally *t)
{
	return fuzz_try(check_tally_cb, (void *) t);
}

void
fuzz_check_text_round_trip(const Tally *t)
{
	FmgrInfo	fl;
	NullableDatum a[3];
	Datum		out,
				back,
				out2;
	bool		isnull;

	fuzz_flinfo_init(&fl, tally_out, 1);
	a[0].value = PointerGetDatum(t);
	a[0].isnull = false;
	if (!fuzz_call(tally_out, &fl, NULL, 1, a, &out, &isnull))
		fuzz_fail("tally_out failed on %s", fuzz_tally_str(t));

	fuzz_flinfo_init(&fl, tally_in, 3);
	a[0].value = out;
	a[1].value = ObjectIdGetDatum(FUZZ_TALLY_OID);
	a[1].isnull = false;
	a[2].value = Int32GetDatum(-1);
	a[2].isnull = false;
	if (!fuzz_call(tally_in, &fl, NULL, 3, a, &back, &isnull))
		fuzz_fail("tally_in rejects tally_out's text \"%s\" of %s",
				  DatumGetCString(out), fuzz_tally_str(t));
	if (!tally_bits_equal(t, (Tally *) DatumGetPointer(back)))
		fuzz_fail("text round trip changed the bits: %s -> \"%s\" -> %s",
				  fuzz_tally_str(t), DatumGetCString(out),
				  fuzz_tally_str((Tally *) DatumGetPointer(back)));

	fuzz_flinfo_init(&fl, tally_out, 1);
	a[0].value = back;
	if (!fuzz_call(tally_out, &fl, NULL, 1, a, &out2, &isnull))
		fuzz_fail("tally_out failed on re-read tally");
	if (strcmp(DatumGetCString(out), DatumGetCString(out2)) != 0)
		fuzz_fail("tally_out is not stable: \"%s\" then \"%s\"",
				  DatumGetCString(out), DatumGetCString(out2));
}

void
fuzz_check_binary_round_trip(const Tally *t)
{
	FmgrInfo	fl;
	NullableDatum a[3];
	Datum		sent,
				back;
	bool		isnull;
	StringInfoData buf;
	bytea	   *b;

	fuzz_flinfo_init(&fl, tally_send, 1);
	a[0].value = PointerGetDatum(t);
	a[0].isnull = false;
	if (!fuzz_call(tally_send, &fl, NULL, 1, a, &sent, &isnull))
		fuzz_fail("tally_send failed on %s", fuzz_tally_str(t));
	b = (bytea *) DatumGetPointer(sent);
	if (VARSIZE(b) - VARHDRSZ != 24)
		fuzz_fail("tally_send produced %d bytes, not 24", (int) (VARSIZE(b) - VARHDRSZ));

	/* As the server hands a field to typreceive: NUL-terminated, cursor 0. */
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA(b), VARSIZE(b) - VARHDRSZ);
	fuzz_flinfo_init(&fl, tally_recv, 3);
	a[0].value = PointerGetDatum(&buf);
	a[1].value = ObjectIdGetDatum(FUZZ_TALLY_OID);
	a[1].isnull = false;
	a[2].value = Int32GetDatum(-1);
	a[2].isnull = false;
	if (!fuzz_call(tally_recv, &fl, NULL, 3, a, &back, &isnull))
		fuzz_fail("tally_recv rejects tally_send's bytes of %s", fuzz_tally_str(t));
	if (buf.cursor != buf.len)
		fuzz_fail("tally_recv left %d of %d bytes unread", buf.len - buf.cursor, buf.len);
	if (!tally_bits_equal(t, (Tally *) DatumGetPointer(back)))
		fuzz_fail("binary round trip changed the bits of %s", fuzz_tally_str(t));
}

bool
fuzz_skip(const char *id)
{
	static long skipped;
	const char *list = getenv("SQII_FUZZ_SKIP");
	const char *p;
	size_t		len = strlen(id);

	if (list == NULL)
		return false;
	for (p = strstr(list, id); p != NULL; p = strstr(p + 1, id))
	{
		if ((p == list || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
		{
			skipped++;
			if ((skipped & (skipped - 1)) == 0)
				fprintf(stderr, "sqii fuzz: skipped known finding %s (%ld skips so far)\n", id, skipped);
			return true;
		}
	}
	return false;
}

bool
fuzz_call_tally2(PGFunction fn, const Tally *a, const Tally *b, Datum *result)
{
	FmgrInfo	fl;
	NullableDatum args[2];
	bool		isnull;

	fuzz_flinfo_init(&fl, fn, 2);
	args[0].value = PointerGetDatum(a);
	args[0].isnull = false;
	args[1].value = PointerGetDatum(b);
	args[1].isnull = false;
	if (!fuzz_call(fn, &fl, NULL, 2, args, result, &isnull))
		return false;
	if (isnull)
		fuzz_fail("strict tally function returned NULL");
	return true;
}

static bool
call_reader(PGFunction fn, const Tally *t, int32 min_n, float8 *result, bool *isnull)
{
	FmgrInfo	fl;
	NullableDatum args[2];
	Datum		r;

	fuzz_flinfo_init(&fl, fn, 2);
	args[0].value = PointerGetDatum(t);
	args[0].isnull = false;
	args[1].value = Int32GetDatum(min_n);
	args[1].isnull = false;
	if (!fuzz_call(fn, &fl, NULL, 2, args, &r, isnull))
	{
		if (fuzz_error.sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE)
			fuzz_fail("reader raised %s, expected 22023", fuzz_sqlstate(fuzz_error.sqlerrcode));
		return false;
	}
	*result = *isnull ? 0 : DatumGetFloat8(r);
	return true;
}

void
fuzz_check_readers(const Tally *t, int32 min_n)
{
	float8		v;
	bool		isnull;
	bool		boolean = t->sum == t->sumsq && t->sum >= 0 && t->sum <= (float8) t->n &&
		t->sum == floor(t->sum);
	bool		reported = t->n > 0 && t->n >= min_n;

	/* pct: 22023 for a negative min_n or a non-boolean tally, else the rule. */
	if (call_reader(tally_pct, t, min_n, &v, &isnull))
	{
		FUZZ_CHECK(min_n >= 0 && boolean, "pct accepted %s min_n %d", fuzz_tally_str(t), min_n);
		FUZZ_CHECK(isnull == !reported, "pct NULL-ness wrong for %s min_n %d", fuzz_tally_str(t), min_n);
		FUZZ_CHECK(isnull || (v >= 0 && v <= 100), "pct %g out of [0,100] for %s", v, fuzz_tally_str(t));
	}
	else
		FUZZ_CHECK(min_n < 0 || !boolean, "pct rejected %s min_n %d", fuzz_tally_str(t), min_n);

	if (call_reader(tally_mean, t, min_n, &v, &isnull))
	{
		FUZZ_CHECK(min_n >= 0, "mean accepted min_n %d", min_n);
		FUZZ_CHECK(isnull == !reported, "mean NULL-ness wrong for %s", fuzz_tally_str(t));
		FUZZ_CHECK(isnull || isfinite(v), "mean %g of %s", v, fuzz_tally_str(t));
	}
	else
		FUZZ_CHECK(min_n < 0, "mean rejected %s min_n %d", fuzz_tally_str(t), min_n);

	if (call_reader(tally_se, t, min_n, &v, &isnull))
	{
		FUZZ_CHECK(min_n >= 0, "se accepted min_n %d", min_n);
		FUZZ_CHECK(isnull == !(t->n >= 2 && t->n >= min_n), "se NULL-ness wrong for %s", fuzz_tally_str(t));
		FUZZ_CHECK(isnull || (isfinite(v) && v >= 0), "se %g of %s", v, fuzz_tally_str(t));
	}
	else
		FUZZ_CHECK(min_n < 0, "se rejected %s min_n %d", fuzz_tally_str(t), min_n);

	if (call_reader(tally_pct_se, t, min_n, &v, &isnull))
	{
		FUZZ_CHECK(min_n >= 0 && boolean, "pct_se accepted %s", fuzz_tally_str(t));
		FUZZ_CHECK(isnull || (isfinite(v) && v >= 0 && v <= 100), "pct_se %g of %s", v, fuzz_tally_str(t));
	}
	else
		FUZZ_CHECK(min_n < 0 || !boolean, "pct_se rejected %s min_n %d", fuzz_tally_str(t), min_n);
}

static int
tally_cmp_call(const Tally *a, const Tally *b)
{
	Datum		r;

	if (!fuzz_call_tally2(tally_cmp, a, b, &r))
		fuzz_fail("tally_cmp raised an error");
	return DatumGetInt32(r);
}

static uint32
tally_hash_call(const Tally *t)
{
	FmgrInfo	fl;
	NullableDatum args[1];
	Datum		r;
	bool		isnull;

	fuzz_flinfo_init(&fl, tally_hash, 1);
	args[0].value = PointerGetDatum(t);
	args[0].isnull = false;
	if (!fuzz_call(tally_hash, &fl, NULL, 1, args, &r, &isnull))
		fuzz_fail("tally_hash raised an error");
	return DatumGetUInt32(r);
}

/* The tally with each zero sum's sign flipped: equal, so the same hash. */
static Tally
flip_zero_signs(const Tally *t)
{
	Tally		f = *t;

	if (f.sum == 0)
		f.sum = -f.sum;
	if (f.sumsq == 0)
		f.sumsq = -f.sumsq;
	return f;
}

/* The error tally_sub raises when part is not contained in total. */
static bool
is_not_part_error(void)
{
	return fuzz_error.sqlerrcode == ERRCODE_INVALID_PARAMETER_VALUE &&
		strcmp(fuzz_error.message, "sqii.tally subtraction needs a part of the total") == 0;
}

/*
 * total - part raised an error although part is contained in total (or the
 * caller allows only "not a part"): which known finding is it?
 *	sub-invalid-result: tally_sub built a result its own CheckTally rejects
 *	sub-contained: "needs a part of the total" for a part that is one
 */
static void
check_sub_error(const Tally *total, const Tally *part, const char *what)
{
	const char *id = is_not_part_error() ? "sub-contained" : "sub-invalid-result";

	if (!fuzz_skip(id))
		fuzz_fail("[%s] %s raised an error: total = %s, part = %s", id, what,
				  fuzz_tally_str(total), fuzz_tally_str(part));
}

void
fuzz_check_tally_ops(const Tally *a, const Tally *b)
{
	Datum		r,
				r2;
	const Tally *sum_ab = NULL;
	Tally		zero = {0, 0, 0};
	Tally		fa = flip_zero_signs(a);
	int			c1 = tally_cmp_call(a, b);
	int			c2 = tally_cmp_call(b, a);

	/* Comparison: antisymmetric, reflexive; equal implies equal hashes. */
	FUZZ_CHECK(c1 == -c2, "cmp not antisymmetric: %s vs %s", fuzz_tally_str(a), fuzz_tally_str(b));
	FUZZ_CHECK(tally_cmp_call(a, a) == 0, "cmp not reflexive");
	FUZZ_CHECK(tally_cmp_call(a, &fa) == 0 && tally_hash_call(a) == tally_hash_call(&fa),
			   "-0/+0 variants of %s compare or hash differently", fuzz_tally_str(a));
	if (c1 == 0)
		FUZZ_CHECK(tally_hash_call(a) == tally_hash_call(b), "equal tallies hash differently");

	/* a + b: a valid tally (it is stored, dumped and read back) or 22003. */
	if (fuzz_call_tally2(tally_add, a, b, &r))
	{
		sum_ab = (const Tally *) DatumGetPointer(r);
		if (!fuzz_tally_valid(sum_ab) && !fuzz_skip("add-invalid"))
			fuzz_fail("[add-invalid] tally_add(%s, %s) = %s, which tally_in rejects",
					  fuzz_tally_str(a), fuzz_tally_str(b), fuzz_tally_str(sum_ab));
		FUZZ_CHECK(sum_ab->n == a->n + b->n, "n of a sum");
		if (fuzz_call_tally2(tally_add, b, a, &r2))
			FUZZ_CHECK(tally_cmp_call(sum_ab, (Tally *) DatumGetPointer(r2)) == 0,
					   "a + b != b + a: %s vs %s", fuzz_tally_str(sum_ab),
					   fuzz_tally_str((Tally *) DatumGetPointer(r2)));
		else
			fuzz_fail("a + b succeeded, b + a failed");
	}
	else
		FUZZ_CHECK(fuzz_error.sqlerrcode == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
				   "tally_add raised %s", fuzz_sqlstate(fuzz_error.sqlerrcode));

	/* a - a is the empty tally; a - 0 is a. */
	if (!fuzz_call_tally2(tally_sub, a, a, &r))
		check_sub_error(a, a, "a - a");
	else
		FUZZ_CHECK(tally_cmp_call((Tally *) DatumGetPointer(r), &zero) == 0,
				   "a - a = %s", fuzz_tally_str((Tally *) DatumGetPointer(r)));
	if (!fuzz_call_tally2(tally_sub, a, &zero, &r))
		check_sub_error(a, &zero, "a - (0,0,0)");
	else if (!TallySumTooLarge(a->n, a->sum, a->sumsq, 0))
		FUZZ_CHECK(tally_cmp_call((Tally *) DatumGetPointer(r), a) == 0,
				   "a - 0 = %s for a = %s", fuzz_tally_str((Tally *) DatumGetPointer(r)),
				   fuzz_tally_str(a));

	/* a - b: a valid tally, or "needs a part of the total" (22023). */
	if (fuzz_call_tally2(tally_sub, a, b, &r))
	{
		const Tally *d = (const Tally *) DatumGetPointer(r);

		FUZZ_CHECK(fuzz_tally_valid(d), "a - b = %s is not a valid tally", fuzz_tally_str(d));
		FUZZ_CHECK(d->n == a->n - b->n, "n of a difference");
	}
	else if (!is_not_part_error())
		check_sub_error(a, b, "a - b");

	/* (a + b) - b: b is part of a + b, so no error at all. */
	if (sum_ab != NULL && !fuzz_call_tally2(tally_sub, sum_ab, b, &r))
		check_sub_error(sum_ab, b, "(a + b) - b");
}

/* ---- aggregates ------------------------------------------------------- */

bool
fuzz_agg_call(PGFunction fn, int nargs, const NullableDatum *args, NullableDatum *result)
{
	FmgrInfo	fl;

	fuzz_flinfo_init(&fl, fn, nargs);
	return fuzz_call(fn, &fl, fuzz_agg_node, nargs, args, &result->value, &result->isnull);
}

const FuzzPlan fuzz_serial_plan = {.nparts = 1};
const FuzzPlan fuzz_reversed_plan = {.nparts = 1, .order = FUZZ_ORDER_REVERSED};

FuzzPlan
fuzz_read_plan(FuzzInput *in)
{
	FuzzPlan	plan;
	uint8		b = fin_u8(in);

	memset(&plan, 0, sizeof(plan));
	plan.nparts = 1 + b % 3;
	plan.ship = (b & 0x04) != 0;
	plan.combine_reversed = (b & 0x08) != 0;
	plan.order = (b >> 4) % 3;
	plan.cut[0] = fin_u8(in);
	plan.cut[1] = fin_u8(in);
	if (plan.cut[0] > plan.cut[1])
	{
		uint8		t = plan.cut[0];

		plan.cut[0] = plan.cut[1];
		plan.cut[1] = t;
	}
	plan.seed = (uint16) (b * 257 + plan.cut[0] + 1);
	return plan;
}

/* The row order of a plan: a permutation of 0 .. nrows-1. */
static int *
plan_order(const FuzzPlan *plan, int nrows)
{
	int		   *order = palloc(sizeof(int) * (nrows + 1));
	uint32		x = plan->seed | 1;
	int			i;

	for (i = 0; i < nrows; i++)
		order[i] = plan->order == FUZZ_ORDER_REVERSED ? nrows - 1 - i : i;
	if (plan->order == FUZZ_ORDER_SHUFFLED)
	{
		for (i = nrows - 1; i > 0; i--)
		{
			int			j,
						t;

			/* xorshift32: the shuffle is fixed by the plan's seed */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			j = (int) (x % (uint32) (i + 1));
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	}
	return order;
}

/* A worker's partial state as the leader receives it. */
static bool
ship_state(const FuzzAgg *agg, NullableDatum *state)
{
	NullableDatum args[2];
	NullableDatum bytes;

	/* Both are strict: a NULL state travels as NULL. */
	if (state->isnull)
		return true;
	args[0] = *state;
	if (!fuzz_agg_call(agg->serialfn, 1, args, &bytes))
		return false;
	FUZZ_CHECK(!bytes.isnull, "serialize returned NULL");
	args[0] = bytes;
	args[1] = fuzz_value(PointerGetDatum(NULL));
	if (!fuzz_agg_call(agg->deserialfn, 2, args, state))
		return false;
	FUZZ_CHECK(!state->isnull, "deserialize returned NULL");
	return true;
}

bool
fuzz_agg_run(const FuzzAgg *agg, const FuzzPlan *plan, NullableDatum *result)
{
	int		   *order = plan_order(plan, agg->nrows);
	NullableDatum parts[3];
	NullableDatum args[FUZZ_MAX_ARGS];
	FmgrInfo	fl;
	int			from = 0;
	int			p;

	if (Max(agg->nargs, agg->ndirect) + 1 > lengthof(args) || plan->nparts < 1 || plan->nparts > 3)
		abort();
	for (p = 0; p < plan->nparts; p++)
	{
		int			to = p == plan->nparts - 1 ? agg->nrows :
			Max(from, plan->cut[p] * agg->nrows / 256);
		int			i;

		fuzz_flinfo_init(&fl, agg->transfn, agg->nargs + 1);
		fl.fn_expr = agg->trans_expr;
		parts[p] = fuzz_null();
		for (i = from; i < to; i++)
		{
			args[0] = parts[p];
			memcpy(&args[1], &agg->rows[order[i] * agg->nargs], sizeof(NullableDatum) * agg->nargs);
			if (!fuzz_call(agg->transfn, &fl, fuzz_agg_node, agg->nargs + 1, args,
						   &parts[p].value, &parts[p].isnull))
				return false;
		}
		from = to;
	}

	if (plan->nparts > 1)
	{
		/* The leader starts from no state and combines the partials in. */
		NullableDatum leader = fuzz_null();

		fuzz_flinfo_init(&fl, agg->combinefn, 2);
		for (p = 0; p < plan->nparts; p++)
		{
			NullableDatum part = parts[plan->combine_reversed ? plan->nparts - 1 - p : p];

			if (plan->ship && !ship_state(agg, &part))
				return false;
			args[0] = leader;
			args[1] = part;
			if (!fuzz_call(agg->combinefn, &fl, fuzz_agg_node, 2, args, &leader.value, &leader.isnull))
				return false;
		}
		parts[0] = leader;
	}
	else if (plan->ship && !ship_state(agg, &parts[0]))
		return false;

	args[0] = parts[0];
	if (agg->ndirect > 0)
		memcpy(&args[1], agg->direct, sizeof(NullableDatum) * agg->ndirect);
	return fuzz_agg_call(agg->finalfn, 1 + agg->ndirect, args, result);
}

bool
fuzz_tally_of(const NullableDatum *values, int n, bool boolean, NullableDatum *result)
{
	FuzzAgg		agg = {0};

	agg.transfn = boolean ? tally_bool_accum : tally_float8_accum;
	agg.finalfn = tally_final;
	agg.nargs = 1;
	agg.nrows = n;
	agg.rows = values;
	return fuzz_agg_run(&agg, &fuzz_serial_plan, result);
}

/* ---- expected outcomes ------------------------------------------------ */

static void
expect_add(int *codes, int *n, int sqlerrcode)
{
	int			i;

	for (i = 0; i < *n; i++)
		if (codes[i] == sqlerrcode)
			return;
	if (*n == 8)
		abort();
	codes[(*n)++] = sqlerrcode;
}

void
fuzz_expect_must(FuzzExpect *e, int sqlerrcode)
{
	expect_add(e->must, &e->nmust, sqlerrcode);
}

void
fuzz_expect_may(FuzzExpect *e, int sqlerrcode)
{
	expect_add(e->may, &e->nmay, sqlerrcode);
}

static const char *
expect_str(const FuzzExpect *e)
{
	static char buf[128];
	int			len = 0;
	int			i;

	buf[0] = '\0';
	for (i = 0; i < e->nmust; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s ", fuzz_sqlstate(e->must[i]));
	for (i = 0; i < e->nmay; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "(%s) ", fuzz_sqlstate(e->may[i]));
	return len ? buf : "success";
}

void
fuzz_check_outcome(const FuzzExpect *e, bool ok, const char *what)
{
	char		raised[6];
	int			i;

	if (ok)
	{
		if (e->nmust > 0)
			fuzz_fail("%s succeeded, expected %s", what, expect_str(e));
		return;
	}
	for (i = 0; i < e->nmust; i++)
		if (e->must[i] == fuzz_error.sqlerrcode)
			return;
	for (i = 0; i < e->nmay; i++)
		if (e->may[i] == fuzz_error.sqlerrcode)
			return;
	/* A copy: expect_str() reuses fuzz_sqlstate()'s buffer. */
	strcpy(raised, fuzz_sqlstate(fuzz_error.sqlerrcode));
	fuzz_fail("%s raised %s, expected %s", what, raised, expect_str(e));
}

/* ---- independent sums ------------------------------------------------- */

#define TWO_53 9007199254740992.0L

void
fuzz_sums_init(FuzzSums *s)
{
	memset(s, 0, sizeof(*s));
	s->integers = true;
}

void
fuzz_sums_add(FuzzSums *s, double x)
{
	if (!isfinite(x))
	{
		s->nonfinite = true;
		return;
	}
	s->n++;
	s->sum += x;
	s->abs_sum += fabsl(x);
	s->sumsq += (long double) x * x;
	s->integers &= x == floor(x);
}

void
fuzz_sums_add_tally(FuzzSums *s, const Tally *t)
{
	s->n += t->n;
	s->sum += t->sum;
	s->abs_sum += fabsl(t->sum);
	s->sumsq += t->sumsq;
	s->integers &= t->sum == floor(t->sum) && t->sumsq == floor(t->sumsq);
}

bool
fuzz_sums_exact(const FuzzSums *s)
{
	return s->integers && !s->nonfinite && s->abs_sum <= TWO_53 && s->sumsq <= TWO_53;
}

int
fuzz_sums_overflow(const FuzzSums *s)
{
	/* Neumaier's sum is within a few ulps of the exact one. */
	if (s->sumsq > DBL_MAX * (1 + 1e-12L))
		return 1;
	if (s->sumsq >= DBL_MAX * (1 - 1e-12L))
		return 0;
	return -1;
}

void
fuzz_expect_sums(FuzzExpect *e, const FuzzSums *s)
{
	if (s->nonfinite)
		fuzz_expect_must(e, ERRCODE_DATA_EXCEPTION);
	if (fuzz_sums_overflow(s) > 0 || s->n > TALLY_MAX_N)
		fuzz_expect_must(e, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
	else if (fuzz_sums_overflow(s) == 0)
		fuzz_expect_may(e, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
}

bool
fuzz_check_result_tally(const Tally *t, const char *what)
{
	const char *id;

	if (fuzz_tally_valid(t))
	{
		fuzz_check_text_round_trip(t);
		fuzz_check_binary_round_trip(t);
		return true;
	}
	if (!isfinite(t->sum) || !isfinite(t->sumsq))
		id = "fold-overflow";
	else if (t->n >= 0 && t->n <= TALLY_MAX_N && t->sumsq >= 0 &&
			 (t->n > 0 || (t->sum == 0 && t->sumsq == 0)) &&
			 t->sumsq < 1e-290)
		id = "tiny-cs";
	else
		id = "invalid-result";
	if (!fuzz_skip(id))
		fuzz_fail("[%s] %s returned %s, which tally_in rejects (%s)", id, what,
				  fuzz_tally_str(t), fuzz_error.detail);
	return false;
}

/* Within a few ulps of the sum of magnitudes (Neumaier's error bound). */
static bool
close_to(long double a, long double b, long double scale)
{
	/* a == b first: an infinity (a skipped finding) equals itself. */
	return a == b || fabsl(a - b) <= 1e-13L * scale + 1e-300L;
}

void
fuzz_check_same_tally(const Tally *a, const Tally *b, const FuzzSums *s, const char *what)
{
	FUZZ_CHECK(a->n == b->n, "%s: n differs: %s vs %s", what, fuzz_tally_str(a), fuzz_tally_str(b));
	if (fuzz_sums_exact(s))
	{
		FUZZ_CHECK(tally_bits_equal(a, b), "%s: exact data, different bits: %s vs %s",
				   what, fuzz_tally_str(a), fuzz_tally_str(b));
		FUZZ_CHECK(a->sum == (double) s->sum && a->sumsq == (double) s->sumsq,
				   "%s: exact data, inexact sums: %s, exact sum %.21Lg sumsq %.21Lg",
				   what, fuzz_tally_str(a), s->sum, s->sumsq);
	}
	else
		FUZZ_CHECK(close_to(a->sum, b->sum, s->abs_sum) && close_to(a->sumsq, b->sumsq, s->sumsq),
				   "%s: sums too far apart: %s vs %s", what, fuzz_tally_str(a), fuzz_tally_str(b));
}

void
fuzz_check_same_double(double a, double b, bool exact, long double scale, const char *what)
{
	if (exact)
		FUZZ_CHECK(memcmp(&a, &b, sizeof(double)) == 0, "%s: exact data, %a vs %a", what, a, b);
	else
		FUZZ_CHECK(close_to(a, b, scale), "%s: %.17g vs %.17g", what, a, b);
}

/* ---- arrays ----------------------------------------------------------- */

void
fuzz_array(FuzzInput *in, int maxelems, Oid elemtype, int elmlen, bool elmbyval,
		   char elmalign, FuzzDrawElem draw, void *arg, FuzzArray *out)
{
	uint8		shape = fin_u8(in);
	int			ndim = (shape & 3) == 3 ? (shape >> 2) % 4 : 1;
	bool		with_nulls = (shape & 0x40) != 0;
	int			dims[3];
	int			lbs[3];
	int			nelems = 1;
	int			i;

	for (i = 0; i < ndim; i++)
	{
		uint8		d = fin_u8(in);

		/* One dimension reaches past the limits callers check; more stay small. */
		dims[i] = ndim == 1 ? d % (maxelems + 1) : d % 6;
		lbs[i] = (shape & 0x80) ? (int) (int8) fin_u8(in) : 1;
		nelems *= dims[i];
	}
	if (ndim == 0)
		nelems = 0;
	out->elems = palloc(sizeof(Datum) * (nelems + 1));
	out->nulls = palloc0(sizeof(bool) * (nelems + 1));
	out->hasnull = false;
	for (i = 0; i < nelems; i++)
	{
		if (with_nulls && (fin_u8(in) & 7) == 0)
		{
			out->nulls[i] = true;
			out->hasnull = true;
			out->elems[i] = (Datum) 0;
		}
		else
			out->elems[i] = draw(in, arg);
	}
	out->array = construct_md_array(out->elems, out->nulls, ndim, dims, lbs, elemtype,
									elmlen, elmbyval, elmalign);
	out->ndim = ARR_NDIM(out->array);
	out->nelems = out->ndim == 0 ? 0 : nelems;
}
