/*
 * NAME
 *	uu 3
 * SUMMARY
 *	streaming uuencode scanner and decoder
 * SYNOPSIS
 *	#include "uu.h"
 *
 *	void	uu_init(u, ev, ctx)
 *	struct uu *u;
 *	const struct uu_events *ev;
 *	void	*ctx;
 *
 *	int	uu_feed(u, buf, len)
 *	struct uu *u;
 *	const uint8_t *buf;
 *	size_t	len;
 *
 *	int	uu_finish(u)
 *	struct uu *u;
 * DESCRIPTION
 *	This module finds classic uuencoded files in text and decodes them:
 *	the body of a part with Content-Transfer-Encoding x-uuencode, or the
 *	decoded text of a text/plain part that may carry uuencoded blocks
 *	among prose.  It reads line by line; a line ends with LF or CRLF.
 *
 *	A begin line is "begin" in any case (ripmime takes "BEGIN"), one or
 *	more blanks (space, tab), a mode of three to six octal digits
 *	(uudeview takes "100644"), one or more blanks, and a name, which
 *	runs to the end of the line less trailing blanks and CRs, and must
 *	not be empty.  It must start at the start of the line and be at
 *	most UU_LINE_MAX bytes long.  It calls ev->begin(ctx, name, len)
 *	and opens a block.  "begin-base64" instead of "begin" (GNU
 *	sharutils' uuencode -m, which uudeview decodes) opens a block of
 *	base64 lines that ends at a line "====".
 *
 *	Until a block's first body line, lines that are not uuencode are
 *	passed over (up to UU_JUNK_MAX of them), as ripmime and uudeview
 *	do: a comment line after "begin" does not hide the file.
 *
 *	In a block, every line is a body line, the end line, or the end of
 *	the block:
 * .IP \(bu
 *	"end", maybe followed by blanks, calls ev->end(ctx, 1) and closes
 *	the block.
 * .IP \(bu
 *	A body line: its first character gives the count of bytes it
 *	declares, (c - 32) & 63 ('`' and ' ' are 0; an empty line counts as
 *	a lone '`').  The characters that follow decode four into three,
 *	(c - 32) & 63 each, and exactly the declared count is produced;
 *	characters beyond those needed are ignored.  A short line produces
 *	what it has (two characters of a last group give one byte, three
 *	give two).
 * .IP \(bu
 *	A line that is not uuencode abandons the block: ev->end(ctx, 0),
 *	u->malformed is incremented, and the line itself is examined as a
 *	begin line.  The rule: every byte of a body line must be in 32..96
 *	(' ' to '`'), and the line must carry at least need - 4 of the
 *	need = 4 * ceil(count / 3) characters its count calls for, that is,
 *	lack at most one group (what a gateway that strips trailing blanks
 *	takes away).  Prose almost always fails at once: lower-case letters
 *	are above 96.
 * .PP
 *	uu_init() prepares an embedded struct uu; ev and ctx are kept.  Any
 *	callback may be a null pointer (with no ev->data, bytes are only
 *	counted).
 *
 *	uu_feed() scans len bytes of buf.  The input may be split anywhere,
 *	down to single bytes: the events do not change.  A non-zero return
 *	of any callback is returned at once.  A body line is decoded as it
 *	arrives, but its bytes are handed to ev->data at its line end, when
 *	the line is known to be a body line and not the end of the block;
 *	they go on in pieces of up to UU_OUT_SIZE bytes, always before the
 *	next ev->begin or ev->end, and before uu_feed() returns.
 *
 *	uu_finish() ends the text: an unterminated last line is taken as a
 *	line; a block still open is abandoned (ev->end(ctx, 0),
 *	u->malformed).  The struct may then be fed again; the counters go
 *	on.
 *
 *	u->out counts the bytes decoded from all files, u->files the begin
 *	lines, u->malformed the blocks abandoned.
 * STATE AND MEMORY
 *	Three states: UU_SCAN (looking for a begin line: the line is kept
 *	while it may still be one), UU_SKIP (this line cannot be: skip to
 *	LF), UU_BODY (in a block: the line is decoded on the fly into
 *	u->dec, at most 63 bytes, and its first UU_LINE_MAX bytes are kept
 *	in u->line, so that the end line or a begin line can be recognised
 *	and the begin name reported).  u->cr holds a CR until the next
 *	byte says whether it ends the line.  The struct is 488
 *	bytes; no allocation; no pointer into the caller's buffer is kept
 *	(the name given to ev->begin points into u->line).  Each call uses
 *	a UU_OUT_SIZE (4 KiB) stack buffer for its output.  Lines of any
 *	length are handled: only their head is kept.
 * BUGS
 *	No xxencode (yenc.c and binhex.c do yEnc and BinHex).  A
 *	begin-base64 line longer than UU_LINE_MAX is decoded from its head
 *	only.
 *	The mode is not checked beyond its digits, the name is not checked
 *	at all (the caller sanitises it before it reaches a log).
 *
 *	A block without its "end" line is reported as abandoned even when
 *	its data is complete; a line of prose in a block ends the block
 *	even if uuencoded lines follow.
 *
 *	A CR not followed by LF is an ordinary byte, so it makes a body
 *	line invalid.
 *
 *	After a callback has returned non-zero the state no longer says
 *	how much of the chunk was consumed; the caller must not feed more.
 */

