/*
 * nullmilter - the reference for the through-Postfix benchmark: a
 * libmilter filter that takes every event of a message, body included,
 * does nothing with it and accepts.  What Postfix + nullmilter costs over
 * Postfix alone is the price of the milter protocol itself; what
 * defuse-milter costs over nullmilter is defuse's own.
 *
 *	nullmilter [-n] -p SOCKET	(unix:/path or inet:port@host)
 *
 * It answers every body chunk (as defuse does, so that a verdict can stop
 * the MTA) and negotiates nothing else.  With -n it has no body callback,
 * so libmilter tells the MTA not to send the body at all (SMFIP_NOBODY):
 * what is left is what a milter costs Postfix before any body byte moves
 * (Postfix still walks its queue file record by record for the milter).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

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
	.xxfi_body = nm_body,
	.xxfi_eom = nm_eom,
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
