/*
 * NAME
 *	test_yenc 1
 * SUMMARY
 *	tests of the streaming yEnc scanner
 * DESCRIPTION
 *	A case table of texts and the events each must give, as a trace
 *	("[B:name:size]", the decoded bytes, "[E1]" or "[E0]"; size "-"
 *	when not declared) with the counters: one file, CRLF, the four
 *	critical escapes, multipart with =ypart, absent, unparsable and
 *	overflowing sizes, truncated blocks, a begin inside a block,
 *	unknown "=y" lines, "=ybegin" in prose, names with blanks, empty
 *	and missing names, an escape at a line end, CRs inside lines, a
 *	last line without LF, size mismatches.  The split test over every
 *	case (whole, byte by byte, every one-cut and two-cut split, random
 *	chunks).  A round trip through the test's own encoder (lines of
 *	128, every optional escape, multipart, LF and CRLF, prose around),
 *	up to 1 MiB in random chunks.  A begin line longer than the kept
 *	head.  Callbacks that say stop, each of the three.  Self-contained:
 *	nothing but yenc.c and Criterion.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "trace.h"
#include "yenc.h"

#define S(s)	s, sizeof(s) - 1

struct yenc_case {
	const char *name;
	const char *in;
	size_t	in_len;
	const char *trace;
	size_t	trace_len;
	uint64_t files;
	uint64_t malformed;
	uint64_t out;
	uint64_t mismatched;
};

static const struct yenc_case yenc_cases[] = {
	{"nothing", S("just prose\nlines\n"), S(""), 0, 0, 0, 0},
	{"empty", S(""), S(""), 0, 0, 0, 0},
	{"single", S("=ybegin line=128 size=3 name=abc.txt\nklm\n=yend size=3\n"),
	S("[B:abc.txt:3]ABC[E1]"), 1, 0, 3, 0},
	{"crlf", S("=ybegin line=128 size=3 name=abc.txt\r\nklm\r\n=yend size=3\r\n"),
	S("[B:abc.txt:3]ABC[E1]"), 1, 0, 3, 0},
	{"critical escapes", S("=ybegin line=128 size=4 name=e\n=@=J=M=}\n=yend size=4\n"),
	S("[B:e:4]\xd6\xe0\xe3\x13[E1]"), 1, 0, 4, 0},
	{"wrap around", S("=ybegin size=3 name=w\n*)\xff\n=yend\n"),
	S("[B:w:3]\0\xff\xd5[E1]"), 1, 0, 3, 0},
	{"multipart", S("=ybegin part=2 total=3 line=128 size=1000 name=big.bin\n"
			"=ypart begin=501 end=503\nklm\n=yend size=3 part=2 pcrc32=1234abcd\n"),
	S("[B:big.bin:1000]ABC[E1]"), 1, 0, 3, 0},
	{"no size", S("=ybegin line=128 name=x\nklm\n=yend\n"), S("[B:x:-]ABC[E1]"), 1, 0, 3, 0},
	{"bad size", S("=ybegin size=abc name=x\nklm\n=yend\n"), S("[B:x:-]ABC[E1]"), 1, 0, 3, 0},
	{"empty size", S("=ybegin size= name=x\nklm\n=yend\n"), S("[B:x:-]ABC[E1]"), 1, 0, 3, 0},
	{"huge size", S("=ybegin size=99999999999999999999999 name=x\nklm\n=yend\n"),
	S("[B:x:18446744073709551614]ABC[E1]"), 1, 0, 3, 0},
	{"max size", S("=ybegin size=18446744073709551614 name=x\n=yend\n"),
	S("[B:x:18446744073709551614][E1]"), 1, 0, 0, 0},
	{"saturated size", S("=ybegin size=18446744073709551615 name=x\n=yend\n"),
	S("[B:x:18446744073709551614][E1]"), 1, 0, 0, 0},
	{"size with junk", S("=ybegin size=12kb name=x\n=yend\n"), S("[B:x:12][E1]"), 1, 0, 0, 0},
	{"truncated", S("=ybegin size=3 name=a\nklm\n"), S("[B:a:3]ABC[E0]"), 1, 1, 3, 0},
	{"truncated mid line", S("=ybegin size=3 name=a\nklm\nkl"), S("[B:a:3]ABCAB[E0]"), 1, 1, 5, 0},
	{"begin inside block", S("=ybegin size=3 name=a\nklm\n=ybegin size=1 name=b\nk\n=yend\n"),
	S("[B:a:3]ABC[E0][B:b:1]A[E1]"), 2, 1, 4, 0},
	{"unknown keyword", S("=ybegin size=3 name=a\n=yfoo bar\n=y\nklm\n=yendx\n=yend\n"),
	S("[B:a:3]ABC[E1]"), 1, 0, 3, 0},
	{"begin in prose", S("We =ybegin now\n=ybeginning size=3 name=x\n =ybegin size=3 name=x\n"
			     "=ybegi\n=yend\nklm\n"), S(""), 0, 0, 0, 0},
	{"name with blanks", S("=ybegin size=3 name=my file.bin \t\nklm\n=yend\n"),
	S("[B:my file.bin:3]ABC[E1]"), 1, 0, 3, 0},
	{"no name", S("=ybegin size=3\nklm\n=yend\n"), S("[B::3]ABC[E1]"), 1, 0, 3, 0},
	{"empty name", S("=ybegin size=3 name=\nklm\n=yend\n"), S("[B::3]ABC[E1]"), 1, 0, 3, 0},
	{"bare begin", S("=ybegin\nklm\n=yend\n"), S("[B::-]ABC[E1]"), 1, 0, 3, 0},
	{"keys in name", S("=ybegin name=size=5 part=2\nk\n=yend\n"), S("[B:size=5 part=2:-]A[E1]"), 1, 0, 1, 0},
	{"tabs", S("=ybegin\tsize=3\tname=t\nklm\n=yend\tsize=3\n"), S("[B:t:3]ABC[E1]"), 1, 0, 3, 0},
	{"two blocks in prose", S("Hi,\nhere:\n=ybegin size=3 name=a\nklm\n=yend size=3\nand\n"
				  "=ybegin size=2 name=b.txt\nlm\n=yend size=2\nbye\n"),
	S("[B:a:3]ABC[E1][B:b.txt:2]BC[E1]"), 2, 0, 5, 0},
	{"escape at line end", S("=ybegin size=2 name=a\nk=\nl\n=yend\n"), S("[B:a:2]AB[E1]"), 1, 0, 2, 0},
	{"escape then y inside", S("=ybegin size=2 name=a\nk=y\n=Ay\n=yend\n"),
	S("[B:a:2]A\x0f\xd7O[E1]"), 1, 0, 4, 0},
	{"cr inside line", S("=ybegin si\rze=3 name=a\r\nk\rl\rm\n=y\rend\n"), S("[B:a:3]ABC[E1]"), 1, 0, 3, 0},
	{"cr between escape", S("=ybegin size=1 name=a\n=\r@\n=yend\n"), S("[B:a:1]\xd6[E1]"), 1, 0, 1, 0},
	{"end at eof", S("=ybegin size=3 name=a\nklm\n=yend"), S("[B:a:3]ABC[E1]"), 1, 0, 3, 0},
	{"begin at eof", S("=ybegin size=3 name=a"), S("[B:a:3][E0]"), 1, 1, 0, 0},
	{"size mismatch", S("=ybegin size=3 name=a\nklm\n=yend size=5\n"), S("[B:a:3]ABC[E1]"), 1, 0, 3, 1},
	{"empty file", S("=ybegin size=0 name=e\n=yend size=0\n"), S("[B:e:0][E1]"), 1, 0, 0, 0},
	{"blank lines in data", S("=ybegin size=3 name=a\n\nk\n\r\nlm\n=yend\n"), S("[B:a:3]ABC[E1]"), 1, 0, 3, 0},
	{"after end ignored", S("=ybegin size=3 name=a\nklm\n=yend\nklm\n=yend\n"),
	S("[B:a:3]ABC[E1]"), 1, 0, 3, 0},
	{"end outside block", S("=yend size=3\n=ypart begin=1 end=3\nklm\n"), S(""), 0, 0, 0, 0},
	{"prose in block is data", S("=ybegin size=3 name=a\nHi!\n=yend\n"),
	S("[B:a:3]\x1e?\xf7[E1]"), 1, 0, 3, 0},
};

#define NCASES	(sizeof(yenc_cases) / sizeof(yenc_cases[0]))

/* The trace of events (trace.h). */