#include <string.h>
#include <strings.h>

#include "uu.h"

#define UU_OUT_SIZE	4096		/* output piece */
#define UU_SLACK	4		/* characters a body line may lack */
#define UU_JUNK_MAX	8		/* lines passed over before the first body line */

enum {
	UU_SCAN,			/* looking for a begin line */
	UU_SKIP,			/* this line is not one: skip to LF */
	UU_BODY,			/* in a block */
	UU_B64,				/* in a begin-base64 block */
};

/* Output of one call. */

struct uu_out {
	size_t	len;
	uint8_t	buf[UU_OUT_SIZE];
};

/* uu_init - start scanning */

void    uu_init(struct uu *u, const struct uu_events *ev, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->ev = ev;
	u->ctx = ctx;
	u->state = UU_SCAN;
}

/* uu_line_reset - forget the current line */

static void uu_line_reset(struct uu *u)
{
	u->cr = 0;
	u->bad = 0;
	u->line_len = 0;
	u->want = 0;
	u->got = 0;
	u->chars = 0;
	u->acc = 0;
	u->q = 0;
}

/* uu_flush - hand decoded bytes downstream */

static int uu_flush(struct uu *u, struct uu_out *o)
{
	size_t  n = o->len;

	if (n == 0)
		return (0);
	o->len = 0;
	u->out += n;
	return (u->ev->data ? u->ev->data(u->ctx, o->buf, n) : 0);
}

/* uu_bytes - store decoded bits, no more than the line declares */

static void uu_bytes(struct uu *u, uint32_t bits, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && u->got < u->want; i++)
		u->dec[u->got++] = (uint8_t) (bits >> (8 * (n - 1 - i)));
}

/* uu_body_char - one byte of a body line, on the fly */

static void uu_body_char(struct uu *u, size_t pos, int c)
{
	if (c < 32 || c > 96) {
		u->bad = 1;
		return;
	}
	if (u->bad)
		return;
	if (pos == 0) {
		u->want = (unsigned) (c - 32) & 63;
		return;
	}
	if (u->got >= u->want)			/* beyond the count: ignored */
		return;
	u->chars++;
	u->acc = u->acc << 6 | ((unsigned) (c - 32) & 63);
	if (++u->q == 4) {
		uu_bytes(u, u->acc, 3);
		u->acc = 0;
		u->q = 0;
	}
}

/* uu_char - one byte of a line, not a line end */

static void uu_char(struct uu *u, int c)
{
	size_t  pos = u->line_len;

	switch (u->state) {
	case UU_SKIP:
		return;
	case UU_SCAN:
		if (pos < 5 ? (c | 0x20) != "begin"[pos] :
		    pos == 5 ? c != ' ' && c != '\t' && c != '-' : pos >= UU_LINE_MAX) {
			u->state = UU_SKIP;
			return;
		}
		break;
	case UU_BODY:
		uu_body_char(u, pos, c);
		break;
	case UU_B64:
		break;
	}
	if (pos < UU_LINE_MAX)
		u->line[pos] = (uint8_t) c;
	u->line_len = pos + 1;
}

