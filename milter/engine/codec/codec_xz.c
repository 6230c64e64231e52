/*
 * NAME
 *	codec_xz 3
 * SUMMARY
 *	the codec's xz and LZMA backend, over liblzma
 * SYNOPSIS
 *	#include "codec_impl.h"
 *
 *	const struct codec_ops codec_xz_ops;
 * DESCRIPTION
 *	Three kinds, one liblzma stream each, allocations through an
 *	lzma_allocator on acct_alloc, stage xz.  opts.mem_limit is the
 *	decoder's memory limit (0: none).
 *
 *	CODEC_XZ: lzma_stream_decoder() with the limit as its memlimit,
 *	without LZMA_CONCATENATED, so liblzma stops after the stream
 *	footer and the bytes after it (padding, another stream) are the
 *	caller's; with LZMA_IGNORE_CHECK, as defuse verifies no check
 *	value anywhere (the header CRC32s are still verified).
 *
 *	CODEC_LZMA_ALONE (.lzma: 5 property bytes, 8-byte size, UINT64_MAX
 *	for an end marker) and CODEC_LZMA_ZIP (zip method 14: 2 bytes of
 *	version, a 2-byte little-endian property size that must be 5, the
 *	5 property bytes; opts.size is the entry's uncompressed size,
 *	CODEC_SIZE_UNKNOWN when general purpose bit 1 says an end marker
 *	ends the data).  This module collects the header across any split
 *	and starts liblzma's raw decoder on the rest, LZMA_FILTER_LZMA1EXT
 *	with the header's properties and size: what lzma_alone_decoder()
 *	does, but for two things.  The .lzma decoder
 *	does nothing at all when it is given no room, so it could not take
 *	what it can without room, and codec_total_in() at sink time would
 *	depend on the split; the raw decoder can.  liblzma applies no
 *	memory limit to a raw decoder: this module does, with
 *	lzma_raw_decoder_memusage(), before it starts it.  The other
 *	thing is in BUGS.
 *
 *	The window is what liblzma says the stream's decoder needs, the
 *	dictionary plus its own state: lzma_memusage() for .xz, once a
 *	block header is read (a later block may ask for more: the largest
 *	value is kept; before any block liblzma reports a fixed base for
 *	its bookkeeping, which is no window, so codec_window() stays 0
 *	until the value grows past it); lzma_raw_decoder_memusage() of
 *	the header's properties for the other two, the same sum.  When it
 *	exceeds the limit the stream is CODEC_TOOBIG with that window, the
 *	dictionary never allocated (liblzma's LZMA_MEMLIMIT_ERROR for .xz,
 *	which still reports what the stream would need).
 *
 *	liblzma decodes into its dictionary only as much as the room it
 *	is given, and goes on without room as far as headers and block
 *	boundaries take it, so the output rule of codec.c keeps
 *	codec_total_in() at sink time independent of the split.  But
 *	liblzma notices an LZMA2 chunk or a block that runs past its
 *	declared size only after the lzma_code() call that read past it,
 *	so where a corrupt stream fails (total_in, the output before)
 *	would depend on how much input that call was given.  So this
 *	module follows the .xz framing over the bytes liblzma takes
 *	(xz_track: stream header, block header, LZMA2 chunk headers and
 *	data, padding and check, then index and footer) and gives each
 *	call at most the rest of the LZMA2 chunk's data it is in, else
 *	one byte (xz_cap).  No call reads past a chunk, and the one that
 *	finds a chunk or block too long is the one-byte call after it,
 *	whatever the split; and no byte past the footer is ever offered.
 *	Every filter chain of .xz ends in LZMA2, so its compressed data
 *	is LZMA2 chunks whatever filters precede.  The cost is a call
 *	per chunk (64 KiB packed at most) and per framing byte, a few
 *	dozen a block.
 *	codec_finish() asks with LZMA_FINISH, so that a stream which
 *	ends exactly at the end of the input gives its last output and
 *	its end.
 * MEMORY
 *	From codec_new(): for .xz liblzma's stream state, about 2 KiB;
 *	for the LZMA kinds nothing until the header is read.  Then the
 *	dictionary as the stream declares it (4 KiB to 4 GiB: 8 MiB at
 *	xz -6, 64 MiB at -9) plus about 30 KiB of LZMA state, within
 *	opts.mem_limit; codec_window() says some 30 KiB more, liblzma's
 *	estimate.  codec_reset() keeps what liblzma can reuse (a
 *	dictionary of the same size).
 * BUGS
 *	No integrity check is verified (CRC32, CRC64, SHA-256 of .xz
 *	blocks): a corrupt block may decode to wrong bytes of the right
 *	length without an error.
 *
 *	A known size followed by an end marker anyway (which .lzma
 *	readers and 7-Zip accept) is CODEC_ERROR once all the output is
 *	out.  liblzma (5.4, and its master at this writing) forgets that
 *	the end marker is allowed when the marker is split across two
 *	lzma_code() calls (lzma_decoder.c's eopm_is_valid is set per
 *	call), so accepting it would make the result depend on the split.
 *	Zip members that carry one say so with general purpose bit 1,
 *	and the walker passes CODEC_SIZE_UNKNOWN for them.
 *
 *	With a BCJ filter (x86, ARM, ...) before LZMA2, codec_total_in()
 *	at a sink call may still differ with the split by a few bytes,
 *	valid stream or corrupt (the filter holds unfiltered bytes of its
 *	own); the output, the result and the input taken do not.
 */

