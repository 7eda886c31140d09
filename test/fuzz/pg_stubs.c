/*
 * pg_stubs.c
 *	  The few backend symbols sqii's C sources need, emulated outside the
 *	  server for the libFuzzer harnesses.
 *
 * Fidelity where it matters to sqii:
 *	- palloc & co. enforce the server's request-size limits, hand out
 *	  separately malloc'd chunks (so ASan sees every overrun), fill new
 *	  memory with 0x7F like a RANDOMIZE_ALLOCATED_MEMORY build, and are all
 *	  freed at the end of each fuzz input (a memory context reset).
 *	- ereport/elog: ERROR and above siglongjmp back to the harness with the
 *	  SQLSTATE and formatted texts recorded; the default SQLSTATE of an
 *	  ERROR without errcode() is XX000, as in elog.c.
 *	- pq_* and StringInfo follow src/backend/libpq/pqformat.c and
 *	  src/common/stringinfo.c (same errors on short messages).
 *	- construct_md_array/deconstruct_array produce and read the server's
 *	  on-disk array layout (dims, lower bounds, null bitmap, alignment).
 *	- SPI, lsyscache: a fake catalog the harness fills (fuzz_group_rows).
 *	- get_fn_expr_argtype/_variadic read a FuncExpr of Params as nodeAgg
 *	  builds for a transition function (fuzz_transfn_expr); numeric is its
 *	  numeric_out text, converted as numeric_float8_no_overflow converts it.
 *	- InitMaterializedSRF and tuplestore_putvalues keep copies of the rows
 *	  a set-returning function returns (fuzz_call_srf).
 * double_to_shortest_decimal_buf, hash_bytes and pg_qsort are PostgreSQL's
 * own code, linked from libpgcommon.a / libpgport.a.
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "nodes/execnodes.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "fuzz_common.h"

/* ======================================================================
 * Memory: every chunk is one malloc, tracked so fuzz_reset() frees all.
 * ====================================================================== */

typedef struct Chunk
{
	void	   *ptr;
	Size		size;
} Chunk;

static Chunk *chunks;
static size_t nchunks;
static size_t chunks_cap;

/* Never dereferenced by sqii: contexts are only passed around. */
static char fake_context_storage[64];
MemoryContext CurrentMemoryContext = (MemoryContext) fake_context_storage;
MemoryContext TopMemoryContext = (MemoryContext) fake_context_storage;

static void
track(void *p, Size size)
{
	if (nchunks == chunks_cap)
	{
		chunks_cap = chunks_cap ? chunks_cap * 2 : 256;
		chunks = realloc(chunks, chunks_cap * sizeof(Chunk));
		if (chunks == NULL)
			abort();
	}
	chunks[nchunks].ptr = p;
	chunks[nchunks].size = size;
	nchunks++;
}

static size_t
find_chunk(void *p, const char *who)
{
	size_t		i;

	/* Most frees are of recent chunks: search from the end. */
	for (i = nchunks; i > 0; i--)
		if (chunks[i - 1].ptr == p)
			return i - 1;
	fprintf(stderr, "%s: pointer %p was not allocated by palloc (or was already freed)\n", who, p);
	abort();
}

