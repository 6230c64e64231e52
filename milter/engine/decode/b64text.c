/*
 * NAME
 *	b64text 3
 * SUMMARY
 *	base64 blocks in text, as uudeview and ripmime find them
 * SYNOPSIS
 *	#include "b64text.h"
 *
 *	void	b64text_init(b, events, ctx)
 *	int	b64text_feed(b, buf, len)
 *	int	b64text_finish(b)
 *	void	b64text_break(b)
 *	int	b64text_idle(b)
 *	int	b64text_could_start(line, len)
 * DESCRIPTION
 *	uudeview decodes base64 wherever it finds it in text: a block of
 *	base64 lines with no header at all, or one after a header group
 *	that says Content-Transfer-Encoding: base64 (a MIME part that no
 *	MIME parser saw, because the message's structure hid it: a second
 *	Content-Type, a boundary given twice, no MIME at all).  ripmime
 *	decodes the second kind too.  This scanner finds both, in text fed
 *	in any split, and decodes each block as a file:
 * .IP \(bu
 *	Bare: two lines of the same length, at least B64T_MIN characters,
 *	all of the base64 alphabet, begin a block; it goes on while lines
 *	have that length and ends after a shorter one, or one with '='
 *	padding.  A single such line longer than B64T_HOLD is a block by
 *	itself (what follows of that length continues it).
 * .IP \(bu
 *	After a header group: lines that are header fields, the first a
 *	Content- field, one of them Content-Transfer-Encoding: base64
 *	(any case, blanks, quotes), then a blank line; the next line, if
 *	it starts with an alphabet character, begins a block of lines of
 *	any length, which ends at a blank line, padding, or a line that
 *	is not base64.  A name= or filename= in the group names the file.
 * .PP
 *	What the block decodes to goes to ev->data, framed by ev->begin
 *	(name, length, UINT64_MAX: no size is declared) and ev->end.  A
 *	line that stops being base64 half way ends its block there: what
 *	it held before is decoded if the line was longer than B64T_HEAD
 *	(the union: an extractor that reads on decodes no less); a shorter
 *	line is decoded only when it ends as data.  Lines end with LF, CR
 *	or CRLF.
 *
 *	b64text_break() says lines went by unseen (the text was inside a
 *	uuencoded block, which uu.c decodes, begin-base64 included): any
 *	block ends, nothing held goes on.  b64text_idle() says the scanner
 *	is at a line start with nothing pending, so that a caller may pass
 *	over lines that b64text_could_start() says cannot matter: those
 *	that start neither with 'C' or 'c' (a Content- field) nor with
 *	B64T_MIN alphabet characters.
 * STATE AND MEMORY
 *	The struct b64text (about 2.4 KiB: the two held lines, a line's
 *	head, a name); no allocation.  Time linear in the text: every byte
 *	is looked at once, a line that can no longer matter is passed over
 *	with memchr.
 * BUGS
 *	The rules are a model of what the two extractors decode, tried
 *	against them (tests/test_b64text.c); a text line of sixteen or
 *	more letters and digits twice over is taken for base64 too, which
 *	only adds a leaf to the cost.
 */

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "b64text.h"

