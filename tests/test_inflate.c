/*
 * test_inflate - the deflate codec (codec.c over zlib), as the zip and
 * gzip walkers use it: any split of the input
 * gives the same output, output comes in bounded chunks, a sink that
 * says stop stops it at once, the bytes after the end of the deflate
 * stream are left to the caller, corrupt data is a sticky error, memory
 * is counted and bounded, and allocation failures are survived.
 */

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "acct.h"
#include "bombs.h"
#include "codec.h"

struct collect {
	struct tu_buf out;
	size_t	calls;
	size_t	biggest;
	size_t	stop_after;		/* 0: never stop */
};

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	struct collect *c = ctx;

	tu_put(&c->out, p, n);
	c->calls++;
	if (n > c->biggest)
		c->biggest = n;
	return (c->stop_after != 0 && c->calls >= c->stop_after);
}

/* inflate_all - feed in chunks of chunk bytes; returns the last result */

static int inflate_all(struct codec *f, const uint8_t *p, size_t n, size_t chunk,
		               struct collect *c, size_t *consumed)
{
	size_t  used, k;
	int     r = CODEC_MORE;

	*consumed = 0;
	while (n > 0) {
		k = chunk && chunk < n ? chunk : n;
		r = codec_feed(f, p, k, &used, collect, c);
		*consumed += used;
		if (r != CODEC_MORE)
			return (r);
		cr_assert_eq(used, k);
		p += k;
		n -= k;
	}
	return (r);
}

Test(inflate, any_split_same_output)
{
	struct tu_buf text = {0}, d = {0};
	static const size_t chunks[] = {0, 1, 2, 3, 7, 100, 4096};

	bomb_text(&text, 200000, 7);
	bomb_deflate(&d, text.p, text.len);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		struct acct a;
		struct collect c = {0};
		struct codec *f;
		size_t  used;

		acct_init(&a, 0, 0, 0);
		f = codec_new(&a, CODEC_DEFLATE, 0);
		cr_assert_not_null(f);
		cr_expect_eq(inflate_all(f, d.p, d.len, chunks[i], &c, &used), CODEC_END,
			     "chunk %zu", chunks[i]);
		cr_expect_eq(c.out.len, text.len, "chunk %zu", chunks[i]);
		cr_expect(memcmp(c.out.p, text.p, text.len) == 0);
		cr_expect_leq(c.biggest, CODEC_CHUNK);
		cr_expect_eq(codec_total_out(f), text.len);
		cr_expect_eq(codec_total_in(f), d.len);
		codec_free(f);
		cr_expect_eq(a.cur, 0, "all memory returned");
		/* one inflate state, its window and our buffer: well under 64 KiB */
		cr_expect_lt(a.peak, 64 * 1024, "peak %zu", a.peak);
		cr_expect_gt(a.stage_peak[ACCT_INFLATE], 32 * 1024);
		free(c.out.p);
	}
	free(text.p);
	free(d.p);
}

Test(inflate, trailing_bytes_left_to_the_caller)
{
	struct tu_buf d = {0};
	struct acct a;
	struct collect c = {0};
	struct codec *f;
	size_t  used, dlen;

	bomb_deflate(&d, (const uint8_t *) "hello, world", 12);
	dlen = d.len;
	tu_put(&d, "PK\1\2trailer", 11);
	acct_init(&a, 0, 0, 0);
	f = codec_new(&a, CODEC_DEFLATE, 0);
	cr_assert_eq(codec_feed(f, d.p, d.len, &used, collect, &c), CODEC_END);
	cr_expect_eq(used, dlen);
	cr_expect_eq(c.out.len, 12);
	/* the same state serves the next stream */
	cr_assert_eq(codec_reset(f), CODEC_MORE);
	c.out.len = 0;
	cr_assert_eq(codec_feed(f, d.p, dlen, &used, collect, &c), CODEC_END);
	cr_expect_eq(c.out.len, 12);
	codec_free(f);
	cr_expect_eq(a.cur, 0);
	free(d.p);
	free(c.out.p);
}

Test(inflate, sink_stop_stops_at_once)
{
	struct tu_buf d = {0};
	struct acct a;
	struct collect c = {.stop_after = 3};
	struct codec *f;
	size_t  used;

	bomb_deflate_repeat(&d, 0, 0, 100u << 20);	/* 100 MiB of zeros */
	acct_init(&a, 0, 0, 0);
	f = codec_new(&a, CODEC_DEFLATE, 0);
	cr_assert_eq(codec_feed(f, d.p, d.len, &used, collect, &c), CODEC_STOP);
	cr_expect_eq(c.calls, 3);
	cr_expect_leq(codec_total_out(f), 3 * CODEC_CHUNK);
	cr_expect_lt(used, d.len / 100, "input taken stays close to the output");
	codec_free(f);
	free(d.p);
	free(c.out.p);
}

Test(inflate, corrupt_data_is_a_sticky_error)
{
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x12};
	struct acct a;
	struct collect c = {0};
	struct codec *f;
	size_t  used;

	acct_init(&a, 0, 0, 0);
	f = codec_new(&a, CODEC_DEFLATE, 0);
	cr_expect_eq(codec_feed(f, junk, sizeof(junk), &used, collect, &c), CODEC_ERROR);
	cr_expect_eq(codec_feed(f, junk, 1, &used, collect, &c), CODEC_ERROR);
	cr_expect_eq(used, 0);
	codec_free(f);
	cr_expect_eq(a.cur, 0);
}