static void *
alloc_chunk(Size size, bool huge, bool zero)
{
	void	   *p;

	if (huge ? !AllocHugeSizeIsValid(size) : !AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	p = malloc(size ? size : 1);
	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu.", size)));
	memset(p, zero ? 0 : 0x7F, size);
	track(p, size);
	return p;
}

void *
palloc(Size size)
{
	return alloc_chunk(size, false, false);
}

void *
palloc0(Size size)
{
	return alloc_chunk(size, false, true);
}

void *
palloc_extended(Size size, int flags)
{
	return alloc_chunk(size, (flags & MCXT_ALLOC_HUGE) != 0, (flags & MCXT_ALLOC_ZERO) != 0);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	if (context == NULL)
		fuzz_fail("MemoryContextAlloc with a NULL context");
	return alloc_chunk(size, false, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	if (context == NULL)
		fuzz_fail("MemoryContextAllocZero with a NULL context");
	return alloc_chunk(size, false, true);
}

char *
MemoryContextStrdup(MemoryContext context, const char *string)
{
	Size		len = strlen(string) + 1;
	char	   *p = MemoryContextAlloc(context, len);

	memcpy(p, string, len);
	return p;
}

char *
pstrdup(const char *in)
{
	return MemoryContextStrdup(CurrentMemoryContext, in);
}

void
pfree(void *pointer)
{
	size_t		i = find_chunk(pointer, "pfree");

	free(chunks[i].ptr);
	chunks[i] = chunks[--nchunks];
}

static void *
realloc_chunk(void *pointer, Size size, bool huge)
{
	size_t		i;
	void	   *p;

	if (huge ? !AllocHugeSizeIsValid(size) : !AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	i = find_chunk(pointer, "repalloc");
	/* Always move, so that a stale pointer to the old chunk is caught. */
	p = malloc(size ? size : 1);
	if (p == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	memset(p, 0x7F, size);
	memcpy(p, chunks[i].ptr, Min(size, chunks[i].size));
	free(chunks[i].ptr);
	chunks[i].ptr = p;
	chunks[i].size = size;
	return p;
}

void *
repalloc(void *pointer, Size size)
{
	return realloc_chunk(pointer, size, false);
}

void *
repalloc_huge(void *pointer, Size size)
{
	return realloc_chunk(pointer, size, true);
}

static void
free_all_chunks(void)
{
	while (nchunks > 0)
		free(chunks[--nchunks].ptr);
}

/* ======================================================================
 * Errors.
 * ====================================================================== */

FuzzError	fuzz_error;
sigjmp_buf *fuzz_error_jmp;
long		fuzz_error_count;

bool
errstart(int elevel, const char *domain)
{
	memset(&fuzz_error, 0, sizeof(fuzz_error));
	fuzz_error.elevel = elevel;
	if (elevel >= ERROR)
		fuzz_error.sqlerrcode = ERRCODE_INTERNAL_ERROR;
	else if (elevel == WARNING)
		fuzz_error.sqlerrcode = ERRCODE_WARNING;
	else
		fuzz_error.sqlerrcode = ERRCODE_SUCCESSFUL_COMPLETION;
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	fuzz_error.filename = filename;
	fuzz_error.lineno = lineno;
	fuzz_error.funcname = funcname;
	if (fuzz_error.elevel < ERROR)
		return;					/* NOTICE, WARNING: sqii raises none, but harmless */
	fuzz_error_count++;
	if (fuzz_error.elevel > ERROR)
		fuzz_fail("FATAL/PANIC raised");
	if (fuzz_error_jmp == NULL)
		fuzz_fail("ERROR raised outside any harness call");
	siglongjmp(*fuzz_error_jmp, 1);
}

int
errcode(int sqlerrcode)
{
	fuzz_error.sqlerrcode = sqlerrcode;
	fuzz_error.have_errcode = true;
	return 0;
}

#define FORMAT_INTO(buf, fmt) \
	do { \
		va_list		ap; \
		va_start(ap, fmt); \
		vsnprintf(buf, sizeof(buf), fmt, ap); \
		va_end(ap); \
	} while (0)

int
errmsg(const char *fmt,...)
{
	FORMAT_INTO(fuzz_error.message, fmt);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	FORMAT_INTO(fuzz_error.message, fmt);
	fuzz_error.internal = true;
	return 0;
}

int
errdetail(const char *fmt,...)
{
	FORMAT_INTO(fuzz_error.detail, fmt);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	FORMAT_INTO(fuzz_error.detail, fmt);
	return 0;
}

int
errhint(const char *fmt,...)
{
	FORMAT_INTO(fuzz_error.hint, fmt);
	return 0;
}

void
ExceptionalCondition(const char *conditionName, const char *errorType,
					 const char *fileName, int lineNumber)
{
	fprintf(stderr, "TRAP: %s(\"%s\", File: \"%s\", Line: %d)\n",
			errorType, conditionName, fileName, lineNumber);
	abort();
}

/* ======================================================================
 * Strings (src/common/stringinfo.c, psprintf.c: backend behaviour).
 * ====================================================================== */

void
initStringInfo(StringInfo str)
{
	int			size = 1024;

	str->data = (char *) palloc(size);
	str->maxlen = size;
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0)
		elog(ERROR, "invalid string enlargement request size: %d", needed);
	if (((Size) needed) >= (MaxAllocSize - (Size) str->len))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("out of memory"),
				 errdetail("Cannot enlarge string buffer containing %d bytes by %d more bytes.",
						   str->len, needed)));
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	if (newlen > (int) MaxAllocSize)
		newlen = (int) MaxAllocSize;
	str->data = (char *) repalloc(str->data, newlen);
	str->maxlen = newlen;
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	if (str->len + 1 >= str->maxlen)
		enlargeStringInfo(str, 1);
	str->data[str->len] = ch;
	str->len++;
	str->data[str->len] = '\0';
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	for (;;)
	{
		va_list		args;
		int			avail = str->maxlen - str->len;
		int			needed;

		va_start(args, fmt);
		needed = vsnprintf(str->data + str->len, avail, fmt, args);
		va_end(args);
		if (needed < 0)
			elog(ERROR, "vsnprintf failed");
		if (needed < avail)
		{
			str->len += needed;
			return;
		}
		enlargeStringInfo(str, needed);
	}
}

char *
psprintf(const char *fmt,...)
{
	size_t		len = 128;

	for (;;)
	{
		char	   *result = palloc(len);
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = vsnprintf(result, len, fmt, args);
		va_end(args);
		if (needed < 0)
			elog(ERROR, "vsnprintf failed");
		if ((size_t) needed < len)
			return result;
		pfree(result);
		len = needed + 1;
	}
}

text *
cstring_to_text(const char *s)
{
	int			len = strlen(s);
	text	   *result = (text *) palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

const char *
quote_identifier(const char *ident)
{
	/* The harness's schema name needs no quotes. */
	return ident;
}

/* ======================================================================
 * pqformat.c
 * ====================================================================== */

void
pq_begintypsend(StringInfo buf)
{
	initStringInfo(buf);
	/* Reserve four bytes for the bytea length word */
	appendStringInfoChar(buf, '\0');
	appendStringInfoChar(buf, '\0');
	appendStringInfoChar(buf, '\0');
	appendStringInfoChar(buf, '\0');
}

bytea *
pq_endtypsend(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	Assert(buf->len >= VARHDRSZ);
	SET_VARSIZE(result, buf->len);
	return result;
}

void
pq_sendfloat8(StringInfo buf, float8 f)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.f = f;
	pq_sendint64(buf, swap.i);
}

void
pq_copymsgbytes(StringInfo msg, char *buf, int datalen)
{
	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	memcpy(buf, &msg->data[msg->cursor], datalen);
	msg->cursor += datalen;
}

int
pq_getmsgbyte(StringInfo msg)
{
	if (msg->cursor >= msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("no data left in message")));
	return (unsigned char) msg->data[msg->cursor++];
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned int result;
	unsigned char n8;
	uint16		n16;
	uint32		n32;

	switch (b)
	{
		case 1:
			pq_copymsgbytes(msg, (char *) &n8, 1);
			result = n8;
			break;
		case 2:
			pq_copymsgbytes(msg, (char *) &n16, 2);
			result = pg_ntoh16(n16);
			break;
		case 4:
			pq_copymsgbytes(msg, (char *) &n32, 4);
			result = pg_ntoh32(n32);
			break;
		default:
			elog(ERROR, "unsupported integer size %d", b);
			result = 0;
			break;
	}
	return result;
}

