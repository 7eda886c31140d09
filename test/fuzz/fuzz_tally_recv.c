/*
 * fuzz_tally_recv.c
 *	  (b) The binary receive function of sqii.tally on arbitrary bytes.
 *
 * The input is the field as the server hands it to typreceive (the whole
 * buffer, NUL-terminated, cursor 0).  Invariants: fewer than 24 bytes is a
 * protocol violation (08P01); otherwise tally_recv consumes exactly 24
 * bytes and accepts exactly the tallies the documented rules allow
 * (22023 otherwise); accepted tallies round-trip through text and binary.
 * When 24 more bytes follow, they are read as a second tally (as a
 * composite's receive would continue in the same buffer) and the binary
 * operators are checked on the pair.
 */
#include "fuzz_common.h"

#include <float.h>
#include <math.h>

#include "lib/stringinfo.h"

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

/* Big-endian decoding written independently of pqformat. */
static Tally
decode_tally(const uint8 *p)
{
	Tally		t;
	uint64		w[3];
	int			i,
				j;

	for (i = 0; i < 3; i++)
	{
		w[i] = 0;
		for (j = 0; j < 8; j++)
			w[i] = (w[i] << 8) | p[8 * i + j];
	}
	memcpy(&t.n, &w[0], 8);
	memcpy(&t.sum, &w[1], 8);
	memcpy(&t.sumsq, &w[2], 8);
	return t;
}

/*
 * README "Storage": 0 <= n <= 2^53, finite sums, sumsq >= 0, zero sums when
 * n = 0, and sum^2 <= n * sumsq within rounding (CheckTally's 1e-9, plus
 * n^2 * DBL_TRUE_MIN for squares that underflowed).  Computed in long double,
 * which neither overflows nor underflows here: 1 valid, 0 invalid, -1 too
 * close to the boundary for the two arithmetics to agree.
 */
static int
reference_valid(const Tally *t)
{
	long double lhs;
	long double rhs;

	if (t->n < 0 || t->n > ((int64) 1 << 53))
		return 0;
	if (!isfinite(t->sum) || !isfinite(t->sumsq) || t->sumsq < 0)
		return 0;
	if (t->n == 0 && (t->sum != 0 || t->sumsq != 0))
		return 0;
	lhs = (long double) t->sum * t->sum;
	rhs = (long double) t->n * t->sumsq * (1 + 1e-9L) + (long double) t->n * t->n * DBL_TRUE_MIN;
	if (lhs <= rhs * (1 - 1e-12L))
		return 1;
	if (lhs > rhs * (1 + 1e-12L))
		return 0;
	return -1;
}

static bool
recv_one(StringInfo buf, const Tally **out)
{
	FmgrInfo	fl;
	NullableDatum args[3];
	Datum		r;
	bool		isnull;

	fuzz_flinfo_init(&fl, tally_recv, 3);
	args[0].value = PointerGetDatum(buf);
	args[0].isnull = false;
	args[1].value = ObjectIdGetDatum(FUZZ_TALLY_OID);
	args[1].isnull = false;
	args[2].value = Int32GetDatum(-1);
	args[2].isnull = false;
	if (!fuzz_call(tally_recv, &fl, NULL, 3, args, &r, &isnull))
		return false;
	FUZZ_CHECK(!isnull, "tally_recv returned NULL");
	*out = (const Tally *) DatumGetPointer(r);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	StringInfoData buf;
	const Tally *a = NULL;
	const Tally *b = NULL;
	int			start;
	bool		ok;

	fuzz_reset();
	if (size > 4096)
		return 0;
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, (const char *) data, (int) size);

	ok = recv_one(&buf, &a);
	if (size < 24)
	{
		FUZZ_CHECK(!ok && fuzz_error.sqlerrcode == ERRCODE_PROTOCOL_VIOLATION,
				   "short message (%zu bytes) not a protocol violation", size);
		return 0;
	}
	{
		Tally		ref = decode_tally(data);
		int			expect = reference_valid(&ref);

		if (!ok)
		{
			FUZZ_CHECK(fuzz_error.sqlerrcode == ERRCODE_INVALID_PARAMETER_VALUE,
					   "tally_recv raised %s", fuzz_sqlstate(fuzz_error.sqlerrcode));
			FUZZ_CHECK(expect != 1, "tally_recv rejected valid %s", fuzz_tally_str(&ref));
			return 0;
		}
		FUZZ_CHECK(expect != 0, "tally_recv accepted invalid %s", fuzz_tally_str(&ref));
		FUZZ_CHECK(tally_bits_equal(a, &ref), "tally_recv decoded %s, expected %s",
				   fuzz_tally_str(a), fuzz_tally_str(&ref));
		FUZZ_CHECK(buf.cursor == 24, "tally_recv consumed %d bytes", buf.cursor);
	}

	fuzz_check_text_round_trip(a);
	fuzz_check_binary_round_trip(a);
	fuzz_check_readers(a, size > 48 ? (int32) (int8) data[48] : 20);

	/* A second tally right after the first. */
	start = buf.cursor;
	if (size - start >= 24 && recv_one(&buf, &b))
	{
		FUZZ_CHECK(buf.cursor == start + 24, "second tally_recv consumed %d bytes",
				   buf.cursor - start);
		fuzz_check_tally_ops(a, b);
		fuzz_check_tally_ops(b, a);
	}
	else
		fuzz_check_tally_ops(a, a);
	return 0;
}
