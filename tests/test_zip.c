/*
 * test_zip - the zip walker, through the whole engine: every archive
 * is built here (bombs.c) and sent as an attachment.
 *
 * Bombs: 42.zip-style nesting, full and quoted overlapping entries
 * (Fifield), a Zip64 overlap, a data-descriptor bomb, headers that
 * understate sizes, an office document whose XML expands hugely, a
 * bomb disguised as text/plain without a name in quoted-printable, a
 * bomb in a forwarded message.  Each is rejected for the right reason
 * with inflated <= max_message_cost.
 *
 * False-positive traps, all accepted: zips of text, docx/xlsx-like and
 * jar-like zips, already-compressed content, a small member with a
 * very high ratio, a zip in a zip, data descriptors of every shape,
 * prefixed archives, comments.
 *
 * Properties: split invariance, allocation failures, bounded memory per
 * nesting level, the entries limit, the encrypted policy.
 *
 * Readings ("reading_" tests): archives whose local headers hide what
 * the central directory makes unzip, 7z, bsdtar or Python's zipfile
 * extract; ZIP_DUMP_DIR=dir writes them out for those tools.
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "bombs.h"
#include "filetype.h"
#include "testutil.h"
#include "zip.h"

static struct record scan(const struct conf *conf, const struct tu_buf *zip)
{
	struct record r;

	bomb_scan(conf, "application/zip", "a.zip", "base64", zip->p, zip->len, 65536, &r);
	return (r);
}

static const char *split_diff(const struct tu_buf *zip, unsigned nseeds)
{
	return (bomb_split_diff_attached("application/zip", "a.zip", zip, nseeds));
}

static struct conf conf_with(const char *key, const char *value)
{
	struct conf c = *tu_conf();
	char    err[256];

	cr_assert_eq(conf_set(&c, key, value, err, sizeof(err)), 0, "%s", err);
	return (c);
}

static void set(struct conf *c, const char *key, const char *value)
{
	char    err[256];

	cr_assert_eq(conf_set(c, key, value, err, sizeof(err)), 0, "%s", err);
}

static void expect_accept(const struct record *r, const char *what)
{
	cr_expect_eq(r->verdict, VERDICT_ACCEPT, "%s: %s", what, tu_record_str(r));
}

static void expect_bomb(const struct conf *conf, const struct record *r,
		                enum reason reason, const char *what)
{
	if (conf == 0)
		conf = tu_conf();
	cr_expect_eq(r->verdict, VERDICT_REJECT, "%s: %s", what, tu_record_str(r));
	cr_expect_eq(r->reason, reason, "%s: want %s: %s", what, reason_name(reason),
		     tu_record_str(r));
	cr_expect_leq(r->inflated, conf->max_message_cost, "%s: %s", what, tu_record_str(r));
}

static int has(const struct record *r, enum finding f)
{
	return ((r->findings >> f & 1) != 0);
}

/* A data-descriptor bomb: local headers say 0, the data inflates to n. */

static void dd_bomb(struct tu_buf *out, uint64_t n)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};

	bomb_deflate_repeat(&d, 0, 0, n);
	bz_deflated(&z, "zeros.bin", &d, n, n, 1);
	bz_close(&z, 0);
	tu_put(out, z.b.p, z.b.len);
	bz_free(&z);
	free(d.p);
}

/* --- false-positive traps ------------------------------------------------ */

Test(zip, ordinary_text_accepted)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	struct record r;

	bomb_text(&t, 300000, 1);
	bz_file(&z, "notes.txt", t.p, t.len, 8, 0);
	bz_file(&z, "readme.txt", t.p, 5000, 0, 0);
	bz_file(&z, "dir/", (const uint8_t *) "", 0, 0, 0);
	bz_file(&z, "dir/more.txt", t.p + 1000, 120000, 8, 0);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "text zip");
	cr_expect_eq(r.expanded, 300000 + 5000 + 120000, "%s", tu_record_str(&r));
	cr_expect_eq(r.archive_depth, 1);
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));
	bz_free(&z);
	free(t.p);
}

static void office_like(struct bomb_zip *z, const char *main, uint32_t seed)
{
	struct tu_buf t = {0}, x = {0};
	static const char types[] =
		"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats."
		"org/package/2006/content-types\"><Default Extension=\"xml\" "
		"ContentType=\"application/xml\"/></Types>";

	bomb_text(&t, 200000, seed);
	tu_puts(&x, "<?xml version=\"1.0\"?><w:document><w:body>");
	for (size_t i = 0; i + 80 < t.len; i += 80) {
		tu_puts(&x, "<w:p><w:r><w:t>");
		tu_put(&x, t.p + i, 80);
		tu_puts(&x, "</w:t></w:r></w:p>");
	}
	tu_puts(&x, "</w:body></w:document>");
	bz_file(z, "[Content_Types].xml", (const uint8_t *) types, sizeof(types) - 1, 8, 0);
	bz_file(z, "_rels/.rels", (const uint8_t *) types, sizeof(types) - 1, 8, 0);
	bz_file(z, main, x.p, x.len, 8, 0);
	bz_file(z, "docProps/app.xml", (const uint8_t *) types, 60, 8, 0);
	free(t.p);
	free(x.p);
}

Test(zip, docx_and_xlsx_like_accepted)
{
	static const char *const mains[] = {"word/document.xml", "xl/worksheets/sheet1.xml"};

	for (int i = 0; i < 2; i++) {
		struct bomb_zip z = {0};
		struct record r;

		office_like(&z, mains[i], 10 + i);
		bz_close(&z, 0);
		bomb_scan(0, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			  "report.docx", "base64", z.b.p, z.b.len, 4096, &r);
		expect_accept(&r, mains[i]);
		cr_expect_gt(r.inflated, 200000);
		bz_free(&z);
	}
}

Test(zip, jar_like_with_data_descriptors_accepted)
{
	struct bomb_zip z = {0};
	uint8_t cls[20000];
	struct record r;
	static const char mf[] = "Manifest-Version: 1.0\r\nCreated-By: test\r\n\r\n";

	bz_file(&z, "META-INF/", (const uint8_t *) "", 0, 0, 1);
	bz_file(&z, "META-INF/MANIFEST.MF", (const uint8_t *) mf, sizeof(mf) - 1, 8, 1);
	for (int i = 0; i < 20; i++) {
		char    name[64];

		bomb_random(cls, sizeof(cls), (uint32_t) i + 1);
		memset(cls + 5000, 0, 8000);		/* a constant pool of sorts */
		snprintf(name, sizeof(name), "org/example/C%d.class", i);
		bz_file(&z, name, cls, sizeof(cls), 8, 1);
	}
	bz_close(&z, 0);
	bomb_scan(0, "application/java-archive", "app.jar", "base64", z.b.p, z.b.len, 0, &r);
	expect_accept(&r, "jar");
	cr_expect_eq(r.expanded, sizeof(mf) - 1 + 20 * sizeof(cls), "%s", tu_record_str(&r));
	bz_free(&z);
}

Test(zip, already_compressed_accepted)
{
	struct bomb_zip z = {0};
	uint8_t *rnd = malloc(3 * MiB);
	struct record r;

	cr_assert_not_null(rnd);
	bomb_random(rnd, 3 * MiB, 42);
	bz_file(&z, "photo.jpg", rnd, 3 * MiB, 8, 0);
	bz_file(&z, "video.mp4", rnd, 2 * MiB, 0, 0);
	bz_file(&z, "inner.zip", rnd + 7, 2 * MiB, 0, 1);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "incompressible members");
	cr_expect_eq(r.expanded, 7 * MiB, "%s", tu_record_str(&r));
	bz_free(&z);
	free(rnd);
}

Test(zip, small_member_with_very_high_ratio_accepted)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};
	struct record r;
	uint64_t n = 900 * 1024;			/* under ratio_min_size (1M) */

	bomb_deflate_repeat(&d, 0, 0, n);
	cr_assert_gt(n / d.len, 500, "the member's ratio is high");
	bz_deflated(&z, "blank.bmp", &d, n, n, 0);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "small high-ratio member");
	cr_expect_eq(r.inflated, n);
	bz_free(&z);
	free(d.p);
}

