/*
 * NAME
 *	b64text 3h
 * SUMMARY
 *	base64 blocks in text, as uudeview and ripmime find them
 * SYNOPSIS
 *	#include "b64text.h"
 * DESCRIPTION
 *	See b64text.c.  Embedded state, no allocation.
 */
#ifndef DEFUSE_B64TEXT_H
#define DEFUSE_B64TEXT_H

#include "base64.h"
#include "sink.h"

#define B64T_HEAD	80		/* head of each line kept (header fields) */
#define B64T_HOLD	1024		/* a bare line longer is a block by itself */
#define B64T_MIN	16		/* shortest line of a bare block */
#define B64T_NAME_MAX	128		/* a file name from name= or filename= */

/* What the scanner reports; any non-zero return stops it. */
struct b64text_events {
	int     (*begin) (void *ctx, const char *name, size_t len,
			          uint64_t declared);	/* never declared: UINT64_MAX */
	sink_fn data;			/* decoded bytes of the current block */
	int     (*end) (void *ctx, int clean);	/* clean: ended by padding or a blank */
};

struct b64text {
	const struct b64text_events *ev;
	void   *ctx;
	int	data;			/* in a block */
	size_t	want;			/* bare block: its line length; 0: any */
	int	want_set;		/* a block begun inside a long line: its length */
	struct b64 dec;			/* the block's decoder */
	/* the line being read */
	size_t	len;			/* bytes so far, less CR and LF */
	int	alpha;			/* all alphabet so far, '=' only at the end */
	int	pad;			/* '=' seen */
	int	cr;			/* the last line ended with CR: skip an LF */
	int	skip;			/* nothing more to learn from this line */
	int	fieldish;		/* 1: may be a field name so far, 2: a field */
	size_t	head_len;
	uint8_t	head[B64T_HEAD];
	/* a header group before a block */
	int	group;			/* the lines so far: Content- fields */
	int	primed;			/* ... with Content-Transfer-Encoding: base64 */
	int	armed;			/* ... ended by a blank line: data next */
	size_t	name_len;
	char	name[B64T_NAME_MAX];
	/* counters */
	uint64_t files;			/* blocks found */
	uint64_t out;			/* bytes decoded */
	/* a bare block's first lines, held until two of one length are seen
	 * (last: b64text_init() clears what comes before) */
	int	held;			/* lines held: 0 or 1 */
	size_t	l1;			/* the held line's length */
	uint8_t	hold[2 * B64T_HOLD];
};

extern void b64text_init(struct b64text *, const struct b64text_events *, void *ctx);
extern int b64text_feed(struct b64text *, const uint8_t *, size_t);
extern int b64text_finish(struct b64text *);
extern void b64text_break(struct b64text *);	/* lines passed over: nothing goes on */
extern int b64text_idle(const struct b64text *);	/* at a line start, nothing pending */
extern int b64text_could_start(const uint8_t *, size_t);	/* may this line matter? */

#endif