/* uu_is_blank - space or tab */

static int uu_is_blank(int c)
{
	return (c == ' ' || c == '\t');
}

/* uu_octal - count of octal digits at p */

static size_t uu_octal(const uint8_t *p, size_t n)
{
	size_t  i = 0;

	while (i < n && p[i] >= '0' && p[i] <= '7')
		i++;
	return (i);
}

/* uu_begin_name - find the name if the line is a begin line */

static int uu_begin_name(const uint8_t *p, size_t n, size_t *start,
			         size_t *len, int *b64)
{
	size_t  i = 5, j, digits;

	if (n < 6 || strncasecmp((const char *) p, "begin", 5) != 0)
		return (0);
	*b64 = (n > 12 && strncasecmp((const char *) p + 5, "-base64", 7) == 0);
	if (*b64)
		i += 7;
	if (i >= n || !uu_is_blank(p[i]))
		return (0);
	while (i < n && uu_is_blank(p[i]))
		i++;
	digits = uu_octal(p + i, n - i);
	if (digits < 3 || digits > 6)
		return (0);
	i += digits;
	if (i == n || !uu_is_blank(p[i]))
		return (0);
	while (i < n && uu_is_blank(p[i]))
		i++;
	for (j = n; j > i && (uu_is_blank(p[j - 1]) || p[j - 1] == '\r'); j--)
		 /* void */ ;
	if (j == i)
		return (0);
	*start = i;
	*len = j - i;
	return (1);
}

/* uu_is_begin - is the kept line a begin line? */

static int uu_is_begin(const struct uu *u)
{
	size_t  start, len;
	int     b64;

	return (u->line_len <= UU_LINE_MAX
		&& uu_begin_name(u->line, u->line_len, &start, &len, &b64));
}

/* uu_try_begin - open a block if the kept line is a begin line */

static int uu_try_begin(struct uu *u, struct uu_out *o)
{
	size_t  start, len;
	int     ret, b64;

	if (u->line_len > UU_LINE_MAX
	    || !uu_begin_name(u->line, u->line_len, &start, &len, &b64))
		return (0);
	if ((ret = uu_flush(u, o)) != 0)
		return (ret);
	u->files++;
	u->state = b64 ? UU_B64 : UU_BODY;
	u->lines = 0;
	u->junk = 0;
	b64_init(&u->b64);
	if (u->ev->begin)
		return (u->ev->begin(u->ctx, (const char *) u->line + start, len));
	return (0);
}

/* uu_is_end - the kept line is the end line */

static int uu_is_end(const struct uu *u)
{
	size_t  n = u->line_len;

	if (n < 3 || n > UU_LINE_MAX || memcmp(u->line, "end", 3) != 0)
		return (0);
	while (n > 3 && uu_is_blank(u->line[n - 1]))
		n--;
	return (n == 3);
}

/* uu_close - close the block: clean or abandoned */

static int uu_close(struct uu *u, struct uu_out *o, int clean)
{
	int     ret;

	if ((ret = uu_flush(u, o)) != 0)
		return (ret);
	u->state = UU_SCAN;
	if (!clean)
		u->malformed++;
	return (u->ev->end ? u->ev->end(u->ctx, clean) : 0);
}

/* uu_body_end - the end of a line in a block */

static int uu_body_end(struct uu *u, struct uu_out *o)
{
	unsigned need = (u->want + 2) / 3 * 4;
	int     ret;

	if (uu_is_end(u))
		return (uu_close(u, o, 1));
	if (u->bad || u->chars + UU_SLACK < need) {
		if (u->lines == 0 && u->junk < UU_JUNK_MAX && !uu_is_begin(u)) {
			u->junk++;		/* a comment before the data */
			return (0);
		}
		if ((ret = uu_close(u, o, 0)) != 0)
			return (ret);
		return (uu_try_begin(u, o));
	}
	u->lines++;
	if (u->q == 2)
		uu_bytes(u, u->acc >> 4, 1);
	else if (u->q == 3)
		uu_bytes(u, u->acc >> 2, 2);
	if (sizeof(o->buf) - o->len < u->got && (ret = uu_flush(u, o)) != 0)
		return (ret);
	memcpy(o->buf + o->len, u->dec, u->got);
	o->len += u->got;
	return (0);
}

