/*
 * NAME
 *	mime 3h
 * SUMMARY
 *	streaming MIME structure parser
 * SYNOPSIS
 *	#include "mime.h"
 * DESCRIPTION
 *	See mime.c.
 */
#ifndef DEFUSE_MIME_H
#define DEFUSE_MIME_H

#include <stddef.h>
#include <stdint.h>

struct msg;
struct mime;

extern struct mime *mime_new(struct msg *);
extern struct mime *mime_new_nested(struct msg *, unsigned depth,
				            const char *path, size_t len);
extern int mime_feed(struct mime *, const uint8_t *, size_t);

/* The parser of an encoded message reads it for these readings (part.c). */
struct part;
extern void mime_nest_in(struct mime *, struct part *, unsigned readings);
extern int mime_finish(struct mime *);
extern struct mime *mime_free(struct mime *);

#endif
