/*
 * NAME
 *	tail 3
 * SUMMARY
 *	the last bytes of a counted base64 stream, decoded at its end
 * SYNOPSIS
 *	#include "tail.h"
 *
 *	struct tail *tail_new(acct)
 *	void	tail_put(tail, at, state, buf, len)
 *	int	tail_decode(tail, end, start, sink, ctx)
 *	struct tail *tail_free(tail, acct)
 * DESCRIPTION
 *	A base64 stream that nobody needs whole is only counted (part.c),
 *	yet unzip, 7z, bsdtar and Python's zipfile open a zip appended to
 *	any file (a JPEG, a PDF) from its end record, which lies within
 *	64 KiB + 22 bytes of the end, its directory just before it.  So
 *	the encoded bytes of such a stream are kept here as they are
 *	counted, the last TAIL_RING of them, and decoded when the stream
 *	ends: what an extractor reading from the end would see.
 *
 *	tail_put() takes encoded bytes at stream offset at (of the encoded
 *	body), in order, none across a multiple of TAIL_GRAIN; state is the
 *	decoder's state before them.  At each grain's first byte the state
 *	is kept: decoding resumes there exactly as the counting went
 *	(a partial quantum, '=' in the data, junk), so the bytes decoded
 *	and their offsets are the stream's own.
 *
 *	tail_decode() decodes from the oldest grain still whole (or from
 *	the first put, when everything is still here) to end, the offset
 *	after the last byte put, and hands the bytes to sink(ctx, ...);
 *	*start is set first to the decoded offset of the first of them.
 *	Grains sit at fixed offsets of the stream, so what is decoded does
 *	not depend on how the stream was split.
 * STATE AND MEMORY
 *	One allocation (stage decode): the ring (128 KiB) and a decoder
 *	state per grain.  tail_decode() decodes into a 4 KiB stack buffer
 *	(b64_feed's).
 */

#include <string.h>

#include "tail.h"

#define TAIL_GRAINS	(TAIL_RING / TAIL_GRAIN)

struct tail {
	uint64_t from;			/* offset of the first byte put */
	uint64_t next;			/* offset after the last byte put */
	int	started;
	struct b64 anchor[TAIL_GRAINS];	/* the state at each grain's start */
	uint8_t	ring[TAIL_RING];	/* byte at offset o: ring[o % TAIL_RING] */
};

/* tail_new - an empty tail; NULL when out of memory */

struct tail *tail_new(struct acct *acct)
{
	struct tail *t = acct_alloc(acct, ACCT_DECODE, sizeof(*t));

	if (t != 0) {
		t->from = t->next = 0;
		t->started = 0;
	}
	return (t);
}

/* tail_put - encoded bytes at offset at, the decoder's state before them */

void    tail_put(struct tail *t, uint64_t at, const struct b64 *state,
		         const uint8_t *p, size_t n)
{
	size_t  o;

	if (n == 0)
		return;
	if (!t->started || at != t->next) {
		/* a fresh start (offsets are in order: a gap is a caller's bug,
		 * handled as a new start rather than trusted) */
		t->started = 1;
		t->from = at;
		t->anchor[(at / TAIL_GRAIN) % TAIL_GRAINS] = *state;
	} else if (at % TAIL_GRAIN == 0) {
		t->anchor[(at / TAIL_GRAIN) % TAIL_GRAINS] = *state;
	}
	o = (size_t) (at % TAIL_RING);
	memcpy(t->ring + o, p, n);	/* n never crosses a grain, so fits */
	t->next = at + n;
}

/* tail_decode - decode what is kept, from a grain start to the end */

int     tail_decode(struct tail *t, uint64_t end, uint64_t *start,
		            sink_fn sink, void *ctx)
{
	struct b64 b;
	uint64_t s, e = end < t->next ? end : t->next;
	size_t  o, k;
	int     ret;

	*start = 0;
	if (!t->started || e <= t->from)
		return (0);
	if (e - t->from + t->from % TAIL_GRAIN <= TAIL_RING) {
		s = t->from;			/* all of it is here */
	} else {
		s = e - TAIL_RING;		/* the oldest grain still whole */
		s += (TAIL_GRAIN - s % TAIL_GRAIN) % TAIL_GRAIN;
	}
	b = t->anchor[(s / TAIL_GRAIN) % TAIL_GRAINS];
	*start = b.out;
	while (s < e) {
		o = (size_t) (s % TAIL_RING);
		k = TAIL_RING - o;
		if (k > e - s)
			k = (size_t) (e - s);
		if ((ret = b64_feed(&b, t->ring + o, k, sink, ctx)) != 0)
			return (ret);
		s += k;
	}
	return (b64_finish(&b, sink, ctx));
}

/* tail_free - release; returns NULL */

struct tail *tail_free(struct tail *t, struct acct *acct)
{
	if (t != 0)
		acct_free(acct, t);
	return (NULL);
}
