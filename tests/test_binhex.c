/*
 * NAME
 *	test_binhex 1
 * SUMMARY
 *	tests of the streaming BinHex 4.0 scanner
 * DESCRIPTION
 *	A case table: each case is a file (name, data fork, resource fork)
 *	that the test's own encoder turns into text (marker, RLE, six-bit
 *	characters, lines of 64, CRCs), with a twist (line ends LF, CRLF
 *	or CR, prose around, blank lines after the marker, no marker, a
 *	marker then prose, a header cut short, no closing ':', a byte
 *	outside the alphabet, a bad header CRC, bytes after the last CRC,
 *	two blocks, runs of 0x90), and the events it must give as a trace
 *	("[B:name:size]", the bytes passed on, "[E1]" or "[E0]") with the
 *	counters.  The split test over every case (whole, byte by byte,
 *	every one-cut and two-cut split, random chunks).  A run bomb: a
 *	few hundred characters that expand to megabytes, counted exactly.
 *	A cross-check with python3 (binascii.crc_hqx, and an encoder after
 *	CPython's binhex.py and rlecode_hqx/b2a_hqx): its text must equal
 *	ours byte for byte and decode to the file.  Callbacks that say
 *	stop.  Self-contained: nothing but binhex.c, Criterion and, for
 *	the cross-check, python3 (skipped without it).
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "binhex.h"

#define S(s)	s, sizeof(s) - 1

/* A growing buffer: encoded text, traces. */

struct buf {
	char   *p;
	size_t	n;
	size_t	cap;
	int	events;
	int	stop_at;		/* 1-based event that stops; 0 = never */
	int	stop;			/* what it returns */
	int	stopped;
};