/* 1: a base64 alphabet character */
static const uint8_t b64t_alpha[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
	['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
	['7'] = 1, ['8'] = 1, ['9'] = 1, ['+'] = 1, ['/'] = 1,
};

/* b64t_line_start - a new line */

static void b64t_line_start(struct b64text *b)
{
	b->len = b->head_len = 0;
	b->pad = b->skip = 0;
	b->alpha = b->fieldish = 1;
}

/* b64text_init - a text begins */

void    b64text_init(struct b64text *b, const struct b64text_events *ev, void *ctx)
{
	memset(b, 0, offsetof(struct b64text, hold));
	b->held = 0;
	b->l1 = 0;
	b->ev = ev;
	b->ctx = ctx;
	b64t_line_start(b);
}

/* b64t_decode - bytes of the block */

static int b64t_decode(struct b64text *b, const uint8_t *p, size_t n)
{
	uint64_t before = b->dec.out;
	int     ret;

	if (n == 0)
		return (0);
	ret = b64_feed(&b->dec, p, n, b->ev->data, b->ctx);
	b->out += b->dec.out - before;
	return (ret);
}

/* b64t_begin - a block begins (want: its line length, 0 any) */

static int b64t_begin(struct b64text *b, size_t want)
{
	int     named = b->armed;

	b->data = 1;
	b->want = want;
	b->want_set = 0;
	b->files++;
	b->armed = b->primed = b->group = 0;
	b->held = 0;
	b64_init(&b->dec);
	return (b->ev->begin(b->ctx, b->name, named ? b->name_len : 0, UINT64_MAX));
}

/* b64t_end - the block is over */

static int b64t_end(struct b64text *b)
{
	uint64_t before = b->dec.out;
	int     ret;

	b->data = 0;
	b->want = 0;
	b->want_set = 0;
	b->name_len = 0;
	ret = b64_finish(&b->dec, b->ev->data, b->ctx);
	b->out += b->dec.out - before;
	if (ret != 0)
		return (ret);
	return (b->ev->end(b->ctx, 1));
}

/* b64t_prefix - does the line's head start with s, any case?  Where next */

static const uint8_t *b64t_prefix(const struct b64text *b, const char *s)
{
	size_t  n = strlen(s);

	if (b->head_len < n || strncasecmp((const char *) b->head, s, n) != 0)
		return (0);
	return (b->head + n);
}

/* b64t_cte_base64 - Content-Transfer-Encoding: base64, loosely */

static int b64t_cte_base64(const struct b64text *b)
{
	const uint8_t *p = b64t_prefix(b, "content-transfer-encoding");
	const uint8_t *end = b->head + b->head_len;

	if (p == 0)
		return (0);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p++ != ':')
		return (0);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '"'))
		p++;
	if (end - p < 6 || strncasecmp((const char *) p, "base64", 6) != 0)
		return (0);
	for (p += 6; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '"')
			return (0);
	return (1);
}

/* b64t_name - a name= or filename= in the line's head */

static void b64t_name(struct b64text *b)
{
	const uint8_t *end = b->head + b->head_len, *p, *q;

	for (p = b->head; end - p >= 5; p++) {
		if (strncasecmp((const char *) p, "name=", 5) != 0)
			continue;
		p += 5;
		if (p < end && *p == '"')
			p++;
		for (q = p; q < end && *q != '"' && *q != ';' && *q != ' ' && *q != '\t'; q++)
			/* void */ ;
		if (q > p) {
			b->name_len = (size_t) (q - p) < sizeof(b->name) ? (size_t) (q - p) : sizeof(b->name);
			memcpy(b->name, p, b->name_len);
		}
		return;
	}
}

/* b64t_field - is the line a header field (name, colon)? */

static int b64t_field(const struct b64text *b)
{
	for (size_t i = 0; i < b->head_len; i++) {
		uint8_t c = b->head[i];

		if (c == ':')
			return (i > 0);
		if (c <= ' ' || c > '~')
			return (0);
	}
	return (0);
}

/* b64t_text_line - a line of text is over: header groups, bare blocks */

