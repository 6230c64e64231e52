/*
 * test_zipcd - the zip walker's bookkeeping, through its API alone: the
 * table of local headers (counts, growth, lookup, memory), directory
 * entries matched against it (consistent, named twice, overlapping,
 * another offset, name, method or encryption bit, a header never seen,
 * a prefixed archive, a tail), hidden end records in any split, and the
 * end record checks.  The walker's own behaviour is test_zip's.
 */

#include <criterion/criterion.h>
#include <string.h>

#include "acct.h"
#include "zipcd.h"

/* A local header: offset, header length, data length, method, enc, name. */
struct lh {
	uint64_t off;
	uint32_t hdrlen;
	uint64_t data;
	uint16_t method;
	int	enc;
	const char *name;
	int	upath;
};

/* add - put local headers in the table as the walk would */

static void add(struct zipcd *cd, struct acct *a, const struct lh *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cr_assert_not_null(zipcd_add(cd, a, 1000, t[i].off));
		zipcd_local(cd, t[i].hdrlen, t[i].method, t[i].enc, t[i].name,
			    strlen(t[i].name), t[i].upath);
		zipcd_data_end(cd, t[i].off + t[i].hdrlen + t[i].data, t[i].data * 3);
	}
}

/* entry - a directory entry's verdict */

static struct zipcd_verdict entry(struct zipcd *cd, uint64_t lho, uint64_t csize,
				          uint16_t method, int enc, const char *name,
				          uint64_t prefix, int tail)
{
	struct zipcd_dirent d = {
		.lho = lho, .csize = csize, .method = method, .enc = enc,
		.name = name, .nlen = strlen(name),
	};
	struct zipcd_verdict v;

	zipcd_entry(cd, &d, prefix, tail, &v);
	return (v);
}

/* Two members at the start of the stream: a.txt (100 bytes), b.txt (50). */
static const struct lh two[] = {
	{0, 35, 100, 8, 0, "a.txt", 0},
	{135, 35, 50, 0, 0, "b.txt", 0},
};

Test(zipcd, counts_and_lookup)
{
	struct acct a;
	struct zipcd cd = {0};
	struct lh h = {0, 30, 10, 0, 0, "", 0};

	acct_init(&a, 0, 0, 0);
	cr_expect_eq(zipcd_count(&cd), 0);
	cr_expect_null(zipcd_find(&cd, 0));
	for (int i = 0; i < 100; i++) {
		h.off = (uint64_t) i * 40;
		add(&cd, &a, &h, 1);
	}
	cr_expect_eq(zipcd_count(&cd), 100);
	for (int i = 0; i < 100; i++) {
		struct zent *e = zipcd_find(&cd, (uint64_t) i * 40);

		cr_assert_not_null(e);
		cr_expect_eq(e->off, (uint64_t) i * 40);
		cr_expect_eq(e->end, (uint64_t) i * 40 + 40);
	}
	cr_expect_null(zipcd_find(&cd, 41));
	cr_expect_null(zipcd_find(&cd, 4000));
	cr_expect_gt(a.stage_cur[ACCT_ARCHIVE], 100 * sizeof(struct zent) - 1);
	zipcd_free(&cd, &a);
	cr_expect_eq(a.cur, 0);
	cr_expect_eq(zipcd_count(&cd), 0);
}

Test(zipcd, growth_stops_at_max)
{
	struct acct a;
	struct zipcd cd = {0};

	acct_init(&a, 0, 0, 0);
	for (uint64_t i = 0; i < 20; i++)
		cr_assert_not_null(zipcd_add(&cd, &a, 20, i * 30));
	cr_expect_eq(cd.cap, 20);		/* 16, then max, not 32 */
	zipcd_free(&cd, &a);
}

