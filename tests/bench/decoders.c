/*
 * NAME
 *	decoders 1
 * SUMMARY
 *	micro-benchmark of the base64 and quoted-printable decoders
 * SYNOPSIS
 *	gcc -std=gnu11 -O2 -Imilter/engine -Imilter/engine/decode \e
 *		milter/engine/decode/base64.c milter/engine/decode/qp.c \e
 *		tests/bench/decoders.c -o decoders
 *
 *	decoders [megabytes [file.b64]]
 * DESCRIPTION
 *	Generates about megabytes (default 100) MB of base64 (random bytes,
 *	76-character lines, CRLF) and twice as much quoted-printable (random
 *	lower-case words, one blank in seven bytes, one escape in ten, or in
 *	a hundred, soft breaks at 76 columns), then prints the input rate in
 *	MB/s (10^6 bytes per second, best of five runs) of base64 decode,
 *	base64 count (no sink) and qp decode.  The input is
 *	fed in 64 KiB chunks, as the milter receives it.  With a file, the
 *	base64 figures are measured on its contents instead (for comparison
 *	with base64 -d on the same file).
 * BUGS
 *	Not a test: it checks only that decode and count agree.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "qp.h"

#define CHUNK	65536
#define RUNS	5

static uint64_t bench_sum;

/* bench_sink - consume the output so that it is not optimised away */

static int bench_sink(void *ctx, const uint8_t *p, size_t n)
{
	(void) ctx;
	bench_sum += p[0] + p[n - 1] + n;
	return (0);
}

/* bench_now - seconds, monotonic */

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* bench_rng - xorshift */

static uint32_t bench_rng(void)
{
	static uint64_t s = 88172645463325252ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return ((uint32_t) (s >> 11));
}

/* gen_b64 - n bytes of base64 text, 76-character lines, CRLF */

static uint8_t *gen_b64(size_t n, size_t *len)
{
	static const char a[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t *o = malloc(n + 80);
	size_t  i = 0, col = 0;

	if (o == 0)
		exit(1);
	while (i < n) {
		o[i++] = (uint8_t) a[bench_rng() & 63];
		if (++col == 76) {
			o[i++] = '\r';
			o[i++] = '\n';
			col = 0;
		}
	}
	*len = i;
	return (o);
}

/* gen_qp - n bytes of quoted-printable text, one escape in per_escape */

static uint8_t *gen_qp(size_t n, unsigned per_escape, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t *o = malloc(n + 80);
	size_t  i = 0, col = 0;
	uint32_t r;

	if (o == 0)
		exit(1);
	while (i < n) {
		if (col >= 73) {
			memcpy(o + i, "=\r\n", 3);
			i += 3;
			col = 0;
			continue;
		}
		r = bench_rng();
		if (r % per_escape == 0) {
			o[i++] = '=';
			o[i++] = (uint8_t) hex[(r >> 8) & 15];
			o[i++] = (uint8_t) hex[(r >> 12) & 15];
			col += 3;
		} else {
			o[i++] = (uint8_t) ((r >> 4) % 7 == 0 ? ' ' : 'a' + (r >> 8) % 26);
			col++;
		}
	}
	*len = i;
	return (o);
}

/* run_b64 - one pass, seconds */

static double run_b64(const uint8_t *in, size_t len, sink_fn sink,
		              uint64_t *out)
{
	struct b64 b;
	size_t  at, n;
	double  t = bench_now();

	b64_init(&b);
	for (at = 0; at < len; at += n) {
		n = len - at < CHUNK ? len - at : CHUNK;
		b64_feed(&b, in + at, n, sink, 0);
	}
	b64_finish(&b, sink, 0);
	*out = b.out;
	return (bench_now() - t);
}

/* run_qp - one pass, seconds */

static double run_qp(const uint8_t *in, size_t len, uint64_t *out)
{
	struct qp s;
	size_t  at, n;
	double  t = bench_now();

	qp_init(&s);
	for (at = 0; at < len; at += n) {
		n = len - at < CHUNK ? len - at : CHUNK;
		qp_feed(&s, in + at, n, bench_sink, 0);
	}
	qp_finish(&s, bench_sink, 0);
	*out = s.out;
	return (bench_now() - t);
}

/* read_file - the whole file */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE   *fp = fopen(path, "rb");
	uint8_t *p;
	long    n;

	if (fp == 0 || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0) {
		perror(path);
		exit(1);
	}
	rewind(fp);
	if ((p = malloc((size_t) n + 1)) == 0
	    || fread(p, 1, (size_t) n, fp) != (size_t) n) {
		perror(path);
		exit(1);
	}
	fclose(fp);
	*len = (size_t) n;
	return (p);
}

int     main(int argc, char **argv)
{
	size_t  mb = argc > 1 ? strtoul(argv[1], 0, 10) : 100;
	size_t  blen, qlen;
	uint8_t *b = argc > 2 ? read_file(argv[2], &blen) : gen_b64(mb * 1000000, &blen);
	size_t  tlen;
	uint8_t *q = gen_qp(mb * 1000000, 10, &qlen);
	uint8_t *tx = gen_qp(mb * 1000000, 100, &tlen);
	double  best_d = 1e9, best_c = 1e9, best_q = 1e9, best_t = 1e9, t;
	uint64_t out_d = 0, out_c = 0, out_q = 0, out_t = 0;
	int     i;

	for (i = 0; i < RUNS; i++) {
		if ((t = run_b64(b, blen, bench_sink, &out_d)) < best_d)
			best_d = t;
		if ((t = run_b64(b, blen, 0, &out_c)) < best_c)
			best_c = t;
		if ((t = run_qp(q, qlen, &out_q)) < best_q)
			best_q = t;
		if ((t = run_qp(tx, tlen, &out_t)) < best_t)
			best_t = t;
	}
	if (out_d != out_c) {
		fprintf(stderr, "decode %lu != count %lu\n",
			(unsigned long) out_d, (unsigned long) out_c);
		return (1);
	}
	printf("base64 decode: %8.0f MB/s  (%zu bytes in, %lu out)\n",
	       blen / best_d / 1e6, blen, (unsigned long) out_d);
	printf("base64 count:  %8.0f MB/s\n", blen / best_c / 1e6);
	printf("qp decode:     %8.0f MB/s  (%zu bytes in, %lu out; 1 escape in 10)\n",
	       qlen / best_q / 1e6, qlen, (unsigned long) out_q);
	printf("qp decode:     %8.0f MB/s  (%zu bytes in, %lu out; 1 escape in 100)\n",
	       tlen / best_t / 1e6, tlen, (unsigned long) out_t);
	return (bench_sum == 42);
}
