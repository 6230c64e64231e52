/*
 * NAME
 *	binhex 3h
 * SUMMARY
 *	streaming BinHex 4.0 scanner and decoder
 * SYNOPSIS
 *	#include "binhex.h"
 * DESCRIPTION
 *	See binhex.c.  Embedded state, no allocation.
 */
#ifndef DEFUSE_BINHEX_H
#define DEFUSE_BINHEX_H

#include "sink.h"

#define BINHEX_HEAD_MAX	(255 + 22)	/* the longest header */

/* What the scanner reports; any non-zero return stops it. */
struct binhex_events {
	int     (*begin) (void *ctx, const char *name, size_t len,
			          uint64_t declared);	/* data + resource fork */
	sink_fn data;			/* the extracted fork, see binhex.c */
	int     (*end) (void *ctx, int clean);	/* clean: all of it, then ':' */
};

struct binhex {
	const struct binhex_events *ev;
	void   *ctx;
	int	state;			/* scanning, skipping, marked, data */
	size_t	line_len;		/* bytes of this line so far */
	uint8_t	line[64];		/* its head: ':' and 63 characters */
	uint32_t acc;			/* bits of the current group */
	unsigned q;			/* characters in it, 0..3 */
	int	rle;			/* a 0x90 seen, waiting for its count */
	uint8_t	prev;			/* the last byte out of the RLE stage */
	int	phase;			/* header, data fork, its CRC, ... */
	uint64_t left;			/* bytes left in this phase */
	size_t	head_len;		/* header bytes so far */
	uint8_t	head[BINHEX_HEAD_MAX];	/* the header */
	/* The current block, as declared. */
	uint64_t data_len;		/* data fork length */
	uint64_t rsrc_len;		/* resource fork length */
	uint64_t rsrc_out;		/* resource fork bytes not passed on */
	/* Counters, all blocks. */
	uint64_t out;			/* bytes passed to ev->data */
	uint64_t files;			/* headers complete: begin events */
	uint64_t malformed;		/* blocks abandoned, with or without begin */
	uint64_t head_crc_bad;		/* headers whose CRC does not match */
	uint64_t extra;			/* bytes after the resource fork CRC */
};

extern void binhex_init(struct binhex *, const struct binhex_events *, void *ctx);
extern int binhex_feed(struct binhex *, const uint8_t *, size_t);
extern int binhex_finish(struct binhex *);
extern int binhex_idle(const struct binhex *);	/* at a line start, in no block */

#endif
