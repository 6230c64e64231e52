/*
 * NAME
 *	filetype 3h
 * SUMMARY
 *	libmagic, loaded once, one cookie per thread
 * SYNOPSIS
 *	#include "filetype.h"
 * DESCRIPTION
 *	See filetype.c.
 */
#ifndef DEFUSE_FILETYPE_H
#define DEFUSE_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

#define FILETYPE_WINDOW	4096		/* bytes libmagic is shown */

extern int filetype_init(char *err, size_t errlen);
extern int filetype_of(const uint8_t *, size_t, char *out, size_t outlen);

#endif
