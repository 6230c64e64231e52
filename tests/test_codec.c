/*
 * test_codec - the codec interface over zlib, libbz2, liblzma and
 * libzstd, every kind through the same properties: any split of the
 * input gives the same output in the same chunks (exactly CODEC_CHUNK
 * but for the last) and the same codec_total_in() at each chunk, a sink
 * that says stop stops it at once, the bytes after the end are left to
 * the caller, corrupt data is a sticky error found quickly, a truncated
 * stream is CODEC_TRUNCATED at finish, reset serves the next stream,
 * memory is counted under the kind's stage and all returned, every
 * allocation failure is survived, and the window a stream declares is
 * reported and held to the limit.  Every stream is made here, by the
 * libraries' own encoders.
 */

#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getCParams */

#include <criterion/criterion.h>
#include <bzlib.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "acct.h"
#include "bombs.h"
#include "codec.h"

/* --- making streams ------------------------------------------------------ */

static const uint8_t zeros[1 << 20];

/* FOREACH_ZEROS - n zero bytes for a compressor, in pieces of up to 1 MiB */

#define FOREACH_ZEROS(n, piece) \
	for (uint64_t _left = (n), piece; \
	     (piece = _left < sizeof(zeros) ? _left : sizeof(zeros)) > 0; _left -= piece)

/* make_bzip2 - one bzip2 stream of p[0..n), or of `zero` zero bytes when p is NULL */

static void make_bzip2(struct tu_buf *b, const uint8_t *p, size_t n, uint64_t zero,
		               int level)
{
	static char out[1 << 16];
	bz_stream s;
	int     r;

	memset(&s, 0, sizeof(s));
	cr_assert_eq(BZ2_bzCompressInit(&s, level, 0, 0), BZ_OK);
	if (p != 0) {
		s.next_in = (char *) p;
		s.avail_in = (unsigned) n;
		do {
			s.next_out = out;
			s.avail_out = sizeof(out);
			cr_assert_eq(BZ2_bzCompress(&s, BZ_RUN), BZ_RUN_OK);
			tu_put(b, out, sizeof(out) - s.avail_out);
		} while (s.avail_in > 0);
	}
	FOREACH_ZEROS(zero, k) {
		s.next_in = (char *) zeros;
		s.avail_in = (unsigned) k;
		while (s.avail_in > 0) {
			s.next_out = out;
			s.avail_out = sizeof(out);
			cr_assert_eq(BZ2_bzCompress(&s, BZ_RUN), BZ_RUN_OK);
			tu_put(b, out, sizeof(out) - s.avail_out);
		}
	}
	do {
		s.next_out = out;
		s.avail_out = sizeof(out);
		r = BZ2_bzCompress(&s, BZ_FINISH);
		cr_assert(r == BZ_FINISH_OK || r == BZ_STREAM_END);
		tu_put(b, out, sizeof(out) - s.avail_out);
	} while (r != BZ_STREAM_END);
	BZ2_bzCompressEnd(&s);
}

/* lz_encode - run a liblzma encoder over p[0..n) or `zero` zeros, to the end */

static void lz_encode(lzma_stream *s, struct tu_buf *b, const uint8_t *p, size_t n,
		              uint64_t zero)
{
	static uint8_t out[1 << 16];
	lzma_ret r;

	s->next_in = p;
	s->avail_in = p ? n : 0;
	while (s->avail_in > 0) {
		s->next_out = out;
		s->avail_out = sizeof(out);
		cr_assert_eq(lzma_code(s, LZMA_RUN), LZMA_OK);
		tu_put(b, out, sizeof(out) - s->avail_out);
	}
	FOREACH_ZEROS(zero, k) {
		s->next_in = zeros;
		s->avail_in = k;
		while (s->avail_in > 0) {
			s->next_out = out;
			s->avail_out = sizeof(out);
			cr_assert_eq(lzma_code(s, LZMA_RUN), LZMA_OK);
			tu_put(b, out, sizeof(out) - s->avail_out);
		}
	}
	do {
		s->next_out = out;
		s->avail_out = sizeof(out);
		r = lzma_code(s, LZMA_FINISH);
		cr_assert(r == LZMA_OK || r == LZMA_STREAM_END, "lzma_code %d", r);
		tu_put(b, out, sizeof(out) - s->avail_out);
	} while (r != LZMA_STREAM_END);
	lzma_end(s);
}

/* make_xz - an .xz stream (CRC64) at a preset */

static void make_xz(struct tu_buf *b, const uint8_t *p, size_t n, uint64_t zero,
		            uint32_t preset)
{
	lzma_stream s = LZMA_STREAM_INIT;

	cr_assert_eq(lzma_easy_encoder(&s, preset, LZMA_CHECK_CRC64), LZMA_OK);
	lz_encode(&s, b, p, n, zero);
}

/*
 * make_lzma1 - raw LZMA1 at a preset, with an end marker (eopm) or not;
 * props[5] gets its properties.
 */
static void make_lzma1(struct tu_buf *b, const uint8_t *p, size_t n, uint64_t zero,
		               uint32_t preset, int eopm, uint8_t props[5])
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	lzma_filter f[2];

	cr_assert_eq(lzma_lzma_preset(&opt, preset), 0);
	f[0].id = LZMA_FILTER_LZMA1;
	f[0].options = &opt;
	f[1].id = LZMA_VLI_UNKNOWN;
	f[1].options = 0;
	cr_assert_eq(lzma_properties_encode(f, props), LZMA_OK);
	if (!eopm) {
		f[0].id = LZMA_FILTER_LZMA1EXT;	/* no end marker: ext_flags 0 */
		opt.ext_flags = 0;
		opt.ext_size_low = opt.ext_size_high = UINT32_MAX;
	}
	cr_assert_eq(lzma_raw_encoder(&s, f), LZMA_OK);
	lz_encode(&s, b, p, n, zero);
}

/* make_alone - .lzma: 5 properties, 8-byte size (UINT64_MAX: end marker) */

static void make_alone(struct tu_buf *b, const uint8_t *p, size_t n, uint64_t zero,
		               uint32_t preset, int sized)
{
	struct tu_buf raw = {0};
	uint64_t size = sized ? (p ? n : zero) : UINT64_MAX;
	uint8_t hdr[13];

	make_lzma1(&raw, p, n, zero, preset, !sized, hdr);
	for (int i = 0; i < 8; i++)
		hdr[5 + i] = (uint8_t) (size >> (8 * i));
	tu_put(b, hdr, sizeof(hdr));
	tu_put(b, raw.p, raw.len);
	free(raw.p);
}

/* make_lzma_zip - zip method 14: version, property size 5, properties, LZMA1 */

static void make_lzma_zip(struct tu_buf *b, const uint8_t *p, size_t n, uint64_t zero,
			          uint32_t preset, int eopm)
{
	struct tu_buf raw = {0};
	uint8_t hdr[9] = {9, 20, 5, 0};		/* LZMA SDK 9.20, as 7-Zip writes */

	make_lzma1(&raw, p, n, zero, preset, eopm, hdr + 4);
	tu_put(b, hdr, sizeof(hdr));
	tu_put(b, raw.p, raw.len);
	free(raw.p);
}

/*
 * make_zstd - one zstd frame at a level; windowlog 0: the level's.
 * streamed: the size is not told (no content size, no single segment:
 * the window is the level's or windowlog's).
 */
