/*
 * NAME
 *	test_qp 1
 * SUMMARY
 *	tests of the streaming quoted-printable decoder
 * DESCRIPTION
 *	A case table (escapes, soft breaks, trailing blanks, line ends,
 *	malformed escapes, dangling input, the blank limit), each with the
 *	bytes and counters expected; the split test over every case (whole,
 *	byte by byte, every one-cut and two-cut split, random chunks), in
 *	decode and in count mode; switching between the two at random
 *	chunk boundaries; a round trip through the test's own encoder
 *	(binary and text, LF and CRLF, with blanks inserted where the
 *	decoder must delete them); a sink that says stop.  Self-contained:
 *	nothing but qp.c and Criterion.
 */

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "qp.h"

#define S(s)	s, sizeof(s) - 1

struct qp_case {
	const char *name;
	const char *in;
	size_t	in_len;
	const char *want;
	size_t	want_len;
	uint64_t invalid;
};

#define B10	"          "
#define B60	B10 B10 B10 B10 B10 B10
#define B100	B60 B10 B10 B10 B10
#define TS10	"\t \t \t \t \t "
#define TS100	TS10 TS10 TS10 TS10 TS10 TS10 TS10 TS10 TS10 TS10

static const struct qp_case qp_cases[] = {
	{"empty", S(""), S(""), 0},
	{"plain", S("abc"), S("abc"), 0},
	{"escape", S("a=3Db"), S("a=b"), 0},
	{"escape lower", S("=3d=3D"), S("=="), 0},
	{"utf8", S("caf=C3=A9=c3=a9"), S("caf\xc3\xa9\xc3\xa9"), 0},
	{"escape nul", S("=00=FF"), S("\0\xff"), 0},
	{"soft lf", S("ab=\ncd"), S("abcd"), 0},
	{"soft crlf", S("ab=\r\ncd"), S("abcd"), 0},
	{"soft blanks crlf", S("ab= \t \r\ncd"), S("abcd"), 0},
	{"soft blanks lf", S("ab=  \ncd"), S("abcd"), 0},
	{"soft alone", S("=\n"), S(""), 0},
	{"blanks before soft kept", S("ab  =\ncd"), S("ab  cd"), 0},
	{"trailing lf", S("ab  \ncd"), S("ab\ncd"), 0},
	{"trailing crlf", S("ab \t\r\ncd\r\n"), S("ab\r\ncd\r\n"), 0},
	{"inner blanks", S("a  \tb"), S("a  \tb"), 0},
	{"trailing at eof", S("ab   "), S("ab"), 0},
	{"lf kept", S("a\nb\n\n"), S("a\nb\n\n"), 0},
	{"crlf kept", S("a\r\nb\r\n\r\n"), S("a\r\nb\r\n\r\n"), 0},
	{"bare cr", S("a\rb"), S("a\rb"), 0},
	{"blank bare cr", S("a \rb"), S("a \rb"), 0},
	{"cr at eof", S("a\r"), S("a\r"), 0},
	{"blank cr at eof", S("a \r"), S("a \r"), 0},
	{"cr cr lf", S("a \r\r\n"), S("a \r\r\n"), 0},
	{"binary passes", S("\x01\x7f\x80\xff\0"), S("\x01\x7f\x80\xff\0"), 0},
	{"bad second hex", S("=4G"), S("=4G"), 1},
	{"bad first hex", S("=G1"), S("=G1"), 1},
	{"eq eq", S("==41"), S("=A"), 1},
	{"eq eq at eof", S("=="), S("=="), 2},
	{"dangling eq", S("a="), S("a="), 1},
	{"dangling eq hex", S("a=4"), S("a=4"), 1},
	{"eq blank text", S("= x"), S("= x"), 1},
	{"eq blank hex", S("= 41"), S("= 41"), 1},
	{"eq blanks eof", S("=  "), S("="), 1},
	{"eq blank cr eof", S("= \r"), S("= \r"), 1},
	{"eq blank cr text", S("= \rx"), S("= \rx"), 1},
	{"eq cr text", S("=\rx"), S("=\rx"), 1},
	{"eq hex lf", S("=A\n"), S("=A\n"), 1},
	{"eq hex crlf", S("=a \r\n"), S("=a\r\n"), 1},
	{"eq hex blank", S("=A b"), S("=A b"), 1},
	{"eq then soft", S("=x=\nb"), S("=xb"), 1},
	{"many blanks then lf", S(B100 "\n"), S("                                    \n"), 0},
	{"many blanks then text", S(B100 "x"), S(B100 "x"), 0},
	{"many mixed blanks then lf", S(TS100 "\n"), S(TS10 TS10 TS10 "\t \t \t \n"), 0},
	{"many mixed blanks then text", S(TS100 "x"), S(TS100 "x"), 0},
	{"many blanks after eq", S("=" B60 "          \n"), S("=      \n"), 1},
	{"blanks after eq at limit", S("=" B60 "    \nx"), S("x"), 0},
	{"vector trailing crlf", S("abcdefghijklmnopqrstuvwxyz0123456789 \t \r\n"
				   "abcdefghijklmnopqrstuvwxyz=41=42 x y  z\t\n"
				   "end of the text here =\r\nmore"),
		S("abcdefghijklmnopqrstuvwxyz0123456789\r\n"
		  "abcdefghijklmnopqrstuvwxyzAB x y  z\n"
		  "end of the text here more"), 0},
	{"vector blank at 16", S("abcdefghijklmno \nabcdefghijklmno  xabcdefghijklmnopqrstuvwxyz"),
		S("abcdefghijklmno\nabcdefghijklmno  xabcdefghijklmnopqrstuvwxyz"), 0},
	{"vector controls", S("abcdefghijklmnopqrstu\x01vwxyz \x01" "abcdefghijklmnopqrstuvwxyz \x7f"),
		S("abcdefghijklmnopqrstu\x01vwxyz \x01" "abcdefghijklmnopqrstuvwxyz \x7f"), 0},
	{"vector bad escapes", S("abcdefghijklmnopqrstuvwxyz=4g=\tx=\r\nabcdefghijklmnopqrstuvwxyz=a"),
		S("abcdefghijklmnopqrstuvwxyz=4g=\txabcdefghijklmnopqrstuvwxyz=a"), 3},
	{"long line", S("0123456789012345678901234567890123456789012345678901234567890123456789"
			"0123456789012345678901234567890123456789\r\n"),
		S("0123456789012345678901234567890123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789\r\n"), 0},
};