int64
pq_getmsgint64(StringInfo msg)
{
	uint64		n64;

	pq_copymsgbytes(msg, (char *) &n64, sizeof(n64));
	return pg_ntoh64(n64);
}

float8
pq_getmsgfloat8(StringInfo msg)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.i = pq_getmsgint64(msg);
	return swap.f;
}

void
pq_getmsgend(StringInfo msg)
{
	if (msg->cursor != msg->len)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("invalid message format")));
}

/* ======================================================================
 * fmgr: detoasting (the harness only builds plain and short varlenas).
 * ====================================================================== */

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		fuzz_fail("pg_detoast_datum: toasted datum (the harness builds none)");
	if (VARATT_IS_SHORT(datum))
	{
		/* heap_tuple_untoast_attr: a copy with a 4-byte header */
		Size		data_size = VARSIZE_SHORT(datum) - VARHDRSZ_SHORT;
		struct varlena *result = (struct varlena *) palloc(data_size + VARHDRSZ);

		SET_VARSIZE(result, data_size + VARHDRSZ);
		memcpy(VARDATA(result), VARDATA_SHORT(datum), data_size);
		return result;
	}
	return datum;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		fuzz_fail("pg_detoast_datum_packed: toasted datum (the harness builds none)");
	return datum;
}

/* ======================================================================
 * Aggregates.
 * ====================================================================== */

int
AggCheckCallContext(FunctionCallInfo fcinfo, MemoryContext *aggcontext)
{
	if (fcinfo->context && IsA(fcinfo->context, AggState))
	{
		if (aggcontext)
			*aggcontext = (MemoryContext) fake_context_storage;
		return AGG_CONTEXT_AGGREGATE;
	}
	if (aggcontext)
		*aggcontext = NULL;
	return 0;
}

/* ======================================================================
 * Arrays (src/backend/utils/adt/arrayfuncs.c layout).
 * ====================================================================== */

ArrayType *
construct_empty_array(Oid elmtype)
{
	ArrayType  *result = (ArrayType *) palloc0(sizeof(ArrayType));

	SET_VARSIZE(result, sizeof(ArrayType));
	result->ndim = 0;
	result->dataoffset = 0;
	result->elemtype = elmtype;
	return result;
}

