/*
 * NAME
 *	mime 3
 * SUMMARY
 *	streaming MIME structure parser
 * SYNOPSIS
 *	#include "mime.h"
 *
 *	struct mime *mime_new(msg)
 *	int	mime_feed(mime, buf, len)
 *	int	mime_finish(mime)
 *	struct mime *mime_free(mime)
 * DESCRIPTION
 *	The parser takes a whole message (header and body) in chunks split
 *	anywhere, finds its MIME structure (RFC 2045, 2046, 2183, 2231) and
 *	hands the encoded body of every leaf part to a struct part, which
 *	decodes it.  It never holds more than one line start.
 *
 *	Lines end with LF or CRLF.  The only place where the parser looks
 *	for structure is the start of a line.  A line that starts with '-'
 *	while a multipart is open is held (up to the longest boundary plus
 *	a few bytes) until it is known whether it is a delimiter; every
 *	other byte passes through at once, in spans of the caller's buffer.
 *	In a body the parser does not walk line by line: it looks for the
 *	next LF followed by '-' (memchr for '-') and passes everything before it
 *	on as one span, so a base64 attachment, which has no such line,
 *	goes through in whole chunks.
 *	The line end before a delimiter belongs to the delimiter, so in a
 *	body the parser holds back one line end (at most CRLF).
 *
 *	Structure: an explicit stack of frames, one per open multipart or
 *	message/rfc822, limited by max_mime_depth (the stack is allocated
 *	once at that size).  Boundaries live in one arena; a delimiter line
 *	is matched against every open multipart, innermost first, first
 *	exactly ("--" boundary ["--"] blanks) and then as a prefix, which
 *	is what mail readers do with trailing junk.  A delimiter of an
 *	outer multipart closes the inner ones.
 *
 *	Header fields: only Content-Type, Content-Transfer-Encoding and
 *	Content-Disposition are kept, each up to MIME_HVAL_MAX bytes
 *	unfolded; every other field is skipped as it streams, whatever its
 *	size.  A line in a header block that is not a field ends the block
 *	and starts the body (as Postfix and Python do); a leading mbox
 *	"From " line is skipped.
 *
 *	Broken structure never stops the parse: it becomes a finding.
 *	Missing, duplicated or never-closed boundaries, parts with headers
 *	and no body, unknown transfer encodings.
 *
 *	Part numbering is IMAP's: "1", "2.1", ...; the body of a
 *	message/rfc822 part "3" is "3.1" (or its parts "3.1", "3.2").
 *
 *	Memory: struct mime (about 11 KiB with the header value buffer,
 *	line buffer and boundary arena) plus 32 bytes per frame of
 *	max_mime_depth; all counted under stage "mime".  Time: linear; a
 *	held line start is examined once.
 *	A message/rfc822 part with a base64 or quoted-printable encoding
 *	(not allowed by RFC 2046, but sent) is decoded by its part, which
 *	feeds the result to a nested parser (mime_new_nested) whose depth
 *	and part numbers continue this one's.  It follows the readings that
 *	parse such a message (reading.h, RD_NESTED) and forks like this one
 *	where they part ways, but inside its leaf: the copy joins the
 *	leaf's parsers (part_nest_add), in the same view, instead of a view
 *	of its own.
 *	Every message/ subtype is parsed as an encapsulated message, not
 *	only rfc822, global and news: Python's email package does so, and
 *	a filter built on it decodes what a message/x-foo part carries.
 * BUGS
 *	message/partial fragments are never reassembled: the first one's
 *	header and parts are seen, the others are text.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "mimehdr.h"
#include "msg.h"
#include "part.h"
#include "reading.h"

#define MIME_NAME_MAX	64		/* field names longer than this are skipped */
#define MIME_HVAL_MAX	8192		/* kept of a Content-* field value */
#define MIME_LINE_MAX	(2 + MIMEHDR_BOUNDARY_MAX + 8)	/* held line start */
#define MIME_ARENA	8192		/* all open boundaries */
#define MIME_PATH_MAX	128		/* "2.1.3": part path, truncated */

enum mime_state {
	MS_LINE,			/* at the start of a line */
	MS_HCR,				/* header block: CR at line start */
	MS_HNAME,			/* header block: field name */
	MS_HVALUE,			/* header block: rest of a field line */
	MS_DASH,			/* holding a line that may be a delimiter */
	MS_BODY,			/* body: inside a line */
	MS_SKIPLINE,			/* rest of a delimiter line */
	MS_HVCR,			/* header value: a CR ended the last chunk */
};

enum mime_mode {
	MODE_HEADER,			/* reading an entity's header block */
	MODE_BODY,			/* reading an entity's body */
};

enum frame_kind {
	FRAME_MESSAGE,			/* the message, or a message/rfc822 body */
	FRAME_MULTIPART,
};

struct mime_frame {
	enum frame_kind kind;
	unsigned bnd_off;		/* boundary in the arena */
	unsigned bnd_len;
	unsigned children;		/* parts seen so far */
	unsigned path_len;		/* this frame's path in mime->path */
	unsigned char truncated;	/* boundary kept as a prefix only */
	unsigned char digest;		/* multipart/digest: parts default to rfc822 */
	unsigned char delimited;	/* a delimiter was seen */
	unsigned char closed;		/* the close delimiter was seen */
	unsigned char empty;		/* boundary="": "--" lines delimit */
	unsigned char guess;		/* no boundary: the first "--" line's (RD_GUESS) */
};

struct mime {
	struct msg *msg;
	enum mime_state state;
	enum mime_mode mode;
	int	no_dash;		/* replaying a held line: not a delimiter */
	int	first_line;		/* at the message's first line */
	int	digest_child;		/* entity is a part of multipart/digest */
	int	forkable;		/* the message's own parser: may fork views */
	struct part *owner;		/* an encoded message's leaf, or NULL */
	unsigned only;			/* owner: the readings this parser follows */
	int	replaying;		/* bytes held back go through again: no fork */
	int	epi_line;		/* at the first line after a close delimiter */
	int	cr_line;		/* the held line follows a lone CR (RD_CR) */
	const uint8_t *resume;		/* where the input goes on after a held line */

	/* The current entity. */
	struct mimehdr hdr;
	/* What the readings that choose otherwise take (reading.h): the
	 * last Content-Type field when there are two, the encodings of the
	 * first and the last Content-Transfer-Encoding field, read strictly
	 * and loosely (quotes dropped). */
	struct mimehdr hdr_last;
	int	ct_fields;
	int	cte_fields;
	enum mime_cte cte_first_loose, cte_last, cte_last_loose;
	struct part *leaf;		/* its body goes here, or is ignored */
	unsigned path_len;		/* its path in path[] */

	/* The header field being read. */
	enum mimehdr_field field;
	int	name_bad;		/* not a field name after all */
	int	name_ws;		/* blanks after the name */
	size_t	name_len;
	char	name[MIME_NAME_MAX];
	size_t	hval_len;
	int	hval_trunc;
	struct mimehdr_skip hval_skip;	/* compaction: passing over what it dropped */
	char	hval[MIME_HVAL_MAX];

