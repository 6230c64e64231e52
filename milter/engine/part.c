/*
 * NAME
 *	part 3
 * SUMMARY
 *	one MIME leaf: transfer decoding into a node
 * SYNOPSIS
 *	#include "part.h"
 *
 *	struct part *part_new(msg, hdr, depth, path, pathlen)
 *	int	part_feed(part, buf, len)
 *	int	part_finish(part)
 *	struct part *part_free(part)
 * DESCRIPTION
 *	A part takes the encoded body of one MIME leaf, as the MIME parser
 *	finds it, undoes the transfer encoding (base64, quoted-printable,
 *	x-uuencode, or none) and feeds the decoded bytes to a node, which
 *	accounts for them, sniffs them and hands them to an archive
 *	analyser when one claims them.
 *
 *	Decode only what is needed: once the node has seen what it needs
 *	(its type is known and no analyser wants the stream), base64 and
 *	identity bodies are only counted, not decoded.  The count is
 *	exact: the decoders count exactly what they would produce.  Base64
 *	switches at a grain boundary (TAIL_GRAIN bytes of the encoded
 *	body), where what the node has seen depends on the message alone;
 *	when the node still wants the stream's tail (a hunt for an
 *	appended archive, node.c) the encoded bytes are kept as they are
 *	counted (tail.c) and decoded for it when the leaf ends.
 *
 *	Blocks: the decoded stream goes to the node in blocks of NODE_BLOCK
 *	bytes, and counted bytes are passed on in whole blocks too; only
 *	the end of the part flushes a short one.  What the node and every
 *	analyser behind it see, and where a limit trips, then depends on
 *	the message alone, not on how it was split into chunks.
 *
 *	A message/rfc822 (or any message/) part with a base64, QP or
 *	uuencode transfer encoding is decoded in full and the result fed to
 *	a nested MIME parser one level deeper: a forwarded message is
 *	analysed however it was encoded, for the readings that parse it
 *	(RD_NESTED: ClamAV, ripmime).  Where they part ways in it the
 *	parser forks (mime.c) and the part keeps every copy (part_nest_add:
 *	six at most, since readings partition), each fed the decoded
 *	message in the same whole blocks, so their order of events, and
 *	where a limit trips, do not depend on the split.  They share the
 *	view: the leaves of every copy count (a union, which may count a
 *	part both copies see twice), and each copy keeps its own where.
 *
 *	Text parts (declared text/ anything, or no type), and parts of any
 *	type sent as they are (7bit, 8bit, binary), are decoded in full and
 *	scanned for uuencoded blocks ("begin 644 name" ... "end", and the
 *	variants uu.c lists), the way old mailers attach files.  Each
 *	block is a leaf of its own: a node named after the file, sniffed
 *	like any attachment.  A part made with no header (part_new(msg,
 *	NULL, ...)) has no node of its own: it is the text around a
 *	multipart's parts (preamble, epilogue), only searched for blocks,
 *	as uudeview and ripmime search it.
 *
 *	Memory: struct part (about 6.5 KiB with its block and the three
 *	scanners, stage "decode"), a tail (128 KiB) while a hunted base64
 *	leaf is counted,
 *	plus the node and, inside an encoded file, a node for it.
 *	The same text is searched for yEnc files (yenc.c: its size= is
 *	declared, so projected), BinHex 4.0 files (binhex.c: the forks'
 *	declared lengths are projected) and base64 blocks (b64text.c: bare,
 *	or after a header group that a MIME parser never saw), as uudeview
 *	(and, for the last, ripmime) decodes them; each scanner has a leaf
 *	of its own open at a time.
 */

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "mime.h"
#include "mimehdr.h"
#include "msg.h"
#include "node.h"
#include "part.h"
#include "qp.h"
#include "reading.h"
#include "tail.h"
#include "uu.h"
#include "yenc.h"
#include "binhex.h"
#include "b64text.h"