ArrayType *
construct_md_array(Datum *elems, bool *nulls, int ndims, int *dims, int *lbs,
				   Oid elmtype, int elmlen, bool elmbyval, char elmalign)
{
	ArrayType  *result;
	bool		hasnulls = false;
	int32		nbytes = 0;
	int32		dataoffset;
	int			nelems = 1;
	int			i;
	char	   *p;
	bits8	   *bitmap;
	int			bitmask;

	if (ndims < 0)
		elog(ERROR, "invalid number of dimensions: %d", ndims);
	if (ndims > MAXDIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("number of array dimensions (%d) exceeds the maximum allowed (%d)",
						ndims, MAXDIM)));
	if (ndims == 0)
		return construct_empty_array(elmtype);
	for (i = 0; i < ndims; i++)
	{
		if (dims[i] < 0)
			fuzz_fail("construct_md_array: negative dimension");
		nelems *= dims[i];
	}
	if (nelems <= 0)
		return construct_empty_array(elmtype);

	for (i = 0; i < nelems; i++)
	{
		if (nulls && nulls[i])
		{
			hasnulls = true;
			continue;
		}
		if (elmlen == -1)
			elems[i] = PointerGetDatum(PG_DETOAST_DATUM(elems[i]));
		nbytes = att_addlength_datum(nbytes, elmlen, elems[i]);
		nbytes = att_align_nominal(nbytes, elmalign);
	}
	if (hasnulls)
	{
		dataoffset = ARR_OVERHEAD_WITHNULLS(ndims, nelems);
		nbytes += dataoffset;
	}
	else
	{
		dataoffset = 0;
		nbytes += ARR_OVERHEAD_NONULLS(ndims);
	}
	result = (ArrayType *) palloc0(nbytes);
	SET_VARSIZE(result, nbytes);
	result->ndim = ndims;
	result->dataoffset = dataoffset;
	result->elemtype = elmtype;
	memcpy(ARR_DIMS(result), dims, ndims * sizeof(int));
	memcpy(ARR_LBOUND(result), lbs, ndims * sizeof(int));

	p = ARR_DATA_PTR(result);
	bitmap = ARR_NULLBITMAP(result);
	bitmask = 1;
	for (i = 0; i < nelems; i++)
	{
		if (bitmap)
		{
			if (nulls[i])
				*bitmap &= ~bitmask;
			else
				*bitmap |= bitmask;
			bitmask <<= 1;
			if (bitmask == 0x100)
			{
				bitmap++;
				bitmask = 1;
			}
		}
		if (nulls && nulls[i])
			continue;
		if (elmbyval)
			store_att_byval(p, elems[i], elmlen);
		else
			memmove(p, DatumGetPointer(elems[i]), att_addlength_datum(0, elmlen, elems[i]));
		p += att_addlength_datum(0, elmlen, elems[i]);
		p = (char *) att_align_nominal(p, elmalign);
	}
	return result;
}

ArrayType *
construct_array(Datum *elems, int nelems, Oid elmtype, int elmlen, bool elmbyval, char elmalign)
{
	int			dims[1];
	int			lbs[1];

	dims[0] = nelems;
	lbs[0] = 1;
	return construct_md_array(elems, NULL, 1, dims, lbs, elmtype, elmlen, elmbyval, elmalign);
}

void
deconstruct_array(ArrayType *array, Oid elmtype, int elmlen, bool elmbyval, char elmalign,
				  Datum **elemsp, bool **nullsp, int *nelemsp)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems = 1;
	char	   *p;
	bits8	   *bitmap;
	int			bitmask;
	int			i;

	if (ARR_ELEMTYPE(array) != elmtype)
		fuzz_fail("deconstruct_array: element type %u, caller expects %u",
				  ARR_ELEMTYPE(array), elmtype);
	for (i = 0; i < ARR_NDIM(array); i++)
		nelems *= ARR_DIMS(array)[i];
	if (ARR_NDIM(array) == 0)
		nelems = 0;
	*nelemsp = nelems;
	*elemsp = elems = (Datum *) palloc(nelems * sizeof(Datum));
	if (nullsp)
		*nullsp = nulls = (bool *) palloc0(nelems * sizeof(bool));
	else
		nulls = NULL;

	p = ARR_DATA_PTR(array);
	bitmap = ARR_NULLBITMAP(array);
	bitmask = 1;
	for (i = 0; i < nelems; i++)
	{
		if (bitmap && (*bitmap & bitmask) == 0)
		{
			elems[i] = (Datum) 0;
			if (nulls)
				nulls[i] = true;
			else
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("null array element not allowed in this context")));
		}
		else
		{
			elems[i] = fetch_att(p, elmbyval, elmlen);
			p = att_addlength_pointer(p, elmlen, p);
			p = (char *) att_align_nominal(p, elmalign);
		}
		if (bitmap)
		{
			bitmask <<= 1;
			if (bitmask == 0x100)
			{
				bitmap++;
				bitmask = 1;
			}
		}
	}
}

/* ======================================================================
 * Catalog lookups: the sqii schema, the types the harnesses use.
 * ====================================================================== */

Oid
get_fn_expr_rettype(FmgrInfo *flinfo)
{
	/* Every function asking is tally_by_group_final or tallies_by_group_final. */
	return FUZZ_TALLY_ARRAY_OID;
}