Test(zipcd, add_fails_cleanly)
{
	struct acct a;
	struct zipcd cd = {0};

	acct_init(&a, 0, 0, 1);			/* the first allocation fails */
	cr_expect_null(zipcd_add(&cd, &a, 1000, 0));
	cr_expect_eq(zipcd_count(&cd), 0);
	zipcd_free(&cd, &a);
	cr_expect_eq(a.cur, 0);
}

/* Local header sets. */
static const struct lh t_enc[] = {
	{0, 35, 100, 8, 1, "a.txt", 0},		/* encrypted locally */
	{135, 35, 0, 0, 1, "d/", 0},		/* so, without data */
	{170, 35, 10, 8, 0, "c.txt", 0},
};
static const struct lh t_names[] = {
	{0, 35, 100, 8, 0, "a.txt", 0},
	{135, 35, 2, 8, 0, "b.txt", 0},
	{172, 35, 10, 8, 0, "c.txt", 1},	/* a Unicode Path field */
};
static const struct lh t_prefixed[] = {
	{1000, 35, 100, 8, 0, "a.txt", 0},
	{1135, 35, 50, 8, 0, "b.txt", 0},
};

/* A directory entry and what zipcd_entry must answer. */
struct de {
	uint64_t lho, csize;
	uint16_t method;
	int	enc;
	const char *name;
	enum zipcd_action action;
	int	method_differs, name_differs, enc_cd;
	uint64_t known;
};

#define LH(t)	t, sizeof(t) / sizeof(t[0])

/* Each case: local headers, where the archive is, entries in order. */
static const struct entry_case {
	const char *what;
	const struct lh *lh;
	size_t	nlh;
	uint64_t prefix;
	int	tail;
	struct de de[3];
} entry_cases[] = {
	{"consistent", LH(two), 0, 0, {
		{0, 100, 8, 0, "a.txt", ZIPCD_OK, 0, 0, 0, 300},
		{135, 50, 0, 0, "b.txt", ZIPCD_OK, 0, 0, 0, 150}}},
	{"named twice", LH(two), 0, 0, {
		{0, 100, 8, 0, "a.txt", ZIPCD_OK, 0, 0, 0, 300},
		{0, 100, 8, 0, "a.txt", ZIPCD_OVERLAP, 0, 0, 0, 0}}},
	{"named twice, prefixed", LH(t_prefixed), 1000, 0, {
		{1135, 50, 8, 0, "b.txt", ZIPCD_OK, 0, 0, 0, 150},
		{135, 50, 8, 0, "b.txt", ZIPCD_FINDING, 0, 0, 0, 0}}},
	/* data that runs over the next header: overlapping members */
	{"overlapping", LH(two), 0, 0, {
		{0, 101, 8, 0, "a.txt", ZIPCD_OVERLAP, 0, 0, 0, 0},
		{135, 51, 0, 0, "b.txt", ZIPCD_OVERLAP, 0, 0, 0, 0}}},
	{"overlapping, found by scanning", LH(two), 7, 0, {
		{0, 101, 8, 0, "a.txt", ZIPCD_FINDING, 0, 0, 0, 0}}},
	{"overlapping, in a tail", LH(two), 0, 1, {
		{0, 500, 8, 0, "a.txt", ZIPCD_FINDING, 0, 0, 0, 0}}},
	/* another offset, or one inside a member's data (quoted overlap) */
	{"no local header", LH(two), 0, 0, {
		{1, 10, 8, 0, "a.txt", ZIPCD_OVERLAP, 0, 0, 0, 0},
		{60, 10, 8, 0, "q.txt", ZIPCD_OVERLAP, 0, 0, 0, 0}}},
	{"no local header, in a tail", LH(two), 0, 1, {
		{60, 10, 8, 0, "q.txt", ZIPCD_UNVERIFIABLE, 0, 0, 0, 0}}},
	{"no local header, found by scanning", LH(two), 5, 0, {
		{60, 10, 8, 0, "q.txt", ZIPCD_FINDING, 0, 0, 0, 0}}},
	{"another name and method", LH(t_names), 0, 0, {
		{0, 100, 0, 0, "A.txt", ZIPCD_OK, 1, 1, 0, 300},
		{135, 2, 0, 0, "b.txt", ZIPCD_OK, 0, 0, 0, 6},	/* no data to differ */
		{172, 10, 8, 0, "other", ZIPCD_OK, 0, 0, 0, 30}}},
	{"encrypted locally only", LH(t_enc), 0, 0, {
		{0, 100, 8, 0, "a.txt", ZIPCD_OVERLAP, 0, 0, 0, 0},
		{0, 100, 8, 1, "a.txt", ZIPCD_OK, 0, 0, 0, 300},
		{135, 0, 0, 0, "d/", ZIPCD_OK, 0, 0, 0, 0}}},
	{"encrypted in the directory only", LH(t_enc), 0, 0, {
		{170, 10, 8, 1, "c.txt", ZIPCD_OK, 0, 0, 1, 30},
		{999, 10, 8, 1, "x", ZIPCD_OVERLAP, 0, 0, 1, 0}}},
	{"prefixed offsets", LH(t_prefixed), 1000, 0, {
		{0, 100, 8, 0, "a.txt", ZIPCD_OK, 0, 0, 0, 300},
		{1135, 50, 8, 0, "b.txt", ZIPCD_OK, 0, 0, 0, 150}}},
};

