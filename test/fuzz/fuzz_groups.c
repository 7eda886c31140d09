/*
 * fuzz_groups.c
 *	  (e) Student groups, src/groups.c: the one-pass aggregates
 *	  sqii.tally_by_group(mask, boolean | double precision) and
 *	  sqii.tallies_by_group(mask, VARIADIC "any") run serially, reversed and
 *	  as a fuzzer-chosen parallel plan; sqii.group_tally_rows on their
 *	  results and on fuzzer-built arrays; sqii.group_mask / sqii.groups
 *	  against fuzzer-built group tables (pg_stubs.c's SPI).
 *
 * The first byte picks the mode: below 0xC0 by its remainder by 3 (the
 * first three modes, so that older seeds keep their meaning), above
 * tallies_by_group (three in four) or group_tally_rows.  Invariants:
 *	- the aggregate raises 22023 for a negative mask with a value, 22000 for
 *	  a NaN/infinite value in some group, 22003 when a group's sum of
 *	  squares overflows; otherwise its result is NULL exactly when no row
 *	  had a mask and a value, else a 1-D sqii.tally[] whose element bit + 1
 *	  is NULL exactly for groups without a value and otherwise the very
 *	  tally sqii.tally computes from that group's rows, one tally_in
 *	  accepts; every plan gives the same n per group, the same bits on
 *	  exact data, sums within Neumaier's bound otherwise;
 *	- group_mask is all-students bits | the race code's group | each true
 *	  flag's program group (1-5, then the extra flags 6 ..), an unmapped race
 *	  code is 22023, a multi-dimensional extra array 2202E, more than 59
 *	  extra flags 54000; groups() lists the mask's group codes in bit
 *	  order; the group tables are read once per call site;
 *	- tallies_by_group of k values (boolean, smallint, integer, bigint,
 *	  real, double precision, numeric; NULLs) raises what tally_by_group
 *	  raises for each value, 22003 for a numeric beyond the double range (a
 *	  numeric too small for one counts as 0), 42804 for another type (a
 *	  domain over integer is an integer) and 0A000 for an explicit VARIADIC
 *	  array (when there is a row); no message shows a numeric value;
 *	  its result is NULL exactly when no value reached a group, else a 2-D
 *	  sqii.tally[][k] whose element [bit + 1][j + 1] is NULL exactly when
 *	  group bit has no value j and otherwise the tally sqii.tally(value
 *	  j::float8 | boolean) computes from that group's rows; plans agree as
 *	  for tally_by_group; with one value it gives what tally_by_group gives
 *	  (results, or the same SQLSTATE);
 *	- group_tally_rows gives one row per group (array row) with a tally, in
 *	  bit order, (group code, the 1-D row of width k), element for
 *	  element; 22023 for such a group missing from sqii.student_group,
 *	  2202E for a 3-D array or more than 63 groups.
 */
#include "fuzz_common.h"

#include <errno.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

extern Datum tally_by_group_bool_accum(PG_FUNCTION_ARGS);
extern Datum tally_by_group_float8_accum(PG_FUNCTION_ARGS);
extern Datum tally_by_group_combine(PG_FUNCTION_ARGS);
extern Datum tally_by_group_serialize(PG_FUNCTION_ARGS);
extern Datum tally_by_group_deserialize(PG_FUNCTION_ARGS);
extern Datum tally_by_group_final(PG_FUNCTION_ARGS);
extern Datum sqii_group_mask(PG_FUNCTION_ARGS);
extern Datum sqii_groups(PG_FUNCTION_ARGS);
extern Datum tallies_by_group_accum(PG_FUNCTION_ARGS);
extern Datum tallies_by_group_final(PG_FUNCTION_ARGS);
extern Datum sqii_group_tally_rows(PG_FUNCTION_ARGS);

#define NBITS 63				/* group bits 0 .. 62 (student_group CHECK) */
#define MAX_ROWS 128
#define MAX_EXTRA 59			/* flags 6 .. 64 */
#define MAX_VALUES 8			/* of tallies_by_group (FUZZ_MAX_ARGS allows 14) */

/* ---- the one-pass aggregate --------------------------------------------- */

static void check_rows_of_result(NullableDatum result, int missing);

/* A mask: NULL, 16 low bits, one bit (bit 63 makes it negative) or raw. */
static NullableDatum
draw_mask(FuzzInput *in, uint8 tag)
{
	switch (tag & 3)
	{
		case 0:
			return fuzz_null();
		case 1:
			return fuzz_value(Int64GetDatum(fin_u16(in)));
		case 2:
			return fuzz_value(Int64GetDatum((int64) (UINT64CONST(1) << (fin_u8(in) % 64))));
		default:
			return fuzz_value(Int64GetDatum((int64) fin_u64(in)));
	}
}

/*
 * A one-pass aggregate: its transition and final functions, and the
 * combine, serialize and deserialize functions both share.
 */
static void
one_pass_agg(FuzzAgg *agg, PGFunction transfn, PGFunction finalfn, int nargs,
			 const NullableDatum *rows, int nrows)
{
	memset(agg, 0, sizeof(*agg));
	agg->transfn = transfn;
	agg->combinefn = tally_by_group_combine;
	agg->serialfn = tally_by_group_serialize;
	agg->deserialfn = tally_by_group_deserialize;
	agg->finalfn = finalfn;
	agg->nargs = nargs;
	agg->nrows = nrows;
	agg->rows = rows;
}

/*
 * sqii.tally(x) of one group's rows: row i's mask is masks[i * mstride], its
 * value values[i * vstride] (boolean, or double precision).
 */
