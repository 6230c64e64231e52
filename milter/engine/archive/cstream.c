/*
 * NAME
 *	cstream 3
 * SUMMARY
 *	standalone compressed streams: bzip2, xz, LZMA-alone, zstd
 * SYNOPSIS
 *	#include "cstream.h"
 *
 *	const struct analyser bzip2_analyser, xz_analyser, lzma_analyser, zstd_analyser;
 *
 *	int	cstream_probe_bzip2(type, win, len)
 *	int	cstream_probe_zstd(type, win, len)
 *	int	cstream_probe_lzma(type, win, len)
 *	uint64_t cstream_ceiling(kind)
 * DESCRIPTION
 *	A compressed stream is one member: its expanded bytes go to one
 *	member node, named "-", which sniffs them, so a tar.bz2, a
 *	tar.xz, a tar.zst or an xz holding a zip is seen through, one
 *	level deeper.  The node is told the compressed bytes consumed so
 *	far, so that its ratio is judged as a zip member's is.
 *
 *	Several streams one after the other make one member, as bzip2 -d,
 *	xz -d and zstd -d write them: bzip2 streams, xz streams with
 *	stream padding (NUL bytes) between them, zstd frames and
 *	skippable frames.  Each stream is looked for by its signature;
 *	what lies between is skipped, and a stream found after bytes that
 *	are neither padding nor the start of the input is
 *	archive_malformed (the tools refuse it, a lenient reader may not).
 *	Bytes after the last stream are ignored.  A stream claimed by its
 *	declared type or its name (formats.c) whose signature is not at
 *	its start is read from the first signature in it, as 7-Zip does.
 *	An LZMA-alone stream has no signature: it is read from its start
 *	only, once.
 *
 *	The decoder memory each stream declares (the xz or LZMA
 *	dictionary, the zstd window, bzip2's blocks; codec_window()) is a
 *	term of the projected cost, decoder_mem: the largest over the
 *	member's streams, which a filter decodes one after the other.  A
 *	stream that asks for more than the decoders may still hold
 *	(max_decoder_memory, less what the message's other decoders
 *	hold) is not decoded: finding unverified, and the member is
 *	projected at its worst, its compressed bytes times its kind's
 *	ratio ceiling (cstream_ceiling()), judged by max_part_size and
 *	max_message_cost (not by max_ratio, which the ceiling would always
 *	cross).
 *
 *	Corrupt data is archive_malformed, and reading goes on at the next
 *	signature; a stream cut short is archive_truncated.  Nothing is
 *	declared by these formats that a filter would trust (xz's index
 *	and zstd's frame content size come after the data or are
 *	optional): only real expansion counts.
 * STATE
 *	Looking for a signature, the candidate's bytes are gathered in a
 *	16-byte buffer; a candidate refused is searched again from its
 *	second byte, so every byte is looked at a bounded number of times.
 * MEMORY
 *	Under 200 bytes of state plus one codec (codec.c), reused by every
 *	stream of the member; the decoder's dictionary or window is
 *	counted under its own stage and capped by max_decoder_memory.
 */

#include <string.h>

#include "codec.h"
#include "cstream.h"
#include "msg.h"
#include "node.h"
#include "walker.h"

enum cs_state {
	CS_SEEK,			/* looking for a signature */
	CS_DATA,			/* a stream through the codec */
	CS_COUNT,			/* a stream too large to decode: counted */
	CS_DONE,			/* nothing more is read (LZMA-alone) */
};

struct cs {
	struct walker w;		/* first: node, msg, member, stop */
	enum codec_kind kind;
	enum cs_state st;
	uint8_t sig[16];		/* a candidate signature */
	size_t	have;
	unsigned streams;		/* streams started */
	uint64_t skipped;		/* bytes skipped since the last stream */
	int	junk;			/* some of them were not padding */
	struct codec *codec;
	uint64_t in_done;		/* compressed bytes of finished streams */
	uint64_t window;		/* decoder memory booked (the largest) */
	uint64_t unverified;		/* compressed bytes projected unread */
};

