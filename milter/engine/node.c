/*
 * NAME
 *	node 3
 * SUMMARY
 *	one byte stream under analysis: a MIME leaf or an archive member
 * SYNOPSIS
 *	#include "node.h"
 *
 *	struct node *node_open(msg, parent, name, namelen, declared, compressed)
 *	int	node_feed(node, buf, len)
 *	int	node_count(node, len)
 *	int	node_finish(node)
 *	struct node *node_free(node)
 *
 *	int	node_declare(node, declared, compressed)
 *	int	node_consumed(node, compressed)
 *	int	node_member_declared(archive, name, namelen, known, declared, compressed)
 *	int	node_wants_bytes(node)
 *	int	node_wants_tail(node)
 *	int	node_tail(node, offset, buf, len)
 * DESCRIPTION
 *	A node is where a stream's bytes are judged.  The stream is the
 *	decoded body of a MIME leaf (parent NULL, depth 0: its bytes count
 *	as "decoded") or the expanded bytes of an archive member (parent:
 *	the archive's node, depth one more: its bytes count as "expanded").
 *
 *	Projection: a node adds max(declared size, bytes seen) to its
 *	term of the cost, updated as either grows, and checks the limits
 *	that concern one stream: max_part_size, and for members max_ratio
 *	once past ratio_min_size (a declared size is judged against the
 *	declared compressed size when it is declared; the bytes seen, as
 *	they arrive, against the larger of that and the compressed bytes
 *	the walker has consumed).  Opening a node counts a part
 *	(max_parts) and, for members, checks max_archive_depth.
 *
 *	Sniffing: the first FILETYPE_WINDOW bytes are held in a window;
 *	when it is full, or the stream ends, libmagic names the type (when
 *	it matters, below) and the format table (archive/formats.c) says
 *	who takes the stream, in passes: magic bytes, content (libmagic's
 *	type, the probes), a MIME leaf's declared Content-Type, the type
 *	its name's extension implies (for members and leaves alike).  The
 *	chosen walker gets the window and then every further byte; the
 *	window is released.  A stream nobody claims is still given to the
 *	format marked embedded (zip), which hunts for its format anywhere
 *	in it, quietly (node->hunt): ClamAV looks for archives inside
 *	every file, and unzip and 7z open a zip appended to a JPEG, a PDF
 *	or anything from its end record.  While the hunt has found
 *	nothing, or when nobody looks at all, node_wants_bytes() tells
 *	the producer it may stop decoding; a hunter then still wants the
 *	stream's tail (node_wants_tail()), which a base64 leaf keeps as
 *	it counts and hands over decoded at its end through node_tail()
 *	(tail.c).  A MIME leaf whose content contradicts its declared
 *	type is a finding.
 *
 *	libmagic is asked only when its answer matters: for a MIME leaf
 *	whose declared type is compared with it (not octet-stream; a leaf
 *	declared text/ whose window has no control bytes is text/plain
 *	without asking), or when a format's wants_type() says its probe
 *	would look at it (zip: "PK" somewhere in the window, or a
 *	program's header).  A random binary attachment costs no libmagic
 *	call.
 *
 *	The record's where: opening a node appends "/name" (sanitised) to
 *	the message's path, freeing it restores the path.
 *
 *	Memory: struct node (about 250 bytes) plus the window (4 KiB)
 *	while sniffing, counted under "archive"/"decode" and "magic";
 *	the analyser's own state is its business.
 */

#include <string.h>
#include <strings.h>

#include "filetype.h"
#include "formats.h"
#include "msg.h"
#include "node.h"

enum node_state {
	NODE_SNIFF,			/* filling the window */
	NODE_ANALYSE,			/* an analyser has the stream */
	NODE_COUNT,			/* nobody looks: count only */
};

/* node_over_ratio - is size more than max_ratio times compressed? */

static int node_over_ratio(const struct conf *cf, uint64_t size, uint64_t compressed)
{
	uint64_t allowed;

	if (size <= cf->ratio_min_size || compressed == 0)
		return (0);
	if (__builtin_mul_overflow(compressed, cf->max_ratio, &allowed))
		return (0);
	return (size > allowed);
}

/*
 * node_compressed - what the bytes seen so far are judged against: the
 * compressed bytes consumed, or the declared compressed size if larger
 * (lenient to members whose highly compressible part comes first).  A
 * declared size is judged only against a declared compressed size, never
 * against the few bytes consumed so far.
 */

static uint64_t node_compressed(const struct node *node)
{
	return (node->consumed > node->compressed ? node->consumed : node->compressed);
}

/*
 * node_project - bring the node's term of the cost up to date.  The
 * stream's own limits are judged before the message's cost, so that a
 * member declaring 3 GiB is named for its size, not for the total.
 */

