/*
 * NAME
 *	test_uu 1
 * SUMMARY
 *	tests of the streaming uuencode scanner
 * DESCRIPTION
 *	A case table of texts and the events each must give, as a trace
 *	("[B:name]", the decoded bytes, "[E1]" or "[E0]") with the counters:
 *	one file, CRLF, several blocks among prose, truncated blocks,
 *	garbage after begin, "begin" in prose, begin lines that are not,
 *	short, long and zero-length body lines, a CR inside a line, a last
 *	line without LF.  The split test over every case (whole, byte by
 *	byte, every one-cut and two-cut split, so also a begin line split
 *	anywhere, and random chunks).  A round trip through the test's own
 *	encoder, LF and CRLF, with prose around the blocks.  Callbacks that
 *	say stop, each of the three.  Self-contained: nothing but uu.c and
 *	Criterion.
 */

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "trace.h"
#include "uu.h"

#define S(s)	s, sizeof(s) - 1

#define X10	"xxxxxxxxxx"
#define X100	X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define A10	"AAAAAAAAAA"
#define A100	A10 A10 A10 A10 A10 A10 A10 A10 A10 A10
#define M45	"M04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!"

struct uu_case {
	const char *name;
	const char *in;
	size_t	in_len;
	const char *trace;
	size_t	trace_len;
	uint64_t files;
	uint64_t malformed;
	uint64_t out;
};

