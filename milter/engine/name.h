/*
 * NAME
 *	name 3h
 * SUMMARY
 *	file names kept in a fixed buffer, extension included
 * SYNOPSIS
 *	#include "name.h"
 *
 *	size_t	name_put(buf, cap, len, src, n)
 * DESCRIPTION
 *	name_put() appends n bytes of a name to buf (cap bytes, NUL
 *	included, len used) and returns the new length.  Once the buffer
 *	is full its head stays and its last NAME_TAIL bytes roll with the
 *	input, so that "aaaa...aaaa.zip" of any length still ends in
 *	".zip": what a file is called matters to who claims its stream
 *	(node.c), and a long name must not hide it.  The result is always
 *	NUL-terminated; no allocation.
 */
#ifndef DEFUSE_NAME_H
#define DEFUSE_NAME_H

#include <stddef.h>

#define NAME_TAIL	16

extern size_t name_put(char *buf, size_t cap, size_t len, const void *src, size_t n);

#endif