static NullableDatum
tally_of_group(const NullableDatum *masks, int mstride, const NullableDatum *values,
			   int vstride, int nrows, int bit, bool boolean)
{
	NullableDatum *group = palloc(sizeof(NullableDatum) * (nrows + 1));
	NullableDatum t;
	int			n = 0;
	int			i;

	for (i = 0; i < nrows; i++)
	{
		const NullableDatum *mask = &masks[i * mstride];

		if (!mask->isnull && DatumGetInt64(mask->value) >= 0 &&
			(DatumGetInt64(mask->value) & (INT64CONST(1) << bit)) != 0)
			group[n++] = values[i * vstride];
	}
	if (!fuzz_tally_of(group, n, boolean, &t))
		fuzz_fail("sqii.tally of group bit %d failed where the one-pass aggregate succeeded", bit);
	return t;
}

/* Does this row of a one-pass result hold a tally? */
static bool
row_has_tally(const bool *nulls, int width)
{
	int			j;

	for (j = 0; j < width; j++)
		if (!nulls[j])
			return true;
	return false;
}

/* One one-pass aggregate over some rows, and what the harness knows of them. */
typedef struct OnePass
{
	FuzzAgg		agg;			/* rows: the mask, then k values */
	const char *name;			/* "sqii.tally_by_group", ... */
	int			ndim;			/* of its result */
	int			k;				/* values per row */
	const NullableDatum *refs;	/* value j of row i as sqii.tally sees it: */
	int			refstride;		/* refs[i * refstride + j] */
	const bool *boolean;		/* [j]: sqii.tally(boolean), else (float8) */
	const FuzzSums *sums;		/* group bit's value j: */
	int			sumstride;		/* sums[bit * sumstride + j] */
	FuzzExpect	e;
} OnePass;

/*
 * A one-pass result: grid[bit * k + j] is element [bit + 1] (1-D, k = 1)
 * or [bit + 1][j + 1], NULL-padded to all 63 bits.  The shape is checked:
 * lower bounds 1, 1 to 63 groups, the last one with a tally.
 */
static void
read_grid(NullableDatum result, int ndim, int k, const Tally **grid)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			nbits;
	int			n;
	int			i;

	memset(grid, 0, sizeof(Tally *) * NBITS * k);
	if (result.isnull)
		return;
	arr = DatumGetArrayTypeP(result.value);
	FUZZ_CHECK(ARR_NDIM(arr) == ndim && ARR_ELEMTYPE(arr) == FUZZ_TALLY_OID && ARR_LBOUND(arr)[0] == 1 &&
			   (ndim == 1 || (ARR_LBOUND(arr)[1] == 1 && ARR_DIMS(arr)[1] == k)),
			   "one-pass result of %d values: %d dimensions, expected %d", k, ARR_NDIM(arr), ndim);
	nbits = ARR_DIMS(arr)[0];
	deconstruct_array(arr, FUZZ_TALLY_OID, sizeof(Tally), false, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	FUZZ_CHECK(nbits >= 1 && nbits <= NBITS && row_has_tally(nulls + (nbits - 1) * k, k),
			   "one-pass result of %d groups (1 .. 63, the last one with a tally)", nbits);
	for (i = 0; i < n; i++)
		grid[i] = nulls[i] ? NULL : DatumGetTallyP(elems[i]);
}

/*
 * The serial result: element [bit][j] NULL exactly when group bit has no
 * value j, else the very tally sqii.tally computes from the group's rows,
 * one tally_in accepts.
 */
static void
check_grid(const OnePass *op, const Tally **grid)
{
	int			bit;
	int			j;

	for (bit = 0; bit < NBITS; bit++)
	{
		for (j = 0; j < op->k; j++)
		{
			const FuzzSums *s = &op->sums[bit * op->sumstride + j];
			const Tally *t = grid[bit * op->k + j];
			NullableDatum ref;

			FUZZ_CHECK((t == NULL) == (s->n == 0 && !s->nonfinite),
					   "%s: group bit %d value %d: %s with %lld values", op->name, bit, j + 1,
					   t ? "a tally" : "NULL", (long long) s->n);
			if (t == NULL)
				continue;
			FUZZ_CHECK(t->n == s->n, "%s: group bit %d value %d: n %lld, expected %lld", op->name,
					   bit, j + 1, (long long) t->n, (long long) s->n);
			ref = tally_of_group(op->agg.rows, op->agg.nargs, op->refs + j, op->refstride,
								 op->agg.nrows, bit, op->boolean[j]);
			FUZZ_CHECK(!ref.isnull && tally_bits_equal(t, DatumGetTallyP(ref.value)),
					   "%s: group bit %d value %d: %s, but sqii.tally of its rows is %s", op->name,
					   bit, j + 1, fuzz_tally_str(t),
					   ref.isnull ? "NULL" : fuzz_tally_str(DatumGetTallyP(ref.value)));
			fuzz_check_result_tally(t, op->name);
		}
	}
}

/*
 * The reversed plan and the fuzzer's: the same outcome, NULL where the
 * serial plan has NULL, the same bits on exact data, else close sums.
 */
static void
check_other_plans(const OnePass *op, const FuzzPlan *plan, const Tally **serial)
{
	const Tally *other[NBITS * MAX_VALUES];
	int			p;
	int			i;

	for (p = 0; p < 2; p++)
	{
		char		what[64];
		NullableDatum result;
		bool		ok;

		snprintf(what, sizeof(what), "%s %s", p == 0 ? "reversed" : "parallel", op->name);
		ok = fuzz_agg_run(&op->agg, p == 0 ? &fuzz_reversed_plan : plan, &result);
		fuzz_check_outcome(&op->e, ok, what);
		if (!ok)
			continue;
		read_grid(result, op->ndim, op->k, other);
		for (i = 0; i < NBITS * op->k; i++)
		{
			FUZZ_CHECK((serial[i] == NULL) == (other[i] == NULL),
					   "%s: group bit %d value %d NULL in one plan only", what, i / op->k,
					   i % op->k + 1);
			if (serial[i] != NULL)
				fuzz_check_same_tally(serial[i], other[i],
									  &op->sums[(i / op->k) * op->sumstride + i % op->k], what);
		}
	}
}