Test(zip, zip_in_zip_within_limits_accepted)
{
	struct bomb_zip in = {0}, out = {0};
	struct tu_buf t = {0};
	struct record r;

	bomb_text(&t, 100000, 3);
	bz_file(&in, "a.txt", t.p, t.len, 8, 0);
	bz_file(&in, "b.txt", t.p, 1000, 0, 1);
	bz_close(&in, 0);
	bz_file(&out, "inner.zip", in.b.p, in.b.len, 8, 0);
	bz_file(&out, "c.txt", t.p, 2000, 8, 1);
	bz_close(&out, 0);
	r = scan(0, &out.b);
	expect_accept(&r, "zip in zip");
	cr_expect_eq(r.archive_depth, 2, "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, in.b.len + 2000 + 100000 + 1000, "%s", tu_record_str(&r));
	bz_free(&in);
	bz_free(&out);
	free(t.p);
}

/* Stored members with data descriptors of every shape: found by scanning. */

Test(zip, stored_data_descriptor_shapes)
{
	for (int shape = 0; shape < 4; shape++) {
		struct bomb_zip z = {0};
		struct tu_buf t = {0};
		struct record r;
		int     sig = shape & 1, wide = shape >> 1 & 1;

		bomb_text(&t, 50000, 5);
		/* data that contains a descriptor-looking record and signatures */
		tu_put(&t, "PK\7\x08\0\0\0\0PK\3\4PK\1\2", 16);
		bomb_text(&t, 1000, 6);
		for (int i = 0; i < 3; i++) {
			char    name[32];
			uint32_t crc = (uint32_t) crc32(0, t.p, (uInt) t.len);
			size_t  e;

			snprintf(name, sizeof(name), "f%d.txt", i);
			e = bz_lfh(&z, name, 0, BZ_DD, 0, 0, 0, 0);
			tu_put(&z.b, t.p, t.len);
			bz_dd(&z, crc, t.len, t.len, sig, wide);
			z.e[e].crc = crc;
			z.e[e].csize = z.e[e].usize = t.len;
		}
		bz_close(&z, 0);
		r = scan(0, &z.b);
		expect_accept(&r, "stored + descriptor");
		cr_expect_eq(r.expanded, 3 * t.len, "shape %d: %s", shape, tu_record_str(&r));
		cr_expect_eq(r.findings, 0, "shape %d: %s", shape, tu_record_str(&r));
		cr_expect_null(split_diff(&z.b, 0), "shape %d", shape);
		bz_free(&z);
		free(t.p);
	}
}

Test(zip, descriptor_flag_without_descriptor)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	struct record r;

	/* bit 3 set, sizes in the header after all, no descriptor written */
	bomb_text(&t, 3000, 23);
	for (int i = 0; i < 3; i++) {
		char    name[16];

		snprintf(name, sizeof(name), "n%d", i);
		bz_lfh(&z, name, 0, BZ_DD, (uint32_t) crc32(0, t.p, (uInt) t.len),
		       t.len, t.len, 0);
		tu_put(&z.b, t.p, t.len);
	}
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "bit 3 without descriptor");
	cr_expect_eq(r.expanded, 3 * t.len, "%s", tu_record_str(&r));
	bz_free(&z);
	free(t.p);
}

Test(zip, prefixed_and_commented_archive)
{
	struct bomb_zip z = {0}, alone = {0};
	struct tu_buf t = {0}, stub = {0}, m = {0};
	struct record r;

	bomb_text(&t, 20000, 9);
	/* an SFX-like stub, with "PK" noise in it */
	tu_puts(&stub, "MZ this program cannot be run in DOS mode PK\1\2 PK\3\4 PK");
	for (int i = 0; i < 100; i++)
		tu_puts(&stub, "stub code stub code ");

	/* offsets adjusted to the whole file, as zip -A leaves them */
	tu_put(&z.b, stub.p, stub.len);
	bz_file(&z, "a.txt", t.p, t.len, 8, 0);
	bz_file(&z, "b.txt", t.p, 3000, 0, 0);
	bz_close(&z, 0);
	z.b.p[z.b.len - 2] = 5;			/* and an archive comment */
	tu_puts(&z.b, "hello");
	r = scan(0, &z.b);
	expect_accept(&r, "prefixed zip, adjusted offsets");
	cr_expect_eq(r.expanded, 23000, "%s", tu_record_str(&r));
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));

	/* offsets relative to the archive (a stub glued in front) */
	tu_put(&m, stub.p, stub.len);
	bz_file(&alone, "a.txt", t.p, t.len, 8, 0);
	bz_file(&alone, "b.txt", t.p, 3000, 0, 0);
	bz_close(&alone, 0);
	tu_put(&m, alone.b.p, alone.b.len);
	r = scan(0, &m);
	expect_accept(&r, "prefixed zip, unadjusted offsets");
	cr_expect_eq(r.expanded, 23000, "%s", tu_record_str(&r));
	bz_free(&z);
	bz_free(&alone);
	free(t.p);
	free(stub.p);
	free(m.p);
}

/* pe_stub - the first bytes of a Windows PE32 program, size bytes long */

static void pe_stub(struct tu_buf *b, size_t size)
{
	uint8_t h[0x200] = {'M', 'Z'};

	h[0x3c] = 0x80;				/* e_lfanew */
	memcpy(h + 0x80, "PE\0\0\x4c\x01\x01\0", 8);	/* i386, 1 section */
	h[0x94] = 0xe0;				/* optional header size */
	h[0x96] = 0x02, h[0x97] = 0x01;		/* executable, 32-bit */
	h[0x98] = 0x0b, h[0x99] = 0x01;		/* PE32 */
	h[0x98 + 68] = 2;			/* GUI subsystem */
	tu_put(b, h, sizeof(h));
	while (b->len < size)
		tu_puts(b, "stub code of a self-extractor ");
}

Test(zip, self_extractor_with_a_pe_stub)
{
	struct tu_buf m = {0};
	struct record r;
	char    type[64];

	/* A real PE header, so libmagic names the stream a Windows program
	 * (5.44: application/vnd.microsoft.portable-executable, not
	 * x-dosexec), and the zip begins past the sniffed window. */
	pe_stub(&m, 3 * FILETYPE_WINDOW);
	cr_assert_eq(filetype_of(m.p, FILETYPE_WINDOW, type, sizeof(type)), 0);
	cr_assert(strstr(type, "executable") || strstr(type, "dosexec"), "%s", type);
	dd_bomb(&m, 1 * GiB);
	bomb_scan(0, "application/octet-stream", "setup.exe", "base64",
		  m.p, m.len, 4096, &r);
	expect_bomb(0, &r, REASON_RATIO, "zip bomb in a PE self-extractor");
	free(m.p);
}

/* 8 KiB of noise, then a data-descriptor bomb of 1 GiB. */

static void noise_then_bomb(struct tu_buf *m)
{
	uint32_t x = 7;

	while (m->len < 2 * FILETYPE_WINDOW) {
		uint8_t b[4];

		x = x * 1103515245 + 12345;
		memcpy(b, &x, 4);
		tu_put(m, b, 4);
	}
	dd_bomb(m, 1 * GiB);
}

Test(zip, declared_zip_behind_a_long_prefix)
{
	struct tu_buf m = {0};
	struct record r;

	/* 8 KiB of noise, then a zip bomb: libmagic sees data, unzip sees
	 * the zip (it reads the end record).  Declared a zip, it is one. */
	noise_then_bomb(&m);
	bomb_scan(0, "application/zip", "invoice.zip", "base64", m.p, m.len, 4096, &r);
	expect_bomb(0, &r, REASON_RATIO, "zip bomb behind 8 KiB of noise, declared a zip");
	bomb_scan(0, "application/x-zip-compressed", "invoice.zip", "base64", m.p, m.len, 0, &r);
	expect_bomb(0, &r, REASON_RATIO, "the same, x-zip-compressed, whole");
	free(m.p);
}

Test(zip, named_zip_behind_a_long_prefix)
{
	struct bomb_zip z = {0};
	struct tu_buf m = {0}, noise = {0};
	struct record r;

	/* Named a zip, sent as application/octet-stream: what a filter
	 * that unpacks by name opens. */
	noise_then_bomb(&m);
	bomb_scan(0, "application/octet-stream", "Invoice.ZIP", "base64", m.p, m.len, 4096, &r);
	expect_bomb(0, &r, REASON_RATIO, "zip bomb behind 8 KiB of noise, named a zip");
	/* A name of 400 bytes: its end is kept. */
	{
		char    longname[420];

		memset(longname, 'n', 400);
		strcpy(longname + 400, ".zip");
		bomb_scan(0, "application/octet-stream", longname, "base64", m.p, m.len, 4096, &r);
		expect_bomb(0, &r, REASON_RATIO, "the same, named 400 x n .zip");
		bz_file(&z, longname, m.p, m.len, 0, 0);
		bz_close(&z, 0);
		r = scan(0, &z.b);
		expect_bomb(0, &r, REASON_RATIO, "the same, a member named 400 x n .zip");
		bz_free(&z);
		memset(&z, 0, sizeof(z));
	}
	/* The name in an RFC 2047 encoded word ("bomb.zip"). */
	bomb_scan(0, "application/octet-stream", "=?UTF-8?B?Ym9tYi56aXA=?=", "base64",
		  m.p, m.len, 4096, &r);
	expect_bomb(0, &r, REASON_RATIO, "the same, its name an encoded word");
	cr_expect(strstr(r.where, "bomb.zip") != 0, "%s", tu_record_str(&r));

	/* An archive member has no declared type, only its name. */
	bz_file(&z, "docs/inner.zip", m.p, m.len, 0, 0);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_bomb(0, &r, REASON_RATIO, "the same as a member named inner.zip");
	cr_expect(strstr(r.where, "inner.zip") != 0, "%s", tu_record_str(&r));
	bz_free(&z);

	/* Named a zip, but noise all through: nothing to find, accepted. */
	bomb_random(m.p, m.len, 11);
	tu_put(&noise, m.p, 64 * 1024);
	bomb_scan(0, "application/octet-stream", "data.zip", "base64", noise.p, noise.len, 4096, &r);
	expect_accept(&r, "noise named data.zip");
	memset(&z, 0, sizeof(z));
	bz_file(&z, "data.docx", noise.p, noise.len, 0, 0);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "noise as a member named data.docx");
	bz_free(&z);
	free(noise.p);
	free(m.p);
}