static int tr_begin(void *ctx, const char *name, size_t len, uint64_t size)
{
	char    num[32];

	if (size == YENC_NONE)
		snprintf(num, sizeof(num), ":-]");
	else
		snprintf(num, sizeof(num), ":%" PRIu64 "]", size);
	return (tr_name(ctx, name, len, num));
}

static const struct yenc_events tr_events = {tr_begin, tr_data, tr_end};
static const struct yenc_events tr_no_data = {tr_begin, 0, tr_end};

/* feed_cuts - scan with the given cut points */

static void feed_cuts(struct yenc *y, const struct yenc_events *ev,
		              const uint8_t *in, size_t len,
		              const size_t *cuts, size_t ncuts, struct trace *t)
{
	size_t  prev = 0, i, at;

	yenc_init(y, ev, t);
	for (i = 0; i <= ncuts; i++) {
		at = i < ncuts ? cuts[i] : len;
		cr_assert_eq(yenc_feed(y, in + prev, at - prev), 0);
		prev = at;
	}
	cr_assert_eq(yenc_finish(y), 0);
}

/* check_cuts - one split of one case */

static void check_cuts(const struct yenc_case *tc, const size_t *cuts,
		               size_t ncuts)
{
	struct yenc y;
	struct trace t = {0};

	feed_cuts(&y, &tr_events, (const uint8_t *) tc->in, tc->in_len,
		  cuts, ncuts, &t);
	cr_assert(t.n == tc->trace_len && tr_same(t.p, tc->trace, t.n),
		  "%s: trace [%.*s] want [%s] (cuts %zu)", tc->name,
		  (int) t.n, t.p ? t.p : "", tc->trace, ncuts);
	cr_assert_eq(y.files, tc->files, "%s: files", tc->name);
	cr_assert_eq(y.malformed, tc->malformed, "%s: malformed %" PRIu64,
		     tc->name, y.malformed);
	cr_assert_eq(y.out, tc->out, "%s: out %" PRIu64, tc->name, y.out);
	cr_assert_eq(y.mismatched, tc->mismatched, "%s: mismatched", tc->name);
	tr_free(&t);

	/* Without a data callback: the same counters. */
	feed_cuts(&y, &tr_no_data, (const uint8_t *) tc->in, tc->in_len,
		  cuts, ncuts, &t);
	cr_assert_eq(y.out, tc->out, "%s: count only out", tc->name);
	cr_assert_eq(y.malformed, tc->malformed);
	tr_free(&t);
}

