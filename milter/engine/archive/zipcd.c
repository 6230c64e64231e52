/*
 * NAME
 *	zipcd 3
 * SUMMARY
 *	zip walker: local headers seen, directory checked against them
 * SYNOPSIS
 *	#include "zipcd.h"
 *
 *	struct zent *zipcd_add(struct zipcd *cd, struct acct *acct,
 *		uint64_t max, uint64_t off);
 *	struct zent *zipcd_find(const struct zipcd *cd, uint64_t off);
 *	size_t	zipcd_count(const struct zipcd *cd);
 *	void	zipcd_local(struct zipcd *cd, uint32_t hdrlen,
 *		uint16_t method, int enc, const char *name, size_t nlen,
 *		int upath);
 *	void	zipcd_data_end(struct zipcd *cd, uint64_t end,
 *		uint64_t known);
 *	void	zipcd_entry(struct zipcd *cd, const struct zipcd_dirent *d,
 *		uint64_t prefix, int tail, struct zipcd_verdict *v);
 *
 *	void	zipcd_hidden(struct zipcd *cd, const uint8_t *p, size_t n,
 *		uint64_t at);
 *	void	zipcd_gap(struct zipcd *cd, uint64_t at);
 *	void	zipcd_eocd(struct zipcd *cd, uint64_t at);
 *	enum zipcd_action zipcd_hidden_end(const struct zipcd *cd,
 *		uint64_t pos, uint64_t prefix, int tail);
 *	int	zipcd_eocd_plausible(const uint8_t *h);
 *	int	zipcd_tail_eocd_ok(const uint8_t *h, uint64_t at,
 *		uint64_t tail_from);
 *	void	zipcd_free(struct zipcd *cd, struct acct *acct);
 * DESCRIPTION
 *	The bookkeeping of the zip walker (zip.c), apart from its byte
 *	parsing: it reads no input of its own and says nothing to the
 *	message; each call answers, and zip.c turns the answer into a
 *	finding or a reason.
 *
 *	zipcd_add() remembers a local header at stream offset off (the
 *	table is sorted by construction: headers come in stream order),
 *	growing the table geometrically up to max entries (the caller
 *	has already held the count to max_archive_entries); NULL when
 *	the memory is refused.  zipcd_local() completes the last one
 *	from its header (length, method, encryption bit, name, Unicode
 *	Path field), zipcd_data_end() when its data (and descriptor)
 *	ended and the size accounted for it.  zipcd_find() is the header
 *	at an offset, zipcd_count() how many were seen.
 *
 *	zipcd_entry() checks a central directory entry: it must name a
 *	local header that was seen (at lho after the archive's prefix,
 *	or, for a prefixed archive, at lho itself), one no entry named
 *	before, and its compressed size must fit before whatever came
 *	next; a header encrypted locally must be so in the directory too
 *	(unless it has no data).  Consistent: ZIPCD_OK, with the size
 *	known for that header and flags for another method (compressed
 *	size over 2) or another name (unless a Unicode Path field on
 *	either side explains it); the header is marked as named.
 *	Inconsistent: ZIPCD_OVERLAP for an archive that starts the
 *	stream (prefix 0, not a tail); ZIPCD_UNVERIFIABLE for a tail's
 *	entry that names no header (its data lies before the tail);
 *	ZIPCD_FINDING for one found by scanning.  Either way enc_cd says
 *	the directory's encryption bit is set where no local header had
 *	it.
 *
 *	zipcd_hidden() is given every byte the walk does not read as a
 *	record (member data, comments, junk), in order, and remembers
 *	the last plausible end record among them: one 22-byte candidate
 *	at a time, each offset looked at once (bytes given again after a
 *	push back are not), so the answer does not depend on the split;
 *	a gap (records read in between) drops a candidate begun before
 *	it.  zipcd_gap() restarts the search at offset at (a tail);
 *	zipcd_eocd() notes an end record the walk read there.
 *	zipcd_hidden_end(), at stream offset pos, the end: if the last
 *	end record within 64 KiB + 22 bytes of the end (the one
 *	extractors take) is one the walk did not read, their directory
 *	is one the walk never checked: ZIPCD_OVERLAP for an archive
 *	that starts the stream and had a local header, else
 *	ZIPCD_FINDING; ZIPCD_OK when there is none.
 *
 *	zipcd_eocd_plausible() says whether 22 bytes could be an end
 *	record (one disk, as many entries on it as in all);
 *	zipcd_tail_eocd_ok() whether the directory of the end record at
 *	offset at lies within a tail that starts at tail_from.
 * MEMORY
 *	The struct (88 bytes, inside struct zip), plus the table: 40
 *	bytes per local header, grown geometrically from 16, at most
 *	max entries, counted as ACCT_ARCHIVE.  zipcd_free() releases it;
 *	an all-zero struct is empty and needs no set-up.
 * BUGS
 *	A hidden end record is detected, not followed: its directory's
 *	declared sizes are not projected.  The end record's counts and
 *	offsets are not cross-checked (the entries are).
 */

