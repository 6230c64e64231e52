/*
 * test_formats - the format table: one table of archive cases, each run
 * through the engine as an attachment found by content, by its declared
 * type and by its name, and through its walker directly, whole, split
 * and under allocation failure.  Every case must be seen through
 * (expanded is what it holds): a format claimed by the wrong walker, as
 * zip's old match once took application/x-bzip2 for holding "zip", shows
 * here as expanded=0.
 */

#include <criterion/criterion.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "bombs.h"
#include "codec.h"
#include "formats.h"
#include "testutil.h"

#define PAYLOAD_LEN	100000

/* A payload that compresses as text does. */
static void payload(struct tu_buf *b)
{
	bomb_text(b, PAYLOAD_LEN, 11);
}

/* Builders: the archive holding the payload; *inner is what its one
 * member holds beyond the payload (a tar's own length, for tar.bz2). */

static void b_zip(struct tu_buf *out, const struct tu_buf *p, int disguise)
{
	struct bomb_zip z = {0};

	(void) disguise;
	bz_file(&z, "a.txt", p->p, p->len, 8, 0);
	bz_close(&z, 0);
	tu_put(out, z.b.p, z.b.len);
	bz_free(&z);
}

static void b_gzip(struct tu_buf *out, const struct tu_buf *p, int disguise)
{
	struct tu_buf d = {0};

	(void) disguise;
	bomb_deflate(&d, p->p, p->len);
	bomb_gzip_member(out, &d, crc32(0, p->p, (uInt) p->len), p->len, "a.txt", 0);
	free(d.p);
}

static void b_tar(struct tu_buf *out, const struct tu_buf *p, int disguise)
{
	(void) disguise;
	bomb_tar_file(out, "a.txt", p->p, p->len);
	bomb_tar_end(out);
}

/* One stream of the codec's kind (a CODEC_* of codec.h) at a level. */
static void b_codec(struct tu_buf *out, const struct tu_buf *p, int kind, int level)
{
	bomb_codec(out, kind, level, p->p, p->len);
}

/* LZMA-alone has no signature to look for behind junk: disguised, it is
 * written with lc=0 (properties byte 0x5a), which the content probe does
 * not take and liblzma decodes as any other. */
static void b_lzma(struct tu_buf *out, const struct tu_buf *p, int disguise)
{
	lzma_options_lzma opt;
	lzma_stream ls = LZMA_STREAM_INIT;
	size_t  cap = p->len + 4096;
	uint8_t *tmp = malloc(cap);

	cr_assert(tmp && lzma_lzma_preset(&opt, 6) == 0);
	if (disguise)
		opt.lc = 0;
	cr_assert_eq(lzma_alone_encoder(&ls, &opt), LZMA_OK);
	ls.next_in = p->p, ls.avail_in = p->len;
	ls.next_out = tmp, ls.avail_out = cap;
	cr_assert_eq(lzma_code(&ls, LZMA_FINISH), LZMA_STREAM_END);
	tu_put(out, tmp, cap - ls.avail_out);
	lzma_end(&ls);
	free(tmp);
}

/* The payload in a tar (or, zip_inside, a zip), compressed by a codec. */
static void b_codec_of(struct tu_buf *out, const struct tu_buf *p, int kind, int level,
		               int zip_inside)
{
	struct tu_buf t = {0};

	if (zip_inside)
		b_zip(&t, p, 0);
	else
		b_tar(&t, p, 0);
	bomb_codec(out, kind, level, t.p, t.len);
	free(t.p);
}

struct fcase {
	const char *what;
	const char *format;		/* the row that must claim it */
	void    (*build) (struct tu_buf *, const struct tu_buf *, int disguise);
	int	kind, level;		/* build NULL: a codec's stream of ... */
	const char *ctype;		/* declared type (NULL: none claims) */
	const char *fname;		/* a name that claims it (NULL: none) */
	int	junk;			/* disguised by junk in front (else by build) */
	int	nested;			/* its member is a container holding the payload:
					 * 1 a tar, 2 a zip */
};

