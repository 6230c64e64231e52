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
 *	bytes go on in inflate.c's fixed chunks, whatever the split of
 *	the input; a truncated stream hands on the full chunk it holds.
 *
 *	ISIZE is not trusted (it is the size mod 2^32) and nothing is
 *	declared: only real expansion counts.  Reserved flag bits, a
 *	method other than deflate or corrupt data end the analysis with
 *	finding archive_malformed; bytes after the last member that do
 *	not start another member are ignored.
 * STATE
 *	An enum-driven push parser; fixed header fields are assembled in
 *	a 10-byte buffer, the name keeps its first 255 bytes.
 * MEMORY
 *	Under 1 KiB of state plus one inflate stream (inflate.c: about
 *	47 KiB), reused by every member.
 * BUGS
 *	The header CRC and the data CRC are not checked.
 */

#include <string.h>

#include "gzip.h"
#include "inflate.h"
#include "msg.h"
#include "name.h"
#include "node.h"

#define GZ_NAME_MAX	255

#define GZ_FHCRC	0x02
#define GZ_FEXTRA	0x04
#define GZ_FNAME	0x08
#define GZ_FCOMMENT	0x10
#define GZ_FRESERVED	0xe0

enum gz_state {
	GZ_HDR,				/* 10 bytes: magic, method, flags ... */
	GZ_XLEN,			/* 2 bytes */
	GZ_EXTRA,			/* skip xlen bytes */
	GZ_NAME,			/* to NUL */
	GZ_COMMENT,			/* to NUL */
	GZ_HCRC,			/* 2 bytes */
	GZ_DATA,			/* raw deflate */
	GZ_TRAILER,			/* CRC32 and ISIZE: 8 bytes */
	GZ_JUNK,			/* after the last member: ignored */
};

struct gz {
	struct node *node;
	struct msg *msg;
	struct acct *acct;
	enum gz_state st;
	int	stop;
	uint8_t hdr[10];
	size_t	have, need;
	uint8_t flg;
	uint32_t skip;
	unsigned members;		/* members started */
	char	name[GZ_NAME_MAX + 1];
	size_t	nlen;
	struct node *member;
	struct infl *infl;
	uint64_t in_done;		/* compressed bytes of finished members */
};

/* gz_halt - stop for good */

static int gz_halt(struct gz *g)
{
	g->stop = 1;
	return (1);
}

/* gz_nomem - an allocation failed: the message tempfails */

static int gz_nomem(struct gz *g)
{
	if (!msg_decided(g->msg))
		msg_stop(g->msg, msg_acct(g->msg)->failed == ACCT_FAIL_BUDGET ?
			 REASON_BUDGET : REASON_INTERNAL, g->node);
	return (gz_halt(g));
}

/* gz_bad - not gzip any more: note it, ignore the rest */

static int gz_bad(struct gz *g, enum finding f)
{
	g->st = GZ_JUNK;
	if (msg_finding(g->msg, f) != 0)
		return (gz_halt(g));
	return (0);
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
	if (g->member == 0 && g->members == 1) {
		if (g->nlen == 0)
			g->name[0] = '-', g->nlen = 1;
		g->member = node_open(g->msg, g->node, g->name, g->nlen, 0, 0);
		if (g->member == 0)
			return (gz_halt(g));
	}
	if (g->infl == 0) {
		if ((g->infl = infl_new(g->acct, INFL_RAW)) == 0)
			goto nomem;
	} else if (infl_reset(g->infl) != INFL_MORE)
		goto nomem;
	g->st = GZ_DATA;
	return (0);

nomem:
	return (gz_nomem(g));
}

/* gz_header - the fixed 10 bytes of a member header */

static int gz_header(struct gz *g)
{
	const uint8_t *h = g->hdr;

	if (h[0] != 0x1f || h[1] != 0x8b) {
		if (g->members == 0)
			return (gz_bad(g, FIND_ARCHIVE_MALFORMED));
		g->st = GZ_JUNK;		/* trailing bytes: gunzip ignores them */
		return (0);
	}
	if (h[2] != 8 || (h[3] & GZ_FRESERVED) != 0)
		return (gz_bad(g, FIND_ARCHIVE_MALFORMED));
	g->flg = h[3];
	g->members++;
	return (gz_next_field(g, GZ_HDR));
}

/* gz_out - expanded bytes */

static int gz_out(void *ctx, const uint8_t *p, size_t n)
{
	struct gz *g = ctx;

	if (msg_inflated(g->msg, n, g->member) != 0
	    || node_consumed(g->member, g->in_done + infl_total_in(g->infl)) != 0
	    || node_feed(g->member, p, n) != 0)
		return (gz_halt(g));
	return (0);
}