static const struct uu_case uu_cases[] = {
	{"nothing", S("just prose\nlines\n"), S(""), 0, 0, 0},
	{"empty", S(""), S(""), 0, 0, 0},
	{"single", S("begin 644 cat.txt\n#0V%T\n`\nend\n"),
	S("[B:cat.txt]Cat[E1]"), 1, 0, 3},
	{"crlf", S("begin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\n"),
	S("[B:cat.txt]Cat[E1]"), 1, 0, 3},
	{"full line", S("begin 644 a\n" M45 "\n`\nend\n"),
	S("[B:a]" A10 A10 A10 A10 "AAAAA[E1]"), 1, 0, 45},
	{"two blocks in prose", S("Hi,\nhere are two files.\nbegin 644 a\n#0V%T\n`\nend\n"
				  "and\nbegin 600 b.txt\n\"86(`\n`\nend\nbye\n"),
	S("[B:a]Cat[E1][B:b.txt]ab[E1]"), 2, 0, 5},
	{"truncated", S("begin 644 a\n#0V%T\n"), S("[B:a]Cat[E0]"), 1, 1, 3},
	{"truncated mid line", S("begin 644 a\n#0V%T\n#0V"),
	S("[B:a]CatC[E0]"), 1, 1, 4},
	{"garbage after begin", S("begin 644 a\nhello world\nmore\n"),
	S("[B:a][E0]"), 1, 1, 0},
	/* what ripmime and uudeview also take */
	{"upper-case begin", S("BEGIN 644 a\n#0V%T\n`\nend\n"), S("[B:a]Cat[E1]"), 1, 0, 3},
	{"six-digit mode", S("begin 100644 a\n#0V%T\n`\nend\n"), S("[B:a]Cat[E1]"), 1, 0, 3},
	{"a comment after begin", S("begin 644 a\nthis line is not uu data\n#0V%T\n`\nend\n"),
	S("[B:a]Cat[E1]"), 1, 0, 3},
	{"begin-base64", S("begin-base64 644 a\nQ2F0\nZG9n\n====\n"), S("[B:a]Catdog[E1]"), 1, 0, 6},
	{"begin-base64 unterminated", S("begin-base64 644 a\nQ2F0\n"), S("[B:a]Cat[E0]"), 1, 1, 3},
	{"begin in prose", S("We begin 644 now.\nbegin the meeting\nbegin 64 x\n"
			     "begin 6444444 x\nbegin 648 x\nbegin 644\nbegin 644   \n"
			     "beginning 644 x\n begin 644 x\nbegin644 x\n"
			     "#0V%T\nend\n"), S(""), 0, 0, 0},
	{"begin then prose", S("begin 644 notes\nThis is prose.\n"),
	S("[B:notes][E0]"), 1, 1, 0},
	{"blanks in begin", S("begin\t0644   my file.bin \t\r\n#0V%T\nend\n"),
	S("[B:my file.bin]Cat[E1]"), 1, 0, 3},
	{"zero length lines", S("begin 644 z\n#0V%T\n \n`\n\n\"86(`\nend\n"),
	S("[B:z]Catab[E1]"), 1, 0, 5},
	{"end blanks at eof", S("begin 644 a\n#0V%T\nend  "),
	S("[B:a]Cat[E1]"), 1, 0, 3},
	{"end cr at eof", S("begin 644 a\n#0V%T\nend\r"), S("[B:a]Cat[E1]"), 1, 0, 3},
	{"begin inside block", S("begin 644 a\n#0V%T\nbegin 644 b\n\"86(`\nend\n"),
	S("[B:a]Cat[E0][B:b]ab[E1]"), 2, 1, 5},
	{"bad line drops its bytes", S("begin 644 a\n#0V%T\n#0V%t\n"),
	S("[B:a]Cat[E0]"), 1, 1, 3},
	{"short within slack", S("begin 644 a\n"
				 "M04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!\nend\n"),
	S("[B:a]" A10 A10 A10 A10 "AA[E1]"), 1, 0, 42},
	/* a bad first line is passed over as a comment (UU_JUNK_MAX) */
	{"short beyond slack", S("begin 644 a\n"
				 "M04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%\nend\n"),
	S("[B:a][E1]"), 1, 0, 0},
	{"short beyond slack after data", S("begin 644 a\n#0V%T\n"
				 "M04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%!04%\nend\n"),
	S("[B:a]Cat[E0]"), 1, 1, 3},
	{"short two chars", S("begin 644 a\n#0V\nend\n"), S("[B:a]C[E1]"), 1, 0, 1},
	{"extra chars ignored", S("begin 644 a\n#0V%TXYZ[\\]\nend\n"),
	S("[B:a]Cat[E1]"), 1, 0, 3},
	{"long body line", S("begin 644 a\n#0V%T" A100 A100 A100 A100 "\nend\n"),
	S("[B:a]Cat[E1]"), 1, 0, 3},
	{"long bad body line", S("begin 644 a\n#0V%T" A100 A100 A100 "a\nend\n"),
	S("[B:a][E1]"), 1, 0, 0},		/* a first line passed over */
	{"overlong begin", S("begin 644 " X100 X100 X100 "\n#0V%T\nend\n"), S(""), 0, 0, 0},
	{"longest begin", S("begin 644 " X100 X100 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "\r\n#0V%T\nend\n"),
	S("[B:" X100 X100 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]Cat[E1]"), 1, 0, 3},
	{"end outside block", S("end\n#0V%T\n"), S(""), 0, 0, 0},
	{"lone cr in body", S("begin 644 a\n#0V%T\r#0V%T\nend\n"), S("[B:a][E1]"), 1, 0, 0},
	{"lone cr in a later body line", S("begin 644 a\n#0V%T\n#0V%T\r#0V%T\nend\n"), S("[B:a]Cat[E0]"), 1, 1, 3},
	{"hello", S("begin 644 h\n,:&5L;&\\L('=O<FQD\n`\nend\n"),
	S("[B:h]hello, world[E1]"), 1, 0, 12},
	{"binary backtick", S("begin 644 b\n$``$\"_P``\n`\nend\n"),
	S("[B:b]\0\1\2\xff[E1]"), 1, 0, 4},
	{"binary space", S("begin 644 b\n$  $\"_P  \n \nend\n"),
	S("[B:b]\0\1\2\xff[E1]"), 1, 0, 4},
	{"empty file", S("begin 644 empty\nend\n"), S("[B:empty][E1]"), 1, 0, 0},
	{"cr cr lf", S("begin 644 a\r\r\n#0V%T\nend\n"), S("[B:a]Cat[E1]"), 1, 0, 3},
	{"after end ignored", S("begin 644 a\n#0V%T\nend\n#0V%T\nend\n"),
	S("[B:a]Cat[E1]"), 1, 0, 3},
	{"four digit mode", S("begin 0755 run.sh\n!>```\nend\n"),
	S("[B:run.sh]x[E1]"), 1, 0, 1},
};

#define NCASES	(sizeof(uu_cases) / sizeof(uu_cases[0]))

/* The trace of events (trace.h). */

static int tr_begin(void *ctx, const char *name, size_t len)
{
	return (tr_name(ctx, name, len, "]"));
}

static const struct uu_events tr_events = {tr_begin, tr_data, tr_end};
static const struct uu_events tr_no_data = {tr_begin, 0, tr_end};

/* feed_cuts - scan with the given cut points */

static void feed_cuts(struct uu *u, const struct uu_events *ev,
		              const uint8_t *in, size_t len,
		              const size_t *cuts, size_t ncuts, struct trace *t)
{
	size_t  prev = 0, i, at;

	uu_init(u, ev, t);
	for (i = 0; i <= ncuts; i++) {
		at = i < ncuts ? cuts[i] : len;
		cr_assert_eq(uu_feed(u, in + prev, at - prev), 0);
		prev = at;
	}
	cr_assert_eq(uu_finish(u), 0);
}

/* check_cuts - one split of one case */

static void check_cuts(const struct uu_case *tc, const size_t *cuts,
		               size_t ncuts)
{
	struct uu u;
	struct trace t = {0};

	feed_cuts(&u, &tr_events, (const uint8_t *) tc->in, tc->in_len,
		  cuts, ncuts, &t);
	cr_assert(t.n == tc->trace_len && tr_same(t.p, tc->trace, t.n),
		  "%s: trace [%.*s] want [%s] (cuts %zu)", tc->name,
		  (int) t.n, t.p ? t.p : "", tc->trace, ncuts);
	cr_assert_eq(u.files, tc->files, "%s: files", tc->name);
	cr_assert_eq(u.malformed, tc->malformed, "%s: malformed %lu", tc->name,
		     (unsigned long) u.malformed);
	cr_assert_eq(u.out, tc->out, "%s: out %lu", tc->name,
		     (unsigned long) u.out);
	tr_free(&t);

	/* Without a data callback: the same counters. */
	feed_cuts(&u, &tr_no_data, (const uint8_t *) tc->in, tc->in_len,
		  cuts, ncuts, &t);
	cr_assert_eq(u.out, tc->out, "%s: count only out", tc->name);
	cr_assert_eq(u.malformed, tc->malformed);
	tr_free(&t);
}

static void check_arg(const void *arg, const size_t *cuts, size_t ncuts)
{
	check_cuts(arg, cuts, ncuts);
}

Test(uu, table_whole_and_bytewise)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_bytewise(uu_cases[i].in_len, check_arg, uu_cases + i);
}