static int b64t_text_line(struct b64text *b)
{
	if (b->len == 0) {
		/* A blank line ends a header group: data may follow. */
		b->armed = b->group && b->primed;
		b->group = b->primed = 0;
		b->held = 0;
		return (0);
	}
	b->armed = 0;
	if (b->head[0] == ' ' || b->head[0] == '\t') {
		if (b->group)
			b64t_name(b);		/* a folded field goes on */
	} else if (b64t_field(b) && (b->group || b64t_prefix(b, "content-"))) {
		if (!b->group)
			b->name_len = 0;
		b->group = 1;
		if (b64t_cte_base64(b))
			b->primed = 1;
		if (b64t_prefix(b, "content-"))
			b64t_name(b);
	} else {
		b->group = b->primed = 0;
	}
	/* Bare: two lines of one length begin a block. */
	if (!b->alpha || b->len < B64T_MIN || b->len > B64T_HOLD) {
		b->held = 0;
		return (0);
	}
	if (b->held && b->len == b->l1) {
		if (b64t_begin(b, b->l1) || b64t_decode(b, b->hold, 2 * b->l1))
			return (1);
		return (b->pad ? b64t_end(b) : 0);
	}
	if (b->pad) {
		b->held = 0;
		return (0);
	}
	if (b->held)
		memmove(b->hold, b->hold + b->l1, b->len);
	b->held = 1;
	b->l1 = b->len;
	return (0);
}

/* b64t_eol - the line is over */

static int b64t_eol(struct b64text *b)
{
	if (b->data) {
		if (b->want_set) {
			b->want = b->len;	/* a long line began it */
			b->want_set = 0;
		}
		if (b->len > 0 && b->len <= B64T_HEAD && b64t_decode(b, b->head, b->len))
			return (1);		/* a short line, all data */
		if (b->len > 0 && !b->pad && (b->want == 0 || b->len == b->want))
			return (0);		/* the block goes on */
		/* A short last line, padding, a blank: the block ends. */
		if (b64t_end(b))
			return (1);
		if (b->len > 0)
			return (0);		/* that line was data */
	}
	return (b64t_text_line(b));
}

/* b64t_byte_data - a byte of a line, in a block; 1: it is data */

static int b64t_byte_data(struct b64text *b)
{
	return (b->alpha && (b->want == 0 || b->len <= b->want));
}

/* b64t_cr - the first CR in [p, q), else q */

static const uint8_t *b64t_cr(const uint8_t *p, const uint8_t *q)
{
	const uint8_t *cr = memchr(p, '\r', (size_t) (q - p));

	return (cr ? cr : q);
}

/* b64text_feed - text, any split */