	/* A held line start, and a held line end (body only). */
	size_t	line_len;
	size_t	line_blanks;		/* its leading blanks, counted as they come */
	uint8_t	line[MIME_LINE_MAX];
	size_t	eol_len;
	uint8_t	eol[2];
	int	cr;			/* body: a CR ended the last chunk */

	/* Structure. */
	unsigned depth;			/* frames above the message */
	unsigned base_depth;		/* nesting outside this parser */
	unsigned max_depth;
	unsigned open_multiparts;	/* not closed: worth a line check */
	unsigned closed_multiparts;	/* closed, still open to RD_NOCLOSE */
	struct mime_frame *frames;	/* [0] is the message */
	unsigned arena_len;
	char	arena[MIME_ARENA];
	char	path[MIME_PATH_MAX];
};

static int mime_bytes(struct mime *, const uint8_t *, size_t);

/* mime_hdr_reset - a new entity's header block begins */

static void mime_hdr_reset(struct mime *mp)
{
	mimehdr_reset(&mp->hdr);
	mp->ct_fields = 0;
	mp->cte_fields = 0;
}

/* mime_new_nested - a parser for a message inside depth levels */

struct mime *mime_new_nested(struct msg *msg, unsigned depth,
			             const char *path, size_t len)
{
	struct acct *acct = msg_acct(msg);
	struct mime *mp;
	unsigned max_depth = msg_conf(msg)->max_mime_depth;

	if (depth > max_depth || (mp = acct_alloc(acct, ACCT_MIME, sizeof(*mp))) == 0)
		return (NULL);
	memset(mp, 0, sizeof(*mp));
	if ((mp->frames = acct_calloc(acct, ACCT_MIME, max_depth - depth + 2,
				      sizeof(*mp->frames))) == 0) {
		acct_free(acct, mp);
		return (NULL);
	}
	mp->msg = msg;
	mp->base_depth = depth;
	mp->max_depth = max_depth - depth;
	mp->state = MS_LINE;
	mp->mode = MODE_HEADER;
	mp->first_line = (depth == 0);
	mp->frames[0].kind = FRAME_MESSAGE;
	if (len >= sizeof(mp->path))
		len = 0;
	memcpy(mp->path, path, len);
	mp->path_len = mp->frames[0].path_len = len;
	mime_hdr_reset(mp);
	return (mp);
}

/* mime_new - a parser for one message */

struct mime *mime_new(struct msg *msg)
{
	struct mime *mp = mime_new_nested(msg, 0, "", 0);

	if (mp)
		mp->forkable = 1;
	return (mp);
}

/*
 * mime_readings - the readings this parser follows: the view's; for the
 * parser of an encoded message, those of them it was given (RD_NESTED,
 * and what its forks left it).
 */

static unsigned mime_readings(const struct mime *mp)
{
	unsigned set = msg_readings(mp->msg), mine;

	if (mp->owner == 0)
		return (set);
	mine = set & mp->only;
	return (mine ? mine : mp->only);
}

/* mime_nest_in - this parser reads an encoded message for these readings */

void    mime_nest_in(struct mime *mp, struct part *owner, unsigned readings)
{
	mp->owner = owner;
	mp->only = readings;
}

/*
 * mime_can_fork - may this parser fork here?  The message's own parser,
 * not while it replays bytes it held (a held line, a header line that
 * turned out to be body): those bytes are not where the piece is, so a
 * fork could not say where its copy goes on.  There the first reading's
 * way is taken, the same for any split.
 */

static int mime_can_fork(const struct mime *mp)
{
	return ((mp->forkable || mp->owner) && mp->replaying == 0);
}

/* mime_replay - bytes held back, through the state machine again */

static int mime_replay(struct mime *mp, const uint8_t *p, size_t n)
{
	int     ret;

	mp->replaying++;
	ret = mime_bytes(mp, p, n);
	mp->replaying--;
	return (ret);
}

/*
 * mime_differ - the readings part ways here: a finding, and a verdict
 * when ambiguous_structure = reject.  Returns 1 when the message stops.
 */

static int mime_differ(struct mime *mp)
{
	msg_finding(mp->msg, FIND_READINGS_DIFFER);
	if (msg_conf(mp->msg)->ambiguous_structure == 1)
		return (msg_stop(mp->msg, REASON_AMBIGUOUS, 0));
	return (0);
}

/*
 * mime_fork - a copy of the parser for the readings that part ways here
 * (msg_fork; for a nested parser, part_nest_add), with no leaf: a fork happens only where the copy's reading
 * ends the current entity (or has none open).  The copy becomes the view
 * being fed; returns it, or NULL (msg_stop internal) when out of memory.
 * *token is for msg_unfork.
 */

static struct mime *mime_fork(struct mime *mp, unsigned readings, int *token)
{
	struct acct *acct = msg_acct(mp->msg);
	size_t  nframes = mp->max_depth + 2;
	struct mime *cp;

	if (mime_differ(mp))
		return (NULL);
	if ((cp = acct_alloc(acct, ACCT_MIME, sizeof(*cp))) == 0)
		goto nomem;
	memcpy(cp, mp, sizeof(*cp));
	cp->leaf = 0;
	if ((cp->frames = acct_calloc(acct, ACCT_MIME, nframes, sizeof(*cp->frames))) == 0) {
		acct_free(acct, cp);
		goto nomem;
	}
	memcpy(cp->frames, mp->frames, nframes * sizeof(*cp->frames));
	if (mp->owner) {
		/* Inside an encoded message: the copy joins its leaf's
		 * parsers, in the same view (part.c). */
		*token = -1;
		cp->only = readings;
		mp->only = mime_readings(mp) & ~readings;
		if (part_nest_add(mp->owner, cp, mp->resume) != 0) {
			mime_free(cp);
			goto nomem;
		}
		return (cp);
	}
	if ((*token = msg_fork(mp->msg, cp, readings, mp->resume)) < 0) {
		mime_free(cp);
		goto nomem;
	}
	return (cp);
nomem:
	msg_stop(mp->msg, REASON_INTERNAL, 0);
	return (NULL);
}

/* mime_free - release a parser at any point; returns NULL */

struct mime *mime_free(struct mime *mp)
{
	struct acct *acct;

	if (mp == 0)
		return (NULL);
	acct = msg_acct(mp->msg);
	mp->leaf = part_free(mp->leaf);
	acct_free(acct, mp->frames);
	acct_free(acct, mp);
	return (NULL);
}

/* mime_path_child - path of child n below the path of length base */

static void mime_path_child(struct mime *mp, unsigned base, unsigned n)
{
	char    num[16];
	int     len;

	len = snprintf(num, sizeof(num), "%s%u", base ? "." : "", n);
	if (base + len >= sizeof(mp->path))
		len = 0;			/* too deep to show: keep the prefix */
	memcpy(mp->path + base, num, len);
	mp->path_len = base + len;
	mp->path[mp->path_len] = 0;
	msg_path_set(mp->msg, 0, mp->path, mp->path_len);
}

/* mime_push - open a frame above the current entity */