static void
fuzz_tally_by_group(FuzzInput *in, bool boolean)
{
	FuzzPlan	plan = fuzz_read_plan(in);
	NullableDatum *rows = palloc(sizeof(NullableDatum) * 2 * MAX_ROWS);
	FuzzSums   *sums = palloc(sizeof(FuzzSums) * NBITS);
	FuzzExpect	e = {0};
	OnePass		op;
	const Tally *serial[NBITS];
	NullableDatum result;
	int			nrows = 0;
	int			bit;
	bool		ok;

	for (bit = 0; bit < NBITS; bit++)
		fuzz_sums_init(&sums[bit]);
	while (fin_more(in) && nrows < MAX_ROWS)
	{
		uint8		tag = fin_u8(in);
		NullableDatum *row = &rows[2 * nrows++];
		int64		mask;

		row[0] = draw_mask(in, tag);
		if (((tag >> 2) & 7) == 0)
			row[1] = fuzz_null();
		else
			row[1] = boolean ? fuzz_value(BoolGetDatum((tag & 0x20) != 0)) :
				fuzz_value(Float8GetDatum(fin_double(in)));
		if (row[0].isnull)
			continue;			/* no groups: the row adds nothing */
		mask = DatumGetInt64(row[0].value);
		if (mask < 0)
		{
			/* README: 22023; for a NULL value the row counts nowhere anyway. */
			if (row[1].isnull)
				fuzz_expect_may(&e, ERRCODE_INVALID_PARAMETER_VALUE);
			else
				fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
			continue;
		}
		if (row[1].isnull)
			continue;
		/* A NaN of a student in no group is checked or not. */
		if (mask == 0 && !boolean && !isfinite(DatumGetFloat8(row[1].value)))
			fuzz_expect_may(&e, ERRCODE_DATA_EXCEPTION);
		for (bit = 0; bit < NBITS; bit++)
		{
			if ((mask & (INT64CONST(1) << bit)) == 0)
				continue;
			if (boolean)
				fuzz_sums_add(&sums[bit], DatumGetBool(row[1].value) ? 1.0 : 0.0);
			else
				fuzz_sums_add(&sums[bit], DatumGetFloat8(row[1].value));
		}
	}
	for (bit = 0; bit < NBITS; bit++)
		fuzz_expect_sums(&e, &sums[bit]);

	one_pass_agg(&op.agg, boolean ? tally_by_group_bool_accum : tally_by_group_float8_accum,
				 tally_by_group_final, 2, rows, nrows);
	op.name = "sqii.tally_by_group";
	op.ndim = 1;
	op.k = 1;
	op.refs = rows + 1;
	op.refstride = 2;
	op.boolean = &boolean;
	op.sums = sums;
	op.sumstride = 1;
	op.e = e;

	ok = fuzz_agg_run(&op.agg, &fuzz_serial_plan, &result);
	fuzz_check_outcome(&e, ok, "serial tally_by_group");
	if (!ok)
		return;
	read_grid(result, 1, 1, serial);
	check_grid(&op, serial);
	check_rows_of_result(result, -1);
	check_other_plans(&op, &plan, serial);
}

/* ---- group_mask and groups ---------------------------------------------- */

#define MAX_GROUPS_DRAWN 24
#define MAX_CODES 48

static const char *const kinds[] = {"all", "race", "program"};

/* The fake sqii.student_group and sqii.race_code, and what they mean. */
typedef struct GroupTables
{
	int			kind_of_bit[NBITS]; /* -1: no group */
	uint64		all_bits;
	int			bit_of_flag[65];	/* -1: no program group */
	int			ncodes;
	char		code[MAX_CODES][4];
	int			code_bit[MAX_CODES];
} GroupTables;

/* A short code from a four-letter alphabet, so that students hit them. */
static void
draw_code(FuzzInput *in, char *buf)
{
	int			len = fin_u8(in) % 4;
	int			i;

	for (i = 0; i < len; i++)
		buf[i] = "ABab"[fin_u8(in) % 4];
	buf[len] = '\0';
}

static int
find_code(const GroupTables *g, const char *code)
{
	int			i;

	for (i = 0; i < g->ncodes; i++)
		if (strcmp(g->code[i], code) == 0)
			return i;
	return -1;
}

/* No groups, no codes. */
static void
clear_tables(GroupTables *g)
{
	int			i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < NBITS; i++)
		g->kind_of_bit[i] = -1;
	for (i = 0; i <= 64; i++)
		g->bit_of_flag[i] = -1;
}

/* The join LoadGroupMap() runs, ORDER BY g.bit: one row per race code, one with no code otherwise. */
static void
emit_group_rows(const GroupTables *g)
{
	int			i,
				bit;

	fuzz_group_rows = palloc0(sizeof(FuzzGroupRow) * (NBITS + MAX_CODES));
	fuzz_group_nrows = 0;
	for (bit = 0; bit < NBITS; bit++)
	{
		bool		any = false;
		FuzzGroupRow row = {0};

		if (g->kind_of_bit[bit] < 0)
			continue;
		row.bit = bit;
		row.kind = kinds[g->kind_of_bit[bit]];
		row.flag_null = true;
		for (i = 1; i <= 64; i++)
			if (g->bit_of_flag[i] == bit)
			{
				row.flag_null = false;
				row.flag = i;
			}
		row.group_code = psprintf("G%d", bit);
		for (i = 0; i < g->ncodes; i++)
			if (g->code_bit[i] == bit)
			{
				row.local_code = g->code[i];
				fuzz_group_rows[fuzz_group_nrows++] = row;
				any = true;
			}
		if (!any)
		{
			row.local_code = NULL;
			fuzz_group_rows[fuzz_group_nrows++] = row;
		}
	}
}