static void make_zstd(struct tu_buf *b, const uint8_t *p, size_t n, uint64_t zero,
		              int level, int windowlog, int streamed)
{
	static uint8_t out[1 << 16];
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_inBuffer ib;
	ZSTD_outBuffer ob;
	size_t  r;

	cr_assert_not_null(cc);
	cr_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level)));
	cr_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
	if (windowlog)
		cr_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, windowlog)));
	if (!streamed) {
		uint8_t *big = malloc(ZSTD_compressBound(n));

		cr_assert(p != 0 && big != 0);
		r = ZSTD_compress2(cc, big, ZSTD_compressBound(n), p, n);
		cr_assert(!ZSTD_isError(r), "%s", ZSTD_getErrorName(r));
		tu_put(b, big, r);
		free(big);
		ZSTD_freeCCtx(cc);
		return;
	}
	ib.src = p;
	ib.size = p ? n : 0;
	ib.pos = 0;
	while (ib.pos < ib.size) {
		ob.dst = out;
		ob.size = sizeof(out);
		ob.pos = 0;
		cr_assert(!ZSTD_isError(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue)));
		tu_put(b, out, ob.pos);
	}
	FOREACH_ZEROS(zero, k) {
		ib.src = zeros;
		ib.size = k;
		ib.pos = 0;
		while (ib.pos < ib.size) {
			ob.dst = out;
			ob.size = sizeof(out);
			ob.pos = 0;
			cr_assert(!ZSTD_isError(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue)));
			tu_put(b, out, ob.pos);
		}
	}
	ib.size = ib.pos = 0;
	do {
		ob.dst = out;
		ob.size = sizeof(out);
		ob.pos = 0;
		r = ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end);
		cr_assert(!ZSTD_isError(r));
		tu_put(b, out, ob.pos);
	} while (r != 0);
	ZSTD_freeCCtx(cc);
}

/*
 * The cases every property is checked on: each kind, and the variants
 * of LZMA (size known and no end marker, or an end marker and no size)
 * and zstd (content size in the header, or streamed).  fast: small presets, for the tests that
 * decode thousands of times.
 */
struct scase {
	const char *what;
	enum codec_kind kind;
	struct codec_opts opts;
	struct tu_buf z;
};

#define NCASES	9

static size_t cases_make(struct scase *k, const uint8_t *p, size_t n, uint64_t zero,
			         int fast)
{
	uint64_t len = p ? n : zero;
	struct scase proto[NCASES] = {
		{"deflate", CODEC_DEFLATE, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"bzip2", CODEC_BZIP2, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"xz", CODEC_XZ, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"lzma", CODEC_LZMA_ALONE, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"lzma sized", CODEC_LZMA_ALONE, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"lzma-zip eos", CODEC_LZMA_ZIP, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"lzma-zip sized", CODEC_LZMA_ZIP, {0, len}, {0}},
		{"zstd", CODEC_ZSTD, {0, CODEC_SIZE_UNKNOWN}, {0}},
		{"zstd streamed", CODEC_ZSTD, {0, CODEC_SIZE_UNKNOWN}, {0}},
	};
	uint32_t preset = fast ? 1 : 6;

	memcpy(k, proto, sizeof(proto));
	if (p != 0)
		bomb_deflate(&k[0].z, p, n);
	else
		bomb_deflate_repeat(&k[0].z, 0, 0, zero);
	make_bzip2(&k[1].z, p, n, zero, fast ? 1 : 9);
	make_xz(&k[2].z, p, n, zero, preset);
	make_alone(&k[3].z, p, n, zero, preset, 0);
	make_alone(&k[4].z, p, n, zero, preset, 1);
	make_lzma_zip(&k[5].z, p, n, zero, preset, 1);
	make_lzma_zip(&k[6].z, p, n, zero, preset, 0);
	if (p != 0)
		make_zstd(&k[7].z, p, n, 0, fast ? 1 : 3, 0, 0);
	else
		make_zstd(&k[7].z, 0, 0, zero, 1, 0, 1);
	make_zstd(&k[8].z, p, n, zero, fast ? 1 : 19, 0, 1);
	return (NCASES);
}

static void cases_free(struct scase *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].z.p);
}

/* --- the sink and the runs -------------------------------------------------- */

/* same - memcmp() == 0, for buffers that may be NULL when n is 0 */

static int same(const void *a, const void *b, size_t n)
{
	return (n == 0 || memcmp(a, b, n) == 0);
}

/* What the sink saw. */
struct collect {
	struct tu_buf out;		/* the bytes, unless count_only */
	int	count_only;
	uint64_t n;			/* bytes */
	uint64_t nonzero;		/* count_only: bytes that were not 0 */
	size_t	calls;
	size_t	last;			/* the previous call's length */
	size_t	bad_chunks;		/* calls after a short one, or empty, or too long */
	size_t	stop_after;		/* 0: never stop */
	const struct codec *c;		/* set: record codec_total_in() at each call */
	struct tu_buf tin;		/* ... as uint64_t */
};

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	struct collect *c = ctx;

	if (n == 0 || n > CODEC_CHUNK || (c->calls > 0 && c->last != CODEC_CHUNK))
		c->bad_chunks++;
	c->last = n;
	c->calls++;
	c->n += n;
	if (!c->count_only) {
		tu_put(&c->out, p, n);
	} else {
		for (size_t i = 0; i < n; i++)
			c->nonzero += p[i] != 0;
	}
	if (c->c != 0) {
		uint64_t tin = codec_total_in(c->c);

		tu_put(&c->tin, &tin, sizeof(tin));
	}
	return (c->stop_after != 0 && c->calls >= c->stop_after);
}

static void collect_free(struct collect *c)
{
	free(c->out.p);
	free(c->tin.p);
	memset(c, 0, sizeof(*c));
}

/* How the input is cut: whole, fixed chunks, random chunks, or one cut. */
struct split {
	size_t	chunk;			/* 0: whole */
	uint32_t seed;			/* non-zero: random pieces of 1..chunk */
	size_t	cut;			/* non-zero: two pieces, cut there */
	int	drain;			/* codec_drain() after every piece */
};

static size_t split_next(struct split *s, size_t at, size_t n)
{
	size_t  left = n - at, k;

	if (s->cut != 0)
		k = at < s->cut ? s->cut - at : left;
	else if (s->seed != 0) {
		s->seed = s->seed * 1103515245u + 12345u;
		k = 1 + (s->seed >> 8) % s->chunk;
	} else
		k = s->chunk ? s->chunk : left;
	return (k < left ? k : left);
}

/*
 * run - feed p[0..n) to c as the split says, then finish; the result.
 * *taken: the input taken in all.  After CODEC_END, codec_finish() must
 * say CODEC_END again and hand over nothing.
 */
static int run(struct codec *c, const uint8_t *p, size_t n, struct split sp,
	               struct collect *col, size_t *taken)
{
	size_t  at = 0, k, used, calls;
	int     r = CODEC_MORE;

	while (at < n) {
		k = split_next(&sp, at, n);
		r = codec_feed(c, p + at, k, &used, collect, col);
		at += used;
		if (r != CODEC_MORE)
			break;
		cr_assert_eq(used, k, "CODEC_MORE takes it all");
		if (sp.drain)
			cr_assert_eq(codec_drain(c, collect, col), CODEC_MORE);
	}
	if (taken)
		*taken = at;
	if (r == CODEC_MORE)
		return (codec_finish(c, collect, col));
	if (r == CODEC_END) {
		calls = col->calls;
		cr_assert_eq(codec_finish(c, collect, col), CODEC_END);
		cr_assert_eq(col->calls, calls);
	}
	return (r);
}

/* collect.c for decode(): record total_in at each call, on the codec it makes */
#define TRACE_TIN	((const struct codec *) 1)

/* decode - one stream through a new codec; checks memory on the way out */

static int decode(const struct scase *k, const uint8_t *p, size_t n, struct split sp,
		          struct collect *col, size_t *taken, uint64_t *window)
{
	struct acct a;
	struct codec *c;
	int     r;

	acct_init(&a, 0, 0, 0);
	c = codec_new(&a, k->kind, &k->opts);
	cr_assert_not_null(c, "%s", k->what);
	if (col->c == TRACE_TIN)
		col->c = c;
	r = run(c, p, n, sp, col, taken);
	if (window)
		*window = codec_window(c);
	cr_expect_eq(codec_total_out(c), col->n, "%s", k->what);
	codec_free(c);
	cr_expect_eq(a.cur, 0, "%s: all memory returned", k->what);
	return (r);
}

/* --- the table ----------------------------------------------------------------- */

