/*
 * NAME
 *	zipcd 3h
 * SUMMARY
 *	zip walker: local headers seen, directory checked against them
 * SYNOPSIS
 *	#include "zipcd.h"
 * DESCRIPTION
 *	The bookkeeping half of the zip walker: the table of local
 *	headers, the match of each central directory entry against it,
 *	the end records (read, hidden, of a tail).  No walker state, no
 *	messages: answers that zip.c turns into findings and reasons.
 *	See zipcd.c.
 */
#ifndef DEFUSE_ZIPCD_H
#define DEFUSE_ZIPCD_H

#include <stddef.h>
#include <stdint.h>

#include "acct.h"

/* One local header seen. */
struct zent {
	uint64_t off;			/* stream offset of the signature */
	uint64_t end;			/* stream offset after data (+ descriptor) */
	uint64_t known;			/* size accounted for the member */
	uint32_t hdrlen;		/* 30 + name + extra */
	uint32_t name_crc;		/* CRC-32 of the name as kept */
	uint16_t method;		/* as the local header gives it */
	uint8_t	enc;			/* the local header's encryption bit */
	uint8_t	ref;			/* named by a central directory entry */
	uint8_t	upath;			/* an Info-ZIP Unicode Path field */
};

/* The table, and the end records; all zero is empty. */
struct zipcd {
	/* local headers seen, in stream order */
	struct zent *ents;
	size_t	nents, cap;
	/* end records in bytes not read as records (zipcd_hidden) */
	uint8_t hb[22];			/* a candidate, from its first byte */
	size_t	hb_len;
	uint64_t hb_pos;		/* stream offset of hb[0] */
	uint64_t h_next;		/* offset after the last byte looked at */
	uint64_t hidden;		/* 1 + offset of the last one found, or 0 */
	uint64_t eocd_at;		/* 1 + offset of the last one read, or 0 */
};

/* A central directory entry as read (Zip64 applied). */
struct zipcd_dirent {
	uint64_t lho;			/* local header offset */
	uint64_t csize;			/* compressed size */
	uint16_t method;
	int	enc;			/* general purpose bit 0 */
	int	upath;			/* an Info-ZIP Unicode Path field */
	const char *name;		/* as kept (name.c) */
	size_t	nlen;
};

/* What the walk does about an entry or a hidden end record. */
enum zipcd_action {
	ZIPCD_OK,			/* consistent (entry: declare known) */
	ZIPCD_FINDING,			/* archive_malformed, entry counts in full */
	ZIPCD_OVERLAP,			/* hostile: reason zip_overlap */
	ZIPCD_UNVERIFIABLE,		/* a tail's entry names data before it */
};

/* zipcd_entry's answer. */
struct zipcd_verdict {
	enum zipcd_action action;
	int	enc_cd;			/* encrypted in the directory only */
	int	method;			/* ZIPCD_OK, but another method */
	int	name;			/* ZIPCD_OK, but another name */
	uint64_t known;			/* ZIPCD_OK: accounted for its header */
};

extern struct zent *zipcd_add(struct zipcd *, struct acct *, uint64_t max,
			              uint64_t off);
extern struct zent *zipcd_find(const struct zipcd *, uint64_t off);
extern size_t zipcd_count(const struct zipcd *);
extern void zipcd_local(struct zipcd *, uint32_t hdrlen, uint16_t method,
			        int enc, const char *name, size_t nlen, int upath);
extern void zipcd_data_end(struct zipcd *, uint64_t end, uint64_t known);
extern void zipcd_entry(struct zipcd *, const struct zipcd_dirent *,
			        uint64_t prefix, int tail, struct zipcd_verdict *);
extern void zipcd_hidden(struct zipcd *, const uint8_t *, size_t, uint64_t at);
extern void zipcd_gap(struct zipcd *, uint64_t at);
extern void zipcd_eocd(struct zipcd *, uint64_t at);
extern enum zipcd_action zipcd_hidden_end(const struct zipcd *, uint64_t pos,
					          uint64_t prefix, int tail);
extern int zipcd_eocd_plausible(const uint8_t *);
extern int zipcd_tail_eocd_ok(const uint8_t *, uint64_t at, uint64_t tail_from);
extern void zipcd_free(struct zipcd *, struct acct *);

#endif
