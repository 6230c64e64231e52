/*
 * NAME
 *	codec 3h
 * SUMMARY
 *	one push interface over the decompressors: zlib, libbz2, liblzma, libzstd
 * SYNOPSIS
 *	#include "codec.h"
 * DESCRIPTION
 *	Compressed bytes in, expanded bytes out through a sink in fixed
 *	chunks, stopping the moment the sink says stop; every allocation
 *	through the message's counted allocator, under the codec's own
 *	stage of the record's mem.  The walkers (zip members, gzip, the
 *	standalone compressed streams) all decompress through it.  The
 *	generic part (codec.c) keeps the output rule; one backend file per
 *	library does the decoding.  See codec.c.
 */
#ifndef DEFUSE_CODEC_H
#define DEFUSE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "acct.h"
#include "sink.h"

struct codec;

/*
 * The kinds.  X(enum, name, acct stage).  The name is what records and
 * tests call it.
 *
 * CODEC_DEFLATE	raw deflate (zip method 8, gzip members)
 * CODEC_BZIP2		one bzip2 stream ("BZh1".."BZh9" ... end of stream)
 * CODEC_XZ		one .xz stream (header, blocks, index, footer); no
 *			stream padding and no concatenation: the walker sees
 *			CODEC_END and decides what follows
 * CODEC_LZMA_ALONE	.lzma (LZMA_Alone: 5 property bytes, 8-byte size)
 * CODEC_LZMA_ZIP	zip method 14: 2-byte version, 2-byte property size,
 *			5 property bytes, raw LZMA1; codec_opts.size is the
 *			uncompressed size (CODEC_SIZE_UNKNOWN: an end marker
 *			ends it, general purpose flag bit 1; a known size
 *			then an end marker is CODEC_ERROR, codec_xz.c BUGS)
 * CODEC_ZSTD		one zstd frame, or one skippable frame (no output)
 */
#define CODEC_KINDS(X) \
	X(CODEC_DEFLATE,    "deflate",    ACCT_INFLATE) \
	X(CODEC_BZIP2,      "bzip2",      ACCT_BZIP2)   \
	X(CODEC_XZ,         "xz",         ACCT_XZ)      \
	X(CODEC_LZMA_ALONE, "lzma",       ACCT_XZ)      \
	X(CODEC_LZMA_ZIP,   "lzma-zip",   ACCT_XZ)      \
	X(CODEC_ZSTD,       "zstd",       ACCT_ZSTD)

enum codec_kind {
#define CODEC_ENUM(e, n, s) e,
	CODEC_KINDS(CODEC_ENUM)
#undef CODEC_ENUM
	CODEC_KIND_COUNT
};

#define CODEC_SIZE_UNKNOWN	UINT64_MAX

struct codec_opts {
	/*
	 * The most memory this stream's decoder may hold (liblzma's
	 * memlimit, zstd's window, bzip2's block memory), 0: no limit.
	 * A stream whose headers ask for more is not decoded: the codec
	 * returns CODEC_TOOBIG (sticky) and codec_window() says what the
	 * stream asked for.
	 */
	uint64_t mem_limit;
	uint64_t size;			/* CODEC_LZMA_ZIP only, else ignored */
};

/* Results of codec_feed() and codec_finish(). */
#define CODEC_MORE	0		/* all input used, the stream goes on */
#define CODEC_END	1		/* end of the compressed stream */
#define CODEC_STOP	2		/* the sink said stop */
#define CODEC_ERROR	3		/* corrupt data (sticky) */
#define CODEC_NOMEM	4		/* an allocation failed (sticky) */
#define CODEC_TOOBIG	5		/* the stream asks for more than mem_limit (sticky) */
#define CODEC_TRUNCATED	6		/* codec_finish(): input over before the end */

/* Output chunk size: the most the sink is given at once. */
#define CODEC_CHUNK	8192

/*
 * codec_new() returns NULL when it cannot allocate (acct->failed says
 * so); opts NULL: no limit, size unknown.  codec_reset() starts the next
 * stream of the same kind on the same state; codec_reset_opts() does so
 * with new opts (the next zip member's size, the decoder room left),
 * NULL: the same.  codec_feed() decodes p[0..n): *used is what it took
 * (fewer than n after CODEC_END, whose rest belongs to the container,
 * or after CODEC_STOP).  codec_drain() hands over a full buffer held
 * back (see codec.c: the output rule); codec_finish() says the input
 * is over: it hands over everything held and returns CODEC_END when
 * the stream had ended, else CODEC_TRUNCATED (or a sticky error).
 */
extern struct codec *codec_new(struct acct *, enum codec_kind, const struct codec_opts *);
extern int codec_reset(struct codec *);
extern int codec_reset_opts(struct codec *, const struct codec_opts *);
extern int codec_feed(struct codec *, const uint8_t *, size_t, size_t *used,
		              sink_fn, void *ctx);
extern int codec_drain(struct codec *, sink_fn, void *ctx);
extern int codec_finish(struct codec *, sink_fn, void *ctx);
extern struct codec *codec_free(struct codec *);

/* Compressed bytes taken and bytes handed to the sink since new/reset. */
extern uint64_t codec_total_in(const struct codec *);
extern uint64_t codec_total_out(const struct codec *);

/*
 * The decoder memory the stream declares, once its headers are read
 * (0 before, and for deflate: 32 KiB is no declaration): the xz or LZMA
 * dictionary (what liblzma says it needs), the largest zstd window of
 * the frame, bzip2's block memory (100 kB + 4 x the block size).  This
 * is what a conventional filter allocates for it, decoded or not.
 */
extern uint64_t codec_window(const struct codec *);

extern enum codec_kind codec_kind(const struct codec *);
extern const char *codec_kind_name(enum codec_kind);
extern enum acct_stage codec_kind_stage(enum codec_kind);

#endif