Test(codec, kinds_table)
{
	static const struct {
		enum codec_kind kind;
		const char *name;
		enum acct_stage stage;
	} want[] = {
		{CODEC_DEFLATE, "deflate", ACCT_INFLATE},
		{CODEC_BZIP2, "bzip2", ACCT_BZIP2},
		{CODEC_XZ, "xz", ACCT_XZ},
		{CODEC_LZMA_ALONE, "lzma", ACCT_XZ},
		{CODEC_LZMA_ZIP, "lzma-zip", ACCT_XZ},
		{CODEC_ZSTD, "zstd", ACCT_ZSTD},
	};

	cr_assert_eq(CODEC_KIND_COUNT, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct acct a;
		struct codec *c;

		cr_expect_eq(want[i].kind, (enum codec_kind) i);
		cr_expect_str_eq(codec_kind_name(want[i].kind), want[i].name);
		cr_expect_eq(codec_kind_stage(want[i].kind), want[i].stage);
		acct_init(&a, 0, 0, 0);
		c = codec_new(&a, want[i].kind, 0);
		cr_assert_not_null(c);
		cr_expect_eq(codec_kind(c), want[i].kind);
		cr_expect_eq(codec_window(c), 0);
		cr_expect_eq(codec_total_in(c), 0);
		codec_free(c);
		cr_expect_eq(a.cur, 0);
	}
	cr_expect_str_eq(codec_kind_name(CODEC_KIND_COUNT), "?");
	cr_expect_null(codec_free(0));
	cr_expect_eq(codec_drain(0, collect, 0), CODEC_MORE);
}

/* --- splits ----------------------------------------------------------------------- */

/*
 * Every case, every split: the same bytes, in chunks of exactly
 * CODEC_CHUNK but the last, all input taken, and the same
 * codec_total_in() at each chunk as fed whole.
 */
Test(codec, any_split_same_output)
{
	static const struct split splits[] = {
		{1, 0, 0, 0}, {2, 0, 0, 0}, {3, 0, 0, 0}, {7, 0, 0, 0}, {100, 0, 0, 0},
		{4096, 0, 0, 0}, {300, 1, 0, 0}, {5000, 2, 0, 0}, {64, 3, 0, 0},
	};
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 200000, 7);
	nk = cases_make(k, text.p, text.len, 0, 0);
	for (size_t i = 0; i < nk; i++) {
		struct collect whole = {.c = TRACE_TIN};
		size_t  taken;

		cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, (struct split) {0},
				    &whole, &taken, 0), CODEC_END, "%s", k[i].what);
		cr_expect_eq(taken, k[i].z.len, "%s", k[i].what);
		cr_expect_eq(whole.out.len, text.len, "%s", k[i].what);
		cr_expect(same(whole.out.p, text.p, text.len), "%s", k[i].what);
		cr_expect_eq(whole.bad_chunks, 0, "%s", k[i].what);
		cr_expect_eq(whole.calls, (text.len + CODEC_CHUNK - 1) / CODEC_CHUNK);
		for (size_t j = 0; j < sizeof(splits) / sizeof(splits[0]); j++) {
			struct collect part = {.c = TRACE_TIN};

			cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, splits[j], &part,
					    &taken, 0), CODEC_END, "%s split %zu", k[i].what, j);
			cr_expect_eq(taken, k[i].z.len);
			cr_expect_eq(part.out.len, text.len, "%s split %zu", k[i].what, j);
			cr_expect(same(part.out.p, text.p, text.len),
				  "%s split %zu", k[i].what, j);
			cr_expect_eq(part.bad_chunks, 0, "%s split %zu", k[i].what, j);
			cr_expect(part.tin.len == whole.tin.len
				  && same(part.tin.p, whole.tin.p, whole.tin.len),
				  "%s split %zu: total_in at the chunks", k[i].what, j);
			collect_free(&part);
		}
		collect_free(&whole);
	}
	cases_free(k, nk);
	free(text.p);
}

/* Every case cut once at every offset (a small stream of a few chunks). */
Test(codec, every_cut_same_output)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 20000, 3);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		struct collect whole = {.c = TRACE_TIN};

		cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, (struct split) {0},
				    &whole, 0, 0), CODEC_END);
		cr_assert_eq(whole.out.len, text.len);
		for (size_t cut = 1; cut < k[i].z.len; cut++) {
			struct collect part = {.c = TRACE_TIN};
			struct split sp = {.cut = cut};

			cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, sp, &part, 0, 0),
				     CODEC_END, "%s cut %zu", k[i].what, cut);
			cr_assert(part.out.len == text.len
				  && same(part.out.p, text.p, text.len),
				  "%s cut %zu", k[i].what, cut);
			cr_assert_eq(part.bad_chunks, 0, "%s cut %zu", k[i].what, cut);
			cr_assert(part.tin.len == whole.tin.len
				  && same(part.tin.p, whole.tin.p, whole.tin.len),
				  "%s cut %zu: total_in at the chunks", k[i].what, cut);
			collect_free(&part);
		}
		collect_free(&whole);
	}
	cases_free(k, nk);
	free(text.p);
}

/*
 * codec_drain() after every piece hands over only full buffers: the
 * bytes and the chunking stay; total_in at the chunks may not (drain is
 * for the end of the input).
 */
Test(codec, drain_keeps_chunks)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 100000, 5);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		struct collect col = {0};
		struct split sp = {.chunk = 7, .drain = 1};

		cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, sp, &col, 0, 0), CODEC_END);
		cr_expect(col.out.len == text.len && same(col.out.p, text.p, text.len),
			  "%s", k[i].what);
		cr_expect_eq(col.bad_chunks, 0, "%s", k[i].what);
		collect_free(&col);
	}
	cases_free(k, nk);
	free(text.p);
}

/*
 * Incompressible input: stored blocks (deflate), uncompressed chunks
 * (LZMA2), raw blocks (zstd, which codec_zstd.c keeps to the room):
 * the same bytes, chunks and total_in at the chunks, split or not.
 */
Test(codec, random_data_split)
{
	struct tu_buf rnd = {0};
	struct scase k[NCASES];
	size_t  nk;

	rnd.len = 300000;
	rnd.p = malloc(rnd.len);
	bomb_random(rnd.p, rnd.len, 11);
	nk = cases_make(k, rnd.p, rnd.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		struct collect whole = {.c = TRACE_TIN};
		static const size_t chunks[] = {1, 7, 100, 5000};

		cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, (struct split) {0},
				    &whole, 0, 0), CODEC_END);
		cr_assert(whole.out.len == rnd.len && same(whole.out.p, rnd.p, rnd.len));
		for (size_t j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			struct collect part = {.c = TRACE_TIN};
			struct split sp = {.chunk = chunks[j]};
			const uint64_t *a, *b;

			cr_assert_eq(decode(&k[i], k[i].z.p, k[i].z.len, sp, &part, 0, 0),
				     CODEC_END);
			cr_expect(part.out.len == rnd.len
				  && same(part.out.p, rnd.p, rnd.len));
			cr_expect_eq(part.bad_chunks, 0);
			cr_assert_eq(part.tin.len, whole.tin.len);
			a = (const uint64_t *) whole.tin.p;
			b = (const uint64_t *) part.tin.p;
			for (size_t m = 0; m < whole.tin.len / 8; m++)
				cr_expect_eq(a[m], b[m], "%s chunk %zu, chunk %zu of the output",
					     k[i].what, chunks[j], m);
			collect_free(&part);
		}
		collect_free(&whole);
	}
	cases_free(k, nk);
	free(rnd.p);
}

/* --- the ends ---------------------------------------------------------------------- */

/* The bytes after the end are the caller's, fed whole or byte by byte. */
Test(codec, trailing_bytes_left_to_the_caller)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 20000, 4);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		size_t  zlen = k[i].z.len;

		tu_put(&k[i].z, "PK\1\2trailer", 11);
		for (size_t chunk = 0; chunk <= 1; chunk++) {
			struct acct a;
			struct collect col = {0};
			struct codec *c;
			size_t  taken, used;

			acct_init(&a, 0, 0, 0);
			c = codec_new(&a, k[i].kind, &k[i].opts);
			cr_assert_eq(run(c, k[i].z.p, k[i].z.len, (struct split) {.chunk = chunk},
					 &col, &taken), CODEC_END, "%s", k[i].what);
			cr_expect_eq(taken, zlen, "%s chunk %zu", k[i].what, chunk);
			cr_expect_eq(codec_total_in(c), zlen);
			cr_expect_eq(col.out.len, text.len);
			/* after the end: nothing taken, the end again */
			cr_expect_eq(codec_feed(c, k[i].z.p + zlen, 11, &used, collect, &col),
				     CODEC_END);
			cr_expect_eq(used, 0);
			codec_free(c);
			cr_expect_eq(a.cur, 0);
			collect_free(&col);
		}
	}
	cases_free(k, nk);
	free(text.p);
}