Oid
get_element_type(Oid typid)
{
	return typid == FUZZ_TALLY_ARRAY_OID ? FUZZ_TALLY_OID : InvalidOid;
}

/* The types the harnesses pass, as pg_type has them. */
typedef struct FakeType
{
	Oid			oid;
	const char *name;			/* format_type_be */
	int16		len;
	bool		byval;
	char		align;
} FakeType;

static const FakeType fake_types[] = {
	{BOOLOID, "boolean", 1, true, TYPALIGN_CHAR},
	{INT2OID, "smallint", 2, true, TYPALIGN_SHORT},
	{INT4OID, "integer", 4, true, TYPALIGN_INT},
	{INT8OID, "bigint", 8, true, TYPALIGN_DOUBLE},
	{FLOAT4OID, "real", 4, true, TYPALIGN_INT},
	{FLOAT8OID, "double precision", 8, true, TYPALIGN_DOUBLE},
	{NUMERICOID, "numeric", -1, false, TYPALIGN_INT},
	{TEXTOID, "text", -1, false, TYPALIGN_INT},
	{OIDOID, "oid", 4, true, TYPALIGN_INT},
	{MONEYOID, "money", 8, true, TYPALIGN_DOUBLE},
	{DATEOID, "date", 4, true, TYPALIGN_INT},
	{INT4ARRAYOID, "integer[]", -1, false, TYPALIGN_INT},
	{INTERNALOID, "internal", SIZEOF_DATUM, true, TYPALIGN_DOUBLE},
	/* CREATE TYPE sqii.tally (INTERNALLENGTH = 24, ALIGNMENT = double) */
	{FUZZ_TALLY_OID, "sqii.tally", sizeof(Tally), false, TYPALIGN_DOUBLE},
	{FUZZ_TALLY_ARRAY_OID, "sqii.tally[]", -1, false, TYPALIGN_DOUBLE},
	{FUZZ_SCORE_OID, "score", 4, true, TYPALIGN_INT},
};

static const FakeType *
fake_type(Oid typid, const char *who)
{
	int			i;

	for (i = 0; i < lengthof(fake_types); i++)
		if (fake_types[i].oid == typid)
			return &fake_types[i];
	/* The server's "cache lookup failed": the harness passed a type it has not listed. */
	fuzz_fail("%s: type %u is not in pg_stubs' catalog", who, typid);
}

void
get_typlenbyvalalign(Oid typid, int16 *typlen, bool *typbyval, char *typalign)
{
	const FakeType *t = fake_type(typid, "get_typlenbyvalalign");

	*typlen = t->len;
	*typbyval = t->byval;
	*typalign = t->align;
}

char *
format_type_be(Oid type_oid)
{
	/* format_type_extended() prints InvalidOid as "-". */
	if (type_oid == InvalidOid)
		return pstrdup("-");
	return pstrdup(fake_type(type_oid, "format_type_be")->name);
}

Oid
get_func_namespace(Oid funcid)
{
	return 90000;
}

char *
get_namespace_name(Oid nspid)
{
	return pstrdup("sqii");
}

/* ======================================================================
 * SPI: the join LoadGroupMap() runs, from the harness's fake tables.
 * ====================================================================== */

FuzzGroupRow *fuzz_group_rows;
int			fuzz_group_nrows;
int			fuzz_spi_executes;
uint64		SPI_processed;
SPITupleTable *SPI_tuptable;
int			SPI_result;
static bool spi_connected;
static char fake_tupdesc_storage[64];

int
SPI_connect(void)
{
	if (spi_connected)
		fuzz_fail("SPI_connect while connected");
	spi_connected = true;
	return SPI_OK_CONNECT;
}

int
SPI_finish(void)
{
	if (!spi_connected)
		fuzz_fail("SPI_finish while not connected");
	spi_connected = false;
	SPI_tuptable = NULL;
	SPI_processed = 0;
	return SPI_OK_FINISH;
}

/* LoadGroupMap prepares its query once: a plan is the query text. */
static char *fake_plan_src;

static void
spi_check_query(const char *src, const char *caller)
{
	if (!spi_connected)
		fuzz_fail("%s while not connected", caller);
	if (strstr(src, "sqii.student_group") == NULL || strstr(src, "sqii.race_code") == NULL)
		fuzz_fail("%s: unexpected query: %s", caller, src);
}

SPIPlanPtr
SPI_prepare(const char *src, int nargs, Oid *argtypes)
{
	spi_check_query(src, "SPI_prepare");
	if (nargs != 0)
		fuzz_fail("SPI_prepare: the group query has no parameters");
	fake_plan_src = strdup(src);
	return (SPIPlanPtr) fake_plan_src;
}

int
SPI_keepplan(SPIPlanPtr plan)
{
	if ((char *) plan != fake_plan_src)
		fuzz_fail("SPI_keepplan: not the prepared plan");
	return 0;
}

