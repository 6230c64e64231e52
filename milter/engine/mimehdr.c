/*
 * NAME
 *	mimehdr 3
 * SUMMARY
 *	the MIME header fields that steer the parser
 * SYNOPSIS
 *	#include "mimehdr.h"
 *
 *	void	mimehdr_reset(hdr)
 *	enum mimehdr_field mimehdr_classify(name, len)
 *	void	mimehdr_field(hdr, field, value, len)
 *	long	mimehdr_param(value, len, attr, out, outcap, truncated)
 *	int	mimehdr_is(hdr, prefix)
 * DESCRIPTION
 *	The MIME parser hands each unfolded Content-Type,
 *	Content-Transfer-Encoding and Content-Disposition value of an
 *	entity to mimehdr_field(), which keeps what the analysis needs:
 *	the media type, the boundary, the file name and the transfer
 *	encoding.  Everything else in a header is ignored.
 *
 *	Values follow RFC 2045 and RFC 2183: "type/subtype; attr=value",
 *	values as tokens or quoted strings, RFC 822 comments anywhere.
 *	RFC 2231 parameters are assembled: attr*=charset'lang'%XX,
 *	attr*0=...; attr*1*=..., in any order.  Parsing is lenient the
 *	way mail readers are: stray blanks around '=', unquoted values
 *	with odd characters, a missing closing quote.
 *
 *	A field is parsed once, in time linear in its length: one pass
 *	puts every form of the parameters that matter (boundary and name
 *	in Content-Type, filename in Content-Disposition) into fixed
 *	slots -- the first and the last plain attr=, the first attr*=,
 *	the first of each section attr*N= below 64 -- and the values are
 *	assembled from the slots.  param_steps counts the parameters
 *	parsed, so that tests can hold this.  Which form wins is what it
 *	always was: attr*= (the first), else the last attr=, else the
 *	sections 0, 1, ... up to the first missing one.  The boundary's
 *	other forms are kept too, in boundary_first (the first
 *	boundary=), boundary_last (the last) and boundary_2231
 *	(boundary*=, else the sections), and the first and the last with
 *	backslashes in a quoted value kept as characters (boundary_first_raw,
 *	boundary_last_raw), trailing blanks dropped like the boundary's, so
 *	that the MIME parser can follow the readings that choose another;
 *	when two given forms differ, or a section comes twice with
 *	different values, the finding is
 *	MIMEHDR_F_BOUNDARY_AMBIGUOUS.  A file name given in forms that
 *	decode differently is MIMEHDR_F_NAME_AMBIGUOUS.
 *
 *	The first Content-Type and the first Content-Transfer-Encoding
 *	win; a later different one is a finding (duplicate, conflict).
 *	Unknown transfer encodings are decoded as identity (a finding);
 *	x-uuencode (x-uue, uuencode, uue, x-uu: Python, ripmime and uudeview
 *	take them all) is uuencode and x-gzip64 is base64 (its gzip is then
 *	found by content).
 *
 *	mimehdr_param() extracts one parameter; it returns the value's
 *	length, -1 when absent.
 *
 *	RFC 2047 encoded words in a file name ("=?UTF-8?B?...?=", which
 *	several mail clients write in a quoted parameter though RFC 2047
 *	forbids it) are decoded in place, the blanks between two adjacent
 *	ones dropped: the name's extension counts (the format table's
 *	extensions) and the record shows what the sender's mail reader showed.  A
 *	name longer than MIMEHDR_NAME_MAX keeps its head and its last
 *	bytes (name.h), so its extension; decoding comes after, so an
 *	encoded name that long may lose the middle of a word.
 *
 *	Memory: struct mimehdr (about 4.6 KiB: the boundary in four
 *	forms), and on the stack while a field is parsed about 3.5 KiB of
 *	slots; no allocation.
 * BUGS
 *	Charsets are not converted: names are only shown, sanitised, in
 *	the record.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "mimehdr.h"
#include "name.h"

#define MIMEHDR_SEG_MAX	64		/* RFC 2231 segments assembled */

/* mimehdr_bnd_reset - a boundary form not given */