#include <string.h>
#include <lzma.h>

#include "codec_impl.h"

#define XZ_ZIP_HDR	9		/* zip: version, property size, properties */
#define XZ_ALONE_HDR	13		/* .lzma: properties, size */

/* Where the .xz stream is, as this module follows it (xz_track). */
enum xz_at {
	XA_STREAM_HDR,			/* the 12-byte stream header */
	XA_BLOCK,			/* a block header's size byte, or the index's 0 */
	XA_BLOCK_HDR,			/* the rest of a block header */
	XA_CTRL,			/* an LZMA2 control byte */
	XA_CHUNK_HDR,			/* the rest of an LZMA2 chunk header */
	XA_CHUNK,			/* an LZMA2 chunk's data */
	XA_PAD,				/* block padding and the check field */
	XA_TAIL,			/* the index and the footer, or lost */
};

struct xz_state {
	lzma_stream strm;
	lzma_allocator alloc;		/* liblzma keeps a pointer to it */
	uint64_t base;			/* .xz: lzma_memusage() before any block */
	uint8_t hdr[XZ_ALONE_HDR];	/* LZMA kinds: the header, as it passes */
	size_t	hdr_have;
	int	started;		/* LZMA kinds: the raw decoder is on */
	enum xz_at at;			/* .xz: the unit liblzma is on */
	uint32_t left;			/* bytes to the end of that unit */
	uint32_t check;			/* the check field's size */
	uint32_t comp;			/* the block's compressed bytes, mod 4 */
	uint8_t ctrl;			/* the chunk's control byte */
	uint8_t ch[5];			/* the chunk header after it, so far */
	uint8_t ch_have;
};

#define XZ_STATE(c)	((struct xz_state *) (c)->state)

/* xz_alloc - liblzma's allocator, counted */

static void *xz_alloc(void *opaque, size_t n, size_t size)
{
	size_t  len;

	/* A size that does not fit is asked for as SIZE_MAX: acct refuses it. */
	if (__builtin_mul_overflow(n, size, &len))
		len = SIZE_MAX;
	return (acct_alloc((struct acct *) opaque, ACCT_XZ, len));
}

/* xz_free - liblzma's free */

static void xz_free(void *opaque, void *ptr)
{
	acct_free((struct acct *) opaque, ptr);
}

/* xz_status - liblzma's return code as the codec's */

static int xz_status(lzma_ret ret)
{
	switch (ret) {
	case LZMA_OK:
	case LZMA_BUF_ERROR:			/* no progress: codec.c judges */
		return (CODEC_MORE);
	case LZMA_STREAM_END:
		return (CODEC_END);
	case LZMA_MEMLIMIT_ERROR:
		return (CODEC_TOOBIG);
	case LZMA_MEM_ERROR:
		return (CODEC_NOMEM);
	default:				/* format, options, data, prog */
		return (CODEC_ERROR);
	}
}

/* xz_start - the next stream: .xz starts its decoder, LZMA waits for its header */

static int xz_start(struct codec *c)
{
	struct xz_state *s = XZ_STATE(c);
	uint64_t limit = c->opts.mem_limit != 0 ? c->opts.mem_limit : UINT64_MAX;
	lzma_ret ret;

	s->hdr_have = 0;
	s->started = 0;
	s->at = XA_STREAM_HDR;
	s->left = 12;
	s->check = s->comp = 0;
	if (c->kind != CODEC_XZ)
		return (CODEC_MORE);

	/* On failure liblzma ends the stream itself: nothing is left held. */
	ret = lzma_stream_decoder(&s->strm, limit, LZMA_IGNORE_CHECK);
	if (ret != LZMA_OK)
		return (ret == LZMA_MEM_ERROR ? CODEC_NOMEM : CODEC_ERROR);
	s->base = lzma_memusage(&s->strm);
	s->started = 1;
	return (CODEC_MORE);
}

/* xz_init - a decoder with the counted allocator */

