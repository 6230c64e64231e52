/*
 * fuzz-cstream - libFuzzer harness for the compressed-stream walkers
 * (bzip2, xz, LZMA-alone, zstd).  See fuzz-walker.h.  The input's first
 * bytes pick the walker as the format table would: "BZ" bzip2, FD 37 xz,
 * 28 B5 or a skippable frame's 5x zstd, anything else LZMA-alone (which
 * has no signature).
 */
#include <stddef.h>
#include <stdint.h>

#include "cstream.h"

static const struct analyser *cstream_pick(const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == 'B' && p[1] == 'Z')
		return (&bzip2_analyser);
	if (n >= 2 && p[0] == 0xfd && p[1] == '7')
		return (&xz_analyser);
	if (n >= 1 && (p[0] == 0x28 || (p[0] & 0xf0) == 0x50))
		return (&zstd_analyser);
	return (&lzma_analyser);
}

#define FUZZ_ANALYSER (*cstream_pick(p, n))
#include "fuzz-walker.h"