#define NCASES	(sizeof(qp_cases) / sizeof(qp_cases[0]))

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

static void feed_cuts(struct qp *s, const uint8_t *in, size_t len,
		              const size_t *cuts, size_t ncuts, struct col *c)
{
	size_t  prev = 0, i, at;

	qp_init(s);
	for (i = 0; i <= ncuts; i++) {
		at = i < ncuts ? cuts[i] : len;
		cr_assert_eq(qp_feed(s, in + prev, at - prev, c ? col_sink : 0, c), 0);
		prev = at;
	}
	cr_assert_eq(qp_finish(s, c ? col_sink : 0, c), 0);
}

/* check_cuts - one split of one case, decode and count mode */

static void check_cuts(const struct qp_case *tc, const size_t *cuts,
		               size_t ncuts)
{
	struct qp d, k;
	struct col c = {0};

	feed_cuts(&d, (const uint8_t *) tc->in, tc->in_len, cuts, ncuts, &c);
	cr_assert_eq(c.n, tc->want_len, "%s: %zu bytes, want %zu (cuts %zu)",
		     tc->name, c.n, tc->want_len, ncuts);
	cr_assert(same(c.p, tc->want, c.n), "%s: wrong bytes [%.*s]",
		  tc->name, (int) c.n, c.p);
	cr_assert_eq(d.out, tc->want_len, "%s: out", tc->name);
	cr_assert_eq(d.invalid, tc->invalid, "%s: invalid %lu", tc->name,
		     (unsigned long) d.invalid);
	col_free(&c);

	feed_cuts(&k, (const uint8_t *) tc->in, tc->in_len, cuts, ncuts, 0);
	cr_assert_eq(k.out, d.out, "%s: count mode out", tc->name);
	cr_assert_eq(k.invalid, d.invalid, "%s: count mode invalid", tc->name);
}

Test(qp, table_whole_and_bytewise)
{
	size_t  i, j, cuts[4096];

	for (i = 0; i < NCASES; i++) {
		const struct qp_case *tc = qp_cases + i;

		check_cuts(tc, 0, 0);
		for (j = 1; j < tc->in_len; j++)
			cuts[j - 1] = j;
		check_cuts(tc, cuts, tc->in_len ? tc->in_len - 1 : 0);
	}
}