/*
 * cstream_ceiling - the ratio a stream of this kind cannot pass.
 *  deflate	1,032:1: zlib's technical notes (a 258-byte match in one
 *		bit per ... at best).
 *  bzip2	2,000,000:1: bzip2 -9 of 1 GiB of zeros is 785 bytes
 *		(1,367,823:1; measured), crafted blocks reach about 1.8M.
 *  xz, LZMA	10,000:1: xz -9e of 1 GiB of zeros is 156,316 bytes
 *		(6,869:1; measured); the range coder's probability floor
 *		(31/2048) bounds a 273-byte match's cost near 7,300:1.
 *  zstd	32,768:1: an RLE block is a 3-byte header and one byte for
 *		up to 128 KiB; zstd -19 of 1 GiB of zeros is 32,797 bytes
 *		(32,739:1; measured).
 */
uint64_t cstream_ceiling(int kind)
{
	switch (kind) {
	case CODEC_DEFLATE:
		return (1032);
	case CODEC_BZIP2:
		return (2000000);
	case CODEC_XZ:
	case CODEC_LZMA_ALONE:
	case CODEC_LZMA_ZIP:
		return (10000);
	case CODEC_ZSTD:
		return (32768);
	default:
		return (2000000);
	}
}

/* cs_le32 - a little-endian word */