static void put(struct buf *t, const void *s, size_t n)
{
	if (t->n + n + 1 > t->cap) {
		t->cap = (t->n + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		cr_assert(t->p != 0);
	}
	if (n)
		memcpy(t->p + t->n, s, n);
	t->n += n;
}

static void puts_(struct buf *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_byte(struct buf *t, int c)
{
	char    ch = (char) c;

	put(t, &ch, 1);
}

static void buf_free(struct buf *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* The test's own encoder. */

static const char alphabet[] =
"!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

static unsigned crc16(const uint8_t *p, size_t n, unsigned crc)
{
	int     i;

	while (n-- > 0) {
		crc ^= (unsigned) *p++ << 8;
		for (i = 0; i < 8; i++)
			crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
	}
	return (crc);
}

static void put_be(struct buf *t, uint32_t v, int n)
{
	while (n-- > 0)
		put_byte(t, (int) (v >> (8 * n)) & 255);
}

/* enc_stream - header, forks and CRCs, before RLE */

static void enc_stream(struct buf *s, const char *name, const void *d,
		               size_t dn, const void *r, size_t rn, int bad_crc)
{
	size_t  start;

	put_byte(s, (int) strlen(name));
	puts_(s, name);
	put_byte(s, 0);
	puts_(s, "TEXTttxt");
	put_be(s, 0, 2);
	put_be(s, (uint32_t) dn, 4);
	put_be(s, (uint32_t) rn, 4);
	put_be(s, crc16((const uint8_t *) s->p, s->n, 0) ^ (bad_crc ? 1 : 0), 2);
	start = s->n;
	put(s, d, dn);
	put_be(s, crc16((const uint8_t *) s->p + start, dn, 0), 2);
	start = s->n;
	put(s, r, rn);
	put_be(s, crc16((const uint8_t *) s->p + start, rn, 0), 2);
}

/* enc_rle - CPython's rlecode_hqx; run90: runs of 0x90 as 90 00 90 n */

static void enc_rle(struct buf *o, const uint8_t *p, size_t n, int run90)
{
	size_t  i, j;

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n && p[j] == p[i] && j < i + 255; j++)
			 /* void */ ;
		if (p[i] == 0x90 && !(run90 && j - i > 1)) {
			put(o, "\x90\0", 2);
		} else if (p[i] == 0x90) {
			put(o, "\x90\0\x90", 3);
			put_byte(o, (int) (j - i));
			i = j - 1;
		} else if (j - i > 3) {
			put_byte(o, p[i]);
			put_byte(o, 0x90);
			put_byte(o, (int) (j - i));
			i = j - 1;
		} else {
			put_byte(o, p[i]);
		}
	}
}

/* enc_hqx - CPython's b2a_hqx, in lines of 64 (the first has the ':') */

static void enc_hqx(struct buf *o, const uint8_t *p, size_t n, const char *eol)
{
	uint32_t left = 0;
	int     bits = 0;
	size_t  col = 1;

	puts_(o, ":");
	for (; n > 0; n--, p++) {
		left = left << 8 | *p;
		bits += 8;
		while (bits >= 6) {
			put_byte(o, alphabet[(left >> (bits - 6)) & 63]);
			bits -= 6;
			if (++col == 64) {
				puts_(o, eol);
				col = 0;
			}
		}
	}
	if (bits)
		put_byte(o, alphabet[(left << (6 - bits)) & 63]);
	puts_(o, ":");
	puts_(o, eol);
}

/* The twists a case may have. */

enum {
	T_CRLF = 1 << 0,		/* CRLF line ends */
	T_CR = 1 << 1,			/* CR line ends (binhex.py's) */
	T_PROSE = 1 << 2,		/* prose before and after */
	T_BLANKS = 1 << 3,		/* blank lines after the marker */
	T_BARE = 1 << 4,		/* no marker */
	T_MARK_PROSE = 1 << 5,		/* marker, then prose, then data */
	T_CUT_HEAD = 1 << 6,		/* ':' after 12 characters */
	T_NO_CLOSE = 1 << 7,		/* no closing ':' */
	T_BAD_CHAR = 1 << 8,		/* an 's' before the closing ':' */
	T_BAD_CRC = 1 << 9,		/* header CRC off by one */
	T_EXTRA = 1 << 10,		/* three bytes after the last CRC */
	T_TWO = 1 << 11,		/* the block twice */
	T_RUN90 = 1 << 12,		/* runs of 0x90 as 90 00 90 n */
	T_INDENT = 1 << 13,		/* the ':' after blanks */
};

struct bh_case {
	const char *name;
	const char *file;
	const char *d;
	size_t	dn;
	const char *r;
	size_t	rn;
	int	twist;
	const char *trace;		/* null: built from the file */
	uint64_t malformed;
	uint64_t crc_bad;
	uint64_t extra;
};

#define A10	"AAAAAAAAAA"
#define A100	A10 A10 A10 A10 A10 A10 A10 A10 A10 A10
#define LONG	"a longer data fork, enough for a full first line"

static const struct bh_case bh_cases[] = {
	{"single", "a.txt", S("Hello"), S(""), 0, 0, 0, 0, 0},
	{"crlf", "a.txt", S("Hello"), S(""), T_CRLF, 0, 0, 0, 0},
	{"cr", "a.txt", S("Hello"), S(""), T_CR, 0, 0, 0, 0},
	{"both forks", "f", S("data"), S("rsrc"), 0, 0, 0, 0, 0},
	{"resource only", "f", S(""), S("rsrc"), 0, 0, 0, 0, 0},
	{"empty", "e", S(""), S(""), 0, 0, 0, 0, 0},
	{"empty name", "", S("x"), S(""), 0, 0, 0, 0, 0},
	{"runs", "r", S(A100 A100 A100 "\x90\x90\x90" "BBBBBBBBBB" "\x90"), S("RRRRRRR"), 0, 0, 0, 0, 0},
	{"runs of 0x90", "r", S("\x90\x90\x90\x90\x90\x90" "x"), S(""), T_RUN90, 0, 0, 0, 0},
	{"prose around", "p.bin", S("Hi"), S(""), T_PROSE, 0, 0, 0, 0},
	{"blank lines", "b", S("Hi"), S(""), T_BLANKS, 0, 0, 0, 0},
	{"indented colon", "b", S("Hi"), S(""), T_INDENT | T_CRLF, 0, 0, 0, 0},
	{"bare", "bare.bin", S(LONG), S(""), T_BARE, 0, 0, 0, 0},
	{"bare too short", "b", S("Hi"), S(""), T_BARE, "", 0, 0, 0},
	{"marker then prose", "m", S("Hi"), S(""), T_MARK_PROSE, "", 0, 0, 0},
	{"header cut", "cut.bin", S("Hello"), S(""), T_CUT_HEAD, "", 1, 0, 0},
	{"no close", "a.txt", S("Hello"), S(""), T_NO_CLOSE, "[B:a.txt:5]Hello[E0]", 1, 0, 0},
	{"bad char", "a.txt", S("Hello"), S(""), T_BAD_CHAR, "[B:a.txt:5]Hello[E0]", 1, 0, 0},
	{"bad header crc", "a.txt", S("Hello"), S(""), T_BAD_CRC, 0, 0, 1, 0},
	{"extra bytes", "a.txt", S("Hello"), S(""), T_EXTRA, 0, 0, 0, 3},
	{"two blocks", "two", S("Hello"), S("r"), T_TWO | T_PROSE, 0, 0, 0, 0},
};

#define NCASES	(sizeof(bh_cases) / sizeof(bh_cases[0]))

/* enc_case - the text of a case */

static void enc_case(struct buf *o, const struct bh_case *tc, int copy)
{
	const char *eol = tc->twist & T_CRLF ? "\r\n" : tc->twist & T_CR ? "\r" : "\n";
	struct buf s = {0}, r = {0};

	enc_stream(&s, tc->file, tc->d, tc->dn, tc->r, tc->rn, tc->twist & T_BAD_CRC);
	if (tc->twist & T_EXTRA)
		put(&s, "xyz", 3);
	enc_rle(&r, (const uint8_t *) s.p, s.n, tc->twist & T_RUN90);
	buf_free(&s);
	enc_hqx(&s, (const uint8_t *) r.p, r.n, eol);
	if (tc->twist & T_CUT_HEAD) {
		s.n = 13;
		puts_(&s, ":");
		puts_(&s, eol);
	}
	if (tc->twist & (T_NO_CLOSE | T_BAD_CHAR))
		s.n -= 1 + strlen(eol);
	if (tc->twist & T_BAD_CHAR)
		puts_(&s, "s:");
	if (tc->twist & T_PROSE) {
		puts_(o, copy ? "And here" : "Hi,");
		puts_(o, eol);
		puts_(o, "it is: (note the marker)");
		puts_(o, eol);
	}
	if (!(tc->twist & T_BARE)) {
		puts_(o, "(This file must be converted with BinHex 4.0)");
		puts_(o, eol);
	}
	if (tc->twist & T_BLANKS) {
		puts_(o, eol);
		puts_(o, "  \t");
		puts_(o, eol);
		puts_(o, eol);
	}
	if (tc->twist & T_INDENT)
		puts_(o, "  ");
	if (tc->twist & T_MARK_PROSE) {
		puts_(o, "prose");
		puts_(o, eol);
	}
	put(o, s.p, s.n);
	if (tc->twist & T_PROSE) {
		puts_(o, "bye");
		puts_(o, eol);
	}
	buf_free(&s);
	buf_free(&r);
	if ((tc->twist & T_TWO) && !copy)
		enc_case(o, tc, 1);
}

/* want_case - the trace a case must give */

static void want_case(struct buf *w, const struct bh_case *tc)
{
	char    num[64];
	int     i;

	if (tc->trace) {
		puts_(w, tc->trace);
		return;
	}
	for (i = 0; i < (tc->twist & T_TWO ? 2 : 1); i++) {
		snprintf(num, sizeof(num), ":%zu]", tc->dn + tc->rn);
		puts_(w, "[B:");
		puts_(w, tc->file);
		puts_(w, num);
		if (tc->dn)
			put(w, tc->d, tc->dn);
		else
			put(w, tc->r, tc->rn);
		puts_(w, "[E1]");
	}
}

/* The trace of events. */

static int tr_event(struct buf *t)
{
	cr_assert(!t->stopped, "event after a stop");
	if (++t->events == t->stop_at) {
		t->stopped = 1;
		return (t->stop);
	}
	return (0);
}

static int tr_begin(void *ctx, const char *name, size_t len, uint64_t size)
{
	struct buf *t = ctx;
	char    num[32];

	puts_(t, "[B:");
	put(t, name, len);
	snprintf(num, sizeof(num), ":%" PRIu64 "]", size);
	puts_(t, num);
	return (tr_event(t));
}

static int tr_data(void *ctx, const uint8_t *p, size_t n)
{
	struct buf *t = ctx;

	cr_assert(n > 0, "data called with nothing");
	put(t, p, n);
	return (tr_event(t));
}

static int tr_end(void *ctx, int clean)
{
	struct buf *t = ctx;

	puts_(t, clean ? "[E1]" : "[E0]");
	return (tr_event(t));
}

static const struct binhex_events tr_events = {tr_begin, tr_data, tr_end};
static const struct binhex_events tr_no_data = {tr_begin, 0, tr_end};

/* A deterministic generator, so that failures reproduce. */

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((uint32_t) (rng_state >> 11));
}

