/*
 * NAME
 *	callbacks 3h
 * SUMMARY
 *	the libmilter shell around the engine
 * SYNOPSIS
 *	#include "callbacks.h"
 * DESCRIPTION
 *	See callbacks.c.
 */
#ifndef DEFUSE_CALLBACKS_H
#define DEFUSE_CALLBACKS_H

#include <libmilter/mfapi.h>

/*
 * What defuse negotiates with the MTA (cb_negotiate): the actions it may
 * take, and the protocol steps: no HELO, no unknown commands, no reply to
 * connect or to each header field, SKIP.  tests/bench/nullmilter asks for
 * the same, so that it is a fair reference.
 */
#define CALLBACKS_ACTIONS	(SMFIF_ADDHDRS | SMFIF_QUARANTINE)
#define CALLBACKS_PROTOCOL	(SMFIP_NOHELO | SMFIP_NOUNKNOWN \
				 | SMFIP_NR_CONN | SMFIP_NR_HDR | SMFIP_SKIP)

extern struct smfiDesc callbacks_desc;
extern unsigned callbacks_active(void);
extern void callbacks_stop(void);

#endif
