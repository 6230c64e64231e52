/*
 * NAME
 *	node 3h
 * SUMMARY
 *	one byte stream under analysis: a MIME leaf or an archive member
 * SYNOPSIS
 *	#include "node.h"
 * DESCRIPTION
 *	A node receives the decoded bytes of a MIME leaf part (depth 0)
 *	or the expanded bytes of an archive member (depth 1 and deeper).
 *	It keeps the stream's projection in the message's accounting,
 *	checks the per-part limits, sniffs the first bytes with libmagic
 *	and hands the stream to the analyser that claims it.  See node.c.
 */
#ifndef DEFUSE_NODE_H
#define DEFUSE_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

struct msg;
struct node;

/*
 * Streams reach nodes in blocks of NODE_BLOCK bytes (the last one may be
 * shorter), whatever the split of the input: the MIME leaf re-blocks what
 * its decoder produces.  So every analyser sees the same pieces, and a
 * verdict falls at the same place, however the message was chunked.
 */
#define NODE_BLOCK	4096

/*
 * An analyser (a walker) looks inside a stream: zip, gzip, tar, ...  The
 * format table (archive/formats.c) says which one takes a stream: by its
 * magic bytes, by content (libmagic's type, a probe), by the declared
 * type, by the name's extension (node.c asks format_claim()).  Its
 * members are opened with node_open(..., parent = the node it analyses,
 * ...), which puts them one archive level deeper.
 *
 * open() returns NULL when it cannot allocate (the message's verdict is
 * then already set).  feed() takes any split of the stream; finish() is
 * the end of the stream.  feed() and finish() return non-zero to stop.
 * free() releases everything, at any point, and returns NULL.
 *
 * The format marked embedded (zip) also gets, with node->hunt set, a
 * stream that nobody claims, and hunts for its format anywhere in it:
 * ClamAV scans every file for embedded archives, and unzip and 7z open a
 * zip appended to a JPEG or a PDF from its end record.  It must stay
 * quiet until it finds its format.  idle() says it has found nothing so
 * far: then the producer may count the stream (node_wants_bytes() is 0)
 * as long as it gives the hunter the stream's tail, decoded, through
 * tail(): bytes at a stream offset, after a gap or overlapping what it
 * saw (node_wants_tail()).
 */
struct analyser {
	const char *name;
	void   *(*open) (struct node *);
	int     (*feed) (void *state, const uint8_t *p, size_t n);
	int     (*finish) (void *state);
	void   *(*free) (void *state);
	int     (*idle) (void *state);
	int     (*tail) (void *state, uint64_t offset, const uint8_t *p, size_t n);
};

struct format;

/* What a node knows; walkers read these fields, only node.c writes them. */
struct node {
	struct msg *msg;
	struct node *parent;		/* the archive stream this is a member of */
	unsigned depth;			/* 0: MIME leaf; N: inside N archives */
	uint64_t size;			/* bytes seen so far */
	uint64_t declared;		/* declared size, 0: none */
	uint64_t worst;			/* projected unverified (node_worst) */
	uint64_t compressed;		/* declared compressed size (members) */
	uint64_t consumed;		/* compressed bytes consumed so far */
	uint64_t projected;		/* what this node adds to the cost now */
	size_t	path_keep;		/* msg's where before this node */
	size_t	path_len;		/* msg's where up to this node */
	int	state;			/* node.c's sniff state */
	int	hunt;			/* nobody claimed it: an embedded hunt */
	uint8_t *win;			/* sniff window (counted) */
	size_t	win_len;
	const struct format *fmt;	/* the format that claimed the stream */
	int	how;			/* how (FORMAT_BY_*) */
	const struct analyser *an;	/* its walker */
	void   *an_state;
	char	declared_type[80];	/* MIME leaf: its Content-Type, else "" */
	const struct format *named;	/* what its name's extension implies, or 0 */
	char	type[64];		/* libmagic's type; "" when not asked */
};

extern struct node *node_open(struct msg *, struct node *parent,
			              const char *name, size_t namelen,
			              uint64_t declared, uint64_t compressed);
extern int node_feed(struct node *, const uint8_t *, size_t);
extern int node_finish(struct node *);
extern struct node *node_free(struct node *);

/* The producer of a member may learn sizes as it goes. */
extern int node_declare(struct node *, uint64_t declared, uint64_t compressed);
extern int node_consumed(struct node *, uint64_t compressed);

/*
 * A stream whose size cannot be verified (a method or a window defuse
 * does not decode): projected at worst bytes, judged by the size limits,
 * not by max_ratio (worst is a ceiling, not a ratio the stream showed).
 */
extern int node_worst(struct node *, uint64_t worst);

/* Does the node still look at bytes, or only count them? */
extern int node_wants_bytes(const struct node *);

/* Does it want the stream's tail, when counted (a hunt found nothing)? */
extern int node_wants_tail(const struct node *);
extern int node_tail(struct node *, uint64_t offset, const uint8_t *, size_t);

/* Bytes that went by uncounted-for content: only their number matters. */
extern int node_count(struct node *, uint64_t);

/* A MIME leaf's declared Content-Type, to compare with what it is. */
extern void node_set_declared_type(struct node *, const char *);

/*
 * A member whose stream is already closed (or never opened) declares a
 * size afterwards, e.g. in a zip central directory: known is what was
 * already accounted for it (0 if nothing).  Checks the member limits and
 * adds what exceeds known to the projection.
 */
extern int node_member_declared(struct node *archive, const char *name,
				        size_t namelen, uint64_t known,
				        uint64_t declared, uint64_t compressed);

#endif