static void mimehdr_bnd_reset(struct mimehdr_bnd *b)
{
	b->s[0] = 0;
	b->len = 0;
	b->given = 0;
	b->truncated = 0;
}

/* mimehdr_reset - an entity with no MIME header fields yet */

void    mimehdr_reset(struct mimehdr *hdr)
{
	hdr->type[0] = 0;
	hdr->boundary_len = 0;
	hdr->boundary_truncated = 0;
	mimehdr_bnd_reset(&hdr->boundary_first);
	mimehdr_bnd_reset(&hdr->boundary_last);
	mimehdr_bnd_reset(&hdr->boundary_2231);
	mimehdr_bnd_reset(&hdr->boundary_first_raw);
	mimehdr_bnd_reset(&hdr->boundary_last_raw);
	hdr->boundary_plain = 0;
	hdr->param_steps = 0;
	hdr->name_len = 0;
	hdr->name[0] = 0;
	hdr->name_from_disposition = 0;
	hdr->cte = CTE_IDENTITY;
	hdr->seen = 0;
	hdr->findings = 0;
}

/* mimehdr_classify - does a field name matter to the parser? */

enum mimehdr_field mimehdr_classify(const char *name, size_t len)
{
	if (len == 12 && strncasecmp(name, "Content-Type", 12) == 0)
		return (MIMEHDR_CTYPE);
	if (len == 25 && strncasecmp(name, "Content-Transfer-Encoding", 25) == 0)
		return (MIMEHDR_CTE);
	if (len == 19 && strncasecmp(name, "Content-Disposition", 19) == 0)
		return (MIMEHDR_DISPOSITION);
	return (MIMEHDR_OTHER);
}

/* mimehdr_skip_cfws - skip blanks and RFC 822 comments */

static const char *mimehdr_skip_cfws(const char *p, const char *end)
{
	int     depth = 0;

	for (; p < end; p++) {
		if (depth > 0) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')')
				depth--;
		} else if (*p == '(') {
			depth = 1;
		} else if (!isspace((unsigned char) *p)) {
			break;
		}
	}
	return (p);
}

/* mimehdr_token - the extent of a token (lenient: up to ; or blank) */

static const char *mimehdr_token(const char *p, const char *end)
{
	while (p < end && *p != ';' && !isspace((unsigned char) *p) && *p != '(')
		p++;
	return (p);
}

/*
 * One parameter as found in the value: attribute (name, with any "*N" and
 * "*" suffix split off) and the raw value (a token or a quoted string).
 */
struct mimehdr_raw {
	const char *attr;
	size_t	attr_len;
	int	section;		/* -1: none */
	int	extended;		/* trailing '*': charset'lang'%XX */
	const char *val;
	size_t	val_len;
	int	quoted;
};

/* mimehdr_next_param - parse the next "; attr=value", 0 at the end */