/* gz_step - one state's worth of input; returns bytes used */

static size_t gz_step(struct gz *g, const uint8_t *p, size_t n)
{
	size_t  k, used;
	const uint8_t *nul;
	int     r;

	switch (g->st) {
	case GZ_HDR:
	case GZ_XLEN:
	case GZ_HCRC:
	case GZ_TRAILER:
		k = g->need - g->have;
		if (k > n)
			k = n;
		if (k > 0)
			memcpy(g->hdr + g->have, p, k);
		g->have += k;
		if (g->have < g->need)
			return (k);
		if (g->st == GZ_HDR)
			gz_header(g);
		else if (g->st == GZ_XLEN) {
			g->skip = (uint32_t) (g->hdr[0] | g->hdr[1] << 8);
			g->st = GZ_EXTRA;
		} else if (g->st == GZ_HCRC)
			gz_next_field(g, GZ_HCRC);
		else
			gz_expect(g, GZ_HDR, 10);
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
		r = infl_feed(g->infl, p, n, &used, gz_out, g);
		switch (r) {
		case INFL_MORE:
			break;
		case INFL_END:
			g->in_done += infl_total_in(g->infl);
			gz_expect(g, GZ_TRAILER, 8);
			break;
		case INFL_STOP:
			gz_halt(g);
			break;
		case INFL_NOMEM:
			gz_nomem(g);
			break;
		default:
			gz_bad(g, FIND_ARCHIVE_MALFORMED);
			break;
		}
		return (used);
	case GZ_JUNK:
		return (n);
	}
	return (n);
}

/* gz_run - feed bytes through the states */

static int gz_run(struct gz *g, const uint8_t *p, size_t n)
{
	size_t  k;
	enum gz_state was;

	while (!g->stop) {
		was = g->st;
		k = gz_step(g, p, n);
		if (k > 0)
			p += k, n -= k;		/* p may be NULL at finish */
		if (k == 0 && g->st == was)
			break;
	}
	return (g->stop);
}

/* gzip_match - is this stream a gzip? */

static int gzip_match(const char *type, const uint8_t *win, size_t len)
{
	(void) type;
	return (len >= 3 && win[0] == 0x1f && win[1] == 0x8b && win[2] == 8);
}

/* gzip_open - a gzip stream starts */

static void *gzip_open(struct node *node)
{
	struct acct *acct = msg_acct(node->msg);
	struct gz *g;

	if ((g = acct_calloc(acct, ACCT_ARCHIVE, 1, sizeof(*g))) == 0)
		return (NULL);
	g->node = node;
	g->msg = node->msg;
	g->acct = acct;
	gz_expect(g, GZ_HDR, 10);
	return (g);
}

/* gzip_feed - more of the stream */

static int gzip_feed(void *state, const uint8_t *p, size_t n)
{
	struct gz *g = state;

	return (g->stop ? 1 : gz_run(g, p, n));
}

/* gzip_finish - end of the stream */

static int gzip_finish(void *state)
{
	struct gz *g = state;
	struct node *m = g->member;
	int     truncated;

	if (g->stop || gz_run(g, 0, 0))
		return (1);
	if (g->st == GZ_DATA && infl_drain(g->infl, gz_out, g) != INFL_MORE)
		return (gz_halt(g));
	truncated = g->st != GZ_JUNK && !(g->st == GZ_HDR && g->have == 0);
	if (g->st == GZ_HDR && g->members > 0 && g->have > 0
	    && (g->hdr[0] != 0x1f || (g->have > 1 && g->hdr[1] != 0x8b)))
		truncated = 0;			/* a few trailing bytes, not a member */
	if (m != 0) {
		g->member = 0;
		if (node_finish(m) != 0) {
			node_free(m);
			return (gz_halt(g));
		}
		node_free(m);
	}
	if (truncated && msg_finding(g->msg, FIND_ARCHIVE_TRUNCATED) != 0)
		return (gz_halt(g));
	return (0);
}

/* gzip_free - release everything; returns NULL */

static void *gzip_free(void *state)
{
	struct gz *g = state;

	if (g == 0)
		return (NULL);
	if (g->member)
		node_free(g->member);
	infl_free(g->infl);
	acct_free(g->acct, g);
	return (NULL);
}

const struct analyser gzip_analyser = {
	"gzip", gzip_match, gzip_open, gzip_feed, gzip_finish, gzip_free, NULL,
};