/*
 * Every proper prefix of a stream is CODEC_TRUNCATED at finish, its
 * output a prefix of the stream's, in whole chunks but the last; an
 * empty input too.
 */
Test(codec, truncated_at_every_length)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 20000, 8);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		for (size_t len = 0; len < k[i].z.len; len++) {
			struct collect col = {0};
			size_t  taken;
			int     r;

			r = decode(&k[i], k[i].z.p, len, (struct split) {0}, &col, &taken, 0);
			cr_assert_eq(r, CODEC_TRUNCATED, "%s prefix %zu of %zu: %d", k[i].what,
				     len, k[i].z.len, r);
			cr_assert_eq(taken, len);
			cr_assert(col.out.len <= text.len
				  && same(col.out.p, text.p, col.out.len));
			cr_assert_eq(col.bad_chunks, 0);
			collect_free(&col);
		}
	}
	cases_free(k, nk);
	free(text.p);
}

/* --- stop ---------------------------------------------------------------------------- */

/*
 * A sink that says stop stops the codec at once, on a 100 MiB bomb,
 * having taken little input; feeding the rest goes on where it stopped.
 */
Test(codec, sink_stop_stops_at_once)
{
	struct scase k[NCASES];
	size_t  nk;

	nk = cases_make(k, 0, 0, 100 * MiB, 1);
	for (size_t i = 0; i < nk; i++) {
		struct acct a;
		struct collect col = {.count_only = 1, .stop_after = 3};
		struct codec *c;
		size_t  used, at;
		int     r;

		acct_init(&a, 0, 0, 0);
		c = codec_new(&a, k[i].kind, &k[i].opts);
		cr_assert_not_null(c);
		r = codec_feed(c, k[i].z.p, k[i].z.len, &used, collect, &col);
		cr_expect_eq(r, CODEC_STOP, "%s", k[i].what);
		cr_expect_eq(col.calls, 3, "%s", k[i].what);
		cr_expect_eq(codec_total_out(c), 3 * CODEC_CHUNK);
		cr_expect_lt(used, k[i].z.len, "%s", k[i].what);
		/* the rest, with a sink that lets it go */
		col.stop_after = 0;
		at = used;
		while (r == CODEC_STOP || r == CODEC_MORE) {
			if (at == k[i].z.len) {
				r = codec_finish(c, collect, &col);
				break;
			}
			r = codec_feed(c, k[i].z.p + at, k[i].z.len - at, &used, collect, &col);
			at += used;
		}
		cr_expect_eq(r, CODEC_END, "%s", k[i].what);
		cr_expect_eq(col.n, 100 * MiB, "%s", k[i].what);
		cr_expect_eq(col.nonzero, 0);
		cr_expect_eq(col.bad_chunks, 0);
		codec_free(c);
		cr_expect_eq(a.cur, 0);
	}
	cases_free(k, nk);
}

/* The sink's stop on the last chunk of the stream is a stop too. */
Test(codec, stop_on_the_last_chunk)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 3 * CODEC_CHUNK + 100, 2);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		struct collect col = {.stop_after = 4};
		size_t  taken;

		cr_expect_eq(decode(&k[i], k[i].z.p, k[i].z.len, (struct split) {0}, &col,
				    &taken, 0), CODEC_STOP, "%s", k[i].what);
		cr_expect_eq(col.n, text.len);
		collect_free(&col);
	}
	cases_free(k, nk);
	free(text.p);
}

/* --- corrupt ---------------------------------------------------------------------------- */

/* The first bytes of a valid stream of the kind: what a corrupt one keeps. */
static size_t header_len(const struct scase *k)
{
	switch (k->kind) {
	case CODEC_DEFLATE:
		return (0);
	case CODEC_BZIP2:
		return (4);
	case CODEC_XZ:
		return (12);
	case CODEC_LZMA_ALONE:
		return (13);
	case CODEC_LZMA_ZIP:
		return (9);
	default:				/* zstd: magic, descriptor, window */
		return (6);
	}
}

/*
 * A valid header then 1 MiB of junk (0xff, or random): CODEC_ERROR,
 * found quickly and sticky: feed takes nothing more, finish says it.
 */
Test(codec, corrupt_data_is_a_sticky_error)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 20000, 6);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		for (int junk = 0; junk < 2; junk++) {
			struct tu_buf bad = {0};
			struct acct a;
			struct collect col = {0};
			struct codec *c;
			size_t  used, hl = header_len(&k[i]);
			uint64_t tin;
			clock_t t0;
			int     r;

			tu_put(&bad, k[i].z.p, hl);
			tu_put(&bad, zeros, MiB);
			if (junk == 0)
				memset(bad.p + hl, 0xff, MiB);
			else
				bomb_random(bad.p + hl, MiB, 99);
			acct_init(&a, 0, 0, 0);
			c = codec_new(&a, k[i].kind, &k[i].opts);
			t0 = clock();
			r = run(c, bad.p, bad.len, (struct split) {.chunk = 4096}, &col, &used);
			cr_expect_lt((double) (clock() - t0) / CLOCKS_PER_SEC, 1.0,
				     "%s junk %d: linear", k[i].what, junk);
			cr_expect_eq(r, CODEC_ERROR, "%s junk %d: %d", k[i].what, junk, r);
			tin = codec_total_in(c);
			cr_expect_eq(codec_feed(c, bad.p, bad.len, &used, collect, &col),
				     CODEC_ERROR);
			cr_expect_eq(used, 0);
			cr_expect_eq(codec_finish(c, collect, &col), CODEC_ERROR);
			cr_expect_eq(codec_drain(c, collect, &col), CODEC_MORE);
			cr_expect_eq(codec_total_in(c), tin);
			cr_expect_eq(col.bad_chunks, 0);
			codec_free(c);
			cr_expect_eq(a.cur, 0);
			collect_free(&col);
			free(bad.p);
		}
	}
	cases_free(k, nk);
	free(text.p);
}

/*
 * One byte flipped anywhere in a valid stream: whatever the codec makes
 * of it (liblzma and libzstd verify no check here, so wrong bytes are
 * possible), it ends in time, with the same result, output, input taken
 * and total_in at the chunks split or whole, and returns its memory.
 */
Test(codec, flipped_byte_any_split)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 30000, 12);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		struct scase lim = k[i];

		lim.opts.mem_limit = 64 * MiB;	/* a flipped header may ask for GiBs */
		for (size_t at = 0; at < k[i].z.len; at += 1 + k[i].z.len / 97) {
			struct collect whole = {.c = TRACE_TIN}, part = {.c = TRACE_TIN};
			size_t  t1, t2;
			int     r1, r2;

			k[i].z.p[at] ^= 0x5a;
			r1 = decode(&lim, k[i].z.p, k[i].z.len, (struct split) {0}, &whole, &t1, 0);
			r2 = decode(&lim, k[i].z.p, k[i].z.len, (struct split) {.chunk = 3},
				    &part, &t2, 0);
			k[i].z.p[at] ^= 0x5a;
			cr_expect(r1 == CODEC_END || r1 == CODEC_ERROR || r1 == CODEC_TRUNCATED
				  || r1 == CODEC_TOOBIG, "%s at %zu: %d", k[i].what, at, r1);
			cr_expect_eq(r1, r2, "%s at %zu", k[i].what, at);
			cr_expect_eq(part.bad_chunks, 0);
			cr_expect(whole.out.len == part.out.len
				  && same(whole.out.p, part.out.p, part.out.len),
				  "%s at %zu", k[i].what, at);
			cr_expect_eq(t1, t2, "%s at %zu: taken", k[i].what, at);
			cr_expect(whole.tin.len == part.tin.len
				  && same(whole.tin.p, part.tin.p, part.tin.len),
				  "%s at %zu: total_in at the chunks", k[i].what, at);
			collect_free(&whole);
			collect_free(&part);
		}
	}
	cases_free(k, nk);
	free(text.p);
}