static void check_arg(const void *arg, const size_t *cuts, size_t ncuts)
{
	check_cuts(arg, cuts, ncuts);
}

Test(yenc, table_whole_and_bytewise)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_bytewise(yenc_cases[i].in_len, check_arg, yenc_cases + i);
}

Test(yenc, every_one_and_two_cut_split)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_every_cut(yenc_cases[i].in_len, check_arg, yenc_cases + i);
}

Test(yenc, random_chunks)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_random_chunks(yenc_cases[i].in_len, 200, check_arg, yenc_cases + i);
}

Test(yenc, declared_fields)
{
	static const char in[] = "=ybegin part=2 total=3 line=128 size=1000 name=big.bin\n"
	"=ypart begin=501 end=503\nklm\n=yend size=3 part=2\n";
	struct yenc y;
	struct trace t = {0};

	yenc_init(&y, &tr_events, &t);
	cr_assert_eq(yenc_feed(&y, (const uint8_t *) in, strlen(in)), 0);
	cr_assert_eq(yenc_finish(&y), 0);
	cr_assert_eq(y.size, 1000);
	cr_assert_eq(y.part, 2);
	cr_assert_eq(y.total, 3);
	cr_assert_eq(y.part_begin, 501);
	cr_assert_eq(y.part_end, 503);
	cr_assert_eq(y.end_size, 3);
	cr_assert_eq(y.block_out, 3);
	cr_assert_eq(y.mismatched, 0);
	tr_free(&t);

	/* The next block starts afresh. */
	yenc_init(&y, &tr_events, &t);
	cr_assert_eq(yenc_feed(&y, (const uint8_t *) in, strlen(in)), 0);
	cr_assert_eq(yenc_feed(&y, (const uint8_t *) S("=ybegin name=x\n")), 0);
	cr_assert_eq(y.size, YENC_NONE);
	cr_assert_eq(y.part, YENC_NONE);
	cr_assert_eq(y.part_begin, YENC_NONE);
	cr_assert_eq(y.end_size, YENC_NONE);
	cr_assert_eq(y.block_out, 0);
	tr_free(&t);
}