static int mimehdr_next_param(const char **pp, const char *end, struct mimehdr_raw *r)
{
	const char *p = *pp;
	const char *a, *star;

	for (;;) {
		p = mimehdr_skip_cfws(p, end);
		if (p >= end)
			return (0);
		if (*p != ';') {
			/* Junk before the next ';' (e.g. the type itself): skip it. */
			while (p < end && *p != ';') {
				if (*p == '"') {
					for (p++; p < end && *p != '"'; p++)
						if (*p == '\\' && p + 1 < end)
							p++;
				}
				if (p < end)
					p++;
			}
			continue;
		}
		p = mimehdr_skip_cfws(p + 1, end);
		a = p;
		while (p < end && *p != '=' && *p != ';' && !isspace((unsigned char) *p))
			p++;
		if (p == a)
			continue;
		r->attr = a;
		r->attr_len = p - a;
		p = mimehdr_skip_cfws(p, end);
		if (p >= end || *p != '=') {
			*pp = p;
			continue;
		}
		p = mimehdr_skip_cfws(p + 1, end);
		if (p < end && *p == '"') {
			r->quoted = 1;
			r->val = ++p;
			for (; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			r->val_len = p - r->val;
			if (p < end)
				p++;
		} else {
			r->quoted = 0;
			r->val = p;
			p = mimehdr_token(p, end);
			r->val_len = p - r->val;
		}
		*pp = p;
		/* Split "attr*N*" into name, section and extended flag. */
		r->section = -1;
		r->extended = 0;
		if (r->attr_len > 0 && r->attr[r->attr_len - 1] == '*') {
			r->extended = 1;
			r->attr_len--;
		}
		if ((star = memchr(r->attr, '*', r->attr_len)) != 0) {
			const char *d = star + 1;
			int     n = 0;

			if (d == r->attr + r->attr_len)
				return (1);		/* "a**": leave as is */
			while (d < r->attr + r->attr_len && isdigit((unsigned char) *d) && n < 100000)
				n = n * 10 + (*d++ - '0');
			if (d == r->attr + r->attr_len) {
				r->section = n;
				r->attr_len = star - r->attr;
			}
		}
		return (1);
	}
}

/* mimehdr_kept - a parameter that compaction keeps (mimehdr_compact) */

static int mimehdr_kept(const struct mimehdr_raw *r)
{
	static const char *const keep[] = {"boundary", "name", "filename", 0};

	for (int i = 0; keep[i]; i++)
		if (r->attr_len == strlen(keep[i]) && strncasecmp(r->attr, keep[i], r->attr_len) == 0)
			return (1);
	return (0);
}

/*
 * mimehdr_compact - a Content-Type or Content-Disposition value that
 * outgrows its buffer, made shorter in place with the meaning defuse
 * reads in it: the type, then the boundary, name and filename
 * parameters (every one, in order, sections and all), each as it was
 * written; the others are dropped.  A parameter the value ends in may
 * be cut short: it is kept as it is, unless it is one that would be
 * dropped, in which case *skip tells the caller what to pass over of
 * the bytes to come before the value goes on (the rest of a quoted
 * string, of a token), and so does a comment the value ends in (RFC 2045
 * readers drop comments; one longer than the buffer would else cut the
 * field short of a boundary after it).  mimehdr_skip() passes over such
 * bytes, in any split.  Parsed as mimehdr_param parses, so what is kept
 * reads as it did in the whole value.  Returns the length.
 */

size_t  mimehdr_compact(char *v, size_t len, struct mimehdr_skip *skip)
{
	const char *p = v, *end = v + len, *from, *seg, *q;
	struct mimehdr_raw r;
	char   *out;

	memset(skip, 0, sizeof(*skip));
	/* the type: everything before the first ';' */
	for (p = mimehdr_skip_cfws(p, end); p < end && *p != ';'; p++)
		if (*p == '"')
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
	out = v + (p < end ? (size_t) (p - v) : len);
	for (seg = from = p; mimehdr_next_param(&p, end, &r); seg = from = p) {
		if (p >= end) {
			/* the value ends in it: maybe cut short */
			if (mimehdr_kept(&r)) {
				memmove(out, seg, (size_t) (end - seg));
				out += end - seg;
			} else if (r.quoted && (r.val + r.val_len >= end)) {
				skip->mode = MIMEHDR_SKIP_QUOTED;
			} else if (!r.quoted && r.val + r.val_len >= end) {
				skip->mode = MIMEHDR_SKIP_TOKEN;
			}
			return ((size_t) (out - v));
		}
		if (mimehdr_kept(&r)) {
			memmove(out, from, (size_t) (p - from));
			out += p - from;
		}
	}
	/* a comment the value ends in: dropped, and the rest of it passed over */
	for (q = from; q < end && (*q == ';' || isspace((unsigned char) *q)); q++)
		continue;
	if (q < end && *q == '(') {
		skip->mode = MIMEHDR_SKIP_COMMENT;
		if (mimehdr_skip(skip, (const uint8_t *) q, (size_t) (end - q)) == (size_t) (end - q)
		    && skip->mode == MIMEHDR_SKIP_COMMENT)
			end = q;			/* still open: drop it */
		else
			memset(skip, 0, sizeof(*skip));
	}
	/* what no parameter took (an attribute cut short): keep it */
	if (from < end) {
		memmove(out, from, (size_t) (end - from));
		out += end - from;
	}
	return ((size_t) (out - v));
}

/*
 * mimehdr_skip - pass over what mimehdr_compact() dropped of bytes to
 * come; returns how many of the n at p belong to it (skip->mode is 0
 * once it is over).
 */

size_t  mimehdr_skip(struct mimehdr_skip *skip, const uint8_t *p, size_t n)
{
	size_t  i;

	for (i = 0; i < n && skip->mode; i++) {
		if (skip->mode == MIMEHDR_SKIP_TOKEN) {
			if (p[i] == ';' || p[i] == '(' || isspace(p[i])) {
				skip->mode = 0;
				return (i);		/* the token's end */
			}
		} else if (skip->esc) {
			skip->esc = 0;
		} else if (p[i] == '\\') {
			skip->esc = 1;
		} else if (skip->mode == MIMEHDR_SKIP_QUOTED) {
			if (p[i] == '"')
				skip->mode = 0;		/* its closing quote */
		} else if (p[i] == '(') {
			skip->depth++;
		} else if (p[i] == ')' && --skip->depth == 0) {
			skip->mode = 0;			/* its closing parenthesis */
		}
	}
	return (i);
}

struct mimehdr_val {			/* a raw value kept for assembly */
	const char *p;
	size_t	len;
	unsigned char quoted, extended, given;
};

/* mimehdr_hex - one hex digit, -1 if none */

static int mimehdr_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* mimehdr_append - append a raw parameter value, decoded */

static void mimehdr_append(const struct mimehdr_val *r, int first, int tail,
			           char *out, size_t outcap, size_t *len, int *trunc)
{
	const char *p = r->p, *end = r->p + r->len;

	if (r->extended && first) {
		/* charset'language'value: drop the first two fields */
		const char *q1 = memchr(p, '\'', end - p);
		const char *q2 = q1 ? memchr(q1 + 1, '\'', end - q1 - 1) : 0;

		if (q2)
			p = q2 + 1;
	}
	for (; p < end; p++) {
		int     c = (unsigned char) *p;

		if (r->quoted && c == '\\' && p + 1 < end)
			c = (unsigned char) *++p;
		else if (r->extended && c == '%' && p + 2 < end
			 && mimehdr_hex(p[1]) >= 0 && mimehdr_hex(p[2]) >= 0) {
			c = mimehdr_hex(p[1]) * 16 + mimehdr_hex(p[2]);
			p += 2;
		}
		if (*len + 1 < outcap) {
			out[(*len)++] = c;
		} else {
			*trunc = 1;
			if (tail) {
				char    b = (char) c;

				*len = name_put(out, outcap, *len, &b, 1);
			}
		}
	}
}

/*
 * One pass over a field's parameters collects, for each parameter that
 * matters (boundary and name, or filename), every form it was given in:
 * the first and the last plain "attr=", the first "attr*=", and the
 * first of each RFC 2231 section "attr*N=" / "attr*N*=" below
 * MIMEHDR_SEG_MAX, in fixed slots.  The values are assembled afterwards
 * from the slots: the field is parsed once, whatever the number of
 * parameters and sections (it used to be once per section).
 */
struct mimehdr_want {
	const char *attr;		/* e.g. "boundary" */
	size_t	alen;
	struct mimehdr_val first, last;	/* plain attr= */
	struct mimehdr_val ext;		/* attr*=, the first */
	struct mimehdr_val sec[MIMEHDR_SEG_MAX];	/* attr*N[*]=, the first each */
	unsigned plain;			/* how many attr= */
	int	sec_dup;		/* a section given twice, differently */
};

/* mimehdr_want_init - nothing of attr seen yet */

static void mimehdr_want_init(struct mimehdr_want *w, const char *attr)
{
	memset(w, 0, sizeof(*w));
	w->attr = attr;
	w->alen = strlen(attr);
}

/* mimehdr_keep - a raw value into a slot */

static void mimehdr_keep(struct mimehdr_val *v, const struct mimehdr_raw *r)
{
	v->p = r->val;
	v->len = r->val_len;
	v->quoted = (unsigned char) r->quoted;
	v->extended = (unsigned char) r->extended;
	v->given = 1;
}

/* mimehdr_same_raw - the same raw value twice? */

static int mimehdr_same_raw(const struct mimehdr_val *v, const struct mimehdr_raw *r)
{
	return (v->len == r->val_len && v->quoted == r->quoted && v->extended == r->extended
		&& memcmp(v->p, r->val, r->val_len) == 0);
}

/* mimehdr_collect - one pass: the forms of each wanted parameter */

static void mimehdr_collect(const char *value, size_t len, struct mimehdr_want *w,
			            size_t nw, unsigned long *steps)
{
	const char *p;
	struct mimehdr_raw r;

	for (p = value; mimehdr_next_param(&p, value + len, &r);) {
		if (steps)
			(*steps)++;
		for (size_t i = 0; i < nw; i++) {
			struct mimehdr_want *x = &w[i];

			if (r.attr_len != x->alen || strncasecmp(r.attr, x->attr, x->alen) != 0)
				continue;
			if (r.section >= MIMEHDR_SEG_MAX)
				break;			/* never assembled */
			if (r.section >= 0) {
				if (!x->sec[r.section].given)
					mimehdr_keep(&x->sec[r.section], &r);
				else if (!mimehdr_same_raw(&x->sec[r.section], &r))
					x->sec_dup = 1;
			} else if (r.extended) {
				if (!x->ext.given)
					mimehdr_keep(&x->ext, &r);
			} else {
				if (!x->first.given)
					mimehdr_keep(&x->first, &r);
				mimehdr_keep(&x->last, &r);
				x->plain++;
			}
			break;
		}
	}
}

/* The forms a parameter's value is assembled from. */
enum mimehdr_form {
	FORM_WINNER,			/* attr*=, else the last attr=, else sections */
	FORM_FIRST,			/* the first attr= */
	FORM_LAST,			/* the last attr= */
	FORM_2231,			/* attr*=, else sections */
	FORM_FIRST_RAW,			/* FORM_FIRST, backslashes kept */
	FORM_LAST_RAW,			/* FORM_LAST, backslashes kept */
};

/* mimehdr_assemble - one form of a parameter's value, decoded; -1 if absent */

static long mimehdr_assemble(const struct mimehdr_want *w, enum mimehdr_form form,
			             char *out, size_t outcap, int *truncated, int tail)
{
	const struct mimehdr_val *one = 0;
	size_t  olen = 0;
	int     trunc = 0, raw = 0;

	if (outcap == 0)
		return (-1);
	if (form == FORM_FIRST_RAW || form == FORM_LAST_RAW) {
		raw = 1;
		form = form == FORM_FIRST_RAW ? FORM_FIRST : FORM_LAST;
	}
	switch (form) {
	case FORM_WINNER:
		one = w->ext.given ? &w->ext : w->last.given ? &w->last : 0;
		break;
	case FORM_FIRST:
		one = w->first.given ? &w->first : 0;
		break;
	case FORM_LAST:
		one = w->last.given ? &w->last : 0;
		break;
	default:
		one = w->ext.given ? &w->ext : 0;
		break;
	}
	if (one) {
		struct mimehdr_val v = *one;

		v.quoted = v.quoted && !raw;	/* raw: a backslash is a character */
		mimehdr_append(&v, 1, tail, out, outcap, &olen, &trunc);
	} else if ((form == FORM_WINNER || form == FORM_2231) && w->sec[0].given)
		for (int seg = 0; seg < MIMEHDR_SEG_MAX && w->sec[seg].given; seg++)
			mimehdr_append(&w->sec[seg], seg == 0, tail, out, outcap, &olen, &trunc);
	else
		return (-1);
	out[olen] = 0;
	if (truncated)
		*truncated = trunc;
	return ((long) olen);
}

/* mimehdr_param - one parameter's value, assembled and decoded */

long    mimehdr_param(const char *value, size_t len, const char *attr,
		              char *out, size_t outcap, int *truncated)
{
	struct mimehdr_want w;

	mimehdr_want_init(&w, attr);
	mimehdr_collect(value, len, &w, 1, 0);
	return (mimehdr_assemble(&w, FORM_WINNER, out, outcap, truncated, 0));
}

/* mimehdr_word_end - is "=?cs?E?text?=" at s[i]?  Its end, or 0 */

static size_t mimehdr_word_end(const char *s, size_t len, size_t i, size_t *text)
{
	size_t  q1, e;
	int     enc;

	if (i + 2 > len || s[i] != '=' || s[i + 1] != '?')
		return (0);
	for (q1 = i + 2; q1 < len && s[q1] != '?'; q1++)
		if (s[q1] == ' ' || s[q1] == '=')
			return (0);
	if (q1 == i + 2 || q1 + 2 >= len || s[q1 + 2] != '?')
		return (0);
	enc = toupper((unsigned char) s[q1 + 1]);
	if (enc != 'B' && enc != 'Q')
		return (0);
	for (e = q1 + 3; e + 1 < len && !(s[e] == '?' && s[e + 1] == '='); e++)
		if (s[e] == ' ')
			return (0);
	if (e + 1 >= len)
		return (0);
	*text = q1 + 3;
	return (e + 2);
}

/* mimehdr_put - decoded bytes of an encoded word, back into the name */

struct mimehdr_out {
	char   *s;
	size_t	w;
};

static int mimehdr_put(void *ctx, const uint8_t *p, size_t n)
{
	struct mimehdr_out *out = ctx;

	memmove(out->s + out->w, p, n);
	out->w += n;
	return (0);
}

/* mimehdr_word - decode the word s[text..end) to s[*o...]; no write
 * passes the byte being read, so the input is never overwritten unread
 * (base64.c decodes into a buffer of its own before it writes) */

static void mimehdr_word(char *s, size_t text, size_t end, size_t *o)
{
	struct mimehdr_out out = {s, *o};
	size_t  e = end - 2;
	struct b64 b;

	if (toupper((unsigned char) s[text - 2]) == 'B') {
		b64_init(&b);
		(void) b64_feed(&b, (const uint8_t *) s + text, e - text, mimehdr_put, &out);
		(void) b64_finish(&b, mimehdr_put, &out);
		*o = out.w;
		return;
	}
	for (size_t k = text; k < e; k++) {
		if (s[k] == '_') {
			s[out.w++] = ' ';
		} else if (s[k] == '=' && k + 2 < e && mimehdr_hex((unsigned char) s[k + 1]) >= 0
			   && mimehdr_hex((unsigned char) s[k + 2]) >= 0) {
			s[out.w++] = (char) (mimehdr_hex((unsigned char) s[k + 1]) << 4
					     | mimehdr_hex((unsigned char) s[k + 2]));
			k += 2;
		} else {
			s[out.w++] = s[k];
		}
	}
	*o = out.w;
}

/* mimehdr_words - decode the RFC 2047 encoded words of S in place */

static size_t mimehdr_words(char *s, size_t len)
{
	size_t  i = 0, o = 0, end, text, j;
	int     after_word = 0;

	while (i < len) {
		if ((end = mimehdr_word_end(s, len, i, &text)) != 0) {
			mimehdr_word(s, text, end, &o);
			i = end;
			after_word = 1;
			continue;
		}
		/* Blanks between two encoded words are not text. */
		if (after_word && (s[i] == ' ' || s[i] == '\t')) {
			for (j = i; j < len && (s[j] == ' ' || s[j] == '\t'); j++)
				continue;
			if (mimehdr_word_end(s, len, j, &text) != 0) {
				i = j;
				continue;
			}
		}
		after_word = 0;
		s[o++] = s[i++];
	}
	if (o < len)
		s[o] = 0;
	return (o);
}

/* mimehdr_name - a file name was stored: decode its encoded words */

static void mimehdr_name(struct mimehdr *hdr)
{
	if (hdr->name_len > 0 && memchr(hdr->name, '?', hdr->name_len) != 0)
		hdr->name_len = mimehdr_words(hdr->name, hdr->name_len);
}

/* mimehdr_trim - trailing blanks are not part of a boundary (RFC 2046 bchars) */

static size_t mimehdr_trim(char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	s[len] = 0;
	return (len);
}

/* mimehdr_bnd_form - one form of the boundary into its slot */

static void mimehdr_bnd_form(const struct mimehdr_want *w, enum mimehdr_form form,
			             struct mimehdr_bnd *b)
{
	int     trunc = 0;
	long    n = mimehdr_assemble(w, form, b->s, sizeof(b->s), &trunc, 0);

	if (n < 0)
		return;
	b->given = 1;
	b->len = mimehdr_trim(b->s, (size_t) n);
	b->truncated = trunc;
}

/* mimehdr_bnd_differ - do two given forms of the boundary differ? */

static int mimehdr_bnd_differ(const struct mimehdr_bnd *a, const struct mimehdr_bnd *b)
{
	return (a->given && b->given
		&& (a->len != b->len || memcmp(a->s, b->s, a->len) != 0));
}

/* mimehdr_boundary - the boundary, and every form it was given in */

static void mimehdr_boundary(struct mimehdr *hdr, const struct mimehdr_want *w)
{
	int     trunc = 0;
	long    blen;

	blen = mimehdr_assemble(w, FORM_WINNER, hdr->boundary, sizeof(hdr->boundary),
				&trunc, 0);
	if (blen > 0) {
		hdr->boundary_len = mimehdr_trim(hdr->boundary, (size_t) blen);
		hdr->boundary_truncated = trunc;
	}
	mimehdr_bnd_form(w, FORM_FIRST, &hdr->boundary_first);
	mimehdr_bnd_form(w, FORM_LAST, &hdr->boundary_last);
	mimehdr_bnd_form(w, FORM_2231, &hdr->boundary_2231);
	mimehdr_bnd_form(w, FORM_FIRST_RAW, &hdr->boundary_first_raw);
	mimehdr_bnd_form(w, FORM_LAST_RAW, &hdr->boundary_last_raw);
	hdr->boundary_plain = w->plain;
	if (mimehdr_bnd_differ(&hdr->boundary_first, &hdr->boundary_last)
	    || mimehdr_bnd_differ(&hdr->boundary_last, &hdr->boundary_2231)
	    || mimehdr_bnd_differ(&hdr->boundary_first, &hdr->boundary_2231)
	    || mimehdr_bnd_differ(&hdr->boundary_first, &hdr->boundary_first_raw)
	    || mimehdr_bnd_differ(&hdr->boundary_last, &hdr->boundary_last_raw)
	    || (w->sec_dup && !w->ext.given))
		hdr->findings |= MIMEHDR_F_BOUNDARY_AMBIGUOUS;
}

/* mimehdr_name_differ - is a file name given in forms that differ? */

static int mimehdr_name_differ(const struct mimehdr_want *w, const char *won, size_t wlen)
{
	static const enum mimehdr_form forms[] = {FORM_FIRST, FORM_LAST, FORM_2231};
	char    alt[MIMEHDR_NAME_MAX];
	long    n;

	if (w->sec_dup && !w->ext.given)
		return (1);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		n = mimehdr_assemble(w, forms[i], alt, sizeof(alt), 0, 1);
		if (n >= 0 && ((size_t) n != wlen || memcmp(alt, won, wlen) != 0))
			return (1);
	}
	return (0);
}