/* --- corrupt .xz, every cut ---------------------------------------------------------- */

/* xz_block_sizes - add dc, du to the sizes a block header declares; CRC32 made anew */

static int xz_block_sizes(uint8_t *h, lzma_check check, int dc, int du)
{
	lzma_filter f[LZMA_FILTERS_MAX + 1];
	lzma_block b;
	uint32_t hs = lzma_block_header_size_decode(h[0]);
	int     ok;

	memset(&b, 0, sizeof(b));
	b.version = 1;
	b.check = check;
	b.filters = f;
	b.header_size = hs;
	if (lzma_block_header_decode(&b, NULL, h) != LZMA_OK)
		return (0);
	if (b.compressed_size != LZMA_VLI_UNKNOWN)
		b.compressed_size += dc;
	if (b.uncompressed_size != LZMA_VLI_UNKNOWN)
		b.uncompressed_size += du;
	ok = lzma_block_header_size(&b) == LZMA_OK && b.header_size <= hs;
	b.header_size = hs;
	ok = ok && lzma_block_header_encode(&b, h) == LZMA_OK;
	lzma_filters_free(f, NULL);
	return (ok);
}

/*
 * xz_corrupt - variant v of damage to the first LZMA2 chunk (or its
 * block's header) of a valid stream: packed or unpacked size off, a
 * byte of its data flipped, the block's declared sizes off.  0: the
 * variant does not apply to this stream.
 */
static int xz_corrupt(struct tu_buf *z, lzma_check check, int v)
{
	uint8_t *p = z->p;
	size_t  h = 12, c = h + lzma_block_header_size_decode(p[h]);
	static const int dsize[] = {1, -1, 64, -64, 3000};
	unsigned packed, unpacked;

	if (c + 6 > z->len || p[c] < 0x80)
		return (0);
	if (v == 15)
		return (1);			/* none: the valid stream */
	unpacked = ((p[c] & 0x1fu) << 16 | p[c + 1] << 8 | p[c + 2]) + 1;
	packed = (p[c + 3] << 8 | p[c + 4]) + 1;
	if (v < 5) {				/* packed size */
		packed += dsize[v];
		if (packed < 1 || packed > 0x10000)
			return (0);
		p[c + 3] = (packed - 1) >> 8;
		p[c + 4] = (packed - 1) & 0xff;
	} else if (v < 10) {			/* unpacked size */
		unpacked += dsize[v - 5];
		if (unpacked < 1 || unpacked > 0x200000)
			return (0);
		p[c] = (p[c] & 0xe0) | (unpacked - 1) >> 16;
		p[c + 1] = (unpacked - 1) >> 8 & 0xff;
		p[c + 2] = (unpacked - 1) & 0xff;
	} else if (v == 10) {			/* a byte of its data */
		if (c + 6 + packed / 2 >= z->len)
			return (0);
		p[c + 6 + packed / 2] ^= 0x21;
	} else {				/* the block's declared sizes */
		static const int dc[] = {1, -1, 0, 0}, du[] = {0, 0, 1, -1};

		return (v - 11 < 4 && xz_block_sizes(p + h, check, dc[v - 11], du[v - 11]));
	}
	return (1);
}

/* xz_agree - two decodes of a stream agree in everything */

static void xz_agree(const char *what, int v, const char *how, int r1, int r2,
		             const struct collect *a, const struct collect *b, size_t t1,
		             size_t t2, int tin)
{
	cr_expect_eq(r1, r2, "%s v%d %s: result", what, v, how);
	cr_expect(a->out.len == b->out.len && same(a->out.p, b->out.p, a->out.len),
		  "%s v%d %s: output %zu, %zu", what, v, how, a->out.len, b->out.len);
	cr_expect_eq(t1, t2, "%s v%d %s: taken", what, v, how);
	cr_expect(!tin || (a->tin.len == b->tin.len && same(a->tin.p, b->tin.p, a->tin.len)),
		  "%s v%d %s: total_in at the chunks", what, v, how);
	cr_expect_eq(b->bad_chunks, 0, "%s v%d %s", what, v, how);
}

/*
 * A corrupt .xz stream: an LZMA2 chunk or a block whose data runs past
 * or stops short of the size its header declares (what the walker
 * fuzzer found), or a flipped byte of chunk data; one block or several
 * (the multi-threaded encoder declares the block sizes), LZMA2 alone,
 * x86 BCJ or delta before it.  Fed whole, a byte at a time and cut in
 * two at every byte (past the first KiB, every seventh): the same
 * result, output, input taken and codec_total_in() at every chunk;
 * with x86 BCJ not total_in at the chunks (codec_xz.c, BUGS).
 */
Test(codec, corrupt_xz_every_cut)
{
	lzma_options_lzma lz;
	lzma_options_delta delta = {.type = LZMA_DELTA_TYPE_BYTE, .dist = 4};
	struct tu_buf text = {0};
	struct scase k = {"xz", CODEC_XZ, {64 * MiB, CODEC_SIZE_UNKNOWN}, {0}};
	int     corrupt = 0;

	bomb_text(&text, 12000, 3);
	cr_assert(!lzma_lzma_preset(&lz, 1));
	lz.dict_size = 64 << 10;		/* a small dictionary: fast decodes */
	for (int m = 0; m < 4; m++) {
		lzma_filter f[3] = {{LZMA_FILTER_X86, NULL}, {LZMA_FILTER_LZMA2, &lz},
				    {LZMA_VLI_UNKNOWN, NULL}};
		lzma_check check = m == 3 ? LZMA_CHECK_CRC64 : LZMA_CHECK_CRC32;

		if (m == 2)
			f[0] = (lzma_filter) {LZMA_FILTER_DELTA, &delta};
		for (int v = 0; v < 16; v++) {
			lzma_stream s = LZMA_STREAM_INIT;
			struct collect whole = {.c = TRACE_TIN};
			size_t  t1, t2;
			int     r1, r2;

			if (m == 3) {
				lzma_mt mt = {.threads = 1, .block_size = 4000,
					      .filters = f + 1, .check = check};

				cr_assert_eq(lzma_stream_encoder_mt(&s, &mt), LZMA_OK);
			} else {
				cr_assert_eq(lzma_stream_encoder(&s, m == 0 ? f + 1 : f, check),
					     LZMA_OK);
			}
			lz_encode(&s, &k.z, text.p, text.len, 0);
			if (!xz_corrupt(&k.z, check, v)) {
				free(k.z.p);
				k.z = (struct tu_buf) {0};
				continue;
			}
			r1 = decode(&k, k.z.p, k.z.len, (struct split) {0}, &whole, &t1, 0);
			corrupt += r1 != CODEC_END;
			for (size_t cut = 0; cut < k.z.len; cut += cut < 1024 ? 1 : 7) {
				struct collect part = {.c = TRACE_TIN};
				struct split sp = {.cut = cut, .chunk = cut == 0};

				r2 = decode(&k, k.z.p, k.z.len, sp, &part, &t2, 0);
				xz_agree(k.what, m * 100 + v, cut ? "cut" : "bytes", r1, r2,
					 &whole, &part, t1, t2, m != 1);
				collect_free(&part);
			}
			collect_free(&whole);
			free(k.z.p);
			k.z = (struct tu_buf) {0};
		}
	}
	cr_expect_gt(corrupt, 20, "most variants are corrupt: %d", corrupt);
	free(text.p);
}

/* zstd_block - a block header: last, type (0 raw, 1 RLE, 2 compressed, 3 reserved), size */

static void zstd_block(struct tu_buf *b, int last, int type, uint32_t size)
{
	uint32_t v = (uint32_t) last | (uint32_t) type << 1 | size << 3;
	uint8_t h[3] = {(uint8_t) v, (uint8_t) (v >> 8), (uint8_t) (v >> 16)};

	tu_put(b, h, 3);
}

/*
 * zstd frames that fail (fuzz-codec's findings, made by hand): at the
 * same byte and with the same output whatever the split.  libzstd says
 * nothing of a call that fails, not even the blocks before the bad one
 * that it decoded in the same call; it judges a short magic number; a
 * raw block past the content size fails at the piece that no longer
 * fits, wherever the pieces were cut (codec_zstd.c, zstd_cap()).
 */