/* The cases, encoded once. */

struct bh_built {
	struct buf in;
	struct buf want;
	uint64_t files;
	uint64_t out;
};

static struct bh_built built[NCASES];

static void build(void)
{
	size_t  i;

	for (i = 0; i < NCASES; i++) {
		const struct bh_case *tc = bh_cases + i;
		int     k = tc->twist & T_TWO ? 2 : 1;

		if (built[i].in.n)
			continue;
		enc_case(&built[i].in, tc, 0);
		want_case(&built[i].want, tc);
		built[i].files = tc->trace && !*tc->trace ? 0
			: (uint64_t) k;
		built[i].out = tc->trace && !*tc->trace ? 0
			: (uint64_t) k * (tc->dn ? tc->dn : tc->rn);
	}
}

/* feed_cuts - scan with the given cut points */

static void feed_cuts(struct binhex *b, const struct binhex_events *ev,
		              const uint8_t *in, size_t len,
		              const size_t *cuts, size_t ncuts, struct buf *t)
{
	size_t  prev = 0, i, at;

	binhex_init(b, ev, t);
	for (i = 0; i <= ncuts; i++) {
		at = i < ncuts ? cuts[i] : len;
		cr_assert_eq(binhex_feed(b, in + prev, at - prev), 0);
		prev = at;
	}
	cr_assert_eq(binhex_finish(b), 0);
}

