/*
 * NAME
 *	callbacks 3
 * SUMMARY
 *	the libmilter shell around the engine
 * SYNOPSIS
 *	#include "callbacks.h"
 *
 *	struct smfiDesc callbacks_desc;
 *
 *	unsigned callbacks_active(void)
 * DESCRIPTION
 *	The callbacks that libmilter calls, one thread per SMTP
 *	connection.  They are a thin shell: each fetches its context and
 *	checks it, forwards bytes to the engine (msg.h), and turns one
 *	status into one reply through action.c; nothing here judges a
 *	message.
 *
 *	State.  A connection context (struct cb_conn) lives from
 *	negotiate (or connect) to close; it holds at most one message
 *	context (struct cb_msg) from MAIL FROM to end of message or
 *	abort.  The message context holds the configuration snapshot it
 *	started with (snap.c: a reload never changes limits under a
 *	message), the engine's struct msg, and the queue id.  One
 *	function, cb_msg_done(), ends a message whatever the path: end of
 *	message, a refusal on the way, abort, a new MAIL FROM, or close.
 *	Every callback tolerates a missing context, because libmilter
 *	calls abort and close at any point, also after a refusal.
 *
 *	The flow.  envfrom starts a message and hands the engine ESMTP
 *	SIZE=, which it judges against max_message_cost (reason
 *	size_declared); header fields and end of headers go to the
 *	engine; every body chunk goes to the engine as it arrives, and
 *	the moment a verdict is reached the callback returns it, so that
 *	the MTA stops sending.  eom gives the final verdict.  An action
 *	that ends a message (reject, tempfail, discard) is replied at
 *	once; one that accepts it (tag, quarantine, monitor, or own
 *	trouble let through) waits for eom, where libmilter allows
 *	header changes and quarantine, and the rest of the body is
 *	skipped when the MTA understands SMFIS_SKIP.
 *
 *	Negotiation asks the MTA not to send what defuse does not use
 *	(HELO, unknown commands) and not to wait for a reply to connect
 *	and to each header field (SMFIP_NR_CONN, SMFIP_NR_HDR): a verdict
 *	reached in the header is given at end of headers, one round trip
 *	later and before any body byte.  Body chunks keep their reply,
 *	since that reply is how a bomb is stopped early; end of headers
 *	keeps it for the same reason.  RCPT and DATA are asked for and
 *	answered at once although defuse has nothing to say there: over
 *	TCP, Postfix's smtpd writes the RCPT and DATA packets and then
 *	hands the connection to cleanup, whose first packet the Nagle
 *	algorithm holds until those are acknowledged; with no reply to
 *	carry the acknowledgement, that waits for the delayed ACK, 40 ms
 *	per message on loopback.  Two replies of a few bytes cost far
 *	less (measured: 48 ms per message over inet without them, 4.4 ms
 *	with them, 5 ms over a unix socket).
 *
 *	callbacks_active() is the number of open connections, which the
 *	daemon waits for on SIGTERM.  callbacks_stop() starts that wait:
 *	from then on a new connection gets a temporary failure at connect
 *	(the MTA tempfails its mail, the sender retries), while the
 *	connections already open go on to their end.
 *
 *	Fault injection, for the end-to-end tests only: when the
 *	environment variable DEFUSE_FAULT_RATE is set to p (0 < p <= 1),
 *	each message fails, with probability p, one of its first
 *	DEFUSE_FAULT_SPAN (default 64) engine allocations, picked at random,
 *	through the engine's own hook (acct's fail_at).  Unset, nothing
 *	changes.
 * BUGS
 *	Own trouble (no memory for a context) is a 451 for that message;
 *	nothing here exits.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#include "action.h"
#include "callbacks.h"
#include "logger.h"
#include "msg.h"
#include "snap.h"

#define CB_QID_MAX	64

struct cb_msg {
	struct snap *snap;		/* configuration for this message */
	struct msg *m;			/* the engine, or NULL: no memory */
	struct record rec;		/* the record when m is NULL */
	int	deferred;		/* decided; the action waits for eom */
	char	qid[CB_QID_MAX];	/* the MTA's queue id, or "" */
};