/* A file found encoded in text: a leaf of its own, one per scanner. */
enum part_file_kind {
	PART_UU,
	PART_YENC,
	PART_BINHEX,
	PART_B64TEXT,
	PART_FILE_KINDS,
};

struct part_file {
	struct part *pt;
	struct node *node;		/* the file being decoded */
	enum finding found;		/* its finding */
};

struct part {
	struct msg *msg;
	struct node *node;		/* the leaf's decoded stream */
	enum mime_cte cte;
	int	text;			/* scan decoded text for uuencode */
	int	passing;		/* part_scan: passing over a line */
	struct part_file files[PART_FILE_KINDS];	/* the one each decodes */
	struct part_nest *nest;		/* an encoded message/rfc822: its parsers */
	uint64_t enc;			/* base64: encoded bytes fed */
	int	counting;		/* base64: only counted from a grain on */
	struct tail *tail;		/* what is kept of a counted stream's end */
	size_t	path_len;		/* where, up to the leaf */
	uint64_t pending;		/* counted, not yet passed on */
	size_t	blk_len;
	/* from here on each initialises its own (part_new) */
	struct b64 b64;
	struct qp qp;
	struct uu uu_cte;		/* x-uuencode transfer encoding */
	struct uu uu_text;		/* encoded files inside text: uuencode, */
	struct yenc yenc_text;		/* yEnc, */
	struct binhex hqx_text;		/* BinHex 4.0, */
	struct b64text b64_text;	/* base64 blocks */
	uint8_t	blk[NODE_BLOCK];	/* decoded, not yet passed on */
};

/*
 * The parsers of an encoded message: one at first, one more for each way
 * its readings part (mime.c forks inside the leaf: part_nest_add), all
 * fed the same decoded bytes.  They share the view, so each keeps the
 * view's where while another is fed.
 */
struct part_nest_one {
	struct mime *mp;
	size_t	from;			/* joined in this piece: fed from here */
	size_t	where_len;		/* the view's where while not live */
	char	where[RECORD_WHERE_MAX];
};

struct part_nest {
	unsigned n;
	unsigned live;			/* whose where the view has now */
	const uint8_t *piece;		/* the bytes being fed, or NULL */
	size_t	piece_len;
	struct part_nest_one one[READING_COUNT];
};

static int part_decoded(void *, const uint8_t *, size_t);

/* part_file_open - an encoded file starts inside text */

static int part_file_open(void *ctx, const char *name, size_t len, uint64_t declared)
{
	struct part_file *f = ctx;
	struct part *pt = f->pt;

	msg_finding(pt->msg, f->found);
	msg_path_set(pt->msg, pt->path_len, 0, 0);
	if (declared == UINT64_MAX)
		declared = 0;			/* not declared */
	f->node = node_open(pt->msg, 0, name, len, declared, 0);
	return (f->node == 0);
}

/* part_uu_begin - a uuencoded block: its size is not declared */

static int part_uu_begin(void *ctx, const char *name, size_t len)
{
	return (part_file_open(ctx, name, len, 0));
}

/* part_file_data - bytes of the file */

static int part_file_data(void *ctx, const uint8_t *p, size_t n)
{
	struct part_file *f = ctx;

	return (f->node ? node_feed(f->node, p, n) : 0);
}

/* part_file_end - the file is over */

static int part_file_end(void *ctx, int clean)
{
	struct part_file *f = ctx;
	int     stop;

	if (!clean)
		msg_finding(f->pt->msg, f->found == FIND_UUENCODE ?
			    FIND_UU_MALFORMED : FIND_ENCODED_MALFORMED);
	if (f->node == 0)
		return (0);
	stop = node_finish(f->node);
	f->node = node_free(f->node);
	return (stop);
}

