/*
 * NAME
 *	zipdd 3
 * SUMMARY
 *	zip walker: stored data in blocks, data descriptors
 * SYNOPSIS
 *	#include "zip_impl.h"
 *
 *	void	zipdd_begin(struct zip *z);
 *	size_t	zipdd_copy(struct zip *z, const uint8_t *p, size_t n);
 *	size_t	zipdd_scan_feed(struct zip *z, const uint8_t *p, size_t n);
 *	int	zipdd_scan(struct zip *z, int at_end);
 *	int	zipdd_release(struct zip *z, size_t n);
 *	int	zipdd_descriptor(struct zip *z, int at_end);
 * DESCRIPTION
 *	The part of the zip walker (zip.c) that decides where member
 *	data ends when its header does not say (general purpose bit 3),
 *	and holds stored data in the buffer pend so that the member
 *	node sees it in pieces of ZIP_BLOCK bytes whatever the split.
 *
 *	zipdd_begin() empties the buffer for a new member.
 *	zipdd_copy() takes stored data of known size (ZS_COPY) and hands
 *	it on a block at a time; zipdd_release() hands on the first n
 *	bytes held (all of them, at the end of the stream).
 *
 *	zipdd_scan_feed() takes data of unknown size (ZS_DD_SCAN) and
 *	zipdd_scan() looks for its descriptor, each position once, with
 *	ZIP_LOOK bytes after it (fewer only at_end): a record, with or
 *	without the PK\7\8 signature, 32- or 64-bit sizes, whose
 *	compressed size is exactly the number of bytes before it, that
 *	is followed by a zip signature and, for stored data, whose
 *	CRC-32 matches.  No descriptor is needed where the member's own
 *	central directory entry follows (its compressed size the bytes
 *	before it), nor, for data not looked into (encrypted,
 *	unsupported), before a plausible local header.  What follows the
 *	data is pushed back (zip_push_back) and the member ends
 *	(zip_member_end).
 *
 *	zipdd_descriptor() reads the descriptor after data whose end is
 *	known (ZS_DD): the shape that fits, none if a signature follows
 *	at once, else the likeliest shape and a finding.
 *
 *	Every byte handed on as data is also given to zipcd_hidden().
 *	Each returns what zip.c's steps return: bytes used, or non-zero
 *	when the walk stops.
 * MEMORY
 *	None of its own: pend (ZIP_PEND bytes) and the descriptor's
 *	bytes (hdr) are in struct zip.
 * BUGS
 *	A stored member of unknown length whose data happens to contain
 *	a valid descriptor for its own prefix ends there, as it would in
 *	any streaming reader.
 */

#include <string.h>
#include <zlib.h>

#include "zip_impl.h"

/* zipdd_match - is there a data descriptor at b for d data bytes? */

static size_t zipdd_match(struct zip *z, const uint8_t *b, size_t avail,
			           uint64_t d, int at_end, int sig)
{
	struct zcur *c = &z->cur;
	size_t  off = sig ? 4 : 0;
	size_t  len;
	uint64_t u;
	int     wide;

	if (sig && (avail < 4 || le32(b) != 0x08074b50))
		return (0);
	for (wide = 0; wide < 2; wide++) {
		len = off + (wide ? 20 : 12);
		if (avail < len)
			continue;
		if (wide ? le64(b + off + 4) != d : le32(b + off + 4) != (uint32_t) d)
			continue;
		if (avail >= len + 4 ? !zip_is_sig(b + len) : !(at_end && avail == len))
			continue;
		u = wide ? le64(b + off + 12) : le32(b + off + 8);
		if (c->verify && u != (wide ? d : (uint32_t) d))
			continue;
		c->dd_usize = u;
		return (len);
	}
	return (0);
}

/* zipdd_release - the first n scanned bytes are member data */

int     zipdd_release(struct zip *z, size_t n)
{
	struct zcur *c = &z->cur;

	if (n == 0)
		return (0);
	zipcd_hidden(&z->cd, z->pend, n, z->pend_at);
	z->pend_at += n;
	if (c->verify)
		c->crc_run = crc32(c->crc_run, z->pend, (uInt) n);
	c->in += n;
	if (c->feed && zip_out(z, z->pend, n))
		return (1);
	memmove(z->pend, z->pend + n, z->pend_len - n);
	z->pend_len -= n;
	z->pend_scan = z->pend_scan > n ? z->pend_scan - n : 0;
	return (0);
}

/*
 * zipdd_none - does the data end at pend[i] without a descriptor?  The
 * directory entry of this very member, whose compressed size is the
 * bytes before it (a streaming writer that gave the sizes only there);
 * or, for data not looked into (encrypted, unsupported method), a
 * plausible local header: any extractor finds that member through the
 * directory, and a search for a descriptor that never comes would take
 * it, and all that follows, for this member's data.
 */

static int zipdd_none(struct zip *z, size_t i)
{
	const uint8_t *b = z->pend + i;
	size_t  avail = z->pend_len - i;
	uint64_t d = z->cur.in + i;

	if (avail < 24 || b[0] != 'P' || b[1] != 'K')
		return (0);
	if (b[2] == 1 && b[3] == 2)
		return (le32(b + 20) == (uint32_t) d && (d >> 32) == 0
			&& (!z->cur.verify
			    || crc32(z->cur.crc_run, z->pend, (uInt) i) == le32(b + 16)));
	return (b[2] == 3 && b[3] == 4 && !z->cur.feed && zip_lfh_plausible(b));
}