#include <assert.h>
#include <string.h>
#include <zlib.h>

#include "zip_impl.h"
#include "zipcd.h"

/* zipcd_find - the local header at this offset, or NULL */

struct zent *zipcd_find(const struct zipcd *cd, uint64_t off)
{
	size_t  lo = 0, hi = cd->nents, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cd->ents[mid].off == off)
			return (&cd->ents[mid]);
		if (cd->ents[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

/* zipcd_add - remember a local header; at most max of them */

struct zent *zipcd_add(struct zipcd *cd, struct acct *acct, uint64_t max,
		               uint64_t off)
{
	struct zent *e;
	size_t  ncap;

	if (cd->nents == cd->cap) {
		ncap = cd->cap ? cd->cap * 2 : 16;
		if (ncap > max)
			ncap = max > cd->nents ? max : cd->nents + 1;
		if ((e = acct_calloc(acct, ACCT_ARCHIVE, ncap, sizeof(*e))) == 0)
			return (NULL);
		if (cd->nents)
			memcpy(e, cd->ents, cd->nents * sizeof(*e));
		acct_free(acct, cd->ents);
		cd->ents = e;
		cd->cap = ncap;
	}
	e = &cd->ents[cd->nents++];
	memset(e, 0, sizeof(*e));
	e->off = off;
	e->end = off;
	return (e);
}

/* zipcd_count - local headers seen */

size_t  zipcd_count(const struct zipcd *cd)
{
	return (cd->nents);
}

/* zipcd_local - the last local header's fields, once it is read */

void    zipcd_local(struct zipcd *cd, uint32_t hdrlen, uint16_t method,
		            int enc, const char *name, size_t nlen, int upath)
{
	struct zent *e;

	assert(cd->nents > 0);
	e = &cd->ents[cd->nents - 1];
	e->hdrlen = hdrlen;
	e->method = method;
	e->enc = enc != 0;
	e->name_crc = (uint32_t) crc32(0L, (const Bytef *) name, (uInt) nlen);
	e->upath = (uint8_t) upath;
}

/* zipcd_data_end - the last local header's data ended at end */

void    zipcd_data_end(struct zipcd *cd, uint64_t end, uint64_t known)
{
	struct zent *e;

	assert(cd->nents > 0);
	e = &cd->ents[cd->nents - 1];
	e->end = end;
	e->known = known;
}

/* zipcd_judge - inconsistent: hostile where the archive starts the stream */

static enum zipcd_action zipcd_judge(uint64_t prefix, int tail)
{
	return (prefix == 0 && !tail ? ZIPCD_OVERLAP : ZIPCD_FINDING);
}

/* zipcd_entry - a central directory entry, checked against what we saw */

void    zipcd_entry(struct zipcd *cd, const struct zipcd_dirent *d,
		            uint64_t prefix, int tail, struct zipcd_verdict *v)
{
	struct zent *e;
	uint64_t data;

	memset(v, 0, sizeof(*v));
	e = zipcd_find(cd, d->lho + prefix);
	if (e == 0 && prefix != 0)
		e = zipcd_find(cd, d->lho);
	v->enc_cd = d->enc && (e == 0 || !e->enc);
	if (e != 0 && !e->ref) {
		data = e->off + e->hdrlen;
		/* Encrypted in the local header only: the walk skipped data
		 * that unzip, taking the directory's word, inflates. */
		if (e->end >= data && d->csize <= e->end - data
		    && (!e->enc || d->enc || e->end == data)) {
			e->ref = 1;
			v->action = ZIPCD_OK;
			v->known = e->known;
			/* Another method in the directory: Python's zipfile
			 * takes it (up to the size the entry declares, which
			 * is projected), the others the local one. */
			v->method = e->method != d->method && d->csize > 2;
			/* Another name (not explained by a Unicode Path field,
			 * which writers add beside a name in another charset). */
			v->name = !e->upath && !d->upath
				&& e->name_crc != (uint32_t) crc32(0L, (const Bytef *) d->name,
								(uInt) d->nlen);
			return;
		}
	}
	/*
	 * Inconsistent: the entry names no header we saw, or one already
	 * named, or more data than that member had.  An archive that starts
	 * the stream is hostile then.  One found by scanning inside some
	 * other file (a self-extractor stub, or a container such as an OLE
	 * document that holds fragments of zips) may just be misread: its
	 * entry counts in full by its declared sizes, which is what an
	 * extractor following the directory would produce.
	 */
	if (tail && e == 0)
		v->action = ZIPCD_UNVERIFIABLE;	/* its data lies before the tail */
	else
		v->action = zipcd_judge(prefix, tail);
}

/*
 * zipcd_hidden_ok - could these 22 bytes at offset at be an end record
 * that an extractor would follow?  One disk, as many entries on it as in
 * all, at least one, and a directory that fits before it (Python's
 * zipfile refuses one that does not).  Zip64 markers: its own records
 * would say, so it is taken.
 */

static int zipcd_hidden_ok(const uint8_t *h, uint64_t at)
{
	unsigned nt = le16(h + 10);
	uint32_t size = le32(h + 12), off = le32(h + 16);

	if (le16(h + 4) != le16(h + 6) || le16(h + 8) != nt || nt == 0)
		return (0);
	if (nt == 0xffff || size == 0xffffffff || off == 0xffffffff)
		return (1);
	return (size >= 46u * nt && (uint64_t) size + off <= at);
}

/* zipcd_hidden_check - judge the candidate in hb, then move on to the next */

static void zipcd_hidden_check(struct zipcd *cd)
{
	static const uint8_t sig[4] = {'P', 'K', 5, 6};
	const uint8_t *q;
	size_t  m, drop;

	while (cd->hb_len > 0) {
		m = cd->hb_len < 4 ? cd->hb_len : 4;
		if (memcmp(cd->hb, sig, m) == 0) {
			if (cd->hb_len < sizeof(cd->hb))
				return;			/* more bytes, please */
			if (zipcd_hidden_ok(cd->hb, cd->hb_pos))
				cd->hidden = cd->hb_pos + 1;
		}
		q = memchr(cd->hb + 1, 'P', cd->hb_len - 1);
		drop = q ? (size_t) (q - cd->hb) : cd->hb_len;
		memmove(cd->hb, cd->hb + drop, cd->hb_len - drop);
		cd->hb_len -= drop;
		cd->hb_pos += drop;
	}
}

/*
 * zipcd_hidden - n bytes at stream offset at that the walk does not read
 * as records (member data, comments, junk): remember the last plausible
 * end record among them.  Each offset is looked at once (bytes read
 * again after a push back are not), in order; a gap (records read in
 * between) drops a candidate begun before it.
 */

void    zipcd_hidden(struct zipcd *cd, const uint8_t *p, size_t n, uint64_t at)
{
	const uint8_t *q;
	size_t  k;

	if (at + n <= cd->h_next)
		return;
	if (at < cd->h_next) {
		k = (size_t) (cd->h_next - at);
		p += k, n -= k, at += k;
	} else if (at > cd->h_next)
		cd->hb_len = 0;
	cd->h_next = at + n;
	while (n > 0) {
		if (cd->hb_len == 0) {
			if ((q = memchr(p, 'P', n)) == 0)
				return;
			k = (size_t) (q - p);
			p += k, n -= k, at += k;
			cd->hb_pos = at;
		}
		k = sizeof(cd->hb) - cd->hb_len;
		if (k > n)
			k = n;
		memcpy(cd->hb + cd->hb_len, p, k);
		cd->hb_len += k;
		p += k, n -= k, at += k;
		zipcd_hidden_check(cd);
	}
}

/* zipcd_gap - the walk goes on at offset at, after bytes it never had */

void    zipcd_gap(struct zipcd *cd, uint64_t at)
{
	cd->h_next = at;
	cd->hb_len = 0;
}

/* zipcd_eocd - the walk read an end record at offset at */

void    zipcd_eocd(struct zipcd *cd, uint64_t at)
{
	cd->eocd_at = at + 1;
}

/*
 * zipcd_hidden_end - is the end record that extractors take one the walk
 * did not read?  They look for the last one within 64 KiB + 22 bytes of
 * the end (pos).  If it lies in what the walk took for member data, a
 * comment or junk, their directory is one the walk never checked: for an
 * archive that starts the stream only a hiding archive needs that; one
 * found by scanning gets a finding.
 */

enum zipcd_action zipcd_hidden_end(const struct zipcd *cd, uint64_t pos,
				           uint64_t prefix, int tail)
{
	if (cd->hidden == 0 || cd->hidden <= cd->eocd_at
	    || pos - (cd->hidden - 1) > 22 + 65535)
		return (ZIPCD_OK);
	if (cd->nents > 0)
		return (zipcd_judge(prefix, tail));
	return (ZIPCD_FINDING);
}

/* zipcd_eocd_plausible - could these 22 bytes be an end record? */

int     zipcd_eocd_plausible(const uint8_t *h)
{
	unsigned d = le16(h + 4), cd = le16(h + 6);

	return ((d == 0 || d == 0xffff) && (cd == 0 || cd == 0xffff)
		&& le16(h + 8) == le16(h + 10));
}

/* zipcd_tail_eocd_ok - an end record at offset at: is its directory in
 * the tail that starts at tail_from? */

int     zipcd_tail_eocd_ok(const uint8_t *h, uint64_t at, uint64_t tail_from)
{
	uint32_t size = le32(h + 12);

	return (!(size == 0xffffffff || le16(h + 10) == 0xffff
		  || size > at || at - size < tail_from));
}

/* zipcd_free - release the table; the struct is empty again */

void    zipcd_free(struct zipcd *cd, struct acct *acct)
{
	acct_free(acct, cd->ents);
	memset(cd, 0, sizeof(*cd));
}
