/*
 * NAME
 *	inflate 3h
 * SUMMARY
 *	streaming inflate over zlib with the counted allocator
 * SYNOPSIS
 *	#include "inflate.h"
 * DESCRIPTION
 *	A thin push wrapper over zlib's inflate for the archive walkers:
 *	compressed bytes in, expanded bytes out through a sink in bounded
 *	chunks, stopping the moment the sink says stop.  See inflate.c.
 */
#ifndef DEFUSE_INFLATE_H
#define DEFUSE_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "acct.h"
#include "sink.h"

struct infl;

/* Results of infl_feed(). */
#define INFL_MORE	0		/* all input used, stream goes on */
#define INFL_END	1		/* end of the deflate stream */
#define INFL_STOP	2		/* the sink said stop */
#define INFL_ERROR	3		/* corrupt data (sticky) */
#define INFL_NOMEM	4		/* an allocation failed (sticky) */

#define INFL_RAW	(-15)		/* window bits: raw deflate (zip, gzip) */

/* Output chunk size: the most the sink is given at once. */
#define INFL_CHUNK	8192

extern struct infl *infl_new(struct acct *, int wbits);
extern int infl_reset(struct infl *);
extern int infl_feed(struct infl *, const uint8_t *, size_t, size_t *used,
		             sink_fn, void *ctx);
extern int infl_drain(struct infl *, sink_fn, void *ctx);
extern uint64_t infl_total_in(const struct infl *);
extern uint64_t infl_total_out(const struct infl *);
extern struct infl *infl_free(struct infl *);

#endif
