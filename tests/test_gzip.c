/*
 * test_gzip - the gzip walker through the whole engine: single-member
 * and many-member bombs, an ISIZE that wrapped past 4 GiB, header
 * fields (FEXTRA, FNAME, FCOMMENT, FHCRC), reserved flags, trailing
 * bytes, a tar inside, split invariance and allocation failures.
 */

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bombs.h"
#include "testutil.h"
#include "gzip.h"
#include "inflate.h"

static struct record scan(const struct conf *conf, const struct tu_buf *gz)
{
	struct record r;

	bomb_scan(conf, "application/gzip", "a.gz", "base64", gz->p, gz->len, 65536, &r);
	return (r);
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

static void gzip_of(struct tu_buf *out, const uint8_t *p, size_t n, const char *name,
		            int fancy)
{
	struct tu_buf d = {0};

	bomb_deflate(&d, p, n);
	bomb_gzip_member(out, &d, (uint32_t) crc32(0, p, (uInt) n), n, name, fancy);
	free(d.p);
}

Test(gzip, ordinary_gzip_accepted)
{
	struct tu_buf t = {0}, g = {0};
	struct record r;

	bomb_text(&t, 400000, 1);
	gzip_of(&g, t.p, t.len, "notes.txt", 0);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, t.len);
	cr_expect_eq(r.expanded, t.len);
	cr_expect_eq(r.archive_depth, 1);
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));
	free(t.p);
	free(g.p);
}

Test(gzip, header_fields_and_many_members)
{
	struct tu_buf t = {0}, g = {0};
	struct record r;

	bomb_text(&t, 10000, 2);
	gzip_of(&g, t.p, t.len, "a.txt", 1);		/* FEXTRA FNAME FCOMMENT FHCRC */
	gzip_of(&g, t.p, 5000, 0, 1);
	gzip_of(&g, t.p, 100, "c", 0);
	gzip_of(&g, t.p, 0, 0, 0);			/* an empty member */
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 15100, "%s", tu_record_str(&r));
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));
	{
		struct tu_buf m = {0};

		tu_message_attach(&m, "application/gzip", "m.gz", "base64", g.p, g.len);
		cr_expect_null(bomb_split_diff(0, m.p, m.len, 3));
		free(m.p);
	}
	/* trailing zeros, as tape blocking leaves them, are ignored */
	tu_put(&g, "\0\0\0\0", 4);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));
	tu_put(&g, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.findings, 0, "%s", tu_record_str(&r));
	free(t.p);
	free(g.p);
}

Test(gzip, reserved_flags_are_malformed)
{
	struct tu_buf t = {0}, g = {0};
	struct record r;

	bomb_text(&t, 1000, 3);
	gzip_of(&g, t.p, t.len, 0, 0);
	g.p[3] |= 0x20;
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s", tu_record_str(&r));
	free(t.p);
	free(g.p);
}

Test(gzip, corrupt_and_truncated)
{
	struct tu_buf t = {0}, g = {0};
	struct record r;

	bomb_text(&t, 100000, 4);
	gzip_of(&g, t.p, t.len, 0, 0);
	g.len /= 2;
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect(r.findings >> FIND_ARCHIVE_TRUNCATED & 1, "%s", tu_record_str(&r));
	memset(g.p + 200, 0xff, 50);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s", tu_record_str(&r));
	free(t.p);
	free(g.p);
}

Test(gzip, single_member_bomb_rejected)
{
	struct tu_buf g = {0};
	struct record r;
	struct conf c = *tu_conf();
	char    err[128];

	bomb_gzip_zeros(&g, 10 * GiB, 1);		/* 10 GiB: 10 MB on the wire */
	r = scan(0, &g);
	expect_bomb(0, &r, REASON_RATIO, "gzip of zeros");
	cr_expect_lt(r.inflated, 2 * MiB, "%s", tu_record_str(&r));
	{
		struct tu_buf small = {0}, m = {0};
		const char *why;

		bomb_gzip_zeros(&small, 64 * MiB, 1);
		tu_message_attach(&m, "application/gzip", "z.gz", "base64", small.p, small.len);
		why = bomb_split_diff(0, m.p, m.len, 2);
		cr_expect_null(why, "%s", why);
		free(small.p);
		free(m.p);
	}
	cr_assert_eq(conf_set(&c, "max_ratio", "100000", err, sizeof(err)), 0);
	r = scan(&c, &g);
	expect_bomb(&c, &r, REASON_PART_SIZE, "gzip of zeros, no ratio limit");
	cr_expect_lt(r.inflated, c.max_part_size + 64 * 1024, "%s", tu_record_str(&r));
	free(g.p);
}

Test(gzip, isize_wrapped_past_4gib_is_not_trusted)
{
	struct tu_buf g = {0};
	struct record r;
	struct conf c = *tu_conf();
	char    err[128];
	uint64_t n = 4 * GiB + 1000;			/* ISIZE says 1000 */

	bomb_gzip_zeros(&g, n, 1);
	cr_assert_eq(g.p[g.len - 4] | g.p[g.len - 3] << 8, 1000);
	cr_assert_eq(conf_set(&c, "max_ratio", "100000", err, sizeof(err)), 0);
	cr_assert_eq(conf_set(&c, "max_part_size", "10G", err, sizeof(err)), 0);
	r = scan(&c, &g);
	expect_bomb(&c, &r, REASON_MESSAGE_COST, "ISIZE wrapped");
	cr_expect_leq(r.inflated, c.max_message_cost, "%s", tu_record_str(&r));
	free(g.p);
}

