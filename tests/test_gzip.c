/*
 * test_gzip - the gzip walker through the whole engine: single-member
 * and many-member bombs, an ISIZE that wrapped past 4 GiB, header
 * fields (FEXTRA, FNAME, FCOMMENT, FHCRC), reserved flags, trailing
 * bytes, a tar inside, split invariance and allocation failures; and the
 * longest reading: bombs after NUL padding, after or with reserved flags,
 * after junk, corrupt data or a refused header, behind junk in any
 * attachment (what python3, gunzip, zcat, 7z and bsdcat did is below).
 */

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bombs.h"
#include "testutil.h"
#include "gzip.h"
#include "codec.h"

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
	cr_expect_eq(whole.expanded % CODEC_CHUNK, 0, "%s", tu_record_str(&whole));
	cr_expect_eq(whole.expanded, whole.inflated, "%s", tu_record_str(&whole));
	cr_expect_gt(whole.expanded, 256 * 1024, "%s", tu_record_str(&whole));
	expect_walk_invariant(0, &g, 0, "truncated zeros");
	free(z.p);
	free(g.p);
}

/* --- the longest reading: what some reader goes on to read ------------- */

/*
 * What real readers did, checked here on files of the same shapes as the
 * cases below (text member T of 12000 bytes, a member Z of 200 MiB of
 * zeros; python3 3.11 `gzip.open(f).read(1 << 20)` in a loop, gzip 1.12
 * `gunzip -c` and `zcat`, p7zip 16.02 `7z x -so`, libarchive 3.6
 * `bsdcat` (bsdtar -xOf on a tar split across two members agrees with
 * bsdcat: a truncated tar wherever bsdcat stops after the first member)):
 *
 *   T, 1 / 4 / 13 / 4096 NULs, Z     python reads Z (it skips NULs after a
 *                                    member: Lib/gzip.py _read_eof);
 *                                    gunzip, zcat, 7z, bsdcat stop after T
 *                                    ("trailing garbage ignored")
 *   Z with flag 0x20, 0x40 or 0x80   python reads Z (_read_gzip_header
 *                                    ignores reserved bits); gunzip
 *                                    ("encrypted -- not supported"), zcat,
 *                                    7z read nothing; bsdcat passes the
 *                                    raw bytes through (no gzip)
 *   T with flag 0x20, then Z         python reads T and Z; 7z reads Z
 *                                    (offset 0 is no gzip to it, so it
 *                                    searches for a gzip signature further
 *                                    on and opens Z there); gunzip nothing
 *   JUNK, Z  /  1f 8b 07 header, Z   7z reads Z (the same search); python,
 *   1f 8b 08 00 + junk data, Z       gunzip, zcat, bsdcat read nothing
 *   T, JUNK, Z  /  T, 00 00 junk, Z  nobody reads Z: gunzip, zcat, 7z,
 *   T, 1f, Z  /  T, 1f 8b 07.., Z    bsdcat stop after T; python raises
 *   T with a bad CRC, Z              bsdcat reads Z (libarchive does not
 *                                    check it); the others stop at T
 *
 * So defuse reads a reserved-flag member, skips NUL padding, and after
 * anything it cannot read (junk, a header it refuses, corrupt data) looks
 * for the next gzip signature, 1f 8b 08, and reads on from there: the
 * union of these readings, plus the junk case nobody reads, which costs
 * nothing to follow.
 */

static void gzip_flagged(struct tu_buf *out, const struct tu_buf *d, uint32_t crc,
			         uint64_t usize, uint8_t flags)
{
	size_t  at = out->len;

	bomb_gzip_member(out, d, crc, usize, 0, 0);
	out->p[at + 3] |= flags;
}

static void zeros_member(struct tu_buf *out, uint64_t usize, uint8_t flags)
{
	struct tu_buf d = {0};

	bomb_deflate_repeat(&d, 0, 0, usize);
	gzip_flagged(out, &d, bomb_crc_repeat(0, 0, usize), usize, flags);
	free(d.p);
}

static void walk(const struct conf *conf, const struct tu_buf *g, struct record *r)
{
	bomb_walk(&gzip_analyser, conf, g->p, g->len, 0, 0, r);
}

