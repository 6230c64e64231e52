/*
 * NAME
 *	qp 3h
 * SUMMARY
 *	streaming quoted-printable decoder
 * SYNOPSIS
 *	#include "qp.h"
 * DESCRIPTION
 *	See qp.c.  Embedded state, no allocation.
 */
#ifndef DEFUSE_QP_H
#define DEFUSE_QP_H

#include "sink.h"

#define QP_WS_MAX	64		/* trailing blanks held back at most */

struct qp {
	int	state;
	uint8_t	hex;			/* first hex digit after '=' */
	uint8_t	cr;			/* a CR seen, waiting for LF */
	size_t	ws_len;			/* blanks held back (maybe trailing) */
	uint8_t	ws[QP_WS_MAX];
	uint64_t out;			/* bytes decoded so far */
	uint64_t invalid;		/* malformed escapes seen */
};

extern void qp_init(struct qp *);
extern int qp_feed(struct qp *, const uint8_t *, size_t, sink_fn, void *);
extern int qp_finish(struct qp *, sink_fn, void *);

#endif
