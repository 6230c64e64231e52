/*
 * NAME
 *	base64 3h
 * SUMMARY
 *	streaming base64 decoder that can also only count
 * SYNOPSIS
 *	#include "base64.h"
 * DESCRIPTION
 *	See base64.c.  The state is a plain struct the caller embeds:
 *	the decoder allocates nothing, so it has _init and no _new/_free.
 */
#ifndef DEFUSE_BASE64_H
#define DEFUSE_BASE64_H

#include "sink.h"

struct b64 {
	uint32_t acc;			/* bits of the current quantum */
	unsigned q;			/* alphabet characters in it, 0..3 */
	uint64_t out;			/* bytes decoded (or counted) so far */
	uint64_t junk;			/* bytes skipped that are not whitespace */
	int	padded;			/* saw '=' */
};

extern void b64_init(struct b64 *);
extern int b64_feed(struct b64 *, const uint8_t *, size_t, sink_fn, void *);
extern int b64_finish(struct b64 *, sink_fn, void *);

#endif
