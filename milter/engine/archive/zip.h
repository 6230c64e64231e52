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

#include "node.h"

extern const struct analyser zip_analyser;

#endif