/* check_cuts - one split of one case */

static void check_cuts(size_t i, const size_t *cuts, size_t ncuts)
{
	const struct bh_case *tc = bh_cases + i;
	const struct bh_built *bc = built + i;
	struct binhex b;
	struct buf t = {0};

	feed_cuts(&b, &tr_events, (const uint8_t *) bc->in.p, bc->in.n, cuts, ncuts, &t);
	cr_assert(t.n == bc->want.n && (t.n == 0 || memcmp(t.p, bc->want.p, t.n) == 0),
		  "%s: trace [%.*s] want [%.*s] (cuts %zu)", tc->name,
		  (int) t.n, t.p ? t.p : "", (int) bc->want.n, bc->want.p ? bc->want.p : "", ncuts);
	cr_assert_eq(b.files, bc->files, "%s: files %" PRIu64, tc->name, b.files);
	cr_assert_eq(b.malformed, tc->malformed, "%s: malformed %" PRIu64, tc->name, b.malformed);
	cr_assert_eq(b.out, bc->out, "%s: out %" PRIu64, tc->name, b.out);
	cr_assert_eq(b.head_crc_bad, tc->crc_bad, "%s: crc", tc->name);
	cr_assert_eq(b.extra, tc->extra, "%s: extra", tc->name);
	buf_free(&t);

	/* Without a data callback: the same counters. */
	feed_cuts(&b, &tr_no_data, (const uint8_t *) bc->in.p, bc->in.n, cuts, ncuts, &t);
	cr_assert_eq(b.out, bc->out, "%s: count only out", tc->name);
	cr_assert_eq(b.malformed, tc->malformed);
	buf_free(&t);
}