static int mime_push(struct mime *mp, enum frame_kind kind)
{
	struct mime_frame *f;

	if (msg_mime_depth(mp->msg, mp->base_depth + mp->depth + 1)
	    || mp->depth + 1 > mp->max_depth)
		return (1);
	f = &mp->frames[++mp->depth];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->path_len = mp->path_len;
	if (kind == FRAME_MULTIPART) {
		size_t  len = mp->hdr.boundary_len;
		size_t  room = sizeof(mp->arena) - mp->arena_len;

		if (len > room) {
			len = room;
			f->truncated = 1;
			msg_finding(mp->msg, FIND_BOUNDARY_TOO_LONG);
		}
		if (mp->hdr.boundary_truncated) {
			f->truncated = 1;
			msg_finding(mp->msg, FIND_BOUNDARY_TOO_LONG);
		}
		for (unsigned i = 1; i < mp->depth; i++) {
			struct mime_frame *o = &mp->frames[i];

			if (o->kind == FRAME_MULTIPART && o->bnd_len == len
			    && memcmp(mp->arena + o->bnd_off, mp->hdr.boundary, len) == 0)
				msg_finding(mp->msg, FIND_BOUNDARY_DUPLICATE);
		}
		f->bnd_off = mp->arena_len;
		f->bnd_len = len;
		memcpy(mp->arena + mp->arena_len, mp->hdr.boundary, len);
		mp->arena_len += len;
		f->digest = mimehdr_is(&mp->hdr, "multipart/digest");
		mp->open_multiparts++;
	}
	return (0);
}

/* mime_pop - close the innermost frame */

static void mime_pop(struct mime *mp)
{
	struct mime_frame *f = &mp->frames[mp->depth];

	if (f->kind == FRAME_MULTIPART) {
		if (!f->delimited)
			msg_finding(mp->msg, FIND_BOUNDARY_NOT_FOUND);
		else if (!f->closed)
			msg_finding(mp->msg, FIND_BOUNDARY_UNCLOSED);
		if (!f->closed)
			mp->open_multiparts--;
		else
			mp->closed_multiparts--;
		mp->arena_len = f->bnd_off;
	}
	mp->depth--;
}

/* mime_report - turn header findings into message findings */

static void mime_report(struct mime *mp)
{
	unsigned f = mp->hdr.findings;

	if (f & MIMEHDR_F_CTE_UNKNOWN)
		msg_finding(mp->msg, FIND_CTE_UNKNOWN);
	if (f & MIMEHDR_F_CTE_CONFLICT)
		msg_finding(mp->msg, FIND_CTE_CONFLICT);
	if (f & MIMEHDR_F_DUPLICATE)
		msg_finding(mp->msg, FIND_HEADER_MALFORMED);
	if (mp->hval_trunc)
		msg_finding(mp->msg, FIND_HEADER_TRUNCATED);
}

/* mime_field_end - a header field is complete */

/* mime_cte_of - an encoding field's value, read strictly or loosely */

static enum mime_cte mime_cte_of(const char *v, size_t n, int loose)
{
	struct mimehdr h;
	char    buf[64];
	size_t  k = 0;

	if (loose) {
		for (size_t i = 0; i < n && k < sizeof(buf); i++)
			if (v[i] != '"' && v[i] != '\'')
				buf[k++] = v[i];
		v = buf;
		n = k;
	}
	mimehdr_reset(&h);
	mimehdr_field(&h, MIMEHDR_CTE, v, n);
	return (h.cte);
}

static void mime_field_end(struct mime *mp)
{
	if (mp->field == MIMEHDR_CTYPE && mp->ct_fields++ > 0) {
		mimehdr_reset(&mp->hdr_last);
		mimehdr_field(&mp->hdr_last, MIMEHDR_CTYPE, mp->hval, mp->hval_len);
	}
	if (mp->field == MIMEHDR_CTE) {
		enum mime_cte strict = mime_cte_of(mp->hval, mp->hval_len, 0), loose = strict;

		if (memchr(mp->hval, '"', mp->hval_len) || memchr(mp->hval, '\'', mp->hval_len))
			loose = mime_cte_of(mp->hval, mp->hval_len, 1);
		if (mp->cte_fields++ == 0)
			mp->cte_first_loose = loose;
		mp->cte_last = strict;
		mp->cte_last_loose = loose;
	}
	if (mp->field != MIMEHDR_OTHER)
		mimehdr_field(&mp->hdr, mp->field, mp->hval, mp->hval_len);
	mp->field = MIMEHDR_OTHER;
	mp->hval_len = 0;
	mp->hval_skip.mode = 0;
}

/*
 * The header of an entity as one reading takes it (reading.h: which
 * Content-Type field, which form of the boundary, which encoding).
 */
struct mime_take {
	const struct mimehdr *ct;	/* the Content-Type field taken */
	const char *bnd;		/* the boundary taken */
	size_t	bnd_len;
	int	bnd_trunc;
	enum mime_cte cte;
	int	empty;			/* boundary="" */
	int	guess;			/* no boundary: RD_GUESS */
};

/* mime_take - what a reading with these rules takes of the header */

static void mime_take(const struct mime *mp, unsigned rules, struct mime_take *t)
{
	const struct mimehdr *ct = ((rules & RD_CT_LAST) && mp->ct_fields > 1) ?
		&mp->hdr_last : &mp->hdr;
	const struct mimehdr_bnd *b = 0;
	int     given = ct->boundary_first.given || ct->boundary_last.given
		|| ct->boundary_2231.given;

	t->ct = ct;
	t->bnd = ct->boundary;
	t->bnd_len = ct->boundary_len;
	t->bnd_trunc = ct->boundary_truncated;
	if ((rules & RD_BND_2231) && ct->boundary_2231.given)
		b = &ct->boundary_2231;
	else if ((rules & RD_BND_LAST) && ct->boundary_last.given)
		b = (rules & RD_BND_RAW) ? &ct->boundary_last_raw : &ct->boundary_last;
	else if (ct->boundary_first.given)	/* Python's email: the first boundary= */
		b = (rules & RD_BND_RAW) ? &ct->boundary_first_raw : &ct->boundary_first;
	if (b) {
		t->bnd = b->s;
		t->bnd_len = b->len;
		t->bnd_trunc = b->truncated;
	}
	t->cte = mp->hdr.cte;
	if ((rules & RD_CTE_LAST) && mp->cte_fields > 1)
		t->cte = (rules & RD_CTE_LOOSE) ? mp->cte_last_loose : mp->cte_last;
	else if ((rules & RD_CTE_LOOSE) && mp->cte_fields > 0)
		t->cte = mp->cte_first_loose;
	t->empty = (t->bnd_len == 0 && given);
	t->guess = ((rules & RD_GUESS) && t->bnd_len == 0 && !given);
}

/* mime_take_same - do two readings take the header alike? */

static int mime_take_same(const struct mime_take *a, const struct mime_take *b)
{
	int     multi = strncmp(a->ct->type, "multipart/", 10) == 0;

	return (strcmp(a->ct->type, b->ct->type) == 0 && a->cte == b->cte
		&& (!multi || (a->bnd_len == b->bnd_len && a->empty == b->empty
			       && a->guess == b->guess && a->bnd_trunc == b->bnd_trunc
			       && memcmp(a->bnd, b->bnd, a->bnd_len) == 0)));
}

