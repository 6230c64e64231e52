/*
 * NAME
 *	part 3h
 * SUMMARY
 *	one MIME leaf: transfer decoding into a node
 * SYNOPSIS
 *	#include "part.h"
 * DESCRIPTION
 *	See part.c.
 */
#ifndef DEFUSE_PART_H
#define DEFUSE_PART_H

#include <stddef.h>
#include <stdint.h>

struct msg;
struct mimehdr;
struct part;

extern struct part *part_new(struct msg *, unsigned readings,
			              const struct mimehdr *, unsigned depth,
			              const char *path, size_t len);
extern int part_feed(struct part *, const uint8_t *, size_t);
extern int part_finish(struct part *);
extern struct part *part_free(struct part *);

/* A parser of the leaf's encoded message forked: the copy goes on at
 * resume in the bytes being parsed (mime.c). */
struct mime;
extern int part_nest_add(struct part *, struct mime *, const uint8_t *resume);

#endif
