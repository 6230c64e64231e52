/*
 * NAME
 *	binhex 3
 * SUMMARY
 *	streaming BinHex 4.0 scanner and decoder
 * SYNOPSIS
 *	#include "binhex.h"
 *
 *	void	binhex_init(b, ev, ctx)
 *	struct binhex *b;
 *	const struct binhex_events *ev;
 *	void	*ctx;
 *
 *	int	binhex_feed(b, buf, len)
 *	struct binhex *b;
 *	const uint8_t *buf;
 *	size_t	len;
 *
 *	int	binhex_finish(b)
 *	struct binhex *b;
 * DESCRIPTION
 *	This module finds BinHex 4.0 (.hqx) blocks in text and decodes
 *	them, as uudeview and ClamAV do in any text part of a mail.  A
 *	line ends with LF, CR or CRLF (BinHex comes from the Macintosh,
 *	whose lines end with CR).
 *
 *	A block opens in one of two ways:
 * .IP \(bu
 *	A line that starts with "(This file must be converted with
 *	BinHex" (the rest of the line is not looked at); then, after any
 *	number of blank lines (spaces, tabs), a line whose first non-blank
 *	byte is ':'.  Any other line drops the marker and is scanned
 *	afresh (when it has leading blanks it is skipped).
 * .IP \(bu
 *	Without the marker, a line that starts with ':' and 63 characters
 *	of the alphabet: the first line of every encoder, 64 wide
 *	(uudeview takes a line of 40 or more that is all alphabet).
 * .PP
 *	After the ':' come characters of the 64-character alphabet
 *	!"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr,
 *	six bits each, four making three bytes; spaces, tabs, CRs and LFs
 *	are ignored; a ':' closes the block (two or three characters of a
 *	last group give one or two bytes).  Any other byte abandons the
 *	block.
 *
 *	The bytes are run-length decoded: 0x90 n repeats the byte before
 *	so that it appears n times in all (n = 1 adds nothing); 0x90 0 is
 *	a literal 0x90, which then is the byte before.  Before any byte,
 *	the byte before is 0x00.  The decoded stream is: a header (name
 *	length n, the name, a version byte, type (4), creator (4), flags
 *	(2), data fork length (4, big endian), resource fork length (4,
 *	BE), header CRC (2)), the data fork and its CRC (2), the resource
 *	fork and its CRC (2).  Bytes after those are counted in b->extra
 *	and dropped.
 *
 *	When the header is complete ev->begin(ctx, name, n, data fork
 *	length + resource fork length) is called.  The data fork goes to
 *	ev->data; the resource fork too when the data fork is empty (what
 *	uudeview extracts), otherwise it is counted in b->rsrc_out.  Then
 *	ev->end(ctx, clean), clean when both forks and their CRCs were
 *	complete before the closing ':'.  A block that ends before its
 *	header is complete (a ':', a byte outside the alphabet, the end of
 *	the text) gives no event at all, only b->malformed: begin and end
 *	always come in pairs.  The header CRC is checked: a mismatch
 *	counts in b->head_crc_bad and nothing else (extractors that do not
 *	check still extract).
 *
 *	binhex_init() prepares an embedded struct binhex; ev and ctx are
 *	kept.  Any callback may be a null pointer (with no ev->data, bytes
 *	are only counted).
 *
 *	binhex_feed() scans len bytes of buf.  The input may be split
 *	anywhere, down to single bytes: the events do not change.  A
 *	non-zero return of any callback is returned at once.  Data is
 *	handed to ev->data in pieces of up to BINHEX_OUT_SIZE bytes,
 *	always before the next ev->begin or ev->end, and before
 *	binhex_feed() returns.
 *
 *	binhex_finish() ends the text: a block still open is abandoned
 *	(ev->end(ctx, 0) if it had begun, b->malformed).  The struct may
 *	then be fed again; the counters go on.
 *
 *	b->out counts the bytes passed to ev->data, b->files the begin
 *	events, b->malformed the blocks abandoned (with a begin or not),
 *	b->head_crc_bad the headers with a bad CRC, b->extra the bytes
 *	after the last CRC.
 * STATE AND MEMORY
 *	Five states: BINHEX_SCAN (a line that may be a marker or a bare
 *	start: its first 64 bytes are kept), BINHEX_SKIP (skip to the line
 *	end), BINHEX_MARK_SKIP (the rest of the marker line), BINHEX_MARKED
 *	(waiting for ':'), BINHEX_DATA (in a block).  In a block, b->acc
 *	and b->q hold a partial group, b->rle and b->prev the run-length
 *	stage, b->phase and b->left the place in the decoded stream, and
 *	b->head the header, at most BINHEX_HEAD_MAX (277) bytes.  The
 *	struct is 480 bytes on LP64; no allocation; no pointer into the
 *	caller's buffer is kept (the name given to ev->begin points into
 *	b->head).  Each call uses a BINHEX_OUT_SIZE (4 KiB) stack buffer
 *	for its output.  Linear time: a run goes out as one memset into the
 *	output buffer, a run past the end of the stream is counted, not
 *	walked; the output is at most about 96 bytes per input byte (a
 *	0x90 n pair, from 2 2/3 characters, gives 254 bytes).
 * BUGS
 *	No size limit: the forks may declare and decode to anything up to
 *	4 GiB each; the caller judges.  The output is exact, including
 *	runs that expand.
 *
 *	The data and resource fork CRCs are not checked; the header CRC
 *	only counts.  The version byte, type, creator and flags are not
 *	looked at; the name is not checked (the caller sanitises it).
 *
 *	A byte outside the alphabet abandons the block; uudeview instead
 *	drops that line and goes on, so a block damaged that way may give
 *	it more than it gives here.  A ':' start without the marker needs
 *	a first line of at least 64 characters; uudeview takes 40.  No
 *	BinHex 2.0 or 3.0, no multi-part .hqx across messages.  A run
 *	count before any byte repeats 0x00 (Python refuses it).
 *
 *	Cross-checked with uudeview 0.5pl20: the same bytes for a file
 *	with runs and 0x90s, and for a resource-only file.
 *
 *	After a callback has returned non-zero the state no longer says
 *	how much of the chunk was consumed; the caller must not feed more.
 */