Test(yenc, long_begin_line)
{
	/* A name past the kept head is cut; the block still opens. */
	struct trace e = {0}, t = {0};
	struct yenc y;
	size_t  i, head = strlen("=ybegin size=3 name=");

	tr_put(&e, S("=ybegin size=3 name="));
	for (i = 0; i < 2000; i++)
		tr_put(&e, "x", 1);
	tr_put(&e, S("\nklm\n=yend\n"));
	yenc_init(&y, &tr_events, &t);
	cr_assert_eq(yenc_feed(&y, (const uint8_t *) e.p, e.n), 0);
	cr_assert_eq(yenc_finish(&y), 0);
	cr_assert_eq(y.files, 1);
	cr_assert_eq(t.n, strlen("[B::3]ABC[E1]") + YENC_LINE_MAX - head);
	cr_assert(memcmp(t.p + t.n - 10, ":3]ABC[E1]", 10) == 0);
	tr_free(&e);
	tr_free(&t);
}

/* The test's own encoder: yEnc 1.3, lines of at most len_max. */

static void enc_put(struct trace *e, const char *s)
{
	tr_put(e, s, strlen(s));
}

static void enc_data(struct trace *e, const uint8_t *d, size_t n,
		             size_t len_max, const char *eol)
{
	size_t  i, col = 0;
	char    esc[2];

	for (i = 0; i < n; i++) {
		int     c = (d[i] + 42) & 255;
		int     first = col == 0, last = col + 1 >= len_max || i + 1 == n;

		if (c == 0 || c == '\n' || c == '\r' || c == '=' || c == '\t'
		    || (c == ' ' && (first || last)) || (c == '.' && first)) {
			esc[0] = '=';
			esc[1] = (char) ((c + 64) & 255);
			tr_put(e, esc, 2);
			col += 2;
		} else {
			esc[0] = (char) c;
			tr_put(e, esc, 1);
			col++;
		}
		if (col >= len_max && i + 1 < n) {
			enc_put(e, eol);
			col = 0;
		}
	}
	if (n > 0)
		enc_put(e, eol);
}

/* enc_yenc - one part (part 0: single) of a file of size bytes */

static void enc_yenc(struct trace *e, const char *name, const uint8_t *d,
		             size_t size, size_t from, size_t to, int part,
		             const char *eol)
{
	char    line[256];

	if (part)
		snprintf(line, sizeof(line), "=ybegin part=%d total=2 line=128 size=%zu name=%s%s",
			 part, size, name, eol);
	else
		snprintf(line, sizeof(line), "=ybegin line=128 size=%zu name=%s%s", size, name, eol);
	enc_put(e, line);
	if (part) {
		snprintf(line, sizeof(line), "=ypart begin=%zu end=%zu%s", from + 1, to, eol);
		enc_put(e, line);
	}
	enc_data(e, d + from, to - from, 128, eol);
	snprintf(line, sizeof(line), "=yend size=%zu%s crc32=00000000%s", to - from,
		 part ? " part=1 pcrc32=00000000" : "", eol);
	enc_put(e, line);
}

/* scan_random - scan in random chunks, return the trace */

static void scan_random(const uint8_t *in, size_t len, size_t chunk,
		                struct trace *t, struct yenc *y)
{
	size_t  at = 0, step;

	yenc_init(y, &tr_events, t);
	while (at < len) {
		step = tr_rng() % (chunk + 1);
		if (step > len - at)
			step = len - at;
		cr_assert_eq(yenc_feed(y, in + at, step), 0);
		at += step;
	}
	cr_assert_eq(yenc_finish(y), 0);
}

/* round_trip - a single file and a two-part one among prose */

