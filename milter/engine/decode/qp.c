/*
 * NAME
 *	qp 3
 * SUMMARY
 *	streaming quoted-printable decoder
 * SYNOPSIS
 *	#include "qp.h"
 *
 *	void	qp_init(s)
 *	struct qp *s;
 *
 *	int	qp_feed(s, buf, len, sink, ctx)
 *	struct qp *s;
 *	const uint8_t *buf;
 *	size_t	len;
 *	sink_fn	sink;
 *	void	*ctx;
 *
 *	int	qp_finish(s, sink, ctx)
 *	struct qp *s;
 *	sink_fn	sink;
 *	void	*ctx;
 * DESCRIPTION
 *	This module decodes the body of a part with Content-Transfer-Encoding
 *	quoted-printable (RFC 2045, section 6.7), leniently:
 * .IP \(bu
 *	"=XX", two hex digits of either case, yields that byte.
 * .IP \(bu
 *	"=" followed by optional blanks (space, tab) and a line end (CRLF
 *	or LF) is a soft line break: nothing is produced.
 * .IP \(bu
 *	"=" followed by anything else is produced literally and counted
 *	in s->invalid; the bytes after it are decoded as usual ("=4G"
 *	yields "=4G", "==41" yields "=A").
 * .IP \(bu
 *	Blanks at the end of a line are deleted (rule 3): blanks are held
 *	back until a byte that is not a blank (they are produced) or a
 *	line end (they are dropped).  At most QP_WS_MAX are held; the
 *	oldest is produced when one more arrives, so the result does not
 *	depend on how the input is split.
 * .IP \(bu
 *	Line ends stay as they are: CRLF yields CRLF, a bare LF yields LF.
 *	A CR that is not followed by LF is an ordinary byte (blanks before
 *	it are kept).
 * .PP
 *	qp_init() prepares an embedded struct qp.
 *
 *	qp_feed() decodes len bytes of buf and hands the result to sink(ctx,
 *	...) in pieces of at most QP_OUT_SIZE bytes; with a null sink it
 *	only counts, with the same effect on the state and counters.  The
 *	input may be split anywhere: the output does not change.  All that
 *	one call decodes is handed on before it returns, except what the
 *	format makes it wait for: held blanks, a CR waiting for its LF, an
 *	"=" or "=X" waiting for the rest of its escape.  A non-zero return
 *	of the sink is returned at once.
 *
 *	qp_finish() ends the part: a dangling "=" or "=X" is produced
 *	literally (and counted invalid), held blanks are dropped (they end
 *	the last line), a held CR is produced.  The struct may then be fed
 *	again as a new part; the counters go on.
 *
 *	s->out counts the bytes produced (or counted), s->invalid the
 *	escapes produced literally.
 * STATE AND MEMORY
 *	Three states: QP_TEXT (ordinary text), QP_EQ (after "=", maybe
 *	after blanks that follow it, which are held in s->ws), QP_HEX (after
 *	"=" and one hex digit, kept in s->hex).  Orthogonal to them, s->cr
 *	says that the last byte was a CR whose fate depends on the next.
 *	The struct is 96 bytes; no allocation; no pointer into the
 *	caller's buffer is kept.  Each call uses a QP_OUT_SIZE (4 KiB)
 *	stack buffer for its output.
 * BUGS
 *	Lines are not limited to 76 characters and bytes that RFC 2045 says
 *	must be encoded are accepted literally, as mail readers do.
 *
 *	"=" followed by more than QP_WS_MAX blanks is given up as a soft
 *	break when the blank after the last one held arrives: the "=" is
 *	produced literally and the blanks become ordinary held blanks.
 *
 *	After a sink has returned non-zero the state no longer says how
 *	much of the chunk was consumed; the caller must not feed more.
 *
 *	Plain text is copied 16 bytes at a time with GCC vector extensions
 *	on little-endian targets; elsewhere, or with -DQP_NO_VECTOR, byte
 *	by byte (same results).
 */

#include <string.h>

#include "qp.h"

#define QP_OUT_SIZE	4096		/* output piece */
#define QP_ROOM		(2 * QP_WS_MAX + 8)	/* most one input byte yields */

enum {
	QP_TEXT,			/* ordinary text */
	QP_EQ,				/* after "=" (and maybe blanks in ws) */
	QP_HEX,				/* after "=" and one hex digit */
};

