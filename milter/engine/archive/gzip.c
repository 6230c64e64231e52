/*
 * NAME
 *	gzip 3
 * SUMMARY
 *	streaming gzip walker
 * SYNOPSIS
 *	#include "gzip.h"
 *
 *	const struct analyser gzip_analyser;
 * DESCRIPTION
 *	The gzip analyser parses each member's header (FEXTRA, FNAME,
 *	FCOMMENT, FHCRC), inflates its raw deflate data with the
 *	counted allocator and skips its trailer.  Concatenated members
 *	make one stream, as gunzip writes them: one member node, opened
 *	at the first member's data and named after its FNAME (else "-"),
 *	which sniffs the expanded bytes (a tar in a gzip is one level
 *	deeper than the gzip).  The node is told the compressed bytes
 *	consumed so far, so that its ratio can be judged.  Expanded
 *	bytes go on in codec.c's fixed chunks, whatever the split of
 *	the input; a truncated stream hands on the full chunk it holds.
 *
 *	ISIZE is not trusted (it is the size mod 2^32) and nothing is
 *	declared: only real expansion counts.
 *
 *	Readers disagree on what follows a member, and defuse takes the
 *	longest reading (tests/test_gzip.c records what each did):
 *	Python's gzip module skips NUL bytes after a member and reads a
 *	member whose header has reserved flag bits (gunzip, zlib, 7-Zip
 *	and libarchive stop at both); 7-Zip, when a stream does not open
 *	as gzip at its start, searches further on for a gzip signature
 *	and reads the member found there.  So a member with reserved
 *	flags is inflated (finding archive_malformed), and whatever
 *	cannot be read -- NUL padding, junk, a header with another
 *	method, corrupt deflate data -- is skipped to the next signature,
 *	1f 8b 08, where reading starts over, into the same member node.
 *	Corrupt data and a header refused are archive_malformed; so is a
 *	member found after skipped bytes (gunzip would not read it).
 *	Bytes after the last member that start no other member are
 *	ignored, with no finding (gunzip: "trailing garbage ignored").
 *	For the same reason a stream is claimed not only by its magic but
 *	when declared gzip, or when its window holds a plausible header
 *	further in (a tar excepted): its start is then junk to skip.
 * STATE
 *	An enum-driven push parser; fixed header fields are assembled in
 *	a 10-byte buffer, the name keeps its first 255 bytes.  A header
 *	that is refused is searched again from its second byte (the
 *	buffer holds it), the rest of the input from where reading
 *	stopped: every byte is looked at a bounded number of times.
 * MEMORY
 *	Under 1 KiB of state plus one deflate codec (codec.c: about
 *	47 KiB), reused by every member.
 * BUGS
 *	The header CRC and the data CRC are not checked.  A signature
 *	inside what a false candidate took as its header fields (FEXTRA,
 *	FNAME, FCOMMENT) or its deflate data before these failed is not
 *	searched again: the bytes are gone.  A gzip behind more junk
 *	than the sniffing window (4 KiB), in a stream not declared gzip,
 *	is not found, though 7-Zip finds it (100 KB in, tested): that
 *	search belongs to the sniffer, for every format.
 */

#include <string.h>

#include "gzip.h"
#include "codec.h"
#include "msg.h"
#include "name.h"
#include "node.h"
#include "walker.h"

#define GZ_NAME_MAX	255

#define GZ_FHCRC	0x02
#define GZ_FEXTRA	0x04
#define GZ_FNAME	0x08
#define GZ_FCOMMENT	0x10
#define GZ_FRESERVED	0xe0

static const uint8_t gz_sig[3] = {0x1f, 0x8b, 8};	/* magic, deflate */

enum gz_state {
	GZ_HDR,				/* 10 bytes: magic, method, flags ... */
	GZ_XLEN,			/* 2 bytes */
	GZ_EXTRA,			/* skip xlen bytes */
	GZ_NAME,			/* to NUL */
	GZ_COMMENT,			/* to NUL */
	GZ_HCRC,			/* 2 bytes */
	GZ_DATA,			/* raw deflate */
	GZ_TRAILER,			/* CRC32 and ISIZE: 8 bytes */
	GZ_SEEK,			/* skip to the next 1f (a signature?) */
};

struct gz {
	struct walker w;		/* first: node, msg, member, stop */
	enum gz_state st;
	uint8_t hdr[10];
	size_t	have, need;
	uint8_t flg;
	uint32_t skip;
	unsigned members;		/* members started */
	uint64_t skipped;		/* bytes skipped since reading stopped */
	char	name[GZ_NAME_MAX + 1];
	size_t	nlen;
	struct codec *infl;		/* raw deflate */
	uint64_t in_done;		/* compressed bytes of finished members */
};

/* gz_bad - not gzip here: note it, look for the next member */

static int gz_bad(struct gz *g, enum finding f)
{
	g->st = GZ_SEEK;
	return (walker_finding(&g->w, f));
}