static int node_project(struct node *node)
{
	const struct conf *cf = msg_conf(node->msg);
	uint64_t now = node->size > node->declared ? node->size : node->declared;
	uint64_t delta;
	int     stop = 0;

	if (node->worst > now)
		now = node->worst;
	delta = now > node->projected ? now - node->projected : 0;

	if (now > cf->max_part_size)
		stop = msg_stop(node->msg, REASON_PART_SIZE, node);
	else if (node->depth > 0
		 && (node_over_ratio(cf, node->declared, node->compressed)
		     || node_over_ratio(cf, node->size, node_compressed(node))))
		stop = msg_stop(node->msg, REASON_RATIO, node);
	if (delta > 0) {
		node->projected = now;
		if (node->depth == 0 ? msg_add_decoded(node->msg, delta, node)
		    : msg_add_expanded(node->msg, delta, node))
			stop = 1;
	}
	return (stop);
}

/* node_path - append "/name" to the message's where */

static void node_path(struct node *node, const char *name, size_t namelen)
{
	node->path_keep = msg_path_len(node->msg);
	if (node->parent)
		node->path_keep = node->parent->path_len;
	msg_path_set(node->msg, node->path_keep, 0, 0);
	if (namelen > 0) {
		msg_path_set(node->msg, node->path_keep, "/", 1);
		msg_path_set(node->msg, msg_path_len(node->msg), name, namelen);
	}
	node->path_len = msg_path_len(node->msg);
}

/* node_open - a new stream */

struct node *node_open(struct msg *msg, struct node *parent,
		               const char *name, size_t namelen,
		               uint64_t declared, uint64_t compressed)
{
	unsigned depth = parent ? parent->depth + 1 : 0;
	struct node *node;

	if (msg_decided(msg))
		return (NULL);
	if ((node = acct_alloc(msg_acct(msg), depth ? ACCT_ARCHIVE : ACCT_DECODE,
			       sizeof(*node))) == 0) {
		msg_stop(msg, REASON_INTERNAL, parent);
		return (NULL);
	}
	memset(node, 0, sizeof(*node));
	node->msg = msg;
	node->parent = parent;
	node->depth = depth;
	node->state = NODE_SNIFF;
	node->named = format_by_name(name, namelen);
	node_path(node, name, namelen);
	if ((depth > 0 && msg_archive_depth(msg, depth, node))
	    || msg_part(msg, node)
	    || node_declare(node, declared, compressed)) {
		node_free(node);
		return (NULL);
	}
	return (node);
}

/* node_declare - sizes the container declares for this stream */

int     node_declare(struct node *node, uint64_t declared, uint64_t compressed)
{
	if (declared > node->declared)
		node->declared = declared;
	if (compressed > node->compressed)
		node->compressed = compressed;
	return (node_project(node));
}

/* node_worst - an unverifiable stream's projection */

int     node_worst(struct node *node, uint64_t worst)
{
	if (worst > node->worst)
		node->worst = worst;
	return (node_project(node));
}

/* node_consumed - compressed bytes behind what was produced so far */

int     node_consumed(struct node *node, uint64_t compressed)
{
	if (compressed > node->consumed)
		node->consumed = compressed;
	return (0);
}

/* node_set_declared_type - a MIME leaf's Content-Type */

void    node_set_declared_type(struct node *node, const char *type)
{
	snprintf(node->declared_type, sizeof(node->declared_type), "%s", type ? type : "");
}

/* node_major_differs - do two media types differ in their top level? */

static int node_major_differs(const char *a, const char *b)
{
	size_t  la = strcspn(a, "/"), lb = strcspn(b, "/");

	return (la != lb || strncmp(a, b, la) != 0);
}

/* node_declares_type - a MIME leaf whose declared type is compared */

static int node_declares_type(const struct node *node)
{
	const char *d = node->declared_type;

	return (node->depth == 0 && d[0] != 0
		&& strncmp(d, "message/", 8) != 0 && strncmp(d, "multipart/", 10) != 0
		&& strcmp(d, "application/octet-stream") != 0);
}

/* node_check_type - a MIME leaf that is not what it says */

static void node_check_type(struct node *node)
{
	const char *t = node->type;

	if (!node_declares_type(node) || t[0] == 0
	    || strcmp(t, "application/octet-stream") == 0
	    || strncmp(t, "inode/", 6) == 0)
		return;
	if (node_major_differs(node->declared_type, t))
		msg_finding(node->msg, FIND_TYPE_MISMATCH);
}

/* node_plain_text - a MIME leaf declared text/ whose window is text:
 * libmagic would only say so (its built-in tests name any text
 * text/plain, 15 us a window), and a text type differs from nothing
 * declared text/. */

static int node_plain_text(const struct node *node)
{
	if (node->depth != 0 || strncmp(node->declared_type, "text/", 5) != 0)
		return (0);
	for (size_t i = 0; i < node->win_len; i++) {
		uint8_t c = node->win[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f'
		    && c != '\v' && c != 0x1b)
			return (0);
	}
	return (1);
}

/* node_type_matters - would libmagic's answer change anything? */

static int node_type_matters(const struct node *node)
{
	if (node_declares_type(node))
		return (1);
	return (format_wants_type(node->win, node->win_len));
}

/* node_sniff - the window is complete: who takes the stream? */

