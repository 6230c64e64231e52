/*
 * NAME
 *	codec 3
 * SUMMARY
 *	one push interface over the decompressors: zlib, libbz2, liblzma, libzstd
 * SYNOPSIS
 *	#include "codec.h"
 *
 *	struct codec *codec_new(acct, kind, opts)
 *
 *	int	codec_reset(codec)
 *	int	codec_reset_opts(codec, opts)
 *
 *	int	codec_feed(codec, p, n, used, sink, ctx)
 *
 *	int	codec_drain(codec, sink, ctx)
 *
 *	int	codec_finish(codec, sink, ctx)
 *
 *	uint64_t codec_total_in(codec)
 *	uint64_t codec_total_out(codec)
 *	uint64_t codec_window(codec)
 *
 *	enum codec_kind codec_kind(codec)
 *	const char *codec_kind_name(kind)
 *	enum acct_stage codec_kind_stage(kind)
 *
 *	struct codec *codec_free(codec)
 * DESCRIPTION
 *	codec_new() starts a decoder of the given kind (the table in
 *	codec.h) whose memory comes from the message's counted
 *	allocator: this module's block (struct codec, its output buffer
 *	and the backend's library handle) under stage archive, what the
 *	library allocates under the kind's own stage (inflate, bzip2, xz
 *	or zstd).  opts (may be NULL: no limit) carries the memory limit
 *	and, for zip's LZMA, the uncompressed size.
 *
 *	The output rule.  codec_feed() decodes as much of p[0..n) as it
 *	can and hands the output to sink(ctx, out, len) in chunks of
 *	exactly CODEC_CHUNK bytes, but for the last of a stream, whatever
 *	the split of the input: a limit that decoding crosses is crossed
 *	at the same byte however the message arrived.  Every decoder
 *	stops when the room it is given is full, so the compressed bytes
 *	it has taken stay close to the output produced, which is what a
 *	ratio judgement needs.  So that codec_total_in() seen by the sink
 *	does not depend on the split either, a full buffer is handed over
 *	only once the decoder is blocked on it: asked to go on with no
 *	room, it left input over that it did not take, or the stream
 *	ended.  It has then taken every byte it can without room for
 *	output (headers, block boundaries), and no fewer because a chunk
 *	of input happened to end there.  A full buffer waiting for that
 *	is handed over by the next codec_feed(), by codec_drain() or by
 *	codec_finish().  Where a library would not let this hold, its
 *	backend says how it is kept anyway (the .lzma decoder that does
 *	nothing without room, zstd's raw blocks, liblzma fed one .xz
 *	unit at a time so that a corrupt chunk is found at the same
 *	byte) or, in its BUGS, where it is not (total_in under an x86
 *	BCJ filter).
 *
 *	*used tells how many input bytes were taken: fewer than n after
 *	the end of the stream (the rest belongs to the container) or when
 *	the sink said stop.  The result is CODEC_MORE (all input used,
 *	the stream goes on), CODEC_END, CODEC_STOP, or one of the sticky
 *	ones: CODEC_ERROR (corrupt data), CODEC_NOMEM (an allocation
 *	failed), CODEC_TOOBIG (the stream's headers ask for more memory
 *	than opts.mem_limit; codec_window() says how much).  After
 *	CODEC_END, codec_feed() takes nothing and says CODEC_END again.
 *
 *	codec_drain() hands over a full buffer held back, and nothing
 *	else: a decoder may still hold output of its own, which the next
 *	codec_feed() or codec_finish() brings out.  codec_finish() says
 *	the input is over: it lets the decoder write what it holds (in
 *	full chunks, then the last, shorter one) and returns CODEC_END
 *	when the stream had ended, CODEC_TRUNCATED when it had not, or
 *	the sticky error.  Output of a stream that failed stops at the
 *	last full chunk before the failure; that and codec_total_in()
 *	then (where the decoder found the failure) do not depend on the
 *	split either.
 *
 *	codec_reset() starts the next stream of the same kind on the same
 *	state (what the library can keep, it keeps); the totals and the
 *	window start again at zero.  codec_reset_opts() does the same
 *	with new options: the next zip member's size, the decoder memory
 *	the message has left.  CODEC_NOMEM stays: the message is
 *	failing anyway and the library's state may not be whole.
 * MEMORY
 *	sizeof(struct codec): CODEC_CHUNK (8 KiB) of output buffer plus
 *	the backend's handle (under 300 bytes), stage archive; plus what
 *	the library holds, stated in each backend file: deflate 39 KiB;
 *	bzip2 63 KiB plus 400 kB per level (3.66 MB at -9); xz and LZMA
 *	the dictionary plus about 30 KiB (8.03 MiB at xz -6, 64.03 MiB at
 *	-9); zstd 94 KiB, plus the window and about 384 KiB once the
 *	frame header is read.  Nothing grows with the stream.
 * BUGS
 *	No check values are verified but bzip2's, which libbz2 cannot
 *	skip: they do not change what a bomb costs.
 */

