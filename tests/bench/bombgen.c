/*
 * bombgen - write the archive benchmark's inputs into a folder, built at
 * run time with the tests' bomb builder (tests/bombs.c): nothing binary
 * is committed.
 *
 *	bombgen DIR
 *
 * DIR/bomb-NAME.eml	every bomb of the archive tests, as an attachment
 * DIR/ordinary.eml	a base64 zip of ten ordinary text files
 * DIR/ordinary.zip	the same zip, for the zlib-alone reference
 * DIR/depth-N.eml	benign zips nested N deep (N = 1..4)
 *
 *	bombgen --zlib FILE.zip
 *
 * inflates every member of a zip that bombgen wrote (no descriptors, no
 * prefix) with zlib alone, into an 8 KiB buffer, best of 5, and prints
 * "zlib_ms=..." - the reference the engine is compared with.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "bombs.h"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

static const char *dir;

/* out - one archive as a message attachment */

static void out(const char *name, struct tu_buf *a, const char *ctype,
		        const char *fname, const char *cte)
{
	struct tu_buf m = {0};
	char    path[4096];
	FILE   *fp;

	tu_message_attach(&m, ctype, fname, cte, a->p, a->len);
	snprintf(path, sizeof(path), "%s/%s.eml", dir, name);
	if ((fp = fopen(path, "wb")) == 0 || fwrite(m.p, 1, m.len, fp) != m.len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
	free(m.p);
	a->len = 0;
}

/* bombs - every bomb shape of the archive tests */

static void bombs(void)
{
	struct tu_buf a = {0}, d = {0}, t = {0};
	struct bomb_zip z = {0};
	static const uint8_t zero[1 << 16];

	bomb_zip_nested(&a, 4, 16, 4 * MiB);
	out("bomb-zip-42-style", &a, "application/zip", "42.zip", "base64");
	bomb_zip_nested(&a, 5, 16, 4 * MiB);
	out("bomb-zip-42-style-5-layers", &a, "application/zip", "42.zip", "base64");
	bomb_zip_overlap_full(&a, 1000, 900 * 1024, 0);
	out("bomb-zip-overlap-full", &a, "application/zip", "o.zip", "base64");
	bomb_zip_overlap_quoted(&a, 1000, 900 * 1024);
	out("bomb-zip-overlap-quoted", &a, "application/zip", "q.zip", "base64");
	bomb_zip_overlap_quoted(&a, 250, 21 * MiB);
	out("bomb-zip-overlap-zbsm-like", &a, "application/zip", "q.zip", "base64");
	bomb_zip_overlap_full(&a, 300, 900 * 1024, 1);
	out("bomb-zip-overlap-zip64", &a, "application/zip", "z64.zip", "base64");

	bomb_deflate_repeat(&d, 0, 0, 2 * GiB);
	bz_deflated(&z, "zeros.bin", &d, 2 * GiB, 2 * GiB, 1);
	bz_close(&z, 0);
	tu_put(&a, z.b.p, z.b.len);
	out("bomb-zip-data-descriptor", &a, "application/zip", "dd.zip", "base64");
	tu_put(&a, z.b.p, z.b.len);
	out("bomb-zip-text-plain-qp-noname", &a, "text/plain", 0, "quoted-printable");
	bz_free(&z);

	d.len = 0;
	bomb_deflate_repeat(&d, "lie", 3, 1 * GiB);
	bz_deflated(&z, "small.txt", &d, 1 * GiB, 1000, 0);
	bz_close(&z, 0);
	tu_put(&a, z.b.p, z.b.len);
	bz_free(&z);
	out("bomb-zip-understated", &a, "application/zip", "u.zip", "base64");

	d.len = 0;
	bomb_deflate_repeat(&d, "<c r=\"A1\"><v>0</v></c>", 22, 3 * GiB);
	bz_file(&z, "[Content_Types].xml", (const uint8_t *) "<Types/>", 8, 8, 0);
	bz_deflated(&z, "xl/worksheets/sheet1.xml", &d, 3 * GiB, 3 * GiB, 1);
	bz_close(&z, 1);
	tu_put(&a, z.b.p, z.b.len);
	bz_free(&z);
	out("bomb-xlsx", &a, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    "b.xlsx", "base64");

	bomb_gzip_zeros(&a, 10 * GiB, 1);
	out("bomb-gzip-10GiB", &a, "application/gzip", "z.gz", "base64");
	bomb_gzip_zeros(&a, 4 * GiB + 1000, 1);
	out("bomb-gzip-isize-wrapped", &a, "application/gzip", "w.gz", "base64");
	bomb_gzip_zeros(&a, 2 * GiB, 2000);
	out("bomb-gzip-2000-members", &a, "application/gzip", "m.gz", "base64");

	bomb_tar_header(&t, "big/zeros.img", '0', 3 * GiB, 0);
	for (int i = 0; i < 16; i++)
		tu_put(&t, zero, sizeof(zero));
	d.len = 0;
	bomb_deflate(&d, t.p, t.len);
	bomb_gzip_member(&a, &d, 0, t.len, "big.tar", 0);
	out("bomb-tar-gz-huge-member", &a, "application/gzip", "b.tgz", "base64");
	free(a.p), free(d.p), free(t.p);
}

/* ordinary - ten text files in a zip, and the zip alone */

static void ordinary(void)
{
	struct bomb_zip z = {0};
	struct tu_buf t = {0};
	char    path[4096];
	FILE   *fp;

	bomb_text(&t, 4 << 20, 1);
	for (int i = 0; i < 10; i++) {
		char    n[32];

		snprintf(n, sizeof(n), "doc%d.txt", i);
		bz_file(&z, n, t.p + i * 1000, (4 << 20) - 10000, 8, 0);
	}
	bz_close(&z, 0);
	out("ordinary", &z.b, "application/zip", "docs.zip", "base64");
	bz_free(&z);
	memset(&z, 0, sizeof(z));
	for (int i = 0; i < 10; i++) {
		char    n[32];

		snprintf(n, sizeof(n), "doc%d.txt", i);
		bz_file(&z, n, t.p + i * 1000, (4 << 20) - 10000, 8, 0);
	}
	bz_close(&z, 0);
	snprintf(path, sizeof(path), "%s/ordinary.zip", dir);
	if ((fp = fopen(path, "wb")) == 0 || fwrite(z.b.p, 1, z.b.len, fp) != z.b.len || fclose(fp)) {
		perror(path);
		exit(1);
	}
	bz_free(&z);
	free(t.p);
}

/* depths - benign zips nested 1..4 deep, a small text at the bottom */

static void depths(void)
{
	struct tu_buf cur = {0}, t = {0};

	bomb_text(&t, 200000, 7);
	tu_put(&cur, t.p, t.len);
	for (int depth = 1; depth <= 4; depth++) {
		struct bomb_zip z = {0};
		char    name[32];

		bz_file(&z, depth == 1 ? "leaf.txt" : "inner.zip", cur.p, cur.len, 8, 0);
		bz_close(&z, 0);
		cur.len = 0;
		tu_put(&cur, z.b.p, z.b.len);
		bz_free(&z);
		snprintf(name, sizeof(name), "depth-%d", depth);
		{
			struct tu_buf copy = {0};

			tu_put(&copy, cur.p, cur.len);
			out(name, &copy, "application/zip", "nest.zip", "base64");
			free(copy.p);
		}
	}
	free(cur.p), free(t.p);
}

/* now_ms - a monotonic clock */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* zlib_alone - inflate every member of a zip bombgen wrote */

static int zlib_alone(const char *path)
{
	size_t  len;
	uint8_t *zip = tu_read_file(path, &len);
	static uint8_t outbuf[8192];
	double  best = 1e18;
	uint64_t total = 0;

	if (zip == 0) {
		perror(path);
		return (1);
	}
	for (int rep = 0; rep < 5; rep++) {
		double  t0 = now_ms();
		size_t  off = 0;

		total = 0;
		while (off + 30 <= len && memcmp(zip + off, "PK\3\4", 4) == 0) {
			const uint8_t *h = zip + off;
			uint32_t csize = h[18] | h[19] << 8 | h[20] << 16 | (uint32_t) h[21] << 24;
			size_t  hl = 30 + (h[26] | h[27] << 8) + (h[28] | h[29] << 8);
			z_stream s;
			int     r;

			memset(&s, 0, sizeof(s));
			inflateInit2(&s, -15);
			s.next_in = (Bytef *) h + hl;
			s.avail_in = csize;
			do {
				s.next_out = outbuf;
				s.avail_out = sizeof(outbuf);
				r = inflate(&s, Z_NO_FLUSH);
				total += sizeof(outbuf) - s.avail_out;
			} while (r == Z_OK);
			inflateEnd(&s);
			off += hl + csize;
		}
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
	}
	printf("zlib_ms=%.3f inflated=%llu\n", best, (unsigned long long) total);
	free(zip);
	return (0);
}

int     main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--zlib") == 0)
		return (zlib_alone(argv[2]));
	if (argc != 2) {
		fprintf(stderr, "usage: bombgen DIR | bombgen --zlib FILE.zip\n");
		return (2);
	}
	dir = argv[1];
	bombs();
	ordinary();
	depths();
	return (0);
}
