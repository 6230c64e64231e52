/*
 * NAME
 *	test_base64 1
 * SUMMARY
 *	tests of the streaming base64 decoder
 * DESCRIPTION
 *	A case table (well-formed, lenient and malformed input, each with
 *	the bytes and counters expected); the split test over every case
 *	(whole, byte by byte, every one-cut and two-cut split, random
 *	chunks), in decode mode and in count mode; switching between the
 *	two at random chunk boundaries; a round trip through the test's
 *	own encoder, with LF and CRLF and inserted junk; a sink that says
 *	stop.  Self-contained: nothing but base64.c and Criterion.
 */

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "base64.h"

#define S(s)	s, sizeof(s) - 1

struct b64_case {
	const char *name;
	const char *in;
	size_t	in_len;
	const char *want;
	size_t	want_len;
	uint64_t junk;
	int	padded;
};

static const struct b64_case b64_cases[] = {
	{"empty", S(""), S(""), 0, 0},
	{"one quantum", S("TWFu"), S("Man"), 0, 0},
	{"pad one", S("TWE="), S("Ma"), 0, 1},
	{"pad two", S("TQ=="), S("M"), 0, 1},
	{"two lines crlf", S("TWFu\r\nTWFu\r\n"), S("ManMan"), 0, 0},
	{"two lines lf", S("YWJj\nZGVm\n"), S("abcdef"), 0, 0},
	{"quantum across line", S("YWJjZ\nGVm"), S("abcdef"), 0, 0},
	{"blanks inside", S(" T W\tF\r\nu "), S("Man"), 0, 0},
	{"junk after", S("TWFu!"), S("Man"), 1, 0},
	{"junk inside", S("TW*Fu"), S("Man"), 1, 0},
	{"junk high and nul", S("\x80TW\0Fu\xff"), S("Man"), 3, 0},
	{"junk only", S("!@#$%^&*()"), S(""), 10, 0},
	{"unpadded two", S("TQ"), S("M"), 0, 0},
	{"unpadded three", S("TWE"), S("Ma"), 0, 0},
	{"dangling one", S("T"), S(""), 0, 0},
	{"dangling one padded", S("TWFuT="), S("Man"), 0, 1},
	{"concatenated", S("TQ==TWFu"), S("MMan"), 0, 1},
	{"concatenated padded", S("TWE=TQ=="), S("MaM"), 0, 1},
	{"pad alone", S("="), S(""), 0, 1},
	{"pads only", S("===="), S(""), 0, 1},
	{"pad mid quantum", S("T=Fu"), S("\x16"), 0, 1},
	{"pad then junk", S("TQ==\r\n-- \r\n"), S("M"), 2, 1},
	{"plus slash", S("//+/+/+/"), S("\xff\xff\xbf\xfb\xff\xbf"), 0, 0},
	{"full line", S("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
			"QUFBQUFBQUFBQUFBQUFB\r\nQUFB\r\n"),
		S("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	0, 0},
	{"odd lines", S("QUF\nBQU\nFBQ\nUFB\nQQ"), S("AAAAAAAAAA"), 0, 0},
};

#define NCASES	(sizeof(b64_cases) / sizeof(b64_cases[0]))

/* The collecting sink. */

struct col {
	uint8_t *p;
	size_t	n;
	size_t	cap;
	int	calls;
	int	stop;			/* returned from call stop_at */
	int	stop_at;		/* 1-based; 0 = never */
};

static int col_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct col *c = ctx;

	cr_assert(n > 0, "sink called with nothing");
	if (c->n + n > c->cap) {
		c->cap = (c->n + n) * 2;
		c->p = realloc(c->p, c->cap);
		cr_assert(c->p != 0);
	}
	memcpy(c->p + c->n, p, n);
	c->n += n;
	c->calls++;
	return (c->calls == c->stop_at ? c->stop : 0);
}

static void col_free(struct col *c)
{
	free(c->p);
	memset(c, 0, sizeof(*c));
}

/* same - memcmp that accepts null pointers for nothing */

static int same(const void *a, const void *b, size_t n)
{
	return (n == 0 || memcmp(a, b, n) == 0);
}

/* A deterministic generator, so that failures reproduce. */

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((uint32_t) (rng_state >> 11));
}

/* feed_cuts - decode (sink) or count (no sink) with the given cut points */