static const struct fcase cases[] = {
	{"zip", "zip", b_zip, 0, 0, "application/zip", "a.zip", 1, 0},
	{"gzip", "gzip", b_gzip, 0, 0, "application/gzip", "a.txt.gz", 1, 0},
	{"tar", "tar", b_tar, 0, 0, 0, 0, 0, 0},
	{"bzip2", "bzip2", 0, CODEC_BZIP2, 9, "application/x-bzip2", "a.txt.bz2", 1, 0},
	{"xz", "xz", 0, CODEC_XZ, 6, "application/x-xz", "a.txt.xz", 1, 0},
	{"zstd", "zstd", 0, CODEC_ZSTD, 3, "application/zstd", "a.txt.zst", 1, 0},
	{"lzma", "lzma", b_lzma, 0, 0, "application/x-lzma", "a.txt.lzma", 0, 0},
	{"tar.bz2", "bzip2", 0, CODEC_BZIP2, 9, "application/x-bzip2", "a.tar.bz2", 1, 1},
	{"tar.xz", "xz", 0, CODEC_XZ, 6, "application/x-xz", "a.tar.xz", 1, 1},
	{"tar.zst", "zstd", 0, CODEC_ZSTD, 19, "application/zstd", "a.tar.zst", 1, 1},
	{"xz of a zip", "xz", 0, CODEC_XZ, 6, "application/x-xz", "a.zip.xz", 1, 2},
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

/* What a case's archive holds, as expanded: the payload, and for a
 * nested case the container in between. */
static uint64_t expect_expanded(const struct fcase *c, const struct tu_buf *p)
{
	struct tu_buf t = {0};
	uint64_t n = p->len;

	if (c->nested) {
		if (c->nested == 1)
			b_tar(&t, p, 0);
		else
			b_zip(&t, p, 0);
		n += t.len;
		free(t.p);
	}
	return (n);
}

/* build - the case's archive, plain or disguised */
static void build(const struct fcase *c, struct tu_buf *out, const struct tu_buf *p,
		          int disguise)
{
	if (disguise && c->junk) {
		/* Past the sniffing window: not at the start, not in the
		 * window, so no magic and no probe can see it. */
		for (int i = 0; i < 5000; i++)
			tu_put(out, "junk ", 5);
	}
	if (c->build)
		c->build(out, p, disguise);
	else if (c->nested)
		b_codec_of(out, p, c->kind, c->level, c->nested == 2);
	else
		b_codec(out, p, c->kind, c->level);
}

static void scan_expect(const struct fcase *c, const char *how, const char *ctype,
			        const char *fname, const struct tu_buf *a, uint64_t want)
{
	struct record r;

	bomb_scan(0, ctype, fname, "base64", a->p, a->len, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s %s: %s", c->what, how, tu_record_str(&r));
	cr_expect_eq(r.expanded, want, "%s %s: expanded %llu, want %llu: %s", c->what, how,
		     (unsigned long long) r.expanded, (unsigned long long) want,
		     tu_record_str(&r));
	cr_expect_geq(r.archive_depth, c->nested ? 2u : 1u, "%s %s: %s", c->what, how,
		      tu_record_str(&r));
}

Test(formats, every_case_found_by_content)
{
	struct tu_buf p = {0};

	payload(&p);
	for (size_t i = 0; i < NCASES; i++) {
		struct tu_buf a = {0};
		const struct format *f;
		int     how;

		build(&cases[i], &a, &p, 0);
		f = format_claim(a.p, a.len < 4096 ? a.len : 4096, "", 0, 0, &how);
		cr_expect(f && strcmp(f->name, cases[i].format) == 0, "%s: claimed by %s",
			  cases[i].what, f ? f->name : "nobody");
		scan_expect(&cases[i], "by content", "application/octet-stream", 0, &a,
			    expect_expanded(&cases[i], &p));
		free(a.p);
	}
	free(p.p);
}

/* Each case disguised (junk in front, or no probe's bytes), found by its
 * declared type or else by its name alone. */
static void every_case_disguised(int by_name)
{
	struct tu_buf p = {0};

	payload(&p);
	for (size_t i = 0; i < NCASES; i++) {
		const struct fcase *c = &cases[i];
		struct tu_buf a = {0};

		if ((by_name ? c->fname : c->ctype) == 0)
			continue;
		build(c, &a, &p, 1);
		scan_expect(c, by_name ? "by name" : "by declared type",
			    by_name ? "application/octet-stream" : c->ctype,
			    by_name ? c->fname : 0, &a, expect_expanded(c, &p));
		free(a.p);
	}
	free(p.p);
}

Test(formats, every_case_found_by_declared_type)
{
	every_case_disguised(0);
}

Test(formats, every_case_found_by_name)
{
	every_case_disguised(1);
}

Test(formats, every_walker_fed_directly_in_any_split)
{
	struct tu_buf p = {0};

	bomb_text(&p, 20000, 5);
	for (size_t i = 0; i < NCASES; i++) {
		struct tu_buf a = {0};
		const struct format *f = format_find(cases[i].format);
		struct record r;
		const char *why;

		cr_assert_not_null(f, "%s", cases[i].format);
		build(&cases[i], &a, &p, 0);
		bomb_walk(f->walker, 0, a.p, a.len, 0, 0, &r);
		cr_expect_eq(r.expanded, expect_expanded(&cases[i], &p), "%s: %s",
			     cases[i].what, tu_record_str(&r));
		why = bomb_walk_split_diff(f->walker, 0, a.p, a.len, 4, 0);
		cr_expect_null(why, "%s: %s", cases[i].what, why);
		free(a.p);
	}
	free(p.p);
}

Test(formats, every_case_split_invariant_as_an_attachment)
{
	struct tu_buf p = {0};

	bomb_text(&p, 20000, 5);
	for (size_t i = 0; i < NCASES; i++) {
		struct tu_buf a = {0};
		const char *why;

		build(&cases[i], &a, &p, 0);
		why = bomb_split_diff_attached("application/octet-stream", 0, &a, 2);
		cr_expect_null(why, "%s: %s", cases[i].what, why);
		free(a.p);
	}
	free(p.p);
}

Test(formats, every_case_survives_allocation_failure)
{
	struct tu_buf p = {0};

	bomb_text(&p, 20000, 5);
	for (size_t i = 0; i < NCASES; i++) {
		struct tu_buf a = {0}, m = {0};
		struct record r;
		unsigned long n;

		build(&cases[i], &a, &p, 0);
		tu_message_attach(&m, "application/octet-stream", 0, "base64", a.p, a.len);
		n = tu_scan(0, m.p, m.len, 3000, 0, &r);
		cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s: %s", cases[i].what, tu_record_str(&r));
		for (unsigned long fail = 1; fail <= n; fail++) {
			tu_scan(0, m.p, m.len, 3000, fail, &r);
			cr_expect(r.verdict == VERDICT_TEMPFAIL || r.verdict == VERDICT_ACCEPT,
				  "%s: fail_at %lu: %s", cases[i].what, fail, tu_record_str(&r));
		}
		free(m.p);
		free(a.p);
	}
	free(p.p);
}

/* The claims themselves, by the table's data. */
Test(formats, claims_by_type_are_exact)
{
	static const uint8_t junk[64] = "nothing a format knows, nothing at all ....";
	const struct format *f;
	int     how;

	f = format_claim(junk, sizeof(junk), "", "application/x-bzip2", 0, &how);
	cr_expect(f && strcmp(f->name, "bzip2") == 0 && how == FORMAT_BY_DECLARED);
	f = format_claim(junk, sizeof(junk), "", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 0, &how);
	cr_expect(f && strcmp(f->name, "zip") == 0);
	f = format_claim(junk, sizeof(junk), "", "application/vnd.etsi.asic-e+zip", 0, &how);
	cr_expect(f && strcmp(f->name, "zip") == 0, "a +zip suffix is zip");
	f = format_claim(junk, sizeof(junk), "", "application/x-gzip", 0, &how);
	cr_expect(f && strcmp(f->name, "gzip") == 0);
	f = format_claim(junk, sizeof(junk), "", "Application/ZIP", 0, &how);
	cr_expect(f && strcmp(f->name, "zip") == 0, "types compare without case");
	f = format_claim(junk, sizeof(junk), "", "application/x-zipper", 0, &how);
	cr_expect(f == 0 || how == FORMAT_BY_HUNT, "a type holding \"zip\" is not zip's");
	cr_expect_str_eq(format_by_name("LOGS.TAR.XZ", 11)->name, "xz");
	cr_expect_str_eq(format_by_name("x.docx", 6)->name, "zip");
	cr_expect_null(format_by_name("x.txt", 5));
	f = format_claim(junk, sizeof(junk), "", 0, format_by_name("a.zst", 5), &how);
	cr_expect(f && strcmp(f->name, "zstd") == 0 && how == FORMAT_BY_NAME);
	f = format_claim(junk, sizeof(junk), "", 0, 0, &how);
	cr_expect(f && f->embedded && how == FORMAT_BY_HUNT, "nobody: the hunter");
}

/*
 * A message that mail parsers read two ways (two Content-Type fields)
 * holding an xz -9 attachment: each view decodes it, with its own 65 MiB
 * dictionary, and neither is refused one because the other holds it.
 */
Test(formats, xz9_in_every_view)
{
	struct tu_buf p = {0}, x = {0}, m = {0};
	struct record r;

	bomb_random((p.p = malloc(1 << 20), p.len = p.cap = 1 << 20, p.p), 1 << 20, 3);
	bomb_codec(&x, CODEC_XZ, 9, p.p, p.len);
	tu_puts(&m, "From: a@example.org\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=AAA\r\n"
		"Content-Type: multipart/mixed; boundary=BBB\r\n\r\n"
		"--AAA\r\n--BBB\r\nContent-Type: application/x-xz; name=x.xz\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n");
	tu_put_base64(&m, x.p, x.len, "\r\n");
	tu_puts(&m, "--BBB--\r\n--AAA--\r\n");
	tu_scan(0, m.p, m.len, 0, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_gt(r.nviews, 1, "%s", tu_record_str(&r));
	cr_expect_eq(r.findings >> FIND_UNVERIFIED & 1, 0, "%s", tu_record_str(&r));
	cr_expect_gt(r.decoder_mem, 60u << 20, "%s", tu_record_str(&r));
	free(p.p);
	free(x.p);
	free(m.p);
}

/* --- bombs of the new codecs, built here -------------------------------- */

static struct record scan_attached(const struct tu_buf *a, const char *ctype, const char *name)
{
	struct record r;

	bomb_scan(0, ctype, name, "base64", a->p, a->len, 0, &r);
	return (r);
}

static void expect_refused(const struct record *r, enum reason why, const char *what)
{
	cr_expect_eq(r->verdict, VERDICT_REJECT, "%s: %s", what, tu_record_str(r));
	cr_expect_eq(r->reason, why, "%s: want %s: %s", what, reason_name(why), tu_record_str(r));
	cr_expect_leq(r->inflated, 2u << 20, "%s: bounded work: %s", what, tu_record_str(r));
}

/* Every codec: a gigabyte of zeros, as one attachment and nested. */
Test(formats, codec_bombs_refused_by_ratio)
{
	static const int kinds[] = {CODEC_BZIP2, CODEC_XZ, CODEC_LZMA_ALONE, CODEC_ZSTD};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct tu_buf b = {0}, bb = {0};
		struct record r;

		bomb_codec_zeros(&b, kinds[i], kinds[i] == CODEC_BZIP2 ? 9 : 3, 1ull << 30);
		r = scan_attached(&b, "application/octet-stream", 0);
		expect_refused(&r, REASON_RATIO, codec_kind_name(kinds[i]));
		/* the same bomb inside one more layer of the same codec */
		bomb_codec(&bb, kinds[i], 6, b.p, b.len);
		r = scan_attached(&bb, "application/octet-stream", 0);
		expect_refused(&r, REASON_RATIO, "nested");
		cr_expect_geq(r.archive_depth, 2, "%s: %s", codec_kind_name(kinds[i]),
			      tu_record_str(&r));
		free(b.p);
		free(bb.p);
	}
}

/* zip members of methods 12, 14, 95 and 93 whose headers understate the
 * size: the stream is decoded and judged on what it makes. */
Test(formats, zip_members_of_every_codec_lying_refused)
{
	static const struct {
		uint16_t method;
		int	kind;
	} m[] = {{12, CODEC_BZIP2}, {95, CODEC_XZ}, {93, CODEC_ZSTD}};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct bomb_zip z = {0};
		struct tu_buf d = {0};
		struct record r;

		bomb_codec_zeros(&d, m[i].kind, 3, 200u << 20);
		bz_lfh(&z, "zeros.txt", m[i].method, 0, 0, d.len, 1000, 0);
		tu_put(&z.b, d.p, d.len);
		bz_close(&z, 0);
		r = scan_attached(&z.b, "application/zip", "a.zip");
		expect_refused(&r, REASON_RATIO, "lying member");
		cr_expect(r.findings >> FIND_ARCHIVE_SIZE_LIE & 1, "method %u: %s", m[i].method,
			  tu_record_str(&r));
		bz_free(&z);
		free(d.p);
	}
}

/* xz in a zip in a tar.bz2: every layer seen through, the bomb refused. */
Test(formats, xz_in_zip_in_tar_bz2)
{
	struct tu_buf x = {0}, t = {0}, b = {0};
	struct bomb_zip z = {0};
	struct record r;

	bomb_codec_zeros(&x, CODEC_XZ, 3, 1ull << 30);
	bz_file(&z, "inner.xz", x.p, x.len, 0, 0);
	bz_close(&z, 0);
	bomb_tar_file(&t, "a.zip", z.b.p, z.b.len);
	bomb_tar_end(&t);
	bomb_codec(&b, CODEC_BZIP2, 9, t.p, t.len);
	r = scan_attached(&b, "application/x-bzip2", "a.tar.bz2");
	expect_refused(&r, REASON_RATIO, "xz in zip in tar.bz2");
	cr_expect_geq(r.archive_depth, 4, "%s", tu_record_str(&r));
	free(x.p);
	free(t.p);
	free(b.p);
	bz_free(&z);
}

/*
 * A tiny stream that declares a huge dictionary or window costs a filter
 * that much before any output: decoder_mem, message_cost, and defuse
 * decodes nothing (unverified).  xz: the LZMA2 dictionary byte of the
 * block header set to 40 (4 GiB - 1), its CRC32 made right; zstd: the
 * frame's window descriptor set to 2 GiB.  The cost is crossed by the
 * declaration itself, before anything is decoded.
 */
Test(formats, huge_declared_window_refused_without_decoding)
{
	struct tu_buf p = {0}, x = {0}, s = {0};
	struct record r;
	size_t  hs, i;

	bomb_text(&p, 50000, 9);
	bomb_codec(&x, CODEC_XZ, 1, p.p, p.len);
	hs = (size_t) (x.p[12] + 1) * 4;
	for (i = 14; i + 3 < 12 + hs && !(x.p[i] == 0x21 && x.p[i + 1] == 1); i++)
		;
	cr_assert(i + 3 < 12 + hs, "LZMA2 filter flags in the block header");
	x.p[i + 2] = 40;
	{
		uint32_t crc = (uint32_t) crc32(0, x.p + 12, (uInt) (hs - 4));

		for (int k = 0; k < 4; k++)
			x.p[12 + hs - 4 + k] = (uint8_t) (crc >> (8 * k));
	}
	r = scan_attached(&x, "application/octet-stream", 0);
	expect_refused(&r, REASON_MESSAGE_COST, "xz declaring 4 GiB");
	cr_expect_gt(r.decoder_mem, 1ull << 31, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 0, "%s", tu_record_str(&r));

	/* zstd: magic, frame header descriptor, window descriptor */
	{
		ZSTD_CCtx *cc = ZSTD_createCCtx();
		size_t  n;

		s.cap = ZSTD_compressBound(p.len);
		s.p = malloc(s.cap);
		ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
		ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 0);
		n = ZSTD_compress2(cc, s.p, s.cap, p.p, p.len);
		cr_assert(!ZSTD_isError(n));
		s.len = n;
		ZSTD_freeCCtx(cc);
	}
	cr_assert_eq(s.p[4] & 0x20, 0, "a window descriptor, not a single segment");
	s.p[5] = (31 - 10) << 3;
	r = scan_attached(&s, "application/octet-stream", 0);
	expect_refused(&r, REASON_MESSAGE_COST, "zstd declaring 2 GiB");
	cr_expect_geq(r.decoder_mem, 1ull << 31, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 0, "%s", tu_record_str(&r));

	/* With room for it in the cost, the window is still more than
	 * defuse's decoders may hold: not decoded, unverified, projected at
	 * its worst (the ceiling): refused for its size all the same. */
	{
		struct conf c = *tu_conf();
		char    err[128];

		cr_assert_eq(conf_set(&c, "max_message_cost", "100G", err, sizeof(err)), 0);
		bomb_scan(&c, "application/octet-stream", 0, "base64", s.p, s.len, 0, &r);
		cr_expect(r.findings >> FIND_UNVERIFIED & 1, "%s", tu_record_str(&r));
		cr_expect_eq(r.inflated, 0, "%s", tu_record_str(&r));
		cr_expect_eq(r.reason, REASON_PART_SIZE, "%s", tu_record_str(&r));
	}
	free(p.p);
	free(x.p);
	free(s.p);
}

