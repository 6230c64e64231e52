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

/* The stages, in pipeline order.  Names are the keys of the record's mem. */
#define ACCT_STAGES(X) \
	X(ACCT_MSG,     "msg")     \
	X(ACCT_MIME,    "mime")    \
	X(ACCT_DECODE,  "decode")  \
	X(ACCT_MAGIC,   "magic")   \
	X(ACCT_ARCHIVE, "archive") \
	X(ACCT_INFLATE, "inflate")

enum acct_stage {
#define ACCT_ENUM(e, s) e,
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

/* zlib's allocator pair; opaque is the struct acct. Stage: ACCT_INFLATE. */
extern void *acct_zalloc(void *opaque, unsigned items, unsigned size);
extern void acct_zfree(void *opaque, void *ptr);

#endif
