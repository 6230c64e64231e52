/*
 * NAME
 *	codec_bzip2 3
 * SUMMARY
 *	the codec's bzip2 backend, over libbz2
 * SYNOPSIS
 *	#include "codec_impl.h"
 *
 *	const struct codec_ops codec_bzip2_ops;
 * DESCRIPTION
 *	CODEC_BZIP2: one bzip2 stream, "BZh1".."BZh9" to the end-of-stream
 *	marker and its CRC; bytes after it are the caller's (a .bz2 file
 *	of several streams is several codec_reset()s).  libbz2's
 *	allocations go through acct_alloc, stage bzip2; small mode is off
 *	(it is two to three times slower, and the limit below is what
 *	keeps the memory in check).
 *
 *	The window.  The fourth byte of the stream header, the block
 *	size level, fixes the decoder's memory: 100 kB plus 4 bytes per
 *	byte of block, level x 100 kB.  This module reads the four bytes
 *	as they pass (it keeps its own copy, the caller's buffer is gone
 *	after the call) and, once they are a valid header, reports that
 *	as codec_window(); when it exceeds opts.mem_limit (non-zero) the
 *	stream is CODEC_TOOBIG before libbz2 is given the fourth byte,
 *	which is the one that makes it allocate the block.
 *
 *	libbz2 takes input only while it reads a block and writes output
 *	only after the whole block is read, so at the output rule's hand
 *	over it has read exactly the blocks whose output it is writing,
 *	whatever the split: codec_total_in() at sink time does not
 *	depend on it.
 * MEMORY
 *	From codec_new(): libbz2's DState, about 63 KiB.  Once the header
 *	is read: the block array, level x 400 kB (3.6 MB at -9).  What
 *	codec_window() says is their sum as bzip2's manual rounds it
 *	(100 kB + 4 x block size: 3,700,000 at -9; 3,664,208 held).
 *	codec_reset() frees both and allocates the DState again (libbz2
 *	has no reset).
 * BUGS
 *	The block and stream CRCs are verified (libbz2 cannot skip them):
 *	a stream with a bad CRC is CODEC_ERROR at the end of its block,
 *	after the block's output.  The randomised blocks of bzip2 0.9.0
 *	are decoded as libbz2 decodes them.
 */

#include <limits.h>
#include <string.h>
#include <bzlib.h>

#include "codec_impl.h"

#define BZ2_HDR		4		/* "BZh" and the level */

struct bzip2_state {
	bz_stream bz;
	int	live;			/* BZ2_bzDecompressInit() done: End owed */
	uint8_t hdr[BZ2_HDR];		/* the stream's first bytes, as they pass */
};

#define BZIP2_STATE(c)	((struct bzip2_state *) (c)->state)

/* bzip2_alloc - libbz2's bzalloc, counted */

static void *bzip2_alloc(void *opaque, int n, int m)
{
	size_t  len;

	/* A size that does not fit is asked for as SIZE_MAX: acct refuses it. */
	if (n < 0 || m < 0 || __builtin_mul_overflow((size_t) n, (size_t) m, &len))
		len = SIZE_MAX;
	return (acct_alloc((struct acct *) opaque, ACCT_BZIP2, len));
}

/* bzip2_free - libbz2's bzfree */

static void bzip2_free(void *opaque, void *ptr)
{
	acct_free((struct acct *) opaque, ptr);
}

/* bzip2_init - a decompressor with the counted allocator */

static int bzip2_init(struct codec *c)
{
	struct bzip2_state *s = BZIP2_STATE(c);
	int     ret;

	memset(&s->bz, 0, sizeof(s->bz));
	s->bz.bzalloc = bzip2_alloc;
	s->bz.bzfree = bzip2_free;
	s->bz.opaque = c->acct;
	memset(s->hdr, 0, sizeof(s->hdr));
	ret = BZ2_bzDecompressInit(&s->bz, 0, 0);
	s->live = ret == BZ_OK;
	if (ret == BZ_OK)
		return (CODEC_MORE);
	return (ret == BZ_MEM_ERROR ? CODEC_NOMEM : CODEC_ERROR);
}

/* bzip2_end - release libbz2's state and block */

static void bzip2_end(struct codec *c)
{
	struct bzip2_state *s = BZIP2_STATE(c);

	if (s->live)
		BZ2_bzDecompressEnd(&s->bz);
	s->live = 0;
}

/* bzip2_reset - the next stream: libbz2 has no reset, so end and init */

static int bzip2_reset(struct codec *c)
{
	bzip2_end(c);
	return (bzip2_init(c));
}

/* bzip2_header - watch the header pass; CODEC_TOOBIG before the 4th byte */

static int bzip2_header(struct codec *c, struct bzip2_state *s, const struct codec_io *io)
{
	uint64_t off = c->total_in;		/* where io->in starts */
	size_t  i;

	for (i = 0; off + i < BZ2_HDR && i < io->in_len; i++)
		s->hdr[off + i] = io->in[i];
	if (c->window != 0 || off + i < BZ2_HDR)
		return (CODEC_MORE);
	if (memcmp(s->hdr, "BZh", 3) != 0 || s->hdr[3] < '1' || s->hdr[3] > '9')
		return (CODEC_MORE);		/* libbz2 will say what is wrong */
	c->window = 100000 + 4 * (uint64_t) (s->hdr[3] - '0') * 100000;
	if (c->opts.mem_limit != 0 && c->window > c->opts.mem_limit)
		return (CODEC_TOOBIG);
	return (CODEC_MORE);
}

/* bzip2_step - one BZ2_bzDecompress() call */

static int bzip2_step(struct codec *c, struct codec_io *io)
{
	struct bzip2_state *s = BZIP2_STATE(c);
	unsigned give = io->in_len > UINT_MAX ? UINT_MAX : (unsigned) io->in_len;
	int     ret;

	if (!s->live)
		return (CODEC_NOMEM);		/* a failed reset; codec.c keeps it */
	if (c->total_in < BZ2_HDR && (ret = bzip2_header(c, s, io)) != CODEC_MORE)
		return (ret);
	s->bz.next_in = (char *) io->in;
	s->bz.avail_in = give;
	s->bz.next_out = (char *) io->out;
	s->bz.avail_out = (unsigned) io->out_len;
	ret = BZ2_bzDecompress(&s->bz);
	io->took = give - s->bz.avail_in;
	io->made = io->out_len - s->bz.avail_out;
	switch (ret) {
	case BZ_OK:
		return (CODEC_MORE);
	case BZ_STREAM_END:
		return (CODEC_END);
	case BZ_MEM_ERROR:
		return (CODEC_NOMEM);
	default:				/* data, magic, param, sequence */
		return (CODEC_ERROR);
	}
}

const struct codec_ops codec_bzip2_ops = {
	sizeof(struct bzip2_state), bzip2_init, bzip2_reset, bzip2_step, bzip2_end,
};