struct cb_conn {
	unsigned long pflags;		/* negotiated protocol flags */
	struct cb_msg *msg;		/* the message under way, or NULL */
};

static unsigned cb_active;
static int cb_stopping;

/* callbacks_active - connections open now */

unsigned callbacks_active(void)
{
	return (__atomic_load_n(&cb_active, __ATOMIC_RELAXED));
}

/* callbacks_stop - from now on, new connections get a temporary failure */

void    callbacks_stop(void)
{
	__atomic_store_n(&cb_stopping, 1, __ATOMIC_RELAXED);
}

/* cb_conn_get - the connection context, created when missing */

static struct cb_conn *cb_conn_get(SMFICTX *ctx)
{
	struct cb_conn *conn = smfi_getpriv(ctx);

	if (conn == 0 && (conn = calloc(1, sizeof(*conn))) != 0) {
		if (smfi_setpriv(ctx, conn) != MI_SUCCESS) {
			free(conn);
			return (NULL);
		}
		__atomic_add_fetch(&cb_active, 1, __ATOMIC_RELAXED);
	}
	return (conn);
}

/* cb_msg_get - the message context, or NULL */

static struct cb_msg *cb_msg_get(SMFICTX *ctx)
{
	struct cb_conn *conn = smfi_getpriv(ctx);

	return (conn ? conn->msg : 0);
}

/* cb_record - the record of a message */

static const struct record *cb_record(struct cb_msg *mc)
{
	return (mc->m ? msg_record(mc->m) : &mc->rec);
}

/* cb_decided - has the engine reached a verdict (or could it not start)? */

static int cb_decided(struct cb_msg *mc)
{
	return (mc->m == 0 || msg_decided(mc->m));
}

/* cb_qid - remember the queue id when the MTA gives it */

static void cb_qid(SMFICTX *ctx, struct cb_msg *mc)
{
	const char *qid = smfi_getsymval(ctx, "i");

	if (qid != 0 && *qid != 0)
		snprintf(mc->qid, sizeof(mc->qid), "%s", qid);
}

/* cb_msg_done - the one cleanup path of a message */

static void cb_msg_done(struct cb_conn *conn, const char *logas)
{
	struct cb_msg *mc = conn->msg;

	if (mc == 0)
		return;
	if (logas != 0)
		logger_message(mc->qid, logas, cb_record(mc));
	conn->msg = 0;
	mc->m = msg_free(mc->m);
	mc->snap = snap_put(mc->snap);
	free(mc);
}

/* cb_fault_at - test hook: the allocation to fail, 0: none (see above) */

static unsigned long cb_fault_at(void)
{
	static __thread unsigned seed;
	const char *rate = getenv("DEFUSE_FAULT_RATE");
	const char *span = getenv("DEFUSE_FAULT_SPAN");
	unsigned long n = span ? strtoul(span, 0, 10) : 0;
	double  p;

	if (rate == 0 || (p = strtod(rate, 0)) <= 0)
		return (0);
	if (seed == 0)
		seed = (unsigned) time(0) ^ (unsigned) (uintptr_t) &seed;
	if (rand_r(&seed) / (RAND_MAX + 1.0) >= p)
		return (0);
	return (1 + (unsigned long) rand_r(&seed) % (n ? n : 64));
}

/* cb_msg_start - a new message at MAIL FROM; NULL when out of memory */

static struct cb_msg *cb_msg_start(struct cb_conn *conn)
{
	struct cb_msg *mc;

	cb_msg_done(conn, 0);			/* no abort came: forget it */
	if ((mc = calloc(1, sizeof(*mc))) == 0)
		return (NULL);
	if ((mc->snap = snap_get()) == 0) {
		free(mc);
		return (NULL);
	}
	if ((mc->m = msg_new(&mc->snap->conf, &snap_budget,
			     cb_fault_at())) == 0)
		record_internal(&mc->rec);
	conn->msg = mc;
	return (mc);
}

/* cb_reply - set the SMTP reply of a final action */

static void cb_reply(SMFICTX *ctx, const struct action *act)
{
	if (act->smtp == 0)
		return;
	if (smfi_setreply(ctx, (char *) act->smtp, (char *) act->status,
			  (char *) act->text) != MI_SUCCESS) {
		logger_warning("smfi_setreply %s %s refused the text; "
			       "the MTA's default text is used", act->smtp, act->status);
	}
}