Test(gzip, many_members_bomb_rejected)
{
	struct tu_buf g = {0};
	struct record r;

	bomb_gzip_zeros(&g, 2 * GiB, 2000);		/* 2000 members of 1 MiB */
	r = scan(0, &g);
	expect_bomb(0, &r, REASON_RATIO, "2000 members");
	cr_expect_lt(r.inflated, 3 * MiB, "%s", tu_record_str(&r));
	free(g.p);
}

Test(gzip, tar_inside_is_one_level_deeper)
{
	struct tu_buf t = {0}, tar = {0}, g = {0};
	struct record r;

	bomb_text(&t, 30000, 5);
	bomb_tar_file(&tar, "docs/a.txt", t.p, t.len);
	bomb_tar_file(&tar, "docs/b.txt", t.p, 777);
	bomb_tar_end(&tar);
	gzip_of(&g, tar.p, tar.len, "docs.tar", 0);
	r = scan(0, &g);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.archive_depth, 2, "%s", tu_record_str(&r));
	cr_expect_eq(r.expanded, tar.len + 30000 + 777, "%s", tu_record_str(&r));
	{
		struct tu_buf m = {0};

		tu_message_attach(&m, "application/gzip", "d.tgz", "base64", g.p, g.len);
		cr_expect_null(bomb_split_diff(0, m.p, m.len, 4));
		free(m.p);
	}
	free(t.p);
	free(tar.p);
	free(g.p);
}

Test(gzip, allocation_failure_sweep)
{
	struct tu_buf t = {0}, g = {0}, m = {0};
	struct record r;
	unsigned long n;

	bomb_text(&t, 50000, 6);
	gzip_of(&g, t.p, t.len, "x", 1);
	gzip_of(&g, t.p, 99, 0, 0);
	tu_message_attach(&m, "application/gzip", "x.gz", "base64", g.p, g.len);
	n = tu_scan(0, m.p, m.len, 3000, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	for (unsigned long fail = 1; fail <= n; fail++) {
		tu_scan(0, m.p, m.len, 3000, fail, &r);
		cr_expect(r.verdict == VERDICT_TEMPFAIL || r.verdict == VERDICT_ACCEPT,
			  "fail_at %lu: %s", fail, tu_record_str(&r));
	}
	free(t.p);
	free(g.p);
	free(m.p);
}

/* --- the walker fed directly, in any split (as tests/fuzz does) --------- */

static void expect_walk_invariant(const struct conf *conf, const struct tu_buf *gz,
				          size_t every_cut_max, const char *what)
{
	const char *why = bomb_walk_split_diff(&gzip_analyser, conf, gz->p, gz->len,
					       8, every_cut_max);

	cr_expect_null(why, "%s: %s", what, why);
}

static void set(struct conf *c, const char *key, const char *value)
{
	char    err[256];

	cr_assert_eq(conf_set(c, key, value, err, sizeof(err)), 0, "%s", err);
}

/*
 * The ratio is judged on the compressed bytes inflate had taken when a
 * chunk went out.  That count used to depend on where the input was cut
 * (zlib takes the next code's bits only if they are there), so a ratio
 * just at the limit could be crossed in one split and not in another
 * (test_inflate.c, total_in_at_each_chunk_split_invariant, pins the
 * cause).  Two members and a truncated third: the same record in any
 * split, for ratio limits around what the data has.
 */
Test(gzip, walker_split_invariance)
{
	struct tu_buf t = {0}, g = {0}, tr = {0};
	struct conf c = *tu_conf();
	static const char *const ratios[] = {"2", "3", "4", "5", "8", "20"};

	bomb_text(&t, 120000, 31);
	gzip_of(&g, t.p, t.len, "one.txt", 1);
	gzip_of(&g, t.p, 50000, 0, 0);
	gzip_of(&tr, t.p, t.len, "cut.txt", 0);
	tu_put(&g, tr.p, tr.len / 2);
	expect_walk_invariant(0, &g, 0, "default limits");
	set(&c, "ratio_min_size", "10000");
	for (size_t i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
		set(&c, "max_ratio", ratios[i]);
		expect_walk_invariant(&c, &g, 0, ratios[i]);
	}
	c = *tu_conf();
	set(&c, "max_part_size", "100000");
	expect_walk_invariant(&c, &g, 0, "part size");
	/* small and truncated: every single cut */
	tr.len = 0;
	gzip_of(&tr, t.p, 3000, "s", 1);
	tr.len -= 5;
	expect_walk_invariant(0, &tr, 4096, "small truncated");
	free(t.p);
	free(g.p);
	free(tr.p);
}

/* A truncated stream hands on the full chunk inflate holds: what was
 * inflated is counted as expanded, however the stream was cut. */
Test(gzip, walker_truncated_counts_full_chunks)
{
	struct tu_buf z = {0}, g = {0};
	struct record whole;

	bomb_deflate_repeat(&z, 0, 0, 1 * MiB);
	bomb_gzip_member(&g, &z, 0, 1 * MiB, "zeros", 0);
	g.len = 10 + z.len / 2;
	bomb_walk(&gzip_analyser, 0, g.p, g.len, 0, 0, &whole);
	cr_expect_eq(whole.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&whole));
	cr_expect_eq(whole.expanded % INFL_CHUNK, 0, "%s", tu_record_str(&whole));
	cr_expect_eq(whole.expanded, whole.inflated, "%s", tu_record_str(&whole));
	cr_expect_gt(whole.expanded, 256 * 1024, "%s", tu_record_str(&whole));
	expect_walk_invariant(0, &g, 0, "truncated zeros");
	free(z.p);
	free(g.p);
}
