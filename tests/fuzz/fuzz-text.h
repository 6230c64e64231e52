/*
 * fuzz-text.h - the body of the text decoder harnesses (fuzz-yenc,
 * fuzz-binhex, fuzz-b64text): one scanner fed the input whole and in fuzzer-chosen
 * chunks, the two event logs compared.  Each harness defines FUZZ_T
 * (the struct), FUZZ_EVENTS (its events struct), FUZZ_INIT, FUZZ_FEED,
 * FUZZ_FINISH, then includes this file.
 *
 * Input: byte 0 picks the chunking (bytes, 1..97 bytes, pieces of 1,
 * 3, 7, 15 ... bytes, or chunks of 1..16 from the byte itself), the
 * rest is the text.  Asserts: begins and ends pair up (no begin in a
 * file, no end outside one, nothing open after finish), no empty data
 * call, and the same log fed whole: the count of begins and ends, the
 * clean ends, the bytes, and a hash of every name, declared size,
 * clean flag and data byte in order.
 */

#include <assert.h>
#include <stdint.h>
#include <string.h>

struct fuzz_log {
	int	open;
	uint64_t begins;
	uint64_t ends;
	uint64_t clean;
	uint64_t bytes;
	uint64_t hash;
};

/* fuzz_mix - FNV-1a over the log */

static void fuzz_mix(struct fuzz_log *l, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n-- > 0)
		l->hash = (l->hash ^ *s++) * 1099511628211ULL;
}

static int fuzz_begin(void *ctx, const char *name, size_t len, uint64_t size)
{
	struct fuzz_log *l = ctx;

	assert(!l->open);
	l->open = 1;
	l->begins++;
	fuzz_mix(l, "B", 1);
	fuzz_mix(l, &len, sizeof(len));
	fuzz_mix(l, name, len);
	fuzz_mix(l, &size, sizeof(size));
	return (0);
}

static int fuzz_data(void *ctx, const uint8_t *p, size_t n)
{
	struct fuzz_log *l = ctx;

	assert(l->open);
	assert(n > 0);
	l->bytes += n;
	fuzz_mix(l, p, n);
	return (0);
}

static int fuzz_end(void *ctx, int clean)
{
	struct fuzz_log *l = ctx;

	assert(l->open);
	l->open = 0;
	l->ends++;
	l->clean += clean != 0;
	fuzz_mix(l, clean ? "E1" : "E0", 2);
	return (0);
}

static const FUZZ_EVENTS fuzz_events = {fuzz_begin, fuzz_data, fuzz_end};

/* fuzz_scan - the scanner over p, fed as mode says (0: whole) */

static struct fuzz_log fuzz_scan(const uint8_t *p, size_t n, unsigned mode)
{
	FUZZ_T  st;
	struct fuzz_log l = {0, 0, 0, 0, 0, 14695981039346656037ULL};
	size_t  off = 0, grow = 1, len;
	int     ret;

	FUZZ_INIT(&st, &fuzz_events, &l);
	while (off < n) {
		switch (mode == 0 ? 4 : mode % 4) {
		case 0:
			len = 1 + mode / 4 % 16;
			break;
		case 1:
			len = 1;
			break;
		case 2:
			len = 1 + p[off] % 97;
			break;
		case 3:
			len = grow;
			grow = grow * 2 + 1;
			break;
		default:
			len = n - off;
			break;
		}
		if (len > n - off)
			len = n - off;
		ret = FUZZ_FEED(&st, p + off, len);
		assert(ret == 0);
		off += len;
	}
	ret = FUZZ_FINISH(&st);
	assert(ret == 0);
	(void) ret;
	assert(!l.open);
	return (l);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_log a, b;

	if (size < 1)
		return (0);
	a = fuzz_scan(data + 1, size - 1, 0);
	b = fuzz_scan(data + 1, size - 1, data[0] ? data[0] : 1);
	assert(a.begins == b.begins && a.ends == b.ends && a.clean == b.clean);
	assert(a.bytes == b.bytes && a.hash == b.hash);
	assert(a.begins == a.ends);
	return (0);
}
