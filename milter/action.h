/*
 * NAME
 *	action 3h
 * SUMMARY
 *	from a verdict to what the milter does
 * SYNOPSIS
 *	#include "action.h"
 * DESCRIPTION
 *	See action.c.
 */
#ifndef DEFUSE_ACTION_H
#define DEFUSE_ACTION_H

#include <stddef.h>

#include "conf.h"
#include "msg.h"

#define ACTION_TEXT_MAX		400	/* reply text, '%' doubled, NUL */
#define ACTION_HEADER_MAX	400	/* header value, NUL */

/* What the milter does with one message. */
enum action_kind {
	ACT_ACCEPT,			/* nothing found, or trouble let through */
	ACT_REJECT,			/* 5xx */
	ACT_TEMPFAIL,			/* 4xx */
	ACT_DISCARD,			/* accept, then drop */
	ACT_QUARANTINE,			/* accept into the MTA's hold queue */
	ACT_TAG,			/* accept with a header */
	ACT_MONITOR,			/* accept, only log */
};

struct action {
	enum action_kind kind;
	const char *name;		/* "reject", ... as logged */
	const char *smtp;		/* "552", or NULL when no reply */
	const char *status;		/* "5.3.4" */
	char	text[ACTION_TEXT_MAX];	/* ready for smfi_setreply() */
	char	header[ACTION_HEADER_MAX];	/* value to add, "" for none */
	char	quarantine[ACTION_TEXT_MAX];	/* reason, for ACT_QUARANTINE */
};

extern enum action_kind action_for(const struct conf *, enum reason);
extern void action_decide(const struct conf *, const struct record *,
			          struct action *);
extern const char *action_name(enum action_kind);
extern int action_is_final(enum action_kind);
extern size_t action_expand(char *, size_t, const char *,
			            const struct conf *, const struct record *);
extern const char *action_limit_key(enum reason);

#endif
