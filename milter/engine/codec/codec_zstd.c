/*
 * NAME
 *	codec_zstd 3
 * SUMMARY
 *	the codec's zstd backend, over libzstd
 * SYNOPSIS
 *	#include "codec_impl.h"
 *
 *	const struct codec_ops codec_zstd_ops;
 * DESCRIPTION
 *	CODEC_ZSTD: one zstd frame, or one skippable frame (no output).
 *	libzstd's allocations go through a ZSTD_customMem on acct_alloc,
 *	stage zstd.  When libzstd says the frame is decoded and flushed,
 *	the codec says CODEC_END and *used tells where the frame ended:
 *	what follows (another frame) is the caller's, who resets for it.
 *
 *	The window.  This module reads the frame header itself as it
 *	arrives, a byte at a time (a copy of at most
 *	ZSTD_FRAMEHEADERSIZE_MAX bytes; no byte past the header), asking
 *	ZSTD_getFrameHeader() after each, which also judges a short
 *	prefix, so that a bad magic number fails at the same byte however
 *	the input is split.  The header's window size (for a
 *	single-segment frame, its content size; for a skippable frame, 0)
 *	is codec_window(); when it exceeds opts.mem_limit (non-zero) the
 *	frame is CODEC_TOOBIG before libzstd has seen a byte of it.  Only
 *	then is the header handed to libzstd, from the copy.  libzstd's
 *	own limit, ZSTD_d_windowLogMax, is set to the limit rounded up to
 *	a power of two (no limit: ZSTD_WINDOWLOG_MAX, past libzstd's
 *	default of 128 MiB) as a second guard; it too says CODEC_TOOBIG.
 *	A header whose window is beyond anything libzstd decodes (over 2
 *	GiB) is CODEC_TOOBIG with the window it declares, limit or not.
 *
 *	The output rule.  libzstd takes a compressed or RLE block whole
 *	before it writes any of it, and takes no input while it holds
 *	output: that much the rule of codec.c keeps independent of the
 *	split by itself.  Two things it does not, and this module follows
 *	the frame's block headers over the bytes libzstd takes
 *	(zstd_track) to mend them (zstd_cap), a step going on until
 *	libzstd is blocked, as the rule expects.  A raw (stored) block
 *	libzstd copies to its own buffer as far as the input goes, not as
 *	far as the room: so inside one it first writes what it holds and
 *	then sees no more input than the room (nor than the content size
 *	the frame declares).  And a call that fails reports nothing,
 *	neither the bytes taken nor the blocks decoded before the bad one
 *	in the same call: so each call sees one unit at most, a block
 *	header or a block, and a unit that fails counts as taken whole.
 *	Then a corrupt frame fails at the same byte, with the same output
 *	before it, whatever the split.  The cost is a call per block
 *	header, and for raw blocks one per output chunk.
 * MEMORY
 *	From codec_new(): libzstd's DCtx, about 94 KiB (entropy tables
 *	and the literal buffer).  Once the frame header is read: an input
 *	buffer of one block (128 KiB at most) and an output buffer of the
 *	window (for a single-segment frame, its content size) plus two
 *	blocks: the window plus about 480 KiB in all (1 MB at zstd -1,
 *	512 KiB window), within opts.mem_limit plus that.  codec_reset()
 *	keeps the buffers for the next frame.
 * BUGS
 *	Frame checksums are not verified (ZSTD_d_forceIgnoreChecksum), as
 *	no check value is in defuse.  Legacy frames (zstd before 0.8) are
 *	CODEC_ERROR: their decoders would allocate outside acct.
 *	Dictionaries are not supported: a frame that names one is
 *	CODEC_ERROR.
 *
 *	The caps rely on libzstd 1.5 taking a block header alone when
 *	shown one and raw bytes one for one; if a later libzstd read
 *	ahead, only where things happen (total_in at sink time, at a
 *	failure) would again depend on the split, never the output of a
 *	valid frame.
 */

#define ZSTD_STATIC_LINKING_ONLY	/* customMem, frame header, limits */

#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "codec_impl.h"

/* Where the frame is, as this module follows it (zstd_track). */
enum zstd_at {
	ZA_BLOCK_HDR,			/* a 3-byte block header */
	ZA_BODY,			/* a block's body */
	ZA_OTHER,			/* the checksum, a skippable frame's content */
};

