/*
 * fuzz_common.h
 *	  Shared declarations of the sqii libFuzzer harnesses: the emulated
 *	  backend (pg_stubs.c), calling sqii's fmgr functions with a PostgreSQL
 *	  error turned into a return value, and reading fuzzer bytes.
 *
 * The harnesses link the real objects of src/; nothing of sqii is copied.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include "postgres.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "access/tupdesc.h"
#include "fmgr.h"
#include "nodes/nodes.h"
#include "utils/array.h"
#include "utils/tuplestore.h"

#include "../../src/sqii.h"

/* ---- errors ---------------------------------------------------------- */

/* The last ereport()/elog() seen, formatted as the server would. */
typedef struct FuzzError
{
	int			elevel;
	int			sqlerrcode;
	bool		have_errcode;	/* errcode() was called (elog() does not) */
	bool		internal;		/* errmsg_internal(), i.e. elog() */
	char		message[1024];
	char		detail[1024];
	char		hint[1024];
	const char *filename;
	int			lineno;
	const char *funcname;
} FuzzError;

extern FuzzError fuzz_error;
extern sigjmp_buf *fuzz_error_jmp;	/* where ERROR jumps; NULL: abort() */
extern long fuzz_error_count;

/* SQLSTATE as the five characters the server prints. */
extern const char *fuzz_sqlstate(int sqlerrcode);

/* Print the last error and abort(): a finding. */
extern void fuzz_fail(const char *what, ...) pg_attribute_printf(1, 2) pg_attribute_noreturn();