Test(uu, every_one_and_two_cut_split)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_every_cut(uu_cases[i].in_len, check_arg, uu_cases + i);
}

Test(uu, random_chunks)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_random_chunks(uu_cases[i].in_len, 200, check_arg, uu_cases + i);
}

/* The test's own encoder: one block, lines of 45 bytes, eol. */

static void enc_put(struct trace *e, const char *s)
{
	tr_put(e, s, strlen(s));
}

static void enc_uu(struct trace *e, const char *name, const uint8_t *d,
		           size_t n, const char *eol)
{
	size_t  i, j, m;
	char    zero = tr_rng() & 1 ? '`' : ' ';
	char    line[64];

	enc_put(e, "begin 644 ");
	enc_put(e, name);
	enc_put(e, eol);
	for (i = 0; i < n; i += 45) {
		m = n - i < 45 ? n - i : 45;
		line[0] = (char) (32 + m);
		for (j = 0; j < m; j += 3) {
			uint32_t x = (uint32_t) d[i + j] << 16;
			char   *o = line + 1 + j / 3 * 4;
			int     k;

			if (j + 1 < m)
				x |= (uint32_t) d[i + j + 1] << 8;
			if (j + 2 < m)
				x |= d[i + j + 2];
			for (k = 0; k < 4; k++) {
				unsigned v = (x >> (18 - 6 * k)) & 63;

				o[k] = v ? (char) (32 + v) : zero;
			}
		}
		tr_put(e, line, 1 + (m + 2) / 3 * 4);
		enc_put(e, eol);
	}
	tr_put(e, &zero, 1);
	enc_put(e, eol);
	enc_put(e, "end");
	enc_put(e, eol);
}

/* scan_random - scan in random chunks, return the trace */

static void scan_random(const uint8_t *in, size_t len, size_t chunk,
		                struct trace *t, struct uu *u)
{
	size_t  at = 0, step;

	uu_init(u, &tr_events, t);
	while (at < len) {
		step = tr_rng() % (chunk + 1);
		if (step > len - at)
			step = len - at;
		cr_assert_eq(uu_feed(u, in + at, step), 0);
		at += step;
	}
	cr_assert_eq(uu_finish(u), 0);
}

/* round_trip - two files among prose, decode in random chunks */