/* Rows that satisfy the tables' constraints, as LoadGroupMap's join returns them. */
static void
draw_tables(FuzzInput *in, GroupTables *g)
{
	int			ngroups = 1 + fin_u8(in) % MAX_GROUPS_DRAWN;
	int			i,
				bit;

	clear_tables(g);
	for (i = 0; i < ngroups; i++)
	{
		uint8		b = fin_u8(in);
		int			kind = fin_u8(in) % 3;

		bit = b % NBITS;
		if (g->kind_of_bit[bit] >= 0)
			continue;			/* bit is UNIQUE */
		if (kind == 2)
		{
			int			flag = 1 + fin_u8(in) % 64;

			if (g->bit_of_flag[flag] >= 0)
				kind = 1;		/* flag is UNIQUE */
			else
				g->bit_of_flag[flag] = bit;
		}
		g->kind_of_bit[bit] = kind;
		if (kind == 0)
			g->all_bits |= UINT64CONST(1) << bit;
		if (kind == 1)
		{
			int			k;

			for (k = fin_u8(in) % 3; k > 0 && g->ncodes < MAX_CODES; k--)
			{
				char		code[4];

				draw_code(in, code);
				if (find_code(g, code) >= 0)
					continue;	/* local_code is the key */
				strcpy(g->code[g->ncodes], code);
				g->code_bit[g->ncodes++] = bit;
			}
		}
	}

	emit_group_rows(g);
}

/* A text datum, sometimes with the 1-byte header of a short stored value. */
static Datum
make_text(const char *s, bool short_header)
{
	int			len = strlen(s);
	char	   *p;

	/* Only values up to 126 bytes are stored with a short header. */
	if (!short_header || len + 1 > VARATT_SHORT_MAX)
		return PointerGetDatum(cstring_to_text(s));
	p = palloc(len + 1);
	SET_VARSIZE_SHORT(p, len + 1);
	memcpy(p + 1, s, len);
	return PointerGetDatum(p);
}

static Datum
draw_bool(FuzzInput *in, void *arg)
{
	return BoolGetDatum((fin_u8(in) & 1) != 0);
}

static bool
text_equals(Datum d, const char *s)
{
	text	   *t = DatumGetTextPP(d);

	return VARSIZE_ANY_EXHDR(t) == strlen(s) && memcmp(VARDATA_ANY(t), s, strlen(s)) == 0;
}

static void
check_groups_array(Datum result, uint64 mask)
{
	ArrayType  *arr = DatumGetArrayTypeP(result);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i = 0;
	int			bit;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (bit = 0; bit < NBITS; bit++)
	{
		char		expected[8];

		if ((mask & (UINT64CONST(1) << bit)) == 0)
			continue;
		snprintf(expected, sizeof(expected), "G%d", bit);
		FUZZ_CHECK(i < n && !nulls[i], "sqii.groups: %d codes, mask has more", n);
		FUZZ_CHECK(text_equals(elems[i], expected), "sqii.groups: code %d is not %s", i + 1, expected);
		i++;
	}
	FUZZ_CHECK(i == n, "sqii.groups: %d codes for a mask of %d groups", n, i);
}

