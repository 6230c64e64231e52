/*
 * NAME
 *	yenc 3
 * SUMMARY
 *	streaming yEnc scanner and decoder
 * SYNOPSIS
 *	#include "yenc.h"
 *
 *	void	yenc_init(y, ev, ctx)
 *	struct yenc *y;
 *	const struct yenc_events *ev;
 *	void	*ctx;
 *
 *	int	yenc_feed(y, buf, len)
 *	struct yenc *y;
 *	const uint8_t *buf;
 *	size_t	len;
 *
 *	int	yenc_finish(y)
 *	struct yenc *y;
 * DESCRIPTION
 *	This module finds yEnc (1.3) blocks in text and decodes them, as
 *	uudeview and ClamAV do in any text part of a mail.  It reads line
 *	by line; a line ends with LF.  A CR is never data and never part
 *	of a line: every CR is dropped before anything else looks at the
 *	bytes (the spec: "CR and LF are not data").
 *
 *	A begin line starts, at the start of the line, with "=ybegin"
 *	and a blank (space, tab) or the line end.  Its keys are blank-separated key=value
 *	words; "name=", after a blank, is the last key and its value runs
 *	to the end of the line less trailing blanks (it may be empty, and
 *	it is empty when there is no name key).  Of the words before it,
 *	size=, part= and total= are read into y->size, y->part and
 *	y->total (the first of each; YENC_NONE when absent or not a
 *	number; a number is its leading decimal digits, saturated at
 *	UINT64_MAX - 1).  It calls ev->begin(ctx, name, len, y->size) and
 *	opens a block.  Junk lines outside a block are skipped.
 *
 *	In a block, a line that starts with "=y" is a keyword line:
 * .IP \(bu
 *	"=yend" and a blank or the line end closes the block:
 *	ev->end(ctx, 1).  Its size= goes to y->end_size; when it is
 *	present and differs from y->block_out, y->mismatched is
 *	incremented (an observation; the block is still clean).
 * .IP \(bu
 *	"=ypart" and a blank: begin= and end= go to y->part_begin and
 *	y->part_end (the last =ypart of the block wins).  Nothing is
 *	reported: the declared size of ev->begin is the size= of the whole
 *	file; a caller that wants the part's share uses end - begin + 1.
 * .IP \(bu
 *	"=ybegin" and a blank abandons the block (ev->end(ctx, 0),
 *	y->malformed) and opens the next one.
 * .IP \(bu
 *	Any other "=y" line is skipped.
 * .PP
 *	Every other line is data: each byte c gives (c - 42) mod 256; '='
 *	escapes the next byte, which gives (c - 64 - 42) mod 256.  An
 *	escape does not cross a line end: a '=' last on its line gives
 *	nothing.  No escaped byte decodes from "=y", since a 'y' after a
 *	'=' at the start of a line makes a keyword line; conforming
 *	encoders never write one (they escape only NUL, LF, CR and '=',
 *	and maybe TAB, space and '.').
 *
 *	yenc_init() prepares an embedded struct yenc; ev and ctx are kept.
 *	Any callback may be a null pointer (with no ev->data, bytes are
 *	only counted).
 *
 *	yenc_feed() scans len bytes of buf.  The input may be split
 *	anywhere, down to single bytes: the events do not change.  A
 *	non-zero return of any callback is returned at once.  Data is
 *	decoded as it arrives and handed to ev->data in pieces of up to
 *	YENC_OUT_SIZE bytes, always before the next ev->begin or ev->end,
 *	and before yenc_feed() returns.
 *
 *	yenc_finish() ends the text: an unterminated last line is taken as
 *	a line; a block still open is abandoned (ev->end(ctx, 0),
 *	y->malformed).  The struct may then be fed again; the counters go
 *	on.
 *
 *	y->out counts the bytes decoded from all blocks, y->files the
 *	begin lines, y->malformed the blocks abandoned, y->mismatched the
 *	=yend lines whose size= is not what was decoded.
 * STATE AND MEMORY
 *	Four states: YENC_SCAN (looking for a begin line: its head is
 *	kept while it may still be one), YENC_SKIP (this line cannot be:
 *	skip to LF), YENC_DATA (in a block, a data line or the start of
 *	a line: decoded on the fly; y->esc holds a pending '='), YENC_KEY
 *	(in a block, a "=y" line: its head is kept).  Only the first
 *	YENC_LINE_MAX (512) bytes of a begin or keyword line are kept.
 *	The struct is 632 bytes on LP64; no allocation; no pointer into
 *	the caller's buffer is kept (the name given to ev->begin points
 *	into y->line).  Each call uses a YENC_OUT_SIZE (4 KiB) stack
 *	buffer for its output.  Linear time: every byte is looked at once,
 *	every kept line parsed once.
 * BUGS
 *	No size limit: a block may decode to any length, whatever it
 *	declares; the caller judges (y->size, y->block_out).
 *
 *	CRCs (pcrc32=, crc32=) are not checked, line= is not read, and
 *	the decoded length is not held to size=; =ypart does not cut the
 *	data.  The name is not checked at all (the caller sanitises it).
 *	A begin line longer than YENC_LINE_MAX gives a name cut at that
 *	length (uudeview reads 255 bytes of a line).
 *
 *	Readings differ: uudeview wants " name=" on the begin line and
 *	reads the line after a part= begin line as =ypart whatever it is;
 *	ClamAV wants "=ybegin line=" and decodes an escaped byte as
 *	(c - 64) mod 256.  This module takes the spec's reading and is
 *	more lenient on what opens a block.
 *
 *	After a callback has returned non-zero the state no longer says
 *	how much of the chunk was consumed; the caller must not feed more.
 */