Test(zipcd, entries)
{
	for (size_t i = 0; i < sizeof(entry_cases) / sizeof(entry_cases[0]); i++) {
		const struct entry_case *tc = &entry_cases[i];
		struct acct a;
		struct zipcd cd = {0};

		acct_init(&a, 0, 0, 0);
		add(&cd, &a, tc->lh, tc->nlh);
		for (size_t j = 0; j < 3 && tc->de[j].name; j++) {
			const struct de *d = &tc->de[j];
			struct zipcd_verdict v = entry(&cd, d->lho, d->csize, d->method,
						       d->enc, d->name, tc->prefix, tc->tail);

			cr_expect_eq(v.action, d->action, "%s, entry %zu", tc->what, j);
			cr_expect_eq(v.method, d->method_differs, "%s, entry %zu", tc->what, j);
			cr_expect_eq(v.name, d->name_differs, "%s, entry %zu", tc->what, j);
			cr_expect_eq(v.enc_cd, d->enc_cd, "%s, entry %zu", tc->what, j);
			cr_expect_eq(v.known, d->known, "%s, entry %zu", tc->what, j);
			if (d->action == ZIPCD_OK) {
				struct zent *e = zipcd_find(&cd, d->lho + tc->prefix);

				if (e == 0)
					e = zipcd_find(&cd, d->lho);
				cr_expect(e && e->ref, "%s, entry %zu", tc->what, j);
			}
		}
		zipcd_free(&cd, &a);
		cr_expect_eq(a.cur, 0, "%s", tc->what);
	}
}

/* An end record: one disk, nt entries, a directory of size at off. */
static void eocd(uint8_t *h, unsigned nt, uint32_t size, uint32_t off)
{
	memset(h, 0, 22);
	h[0] = 'P', h[1] = 'K', h[2] = 5, h[3] = 6;
	h[8] = h[10] = (uint8_t) nt;
	h[9] = h[11] = (uint8_t) (nt >> 8);
	for (int i = 0; i < 4; i++) {
		h[12 + i] = (uint8_t) (size >> (8 * i));
		h[16 + i] = (uint8_t) (off >> (8 * i));
	}
}

/* hide - data of n bytes with an end record at 'at' in it, split by step */

static void hide(struct zipcd *cd, uint8_t *buf, size_t n, size_t step)
{
	for (size_t i = 0; i < n; i += step)
		zipcd_hidden(cd, buf + i, n - i < step ? n - i : step, 1000 + i);
}

