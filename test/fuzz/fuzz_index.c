/*
 * fuzz_index.c
 *	  The state of sqii.sqii_index and sqii.explain (src/sqii_index.c): the
 *	  transition function on fuzzer-built cells, run serially and as a
 *	  fuzzer-chosen parallel plan (rows shuffled, split among up to three
 *	  partial states, serialized or not, combined in either order), and the
 *	  deserialize function on arbitrary bytes.
 *
 * Input: a byte choosing six or seven arguments, three plan bytes, a byte
 * giving the number of rows, the rows (each a kind byte, then what it asks
 * for), and the rest of the input as a serialized state.  Invariants:
 *	- every plan raises an error exactly when a row breaks a documented rule
 *	  (a NULL model, level, indicator or group: 22004; n < 1 or students
 *	  surveyed < 1 or < n: 22023; a value without n: 22004; NaN or infinity:
 *	  22000) or the rows name two models or levels (22023), with one of the
 *	  SQLSTATEs the rows allow;
 *	- otherwise every plan collects the same cells: the same multiset of
 *	  (indicator, group, value bits, n, students surveyed) as the serial plan;
 *	- deserialize either rejects arbitrary bytes with a protocol or binary
 *	  representation error, or accepts a state that serializes and
 *	  deserializes again to the same cells (and passes the assert-only state
 *	  check).
 * The final functions read the model through SPI; they are tested in the
 * pg_regress suite (test/sql/sqii_index.sql).
 */
#include "fuzz_common.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

extern Datum index_accum(PG_FUNCTION_ARGS);
extern Datum index_combine(PG_FUNCTION_ARGS);
extern Datum index_serialize(PG_FUNCTION_ARGS);
extern Datum index_deserialize(PG_FUNCTION_ARGS);

#define MAX_ROWS 64
#define NARGS_MAX 7

static const char *const names[] = {"ALL", "EL", "ela_performance", "", "x", "sel_survey", "HI", "SED"};
static const char *const models[] = {"core-2016", "m"};
static const char *const levels[] = {"middle", "high"};

/* A NULL state travels as NULL; the final step of a plan is the serialized state. */
static Datum
serialize_or_null(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return index_serialize(fcinfo);
}

/* One collected cell, as the serialized state holds it. */
typedef struct Cell
{
	const char *indicator;
	const char *group;
	uint8		flags;
	uint64		value_bits;
	int64		n;
	int64		eligible;
} Cell;

static int
cell_cmp(const void *a, const void *b)
{
	const Cell *x = a;
	const Cell *y = b;
	int			c;

	if ((c = strcmp(x->indicator, y->indicator)) != 0 || (c = strcmp(x->group, y->group)) != 0)
		return c;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	if (x->value_bits != y->value_bits)
		return x->value_bits < y->value_bits ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return (x->eligible > y->eligible) - (x->eligible < y->eligible);
}

static char *
get_str(StringInfo buf)
{
	int			len = pq_getmsgint(buf, 4);
	char	   *s = palloc(len + 1);

	pq_copymsgbytes(buf, s, len);
	s[len] = '\0';
	return s;
}

/*
 * The cells of a serialized state (the format of index_serialize), sorted:
 * states built in different orders compare equal when they hold the same
 * cells.
 */
static Cell *
parse_state(bytea *b, int *ncells, char **model, char **level)
{
	StringInfoData buf;
	char	  **ids;
	int			nnames;
	Cell	   *cells;
	int			i;

	buf.data = VARDATA(b);
	buf.len = VARSIZE(b) - VARHDRSZ;
	buf.cursor = 0;
	*model = get_str(&buf);
	*level = get_str(&buf);
	nnames = pq_getmsgint(&buf, 4);
	ids = palloc(sizeof(char *) * (nnames + 1));
	for (i = 0; i < nnames; i++)
		ids[i] = get_str(&buf);
	*ncells = pq_getmsgint(&buf, 4);
	cells = palloc(sizeof(Cell) * (*ncells + 1));
	for (i = 0; i < *ncells; i++)
	{
		int			ind = (int16) pq_getmsgint(&buf, 2);
		int			grp = (int16) pq_getmsgint(&buf, 2);

		FUZZ_CHECK(ind >= 0 && ind < nnames && grp >= 0 && grp < nnames, "name id out of range");
		cells[i].indicator = ids[ind];
		cells[i].group = ids[grp];
		cells[i].flags = pq_getmsgbyte(&buf);
		cells[i].value_bits = (uint64) pq_getmsgint64(&buf);
		cells[i].n = pq_getmsgint64(&buf);
		cells[i].eligible = pq_getmsgint64(&buf);
	}
	pq_getmsgend(&buf);
	qsort(cells, *ncells, sizeof(Cell), cell_cmp);
	return cells;
}

