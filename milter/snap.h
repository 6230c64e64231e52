/*
 * NAME
 *	snap 3h
 * SUMMARY
 *	the running configuration, a reference-counted immutable snapshot
 * SYNOPSIS
 *	#include "snap.h"
 * DESCRIPTION
 *	See snap.c.
 */
#ifndef DEFUSE_SNAP_H
#define DEFUSE_SNAP_H

#include "acct.h"
#include "conf.h"

struct snap {
	struct conf conf;		/* never changed once installed */
	unsigned long generation;	/* 1 for the first, +1 per reload */
	unsigned refs;			/* atomic */
};

extern struct acct_budget snap_budget;	/* max_total_memory, all messages */

extern int snap_install(const struct conf *);
extern struct snap *snap_get(void);
extern struct snap *snap_put(struct snap *);
extern void snap_shutdown(void);

#endif
