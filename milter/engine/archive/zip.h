/*
 * NAME
 *	zip 3h
 * SUMMARY
 *	streaming zip walker
 * SYNOPSIS
 *	#include "zip.h"
 * DESCRIPTION
 *	The zip analyser: local headers and member data as they stream
 *	by, then the central directory checked against what was seen.
 *	See zip.c.
 */
#ifndef DEFUSE_ZIP_H
#define DEFUSE_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

extern const struct analyser zip_analyser;

/* The format table's probe and wants_type (formats.c). */
extern int zip_probe(const char *type, const uint8_t *win, size_t len);
extern int zip_wants_type(const uint8_t *win, size_t len);

#endif
