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

extern struct smfiDesc callbacks_desc;
extern unsigned callbacks_active(void);
extern void callbacks_stop(void);

#endif