static const struct uu_events part_uu_text_events = {
	part_uu_begin, part_file_data, part_file_end,
};
static const struct yenc_events part_yenc_events = {
	part_file_open, part_file_data, part_file_end,
};
static const struct binhex_events part_binhex_events = {
	part_file_open, part_file_data, part_file_end,
};
static const struct b64text_events part_b64text_events = {
	part_file_open, part_file_data, part_file_end,
};

/* part_cte_begin - x-uuencode body: the file's name changes nothing */

static int part_cte_begin(void *ctx, const char *name, size_t len)
{
	(void) ctx, (void) name, (void) len;
	return (0);
}

/* part_cte_end - x-uuencode body: end of a file */

static int part_cte_end(void *ctx, int clean)
{
	struct part *pt = ctx;

	if (!clean)
		msg_finding(pt->msg, FIND_UU_MALFORMED);
	return (0);
}

static const struct uu_events part_uu_cte_events = {
	part_cte_begin, part_decoded, part_cte_end,
};

/*
 * part_opaque - a container defuse does not open yet, which the filters
 * behind it may: TNEF (winmail.dat) and S/MIME enveloped or signed data.
 * Never silently opaque: a finding (its bytes are sniffed as any leaf's,
 * so a zip inside is still found by content).
 */

static int part_opaque(const struct mimehdr *hdr)
{
	static const char *const types[] = {
		"application/ms-tnef", "application/vnd.ms-tnef",
		"application/pkcs7-mime", "application/x-pkcs7-mime", 0,
	};

	for (int i = 0; types[i]; i++)
		if (strcmp(hdr->type, types[i]) == 0)
			return (1);
	return (hdr->name_len == 11 && strncasecmp(hdr->name, "winmail.dat", 11) == 0);
}

/*
 * part_new - a leaf begins; the message's where names it already.  With
 * hdr NULL: text that is no leaf (a multipart's preamble or epilogue),
 * only searched for encoded files, as uudeview and ripmime search it.
 */

/* part_nest - an encoded message: a parser for what it decodes to */

static int part_nest(struct part *pt, unsigned readings, unsigned depth,
		             const char *path, size_t len)
{
	struct acct *acct = msg_acct(pt->msg);
	unsigned nested = reading_with(readings, RD_NESTED);
	struct mime *mp;

	if (msg_mime_depth(pt->msg, depth + 1))
		return (-1);
	if ((pt->nest = acct_calloc(acct, ACCT_MIME, 1, sizeof(*pt->nest))) == 0
	    || (mp = mime_new_nested(pt->msg, depth + 1, path, len)) == 0) {
		msg_stop(pt->msg, REASON_INTERNAL, 0);
		return (-1);
	}
	mime_nest_in(mp, pt, nested ? nested : readings);
	pt->nest->one[0].mp = mp;
	pt->nest->n = 1;
	return (0);
}

/* part_nest_add - a parser of the encoded message forked */

int     part_nest_add(struct part *pt, struct mime *mp, const uint8_t *resume)
{
	struct part_nest *ns = pt->nest;
	struct part_nest_one *o;

	if (ns == 0 || ns->n >= READING_COUNT)
		return (-1);			/* readings partition: cannot be */
	o = &ns->one[ns->n++];
	memset(o, 0, sizeof(*o));
	o->mp = mp;
	o->from = ns->piece_len;
	if (resume && ns->piece && resume >= ns->piece && resume <= ns->piece + ns->piece_len)
		o->from = (size_t) (resume - ns->piece);
	/* it goes on where its parent is: the where the view has now */
	o->where_len = msg_path_len(pt->msg);
	memcpy(o->where, msg_path(pt->msg), o->where_len);
	return (0);
}

/* part_nest_live - give the view parser i's where */

static void part_nest_live(struct part *pt, unsigned i)
{
	struct part_nest *ns = pt->nest;
	struct part_nest_one *was = &ns->one[ns->live], *now = &ns->one[i];

	if (i == ns->live)
		return;
	was->where_len = msg_path_len(pt->msg);
	memcpy(was->where, msg_path(pt->msg), was->where_len);
	msg_path_set(pt->msg, 0, now->where, now->where_len);
	ns->live = i;
}