static int xz_init(struct codec *c)
{
	static const lzma_stream init = LZMA_STREAM_INIT;
	struct xz_state *s = XZ_STATE(c);

	s->strm = init;
	s->alloc.alloc = xz_alloc;
	s->alloc.free = xz_free;
	s->alloc.opaque = c->acct;
	s->strm.allocator = &s->alloc;
	return (xz_start(c));
}

/* xz_reset - the next stream; liblzma reuses what it can */

static int xz_reset(struct codec *c)
{
	return (xz_start(c));
}

/* xz_end - release everything liblzma holds */

static void xz_end(struct codec *c)
{
	lzma_end(&XZ_STATE(c)->strm);
}

/*
 * xz_raw_start - the LZMA kinds' header is complete: judge the window,
 * start the raw decoder.  props: the 5 property bytes, size: the
 * uncompressed size or UINT64_MAX.
 */
static int xz_raw_start(struct codec *c, struct xz_state *s, const uint8_t *props,
			        uint64_t size)
{
	lzma_options_lzma opt;
	lzma_filter f[2];
	unsigned d = props[0];
	uint64_t mem;
	lzma_ret ret;

	/* lc, lp, pb as liblzma decodes them; it validates them at init */
	if (d > (4 * 5 + 4) * 9 + 8)
		return (CODEC_ERROR);
	memset(&opt, 0, sizeof(opt));
	opt.pb = d / (9 * 5);
	opt.lp = d % (9 * 5) / 9;
	opt.lc = d % 9;
	opt.dict_size = props[1] | props[2] << 8 | (uint32_t) props[3] << 16
	    | (uint32_t) props[4] << 24;
	opt.ext_flags = 0;			/* a known size has no end marker: BUGS */
	opt.ext_size_low = (uint32_t) size;
	opt.ext_size_high = (uint32_t) (size >> 32);
	f[0].id = LZMA_FILTER_LZMA1EXT;
	f[0].options = &opt;
	f[1].id = LZMA_VLI_UNKNOWN;
	f[1].options = 0;
	if ((mem = lzma_raw_decoder_memusage(f)) == UINT64_MAX)
		return (CODEC_ERROR);			/* lc + lp too large */
	c->window = mem;
	if (c->opts.mem_limit != 0 && mem > c->opts.mem_limit)
		return (CODEC_TOOBIG);
	if ((ret = lzma_raw_decoder(&s->strm, f)) != LZMA_OK)
		return (ret == LZMA_MEM_ERROR ? CODEC_NOMEM : CODEC_ERROR);
	s->started = 1;
	return (CODEC_MORE);
}

/* xz_header - LZMA kinds: collect the header across any split, then start */

static int xz_header(struct codec *c, struct xz_state *s, struct codec_io *io)
{
	size_t  want = c->kind == CODEC_LZMA_ZIP ? XZ_ZIP_HDR : XZ_ALONE_HDR;
	size_t  k = want - s->hdr_have;
	uint64_t size = 0;
	int     i;

	if (k > io->in_len)
		k = io->in_len;
	if (k == 0)
		return (CODEC_MORE);		/* and io->in may be NULL */
	memcpy(s->hdr + s->hdr_have, io->in, k);
	s->hdr_have += k;
	io->took = k;
	if (s->hdr_have < want)
		return (CODEC_MORE);
	if (c->kind == CODEC_LZMA_ZIP) {
		if ((s->hdr[2] | s->hdr[3] << 8) != 5)	/* property size */
			return (CODEC_ERROR);
		return (xz_raw_start(c, s, s->hdr + 4, c->opts.size));
	}
	for (i = 0; i < 8; i++)
		size |= (uint64_t) s->hdr[5 + i] << (8 * i);
	return (xz_raw_start(c, s, s->hdr, size));
}

/* xz_track_byte - follow the .xz framing over one byte outside chunk data */