Test(zipcd, hidden_end_record_any_split)
{
	static const size_t steps[] = {1, 2, 3, 7, 21, 22, 23, 4096};
	uint8_t buf[600];
	struct acct a;

	acct_init(&a, 0, 0, 0);
	memset(buf, 'P', sizeof(buf));
	eocd(buf + 400, 2, 92, 0);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct zipcd cd = {0};

		zipcd_gap(&cd, 1000);
		hide(&cd, buf, sizeof(buf), steps[s]);
		cr_expect_eq(cd.hidden, 1400 + 1, "split %zu", steps[s]);
		/* no local header: a finding only */
		cr_expect_eq(zipcd_hidden_end(&cd, 1600, 0, 0), ZIPCD_FINDING);
		add(&cd, &a, two, 1);
		cr_expect_eq(zipcd_hidden_end(&cd, 1600, 0, 0), ZIPCD_OVERLAP);
		cr_expect_eq(zipcd_hidden_end(&cd, 1600, 9, 0), ZIPCD_FINDING);
		cr_expect_eq(zipcd_hidden_end(&cd, 1600, 0, 1), ZIPCD_FINDING);
		/* too far from the end for an extractor to find */
		cr_expect_eq(zipcd_hidden_end(&cd, 1400 + 22 + 65536, 0, 0), ZIPCD_OK);
		/* a later end record the walk read is the one taken */
		zipcd_eocd(&cd, 1500);
		cr_expect_eq(zipcd_hidden_end(&cd, 1600, 0, 0), ZIPCD_OK);
		zipcd_free(&cd, &a);
	}
}

Test(zipcd, hidden_end_record_not_plausible)
{
	uint8_t buf[100];
	struct zipcd cd = {0};

	memset(buf, 0, sizeof(buf));
	eocd(buf + 10, 0, 0, 0);		/* no entries */
	eocd(buf + 40, 2, 10, 0);		/* directory too small */
	eocd(buf + 70, 2, 92, 2000);		/* directory after it */
	hide(&cd, buf, sizeof(buf), 5);
	cr_expect_eq(cd.hidden, 0);
	cr_expect_eq(zipcd_hidden_end(&cd, 1100, 0, 0), ZIPCD_OK);
}

Test(zipcd, hidden_bytes_once_and_gaps)
{
	uint8_t buf[22];
	struct zipcd cd = {0};

	eocd(buf, 1, 46, 0);
	zipcd_gap(&cd, 1000);
	zipcd_hidden(&cd, buf, 10, 1000);
	zipcd_hidden(&cd, buf + 10, 12, 2000);	/* a gap: the candidate goes */
	cr_expect_eq(cd.hidden, 0);
	zipcd_hidden(&cd, buf, 22, 3000);
	cr_expect_eq(cd.hidden, 3001);
	cd.hidden = 0;
	zipcd_hidden(&cd, buf, 22, 3000);	/* looked at already */
	cr_expect_eq(cd.hidden, 0);
}

Test(zipcd, end_record_checks)
{
	uint8_t h[22];

	eocd(h, 3, 138, 0);
	cr_expect(zipcd_eocd_plausible(h));
	h[4] = 1;				/* another disk */
	cr_expect(!zipcd_eocd_plausible(h));
	eocd(h, 3, 138, 0);
	h[8] = 2;				/* entries here and in all differ */
	cr_expect(!zipcd_eocd_plausible(h));
	eocd(h, 3, 138, 0);
	cr_expect(zipcd_tail_eocd_ok(h, 5000, 4000));
	cr_expect(!zipcd_tail_eocd_ok(h, 4100, 4000));	/* reaches back */
	cr_expect(!zipcd_tail_eocd_ok(h, 100, 0));	/* before the stream */
	eocd(h, 3, 0xffffffff, 0);			/* Zip64: elsewhere */
	cr_expect(!zipcd_tail_eocd_ok(h, 5000, 0));
}