/* mime_take_apply - make the parser's header what the reading takes */

static void mime_take_apply(struct mime *mp, const struct mime_take *t, int *empty, int *guess)
{
	struct mimehdr *h = &mp->hdr;

	if (t->ct != h) {
		/* Another Content-Type field (or a fork's copy): the other
		 * fields are the first Content-Type's company. */
		struct mimehdr c = *t->ct;

		c.seen |= h->seen;
		c.findings |= h->findings;
		if (h->name_from_disposition || c.name_len == 0) {
			memcpy(c.name, h->name, sizeof(c.name));
			c.name_len = h->name_len;
			c.name_from_disposition = h->name_from_disposition;
		}
		*h = c;
	}
	if (t->bnd != h->boundary)
		memmove(h->boundary, t->bnd, t->bnd_len);
	h->boundary_len = t->bnd_len;
	h->boundary[t->bnd_len < sizeof(h->boundary) ? t->bnd_len : sizeof(h->boundary) - 1] = 0;
	h->boundary_truncated = t->bnd_trunc;
	h->cte = t->cte;
	*empty = t->empty;
	*guess = t->guess;
}

/* How the input goes on once a header block is over. */
enum mime_follow {
	FOLLOW_LINE,			/* the empty line ended it: a line starts */
	FOLLOW_REPLAY,			/* a line that is no field: it is body */
	FOLLOW_NONE,			/* the entity ends at once: no fork */
};

/* mime_body_one - the header block is over: what is this entity? */

static int mime_body_one(struct mime *mp, int empty, int guess)
{
	struct mimehdr *hdr = &mp->hdr;

	mp->mode = MODE_BODY;
	mp->eol_len = 0;
	mp->cr = 0;
	if (hdr->type[0] == 0 && mp->digest_child)
		strcpy(hdr->type, "message/rfc822");

	if (mimehdr_is(hdr, "multipart/")) {
		if (hdr->boundary_len > 0 || empty || guess) {
			if (mime_push(mp, FRAME_MULTIPART))
				return (1);
			mp->frames[mp->depth].empty = empty;
			mp->frames[mp->depth].guess = guess;
			return (0);			/* preamble: ignored */
		}
		msg_finding(mp->msg, FIND_BOUNDARY_MISSING);
	} else if (mimehdr_is(hdr, "message/") && hdr->cte == CTE_IDENTITY) {
		/*
		 * The encapsulated message: a header block of its own.  Its
		 * parts are numbered below this part: "3.1", "3.2".  Any
		 * message/ subtype, as Python's email parser does (partial,
		 * external-body, x-anything): a filter built on it decodes
		 * the attachments of a message/x-foo part.
		 */
		if (mime_push(mp, FRAME_MESSAGE))
			return (1);
		mp->mode = MODE_HEADER;
		mp->digest_child = 0;
		mime_hdr_reset(mp);
		mp->first_line = 0;
		return (0);
	}
	if (mp->depth == 0 || mp->frames[mp->depth].kind == FRAME_MESSAGE) {
		/* A leaf that is a message's whole body: "1" or "3.1". */
		mime_path_child(mp, mp->frames[mp->depth].path_len, 1);
	}
	if ((mp->leaf = part_new(mp->msg, mime_readings(mp), hdr, mp->base_depth + mp->depth,
				 mp->path, mp->path_len)) == 0)
		return (1);
	return (0);
}

/* mime_follow - the input after a header block, in this parser */

static int mime_follow(struct mime *mp, enum mime_follow how, int saw_nl)
{
	size_t  n = mp->name_len;

	switch (how) {
	case FOLLOW_LINE:
		mp->state = MS_LINE;
		return (0);
	case FOLLOW_REPLAY:
		mp->state = MS_LINE;
		mp->no_dash = 1;
		if (mime_replay(mp, (const uint8_t *) mp->name, n))
			return (1);
		if (saw_nl && n > 0 && mp->name[n - 1] != '\n')
			return (mime_replay(mp, (const uint8_t *) "\n", 1));
		return (0);
	case FOLLOW_NONE:
		break;
	}
	return (0);
}

/*
 * mime_body_begin - the header block is over.  The readings may take it
 * otherwise (reading.h): each way that some reading takes goes on in a
 * view of its own, forked here, where no leaf is open.
 */

static int mime_body_begin(struct mime *mp, enum mime_follow how, int saw_nl)
{
	unsigned set = mime_readings(mp), done = 0;
	struct mime_take takes[READING_COUNT], mine;
	int     first = -1, empty, guess;

	mime_field_end(mp);
	mime_report(mp);
	for (int r = 0; r < READING_COUNT; r++)
		if (set & (1u << r))
			mime_take(mp, reading_rules(r), &takes[r]);
	for (int r = 0; r < READING_COUNT; r++) {
		unsigned group = 0;
		int     token;
		struct mime *cp;

		if (!(set & (1u << r)) || (done & (1u << r)))
			continue;
		for (int o = r; o < READING_COUNT; o++)
			if ((set & (1u << o)) && mime_take_same(&takes[r], &takes[o]))
				group |= 1u << o;
		done |= group;
		if (first < 0) {
			first = r;		/* this parser's */
			continue;
		}
		if (!mime_can_fork(mp) || how == FOLLOW_NONE) {
			if (mime_differ(mp))
				return (1);
			continue;		/* one reading only: the first */
		}
		if ((cp = mime_fork(mp, group, &token)) == 0)
			return (1);
		mime_take_apply(cp, &takes[r], &empty, &guess);
		if (mime_body_one(cp, empty, guess) == 0)
			(void) mime_follow(cp, how, saw_nl);
		msg_unfork(mp->msg, token);
	}
	mine = takes[first];
	mime_take_apply(mp, &mine, &empty, &guess);
	if (mime_body_one(mp, empty, guess))
		return (1);
	return (mime_follow(mp, how, saw_nl));
}

/* mime_entity_end - the current entity's body is over */

static int mime_entity_end(struct mime *mp)
{
	int     stop = 0;

	if (mp->mode == MODE_HEADER) {
		/* Headers and no body: still an (empty) part. */
		msg_finding(mp->msg, FIND_NO_BODY);
		if (mime_body_begin(mp, FOLLOW_NONE, 0))
			return (1);
	}
	if (mp->leaf) {
		stop = part_finish(mp->leaf);
		mp->leaf = part_free(mp->leaf);
	}
	return (stop);
}

/*
 * mime_match - is a held line a delimiter under a reading's rules
 * (reading.h: RD_JUNK, RD_BLANK)?  Frame index, or 0.
 */