static void xz_track_byte(struct xz_state *s, uint8_t b)
{
	switch (s->at) {
	case XA_STREAM_HDR:
		if (s->left == 5)		/* byte 7: the check ID */
			s->check = lzma_check_size((lzma_check) (b & 0x0f));
		if (--s->left == 0)
			s->at = XA_BLOCK;
		break;
	case XA_BLOCK:
		s->left = (uint32_t) (b + 1) * 4 - 1;
		s->at = b == 0 ? XA_TAIL : XA_BLOCK_HDR;
		break;
	case XA_BLOCK_HDR:
		s->comp = 0;
		if (--s->left == 0)
			s->at = XA_CTRL;
		break;
	case XA_CTRL:
		s->comp++;
		s->ctrl = b;
		s->ch_have = 0;
		if (b == 0) {			/* end of LZMA2: padding, check */
			s->left = (4 - s->comp % 4) % 4 + s->check;
			s->at = s->left ? XA_PAD : XA_BLOCK;
		} else if (b <= 2) {		/* uncompressed: 2-byte size */
			s->left = 2;
			s->at = XA_CHUNK_HDR;
		} else if (b >= 0x80) {		/* LZMA: sizes, props if reset */
			s->left = b >= 0xc0 ? 5 : 4;
			s->at = XA_CHUNK_HDR;
		} else {
			s->at = XA_TAIL;	/* liblzma refuses it at this byte */
		}
		break;
	case XA_CHUNK_HDR:
		s->comp++;
		s->ch[s->ch_have++] = b;
		if (--s->left > 0)
			break;
		if (s->ctrl <= 2)
			s->left = ((uint32_t) s->ch[0] << 8 | s->ch[1]) + 1;
		else
			s->left = ((uint32_t) s->ch[2] << 8 | s->ch[3]) + 1;
		s->at = XA_CHUNK;
		break;
	case XA_PAD:
		if (--s->left == 0)
			s->at = XA_BLOCK;
		break;
	default:				/* XA_CHUNK: xz_track; XA_TAIL */
		break;
	}
}

/* xz_track - follow the .xz framing over the bytes liblzma took */

static void xz_track(struct xz_state *s, const uint8_t *p, size_t n)
{
	uint32_t k;

	while (n > 0 && s->at != XA_TAIL) {
		if (s->at != XA_CHUNK) {
			xz_track_byte(s, *p++);
			n--;
			continue;
		}
		k = n < s->left ? (uint32_t) n : s->left;
		p += k;
		n -= k;
		s->comp += k;
		if ((s->left -= k) == 0)
			s->at = XA_CTRL;
	}
}

/*
 * xz_cap - how much input liblzma may see now: the rest of the LZMA2
 * chunk's data inside one, else one byte (headers, control bytes,
 * padding, check, index, footer: a few dozen bytes a block).  So no
 * call reads past the end of a chunk, and the call that finds a chunk
 * or block running past its declared size is the one-byte call after
 * it, whatever the split.
 */
static size_t xz_cap(const struct xz_state *s, size_t avail)
{
	size_t  unit = s->at == XA_CHUNK ? s->left : 1;

	return (avail < unit ? avail : unit);
}

/* xz_code - one lzma_code() call with cap bytes of input */

static lzma_ret xz_code(struct codec *c, struct xz_state *s, struct codec_io *io,
			        size_t cap)
{
	size_t  room = io->out_len - io->made;
	uint64_t mem;
	lzma_ret ret;

	s->strm.next_in = cap ? io->in + io->took : 0;
	s->strm.avail_in = cap;
	s->strm.next_out = io->out + io->made;
	s->strm.avail_out = room;
	ret = lzma_code(&s->strm, io->finish ? LZMA_FINISH : LZMA_RUN);
	if (c->kind == CODEC_XZ && cap > s->strm.avail_in)
		xz_track(s, io->in + io->took, cap - s->strm.avail_in);
	io->took += cap - s->strm.avail_in;
	io->made += room - s->strm.avail_out;
	if (c->kind == CODEC_XZ && (mem = lzma_memusage(&s->strm)) > s->base
	    && mem > c->window)
		c->window = mem;
	return (ret);
}

/*
 * xz_step - the header if any, then lzma_code(): for the LZMA kinds
 * one call with all the input; for .xz one call per unit (xz_cap)
 * until liblzma is blocked or the input is used, and never a call
 * without input but to finish (so no call is one a split added).
 */
static int xz_step(struct codec *c, struct codec_io *io)
{
	struct xz_state *s = XZ_STATE(c);
	size_t  took, made, avail;
	lzma_ret ret;
	int     r;

	if (!s->started && c->kind == CODEC_XZ)
		return (CODEC_NOMEM);		/* its start failed; codec.c keeps that */
	if (!s->started && ((r = xz_header(c, s, io)) != CODEC_MORE || !s->started))
		return (r);
	if (c->kind != CODEC_XZ)
		return (xz_status(xz_code(c, s, io, io->in_len - io->took)));
	for (;;) {
		if ((avail = io->in_len - io->took) == 0 && !io->finish)
			return (CODEC_MORE);
		took = io->took;
		made = io->made;
		ret = xz_code(c, s, io, xz_cap(s, avail));
		if (ret != LZMA_OK)
			return (xz_status(ret));
		if (io->took == took && io->made == made)
			return (CODEC_MORE);	/* blocked: codec.c judges */
	}
}

const struct codec_ops codec_xz_ops = {
	sizeof(struct xz_state), xz_init, xz_reset, xz_step, xz_end,
};