Test(qp, every_one_and_two_cut_split)
{
	size_t  i, a, b, cuts[2];

	for (i = 0; i < NCASES; i++) {
		const struct qp_case *tc = qp_cases + i;

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

Test(qp, random_chunks)
{
	size_t  i, r, n, cuts[256];

	for (i = 0; i < NCASES; i++) {
		for (r = 0; r < 200; r++) {
			n = random_cuts(qp_cases[i].in_len, cuts, 256, 1 + r % 9);
			check_cuts(qp_cases + i, cuts, n);
		}
	}
}

/* mixed_run - random chunks, random sink or none per chunk, check all */

static void mixed_run(const uint8_t *in, size_t len, const uint8_t *want,
		              size_t want_len, uint64_t invalid, size_t chunk)
{
	struct qp s;
	struct col c = {0};
	size_t  at = 0, step, had;
	uint64_t before;
	int     use;

	qp_init(&s);
	while (at <= len) {
		step = rng() % (chunk + 1);
		if (step > len - at)
			step = len - at;
		use = rng() & 1;
		before = s.out;
		had = c.n;
		cr_assert_eq(qp_feed(&s, in + at, step, use ? col_sink : 0, &c), 0);
		cr_assert(s.out <= want_len);
		if (use) {
			cr_assert_eq(c.n - had, s.out - before);
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
	before = s.out;
	had = c.n;
	cr_assert_eq(qp_finish(&s, use ? col_sink : 0, &c), 0);
	if (use)
		cr_assert(same(c.p + had, want + before, c.n - had));
	cr_assert_eq(s.out, want_len, "out %lu want %zu",
		     (unsigned long) s.out, want_len);
	cr_assert_eq(s.invalid, invalid);
	col_free(&c);
}

Test(qp, count_and_decode_switch_at_random)
{
	size_t  i, r;

	for (i = 0; i < NCASES; i++)
		for (r = 0; r < 300; r++)
			mixed_run((const uint8_t *) qp_cases[i].in, qp_cases[i].in_len,
				  (const uint8_t *) qp_cases[i].want,
				  qp_cases[i].want_len, qp_cases[i].invalid, 1 + r % 7);
}

/*
 * The test's own encoder.  In text mode, eol in the data is a hard line
 * break; otherwise every byte is data.  Lines stay within 76 columns with
 * soft breaks.  With junk, random blanks go before line ends and after the
 * "=" of soft breaks, where the decoder must delete them.
 */

struct enc {
	uint8_t *p;
	size_t	n;
	size_t	cap;
};

static void enc_put(struct enc *e, const void *s, size_t n)
{
	if (e->n + n > e->cap) {
		e->cap = (e->n + n) * 2 + 64;
		e->p = realloc(e->p, e->cap);
		cr_assert(e->p != 0);
	}
	memcpy(e->p + e->n, s, n);
	e->n += n;
}

static void enc_junk(struct enc *e, int junk)
{
	while (junk && rng() % 3 == 0)
		enc_put(e, rng() & 1 ? " " : "\t", 1);
}

static uint8_t *enc_qp(const uint8_t *d, size_t n, const char *eol, int text,
		               int junk, size_t *outlen)
{
	struct enc e = {0};
	size_t  el = strlen(eol), col = 0, i, tl;
	char    tok[4];
	static const char hexu[] = "0123456789ABCDEF", hexl[] = "0123456789abcdef";

	for (i = 0; i < n; i++) {
		uint8_t c = d[i];
		int     last = (i + 1 == n) || (text && n - i - 1 >= el
						&& memcmp(d + i + 1, eol, el) == 0);

		if (text && n - i >= el && memcmp(d + i, eol, el) == 0) {
			enc_junk(&e, junk);
			enc_put(&e, eol, el);
			col = 0;
			i += el - 1;
			continue;
		}
		if ((c > ' ' && c < 127 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
			tok[0] = (char) c;
			tl = 1;
		} else {
			const char *h = rng() & 1 ? hexu : hexl;

			tok[0] = '=';
			tok[1] = h[c >> 4];
			tok[2] = h[c & 15];
			tl = 3;
		}
		if (col + tl > 75) {
			enc_put(&e, "=", 1);
			enc_junk(&e, junk);
			enc_put(&e, eol, el);
			col = 0;
		}
		enc_put(&e, tok, tl);
		col += tl;
	}
	*outlen = e.n;
	return (e.p);
}

/* round_trip - encode random data, decode in random chunks, both modes */

static void round_trip(size_t n, const char *eol, int text, int junk)
{
	uint8_t *d = malloc(n + 1), *e;
	size_t  elen, i, cuts[1];
	struct col c = {0};
	struct qp s;

	cr_assert(d != 0);
	for (i = 0; i < n; i++) {
		if (!text) {
			d[i] = (uint8_t) rng();
		} else if (rng() % 40 == 0 && n - i >= strlen(eol)) {
			memcpy(d + i, eol, strlen(eol));
			i += strlen(eol) - 1;
		} else {
			static const char set[] = "abcXYZ019 \t=.!~\x80\xff";

			d[i] = (uint8_t) set[rng() % (sizeof(set) - 1)];
		}
	}
	e = enc_qp(d, n, eol, text, junk, &elen);

	qp_init(&s);
	cr_assert_eq(qp_feed(&s, e, elen, col_sink, &c), 0);
	cr_assert_eq(qp_finish(&s, col_sink, &c), 0);
	cr_assert_eq(c.n, n, "size %zu: got %zu", n, c.n);
	cr_assert(same(c.p, d, n), "size %zu: bytes differ", n);
	cr_assert_eq(s.invalid, 0);
	col_free(&c);

	cuts[0] = elen / 3;
	feed_cuts(&s, e, elen, cuts, 1, 0);
	cr_assert_eq(s.out, n);

	mixed_run(e, elen, d, n, 0, 1 + rng() % 3000);
	mixed_run(e, elen, d, n, 0, 5);
	free(e);
	free(d);
}

Test(qp, round_trip_sizes)
{
	static const size_t sizes[] = {0, 1, 2, 3, 57, 75, 76, 77, 4096, 65536,
	1 << 20};
	size_t  i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		round_trip(sizes[i], "\r\n", 0, 0);
		round_trip(sizes[i], "\n", 0, 0);
		round_trip(sizes[i], "\r\n", 0, 1);
		round_trip(sizes[i], "\n", 0, 1);
		round_trip(sizes[i], "\r\n", 1, 0);
		round_trip(sizes[i], "\n", 1, 0);
		round_trip(sizes[i], "\r\n", 1, 1);
		round_trip(sizes[i], "\n", 1, 1);
	}
}

Test(qp, stop_in_feed)
{
	size_t  n = 40000, i;
	uint8_t *in = malloc(n);
	struct qp s;
	struct col c = {0};

	cr_assert(in != 0);
	for (i = 0; i < n; i++)
		in[i] = (i % 77 == 76) ? '\n' : 'a';
	c.stop_at = 1;
	c.stop = 42;
	qp_init(&s);
	cr_assert_eq(qp_feed(&s, in, n, col_sink, &c), 42);
	cr_assert_eq(c.calls, 1, "sink called %d times", c.calls);
	col_free(&c);

	/* Stop on the second piece; every byte an escape. */
	for (i = 0; i + 3 <= n; i += 3)
		memcpy(in + i, "=41", 3);
	c.stop_at = 2;
	c.stop = -3;
	qp_init(&s);
	cr_assert_eq(qp_feed(&s, in, n, col_sink, &c), -3);
	cr_assert_eq(c.calls, 2);
	col_free(&c);
	free(in);
}

Test(qp, stop_in_finish)
{
	struct qp s;
	struct col c = {.stop_at = 1, .stop = 9};

	qp_init(&s);
	cr_assert_eq(qp_feed(&s, (const uint8_t *) "ab=4", 4, col_sink, &c), 9);
	cr_assert_eq(c.n, 2);
	c.stop_at = 2;
	cr_assert_eq(qp_finish(&s, col_sink, &c), 9);
	cr_assert_eq(c.n, 4);
	cr_assert(memcmp(c.p, "ab=4", 4) == 0);
	cr_assert_eq(s.invalid, 1);
	col_free(&c);
}

Test(qp, finish_resets_for_next_part)
{
	struct qp s;
	struct col c = {0};

	qp_init(&s);
	cr_assert_eq(qp_feed(&s, (const uint8_t *) "a  ", 3, col_sink, &c), 0);
	cr_assert_eq(qp_finish(&s, col_sink, &c), 0);
	cr_assert_eq(qp_feed(&s, (const uint8_t *) "=41", 3, col_sink, &c), 0);
	cr_assert_eq(qp_finish(&s, col_sink, &c), 0);
	cr_assert_eq(c.n, 2);
	cr_assert(memcmp(c.p, "aA", 2) == 0);
	col_free(&c);
}
