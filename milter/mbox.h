/*
 * NAME
 *	mbox 3h
 * SUMMARY
 *	split a stream into messages: an mbox, or one plain message
 * SYNOPSIS
 *	#include "mbox.h"
 * DESCRIPTION
 *	See mbox.c.  The state is a plain struct the caller embeds: the
 *	splitter allocates nothing, so it has _init and no _new/_free.
 */
#ifndef DEFUSE_MBOX_H
#define DEFUSE_MBOX_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

/* Where the messages go; each returns non-zero to stop. */
struct mbox_out {
	int     (*begin) (void *ctx, unsigned long n);	/* 0: a plain message */
	sink_fn	data;				/* the message's bytes */
	int     (*end) (void *ctx);
};

enum mbox_state {
	MBOX_DETECT,			/* the first bytes: "From "? */
	MBOX_PLAIN,			/* one plain message: all bytes pass */
	MBOX_FROM,			/* inside a "From " separator line */
	MBOX_BOL,			/* a line starts, the last was not empty */
	MBOX_BOL_CR,			/* ... with a CR, held */
	MBOX_BLANK,			/* an empty line, held: "From " next? */
	MBOX_TEXT,			/* inside a line */
	MBOX_DONE,			/* mbox_finish() was called */
};

struct mbox {
	enum mbox_state state;
	const struct mbox_out *out;
	void   *ctx;
	unsigned long count;		/* messages begun (an mbox's) */
	unsigned blank;			/* bytes of the held empty line, 1 or 2 */
	unsigned from;			/* bytes of "From " matched, 0..4 */
	int	stop;			/* sticky: what a callback returned */
};

extern void mbox_init(struct mbox *, const struct mbox_out *, void *ctx);
extern int mbox_feed(struct mbox *, const uint8_t *, size_t);
extern int mbox_finish(struct mbox *);

#endif
