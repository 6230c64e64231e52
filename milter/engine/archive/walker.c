/*
 * NAME
 *	walker 3
 * SUMMARY
 *	what every archive walker shares: stopping, failing, its members
 * SYNOPSIS
 *	#include "walker.h"
 *
 *	void	walker_init(w, node)
 *	int	walker_halt(w)
 *	int	walker_nomem(w)
 *	int	walker_internal(w)
 *	int	walker_finding(w, finding)
 *	int	walker_member_open(w, name, namelen, declared, compressed)
 *	int	walker_member_close(w)
 *	void	walker_member_free(w)
 *	size_t	walker_take(buf, have, need, p, n)
 * DESCRIPTION
 *	walker_halt() stops the walker for good: every later feed and
 *	finish returns 1 at once.  walker_nomem() is an allocation that
 *	failed: the message tempfails, reason budget when the global
 *	budget said no, else internal.  walker_internal() is a path that
 *	cannot happen: a walker that cannot go on must not let the rest
 *	of its stream pass unjudged, so the message tempfails (reason
 *	internal), as for any trouble of defuse's own.
 *
 *	walker_member_open() opens the member one archive level deeper
 *	(node_open()); when that fails the message's verdict is already
 *	set (a limit, or memory) and the walker halts.  A member is
 *	closed with walker_member_close(), which finishes and frees it,
 *	and freed without finishing by walker_member_free() when the
 *	walker itself is freed.
 * MEMORY
 *	None of its own.
 */

#include <string.h>

#include "walker.h"

/* walker_init - the common part of a walker's state */

void    walker_init(struct walker *w, struct node *node)
{
	w->node = node;
	w->msg = node->msg;
	w->acct = msg_acct(node->msg);
	w->member = 0;
	w->stop = 0;
}

/* walker_halt - stop for good */

int     walker_halt(struct walker *w)
{
	w->stop = 1;
	return (1);
}

/* walker_nomem - an allocation failed: the message tempfails */

int     walker_nomem(struct walker *w)
{
	if (!msg_decided(w->msg))
		msg_stop(w->msg, w->acct->failed == ACCT_FAIL_BUDGET ?
			 REASON_BUDGET : REASON_INTERNAL, w->member ? w->member : w->node);
	return (walker_halt(w));
}

/* walker_internal - a path that cannot happen did */

int     walker_internal(struct walker *w)
{
	if (!msg_decided(w->msg))
		msg_stop(w->msg, REASON_INTERNAL, w->member ? w->member : w->node);
	return (walker_halt(w));
}

/* walker_finding - a finding; stop if it decided */

int     walker_finding(struct walker *w, enum finding f)
{
	return (msg_finding(w->msg, f) != 0 ? walker_halt(w) : 0);
}

/* walker_member_open - the member one level deeper */

int     walker_member_open(struct walker *w, const char *name, size_t namelen,
			           uint64_t declared, uint64_t compressed)
{
	w->member = node_open(w->msg, w->node, name, namelen, declared, compressed);
	return (w->member == 0 ? walker_halt(w) : 0);
}

/* walker_member_close - the member's stream is over */

int     walker_member_close(struct walker *w)
{
	struct node *m = w->member;
	int     stop;

	if (m == 0)
		return (0);
	w->member = 0;
	stop = node_finish(m);
	node_free(m);
	return (stop ? walker_halt(w) : 0);
}

/* walker_member_free - release the member at any point */

void    walker_member_free(struct walker *w)
{
	if (w->member)
		w->member = node_free(w->member);
}

/* walker_take - gather a fixed-size record */

size_t  walker_take(uint8_t *buf, size_t *have, size_t need, const uint8_t *p, size_t n)
{
	size_t  k = *have < need ? need - *have : 0;

	if (k > n)
		k = n;
	if (k > 0)
		memcpy(buf + *have, p, k);
	*have += k;
	return (k);
}
