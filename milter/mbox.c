/*
 * NAME
 *	mbox 3
 * SUMMARY
 *	split a stream into messages: an mbox, or one plain message
 * SYNOPSIS
 *	#include "mbox.h"
 *
 *	void	mbox_init(mb, out, ctx)
 *	int	mbox_feed(mb, buf, len)
 *	int	mbox_finish(mb)
 * DESCRIPTION
 *	A push splitter for defuse-scan.  A stream whose first line starts
 *	with "From " is an mbox; anything else is one plain message,
 *	passed on byte for byte.
 *
 *	In an mbox, a separator is a line starting with "From " that
 *	begins the stream or follows an empty line (LF or CRLF).  The
 *	separator line and that one empty line before it belong to no
 *	message; at the end of the stream one trailing empty line is
 *	dropped the same way.  Everything else is the message as the MTA
 *	had it: a ">From " line (mboxrd, mboxo quoting) is left as is,
 *	and a "From " line that follows a non-empty line is text.
 *
 *	out->begin(ctx, n) opens each message: n is 0 for a plain
 *	message, else its number in the mbox, from 1.  out->data(ctx, p,
 *	len) hands on its bytes, as spans of the caller's buffer (valid
 *	during the call only) or of a constant; out->end(ctx) closes it.
 *	Every message begun is ended, by mbox_finish() at the latest; an
 *	empty stream is one empty plain message.  A non-zero return from a
 *	callback stops the splitter: it is sticky, and mbox_feed() and
 *	mbox_finish() return it without calling anything more.
 *
 *	mbox_feed() takes any split of the stream, down to one byte, and
 *	keeps no pointer into buf.  mbox_finish() ends the stream; the
 *	struct may then be initialised again.
 * STATE AND MEMORY
 *	The struct, about 48 bytes, embedded by the caller.  What is held
 *	back between calls (an empty line, a CR at the start of a line, up
 *	to four bytes of "From ") is counted, not stored: those bytes are
 *	known.  No allocation; nothing grows with the stream.
 * BUGS
 *	mboxcl/mboxcl2 Content-Length: fields are not used: a message is
 *	split at its separators.  ">From " is not unquoted: the engine
 *	judges the stored bytes, one '>' more per quoted line.
 */

#include <assert.h>
#include <string.h>

#include "mbox.h"

static const uint8_t mbox_from[] = "From ";
static const uint8_t mbox_crlf[] = "\r\n";

#define MBOX_FROM_LEN	5

/* mbox_emit - message bytes downstream; sticky stop */

static void mbox_emit(struct mbox *mb, const uint8_t *p, size_t n)
{
	if (n > 0 && mb->stop == 0)
		mb->stop = mb->out->data(mb->ctx, p, n);
}

/* mbox_begin - a message opens */

static void mbox_begin(struct mbox *mb, unsigned long n)
{
	if (mb->stop == 0)
		mb->stop = mb->out->begin(mb->ctx, n);
}

/* mbox_end - a message closes */

static void mbox_end(struct mbox *mb)
{
	if (mb->stop == 0)
		mb->stop = mb->out->end(mb->ctx);
}

/* mbox_release - the held empty line and "From " prefix are text */

static void mbox_release(struct mbox *mb)
{
	mbox_emit(mb, mbox_crlf + 2 - mb->blank, mb->blank);
	mbox_emit(mb, mbox_from, mb->from);
	mb->blank = mb->from = 0;
}

/* mbox_init - a fresh stream */

void    mbox_init(struct mbox *mb, const struct mbox_out *out, void *ctx)
{
	mb->state = MBOX_DETECT;
	mb->out = out;
	mb->ctx = ctx;
	mb->count = 0;
	mb->blank = mb->from = 0;
	mb->stop = 0;
}

/* mbox_feed - more of the stream */

int     mbox_feed(struct mbox *mb, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len, *q;

	assert(mb->state != MBOX_DONE);
	while (p < end && mb->stop == 0) {
		switch (mb->state) {
		case MBOX_DETECT:
			if (*p == mbox_from[mb->from]) {
				p++;
				if (++mb->from == MBOX_FROM_LEN) {
					mb->from = 0;
					mb->state = MBOX_FROM;
					mbox_begin(mb, ++mb->count);
				}
			} else {
				mb->state = MBOX_PLAIN;
				mbox_begin(mb, 0);
				mbox_release(mb);
			}
			break;
		case MBOX_PLAIN:
			mbox_emit(mb, p, end - p);
			p = end;
			break;
		case MBOX_FROM:
			if ((q = memchr(p, '\n', end - p)) == 0) {
				p = end;
			} else {
				p = q + 1;
				mb->state = MBOX_BOL;
			}
			break;
		case MBOX_BOL:
			if (*p == '\n') {
				p++;
				mb->blank = 1;
				mb->state = MBOX_BLANK;
			} else if (*p == '\r') {
				p++;
				mb->state = MBOX_BOL_CR;
			} else {
				mb->state = MBOX_TEXT;
			}
			break;
		case MBOX_BOL_CR:
			if (*p == '\n') {
				p++;
				mb->blank = 2;
				mb->state = MBOX_BLANK;
			} else {
				/* "\r" then more: a line, not an empty one */
				mbox_emit(mb, mbox_crlf, 1);
				mb->state = MBOX_TEXT;
			}
			break;
		case MBOX_TEXT:
			if ((q = memchr(p, '\n', end - p)) == 0) {
				mbox_emit(mb, p, end - p);
				p = end;
			} else {
				mbox_emit(mb, p, q + 1 - p);
				p = q + 1;
				mb->state = MBOX_BOL;
			}
			break;
		case MBOX_BLANK:
			if (*p == mbox_from[mb->from]) {
				p++;
				if (++mb->from == MBOX_FROM_LEN) {
					/* a separator: the held empty line is its */
					mb->blank = mb->from = 0;
					mb->state = MBOX_FROM;
					mbox_end(mb);
					mbox_begin(mb, ++mb->count);
				}
			} else if (mb->from == 0 && (*p == '\n' || *p == '\r')) {
				/* another empty line, perhaps: judged at BOL */
				mbox_release(mb);
				mb->state = MBOX_BOL;
			} else {
				mbox_release(mb);
				mb->state = MBOX_TEXT;
			}
			break;
		case MBOX_DONE:
			break;
		}
	}
	return (mb->stop);
}

/* mbox_finish - the end of the stream: the last message ends */

int     mbox_finish(struct mbox *mb)
{
	assert(mb->state != MBOX_DONE);
	switch (mb->state) {
	case MBOX_DETECT:
		/* shorter than "From ", or empty: one plain message */
		mbox_begin(mb, 0);
		mbox_release(mb);
		break;
	case MBOX_BOL_CR:
		mbox_emit(mb, mbox_crlf, 1);
		break;
	case MBOX_BLANK:
		/* the trailing empty line is the mbox's; "From" begun is text */
		if (mb->from == 0)
			mb->blank = 0;
		mbox_release(mb);
		break;
	default:
		break;
	}
	mbox_end(mb);
	mb->state = MBOX_DONE;
	return (mb->stop);
}
