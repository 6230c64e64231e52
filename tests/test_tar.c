/*
 * test_tar - the tar walker through the whole engine: ustar, GNU long
 * names, pax size and path records, sparse files (projected from their
 * declared real size, never allocated by it), huge declared members,
 * base-256 sizes, a zip inside a tar, tar.gz bombs, broken headers,
 * split invariance and allocation failures.
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bombs.h"
#include "testutil.h"
#include "tar.h"

static struct record scan(const struct conf *conf, const struct tu_buf *tar)
{
	struct record r;

	bomb_scan(conf, "application/x-tar", "a.tar", "base64", tar->p, tar->len, 65536, &r);
	return (r);
}

static const char *split_diff(const struct tu_buf *tar, unsigned nseeds)
{
	return (bomb_split_diff_attached("application/x-tar", "a.tar", tar, nseeds));
}

/* pax_record - "len key=value\n", the length counting itself */

static void pax_record(struct tu_buf *out, const char *key, const char *value)
{
	size_t  body = strlen(key) + strlen(value) + 3, len = body + 1;
	char    tmp[32];

	while ((size_t) snprintf(tmp, sizeof(tmp), "%zu", len) + body != len)
		len = (size_t) snprintf(tmp, sizeof(tmp), "%zu", len) + body;
	tu_printf(out, "%zu %s=%s\n", len, key, value);
}

/* pax_header - an 'x' header carrying the given records */

static void pax_header(struct tu_buf *out, const char *records)
{
	static const uint8_t zero[512];
	size_t  n = strlen(records);

	bomb_tar_header(out, "PaxHeaders/x", 'x', n, 0);
	tu_put(out, records, n);
	tu_put(out, zero, (512 - n % 512) % 512);
}

Test(tar, ordinary_tar_accepted)
{
	struct tu_buf t = {0}, tar = {0};
	struct record r;
	char    longname[300];
	static const uint8_t zero[512];

	bomb_text(&t, 100000, 1);
	bomb_tar_file(&tar, "a.txt", t.p, t.len);
	bomb_tar_header(&tar, "dir/", '5', 0, 0);
	bomb_tar_header(&tar, "link", '2', 0, 0);
	/* a GNU long name */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	bomb_tar_header(&tar, "././@LongLink", 'L', sizeof(longname), 0);
	tu_put(&tar, longname, sizeof(longname));
	tu_put(&tar, zero, 512 - sizeof(longname) % 512);
	bomb_tar_file(&tar, "short", t.p, 1234);
	/* pax path and size */
	{
		struct tu_buf rec = {0};

		pax_record(&rec, "path", "docs/from-pax-path.txt");
		pax_header(&tar, (const char *) rec.p);
		free(rec.p);
	}
	bomb_tar_file(&tar, "ignored-name", t.p, 4321);
	bomb_tar_file(&tar, "empty", (const uint8_t *) "", 0);
	bomb_tar_end(&tar);
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, 100000 + 1234 + 4321, "%s", tu_record_str(&r));
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));
	cr_expect_null(split_diff(&tar, 4));
	free(t.p);
	free(tar.p);
}

Test(tar, huge_declared_member_rejected_without_reading)
{
	struct tu_buf tar = {0};
	struct record r;

	/* 100 GiB in base-256, then a little data and the end */
	bomb_tar_header(&tar, "huge.bin", '0', 100 * GiB, 0);
	tu_put(&tar, "not really 100 GiB", 18);
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	/* one member over max_part_size, and the message over its cost */
	cr_expect(r.reason == REASON_PART_SIZE || r.reason == REASON_MESSAGE_COST,
		  "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 0);
	cr_expect(strstr(r.where, "huge.bin") != 0, "%s", r.where);
	cr_expect_lt(r.peak_mem, 256 * 1024, "%s", tu_record_str(&r));
	free(tar.p);
}

Test(tar, sparse_projected_never_allocated)
{
	struct tu_buf tar = {0};
	struct record r;
	struct conf c = *tu_conf();
	char    err[128];

	/* GNU sparse: 512 bytes stored, 40 GiB claimed */
	static const uint8_t block[512] = "data";

	bomb_tar_header(&tar, "disk.img", 'S', 512, 40 * GiB);
	tu_put(&tar, block, sizeof(block));
	bomb_tar_end(&tar);
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_lt(r.peak_mem, 256 * 1024, "%s", tu_record_str(&r));
	/* with room for it, it is accepted: nothing was expanded */
	cr_assert_eq(conf_set(&c, "max_part_size", "100G", err, sizeof(err)), 0);
	cr_assert_eq(conf_set(&c, "max_message_cost", "100G", err, sizeof(err)), 0);
	r = scan(&c, &tar);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, 40 * GiB, "%s", tu_record_str(&r));
	cr_expect_lt(r.peak_mem, 256 * 1024, "%s", tu_record_str(&r));
	free(tar.p);
}

