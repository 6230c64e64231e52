/*
 * bombs - archives built in memory at test time: zips (with data
 * descriptors, Zip64, overlapping entries), gzips and tars, benign or
 * hostile.  No binary blob is committed; everything here is made with
 * zlib when the test runs.
 */
#ifndef DEFUSE_BOMBS_H
#define DEFUSE_BOMBS_H

#include <stddef.h>
#include <stdint.h>

#include "testutil.h"

#define MiB	(1024ull * 1024)
#define GiB	(1024ull * MiB)

/* Raw deflate of a buffer (level 9). */
extern void bomb_deflate(struct tu_buf *, const uint8_t *, size_t);

/*
 * Raw deflate of n bytes made of a repeated pattern (zeros when plen
 * is 0), at deflate's best ratio (about 1000:1), in time and memory
 * proportional to the output only: one 1 MiB segment is compressed
 * once with a full flush (which makes every segment's bytes the same)
 * and repeated.  n is rounded down to whole patterns.
 */
extern void bomb_deflate_repeat(struct tu_buf *, const char *pat, size_t plen,
				        uint64_t n);

/* Random bytes (xorshift; same seed, same bytes). */
extern void bomb_random(uint8_t *, size_t, uint32_t seed);

/* Ordinary text, somewhat compressible (about 3:1). */
extern void bomb_text(struct tu_buf *, size_t n, uint32_t seed);

/* A zip being built. */
struct bomb_ent {
	char	name[128];
	uint64_t off;			/* local header offset */
	uint16_t method;
	uint16_t flags;
	uint32_t crc;
	uint64_t csize, usize;		/* as the central directory says */
	int	zip64;			/* sizes and offset in a Zip64 extra */
};

struct bomb_zip {
	struct tu_buf b;
	struct bomb_ent *e;
	size_t	n, cap;
};

#define BZ_DD		0x0008		/* flags: data descriptor */
#define BZ_ENC		0x0001		/* flags: encrypted */

/*
 * Low level: a local header (recorded as an entry with the same
 * fields; returns its index), a data descriptor, a central directory
 * record for any entry (offsets may point anywhere), and the end
 * records.  zip64 writes 0xffffffff fields and a Zip64 extra field.
 */
extern size_t bz_lfh(struct bomb_zip *, const char *name, uint16_t method,
		             uint16_t flags, uint32_t crc, uint64_t csize,
		             uint64_t usize, int zip64);
extern void bz_dd(struct bomb_zip *, uint32_t crc, uint64_t csize,
		          uint64_t usize, int sig, int wide);
extern void bz_cd(struct bomb_zip *, const struct bomb_ent *);
extern void bz_end(struct bomb_zip *, uint64_t cd_off, uint64_t entries, int zip64);

/*
 * High level: a whole member from its data, stored (method 0) or
 * deflated (8), with or without a data descriptor (then the local
 * header says 0 for sizes and CRC).
 */
extern void bz_file(struct bomb_zip *, const char *name, const uint8_t *,
		            size_t, uint16_t method, int dd);

/* A member whose compressed data is given (already deflated). */
extern void bz_deflated(struct bomb_zip *, const char *name,
			        const struct tu_buf *deflated, uint64_t usize,
			        uint64_t declared_usize, int dd);

/* Central directory for every entry, then the end record. */
extern void bz_close(struct bomb_zip *, int zip64);
extern void bz_free(struct bomb_zip *);

/* Hostile zips (Fifield's "better zip bomb" shapes and others). */
extern void bomb_zip_overlap_full(struct tu_buf *, unsigned entries,
				          uint64_t kernel_usize, int zip64);
extern void bomb_zip_overlap_quoted(struct tu_buf *, unsigned entries,
				            uint64_t kernel_usize);

/* 42.zip-style: layers of 16, leaves of leaf_usize zeros. */
extern void bomb_zip_nested(struct tu_buf *, unsigned layers, unsigned fanout,
			            uint64_t leaf_usize);

/* gzip members. */
extern void bomb_gzip_member(struct tu_buf *, const struct tu_buf *deflated,
			             uint32_t crc, uint64_t usize, const char *fname,
			             int hcrc_extra_comment);
extern void bomb_gzip_zeros(struct tu_buf *, uint64_t usize, unsigned members);

/*
 * The other codecs, with their own libraries: bomb_codec() compresses
 * data[0..n) as one stream of the kind (a CODEC_* of codec.h: bzip2,
 * xz, lzma for LZMA-alone, zstd) at the given level (bzip2 1-9, xz
 * preset 0-9, zstd 1-19); bomb_codec_zeros() appends streams of zeros,
 * each of at most 64 MiB, until usize bytes are covered (a bomb without
 * compressing a gigabyte).
 */
extern void bomb_codec(struct tu_buf *, int kind, int level, const uint8_t *, size_t);
extern void bomb_codec_zeros(struct tu_buf *, int kind, int level, uint64_t usize);

/* tar: one header (ustar, size in octal or base-256) plus data. */
extern void bomb_tar_header(struct tu_buf *, const char *name, char type,
			            uint64_t size, uint64_t realsize);
extern void bomb_tar_file(struct tu_buf *, const char *name, const uint8_t *, size_t);
extern void bomb_tar_end(struct tu_buf *);

/*
 * Wrap an archive as the one attachment of a message (tu_message_attach)
 * and scan it in chunks of chunk bytes (0: whole).
 */
extern void bomb_scan(const struct conf *, const char *ctype, const char *fname,
		              const char *cte, const uint8_t *, size_t, size_t chunk,
		              struct record *);

/*
 * Split invariance: the message's record fed whole must equal the record
 * fed byte by byte and in random chunks (seeds 1..nseeds).  NULL when
 * they agree, else a description of the first difference (static).
 */
extern const char *bomb_split_diff(const struct conf *, const uint8_t *, size_t,
				           unsigned nseeds);

/* The archive as an attachment: does its record depend on the split? */
extern const char *bomb_split_diff_attached(const char *ctype, const char *fname,
						  const struct tu_buf *, unsigned nseeds);

/*
 * One walker fed directly, as tests/fuzz does: a root node (no MIME, no
 * sniffing) handed to the analyser, the input cut after every offset in
 * cuts[0..ncuts) (ascending), then finish.  The record, as after the
 * message ends.
 */
struct analyser;
extern void bomb_walk(const struct analyser *, const struct conf *,
		              const uint8_t *, size_t, const size_t *cuts,
		              size_t ncuts, struct record *);

/*
 * Split invariance of one walker fed directly: whole, byte by byte, in
 * random chunks (seeds 1..nseeds) and, for inputs of at most
 * every_cut_max bytes, cut once at every offset: the same record but for
 * memory and time.  NULL when they agree, else the first difference.
 */
extern const char *bomb_walk_split_diff(const struct analyser *, const struct conf *,
					        const uint8_t *, size_t, unsigned nseeds,
					        size_t every_cut_max);

/* CRC-32 of n bytes of a repeated pattern (zeros when plen is 0). */
extern uint32_t bomb_crc_repeat(const char *pat, size_t plen, uint64_t n);

#endif
