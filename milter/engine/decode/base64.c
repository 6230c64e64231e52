/*
 * NAME
 *	base64 3
 * SUMMARY
 *	streaming base64 decoder that can also only count
 * SYNOPSIS
 *	#include "base64.h"
 *
 *	void	b64_init(b)
 *	struct b64 *b;
 *
 *	int	b64_feed(b, buf, len, sink, ctx)
 *	struct b64 *b;
 *	const uint8_t *buf;
 *	size_t	len;
 *	sink_fn	sink;
 *	void	*ctx;
 *
 *	int	b64_finish(b, sink, ctx)
 *	struct b64 *b;
 *	sink_fn	sink;
 *	void	*ctx;
 * DESCRIPTION
 *	This module decodes the body of a part with Content-Transfer-Encoding
 *	base64, leniently, the way mail readers do:
 * .IP \(bu
 *	The 64 alphabet characters (A-Z a-z 0-9 + /) accumulate into a
 *	quantum of four; every complete quantum yields three bytes.
 * .IP \(bu
 *	Space, tab, CR and LF are skipped silently.
 * .IP \(bu
 *	Any other byte except '=' is skipped and counted in b->junk.
 * .IP \(bu
 *	'=' flushes the partial quantum (two characters yield one byte,
 *	three yield two, zero or one yield nothing), empties it and sets
 *	b->padded.  Decoding goes on after it, so that concatenated
 *	base64 decodes whole.
 * .PP
 *	b64_init() prepares an embedded struct b64.
 *
 *	b64_feed() decodes len bytes of buf and hands the result to
 *	sink(ctx, ...) in pieces of at most B64_OUT_SIZE bytes.  The input
 *	may be split anywhere, down to single bytes: the output does not
 *	change.  Whole quanta are decoded four characters at a time
 *	through a class table whenever no partial quantum is pending;
 *	the rest goes byte by byte.  Everything that one call decodes is
 *	handed on before it returns; only the partial quantum (at most
 *	three characters, 18 bits) stays in the struct.  A non-zero return of the sink is
 *	returned at once; the rest of buf is not looked at.
 *
 *	When sink is a null pointer, b64_feed() counts only: no byte is
 *	produced, but b->out, b->q, b->acc, b->junk and b->padded change
 *	exactly as if the input had been decoded, so that a caller may
 *	switch between a sink and none at any chunk boundary and b->out
 *	stays exact.  Counting is the hot path of the product (a large
 *	attachment that no analyser wants is only counted): it scans 16
 *	bytes at a time for the rare bytes that need attention ('=' and
 *	junk), adds up alphabet characters, and afterwards recovers the
 *	partial quantum from the last few characters of the run.
 *
 *	b64_finish() flushes a partial quantum at the end of the part as
 *	'=' would (one dangling character is dropped) and returns the
 *	sink's verdict.  The struct may then be fed again as a new part;
 *	the counters go on.
 *
 *	b->out counts every byte decoded (or counted), b->junk every byte
 *	skipped that is neither whitespace nor '='.
 * STATE AND MEMORY
 *	The state is the struct b64 alone (32 bytes): the bits of
 *	the partial quantum (acc holds exactly q six-bit values, the
 *	latest in the low bits) and the counters.  No allocation; no
 *	pointer into the caller's buffer is kept.  Each call uses a
 *	stack buffer of B64_OUT_SIZE (4 KiB) for its output.
 * BUGS
 *	Padding is not checked: '=' in the middle of the text, missing
 *	or surplus '=', and a dangling single character are tolerated,
 *	because readers tolerate them and the attacker gets to choose
 *	the reader.  A single dangling character is not counted as junk.
 *
 *	After a sink has returned non-zero, the state no longer says how
 *	much of the chunk was consumed; the caller must not feed more.
 *
 *	The 16-byte scan of the counting path uses GCC vector extensions
 *	(GCC and Clang, any target); other compilers, or -DB64_NO_VECTOR,
 *	get the byte loop (same results, about half the speed).
 */

#include <string.h>

#include "base64.h"

#define B64_OUT_SIZE	4096		/* output piece */

#define WS	0x40			/* skipped silently */
#define EQ	0x41			/* '=' */
#define XX	0x42			/* junk */

/*
 * Class of every byte: its six-bit value for the alphabet, else WS, EQ
 * or XX.  Any class with bit 6 or 7 set is not an alphabet character.
 */
