/*
 * NAME
 *	tar 3h
 * SUMMARY
 *	streaming tar walker
 * SYNOPSIS
 *	#include "tar.h"
 * DESCRIPTION
 *	The tar analyser (ustar, GNU, pax, v7): headers walked, members
 *	opened with their declared sizes and sniffed.  See tar.c.
 */
#ifndef DEFUSE_TAR_H
#define DEFUSE_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

extern const struct analyser tar_analyser;

/* Is there a tar header with a valid checksum at p[0..512)? */
extern int tar_header_ok(const uint8_t *, size_t);

/* The format table's probe: tar_header_ok() on the window (formats.c). */
extern int tar_probe(const char *type, const uint8_t *win, size_t len);

#endif
