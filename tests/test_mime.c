/*
 * test_mime - the MIME parser, through the engine: a table of small
 * messages with the record each must give, each fed whole, byte by
 * byte, at every one-cut and every two-cut split, and in random chunks.
 */

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "testutil.h"

#define F(x) ((uint64_t) 1 << (x))

struct mime_case {
	const char *name;
	const char *text;
	uint64_t parts;
	uint64_t decoded;
	unsigned mime_depth;
	uint64_t findings;		/* must all be present */
	uint64_t absent;		/* must all be absent */
};

#define MP "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"

static const struct mime_case cases[] = {
	{"plain crlf", "Subject: hi\r\n\r\nHello\r\n", 1, 7, 0, 0, ~0ull},
	{"plain lf", "Subject: hi\n\nHello\n", 1, 6, 0, 0, ~0ull},
	{"no final eol", "Subject: hi\n\nHello", 1, 5, 0, 0, ~0ull},
	{"headers only", "Subject: hi\r\nX-A: b\r\n", 1, 0, 0, F(FIND_NO_BODY), 0},
	{"empty message", "", 1, 0, 0, 0, 0},
	{"body only", "\r\nbody\r\n", 1, 6, 0, 0, F(FIND_HEADER_MALFORMED)},
	{"folded header", "Subject: a\r\n\tb\r\nContent-Type: text/plain;\r\n charset=us-ascii\r\n\r\nx", 1, 1, 0, 0, ~0ull},
	{"mbox from line", "From someone Sat Jan  1 00:00:00 2000\nSubject: x\n\nbody\n", 1, 5, 0, 0, F(FIND_HEADER_MALFORMED)},
	{"not a header line", "Subject: x\nthis is not a header\nmore\n", 1, 26, 0, F(FIND_HEADER_MALFORMED), 0},
	/* ripmime reads an entity in a text epilogue (RD_EPILOGUE) */
	{"multipart", MP "preamble\r\n--XX\r\n\r\nA\r\n--XX\r\nContent-Type: text/plain\r\n\r\nBB\r\n--XX--\r\nepilogue\r\n",
	 3, 11, 1, F(FIND_READINGS_DIFFER), 0},
	{"multipart, no epilogue", MP "preamble\r\n--XX\r\n\r\nA\r\n--XX\r\nContent-Type: text/plain\r\n\r\nBB\r\n--XX--\r\n\r\n",
	 3, 11, 1, 0, ~0ull},
	{"a part in the epilogue", MP "--XX\r\n\r\nA\r\n--XX--\r\nContent-Type: text/plain\r\n\r\nBBBBBBBBBB\r\n",
	 2, 13, 1, F(FIND_READINGS_DIFFER), 0},
	{"multipart lf", "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\nA\n--XX\n\nBB\n--XX--\n", 2, 3, 1, 0, ~0ull},
	{"base64", "Content-Transfer-Encoding: base64\r\n\r\nSGVs\r\nbG8=\r\n", 1, 5, 0, 0, ~0ull},
	{"base64 junk", "Content-Transfer-Encoding: base64\r\n\r\nSG!Vs\r\nbG8=\r\n", 1, 5, 0, F(FIND_BASE64_JUNK), 0},
	{"qp", "Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db=\r\nc\r\n", 1, 6, 0, 0, ~0ull},
	{"x-gzip64 is base64", "Content-Transfer-Encoding: x-gzip64\r\n\r\nSGVsbG8=\r\n", 1, 5, 0, 0, F(FIND_CTE_UNKNOWN)},
	{"unknown cte", "Content-Transfer-Encoding: x-rot13\r\n\r\nabc\r\n", 1, 5, 0, F(FIND_CTE_UNKNOWN), 0},
	{"nested", MP "--XX\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n--YY\r\n\r\na\r\n--YY\r\n\r\nbb\r\n--YY--\r\n--XX\r\n\r\nccc\r\n--XX--\r\n",
	 3, 6, 2, 0, ~0ull},
	{"rfc822", MP "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=ZZ\r\n\r\n--ZZ\r\n\r\nin1\r\n--ZZ\r\n\r\nin2\r\n--ZZ--\r\n--XX--\r\n",
	 2, 6, 3, 0, ~0ull},
	{"rfc822 leaf", "Content-Type: message/rfc822\n\nSubject: inner\n\nhello\n", 1, 6, 1, 0, ~0ull},
	{"unclosed", MP "--XX\r\n\r\nA\r\n--XX\r\n\r\nBB\r\n", 2, 5, 1, F(FIND_BOUNDARY_UNCLOSED), F(FIND_BOUNDARY_NOT_FOUND)},
	{"boundary never found", MP "just text\r\n", 1, 11, 1, F(FIND_BOUNDARY_NOT_FOUND), 0},
	/* ripmime guesses a boundary (RD_GUESS): nesting 1 in its view */
	{"no boundary parameter", "Content-Type: multipart/mixed\r\n\r\ntext\r\n", 1, 6, 1, F(FIND_BOUNDARY_MISSING), 0},
	{"part without body", MP "--XX\r\nContent-Type: text/plain\r\n--XX\r\n\r\nB\r\n--XX--\r\n", 2, 1, 1, F(FIND_NO_BODY), 0},
	{"empty body", MP "--XX\r\nContent-Type: text/plain\r\n\r\n--XX--\r\n", 1, 0, 1, 0, F(FIND_NO_BODY)},
	{"rfc2231 boundary", "Content-Type: multipart/mixed; boundary*0=\"A\"; boundary*1=B\r\n\r\n--AB\r\n\r\nx\r\n--AB--\r\n", 1, 1, 1, 0, ~0ull},
	{"boundary with junk after", MP "--XX junk\r\n\r\nA\r\n--XX--\r\n", 1, 1, 1, 0, F(FIND_BOUNDARY_NOT_FOUND)},
	{"inner boundary extends outer", MP "--XX\r\nContent-Type: multipart/mixed; boundary=XXY\r\n\r\n--XXY\r\n\r\na\r\n--XXY--\r\n--XX--\r\n",
	 1, 1, 2, 0, F(FIND_BOUNDARY_UNCLOSED)},
	{"outer closes inner", MP "--XX\r\nContent-Type: multipart/mixed; boundary=YY\r\n\r\n--YY\r\n\r\na\r\n--XX\r\n\r\nb\r\n--XX--\r\n",
	 2, 2, 2, F(FIND_BOUNDARY_UNCLOSED), 0},
	{"dash lines are content", "Subject: x\r\n\r\n--not a boundary\r\n-\r\n--\r\n", 1, 25, 0, 0, ~0ull},
	{"dash lines in a part", MP "--XX\r\n\r\n--XY\r\n-- \r\n--XX--\r\n", 1, 9, 1, 0, ~0ull},
	{"bare cr", "Subject: x\r\n\r\na\rb\r\n\r", 1, 6, 0, 0, ~0ull},
	{"duplicate boundary", MP "--XX\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n\r\na\r\n--XX--\r\n--XX--\r\n",
	 1, 1, 2, F(FIND_BOUNDARY_DUPLICATE), 0},
	{"digest default rfc822", "Content-Type: multipart/digest; boundary=D\r\n\r\n--D\r\n\r\nSubject: m\r\n\r\nbody\r\n--D--\r\n", 1, 4, 2, 0, ~0ull},
	{"uuencode in text", "Subject: uu\n\nhi\nbegin 644 a.txt\n#86)C\n`\nend\nbye\n", 2, 38, 0, F(FIND_UUENCODE), 0},
	{"x-uuencode cte", "Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a.txt\n#86)C\n`\nend\n", 1, 3, 0, 0, ~0ull},
	{"header with no colon then boundary", MP "--XX\r\nnot a header\r\n--XX--\r\n", 1, 12, 1, F(FIND_HEADER_MALFORMED), 0},
	{"folded quoted boundary", "Content-Type: multipart/mixed; boundary=\"simple\r\n boundary\"\r\n\r\n--simple boundary\r\n\r\nx\r\n--simple boundary--\r\n",
	 1, 1, 1, 0, ~0ull},
	{"base64 rfc822", "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	 "U3ViamVjdDogaW5uZXINCg0KaGVsbG8NCg==\r\n", 2, 32, 1, 0, ~0ull},
	/* Readings (reading.h): each one that parts ways is a view. */
	{"junk after a delimiter: two readings", MP "--XX\r\n\r\nA\r\n--XX junk\r\n\r\nBBBB\r\n--XX--\r\n",
	 1, 20, 1, F(FIND_READINGS_DIFFER), 0},
	{"indented delimiter: ripmime alone", MP "--XX\r\n\r\nA\r\n  --XX\r\nContent-Type: text/plain\r\n\r\nBB\r\n--XX--\r\n",
	 1, 41, 1, F(FIND_READINGS_DIFFER), 0},
	/* a long indent is counted as it comes (once: time linear in it) */
	{"long indent before a delimiter", MP "--XX\r\n\r\nA\r\n"
	 "                                                                                "
	 "                                                                                "
	 "--XX\r\n\r\nBB\r\n--XX--\r\n", 1, 173, 1, F(FIND_READINGS_DIFFER), 0},
	{"indented lines that are no delimiter", MP "--XX\r\n\r\nA\r\n  --XY\r\n\t-x\r\n  text\r\n--XX--\r\n",
	 1, 22, 1, 0, ~0ull},
	{"junk and indent: three views", MP "--XX\r\n\r\nA\r\n --XX\r\n\r\nB\r\n--XX junk\r\n\r\nC\r\n--XX--\r\n",
	 1, 29, 1, F(FIND_READINGS_DIFFER), 0},
	/* the last field wins for ripmime and reformime: 10 bytes of 7bit */
	{"boundary twice", "Content-Type: multipart/mixed; boundary=AA; boundary=BB\r\n\r\n--AA\r\n\r\na\r\n--BB\r\n\r\nbbbb\r\n--AA--\r\n--BB--\r\n",
	 2, 21, 1, F(FIND_READINGS_DIFFER), 0},
	/* boundary="a\\b": RFC 2045 unescapes it (ab), ClamAV, ripmime,
	 * reformime and Python's compat32 keep the backslash (RD_BND_RAW) */
	{"backslash in a quoted boundary", "Content-Type: multipart/mixed; boundary=\"a\\b\"\r\n\r\n"
	 "--a\\b\r\n\r\nxx\r\n--ab\r\n\r\nyyyy\r\n--ab--\r\n--a\\b--\r\n",
	 1, 24, 1, F(FIND_READINGS_DIFFER), 0},
	/* munpack: the last Content-Type but the first boundary= */
	{"content-type and boundary twice", "Content-Type: text/plain\r\n"
	 "Content-Type: multipart/mixed; boundary=AA; boundary=BB\r\n\r\n--AA\r\n"
	 "Content-Type: application/octet-stream\r\n\r\nATTACHMENT\r\n--AA--\r\n",
	 1, 68, 1, F(FIND_READINGS_DIFFER), 0},
	{"content-type twice", "Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\nx\r\n--B--\r\n",
	 1, 17, 1, F(FIND_READINGS_DIFFER), 0},
	{"parts after the close delimiter", MP "--XX\r\n\r\nA\r\n--XX--\r\n--XX\r\n\r\nBBBBBBBB\r\n--XX--\r\n",
	 2, 9, 1, F(FIND_READINGS_DIFFER), 0},
	{"empty boundary", "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nabc\r\n----\r\n", 1, 3, 1, 0, ~0ull},
	{"from line among header fields", "Subject: x\r\nFrom a@b  Mon Jan 1 00:00:00 2024\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\nx\r\n--B--\r\n",
	 1, 1, 1, F(FIND_HEADER_MALFORMED), F(FIND_READINGS_DIFFER)},
	{"no field in a part header", MP "--XX\r\nContent-Type: text/plain\r\n>junk\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n--XX--\r\n",
	 2, 51, 1, F(FIND_READINGS_DIFFER) | F(FIND_BASE64_TEXT), 0},
	{"quoted encoding", MP "--XX\r\nContent-Transfer-Encoding: \"base64\"\r\n\r\nQUJDREVG\r\n--XX--\r\n",
	 1, 8, 1, F(FIND_READINGS_DIFFER), 0},
	{"boundary guessed", "Content-Type: multipart/mixed\r\n\r\n--G\r\n\r\nabc\r\n--G--\r\n",
	 1, 19, 1, F(FIND_READINGS_DIFFER), 0},
	/* a CR alone ends a line for Python's email and ripmime (RD_CR) */
	{"lone cr before a delimiter", MP "--XX\r\n\r\nA\rharmless\r--XX\r\nContent-Type: text/plain\r\n\r\nBBBBBB\r\n--XX--\r\n",
	 1, 51, 1, F(FIND_READINGS_DIFFER), 0},
	{"lone crs around a delimiter", MP "--XX\n\nA\r--XX\rContent-Type: text/plain\r\rBBBBBB\n--XX--\n",
	 1, 39, 1, F(FIND_READINGS_DIFFER), 0},
	{"lone cr in a part header", MP "--XX\r\nContent-Type: text/plain\rContent-Transfer-Encoding: base64\r\n\r\nQUJDREVG\r\n--XX--\r\n",
	 1, 8, 1, F(FIND_READINGS_DIFFER), 0},
	{"lone cr ends the header", "Subject: x\r\rbody\r\n", 1, 6, 0, F(FIND_READINGS_DIFFER), 0},
	/* fuzz-engine: a fork while a held line is replayed depended on the
	 * split; replays take the first reading's way */
	{"held dash line in a part header", "content-type: multipart/mixed; boundary=foobar\n\n--foobar\n"
	 "content-type: multipart/\r\n--b--\r\n\n", 1, 8, 1, F(FIND_READINGS_DIFFER), 0},
	/* fuzz-engine: a line "- x" held, then released at its second byte */
	{"one dash then text in a part header", "Content-Type: multipart/mixed; boundary=\"CB\"\n\n--CB\n"
	 "- eam; name=\"f.zip.001\"\n", 1, 24, 1, F(FIND_READINGS_DIFFER), 0},
	/* encoded files in text (uudeview): yEnc, a leaf of its own */
	{"yenc in text", "Subject: y\n\nhi\n=ybegin line=128 size=3 name=c.txt\nm\x8b\x9e\n=yend size=3\n",
	 2, 58, 0, F(FIND_YENC), 0},
	/* fuzz-engine: a held line replayed as content held a line again
	 * (after a lone CR) in the buffer it was replayed from */
	{"lone cr and a delimiter inside a held line", MP "--XX\r\n\r\nA\r\n--zz\r--XX\r\n\r\nB\r\n--XX--\r\n",
	 2, 8, 1, F(FIND_READINGS_DIFFER), 0},
	/* TNEF and S/MIME: not opened yet, never silently (a finding) */
	{"tnef is opaque", MP "--XX\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n"
	 "Content-Transfer-Encoding: base64\r\n\r\neJ8+IgAA\r\n--XX--\r\n", 1, 6, 1, F(FIND_OPAQUE), 0},
	/* ripmime writes the message's preamble out (RD_PREAMBLE): a leaf;
	 * an inner multipart's preamble it drops, as every reading does */
	{"preamble is a leaf", MP "raw bytes\r\n--XX\r\n\r\nA\r\n--XX--\r\n", 2, 10, 1, 0, ~0ull},
	{"inner preamble is none", MP "--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n"
	 "inner\r\n--YY\r\n\r\nA\r\n--YY--\r\n--XX--\r\n", 1, 1, 2, 0, ~0ull},
	{"cte conflict", "Content-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSGVsbG8=\r\n", 1, 10, 0, F(FIND_CTE_CONFLICT), 0},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void check_case(const struct mime_case *c, const struct record *r)
{
	cr_expect_eq(r->verdict, VERDICT_ACCEPT, "%s: verdict %s", c->name, tu_record_str(r));
	cr_expect_eq(r->raw, strlen(c->text), "%s: raw", c->name);
	cr_expect_eq(r->parts, c->parts, "%s: parts %llu, want %llu", c->name,
		     (unsigned long long) r->parts, (unsigned long long) c->parts);
	cr_expect_eq(r->decoded, c->decoded, "%s: decoded %llu, want %llu", c->name,
		     (unsigned long long) r->decoded, (unsigned long long) c->decoded);
	cr_expect_eq(r->mime_depth, c->mime_depth, "%s: mime_depth %u, want %u", c->name,
		     r->mime_depth, c->mime_depth);
	cr_expect_eq(r->findings & c->findings, c->findings, "%s: findings %s", c->name, tu_record_str(r));
	if (c->absent != ~0ull)
		cr_expect_eq(r->findings & c->absent, 0, "%s: unexpected findings %s", c->name, tu_record_str(r));
	cr_expect_eq(r->cost, r->raw + r->decoded + r->expanded + r->decoder_mem, "%s: cost", c->name);
}

Test(mime, table)
{
	for (size_t i = 0; i < NCASES; i++) {
		struct record r;

		tu_scan(0, (const uint8_t *) cases[i].text, strlen(cases[i].text), 0, 0, &r);
		check_case(&cases[i], &r);
	}
}

/* Which readings went apart, and which view the record shows. */
static const struct {
	const char *name;		/* a case of the table */
	const char *readings;		/* readings=... reading=... in the record */
} views[] = {
	{"junk after a delimiter: two readings", "readings=rfc+python,clamav+ripmime+reformime+munpack reading=rfc+python "},
	{"indented delimiter: ripmime alone", "readings=rfc+python+clamav+reformime+munpack,ripmime reading=rfc+python+clamav+reformime+munpack "},
	{"indented lines that are no delimiter", "readings=rfc+python+clamav+ripmime+reformime+munpack reading=rfc+python+clamav+ripmime+reformime+munpack "},
	{"junk and indent: three views", "readings=rfc+python,clamav+reformime+munpack,ripmime reading=rfc+python "},
	{"long indent before a delimiter", "readings=rfc+python+clamav+reformime+munpack,ripmime reading=rfc+python+clamav+reformime+munpack "},
	{"multipart", "readings=rfc+python+clamav+reformime+munpack,ripmime "},
	{"multipart, no epilogue", "readings=rfc+python+clamav+ripmime+reformime+munpack "},
	{"a part in the epilogue", "readings=rfc+python+clamav+reformime+munpack,ripmime reading=ripmime "},
	{"boundary twice", "readings=rfc+python+clamav+munpack,ripmime+reformime reading=ripmime+reformime "},
	{"backslash in a quoted boundary", "readings=rfc+munpack,python+clamav+ripmime+reformime reading=python+clamav+ripmime+reformime "},
	{"content-type and boundary twice", "readings=rfc+python+clamav,ripmime+reformime,munpack "},
	{"content-type twice", "readings=rfc+python+clamav,ripmime+reformime+munpack reading=rfc+python+clamav "},
	{"parts after the close delimiter", "readings=rfc+python+clamav+reformime+munpack,ripmime reading=ripmime "},
	{"empty boundary", "readings=rfc+python+clamav+ripmime+reformime+munpack "},
	{"no field in a part header", "readings=rfc+python+clamav+munpack,ripmime+reformime reading=rfc+python+clamav+munpack "},
	{"quoted encoding", "readings=rfc+python+clamav+munpack,ripmime+reformime reading=rfc+python+clamav+munpack "},
	{"boundary guessed", "readings=rfc+python+clamav+reformime,ripmime+munpack reading=rfc+python+clamav+reformime "},
	{"lone cr before a delimiter", "readings=rfc+clamav+reformime+munpack,python+ripmime reading=rfc+clamav+reformime+munpack "},
	{"lone crs around a delimiter", "readings=rfc+clamav+reformime+munpack,python+ripmime reading=rfc+clamav+reformime+munpack "},
	{"lone cr in a part header", "readings=rfc+clamav+reformime+munpack,python+ripmime reading=rfc+clamav+reformime+munpack "},
	{"lone cr ends the header", "readings=rfc+clamav+reformime+munpack,python+ripmime reading=python+ripmime "},
};

Test(mime, readings)
{
	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		size_t  i;
		struct record r;
		char    kv[RECORD_TEXT_MAX];

		for (i = 0; i < NCASES && strcmp(cases[i].name, views[v].name) != 0; i++)
			continue;
		cr_assert_lt(i, NCASES, "%s: no such case", views[v].name);
		tu_scan(0, (const uint8_t *) cases[i].text, strlen(cases[i].text), 0, 0, &r);
		record_kv(&r, kv, sizeof(kv));
		cr_expect(strstr(kv, views[v].readings) != 0, "%s: want %s in %s", views[v].name,
			  views[v].readings, kv);
	}
}

/*
 * A limit crossed in one reading only decides, whichever reading it is:
 * six indented delimiters make seven parts for ripmime's reading alone
 * (max_parts 3); a junk line between two halves of 600 KB makes one part
 * of 1.2 MB for RFC 2046 and Python alone (max_part_size 1 MB).
 */
Test(mime, a_limit_in_any_reading_decides)
{
	struct conf conf = *tu_conf(), *cf = &conf;
	static const char *who[] = {"reason=parts ", "reason=part_size "};
	static const char *reading[] = {"reading=ripmime ", "reading=rfc+python "};

	cf->max_parts = 3;
	cf->max_part_size = 1 << 20;
	for (size_t t = 0; t < 2; t++) {
		struct tu_buf b = {0};
		struct record r;
		char    kv[RECORD_TEXT_MAX];

		tu_puts(&b, MP "--XX\r\n\r\nA\r\n");
		for (int k = 0; t == 0 && k < 6; k++)
			tu_puts(&b, " --XX\r\n\r\npart\r\n");
		for (int k = 0; t == 1 && k < 600 << 10; k += 64)
			tu_puts(&b, "abcdefghijklm opqrstuvwxyzabcdefghijklm opqrstuvwxyzabcdefghijk\n");
		if (t == 1)
			tu_puts(&b, "--XX junk\r\n\r\n");
		for (int k = 0; t == 1 && k < 600 << 10; k += 64)
			tu_puts(&b, "abcdefghijklm opqrstuvwxyzabcdefghijklm opqrstuvwxyzabcdefghijk\n");
		tu_puts(&b, "--XX--\r\n");
		tu_scan(cf, b.p, b.len, 0, 0, &r);
		record_kv(&r, kv, sizeof(kv));
		cr_expect(strstr(kv, who[t]) != 0, "case %zu: want %s in %s", t, who[t], kv);
		cr_expect(strstr(kv, reading[t]) != 0, "case %zu: want %s in %s", t, reading[t], kv);
		for (unsigned seed = 1; seed <= 5; seed++) {
			struct record s;
			const char *why;

			tu_scan_random(cf, b.p, b.len, seed, 4093, &s);
			cr_expect(tu_record_eq(&r, &s, &why), "case %zu seed %u: %s differs", t, seed, why);
		}
		free(b.p);
	}
}

/* ambiguous_structure = reject: a message the readings part ways on is refused */
Test(mime, ambiguous_structure_reject)
{
	struct conf conf = *tu_conf();

	conf.ambiguous_structure = 1;
	for (size_t i = 0; i < NCASES; i++) {
		struct record r, d;

		tu_scan(0, (const uint8_t *) cases[i].text, strlen(cases[i].text), 0, 0, &d);
		tu_scan(&conf, (const uint8_t *) cases[i].text, strlen(cases[i].text), 0, 0, &r);
		if (d.findings & F(FIND_READINGS_DIFFER)) {
			cr_expect_eq(r.reason, REASON_AMBIGUOUS, "%s: %s", cases[i].name, tu_record_str(&r));
			cr_expect_eq(r.nviews, 1, "%s: no fork once refused", cases[i].name);
		} else {
			cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s: %s", cases[i].name, tu_record_str(&r));
		}
	}
}

/* A yEnc file's size= is declared: projected before any byte */
Test(mime, yenc_declared_size_projected)
{
	static const char text[] = "Subject: y\n\nhi\n=ybegin line=128 size=99999999999 name=x.bin\nm\n=yend\n";
	struct record r;

	tu_scan(0, (const uint8_t *) text, sizeof(text) - 1, 0, 0, &r);
	cr_expect_eq(r.reason, REASON_PART_SIZE, "%s", tu_record_str(&r));
	cr_expect_str_eq(r.where, "1/x.bin");
}

Test(mime, clean_cases_have_no_findings)
{
	for (size_t i = 0; i < NCASES; i++) {
		struct record r;

		if (cases[i].absent != ~0ull)
			continue;
		tu_scan(0, (const uint8_t *) cases[i].text, strlen(cases[i].text), 0, 0, &r);
		cr_expect_eq(r.findings, 0, "%s: %s", cases[i].name, tu_record_str(&r));
	}
}

static void expect_same(const char *name, const char *how, const struct record *a,
			        const struct record *b)
{
	const char *why;
	char    ka[RECORD_TEXT_MAX], kb[RECORD_TEXT_MAX];

	if (tu_record_eq(a, b, &why))
		return;
	record_kv(a, ka, sizeof(ka));		/* tu_record_str has one buffer */
	record_kv(b, kb, sizeof(kb));
	cr_expect_fail("%s: %s differs in %s:\n  whole %s\n  split %s", name, how, why, ka, kb);
}

Test(mime, split_bytewise_and_random)
{
	for (size_t i = 0; i < NCASES; i++) {
		const uint8_t *p = (const uint8_t *) cases[i].text;
		size_t  n = strlen(cases[i].text);
		struct record whole, r;

		tu_scan(0, p, n, 0, 0, &whole);
		tu_scan(0, p, n, 1, 0, &r);
		expect_same(cases[i].name, "byte by byte", &whole, &r);
		for (unsigned seed = 1; seed <= 20; seed++) {
			tu_scan_random(0, p, n, seed, 7, &r);
			expect_same(cases[i].name, "random", &whole, &r);
		}
	}
}

Test(mime, split_every_one_and_two_cuts, .timeout = 600)
{
	for (size_t i = 0; i < NCASES; i++) {
		const uint8_t *p = (const uint8_t *) cases[i].text;
		size_t  n = strlen(cases[i].text);
		struct record whole, r;
		size_t  cuts[2];
		int     bad = 0;

		tu_scan(0, p, n, 0, 0, &whole);
		for (cuts[0] = 1; cuts[0] < n && !bad; cuts[0]++) {
			const char *why;

			tu_scan_cuts(0, p, n, cuts, 1, &r);
			if (!tu_record_eq(&whole, &r, &why)) {
				cr_expect_fail("%s: cut at %zu differs in %s", cases[i].name, cuts[0], why);
				bad = 1;
			}
			for (cuts[1] = cuts[0] + 1; cuts[1] < n && !bad; cuts[1]++) {
				tu_scan_cuts(0, p, n, cuts, 2, &r);
				if (!tu_record_eq(&whole, &r, &why)) {
					cr_expect_fail("%s: cuts at %zu,%zu differ in %s", cases[i].name,
						       cuts[0], cuts[1], why);
					bad = 1;
				}
			}
		}
	}
}

Test(mime, milter_way_matches_raw_way)
{
	for (size_t i = 0; i < NCASES; i++) {
		const uint8_t *p = (const uint8_t *) cases[i].text;
		size_t  n = strlen(cases[i].text);
		struct record raw, mil;

		/* Messages whose header block is not plain "name: value" lines
		 * are rebuilt differently by an MTA; skip those. */
		if (strncmp(cases[i].text, "From ", 5) == 0 || cases[i].text[0] == '\r'
		    || strstr(cases[i].name, "header") || n == 0)
			continue;
		tu_scan(0, p, n, 0, 0, &raw);
		tu_scan_milter(0, p, n, 3, &mil);
		cr_expect_eq(raw.parts, mil.parts, "%s: parts", cases[i].name);
		cr_expect_eq(raw.decoded, mil.decoded, "%s: decoded %s vs %s", cases[i].name,
			     tu_record_str(&raw), tu_record_str(&mil));
		cr_expect_eq(raw.mime_depth, mil.mime_depth, "%s: depth", cases[i].name);
		cr_expect_eq(raw.verdict, mil.verdict, "%s: verdict", cases[i].name);
	}
}

Test(mime, where_names_the_part)
{
	struct tu_buf b = {0};
	struct conf conf = *tu_conf();
	struct record r;

	conf.max_part_size = 10;
	tu_puts(&b, MP "--XX\r\n\r\nshort\r\n--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n"
		"--YY\r\n\r\nx\r\n--YY\r\nContent-Disposition: attachment; filename=\"big file.txt\"\r\n\r\n"
		"0123456789abcdef\r\n--YY--\r\n--XX--\r\n");
	tu_scan(&conf, b.p, b.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_REJECT);
	cr_expect_eq(r.reason, REASON_PART_SIZE);
	cr_expect_str_eq(r.where, "2.2/big_file.txt");
	free(b.p);
}

Test(mime, rfc822_numbering)
{
	struct conf conf = *tu_conf();
	struct record r;
	const char *t = MP "--XX\r\n\r\na\r\n--XX\r\nContent-Type: message/rfc822\r\n\r\n"
		"Content-Type: multipart/mixed; boundary=ZZ\r\n\r\n--ZZ\r\n\r\nx\r\n--ZZ\r\n"
		"Content-Type: application/octet-stream; name=b.bin\r\n\r\n0123456789abcdef\r\n--ZZ--\r\n--XX--\r\n";

	conf.max_part_size = 10;
	tu_scan(&conf, (const uint8_t *) t, strlen(t), 0, 0, &r);
	cr_expect_eq(r.reason, REASON_PART_SIZE, "%s", tu_record_str(&r));
	cr_expect_str_eq(r.where, "2.2/b.bin");
}

Test(mime, limit_inside_base64_forwarded_message)
{
	struct tu_buf inner = {0}, outer = {0};
	struct conf conf = *tu_conf();
	static uint8_t data[5000];
	struct record r;

	memset(data, 'A', sizeof(data));
	tu_message_attach(&inner, "application/octet-stream", "big.bin", "base64", data, sizeof(data));
	tu_puts(&outer, "Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\n\r\nsee below\r\n--O\r\n"
		"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	tu_put_base64(&outer, inner.p, inner.len, "\r\n");
	tu_puts(&outer, "--O--\r\n");
	tu_scan(0, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	/* see below, the decoded message, its text, big.bin */
	cr_expect_eq(r.parts, 4, "%s", tu_record_str(&r));
	cr_expect_eq(r.mime_depth, 3, "%s", tu_record_str(&r));
	conf.max_parts = 3;
	tu_scan(&conf, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.reason, REASON_PARTS, "%s", tu_record_str(&r));
	cr_expect_str_eq(r.where, "2.2/big.bin");
	conf.max_parts = 1000;
	conf.max_part_size = 4000;
	tu_scan(&conf, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.reason, REASON_PART_SIZE, "%s", tu_record_str(&r));
	cr_expect_str_eq(r.where, "2", "the decoded message itself is the largest part");
	free(inner.p);
	free(outer.p);
}

/*
 * forwarded - a message whose second part is a forwarded message sent
 * base64: a multipart with the boundary parameters params, "--X" text,
 * the line sep, a base64 part big.bin (5000 bytes), then close.
 */
static void forwarded(struct tu_buf *outer, const char *params, const char *sep,
		              const char *close)
{
	struct tu_buf inner = {0};
	static uint8_t data[5000];

	memset(data, 'A', sizeof(data));
	tu_printf(&inner, "Subject: inner\r\nContent-Type: multipart/mixed; %s\r\n\r\n"
		  "--X\r\n\r\nhello\r\n%s\r\n"
		  "Content-Type: application/octet-stream; name=big.bin\r\n"
		  "Content-Transfer-Encoding: base64\r\n\r\n", params, sep);
	tu_put_base64(&inner, data, sizeof(data), "\r\n");
	tu_puts(&inner, close);
	tu_puts(outer, "Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\n\r\nsee below\r\n--O\r\n"
		"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	tu_put_base64(outer, inner.p, inner.len, "\r\n");
	tu_puts(outer, "--O--\r\n");
	free(inner.p);
}

/*
 * A forwarded message sent base64 is parsed by ClamAV and ripmime
 * (reading.h, RD_NESTED), as they read it: "--X junk" is a delimiter for
 * both (RD_JUNK), not for RFC 2046, and the part behind it counts.
 */
Test(mime, forwarded_message_read_by_its_parsers)
{
	struct tu_buf outer = {0};
	struct conf conf = *tu_conf();
	struct record r;

	forwarded(&outer, "boundary=X", "--X junk", "--X--\r\n");
	tu_scan(0, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.parts, 4, "see below, the message, hello, big.bin: %s", tu_record_str(&r));
	conf.max_parts = 3;
	tu_scan(&conf, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.reason, REASON_PARTS, "%s", tu_record_str(&r));
	cr_expect_str_eq(r.where, "2.2/big.bin", "%s", tu_record_str(&r));
	free(outer.p);
}

/*
 * Where ClamAV and ripmime part ways inside a forwarded message sent
 * base64, its parser forks inside the leaf: a boundary given twice is X
 * for ClamAV (the first) and Y for ripmime (the last), and big.bin is a
 * part only for ripmime.  Both ways count: five parts (see below, the
 * message, ClamAV's text part; ripmime's big.bin, and "--X--" after
 * ripmime's close delimiter, an entity for it: RD_EPILOGUE), and
 * ClamAV's text part holds big.bin's header group and base64, which
 * uudeview and ripmime decode from text (b64text.c): six, for any split:
 * the parsers are fed the decoded message in whole blocks.
 */
Test(mime, forwarded_message_forks_where_its_parsers_differ)
{
	struct tu_buf outer = {0};
	struct conf conf = *tu_conf();
	struct record r, s;

	forwarded(&outer, "boundary=X; boundary=Y", "--Y", "--Y--\r\n--X--\r\n");
	tu_scan(0, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.parts, 6, "%s", tu_record_str(&r));
	cr_expect((r.findings >> FIND_READINGS_DIFFER) & 1, "%s", tu_record_str(&r));
	conf.max_parts = 3;
	tu_scan(&conf, outer.p, outer.len, 0, 0, &r);
	cr_expect_eq(r.reason, REASON_PARTS, "%s", tu_record_str(&r));
	cr_expect_str_eq(r.where, "2.1/big.bin", "%s", tu_record_str(&r));
	for (size_t chunk = 1; chunk < 70; chunk += 7) {
		const char *why = 0;

		tu_scan(&conf, outer.p, outer.len, chunk, 0, &s);
		cr_expect(tu_record_eq(&r, &s, &why), "chunk %zu: %s: %s", chunk, why,
			  tu_record_str(&s));
	}
	free(outer.p);
}

/*
 * A Content-Type longer than the 8 KiB kept of a field (Python's email
 * reads any length): the value is compacted (mimehdr_compact: the type,
 * boundary, name, filename; others dropped), so the boundary after 9 KB
 * of other parameters, or after a 9 KB comment (nested, with escaped
 * parentheses in it), still parses, at every split; one kept parameter
 * too long to keep is still cut (header_truncated).
 */
Test(mime, content_type_longer_than_kept)
{
	static const char *const pads[] = {"x=\"%s\"; ", "x=%s; ", "x=\"%s\";\r\n ",
	"(%s) ", "(a (b \\) c) %s)\r\n ", "x=1; (%s (\\() ) "};

	for (size_t k = 0; k < sizeof(pads) / sizeof(pads[0]); k++) {
		struct tu_buf b = {0}, pad = {0};
		struct record r, s;

		for (int i = 0; i < 9000; i++)
			tu_puts(&pad, "a");
		tu_puts(&pad, "");
		tu_puts(&b, "Content-Type: multipart/mixed; ");
		tu_printf(&b, pads[k], pad.p);
		tu_puts(&b, "boundary=\"BB\"\r\n\r\n--BB\r\n\r\none\r\n--BB\r\n\r\ntwo\r\n--BB--\r\n");
		tu_scan(0, b.p, b.len, 0, 0, &r);
		cr_expect_eq(r.parts, 2, "%zu: %s", k, tu_record_str(&r));
		cr_expect(!((r.findings >> FIND_HEADER_TRUNCATED) & 1), "%zu: %s", k, tu_record_str(&r));
		for (size_t chunk = 1; chunk < 600; chunk = chunk * 3 + 1) {
			const char *why = 0;

			tu_scan(0, b.p, b.len, chunk, 0, &s);
			cr_expect(tu_record_eq(&r, &s, &why), "%zu chunk %zu: %s: %s", k, chunk, why,
				  tu_record_str(&s));
		}
		free(b.p);
		free(pad.p);
	}
	{
		struct tu_buf b = {0};
		struct record r;

		tu_puts(&b, "Content-Type: application/octet-stream; name=\"");
		for (int i = 0; i < 20000; i++)
			tu_puts(&b, "n");
		tu_puts(&b, "\"\r\n\r\nbody\r\n");
		tu_scan(0, b.p, b.len, 0, 0, &r);
		cr_expect((r.findings >> FIND_HEADER_TRUNCATED) & 1, "%s", tu_record_str(&r));
		free(b.p);
	}
}