Test(binhex, table_whole_and_bytewise)
{
	size_t  i, j, cuts[4096];

	build();
	for (i = 0; i < NCASES; i++) {
		size_t  n = built[i].in.n;

		cr_assert(n < 4096);
		check_cuts(i, 0, 0);
		for (j = 1; j < n; j++)
			cuts[j - 1] = j;
		check_cuts(i, cuts, n ? n - 1 : 0);
	}
}

Test(binhex, every_one_and_two_cut_split)
{
	size_t  i, a, b, cuts[2];

	build();
	for (i = 0; i < NCASES; i++) {
		size_t  n = built[i].in.n;

		for (a = 0; a <= n; a++) {
			cuts[0] = a;
			check_cuts(i, cuts, 1);
			for (b = a; b <= n; b++) {
				cuts[1] = b;
				check_cuts(i, cuts, 2);
			}
		}
	}
}

Test(binhex, random_chunks)
{
	size_t  i, r, n, at, cuts[1024];

	build();
	for (i = 0; i < NCASES; i++) {
		for (r = 0; r < 200; r++) {
			for (n = 0, at = 0; n < 1024; n++) {
				at += rng() % (2 + r % 9);
				if (at >= built[i].in.n)
					break;
				cuts[n] = at;
			}
			check_cuts(i, cuts, n);
		}
	}
}

Test(binhex, run_bomb_counted_exactly)
{
	/* 4 MiB of zeros in the data fork: RLE makes it about 49 KiB of
	 * stream, the text about 66 KiB; every byte must come out. */
	size_t  n = 4 << 20, i;
	uint8_t *d = calloc(n, 1);
	struct buf s = {0}, r = {0}, e = {0}, t = {0};
	struct binhex b;

	cr_assert(d != 0);
	enc_stream(&s, "zeros", d, n, "", 0, 0);
	enc_rle(&r, (const uint8_t *) s.p, s.n, 0);
	puts_(&e, "(This file must be converted with BinHex 4.0)\n");
	enc_hqx(&e, (const uint8_t *) r.p, r.n, "\n");
	cr_assert(e.n < 100000, "text %zu", e.n);
	binhex_init(&b, &tr_events, &t);
	for (i = 0; i < e.n; i += 1000)
		cr_assert_eq(binhex_feed(&b, (const uint8_t *) e.p + i, e.n - i < 1000 ? e.n - i : 1000), 0);
	cr_assert_eq(binhex_finish(&b), 0);
	cr_assert_eq(b.out, n);
	cr_assert_eq(b.malformed, 0);
	cr_assert_eq(t.n, n + strlen("[B:zeros:4194304][E1]"));
	cr_assert(memcmp(t.p, "[B:zeros:4194304]", 17) == 0);
	for (i = 17; i < 17 + n; i++)
		cr_assert(t.p[i] == 0);
	buf_free(&s);
	buf_free(&r);
	buf_free(&e);
	buf_free(&t);
	free(d);
}

/* Pairing: a begin only outside a file, an end only inside one. */

struct pairs {
	int	open;
	uint64_t begins;
	uint64_t ends;
};

static int pair_begin(void *ctx, const char *name, size_t len, uint64_t size)
{
	struct pairs *p = ctx;

	(void) name;
	(void) len;
	(void) size;
	cr_assert(!p->open, "begin inside a file");
	p->open = 1;
	p->begins++;
	return (0);
}