static void round_trip(size_t n, const char *eol)
{
	static const uint8_t crit[7] = {214, 224, 227, 19, 223, 246, 4};
	uint8_t *d = malloc(n + 1);
	struct trace e = {0}, want = {0}, t = {0};
	struct yenc y;
	size_t  i;
	char    num[64];

	cr_assert(d != 0);
	/* Random bytes, and every seventh one that needs an escape. */
	for (i = 0; i < n; i++)
		d[i] = (uint8_t) (i % 7 == 0 ? crit[i / 7 % 7] : tr_rng());

	enc_put(&e, "Hello,");
	enc_put(&e, eol);
	enc_put(&e, "=ybeginning is how it starts:");
	enc_put(&e, eol);
	enc_yenc(&e, "one.bin", d, n, 0, n, 0, eol);
	enc_put(&e, "and in two parts:");
	enc_put(&e, eol);
	enc_yenc(&e, "two.bin", d, n, 0, n / 2, 1, eol);
	enc_yenc(&e, "two.bin", d, n, n / 2, n, 2, eol);
	enc_put(&e, "-- ");
	enc_put(&e, eol);
	enc_put(&e, "sig");

	snprintf(num, sizeof(num), "[B:one.bin:%zu]", n);
	enc_put(&want, num);
	tr_put(&want, d, n);
	snprintf(num, sizeof(num), "[E1][B:two.bin:%zu]", n);
	enc_put(&want, num);
	tr_put(&want, d, n / 2);
	snprintf(num, sizeof(num), "[E1][B:two.bin:%zu]", n);
	enc_put(&want, num);
	tr_put(&want, d + n / 2, n - n / 2);
	enc_put(&want, "[E1]");

	scan_random((const uint8_t *) e.p, e.n, 1 + tr_rng() % 5000, &t, &y);
	cr_assert(t.n == want.n && memcmp(t.p, want.p, t.n) == 0,
		  "size %zu: trace differs", n);
	cr_assert_eq(y.out, 2 * n);
	cr_assert_eq(y.files, 3);
	cr_assert_eq(y.malformed, 0);
	cr_assert_eq(y.mismatched, 0);
	tr_free(&t);

	scan_random((const uint8_t *) e.p, e.n, 3, &t, &y);
	cr_assert(t.n == want.n && memcmp(t.p, want.p, t.n) == 0);
	tr_free(&t);

	tr_free(&e);
	tr_free(&want);
	free(d);
}

Test(yenc, round_trip_sizes)
{
	static const size_t sizes[] = {0, 1, 2, 3, 127, 128, 129, 4095, 4096,
	4097, 65536, 1 << 20};
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
	struct yenc y;
	struct trace t = {.stop_at = stop_at, .stop = 40 + stop_at};
	int     ret;

	yenc_init(&y, &tr_events, &t);
	ret = yenc_feed(&y, (const uint8_t *) in, strlen(in));
	if (in_finish) {
		cr_assert_eq(ret, 0);
		ret = yenc_finish(&y);
	}
	cr_assert_eq(ret, 40 + stop_at, "stop at %d: returned %d", stop_at, ret);
	cr_assert(t.n == strlen(want) && memcmp(t.p, want, t.n) == 0,
		  "stop at %d: trace [%.*s]", stop_at, (int) t.n, t.p);
	tr_free(&t);
}

Test(yenc, stop)
{
	static const char two[] = "=ybegin size=3 name=a\nklm\n=yend\n"
	"=ybegin size=2 name=b\nlm\n=yend\n";

	stop_case(two, 1, 0, "[B:a:3]");
	stop_case(two, 2, 0, "[B:a:3]ABC");
	stop_case(two, 3, 0, "[B:a:3]ABC[E1]");
	stop_case(two, 4, 0, "[B:a:3]ABC[E1][B:b:2]");
	stop_case(two, 5, 0, "[B:a:3]ABC[E1][B:b:2]BC");
	stop_case("=ybegin size=3 name=a\nklm\n=ybegin name=b\n", 3, 0, "[B:a:3]ABC[E0]");
	stop_case("=ybegin size=3 name=a\nklm\n", 2, 0, "[B:a:3]ABC");
	stop_case("=ybegin size=3 name=a\nklm", 3, 1, "[B:a:3]ABC[E0]");
	stop_case("=ybegin size=3 name=a", 1, 1, "[B:a:3]");
	stop_case("=ybegin size=3 name=a\nklm\n=yend", 3, 1, "[B:a:3]ABC[E1]");
}

Test(yenc, flush_in_pieces)
{
	/* 10000 bytes on one line: more than one output piece. */
	struct trace e = {0}, t = {0};
	struct yenc y;
	int     i;

	enc_put(&e, "=ybegin size=10000 name=big\n");
	for (i = 0; i < 10000; i++)
		tr_put(&e, "k", 1);
	enc_put(&e, "\n=yend size=10000\n");
	yenc_init(&y, &tr_events, &t);
	cr_assert_eq(yenc_feed(&y, (const uint8_t *) e.p, e.n), 0);
	cr_assert_eq(yenc_finish(&y), 0);
	cr_assert_eq(y.out, 10000);
	cr_assert_eq(t.n, 10000 + strlen("[B:big:10000][E1]"));
	cr_assert(t.events >= 5, "events %d", t.events);
	tr_free(&e);
	tr_free(&t);
}
