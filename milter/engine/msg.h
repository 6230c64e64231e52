/*
 * NAME
 *	msg 3h
 * SUMMARY
 *	one message under analysis: limits, accounting, verdict
 * SYNOPSIS
 *	#include "msg.h"
 * DESCRIPTION
 *	The engine's entry points, and the accounting record of DESIGN.md.
 *	See msg.c.
 */
#ifndef DEFUSE_MSG_H
#define DEFUSE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "acct.h"
#include "conf.h"
#include "reading.h"
#include "reason.h"

struct node;
struct mime;

#define RECORD_WHERE_MAX	256	/* sanitised, truncated */

/* The accounting record: one per message, same fields as DESIGN.md. */
struct record {
	enum verdict verdict;
	enum reason reason;
	char	where[RECORD_WHERE_MAX];
	uint64_t raw;			/* bytes received so far */
	uint64_t decoded;		/* projected sum of decoded MIME leaves */
	uint64_t expanded;		/* projected sum of archive members */
	uint64_t decoder_mem;		/* sum of what compressed streams declare */
	uint64_t cost;			/* raw + decoded + expanded + decoder_mem */
	uint64_t inflated;		/* bytes produced by decompression */
	uint64_t parts;			/* MIME leaves plus archive members */
	unsigned mime_depth;
	unsigned archive_depth;
	size_t	peak_mem;		/* own peak bytes for this message */
	size_t	mem[ACCT_STAGE_COUNT];	/* peak bytes by stage */
	uint64_t findings;		/* bit (1 << enum finding) */
	unsigned nviews;		/* readings followed apart (views) */
	unsigned views[READING_COUNT];	/* each view's readings (bits) */
	unsigned reading;		/* the readings that decided */
	double	ms;			/* time spent analysing */
};

struct msg;

/* Life cycle. msg_new() returns NULL only when it cannot allocate. */
extern struct msg *msg_new(const struct conf *, struct acct_budget *,
			           unsigned long fail_at);
extern struct msg *msg_free(struct msg *);

/* Input: a raw message in chunks ... */
extern int msg_feed(struct msg *, const uint8_t *, size_t);

/* ... or the milter's way: header fields, end of headers, body chunks. */
extern int msg_header(struct msg *, const char *name, const char *value);
extern int msg_eoh(struct msg *);
extern int msg_body(struct msg *, const uint8_t *, size_t);

/* ESMTP SIZE= at MAIL FROM, checked against max_message_cost. */
extern int msg_declared_size(struct msg *, uint64_t);

/* End of message; the record's verdict is final after this. */
extern int msg_finish(struct msg *);

/* The record so far (final after msg_finish). */
extern const struct record *msg_record(struct msg *);

/* A record for a message that msg_new() could not even start (reason
 * budget or internal, as that call on this thread failed). */
extern void record_internal(struct record *);

/* Has a verdict been reached (non-accept)? */
extern int msg_decided(const struct msg *);

/*
 * For the engine's stages.  All return 0 to go on, non-zero to stop
 * (a verdict was reached).
 */
extern int msg_stop(struct msg *, enum reason, const struct node *);
extern int msg_finding(struct msg *, enum finding);
extern int msg_add_decoded(struct msg *, uint64_t, const struct node *);
extern int msg_add_expanded(struct msg *, uint64_t, const struct node *);
extern int msg_add_decoder_mem(struct msg *, uint64_t, const struct node *);

/* What a new decoder may hold: max_decoder_memory, or less when the
 * message's decoders hold that much already (UINT64_MAX: no cap). */
extern uint64_t msg_decoder_room(struct msg *);
extern int msg_inflated(struct msg *, uint64_t, const struct node *);
extern int msg_part(struct msg *, const struct node *);
extern int msg_entry(struct msg *, const struct node *);
extern int msg_mime_depth(struct msg *, unsigned);
extern int msg_archive_depth(struct msg *, unsigned, const struct node *);

/* Views (msg.c): the readings the current view follows; a new view. */
extern unsigned msg_readings(const struct msg *);
extern int msg_fork(struct msg *, struct mime *, unsigned readings, const uint8_t *resume);
extern void msg_unfork(struct msg *, int);
extern struct acct *msg_acct(struct msg *);
extern const struct conf *msg_conf(const struct msg *);

/* The where path: MIME path, then archive members. */
extern size_t msg_path_set(struct msg *, size_t keep, const char *, size_t);
extern size_t msg_path_len(const struct msg *);
extern const char *msg_path(const struct msg *);

#endif