/* mimehdr_file_name - a (file)name parameter: the winner, decoded */

static int mimehdr_file_name(struct mimehdr *hdr, const struct mimehdr_want *w)
{
	long    n = mimehdr_assemble(w, FORM_WINNER, hdr->name, sizeof(hdr->name), 0, 1);

	if (n < 0)
		return (-1);
	if (mimehdr_name_differ(w, hdr->name, (size_t) n))
		hdr->findings |= MIMEHDR_F_NAME_AMBIGUOUS;
	hdr->name_len = (size_t) n;
	mimehdr_name(hdr);
	return ((int) (n > 0));
}

/* mimehdr_ctype - Content-Type: type/subtype, boundary, name */

static void mimehdr_ctype(struct mimehdr *hdr, const char *value, size_t len)
{
	const char *end = value + len, *p, *t;
	size_t  n = 0;
	struct mimehdr_want w[2];

	p = mimehdr_skip_cfws(value, end);
	for (t = p; t < end && *t != ';' && !isspace((unsigned char) *t) && *t != '('; t++)
		if (n + 1 < sizeof(hdr->type))
			hdr->type[n++] = tolower((unsigned char) *t);
	hdr->type[n] = 0;
	/* "text / plain" and other debris: keep only a plausible type. */
	if (memchr(hdr->type, '/', n) == 0)
		hdr->type[0] = 0;

	mimehdr_want_init(&w[0], "boundary");
	mimehdr_want_init(&w[1], "name");
	mimehdr_collect(value, len, w, 2, &hdr->param_steps);
	mimehdr_boundary(hdr, &w[0]);
	if (!hdr->name_from_disposition && mimehdr_file_name(hdr, &w[1]) < 0) {
		hdr->name_len = 0;
		hdr->name[0] = 0;
	}
}

