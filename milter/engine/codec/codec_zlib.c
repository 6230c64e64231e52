/*
 * NAME
 *	codec_zlib 3
 * SUMMARY
 *	the codec's raw deflate backend, over zlib
 * SYNOPSIS
 *	#include "codec_impl.h"
 *
 *	const struct codec_ops codec_zlib_ops;
 * DESCRIPTION
 *	CODEC_DEFLATE: raw deflate (window bits -15), as zip method 8
 *	and gzip members carry it; the walkers parse their own headers.
 *	zlib's allocations go through acct_zalloc/acct_zfree, stage
 *	inflate.  codec_window() stays 0: deflate declares no window,
 *	32 KiB is all it can ask for.
 *
 *	zlib takes input only as far as it can decode it into the room
 *	it is given, and decodes what it can without room (block
 *	headers, an end-of-block code), so the output rule of codec.c
 *	keeps codec_total_in() at sink time independent of the split.
 * MEMORY
 *	About 7 KiB of zlib state from codec_new(), plus zlib's 32 KiB
 *	window once the first block is decoded; codec_reset() keeps both.
 * BUGS
 *	The check values around deflate data (gzip's CRC, zip's CRC) are
 *	the containers' and are not verified.
 */

#include <limits.h>
#include <string.h>
#include <zlib.h>

#include "codec_impl.h"

struct zlib_state {
	z_stream z;
};

#define ZLIB_STATE(c)	((struct zlib_state *) (c)->state)

/* zlib_init - raw inflate with the counted allocator */

static int zlib_init(struct codec *c)
{
	struct zlib_state *s = ZLIB_STATE(c);

	memset(&s->z, 0, sizeof(s->z));
	s->z.zalloc = acct_zalloc;
	s->z.zfree = acct_zfree;
	s->z.opaque = c->acct;
	return (inflateInit2(&s->z, -15) == Z_OK ? CODEC_MORE : CODEC_NOMEM);
}

/* zlib_reset - the next stream; state and window stay */

static int zlib_reset(struct codec *c)
{
	return (inflateReset(&ZLIB_STATE(c)->z) == Z_OK ? CODEC_MORE : CODEC_ERROR);
}

/* zlib_step - one inflate() call */

static int zlib_step(struct codec *c, struct codec_io *io)
{
	z_stream *z = &ZLIB_STATE(c)->z;
	uInt    give = io->in_len > UINT_MAX ? UINT_MAX : (uInt) io->in_len;
	int     ret;

	z->next_in = (Bytef *) io->in;
	z->avail_in = give;
	z->next_out = io->out;
	z->avail_out = (uInt) io->out_len;	/* at most CODEC_CHUNK */
	ret = inflate(z, Z_NO_FLUSH);
	io->took = give - z->avail_in;
	io->made = io->out_len - z->avail_out;
	switch (ret) {
	case Z_STREAM_END:
		return (CODEC_END);
	case Z_OK:
	case Z_BUF_ERROR:			/* no progress: codec.c judges */
		return (CODEC_MORE);
	case Z_MEM_ERROR:
		return (CODEC_NOMEM);
	default:				/* data, dictionary, stream error */
		return (CODEC_ERROR);
	}
}

/* zlib_end - release zlib's state and window */

static void zlib_end(struct codec *c)
{
	inflateEnd(&ZLIB_STATE(c)->z);
}

const struct codec_ops codec_zlib_ops = {
	sizeof(struct zlib_state), zlib_init, zlib_reset, zlib_step, zlib_end,
};