struct zstd_state {
	ZSTD_DStream *ds;
	uint8_t hdr[ZSTD_FRAMEHEADERSIZE_MAX];	/* the frame header, as it passes */
	size_t	hdr_len;
	int	started;		/* header read and handed to libzstd */
	int	pending;		/* the last call filled the room: output held? */
	enum zstd_at at;		/* the frame's structure, as libzstd takes it */
	uint8_t bh[3];			/* ZA_BLOCK_HDR: the header so far */
	size_t	bh_have;
	uint32_t body_left;		/* ZA_BODY: bytes to its end */
	int	raw;			/* ZA_BODY: of a raw block */
	int	last;			/* the block is the frame's last */
	uint64_t fcs;			/* the frame's content size, or unknown */
	uint64_t made;			/* the frame's output so far */
};

#define ZSTD_STATE(c)	((struct zstd_state *) (c)->state)

/* zstd_alloc - libzstd's customAlloc, counted */

static void *zstd_alloc(void *opaque, size_t size)
{
	return (acct_alloc((struct acct *) opaque, ACCT_ZSTD, size));
}

/* zstd_free - libzstd's customFree */

static void zstd_free(void *opaque, void *ptr)
{
	acct_free((struct acct *) opaque, ptr);
}

/* zstd_status - a libzstd error code as the codec's */

static int zstd_status(size_t ret)
{
	switch (ZSTD_getErrorCode(ret)) {
	case ZSTD_error_memory_allocation:
		return (CODEC_NOMEM);
	case ZSTD_error_frameParameter_windowTooLarge:
		return (CODEC_TOOBIG);
	default:
		return (CODEC_ERROR);
	}
}

/* zstd_log_max - the limit as ZSTD_d_windowLogMax: rounded up, clamped */

static int zstd_log_max(uint64_t limit)
{
	int     log = ZSTD_WINDOWLOG_MIN;

	if (limit == 0)
		return (ZSTD_WINDOWLOG_MAX);
	while (log < ZSTD_WINDOWLOG_MAX && ((uint64_t) 1 << log) < limit)
		log++;
	return (log);
}

/* zstd_init - a DStream with the counted allocator and the window limit */

static int zstd_init(struct codec *c)
{
	struct zstd_state *s = ZSTD_STATE(c);
	ZSTD_customMem mem = {zstd_alloc, zstd_free, c->acct};

	s->hdr_len = s->bh_have = 0;
	s->started = s->pending = 0;
	s->at = ZA_BLOCK_HDR;
	if ((s->ds = ZSTD_createDStream_advanced(mem)) == 0)
		return (CODEC_NOMEM);
	if (ZSTD_isError(ZSTD_DCtx_setParameter(s->ds, ZSTD_d_windowLogMax,
					      zstd_log_max(c->opts.mem_limit)))
	    || ZSTD_isError(ZSTD_DCtx_setParameter(s->ds, ZSTD_d_forceIgnoreChecksum,
						  ZSTD_d_ignoreChecksum))) {
		ZSTD_freeDStream(s->ds);
		s->ds = 0;
		return (CODEC_ERROR);
	}
	return (CODEC_MORE);
}

/* zstd_reset - the next frame; buffers stay, the limit may have moved */

static int zstd_reset(struct codec *c)
{
	struct zstd_state *s = ZSTD_STATE(c);

	s->hdr_len = s->bh_have = 0;
	s->started = s->pending = 0;
	s->at = ZA_BLOCK_HDR;
	if (ZSTD_isError(ZSTD_DCtx_reset(s->ds, ZSTD_reset_session_only))
	    || ZSTD_isError(ZSTD_DCtx_setParameter(s->ds, ZSTD_d_windowLogMax,
						  zstd_log_max(c->opts.mem_limit))))
		return (CODEC_ERROR);
	return (CODEC_MORE);
}

/* zstd_end - release the DStream and its buffers */

static void zstd_end(struct codec *c)
{
	struct zstd_state *s = ZSTD_STATE(c);

	ZSTD_freeDStream(s->ds);
	s->ds = 0;
}

/* zstd_declared - the window a header declares that libzstd refused */

static uint64_t zstd_declared(const uint8_t *h, size_t len)
{
	unsigned wd, wlog;
	uint64_t base;

	/* Frame_Header_Descriptor: no Single_Segment_flag, Window_Descriptor follows. */
	if (len < 6 || (h[4] & 0x20) != 0)
		return (0);
	wd = h[5];
	wlog = 10 + (wd >> 3);
	base = (uint64_t) 1 << wlog;
	return (base + (base >> 3) * (wd & 7));
}