static unsigned mime_match(struct mime *mp, const uint8_t *line, size_t len,
			           unsigned rules, int *close)
{
	/* The line without its end; for RD_CR, up to its first CR. */
	if (rules & RD_CR) {
		const uint8_t *cr = memchr(line, '\r', len);

		if (cr)
			len = cr - line;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (rules & RD_BLANK) {
		while (len > 0 && (line[0] == ' ' || line[0] == '\t'))
			line++, len--;
	}
	if (len < 2 || line[0] != '-' || line[1] != '-')
		return (0);
	for (int strict = 1; strict >= ((rules & RD_JUNK) ? 0 : 1); strict--) {
		for (unsigned i = mp->depth; i > 0; i--) {
			struct mime_frame *f = &mp->frames[i];
			const uint8_t *rest;
			size_t  rlen;
			int     c;

			if (f->kind != FRAME_MULTIPART || (f->closed && !(rules & RD_NOCLOSE))
			    || (f->bnd_len == 0 && !f->empty)
			    || len < 2 + f->bnd_len
			    || memcmp(line + 2, mp->arena + f->bnd_off, f->bnd_len) != 0)
				continue;
			rest = line + 2 + f->bnd_len;
			rlen = len - 2 - f->bnd_len;
			c = (rlen >= 2 && rest[0] == '-' && rest[1] == '-');
			if (strict && !f->truncated) {
				size_t  j = c ? 2 : 0;

				while (j < rlen && (rest[j] == ' ' || rest[j] == '\t'))
					j++;
				if (j != rlen)
					continue;
			}
			if (f->truncated) {
				while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
					len--;
				c = (len >= 4 + f->bnd_len && line[len - 1] == '-' && line[len - 2] == '-');
			}
			*close = c;
			return (i);
		}
	}
	return (0);
}

/* mime_delimiter - a delimiter of frame i: end parts, start the next */

static int mime_delimiter(struct mime *mp, unsigned i, int close)
{
	struct mime_frame *f;

	mp->eol_len = 0;			/* the line end was the delimiter's */
	mp->cr = 0;
	if (mime_entity_end(mp))
		return (1);
	while (mp->depth > i)
		mime_pop(mp);
	f = &mp->frames[i];
	f->delimited = 1;
	if (f->closed && !close) {
		/* RD_NOCLOSE: a part after the close delimiter */
		f->closed = 0;
		mp->closed_multiparts--;
		mp->open_multiparts++;
	}
	if (close) {
		if (!f->closed) {
			f->closed = 1;
			mp->open_multiparts--;
			mp->closed_multiparts++;
		}
		mp->epi_line = 1;
		mp->mode = MODE_BODY;		/* the epilogue: ignored */
		mp->path_len = f->path_len;
		return (0);
	}
	mp->mode = MODE_HEADER;
	mp->first_line = 0;
	mp->digest_child = f->digest;
	mime_hdr_reset(mp);
	mime_path_child(mp, f->path_len, ++f->children);
	return (0);
}

/*
 * mime_guess - a multipart with no boundary (RD_GUESS: its view's
 * readings all guess): its first "--" line gives it one.
 */

static void mime_guess(struct mime *mp, const uint8_t *line, size_t len)
{
	struct mime_frame *f = &mp->frames[mp->depth];
	size_t  room = sizeof(mp->arena) - mp->arena_len;

	if (mp->depth == 0 || f->kind != FRAME_MULTIPART || !f->guess)
		return;
	while (len > 0 && strchr("\r\n \t", line[len - 1]))
		len--;
	if (len < 3 || line[0] != '-' || line[1] != '-')
		return;
	len -= 2;
	if (len > MIMEHDR_BOUNDARY_MAX)
		len = MIMEHDR_BOUNDARY_MAX;
	if (len > room)
		len = room;
	if (len == 0)
		return;
	memcpy(mp->arena + f->bnd_off, line + 2, len);
	f->bnd_len = len;
	mp->arena_len = f->bnd_off + len;
	f->guess = 0;
}

/*
 * mime_after_delimiter - the rest of a delimiter line of len bytes, in
 * mp->line: skipped to its end, or, after a lone CR at cut (RD_CR), the
 * start of the next line.
 */

static int mime_after_delimiter(struct mime *mp, size_t len, size_t cut)
{
	uint8_t rest[MIME_LINE_MAX];

	if (cut == 0 || cut >= len) {
		mp->state = (mp->line[len - 1] == '\n' ? MS_LINE : MS_SKIPLINE);
		return (0);
	}
	memcpy(rest, mp->line + cut, len - cut);
	mp->state = MS_LINE;
	return (mime_replay(mp, rest, len - cut));
}

/*
 * mime_held_line - decide about a held line start.  Each reading of the
 * view may take it otherwise (a delimiter of this or that frame, or
 * content): the readings that see content keep this parser and its
 * leaf; those that see a delimiter go on in a fork (mime_fork), which
 * ends the entity there (a nested parser's fork stays in its leaf:
 * mime_fork).
 */

static int mime_held_line(struct mime *mp, int complete)
{
	unsigned set = mime_readings(mp), content = 0, done = 0, ngroups = 0;
	unsigned which[READING_COUNT] = {0}, groups[READING_COUNT];
	int     first[READING_COUNT];
	int     closes[READING_COUNT] = {0};
	size_t  cuts[READING_COUNT] = {0}, len = mp->line_len, lone = 0;
	int     cr_line = mp->cr_line;
	const uint8_t *cr;

	mp->line_len = 0;
	mp->line_blanks = 0;
	mp->cr_line = 0;
	/* RD_CR: a lone CR inside the line ends it; the rest is another line. */
	if ((cr = memchr(mp->line, '\r', len)) != 0 && cr + 1 < mp->line + len && cr[1] != '\n')
		lone = cr + 1 - mp->line;
	if (complete || len == sizeof(mp->line))
		mime_guess(mp, mp->line, len);
	if (complete || len == sizeof(mp->line)) {
		for (int r = 0; r < READING_COUNT; r++) {
			unsigned rules = reading_rules(r);

			if (!(set & (1u << r)))
				continue;
			/* after a lone CR, a line only for RD_CR */
			if (!cr_line || (rules & RD_CR))
				which[r] = mime_match(mp, mp->line, len, rules, &closes[r]);
			if (which[r] == 0)
				content |= 1u << r;
			else if (rules & RD_CR)
				cuts[r] = lone;
		}
	} else {
		content = set;
	}
	/* The readings that see a delimiter, grouped by what they see. */
	for (int r = 0; r < READING_COUNT; r++) {
		unsigned group = 0;

		if (!(set & (1u << r)) || which[r] == 0 || (done & (1u << r)))
			continue;
		for (int o = r; o < READING_COUNT; o++)
			if ((set & (1u << o)) && which[o] == which[r] && closes[o] == closes[r]
			    && cuts[o] == cuts[r])
				group |= 1u << o;
		done |= group;
		first[ngroups] = r;
		groups[ngroups++] = group;
	}
	if (ngroups > 0 && (content != 0 || ngroups > 1) && !mime_can_fork(mp)) {
		/* One reading only: the first delimiter, as before. */
		if (mime_differ(mp))
			return (1);
		ngroups = 1;
		content = 0;
	}
	/* Forks first, for every group but the one this parser keeps. */
	for (unsigned g = (content == 0); g < ngroups; g++) {
		int     token, r = first[g];
		struct mime *cp;

		if ((cp = mime_fork(mp, groups[g], &token)) == 0)
			return (1);
		if (mime_delimiter(cp, which[r], closes[r]) == 0)
			(void) mime_after_delimiter(cp, len, cuts[r]);
		msg_unfork(mp->msg, token);	/* a fork that stopped stays stopped */
	}
	if (content == 0 && ngroups > 0) {
		int     r = first[0];

		if (mime_delimiter(mp, which[r], closes[r]))
			return (1);
		return (mime_after_delimiter(mp, len, cuts[r]));
	}
	/* Content: replay it as an ordinary line (from a copy: a lone CR in
	 * it may start a line that is held in mp->line again). */
	{
		uint8_t copy[MIME_LINE_MAX];

		memcpy(copy, mp->line, len);
		mp->state = MS_LINE;
		mp->no_dash = 1;
		return (mime_replay(mp, copy, len));
	}
}

/*
 * The message's own preamble is a leaf for RD_PREAMBLE (ripmime writes
 * it out): no declared type, sent as it is.
 */
static const struct mimehdr mime_preamble_hdr = {.cte = CTE_IDENTITY};

static int mime_preamble_leaf(const struct mime *mp)
{
	return (mp->depth == 1 && mp->base_depth == 0
		&& !mp->frames[1].delimited
		&& reading_with(mime_readings(mp), RD_PREAMBLE) != 0);
}

/* mime_body_content - bytes of the current leaf's body */

static int mime_body_content(struct mime *mp, const uint8_t *p, size_t n)
{
	struct mime_frame *f = &mp->frames[mp->depth];

	if (n == 0)
		return (0);
	if (mp->leaf == 0) {
		/*
		 * A multipart's preamble or epilogue: no leaf, but searched
		 * for encoded files (uudeview and ripmime find them there).
		 * It is named as the part before the first ("1.0") or after
		 * the last.
		 */
		if (mp->depth == 0 || f->kind != FRAME_MULTIPART || mp->mode != MODE_BODY)
			return (0);
		mime_path_child(mp, f->path_len, f->delimited ? f->children + 1 : 0);
		if ((mp->leaf = part_new(mp->msg, mime_readings(mp),
					 mime_preamble_leaf(mp) ? &mime_preamble_hdr : 0,
					 mp->base_depth + mp->depth, mp->path, mp->path_len)) == 0)
			return (1);
	}
	return (part_feed(mp->leaf, p, n));
}

/* mime_flush_eol - a held line end turns out to be content */

static int mime_flush_eol(struct mime *mp)
{
	size_t  n = mp->eol_len;

	mp->eol_len = 0;
	return (mime_body_content(mp, mp->eol, n));
}

/*
 * mime_not_header - a line in a header block is no field.  An mbox "From "
 * line is passed over by every reading; any other line ends the header
 * and starts the body, but for the readings that pass over it
 * (RD_HDR_JUNK), which go on in a fork.
 */

static int mime_not_header(struct mime *mp, int saw_nl)
{
	size_t  n = mp->name_len;
	unsigned set = mime_readings(mp), junk = reading_with(set, RD_HDR_JUNK);
	int     token;
	struct mime *cp;

	if (n >= 5 && memcmp(mp->name, "From ", 5) == 0) {
		if (!mp->first_line)
			msg_finding(mp->msg, FIND_HEADER_MALFORMED);
		mp->state = saw_nl ? MS_LINE : MS_SKIPLINE;	/* mbox separator */
		mp->first_line = 0;
		return (0);
	}
	msg_finding(mp->msg, FIND_HEADER_MALFORMED);
	if (junk == set || (junk != 0 && mime_can_fork(mp))) {
		if (junk != set) {
			if ((cp = mime_fork(mp, junk, &token)) == 0)
				return (1);
		} else {
			cp = mp;
			token = -1;
		}
		mime_field_end(cp);
		cp->state = saw_nl ? MS_LINE : MS_SKIPLINE;
		cp->first_line = 0;
		msg_unfork(mp->msg, token);
		if (cp == mp)
			return (0);
	}
	return (mime_body_begin(mp, FOLLOW_REPLAY, saw_nl));
}

/* mime_blank_ok - may an indented line be a delimiter in this view? */

static int mime_blank_ok(const struct mime *mp)
{
	return (reading_with(mime_readings(mp), RD_BLANK) != 0);
}

/* mime_cr - the readings of this view for which a lone CR ends a line */

static unsigned mime_cr(const struct mime *mp)
{
	return (reading_with(mime_readings(mp), RD_CR));
}

/*
 * mime_watch - may a line be a delimiter: a multipart is open, or one
 * that is closed is still open to a reading of this view (RD_NOCLOSE)?
 */

static int mime_watch(const struct mime *mp)
{
	return (mp->open_multiparts > 0 || (mp->closed_multiparts > 0
		&& reading_with(mime_readings(mp), RD_NOCLOSE) != 0));
}

static int mime_line_start_body(struct mime *, int, int);

/* mime_line_start - the first byte of a line: which way does it go? */

static int mime_line_start(struct mime *mp, int c)
{
	int     dash_ok = !mp->no_dash;
	struct mime_frame *f = &mp->frames[mp->depth];
	unsigned epi;

	int     epi_line = mp->epi_line;

	/* The epilogue's first line only (a delimiter line may be held first). */
	if (!(c == '-' && dash_ok && mime_watch(mp)))
		mp->epi_line = 0;
	if (epi_line && mp->mode == MODE_BODY && mp->leaf == 0 && mp->depth > 0
	    && f->kind == FRAME_MULTIPART && f->closed && c != '\r' && c != '\n'
	    && !(c == '-' && dash_ok && mime_watch(mp))
	    && (epi = reading_with(mime_readings(mp), RD_EPILOGUE)) != 0) {
		/* An epilogue that starts with text: an entity for RD_EPILOGUE. */
		struct mime *cp = mp;
		int     token = -1;

		if (epi != mime_readings(mp)) {
			if (!mime_can_fork(mp) || (cp = mime_fork(mp, epi, &token)) == 0)
				return (mime_can_fork(mp) ? 1 : mime_line_start_body(mp, c, dash_ok));
		}
		cp->mode = MODE_HEADER;
		cp->first_line = 0;
		cp->digest_child = f->digest;
		mime_hdr_reset(cp);
		mime_path_child(cp, cp->frames[cp->depth].path_len, ++cp->frames[cp->depth].children);
		cp->state = MS_LINE;
		msg_unfork(mp->msg, token);
		if (cp == mp)
			return (mime_line_start_body(mp, c, dash_ok));
	}
	return (mime_line_start_body(mp, c, dash_ok));
}

/* mime_line_start_body - the first byte of a line, past the epilogue's turn */

static int mime_line_start_body(struct mime *mp, int c, int dash_ok)
{

	mp->no_dash = 0;
	if (dash_ok && mime_watch(mp)
	    && (c == '-' || ((c == ' ' || c == '\t') && mp->mode == MODE_BODY
			     && mime_blank_ok(mp)))) {
		mp->state = MS_DASH;
		mp->line_len = 0;
		mp->line_blanks = 0;
		return (0);
	}
	mp->cr_line = 0;
	if (mp->mode == MODE_BODY) {
		if (mime_flush_eol(mp))
			return (1);
		mp->state = MS_BODY;
		return (0);
	}
	/* Header block. */
	switch (c) {
	case '\n':
		return (-1);			/* the empty line: caller ends the block */
	case '\r':
		mp->state = MS_HCR;
		return (0);
	case ' ':
	case '\t':
		mp->state = MS_HVALUE;		/* a folded continuation */
		return (0);
	}
	mime_field_end(mp);
	mp->state = MS_HNAME;
	mp->name_len = 0;
	mp->name_bad = 0;
	mp->name_ws = 0;
	return (0);
}

/* mime_hname - one byte of a field name */

static int mime_hname(struct mime *mp, int c)
{
	if (c == '\n') {
		if (mp->name_len < sizeof(mp->name))
			mp->name[mp->name_len++] = c;
		return (mime_not_header(mp, 1));
	}
	if (c == ':' && !mp->name_bad) {
		size_t  n = mp->name_len;

		while (n > 0 && (mp->name[n - 1] == ' ' || mp->name[n - 1] == '\t'))
			n--;
		mp->field = (n > 0 && n <= sizeof(mp->name)) ?
			mimehdr_classify(mp->name, n) : MIMEHDR_OTHER;
		if (n == 0)
			msg_finding(mp->msg, FIND_HEADER_MALFORMED);
		mp->hval_len = 0;
		mp->hval_skip.mode = 0;
		mp->state = MS_HVALUE;
		mp->first_line = 0;
		return (0);
	}
	if (c == ' ' || c == '\t')
		mp->name_ws = 1;
	else if (mp->name_ws || c < 33 || c > 126)
		mp->name_bad = 1;
	if (mp->name_len < sizeof(mp->name))
		mp->name[mp->name_len++] = c;
	else
		mp->name_bad = 1;		/* too long to matter; still a line */
	return (0);
}

/* mime_hvalue - a span of a field's value, unfolded, up to the line end */

/*
 * mime_hval_put - bytes of a field's value, kept up to MIME_HVAL_MAX.  A
 * Content-Type or Content-Disposition that outgrows it (Python's email
 * reads any length) is compacted first (mimehdr_compact: the type, the
 * boundary, name and filename parameters; others dropped, a parameter
 * being dropped passed over as it comes), while that leaves at least half
 * the buffer free; else the value is cut (finding header_truncated).
 */

static void mime_hval_put(struct mime *mp, const uint8_t *p, size_t copy)
{
	size_t  room, k;

	if (mp->field == MIMEHDR_OTHER)
		return;
	while (copy > 0) {
		if (mp->hval_skip.mode) {
			k = mimehdr_skip(&mp->hval_skip, p, copy);
			p += k, copy -= k;
			continue;
		}
		room = sizeof(mp->hval) - mp->hval_len;
		if (copy > room && !mp->hval_trunc
		    && (mp->field == MIMEHDR_CTYPE || mp->field == MIMEHDR_DISPOSITION)) {
			mp->hval_len = mimehdr_compact(mp->hval, mp->hval_len, &mp->hval_skip);
			if (mp->hval_len > sizeof(mp->hval) / 2)
				mp->hval_trunc = 1;	/* no room won: cut from here */
			continue;
		}
		if (copy > room) {
			copy = room;
			mp->hval_trunc = 1;
		}
		memcpy(mp->hval + mp->hval_len, p, copy);
		mp->hval_len += copy;
		return;
	}
}

/*
 * mime_hval_cr - a lone CR in a header value, before the byte at p: it
 * ends the line for the readings with RD_CR, which go on in a fork when
 * the view has others; for those it is part of the value.
 */

static int mime_hval_cr(struct mime *mp, const uint8_t *p)
{
	unsigned set = mime_readings(mp), crs = reading_with(set, RD_CR);
	struct mime *cp;
	int     token;

	if (crs == set) {
		mp->state = MS_LINE;		/* the line ends here */
		return (0);
	}
	if (mime_can_fork(mp)) {
		mp->resume = p;
		if ((cp = mime_fork(mp, crs, &token)) == 0)
			return (1);
		cp->state = MS_LINE;
		msg_unfork(mp->msg, token);
	}
	mime_hval_put(mp, (const uint8_t *) "\r", 1);
	mp->state = MS_HVALUE;
	return (0);
}

static size_t mime_hvalue(struct mime *mp, const uint8_t *p, size_t n)
{
	const uint8_t *nl = memchr(p, '\n', n);
	size_t  take = nl ? (size_t) (nl - p) + 1 : n;
	size_t  copy = nl ? take - 1 : take;	/* unfolding drops line ends */
	const uint8_t *cr;

	if (mime_cr(mp) && (cr = memchr(p, '\r', copy)) != 0 && cr + 1 != nl) {
		/* A CR that is no CRLF, or may be none (the chunk ends). */
		mime_hval_put(mp, p, cr - p);
		if (cr + 1 == p + n) {
			mp->state = MS_HVCR;	/* the next byte decides */
			return (n);
		}
		(void) mime_hval_cr(mp, cr + 1);
		return (cr + 1 - p);
	}
	if (mp->field != MIMEHDR_OTHER) {
		mime_hval_put(mp, p, copy);
		if (nl && mp->hval_len > 0 && mp->hval[mp->hval_len - 1] == '\r')
			mp->hval_len--;
	}
	if (nl)
		mp->state = MS_LINE;
	return (take);
}

/*
 * mime_body_next - where the body span ends: the first LF that is followed
 * by '-' (only such a line can be a delimiter), else the last LF of the
 * buffer (the next chunk may start with '-'), else nowhere (NULL).  With
 * no multipart open, nothing ends a span.
 */

static const uint8_t *mime_body_next(const struct mime *mp, const uint8_t *p, size_t n)
{
	const uint8_t *q = p + 1, *end = p + n, *dash;
	int     blank_ok, cr_ok;

	if (!mime_watch(mp))
		return (NULL);
	blank_ok = mime_blank_ok(mp);
	cr_ok = mime_cr(mp) != 0;
	/* '-' is rare in text and absent from base64: memchr skips ahead. */
	while (q < end && (dash = memchr(q, '-', end - q)) != 0) {
		const uint8_t *b = dash - 1;

		if (*b == '\n' || (*b == '\r' && cr_ok))
			return (b);		/* a lone CR before '-': RD_CR */
		/* An indented "--" (RD_BLANK): back over the blanks, once. */
		while (blank_ok && b > p && (*b == ' ' || *b == '\t'))
			b--;
		if (blank_ok && b < dash - 1 && *b == '\n')
			return (b);
		q = dash + 1;
	}
	if (blank_ok) {
		/* The piece ends in an indent: its line may be a delimiter. */
		const uint8_t *b = end - 1;

		while (b > p && (*b == ' ' || *b == '\t'))
			b--;
		if (*b == '\n')
			return (b);
	}
	return (p[n - 1] == '\n' ? p + n - 1 : NULL);
}

/* mime_body_span - body bytes up to the next line that may be a delimiter */

static int mime_body_span(struct mime *mp, const uint8_t *p, size_t n, size_t *used)
{
	const uint8_t *nl;
	size_t  len;

	if (mp->cr) {
		/* A CR ended the last chunk: line end, or content? */
		mp->cr = 0;
		if (*p == '\n') {
			mp->eol[0] = '\r', mp->eol[1] = '\n', mp->eol_len = 2;
			mp->state = MS_LINE;
			*used = 1;
			return (0);
		}
		if (*p == '-' && mime_cr(mp)) {
			/* a lone CR, then '-': a line for RD_CR */
			mp->eol[0] = '\r', mp->eol_len = 1;
			mp->cr_line = 1;
			mp->state = MS_LINE;
			*used = 0;
			return (0);
		}
		if (mime_body_content(mp, (const uint8_t *) "\r", 1))
			return (1);
	}
	if ((nl = mime_body_next(mp, p, n)) == 0) {
		len = n;
		if (p[n - 1] == '\r' && mime_watch(mp)) {
			mp->cr = 1;
			len--;
		}
		*used = n;
		return (mime_body_content(mp, p, len));
	}
	len = nl - p;
	*used = len + 1;
	mp->state = MS_LINE;
	if (*nl == '\r') {
		/* a lone CR before '-' (mime_body_next): a line for RD_CR */
		mp->eol[0] = '\r', mp->eol_len = 1;
		mp->cr_line = 1;
	} else if (len > 0 && p[len - 1] == '\r') {
		mp->eol[0] = '\r', mp->eol[1] = '\n', mp->eol_len = 2;
		len--;
	} else {
		mp->eol[0] = '\n', mp->eol_len = 1;
	}
	return (mime_body_content(mp, p, len));
}

/* mime_dash - bytes of a held line start */

/*
 * mime_dash_start - how far the held line's start decides it: 0 not yet
 * (blanks, maybe one '-'), 1 no delimiter (past the blanks, a character
 * that is not '-', or only one '-'), 2 it starts with "--".
 */

static int mime_dash_start(const struct mime *mp)
{
	size_t  k = mp->line_blanks;		/* an indented line (RD_BLANK) */

	if (k < mp->line_len && mp->line[k] != '-')
		return (1);
	if (k + 1 < mp->line_len)
		return (mp->line[k + 1] == '-' ? 2 : 1);
	return (0);
}

/*
 * mime_dash - bytes of a held line start.  Until its start decides it,
 * the line is taken byte by byte, so that a line that is no delimiter is
 * released at the same byte whatever the split (what follows goes on as
 * ordinary input); a line that starts with "--" is held to its end.
 */

static int mime_dash(struct mime *mp, const uint8_t *p, size_t n, size_t *used)
{
	size_t  room = sizeof(mp->line) - mp->line_len;
	size_t  lim = n < room ? n : room, i = 0, take;
	const uint8_t *nl;
	int     start = mime_dash_start(mp);

	while (i < lim && start == 0) {
		if (mp->line_blanks == mp->line_len && (p[i] == ' ' || p[i] == '\t'))
			mp->line_blanks++;
		mp->line[mp->line_len++] = p[i++];
		if (p[i - 1] == '\n')
			break;
		start = mime_dash_start(mp);
	}
	if (start == 2 && i < lim) {
		nl = memchr(p + i, '\n', lim - i);
		take = nl ? (size_t) (nl - (p + i)) + 1 : lim - i;
		memcpy(mp->line + mp->line_len, p + i, take);
		mp->line_len += take;
		i += take;
	}
	*used = i;
	mp->resume = p + i;
	if (start == 1)
		return (mime_held_line(mp, 0));
	if (mp->line_len > 0 && mp->line[mp->line_len - 1] == '\n')
		return (mime_held_line(mp, 1));
	if (mp->line_len == sizeof(mp->line))
		return (mime_held_line(mp, 0));
	return (0);
}

/* mime_bytes - the state machine */

static int mime_bytes(struct mime *mp, const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	size_t  used;
	int     rc;

	while (p < end) {
		switch (mp->state) {
		case MS_LINE:
			mp->resume = p;
			if ((rc = mime_line_start(mp, *p)) > 0)
				return (1);
			if (rc < 0) {
				p++;		/* LF: end of the header block */
				mp->resume = p;
				if (mime_body_begin(mp, FOLLOW_LINE, 0))
					return (1);
			} else if (mp->state == MS_HCR) {
				p++;
			}
			break;
		case MS_HCR:
			if (*p == '\n') {
				p++;
				mp->resume = p;
				if (mime_body_begin(mp, FOLLOW_LINE, 0))
					return (1);
			} else {
				/* CR then something: an empty line for RD_CR. */
				unsigned crs = mime_cr(mp);
				int     token;
				struct mime *cp;

				mp->resume = p;
				if (crs == mime_readings(mp)) {
					if (mime_body_begin(mp, FOLLOW_LINE, 0))
						return (1);
					break;
				}
				if (crs && mime_can_fork(mp)) {
					if ((cp = mime_fork(mp, crs, &token)) == 0)
						return (1);
					(void) mime_body_begin(cp, FOLLOW_LINE, 0);
					msg_unfork(mp->msg, token);
				}
				/* For the others: not an empty line, not a field. */
				mime_field_end(mp);
				mp->state = MS_HNAME;
				mp->name[0] = '\r';
				mp->name_len = 1;
				mp->name_bad = 1;
				mp->name_ws = 0;
			}
			break;
		case MS_HNAME:
			mp->resume = p + 1;
			if (mime_hname(mp, *p++))
				return (1);
			break;
		case MS_HVALUE:
			p += mime_hvalue(mp, p, end - p);
			break;
		case MS_HVCR:
			if (*p == '\n') {
				p++;		/* a CRLF after all */
				mp->state = MS_LINE;
			} else if (mime_hval_cr(mp, p)) {
				return (1);
			}
			break;
		case MS_DASH:
			if (mime_dash(mp, p, end - p, &used))
				return (1);
			p += used;
			break;
		case MS_BODY:
			if (mime_body_span(mp, p, end - p, &used))
				return (1);
			p += used;
			break;
		case MS_SKIPLINE:{
				const uint8_t *nl = memchr(p, '\n', end - p);

				if (nl == 0)
					return (0);
				p = nl + 1;
				mp->state = MS_LINE;
				break;
			}
		}
	}
	return (0);
}

/* mime_feed - a chunk of the message */

int     mime_feed(struct mime *mp, const uint8_t *p, size_t n)
{
	return (mime_bytes(mp, p, n));
}

/* mime_finish - end of the message */

int     mime_finish(struct mime *mp)
{
	mp->resume = 0;
	if (mp->state == MS_DASH) {
		if (mime_held_line(mp, 1))
			return (1);
	}
	if (mp->state == MS_HNAME && mime_not_header(mp, 0))
		return (1);
	if (mp->mode == MODE_BODY) {
		if (mp->cr) {
			mp->cr = 0;
			if (mime_body_content(mp, (const uint8_t *) "\r", 1))
				return (1);
		}
		if (mime_flush_eol(mp))
			return (1);
	}
	if (mime_entity_end(mp))
		return (1);
	while (mp->depth > 0)
		mime_pop(mp);
	return (0);
}