/* --- ordinary files of every preset and level ------------------------------ */

/*
 * Every xz preset 0 to 9 (dictionaries 256 KiB to 64 MiB, kept in the
 * header by the stream encoder as xz(1) writes it), every zstd level 1
 * to 19 and every bzip2 block size 1 to 9 is decoded and, with default
 * limits, accepted: the payload comes out whole, nothing is left
 * unverified, and the declared decoder memory is in the record.
 */
Test(formats, every_preset_and_level_decoded)
{
	static const struct {
		int	kind, lo, hi;
		const char *ctype, *name;
	} codecs[] = {
		{CODEC_XZ, 0, 9, "application/x-xz", "a.txt.xz"},
		{CODEC_ZSTD, 1, 19, "application/zstd", "a.txt.zst"},
		{CODEC_BZIP2, 1, 9, "application/x-bzip2", "a.txt.bz2"},
	};
	struct tu_buf p = {0};

	bomb_text(&p, 256 << 10, 5);
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		for (int level = codecs[i].lo; level <= codecs[i].hi; level++) {
			struct tu_buf a = {0};
			struct record r;

			bomb_codec(&a, codecs[i].kind, level, p.p, p.len);
			r = scan_attached(&a, codecs[i].ctype, codecs[i].name);
			cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s level %d: %s", codecs[i].name,
				     level, tu_record_str(&r));
			cr_expect_eq(r.expanded, p.len, "%s level %d: %s", codecs[i].name, level,
				     tu_record_str(&r));
			cr_expect_eq(r.findings >> FIND_UNVERIFIED & 1, 0, "%s level %d: %s",
				     codecs[i].name, level, tu_record_str(&r));
			cr_expect_gt(r.decoder_mem, 0, "%s level %d: %s", codecs[i].name, level,
				     tu_record_str(&r));
			if (codecs[i].kind == CODEC_XZ && level >= 8)
				cr_expect_geq(r.decoder_mem, 32u << 20, "%s level %d: %s",
					      codecs[i].name, level, tu_record_str(&r));
			free(a.p);
		}
	free(p.p);
}