/* zstd_header - collect the frame header; judge its window; hand it over */

static int zstd_header(struct codec *c, struct zstd_state *s, struct codec_io *io)
{
	ZSTD_frameHeader fh;
	ZSTD_inBuffer ib;
	ZSTD_outBuffer ob;
	size_t  need;

	for (;;) {
		need = ZSTD_getFrameHeader(&fh, s->hdr, s->hdr_len);
		if (ZSTD_isError(need)) {
			if (ZSTD_getErrorCode(need)
			    != ZSTD_error_frameParameter_windowTooLarge)
				return (CODEC_ERROR);
			c->window = zstd_declared(s->hdr, s->hdr_len);
			return (CODEC_TOOBIG);
		}
		if (need == 0)
			break;
		if (need <= s->hdr_len || need > sizeof(s->hdr))
			return (CODEC_ERROR);		/* not libzstd's contract */
		if (io->took == io->in_len)
			return (CODEC_MORE);

		/*
		 * One byte at a time: libzstd judges a short prefix (the magic
		 * number) too, and a bad one must fail at the same byte
		 * however the input is split.
		 */
		s->hdr[s->hdr_len++] = io->in[io->took++];
	}
	c->window = fh.frameType == ZSTD_skippableFrame ? 0 : fh.windowSize;
	if (c->opts.mem_limit != 0 && c->window > c->opts.mem_limit)
		return (CODEC_TOOBIG);
	ib.src = s->hdr;
	ib.size = s->hdr_len;
	ib.pos = 0;
	ob.dst = io->out + io->made;
	ob.size = io->out_len - io->made;
	ob.pos = 0;
	need = ZSTD_decompressStream(s->ds, &ob, &ib);
	io->made += ob.pos;
	if (ZSTD_isError(need))
		return (zstd_status(need));
	if (ib.pos != ib.size)
		return (CODEC_ERROR);		/* libzstd takes a whole header */
	s->started = 1;
	s->fcs = fh.frameContentSize;
	s->made = 0;
	s->at = fh.frameType == ZSTD_skippableFrame ? ZA_OTHER : ZA_BLOCK_HDR;
	return (need == 0 ? CODEC_END : CODEC_MORE);	/* an empty skippable frame */
}

/* zstd_track - follow the blocks over the bytes libzstd took */

static void zstd_track(struct zstd_state *s, const uint8_t *p, size_t n)
{
	uint32_t v, k;

	while (n > 0 && s->at != ZA_OTHER) {
		if (s->at == ZA_BLOCK_HDR) {
			s->bh[s->bh_have++] = *p++;
			n--;
			if (s->bh_have < 3)
				continue;
			s->bh_have = 0;
			v = s->bh[0] | s->bh[1] << 8 | (uint32_t) s->bh[2] << 16;
			s->last = v & 1;
			s->raw = (v >> 1 & 3) == 0;
			/* the body: an RLE block's is one byte */
			s->body_left = (v >> 1 & 3) == 1 ? 1 : v >> 3;
			s->at = ZA_BODY;
		} else {
			k = n < s->body_left ? (uint32_t) n : s->body_left;
			p += k;
			n -= k;
			s->body_left -= k;
		}
		if (s->at == ZA_BODY && s->body_left == 0)
			s->at = s->last ? ZA_OTHER : ZA_BLOCK_HDR;
	}
}

/*
 * zstd_cap - how much input libzstd may see now: no more than the rest
 * of the block header or block it is on (zstd_track), so that a call
 * covers one unit.  libzstd reports nothing of a call that fails, not
 * the units before the failing one that it decoded in the same call,
 * so that where a corrupt frame fails would otherwise depend on how
 * much input the call was given.  Inside a raw block, also no more than
 * the room (libzstd copies raw bytes to its own buffer as far as the
 * input goes, not as far as the room, which would make total_in at a
 * chunk depend on the split) and than the content size the frame
 * declares (a piece past it fails whole, wherever the split put the
 * pieces); and zstd_step has it write what it holds first.
 */
