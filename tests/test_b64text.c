/*
 * test_b64text - base64 blocks in text (b64text.c): bare blocks of equal
 * lines, blocks after a header group a MIME parser never saw, what does
 * not begin one; every case whole, byte by byte, at every one and two
 * cuts and in random chunks, with the same events; and, through the
 * engine, the message that hid a zip bomb from defuse while uudeview,
 * ripmime and munpack took it out (a second Content-Type, a boundary
 * given twice), and a begin-base64 block counted once.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "b64text.h"
#include "bombs.h"
#include "testutil.h"
#include "trace.h"

#define S(s)	s, sizeof(s) - 1

/* "The quick brown fox jumps over the lazy dog, twice over!" in lines of 20 */
#define L1	"VGhlIHF1aWNrIGJyb3du"
#define L2	"IGZveCBqdW1wcyBvdmVy"
#define L3	"IHRoZSBsYXp5IGRvZywg"
#define L4	"dHdpY2Ugb3ZlciE="
#define FOX	"The quick brown fox jumps over the lazy dog, twice over!"

struct b64t_case {
	const char *name;
	const char *in;
	size_t	in_len;
	const char *trace;
	uint64_t files;
};

static const struct b64t_case cases[] = {
	{"bare block, LF", S("hello\n" L1 "\n" L2 "\n" L3 "\n" L4 "\nbye\n"),
	 "[B:]" FOX "[E1]", 1},
	{"bare block, CRLF", S("hello\r\n" L1 "\r\n" L2 "\r\n" L3 "\r\n" L4 "\r\nbye\r\n"),
	 "[B:]" FOX "[E1]", 1},
	{"bare block, CR", S("hello\r" L1 "\r" L2 "\r" L3 "\r" L4 "\rbye\r"),
	 "[B:]" FOX "[E1]", 1},
	{"bare block at the very end", S(L1 "\n" L2 "\n" L3 "\n" L4),
	 "[B:]" FOX "[E1]", 1},
	{"one line is no block", S("text\n" L1 "\ntext\n"), "", 0},
	{"two lines of two lengths", S(L1 "\n" L4 "\n"), "", 0},
	{"too short to be one", S("abcdefgh\nabcdefgh\nabcdefgh\n"), "", 0},
	{"prose", S("Hello there, this is text.\nAnother line of the text.\n"), "", 0},
	{"a block ends at a longer line",
	 S(L1 "\n" L2 "\n" L3 "QUJD\nxyz\n"), "[B:]The quick brown fox jumps over[E1]", 1},
	{"a block ends at a line that is not base64",
	 S(L1 "\n" L2 "\nIHRo Z\n"), "[B:]The quick brown fox jumps over[E1]", 1},
	{"after a header group", S("Some text.\n\nContent-Type: application/octet-stream; name=\"x.bin\"\n"
				   "Content-Transfer-Encoding: base64\n\nQUJD\n\nrest\n"),
	 "[B:x.bin]ABC[E1]", 1},
	{"header group, CRLF, quoted, any case, a field between",
	 S("Content-Disposition: attachment; filename=y.zip\r\nX-Junk: 1\r\n"
	   "content-transfer-encoding:  \"BASE64\" \r\n\r\nQUJD\r\nREVG\r\n\r\n"),
	 "[B:y.zip]ABCDEF[E1]", 1},
	{"header group, folded name", S("Content-Type: application/octet-stream;\n\tname=\"f.txt\"\n"
					"Content-Transfer-Encoding: base64\n\nQUJD\n"),
	 "[B:f.txt]ABC[E1]", 1},
	{"header group with no blank line", S("Content-Transfer-Encoding: base64\nQUJD\nQUJD\n"), "", 0},
	{"header group, then no data", S("Content-Transfer-Encoding: base64\n\n-- \nQUJD\n"), "", 0},
	{"not base64", S("Content-Transfer-Encoding: quoted-printable\n\nQUJD\n"), "", 0},
	{"header group, data ends with padding", S("Content-Transfer-Encoding: base64\n\nQUI=\nQUJD\n"),
	 "[B:]AB[E1]", 1},
	{"two blocks", S(L1 "\n" L2 "\n" L4 "\ntext\n" L2 "\n" L3 "\n"),
	 "[B:]The quick brown fox jumps overtwice over![E1][B:] fox jumps over the lazy dog, [E1]", 2},
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static int tr_begin(void *ctx, const char *name, size_t len, uint64_t declared)
{
	cr_assert_eq(declared, UINT64_MAX);
	return (tr_name(ctx, name, len, "]"));
}

static const struct b64text_events tr_events = {tr_begin, tr_data, tr_end};

static void check_cuts(const struct b64t_case *tc, const size_t *cuts, size_t ncuts)
{
	struct b64text b;
	struct trace t = {0};
	size_t  prev = 0, at;

	b64text_init(&b, &tr_events, &t);
	for (size_t i = 0; i <= ncuts; i++) {
		at = i < ncuts ? cuts[i] : tc->in_len;
		cr_assert_eq(b64text_feed(&b, (const uint8_t *) tc->in + prev, at - prev), 0);
		prev = at;
	}
	cr_assert_eq(b64text_finish(&b), 0);
	cr_assert(t.n == strlen(tc->trace) && tr_same(t.p, tc->trace, t.n),
		  "%s: trace [%.*s] want [%s] (cuts %zu)", tc->name,
		  (int) t.n, t.p ? t.p : "", tc->trace, ncuts);
	cr_assert_eq(b.files, tc->files, "%s: files %" PRIu64, tc->name, b.files);
	cr_assert(b64text_idle(&b), "%s: idle after finish", tc->name);
	tr_free(&t);
}

static void check_arg(const void *arg, const size_t *cuts, size_t ncuts)
{
	check_cuts(arg, cuts, ncuts);
}

Test(b64text, table_whole_and_bytewise)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_bytewise(cases[i].in_len, check_arg, cases + i);
}