Test(codec, zstd_fails_at_the_same_byte)
{
	static const uint8_t w1k[] = {0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00};	/* 1 KiB window */
	static const uint8_t fcs20000[] = {0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x20, 0x4d};
	static const uint8_t badmagic[] = {0x28, 0xb5, 0x00, 0xfd, 0x04, 0x00};
	static const size_t chunks[] = {0, 1, 2, 3, 5, 7, 100, 5000};
	struct tu_buf z[3] = {{0}};
	size_t  want[3];

	/* blocks, then a block of the reserved type */
	tu_put(&z[0], w1k, sizeof(w1k));
	zstd_block(&z[0], 0, 0, 0);
	zstd_block(&z[0], 0, 1, 14);
	tu_put(&z[0], "x", 1);
	zstd_block(&z[0], 0, 0, 5);
	tu_put(&z[0], "hello", 5);
	zstd_block(&z[0], 0, 1, 300);
	tu_put(&z[0], "y", 1);
	want[0] = z[0].len + 3;
	zstd_block(&z[0], 1, 3, 10);
	tu_put(&z[0], zeros, 10);

	/* a magic number wrong in its third byte */
	tu_put(&z[1], badmagic, sizeof(badmagic));
	want[1] = 3;

	/* 20000 bytes declared, raw blocks of 16384 and 8192 */
	tu_put(&z[2], fcs20000, sizeof(fcs20000));
	zstd_block(&z[2], 0, 0, 16384);
	tu_put(&z[2], zeros, 16384);
	zstd_block(&z[2], 1, 0, 8192);
	want[2] = z[2].len + 20000 - 16384;
	tu_put(&z[2], zeros, 8192);

	for (size_t i = 0; i < 3; i++) {
		struct collect whole = {.c = TRACE_TIN};
		struct scase k = {"zstd", CODEC_ZSTD, {0, CODEC_SIZE_UNKNOWN}, {0}};
		size_t  t1;

		cr_assert_eq(decode(&k, z[i].p, z[i].len, (struct split) {0}, &whole, &t1, 0),
			     CODEC_ERROR, "frame %zu", i);
		cr_expect_eq(t1, want[i], "frame %zu: taken %zu", i, t1);
		for (size_t j = 0; j < sizeof(chunks) / sizeof(chunks[0]); j++) {
			struct collect part = {.c = TRACE_TIN};
			size_t  t2;

			cr_expect_eq(decode(&k, z[i].p, z[i].len, (struct split) {.chunk = chunks[j]},
					    &part, &t2, 0), CODEC_ERROR);
			cr_expect_eq(t2, t1, "frame %zu chunk %zu: taken %zu, whole %zu", i,
				     chunks[j], t2, t1);
			cr_expect(part.out.len == whole.out.len
				  && same(part.out.p, whole.out.p, whole.out.len));
			cr_expect(part.tin.len == whole.tin.len
				  && same(part.tin.p, whole.tin.p, whole.tin.len));
			collect_free(&part);
		}
		if (i == 2)
			cr_expect_eq(whole.out.len, 2 * CODEC_CHUNK);
		collect_free(&whole);
		free(z[i].p);
	}
}

/* zip's LZMA with a property size that is not 5 is corrupt. */
Test(codec, lzma_zip_property_size)
{
	struct tu_buf text = {0}, z = {0};
	struct acct a;
	struct collect col = {0};
	struct codec *c;
	struct codec_opts o = {0, CODEC_SIZE_UNKNOWN};
	size_t  used;

	bomb_text(&text, 1000, 1);
	make_lzma_zip(&z, text.p, text.len, 0, 1, 1);
	z.p[2] = 6;
	acct_init(&a, 0, 0, 0);
	c = codec_new(&a, CODEC_LZMA_ZIP, &o);
	cr_expect_eq(codec_feed(c, z.p, z.len, &used, collect, &col), CODEC_ERROR);
	cr_expect_eq(used, 9);
	codec_free(c);
	cr_expect_eq(a.cur, 0);
	free(z.p);
	free(text.p);
}

/*
 * A known size and an end marker after it: CODEC_ERROR once all the
 * output is out, at every split (codec_xz.c, BUGS: liblzma loses the
 * marker split across calls, so it is refused whole too).
 */
Test(codec, lzma_sized_with_end_marker_refused)
{
	struct tu_buf text = {0}, z = {0};
	struct scase k = {"lzma-zip sized eos", CODEC_LZMA_ZIP, {0, 0}, {0}};

	bomb_text(&text, 20000, 14);
	k.opts.size = text.len;
	make_lzma_zip(&k.z, text.p, text.len, 0, 1, 1);
	for (size_t cut = 1; cut <= k.z.len; cut++) {
		struct collect col = {0};
		struct split sp = {.cut = cut};

		cr_assert_eq(decode(&k, k.z.p, k.z.len, sp, &col, 0, 0), CODEC_ERROR, "cut %zu", cut);
		/* the last, short chunk of a failed stream is not handed over */
		cr_assert(col.out.len == text.len - text.len % CODEC_CHUNK
			  && same(col.out.p, text.p, col.out.len), "cut %zu", cut);
		collect_free(&col);
	}
	free(k.z.p);
	free(z.p);
	free(text.p);
}

/* --- reset -------------------------------------------------------------------------------- */

/* reset, then a second stream (other bytes, another level) on the same state */
Test(codec, reset_then_second_stream)
{
	struct tu_buf t1 = {0}, t2 = {0};
	struct scase k1[NCASES], k2[NCASES];
	size_t  nk;

	bomb_text(&t1, 50000, 1);
	bomb_text(&t2, 70000, 2);
	nk = cases_make(k1, t1.p, t1.len, 0, 1);
	cases_make(k2, t2.p, t2.len, 0, 0);
	for (size_t i = 0; i < nk; i++) {
		struct acct a;
		struct collect c1 = {0}, c2 = {0};
		struct codec *c;

		acct_init(&a, 0, 0, 0);
		c = codec_new(&a, k1[i].kind, &k1[i].opts);
		cr_assert_eq(run(c, k1[i].z.p, k1[i].z.len, (struct split) {.chunk = 999}, &c1, 0),
			     CODEC_END, "%s", k1[i].what);
		cr_assert_eq(codec_reset(c), CODEC_MORE);
		cr_expect_eq(codec_total_in(c), 0);
		cr_expect_eq(codec_total_out(c), 0);
		cr_expect_eq(codec_window(c), 0);
		/* the next zip member has a size of its own */
		if (k1[i].kind == CODEC_LZMA_ZIP)
			cr_assert_eq(codec_reset_opts(c, &k2[i].opts), CODEC_MORE);
		cr_assert_eq(run(c, k2[i].z.p, k2[i].z.len, (struct split) {.chunk = 77}, &c2, 0),
			     CODEC_END, "%s", k1[i].what);
		cr_expect(c1.out.len == t1.len && same(c1.out.p, t1.p, t1.len));
		cr_expect(c2.out.len == t2.len && same(c2.out.p, t2.p, t2.len),
			  "%s", k1[i].what);
		cr_expect_eq(codec_total_in(c), k2[i].z.len);
		cr_expect_eq(codec_total_out(c), t2.len);
		/* a failed stream does not stay failed across reset */
		cr_assert_eq(codec_reset(c), CODEC_MORE);
		cr_expect_eq(codec_finish(c, collect, &c2), CODEC_TRUNCATED);
		codec_free(c);
		cr_expect_eq(a.cur, 0);
		collect_free(&c1);
		collect_free(&c2);
	}
	cases_free(k1, nk);
	cases_free(k2, nk);
	free(t1.p);
	free(t2.p);
}

/* --- memory --------------------------------------------------------------------------------- */

/*
 * Memory is counted under the kind's stage (this module's own block
 * under archive), nothing under the other decoder stages, and is all
 * returned; what each library holds is about what its file says.
 */