Test(zip, zip_fragments_in_a_container_accepted)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0}, ole = {0};
	struct record r;
	static const uint8_t ole_magic[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};

	/* An OLE2 document (a .ppt) whose sectors carry pieces of zips, as
	 * Office writes them for embedded themes: not an archive. */
	bomb_text(&t, 5000, 21);
	bz_file(&z, "theme/theme1.xml", t.p, t.len, 8, 0);
	bz_file(&z, "_rels/.rels", t.p, 300, 8, 0);
	bz_close(&z, 0);
	tu_put(&ole, ole_magic, 8);
	for (int i = 0; i < 500; i++)
		tu_put(&ole, "\0\0\0\0\0\0\0\0", 8);
	tu_put(&ole, z.b.p + 40, z.b.len - 40);	/* a fragment, then a whole one */
	tu_put(&ole, z.b.p, z.b.len);
	bomb_scan(0, "application/vnd.ms-powerpoint", "slides.ppt", "base64",
		  ole.p, ole.len, 4096, &r);
	expect_accept(&r, "zip fragments in OLE");
	bz_free(&z);
	free(t.p);
	free(ole.p);
}

Test(zip, prefixed_overlap_counts_declared_sizes)
{
	struct tu_buf b = {0}, m = {0};
	struct record r;

	bomb_zip_overlap_full(&b, 1000, 900 * 1024, 0);
	tu_puts(&m, "#!/bin/sh\necho self-extracting\nexit 0\n");
	tu_put(&m, b.p, b.len);
	r = scan(0, &m);
	/* found by scanning, so the directory is not held to the letter, but
	 * its 1000 entries of 900 KiB count in full */
	expect_bomb(0, &r, REASON_MESSAGE_COST, "prefixed full overlap");
	cr_expect(has(&r, FIND_ARCHIVE_MALFORMED), "%s", tu_record_str(&r));
	cr_expect_leq(r.inflated, 900 * 1024);
	free(b.p);
	free(m.p);
}

Test(zip, second_archive_after_the_end_is_walked)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0}, b = {0};
	struct record r;

	/* unzip reads the last end record: a benign zip in front hides
	 * nothing */
	bomb_text(&t, 2000, 22);
	bz_file(&z, "hello.txt", t.p, t.len, 8, 0);
	bz_close(&z, 0);
	tu_puts(&z.b, "trailing junk PK\1\2 PK\5\6 between the two");
	dd_bomb(&z.b, 1 * GiB);
	r = scan(0, &z.b);
	expect_bomb(0, &r, REASON_RATIO, "bomb appended after a benign zip");
	/* and plain trailing junk is just ignored */
	z.b.len = 0;
	z.n = 0;
	bz_file(&z, "hello.txt", t.p, t.len, 8, 0);
	bz_close(&z, 0);
	tu_puts(&z.b, "trailing junk PK\1\2 PK\3\4 PK\5\6 the end");
	r = scan(0, &z.b);
	expect_accept(&r, "trailing junk");
	bz_free(&z);
	free(t.p);
	free(b.p);
}

/* --- bombs ---------------------------------------------------------------- */

Test(zip, nested_42_style_rejected)
{
	struct tu_buf b = {0};
	struct record r;
	struct conf c;
	clock_t t0;

	bomb_zip_nested(&b, 4, 16, 4 * MiB);	/* 16^4 leaves of 4 MiB: 256 GiB */
	cr_assert_lt(b.len, 1 * MiB);
	t0 = clock();
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_RATIO, "42-style, default limits");
	cr_expect_lt(r.inflated, 2 * MiB, "%s", tu_record_str(&r));
	cr_expect_lt((double) (clock() - t0) / CLOCKS_PER_SEC, 2.0);

	/* No ratio limit: the cost limit still stops it, having inflated at
	 * most max_message_cost. */
	c = conf_with("max_ratio", "1000000");
	r = scan(&c, &b);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect(r.reason == REASON_MESSAGE_COST || r.reason == REASON_PART_SIZE,
		  "%s", tu_record_str(&r));
	cr_expect_leq(r.inflated, c.max_message_cost, "%s", tu_record_str(&r));

	/* Deeper than max_archive_depth. */
	c = conf_with("max_archive_depth", "3");
	r = scan(&c, &b);
	expect_bomb(&c, &r, REASON_ARCHIVE_DEPTH, "42-style, depth 3");
	free(b.p);
}

Test(zip, overlap_full_rejected)
{
	struct tu_buf b = {0};
	struct record r;
	struct conf c = *tu_conf();

	/* 1000 central directory entries naming one 900 KiB kernel: each
	 * member is innocent, the sum is 900 MB. */
	bomb_zip_overlap_full(&b, 1000, 900 * 1024, 0);
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "full overlap");
	/* even when every size limit is out of the way */
	set(&c, "max_message_cost", "1T");
	set(&c, "max_part_size", "1T");
	set(&c, "max_ratio", "1000000");
	r = scan(&c, &b);
	expect_bomb(&c, &r, REASON_ZIP_OVERLAP, "full overlap, no size limits");
	cr_expect_leq(r.inflated, 900 * 1024);
	cr_expect_null(split_diff(&b, 3));
	free(b.p);
}

Test(zip, overlap_quoted_rejected)
{
	struct tu_buf b = {0};
	struct record r;
	struct conf c = *tu_conf();

	/* Local headers that look linear: each member's data quotes the next
	 * header and runs on to the shared kernel. */
	bomb_zip_overlap_quoted(&b, 1000, 900 * 1024);
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "quoted overlap");
	set(&c, "max_message_cost", "1T");
	set(&c, "max_part_size", "1T");
	set(&c, "max_ratio", "1000000");
	r = scan(&c, &b);
	expect_bomb(&c, &r, REASON_ZIP_OVERLAP, "quoted overlap, no size limits");
	cr_expect_null(split_diff(&b, 3));
	free(b.p);
}

Test(zip, overlap_zip64_rejected)
{
	struct tu_buf b = {0};
	struct record r;
	struct conf c = *tu_conf();

	bomb_zip_overlap_full(&b, 300, 900 * 1024, 1);
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "zip64 overlap");
	set(&c, "max_message_cost", "1T");
	r = scan(&c, &b);
	expect_bomb(&c, &r, REASON_ZIP_OVERLAP, "zip64 overlap, no cost limit");
	free(b.p);
}

Test(zip, central_directory_naming_unseen_header_rejected)
{
	struct bomb_zip z = {0};
	struct bomb_ent e;
	struct tu_buf t = {0};
	struct record r;
	uint64_t cd;

	bomb_text(&t, 1000, 2);
	bz_file(&z, "a.txt", t.p, t.len, 8, 0);
	cd = z.b.len;
	bz_cd(&z, &z.e[0]);
	e = z.e[0];
	e.off += 7;					/* points into a's data */
	snprintf(e.name, sizeof(e.name), "ghost.txt");
	bz_cd(&z, &e);
	bz_end(&z, cd, 2, 0);
	r = scan(0, &z.b);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "entry where no header was seen");
	bz_free(&z);
	free(t.p);
}

Test(zip, data_descriptor_bomb_rejected)
{
	struct tu_buf b = {0};
	struct record r;
	struct conf c;

	dd_bomb(&b, 2 * GiB);
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_RATIO, "descriptor bomb");
	cr_expect_lt(r.inflated, 2 * MiB, "stopped right past ratio_min_size: %s",
		     tu_record_str(&r));
	c = conf_with("max_ratio", "1000000");
	r = scan(&c, &b);
	expect_bomb(&c, &r, REASON_PART_SIZE, "descriptor bomb, no ratio limit");
	cr_expect_lt(r.inflated, c.max_part_size + 64 * 1024, "%s", tu_record_str(&r));
	cr_expect_null(split_diff(&b, 2));
	free(b.p);
}

Test(zip, understated_sizes_rejected)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};
	struct record r;
	struct conf c;

	/* local header and central directory both say 1000 bytes */
	bomb_deflate_repeat(&d, "lie", 3, 1 * GiB);
	bz_deflated(&z, "small.txt", &d, 1 * GiB, 1000, 0);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	/* Once it outgrows what it declared, the member is judged on the
	 * compressed bytes it used, not on its header's compressed size. */
	expect_bomb(0, &r, REASON_RATIO, "understated sizes");
	cr_expect(has(&r, FIND_ARCHIVE_SIZE_LIE), "%s", tu_record_str(&r));
	cr_expect_lt(r.inflated, 2 * MiB, "%s", tu_record_str(&r));
	c = conf_with("max_ratio", "1000000");
	r = scan(&c, &z.b);
	expect_bomb(&c, &r, REASON_PART_SIZE, "understated, no ratio limit");
	cr_expect(has(&r, FIND_ARCHIVE_SIZE_LIE), "%s", tu_record_str(&r));
	bz_free(&z);
	free(d.p);
}