Test(tar, pax_size_overrides_and_realsize_projects)
{
	struct tu_buf t = {0}, tar = {0};
	struct record r;

	bomb_text(&t, 3000, 2);
	/* the header says 0, pax says 3000: the data is 3000 bytes */
	pax_header(&tar, "13 size=3000\n");
	bomb_tar_header(&tar, "sized-by-pax", '0', 0, 0);
	tu_put(&tar, t.p, 3000);
	tu_put(&tar, t.p, 72);				/* pad to 3072 */
	{
		struct tu_buf rec = {0};

		pax_record(&rec, "GNU.sparse.realsize", "99000000000");
		pax_header(&tar, (const char *) rec.p);
		free(rec.p);
	}
	bomb_tar_file(&tar, "pax-sparse", t.p, 100);
	bomb_tar_end(&tar);
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect(strstr(r.where, "pax-sparse") != 0, "%s", tu_record_str(&r));
	cr_expect_geq(r.expanded, 3000, "%s", tu_record_str(&r));
	free(t.p);
	free(tar.p);
}

Test(tar, zip_inside_tar_is_found)
{
	struct bomb_zip z = {0};
	struct tu_buf d = {0}, tar = {0};
	struct record r;

	bomb_deflate_repeat(&d, 0, 0, 1 * GiB);
	bz_deflated(&z, "zeros", &d, 1 * GiB, 0, 1);	/* sizes hidden */
	bz_close(&z, 0);
	bomb_tar_file(&tar, "readme", (const uint8_t *) "hello\n", 6);
	bomb_tar_file(&tar, "payload.dat", z.b.p, z.b.len);
	bomb_tar_end(&tar);
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect_eq(r.reason, REASON_RATIO, "%s", tu_record_str(&r));
	cr_expect_eq(r.archive_depth, 2, "%s", tu_record_str(&r));
	cr_expect(strstr(r.where, "payload.dat/zeros") != 0, "%s", r.where);
	cr_expect_lt(r.inflated, 2 * MiB);
	bz_free(&z);
	free(d.p);
	free(tar.p);
}

Test(tar, tar_gz_with_huge_member_rejected)
{
	struct tu_buf tar = {0}, d = {0}, g = {0};
	struct record r;
	static const uint8_t zero[1 << 16];

	/* a real 3 GiB member of zeros, deflated with the tar: the header
	 * condemns it after a few KiB of inflation */
	bomb_tar_header(&tar, "big/zeros.img", '0', 3 * GiB, 0);
	for (int i = 0; i < 16; i++)
		tu_put(&tar, zero, sizeof(zero));
	bomb_deflate(&d, tar.p, tar.len);
	bomb_gzip_member(&g, &d, 0, tar.len, "big.tar", 0);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_REJECT, "%s", tu_record_str(&r));
	cr_expect(r.reason == REASON_PART_SIZE || r.reason == REASON_MESSAGE_COST,
		  "%s", tu_record_str(&r));
	cr_expect_lt(r.inflated, 64 * 1024, "%s", tu_record_str(&r));
	cr_expect_eq(r.archive_depth, 2, "%s", tu_record_str(&r));
	free(tar.p);
	free(d.p);
	free(g.p);
}

Test(tar, normal_tar_gz_accepted)
{
	struct tu_buf t = {0}, tar = {0}, d = {0}, g = {0}, m = {0};
	struct record r;
	const char *why;

	bomb_text(&t, 200000, 3);
	for (int i = 0; i < 20; i++) {
		char    name[32];

		snprintf(name, sizeof(name), "src/file%02d.c", i);
		bomb_tar_file(&tar, name, t.p + i * 1000, 10000 + i * 37);
	}
	bomb_tar_end(&tar);
	bomb_deflate(&d, tar.p, tar.len);
	bomb_gzip_member(&g, &d, 0, tar.len, 0, 0);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.archive_depth, 2, "%s", tu_record_str(&r));
	tu_message_attach(&m, "application/gzip", "src.tar.gz", "base64", g.p, g.len);
	why = bomb_split_diff(0, m.p, m.len, 4);
	cr_expect_null(why, "%s", why);
	free(t.p);
	free(tar.p);
	free(d.p);
	free(g.p);
	free(m.p);
}