Test(codec, memory_counted_by_stage)
{
	static const enum acct_stage decoders[] = {ACCT_INFLATE, ACCT_BZIP2, ACCT_XZ, ACCT_ZSTD};
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 200000, 7);
	nk = cases_make(k, text.p, text.len, 0, 0);
	for (size_t i = 0; i < nk; i++) {
		enum acct_stage st = codec_kind_stage(k[i].kind);
		struct acct a;
		struct collect col = {.count_only = 1};
		struct codec *c;
		size_t  held;

		acct_init(&a, 0, 0, 0);
		c = codec_new(&a, k[i].kind, &k[i].opts);
		cr_expect_eq(run(c, k[i].z.p, k[i].z.len, (struct split) {.chunk = 4096}, &col, 0),
			     CODEC_END);
		held = a.stage_peak[st];
		cr_expect_gt(held, 0, "%s", k[i].what);
		cr_expect_gt(a.stage_peak[ACCT_ARCHIVE], CODEC_CHUNK);
		cr_expect_lt(a.stage_peak[ACCT_ARCHIVE], CODEC_CHUNK + 1024, "%s: %zu", k[i].what,
			     a.stage_peak[ACCT_ARCHIVE]);
		for (size_t d = 0; d < sizeof(decoders) / sizeof(decoders[0]); d++)
			if (decoders[d] != st)
				cr_expect_eq(a.stage_peak[decoders[d]], 0, "%s", k[i].what);
		switch (k[i].kind) {
		case CODEC_DEFLATE:		/* 7 KiB state, 32 KiB window */
			cr_expect(held > 32 * 1024 && held < 48 * 1024, "%s %zu", k[i].what, held);
			break;
		case CODEC_BZIP2:		/* -9: 3.6 MB block, 64 KiB state */
			cr_expect(held > 3600000 && held < 3700000, "%s %zu", k[i].what, held);
			break;
		case CODEC_ZSTD:		/* DCtx, then the window and two blocks */
			cr_expect(held > 100 * 1024 && held < codec_window(c) + 800 * 1024,
				  "%s %zu window %lu", k[i].what, held,
				  (unsigned long) codec_window(c));
			break;
		default:			/* -6: 8 MiB dictionary */
			cr_expect(held > 8 * MiB && held < 8 * MiB + 128 * 1024, "%s %zu",
				  k[i].what, held);
			cr_expect_leq(held, codec_window(c) + 16 * 1024, "%s %zu window %lu",
				      k[i].what, held, (unsigned long) codec_window(c));
			break;
		}
		codec_free(c);
		cr_expect_eq(a.cur, 0, "%s", k[i].what);
		cr_expect_eq(a.stage_cur[st], 0);
	}
	cases_free(k, nk);
	free(text.p);
}

/*
 * Allocation failure at every allocation index, codec_new() through a
 * stream, reset and a second stream: never a crash, CODEC_NOMEM (or
 * NULL from codec_new) whenever an allocation failed, all memory
 * returned; the sweep ends when a run has no failure left to meet.
 */
Test(codec, allocation_failures_survived)
{
	struct tu_buf text = {0};
	struct scase k[NCASES];
	size_t  nk;

	bomb_text(&text, 40000, 13);
	nk = cases_make(k, text.p, text.len, 0, 1);
	for (size_t i = 0; i < nk; i++) {
		unsigned long fail;

		for (fail = 1; fail < 1000; fail++) {
			struct acct a;
			struct collect col = {0};
			struct codec *c;
			int     r1, r2 = CODEC_MORE;

			acct_init(&a, 0, 0, fail);
			if ((c = codec_new(&a, k[i].kind, &k[i].opts)) == 0) {
				cr_expect_neq(a.failed, 0);
				cr_expect_eq(a.cur, 0, "%s fail_at %lu", k[i].what, fail);
				continue;
			}
			r1 = run(c, k[i].z.p, k[i].z.len, (struct split) {.chunk = 1000}, &col, 0);
			if (r1 == CODEC_END && (r2 = codec_reset(c)) == CODEC_MORE)
				r2 = run(c, k[i].z.p, k[i].z.len, (struct split) {.chunk = 333},
					 &col, 0);
			codec_free(c);
			cr_expect_eq(a.cur, 0, "%s fail_at %lu: no leak", k[i].what, fail);
			if (a.failed == 0) {
				cr_expect_eq(r1, CODEC_END, "%s fail_at %lu", k[i].what, fail);
				cr_expect_eq(r2, CODEC_END, "%s fail_at %lu", k[i].what, fail);
				cr_expect_eq(col.n, 2 * text.len);
				collect_free(&col);
				break;
			}
			cr_expect(r1 == CODEC_NOMEM || (r1 == CODEC_END && r2 == CODEC_NOMEM),
				  "%s fail_at %lu: %d %d", k[i].what, fail, r1, r2);
			cr_expect(col.out.len <= 2 * text.len);
			collect_free(&col);
		}
		cr_expect_gt(fail, 1, "%s: the sweep met allocations", k[i].what);
		cr_expect_lt(fail, 1000, "%s: the sweep ended", k[i].what);
	}
	cases_free(k, nk);
	free(text.p);
}

/* --- windows ---------------------------------------------------------------------------------- */

/* decode_limited - one stream whole at a memory limit; the sink's calls, the window */

static int decode_limited(enum codec_kind kind, const struct tu_buf *z, uint64_t limit,
			          struct collect *col, uint64_t *window, struct acct *a)
{
	struct codec_opts o = {limit, CODEC_SIZE_UNKNOWN};
	struct codec *c;
	size_t  used;
	int     r;

	acct_init(a, 0, 0, 0);
	c = codec_new(a, kind, &o);
	cr_assert_not_null(c);
	r = run(c, z->p, z->len, (struct split) {0}, col, &used);
	*window = codec_window(c);
	if (r == CODEC_TOOBIG) {		/* sticky */
		cr_expect_eq(codec_feed(c, z->p, z->len, &used, collect, col), CODEC_TOOBIG);
		cr_expect_eq(used, 0);
		cr_expect_eq(codec_finish(c, collect, col), CODEC_TOOBIG);
	}
	codec_free(c);
	cr_expect_eq(a->cur, 0);
	return (r);
}

/* xz -9: about 65 MiB; decoded within 80 MiB, refused at 1 MiB before the dictionary */
Test(codec, window_xz9)
{
	struct tu_buf text = {0}, z = {0};
	struct collect col = {0};
	struct acct a;
	uint64_t w;
	size_t  cap;

	bomb_text(&text, 100000, 21);
	cap = lzma_stream_buffer_bound(text.len);
	z.p = malloc(cap);
	cr_assert_eq(lzma_easy_buffer_encode(9, LZMA_CHECK_CRC64, 0, text.p, text.len,
					     z.p, &z.len, cap), LZMA_OK);
	cr_expect_eq(decode_limited(CODEC_XZ, &z, 80 * MiB, &col, &w, &a), CODEC_END);
	cr_expect(w > 64 * MiB && w < 66 * MiB, "window %lu", (unsigned long) w);
	cr_expect(col.out.len == text.len && same(col.out.p, text.p, text.len));
	cr_expect_geq(a.stage_peak[ACCT_XZ], 64 * MiB);
	collect_free(&col);

	cr_expect_eq(decode_limited(CODEC_XZ, &z, 1 * MiB, &col, &w, &a), CODEC_TOOBIG);
	cr_expect(w > 64 * MiB && w < 66 * MiB, "window %lu", (unsigned long) w);
	cr_expect_eq(col.calls, 0);
	cr_expect_lt(a.stage_peak[ACCT_XZ], 1 * MiB, "no dictionary: %zu", a.stage_peak[ACCT_XZ]);
	collect_free(&col);
	free(z.p);
	free(text.p);
}