Test(zip, declared_sizes_condemn_without_inflating)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};
	struct record r;

	/* honest headers: 4 GiB from 4 MB */
	bomb_deflate_repeat(&d, 0, 0, 4 * GiB);
	bz_deflated(&z, "zeros", &d, 4 * GiB, 4 * GiB, 0);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 0, "nothing inflated: %s", tu_record_str(&r));
	bz_free(&z);
	free(d.p);
}

Test(zip, office_document_bomb_rejected)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};
	struct record r;
	static const char cell[] = "<c r=\"A1\"><v>0</v></c>";

	office_like(&z, "xl/sharedStrings.xml", 4);
	bomb_deflate_repeat(&d, cell, sizeof(cell) - 1, 3 * GiB);
	/* sizes in a data descriptor: only inflation can tell */
	bz_deflated(&z, "xl/worksheets/sheet1.xml", &d, 3 * GiB, 3 * GiB, 1);
	bz_close(&z, 1);
	bomb_scan(0, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		  "budget.xlsx", "base64", z.b.p, z.b.len, 65536, &r);
	expect_bomb(0, &r, REASON_PART_SIZE, "xlsx bomb");
	cr_expect(strstr(r.where, "sheet1.xml") != 0, "%s", r.where);
	/*
	 * Repeated cells deflate about 412:1, under max_ratio (500, so that a
	 * zipped scan of a text page, 250-340:1, passes): max_part_size
	 * condemns it after 50 MB of inflation (50 ms under ASan).
	 */
	cr_expect_lt(r.inflated, 64 * MiB, "inflated %llu", (unsigned long long) r.inflated);
	bz_free(&z);
	free(d.p);
}

Test(zip, disguised_bomb_rejected)
{
	struct tu_buf b = {0}, m = {0};
	struct record r;

	dd_bomb(&b, 1 * GiB);
	/* text/plain, no name, quoted-printable: content decides */
	bomb_scan(0, "text/plain", 0, "quoted-printable", b.p, b.len, 65536, &r);
	expect_bomb(0, &r, REASON_RATIO, "text/plain QP bomb");
	bomb_scan(0, "image/png", "cat.png", "base64", b.p, b.len, 65536, &r);
	expect_bomb(0, &r, REASON_RATIO, "zip as image/png");
	bomb_scan(0, "application/octet-stream", 0, "binary", b.p, b.len, 65536, &r);
	expect_bomb(0, &r, REASON_RATIO, "binary CTE bomb");
	free(m.p);
	free(b.p);
}

Test(zip, bomb_in_forwarded_message_rejected)
{
	struct tu_buf b = {0}, inner = {0}, m = {0};
	struct record r;

	dd_bomb(&b, 1 * GiB);
	tu_message_attach(&inner, "application/zip", "fwd.zip", "base64", b.p, b.len);
	/* Any message/ subtype: Python's email parses them all as messages,
	 * so a filter built on it decodes what they carry. */
	static const char *const types[] = {
		"message/rfc822", "message/x-forwarded", "message/partial; id=\"a\"; number=1",
		"message/delivery-status", "Message/RFC822",
	};

	dd_bomb(&b, 1 * GiB);
	tu_message_attach(&inner, "application/zip", "fwd.zip", "base64", b.p, b.len);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		m.len = 0;
		tu_puts(&m, "From: a@example.org\r\nTo: b@example.net\r\nSubject: Fwd\r\n"
			"MIME-Version: 1.0\r\n"
			"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
			"--outer\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
			"--outer\r\nContent-Type: ");
		tu_puts(&m, types[i]);
		tu_puts(&m, "\r\n\r\n");
		tu_put(&m, inner.p, inner.len);
		tu_puts(&m, "\r\n--outer--\r\n");
		tu_scan(0, m.p, m.len, 65536, 0, &r);
		expect_bomb(0, &r, REASON_RATIO, types[i]);
		cr_expect_geq(r.mime_depth, 2, "%s: %s", types[i], tu_record_str(&r));
	}
	free(b.p);
	free(inner.p);
	free(m.p);
}

/* --- policies and limits ------------------------------------------------- */

Test(zip, unsupported_methods_count_by_declared_size)
{
	struct bomb_zip z = {0};
	struct record r;
	static const uint16_t methods[] = {9, 12, 14, 93, 95, 98};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char    name[16];

		snprintf(name, sizeof(name), "m%u", methods[i]);
		bz_lfh(&z, name, methods[i], 0, 0, 100, 1000, 0);
		tu_put(&z.b, "0123456789012345678901234567890123456789"
		       "0123456789012345678901234567890123456789"
		       "01234567890123456789", 100);
	}
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "unsupported methods");
	cr_expect(has(&r, FIND_ARCHIVE_UNSUPPORTED), "%s", tu_record_str(&r));
	/* Deflate64 (9) and PPMd (98) are not decoded: projected at their
	 * ceilings, 100 x 30,000 and 100 x 5,000; bzip2, LZMA, zstd and
	 * xz (12, 14, 93, 95) are decoded, and these digits are corrupt
	 * data of each: their declared 1000 bytes count. */
	cr_expect(has(&r, FIND_UNVERIFIED), "%s", tu_record_str(&r));
	cr_expect(has(&r, FIND_ARCHIVE_MALFORMED), "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, 3000000 + 500000 + 4 * 1000, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 0);
	bz_free(&z);

	/* a bzip2 member declaring 60 MB */
	memset(&z, 0, sizeof(z));
	bz_lfh(&z, "big.bz2", 12, 0, 0, 10, 60000000, 0);
	tu_put(&z.b, "BZh91AY&SY", 10);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_bomb(0, &r, REASON_PART_SIZE, "declared 60 MB bzip2 member");
	bz_free(&z);

	/* the same with sizes in a data descriptor only: the descriptor
	 * found by scanning declares them */
	memset(&z, 0, sizeof(z));
	bz_lfh(&z, "big.bz2", 12, BZ_DD, 0, 0, 0, 0);
	tu_put(&z.b, "BZh91AY&SY0123456789", 20);
	bz_dd(&z, 0x11223344, 20, 60000000, 1, 0);
	z.e[0].csize = 20;
	z.e[0].usize = 999;				/* the directory understates */
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_bomb(0, &r, REASON_PART_SIZE, "bzip2 member, 60 MB in its descriptor");
	cr_expect_null(split_diff(&z.b, 2));
	bz_free(&z);
}

Test(zip, encrypted_policy)
{
	struct bomb_zip z = {0};
	struct record r;
	struct conf c;

	bz_lfh(&z, "secret.txt", 8, BZ_ENC, 0x12345678, 40, 30, 0);
	tu_put(&z.b, "0123456789abcdef0123456789abcdef01234567", 40);
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "encrypted, policy accept");
	cr_expect(has(&r, FIND_ARCHIVE_ENCRYPTED), "%s", tu_record_str(&r));
	c = conf_with("encrypted_archive", "reject");
	r = scan(&c, &z.b);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_eq(r.reason, REASON_ENCRYPTED, "%s", tu_record_str(&r));
	bz_free(&z);
}

Test(zip, entries_limit)
{
	struct bomb_zip z = {0};
	struct record r;
	struct conf c;

	for (int i = 0; i < 300; i++) {
		char    name[16];

		snprintf(name, sizeof(name), "%d/", i);
		bz_file(&z, name, (const uint8_t *) "", 0, 0, 0);
	}
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "300 directories");
	c = conf_with("max_archive_entries", "299");
	r = scan(&c, &z.b);
	expect_bomb(&c, &r, REASON_ARCHIVE_ENTRIES, "entries over the limit");
	bz_free(&z);
}

Test(zip, central_directory_declares_more)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	struct record r;

	bomb_text(&t, 1000, 8);
	bz_file(&z, "a.txt", t.p, t.len, 0, 0);
	z.e[0].usize = 300000000;			/* only the CD says so */
	bz_close(&z, 0);
	r = scan(0, &z.b);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 0);
	bz_free(&z);
	free(t.p);
}

/* --- properties ---------------------------------------------------------- */