Test(tar, broken_headers_end_the_walk)
{
	struct tu_buf t = {0}, tar = {0};
	struct record r;

	bomb_text(&t, 1000, 4);
	bomb_tar_file(&tar, "ok.txt", t.p, t.len);
	bomb_tar_file(&tar, "bad.txt", t.p, t.len);
	tar.p[1536 + 148] ^= 1;				/* its checksum */
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s", tu_record_str(&r));
	/* a negative base-256 size */
	tar.len = 0;
	bomb_tar_file(&tar, "neg", t.p, 10);
	tar.p[124] = 0xff;
	{
		unsigned sum = 0;

		memset(tar.p + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += tar.p[i];
		snprintf((char *) tar.p + 148, 8, "%06o", sum);
	}
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s", tu_record_str(&r));
	free(t.p);
	free(tar.p);
}

/* Members are no MIME parts (max_parts); max_archive_entries counts them. */
Test(tar, many_members_are_entries_not_parts)
{
	struct tu_buf tar = {0};
	struct record r;
	struct conf conf = *tu_conf();

	for (int i = 0; i < 1200; i++) {
		char    name[32];

		snprintf(name, sizeof(name), "f%d", i);
		bomb_tar_file(&tar, name, (const uint8_t *) "x", 1);
	}
	bomb_tar_end(&tar);
	r = scan(0, &tar);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	conf.max_archive_entries = 1000;
	r = scan(&conf, &tar);
	cr_expect_eq(r.reason, REASON_ARCHIVE_ENTRIES, "%s", tu_record_str(&r));
	free(tar.p);
}

Test(tar, allocation_failure_sweep)
{
	struct tu_buf t = {0}, tar = {0}, m = {0};
	struct record r;
	unsigned long n;

	bomb_text(&t, 5000, 5);
	bomb_tar_file(&tar, "a", t.p, t.len);
	pax_header(&tar, "13 size=1000\n");
	bomb_tar_file(&tar, "b", t.p, 1000);
	bomb_tar_end(&tar);
	tu_message_attach(&m, "application/x-tar", "x.tar", "base64", tar.p, tar.len);
	n = tu_scan(0, m.p, m.len, 700, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	for (unsigned long fail = 1; fail <= n; fail++) {
		tu_scan(0, m.p, m.len, 700, fail, &r);
		cr_expect(r.verdict == VERDICT_TEMPFAIL || r.verdict == VERDICT_ACCEPT,
			  "fail_at %lu: %s", fail, tu_record_str(&r));
	}
	free(t.p);
	free(tar.p);
	free(m.p);
}

/* --- the walker fed directly, in any split (as tests/fuzz does) --------- */

static void expect_walk_invariant(const struct conf *conf, const struct tu_buf *tar,
				          size_t every_cut_max, const char *what)
{
	const char *why = bomb_walk_split_diff(&tar_analyser, conf, tar->p, tar->len,
					       8, every_cut_max);

	cr_expect_null(why, "%s: %s", what, why);
}

/*
 * Member data goes on in 512-byte pieces whatever the split, so what a
 * member holds (here a zip with stored and deflated members, and a gzip)
 * sees the same calls: the same record in any split, with default and
 * with low limits, and for a truncated tar.
 */
Test(tar, walker_split_invariance)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0}, d = {0}, g = {0}, tar = {0}, recs = {0};
	struct conf c = *tu_conf();
	char    err[256];

	bomb_text(&t, 40000, 41);
	bz_file(&z, "a.txt", t.p, t.len, 8, 1);
	bz_file(&z, "b.txt", t.p, 3000, 0, 1);
	bz_close(&z, 0);
	bomb_deflate(&d, t.p, t.len);
	bomb_gzip_member(&g, &d, 0, t.len, "c.txt", 0);
	pax_record(&recs, "path", "long/pax/name.zip");
	tu_put(&recs, "", 1);
	pax_header(&tar, (const char *) recs.p);
	bomb_tar_file(&tar, "ignored", z.b.p, z.b.len);
	bomb_tar_file(&tar, "c.gz", g.p, g.len);
	bomb_tar_file(&tar, "plain.txt", t.p, 777);
	bomb_tar_end(&tar);
	expect_walk_invariant(0, &tar, 0, "default limits");
	cr_assert_eq(conf_set(&c, "max_part_size", "30000", err, sizeof(err)), 0);
	expect_walk_invariant(&c, &tar, 0, "part size");
	c = *tu_conf();
	cr_assert_eq(conf_set(&c, "ratio_min_size", "5000", err, sizeof(err)), 0);
	cr_assert_eq(conf_set(&c, "max_ratio", "3", err, sizeof(err)), 0);
	expect_walk_invariant(&c, &tar, 0, "ratio");
	tar.len -= 1024 + 300;
	expect_walk_invariant(0, &tar, 0, "truncated");
	bz_free(&z);
	free(t.p);
	free(d.p);
	free(g.p);
	free(tar.p);
	free(recs.p);
}

/*
 * A GNU long name whose data goes on after its NUL: the name ends at the
 * NUL.  It used to be copied per input piece, each stopping at a NUL, so
 * a cut just after the NUL glued the rest on ("abc" whole, "abcdef" cut
 * there): the where of a verdict depended on the split.
 */
Test(tar, walker_long_name_ends_at_nul_in_any_split)
{
	static const uint8_t zero[512];
	struct tu_buf tar = {0}, big = {0};
	struct conf c = *tu_conf();
	struct record whole;
	char    err[256];

	bomb_tar_header(&tar, "././@LongLink", 'L', 8, 0);
	tu_put(&tar, "abc\0defg", 8);
	tu_put(&tar, zero, 504);
	bomb_text(&big, 5000, 42);
	bomb_tar_file(&tar, "short", big.p, big.len);
	bomb_tar_end(&tar);
	cr_assert_eq(conf_set(&c, "max_part_size", "4000", err, sizeof(err)), 0);
	bomb_walk(&tar_analyser, &c, tar.p, tar.len, 0, 0, &whole);
	cr_expect_eq(whole.reason, REASON_PART_SIZE, "%s", tu_record_str(&whole));
	cr_expect_str_eq(whole.where, "/w/abc");
	expect_walk_invariant(&c, &tar, 2048, "long name");
	free(tar.p);
	free(big.p);
}