int     b64text_feed(struct b64text *b, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *run = 0, *q;
	uint8_t c;

	while (p < end) {
		c = *p;
		if (c == '\n' || c == '\r') {
			if (run && b64t_decode(b, run, (size_t) (p - run)))
				return (1);
			run = 0;
			p++;
			if (c == '\n' && b->cr) {
				b->cr = 0;		/* CRLF: one line end */
				continue;
			}
			b->cr = (c == '\r');
			if (b->len == 0 && !b->data && !b->held && !b->group && !b->armed)
				continue;	/* a blank line, idle: nothing to do */
			if (b64t_eol(b))
				return (1);
			b64t_line_start(b);
			continue;
		}
		b->cr = 0;
		if (b->len == 0 && !b->data && !b->held && !b->group && !b->armed) {
			/* Idle at a line start (fed because another scanner
			 * is busy): a line that can start nothing is passed
			 * over, as part.c would pass it over. */
			size_t  k;

			for (k = 0; k < B64T_MIN && p + k < end && p[k] != '\n' && p[k] != '\r'; k++)
				/* void */ ;
			if (!b64text_could_start(p, k) && !(k == (size_t) (end - p) && k < B64T_MIN)) {
				b->head[0] = c;
				b->head_len = 1;
				b->alpha = b->fieldish = 0;
				b->skip = 1;
			}
		}
		if (b->skip) {
			/* nothing more to learn from this line */
			if ((q = memchr(p, '\n', (size_t) (end - p))) == 0)
				q = end;
			q = b64t_cr(p, q);
			b->len += (size_t) (q - p);
			p = q;
			continue;
		}
		if (b->head_len < B64T_HEAD)
			b->head[b->head_len++] = c;
		b->len++;
		if (b->alpha && !(b64t_alpha[c] && !b->pad)) {
			if (c == '=' && b->pad < 2)
				b->pad++;
			else
				b->alpha = 0;
		}
		if (b->len == 1 && b->armed && !b->data) {
			/* after a header group and a blank line: data? */
			if (b->alpha && c != '=') {
				if (b64t_begin(b, 0))
					return (1);
			} else {
				b->armed = 0;
			}
		}
		if (b->data) {
			if (b64t_byte_data(b)) {
				/* A line's head is decoded once the line is
				 * longer (or at its end, if it is data). */
				if (b->len == B64T_HEAD + 1) {
					if (b64t_decode(b, b->head, B64T_HEAD))
						return (1);
					run = p;
				} else if (b->len > B64T_HEAD && run == 0) {
					run = p;
				}
			} else {
				/* not base64 any more (or too long): the block
				 * ends before this byte; the line is text */
				if (run && b64t_decode(b, run, (size_t) (p - run)))
					return (1);
				run = 0;
				if (b64t_end(b))
					return (1);
				b->alpha = 0;		/* what is left of it is no block */
			}
		} else if (b->alpha) {
			size_t  at;

			if (b->held && b->len > b->l1) {
				/* longer than the held line: cannot pair with it */
				memmove(b->hold, b->hold + b->l1, b->len - 1);
				b->held = 0;
			}
			at = (b->held ? b->l1 : 0) + b->len - 1;
			if (b->len <= B64T_HOLD) {
				b->hold[at] = c;
			} else {
				/* a line this long, all base64: a block by itself */
				if (b64t_begin(b, 0) || b64t_decode(b, b->hold, B64T_HOLD))
					return (1);
				b->want_set = 1;
				run = p;
			}
		}
		if (b->fieldish == 1 && (c == ':' || c <= ' ' || c > '~'))
			b->fieldish = c == ':' && b->len > 1 ? 2 : 0;
		/* Neither base64 nor a header field (nor a folded one in a
		 * group), or its head kept: pass over the rest. */
		if (!b->alpha && !b->data
		    && (b->head_len == B64T_HEAD
			|| (b->fieldish == 0 && !(b->group && (b->head[0] == ' ' || b->head[0] == '\t')))))
			b->skip = 1;
		p++;
	}
	if (run && b64t_decode(b, run, (size_t) (p - run)))
		return (1);
	return (0);
}

/* b64text_break - lines went by unseen */

void    b64text_break(struct b64text *b)
{
	if (b->data)
		(void) b64t_end(b);
	b->group = b->primed = b->armed = 0;
	b->held = 0;
	b->cr = 0;
	b64t_line_start(b);
}

/* b64text_finish - end of the text: the last line, an open block */

int     b64text_finish(struct b64text *b)
{
	if ((b->len > 0 || b->data) && !b->cr && b64t_eol(b))
		return (1);
	if (b->data && b64t_end(b))
		return (1);
	b64t_line_start(b);
	b->held = b->group = b->primed = b->armed = 0;
	b->cr = 0;
	return (0);
}

/* b64text_idle - at a line start, nothing pending */

int     b64text_idle(const struct b64text *b)
{
	return (!b->data && b->len == 0 && !b->cr && !b->held && !b->group && !b->armed);
}

/*
 * b64text_could_start - may a line starting at p matter to an idle
 * scanner?  n is what the caller has of it, its end (CR or LF)
 * included or not.
 */

int     b64text_could_start(const uint8_t *p, size_t n)
{
	size_t  i, k = n < B64T_MIN ? n : B64T_MIN;

	if (n == 0 || p[0] == '\r' || p[0] == '\n')
		return (0);
	if (p[0] == 'C' || p[0] == 'c')
		return (1);
	for (i = 0; i < k; i++)
		if (!b64t_alpha[p[i]])
			return (p[i] == '\r' || p[i] == '\n');
	return (1);
}
