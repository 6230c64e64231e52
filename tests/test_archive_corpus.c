/*
 * test_archive_corpus - every file of ../shared/corpus/archives, wrapped
 * as a base64 attachment, meets the expectation of its class in
 * MANIFEST.tsv:
 *
 *	normal, not-an-archive	accepted
 *	bomb			zbsm.zip and droste.zip rejected; every
 *				10GB.*.bz2 rejected as it is (defuse decodes
 *				bzip2), 10GB.zip.bz2 and 10GB.gz.bz2 also once
 *				the outer bzip2 is removed (by bzip2 -dc,
 *				bounded); the others (opaque formats, the AES
 *				42.zip) get a verdict
 *	malformed, encrypted,	a verdict, quickly, in bounded memory
 *	declared-large
 *
 * and gets the same record fed whole, in random chunks and (small
 * files) byte by byte.  Two "normal" files are hostile on closer look
 * and are rejected on purpose, see EXCEPTIONS.  Without the corpus the
 * tests say so and skip.
 */

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bombs.h"
#include "testutil.h"

#define MiB	(1024ull * 1024)

/*
 * Files whose MANIFEST class is "normal" (Python looked one level deep)
 * but that defuse rejects by design.
 */
static const struct {
	const char *path;
	enum reason reason;
	const char *why;
} exceptions[] = {
	{"libarchive/decoded/libarchive/test_read_too_many_filters.gz", REASON_ARCHIVE_DEPTH,
	 "a gzip quine: it inflates to itself forever (like droste.zip)"},
	{"go-archive-tar/pax-bad-hdr-large.tar.bz2", REASON_RATIO,
	 "156 bytes of bzip2 that expand to a 1 MiB tar (6,738:1), a pax name "
	 "of a million X's: past ratio_min_size, more than max_ratio; its "
	 "outer bzip2 was opaque to defuse before session 7"},
	{"go-archive-tar/pax-sparse-big.tar", REASON_PART_SIZE,
	 "a pax sparse file declaring 60 GB (GNU.sparse.realsize), the pax twin "
	 "of gnu-sparse-big.tar, which the corpus calls declared-large"},
};

struct tally {
	unsigned files, accepted, rejected, tempfailed;
};

static struct tally tallies[8];
static const char *const classes[] = {
	"normal", "not-an-archive", "bomb", "malformed", "encrypted", "declared-large",
	"uu-source", 0,
};

static int class_index(const char *c)
{
	for (int i = 0; classes[i]; i++)
		if (strcmp(classes[i], c) == 0)
			return (i);
	return (-1);
}

/* bunzip - the outer bzip2 of a corpus bomb removed, at most max bytes */

static uint8_t *bunzip(const char *path, size_t max, size_t *len)
{
	char    cmd[16384 + 64];
	uint8_t *buf = malloc(max);
	FILE   *fp;
	size_t  n;

	if (buf == 0)
		return (NULL);
	snprintf(cmd, sizeof(cmd), "bzip2 -dc '%s' 2>/dev/null", path);
	if ((fp = popen(cmd, "r")) == 0) {
		free(buf);
		return (NULL);
	}
	n = fread(buf, 1, max, fp);
	pclose(fp);
	*len = n;
	return (buf);
}

static struct record scan_file(const struct conf *conf, const uint8_t *p, size_t n)
{
	struct record r;

	bomb_scan(conf, "application/octet-stream", "file.bin", "base64", p, n, 65536, &r);
	return (r);
}

static void check_split(const char *path, const uint8_t *p, size_t n)
{
	struct tu_buf m = {0};
	struct record whole, other;
	const char *why;

	tu_message_attach(&m, "application/octet-stream", "file.bin", "base64", p, n);
	tu_scan(0, m.p, m.len, 0, 0, &whole);
	for (unsigned seed = 1; seed <= 2; seed++) {
		tu_scan_random(0, m.p, m.len, seed, 3000, &other);
		cr_expect(tu_record_eq(&whole, &other, &why), "%s: seed %u: %s differs\n%s\n%s",
			  path, seed, why, tu_record_str(&whole), tu_record_str(&other));
	}
	if (n <= 16 * 1024) {
		tu_scan(0, m.p, m.len, 1, 0, &other);
		cr_expect(tu_record_eq(&whole, &other, &why), "%s: byte by byte: %s differs",
			  path, why);
	}
	free(m.p);
}