static const uint8_t b64_class[256] = {
	XX, XX, XX, XX, XX, XX, XX, XX, XX, WS, WS, XX, XX, WS, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	WS, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, 62, XX, XX, XX, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, XX, XX, XX, EQ, XX, XX,
	XX, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, XX, XX, XX, XX, XX,
	XX, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
	XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
};

#if defined(__GNUC__) && !defined(B64_NO_VECTOR)
#define B64_VECTOR
typedef uint8_t b64_vec __attribute__((vector_size(16)));
#endif

/* b64_init - start a part */

void    b64_init(struct b64 *b)
{
	memset(b, 0, sizeof(*b));
}

/* b64_partial - bytes that a partial quantum yields */

static unsigned b64_partial(unsigned q)
{
	return (q < 2 ? 0 : q - 1);
}

/* b64_put_partial - store the bytes of the partial quantum, empty it */

static size_t b64_put_partial(struct b64 *b, uint8_t *o)
{
	size_t  n = b64_partial(b->q);

	if (b->q == 2) {
		o[0] = (uint8_t) (b->acc >> 4);
	} else if (b->q == 3) {
		o[0] = (uint8_t) (b->acc >> 10);
		o[1] = (uint8_t) (b->acc >> 2);
	}
	b->acc = 0;
	b->q = 0;
	return (n);
}

/* b64_flush - hand decoded bytes downstream */

static int b64_flush(struct b64 *b, const uint8_t *o, size_t n,
		             sink_fn sink, void *ctx)
{
	if (n == 0)
		return (0);
	b->out += n;
	return (sink(ctx, o, n));
}

/* b64_decode - b64_feed with a sink */

static int b64_decode(struct b64 *b, const uint8_t *p, const uint8_t *end,
		              sink_fn sink, void *ctx)
{
	uint8_t buf[B64_OUT_SIZE];
	size_t  n = 0;
	unsigned c;
	int     ret;

	while (p < end) {
		/* Whole quanta, table-driven, as long as nothing interrupts. */
		if (b->q == 0) {
			size_t  quads = (size_t) (end - p) / 4;
			size_t  room = (sizeof(buf) - n) / 3;

			for (quads = quads < room ? quads : room; quads > 0; quads--) {
				uint32_t c0 = b64_class[p[0]], c1 = b64_class[p[1]];
				uint32_t c2 = b64_class[p[2]], c3 = b64_class[p[3]];
				uint32_t x;

				if ((c0 | c1 | c2 | c3) & 0xc0)
					break;
				x = c0 << 18 | c1 << 12 | c2 << 6 | c3;
				buf[n] = (uint8_t) (x >> 16);
				buf[n + 1] = (uint8_t) (x >> 8);
				buf[n + 2] = (uint8_t) x;
				n += 3;
				p += 4;
			}
			if (p == end)
				break;
		}
		/* One byte the slow way: partial quantum, blank, '=', junk. */
		if (sizeof(buf) - n < 3) {
			if ((ret = b64_flush(b, buf, n, sink, ctx)) != 0)
				return (ret);
			n = 0;
		}
		c = b64_class[*p++];
		if (c < 64) {
			b->acc = b->acc << 6 | c;
			if (++b->q == 4) {
				buf[n] = (uint8_t) (b->acc >> 16);
				buf[n + 1] = (uint8_t) (b->acc >> 8);
				buf[n + 2] = (uint8_t) b->acc;
				n += 3;
				b->acc = 0;
				b->q = 0;
			}
		} else if (c == EQ) {
			n += b64_put_partial(b, buf + n);
			b->padded = 1;
		} else if (c == XX) {
			b->junk++;
		}
	}
	return (b64_flush(b, buf, n, sink, ctx));
}

/*
 * b64_alpha - the alphabet lanes of v (0xff), and in *line those that
 * are CR or LF: the vector path's view.  '/' and the digits are one
 * range, 0x2f to 0x39.  Blanks and tabs are left to the byte loop.
 */
#ifdef B64_VECTOR
static inline b64_vec b64_alpha(b64_vec v, b64_vec *line)
{
	*line = (b64_vec) (v == '\n') | (b64_vec) (v == '\r');
	return ((b64_vec) ((b64_vec) ((v | 0x20) - 'a') < 26)
		| (b64_vec) ((b64_vec) (v - '/') < 11) | (b64_vec) (v == '+'));
}
#endif

