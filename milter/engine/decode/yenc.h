/*
 * NAME
 *	yenc 3h
 * SUMMARY
 *	streaming yEnc scanner and decoder
 * SYNOPSIS
 *	#include "yenc.h"
 * DESCRIPTION
 *	See yenc.c.  Embedded state, no allocation.
 */
#ifndef DEFUSE_YENC_H
#define DEFUSE_YENC_H

#include "sink.h"

#define YENC_LINE_MAX	512		/* head of a keyword line kept */
#define YENC_NONE	UINT64_MAX	/* a number absent or unparsable */

/* What the scanner reports; any non-zero return stops it. */
struct yenc_events {
	int     (*begin) (void *ctx, const char *name, size_t len,
			          uint64_t declared);	/* size= of =ybegin */
	sink_fn data;			/* decoded bytes of the current file */
	int     (*end) (void *ctx, int clean);	/* clean: "=yend" seen */
};

struct yenc {
	const struct yenc_events *ev;
	void   *ctx;
	int	state;			/* scanning, skipping, data, keyword */
	int	esc;			/* a '=' seen: the next byte is escaped */
	size_t	line_len;		/* bytes of this line so far, less CRs */
	uint8_t	line[YENC_LINE_MAX];	/* head of a (maybe) keyword line */
	/* The current block, as declared; YENC_NONE when absent. */
	uint64_t size;			/* =ybegin size= */
	uint64_t part;			/* =ybegin part= */
	uint64_t total;			/* =ybegin total= */
	uint64_t part_begin;		/* =ypart begin= */
	uint64_t part_end;		/* =ypart end= */
	uint64_t end_size;		/* =yend size= */
	uint64_t block_out;		/* bytes decoded in this block */
	/* Counters, all blocks. */
	uint64_t out;			/* bytes decoded */
	uint64_t files;			/* =ybegin lines seen */
	uint64_t malformed;		/* blocks without =yend */
	uint64_t mismatched;		/* =yend size= not what was decoded */
};

extern void yenc_init(struct yenc *, const struct yenc_events *, void *ctx);
extern int yenc_feed(struct yenc *, const uint8_t *, size_t);
extern int yenc_finish(struct yenc *);
extern int yenc_idle(const struct yenc *);	/* at a line start, in no block */

#endif