static void check_file(const char *dir, const char *rel, const char *class)
{
	char    path[16384 + 16];
	uint8_t *p;
	size_t  n;
	struct record r;
	int     ci = class_index(class);
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	p = tu_read_file(path, &n);
	cr_assert_not_null(p, "cannot read %s", path);
	r = scan_file(0, p, n);
	cr_assert_geq(ci, 0, "%s: unknown class %s", rel, class);
	tallies[ci].files++;
	if (r.verdict == VERDICT_ACCEPT)
		tallies[ci].accepted++;
	else if (r.verdict == VERDICT_REJECT)
		tallies[ci].rejected++;
	else
		tallies[ci].tempfailed++;

	/* every file: bounded memory, bounded work, no tempfail */
	cr_expect_neq(r.verdict, VERDICT_TEMPFAIL, "%s: %s", rel, tu_record_str(&r));
	/* Own memory under 1 MiB but for the decoders' dictionaries and
	 * windows, which have their cap (max_decoder_memory). */
	cr_expect_lt(r.peak_mem, 1024 * 1024 + r.mem[ACCT_BZIP2] + r.mem[ACCT_XZ] + r.mem[ACCT_ZSTD],
		     "%s: %s", rel, tu_record_str(&r));
	cr_expect_leq(r.mem[ACCT_BZIP2] + r.mem[ACCT_XZ] + r.mem[ACCT_ZSTD],
		      tu_conf()->max_decoder_memory, "%s: %s", rel, tu_record_str(&r));
	cr_expect_leq(r.inflated, tu_conf()->max_message_cost, "%s", rel);
	cr_expect_lt(r.ms, 2000, "%s: %s", rel, tu_record_str(&r));

	for (size_t i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (strcmp(rel, exceptions[i].path) == 0) {
			cr_expect_eq(r.verdict, VERDICT_REJECT, "%s (%s): %s", rel,
				     exceptions[i].why, tu_record_str(&r));
			cr_expect_eq(r.reason, exceptions[i].reason, "%s: %s", rel,
				     tu_record_str(&r));
			goto split;
		}
	if (strcmp(class, "normal") == 0 || strcmp(class, "not-an-archive") == 0) {
		cr_expect_eq(r.verdict, VERDICT_ACCEPT, "%s: %s", rel, tu_record_str(&r));
	} else if (strcmp(class, "bomb") == 0) {
		if (strcmp(base, "zbsm.zip") == 0 || strcmp(base, "droste.zip") == 0)
			cr_expect_eq(r.verdict, VERDICT_REJECT, "%s: %s", rel, tu_record_str(&r));
		if (strcmp(base, "droste.zip") == 0)
			cr_expect_eq(r.reason, REASON_ARCHIVE_DEPTH, "%s: %s", rel,
				     tu_record_str(&r));
		if (strncmp(base, "10GB.", 5) == 0 && strstr(base, ".bz2") != 0) {
			cr_expect_eq(r.verdict, VERDICT_REJECT, "%s: %s", rel, tu_record_str(&r));
			cr_expect_leq(r.inflated, 2 * MiB, "%s: %s", rel, tu_record_str(&r));
		}
		if (strcmp(base, "42.zip") == 0) {
			struct conf c = *tu_conf();
			char    err[128];

			cr_expect(r.findings >> FIND_ARCHIVE_ENCRYPTED & 1, "%s", rel);
			cr_assert_eq(conf_set(&c, "encrypted_archive", "reject", err,
					      sizeof(err)), 0);
			r = scan_file(&c, p, n);
			cr_expect_eq(r.reason, REASON_ENCRYPTED, "%s: %s", rel,
				     tu_record_str(&r));
		}
		if (strcmp(base, "10GB.zip.bz2") == 0 || strcmp(base, "10GB.gz.bz2") == 0) {
			size_t  un;
			uint8_t *u = bunzip(path, 64 * MiB, &un);

			cr_assert(u != 0 && un > 0, "%s: bzip2 -dc failed", rel);
			r = scan_file(0, u, un);
			cr_expect_eq(r.verdict, VERDICT_REJECT, "%s unpacked (%zu bytes): %s",
				     rel, un, tu_record_str(&r));
			cr_expect_leq(r.inflated, tu_conf()->max_message_cost, "%s", rel);
			cr_expect_lt(r.ms, 2000, "%s: %s", rel, tu_record_str(&r));
			fprintf(stderr, "%s unpacked: %s\n", rel, tu_record_str(&r));
			free(u);
		}
	} else if (strcmp(class, "encrypted") == 0) {
		cr_expect(r.verdict == VERDICT_ACCEPT || r.reason == REASON_ENCRYPTED
			  || r.reason == REASON_PART_SIZE || r.reason == REASON_MESSAGE_COST,
			  "%s: %s", rel, tu_record_str(&r));
	}
split:
	check_split(rel, p, n);
	free(p);
}

Test(archive_corpus, every_file_meets_its_class, .timeout = 600)
{
	const char *corpus = tu_corpus();
	char    dir[4096], path[4096 + 32], line[8192];
	FILE   *fp;

	if (corpus == 0) {
		fprintf(stderr, "test_archive_corpus: the shared corpus is absent: skipped\n");
		cr_skip_test("the shared corpus (../shared/corpus) is absent: skipped");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/archives", corpus);
	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "cannot open %s", path);
	while (fgets(line, sizeof(line), fp)) {
		char   *f[5], *s = line;
		int     nf = 0;

		line[strcspn(line, "\n")] = 0;
		while (nf < 5 && (f[nf] = strsep(&s, "\t")) != 0)
			nf++;
		if (nf < 4 || strcmp(f[0], "path") == 0 || strcmp(f[3], "uu-source") == 0)
			continue;
		check_file(dir, f[0], f[3]);
	}
	fclose(fp);
	for (int i = 0; classes[i]; i++)
		if (tallies[i].files)
			fprintf(stderr, "archive corpus: %-15s %3u files: %3u accepted, "
				"%3u rejected, %u tempfailed\n", classes[i], tallies[i].files,
				tallies[i].accepted, tallies[i].rejected, tallies[i].tempfailed);
	cr_expect_gt(tallies[0].files, 100, "the manifest lists the normal files");
}