static void
fuzz_group_mask(FuzzInput *in)
{
	GroupTables g;
	FmgrInfo	fl_mask,
				fl_groups;
	int			nstudents = 0;

	draw_tables(in, &g);
	fuzz_flinfo_init(&fl_mask, sqii_group_mask, 7);
	fuzz_flinfo_init(&fl_groups, sqii_groups, 7);
	while (fin_more(in) && nstudents++ < 16)
	{
		NullableDatum args[7];
		FuzzExpect	e = {0};
		uint64		mask = g.all_bits;
		uint8		r = fin_u8(in);
		uint8		nullflags = fin_u8(in);
		uint8		trueflags = fin_u8(in);
		uint8		x = fin_u8(in);
		Datum		result;
		bool		isnull;
		bool		ok;
		int			i;

		/* race: NULL, a mapped code, or any code */
		if (r % 4 == 0)
			args[0] = fuzz_null();
		else
		{
			char		buf[4];
			int			c;

			if (r % 4 < 3 && g.ncodes > 0)
				strcpy(buf, g.code[(r >> 2) % g.ncodes]);
			else
				draw_code(in, buf);
			args[0] = fuzz_value(make_text(buf, (r & 0x80) != 0));
			c = find_code(&g, buf);
			if (c < 0)
				fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
			else
				mask |= UINT64CONST(1) << g.code_bit[c];
		}
		/* el, sed, swd, foster, homeless: NULL means not in the group */
		for (i = 1; i <= 5; i++)
		{
			bool		isnull_flag = (nullflags >> i) & 1;
			bool		flag = (trueflags >> i) & 1;

			args[i] = isnull_flag ? fuzz_null() : fuzz_value(BoolGetDatum(flag));
			if (!isnull_flag && flag && g.bit_of_flag[i] >= 0)
				mask |= UINT64CONST(1) << g.bit_of_flag[i];
		}
		/* VARIADIC extra: NULL or an array of any shape */
		if (x % 4 == 0)
			args[6] = fuzz_null();
		else
		{
			FuzzArray	extra;

			fuzz_array(in, MAX_EXTRA + 4, BOOLOID, 1, true, TYPALIGN_CHAR, draw_bool, NULL, &extra);
			args[6] = fuzz_value(PointerGetDatum(extra.array));
			if (extra.ndim > 1)
				fuzz_expect_must(&e, ERRCODE_ARRAY_SUBSCRIPT_ERROR);
			else if (extra.nelems > MAX_EXTRA)
				fuzz_expect_must(&e, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
			for (i = 0; i < extra.nelems && i < MAX_EXTRA; i++)
			{
				if (!extra.nulls[i] && DatumGetBool(extra.elems[i]) && g.bit_of_flag[6 + i] >= 0)
					mask |= UINT64CONST(1) << g.bit_of_flag[6 + i];
			}
		}

		ok = fuzz_call(sqii_group_mask, &fl_mask, NULL, 7, args, &result, &isnull);
		fuzz_check_outcome(&e, ok, "sqii.group_mask");
		if (ok)
			FUZZ_CHECK(!isnull && (uint64) DatumGetInt64(result) == mask,
					   "sqii.group_mask = %llx, expected %llx",
					   (unsigned long long) DatumGetInt64(result), (unsigned long long) mask);
		ok = fuzz_call(sqii_groups, &fl_groups, NULL, 7, args, &result, &isnull);
		fuzz_check_outcome(&e, ok, "sqii.groups");
		if (ok)
		{
			FUZZ_CHECK(!isnull, "sqii.groups returned NULL");
			check_groups_array(result, mask);
		}
	}
	FUZZ_CHECK(fuzz_spi_executes == (nstudents > 0 ? 2 : 0),
			   "the group tables were read %d times by two call sites", fuzz_spi_executes);
}

/* ---- group_tally_rows ---------------------------------------------------- */

/*
 * sqii.group_tally_rows(array) through fl, against the tables g: the
 * errors it must raise, else one row per array row with a tally, in bit
 * order, holding that row element for element.
 */
static void
check_group_tally_rows(Datum array, const GroupTables *g, FmgrInfo *fl)
{
	/* RETURNS TABLE (group_code text, tallies sqii.tally[]) */
	static const Oid columns[2] = {TEXTOID, FUZZ_TALLY_ARRAY_OID};
	ArrayType  *arr = DatumGetArrayTypeP(array);
	int			ndim = ARR_NDIM(arr);
	int			nbits = ndim > 0 ? ARR_DIMS(arr)[0] : 0;
	int			width = ndim == 2 ? ARR_DIMS(arr)[1] : 1;
	NullableDatum arg = fuzz_value(array);
	Datum	   *elems = NULL;
	bool	   *nulls = NULL;
	int			nelems;
	FuzzExpect	e = {0};
	FuzzRows	rows;
	bool		ok;
	int			bit;
	int			i = 0;

	if (ndim > 2 || nbits > NBITS)
		fuzz_expect_must(&e, ERRCODE_ARRAY_SUBSCRIPT_ERROR);
	else if (ndim > 0)
	{
		deconstruct_array(arr, FUZZ_TALLY_OID, sizeof(Tally), false, TYPALIGN_DOUBLE,
						  &elems, &nulls, &nelems);
		for (bit = 0; bit < nbits && e.nmust == 0; bit++)
			if (row_has_tally(nulls + bit * width, width) && g->kind_of_bit[bit] < 0)
				fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
	}
	ok = fuzz_call_srf(sqii_group_tally_rows, fl, 1, &arg, fuzz_tupdesc(2, columns), &rows);
	fuzz_check_outcome(&e, ok, "sqii.group_tally_rows");
	if (!ok)
		return;
	FUZZ_CHECK(rows.natts == 2, "sqii.group_tally_rows: %d columns", rows.natts);
	for (bit = 0; bit < nbits; bit++)
	{
		char		code[8];
		ArrayType  *t;
		Datum	   *telems;
		bool	   *tnulls;
		int			n;
		int			j;

		if (!row_has_tally(nulls + bit * width, width))
			continue;
		FUZZ_CHECK(i < rows.nrows, "sqii.group_tally_rows: %d rows, but group bit %d has tallies",
				   rows.nrows, bit);
		snprintf(code, sizeof(code), "G%d", bit);
		FUZZ_CHECK(!rows.nulls[2 * i] && text_equals(rows.values[2 * i], code),
				   "sqii.group_tally_rows: row %d is not group %s", i + 1, code);
		FUZZ_CHECK(!rows.nulls[2 * i + 1], "sqii.group_tally_rows: NULL tallies of %s", code);
		t = DatumGetArrayTypeP(rows.values[2 * i + 1]);
		FUZZ_CHECK(ARR_NDIM(t) == 1 && ARR_DIMS(t)[0] == width && ARR_LBOUND(t)[0] == 1 &&
				   ARR_ELEMTYPE(t) == FUZZ_TALLY_OID,
				   "sqii.group_tally_rows: tallies of %s are not a [1:%d] sqii.tally[]", code, width);
		deconstruct_array(t, FUZZ_TALLY_OID, sizeof(Tally), false, TYPALIGN_DOUBLE,
						  &telems, &tnulls, &n);
		for (j = 0; j < width; j++)
		{
			int			from = bit * width + j;

			FUZZ_CHECK(tnulls[j] == nulls[from] &&
					   (nulls[from] || tally_bits_equal(DatumGetTallyP(telems[j]),
														DatumGetTallyP(elems[from]))),
					   "sqii.group_tally_rows: tallies[%d] of %s is not element [%d][%d]",
					   j + 1, code, bit + 1, j + 1);
		}
		i++;
	}
	FUZZ_CHECK(i == rows.nrows, "sqii.group_tally_rows: %d rows for %d groups with tallies",
			   rows.nrows, i);
}

/*
 * group_tally_rows of a one-pass result, with a student_group row for
 * every bit but missing (-1: none).
 */
static void
check_rows_of_result(NullableDatum result, int missing)
{
	GroupTables g;
	FmgrInfo	fl;
	int			bit;

	if (result.isnull)
		return;					/* STRICT */
	clear_tables(&g);
	for (bit = 0; bit < NBITS; bit++)
	{
		if (bit == missing)
			continue;
		g.kind_of_bit[bit] = 0;
		g.all_bits |= UINT64CONST(1) << bit;
	}
	emit_group_rows(&g);
	fuzz_flinfo_init(&fl, sqii_group_tally_rows, 1);
	check_group_tally_rows(result.value, &g, &fl);
}

/* A boolean indicator's tally: valid, so any stored sqii.tally. */
static Datum
draw_tally(FuzzInput *in, void *arg)
{
	Tally	   *t = palloc(sizeof(Tally));

	t->n = fin_u8(in) % 50;
	t->sum = t->sumsq = fin_u8(in) % (t->n + 1);
	return PointerGetDatum(t);
}

/*
 * An array for group_tally_rows: any shape fuzz_array makes (3-D
 * included), or one shaped like a one-pass result but of up to 67 groups,
 * most elements NULL, lower bounds sometimes other than 1.
 */
static Datum
draw_tally_array(FuzzInput *in)
{
	uint8		shape = fin_u8(in);
	int			ndim = 1 + (shape >> 2) % 2;
	int			dims[2];
	int			lbs[2] = {1, 1};
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (shape % 4 == 0)
	{
		FuzzArray	a;

		fuzz_array(in, NBITS + 4, FUZZ_TALLY_OID, sizeof(Tally), false, TYPALIGN_DOUBLE,
				   draw_tally, NULL, &a);
		return PointerGetDatum(a.array);
	}
	dims[0] = fin_u8(in) % (NBITS + 5);
	dims[1] = ndim == 2 ? 1 + fin_u8(in) % 4 : 1;
	if (shape & 0x80)
	{
		lbs[0] = (int8) fin_u8(in);
		lbs[1] = (int8) fin_u8(in);
	}
	n = dims[0] * dims[1];
	elems = palloc(sizeof(Datum) * (n + 1));
	nulls = palloc(sizeof(bool) * (n + 1));
	for (i = 0; i < n; i++)
	{
		nulls[i] = fin_u8(in) % 4 != 0;
		elems[i] = nulls[i] ? (Datum) 0 : draw_tally(in, NULL);
	}
	return PointerGetDatum(construct_md_array(elems, nulls, ndim, dims, lbs, FUZZ_TALLY_OID,
											  sizeof(Tally), false, TYPALIGN_DOUBLE));
}

static void
fuzz_group_tally_rows(FuzzInput *in)
{
	GroupTables g;
	FmgrInfo	fl;
	int			ncalls = 0;

	draw_tables(in, &g);
	fuzz_flinfo_init(&fl, sqii_group_tally_rows, 1);
	while (fin_more(in) && ncalls < 8)
	{
		check_group_tally_rows(draw_tally_array(in), &g, &fl);
		ncalls++;
	}
	FUZZ_CHECK(fuzz_spi_executes == (ncalls > 0 ? 1 : 0),
			   "the group tables were read %d times by one call site", fuzz_spi_executes);
}

/* ---- tallies_by_group ---------------------------------------------------- */

/* The value types tallies_by_group takes, and some it does not. */
static const Oid value_types[] = {BOOLOID, INT2OID, INT4OID, INT8OID, FLOAT4OID, FLOAT8OID, NUMERICOID};
static const Oid other_types[] = {TEXTOID, OIDOID, MONEYOID, DATEOID, INT4ARRAYOID};

/* An integer of 2, 4 or 8 bytes: small, a bound of its type or near 2^53, or any. */
static int64
draw_int(FuzzInput *in, uint8 tag, int bytes)
{
	int			shift = 64 - 8 * bytes;
	int64		max = (int64) ((UINT64CONST(1) << (8 * bytes - 1)) - 1);
	const int64 special[] = {max, -max - 1, max - 1, -max, INT64CONST(9007199254740992),
		INT64CONST(9007199254740993), -INT64CONST(9007199254740993), 94906267};

	switch ((tag >> 3) % 4)
	{
		case 0:
		case 1:
			return (int8) fin_u8(in);
		case 2:
			return Min(special[fin_u8(in) % lengthof(special)], max);
		default:
			return (int64) (fin_u64(in) << shift) >> shift;
	}
}

/*
 * A numeric as numeric_out prints it (pg_stubs.c's numeric): NaN,
 * +-Infinity, or up to five digits times a power of ten from 1e-384 to
 * 1e381 in plain notation, past both ends of the double range, sometimes
 * with trailing zeros of its scale.  *x is what float8in makes of it,
 * *in_range whether it accepts it.
 */
static Datum
draw_numeric(FuzzInput *in, uint8 tag, double *x, bool *in_range)
{
	static const char *const special[] = {"NaN", "Infinity", "-Infinity", "0"};
	char		buf[512];

	if ((tag >> 3) % 4 == 0)
		strcpy(buf, special[(tag >> 5) % 4]);
	else
	{
		char		digits[8];
		int			ndigits = snprintf(digits, sizeof(digits), "%u", (unsigned) fin_u16(in));
		int			exp10 = ndigits == 1 && digits[0] == '0' ? 0 : 3 * (int8) fin_u8(in);
		int			point = ndigits + exp10;	/* digits before the decimal point */
		int			scale = (tag >> 5) % 3;
		int			len = 0;

		if ((tag & 0x80) && exp10 != 0)
			buf[len++] = '-';
		if (exp10 >= 0)
		{
			memcpy(buf + len, digits, ndigits);
			len += ndigits;
			memset(buf + len, '0', exp10);
			len += exp10;
			if (scale > 0)
				buf[len++] = '.';
		}
		else if (point > 0)
		{
			memcpy(buf + len, digits, point);
			len += point;
			buf[len++] = '.';
			memcpy(buf + len, digits + point, ndigits - point);
			len += ndigits - point;
		}
		else
		{
			memcpy(buf + len, "0.", 2);
			len += 2;
			memset(buf + len, '0', -point);
			len += -point;
			memcpy(buf + len, digits, ndigits);
			len += ndigits;
		}
		memset(buf + len, '0', scale);
		len += scale;
		buf[len] = '\0';
	}
	errno = 0;
	*x = strtod(buf, NULL);
	/* Beyond the range is 22003; too small for a double counts as 0. */
	*in_range = !(errno == ERANGE && isinf(*x));
	return make_text(buf, (tag & 0x04) != 0);
}

/*
 * One value of a column of the given type, or NULL; *ref is what
 * sqii.tally sees of it (the boolean, or the value cast to double
 * precision), NULL for the types tallies_by_group rejects.
 */
static NullableDatum
draw_value(FuzzInput *in, Oid type, NullableDatum *ref, bool *in_range)
{
	uint8		tag = fin_u8(in);
	double		x = 0;
	Datum		d;

	*ref = fuzz_null();
	*in_range = true;
	if ((tag & 7) == 0)
		return fuzz_null();
	switch (type)
	{
		case BOOLOID:
			*ref = fuzz_value(BoolGetDatum((tag & 8) != 0));
			return *ref;
		case INT2OID:
			x = (int16) draw_int(in, tag, 2);
			d = Int16GetDatum((int16) x);
			break;
		case INT4OID:
		case FUZZ_SCORE_OID:
			x = (int32) draw_int(in, tag, 4);
			d = Int32GetDatum((int32) x);
			break;
		case INT8OID:
			{
				int64		v = draw_int(in, tag, 8);

				x = (double) v;
				d = Int64GetDatum(v);
				break;
			}
		case FLOAT4OID:
			{
				float4		f;

				if (tag & 8)
				{
					uint32		bits = fin_u32(in);

					memcpy(&f, &bits, sizeof(f));
				}
				else
					f = (float4) fin_double(in);
				x = f;
				d = Float4GetDatum(f);
				break;
			}
		case FLOAT8OID:
			x = fin_double(in);
			d = Float8GetDatum(x);
			break;
		case NUMERICOID:
			d = draw_numeric(in, tag, &x, in_range);
			break;
		case INT4ARRAYOID:
			{
				/* VARIADIC ARRAY[...] */
				Datum		v = Int32GetDatum((int8) fin_u8(in));

				return fuzz_value(PointerGetDatum(construct_array(&v, 1, INT4OID, 4, true,
																  TYPALIGN_INT)));
			}
		default:
			/* The type is rejected on the first row, whatever the values. */
			return fuzz_null();
	}
	*ref = fuzz_value(Float8GetDatum(x));
	return fuzz_value(d);
}

/*
 * tallies_by_group(mask, x) is tally_by_group(mask, x::float8), or of the
 * boolean: the same SQLSTATE, or the same tallies.
 */
static void
check_like_tally_by_group(const NullableDatum *rows, const NullableDatum *refs, int nrows,
						  bool boolean, bool ok, int sqlerrcode, const Tally *const *grid)
{
	NullableDatum *rows1 = palloc(sizeof(NullableDatum) * 2 * (nrows + 1));
	FuzzAgg		agg;
	NullableDatum result;
	const Tally *one[NBITS];
	char		state[6];
	bool		ok1;
	int			bit;
	int			i;

	for (i = 0; i < nrows; i++)
	{
		rows1[2 * i] = rows[2 * i];
		rows1[2 * i + 1] = refs[MAX_VALUES * i];
	}
	one_pass_agg(&agg, boolean ? tally_by_group_bool_accum : tally_by_group_float8_accum,
				 tally_by_group_final, 2, rows1, nrows);
	ok1 = fuzz_agg_run(&agg, &fuzz_serial_plan, &result);
	strcpy(state, ok ? "none" : fuzz_sqlstate(sqlerrcode));
	FUZZ_CHECK(ok1 == ok && (ok || fuzz_error.sqlerrcode == sqlerrcode),
			   "tally_by_group raised %s, tallies_by_group of its one value %s",
			   ok1 ? "none" : fuzz_sqlstate(fuzz_error.sqlerrcode), state);
	if (!ok)
		return;
	read_grid(result, 1, 1, one);
	for (bit = 0; bit < NBITS; bit++)
		FUZZ_CHECK((one[bit] == NULL) == (grid[bit] == NULL) &&
				   (one[bit] == NULL || tally_bits_equal(one[bit], grid[bit])),
				   "group bit %d: tally_by_group %s, tallies_by_group of its one value %s", bit,
				   one[bit] ? fuzz_tally_str(one[bit]) : "NULL",
				   grid[bit] ? fuzz_tally_str(grid[bit]) : "NULL");
}

/*
 * README: "No error message contains a student's value."  Checked for the
 * numerics, whose text is easy to find in a message.
 */
static void
check_no_value_in_error(const NullableDatum *rows, int width, int nrows, const Oid *types)
{
	const char *texts[3] = {fuzz_error.message, fuzz_error.detail, fuzz_error.hint};
	int			i,
				j,
				m;

	for (i = 0; i < nrows; i++)
	{
		for (j = 1; j < width; j++)
		{
			const NullableDatum *v = &rows[i * width + j];
			text	   *t;
			char	   *value;
			int			len;

			if (types[j] != NUMERICOID || v->isnull)
				continue;
			t = DatumGetTextPP(v->value);
			len = VARSIZE_ANY_EXHDR(t);
			if (len < 8)
				continue;		/* "0", "NaN", "Infinity": found in any text */
			value = palloc(len + 1);
			memcpy(value, VARDATA_ANY(t), len);
			value[len] = '\0';
			for (m = 0; m < 3; m++)
				if (strstr(texts[m], value) != NULL)
					fuzz_fail("tallies_by_group raised %s \"%s\": it shows "
							  "the value of row %d, column %d",
							  fuzz_sqlstate(fuzz_error.sqlerrcode), texts[m], i + 1, j + 1);
		}
	}
}

static void
fuzz_tallies_by_group(FuzzInput *in)
{
	FuzzPlan	plan = fuzz_read_plan(in);
	uint8		shape = fin_u8(in);
	int			missing = fin_u8(in);	/* a group with no student_group row, if < 63 */
	bool		variadic = (shape >> 3) % 16 == 0;
	int			k = variadic ? 1 : 1 + shape % MAX_VALUES;
	int			width = 1 + k;	/* aggregated arguments: the mask, the values */
	Oid			types[1 + MAX_VALUES];
	bool		supported = true;
	bool		domain = false;
	bool		numeric_errors = false;
	NullableDatum *rows = palloc(sizeof(NullableDatum) * width * MAX_ROWS);
	NullableDatum *refs = palloc(sizeof(NullableDatum) * MAX_VALUES * MAX_ROWS);
	bool	   *in_range = palloc(sizeof(bool) * MAX_VALUES * MAX_ROWS);
	FuzzSums   *sums = palloc(sizeof(FuzzSums) * NBITS * MAX_VALUES);
	bool		boolean[MAX_VALUES];
	const Tally *serial[NBITS * MAX_VALUES];
	FuzzExpect	e = {0};
	OnePass		op;
	NullableDatum result;
	int			nrows = 0;
	int			sqlerrcode;
	bool		ok;
	int			bit;
	int			i,
				j;

	types[0] = INT8OID;
	for (j = 0; j < k; j++)
	{
		uint8		t = fin_u8(in);

		if (variadic)
			types[1 + j] = INT4ARRAYOID;
		else if (t % 32 == 30)
		{
			/* A domain over integer: passed to "any" as the domain. */
			types[1 + j] = FUZZ_SCORE_OID;
			domain = true;
		}
		else if (t % 32 == 31)
		{
			types[1 + j] = other_types[(t >> 5) % lengthof(other_types)];
			supported = false;
		}
		else
			types[1 + j] = value_types[t % lengthof(value_types)];
	}
	for (i = 0; i < NBITS * MAX_VALUES; i++)
		fuzz_sums_init(&sums[i]);

	while (fin_more(in) && nrows < MAX_ROWS)
	{
		uint8		tag = fin_u8(in);
		NullableDatum *row = &rows[width * nrows];
		NullableDatum *ref = &refs[MAX_VALUES * nrows];
		bool	   *ok_value = &in_range[MAX_VALUES * nrows];
		bool		any = false;
		int64		mask;

		nrows++;
		row[0] = draw_mask(in, tag);
		for (j = 0; j < k; j++)
		{
			row[1 + j] = draw_value(in, types[1 + j], &ref[j], &ok_value[j]);
			any |= !row[1 + j].isnull;
		}
		if (row[0].isnull)
			continue;			/* no groups: the values are not even read */
		mask = DatumGetInt64(row[0].value);
		if (mask < 0)
		{
			if (any)
				fuzz_expect_must(&e, ERRCODE_INVALID_PARAMETER_VALUE);
			else
				fuzz_expect_may(&e, ERRCODE_INVALID_PARAMETER_VALUE);
			continue;
		}
		for (j = 0; j < k; j++)
		{
			double		x;

			if (!ok_value[j])
			{
				/* beyond the range of a double: sqii's 22003 */
				fuzz_expect_must(&e, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
				numeric_errors = true;
				continue;
			}
			if (ref[j].isnull)
				continue;
			x = types[1 + j] == BOOLOID ? (DatumGetBool(ref[j].value) ? 1.0 : 0.0) :
				DatumGetFloat8(ref[j].value);
			if (mask == 0 && !isfinite(x))
				fuzz_expect_may(&e, ERRCODE_DATA_EXCEPTION);
			for (bit = 0; bit < NBITS; bit++)
				if ((mask & (INT64CONST(1) << bit)) != 0)
					fuzz_sums_add(&sums[bit * MAX_VALUES + j], x);
		}
	}
	if (nrows > 0 && (variadic || !supported))
	{
		/* The argument types are resolved on the first row, before anything else. */
		memset(&e, 0, sizeof(e));
		fuzz_expect_must(&e, variadic ? ERRCODE_FEATURE_NOT_SUPPORTED : ERRCODE_DATATYPE_MISMATCH);
	}
	else
	{
		for (i = 0; i < NBITS * MAX_VALUES; i++)
			fuzz_expect_sums(&e, &sums[i]);
	}

	for (j = 0; j < k; j++)
		boolean[j] = types[1 + j] == BOOLOID;
	one_pass_agg(&op.agg, tallies_by_group_accum, tallies_by_group_final, width, rows, nrows);
	op.agg.trans_expr = fuzz_transfn_expr(width, types, variadic);
	op.name = "sqii.tallies_by_group";
	op.ndim = 2;
	op.k = k;
	op.refs = refs;
	op.refstride = MAX_VALUES;
	op.boolean = boolean;
	op.sums = sums;
	op.sumstride = MAX_VALUES;
	op.e = e;

	ok = fuzz_agg_run(&op.agg, &fuzz_serial_plan, &result);
	sqlerrcode = ok ? 0 : fuzz_error.sqlerrcode;
	if (domain && supported && !variadic && sqlerrcode == ERRCODE_DATATYPE_MISMATCH)
		fuzz_fail("tallies_by_group rejects a domain over integer, which "
				  "tally_by_group takes: %s", fuzz_error.message);
	fuzz_check_outcome(&e, ok, "serial tallies_by_group");
	if (!ok)
		check_no_value_in_error(rows, width, nrows, types);
	else
		read_grid(result, 2, k, serial);
	if (k == 1 && supported && !variadic && !numeric_errors)
		check_like_tally_by_group(rows, refs, nrows, boolean[0], ok, sqlerrcode, serial);
	if (!ok)
		return;
	check_grid(&op, serial);
	check_rows_of_result(result, missing < NBITS ? missing : -1);
	check_other_plans(&op, &plan, serial);
}

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	FuzzInput	in = {data, size, 0};

	uint8		mode;

	fuzz_reset();
	mode = fin_u8(&in);
	if (mode >= 0xC0)
	{
		if (mode % 4 == 3)
			fuzz_group_tally_rows(&in);
		else
			fuzz_tallies_by_group(&in);
		return 0;
	}
	switch (mode % 3)
	{
		case 0:
			fuzz_tally_by_group(&in, true);
			break;
		case 1:
			fuzz_tally_by_group(&in, false);
			break;
		default:
			fuzz_group_mask(&in);
			break;
	}
	return 0;
}