Test(inflate, allocation_failures_survived)
{
	struct tu_buf d = {0};

	bomb_deflate_repeat(&d, "abc", 3, 1u << 20);
	for (unsigned long fail = 1; fail <= 6; fail++) {
		struct acct a;
		struct collect c = {0};
		struct codec *f;
		size_t  used;
		int     r;

		acct_init(&a, 0, 0, fail);
		f = codec_new(&a, CODEC_DEFLATE, 0);
		if (f != 0) {
			r = inflate_all(f, d.p, d.len, 1000, &c, &used);
			cr_expect(r == CODEC_END || r == CODEC_NOMEM, "fail_at %lu: %d", fail, r);
			if (r == CODEC_END)
				cr_expect_eq(c.out.len, (1u << 20) / 3 * 3);
			codec_free(f);
		}
		cr_expect_eq(a.cur, 0, "fail_at %lu: no leak", fail);
		free(c.out.p);
	}
	free(d.p);
}

Test(inflate, repeat_generator_is_what_it_says)
{
	struct tu_buf d = {0};
	uint8_t *out;
	uLongf  olen = (5u << 20) + 10;

	bomb_deflate_repeat(&d, "<w:t>x</w:t>", 12, (5u << 20) + 7);
	out = malloc(olen);
	cr_assert_not_null(out);
	{
		z_stream z;

		memset(&z, 0, sizeof(z));
		cr_assert_eq(inflateInit2(&z, -15), Z_OK);
		z.next_in = d.p;
		z.avail_in = (uInt) d.len;
		z.next_out = out;
		z.avail_out = (uInt) olen;
		cr_expect_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
		olen = z.total_out;
		inflateEnd(&z);
	}
	cr_expect_eq(olen, ((5u << 20) + 7) / 12 * 12);
	cr_expect(memcmp(out + 12 * 1000, "<w:t>x</w:t>", 12) == 0);
	cr_expect_eq(crc32(0, out, (uInt) olen), bomb_crc_repeat("<w:t>x</w:t>", 12, (5u << 20) + 7));
	cr_expect_lt(d.len, olen / 500, "about deflate's best ratio");
	free(out);
	free(d.p);
}

/* What the sink saw: each chunk's length and codec_total_in() then. */
struct trace {
	struct codec *f;
	uint64_t at[64][2];
	size_t	n;
};

static int trace(void *ctx, const uint8_t *p, size_t n)
{
	struct trace *t = ctx;

	(void) p;
	if (t->n < 64) {
		t->at[t->n][0] = n;
		t->at[t->n][1] = codec_total_in(t->f);
	}
	t->n++;
	return (0);
}

/* trace_split - inflate d in chunks of chunk bytes, then drain */

static void trace_split(const struct tu_buf *d, size_t chunk, struct trace *t)
{
	struct acct a;
	size_t  used, k;
	int     r = CODEC_MORE;

	acct_init(&a, 0, 0, 0);
	memset(t, 0, sizeof(*t));
	t->f = codec_new(&a, CODEC_DEFLATE, 0);
	cr_assert_not_null(t->f);
	for (size_t off = 0; off < d->len && r == CODEC_MORE; off += k) {
		k = chunk && chunk < d->len - off ? chunk : d->len - off;
		r = codec_feed(t->f, d->p + off, k, &used, trace, t);
	}
	if (r == CODEC_MORE)
		cr_expect_eq(codec_drain(t->f, trace, t), CODEC_MORE);
	codec_free(t->f);
	cr_expect_eq(a.cur, 0);
}

/*
 * The compressed bytes taken when a chunk goes out (what a ratio is
 * judged on) do not depend on the split: a full buffer goes out once
 * zlib is blocked on it, not when a piece of input happens to end.
 * Truncated streams too, whose last full buffer codec_drain() hands on.
 */
Test(inflate, total_in_at_each_chunk_split_invariant)
{
	struct tu_buf text = {0}, d = {0};
	static const size_t chunks[] = {1, 2, 3, 5, 7, 64, 1000, 4097};

	bomb_text(&text, 100000, 9);
	bomb_deflate(&d, text.p, text.len);
	for (int trunc = 0; trunc < 2; trunc++) {
		struct trace whole, part;
		struct tu_buf in = d;

		if (trunc)
			in.len = d.len / 2;
		trace_split(&in, 0, &whole);
		cr_assert_gt(whole.n, 3);
		for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			trace_split(&in, chunks[i], &part);
			cr_assert_eq(part.n, whole.n, "chunk %zu", chunks[i]);
			for (size_t j = 0; j < whole.n && j < 64; j++)
				cr_expect(part.at[j][0] == whole.at[j][0]
					  && part.at[j][1] == whole.at[j][1],
					  "trunc %d chunk %zu, out %zu: %lu/%lu bytes at in %lu/%lu",
					  trunc, chunks[i], j, (unsigned long) part.at[j][0],
					  (unsigned long) whole.at[j][0],
					  (unsigned long) part.at[j][1],
					  (unsigned long) whole.at[j][1]);
		}
	}
	free(text.p);
	free(d.p);
}
