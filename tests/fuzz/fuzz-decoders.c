/*
 * fuzz-decoders - libFuzzer harness for the transfer decoders, base64
 * and quoted-printable, alone.
 *
 * Input: byte 0 picks the decoder (bit 0) and the chunking (the rest:
 * chunks of 1 to 128 bytes, their lengths taken in turn from the input
 * itself), the rest is the encoded body.  Asserts, for base64: decoding
 * whole and in chunks yields the same bytes and state, and counting (no
 * sink: the vector path of b64_run) whole and in chunks, or switching
 * between decoding and counting at each chunk, counts exactly what
 * decoding yields, with the same junk and padding; for QP: the same
 * bytes whole and in chunks.  The decoded bytes are compared by length
 * and FNV-1a hash.
 */

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "base64.h"
#include "qp.h"

struct out {
	uint64_t n;
	uint64_t hash;
};

static int out_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct out *o = ctx;

	assert(n > 0);
	o->n += n;
	while (n-- > 0)
		o->hash = (o->hash ^ *p++) * 1099511628211ULL;
	return (0);
}

/* chunk - the next chunk's length: from the data itself, 1..128 */

static size_t chunk(const uint8_t *d, size_t len, size_t at, unsigned salt)
{
	return (1 + (size_t) ((d[(at * 7 + salt) % len] + salt) % 128));
}

/* b64_run_all - one pass; mode 0 decode, 1 count, 2 alternate */

static void b64_run_all(const uint8_t *d, size_t len, int mode, unsigned salt,
			        int whole, struct b64 *b, struct out *o)
{
	size_t  at = 0, k;
	int     use = 1;

	b64_init(b);
	memset(o, 0, sizeof(*o));
	o->hash = 14695981039346656037ULL;
	while (at < len) {
		k = whole ? len - at : chunk(d, len, at, salt);
		if (k > len - at)
			k = len - at;
		use = mode == 0 || (mode == 2 && ((at / 64 + salt) & 1));
		assert(b64_feed(b, d + at, k, use ? out_sink : 0, o) == 0);
		at += k;
	}
	assert(b64_finish(b, mode == 0 ? out_sink : 0, o) == 0);
}

static void fuzz_b64(const uint8_t *d, size_t len, unsigned salt)
{
	struct b64 ref, b;
	struct out rout, o;

	b64_run_all(d, len, 0, salt, 1, &ref, &rout);
	assert(ref.out == rout.n);
	b64_run_all(d, len, 0, salt, 0, &b, &o);
	assert(o.n == rout.n && o.hash == rout.hash);
	assert(b.out == ref.out && b.junk == ref.junk && b.padded == ref.padded);
	for (int mode = 1; mode <= 2; mode++) {
		for (int whole = 0; whole <= 1; whole++) {
			b64_run_all(d, len, mode, salt, whole, &b, &o);
			assert(b.out == ref.out);
			assert(b.junk == ref.junk);
			assert(b.padded == ref.padded);
		}
	}
}

static void fuzz_qp(const uint8_t *d, size_t len, unsigned salt)
{
	struct qp q;
	struct out ref = {0, 14695981039346656037ULL}, o = ref;
	size_t  at = 0, k;

	qp_init(&q);
	assert(qp_feed(&q, d, len, out_sink, &ref) == 0);
	assert(qp_finish(&q, out_sink, &ref) == 0);
	qp_init(&q);
	while (at < len) {
		k = chunk(d, len, at, salt);
		if (k > len - at)
			k = len - at;
		assert(qp_feed(&q, d + at, k, out_sink, &o) == 0);
		at += k;
	}
	assert(qp_finish(&q, out_sink, &o) == 0);
	assert(o.n == ref.n && o.hash == ref.hash);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return (0);
	if (data[0] & 1)
		fuzz_qp(data + 1, size - 1, data[0] >> 1);
	else
		fuzz_b64(data + 1, size - 1, data[0] >> 1);
	return (0);
}