#include <string.h>

#include "yenc.h"

#define YENC_OUT_SIZE	4096		/* output piece */

enum {
	YENC_SCAN,			/* looking for a begin line */
	YENC_SKIP,			/* this line is not one: skip to LF */
	YENC_DATA,			/* in a block: a data line */
	YENC_KEY,			/* in a block: a "=y" line */
};

/* Output of one call. */

struct yenc_out {
	size_t	len;
	uint8_t	buf[YENC_OUT_SIZE];
};

/* yenc_block_reset - forget what the last block declared */

static void yenc_block_reset(struct yenc *y)
{
	y->size = y->part = y->total = YENC_NONE;
	y->part_begin = y->part_end = y->end_size = YENC_NONE;
	y->block_out = 0;
}

/* yenc_init - start scanning */

void    yenc_init(struct yenc *y, const struct yenc_events *ev, void *ctx)
{
	memset(y, 0, sizeof(*y));
	y->ev = ev;
	y->ctx = ctx;
	y->state = YENC_SCAN;
	yenc_block_reset(y);
}

/* yenc_flush - hand decoded bytes downstream */

static int yenc_flush(struct yenc *y, struct yenc_out *o)
{
	size_t  n = o->len;

	if (n == 0)
		return (0);
	o->len = 0;
	return (y->ev->data ? y->ev->data(y->ctx, o->buf, n) : 0);
}

/* yenc_byte - one decoded byte */

static int yenc_byte(struct yenc *y, struct yenc_out *o, int b)
{
	o->buf[o->len++] = (uint8_t) b;
	y->out++;
	y->block_out++;
	return (o->len == sizeof(o->buf) ? yenc_flush(y, o) : 0);
}

/* yenc_is_blank - space or tab */

static int yenc_is_blank(int c)
{
	return (c == ' ' || c == '\t');
}

/* yenc_keyword - the kept line is keyword kw, then a blank or its end */

static int yenc_keyword(const struct yenc *y, const char *kw)
{
	size_t  n = strlen(kw);

	return (y->line_len >= n && memcmp(y->line, kw, n) == 0
		&& (y->line_len == n || yenc_is_blank(y->line[n])));
}

/* yenc_number - leading decimal digits, saturated; YENC_NONE if none */

static uint64_t yenc_number(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t  i;

	for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (__builtin_mul_overflow(v, 10, &v)
		    || __builtin_add_overflow(v, (uint64_t) (p[i] - '0'), &v)
		    || v == YENC_NONE)
			v = YENC_NONE - 1;
	}
	return (i == 0 ? YENC_NONE : v);
}

/* yenc_key - the value of key= among the words of p[0..n), first one */

static uint64_t yenc_key(const uint8_t *p, size_t n, const char *key)
{
	size_t  k = strlen(key), i = 0, j;

	while (i < n) {
		while (i < n && yenc_is_blank(p[i]))
			i++;
		for (j = i; j < n && !yenc_is_blank(p[j]); j++)
			 /* void */ ;
		if (j - i > k && memcmp(p + i, key, k) == 0)
			return (yenc_number(p + i + k, j - i - k));
		i = j;
	}
	return (YENC_NONE);
}

/* yenc_kept - bytes of the line that were kept */

static size_t yenc_kept(const struct yenc *y)
{
	return (y->line_len < YENC_LINE_MAX ? y->line_len : YENC_LINE_MAX);
}

/* yenc_try_begin - open a block if the kept line is a begin line */

static int yenc_try_begin(struct yenc *y, struct yenc_out *o)
{
	size_t  n = yenc_kept(y), i, keys, start = 0, len = 0;
	int     ret;

	if (!yenc_keyword(y, "=ybegin"))
		return (0);
	for (keys = n, i = 7; i + 6 <= n; i++) {
		if (yenc_is_blank(y->line[i]) && memcmp(y->line + i + 1, "name=", 5) == 0) {
			keys = i;
			start = i + 6;
			for (len = n - start; len > 0 && yenc_is_blank(y->line[start + len - 1]); len--)
				 /* void */ ;
			break;
		}
	}
	if ((ret = yenc_flush(y, o)) != 0)
		return (ret);
	yenc_block_reset(y);
	y->size = yenc_key(y->line + 7, keys - 7, "size=");
	y->part = yenc_key(y->line + 7, keys - 7, "part=");
	y->total = yenc_key(y->line + 7, keys - 7, "total=");
	y->files++;
	y->state = YENC_DATA;
	if (y->ev->begin)
		return (y->ev->begin(y->ctx, (const char *) y->line + start, len, y->size));
	return (0);
}

