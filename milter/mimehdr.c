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
 *	The first Content-Type and the first Content-Transfer-Encoding
 *	win; a later different one is a finding (duplicate, conflict).
 *	Unknown transfer encodings are decoded as identity (a finding);
 *	x-uuencode is uuencode and x-gzip64 is base64 (its gzip is then
 *	found by content).
 *
 *	mimehdr_param() extracts one parameter; it returns the value's
 *	length, -1 when absent.
 *
 *	RFC 2047 encoded words in a file name ("=?UTF-8?B?...?=", which
 *	several mail clients write in a quoted parameter though RFC 2047
 *	forbids it) are decoded in place, the blanks between two adjacent
 *	ones dropped: the name's extension counts (node.c's named_types)
 *	and the record shows what the sender's mail reader showed.  A
 *	name longer than MIMEHDR_NAME_MAX keeps its head and its last
 *	bytes (name.h), so its extension; decoding comes after, so an
 *	encoded name that long may lose the middle of a word.
 *
 *	Memory: none beyond struct mimehdr (about 1.4 KiB); no allocation.
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

/* mimehdr_reset - an entity with no MIME header fields yet */

void    mimehdr_reset(struct mimehdr *hdr)
{
	hdr->type[0] = 0;
	hdr->boundary_len = 0;
	hdr->boundary_truncated = 0;
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

static void mimehdr_append(const struct mimehdr_raw *r, int first, int tail,
			           char *out, size_t outcap, size_t *len, int *trunc)
{
	const char *p = r->val, *end = r->val + r->val_len;

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

/* mimehdr_param_x - one parameter's value; a file name keeps its tail */

static long mimehdr_param_x(const char *value, size_t len, const char *attr,
			            char *out, size_t outcap, int *truncated, int tail)
{
	size_t  alen = strlen(attr), olen = 0;
	const char *p;
	struct mimehdr_raw r;
	int     found = 0, trunc = 0;

	if (outcap == 0)
		return (-1);

	/* A plain or extended value without sections wins outright. */
	for (p = value; mimehdr_next_param(&p, value + len, &r);) {
		if (r.section < 0 && r.attr_len == alen && strncasecmp(r.attr, attr, alen) == 0) {
			olen = 0;
			mimehdr_append(&r, 1, tail, out, outcap, &olen, &trunc);
			found = 1;
			if (r.extended)
				break;			/* attr*= beats attr= */
		}
	}
	/* Otherwise RFC 2231 sections 0, 1, ... in whatever order they came. */
	for (int seg = 0; !found || seg > 0; seg++) {
		int     got = 0;

		if (seg >= MIMEHDR_SEG_MAX)
			break;
		for (p = value; mimehdr_next_param(&p, value + len, &r);) {
			if (r.section == seg && r.attr_len == alen
			    && strncasecmp(r.attr, attr, alen) == 0) {
				mimehdr_append(&r, seg == 0, tail, out, outcap, &olen, &trunc);
				got = 1;
				break;
			}
		}
		if (!got)
			break;
		found = 1;
	}
	if (!found)
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
	return (mimehdr_param_x(value, len, attr, out, outcap, truncated, 0));
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

/* mimehdr_ctype - Content-Type: type/subtype, boundary, name */

static void mimehdr_ctype(struct mimehdr *hdr, const char *value, size_t len)
{
	const char *end = value + len, *p, *t;
	size_t  n = 0;
	long    blen;
	int     trunc = 0;

	p = mimehdr_skip_cfws(value, end);
	for (t = p; t < end && *t != ';' && !isspace((unsigned char) *t) && *t != '('; t++)
		if (n + 1 < sizeof(hdr->type))
			hdr->type[n++] = tolower((unsigned char) *t);
	hdr->type[n] = 0;
	/* "text / plain" and other debris: keep only a plausible type. */
	if (memchr(hdr->type, '/', n) == 0)
		hdr->type[0] = 0;

	blen = mimehdr_param(value, len, "boundary", hdr->boundary,
			     sizeof(hdr->boundary), &trunc);
	if (blen > 0) {
		/* Trailing blanks are not part of a boundary (RFC 2046 bchars). */
		while (blen > 0 && (hdr->boundary[blen - 1] == ' ' || hdr->boundary[blen - 1] == '\t'))
			blen--;
		hdr->boundary_len = blen;
		hdr->boundary_truncated = trunc;
	}
	if (!hdr->name_from_disposition) {
		blen = mimehdr_param_x(value, len, "name", hdr->name, sizeof(hdr->name), 0, 1);
		hdr->name_len = blen > 0 ? blen : 0;
		mimehdr_name(hdr);
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
		{"x-uu", CTE_UU}, {"x-gzip64", CTE_BASE64},
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
	long    n = mimehdr_param_x(value, len, "filename", hdr->name, sizeof(hdr->name), 0, 1);

	if (n > 0) {
		hdr->name_len = n;
		hdr->name_from_disposition = 1;
		mimehdr_name(hdr);
	}
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
