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

#include "node.h"

extern const struct analyser gzip_analyser;

#endif