/* Output of one call. */

struct qp_out {
	sink_fn	sink;
	void   *ctx;
	size_t	len;
	uint8_t	buf[QP_OUT_SIZE];
};

/* qp_init - start a part */

void    qp_init(struct qp *s)
{
	memset(s, 0, sizeof(*s));
	s->state = QP_TEXT;
}

/* Hex digits: value plus one; zero for any other byte. */

static const uint8_t qp_hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* qp_hexval - value of a hex digit, or -1 */

static inline int qp_hexval(int c)
{
	return (qp_hex_tab[(uint8_t) c] - 1);
}

/* qp_flush - hand the output so far downstream */

static int qp_flush(struct qp *s, struct qp_out *o)
{
	size_t  n = o->len;

	if (n == 0)
		return (0);
	o->len = 0;
	s->out += n;
	return (o->sink ? o->sink(o->ctx, o->buf, n) : 0);
}

/* qp_put - one output byte; the caller made room */

static void qp_put(struct qp_out *o, int c)
{
	o->buf[o->len++] = (uint8_t) c;
}

/* qp_put_ws - produce the held blanks: they were not trailing */

static void qp_put_ws(struct qp *s, struct qp_out *o)
{
	memcpy(o->buf + o->len, s->ws, s->ws_len);
	o->len += s->ws_len;
	s->ws_len = 0;
}

/* qp_literal - the "=" was not an escape: produce it, go back to text */

static void qp_literal(struct qp *s, struct qp_out *o)
{
	qp_put(o, '=');
	s->invalid++;
	s->state = QP_TEXT;
}

/* qp_text - one byte of ordinary text */

static void qp_text(struct qp *s, struct qp_out *o, int c)
{
	if (s->cr) {
		s->cr = 0;
		if (c == '\n') {
			s->ws_len = 0;
			qp_put(o, '\r');
			qp_put(o, '\n');
			return;
		}
		qp_put_ws(s, o);
		qp_put(o, '\r');
	}
	switch (c) {
	case ' ':
	case '\t':
		if (s->ws_len == QP_WS_MAX) {
			qp_put(o, s->ws[0]);
			memmove(s->ws, s->ws + 1, QP_WS_MAX - 1);
			s->ws_len--;
		}
		s->ws[s->ws_len++] = (uint8_t) c;
		break;
	case '\r':
		s->cr = 1;
		break;
	case '\n':
		s->ws_len = 0;
		qp_put(o, '\n');
		break;
	case '=':
		qp_put_ws(s, o);
		s->state = QP_EQ;
		break;
	default:
		qp_put_ws(s, o);
		qp_put(o, c);
		break;
	}
}

/* qp_eq - one byte after "=" and maybe blanks */

static void qp_eq(struct qp *s, struct qp_out *o, int c)
{
	if (s->cr) {
		if (c == '\n') {			/* soft line break */
			s->cr = 0;
			s->ws_len = 0;
			s->state = QP_TEXT;
			return;
		}
		qp_literal(s, o);
		qp_text(s, o, c);
		return;
	}
	if (s->ws_len == 0 && qp_hexval(c) >= 0) {
		s->hex = (uint8_t) c;
		s->state = QP_HEX;
		return;
	}
	switch (c) {
	case ' ':
	case '\t':
		if (s->ws_len == QP_WS_MAX) {
			qp_literal(s, o);
			qp_text(s, o, c);
		} else {
			s->ws[s->ws_len++] = (uint8_t) c;
		}
		break;
	case '\r':
		s->cr = 1;
		break;
	case '\n':				/* soft line break */
		s->ws_len = 0;
		s->state = QP_TEXT;
		break;
	default:
		qp_literal(s, o);
		qp_text(s, o, c);
		break;
	}
}

/* qp_hex - the second byte of an escape */

static void qp_hex(struct qp *s, struct qp_out *o, int c)
{
	int     lo = qp_hexval(c);

	if (lo >= 0) {
		qp_put(o, qp_hexval(s->hex) << 4 | lo);
		s->state = QP_TEXT;
		return;
	}
	qp_literal(s, o);
	qp_put(o, s->hex);
	qp_text(s, o, c);
}

/* qp_plain - true for a byte that text copies as is */

static inline int qp_plain(uint8_t c)
{
	return (c > ' ' && c != '=');
}

#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ \
    && !defined(QP_NO_VECTOR)