int
SPI_freeplan(SPIPlanPtr plan)
{
	if ((char *) plan != fake_plan_src)
		fuzz_fail("SPI_freeplan: not the prepared plan");
	free(fake_plan_src);
	fake_plan_src = NULL;
	return 0;
}

int
SPI_execute_plan(SPIPlanPtr plan, Datum *Values, const char *Nulls, bool read_only, long tcount)
{
	if ((char *) plan != fake_plan_src || plan == NULL)
		fuzz_fail("SPI_execute_plan: not the prepared plan");
	return SPI_execute(fake_plan_src, read_only, tcount);
}

int
SPI_execute(const char *src, bool read_only, long tcount)
{
	int			i;

	spi_check_query(src, "SPI_execute");
	fuzz_spi_executes++;
	SPI_tuptable = palloc0(sizeof(SPITupleTable));
	SPI_tuptable->tupdesc = (TupleDesc) fake_tupdesc_storage;
	SPI_tuptable->vals = palloc(sizeof(HeapTuple) * (fuzz_group_nrows + 1));
	for (i = 0; i < fuzz_group_nrows; i++)
		SPI_tuptable->vals[i] = (HeapTuple) &fuzz_group_rows[i];
	SPI_tuptable->numvals = fuzz_group_nrows;
	SPI_processed = fuzz_group_nrows;
	return SPI_OK_SELECT;
}

const char *
SPI_result_code_string(int code)
{
	return "SPI error";
}

/*
 * config.c catches errors of the query it runs (PG_TRY) to drop the query
 * text from the context; the fake SPI raises none.
 */
sigjmp_buf *PG_exception_stack;
ErrorContextCallback *error_context_stack;

ErrorData *
CopyErrorData(void)
{
	fuzz_fail("CopyErrorData: an error inside the fake SPI");
}

void
FlushErrorState(void)
{
	fuzz_fail("FlushErrorState: an error inside the fake SPI");
}

void
ReThrowError(ErrorData *edata)
{
	fuzz_fail("ReThrowError: an error inside the fake SPI");
}

/* The short context sqii's index errors carry (not checked by the harnesses). */
int
set_errcontext_domain(const char *domain)
{
	return 0;
}

int
errcontext_msg(const char *fmt,...)
{
	return 0;
}

void
pq_sendbytes(StringInfo buf, const char *data, int datalen)
{
	appendBinaryStringInfo(buf, data, datalen);
}

const char *
pq_getmsgbytes(StringInfo msg, int datalen)
{
	const char *result;

	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	result = &msg->data[msg->cursor];
	msg->cursor += datalen;
	return result;
}

/*
 * What src/sqii_index.c's final functions, its array form and its trigger
 * use: they read the model through SPI and are tested in the server
 * (test/sql/sqii_index.sql), not by the harnesses.
 */
#define NOT_IN_HARNESS(name) fuzz_fail(name ": not used by the harnesses")

int
ArrayGetNItems(int ndim, const int *dims)
{
	NOT_IN_HARNESS("ArrayGetNItems");
}

char *
text_to_cstring(const text *t)
{
	NOT_IN_HARNESS("text_to_cstring");
}

TupleDesc
BlessTupleDesc(TupleDesc tupdesc)
{
	NOT_IN_HARNESS("BlessTupleDesc");
}

HeapTupleHeader
DatumGetHeapTupleHeader(Datum d)
{
	NOT_IN_HARNESS("DatumGetHeapTupleHeader");
}

Datum
GetAttributeByNum(HeapTupleHeader tuple, AttrNumber attrno, bool *isNull)
{
	NOT_IN_HARNESS("GetAttributeByNum");
}

Datum
HeapTupleHeaderGetDatum(HeapTupleHeader tuple)
{
	NOT_IN_HARNESS("HeapTupleHeaderGetDatum");
}

int
SPI_fnumber(TupleDesc tupdesc, const char *fname)
{
	NOT_IN_HARNESS("SPI_fnumber");
}

void
escape_json(StringInfo buf, const char *str)
{
	NOT_IN_HARNESS("escape_json");
}

TypeFuncClass
get_call_result_type(FunctionCallInfo fcinfo, Oid *resultTypeId, TupleDesc *resultTupleDesc)
{
	NOT_IN_HARNESS("get_call_result_type");
}

HeapTuple
heap_form_tuple(TupleDesc tupleDescriptor, Datum *values, bool *isnull)
{
	NOT_IN_HARNESS("heap_form_tuple");
}

Datum
jsonb_in(PG_FUNCTION_ARGS)
{
	NOT_IN_HARNESS("jsonb_in");
}

/* sqii.in_extension_script(), in config.c: never called by the harnesses. */
bool		creating_extension;
Oid			CurrentExtensionObject;

Oid
get_extension_oid(const char *extname, bool missing_ok)
{
	fuzz_fail("get_extension_oid: not used by the harnesses");
}