/*
 * zipdd_scan - data of unknown length: look for its descriptor.  Each
 * position is tried once, with ZIP_LOOK bytes after it (fewer only at
 * the end of the stream); data goes on in ZIP_BLOCK pieces.
 */

int     zipdd_scan(struct zip *z, int at_end)
{
	struct zcur *c = &z->cur;
	size_t  i, len, last;
	int     sig;

	last = at_end ? z->pend_len : z->pend_len >= ZIP_LOOK ?
		z->pend_len - ZIP_LOOK + 1 : 0;
	for (i = z->pend_scan; i < last; i++) {
		if (zipdd_none(z, i)) {
			/* No descriptor: the next record follows the data. */
			if (zipdd_release(z, i))
				return (1);
			zip_push_back(z, z->pend, z->pend_len);
			z->pend_len = z->pend_scan = 0;
			return (zip_member_end(z));
		}
		/* Cheap test first: the signature, or a compressed size field
		 * (after the CRC) that equals the bytes before it. */
		if (z->pend_len - i >= 8 && z->pend[i] != 'P'
		    && le32(z->pend + i + 4) != (uint32_t) (c->in + i))
			continue;
		for (sig = 1; sig >= 0; sig--) {
			len = zipdd_match(z, z->pend + i, z->pend_len - i,
					   c->in + i, at_end, sig);
			if (len == 0)
				continue;
			if (c->verify && crc32(c->crc_run, z->pend, (uInt) i)
			    != le32(z->pend + i + (sig ? 4 : 0)))
				continue;
			if (zipdd_release(z, i))
				return (1);
			/* The descriptor is pend[0..len); the rest is read again. */
			zip_push_back(z, z->pend + len, z->pend_len - len);
			z->pend_len = z->pend_scan = 0;
			return (zip_member_end(z));
		}
	}
	if (last > z->pend_scan)
		z->pend_scan = last;
	if (z->pend_scan < ZIP_BLOCK)
		return (0);
	return (zipdd_release(z, ZIP_BLOCK));
}

/* zipdd_hold - k more bytes of data into pend, noting where it starts */

static void zipdd_hold(struct zip *z, const uint8_t *p, size_t k)
{
	if (z->pend_len == 0)
		z->pend_at = z->pos;
	if (k > 0)
		memcpy(z->pend + z->pend_len, p, k);
	z->pend_len += k;
}

/* zipdd_copy - stored data of known size, handed on in ZIP_BLOCK pieces */

size_t  zipdd_copy(struct zip *z, const uint8_t *p, size_t n)
{
	struct zcur *c = &z->cur;
	size_t  k = ZIP_BLOCK - z->pend_len;

	if (k > c->remain)
		k = (size_t) c->remain;
	if (k > n)
		k = n;
	zipdd_hold(z, p, k);
	c->remain -= k;
	if ((z->pend_len == ZIP_BLOCK || c->remain == 0)
	    && zipdd_release(z, z->pend_len))
		return (k);
	if (c->remain == 0) {
		z->pos += k;
		zip_data_done(z);
		z->pos -= k;
	}
	return (k);
}

/* zipdd_descriptor - the data descriptor after data whose end we know */

int     zipdd_descriptor(struct zip *z, int at_end)
{
	struct zcur *c = &z->cur;
	size_t  len = 0;

	if (z->have >= 4 && le32(z->hdr) == 0x08074b50)
		len = zipdd_match(z, z->hdr, z->have, c->in, at_end, 1);
	if (len == 0)
		len = zipdd_match(z, z->hdr, z->have, c->in, at_end, 0);
	if (len == 0 && z->have >= 4 && zip_is_sig(z->hdr)) {
		/* No descriptor at all, the next record follows (bit 3 set
		 * by a writer that gave the sizes in the header) */
		len = 0;
	} else if (len == 0) {
		/* Nothing consistent: take the likeliest shape, note it. */
		len = z->have >= 4 && le32(z->hdr) == 0x08074b50 ? 16 : 12;
		if (c->zip64)
			len += 8;
		if (len > z->have)
			len = z->have;
		if (walker_finding(&z->w, FIND_ARCHIVE_MALFORMED))
			return (1);
	}
	zip_push_back(z, z->hdr + len, z->have - len);
	return (zip_member_end(z));
}

/* zipdd_begin - a new member: nothing held */

void    zipdd_begin(struct zip *z)
{
	z->pend_len = z->pend_scan = 0;
}

/* zipdd_scan_feed - data of unknown size: hold it, look for the end */

size_t  zipdd_scan_feed(struct zip *z, const uint8_t *p, size_t n)
{
	size_t  k = ZIP_PEND - z->pend_len;

	if (k > n)
		k = n;
	zipdd_hold(z, p, k);
	z->pos += k;
	zipdd_scan(z, 0);
	z->pos -= k;
	return (k);
}