static void feed_cuts(struct b64 *b, const uint8_t *in, size_t len,
		              const size_t *cuts, size_t ncuts, struct col *c)
{
	size_t  prev = 0, i, at;

	b64_init(b);
	for (i = 0; i <= ncuts; i++) {
		at = i < ncuts ? cuts[i] : len;
		cr_assert_eq(b64_feed(b, in + prev, at - prev, c ? col_sink : 0, c), 0);
		prev = at;
	}
	cr_assert_eq(b64_finish(b, c ? col_sink : 0, c), 0);
}

/* check_cuts - one split of one case, decode and count mode */

static void check_cuts(const struct b64_case *tc, const size_t *cuts,
		               size_t ncuts)
{
	struct b64 d, k;
	struct col c = {0};

	feed_cuts(&d, (const uint8_t *) tc->in, tc->in_len, cuts, ncuts, &c);
	cr_assert_eq(c.n, tc->want_len, "%s: %zu bytes, want %zu (cuts %zu)",
		     tc->name, c.n, tc->want_len, ncuts);
	cr_assert(tc->want_len == 0 || memcmp(c.p, tc->want, c.n) == 0,
		  "%s: wrong bytes", tc->name);
	cr_assert_eq(d.out, tc->want_len, "%s: out", tc->name);
	cr_assert_eq(d.junk, tc->junk, "%s: junk %lu", tc->name,
		     (unsigned long) d.junk);
	cr_assert_eq(d.padded, tc->padded, "%s: padded", tc->name);
	col_free(&c);

	feed_cuts(&k, (const uint8_t *) tc->in, tc->in_len, cuts, ncuts, 0);
	cr_assert_eq(k.out, d.out, "%s: count mode out", tc->name);
	cr_assert_eq(k.junk, d.junk, "%s: count mode junk", tc->name);
	cr_assert_eq(k.padded, d.padded, "%s: count mode padded", tc->name);
}

Test(base64, table_whole_and_bytewise)
{
	size_t  i, j, cuts[4096];

	for (i = 0; i < NCASES; i++) {
		const struct b64_case *tc = b64_cases + i;

		check_cuts(tc, 0, 0);
		for (j = 1; j < tc->in_len; j++)
			cuts[j - 1] = j;
		check_cuts(tc, cuts, tc->in_len ? tc->in_len - 1 : 0);
	}
}

Test(base64, every_one_and_two_cut_split)
{
	size_t  i, a, b, cuts[2];

	for (i = 0; i < NCASES; i++) {
		const struct b64_case *tc = b64_cases + i;

		for (a = 0; a <= tc->in_len; a++) {
			cuts[0] = a;
			check_cuts(tc, cuts, 1);
			for (b = a; b <= tc->in_len; b++) {
				cuts[1] = b;
				check_cuts(tc, cuts, 2);
			}
		}
	}
}

/* random_cuts - a random chunking of len bytes, ascending cut points */

static size_t random_cuts(size_t len, size_t *cuts, size_t max, size_t chunk)
{
	size_t  n = 0, at = 0;

	while (n < max) {
		at += rng() % (chunk + 1);
		if (at >= len)
			break;
		cuts[n++] = at;
	}
	return (n);
}

Test(base64, random_chunks)
{
	size_t  i, r, n, cuts[256];

	for (i = 0; i < NCASES; i++) {
		for (r = 0; r < 200; r++) {
			n = random_cuts(b64_cases[i].in_len, cuts, 256, 1 + r % 9);
			check_cuts(b64_cases + i, cuts, n);
		}
	}
}

/* The test's own encoder: lines of linelen, eol, junk every junk_every. */

