/*
 * NAME
 *	tail 3h
 * SUMMARY
 *	the last bytes of a counted base64 stream, decoded at its end
 * SYNOPSIS
 *	#include "tail.h"
 * DESCRIPTION
 *	See tail.c.
 */
#ifndef DEFUSE_TAIL_H
#define DEFUSE_TAIL_H

#include "acct.h"
#include "base64.h"
#include "sink.h"

/*
 * The encoded bytes are kept in grains of TAIL_GRAIN at fixed offsets of
 * the stream; TAIL_RING of them at most.  What tail_decode() yields is
 * at least TAIL_RING - TAIL_GRAIN encoded bytes (about 88 KiB decoded
 * with 76-column lines): an end record with the longest comment
 * (65,535 bytes) and some 20 KiB of central directory before it.
 */
#define TAIL_GRAIN	8192
#define TAIL_RING	(16 * TAIL_GRAIN)

struct tail;

extern struct tail *tail_new(struct acct *);
extern void tail_put(struct tail *, uint64_t at, const struct b64 *,
		             const uint8_t *, size_t);
extern int tail_decode(struct tail *, uint64_t end, uint64_t *start,
		               sink_fn, void *);
extern struct tail *tail_free(struct tail *, struct acct *);

#endif
