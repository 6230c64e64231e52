/*
 * NAME
 *	tally 3h
 * SUMMARY
 *	defuse-scan's summary: counts by verdict and reason, largest costs
 * SYNOPSIS
 *	#include "tally.h"
 * DESCRIPTION
 *	See tally.c.  The state is a plain struct the caller embeds.
 */
#ifndef DEFUSE_TALLY_H
#define DEFUSE_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "msg.h"
#include "reason.h"

#define TALLY_TOP	10		/* largest costs kept */
#define TALLY_NAME_MAX	512		/* a name kept, with its NUL */
#define TALLY_VERDICTS	(VERDICT_TEMPFAIL + 1)

struct tally {
	uint64_t messages;
	uint64_t errors;		/* files that could not be read */
	uint64_t verdict[TALLY_VERDICTS];
	uint64_t reason[REASON_COUNT];
	uint64_t refused[REASON_COUNT];	/* by reason, not accepted */
	unsigned ntop;
	struct {
		uint64_t cost;
		char	name[TALLY_NAME_MAX];
	}       top[TALLY_TOP];		/* largest first */
};

extern void tally_init(struct tally *);
extern void tally_add(struct tally *, const char *name, const struct record *);
extern void tally_print(const struct tally *, FILE *, int json);

#endif