/* gz_expect - assemble a fixed field of need bytes */

static void gz_expect(struct gz *g, enum gz_state st, size_t need)
{
	g->st = st;
	g->have = 0;
	g->need = need;
}

/* gz_next_field - the header field after st, per the flags */

static int gz_next_field(struct gz *g, enum gz_state after)
{
	switch (after) {
	case GZ_HDR:
		if (g->flg & GZ_FEXTRA) {
			gz_expect(g, GZ_XLEN, 2);
			return (0);
		}
		/* FALLTHROUGH */
	case GZ_EXTRA:
		if (g->flg & GZ_FNAME) {
			g->st = GZ_NAME;
			return (0);
		}
		/* FALLTHROUGH */
	case GZ_NAME:
		if (g->flg & GZ_FCOMMENT) {
			g->st = GZ_COMMENT;
			return (0);
		}
		/* FALLTHROUGH */
	case GZ_COMMENT:
		if (g->flg & GZ_FHCRC) {
			gz_expect(g, GZ_HCRC, 2);
			return (0);
		}
		/* FALLTHROUGH */
	default:
		break;
	}
	/* The data: one member node for all members. */
	if (g->w.member == 0 && g->members == 1) {
		if (g->nlen == 0)
			g->name[0] = '-', g->nlen = 1;
		if (walker_member_open(&g->w, g->name, g->nlen, 0, 0))
			return (1);
	}
	if (g->infl == 0) {
		if ((g->infl = codec_new(g->w.acct, CODEC_DEFLATE, 0)) == 0)
			goto nomem;
	} else if (codec_reset(g->infl) != CODEC_MORE)
		goto nomem;
	g->st = GZ_DATA;
	return (0);

nomem:
	return (walker_nomem(&g->w));
}

/* gz_sig_prefix - could a signature start at p[0..n)? */

static int gz_sig_prefix(const uint8_t *p, size_t n)
{
	return (memcmp(p, gz_sig, n < 3 ? n : 3) == 0);
}

/* gz_resync - a header refused: search it again from its second byte */

static void gz_resync(struct gz *g)
{
	size_t  i;

	for (i = 1; i < g->have; i++)
		if (gz_sig_prefix(g->hdr + i, g->have - i))
			break;
	g->skipped += i;
	if (i == g->have) {
		g->st = GZ_SEEK;
		return;
	}
	memmove(g->hdr, g->hdr + i, g->have - i);
	g->have -= i;
}

/* gz_header - the fixed 10 bytes of a member header */

static int gz_header(struct gz *g)
{
	const uint8_t *h = g->hdr;

	if (!gz_sig_prefix(h, 3)) {
		/* The stream's start is no gzip, or a method other than
		 * deflate: malformed.  After a member: trailing bytes. */
		if ((g->members == 0 && g->skipped == 0) || gz_sig_prefix(h, 2))
			if (msg_finding(g->w.msg, FIND_ARCHIVE_MALFORMED) != 0)
				return (walker_halt(&g->w));
		gz_resync(g);
		return (0);
	}
	/* Reserved flags: Python reads the member; gunzip refuses it. */
	if ((h[3] & GZ_FRESERVED) != 0 || (g->members > 0 && g->skipped > 0))
		if (msg_finding(g->w.msg, FIND_ARCHIVE_MALFORMED) != 0)
			return (walker_halt(&g->w));
	g->flg = h[3];
	g->skipped = 0;
	g->members++;
	return (gz_next_field(g, GZ_HDR));
}

/* gz_out - expanded bytes */

static int gz_out(void *ctx, const uint8_t *p, size_t n)
{
	struct gz *g = ctx;

	if (msg_inflated(g->w.msg, n, g->w.member) != 0
	    || node_consumed(g->w.member, g->in_done + codec_total_in(g->infl)) != 0
	    || node_feed(g->w.member, p, n) != 0)
		return (walker_halt(&g->w));
	return (0);
}

/* gz_step - one state's worth of input; returns bytes used */