static int pair_end(void *ctx, int clean)
{
	struct pairs *p = ctx;

	(void) clean;
	cr_assert(p->open, "end outside a file");
	p->open = 0;
	p->ends++;
	return (0);
}

static const struct binhex_events pair_events = {pair_begin, 0, pair_end};

Test(binhex, malformed_never_crashes)
{
	/* Random alphabet text after a marker, some line ends, colons,
	 * bad bytes, in random chunks: begins and ends pair up. */
	int     round;

	for (round = 0; round < 300; round++) {
		struct buf e = {0};
		struct pairs p = {0};
		struct binhex b;
		size_t  i, n = 1 + rng() % 3000, at;

		puts_(&e, "(This file must be converted with BinHex 4.0)\r\n:");
		for (i = 0; i < n; i++)
			put_byte(&e, rng() % 50 == 0 ? "\n:s\x90"[rng() % 4] : alphabet[rng() % 64]);
		binhex_init(&b, &pair_events, &p);
		for (at = 0; at < e.n; at += i) {
			i = 1 + rng() % 200;
			if (i > e.n - at)
				i = e.n - at;
			cr_assert_eq(binhex_feed(&b, (const uint8_t *) e.p + at, i), 0);
		}
		cr_assert_eq(binhex_finish(&b), 0);
		cr_assert(!p.open);
		cr_assert_eq(p.begins, b.files);
		cr_assert_eq(p.ends, b.files);
		cr_assert(b.malformed <= b.files + 1 + n / 10);
		buf_free(&e);
	}
}

/* The python3 cross-check: binhex.py's encoder, with crc_hqx. */

static const char py_encoder[] =
"import binascii, sys\n"
"def rle(b):\n"
"    o = bytearray(); i = 0\n"
"    while i < len(b):\n"
"        c = b[i]\n"
"        if c == 0x90:\n"
"            o += b'\\x90\\x00'; i += 1; continue\n"
"        j = i + 1\n"
"        while j < len(b) and b[j] == c and j < i + 255: j += 1\n"
"        if j - i > 3: o += bytes([c, 0x90, j - i]); i = j\n"
"        else: o.append(c); i += 1\n"
"    return bytes(o)\n"
"T = b\"!\\\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr\"\n"
"def hqx(b):\n"
"    o = bytearray(); left = 0; bits = 0\n"
"    for c in b:\n"
"        left = (left << 8) | c; bits += 8\n"
"        while bits >= 6:\n"
"            o.append(T[(left >> (bits - 6)) & 63]); bits -= 6\n"
"        left &= 0xff\n"
"    if bits: o.append(T[(left << (6 - bits)) & 63])\n"
"    return bytes(o)\n"
"d = bytes((i * 7 // 13) % 256 if i % 300 < 200 else 0x90 for i in range(1000))\n"
"r = bytes(i % 5 for i in range(100))\n"
"name = b'py.bin'\n"
"h = bytes([len(name)]) + name + b'\\0' + b'TEXTttxt' + b'\\0\\0'\n"
"h += len(d).to_bytes(4, 'big') + len(r).to_bytes(4, 'big')\n"
"s = h + binascii.crc_hqx(h, 0).to_bytes(2, 'big')\n"
"s += d + binascii.crc_hqx(d, 0).to_bytes(2, 'big')\n"
"s += r + binascii.crc_hqx(r, 0).to_bytes(2, 'big')\n"
"x = b':' + hqx(rle(s)) + b':'\n"
"out = b'(This file must be converted with BinHex 4.0)\\r\\r'\n"
"out += b'\\r'.join(x[i:i + 64] for i in range(0, len(x), 64)) + b'\\r'\n"
"sys.stdout.buffer.write(out)\n";

