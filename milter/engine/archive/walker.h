/*
 * NAME
 *	walker 3h
 * SUMMARY
 *	what every archive walker shares: stopping, failing, its members
 * SYNOPSIS
 *	#include "walker.h"
 * DESCRIPTION
 *	A walker's state starts with a struct walker: the stream it walks,
 *	the message, the member open now.  The functions below are the
 *	ways a walker stops (for good: a verdict was reached, or it ran out
 *	of memory, or a path that cannot happen did, which tempfails the
 *	message rather than leave a silent gap), notes a finding, opens
 *	and closes the member its bytes go to, and assembles fixed-size
 *	records from any split of its input.  See walker.c.
 */
#ifndef DEFUSE_WALKER_H
#define DEFUSE_WALKER_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "node.h"

struct walker {
	struct node *node;		/* the archive's own stream */
	struct msg *msg;
	struct acct *acct;
	struct node *member;		/* the member open now, or NULL */
	int	stop;			/* stopped for good */
};

extern void walker_init(struct walker *, struct node *);

/* Each returns 1 (stop), so that "return (walker_halt(w));" reads. */
extern int walker_halt(struct walker *);
extern int walker_nomem(struct walker *);
extern int walker_internal(struct walker *);

/* A finding; 1 (stopped) if it decided the message. */
extern int walker_finding(struct walker *, enum finding);

/* The member: open (0, or 1 stopped: the message's verdict is set),
 * closed at its end (node_finish, then freed), freed at any point. */
extern int walker_member_open(struct walker *, const char *name, size_t namelen,
			              uint64_t declared, uint64_t compressed);
extern int walker_member_close(struct walker *);
extern void walker_member_free(struct walker *);

/*
 * walker_take - gather a fixed-size record of need bytes into buf from
 * any split: copies what is missing from p[0..n), returns the bytes
 * taken; *have counts what buf holds.  The record is whole when *have
 * reaches need.
 */
extern size_t walker_take(uint8_t *buf, size_t *have, size_t need,
			          const uint8_t *p, size_t n);

#endif