#include <string.h>

#include "binhex.h"

#define BINHEX_OUT_SIZE	4096		/* output piece */
#define BINHEX_RUN	0x90		/* run-length marker */

static const char binhex_marker[] = "(This file must be converted with BinHex";

#define BINHEX_MARKER_LEN (sizeof(binhex_marker) - 1)

enum {
	BINHEX_SCAN,			/* may be a marker or a bare start */
	BINHEX_SKIP,			/* not one: skip to the line end */
	BINHEX_MARK_SKIP,		/* the rest of the marker line */
	BINHEX_MARKED,			/* marker seen: waiting for ':' */
	BINHEX_DATA,			/* in a block */
};

enum {
	BINHEX_HEAD,			/* the header */
	BINHEX_DFORK,			/* the data fork */
	BINHEX_DCRC,			/* its CRC */
	BINHEX_RFORK,			/* the resource fork */
	BINHEX_RCRC,			/* its CRC */
	BINHEX_DONE,			/* all of it: the rest is extra */
};

/* Output of one call. */

struct binhex_out {
	size_t	len;
	uint8_t	buf[BINHEX_OUT_SIZE];
};

/* binhex_init - start scanning */

void    binhex_init(struct binhex *b, const struct binhex_events *ev, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ev = ev;
	b->ctx = ctx;
	b->state = BINHEX_SCAN;
}

/* The six bits of each alphabet character, -1 for the rest (ASCII). */

static const signed char binhex_bits[128] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, -1,
	13, 14, 15, 16, 17, 18, 19, -1, 20, 21, -1, -1, -1, -1, -1, -1,
	22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, -1,
	37, 38, 39, 40, 41, 42, 43, -1, 44, 45, 46, 47, -1, -1, -1, -1,
	48, 49, 50, 51, 52, 53, 54, -1, 55, 56, 57, 58, 59, 60, -1, -1,
	61, 62, 63, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* binhex_value - the six bits of an alphabet character, or -1 */

static int binhex_value(int c)
{
	return (c < 128 ? binhex_bits[c] : -1);
}

/* binhex_is_blank - space or tab */

static int binhex_is_blank(int c)
{
	return (c == ' ' || c == '\t');
}

/* binhex_flush - hand decoded bytes downstream */

static int binhex_flush(struct binhex *b, struct binhex_out *o)
{
	size_t  n = o->len;

	if (n == 0)
		return (0);
	o->len = 0;
	return (b->ev->data ? b->ev->data(b->ctx, o->buf, n) : 0);
}

/* binhex_put - n copies of byte x downstream */

static int binhex_put(struct binhex *b, struct binhex_out *o, int x, uint64_t n)
{
	size_t  m;
	int     ret;

	b->out += n;
	while (n > 0) {
		m = sizeof(o->buf) - o->len;
		if (m > n)
			m = (size_t) n;
		memset(o->buf + o->len, x, m);
		o->len += m;
		n -= m;
		if (o->len == sizeof(o->buf) && (ret = binhex_flush(b, o)) != 0)
			return (ret);
	}
	return (0);
}

/* binhex_crc - CRC-16/XMODEM (BinHex's, Python's crc_hqx) */