static size_t gz_step(struct gz *g, const uint8_t *p, size_t n)
{
	size_t  k, used;
	const uint8_t *nul, *sig;
	int     r;

	switch (g->st) {
	case GZ_HDR:
	case GZ_XLEN:
	case GZ_HCRC:
	case GZ_TRAILER:
		k = walker_take(g->hdr, &g->have, g->need, p, n);
		if (g->have < g->need)
			return (k);
		if (g->st == GZ_HDR)
			gz_header(g);
		else if (g->st == GZ_XLEN) {
			g->skip = (uint32_t) (g->hdr[0] | g->hdr[1] << 8);
			g->st = GZ_EXTRA;
		} else if (g->st == GZ_HCRC)
			gz_next_field(g, GZ_HCRC);
		else {
			g->skipped = 0;
			g->st = GZ_SEEK;	/* NUL padding, or a member */
		}
		return (k);
	case GZ_EXTRA:
		k = g->skip < n ? g->skip : n;
		g->skip -= (uint32_t) k;
		if (g->skip == 0)
			gz_next_field(g, GZ_EXTRA);
		return (k);
	case GZ_NAME:
	case GZ_COMMENT:
		if (n == 0)
			return (0);
		nul = memchr(p, 0, n);
		k = nul ? (size_t) (nul - p) + 1 : n;
		if (g->st == GZ_NAME && g->members == 1)
			g->nlen = name_put(g->name, sizeof(g->name), g->nlen, p, nul ? k - 1 : k);
		if (nul)
			gz_next_field(g, g->st);
		return (k);
	case GZ_DATA:
		if (n == 0)
			return (0);
		r = codec_feed(g->infl, p, n, &used, gz_out, g);
		switch (r) {
		case CODEC_MORE:
			break;
		case CODEC_END:
			g->in_done += codec_total_in(g->infl);
			gz_expect(g, GZ_TRAILER, 8);
			break;
		case CODEC_ERROR:
			g->in_done += codec_total_in(g->infl);
			g->skipped = 0;
			gz_bad(g, FIND_ARCHIVE_MALFORMED);
			break;
		case CODEC_STOP:
			walker_halt(&g->w);
			break;
		case CODEC_NOMEM:
		default:
			walker_nomem(&g->w);
			break;
		}
		return (used);
	case GZ_SEEK:
		if (n == 0)
			return (0);
		sig = memchr(p, gz_sig[0], n);
		k = sig ? (size_t) (sig - p) : n;
		g->skipped += k;
		if (sig)
			gz_expect(g, GZ_HDR, 10);	/* a candidate */
		return (k);
	}
	return (n);
}

/* gz_run - feed bytes through the states */

static int gz_run(struct gz *g, const uint8_t *p, size_t n)
{
	size_t  k;
	enum gz_state was;

	while (!g->w.stop) {
		was = g->st;
		k = gz_step(g, p, n);
		if (k > 0)
			p += k, n -= k;		/* p may be NULL at finish */
		if (k == 0 && g->st == was) {
			if (n > 0 && !g->w.stop)
				return (walker_internal(&g->w));	/* cannot move */
			break;
		}
	}
	return (g->w.stop);
}

/*
 * gzip_probe - a gzip behind junk, as 7-Zip finds one (it searches a
 * stream that opens as nothing for a gzip signature, however far in,
 * whatever its name): a plausible header (no reserved flags, as 7-Zip
 * wants) in the window.  At its start a gzip is known by its magic,
 * declared or named gzip by the format table's later passes; a tar,
 * whose members may be gzip files, by tar's probe, which runs first.
 */
int     gzip_probe(const char *type, const uint8_t *win, size_t len)
{
	(void) type;
	for (const uint8_t *q = win + 1, *end = win + len;
	     q + 10 <= end && (q = memchr(q, gz_sig[0], end - 10 - q + 1)) != 0; q++)
		if (gz_sig_prefix(q, 3) && (q[3] & GZ_FRESERVED) == 0)
			return (1);
	return (0);
}

/* gzip_open - a gzip stream starts */

static void *gzip_open(struct node *node)
{
	struct acct *acct = msg_acct(node->msg);
	struct gz *g;

	if ((g = acct_calloc(acct, ACCT_ARCHIVE, 1, sizeof(*g))) == 0)
		return (NULL);
	walker_init(&g->w, node);
	gz_expect(g, GZ_HDR, 10);
	return (g);
}

/* gzip_feed - more of the stream */

static int gzip_feed(void *state, const uint8_t *p, size_t n)
{
	struct gz *g = state;

	return (g->w.stop ? 1 : gz_run(g, p, n));
}

/* gzip_finish - end of the stream */

static int gzip_finish(void *state)
{
	struct gz *g = state;
	int     truncated;

	if (g->w.stop || gz_run(g, 0, 0))
		return (1);
	if (g->st == GZ_DATA && codec_drain(g->infl, gz_out, g) != CODEC_MORE)
		return (walker_halt(&g->w));
	truncated = g->st != GZ_SEEK && !(g->st == GZ_HDR && g->have == 0);
	if (g->st == GZ_HDR && g->members > 0
	    && (!gz_sig_prefix(g->hdr, g->have) || (g->have == 1 && g->skipped > 0)))
		truncated = 0;			/* a few trailing bytes, not a member */
	if (walker_member_close(&g->w))
		return (1);
	if (truncated)
		return (walker_finding(&g->w, FIND_ARCHIVE_TRUNCATED));
	return (0);
}

/* gzip_free - release everything; returns NULL */

static void *gzip_free(void *state)
{
	struct gz *g = state;

	if (g == 0)
		return (NULL);
	walker_member_free(&g->w);
	codec_free(g->infl);
	acct_free(g->w.acct, g);
	return (NULL);
}

const struct analyser gzip_analyser = {
	.name = "gzip", .open = gzip_open, .feed = gzip_feed, .finish = gzip_finish,
	.free = gzip_free,
};