/*
 * b64_run - find the next '=' or junk byte, count alphabet bytes before
 * it.  The vector path takes 64 bytes at a time while they are all
 * alphabet, CR or LF (the lines of any encoder); a block that holds
 * anything else (a blank, a tab, '=' or junk) is taken byte by byte and
 * the vector path resumes after it.
 */

static const uint8_t *b64_run(const uint8_t *p, const uint8_t *end,
			              size_t *count)
{
	size_t  n = 0;
	const uint8_t *stop;
	unsigned c;

	for (;;) {
#ifdef B64_VECTOR
		while (end - p >= 64) {
			b64_vec sum = {0};
			size_t  blocks = (size_t) (end - p) / 64, i;
			uint8_t lanes[16];

			/* 4 per lane per block: at most 63 blocks, no overflow. */
			if (blocks > 63)
				blocks = 63;
			for (i = 0; i < blocks; i++) {
				b64_vec v0, v1, v2, v3, a0, a1, a2, a3, l0, l1, l2, l3, good;
				uint64_t half[2];

				memcpy(&v0, p, 16);
				memcpy(&v1, p + 16, 16);
				memcpy(&v2, p + 32, 16);
				memcpy(&v3, p + 48, 16);
				a0 = b64_alpha(v0, &l0);
				a1 = b64_alpha(v1, &l1);
				a2 = b64_alpha(v2, &l2);
				a3 = b64_alpha(v3, &l3);
				good = (a0 | l0) & (a1 | l1) & (a2 | l2) & (a3 | l3);
				memcpy(half, &good, sizeof(half));
				if ((half[0] & half[1]) != UINT64_MAX)
					break;
				sum -= a0 + a1 + a2 + a3;	/* a lane of a is 0 or -1 */
				p += 64;
			}
			memcpy(lanes, &sum, sizeof(lanes));
			for (c = 0; c < 16; c++)
				n += lanes[c];
			if (i < blocks)
				break;
		}
		stop = end - p > 64 ? p + 64 : end;
#else
		stop = end;
#endif
		for (; p < stop; p++) {
			if ((c = b64_class[*p]) < 64)
				n++;
			else if (c != WS)
				goto done;
		}
		if (p == end)
			break;
	}
done:
	*count = n;
	return (p);
}

/* b64_count_run - account for n alphabet bytes in [p, r) */

static void b64_count_run(struct b64 *b, const uint8_t *p, const uint8_t *r,
			          size_t n)
{
	uint64_t total = b->q + (uint64_t) n;
	unsigned q = (unsigned) (total & 3);
	unsigned k = n < q ? (unsigned) n : q;
	uint32_t vals = 0;
	unsigned i, c;

	b->out += (total >> 2) * 3;

	/* The partial quantum: its last k characters come from this run. */
	for (i = 0; i < k && r > p;) {
		if ((c = b64_class[*--r]) < 64)
			vals |= (uint32_t) c << (6 * i++);
	}
	b->acc = ((b->acc << (6 * k)) | vals) & ((UINT32_C(1) << (6 * q)) - 1);
	b->q = q;
}

/* b64_count - b64_feed without a sink */

static void b64_count(struct b64 *b, const uint8_t *p, const uint8_t *end)
{
	const uint8_t *r;
	size_t  n;

	while (p < end) {
		r = b64_run(p, end, &n);
		if (n > 0)
			b64_count_run(b, p, r, n);
		if (r == end)
			break;
		if (*r == '=') {
			b->out += b64_partial(b->q);
			b->acc = 0;
			b->q = 0;
			b->padded = 1;
		} else {
			b->junk++;
		}
		p = r + 1;
	}
}

/* b64_feed - decode or count a chunk */

int     b64_feed(struct b64 *b, const uint8_t *buf, size_t len,
		         sink_fn sink, void *ctx)
{
	if (len == 0)
		return (0);
	if (sink == 0) {
		b64_count(b, buf, buf + len);
		return (0);
	}
	return (b64_decode(b, buf, buf + len, sink, ctx));
}

/* b64_finish - flush the partial quantum at the end of the part */

int     b64_finish(struct b64 *b, sink_fn sink, void *ctx)
{
	uint8_t o[2];
	size_t  n = b64_put_partial(b, o);

	if (sink == 0) {
		b->out += n;
		return (0);
	}
	return (b64_flush(b, o, n, sink, ctx));
}