static size_t zstd_cap(const struct zstd_state *s, size_t in, size_t room)
{
	size_t  unit;

	switch (s->at) {
	case ZA_BLOCK_HDR:
		unit = 3 - s->bh_have;
		break;
	case ZA_BODY:
		unit = s->body_left;
		if (s->raw && unit > room)
			unit = room;
		/* zstd_step has seen to s->made < s->fcs */
		if (s->raw && s->fcs != ZSTD_CONTENTSIZE_UNKNOWN
		    && unit > s->fcs - s->made)
			unit = s->fcs - s->made;
		break;
	default:				/* checksum, skippable content */
		unit = in;
		break;
	}
	return (in < unit ? in : unit);
}

/*
 * zstd_unit_left - the rest of the block header or block libzstd is on.
 * A unit that fails is taken whole: libzstd decodes a header or a
 * compressed or RLE block at once, from the caller's input when all of
 * it is there (and then counts none of it taken when it fails), else
 * from its own copy loaded piece by piece (and then counts the pieces
 * of the calls before).  Either way the unit ends in this call's input.
 */
static size_t zstd_unit_left(const struct zstd_state *s)
{
	if (s->at == ZA_BLOCK_HDR)
		return (3 - s->bh_have);
	return (s->at == ZA_BODY ? s->body_left : 0);
}

/* zstd_call - one ZSTD_decompressStream() call with cap bytes of input */

static int zstd_call(struct zstd_state *s, struct codec_io *io, size_t cap)
{
	ZSTD_inBuffer ib;
	ZSTD_outBuffer ob;
	size_t  ret, k;

	ib.src = cap ? io->in + io->took : 0;
	ib.size = cap;
	ib.pos = 0;
	ob.dst = io->out + io->made;
	ob.size = io->out_len - io->made;
	ob.pos = 0;
	ret = ZSTD_decompressStream(s->ds, &ob, &ib);
	zstd_track(s, (const uint8_t *) ib.src, ib.pos);
	io->took += ib.pos;
	io->made += ob.pos;
	s->made += ob.pos;
	if (ZSTD_isError(ret)) {
		if ((k = zstd_unit_left(s)) > io->in_len - io->took)
			k = io->in_len - io->took;
		if (k > 0) {
			zstd_track(s, io->in + io->took, k);
			io->took += k;
		}
		return (zstd_status(ret));
	}
	s->pending = ob.pos == ob.size;
	return (ret == 0 ? CODEC_END : CODEC_MORE);
}

/*
 * zstd_step - the header first, then libzstd, within zstd_cap(), until
 * it is blocked: what the output rule needs of a step is that the
 * decoder has taken all it can, and a cap is no block.
 */
static int zstd_step(struct codec *c, struct codec_io *io)
{
	struct zstd_state *s = ZSTD_STATE(c);
	size_t  cap, before;
	int     r;

	if (!s->started && ((r = zstd_header(c, s, io)) != CODEC_MORE || !s->started))
		return (r);
	for (;;) {

		/*
		 * Nothing to give and nothing held, or nothing to give and no
		 * room: do not call.  libzstd counts calls that make no
		 * progress and fails the frame after 16 of them.
		 */
		if (io->took == io->in_len && (!s->pending || io->made == io->out_len))
			return (CODEC_MORE);
		if (s->at == ZA_BODY && s->raw && s->pending) {
			if (io->made == io->out_len)
				return (CODEC_MORE);	/* held, and no room */
			if ((r = zstd_call(s, io, 0)) != CODEC_MORE || s->pending)
				return (r);		/* still held: the room is full */
			continue;
		}
		/*
		 * A raw block past the frame's content size: libzstd would fail
		 * at the piece that no longer fits its buffer, wherever the
		 * split put the pieces; here it fails at the size.
		 */
		if (s->at == ZA_BODY && s->raw && s->fcs != ZSTD_CONTENTSIZE_UNKNOWN
		    && s->made >= s->fcs)
			return (CODEC_ERROR);
		cap = zstd_cap(s, io->in_len - io->took, io->out_len - io->made);
		if (cap == 0 && (!s->pending || io->made == io->out_len))
			return (CODEC_MORE);
		before = io->took + io->made;
		if ((r = zstd_call(s, io, cap)) != CODEC_MORE)
			return (r);
		if (io->took + io->made == before)
			return (CODEC_MORE);		/* blocked */
	}
}

const struct codec_ops codec_zstd_ops = {
	sizeof(struct zstd_state), zstd_init, zstd_reset, zstd_step, zstd_end,
};