/* cb_final - reply, log and end a message refused (or discarded) now */

static sfsistat cb_final(SMFICTX *ctx, struct cb_conn *conn,
			         const struct action *act)
{
	cb_qid(ctx, conn->msg);
	cb_reply(ctx, act);
	cb_msg_done(conn, act->name);
	switch (act->kind) {
	case ACT_REJECT:
		return (SMFIS_REJECT);
	case ACT_DISCARD:
		return (SMFIS_DISCARD);
	default:
		return (SMFIS_TEMPFAIL);
	}
}

/* cb_going - the reply that lets a message go on */

static sfsistat cb_going(struct cb_conn *conn, int in_body)
{
	if (in_body && conn->msg && conn->msg->deferred
	    && (conn->pflags & SMFIP_SKIP))
		return (SMFIS_SKIP);
	return (SMFIS_CONTINUE);
}

/* cb_check - after the engine ran: reply now, wait for eom, or go on */

static sfsistat cb_check(SMFICTX *ctx, struct cb_conn *conn, int in_body)
{
	struct cb_msg *mc = conn->msg;
	struct action act;

	if (mc->deferred || !cb_decided(mc))
		return (cb_going(conn, in_body));
	action_decide(&mc->snap->conf, cb_record(mc), &act);
	if (action_is_final(act.kind))
		return (cb_final(ctx, conn, &act));
	mc->deferred = 1;
	return (cb_going(conn, in_body));
}

/* cb_negotiate - ask for what defuse uses, skip what it does not */

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			             unsigned long f2, unsigned long f3,
			             unsigned long *pf0, unsigned long *pf1,
			             unsigned long *pf2, unsigned long *pf3)
{
	struct cb_conn *conn;

	(void) f2, (void) f3;
	if ((conn = cb_conn_get(ctx)) == 0)
		return (SMFIS_TEMPFAIL);
	*pf0 = f0 & CALLBACKS_ACTIONS;
	*pf1 = f1 & CALLBACKS_PROTOCOL;
	if (__atomic_load_n(&cb_stopping, __ATOMIC_RELAXED))
		*pf1 &= ~SMFIP_NR_CONN;		/* connect must be able to refuse */
	*pf2 = *pf3 = 0;
	conn->pflags = *pf1;
	return (SMFIS_CONTINUE);
}

/* cb_connect - a new SMTP connection */

static sfsistat cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct cb_conn *conn = cb_conn_get(ctx);

	(void) host, (void) addr;
	if (__atomic_load_n(&cb_stopping, __ATOMIC_RELAXED)) {
		smfi_setreply(ctx, "421", "4.3.2", "filter shutting down, try again later");
		return (SMFIS_TEMPFAIL);
	}
	if (conn && (conn->pflags & SMFIP_NR_CONN))
		return (SMFIS_NOREPLY);
	return (conn ? SMFIS_CONTINUE : SMFIS_TEMPFAIL);
}

/* cb_size_param - the value of an ESMTP SIZE= parameter, -1 if none */

static int cb_size_param(char **argv, uint64_t *size)
{
	for (int i = 1; argv && argv[i]; i++) {
		char   *end;

		if (strncasecmp(argv[i], "SIZE=", 5) != 0 || argv[i][5] < '0'
		    || argv[i][5] > '9')
			continue;
		*size = strtoull(argv[i] + 5, &end, 10);
		if (*end == 0)
			return (0);
	}
	return (-1);
}

/* cb_envfrom - MAIL FROM starts a message */

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct cb_conn *conn = cb_conn_get(ctx);
	struct cb_msg *mc;
	uint64_t size;

	if (conn == 0 || (mc = cb_msg_start(conn)) == 0) {
		smfi_setreply(ctx, "451", "4.3.0", "filter out of memory, try again later");
		logger_warning("out of memory at MAIL FROM: tempfail");
		return (SMFIS_TEMPFAIL);
	}
	cb_qid(ctx, mc);
	if (mc->m && cb_size_param(argv, &size) == 0)
		msg_declared_size(mc->m, size);
	return (cb_check(ctx, conn, 0));
}

