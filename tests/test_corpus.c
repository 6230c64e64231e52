/*
 * test_corpus - every message of ../shared/corpus/mime (real mail from
 * nine public MIME test suites) is accepted with the default limits,
 * and its record is the same fed whole, byte by byte, in random chunks
 * and the milter's way.  mime-edge/ gets a defined verdict.  Without
 * the corpus the tests say so and skip (.ci/run refuses that).
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef void (*corpus_fn)(const char *path, const uint8_t *, size_t);

static int each_message(const char *sub, const char *manifest, corpus_fn fn)
{
	const char *corpus = tu_corpus();
	char    path[8192], line[4096];
	FILE   *fp;
	int     n = 0;

	if (corpus == 0) {
		cr_skip_test("the shared corpus (../shared/corpus) is absent: skipped");
		return (0);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", corpus, sub, manifest);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp)) {
		char   *tab = strchr(line, '\t');
		uint8_t *buf;
		size_t  len;

		if (tab == 0 || strncmp(line, "path\t", 5) == 0)
			continue;
		*tab = 0;
		snprintf(path, sizeof(path), "%s/%s/%s", corpus, sub, line);
		buf = tu_read_file(path, &len);
		cr_assert_not_null(buf, "cannot read %s", path);
		fn(path, buf, len);
		free(buf);
		n++;
	}
	fclose(fp);
	return (n);
}

static void accepted(const char *path, const uint8_t *p, size_t n)
{
	struct record r;

	tu_scan(0, p, n, 65536, 0, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s: %s", path, tu_record_str(&r));
	cr_expect_eq(r.raw, n, "%s", path);
	/* Under 256 KiB but for the dictionaries and windows of xz, zstd
	 * and bzip2 attachments (gargantua.eml carries all three), which
	 * have their own cap. */
	cr_expect_lt(r.peak_mem, 256 * 1024 + r.mem[ACCT_BZIP2] + r.mem[ACCT_XZ] + r.mem[ACCT_ZSTD],
		     "%s: %s", path, tu_record_str(&r));
	cr_expect_leq(r.mem[ACCT_BZIP2] + r.mem[ACCT_XZ] + r.mem[ACCT_ZSTD],
		      tu_conf()->max_decoder_memory, "%s: %s", path, tu_record_str(&r));
}

Test(corpus, mime_all_accepted, .timeout = 600)
{
	int     n = each_message("mime", "MANIFEST.tsv", accepted);

	cr_expect_geq(n, 300, "only %d messages in the manifest", n);
}

static void split_invariant(const char *path, const uint8_t *p, size_t n)
{
	struct record whole, r;
	const char *why;

	tu_scan(0, p, n, 0, 0, &whole);
	tu_scan(0, p, n, 1, 0, &r);
	cr_expect(tu_record_eq(&whole, &r, &why), "%s: byte by byte differs in %s\n %s\n %s",
		  path, why, tu_record_str(&whole), tu_record_str(&r));
	for (unsigned seed = 1; seed <= 3; seed++) {
		tu_scan_random(0, p, n, seed, 1 + seed * 700, &r);
		cr_expect(tu_record_eq(&whole, &r, &why), "%s: random split %u differs in %s", path, seed, why);
	}
}

Test(corpus, mime_split_invariant, .timeout = 900)
{
	each_message("mime", "MANIFEST.tsv", split_invariant);
}

static void milter_way(const char *path, const uint8_t *p, size_t n)
{
	struct record r;

	tu_scan_milter(0, p, n, 65536, &r);
	cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s: %s", path, tu_record_str(&r));
}

Test(corpus, mime_milter_way_accepted, .timeout = 600)
{
	each_message("mime", "MANIFEST.tsv", milter_way);
}

static void defined(const char *path, const uint8_t *p, size_t n)
{
	struct record r;

	tu_scan(0, p, n, 1, 0, &r);
	cr_expect(r.verdict == VERDICT_ACCEPT || r.verdict == VERDICT_REJECT, "%s: %s", path,
		  tu_record_str(&r));
	cr_expect_lt(r.peak_mem, 256 * 1024);
}

Test(corpus, mime_edge_defined)
{
	cr_expect_geq(each_message("mime-edge", "EXPECTED.tsv", defined), 1);
}
