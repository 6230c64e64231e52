/*
 * NAME
 *	acct 3h
 * SUMMARY
 *	counted allocator of the message path
 * SYNOPSIS
 *	#include "acct.h"
 * DESCRIPTION
 *	Every allocation that the analysis of one message makes goes
 *	through one struct acct, tagged with the pipeline stage that
 *	asked for it.  See acct.c.
 */
#ifndef DEFUSE_ACCT_H
#define DEFUSE_ACCT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The stages, in pipeline order.  Names are the keys of the record's mem.
 * X(enum, name, decoder): a decoder stage holds the memory a codec's
 * stream asks for (dictionary, window, blocks): it is capped by the
 * decoder limit (max_decoder_memory), the others by the message's own
 * limit (max_message_memory); the global budget takes both.
 */
#define ACCT_STAGES(X) \
	X(ACCT_MSG,     "msg",     0) \
	X(ACCT_MIME,    "mime",    0) \
	X(ACCT_DECODE,  "decode",  0) \
	X(ACCT_MAGIC,   "magic",   0) \
	X(ACCT_ARCHIVE, "archive", 0) \
	X(ACCT_INFLATE, "inflate", 0) \
	X(ACCT_BZIP2,   "bzip2",   1) \
	X(ACCT_XZ,      "xz",      1) \
	X(ACCT_ZSTD,    "zstd",    1)

enum acct_stage {
#define ACCT_ENUM(e, s, d) e,
	ACCT_STAGES(ACCT_ENUM)
#undef ACCT_ENUM
	ACCT_STAGE_COUNT
};

/*
 * The global in-flight budget (the daemon's max_total_memory), shared by
 * all messages of a process.  NULL budget: no global limit.
 */
struct acct_budget {
	size_t	max;			/* 0: unlimited */
	size_t	used;			/* atomic */
};

struct acct {
	size_t	cur;			/* bytes held now */
	size_t	peak;			/* most bytes ever held */
	size_t	stage_cur[ACCT_STAGE_COUNT];
	size_t	stage_peak[ACCT_STAGE_COUNT];
	size_t	limit;			/* per-message cap on own memory, 0: none */
	size_t	dec_cur;		/* held by decoder stages now */
	size_t	dec_limit;		/* their cap, 0: none */
	struct acct_budget *budget;	/* global budget, or NULL */
	unsigned long nalloc;		/* allocations attempted so far */
	unsigned long fail_at;		/* test hook: fail allocation #N (1-based), 0: never */
	int	failed;			/* an allocation failed: ACCT_FAIL_* */
};

#define ACCT_FAIL_NONE		0
#define ACCT_FAIL_NOMEM		1	/* malloc failed, cap, or injected fault */
#define ACCT_FAIL_BUDGET	2	/* the global budget said no */

extern void acct_init(struct acct *, size_t limit, struct acct_budget *,
		              unsigned long fail_at);
extern void *acct_alloc(struct acct *, enum acct_stage, size_t);
extern void *acct_calloc(struct acct *, enum acct_stage, size_t, size_t);
extern void *acct_free(struct acct *, void *);
extern const char *acct_stage_name(enum acct_stage);
extern void acct_set_decoder_limit(struct acct *, size_t);
extern uint64_t acct_decoder_room(const struct acct *);

/* zlib's allocator pair; opaque is the struct acct. Stage: ACCT_INFLATE. */
extern void *acct_zalloc(void *opaque, unsigned items, unsigned size);
extern void acct_zfree(void *opaque, void *ptr);

#endif