static const char b64_alpha[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static uint8_t *enc_b64(const uint8_t *d, size_t n, size_t linelen,
		                const char *eol, size_t junk_every,
		                size_t *outlen, uint64_t *junk)
{
	size_t  cap = (n + 2) / 3 * 4 * 3 + 64, len = 0, col = 0, i, k;
	uint8_t *o = malloc(cap);
	uint8_t q[4];
	static const uint8_t junkset[] = "!*~-\x80\xff\x01";

	*junk = 0;
	cr_assert(o != 0);
	for (i = 0; i < n; i += 3) {
		uint32_t x = (uint32_t) d[i] << 16;
		size_t  m = n - i < 3 ? n - i : 3;

		if (m > 1)
			x |= (uint32_t) d[i + 1] << 8;
		if (m > 2)
			x |= d[i + 2];
		q[0] = b64_alpha[x >> 18];
		q[1] = b64_alpha[(x >> 12) & 63];
		q[2] = m > 1 ? b64_alpha[(x >> 6) & 63] : '=';
		q[3] = m > 2 ? b64_alpha[x & 63] : '=';
		for (k = 0; k < 4; k++) {
			if (junk_every && rng() % junk_every == 0) {
				o[len++] = junkset[rng() % (sizeof(junkset) - 1)];
				(*junk)++;
			}
			o[len++] = q[k];
			if (++col == linelen) {
				memcpy(o + len, eol, strlen(eol));
				len += strlen(eol);
				col = 0;
			}
		}
	}
	if (col) {
		memcpy(o + len, eol, strlen(eol));
		len += strlen(eol);
	}
	cr_assert(len <= cap);
	*outlen = len;
	return (o);
}

/* mixed_run - random chunks, random sink or none per chunk, check all */

static void mixed_run(const uint8_t *in, size_t len, const uint8_t *want,
		              size_t want_len, uint64_t junk, size_t chunk)
{
	struct b64 b;
	struct col c = {0};
	size_t  at = 0, step, had;
	uint64_t before;
	int     use;

	b64_init(&b);
	while (at <= len) {
		step = rng() % (chunk + 1);
		if (step > len - at)
			step = len - at;
		use = rng() & 1;
		before = b.out;
		had = c.n;
		cr_assert_eq(b64_feed(&b, in + at, step, use ? col_sink : 0, &c), 0);
		cr_assert(b.out <= want_len);
		if (use) {
			cr_assert_eq(c.n - had, b.out - before);
			cr_assert(same(c.p + had, want + before, c.n - had),
				  "bytes at %lu differ", (unsigned long) before);
		} else {
			cr_assert_eq(c.n, had);
		}
		at += step;
		if (at == len && rng() % 4 == 0)
			break;
	}
	use = rng() & 1;
	before = b.out;
	had = c.n;
	cr_assert_eq(b64_finish(&b, use ? col_sink : 0, &c), 0);
	if (use)
		cr_assert(same(c.p + had, want + before, c.n - had));
	cr_assert_eq(b.out, want_len, "out %lu want %zu",
		     (unsigned long) b.out, want_len);
	cr_assert_eq(b.junk, junk);
	col_free(&c);
}

Test(base64, count_and_decode_switch_at_random)
{
	size_t  i, r;

	for (i = 0; i < NCASES; i++)
		for (r = 0; r < 300; r++)
			mixed_run((const uint8_t *) b64_cases[i].in, b64_cases[i].in_len,
				  (const uint8_t *) b64_cases[i].want,
				  b64_cases[i].want_len, b64_cases[i].junk, 1 + r % 7);
}

/* round_trip - encode random data, decode in random chunks, both modes */

static void round_trip(size_t n, const char *eol, size_t linelen,
		               size_t junk_every)
{
	uint8_t *d = malloc(n + 1), *e;
	size_t  elen, i, cuts[1];
	uint64_t junk;
	struct col c = {0};
	struct b64 b;

	cr_assert(d != 0);
	for (i = 0; i < n; i++)
		d[i] = (uint8_t) rng();
	e = enc_b64(d, n, linelen, eol, junk_every, &elen, &junk);

	/* Whole, into one sink. */
	b64_init(&b);
	cr_assert_eq(b64_feed(&b, e, elen, col_sink, &c), 0);
	cr_assert_eq(b64_finish(&b, col_sink, &c), 0);
	cr_assert_eq(c.n, n, "size %zu: got %zu", n, c.n);
	cr_assert(n == 0 || memcmp(c.p, d, n) == 0, "size %zu: bytes differ", n);
	cr_assert_eq(b.junk, junk);
	cr_assert_eq(b.padded, n % 3 != 0);
	col_free(&c);

	/* Count only, whole. */
	cuts[0] = elen / 2;
	feed_cuts(&b, e, elen, cuts, 1, 0);
	cr_assert_eq(b.out, n);
	cr_assert_eq(b.junk, junk);

	/* Random chunks, random modes. */
	mixed_run(e, elen, d, n, junk, 1 + rng() % 3000);
	mixed_run(e, elen, d, n, junk, 5);
	free(e);
	free(d);
}

Test(base64, round_trip_sizes)
{
	static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 56, 57, 58, 4095, 4096,
	4097, 65536, 1 << 20};
	size_t  i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		round_trip(sizes[i], "\r\n", 76, 0);
		round_trip(sizes[i], "\n", 76, 0);
		round_trip(sizes[i], "\r\n", 76, 50);
		round_trip(sizes[i], "\n", 61, 7);
		round_trip(sizes[i], "\n", 1 << 30, 0);	/* one line */
	}
}