/* cb_envrcpt - RCPT TO: answered at once (see Negotiation above) */

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	(void) ctx, (void) argv;
	return (SMFIS_CONTINUE);
}

/* cb_data - DATA: answered at once (see Negotiation above) */

static sfsistat cb_data(SMFICTX *ctx)
{
	(void) ctx;
	return (SMFIS_CONTINUE);
}

/* cb_header - one header field */

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct cb_conn *conn = smfi_getpriv(ctx);
	int     noreply = conn && (conn->pflags & SMFIP_NR_HDR);
	struct cb_msg *mc = cb_msg_get(ctx);

	if (mc != 0 && !mc->deferred && !cb_decided(mc))
		msg_header(mc->m, name ? name : "", value ? value : "");
	if (noreply)
		return (SMFIS_NOREPLY);		/* a verdict waits for eoh */
	return (mc ? cb_check(ctx, conn, 0) : SMFIS_CONTINUE);
}

/* cb_eoh - end of headers */

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct cb_msg *mc = cb_msg_get(ctx);

	if (mc == 0)
		return (SMFIS_CONTINUE);
	if (!mc->deferred && !cb_decided(mc))
		msg_eoh(mc->m);
	return (cb_check(ctx, smfi_getpriv(ctx), 0));
}

/* cb_body - one body chunk, judged as it arrives */

static sfsistat cb_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	struct cb_msg *mc = cb_msg_get(ctx);

	if (mc == 0)
		return (SMFIS_CONTINUE);
	if (!mc->deferred && !cb_decided(mc))
		msg_body(mc->m, p, n);
	return (cb_check(ctx, smfi_getpriv(ctx), 1));
}

/* cb_eom_apply - header and quarantine of an accepted message */

static void cb_eom_apply(SMFICTX *ctx, const struct snap *snap,
			         const struct action *act)
{
	if (act->header[0] != 0
	    && smfi_addheader(ctx, snap->conf.header_name,
			      (char *) act->header) != MI_SUCCESS)
		logger_warning("cannot add header %s (did the MTA allow it?)",
			       snap->conf.header_name);
	if (act->kind == ACT_QUARANTINE
	    && smfi_quarantine(ctx, (char *) act->quarantine) != MI_SUCCESS)
		logger_warning("cannot quarantine (did the MTA allow it?)");
}

/* cb_eom - end of message: the final verdict */

static sfsistat cb_eom(SMFICTX *ctx)
{
	struct cb_conn *conn = smfi_getpriv(ctx);
	struct cb_msg *mc = cb_msg_get(ctx);
	struct action act;

	if (mc == 0)
		return (SMFIS_CONTINUE);
	cb_qid(ctx, mc);
	if (mc->m)
		msg_finish(mc->m);
	action_decide(&mc->snap->conf, cb_record(mc), &act);
	if (action_is_final(act.kind))
		return (cb_final(ctx, conn, &act));
	cb_eom_apply(ctx, mc->snap, &act);
	cb_msg_done(conn, act.name);
	return (SMFIS_CONTINUE);
}

/* cb_msg_abort - end a message that got no verdict; log it if data came */

static void cb_msg_abort(struct cb_conn *conn)
{
	if (conn->msg != 0)
		cb_msg_done(conn, cb_record(conn->msg)->raw > 0 ? "abort" : 0);
}

/* cb_abort - the MTA gave up on the message */

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct cb_conn *conn = smfi_getpriv(ctx);

	if (conn != 0)
		cb_msg_abort(conn);
	return (SMFIS_CONTINUE);
}

/* cb_close - the connection is gone */

static sfsistat cb_close(SMFICTX *ctx)
{
	struct cb_conn *conn = smfi_getpriv(ctx);

	if (conn == 0)
		return (SMFIS_CONTINUE);
	cb_msg_abort(conn);
	smfi_setpriv(ctx, 0);
	free(conn);
	__atomic_sub_fetch(&cb_active, 1, __ATOMIC_RELAXED);
	return (SMFIS_CONTINUE);
}

struct smfiDesc callbacks_desc = {
	.xxfi_name = "defuse",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = CALLBACKS_ACTIONS,
	.xxfi_connect = cb_connect,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_data = cb_data,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};