Test(binhex, python_cross_check)
{
	FILE   *fp;
	struct buf py = {0}, s = {0}, r = {0}, e = {0}, t = {0};
	uint8_t d[1000], rs[100];
	char    chunk[4096];
	size_t  n, i;
	struct binhex b;

	if (system("python3 -c 'import binascii' >/dev/null 2>&1") != 0)
		cr_skip_test("no python3");
	fp = fopen("test_binhex.py", "w");
	cr_assert(fp != 0);
	fputs(py_encoder, fp);
	fclose(fp);
	fp = popen("python3 test_binhex.py", "r");
	cr_assert(fp != 0);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		put(&py, chunk, n);
	cr_assert_eq(pclose(fp), 0);
	remove("test_binhex.py");

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t) (i % 300 < 200 ? (i * 7 / 13) % 256 : 0x90);
	for (i = 0; i < sizeof(rs); i++)
		rs[i] = (uint8_t) (i % 5);
	enc_stream(&s, "py.bin", d, sizeof(d), rs, sizeof(rs), 0);
	enc_rle(&r, (const uint8_t *) s.p, s.n, 0);
	puts_(&e, "(This file must be converted with BinHex 4.0)\r\r");
	enc_hqx(&e, (const uint8_t *) r.p, r.n, "\r");
	/* binhex.py ends a last full line with ":\r", so do we. */
	cr_assert(py.n == e.n && memcmp(py.p, e.p, e.n) == 0,
		  "python %zu bytes, ours %zu", py.n, e.n);

	binhex_init(&b, &tr_events, &t);
	for (i = 0; i < py.n; i += 7)
		cr_assert_eq(binhex_feed(&b, (const uint8_t *) py.p + i, py.n - i < 7 ? py.n - i : 7), 0);
	cr_assert_eq(binhex_finish(&b), 0);
	cr_assert_eq(b.files, 1);
	cr_assert_eq(b.malformed, 0);
	cr_assert_eq(b.head_crc_bad, 0);
	cr_assert_eq(b.rsrc_out, 100);
	cr_assert_eq(b.extra, 0);
	cr_assert_eq(t.n, strlen("[B:py.bin:1100][E1]") + 1000);
	cr_assert(memcmp(t.p + strlen("[B:py.bin:1100]"), d, 1000) == 0);
	buf_free(&py);
	buf_free(&s);
	buf_free(&r);
	buf_free(&e);
	buf_free(&t);
}

/* stop_case - the given event stops; check the return and the trace */

static void stop_case(size_t ci, int stop_at, const char *want)
{
	struct binhex b;
	struct buf t = {.stop_at = stop_at, .stop = 40 + stop_at};
	int     ret;

	build();
	binhex_init(&b, &tr_events, &t);
	ret = binhex_feed(&b, (const uint8_t *) built[ci].in.p, built[ci].in.n);
	if (ret == 0)
		ret = binhex_finish(&b);
	cr_assert_eq(ret, 40 + stop_at, "stop at %d: returned %d", stop_at, ret);
	cr_assert(t.n == strlen(want) && memcmp(t.p, want, t.n) == 0,
		  "stop at %d: trace [%.*s]", stop_at, (int) t.n, t.p);
	buf_free(&t);
}

Test(binhex, stop)
{
	size_t  two = 0, nc = 0;

	while (strcmp(bh_cases[two].name, "two blocks") != 0)
		two++;
	while (strcmp(bh_cases[nc].name, "no close") != 0)
		nc++;
	stop_case(two, 1, "[B:two:6]");
	stop_case(two, 2, "[B:two:6]Hello");
	stop_case(two, 3, "[B:two:6]Hello[E1]");
	stop_case(two, 4, "[B:two:6]Hello[E1][B:two:6]");
	stop_case(two, 5, "[B:two:6]Hello[E1][B:two:6]Hello");
	stop_case(two, 6, "[B:two:6]Hello[E1][B:two:6]Hello[E1]");
	stop_case(nc, 3, "[B:a.txt:5]Hello[E0]");
}