/*
 * Counting takes 64 bytes at a time while they are alphabet, CR or LF,
 * and byte by byte elsewhere: long streams with a few blanks, tabs, '='
 * and junk bytes dropped anywhere (in a run, at a block's edge, at the
 * end) must count exactly what decoding yields, with the same state.
 */
Test(base64, count_equals_decode_sparse_specials)
{
	static const uint8_t special[] = " \t=!\x80\r\n";
	size_t  len, i, k, r, cuts[64], n;
	uint8_t *e;
	struct b64 d, c;
	struct col sink = {0};

	for (r = 0; r < 400; r++) {
		len = 1 + rng() % 20000;
		e = malloc(len);
		cr_assert(e != 0);
		for (i = 0; i < len; i++)
			e[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n'
				: (uint8_t) b64_alpha[rng() % 64];
		for (k = rng() % 6; k > 0; k--)
			e[rng() % len] = special[rng() % (sizeof(special) - 1)];
		if (r % 5 == 0)		/* at a 64-byte block's edge */
			e[(rng() % (len / 64 + 1)) * 64 % len] = special[rng() % 5];
		b64_init(&d);
		cr_assert_eq(b64_feed(&d, e, len, col_sink, &sink), 0);
		cr_assert_eq(b64_finish(&d, col_sink, &sink), 0);
		cr_assert_eq(sink.n, d.out);
		n = random_cuts(len, cuts, 64, 1 + rng() % 3000);
		feed_cuts(&c, e, len, cuts, n, 0);
		cr_assert_eq(c.out, d.out, "round %zu: out", r);
		cr_assert_eq(c.junk, d.junk, "round %zu: junk", r);
		cr_assert_eq(c.padded, d.padded, "round %zu: padded", r);
		feed_cuts(&c, e, len, cuts, 0, 0);	/* whole */
		cr_assert_eq(c.out, d.out, "round %zu: out, whole", r);
		cr_assert_eq(c.junk, d.junk, "round %zu: junk, whole", r);
		col_free(&sink);
		free(e);
	}
}

Test(base64, stop_in_feed)
{
	size_t  n = 40000, i;
	uint8_t *in = malloc(n);
	struct b64 b;
	struct col c = {0};

	cr_assert(in != 0);
	for (i = 0; i < n; i++)
		in[i] = (i % 77 == 76) ? '\n' : 'A';
	c.stop_at = 1;
	c.stop = 42;
	b64_init(&b);
	cr_assert_eq(b64_feed(&b, in, n, col_sink, &c), 42);
	cr_assert_eq(c.calls, 1, "sink called %d times", c.calls);
	cr_assert(c.n <= 4096);
	col_free(&c);

	/* Stop on the second piece; slow path (junk everywhere). */
	for (i = 0; i < n; i++)
		in[i] = (i % 2) ? '!' : 'A';
	c.stop_at = 2;
	c.stop = -3;
	b64_init(&b);
	cr_assert_eq(b64_feed(&b, in, n, col_sink, &c), -3);
	cr_assert_eq(c.calls, 2);
	col_free(&c);
	free(in);
}

Test(base64, stop_in_finish)
{
	struct b64 b;
	struct col c = {.stop_at = 1, .stop = 9};

	b64_init(&b);
	cr_assert_eq(b64_feed(&b, (const uint8_t *) "TWFuTW", 6, col_sink, &c), 9);
	cr_assert_eq(c.calls, 1);
	cr_assert_eq(c.n, 3);
	c.stop_at = 2;
	cr_assert_eq(b64_finish(&b, col_sink, &c), 9);
	cr_assert_eq(c.n, 4);
	cr_assert_eq(c.p[3], 'M');
	col_free(&c);
}

Test(base64, finish_resets_for_next_part)
{
	struct b64 b;
	struct col c = {0};

	b64_init(&b);
	cr_assert_eq(b64_feed(&b, (const uint8_t *) "TWE", 3, col_sink, &c), 0);
	cr_assert_eq(b64_finish(&b, col_sink, &c), 0);
	cr_assert_eq(b.q, 0);
	cr_assert_eq(b.acc, 0);
	cr_assert_eq(b64_feed(&b, (const uint8_t *) "TWFu", 4, col_sink, &c), 0);
	cr_assert_eq(c.n, 5);
	cr_assert(memcmp(c.p, "MaMan", 5) == 0);
	cr_assert_eq(b.out, 5);
	col_free(&c);
}