/* uu_b64_out - decoded bytes of a begin-base64 block */

struct uu_b64_ctx {
	struct uu *u;
	struct uu_out *o;
};

static int uu_b64_out(void *ctx, const uint8_t *p, size_t n)
{
	struct uu_b64_ctx *c = ctx;
	size_t  take;
	int     ret;

	while (n > 0) {
		if (c->o->len == sizeof(c->o->buf) && (ret = uu_flush(c->u, c->o)) != 0)
			return (ret);
		take = sizeof(c->o->buf) - c->o->len;
		if (take > n)
			take = n;
		memcpy(c->o->buf + c->o->len, p, take);
		c->o->len += take;
		p += take;
		n -= take;
	}
	return (0);
}

/* uu_b64_end - a line of a begin-base64 block: data, or "====" */

static int uu_b64_end(struct uu *u, struct uu_out *o)
{
	size_t  n = u->line_len < UU_LINE_MAX ? u->line_len : UU_LINE_MAX;
	struct uu_b64_ctx c = {u, o};

	while (n > 0 && (uu_is_blank(u->line[n - 1]) || u->line[n - 1] == '\r'))
		n--;
	if (n == 4 && memcmp(u->line, "====", 4) == 0)
		return (uu_close(u, o, 1));
	return (b64_feed(&u->b64, u->line, n, uu_b64_out, &c));
}

/* uu_line_end - a line is complete */

static int uu_line_end(struct uu *u, struct uu_out *o)
{
	int     ret = 0;

	if (u->state == UU_B64)
		ret = uu_b64_end(u, o);
	else if (u->state == UU_BODY)
		ret = uu_body_end(u, o);
	else if (u->state == UU_SCAN)
		ret = uu_try_begin(u, o);
	else
		u->state = UU_SCAN;
	uu_line_reset(u);
	return (ret);
}

/* uu_feed - scan a chunk */

int     uu_feed(struct uu *u, const uint8_t *buf, size_t len)
{
	struct uu_out o;
	const uint8_t *p = buf, *end = buf + len, *lf;
	int     c, ret;

	o.len = 0;
	while (p < end) {
		if (u->state == UU_SKIP) {
			if ((lf = memchr(p, '\n', (size_t) (end - p))) == 0)
				break;
			p = lf + 1;
			u->state = UU_SCAN;
			uu_line_reset(u);
			continue;
		}
		c = *p++;
		if (u->cr) {
			u->cr = 0;
			if (c == '\n') {
				if ((ret = uu_line_end(u, &o)) != 0)
					return (ret);
				continue;
			}
			uu_char(u, '\r');
		}
		if (c == '\r') {
			u->cr = 1;
		} else if (c == '\n') {
			if ((ret = uu_line_end(u, &o)) != 0)
				return (ret);
		} else {
			uu_char(u, c);
		}
	}
	return (uu_flush(u, &o));
}

/* uu_idle - at a line start, in no block */

int     uu_idle(const struct uu *u)
{
	return (u->state == UU_SCAN && u->line_len == 0 && !u->cr);
}

/* uu_in_block - inside a block (its lines are the block's) */

int     uu_in_block(const struct uu *u)
{
	return (u->state == UU_BODY || u->state == UU_B64);
}

/* uu_finish - end of the text: last line, open block */

int     uu_finish(struct uu *u)
{
	struct uu_out o;
	int     ret;

	o.len = 0;
	if (u->state != UU_SKIP && (u->cr || u->line_len > 0)) {
		if ((ret = uu_line_end(u, &o)) != 0)
			return (ret);
	}
	if (u->state == UU_BODY || u->state == UU_B64) {
		if ((ret = uu_close(u, &o, 0)) != 0)
			return (ret);
	}
	u->state = UU_SCAN;
	uu_line_reset(u);
	return (uu_flush(u, &o));
}