static FuzzGroupRow *
spi_row(HeapTuple tuple, TupleDesc tupdesc)
{
	FuzzGroupRow *row = (FuzzGroupRow *) tuple;

	if (tupdesc != (TupleDesc) fake_tupdesc_storage ||
		row < fuzz_group_rows || row >= fuzz_group_rows + fuzz_group_nrows)
		fuzz_fail("SPI: tuple or descriptor not from the current SPI_tuptable");
	return row;
}

/* Columns: g.bit, g.kind, g.flag, g.group_code, r.local_code */
Datum
SPI_getbinval(HeapTuple tuple, TupleDesc tupdesc, int fnumber, bool *isnull)
{
	FuzzGroupRow *row = spi_row(tuple, tupdesc);

	*isnull = false;
	switch (fnumber)
	{
		case 1:
			return Int32GetDatum(row->bit);
		case 3:
			*isnull = row->flag_null;
			return row->flag_null ? (Datum) 0 : Int32GetDatum(row->flag);
		default:
			fuzz_fail("SPI_getbinval: column %d is not an int4 of this query", fnumber);
	}
}

char *
SPI_getvalue(HeapTuple tuple, TupleDesc tupdesc, int fnumber)
{
	FuzzGroupRow *row = spi_row(tuple, tupdesc);

	switch (fnumber)
	{
		case 1:
			return psprintf("%d", row->bit);
		case 2:
			return pstrdup(row->kind);
		case 3:
			return row->flag_null ? NULL : psprintf("%d", row->flag);
		case 4:
			return pstrdup(row->group_code);
		case 5:
			return row->local_code ? pstrdup(row->local_code) : NULL;
		default:
			fuzz_fail("SPI_getvalue: no column %d", fnumber);
	}
}

/* ======================================================================
 * fmgr: what sqii.tallies_by_group (VARIADIC "any") reads of its call.
 * ====================================================================== */

/*
 * exprType() of the only nodes the harness puts in a call's arguments: the
 * Params nodeAgg's build_aggregate_transfn_expr() makes.
 */
static Oid
fake_expr_type(const Node *expr)
{
	if (!IsA(expr, Param))
		fuzz_fail("pg_stubs: exprType of node type %d (the harness builds only Params)",
				  (int) nodeTag(expr));
	return ((const Param *) expr)->paramtype;
}

/* fmgr.c: get_fn_expr_argtype() by way of get_call_expr_argtype(). */
Oid
get_fn_expr_argtype(FmgrInfo *flinfo, int argnum)
{
	List	   *args;

	if (flinfo == NULL || flinfo->fn_expr == NULL)
		return InvalidOid;
	if (!IsA(flinfo->fn_expr, FuncExpr))
		fuzz_fail("pg_stubs: fn_expr of node type %d (the harness builds only FuncExprs)",
				  (int) nodeTag(flinfo->fn_expr));
	args = ((FuncExpr *) flinfo->fn_expr)->args;
	if (argnum < 0 || argnum >= list_length(args))
		return InvalidOid;
	return fake_expr_type((Node *) list_nth(args, argnum));
}

/* fmgr.c: was VARIADIC written (the variadic values passed as one array)? */
bool
get_fn_expr_variadic(FmgrInfo *flinfo)
{
	if (flinfo == NULL || flinfo->fn_expr == NULL)
		return false;
	if (IsA(flinfo->fn_expr, FuncExpr))
		return ((FuncExpr *) flinfo->fn_expr)->funcvariadic;
	return false;
}

/* fmgr.c, as it is. */
Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function %p returned NULL", (void *) func);
	return result;
}

/*
 * numeric: a harness numeric is a varlena holding what numeric_out prints
 * (plain notation, NaN, Infinity, -Infinity).  PostgreSQL 15's
 * numeric_float8_no_overflow is strtod of that text with no range error:
 * beyond the range is +-HUGE_VAL, too small 0 or a subnormal.
 */
Datum
numeric_float8_no_overflow(PG_FUNCTION_ARGS)
{
	struct varlena *num = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	int			len = VARSIZE(num) - VARHDRSZ;
	char	   *s = palloc(len + 1);
	char	   *end;
	double		val;

	memcpy(s, VARDATA(num), len);
	s[len] = '\0';
	val = strtod(s, &end);
	if (end == s || *end != '\0')
		fuzz_fail("numeric_float8_no_overflow: \"%s\" is not a harness numeric", s);
	pfree(s);
	PG_RETURN_FLOAT8(val);
}

bool
numeric_is_inf(Numeric num)
{
	struct varlena *v = (struct varlena *) num;
	int			len = VARSIZE(v) - VARHDRSZ;

	return (len == 8 && memcmp(VARDATA(v), "Infinity", 8) == 0) ||
		(len == 9 && memcmp(VARDATA(v), "-Infinity", 9) == 0);
}