#define QP_VECTOR
typedef uint8_t qp_vec __attribute__((vector_size(16)));

/* qp_skim - copy 16 bytes at a time while none needs a closer look */

static const uint8_t *qp_skim(uint8_t **qp, const uint8_t *p,
			              const uint8_t *stop)
{
	uint8_t *q = *qp;

	while (stop - p >= 17) {
		qp_vec	v, next, look;
		uint64_t half[2];
		unsigned k;

		memcpy(&v, p, sizeof(v));
		memcpy(&next, p + 1, sizeof(next));
		/* Controls, blanks, '='; but not a blank before a non-blank. */
		look = (qp_vec) (v <= ' ') | (qp_vec) (v == '=');
		look &= ~((qp_vec) ((v == ' ') | (v == '\t')) & (qp_vec) (next > ' '));
		memcpy(half, &look, sizeof(half));
		if (half[0] | half[1]) {
			k = half[0] ? (unsigned) __builtin_ctzll(half[0]) / 8
				: 8 + (unsigned) __builtin_ctzll(half[1]) / 8;
			memcpy(q, p, k);
			q += k;
			p += k;
			break;
		}
		memcpy(q, p, 16);
		q += 16;
		p += 16;
	}
	*qp = q;
	return (p);
}

#endif

/*
 * qp_run - decode text while no state is needed: plain bytes, "=XX" with
 * both digits at hand, a blank followed by a byte that keeps it.  Each of
 * these yields at most one byte per input byte.  Returns where it stopped.
 */

static const uint8_t *qp_run(struct qp_out *o, const uint8_t *p,
			             const uint8_t *end)
{
	size_t  room = sizeof(o->buf) - o->len - QP_ROOM;	/* keep QP_ROOM */
	const uint8_t *stop = (size_t) (end - p) < room ? end : p + room;
	uint8_t *q = o->buf + o->len;
	int     hi, lo;

	while (p < stop) {
#ifdef QP_VECTOR
		if ((p = qp_skim(&q, p, stop)) == stop)
			break;
#endif
		if (qp_plain(*p)) {
			*q++ = *p++;
		} else if (*p == '=') {
			if (stop - p < 3 || (hi = qp_hexval(p[1])) < 0
			    || (lo = qp_hexval(p[2])) < 0)
				break;
			*q++ = (uint8_t) (hi << 4 | lo);
			p += 3;
		} else if ((*p == ' ' || *p == '\t') && stop - p >= 2 && p[1] > ' ') {
			*q++ = *p++;
		} else {
			break;
		}
	}
	o->len = (size_t) (q - o->buf);
	return (p);
}

/* qp_feed - decode or count a chunk */

int     qp_feed(struct qp *s, const uint8_t *buf, size_t len,
		        sink_fn sink, void *ctx)
{
	struct qp_out o;
	const uint8_t *p = buf, *end = buf + len;
	int     ret;

	o.sink = sink;
	o.ctx = ctx;
	o.len = 0;
	while (p < end) {
		if (sizeof(o.buf) - o.len < QP_ROOM) {
			if ((ret = qp_flush(s, &o)) != 0)
				return (ret);
		}
		/* Plain text, whole escapes, inner blanks: the common case. */
		if (s->state == QP_TEXT && !s->cr && s->ws_len == 0) {
			p = qp_run(&o, p, end);
			if (p == end)
				break;
		}
		switch (s->state) {
		case QP_TEXT:
			qp_text(s, &o, *p++);
			break;
		case QP_EQ:
			qp_eq(s, &o, *p++);
			break;
		default:
			qp_hex(s, &o, *p++);
			break;
		}
	}
	return (qp_flush(s, &o));
}

/* qp_finish - end of the part: dangling escape, held blanks and CR */

int     qp_finish(struct qp *s, sink_fn sink, void *ctx)
{
	struct qp_out o;

	o.sink = sink;
	o.ctx = ctx;
	o.len = 0;
	if (s->state == QP_HEX) {
		qp_literal(s, &o);
		qp_put(&o, s->hex);
	} else if (s->state == QP_EQ) {
		qp_literal(s, &o);
	}
	if (s->cr) {
		qp_put_ws(s, &o);
		qp_put(&o, '\r');
	}
	s->cr = 0;
	s->ws_len = 0;
	s->state = QP_TEXT;
	return (qp_flush(s, &o));
}