Test(zip, split_invariance)
{
	struct bomb_zip z = {0}, in = {0};
	struct tu_buf t = {0}, m = {0};
	const char *why;

	bomb_text(&t, 30000, 11);
	bz_file(&in, "x.txt", t.p, t.len, 8, 1);
	bz_close(&in, 0);
	tu_puts(&z.b, "#!/bin/sh\nexit 0\n");
	bz_file(&z, "a.txt", t.p, t.len, 8, 1);
	bz_file(&z, "b.txt", t.p, 700, 0, 1);
	bz_file(&z, "in.zip", in.b.p, in.b.len, 0, 0);
	bz_file(&z, "c.txt", t.p, 5000, 8, 0);
	bz_close(&z, 1);
	tu_message_attach(&m, "application/zip", "s.zip", "base64", z.b.p, z.b.len);
	why = bomb_split_diff(0, m.p, m.len, 8);
	cr_expect_null(why, "%s", why);
	/* every single cut and a sample of two-cut splits of a small zip */
	{
		struct record whole, cut;
		const char *field;
		struct bomb_zip s = {0};
		struct tu_buf sm = {0};

		bz_file(&s, "a", t.p, 300, 8, 1);
		bz_file(&s, "b", t.p, 200, 0, 1);
		bz_close(&s, 0);
		tu_message_attach(&sm, "application/zip", "t.zip", "7bit", s.b.p, s.b.len);
		tu_scan(0, sm.p, sm.len, 0, 0, &whole);
		expect_accept(&whole, "small zip");
		for (size_t i = 1; i < sm.len; i++) {
			size_t  cuts[2] = {i, i + (i * 7919) % (sm.len - i)};

			tu_scan_cuts(0, sm.p, sm.len, cuts, cuts[1] > i ? 2 : 1, &cut);
			cr_assert(tu_record_eq(&whole, &cut, &field), "cut at %zu: %s", i, field);
		}
		bz_free(&s);
		free(sm.p);
	}
	bz_free(&z);
	bz_free(&in);
	free(t.p);
	free(m.p);
}

Test(zip, allocation_failure_sweep)
{
	struct bomb_zip z = {0}, in = {0};
	struct tu_buf t = {0}, m = {0};
	struct record r;
	unsigned long n;

	bomb_text(&t, 20000, 12);
	bz_file(&in, "x.txt", t.p, t.len, 8, 1);
	bz_close(&in, 0);
	bz_file(&z, "a.txt", t.p, t.len, 8, 0);
	bz_file(&z, "b.txt", t.p, 100, 0, 1);
	bz_file(&z, "in.zip", in.b.p, in.b.len, 8, 0);
	bz_close(&z, 0);
	tu_message_attach(&m, "application/zip", "s.zip", "base64", z.b.p, z.b.len);
	n = tu_scan(0, m.p, m.len, 1000, 0, &r);
	expect_accept(&r, "sweep baseline");
	for (unsigned long fail = 1; fail <= n; fail++) {
		tu_scan(0, m.p, m.len, 1000, fail, &r);	/* asserts no leak */
		cr_expect(r.verdict == VERDICT_TEMPFAIL || r.verdict == VERDICT_ACCEPT,
			  "fail_at %lu: %s", fail, tu_record_str(&r));
	}
	bz_free(&z);
	bz_free(&in);
	free(t.p);
	free(m.p);
}

Test(zip, memory_per_nesting_level)
{
	struct tu_buf t = {0}, cur = {0};
	size_t  peak[5] = {0};
	struct record r;

	bomb_text(&t, 50000, 13);
	tu_put(&cur, t.p, t.len);
	for (int depth = 1; depth <= 4; depth++) {
		struct bomb_zip z = {0};

		bz_file(&z, "inner", cur.p, cur.len, 8, 0);
		bz_close(&z, 0);
		cur.len = 0;
		tu_put(&cur, z.b.p, z.b.len);
		bz_free(&z);
		r = scan(0, &cur);
		expect_accept(&r, "nested zip");
		cr_expect_eq(r.archive_depth, (unsigned) depth, "%s", tu_record_str(&r));
		peak[depth] = r.peak_mem;
		fprintf(stderr, "zip nesting depth %d: peak_mem %zu (inflate %zu, archive %zu)\n",
			depth, r.peak_mem, r.mem[ACCT_INFLATE], r.mem[ACCT_ARCHIVE]);
		if (depth > 1)
			cr_expect_lt(peak[depth] - peak[depth - 1], 72 * 1024,
				     "one level costs about one inflate state: %zu -> %zu",
				     peak[depth - 1], peak[depth]);
	}
	free(t.p);
	free(cur.p);
}

/* --- the walker fed directly, in any split (as tests/fuzz does) --------- */

static void expect_walk_invariant(const struct conf *conf, const struct tu_buf *zip,
				          size_t every_cut_max, const char *what)
{
	const char *why = bomb_walk_split_diff(&zip_analyser, conf, zip->p, zip->len,
					       8, every_cut_max);

	cr_expect_null(why, "%s: %s", what, why);
}

/*
 * Fuzz finding: a stored member with a data descriptor whose Zip64 extra
 * declares 32 KiB and no compressed size.  Its data was handed on in
 * whatever pieces the descriptor scan released, and the node judged the
 * declared size against the compressed bytes consumed so far: fed byte by
 * byte, ratio after the first byte (32768 > 1 * 100); fed whole, none.
 * Stored data now goes on in ZIP_BLOCK pieces whatever the split.
 */
Test(zip, walker_stored_descriptor_zip64_declared_split)
{
	struct conf c = *tu_conf();
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	struct record whole;
	static const size_t one[] = {1};

	set(&c, "ratio_min_size", "4096");
	set(&c, "max_ratio", "100");
	bomb_text(&t, 2000, 21);
	bz_lfh(&z, "test2.txt", 0, BZ_DD, 0, 0, 32768, 1);
	tu_put(&z.b, t.p, t.len);
	bz_dd(&z, (uint32_t) crc32(0, t.p, (uInt) t.len), t.len, t.len, 1, 1);
	bz_close(&z, 0);
	bomb_walk(&zip_analyser, &c, z.b.p, z.b.len, 0, 0, &whole);
	expect_accept(&whole, "whole");
	bomb_walk(&zip_analyser, &c, z.b.p, z.b.len, one, 1, &whole);
	expect_accept(&whole, "first byte alone");
	expect_walk_invariant(&c, &z.b, 0, "stored descriptor zip64");
	bz_free(&z);
	free(t.p);
}

/* A stored member that outgrows its declared size crosses max_part_size
 * at the same byte, so expanded is the same, in any split. */
Test(zip, walker_stored_size_lie_crosses_limit_split)
{
	struct conf c = *tu_conf();
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	struct record whole;

	set(&c, "max_part_size", "100000");
	bomb_text(&t, 150000, 22);
	bz_lfh(&z, "lie.txt", 0, 0, (uint32_t) crc32(0, t.p, (uInt) t.len), t.len, 10, 0);
	tu_put(&z.b, t.p, t.len);
	bz_close(&z, 0);
	bomb_walk(&zip_analyser, &c, z.b.p, z.b.len, 0, 0, &whole);
	expect_bomb(&c, &whole, REASON_PART_SIZE, "stored size lie");
	expect_walk_invariant(&c, &z.b, 0, "stored size lie");
	bz_free(&z);
	free(t.p);
}

/* Data descriptors of every shape, stored and deflated, Zip64, a zip in
 * a zip, with low limits: the same record in any split. */
Test(zip, walker_split_invariance)
{
	struct bomb_zip z = {0}, in = {0}, s = {0};
	struct tu_buf t = {0};
	struct conf low = *tu_conf();

	bomb_text(&t, 30000, 23);
	bz_file(&in, "x.txt", t.p, t.len, 8, 1);
	bz_file(&in, "y.txt", t.p, 3000, 0, 1);
	bz_close(&in, 0);
	tu_puts(&z.b, "#!/bin/sh\nexit 0\n");
	bz_file(&z, "a.txt", t.p, t.len, 8, 1);
	bz_file(&z, "b.txt", t.p, 2700, 0, 1);
	bz_file(&z, "in.zip", in.b.p, in.b.len, 0, 0);
	bz_file(&z, "in2.zip", in.b.p, in.b.len, 8, 1);
	bz_file(&z, "c.txt", t.p, 5000, 8, 0);
	bz_close(&z, 1);
	expect_walk_invariant(0, &z.b, 0, "default limits");
	set(&low, "max_part_size", "20000");
	expect_walk_invariant(&low, &z.b, 0, "part size");
	low = *tu_conf();
	set(&low, "ratio_min_size", "1000");
	set(&low, "max_ratio", "2");
	expect_walk_invariant(&low, &z.b, 0, "ratio");
	low = *tu_conf();
	set(&low, "max_message_cost", "50000");
	expect_walk_invariant(&low, &z.b, 0, "cost");
	/* a small one: every single cut too */
	bz_file(&s, "a", t.p, 300, 8, 1);
	bz_file(&s, "b", t.p, 200, 0, 1);
	bz_close(&s, 0);
	expect_walk_invariant(0, &s.b, 4096, "small zip");
	bz_free(&z);
	bz_free(&in);
	bz_free(&s);
	free(t.p);
}

/* --- every reading: what the extractors behind us would take ------------ */

/*
 * unzip, 7z, bsdtar (on a file) and Python's zipfile find the last end
 * record, then follow the central directory it names.  Each archive here
 * hides from a front-to-back walk of its local headers something that
 * directory makes them extract.  With ZIP_DUMP_DIR set, the archives are
 * written there, to be shown to the real tools.
 */

static void dump(const char *name, const struct tu_buf *b)
{
	const char *dir = getenv("ZIP_DUMP_DIR");
	char    path[512];
	FILE   *f;

	if (dir == 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) != 0) {
		fwrite(b->p, 1, b->len, f);
		fclose(f);
	}
}