/* part_nest_feed - decoded bytes to every parser of the message */

static int part_nest_feed(struct part *pt, const uint8_t *p, size_t n)
{
	struct part_nest *ns = pt->nest;
	int     stop = 0;

	ns->piece = p;
	ns->piece_len = n;
	for (unsigned i = 0; i < ns->n && !stop; i++) {
		size_t  from = ns->one[i].from;

		ns->one[i].from = 0;
		part_nest_live(pt, i);
		if (from < n)
			stop = mime_feed(ns->one[i].mp, p + from, n - from);
	}
	ns->piece = 0;
	ns->piece_len = 0;
	return (stop);
}

/* part_nest_finish - the message is over, for every parser of it */

static int part_nest_finish(struct part *pt)
{
	struct part_nest *ns = pt->nest;
	int     stop = 0;

	for (unsigned i = 0; i < ns->n && !stop; i++) {
		part_nest_live(pt, i);
		stop = mime_finish(ns->one[i].mp);
	}
	return (stop);
}

struct part *part_new(struct msg *msg, unsigned readings, const struct mimehdr *hdr,
		              unsigned depth, const char *path, size_t pathlen)
{
	struct part *pt;

	if ((pt = acct_alloc(msg_acct(msg), ACCT_DECODE, sizeof(*pt))) == 0) {
		msg_stop(msg, REASON_INTERNAL, 0);
		return (NULL);
	}
	memset(pt, 0, offsetof(struct part, b64));	/* the rest: its _init */
	pt->msg = msg;
	pt->cte = hdr ? hdr->cte : CTE_IDENTITY;
	/* Text, and any body sent as it is (ripmime looks in a 7bit
	 * octet-stream part too), is searched for encoded files. */
	pt->text = (hdr == 0 || hdr->type[0] == 0 || strncmp(hdr->type, "text/", 5) == 0
		    || hdr->cte == CTE_IDENTITY);
	b64_init(&pt->b64);
	qp_init(&pt->qp);
	uu_init(&pt->uu_cte, &part_uu_cte_events, pt);
	for (int k = 0; k < PART_FILE_KINDS; k++)
		pt->files[k].pt = pt;
	pt->files[PART_UU].found = FIND_UUENCODE;
	pt->files[PART_YENC].found = FIND_YENC;
	pt->files[PART_BINHEX].found = FIND_BINHEX;
	pt->files[PART_B64TEXT].found = FIND_BASE64_TEXT;
	uu_init(&pt->uu_text, &part_uu_text_events, &pt->files[PART_UU]);
	yenc_init(&pt->yenc_text, &part_yenc_events, &pt->files[PART_YENC]);
	binhex_init(&pt->hqx_text, &part_binhex_events, &pt->files[PART_BINHEX]);
	b64text_init(&pt->b64_text, &part_b64text_events, &pt->files[PART_B64TEXT]);
	if (hdr == 0) {
		pt->path_len = msg_path_len(msg);	/* text around parts: no leaf */
		return (pt);
	}
	if ((pt->node = node_open(msg, 0, hdr->name, hdr->name_len, 0, 0)) == 0) {
		acct_free(msg_acct(msg), pt);
		return (NULL);
	}
	pt->path_len = msg_path_len(msg);
	node_set_declared_type(pt->node, hdr->type);
	if (part_opaque(hdr))
		msg_finding(msg, FIND_OPAQUE);
	if (hdr->cte != CTE_IDENTITY
	    && mimehdr_is(hdr, "message/")
	    && part_nest(pt, readings, depth, path, pathlen) != 0)
		return (part_free(pt));
	return (pt);
}

