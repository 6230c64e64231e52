/*
 * NAME
 *	inflate 3
 * SUMMARY
 *	streaming inflate over zlib with the counted allocator
 * SYNOPSIS
 *	#include "inflate.h"
 *
 *	struct infl *infl_new(acct, wbits)
 *
 *	int	infl_reset(infl)
 *
 *	int	infl_feed(infl, p, n, used, sink, ctx)
 *
 *	int	infl_drain(infl, sink, ctx)
 *
 *	uint64_t infl_total_in(infl)
 *	uint64_t infl_total_out(infl)
 *
 *	struct infl *infl_free(infl)
 * DESCRIPTION
 *	infl_new() starts a zlib inflate stream with the given window
 *	bits (INFL_RAW for the raw deflate of zip and gzip members; the
 *	gzip walker parses its own headers) whose memory comes from the
 *	message's counted allocator: zlib's state (stage inflate) and
 *	this module's output buffer (stage archive).
 *
 *	infl_feed() inflates as much of p[0..n) as it can and hands the
 *	output to sink(ctx, out, len) in chunks of exactly INFL_CHUNK
 *	bytes (the last of a stream may be shorter), whatever the split
 *	of the input: a limit that inflation crosses is crossed at the
 *	same byte however the message arrived, which keeps the record
 *	split-invariant.  Because zlib stops when the buffer is full, the
 *	compressed bytes it has taken (infl_total_in) stay close to the
 *	output produced, which is what a ratio judgement needs.  So that
 *	infl_total_in() seen by the sink does not depend on the split
 *	either, a full buffer is handed over only once zlib is blocked
 *	on it (input left over, or the stream ended): zlib then has taken
 *	every byte it can without room for output, and no fewer because
 *	a chunk happened to end there.  A full buffer waiting for that is
 *	handed over by the next infl_feed() or by infl_drain(), which the
 *	caller calls when the stream's input is over.  *used
 *	tells how many input bytes were taken: fewer than n after the
 *	end of the deflate stream (the rest belongs to the container)
 *	or when the sink said stop.  The result is INFL_MORE (all input
 *	used, the stream goes on), INFL_END, INFL_STOP, INFL_ERROR
 *	(corrupt data) or INFL_NOMEM (zlib could not allocate its
 *	window); the last two are sticky.
 *
 *	infl_reset() starts a new stream on the same state (the window
 *	stays allocated), for the next member.
 * MEMORY
 *	About 7 KiB of zlib state, plus zlib's 32 KiB window once the
 *	first block is decoded, plus INFL_CHUNK (8 KiB) of output
 *	buffer: one per open archive level.  Nothing grows with the
 *	stream.
 * BUGS
 *	No check values: the gzip CRC and the zip CRC are not verified
 *	(they do not change what a bomb costs).
 */

#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "inflate.h"

struct infl {
	struct acct *acct;
	z_stream z;
	int	wbits;
	int	err;			/* sticky INFL_ERROR or INFL_NOMEM */
	uint64_t total_in;		/* ours: zlib's uLong may be 32 bits */
	uint64_t total_out;		/* handed to the sink */
	size_t	have;			/* bytes waiting in out */
	uint8_t out[INFL_CHUNK];
};

/* infl_new - start an inflate stream with counted memory */

struct infl *infl_new(struct acct *acct, int wbits)
{
	struct infl *f;

	if ((f = acct_alloc(acct, ACCT_ARCHIVE, sizeof(*f))) == 0)
		return (NULL);
	memset(&f->z, 0, sizeof(f->z));
	f->acct = acct;
	f->wbits = wbits;
	f->err = 0;
	f->total_in = f->total_out = 0;
	f->have = 0;
	f->z.zalloc = acct_zalloc;
	f->z.zfree = acct_zfree;
	f->z.opaque = acct;
	if (inflateInit2(&f->z, wbits) != Z_OK) {
		acct_free(acct, f);
		return (NULL);
	}
	return (f);
}

/* infl_reset - the next stream, same state and window */

int     infl_reset(struct infl *f)
{
	f->total_in = f->total_out = 0;
	f->have = 0;
	if (f->err == INFL_NOMEM)
		return (INFL_NOMEM);
	f->err = 0;
	if (inflateReset(&f->z) != Z_OK)
		return (f->err = INFL_ERROR);
	return (INFL_MORE);
}

/* infl_flush - hand the output buffer to the sink */

static int infl_flush(struct infl *f, sink_fn sink, void *ctx)
{
	size_t  n = f->have;

	if (n == 0)
		return (0);
	f->have = 0;
	f->total_out += n;
	return (sink(ctx, f->out, n));
}

/* infl_blocked - may the buffer go now: zlib can take no more input */

static int infl_blocked(const struct infl *f, size_t left, int ret)
{
	if (ret == Z_STREAM_END)
		return (1);
	if (f->have < sizeof(f->out))
		return (0);
	return (left > 0 || (ret != Z_OK && ret != Z_BUF_ERROR));
}

/* infl_feed - inflate what we are given, output through the sink */

int     infl_feed(struct infl *f, const uint8_t *p, size_t n, size_t *used,
		          sink_fn sink, void *ctx)
{
	size_t  left = n;
	uInt    give, took;
	int     ret, full;

	*used = 0;
	if (f->err)
		return (f->err);
	for (;;) {
		give = left > UINT_MAX ? UINT_MAX : (uInt) left;
		f->z.next_in = (Bytef *) p;
		f->z.avail_in = give;
		f->z.next_out = f->out + f->have;
		f->z.avail_out = (uInt) (sizeof(f->out) - f->have);
		ret = inflate(&f->z, Z_NO_FLUSH);
		took = give - f->z.avail_in;
		p += took;
		left -= took;
		f->total_in += took;
		*used = n - left;
		f->have = sizeof(f->out) - f->z.avail_out;
		full = f->have == sizeof(f->out);
		if (infl_blocked(f, left, ret) && infl_flush(f, sink, ctx) != 0)
			return (INFL_STOP);
		switch (ret) {
		case Z_STREAM_END:
			return (INFL_END);
		case Z_OK:
			break;
		case Z_BUF_ERROR:			/* no progress possible */
			if (left == 0)
				return (INFL_MORE);
			if (full)
				break;			/* it was waiting for room */
			return (f->err = INFL_ERROR);
		case Z_MEM_ERROR:
			return (f->err = INFL_NOMEM);
		default:				/* data, dict, stream error */
			return (f->err = INFL_ERROR);
		}
		if (left == 0)
			return (INFL_MORE);		/* a full buffer waits */
	}
}

/* infl_drain - the stream's input is over: hand over a full buffer */

int     infl_drain(struct infl *f, sink_fn sink, void *ctx)
{
	if (f == 0 || f->have < sizeof(f->out))
		return (INFL_MORE);
	return (infl_flush(f, sink, ctx) != 0 ? INFL_STOP : INFL_MORE);
}

/* infl_total_in - compressed bytes taken since new/reset */

uint64_t infl_total_in(const struct infl *f)
{
	return (f->total_in);
}

/* infl_total_out - bytes produced since new/reset */

uint64_t infl_total_out(const struct infl *f)
{
	return (f->total_out);
}

/* infl_free - release the stream; returns NULL */

struct infl *infl_free(struct infl *f)
{
	struct acct *acct;

	if (f == 0)
		return (NULL);
	acct = f->acct;
	inflateEnd(&f->z);
	acct_free(acct, f);
	return (NULL);
}