static void put_le32_at(struct tu_buf *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->p[at + i] = (uint8_t) (v >> (8 * i));
}

static void put_le16_at(struct tu_buf *b, size_t at, uint16_t v)
{
	b->p[at] = (uint8_t) v;
	b->p[at + 1] = (uint8_t) (v >> 8);
}

/*
 * swallowed - a first member whose local header's compressed size (or,
 * with a data descriptor, its search for one) runs to the end of the
 * archive: the second member, a deflated 1 GiB of zeros, sits in "its
 * data".  Both the hidden header and the directory understate the bomb
 * (1000 bytes), so only the structure can tell.
 */
static void swallowed(struct tu_buf *out, uint16_t method, int dd)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0}, d = {0};
	uint64_t n = 1 * GiB;
	size_t  cover, bomb;

	/* more than the sniffed window of noise, so that the first member's
	 * node does not find the second member by content */
	t.p = malloc(t.len = t.cap = 5000);
	cr_assert_not_null(t.p);
	bomb_random(t.p, t.len, 30);
	bomb_deflate_repeat(&d, 0, 0, n);
	cover = bz_lfh(&z, "cover.txt", method, dd ? BZ_DD : 0,
		       (uint32_t) crc32(0, t.p, (uInt) t.len), 0, 0, 0);
	tu_put(&z.b, t.p, t.len);
	bomb = bz_lfh(&z, "zeros.bin", 8, 0, bomb_crc_repeat(0, 0, n), d.len, 1000, 0);
	tu_put(&z.b, d.p, d.len);
	z.e[cover].csize = z.e[cover].usize = t.len;
	z.e[bomb].usize = 1000;
	bz_close(&z, 0);
	if (!dd) {
		uint32_t rest = (uint32_t) (z.b.len - (z.e[cover].off + 30 + 9));

		put_le32_at(&z.b, z.e[cover].off + 18, rest);
		put_le32_at(&z.b, z.e[cover].off + 22, rest);
	}
	tu_put(out, z.b.p, z.b.len);
	bz_free(&z);
	free(t.p);
	free(d.p);
}

Test(zip, reading_member_swallowing_the_archive_rejected)
{
	/* With a descriptor, data not looked into ends at the next local
	 * header (or its own directory entry): the hidden member is walked,
	 * and inflating it tells.  Otherwise the end record the extractors
	 * take lies in what the walk took for data: hostile structure; but
	 * stored data is a member's stream, hunted for an embedded zip (as
	 * ClamAV scans it), and inflating the one it hides tells first. */
	static const struct {
		uint16_t method;
		int     dd;
		const char *name;
		enum reason reason;
	} cases[] = {
		{0, 0, "swallow-stored.zip", REASON_RATIO},
		{12, 0, "swallow-bzip2.zip", REASON_ZIP_OVERLAP},
		{0, 1, "swallow-stored-dd.zip", REASON_RATIO},
		{12, 1, "swallow-bzip2-dd.zip", REASON_RATIO},
		{99, 1, "swallow-aes-dd.zip", REASON_RATIO},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tu_buf b = {0};
		struct record r;

		swallowed(&b, cases[i].method, cases[i].dd);
		dump(cases[i].name, &b);
		r = scan(0, &b);
		expect_bomb(0, &r, cases[i].reason, cases[i].name);
		cr_expect_null(split_diff(&b, 2), "%s", cases[i].name);
		expect_walk_invariant(0, &b, 0, cases[i].name);
		free(b.p);
	}
}

/*
 * comment_directory - a benign archive whose end record's comment holds
 * a second central directory (1000 entries naming the 900 KiB kernel)
 * and a second end record: the last one, which extractors take.
 */
static void comment_directory(struct tu_buf *out)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0}, k = {0};
	uint64_t kn = 900 * 1024;
	size_t  eocd1, cd2, kern;
	struct bomb_ent e;

	bomb_text(&t, 2000, 31);
	bz_file(&z, "readme.txt", t.p, t.len, 8, 0);
	bomb_deflate_repeat(&k, 0, 0, kn);
	kern = bz_lfh(&z, "kernel", 8, 0, bomb_crc_repeat(0, 0, kn), k.len, kn, 0);
	tu_put(&z.b, k.p, k.len);
	bz_close(&z, 0);
	eocd1 = z.b.len - 22;
	cd2 = z.b.len;
	for (unsigned i = 0; i < 1000; i++) {
		e = z.e[kern];
		snprintf(e.name, sizeof(e.name), "%u", i);
		bz_cd(&z, &e);
	}
	bz_end(&z, cd2, 1000, 0);
	put_le16_at(&z.b, eocd1 + 20, (uint16_t) (z.b.len - (eocd1 + 22)));
	tu_put(out, z.b.p, z.b.len);
	bz_free(&z);
	free(t.p);
	free(k.p);
}

/* expect_hidden - a zip built by make is hostile, at any split */
static void expect_hidden(void (*make)(struct tu_buf *), const char *file,
			          const char *what, enum reason reason)
{
	struct tu_buf b = {0};
	struct record r;

	make(&b);
	dump(file, &b);
	r = scan(0, &b);
	expect_bomb(0, &r, reason, what);
	cr_expect_null(split_diff(&b, 2));
	expect_walk_invariant(0, &b, 0, what);
	free(b.p);
}

Test(zip, reading_directory_in_the_end_comment_rejected)
{
	expect_hidden(comment_directory, "comment-directory.zip", "second directory in the end comment",
		      REASON_ZIP_OVERLAP);
}

/*
 * disagreeing - one member of 1 GiB of zeros, deflated, whose local
 * header and directory entry say different things (each side given).
 */
struct side {
	uint16_t method, flags;
	uint64_t usize;			/* 0: the compressed size (stored) */
};

static void disagreeing(struct tu_buf *out, const char *name, struct side local,
			        struct side cd)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};
	uint64_t n = 1 * GiB;
	size_t  i;

	bomb_deflate_repeat(&d, 0, 0, n);
	i = bz_lfh(&z, name, local.method, local.flags, bomb_crc_repeat(0, 0, n),
		   d.len, local.usize ? local.usize : d.len, 0);
	tu_put(&z.b, d.p, d.len);
	z.e[i].method = cd.method;
	z.e[i].flags = cd.flags;
	z.e[i].usize = cd.usize;
	bz_close(&z, 0);
	tu_put(out, z.b.p, z.b.len);
	bz_free(&z);
	free(d.p);
}

/*
 * method_disagrees - the local header says stored, the directory says
 * deflated: a walker of local headers passes the deflate stream on as
 * bytes, Python's zipfile (which takes the directory's method) inflates
 * 1 GiB.  Both understate the size.
 */
static void method_disagrees(struct tu_buf *out, uint64_t cd_usize)
{
	disagreeing(out, "data.bin", (struct side) {0, 0, 0}, (struct side) {8, 0, cd_usize});
}

Test(zip, reading_method_disagrees)
{
	struct tu_buf b = {0};
	struct record r;

	/* unzip, 7z and bsdtar take the local method (stored: 1 MB out),
	 * Python's zipfile the directory's, and inflates up to the size the
	 * entry declares: the larger counts, and the disagreement is noted */
	method_disagrees(&b, 1000);
	dump("method-disagrees.zip", &b);
	r = scan(0, &b);
	expect_accept(&r, "stored locally, deflated in the directory, 1000");
	cr_expect(has(&r, FIND_ARCHIVE_MALFORMED), "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, b.len - (30 + 8) - (46 + 8) - 22, "%s", tu_record_str(&r));
	free(b.p);
	b = (struct tu_buf) {0};
	method_disagrees(&b, 40 * MiB);
	r = scan(0, &b);
	expect_accept(&r, "the same, 40 MiB in the directory");
	cr_expect_eq(r.expanded, 40 * MiB, "%s", tu_record_str(&r));
	free(b.p);
}

/*
 * encryption_disagrees - the local header says encrypted (so a walker
 * skips the data and counts the sizes it declares), the directory says
 * not: extractors that take the directory's flag inflate 1 GiB.
 */
static void encryption_disagrees(struct tu_buf *out, int local_enc)
{
	disagreeing(out, "data.txt",
		    (struct side) {8, local_enc ? BZ_ENC : 0, local_enc ? 1000 : 1 * GiB},
		    (struct side) {8, local_enc ? 0 : BZ_ENC, 1000});
}

Test(zip, reading_encryption_flag_disagrees)
{
	struct tu_buf b = {0};
	struct record r;
	struct conf c;

	encryption_disagrees(&b, 1);
	dump("encrypted-locally-only.zip", &b);
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "encrypted in the local header only");
	free(b.p);

	/* encrypted in the directory only: inflated (a bomb, ratio), and
	 * the extractors' reading is encrypted, which the policy judges */
	b = (struct tu_buf) {0};
	encryption_disagrees(&b, 0);
	dump("encrypted-in-directory-only.zip", &b);
	c = conf_with("max_ratio", "1000000");
	set(&c, "max_part_size", "2G");
	set(&c, "max_message_cost", "3G");
	set(&c, "encrypted_archive", "reject");
	r = scan(&c, &b);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_eq(r.reason, REASON_ENCRYPTED, "%s", tu_record_str(&r));
	free(b.p);
}

