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
extern int mime_finish(struct mime *);
extern struct mime *mime_free(struct mime *);

#endif
