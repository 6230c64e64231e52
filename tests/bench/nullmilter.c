/*
 * nullmilter - the reference for the through-Postfix benchmark: a
 * libmilter filter that takes every event of a message, body included,
 * does nothing with it and accepts.  What Postfix + nullmilter costs over
 * Postfix alone is the price of the milter protocol itself; what
 * defuse-milter costs over nullmilter is defuse's own.
 *
 *	nullmilter [-n] -p SOCKET	(unix:/path or inet:port@host)
 *
 * It asks for the events defuse-milter asks for and negotiates as it
 * does (callbacks.c: no HELO, no unknown commands, no reply to connect
 * or to each header field, SKIP), so that the MTA sends both the same
 * commands and waits for the same replies: connect, MAIL, RCPT, DATA,
 * each header, end of header, every body chunk (answered, as defuse
 * does, so that a verdict can stop the MTA), end of message.  With -n
 * it has no body callback, so libmilter tells the MTA not to send the
 * body at all (SMFIP_NOBODY): what is left is what a milter costs
 * Postfix before any body byte moves (Postfix still walks its queue file
 * record by record for the milter).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"

static sfsistat nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			             unsigned long f2, unsigned long f3,
			             unsigned long *pf0, unsigned long *pf1,
			             unsigned long *pf2, unsigned long *pf3)
{
	(void) ctx, (void) f2, (void) f3;
	*pf0 = f0 & CALLBACKS_ACTIONS;
	*pf1 = f1 & CALLBACKS_PROTOCOL;
	*pf2 = *pf3 = 0;
	return (SMFIS_CONTINUE);
}

static sfsistat nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void) ctx, (void) host, (void) addr;
	return (SMFIS_CONTINUE);
}

static sfsistat nm_args(SMFICTX *ctx, char **argv)
{
	(void) ctx, (void) argv;
	return (SMFIS_CONTINUE);
}

static sfsistat nm_header(SMFICTX *ctx, char *name, char *value)
{
	(void) ctx, (void) name, (void) value;
	return (SMFIS_CONTINUE);
}

static sfsistat nm_step(SMFICTX *ctx)
{
	(void) ctx;
	return (SMFIS_CONTINUE);
}

static sfsistat nm_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	(void) ctx, (void) p, (void) n;
	return (SMFIS_CONTINUE);
}

static sfsistat nm_eom(SMFICTX *ctx)
{
	(void) ctx;
	return (SMFIS_ACCEPT);
}

static struct smfiDesc nm_desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = CALLBACKS_ACTIONS,
	.xxfi_connect = nm_connect,
	.xxfi_envfrom = nm_args,
	.xxfi_envrcpt = nm_args,
	.xxfi_data = nm_step,
	.xxfi_header = nm_header,
	.xxfi_eoh = nm_step,
	.xxfi_body = nm_body,
	.xxfi_eom = nm_eom,
	.xxfi_abort = nm_step,
	.xxfi_close = nm_step,
	.xxfi_negotiate = nm_negotiate,
};

int     main(int argc, char **argv)
{
	const char *sock = 0;
	int     ch;

	while ((ch = getopt(argc, argv, "np:")) != -1) {
		if (ch == 'n')
			nm_desc.xxfi_body = 0;
		else if (ch == 'p')
			sock = optarg;
		else
			break;
	}
	if (sock == 0 || ch == '?') {
		fprintf(stderr, "usage: nullmilter [-n] -p SOCKET\n");
		return (2);
	}
	umask(0);			/* the unix socket: writable by postfix */
	if (smfi_setconn((char *) sock) == MI_FAILURE
	    || smfi_register(nm_desc) == MI_FAILURE
	    || smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", sock);
		return (1);
	}
	return (smfi_main() == MI_SUCCESS ? 0 : 1);
}
