/*
 * fuzz_groups.c
 *	  (e) Student groups, src/groups.c: the one-pass aggregate
 *	  sqii.tally_by_group(mask, boolean | double precision) run serially,
 *	  reversed and as a fuzzer-chosen parallel plan, and sqii.group_mask /
 *	  sqii.groups against fuzzer-built group tables (pg_stubs.c's SPI).
 *
 * The first byte picks the mode.  Invariants:
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
 *	  order; the group tables are read once per call site.
 *
 * The tallies_by_group aggregate and group_tally_rows are not harnessed.
 */
#include "fuzz_common.h"

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

#define NBITS 63				/* group bits 0 .. 62 (student_group CHECK) */
#define MAX_ROWS 128
#define MAX_EXTRA 59			/* flags 6 .. 64 */

/* ---- the one-pass aggregate --------------------------------------------- */

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

/* The rows of one group, as sqii.tally(x) would see them. */
static NullableDatum
tally_of_group(const NullableDatum *rows, int nrows, int bit, bool boolean)
{
	NullableDatum *values = palloc(sizeof(NullableDatum) * (nrows + 1));
	NullableDatum t;
	int			n = 0;
	int			i;

	for (i = 0; i < nrows; i++)
	{
		const NullableDatum *row = &rows[2 * i];

		if (!row[0].isnull && DatumGetInt64(row[0].value) >= 0 &&
			(DatumGetInt64(row[0].value) & (INT64CONST(1) << bit)) != 0)
			values[n++] = row[1];
	}
	if (!fuzz_tally_of(values, n, boolean, &t))
		fuzz_fail("sqii.tally of group bit %d failed where sqii.tally_by_group succeeded", bit);
	return t;
}

/* The result's elements, NULL-padded to all 63 bits. */
static void
result_tallies(NullableDatum result, const Tally **tallies)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			bit;

	memset(tallies, 0, sizeof(Tally *) * NBITS);
	if (result.isnull)
		return;
	arr = DatumGetArrayTypeP(result.value);
	FUZZ_CHECK(ARR_NDIM(arr) == 1 && ARR_LBOUND(arr)[0] == 1 && ARR_ELEMTYPE(arr) == FUZZ_TALLY_OID,
			   "tally_by_group result: %d dimensions", ARR_NDIM(arr));
	deconstruct_array(arr, FUZZ_TALLY_OID, sizeof(Tally), false, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	FUZZ_CHECK(n >= 1 && n <= NBITS && !nulls[n - 1],
			   "tally_by_group result of %d elements (1 .. 63, the last one set)", n);
	for (bit = 0; bit < n; bit++)
		tallies[bit] = nulls[bit] ? NULL : DatumGetTallyP(elems[bit]);
}

static void
fuzz_tally_by_group(FuzzInput *in, bool boolean)
{
	FuzzPlan	plan = fuzz_read_plan(in);
	NullableDatum *rows = palloc(sizeof(NullableDatum) * 2 * MAX_ROWS);
	FuzzSums   *sums = palloc(sizeof(FuzzSums) * NBITS);
	FuzzExpect	e = {0};
	FuzzAgg		agg = {0};
	const Tally *serial[NBITS];
	const Tally *other[NBITS];
	NullableDatum result;
	int			nrows = 0;
	int			bit;
	bool		ok;
	int			p;

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

	agg.transfn = boolean ? tally_by_group_bool_accum : tally_by_group_float8_accum;
	agg.combinefn = tally_by_group_combine;
	agg.serialfn = tally_by_group_serialize;
	agg.deserialfn = tally_by_group_deserialize;
	agg.finalfn = tally_by_group_final;
	agg.nargs = 2;
	agg.nrows = nrows;
	agg.rows = rows;

	ok = fuzz_agg_run(&agg, &fuzz_serial_plan, &result);
	fuzz_check_outcome(&e, ok, "serial tally_by_group");
	if (!ok)
		return;
	result_tallies(result, serial);
	for (bit = 0; bit < NBITS; bit++)
	{
		const Tally *t = serial[bit];
		NullableDatum ref;

		FUZZ_CHECK((t == NULL) == (sums[bit].n == 0 && !sums[bit].nonfinite),
				   "group bit %d: %s with %lld values", bit, t ? "a tally" : "NULL",
				   (long long) sums[bit].n);
		if (t == NULL)
			continue;
		FUZZ_CHECK(t->n == sums[bit].n, "group bit %d: n %lld, expected %lld", bit,
				   (long long) t->n, (long long) sums[bit].n);
		ref = tally_of_group(rows, nrows, bit, boolean);
		FUZZ_CHECK(!ref.isnull && tally_bits_equal(t, DatumGetTallyP(ref.value)),
				   "group bit %d: %s, but sqii.tally of its rows is %s", bit, fuzz_tally_str(t),
				   ref.isnull ? "NULL" : fuzz_tally_str(DatumGetTallyP(ref.value)));
		fuzz_check_result_tally(t, "sqii.tally_by_group");
	}

	for (p = 0; p < 2; p++)
	{
		const char *what = p == 0 ? "reversed tally_by_group" : "parallel tally_by_group";

		ok = fuzz_agg_run(&agg, p == 0 ? &fuzz_reversed_plan : &plan, &result);
		fuzz_check_outcome(&e, ok, what);
		if (!ok)
			continue;
		result_tallies(result, other);
		for (bit = 0; bit < NBITS; bit++)
		{
			FUZZ_CHECK((serial[bit] == NULL) == (other[bit] == NULL),
					   "%s: group bit %d NULL in one plan only", what, bit);
			if (serial[bit] != NULL)
				fuzz_check_same_tally(serial[bit], other[bit], &sums[bit], what);
		}
	}
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

/* Rows that satisfy the tables' constraints, as LoadGroupMap's join returns them. */
static void
draw_tables(FuzzInput *in, GroupTables *g)
{
	int			ngroups = 1 + fin_u8(in) % MAX_GROUPS_DRAWN;
	int			i,
				bit;

	memset(g, 0, sizeof(*g));
	for (bit = 0; bit < NBITS; bit++)
		g->kind_of_bit[bit] = -1;
	for (i = 0; i <= 64; i++)
		g->bit_of_flag[i] = -1;
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

	/* ORDER BY g.bit: one row per race code, one with no code otherwise. */
	fuzz_group_rows = palloc0(sizeof(FuzzGroupRow) * (NBITS + MAX_CODES));
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

/* A text datum, sometimes with the 1-byte header of a short stored value. */
static Datum
make_text(const char *s, bool short_header)
{
	int			len = strlen(s);
	char	   *p;

	if (!short_header)
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
		text	   *code;

		if ((mask & (UINT64CONST(1) << bit)) == 0)
			continue;
		snprintf(expected, sizeof(expected), "G%d", bit);
		FUZZ_CHECK(i < n && !nulls[i], "sqii.groups: %d codes, mask has more", n);
		code = DatumGetTextPP(elems[i]);
		FUZZ_CHECK(VARSIZE_ANY_EXHDR(code) == strlen(expected) &&
				   memcmp(VARDATA_ANY(code), expected, strlen(expected)) == 0,
				   "sqii.groups: code %d is not %s", i + 1, expected);
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

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	FuzzInput	in = {data, size, 0};

	fuzz_reset();
	switch (fin_u8(&in) % 3)
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