/*
 * part_scan - text through the four scanners of encoded files.  While
 * all four wait at a line start, a line that none of them could start
 * on (its first byte none of "bB=(:", a blank, or a line end; neither a
 * Content- field nor B64T_MIN base64 characters) is passed over at
 * memchr's speed, and so is an empty line; lines end with LF or CR.
 * The lines of a uuencoded block are not base64 text (b64text_break).
 * Every scanner still
 * sees every line it could act on, whole, and nothing depends on the
 * split: a line being passed over is passed over to its end in the next
 * block too (pt->passing).
 */

static int part_scan_start(int c)
{
	return (c == 'b' || c == 'B' || c == '=' || c == '(' || c == ':'
		|| c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/*
 * part_blank - is p an empty line, LF or CRLF, whole in [p, end)?  To an
 * idle scanner it is a line end after nothing, which changes nothing: it
 * is passed over.  A CR at the end of the block may be a bare CR (an
 * ordinary byte to uu.c): it is fed, and the LF after it, if any, too.
 */

static int part_blank(const uint8_t *p, const uint8_t *end)
{
	return (*p == '\n' || (*p == '\r' && end - p >= 2 && p[1] == '\n'));
}

/* part_eol - the first LF or CR in p[0..n), or NULL */

static const uint8_t *part_eol(const uint8_t *p, size_t n)
{
	const uint8_t *lf = memchr(p, '\n', n);
	const uint8_t *cr = memchr(p, '\r', lf ? (size_t) (lf - p) : n);

	if (cr && cr + 1 == lf)
		return (lf);			/* CRLF */
	return (cr ? cr : lf);
}

static int part_scan(struct part *pt, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *q, *eol;
	int     in_uu;

	while (p < end) {
		if (!pt->passing && !(uu_idle(&pt->uu_text) && yenc_idle(&pt->yenc_text)
				      && binhex_idle(&pt->hqx_text) && b64text_idle(&pt->b64_text))) {
			/* a scanner is inside a line or a block: feed it a line */
			eol = part_eol(p, end - p);
			q = eol ? eol + 1 : end;
		} else {
			/* pass over lines that start nothing */
			for (;;) {
				if (!pt->passing) {
					if (part_blank(p, end)) {
						/* an empty line: nothing to an idle scanner */
						p += *p == '\n' ? 1 : 2;
						if (p == end)
							return (0);
						continue;
					}
					if (part_scan_start(*p)
					    || b64text_could_start(p, (size_t) (end - p))) {
						eol = part_eol(p, end - p);
						break;
					}
				}
				eol = part_eol(p, end - p);
				if (eol == 0) {
					pt->passing = 1;
					return (0);
				}
				pt->passing = 0;
				p = eol + 1;
				if (p == end)
					return (0);
			}
			q = eol ? eol + 1 : end;
		}
		/* Lines inside a uuencoded block (begin-base64 too) are uu.c's. */
		in_uu = uu_in_block(&pt->uu_text);
		if (uu_feed(&pt->uu_text, p, q - p) || yenc_feed(&pt->yenc_text, p, q - p)
		    || binhex_feed(&pt->hqx_text, p, q - p))
			return (1);
		if (in_uu)
			b64text_break(&pt->b64_text);
		else if (b64text_feed(&pt->b64_text, p, q - p))
			return (1);
		p = q;
	}
	return (0);
}

/* part_block - one block of the decoded stream to the node */

static int part_block(struct part *pt, const uint8_t *p, size_t n)
{
	if (n == 0)
		return (0);
	if (pt->node && node_feed(pt->node, p, n))
		return (1);
	if (pt->text && part_scan(pt, p, n))
		return (1);
	if (pt->nest && part_nest_feed(pt, p, n))
		return (1);
	return (0);
}

/* part_decoded - decoded bytes of the leaf, re-blocked */

static int part_decoded(void *ctx, const uint8_t *p, size_t n)
{
	struct part *pt = ctx;
	size_t  take;

	while (n > 0) {
		if (pt->blk_len == 0 && n >= NODE_BLOCK) {
			take = NODE_BLOCK;	/* a whole block: no copy */
			if (part_block(pt, p, take))
				return (1);
		} else {
			take = NODE_BLOCK - pt->blk_len;
			if (take > n)
				take = n;
			memcpy(pt->blk + pt->blk_len, p, take);
			pt->blk_len += take;
			if (pt->blk_len == NODE_BLOCK) {
				pt->blk_len = 0;
				if (part_block(pt, pt->blk, NODE_BLOCK))
					return (1);
			}
		}
		p += take;
		n -= take;
	}
	return (0);
}

/* part_counted - bytes counted, not decoded: passed on in whole blocks */

static int part_counted(struct part *pt, uint64_t n)
{
	/* Bytes decoded before the switch to counting come first. */
	pt->pending += pt->blk_len + n;
	pt->blk_len = 0;
	while (pt->pending >= NODE_BLOCK) {
		pt->pending -= NODE_BLOCK;
		if (node_count(pt->node, NODE_BLOCK))
			return (1);
	}
	return (0);
}

/* part_counting - may the decoder only count from now on? */

static int part_counting(const struct part *pt)
{
	return (!pt->text && !pt->nest && pt->node && !node_wants_bytes(pt->node));
}

/*
 * part_count_begin - from this grain on, base64 is only counted.  When
 * the node still wants the stream's tail (an archive appended to it is
 * what extractors open from its end), the decoded bytes not yet passed
 * on go to the node first, so what it saw ends exactly here (if the hunt
 * finds a header in them, the stream is decoded on instead), and the
 * encoded bytes are kept from here (tail.c).
 */

static int part_count_begin(struct part *pt)
{
	if (node_wants_tail(pt->node) && pt->blk_len > 0) {
		size_t  n = pt->blk_len;

		pt->blk_len = 0;
		if (node_feed(pt->node, pt->blk, n))
			return (1);
		if (node_wants_bytes(pt->node))
			return (0);		/* the hunt found one in them: decode on */
	}
	pt->counting = 1;
	if (!node_wants_tail(pt->node))
		return (0);
	if ((pt->tail = tail_new(msg_acct(pt->msg))) == 0)
		return (msg_stop(pt->msg, REASON_INTERNAL, pt->node));
	return (0);
}

/*
 * part_b64 - base64 body bytes.  Whether to decode or only count is
 * decided at each grain (TAIL_GRAIN bytes of the encoded body), where
 * what the node has seen depends on the message alone, not on the split.
 */

static int part_b64(struct part *pt, const uint8_t *p, size_t n)
{
	uint64_t before;
	size_t  k;

	while (n > 0) {
		k = TAIL_GRAIN - (size_t) (pt->enc % TAIL_GRAIN);
		if (k > n)
			k = n;
		if (!pt->counting && pt->enc % TAIL_GRAIN == 0 && part_counting(pt)
		    && part_count_begin(pt))
			return (1);
		if (pt->counting) {
			if (pt->tail)
				tail_put(pt->tail, pt->enc, &pt->b64, p, k);
			before = pt->b64.out;
			b64_feed(&pt->b64, p, k, 0, 0);
			if (part_counted(pt, pt->b64.out - before))
				return (1);
		} else if (b64_feed(&pt->b64, p, k, part_decoded, pt)) {
			return (1);
		}
		pt->enc += k;
		p += k;
		n -= k;
	}
	return (0);
}

/* The decoded tail on its way to the node, and where it is. */
struct part_cursor {
	struct node *node;
	uint64_t at;			/* decoded offset of the next byte */
};

/* part_tail_out - decoded tail bytes, to the node */

static int part_tail_out(void *ctx, const uint8_t *p, size_t n)
{
	struct part_cursor *c = ctx;
	int     stop = node_tail(c->node, c->at, p, n);

	c->at += n;
	return (stop);
}

/* part_tail - a counted stream ends: its kept tail, decoded, to the node */

static int part_tail(struct part *pt)
{
	struct part_cursor c = {pt->node, 0};
	int     stop;

	if (pt->tail == 0)
		return (0);
	/* tail_decode() sets c.at before the first byte reaches the sink */
	stop = tail_decode(pt->tail, pt->enc, &c.at, part_tail_out, &c);
	pt->tail = tail_free(pt->tail, msg_acct(pt->msg));
	return (stop);
}

/* part_feed - encoded body bytes of the leaf */

int     part_feed(struct part *pt, const uint8_t *p, size_t n)
{
	switch (pt->cte) {
	case CTE_BASE64:
		return (part_b64(pt, p, n));
	case CTE_QP:
		return (qp_feed(&pt->qp, p, n, part_decoded, pt));
	case CTE_UU:
		return (uu_feed(&pt->uu_cte, p, n));
	case CTE_IDENTITY:
		if (part_counting(pt))
			return (part_counted(pt, n));
		return (part_decoded(pt, p, n));
	}
	return (0);
}

/* part_flush - the end of the leaf: the last, short block */

static int part_flush(struct part *pt)
{
	size_t  n = pt->blk_len;

	pt->blk_len = 0;
	if (pt->cte == CTE_BASE64 ? pt->counting : part_counting(pt))
		return (node_count(pt->node, pt->pending + n));
	return (part_block(pt, pt->blk, n));
}

/* part_finish - end of the leaf's body */

int     part_finish(struct part *pt)
{
	int     stop = 0;
	int     partial = (pt->b64.q == 1);

	switch (pt->cte) {
	case CTE_BASE64:
		if (pt->counting) {
			uint64_t before = pt->b64.out;

			b64_finish(&pt->b64, 0, 0);
			stop = part_counted(pt, pt->b64.out - before);
		} else {
			stop = b64_finish(&pt->b64, part_decoded, pt);
		}
		if (!stop && pt->b64.junk > 0)
			msg_finding(pt->msg, FIND_BASE64_JUNK);
		if (!stop && partial)
			msg_finding(pt->msg, FIND_BASE64_TRUNCATED);
		break;
	case CTE_QP:
		stop = qp_finish(&pt->qp, part_decoded, pt);
		if (!stop && pt->qp.invalid > 0)
			msg_finding(pt->msg, FIND_QP_INVALID);
		break;
	case CTE_UU:
		stop = uu_finish(&pt->uu_cte);
		break;
	case CTE_IDENTITY:
		break;
	}
	if (!stop)
		stop = part_flush(pt);
	if (!stop)
		stop = part_tail(pt);
	if (!stop && pt->text)
		stop = uu_finish(&pt->uu_text) || yenc_finish(&pt->yenc_text)
			|| binhex_finish(&pt->hqx_text) || b64text_finish(&pt->b64_text);
	if (!stop && pt->nest)
		stop = part_nest_finish(pt);
	if (!stop && pt->node)
		stop = node_finish(pt->node);
	return (stop);
}

/* part_free - release a leaf at any point; returns NULL */

struct part *part_free(struct part *pt)
{
	if (pt == 0)
		return (NULL);
	if (pt->nest) {
		for (unsigned i = 0; i < pt->nest->n; i++)
			pt->nest->one[i].mp = mime_free(pt->nest->one[i].mp);
		pt->nest = acct_free(msg_acct(pt->msg), pt->nest);
	}
	pt->tail = tail_free(pt->tail, msg_acct(pt->msg));
	for (int k = 0; k < PART_FILE_KINDS; k++)
		pt->files[k].node = node_free(pt->files[k].node);
	pt->node = node_free(pt->node);
	acct_free(msg_acct(pt->msg), pt);
	return (NULL);
}
