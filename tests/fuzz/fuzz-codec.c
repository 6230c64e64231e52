/*
 * fuzz-codec - libFuzzer harness for the codec interface alone: every
 * kind (zlib, libbz2, liblzma, libzstd) fed whole and in pieces.
 *
 * Input: byte 0 picks the kind (byte 0 % CODEC_KIND_COUNT) and the
 * split (the rest: pieces of 1 to 128 or 1 to 4096 bytes, their lengths
 * taken in turn from the input itself); byte 1 picks the allocation
 * that fails in the third run (fail_at 1..64, low 6 bits) and, for
 * lzma-zip, whether the uncompressed size is known (bit 7: then bytes
 * 2..4 are the size, little-endian); the rest is the compressed stream.
 *
 * Asserts: the stream fed whole and fed in pieces gives the same
 * result, the same output bytes (length and FNV-1a hash) in the same
 * chunks (exactly CODEC_CHUNK but the last), the same codec_total_in()
 * at every chunk, the same input taken and the same window, valid or
 * corrupt; a run with
 * an allocation failure never crashes, says CODEC_NOMEM (or NULL from
 * codec_new) when an allocation failed and the same as the others when
 * none did; every run returns all its memory.  The memory limit is 4
 * MiB and the sink stops after 2 MiB of output, so that runs stay fast.
 */

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "acct.h"
#include "codec.h"

#define FUZZ_LIMIT	(4u << 20)	/* opts.mem_limit */
#define FUZZ_OUT_MAX	(2u << 20)	/* the sink stops here */

struct out {
	const struct codec *c;
	uint64_t n;			/* bytes */
	uint64_t hash;			/* FNV-1a of the bytes */
	uint64_t tin;			/* FNV-1a of total_in at each chunk */
	size_t	last;			/* the previous chunk's length */
};

struct result {
	int	r;
	size_t	taken;
	uint64_t total_in, total_out, window;
	struct out o;
};

static int out_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct out *o = ctx;
	uint64_t tin = codec_total_in(o->c);

	assert(n > 0 && n <= CODEC_CHUNK);
	assert(o->n == 0 || o->last == CODEC_CHUNK);	/* short: only the last */
	o->last = n;
	o->n += n;
	while (n-- > 0)
		o->hash = (o->hash ^ *p++) * 1099511628211ULL;
	for (int i = 0; i < 8; i++)
		o->tin = (o->tin ^ (uint8_t) (tin >> (8 * i))) * 1099511628211ULL;
	return (o->n >= FUZZ_OUT_MAX);
}

/* piece - the next piece's length: from the data itself */

static size_t piece(const uint8_t *d, size_t len, size_t at, unsigned salt)
{
	size_t  max = salt & 1 ? 4096 : 128;

	return (1 + (size_t) (d[(at * 7 + salt) % len] * 31u + salt) % max);
}

/*
 * run - one codec over d[0..len): whole (salt < 0) or in pieces, then
 * finish; fail_at as acct's fault hook.  0: codec_new() failed.
 */
static int run(enum codec_kind kind, const struct codec_opts *opts, const uint8_t *d,
	               size_t len, int salt, unsigned long fail_at, struct result *res,
	               struct acct *a)
{
	struct codec *c;
	size_t  at = 0, k, used;
	int     r = CODEC_MORE;

	memset(res, 0, sizeof(*res));
	res->o.hash = res->o.tin = 14695981039346656037ULL;
	acct_init(a, 0, 0, fail_at);
	if ((c = codec_new(a, kind, opts)) == 0) {
		assert(a->failed != 0 && a->cur == 0);
		return (0);
	}
	assert(codec_kind(c) == kind);
	res->o.c = c;
	while (at < len) {
		k = salt < 0 ? len - at : piece(d, len, at, (unsigned) salt);
		if (k > len - at)
			k = len - at;
		r = codec_feed(c, d + at, k, &used, out_sink, &res->o);
		assert(used <= k);
		at += used;
		if (r != CODEC_MORE)
			break;
		assert(used == k);
	}
	if (r == CODEC_MORE)
		r = codec_finish(c, out_sink, &res->o);
	else if (r == CODEC_END)
		assert(codec_finish(c, out_sink, &res->o) == CODEC_END);
	res->r = r;
	res->taken = at;
	res->total_in = codec_total_in(c);
	res->total_out = codec_total_out(c);
	res->window = codec_window(c);
	assert(res->total_in == at);
	assert(res->total_out == res->o.n);
	if (r == CODEC_ERROR || r == CODEC_NOMEM || r == CODEC_TOOBIG) {	/* sticky */
		assert(codec_feed(c, d, len, &used, out_sink, &res->o) == r && used == 0);
		assert(codec_finish(c, out_sink, &res->o) == r);
	}
	codec_free(c);
	assert(a->cur == 0);
	return (1);
}

/* same - two runs agree, on valid and corrupt streams alike */

static int same(const struct result *x, const struct result *y)
{
	return (x->r == y->r && x->taken == y->taken && x->total_in == y->total_in
		&& x->total_out == y->total_out && x->window == y->window
		&& x->o.hash == y->o.hash && x->o.tin == y->o.tin);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct codec_opts opts = {FUZZ_LIMIT, CODEC_SIZE_UNKNOWN};
	struct result whole, part, failed;
	struct acct a;
	enum codec_kind kind;
	unsigned long fail_at;
	int     salt;

	if (size < 2)
		return (0);
	kind = (enum codec_kind) (data[0] % CODEC_KIND_COUNT);
	salt = data[0] / CODEC_KIND_COUNT;
	fail_at = 1 + (data[1] & 63);
	if (kind == CODEC_LZMA_ZIP && (data[1] & 0x80)) {
		if (size < 5)
			return (0);
		opts.size = data[2] | data[3] << 8 | (uint64_t) data[4] << 16;
		data += 3;
		size -= 3;
	}
	data += 2;
	size -= 2;
	if (size == 0)
		return (0);

	assert(run(kind, &opts, data, size, -1, 0, &whole, &a));
	assert(run(kind, &opts, data, size, salt, 0, &part, &a));
	assert(same(&whole, &part));
	if (run(kind, &opts, data, size, salt, fail_at, &failed, &a) == 0)
		return (0);
	if (a.failed != 0)
		assert(failed.r == CODEC_NOMEM);
	else
		assert(same(&whole, &failed));
	return (0);
}