static void
check_same_cells(bytea *a, bytea *b, const char *what)
{
	int			na,
				nb;
	char	   *ma,
			   *mb,
			   *la,
			   *lb;
	Cell	   *ca = parse_state(a, &na, &ma, &la);
	Cell	   *cb = parse_state(b, &nb, &mb, &lb);
	int			i;

	FUZZ_CHECK(strcmp(ma, mb) == 0 && strcmp(la, lb) == 0, "%s: model or level differ", what);
	FUZZ_CHECK(na == nb, "%s: %d cells against %d", what, na, nb);
	for (i = 0; i < na; i++)
		FUZZ_CHECK(cell_cmp(&ca[i], &cb[i]) == 0, "%s: cell %d differs", what, i);
}

/* The SQLSTATEs a row may raise; 0 when it is valid. */
static int
row_error(const NullableDatum *row, int nargs)
{
	int			i;

	for (i = 0; i < 4; i++)
		if (row[i].isnull)
			return ERRCODE_NULL_VALUE_NOT_ALLOWED;
	if (!row[5].isnull && DatumGetInt64(row[5].value) <= 0)
		return ERRCODE_INVALID_PARAMETER_VALUE;
	if (!row[4].isnull && row[5].isnull)
		return ERRCODE_NULL_VALUE_NOT_ALLOWED;
	if (!row[4].isnull && !isfinite(DatumGetFloat8(row[4].value)))
		return ERRCODE_DATA_EXCEPTION;
	if (nargs == 7 && !row[6].isnull &&
		(DatumGetInt64(row[6].value) <= 0 ||
		 (!row[5].isnull && DatumGetInt64(row[6].value) < DatumGetInt64(row[5].value))))
		return ERRCODE_INVALID_PARAMETER_VALUE;
	return 0;
}

static void
allow(int *allowed, int *nallowed, int sqlerrcode)
{
	int			i;

	for (i = 0; i < *nallowed; i++)
		if (allowed[i] == sqlerrcode)
			return;
	if (*nallowed == 8)
		abort();
	allowed[(*nallowed)++] = sqlerrcode;
}