Test(zip, reading_zip_after_a_zip)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0}, b = {0};
	struct record r;

	/* a benign zip, then a full-overlap one: extractors read the last
	 * end record, so the second */
	bomb_text(&t, 2000, 32);
	bz_file(&z, "hello.txt", t.p, t.len, 8, 0);
	bz_close(&z, 0);
	tu_put(&b, z.b.p, z.b.len);
	bomb_zip_overlap_full(&b, 1000, 900 * 1024, 0);
	dump("zip-after-zip.zip", &b);
	r = scan(0, &b);
	expect_bomb(0, &r, REASON_MESSAGE_COST, "overlap bomb after a benign zip");
	bz_free(&z);
	free(t.p);
	free(b.p);
}

Test(zip, reading_false_positive_traps_accepted)
{
	struct bomb_zip z = {0}, in = {0};
	struct tu_buf t = {0}, m = {0};
	struct record r;

	/* A streaming writer that set bit 3 and wrote no descriptor, the
	 * sizes only in the directory (libarchive's ppmd/AES streaming
	 * test files): members of a method not looked into. */
	bomb_text(&t, 3000, 33);
	for (int i = 0; i < 3; i++) {
		char    name[24];
		size_t  e;

		snprintf(name, sizeof(name), "p%d.txt", i);
		e = bz_lfh(&z, name, 98, BZ_DD, 0, 0, 0, 0);
		tu_put(&z.b, t.p + 100 * i, 1000);
		z.e[e].csize = 1000;
		z.e[e].usize = 3000;
	}
	bz_close(&z, 0);
	r = scan(0, &z.b);
	expect_accept(&r, "ppmd members without descriptors");
	cr_expect(!has(&r, FIND_ARCHIVE_TRUNCATED), "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, 9000, "%s", tu_record_str(&r));
	expect_walk_invariant(0, &z.b, 4096, "ppmd members without descriptors");
	bz_free(&z);

	/* a stored zip as the last member, and an archive comment that
	 * mentions an end record */
	bz_file(&in, "x.txt", t.p, 2000, 8, 0);
	bz_close(&in, 0);
	bz_file(&z, "a.txt", t.p, 500, 8, 0);
	bz_file(&z, "inner.zip", in.b.p, in.b.len, 0, 0);
	bz_close(&z, 0);
	{
		static const char cmt[] = "PK\5\6\0\0\0\0 is the end record's signature";

		z.b.p[z.b.len - 2] = sizeof(cmt) - 1;
		tu_put(&z.b, cmt, sizeof(cmt) - 1);
	}
	r = scan(0, &z.b);
	expect_accept(&r, "stored zip last, comment");
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));

	/* a self-extractor (found by scanning) with an end record hidden in
	 * its comment: not held to the letter, a finding */
	comment_directory(&m);
	tu_put(&t, m.p, m.len);			/* text first, then the zip */
	r = scan(0, &t);
	cr_expect(has(&r, FIND_ARCHIVE_MALFORMED), "%s", tu_record_str(&r));
	bz_free(&z);
	bz_free(&in);
	free(t.p);
	free(m.p);
}

/*
 * polyglot - a real-looking JPEG (or PDF: how & 1) of 20 KiB, then (how
 * < 2) a zip whose one member declares 1 GiB: unzip and 7z open it from
 * its end record.
 */
static void polyglot(struct tu_buf *out, int how)
{
	int     pdf = how & 1, zip = how < 2;
	static const uint8_t jfif[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F',
				       0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	uint8_t noise[20000];

	if (pdf)
		tu_puts(out, "%PDF-1.4\n1 0 obj\n<< /Length 20000 >>\nstream\n");
	else
		tu_put(out, jfif, sizeof(jfif));
	bomb_random(noise, sizeof(noise), 34);
	tu_put(out, noise, sizeof(noise));
	tu_puts(out, pdf ? "\nendstream\nendobj\n%%EOF\n" : "\xff\xd9");
	if (zip)
		dd_bomb(out, 1 * GiB);
}

/* All four extractors take the 1 GiB member; a stream nobody claims is
 * hunted for an embedded zip (node.c), which finds it. */
Test(zip, reading_zip_appended_to_a_jpeg_or_pdf_rejected)
{
	struct tu_buf b = {0};
	struct record r;

	for (int pdf = 0; pdf < 2; pdf++) {
		b.len = 0;
		polyglot(&b, pdf);
		dump(pdf ? "polyglot.pdf" : "polyglot.jpg", &b);
		bomb_scan(0, pdf ? "application/pdf" : "image/jpeg", pdf ? "paper.pdf" : "photo.jpg",
			  "base64", b.p, b.len, 4096, &r);
		cr_expect_eq(r.verdict, VERDICT_REJECT, "%d: %s", pdf, tu_record_str(&r));
		cr_expect(has(&r, FIND_EMBEDDED), "%d: %s", pdf, tu_record_str(&r));
		/* the same picture with no zip: nothing found */
		b.len = 0;
		polyglot(&b, pdf + 2);
		bomb_scan(0, pdf ? "application/pdf" : "image/jpeg", pdf ? "paper.pdf" : "photo.jpg",
			  "base64", b.p, b.len, 4096, &r);
		expect_accept(&r, "no zip");
		cr_expect(!has(&r, FIND_EMBEDDED), "%d: %s", pdf, tu_record_str(&r));
	}
	free(b.p);
}

/*
 * picture - a JPEG-looking prefix of n bytes (JFIF header, noise, FF D9),
 * then the archive tail: a polyglot as `cat photo.jpg x.zip` makes it.
 */
static void picture(struct tu_buf *out, size_t n, const struct tu_buf *zip)
{
	static const uint8_t jfif[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F',
				       0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	uint8_t *noise = malloc(n);

	cr_assert(noise != 0 && n > sizeof(jfif) + 2);
	bomb_random(noise, n, 41);
	memcpy(noise, jfif, sizeof(jfif));
	noise[n - 2] = 0xff, noise[n - 1] = 0xd9;
	tu_put(out, noise, n);
	if (zip)
		tu_put(out, zip->p, zip->len);
	free(noise);
}

/* one member of n zeros, deflated, declaring usize; a stored one of
 * random bytes (k of them) when n is 0 */
static void small_zip(struct tu_buf *out, uint64_t n, uint64_t usize, size_t k)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0};

	if (n > 0) {
		bomb_deflate_repeat(&d, 0, 0, n);
		bz_deflated(&z, "zeros.bin", &d, n, usize, 0);
	} else {
		uint8_t *r = malloc(k);

		cr_assert(r != 0);
		bomb_random(r, k, 43);
		bz_file(&z, "noise.bin", r, k, 0, 0);
		free(r);
	}
	tu_put(&z.b, "", 0);
	bz_close(&z, 0);
	tu_put(out, z.b.p, z.b.len);
	bz_free(&z);
	free(d.p);
}

static struct record scan_picture(const struct tu_buf *b)
{
	struct record r;

	bomb_scan(0, "image/jpeg", "photo.jpg", "base64", b->p, b->len, 4096, &r);
	cr_expect_null(bomb_split_diff_attached("image/jpeg", "photo.jpg", b, 3),
		       "%s", tu_record_str(&r));
	return (r);
}

Test(zip, reading_polyglot_zip_in_the_tail_is_walked)
{
	/* The whole zip within what the tail keeps: walked as any zip,
	 * inflated, its member's ratio (10 MiB from about 10 KiB) judged,
	 * its size lie seen; a clean one accepted, with a finding.  A zip
	 * whose header is in the last block decoded before counting would
	 * begin is decoded on, however large (200 KB). */
	static const struct {
		size_t  prefix;
		uint64_t zeros, usize;
		enum reason reason;
		size_t  noise;
	} cases[] = {
		{20000, 10 * MiB, 10 * MiB, REASON_RATIO, 0},	/* honest bomb */
		{20000, 10 * MiB, 4000, REASON_RATIO, 0},	/* size lie */
		{3000, 10 * MiB, 10 * MiB, REASON_RATIO, 0},	/* inside the first grain */
		{900000, 10 * MiB, 4000, REASON_RATIO, 0},	/* a large picture */
		{20000, 0, 0, REASON_NONE, 30000},		/* clean, 30 KB stored */
		{900000, 0, 0, REASON_NONE, 30000},
		{5000, 0, 0, REASON_NONE, 200000},		/* found in the block decoded last */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tu_buf z = {0}, b = {0};
		struct record r;

		small_zip(&z, cases[i].zeros, cases[i].usize, cases[i].noise);
		picture(&b, cases[i].prefix, &z);
		r = scan_picture(&b);
		if (cases[i].reason == REASON_NONE)
			expect_accept(&r, "clean polyglot");
		else
			expect_bomb(0, &r, cases[i].reason, "polyglot");
		cr_expect(has(&r, FIND_EMBEDDED), "%zu: %s", i, tu_record_str(&r));
		if (cases[i].reason == REASON_NONE)
			cr_expect_geq(r.expanded, cases[i].noise, "%zu: %s", i, tu_record_str(&r));
		free(z.p);
		free(b.p);
	}
}

