/*
 * NAME
 *	gzip 3h
 * SUMMARY
 *	streaming gzip walker
 * SYNOPSIS
 *	#include "gzip.h"
 * DESCRIPTION
 *	The gzip analyser: all members of a gzip stream inflated, as
 *	one member node.  See gzip.c.
 */
#ifndef DEFUSE_GZIP_H
#define DEFUSE_GZIP_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

extern const struct analyser gzip_analyser;

/* The format table's probe: a plausible member header further in the
 * window, its start junk (formats.c). */
extern int gzip_probe(const char *type, const uint8_t *win, size_t len);

#endif