Test(gzip, bomb_after_zero_padding_rejected)
{
	static const size_t pads[] = {1, 4, 13, 4096};
	struct tu_buf t = {0}, g = {0};
	struct record r;

	bomb_text(&t, 12000, 40);
	for (size_t i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		g.len = 0;
		gzip_of(&g, t.p, t.len, "t.txt", 0);
		for (size_t k = 0; k < pads[i]; k++)
			tu_put(&g, "", 1);
		zeros_member(&g, 1 * GiB, 0);
		r = scan(0, &g);
		expect_bomb(0, &r, REASON_RATIO, "zero padding, then a bomb");
		cr_expect_lt(r.inflated, 3 * MiB, "%s", tu_record_str(&r));
		cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%zu NULs: %s", pads[i],
			  tu_record_str(&r));
	}
	/* padding then a small member: read, and the same in any split */
	g.len = 0;
	gzip_of(&g, t.p, t.len, "t.txt", 0);
	tu_put(&g, "\0\0\0\0\0\0\0", 7);
	gzip_of(&g, t.p, 3000, 0, 0);
	walk(0, &g, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.inflated, 15000, "%s", tu_record_str(&r));
	expect_walk_invariant(0, &g, 1 << 16, "padding between members");
	free(t.p);
	free(g.p);
}

Test(gzip, reserved_flag_member_is_inflated)
{
	static const uint8_t flags[] = {0x20, 0x40, 0x80, 0xe0};
	struct tu_buf t = {0}, d = {0}, g = {0};
	struct record r;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		g.len = 0;
		zeros_member(&g, 1 * GiB, flags[i]);
		r = scan(0, &g);
		expect_bomb(0, &r, REASON_RATIO, "a bomb with a reserved flag");
		cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s", tu_record_str(&r));
	}
	/* a member with a reserved flag, then a bomb */
	bomb_text(&t, 12000, 41);
	bomb_deflate(&d, t.p, t.len);
	g.len = 0;
	gzip_flagged(&g, &d, (uint32_t) crc32(0, t.p, (uInt) t.len), t.len, 0x20);
	zeros_member(&g, 1 * GiB, 0);
	r = scan(0, &g);
	expect_bomb(0, &r, REASON_RATIO, "reserved flag, then a bomb");
	/* both read, in any split */
	g.len = 0;
	gzip_flagged(&g, &d, 0, t.len, 0x40);
	gzip_of(&g, t.p, 5000, 0, 0);
	walk(0, &g, &r);
	cr_expect_eq(r.inflated, 17000, "%s", tu_record_str(&r));
	expect_walk_invariant(0, &g, 1 << 16, "reserved flag, then a member");
	free(t.p);
	free(d.p);
	free(g.p);
}

/* what cannot be read is skipped to the next signature (7-Zip's search) */

Test(gzip, bomb_after_junk_rejected)
{
	struct tu_buf t = {0}, g = {0}, z = {0};
	struct record r;
	static const uint8_t badmeth[10] = {0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 0xff};
	/* deflate data that fails at once: block type 3 */
	static const uint8_t baddata[16] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff,
	0x07, 'j', 'u', 'n', 'k', 0xff};
	const struct {
		const char *what;
		const uint8_t *p;
		size_t	n;
		int	after_text;
	}       cases[] = {
		{"JUNK first", (const uint8_t *) "JUNK", 4, 0},
		{"method 7 first", badmeth, 10, 0},
		{"corrupt data first", baddata, 16, 0},
		{"JUNK after a member", (const uint8_t *) "JUNK", 4, 1},
		{"NULs and junk after a member", (const uint8_t *) "\0\0junk", 6, 1},
		{"1f after a member", (const uint8_t *) "\x1f", 1, 1},
		{"1f 8b after a member", (const uint8_t *) "\x1f\x8b", 2, 1},
		{"method 7 after a member", badmeth, 10, 1},
		{"corrupt data after a member", baddata, 16, 1},
	};

	bomb_text(&t, 12000, 42);
	zeros_member(&z, 1 * GiB, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g.len = 0;
		if (cases[i].after_text)
			gzip_of(&g, t.p, t.len, "t.txt", 0);
		tu_put(&g, cases[i].p, cases[i].n);
		tu_put(&g, z.p, z.len);
		walk(0, &g, &r);
		expect_bomb(0, &r, REASON_RATIO, cases[i].what);
		cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s: %s", cases[i].what,
			  tu_record_str(&r));
		if (cases[i].after_text) {
			r = scan(0, &g);
			expect_bomb(0, &r, REASON_RATIO, cases[i].what);
		}
	}
	free(t.p);
	free(g.p);
	free(z.p);
}

/*
 * The signature search in any split: members after a header refused that
 * starts over inside itself, after junk ending in 1f 8b, after data that
 * fails at once; then data corrupt in mid-block (zlib stops at the same
 * byte however its input is cut: so does the search after it).
 */