static unsigned binhex_crc(const uint8_t *p, size_t n)
{
	unsigned crc = 0, i;

	while (n-- > 0) {
		crc ^= (unsigned) *p++ << 8;
		for (i = 0; i < 8; i++)
			crc = (crc & 0x8000) ? (crc << 1 ^ 0x1021) & 0xffff : crc << 1 & 0xffff;
	}
	return (crc);
}

/* binhex_be32 - a big-endian length */

static uint64_t binhex_be32(const uint8_t *p)
{
	return ((uint64_t) p[0] << 24 | (uint64_t) p[1] << 16 | (uint64_t) p[2] << 8 | p[3]);
}

/* binhex_phase - go to the next phase that is not empty */

static void binhex_phase(struct binhex *b, int phase)
{
	for (;;) {
		b->phase = phase;
		b->left = phase == BINHEX_DFORK ? b->data_len
			: phase == BINHEX_RFORK ? b->rsrc_len : 2;
		if (b->left > 0 || phase == BINHEX_DONE)
			return;
		phase++;
	}
}

/* binhex_header - the header is complete: lengths, CRC, begin */

static int binhex_header(struct binhex *b)
{
	size_t  n = b->head[0];
	const uint8_t *h = b->head + n + 12;

	b->data_len = binhex_be32(h);
	b->rsrc_len = binhex_be32(h + 4);
	if (binhex_crc(b->head, n + 20) != ((unsigned) h[8] << 8 | h[9]))
		b->head_crc_bad++;
	b->files++;
	binhex_phase(b, BINHEX_DFORK);
	if (b->ev->begin)
		return (b->ev->begin(b->ctx, (const char *) b->head + 1, n,
				     b->data_len + b->rsrc_len));
	return (0);
}

/* binhex_emit - n copies of byte x out of the RLE stage */

static int binhex_emit(struct binhex *b, struct binhex_out *o, int x, uint64_t n)
{
	uint64_t m;
	int     ret;

	while (n > 0) {
		switch (b->phase) {
		case BINHEX_HEAD:
			b->head[b->head_len++] = (uint8_t) x;
			n--;
			if (b->head_len == (size_t) b->head[0] + 22
			    && (ret = binhex_header(b)) != 0)
				return (ret);
			continue;
		case BINHEX_DONE:
			b->extra += n;
			return (0);
		}
		m = n < b->left ? n : b->left;
		if (b->phase == BINHEX_DFORK
		    || (b->phase == BINHEX_RFORK && b->data_len == 0)) {
			if ((ret = binhex_put(b, o, x, m)) != 0)
				return (ret);
		} else if (b->phase == BINHEX_RFORK) {
			b->rsrc_out += m;
		}
		n -= m;
		if ((b->left -= m) == 0)
			binhex_phase(b, b->phase + 1);
	}
	return (0);
}

/* binhex_rle - one byte into the run-length stage */

static int binhex_rle(struct binhex *b, struct binhex_out *o, int x)
{
	if (b->rle) {
		b->rle = 0;
		if (x == 0) {
			b->prev = BINHEX_RUN;
			return (binhex_emit(b, o, BINHEX_RUN, 1));
		}
		return (binhex_emit(b, o, b->prev, (uint64_t) x - 1));
	}
	if (x == BINHEX_RUN) {
		b->rle = 1;
		return (0);
	}
	b->prev = (uint8_t) x;
	return (binhex_emit(b, o, x, 1));
}

/* binhex_bytes - the top n bytes of the group, in order */

static int binhex_bytes(struct binhex *b, struct binhex_out *o, uint32_t bits,
			        int n)
{
	int     i, ret;

	for (i = n - 1; i >= 0; i--)
		if ((ret = binhex_rle(b, o, (int) (bits >> (8 * i)) & 255)) != 0)
			return (ret);
	return (0);
}

/* binhex_open - a block starts after its ':' */

static void binhex_open(struct binhex *b)
{
	b->state = BINHEX_DATA;
	b->acc = 0;
	b->q = 0;
	b->rle = 0;
	b->prev = 0;
	b->phase = BINHEX_HEAD;
	b->left = 0;
	b->head_len = 0;
	b->data_len = b->rsrc_len = b->rsrc_out = 0;
}

/* binhex_sextet - one alphabet character of a block */

static int binhex_sextet(struct binhex *b, struct binhex_out *o, int v)
{
	uint32_t bits;

	b->acc = b->acc << 6 | (uint32_t) v;
	if (++b->q < 4)
		return (0);
	bits = b->acc & 0xffffff;
	b->acc = 0;
	b->q = 0;
	return (binhex_bytes(b, o, bits, 3));
}

/* binhex_close - end the block: ':' (clean if complete) or abandoned */