/* lsyscache.c: the harness's one domain is over integer. */
Oid
getBaseType(Oid typid)
{
	return typid == FUZZ_SCORE_OID ? INT4OID : typid;
}

/* ======================================================================
 * Set-returning functions in materialize mode: a tuplestore that keeps
 * copies of the rows for the harness (fuzz_call_srf).
 * ====================================================================== */

struct Tuplestorestate
{
	TupleDesc	desc;			/* rsinfo->setDesc: rows are formed with it */
	int			nrows;
	int			maxrows;
	Datum	   *values;			/* nrows x desc->natts */
	bool	   *nulls;
};

TupleDesc
fuzz_tupdesc(int natts, const Oid *types)
{
	TupleDesc	desc = palloc0(offsetof(TupleDescData, attrs) +
							   sizeof(FormData_pg_attribute) * natts);
	int			i;

	desc->natts = natts;
	desc->tdtypeid = RECORDOID;
	desc->tdtypmod = -1;
	desc->tdrefcount = -1;
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		att->attnum = i + 1;
		att->atttypid = types[i];
		att->atttypmod = -1;
		get_typlenbyvalalign(types[i], &att->attlen, &att->attbyval, &att->attalign);
	}
	return desc;
}

/* funcapi.c: the checks and the ReturnSetInfo fields, as in PostgreSQL 15. */
void
InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Tuplestorestate *store;
	Size		descsize;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize) ||
		((flags & MAT_SRF_USE_EXPECTED_DESC) != 0 && rsinfo->expectedDesc == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	if (rsinfo->setResult != NULL)
		fuzz_fail("InitMaterializedSRF called twice in one call");

	/*
	 * get_call_result_type() would give the declared RETURNS TABLE; the
	 * harness passes that as expectedDesc.  The copy is what setDesc gets.
	 */
	if (rsinfo->expectedDesc == NULL)
		fuzz_fail("pg_stubs: fuzz_call_srf without a result descriptor");
	descsize = offsetof(TupleDescData, attrs) +
		sizeof(FormData_pg_attribute) * rsinfo->expectedDesc->natts;
	store = palloc0(sizeof(Tuplestorestate));
	store->desc = palloc(descsize);
	memcpy(store->desc, rsinfo->expectedDesc, descsize);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = store->desc;
}

/* Like heap_form_tuple, copy each value: the caller may free its own. */
void
tuplestore_putvalues(Tuplestorestate *state, TupleDesc tdesc, Datum *values, bool *isnull)
{
	int			natts;
	int			i;

	if (state == NULL || tdesc != state->desc)
		fuzz_fail("tuplestore_putvalues: not the store and descriptor InitMaterializedSRF made");
	natts = tdesc->natts;
	if (state->nrows == state->maxrows)
	{
		state->maxrows = state->maxrows ? 2 * state->maxrows : 16;
		state->values = state->values ?
			repalloc(state->values, sizeof(Datum) * natts * state->maxrows) :
			palloc(sizeof(Datum) * natts * state->maxrows);
		state->nulls = state->nulls ?
			repalloc(state->nulls, sizeof(bool) * natts * state->maxrows) :
			palloc(sizeof(bool) * natts * state->maxrows);
	}
	for (i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tdesc, i);
		Datum	   *v = &state->values[state->nrows * natts + i];
		Size		size;
		char	   *copy;

		state->nulls[state->nrows * natts + i] = isnull[i];
		*v = (Datum) 0;
		if (isnull[i])
			continue;
		if (att->attbyval)
		{
			*v = values[i];
			continue;
		}
		if (att->attlen == -1 && VARATT_IS_EXTERNAL(DatumGetPointer(values[i])))
			fuzz_fail("tuplestore_putvalues: external varlena in column %d", i + 1);
		size = att->attlen == -1 ? VARSIZE_ANY(DatumGetPointer(values[i])) : att->attlen;
		copy = palloc(size);
		memcpy(copy, DatumGetPointer(values[i]), size);
		*v = PointerGetDatum(copy);
	}
	state->nrows++;
}

void
fuzz_tuplestore_rows(Tuplestorestate *state, FuzzRows *rows)
{
	memset(rows, 0, sizeof(*rows));
	if (state == NULL)
		return;
	rows->natts = state->desc->natts;
	rows->nrows = state->nrows;
	rows->values = state->values;
	rows->nulls = state->nulls;
}

/* ======================================================================
 * Per-input reset.
 * ====================================================================== */

void
fuzz_reset(void)
{
	free_all_chunks();
	spi_connected = false;
	SPI_tuptable = NULL;
	SPI_processed = 0;
	fuzz_group_rows = NULL;
	fuzz_group_nrows = 0;
	fuzz_spi_executes = 0;
	fuzz_error_jmp = NULL;
	memset(&fuzz_error, 0, sizeof(fuzz_error));
}