static uint32_t cs_le32(const uint8_t *p)
{
	return ((uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
		| (uint32_t) p[3] << 24);
}

/*
 * cs_sig - how much of a signature b[0..len) is: -1 not one, 0 a prefix
 * so far, 1 a whole signature.
 */

static int cs_sig(enum codec_kind kind, const uint8_t *b, size_t len)
{
	static const uint8_t bz_block[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
	static const uint8_t bz_eos[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
	static const uint8_t xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	static const uint8_t zs[4] = {0x28, 0xb5, 0x2f, 0xfd};
	static const uint8_t skip[3] = {0x2a, 0x4d, 0x18};
	size_t  k;

	switch (kind) {
	case CODEC_BZIP2:
		k = len < 3 ? len : 3;
		if (memcmp(b, "BZh", k) != 0)
			return (-1);
		if (len > 3 && (b[3] < '1' || b[3] > '9'))
			return (-1);
		if (len > 4) {
			k = len - 4 < 6 ? len - 4 : 6;
			if (memcmp(b + 4, bz_block, k) != 0 && memcmp(b + 4, bz_eos, k) != 0)
				return (-1);
		}
		return (len >= 10);
	case CODEC_XZ:
		k = len < 6 ? len : 6;
		if (memcmp(b, xz, k) != 0)
			return (-1);
		return (len >= 6);
	case CODEC_ZSTD:
		if ((b[0] & 0xf0) == 0x50) {
			k = len - 1 < 3 ? len - 1 : 3;
			if (memcmp(b + 1, skip, k) != 0)
				return (-1);
		} else {
			k = len < 4 ? len : 4;
			if (memcmp(b, zs, k) != 0)
				return (-1);
		}
		return (len >= 4);
	default:
		return (-1);
	}
}

/* The probes: signatures the magic table cannot hold. */

int     cstream_probe_bzip2(const char *type, const uint8_t *win, size_t len)
{
	(void) type;
	return (len >= 10 && cs_sig(CODEC_BZIP2, win, 10) == 1);
}

int     cstream_probe_zstd(const char *type, const uint8_t *win, size_t len)
{
	(void) type;
	return (len >= 8 && (cs_le32(win) & 0xfffffff0u) == 0x184d2a50u);
}

/*
 * cstream_probe_lzma - an LZMA-alone header: the properties byte of
 * every encoder's default (lc=3, lp=0, pb=2: 0x5d; others are rare and
 * would make the probe too loose), a dictionary of 2^n or 2^n + 2^(n-1)
 * bytes from 4 KiB to 1.5 GiB, an uncompressed size unknown (all ones)
 * or below 2^48.  libmagic knows the same header.
 */
int     cstream_probe_lzma(const char *type, const uint8_t *win, size_t len)
{
	uint32_t d;

	(void) type;
	if (len < 13 || win[0] != 0x5d)
		return (0);
	d = cs_le32(win + 1);
	if (d < 4096 || d > (3u << 29))
		return (0);
	if ((d & (d - 1)) != 0 && (d % 3 != 0 || ((d / 3) & (d / 3 - 1)) != 0))
		return (0);
	for (int i = 5; i < 13; i++)
		if (win[i] != 0xff)
			return (win[11] == 0 && win[12] == 0);
	return (1);
}

/* cs_window - book the decoder memory the stream declares */

static int cs_window(struct cs *c)
{
	uint64_t w = c->codec ? codec_window(c->codec) : 0;

	if (w <= c->window)
		return (0);
	if (msg_add_decoder_mem(c->w.msg, w - c->window, c->w.member) != 0)
		return (walker_halt(&c->w));
	c->window = w;
	return (0);
}

/* cs_out - expanded bytes */

static int cs_out(void *ctx, const uint8_t *p, size_t n)
{
	struct cs *c = ctx;

	if (cs_window(c))
		return (1);
	if (msg_inflated(c->w.msg, n, c->w.member) != 0
	    || node_consumed(c->w.member, c->in_done + codec_total_in(c->codec)) != 0
	    || node_feed(c->w.member, p, n) != 0)
		return (walker_halt(&c->w));
	return (0);
}

/* cs_project - a stream not decoded: its compressed bytes at the ceiling */

static int cs_project(struct cs *c, uint64_t n)
{
	uint64_t worst;

	c->unverified += n;
	if (__builtin_mul_overflow(c->unverified, cstream_ceiling(c->kind), &worst)
	    || __builtin_add_overflow(worst, c->w.member->size, &worst))
		worst = UINT64_MAX;
	if (node_worst(c->w.member, worst) != 0)
		return (walker_halt(&c->w));
	return (0);
}

/* cs_start - a stream begins: open the member or reset the codec */

static int cs_start(struct cs *c)
{
	struct codec_opts o = {0};
	uint64_t room = msg_decoder_room(c->w.msg);

	if ((c->streams > 0 || c->skipped > 0) && c->junk
	    && walker_finding(&c->w, FIND_ARCHIVE_MALFORMED))
		return (1);
	c->streams++;
	c->skipped = 0;
	c->junk = 0;
	if (c->w.member == 0 && walker_member_open(&c->w, "-", 1, 0, 0))
		return (1);
	if (c->codec == 0) {
		/* What the decoders may still hold; what this one adds is
		 * its own (the window it asks for is booked as it goes). */
		o.mem_limit = room == UINT64_MAX ? 0 : room;
		if (o.mem_limit == 0 && room != UINT64_MAX)
			o.mem_limit = 1;
		if ((c->codec = codec_new(c->w.acct, c->kind, &o)) == 0)
			return (walker_nomem(&c->w));
	} else if (codec_reset(c->codec) == CODEC_NOMEM)
		return (walker_nomem(&c->w));
	c->st = CS_DATA;
	return (0);
}

/* cs_result - what a codec call said */

static int cs_result(struct cs *c, int r)
{
	if (cs_window(c))
		return (1);
	switch (r) {
	case CODEC_MORE:
		return (0);
	case CODEC_END:
		c->in_done += codec_total_in(c->codec);
		c->st = c->kind == CODEC_LZMA_ALONE ? CS_DONE : CS_SEEK;
		return (0);
	case CODEC_ERROR:
		c->in_done += codec_total_in(c->codec);
		c->st = c->kind == CODEC_LZMA_ALONE ? CS_DONE : CS_SEEK;
		c->junk = 1;
		return (walker_finding(&c->w, FIND_ARCHIVE_MALFORMED));
	case CODEC_TOOBIG:
		c->in_done += codec_total_in(c->codec);
		c->st = CS_COUNT;
		if (walker_finding(&c->w, FIND_UNVERIFIED))
			return (1);
		return (cs_project(c, codec_total_in(c->codec)));
	case CODEC_STOP:
		return (walker_halt(&c->w));
	case CODEC_NOMEM:
	default:
		return (walker_nomem(&c->w));
	}
}

/* cs_feed_codec - bytes of the current stream */

static size_t cs_feed_codec(struct cs *c, const uint8_t *p, size_t n)
{
	size_t  used = 0;
	int     r = codec_feed(c->codec, p, n, &used, cs_out, c);

	if (c->w.stop || cs_result(c, r))
		return (n);
	return (used);
}

/* cs_seek - look for the next signature; returns bytes taken */

static size_t cs_seek(struct cs *c, const uint8_t *p, size_t n)
{
	size_t  k = 0, j;
	int     s;

	if (c->have == 0) {
		while (k < n && cs_sig(c->kind, p + k, 1) < 0) {
			c->junk |= !(p[k] == 0 && c->kind == CODEC_XZ && c->streams > 0);
			k++;
		}
		c->skipped += k;
		if (k == n)
			return (n);
		c->sig[c->have++] = p[k++];
	}
	while ((s = cs_sig(c->kind, c->sig, c->have)) == 0 && k < n)
		c->sig[c->have++] = p[k++];
	if (s == 0)
		return (k);			/* more to come */
	if (s == 1) {
		size_t  len = c->have;

		c->have = 0;
		if (cs_start(c))
			return (n);
		/* The signature's bytes are the stream's first. */
		if (cs_feed_codec(c, c->sig, len) != len || c->w.stop)
			return (c->w.stop ? n : k);
		return (k);
	}
	/* Refused: the candidate's first byte is junk; look again from its
	 * second (a bounded number of bytes, each looked at again once). */
	for (j = 1; j < c->have && cs_sig(c->kind, c->sig + j, c->have - j) < 0; j++)
		;
	for (size_t i = 0; i < j; i++)
		c->junk |= !(c->sig[i] == 0 && c->kind == CODEC_XZ && c->streams > 0);
	c->skipped += j;
	memmove(c->sig, c->sig + j, c->have - j);
	c->have -= j;
	return (k);
}

/* cs_run - feed bytes through the states */

static int cs_run(struct cs *c, const uint8_t *p, size_t n)
{
	size_t  k;

	while (n > 0 && !c->w.stop) {
		switch (c->st) {
		case CS_SEEK:
			k = cs_seek(c, p, n);
			break;
		case CS_DATA:
			k = cs_feed_codec(c, p, n);
			break;
		case CS_COUNT:
			if (node_consumed(c->w.member, c->in_done + n) != 0 || cs_project(c, n))
				return (walker_halt(&c->w));
			c->in_done += n;
			k = n;
			break;
		case CS_DONE:
		default:
			k = n;
			break;
		}
		p += k;
		n -= k;
	}
	return (c->w.stop);
}

/* cs_open - a compressed stream starts */

static void *cs_open(struct node *node, enum codec_kind kind)
{
	struct cs *c;

	if ((c = acct_calloc(msg_acct(node->msg), ACCT_ARCHIVE, 1, sizeof(*c))) == 0)
		return (NULL);
	walker_init(&c->w, node);
	c->kind = kind;
	c->st = CS_SEEK;
	return (c);
}

static void *cs_open_bzip2(struct node *node)
{
	return (cs_open(node, CODEC_BZIP2));
}

static void *cs_open_xz(struct node *node)
{
	return (cs_open(node, CODEC_XZ));
}

static void *cs_open_zstd(struct node *node)
{
	return (cs_open(node, CODEC_ZSTD));
}

/* LZMA-alone has no signature: its header is at the start, or nowhere. */

static void *cs_open_lzma(struct node *node)
{
	struct cs *c = cs_open(node, CODEC_LZMA_ALONE);

	if (c != 0 && cs_start(c) != 0)
		c->st = CS_DONE;
	return (c);
}

/* cs_feed - more of the stream */

static int cs_feed(void *state, const uint8_t *p, size_t n)
{
	struct cs *c = state;

	return (c->w.stop ? 1 : cs_run(c, p, n));
}

/* cs_finish - the end of the stream */

static int cs_finish(void *state)
{
	struct cs *c = state;
	int     r;

	if (c->w.stop)
		return (1);
	if (c->st == CS_DATA) {
		r = codec_finish(c->codec, cs_out, c);
		if (c->w.stop)
			return (1);
		if (r == CODEC_TRUNCATED) {
			if (cs_window(c) || walker_finding(&c->w, FIND_ARCHIVE_TRUNCATED))
				return (1);
		} else if (r != CODEC_END && cs_result(c, r))
			return (1);
	}
	return (walker_member_close(&c->w));
}

/* cs_free - release everything; returns NULL */

static void *cs_free(void *state)
{
	struct cs *c = state;

	if (c == 0)
		return (NULL);
	walker_member_free(&c->w);
	codec_free(c->codec);
	acct_free(c->w.acct, c);
	return (NULL);
}

const struct analyser bzip2_analyser = {
	.name = "bzip2", .open = cs_open_bzip2, .feed = cs_feed, .finish = cs_finish,
	.free = cs_free,
};
const struct analyser xz_analyser = {
	.name = "xz", .open = cs_open_xz, .feed = cs_feed, .finish = cs_finish,
	.free = cs_free,
};
const struct analyser lzma_analyser = {
	.name = "lzma", .open = cs_open_lzma, .feed = cs_feed, .finish = cs_finish,
	.free = cs_free,
};
const struct analyser zstd_analyser = {
	.name = "zstd", .open = cs_open_zstd, .feed = cs_feed, .finish = cs_finish,
	.free = cs_free,
};