static int node_sniff(struct node *node)
{
	struct acct *acct = msg_acct(node->msg);
	const struct format *fmt;
	const struct analyser *an;
	int     how, stop = 0;

	if (node->win_len == 0) {
		snprintf(node->type, sizeof(node->type), "inode/x-empty");
	} else if (node_plain_text(node)) {
		snprintf(node->type, sizeof(node->type), "text/plain");
	} else if (!node_type_matters(node)) {
		node->type[0] = 0;
	} else if (filetype_of(node->win, node->win_len, node->type, sizeof(node->type)) != 0) {
		msg_finding(node->msg, FIND_MAGIC_ERROR);
	}
	node_check_type(node);
	node->state = NODE_COUNT;
	fmt = format_claim(node->win, node->win_len, node->type,
			   node->depth == 0 ? node->declared_type : 0, node->named, &how);
	an = fmt ? fmt->walker : 0;
	if (an != 0) {
		node->fmt = fmt;
		node->how = how;
		node->hunt = how == FORMAT_BY_HUNT;
	}
	if (an != 0) {
		if ((node->an_state = an->open(node)) == 0) {
			if (msg_decided(node->msg) || acct->failed)
				stop = msg_stop(node->msg, REASON_INTERNAL, node);
		} else {
			node->an = an;
			node->state = NODE_ANALYSE;
			stop = an->feed(node->an_state, node->win, node->win_len);
		}
	}
	node->win = acct_free(acct, node->win);
	node->win_len = 0;
	return (stop);
}

/* node_feed - bytes of the stream */

int     node_feed(struct node *node, const uint8_t *p, size_t n)
{
	size_t  take;

	if (n == 0)
		return (0);
	node->size += n;
	if (node_project(node))
		return (1);
	switch (node->state) {
	case NODE_SNIFF:
		if (node->win == 0
		    && (node->win = acct_alloc(msg_acct(node->msg), ACCT_MAGIC,
					       FILETYPE_WINDOW)) == 0)
			return (msg_stop(node->msg, REASON_INTERNAL, node));
		take = FILETYPE_WINDOW - node->win_len;
		if (take > n)
			take = n;
		memcpy(node->win + node->win_len, p, take);
		node->win_len += take;
		if (node->win_len < FILETYPE_WINDOW)
			return (0);
		if (node_sniff(node))
			return (1);
		if (node->state != NODE_ANALYSE || take == n)
			return (0);
		return (node->an->feed(node->an_state, p + take, n - take));
	case NODE_ANALYSE:
		return (node->an->feed(node->an_state, p, n));
	default:
		return (0);
	}
}

/* node_count - bytes nobody needs to see */

int     node_count(struct node *node, uint64_t n)
{
	node->size += n;
	return (node_project(node));
}

/* node_wants_bytes - is anybody still looking at the content? */

int     node_wants_bytes(const struct node *node)
{
	if (node->state == NODE_ANALYSE && node->hunt && node->an->idle != 0
	    && node->an->idle(node->an_state))
		return (0);
	return (node->state != NODE_COUNT);
}

/* node_wants_tail - a hunt that found nothing: the tail, please */

int     node_wants_tail(const struct node *node)
{
	return (node->state == NODE_ANALYSE && node->hunt && node->an->tail != 0
		&& !node_wants_bytes(node));
}

/* node_tail - decoded bytes at offset of a stream that was counted */

int     node_tail(struct node *node, uint64_t offset, const uint8_t *p, size_t n)
{
	if (node->state != NODE_ANALYSE || node->an->tail == 0 || n == 0)
		return (0);
	return (node->an->tail(node->an_state, offset, p, n));
}

/* node_finish - the stream is complete */

int     node_finish(struct node *node)
{
	if (node->state == NODE_SNIFF && node_sniff(node))
		return (1);
	if (node->state == NODE_ANALYSE)
		return (node->an->finish(node->an_state));
	return (0);
}

/* node_free - release a stream at any point; returns NULL */

struct node *node_free(struct node *node)
{
	struct acct *acct;

	if (node == 0)
		return (NULL);
	acct = msg_acct(node->msg);
	if (node->an && node->an_state)
		node->an_state = node->an->free(node->an_state);
	node->win = acct_free(acct, node->win);
	msg_path_set(node->msg, node->path_keep, 0, 0);
	acct_free(acct, node);
	return (NULL);
}

/* node_member_declared - a member's size, learnt after its stream */

int     node_member_declared(struct node *archive, const char *name,
			             size_t namelen, uint64_t known,
			             uint64_t declared, uint64_t compressed)
{
	struct msg *msg = archive->msg;
	const struct conf *cf = msg_conf(msg);
	size_t  keep = msg_path_len(msg);
	int     stop = 0;

	msg_path_set(msg, archive->path_len, "/", 1);
	msg_path_set(msg, msg_path_len(msg), name, namelen);
	if (declared > cf->max_part_size)
		stop = msg_stop(msg, REASON_PART_SIZE, 0);
	else if (node_over_ratio(cf, declared, compressed))
		stop = msg_stop(msg, REASON_RATIO, 0);
	else if (declared > known)
		stop = msg_add_expanded(msg, declared - known, 0);
	msg_path_set(msg, keep, 0, 0);
	return (stop);
}