static NullableDatum
text_arg(const char *s)
{
	return fuzz_value(PointerGetDatum(cstring_to_text(s)));
}

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	FuzzInput	in = {data, size, 0};
	NullableDatum rows[MAX_ROWS * NARGS_MAX];
	int			allowed[8];		/* distinct SQLSTATEs the rows allow */
	int			nallowed = 0;
	int			nargs;
	int			nrows;
	FuzzPlan	plan;
	FuzzAgg		agg = {0};
	NullableDatum serial;
	NullableDatum planned;
	bool		ok_serial;
	bool		ok_plan;
	bool		mixed = false;
	int			first_model = -1;
	int			first_level = -1;
	int			r;

	fuzz_reset();
	nargs = (fin_u8(&in) & 1) ? 7 : 6;
	plan = fuzz_read_plan(&in);
	nrows = fin_u8(&in) % (MAX_ROWS + 1);
	for (r = 0; r < nrows; r++)
	{
		NullableDatum *row = &rows[r * nargs];
		uint8		kind = fin_u8(&in);
		uint8		pick = fin_u8(&in);
		int			m = (kind & 0x01) ? 1 : 0;
		int			l = (kind & 0x02) ? 1 : 0;
		int			err;

		row[0] = (kind & 0x80) && (pick & 0x01) ? fuzz_null() : text_arg(models[m]);
		row[1] = (kind & 0x80) && (pick & 0x02) ? fuzz_null() : text_arg(levels[l]);
		row[2] = (kind & 0x80) && (pick & 0x04) ? fuzz_null() : text_arg(names[(pick >> 3) % lengthof(names)]);
		row[3] = (kind & 0x80) && (pick & 0x40) ? fuzz_null() : text_arg(names[fin_u8(&in) % lengthof(names)]);
		row[4] = (kind & 0x04) ? fuzz_null() : fuzz_value(Float8GetDatum(fin_double(&in)));
		row[5] = (kind & 0x08) ? fuzz_null() : fuzz_value(Int64GetDatum((int64) (int16) fin_u16(&in)));
		if (nargs == 7)
			row[6] = (kind & 0x10) ? fuzz_null() : fuzz_value(Int64GetDatum((int64) (int16) fin_u16(&in)));
		err = row_error(row, nargs);
		if (err != 0)
			allow(allowed, &nallowed, err);
		if (!row[0].isnull && !row[1].isnull)
		{
			if (first_model < 0)
			{
				first_model = m;
				first_level = l;
			}
			else if (m != first_model || l != first_level)
				mixed = true;
		}
	}
	if (mixed)
		allow(allowed, &nallowed, ERRCODE_INVALID_PARAMETER_VALUE);

	agg.transfn = index_accum;
	agg.combinefn = index_combine;
	agg.serialfn = index_serialize;
	agg.deserialfn = index_deserialize;
	agg.finalfn = serialize_or_null;
	agg.nargs = nargs;
	agg.nrows = nrows;
	agg.rows = rows;
	ok_serial = fuzz_agg_run(&agg, &fuzz_serial_plan, &serial);
	ok_plan = fuzz_agg_run(&agg, &plan, &planned);
	FUZZ_CHECK(ok_serial == (nallowed == 0), "serial plan: error %s, expected %s",
			   ok_serial ? "none" : fuzz_error.message, nallowed == 0 ? "none" : "one");
	FUZZ_CHECK(ok_plan == ok_serial, "the parallel plan disagrees with the serial one on erroring");
	if (!ok_plan)
	{
		bool		found = false;
		int			i;

		fuzz_check_error_sane();
		for (i = 0; i < nallowed; i++)
			found |= allowed[i] == fuzz_error.sqlerrcode;
		FUZZ_CHECK(found, "unexpected SQLSTATE %s: %s", fuzz_sqlstate(fuzz_error.sqlerrcode), fuzz_error.message);
	}
	else
	{
		FUZZ_CHECK(serial.isnull == (nrows == 0) && planned.isnull == (nrows == 0), "NULL state");
		if (!serial.isnull)
			check_same_cells(DatumGetByteaPP(serial.value), DatumGetByteaPP(planned.value), "plan");
	}

	/* The rest of the input as a serialized state. */
	{
		size_t		len = in.size - in.pos;
		bytea	   *b = palloc(VARHDRSZ + len);
		NullableDatum args[2];
		NullableDatum state;
		NullableDatum again;

		SET_VARSIZE(b, VARHDRSZ + len);
		memcpy(VARDATA(b), in.data + in.pos, len);
		args[0] = fuzz_value(PointerGetDatum(b));
		args[1] = fuzz_null();
		if (!fuzz_agg_call(index_deserialize, 2, args, &state))
		{
			fuzz_check_error_sane();
			FUZZ_CHECK(fuzz_error.sqlerrcode == ERRCODE_PROTOCOL_VIOLATION ||
					   fuzz_error.sqlerrcode == ERRCODE_INVALID_BINARY_REPRESENTATION ||
					   fuzz_error.sqlerrcode == ERRCODE_PROGRAM_LIMIT_EXCEEDED,
					   "deserialize: unexpected SQLSTATE %s", fuzz_sqlstate(fuzz_error.sqlerrcode));
		}
		else
		{
			FUZZ_CHECK(!state.isnull, "deserialize returned NULL");
			args[0] = state;
			FUZZ_CHECK(fuzz_agg_call(index_serialize, 1, args, &again), "serialize of a deserialized state failed");
			args[0] = again;
			args[1] = fuzz_null();
			FUZZ_CHECK(fuzz_agg_call(index_deserialize, 2, args, &state), "a serialized state did not deserialize");
			args[0] = state;
			{
				NullableDatum third;

				FUZZ_CHECK(fuzz_agg_call(index_serialize, 1, args, &third), "serialize failed");
				check_same_cells(DatumGetByteaPP(again.value), DatumGetByteaPP(third.value), "round trip");
			}
		}
	}
	return 0;
}