Test(gzip, walker_split_invariance_after_junk)
{
	struct tu_buf t = {0}, g = {0}, c = {0};
	struct record r;

	bomb_text(&t, 20000, 43);
	gzip_of(&g, t.p, t.len, 0, 0);
	tu_put(&g, "\x1f\x1f\x8b\x1f\x8b", 5);	/* starts over twice */
	gzip_of(&g, t.p, 4000, "b", 1);
	tu_put(&g, "x\x1fy\x1f\x8b\x08\0\0\0\0\0\0\xff\x07", 14);
	gzip_of(&g, t.p, 3000, 0, 0);
	gzip_of(&c, t.p, t.len, 0, 0);
	memset(c.p + 100, 0xa5, 40);			/* corrupt */
	tu_put(&g, c.p, c.len);
	tu_put(&g, "\0\0junk\x1f", 7);
	walk(0, &g, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_geq(r.inflated, 27000, "%s", tu_record_str(&r));
	cr_expect(r.findings >> FIND_ARCHIVE_MALFORMED & 1, "%s", tu_record_str(&r));
	expect_walk_invariant(0, &g, 1 << 15, "junk between members");
	free(t.p);
	free(g.p);
	free(c.p);
}

/* 7-Zip reads a gzip behind junk in any stream (x.bin of 3000 junk bytes
 * and Z: 7z read Z; so with 100 KB of junk, and behind "%PDF-1.4"): a
 * gzip whose signature is in the sniffing window, or a stream declared
 * gzip, is walked; a tar holding a .gz is still a tar. */
Test(gzip, bomb_behind_junk_in_any_attachment_rejected)
{
	struct tu_buf g = {0}, z = {0}, t = {0}, tar = {0};
	struct record r;
	uint8_t junk[3000];

	zeros_member(&z, 1 * GiB, 0);
	bomb_random(junk, sizeof(junk), 44);
	for (size_t i = 0; i < sizeof(junk); i++)
		if (junk[i] == 0x1f)
			junk[i] = 0x20;
	tu_put(&g, junk, sizeof(junk));
	tu_put(&g, z.p, z.len);
	bomb_scan(0, "application/octet-stream", "x.bin", "base64", g.p, g.len, 65536, &r);
	expect_bomb(0, &r, REASON_RATIO, "3000 junk bytes, then a bomb");
	g.len = 0;
	tu_put(&g, "%PDF-1.4\n", 9);
	tu_put(&g, junk, 500);
	tu_put(&g, z.p, z.len);
	bomb_scan(0, "application/pdf", "x.pdf", "base64", g.p, g.len, 65536, &r);
	expect_bomb(0, &r, REASON_RATIO, "a PDF's head, then a bomb");
	/* declared gzip: junk longer than the window is skipped too */
	g.len = 0;
	for (int i = 0; i < 4; i++)
		tu_put(&g, junk, sizeof(junk));
	tu_put(&g, z.p, z.len);
	bomb_scan(0, "application/x-gzip", "x.gz", "base64", g.p, g.len, 65536, &r);
	expect_bomb(0, &r, REASON_RATIO, "declared gzip, 12000 junk bytes, then a bomb");
	/* a tar holding a gzip stays a tar */
	bomb_text(&t, 3000, 45);
	g.len = 0;
	gzip_of(&g, t.p, t.len, "in.txt", 0);
	bomb_tar_file(&tar, "in.txt.gz", g.p, g.len);
	bomb_tar_end(&tar);
	bomb_scan(0, "application/x-tar", "x.tar", "base64", tar.p, tar.len, 65536, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s", tu_record_str(&r));
	cr_expect_eq(r.archive_depth, 2, "%s", tu_record_str(&r));
	free(g.p);
	free(z.p);
	free(t.p);
	free(tar.p);
}

/* Damage anywhere (flipped bits, junk, cut members): whatever the search
 * finds, it finds in every split. */
Test(gzip, walker_split_invariance_random_damage)
{
	struct tu_buf t = {0}, g = {0};
	uint32_t x = 2463534242u;

	bomb_text(&t, 6000, 46);
	for (int round = 0; round < 60; round++) {
		g.len = 0;
		for (int m = 0; m < 4; m++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			gzip_of(&g, t.p, 200 + x % 5000, x & 1 ? "n" : 0, (int) (x >> 1 & 1));
			if (x >> 2 & 1)
				tu_put(&g, "\0\0\x1f\x8b", 2 + (x >> 3) % 3);
		}
		for (int k = 0; k < 1 + round % 5; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			g.p[x % g.len] ^= (uint8_t) (1u << (x >> 24) % 8);
		}
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		if (round % 3 == 0)
			g.len -= x % 100;
		expect_walk_invariant(0, &g, 0, "random damage");
	}
	free(t.p);
	free(g.p);
}
