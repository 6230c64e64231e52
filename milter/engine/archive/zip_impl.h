/*
 * NAME
 *	zip_impl 3h
 * SUMMARY
 *	the zip walker's private state, shared by its modules
 * SYNOPSIS
 *	#include "zip_impl.h"
 * DESCRIPTION
 *	struct zip and struct zcur, the walker's states, the little-endian
 *	readers, and the calls between zip.c (the state machine) and
 *	zipdd.c (data descriptors and the stored-data buffer).  zipcd.c
 *	(the table of local headers, the directory checks, the end
 *	records) uses only the readers.  Nothing here is for any other
 *	file: zip.h is the walker's public header.
 */
#ifndef DEFUSE_ZIP_IMPL_H
#define DEFUSE_ZIP_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "walker.h"
#include "zipcd.h"

#define ZIP_NAME_MAX	255
#define ZIP_HDR_MAX	64
#define ZIP_XDATA_MAX	32
#define ZIP_BLOCK	1024		/* stored data goes on in these pieces */
#define ZIP_LOOK	28		/* descriptor (24) + next signature (4) */
#define ZIP_PEND	(ZIP_BLOCK + ZIP_LOOK - 1)	/* stored data buffer */
#define ZIP_RB		(ZIP_PEND + ZIP_HDR_MAX)

#define SIG(a, b)	(0x504b0000u | ((a) << 8) | (b))
#define SIG_LFH		SIG(3, 4)
#define SIG_CDH		SIG(1, 2)
#define SIG_EOCD	SIG(5, 6)
#define SIG_EOCD64	SIG(6, 6)
#define SIG_LOC64	SIG(6, 7)
#define SIG_DD		SIG(7, 8)
#define SIG_DIGSIG	SIG(5, 5)
#define SIG_AXTRA	SIG(6, 8)

enum zip_state {
	ZS_SCAN,			/* look for a signature */
	ZS_SIG,				/* 4 bytes: which record is next */
	ZS_LFH,				/* local header, fixed part */
	ZS_LFH_NAME,
	ZS_LFH_EXTRA,
	ZS_INFLATE,			/* deflated member data */
	ZS_COPY,			/* stored member data, known size */
	ZS_SKIP_DATA,			/* member data not looked at, known size */
	ZS_DD_SCAN,			/* data of unknown size: find descriptor */
	ZS_DD,				/* data descriptor after the data */
	ZS_CDH,				/* central directory header, fixed part */
	ZS_CD_NAME,
	ZS_CD_EXTRA,
	ZS_CD_COMMENT,
	ZS_EOCD,			/* end of central directory record */
	ZS_EOCD_COMMENT,
	ZS_EOCD64,			/* Zip64 end record: size, then skip */
	ZS_LOC64,			/* Zip64 end locator */
	ZS_SKIPLEN,			/* record with a length: read it, skip */
	ZS_SKIP,			/* skip z->skip bytes, then ZS_SIG */
	ZS_TRAIL,			/* after the end record: ignored */
};

/* The member (local header) or central directory entry being read. */
struct zcur {
	uint64_t off;
	uint16_t flags;
	uint16_t method;
	uint32_t crc;
	uint32_t csize32, usize32;
	uint64_t csize, usize;		/* Zip64 applied */
	uint64_t lho;			/* CD: local header offset */
	uint32_t lho32;
	uint16_t disk;
	uint32_t namelen, extralen, commentlen;
	char	name[ZIP_NAME_MAX + 1];
	size_t	nlen;
	int	zip64;			/* a Zip64 extra field was seen */
	int	aes;			/* WinZip AES extra field */
	int	upath;			/* Info-ZIP Unicode Path (0x7075) */
	uint16_t aes_method;
	/* member data */
	int	dd;			/* general purpose bit 3 */
	int	sized;			/* usize is a declaration to hold it to */
	int	lie;			/* size-lie finding given */
	int	feed;			/* data goes to the member node */
	int	verify;			/* stored: CRC confirms the descriptor */
	uint64_t in;			/* data bytes consumed */
	uint64_t out;			/* bytes produced */
	uint64_t remain;		/* data bytes left (known size) */
	uint32_t crc_run;
	uint64_t dd_usize;		/* from the descriptor */
};

struct zip {
	struct walker w;		/* first: node, msg, member, stop */
	enum zip_state st;
	int	first;			/* no local header yet: prefix scan */
	int	tail;			/* reading a counted stream's tail (tail.c) */
	int	eager;			/* a hunt through a script: every byte */
	uint64_t tail_from;		/* stream offset where the tail starts */
	int	eocd;			/* end record seen */
	uint64_t pos;			/* stream offset of the next byte */
	uint64_t prefix;		/* offset of the first local header */
	uint32_t roll;			/* scan: last four bytes */
	uint64_t skip;
	/* fixed header assembly */
	uint8_t hdr[ZIP_HDR_MAX];
	size_t	have, need;
	/* name and extra field of the current header */
	uint32_t left;
	uint8_t xh[4];
	unsigned xhh;
	uint16_t xid, xlen, xgot;
	uint8_t xdata[ZIP_XDATA_MAX];
	struct zcur cur;
	struct codec *codec;		/* the current member's decoder */
	uint64_t window;		/* decoder memory booked: the largest */
	/* stored data, and the descriptor scan over it (pend, below) */
	size_t	pend_len;
	size_t	pend_scan;		/* positions tried for a descriptor */
	/* bytes pushed back, read again before new input (rb, below) */
	size_t	rb_off, rb_len;
	const uint8_t *pb;		/* pending push back, set by a step */
	size_t	pb_len;
	struct zipcd cd;		/* local headers seen, end records */
	uint64_t pend_at;		/* stream offset of pend[0] */
	/* buffers, last: zip_open() clears only what comes before them */
	uint8_t pend[ZIP_PEND];
	uint8_t rb[ZIP_RB];
};

/* Little-endian readers. */

static inline uint16_t le16(const uint8_t *p)
{
	return ((uint16_t) (p[0] | p[1] << 8));
}

static inline uint32_t le32(const uint8_t *p)
{
	return ((uint32_t) p[0] | (uint32_t) p[1] << 8
		| (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24);
}

static inline uint64_t le64(const uint8_t *p)
{
	return ((uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32);
}

/* zip_is_sig - is this a signature that may follow member data? */

static inline int zip_is_sig(const uint8_t *p)
{
	uint32_t s;

	if (p[0] != 'P' || p[1] != 'K')
		return (0);
	s = SIG(p[2], p[3]);
	return (s == SIG_LFH || s == SIG_CDH || s == SIG_EOCD || s == SIG_EOCD64
		|| s == SIG_LOC64 || s == SIG_DIGSIG || s == SIG_AXTRA);
}

/* zip.c, for zipdd.c */
extern int zip_lfh_plausible(const uint8_t *);
extern void zip_push_back(struct zip *, const uint8_t *, size_t);
extern int zip_out(void *, const uint8_t *, size_t);
extern int zip_data_done(struct zip *);
extern int zip_member_end(struct zip *);

/* zipdd.c, for zip.c */
extern void zipdd_begin(struct zip *);
extern size_t zipdd_copy(struct zip *, const uint8_t *, size_t);
extern size_t zipdd_scan_feed(struct zip *, const uint8_t *, size_t);
extern int zipdd_scan(struct zip *, int at_end);
extern int zipdd_release(struct zip *, size_t);
extern int zipdd_descriptor(struct zip *, int at_end);

#endif