Test(zip, reading_polyglot_zip_past_the_tail_unverifiable)
{
	/* A zip that reaches further back than the tail (its member's
	 * data, or its directory): what an extractor would inflate was
	 * never seen.  Refused, whatever it declares. */
	struct tu_buf z = {0}, b = {0};
	struct record r;

	small_zip(&z, 0, 0, 200000);		/* 200 KB of noise, stored, honest */
	picture(&b, 50000, &z);
	r = scan_picture(&b);
	expect_bomb(0, &r, REASON_UNVERIFIABLE, "200 KB zip behind a picture");
	b.len = 0;
	z.len = 0;
	small_zip(&z, 200 * MiB, 1000, 0);	/* 200 KB of deflate, declared 1000 */
	picture(&b, 50000, &z);
	r = scan_picture(&b);
	expect_bomb(0, &r, REASON_UNVERIFIABLE, "lying zip behind a picture");
	/* Sent so that it is decoded anyway (quoted-printable), or as the
	 * member of an archive: the hunt sees every byte and walks it. */
	bomb_scan(0, "image/jpeg", "photo.jpg", "quoted-printable", b.p, b.len, 4096, &r);
	expect_bomb(0, &r, REASON_RATIO, "lying zip behind a picture, quoted-printable");
	{
		struct bomb_zip outer = {0};
		struct tu_buf o = {0};

		bz_file(&outer, "photo.jpg", b.p, b.len, 0, 0);
		bz_close(&outer, 0);
		o = outer.b;
		r = scan(0, &o);
		expect_bomb(0, &r, REASON_RATIO, "lying zip behind a picture, in a zip");
		bz_free(&outer);
	}
	/* An installer: a shell script, then the same 200 KB zip.  A script
	 * is hunted through whole: walked, not refused. */
	{
		struct tu_buf sh = {0};

		tu_puts(&sh, "#!/bin/sh\n# self-extracting installer\n");
		for (int i = 0; i < 300; i++)
			tu_puts(&sh, "echo unpacking the payload that follows this script ...\n");
		tu_puts(&sh, "exit 0\n");
		z.len = 0;
		small_zip(&z, 0, 0, 200000);
		tu_put(&sh, z.p, z.len);
		bomb_scan(0, "application/octet-stream", "setup.bin", "base64", sh.p, sh.len, 4096, &r);
		expect_accept(&r, "installer");
		cr_expect(has(&r, FIND_EMBEDDED), "%s", tu_record_str(&r));
		cr_expect_geq(r.expanded, 200000, "%s", tu_record_str(&r));
		free(sh.p);
	}
	/* The same picture alone, or with a zip that fits: no refusal. */
	b.len = 0;
	picture(&b, 500000, 0);
	r = scan_picture(&b);
	expect_accept(&r, "picture");
	cr_expect(!has(&r, FIND_EMBEDDED), "%s", tu_record_str(&r));
	free(z.p);
	free(b.p);
}

/*
 * quoted_end - the first member is deflated, its stream one stored block
 * that quotes, byte for byte, a second member (48 MiB of zeros, declared
 * 1000), a central directory and an end record whose comment covers the
 * final empty block: the walk inflates the first member (noise, then
 * those bytes as data); extractors take the quoted end record.
 */
static void quoted_end(struct tu_buf *out)
{
	struct bomb_zip q = {0};
	struct tu_buf d = {0}, blk = {0};
	uint8_t noise[5000];
	uint64_t n = 48 * MiB;
	size_t  bomb, lfh = 30 + 9, len;
	uint8_t hdr[5], hdr0[64];

	bomb_random(noise, sizeof(noise), 35);
	bomb_deflate_repeat(&d, 0, 0, n);
	/* the quoted bytes, at their offsets in the final file */
	q.b.len = 0;
	memset(hdr0, 0, sizeof(hdr0));
	tu_put(&q.b, hdr0, lfh + 5);		/* room for LFH1 and a block header */
	tu_put(&q.b, noise, sizeof(noise));
	bomb = bz_lfh(&q, "zeros.bin", 8, 0, bomb_crc_repeat(0, 0, n), d.len, 1000, 0);
	tu_put(&q.b, d.p, d.len);
	q.e[bomb].usize = 1000;
	bz_close(&q, 0);
	q.b.p[q.b.len - 2] = 5;				/* the comment: the final block */
	len = q.b.len - (lfh + 5);
	cr_assert_leq(len, 65535);
	/* now the real file: LFH1, a stored block of those bytes, a final block */
	{
		struct bomb_zip z = {0};
		size_t  csize = 5 + len + 5;

		bz_lfh(&z, "cover.bin", 8, 0, 0, csize, sizeof(noise) + len, 0);
		hdr[0] = 0, hdr[1] = len & 0xff, hdr[2] = (uint8_t) (len >> 8);
		hdr[3] = (uint8_t) ~hdr[1], hdr[4] = (uint8_t) ~hdr[2];
		tu_put(&z.b, hdr, 5);
		tu_put(&z.b, q.b.p + lfh + 5, len);
		tu_put(&z.b, "\1\0\0\xff\xff", 5);
		tu_put(out, z.b.p, z.b.len);
		bz_free(&z);
	}
	bz_free(&q);
	free(d.p);
	free(blk.p);
}

Test(zip, reading_end_record_quoted_in_a_deflate_stream_rejected)
{
	/* The first member's stream quotes the bomb: hunted for an
	 * embedded zip, it yields the bomb's member, whose ratio tells. */
	expect_hidden(quoted_end, "quoted-end.zip", "end record quoted in a stored block",
		      REASON_RATIO);
}

Test(zip, reading_name_disagrees_noted)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	struct record r;

	/* unzip and 7z extract it as the directory names it, bsdtar as the
	 * local header does, Python refuses it: a finding */
	bomb_text(&t, 3000, 36);
	bz_file(&z, "a.txt", t.p, t.len, 8, 0);
	snprintf(z.e[0].name, sizeof(z.e[0].name), "a.zip");
	bz_close(&z, 0);
	dump("name-disagrees.zip", &z.b);
	r = scan(0, &z.b);
	expect_accept(&r, "names differ");
	cr_expect(has(&r, FIND_ARCHIVE_MALFORMED), "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, 3000, "%s", tu_record_str(&r));
	bz_free(&z);
	free(t.p);
}

/* Small hiding archives, cut once at every offset: the same record. */
Test(zip, reading_split_invariance_every_cut)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	size_t  eocd1, cd2, rest;
	struct bomb_ent e;
	struct record r;

	bomb_text(&t, 1500, 37);
	/* a second directory in the end comment */
	bz_file(&z, "a.txt", t.p, 700, 8, 0);
	bz_file(&z, "b.txt", t.p, 300, 0, 1);
	bz_close(&z, 0);
	eocd1 = z.b.len - 22;
	cd2 = z.b.len;
	for (unsigned i = 0; i < 3; i++) {
		e = z.e[0];
		snprintf(e.name, sizeof(e.name), "%u", i);
		bz_cd(&z, &e);
	}
	bz_end(&z, cd2, 3, 0);
	put_le16_at(&z.b, eocd1 + 20, (uint16_t) (z.b.len - (eocd1 + 22)));
	bomb_walk(&zip_analyser, 0, z.b.p, z.b.len, 0, 0, &r);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "small second directory");
	expect_walk_invariant(0, &z.b, 4096, "small second directory");
	bz_free(&z);

	/* a stored member whose header swallows the rest */
	memset(&z, 0, sizeof(z));
	bz_file(&z, "cover.txt", t.p, 200, 0, 0);
	bz_file(&z, "hidden.txt", t.p, 900, 8, 0);
	bz_close(&z, 0);
	rest = z.b.len - (30 + 9);
	put_le32_at(&z.b, 18, (uint32_t) rest);
	put_le32_at(&z.b, 22, (uint32_t) rest);
	bomb_walk(&zip_analyser, 0, z.b.p, z.b.len, 0, 0, &r);
	expect_bomb(0, &r, REASON_ZIP_OVERLAP, "small swallowing header");
	expect_walk_invariant(0, &z.b, 4096, "small swallowing header");
	bz_free(&z);

	/* a bzip2 member with bit 3 and no descriptor, before another */
	memset(&z, 0, sizeof(z));
	{
		size_t  i = bz_lfh(&z, "p.bz2", 12, BZ_DD, 0, 0, 0, 0);

		tu_put(&z.b, t.p, 400);
		z.e[i].csize = 400;
		z.e[i].usize = 1000;
	}
	bz_file(&z, "next.txt", t.p, 500, 8, 1);
	bz_close(&z, 0);
	bomb_walk(&zip_analyser, 0, z.b.p, z.b.len, 0, 0, &r);
	expect_accept(&r, "no descriptor, then a header");
	cr_expect_eq(r.expanded, 1500, "%s", tu_record_str(&r));
	expect_walk_invariant(0, &z.b, 4096, "no descriptor, then a header");
	bz_free(&z);
	free(t.p);
}