Test(b64text, every_one_and_two_cut_split)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_every_cut(cases[i].in_len, check_arg, cases + i);
}

Test(b64text, random_chunks)
{
	for (size_t i = 0; i < NCASES; i++)
		tr_random_chunks(cases[i].in_len, 200, check_arg, cases + i);
}

Test(b64text, long_line_is_a_block)
{
	struct tu_buf in = {0};
	struct b64text b;
	struct trace t = {0};
	static uint8_t data[3000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t) (i * 13);
	tu_puts(&in, "text\n");
	tu_put_base64(&in, data, sizeof(data), "");	/* one line of 4000 */
	tu_puts(&in, "\nsome text\n");	/* not base64: the block ends */
	b64text_init(&b, &tr_events, &t);
	cr_assert_eq(b64text_feed(&b, in.p, in.len), 0);
	cr_assert_eq(b64text_finish(&b), 0);
	cr_assert_eq(b.files, 1);
	cr_assert_eq(b.out, sizeof(data));
	cr_assert(t.n == 4 + sizeof(data) + 4 && memcmp(t.p + 4, data, sizeof(data)) == 0,
		  "%.*s", (int) (t.n < 40 ? t.n : 40), t.p);
	tr_free(&t);
	free(in.p);
}

Test(b64text, could_start)
{
	cr_expect(b64text_could_start((const uint8_t *) "Content-Type: x", 15));
	cr_expect(b64text_could_start((const uint8_t *) "content-transfer", 16));
	cr_expect(b64text_could_start((const uint8_t *) L1, 20));
	cr_expect(b64text_could_start((const uint8_t *) "VGhl", 4), "a line cut short may go on");
	cr_expect(!b64text_could_start((const uint8_t *) "Hello there", 11));
	cr_expect(!b64text_could_start((const uint8_t *) "", 0));
	/* n is what the caller has: the line's end may be in it */
	cr_expect(b64text_could_start((const uint8_t *) "VGhl\r\nHello there", 19));
	cr_expect(b64text_could_start((const uint8_t *) "VGhl\rHello there", 17));
	cr_expect(!b64text_could_start((const uint8_t *) "Hello there\nVGhlVGhlVGhlVGhl", 28));
	cr_expect(!b64text_could_start((const uint8_t *) "\r\nVGhlVGhlVGhlVGhl", 18));
	cr_expect(b64text_could_start((const uint8_t *) "VGhlVGhlVGhlVGhl-junk", 21));
}

/*
 * Through the engine: a second Content-Type and a boundary given twice
 * hid a MIME part from every reading of defuse (the first Content-Type
 * is text/plain; the last names boundary B, the part is behind A), while
 * uudeview, ripmime and munpack took out its 300 MiB member.  The
 * part's header group is in the text: its base64 is decoded, and its
 * member refused by size.
 */
Test(b64text, hidden_part_found_in_text)
{
	struct tu_buf b = {0}, d = {0};
	struct bomb_zip zip = {0};
	uint64_t n = 300u << 20;

	bomb_deflate_repeat(&d, 0, 0, n);
	bz_deflated(&zip, "zeros.bin", &d, n, n, 0);
	bz_close(&zip, 0);
	tu_puts(&b, "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
		"Content-Type: multipart/mixed; boundary=A; boundary=B\r\n\r\npre\r\n--A\r\n"
		"Content-Type: application/zip; name=\"x.zip\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n");
	tu_put_base64(&b, zip.b.p, zip.b.len, "\r\n");
	tu_puts(&b, "--A--\r\n");
	{
		struct record r;

		tu_scan(0, b.p, b.len, 0, 0, &r);
		cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
		cr_expect_eq(r.reason, REASON_PART_SIZE, "%s", tu_record_str(&r));
		cr_expect((r.findings >> FIND_BASE64_TEXT) & 1, "%s", tu_record_str(&r));
	}
	free(b.p);
	free(d.p);
	bz_free(&zip);
}

/* A begin-base64 block is uu.c's: one file, not two. */
Test(b64text, begin_base64_counted_once)
{
	static const char msg[] = "Subject: x\r\n\r\nhello\r\nbegin-base64 644 f.txt\r\n"
		L1 "\r\n" L2 "\r\n" L3 "\r\n" L4 "\r\n====\r\nbye\r\n";
	struct record r;

	tu_scan(0, (const uint8_t *) msg, strlen(msg), 0, 0, &r);
	cr_expect_eq(r.parts, 2, "the text and f.txt: %s", tu_record_str(&r));
	cr_expect(!((r.findings >> FIND_BASE64_TEXT) & 1), "%s", tu_record_str(&r));
	for (size_t chunk = 1; chunk < 40; chunk += 3) {
		struct record s;

		tu_scan(0, (const uint8_t *) msg, strlen(msg), chunk, 0, &s);
		cr_expect_eq(s.parts, 2, "chunk %zu: %s", chunk, tu_record_str(&s));
	}
}
