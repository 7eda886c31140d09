/*
 * fuzz_tally_in.c
 *	  (a) The text input of sqii.tally on arbitrary bytes.
 *
 * Invariants: tally_in either raises 22P02 (syntax) or 22023 (a rule of
 * the type), through ereport, or returns a tally that CheckTally accepts;
 * an accepted tally's tally_out text reads back to the identical bits (and
 * prints the same text again), and so does its binary form; the readers and
 * operators keep their contracts on it.
 */
#include "fuzz_common.h"

#include <math.h>

int			LLVMFuzzerTestOneInput(const uint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8 *data, size_t size)
{
	FmgrInfo	fl;
	NullableDatum args[3];
	Datum		r;
	bool		isnull;
	char	   *input;
	const Tally *t;

	fuzz_reset();
	/* A cstring: the server stops at the first NUL. */
	input = palloc(size + 1);
	memcpy(input, data, size);
	input[size] = '\0';

	fuzz_flinfo_init(&fl, tally_in, 3);
	args[0].value = CStringGetDatum(input);
	args[0].isnull = false;
	args[1].value = ObjectIdGetDatum(FUZZ_TALLY_OID);
	args[1].isnull = false;
	args[2].value = Int32GetDatum(-1);
	args[2].isnull = false;
	if (!fuzz_call(tally_in, &fl, NULL, 3, args, &r, &isnull))
	{
		FUZZ_CHECK(fuzz_error.sqlerrcode == ERRCODE_INVALID_TEXT_REPRESENTATION ||
				   fuzz_error.sqlerrcode == ERRCODE_INVALID_PARAMETER_VALUE,
				   "tally_in raised %s", fuzz_sqlstate(fuzz_error.sqlerrcode));
		return 0;
	}
	FUZZ_CHECK(!isnull, "tally_in returned NULL");
	t = (const Tally *) DatumGetPointer(r);

	/* The documented rules, checked independently of CheckTally. */
	FUZZ_CHECK(t->n >= 0 && t->n <= TALLY_MAX_N, "n out of range: %s", fuzz_tally_str(t));
	FUZZ_CHECK(isfinite(t->sum) && isfinite(t->sumsq) && t->sumsq >= 0,
			   "sums: %s", fuzz_tally_str(t));
	FUZZ_CHECK(t->n != 0 || (t->sum == 0 && t->sumsq == 0), "empty tally with sums: %s",
			   fuzz_tally_str(t));
	FUZZ_CHECK(fuzz_tally_valid(t), "tally_in accepted what CheckTally rejects: %s",
			   fuzz_tally_str(t));

	fuzz_check_text_round_trip(t);
	fuzz_check_binary_round_trip(t);
	fuzz_check_readers(t, 0);
	fuzz_check_readers(t, (int32) (t->n & 0x3F) - 8);
	fuzz_check_tally_ops(t, t);
	return 0;
}