#include <assert.h>
#include <string.h>

#include "codec_impl.h"

static const char *const codec_names[] = {
#define CODEC_NAME(e, n, s) n,
	CODEC_KINDS(CODEC_NAME)
#undef CODEC_NAME
};

static const enum acct_stage codec_stages[] = {
#define CODEC_STAGE(e, n, s) s,
	CODEC_KINDS(CODEC_STAGE)
#undef CODEC_STAGE
};

/* Which backend decodes which kind. */
static const struct codec_ops *const codec_backends[CODEC_KIND_COUNT] = {
	[CODEC_DEFLATE] = &codec_zlib_ops,
	[CODEC_BZIP2] = &codec_bzip2_ops,
	[CODEC_XZ] = &codec_xz_ops,
	[CODEC_LZMA_ALONE] = &codec_xz_ops,
	[CODEC_LZMA_ZIP] = &codec_xz_ops,
	[CODEC_ZSTD] = &codec_zstd_ops,
};

/* codec_kind_name - a kind's name in records and tests */

const char *codec_kind_name(enum codec_kind kind)
{
	return ((unsigned) kind < CODEC_KIND_COUNT ? codec_names[kind] : "?");
}

/* codec_kind_stage - the acct stage of a kind's library memory */

enum acct_stage codec_kind_stage(enum codec_kind kind)
{
	assert((unsigned) kind < CODEC_KIND_COUNT);
	return (codec_stages[kind]);
}

/* codec_new - start a decoder with counted memory */

struct codec *codec_new(struct acct *acct, enum codec_kind kind,
			        const struct codec_opts *opts)
{
	const struct codec_ops *ops;
	struct codec *c;
	size_t  len;

	assert((unsigned) kind < CODEC_KIND_COUNT && codec_backends[kind] != 0);
	ops = codec_backends[kind];
	len = sizeof(*c) + ops->size;		/* constants: no overflow */
	if ((c = acct_alloc(acct, ACCT_ARCHIVE, len)) == 0)
		return (NULL);
	memset(c, 0, len);
	c->acct = acct;
	c->kind = kind;
	c->ops = ops;
	if (opts != 0)
		c->opts = *opts;
	else
		c->opts.size = CODEC_SIZE_UNKNOWN;
	if (ops->init(c) != CODEC_MORE) {
		acct_free(acct, c);
		return (NULL);
	}
	return (c);
}

/* codec_reset - the next stream, same state */

int     codec_reset(struct codec *c)
{
	return (codec_reset_opts(c, 0));
}

/* codec_reset_opts - the next stream, same state, new options */

int     codec_reset_opts(struct codec *c, const struct codec_opts *opts)
{
	int     r;

	if (opts != 0)
		c->opts = *opts;
	c->total_in = c->total_out = c->window = 0;
	c->have = 0;
	c->ended = 0;
	if (c->err == CODEC_NOMEM)
		return (CODEC_NOMEM);
	c->err = 0;
	if ((r = c->ops->reset(c)) != CODEC_MORE)
		return (c->err = r);
	return (CODEC_MORE);
}

/* codec_flush - hand the output buffer to the sink */

static int codec_flush(struct codec *c, sink_fn sink, void *ctx)
{
	size_t  n = c->have;

	if (n == 0)
		return (0);
	c->have = 0;
	c->total_out += n;
	return (sink(ctx, c->out, n));
}

/* codec_step - one backend call: all input offered, the room left */