static void round_trip(size_t n, const char *eol)
{
	uint8_t *d = malloc(n + 1);
	struct trace e = {0}, want = {0}, t = {0};
	struct uu u;
	size_t  i;

	cr_assert(d != 0);
	for (i = 0; i < n; i++)
		d[i] = (uint8_t) tr_rng();

	enc_put(&e, "Hello,");
	enc_put(&e, eol);
	enc_put(&e, "begin the files below:");
	enc_put(&e, eol);
	enc_uu(&e, "one.bin", d, n, eol);
	enc_put(&e, "and the second half:");
	enc_put(&e, eol);
	enc_uu(&e, "two.bin", d + n / 2, n - n / 2, eol);
	enc_put(&e, "-- ");
	enc_put(&e, eol);
	enc_put(&e, "sig");

	enc_put(&want, "[B:one.bin]");
	tr_put(&want, d, n);
	enc_put(&want, "[E1][B:two.bin]");
	tr_put(&want, d + n / 2, n - n / 2);
	enc_put(&want, "[E1]");

	scan_random((const uint8_t *) e.p, e.n, 1 + tr_rng() % 5000, &t, &u);
	cr_assert(t.n == want.n && memcmp(t.p, want.p, t.n) == 0,
		  "size %zu: trace differs", n);
	cr_assert_eq(u.out, n + n - n / 2);
	cr_assert_eq(u.files, 2);
	cr_assert_eq(u.malformed, 0);
	tr_free(&t);

	scan_random((const uint8_t *) e.p, e.n, 3, &t, &u);
	cr_assert(t.n == want.n && memcmp(t.p, want.p, t.n) == 0);
	tr_free(&t);

	tr_free(&e);
	tr_free(&want);
	free(d);
}

Test(uu, round_trip_sizes)
{
	static const size_t sizes[] = {0, 1, 2, 3, 44, 45, 46, 57, 4096, 65536,
	1 << 20};
	size_t  i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		round_trip(sizes[i], "\n");
		round_trip(sizes[i], "\r\n");
	}
}

/* stop_case - the given event stops; check the return and the trace */

static void stop_case(const char *in, int stop_at, int in_finish,
		              const char *want)
{
	struct uu u;
	struct trace t = {.stop_at = stop_at, .stop = 40 + stop_at};
	int     ret;

	uu_init(&u, &tr_events, &t);
	ret = uu_feed(&u, (const uint8_t *) in, strlen(in));
	if (in_finish) {
		cr_assert_eq(ret, 0);
		ret = uu_finish(&u);
	}
	cr_assert_eq(ret, 40 + stop_at, "stop at %d: returned %d", stop_at, ret);
	cr_assert(t.n == strlen(want) && memcmp(t.p, want, t.n) == 0,
		  "stop at %d: trace [%.*s]", stop_at, (int) t.n, t.p);
	tr_free(&t);
}

Test(uu, stop)
{
	static const char two[] = "begin 644 a\n#0V%T\nend\nbegin 644 b\n\"86(`\nend\n";

	stop_case(two, 1, 0, "[B:a]");
	stop_case(two, 2, 0, "[B:a]Cat");
	stop_case(two, 3, 0, "[B:a]Cat[E1]");
	stop_case(two, 4, 0, "[B:a]Cat[E1][B:b]");
	stop_case(two, 5, 0, "[B:a]Cat[E1][B:b]ab");
	stop_case("begin 644 a\n#0V%T\nbegin 644 b\n", 3, 0, "[B:a]Cat[E0]");
	stop_case("begin 644 a\n#0V%T\n", 2, 0, "[B:a]Cat");
	stop_case("begin 644 a\n#0V%T", 2, 1, "[B:a]Cat");
	stop_case("begin 644 a\n#0V%T\n", 3, 1, "[B:a]Cat[E0]");
	stop_case("begin 644 a\n#0V%T\nend", 3, 1, "[B:a]Cat[E1]");
}

Test(uu, many_lines_flush_in_pieces)
{
	/* 200 full lines: 9000 bytes, more than one output piece. */
	struct trace e = {0}, t = {0};
	struct uu u;
	int     i;

	enc_put(&e, "begin 644 big\n");
	for (i = 0; i < 200; i++)
		enc_put(&e, M45 "\n");
	enc_put(&e, "end\n");
	uu_init(&u, &tr_events, &t);
	cr_assert_eq(uu_feed(&u, (const uint8_t *) e.p, e.n), 0);
	cr_assert_eq(uu_finish(&u), 0);
	cr_assert_eq(u.out, 9000);
	cr_assert_eq(t.n, 9000 + strlen("[B:big][E1]"));
	cr_assert(t.events >= 4, "events %d", t.events);
	tr_free(&e);
	tr_free(&t);
}