/* .lzma and zip's LZMA: the header's dictionary, refused before it is allocated */
Test(codec, window_lzma)
{
	struct tu_buf text = {0}, z1 = {0}, z2 = {0};
	struct collect col = {0};
	struct acct a;
	uint64_t w;

	bomb_text(&text, 10000, 22);
	make_alone(&z1, text.p, text.len, 0, 6, 0);		/* 8 MiB dictionary */
	make_lzma_zip(&z2, text.p, text.len, 0, 6, 1);
	for (int i = 0; i < 2; i++) {
		enum codec_kind kind = i ? CODEC_LZMA_ZIP : CODEC_LZMA_ALONE;
		const struct tu_buf *z = i ? &z2 : &z1;

		cr_expect_eq(decode_limited(kind, z, 0, &col, &w, &a), CODEC_END);
		cr_expect(w > 8 * MiB && w < 8 * MiB + 128 * 1024, "window %lu", (unsigned long) w);
		collect_free(&col);
		cr_expect_eq(decode_limited(kind, z, 4 * MiB, &col, &w, &a), CODEC_TOOBIG);
		cr_expect(w > 8 * MiB && w < 8 * MiB + 128 * 1024, "window %lu", (unsigned long) w);
		cr_expect_eq(col.calls, 0);
		cr_expect_lt(a.stage_peak[ACCT_XZ], 1 * MiB);
		collect_free(&col);
	}
	free(z1.p);
	free(z2.p);
	free(text.p);
}

/* zstd, windowLog 27: 128 MiB, refused at 80 MiB with no output and no buffer */
Test(codec, window_zstd27)
{
	struct tu_buf text = {0}, z = {0};
	struct collect col = {0};
	struct acct a;
	uint64_t w;

	bomb_text(&text, 1 * MiB, 23);
	make_zstd(&z, text.p, text.len, 0, 3, 27, 1);
	cr_expect_eq(decode_limited(CODEC_ZSTD, &z, 80 * MiB, &col, &w, &a), CODEC_TOOBIG);
	cr_expect_eq(w, 128 * MiB);
	cr_expect_eq(col.calls, 0);
	cr_expect_lt(a.stage_peak[ACCT_ZSTD], 1 * MiB, "no buffers: %zu", a.stage_peak[ACCT_ZSTD]);
	collect_free(&col);

	cr_expect_eq(decode_limited(CODEC_ZSTD, &z, 0, &col, &w, &a), CODEC_END);
	cr_expect_eq(w, 128 * MiB);
	cr_expect(col.out.len == text.len && same(col.out.p, text.p, text.len));
	cr_expect_geq(a.stage_peak[ACCT_ZSTD], 128 * MiB);
	collect_free(&col);

	/* a limit just under the window: refused by our check; just over: decoded */
	cr_expect_eq(decode_limited(CODEC_ZSTD, &z, 128 * MiB - 1, &col, &w, &a), CODEC_TOOBIG);
	collect_free(&col);
	cr_expect_eq(decode_limited(CODEC_ZSTD, &z, 128 * MiB + 1, &col, &w, &a), CODEC_END);
	collect_free(&col);
	free(z.p);
	free(text.p);
}

/* zstd at levels 1 and 19, size not told: the level's window, as libzstd sets it */
Test(codec, window_zstd_levels)
{
	struct tu_buf text = {0};
	static const int levels[] = {1, 19};

	bomb_text(&text, 300000, 24);
	for (size_t i = 0; i < 2; i++) {
		struct tu_buf z = {0};
		struct collect col = {0};
		struct acct a;
		uint64_t w, want;

		make_zstd(&z, text.p, text.len, 0, levels[i], 0, 1);
		want = (uint64_t) 1 << ZSTD_getCParams(levels[i], ZSTD_CONTENTSIZE_UNKNOWN, 0).windowLog;
		cr_expect_eq(decode_limited(CODEC_ZSTD, &z, 0, &col, &w, &a), CODEC_END);
		cr_expect_eq(w, want, "level %d: %lu", levels[i], (unsigned long) w);
		collect_free(&col);
		free(z.p);
		memset(&z, 0, sizeof(z));

		/* told the size: a single segment, the window is the content */
		make_zstd(&z, text.p, text.len, 0, levels[i], 0, 0);
		cr_expect_eq(decode_limited(CODEC_ZSTD, &z, 0, &col, &w, &a), CODEC_END);
		cr_expect_leq(w, text.len, "level %d: %lu", levels[i], (unsigned long) w);
		collect_free(&col);
		free(z.p);
	}
	free(text.p);
}

/* bzip2: 100 kB + 4 x the block: 3,700,000 at -9, 500,000 at -1 */
Test(codec, window_bzip2)
{
	struct tu_buf text = {0};
	struct collect col = {0};
	struct acct a;
	uint64_t w;

	bomb_text(&text, 10000, 25);
	for (int level = 1; level <= 9; level++) {
		struct tu_buf z = {0};

		make_bzip2(&z, text.p, text.len, 0, level);
		cr_expect_eq(decode_limited(CODEC_BZIP2, &z, 0, &col, &w, &a), CODEC_END);
		cr_expect_eq(w, 100000 + 400000 * (uint64_t) level);
		collect_free(&col);
		cr_expect_eq(decode_limited(CODEC_BZIP2, &z, 3000000, &col, &w, &a),
			     level <= 7 ? CODEC_END : CODEC_TOOBIG, "level %d", level);
		if (level > 7) {
			cr_expect_eq(col.calls, 0);
			cr_expect_lt(a.stage_peak[ACCT_BZIP2], 100000, "no block array");
		}
		collect_free(&col);
		free(z.p);
	}
	cr_expect_eq(100000 + 400000 * 9, 3700000);
	free(text.p);
}

/* zstd: a skippable frame has no output and no window; the bytes after it stay */
Test(codec, zstd_skippable_frame)
{
	static const uint8_t skip[] = {0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5, 'x'};
	static const uint8_t empty[] = {0x5f, 0x2a, 0x4d, 0x18, 0, 0, 0, 0, 'y'};

	for (size_t chunk = 0; chunk <= 1; chunk++) {
		struct scase k = {"skippable", CODEC_ZSTD, {0, CODEC_SIZE_UNKNOWN}, {0}};
		struct collect col = {0};
		size_t  taken;
		uint64_t w;

		cr_expect_eq(decode(&k, skip, sizeof(skip), (struct split) {.chunk = chunk}, &col,
				    &taken, &w), CODEC_END);
		cr_expect_eq(taken, sizeof(skip) - 1);
		cr_expect_eq(col.calls, 0);
		cr_expect_eq(w, 0);
		cr_expect_eq(decode(&k, empty, sizeof(empty), (struct split) {.chunk = chunk},
				    &col, &taken, &w), CODEC_END);
		cr_expect_eq(taken, sizeof(empty) - 1);
		cr_expect_eq(col.calls, 0);
	}
}

/* zstd: a header declaring a window beyond libzstd (2^41) is TOOBIG with that window */
Test(codec, zstd_window_beyond_library)
{
	static const uint8_t hdr[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0, 0, 0};
	struct scase k = {"huge", CODEC_ZSTD, {0, CODEC_SIZE_UNKNOWN}, {0}};
	struct collect col = {0};
	uint64_t w;

	cr_expect_eq(decode(&k, hdr, sizeof(hdr), (struct split) {0}, &col, 0, &w), CODEC_TOOBIG);
	cr_expect_eq(w, (uint64_t) 1 << 41);
}

/* --- bombs ---------------------------------------------------------------------------------------- */

/* 100 MiB of zeros, every kind: decoded whole and quickly, in exact chunks */
Test(codec, bomb_100mib_zeros)
{
	struct scase k[NCASES];
	size_t  nk;

	nk = cases_make(k, 0, 0, 100 * MiB, 1);
	for (size_t i = 0; i < nk; i++) {
		struct collect col = {.count_only = 1};
		size_t  taken;
		clock_t t0 = clock();

		cr_expect_eq(decode(&k[i], k[i].z.p, k[i].z.len, (struct split) {.chunk = 65536},
				    &col, &taken, 0), CODEC_END, "%s", k[i].what);
		cr_expect_eq(col.n, 100 * MiB, "%s", k[i].what);
		cr_expect_eq(col.nonzero, 0);
		cr_expect_eq(col.bad_chunks, 0);
		cr_expect_eq(col.calls, 100 * MiB / CODEC_CHUNK);
		cr_expect_eq(taken, k[i].z.len);
		cr_expect_lt(k[i].z.len, MiB, "%s: a bomb (%zu bytes)", k[i].what, k[i].z.len);
		cr_expect_lt((double) (clock() - t0) / CLOCKS_PER_SEC, 20.0, "%s", k[i].what);
	}
	cases_free(k, nk);
}