/* mimehdr_cte - Content-Transfer-Encoding */

static enum mime_cte mimehdr_cte(const char *value, size_t len, unsigned *findings)
{
	static const struct {
		const char *name;
		enum mime_cte cte;
	}       table[] = {
		{"7bit", CTE_IDENTITY}, {"8bit", CTE_IDENTITY}, {"binary", CTE_IDENTITY},
		{"base64", CTE_BASE64}, {"quoted-printable", CTE_QP},
		{"x-uuencode", CTE_UU}, {"x-uue", CTE_UU}, {"uuencode", CTE_UU},
		{"x-uu", CTE_UU}, {"uue", CTE_UU}, {"x-gzip64", CTE_BASE64},
	};
	const char *end = value + len, *p, *t;

	p = mimehdr_skip_cfws(value, end);
	t = mimehdr_token(p, end);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strlen(table[i].name) == (size_t) (t - p)
		    && strncasecmp(table[i].name, p, t - p) == 0)
			return (table[i].cte);
	*findings |= MIMEHDR_F_CTE_UNKNOWN;
	return (CTE_IDENTITY);
}

/* mimehdr_disposition - Content-Disposition: the file name */

static void mimehdr_disposition(struct mimehdr *hdr, const char *value, size_t len)
{
	struct mimehdr_want w;
	char    keep[MIMEHDR_NAME_MAX];
	size_t  klen = hdr->name_len;
	unsigned findings = hdr->findings;

	mimehdr_want_init(&w, "filename");
	mimehdr_collect(value, len, &w, 1, &hdr->param_steps);
	memcpy(keep, hdr->name, sizeof(keep));
	if (mimehdr_file_name(hdr, &w) > 0) {
		hdr->name_from_disposition = 1;
		return;
	}
	/* No file name here: what Content-Type named stands. */
	memcpy(hdr->name, keep, sizeof(keep));
	hdr->name_len = klen;
	hdr->findings = findings | (hdr->findings & MIMEHDR_F_NAME_AMBIGUOUS);
}

/* mimehdr_field - take one unfolded field value */

void    mimehdr_field(struct mimehdr *hdr, enum mimehdr_field field,
		              const char *value, size_t len)
{
	unsigned bit = 1u << field;

	switch (field) {
	case MIMEHDR_CTYPE:
		if (hdr->seen & bit) {
			hdr->findings |= MIMEHDR_F_DUPLICATE;
			return;
		}
		mimehdr_ctype(hdr, value, len);
		break;
	case MIMEHDR_CTE:{
			enum mime_cte cte = mimehdr_cte(value, len, &hdr->findings);

			if (hdr->seen & bit) {
				if (cte != hdr->cte)
					hdr->findings |= MIMEHDR_F_CTE_CONFLICT;
				return;
			}
			hdr->cte = cte;
			break;
		}
	case MIMEHDR_DISPOSITION:
		if (!(hdr->seen & bit))
			mimehdr_disposition(hdr, value, len);
		break;
	case MIMEHDR_OTHER:
		return;
	}
	hdr->seen |= bit;
}

/* mimehdr_is - does the media type start with prefix ("multipart/")? */

int     mimehdr_is(const struct mimehdr *hdr, const char *prefix)
{
	return (strncmp(hdr->type, prefix, strlen(prefix)) == 0);
}