#define FUZZ_CHECK(cond, ...) \
	do { if (!(cond)) fuzz_fail("check failed: " #cond ": " __VA_ARGS__); } while (0)

/* Arguments of one call, at most (VARIADIC "any" aggregates take many). */
#define FUZZ_MAX_ARGS 16

/*
 * Call an fmgr function.  Returns true with *result and *isnull set on success,
 * false when it raised an ERROR (fuzz_error holds it).  context is the
 * fcinfo->context (fuzz_agg_node for aggregate support functions).
 */
extern bool fuzz_call(PGFunction fn, FmgrInfo *flinfo, Node *context,
					  int nargs, const NullableDatum *args,
					  Datum *result, bool *isnull);

/* The same with fcinfo->resultinfo set (a ReturnSetInfo for an SRF). */
extern bool fuzz_call_rs(PGFunction fn, FmgrInfo *flinfo, Node *context, Node *resultinfo,
						 int nargs, const NullableDatum *args,
						 Datum *result, bool *isnull);

/* What a set-returning function put in its tuplestore (copies). */
typedef struct FuzzRows
{
	int			natts;
	int			nrows;
	const Datum *values;		/* nrows x natts */
	const bool *nulls;
} FuzzRows;

/*
 * Call a set-returning function as a FunctionScan does, allowing
 * materialize mode; result_desc is its RETURNS TABLE (fuzz_tupdesc).
 * False on ERROR; aborts if the function broke the materialize protocol.
 */
extern bool fuzz_call_srf(PGFunction fn, FmgrInfo *flinfo, int nargs, const NullableDatum *args,
						  TupleDesc result_desc, FuzzRows *rows);

/* pg_stubs.c: a row descriptor of types from its fake catalog; the rows of a store. */
extern TupleDesc fuzz_tupdesc(int natts, const Oid *types);
extern void fuzz_tuplestore_rows(Tuplestorestate *state, FuzzRows *rows);

/* Run fn(arg) with ERROR turned into a false return. */
extern bool fuzz_try(void (*fn) (void *), void *arg);

/* fcinfo->context of aggregate support calls (an AggState node). */
extern Node *fuzz_agg_node;

/* A FmgrInfo as fmgr_info() would leave it for a C function. */
extern void fuzz_flinfo_init(FmgrInfo *flinfo, PGFunction fn, int nargs);

/*
 * The fn_expr nodeAgg gives a transition function (parse_agg.c's
 * build_aggregate_transfn_expr): a FuncExpr whose arguments are Params of
 * the state type and of each aggregated argument's type; variadic when the
 * call wrote VARIADIC.  What get_fn_expr_argtype/_variadic read.
 */
extern Node *fuzz_transfn_expr(int ninputs, const Oid *input_types, bool variadic);

/*
 * Called by every harness at the start of each input: frees everything
 * palloc'd during the previous input (the "memory context reset"), clears
 * the fake catalogs.
 */
extern void fuzz_reset(void);

/* Error checks every harness applies to an ERROR raised by sqii. */
extern void fuzz_check_error_sane(void);

/* ---- fake catalog: the types, the group tables ----------------------- */

#define FUZZ_TALLY_OID			90001
#define FUZZ_TALLY_ARRAY_OID	90002
#define FUZZ_SCORE_OID			90003	/* CREATE DOMAIN score AS integer */

/* One row of the join LoadGroupMap() runs (student_group LEFT JOIN race_code). */
typedef struct FuzzGroupRow
{
	int			bit;
	const char *kind;
	bool		flag_null;
	int			flag;
	const char *group_code;
	const char *local_code;	/* NULL: no race_code row joined */
} FuzzGroupRow;

extern FuzzGroupRow *fuzz_group_rows;
extern int	fuzz_group_nrows;
extern int	fuzz_spi_executes;	/* how many times the group tables were read */

/* ---- reading fuzzer bytes --------------------------------------------- */

typedef struct FuzzInput
{
	const uint8 *data;
	size_t		size;
	size_t		pos;
} FuzzInput;

static inline bool
fin_more(const FuzzInput *in)
{
	return in->pos < in->size;
}

static inline uint8
fin_u8(FuzzInput *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint16
fin_u16(FuzzInput *in)
{
	return (uint16) (fin_u8(in) | (fin_u8(in) << 8));
}

static inline uint32
fin_u32(FuzzInput *in)
{
	uint32		lo = fin_u16(in);

	return lo | ((uint32) fin_u16(in) << 16);
}

static inline uint64
fin_u64(FuzzInput *in)
{
	uint64		lo = fin_u32(in);

	return lo | ((uint64) fin_u32(in) << 32);
}

static inline double
fin_raw_double(FuzzInput *in)
{
	uint64		bits = fin_u64(in);
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

/*
 * A double drawn so that the fuzzer reaches interesting values quickly:
 * small integers, special values (signed zeros, subnormals, values whose
 * square overflows or underflows, 2^53, NaN, infinities) and raw bits.
 */
extern double fin_double(FuzzInput *in);

/* Like fin_double but always finite. */
extern double fin_finite_double(FuzzInput *in);

/* ---- helpers over sqii's types ---------------------------------------- */

/* Bitwise equality of two tallies (the round-trip criterion). */
static inline bool
tally_bits_equal(const Tally *a, const Tally *b)
{
	return memcmp(a, b, sizeof(Tally)) == 0;
}

/* "(n,sum,sumsq)" with %a floats, for failure messages. */
extern const char *fuzz_tally_str(const Tally *t);

/* Does CheckTally() accept t?  (runs the real one) */
extern bool fuzz_tally_valid(const Tally *t);

/* Text round trip through the real tally_out/tally_in: aborts on mismatch. */
extern void fuzz_check_text_round_trip(const Tally *t);

/* Binary round trip through the real tally_send/tally_recv. */
extern void fuzz_check_binary_round_trip(const Tally *t);

/* The real sqii fmgr entry points the harnesses call. */
extern Datum tally_in(PG_FUNCTION_ARGS);
extern Datum tally_out(PG_FUNCTION_ARGS);
extern Datum tally_recv(PG_FUNCTION_ARGS);
extern Datum tally_send(PG_FUNCTION_ARGS);
extern Datum tally_make(PG_FUNCTION_ARGS);
extern Datum tally_pct(PG_FUNCTION_ARGS);
extern Datum tally_mean(PG_FUNCTION_ARGS);
extern Datum tally_se(PG_FUNCTION_ARGS);
extern Datum tally_pct_se(PG_FUNCTION_ARGS);
extern Datum tally_add(PG_FUNCTION_ARGS);
extern Datum tally_sub(PG_FUNCTION_ARGS);
extern Datum tally_cmp(PG_FUNCTION_ARGS);
extern Datum tally_eq(PG_FUNCTION_ARGS);
extern Datum tally_lt(PG_FUNCTION_ARGS);
extern Datum tally_hash(PG_FUNCTION_ARGS);

/* tally_agg.c: shared by fuzz_accum and fuzz_groups (its per-group reference). */
extern Datum tally_bool_accum(PG_FUNCTION_ARGS);
extern Datum tally_float8_accum(PG_FUNCTION_ARGS);
extern Datum tally_merge_accum(PG_FUNCTION_ARGS);
extern Datum pct_bool_accum(PG_FUNCTION_ARGS);
extern Datum mean_float8_accum(PG_FUNCTION_ARGS);
extern Datum tally_combine(PG_FUNCTION_ARGS);
extern Datum tally_serialize(PG_FUNCTION_ARGS);
extern Datum tally_deserialize(PG_FUNCTION_ARGS);
extern Datum tally_final(PG_FUNCTION_ARGS);
extern Datum pct_final(PG_FUNCTION_ARGS);
extern Datum mean_final(PG_FUNCTION_ARGS);

/*
 * Call the readers (pct, mean, se, pct_se) on a valid tally and check their
 * contracts: only 22023 errors, results finite, pct in [0, 100], se >= 0,
 * NULL exactly when the n-size rule says so.
 */
extern void fuzz_check_readers(const Tally *t, int32 min_n);

/* Binary operators on two valid tallies: +, -, comparison, hash. */
extern void fuzz_check_tally_ops(const Tally *a, const Tally *b);

/*
 * Known findings can be skipped (counted, not aborted on) by listing their
 * ids in SQII_FUZZ_SKIP (comma-separated), so that a long run keeps
 * exploring past them.  run-fuzz does not set it: a finding fails the run.
 * Ids: add-invalid, sub-contained, sub-invalid-result (tally operators);
 * cs-overflow, fold-overflow, tiny-cs, invalid-result (aggregate results);
 * cut-overflow, cut-bounds, cut-order, cut-rejected (sqii.cutpoints).
 */
extern bool fuzz_skip(const char *id);

/* Call a two-argument tally function; false on ERROR. */
extern bool fuzz_call_tally2(PGFunction fn, const Tally *a, const Tally *b, Datum *result);

/* ---- calling aggregates the way nodeAgg.c does ------------------------ */

static inline NullableDatum
fuzz_value(Datum d)
{
	NullableDatum a;

	a.value = d;
	a.isnull = false;
	return a;
}

static inline NullableDatum
fuzz_null(void)
{
	NullableDatum a;

	a.value = (Datum) 0;
	a.isnull = true;
	return a;
}

/* Call an aggregate support function (context fuzz_agg_node); false on ERROR. */
extern bool fuzz_agg_call(PGFunction fn, int nargs, const NullableDatum *args,
						  NullableDatum *result);

/* An aggregate's support functions and the rows it is fed. */
typedef struct FuzzAgg
{
	PGFunction	transfn;
	PGFunction	combinefn;
	PGFunction	serialfn;
	PGFunction	deserialfn;
	PGFunction	finalfn;
	int			nargs;			/* aggregated arguments per row */
	Node	   *trans_expr;		/* fn_expr of the transition calls, or NULL */
	int			nrows;
	const NullableDatum *rows;	/* nrows x nargs */
	int			ndirect;		/* direct arguments of an ordered-set */
	const NullableDatum *direct;	/* aggregate, passed to finalfn */
} FuzzAgg;

/*
 * How the rows reach the aggregate: in some order, split among up to three
 * partial aggregations (workers, leader) that are combined, their states
 * going through serialize/deserialize or not.  One partial is the serial
 * plan.
 */
typedef struct FuzzPlan
{
	int			nparts;			/* 1 .. 3 */
	uint8		cut[2];			/* split points, in 256ths of the rows */
	bool		ship;			/* serialize/deserialize the partial states */
	bool		combine_reversed;	/* combine the last partial first */
	uint8		order;			/* FUZZ_ORDER_* */
	uint16		seed;			/* of FUZZ_ORDER_SHUFFLED */
} FuzzPlan;

#define FUZZ_ORDER_AS_IS	0
#define FUZZ_ORDER_REVERSED 1
#define FUZZ_ORDER_SHUFFLED 2

extern const FuzzPlan fuzz_serial_plan;
extern const FuzzPlan fuzz_reversed_plan;

/* A plan chosen by three fuzzer bytes. */
extern FuzzPlan fuzz_read_plan(FuzzInput *in);

/*
 * Aggregate the rows under plan; false when an ERROR was raised.  As in
 * nodeAgg, each partial aggregation calls the transition function through
 * one FmgrInfo of its own (fn_extra kept from row to row), and the leader
 * its combine function through one.
 */
extern bool fuzz_agg_run(const FuzzAgg *agg, const FuzzPlan *plan, NullableDatum *result);

/* sqii.tally(boolean) or sqii.tally(float8) of values, serially; false on ERROR. */
extern bool fuzz_tally_of(const NullableDatum *values, int n, bool boolean, NullableDatum *result);

/* ---- expected outcomes ------------------------------------------------ */

/*
 * The SQLSTATEs an input must raise (some rule it breaks: one of them is
 * raised, whichever the code checks first) and may raise (boundary cases,
 * such as a sum within rounding of the double range).
 */
typedef struct FuzzExpect
{
	int			must[8];
	int			nmust;
	int			may[8];
	int			nmay;
} FuzzExpect;

extern void fuzz_expect_must(FuzzExpect *e, int sqlerrcode);
extern void fuzz_expect_may(FuzzExpect *e, int sqlerrcode);

/* Check a call's outcome (ok, or the ERROR in fuzz_error) against e. */
extern void fuzz_check_outcome(const FuzzExpect *e, bool ok, const char *what);

/* ---- independent sums of student values ------------------------------- */

/*
 * Sums in long double (64-bit mantissa, far wider range) over the finite
 * values, to tell independently of sqii whether double sums are exact and
 * whether they overflow.
 */
typedef struct FuzzSums
{
	int64		n;
	long double sum;
	long double abs_sum;
	long double sumsq;
	bool		integers;		/* every value (sum, sumsq of a tally) whole */
	bool		nonfinite;		/* a NaN or infinity was seen (not summed) */
} FuzzSums;

extern void fuzz_sums_init(FuzzSums *s);
extern void fuzz_sums_add(FuzzSums *s, double x);
extern void fuzz_sums_add_tally(FuzzSums *s, const Tally *t);

/*
 * Whole values whose every partial sum is below 2^53: double arithmetic is
 * exact in any order, so every plan must give the same bits.
 */
extern bool fuzz_sums_exact(const FuzzSums *s);

/* Overflow of the sum of squares: 1 certainly, 0 within rounding, -1 no. */
extern int	fuzz_sums_overflow(const FuzzSums *s);

/* Add the SQLSTATEs the tally aggregates must/may raise on these sums. */
extern void fuzz_expect_sums(FuzzExpect *e, const FuzzSums *s);

/*
 * A tally an aggregate returned: it is stored, dumped and restored, so it
 * must be one tally_in accepts, and it must round-trip.  Aborts (unless
 * the finding's id is skipped) with ids fold-overflow (a non-finite sum)
 * and tiny-cs (Cauchy-Schwarz broken by subnormal rounding).  Returns
 * whether t is valid.
 */
extern bool fuzz_check_result_tally(const Tally *t, const char *what);

/* Tallies of the same rows under two plans: bitwise equal when exact, else close. */
extern void fuzz_check_same_tally(const Tally *a, const Tally *b, const FuzzSums *s,
								  const char *what);

/* Two doubles computed from the same rows: the same bits when exact, else close. */
extern void fuzz_check_same_double(double a, double b, bool exact, long double scale,
								   const char *what);

/* ---- arrays, built the way the server builds them (see pg_stubs.c) ----- */

/* Draw one element of an array. */
typedef Datum (*FuzzDrawElem) (FuzzInput *in, void *arg);

/* What fuzz_array built, flattened in storage order. */
typedef struct FuzzArray
{
	ArrayType  *array;
	int			ndim;			/* ARR_NDIM of the result (0 when empty) */
	int			nelems;
	Datum	   *elems;
	bool	   *nulls;
	bool		hasnull;
} FuzzArray;

/*
 * An array of at most maxelems elements as construct_md_array builds it:
 * mostly one-dimensional, sometimes 0-D (empty), 2-D or 3-D, with lower
 * bounds other than 1 and NULL elements.
 */
extern void fuzz_array(FuzzInput *in, int maxelems, Oid elemtype, int elmlen, bool elmbyval,
					   char elmalign, FuzzDrawElem draw, void *arg, FuzzArray *out);

#endif							/* FUZZ_COMMON_H */