static int binhex_close(struct binhex *b, struct binhex_out *o, int colon)
{
	int     ret, clean;

	if (b->q == 2)
		ret = binhex_bytes(b, o, b->acc >> 4, 1);
	else if (b->q == 3)
		ret = binhex_bytes(b, o, b->acc >> 2, 2);
	else
		ret = 0;
	b->q = 0;
	b->state = BINHEX_SKIP;
	if (ret != 0 || (ret = binhex_flush(b, o)) != 0)
		return (ret);
	clean = colon && b->phase == BINHEX_DONE;
	if (!clean)
		b->malformed++;
	if (b->phase == BINHEX_HEAD || !b->ev->end)
		return (0);
	return (b->ev->end(b->ctx, clean));
}

/* binhex_data - one byte in a block */

static int binhex_data(struct binhex *b, struct binhex_out *o, int c)
{
	int     v;

	if ((v = binhex_value(c)) >= 0)
		return (binhex_sextet(b, o, v));
	if (binhex_is_blank(c) || c == '\r' || c == '\n')
		return (0);
	return (binhex_close(b, o, c == ':'));
}

/* binhex_bare - a bare ':' and 63 characters: replay them */

static int binhex_bare(struct binhex *b, struct binhex_out *o)
{
	size_t  i;
	int     ret;

	binhex_open(b);
	for (i = 1; i < sizeof(b->line); i++)
		if ((ret = binhex_sextet(b, o, binhex_value(b->line[i]))) != 0)
			return (ret);
	return (0);
}

/* binhex_scan - one byte of a line that may open a block */

static int binhex_scan(struct binhex *b, struct binhex_out *o, int c)
{
	size_t  pos = b->line_len;

	if (c == '\r' || c == '\n') {
		b->line_len = 0;
		return (0);
	}
	if (pos == 0 ? c != '(' && c != ':'
	    : b->line[0] == '(' ? c != binhex_marker[pos] : binhex_value(c) < 0) {
		b->state = BINHEX_SKIP;
		return (0);
	}
	b->line[pos] = (uint8_t) c;
	b->line_len = pos + 1;
	if (b->line[0] == '(' && b->line_len == BINHEX_MARKER_LEN)
		b->state = BINHEX_MARK_SKIP;
	else if (b->line[0] == ':' && b->line_len == sizeof(b->line))
		return (binhex_bare(b, o));
	return (0);
}

/* binhex_char - one byte of the text */

static int binhex_char(struct binhex *b, struct binhex_out *o, int c)
{
	int     eol = c == '\r' || c == '\n';

	switch (b->state) {
	case BINHEX_SCAN:
		return (binhex_scan(b, o, c));
	case BINHEX_SKIP:
	case BINHEX_MARK_SKIP:
		if (eol) {
			b->state = b->state == BINHEX_SKIP ? BINHEX_SCAN : BINHEX_MARKED;
			b->line_len = 0;
		}
		return (0);
	case BINHEX_MARKED:
		if (eol) {
			b->line_len = 0;
		} else if (c == ':') {
			binhex_open(b);
		} else if (binhex_is_blank(c)) {
			b->line_len++;
		} else if (b->line_len == 0) {
			b->state = BINHEX_SCAN;
			return (binhex_scan(b, o, c));
		} else {
			b->state = BINHEX_SKIP;
		}
		return (0);
	case BINHEX_DATA:
		return (binhex_data(b, o, c));
	}
	return (0);
}

/* binhex_feed - scan a chunk */

int     binhex_feed(struct binhex *b, const uint8_t *buf, size_t len)
{
	struct binhex_out o;
	size_t  i;
	int     ret;

	o.len = 0;
	for (i = 0; i < len; i++) {
		if (b->state == BINHEX_SKIP || b->state == BINHEX_MARK_SKIP) {
			/* the rest of a line that is no BinHex: to its end, fast */
			const uint8_t *lf = memchr(buf + i, '\n', len - i);
			size_t  end = lf ? (size_t) (lf - buf) : len;
			const uint8_t *cr = memchr(buf + i, '\r', end - i);

			if (cr)
				end = cr - buf;
			if (end == len)
				break;
			i = end;
		}
		if ((ret = binhex_char(b, &o, buf[i])) != 0)
			return (ret);
	}
	return (binhex_flush(b, &o));
}

/* binhex_idle - at a line start, no marker pending, in no block */

int     binhex_idle(const struct binhex *b)
{
	return (b->state == BINHEX_SCAN && b->line_len == 0);
}

/* binhex_finish - end of the text: an open block is abandoned */

int     binhex_finish(struct binhex *b)
{
	struct binhex_out o;
	int     ret;

	o.len = 0;
	if (b->state == BINHEX_DATA && (ret = binhex_close(b, &o, 0)) != 0)
		return (ret);
	b->state = BINHEX_SCAN;
	b->line_len = 0;
	return (binhex_flush(b, &o));
}
