/*
 * NAME
 *	uu 3h
 * SUMMARY
 *	streaming uuencode scanner and decoder
 * SYNOPSIS
 *	#include "uu.h"
 * DESCRIPTION
 *	See uu.c.  Embedded state, no allocation.
 */
#ifndef DEFUSE_UU_H
#define DEFUSE_UU_H

#include "base64.h"
#include "sink.h"

#define UU_LINE_MAX	300		/* "begin mode name": longer is not a begin line */

/* What the scanner reports; any non-zero return stops it. */
struct uu_events {
	int     (*begin) (void *ctx, const char *name, size_t len);
	sink_fn data;			/* decoded bytes of the current file */
	int     (*end) (void *ctx, int clean);	/* clean: "end" line seen */
};

struct uu {
	const struct uu_events *ev;
	void   *ctx;
	int	state;			/* scanning, skipping a line, in a block */
	int	cr;			/* a CR seen, waiting for LF */
	int	bad;			/* this body line is not uuencode */
	size_t	line_len;		/* bytes of this line so far */
	uint8_t	line[UU_LINE_MAX];	/* its first UU_LINE_MAX bytes */
	unsigned want;			/* bytes the current body line declares */
	unsigned got;			/* bytes decoded of it so far */
	unsigned chars;			/* its data characters used so far */
	uint32_t acc;			/* bits of the current group */
	unsigned q;			/* characters in it, 0..3 */
	uint8_t	dec[63];		/* its decoded bytes, until its line end */
	unsigned lines;			/* body lines of this block */
	unsigned junk;			/* lines passed over before the first */
	struct b64 b64;			/* a begin-base64 block */
	uint64_t out;			/* bytes decoded, all files */
	uint64_t files;			/* begin lines seen */
	uint64_t malformed;		/* blocks abandoned */
};

extern void uu_init(struct uu *, const struct uu_events *, void *ctx);
extern int uu_feed(struct uu *, const uint8_t *, size_t);
extern int uu_finish(struct uu *);

/* At a line start, looking for a begin line (a caller may pass over
 * lines that cannot start one: see part.c). */
extern int uu_idle(const struct uu *);
extern int uu_in_block(const struct uu *);	/* inside a block */

#endif