/* yenc_close - close the block: clean or abandoned */

static int yenc_close(struct yenc *y, struct yenc_out *o, int clean)
{
	int     ret;

	if ((ret = yenc_flush(y, o)) != 0)
		return (ret);
	y->state = YENC_SCAN;
	if (!clean)
		y->malformed++;
	return (y->ev->end ? y->ev->end(y->ctx, clean) : 0);
}

/* yenc_key_line - a "=y" line in a block is complete */

static int yenc_key_line(struct yenc *y, struct yenc_out *o)
{
	size_t  n = yenc_kept(y);
	int     ret;

	if (yenc_keyword(y, "=yend")) {
		y->end_size = yenc_key(y->line + 5, n - 5, "size=");
		if (y->end_size != YENC_NONE && y->end_size != y->block_out)
			y->mismatched++;
		return (yenc_close(y, o, 1));
	}
	if (yenc_keyword(y, "=ypart")) {
		y->part_begin = yenc_key(y->line + 6, n - 6, "begin=");
		y->part_end = yenc_key(y->line + 6, n - 6, "end=");
	} else if (yenc_keyword(y, "=ybegin")) {
		if ((ret = yenc_close(y, o, 0)) != 0)
			return (ret);
		return (yenc_try_begin(y, o));
	}
	y->state = YENC_DATA;
	return (0);
}

/* yenc_line_end - a line is complete */

static int yenc_line_end(struct yenc *y, struct yenc_out *o)
{
	int     ret = 0;

	if (y->state == YENC_KEY)
		ret = yenc_key_line(y, o);
	else if (y->state == YENC_SCAN)
		ret = yenc_try_begin(y, o);
	else if (y->state == YENC_SKIP)
		y->state = YENC_SCAN;
	y->esc = 0;
	y->line_len = 0;
	return (ret);
}

/* yenc_keep - keep a byte of the line's head */

static void yenc_keep(struct yenc *y, int c)
{
	if (y->line_len < YENC_LINE_MAX)
		y->line[y->line_len] = (uint8_t) c;
	y->line_len++;
}

/* yenc_char - one byte of a line, not CR or LF */

static int yenc_char(struct yenc *y, struct yenc_out *o, int c)
{
	size_t  pos = y->line_len;

	switch (y->state) {
	case YENC_SCAN:
		if (pos < 7 ? c != "=ybegin"[pos] : pos == 7 && !yenc_is_blank(c))
			y->state = YENC_SKIP;
		else
			yenc_keep(y, c);
		return (0);
	case YENC_KEY:
		yenc_keep(y, c);
		return (0);
	case YENC_DATA:
		y->line_len = pos + 1;
		if (y->esc) {
			y->esc = 0;
			if (pos == 1 && c == 'y') {
				y->state = YENC_KEY;
				y->line_len = 0;
				yenc_keep(y, '=');
				yenc_keep(y, 'y');
				return (0);
			}
			return (yenc_byte(y, o, (c - 64 - 42) & 255));
		}
		if (c == '=') {
			y->esc = 1;
			return (0);
		}
		return (yenc_byte(y, o, (c - 42) & 255));
	}
	return (0);
}

/* yenc_feed - scan a chunk */

int     yenc_feed(struct yenc *y, const uint8_t *buf, size_t len)
{
	struct yenc_out o;
	const uint8_t *p = buf, *end = buf + len, *lf;
	int     c, ret;

	o.len = 0;
	while (p < end) {
		if (y->state == YENC_SKIP) {
			if ((lf = memchr(p, '\n', (size_t) (end - p))) == 0)
				break;
			p = lf;
		}
		c = *p++;
		if (c == '\r')
			continue;
		if (c == '\n')
			ret = yenc_line_end(y, &o);
		else
			ret = yenc_char(y, &o, c);
		if (ret != 0)
			return (ret);
	}
	return (yenc_flush(y, &o));
}

/* yenc_idle - at a line start, in no block */

int     yenc_idle(const struct yenc *y)
{
	return (y->state == YENC_SCAN && y->line_len == 0);
}

/* yenc_finish - end of the text: last line, open block */

int     yenc_finish(struct yenc *y)
{
	struct yenc_out o;
	int     ret;

	o.len = 0;
	if (y->line_len > 0 && (ret = yenc_line_end(y, &o)) != 0)
		return (ret);
	if (y->state == YENC_DATA || y->state == YENC_KEY) {
		if ((ret = yenc_close(y, &o, 0)) != 0)
			return (ret);
	}
	y->state = YENC_SCAN;
	y->esc = 0;
	y->line_len = 0;
	return (yenc_flush(y, &o));
}