static int codec_step(struct codec *c, const uint8_t *p, size_t n, int finish,
		              struct codec_io *io)
{
	int     r;

	io->in = p;
	io->in_len = n;
	io->took = 0;
	io->out = c->out + c->have;
	io->out_len = sizeof(c->out) - c->have;
	io->made = 0;
	io->finish = finish;
	r = c->ops->step(c, io);
	assert(io->took <= n && io->made <= io->out_len);
	c->total_in += io->took;
	c->have += io->made;
	return (r);
}

/* codec_blocked - may the buffer go now: the decoder can take no more */

static int codec_blocked(const struct codec *c, size_t left, int r)
{
	if (r == CODEC_END)
		return (1);
	if (c->have < sizeof(c->out))
		return (0);
	return (left > 0 || r != CODEC_MORE);
}

/* codec_feed - decode what we are given, output through the sink */

int     codec_feed(struct codec *c, const uint8_t *p, size_t n, size_t *used,
		           sink_fn sink, void *ctx)
{
	struct codec_io io;
	size_t  left = n;
	int     r, full;

	*used = 0;
	if (c->err)
		return (c->err);
	if (c->ended)
		return (CODEC_END);
	for (;;) {
		r = codec_step(c, p, left, 0, &io);
		if (io.took > 0) {			/* p may be NULL when n is 0 */
			p += io.took;
			left -= io.took;
		}
		*used = n - left;
		full = c->have == sizeof(c->out);
		if (r == CODEC_END)
			c->ended = 1;
		else if (r != CODEC_MORE)
			c->err = r;			/* before the sink may stop us */
		if (codec_blocked(c, left, r) && codec_flush(c, sink, ctx) != 0)
			return (CODEC_STOP);
		if (r != CODEC_MORE)
			return (r);
		if (left == 0)
			return (CODEC_MORE);		/* a full buffer may wait */

		/*
		 * Input is left.  Either the decoder moved, or it was blocked
		 * on a full buffer that has just gone: go on.  Neither means a
		 * library that will not move: never loop on it.
		 */
		if (io.took == 0 && io.made == 0 && !full)
			return (c->err = CODEC_ERROR);
	}
}

/* codec_drain - hand over a full buffer held back */

int     codec_drain(struct codec *c, sink_fn sink, void *ctx)
{
	if (c == 0 || c->have < sizeof(c->out))
		return (CODEC_MORE);
	return (codec_flush(c, sink, ctx) != 0 ? CODEC_STOP : CODEC_MORE);
}

/* codec_finish - the input is over: everything held goes out */

int     codec_finish(struct codec *c, sink_fn sink, void *ctx)
{
	struct codec_io io;
	int     r;

	if (c->err)
		return (c->err);
	while (!c->ended) {
		if (c->have == sizeof(c->out) && codec_flush(c, sink, ctx) != 0)
			return (CODEC_STOP);
		r = codec_step(c, 0, 0, 1, &io);
		if (r == CODEC_END) {
			c->ended = 1;
		} else if (r != CODEC_MORE) {
			c->err = r;
			if (codec_blocked(c, 0, r) && codec_flush(c, sink, ctx) != 0)
				return (CODEC_STOP);
			return (r);
		} else if (io.made == 0) {
			break;				/* nothing more will come */
		}
	}
	if (codec_flush(c, sink, ctx) != 0)
		return (CODEC_STOP);
	return (c->ended ? CODEC_END : CODEC_TRUNCATED);
}

/* codec_total_in - compressed bytes taken since new/reset */

uint64_t codec_total_in(const struct codec *c)
{
	return (c->total_in);
}

/* codec_total_out - bytes handed to the sink since new/reset */

uint64_t codec_total_out(const struct codec *c)
{
	return (c->total_out);
}

/* codec_window - the decoder memory the stream declares (0: not yet) */

uint64_t codec_window(const struct codec *c)
{
	return (c->window);
}

/* codec_kind - what this codec decodes */

enum codec_kind codec_kind(const struct codec *c)
{
	return (c->kind);
}

/* codec_free - release the decoder; returns NULL */

struct codec *codec_free(struct codec *c)
{
	if (c == 0)
		return (NULL);
	c->ops->end(c);
	acct_free(c->acct, c);
	return (NULL);
}
